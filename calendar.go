package xfbot

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// HolidayTable is one year's holiday arrangement as published each November by
// the State Council General Office (国务院办公厅关于X年部分节假日安排的通知).
// Entries are single dates or inclusive ranges "2026-10-01..2026-10-07", in any
// form ParseDate accepts.
//
// Holidays lists every day off in the arrangement, including the weekend days
// inside a break; Workdays lists the make-up working days (调休上班), which
// normally fall on a Saturday or Sunday. The table lives in config so that next
// year's notice can be loaded without a rebuild.
type HolidayTable struct {
	Year     int      `json:"year" yaml:"year"`
	Holidays []string `json:"holidays" yaml:"holidays"`
	Workdays []string `json:"workdays" yaml:"workdays"`
}

// Calendar answers "is this a working day" for the years it was built with.
// A nil *Calendar is valid and means plain weekends with no holidays, which is
// what a deployment without a table gets rather than a crash.
type Calendar struct {
	years map[int]bool
	days  map[int]dayKind // by DayNumber
}

type dayKind uint8

const (
	dayHoliday dayKind = iota + 1 // 放假
	dayMakeUp                     // 调休上班
)

// NewCalendar builds a Calendar from yearly tables. It refuses, with a Chinese
// message naming the table and the entry, anything an operator may have mistyped:
// an unreadable date, a reversed range, a date outside the table's year, a year
// given twice, and a day that is both off and a make-up working day. A make-up
// working day on a weekday is accepted although it changes nothing: test
// calendars use one (petition-domain §5 marks Tuesday 2026-04-07).
func NewCalendar(tables ...HolidayTable) (*Calendar, error) {
	c := &Calendar{years: map[int]bool{}, days: map[int]dayKind{}}
	for i, t := range tables {
		if t.Year < minParseYear || t.Year > maxParseYear {
			return nil, fmt.Errorf("节假日表第%d个：年份 %d 无效，应在 %d–%d 之间", i+1, t.Year, minParseYear, maxParseYear)
		}
		if c.years[t.Year] {
			return nil, fmt.Errorf("节假日表：%d 年出现了两次，每年只能有一张表", t.Year)
		}
		c.years[t.Year] = true
		if err := c.addEntries(t, t.Holidays, "holidays", dayHoliday); err != nil {
			return nil, err
		}
		if err := c.addEntries(t, t.Workdays, "workdays", dayMakeUp); err != nil {
			return nil, err
		}
	}
	return c, nil
}

func (c *Calendar) addEntries(t HolidayTable, entries []string, field string, kind dayKind) error {
	for j, e := range entries {
		where := fmt.Sprintf("%d 年节假日表 %s 第%d项\"%s\"", t.Year, field, j+1, clipDateInput(strings.TrimSpace(e)))
		from, to, err := parseDateRange(e)
		if err != nil {
			return fmt.Errorf("%s：%w", where, err)
		}
		if from.Year != t.Year || to.Year != t.Year {
			return fmt.Errorf("%s：日期不在 %d 年内", where, t.Year)
		}
		for n := from.DayNumber(); n <= to.DayNumber(); n++ {
			d := DateFromDayNumber(n)
			if prev, ok := c.days[n]; ok && prev != kind {
				return fmt.Errorf("%s：%s 既是放假日又是调休上班日", where, d)
			}
			c.days[n] = kind
		}
	}
	return nil
}

// parseDateRange reads "2026-10-01", "2026-10-01..2026-10-07" (also with ~ or 至).
func parseDateRange(s string) (from, to Date, err error) {
	s = strings.TrimSpace(foldDateWidth(s))
	if s == "" {
		return Date{}, Date{}, errors.New("不能为空")
	}
	a, b, isRange := "", "", false
	for _, sep := range []string{"..", "~", "至"} {
		if x, y, ok := strings.Cut(s, sep); ok {
			a, b, isRange = x, y, true
			break
		}
	}
	if !isRange {
		d, err := ParseDate(s)
		return d, d, err
	}
	if from, err = ParseDate(a); err != nil {
		return Date{}, Date{}, err
	}
	if to, err = ParseDate(b); err != nil {
		return Date{}, Date{}, err
	}
	if to.Before(from) {
		return Date{}, Date{}, errors.New("结束日早于开始日")
	}
	return from, to, nil
}

// IsWorkday reports whether d is a working day: a make-up working day (调休上班,
// even on a Saturday), or a Monday–Friday that is not a holiday.
func (c *Calendar) IsWorkday(d Date) bool { return c.isWorkdayN(d.DayNumber()) }

// NextWorkday is the first working day after d (明天再提醒, "the next working
// day is …"); a nil c knows weekends only.
func (c *Calendar) NextWorkday(d Date) Date { return c.WorkdaysAfter(d, 1) }

// WorkdaysAfter is the n-th working day after d (d itself for n ≤ 0): the
// escalation ladder's steps, 10个工作日后.
func (c *Calendar) WorkdaysAfter(d Date, n int) Date { return ComputeDue(d, n, DayWorking, c, nil) }

func (c *Calendar) isWorkdayN(n int) bool {
	if c != nil {
		switch c.days[n] {
		case dayMakeUp:
			return true
		case dayHoliday:
			return false
		}
	}
	return !isWeekend(DateFromDayNumber(n).Weekday())
}

// IsHoliday reports whether d is a day off under the holiday arrangement
// (法定节假日及其调休形成的假期), as opposed to an ordinary weekend.
func (c *Calendar) IsHoliday(d Date) bool {
	return c != nil && c.days[d.DayNumber()] == dayHoliday
}

// Years returns the years the calendar has tables for, ascending.
func (c *Calendar) Years() []int {
	if c == nil {
		return nil
	}
	ys := make([]int, 0, len(c.years))
	for y := range c.years {
		ys = append(ys, y)
	}
	slices.Sort(ys)
	return ys
}

// Covers reports whether d's year has a table. A deadline in an uncovered year
// is computed with plain weekends, so callers should warn that it may be off by
// a holiday.
func (c *Calendar) Covers(d Date) bool {
	return c != nil && c.years[NewDate(d.Year, d.Month, d.Day).Year]
}

func isWeekend(w time.Weekday) bool { return w == time.Saturday || w == time.Sunday }
