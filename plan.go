package xfbot

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// 一案一策 (petition-domain §3.5): a case's strategy plan, drafted by the
// task force, approved by the lead or the case's 包案领导, then carried out
// measure by measure. A change after approval makes a new version; the
// approved one stays in force (its measures are the deadlines) until the
// new one is approved, and every version is kept. A plan lives on one case;
// 一人一策 is a plan on the petitioner's primary case that links their other
// cases (Linked), whose cards point to it.

// PlanStatus is where one version of a plan stands.
type PlanStatus string

const (
	PlanDraft      PlanStatus = "draft"      // 草稿: being written
	PlanSubmitted  PlanStatus = "submitted"  // 待批: waiting for the lead or the 包案领导
	PlanApproved   PlanStatus = "approved"   // 已批准: in force, its measures are deadlines
	PlanSuperseded PlanStatus = "superseded" // 已调整: an approved version replaced by a later one
)

// Label is the Chinese name of s.
func (s PlanStatus) Label() string {
	switch s {
	case PlanDraft:
		return "草稿"
	case PlanSubmitted:
		return "待批"
	case PlanApproved:
		return "已批准"
	case PlanSuperseded:
		return "已调整"
	}
	return string(s)
}

// MeasureKind is 硬手段 or 软措施 (讲话: 硬手段 法律、政策、经济、行政；软措施 教育、协商、调解、疏导).
type MeasureKind string

const (
	MeasureHard MeasureKind = "hard" // 硬
	MeasureSoft MeasureKind = "soft" // 软
)

// Label is 硬 or 软.
func (k MeasureKind) Label() string {
	if k == MeasureHard {
		return "硬"
	}
	return "软"
}

// MeasureType is the type of a measure within its kind.
type MeasureType string

const (
	MeasureLegal          MeasureType = "legal"          // 法律
	MeasurePolicy         MeasureType = "policy"         // 政策
	MeasureEconomic       MeasureType = "economic"       // 经济
	MeasureAdministrative MeasureType = "administrative" // 行政
	MeasureEducation      MeasureType = "education"      // 教育
	MeasureNegotiation    MeasureType = "negotiation"    // 协商
	MeasureMediation      MeasureType = "mediation"      // 调解
	MeasureCounseling     MeasureType = "counseling"     // 疏导
)

// MeasureTypes lists every type with its kind and label, hard ones first.
var MeasureTypes = []struct {
	Type  MeasureType
	Kind  MeasureKind
	Label string
}{
	{MeasureLegal, MeasureHard, "法律"},
	{MeasurePolicy, MeasureHard, "政策"},
	{MeasureEconomic, MeasureHard, "经济"},
	{MeasureAdministrative, MeasureHard, "行政"},
	{MeasureEducation, MeasureSoft, "教育"},
	{MeasureNegotiation, MeasureSoft, "协商"},
	{MeasureMediation, MeasureSoft, "调解"},
	{MeasureCounseling, MeasureSoft, "疏导"},
}

// Label is the Chinese name of t.
func (t MeasureType) Label() string {
	for _, x := range MeasureTypes {
		if x.Type == t {
			return x.Label
		}
	}
	return string(t)
}

func typeLabels(k MeasureKind) string {
	var ls []string
	for _, x := range MeasureTypes {
		if x.Kind == k {
			ls = append(ls, x.Label)
		}
	}
	return strings.Join(ls, " ")
}

// ParseMeasureSpec reads <硬|软>:<类型> (硬:政策, 软:疏导; 硬手段/软措施, full-width
// colons and the English codes too) and checks that the type belongs to
// the kind.
func ParseMeasureSpec(s string) (MeasureKind, MeasureType, error) {
	help := fmt.Sprintf("措施种类应写成 硬:类型 或 软:类型。硬手段：%s；软措施：%s。例如 硬:政策、软:疏导。", typeLabels(MeasureHard), typeLabels(MeasureSoft))
	t := strings.TrimSpace(Normalize(s))
	i := strings.IndexAny(t, ":：")
	if i < 0 {
		return "", "", Errorf(EINVALID, "“%s”不是措施种类。%s", Echo(s, 20), help)
	}
	ks, ts := strings.TrimSpace(t[:i]), strings.TrimSpace(strings.TrimLeft(t[i:], ":："))
	var kind MeasureKind
	switch strings.ToLower(ks) {
	case "硬", "硬手段", "硬措施", "hard":
		kind = MeasureHard
	case "软", "软措施", "软手段", "soft":
		kind = MeasureSoft
	default:
		return "", "", Errorf(EINVALID, "“%s”不是措施种类。%s", Echo(ks, 10), help)
	}
	ts = strings.TrimSuffix(strings.TrimSuffix(ts, "手段"), "措施")
	for _, x := range MeasureTypes {
		if ts == x.Label || strings.EqualFold(ts, string(x.Type)) {
			if x.Kind != kind {
				return "", "", Errorf(EINVALID, "“%s”是%s措施，不是%s措施。%s", x.Label, x.Kind.Label(), kind.Label(), help)
			}
			return kind, x.Type, nil
		}
	}
	return "", "", Errorf(EINVALID, "“%s”不是%s措施的类型，可选：%s。", Echo(ts, 10), kind.Label(), typeLabels(kind))
}

// MeasureStatus is where one measure stands.
type MeasureStatus string

const (
	MeasureTodo    MeasureStatus = "todo"    // 待办
	MeasureDone    MeasureStatus = "done"    // 已完成
	MeasureDropped MeasureStatus = "dropped" // 已取消 (a draft's measure taken out)
)

// Label is the Chinese name of s.
func (s MeasureStatus) Label() string {
	switch s {
	case MeasureTodo, "":
		return "待办"
	case MeasureDone:
		return "已完成"
	case MeasureDropped:
		return "已取消"
	}
	return string(s)
}

// Measure is one measure of a plan: what, by whom, by when. N is its number
// within the case's plan, kept across versions.
type Measure struct {
	N      int
	Kind   MeasureKind
	Type   MeasureType
	Text   string
	Unit   string // 责任单位
	Owner  Person // 负责人: who answers for it (and is reminded)
	Due    Date
	Status MeasureStatus

	AddedBy Person
	AddedAt time.Time
	DoneBy  Person
	DoneAt  time.Time
	DoneOn  Date
	Note    string // 完成说明
}

// Open reports whether the measure is still to be carried out.
func (m *Measure) Open() bool { return m.Status == MeasureTodo || m.Status == "" }

// Label is 硬·政策.
func (m *Measure) Label() string { return m.Kind.Label() + "·" + m.Type.Label() }

// Plan is one version of a case's plan.
type Plan struct {
	Version   int
	Status    PlanStatus
	Diagnosis string   // 症结: 历史成因、争议焦点
	Basis     string   // 政策依据
	Support   string   // 帮扶: 临时救助、低保、就业、医疗
	Goal      string   // 化解目标
	Target    Date     // 化解目标日
	Linked    []CaseNo // 一人一策: the petitioner's other cases this plan covers
	Measures  []Measure
	Edits     int // changes since the version was made: a card's 批准 approves what it showed

	DraftedBy   Person
	DraftedAt   time.Time
	SubmittedBy Person
	SubmittedAt time.Time
	ApprovedBy  Person
	ApprovedAt  time.Time
	// Screening and Hardship are the case's screening when the version was
	// approved: what its consistency was checked against.
	Screening  Screening
	Hardship   bool
	ReturnedBy Person
	ReturnedAt time.Time
	Returned   string // the reason of the last 退回
}

// Pending reports whether the version is not approved yet (草稿, 待批).
func (p *Plan) Pending() bool { return p.Status == PlanDraft || p.Status == PlanSubmitted }

// Measure returns measure n, or nil.
func (p *Plan) Measure(n int) *Measure {
	for i := range p.Measures {
		if p.Measures[i].N == n {
			return &p.Measures[i]
		}
	}
	return nil
}

// OpenMeasures are the measures still to be carried out, by due day (none last).
func (p *Plan) OpenMeasures() []*Measure {
	var out []*Measure
	for i := range p.Measures {
		if p.Measures[i].Open() {
			out = append(out, &p.Measures[i])
		}
	}
	sort.SliceStable(out, func(a, b int) bool {
		da, db := out[a].Due, out[b].Due
		if da.IsZero() != db.IsZero() {
			return db.IsZero()
		}
		return da.Before(db)
	})
	return out
}

// Next is the open measure due first (nil: none open).
func (p *Plan) Next() *Measure {
	if ms := p.OpenMeasures(); len(ms) > 0 {
		return ms[0]
	}
	return nil
}

func (p *Plan) clone() Plan {
	cp := *p
	cp.Measures = append([]Measure(nil), p.Measures...)
	cp.Linked = append([]CaseNo(nil), p.Linked...)
	return cp
}

// Plans is a case's plan with all its versions, oldest first: the last is
// the current one (a draft being written, or the version in force).
type Plans struct {
	Case     CaseNo
	Versions []Plan
	// Owner is the case's 包案人 when the plan was last written: the owner of
	// the 化解目标日 deadline (the scan tells the case's owner as it is then).
	Owner   string
	Version int64 // the store's optimistic lock
}

// Current is the latest version (nil: no plan yet).
func (ps *Plans) Current() *Plan {
	if ps == nil || len(ps.Versions) == 0 {
		return nil
	}
	return &ps.Versions[len(ps.Versions)-1]
}

// InForce is the approved version being carried out (nil: none approved).
func (ps *Plans) InForce() *Plan {
	if ps == nil {
		return nil
	}
	for i := len(ps.Versions) - 1; i >= 0; i-- {
		if ps.Versions[i].Status == PlanApproved {
			return &ps.Versions[i]
		}
	}
	return nil
}

// Pending is the version waiting to be approved (草稿 or 待批), or nil.
func (ps *Plans) Pending() *Plan {
	if p := ps.Current(); p != nil && p.Pending() {
		return p
	}
	return nil
}

// Get returns version n (nil: no such version).
func (ps *Plans) Get(n int) *Plan {
	if ps == nil || n < 1 || n > len(ps.Versions) {
		return nil
	}
	return &ps.Versions[n-1]
}

// Clone is a deep copy, for a write that keeps the record read.
func (ps *Plans) Clone() *Plans {
	cp := *ps
	cp.Versions = make([]Plan, len(ps.Versions))
	for i := range ps.Versions {
		cp.Versions[i] = ps.Versions[i].clone()
	}
	return &cp
}

// Editable returns the version a change goes into: the pending one, or a
// new draft copied from the version in force (a change after approval
// makes a new version), or the first version. made reports a new version.
func (ps *Plans) Editable(by Person, at time.Time) (p *Plan, made bool) {
	if cur := ps.Pending(); cur != nil {
		if cur.Status == PlanSubmitted {
			cur.Status = PlanDraft // changed after submission: submitted again once done
		}
		cur.Edits++
		return cur, false
	}
	next := Plan{Status: PlanDraft}
	if base := ps.Current(); base != nil {
		next = base.clone()
		next.Status = PlanDraft
		next.ApprovedBy, next.ApprovedAt, next.SubmittedBy, next.SubmittedAt = Person{}, time.Time{}, Person{}, time.Time{}
		next.ReturnedBy, next.ReturnedAt, next.Returned, next.Screening, next.Hardship = Person{}, time.Time{}, "", "", false
		next.Edits = 0
	}
	next.Version = len(ps.Versions) + 1
	next.DraftedBy, next.DraftedAt = by, at
	ps.Versions = append(ps.Versions, next)
	return &ps.Versions[len(ps.Versions)-1], true
}

// NextMeasureNo is the number a new measure gets: one more than any
// measure of any version.
func (ps *Plans) NextMeasureNo() int {
	n := 0
	for _, p := range ps.Versions {
		for _, m := range p.Measures {
			n = max(n, m.N)
		}
	}
	return n + 1
}

// Approve puts the pending version in force: the one before is superseded.
func (ps *Plans) Approve(by Person, at time.Time, c *Case) *Plan {
	p := ps.Pending()
	if p == nil {
		return nil
	}
	if old := ps.InForce(); old != nil {
		old.Status = PlanSuperseded
	}
	p.Status, p.ApprovedBy, p.ApprovedAt = PlanApproved, by, at
	p.Screening, p.Hardship = c.Screening, c.Hardship
	p.Returned = ""
	return p
}

// Live are the versions whose measures someone answers for: the version in
// force and the pending one.
func (ps *Plans) Live() []*Plan {
	var out []*Plan
	if p := ps.InForce(); p != nil {
		out = append(out, p)
	}
	if p := ps.Pending(); p != nil {
		out = append(out, p)
	}
	return out
}

// MeasureSubject is the deadline subject of measure n of case no's plan:
// Subject{plan, "XF-2026-0012#2"}; the plan's 化解目标日 is Subject{plan,
// "XF-2026-0012"}.
func MeasureSubject(no CaseNo, n int) Subject {
	return Subject{Kind: SubjectPlan, ID: string(no) + "#" + strconv.Itoa(n)}
}

// PlanSubject is the deadline subject of the plan's 化解目标日.
func PlanSubject(no CaseNo) Subject { return Subject{Kind: SubjectPlan, ID: string(no)} }

// ParsePlanSubject splits a plan subject's id: the case and the measure's
// number (0 for the plan's 化解目标日).
func ParsePlanSubject(id string) (CaseNo, int, bool) {
	no, n, found := strings.Cut(id, "#")
	if !found {
		return CaseNo(no), 0, no != ""
	}
	k, err := strconv.Atoi(n)
	return CaseNo(no), k, err == nil && k > 0 && no != ""
}

// Deadlines are the plan's open obligations: each open, dated measure of
// the version in force (DeadlineMeasure, owned by its 负责人) and the
// version's 化解目标日 (DeadlinePlanTarget, owned by the case's owner).
// A draft has none: its measures become deadlines when it is approved.
func (ps *Plans) Deadlines() []Deadline {
	p := ps.InForce()
	if p == nil {
		return nil
	}
	var out []Deadline
	for _, m := range p.OpenMeasures() {
		if m.Due.IsZero() {
			continue
		}
		out = append(out, Deadline{Subject: MeasureSubject(ps.Case, m.N), Kind: DeadlineMeasure, Due: m.Due, Owner: m.Owner.OpenID})
	}
	if !p.Target.IsZero() {
		out = append(out, Deadline{Subject: PlanSubject(ps.Case), Kind: DeadlinePlanTarget, Due: p.Target, Owner: ps.Owner})
	}
	return out
}

// PlanBrief is what a case's card shows of its plan, kept on the case by
// every write of the plan (the card is rendered from the case alone).
type PlanBrief struct {
	Status   PlanStatus // of the current version
	Version  int        // the current version
	InForce  int        // the version in force (0: none)
	Open     int        // open measures of the version in force
	Total    int        // its measures
	Next     Date       // the open measure due first
	NextN    int
	NextText string
	Target   Date
	Of       CaseNo // a case linked to another case's plan (一人一策): that case
}

// IsZero reports whether the case has no plan.
func (b PlanBrief) IsZero() bool { return b == PlanBrief{} }

// Brief is the plan as the case card shows it.
func (ps *Plans) Brief() PlanBrief {
	cur := ps.Current()
	if cur == nil {
		return PlanBrief{}
	}
	b := PlanBrief{Status: cur.Status, Version: cur.Version, Target: cur.Target}
	if p := ps.InForce(); p != nil {
		b.InForce, b.Target, b.Total = p.Version, p.Target, len(p.Measures)
		for _, m := range p.Measures {
			if m.Status == MeasureDropped {
				b.Total--
			}
		}
		b.Open = len(p.OpenMeasures())
		if m := p.Next(); m != nil {
			b.Next, b.NextN, b.NextText = m.Due, m.N, Clip(m.Text, 30)
		}
	}
	return b
}

// PlanProblems are what keeps a version from approval, each a sentence
// saying what is missing and how to add it (the consistency of 三到位一处理,
// 条例第二十七条, petition-domain §3.5, checked against the case's screening):
//
//   - the case must be screened (甄别): the rules depend on it;
//   - 合理 / 部分合理: at least one hard measure (法律、政策、经济、行政), the
//     means that solve a reasonable demand (解决问题到位);
//   - 无理 / 过度: at least one 教育 or 疏导 (思想教育到位);
//   - 困难诉求: 帮扶 written (帮扶救助到位), whatever the screening;
//
// and what any plan needs: 症结, a 化解目标日, at least one measure, and
// each open measure a due day and a 负责人. A measure taken out (已取消)
// counts for nothing; a done one still counts.
func PlanProblems(p *Plan, c *Case) []string {
	var out []string
	no := c.No
	if strings.TrimSpace(p.Diagnosis) == "" {
		out = append(out, fmt.Sprintf("缺少症结：请发送“方案 起草 %s 症结:…”写明历史成因和争议焦点。", no))
	}
	if p.Target.IsZero() {
		out = append(out, fmt.Sprintf("缺少化解目标日：请发送“方案 起草 %s 目标日:日期”。", no))
	}
	var live, hard, educate int
	for i := range p.Measures {
		m := &p.Measures[i]
		if m.Status == MeasureDropped {
			continue
		}
		live++
		if m.Kind == MeasureHard {
			hard++
		}
		if m.Type == MeasureEducation || m.Type == MeasureCounseling {
			educate++
		}
		if m.Open() && m.Due.IsZero() {
			out = append(out, fmt.Sprintf("措施 %d 没有期限：请重新添加该措施并写 期限:日期。", m.N))
		}
		if m.Open() && m.Owner.IsZero() {
			out = append(out, fmt.Sprintf("措施 %d 没有负责人：请 @ 负责人，或写明有联络员的责任单位，或先为案件指派包案人。", m.N))
		}
	}
	if live == 0 {
		out = append(out, fmt.Sprintf("方案还没有措施：请发送“方案 措施 %s <硬|软>:<类型> <内容> 单位:x 期限:日期”。", no))
	}
	switch c.Screening {
	case "":
		out = append(out, fmt.Sprintf("案件尚未甄别：三到位一处理要按甄别结果校验方案，请先发送“甄别 %s 合理|部分合理|无理|过度 [困难]”。", no))
	case ScreenReasonable, ScreenPartly:
		if hard == 0 {
			out = append(out, fmt.Sprintf("甄别为%s：诉求合理的要解决问题到位，方案至少要有一项解决问题的硬手段（法律、政策、经济、行政），例如“方案 措施 %s 硬:政策 按回迁安置政策补足过渡费 单位:区住建局 期限:日期”。", c.Screening.Label(), no))
		}
	case ScreenUnreasonable, ScreenExcessive:
		if educate == 0 {
			out = append(out, fmt.Sprintf("甄别为%s：诉求无理的要思想教育到位，方案至少要有一项 教育 或 疏导 措施，例如“方案 措施 %s 软:疏导 包案人上门释法明理 期限:日期”。", c.Screening.Label(), no))
		}
	}
	if c.Hardship && strings.TrimSpace(p.Support) == "" {
		out = append(out, fmt.Sprintf("困难诉求要帮扶救助到位：请发送“方案 起草 %s 帮扶:…”写明临时救助、低保、就业、医疗等帮扶措施。", no))
	}
	return out
}

// PlanNotes are what the approver should know but does not block: a
// measure due after the 化解目标日, a measure already overdue.
func PlanNotes(p *Plan, today Date) []string {
	var out []string
	for _, m := range p.OpenMeasures() {
		switch {
		case m.Due.IsZero():
		case !p.Target.IsZero() && m.Due.After(p.Target):
			out = append(out, fmt.Sprintf("措施 %d 的期限 %s 晚于化解目标日 %s。", m.N, m.Due, p.Target))
		case m.Due.Before(today):
			out = append(out, fmt.Sprintf("措施 %d 的期限 %s 已过。", m.N, m.Due))
		}
	}
	return out
}
