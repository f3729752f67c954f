package scheduler_test

import (
	"context"
	"testing"

	"github.com/qingchuan/xfbot"
)

// consult schedules a 集中会诊 on day hosted by leader, scheduled by owner.
func (f *fixture) consult(day xfbot.Date) xfbot.ConsultID {
	f.t.Helper()
	c := &xfbot.Consultation{Date: day, Slot: xfbot.SlotAM, Place: "专班会议室", Status: xfbot.ConsultPlanned,
		Host: xfbot.Person{OpenID: leader, Name: "周某"}, ScheduledBy: xfbot.Person{OpenID: owner, Name: "赵建"},
		Units: []string{"区住建局"}, Cases: []xfbot.CaseNo{"XF-2026-0001"}, ScheduledAt: monday}
	tx := f.st.NewTx()
	tx.CreateConsult(c)
	id, err := f.st.Commit(context.Background(), tx)
	if err != nil {
		f.t.Fatal(err)
	}
	return xfbot.ConsultID(id)
}

func (f *fixture) consultEntries() []xfbot.Deadline {
	f.t.Helper()
	ds, err := f.st.Deadlines(context.Background(), xfbot.NewDate(2099, 1, 1), 0)
	if err != nil {
		f.t.Fatal(err)
	}
	var out []xfbot.Deadline
	for _, d := range ds {
		if d.Subject.Kind == xfbot.SubjectConsult {
			out = append(out, d)
		}
	}
	return out
}

func (f *fixture) editConsult(id xfbot.ConsultID, fn func(c *xfbot.Consultation)) {
	f.t.Helper()
	c, err := f.st.Consult(context.Background(), id)
	if err != nil || c == nil {
		f.t.Fatalf("consult %s: %v", id, err)
	}
	up := c.Clone()
	fn(up)
	tx := f.st.NewTx()
	tx.UpdateConsult(c, up)
	if _, err := f.st.Commit(context.Background(), tx); err != nil {
		f.t.Fatal(err)
	}
}

// TestConsultReminders: a consultation on Monday 03-23 reminds its host and
// whoever scheduled it on the eve (Friday 03-20), once; with no conclusion
// by the working day after (Tuesday 03-24) it reminds the scheduler once,
// and then leaves the index.
func TestConsultReminders(t *testing.T) {
	t.Run("EveThenMissingRecord", func(t *testing.T) {
		f := newFixture(t)
		id := f.consult(xfbot.NewDate(2026, 3, 23))
		if out := f.run(atDay("2026-03-19", 10, 10)); len(out) != 0 {
			t.Fatalf("before the eve: %+v", out)
		}
		if out := f.run(atDay("2026-03-20", 22, 0)); len(out) != 0 {
			t.Fatalf("in quiet hours: %+v", out)
		}
		out := f.run(atDay("2026-03-20", 10, 10))
		if len(out) != 2 {
			t.Fatalf("eve: %+v, want the host and the scheduler", out)
		}
		for _, to := range []string{leader, owner} {
			has(t, out[to], string(id)+" 集中会诊 2026-03-23（星期一）上午", "专班会议室", "主持 周某", "区住建局", "[查看会诊]")
		}
		if out := f.run(atDay("2026-03-20", 15, 0)); len(out) != 0 {
			t.Errorf("eve twice: %+v", out)
		}
		if out := f.run(atDay("2026-03-23", 10, 10)); len(out) != 0 {
			t.Errorf("the day itself, already reminded: %+v", out)
		}
		out = f.run(atDay("2026-03-24", 10, 10))
		if len(out) != 1 || out[owner] == "" {
			t.Fatalf("record day: %+v, want the scheduler only", out)
		}
		has(t, out[owner], string(id)+" 集中会诊（2026-03-23（星期一）上午）尚未录入结论", "会诊 结论 "+string(id))
		if out := f.run(atDay("2026-03-25", 10, 10)); len(out) != 0 {
			t.Errorf("record reminder twice: %+v", out)
		}
		if es := f.consultEntries(); len(es) != 0 {
			t.Errorf("entries left in the index: %+v", es)
		}
	})
	t.Run("MovedIsRemindedAgainRecordedIsNot", func(t *testing.T) {
		f := newFixture(t)
		id := f.consult(xfbot.NewDate(2026, 3, 17)) // Tuesday: its eve is today, Monday 03-16
		out := f.run(atDay("2026-03-16", 10, 10))
		has(t, out[leader], "明天 上午")
		f.editConsult(id, func(c *xfbot.Consultation) { c.MovedFrom, c.Date = c.Date, xfbot.NewDate(2026, 3, 19) })
		if out := f.run(atDay("2026-03-17", 10, 10)); len(out) != 0 {
			t.Errorf("before the new eve: %+v", out)
		}
		out = f.run(atDay("2026-03-18", 10, 10))
		if len(out) != 2 {
			t.Fatalf("new eve: %+v", out)
		}
		has(t, out[owner], "明天 上午")
		f.editConsult(id, func(c *xfbot.Consultation) {
			c.Status = xfbot.ConsultHeld
			c.Conclusions = []xfbot.ConsultConclusion{{Case: "XF-2026-0001", Text: "先行评估"}}
		})
		if out := f.run(atDay("2026-03-20", 10, 10)); len(out) != 0 {
			t.Errorf("recorded, reminded anyway: %+v", out)
		}
		if es := f.consultEntries(); len(es) != 0 {
			t.Errorf("entries left in the index: %+v", es)
		}
	})
	t.Run("CancelledLeavesTheIndexSilently", func(t *testing.T) {
		f := newFixture(t)
		id := f.consult(xfbot.NewDate(2026, 3, 18))
		f.editConsult(id, func(c *xfbot.Consultation) { c.Status = xfbot.ConsultCancelled })
		if out := f.run(atDay("2026-03-17", 10, 10)); len(out) != 0 {
			t.Errorf("cancelled, reminded: %+v", out)
		}
		if es := f.consultEntries(); len(es) != 0 {
			t.Errorf("entries of a cancelled consultation: %+v", es)
		}
	})
}
