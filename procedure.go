package xfbot

import "fmt"

// The statutory procedure track (程序) of a case, beside its resolution
// track (Status: 办理中 → 化解 → 销号). 《信访工作条例》第二十二至三十六条 and
// petition-domain §1.1, §3.4 A:
//
//	已登记 ─受理──────▶ 办理中 ─答复─▶ 已答复 ─复查申请─▶ 复查中 ─复查答复─▶ 复查已答复
//	  ├─不予受理▶ 不予受理（已告知）                                           │
//	  ├─转送────▶ 已转送                                 复核申请 ◀────────────┘
//	  └─导入────▶ 导入法定程序                             ▼
//	                                复核中 ─复核答复─▶ 终结（同一事实和理由不再受理）
//	已答复 | 复查已答复 ─申请期届满（终结）─▶ 办结
//
// Registration counts as acceptance unless a case is registered 待受理
// (most reach the task force already accepted); a case stored before the
// track existed is 办理中 with its deadline as it was.

// Stage is where a case stands on the procedure track.
type Stage string

const (
	StageRegistered  Stage = "registered"   // 已登记，待受理: the 15-day 受理告知 clock runs
	StageNotAccepted Stage = "not_accepted" // 不予受理（已书面告知）
	StageForwarded   Stage = "forwarded"    // 已转送有权处理的机关
	StageLegalRoute  Stage = "legal_route"  // 导入诉讼、仲裁、复议等法定程序
	StageHandling    Stage = "handling"     // 办理中: 60 days from acceptance (+ the extension)
	StageReplied     Stage = "replied"      // 已答复: 30 days from delivery to request 复查
	StageReview      Stage = "review"       // 复查中: 30 days to decide
	StageReviewed    Stage = "reviewed"     // 复查已答复: 30 days from delivery to request 复核
	StageRecheck     Stage = "recheck"      // 复核中: 30 days to decide, hearings excluded
	StageTerminated  Stage = "terminated"   // 终结: 复核意见已出具，同一事实和理由不再受理
	StageConcluded   Stage = "concluded"    // 办结: a window expired unused
)

var stageLabels = map[Stage]string{
	StageRegistered: "已登记（待受理）", StageNotAccepted: "不予受理", StageForwarded: "已转送", StageLegalRoute: "导入法定程序",
	StageHandling: "办理中", StageReplied: "已答复", StageReview: "复查中", StageReviewed: "复查已答复",
	StageRecheck: "复核中", StageTerminated: "终结", StageConcluded: "办结",
}

// Label is the Chinese name of s.
func (s Stage) Label() string {
	if l, ok := stageLabels[s]; ok {
		return l
	}
	return string(s)
}

// Ended reports whether the procedure is over: nothing on it is due.
func (s Stage) Ended() bool {
	switch s {
	case StageNotAccepted, StageForwarded, StageLegalRoute, StageTerminated, StageConcluded:
		return true
	}
	return false
}

// Outcome is what a written reply (处理意见书) or a review decided.
type Outcome string

const (
	OutcomeSupport Outcome = "support" // 支持: 请求事实清楚、符合规定
	OutcomePartly  Outcome = "partly"  // 部分支持
	OutcomeReject  Outcome = "reject"  // 不支持
	OutcomeExplain Outcome = "explain" // 解释说明: 事由合理但缺乏依据
	OutcomeUphold  Outcome = "uphold"  // 维持 (复查、复核: the decision under review stands)
	OutcomeChange  Outcome = "change"  // 变更 (复查、复核)
	OutcomeRevoke  Outcome = "revoke"  // 撤销，重新办理 (复查、复核)
)

var outcomes = []struct {
	o      Outcome
	label  string
	review bool // a 复查/复核 decision rather than a first reply
}{
	{OutcomeSupport, "支持", false}, {OutcomePartly, "部分支持", false}, {OutcomeReject, "不支持", false}, {OutcomeExplain, "解释说明", false},
	{OutcomeUphold, "维持", true}, {OutcomeChange, "变更", true}, {OutcomeRevoke, "撤销", true},
}

// Label is the Chinese name of o.
func (o Outcome) Label() string {
	for _, x := range outcomes {
		if x.o == o {
			return x.label
		}
	}
	return string(o)
}

// ParseOutcome reads a reply's result (review false: 支持 部分支持 不支持
// 解释说明) or a review's decision (review true: 维持 变更 撤销).
func ParseOutcome(s string, review bool) (Outcome, error) {
	s = Normalize(s)
	var ok []string
	for _, x := range outcomes {
		if x.review != review {
			continue
		}
		if s == x.label || s == string(x.o) || s == "予以"+x.label || s == x.label+"原意见" || s == x.label+"原处理意见" {
			return x.o, nil
		}
		ok = append(ok, x.label)
	}
	what := "答复结果"
	if review {
		what = "复查/复核结论"
	}
	return "", Errorf(EINVALID, "%s“%s”不认识，可选：%s。", what, Echo(s, 10), joinLabels(ok))
}

func joinLabels(ls []string) string {
	out := ""
	for i, l := range ls {
		if i > 0 {
			out += "、"
		}
		out += l
	}
	return out
}

// Answer is one written answer on the track: the first reply (处理意见书),
// a 复查 or a 复核 decision, with the request that started it.
type Answer struct {
	RequestedOn Date // 复查/复核 申请日; zero for the first reply
	Late        bool // requested after the 30-day window: 逾期申请, recorded with a warning
	On          Date // 出具意见书之日
	DeliveredOn Date // 送达之日; the next window runs from it
	Result      Outcome
}

// Procedure is a case's procedure track. The zero value is a case stored
// before the track existed: 办理中.
type Procedure struct {
	Stage      Stage
	ReceivedOn Date   // registered 待受理: the day the petition was received
	Note       string // 不予受理的理由, 转送的机关, 导入的程序
	Reply      Answer
	Review     Answer
	Recheck    Answer
	EndedOn    Date // 终结 or 办结
}

// StageOf is the case's stage: 办理中 for a case stored before the track.
func (c *Case) StageOf() Stage {
	if c.Proc.Stage == "" {
		return StageHandling
	}
	return c.Proc.Stage
}

// Chased reports whether the case runs against a deadline the office must
// meet: open on the resolution track, and at a stage with an obligation
// (受理告知, 办结, a 复查/复核 decision). A case answered and waiting on the
// petitioner's window, or whose procedure has ended, is worked on for 化解
// but chased by no deadline; Due is then the stage's last relevant day.
func (c *Case) Chased() bool {
	if !c.Status.Open() {
		return false
	}
	switch c.StageOf() {
	case StageRegistered, StageHandling, StageReview, StageRecheck:
		return true
	}
	return false
}

// StageDue is the last day of the stage the case stands at: what Due holds.
// A stage with no obligation keeps its window's end (已答复, 复查已答复) or,
// once the procedure has ended, the day it ended.
func (c *Case) StageDue(cal *Calendar, today Date) Date {
	for _, d := range c.Deadlines(cal, today) {
		return d.Due
	}
	if c.StageOf().Ended() && !c.Proc.EndedOn.IsZero() {
		return c.Proc.EndedOn
	}
	return c.DueAsOf(cal, today)
}

// Step is one act on the procedure track, with its business dates (a
// statutory period runs from the day the act happened, not the day it was
// typed in).
type Step struct {
	Action      StepAction
	On          Date    // the act's day
	DeliveredOn Date    // 送达 of a reply or a decision (optional; defaults to On)
	Result      Outcome // 答复, 复查答复, 复核答复
	Note        string  // 不予受理理由, 转送机关, 导入程序
}

// StepAction names an act on the track.
type StepAction string

const (
	StepAccept         StepAction = "accept"          // 受理
	StepNotAccept      StepAction = "not_accept"      // 不予受理（告知）
	StepForward        StepAction = "forward"         // 转送
	StepLegalRoute     StepAction = "legal_route"     // 导入法定程序
	StepReply          StepAction = "reply"           // 答复（出具处理意见书）
	StepReviewRequest  StepAction = "review_request"  // 复查申请
	StepReviewReply    StepAction = "review_reply"    // 复查答复
	StepRecheckRequest StepAction = "recheck_request" // 复核申请
	StepRecheckReply   StepAction = "recheck_reply"   // 复核答复（终结）
	StepConclude       StepAction = "conclude"        // 办结: 申请期届满未申请复查/复核
)

// stepRule is what an act requires: the stages it may follow and the one it
// leads to.
var stepRules = map[StepAction]struct {
	from  []Stage
	to    Stage
	label string
}{
	StepAccept:         {[]Stage{StageRegistered}, StageHandling, "受理"},
	StepNotAccept:      {[]Stage{StageRegistered}, StageNotAccepted, "不予受理"},
	StepForward:        {[]Stage{StageRegistered}, StageForwarded, "转送"},
	StepLegalRoute:     {[]Stage{StageRegistered}, StageLegalRoute, "导入法定程序"},
	StepReply:          {[]Stage{StageHandling}, StageReplied, "答复"},
	StepReviewRequest:  {[]Stage{StageReplied}, StageReview, "复查申请"},
	StepReviewReply:    {[]Stage{StageReview}, StageReviewed, "复查答复"},
	StepRecheckRequest: {[]Stage{StageReviewed}, StageRecheck, "复核申请"},
	StepRecheckReply:   {[]Stage{StageRecheck}, StageTerminated, "复核答复"},
	StepConclude:       {[]Stage{StageReplied, StageReviewed}, StageConcluded, "办结"},
}

// Label is the Chinese name of a.
func (a StepAction) Label() string { return stepRules[a].label }

// WindowDays is the time to request 复查 after a reply is delivered, and
// 复核 after a 复查 decision is (第三十五、三十六条).
const WindowDays = 30

// Window is the last day to request the next review of the answer the case
// stands on (已答复: 复查; 复查已答复: 复核), zero when none is open.
func (c *Case) Window(cal *Calendar) Date {
	var a Answer
	switch c.StageOf() {
	case StageReplied:
		a = c.Proc.Reply
	case StageReviewed:
		a = c.Proc.Review
	default:
		return Date{}
	}
	from := a.DeliveredOn
	if from.IsZero() {
		from = a.On
	}
	r, _ := RuleOf(DeadlineReviewApply)
	return r.Due(from, 0, cal, nil)
}

// Transition applies s to the case on today: the one place the procedure
// track moves. It refuses an act the stage does not allow, or dates that
// cannot be, with a reply that says why; a review requested after its
// window is recorded as 逾期申请 and comes back as a warning, not refused
// (the office decides whether to accept it). The deadline (Due) follows.
func (c *Case) Transition(s Step, cal *Calendar, today Date) (warning string, err error) {
	rule, ok := stepRules[s.Action]
	if !ok {
		return "", Errorf(EINTERNAL, "unknown step %q", s.Action)
	}
	st := c.StageOf()
	allowed := false
	for _, f := range rule.from {
		allowed = allowed || f == st
	}
	if !allowed {
		return "", Errorf(EINVALID, "%s 目前是“%s”，不能%s。%s", c.No, st.Label(), rule.label, nextHint(c, st))
	}
	if s.On.IsZero() {
		s.On = today
	}
	if s.On.After(today) {
		return "", Errorf(EINVALID, "%s日期 %s 在今天之后，请写实际发生的日期。", rule.label, s.On)
	}
	if !s.DeliveredOn.IsZero() && (s.DeliveredOn.Before(s.On) || s.DeliveredOn.After(today)) {
		return "", Errorf(EINVALID, "送达日期 %s 应在出具日 %s 之后、今天之前。", s.DeliveredOn, s.On)
	}
	since := c.stageStart()
	if !since.IsZero() && s.On.Before(since) {
		return "", Errorf(EINVALID, "%s日期 %s 早于%s日期 %s，请检查。", rule.label, s.On, st.Label(), since)
	}
	switch s.Action {
	case StepNotAccept, StepForward, StepLegalRoute:
		if s.Note == "" {
			what := map[StepAction]string{StepNotAccept: "不予受理的理由", StepForward: "转送的机关", StepLegalRoute: "导入的法定程序（如 诉讼、仲裁、行政复议）"}[s.Action]
			return "", Errorf(EINVALID, "请写明%s。", what)
		}
		c.Proc.Note, c.Proc.EndedOn = s.Note, s.On
	case StepAccept:
		c.AcceptedOn = s.On
	case StepReply, StepReviewReply, StepRecheckReply:
		if s.Result == "" {
			return "", Errorf(EINVALID, "请写明%s结果。", rule.label)
		}
		a := Answer{On: s.On, DeliveredOn: s.DeliveredOn, Result: s.Result}
		switch s.Action {
		case StepReply:
			c.Proc.Reply = a
		case StepReviewReply:
			a.RequestedOn, a.Late = c.Proc.Review.RequestedOn, c.Proc.Review.Late
			c.Proc.Review = a
		default:
			a.RequestedOn, a.Late = c.Proc.Recheck.RequestedOn, c.Proc.Recheck.Late
			c.Proc.Recheck, c.Proc.EndedOn = a, s.On
		}
	case StepReviewRequest, StepRecheckRequest:
		win := c.Window(cal)
		a := Answer{RequestedOn: s.On, Late: s.On.After(win)}
		if a.Late {
			warning = fmt.Sprintf("⚠️ 逾期申请：%s 的申请期已于 %s 届满（送达后 %d 日），已按逾期申请登记，是否受理请按规定办理。", rule.label, win, WindowDays)
		}
		if s.Action == StepReviewRequest {
			c.Proc.Review = a
		} else {
			c.Proc.Recheck = a
		}
	case StepConclude:
		if win := c.Window(cal); !today.After(win) {
			return "", Errorf(EINVALID, "%s 的申请期到 %s 才届满，届满后信访人未申请的才能办结。", c.No, win)
		}
		c.Proc.EndedOn = s.On
	}
	c.Proc.Stage = rule.to
	c.Due = c.StageDue(cal, today)
	return warning, nil
}

// stageStart is the day the current stage began: acts on it may not be
// dated before.
func (c *Case) stageStart() Date {
	switch c.StageOf() {
	case StageRegistered:
		return c.Proc.ReceivedOn
	case StageHandling:
		return c.AcceptedOn
	case StageReplied:
		return c.Proc.Reply.On
	case StageReview:
		return c.Proc.Review.RequestedOn
	case StageReviewed:
		return c.Proc.Review.On
	case StageRecheck:
		return c.Proc.Recheck.RequestedOn
	}
	return Date{}
}

// nextHint says what may be done at stage s.
func nextHint(c *Case, s Stage) string {
	switch s {
	case StageRegistered:
		return "待受理的案件可以：受理、不予受理、转送、导入。"
	case StageHandling:
		return "办理中的案件下一步是“答复”。"
	case StageReplied:
		return "已答复的案件可以登记“复查 申请”，申请期届满后可“终结”。"
	case StageReview:
		return "复查中的案件下一步是“复查 答复”。"
	case StageReviewed:
		return "复查已答复的案件可以登记“复核 申请”，申请期届满后可“终结”。"
	case StageRecheck:
		return "复核中的案件下一步是“复核 答复”。"
	}
	return "程序已结束；如有新的事实和理由，请重新登记。"
}

// Deadlines are the dated obligations the case's procedure stage has open
// on today (petition-domain §3.11): 受理告知 within 15 days of receipt, the
// reply within the handling deadline (DueAsOf: 60 days, the extension,
// pauses), a 复查/复核 decision within 30 days of its request (hearings, as
// pauses, excluded); and, while the petitioner may still ask for the next
// review, the end of that window (not the office's obligation: when it
// passes unused the case may be concluded). An ended procedure, or a case
// resolved or signed off, has none.
// Each names the case's owner as the one who answers for it.
func (c *Case) Deadlines(cal *Calendar, today Date) []Deadline {
	if !c.Status.Open() {
		return nil // resolved or signed off: nothing on it is chased
	}
	d := Deadline{Subject: Subject{Kind: SubjectCase, ID: string(c.No)}, Owner: c.Owner.OpenID, Paused: c.Paused()}
	at := func(k DeadlineKind, due Date) []Deadline {
		d.Kind, d.Due = k, due
		return []Deadline{d}
	}
	switch c.StageOf() {
	case StageRegistered:
		r, _ := RuleOf(DeadlineAccept)
		return at(DeadlineAccept, r.Due(c.Proc.ReceivedOn, 0, cal, nil))
	case StageHandling:
		return at(DeadlineHandle, c.DueAsOf(cal, today))
	case StageReview:
		r, _ := RuleOf(DeadlineReviewDecide)
		return at(DeadlineReviewDecide, r.Due(c.Proc.Review.RequestedOn, 0, cal, c.pausesFrom(c.Proc.Review.RequestedOn, today)))
	case StageRecheck:
		r, _ := RuleOf(DeadlineRecheckDecide)
		return at(DeadlineRecheckDecide, r.Due(c.Proc.Recheck.RequestedOn, 0, cal, c.pausesFrom(c.Proc.Recheck.RequestedOn, today)))
	case StageReplied, StageReviewed:
		return at(DeadlineReviewApply, c.Window(cal))
	}
	return nil
}

// pausesFrom are the case's pauses as of today that touch the days after from.
func (c *Case) pausesFrom(from, today Date) []Pause {
	var out []Pause
	for _, p := range c.PausesAsOf(today) {
		if p.To.After(from) {
			out = append(out, p)
		}
	}
	return out
}
