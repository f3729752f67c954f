package xfbot

import (
	"strings"
	"time"
)

// The roster (petition-domain §3.8): the seconded members are "能进能出".
// A member is 在岗 or on a dated leave while seconded, and leaves the task
// force either recalled (召回, with a record the 组织部 keeps) or at the
// end of the secondment (期满返回). Status is computed from the record and
// the day: a leave ends by its dates, no job flips it.

// MemberStatus is a member's place on the roster on a day.
type MemberStatus string

const (
	OnDuty   MemberStatus = "active"   // 在岗
	OnLeave  MemberStatus = "leave"    // 请假: a leave covers the day
	Recalled MemberStatus = "recalled" // 已召回
	Returned MemberStatus = "returned" // 期满返回
)

// Label is the Chinese name of s.
func (s MemberStatus) Label() string {
	switch s {
	case OnDuty, "":
		return "在岗"
	case OnLeave:
		return "请假"
	case Recalled:
		return "已召回"
	case Returned:
		return "期满返回"
	}
	return string(s)
}

// Leave is a member's dated leave (both days included) and who receives
// what is sent to them meanwhile.
type Leave struct {
	From, To Date
	StandIn  Person // 代理人: an active task-force member
	Reason   string
}

// IsZero reports whether there is no leave.
func (l Leave) IsZero() bool { return l.From.IsZero() && l.To.IsZero() }

// Covers reports whether d is a day of the leave.
func (l Leave) Covers(d Date) bool {
	return !l.IsZero() && !d.Before(l.From) && !d.After(l.To)
}

// Span is the leave's days as written back: 2026-03-18至2026-03-20.
func (l Leave) Span() string {
	if l.From == l.To {
		return l.From.String()
	}
	return l.From.String() + "至" + l.To.String()
}

// StatusOn is m's status on day d: the way out once they left, else 请假
// while a leave covers d, else 在岗. A record written before the roster
// (no dates, no status) reads as 在岗.
func (m Member) StatusOn(d Date) MemberStatus {
	switch {
	case m.Out != "":
		return m.Out
	case m.Leave.Covers(d):
		return OnLeave
	}
	return OnDuty
}

// Gone reports whether m has left the task force (recalled or returned):
// the record and its history stay, the role does not.
func (m Member) Gone() bool { return m.Out != "" }

// CanTakeOver reports whether m may be given another member's cases and
// stand in for them: a task-force member or admin still on the roster.
func (m Member) CanTakeOver() bool {
	return !m.Gone() && (m.Role == RoleAdmin || m.Role == RoleMember)
}

// RosterNoticeWorkdays is how many working days before a leave ends, or a
// secondment's planned end, the lead hears of it.
const RosterNoticeWorkdays = 3

// RosterDeadlines are m's entries of the deadline index: the end of the
// current leave and the planned end of the secondment, while m is on the
// roster. Their Due is the day the lead is to hear of it, cal's
// RosterNoticeWorkdays working days before the end (a leave: not before it
// starts), because the reminder scan reads the index up to today; the end
// itself is in the record.
func (m Member) RosterDeadlines(cal *Calendar) []Deadline {
	if m.Gone() || m.OpenID == "" {
		return nil
	}
	subj := Subject{Kind: SubjectMember, ID: m.OpenID}
	var out []Deadline
	if !m.Leave.IsZero() {
		d := WorkdaysBefore(cal, m.Leave.To, RosterNoticeWorkdays)
		if d.Before(m.Leave.From) {
			d = m.Leave.From
		}
		out = append(out, Deadline{Subject: subj, Kind: DeadlineLeaveEnd, Due: d})
	}
	if !m.PlannedEnd.IsZero() {
		out = append(out, Deadline{Subject: subj, Kind: DeadlineTermEnd, Due: WorkdaysBefore(cal, m.PlannedEnd, RosterNoticeWorkdays)})
	}
	return out
}

// WorkdaysBefore is the n-th working day before d (d itself for n ≤ 0); a
// nil cal knows weekends only.
func WorkdaysBefore(cal *Calendar, d Date, n int) Date {
	for n > 0 {
		d = d.AddDays(-1)
		if cal.IsWorkday(d) {
			n--
		}
	}
	return d
}

// StandIn is who receives what is sent to openID on day on: openID
// itself, or the stand-in named for a leave that covers on. A stand-in who
// is on leave too passes it on to theirs; a stand-in who has left, or a
// chain that comes back to someone already on it, leaves it with openID.
func StandIn(ms []Member, openID string, on Date) string {
	byID := make(map[string]*Member, len(ms))
	for i := range ms {
		byID[ms[i].OpenID] = &ms[i]
	}
	to := openID
	seen := map[string]bool{openID: true}
	for {
		m := byID[to]
		if m == nil || m.StatusOn(on) != OnLeave || m.Leave.StandIn.OpenID == "" {
			return to
		}
		next := m.Leave.StandIn.OpenID
		if s := byID[next]; seen[next] || s == nil || s.Gone() {
			return to
		}
		seen[next] = true
		to = next
	}
}

// RecallReason is the category of a recall (召回原因), a short fixed list.
type RecallReason string

const (
	RecallPerfunctory RecallReason = "perfunctory" // 敷衍应付: 敷衍了事、得过且过
	RecallAbsent      RecallReason = "absent"      // 心不在焉: 身在曹营心在汉
	RecallIncompetent RecallReason = "incompetent" // 不胜任
	RecallDiscipline  RecallReason = "discipline"  // 违反纪律
	RecallNeeded      RecallReason = "needed"      // 工作需要: 原单位或组织另有安排
	RecallOther       RecallReason = "other"       // 其他
)

// RecallReasons lists the categories with their Chinese names.
var RecallReasons = []struct {
	Reason RecallReason
	Label  string
	Alias  []string
}{
	{RecallPerfunctory, "敷衍应付", []string{"敷衍了事", "敷衍", "得过且过"}},
	{RecallAbsent, "心不在焉", []string{"身在曹营心在汉"}},
	{RecallIncompetent, "不胜任", []string{"不能胜任"}},
	{RecallDiscipline, "违反纪律", []string{"违纪", "纪律"}},
	{RecallNeeded, "工作需要", []string{"原单位需要"}},
	{RecallOther, "其他", []string{"其它"}},
}

// RecallReasonLabels is the list as a user reads it.
func RecallReasonLabels() string {
	names := make([]string, len(RecallReasons))
	for i, r := range RecallReasons {
		names[i] = r.Label
	}
	return strings.Join(names, "、")
}

// Label is the Chinese name of r.
func (r RecallReason) Label() string {
	for _, x := range RecallReasons {
		if x.Reason == r {
			return x.Label
		}
	}
	return string(r)
}

// ParseRecallReason accepts the Chinese name, an alias or the code.
func ParseRecallReason(s string) (RecallReason, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	for _, x := range RecallReasons {
		if s == string(x.Reason) || s == x.Label {
			return x.Reason, true
		}
		for _, a := range x.Alias {
			if s == a {
				return x.Reason, true
			}
		}
	}
	return "", false
}

// RecallRecord is the record of one recall (召回记录): who was recalled,
// who decided, when and why, and the 组织部's confirmation that it is on
// their record. It is personnel data: the lead and the configured 组织部
// contact read it, never a group.
type RecallRecord struct {
	ID     string // <open_id>:<unix s of At>
	Member Person
	Unit   string // 派出单位
	Role   Role   // the role held until the recall
	Joined Date
	Reason RecallReason
	Text   string // 说明
	By     Person
	At     time.Time

	Confirmed   bool // the 组织部 contact pressed 已记录
	ConfirmedBy Person
	ConfirmedAt time.Time
}
