package handlers

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/bot"
	"github.com/qingchuan/xfbot/store"
)

// 集中会诊 (会诊 安排/改期/取消/结论/决定/转为措施/查看/列表): the task force
// schedules a consultation over a few cases with the units concerned,
// records a conclusion per case (a progress entry of the case) and
// decisions; 转为措施 runs 方案 措施 for a decision as the clicking user.

// DefaultConsultPlace is where a consultation meets unless the command
// says otherwise.
const DefaultConsultPlace = "专班会议室"

// measureRoute is the plan command a decision becomes: 转为措施 runs it.
const measureRoute = "方案 措施"

// consultFields are the 字段:值 words of 会诊 安排 and 会诊 决定, with the
// names people also use.
var consultFields = map[string]string{
	"主持": "主持", "主持人": "主持",
	"单位": "单位", "参会单位": "单位", "邀请": "单位", "责任单位": "单位",
	"案件": "案件", "案件号": "案件",
	"地点":  "地点",
	"议题":  "议题",
	"负责人": "负责人", "责任人": "负责人",
	"期限": "期限", "完成期限": "期限",
}

// consultWords splits a command's words into 字段:值 pairs and the rest.
// A field whose value is the next word ("主持:" then "@周某", as Feishu
// delivers a mention) takes it. fields lists the names the command takes.
func consultWords(words []string, fields ...string) (map[string]string, []string, error) {
	vals := map[string]string{}
	var rest []string
	for i := 0; i < len(words); i++ {
		w := words[i]
		k, v, ok := splitColon(w)
		name := consultFields[strings.TrimSpace(xfbot.Normalize(k))]
		if !ok || !slices.Contains(fields, name) {
			rest = append(rest, w)
			continue
		}
		if v == "" && i+1 < len(words) {
			if _, _, c := splitColon(words[i+1]); !c {
				v = words[i+1]
				i++
			}
		}
		if v == "" {
			return nil, nil, xfbot.Errorf(xfbot.EINVALID, "“%s”没有写值，请写成 %s:值。", name, name)
		}
		if _, dup := vals[name]; dup {
			return nil, nil, xfbot.Errorf(xfbot.EINVALID, "“%s”写了两次。", name)
		}
		vals[name] = v
	}
	return vals, rest, nil
}

// splitList splits a list typed with commas or 、.
func splitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '、' || r == '，' || r == ';' || r == '；' })
}

// personNamed resolves "@名字" (or a name) to a person: an @-mention of
// the message with that name, else the member of that name (the console
// and a name typed without @). what names the role in the error.
func personNamed(req *bot.Request, members []xfbot.Member, w, what string) (xfbot.Person, error) {
	name := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(w), "@"))
	if name == "" {
		return xfbot.Person{}, xfbot.Errorf(xfbot.EINVALID, "请 @ %s。", what)
	}
	for _, p := range req.Mentions {
		if strings.ReplaceAll(p.Name, " ", "") == name || p.OpenID == name {
			return p, nil
		}
	}
	for _, m := range members {
		if m.Name == name || m.OpenID == name {
			return m.Person(), nil
		}
	}
	if len(req.Mentions) == 1 && strings.HasPrefix(strings.TrimSpace(w), "@") {
		return req.Mentions[0], nil // a mention whose display name differs from the text
	}
	return xfbot.Person{}, xfbot.Errorf(xfbot.EINVALID, "没有找到%s“%s”：请 @ 一位成员，例如 主持:@周某。", what, xfbot.Echo(name, 20))
}

// withMember fills p's name from the member record and checks what it may do.
func withMember(p xfbot.Person, members []xfbot.Member, leaders []string, what string) (xfbot.Person, xfbot.Member, error) {
	for _, m := range members {
		if m.OpenID == p.OpenID {
			if m.Name != "" {
				p.Name = m.Name
			}
			return p, m, nil
		}
	}
	if slices.Contains(leaders, p.OpenID) {
		return p, xfbot.Member{OpenID: p.OpenID, Name: p.Name, Role: xfbot.RoleLeader}, nil
	}
	return p, xfbot.Member{}, xfbot.Errorf(xfbot.EINVALID, "%s 还不是成员，不能做%s；请管理员先发送“成员 添加 @%s 专班成员”。", p.Display(), what, p.Display())
}

// consultCases reads the case numbers of a list, checks that they exist
// and may be consulted on, and returns them by number.
func (h *Handlers) consultCases(ctx context.Context, req *bot.Request, raw []string) ([]xfbot.CaseNo, map[xfbot.CaseNo]*xfbot.Case, error) {
	var nos []xfbot.CaseNo
	for _, s := range raw {
		no, err := xfbot.ParseCaseNoIn(s, req.Today().Year)
		if err != nil {
			return nil, nil, err
		}
		if !slices.Contains(nos, no) {
			nos = append(nos, no)
		}
	}
	if len(nos) == 0 {
		return nil, nil, xfbot.Errorf(xfbot.EINVALID, "请写会诊的案件，例如 案件:XF-2026-0012,XF-2026-0015。")
	}
	if len(nos) > xfbot.MaxConsultCases {
		return nil, nil, xfbot.Errorf(xfbot.EINVALID, "一次会诊最多 %d 件案件，您写了 %d 件；可分几次会诊。", xfbot.MaxConsultCases, len(nos))
	}
	cs, err := h.cases(ctx, req, nos)
	if err != nil {
		return nil, nil, err
	}
	byNo := make(map[xfbot.CaseNo]*xfbot.Case, len(cs))
	for _, c := range cs {
		byNo[c.No] = c
	}
	for _, no := range nos {
		switch c := byNo[no]; {
		case c == nil:
			return nil, nil, xfbot.Errorf(xfbot.ENOTFOUND, "没有找到案件 %s，请检查案件号；发送“列表”可查看在办案件。", no)
		case c.Status == xfbot.StatusClosed:
			return nil, nil, xfbot.Errorf(xfbot.EINVALID, "案件 %s 已销号，不能列入会诊。", no)
		}
	}
	return nos, byNo, nil
}

// checkConsultDay refuses a past day and a day off.
func (h *Handlers) checkConsultDay(req *bot.Request, day xfbot.Date) error {
	if day.Before(req.Today()) {
		return xfbot.Errorf(xfbot.EINVALID, "会诊日期 %s 已经过去，请写今天或以后的日期。", day)
	}
	if !h.Calendar.IsWorkday(day) {
		return xfbot.Errorf(xfbot.EINVALID, "%s（%s）不是工作日，请另选一天；下一个工作日是 %s。", day, xfbot.WeekdayLabel(day.Weekday()), h.Calendar.NextWorkday(day))
	}
	return nil
}

// consultSchedule: 会诊 安排 <日期> [上午|下午|全天] 主持:@人 单位:a,b
// 案件:XF-…,XF-… [地点:x] [议题].
func (h *Handlers) consultSchedule(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	vals, rest, err := consultWords(req.Args.Words, "主持", "单位", "案件", "地点", "议题")
	if err != nil {
		return nil, err
	}
	if len(rest) == 0 {
		return nil, xfbot.Errorf(xfbot.EINVALID, "缺少会诊日期。")
	}
	read, err := xfbot.ParseDay(rest[0], req.Today(), h.Calendar, xfbot.Anytime)
	if err != nil {
		return nil, err
	}
	if err := h.checkConsultDay(req, read.Date); err != nil {
		return nil, err
	}
	members, err := h.members(ctx, req)
	if err != nil {
		return nil, err
	}
	c := &xfbot.Consultation{Date: read.Date, Slot: xfbot.SlotAM, Place: DefaultConsultPlace, Status: xfbot.ConsultPlanned,
		ScheduledBy: req.Actor(), ScheduledAt: req.Time}
	var topic, caseWords []string
	hostWord := vals["主持"]
	for _, w := range rest[1:] {
		switch s, ok := xfbot.ParseSlot(w); {
		case ok:
			c.Slot = s
		case strings.HasPrefix(w, "@") && hostWord == "":
			hostWord = w
		case strings.HasPrefix(strings.ToUpper(xfbot.Normalize(w)), "XF"):
			caseWords = append(caseWords, w)
		default:
			topic = append(topic, w)
		}
	}
	if v, ok := vals["案件"]; ok {
		caseWords = append(splitList(v), caseWords...)
	}
	var byNo map[xfbot.CaseNo]*xfbot.Case
	if c.Cases, byNo, err = h.consultCases(ctx, req, caseWords); err != nil {
		return nil, err
	}
	if hostWord == "" {
		c.Host = req.Actor() // 主持 defaults to whoever schedules it
	} else {
		p, err := personNamed(req, members, hostWord, "主持人")
		if err != nil {
			return nil, err
		}
		if c.Host, _, err = withMember(p, members, h.mux.Leaders(), "会诊主持人"); err != nil {
			return nil, err
		}
	}
	if v, ok := vals["单位"]; ok {
		for _, u := range splitList(v) {
			name, err := parseName(u, "单位名称")
			if err != nil {
				return nil, err
			}
			if !slices.Contains(c.Units, name) {
				c.Units = append(c.Units, name)
			}
		}
	} else {
		for _, no := range c.Cases { // the cases' 主责单位 and 属地
			for _, u := range []string{byNo[no].Unit, byNo[no].Area} {
				if u != "" && !slices.Contains(c.Units, u) {
					c.Units = append(c.Units, u)
				}
			}
		}
	}
	if len(c.Units) > xfbot.MaxConsultUnits {
		return nil, xfbot.Errorf(xfbot.EINVALID, "一次会诊最多邀请 %d 个单位。", xfbot.MaxConsultUnits)
	}
	if v, ok := vals["地点"]; ok {
		if c.Place, err = parseName(v, "会诊地点"); err != nil {
			return nil, err
		}
	}
	if v, ok := vals["议题"]; ok {
		topic = append([]string{v}, topic...)
	}
	if c.Topic, err = needTextOptional(strings.Join(topic, " ")); err != nil {
		return nil, err
	}
	if xfbot.RuneLen(c.Topic) > 200 {
		return nil, xfbot.Errorf(xfbot.EINVALID, "议题太长（%d 字），请控制在 200 字以内。", xfbot.RuneLen(c.Topic))
	}
	tx := h.Store.NewTx()
	tx.CreateConsult(c) // first: the ops after it may name its number
	for _, no := range c.Cases {
		tx.AddChanges(no, xfbot.Change{At: req.Time, By: req.Actor(), Action: "会诊 安排", Field: "集中会诊",
			After: fmt.Sprintf("%s %s，主持 %s", store.NoPlaceholder, c.When(), c.Host.Display())})
	}
	msg := fmt.Sprintf("✅ 已安排集中会诊 %s：%s，%s，主持 %s，%d 件案件。", store.NoPlaceholder, c.When(), c.Place, c.Host.Display(), len(c.Cases))
	if hostWord == "" {
		msg += "主持人默认为您；另请他人主持可写 主持:@人。"
	}
	reply := h.consultReply(req, c, byNo, msg, tx)
	reply.Notices = h.consultNotices(req, c, byNo, members, req.Actor().Display()+" 安排了集中会诊，请准时参加")
	return reply, nil
}

// consultReply is the reply to a change of a consultation: its card for
// the sender, with what happened in the subtitle.
func (h *Handlers) consultReply(req *bot.Request, c *xfbot.Consultation, byNo map[xfbot.CaseNo]*xfbot.Case, msg string, tx *store.Tx) *bot.Reply {
	card := bot.ConsultCard(c, byNo, h.view(req), canConvert(req.Member))
	card.Subtitle = msg
	return &bot.Reply{Text: msg, Card: card, Toast: msg, Tx: tx}
}

// canConvert: who is shown 转为措施 (the 方案 措施 command decides).
func canConvert(m xfbot.Member) bool { return m.CanWrite() && m.Role != xfbot.RoleLiaison }

// consultNotices are the direct messages about a consultation: its host,
// the invited units' liaisons and the cases' 包案人, each once, the sender
// never; each a card for its reader (a liaison sees the titles of its own
// unit's cases only).
func (h *Handlers) consultNotices(req *bot.Request, c *xfbot.Consultation, byNo map[xfbot.CaseNo]*xfbot.Case, members []xfbot.Member, subtitle string) []bot.Notice {
	var to []string
	add := func(id string) {
		if id != "" && id != req.Sender.OpenID && !slices.Contains(to, id) {
			to = append(to, id)
		}
	}
	add(c.Host.OpenID)
	for _, m := range members {
		if m.Role == xfbot.RoleLiaison && m.Unit != "" && slices.ContainsFunc(c.Units, m.InUnit) {
			add(m.OpenID)
		}
	}
	for _, no := range c.Cases {
		if cs := byNo[no]; cs != nil {
			add(cs.Owner.OpenID)
		}
	}
	var out []bot.Notice
	for _, id := range to {
		m := xfbot.Member{OpenID: id, Role: xfbot.RoleMember}
		for _, x := range members {
			if x.OpenID == id {
				m = x
			}
		}
		v := bot.View{Audience: m.Audience(), Today: req.Today(), Thresholds: h.Thresholds, Loc: req.Loc}
		card := bot.ConsultCard(c, visibleCases(m, byNo), v, false)
		card.Subtitle = subtitle
		out = append(out, bot.Notice{OpenID: id, Card: card})
	}
	return out
}

// visibleCases are the cases m may read.
func visibleCases(m xfbot.Member, byNo map[xfbot.CaseNo]*xfbot.Case) map[xfbot.CaseNo]*xfbot.Case {
	out := make(map[xfbot.CaseNo]*xfbot.Case, len(byNo))
	for no, c := range byNo {
		if m.CanSee(c) {
			out[no] = c
		}
	}
	return out
}

// loadConsult reads the consultation named by word i of the arguments.
func (h *Handlers) loadConsult(ctx context.Context, req *bot.Request, i int) (*xfbot.Consultation, error) {
	raw := req.Args.Word(i)
	if raw == "" {
		return nil, xfbot.Errorf(xfbot.EINVALID, "缺少会诊编号（HZ-年份-序号）；发送“会诊 列表”可查看编号。")
	}
	id, err := xfbot.ParseConsultID(raw)
	if err != nil {
		return nil, err
	}
	return h.consultByID(ctx, id)
}

func (h *Handlers) consultByID(ctx context.Context, id xfbot.ConsultID) (*xfbot.Consultation, error) {
	c, err := h.Store.Consult(ctx, id)
	if err != nil {
		return nil, err
	}
	if c == nil {
		return nil, xfbot.Errorf(xfbot.ENOTFOUND, "没有找到会诊 %s；发送“会诊 列表”可查看编号。", id)
	}
	return c, nil
}

// casesOf loads a consultation's cases by number.
func (h *Handlers) casesOf(ctx context.Context, c *xfbot.Consultation) (map[xfbot.CaseNo]*xfbot.Case, error) {
	cs, err := h.Store.Cases(ctx, c.Cases)
	if err != nil {
		return nil, err
	}
	byNo := make(map[xfbot.CaseNo]*xfbot.Case, len(cs))
	for _, x := range cs {
		byNo[x.No] = x
	}
	return byNo, nil
}

func notPlannedConsult(c *xfbot.Consultation, what string) error {
	switch c.Status {
	case xfbot.ConsultCancelled:
		return xfbot.Errorf(xfbot.EINVALID, "会诊 %s 已取消，不能再%s。", c.ID, what)
	case xfbot.ConsultHeld:
		return xfbot.Errorf(xfbot.EINVALID, "会诊 %s 已召开并有记录，不能再%s。", c.ID, what)
	}
	return nil
}

// consultReschedule: 会诊 改期 <编号> <日期> [上午|下午|全天]. The number
// stays; the card says the day it moved from.
func (h *Handlers) consultReschedule(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	old, err := h.loadConsult(ctx, req, 0)
	if err != nil {
		return nil, err
	}
	if err := notPlannedConsult(old, "改期"); err != nil {
		return nil, err
	}
	words := wordsFrom(req, 1)
	if len(words) == 0 {
		return nil, xfbot.Errorf(xfbot.EINVALID, "缺少新的会诊日期，例如：会诊 改期 %s 3月27日 下午", old.ID)
	}
	read, err := xfbot.ParseDay(words[0], req.Today(), h.Calendar, xfbot.Anytime)
	if err != nil {
		return nil, err
	}
	up := old.Clone()
	up.Date = read.Date
	for _, w := range words[1:] {
		s, ok := xfbot.ParseSlot(w)
		if !ok {
			return nil, xfbot.Errorf(xfbot.EINVALID, "多了参数“%s”：改期只写新的日期和时段（上午、下午、全天）。", xfbot.Echo(w, 20))
		}
		up.Slot = s
	}
	if up.Date == old.Date && up.Slot == old.Slot {
		return nil, xfbot.Errorf(xfbot.EINVALID, "新的时间与原安排相同（%s），无需改期。", old.When())
	}
	if err := h.checkConsultDay(req, up.Date); err != nil {
		return nil, err
	}
	if up.Date != old.Date {
		up.MovedFrom = old.Date
	}
	members, err := h.members(ctx, req)
	if err != nil {
		return nil, err
	}
	byNo, err := h.casesOf(ctx, old)
	if err != nil {
		return nil, err
	}
	tx := h.Store.NewTx()
	tx.UpdateConsult(old, up)
	for _, no := range up.Cases {
		tx.AddChanges(no, xfbot.Change{At: req.Time, By: req.Actor(), Action: "会诊 改期", Field: "集中会诊 " + string(up.ID), Before: old.When(), After: up.When()})
	}
	msg := fmt.Sprintf("✅ 会诊 %s 已改期：原 %s，改为 %s。", up.ID, old.When(), up.When())
	reply := h.consultReply(req, up, byNo, msg, tx)
	reply.Notices = h.consultNotices(req, up, byNo, members, fmt.Sprintf("会诊改期：原 %s，改为 %s", old.When(), up.When()))
	return reply, nil
}

// consultCancel: 会诊 取消 <编号> [理由].
func (h *Handlers) consultCancel(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	old, err := h.loadConsult(ctx, req, 0)
	if err != nil {
		return nil, err
	}
	if err := notPlannedConsult(old, "取消"); err != nil {
		return nil, err
	}
	reason := xfbot.CleanText(req.Args.Rest(1))
	if xfbot.RuneLen(reason) > 200 {
		return nil, xfbot.Errorf(xfbot.EINVALID, "取消理由太长（%d 字），请控制在 200 字以内。", xfbot.RuneLen(reason))
	}
	members, err := h.members(ctx, req)
	if err != nil {
		return nil, err
	}
	byNo, err := h.casesOf(ctx, old)
	if err != nil {
		return nil, err
	}
	up := old.Clone()
	up.Status, up.Note = xfbot.ConsultCancelled, reason
	tx := h.Store.NewTx()
	tx.UpdateConsult(old, up)
	for _, no := range up.Cases {
		tx.AddChanges(no, xfbot.Change{At: req.Time, By: req.Actor(), Action: "会诊 取消", Field: "集中会诊 " + string(up.ID), Before: old.When(), After: orDash(reason)})
	}
	tx.Audit(store.AuditEntry{At: req.Time, By: req.Actor(), Action: "会诊取消", Entity: "consult:" + string(old.ID), Before: old.When(), After: reason, Via: req.Via})
	msg := fmt.Sprintf("✅ 已取消会诊 %s（%s）。", old.ID, old.When())
	reply := h.consultReply(req, up, byNo, msg, tx)
	sub := fmt.Sprintf("%s 的会诊已取消", old.When())
	if reason != "" {
		sub += "：" + reason
	}
	reply.Notices = h.consultNotices(req, up, byNo, members, sub)
	return reply, nil
}

// recordable refuses a record for a consultation cancelled or not held yet.
func recordable(c *xfbot.Consultation, today xfbot.Date, what string) error {
	if c.Status == xfbot.ConsultCancelled {
		return xfbot.Errorf(xfbot.EINVALID, "会诊 %s 已取消，不能%s。", c.ID, what)
	}
	if c.Date.After(today) {
		return xfbot.Errorf(xfbot.EINVALID, "会诊 %s 安排在 %s，还没召开，会后再%s。", c.ID, c.Date, what)
	}
	return nil
}

// consultCaseArg reads the case number at word i: one of c's cases.
func consultCaseArg(req *bot.Request, c *xfbot.Consultation, i int, example string) (xfbot.CaseNo, error) {
	raw := req.Args.Word(i)
	if raw == "" {
		return "", xfbot.Errorf(xfbot.EINVALID, "缺少案件号，例如：%s", example)
	}
	no, err := xfbot.ParseCaseNoIn(raw, req.Today().Year)
	if err != nil {
		return "", err
	}
	if !c.HasCase(no) {
		return "", xfbot.Errorf(xfbot.EINVALID, "案件 %s 不在会诊 %s 的案件中（%s）。", no, c.ID, strings.Join(caseStrings(c.Cases), "、"))
	}
	return no, nil
}

// consultConclude: 会诊 结论 <编号> <案件号> <结论>. Sent again for the
// same case it corrects the conclusion. The conclusion is also a progress
// entry of the case (its timeline and 最近进展), in the same commit.
func (h *Handlers) consultConclude(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	old, err := h.loadConsult(ctx, req, 0)
	if err != nil {
		return nil, err
	}
	if err := recordable(old, req.Today(), "录入结论"); err != nil {
		return nil, err
	}
	example := fmt.Sprintf("会诊 结论 %s %s 由区住建局牵头重新核定安置面积", old.ID, firstCase(old))
	no, err := consultCaseArg(req, old, 1, example)
	if err != nil {
		return nil, err
	}
	text, err := needText(req.Args.Rest(2), "会诊结论", example)
	if err != nil {
		return nil, err
	}
	l, err := h.Store.Load(ctx, "", no)
	if err != nil {
		return nil, err
	}
	if l.Case == nil {
		return nil, xfbot.Errorf(xfbot.ENOTFOUND, "没有找到案件 %s。", no)
	}
	if err := notOpen(l.Case, "录入会诊结论"); err != nil {
		return nil, err
	}
	up := old.Clone()
	up.Status = xfbot.ConsultHeld
	verb := "已录入"
	if cl := up.Conclusion(no); cl != nil {
		cl.Text, cl.By, cl.At = text, req.Actor(), req.Time
		verb = "已更正"
	} else {
		up.Conclusions = append(up.Conclusions, xfbot.ConsultConclusion{Case: no, Text: text, By: req.Actor(), At: req.Time})
	}
	tx := h.Store.NewTx()
	tx.UpdateConsult(old, up)
	cp := *l.Case
	cp.UpdatedAt, cp.LastProgressAt = req.Time, req.Time
	prefix := "集中会诊 " + string(up.ID) + " 结论："
	if verb == "已更正" {
		prefix = "集中会诊 " + string(up.ID) + " 结论（更正）："
	}
	cp.Progresses++
	tx.AddProgress(no, xfbot.Progress{At: req.Time, Author: req.Actor(), Kind: xfbot.KindProgress, Text: prefix + text})
	tx.UpdateCase(l.Case, &cp)
	byNo, err := h.casesOf(ctx, up)
	if err != nil {
		return nil, err
	}
	byNo[no] = &cp
	msg := fmt.Sprintf("✅ %s会诊 %s 对 %s 的结论，并记入案件进展。", verb, up.ID, no) + privacyNote(req, text)
	return h.consultReply(req, up, byNo, msg, tx), nil
}

func firstCase(c *xfbot.Consultation) string {
	if len(c.Cases) > 0 {
		return string(c.Cases[0])
	}
	return "XF-2026-0012"
}

// consultDecide: 会诊 决定 <编号> <案件号> <硬|软>:<类型> <内容> [单位:x]
// [负责人:@人] [期限:日期].
func (h *Handlers) consultDecide(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	old, err := h.loadConsult(ctx, req, 0)
	if err != nil {
		return nil, err
	}
	if err := recordable(old, req.Today(), "录入决定"); err != nil {
		return nil, err
	}
	example := fmt.Sprintf("会诊 决定 %s %s 硬:政策 按回迁安置政策核定面积 单位:区住建局 负责人:@赵建 期限:4月30日", old.ID, firstCase(old))
	no, err := consultCaseArg(req, old, 1, example)
	if err != nil {
		return nil, err
	}
	if req.Args.Word(2) == "" {
		return nil, xfbot.Errorf(xfbot.EINVALID, "缺少措施类型（硬:法律|政策|经济|行政 或 软:教育|协商|调解|疏导），例如：%s", example)
	}
	means, err := xfbot.ParseMeans(req.Args.Word(2))
	if err != nil {
		return nil, err
	}
	if len(old.Decisions) >= xfbot.MaxConsultDecisions {
		return nil, xfbot.Errorf(xfbot.EINVALID, "一次会诊最多记录 %d 项决定。", xfbot.MaxConsultDecisions)
	}
	vals, rest, err := consultWords(wordsFrom(req, 3), "单位", "负责人", "期限")
	if err != nil {
		return nil, err
	}
	d := xfbot.ConsultDecision{Case: no, Means: means, By: req.Actor(), At: req.Time}
	ownerWord := vals["负责人"]
	var content []string
	for _, w := range rest {
		if strings.HasPrefix(w, "@") && ownerWord == "" {
			ownerWord = w
			continue
		}
		content = append(content, w)
	}
	if d.Content, err = needText(strings.Join(content, " "), "决定内容", example); err != nil {
		return nil, err
	}
	if v, ok := vals["单位"]; ok {
		if d.Unit, err = parseName(v, "责任单位"); err != nil {
			return nil, err
		}
	}
	if ownerWord != "" {
		members, err := h.members(ctx, req)
		if err != nil {
			return nil, err
		}
		p, err := personNamed(req, members, ownerWord, "负责人")
		if err != nil {
			return nil, err
		}
		p, m, err := withMember(p, members, h.mux.Leaders(), "措施负责人")
		if err != nil {
			return nil, err
		}
		if !m.CanWrite() {
			return nil, xfbot.Errorf(xfbot.EINVALID, "%s 的角色是%s，不能负责措施。", p.Display(), m.Role.Label())
		}
		d.Owner = p
	}
	if v, ok := vals["期限"]; ok {
		read, err := xfbot.ParseDay(v, req.Today(), h.Calendar, xfbot.Anytime)
		if err != nil {
			return nil, err
		}
		if read.Date.Before(req.Today()) {
			return nil, xfbot.Errorf(xfbot.EINVALID, "期限 %s 已经过去，请写今天或以后的日期。", read.Date)
		}
		d.Due = read.Date
	}
	up := old.Clone()
	up.Status = xfbot.ConsultHeld
	for _, x := range up.Decisions {
		d.N = max(d.N, x.N)
	}
	d.N++
	up.Decisions = append(up.Decisions, d)
	tx := h.Store.NewTx()
	tx.UpdateConsult(old, up)
	tx.AddChanges(no, xfbot.Change{At: req.Time, By: req.Actor(), Action: "会诊 决定", Field: fmt.Sprintf("集中会诊 %s 决定 %d", up.ID, d.N),
		After: d.Means.Name() + "：" + d.Content})
	byNo, err := h.casesOf(ctx, up)
	if err != nil {
		return nil, err
	}
	msg := fmt.Sprintf("✅ 已记录会诊 %s 决定 %d（%s，%s）。可点“转为措施”加入该案化解方案，或发送“会诊 转为措施 %s %d”。", up.ID, d.N, no, d.Means.Name(), up.ID, d.N) +
		privacyNote(req, d.Content)
	return h.consultReply(req, up, byNo, msg, tx), nil
}

// consultMeasureCmd: 会诊 转为措施 <编号> <决定序号>.
func (h *Handlers) consultMeasureCmd(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	c, err := h.loadConsult(ctx, req, 0)
	if err != nil {
		return nil, err
	}
	n, err := strconv.Atoi(strings.TrimPrefix(xfbot.Normalize(req.Args.Word(1)), "决定"))
	if err != nil || n < 1 {
		return nil, xfbot.Errorf(xfbot.EINVALID, "请写决定的序号，例如：会诊 转为措施 %s 1；序号见会诊卡片的“决定 N”。", c.ID)
	}
	vals, rest, err := consultWords(wordsFrom(req, 2), "期限")
	if err != nil {
		return nil, err
	}
	if len(rest) > 0 {
		return nil, xfbot.Errorf(xfbot.EINVALID, "多了参数“%s”：转为措施只写会诊编号、决定序号和可选的 期限:日期。", xfbot.Echo(strings.Join(rest, " "), 30))
	}
	var due xfbot.Date
	if v, ok := vals["期限"]; ok {
		read, err := xfbot.ParseDay(v, req.Today(), h.Calendar, xfbot.Anytime)
		if err != nil {
			return nil, err
		}
		if read.Date.Before(req.Today()) {
			return nil, xfbot.Errorf(xfbot.EINVALID, "期限 %s 已经过去，请写今天或以后的日期。", read.Date)
		}
		due = read.Date
	}
	return h.consultConvert(ctx, req, c, n, due)
}

// consultMeasureAction is the 转为措施 button under a decision.
func (h *Handlers) consultMeasureAction(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	c, err := h.actionConsult(ctx, req)
	if err != nil {
		return nil, err
	}
	n, err := strconv.Atoi(req.Action.Value["d"])
	if err != nil || n < 1 {
		return nil, xfbot.Errorf(xfbot.EINVALID, "这个按钮已失效，请发送“会诊 查看 %s”获取新卡片。", c.ID)
	}
	return h.consultConvert(ctx, req, c, n, xfbot.Date{})
}

func (h *Handlers) actionConsult(ctx context.Context, req *bot.Request) (*xfbot.Consultation, error) {
	id, err := xfbot.ParseConsultID(req.Action.Value["id"])
	if err != nil {
		return nil, xfbot.Errorf(xfbot.EINVALID, "这个按钮已失效，请发送“会诊 列表”获取新卡片。")
	}
	return h.consultByID(ctx, id)
}

// measureNo finds the measure's number in the plan's reply, if it names
// one: 已添加措施 3 (handlers/plans.go), else the first 措施 N.
var measureNo = []*regexp.Regexp{regexp.MustCompile(`添加措施\s*(\d+)`), regexp.MustCompile(`措施\s*#?\s*(\d+)`)}

// consultConvert makes decision n a measure of its case's plan (due, when
// set, becoming its 期限 first): it runs
// the decision's 方案 措施 command (xfbot.ConsultDecision.MeasureCommand)
// through the mux as the requester, so that the plan's role rule and
// checks decide, and commits that command's write with the decision
// marked converted, in one Tx. The consultation's version is checked: two
// clicks at once commit once (the second is re-run on a fresh read and
// finds the decision converted), and a converted decision is never
// converted again.
//
// A decision without a 期限 is not converted until one is given (会诊
// 转为措施 <编号> <序号> 期限:日期): a plan is approved only once each measure
// has its day, and the measure would stop the plan's approval.
func (h *Handlers) consultConvert(ctx context.Context, req *bot.Request, c *xfbot.Consultation, n int, due xfbot.Date) (*bot.Reply, error) {
	dec := c.Decision(n)
	if dec == nil {
		return nil, xfbot.Errorf(xfbot.ENOTFOUND, "会诊 %s 没有决定 %d；发送“会诊 查看 %s”查看决定。", c.ID, n, c.ID)
	}
	byNo, err := h.casesOf(ctx, c)
	if err != nil {
		return nil, err
	}
	if dec.Converted() {
		msg := fmt.Sprintf("决定 %d 已于 %s 由 %s 转为方案措施，无需再转。", n, dec.ConvertedAt.In(req.Loc).Format("2006-01-02 15:04"), dec.ConvertedBy.Display())
		r := h.consultReply(req, c, byNo, msg, nil)
		r.Tx = nil
		return r, nil
	}
	dd := *dec
	d := &dd // the decision as converted: with the 期限 given here
	if !due.IsZero() {
		d.Due = due
	}
	if d.Due.IsZero() {
		return nil, xfbot.Errorf(xfbot.EINVALID, "决定 %d 没有写期限：方案措施须有完成期限，方案才能批准。请发送“会诊 转为措施 %s %d 期限:日期”，例如 期限:%s。",
			n, c.ID, n, req.Today().AddDays(30))
	}
	if h.mux.Find(measureRoute) == nil {
		return nil, xfbot.Errorf(xfbot.EINVALID, "“%s”命令尚未启用，暂时不能转为措施；决定已保存在会诊 %s 中，启用后可再转。", measureRoute, c.ID)
	}
	run := *req
	run.Mentions = nil
	if !d.Owner.IsZero() {
		run.Mentions = []xfbot.Person{d.Owner}
	}
	planReply, err := h.mux.Run(ctx, &run, d.MeasureCommand())
	if err != nil {
		return nil, err
	}
	if planReply == nil {
		return nil, fmt.Errorf("handlers: %s gave no reply", measureRoute)
	}
	tx := planReply.Tx
	if tx == nil {
		tx = h.Store.NewTx()
	}
	up := c.Clone()
	ud := up.Decision(n)
	ud.Due, ud.ConvertedAt, ud.ConvertedBy = d.Due, req.Time, req.Actor()
	text := planReply.Text
	if text == "" && planReply.Card != nil {
		text = planReply.Card.Text()
	}
	for _, re := range measureNo {
		if m := re.FindStringSubmatch(text); m != nil {
			ud.Measure = "措施 " + m[1]
			break
		}
	}
	tx.UpdateConsult(c, up)
	tx.AddChanges(d.Case, xfbot.Change{At: req.Time, By: req.Actor(), Action: "会诊 转为措施", Field: fmt.Sprintf("集中会诊 %s 决定 %d", c.ID, n),
		After: d.Means.Name() + "：" + d.Content})
	msg := fmt.Sprintf("✅ 会诊 %s 决定 %d 已转为 %s 的方案措施。", c.ID, n, d.Case)
	reply := h.consultReply(req, up, byNo, msg, tx)
	if t := strings.TrimSpace(planReply.Text); t != "" {
		reply.Text = msg + "\n" + t
	}
	reply.Notices = append(reply.Notices, planReply.Notices...)
	return reply, nil
}

// consultShow: 会诊 查看 <编号>.
func (h *Handlers) consultShow(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	c, err := h.loadConsult(ctx, req, 0)
	if err != nil {
		return nil, err
	}
	if err := extraWords(req, 1); err != nil {
		return nil, err
	}
	return h.consultCard(ctx, req, c)
}

// consultRefresh is the card's 刷新 (and a reminder's 查看会诊).
func (h *Handlers) consultRefresh(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	c, err := h.actionConsult(ctx, req)
	if err != nil {
		return nil, err
	}
	return h.consultCard(ctx, req, c)
}

func (h *Handlers) consultCard(ctx context.Context, req *bot.Request, c *xfbot.Consultation) (*bot.Reply, error) {
	m := req.Member
	if m.Role == xfbot.RoleLiaison && !slices.ContainsFunc(c.Units, m.InUnit) {
		return nil, xfbot.Errorf(xfbot.EFORBIDDEN, "会诊 %s 没有邀请您所在单位，无权查看。", c.ID)
	}
	byNo, err := h.casesOf(ctx, c)
	if err != nil {
		return nil, err
	}
	return &bot.Reply{Card: bot.ConsultCard(c, visibleCases(m, byNo), h.view(req), canConvert(m))}, nil
}

// consultRecentDays is how far back 会诊 列表 shows past consultations.
const consultRecentDays = 30

// consultList: 会诊 列表 (and 会诊 alone): those to come and the last 30
// days'; a liaison sees those its unit is invited to.
func (h *Handlers) consultList(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	today := req.Today()
	cs, err := h.Store.ConsultsBetween(ctx, today.AddDays(-consultRecentDays), xfbot.Date{})
	if err != nil {
		return nil, err
	}
	var upcoming, recent []*xfbot.Consultation
	for _, c := range cs {
		if req.Member.Role == xfbot.RoleLiaison && !slices.ContainsFunc(c.Units, req.Member.InUnit) {
			continue
		}
		if c.Date.Before(today) || c.Status != xfbot.ConsultPlanned {
			recent = append(recent, c)
		} else {
			upcoming = append(upcoming, c)
		}
	}
	slices.Reverse(recent) // the latest first
	return &bot.Reply{Card: bot.ConsultListCard(upcoming, recent)}, nil
}
