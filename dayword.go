package xfbot

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Tense says which side of today a typed day should fall on, so that a day
// without its year or a bare weekday is read the way it was meant, and a day
// on the wrong side is refused with how it was read.
type Tense int

const (
	Anytime Tense = iota // either side: a day without its year is the nearest one
	Future               // today or later: a deadline, a reception
	Past                 // today or earlier: a receipt, an acceptance
)

// Reading is a typed day as xfbot read it: the date, and for anything but a
// full date the words that show how it was read ("下周三 → 2026-12-09 星期三"),
// for the reply to repeat.
type Reading struct {
	Date Date
	How  string // "" for a full date (2026-12-09 says itself)
}

// ParseDay is the one date parser of the commands. It reads
//
//	2026-12-05  2026/12/5  2026.12.5  20261205  2026年12月5日      (ParseDate)
//	12月5日  12-5  12/5  12.5                                       (the year by tense)
//	5日  5号                                                        (this month)
//	下月5号  本月20日  上个月3日
//	今天 明天 后天 大后天 昨天 前天
//	本周五 这周五 下周三 上周一  周三 星期三 礼拜三                (bare: the next one, today included; Past: the last one)
//	月初 月底 下月初 下月底 上月底 年底
//	三天后 10天后 两周后 一个月后 10个工作日后                    (working days by cal; nil cal: weekends only)
//
// with full-width digits and spaces folded. A day on the wrong side of today
// for tense is refused, saying how it was read.
func ParseDay(s string, today Date, cal *Calendar, tense Tense) (Reading, error) {
	in := strings.TrimSpace(s)
	t := strings.Join(strings.Fields(foldDateWidth(in)), "")
	if d, err := ParseDate(t); err == nil {
		return check(in, Reading{Date: d}, today, tense)
	}
	r, ok := readRelative(t, today, cal, tense)
	if !ok {
		return Reading{}, Errorf(EINVALID, "日期“%s”看不懂。可以写 2026-12-05、12月5日、5日、明天、下周三、月底、三天后、10个工作日后。", Echo(in, 20))
	}
	r.How = in + " → " + r.Date.String() + " " + WeekdayLabel(r.Date.Weekday())
	return check(in, r, today, tense)
}

func check(in string, r Reading, today Date, tense Tense) (Reading, error) {
	how := r.Date.String()
	if r.How != "" {
		how += " " + WeekdayLabel(r.Date.Weekday())
	}
	switch {
	case tense == Future && r.Date.Before(today):
		return Reading{}, Errorf(EINVALID, "“%s”读作 %s，在今天（%s）之前；这里要写今天或以后的日期。", Echo(in, 20), how, today)
	case tense == Past && r.Date.After(today):
		return Reading{}, Errorf(EINVALID, "“%s”读作 %s，在今天（%s）之后；这里要写已经发生的日期。", Echo(in, 20), how, today)
	}
	return r, nil
}

var weekdayNames = map[string]time.Weekday{"一": time.Monday, "二": time.Tuesday, "三": time.Wednesday, "四": time.Thursday,
	"五": time.Friday, "六": time.Saturday, "日": time.Sunday, "天": time.Sunday, "七": time.Sunday}

func readRelative(t string, today Date, cal *Calendar, tense Tense) (Reading, bool) {
	at := func(d Date) (Reading, bool) { return Reading{Date: d}, true }
	switch t {
	case "今天", "今日":
		return at(today)
	case "明天", "明日":
		return at(today.AddDays(1))
	case "后天":
		return at(today.AddDays(2))
	case "大后天":
		return at(today.AddDays(3))
	case "昨天", "昨日":
		return at(today.AddDays(-1))
	case "前天":
		return at(today.AddDays(-2))
	case "月初", "本月初":
		return at(MonthOf(today).First())
	case "月底", "本月底", "月末", "本月末":
		return at(MonthOf(today).Last())
	case "下月初", "下个月初":
		return at(MonthOf(today).Next().First())
	case "下月底", "下个月底", "下月末":
		return at(MonthOf(today).Next().Last())
	case "上月底", "上个月底", "上月末":
		return at(MonthOf(today).First().AddDays(-1))
	case "年底", "年末":
		return at(NewDate(today.Year, time.December, 31))
	}
	// 本周五, 下周三, 上周一, 周三, 星期三, 礼拜三.
	for _, p := range []struct {
		prefix string
		weeks  int
	}{{"本周", 0}, {"这周", 0}, {"下周", 1}, {"下下周", 2}, {"上周", -1}, {"周", 99}, {"星期", 99}, {"礼拜", 99}} {
		rest, ok := strings.CutPrefix(t, p.prefix)
		if !ok {
			continue
		}
		rest = strings.TrimPrefix(strings.TrimPrefix(rest, "星期"), "礼拜")
		wd, ok := weekdayNames[rest]
		if !ok {
			continue
		}
		if p.weeks == 99 { // a bare weekday: the next one (or, looking back, the last one)
			n := (int(wd) - int(today.Weekday()) + 7) % 7
			if tense == Past {
				return at(today.AddDays(-((int(today.Weekday()) - int(wd) + 7) % 7)))
			}
			return at(today.AddDays(n))
		}
		monday := today.AddDays(-((int(today.Weekday()) + 6) % 7))
		return at(monday.AddDays(7*p.weeks + (int(wd)+6)%7))
	}
	// N天后, N周后, N个月后, N个工作日后.
	for _, u := range []string{"个工作日后", "工作日后", "天后", "日后", "周后", "个星期后", "星期后", "个月后", "月后"} {
		ns, ok := strings.CutSuffix(t, u)
		if !ok {
			continue
		}
		n, ok := chineseNumber(ns)
		if !ok || n <= 0 || n > 3650 {
			return Reading{}, false
		}
		switch u {
		case "个工作日后", "工作日后":
			return at(cal.WorkdaysAfter(today, n))
		case "天后", "日后":
			return at(today.AddDays(n))
		case "周后", "个星期后", "星期后":
			return at(today.AddDays(7 * n))
		default:
			return at(addMonths(today, n))
		}
	}
	// 下月5号, 本月20日, 上个月3日: a day of a named month.
	for _, p := range []struct {
		prefix string
		months int
	}{{"下个月", 1}, {"下月", 1}, {"本月", 0}, {"这个月", 0}, {"上个月", -1}, {"上月", -1}} {
		rest, ok := strings.CutPrefix(t, p.prefix)
		if !ok {
			continue
		}
		ds, ok := strings.CutSuffix(rest, "日")
		if !ok {
			if ds, ok = strings.CutSuffix(rest, "号"); !ok {
				return Reading{}, false
			}
		}
		m := MonthOf(today)
		for i := 0; i < p.months; i++ {
			m = m.Next()
		}
		if p.months < 0 {
			m = MonthOf(m.First().AddDays(-1))
		}
		d, ok := chineseNumber(ds)
		if !ok || d < 1 || d > m.Last().Day {
			return Reading{}, false
		}
		return at(NewDate(m.First().Year, m.First().Month, d))
	}
	// 12月5日, 12-5, 12/5, 12.5: the year by tense.
	var ms, ds string
	if m, rest, ok := strings.Cut(t, "月"); ok {
		ms, ds = m, strings.TrimSuffix(strings.TrimSuffix(rest, "日"), "号")
	} else if m, d, ok := strings.Cut(t, "-"); ok {
		ms, ds = m, d
	} else if m, d, ok := strings.Cut(t, "/"); ok {
		ms, ds = m, d
	} else if m, d, ok := strings.Cut(t, "."); ok {
		ms, ds = m, d
	}
	if ms != "" {
		m, err1 := strconv.Atoi(ms)
		d, err2 := strconv.Atoi(ds)
		if err1 != nil || err2 != nil || m < 1 || m > 12 || d < 1 || d > daysIn(today.Year, time.Month(m)) && !(m == 2 && d == 29) {
			return Reading{}, false
		}
		return at(nearest(today, time.Month(m), d, tense))
	}
	// 5日, 5号: this month.
	if ds, ok := strings.CutSuffix(t, "日"); ok || strings.HasSuffix(t, "号") {
		if !ok {
			ds = strings.TrimSuffix(t, "号")
		}
		d, err := strconv.Atoi(ds)
		if err != nil || d < 1 || d > daysIn(today.Year, today.Month) {
			return Reading{}, false
		}
		return at(NewDate(today.Year, today.Month, d))
	}
	return Reading{}, false
}

// nearest is m-d in the year tense makes sensible: Future the next one from
// today, Past the last one up to today, Anytime the one within half a year.
func nearest(today Date, m time.Month, d int, tense Tense) Date {
	in := func(y int) Date {
		if d > daysIn(y, m) { // 2月29日 outside a leap year: the next one that has it
			for y++; d > daysIn(y, m); y++ {
			}
		}
		return NewDate(y, m, d)
	}
	this := in(today.Year)
	switch tense {
	case Future:
		if this.Before(today) {
			return in(today.Year + 1)
		}
	case Past:
		if this.After(today) {
			return in(today.Year - 1)
		}
	default:
		if today.Sub(this) > 183 {
			return in(today.Year + 1)
		}
		if this.Sub(today) > 183 {
			return in(today.Year - 1)
		}
	}
	return this
}

// addMonths is the same day n months on, the month's last day when it has
// fewer days (1月31日 + 1 个月 = 2月28日).
func addMonths(d Date, n int) Date {
	m := Month{d.Year, d.Month}
	for range n {
		m = m.Next()
	}
	return NewDate(m.Year, m.Month, min(d.Day, daysIn(m.Year, m.Month)))
}

// chineseNumber reads 3, 10, 三, 两, 十, 十五, 二十, 三十一, 一百 (and 0–9999 in digits).
func chineseNumber(s string) (int, bool) {
	if n, err := strconv.Atoi(s); err == nil {
		return n, true
	}
	digits := map[rune]int{'零': 0, '一': 1, '二': 2, '两': 2, '三': 3, '四': 4, '五': 5, '六': 6, '七': 7, '八': 8, '九': 9}
	total, cur := 0, -1
	for _, r := range s {
		switch r {
		case '十':
			if cur < 0 {
				cur = 1
			}
			total += cur * 10
			cur = -1
		case '百':
			if cur < 0 {
				return 0, false
			}
			total += cur * 100
			cur = -1
		default:
			v, ok := digits[r]
			if !ok || cur >= 0 {
				return 0, false
			}
			cur = v
		}
	}
	if s == "" {
		return 0, false
	}
	if cur > 0 {
		total += cur
	}
	return total, true
}

// String is the reading as a reply repeats it.
func (r Reading) String() string {
	if r.How != "" {
		return r.How
	}
	return fmt.Sprint(r.Date)
}

// ParseMonthWord reads a month as people type it: 本月 上月 下月, 2026-04,
// 2026年4月, 202604, and 4月 alone, whose year is the nearest one on tense's
// side of today (统计 4月 in January is last April).
func ParseMonthWord(s string, today Date, tense Tense) (Month, error) {
	t := strings.Join(strings.Fields(foldDateWidth(s)), "")
	this := MonthOf(today)
	switch t {
	case "", "本月", "这个月":
		return this, nil
	case "上月", "上个月":
		return MonthOf(this.First().AddDays(-1)), nil
	case "下月", "下个月":
		return this.Next(), nil
	}
	if ms, ok := strings.CutSuffix(t, "月"); ok && !strings.ContainsAny(ms, "年-/.") {
		if n, ok := chineseNumber(ms); ok && n >= 1 && n <= 12 {
			return MonthOf(nearest(today, time.Month(n), 1, tense)), nil
		}
	}
	m, err := ParseMonth(t)
	if err != nil {
		return Month{}, Errorf(EINVALID, "月份“%s”看不懂，请写成 2026-04、4月、本月或上月。", Echo(s, 20))
	}
	return m, nil
}
