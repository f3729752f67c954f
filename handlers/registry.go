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

// The registry (名录) of units, localities and categories: 单位/属地/类别
// 添加, 别名, 改名 (admins) and 列表 (everyone). Every command that takes a
// unit, a locality or a category resolves the typed name through it
// (resolveName): a name that fits no record is refused with suggestions,
// never stored as a new spelling.

// registryRefusal is what a non-admin reads for a registry write.
const registryRefusal = "只有专班管理员可以维护名录（单位、属地、类别）。您可以发送“单位 列表”查看已登记的名称。"

// resolveName resolves a typed unit, locality or category to what a case
// stores (xfbot.Registry.Check): one read of the registry.
func (h *Handlers) resolveName(ctx context.Context, req *bot.Request, k xfbot.RegKind, typed string) (string, error) {
	r, err := h.registry(ctx, req)
	if err != nil {
		return "", err
	}
	return r.Check(k, typed)
}

func regUsage(k xfbot.RegKind, sub string) string {
	n := k.Noun()
	switch sub {
	case "添加":
		if k == xfbot.RegCategory {
			return "类别 添加 <名称> [别名:a,b]，例如：类别 添加 物业纠纷 别名:物业,维修基金"
		}
		if k == xfbot.RegArea {
			return "属地 添加 <名称> [街道|镇] [别名:a,b]，例如：属地 添加 河口街道 别名:河口"
		}
		return "单位 添加 <名称> [区直部门|街道|镇|市直单位|专班|其他] [别名:a,b]，例如：单位 添加 区住建局 区直部门 别名:住建局,住建"
	case "别名":
		return n + " 别名 <名称> <别名…>，例如：" + map[xfbot.RegKind]string{xfbot.RegUnit: "单位 别名 区住建局 住房城乡建设局", xfbot.RegArea: "属地 别名 河口街道 河口", xfbot.RegCategory: "类别 别名 劳动社保 劳动争议"}[k]
	case "合并":
		return n + " 合并 <并掉的名称> <保留的名称>，例如：" + map[xfbot.RegKind]string{xfbot.RegUnit: "单位 合并 住建局 区住建局", xfbot.RegArea: "属地 合并 河口镇 河口街道"}[k]
	case "改名":
		return n + " 改名 <旧名称> <新名称>，例如：" + map[xfbot.RegKind]string{xfbot.RegUnit: "单位 改名 区住建局 区住房和城乡建设局", xfbot.RegArea: "属地 改名 河口镇 河口街道"}[k]
	}
	return ""
}

// regAdd: 单位|属地|类别 添加 <名称> [类型] [别名:a,b].
func (h *Handlers) regAdd(k xfbot.RegKind) bot.HandlerFunc {
	return func(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
		words := req.Args.Words
		if len(words) == 0 {
			return nil, xfbot.Errorf(xfbot.EINVALID, "缺少名称。请写：%s", regUsage(k, "添加"))
		}
		name := words[0]
		var kind xfbot.UnitKind
		var aliases []string
		for i := 1; i < len(words); i++ {
			w := words[i]
			key, val, colon := splitColon(w)
			switch {
			case colon && (key == "别名" || key == "alias"):
				if val == "" && i+1 < len(words) {
					i++
					val = words[i]
				}
				aliases = append(aliases, val)
			case !colon && k != xfbot.RegCategory && kind == "":
				kd, ok := xfbot.ParseUnitKind(w)
				if !ok {
					return nil, xfbot.Errorf(xfbot.EINVALID, "类型“%s”不认识，可选：区直部门、街道、镇、市直单位、专班、其他。请写：%s", xfbot.Echo(w, 10), regUsage(k, "添加"))
				}
				kind = kd
			default:
				return nil, xfbot.Errorf(xfbot.EINVALID, "多余的内容“%s”。请写：%s", xfbot.Echo(w, 20), regUsage(k, "添加"))
			}
		}
		r, err := h.Store.Registry(ctx)
		if err != nil {
			return nil, err
		}
		note := ""
		if k != xfbot.RegCategory && len(r.Units) == 0 {
			// The first unit ends free text: the names the ledger already
			// uses become records, so that their cases stay listed.
			used, err := h.Store.UsedUnits(ctx)
			if err != nil {
				return nil, err
			}
			var es []xfbot.RegEntry
			for _, u := range used {
				if u != "" && u != xfbot.CleanText(name) {
					es = append(es, xfbot.RegEntry{Name: u})
				}
			}
			note = "\n名录已启用：今后主责单位、属地须按名录填写。"
			if n := r.Seed(es); n > 0 {
				note += fmt.Sprintf("台账中已用的 %d 个单位名称也已登记，可用“单位 列表”查看。", n)
			}
		}
		e, err := r.Add(k, name, kind, aliases)
		if err != nil {
			return nil, err
		}
		tx := h.Store.NewTx()
		tx.PutRegistry(r)
		tx.Audit(store.AuditEntry{At: req.Time, By: req.Actor(), Action: k.Noun() + "添加", Entity: "registry:" + e.Name, After: entryText(e), Via: req.Via})
		return &bot.Reply{Text: "✅ 已登记" + k.Noun() + "：" + entryText(e) + note, Tx: tx}, nil
	}
}

// regAlias: 单位|属地|类别 别名 <名称> <别名…>.
func (h *Handlers) regAlias(k xfbot.RegKind) bot.HandlerFunc {
	return func(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
		words := req.Args.Words
		if len(words) < 2 {
			return nil, xfbot.Errorf(xfbot.EINVALID, "请写名称和要添加的别名：%s", regUsage(k, "别名"))
		}
		r, err := h.Store.Registry(ctx)
		if err != nil {
			return nil, err
		}
		if r.Open(k) {
			return nil, xfbot.Errorf(xfbot.EINVALID, "名录里还没有%s。请先登记：%s", k.Noun(), regUsage(k, "添加"))
		}
		e, err := r.AddAliases(k, words[0], words[1:])
		if err != nil {
			return nil, err
		}
		tx := h.Store.NewTx()
		tx.PutRegistry(r)
		tx.Audit(store.AuditEntry{At: req.Time, By: req.Actor(), Action: k.Noun() + "别名", Entity: "registry:" + e.Name, After: strings.Join(e.Aliases, "、"), Via: req.Via})
		return &bot.Reply{Text: "✅ " + entryText(e), Tx: tx}, nil
	}
}

// regRename: 单位|属地 改名 <旧> <新>. The old name stays the record's
// (a former name): cases keep it, lists and figures count them with the
// record, and it still resolves. Liaisons of the unit move with it.
func (h *Handlers) regRename(k xfbot.RegKind) bot.HandlerFunc {
	return func(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
		words := req.Args.Words
		if len(words) != 2 {
			return nil, xfbot.Errorf(xfbot.EINVALID, "请写旧名称和新名称：%s", regUsage(k, "改名"))
		}
		r, err := h.Store.Registry(ctx)
		if err != nil {
			return nil, err
		}
		if r.Open(k) {
			return nil, xfbot.Errorf(xfbot.EINVALID, "名录里还没有%s。请先登记：%s", k.Noun(), regUsage(k, "添加"))
		}
		old, e, err := r.Rename(k, words[0], words[1])
		if err != nil {
			return nil, err
		}
		tx := h.Store.NewTx()
		tx.PutRegistry(r)
		moved, err := h.moveMembers(ctx, tx, r, old.Names())
		if err != nil {
			return nil, err
		}
		tx.Audit(store.AuditEntry{At: req.Time, By: req.Actor(), Action: k.Noun() + "改名", Entity: "registry:" + e.Name, Before: old.Name, After: e.Name, Via: req.Via})
		msg := fmt.Sprintf("✅ 已将%s“%s”改名为“%s”。原名称保留为曾用名：已登记的案件和统计数字仍算在该%s名下，输入原名称也能找到。", k.Noun(), old.Name, e.Name, k.Noun())
		if moved > 0 {
			msg += fmt.Sprintf("\n%d 位成员的所在单位已随之改为“%s”。", moved, e.Name)
		}
		return &bot.Reply{Text: msg, Tx: tx}, nil
	}
}

// regMerge: 单位|属地 合并 <旧> <新>. Two records that are one unit (the
// ledger's two spellings, each seeded as a record before the registry was
// kept) become one: the old one's names are the new one's former names, so
// its cases, 督查单 and figures count with the new one, and typing the old
// name still finds it. Liaisons of the old one move to the new one.
func (h *Handlers) regMerge(k xfbot.RegKind) bot.HandlerFunc {
	return func(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
		words := req.Args.Words
		if len(words) != 2 {
			return nil, xfbot.Errorf(xfbot.EINVALID, "请写要并掉的名称和保留的名称：%s", regUsage(k, "合并"))
		}
		r, err := h.Store.Registry(ctx)
		if err != nil {
			return nil, err
		}
		if r.Open(k) {
			return nil, xfbot.Errorf(xfbot.EINVALID, "名录里还没有%s。请先登记：%s", k.Noun(), regUsage(k, "添加"))
		}
		gone, e, err := r.Merge(k, words[0], words[1])
		if err != nil {
			return nil, err
		}
		tx := h.Store.NewTx()
		tx.PutRegistry(r)
		moved, err := h.moveMembers(ctx, tx, r, gone.Names())
		if err != nil {
			return nil, err
		}
		tx.Audit(store.AuditEntry{At: req.Time, By: req.Actor(), Action: k.Noun() + "合并", Entity: "registry:" + e.Name, Before: strings.Join(gone.Names(), "、"), After: e.Name, Via: req.Via})
		msg := fmt.Sprintf("✅ 已将%s“%s”并入“%s”。“%s”保留为曾用名：按它登记的案件、督查单和统计数字都算在“%s”名下，输入它也能找到“%s”。",
			k.Noun(), gone.Name, e.Name, strings.Join(gone.Names(), "、"), e.Name, e.Name)
		if moved > 0 {
			msg += fmt.Sprintf("\n%d 位成员的所在单位已随之改为“%s”。", moved, e.Name)
		}
		return &bot.Reply{Text: msg, Tx: tx}, nil
	}
}

// moveMembers brings every member's unit up to date with r
// (xfbot.Registry.SetUnitNames), in tx: after 改名 or 合并 a liaison stays
// the liaison of the same unit, under every name its cases carry (the
// members of the record kept by a 合并 gain the merged one's names). It
// reports how many members had a unit named names and now carry its new
// name.
func (h *Handlers) moveMembers(ctx context.Context, tx *store.Tx, r *xfbot.Registry, names []string) (int, error) {
	ms, err := h.Store.Members(ctx)
	if err != nil {
		return 0, err
	}
	moved := 0
	for _, m := range ms {
		was := m.Unit
		if r.SetUnitNames(&m) {
			tx.PutMember(m)
			if m.Unit != was && slices.Contains(names, was) {
				moved++
			}
		}
	}
	return moved, nil
}

// regList: 单位|属地|类别 列表.
func (h *Handlers) regList(k xfbot.RegKind) bot.HandlerFunc {
	return func(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
		if err := extraWords(req, 0); err != nil {
			return nil, err
		}
		r, err := h.Store.Registry(ctx)
		if err != nil {
			return nil, err
		}
		if r.Open(k) {
			return &bot.Reply{Text: fmt.Sprintf("名录里还没有%s：%s暂按所写名称登记。管理员登记后即按名录核对，写法不同的名称会被拒绝并提示正确名称。登记：%s", k.Noun(), k.Noun(), regUsage(k, "添加"))}, nil
		}
		es := r.Entries(k)
		var lines []string
		if k == xfbot.RegCategory {
			for _, e := range es {
				lines = append(lines, "· "+entryText(e))
			}
		} else {
			for _, kind := range xfbot.UnitKinds {
				var ls []string
				for _, e := range es {
					if e.Kind == kind {
						ls = append(ls, "· "+entryText(e))
					}
				}
				if len(ls) > 0 {
					lines = append(lines, string(kind)+"：")
					lines = append(lines, ls...)
				}
			}
		}
		title := fmt.Sprintf("%s名录（共 %d 个）", k.Noun(), len(es))
		card := &bot.Card{Title: title, Color: "blue", Sections: []string{bot.Escape(strings.Join(lines, "\n"))}}
		if req.Member.CanManage() {
			card.Note = "添加：" + regUsage(k, "添加")
		}
		return &bot.Reply{Card: card}, nil
	}
}

// entryText is one record as a list line: 区住建局（别名：住建局、住建；曾用名：…）.
func entryText(e xfbot.RegEntry) string {
	var parts []string
	if len(e.Aliases) > 0 {
		parts = append(parts, "别名："+strings.Join(e.Aliases, "、"))
	}
	if len(e.Former) > 0 {
		parts = append(parts, "曾用名："+strings.Join(e.Former, "、"))
	}
	if len(parts) == 0 {
		return e.Name
	}
	return e.Name + "（" + strings.Join(parts, "；") + "）"
}
