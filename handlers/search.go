package handlers

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/bot"
	"github.com/qingchuan/xfbot/store"
)

// searchPage is how many cases one 搜索 reply lists.
const searchPage = 20

// search answers 搜索 <词> (private chats only): by petitioner name, phone
// (any 4 or more consecutive digits of it), ID number, a word of a title or
// progress entry, a case number or this year's serial. It reads the search
// index (store.Search), never the ledger; each case listed passes through
// the reader's mask, a liaison finds only the own unit's cases, and a
// reader finds nobody by personal data the reader does not see
// (xfbot.PersonalSearch). The search is audited by kind and count, never
// by what was typed.
func (h *Handlers) search(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	year := req.Today().Year
	q, err := xfbot.ParseSearch(req.Args.Rest(0), year)
	if err != nil {
		return nil, err
	}
	a := req.Audience()
	if what := xfbot.Refused(q, a); what != "" {
		return nil, xfbot.Errorf(xfbot.EFORBIDDEN, "您的角色是%s，看到的信访人%s是脱敏的，不能按%s搜索。可以按案件号、信访人姓名（联络员）、标题或进展中的词搜索，例如：搜索 回迁安置。",
			req.Member.Role.Label(), what, what)
	}
	sq := store.SearchQuery{Terms: h.Store.Indexer().Terms(q, a), Limit: searchPage}
	if q.No != "" {
		sq.Nos = []xfbot.CaseNo{q.No}
	}
	if req.Member.Role == xfbot.RoleLiaison {
		sq.Within = req.Member.UnitNames()
	}
	r, err := h.Store.Search(ctx, sq)
	if err != nil {
		return nil, err
	}
	var cases []*xfbot.Case
	for _, c := range r.Named {
		if req.Member.CanSee(c) {
			cases = append(cases, c)
		}
	}
	total := r.Total + len(cases)
	cases = append(cases, r.Cases...)
	if len(cases) > searchPage {
		cases = cases[:searchPage]
	}

	tx := h.Store.NewTx()
	tx.Audit(store.AuditEntry{At: req.Time, By: req.Actor(), Action: "搜索", Entity: "search:" + q.Kind.Label(),
		After: fmt.Sprintf("%d 件", total), Via: req.Via})

	v := h.view(req)
	shown := xfbot.Echo(q.Raw, 20)
	card := &bot.Card{Title: fmt.Sprintf("搜索“%s”（共 %d 件）", shown, total), Color: "blue"}
	var notes []string
	if q.Name != "" && !xfbot.PersonalSearch(a).Name {
		notes = append(notes, "观察员看到的信访人姓名是脱敏的，这里只按标题和进展中的词查找。")
	}
	if q.Kind == xfbot.SearchSerial && q.Digits != "" && !xfbot.PersonalSearch(a).Phone {
		notes = append(notes, "只按序号查找：按电话搜索限能看到完整电话的成员。")
	}
	if total == 0 {
		card.Sections = []string{"没有找到相符的案件。\n" + searchHints(q, req.Member, xfbot.PersonalSearch(a))}
		card.Note = strings.Join(notes, " ")
		return &bot.Reply{Card: card, Tx: tx}, nil
	}
	lines := make([]string, 0, len(cases))
	for _, c := range cases {
		line := bot.CaseLine(c, v)
		if p := xfbot.MaskPetitioner(c, v.Audience); p.Name != "" {
			line += " · " + p.Name
		}
		lines = append(lines, bot.Escape(line))
	}
	card.Sections = []string{strings.Join(lines, "\n")}
	if total > len(cases) {
		notes = append(notes, fmt.Sprintf("只显示最新的 %d 件；写得更具体些可缩小范围。", len(cases)))
	}
	if req.Member.Role == xfbot.RoleLiaison {
		notes = append(notes, "联络员只能搜到本单位（"+req.Member.Unit+"）的案件。")
	}
	notes = append(notes, "发送“查看 案件号”看详情。")
	card.Note = strings.Join(notes, " ")
	return &bot.Reply{Card: card, Tx: tx}, nil
}

// searchHints says how to search better after nothing was found.
func searchHints(q xfbot.Search, m xfbot.Member, may xfbot.SearchRights) string {
	var hs []string
	switch q.Kind {
	case xfbot.SearchCaseNo, xfbot.SearchSerial:
		hs = append(hs, "案件号写作 XF-年份-序号（XF-2025-0031）；只写序号（12、0012）找的是今年的案件。")
		if q.Digits != "" && may.Phone {
			hs = append(hs, "4 位以上的数字也按电话的一部分查找。")
		}
	case xfbot.SearchPhone:
		hs = append(hs, "电话可以只写其中连续 4 位以上，例如尾号：搜索 5678。")
	case xfbot.SearchID:
		hs = append(hs, "身份证号请写全 18 位（旧号码 15 位）；新旧号码都能找到同一人。")
	case xfbot.SearchNameOrWord:
		if may.Name {
			hs = append(hs, "姓名请写全名（张建国）；也会按标题和进展中的词查找。")
		} else {
			hs = append(hs, "换一个标题或进展中的词试试，例如 搜索 回迁。")
		}
	default:
		hs = append(hs, "关键词按标题和进展中的词查找：换一个词或少写几个字试试，例如 搜索 回迁。")
	}
	if m.Role == xfbot.RoleLiaison {
		hs = append(hs, "联络员只能搜到本单位（"+m.Unit+"）的案件。")
	}
	return "提示：" + strings.Join(hs, "")
}

// repeat is what 新建 found of the new case's petitioner (store.SamePetitioner)
// and did about it: the note its reply adds, and the links its Tx writes.
type repeat struct {
	note string
	link []*xfbot.Case
}

// repeats looks up the same petitioner's other cases before c is written:
// it links c to those with the same phone or ID number (c.Related now, the
// other side with write), tags c 重复信访 when it repeats a concluded one
// (xfbot.RepeatOf), and words the note for the reader: the cases the reader
// may see, by number and status only (此信访人另有 2 件：XF-2026-0031（办理中）…),
// and those with the same name and 属地 as 可能.
func (h *Handlers) repeats(ctx context.Context, req *bot.Request, c *xfbot.Case) (repeat, error) {
	same, maybe, err := h.Store.SamePetitionerFrom(ctx, c, req.Petitioner())
	if err != nil || len(same)+len(maybe) == 0 {
		return repeat{}, err
	}
	var reg *xfbot.Registry
	if slices.ContainsFunc(same, func(o *xfbot.Case) bool { return o.Unit != c.Unit }) {
		if reg, err = h.registry(ctx, req); err != nil { // one unit, several names (改名, 合并)
			return repeat{}, err
		}
	}
	var r repeat
	link, repeated := xfbot.RepeatOf(c, same, reg)
	r.link = link
	for _, o := range link {
		c.Related = append(c.Related, o.No)
	}
	if repeated != nil {
		c.AddTag(xfbot.TagRepeat)
	}
	a := req.Audience()
	today := req.Today()
	// What the reader may be told: cases the reader may see, whose
	// petitioner the reader may know (an accuser stays unnamed).
	tell := func(cs []*xfbot.Case) []string {
		var out []string
		for _, o := range cs {
			if !req.Member.CanSee(o) || !xfbot.Relevant(o, today, req.Loc) || xfbot.MaskPetitioner(o, a).Name != xfbot.MaskPetitioner(&xfbot.Case{Petitioner: o.Petitioner}, a).Name {
				continue
			}
			out = append(out, string(o.No)+"（"+o.Status.Label()+"）")
		}
		return out
	}
	if c.Accusation && (a.Group || a.Role == xfbot.RoleLiaison) {
		return r, nil // the accuser is not to be known here
	}
	list := func(s []string) string {
		if len(s) > 5 {
			return strings.Join(s[:5], "、") + fmt.Sprintf(" 等 %d 件", len(s))
		}
		return strings.Join(s, "、")
	}
	if s := tell(same); len(s) > 0 {
		r.note += fmt.Sprintf("\n此信访人另有 %d 件：%s", len(s), list(s))
		if repeated != nil && len(tell([]*xfbot.Case{repeated})) > 0 {
			r.note += fmt.Sprintf("；与已%s的 %s 事项相同，已标记“重复信访”", concluded(repeated), repeated.No)
		}
		if len(link) > 0 {
			r.note += "。已关联，案件卡片上可见。"
		} else {
			r.note += "。"
		}
	}
	if s := tell(maybe); len(s) > 0 {
		r.note += fmt.Sprintf("\n可能是同一信访人（同名、同属地，未核实）：%s。", list(s))
	}
	return r, nil
}

// concluded words how a concluded case ended.
func concluded(c *xfbot.Case) string {
	switch c.StageOf() {
	case xfbot.StageTerminated:
		return "终结"
	case xfbot.StageConcluded:
		return "办结"
	}
	return strings.TrimPrefix(c.Status.Label(), "已")
}
