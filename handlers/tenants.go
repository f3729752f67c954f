package handlers

import (
	"context"
	"fmt"
	"strings"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/bot"
	"github.com/qingchuan/xfbot/report"
)

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
			// Its example is the district's 统计; a city viewer writes 全市.
			return nil, xfbot.Errorf(xfbot.ErrorCode(err), "%s", strings.Replace(xfbot.ErrorMessage(err), "例如：统计", "例如：全市 统计", 1))
		}
		if monthly && !p.IsMonth() {
			return nil, xfbot.Errorf(xfbot.EINVALID, "月报按月出，请写月份或 本月、上月，例如：全市 月报 2026-11")
		}
		card, err := report.City(ctx, h.CityName, h.City, p, today, monthly)
		if err != nil {
			return nil, err
		}
		return &bot.Reply{Card: card}, nil
	}
}
