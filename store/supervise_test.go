package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/store"
)

func newItem(unit string, due xfbot.Date) *xfbot.SupervisionItem {
	insp := xfbot.Person{OpenID: "ou_insp", Name: "赵建"}
	return &xfbot.SupervisionItem{Unit: unit, Problem: xfbot.ProblemMeasure, Description: "属地联系人未落实", Requirement: "三日内落实",
		OpenedBy: insp, Inspector: insp, OpenedAt: time.Date(2026, 3, 16, 9, 0, 0, 0, time.UTC), OpenedOn: xfbot.NewDate(2026, 3, 16),
		Due: due, Status: xfbot.SupIssued}
}

func TestSupervisionStore(t *testing.T) {
	ctx := context.Background()
	st := newTestStore(t)
	open := func(it *xfbot.SupervisionItem) xfbot.SupervisionID {
		t.Helper()
		tx := st.NewTx()
		tx.CreateSupervision(it, 2026)
		tx.AddSupervisionEvent(store.NoPlaceholder, xfbot.SupervisionEvent{At: it.OpenedAt, By: it.OpenedBy, Action: "交办", Text: "交办 " + store.NoPlaceholder})
		no, err := st.Commit(ctx, tx)
		if err != nil {
			t.Fatal(err)
		}
		return xfbot.SupervisionID(no)
	}
	a := open(newItem("云溪街道", xfbot.NewDate(2026, 3, 25)))
	b := open(newItem("区住建局", xfbot.NewDate(2026, 3, 20)))
	if a != "DC-2026-0001" || b != "DC-2026-0002" {
		t.Fatalf("numbers %s %s", a, b)
	}

	v, err := st.Supervision(ctx, a)
	if err != nil || v == nil {
		t.Fatalf("read %s: %v %v", a, v, err)
	}
	if v.ID != a || v.Unit != "云溪街道" || v.Version != 1 || len(v.History) != 1 || v.History[0].Text != "交办 "+string(a) {
		t.Fatalf("item %+v history %+v", v.SupervisionItem, v.History)
	}
	if none, err := st.Supervision(ctx, "DC-2026-0099"); err != nil || none != nil {
		t.Fatalf("missing item: %v %v", none, err)
	}

	t.Run("DeadlineIndex", func(t *testing.T) {
		ds, err := st.Deadlines(ctx, xfbot.NewDate(2026, 12, 31), 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(ds) != 2 || ds[0].Subject.ID != string(b) || ds[0].Kind != xfbot.DeadlineRectify || ds[0].Owner != "ou_insp" {
			t.Fatalf("dl %+v", ds)
		}
	})

	t.Run("IndexesFollowTheLifecycle", func(t *testing.T) {
		old := v.SupervisionItem
		up := *old
		up.Status, up.SubmittedOn, up.SubmitDue, up.Evidence = xfbot.SupSubmitted, xfbot.NewDate(2026, 3, 20), old.Due, "已落实"
		up.Inspector = xfbot.Person{OpenID: "ou_other", Name: "钱秀兰"}
		tx := st.NewTx()
		tx.UpdateSupervision(old, &up)
		if _, err := st.Commit(ctx, tx); err != nil {
			t.Fatal(err)
		}
		tx = st.NewTx()
		tx.UpdateSupervision(old, &up) // stale
		if _, err := st.Commit(ctx, tx); xfbot.ErrorCode(err) != xfbot.ECONFLICT {
			t.Fatalf("a stale write: %v", err)
		}
		if mine, _ := st.InspectorSupervision(ctx, "ou_insp"); len(mine) != 1 || mine[0].ID != b {
			t.Fatalf("the old inspector's items %+v", mine)
		}
		if theirs, _ := st.InspectorSupervision(ctx, "ou_other"); len(theirs) != 1 || theirs[0].ID != a {
			t.Fatalf("the new inspector's items %+v", theirs)
		}
		ds, _ := st.Deadlines(ctx, xfbot.NewDate(2026, 12, 31), 0)
		if len(ds) != 1 || ds[0].Subject.ID != string(b) {
			t.Fatalf("a reported item keeps no deadline: %+v", ds)
		}
		closed := up
		closed.Status = xfbot.SupClosed
		up.Version = 2
		tx = st.NewTx()
		tx.UpdateSupervision(&up, &closed)
		if _, err := st.Commit(ctx, tx); err != nil {
			t.Fatal(err)
		}
		if unit, _ := st.OpenSupervision(ctx, "云溪街道"); len(unit) != 0 {
			t.Fatalf("a closed item is listed as open: %+v", unit)
		}
		if all, _ := st.OpenSupervision(ctx, ""); len(all) != 1 || all[0].ID != b {
			t.Fatalf("open %+v", all)
		}
		if recent, _ := st.RecentSupervision(ctx, 10); len(recent) != 2 || recent[0].ID != b {
			t.Fatalf("recent %+v", recent)
		}
	})

	t.Run("LadderAndCounts", func(t *testing.T) {
		tx := st.NewTx()
		tx.TakeSupervisionStep(b, xfbot.StepTaken{Step: xfbot.StepRemind, Episode: xfbot.NewDate(2026, 3, 20), Day: xfbot.NewDate(2026, 3, 23)},
			xfbot.SupervisionEvent{At: time.Date(2026, 3, 23, 9, 0, 0, 0, time.UTC), Action: "催办"})
		it := newItem("区住建局", xfbot.NewDate(2026, 3, 20))
		tx.CountSupervision(xfbot.SupCountOverdue, it, xfbot.NewDate(2026, 3, 23))
		if _, err := st.Commit(ctx, tx); err != nil {
			t.Fatal(err)
		}
		items, err := st.SupervisionItems(ctx, []xfbot.SupervisionID{b, "DC-2026-0077"})
		if err != nil || len(items) != 1 || len(items[0].Steps) != 1 || items[0].Escalation() != xfbot.StepRemind {
			t.Fatalf("items %+v %v", items, err)
		}
		p, err := st.SupervisionStats(ctx, xfbot.MonthPeriod(xfbot.MonthOf(xfbot.NewDate(2026, 3, 1))), xfbot.NewDate(2026, 3, 23))
		if err != nil {
			t.Fatal(err)
		}
		d := p.District
		if d.Opened != 2 || d.Overdue != 1 || d.OpenNow != 1 || d.LateNow != 1 {
			t.Fatalf("district %+v", d)
		}
		if len(p.Units) != 2 || p.Units[0].Unit != "云溪街道" || p.Units[0].Opened != 1 || p.Units[1].LateNow != 1 {
			t.Fatalf("units %+v", p.Units)
		}
		if len(p.Types) != 1 || p.Types[0].Type != xfbot.ProblemMeasure || p.Types[0].Opened != 2 {
			t.Fatalf("types %+v", p.Types)
		}
		week, err := st.SupervisionCounts(ctx, xfbot.WeekPeriod(xfbot.NewDate(2026, 3, 16)))
		if err != nil || week["opened"] != 2 || week["opened|u:区住建局"] != 1 {
			t.Fatalf("week %v %v", week, err)
		}
	})
}
