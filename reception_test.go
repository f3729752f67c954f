package xfbot_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/qingchuan/xfbot"
)

func day(s string) xfbot.Date {
	x, err := xfbot.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return x
}

func leadersN(n int) []xfbot.Person {
	var ps []xfbot.Person
	for i := 0; i < n; i++ {
		ps = append(ps, xfbot.Person{OpenID: fmt.Sprintf("ou_l%d", i), Name: []string{"甲", "乙", "丙", "丁", "戊"}[i]})
	}
	return ps
}

// rosterText renders a roster as "2026-10-08am甲 …" for comparison.
func rosterText(es []xfbot.RosterEntry) string {
	var parts []string
	for _, e := range es {
		parts = append(parts, e.Date.String()+string(e.Slot)+e.Leader.Name)
	}
	return strings.Join(parts, " ")
}

func TestDraftRoster(t *testing.T) {
	cal := officialCalendar(t)
	tests := []struct {
		name    string
		month   xfbot.Month
		n       int
		rule    xfbot.RosterRule
		want    string
		wantErr string
	}{
		// National Day 2026-10-01..07: the 1st rolls to Thursday the 8th; the
		// order is rotated by the month (October 2026 starts with the second).
		{"FixedDayRollsPastNationalDay", xfbot.Month{Year: 2026, Month: 10}, 2, xfbot.RosterRule{Kind: xfbot.RosterFixedDay, Day: 1},
			"2026-10-08am乙 2026-10-08pm甲", ""},
		// Labour Day 2026-05-01..05: the 1st rolls to Wednesday the 6th.
		{"FixedDayRollsPastLabourDay", xfbot.Month{Year: 2026, Month: 5}, 1, xfbot.RosterRule{Kind: xfbot.RosterFixedDay, Day: 1},
			"2026-05-06am甲", ""},
		// 2026-10-31 is a Saturday and November is another month: back to Friday the 30th.
		{"FixedDayAtMonthEndRollsBack", xfbot.Month{Year: 2026, Month: 10}, 1, xfbot.RosterRule{Kind: xfbot.RosterFixedDay, Day: 31},
			"2026-10-30am甲", ""},
		// February has no 30th: its last day, 2026-02-28, a Saturday that is a 调休 working day.
		{"FixedDayBeyondFebruaryIsLastDayMakeUpSaturday", xfbot.Month{Year: 2026, Month: 2}, 1, xfbot.RosterRule{Kind: xfbot.RosterFixedDay, Day: 30},
			"2026-02-28am甲", ""},
		// 2027-01-31 is a Sunday but a make-up working day (春节调休).
		{"FixedDayOnMakeUpSunday", xfbot.Month{Year: 2027, Month: 1}, 1, xfbot.RosterRule{Kind: xfbot.RosterFixedDay, Day: 31},
			"2027-01-31am甲", ""},
		// February 2026's Wednesdays: 4, 11, 25 (the 18th is 春节). Four leaders: the 4th has two.
		{"WednesdaysSkipSpringFestival", xfbot.Month{Year: 2026, Month: 2}, 4, xfbot.RosterRule{Kind: xfbot.RosterWeekday, Weekday: time.Wednesday},
			"", ""},
		// From the 28th of February 2026: the 28th (make-up Saturday) only, morning and afternoon.
		{"RotateFromLateDayWrapsIntoAfternoons", xfbot.Month{Year: 2026, Month: 2}, 2, xfbot.RosterRule{Kind: xfbot.RosterRotate, Day: 28},
			"", ""},
		{"RotateOverWorkingDays", xfbot.Month{Year: 2026, Month: 9}, 3, xfbot.RosterRule{Kind: xfbot.RosterRotate, Day: 24},
			"", ""},
		{"NoLeaders", xfbot.Month{Year: 2026, Month: 4}, 0, xfbot.DefaultRosterRule, "", "还没有区领导"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			es, err := xfbot.DraftRoster(tt.month, leadersN(tt.n), tt.rule, cal)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(xfbot.ErrorMessage(err), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(es) != tt.n {
				t.Fatalf("%d entries for %d leaders: %s", len(es), tt.n, rosterText(es))
			}
			seen := map[string]bool{}
			for _, e := range es {
				if !cal.IsWorkday(e.Date) || xfbot.MonthOf(e.Date) != tt.month {
					t.Errorf("%s is not a working day of %s", e.Date, tt.month)
				}
				if seen[e.Leader.OpenID] {
					t.Errorf("%s twice", e.Leader.Name)
				}
				seen[e.Leader.OpenID] = true
			}
			if tt.want != "" && rosterText(es) != tt.want {
				t.Errorf("roster = %s, want %s", rosterText(es), tt.want)
			}
		})
	}
	t.Run("WednesdaysExactDays", func(t *testing.T) {
		es, _ := xfbot.DraftRoster(xfbot.Month{Year: 2026, Month: 2}, leadersN(4), xfbot.DefaultRosterRule, cal)
		var days []string
		for _, e := range es {
			days = append(days, e.Date.String()[8:]+string(e.Slot))
		}
		if got := strings.Join(days, " "); got != "04am 04pm 11am 25am" {
			t.Errorf("days = %s", got)
		}
	})
	t.Run("RotateFromSeptember24SkipsMidAutumn", func(t *testing.T) {
		// 24 Thu, 25 Fri holiday (中秋), 26-27 weekend/holiday, 28 Mon.
		es, _ := xfbot.DraftRoster(xfbot.Month{Year: 2026, Month: 9}, leadersN(3), xfbot.RosterRule{Kind: xfbot.RosterRotate, Day: 24}, cal)
		var days []string
		for _, e := range es {
			days = append(days, e.Date.String()[8:])
		}
		if got := strings.Join(days, " "); got != "24 28 29" {
			t.Errorf("days = %s", got)
		}
	})
	t.Run("LeadersRotateAcrossMonths", func(t *testing.T) {
		first := map[string]bool{}
		for m := time.January; m <= time.March; m++ {
			es, err := xfbot.DraftRoster(xfbot.Month{Year: 2026, Month: m}, leadersN(3), xfbot.RosterRule{Kind: xfbot.RosterRotate, Day: 1}, cal)
			if err != nil {
				t.Fatal(err)
			}
			first[es[0].Leader.Name] = true
		}
		if len(first) != 3 {
			t.Errorf("the first day went to %v over three months, want each leader once", first)
		}
	})
	t.Run("Pure", func(t *testing.T) {
		a, _ := xfbot.DraftRoster(xfbot.Month{Year: 2026, Month: 6}, leadersN(5), xfbot.DefaultRosterRule, cal)
		b, _ := xfbot.DraftRoster(xfbot.Month{Year: 2026, Month: 6}, leadersN(5), xfbot.DefaultRosterRule, cal)
		if rosterText(a) != rosterText(b) {
			t.Errorf("two drafts differ:\n%s\n%s", rosterText(a), rosterText(b))
		}
	})
}

func TestRollToWorkday(t *testing.T) {
	cal := officialCalendar(t)
	for _, tt := range []struct{ in, want string }{
		{"2026-10-01", "2026-10-08"}, // 国庆 → the first working day after
		{"2026-10-10", "2026-10-10"}, // 调休 Saturday is a working day
		{"2026-10-31", "2026-10-30"}, // no working day left in October: back
		{"2026-02-15", "2026-02-24"}, // 春节
		{"2026-03-16", "2026-03-16"},
	} {
		if got := xfbot.RollToWorkday(day(tt.in), cal); got.String() != tt.want {
			t.Errorf("RollToWorkday(%s) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestParseRosterRule(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want xfbot.RosterRule
		bad  string
	}{
		{"每月28日", xfbot.RosterRule{Kind: xfbot.RosterFixedDay, Day: 28}, ""},
		{"15号", xfbot.RosterRule{Kind: xfbot.RosterFixedDay, Day: 15}, ""},
		{"每周三", xfbot.RosterRule{Kind: xfbot.RosterWeekday, Weekday: time.Wednesday}, ""},
		{"星期五", xfbot.RosterRule{Kind: xfbot.RosterWeekday, Weekday: time.Friday}, ""},
		{"轮流", xfbot.RosterRule{Kind: xfbot.RosterRotate, Day: 1}, ""},
		{"5日起轮流", xfbot.RosterRule{Kind: xfbot.RosterRotate, Day: 5}, ""},
		{"每周六", xfbot.RosterRule{}, "周一到周五"},
		{"每月32日", xfbot.RosterRule{}, "看不懂"},
		{"随便", xfbot.RosterRule{}, "看不懂"},
	} {
		t.Run(tt.in, func(t *testing.T) {
			got, err := xfbot.ParseRosterRule(tt.in)
			if tt.bad != "" {
				if err == nil || !strings.Contains(xfbot.ErrorMessage(err), tt.bad) {
					t.Fatalf("err = %v, want %q", err, tt.bad)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

func TestReceptionPeriod(t *testing.T) {
	for _, tt := range []struct {
		day        string
		every      int
		from, to   string
		comparable bool
	}{
		{"2026-02-10", 0, "2026-02-01", "2026-02-28", true},
		{"2026-02-10", 1, "2026-02-01", "2026-02-28", true},
		{"2026-05-31", 3, "2026-04-01", "2026-06-30", true},
		{"2026-12-25", 6, "2026-07-01", "2026-12-31", true},
		{"2026-03-01", 12, "2026-01-01", "2026-12-31", true},
		{"2026-03-01", 5, "2026-03-01", "2026-03-31", true}, // not a divisor of 12: monthly
	} {
		from, to := xfbot.ReceptionPeriod(day(tt.day), tt.every)
		if from.String() != tt.from || to.String() != tt.to {
			t.Errorf("ReceptionPeriod(%s, %d) = %s..%s, want %s..%s", tt.day, tt.every, from, to, tt.from, tt.to)
		}
	}
}

func TestParseMonth(t *testing.T) {
	for _, tt := range []struct{ in, want string }{{"2026-04", "2026-04"}, {"2026年4月", "2026-04"}, {"202612", "2026-12"}, {"2026-4", "2026-04"}} {
		if m, err := xfbot.ParseMonth(tt.in); err != nil || m.String() != tt.want {
			t.Errorf("ParseMonth(%q) = %s, %v", tt.in, m, err)
		}
	}
	if _, err := xfbot.ParseMonth("2026-13"); err == nil {
		t.Error("ParseMonth(2026-13) accepted")
	}
	if m := (xfbot.Month{Year: 2026, Month: 12}).Next(); m.String() != "2027-01" {
		t.Errorf("Next of 2026-12 = %s", m)
	}
}

func TestParseReceptionAndLetterIDs(t *testing.T) {
	for _, tt := range []struct{ in, want string }{{"JF-2026-0003", "JF-2026-0003"}, {"jf-2026-3", "JF-2026-0003"}, {"ＪＦ２０２６０００３", "JF-2026-0003"}} {
		if id, err := xfbot.ParseReceptionID(tt.in); err != nil || string(id) != tt.want {
			t.Errorf("ParseReceptionID(%q) = %s, %v", tt.in, id, err)
		}
	}
	if _, err := xfbot.ParseReceptionID("XF-2026-0003"); err == nil || !strings.Contains(xfbot.ErrorMessage(err), "JF-年份-序号") {
		t.Errorf("a case number accepted as a reception id: %v", err)
	}
	if id, err := xfbot.ParseLetterID("lx-2026-12"); err != nil || id != "LX-2026-0012" {
		t.Errorf("ParseLetterID = %s, %v", id, err)
	}
}

func TestLetterDeadlines(t *testing.T) {
	cal := officialCalendar(t)
	for _, tt := range []struct{ received, read, readOn, assign string }{
		{"2026-03-16", "2026-03-18", "2026-03-17", "2026-03-20"}, // Mon → Wed; read Tue → Fri
		{"2026-09-30", "2026-10-09", "2026-10-08", "2026-10-12"}, // 国庆: Oct 8 and 9; read on the 8th: 9, Sat 10 (调休), 12
		{"2026-02-13", "2026-02-24", "2026-02-24", "2026-02-27"}, // 春节: 14 (调休 Sat), then 24
	} {
		if got := xfbot.LetterReadDue(day(tt.received), cal); got.String() != tt.read {
			t.Errorf("LetterReadDue(%s) = %s, want %s", tt.received, got, tt.read)
		}
		if got := xfbot.LetterAssignDue(day(tt.readOn), cal); got.String() != tt.assign {
			t.Errorf("LetterAssignDue(%s) = %s, want %s", tt.readOn, got, tt.assign)
		}
	}
	l := &xfbot.LeaderLetter{ReadDue: day("2026-03-18")}
	if l.Stage() != xfbot.LetterUnread || l.NextDue() != day("2026-03-18") {
		t.Errorf("a new letter: %s due %s", l.Stage(), l.NextDue())
	}
	l.ReadAt, l.AssignDue = time.Date(2026, 3, 17, 10, 0, 0, 0, time.UTC), day("2026-03-20")
	if l.Stage() != xfbot.LetterRead || l.NextDue() != day("2026-03-20") {
		t.Errorf("an annotated letter: %s due %s", l.Stage(), l.NextDue())
	}
	l.AssignedAt = l.ReadAt
	if l.Stage() != xfbot.LetterAssigned || !l.NextDue().IsZero() {
		t.Errorf("an assigned letter: %s due %s", l.Stage(), l.NextDue())
	}
}

func TestReceptionCompliance(t *testing.T) {
	ls := leadersN(3)
	m := xfbot.Month{Year: 2026, Month: 3}
	rs := []*xfbot.Reception{
		{ID: "JF-2026-0001", Leader: ls[0], Date: day("2026-03-04"), Status: xfbot.ReceptionHeld,
			Record: &xfbot.ReceptionRecord{Batches: 3, Persons: 7, AnsweredOnSpot: 1, Cases: []xfbot.CaseNo{"XF-2026-0009"}}},
		{ID: "JF-2026-0002", Leader: ls[0], Date: day("2026-03-18"), Status: xfbot.ReceptionHeld, Record: &xfbot.ReceptionRecord{Batches: 1, Persons: 2}},
		{ID: "JF-2026-0003", Leader: ls[1], Date: day("2026-03-30"), Status: xfbot.ReceptionPlanned},
		{ID: "JF-2026-0004", Leader: ls[2], Date: day("2026-03-11"), Status: xfbot.ReceptionCancelled},
		{ID: "JF-2026-0005", Leader: ls[2], Date: day("2026-04-01"), Status: xfbot.ReceptionHeld, Record: &xfbot.ReceptionRecord{Batches: 9, Persons: 9}}, // April
		{ID: "JF-2026-0006", Leader: xfbot.Person{OpenID: "ou_former", Name: "前任"}, Date: day("2026-03-05"), Status: xfbot.ReceptionHeld, Record: &xfbot.ReceptionRecord{Batches: 1, Persons: 1}},
	}
	linked := map[xfbot.ReceptionID][]xfbot.CaseNo{"JF-2026-0001": {"XF-2026-0010", "XF-2026-0009"}}
	cases := map[xfbot.CaseNo]*xfbot.Case{
		"XF-2026-0009": {No: "XF-2026-0009", Status: xfbot.StatusResolved},
		"XF-2026-0010": {No: "XF-2026-0010", Status: xfbot.StatusHandling},
	}
	rep := xfbot.ReceptionCompliance(m, ls, rs, linked, cases)
	if rep.Held != 2 || rep.Missing != 2 || rep.Persons != 10 || rep.Batches != 5 || rep.Created != 2 || rep.Solved != 1 {
		t.Fatalf("report = %+v", rep)
	}
	if rep.Leaders[0].Held != 0 || rep.Leaders[1].Held != 0 {
		t.Errorf("leaders without a reception come first: %+v", rep.Leaders)
	}
	for _, lc := range rep.Leaders {
		switch lc.Leader.Name {
		case "甲":
			if lc.Held != 2 || lc.Persons != 9 || lc.Answered != 1 || lc.CasesCreated != 2 || lc.CasesResolved != 1 || len(lc.Days) != 2 {
				t.Errorf("甲 = %+v", lc)
			}
		case "乙":
			if lc.Held != 0 || lc.Planned != 1 {
				t.Errorf("乙 = %+v", lc)
			}
		case "丙":
			if lc.Held != 0 || lc.Persons != 0 {
				t.Errorf("丙 (a cancelled March, a held April) = %+v", lc)
			}
		}
	}
}
