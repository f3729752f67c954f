package handlers

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/bot"
	"github.com/qingchuan/xfbot/demo"
	"github.com/qingchuan/xfbot/store"
)

// demoCases is the size of the demo ledger (petition-domain §5: about 120).
const demoCases = 120

// demo loads the synthetic data set into the console's ledger. It writes
// through the store directly, one case per commit, because one command makes
// many cases; it refuses outside the console and when already loaded.
func (h *Handlers) demo(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	if !h.Demo {
		return nil, xfbot.Errorf(xfbot.EFORBIDDEN, "演示数据只能在本地控制台载入，不能写进正式台账。")
	}
	people := demo.People()
	if m, err := h.member(ctx, people[0].Member.OpenID); err != nil {
		return nil, err
	} else if m != nil {
		return nil, xfbot.Errorf(xfbot.EINVALID, "演示数据已经载入过了。发送“列表”查看。")
	}
	tx := h.Store.NewTx()
	for _, p := range people {
		tx.PutMember(p.Member)
	}
	if _, err := h.Store.Commit(ctx, tx); err != nil {
		return nil, err
	}
	today := req.Today()
	cases := demo.Cases(demoCases, today, req.Loc, uint64(req.Time.Unix()), func(c *xfbot.Case) xfbot.Date { return c.DueAsOf(h.Calendar, today) })
	if err := h.demoRegistry(ctx, people, cases); err != nil {
		return nil, err
	}
	var open []*xfbot.Case // registered, for the demo consultations
	var made []*xfbot.Case // registered, for the demo plans
	for _, dc := range cases {
		c := dc.Case
		tx := h.Store.NewTx()
		tx.CreateCase(&c, c.CreatedAt.In(req.Loc).Year())
		for _, p := range dc.Progress {
			tx.AddProgress(c.No, p)
		}
		no, err := h.Store.Commit(ctx, tx)
		if err != nil && !errors.Is(err, store.ErrDuplicate) {
			return nil, err
		}
		if err == nil && no != "" {
			c.No = no
			made = append(made, &c)
			if c.Status.Open() {
				open = append(open, &c)
			}
		}
	}
	plans, err := h.demoPlans(ctx, req, made) // 一案一策 (plans.go): first, the consultations read the cases it writes
	if err != nil {
		return nil, err
	}
	ids, err := h.demoConsults(ctx, req, people, open)
	if err != nil {
		return nil, err
	}
	var members []xfbot.Member
	for _, p := range people {
		members = append(members, p.Member)
	}
	items, err := h.demoSupervision(ctx, req, open, members) // supervise.go
	if err != nil {
		return nil, err
	}
	onLeave, recalled, err := h.demoRoster(ctx, req, members) // roster.go
	if err != nil {
		return nil, err
	}
	roster := ""
	if onLeave != "" {
		roster = "；" + onLeave + " 请假中"
		if recalled != "" {
			roster += "、" + recalled + " 已召回"
		}
		roster += "，见“成员 列表”“成员 召回记录”"
	}
	msg := fmt.Sprintf("✅ 已载入虚构演示数据：%d 名成员（领导 6 人、专班成员 9 人、各单位联络员%s），%d 件案件，覆盖各类别与各预警等级；%d 份一案一策方案（已批准、待批、草稿、修订中）；集中会诊 %d 场；督查单 %d 张。\n"+
		"试试：列表 逾期、列表 临期、列表 单位:区住建局、查看 <案件号>、方案 列表、方案 查看 <案件号>、会诊 列表、会诊 查看 %s、督查 列表；用 :user 周某 切换到领导身份，:group 切换到群聊看脱敏效果。",
		len(people), roster, len(cases), plans, len(ids), items, strings.Join(ids, "、"))
	return &bot.Reply{Text: msg}, nil
}

// demoConsults adds two 集中会诊 over the demo's open cases: one held last
// week with its conclusions and decisions (not yet converted to measures:
// the card offers 转为措施), one to come on the working day after
// tomorrow. It returns their numbers.
func (h *Handlers) demoConsults(ctx context.Context, req *bot.Request, people []demo.Person, open []*xfbot.Case) ([]string, error) {
	if len(open) < 4 {
		return nil, nil
	}
	var host, staff, owner xfbot.Person
	for _, p := range people {
		switch {
		case p.Member.Role == xfbot.RoleLeader && host.IsZero():
			host = p.Member.Person()
		case p.Member.Role == xfbot.RoleMember && staff.IsZero():
			staff = p.Member.Person()
		case p.Member.Role == xfbot.RoleMember && owner.IsZero():
			owner = p.Member.Person()
		}
	}
	today := req.Today()
	units := func(cs ...*xfbot.Case) []string {
		var us []string
		for _, c := range cs {
			for _, u := range []string{c.Unit, c.Area} {
				if u != "" && !slices.Contains(us, u) {
					us = append(us, u)
				}
			}
		}
		return us
	}
	held := today.AddDays(-7)
	for !h.Calendar.IsWorkday(held) {
		held = held.AddDays(-1)
	}
	at := held.Time(req.Loc).Add(16 * time.Hour)
	a, b := open[0], open[1]
	past := &xfbot.Consultation{Date: held, Slot: xfbot.SlotPM, Place: DefaultConsultPlace, Topic: "积案集中会诊（虚构）", Host: host,
		Units: units(a, b), Cases: []xfbot.CaseNo{a.No, b.No}, Status: xfbot.ConsultHeld, ScheduledBy: staff, ScheduledAt: at.Add(-7 * 24 * time.Hour),
		Conclusions: []xfbot.ConsultConclusion{
			{Case: a.No, Text: "诉求部分合理：由主责单位牵头重新核定，属地做好解释疏导。", By: staff, At: at},
			{Case: b.No, Text: "诉求缺乏政策依据：依法解释到位，引导走法定途径。", By: staff, At: at},
		},
		Decisions: []xfbot.ConsultDecision{
			{N: 1, Case: a.No, Means: xfbot.Means{Hard: true, Type: "政策"}, Content: "按现行政策重新核定补偿标准并书面答复", Unit: a.Unit, Owner: owner, Due: today.AddDays(21), By: staff, At: at},
			{N: 2, Case: a.No, Means: xfbot.Means{Type: "疏导"}, Content: "属地每周上门走访一次，稳定信访人情绪", Unit: a.Area, Due: today.AddDays(60), By: staff, At: at},
			{N: 3, Case: b.No, Means: xfbot.Means{Type: "教育"}, Content: "组织法律顾问释法明理", Due: today.AddDays(14), By: staff, At: at},
		}}
	next := h.Calendar.WorkdaysAfter(today, 2)
	coming := &xfbot.Consultation{Date: next, Slot: xfbot.SlotAM, Place: DefaultConsultPlace, Topic: "重点信访事项会商（虚构）", Host: host,
		Units: units(open[2], open[3]), Cases: []xfbot.CaseNo{open[2].No, open[3].No}, Status: xfbot.ConsultPlanned, ScheduledBy: staff, ScheduledAt: req.Time}
	var ids []string
	for _, c := range []*xfbot.Consultation{past, coming} {
		tx := h.Store.NewTx()
		tx.CreateConsult(c)
		for _, no := range c.Cases {
			tx.AddChanges(no, xfbot.Change{At: c.ScheduledAt, By: staff, Action: "会诊 安排", Field: "集中会诊",
				After: fmt.Sprintf("%s %s，主持 %s", store.NoPlaceholder, c.When(), host.Display())})
		}
		for _, cl := range c.Conclusions {
			tx.AddProgress(cl.Case, xfbot.Progress{At: cl.At, Author: cl.By, Kind: xfbot.KindProgress, Text: "集中会诊 " + store.NoPlaceholder + " 结论：" + cl.Text})
		}
		id, err := h.Store.Commit(ctx, tx)
		if err != nil {
			return nil, err
		}
		ids = append(ids, string(id))
	}
	return ids, nil
}

// demoRegistry registers the demo's units and localities (the names its
// cases and liaisons use) in the registry, so that the demo's ledger
// resolves as a real one does.
func (h *Handlers) demoRegistry(ctx context.Context, people []demo.Person, cases []demo.Case) error {
	reg, err := h.Store.Registry(ctx)
	if err != nil {
		return err
	}
	var es []xfbot.RegEntry
	for _, dc := range cases {
		for _, n := range []string{dc.Case.Unit, dc.Case.Area} {
			if n != "" {
				es = append(es, xfbot.RegEntry{Name: n})
			}
		}
	}
	for _, p := range people {
		if p.Member.Role == xfbot.RoleLiaison && p.Member.Unit != "" {
			es = append(es, xfbot.RegEntry{Name: p.Member.Unit})
		}
	}
	if reg.Seed(es) == 0 {
		return nil
	}
	tx := h.Store.NewTx()
	tx.PutRegistry(reg)
	_, err = h.Store.Commit(ctx, tx)
	return err
}
