package handlers

import (
	"context"
	"strings"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/bot"
)

// help is generated from the routing table: 帮助 lists every command the
// caller may use (a command group on one line naming its subcommands),
// 帮助 <命令> explains one (a group: each subcommand with its usage and
// example), 帮助 <命令> <子命令> one subcommand.
func (h *Handlers) help(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	if w := req.Args.Word(0); w != "" {
		name := w
		if s := req.Args.Word(1); s != "" {
			name += " " + s
		}
		rt := h.mux.Find(name)
		if rt == nil {
			return nil, xfbot.Errorf(xfbot.EINVALID, "没有“%s”这个命令。发送“帮助”查看全部命令。", xfbot.Echo(name, 20))
		}
		return &bot.Reply{Text: helpText(rt)}, nil
	}
	card := &bot.Card{Title: "xfbot 信访矛盾化解专班台账 · 帮助", Color: "blue",
		Subtitle: "命令后面的 <> 是必填项，[] 是选填项；全角空格、全角冒号都可以。"}
	var section string
	var lines []string
	flush := func() {
		if len(lines) > 0 {
			card.Sections = append(card.Sections, "**"+section+"**\n"+strings.Join(lines, "\n"))
		}
		lines = nil
	}
	for _, rt := range h.mux.Routes() {
		usage := rt.Usage()
		if subs := rt.Subcommands(); len(subs) > 0 {
			var words []string
			for _, s := range subs {
				if mayUse(req.Member, s) {
					words = append(words, s.Verb)
				}
			}
			if len(words) == 0 {
				continue
			}
			usage = rt.Verb + " " + strings.Join(words, "|")
		} else if !mayUse(req.Member, rt) {
			continue
		}
		if rt.Section != section {
			flush()
			section = rt.Section
		}
		alias := ""
		if len(rt.Aliases) > 0 {
			alias = " / " + rt.Aliases[0]
		}
		lines = append(lines, "• "+bot.Escape(usage)+alias+" — "+bot.Escape(rt.Summary))
	}
	flush()
	if !req.Member.IsMember() {
		card.Note = "您还不是专班成员，请联系专班管理员添加后再使用。"
	} else {
		card.Note = "您的角色：" + req.Member.Role.Label() + "。发送“帮助 命令”查看某个命令的用法和例子，如“帮助 接访”。"
	}
	return &bot.Reply{Card: card}, nil
}

// mayUse tells whether 帮助 lists rt to m: not what the route's rule
// refuses to m's role (a non-member sees what members may do).
func mayUse(m xfbot.Member, rt *bot.Route) bool {
	staff := m.Role == xfbot.RoleAdmin || m.Role == xfbot.RoleMember
	switch {
	case rt.Admin && !m.CanManage():
		return false
	case m.IsMember() && rt.Write && !m.CanWrite(), m.IsMember() && rt.Staff && !staff:
		return false
	}
	return true
}

// helpText explains one command, or each subcommand of a group.
func helpText(rt *bot.Route) string {
	var b strings.Builder
	b.WriteString(rt.Name())
	if len(rt.Aliases) > 0 {
		b.WriteString("（" + strings.Join(rt.Aliases, "、") + "）")
	}
	b.WriteString("：" + rt.Summary + ruleNote(rt))
	subs := rt.Subcommands()
	if len(subs) == 0 {
		b.WriteString("\n用法：" + rt.Usage())
		if rt.Example != "" {
			b.WriteString("\n例如：" + rt.Example)
		}
		return b.String()
	}
	for _, s := range subs {
		b.WriteString("\n\n• " + s.Usage() + " — " + s.Summary + ruleNote(s))
		if s.Example != "" {
			b.WriteString("\n  例如：" + s.Example)
		}
	}
	b.WriteString("\n\n发送“帮助 " + rt.Verb + " " + subs[0].Verb + "”只看一个子命令。")
	return b.String()
}

// ruleNote names who may use a route, from its rule.
func ruleNote(rt *bot.Route) string {
	var who []string
	switch {
	case rt.Admin:
		who = append(who, "限管理员")
	case rt.Staff:
		who = append(who, "限专班成员")
	}
	if rt.Private {
		who = append(who, "仅私聊")
	}
	if len(who) == 0 {
		return ""
	}
	return "（" + strings.Join(who, "，") + "）"
}
