package handlers

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/bot"
)

// statsPeriod reads 本月 (default), 上月, 本周, 上周 or a month.
func statsPeriod(w string, today xfbot.Date) (xfbot.Period, bool, error) {
	switch w {
	case "本周":
		p := xfbot.WeekPeriod(today)
		p.Label = "本周（" + p.Label + "）"
		return p, false, nil
	case "上周":
		p := xfbot.WeekPeriod(today.AddDays(-7))
		p.Label = "上周（" + p.Label + "）"
		return p, false, nil
	}
	mm, err := monthWord(w, today)
	if err != nil {
		return xfbot.Period{}, false, xfbot.Errorf(xfbot.EINVALID, "统计期间“%s”看不懂。请写 本月、上月、本周、上周 或月份，例如：统计 2026-03", xfbot.Echo(w, 20))
	}
	if mm.First().After(today) {
		return xfbot.Period{}, false, xfbot.Errorf(xfbot.EINVALID, "%s 还没有到，没有统计数据。", mm.Label())
	}
	return xfbot.MonthPeriod(mm), true, nil
}

// definitions: 统计 口径.
func (h *Handlers) definitions(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	return &bot.Reply{Text: bot.DefinitionsText()}, nil
}

// stats: 统计 [本月|上月|本周|上周|YYYY-MM] [单位|单位:x|成员] (统计 上月 口径 is
// still the definitions).
func (h *Handlers) stats(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	var period, oneUnit string // oneUnit: 统计 单位:x, one unit's figures
	byUnit, byMember := false, false
	for _, w := range req.Args.Words {
		if key, val, colon := splitColon(w); colon && (key == "单位" || key == "unit") {
			u, err := h.resolveName(ctx, req, xfbot.RegUnit, val)
			if err != nil {
				return nil, err
			}
			if oneUnit != "" {
				return nil, xfbot.Errorf(xfbot.EINVALID, "单位写一个，例如：统计 上月 单位:区住建局")
			}
			oneUnit = u
			continue
		}
		switch w {
		case "口径", "说明":
			return &bot.Reply{Text: bot.DefinitionsText()}, nil
		case "单位", "按单位", "unit", "units":
			byUnit = true
		case "成员", "按成员", "member", "members":
			byMember = true
		default:
			if period != "" {
				return nil, xfbot.Errorf(xfbot.EINVALID, "只能统计一个期间，您写了“%s”和“%s”。例如：统计 上月 单位", xfbot.Echo(period, 10), xfbot.Echo(w, 10))
			}
			period = w
		}
	}
	if byUnit && byMember {
		return nil, xfbot.Errorf(xfbot.EINVALID, "按单位和按成员请分开统计：统计 上月 单位，或 统计 上月 成员。")
	}
	today := req.Today()
	p, month, err := statsPeriod(period, today)
	if err != nil {
		return nil, err
	}
	if byMember {
		return h.memberStats(ctx, req, p)
	}
	if oneUnit != "" && req.Member.Role == xfbot.RoleLiaison && oneUnit == req.Member.Unit {
		oneUnit = "" // the own unit: what a liaison's 统计 shows anyway
	}
	if (byUnit || oneUnit != "") && (req.Member.Role == xfbot.RoleLiaison || req.Member.Role == xfbot.RoleViewer) {
		again := strings.TrimSpace("统计 " + period)
		return nil, xfbot.Errorf(xfbot.EFORBIDDEN, "按单位统计只向专班成员和领导开放。您可以发送“%s”查看全区和本单位的数字。", again)
	}
	title := "统计"
	if month {
		title = "月度统计"
	}
	rep, err := h.Reports.Stats(ctx, title+" · "+p.Label, p, today, month)
	if err != nil {
		return nil, err
	}
	switch {
	case req.Member.Role == xfbot.RoleLiaison:
		// A liaison sees the district and the own unit.
		var own []xfbot.Figures
		for _, u := range rep.Units {
			if u.Unit == req.Member.Unit {
				own = append(own, u)
			}
		}
		rep.Units = own
	case oneUnit != "":
		var own []xfbot.Figures
		for _, u := range rep.Units {
			if u.Unit == oneUnit {
				own = append(own, u)
			}
		}
		rep.Units = own
	case !byUnit:
		rep.Units, rep.UnitLimit = nil, 0
	}
	if !month {
		rep.Trend = nil
	}
	card := bot.StatsCard(rep)
	only := ""
	if req.Member.Role == xfbot.RoleLiaison {
		only = req.Member.Unit
	}
	blk, err := h.supervisionBlock(ctx, p, today, byUnit, only) // 督查单's figures (supervise.go)
	if err != nil {
		return nil, err
	}
	card.Sections = append(card.Sections, blk)
	return &bot.Reply{Card: card}, nil
}

// preview: 预览 摘要 [@领导|周报|月报]: what the next digest would say, sent
// to the asker only; nothing is marked as sent.
func (h *Handlers) preview(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	var words []string
	for _, w := range req.Args.Words {
		if !strings.HasPrefix(w, "@") {
			words = append(words, w)
		}
	}
	what := ""
	if len(words) > 0 {
		what = words[0]
	}
	if len(words) > 1 {
		return nil, xfbot.Errorf(xfbot.EINVALID, "“预览 摘要”后面最多写一项：@领导、周报 或 月报。")
	}
	admin := req.Member.CanManage()
	now := req.Time
	today := req.Today()
	switch {
	case what == "周报" || what == "weekly":
		if !admin {
			return nil, xfbot.Errorf(xfbot.EFORBIDDEN, "只有专班管理员可以预览群周报。")
		}
		card, err := h.Reports.Weekly(ctx, now, true)
		if err != nil {
			return nil, err
		}
		card.Subtitle = "预览：下周一推送到专班群的周报（本周至今）"
		return &bot.Reply{Card: card}, nil
	case what == "月报" || what == "monthly":
		if !admin {
			return nil, xfbot.Errorf(xfbot.EFORBIDDEN, "只有专班管理员可以预览月度统计。")
		}
		m := xfbot.MonthOf(today)
		card, rest, err := h.Reports.Monthly(ctx, m, today)
		if err != nil {
			return nil, err
		}
		card.Title = "预览 · " + card.Title + "（截至今天）"
		return &bot.Reply{Card: card, Text: strings.Join(rest, "\n")}, nil
	case what != "":
		return nil, xfbot.Errorf(xfbot.EINVALID, "“%s”看不懂：请写 @领导、周报 或 月报。", xfbot.Echo(what, 20))
	}
	leader := req.Sender
	switch {
	case len(req.Mentions) > 1:
		return nil, xfbot.Errorf(xfbot.EINVALID, "一次只能预览一位领导的摘要。")
	case len(req.Mentions) == 1:
		if !admin && req.Mentions[0].OpenID != req.Sender.OpenID {
			return nil, xfbot.Errorf(xfbot.EFORBIDDEN, "只有专班管理员可以预览别人的摘要。")
		}
		leader = req.Mentions[0]
	case req.Member.Role != xfbot.RoleLeader && !admin:
		return nil, xfbot.Errorf(xfbot.EFORBIDDEN, "领导摘要只发给区领导。管理员可以写“预览 摘要 @领导”“预览 摘要 周报”“预览 摘要 月报”。")
	case req.Member.Role != xfbot.RoleLeader:
		card, err := h.Reports.Weekly(ctx, now, true)
		if err != nil {
			return nil, err
		}
		card.Subtitle = "预览：下周一推送到专班群的周报（本周至今）。领导摘要请写“预览 摘要 @领导”。"
		return &bot.Reply{Card: card}, nil
	}
	ds, err := h.Reports.LeaderDigests(ctx, []string{leader.OpenID}, now)
	if err != nil {
		return nil, err
	}
	d := ds[0]
	card := d.Card
	card.Title = "预览 · " + card.Title
	if d.Empty {
		card.Subtitle += fmt.Sprintf("。目前没有超期、紧急、本周到期或新变化的案件，%s不会收到推送。", orYou(leader, req.Sender))
	}
	return &bot.Reply{Card: card}, nil
}

func orYou(p, me xfbot.Person) string {
	if p.OpenID == me.OpenID {
		return "您"
	}
	return p.Display()
}

// memberStats: 统计 成员 [期间]: each 包案人's work, for admins in private
// only (petition-domain §3.12: never ranked in the group).
func (h *Handlers) memberStats(ctx context.Context, req *bot.Request, p xfbot.Period) (*bot.Reply, error) {
	if !req.Member.CanManage() {
		return nil, xfbot.Errorf(xfbot.EFORBIDDEN, "成员统计只向专班管理员开放。")
	}
	if req.Group {
		return nil, xfbot.Errorf(xfbot.EFORBIDDEN, "成员统计不在群里发送，请私聊机器人发送“统计 成员”。")
	}
	ms, err := h.members(ctx, req)
	if err != nil {
		return nil, err
	}
	// The members who take cases, and (from the store) whoever else did
	// counted work in the period; each by name: the member record, else the
	// name on a case they own, else the asker's own, the open_id last.
	var owners []xfbot.Person
	names := map[string]string{}
	today := req.Today()
	for _, m := range ms {
		if m.Name != "" {
			names[m.OpenID] = m.Name
		}
		// The roster's status beside the name: a member on leave or who
		// left keeps their figures (the history stays theirs).
		if st := m.StatusOn(today); st != xfbot.OnDuty && m.Name != "" {
			names[m.OpenID] = m.Name + "（" + st.Label() + "）"
		}
		if m.Role == xfbot.RoleMember || m.Role == xfbot.RoleAdmin {
			owners = append(owners, m.Person())
		}
	}
	figs, err := h.Store.MemberData(ctx, owners, p, req.Time)
	if err != nil {
		return nil, err
	}
	for i := range figs {
		o := &figs[i].Owner
		switch {
		case names[o.OpenID] != "":
			o.Name = names[o.OpenID]
		case o.Name == "" && o.OpenID == req.Sender.OpenID:
			o.Name = req.Sender.Name
		}
	}
	slices.SortStableFunc(figs, func(a, b xfbot.MemberFigures) int { return strings.Compare(a.Owner.Display(), b.Owner.Display()) })
	return &bot.Reply{Card: bot.MemberStatsCard(p, figs)}, nil
}
