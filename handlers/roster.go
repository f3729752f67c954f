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

// The roster (issue 11, petition-domain §3.8): leave with a stand-in, the
// secondment's dates, the 督查专员 flag, and the two ways out of the task
// force, 召回 (recall, with a record the 组织部 keeps) and 期满 (the end
// of the secondment, without blame). Both are refused until every open
// case, plan measure and 督查单 of the member has a new owner, which
// 成员 移交 gives in one step.
//
// A member who left keeps the record (name, unit, dates, how they left)
// and the history of their cases; their role becomes none (FormerRole
// keeps it): they can no longer use the bot, be assigned a case or stand
// in for anyone. 成员 添加 brings them back as a new secondment.

// rosterArgs are a roster command's words: the people @-mentioned, in
// order, the one written after 代理: apart, and the other words.
type rosterArgs struct {
	people  []xfbot.Person
	standIn *xfbot.Person
	marked  bool // 代理: was written
	words   []string
}

func parseRosterArgs(req *bot.Request) rosterArgs {
	var a rosterArgs
	next, standIn := 0, false
	for _, w := range req.Args.Words {
		for _, p := range []string{"代理:", "代理：", "代理人:", "代理人：", "代理人", "代理"} {
			if strings.HasPrefix(w, p) {
				w, standIn, a.marked = strings.TrimPrefix(w, p), true, true
				break
			}
		}
		switch {
		case w == "":
			continue
		case strings.HasPrefix(w, "@"):
			if next < len(req.Mentions) {
				p := req.Mentions[next]
				if standIn && a.standIn == nil {
					a.standIn = &p
				} else {
					a.people = append(a.people, p)
				}
			}
			next++
		default:
			a.words = append(a.words, w)
		}
		standIn = false
	}
	for ; next < len(req.Mentions); next++ { // mentions the text did not show
		a.people = append(a.people, req.Mentions[next])
	}
	return a
}

// rosterMember reads p's member record and refuses a person who is no
// member, or who has left the task force, for what (请假, 借调 …).
func (h *Handlers) rosterMember(ctx context.Context, req *bot.Request, p xfbot.Person, what string) (*xfbot.Member, error) {
	m, err := h.memberOf(ctx, req, p.OpenID)
	if err != nil {
		return nil, err
	}
	switch {
	case m != nil && m.Gone():
		return nil, xfbot.Errorf(xfbot.EINVALID, "%s %s（%s），不在专班，不能%s。如重新抽调，请先发送“成员 添加 @%s 专班成员”。",
			p.Display(), m.Out.Label(), m.Left, what, p.Display())
	case m == nil || !m.IsMember():
		return nil, xfbot.Errorf(xfbot.ENOTFOUND, "%s 不是成员，不能%s。", p.Display(), what)
	}
	if m.Name == "" {
		m.Name = p.Name
	}
	return m, nil
}

// spanOf reads <开始>至<结束> (also 到, ~, 或分开写成 “3月18日 至 3月20日”)
// or a single day from the start of words, and returns the other words.
func spanOf(words []string, today xfbot.Date, cal *xfbot.Calendar, what, example string) (from, to xfbot.Date, single bool, rest []string, err error) {
	if len(words) == 0 {
		return from, to, false, nil, xfbot.Errorf(xfbot.EINVALID, "缺少%s，例如：%s", what, example)
	}
	seps := []string{"至", "到", "~", "～", "—"}
	a, b, cut := words[0], "", false
	rest = words[1:]
	for _, sep := range seps {
		if x, y, ok := strings.Cut(words[0], sep); ok {
			a, b, cut = x, y, true
			break
		}
	}
	switch {
	case cut && b == "": // 3月18日至 3月20日
		if len(rest) == 0 {
			return from, to, false, nil, xfbot.Errorf(xfbot.EINVALID, "“至”后面缺少结束日期，例如：%s", example)
		}
		b, rest = rest[0], rest[1:]
	case !cut && len(rest) > 0 && slices.Contains(seps, rest[0]): // 3月18日 至 3月20日
		if len(rest) < 2 {
			return from, to, false, nil, xfbot.Errorf(xfbot.EINVALID, "“至”后面缺少结束日期，例如：%s", example)
		}
		b, rest = rest[1], rest[2:]
	case !cut && len(rest) > 0: // 3月18日 至3月20日
		for _, sep := range seps {
			if y, ok := strings.CutPrefix(rest[0], sep); ok {
				b, rest = y, rest[1:]
				break
			}
		}
	}
	if a == "" {
		return from, to, false, nil, xfbot.Errorf(xfbot.EINVALID, "缺少开始日期，例如：%s", example)
	}
	r, err := xfbot.ParseDay(a, today, cal, xfbot.Anytime)
	if err != nil {
		return from, to, false, nil, err
	}
	from = r.Date
	if b == "" {
		return from, from, true, rest, nil
	}
	if r, err = xfbot.ParseDay(b, today, cal, xfbot.Anytime); err != nil {
		return from, to, false, nil, err
	}
	if r.Date.Before(from) {
		return from, to, false, nil, xfbot.Errorf(xfbot.EINVALID, "结束日期 %s 早于开始日期 %s，请检查。例如：%s", r.Date, from, example)
	}
	return from, r.Date, false, rest, nil
}

// self is the person a roster command is about: the one @-mentioned, else
// the sender; a member acts for themself, an admin for anyone.
func self(req *bot.Request, a rosterArgs, what, example string) (xfbot.Person, error) {
	switch len(a.people) {
	case 0:
		return req.Actor(), nil
	case 1:
		p := a.people[0]
		if p.OpenID != req.Sender.OpenID && !req.Member.CanManage() {
			return p, xfbot.Errorf(xfbot.EFORBIDDEN, "只有专班管理员可以为他人办理%s；为自己办理请写：%s", what, example)
		}
		return p, nil
	}
	return xfbot.Person{}, xfbot.Errorf(xfbot.EINVALID, "一次只能为一位成员办理%s，您 @ 了 %d 位。", what, len(a.people))
}

const leaveExample = "成员 请假 @赵建 3月18日至3月20日 代理:@钱秀兰 参加培训"

// memberLeave: 成员 请假 [@人] <开始>至<结束> 代理:@人 [事由]. An admin
// for anyone, a member for themself. Meanwhile the member's reminders go
// to the stand-in (xfbot.StandIn); after the last day they are 在岗 again
// by the dates alone.
func (h *Handlers) memberLeave(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	a := parseRosterArgs(req)
	p, err := self(req, a, "请假", "成员 请假 3月18日至3月20日 代理:@钱秀兰")
	if err != nil {
		return nil, err
	}
	if a.standIn == nil {
		if a.marked {
			return nil, xfbot.Errorf(xfbot.EINVALID, "“代理:”后面请 @ 代理人，例如：%s", leaveExample)
		}
		return nil, xfbot.Errorf(xfbot.EINVALID, "请写明代理人（代理:@人）：请假期间的办理提醒发给代理人。例如：%s", leaveExample)
	}
	today := req.Today()
	from, to, _, rest, err := spanOf(a.words, today, h.Calendar, "请假日期", leaveExample)
	if err != nil {
		return nil, err
	}
	if to.Before(today) {
		return nil, xfbot.Errorf(xfbot.EINVALID, "请假到 %s 结束，已经过去了；请写今天或以后结束的请假。", to)
	}
	reason := xfbot.CleanText(strings.Join(rest, " "))
	if n := xfbot.RuneLen(reason); n > xfbot.MaxFieldRunes {
		return nil, xfbot.Errorf(xfbot.EINVALID, "请假事由太长（%d 字），请控制在 %d 字以内。", n, xfbot.MaxFieldRunes)
	}
	m, err := h.rosterMember(ctx, req, p, "请假")
	if err != nil {
		return nil, err
	}
	sp := *a.standIn
	if sp.OpenID == p.OpenID {
		return nil, xfbot.Errorf(xfbot.EINVALID, "代理人不能是请假的本人，请 @ 另一位在岗的专班成员。")
	}
	s, err := h.memberOf(ctx, req, sp.OpenID)
	if err != nil {
		return nil, err
	}
	switch {
	case s == nil || !s.IsMember():
		return nil, xfbot.Errorf(xfbot.EINVALID, "代理人 %s 不是成员，请 @ 一位在岗的专班成员。", sp.Display())
	case !s.CanTakeOver():
		return nil, xfbot.Errorf(xfbot.EINVALID, "代理人须是在岗的专班成员或管理员，%s 的角色是%s。", sp.Display(), s.Role.Label())
	case !s.Leave.IsZero() && !s.Leave.To.Before(from) && !s.Leave.From.After(to):
		return nil, xfbot.Errorf(xfbot.EINVALID, "代理人 %s 在 %s 也请假，请另选代理人。", sp.Display(), s.Leave.Span())
	}
	if s.Name != "" {
		sp.Name = s.Name
	}
	up := *m
	up.Leave = xfbot.Leave{From: from, To: to, StandIn: sp, Reason: reason}
	if up.Equal(*m) {
		return nil, xfbot.Errorf(xfbot.EINVALID, "%s 的这次请假已经登记过了。", m.Person().Display())
	}
	tx := h.Store.NewTx()
	tx.UpdateMember(m, up)
	tx.Audit(store.AuditEntry{At: req.Time, By: req.Actor(), Action: "成员请假", Entity: "member:" + p.OpenID,
		Before: leaveText(m.Leave), After: leaveText(up.Leave), Via: req.Via})
	name := m.Person().Display()
	msg := fmt.Sprintf("✅ 已登记 %s 请假 %s（%d 天），代理人 %s：其间 %s 的办理提醒发给 %s；%s 起自动恢复在岗。",
		name, up.Leave.Span(), to.Sub(from)+1, sp.Display(), name, sp.Display(), to.AddDays(1))
	if !m.Leave.IsZero() && !m.Leave.To.Before(today) {
		msg += "\n原登记的请假 " + m.Leave.Span() + " 已由这次取代。"
	}
	reply := &bot.Reply{Text: msg, Tx: tx}
	if sp.OpenID != req.Sender.OpenID {
		reply.Notices = append(reply.Notices, bot.Notice{OpenID: sp.OpenID,
			Text: fmt.Sprintf("%s 登记：%s 于 %s 请假，由您代理。其间 %s 的办理提醒会发给您。", req.Actor().Display(), name, up.Leave.Span(), name)})
	}
	return reply, nil
}

func leaveText(l xfbot.Leave) string {
	if l.IsZero() {
		return ""
	}
	return l.Span() + " 代理:" + l.StandIn.Display()
}

// memberBack: 成员 销假 [@人]: the leave ends today (or, not begun, is
// cancelled); the member is 在岗 at once.
func (h *Handlers) memberBack(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	a := parseRosterArgs(req)
	p, err := self(req, a, "销假", "成员 销假")
	if err != nil {
		return nil, err
	}
	if len(a.words) > 0 || a.standIn != nil {
		return nil, xfbot.Errorf(xfbot.EINVALID, "多了参数“%s”：销假只需 @ 本人（为自己销假可不写）。", xfbot.Echo(strings.Join(a.words, " "), 20))
	}
	m, err := h.rosterMember(ctx, req, p, "销假")
	if err != nil {
		return nil, err
	}
	today := req.Today()
	name := m.Person().Display()
	if m.Leave.IsZero() || m.Leave.To.Before(today) {
		return nil, xfbot.Errorf(xfbot.EINVALID, "%s 没有未结束的请假，当前%s。", name, m.StatusOn(today).Label())
	}
	up := *m
	up.Leave = xfbot.Leave{}
	tx := h.Store.NewTx()
	tx.UpdateMember(m, up)
	tx.Audit(store.AuditEntry{At: req.Time, By: req.Actor(), Action: "成员销假", Entity: "member:" + p.OpenID,
		Before: leaveText(m.Leave), Via: req.Via})
	msg := fmt.Sprintf("✅ %s 已销假，今天起在岗；办理提醒不再转给代理人 %s。", name, m.Leave.StandIn.Display())
	if m.Leave.From.After(today) {
		msg = fmt.Sprintf("✅ 已取消 %s 的请假（%s）。", name, m.Leave.Span())
	}
	reply := &bot.Reply{Text: msg, Tx: tx}
	if sp := m.Leave.StandIn; sp.OpenID != "" && sp.OpenID != req.Sender.OpenID {
		reply.Notices = []bot.Notice{{OpenID: sp.OpenID, Text: fmt.Sprintf("%s 已销假（原请假 %s），您不再代理其办理提醒。", name, m.Leave.Span())}}
	}
	return reply, nil
}

const termExample = "成员 借调 @赵建 2026-03-01至2026-08-31"

// memberTerm: 成员 借调 @人 <加入日期> [至<计划结束日期>] (admins).
func (h *Handlers) memberTerm(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	a := parseRosterArgs(req)
	p, err := onePerson(a, "借调的成员", termExample)
	if err != nil {
		return nil, err
	}
	today := req.Today()
	joined, end, single, rest, err := spanOf(a.words, today, h.Calendar, "加入日期", termExample)
	if err != nil {
		return nil, err
	}
	if len(rest) > 0 {
		return nil, xfbot.Errorf(xfbot.EINVALID, "多了参数“%s”。", xfbot.Echo(strings.Join(rest, " "), 20))
	}
	if single {
		end = xfbot.Date{}
	} else if end.Before(today) {
		return nil, xfbot.Errorf(xfbot.EINVALID, "计划结束日期 %s 已过。借调已期满的，请先移交再发送“成员 期满 @%s”。", end, p.Display())
	}
	m, err := h.rosterMember(ctx, req, p, "登记借调")
	if err != nil {
		return nil, err
	}
	up := *m
	up.Joined, up.PlannedEnd = joined, end
	if up.Equal(*m) {
		return nil, xfbot.Errorf(xfbot.EINVALID, "%s 的借调日期已经是这样登记的。", m.Person().Display())
	}
	tx := h.Store.NewTx()
	tx.UpdateMember(m, up)
	tx.Audit(store.AuditEntry{At: req.Time, By: req.Actor(), Action: "成员借调", Entity: "member:" + p.OpenID,
		Before: termText(*m), After: termText(up), Via: req.Via})
	msg := fmt.Sprintf("✅ %s：%s。", m.Person().Display(), termText(up))
	if !end.IsZero() {
		msg += fmt.Sprintf("期满前 %d 个工作日提醒专班负责人。", xfbot.RosterNoticeWorkdays)
	}
	return &bot.Reply{Text: msg, Tx: tx}, nil
}

func termText(m xfbot.Member) string {
	switch {
	case m.Joined.IsZero() && m.PlannedEnd.IsZero():
		return ""
	case m.PlannedEnd.IsZero():
		return "借调 " + m.Joined.String() + " 起，未定结束日期"
	}
	return "借调 " + m.Joined.String() + " 起，计划 " + m.PlannedEnd.String() + " 期满"
}

// onePerson is the one person a roster command names.
func onePerson(a rosterArgs, who, example string) (xfbot.Person, error) {
	switch len(a.people) {
	case 0:
		return xfbot.Person{}, xfbot.Errorf(xfbot.EINVALID, "请 @ %s，例如：%s", who, example)
	case 1:
		return a.people[0], nil
	}
	return xfbot.Person{}, xfbot.Errorf(xfbot.EINVALID, "一次只能 @ 一位%s，您 @ 了 %d 位。", who, len(a.people))
}

// memberInspector: 成员 督查专员 @人 是|否 (admins): the 信访督查专员 flag
// of a seconded member.
func (h *Handlers) memberInspector(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	a := parseRosterArgs(req)
	p, err := onePerson(a, "成员", "成员 督查专员 @赵建 是")
	if err != nil {
		return nil, err
	}
	if len(a.words) != 1 {
		return nil, xfbot.Errorf(xfbot.EINVALID, "请写 是 或 否，例如：成员 督查专员 @赵建 是")
	}
	var on bool
	switch a.words[0] {
	case "是", "设为", "yes", "y", "on":
		on = true
	case "否", "取消", "no", "n", "off":
	default:
		return nil, xfbot.Errorf(xfbot.EINVALID, "“%s”看不懂：请写 是 或 否。", xfbot.Echo(a.words[0], 10))
	}
	m, err := h.rosterMember(ctx, req, p, "设为督查专员")
	if err != nil {
		return nil, err
	}
	name := m.Person().Display()
	if on && m.Role != xfbot.RoleMember && m.Role != xfbot.RoleAdmin {
		return nil, xfbot.Errorf(xfbot.EINVALID, "督查专员须是专班成员，%s 的角色是%s。", name, m.Role.Label())
	}
	if m.Inspector == on {
		return nil, xfbot.Errorf(xfbot.EINVALID, "%s %s督查专员。", name, map[bool]string{true: "已经是", false: "本来就不是"}[on])
	}
	up := *m
	up.Inspector = on
	tx := h.Store.NewTx()
	tx.UpdateMember(m, up)
	tx.Audit(store.AuditEntry{At: req.Time, By: req.Actor(), Action: "督查专员", Entity: "member:" + p.OpenID,
		Before: yesNo(m.Inspector), After: yesNo(on), Via: req.Via})
	if on {
		return &bot.Reply{Text: fmt.Sprintf("✅ %s 设为信访督查专员。", name), Tx: tx}, nil
	}
	return &bot.Reply{Text: fmt.Sprintf("✅ %s 不再是信访督查专员。", name), Tx: tx}, nil
}

func yesNo(b bool) string {
	if b {
		return "是"
	}
	return "否"
}

// holdings are the open things a member answers for: what 召回 and 期满
// wait on.
type holdings struct {
	cases       []*xfbot.Case
	measures    []string
	supervision []string
}

func (x holdings) empty() bool {
	return len(x.cases) == 0 && len(x.measures) == 0 && len(x.supervision) == 0
}

// ownedCases are openID's open cases as 包案人 (set:owner), by due day.
func (h *Handlers) ownedCases(ctx context.Context, openID string) ([]*xfbot.Case, error) {
	nos, err := h.Store.Range(ctx, store.Query{Index: store.IndexOwner(openID)})
	if err != nil {
		return nil, err
	}
	cs, err := h.Store.Cases(ctx, nos)
	if err != nil {
		return nil, err
	}
	out := cs[:0]
	for _, c := range cs {
		if c != nil && c.Status.Open() && c.Owner.OpenID == openID {
			out = append(out, c)
		}
	}
	return out, nil
}

func (h *Handlers) holdingsOf(ctx context.Context, openID string) (holdings, error) {
	var x holdings
	var err error
	if x.cases, err = h.ownedCases(ctx, openID); err != nil {
		return x, err
	}
	if x.measures, err = h.heldMeasures(ctx, openID); err != nil {
		return x, err
	}
	if x.supervision, err = h.heldSupervision(ctx, openID); err != nil {
		return x, err
	}
	return x, nil
}

// maxListed bounds the lines of each kind a refusal lists.
const maxListed = 20

// refuseHeld is the reply to 召回 or 期满 of a member who still answers
// for open work: what, and the one command that hands it over.
func (h *Handlers) refuseHeld(req *bot.Request, name, what string, x holdings) *bot.Reply {
	v := h.view(req)
	var b strings.Builder
	n := len(x.cases) + len(x.measures) + len(x.supervision)
	fmt.Fprintf(&b, "⛔ 暂不能%s %s：还有 %d 项工作没有新的负责人，须先全部移交。\n", what, name, n)
	list := func(title string, lines []string) {
		if len(lines) == 0 {
			return
		}
		fmt.Fprintf(&b, "%s（%d）：\n", title, len(lines))
		for i, l := range lines {
			if i == maxListed {
				fmt.Fprintf(&b, "  …另有 %d 项\n", len(lines)-maxListed)
				break
			}
			b.WriteString("  · " + l + "\n")
		}
	}
	var cs []string
	for _, c := range x.cases {
		cs = append(cs, fmt.Sprintf("%s %s", c.No, xfbot.Clip(v.Title(c), 20)))
	}
	list("包案案件", cs)
	list("方案措施", x.measures)
	list("督查单", x.supervision)
	fmt.Fprintf(&b, "一步移交全部：成员 移交 @%s @新负责人 全部\n", name)
	if len(x.cases) > 1 {
		fmt.Fprintf(&b, "分给不同的人：成员 移交 @%s @新负责人 %s …（只移交写明的案件）\n", name, x.cases[0].No)
	}
	fmt.Fprintf(&b, "移交完成后再发送本命令。")
	return &bot.Reply{Text: b.String()}
}

// leave takes m off the roster as out (召回 or 期满) on the request's
// day: the role goes (kept as FormerRole), the leave and the dates'
// reminders go, the record stays.
func leave(m *xfbot.Member, out xfbot.MemberStatus, today xfbot.Date) xfbot.Member {
	up := *m
	up.FormerRole, up.Role = m.Role, ""
	up.Out, up.Left = out, today
	up.Leave = xfbot.Leave{}
	return up
}

// leavable checks that p may leave the roster by an admin's decision: a
// member still on it, not the sender, not an admin by configuration.
func (h *Handlers) leavable(ctx context.Context, req *bot.Request, p xfbot.Person, what string) (*xfbot.Member, error) {
	if p.OpenID == req.Sender.OpenID {
		return nil, xfbot.Errorf(xfbot.EINVALID, "不能%s自己，请由另一位管理员办理。", what)
	}
	if slices.Contains(h.mux.Admins(), p.OpenID) {
		return nil, xfbot.Errorf(xfbot.EINVALID, "%s 是配置文件中的管理员（admins），请先从配置中移除后再%s。", p.Display(), what)
	}
	return h.rosterMember(ctx, req, p, what)
}

// standInsOf names the members whose leave has gone as their stand-in:
// their reminders come back to them once gone leaves.
func standInsOf(ms []xfbot.Member, gone string, today xfbot.Date) []string {
	var out []string
	for _, m := range ms {
		if m.Leave.StandIn.OpenID == gone && !m.Leave.To.Before(today) && !m.Gone() {
			out = append(out, m.Person().Display())
		}
	}
	return out
}

const recallExample = "成员 召回 @赵建 敷衍应付 多次未按期下访，包案进展长期不更新"

// memberRecall: 成员 召回 @人 <原因类别> <说明> (admins, private): refused
// until the member answers for nothing open; then the member leaves the
// roster, the recall record is kept and the 组织部 contact gets it by DM
// with 已记录.
func (h *Handlers) memberRecall(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	a := parseRosterArgs(req)
	p, err := onePerson(a, "要召回的成员", recallExample)
	if err != nil {
		return nil, err
	}
	if len(a.words) == 0 {
		return nil, xfbot.Errorf(xfbot.EINVALID, "缺少召回原因类别，可选：%s。", xfbot.RecallReasonLabels())
	}
	reason, ok := xfbot.ParseRecallReason(a.words[0])
	if !ok {
		return nil, xfbot.Errorf(xfbot.EINVALID, "召回原因类别“%s”不认识，可选：%s。", xfbot.Echo(a.words[0], 10), xfbot.RecallReasonLabels())
	}
	text, err := needText(strings.Join(a.words[1:], " "), "召回说明（具体情况，组织部记录用）", recallExample)
	if err != nil {
		return nil, err
	}
	m, err := h.leavable(ctx, req, p, "召回")
	if err != nil {
		return nil, err
	}
	name := m.Person().Display()
	x, err := h.holdingsOf(ctx, p.OpenID)
	if err != nil {
		return nil, err
	}
	if !x.empty() {
		return h.refuseHeld(req, name, "召回", x), nil
	}
	today := req.Today()
	up := leave(m, xfbot.Recalled, today)
	rec := xfbot.RecallRecord{ID: store.RecallID(p.OpenID, req.Time), Member: m.Person(), Unit: m.Unit, Role: m.Role, Joined: m.Joined,
		Reason: reason, Text: text, By: req.Actor(), At: req.Time}
	tx := h.Store.NewTx()
	tx.UpdateMember(m, up)
	tx.AddRecall(rec)
	// The audit log names the category only: the 说明 is in the record,
	// which the lead and the 组织部 read.
	tx.Audit(store.AuditEntry{At: req.Time, By: req.Actor(), Action: "成员召回", Entity: "member:" + p.OpenID,
		Before: m.Role.Label(), After: "已召回（" + reason.Label() + "）", Via: req.Via})
	v := h.view(req)
	card := bot.RecallCard("召回记录 · "+name, []xfbot.RecallRecord{rec}, false, v)
	msg := fmt.Sprintf("✅ 已召回 %s（%s），召回记录已保存。", name, reason.Label())
	if len(h.OrgContacts) == 0 {
		msg += "\n未配置组织部联络人（roster.org_contact），请将记录另行报组织部。"
	} else {
		msg += fmt.Sprintf("\n已私信组织部联络人（%d 人），待其确认“已记录”。", len(h.OrgContacts))
	}
	ms, err := h.members(ctx, req)
	if err != nil {
		return nil, err
	}
	if names := standInsOf(ms, p.OpenID, today); len(names) > 0 {
		msg += fmt.Sprintf("\n注意：%s 请假期间的代理人是 %s，其提醒将发回本人，请重新登记代理人。", strings.Join(names, "、"), name)
	}
	card.Subtitle = msg
	reply := &bot.Reply{Text: msg, Card: card, Tx: tx}
	for _, id := range h.OrgContacts {
		oc := bot.RecallCard("召回记录 · 请组织部记录", []xfbot.RecallRecord{rec}, true, v)
		oc.Subtitle = fmt.Sprintf("%s 决定召回 %s，请记录后点“已记录”。", req.Actor().Display(), name)
		reply.Notices = append(reply.Notices, bot.Notice{OpenID: id, Card: oc})
	}
	return reply, nil
}

// memberReturn: 成员 期满 @人 (admins): the end of the secondment
// (期满返回), without blame and without a recall record; the same
// hand-over first.
func (h *Handlers) memberReturn(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	a := parseRosterArgs(req)
	p, err := onePerson(a, "期满返回的成员", "成员 期满 @赵建")
	if err != nil {
		return nil, err
	}
	if len(a.words) > 0 {
		return nil, xfbot.Errorf(xfbot.EINVALID, "多了参数“%s”：期满返回只需 @ 本人。", xfbot.Echo(strings.Join(a.words, " "), 20))
	}
	m, err := h.leavable(ctx, req, p, "办理期满返回")
	if err != nil {
		return nil, err
	}
	name := m.Person().Display()
	x, err := h.holdingsOf(ctx, p.OpenID)
	if err != nil {
		return nil, err
	}
	if !x.empty() {
		return h.refuseHeld(req, name, "办理期满返回", x), nil
	}
	today := req.Today()
	up := leave(m, xfbot.Returned, today)
	tx := h.Store.NewTx()
	tx.UpdateMember(m, up)
	tx.Audit(store.AuditEntry{At: req.Time, By: req.Actor(), Action: "成员期满", Entity: "member:" + p.OpenID,
		Before: m.Role.Label(), After: "期满返回", Via: req.Via})
	msg := fmt.Sprintf("✅ %s 借调期满返回（%s），感谢其在专班的工作。成员记录和经办历史保留。", name, today)
	ms, err := h.members(ctx, req)
	if err != nil {
		return nil, err
	}
	if names := standInsOf(ms, p.OpenID, today); len(names) > 0 {
		msg += fmt.Sprintf("\n注意：%s 请假期间的代理人是 %s，其提醒将发回本人，请重新登记代理人。", strings.Join(names, "、"), name)
	}
	return &bot.Reply{Text: msg, Tx: tx}, nil
}

// maxHandOver bounds the cases one 移交 moves: they are one commit.
const maxHandOver = 500

const handOverExample = "成员 移交 @赵建 @钱秀兰 全部"

// memberHandOver: 成员 移交 @原 @新 [全部|案件号…] (admins). The cases
// move as 指派 moves them (the case's version checked, its history, the
// owner's figures and its deadlines' owner in the same commit), all of
// them in one commit; with 全部 (or nothing) the member's open plan
// measures and 督查单 follow (handOverMeasures, handOverSupervision).
func (h *Handlers) memberHandOver(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	a := parseRosterArgs(req)
	if len(a.people) != 2 {
		return nil, xfbot.Errorf(xfbot.EINVALID, "请先 @ 原负责人，再 @ 新负责人（共两位），您 @ 了 %d 位。例如：%s", len(a.people), handOverExample)
	}
	from, to := a.people[0], a.people[1]
	if from.OpenID == to.OpenID {
		return nil, xfbot.Errorf(xfbot.EINVALID, "原负责人和新负责人是同一人，请 @ 另一位新负责人。")
	}
	all := len(a.words) == 0
	var nos []xfbot.CaseNo
	for _, w := range a.words {
		if w == "全部" || w == "all" {
			all = true
			continue
		}
		no, err := xfbot.ParseCaseNoIn(w, req.Today().Year)
		if err != nil {
			return nil, xfbot.Errorf(xfbot.EINVALID, "“%s”不是案件号：写 全部，或要移交的案件号。", xfbot.Echo(w, 20))
		}
		if !slices.Contains(nos, no) {
			nos = append(nos, no)
		}
	}
	if all && len(nos) > 0 {
		return nil, xfbot.Errorf(xfbot.EINVALID, "“全部”和案件号只能写一种。")
	}
	tm, err := h.memberOf(ctx, req, to.OpenID)
	if err != nil {
		return nil, err
	}
	today := req.Today()
	switch {
	case tm == nil || !tm.IsMember():
		return nil, xfbot.Errorf(xfbot.EINVALID, "新负责人 %s 不是成员。", to.Display())
	case !tm.CanTakeOver():
		return nil, xfbot.Errorf(xfbot.EINVALID, "新负责人须是在岗的专班成员或管理员，%s 的角色是%s。", to.Display(), tm.Role.Label())
	case tm.StatusOn(today) == xfbot.OnLeave:
		return nil, xfbot.Errorf(xfbot.EINVALID, "新负责人 %s 正在请假（%s），请另选。", to.Display(), tm.Leave.Span())
	}
	if tm.Name != "" {
		to.Name = tm.Name
	}
	if fm, err := h.memberOf(ctx, req, from.OpenID); err != nil {
		return nil, err
	} else if fm != nil && fm.Name != "" {
		from.Name = fm.Name
	}
	owned, err := h.ownedCases(ctx, from.OpenID)
	if err != nil {
		return nil, err
	}
	cases := owned
	if !all {
		cases = nil
		for _, no := range nos {
			i := slices.IndexFunc(owned, func(c *xfbot.Case) bool { return c.No == no })
			if i < 0 {
				return nil, xfbot.Errorf(xfbot.EINVALID, "%s 不是 %s 在办的包案案件，请检查案件号；发送“成员 召回 @%s …”可列出其在办工作。", no, from.Display(), from.Display())
			}
			cases = append(cases, owned[i])
		}
	}
	if len(cases) > maxHandOver {
		return nil, xfbot.Errorf(xfbot.EINVALID, "一次最多移交 %d 件案件，%s 有 %d 件：请分批写明案件号。", maxHandOver, from.Display(), len(cases))
	}
	tx := h.Store.NewTx()
	var moved []string
	for _, old := range cases {
		c := *old
		c.UpdatedAt, c.Owner = req.Time, to
		tx.UpdateCase(old, &c)
		tx.AddChanges(c.No, change(req, "包案人", old.Owner.Display(), to.Display()))
		moved = append(moved, string(c.No))
	}
	measures, supervision := 0, 0
	if all {
		// Their own commits: each moves all or nothing, and a second run
		// finds nothing left to move.
		if measures, err = h.handOverMeasures(ctx, from, to, req.Actor(), req.Time); err != nil {
			return nil, err
		}
		if supervision, err = h.handOverSupervision(ctx, from, to, req.Actor(), req.Time); err != nil {
			return nil, err
		}
	}
	if len(moved) == 0 && measures == 0 && supervision == 0 {
		return nil, xfbot.Errorf(xfbot.ENOTFOUND, "%s 没有需要移交的在办案件、方案措施或督查单。", from.Display())
	}
	tx.Audit(store.AuditEntry{At: req.Time, By: req.Actor(), Action: "成员移交", Entity: "member:" + from.OpenID,
		Before: from.Display(), After: fmt.Sprintf("%s：案件 %d 件，措施 %d 项，督查单 %d 件", to.Display(), len(moved), measures, supervision), Via: req.Via})
	what := fmt.Sprintf("包案案件 %d 件", len(moved))
	if len(moved) > 0 {
		what += "（" + strings.Join(clipList(moved, 10), "、") + "）"
	}
	if all {
		what += fmt.Sprintf("、方案措施 %d 项、督查单 %d 件", measures, supervision)
	}
	msg := fmt.Sprintf("✅ 已将 %s 的%s移交给 %s。", from.Display(), what, to.Display())
	if all {
		msg += fmt.Sprintf("\n如 %s 离开专班，现在可以发送“成员 召回 @%s <原因类别> <说明>”或“成员 期满 @%s”。", from.Display(), from.Display(), from.Display())
	} else {
		msg += "\n方案措施和督查单随“全部”移交。"
	}
	reply := &bot.Reply{Text: msg, Tx: tx}
	if to.OpenID != req.Sender.OpenID {
		reply.Notices = []bot.Notice{{OpenID: to.OpenID, Text: fmt.Sprintf("%s 将 %s 的%s移交给您，请及时跟进。发送“我的”查看您的案件。", req.Actor().Display(), from.Display(), what)}}
	}
	return reply, nil
}

func clipList(s []string, n int) []string {
	if len(s) <= n {
		return s
	}
	return append(append([]string(nil), s[:n]...), fmt.Sprintf("等 %d 件", len(s)))
}

// orgContact reports whether openID is a configured 组织部 contact.
func (h *Handlers) orgContact(openID string) bool { return slices.Contains(h.OrgContacts, openID) }

// memberRecalls: 成员 召回记录 (private): the recall records, for the lead
// (admins) and the 组织部 contact, who may confirm each 已记录.
func (h *Handlers) memberRecalls(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	org := h.orgContact(req.Sender.OpenID)
	if !org && !req.Member.CanManage() {
		return nil, xfbot.Errorf(xfbot.EFORBIDDEN, "召回记录是人事记录，只向专班负责人和组织部联络人开放。")
	}
	if err := extraWords(req, 0); err != nil {
		return nil, err
	}
	rs, err := h.Store.Recalls(ctx)
	if err != nil {
		return nil, err
	}
	card := bot.RecallCard(fmt.Sprintf("召回记录（共 %d 条）", len(rs)), rs, org, h.view(req))
	return &bot.Reply{Card: card}, nil
}

// recallAck is the 组织部 contact's 已记录 on a recall record: recorded
// once, with who and when; the lead who decided hears of it.
func (h *Handlers) recallAck(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	if !h.orgContact(req.Sender.OpenID) {
		return nil, xfbot.Errorf(xfbot.EFORBIDDEN, "“已记录”由组织部联络人确认。")
	}
	id := req.Action.Value["id"]
	rec, err := h.Store.Recall(ctx, id)
	if err != nil {
		return nil, err
	}
	if rec == nil {
		return nil, xfbot.Errorf(xfbot.ENOTFOUND, "没有找到这条召回记录，请发送“成员 召回记录”查看。")
	}
	v := h.view(req)
	if rec.Confirmed {
		return nil, xfbot.Errorf(xfbot.EINVALID, "这条召回记录已于 %s 由 %s 确认已记录。", rec.ConfirmedAt.In(req.Loc).Format("2006-01-02 15:04"), rec.ConfirmedBy.Display())
	}
	rec.Confirmed, rec.ConfirmedBy, rec.ConfirmedAt = true, req.Actor(), req.Time
	tx := h.Store.NewTx()
	tx.ConfirmRecall(*rec)
	tx.Audit(store.AuditEntry{At: req.Time, By: req.Actor(), Action: "召回已记录", Entity: "member:" + rec.Member.OpenID, After: "组织部已记录", Via: req.Via})
	card := bot.RecallCard("召回记录 · "+rec.Member.Display(), []xfbot.RecallRecord{*rec}, false, v)
	reply := &bot.Reply{Card: card, Text: "✅ 已记录", Toast: "已记录", Tx: tx}
	if rec.By.OpenID != "" && rec.By.OpenID != req.Sender.OpenID {
		reply.Notices = []bot.Notice{{OpenID: rec.By.OpenID, Text: fmt.Sprintf("组织部联络人 %s 已确认记录 %s 的召回。", req.Actor().Display(), rec.Member.Display())}}
	}
	return reply, nil
}

// demoRoster gives the demo's seconded members their roster: all 9 are
// 督查专员 seconded two months ago, one with the secondment ending in a
// week, one on leave since yesterday with a colleague standing in, and the
// last recalled by the lead after his open cases went to a colleague (the
// recall record awaits the 组织部's 已记录). It returns the names on leave
// and recalled.
func (h *Handlers) demoRoster(ctx context.Context, req *bot.Request, people []xfbot.Member) (onLeave, recalled string, err error) {
	var lead *xfbot.Member
	var ms []*xfbot.Member
	for i := range people {
		switch people[i].Role {
		case xfbot.RoleAdmin:
			if lead == nil {
				lead = &people[i]
			}
		case xfbot.RoleMember:
			ms = append(ms, &people[i])
		}
	}
	if lead == nil || len(ms) < 4 {
		return "", "", nil
	}
	today := req.Today()
	tx := h.Store.NewTx()
	for i, m := range ms {
		up := *m
		up.Inspector, up.Joined = true, today.AddDays(-60)
		switch i {
		case 0:
			up.PlannedEnd = today.AddDays(7)
		case 1:
			up.Leave = xfbot.Leave{From: today.AddDays(-1), To: today.AddDays(3), StandIn: ms[2].Person(), Reason: "参加市里业务培训"}
		}
		tx.UpdateMember(m, up)
		*m = up
	}
	// The one recalled answers for no plan measure nor 督查单 (those move
	// through their own hand-over); the last such member.
	var gone *xfbot.Member
	for i := len(ms) - 1; i >= 3 && gone == nil; i-- {
		x, err := h.holdingsOf(ctx, ms[i].OpenID)
		if err != nil {
			return "", "", err
		}
		if len(x.measures) == 0 && len(x.supervision) == 0 {
			gone = ms[i]
		}
	}
	if gone == nil {
		_, err := h.Store.Commit(ctx, tx)
		return ms[1].Name, "", err
	}
	cases, err := h.ownedCases(ctx, gone.OpenID)
	if err != nil {
		return "", "", err
	}
	to := ms[0].Person()
	for _, old := range cases {
		c := *old
		c.UpdatedAt, c.Owner = req.Time, to
		tx.UpdateCase(old, &c)
		tx.AddChanges(c.No, xfbot.Change{At: req.Time, By: lead.Person(), Action: "成员", Field: "包案人", Before: old.Owner.Display(), After: to.Display()})
	}
	tx.UpdateMember(gone, leave(gone, xfbot.Recalled, today))
	tx.AddRecall(xfbot.RecallRecord{ID: store.RecallID(gone.OpenID, req.Time), Member: gone.Person(), Unit: gone.Unit, Role: gone.Role,
		Joined: gone.Joined, Reason: xfbot.RecallPerfunctory, Text: "（虚构）包案进展长期不更新，两次未按约下访", By: lead.Person(), At: req.Time})
	if _, err := h.Store.Commit(ctx, tx); err != nil {
		return "", "", err
	}
	return ms[1].Name, gone.Name, nil
}
