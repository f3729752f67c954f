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
	// 成员 添加 @人 督查专员 …: a seconded member named as 信访督查专员.
	inspector := role == xfbot.RoleMember && (words[0] == "督查专员" || strings.EqualFold(words[0], "inspector"))
	switch {
	case role == xfbot.RoleLiaison && len(words) < 2:
		return nil, xfbot.Errorf(xfbot.EINVALID, "联络员要写明所在单位，例如：成员 添加 @王某 联络员 区住建局")
	case (role == xfbot.RoleLiaison || role == xfbot.RoleMember) && len(words) > 1:
		// A member's unit is the one seconded from: an accuser stays
		// anonymous to members of the accused unit (条例第三十条).
		if m.Unit, err = parseName(strings.Join(words[1:], ""), "单位"); err != nil {
			return nil, err
		}
		reg, err := h.registry(ctx, req)
		if err != nil {
			return nil, err
		}
		if role == xfbot.RoleLiaison { // the unit whose cases the liaison sees: by the registry
			if m.Unit, err = reg.Check(xfbot.RegUnit, m.Unit); err != nil {
				return nil, err
			}
		}
		// The unit's former names: its cases written under them are the
		// member's unit's (xfbot.Member.InUnit).
		reg.SetUnitNames(&m)
	case len(words) > 1:
		return nil, xfbot.Errorf(xfbot.EINVALID, "多了参数“%s”：只有联络员（所在单位）和专班成员（派出单位）可以写单位。", xfbot.Echo(strings.Join(words[1:], " "), 20))
	}

	old, err := h.memberOf(ctx, req, p.OpenID)
	if err != nil {
		return nil, err
	}
	if old == nil {
		m.Joined, m.Inspector = req.Today(), inspector
	}
	before := ""
	if old != nil {
		before = old.Role.Label()
		// A change of role keeps what else is known of the person (职务,
		// 分管, reception frequency): 成员 添加 sets the role and unit only.
		m.Title, m.Duties, m.ReceptionEvery = old.Title, old.Duties, old.ReceptionEvery
		// And the roster, unless the person comes back after leaving the
		// task force (能进能出): a new secondment from today.
		m.Joined, m.PlannedEnd, m.Inspector, m.Leave = old.Joined, old.PlannedEnd, old.Inspector, old.Leave
		if old.Gone() {
			m.Joined, m.PlannedEnd, m.Leave = req.Today(), xfbot.Date{}, xfbot.Leave{}
			before = old.Out.Label()
		}
		if m.Name == "" {
			m.Name = old.Name
		}
		if inspector {
			m.Inspector = true
		}
		if old.Equal(m) {
			return nil, xfbot.Errorf(xfbot.EINVALID, "%s 已经是%s。", p.Display(), role.Label())
		}
	}
	tx := h.Store.NewTx()
	tx.UpdateMember(old, m)
	tx.Audit(store.AuditEntry{At: req.Time, By: req.Actor(), Action: "成员添加", Entity: "member:" + p.OpenID, Before: before, After: role.Label() + m.Unit, Via: req.Via})
	what := role.Label()
	if m.Inspector && role == xfbot.RoleMember {
		what = "专班成员（信访督查专员）"
	}
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
	old, err := h.memberOf(ctx, req, p.OpenID)
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

// memberList: 成员 列表 (and 成员 alone): by role, each member with their
// roster status and dates; those who left last, as 已离开 (in a group, or
// to a non-admin: how they left is the lead's and the 组织部's to know).
func (h *Handlers) memberList(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	ms, err := h.members(ctx, req)
	if err != nil {
		return nil, err
	}
	today := req.Today()
	var gone []string
	byRole := map[xfbot.Role][]string{}
	n := 0
	for _, m := range ms {
		name := m.Name
		if name == "" {
			name = m.OpenID
		}
		if m.Unit != "" {
			name += "（" + m.Unit + "）"
		}
		if m.Gone() {
			how := "已离开"
			if req.Member.CanManage() && !req.Group {
				how = m.Out.Label()
			}
			gone = append(gone, fmt.Sprintf("%s · %s %s", name, how, m.Left))
			continue
		}
		n++
		var about []string
		if m.Inspector {
			about = append(about, "督查专员")
		}
		switch st := m.StatusOn(today); {
		case st == xfbot.OnLeave:
			about = append(about, "请假 "+m.Leave.Span()+"，代理 "+m.Leave.StandIn.Display())
		case !m.Leave.IsZero() && m.Leave.From.After(today):
			about = append(about, "在岗（"+m.Leave.Span()+" 请假，代理 "+m.Leave.StandIn.Display()+"）")
		case m.Role == xfbot.RoleMember || m.Role == xfbot.RoleAdmin || !m.Joined.IsZero():
			about = append(about, "在岗")
		}
		if t := termText(m); t != "" && (m.Role == xfbot.RoleMember || !m.PlannedEnd.IsZero()) {
			about = append(about, t)
		}
		if len(about) > 0 {
			name += " · " + strings.Join(about, " · ")
		}
		byRole[m.Role] = append(byRole[m.Role], name)
	}
	card := &bot.Card{Title: fmt.Sprintf("成员（共 %d 人）", n), Color: "blue"}
	if n == 0 {
		card.Sections = []string{"还没有成员。管理员可发送“成员 添加 @人 专班成员”。"}
	}
	for _, r := range xfbot.Roles {
		if names := byRole[r.Role]; len(names) > 0 {
			card.Sections = append(card.Sections, "**"+r.Label+"**：\n"+bot.Escape(strings.Join(names, "\n")))
		}
	}
	if len(gone) > 0 {
		card.Sections = append(card.Sections, "**已离开专班**：\n"+bot.Escape(strings.Join(gone, "\n")))
	}
	return &bot.Reply{Card: card}, nil
}
