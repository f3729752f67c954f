package xfbot

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Date is a calendar day with no time of day and no zone. Statutory periods
// (受理 15 日, 办结 60 日, 复查 30 日...) run on business dates, which are often
// entered days after the fact, so they must not be derived from a time.Time
// stamp whose zone could shift the day.
//
// Date is comparable and usable as a map key when it is normalised, which every
// constructor here guarantees (NewDate, ParseDate, DateOf, AddDays...). The zero
// value means "no date".
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// Years accepted by ParseDate. A four-digit typo such as 0226 or 2206 is far
// likelier than a petition dated outside this range, so we refuse it at input.
const (
	minParseYear = 1900
	maxParseYear = 2199
)

// DateError reports text that is not a valid date. Its message is Chinese and
// meant for the user who typed it; Input is the text as received.
type DateError struct {
	Input  string
	reason string // optional, e.g. "2026年2月只有28天"
}

func (e *DateError) Error() string {
	in := clipDateInput(e.Input)
	if e.reason != "" {
		return fmt.Sprintf("日期\"%s\"无效：%s，请核对后重写，例如 2026-03-16", in, e.reason)
	}
	return fmt.Sprintf("日期\"%s\"无效，请写成 YYYY-MM-DD，例如 2026-03-16", in)
}

// clipDateInput keeps an echoed input short so that a pasted paragraph does not
// come back as a wall of text in the chat.
func clipDateInput(s string) string {
	const max = 30
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	return string([]rune(s)[:max]) + "…"
}

// NewDate returns the date y-m-d, normalising out-of-range months and days the
// way time.Date does (2026-02-30 becomes 2026-03-02). Use ParseDate for user
// input, which refuses such dates instead.
func NewDate(y int, m time.Month, d int) Date {
	return DateFromDayNumber(dayNumber(y, m, d))
}

// DateOf returns the calendar day of t as seen in loc. A nil loc uses t's own
// location (time.Time.In would panic on nil).
func DateOf(t time.Time, loc *time.Location) Date {
	if loc != nil {
		t = t.In(loc)
	}
	y, m, d := t.Date()
	return Date{Year: y, Month: m, Day: d}
}

// DateFromDayNumber is the inverse of DayNumber.
func DateFromDayNumber(n int) Date {
	// Howard Hinnant's civil_from_days: exact for every int, no time package,
	// and no loop, so it is cheap enough for the day-by-day deadline walks.
	z := n + 719468
	era := floorDiv(z, 146097)
	doe := z - era*146097                                  // [0, 146096]
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365 // [0, 399]
	y := yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100) // [0, 365]
	mp := (5*doy + 2) / 153                  // [0, 11], March-based
	d := doy - (153*mp+2)/5 + 1
	m := mp + 3
	if m > 12 {
		m -= 12
	}
	if m <= 2 {
		y++
	}
	return Date{Year: y, Month: time.Month(m), Day: d}
}

// dayNumber counts days from 1970-01-01 to y-m-d; m and d may be out of range
// and are carried like time.Date does.
func dayNumber(y int, m time.Month, d int) int {
	// Bring the month into 1..12 first; the day then contributes linearly.
	mi := int(m) - 1
	y += floorDiv(mi, 12)
	mi -= floorDiv(mi, 12) * 12
	mo := mi + 1
	if mo <= 2 {
		y--
	}
	era := floorDiv(y, 400)
	yoe := y - era*400 // [0, 399]
	mp := (mo + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

func floorDiv(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// DayNumber is the number of days since 1970-01-01 (negative before). The store
// uses it as a Redis sorted-set score so that "due on or before X" is a range
// query.
func (d Date) DayNumber() int { return dayNumber(d.Year, d.Month, d.Day) }

// IsZero reports whether d is the zero Date ("no date").
func (d Date) IsZero() bool { return d == Date{} }

// String formats d as YYYY-MM-DD; the zero Date is "".
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// AddDays returns d moved by n days (n may be negative).
func (d Date) AddDays(n int) Date { return DateFromDayNumber(d.DayNumber() + n) }

// Sub returns the number of days from o to d (d − o): positive when d is later.
func (d Date) Sub(o Date) int { return d.DayNumber() - o.DayNumber() }

// Before reports whether d is earlier than o.
func (d Date) Before(o Date) bool { return d.DayNumber() < o.DayNumber() }

// After reports whether d is later than o.
func (d Date) After(o Date) bool { return d.DayNumber() > o.DayNumber() }

// Equal reports whether d and o are the same day, even if one of them was built
// as a literal that is not normalised (2026-02-29 == 2026-03-01).
func (d Date) Equal(o Date) bool { return d.DayNumber() == o.DayNumber() }

// Weekday returns the day of the week of d.
func (d Date) Weekday() time.Weekday {
	// 1970-01-01 was a Thursday.
	return time.Weekday(floorMod(d.DayNumber()+int(time.Thursday), 7))
}

func floorMod(a, b int) int { return a - floorDiv(a, b)*b }

// Time returns midnight at the start of d in loc; a nil loc means UTC.
func (d Date) Time(loc *time.Location) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
}

// EndOfDay returns 23:59:59 on d in loc (nil means UTC): the moment a statutory
// period ending on d runs out (§1.3: 到期时刻统一取当天 23:59:59).
func (d Date) EndOfDay(loc *time.Location) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	return time.Date(d.Year, d.Month, d.Day, 23, 59, 59, 0, loc)
}

// MarshalText encodes d as YYYY-MM-DD, and the zero Date as "" so that JSON
// shows "no date" as an empty string rather than 0000-00-00.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText accepts what ParseDate accepts; empty text is the zero Date.
func (d *Date) UnmarshalText(b []byte) error {
	if len(strings.TrimSpace(string(b))) == 0 {
		*d = Date{}
		return nil
	}
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// ParseDate reads a date the way people type it in a chat:
//
//	2026-03-16  2026-3-6  2026/03/16  2026.3.16  20260316  2026年3月16日
//
// Full-width digits and separators (２０２６－０３－１６) are folded first. A
// date that does not exist (2026-13-40, 2026-02-30) is refused rather than
// normalised: silently turning a typo into another day would move a statutory
// deadline. The error is a *DateError whose message tells the user how to write
// the date.
func ParseDate(s string) (Date, error) {
	in := strings.TrimSpace(s)
	bad := &DateError{Input: in}
	t := foldDateWidth(in)

	var ys, ms, ds string
	switch {
	case strings.ContainsRune(t, '年'):
		// 2026年3月16日, also without 日, with 号, and with spaces around parts.
		t = strings.Join(strings.Fields(t), "")
		var ok bool
		if ys, t, ok = strings.Cut(t, "年"); !ok {
			return Date{}, bad
		}
		if ms, t, ok = strings.Cut(t, "月"); !ok {
			return Date{}, bad
		}
		ds = strings.TrimSuffix(strings.TrimSuffix(t, "日"), "号")
	case len(t) == 8 && allDigits(t):
		ys, ms, ds = t[:4], t[4:6], t[6:]
	default:
		sep := ""
		for _, c := range []string{"-", "/", "."} {
			if strings.Count(t, c) == 2 {
				sep = c
				break
			}
		}
		if sep == "" {
			return Date{}, bad
		}
		parts := strings.Split(t, sep)
		ys, ms, ds = parts[0], parts[1], parts[2]
	}
	if len(ys) != 4 || !allDigits(ys) ||
		len(ms) < 1 || len(ms) > 2 || !allDigits(ms) ||
		len(ds) < 1 || len(ds) > 2 || !allDigits(ds) {
		return Date{}, bad
	}
	y, _ := strconv.Atoi(ys) // cannot fail: at most four ASCII digits
	m, _ := strconv.Atoi(ms)
	d, _ := strconv.Atoi(ds)
	if y < minParseYear || y > maxParseYear {
		bad.reason = fmt.Sprintf("年份应在 %d–%d 之间", minParseYear, maxParseYear)
		return Date{}, bad
	}
	if m < 1 || m > 12 || d < 1 {
		return Date{}, bad
	}
	if n := daysIn(y, time.Month(m)); d > n {
		bad.reason = fmt.Sprintf("%d年%d月只有%d天", y, m, n)
		return Date{}, bad
	}
	return Date{Year: y, Month: time.Month(m), Day: d}, nil
}

func daysIn(y int, m time.Month) int {
	switch m {
	case time.February:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case time.April, time.June, time.September, time.November:
		return 30
	}
	return 31
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// foldDateWidth turns full-width ASCII (digits, －／．) and the ideographic
// space into their half-width forms, as Chinese input methods often produce
// them.
func foldDateWidth(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\u3000':
			return ' '
		case r >= '\uff01' && r <= '\uff5e':
			return r - 0xfee0
		}
		return r
	}, s)
}
