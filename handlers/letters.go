package handlers

import (
	"context"
	"fmt"
	"strings"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/bot"
	"github.com/qingchuan/xfbot/store"
)

// MaxLetterRunes bounds a letter's summary.
const MaxLetterRunes = 500

// letterInstruct: 来信 批示 <编号> <内容>.
func (h *Handlers) letterInstruct(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	l, err := h.loadLetter(ctx, req.Args.Word(0))
	if err != nil {
		return nil, err
	}
	text, err := needText(req.Args.Rest(1), "批示内容", "来信 批示 "+string(l.ID)+" 请区住建局牵头，一周内答复信访人")
	if err != nil {
		return nil, err
	}
	return h.letterRead(req, l, text)
}

// letterAssignCmd: 来信 交办 <编号> <单位> [案件号].
func (h *Handlers) letterAssignCmd(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	l, err := h.loadLetter(ctx, req.Args.Word(0))
	if err != nil {
		return nil, err
	}
	unit, caseWord := "", ""
	for _, w := range wordsFrom(req, 1) {
		if strings.HasPrefix(strings.ToUpper(xfbot.Normalize(w)), "XF") {
			caseWord = w
		} else {
			unit += w
		}
	}
	if unit == "" {
		return nil, xfbot.Errorf(xfbot.EINVALID, "缺少交办单位，例如：来信 交办 %s 区住建局", l.ID)
	}
	return h.letterAssign(ctx, req, l, unit, caseWord)
}

// letterShow: 来信 查看 <编号>.
func (h *Handlers) letterShow(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	l, err := h.loadLetter(ctx, req.Args.Word(0))
	if err != nil {
		return nil, err
	}
	if err := canSeeLetter(req, l); err != nil {
		return nil, err
	}
	return &bot.Reply{Card: bot.LetterCard(l, req.Today(), bot.ReaderOf(req))}, nil
}

func canSeeLetter(req *bot.Request, l *xfbot.LeaderLetter) error {
	switch req.Member.Role {
	case xfbot.RoleAdmin, xfbot.RoleMember:
		return nil
	case xfbot.RoleLeader:
		if l.Leader.OpenID == req.Sender.OpenID {
			return nil
		}
	}
	return xfbot.Errorf(xfbot.EFORBIDDEN, "来信 %s 不是写给您的，无权查看。", l.ID)
}

func (h *Handlers) loadLetter(ctx context.Context, raw string) (*xfbot.LeaderLetter, error) {
	if raw == "" {
		return nil, xfbot.Errorf(xfbot.EINVALID, "缺少来信编号（LX-年份-序号）；发送“来信 列表”可查看编号。")
	}
	id, err := xfbot.ParseLetterID(raw)
	if err != nil {
		return nil, err
	}
	l, err := h.Store.Letter(ctx, id)
	if err != nil {
		return nil, err
	}
	if l == nil {
		return nil, xfbot.Errorf(xfbot.ENOTFOUND, "没有找到来信 %s；发送“来信 列表”可查看编号。", id)
	}
	return l, nil
}

// letterRegister: 来信 @领导 <摘要> [收信:日期].
func (h *Handlers) letterRegister(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	if len(req.Mentions) == 0 {
		return nil, xfbot.Errorf(xfbot.EINVALID, "请 @ 收信的区领导，例如：来信 @周某 桂园社区居民反映回迁房延期交付")
	}
	leader, err := h.leaderOf(ctx, req)
	if err != nil {
		return nil, err
	}
	today := req.Today()
	received := today
	var words []string
	for _, w := range req.Args.Words {
		if strings.HasPrefix(w, "@") {
			continue
		}
		if k, v, ok := splitColon(w); ok && (k == "收信" || k == "收信日期" || k == "来信日期") {
			r, err := xfbot.ParseDay(v, today, h.Calendar, xfbot.Past)
			if err != nil {
				return nil, err
			}
			d := r.Date
			if d.After(today) {
				return nil, xfbot.Errorf(xfbot.EINVALID, "收信日期 %s 在今天之后，请检查。", d)
			}
			received = d
			continue
		}
		words = append(words, w)
	}
	summary := xfbot.CleanText(strings.Join(words, " "))
	if summary == "" {
		return nil, xfbot.Errorf(xfbot.EINVALID, "缺少来信摘要，例如：来信 @周某 桂园社区居民反映回迁房延期交付")
	}
	if n := xfbot.RuneLen(summary); n > MaxLetterRunes {
		return nil, xfbot.Errorf(xfbot.EINVALID, "来信摘要太长（%d 字），请控制在 %d 字以内。", n, MaxLetterRunes)
	}
	l := &xfbot.LeaderLetter{Leader: leader, Summary: summary, ReceivedOn: received, RegisteredBy: req.Actor(), RegisteredAt: req.Time,
		ReadDue: xfbot.LetterReadDue(received, h.Calendar)}
	tx := h.Store.NewTx()
	tx.CreateLetter(l, req.Time.In(req.Loc).Year())
	msg := fmt.Sprintf("✅ 已登记领导来信 %s，已送 %s 阅批，阅批期限 %s。", store.NoPlaceholder, leader.Display(), l.ReadDue)
	card := bot.LetterCard(l, today, bot.ReaderOf(req))
	card.Subtitle = msg
	reply := &bot.Reply{Text: msg, Card: card, Tx: tx}
	n := bot.LetterCard(l, today, bot.LetterReader{OpenID: leader.OpenID, Role: xfbot.RoleLeader})
	n.Subtitle = "您有一封来信待阅批，请点「批示」"
	reply.Notices = append(reply.Notices, bot.Notice{OpenID: leader.OpenID, Card: n})
	return reply, nil
}

// letterRead records an instruction (批示). A leader's act is the leader's:
// the letter's leader gives it; task-force staff may only record it on the
// leader's behalf (代录, when the leader gave it on paper or by phone), shown
// as such, with the leader told, who can still give his own, which
// supersedes it.
func (h *Handlers) letterRead(req *bot.Request, l *xfbot.LeaderLetter, text string) (*bot.Reply, error) {
	own := req.Sender.OpenID == l.Leader.OpenID
	switch {
	case own:
		if l.Stage() != xfbot.LetterUnread && !l.Proxied() {
			return nil, xfbot.Errorf(xfbot.EINVALID, "来信 %s 您已于 %s 批示：%s", l.ID, l.ReadAt.In(req.Loc).Format("2006-01-02 15:04"), xfbot.Echo(l.Instruction, 40))
		}
	case req.Member.Role == xfbot.RoleAdmin || req.Member.Role == xfbot.RoleMember:
		if l.Stage() != xfbot.LetterUnread {
			return nil, xfbot.Errorf(xfbot.EINVALID, "来信 %s 已有批示（%s），不能再代录。", l.ID, xfbot.Echo(bot.InstructionText(l), 40))
		}
	case req.Member.Role == xfbot.RoleLeader:
		return nil, xfbot.Errorf(xfbot.EFORBIDDEN, "来信 %s 写给 %s，应由其本人批示。", l.ID, l.Leader.Display())
	default:
		return nil, xfbot.Errorf(xfbot.EFORBIDDEN, "您的角色是%s，不能批示来信。", req.Member.Role.Label())
	}
	up := *l
	superseded := own && l.Proxied()
	up.ReadAt, up.Instruction, up.ReadBy = req.Time, text, req.Actor()
	if !superseded {
		up.AssignDue = xfbot.LetterAssignDue(req.Today(), h.Calendar)
	}
	tx := h.Store.NewTx()
	tx.UpdateLetter(l, &up)
	msg := fmt.Sprintf("✅ 已批示来信 %s，交办期限 %s。", l.ID, up.AssignDue)
	switch {
	case superseded:
		msg = fmt.Sprintf("✅ 已批示来信 %s，取代 %s 的代录。", l.ID, l.ReadBy.Display())
	case !own:
		msg = fmt.Sprintf("✅ 已代录 %s 对来信 %s 的批示，交办期限 %s；已告知 %s。", l.Leader.Display(), l.ID, up.AssignDue, l.Leader.Display())
	}
	card := bot.LetterCard(&up, req.Today(), bot.ReaderOf(req))
	card.Subtitle = msg
	reply := &bot.Reply{Text: msg, Card: card, Toast: msg, Tx: tx}
	if !own {
		n := bot.LetterCard(&up, req.Today(), bot.LetterReader{OpenID: l.Leader.OpenID, Role: xfbot.RoleLeader})
		n.Subtitle = fmt.Sprintf("%s 代录了您对这封来信的批示；如需修改，请点「批示」，您的批示将取代代录", req.Actor().Display())
		reply.Notices = append(reply.Notices, bot.Notice{OpenID: l.Leader.OpenID, Card: n})
	}
	if to := l.RegisteredBy.OpenID; to != "" && to != req.Sender.OpenID {
		n := bot.LetterCard(&up, req.Today(), bot.LetterReader{OpenID: to, Role: xfbot.RoleMember})
		switch {
		case superseded:
			n.Subtitle = l.Leader.Display() + " 本人已批示（取代代录），请按新批示交办"
		case own:
			n.Subtitle = l.Leader.Display() + " 已批示，请交办"
		default:
			n.Subtitle = req.Actor().Display() + " 已代录 " + l.Leader.Display() + " 的批示，请交办"
		}
		reply.Notices = append(reply.Notices, bot.Notice{OpenID: to, Card: n})
	}
	return reply, nil
}

// letterAssign records the assignment (交办) of an annotated letter.
// The mux has checked the 来信 交办 rule (staff only), typed or a button.
func (h *Handlers) letterAssign(ctx context.Context, req *bot.Request, l *xfbot.LeaderLetter, unit, caseWord string) (*bot.Reply, error) {
	switch l.Stage() {
	case xfbot.LetterUnread:
		return nil, xfbot.Errorf(xfbot.EINVALID, "来信 %s 还没有批示，请先由 %s 批示再交办。", l.ID, l.Leader.Display())
	case xfbot.LetterAssigned:
		return nil, xfbot.Errorf(xfbot.EINVALID, "来信 %s 已交办给 %s。", l.ID, l.AssignedUnit)
	}
	unit, err := parseName(unit, "交办单位")
	if err != nil {
		return nil, err
	}
	up := *l
	if strings.TrimSpace(caseWord) != "" {
		no, err := xfbot.ParseCaseNo(caseWord)
		if err != nil {
			return nil, err
		}
		cs, err := h.cases(ctx, req, []xfbot.CaseNo{no})
		if err != nil {
			return nil, err
		}
		if len(cs) == 0 {
			return nil, xfbot.Errorf(xfbot.ENOTFOUND, "没有找到案件 %s，请检查案件号。", no)
		}
		up.Case = no
	}
	up.AssignedUnit, up.AssignedAt, up.AssignedBy = unit, req.Time, req.Actor()
	tx := h.Store.NewTx()
	tx.UpdateLetter(l, &up)
	msg := fmt.Sprintf("✅ 来信 %s 已交办 %s。", l.ID, unit)
	card := bot.LetterCard(&up, req.Today(), bot.ReaderOf(req))
	card.Subtitle = msg
	reply := &bot.Reply{Text: msg, Card: card, Toast: msg, Tx: tx}
	if l.Leader.OpenID != req.Sender.OpenID {
		reply.Notices = append(reply.Notices, bot.Notice{OpenID: l.Leader.OpenID, Text: fmt.Sprintf("您批示的来信 %s 已交办 %s。", l.ID, unit)})
	}
	return reply, nil
}

// letterList: the open letters (a leader: the own ones).
func (h *Handlers) letterList(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	if req.Member.Role != xfbot.RoleAdmin && req.Member.Role != xfbot.RoleMember && req.Member.Role != xfbot.RoleLeader {
		return nil, xfbot.Errorf(xfbot.EFORBIDDEN, "领导来信只有专班成员和收信领导可以查看。")
	}
	ls, err := h.Store.OpenLetters(ctx, xfbot.Date{})
	if err != nil {
		return nil, err
	}
	var mine []*xfbot.LeaderLetter
	for _, l := range ls {
		if canSeeLetter(req, l) == nil {
			mine = append(mine, l)
		}
	}
	if len(mine) == 0 {
		return &bot.Reply{Text: "没有待阅批或待交办的领导来信。"}, nil
	}
	return &bot.Reply{Card: bot.LetterReminderCard("待办领导来信", mine, req.Today(), bot.ReaderOf(req))}, nil
}

// Card actions of the letter card.

func (h *Handlers) actionLetter(ctx context.Context, req *bot.Request) (*xfbot.LeaderLetter, error) {
	l, err := h.loadLetter(ctx, req.Action.Value["id"])
	if err != nil {
		return nil, err
	}
	return l, canSeeLetter(req, l)
}

func (h *Handlers) letterRefresh(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	l, err := h.actionLetter(ctx, req)
	if err != nil {
		return nil, err
	}
	return &bot.Reply{Card: bot.LetterCard(l, req.Today(), bot.ReaderOf(req))}, nil
}

func (h *Handlers) letterReadForm(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	l, err := h.actionLetter(ctx, req)
	if err != nil {
		return nil, err
	}
	if l.Stage() != xfbot.LetterUnread && !(l.Proxied() && req.Sender.OpenID == l.Leader.OpenID) {
		return &bot.Reply{Card: bot.LetterCard(l, req.Today(), bot.ReaderOf(req)), Toast: "这封来信已经批示。"}, nil
	}
	return &bot.Reply{Card: bot.LetterReadForm(l, req.Today(), bot.ReaderOf(req))}, nil
}

func (h *Handlers) letterReadSubmit(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	l, err := h.actionLetter(ctx, req)
	if err != nil {
		return nil, err
	}
	text, err := needText(req.Action.Form["text"], "批示内容", "请区住建局牵头，一周内答复信访人")
	if err != nil {
		return nil, err
	}
	return h.letterRead(req, l, text)
}

func (h *Handlers) letterAssignForm(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	l, err := h.actionLetter(ctx, req)
	if err != nil {
		return nil, err
	}
	if l.Stage() != xfbot.LetterRead {
		return &bot.Reply{Card: bot.LetterCard(l, req.Today(), bot.ReaderOf(req)), Toast: "这封来信现在不能交办：" + l.Stage().Label()}, nil
	}
	return &bot.Reply{Card: bot.LetterAssignForm(l, req.Today(), bot.ReaderOf(req))}, nil
}

func (h *Handlers) letterAssignSubmit(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	l, err := h.actionLetter(ctx, req)
	if err != nil {
		return nil, err
	}
	return h.letterAssign(ctx, req, l, req.Action.Form["unit"], req.Action.Form["case"])
}
