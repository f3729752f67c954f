package xfbot

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Leader reception days (领导干部定期接访, petition-domain §1.2 and §3.10):
// every district leader receives petitioners at least once per period (by
// default a natural month); the task force schedules, publishes and records
// the receptions and reminds whoever is behind.

// ReceptionID numbers a reception: JF-YYYY-NNNN, the year of the reception
// day and a gap-free serial within that year, allocated inside the commit
// that creates it (like case numbers).
type ReceptionID string

// ParseReceptionID accepts JF-2026-0003 and what people type on a phone:
// lower case, full-width characters, a missing leading zero (jf-2026-3).
func ParseReceptionID(s string) (ReceptionID, error) {
	y, n, ok := parseSerial(s, "JF")
	if !ok {
		return "", Errorf(EINVALID, "接访编号“%s”格式不对，应为 JF-年份-序号，例如 JF-2026-0003；发送“接访 本月”可查看编号。", Echo(s, 30))
	}
	return ReceptionID(fmt.Sprintf("JF-%04d-%04d", y, n)), nil
}

// parseSerial reads PREFIX-YYYY-N in the lenient forms ParseCaseNo takes.
func parseSerial(s, prefix string) (year, n int, ok bool) {
	t := strings.ToUpper(strings.TrimSpace(Normalize(s)))
	t = strings.ReplaceAll(t, "—", "-")
	if !strings.HasPrefix(t, prefix) {
		return 0, 0, false
	}
	t = strings.TrimPrefix(strings.TrimPrefix(t, prefix), "-")
	var ys, ns string
	if i := strings.IndexByte(t, '-'); i >= 0 {
		ys, ns = t[:i], t[i+1:]
	} else if len(t) > 4 {
		ys, ns = t[:4], t[4:]
	} else {
		return 0, 0, false
	}
	y, err1 := strconv.Atoi(ys)
	k, err2 := strconv.Atoi(ns)
	if err1 != nil || err2 != nil || len(ys) != 4 || y < 2000 || y > 2999 || k < 1 || k > 999999 || len(ns) > 6 {
		return 0, 0, false
	}
	return y, k, true
}

// Slot is the part of the day a reception takes.
type Slot string

const (
	SlotAM   Slot = "am"   // 上午
	SlotPM   Slot = "pm"   // 下午
	SlotFull Slot = "full" // 全天
)

// Label is the Chinese name of s.
func (s Slot) Label() string {
	switch s {
	case SlotAM:
		return "上午"
	case SlotPM:
		return "下午"
	case SlotFull:
		return "全天"
	}
	return string(s)
}

// ParseSlot accepts 上午, 下午, 全天 (also 整天) or the code.
func ParseSlot(s string) (Slot, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "上午", "am", "早上":
		return SlotAM, true
	case "下午", "pm":
		return SlotPM, true
	case "全天", "整天", "full", "一天":
		return SlotFull, true
	}
	return "", false
}

// ReceptionMode is how the leader receives (§1.2: 定点接访、重点约访、带案下访).
type ReceptionMode string

const (
	ModeFixed       ReceptionMode = "fixed"           // 定点接访
	ModeAppointment ReceptionMode = "appointment"     // 重点约访
	ModeCaseVisit   ReceptionMode = "with_case_visit" // 带案下访
	ModeVideo       ReceptionMode = "video"           // 视频接访
)

var receptionModes = []struct {
	m      ReceptionMode
	label  string
	others []string
}{
	{ModeFixed, "定点接访", []string{"定点"}},
	{ModeAppointment, "重点约访", []string{"约访", "预约"}},
	{ModeCaseVisit, "带案下访", []string{"下访"}},
	{ModeVideo, "视频接访", []string{"视频"}},
}

// Label is the Chinese name of m.
func (m ReceptionMode) Label() string {
	for _, x := range receptionModes {
		if x.m == m {
			return x.label
		}
	}
	return string(m)
}

// ParseReceptionMode accepts the Chinese name, a short form (定点, 约访,
// 下访, 视频) or the code.
func ParseReceptionMode(s string) (ReceptionMode, bool) {
	s = strings.TrimSpace(s)
	for _, x := range receptionModes {
		if s == string(x.m) || s == x.label || slices.Contains(x.others, s) {
			return x.m, true
		}
	}
	return "", false
}

// ReceptionStatus is where a reception stands.
type ReceptionStatus string

const (
	ReceptionPlanned     ReceptionStatus = "planned"     // 已安排
	ReceptionHeld        ReceptionStatus = "held"        // 已接访 (a record was entered)
	ReceptionCancelled   ReceptionStatus = "cancelled"   // 已取消
	ReceptionRescheduled ReceptionStatus = "rescheduled" // 已改期 (see RescheduledTo)
)

// Label is the Chinese name of s.
func (s ReceptionStatus) Label() string {
	switch s {
	case ReceptionPlanned:
		return "已安排"
	case ReceptionHeld:
		return "已接访"
	case ReceptionCancelled:
		return "已取消"
	case ReceptionRescheduled:
		return "已改期"
	}
	return string(s)
}

// ReceptionRecord is what happened at a reception (接访记录).
type ReceptionRecord struct {
	Batches        int // 批次
	Persons        int // 人次
	AnsweredOnSpot int // 当场答复件数
	Notes          string
	Cases          []CaseNo // cases named in the record (those registered on the spot are linked by 新建 … 接访:编号)
	By             Person
	At             time.Time
}

// Reception is one scheduled reception day of a leader.
type Reception struct {
	ID     ReceptionID
	Leader Person
	Date   Date
	Slot   Slot
	Place  string
	Mode   ReceptionMode
	Status ReceptionStatus

	ScheduledBy Person // reminded when no record follows
	ScheduledAt time.Time

	Appointments []CaseNo // 约访: cases whose petitioners are invited; briefed to the leader
	Record       *ReceptionRecord

	RescheduledFrom ReceptionID
	RescheduledTo   ReceptionID
	Note            string // reason of a cancellation or a reschedule

	Version int64
}

// Deadlines are the reception's open obligations: its record, due the
// working day after it, from whoever scheduled it, while it stands planned.
func (r *Reception) Deadlines(cal *Calendar) []Deadline {
	if r.Status != ReceptionPlanned {
		return nil
	}
	rule, _ := RuleOf(DeadlineReceptionRecord)
	return []Deadline{{Subject: Subject{Kind: SubjectReception, ID: string(r.ID)}, Kind: DeadlineReceptionRecord,
		Due: rule.Due(r.Date, 0, cal, nil), Owner: r.ScheduledBy.OpenID}}
}

// When is the reception's day and slot, e.g. "2026-04-01（星期三）上午".
func (r *Reception) When() string {
	return r.Date.String() + "（" + WeekdayLabel(r.Date.Weekday()) + "）" + r.Slot.Label()
}

// WeekdayLabel is the Chinese name of a weekday: 星期一 … 星期日.
func WeekdayLabel(w time.Weekday) string {
	return [...]string{"星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"}[w]
}

// Month is a calendar month, e.g. 2026-04.
type Month struct {
	Year  int
	Month time.Month
}

// MonthOf is the month d falls in.
func MonthOf(d Date) Month { return Month{d.Year, d.Month} }

// String is YYYY-MM.
func (m Month) String() string { return fmt.Sprintf("%04d-%02d", m.Year, int(m.Month)) }

// Label is the Chinese name: 2026年4月.
func (m Month) Label() string { return fmt.Sprintf("%d年%d月", m.Year, int(m.Month)) }

// First and Last are the month's first and last day.
func (m Month) First() Date { return NewDate(m.Year, m.Month, 1) }
func (m Month) Last() Date  { return NewDate(m.Year, m.Month, daysIn(m.Year, m.Month)) }

// Next is the following month.
func (m Month) Next() Month { return MonthOf(m.Last().AddDays(1)) }

// ParseMonth accepts 2026-04, 2026-4, 2026年4月 and 202604.
func ParseMonth(s string) (Month, error) {
	t := strings.TrimSuffix(strings.TrimSpace(foldDateWidth(s)), "月")
	var ys, ms string
	switch {
	case strings.Contains(t, "年"):
		ys, ms, _ = strings.Cut(t, "年")
	case strings.ContainsAny(t, "-/."):
		i := strings.IndexAny(t, "-/.")
		ys, ms = t[:i], t[i+1:]
	case len(t) == 6:
		ys, ms = t[:4], t[4:]
	}
	y, err1 := strconv.Atoi(ys)
	m, err2 := strconv.Atoi(ms)
	if err1 != nil || err2 != nil || len(ys) != 4 || y < minParseYear || y > maxParseYear || m < 1 || m > 12 {
		return Month{}, Errorf(EINVALID, "月份“%s”看不懂，请写成 2026-04。", Echo(s, 20))
	}
	return Month{y, time.Month(m)}, nil
}

// Frequency periods: a leader must hold a reception in every period of
// EveryMonths months, the periods aligned on the calendar year (1: every
// natural month; 3: every quarter; 12: every year).
var validEvery = []int{1, 2, 3, 4, 6, 12}

// ParseEvery accepts 每月, 每季度, 每半年, 每年, 每N月 (N dividing 12).
func ParseEvery(s string) (int, error) {
	switch s = strings.TrimSpace(Normalize(s)); s {
	case "每月", "每个月", "月":
		return 1, nil
	case "每季度", "每季", "季度":
		return 3, nil
	case "每半年", "半年":
		return 6, nil
	case "每年", "年":
		return 12, nil
	}
	t := strings.TrimSuffix(strings.TrimSuffix(strings.TrimPrefix(s, "每"), "月"), "个")
	n, err := strconv.Atoi(t)
	if err != nil || !slices.Contains(validEvery, n) {
		return 0, Errorf(EINVALID, "接访频次“%s”看不懂，可写：每月、每2月、每季度、每半年、每年。", Echo(s, 20))
	}
	return n, nil
}

// EveryLabel is the Chinese name of a frequency.
func EveryLabel(n int) string {
	switch n {
	case 0, 1:
		return "每月"
	case 3:
		return "每季度"
	case 6:
		return "每半年"
	case 12:
		return "每年"
	}
	return fmt.Sprintf("每%d个月", n)
}

// ReceptionPeriod is the period containing d for a leader who must receive
// every `every` months (0 means 1).
func ReceptionPeriod(d Date, every int) (from, to Date) {
	if !slices.Contains(validEvery, every) {
		every = 1
	}
	first := (int(d.Month)-1)/every*every + 1
	from = NewDate(d.Year, time.Month(first), 1)
	to = Month{d.Year, time.Month(first + every - 1)}.Last()
	return from, to
}

// RollToWorkday moves d to the next working day within its month, or, when
// the month has none after d, to the last working day before it. A month
// without any working day (none exists) returns d.
func RollToWorkday(d Date, cal *Calendar) Date {
	for x := d; x.Month == d.Month; x = x.AddDays(1) {
		if cal.IsWorkday(x) {
			return x
		}
	}
	for x := d.AddDays(-1); x.Month == d.Month; x = x.AddDays(-1) {
		if cal.IsWorkday(x) {
			return x
		}
	}
	return d
}

// RosterKind is how a roster rule picks the days.
type RosterKind string

const (
	// RosterFixedDay: every leader on the same day of the month (the
	// district's 领导接访日), rolled to the next working day; leaders
	// alternate between the morning and the afternoon.
	RosterFixedDay RosterKind = "fixed"
	// RosterWeekday: the month's working days on one weekday (每周三), taken
	// by the leaders in turn, mornings first, then afternoons.
	RosterWeekday RosterKind = "weekday"
	// RosterRotate: one leader per working day from a day of the month on
	// (轮流), mornings first, then afternoons.
	RosterRotate RosterKind = "rotate"
)

// RosterRule is how next month's roster is drafted.
type RosterRule struct {
	Kind    RosterKind
	Day     int          // RosterFixedDay, RosterRotate: day of the month (1–31; beyond the month's end: its last day)
	Weekday time.Weekday // RosterWeekday
}

// DefaultRosterRule: the leaders take the month's Wednesdays in turn.
var DefaultRosterRule = RosterRule{Kind: RosterWeekday, Weekday: time.Wednesday}

// Label describes the rule in Chinese.
func (r RosterRule) Label() string {
	switch r.Kind {
	case RosterFixedDay:
		return fmt.Sprintf("每月%d日集中接访（遇节假日顺延）", r.Day)
	case RosterWeekday:
		return "每周" + strings.TrimPrefix(WeekdayLabel(r.Weekday), "星期") + "轮流接访"
	case RosterRotate:
		return fmt.Sprintf("%d日起每个工作日一位领导轮流接访", r.Day)
	}
	return string(r.Kind)
}

// ParseRosterRule accepts 每月28日 (also 28日, 28号), 每周三 (周三, 星期三)
// and 轮流 or 轮流5日起 / 5日起轮流.
func ParseRosterRule(s string) (RosterRule, error) {
	t := strings.TrimSpace(Normalize(s))
	bad := Errorf(EINVALID, "排班规则“%s”看不懂，可写：每月28日（集中接访日，遇节假日顺延）、每周三（轮流）、轮流 或 5日起轮流。", Echo(s, 20))
	day := func(x string) (int, bool) {
		x = strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(x, "起"), "日"), "号")
		n, err := strconv.Atoi(x)
		return n, err == nil && n >= 1 && n <= 31
	}
	switch {
	case strings.Contains(t, "轮流"):
		rest := strings.TrimSpace(strings.ReplaceAll(t, "轮流", ""))
		if rest == "" {
			return RosterRule{Kind: RosterRotate, Day: 1}, nil
		}
		if n, ok := day(rest); ok {
			return RosterRule{Kind: RosterRotate, Day: n}, nil
		}
		return RosterRule{}, bad
	case strings.HasPrefix(t, "每周") || strings.HasPrefix(t, "周") || strings.HasPrefix(t, "星期"):
		w := strings.TrimPrefix(strings.TrimPrefix(strings.TrimPrefix(t, "每"), "周"), "星期")
		for i, name := range []string{"日", "一", "二", "三", "四", "五", "六"} {
			if w == name || (i == 0 && w == "天") {
				if i == 0 || i == 6 {
					return RosterRule{}, Errorf(EINVALID, "接访日应在工作日，请选周一到周五。")
				}
				return RosterRule{Kind: RosterWeekday, Weekday: time.Weekday(i)}, nil
			}
		}
		return RosterRule{}, bad
	default:
		if n, ok := day(strings.TrimPrefix(t, "每月")); ok {
			return RosterRule{Kind: RosterFixedDay, Day: n}, nil
		}
	}
	return RosterRule{}, bad
}

// RosterEntry is one leader's reception day in a draft roster.
type RosterEntry struct {
	Leader Person
	Date   Date
	Slot   Slot
}

// DraftRoster drafts a month's roster for leaders by rule. It is pure: the
// same inputs give the same roster. The leaders' order is rotated by the
// month's index, so that across months each leader takes each place in
// turn (the first Wednesday is not always the same leader's). Days are
// working days of the month under cal (holidays skipped, 调休 Saturdays
// allowed); a day beyond the month's end means its last day.
func DraftRoster(m Month, leaders []Person, rule RosterRule, cal *Calendar) ([]RosterEntry, error) {
	if len(leaders) == 0 {
		return nil, Errorf(EINVALID, "还没有区领导：请先发送“成员 添加 @领导 领导”，或在配置 leaders 中列出。")
	}
	var days []Date
	clampDay := func(n int) Date { return NewDate(m.Year, m.Month, min(max(n, 1), daysIn(m.Year, m.Month))) }
	switch rule.Kind {
	case RosterFixedDay:
		days = []Date{RollToWorkday(clampDay(rule.Day), cal)}
	case RosterWeekday:
		for d := m.First(); !d.After(m.Last()); d = d.AddDays(1) {
			if d.Weekday() == rule.Weekday && cal.IsWorkday(d) {
				days = append(days, d)
			}
		}
	case RosterRotate:
		for d := clampDay(rule.Day); !d.After(m.Last()); d = d.AddDays(1) {
			if cal.IsWorkday(d) {
				days = append(days, d)
			}
		}
		if len(days) == 0 { // from a day after the month's last working day
			days = []Date{RollToWorkday(clampDay(rule.Day), cal)}
		}
	default:
		return nil, Errorf(EINVALID, "排班规则无效。")
	}
	if len(days) == 0 {
		return nil, Errorf(EINVALID, "%s 没有符合“%s”的工作日，请换一个规则。", m.Label(), rule.Label())
	}
	order := append([]Person(nil), leaders...)
	if k := (m.Year*12 + int(m.Month) - 1) % len(order); k > 0 {
		order = append(order[k:], order[:k]...)
	}
	out := make([]RosterEntry, len(order))
	for i, p := range order {
		slot := SlotAM
		if (i/len(days))%2 == 1 {
			slot = SlotPM // the second round of a short month: afternoons
		}
		out[i] = RosterEntry{Leader: p, Date: days[i%len(days)], Slot: slot}
	}
	slices.SortStableFunc(out, func(a, b RosterEntry) int {
		if c := a.Date.Sub(b.Date); c != 0 {
			return c
		}
		return strings.Compare(string(a.Slot), string(b.Slot)) // am before pm
	})
	return out, nil
}

// LeaderCompliance is one leader's receptions in a month.
type LeaderCompliance struct {
	Leader        Person
	Held          int    // receptions held
	Planned       int    // still planned (not yet held)
	Batches       int    // 批次 received
	Persons       int    // 人次 received
	Answered      int    // answered on the spot
	CasesCreated  int    // cases linked to the month's receptions
	CasesResolved int    // of those, resolved or signed off
	Days          []Date // days held
}

// Compliance is the month's reception report (接访统计).
type Compliance struct {
	Month   Month
	Leaders []LeaderCompliance // leaders with none held first, then by name
	Held    int                // leaders who held at least one
	Missing int                // leaders who held none
	Persons int
	Batches int
	Created int
	Solved  int
}

// ReceptionCompliance counts the month's receptions per leader: every leader
// in leaders appears (with zeros if none was held), and so does anyone else
// who received in the month. cases are the cases linked to the receptions
// (by reception id), looked up in byNo for their current status.
func ReceptionCompliance(m Month, leaders []Person, rs []*Reception, linked map[ReceptionID][]CaseNo, byNo map[CaseNo]*Case) Compliance {
	rep := Compliance{Month: m}
	idx := map[string]int{}
	add := func(p Person) *LeaderCompliance {
		if i, ok := idx[p.OpenID]; ok {
			if rep.Leaders[i].Leader.Name == "" {
				rep.Leaders[i].Leader.Name = p.Name
			}
			return &rep.Leaders[i]
		}
		idx[p.OpenID] = len(rep.Leaders)
		rep.Leaders = append(rep.Leaders, LeaderCompliance{Leader: p})
		return &rep.Leaders[len(rep.Leaders)-1]
	}
	for _, p := range leaders {
		add(p)
	}
	for _, r := range rs {
		if MonthOf(r.Date) != m {
			continue
		}
		lc := add(r.Leader)
		switch r.Status {
		case ReceptionPlanned:
			lc.Planned++
		case ReceptionHeld:
			lc.Held++
			lc.Days = append(lc.Days, r.Date)
			if rec := r.Record; rec != nil {
				lc.Batches += rec.Batches
				lc.Persons += rec.Persons
				lc.Answered += rec.AnsweredOnSpot
			}
		}
		seen := map[CaseNo]bool{}
		var nos []CaseNo
		nos = append(nos, linked[r.ID]...)
		if r.Record != nil {
			nos = append(nos, r.Record.Cases...)
		}
		for _, no := range nos {
			if seen[no] {
				continue
			}
			seen[no] = true
			lc.CasesCreated++
			if c := byNo[no]; c != nil && (c.Status == StatusResolved || c.Status == StatusClosed) {
				lc.CasesResolved++
			}
		}
	}
	for i := range rep.Leaders {
		lc := &rep.Leaders[i]
		if lc.Held > 0 {
			rep.Held++
		} else {
			rep.Missing++
		}
		rep.Persons += lc.Persons
		rep.Batches += lc.Batches
		rep.Created += lc.CasesCreated
		rep.Solved += lc.CasesResolved
	}
	slices.SortStableFunc(rep.Leaders, func(a, b LeaderCompliance) int {
		if (a.Held > 0) != (b.Held > 0) {
			if a.Held == 0 {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Leader.Display(), b.Leader.Display())
	})
	return rep
}
