package handlers

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/bot"
	"github.com/qingchuan/xfbot/store"
)

// 一案一策 (issue 11, 参谋部): 方案 起草/措施/查看/检查/提交/批准/退回/完成/列表.
//
// A plan is written by the task force (admins and members) and by the
// case's 包案领导; it is approved, or returned, by the lead or the case's
// 包案领导, after the consistency check of 三到位一处理 (xfbot.PlanProblems)
// passes. A change after approval goes into a new version, approved in its
// turn; the version in force keeps running meanwhile. On approval each open
// measure becomes a deadline of the one index (plan:<案件号>#<序号>, owned by
// its 负责人) and so does the 化解目标日 (plan:<案件号>, the case's 包案人).
//
// 负责人 of a measure: the person @-mentioned (负责人:@人); with only a unit
// named, the unit's liaison (the first by open_id when it has several: one
// person answers for a measure, the others see it through the case); with
// neither, or a unit without a liaison, the case's 包案人. The choice is made
// when the measure is added, said in the reply and shown on the plan, and
// made again on approval for a measure still without one (a case given its
// 包案人 later). Every plan write also writes the case: the brief on its
// card (Case.Plan) and a timeline entry, in the same Tx.
//
// 方案 措施 is also the command the 会诊 feature runs for a consultation's
// decision: its syntax is a contract (see the route).

// planFieldNames are the fields of 方案 起草; a value runs to the next field.
var planFieldNames = []struct {
	Name    string
	Aliases []string
}{
	{"症结", []string{"问题症结", "原因"}},
	{"依据", []string{"政策依据", "法律依据", "法规依据"}},
	{"目标", []string{"化解目标"}},
	{"目标日", []string{"化解目标日", "目标日期", "目标时间"}},
	{"帮扶", []string{"帮扶措施", "救助", "帮扶救助"}},
	{"关联", []string{"关联案件", "一人一策"}},
}

// measureFieldNames are the fields of 方案 措施 after its content.
var measureFieldNames = []struct {
	Name    string
	Aliases []string
}{
	{"单位", []string{"责任单位", "牵头单位"}},
	{"负责人", []string{"责任人"}},
	{"期限", []string{"完成期限", "截止", "到期"}},
}

const (
	planDraftExample   = "方案 起草 XF-2026-0012 症结:开发商资金链断裂致回迁房延期交付 依据:区征收补偿方案第12条 目标:案结事了 目标日:2026-06-30 帮扶:申请临时救助2000元"
	planMeasureExample = "方案 措施 XF-2026-0012 硬:政策 按回迁安置政策补足过渡费 单位:区住建局 期限:12月20日"
	planDoneExample    = "方案 完成 XF-2026-0012 1 过渡费差额已发放到位，信访人签收"
	planRejectExample  = "方案 退回 XF-2026-0012 帮扶措施不具体，请写明救助金额和责任单位"
)

// planRefusal is what a member who may not write plans reads.
const planRefusal = "方案由专班起草：专班成员和案件的包案领导可以起草、添加措施和提交；单位联络员请把措施建议告诉案件的包案人。"

// approveRefusal is what a member who may not approve reads.
const approveRefusal = "方案由专班负责人或案件的包案领导批准、退回。"

// splitKeyed reads words as lead text, then fields: a word "名称:值" whose
// name is one of names (or an alias) starts a field, and the words after it
// up to the next field belong to its value. It returns the lead text, the
// fields by their main name and the order they came in.
func splitKeyed(words []string, names []struct {
	Name    string
	Aliases []string
}) (lead string, fields map[string]string, err error) {
	fields = map[string]string{}
	var leadWords []string
	cur := ""
	nameOf := func(key string) (string, bool) {
		key = strings.TrimSpace(xfbot.Normalize(key))
		for _, f := range names {
			if key == f.Name || slices.Contains(f.Aliases, key) {
				return f.Name, true
			}
		}
		return "", false
	}
	for _, w := range words {
		if key, val, ok := splitColon(w); ok {
			if name, known := nameOf(key); known {
				if _, dup := fields[name]; dup {
					return "", nil, xfbot.Errorf(xfbot.EINVALID, "“%s”写了两次。", name)
				}
				fields[name], cur = strings.TrimSpace(val), name
				continue
			}
		}
		if cur == "" {
			leadWords = append(leadWords, w)
		} else {
			fields[cur] = strings.TrimSpace(fields[cur] + " " + w)
		}
	}
	return strings.Join(leadWords, " "), fields, nil
}

// staff reports whether m is the task force itself (admins and members).
func staff(m xfbot.Member) bool { return m.Role == xfbot.RoleAdmin || m.Role == xfbot.RoleMember }

// mayWritePlan: the task force and the case's 包案领导.
func mayWritePlan(req *bot.Request, c *xfbot.Case) error {
	if staff(req.Member) || (c.Leader.OpenID != "" && c.Leader.OpenID == req.Sender.OpenID) {
		return nil
	}
	return xfbot.Errorf(xfbot.EFORBIDDEN, "%s", planRefusal)
}

// mayApprove: the lead and the case's 包案领导.
func mayApprove(req *bot.Request, c *xfbot.Case) error {
	if req.Member.CanManage() || (c.Leader.OpenID != "" && c.Leader.OpenID == req.Sender.OpenID) {
		return nil
	}
	return xfbot.Errorf(xfbot.EFORBIDDEN, "%s", approveRefusal)
}

// planOf reads the case's plan; a case linked to another case's plan (一人一策)
// reads that one, and says so.
func (h *Handlers) planOf(ctx context.Context, req *bot.Request, c *xfbot.Case) (*xfbot.Case, *xfbot.Plans, error) {
	if of := c.Plan.Of; of != "" {
		l, err := h.Store.Load(ctx, "", of)
		if err != nil {
			return nil, nil, err
		}
		if l.Case != nil {
			c = l.Case
		}
	}
	ps, err := h.plans(ctx, req, c.No)
	return c, ps, err
}

// noPlan is the reply to a command on a case without a plan.
func noPlan(no xfbot.CaseNo) error {
	return xfbot.Errorf(xfbot.ENOTFOUND, "%s 还没有方案。请先发送“方案 起草 %s 症结:… 目标日:日期”，或直接添加措施：“方案 措施 %s <硬|软>:<类型> <内容> 单位:x 期限:日期”。", no, no, no)
}

// planWrite is one write of a plan and its case (and the cases it links).
type planWrite struct {
	h      *Handlers
	req    *bot.Request
	tx     *store.Tx
	old, c *xfbot.Case
	oldPs  *xfbot.Plans
	ps     *xfbot.Plans
	recent []xfbot.Progress
}

// beginPlan starts the write of the case's plan (a new one if ps is nil).
func (h *Handlers) beginPlan(req *bot.Request, c *xfbot.Case, recent []xfbot.Progress, ps *xfbot.Plans) *planWrite {
	cp := *c
	cp.UpdatedAt = req.Time
	w := &planWrite{h: h, req: req, tx: h.Store.NewTx(), old: c, c: &cp, oldPs: ps, recent: recent}
	if ps == nil {
		w.ps = &xfbot.Plans{Case: c.No}
	} else {
		w.ps = ps.Clone()
	}
	return w
}

// commit adds the plan, the case with its brief, the timeline entry and
// the history line to the Tx.
func (w *planWrite) commit(timeline, field, before, after string) {
	w.ps.Owner = w.c.Owner.OpenID
	w.c.Plan = w.ps.Brief()
	if timeline != "" {
		w.recent = entry(w.req, w.c, w.tx, xfbot.KindSystem, timeline)
	}
	w.tx.PutPlans(w.oldPs, w.ps, w.req.Time)
	w.tx.UpdateCase(w.old, w.c)
	if field != "" {
		w.tx.AddChanges(w.c.No, change(w.req, field, before, after))
	}
}

// reply is the plan card of version p with msg.
func (w *planWrite) reply(p *xfbot.Plan, msg string) *bot.Reply {
	v := w.h.view(w.req)
	card := bot.PlanCard(w.c, w.ps, p, xfbot.PlanProblems(p, w.c), xfbot.PlanNotes(p, w.req.Today()), v)
	card.Subtitle = msg
	return &bot.Reply{Card: card, Text: msg, Toast: msg, Tx: w.tx}
}

// planDraft is 方案 起草 <案件号> 症结:… 依据:… 目标:… 目标日:日期 [帮扶:…] [关联:XF-…,XF-…]:
// the plan's fields, in the pending version (a new version after approval).
func (h *Handlers) planDraft(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	c := req.Case
	lead, f, err := splitKeyed(req.Args.Words[1:], planFieldNames)
	if err != nil {
		return nil, err
	}
	if lead != "" {
		return nil, xfbot.Errorf(xfbot.EINVALID, "看不懂“%s”：方案的每一项写成 名称:内容，可写 症结: 依据: 目标: 目标日: 帮扶: 关联:。", xfbot.Echo(lead, 20))
	}
	if len(f) == 0 {
		return nil, xfbot.Errorf(xfbot.EINVALID, "缺少方案内容：请写 症结: 依据: 目标: 目标日: 帮扶:（可只写其中几项，之后再补）。")
	}
	if err := mayWritePlan(req, c); err != nil {
		return nil, err
	}
	if err := notOpen(c, "制定方案"); err != nil {
		return nil, err
	}
	if c.Plan.Of != "" {
		return nil, xfbot.Errorf(xfbot.EINVALID, "%s 已列入 %s 的一人一策方案，请在 %s 的方案上修改（方案 起草 %s …）。", c.No, c.Plan.Of, c.Plan.Of, c.Plan.Of)
	}
	texts := map[string]string{}
	for _, k := range []string{"症结", "依据", "目标", "帮扶"} {
		if v, ok := f[k]; ok {
			if texts[k], err = needText(v, k+"的内容", planDraftExample); err != nil {
				return nil, err
			}
		}
	}
	var target xfbot.Reading
	if v, ok := f["目标日"]; ok {
		if v == "" {
			return nil, xfbot.Errorf(xfbot.EINVALID, "目标日没有写日期，例如 目标日:2026-06-30 或 目标日:月底。")
		}
		if target, err = xfbot.ParseDay(v, req.Today(), h.Calendar, xfbot.Future); err != nil {
			return nil, err
		}
	}
	var linked []*xfbot.Case
	_, relink := f["关联"]
	if relink {
		if linked, err = h.linkedCases(ctx, req, c, f["关联"]); err != nil {
			return nil, err
		}
	}
	ps, err := h.plans(ctx, req, c.No)
	if err != nil {
		return nil, err
	}
	w := h.beginPlan(req, c, req.Recent, ps)
	p, made := w.ps.Editable(req.Actor(), req.Time)
	var changed []string
	set := func(name string, dst *string) {
		if v, ok := texts[name]; ok {
			*dst = v
			changed = append(changed, name)
		}
	}
	set("症结", &p.Diagnosis)
	set("依据", &p.Basis)
	set("目标", &p.Goal)
	set("帮扶", &p.Support)
	if !target.Date.IsZero() {
		p.Target = target.Date
		changed = append(changed, "目标日")
	}
	var before []xfbot.CaseNo
	if relink {
		before = p.Linked
		p.Linked = nil
		for _, l := range linked {
			p.Linked = append(p.Linked, l.No)
		}
		changed = append(changed, "关联")
	}
	what := fmt.Sprintf("修改方案 v%d（%s）", p.Version, strings.Join(changed, "、"))
	if made && p.Version == 1 {
		what = fmt.Sprintf("起草方案 v1（%s）", strings.Join(changed, "、"))
	} else if made {
		what = fmt.Sprintf("起草方案 v%d（v%d 已批准，批准 v%d 后取代；%s）", p.Version, p.Version-1, p.Version, strings.Join(changed, "、"))
	}
	w.commit(what, "方案", "", what)
	if relink {
		if err := w.link(ctx, before, linked); err != nil {
			return nil, err
		}
	}
	msg := "✅ " + what
	if target.How != "" {
		msg += "（" + target.How + "）"
	}
	msg += privacyNote(req, texts["症结"], texts["依据"], texts["目标"], texts["帮扶"])
	return w.reply(p, msg), nil
}

// linkedCases reads 关联:XF-…,XF-…: the petitioner's other cases (一人一策),
// each existing, visible, open, not this one, without a plan of its own
// and not in another case's plan.
func (h *Handlers) linkedCases(ctx context.Context, req *bot.Request, c *xfbot.Case, s string) ([]*xfbot.Case, error) {
	var nos []xfbot.CaseNo
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(",，、;； ", r) }) {
		if part == "无" {
			continue
		}
		no, err := xfbot.ParseCaseNoIn(part, req.Today().Year)
		if err != nil {
			return nil, err
		}
		if no == c.No {
			return nil, xfbot.Errorf(xfbot.EINVALID, "关联案件是信访人的其他案件，不能写本案 %s。", c.No)
		}
		if !slices.Contains(nos, no) {
			nos = append(nos, no)
		}
	}
	if len(nos) > 20 {
		return nil, xfbot.Errorf(xfbot.EINVALID, "一个方案最多关联 20 件案件，您写了 %d 件。", len(nos))
	}
	cases, err := h.Store.Cases(ctx, nos)
	if err != nil {
		return nil, err
	}
	plans, err := h.Store.PlansOf(ctx, nos)
	if err != nil {
		return nil, err
	}
	byNo := map[xfbot.CaseNo]*xfbot.Case{}
	for _, x := range cases {
		byNo[x.No] = x
	}
	var out []*xfbot.Case
	for _, no := range nos {
		x := byNo[no]
		switch {
		case x == nil:
			return nil, xfbot.Errorf(xfbot.ENOTFOUND, "没有找到关联案件 %s，请检查案件号。", no)
		case !req.Member.CanSee(x):
			return nil, xfbot.Errorf(xfbot.EFORBIDDEN, "案件 %s 不属于您所在单位，无权关联。", no)
		case plans[no] != nil:
			return nil, xfbot.Errorf(xfbot.EINVALID, "%s 已有自己的方案，不能再列入 %s 的一人一策方案。", no, c.No)
		case x.Plan.Of != "" && x.Plan.Of != c.No:
			return nil, xfbot.Errorf(xfbot.EINVALID, "%s 已列入 %s 的一人一策方案。", no, x.Plan.Of)
		}
		out = append(out, x)
	}
	return out, nil
}

// link points the newly linked cases' cards to this plan and clears the
// cases no longer linked, each with a timeline entry, in the same Tx.
func (w *planWrite) link(ctx context.Context, before []xfbot.CaseNo, now []*xfbot.Case) error {
	keep := map[xfbot.CaseNo]bool{}
	for _, x := range now {
		keep[x.No] = true
		if x.Plan.Of == w.c.No {
			continue
		}
		cp := *x
		cp.UpdatedAt, cp.Plan = w.req.Time, xfbot.PlanBrief{Of: w.c.No}
		entry(w.req, &cp, w.tx, xfbot.KindSystem, "列入 "+string(w.c.No)+" 的一人一策方案")
		w.tx.UpdateCase(x, &cp)
	}
	var gone []xfbot.CaseNo
	for _, no := range before {
		if !keep[no] {
			gone = append(gone, no)
		}
	}
	cases, err := w.h.Store.Cases(ctx, gone)
	if err != nil {
		return err
	}
	for _, x := range cases {
		if x.Plan.Of != w.c.No {
			continue
		}
		cp := *x
		cp.UpdatedAt, cp.Plan = w.req.Time, xfbot.PlanBrief{}
		entry(w.req, &cp, w.tx, xfbot.KindSystem, "移出 "+string(w.c.No)+" 的一人一策方案")
		w.tx.UpdateCase(x, &cp)
	}
	return nil
}

// planMeasure is 方案 措施 <案件号> <硬|软>:<类型> <内容> [单位:x] [负责人:@人]
// [期限:日期]: a measure added to the pending version (a draft made if
// none; after approval, a new version).
func (h *Handlers) planMeasure(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	c := req.Case
	if req.Args.Word(1) == "" {
		return nil, xfbot.Errorf(xfbot.EINVALID, "缺少措施种类和内容。")
	}
	kind, typ, err := xfbot.ParseMeasureSpec(req.Args.Word(1))
	if err != nil {
		return nil, err
	}
	lead, f, err := splitKeyed(req.Args.Words[2:], measureFieldNames)
	if err != nil {
		return nil, err
	}
	// An @ among the words of the content names the 负责人 as well.
	var words []string
	ownerWord := f["负责人"]
	for _, w := range strings.Fields(lead) {
		if strings.HasPrefix(w, "@") && ownerWord == "" {
			ownerWord = w
			continue
		}
		words = append(words, w)
	}
	text, err := needText(strings.Join(words, " "), "措施内容", planMeasureExample)
	if err != nil {
		return nil, err
	}
	m := xfbot.Measure{Kind: kind, Type: typ, Text: text, Status: xfbot.MeasureTodo, AddedBy: req.Actor(), AddedAt: req.Time}
	if v, ok := f["单位"]; ok {
		if m.Unit, err = parseName(v, "责任单位"); err != nil {
			return nil, err
		}
	}
	var due xfbot.Reading
	if v, ok := f["期限"]; ok {
		if v == "" {
			return nil, xfbot.Errorf(xfbot.EINVALID, "期限没有写日期，例如 期限:12月20日 或 期限:下周五。")
		}
		if due, err = xfbot.ParseDay(v, req.Today(), h.Calendar, xfbot.Future); err != nil {
			return nil, err
		}
		m.Due = due.Date
	}
	if err := mayWritePlan(req, c); err != nil {
		return nil, err
	}
	if err := notOpen(c, "添加方案措施"); err != nil {
		return nil, err
	}
	if c.Plan.Of != "" {
		return nil, xfbot.Errorf(xfbot.EINVALID, "%s 已列入 %s 的一人一策方案，请把措施加在 %s 上（方案 措施 %s …）。", c.No, c.Plan.Of, c.Plan.Of, c.Plan.Of)
	}
	members, err := h.members(ctx, req)
	if err != nil {
		return nil, err
	}
	how := ""
	if ownerWord != "" {
		if m.Owner, err = ownerOf(req, members, ownerWord); err != nil {
			return nil, err
		}
	} else {
		m.Owner, how = defaultOwner(members, m.Unit, c)
	}
	ps, err := h.plans(ctx, req, c.No)
	if err != nil {
		return nil, err
	}
	w := h.beginPlan(req, c, req.Recent, ps)
	p, made := w.ps.Editable(req.Actor(), req.Time)
	m.N = w.ps.NextMeasureNo()
	p.Measures = append(p.Measures, m)
	line := fmt.Sprintf("方案 v%d 添加措施 %d【%s】%s", p.Version, m.N, m.Label(), m.Text)
	w.commit(line, "方案措施", "", line)
	msg := fmt.Sprintf("✅ 已添加措施 %d【%s】到方案 v%d（%s）", m.N, m.Label(), p.Version, p.Status.Label())
	if made && p.Version > 1 {
		msg += fmt.Sprintf("；v%d 仍在执行，v%d 批准后取代", p.Version-1, p.Version)
	}
	switch {
	case !m.Owner.IsZero() && how != "":
		msg += "。负责人：" + m.Owner.Display() + "（" + how + "）"
	case !m.Owner.IsZero():
		msg += "。负责人：" + m.Owner.Display()
	default:
		msg += "。尚无负责人：请 @ 负责人，或先为案件指派包案人（批准前须有）"
	}
	if due.How != "" {
		msg += "（" + due.How + "）"
	}
	if m.Due.IsZero() {
		msg += "。未写期限：批准前请重新添加并写 期限:日期"
	}
	msg += privacyNote(req, text)
	return w.reply(p, msg), nil
}

// ownerOf reads 负责人:@人: the mentioned person of that name (or the one
// mentioned), else a member of that name.
func ownerOf(req *bot.Request, members []xfbot.Member, word string) (xfbot.Person, error) {
	name := strings.TrimPrefix(strings.TrimSpace(word), "@")
	for _, p := range req.Mentions {
		if p.Name == name || p.OpenID == name {
			return p, nil
		}
	}
	if len(req.Mentions) == 1 {
		return req.Mentions[0], nil
	}
	for _, m := range members {
		if m.Name == name && name != "" {
			return m.Person(), nil
		}
	}
	return xfbot.Person{}, xfbot.Errorf(xfbot.EINVALID, "负责人“%s”不认识：请 @ 一位成员，例如 负责人:@王某。", xfbot.Echo(word, 20))
}

// defaultOwner is who answers for a measure nobody was named for: the
// unit's liaison (the first by open_id), else the case's 包案人; and how
// that was chosen, for the reply.
func defaultOwner(members []xfbot.Member, unit string, c *xfbot.Case) (xfbot.Person, string) {
	if unit != "" {
		var ls []xfbot.Member
		for _, m := range members {
			if m.Role == xfbot.RoleLiaison && m.InUnit(unit) {
				ls = append(ls, m)
			}
		}
		sort.Slice(ls, func(i, j int) bool { return ls[i].OpenID < ls[j].OpenID })
		if len(ls) > 0 {
			return ls[0].Person(), unit + "联络员"
		}
	}
	if !c.Owner.IsZero() {
		return c.Owner, "未指定负责人，由包案人负责"
	}
	return xfbot.Person{}, ""
}

// planShow is 方案 查看 <案件号> [v2], 方案 <案件号> and the 查看方案 button:
// the plan card of the current version (or the one asked for).
func (h *Handlers) planShow(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	if req.Action == nil {
		if err := extraWords(req, 2); err != nil {
			return nil, err
		}
	}
	c, ps, err := h.planOf(ctx, req, req.Case)
	if err != nil {
		return nil, err
	}
	if ps == nil {
		return nil, noPlan(c.No)
	}
	p := ps.Current()
	if w := req.Args.Word(1); w != "" && req.Action == nil {
		n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(strings.ToLower(xfbot.Normalize(w)), "v"), "第"), "版"))
		if err != nil {
			return nil, xfbot.Errorf(xfbot.EINVALID, "版本应写成 v1、v2，您写的是“%s”。", xfbot.Echo(w, 10))
		}
		if p = ps.Get(n); p == nil {
			return nil, xfbot.Errorf(xfbot.ENOTFOUND, "%s 的方案没有 v%d，现有 v1 到 v%d。", c.No, n, len(ps.Versions))
		}
	}
	card := bot.PlanCard(c, ps, p, xfbot.PlanProblems(p, c), xfbot.PlanNotes(p, req.Today()), h.view(req))
	if c.No != req.Case.No {
		card.Subtitle = fmt.Sprintf("%s 列入 %s 的一人一策方案", req.Case.No, c.No)
	}
	return &bot.Reply{Card: card}, nil
}

// planCase reads the case a 方案 command names when the mux did not (方案
// <案件号>, 完成: the measure's 负责人 may be of another unit), with the
// mux's messages: a case number, an existing case.
func (h *Handlers) planCase(ctx context.Context, req *bot.Request, raw string) (*xfbot.Case, []xfbot.Progress, error) {
	if raw == "" {
		return nil, nil, xfbot.Errorf(xfbot.EINVALID, "缺少案件号。")
	}
	no, err := xfbot.ParseCaseNoIn(raw, req.Today().Year)
	if err != nil {
		return nil, nil, err
	}
	l, err := h.Store.Load(ctx, "", no)
	if err != nil {
		return nil, nil, err
	}
	if l.Case == nil {
		return nil, nil, xfbot.Errorf(xfbot.ENOTFOUND, "没有找到案件 %s，请检查案件号；发送“列表”可查看在办案件。", no)
	}
	return l.Case, l.Recent, nil
}

// planFallback is 方案 <案件号> [v2]: the plan card, by the visibility rule
// of 查看; other words are no subcommand.
func (h *Handlers) planFallback(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	if _, err := xfbot.ParseCaseNoIn(req.Args.Word(0), req.Today().Year); err != nil {
		return nil, bot.ErrNoSubcommand
	}
	c, recent, err := h.planCase(ctx, req, req.Args.Word(0))
	if err != nil {
		return nil, err
	}
	if !req.Member.CanSee(c) {
		return nil, xfbot.Errorf(xfbot.EFORBIDDEN, "案件 %s 不属于您所在单位，无权查看。", c.No)
	}
	req.Case, req.Recent = c, recent
	return h.planShow(ctx, req)
}

// planCheck is 方案 检查 <案件号>: the consistency of the pending version
// with the screening, without a write.
func (h *Handlers) planCheck(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	if err := extraWords(req, 1); err != nil {
		return nil, err
	}
	c, ps, err := h.planOf(ctx, req, req.Case)
	if err != nil {
		return nil, err
	}
	if ps == nil {
		return nil, noPlan(c.No)
	}
	p := ps.Pending()
	if p == nil {
		p = ps.Current()
		return &bot.Reply{Text: fmt.Sprintf("%s 的方案 v%d %s，没有待批准的版本。修改方案会生成新版本，批准前再次检查。", c.No, p.Version, p.Status.Label())}, nil
	}
	problems := xfbot.PlanProblems(p, c)
	v := h.view(req)
	if len(problems) == 0 {
		text := fmt.Sprintf("✅ %s 方案 v%d 与甄别结果（%s）一致，可以提交批准：方案 提交 %s", c.No, p.Version, screeningText(c), c.No)
		for _, n := range xfbot.PlanNotes(p, req.Today()) {
			text += "\nℹ️ " + n
		}
		return &bot.Reply{Text: v.Text(c, text)}, nil
	}
	return &bot.Reply{Text: problemsText(c, p, problems)}, nil
}

func screeningText(c *xfbot.Case) string {
	s := c.Screening.Label()
	if c.Hardship {
		s += "、困难诉求"
	}
	return s
}

// problemsText is the reply that lists what keeps a version from approval.
func problemsText(c *xfbot.Case, p *xfbot.Plan, problems []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "⚠️ %s 方案 v%d 还不能批准（甄别：%s），请先补齐：", c.No, p.Version, screeningText(c))
	for i, pr := range problems {
		fmt.Fprintf(&b, "\n%d. %s", i+1, pr)
	}
	return b.String()
}

// planSubmit is 方案 提交 <案件号>: the pending version goes to the lead and
// the case's 包案领导 for approval, once the check passes.
func (h *Handlers) planSubmit(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	c := req.Case
	if err := extraWords(req, 1); err != nil {
		return nil, err
	}
	if err := mayWritePlan(req, c); err != nil {
		return nil, err
	}
	if err := notOpen(c, "提交方案"); err != nil {
		return nil, err
	}
	ps, err := h.plans(ctx, req, c.No)
	if err != nil {
		return nil, err
	}
	if ps == nil {
		return nil, noPlan(c.No)
	}
	p := ps.Pending()
	switch {
	case p == nil:
		return nil, xfbot.Errorf(xfbot.EINVALID, "%s 的方案 v%d 已批准，没有待提交的版本；修改方案会生成新版本。", c.No, ps.Current().Version)
	case p.Status == xfbot.PlanSubmitted:
		return nil, xfbot.Errorf(xfbot.EINVALID, "%s 的方案 v%d 已于 %s 提交，正等待批准。", c.No, p.Version, p.SubmittedAt.In(req.Loc).Format("01-02 15:04"))
	}
	members, err := h.members(ctx, req)
	if err != nil {
		return nil, err
	}
	w := h.beginPlan(req, c, req.Recent, ps)
	p = w.ps.Pending()
	fillOwners(p, members, c)
	if problems := xfbot.PlanProblems(p, c); len(problems) > 0 {
		return nil, xfbot.Errorf(xfbot.EINVALID, "%s", problemsText(c, p, problems))
	}
	p.Status, p.SubmittedBy, p.SubmittedAt = xfbot.PlanSubmitted, req.Actor(), req.Time
	what := fmt.Sprintf("提交方案 v%d，待批准", p.Version)
	w.commit(what, "方案", xfbot.PlanDraft.Label(), xfbot.PlanSubmitted.Label())
	approvers := append(h.leads(ctx, req), c.Leader.OpenID)
	msg := "📨 已提交方案 v" + strconv.Itoa(p.Version) + "，待专班负责人或包案领导批准"
	reply := w.reply(p, msg)
	reply.Notices = append(reply.Notices, h.planCards(req, w.c, w.ps, p, members, fmt.Sprintf("%s 提交了方案 v%d，请审定", req.Actor().Display(), p.Version), approvers...)...)
	return reply, nil
}

// fillOwners gives each open measure without a 负责人 the default one.
func fillOwners(p *xfbot.Plan, members []xfbot.Member, c *xfbot.Case) {
	for i := range p.Measures {
		m := &p.Measures[i]
		if m.Open() && m.Owner.IsZero() {
			m.Owner, _ = defaultOwner(members, m.Unit, c)
		}
	}
}

// planCards are the plan card, for each of ids once (not the sender), as
// that person's role reads it.
func (h *Handlers) planCards(req *bot.Request, c *xfbot.Case, ps *xfbot.Plans, p *xfbot.Plan, members []xfbot.Member, subtitle string, ids ...string) []bot.Notice {
	var out []bot.Notice
	seen := map[string]bool{"": true, req.Sender.OpenID: true}
	for _, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		v := bot.View{Audience: audienceFor(members, id, h.mux), Today: req.Today(), Thresholds: h.Thresholds, Loc: req.Loc}
		card := bot.PlanCard(c, ps, p, xfbot.PlanProblems(p, c), xfbot.PlanNotes(p, req.Today()), v)
		card.Subtitle = subtitle
		out = append(out, bot.Notice{OpenID: id, Card: card})
	}
	return out
}

// audienceFor is how a direct message to id is masked: by the member's
// role and unit; a configured admin reads as one, anyone else as a member.
func audienceFor(members []xfbot.Member, id string, mux *bot.Mux) xfbot.Audience {
	if mux != nil && slices.Contains(mux.Admins(), id) {
		return xfbot.Audience{Role: xfbot.RoleAdmin}
	}
	for _, m := range members {
		if m.OpenID == id {
			return m.Audience()
		}
	}
	if mux != nil && slices.Contains(mux.Leaders(), id) {
		return xfbot.Audience{Role: xfbot.RoleLeader}
	}
	return xfbot.Audience{Role: xfbot.RoleViewer}
}

// tellMasked is a direct message to each of ids once (not the sender),
// its free text masked for each reader's role.
func (h *Handlers) tellMasked(req *bot.Request, c *xfbot.Case, members []xfbot.Member, text string, ids ...string) []bot.Notice {
	var out []bot.Notice
	seen := map[string]bool{"": true, req.Sender.OpenID: true}
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, bot.Notice{OpenID: id, Text: xfbot.MaskText(text, c, audienceFor(members, id, h.mux))})
		}
	}
	return out
}

// cardVersion checks that a 批准/退回 button approves what its card showed.
func cardVersion(req *bot.Request, p *xfbot.Plan) error {
	if req.Action == nil {
		return nil
	}
	v, e := req.Action.Value["v"], req.Action.Value["e"]
	if v == "" {
		return nil
	}
	if v != strconv.Itoa(p.Version) || e != strconv.Itoa(p.Edits) {
		return xfbot.Errorf(xfbot.ECONFLICT, "这张卡片之后方案又有修改（现为 v%d），请刷新后按最新内容审定。", p.Version)
	}
	return nil
}

// planApprove is 方案 批准 <案件号> and the 批准 button: the lead or the
// case's 包案领导 puts the pending version in force once the check passes.
func (h *Handlers) planApprove(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	c := req.Case
	if req.Action == nil {
		if err := extraWords(req, 1); err != nil {
			return nil, err
		}
	}
	if err := mayApprove(req, c); err != nil {
		return nil, err
	}
	if err := notOpen(c, "批准方案"); err != nil {
		return nil, err
	}
	ps, err := h.plans(ctx, req, c.No)
	if err != nil {
		return nil, err
	}
	if ps == nil {
		return nil, noPlan(c.No)
	}
	if ps.Pending() == nil {
		return nil, xfbot.Errorf(xfbot.EINVALID, "%s 的方案 v%d 已批准，没有待批准的版本。", c.No, ps.Current().Version)
	}
	if err := cardVersion(req, ps.Pending()); err != nil {
		return nil, err
	}
	members, err := h.members(ctx, req)
	if err != nil {
		return nil, err
	}
	w := h.beginPlan(req, c, req.Recent, ps)
	p := w.ps.Pending()
	fillOwners(p, members, c)
	if problems := xfbot.PlanProblems(p, c); len(problems) > 0 {
		return nil, xfbot.Errorf(xfbot.EINVALID, "%s", problemsText(c, p, problems))
	}
	prev := w.ps.InForce()
	prevV := 0
	if prev != nil {
		prevV = prev.Version
	}
	w.ps.Approve(req.Actor(), req.Time, c)
	open := p.OpenMeasures()
	what := fmt.Sprintf("批准方案 v%d（%d 项措施，化解目标日 %s）", p.Version, len(open), p.Target)
	if prevV > 0 {
		what += fmt.Sprintf("，取代 v%d", prevV)
	}
	w.commit(what, "方案", p.Status.Label(), fmt.Sprintf("v%d 已批准", p.Version))
	reply := w.reply(p, "✅ "+what+"；措施已转为期限，负责人会收到提醒")
	note := fmt.Sprintf("✅ %s 批准了 %s 的方案 v%d，化解目标日 %s。", req.Actor().Display(), c.No, p.Version, p.Target)
	reply.Notices = append(reply.Notices, h.tellMasked(req, c, members, note, p.DraftedBy.OpenID, p.SubmittedBy.OpenID, c.Owner.OpenID)...)
	byOwner := map[string][]string{}
	var owners []string
	for _, m := range open {
		if _, ok := byOwner[m.Owner.OpenID]; !ok {
			owners = append(owners, m.Owner.OpenID)
		}
		due := "未定期限"
		if !m.Due.IsZero() {
			due = "期限 " + m.Due.String()
		}
		byOwner[m.Owner.OpenID] = append(byOwner[m.Owner.OpenID], fmt.Sprintf("措施 %d【%s】%s（%s）", m.N, m.Label(), m.Text, due))
	}
	for _, o := range owners {
		text := fmt.Sprintf("📋 %s 的方案 v%d 已批准，以下措施由您负责：\n%s\n完成后发送“方案 完成 %s <序号> <完成情况>”。", c.No, p.Version, strings.Join(byOwner[o], "\n"), c.No)
		reply.Notices = append(reply.Notices, h.tellMasked(req, c, members, text, o)...)
	}
	return reply, nil
}

// planReject is 方案 退回 <案件号> <理由> and the 退回 form: the pending
// version goes back to draft with the reason.
func (h *Handlers) planReject(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	c := req.Case
	reason := req.Args.Rest(1)
	if req.Action != nil {
		reason = req.Action.Form["reason"]
	}
	reason, err := needText(reason, "退回理由", planRejectExample)
	if err != nil {
		return nil, err
	}
	if err := mayApprove(req, c); err != nil {
		return nil, err
	}
	if err := notOpen(c, "退回方案"); err != nil {
		return nil, err
	}
	ps, err := h.plans(ctx, req, c.No)
	if err != nil {
		return nil, err
	}
	if ps == nil {
		return nil, noPlan(c.No)
	}
	if ps.Pending() == nil {
		return nil, xfbot.Errorf(xfbot.EINVALID, "%s 的方案 v%d 已批准，没有待审定的版本可退回。", c.No, ps.Current().Version)
	}
	if err := cardVersion(req, ps.Pending()); err != nil {
		return nil, err
	}
	members, err := h.members(ctx, req)
	if err != nil {
		return nil, err
	}
	w := h.beginPlan(req, c, req.Recent, ps)
	p := w.ps.Pending()
	p.Status, p.Returned, p.ReturnedBy, p.ReturnedAt = xfbot.PlanDraft, reason, req.Actor(), req.Time
	what := fmt.Sprintf("退回方案 v%d：%s", p.Version, reason)
	w.commit(what, "方案", "", what)
	reply := w.reply(p, "↩️ 已退回方案 v"+strconv.Itoa(p.Version)+privacyNote(req, reason))
	note := fmt.Sprintf("↩️ %s 退回了 %s 的方案 v%d。理由：%s\n修改后请发送“方案 提交 %s”。", req.Actor().Display(), c.No, p.Version, reason, c.No)
	reply.Notices = append(reply.Notices, h.tellMasked(req, c, members, note, p.DraftedBy.OpenID, p.SubmittedBy.OpenID, c.Owner.OpenID)...)
	return reply, nil
}

// planRejectForm is the 退回 button: the card with the reason form.
func (h *Handlers) planRejectForm(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	if err := mayApprove(req, req.Case); err != nil {
		return nil, err
	}
	ps, err := h.plans(ctx, req, req.Case.No)
	if err != nil {
		return nil, err
	}
	if ps.Pending() == nil {
		return nil, xfbot.Errorf(xfbot.EINVALID, "%s 没有待审定的方案。", req.Case.No)
	}
	return &bot.Reply{Card: bot.PlanRejectForm(req.Case, ps, ps.Pending(), h.view(req))}, nil
}

// planDone is 方案 完成 <案件号> <序号> <说明> and the 完成 form: the measure's
// 负责人, or the task force, records it carried out.
func (h *Handlers) planDone(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	raw, nword, note := req.Args.Word(0), req.Args.Word(1), req.Args.Rest(2)
	if req.Action != nil {
		raw, nword, note = req.Action.Value["no"], req.Action.Value["n"], req.Action.Form["note"]
	}
	c, recent, err := h.planCase(ctx, req, raw)
	if err != nil {
		return nil, err
	}
	n, err := strconv.Atoi(strings.TrimPrefix(xfbot.Normalize(nword), "措施"))
	if err != nil || n < 1 {
		return nil, xfbot.Errorf(xfbot.EINVALID, "措施序号应为数字（方案卡片上的 1、2、3），您写的是“%s”。", xfbot.Echo(nword, 10))
	}
	if note, err = needText(note, "完成情况", planDoneExample); err != nil {
		return nil, err
	}
	ps, err := h.plans(ctx, req, c.No)
	if err != nil {
		return nil, err
	}
	if ps == nil {
		return nil, noPlan(c.No)
	}
	p := ps.InForce()
	if p == nil {
		return nil, xfbot.Errorf(xfbot.EINVALID, "%s 的方案还没有批准：措施在方案批准后才能登记完成。", c.No)
	}
	m := p.Measure(n)
	switch {
	case m == nil:
		return nil, xfbot.Errorf(xfbot.ENOTFOUND, "%s 执行中的方案 v%d 没有措施 %d；发送“方案 查看 %s”查看措施序号。", c.No, p.Version, n, c.No)
	case m.Status == xfbot.MeasureDone:
		return nil, xfbot.Errorf(xfbot.EINVALID, "措施 %d 已于 %s 由 %s 登记完成。", n, m.DoneOn, m.DoneBy.Display())
	case !m.Open():
		return nil, xfbot.Errorf(xfbot.EINVALID, "措施 %d 已取消。", n)
	case !staff(req.Member) && m.Owner.OpenID != req.Sender.OpenID:
		return nil, xfbot.Errorf(xfbot.EFORBIDDEN, "措施 %d 由 %s 负责：只有负责人或专班成员可以登记完成。", n, m.Owner.Display())
	}
	if err := notOpen(c, "登记措施完成"); err != nil {
		return nil, err
	}
	members, err := h.members(ctx, req)
	if err != nil {
		return nil, err
	}
	w := h.beginPlan(req, c, recent, ps)
	today := req.Today()
	for _, x := range w.ps.Live() {
		if xm := x.Measure(n); xm != nil && xm.Open() {
			xm.Status, xm.DoneBy, xm.DoneAt, xm.DoneOn, xm.Note = xfbot.MeasureDone, req.Actor(), req.Time, today, note
		}
	}
	w.c.LastProgressAt = req.Time // carrying out a measure is progress on the case
	what := fmt.Sprintf("方案措施 %d 完成（%s）：%s", n, m.Label(), note)
	w.commit(what, "方案措施", fmt.Sprintf("%d 待办", n), fmt.Sprintf("%d 已完成", n))
	inForce := w.ps.InForce()
	left := len(inForce.OpenMeasures())
	msg := fmt.Sprintf("✅ 措施 %d 已完成", n)
	if left == 0 {
		msg += "；方案措施均已完成，请评估化解情况（化解 " + string(c.No) + " <结果>）"
	} else {
		msg += fmt.Sprintf("；还有 %d 项待办", left)
	}
	reply := w.reply(inForce, msg+privacyNote(req, note))
	tell := fmt.Sprintf("✅ %s 登记 %s 方案措施 %d 完成：%s", req.Actor().Display(), c.No, n, note)
	if left == 0 {
		tell += "\n方案措施均已完成。"
	}
	reply.Notices = append(reply.Notices, h.tellMasked(req, c, members, tell, c.Owner.OpenID, inForce.ApprovedBy.OpenID)...)
	return reply, nil
}

// planDoneForm is the 完成 button: the plan card with the note form for
// the measure, after the same checks as the command.
func (h *Handlers) planDoneForm(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	c, _, err := h.planCase(ctx, req, req.Action.Value["no"])
	if err != nil {
		return nil, err
	}
	n, _ := strconv.Atoi(req.Action.Value["n"])
	ps, err := h.plans(ctx, req, c.No)
	if err != nil {
		return nil, err
	}
	p := ps.InForce()
	if p == nil || p.Measure(n) == nil || !p.Measure(n).Open() {
		return nil, xfbot.Errorf(xfbot.EINVALID, "措施 %d 已不在待办中，请刷新方案。", n)
	}
	if m := p.Measure(n); !staff(req.Member) && m.Owner.OpenID != req.Sender.OpenID {
		return nil, xfbot.Errorf(xfbot.EFORBIDDEN, "措施 %d 由 %s 负责：只有负责人或专班成员可以登记完成。", n, m.Owner.Display())
	}
	return &bot.Reply{Card: bot.MeasureDoneForm(c, ps, p, n, h.view(req))}, nil
}

// planList is 方案 列表: the plans waiting for approval (those the reader
// may approve first) and the reader's own open measures.
func (h *Handlers) planList(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	pending, err := h.Store.PendingPlans(ctx)
	if err != nil {
		return nil, err
	}
	mine, err := h.Store.MeasuresOf(ctx, req.Sender.OpenID)
	if err != nil {
		return nil, err
	}
	nos := append([]xfbot.CaseNo(nil), pending...)
	for _, m := range mine {
		nos = append(nos, m.Case)
	}
	cases, err := h.Store.Cases(ctx, nos)
	if err != nil {
		return nil, err
	}
	plans, err := h.Store.PlansOf(ctx, nos)
	if err != nil {
		return nil, err
	}
	byNo := map[xfbot.CaseNo]*xfbot.Case{}
	for _, c := range cases {
		byNo[c.No] = c
	}
	v := h.view(req)
	var b strings.Builder
	b.WriteString("**待批准的方案**")
	n := 0
	for _, no := range pending {
		c, ps := byNo[no], plans[no]
		if c == nil || ps == nil || ps.Pending() == nil || !req.Member.CanSee(c) {
			continue
		}
		n++
		p := ps.Pending()
		mark := ""
		if req.Member.CanManage() || c.Leader.OpenID == req.Sender.OpenID {
			mark = "（待您审定）"
		}
		fmt.Fprintf(&b, "\n• %s %s · v%d · %d 项措施 · %s 提交%s", c.No, bot.Escape(xfbot.Clip(v.Title(c), 20)), p.Version, len(p.Measures), bot.Escape(p.SubmittedBy.Display()), mark)
	}
	if n == 0 {
		b.WriteString("\n暂无。")
	}
	b.WriteString("\n\n**我负责的措施**")
	k := 0
	for _, r := range mine {
		c, ps := byNo[r.Case], plans[r.Case]
		if c == nil || ps == nil {
			continue
		}
		for _, p := range ps.Live() {
			m := p.Measure(r.N)
			if m == nil || !m.Open() || m.Owner.OpenID != req.Sender.OpenID {
				continue
			}
			k++
			state := "待批准"
			if p.Status == xfbot.PlanApproved {
				state = "执行中"
			}
			fmt.Fprintf(&b, "\n• %s", bot.Escape(bot.MeasureText(c, m, v)))
			fmt.Fprintf(&b, "（%s，%s v%d）", c.No, state, p.Version)
			break
		}
	}
	if k == 0 {
		b.WriteString("\n暂无。")
	}
	card := &bot.Card{Title: "一案一策方案", Color: "blue", Sections: []string{b.String()},
		Note: "查看方案：方案 查看 <案件号>；登记完成：方案 完成 <案件号> <序号> <完成情况>"}
	return &bot.Reply{Card: card}, nil
}

// heldMeasures lists, one line each, the open plan measures openID
// answers for (what 成员 召回 waits on): from the per-person index, its
// cost follows that person's measures.
func (h *Handlers) heldMeasures(ctx context.Context, openID string) ([]string, error) {
	refs, err := h.Store.MeasuresOf(ctx, openID)
	if err != nil {
		return nil, err
	}
	var nos []xfbot.CaseNo
	for _, r := range refs {
		if !slices.Contains(nos, r.Case) {
			nos = append(nos, r.Case)
		}
	}
	plans, err := h.Store.PlansOf(ctx, nos)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, r := range refs {
		ps := plans[r.Case]
		for _, p := range ps.Live() {
			m := p.Measure(r.N)
			if m == nil || !m.Open() || m.Owner.OpenID != openID {
				continue
			}
			due := "未定期限"
			if !m.Due.IsZero() {
				due = "期限 " + m.Due.String()
			}
			// Masked as for a group: the line goes wherever the roster shows it.
			out = append(out, fmt.Sprintf("%s 方案措施 %d【%s】%s（%s）", r.Case, m.N, m.Label(), xfbot.Clip(xfbot.MaskText(m.Text, nil, xfbot.GroupAudience), 30), due))
			break
		}
	}
	return out, nil
}

// handOverMeasures gives every open measure of from to to (成员 移交),
// recorded as by's act at now on each case's timeline and history, the
// deadlines and the per-person index moved, in one commit; it returns how
// many measures moved.
func (h *Handlers) handOverMeasures(ctx context.Context, from, to, by xfbot.Person, now time.Time) (int, error) {
	if from.OpenID == "" || to.OpenID == "" || from.OpenID == to.OpenID {
		return 0, nil
	}
	for attempt := 1; ; attempt++ {
		n, err := h.handOverOnce(ctx, from, to, by, now)
		if xfbot.ErrorCode(err) == xfbot.ECONFLICT && attempt < 3 {
			continue // a plan or case changed meanwhile: read again
		}
		return n, err
	}
}

func (h *Handlers) handOverOnce(ctx context.Context, from, to, by xfbot.Person, now time.Time) (int, error) {
	refs, err := h.Store.MeasuresOf(ctx, from.OpenID)
	if err != nil || len(refs) == 0 {
		return 0, err
	}
	var nos []xfbot.CaseNo
	for _, r := range refs {
		if !slices.Contains(nos, r.Case) {
			nos = append(nos, r.Case)
		}
	}
	cases, err := h.Store.Cases(ctx, nos)
	if err != nil {
		return 0, err
	}
	plans, err := h.Store.PlansOf(ctx, nos)
	if err != nil {
		return 0, err
	}
	tx := h.Store.NewTx()
	total := 0
	for _, c := range cases {
		old := plans[c.No]
		if old == nil {
			continue
		}
		ps := old.Clone()
		var moved []int
		for _, p := range ps.Live() {
			for i := range p.Measures {
				m := &p.Measures[i]
				if m.Open() && m.Owner.OpenID == from.OpenID {
					m.Owner = to
					if !slices.Contains(moved, m.N) {
						moved = append(moved, m.N)
					}
				}
			}
		}
		if len(moved) == 0 {
			continue
		}
		sort.Ints(moved)
		total += len(moved)
		var ns []string
		for _, n := range moved {
			ns = append(ns, strconv.Itoa(n))
		}
		cp := *c
		cp.UpdatedAt = now
		ps.Owner = cp.Owner.OpenID
		cp.Plan = ps.Brief()
		text := fmt.Sprintf("方案措施 %s 的负责人由 %s 移交 %s", strings.Join(ns, "、"), from.Display(), to.Display())
		cp.Progresses++
		tx.AddProgress(c.No, xfbot.Progress{At: now, Author: by, Kind: xfbot.KindSystem, Text: text})
		tx.PutPlans(old, ps, now)
		tx.UpdateCase(c, &cp)
		tx.AddChanges(c.No, xfbot.Change{At: now, By: by, Action: "移交", Field: "方案措施负责人", Before: from.Display(), After: to.Display() + "（措施 " + strings.Join(ns, "、") + "）"})
	}
	if total == 0 {
		return 0, nil
	}
	if _, err := h.Store.Commit(ctx, tx); err != nil {
		if errors.Is(err, store.ErrDuplicate) {
			return total, nil
		}
		return 0, err
	}
	return total, nil
}

// demoPlans gives a few of the demo cases a plan, so that the console shows
// every state at once: an approved plan with a measure due today, one
// overdue and one done; one waiting for approval; a draft the check
// refuses (no hard measure for a reasonable demand); an approved v1 with a
// v2 draft. It returns how many plans it wrote.
func (h *Handlers) demoPlans(ctx context.Context, req *bot.Request, cases []*xfbot.Case) (int, error) {
	members, err := h.members(ctx, req)
	if err != nil {
		return 0, err
	}
	var lead xfbot.Person
	for _, m := range members {
		if m.Role == xfbot.RoleAdmin {
			lead = m.Person()
			break
		}
	}
	today := req.Today()
	pick := func(ok func(c *xfbot.Case) bool) *xfbot.Case {
		for _, c := range cases {
			if c.Status == xfbot.StatusHandling && !c.Owner.IsZero() && c.Plan.IsZero() && ok(c) {
				return c
			}
		}
		return nil
	}
	reasonable := func(c *xfbot.Case) bool {
		return c.Screening == xfbot.ScreenReasonable || c.Screening == xfbot.ScreenPartly
	}
	unreasonable := func(c *xfbot.Case) bool {
		return c.Screening == xfbot.ScreenUnreasonable || c.Screening == xfbot.ScreenExcessive
	}
	type scenario struct {
		want    func(*xfbot.Case) bool
		build   func(c *xfbot.Case, ps *xfbot.Plans)
		summary string
	}
	at := req.Time.Add(-48 * time.Hour)
	measure := func(c *xfbot.Case, n int, kind xfbot.MeasureKind, typ xfbot.MeasureType, text, unit string, due xfbot.Date) xfbot.Measure {
		owner, _ := defaultOwner(members, unit, c)
		return xfbot.Measure{N: n, Kind: kind, Type: typ, Text: text, Unit: unit, Owner: owner, Due: due, Status: xfbot.MeasureTodo, AddedBy: c.Owner, AddedAt: at}
	}
	base := func(c *xfbot.Case, ps *xfbot.Plans, diagnosis string) *xfbot.Plan {
		p, _ := ps.Editable(c.Owner, at)
		p.Diagnosis, p.Basis, p.Goal, p.Target = diagnosis, "《信访工作条例》第二十七条；区相关政策文件", "案结事了、息诉罢访", today.AddDays(45)
		if c.Hardship {
			p.Support = "申请临时救助2000元，协助办理低保"
		}
		return p
	}
	scenarios := []scenario{
		{reasonable, func(c *xfbot.Case, ps *xfbot.Plans) {
			p := base(c, ps, "历史遗留问题，相关方对政策理解不一致，信访人诉求合理")
			p.Measures = []xfbot.Measure{
				measure(c, 1, xfbot.MeasureHard, xfbot.MeasurePolicy, "对照政策核定应补差额并落实到位", c.Unit, today),
				measure(c, 2, xfbot.MeasureSoft, xfbot.MeasureNegotiation, "组织相关方与信访人协商兑现方式", c.Area, today.AddDays(-2)),
				measure(c, 3, xfbot.MeasureSoft, xfbot.MeasureCounseling, "包案人上门讲解政策、疏导情绪", "", today.AddDays(10)),
			}
			p.Measures[2].Status, p.Measures[2].DoneBy, p.Measures[2].DoneAt, p.Measures[2].DoneOn, p.Measures[2].Note = xfbot.MeasureDone, c.Owner, at, today.AddDays(-2), "已上门两次，信访人情绪平稳"
			p.Measures[2].Due = today.AddDays(-1)
			ps.Approve(lead, at, c)
		}, "已批准（一项今天到期、一项已超期、一项已完成）"},
		{unreasonable, func(c *xfbot.Case, ps *xfbot.Plans) {
			p := base(c, ps, "诉求超出政策规定，信访人对答复不理解")
			p.Measures = []xfbot.Measure{
				measure(c, 1, xfbot.MeasureSoft, xfbot.MeasureEducation, "释法明理，讲清政策边界和救济途径", "", today.AddDays(7)),
				measure(c, 2, xfbot.MeasureHard, xfbot.MeasureLegal, "告知诉讼、复议途径并提供法律援助", "区司法局", today.AddDays(14)),
			}
			p.Status, p.SubmittedBy, p.SubmittedAt = xfbot.PlanSubmitted, c.Owner, at
		}, "待批"},
		{reasonable, func(c *xfbot.Case, ps *xfbot.Plans) {
			p := base(c, ps, "责任单位之间职责不清，问题久拖未决")
			p.Measures = []xfbot.Measure{measure(c, 1, xfbot.MeasureSoft, xfbot.MeasureMediation, "组织三方调解", c.Area, today.AddDays(5))}
		}, "草稿（缺少解决问题的硬手段，检查不通过）"},
		{reasonable, func(c *xfbot.Case, ps *xfbot.Plans) {
			p := base(c, ps, "补偿标准争议，需第三方评估")
			p.Measures = []xfbot.Measure{
				measure(c, 1, xfbot.MeasureHard, xfbot.MeasureEconomic, "委托第三方评估并按评估结果补偿", c.Unit, today.AddDays(20)),
				measure(c, 2, xfbot.MeasureSoft, xfbot.MeasureCounseling, "评估期间每周联系信访人一次", "", today.AddDays(6)),
			}
			ps.Approve(lead, at, c)
			p2, _ := ps.Editable(c.Owner, req.Time)
			p2.Measures = append(p2.Measures, measure(c, 3, xfbot.MeasureSoft, xfbot.MeasureMediation, "邀请人民调解员参与协商", c.Area, today.AddDays(12)))
		}, "已批准 v1、v2 草稿"},
	}
	n := 0
	for _, s := range scenarios {
		c := pick(s.want)
		if c == nil {
			continue
		}
		ps := &xfbot.Plans{Case: c.No, Owner: c.Owner.OpenID}
		s.build(c, ps)
		cp := *c
		cp.Plan = ps.Brief()
		cp.Progresses++
		tx := h.Store.NewTx()
		tx.PutPlans(nil, ps, req.Time)
		tx.AddProgress(c.No, xfbot.Progress{At: at, Author: c.Owner, Kind: xfbot.KindSystem, Text: "一案一策方案：" + s.summary})
		tx.UpdateCase(c, &cp)
		if _, err := h.Store.Commit(ctx, tx); err != nil {
			return n, err
		}
		*c = cp
		n++
	}
	return n, nil
}
