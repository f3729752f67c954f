package handlers

import (
	"context"
	"fmt"
	"strings"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/bot"
	"github.com/qingchuan/xfbot/store"
)

// memberAdd: 成员 添加 @人 <角色> [单位] (admins, by the routing table).
func (h *Handlers) memberAdd(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	p, err := oneMention(req, "要添加的人")
	if err != nil {
		return nil, err
	}
	var words []string
	for _, w := range req.Args.Words {
		if !strings.HasPrefix(w, "@") {
			words = append(words, w)
		}
	}
	if len(words) == 0 {
		return nil, xfbot.Errorf(xfbot.EINVALID, "缺少角色，可选：管理员、专班成员、领导、联络员、观察员。")
	}
	role, ok := xfbot.ParseRole(words[0])
	if !ok {
		return nil, xfbot.Errorf(xfbot.EINVALID, "角色“%s”不认识，可选：管理员、专班成员、领导、联络员、观察员。", xfbot.Echo(words[0], 10))
	}
	m := xfbot.Member{OpenID: p.OpenID, Name: p.Name, Role: role}
	switch {
	case role == xfbot.RoleLiaison && len(words) < 2:
		return nil, xfbot.Errorf(xfbot.EINVALID, "联络员要写明所在单位，例如：成员 添加 @王某 联络员 区住建局")
	case (role == xfbot.RoleLiaison || role == xfbot.RoleMember) && len(words) > 1:
		// A member's unit is the one seconded from: an accuser stays
		// anonymous to members of the accused unit (条例第三十条).
		if m.Unit, err = parseName(strings.Join(words[1:], ""), "单位"); err != nil {
			return nil, err
		}
	case len(words) > 1:
		return nil, xfbot.Errorf(xfbot.EINVALID, "多了参数“%s”：只有联络员（所在单位）和专班成员（派出单位）可以写单位。", xfbot.Echo(strings.Join(words[1:], " "), 20))
	}
	old, err := h.member(ctx, p.OpenID)
	if err != nil {
		return nil, err
	}
	before := ""
	if old != nil {
		before = old.Role.Label()
		// A change of role keeps what else is known of the person (职务,
		// 分管, reception frequency): 成员 添加 sets the role and unit only.
		m.Title, m.Duties, m.ReceptionEvery = old.Title, old.Duties, old.ReceptionEvery
		if m.Name == "" {
			m.Name = old.Name
		}
		if *old == m {
			return nil, xfbot.Errorf(xfbot.EINVALID, "%s 已经是%s。", p.Display(), role.Label())
		}
	}
	tx := h.Store.NewTx()
	tx.PutMember(m)
	tx.Audit(store.AuditEntry{At: req.Time, By: req.Actor(), Action: "成员添加", Entity: "member:" + p.OpenID, Before: before, After: role.Label() + m.Unit, Via: req.Via})
	what := role.Label()
	if m.Unit != "" {
		what += "（" + m.Unit + "）"
	}
	return &bot.Reply{Text: fmt.Sprintf("✅ 已将 %s 设为%s。", p.Display(), what), Tx: tx}, nil
}

// memberRemove: 成员 移除 @人 (admins, by the routing table).
func (h *Handlers) memberRemove(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	p, err := oneMention(req, "要移除的人")
	if err != nil {
		return nil, err
	}
	if err := extraWords(req, 0); err != nil {
		return nil, err
	}
	old, err := h.member(ctx, p.OpenID)
	if err != nil {
		return nil, err
	}
	if old == nil {
		return nil, xfbot.Errorf(xfbot.ENOTFOUND, "%s 不是成员。", p.Display())
	}
	if p.OpenID == req.Sender.OpenID && old.Role == xfbot.RoleAdmin {
		return nil, xfbot.Errorf(xfbot.EINVALID, "不能移除自己的管理员身份，请由另一位管理员操作。")
	}
	tx := h.Store.NewTx()
	tx.RemoveMember(p.OpenID)
	tx.Audit(store.AuditEntry{At: req.Time, By: req.Actor(), Action: "成员移除", Entity: "member:" + p.OpenID, Before: old.Role.Label(), Via: req.Via})
	return &bot.Reply{Text: fmt.Sprintf("✅ 已移除成员 %s（原角色：%s）。其包案的案件请及时改派。", p.Display(), old.Role.Label()), Tx: tx}, nil
}

// memberList: 成员 列表 (and 成员 alone).
func (h *Handlers) memberList(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	ms, err := h.Store.Members(ctx)
	if err != nil {
		return nil, err
	}
	card := &bot.Card{Title: fmt.Sprintf("成员（共 %d 人）", len(ms)), Color: "blue"}
	if len(ms) == 0 {
		card.Sections = []string{"还没有成员。管理员可发送“成员 添加 @人 专班成员”。"}
	}
	byRole := map[xfbot.Role][]string{}
	for _, m := range ms {
		n := m.Name
		if n == "" {
			n = m.OpenID
		}
		if m.Unit != "" {
			n += "（" + m.Unit + "）"
		}
		byRole[m.Role] = append(byRole[m.Role], n)
	}
	for _, r := range xfbot.Roles {
		if names := byRole[r.Role]; len(names) > 0 {
			card.Sections = append(card.Sections, "**"+r.Label+"**："+bot.Escape(strings.Join(names, "、")))
		}
	}
	return &bot.Reply{Card: card}, nil
}
