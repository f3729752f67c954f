package xfbot_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/qingchuan/xfbot"
)

// syntheticCalendar is the test calendar of petition-domain §5: 2026-04-04..06
// off and 04-07 a make-up working day. It is not the real arrangement, so that
// tests do not move when a yearly table is corrected.
func syntheticCalendar(t *testing.T) *xfbot.Calendar {
	t.Helper()
	cal, err := xfbot.NewCalendar(xfbot.HolidayTable{
		Year:     2026,
		Holidays: []string{"2026-04-04..2026-04-06"},
		Workdays: []string{"2026-04-07"},
	})
	if err != nil {
		t.Fatalf("synthetic calendar: %v", err)
	}
	return cal
}

func officialCalendar(t *testing.T) *xfbot.Calendar {
	t.Helper()
	cal, err := xfbot.NewCalendar(xfbot.DefaultHolidayTables()...)
	if err != nil {
		t.Fatalf("default holiday tables: %v", err)
	}
	return cal
}

func TestCalendarValidation(t *testing.T) {
	cases := []struct {
		name    string
		tables  []xfbot.HolidayTable
		wantErr string // substring of the error; "" means no error
	}{
		{"None", nil, ""},
		{"SingleDatesAndRanges", []xfbot.HolidayTable{{Year: 2026, Holidays: []string{"2026-10-01..2026-10-07", "2026/9/25"}, Workdays: []string{"2026-10-10"}}}, ""},
		{"TildeAndZhiRanges", []xfbot.HolidayTable{{Year: 2026, Holidays: []string{"2026-10-01~2026-10-03", "2026年5月1日至2026年5月5日"}}}, ""},
		{"OverlappingHolidayRanges", []xfbot.HolidayTable{{Year: 2026, Holidays: []string{"2026-10-01..2026-10-05", "2026-10-03..2026-10-07"}}}, ""},
		{"BadDate", []xfbot.HolidayTable{{Year: 2026, Holidays: []string{"2026-13-40"}}}, `"2026-13-40"无效`},
		{"BadRangeEnd", []xfbot.HolidayTable{{Year: 2026, Holidays: []string{"2026-10-01..2026-10-32"}}}, "2026-10-32"},
		{"ReversedRange", []xfbot.HolidayTable{{Year: 2026, Holidays: []string{"2026-10-07..2026-10-01"}}}, "结束日早于开始日"},
		{"EmptyEntry", []xfbot.HolidayTable{{Year: 2026, Workdays: []string{" "}}}, "不能为空"},
		{"HolidayOutsideYear", []xfbot.HolidayTable{{Year: 2026, Holidays: []string{"2027-01-01"}}}, "不在 2026 年内"},
		{"RangeCrossingYear", []xfbot.HolidayTable{{Year: 2026, Holidays: []string{"2026-12-31..2027-01-02"}}}, "不在 2026 年内"},
		{"WorkdayOutsideYear", []xfbot.HolidayTable{{Year: 2027, Workdays: []string{"2026-10-10"}}}, "不在 2027 年内"},
		{"BothHolidayAndWorkday", []xfbot.HolidayTable{{Year: 2026, Holidays: []string{"2026-10-01..2026-10-07"}, Workdays: []string{"2026-10-04"}}}, "2026-10-04 既是放假日又是调休上班日"},
		{"DuplicateYear", []xfbot.HolidayTable{{Year: 2026}, {Year: 2026}}, "2026 年出现了两次"},
		{"YearZero", []xfbot.HolidayTable{{Holidays: []string{"2026-10-01"}}}, "年份 0 无效"},
		{"ErrorNamesEntry", []xfbot.HolidayTable{{Year: 2026, Holidays: []string{"2026-10-01", "2026-1o-02"}}}, "holidays 第2项"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cal, err := xfbot.NewCalendar(tc.tables...)
			if tc.wantErr == "" {
				if err != nil || cal == nil {
					t.Fatalf("NewCalendar error: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("NewCalendar succeeded, want error containing %q", tc.wantErr)
			}
			if cal != nil {
				t.Errorf("NewCalendar returned a calendar with the error")
			}
			if !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("error %q does not contain %q", err.Error(), tc.wantErr)
			}
		})
	}
}

func TestCalendarDays(t *testing.T) {
	official := officialCalendar(t)
	synthetic := syntheticCalendar(t)
	var none *xfbot.Calendar
	cases := []struct {
		name             string
		cal              *xfbot.Calendar
		day              xfbot.Date
		workday, holiday bool
	}{
		{"Nil/Monday", none, d(2026, 3, 16), true, false},
		{"Nil/Saturday", none, d(2026, 3, 14), false, false},
		{"Nil/NationalDayIsPlainThursday", none, d(2026, 10, 1), true, false},
		{"Official/Monday", official, d(2026, 3, 16), true, false},
		{"Official/Saturday", official, d(2026, 3, 14), false, false},
		{"Official/Sunday", official, d(2026, 3, 15), false, false},
		{"Official/NewYear", official, d(2026, 1, 1), false, true},
		{"Official/NewYearMakeUpSunday", official, d(2026, 1, 4), true, false},
		{"Official/SpringFestivalMakeUpBefore", official, d(2026, 2, 14), true, false},
		{"Official/SpringFestivalFirst", official, d(2026, 2, 15), false, true},
		{"Official/SpringFestivalLast", official, d(2026, 2, 23), false, true},
		{"Official/AfterSpringFestival", official, d(2026, 2, 24), true, false},
		{"Official/SpringFestivalMakeUpAfter", official, d(2026, 2, 28), true, false},
		{"Official/Qingming", official, d(2026, 4, 6), false, true},
		{"Official/LabourDayTuesday", official, d(2026, 5, 5), false, true},
		{"Official/LabourMakeUp", official, d(2026, 5, 9), true, false},
		{"Official/DragonBoat", official, d(2026, 6, 19), false, true},
		{"Official/MidAutumn", official, d(2026, 9, 25), false, true},
		{"Official/NationalMakeUpSunday", official, d(2026, 9, 20), true, false},
		{"Official/NationalDay", official, d(2026, 10, 1), false, true},
		{"Official/NationalDayLast", official, d(2026, 10, 7), false, true},
		{"Official/NationalDayAfter", official, d(2026, 10, 8), true, false},
		{"Official/NationalMakeUpSaturday", official, d(2026, 10, 10), true, false},
		{"Official/2027SpringFestival", official, d(2027, 2, 5), false, true},
		{"Official/2027MakeUp", official, d(2027, 2, 14), true, false},
		{"Official/UncoveredYearWeekday", official, d(2028, 10, 2), true, false},
		{"Synthetic/Holiday", synthetic, d(2026, 4, 4), false, true},
		{"Synthetic/HolidayMonday", synthetic, d(2026, 4, 6), false, true},
		{"Synthetic/MakeUpTuesday", synthetic, d(2026, 4, 7), true, false},
		{"Synthetic/RealNationalDayNotInTable", synthetic, d(2026, 10, 1), true, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.cal.IsWorkday(tc.day); got != tc.workday {
				t.Errorf("IsWorkday(%v %v) = %v, want %v", tc.day, tc.day.Weekday(), got, tc.workday)
			}
			if got := tc.cal.IsHoliday(tc.day); got != tc.holiday {
				t.Errorf("IsHoliday(%v) = %v, want %v", tc.day, got, tc.holiday)
			}
		})
	}
}

func TestCalendarYears(t *testing.T) {
	t.Run("Nil", func(t *testing.T) {
		var c *xfbot.Calendar
		if c.Years() != nil || c.Covers(d(2026, 1, 1)) {
			t.Fatal("a nil calendar covers no year")
		}
	})
	t.Run("SortedAndCovers", func(t *testing.T) {
		c, err := xfbot.NewCalendar(xfbot.HolidayTable{Year: 2027}, xfbot.HolidayTable{Year: 2026})
		if err != nil {
			t.Fatal(err)
		}
		if got := c.Years(); !slices.Equal(got, []int{2026, 2027}) {
			t.Fatalf("Years() = %v", got)
		}
		if !c.Covers(d(2026, 12, 31)) || !c.Covers(d(2027, 1, 1)) || c.Covers(d(2028, 1, 1)) || c.Covers(d(2025, 12, 31)) {
			t.Fatal("Covers wrong")
		}
	})
}

func TestDefaultHolidayTables(t *testing.T) {
	tables := xfbot.DefaultHolidayTables()
	t.Run("Build", func(t *testing.T) {
		c := officialCalendar(t)
		if got := c.Years(); !slices.Equal(got, []int{2026, 2027}) {
			t.Fatalf("Years() = %v", got)
		}
	})
	// The notices only ever move work onto a weekend; a make-up working day on a
	// weekday would mean a typo in the table.
	t.Run("MakeUpDaysAreWeekends", func(t *testing.T) {
		for _, tb := range tables {
			for _, s := range tb.Workdays {
				day, err := xfbot.ParseDate(s)
				if err != nil {
					t.Fatalf("%d: %v", tb.Year, err)
				}
				if w := day.Weekday(); w != time.Saturday && w != time.Sunday {
					t.Errorf("%d: make-up day %s is a %v", tb.Year, s, w)
				}
			}
		}
	})
	t.Run("DaysOff2026", func(t *testing.T) {
		// 元旦3 + 春节9 + 清明3 + 劳动5 + 端午3 + 中秋3 + 国庆7 = 33 days.
		c := officialCalendar(t)
		n := 0
		for day := d(2026, 1, 1); day.Year == 2026; day = day.AddDays(1) {
			if c.IsHoliday(day) {
				n++
			}
		}
		if n != 33 {
			t.Fatalf("2026 has %d holiday days, want 33", n)
		}
	})
	t.Run("FreshCopy", func(t *testing.T) {
		tables[0].Holidays[0] = "edited"
		if xfbot.DefaultHolidayTables()[0].Holidays[0] == "edited" {
			t.Fatal("editing the returned tables changed the defaults")
		}
	})
}
