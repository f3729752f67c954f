package handlers

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/bot"
	"github.com/qingchuan/xfbot/store"
)

// ack is 确认 <案件号> and the 已阅 button: the reminder was seen. For an
// overdue case it stops the escalation ladder for the missed deadline. Only
// someone the reminder or an escalation step went to may acknowledge it, so
// nobody stops another person's escalation.
func (h *Handlers) ack(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	if req.Action == nil {
		if err := extraWords(req, 1); err != nil {
			return nil, err
		}
	}
	c := req.Case
	ledgers, err := h.Store.Ledgers(ctx, []xfbot.CaseNo{c.No})
	if err != nil {
		return nil, err
	}
	l := ledgers[c.No]
	to, any := store.Recipients(l, c.Due)
	switch {
	case !any:
		return nil, xfbot.Errorf(xfbot.EINVALID, "%s 目前没有需要确认的提醒（办结期限 %s）。提醒发出后，收到提醒的人可发送“确认 %s”。", c.No, c.Due, c.No)
	case len(to) == 0 && (req.Sender.OpenID == c.Owner.OpenID || req.Member.CanManage()):
		// Sent before recipients were noted: the owner it went to, or the lead.
	case !slices.Contains(to, req.Sender.OpenID):
		return nil, xfbot.Errorf(xfbot.EFORBIDDEN, "%s 的提醒没有发给您，应由收到提醒的人（包案人或升级提醒的接收人）确认；您可以发送“进展 %s <内容>”记录办理情况。", c.No, c.No)
	}
	if at, ok := l["ack:"+c.Due.String()]; ok {
		return nil, xfbot.Errorf(xfbot.EINVALID, "%s 的提醒已于 %s 确认，超期升级已停止。", c.No, strings.Fields(at)[0])
	}
	if req.Member.Role == xfbot.RoleLiaison {
		// The supervised unit reads its step; it does not stop the steps
		// above it (the watching leader, the lead).
		tx := h.Store.NewTx()
		tx.Note(c.No, "seen:"+c.Due.String()+":"+req.Sender.OpenID, req.Today().String())
		tx.AddChanges(c.No, change(req, "已阅提醒", "", c.Due.String()))
		msg := "✅ 已阅 " + string(c.No) + " 的提醒。超期督办继续进行，直到包案人或负责人确认、或案件办结。"
		if req.Action != nil {
			return &bot.Reply{Toast: msg, Tx: tx}, nil
		}
		return &bot.Reply{Text: msg, Tx: tx}, nil
	}
	tx := h.Store.NewTx()
	tx.Note(c.No, "ack:"+c.Due.String(), req.Today().String()+" "+req.Sender.OpenID)
	tx.EndEscalation(c.No)
	tx.AddChanges(c.No, change(req, "确认提醒", "", c.Due.String()))
	msg := "✅ 已确认 " + string(c.No) + " 的提醒"
	if h.Thresholds.Level(c.Due, req.Today()) >= xfbot.LevelRed && c.Status.Open() {
		msg += "，超期升级已停止；请尽快办结或登记进展"
	}
	if req.Action != nil {
		return &bot.Reply{Toast: msg, Tx: tx}, nil
	}
	return &bot.Reply{Text: msg + "。", Tx: tx}, nil
}

// snooze is 明天再提醒: the reminder comes again the next working day.
func (h *Handlers) snooze(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	day := h.Calendar.NextWorkday(req.Today())
	tx := h.Store.NewTx()
	tx.Snooze(req.Case.No, req.Sender.OpenID, day)
	return &bot.Reply{Toast: fmt.Sprintf("好的，%s 再提醒您 %s。", day, req.Case.No), Tx: tx}, nil
}

// extendForm opens the 申请延期 form on the case card.
func (h *Handlers) extendForm(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	if err := notOpen(req.Case, "延期"); err != nil {
		return nil, err
	}
	return &bot.Reply{Card: bot.ExtendForm(req.Case, req.Recent, h.view(req))}, nil
}

// extendSubmit records the extension from the form, by the same rules as 延期.
func (h *Handlers) extendSubmit(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	req.Args = bot.Args{Raw: string(req.Case.No) + " " + req.Action.Form["days"] + " " + req.Action.Form["reason"],
		Words: append([]string{string(req.Case.No), strings.TrimSpace(req.Action.Form["days"])}, strings.Fields(req.Action.Form["reason"])...)}
	return h.extend(ctx, req)
}

// extendRejectForm opens the reason form on the lead's application card.
func (h *Handlers) extendRejectForm(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	if req.Case.ExtensionRequest == nil {
		return &bot.Reply{Card: bot.CaseCard(req.Case, req.Recent, h.view(req)), Toast: "这个延期申请已经处理。"}, nil
	}
	return &bot.Reply{Card: bot.ExtensionRejectForm(req.Case, h.view(req))}, nil
}

// pause stops a case's clock: 暂停计时 <案件号> <理由> (听证、鉴定 do not count).
func (h *Handlers) pause(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	// A pause moves the deadline: the task force's act, not the supervised
	// unit's (the route is Staff), and the lead and the owner hear of it.
	reason, err := needText(req.Args.Rest(1), "暂停计时的理由", "暂停计时 XF-2026-0012 组织听证")
	if err != nil {
		return nil, err
	}
	if err := notOpen(req.Case, "暂停计时"); err != nil {
		return nil, err
	}
	if req.Case.Paused() {
		p := req.Case.Pauses[len(req.Case.Pauses)-1]
		return nil, xfbot.Errorf(xfbot.EINVALID, "%s 自 %s 起已暂停计时（%s）。", req.Case.No, p.From, p.Reason)
	}
	old, c, tx := h.update(req)
	today := req.Today()
	c.Pauses = append(append([]xfbot.Pause(nil), old.Pauses...), xfbot.Pause{From: today, Reason: reason})
	c.Due = c.DueAsOf(h.Calendar, today)
	recent := entry(req, c, tx, xfbot.KindSystem, "暂停计时："+reason)
	tx.UpdateCase(old, c)
	tx.AddChanges(c.No, change(req, "计时", "计时中", "暂停："+reason))
	reply := h.caseReply(req, c, recent, "⏸ 已暂停计时，暂停期间不计入办理期限"+privacyNote(req, reason), tx)
	note := fmt.Sprintf("⏸ %s 暂停了 %s 的计时（期限 %s，暂停期间顺延）。理由：%s", req.Actor().Display(), c.No, old.Due, reason)
	reply.Notices = append(reply.Notices, h.tell(req, note, append(h.leads(ctx, req), c.Owner.OpenID)...)...)
	return reply, nil
}

// resume restarts the clock: 恢复计时 <案件号> [说明]. The paused days
// (from the pause day to yesterday) push the deadline.
func (h *Handlers) resume(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	if !req.Case.Paused() {
		return nil, xfbot.Errorf(xfbot.EINVALID, "%s 没有在暂停计时。", req.Case.No)
	}
	old, c, tx := h.update(req)
	today := req.Today()
	ps := append([]xfbot.Pause(nil), old.Pauses...)
	last := &ps[len(ps)-1]
	days := today.Sub(last.From)
	if days <= 0 {
		ps = ps[:len(ps)-1] // resumed the day it paused: nothing was stopped
	} else {
		last.To = today.AddDays(-1)
	}
	c.Pauses = ps
	c.Due = c.DueAsOf(h.Calendar, today)
	text := fmt.Sprintf("恢复计时（暂停 %d 天），期限 %s → %s", max(days, 0), old.Due, c.Due)
	if note := xfbot.CleanText(req.Args.Rest(1)); note != "" {
		text += "：" + note
	}
	recent := entry(req, c, tx, xfbot.KindSystem, text)
	tx.UpdateCase(old, c)
	tx.AddChanges(c.No, change(req, "期限", old.Due.String(), c.Due.String()+"（恢复计时）"))
	reply := h.caseReply(req, c, recent, "▶️ 已恢复计时，新期限 "+c.Due.String(), tx)
	note := fmt.Sprintf("▶️ %s 恢复了 %s 的计时：暂停 %d 天，期限 %s → %s。", req.Actor().Display(), c.No, max(days, 0), old.Due, c.Due)
	reply.Notices = append(reply.Notices, h.tell(req, note, append(h.leads(ctx, req), c.Owner.OpenID)...)...)
	return reply, nil
}

// tags sets a case's tags: 标签 <案件号> 积案 重点 ... (标签 <案件号> 无 clears).
func (h *Handlers) tags(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	words := req.Args.Words[1:]
	if len(words) == 0 {
		return nil, xfbot.Errorf(xfbot.EINVALID, "缺少标签。")
	}
	var ts []xfbot.Tag
	if !(len(words) == 1 && (words[0] == "无" || words[0] == "清除")) {
		for _, w := range words {
			for _, part := range strings.FieldsFunc(w, func(r rune) bool { return r == ',' || r == '，' || r == '、' }) {
				t, err := xfbot.ParseTag(part)
				if err != nil {
					return nil, err
				}
				ts = append(ts, t)
			}
		}
	}
	old, c, tx := h.update(req)
	c.Tags = ts
	label := func(ts []xfbot.Tag) string {
		var ls []string
		for _, t := range ts {
			ls = append(ls, t.Label())
		}
		return strings.Join(ls, "、")
	}
	tx.UpdateCase(old, c)
	tx.AddChanges(c.No, change(req, "标签", label(old.Tags), label(ts)))
	msg := "✅ 标签：" + label(ts)
	if len(ts) == 0 {
		msg = "✅ 已清除标签"
	}
	return h.caseReply(req, c, req.Recent, msg, tx), nil
}

// reminders is 提醒 查看: what the reminder scan has told or will tell me
// about my cases, and the escalations under way.
func (h *Handlers) reminders(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	today := req.Today()
	ix := store.IndexOwner(req.Sender.OpenID)
	if req.Member.Role == xfbot.RoleLeader {
		ix = store.IndexLeader(req.Sender.OpenID)
	}
	cases, total, err := h.Store.List(ctx, store.Query{Index: ix, DueTo: today.AddDays(h.Thresholds.Yellow), Limit: listPage})
	if err != nil {
		return nil, err
	}
	nos := make([]xfbot.CaseNo, len(cases))
	for i, c := range cases {
		nos[i] = c.No
	}
	ledgers, err := h.Store.Ledgers(ctx, nos)
	if err != nil {
		return nil, err
	}
	v := h.view(req)
	card := &bot.Card{Title: fmt.Sprintf("我的待办提醒（%d 件临期或超期）", total), Color: "blue"}
	if total == 0 {
		card.Sections = []string{"没有临期或超期的案件。"}
	}
	for _, c := range cases {
		l := ledgers[c.No]
		state := "待提醒"
		lv := h.Thresholds.Level(c.Due, today)
		if at, ok := l[fmt.Sprintf("due:%s:%s", lv, c.Due)]; ok {
			state = "已提醒 " + at
		}
		if at, ok := l["ack:"+c.Due.String()]; ok {
			state = "已确认 " + strings.Fields(at)[0]
		} else if _, ok := l["esc:start:"+c.Due.String()]; ok {
			steps := 0
			for f := range l {
				if strings.HasPrefix(f, "esc:") && strings.HasSuffix(f, ":"+c.Due.String()) && !strings.HasPrefix(f, "esc:start") {
					steps++
				}
			}
			state = "超期升级中（已升级 " + strconv.Itoa(steps) + " 级），发送“确认 " + string(c.No) + "”停止"
		}
		if c.Paused() {
			state = "计时暂停中"
		}
		if q := c.ExtensionRequest; q != nil {
			state += fmt.Sprintf(" · 延期申请（%d 天）待负责人批准", q.Days)
		}
		card.Items = append(card.Items, bot.Item{Markdown: bot.Escape(bot.CaseLine(c, v) + " · " + state)})
	}
	card.Note = "每个工作日 9 点前后推送；“确认 案件号”表示已阅并停止超期升级。"
	if req.Member.CanManage() {
		// The lead's own queue: applications for the extension to decide.
		reqs, n, err := h.Store.List(ctx, store.Query{Index: store.IndexExtensionRequests(), Limit: listPage})
		if err != nil {
			return nil, err
		}
		if n > 0 {
			card.Title += fmt.Sprintf("；待审批延期申请 %d 件", n)
			if total == 0 {
				card.Sections = nil
			}
		}
		for _, c := range reqs {
			q := c.ExtensionRequest
			if q == nil {
				continue
			}
			it := bot.Item{Markdown: bot.Escape(fmt.Sprintf("⏳ %s · %s 申请延期 %d 天：%s", bot.CaseLine(c, v), q.By.Display(), q.Days, v.Text(c, q.Reason)))}
			if !req.Group { // approving is done in private, where the lead reads the case whole
				it.Buttons = bot.ExtensionButtons(c, v)
			}
			card.Items = append(card.Items, it)
		}
	}
	return &bot.Reply{Card: card}, nil
}
