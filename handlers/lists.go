package handlers

import (
	"context"
	"fmt"
	"strings"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/bot"
	"github.com/qingchuan/xfbot/store"
)

// listPage is how many cases one list reply shows.
const listPage = 30

// listFilters is what 列表 takes, for the refusal of a word it does not.
const listFilters = "逾期、临期、我的、包保、全部、办理中、稳控、已化解、已销号、单位:名称、属地:名称、类别:名称；可以组合，例如：列表 逾期 单位:区人社局 属地:青峰镇 我的"

// listFilter is the words of 列表, read: at most one of each kind; they
// combine (all must hold).
type listFilter struct {
	due    string // "", "逾期", "临期"
	person string // "", "我的", "包保"
	all    bool   // 全部: every status
	status xfbot.Status
	unit   string // canonical names, as resolved
	area   string
	cat    string // the category's code
	catLbl string
}

// parseList reads the words of 列表 one by one: an unknown word is refused
// with the list of filters, never taken as part of another filter.
func (h *Handlers) parseList(ctx context.Context, req *bot.Request, words []string) (listFilter, error) {
	var f listFilter
	var reg *xfbot.Registry
	twice := func(a, b string) error {
		return xfbot.Errorf(xfbot.EINVALID, "“%s”和“%s”只能写一个。可用的筛选：%s", a, b, listFilters)
	}
	for i := 0; i < len(words); i++ {
		raw := words[i]
		w := strings.ToLower(xfbot.Normalize(strings.TrimSpace(raw)))
		if key, val, colon := splitColon(w); colon {
			var kind xfbot.RegKind
			var dst *string
			switch key {
			case "单位", "主责单位", "unit":
				kind, dst = xfbot.RegUnit, &f.unit
			case "属地", "街镇", "area":
				kind, dst = xfbot.RegArea, &f.area
			case "类别", "分类", "category":
				kind, dst = xfbot.RegCategory, &f.cat
			default:
				return f, xfbot.Errorf(xfbot.EINVALID, "不认识的筛选“%s”。可用：%s", xfbot.Echo(raw, 20), listFilters)
			}
			// 单位: 区人社局, written with a space after the colon.
			if val == "" && i+1 < len(words) {
				i++
				val = words[i]
			}
			if val == "" {
				return f, xfbot.Errorf(xfbot.EINVALID, "“%s:”后面要写名称，例如：列表 %s:%s", key, key, map[xfbot.RegKind]string{xfbot.RegUnit: "区住建局", xfbot.RegArea: "云溪街道", xfbot.RegCategory: "征地拆迁"}[kind])
			}
			if *dst != "" {
				return f, xfbot.Errorf(xfbot.EINVALID, "%s只能写一个，您写了两次。", kind.Noun())
			}
			if reg == nil {
				var err error
				if reg, err = h.registry(ctx, req); err != nil {
					return f, err
				}
			}
			v, err := reg.Check(kind, val)
			if err != nil {
				return f, err
			}
			*dst = v
			if kind == xfbot.RegCategory {
				f.catLbl = xfbot.Category(v).Label()
			}
			continue
		}
		var due, person string
		switch w {
		case "在办", "open":
			continue
		case "逾期", "超期", "overdue":
			due = "逾期"
		case "临期", "将到期", "due", "soon":
			due = "临期"
		case "我的", "mine":
			person = "我的"
		case "包保", "leader":
			person = "包保"
		case "全部", "all":
			if f.status != "" {
				return f, twice("全部", f.status.Label())
			}
			f.all = true
			continue
		default:
			st, ok := xfbot.ParseStatus(w)
			if !ok {
				return f, xfbot.Errorf(xfbot.EINVALID, "不认识的筛选“%s”。可用：%s", xfbot.Echo(raw, 20), listFilters)
			}
			switch {
			case f.all:
				return f, twice("全部", st.Label())
			case f.status != "" && f.status != st:
				return f, twice(f.status.Label(), st.Label())
			}
			f.status = st
			continue
		}
		if due != "" {
			if f.due != "" && f.due != due {
				return f, twice(f.due, due)
			}
			f.due = due
		}
		if person != "" {
			if f.person != "" && f.person != person {
				return f, xfbot.Errorf(xfbot.EINVALID, "“我的”和“包保”请分开列：列表 我的，或 列表 包保。")
			}
			f.person = person
		}
	}
	if f.due != "" && (f.all || (f.status != "" && !f.status.Open())) {
		what := "全部"
		if !f.all {
			what = f.status.Label()
		}
		return f, xfbot.Errorf(xfbot.EINVALID, "“%s”的案件包括已办结的，不再计算期限，不能与“%s”同时使用。在办案件请写：列表 %s", what, f.due, f.due)
	}
	return f, nil
}

// list answers 列表 with any combination of filters.
func (h *Handlers) list(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	f, err := h.parseList(ctx, req, req.Args.Words)
	if err != nil {
		return nil, err
	}
	return h.listBy(ctx, req, f)
}

// mine answers 我的: the cases the caller owns or, for a leader, watches.
func (h *Handlers) mine(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	if err := extraWords(req, 0); err != nil {
		return nil, err
	}
	return h.listBy(ctx, req, listFilter{person: "我的"})
}

// listBy runs one list: every filter is an index or a condition of one
// store query (store.Query.Where), evaluated in Redis in one round trip
// with the exact count; a liaison's own unit (as 主责单位 or as 属地) is
// one more condition, so that the liaison's count is exact too.
func (h *Handlers) listBy(ctx context.Context, req *bot.Request, f listFilter) (*bot.Reply, error) {
	today := req.Today()
	q := store.Query{Index: store.IndexOpen(), Limit: listPage}
	core := "在办案件"
	switch {
	case f.all:
		q.Index, q.Reverse, core = store.IndexAll(), true, "全部案件（新登记在前）"
	case f.status != "":
		q.Index, core = store.IndexStatus(f.status), f.status.Label()+"的案件"
	}
	var extras []string
	switch f.due {
	case "逾期":
		q.DueTo = today.AddDays(-1)
		if f.status == "" {
			core = "逾期案件"
		} else {
			extras = append(extras, "逾期")
		}
	case "临期":
		q.DueFrom, q.DueTo = today, today.AddDays(h.Thresholds.Yellow)
		if f.status == "" {
			core = fmt.Sprintf("%d 天内到期", h.Thresholds.Yellow)
		} else {
			extras = append(extras, fmt.Sprintf("%d 天内到期", h.Thresholds.Yellow))
		}
	}
	prefix := ""
	if f.person != "" {
		field, ix := store.FieldOwner, store.IndexOwner(req.Sender.OpenID)
		prefix = "我包案的"
		if f.person == "包保" || req.Member.Role == xfbot.RoleLeader {
			field, ix, prefix = store.FieldLeader, store.IndexLeader(req.Sender.OpenID), "我包保的"
		}
		if q.Index == store.IndexOpen() {
			q.Index = ix // the person's own index: the cost follows the page
		} else {
			q.Where = append(q.Where, []store.Cond{{Field: field, Values: []string{req.Sender.OpenID}}})
		}
	}
	var reg *xfbot.Registry
	names := func(name string) ([]string, error) {
		if reg == nil {
			var err error
			if reg, err = h.registry(ctx, req); err != nil {
				return nil, err
			}
		}
		return reg.NamesOf(name), nil // a renamed unit's cases under its former names too
	}
	if f.unit != "" {
		ns, err := names(f.unit)
		if err != nil {
			return nil, err
		}
		q.Where = append(q.Where, []store.Cond{{Field: store.FieldUnit, Values: ns}})
		extras = append(extras, "主责单位："+f.unit)
	}
	if f.area != "" {
		ns, err := names(f.area)
		if err != nil {
			return nil, err
		}
		q.Where = append(q.Where, []store.Cond{{Field: store.FieldArea, Values: ns}})
		extras = append(extras, "属地："+f.area)
	}
	if f.cat != "" {
		q.Where = append(q.Where, []store.Cond{{Field: store.FieldCategory, Values: []string{f.cat}}})
		extras = append(extras, "类别："+f.catLbl)
	}
	title := strings.Join(append([]string{prefix + core}, extras...), " · ")
	if req.Member.Role == xfbot.RoleLiaison {
		// The liaison's scope (xfbot.Member.CanSee): the unit as 主责单位 or
		// as 属地, one condition of two alternatives.
		if req.Member.Unit == "" {
			return nil, xfbot.Errorf(xfbot.EFORBIDDEN, "您的联络员记录没有所在单位，请专班管理员发送“成员 添加 @您 联络员 <单位>”补上。")
		}
		ns, err := names(req.Member.Unit)
		if err != nil {
			return nil, err
		}
		q.Where = append(q.Where, []store.Cond{{Field: store.FieldUnit, Values: ns}, {Field: store.FieldArea, Values: ns}})
		title += "（本单位）"
	}
	cases, total, err := h.Store.List(ctx, q)
	if err != nil {
		return nil, err
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
		card.Note = fmt.Sprintf("只显示前 %d 件；可加筛选缩小范围，例如“列表 逾期”“列表 单位:区住建局”，筛选可以组合。", len(cases))
	}
	card.Note = strings.TrimSpace(card.Note + " 发送“查看 案件号”看详情。")
	return &bot.Reply{Card: card}, nil
}
