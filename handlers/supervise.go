package handlers

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/bot"
	"github.com/qingchuan/xfbot/store"
)

// 督查单 (督战队): an inspector (task-force staff) opens DC-YYYY-NNNN
// against a unit; the unit's liaison starts, then reports the
// rectification with evidence; another staff member verifies it (通过) or
// returns it (退回: back to 整改中; the deadline stays unless the verifier
// gives a new one with 期限:, so a return never wipes out lateness); the
// lead or the inspector signs it off (销号). xfbot.SupervisionItem.Apply
// decides every step and who may take it; each command is one Tx (the
// record, its indexes and deadline, its history line and its counters).

const supExample = "督查 交办 云溪街道 XF-2026-0015 属地责任不到位 属地联系人未落实 要求:五个工作日内落实属地联系人 期限:3月23日"

// supOpen: 督查 交办 <单位> [案件号] <问题类型> <问题描述> 要求:<整改要求> [期限:日期].
func (h *Handlers) supOpen(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	words := req.Args.Words
	if len(words) == 0 {
		return nil, xfbot.Errorf(xfbot.EINVALID, "缺少被督查单位。例如：%s", supExample)
	}
	today := req.Today()
	unit, err := parseName(words[0], "被督查单位")
	if err != nil {
		return nil, err
	}
	if _, ok := xfbot.ParseProblemType(unit); ok {
		return nil, xfbot.Errorf(xfbot.EINVALID, "第一项应写被督查单位，“%s”是问题类型。例如：%s", unit, supExample)
	}
	// The unit resolves through the registry (名录), as a liaison's unit
	// does: the item reaches the liaisons of the unit it names.
	if unit, err = h.resolveName(ctx, req, xfbot.RegUnit, unit); err != nil {
		return nil, err
	}
	rest := words[1:]
	var caseNo xfbot.CaseNo
	var linked *xfbot.Case
	if len(rest) > 0 && strings.HasPrefix(strings.ToUpper(xfbot.Normalize(rest[0])), "XF") {
		no, err := xfbot.ParseCaseNoIn(rest[0], today.Year)
		if err != nil {
			return nil, err
		}
		cs, err := h.cases(ctx, req, []xfbot.CaseNo{no})
		if err != nil {
			return nil, err
		}
		if len(cs) == 0 {
			return nil, xfbot.Errorf(xfbot.ENOTFOUND, "没有找到案件 %s，请检查案件号；不关联案件的督查单可以不写案件号。", no)
		}
		caseNo, linked, rest = no, cs[0], rest[1:]
	}
	if len(rest) == 0 {
		return nil, xfbot.Errorf(xfbot.EINVALID, "缺少问题类型，可写：%s。例如：%s", xfbot.ProblemTypeWords(), supExample)
	}
	pt, ok := xfbot.ParseProblemType(rest[0])
	if !ok {
		return nil, xfbot.Errorf(xfbot.EINVALID, "问题类型“%s”看不懂，可写：%s。", xfbot.Echo(rest[0], 20), xfbot.ProblemTypeWords())
	}
	var desc, reqText []string
	due := xfbot.Date{}
	inReq := false
	for _, w := range rest[1:] {
		if k, v, ok := splitColon(w); ok {
			switch k {
			case "期限", "整改期限":
				r, err := xfbot.ParseDay(v, today, h.Calendar, xfbot.Future)
				if err != nil {
					return nil, err
				}
				if !r.Date.After(today) {
					return nil, xfbot.Errorf(xfbot.EINVALID, "整改期限 %s 应在今天之后。", r.Date)
				}
				due = r.Date
				continue
			case "要求", "整改要求":
				inReq = true
				if v != "" {
					reqText = append(reqText, v)
				}
				continue
			}
		}
		if inReq {
			reqText = append(reqText, w)
		} else {
			desc = append(desc, w)
		}
	}
	description, err := needText(strings.Join(desc, " "), "问题描述", supExample)
	if err != nil {
		return nil, err
	}
	requirement, err := needText(strings.Join(reqText, " "), "整改要求（写在“要求:”后面）", supExample)
	if err != nil {
		return nil, err
	}
	if due.IsZero() {
		due = xfbot.RectifyDue(today, h.RectifyDays, h.Calendar)
	}
	it := &xfbot.SupervisionItem{Unit: unit, Case: caseNo, Problem: pt, Description: description, Requirement: requirement,
		OpenedBy: req.Actor(), Inspector: req.Actor(), OpenedAt: req.Time, OpenedOn: today, Due: due, Status: xfbot.SupIssued}
	tx := h.Store.NewTx()
	tx.CreateSupervision(it, today.Year)
	tx.AddSupervisionEvent(it.ID, xfbot.SupervisionEvent{At: req.Time, By: req.Actor(), Action: "交办",
		Text: fmt.Sprintf("%s · %s · 整改期限 %s", unit, pt.Label(), due)})
	ms, liaisons, err := h.unitLiaisons(ctx, req, unit)
	if err != nil {
		return nil, err
	}
	msg := fmt.Sprintf("✅ 已交办督查单 %s：%s · %s，整改期限 %s。", store.NoPlaceholder, unit, pt.Label(), due)
	if len(liaisons) > 0 {
		msg += fmt.Sprintf("已私聊告知 %d 位联络员。", len(liaisons))
	} else {
		msg += "该单位还没有登记联络员，请管理员发送“成员 添加 @人 联络员 " + unit + "”，或线下送达。"
	}
	reply := h.supReply(req, it, linked, nil, msg, tx)
	reply.Notices = h.supTell(req, ms, it, linked, liaisons, "您单位有一张新的督查单，请按要求整改，完成后点「报告整改」或发送“督查 报告 "+store.NoPlaceholder+" <整改情况与佐证>”")
	return reply, nil
}

// rectifyDaysText is the default 整改期限 in working days, for 帮助.
func (h *Handlers) rectifyDaysText() string {
	if h.RectifyDays > 0 {
		return fmt.Sprint(h.RectifyDays)
	}
	return fmt.Sprint(xfbot.DefaultRectifyDays)
}

// supRectify: 督查 整改 <DC-编号> [说明].
func (h *Handlers) supRectify(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	v, err := h.loadSupervision(ctx, req, req.Args.Word(0))
	if err != nil {
		return nil, err
	}
	return h.supAct(ctx, req, v, xfbot.ActRectify, xfbot.CleanText(req.Args.Rest(1)), xfbot.Date{})
}

// supSubmit: 督查 报告 <DC-编号> <整改情况与佐证>.
func (h *Handlers) supSubmit(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	v, err := h.loadSupervision(ctx, req, req.Args.Word(0))
	if err != nil {
		return nil, err
	}
	text, err := needText(req.Args.Rest(1), "整改情况与佐证", "督查 报告 "+string(v.ID)+" 已落实属地联系人，附走访记录 3 份")
	if err != nil {
		return nil, err
	}
	return h.supAct(ctx, req, v, xfbot.ActSubmit, text, xfbot.Date{})
}

// supVerify: 督查 核验 <DC-编号> 通过|退回 <意见> [期限:日期].
func (h *Handlers) supVerify(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	v, err := h.loadSupervision(ctx, req, req.Args.Word(0))
	if err != nil {
		return nil, err
	}
	var act xfbot.SupervisionAct
	switch req.Args.Word(1) {
	case "通过", "pass", "ok":
		act = xfbot.ActVerify
	case "退回", "return", "不通过":
		act = xfbot.ActReturn
	case "":
		return nil, xfbot.Errorf(xfbot.EINVALID, "请写“通过”或“退回”，例如：督查 核验 %s 退回 佐证材料不全，请补充走访记录", v.ID)
	default:
		return nil, xfbot.Errorf(xfbot.EINVALID, "核验结论“%s”看不懂，应写“通过”或“退回”。", xfbot.Echo(req.Args.Word(1), 10))
	}
	var words []string
	due := xfbot.Date{}
	for _, w := range wordsFrom(req, 2) {
		if k, val, ok := splitColon(w); ok && (k == "期限" || k == "整改期限") {
			if act != xfbot.ActReturn {
				return nil, xfbot.Errorf(xfbot.EINVALID, "核验通过不需要期限；退回时才可另定整改期限。")
			}
			r, err := xfbot.ParseDay(val, req.Today(), h.Calendar, xfbot.Future)
			if err != nil {
				return nil, err
			}
			due = r.Date
			continue
		}
		words = append(words, w)
	}
	text := xfbot.CleanText(strings.Join(words, " "))
	if n := xfbot.RuneLen(text); n > xfbot.MaxTextRunes {
		return nil, xfbot.Errorf(xfbot.EINVALID, "核验意见太长（%d 字），请控制在 %d 字以内。", n, xfbot.MaxTextRunes)
	}
	return h.supAct(ctx, req, v, act, text, due)
}

// supClose: 督查 销号 <DC-编号>.
func (h *Handlers) supClose(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	v, err := h.loadSupervision(ctx, req, req.Args.Word(0))
	if err != nil {
		return nil, err
	}
	if err := extraWords(req, 1); err != nil {
		return nil, err
	}
	return h.supAct(ctx, req, v, xfbot.ActClose, "", xfbot.Date{})
}

// supAct takes one step of the lifecycle: the domain decides, the Tx
// writes the record, its history line and its counters, and the people
// the step concerns are told.
func (h *Handlers) supAct(ctx context.Context, req *bot.Request, v *store.SupervisionView, act xfbot.SupervisionAct, text string, due xfbot.Date) (*bot.Reply, error) {
	old := v.SupervisionItem
	up := *old
	today := req.Today()
	if err := up.Apply(act, req.Member, req.Time, today, text, due); err != nil {
		return nil, err
	}
	tx := h.Store.NewTx()
	tx.UpdateSupervision(old, &up)
	ev := xfbot.SupervisionEvent{At: req.Time, By: req.Actor(), Action: act.Label(), Text: text}
	var msg, tell string
	var to []string
	ms, liaisons, err := h.unitLiaisons(ctx, req, up.Unit)
	if err != nil {
		return nil, err
	}
	switch act {
	case xfbot.ActRectify:
		msg = fmt.Sprintf("✅ 督查单 %s 已开始整改，整改期限 %s。", up.ID, up.Due)
		tell, to = fmt.Sprintf("%s 已开始整改督查单 %s", req.Actor().Display(), up.ID), []string{up.Inspector.OpenID}
	case xfbot.ActSubmit:
		msg = fmt.Sprintf("✅ 督查单 %s 已报整改，等待专班核验。", up.ID)
		if !up.OnTime() {
			msg = fmt.Sprintf("✅ 督查单 %s 已报整改（已超过整改期限 %s），等待专班核验。", up.ID, up.SubmitDue)
		}
		ev.Text = "整改情况与佐证：" + text
		tell, to = fmt.Sprintf("%s 报告了督查单 %s 的整改情况，请核验（核验人不能是报告人）", req.Actor().Display(), up.ID), []string{up.Inspector.OpenID}
	case xfbot.ActVerify:
		ctr := xfbot.SupCountOnTime
		if !up.OnTime() {
			ctr = xfbot.SupCountLate
		}
		tx.CountSupervision(ctr, &up, today)
		msg = fmt.Sprintf("✅ 督查单 %s 核验通过，可由专班负责人或督查专员 %s 销号。", up.ID, up.Inspector.Display())
		tell, to = fmt.Sprintf("督查单 %s 整改已由 %s 核验通过", up.ID, req.Actor().Display()), append(liaisons, up.Inspector.OpenID)
	case xfbot.ActReturn:
		tx.CountSupervision(xfbot.SupCountReturned, &up, today)
		dueText := "整改期限不变（" + up.Due.String() + "）"
		if !due.IsZero() {
			dueText = "新的整改期限 " + up.Due.String()
			ev.Text += "；" + dueText
		}
		if up.Overdue(today) {
			dueText += "，已逾期"
		}
		msg = fmt.Sprintf("↩️ 督查单 %s 已退回重新整改，%s。", up.ID, dueText)
		tell = fmt.Sprintf("督查单 %s 被 %s 退回重新整改，%s。意见：%s", up.ID, req.Actor().Display(), dueText, text)
		to = append(liaisons, up.SubmittedBy.OpenID, up.Inspector.OpenID)
	case xfbot.ActClose:
		tx.CountSupervision(xfbot.SupCountClosed, &up, today)
		msg = fmt.Sprintf("☑️ 督查单 %s 已销号。", up.ID)
		tell, to = fmt.Sprintf("督查单 %s 已由 %s 销号", up.ID, req.Actor().Display()), append(liaisons, up.Inspector.OpenID)
	}
	tx.AddSupervisionEvent(up.ID, ev)
	linked := h.supCase(ctx, &up)
	hist := append(append([]xfbot.SupervisionEvent(nil), v.History...), ev)
	reply := h.supReply(req, &up, linked, hist, msg, tx)
	reply.Notices = h.supTell(req, ms, &up, linked, to, tell)
	return reply, nil
}

// supShow: 督查 查看 <DC-编号>.
func (h *Handlers) supShow(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	v, err := h.loadSupervision(ctx, req, req.Args.Word(0))
	if err != nil {
		return nil, err
	}
	return &bot.Reply{Card: bot.SupervisionCard(v.SupervisionItem, h.supCase(ctx, v.SupervisionItem), v.History, h.view(req), bot.SupervisionReaderOf(req))}, nil
}

// supList: 督查 列表 [单位:x] [逾期|待核验|全部]. A liaison sees the own
// unit's items only.
func (h *Handlers) supList(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	unit, filter := "", ""
	var names []string // the unit's names: items opened before 改名 or 合并 carry a former one
	for _, w := range req.Args.Words {
		if k, v, ok := splitColon(w); ok && (k == "单位" || k == "unit") {
			r, err := h.registry(ctx, req)
			if err != nil {
				return nil, err
			}
			if unit, err = r.Check(xfbot.RegUnit, v); err != nil {
				return nil, err
			}
			names = r.NamesOf(unit)
			continue
		}
		switch w {
		case "逾期", "超期", "overdue":
			filter = "逾期"
		case "待核验", "已报整改", "submitted":
			filter = "待核验"
		case "全部", "all":
			filter = "全部"
		case "在办", "open":
			filter = ""
		default:
			return nil, xfbot.Errorf(xfbot.EINVALID, "“%s”看不懂。可写 单位:x、逾期、待核验 或 全部，例如：督查 列表 单位:云溪街道 逾期", xfbot.Echo(w, 20))
		}
	}
	if req.Member.Role == xfbot.RoleLiaison {
		if unit != "" && !req.Member.InUnit(unit) {
			return nil, xfbot.Errorf(xfbot.EFORBIDDEN, "您是 %s 的联络员，只能查看本单位的督查单。", orUnknown(req.Member.Unit))
		}
		unit, names = req.Member.Unit, req.Member.UnitNames()
		if unit == "" {
			return nil, xfbot.Errorf(xfbot.EFORBIDDEN, "您的成员记录没有登记单位，请管理员发送“成员 添加 @您 联络员 <单位>”。")
		}
	}
	var items []*xfbot.SupervisionItem
	var err error
	if filter == "全部" {
		all, err := h.Store.RecentSupervision(ctx, 200)
		if err != nil {
			return nil, err
		}
		for _, it := range all {
			if unit == "" || slices.Contains(names, it.Unit) {
				items = append(items, it)
			}
		}
	} else if items, err = h.Store.OpenSupervision(ctx, names...); err != nil {
		return nil, err
	}
	today := req.Today()
	var shown []*xfbot.SupervisionItem
	for _, it := range items {
		switch {
		case filter == "逾期" && !it.Overdue(today):
		case filter == "待核验" && it.Status != xfbot.SupSubmitted:
		default:
			shown = append(shown, it)
		}
	}
	title := "在办督查单"
	switch filter {
	case "逾期":
		title = "逾期未整改的督查单"
	case "待核验":
		title = "待核验的督查单"
	case "全部":
		title = "督查单（含已销号，最近 200 件）"
	}
	if unit != "" {
		title = unit + " · " + title
	}
	if len(shown) == 0 {
		return &bot.Reply{Text: "没有" + title + "。"}, nil
	}
	return &bot.Reply{Card: bot.SupervisionListCard(title, shown, h.view(req), bot.SupervisionReaderOf(req))}, nil
}

func orUnknown(s string) string {
	if s == "" {
		return "（未登记单位）"
	}
	return s
}

// supStats: 统计 督查 [期间]: the period's 督查 figures, by unit and type
// (a liaison: the district and the own unit).
func (h *Handlers) supStats(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	if err := extraWords(req, 1); err != nil {
		return nil, err
	}
	p, _, err := statsPeriod(req.Args.Word(0), req.Today())
	if err != nil {
		return nil, err
	}
	sp, err := h.Store.SupervisionStats(ctx, p, req.Today())
	if err != nil {
		return nil, err
	}
	if req.Member.Role == xfbot.RoleLiaison {
		var own []xfbot.SupervisionFigures
		for _, u := range sp.Units {
			if u.Unit == req.Member.Unit {
				own = append(own, u)
			}
		}
		sp.Units = own
	}
	return &bot.Reply{Card: bot.SupervisionStatsCard("督查统计 · "+p.Label, p, sp, true)}, nil
}

// supervisionBlock is the 督查 block the 统计 card and the monthly report
// carry: the district's figures (and by unit, when units).
func (h *Handlers) supervisionBlock(ctx context.Context, p xfbot.Period, today xfbot.Date, units bool, onlyUnit string) (string, error) {
	sp, err := h.Store.SupervisionStats(ctx, p, today)
	if err != nil {
		return "", err
	}
	if onlyUnit != "" {
		var own []xfbot.SupervisionFigures
		for _, u := range sp.Units {
			if u.Unit == onlyUnit {
				own = append(own, u)
			}
		}
		sp.Units, units = own, true
	}
	return "**督查**\n" + bot.Escape(bot.SupervisionStatsText(sp, units)), nil
}

// Card actions of the 督查单 card: each is the 督查 subcommand it names.

func (h *Handlers) actionSupervision(ctx context.Context, req *bot.Request) (*store.SupervisionView, error) {
	return h.loadSupervision(ctx, req, req.Action.Value["id"])
}

func (h *Handlers) supRefreshAction(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	v, err := h.actionSupervision(ctx, req)
	if err != nil {
		return nil, err
	}
	return &bot.Reply{Card: bot.SupervisionCard(v.SupervisionItem, h.supCase(ctx, v.SupervisionItem), v.History, h.view(req), bot.SupervisionReaderOf(req))}, nil
}

func (h *Handlers) supRectifyAction(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	v, err := h.actionSupervision(ctx, req)
	if err != nil {
		return nil, err
	}
	return h.supAct(ctx, req, v, xfbot.ActRectify, "", xfbot.Date{})
}

func (h *Handlers) supSubmitFormAction(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	v, err := h.actionSupervision(ctx, req)
	if err != nil {
		return nil, err
	}
	if err := v.CanAct(req.Member, xfbot.ActSubmit); err != nil {
		return nil, err
	}
	if !v.Rectifying() {
		return &bot.Reply{Card: bot.SupervisionCard(v.SupervisionItem, nil, v.History, h.view(req), bot.SupervisionReaderOf(req)), Toast: "这张督查单现在是“" + v.Status.Label() + "”，不能报告整改。"}, nil
	}
	return &bot.Reply{Card: bot.SupervisionSubmitForm(v.SupervisionItem, h.supCase(ctx, v.SupervisionItem), v.History, h.view(req), bot.SupervisionReaderOf(req))}, nil
}

func (h *Handlers) supSubmitAction(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	v, err := h.actionSupervision(ctx, req)
	if err != nil {
		return nil, err
	}
	text, err := needText(req.Action.Form["text"], "整改情况与佐证", "已落实属地联系人，附走访记录 3 份")
	if err != nil {
		return nil, err
	}
	return h.supAct(ctx, req, v, xfbot.ActSubmit, text, xfbot.Date{})
}

func (h *Handlers) supVerifyAction(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	v, err := h.actionSupervision(ctx, req)
	if err != nil {
		return nil, err
	}
	return h.supAct(ctx, req, v, xfbot.ActVerify, "", xfbot.Date{})
}

func (h *Handlers) supReturnFormAction(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	v, err := h.actionSupervision(ctx, req)
	if err != nil {
		return nil, err
	}
	if err := v.CanAct(req.Member, xfbot.ActReturn); err != nil {
		return nil, err
	}
	if v.Status != xfbot.SupSubmitted {
		return &bot.Reply{Card: bot.SupervisionCard(v.SupervisionItem, nil, v.History, h.view(req), bot.SupervisionReaderOf(req)), Toast: "这张督查单现在是“" + v.Status.Label() + "”，不能退回。"}, nil
	}
	return &bot.Reply{Card: bot.SupervisionReturnForm(v.SupervisionItem, h.supCase(ctx, v.SupervisionItem), v.History, h.view(req), bot.SupervisionReaderOf(req))}, nil
}

func (h *Handlers) supReturnAction(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	v, err := h.actionSupervision(ctx, req)
	if err != nil {
		return nil, err
	}
	text, err := needText(req.Action.Form["text"], "退回意见", "佐证材料不全，请补充走访记录")
	if err != nil {
		return nil, err
	}
	due := xfbot.Date{}
	if raw := strings.TrimSpace(req.Action.Form["due"]); raw != "" {
		r, err := xfbot.ParseDay(raw, req.Today(), h.Calendar, xfbot.Future)
		if err != nil {
			return nil, err
		}
		due = r.Date
	}
	return h.supAct(ctx, req, v, xfbot.ActReturn, text, due)
}

func (h *Handlers) supCloseAction(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	v, err := h.actionSupervision(ctx, req)
	if err != nil {
		return nil, err
	}
	return h.supAct(ctx, req, v, xfbot.ActClose, "", xfbot.Date{})
}

// Helpers.

// loadSupervision reads the item raw names, refusing a liaison another
// unit's.
func (h *Handlers) loadSupervision(ctx context.Context, req *bot.Request, raw string) (*store.SupervisionView, error) {
	if raw == "" {
		return nil, xfbot.Errorf(xfbot.EINVALID, "缺少督查单编号（DC-年份-序号）；发送“督查 列表”可查看编号。")
	}
	id, err := xfbot.ParseSupervisionID(raw)
	if err != nil {
		return nil, err
	}
	v, err := h.Store.Supervision(ctx, id)
	if err != nil {
		return nil, err
	}
	if v == nil {
		return nil, xfbot.Errorf(xfbot.ENOTFOUND, "没有找到督查单 %s；发送“督查 列表”可查看编号。", id)
	}
	if req.Member.Role == xfbot.RoleLiaison && !req.Member.InUnit(v.Unit) {
		return nil, xfbot.Errorf(xfbot.EFORBIDDEN, "督查单 %s 不是交办给您单位的，无权查看。", id)
	}
	return v, nil
}

// supCase is the item's linked case (for masking its petitioner's name in
// free text), nil when none or unreadable.
func (h *Handlers) supCase(ctx context.Context, it *xfbot.SupervisionItem) *xfbot.Case {
	if it.Case == "" {
		return nil
	}
	cs, err := h.Store.Cases(ctx, []xfbot.CaseNo{it.Case})
	if err != nil || len(cs) == 0 {
		return nil
	}
	return cs[0]
}

// unitLiaisons are the members and the open_ids of the unit's liaisons,
// sorted.
func (h *Handlers) unitLiaisons(ctx context.Context, req *bot.Request, unit string) ([]xfbot.Member, []string, error) {
	ms, err := h.members(ctx, req)
	if err != nil {
		return nil, nil, err
	}
	var out []string
	for _, m := range ms {
		if m.Role == xfbot.RoleLiaison && m.InUnit(unit) {
			out = append(out, m.OpenID)
		}
	}
	sort.Strings(out)
	return ms, out, nil
}

func (h *Handlers) supReply(req *bot.Request, it *xfbot.SupervisionItem, c *xfbot.Case, hist []xfbot.SupervisionEvent, msg string, tx *store.Tx) *bot.Reply {
	card := bot.SupervisionCard(it, c, hist, h.view(req), bot.SupervisionReaderOf(req))
	card.Subtitle = msg
	return &bot.Reply{Text: msg, Card: card, Toast: msg, Tx: tx}
}

// supTell is a private card of the item for each of to (not the actor,
// each once), with the buttons that person may press.
func (h *Handlers) supTell(req *bot.Request, ms []xfbot.Member, it *xfbot.SupervisionItem, c *xfbot.Case, to []string, msg string) []bot.Notice {
	seen := map[string]bool{req.Sender.OpenID: true, "": true}
	var out []bot.Notice
	for _, id := range to {
		if seen[id] {
			continue
		}
		seen[id] = true
		m := xfbot.Member{OpenID: id, Role: xfbot.RoleMember}
		for _, x := range ms {
			if x.OpenID == id {
				m = x
			}
		}
		v := bot.View{Audience: m.Audience(), ChatID: "", Today: req.Today(), Thresholds: h.Thresholds, Loc: req.Loc}
		card := bot.SupervisionCard(it, c, nil, v, bot.SupervisionReader{Member: m})
		card.Subtitle = msg
		out = append(out, bot.Notice{OpenID: id, Card: card})
	}
	return out
}

// heldSupervision lists, one line each, the open 督查单 openID answers
// for as their inspector (what 成员 召回 waits on), from the per-inspector
// index.
func (h *Handlers) heldSupervision(ctx context.Context, openID string) ([]string, error) {
	items, err := h.Store.InspectorSupervision(ctx, openID)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(items))
	for _, it := range items {
		out = append(out, fmt.Sprintf("督查单 %s %s · %s · %s · 整改期限 %s", it.ID, it.Unit, it.Problem.Label(), it.Status.Label(), it.Due))
	}
	return out, nil
}

// handOverSupervision gives every open 督查单 of from to to (成员 移交),
// recorded in each item's history as by's act at now, in one commit, and
// returns how many moved.
func (h *Handlers) handOverSupervision(ctx context.Context, from, to, by xfbot.Person, now time.Time) (int, error) {
	if from.OpenID == "" || to.OpenID == "" || from.OpenID == to.OpenID {
		return 0, xfbot.Errorf(xfbot.EINVALID, "移交督查单须写明移交人和接收人，且不能是同一人。")
	}
	items, err := h.Store.InspectorSupervision(ctx, from.OpenID)
	if err != nil || len(items) == 0 {
		return 0, err
	}
	tx := h.Store.NewTx()
	for _, it := range items {
		up := *it
		up.Inspector = to
		tx.UpdateSupervision(it, &up)
		tx.AddSupervisionEvent(it.ID, xfbot.SupervisionEvent{At: now, By: by, Action: "移交", Text: fmt.Sprintf("督查专员由 %s 移交给 %s", from.Display(), to.Display())})
	}
	if _, err := h.Store.Commit(ctx, tx); err != nil {
		return 0, fmt.Errorf("handlers: hand over 督查单 of %s: %w", from.OpenID, err)
	}
	return len(items), nil
}

// demoSupervision opens the demo ledger's 督查单 (虚构数据), one commit
// each, in every state of the lifecycle: issued, rectifying, overdue (the
// scan's ladder takes it from there), reported, returned, verified and
// signed off, against the demo units, some on a demo case of the unit.
func (h *Handlers) demoSupervision(ctx context.Context, req *bot.Request, cases []*xfbot.Case, people []xfbot.Member) (int, error) {
	today := req.Today()
	person := func(role xfbot.Role, unit string, n int) xfbot.Person {
		for _, m := range people {
			if m.Role == role && (unit == "" || m.Unit == unit) {
				if n == 0 {
					return m.Person()
				}
				n--
			}
		}
		return req.Actor()
	}
	caseOf := func(unit string) xfbot.CaseNo {
		for _, c := range cases {
			if c.Unit == unit && c.Status.Open() {
				return c.No
			}
		}
		return ""
	}
	type demoItem struct {
		unit         string
		pt           xfbot.ProblemType
		desc, req    string
		openedAgo    int // working days ago
		status       xfbot.SupervisionStatus
		returns      int
		withCase     bool
		evidence     string
		inspectorIdx int
	}
	items := []demoItem{
		{"区住建局", xfbot.ProblemMeasure, "桂园社区回迁安置过渡费未按方案按月发放，群众反映强烈", "十个工作日内补发到位并公示发放台账", 2, xfbot.SupIssued, 0, true, "", 0},
		{"区人社局", xfbot.ProblemBuckPassing, "欠薪线索在区人社局与属地街道之间往返转办三次，无牵头单位", "明确牵头单位，五个工作日内答复信访人", 5, xfbot.SupRectifying, 0, true, "", 1},
		{"区城管局", xfbot.ProblemReply, "处理意见书未告知复查权利和期限，不符合条例要求", "重新出具处理意见书并送达", 11, xfbot.SupRectifying, 0, false, "", 0},
		{"区教育局", xfbot.ProblemLedger, "台账中 3 件已化解案件无回访记录", "补录回访记录，核实台账", 6, xfbot.SupSubmitted, 0, false, "已补录回访记录 3 条，附电话回访录音清单", 2},
		{"区卫健委", xfbot.ProblemOverdue, "医疗纠纷信访事项超过办结期限 12 天未答复", "三个工作日内出具答复意见", 9, xfbot.SupRectifying, 1, true, "已约谈医院负责人（退回：未附答复意见书）", 1},
		{"区自然资源局", xfbot.ProblemStability, "征地补偿信访人所在村未落实属地稳控责任人", "落实包案责任人并建立联系台账", 12, xfbot.SupVerified, 0, false, "已落实村两委包案责任人 2 名，附联系台账", 0},
		{"区房管中心", xfbot.ProblemFalsification, "报送的化解材料中息诉罢访承诺书签名存疑", "重新核实并书面说明", 15, xfbot.SupClosed, 0, false, "经核实为代签，已重新签订并说明情况", 2},
	}
	lead := person(xfbot.RoleAdmin, "", 0)
	n := 0
	for _, d := range items {
		insp := person(xfbot.RoleMember, "", d.inspectorIdx)
		other := person(xfbot.RoleMember, "", d.inspectorIdx+3)
		liaison := person(xfbot.RoleLiaison, d.unit, 0)
		opened := today
		for i := 0; i < d.openedAgo; {
			opened = opened.AddDays(-1)
			if h.Calendar.IsWorkday(opened) {
				i++
			}
		}
		at := opened.Time(req.Loc).Add(9*time.Hour + 30*time.Minute)
		it := &xfbot.SupervisionItem{Unit: d.unit, Problem: d.pt, Description: d.desc, Requirement: d.req, OpenedBy: insp, Inspector: insp,
			OpenedAt: at, OpenedOn: opened, Due: xfbot.RectifyDue(opened, h.RectifyDays, h.Calendar), Status: xfbot.SupIssued}
		if d.withCase {
			it.Case = caseOf(d.unit)
		}
		hist := []xfbot.SupervisionEvent{{At: at, By: insp, Action: "交办", Text: fmt.Sprintf("%s · %s · 整改期限 %s", d.unit, d.pt.Label(), it.Due)}}
		step := func(act xfbot.SupervisionAct, by xfbot.Person, role xfbot.Role, unit, text string, days int) {
			when := at.Add(time.Duration(days) * 24 * time.Hour)
			if when.After(req.Time) {
				when = req.Time
			}
			if err := it.Apply(act, xfbot.Member{OpenID: by.OpenID, Name: by.Name, Role: role, Unit: unit}, when, xfbot.DateOf(when, req.Loc), text, xfbot.Date{}); err == nil {
				hist = append(hist, xfbot.SupervisionEvent{At: when, By: by, Action: act.Label(), Text: text})
			}
		}
		var counts []xfbot.SupervisionCounter
		if d.status != xfbot.SupIssued {
			step(xfbot.ActRectify, liaison, xfbot.RoleLiaison, d.unit, "", 1)
		}
		if d.returns > 0 {
			step(xfbot.ActSubmit, liaison, xfbot.RoleLiaison, d.unit, "已约谈医院负责人", 3)
			step(xfbot.ActReturn, other, xfbot.RoleMember, "", "未附答复意见书，请补充", 4)
			counts = append(counts, xfbot.SupCountReturned)
		}
		if d.status == xfbot.SupSubmitted || d.status == xfbot.SupVerified || d.status == xfbot.SupClosed {
			step(xfbot.ActSubmit, liaison, xfbot.RoleLiaison, d.unit, d.evidence, 5)
		}
		if d.status == xfbot.SupVerified || d.status == xfbot.SupClosed {
			step(xfbot.ActVerify, other, xfbot.RoleMember, "", "材料齐全，整改到位", 6)
			if it.OnTime() {
				counts = append(counts, xfbot.SupCountOnTime)
			} else {
				counts = append(counts, xfbot.SupCountLate)
			}
		}
		if d.status == xfbot.SupClosed {
			step(xfbot.ActClose, lead, xfbot.RoleAdmin, "", "", 7)
			counts = append(counts, xfbot.SupCountClosed)
		}
		tx := h.Store.NewTx()
		tx.CreateSupervision(it, opened.Year)
		for _, e := range hist {
			tx.AddSupervisionEvent(it.ID, e)
		}
		for _, c := range counts {
			tx.CountSupervision(c, it, today)
		}
		if _, err := h.Store.Commit(ctx, tx); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}
