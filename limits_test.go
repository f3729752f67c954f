package xfbot_test

import (
	"testing"

	"github.com/qingchuan/xfbot"
)

func TestDeadlineRules(t *testing.T) {
	cal, err := xfbot.NewCalendar(xfbot.DefaultHolidayTables()...)
	if err != nil {
		t.Fatal(err)
	}
	d := func(s string) xfbot.Date {
		x, err := xfbot.ParseDate(s)
		if err != nil {
			t.Fatal(err)
		}
		return x
	}
	tests := []struct {
		name   string
		kind   xfbot.DeadlineKind
		start  string
		extra  int
		pauses []xfbot.Pause
		want   string
	}{
		// 15 days from 2026-09-20 end on 10-05, inside the National Day
		// holiday: rolled to the first working day after it, 10-08.
		{"AcceptIntoNationalDay", xfbot.DeadlineAccept, "2026-09-20", 0, nil, "2026-10-08"},
		// 60 days from 2026-08-11 end on Saturday 10-10, a 调休 working day: kept.
		{"HandleOnMakeUpSaturday", xfbot.DeadlineHandle, "2026-08-11", 0, nil, "2026-10-10"},
		// 60 + 30 from 2026-07-03 end on 10-01: rolled to 10-08.
		{"ExtensionIntoHoliday", xfbot.DeadlineHandle, "2026-07-03", 30, nil, "2026-10-08"},
		// A 12-day hearing pushes a 30-day review decision by 12 days.
		{"RecheckWithHearing", xfbot.DeadlineRecheckDecide, "2026-03-02", 0,
			[]xfbot.Pause{{From: d("2026-03-10"), To: d("2026-03-21"), Reason: "听证"}}, "2026-04-13"},
		// Ten working days from Wednesday 2026-09-23: 9-24, 9-28, 9-29, 9-30,
		// 10-08, 10-09, the make-up Saturday 10-10, 10-12, 10-13, 10-14 (中秋
		// 9-25..27 and 国庆 10-01..07 skipped).
		{"SimpleAcrossHolidays", xfbot.DeadlineSimpleHandle, "2026-09-23", 0, nil, "2026-10-14"},
		// Two working days from a Friday: Tuesday.
		{"LetterReadOverWeekend", xfbot.DeadlineLetterRead, "2026-03-13", 0, nil, "2026-03-17"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, ok := xfbot.RuleOf(tt.kind)
			if !ok {
				t.Fatalf("no rule for %s", tt.kind)
			}
			if got := r.Due(d(tt.start), tt.extra, cal, tt.pauses).String(); got != tt.want {
				t.Fatalf("%s from %s (+%d) = %s, want %s", tt.kind, tt.start, tt.extra, got, tt.want)
			}
		})
	}
	if r, _ := xfbot.RuleOf(xfbot.DeadlineHandle); !r.Statutory || r.Days != 60 || r.Mode != xfbot.DayCalendarRollover {
		t.Errorf("handle rule %+v", r)
	}
}
