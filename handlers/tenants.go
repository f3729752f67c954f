package handlers

import (
	"context"
	"fmt"
	"strings"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/bot"
	"github.com/qingchuan/xfbot/store"
)

// CityDistrict is one district in the city view (全市): its name and its
// ledger, whose counts alone are read.
type CityDistrict struct {
	ID, Name string
	Store    *store.Store
}

// switchDistrict: 切换 [区]. The choice itself was recorded by the routing
// (bot.Tenants) before this district was picked; this says what happened.
func (h *Handlers) switchDistrict(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	t := req.Tenancy
	want := strings.TrimSpace(req.Args.Raw)
	if t == nil {
		return &bot.Reply{Text: "本机器人只服务一个区，不需要切换。"}, nil
	}
	names := func() string {
		var ns []string
		for _, o := range t.Options {
			ns = append(ns, o.Name)
		}
		return strings.Join(ns, "、")
	}
	example := func() string {
		if len(t.Options) > 0 {
			return bot.SwitchVerb + " " + t.Options[len(t.Options)-1].Name
		}
		return bot.SwitchVerb + " 区名"
	}
	switch {
	case t.Ambiguous:
		return &bot.Reply{Text: fmt.Sprintf("您同时是%s的成员，请先选择在哪个区办理：发送“%s”。选好后请再发一次刚才的命令（它没有执行）。", names(), example())}, nil
	case t.Group:
		return &bot.Reply{Text: fmt.Sprintf("这个群是%s专班的群，群里的命令都在%s办理。切换请在与机器人的私聊中发送“%s 区名”。", t.Current.Name, t.Current.Name, bot.SwitchVerb)}, nil
	case t.Switched:
		return &bot.Reply{Text: fmt.Sprintf("已切换到%s。之后您在私聊中发送的命令都在%s办理；卡片上的按钮和对卡片的回复仍在卡片所属的区办理。", t.Current.Name, t.Current.Name)}, nil
	case len(t.Options) == 0 && t.City:
		return &bot.Reply{Text: "您是市级用户，不属于哪个区，不需要切换。发送“全市 统计”查看各区的数字。"}, nil
	case len(t.Options) == 0:
		return nil, xfbot.Errorf(xfbot.EFORBIDDEN, "您还不是任何一个区的专班成员，无从切换。请联系本区专班管理员把您加入。")
	case want == "":
		return &bot.Reply{Text: fmt.Sprintf("您当前在%s。您所在的区：%s。发送“%s”切换。", t.Current.Name, names(), example())}, nil
	}
	return nil, xfbot.Errorf(xfbot.EINVALID, "“%s”不是您所在的区。您所在的区：%s；例如：%s", xfbot.Echo(want, 20), names(), example())
}

// cityStats: 全市 统计 [本月|上月|本周|上周|YYYY-MM] and 全市 月报
// [YYYY-MM] (default 上月): each district's figures and the city's sum,
// for the 市级 role. Only counts are read; no case, no name leaves a
// district.
func (h *Handlers) cityStats(monthly bool) bot.HandlerFunc {
	return func(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
		if req.Tenancy == nil || !req.Tenancy.City || len(h.City) == 0 {
			return nil, xfbot.Errorf(xfbot.EFORBIDDEN, "全市统计只向市级用户开放（配置 city.viewers）。本区的数字请发送“统计”。")
		}
		today := req.Today()
		word := strings.TrimSpace(req.Args.Raw)
		if len(req.Args.Words) > 1 {
			return nil, xfbot.Errorf(xfbot.EINVALID, "只能统计一个期间，例如：全市 统计 上月")
		}
		if monthly && word == "" {
			word = "上月"
		}
		p, _, err := statsPeriod(word, today)
		if err != nil {
			return nil, err
		}
		if monthly && !p.IsMonth() {
			return nil, xfbot.Errorf(xfbot.EINVALID, "月报按月出，请写月份或 本月、上月，例如：全市 月报 2026-11")
		}
		total := xfbot.Figures{Period: p, All: true}
		rows := make([]xfbot.Figures, len(h.City))
		for i, d := range h.City {
			pd, err := d.Store.PeriodData(ctx, p, today)
			if err != nil {
				return nil, err
			}
			rows[i] = pd.Figures("", true)
			total.Add(rows[i])
		}
		return &bot.Reply{Card: cityCard(h.CityName, monthly, p, total, h.City, rows)}, nil
	}
}

// cityCard shows the city's sums large and one line per district.
func cityCard(city string, monthly bool, p xfbot.Period, total xfbot.Figures, ds []CityDistrict, rows []xfbot.Figures) *bot.Card {
	title := "全市统计"
	if monthly {
		title = "全市月报"
	}
	if city != "" {
		title = city + " · " + title
	}
	c := &bot.Card{Title: title + " · " + p.Label, Color: "blue",
		Subtitle: fmt.Sprintf("%d 个区；只含数字，不含案件和个人信息", len(ds))}
	n := func(v int64) string { return fmt.Sprint(v) }
	c.KPIs = []bot.Field{
		{Label: "期初存量", Value: n(total.Stock)}, {Label: "本期增量", Value: n(total.Inflow)}, {Label: "化解数", Value: n(total.Resolved)},
		{Label: "化解率", Value: total.ResolutionRate().String()}, {Label: "按期办结率", Value: total.OnTimeRate().String()}, {Label: "到期未办结", Value: n(total.Overdue)},
	}
	if monthly {
		for _, r := range total.FigureRows() {
			c.Fields = append(c.Fields, bot.Field{Label: r[0], Value: r[1]})
		}
	}
	var b strings.Builder
	b.WriteString("**各区**\n")
	for i, d := range ds {
		f := rows[i]
		fmt.Fprintf(&b, "**%s**　在办 %d · 增量 %d · 化解 %d（%s）· 按期办结率 %s · 到期未办结 %d\n",
			bot.Escape(d.Name), f.OpenEnd, f.Inflow, f.Resolved, f.ResolutionRate(), f.OnTimeRate(), f.Overdue)
	}
	c.Sections = append(c.Sections, strings.TrimRight(b.String(), "\n"))
	c.Note = "化解率 = 化解数 ÷（期初存量 + 本期增量）；全市的比率按各区之和计算。各区的案件请向该区专班了解。"
	return c
}
