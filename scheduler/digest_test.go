package scheduler_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/report"
	"github.com/qingchuan/xfbot/scheduler"
)

const taskforce = "oc_taskforce"

func (f *fixture) reports() *report.Reports {
	cal, _ := xfbot.NewCalendar(xfbot.DefaultHolidayTables()...)
	return &report.Reports{Store: f.st, Calendar: cal, Thresholds: xfbot.DefaultThresholds, Location: cst,
		Leaders: []string{"ou_config_leader"}}
}

// update changes the named case as a command would, at when.
func (f *fixture) update(name string, when time.Time, mod func(c *xfbot.Case), changes ...xfbot.Change) {
	f.t.Helper()
	l, err := f.st.Load(context.Background(), "", f.nos[name])
	if err != nil {
		f.t.Fatal(err)
	}
	cp := *l.Case
	cp.UpdatedAt = when
	mod(&cp)
	tx := f.st.NewTx()
	tx.UpdateCase(l.Case, &cp)
	tx.AddChanges(cp.No, changes...)
	if _, err := f.st.Commit(context.Background(), tx); err != nil {
		f.t.Fatal(err)
	}
}

// TestLeaderDigest: one card per leader with something to report, naming
// each case; nothing for leaders without; nothing on a holiday; exactly
// once a day; the next day's card reports only what changed since.
func TestLeaderDigest(t *testing.T) {
	f := newFixture(t)
	cal, _ := xfbot.NewCalendar(xfbot.DefaultHolidayTables()...)
	job := &scheduler.LeaderDigest{Reports: f.reports(), Calendar: cal}
	run := func(at time.Time) map[string]string {
		t.Helper()
		if err := job.Run(context.Background(), at); err != nil {
			t.Fatal(err)
		}
		return f.drain()
	}
	f.add("超期的", -3, nil)
	f.add("紧急的", 1, nil)
	f.add("本周到期的", 5, nil)
	f.add("远的", 40, nil)
	f.add("没有领导的", -5, func(c *xfbot.Case) { c.Leader = xfbot.Person{} })
	morning := monday.Add(-20 * time.Minute) // 08:45

	got := run(morning)
	if len(got) != 1 {
		t.Fatalf("digests to %d people, want 1 (the leader with cases): %v", len(got), got)
	}
	d := got[leader]
	has(t, d, "包保案件摘要 · 2026-03-16", "您包保的在办案件 4 件：🔴1 🟠1 🟡1 🟢1", string(f.nos["超期的"]), string(f.nos["紧急的"]), string(f.nos["本周到期的"]),
		"包保案件（按期限）\n🔴 "+string(f.nos["超期的"]), "本月尚未安排接访")
	hasNot(t, d, string(f.nos["没有领导的"]), "张建国")
	has(t, d, "新登记") // registered within the day before the first digest

	if again := run(morning.Add(time.Minute)); len(again) != 0 {
		t.Errorf("sent twice on one day: %v", again)
	}

	// Tuesday: one case got a change; the digest says so, and not Monday's.
	tuesday := morning.Add(24 * time.Hour)
	f.update("远的", tuesday.Add(-time.Hour), func(c *xfbot.Case) { c.Screening = xfbot.ScreenPartly },
		xfbot.Change{At: tuesday.Add(-time.Hour), By: xfbot.Person{OpenID: owner, Name: "赵建"}, Action: "甄别", Field: "甄别", Before: "未甄别", After: "部分合理"})
	d = run(tuesday)[leader]
	has(t, d, "自 3月16日 08:45 以来的变化\n🟢 "+string(f.nos["远的"]), "甄别：未甄别 → 部分合理（赵建）")
	hasNot(t, d, "新登记")

	// Qingming (5 April 2026 is a Sunday, 6 April the holiday Monday): nothing.
	if got := run(time.Date(2026, 4, 6, 8, 45, 0, 0, cst)); len(got) != 0 {
		t.Errorf("digest on a holiday: %v", got)
	}
}

// TestLeaderDigestMany: a leader watching more cases than a card lists
// gets the overdue and urgent ones and those due this week, with counts.
func TestLeaderDigestMany(t *testing.T) {
	f := newFixture(t)
	old := monday.Add(-72 * time.Hour)
	for i := 0; i < 12; i++ {
		f.add(fmt.Sprint("远的", i), 40+i, func(c *xfbot.Case) { c.CreatedAt, c.UpdatedAt = old, old })
	}
	f.add("超期的", -2, func(c *xfbot.Case) { c.CreatedAt, c.UpdatedAt = old, old })
	f.add("周六到期的", 5, func(c *xfbot.Case) { c.CreatedAt, c.UpdatedAt = old, old })
	cal, _ := xfbot.NewCalendar(xfbot.DefaultHolidayTables()...)
	job := &scheduler.LeaderDigest{Reports: f.reports(), Calendar: cal}
	if err := job.Run(context.Background(), monday); err != nil {
		t.Fatal(err)
	}
	d := f.drain()[leader]
	has(t, d, "您包保的在办案件 14 件：🔴1 🟡1 🟢12", "需要关注（超期、紧急）\n🔴 "+string(f.nos["超期的"]),
		"本周到期\n🟡 "+string(f.nos["周六到期的"]))
	hasNot(t, d, string(f.nos["远的3"]), "的变化")
}

// TestLeaderDigestNothingToReport: a leader whose cases are all far off and
// unchanged gets no message.
func TestLeaderDigestNothingToReport(t *testing.T) {
	f := newFixture(t)
	f.add("远的", 40, func(c *xfbot.Case) { c.CreatedAt, c.UpdatedAt = monday.Add(-72*time.Hour), monday.Add(-72*time.Hour) })
	cal, _ := xfbot.NewCalendar(xfbot.DefaultHolidayTables()...)
	job := &scheduler.LeaderDigest{Reports: f.reports(), Calendar: cal}
	if err := job.Run(context.Background(), monday); err != nil {
		t.Fatal(err)
	}
	if got := f.drain(); len(got) != 0 {
		t.Errorf("a leader with nothing to report got: %v", got)
	}
}

// TestLeaderDigestReplicas: three replicas running the digest at once send
// each leader one card.
func TestLeaderDigestReplicas(t *testing.T) {
	f := newFixture(t)
	f.add("超期的", -3, nil)
	cal, _ := xfbot.NewCalendar(xfbot.DefaultHolidayTables()...)
	var wg sync.WaitGroup
	for i := 0; i < 3; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			job := &scheduler.LeaderDigest{Reports: f.reports(), Calendar: cal}
			if err := job.Run(context.Background(), monday); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if got := f.drain(); len(got) != 1 { // drain fails on two messages to one person
		t.Errorf("digests: %v", got)
	}
}

// TestGroupWeekly: the Monday digest covers the week just ended, by unit,
// masked, once.
func TestGroupWeekly(t *testing.T) {
	f := newFixture(t)
	lastWeek := monday.Add(-4 * 24 * time.Hour) // Thursday 12 March
	f.add("上周新登记", 20, func(c *xfbot.Case) { c.CreatedAt, c.UpdatedAt = lastWeek, lastWeek })
	f.add("超期的", -3, func(c *xfbot.Case) { c.Unit = "区人社局" })
	f.add("积案久未推进", 30, func(c *xfbot.Case) {
		c.Tags = []xfbot.Tag{xfbot.TagBacklog, xfbot.TagThreeOld}
		old := monday.Add(-40 * 24 * time.Hour)
		c.CreatedAt, c.UpdatedAt, c.LastProgressAt = old, old, old
	})
	f.add("上周化解", 10, nil)
	f.update("上周化解", lastWeek, func(c *xfbot.Case) { c.Status, c.ResolvedOn = xfbot.StatusResolved, xfbot.DateOf(lastWeek, cst) })
	job := &scheduler.GroupWeekly{Reports: f.reports(), GroupChatID: taskforce}
	at := monday.Add(5 * time.Minute)
	if err := job.Run(context.Background(), at); err != nil {
		t.Fatal(err)
	}
	got := f.drain()
	d := got[taskforce]
	has(t, d, "专班周报 · 3月9日—3月15日", "区人社局 🔴1："+string(f.nos["超期的"]), string(f.nos["上周新登记"]), string(f.nos["上周化解"]),
		"积案、骨头案、三老：14 天以上无进展", string(f.nos["积案久未推进"]), "〔积案、三老〕40 天无进展")
	hasNot(t, d, "张建国", "19900001234")
	if err := job.Run(context.Background(), at.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if again := f.drain(); len(again) != 0 {
		t.Errorf("weekly digest sent twice: %v", again)
	}
}

// TestMonthly: the report on the 1st covers the month before, once, with
// its charts; far more units than fit follow as text messages.
func TestMonthly(t *testing.T) {
	f := newFixture(t)
	for i := 0; i < 25; i++ {
		unit := "单位" + string(rune('A'+i))
		f.add("案件"+unit, 20, func(c *xfbot.Case) { c.Unit = unit })
	}
	f.update("案件单位A", monday, func(c *xfbot.Case) { c.Status, c.ResolvedOn = xfbot.StatusResolved, today })
	job := &scheduler.Monthly{Reports: f.reports(), GroupChatID: taskforce}
	first := time.Date(2026, 4, 1, 9, 15, 0, 0, cst)
	if err := job.Run(context.Background(), first); err != nil {
		t.Fatal(err)
	}
	es, err := f.st.ReadOutbox(context.Background(), "t", 100, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 2 {
		t.Fatalf("%d messages, want the card and one text with the other units", len(es))
	}
	card := es[0].Msg
	has(t, card.Text, "月度统计 · 2026年3月", "本期增量：25", "化解数：1", "化解率：4.0%", "〔近 12 个月", "〔按主责单位", "另有 10 个单位")
	if card.MsgType != "interactive" || !strings.Contains(card.Content, `"tag":"chart"`) || len(card.Content) > 30*1024 {
		t.Errorf("card: %s, %d bytes", card.MsgType, len(card.Content))
	}
	has(t, es[1].Msg.Text, "按主责单位（续）")
	for _, e := range es {
		_ = f.st.AckOutbox(context.Background(), e.StreamID)
	}
	if err := job.Run(context.Background(), first.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if again := f.drain(); len(again) != 0 {
		t.Errorf("monthly report sent twice: %v", again)
	}
}

// TestLeaderDigestOnlyLeaders: a configured leader id whose member record
// says otherwise gets no leader digest, as the mux treats it.
func TestLeaderDigestOnlyLeaders(t *testing.T) {
	f := newFixture(t)
	f.add("成员包保的", -3, func(c *xfbot.Case) { c.Leader = xfbot.Person{OpenID: owner, Name: "赵建"} })
	r := f.reports()
	r.Leaders = []string{owner} // configured, but a member record with the member role
	cal, _ := xfbot.NewCalendar(xfbot.DefaultHolidayTables()...)
	if err := (&scheduler.LeaderDigest{Reports: r, Calendar: cal}).Run(context.Background(), monday); err != nil {
		t.Fatal(err)
	}
	if got := f.drain(); got[owner] != "" {
		t.Errorf("a member got a leader digest:\n%s", got[owner])
	}
}

// TestGroupWeeklyCountsCases: a case resolved, reopened and resolved three
// times in a week is one 化解 of that week in the Monday digest, which says
// what 统计 上周 says the same morning (three cases: that one, one resolved
// once, one resolved and then reopened for good, which still counts and is
// said to be no longer listed).
func TestGroupWeeklyCountsCases(t *testing.T) {
	f := newFixture(t)
	prev := xfbot.WeekPeriod(today.AddDays(-7)) // 9–15 March
	day := func(d, h int) time.Time { return prev.From.AddDays(d).Time(cst).Add(time.Duration(h) * time.Hour) }
	resolve := func(at time.Time) func(c *xfbot.Case) {
		return func(c *xfbot.Case) { c.Status, c.ResolvedOn = xfbot.StatusResolved, xfbot.DateOf(at, cst) }
	}
	reopen := func(c *xfbot.Case) {
		c.Status, c.ResolvedOn, c.ClosedOn = xfbot.StatusHandling, xfbot.Date{}, xfbot.Date{}
	}
	old := day(-20, 9)
	for _, name := range []string{"反复化解", "化解后重开", "化解一次"} {
		f.add(name, 20, func(c *xfbot.Case) { c.CreatedAt, c.UpdatedAt = old, old })
	}
	for i := 0; i < 3; i++ { // Monday, Wednesday, Friday
		f.update("反复化解", day(2*i, 10), resolve(day(2*i, 10)))
		if i < 2 {
			f.update("反复化解", day(2*i, 15), reopen)
		}
	}
	f.update("化解后重开", day(1, 10), resolve(day(1, 10)))
	f.update("化解后重开", day(3, 10), reopen)
	f.update("化解一次", day(4, 10), resolve(day(4, 10)))

	job := &scheduler.GroupWeekly{Reports: f.reports(), GroupChatID: taskforce}
	at := monday.Add(5 * time.Minute)
	if err := job.Run(context.Background(), at); err != nil {
		t.Fatal(err)
	}
	d := f.drain()[taskforce]
	has(t, d, "专班周报 · 3月9日—3月15日", "本周化解：3", string(f.nos["反复化解"]), string(f.nos["化解一次"]), "另有 1 件本周化解后又重开")

	rep, err := f.reports().Stats(context.Background(), "统计", prev, today, false)
	if err != nil {
		t.Fatal(err)
	}
	if w := rep.District; w.Resolved != 3 || w.Repeat != 2 || w.Reopened != 2 {
		t.Errorf("统计 上周: 化解 %d, 重复信访 %d, 重开 %d; want 3, 2, 2 (cases, not events)", w.Resolved, w.Repeat, w.Reopened)
	}
	if want := fmt.Sprintf("本周化解：%d", rep.District.Resolved); !strings.Contains(d, want) {
		t.Errorf("the digest does not say %q as 统计 上周 does:\n%s", want, d)
	}
}

// TestMonthlyCity: in a deployment with a city view, the first district's
// monthly job also sends each 市级 viewer the city's report of the month
// before — every district's counts and their sum, no case, no name — once.
func TestMonthlyCity(t *testing.T) {
	a, b := newFixture(t), newFixture(t)
	for i := 0; i < 3; i++ {
		a.add(fmt.Sprint("甲区案件", i), 20, nil)
	}
	b.add("乙区案件", 20, nil)
	job := &scheduler.Monthly{Reports: a.reports(), // no group: the city's report alone
		City: []report.CityDistrict{{ID: "a", Name: "甲区", Store: a.st}, {ID: "b", Name: "乙区", Store: b.st}}, CityName: "青州市",
		CityViewers: []string{"ou_city1", "ou_city2"}}
	first := time.Date(2026, 4, 1, 9, 15, 0, 0, cst)
	if err := job.Run(context.Background(), first); err != nil {
		t.Fatal(err)
	}
	got := a.drain()
	if len(got) != 2 {
		t.Fatalf("%d messages, want one per city viewer: %v", len(got), got)
	}
	for _, v := range []string{"ou_city1", "ou_city2"} {
		has(t, got[v], "青州市 · 全市月报 · 2026年3月", "本期增量：4", "甲区", "在办 3 · 增量 3", "乙区", "在办 1 · 增量 1")
		hasNot(t, got[v], "张建国", "19900001234", "XF-", "甲区案件", "乙区案件")
	}
	if err := job.Run(context.Background(), first.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if again := a.drain(); len(again) != 0 {
		t.Errorf("the city's monthly report sent twice: %v", again)
	}
	if other := b.drain(); len(other) != 0 {
		t.Errorf("the second district sent %v", other)
	}
}
