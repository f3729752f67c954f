package xfbot_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/qingchuan/xfbot"
)

func d(y int, m time.Month, day int) xfbot.Date { return xfbot.Date{Year: y, Month: m, Day: day} }

func TestParseDate(t *testing.T) {
	good := []struct {
		name, in string
		want     xfbot.Date
	}{
		{"ISO", "2026-03-16", d(2026, 3, 16)},
		{"ISOShortMonthDay", "2026-3-6", d(2026, 3, 6)},
		{"Slashes", "2026/03/16", d(2026, 3, 16)},
		{"Dots", "2026.3.16", d(2026, 3, 16)},
		{"Compact", "20260316", d(2026, 3, 16)},
		{"Chinese", "2026年3月16日", d(2026, 3, 16)},
		{"ChineseNoRi", "2026年3月16", d(2026, 3, 16)},
		{"ChineseHao", "2026年03月16号", d(2026, 3, 16)},
		{"ChineseSpaced", "2026 年 3 月 16 日", d(2026, 3, 16)},
		{"FullWidthDigits", "２０２６－０３－１６", d(2026, 3, 16)},
		{"FullWidthChinese", "２０２６年３月１６日", d(2026, 3, 16)},
		{"FullWidthCompact", "２０２６０３１６", d(2026, 3, 16)},
		{"SurroundingSpaces", " \t2026-03-16\u3000", d(2026, 3, 16)},
		{"LeapDay2028", "2028-02-29", d(2028, 2, 29)},
		{"LeapDay2000", "2000-02-29", d(2000, 2, 29)},
		{"YearEnd", "2026-12-31", d(2026, 12, 31)},
		{"April30", "2026-04-30", d(2026, 4, 30)},
	}
	for _, tc := range good {
		t.Run("OK/"+tc.name, func(t *testing.T) {
			got, err := xfbot.ParseDate(tc.in)
			if err != nil {
				t.Fatalf("ParseDate(%q) error: %v", tc.in, err)
			}
			if got != tc.want {
				t.Fatalf("ParseDate(%q) = %v, want %v", tc.in, got, tc.want)
			}
		})
	}

	bad := []struct{ name, in string }{
		{"Empty", ""},
		{"Blank", "  \u3000 "},
		{"Month13Day40", "2026-13-40"},
		{"Feb29NonLeap", "2026-02-29"},
		{"Feb30", "2026-02-30"},
		{"Feb29Century", "1900-02-29"},
		{"April31", "2026-04-31"},
		{"MonthZero", "2026-00-10"},
		{"DayZero", "2026-01-00"},
		{"TwoDigitYear", "26-03-16"},
		{"FiveDigitYear", "20260-03-16"},
		{"ThreeDigitMonth", "2026-003-16"},
		{"ExtraPart", "2026-03-16-01"},
		{"MixedSeparators", "2026-03/16"},
		{"SevenDigits", "2026316"},
		{"NineDigits", "202603160"},
		{"NoYear", "3月16日"},
		{"ChineseNoDay", "2026年3月"},
		{"ChineseTrailingText", "2026年3月16日下午"},
		{"ChineseNumerals", "二〇二六年三月十六日"},
		{"ArabicIndicDigits", "٢٠٢٦-٠٣-١٦"},
		{"Emoji", "😀"},
		{"EmojiAfterDate", "2026-03-16😀"},
		{"Letters", "abcd-ef-gh"},
		{"NegativeYear", "-2026-03-16"},
		{"YearTypo", "0226-03-16"},
		{"YearTooLate", "9026-03-16"},
		{"DateTime", "2026-03-16T09:00:00+08:00"},
		{"Sign", "2026-+3-16"},
	}
	for _, tc := range bad {
		t.Run("Bad/"+tc.name, func(t *testing.T) {
			got, err := xfbot.ParseDate(tc.in)
			if err == nil {
				t.Fatalf("ParseDate(%q) = %v, want error", tc.in, got)
			}
			if !got.IsZero() {
				t.Errorf("ParseDate(%q) returned %v with the error, want zero Date", tc.in, got)
			}
			var de *xfbot.DateError
			if !errors.As(err, &de) {
				t.Fatalf("error %T is not *DateError", err)
			}
			if de.Input != strings.TrimSpace(tc.in) {
				t.Errorf("Input = %q, want %q", de.Input, strings.TrimSpace(tc.in))
			}
			if !strings.Contains(err.Error(), "2026-03-16") {
				t.Errorf("message %q gives no example", err.Error())
			}
		})
	}

	t.Run("MessageFormat", func(t *testing.T) {
		_, err := xfbot.ParseDate("2026-13-40")
		want := `日期"2026-13-40"无效，请写成 YYYY-MM-DD，例如 2026-03-16`
		if err == nil || err.Error() != want {
			t.Fatalf("error = %v, want %s", err, want)
		}
	})
	t.Run("MessageSaysMonthLength", func(t *testing.T) {
		_, err := xfbot.ParseDate("2026-02-30")
		if err == nil || !strings.Contains(err.Error(), "2026年2月只有28天") {
			t.Fatalf("error = %v, want it to say February 2026 has 28 days", err)
		}
	})
	t.Run("MessageClipsLongInput", func(t *testing.T) {
		in := strings.Repeat("很长的一段话", 50)
		_, err := xfbot.ParseDate(in)
		if err == nil || strings.Contains(err.Error(), in) || !strings.Contains(err.Error(), "…") {
			t.Fatalf("error = %v, want the echoed input clipped", err)
		}
	})
}

func TestDateString(t *testing.T) {
	cases := []struct {
		name string
		in   xfbot.Date
		want string
	}{
		{"Padded", d(2026, 3, 6), "2026-03-06"},
		{"December", d(2026, 12, 31), "2026-12-31"},
		{"Zero", xfbot.Date{}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.in.String(); got != tc.want {
				t.Fatalf("String() = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestDateJSON(t *testing.T) {
	type rec struct {
		Due  xfbot.Date `json:"due"`
		Done xfbot.Date `json:"done"`
	}
	t.Run("Marshal", func(t *testing.T) {
		b, err := json.Marshal(rec{Due: d(2026, 3, 16)})
		if err != nil {
			t.Fatal(err)
		}
		if want := `{"due":"2026-03-16","done":""}`; string(b) != want {
			t.Fatalf("got %s, want %s", b, want)
		}
	})
	t.Run("RoundTrip", func(t *testing.T) {
		var r rec
		if err := json.Unmarshal([]byte(`{"due":"2026-03-16","done":""}`), &r); err != nil {
			t.Fatal(err)
		}
		if r.Due != d(2026, 3, 16) || !r.Done.IsZero() {
			t.Fatalf("got %+v", r)
		}
	})
	t.Run("Null", func(t *testing.T) {
		r := rec{Due: d(2026, 3, 16)}
		if err := json.Unmarshal([]byte(`{"due":null}`), &r); err != nil {
			t.Fatal(err)
		}
		if r.Due != d(2026, 3, 16) {
			t.Fatalf("null changed the date to %v", r.Due)
		}
	})
	t.Run("Invalid", func(t *testing.T) {
		var r rec
		err := json.Unmarshal([]byte(`{"due":"2026-02-30"}`), &r)
		var de *xfbot.DateError
		if !errors.As(err, &de) {
			t.Fatalf("error = %v, want *DateError", err)
		}
	})
	t.Run("MapKey", func(t *testing.T) {
		b, err := json.Marshal(map[xfbot.Date]int{d(2026, 3, 16): 2})
		if err != nil {
			t.Fatal(err)
		}
		if want := `{"2026-03-16":2}`; string(b) != want {
			t.Fatalf("got %s, want %s", b, want)
		}
	})
}

func TestNewDate(t *testing.T) {
	cases := []struct {
		name    string
		y       int
		m       time.Month
		day     int
		wantStr string
	}{
		{"Plain", 2026, 3, 16, "2026-03-16"},
		{"Feb30", 2026, 2, 30, "2026-03-02"},
		{"DayZero", 2026, 3, 0, "2026-02-28"},
		{"Month13", 2026, 13, 1, "2027-01-01"},
		{"MonthZero", 2026, 0, 15, "2025-12-15"},
		{"NegativeMonth", 2026, -13, 1, "2024-11-01"},
		{"LargeDay", 2026, 1, 366, "2027-01-01"},
		{"NegativeDay", 2026, 3, -1, "2026-02-27"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := xfbot.NewDate(tc.y, tc.m, tc.day)
			if got.String() != tc.wantStr {
				t.Fatalf("NewDate(%d,%d,%d) = %v, want %s", tc.y, tc.m, tc.day, got, tc.wantStr)
			}
			y, m, dd := time.Date(tc.y, tc.m, tc.day, 0, 0, 0, 0, time.UTC).Date()
			if got != d(y, m, dd) {
				t.Fatalf("NewDate disagrees with time.Date: %v vs %d-%d-%d", got, y, m, dd)
			}
		})
	}
}

func TestDateDayNumber(t *testing.T) {
	t.Run("Epoch", func(t *testing.T) {
		if n := d(1970, 1, 1).DayNumber(); n != 0 {
			t.Fatalf("DayNumber(1970-01-01) = %d, want 0", n)
		}
		if got := xfbot.DateFromDayNumber(0); got != d(1970, 1, 1) {
			t.Fatalf("DateFromDayNumber(0) = %v", got)
		}
	})
	t.Run("Known", func(t *testing.T) {
		if n := d(2026, 3, 16).DayNumber(); n != 20528 {
			t.Fatalf("DayNumber(2026-03-16) = %d, want 20528", n)
		}
	})
	// Every day over ±600 years agrees with the time package, both ways, and
	// the weekday too: this is what the Redis scores and the deadline walks rely on.
	t.Run("AgreesWithTimePackage", func(t *testing.T) {
		for n := -220000; n <= 220000; n++ {
			tm := time.Unix(int64(n)*86400, 0).UTC()
			y, m, dd := tm.Date()
			want := d(y, m, dd)
			got := xfbot.DateFromDayNumber(n)
			if got != want {
				t.Fatalf("DateFromDayNumber(%d) = %v, want %v", n, got, want)
			}
			if back := want.DayNumber(); back != n {
				t.Fatalf("%v.DayNumber() = %d, want %d", want, back, n)
			}
			if got.Weekday() != tm.Weekday() {
				t.Fatalf("%v.Weekday() = %v, want %v", got, got.Weekday(), tm.Weekday())
			}
		}
	})
}

func TestDateArithmetic(t *testing.T) {
	a, b := d(2026, 3, 16), d(2026, 4, 15)
	t.Run("AddDays", func(t *testing.T) {
		if got := a.AddDays(30); got != b {
			t.Fatalf("AddDays(30) = %v, want %v", got, b)
		}
		if got := b.AddDays(-30); got != a {
			t.Fatalf("AddDays(-30) = %v, want %v", got, a)
		}
		if got := d(2026, 12, 31).AddDays(1); got != d(2027, 1, 1) {
			t.Fatalf("year rollover = %v", got)
		}
		if got := d(2028, 2, 28).AddDays(1); got != d(2028, 2, 29) {
			t.Fatalf("leap day = %v", got)
		}
	})
	t.Run("Sub", func(t *testing.T) {
		if got := b.Sub(a); got != 30 {
			t.Fatalf("Sub = %d, want 30", got)
		}
		if got := a.Sub(b); got != -30 {
			t.Fatalf("Sub = %d, want -30", got)
		}
		if got := a.Sub(a); got != 0 {
			t.Fatalf("Sub self = %d", got)
		}
	})
	t.Run("Compare", func(t *testing.T) {
		if !a.Before(b) || a.After(b) || !b.After(a) || b.Before(a) || a.Equal(b) || !a.Equal(a) {
			t.Fatal("Before/After/Equal disagree with the order of the dates")
		}
		if a.Before(a) || a.After(a) {
			t.Fatal("a date is neither before nor after itself")
		}
	})
	t.Run("EqualUnnormalised", func(t *testing.T) {
		if !d(2026, 2, 29).Equal(d(2026, 3, 1)) {
			t.Fatal("a literal 2026-02-29 should equal 2026-03-01")
		}
	})
	t.Run("Weekday", func(t *testing.T) {
		if w := a.Weekday(); w != time.Monday {
			t.Fatalf("2026-03-16 is %v, want Monday", w)
		}
		if w := d(2026, 10, 10).Weekday(); w != time.Saturday {
			t.Fatalf("2026-10-10 is %v, want Saturday", w)
		}
	})
	t.Run("IsZero", func(t *testing.T) {
		if !(xfbot.Date{}).IsZero() || a.IsZero() {
			t.Fatal("IsZero wrong")
		}
	})
	t.Run("MapKey", func(t *testing.T) {
		m := map[xfbot.Date]string{a: "受理"}
		p, _ := xfbot.ParseDate("2026/3/16")
		if m[p] != "受理" {
			t.Fatal("a parsed date does not find the same map entry")
		}
	})
}

func TestDateTime(t *testing.T) {
	sh := time.FixedZone("Asia/Shanghai", 8*3600)
	t.Run("DateOfShanghai", func(t *testing.T) {
		// 20:30 UTC on the 15th is already the 16th in Shanghai.
		tm := time.Date(2026, 3, 15, 20, 30, 0, 0, time.UTC)
		if got := xfbot.DateOf(tm, sh); got != d(2026, 3, 16) {
			t.Fatalf("DateOf = %v, want 2026-03-16", got)
		}
		if got := xfbot.DateOf(tm, time.UTC); got != d(2026, 3, 15) {
			t.Fatalf("DateOf UTC = %v, want 2026-03-15", got)
		}
	})
	t.Run("DateOfNilLocation", func(t *testing.T) {
		tm := time.Date(2026, 3, 16, 0, 30, 0, 0, sh)
		if got := xfbot.DateOf(tm, nil); got != d(2026, 3, 16) {
			t.Fatalf("DateOf(nil) = %v, want the day in t's own zone", got)
		}
	})
	t.Run("Midnight", func(t *testing.T) {
		want := time.Date(2026, 3, 16, 0, 0, 0, 0, sh)
		if got := d(2026, 3, 16).Time(sh); !got.Equal(want) {
			t.Fatalf("Time = %v, want %v", got, want)
		}
	})
	t.Run("EndOfDay", func(t *testing.T) {
		want := time.Date(2026, 3, 31, 23, 59, 59, 0, sh)
		if got := d(2026, 3, 31).EndOfDay(sh); !got.Equal(want) {
			t.Fatalf("EndOfDay = %v, want %v", got, want)
		}
	})
	t.Run("NilLocationIsUTC", func(t *testing.T) {
		if got := d(2026, 3, 16).Time(nil); got.Location() != time.UTC || got.Hour() != 0 {
			t.Fatalf("Time(nil) = %v", got)
		}
		if got := d(2026, 3, 16).EndOfDay(nil); got.Location() != time.UTC || got.Hour() != 23 {
			t.Fatalf("EndOfDay(nil) = %v", got)
		}
	})
}

// FuzzParseDate checks that no input panics and that whatever is accepted is a
// real date that prints and parses back to itself.
func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2026-03-16", "2026-3-6", "2026/03/16", "2026.3.16", "20260316",
		"2026年3月16日", "２０２６－０３－１６", "2026-13-40", "2026-02-29", "😀", "", "2026年", "..", "年月日"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := xfbot.ParseDate(s)
		if err != nil {
			if !got.IsZero() {
				t.Fatalf("ParseDate(%q) returned %v with an error", s, got)
			}
			_ = err.Error()
			return
		}
		if xfbot.NewDate(got.Year, got.Month, got.Day) != got {
			t.Fatalf("ParseDate(%q) = %v, which is not a real date", s, got)
		}
		back, err := xfbot.ParseDate(got.String())
		if err != nil || back != got {
			t.Fatalf("%v does not round-trip: %v, %v", got, back, err)
		}
	})
}
