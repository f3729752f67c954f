package xfbot_test

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/qingchuan/xfbot"
)

var sh = time.FixedZone("CST", 8*3600)

func at(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 10, 0, 0, 0, sh) }

// countsOf renders counts as "counter unit day n" lines, sorted.
func countsOf(cs []xfbot.Count) []string {
	var out []string
	for _, c := range cs {
		line := fmt.Sprintf("%s %s %s %+d", c.Counter, c.Unit, c.Day, c.N)
		if c.Owner != "" {
			line += " @" + c.Owner
		}
		out = append(out, line)
	}
	slices.Sort(out)
	return out
}

func TestCaseCounts(t *testing.T) {
	base := xfbot.Case{No: "XF-2026-0001", Unit: "区住建局", Status: xfbot.StatusHandling,
		CreatedAt: at(2026, 3, 2), UpdatedAt: at(2026, 3, 2), Due: xfbot.NewDate(2026, 5, 1)}
	with := func(f func(c *xfbot.Case)) *xfbot.Case {
		c := base
		c.UpdatedAt = at(2026, 4, 10)
		f(&c)
		return &c
	}
	tests := []struct {
		name     string
		old, new *xfbot.Case
		want     []string
	}{
		{"registered", nil, &base, []string{"new 区住建局 2026-03-02 +1", "open 区住建局 2026-03-02 +1"}},
		{"registered late at night in Shanghai", nil, with(func(c *xfbot.Case) {
			c.CreatedAt = time.Date(2026, 3, 1, 16, 30, 0, 0, time.UTC) // 00:30 on the 2nd in Shanghai
		}), []string{"new 区住建局 2026-03-02 +1", "open 区住建局 2026-03-02 +1"}},
		{"registered as a repeat petition", nil, with(func(c *xfbot.Case) { c.Tags = []xfbot.Tag{xfbot.TagRepeat} }),
			[]string{"new 区住建局 2026-03-02 +1", "open 区住建局 2026-03-02 +1", "repeat 区住建局 2026-03-02 +1"}},
		{"imported already closed", nil, with(func(c *xfbot.Case) {
			c.Status, c.ResolvedOn, c.ClosedOn = xfbot.StatusClosed, xfbot.NewDate(2026, 5, 3), xfbot.NewDate(2026, 5, 8)
		}), []string{"closed 区住建局 2026-05-08 +1", "late 区住建局 2026-05-03 +1", "new 区住建局 2026-03-02 +1",
			"open 区住建局 2026-03-02 +1", "open 区住建局 2026-05-03 -1", "resolved 区住建局 2026-05-03 +1"}},
		{"progress only", &base, with(func(c *xfbot.Case) { c.LastProgressAt = c.UpdatedAt }), nil},
		{"visit", &base, with(func(c *xfbot.Case) { c.LastContactAt = c.UpdatedAt }), []string{"contact 区住建局 2026-04-10 +1"}},
		{"resolved on time", &base, with(func(c *xfbot.Case) {
			c.Status, c.ResolvedOn = xfbot.StatusResolved, xfbot.NewDate(2026, 4, 10)
		}), []string{"ontime 区住建局 2026-04-10 +1", "open 区住建局 2026-04-10 -1", "resolved 区住建局 2026-04-10 +1"}},
		{"resolved on the last day is on time", &base, with(func(c *xfbot.Case) {
			c.UpdatedAt = at(2026, 5, 1)
			c.Status, c.ResolvedOn = xfbot.StatusResolved, xfbot.NewDate(2026, 5, 1)
		}), []string{"ontime 区住建局 2026-05-01 +1", "open 区住建局 2026-05-01 -1", "resolved 区住建局 2026-05-01 +1"}},
		{"resolved a day late", &base, with(func(c *xfbot.Case) {
			c.UpdatedAt = at(2026, 5, 2)
			c.Status, c.ResolvedOn = xfbot.StatusResolved, xfbot.NewDate(2026, 5, 2)
		}), []string{"late 区住建局 2026-05-02 +1", "open 区住建局 2026-05-02 -1", "resolved 区住建局 2026-05-02 +1"}},
		{"resolved by its owner", with(func(c *xfbot.Case) { c.Owner = xfbot.Person{OpenID: "ou_zhao"} }), with(func(c *xfbot.Case) {
			c.Owner = xfbot.Person{OpenID: "ou_zhao"}
			c.Status, c.ResolvedOn, c.LastContactAt = xfbot.StatusResolved, xfbot.NewDate(2026, 4, 10), c.UpdatedAt
		}), []string{"contact 区住建局 2026-04-10 +1 @ou_zhao", "ontime 区住建局 2026-04-10 +1 @ou_zhao", "open 区住建局 2026-04-10 -1",
			"resolved 区住建局 2026-04-10 +1 @ou_zhao"}},
		{"monitoring stays open", &base, with(func(c *xfbot.Case) { c.Status = xfbot.StatusMonitoring }), nil},
		{"closed after resolved", with(func(c *xfbot.Case) { c.Status = xfbot.StatusResolved }), with(func(c *xfbot.Case) { c.Status = xfbot.StatusClosed }),
			[]string{"closed 区住建局 2026-04-10 +1"}},
		{"reopened", with(func(c *xfbot.Case) { c.Status = xfbot.StatusClosed }), with(func(c *xfbot.Case) {}),
			[]string{"open 区住建局 2026-04-10 +1", "reopened 区住建局 2026-04-10 +1", "repeat 区住建局 2026-04-10 +1"}},
		{"tagged repeat", &base, with(func(c *xfbot.Case) { c.Tags = []xfbot.Tag{xfbot.TagBacklog, xfbot.TagRepeat} }),
			[]string{"repeat 区住建局 2026-04-10 +1"}},
		{"tagged 越级访", &base, with(func(c *xfbot.Case) { c.Tags = []xfbot.Tag{xfbot.TagBeyond} }),
			[]string{"beyond 区住建局 2026-04-10 +1"}},
		{"tag kept is not counted again", with(func(c *xfbot.Case) { c.Tags = []xfbot.Tag{xfbot.TagRepeat} }),
			with(func(c *xfbot.Case) { c.Tags = []xfbot.Tag{xfbot.TagRepeat, xfbot.TagKey} }), nil},
		{"extended", &base, with(func(c *xfbot.Case) { c.ExtensionDays = 20 }), []string{"extended 区住建局 2026-04-10 +1"}},
		{"moved to another unit", &base, with(func(c *xfbot.Case) { c.Unit = "云溪街道" }),
			[]string{"new 云溪街道 2026-03-02 +1", "new 区住建局 2026-03-02 -1", "open 云溪街道 2026-04-10 +1", "open 区住建局 2026-04-10 -1"}},
		{"unit set on a case without one", with(func(c *xfbot.Case) { c.Unit = "" }), &base,
			[]string{"new  2026-03-02 -1", "new 区住建局 2026-03-02 +1", "open  2026-03-02 -1", "open 区住建局 2026-03-02 +1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := countsOf(xfbot.CaseCounts(tt.old, tt.new, sh))
			if !slices.Equal(got, tt.want) {
				t.Errorf("counts:\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestComputeFigures(t *testing.T) {
	march := xfbot.MonthPeriod(xfbot.Month{Year: 2026, Month: time.March})
	during := xfbot.Counts{"new": 10, "open": 4, "resolved": 6, "ontime": 5, "late": 1, "closed": 2, "repeat": 1,
		"new|区住建局": 7, "open|区住建局": 3, "resolved|区住建局": 4, "ontime|区住建局": 4}
	after := xfbot.Counts{"open": -2, "open|区住建局": 1}
	f := xfbot.ComputeFigures(march, "", true, 30, during, after, 2)
	// Open at the end of March = 30 now + 2 closed since; at its start 32 − 4.
	if f.OpenEnd != 32 || f.Stock != 28 || f.Inflow != 10 || f.Resolved != 6 {
		t.Errorf("district: %+v", f)
	}
	for _, tt := range []struct {
		name string
		got  xfbot.Rate
		want string
	}{
		{"化解率 6/(28+10)", f.ResolutionRate(), "15.8%"},
		{"按期办结率 5/(5+1+2)", f.OnTimeRate(), "62.5%"},
		{"重复信访率 1/38", f.RepeatRate(), "2.6%"},
		{"nothing to measure", xfbot.Rate{}, "—"},
		{"all", xfbot.Rate{Num: 3, Den: 3}, "100.0%"},
	} {
		if s := tt.got.String(); s != tt.want {
			t.Errorf("%s = %s, want %s", tt.name, s, tt.want)
		}
	}
	u := xfbot.ComputeFigures(march, "区住建局", false, 12, during, after, 0)
	if u.OpenEnd != 11 || u.Stock != 8 || u.Inflow != 7 || u.Resolved != 4 || u.OnTimeRate().String() != "100.0%" {
		t.Errorf("unit: %+v", u)
	}
	rows := f.FigureRows()
	if rows[0] != [2]string{"期初存量", "28"} || rows[3] != [2]string{"化解率", "15.8%"} {
		t.Errorf("rows: %v", rows)
	}
}

func TestPeriods(t *testing.T) {
	w := xfbot.WeekPeriod(xfbot.NewDate(2026, 11, 27)) // a Friday
	if w.From != xfbot.NewDate(2026, 11, 23) || w.To != xfbot.NewDate(2026, 11, 29) {
		t.Errorf("week of Friday 27 Nov: %v..%v", w.From, w.To)
	}
	w = xfbot.WeekPeriod(xfbot.NewDate(2026, 11, 29)) // a Sunday belongs to the week before
	if w.From != xfbot.NewDate(2026, 11, 23) {
		t.Errorf("week of Sunday 29 Nov starts %v", w.From)
	}
	w = xfbot.WeekPeriod(xfbot.NewDate(2026, 12, 31)) // across the year end
	if w.From != xfbot.NewDate(2026, 12, 28) || w.To != xfbot.NewDate(2027, 1, 3) {
		t.Errorf("week of 31 Dec: %v..%v", w.From, w.To)
	}
	m := xfbot.MonthPeriod(xfbot.Month{Year: 2028, Month: time.February})
	if m.To != xfbot.NewDate(2028, 2, 29) || m.Label != "2028年2月" {
		t.Errorf("Feb 2028: %+v", m)
	}
	c := xfbot.Counts{"new": 1, "new|区住建局": 1, "open|": 2, "open|云溪街道": 1}
	if got := c.Units(); !slices.Equal(got, []string{"", "云溪街道", "区住建局"}) {
		t.Errorf("units %q", got)
	}
}

// TestOnceIn: the counting rule of a once-per-case event (化解, 销号, 重开,
// 重复信访, 越级访): into the day's counter unless the case had one earlier in
// the same week, into the month's unless it had one earlier in the month.
func TestOnceIn(t *testing.T) {
	d := xfbot.NewDate
	for _, tt := range []struct {
		name      string
		last, day xfbot.Date
		in        xfbot.CountIn
		ok        bool
	}{
		{"first ever", xfbot.Date{}, d(2026, 3, 18), xfbot.InBoth, true},
		{"same day", d(2026, 3, 18), d(2026, 3, 18), xfbot.InBoth, false},
		{"same week and month", d(2026, 3, 16), d(2026, 3, 22), xfbot.InBoth, false},
		{"Sunday then Monday: new week, same month", d(2026, 3, 22), d(2026, 3, 23), xfbot.InDays, true},
		{"earlier week of the month", d(2026, 3, 2), d(2026, 3, 18), xfbot.InDays, true},
		{"same week, new month", d(2026, 6, 30), d(2026, 7, 1), xfbot.InMonth, true},
		{"same week, new year", d(2026, 12, 31), d(2027, 1, 2), xfbot.InMonth, true},
		{"another week and month", d(2026, 2, 27), d(2026, 3, 18), xfbot.InBoth, true},
		{"same month a year before", d(2025, 3, 18), d(2026, 3, 18), xfbot.InBoth, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			in, ok := xfbot.OnceIn(tt.last, tt.day)
			if ok != tt.ok || (ok && in != tt.in) {
				t.Errorf("OnceIn(%s, %s) = %v, %v; want %v, %v", tt.last, tt.day, in, ok, tt.in, tt.ok)
			}
		})
	}
}

// tally adds counts up as the store reads them: the day counters summed
// over each week (keyed by its Monday), the month counters by month.
func tally(into map[string]int64, cs []xfbot.Count) {
	for _, c := range cs {
		names := []string{string(c.Counter)}
		if c.Owner != "" {
			names = append(names, string(c.Counter)+"@"+c.Owner)
		}
		for _, n := range names {
			if c.In != xfbot.InMonth {
				into["w"+xfbot.WeekPeriod(c.Day).From.String()+" "+n] += c.N
			}
			if c.In != xfbot.InDays {
				into["m"+xfbot.MonthOf(c.Day).String()+" "+n] += c.N
			}
		}
	}
}

// TestCaseCountsOncePerCase writes a case through a sequence of commands as
// the handlers do (化解 sets ResolvedOn, 重开 clears it) and checks what a
// week and a month then count: cases, not events.
func TestCaseCountsOncePerCase(t *testing.T) {
	type step struct {
		day time.Time
		f   func(c *xfbot.Case, today xfbot.Date)
	}
	resolve := func(c *xfbot.Case, today xfbot.Date) { c.Status, c.ResolvedOn = xfbot.StatusResolved, today }
	reopen := func(c *xfbot.Case, _ xfbot.Date) {
		c.Status, c.ResolvedOn, c.ClosedOn = xfbot.StatusHandling, xfbot.Date{}, xfbot.Date{}
	}
	closeIt := func(c *xfbot.Case, today xfbot.Date) { c.Status, c.ClosedOn = xfbot.StatusClosed, today }
	tagRepeat := func(c *xfbot.Case, _ xfbot.Date) { c.Tags = append(c.Tags, xfbot.TagRepeat) }
	untag := func(c *xfbot.Case, _ xfbot.Date) { c.Tags = nil }
	tagBeyond := func(c *xfbot.Case, _ xfbot.Date) { c.Tags = append(c.Tags, xfbot.TagBeyond) }
	s := func(y int, m time.Month, d int, fs ...func(*xfbot.Case, xfbot.Date)) step {
		return step{at(y, m, d), func(c *xfbot.Case, today xfbot.Date) {
			for _, f := range fs {
				f(c, today)
			}
		}}
	}
	tests := []struct {
		name   string
		legacy bool // the case was resolved before CountedDays existed
		steps  []step
		want   map[string]int64
	}{
		{"resolved three times in one week", false, []step{
			s(2026, 3, 16, resolve), s(2026, 3, 17, reopen), s(2026, 3, 18, resolve),
			s(2026, 3, 19, reopen), s(2026, 3, 20, resolve)},
			map[string]int64{
				"w2026-03-16 resolved": 1, "w2026-03-16 resolved@ou_zhao": 1, "w2026-03-16 ontime": 1, "w2026-03-16 ontime@ou_zhao": 1,
				"w2026-03-16 repeat": 1, "w2026-03-16 reopened": 1, "w2026-03-16 open": -1,
				"m2026-03 resolved": 1, "m2026-03 resolved@ou_zhao": 1, "m2026-03 ontime": 1, "m2026-03 ontime@ou_zhao": 1,
				"m2026-03 repeat": 1, "m2026-03 reopened": 1, "m2026-03 open": -1,
			}},
		{"reopened and tagged 重复信访 in one week", false, []step{
			s(2026, 3, 16, resolve), s(2026, 3, 17, reopen), s(2026, 3, 18, tagRepeat), s(2026, 3, 19, untag), s(2026, 3, 20, tagRepeat)},
			map[string]int64{
				"w2026-03-16 resolved": 1, "w2026-03-16 resolved@ou_zhao": 1, "w2026-03-16 ontime": 1, "w2026-03-16 ontime@ou_zhao": 1,
				"w2026-03-16 repeat": 1, "w2026-03-16 reopened": 1,
				"m2026-03 resolved": 1, "m2026-03 resolved@ou_zhao": 1, "m2026-03 ontime": 1, "m2026-03 ontime@ou_zhao": 1,
				"m2026-03 repeat": 1, "m2026-03 reopened": 1,
			}},
		{"across a month boundary within a week", false, []step{
			s(2026, 6, 29, resolve), s(2026, 6, 30, reopen), s(2026, 7, 1, resolve)},
			map[string]int64{
				"w2026-06-29 resolved": 1, "w2026-06-29 resolved@ou_zhao": 1, "w2026-06-29 late": 1, "w2026-06-29 late@ou_zhao": 1,
				"w2026-06-29 repeat": 1, "w2026-06-29 reopened": 1, "w2026-06-29 open": -1,
				"m2026-06 resolved": 1, "m2026-06 resolved@ou_zhao": 1, "m2026-06 late": 1, "m2026-06 late@ou_zhao": 1,
				"m2026-06 repeat": 1, "m2026-06 reopened": 1, "m2026-06 open": 0,
				"m2026-07 resolved": 1, "m2026-07 resolved@ou_zhao": 1, "m2026-07 late": 1, "m2026-07 late@ou_zhao": 1, "m2026-07 open": -1,
			}},
		{"two weeks of one month", false, []step{
			s(2026, 3, 2, resolve), s(2026, 3, 3, reopen), s(2026, 3, 10, resolve)},
			map[string]int64{
				"w2026-03-02 resolved": 1, "w2026-03-02 resolved@ou_zhao": 1, "w2026-03-02 ontime": 1, "w2026-03-02 ontime@ou_zhao": 1,
				"w2026-03-02 repeat": 1, "w2026-03-02 reopened": 1, "w2026-03-02 open": 0,
				"w2026-03-09 resolved": 1, "w2026-03-09 resolved@ou_zhao": 1, "w2026-03-09 ontime": 1, "w2026-03-09 ontime@ou_zhao": 1, "w2026-03-09 open": -1,
				"m2026-03 resolved": 1, "m2026-03 resolved@ou_zhao": 1, "m2026-03 ontime": 1, "m2026-03 ontime@ou_zhao": 1,
				"m2026-03 repeat": 1, "m2026-03 reopened": 1, "m2026-03 open": -1,
			}},
		{"signed off twice in a week", false, []step{
			s(2026, 3, 16, resolve), s(2026, 3, 16, closeIt), s(2026, 3, 17, reopen), s(2026, 3, 18, resolve), s(2026, 3, 18, closeIt)},
			map[string]int64{
				"w2026-03-16 resolved": 1, "w2026-03-16 resolved@ou_zhao": 1, "w2026-03-16 ontime": 1, "w2026-03-16 ontime@ou_zhao": 1,
				"w2026-03-16 closed": 1, "w2026-03-16 closed@ou_zhao": 1,
				"w2026-03-16 repeat": 1, "w2026-03-16 reopened": 1, "w2026-03-16 open": -1,
				"m2026-03 resolved": 1, "m2026-03 resolved@ou_zhao": 1, "m2026-03 ontime": 1, "m2026-03 ontime@ou_zhao": 1,
				"m2026-03 closed": 1, "m2026-03 closed@ou_zhao": 1,
				"m2026-03 repeat": 1, "m2026-03 reopened": 1, "m2026-03 open": -1,
			}},
		{"越级访 tagged, untagged and tagged again", false, []step{
			s(2026, 3, 16, tagBeyond), s(2026, 3, 17, untag), s(2026, 3, 18, tagBeyond)},
			map[string]int64{"w2026-03-16 beyond": 1, "m2026-03 beyond": 1}},
		{"resolved before the counting rule, reopened and resolved again", true, []step{
			s(2026, 3, 17, reopen), s(2026, 3, 18, resolve)},
			map[string]int64{
				"w2026-03-16 repeat": 1, "w2026-03-16 reopened": 1, "w2026-03-16 open": 0,
				"m2026-03 repeat": 1, "m2026-03 reopened": 1, "m2026-03 open": 0,
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &xfbot.Case{No: "XF-2026-0001", Unit: "区住建局", Status: xfbot.StatusHandling, Owner: xfbot.Person{OpenID: "ou_zhao"},
				CreatedAt: at(2026, 2, 2), UpdatedAt: at(2026, 2, 2), Due: xfbot.NewDate(2026, 4, 3)}
			if tt.steps[0].day.Month() > time.April {
				c.Due = xfbot.NewDate(2026, 6, 1)
			}
			got := map[string]int64{}
			if tt.legacy {
				c.Status, c.ResolvedOn = xfbot.StatusResolved, xfbot.NewDate(2026, 3, 16)
			}
			for _, st := range tt.steps {
				next := *c
				next.UpdatedAt = st.day
				next.Tags = slices.Clone(c.Tags)
				st.f(&next, xfbot.DateOf(st.day, sh))
				tally(got, xfbot.CaseCounts(c, &next, sh))
				c = &next
			}
			for k, v := range got {
				if v == 0 {
					delete(got, k)
				}
			}
			for k, v := range tt.want {
				if v == 0 {
					delete(tt.want, k)
				}
			}
			if !maps.Equal(got, tt.want) {
				t.Errorf("counted:\n got %v\nwant %v", got, tt.want)
			}
		})
	}
	t.Run("a registered case starts with nothing counted", func(t *testing.T) {
		c := &xfbot.Case{Status: xfbot.StatusHandling, CreatedAt: at(2026, 3, 16), Counted: xfbot.CountedDays{Resolved: xfbot.NewDate(2026, 3, 16)},
			Tags: []xfbot.Tag{xfbot.TagRepeat}}
		xfbot.CaseCounts(nil, c, sh)
		if c.Counted != (xfbot.CountedDays{Repeat: xfbot.NewDate(2026, 3, 16)}) {
			t.Errorf("counted %+v", c.Counted)
		}
	})
}

func TestPeriodShapes(t *testing.T) {
	d := xfbot.NewDate
	for _, tt := range []struct {
		name        string
		p           xfbot.Period
		week, month bool
	}{
		{"a week", xfbot.WeekPeriod(d(2026, 7, 1)), true, false},
		{"a month", xfbot.MonthPeriod(xfbot.Month{Year: 2026, Month: time.February}), false, true},
		{"Tuesday to Monday", xfbot.Period{From: d(2026, 3, 17), To: d(2026, 3, 23)}, false, false},
		{"two months", xfbot.Period{From: d(2026, 3, 1), To: d(2026, 4, 30)}, false, false},
		{"part of a month", xfbot.Period{From: d(2026, 3, 1), To: d(2026, 3, 18)}, false, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if tt.p.IsWeek() != tt.week || tt.p.IsMonth() != tt.month {
				t.Errorf("%v..%v: week %v month %v", tt.p.From, tt.p.To, tt.p.IsWeek(), tt.p.IsMonth())
			}
		})
	}
}

func TestProcedureCounts(t *testing.T) {
	loc := time.FixedZone("CST", 8*3600)
	base := &xfbot.Case{No: "XF-2026-0001", Unit: "区住建局", Status: xfbot.StatusHandling, CreatedAt: time.Date(2026, 3, 2, 9, 0, 0, 0, loc)}
	base.Proc = xfbot.Procedure{Stage: xfbot.StageRegistered, ReceivedOn: xfbot.NewDate(2026, 3, 2)}
	base.Due = xfbot.NewDate(2026, 3, 17) // its 受理期限
	counts := func(old, c *xfbot.Case) map[xfbot.Counter]int64 {
		c.UpdatedAt = time.Date(2026, 6, 1, 9, 0, 0, 0, loc)
		m := map[xfbot.Counter]int64{}
		for _, n := range xfbot.CaseCounts(old, c, loc) {
			m[n.Counter] += n.N
		}
		return m
	}
	step := func(c *xfbot.Case, s xfbot.Step, today xfbot.Date) *xfbot.Case {
		next := *c
		if _, err := next.Transition(s, nil, today); err != nil {
			t.Fatalf("%s: %v", s.Action, err)
		}
		return &next
	}
	accepted := step(base, xfbot.Step{Action: xfbot.StepAccept, On: xfbot.NewDate(2026, 3, 20)}, xfbot.NewDate(2026, 3, 20))
	if m := counts(base, accepted); m[xfbot.CountIntake] != 1 || m[xfbot.CountIntakeOnTime] != 0 {
		t.Errorf("accepted after its 受理期限: %v", m)
	}
	forwarded := step(base, xfbot.Step{Action: xfbot.StepForward, On: xfbot.NewDate(2026, 3, 10), Note: "市人社局"}, xfbot.NewDate(2026, 3, 10))
	if m := counts(base, forwarded); m[xfbot.CountIntake] != 1 || m[xfbot.CountIntakeOnTime] != 1 {
		t.Errorf("forwarded in time: %v", m)
	}
	replied := step(accepted, xfbot.Step{Action: xfbot.StepReply, On: xfbot.NewDate(2026, 5, 10), Result: xfbot.OutcomeReject}, xfbot.NewDate(2026, 5, 10))
	if m := counts(accepted, replied); m[xfbot.CountReplied] != 1 || m[xfbot.CountRepliedOnTime] != 1 {
		t.Errorf("replied by 05-19: %v", m)
	}
	review := step(replied, xfbot.Step{Action: xfbot.StepReviewRequest, On: xfbot.NewDate(2026, 5, 20)}, xfbot.NewDate(2026, 5, 20))
	if m := counts(replied, review); m[xfbot.CountReview] != 1 {
		t.Errorf("review requested: %v", m)
	}
	reviewed := step(review, xfbot.Step{Action: xfbot.StepReviewReply, On: xfbot.NewDate(2026, 6, 1), Result: xfbot.OutcomeUphold}, xfbot.NewDate(2026, 6, 1))
	if m := counts(review, reviewed); m[xfbot.CountDecided] != 1 || m[xfbot.CountUpheld] != 1 {
		t.Errorf("review upheld: %v", m)
	}
	if m := counts(reviewed, reviewed); len(m) != 0 {
		t.Errorf("a write that does not move the track counts %v", m)
	}
	f := xfbot.Figures{Intake: 2, IntakeOnTime: 1, Replied: 1, RepliedOnTime: 1, Decided: 2, Upheld: 1}
	if f.TimelyIntakeRate().String() != "50.0%" || f.OnTimeReplyRate().String() != "100.0%" || f.UpholdRate().String() != "50.0%" {
		t.Errorf("rates %s %s %s", f.TimelyIntakeRate(), f.OnTimeReplyRate(), f.UpholdRate())
	}
}

// TestFiguresAdd: every count of Figures is summed (a field added later and
// forgotten in Add fails here), and the rates come from the sums.
func TestFiguresAdd(t *testing.T) {
	var a, b xfbot.Figures
	va, vb := reflect.ValueOf(&a).Elem(), reflect.ValueOf(&b).Elem()
	n := 0
	for i := 0; i < va.NumField(); i++ {
		if va.Field(i).Kind() == reflect.Int64 {
			n++
			va.Field(i).SetInt(int64(i + 1))
			vb.Field(i).SetInt(int64(100 * (i + 1)))
		}
	}
	if n < 20 {
		t.Fatalf("only %d counts in Figures", n)
	}
	a.Add(b)
	for i := 0; i < va.NumField(); i++ {
		if va.Field(i).Kind() == reflect.Int64 {
			if got, want := va.Field(i).Int(), int64(101*(i+1)); got != want {
				t.Errorf("%s = %d after Add, want %d", va.Type().Field(i).Name, got, want)
			}
		}
	}
	x := xfbot.Figures{Stock: 8, Inflow: 2, Resolved: 5}
	x.Add(xfbot.Figures{Stock: 0, Inflow: 10, Resolved: 1})
	if got := x.ResolutionRate().String(); got != "30.0%" {
		t.Errorf("city 化解率 = %s, want 30.0%% (6 of 20)", got)
	}
}
