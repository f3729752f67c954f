package bot

import (
	"fmt"

	"github.com/qingchuan/xfbot"
)

// Card actions for the next step of each track (registered by handlers/,
// each standing for its command: 受理, 复查 申请, 复核 申请, 终结, 答复, 复查 答复,
// 复核 答复, 回访).
const (
	ActionAccept           = "proc.accept"             // 受理 (today)
	ActionReviewRequest    = "proc.review.request"     // 复查 申请 (today)
	ActionRecheckRequest   = "proc.recheck.request"    // 复核 申请 (today)
	ActionConclude         = "proc.conclude"           // 终结 (the window has passed)
	ActionReplyForm        = "proc.reply.form"         // 答复: the form
	ActionReply            = "proc.reply"              // its submit
	ActionReviewReplyForm  = "proc.review.reply.form"  // 复查 答复: the form
	ActionReviewReply      = "proc.review.reply"       // its submit
	ActionRecheckReplyForm = "proc.recheck.reply.form" // 复核 答复: the form
	ActionRecheckReply     = "proc.recheck.reply"      // its submit
	ActionFollowUpForm     = "case.followup.form"      // 回访: the form
	ActionFollowUp         = "case.followup"           // its submit
)

// StepForms are the actions that open a form, with the submit each leads to.
var StepForms = map[string]string{ActionReplyForm: ActionReply, ActionReviewReplyForm: ActionReviewReply,
	ActionRecheckReplyForm: ActionRecheckReply, ActionFollowUpForm: ActionFollowUp}

// nextStepButtons are the buttons of the next step on each track: the
// procedure's (受理, 答复, 复查, 复核, 终结) and, once resolved, the 回访 that
// 销号 waits for.
func nextStepButtons(c *xfbot.Case, v View) []Button {
	val := caseValue(c, v)
	var bs []Button
	if c.Status == xfbot.StatusResolved {
		bs = append(bs, Button{Text: "回访", Action: ActionFollowUpForm, Value: val})
	}
	if !c.Status.Open() {
		return bs
	}
	switch c.StageOf() {
	case xfbot.StageRegistered:
		bs = append(bs, Button{Text: "受理", Action: ActionAccept, Value: val, Confirm: fmt.Sprintf("确认今天受理 %s？（其他日期请发送“受理 %s 日期”）", c.No, c.No)})
	case xfbot.StageHandling:
		bs = append(bs, Button{Text: "答复", Action: ActionReplyForm, Value: val})
	case xfbot.StageReplied, xfbot.StageReviewed:
		next, action := "复查申请", ActionReviewRequest
		if c.StageOf() == xfbot.StageReviewed {
			next, action = "复核申请", ActionRecheckRequest
		}
		bs = append(bs, Button{Text: next, Action: action, Value: val, Confirm: fmt.Sprintf("登记今天收到 %s 的%s？", c.No, next)})
		if v.Today.After(c.Due) { // at this stage Due is the window's end
			bs = append(bs, Button{Text: "终结", Action: ActionConclude, Value: val, Confirm: fmt.Sprintf("申请期已届满，%s 程序办结？", c.No)})
		}
	case xfbot.StageReview:
		bs = append(bs, Button{Text: "复查答复", Action: ActionReviewReplyForm, Value: val})
	case xfbot.StageRecheck:
		bs = append(bs, Button{Text: "复核答复", Action: ActionRecheckReplyForm, Value: val})
	}
	return bs
}

// StepForm is the case card with the form of a step open (答复, 复查答复,
// 复核答复, 回访); form is one of StepForms' keys.
func StepForm(c *xfbot.Case, recent []xfbot.Progress, v View, form string) *Card {
	card := CaseCard(c, recent, v)
	card.Buttons = []Button{{Text: "取消", Action: ActionRefresh, Value: caseValue(c, v)}}
	date := Input{Name: "date", Label: "日期（不填为今天）", Placeholder: "例如：3月12日", MaxLength: 20}
	delivered := Input{Name: "delivered", Label: "送达日期（可不填）", Placeholder: "例如：3月14日", MaxLength: 20}
	f := &Form{Name: "step_form", Submit: Button{Text: "提交", Kind: "primary_filled", Action: StepForms[form], Value: caseValue(c, v)}}
	switch form {
	case ActionReplyForm:
		f.Inputs = []Input{{Name: "result", Label: "答复结果", Placeholder: "支持 / 部分支持 / 不支持 / 解释说明", Required: true, MaxLength: 10}, date, delivered}
	case ActionReviewReplyForm, ActionRecheckReplyForm:
		f.Inputs = []Input{{Name: "result", Label: "结论", Placeholder: "维持 / 变更 / 撤销", Required: true, MaxLength: 10}, date, delivered}
	case ActionFollowUpForm:
		f.Inputs = []Input{{Name: "text", Label: "回访记录", Placeholder: "例如：电话回访，信访人对处理结果满意，未再信访。", Required: true, MaxLength: xfbot.MaxTextRunes, Multiline: true}}
	}
	card.Form = f
	return card
}
