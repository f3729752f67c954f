package report

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

// City is the figures of period p in every district and their sum, as the
// 市级 role reads them (全市 统计, 全市 月报 when monthly): counts only; no
// case, no name leaves a district.
func City(ctx context.Context, city string, ds []CityDistrict, p xfbot.Period, today xfbot.Date, monthly bool) (*bot.Card, error) {
	total := xfbot.Figures{Period: p, All: true}
	rows := make([]xfbot.Figures, len(ds))
	for i, d := range ds {
		pd, err := d.Store.PeriodData(ctx, p, today)
		if err != nil {
			return nil, fmt.Errorf("report: city: %s: %w", d.ID, err)
		}
		rows[i] = pd.Figures("", true)
		total.Add(rows[i])
	}
	return cityCard(city, monthly, p, total, ds, rows), nil
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
