package xfbot

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// 集中会诊 (joint consultations, petition-domain §0 and §3.5 Consultation;
// the speech's 集中会诊、分类施策): the task force meets with the units
// concerned on a day, over a few hard cases, records a conclusion per case
// and decisions; each decision can become a measure of the case's plan in
// one step (转为措施). The invited units' liaisons and the cases' owners
// are told of it; its record lands in each case's timeline and history.

// ConsultID numbers a consultation: HZ-YYYY-NNNN, the year of its day and a
// gap-free serial within that year, allocated inside the commit that
// schedules it (like case and reception numbers).
type ConsultID string

// ParseConsultID accepts HZ-2026-0001 and the lenient forms of
// ParseCaseNo (hz-2026-1, full-width characters).
func ParseConsultID(s string) (ConsultID, error) {
	y, n, ok := parseSerial(s, "HZ")
	if !ok {
		return "", Errorf(EINVALID, "会诊编号“%s”格式不对，应为 HZ-年份-序号，例如 HZ-2026-0001；发送“会诊 列表”可查看编号。", Echo(s, 30))
	}
	return ConsultID(fmt.Sprintf("HZ-%04d-%04d", y, n)), nil
}

// ConsultStatus is where a consultation stands.
type ConsultStatus string

const (
	ConsultPlanned   ConsultStatus = "planned"   // 已安排
	ConsultHeld      ConsultStatus = "held"      // 已会诊: a conclusion or a decision was recorded
	ConsultCancelled ConsultStatus = "cancelled" // 已取消
)

// Label is the Chinese name of s.
func (s ConsultStatus) Label() string {
	switch s {
	case ConsultPlanned:
		return "已安排"
	case ConsultHeld:
		return "已会诊"
	case ConsultCancelled:
		return "已取消"
	}
	return string(s)
}

// Limits of one consultation: a meeting over a handful of cases.
const (
	MaxConsultCases     = 20
	MaxConsultUnits     = 20
	MaxConsultDecisions = 50
)

// ConsultConclusion is the conclusion the consultation reached on one case.
type ConsultConclusion struct {
	Case CaseNo
	Text string
	By   Person
	At   time.Time
}

// Means is the kind of a plan measure (petition-domain §3.5): a 硬手段
// (法律、政策、经济、行政) or a 软措施 (教育、协商、调解、疏导).
type Means struct {
	Hard bool
	Type string // the Chinese word: 法律 … 疏导
}

var (
	hardMeans = []string{"法律", "政策", "经济", "行政"}
	softMeans = []string{"教育", "协商", "调解", "疏导"}
)

// Label is how the means is written in a command: 硬:法律, 软:调解.
func (m Means) Label() string {
	if m.Hard {
		return "硬:" + m.Type
	}
	return "软:" + m.Type
}

// Name is how a card shows it: 硬手段·法律, 软措施·调解.
func (m Means) Name() string {
	if m.Hard {
		return "硬手段·" + m.Type
	}
	return "软措施·" + m.Type
}

// ParseMeans reads <硬|软>:<类型> (also 硬手段:法律, 软措施：调解, a type
// alone: 法律 is hard, 调解 soft).
func ParseMeans(s string) (Means, error) {
	t := strings.TrimSpace(Normalize(s))
	bad := Errorf(EINVALID, "措施类型“%s”看不懂，应写 硬:法律|政策|经济|行政 或 软:教育|协商|调解|疏导，例如 硬:政策。", Echo(s, 20))
	kind, typ, ok := strings.Cut(strings.ReplaceAll(t, "：", ":"), ":")
	if !ok {
		kind, typ = "", t
	}
	hard := slices.Contains(hardMeans, typ)
	soft := slices.Contains(softMeans, typ)
	switch kind {
	case "":
		if !hard && !soft {
			return Means{}, bad
		}
	case "硬", "硬手段", "hard":
		if !hard {
			return Means{}, Errorf(EINVALID, "硬手段的类型是 法律、政策、经济、行政，“%s”不是；教育、协商、调解、疏导属于软措施（软:%s）。", Echo(typ, 10), Echo(typ, 10))
		}
	case "软", "软措施", "soft":
		if !soft {
			return Means{}, Errorf(EINVALID, "软措施的类型是 教育、协商、调解、疏导，“%s”不是；法律、政策、经济、行政属于硬手段（硬:%s）。", Echo(typ, 10), Echo(typ, 10))
		}
	default:
		return Means{}, bad
	}
	return Means{Hard: hard, Type: typ}, nil
}

// ConsultDecision is one decision of a consultation about one case: what
// is to be done, by which unit and person, by when. Converted, it is a
// measure of the case's plan (Measure names it when the plan said so).
type ConsultDecision struct {
	N       int // 1, 2, … within the consultation
	Case    CaseNo
	Means   Means
	Content string
	Unit    string
	Owner   Person
	Due     Date
	By      Person
	At      time.Time

	ConvertedAt time.Time // zero until 转为措施
	ConvertedBy Person
	Measure     string // the measure's number as the plan named it, if it did
}

// Converted reports whether the decision became a plan measure.
func (d ConsultDecision) Converted() bool { return !d.ConvertedAt.IsZero() }

// MeasureCommand is the command that makes the decision a measure of its
// case's plan: 方案 措施 <案件号> <硬|软>:<类型> <内容> [单位:x]
// [负责人:@人] [期限:日期]. 转为措施 runs exactly this text as the
// clicking user, so the plan's own role rule and checks apply.
func (d ConsultDecision) MeasureCommand() string {
	parts := []string{"方案", "措施", string(d.Case), d.Means.Label(), strings.Join(strings.Fields(d.Content), " ")}
	if d.Unit != "" {
		parts = append(parts, "单位:"+strings.Join(strings.Fields(d.Unit), ""))
	}
	if !d.Owner.IsZero() {
		parts = append(parts, "负责人:@"+strings.ReplaceAll(d.Owner.Display(), " ", ""))
	}
	if !d.Due.IsZero() {
		parts = append(parts, "期限:"+d.Due.String())
	}
	return strings.Join(parts, " ")
}

// Consultation is one 集中会诊.
type Consultation struct {
	ID    ConsultID
	Date  Date
	Slot  Slot
	Place string
	Topic string // 议题, free text
	Host  Person // 主持
	Units []string
	Cases []CaseNo

	Status      ConsultStatus
	ScheduledBy Person // reminded the day before, and when no record follows
	ScheduledAt time.Time
	MovedFrom   Date   // the day before the last 改期
	Note        string // the reason of a cancellation

	Conclusions []ConsultConclusion // one per case at most, in the order recorded
	Decisions   []ConsultDecision

	Version int64
}

// When is the consultation's day and slot, e.g. "2026-03-20（星期五）上午".
func (c *Consultation) When() string {
	return c.Date.String() + "（" + WeekdayLabel(c.Date.Weekday()) + "）" + c.Slot.Label()
}

// HasCase reports whether no is one of the consultation's cases.
func (c *Consultation) HasCase(no CaseNo) bool { return slices.Contains(c.Cases, no) }

// Conclusion is the conclusion on case no, or nil.
func (c *Consultation) Conclusion(no CaseNo) *ConsultConclusion {
	for i := range c.Conclusions {
		if c.Conclusions[i].Case == no {
			return &c.Conclusions[i]
		}
	}
	return nil
}

// Decision is decision n, or nil.
func (c *Consultation) Decision(n int) *ConsultDecision {
	for i := range c.Decisions {
		if c.Decisions[i].N == n {
			return &c.Decisions[i]
		}
	}
	return nil
}

// Recorded reports whether anything of the meeting was recorded.
func (c *Consultation) Recorded() bool { return len(c.Conclusions) > 0 || len(c.Decisions) > 0 }

// Clone is a deep copy, for a write that modifies it.
func (c *Consultation) Clone() *Consultation {
	cp := *c
	cp.Units = slices.Clone(c.Units)
	cp.Cases = slices.Clone(c.Cases)
	cp.Conclusions = slices.Clone(c.Conclusions)
	cp.Decisions = slices.Clone(c.Decisions)
	return &cp
}

// ConsultEve is the day a consultation on day is reminded of: the working
// day before it (the Friday before a Monday, the last day before a
// holiday), or day itself when it has none before (never in practice).
func ConsultEve(day Date, cal *Calendar) Date {
	for d, i := day.AddDays(-1), 0; i < 30; d, i = d.AddDays(-1), i+1 {
		if cal.IsWorkday(d) {
			return d
		}
	}
	return day
}

// ConsultRecordDue is the last day to record a consultation's conclusions:
// the working day after it (the DeadlineReceptionRecord rule, like a
// reception's record).
func ConsultRecordDue(day Date, cal *Calendar) Date {
	rule, _ := RuleOf(DeadlineReceptionRecord)
	return rule.Due(day, 0, cal, nil)
}

// Deadlines are the consultation's open obligations while it stands
// planned: one DeadlineConsult entry per person reminded, the host and
// whoever scheduled it, due on its eve (ConsultEve), the day the first
// reminder goes. The index is read up to today only, so the entry is
// scored by the day it must first be read, not by the meeting's day; it
// stays until the record (a conclusion or a decision) or a cancellation
// takes the consultation out of planned, and the scan decides from the
// record what each run owes: the eve reminder to both, then, on the
// working day after the meeting (ConsultRecordDue) with nothing recorded,
// the missing-conclusions reminder to whoever scheduled it. A 改期 moves
// the entries to the new eve.
func (c *Consultation) Deadlines(cal *Calendar) []Deadline {
	if c.Status != ConsultPlanned || c.Date.IsZero() {
		return nil
	}
	subj := Subject{Kind: SubjectConsult, ID: string(c.ID)}
	eve := ConsultEve(c.Date, cal)
	var out []Deadline
	for _, p := range []Person{c.Host, c.ScheduledBy} {
		if p.OpenID == "" || slices.ContainsFunc(out, func(d Deadline) bool { return d.Owner == p.OpenID }) {
			continue
		}
		out = append(out, Deadline{Subject: subj, Kind: DeadlineConsult, Due: eve, Owner: p.OpenID})
	}
	return out
}
