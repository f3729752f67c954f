package xfbot

import (
	"fmt"
	"strings"
	"time"
)

// 督查单 (petition-domain §3.9): the task force's inspectors (督查专员)
// find a problem in a unit's work, hand it to the unit with a requirement
// and a rectification deadline, and sign it off the list once the unit has
// rectified and another staff member has verified it (清单化管理、台账式销号).
// An overdue item climbs a ladder of its own (催办 → 通报 → 约谈 → 挂牌督办,
// 条例第三十九、四十条), each step once per deadline.

// SupervisionID numbers a 督查单: DC-YYYY-NNNN, gap-free per year of
// opening, allocated inside the commit that opens it.
type SupervisionID string

// ParseSupervisionID accepts DC-2026-0001 and the lenient forms of
// ParseCaseNo (dc2026-1, DC-2026-1).
func ParseSupervisionID(s string) (SupervisionID, error) {
	y, n, ok := parseSerial(s, "DC")
	if !ok {
		return "", Errorf(EINVALID, "督查单编号“%s”格式不对，应为 DC-年份-序号，例如 DC-2026-0001；发送“督查 列表”可查看编号。", Echo(s, 30))
	}
	return SupervisionID(fmt.Sprintf("DC-%04d-%04d", y, n)), nil
}

// LooksLikeSupervisionID reports whether s is meant as a 督查单 number.
func LooksLikeSupervisionID(s string) bool {
	return strings.HasPrefix(strings.ToUpper(strings.TrimSpace(Normalize(s))), "DC")
}

// ProblemType is what kind of failing a 督查单 is about.
type ProblemType string

const (
	ProblemOverdue       ProblemType = "overdue"           // 超期未办
	ProblemMeasure       ProblemType = "measure_not_done"  // 措施不落实
	ProblemReply         ProblemType = "reply_nonstandard" // 答复不规范
	ProblemStability     ProblemType = "stability_gap"     // 属地责任不到位
	ProblemBuckPassing   ProblemType = "buck_passing"      // 推诿扯皮
	ProblemFalsification ProblemType = "falsification"     // 弄虚作假
	ProblemLedger        ProblemType = "ledger_inaccurate" // 台账不实
	ProblemOther         ProblemType = "other"             // 其他
)

// ProblemTypes are the problem types in the order they are listed, with
// their Chinese names and the words also accepted.
var ProblemTypes = []struct {
	Type  ProblemType
	Label string
	Alias []string
}{
	{ProblemOverdue, "超期未办", []string{"超期", "逾期未办"}},
	{ProblemMeasure, "措施不落实", []string{"措施未落实", "不落实"}},
	{ProblemReply, "答复不规范", []string{"答复不当"}},
	{ProblemStability, "属地责任不到位", []string{"属地责任", "属地不到位"}},
	{ProblemBuckPassing, "推诿扯皮", []string{"推诿", "扯皮"}},
	{ProblemFalsification, "弄虚作假", []string{"造假"}},
	{ProblemLedger, "台账不实", []string{"台账不准"}},
	{ProblemOther, "其他", []string{"其它"}},
}

// Label is the Chinese name of p.
func (p ProblemType) Label() string {
	for _, x := range ProblemTypes {
		if x.Type == p {
			return x.Label
		}
	}
	return string(p)
}

// ParseProblemType accepts the Chinese name, an alias or the code.
func ParseProblemType(s string) (ProblemType, bool) {
	s = strings.ToLower(strings.TrimSpace(Normalize(s)))
	for _, x := range ProblemTypes {
		if s == string(x.Type) || s == x.Label {
			return x.Type, true
		}
		for _, a := range x.Alias {
			if s == a {
				return x.Type, true
			}
		}
	}
	return "", false
}

// ProblemTypeWords lists the problem types' names for a reply.
func ProblemTypeWords() string {
	ws := make([]string, len(ProblemTypes))
	for i, x := range ProblemTypes {
		ws[i] = x.Label
	}
	return strings.Join(ws, "、")
}

// SupervisionStatus is where a 督查单 stands. 退回 is an act, not a
// status: a returned item is 整改中 again (Returns counts how often).
type SupervisionStatus string

const (
	SupIssued     SupervisionStatus = "issued"     // 已交办
	SupRectifying SupervisionStatus = "rectifying" // 整改中
	SupSubmitted  SupervisionStatus = "submitted"  // 已报整改
	SupVerified   SupervisionStatus = "verified"   // 核验通过
	SupClosed     SupervisionStatus = "closed"     // 已销号
)

// Label is the Chinese name of s.
func (s SupervisionStatus) Label() string {
	switch s {
	case SupIssued:
		return "已交办"
	case SupRectifying:
		return "整改中"
	case SupSubmitted:
		return "已报整改"
	case SupVerified:
		return "核验通过"
	case SupClosed:
		return "已销号"
	}
	return string(s)
}

// EscalationStep is a rung of a 督查单's own ladder.
type EscalationStep string

const (
	StepRemind    EscalationStep = "remind"    // 催办: the unit's liaisons and the inspector
	StepNotice    EscalationStep = "notice"    // 通报: a masked line to the task-force group
	StepInterview EscalationStep = "interview" // 约谈: the lead, who owes the unit an interview
	StepListed    EscalationStep = "listed"    // 挂牌督办: the lead and the group
)

// SupervisionSteps are the rungs in order.
var SupervisionSteps = []EscalationStep{StepRemind, StepNotice, StepInterview, StepListed}

// Label is the Chinese name of s.
func (s EscalationStep) Label() string {
	switch s {
	case StepRemind:
		return "催办"
	case StepNotice:
		return "通报"
	case StepInterview:
		return "约谈"
	case StepListed:
		return "挂牌督办"
	}
	return string(s)
}

// SupervisionLadder spaces the rungs: 催办 on the first working day after
// the deadline, then each later rung this many working days after the one
// before it was taken (supervision.notice_after, interview_after,
// listed_after).
type SupervisionLadder struct {
	NoticeAfter, InterviewAfter, ListedAfter int
}

// DefaultSupervisionLadder: 通报 3 working days after 催办, 约谈 3 after
// 通报, 挂牌督办 5 after 约谈.
var DefaultSupervisionLadder = SupervisionLadder{NoticeAfter: 3, InterviewAfter: 3, ListedAfter: 5}

// OrDefault fills the zero spacings with the defaults.
func (l SupervisionLadder) OrDefault() SupervisionLadder {
	d := DefaultSupervisionLadder
	if l.NoticeAfter > 0 {
		d.NoticeAfter = l.NoticeAfter
	}
	if l.InterviewAfter > 0 {
		d.InterviewAfter = l.InterviewAfter
	}
	if l.ListedAfter > 0 {
		d.ListedAfter = l.ListedAfter
	}
	return d
}

func (l SupervisionLadder) after(s EscalationStep) int {
	l = l.OrDefault()
	switch s {
	case StepNotice:
		return l.NoticeAfter
	case StepInterview:
		return l.InterviewAfter
	case StepListed:
		return l.ListedAfter
	}
	return 1
}

// StepTaken is a rung taken: for which deadline (the episode), on which day.
type StepTaken struct {
	Step    EscalationStep
	Episode Date // the 整改期限 that was missed
	Day     Date
}

// SupervisionEvent is one line of a 督查单's history: who did what, when.
type SupervisionEvent struct {
	At     time.Time
	By     Person // zero for the scheduler's steps
	Action string // 交办, 整改, 报告, 退回, 核验通过, 销号, 移交, 催办, 通报, 约谈, 挂牌督办
	Text   string
}

// DefaultRectifyDays is the default 整改期限 in working days (the
// DeadlineRectify rule; supervision.rectify_days).
const DefaultRectifyDays = 7

// RectifyDue is the last day to rectify an item opened on day: days
// working days (0: the DeadlineRectify rule's).
func RectifyDue(opened Date, days int, cal *Calendar) Date {
	r, _ := RuleOf(DeadlineRectify)
	if days <= 0 {
		return r.Due(opened, 0, cal, nil)
	}
	return ComputeDue(opened, days, DayWorking, cal, nil)
}

// SupervisionItem is one 督查单.
type SupervisionItem struct {
	ID          SupervisionID
	Unit        string // 被督查单位
	Case        CaseNo // optional: the case the problem was found on
	Problem     ProblemType
	Description string
	Requirement string

	OpenedBy  Person // who found it (发现人)
	Inspector Person // who answers for it now: the opener, or whom it was handed over to
	OpenedAt  time.Time
	OpenedOn  Date
	Due       Date // 整改期限 in force

	Status      SupervisionStatus
	StartedAt   time.Time
	StartedBy   Person
	Evidence    string // 整改情况与佐证
	SubmittedAt time.Time
	SubmittedOn Date
	SubmittedBy Person
	SubmitDue   Date // the deadline in force when submitted: on time or late
	Returns     int
	Opinion     string // the verifier's last opinion
	VerifiedAt  time.Time
	VerifiedBy  Person
	ClosedAt    time.Time
	ClosedBy    Person

	// Steps are the rungs taken, oldest first (written by the reminder scan
	// beside the record, read with it).
	Steps []StepTaken

	Version int64
}

// Open reports whether the item is still on the list.
func (it *SupervisionItem) Open() bool { return it.Status != SupClosed }

// Rectifying reports whether the unit is to act: its deadline runs.
func (it *SupervisionItem) Rectifying() bool {
	return it.Status == SupIssued || it.Status == SupRectifying
}

// Overdue reports whether the deadline has passed with the unit still to act.
func (it *SupervisionItem) Overdue(today Date) bool {
	return it.Rectifying() && !it.Due.IsZero() && today.After(it.Due)
}

// OnTime reports whether the submission was by the deadline in force then.
func (it *SupervisionItem) OnTime() bool {
	return !it.SubmittedOn.IsZero() && !it.SubmittedOn.After(it.SubmitDue)
}

// Deadlines are the item's open deadlines: its 整改期限 while the unit is
// to act, owned by the inspector; none once reported, verified or closed.
func (it *SupervisionItem) Deadlines() []Deadline {
	if !it.Rectifying() || it.Due.IsZero() {
		return nil
	}
	return []Deadline{{Subject: Subject{Kind: SubjectSupervise, ID: string(it.ID)}, Kind: DeadlineRectify, Due: it.Due, Owner: it.Inspector.OpenID}}
}

// Escalation is the highest rung taken for the deadline in force (none:
// "").
func (it *SupervisionItem) Escalation() EscalationStep {
	var s EscalationStep
	for _, t := range it.Steps {
		if t.Episode == it.Due {
			s = t.Step
		}
	}
	return s
}

// NextStep is the rung due for the deadline in force and the day it is
// due, by l with cal: 催办 on the first working day after the deadline,
// each later rung l's spacing after the day the one before was taken. ok
// is false when the item is not overdue-able (reported, closed) or every
// rung is taken.
func (it *SupervisionItem) NextStep(l SupervisionLadder, cal *Calendar) (EscalationStep, Date, bool) {
	if !it.Rectifying() || it.Due.IsZero() {
		return "", Date{}, false
	}
	taken := map[EscalationStep]Date{}
	for _, t := range it.Steps {
		if t.Episode == it.Due {
			taken[t.Step] = t.Day
		}
	}
	prev := it.Due
	for i, s := range SupervisionSteps {
		if d, ok := taken[s]; ok {
			prev = d
			continue
		}
		if i == 0 {
			return s, cal.WorkdaysAfter(it.Due, 1), true
		}
		return s, cal.WorkdaysAfter(prev, l.after(s)), true
	}
	return "", Date{}, false
}

// EverOverdue reports whether any rung was ever taken (for any deadline):
// the item counted as overdue once.
func (it *SupervisionItem) EverOverdue() bool { return len(it.Steps) > 0 }

// SupervisionAct is a step of the lifecycle a person takes.
type SupervisionAct string

const (
	ActRectify SupervisionAct = "rectify" // 整改: the unit starts (已交办 → 整改中)
	ActSubmit  SupervisionAct = "submit"  // 报告: the unit reports with evidence (→ 已报整改)
	ActVerify  SupervisionAct = "verify"  // 核验通过 (已报整改 → 核验通过)
	ActReturn  SupervisionAct = "return"  // 退回 (已报整改 → 整改中)
	ActClose   SupervisionAct = "close"   // 销号 (核验通过 → 已销号)
)

// Label is the Chinese name of a.
func (a SupervisionAct) Label() string {
	switch a {
	case ActRectify:
		return "整改"
	case ActSubmit:
		return "报告"
	case ActVerify:
		return "核验通过"
	case ActReturn:
		return "退回"
	case ActClose:
		return "销号"
	}
	return string(a)
}

func isStaffRole(r Role) bool { return r == RoleAdmin || r == RoleMember }

// CanAct says whether m may take act on it now, and if not, why (a Chinese
// sentence). The rules:
//   - 整改 and 报告 are the unit's: its liaisons, or task-force staff
//     recording on the unit's behalf (代报, a report delivered on paper);
//   - 核验 (通过 or 退回) is task-force staff's, never the one who submitted
//     the report being verified;
//   - 销号 is the lead's (admin) or the item's inspector's.
func (it *SupervisionItem) CanAct(m Member, act SupervisionAct) error {
	unitSide := isStaffRole(m.Role) || (m.Role == RoleLiaison && m.Unit != "" && m.Unit == it.Unit)
	switch act {
	case ActRectify, ActSubmit:
		if !unitSide {
			if m.Role == RoleLiaison {
				return Errorf(EFORBIDDEN, "督查单 %s 交办给 %s，您是 %s 的联络员，不能代其整改或报告。", it.ID, it.Unit, orText(m.Unit, "其他单位"))
			}
			return Errorf(EFORBIDDEN, "督查单的整改由被督查单位（%s）的联络员报告，您的角色是%s。", it.Unit, m.Role.Label())
		}
	case ActVerify, ActReturn:
		if !isStaffRole(m.Role) {
			return Errorf(EFORBIDDEN, "督查单的核验由专班督查专员办理，您的角色是%s。", m.Role.Label())
		}
		if it.SubmittedBy.OpenID != "" && it.SubmittedBy.OpenID == m.OpenID {
			return Errorf(EFORBIDDEN, "督查单 %s 的整改情况是您报告的，核验须由另一名专班成员办理。", it.ID)
		}
	case ActClose:
		if m.Role != RoleAdmin && m.OpenID != it.Inspector.OpenID {
			return Errorf(EFORBIDDEN, "督查单 %s 由专班负责人或督查专员 %s 销号。", it.ID, it.Inspector.Display())
		}
	default:
		return Errorf(EINVALID, "没有这个督查操作：%s", act)
	}
	return nil
}

func orText(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// Apply takes act on it (a copy the caller writes), by m at at (today its
// day), with the act's text (evidence, opinion) and, for 退回, an optional
// new deadline (zero: the deadline stays; a return does not reset the
// clock). It checks the role (CanAct) and the status.
func (it *SupervisionItem) Apply(act SupervisionAct, m Member, at time.Time, today Date, text string, newDue Date) error {
	if err := it.CanAct(m, act); err != nil {
		return err
	}
	by := m.Person()
	wrong := func(want string) error {
		return Errorf(EINVALID, "督查单 %s 现在是“%s”，%s。", it.ID, it.Status.Label(), want)
	}
	switch act {
	case ActRectify:
		switch it.Status {
		case SupIssued:
		case SupRectifying:
			return Errorf(EINVALID, "督查单 %s 已在整改中；整改完成后请发送“督查 报告 %s <整改情况与佐证>”。", it.ID, it.ID)
		default:
			return wrong("不能再开始整改")
		}
		it.Status, it.StartedAt, it.StartedBy = SupRectifying, at, by
	case ActSubmit:
		if !it.Rectifying() {
			if it.Status == SupSubmitted {
				return Errorf(EINVALID, "督查单 %s 已报整改，正在等待核验。", it.ID)
			}
			return wrong("不能再报告整改")
		}
		if strings.TrimSpace(text) == "" {
			return Errorf(EINVALID, "请写明整改情况与佐证，例如：督查 报告 %s 已落实属地联系人，附走访记录", it.ID)
		}
		if it.StartedAt.IsZero() {
			it.StartedAt, it.StartedBy = at, by
		}
		it.Status, it.Evidence, it.SubmittedAt, it.SubmittedOn, it.SubmittedBy, it.SubmitDue = SupSubmitted, text, at, today, by, it.Due
	case ActVerify, ActReturn:
		if it.Status != SupSubmitted {
			return wrong("只有已报整改的督查单可以核验")
		}
		if act == ActReturn {
			if strings.TrimSpace(text) == "" {
				return Errorf(EINVALID, "退回须写明意见，例如：督查 核验 %s 退回 佐证材料不全，请补充走访记录", it.ID)
			}
			if !newDue.IsZero() && !newDue.After(today) {
				return Errorf(EINVALID, "新的整改期限 %s 应在今天之后。", newDue)
			}
			it.Status, it.Returns, it.Opinion = SupRectifying, it.Returns+1, text
			if !newDue.IsZero() {
				it.Due = newDue
			}
			return nil
		}
		it.Status, it.Opinion, it.VerifiedAt, it.VerifiedBy = SupVerified, text, at, by
	case ActClose:
		if it.Status != SupVerified {
			if it.Status == SupClosed {
				return Errorf(EINVALID, "督查单 %s 已销号。", it.ID)
			}
			return wrong("核验通过后才能销号")
		}
		it.Status, it.ClosedAt, it.ClosedBy = SupClosed, at, by
	}
	return nil
}

// SupervisionCounter names a count of the 督查 figures, kept per day and
// month, for the district, per unit and per problem type.
type SupervisionCounter string

const (
	SupCountOpened   SupervisionCounter = "opened"   // 督查单 opened (交办), on the day opened
	SupCountOnTime   SupervisionCounter = "ontime"   // verified, reported by the deadline in force then
	SupCountLate     SupervisionCounter = "late"     // verified, reported after it
	SupCountReturned SupervisionCounter = "returned" // 退回 (every return counts)
	SupCountOverdue  SupervisionCounter = "overdue"  // items that went overdue (first 催办), once per item
	SupCountClosed   SupervisionCounter = "closed"   // 销号
)

// SupervisionCounters are the counters in the order they are shown.
var SupervisionCounters = []SupervisionCounter{SupCountOpened, SupCountOnTime, SupCountLate, SupCountReturned, SupCountOverdue, SupCountClosed}

// SupervisionField names a counter's field: the counter for the district,
// counter|u:<unit> per unit, counter|t:<type> per problem type.
func SupervisionField(c SupervisionCounter, unit string, t ProblemType) string {
	switch {
	case unit != "":
		return string(c) + "|u:" + unit
	case t != "":
		return string(c) + "|t:" + string(t)
	}
	return string(c)
}

// SupervisionFigures are a period's 督查 figures for the district, a unit
// or a problem type, with what is open and overdue now.
type SupervisionFigures struct {
	Unit     string      // "" for the district or a type
	Type     ProblemType // "" for the district or a unit
	Opened   int64
	OnTime   int64
	Late     int64
	Returned int64
	Overdue  int64 // went overdue in the period
	Closed   int64
	OpenNow  int64 // on the list now (not 销号)
	LateNow  int64 // overdue now
}

// Verified is how many were verified in the period.
func (f SupervisionFigures) Verified() int64 { return f.OnTime + f.Late }

// OnTimeRate is 按期整改率: verified items reported by their deadline over
// all verified in the period.
func (f SupervisionFigures) OnTimeRate() Rate { return Rate{Num: f.OnTime, Den: f.OnTime + f.Late} }

// Empty reports whether nothing happened and nothing is open.
func (f SupervisionFigures) Empty() bool {
	return f.Opened+f.OnTime+f.Late+f.Returned+f.Overdue+f.Closed+f.OpenNow == 0
}

// SupervisionFiguresOf reads the figures of the district (unit and t ""),
// a unit or a type out of a period's counts (field → n).
func SupervisionFiguresOf(counts map[string]int64, unit string, t ProblemType) SupervisionFigures {
	g := func(c SupervisionCounter) int64 { return counts[SupervisionField(c, unit, t)] }
	return SupervisionFigures{Unit: unit, Type: t, Opened: g(SupCountOpened), OnTime: g(SupCountOnTime), Late: g(SupCountLate),
		Returned: g(SupCountReturned), Overdue: g(SupCountOverdue), Closed: g(SupCountClosed)}
}

// SupervisionDefinition is the 口径 of the 督查 figures.
const SupervisionDefinition = "督查单：交办数按开单日计；按期整改率 = 本期核验通过的督查单中，报告整改之日不晚于当时整改期限的件数 ÷ 本期核验通过件数；退回按次计；逾期数为本期首次逾期（首次催办）的督查单，每单只计一次；在办、当前逾期为统计时的实时数（逾期 = 已交办或整改中且已过整改期限）。退回时整改期限不变，核验人可另定新期限。"
