package handlers

import (
	"context"
	"fmt"
	"strings"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/bot"
)

// The procedure track's commands (受理 → 答复 → 复查 → 复核 → 终结): each is a
// Step for (*Case).Transition, which decides; a handler only reads the words.
//
//	受理 <案件号> [日期]
//	不予受理 <案件号> <理由>     转送 <案件号> <机关>     导入 <案件号> <程序>
//	答复 <案件号> <支持|部分支持|不支持|解释说明> [日期] [送达:日期]
//	复查申请 / 复核申请 <案件号> [日期]
//	复查答复 / 复核答复 <案件号> <维持|变更|撤销> [日期] [送达:日期]
//	终结 <案件号>              (申请期届满未申请复查、复核：办结)

// stepWords reads what follows the case number for action: a result, a
// note, the act's day and the delivery day.
func (h *Handlers) stepWords(req *bot.Request, action xfbot.StepAction, from int) (xfbot.Step, error) {
	s := xfbot.Step{Action: action}
	today := req.Today()
	var rest []string
	for _, w := range req.Args.Words[from:] {
		if k, v, ok := splitColon(w); ok && (k == "送达" || k == "送达日期") {
			r, err := xfbot.ParseDay(v, today, h.Calendar, xfbot.Past)
			if err != nil {
				return s, err
			}
			s.DeliveredOn = r.Date
			continue
		}
		rest = append(rest, w)
	}
	switch action {
	case xfbot.StepReply, xfbot.StepReviewReply, xfbot.StepRecheckReply:
		if len(rest) == 0 {
			return s, xfbot.Errorf(xfbot.EINVALID, "请写明%s结果。", action.Label())
		}
		o, err := xfbot.ParseOutcome(rest[0], action != xfbot.StepReply)
		if err != nil {
			return s, err
		}
		s.Result, rest = o, rest[1:]
	case xfbot.StepNotAccept, xfbot.StepForward, xfbot.StepLegalRoute:
		note := xfbot.CleanText(strings.Join(rest, " "))
		if n := xfbot.RuneLen(note); n > xfbot.MaxTextRunes {
			return s, xfbot.Errorf(xfbot.EINVALID, "内容太长（%d 字），请控制在 %d 字以内。", n, xfbot.MaxTextRunes)
		}
		s.Note = note
		return s, nil // the act is dated today: the note may hold any words
	}
	switch len(rest) {
	case 0:
	case 1:
		r, err := xfbot.ParseDay(rest[0], today, h.Calendar, xfbot.Past)
		if err != nil {
			return s, err
		}
		s.On = r.Date
	default:
		return s, xfbot.Errorf(xfbot.EINVALID, "多了参数“%s”。", xfbot.Echo(strings.Join(rest[1:], " "), 30))
	}
	return s, nil
}

// step is one act on the procedure track.
func (h *Handlers) step(action xfbot.StepAction) bot.HandlerFunc {
	return func(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
		if req.Args.Len() == 0 {
			req.Args = stepArgs(req)
		}
		s, err := h.stepWords(req, action, 1)
		if err != nil {
			return nil, err
		}
		if action == xfbot.StepReply {
			if err := h.requireAttachment(req, "答复", "处理意见书"); err != nil {
				return nil, err
			}
		}
		old, c, tx := h.update(req)
		warning, err := c.Transition(s, h.Calendar, req.Today())
		if err != nil {
			return nil, err
		}
		text := stepText(s, c, req.Today())
		if warning != "" {
			text += "。" + warning
		}
		recent := entry(req, c, tx, xfbot.KindSystem, text)
		tx.UpdateCase(old, c)
		tx.AddChanges(c.No, change(req, "程序", old.StageOf().Label(), c.StageOf().Label()))
		msg := "✅ " + string(c.No) + " " + c.StageOf().Label()
		if c.Chased() {
			msg += fmt.Sprintf("，%s %s", bot.DueLabel(c), c.Due)
		}
		if warning != "" {
			msg += "\n" + warning
		}
		return h.caseReply(req, c, recent, msg, tx), nil
	}
}

// stepText is a step as the timeline records it.
func stepText(s xfbot.Step, c *xfbot.Case, today xfbot.Date) string {
	on := s.On
	if on.IsZero() {
		on = today
	}
	t := fmt.Sprintf("%s（%s）", s.Action.Label(), on)
	switch s.Action {
	case xfbot.StepAccept:
		t += "，办结期限 " + c.Due.String()
	case xfbot.StepNotAccept, xfbot.StepForward, xfbot.StepLegalRoute:
		t += "：" + s.Note
	case xfbot.StepReply, xfbot.StepReviewReply, xfbot.StepRecheckReply:
		t += "：" + s.Result.Label()
		if !s.DeliveredOn.IsZero() {
			t += "，" + s.DeliveredOn.String() + " 送达"
		}
		if st := c.StageOf(); st == xfbot.StageReplied || st == xfbot.StageReviewed {
			t += "；申请期至 " + c.Due.String() // Due is the window's end at these stages
		}
	case xfbot.StepReviewRequest, xfbot.StepRecheckRequest:
		t += "，" + bot.DueLabel(c) + " " + c.Due.String()
	case xfbot.StepConclude:
		t += "：申请期届满未申请，程序办结"
	}
	if c.StageOf() == xfbot.StageTerminated {
		t += "；程序终结，同一事实和理由不再受理"
	}
	return t
}

// followUp is 回访 <案件号> <记录>: a contact after 化解, which 销号 waits for.
func (h *Handlers) followUp(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	text, err := needText(req.Args.Rest(1), "回访记录", "回访 XF-2026-0012 电话回访，信访人对处理结果满意，未再信访")
	if err != nil {
		return nil, err
	}
	if req.Case.Status != xfbot.StatusResolved {
		return nil, xfbot.Errorf(xfbot.EINVALID, "%s 是“%s”：回访是化解后的跟进；办理中的接触请用“下访”。", req.Case.No, req.Case.Status.Label())
	}
	old, c, tx := h.update(req)
	c.FollowedUpOn, c.LastContactAt, c.LastProgressAt = req.Today(), req.Time, req.Time
	recent := entry(req, c, tx, xfbot.KindVisit, "回访："+text)
	tx.UpdateCase(old, c)
	msg := "✅ 已记录回访" + privacyNote(req, text)
	if ready := c.ResolvedOn.AddDays(h.observeDays()); req.Today().Before(ready) {
		msg += fmt.Sprintf("；观察期到 %s，期满后再回访一次即可销号", ready)
	}
	return h.caseReply(req, c, recent, msg, tx), nil
}

// observeDays is resolution.observe_days: how long after 化解 a case is
// watched for a repeat petition before it may be signed off.
func (h *Handlers) observeDays() int {
	if h.ObserveDays > 0 {
		return h.ObserveDays
	}
	return 30
}

// closeRefusal is why a resolved case may not be signed off yet, "" when
// it may: a 回访 at least observeDays after 化解 (no repeat petition in
// between, or the case would have been reopened).
func (h *Handlers) closeRefusal(c *xfbot.Case) string {
	ready := c.ResolvedOn.AddDays(h.observeDays())
	if !c.FollowedUpOn.IsZero() && !c.FollowedUpOn.Before(ready) {
		return ""
	}
	return fmt.Sprintf("%s 化解于 %s，须观察 %d 天（到 %s）且期满后回访一次（回访 %s <记录>），没有重复信访，才能销号。确需提前销号的，请写明理由：销号 %s <理由>。",
		c.No, c.ResolvedOn, h.observeDays(), ready, c.No, c.No)
}

// Card actions of the next step: a button is its command, so each builds the
// words the command would have had and runs it.

// stepArgs are the command's words from a card: the case number, then the
// form's values in the command's order.
func stepArgs(req *bot.Request, values ...string) bot.Args {
	words := []string{string(req.Case.No)}
	for _, v := range values {
		if v = strings.TrimSpace(v); v != "" && v != "送达:" {
			words = append(words, v)
		}
	}
	return bot.Args{Raw: strings.Join(words, " "), Words: words}
}

// stepButton presses a step that needs no form (受理, 复查/复核 申请, 终结): today.
func (h *Handlers) stepButton(action xfbot.StepAction) bot.HandlerFunc {
	return func(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
		req.Args = stepArgs(req)
		return h.step(action)(ctx, req)
	}
}

// stepForm opens the form of a step (答复, 复查答复, 复核答复, 回访).
func (h *Handlers) stepForm(form string) bot.HandlerFunc {
	return func(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
		return &bot.Reply{Card: bot.StepForm(req.Case, req.Recent, h.view(req), form)}, nil
	}
}

// stepSubmit is a step's form submitted.
func (h *Handlers) stepSubmit(action xfbot.StepAction) bot.HandlerFunc {
	return func(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
		f := req.Action.Form
		req.Args = stepArgs(req, f["result"], f["date"], "送达:"+strings.TrimSpace(f["delivered"]))
		return h.step(action)(ctx, req)
	}
}

// followUpSubmit is the 回访 form submitted.
func (h *Handlers) followUpSubmit(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	req.Args = bot.Args{Raw: string(req.Case.No) + " " + req.Action.Form["text"], Words: append([]string{string(req.Case.No)}, strings.Fields(req.Action.Form["text"])...)}
	return h.followUp(ctx, req)
}
