// Package handlers holds xfbot's commands and card actions, one file per
// feature; routes.go registers them all in one routing table.
//
// A handler decides; it does no writing of its own. It reads what it needs
// (the mux has already loaded the caller and the case a command names),
// builds the change as a store.Tx and returns it with the reply. The mux
// commits both in one round trip, with the event's dedupe marker.
package handlers

import (
	"context"
	"fmt"
	"strings"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/bot"
	"github.com/qingchuan/xfbot/report"
	"github.com/qingchuan/xfbot/store"
)

// Handlers carries what the commands need. Plain values: config belongs to cmd.
type Handlers struct {
	Store       *store.Store
	Calendar    *xfbot.Calendar // nil: weekends only
	Thresholds  xfbot.Thresholds
	GroupChatID string // the task-force group; "" disables group notices
	Reports     *report.Reports
	// ObserveDays is resolution.observe_days: a resolved case is signed off
	// only after a 回访 at least this long after 化解 (0: 30 days).
	ObserveDays int
	// RectifyDays is supervision.rectify_days: a 督查单's default 整改期限
	// in working days (0: the DeadlineRectify rule's 7).
	RectifyDays int
	// Demo allows 演示数据 (loading synthetic cases): the local console only,
	// never a real ledger.
	Demo bool
	// OrgContacts are roster.org_contact: the 组织部 contact(s), who read
	// the recall records (成员 召回记录), get each new one by DM and
	// confirm it 已记录. They need no member record.
	OrgContacts []string
	// AttachRequiredFor are attachments.require_for: the verbs (答复, 化解)
	// refused on a case without an attachment (the 处理意见书, the 息诉罢访
	// 协议). Empty: none.
	AttachRequiredFor []string
	// City are the districts of the deployment, for the 市级 role's 全市
	// 统计 (the routing, bot.Tenants, says who has the role); CityName is
	// city.name. Nil: no city view.
	City     []report.CityDistrict
	CityName string

	mux *bot.Mux
}

func (h *Handlers) view(req *bot.Request) bot.View { return bot.ViewFor(req, h.Thresholds) }

// change records one audited field change.
func change(req *bot.Request, field, before, after string) xfbot.Change {
	return xfbot.Change{At: req.Time, By: req.Actor(), Action: req.Verb, Field: field, Before: before, After: after}
}

// caseReply is the reply to a change of a case: the updated card, with what
// happened in its subtitle.
func (h *Handlers) caseReply(req *bot.Request, c *xfbot.Case, recent []xfbot.Progress, msg string, tx *store.Tx) *bot.Reply {
	card := bot.CaseCard(c, recent, h.view(req))
	card.Subtitle = msg
	return &bot.Reply{Card: card, Text: msg, Toast: msg, Tx: tx}
}

// update starts the write of a modified copy of the request's case.
func (h *Handlers) update(req *bot.Request) (old, c *xfbot.Case, tx *store.Tx) {
	old = req.Case
	cp := *old
	cp.UpdatedAt = req.Time
	tx = h.Store.NewTx()
	return old, &cp, tx
}

// notOpen refuses changes to a case that is no longer being handled.
func notOpen(c *xfbot.Case, what string) error {
	switch c.Status {
	case xfbot.StatusClosed:
		return xfbot.Errorf(xfbot.EINVALID, "案件 %s 已销号，不能再%s。如有新情况，请管理员先发送“重开 %s <理由>”。", c.No, what, c.No)
	case xfbot.StatusResolved:
		return xfbot.Errorf(xfbot.EINVALID, "案件 %s 已化解，不能再%s。如出现反复，请管理员发送“重开 %s <理由>”。", c.No, what, c.No)
	}
	return nil
}

// privacyNote tells a member who typed a phone or ID number into free text
// in a private chat that others will read it masked. In a group the message
// has already been read; the reply itself is masked.
func privacyNote(req *bot.Request, texts ...string) string {
	if req.Group {
		return ""
	}
	for _, t := range texts {
		if xfbot.ContainsPersonalData(t) {
			return "\n提示：文字中含有电话或身份证号，群聊和观察员看到的是脱敏后的内容（如 138****5678）；信访人的电话、身份证号请写在 电话:、身份证: 字段里。"
		}
	}
	return ""
}

// needText checks a free-text argument: present, not too long.
func needText(s, what, example string) (string, error) {
	s = xfbot.CleanText(s)
	if s == "" {
		return "", xfbot.Errorf(xfbot.EINVALID, "缺少%s。例如：%s", what, example)
	}
	if n := xfbot.RuneLen(s); n > xfbot.MaxTextRunes {
		return "", xfbot.Errorf(xfbot.EINVALID, "%s太长（%d 字），请控制在 %d 字以内，可分几次记录。", what, n, xfbot.MaxTextRunes)
	}
	return s, nil
}

// oneMention returns the single person @-mentioned in the command.
func oneMention(req *bot.Request, who string) (xfbot.Person, error) {
	switch len(req.Mentions) {
	case 0:
		return xfbot.Person{}, xfbot.Errorf(xfbot.EINVALID, "请 @ 一位%s。", who)
	case 1:
		return req.Mentions[0], nil
	}
	return xfbot.Person{}, xfbot.Errorf(xfbot.EINVALID, "一次只能 @ 一位%s，您 @ 了 %d 位。", who, len(req.Mentions))
}

// extraWords refuses words beyond what a command takes.
func extraWords(req *bot.Request, max int) error {
	words := 0
	for _, w := range req.Args.Words {
		if !strings.HasPrefix(w, "@") {
			words++
		}
	}
	if words > max {
		return xfbot.Errorf(xfbot.EINVALID, "多了参数“%s”。", xfbot.Echo(strings.Join(req.Args.Words[max:], " "), 30))
	}
	return nil
}

// memberOf is the member record of openID (nil: not a member): the one
// read with the request when the command @-mentioned them, else a read.
func (h *Handlers) memberOf(ctx context.Context, req *bot.Request, openID string) (*xfbot.Member, error) {
	if m, known := req.MentionedMember(openID); known {
		if m == nil {
			return nil, nil
		}
		c := *m
		return &c, nil
	}
	return h.member(ctx, openID)
}

// members are every member record: the ones read with the request (a
// route with Members), else a read (req may be nil: a background task).
func (h *Handlers) members(ctx context.Context, req *bot.Request) ([]xfbot.Member, error) {
	if req != nil {
		if ms, ok := req.Members(); ok {
			return ms, nil
		}
	}
	return h.Store.Members(ctx)
}

// plans is the plan of case no: the one read with the request (a route
// with Plan, for its case), else a read.
func (h *Handlers) plans(ctx context.Context, req *bot.Request, no xfbot.CaseNo) (*xfbot.Plans, error) {
	if req != nil && req.Case != nil && req.Case.No == no {
		if ps, ok := req.Plans(); ok {
			return ps, nil
		}
	}
	return h.Store.Plans(ctx, no)
}

// cases are the cases numbered nos that exist, in that order: the ones read
// with the request (a route with Cases) when it read them all, else a read.
func (h *Handlers) cases(ctx context.Context, req *bot.Request, nos []xfbot.CaseNo) ([]*xfbot.Case, error) {
	out := make([]*xfbot.Case, 0, len(nos))
	for _, no := range nos {
		c, known := req.NamedCase(no)
		if !known {
			return h.Store.Cases(ctx, nos)
		}
		if c != nil {
			out = append(out, c)
		}
	}
	return out, nil
}

// reception is reception id with its linked cases (nil: none such): the
// one read with the request (a route with Named), else a read.
func (h *Handlers) reception(ctx context.Context, req *bot.Request, id xfbot.ReceptionID) (*store.ReceptionView, error) {
	if req != nil {
		if v, known := req.NamedReception(id); known {
			return v, nil
		}
	}
	return h.Store.Reception(ctx, id)
}

// registry is the registry: the one read with the request (a route with
// Registry), else a read.
func (h *Handlers) registry(ctx context.Context, req *bot.Request) (*xfbot.Registry, error) {
	if req != nil && req.Registry != nil {
		return req.Registry, nil
	}
	return h.Store.Registry(ctx)
}

// member reads another person's member record (for 指派, 包保, 成员).
func (h *Handlers) member(ctx context.Context, openID string) (*xfbot.Member, error) {
	l, err := h.Store.Load(ctx, openID, "")
	if err != nil {
		return nil, fmt.Errorf("handlers: load member %s: %w", openID, err)
	}
	return l.Member, nil
}

// groupNotice is a masked card for the task-force group, unless the request
// itself is in that group (its reply already shows the card there).
func (h *Handlers) groupNotice(req *bot.Request, c *xfbot.Case, recent []xfbot.Progress, msg string) []bot.Notice {
	if h.GroupChatID == "" || req.ChatID == h.GroupChatID {
		return nil
	}
	v := bot.View{Audience: xfbot.GroupAudience, ChatID: h.GroupChatID, Today: req.Today(), Thresholds: h.Thresholds, Loc: req.Loc}
	card := bot.CaseCard(c, recent, v)
	card.Subtitle = msg
	return []bot.Notice{{ChatID: h.GroupChatID, Card: card}}
}

// entry adds a timeline entry to c, the case being written by tx (before
// tx.UpdateCase, so that the count is in the record), and returns the latest
// entries the reply's card shows.
func entry(req *bot.Request, c *xfbot.Case, tx *store.Tx, kind xfbot.ProgressKind, text string) []xfbot.Progress {
	p := xfbot.Progress{At: req.Time, Author: req.Actor(), Kind: kind, Text: text}
	c.Progresses++
	tx.AddProgress(c.No, p)
	return lastN(append(append([]xfbot.Progress(nil), req.Recent...), p), store.RecentProgress)
}

func lastN(ps []xfbot.Progress, n int) []xfbot.Progress {
	if len(ps) > n {
		return ps[len(ps)-n:]
	}
	return ps
}

func dateText(d xfbot.Date) string {
	if d.IsZero() {
		return ""
	}
	return d.String()
}
