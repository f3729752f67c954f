package handlers

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/bot"
	"github.com/qingchuan/xfbot/store"
)

// create registers a case: 新建 <标题> [字段:值 ...].
// preloadPetitioner reads 新建's petitioner from its words, so that the
// repeat-petition lookup is read with the request (store.LoadSpec): the
// words as typed; when the handler parses them otherwise (an alias of a
// 属地, a phone written with spaces), it searches again itself.
func preloadPetitioner(req *bot.Request, spec *store.LoadSpec) {
	_, f, err := parseFields(req.Args.Words)
	if err != nil {
		return
	}
	p := &xfbot.Petitioner{Name: f["信访人"], Phone: f["电话"], IDCard: f["身份证"]}
	if *p != (xfbot.Petitioner{}) {
		spec.Petitioner, spec.PetitionerArea = p, f["属地"]
	}
}

func (h *Handlers) create(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	// 待受理: received, not yet accepted (its 15-day 受理告知 clock runs);
	// without it a registered case is accepted, as most reach the task force.
	var words []string
	pending := false
	for i, w := range req.Args.Words {
		if i > 0 && (w == "待受理" || w == "未受理") {
			pending = true
			continue
		}
		words = append(words, w)
	}
	title, f, err := parseFields(words)
	if err != nil {
		return nil, err
	}
	if req.Group {
		_, phone := f["电话"]
		_, id := f["身份证"]
		if phone || id || xfbot.ContainsPersonalData(title) {
			// Everyone in the group has already read the message; what the
			// bot can do is not keep it and say where to send it.
			return nil, xfbot.Errorf(xfbot.EFORBIDDEN, "群聊里所有人都能看到这条消息，信访人的电话、身份证号请在与机器人的私聊中登记；本条未登记，建议撤回这条群消息。")
		}
	}
	title = xfbot.CleanText(title)
	if title == "" {
		return nil, xfbot.Errorf(xfbot.EINVALID, "缺少标题：请用一句话概括事项，写在“新建”后面。")
	}
	if n := xfbot.RuneLen(title); n > xfbot.MaxTitleRunes {
		return nil, xfbot.Errorf(xfbot.EINVALID, "标题太长（%d 字），请控制在 %d 字以内，详细情况可以用“进展”记录。", n, xfbot.MaxTitleRunes)
	}
	today := req.Today()
	c := &xfbot.Case{
		Title: title, Category: "other", Status: xfbot.StatusHandling, AcceptedOn: today,
		CreatedBy: req.Actor(), CreatedAt: req.Time, UpdatedAt: req.Time,
	}
	// 类别, 属地 and 单位 resolve through the registry (名录): a name that fits
	// no record is refused with suggestions, never stored as a new spelling.
	if reg, err := h.registry(ctx, req); err != nil {
		return nil, err
	} else {
		for _, fl := range []struct {
			key  string
			kind xfbot.RegKind
			dst  *string
		}{{"类别", xfbot.RegCategory, (*string)(&c.Category)}, {"属地", xfbot.RegArea, &c.Area}, {"单位", xfbot.RegUnit, &c.Unit}} {
			if v, ok := f[fl.key]; ok {
				if *fl.dst, err = reg.Check(fl.kind, v); err != nil {
					return nil, err
				}
			}
		}
	}
	if v, ok := f["信访人"]; ok {
		if c.Petitioner.Name, err = parseName(v, "信访人姓名"); err != nil {
			return nil, err
		}
	}
	if v, ok := f["电话"]; ok {
		if c.Petitioner.Phone, err = parsePhone(v); err != nil {
			return nil, err
		}
	}
	if v, ok := f["身份证"]; ok {
		if c.Petitioner.IDCard, err = xfbot.ParseIDCard(v); err != nil {
			return nil, err
		}
		if born, ok := birthDate(c.Petitioner.IDCard); ok && born.After(today) {
			return nil, xfbot.Errorf(xfbot.EINVALID, "身份证号（尾号 %s）的出生日期 %s 在今天之后，请核对后重写。", c.Petitioner.IDCard[len(c.Petitioner.IDCard)-4:], born)
		}
	}
	if v, ok := f["性质"]; ok {
		switch strings.TrimSuffix(v, "类") {
		case "检举控告", "检举", "控告":
			c.Accusation = true
		case "申诉求决", "建议意见", "求决", "建议":
		default:
			return nil, xfbot.Errorf(xfbot.EINVALID, "性质“%s”不认识，可选：申诉求决、建议意见、检举控告。", xfbot.Echo(v, 10))
		}
	}
	if v, ok := f["受理"]; ok {
		r, err := xfbot.ParseDay(v, today, h.Calendar, xfbot.Past)
		if err != nil {
			return nil, err
		}
		c.AcceptedOn = r.Date
	}
	if v, ok := f["期限"]; ok {
		// The deadline an old case already has (from the paper ledger): within
		// the statutory limit from its 受理 date, counted from that date.
		r, err := xfbot.ParseDay(v, today, h.Calendar, xfbot.Anytime)
		if err != nil {
			return nil, err
		}
		d := r.Date
		if d, _, err = c.CheckDue(d, false, h.Calendar, today); err != nil {
			return nil, err
		}
		c.DueOverride, c.DueSetOn, c.DueReason = d, c.AcceptedOn, "登记时的既有期限"
	}
	if v, ok := f["收到"]; ok || pending {
		if _, accepted := f["受理"]; accepted {
			return nil, xfbot.Errorf(xfbot.EINVALID, "“待受理”或“收到:”的案件还没有受理，不能同时写“受理:”。受理后请发送“受理 <案件号> [日期]”。")
		}
		c.Proc.Stage, c.Proc.ReceivedOn, c.AcceptedOn = xfbot.StageRegistered, today, xfbot.Date{}
		if ok {
			r, err := xfbot.ParseDay(v, today, h.Calendar, xfbot.Past)
			if err != nil {
				return nil, err
			}
			c.Proc.ReceivedOn = r.Date
		}
		if _, due := f["期限"]; due {
			return nil, xfbot.Errorf(xfbot.EINVALID, "待受理的案件受理后才有办结期限，请先不写“期限:”。")
		}
	}
	var at *xfbot.Reception
	if v, ok := f["接访"]; ok {
		if at, err = h.receptionForCase(ctx, req, v, today); err != nil {
			return nil, err
		}
		c.Leader = at.Leader // 包案领导: the leader who received the petitioner
	}
	c.Due = c.StageDue(h.Calendar, req.Today())
	if req.Member.Role == xfbot.RoleLiaison && c.Unit == "" && c.Area == "" {
		c.Unit = req.Member.Unit // a liaison registers for the own unit, and must see it afterwards
	}
	if !req.Member.CanSee(c) {
		return nil, xfbot.Errorf(xfbot.EFORBIDDEN, "联络员只能登记本单位（%s）的案件。", req.Member.Unit)
	}

	rep, err := h.repeats(ctx, req, c) // 重复信访: before the write, which carries the links and the tag (search.go)
	if err != nil {
		return nil, err
	}
	tx := h.Store.NewTx()
	tx.CreateCase(c, req.Time.In(req.Loc).Year())
	tx.Link(store.NoPlaceholder, rep.link)
	if at != nil {
		tx.LinkReceptionCase(at.ID, store.NoPlaceholder, req.Time)
		tx.AddChanges(store.NoPlaceholder, change(req, "接访", "", string(at.ID)+" "+at.Leader.Display()+" "+at.Date.String()))
	}
	// The registration itself is in the case (CreatedBy, CreatedAt); 历史
	// shows it first without storing it twice.
	msg := "✅ 已登记，案件号 " + store.NoPlaceholder + rep.note + privacyNote(req, title)
	reply := h.caseReply(req, c, nil, msg, tx)
	reply.Text = "已登记 " + store.NoPlaceholder + rep.note + privacyNote(req, title)
	reply.Notices = h.groupNotice(req, c, nil, "新登记案件")
	return reply, nil
}

// show shows a case: 查看 <案件号>.
func (h *Handlers) show(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	if err := extraWords(req, 1); err != nil {
		return nil, err
	}
	return &bot.Reply{Card: bot.CaseCard(req.Case, req.Recent, h.view(req))}, nil
}

// addEntry records a timeline entry: 进展 and 下访.
func (h *Handlers) addEntry(kind xfbot.ProgressKind, example string) bot.HandlerFunc {
	return func(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
		text, err := needText(req.Args.Rest(1), kind.Label()+"内容", example)
		if err != nil {
			return nil, err
		}
		return h.recordEntry(req, kind, text)
	}
}

func (h *Handlers) recordEntry(req *bot.Request, kind xfbot.ProgressKind, text string) (*bot.Reply, error) {
	if err := notOpen(req.Case, "记录"+kind.Label()); err != nil {
		return nil, err
	}
	_, c, tx := h.update(req)
	c.LastProgressAt = req.Time
	if kind == xfbot.KindVisit {
		c.LastContactAt = req.Time
	}
	recent := entry(req, c, tx, kind, text)
	tx.UpdateCase(req.Case, c)
	return h.caseReply(req, c, recent, "✅ 已记录"+kind.Label()+privacyNote(req, text), tx), nil
}

// assign sets the owner (包案人) or the watching leader (包案领导).
func (h *Handlers) assign(leader bool) bot.HandlerFunc {
	return func(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
		who := "包案人"
		if leader {
			who = "包案领导"
		}
		p, err := oneMention(req, who)
		if err != nil {
			return nil, err
		}
		if err := extraWords(req, 1); err != nil {
			return nil, err
		}
		if err := notOpen(req.Case, "更换"+who); err != nil {
			return nil, err
		}
		m, err := h.memberOf(ctx, req, p.OpenID)
		if err != nil {
			return nil, err
		}
		if m == nil && leader && slices.Contains(h.mux.Leaders(), p.OpenID) {
			m = &xfbot.Member{OpenID: p.OpenID, Name: p.Name, Role: xfbot.RoleLeader} // listed in XFBOT_LEADERS
		}
		switch {
		case m == nil:
			return nil, xfbot.Errorf(xfbot.EINVALID, "%s 还不是成员，请管理员先发送“成员 添加 @%s %s”。", p.Display(), p.Display(), map[bool]string{true: "领导", false: "专班成员"}[leader])
		case leader && m.Role != xfbot.RoleLeader:
			return nil, xfbot.Errorf(xfbot.EINVALID, "%s 的角色是%s，包案领导须是区领导（角色：领导）。", p.Display(), m.Role.Label())
		case !leader && !m.CanWrite():
			return nil, xfbot.Errorf(xfbot.EINVALID, "%s 的角色是%s，不能包案。", p.Display(), m.Role.Label())
		}
		if m.Name != "" {
			p.Name = m.Name
		}
		old, c, tx := h.update(req)
		before := old.Owner
		if leader {
			before, c.Leader = old.Leader, p
		} else {
			c.Owner = p
		}
		if before.OpenID == p.OpenID {
			return nil, xfbot.Errorf(xfbot.EINVALID, "%s 已经是 %s 的%s。", p.Display(), c.No, who)
		}
		tx.UpdateCase(old, c)
		tx.AddChanges(c.No, change(req, who, before.Display(), p.Display()))
		reply := h.caseReply(req, c, req.Recent, "✅ "+who+"："+p.Display(), tx)
		if p.OpenID != req.Sender.OpenID {
			v := bot.View{Audience: m.Audience(), Today: req.Today(), Thresholds: h.Thresholds, Loc: req.Loc}
			card := bot.CaseCard(c, req.Recent, v)
			card.Subtitle = fmt.Sprintf("%s 指定您为%s", req.Actor().Display(), who)
			reply.Notices = append(reply.Notices, bot.Notice{OpenID: p.OpenID, Card: card})
		}
		return reply, nil
	}
}

// claim is 我来包案: the clicker becomes the owner.
func (h *Handlers) claim(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	if err := notOpen(req.Case, "包案"); err != nil {
		return nil, err
	}
	if !req.Case.Owner.IsZero() {
		if req.Case.Owner.OpenID == req.Sender.OpenID {
			return nil, xfbot.Errorf(xfbot.EINVALID, "您已经是 %s 的包案人。", req.Case.No)
		}
		return nil, xfbot.Errorf(xfbot.ECONFLICT, "%s 已由 %s 包案。", req.Case.No, req.Case.Owner.Display())
	}
	old, c, tx := h.update(req)
	c.Owner = req.Actor()
	tx.UpdateCase(old, c)
	tx.AddChanges(c.No, change(req, "包案人", "", c.Owner.Display()))
	return h.caseReply(req, c, req.Recent, "✅ 您已包案", tx), nil
}

// setPlace sets 主责单位 (unit) or 属地 (area).
func (h *Handlers) setPlace(area bool) bot.HandlerFunc {
	return func(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
		label := "主责单位"
		if area {
			label = "属地"
		}
		kind := xfbot.RegUnit
		if area {
			kind = xfbot.RegArea
		}
		if _, err := parseName(req.Args.Rest(1), label); err != nil {
			return nil, err
		}
		v, err := h.resolveName(ctx, req, kind, req.Args.Rest(1))
		if err != nil {
			return nil, err
		}
		if err := notOpen(req.Case, "修改"+label); err != nil {
			return nil, err
		}
		old, c, tx := h.update(req)
		before := old.Unit
		if area {
			before, c.Area = old.Area, v
		} else {
			c.Unit = v
		}
		if before == v {
			return nil, xfbot.Errorf(xfbot.EINVALID, "%s 的%s已经是“%s”。", c.No, label, v)
		}
		if !req.Member.CanSee(c) {
			return nil, xfbot.Errorf(xfbot.EFORBIDDEN, "改成“%s”后案件将不属于您的单位，请由专班成员修改。", v)
		}
		tx.UpdateCase(old, c)
		tx.AddChanges(c.No, change(req, label, before, v))
		return h.caseReply(req, c, req.Recent, "✅ "+label+"："+v, tx), nil
	}
}

// screen records the screening: 甄别 <案件号> 合理|部分合理|无理|过度 [困难].
func (h *Handlers) screen(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	s, ok := xfbot.ParseScreening(req.Args.Word(1))
	if !ok {
		return nil, xfbot.Errorf(xfbot.EINVALID, "甄别结果应为 合理、部分合理、无理 或 过度，您写的是“%s”。", xfbot.Echo(req.Args.Word(1), 10))
	}
	hard := false
	switch w := req.Args.Word(2); w {
	case "":
	case "困难", "困难诉求", "hardship":
		hard = true
	default:
		return nil, xfbot.Errorf(xfbot.EINVALID, "甄别结果后只能再写“困难”（困难诉求），您写的是“%s”。", xfbot.Echo(w, 10))
	}
	if err := extraWords(req, 3); err != nil {
		return nil, err
	}
	if err := notOpen(req.Case, "甄别"); err != nil {
		return nil, err
	}
	old, c, tx := h.update(req)
	c.Screening, c.Hardship = s, hard
	label := func(x *xfbot.Case) string {
		if x.Hardship {
			return x.Screening.Label() + "（困难）"
		}
		return x.Screening.Label()
	}
	tx.UpdateCase(old, c)
	tx.AddChanges(c.No, change(req, "甄别", label(old), label(c)))
	return h.caseReply(req, c, req.Recent, "✅ 甄别："+label(c), tx), nil
}

// transition moves a case along the ledger: 化解, 稳控, 销号, 重开.
func (h *Handlers) transition(to xfbot.Status) bot.HandlerFunc {
	return func(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
		c0 := req.Case
		text := xfbot.CleanText(req.Args.Rest(1))
		var err error
		switch to {
		case xfbot.StatusResolved:
			if text, err = needText(text, "化解结果", "化解 XF-2026-0012 已签订息诉罢访协议，补偿款已到位"); err != nil {
				return nil, err
			}
			if err := notOpen(c0, "化解"); err != nil {
				return nil, err
			}
		case xfbot.StatusMonitoring:
			if c0.Status == xfbot.StatusMonitoring {
				return nil, xfbot.Errorf(xfbot.EINVALID, "%s 已在稳控中。", c0.No)
			}
			if err := notOpen(c0, "转稳控"); err != nil {
				return nil, err
			}
		case xfbot.StatusClosed:
			if c0.Status == xfbot.StatusClosed {
				return nil, xfbot.Errorf(xfbot.EINVALID, "%s 已经销号。", c0.No)
			}
			if c0.Status != xfbot.StatusResolved {
				return nil, xfbot.Errorf(xfbot.EINVALID, "%s 还是“%s”，只有已化解的案件才能销号。请先发送“化解 %s <结果>”。", c0.No, c0.Status.Label(), c0.No)
			}
			if why := h.closeRefusal(c0); why != "" && text == "" {
				return nil, xfbot.Errorf(xfbot.EINVALID, "%s", why)
			}
			if text != "" {
				if text, err = needText(text, "提前销号的理由", "销号 XF-2026-0012 信访人已书面息诉罢访"); err != nil {
					return nil, err
				}
			}
		case xfbot.StatusHandling:
			if c0.Status == xfbot.StatusHandling {
				return nil, xfbot.Errorf(xfbot.EINVALID, "%s 正在办理中，不需要重开。", c0.No)
			}
			if text, err = needText(text, "重开理由", "重开 XF-2026-0012 信访人以新的事实再次反映"); err != nil {
				return nil, err
			}
		}
		old, c, tx := h.update(req)
		c.Status = to
		today := req.Today()
		var line string
		switch to {
		case xfbot.StatusResolved:
			c.Result, c.ResolvedOn = text, today
			c.ExtensionRequest = nil // moot once resolved
			line = "化解：" + text
			tx.EndEscalation(c.No)
		case xfbot.StatusMonitoring:
			line = "转入稳控"
			if text != "" {
				line += "：" + text
			}
		case xfbot.StatusClosed:
			c.ClosedOn = today
			line = "台账销号"
			if h.closeRefusal(old) != "" {
				line = "提前销号（观察期未满或未回访）：" + text
			}
		case xfbot.StatusHandling:
			c.ResolvedOn, c.ClosedOn, c.FollowedUpOn = xfbot.Date{}, xfbot.Date{}, xfbot.Date{}
			line = "重开：" + text
			tx.RestartReminders(c.No, c.Due) // reminded again; the ladder starts over
		}
		kind := xfbot.KindSystem
		if to == xfbot.StatusResolved {
			kind = xfbot.KindResolve
		}
		c.LastProgressAt = req.Time
		recent := entry(req, c, tx, kind, line)
		tx.UpdateCase(old, c)
		tx.AddChanges(c.No, change(req, "状态", old.Status.Label(), c.Status.Label()))
		msg := "✅ " + c.Status.Label() + privacyNote(req, text)
		if to == xfbot.StatusHandling {
			msg = "✅ 已重开，继续办理"
			if today.After(c.Due) {
				msg += "；原期限已过，请用“期限”设定新期限"
			}
		}
		reply := h.caseReply(req, c, recent, msg, tx)
		if to == xfbot.StatusResolved || to == xfbot.StatusClosed {
			reply.Notices = h.groupNotice(req, c, recent, msg)
		}
		return reply, nil
	}
}

// history lists every change of a case and its whole timeline.
func (h *Handlers) history(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	if err := extraWords(req, 1); err != nil {
		return nil, err
	}
	changes, progs, err := h.Store.History(ctx, req.Case.No)
	if err != nil {
		return nil, err
	}
	var b strings.Builder
	c := req.Case
	v := h.view(req) // before → after and entries are free text: masked for the reader
	fmt.Fprintf(&b, "• %s %s 登记：%s\n", c.CreatedAt.In(req.Loc).Format("2006-01-02 15:04"), c.CreatedBy.Display(), v.Title(c))
	for _, ch := range changes {
		fmt.Fprintf(&b, "• %s %s %s", ch.At.In(req.Loc).Format("2006-01-02 15:04"), ch.By.Display(), ch.Action)
		if ch.Field != "" && ch.Field != ch.Action {
			fmt.Fprintf(&b, "·%s", ch.Field)
		}
		if ch.Before != "" || ch.After != "" {
			fmt.Fprintf(&b, "：%s → %s", orDash(v.Text(c, ch.Before)), orDash(v.Text(c, ch.After)))
		}
		b.WriteString("\n")
	}
	card := &bot.Card{Title: string(req.Case.No) + " · 变更历史", Color: "blue",
		Subtitle: fmt.Sprintf("登记后 %d 项变更，%d 条进展", len(changes), len(progs))}
	card.Sections = append(card.Sections, "**变更记录**\n"+bot.Escape(strings.TrimSpace(b.String())))
	if len(progs) > 0 {
		b.Reset()
		for _, p := range progs {
			fmt.Fprintf(&b, "• %s %s（%s）：%s\n", p.At.In(req.Loc).Format("2006-01-02 15:04"), p.Author.Display(), p.Kind.Label(), v.Text(c, p.Text))
		}
		card.Sections = append(card.Sections, "**进展记录**\n"+bot.Escape(strings.TrimSpace(b.String())))
	}
	return &bot.Reply{Card: card}, nil
}

func orDash(s string) string {
	if s == "" {
		return "（空）"
	}
	return s
}
