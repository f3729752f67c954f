package handlers

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/bot"
)

// A deadline is an act of authority (督战队 supervises the units, and a unit
// must not move its own deadline): only the task-force lead sets one by hand,
// with a reason, within the statutory limit unless stated as a 重新受理 or
// 内部化解目标; everyone else applies for the one extension, which the lead
// approves (《信访工作条例》第三十四条). Every change is in 历史 with its reason
// and is told to the lead and the case's owner.

// dueRefusal is what a member who is not the lead reads on 期限.
const dueRefusal = "办结期限由专班负责人设定，其他人不能直接修改。需要延长的，请发送“延期 <案件号> <天数> <理由>”提出申请，由负责人批准；期限登记有误的，请联系负责人更正。"

// dueTargetWords mark a hand-set deadline that may pass the statutory limit.
var dueTargetWords = map[string]string{"重新受理": "重新受理", "内部化解目标": "内部化解目标", "化解目标": "内部化解目标", "内部目标": "内部化解目标"}

// setDue sets the deadline by hand: 期限 <案件号> <日期> [重新受理|内部化解目标] <理由>
// (the lead only; the route says so).
func (h *Handlers) setDue(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	if req.Args.Word(1) == "" {
		return nil, xfbot.Errorf(xfbot.EINVALID, "缺少日期和理由。")
	}
	today := req.Today()
	read, err := xfbot.ParseDay(req.Args.Word(1), today, h.Calendar, xfbot.Anytime)
	if err != nil {
		return nil, err
	}
	d := read.Date
	target, rest := "", 2
	if t, ok := dueTargetWords[req.Args.Word(2)]; ok {
		target, rest = t, 3
	}
	reason, err := needText(req.Args.Rest(rest), "设定期限的理由", "期限 XF-2026-0012 2026-05-15 经评估需等待鉴定结论")
	if err != nil {
		return nil, err
	}
	if err := notOpen(req.Case, "修改期限"); err != nil {
		return nil, err
	}
	set, rolled, err := req.Case.CheckDue(d, target != "", h.Calendar, today)
	if err != nil {
		return nil, err
	}
	old, c, tx := h.update(req)
	c.DueOverride, c.DueSetOn, c.DueExt, c.DueReason = set, today, c.ExtensionDays, "负责人设定："+reason
	c.DueTarget = target != "" && set.After(c.StatutoryLimit(h.Calendar, today))
	if c.DueTarget {
		c.DueReason = "负责人设定为" + target + "：" + reason
	}
	c.Due = c.DueAsOf(h.Calendar, today)
	if c.Due == old.Due && c.DueTarget == old.DueTarget {
		return nil, xfbot.Errorf(xfbot.EINVALID, "%s 的办结期限已经是 %s。", c.No, c.Due)
	}
	after := c.Due.String()
	if c.DueTarget {
		after += "（" + target + "，超出法定期限）"
	}
	text := fmt.Sprintf("负责人设定期限 %s → %s。理由：%s", old.Due, after, reason)
	if rolled {
		text += fmt.Sprintf("（%s 为休息日，顺延至 %s）", d, set)
	}
	recent := entry(req, c, tx, xfbot.KindSystem, text)
	tx.UpdateCase(old, c)
	tx.AddChanges(c.No, change(req, "期限", old.Due.String(), after+" 理由："+reason))
	msg := "✅ 期限改为 " + c.Due.String() + privacyNote(req, reason)
	if c.DueTarget {
		msg += "（" + target + "）"
	}
	if read.How != "" {
		msg += "（" + read.How + "）"
	}
	if rolled {
		msg += fmt.Sprintf("（%s 为休息日，已顺延）", d)
	}
	reply := h.caseReply(req, c, recent, msg, tx)
	note := fmt.Sprintf("📅 %s 将 %s 的办结期限由 %s 改为 %s。理由：%s", req.Actor().Display(), c.No, old.Due, after, reason)
	reply.Notices = append(reply.Notices, h.tell(req, note, append(h.leads(ctx, req), c.Owner.OpenID)...)...)
	return reply, nil
}

// extend is 延期 <案件号> <天数> <理由>: the lead's own extension applies at
// once; anyone else who may edit the case applies, and the lead gets a card
// to approve or reject.
func (h *Handlers) extend(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	days, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSuffix(xfbot.Normalize(req.Args.Word(1)), "天"), "日"))
	if err != nil || days <= 0 {
		return nil, xfbot.Errorf(xfbot.EINVALID, "延期天数应为 1 到 %d 的整数，您写的是“%s”。", xfbot.MaxExtensionDays, xfbot.Echo(req.Args.Word(1), 10))
	}
	if days > xfbot.MaxExtensionDays {
		return nil, xfbot.Errorf(xfbot.EINVALID, "延期不得超过 %d 天（《信访工作条例》第三十四条），您写的是 %d 天。", xfbot.MaxExtensionDays, days)
	}
	reason, err := needText(req.Args.Rest(2), "延期理由", "延期 XF-2026-0012 20 需第三方评估，已告知信访人")
	if err != nil {
		return nil, err
	}
	if err := extendable(req.Case, days, h.Calendar, req.Today()); err != nil {
		return nil, err
	}
	if q := req.Case.ExtensionRequest; q != nil {
		return nil, xfbot.Errorf(xfbot.EINVALID, "%s 已有延期申请待负责人批准（%s 申请 %d 天）。", req.Case.No, q.By.Display(), q.Days)
	}
	q := &xfbot.ExtensionRequest{Days: days, Reason: reason, By: req.Actor(), At: req.Time}
	if req.Member.CanManage() {
		return h.applyExtension(ctx, req, q, "")
	}
	old, c, tx := h.update(req)
	c.ExtensionRequest = q
	recent := entry(req, c, tx, xfbot.KindSystem, fmt.Sprintf("申请延期 %d 天，待负责人批准。理由：%s", days, reason))
	tx.UpdateCase(old, c)
	tx.AddChanges(c.No, change(req, "延期申请", "", fmt.Sprintf("%d 天 理由：%s", days, reason)))
	leads := h.leads(ctx, req)
	msg := fmt.Sprintf("📨 已提交延期申请（%d 天），待专班负责人批准；批准后期限为 %s。", days, extendedDue(c, days, h.Calendar, req.Today())) + privacyNote(req, reason)
	if len(leads) == 0 {
		msg += "（尚未配置专班负责人，请联系管理员。）"
	}
	reply := h.caseReply(req, c, recent, msg, tx)
	for _, to := range leads {
		v := bot.View{Audience: xfbot.Audience{Role: xfbot.RoleAdmin}, Today: req.Today(), Thresholds: h.Thresholds, Loc: req.Loc}
		reply.Notices = append(reply.Notices, bot.Notice{OpenID: to, Card: bot.ExtensionRequestCard(c, v)})
	}
	return reply, nil
}

// extendable says whether the case may still get its one extension of days
// today: open, not extended yet, not overdue, and not past the statutory
// limit afterwards (a deadline the lead set at the limit has no room left,
// unless it is a stated 重新受理/内部化解目标).
func extendable(c *xfbot.Case, days int, cal *xfbot.Calendar, today xfbot.Date) error {
	if err := notOpen(c, "延期"); err != nil {
		return err
	}
	if st := c.StageOf(); st != xfbot.StageHandling {
		return xfbot.Errorf(xfbot.EINVALID, "%s 目前是“%s”：延期只用于受理后 60 日的办理期限（《信访工作条例》第三十四条）。", c.No, st.Label())
	}
	if c.ExtensionDays > 0 {
		return xfbot.Errorf(xfbot.EINVALID, "%s 已延期一次（%d 天），依规只能延期一次、累计不超过 %d 天。", c.No, c.ExtensionDays, xfbot.MaxExtensionDays)
	}
	if today.After(c.Due) {
		return xfbot.Errorf(xfbot.EINVALID, "%s 已于 %s 到期，超期后不能再延期（延期须在期限届满前批准）。", c.No, c.Due)
	}
	if limit, to := c.StatutoryLimit(cal, today), extendedDue(c, days, cal, today); !c.DueTarget && to.After(limit) {
		return xfbot.Errorf(xfbot.EINVALID, "%s 延期 %d 天后期限为 %s，超过法定最长期限 %s（受理后 60 日加一次最多 30 日）。请少延几天，或由负责人按“期限”另行设定。", c.No, days, to, limit)
	}
	return nil
}

// extendedDue is the deadline the case would have with days of extension.
func extendedDue(c *xfbot.Case, days int, cal *xfbot.Calendar, today xfbot.Date) xfbot.Date {
	cp := *c
	cp.ExtensionDays = days
	return cp.DueAsOf(cal, today)
}

// applyExtension grants q: the lead's own 延期, or the approval of an
// application (approver non-empty for the note).
func (h *Handlers) applyExtension(ctx context.Context, req *bot.Request, q *xfbot.ExtensionRequest, approved string) (*bot.Reply, error) {
	old, c, tx := h.update(req)
	c.ExtensionDays, c.ExtensionReason, c.ExtensionRequest = q.Days, q.Reason, nil
	c.Due = c.DueAsOf(h.Calendar, req.Today())
	text := fmt.Sprintf("延期 %d 天，期限 %s → %s。理由：%s", q.Days, old.Due, c.Due, q.Reason)
	if approved != "" {
		text = fmt.Sprintf("批准 %s 的延期申请：延期 %d 天，期限 %s → %s。理由：%s", q.By.Display(), q.Days, old.Due, c.Due, q.Reason)
	}
	recent := entry(req, c, tx, xfbot.KindSystem, text)
	tx.UpdateCase(old, c)
	tx.AddChanges(c.No, change(req, "期限", old.Due.String(), fmt.Sprintf("%s（延期 %d 天）理由：%s", c.Due, q.Days, q.Reason)))
	reply := h.caseReply(req, c, recent, fmt.Sprintf("✅ 已延期 %d 天，新期限 %s", q.Days, c.Due), tx)
	note := fmt.Sprintf("✅ %s 延期 %d 天已由 %s 批准，新期限 %s。", c.No, q.Days, req.Actor().Display(), c.Due)
	if approved == "" {
		note = fmt.Sprintf("📅 %s 将 %s 延期 %d 天，新期限 %s。理由：%s", req.Actor().Display(), c.No, q.Days, c.Due, q.Reason)
	}
	reply.Notices = append(reply.Notices, h.tell(req, note, q.By.OpenID, c.Owner.OpenID)...)
	return reply, nil
}

// approveExtension is 批准延期 <案件号> and the 批准 button (the lead only).
func (h *Handlers) approveExtension(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	c := req.Case
	q := c.ExtensionRequest
	if q == nil {
		return nil, xfbot.Errorf(xfbot.EINVALID, "%s 没有待批准的延期申请。", c.No)
	}
	if err := extendable(c, q.Days, h.Calendar, req.Today()); err != nil {
		// The application can no longer be granted: it lapses, and the
		// applicant hears why.
		return h.closeExtension(ctx, req, "作废", xfbot.ErrorMessage(err))
	}
	return h.applyExtension(ctx, req, q, req.Actor().Display())
}

// rejectExtension is 驳回延期 <案件号> [理由] and the 驳回 form (the lead only).
func (h *Handlers) rejectExtension(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	if req.Case.ExtensionRequest == nil {
		return nil, xfbot.Errorf(xfbot.EINVALID, "%s 没有待批准的延期申请。", req.Case.No)
	}
	reason := xfbot.CleanText(req.Args.Rest(1))
	if req.Action != nil {
		reason = xfbot.CleanText(req.Action.Form["reason"])
	}
	if n := xfbot.RuneLen(reason); n > xfbot.MaxTextRunes {
		return nil, xfbot.Errorf(xfbot.EINVALID, "驳回理由太长（%d 字），请控制在 %d 字以内。", n, xfbot.MaxTextRunes)
	}
	reply, err := h.closeExtension(ctx, req, "驳回", reason)
	if err == nil {
		reply.Text += privacyNote(req, reason)
	}
	return reply, err
}

// closeExtension ends a pending application without granting it.
func (h *Handlers) closeExtension(ctx context.Context, req *bot.Request, how, reason string) (*bot.Reply, error) {
	old, c, tx := h.update(req)
	q := old.ExtensionRequest
	c.ExtensionRequest = nil
	text := fmt.Sprintf("%s %s 的延期申请（%d 天）", how, q.By.Display(), q.Days)
	if reason != "" {
		text += "：" + reason
	}
	recent := entry(req, c, tx, xfbot.KindSystem, text)
	tx.UpdateCase(old, c)
	tx.AddChanges(c.No, change(req, "延期申请", fmt.Sprintf("%d 天", q.Days), how+" "+reason))
	reply := h.caseReply(req, c, recent, "✅ 延期申请已"+how, tx)
	note := fmt.Sprintf("❌ 您申请的 %s 延期 %d 天已被%s（%s）。", c.No, q.Days, how, req.Actor().Display())
	if reason != "" {
		note += "理由：" + reason
	}
	note += fmt.Sprintf(" 期限仍为 %s。", c.Due)
	reply.Notices = append(reply.Notices, h.tell(req, note, q.By.OpenID)...)
	return reply, nil
}

// leads are the task-force lead(s): the configured admins and the members
// with the admin role.
func (h *Handlers) leads(ctx context.Context, req *bot.Request) []string {
	out := h.mux.Admins()
	ms, err := h.members(ctx, req)
	if err != nil {
		return out // the notice is a courtesy; the change itself stands
	}
	for _, m := range ms {
		if m.Role == xfbot.RoleAdmin && !slices.Contains(out, m.OpenID) {
			out = append(out, m.OpenID)
		}
	}
	return out
}

// tell is a direct message to each of ids once, never to the sender (who
// reads the reply) nor to nobody.
func (h *Handlers) tell(req *bot.Request, text string, ids ...string) []bot.Notice {
	var out []bot.Notice
	seen := map[string]bool{"": true, req.Sender.OpenID: true}
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, bot.Notice{OpenID: id, Text: text})
		}
	}
	return out
}
