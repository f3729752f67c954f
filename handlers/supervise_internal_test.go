package handlers

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/internal/testredis"
	"github.com/qingchuan/xfbot/store"
)

// 成员 召回 reads heldSupervision and calls handOverSupervision: the open
// items of an inspector from the per-inspector index, moved in one commit,
// each recorded in its history; signed-off items stay where they are.
func TestSupervisionHandOver(t *testing.T) {
	ctx := context.Background()
	rdb, prefix := testredis.New(t)
	st := store.New(rdb, prefix)
	h := &Handlers{Store: st}
	from, to, lead := xfbot.Person{OpenID: "ou_zhao", Name: "赵建"}, xfbot.Person{OpenID: "ou_qian", Name: "钱秀兰"}, xfbot.Person{OpenID: "ou_admin", Name: "陈某"}
	at := time.Date(2026, 3, 16, 9, 0, 0, 0, time.UTC)
	for i, s := range []xfbot.SupervisionStatus{xfbot.SupIssued, xfbot.SupSubmitted, xfbot.SupClosed} {
		tx := st.NewTx()
		tx.CreateSupervision(&xfbot.SupervisionItem{Unit: "云溪街道", Problem: xfbot.ProblemOther, Description: "d", Requirement: "r",
			OpenedBy: from, Inspector: from, OpenedAt: at.Add(time.Duration(i) * time.Minute), OpenedOn: xfbot.NewDate(2026, 3, 16),
			Due: xfbot.NewDate(2026, 3, 25), Status: s}, 2026)
		if _, err := st.Commit(ctx, tx); err != nil {
			t.Fatal(err)
		}
	}
	held, err := h.heldSupervision(ctx, from.OpenID)
	if err != nil || len(held) != 2 || !strings.Contains(held[0], "DC-2026-0001 云溪街道 · 其他 · 已交办 · 整改期限 2026-03-25") {
		t.Fatalf("held %q %v", held, err)
	}
	n, err := h.handOverSupervision(ctx, from, to, lead, at)
	if err != nil || n != 2 {
		t.Fatalf("handed over %d: %v", n, err)
	}
	if held, _ := h.heldSupervision(ctx, from.OpenID); len(held) != 0 {
		t.Fatalf("still held: %q", held)
	}
	if held, _ := h.heldSupervision(ctx, to.OpenID); len(held) != 2 {
		t.Fatalf("the new inspector holds %q", held)
	}
	v, _ := st.Supervision(ctx, "DC-2026-0001")
	if v.Inspector != to || len(v.History) != 1 || v.History[0].Action != "移交" || v.History[0].By != lead {
		t.Fatalf("item %+v history %+v", v.SupervisionItem, v.History)
	}
	ds, _ := st.Deadlines(ctx, xfbot.NewDate(2026, 12, 31), 0)
	if len(ds) != 1 || ds[0].Owner != to.OpenID {
		t.Fatalf("the deadline's owner did not move: %+v", ds)
	}
	if n, err := h.handOverSupervision(ctx, from, to, lead, at); n != 0 || err != nil {
		t.Fatalf("nothing left to hand over: %d %v", n, err)
	}
	if _, err := h.handOverSupervision(ctx, to, to, lead, at); err == nil {
		t.Fatal("a hand-over to oneself")
	}
}
