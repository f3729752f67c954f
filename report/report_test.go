package report_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/internal/testredis"
	"github.com/qingchuan/xfbot/report"
	"github.com/qingchuan/xfbot/store"
)

// TestStatsRowsCountCases: the export's 统计 sheet counts what 统计 counts:
// a case resolved, reopened and resolved again three times in March is one
// 化解 and one 重复信访 of March, and the sheet's 口径 says so.
func TestStatsRowsCountCases(t *testing.T) {
	ctx := context.Background()
	rdb, prefix := testredis.New(t)
	st := store.New(rdb, prefix).In(cst)
	at := func(d, h int) time.Time { return time.Date(2026, 3, d, h, 0, 0, 0, cst) }
	c := &xfbot.Case{Title: "反复化解", Unit: "区住建局", Status: xfbot.StatusHandling, Owner: xfbot.Person{OpenID: "ou_zhao", Name: "赵建"},
		AcceptedOn: xfbot.NewDate(2026, 3, 2), Due: xfbot.NewDate(2026, 5, 1), CreatedAt: at(2, 9), UpdatedAt: at(2, 9)}
	tx := st.NewTx()
	tx.CreateCase(c, 2026)
	no, err := st.Commit(ctx, tx)
	if err != nil {
		t.Fatal(err)
	}
	c.No = no
	write := func(when time.Time, f func(c *xfbot.Case)) {
		t.Helper()
		cp := *c
		cp.UpdatedAt = when
		f(&cp)
		tx := st.NewTx()
		tx.UpdateCase(c, &cp)
		if _, err := st.Commit(ctx, tx); err != nil {
			t.Fatal(err)
		}
		c = &cp
	}
	for i, d := range []int{3, 11, 25} { // three different weeks of March
		write(at(d, 10), func(c *xfbot.Case) { c.Status, c.ResolvedOn = xfbot.StatusResolved, xfbot.NewDate(2026, 3, d) })
		if i < 2 {
			write(at(d, 15), func(c *xfbot.Case) { c.Status, c.ResolvedOn = xfbot.StatusHandling, xfbot.Date{} })
		}
	}
	r := &report.Reports{Store: st, Thresholds: xfbot.DefaultThresholds, Location: cst}
	rep, err := r.Stats(ctx, "", xfbot.MonthPeriod(xfbot.Month{Year: 2026, Month: time.March}), xfbot.NewDate(2026, 4, 2), false)
	if err != nil {
		t.Fatal(err)
	}
	rows := report.StatsRows(rep)
	for _, want := range [][]string{
		{"本期增量", "1", "1"},
		{"化解数", "1", "1"},
		{"化解率", "100.0%", "100.0%"},
		{"重复信访", "1（100.0%）", "1（100.0%）"},
		{"重开", "1", "1"},
	} {
		if !slices.ContainsFunc(rows, func(r []string) bool { return slices.Equal(r, want) }) {
			t.Errorf("no row %q in %q", want, rows)
		}
	}
	if !slices.ContainsFunc(rows, func(r []string) bool {
		return len(r) == 2 && r[0] == "化解数" && strings.Contains(r[1], "只计 1 件")
	}) {
		t.Errorf("the sheet's 口径 does not say how 化解数 counts: %q", rows)
	}
}
