package scheduler_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/internal/testredis"
	"github.com/qingchuan/xfbot/scheduler"
	"github.com/qingchuan/xfbot/store"
)

const (
	leader2   = "ou_leader2"
	quarterly = "ou_quarterly"
	cfgLeader = "ou_cfg_leader" // in XFBOT_LEADERS, no member record
	staff     = "ou_staff"
)

type rfixture struct {
	t   *testing.T
	st  *store.Store
	job *scheduler.Reception
	cal *xfbot.Calendar
}

func newReceptionFixture(t *testing.T) *rfixture {
	t.Helper()
	rdb, prefix := testredis.New(t)
	cal, err := xfbot.NewCalendar(xfbot.DefaultHolidayTables()...)
	if err != nil {
		t.Fatal(err)
	}
	f := &rfixture{t: t, st: store.New(rdb, prefix), cal: cal}
	f.job = &scheduler.Reception{Store: f.st, Calendar: cal, Leaders: []string{cfgLeader}, Admins: []string{lead}, NagDay: 25, Location: cst}
	tx := f.st.NewTx()
	tx.PutMember(xfbot.Member{OpenID: leader, Name: "周某", Role: xfbot.RoleLeader})
	tx.PutMember(xfbot.Member{OpenID: leader2, Name: "吴某", Role: xfbot.RoleLeader})
	tx.PutMember(xfbot.Member{OpenID: quarterly, Name: "郑某", Role: xfbot.RoleLeader, ReceptionEvery: 3})
	tx.PutMember(xfbot.Member{OpenID: staff, Name: "赵建", Role: xfbot.RoleMember})
	if _, err := f.st.Commit(context.Background(), tx); err != nil {
		t.Fatal(err)
	}
	if err := f.st.EnsureOutboxGroup(context.Background()); err != nil {
		t.Fatal(err)
	}
	return f
}

func atDay(day string, hour, minute int) time.Time {
	d, err := xfbot.ParseDate(day)
	if err != nil {
		panic(err)
	}
	return time.Date(d.Year, d.Month, d.Day, hour, minute, 0, 0, cst)
}

// reception schedules one for who on day; returns its id.
func (f *rfixture) reception(who, day string, status xfbot.ReceptionStatus, appts ...xfbot.CaseNo) xfbot.ReceptionID {
	f.t.Helper()
	d, _ := xfbot.ParseDate(day)
	r := &xfbot.Reception{Leader: xfbot.Person{OpenID: who}, Date: d, Slot: xfbot.SlotAM, Place: "区群众来访接待中心", Mode: xfbot.ModeFixed,
		Status: status, ScheduledBy: xfbot.Person{OpenID: staff, Name: "赵建"}, Appointments: appts}
	if status == xfbot.ReceptionHeld {
		r.Record = &xfbot.ReceptionRecord{Batches: 1, Persons: 2}
	}
	tx := f.st.NewTx()
	tx.CreateReception(r)
	id, err := f.st.Commit(context.Background(), tx)
	if err != nil {
		f.t.Fatal(err)
	}
	return xfbot.ReceptionID(id)
}

func (f *rfixture) run(now time.Time) []store.OutboundMessage {
	f.t.Helper()
	if err := f.job.Run(context.Background(), now); err != nil {
		f.t.Fatalf("Run(%s): %v", now, err)
	}
	return f.drainAll()
}

func (f *rfixture) drainAll() []store.OutboundMessage {
	f.t.Helper()
	es, err := f.st.ReadOutbox(context.Background(), "t", 1000, 0)
	if err != nil {
		f.t.Fatal(err)
	}
	var out []store.OutboundMessage
	for _, e := range es {
		out = append(out, e.Msg)
		_ = f.st.AckOutbox(context.Background(), e.StreamID)
	}
	return out
}

// to returns the texts sent to one person, only those containing want if given.
func to(ms []store.OutboundMessage, openID string, want ...string) []string {
	var out []string
	for _, m := range ms {
		if m.ReceiveID == openID && (len(want) == 0 || strings.Contains(m.Text, want[0])) {
			out = append(out, m.Text)
		}
	}
	return out
}

func TestReceptionBriefings(t *testing.T) {
	f := newReceptionFixture(t)
	f.job.NagDay = 28 // no nag in this test
	c := &xfbot.Case{Title: "回迁房延期交付", Status: xfbot.StatusHandling, Petitioner: xfbot.Petitioner{Name: "张建国", Phone: "19900001234"},
		Tags: []xfbot.Tag{xfbot.TagRepeat}, AcceptedOn: xfbot.NewDate(2026, 1, 5), Due: xfbot.NewDate(2026, 3, 30), CreatedAt: atDay("2026-01-05", 9, 0)}
	tx := f.st.NewTx()
	tx.CreateCase(c, 2026)
	tx.AddProgress(store.NoPlaceholder, xfbot.Progress{At: atDay("2026-02-10", 9, 0), Kind: xfbot.KindVisit, Text: "上门走访，信访人要求提前交房"})
	no, err := f.st.Commit(context.Background(), tx)
	if err != nil {
		t.Fatal(err)
	}
	id := f.reception(leader, "2026-03-25", xfbot.ReceptionPlanned, no) // a Wednesday

	if out := f.run(atDay("2026-03-19", 10, 10)); len(out) != 0 {
		t.Fatalf("six days before: %d messages", len(out))
	}
	out := f.run(atDay("2026-03-20", 10, 10))
	if len(out) != 1 || out[0].ReceiveID != leader {
		t.Fatalf("five days before: %+v", out)
	}
	has(t, out[0].Text, "接访提醒：5 天后", string(id), "2026-03-25（星期三）上午", string(no), "张建国", "重复信访", "上门走访，信访人要求提前交房")
	if out := f.run(atDay("2026-03-20", 15, 0)); len(out) != 0 {
		t.Errorf("the same day again: %d messages", len(out))
	}
	if out := f.run(atDay("2026-03-21", 10, 10)); len(out) != 0 {
		t.Errorf("four days before: %d messages", len(out))
	}
	out = f.run(atDay("2026-03-24", 10, 10))
	if len(out) != 1 {
		t.Fatalf("the day before: %d messages", len(out))
	}
	has(t, out[0].Text, "接访提醒：明天")
	if out := f.run(atDay("2026-03-25", 7, 30)); len(out) != 0 {
		t.Errorf("quiet hours: %d messages", len(out))
	}
	out = f.run(atDay("2026-03-25", 8, 30))
	if len(out) != 1 {
		t.Fatalf("the morning of: %d messages", len(out))
	}
	has(t, out[0].Text, "接访提醒：今天")
	// Thursday: the working day after, no record: the staff member who scheduled it.
	out = f.run(atDay("2026-03-26", 10, 10))
	if len(out) != 1 || out[0].ReceiveID != staff {
		t.Fatalf("missing record: %+v", out)
	}
	has(t, out[0].Text, "接访记录未登记", string(id), "接访 记录 "+string(id))
	if out := f.run(atDay("2026-03-27", 10, 10)); len(out) != 0 {
		t.Errorf("the missing-record reminder again: %d messages", len(out))
	}
}

func TestReceptionLateSchedulingAndRecord(t *testing.T) {
	f := newReceptionFixture(t)
	f.job.NagDay = 28
	// Scheduled on Monday for Wednesday: the briefing due is sent, once, and then the day before.
	id := f.reception(leader, "2026-03-18", xfbot.ReceptionPlanned)
	out := f.run(atDay("2026-03-16", 10, 10))
	if len(out) != 1 {
		t.Fatalf("%d messages", len(out))
	}
	has(t, out[0].Text, "接访提醒：2 天后", "本次暂无约访案件")
	has(t, f.run(atDay("2026-03-17", 10, 10))[0].Text, "接访提醒：明天")
	// Recorded on the day: no missing-record reminder afterwards.
	v, _ := f.st.Reception(context.Background(), id)
	up := *v.Reception
	up.Status, up.Record = xfbot.ReceptionHeld, &xfbot.ReceptionRecord{Batches: 2, Persons: 3}
	tx := f.st.NewTx()
	tx.UpdateReception(v.Reception, &up)
	if _, err := f.st.Commit(context.Background(), tx); err != nil {
		t.Fatal(err)
	}
	if out := f.run(atDay("2026-03-19", 10, 10)); len(out) != 0 {
		t.Errorf("a recorded reception reminded: %+v", out)
	}
	// A reception on Friday unrecorded: reminded on Monday, the next working day, not on the weekend.
	f.reception(leader, "2026-03-20", xfbot.ReceptionPlanned)
	f.drainAll()
	f.run(atDay("2026-03-20", 10, 10))
	if out := f.run(atDay("2026-03-21", 10, 10)); len(to(out, staff)) != 0 {
		t.Errorf("reminded on Saturday: %+v", out)
	}
	if out := f.run(atDay("2026-03-23", 10, 10)); len(to(out, staff)) != 1 {
		t.Errorf("not reminded on Monday: %+v", out)
	}
}

func TestReceptionNag(t *testing.T) {
	f := newReceptionFixture(t)
	f.reception(leader, "2026-03-27", xfbot.ReceptionPlanned)  // planned, not held yet
	f.reception(leader2, "2026-03-11", xfbot.ReceptionHeld)    // held: fine
	f.reception(quarterly, "2026-02-05", xfbot.ReceptionHeld)  // held this quarter: fine
	f.reception(leader2, "2026-03-12", xfbot.ReceptionPlanned) // past and planned: not a reception held
	f.drainAll()

	if out := f.run(atDay("2026-03-24", 10, 10)); len(to(out, leader, "尚未接访"))+len(to(out, lead, "尚未接访")) != 0 {
		t.Fatalf("nagged before the 25th: %+v", out)
	}
	out := f.run(atDay("2026-03-25", 10, 10))
	if got := to(out, leader, "尚未接访"); len(got) != 1 {
		t.Fatalf("leader: %v", got)
	} else {
		has(t, got[0], "本月尚未接访", "已为您安排 2026-03-27（星期五）上午")
	}
	if got := to(out, cfgLeader, "尚未接访"); len(got) != 1 {
		t.Fatalf("configured leader: %v", got)
	} else {
		has(t, got[0], "目前还没有为您安排接访日")
	}
	if len(to(out, leader2, "尚未接访")) != 0 || len(to(out, quarterly, "尚未接访")) != 0 {
		t.Errorf("leaders who held a reception were nagged: %+v", out)
	}
	lst := to(out, lead, "尚未接访")
	if len(lst) != 1 {
		t.Fatalf("lead: %v", lst)
	}
	has(t, lst[0], "2026年3月 尚未接访的区领导（2 位）", "周某：已安排 2026-03-27", cfgLeader+"：尚未安排")
	hasNot(t, lst[0], "吴某", "郑某")
	for _, day := range []string{"2026-03-25", "2026-03-26", "2026-03-30"} {
		if out := f.run(atDay(day, 10, 10)); len(to(out, leader, "尚未接访"))+len(to(out, lead, "尚未接访"))+len(to(out, cfgLeader, "尚未接访")) != 0 {
			t.Errorf("nagged again on %s: %+v", day, out)
		}
	}
	t.Run("QuarterlyLeaderOnlyInTheQuartersLastMonth", func(t *testing.T) {
		f := newReceptionFixture(t)
		f.reception(leader, "2026-04-08", xfbot.ReceptionHeld)
		f.reception(leader2, "2026-04-08", xfbot.ReceptionHeld)
		f.job.Leaders = nil
		f.drainAll()
		if out := f.run(atDay("2026-04-27", 10, 10)); len(out) != 0 {
			t.Errorf("a quarterly leader nagged in the quarter's first month: %+v", out)
		}
	})
	t.Run("QuarterlyLeaderInTheQuartersLastMonth", func(t *testing.T) {
		f := newReceptionFixture(t)
		f.reception(quarterly, "2026-03-30", xfbot.ReceptionHeld) // the first quarter: does not count for the second
		f.drainAll()
		out := f.run(atDay("2026-06-25", 10, 10)) // a Thursday
		got := to(out, quarterly, "尚未接访")
		if len(got) != 1 {
			t.Fatalf("quarterly leader: %+v", out)
		}
		has(t, got[0], "本季度尚未接访", "每季度至少接访一次")
	})
	t.Run("WaitsForAWorkingDay", func(t *testing.T) {
		f := newReceptionFixture(t)
		f.job.NagDay = 24 // 2026-10-24 is a Saturday; the 25th a Sunday
		if out := f.run(atDay("2026-10-24", 10, 10)); len(out) != 0 {
			t.Errorf("nagged on a Saturday: %d", len(out))
		}
		if out := f.run(atDay("2026-10-26", 10, 10)); len(to(out, lead, "尚未接访")) != 1 {
			t.Errorf("not nagged on Monday: %+v", out)
		}
	})
}

// TestReceptionExactlyOnce runs three schedulers on one Redis at once,
// every day of a month: each reminder goes out once.
func TestReceptionExactlyOnce(t *testing.T) {
	f := newReceptionFixture(t)
	for i, day := range []string{"2026-03-04", "2026-03-11", "2026-03-18", "2026-03-25", "2026-03-27", "2026-04-01"} {
		who := []string{leader, leader2, quarterly}[i%3]
		f.reception(who, day, xfbot.ReceptionPlanned)
	}
	jobs := []*scheduler.Reception{f.job}
	for i := 0; i < 2; i++ {
		j := *f.job
		jobs = append(jobs, &j)
	}
	sent := map[string]int{}
	for day := xfbot.NewDate(2026, 3, 1); !day.After(xfbot.NewDate(2026, 4, 3)); day = day.AddDays(1) {
		now := day.Time(cst).Add(10*time.Hour + 10*time.Minute)
		var wg sync.WaitGroup
		errs := make([]error, len(jobs))
		for i, j := range jobs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = j.Run(context.Background(), now)
			}()
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatalf("%s: %v", day, err)
			}
		}
		for _, m := range f.drainAll() {
			sent[m.ReceiveID+" "+m.ID]++
		}
	}
	total := 0
	for k, n := range sent {
		total += n
		if n != 1 {
			t.Errorf("%s sent %d times", k, n)
		}
	}
	// The same month on one scheduler, from scratch, sends as many.
	g := newReceptionFixture(t)
	for i, day := range []string{"2026-03-04", "2026-03-11", "2026-03-18", "2026-03-25", "2026-03-27", "2026-04-01"} {
		g.reception([]string{leader, leader2, quarterly}[i%3], day, xfbot.ReceptionPlanned)
	}
	single := 0
	for day := xfbot.NewDate(2026, 3, 1); !day.After(xfbot.NewDate(2026, 4, 3)); day = day.AddDays(1) {
		single += len(g.run(day.Time(cst).Add(10*time.Hour + 10*time.Minute)))
	}
	if total != single || total < 20 {
		t.Errorf("three schedulers sent %d messages, one sent %d", total, single)
	}
	t.Logf("%d reminders in the month, each once", total)
}
