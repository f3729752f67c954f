package bot

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/store"
)

// Digests: the leader's daily card, the weekly group digest and the
// statistics card (the monthly report and the 统计 reply). Every case they
// list is named by its number, and a group digest shows nothing personal
// (CaseLine carries no petitioner data).

// DigestLimit is how many cases a digest lists per section; the rest are
// counted.
const DigestLimit = 10

// LeaderDigestEmpty reports whether w has nothing worth a message: nothing
// overdue or urgent, nothing due this week, nothing changed.
func LeaderDigestEmpty(w store.LeaderWatch) bool {
	return w.Attentions == 0 && w.DueWeeks == 0 && w.Changes == 0
}

// LeaderDigestCard is a leader's digest (包保案件摘要): the watched cases by
// warning colour, those needing attention, those due this week, what changed
// since the last digest, and the month's reception status.
func LeaderDigestCard(w store.LeaderWatch, reception string, v View) *Card {
	worst := xfbot.LevelGreen
	for _, l := range []xfbot.Level{xfbot.LevelBlack, xfbot.LevelRed, xfbot.LevelOrange, xfbot.LevelYellow} {
		if w.Levels[l] > 0 {
			worst = l
			break
		}
	}
	card := &Card{Title: "包保案件摘要 · " + v.Today.String(), Color: worst.Color()}
	if worst == xfbot.LevelGreen {
		card.Color = "blue"
	}
	var dots []string
	for _, l := range []xfbot.Level{xfbot.LevelBlack, xfbot.LevelRed, xfbot.LevelOrange, xfbot.LevelYellow, xfbot.LevelGreen} {
		if n := w.Levels[l]; n > 0 {
			dots = append(dots, fmt.Sprintf("%s%d", l.Emoji(), n))
		}
	}
	card.Subtitle = fmt.Sprintf("您包保的在办案件 %d 件", w.Open)
	if len(dots) > 0 {
		card.Subtitle += "：" + strings.Join(dots, " ")
	}
	card.KPIs = []Field{
		{Label: "在办", Value: fmt.Sprint(w.Open)},
		{Label: "超期", Value: fmt.Sprint(w.Levels[xfbot.LevelRed] + w.Levels[xfbot.LevelBlack])},
		{Label: "本周到期", Value: fmt.Sprint(w.DueWeeks)},
	}
	switch {
	case w.Open > 0 && int64(len(w.All)) == w.Open:
		// Few enough to list them all, each with its colour.
		card.Sections = append(card.Sections, "**包保案件（按期限）**\n"+caseLines(w.All, w.Open, v))
	default:
		if w.Attentions > 0 {
			card.Sections = append(card.Sections, "**需要关注（超期、紧急）**\n"+caseLines(w.Attention, w.Attentions, v))
		}
		if w.DueWeeks > 0 {
			card.Sections = append(card.Sections, "**本周到期**\n"+caseLines(w.DueWeek, w.DueWeeks, v))
		}
	}
	if w.Changes > 0 {
		var lines []string
		for _, c := range w.Changed {
			line := Escape(CaseLine(c, v))
			var what []string
			if c.CreatedAt.After(w.Since) {
				reg := "新登记"
				if by := c.CreatedBy.Display(); by != "" {
					reg += "（" + Escape(by) + "）"
				}
				what = append(what, reg)
			}
			for _, ch := range w.History[c.No] {
				ch.Before, ch.After = v.Text(c, ch.Before), v.Text(c, ch.After)
				what = append(what, Escape(changeText(ch)))
			}
			for _, p := range w.Progress[c.No] {
				what = append(what, Escape(fmt.Sprintf("%s（%s）：%s", p.Kind.Label(), p.Author.Display(), xfbot.Clip(v.Text(c, p.Text), 40))))
			}
			if len(what) > 0 {
				line += "\n　　" + strings.Join(what, "\n　　")
			}
			lines = append(lines, line)
		}
		if more := w.Changes - int64(len(w.Changed)); more > 0 {
			lines = append(lines, fmt.Sprintf("……另有 %d 件有变化", more))
		}
		since := "最近一天"
		if !w.Since.IsZero() {
			since = "自 " + w.Since.In(locOf(v)).Format("1月2日 15:04") + " 以来"
		}
		card.Sections = append(card.Sections, "**"+since+"的变化**\n"+strings.Join(lines, "\n"))
	}
	if reception != "" {
		card.Sections = append(card.Sections, "**本月接访**\n"+Escape(reception))
	}
	card.Note = "发送“列表 包保”查看全部包保案件，“查看 案件号”查看详情。"
	card.Buttons = append(card.Buttons, Button{Text: "打开工作台", Kind: "primary", Action: ActionDesk, Value: map[string]string{}})
	return card
}

func changeText(ch xfbot.Change) string {
	who := ch.By.Display()
	if ch.Before == "" && ch.After == "" {
		return fmt.Sprintf("%s（%s）", ch.Action, who)
	}
	return fmt.Sprintf("%s：%s → %s（%s）", ch.Field, orDefault(ch.Before, "—"), orDefault(ch.After, "—"), who)
}

// caseLines lists cases, one line each, and says how many more there are.
func caseLines(cs []*xfbot.Case, total int64, v View) string {
	lines := make([]string, 0, len(cs)+1)
	for _, c := range cs {
		lines = append(lines, Escape(CaseLine(c, v)))
	}
	if more := total - int64(len(cs)); more > 0 {
		lines = append(lines, fmt.Sprintf("……另有 %d 件", more))
	}
	return strings.Join(lines, "\n")
}

// LeaderReceptionStatus says where a leader stands with this month's
// reception day, from the month's receptions.
func LeaderReceptionStatus(leader string, rs []*xfbot.Reception, today xfbot.Date) string {
	var held, planned []string
	for _, r := range rs {
		if r.Leader.OpenID != leader || xfbot.MonthOf(r.Date) != xfbot.MonthOf(today) {
			continue
		}
		day := fmt.Sprintf("%d月%d日%s", int(r.Date.Month), r.Date.Day, r.Slot.Label())
		switch r.Status {
		case xfbot.ReceptionHeld:
			held = append(held, day)
		case xfbot.ReceptionPlanned:
			if r.Date.Before(today) {
				day += "（待补记录）"
			}
			planned = append(planned, day)
		}
	}
	switch {
	case len(held) > 0 && len(planned) > 0:
		return fmt.Sprintf("已接访 %d 次（%s），另已安排 %s。", len(held), strings.Join(held, "、"), strings.Join(planned, "、"))
	case len(held) > 0:
		return fmt.Sprintf("已接访 %d 次（%s）。", len(held), strings.Join(held, "、"))
	case len(planned) > 0:
		return "已安排 " + strings.Join(planned, "、") + "。"
	}
	return "本月尚未安排接访（每月至少一次）。"
}

// WeeklyDigest is what the weekly group digest shows.
type WeeklyDigest struct {
	Period xfbot.Period
	// Figures are the week's statistics (the same as 统计 上周 reads): its
	// 新增 and 化解 count cases, once each; Data lists them.
	Figures  xfbot.Figures
	Data     store.WeekData
	DueTo    xfbot.Date // due-soon horizon of Data.Due
	QuietFor int        // days without progress that make a hard case "quiet"
}

// WeeklyDigestCard is the task-force group's weekly digest (专班周报):
// overdue and due-soon by unit, new and resolved this week, and the hardest
// cases without progress. It is for a group: CaseLine shows nothing
// personal.
func WeeklyDigestCard(d WeeklyDigest, v View) *Card {
	card := &Card{Title: "专班周报 · " + d.Period.Label, Color: "indigo"}
	var overdue, soon int
	type unitRow struct {
		name   string
		levels map[xfbot.Level]int
		nos    []string
		n      int
	}
	rows := map[string]*unitRow{}
	for _, c := range d.Data.Due {
		lv := v.Level(c)
		if lv >= xfbot.LevelRed {
			overdue++
		} else {
			soon++
		}
		u := xfbot.UnitLabel(c.Unit)
		r := rows[u]
		if r == nil {
			r = &unitRow{name: u, levels: map[xfbot.Level]int{}}
			rows[u] = r
		}
		r.levels[lv]++
		r.n++
		if len(r.nos) < 8 {
			r.nos = append(r.nos, string(c.No))
		}
	}
	card.KPIs = []Field{
		{Label: "本周新增", Value: fmt.Sprint(d.Figures.Inflow)},
		{Label: "本周化解", Value: fmt.Sprint(d.Figures.Resolved)},
		{Label: "超期", Value: fmt.Sprint(overdue)},
	}
	if len(rows) > 0 {
		list := make([]*unitRow, 0, len(rows))
		for _, r := range rows {
			list = append(list, r)
		}
		sort.Slice(list, func(i, j int) bool {
			a, b := list[i], list[j]
			ar, br := a.levels[xfbot.LevelRed]+a.levels[xfbot.LevelBlack], b.levels[xfbot.LevelRed]+b.levels[xfbot.LevelBlack]
			if ar != br {
				return ar > br
			}
			if a.n != b.n {
				return a.n > b.n
			}
			return a.name < b.name
		})
		var lines []string
		for _, r := range list {
			var dots []string
			for _, l := range []xfbot.Level{xfbot.LevelBlack, xfbot.LevelRed, xfbot.LevelOrange, xfbot.LevelYellow} {
				if n := r.levels[l]; n > 0 {
					dots = append(dots, fmt.Sprintf("%s%d", l.Emoji(), n))
				}
			}
			nos := strings.Join(r.nos, "、")
			if r.n > len(r.nos) {
				nos += fmt.Sprintf(" 等 %d 件", r.n)
			}
			lines = append(lines, Escape(fmt.Sprintf("%s %s：%s", r.name, strings.Join(dots, " "), nos)))
		}
		card.Sections = append(card.Sections, fmt.Sprintf("**超期与临期（按主责单位，%d月%d日前到期）**\n", int(d.DueTo.Month), d.DueTo.Day)+strings.Join(lines, "\n"))
	} else {
		card.Sections = append(card.Sections, "**超期与临期**\n无。")
	}
	section := func(title string, cs []*xfbot.Case) {
		if len(cs) == 0 {
			card.Sections = append(card.Sections, "**"+title+"**\n无。")
			return
		}
		card.Sections = append(card.Sections, "**"+title+"**\n"+caseLines(cs[:min(len(cs), DigestLimit)], int64(len(cs)), v))
	}
	section("本周新增", d.Data.New)
	// A case resolved in the week and reopened since counts in the week's
	// 化解 but is no longer listed as resolved.
	if gone := d.Figures.Resolved - int64(len(d.Data.Resolved)); gone > 0 && len(d.Data.Resolved) == 0 {
		card.Sections = append(card.Sections, fmt.Sprintf("**本周化解**\n%d 件，化解后均已重开。", gone))
	} else {
		section("本周化解", d.Data.Resolved)
		if gone > 0 {
			card.Sections[len(card.Sections)-1] += fmt.Sprintf("\n另有 %d 件本周化解后又重开", gone)
		}
	}
	if len(d.Data.Quiet) > 0 {
		var lines []string
		for _, c := range d.Data.Quiet[:min(len(d.Data.Quiet), DigestLimit)] {
			var tags []string
			for _, t := range c.Tags {
				if t != xfbot.TagRepeat && t != xfbot.TagKey && t != xfbot.TagBeyond {
					tags = append(tags, t.Label())
				}
			}
			last := c.LastActivity()
			if last.IsZero() {
				last = c.CreatedAt
			}
			days := v.Today.Sub(xfbot.DateOf(last, locOf(v)))
			lines = append(lines, Escape(fmt.Sprintf("%s 〔%s〕%d 天无进展", CaseLine(c, v), strings.Join(tags, "、"), days)))
		}
		if more := len(d.Data.Quiet) - DigestLimit; more > 0 {
			lines = append(lines, fmt.Sprintf("……另有 %d 件", more))
		}
		card.Sections = append(card.Sections, fmt.Sprintf("**积案、骨头案、三老：%d 天以上无进展**\n", d.QuietFor)+strings.Join(lines, "\n"))
	}
	card.Note = "群内不显示信访人信息。发送“查看 案件号”私聊查看详情，“统计 本周”查看本周统计。"
	return card
}

// StatsReport is what a statistics card shows: the district's figures,
// optionally by unit, a 12-month trend and the reception completion.
type StatsReport struct {
	Title     string
	District  xfbot.Figures
	Units     []xfbot.Figures // by unit, sorted by the caller
	UnitLimit int             // units shown in the card (0: all)
	Trend     []xfbot.Figures // months, oldest first; none: no charts
	Reception *xfbot.Compliance
}

// StatsCard renders a statistics report: the figures, the trend and the
// units as charts, the units as lines, the reception completion, and the
// definitions (口径) in the note.
func StatsCard(r StatsReport) *Card {
	f := r.District
	card := &Card{Title: r.Title, Subtitle: f.Period.Label + "（" + f.Period.From.String() + " 至 " + f.Period.To.String() + "）", Color: "indigo"}
	card.KPIs = []Field{
		{Label: "期初存量", Value: fmt.Sprint(f.Stock)},
		{Label: "本期增量", Value: fmt.Sprint(f.Inflow)},
		{Label: "化解数", Value: fmt.Sprint(f.Resolved)},
		{Label: "化解率", Value: f.ResolutionRate().String()},
		{Label: "按期办结率", Value: f.OnTimeRate().String()},
		{Label: "期末在办", Value: fmt.Sprint(f.OpenEnd)},
	}
	card.Sections = append(card.Sections, Escape(fmt.Sprintf("到期未办结 %d 件 · 销号 %d 件 · 重复信访 %d 件（%s） · 越级访 %d 件 · 重开 %d 件 · 下访接谈 %d 次 · 延期 %d 件",
		f.Overdue, f.Closed, f.Repeat, f.RepeatRate(), f.Beyond, f.Reopened, f.Contacts, f.Extended)))
	card.Sections = append(card.Sections, "**程序**\n"+Escape(fmt.Sprintf("及时受理率：%s · 按期答复率：%s · 复查/复核：%d / %d，维持率 %s",
		f.TimelyIntakeRate(), f.OnTimeReplyRate(), f.Reviews, f.Rechecks, f.UpholdRate())))
	if r.Reception != nil {
		rc := r.Reception
		line := fmt.Sprintf("%d 位领导中 %d 位已接访，共 %d 批 %d 人次", rc.Held+rc.Missing, rc.Held, rc.Batches, rc.Persons)
		var missing []string
		for _, l := range rc.Leaders {
			if l.Held == 0 {
				missing = append(missing, l.Leader.Display())
			}
		}
		if len(missing) > 0 {
			line += "；未接访：" + strings.Join(missing, "、")
		}
		card.Sections = append(card.Sections, "**领导接访**\n"+Escape(line))
	}
	if len(r.Units) > 0 {
		shown := r.Units
		if r.UnitLimit > 0 && len(shown) > r.UnitLimit {
			shown = shown[:r.UnitLimit]
		}
		lines := UnitLines(shown)
		for i := range lines {
			lines[i] = Escape(lines[i])
		}
		if more := len(r.Units) - len(shown); more > 0 {
			lines = append(lines, fmt.Sprintf("……另有 %d 个单位，发送“统计 单位”查看全部", more))
		}
		card.Sections = append(card.Sections, "**按主责单位**\n"+strings.Join(lines, "\n"))
	}
	if len(r.Trend) > 0 {
		ch := Chart{Title: "近 12 个月：新增、化解与期末在办", Kind: "line"}
		in, out, open := Series{Name: "新增"}, Series{Name: "化解"}, Series{Name: "期末在办"}
		for _, m := range r.Trend {
			ch.Categories = append(ch.Categories, fmt.Sprintf("%d-%02d", m.Period.From.Year%100, int(m.Period.From.Month)))
			in.Values = append(in.Values, float64(m.Inflow))
			out.Values = append(out.Values, float64(m.Resolved))
			open.Values = append(open.Values, float64(m.OpenEnd))
		}
		ch.Series = []Series{in, out, open}
		card.Charts = append(card.Charts, ch)
	}
	if len(r.Units) > 0 && len(r.Trend) > 0 {
		ch := Chart{Title: "按主责单位：应化解与已化解", Kind: "bar", Aspect: "4:3"}
		due, done := Series{Name: "应化解（存量+增量）"}, Series{Name: "已化解"}
		for _, u := range r.Units[:min(len(r.Units), 12)] {
			ch.Categories = append(ch.Categories, xfbot.Clip(xfbot.UnitLabel(u.Unit), 8))
			due.Values = append(due.Values, float64(u.Stock+u.Inflow))
			done.Values = append(done.Values, float64(u.Resolved))
		}
		ch.Series = []Series{due, done}
		card.Charts = append(card.Charts, ch)
	}
	card.Note = "口径：化解数按案件计，同一案件本期多次化解只计 1 件；化解率 = 化解数 ÷（期初存量 + 本期增量）；按期办结率 = 期限内化解 ÷（本期化解 + 本期到期未办结）。发送“统计 口径”查看全部。"
	return card
}

// MemberStatsCard shows each 包案人's work in period p, by name (no ranking).
func MemberStatsCard(p xfbot.Period, ms []xfbot.MemberFigures) *Card {
	card := &Card{Title: "成员统计 · " + p.Label, Subtitle: "仅供专班内部使用，请勿转发到群聊", Color: "indigo"}
	if len(ms) == 0 {
		card.Sections = []string{"还没有专班成员。"}
		return card
	}
	lines := make([]string, 0, len(ms))
	for _, m := range ms {
		lines = append(lines, Escape(fmt.Sprintf("%s：在办 %d 件（超期 %d），进展更新及时率 %s，本期化解 %d、销号 %d，下访接谈 %d 次，按期化解率 %s",
			m.Owner.Display(), m.Open, m.Overdue, m.Timeliness(), m.Resolved, m.Closed, m.Contacts, m.OnTimeRate())))
	}
	card.Sections = []string{strings.Join(lines, "\n")}
	card.Note = fmt.Sprintf("进展更新及时率 = 在办包案件中 %d 天内有进展的件数 ÷ 在办包案件数；在办、超期为当前数；本期化解、销号按案件计（同一案件本期多次只计 1 件），下访接谈按次计；按期化解率 = 本期在期限内化解的件数 ÷ 本期化解件数。按姓名排列，不排名。", xfbot.FreshDays)
	return card
}

// UnitLines are the figures of units, one plain-text line each.
func UnitLines(us []xfbot.Figures) []string {
	lines := make([]string, 0, len(us))
	for _, u := range us {
		lines = append(lines, fmt.Sprintf("%s：存量 %d，增量 %d，化解 %d（%s），按期 %s，超期 %d，在办 %d",
			xfbot.UnitLabel(u.Unit), u.Stock, u.Inflow, u.Resolved, u.ResolutionRate(), u.OnTimeRate(), u.Overdue, u.OpenEnd))
	}
	return lines
}

// SortUnitFigures orders units by their load (stock + inflow), then name.
func SortUnitFigures(us []xfbot.Figures) {
	sort.SliceStable(us, func(i, j int) bool {
		a, b := us[i].Stock+us[i].Inflow, us[j].Stock+us[j].Inflow
		if a != b {
			return a > b
		}
		return us[i].Unit < us[j].Unit
	})
}

// DefinitionsText lists the definitions of the figures (统计 口径).
func DefinitionsText() string {
	var b strings.Builder
	b.WriteString("统计口径：")
	for _, d := range xfbot.Definitions {
		b.WriteString("\n· " + d[0] + "：" + d[1])
	}
	return b.String()
}

// WeekEnd is the Sunday of the week today is in.
func WeekEnd(today xfbot.Date) xfbot.Date { return xfbot.WeekPeriod(today).To }

// TextContent is the content of a text message saying text.
func TextContent(text string) string {
	b, _ := json.Marshal(map[string]string{"text": text})
	return string(b)
}

// The buttons of the full-export confirmation (导出 台账 … 完整).
const (
	ActionExportFull   = "export.full"   // 确认完整导出 (admins; audited)
	ActionExportMasked = "export.masked" // 改为脱敏导出
)
