package handlers

import (
	"context"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/bot"
	"github.com/qingchuan/xfbot/store"
)

// desk answers 工作台: one card of what waits for the reader. The lead:
// extension applications and plans to approve, letters to assign, their own
// cases, measures and 督查单. A leader: plans of their cases to approve,
// letters to annotate, this month's reception day, the watched cases by
// colour with the overdue first. A member: their overdue and due-soon cases,
// measures and the 督查单 they opened. A liaison: the unit's cases, the
// measures they answer for and the unit's 督查单. Every list reads an index
// (no scan of the ledger); every button is the command it stands for.
func (h *Handlers) desk(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	if err := extraWords(req, 0); err != nil {
		return nil, err
	}
	m := req.Member
	if m.Role == xfbot.RoleViewer {
		return nil, xfbot.Errorf(xfbot.EFORBIDDEN, "工作台列出等您办理的事项；观察员只能查看，没有待办。可发送“列表”查看案件。")
	}
	m.OpenID = req.Sender.OpenID
	today := req.Today()
	d := bot.Desk{Reader: m, Name: m.Name}
	if d.Name == "" {
		d.Name = req.Sender.Name
	}
	admin, leader := m.Role == xfbot.RoleAdmin, m.Role == xfbot.RoleLeader
	first := func(cs []*xfbot.Case) []*xfbot.Case { return cs[:min(len(cs), bot.DeskLimit)] }

	if admin {
		cs, n, err := h.Store.List(ctx, store.Query{Index: store.IndexExtensionRequests(), Limit: bot.DeskLimit})
		if err != nil {
			return nil, err
		}
		d.Extensions, d.ExtensionsTotal = cs, n
	}
	if admin || leader {
		nos, err := h.Store.PendingPlans(ctx)
		if err != nil {
			return nil, err
		}
		cs, err := h.Store.Cases(ctx, nos)
		if err != nil {
			return nil, err
		}
		var mine []*xfbot.Case
		for _, c := range cs {
			if c != nil && (admin || c.Leader.OpenID == m.OpenID) {
				mine = append(mine, c)
			}
		}
		d.Plans, d.PlansTotal = first(mine), len(mine)
	}
	if admin || leader || m.Role == xfbot.RoleMember {
		ls, err := h.Store.OpenLetters(ctx, xfbot.Date{})
		if err != nil {
			return nil, err
		}
		var mine []*xfbot.LeaderLetter
		for _, l := range ls {
			switch {
			case leader && l.Leader.OpenID == m.OpenID && l.Stage() == xfbot.LetterUnread,
				!leader && l.Stage() == xfbot.LetterRead && (admin || l.RegisteredBy.OpenID == m.OpenID):
				mine = append(mine, l)
			}
		}
		d.Letters, d.LettersTotal = mine[:min(len(mine), bot.DeskLimit)], len(mine)
	}
	if leader {
		mon := xfbot.MonthOf(today)
		rs, err := h.Store.ReceptionsBetween(ctx, mon.First(), mon.Last())
		if err != nil {
			return nil, err
		}
		d.Reception = bot.LeaderReceptionStatus(m.OpenID, rs, today)
		ws, err := h.Store.LeaderWatches(ctx, []string{m.OpenID}, req.Time, bot.WeekEnd(today), h.Thresholds.OrDefault(), bot.DeskLimit)
		if err != nil {
			return nil, err
		}
		if len(ws) == 1 {
			d.Watch = &ws[0]
		}
	} else {
		q := store.Query{Index: store.IndexOwner(m.OpenID), DueTo: today.AddDays(h.Thresholds.OrDefault().Yellow), Limit: bot.DeskLimit}
		if m.Role == xfbot.RoleLiaison {
			// The liaison's scope (xfbot.Member.CanSee): the unit, under
			// every name it had, as 主责单位 or as 属地.
			ns := m.UnitNames()
			q.Index, q.Where = store.IndexOpen(), [][]store.Cond{{{Field: store.FieldUnit, Values: ns}, {Field: store.FieldArea, Values: ns}}}
		}
		cs, n, err := h.Store.List(ctx, q)
		if err != nil {
			return nil, err
		}
		d.Cases, d.CasesTotal = cs, n
	}
	if !leader {
		refs, err := h.Store.MeasuresOf(ctx, m.OpenID)
		if err != nil {
			return nil, err
		}
		d.MeasuresTotal = len(refs)
		refs = refs[:min(len(refs), bot.DeskLimit)]
		nos := make([]xfbot.CaseNo, len(refs))
		for i, r := range refs {
			nos[i] = r.Case
		}
		cs, err := h.Store.Cases(ctx, nos)
		if err != nil {
			return nil, err
		}
		byNo := make(map[xfbot.CaseNo]*xfbot.Case, len(cs))
		for _, c := range cs {
			byNo[c.No] = c
		}
		for _, r := range refs {
			if c := byNo[r.Case]; c != nil {
				d.Measures = append(d.Measures, bot.DeskMeasure{Case: c, N: r.N, Due: r.Due})
			}
		}
		var items []*xfbot.SupervisionItem
		if m.Role == xfbot.RoleLiaison {
			items, err = h.Store.OpenSupervision(ctx, m.UnitNames()...)
		} else {
			items, err = h.Store.InspectorSupervision(ctx, m.OpenID)
		}
		if err != nil {
			return nil, err
		}
		d.Supervision, d.SupervisionTotal = items[:min(len(items), bot.DeskLimit)], len(items)
	}
	return &bot.Reply{Card: bot.DeskCard(d, h.view(req))}, nil
}
