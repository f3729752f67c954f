package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/store"
)

// update commits f applied to a copy of c, written at when, and returns the copy.
func update(t *testing.T, st *store.Store, c *xfbot.Case, when time.Time, f func(c *xfbot.Case)) *xfbot.Case {
	t.Helper()
	cp := *c
	cp.UpdatedAt = when
	f(&cp)
	tx := st.NewTx()
	tx.UpdateCase(c, &cp)
	if _, err := st.Commit(context.Background(), tx); err != nil {
		t.Fatalf("update %s: %v", c.No, err)
	}
	return &cp
}

// TestStatistics writes a month of ledger activity and checks that the
// figures read back from the counters agree with what happened, for the
// district and per unit, for the month, for a week and for the month before.
func TestStatistics(t *testing.T) {
	ctx := context.Background()
	st := newTestStore(t).In(loc)
	feb := time.Date(2026, 2, 20, 10, 0, 0, 0, loc)
	mar := func(d int) time.Time { return time.Date(2026, 3, d, 10, 0, 0, 0, loc) }
	mk := func(unit string, created time.Time, due xfbot.Date) *xfbot.Case {
		c := newCase("案件", due)
		c.Unit, c.CreatedAt, c.UpdatedAt = unit, created, created
		create(t, st, c)
		return c
	}
	// Two cases from February: the stock of March.
	a := mk("区住建局", feb, xfbot.NewDate(2026, 3, 10))
	b := mk("云溪街道", feb, xfbot.NewDate(2026, 4, 20))
	// March: three new, one without a unit.
	c := mk("区住建局", mar(3), xfbot.NewDate(2026, 5, 2))
	d := mk("区住建局", mar(4), xfbot.NewDate(2026, 3, 12)) // due inside March, never resolved: overdue
	e := mk("", mar(5), xfbot.NewDate(2026, 5, 4))
	// a resolved late (due 10 March), b on time, then signed off.
	a = update(t, st, a, mar(11), func(c *xfbot.Case) { c.Status, c.ResolvedOn = xfbot.StatusResolved, xfbot.NewDate(2026, 3, 11) })
	b = update(t, st, b, mar(12), func(c *xfbot.Case) { c.Status, c.ResolvedOn = xfbot.StatusResolved, xfbot.NewDate(2026, 3, 12) })
	b = update(t, st, b, mar(13), func(c *xfbot.Case) { c.Status, c.ClosedOn = xfbot.StatusClosed, xfbot.NewDate(2026, 3, 13) })
	// c moves to 云溪街道; e gets its unit; a visit on c.
	c = update(t, st, c, mar(14), func(c *xfbot.Case) { c.Unit = "云溪街道" })
	c = update(t, st, c, mar(15), func(c *xfbot.Case) { c.LastContactAt = mar(15) })
	_ = update(t, st, e, mar(15), func(c *xfbot.Case) { c.Unit = "区人社局" })
	_ = d

	pd, err := st.PeriodData(ctx, xfbot.MonthPeriod(xfbot.Month{Year: 2026, Month: time.March}), today)
	if err != nil {
		t.Fatal(err)
	}
	f := pd.Figures("", true)
	want := xfbot.Figures{Period: pd.Period, All: true, Stock: 2, Inflow: 3, Resolved: 2, OnTime: 1, Late: 1, Overdue: 1,
		Closed: 1, Contacts: 1, OpenEnd: 3}
	if f != want {
		t.Errorf("March, district:\n got %+v\nwant %+v", f, want)
	}
	if r := f.ResolutionRate().String(); r != "40.0%" {
		t.Errorf("化解率 %s, want 2/5", r)
	}
	if r := f.OnTimeRate().String(); r != "33.3%" {
		t.Errorf("按期办结率 %s, want 1/(1+1+1)", r)
	}
	for _, tt := range []struct {
		unit                                      string
		stock, inflow, resolved, overdue, openEnd int64
	}{
		{"区住建局", 1, 1, 1, 1, 1}, // a (stock, resolved), d (new, overdue); c moved away
		{"云溪街道", 1, 1, 1, 0, 1}, // b (stock, resolved), c (moved in with its registration)
		{"区人社局", 0, 1, 0, 0, 1}, // e, given its unit
		{"", 0, 0, 0, 0, 0},
	} {
		u := pd.Figures(tt.unit, false)
		if u.Stock != tt.stock || u.Inflow != tt.inflow || u.Resolved != tt.resolved || u.Overdue != tt.overdue || u.OpenEnd != tt.openEnd {
			t.Errorf("unit %q: %+v", tt.unit, u)
		}
	}
	if len(pd.Units) != 3 {
		t.Errorf("units %q", pd.Units)
	}

	// The week of 9–15 March: a and b resolved, nothing registered; open
	// at its start: a, b, c, d, e.
	w, err := st.PeriodData(ctx, xfbot.WeekPeriod(xfbot.NewDate(2026, 3, 11)), today)
	if err != nil {
		t.Fatal(err)
	}
	if f := w.Figures("", true); f.Stock != 5 || f.Inflow != 0 || f.Resolved != 2 || f.OpenEnd != 3 || f.Overdue != 1 {
		t.Errorf("week: %+v", f)
	}
	// February: two registered, nothing before.
	fe, err := st.PeriodData(ctx, xfbot.MonthPeriod(xfbot.Month{Year: 2026, Month: time.February}), today)
	if err != nil {
		t.Fatal(err)
	}
	if f := fe.Figures("", true); f.Stock != 0 || f.Inflow != 2 || f.OpenEnd != 2 || f.Resolved != 0 {
		t.Errorf("February: %+v", f)
	}

	tr, err := st.Trend(ctx, xfbot.Month{Year: 2026, Month: time.March}, 12, today)
	if err != nil {
		t.Fatal(err)
	}
	if len(tr) != 12 || tr[11].Inflow != 3 || tr[11].Resolved != 2 || tr[11].OpenEnd != 3 || tr[10].Inflow != 2 || tr[10].OpenEnd != 2 || tr[0].OpenEnd != 0 {
		t.Errorf("trend: %+v", tr)
	}
}

// TestImportCounts: imported cases are counted as registered and concluded
// on their own days.
func TestImportCounts(t *testing.T) {
	ctx := context.Background()
	st := newTestStore(t).In(loc)
	done := newCase("旧案", xfbot.NewDate(2026, 1, 30))
	done.No, done.CreatedAt = "XF-2025-0100", time.Date(2025, 12, 1, 9, 0, 0, 0, loc)
	done.Status, done.ResolvedOn, done.ClosedOn = xfbot.StatusClosed, xfbot.NewDate(2026, 1, 20), xfbot.NewDate(2026, 2, 3)
	open := newCase("在办", xfbot.NewDate(2026, 4, 30))
	open.No, open.CreatedAt = "XF-2026-0001", time.Date(2026, 1, 5, 9, 0, 0, 0, loc)
	if err := st.Import(ctx, []*xfbot.Case{done, open}); err != nil {
		t.Fatal(err)
	}
	jan, err := st.PeriodData(ctx, xfbot.MonthPeriod(xfbot.Month{Year: 2026, Month: time.January}), today)
	if err != nil {
		t.Fatal(err)
	}
	if f := jan.Figures("", true); f.Stock != 1 || f.Inflow != 1 || f.Resolved != 1 || f.OnTime != 1 || f.OpenEnd != 1 {
		t.Errorf("January: %+v", f)
	}
}

// TestLeaderWatches reads a leader's digest data: levels, attention, due
// this week, and what changed since the last digest.
func TestLeaderWatches(t *testing.T) {
	ctx := context.Background()
	st := newTestStore(t).In(loc)
	lead := xfbot.Person{OpenID: "ou_leader", Name: "周某"}
	mk := func(due xfbot.Date) *xfbot.Case {
		c := newCase("包保案件", due)
		c.Leader = lead
		c.CreatedAt, c.UpdatedAt = now.Add(-72*time.Hour), now.Add(-72*time.Hour)
		create(t, st, c)
		return c
	}
	overdue := mk(today.AddDays(-3))
	urgent := mk(today.AddDays(2))
	week := mk(today.AddDays(5)) // Saturday 21 March: this week, 🟡
	later := mk(today.AddDays(40))
	_ = later
	other := newCase("别人的", today.AddDays(-1))
	create(t, st, other)

	// A digest went out an hour ago; then urgent got progress and a change.
	tx := st.NewTx()
	tx.MarkDigest(lead.OpenID, now.Add(-time.Hour))
	if _, err := st.Commit(ctx, tx); err != nil {
		t.Fatal(err)
	}
	cp := *urgent
	cp.UpdatedAt, cp.Screening = now, xfbot.ScreenPartly
	tx = st.NewTx()
	tx.UpdateCase(urgent, &cp)
	tx.AddChanges(urgent.No, xfbot.Change{At: now, By: xfbot.Person{OpenID: "ou_a", Name: "王某"}, Action: "甄别", Field: "甄别", Before: "未甄别", After: "部分合理"})
	if _, err := st.Commit(ctx, tx); err != nil {
		t.Fatal(err)
	}

	ws, err := st.LeaderWatches(ctx, []string{lead.OpenID, "ou_nobody"}, now, xfbot.NewDate(2026, 3, 22), xfbot.DefaultThresholds, 10)
	if err != nil {
		t.Fatal(err)
	}
	w := ws[0]
	if w.Open != 4 || w.Levels[xfbot.LevelRed] != 1 || w.Levels[xfbot.LevelOrange] != 1 || w.Levels[xfbot.LevelYellow] != 1 || w.Levels[xfbot.LevelGreen] != 1 {
		t.Errorf("levels: open %d %v", w.Open, w.Levels)
	}
	if w.Attentions != 2 || len(w.Attention) != 2 || w.Attention[0].No != overdue.No || w.Attention[1].No != urgent.No {
		t.Errorf("attention: %d %v", w.Attentions, w.Attention)
	}
	if w.DueWeeks != 2 || len(w.DueWeek) != 2 || w.DueWeek[1].No != week.No {
		t.Errorf("due this week: %d %v", w.DueWeeks, w.DueWeek)
	}
	if w.Changes != 1 || len(w.Changed) != 1 || w.Changed[0].No != urgent.No || len(w.History[urgent.No]) != 1 {
		t.Errorf("changed: %d %v %v", w.Changes, w.Changed, w.History)
	}
	if n := ws[1]; n.Open != 0 || n.Changes != 0 || len(n.Attention) != 0 {
		t.Errorf("a leader without cases: %+v", n)
	}
}

// TestRecordsEndWithVersion: commit.lua reads a record's version from its
// end ("ver":N}), so every versioned record must end with it.
func TestRecordsEndWithVersion(t *testing.T) {
	st, prefix := newTestStorePrefix(t)
	c := newCase("案件", today.AddDays(10))
	c.Pauses = []xfbot.Pause{{From: today, Reason: "听证"}}
	c.Tags = []xfbot.Tag{xfbot.TagBacklog}
	no := create(t, st, c)
	raw, err := st.Client().Get(context.Background(), "{"+prefix+"}:v1:case:"+string(no)).Result()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(raw, `"ver":1}`) {
		t.Errorf("case record ends %q", raw[max(0, len(raw)-20):])
	}
	// And a stale version is still refused.
	old := *c
	old.Version = 0
	cp := *c
	tx := st.NewTx()
	tx.UpdateCase(&old, &cp)
	if _, err := st.Commit(context.Background(), tx); xfbot.ErrorCode(err) != xfbot.ECONFLICT {
		t.Errorf("stale write: %v", err)
	}
}

// TestStatisticsCountCases: a case resolved, reopened and resolved again
// three times in one week is one 化解 of the week and of the month, one for
// its owner, and one 重复信访; the record keeps what was counted across the
// reopens. Across a month boundary it is one in each month and one in the
// week. Periods the counters cannot answer exactly are refused.
func TestStatisticsCountCases(t *testing.T) {
	ctx := context.Background()
	owner := xfbot.Person{OpenID: "ou_zhao", Name: "赵建"}
	day := func(m time.Month, d int) time.Time { return time.Date(2026, m, d, 10, 0, 0, 0, loc) }
	resolve := func(on time.Time) func(c *xfbot.Case) {
		return func(c *xfbot.Case) { c.Status, c.ResolvedOn = xfbot.StatusResolved, xfbot.DateOf(on, loc) }
	}
	reopen := func(c *xfbot.Case) {
		c.Status, c.ResolvedOn, c.ClosedOn = xfbot.StatusHandling, xfbot.Date{}, xfbot.Date{}
	}
	// run writes a case registered in February through resolutions on days,
	// with a reopen two hours after each but the last, reading it back from
	// the store before each write as the mux does.
	run := func(t *testing.T, st *store.Store, days ...time.Time) *xfbot.Case {
		c := newCase("反复化解的案件", xfbot.NewDate(2026, 8, 31))
		c.Owner, c.CreatedAt, c.UpdatedAt = owner, day(2, 2), day(2, 2)
		no := create(t, st, c)
		for i, d := range days {
			update(t, st, load(t, st, no), d, resolve(d))
			if i < len(days)-1 {
				update(t, st, load(t, st, no), d.Add(2*time.Hour), reopen)
			}
		}
		return load(t, st, no)
	}
	figures := func(t *testing.T, st *store.Store, p xfbot.Period) xfbot.Figures {
		t.Helper()
		pd, err := st.PeriodData(ctx, p, xfbot.NewDate(2026, 9, 1))
		if err != nil {
			t.Fatal(err)
		}
		return pd.Figures("", true)
	}
	member := func(t *testing.T, st *store.Store, p xfbot.Period) xfbot.MemberFigures {
		t.Helper()
		ms, err := st.MemberData(ctx, []xfbot.Person{owner}, p, time.Date(2026, 9, 1, 9, 0, 0, 0, loc))
		if err != nil {
			t.Fatal(err)
		}
		return ms[0]
	}

	t.Run("ThreeTimesInOneWeek", func(t *testing.T) {
		st := newTestStore(t).In(loc)
		c := run(t, st, day(3, 16), day(3, 18), day(3, 20))
		if c.Counted.Resolved != xfbot.NewDate(2026, 3, 20) || c.Counted.Repeat != xfbot.NewDate(2026, 3, 18) {
			t.Errorf("kept on the record: %+v", c.Counted)
		}
		week := xfbot.WeekPeriod(xfbot.NewDate(2026, 3, 16))
		for _, p := range []xfbot.Period{week, xfbot.MonthPeriod(xfbot.Month{Year: 2026, Month: time.March})} {
			f := figures(t, st, p)
			if f.Resolved != 1 || f.OnTime != 1 || f.Late != 0 || f.Repeat != 1 || f.Reopened != 1 || f.Stock != 1 || f.OpenEnd != 0 {
				t.Errorf("%s: %+v", p.Label, f)
			}
			if r := f.ResolutionRate().String(); r != "100.0%" {
				t.Errorf("%s: 化解率 %s", p.Label, r)
			}
			if m := member(t, st, p); m.Resolved != 1 {
				t.Errorf("%s: the owner is credited with %d", p.Label, m.Resolved)
			}
		}
	})
	t.Run("AcrossAMonthBoundary", func(t *testing.T) {
		st := newTestStore(t).In(loc)
		run(t, st, day(6, 29), day(7, 1)) // Monday 29 June, Wednesday 1 July
		week := xfbot.WeekPeriod(xfbot.NewDate(2026, 6, 29))
		for _, tt := range []struct {
			p                xfbot.Period
			resolved, repeat int64
		}{
			{week, 1, 1},
			{xfbot.MonthPeriod(xfbot.Month{Year: 2026, Month: time.June}), 1, 1},
			{xfbot.MonthPeriod(xfbot.Month{Year: 2026, Month: time.July}), 1, 0},
		} {
			if f := figures(t, st, tt.p); f.Resolved != tt.resolved || f.Repeat != tt.repeat {
				t.Errorf("%s: resolved %d repeat %d, want %d %d", tt.p.Label, f.Resolved, f.Repeat, tt.resolved, tt.repeat)
			}
			if m := member(t, st, tt.p); m.Resolved != tt.resolved {
				t.Errorf("%s: the owner is credited with %d", tt.p.Label, m.Resolved)
			}
		}
	})
	t.Run("TwoWeeksOfOneMonth", func(t *testing.T) {
		st := newTestStore(t).In(loc)
		run(t, st, day(3, 2), day(3, 10))
		for _, tt := range []struct {
			p        xfbot.Period
			resolved int64
		}{
			{xfbot.WeekPeriod(xfbot.NewDate(2026, 3, 2)), 1},
			{xfbot.WeekPeriod(xfbot.NewDate(2026, 3, 10)), 1},
			{xfbot.MonthPeriod(xfbot.Month{Year: 2026, Month: time.March}), 1},
		} {
			if f := figures(t, st, tt.p); f.Resolved != tt.resolved {
				t.Errorf("%s: resolved %d, want %d", tt.p.Label, f.Resolved, tt.resolved)
			}
		}
	})
	t.Run("OtherPeriodsRefused", func(t *testing.T) {
		st := newTestStore(t).In(loc)
		for _, p := range []xfbot.Period{
			{From: xfbot.NewDate(2026, 3, 17), To: xfbot.NewDate(2026, 3, 23)},
			{From: xfbot.NewDate(2026, 1, 1), To: xfbot.NewDate(2026, 3, 31)},
		} {
			if _, err := st.PeriodData(ctx, p, today); err == nil || !strings.Contains(err.Error(), "only a week") {
				t.Errorf("PeriodData %v..%v: %v", p.From, p.To, err)
			}
			if _, err := st.MemberData(ctx, []xfbot.Person{owner}, p, now); err == nil {
				t.Errorf("MemberData %v..%v accepted", p.From, p.To)
			}
		}
	})
}

func load(t *testing.T, st *store.Store, no xfbot.CaseNo) *xfbot.Case {
	t.Helper()
	cs, err := st.Cases(context.Background(), []xfbot.CaseNo{no})
	if err != nil || len(cs) != 1 {
		t.Fatalf("load %s: %v", no, err)
	}
	return cs[0]
}

// TestMemberFresh: 进展更新及时率's count — an owner's open cases with
// progress within the last FreshDays — read from the activity index's 64
// sets: of 100 cases of two owners, those with progress two days ago count,
// those quiet for ten days do not, nor the other owner's, nor a closed one,
// and a case that gets progress now counts from then on.
func TestMemberFresh(t *testing.T) {
	ctx := context.Background()
	st := newTestStore(t)
	at := time.Date(2026, 3, 16, 9, 0, 0, 0, time.UTC)
	a, b := xfbot.Person{OpenID: "ou_fresh_a", Name: "甲"}, xfbot.Person{OpenID: "ou_fresh_b", Name: "乙"}
	var quiet xfbot.CaseNo
	for i := 0; i < 100; i++ {
		c := newCase(fmt.Sprintf("案件%d", i), xfbot.NewDate(2026, 5, 15))
		c.Owner, c.LastProgressAt = a, at.AddDate(0, 0, -2)
		switch {
		case i%2 == 1:
			c.Owner = b
		case i%5 == 0:
			c.LastProgressAt = at.AddDate(0, 0, -10) // quiet
		}
		if i == 98 {
			c.Status, c.ResolvedOn = xfbot.StatusResolved, xfbot.NewDate(2026, 3, 14)
		}
		c.CreatedAt, c.UpdatedAt = c.LastProgressAt, c.LastProgressAt
		no := create(t, st, c)
		if i == 0 {
			quiet = no
		}
	}
	fresh := func() int64 {
		t.Helper()
		ms, err := st.MemberData(ctx, []xfbot.Person{a, b}, xfbot.WeekPeriod(xfbot.DateOf(at, time.UTC)), at)
		if err != nil || len(ms) < 2 {
			t.Fatalf("MemberData: %+v, %v", ms, err)
		}
		if ms[1].Fresh != 50 {
			t.Errorf("the other owner's fresh cases: %d, want 50", ms[1].Fresh)
		}
		return ms[0].Fresh
	}
	// a: 50 cases, 10 of them quiet, one resolved.
	if got := fresh(); got != 39 {
		t.Errorf("fresh cases of a: %d, want 39", got)
	}
	c := load(t, st, quiet)
	update(t, st, c, at, func(c *xfbot.Case) { c.LastProgressAt = at })
	if got := fresh(); got != 40 {
		t.Errorf("after progress on a quiet case: %d, want 40", got)
	}
}
