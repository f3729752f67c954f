package xfbot_test

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/qingchuan/xfbot"
)

func pause(from, to xfbot.Date) xfbot.Pause {
	return xfbot.Pause{From: from, To: to, Reason: "听证"}
}

func TestComputeDue(t *testing.T) {
	official := officialCalendar(t)
	synthetic := syntheticCalendar(t)
	const (
		cal  = xfbot.DayCalendar
		roll = xfbot.DayCalendarRollover
		work = xfbot.DayWorking
	)
	cases := []struct {
		name   string
		start  xfbot.Date
		days   int
		mode   xfbot.DayMode
		cal    *xfbot.Calendar
		pauses []xfbot.Pause
		want   xfbot.Date
	}{
		// Plain counting: the start day does not count (民法典 第201条).
		{"Calendar/15DaysFromMonday", d(2026, 3, 16), 15, cal, official, nil, d(2026, 3, 31)},
		{"Calendar/1Day", d(2026, 3, 16), 1, cal, official, nil, d(2026, 3, 17)},
		{"Calendar/60DaysAcrossMonthEnds", d(2026, 3, 16), 60, cal, official, nil, d(2026, 5, 15)},
		{"Calendar/EndsSaturdayNotRolled", d(2026, 3, 13), 15, cal, official, nil, d(2026, 3, 28)},
		{"Calendar/EndsInNationalDayNotRolled", d(2026, 9, 18), 15, cal, official, nil, d(2026, 10, 3)},
		{"Calendar/AcrossYearEnd", d(2026, 12, 20), 30, cal, official, nil, d(2027, 1, 19)},

		// calendar_rollover: a last day off moves to the next working day (第203条).
		{"Rollover/EndsOnWeekdayNoRoll", d(2026, 3, 16), 15, roll, official, nil, d(2026, 3, 31)},
		{"Rollover/EndsSaturday", d(2026, 3, 13), 15, roll, official, nil, d(2026, 3, 30)},
		{"Rollover/EndsSunday", d(2026, 3, 14), 15, roll, official, nil, d(2026, 3, 30)},
		{"Rollover/EndsSaturdayNilCalendar", d(2026, 3, 13), 15, roll, nil, nil, d(2026, 3, 30)},
		{"Rollover/60DaysEndInNationalDay", d(2026, 8, 3), 60, roll, official, nil, d(2026, 10, 8)},
		{"Rollover/15DaysEndInNationalDay", d(2026, 9, 18), 15, roll, official, nil, d(2026, 10, 8)},
		{"Rollover/EndsOnLastDayOfNationalDay", d(2026, 9, 22), 15, roll, official, nil, d(2026, 10, 8)},
		{"Rollover/EndsOnMakeUpSaturday1010NoRoll", d(2026, 9, 25), 15, roll, official, nil, d(2026, 10, 10)},
		{"Rollover/EndsOnMakeUpSunday0920NoRoll", d(2026, 9, 5), 15, roll, official, nil, d(2026, 9, 20)},
		{"Rollover/1010WithoutTableIsPlainSaturday", d(2026, 9, 25), 15, roll, nil, nil, d(2026, 10, 12)},
		{"Rollover/NationalDayWithoutTable", d(2026, 9, 18), 15, roll, nil, nil, d(2026, 10, 5)},
		{"Rollover/EndsInSpringFestival", d(2026, 1, 31), 15, roll, official, nil, d(2026, 2, 24)},
		{"Rollover/EndsInMidAutumnRunsToMonday", d(2026, 9, 10), 15, roll, official, nil, d(2026, 9, 28)},
		{"Rollover/UnknownModeIsStatutoryDefault", d(2026, 3, 13), 15, xfbot.DayMode("bogus"), official, nil, d(2026, 3, 30)},
		{"Rollover/EmptyModeIsStatutoryDefault", d(2026, 3, 13), 15, "", official, nil, d(2026, 3, 30)},

		// 办结 60 days + 延期 30 days = 90 days whose last day is a holiday.
		{"Extension/60Plus30EndsInNationalDay", d(2026, 7, 4), 60 + 30, roll, official, nil, d(2026, 10, 8)},
		{"Extension/60Plus30EndsInSyntheticHoliday", d(2026, 1, 4), 60 + 30, roll, synthetic, nil, d(2026, 4, 7)},
		{"Extension/60WithoutExtensionNoRoll", d(2026, 1, 4), 60, roll, synthetic, nil, d(2026, 3, 5)},

		// Pauses (听证、鉴定) do not count and push the end later.
		{"Pause/12DayHearing", d(2026, 3, 16), 30, roll, official,
			[]xfbot.Pause{pause(d(2026, 3, 20), d(2026, 3, 31))}, d(2026, 4, 27)},
		{"Pause/12DayHearingCalendarMode", d(2026, 3, 16), 30, cal, official,
			[]xfbot.Pause{pause(d(2026, 3, 20), d(2026, 3, 31))}, d(2026, 4, 27)},
		{"Pause/12DayHearingThenRollover", d(2026, 3, 1), 30, roll, synthetic,
			[]xfbot.Pause{pause(d(2026, 3, 10), d(2026, 3, 21))}, d(2026, 4, 13)},
		{"Pause/OverlappingCountedOnce", d(2026, 3, 16), 30, roll, official,
			[]xfbot.Pause{pause(d(2026, 3, 23), d(2026, 3, 31)), pause(d(2026, 3, 20), d(2026, 3, 25))}, d(2026, 4, 27)},
		{"Pause/SamePauseTwice", d(2026, 3, 16), 30, roll, official,
			[]xfbot.Pause{pause(d(2026, 3, 20), d(2026, 3, 31)), pause(d(2026, 3, 20), d(2026, 3, 31))}, d(2026, 4, 27)},
		{"Pause/NestedPause", d(2026, 3, 16), 30, roll, official,
			[]xfbot.Pause{pause(d(2026, 3, 20), d(2026, 3, 31)), pause(d(2026, 3, 22), d(2026, 3, 24))}, d(2026, 4, 27)},
		{"Pause/AdjacentPauses", d(2026, 3, 16), 30, roll, official,
			[]xfbot.Pause{pause(d(2026, 3, 20), d(2026, 3, 25)), pause(d(2026, 3, 26), d(2026, 3, 31))}, d(2026, 4, 27)},
		{"Pause/EntirelyBeforeStartIgnored", d(2026, 3, 16), 15, cal, official,
			[]xfbot.Pause{pause(d(2026, 3, 1), d(2026, 3, 10))}, d(2026, 3, 31)},
		{"Pause/OnStartDayIgnored", d(2026, 3, 16), 15, cal, official,
			[]xfbot.Pause{pause(d(2026, 3, 16), d(2026, 3, 16))}, d(2026, 3, 31)},
		{"Pause/StartingDayAfterDueIgnored", d(2026, 3, 16), 15, cal, official,
			[]xfbot.Pause{pause(d(2026, 4, 1), d(2026, 4, 10))}, d(2026, 3, 31)},
		{"Pause/StartingOnDueDayExtends", d(2026, 3, 16), 15, cal, official,
			[]xfbot.Pause{pause(d(2026, 3, 31), d(2026, 3, 31))}, d(2026, 4, 1)},
		{"Pause/CoveringStartDelaysCounting", d(2026, 3, 16), 15, cal, official,
			[]xfbot.Pause{pause(d(2026, 3, 10), d(2026, 3, 20))}, d(2026, 4, 4)},
		{"Pause/ExtensionRunsIntoSecondPause", d(2026, 3, 16), 10, cal, official,
			[]xfbot.Pause{pause(d(2026, 3, 20), d(2026, 3, 24)), pause(d(2026, 3, 30), d(2026, 3, 31))}, d(2026, 4, 2)},
		{"Pause/InvalidPausesIgnored", d(2026, 3, 16), 15, cal, official,
			[]xfbot.Pause{pause(d(2026, 3, 25), d(2026, 3, 20)), {From: d(2026, 3, 20)}, {To: d(2026, 3, 25)}}, d(2026, 3, 31)},
		{"Pause/RolloverSkipsPausedMonday", d(2026, 3, 13), 15, roll, official,
			[]xfbot.Pause{pause(d(2026, 3, 30), d(2026, 3, 30))}, d(2026, 3, 31)},

		// Working days: 简易办理、督查整改、来信阅批.
		{"Working/10DaysPlain", d(2026, 3, 16), 10, work, official, nil, d(2026, 3, 30)},
		{"Working/10DaysNilCalendar", d(2026, 3, 16), 10, work, nil, nil, d(2026, 3, 30)},
		{"Working/FromFridayStartsMonday", d(2026, 3, 20), 1, work, official, nil, d(2026, 3, 23)},
		{"Working/SpringFestivalWithMakeUpSaturday0214", d(2026, 2, 12), 5, work, official, nil, d(2026, 2, 26)},
		{"Working/SpringFestivalWithBothMakeUpSaturdays", d(2026, 2, 12), 10, work, official, nil, d(2026, 3, 4)},
		{"Working/SpringFestivalEndsOnMakeUp0228", d(2026, 2, 12), 7, work, official, nil, d(2026, 2, 28)},
		{"Working/SpringFestivalWithoutTable", d(2026, 2, 12), 10, work, nil, nil, d(2026, 2, 26)},
		{"Working/SimpleHandleAcrossNationalDay", d(2026, 9, 28), 10, work, official, nil, d(2026, 10, 16)},
		{"Working/StartOnHoliday", d(2026, 10, 3), 1, work, official, nil, d(2026, 10, 8)},
		{"Working/PauseSkipsWorkingDays", d(2026, 3, 16), 10, work, official,
			[]xfbot.Pause{pause(d(2026, 3, 18), d(2026, 3, 19))}, d(2026, 4, 1)},
		{"Working/OverlappingPauses", d(2026, 3, 16), 10, work, official,
			[]xfbot.Pause{pause(d(2026, 3, 18), d(2026, 3, 19)), pause(d(2026, 3, 17), d(2026, 3, 18))}, d(2026, 4, 2)},

		// The synthetic calendar of petition-domain §5.
		{"Synthetic/RolloverFromSaturdayHoliday", d(2026, 3, 20), 15, roll, synthetic, nil, d(2026, 4, 7)},
		{"Synthetic/RolloverFromMondayHoliday", d(2026, 3, 22), 15, roll, synthetic, nil, d(2026, 4, 7)},
		{"Synthetic/EndsOnMakeUpDayNoRoll", d(2026, 3, 23), 15, roll, synthetic, nil, d(2026, 4, 7)},
		{"Synthetic/CalendarModeNoRoll", d(2026, 3, 20), 15, cal, synthetic, nil, d(2026, 4, 4)},
		{"Synthetic/WorkingAcrossHoliday", d(2026, 4, 2), 3, work, synthetic, nil, d(2026, 4, 8)},
		{"Synthetic/WorkingFromHoliday", d(2026, 4, 4), 1, work, synthetic, nil, d(2026, 4, 7)},

		// Degenerate input.
		{"Zero/DaysZeroReturnsStart", d(2026, 10, 3), 0, roll, official, nil, d(2026, 10, 3)},
		{"Zero/DaysZeroWorking", d(2026, 10, 3), 0, work, official, nil, d(2026, 10, 3)},
		{"Zero/NegativeDaysReturnsStart", d(2026, 3, 16), -5, cal, official, nil, d(2026, 3, 16)},
		{"Zero/ZeroStartNoDeadline", xfbot.Date{}, 15, roll, official, nil, xfbot.Date{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := xfbot.ComputeDue(tc.start, tc.days, tc.mode, tc.cal, tc.pauses)
			if got != tc.want {
				t.Fatalf("ComputeDue(%v, %d, %s) = %v (%v), want %v (%v)",
					tc.start, tc.days, tc.mode, got, got.Weekday(), tc.want, tc.want.Weekday())
			}
		})
	}
}

func TestComputeDueHostileInput(t *testing.T) {
	official := officialCalendar(t)
	start := d(2026, 3, 16)
	cases := []struct {
		name   string
		days   int
		mode   xfbot.DayMode
		pauses []xfbot.Pause
	}{
		{"HugeDaysCalendar", math.MaxInt, xfbot.DayCalendar, nil},
		{"HugeDaysRollover", math.MaxInt, xfbot.DayCalendarRollover, nil},
		{"HugeDaysWorking", math.MaxInt, xfbot.DayWorking, nil},
		{"HugePause", 15, xfbot.DayCalendarRollover, []xfbot.Pause{pause(d(2026, 3, 20), d(9999, 12, 31))}},
		{"HugePauseWorking", 15, xfbot.DayWorking, []xfbot.Pause{pause(d(2026, 3, 20), d(9999, 12, 31))}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := xfbot.ComputeDue(start, tc.days, tc.mode, official, tc.pauses)
			if !got.After(start) {
				t.Fatalf("ComputeDue = %v, want a day after %v", got, start)
			}
		})
	}
}

func TestDeadlineParseDayMode(t *testing.T) {
	cases := []struct {
		name, in string
		want     xfbot.DayMode
		wantErr  bool
	}{
		{"Calendar", "calendar", xfbot.DayCalendar, false},
		{"Rollover", "calendar_rollover", xfbot.DayCalendarRollover, false},
		{"RolloverDash", "Calendar-Rollover", xfbot.DayCalendarRollover, false},
		{"Working", " working ", xfbot.DayWorking, false},
		{"ChineseCalendar", "自然日", xfbot.DayCalendar, false},
		{"ChineseRollover", "自然日顺延", xfbot.DayCalendarRollover, false},
		{"ChineseWorking", "工作日", xfbot.DayWorking, false},
		{"Empty", "", "", true},
		{"Unknown", "weekly", "", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := xfbot.ParseDayMode(tc.in)
			if (err != nil) != tc.wantErr {
				t.Fatalf("ParseDayMode(%q) error = %v, wantErr %v", tc.in, err, tc.wantErr)
			}
			if got != tc.want {
				t.Fatalf("ParseDayMode(%q) = %q, want %q", tc.in, got, tc.want)
			}
			if err != nil && !strings.Contains(err.Error(), "calendar_rollover") {
				t.Errorf("error %q does not list the choices", err)
			}
		})
	}
	t.Run("Labels", func(t *testing.T) {
		for _, m := range []xfbot.DayMode{xfbot.DayCalendar, xfbot.DayCalendarRollover, xfbot.DayWorking} {
			if l := m.Label(); l == "" || l == string(m) {
				t.Errorf("%s has no Chinese label", m)
			}
		}
	})
}

func TestLevel(t *testing.T) {
	today := d(2026, 3, 16)
	custom := xfbot.Thresholds{Yellow: 5, Orange: 2, Black: 10} // e.g. a 15-day period
	cases := []struct {
		name       string
		th         xfbot.Thresholds
		due, today xfbot.Date
		want       xfbot.Level
	}{
		{"Left8Green", xfbot.DefaultThresholds, today.AddDays(8), today, xfbot.LevelGreen},
		{"Left7Yellow", xfbot.DefaultThresholds, today.AddDays(7), today, xfbot.LevelYellow},
		{"Left4Yellow", xfbot.DefaultThresholds, today.AddDays(4), today, xfbot.LevelYellow},
		{"Left3Orange", xfbot.DefaultThresholds, today.AddDays(3), today, xfbot.LevelOrange},
		{"Left1Orange", xfbot.DefaultThresholds, today.AddDays(1), today, xfbot.LevelOrange},
		{"DueTodayOrange", xfbot.DefaultThresholds, today, today, xfbot.LevelOrange},
		{"Overdue1Red", xfbot.DefaultThresholds, today.AddDays(-1), today, xfbot.LevelRed},
		{"Overdue30Red", xfbot.DefaultThresholds, today.AddDays(-30), today, xfbot.LevelRed},
		{"Overdue31Black", xfbot.DefaultThresholds, today.AddDays(-31), today, xfbot.LevelBlack},
		{"Overdue400Black", xfbot.DefaultThresholds, today.AddDays(-400), today, xfbot.LevelBlack},
		{"Left365Green", xfbot.DefaultThresholds, today.AddDays(365), today, xfbot.LevelGreen},
		{"ZeroDueNone", xfbot.DefaultThresholds, xfbot.Date{}, today, xfbot.LevelNone},
		{"ZeroTodayNone", xfbot.DefaultThresholds, today, xfbot.Date{}, xfbot.LevelNone},
		{"Custom/Left6Green", custom, today.AddDays(6), today, xfbot.LevelGreen},
		{"Custom/Left5Yellow", custom, today.AddDays(5), today, xfbot.LevelYellow},
		{"Custom/Left2Orange", custom, today.AddDays(2), today, xfbot.LevelOrange},
		{"Custom/Overdue10Red", custom, today.AddDays(-10), today, xfbot.LevelRed},
		{"Custom/Overdue11Black", custom, today.AddDays(-11), today, xfbot.LevelBlack},
		{"Zero/ThresholdsDueTodayOrange", xfbot.Thresholds{}, today, today, xfbot.LevelOrange},
		{"Zero/ThresholdsTomorrowGreen", xfbot.Thresholds{}, today.AddDays(1), today, xfbot.LevelGreen},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.th.Level(tc.due, tc.today); got != tc.want {
				t.Fatalf("Level(due %v, today %v) = %v, want %v", tc.due, tc.today, got, tc.want)
			}
		})
	}
}

func TestLevelPresentation(t *testing.T) {
	cases := []struct {
		name                        string
		l                           xfbot.Level
		emoji, label, color, string string
	}{
		{"None", xfbot.LevelNone, "", "", "grey", "none"},
		{"Green", xfbot.LevelGreen, "🟢", "正常", "green", "green"},
		{"Yellow", xfbot.LevelYellow, "🟡", "临期", "yellow", "yellow"},
		{"Orange", xfbot.LevelOrange, "🟠", "紧急", "orange", "orange"},
		{"Red", xfbot.LevelRed, "🔴", "超期", "red", "red"},
		{"Black", xfbot.LevelBlack, "⚫", "严重超期", "carmine", "black"},
		{"OutOfRange", xfbot.Level(42), "", "", "grey", "Level(42)"},
		{"Negative", xfbot.Level(-1), "", "", "grey", "Level(-1)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.l.Emoji(); got != tc.emoji {
				t.Errorf("Emoji() = %q, want %q", got, tc.emoji)
			}
			if got := tc.l.Label(); got != tc.label {
				t.Errorf("Label() = %q, want %q", got, tc.label)
			}
			if got := tc.l.Color(); got != tc.color {
				t.Errorf("Color() = %q, want %q", got, tc.color)
			}
			if got := tc.l.String(); got != tc.string {
				t.Errorf("String() = %q, want %q", got, tc.string)
			}
		})
	}
	t.Run("OrderedBySeverity", func(t *testing.T) {
		ls := []xfbot.Level{xfbot.LevelNone, xfbot.LevelGreen, xfbot.LevelYellow, xfbot.LevelOrange, xfbot.LevelRed, xfbot.LevelBlack}
		for i := 1; i < len(ls); i++ {
			if !(ls[i-1] < ls[i]) {
				t.Fatalf("%v is not less severe than %v", ls[i-1], ls[i])
			}
		}
	})
}

func TestLevelThresholdsValidate(t *testing.T) {
	cases := []struct {
		name    string
		th      xfbot.Thresholds
		wantErr bool
	}{
		{"Default", xfbot.DefaultThresholds, false},
		{"FifteenDay", xfbot.Thresholds{Yellow: 5, Orange: 3, Black: 30}, false},
		{"EqualYellowOrange", xfbot.Thresholds{Yellow: 3, Orange: 3, Black: 30}, false},
		{"NegativeOrange", xfbot.Thresholds{Yellow: 7, Orange: -1, Black: 30}, true},
		{"YellowBelowOrange", xfbot.Thresholds{Yellow: 2, Orange: 3, Black: 30}, true},
		{"BlackZero", xfbot.Thresholds{Yellow: 7, Orange: 3, Black: 0}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.th.Validate(); (err != nil) != tc.wantErr {
				t.Fatalf("Validate() = %v, wantErr %v", err, tc.wantErr)
			}
		})
	}
}

func TestDueDaysLeft(t *testing.T) {
	today := d(2026, 3, 16)
	cases := []struct {
		name       string
		due, today xfbot.Date
		want       int
	}{
		{"Future", d(2026, 3, 31), today, 15},
		{"Today", today, today, 0},
		{"Overdue", d(2026, 3, 1), today, -15},
		{"AcrossYear", d(2027, 1, 1), d(2026, 12, 31), 1},
		{"ZeroDue", xfbot.Date{}, today, 0},
		{"ZeroToday", today, xfbot.Date{}, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := xfbot.DaysLeft(tc.due, tc.today); got != tc.want {
				t.Fatalf("DaysLeft(%v, %v) = %d, want %d", tc.due, tc.today, got, tc.want)
			}
		})
	}
}

// TestComputeDueMatchesDayByDay compares ComputeDue with the obvious walk, one
// day at a time, on random starts, lengths and (overlapping) pauses around the
// 2026 holidays.
func TestComputeDueMatchesDayByDay(t *testing.T) {
	official := officialCalendar(t)
	rng := rand.New(rand.NewPCG(2026, 316))
	base := d(2025, 12, 1)
	for i := 0; i < 3000; i++ {
		start := base.AddDays(rng.IntN(400))
		days := 1 + rng.IntN(95)
		var ps []xfbot.Pause
		for range rng.IntN(4) {
			from := start.AddDays(rng.IntN(120) - 10)
			ps = append(ps, pause(from, from.AddDays(rng.IntN(15))))
		}
		paused := func(x xfbot.Date) bool {
			for _, p := range ps {
				if !x.Before(p.From) && !x.After(p.To) {
					return true
				}
			}
			return false
		}
		for _, mode := range []xfbot.DayMode{xfbot.DayCalendar, xfbot.DayCalendarRollover, xfbot.DayWorking} {
			want, left := start, days
			for left > 0 {
				want = want.AddDays(1)
				if !paused(want) && (mode != xfbot.DayWorking || official.IsWorkday(want)) {
					left--
				}
			}
			if mode == xfbot.DayCalendarRollover {
				for paused(want) || !official.IsWorkday(want) {
					want = want.AddDays(1)
				}
			}
			if got := xfbot.ComputeDue(start, days, mode, official, ps); got != want {
				t.Fatalf("ComputeDue(%v, %d, %s, pauses %v) = %v, want %v", start, days, mode, ps, got, want)
			}
		}
	}
}
