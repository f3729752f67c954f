package report_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/internal/testredis"
	"github.com/qingchuan/xfbot/report"
	"github.com/qingchuan/xfbot/store"
)

// The weekly group digest carries the week's 督查单 by unit (numbers of the
// overdue ones, never their free text), the monthly report the month's 督查
// figures by unit.
func TestSupervisionInDigests(t *testing.T) {
	ctx := context.Background()
	rdb, prefix := testredis.New(t)
	st := store.New(rdb, prefix).In(cst)
	insp := xfbot.Person{OpenID: "ou_zhao", Name: "赵建"}
	for _, due := range []xfbot.Date{xfbot.NewDate(2026, 3, 18), xfbot.NewDate(2026, 3, 30)} {
		tx := st.NewTx()
		tx.CreateSupervision(&xfbot.SupervisionItem{Unit: "云溪街道", Problem: xfbot.ProblemBuckPassing, Description: "信访人张建国 13812345678 反映相互推诿",
			Requirement: "明确牵头单位", OpenedBy: insp, Inspector: insp, OpenedAt: time.Date(2026, 3, 16, 9, 0, 0, 0, cst),
			OpenedOn: xfbot.NewDate(2026, 3, 16), Due: due, Status: xfbot.SupIssued}, 2026)
		if _, err := st.Commit(ctx, tx); err != nil {
			t.Fatal(err)
		}
	}
	r := &report.Reports{Store: st, Thresholds: xfbot.DefaultThresholds, Location: cst}
	card, err := r.Weekly(ctx, time.Date(2026, 3, 23, 9, 10, 0, 0, cst), false)
	if err != nil {
		t.Fatal(err)
	}
	text := card.Text()
	for _, want := range []string{"督查单（按单位）", "本周交办 2 件", "云溪街道：交办 2 · 在办 2 · 逾期 1（DC-2026-0001）"} {
		if !strings.Contains(text, want) {
			t.Errorf("weekly digest lacks %q:\n%s", want, text)
		}
	}
	for _, bad := range []string{"13812345678", "张建国", "推诿"} {
		if strings.Contains(text, bad) {
			t.Errorf("weekly digest shows %q", bad)
		}
	}
	card, _, err = r.Monthly(ctx, xfbot.MonthOf(xfbot.NewDate(2026, 3, 1)), xfbot.NewDate(2026, 4, 1))
	if err != nil {
		t.Fatal(err)
	}
	if text := card.Text(); !strings.Contains(text, "督查") || !strings.Contains(text, "交办 2 件") || !strings.Contains(text, "云溪街道：交办 2 · 按期整改率 —") {
		t.Errorf("monthly report:\n%s", text)
	}
}
