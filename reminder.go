package xfbot

import "time"

// Rule names what a reminder is about. A reminder is sent once per case,
// rule, level and episode (the due date, or the day the gap began): the
// sent-ledger key.
type Rule string

const (
	RuleDue       Rule = "due"     // 办结期限: 临期, 紧急, 超期, 严重超期
	RuleStale     Rule = "stale"   // 久未更新: no progress for StaleDays
	RuleNoContact Rule = "contact" // 久未接触: no contact with a 积案 / 重点 petitioner
	RuleSnooze    Rule = "snooze"  // 明天再提醒: asked to be reminded again
	RuleWindow    Rule = "window"  // 申请期届满: the petitioner did not ask for 复查/复核; the case may be concluded (终结)
)

// Label is the Chinese name of r.
func (r Rule) Label() string {
	switch r {
	case RuleDue:
		return "办结期限"
	case RuleStale:
		return "久未更新"
	case RuleNoContact:
		return "久未接触"
	case RuleWindow:
		return "申请期届满"
	case RuleSnooze:
		return "再次提醒"
	}
	return string(r)
}

// Gaps are the internal time limits of petition-domain §3.11 (calendar days).
type Gaps struct {
	Stale          int // 久未更新: days without progress (default 7)
	ContactBacklog int // 久未接触 for 积案 (default 30)
	ContactKey     int // 久未接触 for 重点 (default 14)
}

// DefaultGaps are the defaults of petition-domain §3.11.
var DefaultGaps = Gaps{Stale: 7, ContactBacklog: 30, ContactKey: 14}

// ContactGap is the contact interval that applies to c, 0 when none does:
// only 积案 and 重点 cases are watched for contact.
func (g Gaps) ContactGap(c *Case) int {
	switch {
	case c.HasTag(TagKey):
		return g.ContactKey
	case c.HasTag(TagBacklog):
		return g.ContactBacklog
	}
	return 0
}

// GapDeadlines are the case's 久未更新 and 久未接触 as deadlines: the day
// (in loc) of its last activity plus g.Stale, and of its last contact plus
// the contact gap of its class (积案/重点; none for other cases), owned by its
// 包案人. Only a case the office is chasing has them (Chased: an answered
// case waiting on the petitioner's window is nagged about nothing); a zero
// gap is off. Nothing here depends on the day it is asked, so the record
// alone says them and the write that moves LastProgressAt or LastContactAt
// moves them.
func (c *Case) GapDeadlines(g Gaps, loc *time.Location) []Deadline {
	if !c.Chased() || c.LastActivity().IsZero() {
		return nil
	}
	var out []Deadline
	d := Deadline{Subject: Subject{Kind: SubjectCase, ID: string(c.No)}, Owner: c.Owner.OpenID}
	if g.Stale > 0 {
		d.Kind, d.Due = DeadlineProgressGap, DateOf(c.LastActivity(), loc).AddDays(g.Stale)
		out = append(out, d)
	}
	if n := g.ContactGap(c); n > 0 {
		d.Kind, d.Due = DeadlineContactGap, DateOf(c.LastContact(), loc).AddDays(n)
		out = append(out, d)
	}
	return out
}

// LastActivity is the day the case last moved: its latest progress, or its
// registration.
func (c *Case) LastActivity() time.Time {
	if !c.LastProgressAt.IsZero() {
		return c.LastProgressAt
	}
	return c.CreatedAt
}

// LastContact is the day of the latest contact, or the registration.
func (c *Case) LastContact() time.Time {
	if !c.LastContactAt.IsZero() {
		return c.LastContactAt
	}
	return c.CreatedAt
}

// Escalation is one step of the ladder an unacknowledged overdue case climbs
// (like PagerDuty's): to whom, and how many working days after the case
// turned red.
type Escalation struct {
	To    EscalateTo
	After int // working days after the first overdue reminder
}

// EscalateTo names a step's recipient, resolved when the step fires.
type EscalateTo string

const (
	EscalateLiaison EscalateTo = "liaison" // the liaisons of the case's 主责单位 (or 属地)
	EscalateLeader  EscalateTo = "leader"  // the case's 包案领导
	EscalateLead    EscalateTo = "lead"    // the task-force lead (admins)
)

// Label is the Chinese name of e.
func (e EscalateTo) Label() string {
	switch e {
	case EscalateLiaison:
		return "单位联络员"
	case EscalateLeader:
		return "包案领导"
	case EscalateLead:
		return "专班负责人"
	}
	return string(e)
}

// DefaultLadder: the unit's liaison the next working day, the watching leader
// after three, the task-force lead after five.
var DefaultLadder = []Escalation{{EscalateLiaison, 1}, {EscalateLeader, 3}, {EscalateLead, 5}}
