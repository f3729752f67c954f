package scheduler_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/internal/testredis"
	"github.com/qingchuan/xfbot/scheduler"
	"github.com/qingchuan/xfbot/store"
)

var (
	cst    = time.FixedZone("CST", 8*3600)
	monday = time.Date(2026, 3, 16, 9, 5, 0, 0, cst) // a working Monday
	today  = xfbot.DateOf(monday, cst)
)

const (
	owner   = "ou_owner"
	leader  = "ou_leader"
	liaison = "ou_liaison"
	lead    = "ou_lead"
)

type fixture struct {
	t   *testing.T
	st  *store.Store
	rem *scheduler.Reminders
	nos map[string]xfbot.CaseNo
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	rdb, prefix := testredis.New(t)
	f := &fixture{t: t, st: store.New(rdb, prefix), nos: map[string]xfbot.CaseNo{}}
	cal, err := xfbot.NewCalendar(xfbot.DefaultHolidayTables()...)
	if err != nil {
		t.Fatal(err)
	}
	f.rem = &scheduler.Reminders{Store: f.st, Calendar: cal, Thresholds: xfbot.DefaultThresholds, Gaps: xfbot.DefaultGaps,
		Ladder: xfbot.DefaultLadder, Admins: []string{lead}, Location: cst}
	tx := f.st.NewTx()
	tx.PutMember(xfbot.Member{OpenID: owner, Name: "赵建", Role: xfbot.RoleMember})
	tx.PutMember(xfbot.Member{OpenID: leader, Name: "周某", Role: xfbot.RoleLeader})
	tx.PutMember(xfbot.Member{OpenID: liaison, Name: "王联络", Role: xfbot.RoleLiaison, Unit: "区住建局"})
	if _, err := f.st.Commit(context.Background(), tx); err != nil {
		t.Fatal(err)
	}
	if err := f.st.EnsureOutboxGroup(context.Background()); err != nil {
		t.Fatal(err)
	}
	return f
}

// add registers a case due in days (relative to today), owned by owner unless
// unowned, last active activeDaysAgo.
func (f *fixture) add(name string, days int, mod func(c *xfbot.Case)) {
	f.t.Helper()
	c := &xfbot.Case{Title: name, Unit: "区住建局", Area: "云溪街道", Status: xfbot.StatusHandling,
		Petitioner: xfbot.Petitioner{Name: "张建国", Phone: "19900001234"},
		Owner:      xfbot.Person{OpenID: owner, Name: "赵建"}, Leader: xfbot.Person{OpenID: leader, Name: "周某"},
		AcceptedOn: today.AddDays(days - 60), Due: today.AddDays(days), CreatedAt: monday.Add(-24 * time.Hour), LastProgressAt: monday.Add(-24 * time.Hour)}
	if mod != nil {
		mod(c)
	}
	tx := f.st.NewTx()
	tx.CreateCase(c, 2026)
	no, err := f.st.Commit(context.Background(), tx)
	if err != nil {
		f.t.Fatal(err)
	}
	f.nos[name] = no
}

func (f *fixture) run(at time.Time) map[string]string {
	f.t.Helper()
	if err := f.rem.Run(context.Background(), at); err != nil {
		f.t.Fatalf("Run(%s): %v", at, err)
	}
	return f.drain()
}

// drain returns the queued messages by recipient (text rendering).
func (f *fixture) drain() map[string]string {
	f.t.Helper()
	es, err := f.st.ReadOutbox(context.Background(), "t", 1000, 0)
	if err != nil {
		f.t.Fatal(err)
	}
	out := map[string]string{}
	for _, e := range es {
		if _, dup := out[e.Msg.ReceiveID]; dup {
			f.t.Errorf("two messages to %s in one run", e.Msg.ReceiveID)
		}
		out[e.Msg.ReceiveID] = e.Msg.Text
		_ = f.st.AckOutbox(context.Background(), e.StreamID)
	}
	return out
}

func has(t *testing.T, text string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("missing %q in:\n%s", w, text)
		}
	}
}

func hasNot(t *testing.T, text string, bad ...string) {
	t.Helper()
	for _, b := range bad {
		if strings.Contains(text, b) {
			t.Errorf("unexpected %q in:\n%s", b, text)
		}
	}
}

func TestReminders(t *testing.T) {
	f := newFixture(t)
	f.add("临期", 7, nil)
	f.add("紧急", 2, nil)
	f.add("超期", -1, nil)
	f.add("严重超期", -40, func(c *xfbot.Case) { c.Unit = "区教育局"; c.Area = "石桥镇" })
	f.add("正常", 30, nil)
	f.add("无人包案", -2, func(c *xfbot.Case) { c.Owner = xfbot.Person{} })
	f.add("久未更新", 30, func(c *xfbot.Case) { c.LastProgressAt = monday.AddDate(0, 0, -10) })
	f.add("积案久未接触", 40, func(c *xfbot.Case) {
		c.Tags = []xfbot.Tag{xfbot.TagBacklog}
		c.LastContactAt = monday.AddDate(0, 0, -31)
	})
	f.add("已暂停", -3, func(c *xfbot.Case) { c.Pauses = []xfbot.Pause{{From: today.AddDays(-10), Reason: "听证"}} })
	no := func(name string) string { return string(f.nos[name]) }

	out := f.run(monday)
	t.Run("OneMessagePerRecipient", func(t *testing.T) {
		if len(out) != 2 {
			t.Fatalf("messages to %v, want the owner and the lead", keys(out))
		}
		has(t, out[owner], no("临期"), no("紧急"), no("超期"), no("严重超期"), no("久未更新"), no("积案久未接触"),
			"🟡", "🟠", "🔴", "⚫", "已阅", "添加进展", "明天再提醒", "申请延期")
		hasNot(t, out[owner], no("正常"), no("无人包案"), no("已暂停"), "张建国", "19900001234")
		has(t, out[lead], no("无人包案"))
	})
	t.Run("NothingTwice", func(t *testing.T) {
		if again := f.run(monday.Add(time.Hour)); len(again) != 0 {
			t.Fatalf("second run sent %v", again)
		}
	})
	t.Run("NewLevelIsNewReminder", func(t *testing.T) {
		// Thursday: 临期 (due +7 on Monday) has 4 days left: still yellow;
		// 紧急 is overdue now. Escalations of Monday's red cases are due too.
		thu := monday.AddDate(0, 0, 3)
		got := f.run(thu)
		has(t, got[owner], no("紧急"), "🔴")
		hasNot(t, got[owner], no("临期"), no("超期")+" ")
	})
}

func TestEscalationLadder(t *testing.T) {
	f := newFixture(t)
	f.add("超期", -1, nil)
	f.add("已确认", -1, nil)
	no := func(name string) string { return string(f.nos[name]) }
	f.run(monday) // the owner is told; both cases go on the ladder

	tue := f.run(monday.AddDate(0, 0, 1))
	has(t, tue[liaison], no("超期"), no("已确认"), "第 1 级提醒：单位联络员")
	if _, ok := tue[leader]; ok {
		t.Fatal("the leader was told on the first step")
	}

	// The owner acknowledges one case; its ladder stops.
	c, _ := f.st.Load(context.Background(), "", f.nos["已确认"])
	tx := f.st.NewTx()
	tx.Note(c.Case.No, "ack:"+c.Case.Due.String(), "x")
	tx.EndEscalation(c.Case.No)
	if _, err := f.st.Commit(context.Background(), tx); err != nil {
		t.Fatal(err)
	}

	// The leader step is 3 working days after Monday: Thursday.
	if wed := f.run(monday.AddDate(0, 0, 2)); len(wed) != 0 {
		t.Fatalf("Wednesday sent %v", keys(wed))
	}
	thu := f.run(monday.AddDate(0, 0, 3))
	has(t, thu[leader], no("超期"), "第 2 级提醒：包案领导")
	hasNot(t, thu[leader], no("已确认"))
	// 5 working days after Monday: the next Monday; the weekend pushes nothing.
	if sat := f.run(monday.AddDate(0, 0, 5)); len(sat) != 0 {
		t.Fatalf("Saturday sent %v", keys(sat))
	}
	next := f.run(monday.AddDate(0, 0, 7))
	has(t, next[lead], no("超期"), "第 3 级提醒：专班负责人")
	if again := f.run(monday.AddDate(0, 0, 8)); len(again) != 0 {
		t.Fatalf("the ladder went on after its last step: %v", keys(again))
	}
	t.Run("LadderChangeDoesNotRewrite", func(t *testing.T) {
		f := newFixture(t)
		f.add("超期", -1, nil)
		f.run(monday)
		f.rem.Ladder = []xfbot.Escalation{{To: xfbot.EscalateLead, After: 1}} // changed in config
		tue := f.run(monday.AddDate(0, 0, 1))
		has(t, tue[liaison], "单位联络员")
		if _, ok := tue[lead]; ok {
			t.Fatal("a changed ladder rewrote an escalation under way")
		}
	})
}

func TestQuietHours(t *testing.T) {
	f := newFixture(t)
	f.add("临期", 6, nil)
	f.add("严重超期", -35, nil)
	night := monday.Add(13 * time.Hour) // 22:05
	got := f.run(night)
	has(t, got[owner], string(f.nos["严重超期"]))
	hasNot(t, got[owner], string(f.nos["临期"]))
	morning := f.run(monday.AddDate(0, 0, 1))
	has(t, morning[owner], string(f.nos["临期"]))
	hasNot(t, morning[owner], string(f.nos["严重超期"]))
	// 2026-10-01 is a holiday: only ⚫.
	if !f.rem.Quiet(time.Date(2026, 10, 1, 9, 5, 0, 0, cst)) {
		t.Fatal("National Day is not quiet")
	}
	if f.rem.Quiet(time.Date(2026, 10, 10, 9, 5, 0, 0, cst)) {
		t.Fatal("the 调休 Saturday 2026-10-10 is a working day")
	}
}

func TestRemindersConcurrentReplicas(t *testing.T) {
	f := newFixture(t)
	for i := 0; i < 30; i++ {
		f.add(fmt.Sprintf("案件%d", i), -1-i%5, func(c *xfbot.Case) {
			c.Owner = xfbot.Person{OpenID: fmt.Sprintf("ou_o%d", i%7)}
		})
	}
	var wg sync.WaitGroup
	for r := 0; r < 3; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := f.rem.Run(context.Background(), monday); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	es, err := f.st.ReadOutbox(context.Background(), "t", 1000, 0)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, e := range es {
		for i := 0; i < 30; i++ {
			if no := string(f.nos[fmt.Sprintf("案件%d", i)]); strings.Contains(e.Msg.Text, no+" ") {
				seen[no]++
			}
		}
	}
	if len(seen) != 30 {
		t.Fatalf("%d of 30 cases reminded", len(seen))
	}
	for no, n := range seen {
		if n != 1 {
			t.Errorf("%s reminded %d times", no, n)
		}
	}
}

func TestGroupDaily(t *testing.T) {
	f := newFixture(t)
	f.add("超期一", -1, nil)
	f.add("严重超期", -40, func(c *xfbot.Case) { c.Unit = "区教育局" })
	f.add("临期", 3, nil)
	g := &scheduler.GroupDaily{Store: f.st, Calendar: nil, Thresholds: xfbot.DefaultThresholds, GroupChatID: "oc_group", Location: cst}
	if err := g.Run(context.Background(), monday); err != nil {
		t.Fatal(err)
	}
	out := f.drain()
	text := out["oc_group"]
	has(t, text, string(f.nos["超期一"]), string(f.nos["严重超期"]), "区住建局 🔴1", "区教育局 🔴0 ⚫1", "新增超期 2 件")
	hasNot(t, text, string(f.nos["临期"]), "张建国", "19900001234", "张某")
	if err := g.Run(context.Background(), monday.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if again := f.drain(); len(again) != 0 {
		t.Fatalf("announced twice: %v", again)
	}
	f.add("超期二", -1, nil)
	if err := g.Run(context.Background(), monday.AddDate(0, 0, 1)); err != nil {
		t.Fatal(err)
	}
	has(t, f.drain()["oc_group"], string(f.nos["超期二"]), "新增超期 1 件", "在办超期共 3 件")
}

func keys(m map[string]string) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	return ks
}

func TestReopenRestartsLadder(t *testing.T) {
	f := newFixture(t)
	f.add("重开", -1, nil)
	no := f.nos["重开"]
	f.run(monday)
	has(t, f.run(monday.AddDate(0, 0, 1))[liaison], string(no))
	// Resolved, then reopened (as the handlers do): the ladder starts over.
	l, _ := f.st.Load(context.Background(), "", no)
	c := *l.Case
	c.Status = xfbot.StatusResolved
	tx := f.st.NewTx()
	tx.UpdateCase(l.Case, &c)
	tx.EndEscalation(no)
	if _, err := f.st.Commit(context.Background(), tx); err != nil {
		t.Fatal(err)
	}
	l, _ = f.st.Load(context.Background(), "", no)
	c = *l.Case
	c.Status = xfbot.StatusHandling
	tx = f.st.NewTx()
	tx.UpdateCase(l.Case, &c)
	tx.RestartReminders(no, c.Due)
	if _, err := f.st.Commit(context.Background(), tx); err != nil {
		t.Fatal(err)
	}
	wed := monday.AddDate(0, 0, 2)
	has(t, f.run(wed)[owner], string(no), "🔴")
	has(t, f.run(wed.AddDate(0, 0, 1))[liaison], string(no), "第 1 级")
}
