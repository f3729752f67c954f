package xfbot

// DeadlineKind names a time limit of petition-domain §3.11: statutory ones
// from 《信访工作条例》 and the task force's internal ones.
type DeadlineKind string

const (
	DeadlineAccept          DeadlineKind = "accept"           // 受理/转送: 15 日 (第22、23条)
	DeadlineHandle          DeadlineKind = "handle"           // 办结: 60 日, 延长不超过 30 日 (第34条)
	DeadlineReviewDecide    DeadlineKind = "review_decide"    // 复查意见: 30 日 (第35条)
	DeadlineRecheckDecide   DeadlineKind = "recheck_decide"   // 复核意见: 30 日, 听证不计 (第36条)
	DeadlineReviewApply     DeadlineKind = "review_apply"     // 复查申请窗口: 送达后 30 日
	DeadlineSimpleHandle    DeadlineKind = "simple_handle"    // 简易办理: 10 个工作日
	DeadlineAssignFeedback  DeadlineKind = "assign_feedback"  // 交办反馈: 按交办单, 默认同办结
	DeadlinePlanTarget      DeadlineKind = "plan_target"      // 化解目标日: 方案里设定
	DeadlineLetterRead      DeadlineKind = "letter_read"      // 领导来信阅批: 2 个工作日
	DeadlineLetterAssign    DeadlineKind = "letter_assign"    // 领导来信交办: 3 个工作日
	DeadlineRectify         DeadlineKind = "rectify"          // 督查整改: 7 个工作日
	DeadlineReceptionRecord DeadlineKind = "reception_record" // 接访记录: 接访后下一个工作日
	DeadlineMeasure         DeadlineKind = "measure"          // 方案措施: 方案里每项措施的完成日
	DeadlineConsult         DeadlineKind = "consult"          // 集中会诊: 会诊的日子
	DeadlineLeaveEnd        DeadlineKind = "leave_end"        // 请假到期: 成员返岗的日子
	DeadlineTermEnd         DeadlineKind = "term_end"         // 借调期满: 成员计划返回的日子
	// The task force's gaps and a person's own request: due the day the
	// gap reaches its limit, reminded once per episode (Gaps, Rule).
	DeadlineProgressGap DeadlineKind = "progress_gap" // 久未更新: 最近进展 + Gaps.Stale 天
	DeadlineContactGap  DeadlineKind = "contact_gap"  // 久未接触: 最近接触 + 积案/重点间隔
	DeadlineSnooze      DeadlineKind = "snooze"       // 明天再提醒: 约定的那一天, owner = 提出的人
)

// DeadlineRule is how a kind of deadline is counted by default; every
// number is a default the deployment may change.
type DeadlineRule struct {
	Kind      DeadlineKind
	Label     string
	Days      int // 0: set case by case (化解目标日)
	Mode      DayMode
	Statutory bool // set by the regulation, not by the task force
}

// DeadlineRules are the defaults of petition-domain §3.11: statutory periods
// in calendar days with the last day rolled past holidays, internal ones
// mostly in working days.
var DeadlineRules = []DeadlineRule{
	{DeadlineAccept, "受理/转送", 15, DayCalendarRollover, true},
	{DeadlineHandle, "办结", StatutoryDays, DayCalendarRollover, true},
	{DeadlineReviewDecide, "复查意见", 30, DayCalendarRollover, true},
	{DeadlineRecheckDecide, "复核意见", 30, DayCalendarRollover, true},
	{DeadlineReviewApply, "复查申请窗口", 30, DayCalendarRollover, true},
	{DeadlineSimpleHandle, "简易办理", 10, DayWorking, false},
	{DeadlineAssignFeedback, "交办反馈", StatutoryDays, DayCalendarRollover, false},
	{DeadlinePlanTarget, "化解目标", 0, DayCalendar, false},
	{DeadlineLetterRead, "来信阅批", 2, DayWorking, false},
	{DeadlineLetterAssign, "来信交办", 3, DayWorking, false},
	{DeadlineRectify, "督查整改", 7, DayWorking, false},
	{DeadlineReceptionRecord, "接访记录", 1, DayWorking, false},
	{DeadlineMeasure, "方案措施", 0, DayCalendar, false},     // the measure's due day
	{DeadlineConsult, "集中会诊", 0, DayCalendar, false},     // the consultation's day
	{DeadlineLeaveEnd, "请假到期", 0, DayCalendar, false},    // the leave's last day
	{DeadlineTermEnd, "借调期满", 0, DayCalendar, false},     // the planned end of the secondment
	{DeadlineProgressGap, "久未更新", 0, DayCalendar, false}, // Gaps.Stale
	{DeadlineContactGap, "久未接触", 0, DayCalendar, false},  // Gaps.ContactBacklog / ContactKey
	{DeadlineSnooze, "再次提醒", 0, DayCalendar, false},      // the day asked for
}

// RuleOf returns the default rule of a kind.
func RuleOf(k DeadlineKind) (DeadlineRule, bool) {
	for _, r := range DeadlineRules {
		if r.Kind == k {
			return r, true
		}
	}
	return DeadlineRule{}, false
}

// Due is the last day of the rule's period started on start, with extra
// days (an extension) and clock pauses.
func (r DeadlineRule) Due(start Date, extra int, cal *Calendar, pauses []Pause) Date {
	return ComputeDue(start, r.Days+extra, r.Mode, cal, pauses)
}

// SubjectKind is what a deadline belongs to.
type SubjectKind string

const (
	SubjectCase      SubjectKind = "case"      // XF-YYYY-NNNN
	SubjectReception SubjectKind = "reception" // JF-YYYY-NNNN: its record
	SubjectLetter    SubjectKind = "letter"    // LX-YYYY-NNNN: 阅批, 交办
	SubjectPlan      SubjectKind = "plan"      // a case's 一案一策 plan: its measures and 化解目标
	SubjectConsult   SubjectKind = "consult"   // HZ-YYYY-NNNN: a 集中会诊
	SubjectSupervise SubjectKind = "supervise" // DC-YYYY-NNNN: a 督查单's 整改期限
	SubjectMember    SubjectKind = "member"    // an open_id: 请假到期, 借调期满
)

// Subject names the entity a deadline belongs to.
type Subject struct {
	Kind SubjectKind
	ID   string
}

func (s Subject) String() string { return string(s.Kind) + ":" + s.ID }

// Deadline is one thing that must happen by a day: the one shape every dated
// obligation of the ledger takes (a case's 受理告知, 办结, 复查/复核 decision, a
// letter's 阅批 and 交办, later plan measures and supervision items), so that
// one index and one scan serve them all. Each entity says its open
// deadlines; a write that changes the entity changes them.
type Deadline struct {
	Subject Subject
	Kind    DeadlineKind // a rule of DeadlineRules
	Due     Date
	Owner   string // the open_id who answers for it ("" when nobody yet)
	Paused  bool   // its clock is stopped (听证、鉴定): pushed, not chased
}

// Statutory reports whether the deadline is an obligation the regulation
// sets on the office (its misses climb the escalation ladder), rather than
// one of the task force's own or the petitioner's window to ask for a
// review.
func (d Deadline) Statutory() bool {
	r, ok := RuleOf(d.Kind)
	return ok && r.Statutory && d.Kind != DeadlineReviewApply
}

// Reminded reports whether the deadline is a reminder of its own rather
// than a period with warning levels: a gap (久未更新, 久未接触) or a snooze is
// reminded once, on its day or after, and never climbs the ladder.
func (d Deadline) Reminded() bool {
	switch d.Kind {
	case DeadlineProgressGap, DeadlineContactGap, DeadlineSnooze:
		return true
	}
	return false
}
