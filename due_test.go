package xfbot_test

import (
	"strings"
	"testing"

	"github.com/qingchuan/xfbot"
)

func TestDueAsOf(t *testing.T) {
	cal, err := xfbot.NewCalendar(xfbot.DefaultHolidayTables()...)
	if err != nil {
		t.Fatal(err)
	}
	pause := func(from, to string) xfbot.Pause {
		p := xfbot.Pause{From: day(from), Reason: "听证"}
		if to != "" {
			p.To = day(to)
		}
		return p
	}
	tests := []struct {
		name  string
		c     xfbot.Case
		today string
		want  string
	}{
		{"Statutory60", xfbot.Case{AcceptedOn: day("2026-03-01")}, "2026-03-16", "2026-04-30"},
		{"StatutoryRollsPastMayDay", xfbot.Case{AcceptedOn: day("2026-03-02")}, "2026-03-16", "2026-05-06"},
		{"Extended", xfbot.Case{AcceptedOn: day("2026-03-01"), ExtensionDays: 20}, "2026-03-16", "2026-05-20"},
		{"PausedDaysPush", xfbot.Case{AcceptedOn: day("2026-03-01"), Pauses: []xfbot.Pause{pause("2026-03-10", "2026-03-19")}}, "2026-03-20", "2026-05-11"},
		{"RunningPauseCountsToToday", xfbot.Case{AcceptedOn: day("2026-03-01"), Pauses: []xfbot.Pause{pause("2026-03-10", "")}}, "2026-03-12", "2026-05-06"},
		{"SetByHand", xfbot.Case{AcceptedOn: day("2026-03-01"), DueOverride: day("2026-05-20"), DueSetOn: day("2026-03-16")}, "2026-03-16", "2026-05-20"},
		{"SetByHandPushedByLaterPause", xfbot.Case{AcceptedOn: day("2026-03-01"), DueOverride: day("2026-05-20"), DueSetOn: day("2026-03-16"),
			Pauses: []xfbot.Pause{pause("2026-03-10", "2026-03-19")}}, "2026-03-20", "2026-05-25"}, // 03-17..19 count: 05-23, a Saturday, rolled
		{"SetByHandKeepsIncludedExtension", xfbot.Case{AcceptedOn: day("2026-03-01"), ExtensionDays: 20, DueExt: 20, DueOverride: day("2026-05-25"), DueSetOn: day("2026-03-16")}, "2026-03-16", "2026-05-25"},
		{"ExtensionAfterSetByHandAdds", xfbot.Case{AcceptedOn: day("2026-03-01"), ExtensionDays: 10, DueOverride: day("2026-05-20"), DueSetOn: day("2026-03-16")}, "2026-03-16", "2026-06-01"},
		{"StatedAtRegistrationAlreadyPast", xfbot.Case{AcceptedOn: day("2026-01-05"), DueOverride: day("2026-01-05"), DueSetOn: day("2026-01-05")}, "2026-03-16", "2026-01-05"},
		{"LegacyOverrideIgnoresEarlierPauses", xfbot.Case{AcceptedOn: day("2026-03-01"), DueOverride: day("2026-04-30"),
			Pauses: []xfbot.Pause{pause("2026-03-10", "2026-03-19")}}, "2026-03-20", "2026-04-30"},
		{"LegacyOverridePushedByAPauseOverIt", xfbot.Case{AcceptedOn: day("2026-03-01"), DueOverride: day("2026-04-30"),
			Pauses: []xfbot.Pause{pause("2026-04-29", "2026-05-01")}}, "2026-05-02", "2026-05-06"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.c
			if got := c.DueAsOf(cal, day(tt.today)); got.String() != tt.want {
				t.Errorf("DueAsOf = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestCheckDue(t *testing.T) {
	c := xfbot.Case{No: "XF-2026-0001", AcceptedOn: day("2026-03-01")} // limit: +90 = 2026-05-30 (Sat) → 06-01
	today := day("2026-03-16")
	tests := []struct {
		name, date string
		target     bool
		want       string // the date set, or a part of the refusal
		rolled     bool
	}{
		{"WithinLimit", "2026-05-20", false, "2026-05-20", false},
		{"RestDayRolls", "2026-05-23", false, "2026-05-25", true},
		{"AtTheLimit", "2026-06-01", false, "2026-06-01", false},
		{"PastTheLimit", "2026-06-02", false, "超过法定最长期限 2026-06-01", false},
		{"PastTheLimitAsTarget", "2026-09-28", true, "2026-09-28", false},
		{"BeforeAcceptance", "2026-02-28", true, "早于受理日期", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, rolled, err := c.CheckDue(day(tt.date), tt.target, nil, today)
			if err != nil {
				if !strings.Contains(xfbot.ErrorMessage(err), tt.want) || xfbot.ErrorCode(err) != xfbot.EINVALID {
					t.Fatalf("error %v, want one saying %q", err, tt.want)
				}
				return
			}
			if got.String() != tt.want || rolled != tt.rolled {
				t.Errorf("CheckDue = %s (rolled %v), want %s (%v)", got, rolled, tt.want, tt.rolled)
			}
		})
	}
}
