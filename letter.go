package xfbot

import (
	"fmt"
	"time"
)

// LetterID numbers a letter to a leader: LX-YYYY-NNNN, gap-free per year of
// registration, allocated inside the commit that registers it.
type LetterID string

// ParseLetterID accepts LX-2026-0001 and the lenient forms of ParseCaseNo.
func ParseLetterID(s string) (LetterID, error) {
	y, n, ok := parseSerial(s, "LX")
	if !ok {
		return "", Errorf(EINVALID, "来信编号“%s”格式不对，应为 LX-年份-序号，例如 LX-2026-0001；发送“来信 列表”可查看编号。", Echo(s, 30))
	}
	return LetterID(fmt.Sprintf("LX-%04d-%04d", y, n)), nil
}

// LetterStage is where a leader letter stands: read and annotated (阅批),
// then assigned to a unit (交办).
type LetterStage string

const (
	LetterUnread   LetterStage = "unread"   // 待阅批
	LetterRead     LetterStage = "read"     // 已阅批，待交办
	LetterAssigned LetterStage = "assigned" // 已交办
)

// Label is the Chinese name of s.
func (s LetterStage) Label() string {
	switch s {
	case LetterUnread:
		return "待阅批"
	case LetterRead:
		return "待交办"
	case LetterAssigned:
		return "已交办"
	}
	return string(s)
}

// LeaderLetter is a letter addressed to a district leader (领导来信,
// petition-domain §3.10): the leader reads and annotates it (批示), the task
// force assigns it to a unit (交办).
type LeaderLetter struct {
	ID           LetterID
	Leader       Person
	Summary      string
	ReceivedOn   Date
	RegisteredBy Person // reminded when it is annotated but not assigned
	RegisteredAt time.Time

	ReadAt      time.Time // when the instruction was given
	Instruction string    // 批示
	ReadBy      Person

	AssignedUnit string
	AssignedAt   time.Time
	AssignedBy   Person
	Case         CaseNo // the case the letter became or belongs to, if any

	ReadDue   Date // DeadlineLetterRead from ReceivedOn
	AssignDue Date // DeadlineLetterAssign from the day of the instruction; zero before it

	Version int64
}

// Stage is where l stands.
func (l *LeaderLetter) Stage() LetterStage {
	switch {
	case !l.AssignedAt.IsZero():
		return LetterAssigned
	case !l.ReadAt.IsZero():
		return LetterRead
	}
	return LetterUnread
}

// Proxied reports whether the instruction was recorded by staff on the
// leader's behalf (代录) rather than given by the leader in xfbot; the
// leader's own 批示 supersedes it.
func (l *LeaderLetter) Proxied() bool {
	return !l.ReadAt.IsZero() && l.ReadBy.OpenID != "" && l.ReadBy.OpenID != l.Leader.OpenID
}

// NextDue is the deadline l runs against now: the read deadline while
// unread, the assign deadline once annotated, none once assigned.
func (l *LeaderLetter) NextDue() Date {
	switch l.Stage() {
	case LetterUnread:
		return l.ReadDue
	case LetterRead:
		return l.AssignDue
	}
	return Date{}
}

// LetterReadDue is the last day to read and annotate a letter received on
// day: the DeadlineLetterRead rule (2 working days by default).
func LetterReadDue(received Date, cal *Calendar) Date {
	r, _ := RuleOf(DeadlineLetterRead)
	return r.Due(received, 0, cal, nil)
}

// LetterAssignDue is the last day to assign a letter annotated on day: the
// DeadlineLetterAssign rule (3 working days by default), counted from the
// instruction, since a letter cannot be assigned before it is annotated.
func LetterAssignDue(read Date, cal *Calendar) Date {
	r, _ := RuleOf(DeadlineLetterAssign)
	return r.Due(read, 0, cal, nil)
}

// Deadlines are the letter's open obligations: the leader's 阅批 while
// unread, the registrar's 交办 once annotated; none once assigned.
func (l *LeaderLetter) Deadlines() []Deadline {
	d := Deadline{Subject: Subject{Kind: SubjectLetter, ID: string(l.ID)}}
	switch l.Stage() {
	case LetterUnread:
		d.Kind, d.Due, d.Owner = DeadlineLetterRead, l.ReadDue, l.Leader.OpenID
	case LetterRead:
		d.Kind, d.Due, d.Owner = DeadlineLetterAssign, l.AssignDue, l.RegisteredBy.OpenID
	default:
		return nil
	}
	return []Deadline{d}
}
