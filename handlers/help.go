package handlers

import (
	"context"
	"strings"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/bot"
)

// help is generated from the routing table: 帮助 lists every command the
// caller may use, 帮助 <命令> explains one.
func (h *Handlers) help(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	if w := req.Args.Word(0); w != "" {
		rt := h.mux.Lookup(w)
		if rt == nil {
			return nil, xfbot.Errorf(xfbot.EINVALID, "没有“%s”这个命令。发送“帮助”查看全部命令。", xfbot.Echo(w, 20))
		}
		var b strings.Builder
		b.WriteString(rt.Verb)
		if len(rt.Aliases) > 0 {
			b.WriteString("（" + strings.Join(rt.Aliases, "、") + "）")
		}
		b.WriteString("：" + rt.Summary + "\n用法：" + rt.Usage())
		if rt.Example != "" {
			b.WriteString("\n例如：" + rt.Example)
		}
		return &bot.Reply{Text: b.String()}, nil
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
		if rt.Admin && !req.Member.CanManage() || rt.Write && req.Member.IsMember() && !req.Member.CanWrite() {
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
		lines = append(lines, "• "+bot.Escape(rt.Usage())+alias+" — "+bot.Escape(rt.Summary))
	}
	flush()
	if !req.Member.IsMember() {
		card.Note = "您还不是专班成员，请联系专班管理员添加后再使用。"
	} else {
		card.Note = "您的角色：" + req.Member.Role.Label() + "。发送“帮助 命令”查看某个命令的用法和例子。"
	}
	return &bot.Reply{Card: card}, nil
}
