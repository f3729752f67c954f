package xfbot

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// DayMode says how the days of a period are counted (petition-domain §1.3).
type DayMode string

const (
	// DayCalendar counts every day. Used for internal targets (化解目标, 措施,
	// 久未接触) where a weekend gives no extra time.
	DayCalendar DayMode = "calendar"
	// DayCalendarRollover counts every day, but a period whose last day is not a
	// working day ends on the next working day (民法典 第203条). The 信访工作条例
	// says "日" without "工作日", so this is the default for statutory periods.
	DayCalendarRollover DayMode = "calendar_rollover"
	// DayWorking counts only working days: 简易办理 (10个工作日) and local
	// internal limits (督查整改, 来信阅批).
	DayWorking DayMode = "working"
)

// ParseDayMode reads a day mode from config or a command: the English names
// above, or 自然日 / 自然日顺延 (顺延) / 工作日.
func ParseDayMode(s string) (DayMode, error) {
	k := strings.ToLower(strings.TrimSpace(foldDateWidth(s)))
	k = strings.ReplaceAll(k, "-", "_")
	switch k {
	case string(DayCalendar), "自然日":
		return DayCalendar, nil
	case string(DayCalendarRollover), "rollover", "自然日顺延", "顺延":
		return DayCalendarRollover, nil
	case string(DayWorking), "workday", "workdays", "工作日":
		return DayWorking, nil
	}
	return "", fmt.Errorf("计日方式\"%s\"无效，可选 calendar（自然日）、calendar_rollover（自然日，末日遇节假日顺延）、working（工作日）", clipDateInput(strings.TrimSpace(s)))
}

// Label is the Chinese name of m for cards and help text.
func (m DayMode) Label() string {
	switch m {
	case DayCalendar:
		return "自然日"
	case DayCalendarRollover:
		return "自然日（末日遇节假日顺延）"
	case DayWorking:
		return "工作日"
	}
	return string(m)
}

// Pause is a stretch of days that do not count towards a period, such as a
// hearing (听证时间不计入期限, 条例第36条) or an appraisal (鉴定). From and To
// are inclusive. A pause still running is passed with To = today; a pause with
// a zero date or with To before From is ignored.
type Pause struct {
	From   Date   `json:"from"`
	To     Date   `json:"to"`
	Reason string `json:"reason,omitempty"`
}

// maxDueDays bounds the work ComputeDue does for a nonsense day count. No
// deadline in the ledger is anywhere near a century long.
const maxDueDays = 36500

// ComputeDue returns the last day of a period of days starting on start.
//
// Counting begins the day after start (民法典 第201条: 开始的当日不计入), so a
// 15-day period from 2026-03-16 ends on 2026-03-31 in calendar mode. Days inside
// a pause do not count and push the end later; overlapping pauses count once.
// For DayCalendarRollover a last day that is not a working day (weekend or
// holiday, but not a 调休 make-up working day) moves to the next working day
// that is not paused. For DayWorking, days working days after start are counted.
// An unknown mode is treated as DayCalendarRollover, the statutory default.
//
// days <= 0 returns start (a period of no days ends where it begins), and a
// zero start returns the zero Date (no deadline). A nil cal means plain
// weekends; years cal does not cover also get plain weekends (see Covers).
func ComputeDue(start Date, days int, mode DayMode, cal *Calendar, pauses []Pause) Date {
	if start.IsZero() || days <= 0 {
		return start
	}
	days = min(days, maxDueDays)
	s := start.DayNumber()
	ps := mergePauses(pauses)
	switch mode {
	case DayCalendar:
		return DateFromDayNumber(calendarEnd(s, days, ps))
	case DayWorking:
		return DateFromDayNumber(workingEnd(s, days, cal, ps))
	default:
		return DateFromDayNumber(rollForward(calendarEnd(s, days, ps), cal, ps))
	}
}

// span is an inclusive range of day numbers.
type span struct{ from, to int }

// mergePauses turns pauses into sorted, disjoint, non-adjacent spans so that a
// day covered by two pauses is skipped once.
func mergePauses(pauses []Pause) []span {
	var ss []span
	for _, p := range pauses {
		if p.From.IsZero() || p.To.IsZero() || p.To.Before(p.From) {
			continue
		}
		ss = append(ss, span{p.From.DayNumber(), p.To.DayNumber()})
	}
	slices.SortFunc(ss, func(a, b span) int { return a.from - b.from })
	var out []span
	for _, s := range ss {
		if n := len(out); n > 0 && s.from <= out[n-1].to+1 {
			out[n-1].to = max(out[n-1].to, s.to)
			continue
		}
		out = append(out, s)
	}
	return out
}

// calendarEnd counts days unpaused days after s and returns the last one.
// It walks the pauses rather than the days, so its cost does not grow with days.
func calendarEnd(s, days int, ps []span) int {
	pos, left := s, days
	for _, p := range ps {
		if p.to <= pos {
			continue
		}
		if p.from > pos {
			free := p.from - pos - 1 // counted days before this pause
			if free >= left {
				break
			}
			left -= free
		}
		pos = p.to
	}
	return pos + left
}

// workingEnd counts days working days after s, skipping paused days.
func workingEnd(s, days int, cal *Calendar, ps []span) int {
	n, left, i := s, days, 0
	for left > 0 {
		n++
		for i < len(ps) && ps[i].to < n {
			i++
		}
		if i < len(ps) && ps[i].from <= n {
			n = ps[i].to // skip the rest of the pause at once
			continue
		}
		if cal.isWorkdayN(n) {
			left--
		}
	}
	return n
}

// rollForward moves n to the first day from n on that is a working day and not
// paused: a paused day cannot be the last day of a running period.
func rollForward(n int, cal *Calendar, ps []span) int {
	i := 0
	for {
		for i < len(ps) && ps[i].to < n {
			i++
		}
		if i < len(ps) && ps[i].from <= n {
			n = ps[i].to + 1
			continue
		}
		if cal.isWorkdayN(n) {
			return n
		}
		n++
	}
}

// DaysLeft returns due − today in days: 0 when due is today, negative when
// overdue. It is 0 when either date is zero, so check Level for "no deadline".
func DaysLeft(due, today Date) int {
	if due.IsZero() || today.IsZero() {
		return 0
	}
	return due.Sub(today)
}

// Level is a deadline warning level (§3.11). Levels are ordered by severity,
// so a < b means b is the more urgent; LevelNone is the least.
type Level int

const (
	LevelNone   Level = iota // no deadline
	LevelGreen               // 正常
	LevelYellow              // 临期
	LevelOrange              // 紧急 (includes due today)
	LevelRed                 // 超期
	LevelBlack               // 严重超期
)

var levelInfo = [...]struct{ name, emoji, label, color string }{
	LevelNone:   {"none", "", "", "grey"},
	LevelGreen:  {"green", "🟢", "正常", "green"},
	LevelYellow: {"yellow", "🟡", "临期", "yellow"},
	LevelOrange: {"orange", "🟠", "紧急", "orange"},
	LevelRed:    {"red", "🔴", "超期", "red"},
	LevelBlack:  {"black", "⚫", "严重超期", "carmine"},
}

func (l Level) valid() bool { return l >= LevelNone && int(l) < len(levelInfo) }

// Emoji is the coloured dot shown beside a case; "" for LevelNone.
func (l Level) Emoji() string {
	if !l.valid() {
		return ""
	}
	return levelInfo[l].emoji
}

// Label is the Chinese name of the level; "" for LevelNone.
func (l Level) Label() string {
	if !l.valid() {
		return ""
	}
	return levelInfo[l].label
}

// Color is the Feishu card header template for the level. Feishu has no black
// template, so 严重超期 uses carmine, the darkest red.
func (l Level) Color() string {
	if !l.valid() {
		return "grey"
	}
	return levelInfo[l].color
}

// String is a stable English name (none, green, ... black) for logs and keys;
// use Label for users.
func (l Level) String() string {
	if !l.valid() {
		return fmt.Sprintf("Level(%d)", int(l))
	}
	return levelInfo[l].name
}

// Thresholds are the day counts that separate the warning levels. They are
// configurable per deadline kind (a 15-day period may want Yellow: 5).
type Thresholds struct {
	Yellow int `json:"yellow" yaml:"yellow"` // remaining ≤ Yellow: 临期
	Orange int `json:"orange" yaml:"orange"` // remaining ≤ Orange: 紧急
	Black  int `json:"black" yaml:"black"`   // overdue by more than Black: 严重超期
}

// DefaultThresholds are the defaults of petition-domain §3.11.
var DefaultThresholds = Thresholds{Yellow: 7, Orange: 3, Black: 30}

// OrDefault is t, or DefaultThresholds when t is unset (the zero value).
func (t Thresholds) OrDefault() Thresholds {
	if t == (Thresholds{}) {
		return DefaultThresholds
	}
	return t
}

// Validate reports thresholds that would make a level unreachable or make a
// deadline due today not 紧急.
func (t Thresholds) Validate() error {
	switch {
	case t.Orange < 0:
		return errors.New("预警阈值：orange 不能小于 0（当日到期必须是紧急）")
	case t.Yellow < t.Orange:
		return fmt.Errorf("预警阈值：yellow（%d）不能小于 orange（%d）", t.Yellow, t.Orange)
	case t.Black < 1:
		return fmt.Errorf("预警阈值：black（%d）至少为 1，否则不会出现\"超期\"", t.Black)
	}
	return nil
}

// Level classifies a deadline due on due, seen on today, with remaining =
// due − today:
//
//	remaining > Yellow                 LevelGreen
//	Orange < remaining ≤ Yellow        LevelYellow
//	0 ≤ remaining ≤ Orange             LevelOrange (due today is 紧急)
//	overdue by 1..Black days           LevelRed
//	overdue by more than Black days    LevelBlack
//
// A zero due (or a zero today) is LevelNone.
func (t Thresholds) Level(due, today Date) Level {
	if due.IsZero() || today.IsZero() {
		return LevelNone
	}
	r := due.Sub(today)
	switch {
	case r < 0 && -r > t.Black:
		return LevelBlack
	case r < 0:
		return LevelRed
	case r <= t.Orange:
		return LevelOrange
	case r <= t.Yellow:
		return LevelYellow
	}
	return LevelGreen
}
