package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/store"
)

func consultOn(d xfbot.Date) *xfbot.Consultation {
	return &xfbot.Consultation{Date: d, Slot: xfbot.SlotAM, Place: "专班会议室", Topic: "回迁安置", Status: xfbot.ConsultPlanned,
		Host: xfbot.Person{OpenID: "ou_lead", Name: "周某"}, ScheduledBy: xfbot.Person{OpenID: "ou_m1", Name: "赵建"},
		Units: []string{"区住建局", "云溪街道"}, Cases: []xfbot.CaseNo{"XF-2026-0001", "XF-2026-0002"}, ScheduledAt: time.Unix(1773600000, 0)}
}

func consultDeadlines(t *testing.T, st *store.Store, to xfbot.Date) []xfbot.Deadline {
	t.Helper()
	ds, err := st.Deadlines(context.Background(), to, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []xfbot.Deadline
	for _, d := range ds {
		if d.Subject.Kind == xfbot.SubjectConsult {
			out = append(out, d)
		}
	}
	return out
}

func TestConsults(t *testing.T) {
	ctx := context.Background()
	t.Run("NumbersPerYearAndRoundTrips", func(t *testing.T) {
		st := newTestStore(t)
		for _, d := range []xfbot.Date{xfbot.NewDate(2026, 3, 20), xfbot.NewDate(2026, 3, 24), xfbot.NewDate(2027, 1, 6)} {
			tx := st.NewTx()
			tx.CreateConsult(consultOn(d))
			if _, err := st.Commit(ctx, tx); err != nil {
				t.Fatal(err)
			}
		}
		cs, err := st.ConsultsBetween(ctx, xfbot.NewDate(2026, 1, 1), xfbot.Date{})
		if err != nil {
			t.Fatal(err)
		}
		if len(cs) != 3 || cs[0].ID != "HZ-2026-0001" || cs[1].ID != "HZ-2026-0002" || cs[2].ID != "HZ-2027-0001" {
			t.Fatalf("consults = %+v", cs)
		}
		got := cs[0]
		want := consultOn(xfbot.NewDate(2026, 3, 20))
		if got.Host != want.Host || got.ScheduledBy != want.ScheduledBy || got.Place != want.Place || got.Topic != want.Topic ||
			len(got.Units) != 2 || len(got.Cases) != 2 || got.Cases[1] != "XF-2026-0002" || !got.ScheduledAt.Equal(want.ScheduledAt) || got.Version != 1 {
			t.Errorf("round trip = %+v", got)
		}
		if few, _ := st.ConsultsBetween(ctx, xfbot.NewDate(2026, 3, 21), xfbot.NewDate(2026, 12, 31)); len(few) != 1 || few[0].ID != "HZ-2026-0002" {
			t.Errorf("range = %+v", few)
		}
		if none, err := st.Consult(ctx, "HZ-2026-0099"); none != nil || err != nil {
			t.Errorf("missing consult = %+v, %v", none, err)
		}
	})
	t.Run("DeadlinesMoveWithTheRecord", func(t *testing.T) {
		st := newTestStore(t)
		tx := st.NewTx()
		tx.CreateConsult(consultOn(xfbot.NewDate(2026, 3, 23))) // a Monday: its eve is Friday 3-20
		if _, err := st.Commit(ctx, tx); err != nil {
			t.Fatal(err)
		}
		ds := consultDeadlines(t, st, xfbot.NewDate(2026, 12, 31))
		if len(ds) != 2 || ds[0].Due != xfbot.NewDate(2026, 3, 20) || ds[0].Subject.ID != "HZ-2026-0001" || ds[0].Kind != xfbot.DeadlineConsult {
			t.Fatalf("deadlines after create = %+v", ds)
		}
		c, _ := st.Consult(ctx, "HZ-2026-0001")
		moved := c.Clone()
		moved.Date, moved.MovedFrom = xfbot.NewDate(2026, 3, 26), c.Date
		tx = st.NewTx()
		tx.UpdateConsult(c, moved)
		if _, err := st.Commit(ctx, tx); err != nil {
			t.Fatal(err)
		}
		ds = consultDeadlines(t, st, xfbot.NewDate(2026, 12, 31))
		if len(ds) != 2 || ds[0].Due != xfbot.NewDate(2026, 3, 25) || ds[1].Due != xfbot.NewDate(2026, 3, 25) {
			t.Fatalf("deadlines after 改期 = %+v", ds)
		}
		c, _ = st.Consult(ctx, "HZ-2026-0001")
		held := c.Clone()
		held.Status = xfbot.ConsultHeld
		held.Conclusions = []xfbot.ConsultConclusion{{Case: "XF-2026-0001", Text: "先行评估", By: xfbot.Person{OpenID: "ou_m1"}, At: time.Unix(1774000000, 0)}}
		held.Decisions = []xfbot.ConsultDecision{{N: 1, Case: "XF-2026-0001", Means: xfbot.Means{Hard: true, Type: "政策"}, Content: "核定面积",
			Unit: "区住建局", Owner: xfbot.Person{OpenID: "ou_m2", Name: "钱秀兰"}, Due: xfbot.NewDate(2026, 4, 30), At: time.Unix(1774000000, 0)}}
		tx = st.NewTx()
		tx.UpdateConsult(c, held)
		if _, err := st.Commit(ctx, tx); err != nil {
			t.Fatal(err)
		}
		if ds := consultDeadlines(t, st, xfbot.NewDate(2026, 12, 31)); len(ds) != 0 {
			t.Errorf("a held consultation keeps deadlines %+v", ds)
		}
		got, _ := st.Consult(ctx, "HZ-2026-0001")
		d := got.Decision(1)
		if got.Status != xfbot.ConsultHeld || got.MovedFrom != xfbot.NewDate(2026, 3, 23) || got.Conclusion("XF-2026-0001").Text != "先行评估" ||
			d == nil || d.Means != (xfbot.Means{Hard: true, Type: "政策"}) || d.Owner.Name != "钱秀兰" || d.Due != xfbot.NewDate(2026, 4, 30) || d.Converted() {
			t.Errorf("held = %+v", got)
		}
	})
	t.Run("StaleUpdateConflicts", func(t *testing.T) {
		st := newTestStore(t)
		tx := st.NewTx()
		tx.CreateConsult(consultOn(xfbot.NewDate(2026, 3, 23)))
		if _, err := st.Commit(ctx, tx); err != nil {
			t.Fatal(err)
		}
		c, _ := st.Consult(ctx, "HZ-2026-0001")
		for i, want := range []string{"", xfbot.ECONFLICT} {
			cp := c.Clone()
			cp.Note = "第" + string(rune('1'+i)) + "次"
			tx := st.NewTx()
			tx.UpdateConsult(c, cp) // both from the same read
			_, err := st.Commit(ctx, tx)
			if got := xfbot.ErrorCode(err); (want == "" && err != nil) || (want != "" && got != want) {
				t.Errorf("write %d: %v, want %q", i+1, err, want)
			}
		}
	})
}
