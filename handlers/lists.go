package handlers

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/bot"
	"github.com/qingchuan/xfbot/store"
)

// listPage is how many cases one list reply shows.
const listPage = 30

// list answers 列表 [逾期|临期|我的|包保|全部|稳控|已化解|已销号|单位:x|属地:x].
func (h *Handlers) list(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	filter := strings.ToLower(xfbot.Normalize(strings.Join(req.Args.Words, "")))
	return h.listBy(ctx, req, filter)
}

// mine answers 我的: the cases the caller owns or, for a leader, watches.
func (h *Handlers) mine(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	if err := extraWords(req, 0); err != nil {
		return nil, err
	}
	return h.listBy(ctx, req, "我的")
}

func (h *Handlers) listBy(ctx context.Context, req *bot.Request, filter string) (*bot.Reply, error) {
	today := req.Today()
	q := store.Query{Index: store.IndexOpen(), Limit: listPage}
	title := "在办案件"
	switch {
	case filter == "" || filter == "在办" || filter == "open":
	case filter == "逾期" || filter == "超期" || filter == "overdue":
		q.DueTo, title = today.AddDays(-1), "逾期案件"
	case filter == "临期" || filter == "将到期" || filter == "due" || filter == "soon":
		q.DueFrom, q.DueTo, title = today, today.AddDays(h.Thresholds.Yellow), fmt.Sprintf("%d 天内到期", h.Thresholds.Yellow)
	case filter == "我的" || filter == "mine":
		q.Index, title = store.IndexOwner(req.Sender.OpenID), "我包案的在办案件"
		if req.Member.Role == xfbot.RoleLeader {
			q.Index, title = store.IndexLeader(req.Sender.OpenID), "我包保的在办案件"
		}
	case filter == "包保" || filter == "leader":
		q.Index, title = store.IndexLeader(req.Sender.OpenID), "我包保的在办案件"
	case filter == "全部" || filter == "all":
		q.Index, q.Reverse, title = store.IndexAll(), true, "全部案件（新登记在前）"
	case strings.HasPrefix(filter, "单位:") || strings.HasPrefix(filter, "unit:"):
		u := strings.TrimSpace(filter[strings.Index(filter, ":")+1:])
		q.Index, title = store.IndexUnit(u), "主责单位："+u
	case strings.HasPrefix(filter, "属地:") || strings.HasPrefix(filter, "area:"):
		a := strings.TrimSpace(filter[strings.Index(filter, ":")+1:])
		q.Index, title = store.IndexArea(a), "属地："+a
	default:
		st, ok := xfbot.ParseStatus(filter)
		if !ok {
			return nil, xfbot.Errorf(xfbot.EINVALID, "不认识的筛选“%s”。可用：逾期、临期、我的、包保、全部、办理中、稳控、已化解、已销号、单位:名称、属地:名称。", xfbot.Echo(filter, 20))
		}
		q.Index, title = store.IndexStatus(st), st.Label()+"的案件"
	}
	var cases []*xfbot.Case
	var total int
	if req.Member.Role == xfbot.RoleLiaison {
		var err error
		if cases, total, err = h.liaisonList(ctx, req, q); err != nil {
			return nil, err
		}
		title += "（本单位）"
	} else {
		var err error
		if cases, total, err = h.Store.List(ctx, q); err != nil {
			return nil, err
		}
	}
	v := h.view(req)
	card := &bot.Card{Title: fmt.Sprintf("%s（共 %d 件）", title, total), Color: "blue"}
	if total == 0 {
		card.Sections = []string{"没有符合条件的案件。"}
		return &bot.Reply{Card: card}, nil
	}
	var lines []string
	for _, c := range cases {
		lines = append(lines, bot.Escape(bot.CaseLine(c, v)))
	}
	card.Sections = []string{strings.Join(lines, "\n")}
	if total > len(cases) {
		card.Note = fmt.Sprintf("只显示前 %d 件；可加筛选缩小范围，例如“列表 逾期”“列表 单位:区住建局”。", len(cases))
	}
	card.Note = strings.TrimSpace(card.Note + " 发送“查看 案件号”看详情。")
	return &bot.Reply{Card: card}, nil
}

// liaisonList restricts a list to the liaison's own unit: the cases whose
// 主责单位 or 属地 is that unit, merged by due date.
func (h *Handlers) liaisonList(ctx context.Context, req *bot.Request, q store.Query) ([]*xfbot.Case, int, error) {
	var all []*xfbot.Case
	seen := map[xfbot.CaseNo]bool{}
	for _, ix := range []store.Index{store.IndexUnit(req.Member.Unit), store.IndexArea(req.Member.Unit)} {
		q2 := q
		q2.Index, q2.Limit = ix, 500
		cs, _, err := h.Store.List(ctx, q2)
		if err != nil {
			return nil, 0, err
		}
		for _, c := range cs {
			if !seen[c.No] && req.Member.CanSee(c) && (q.Index == store.IndexOpen() || matches(c, q.Index, req)) {
				seen[c.No] = true
				all = append(all, c)
			}
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].Due.Before(all[j].Due) })
	total := len(all)
	if len(all) > q.Limit {
		all = all[:q.Limit]
	}
	return all, total, nil
}

// matches re-applies a person or status index to a case already read
// through the liaison's unit indexes.
func matches(c *xfbot.Case, ix store.Index, req *bot.Request) bool {
	switch ix {
	case store.IndexOwner(req.Sender.OpenID):
		return c.Owner.OpenID == req.Sender.OpenID
	case store.IndexLeader(req.Sender.OpenID):
		return c.Leader.OpenID == req.Sender.OpenID
	}
	return true
}
