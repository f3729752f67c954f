package bot

import (
	"fmt"
	"strings"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/store"
)

// Card actions of 督查单 (registered by handlers/, each naming the 督查
// subcommand it stands for).
const (
	ActionSupRefresh    = "dc.refresh"     // 刷新: 督查 查看
	ActionSupRectify    = "dc.rectify"     // 开始整改: 督查 整改
	ActionSupSubmitForm = "dc.submit.form" // 报告整改: show the form
	ActionSupSubmit     = "dc.submit"      // the form's submit: 督查 报告
	ActionSupVerify     = "dc.verify"      // 核验通过: 督查 核验
	ActionSupReturnForm = "dc.return.form" // 退回: show the form
	ActionSupReturn     = "dc.return"      // the form's submit: 督查 核验 … 退回
	ActionSupClose      = "dc.close"       // 销号: 督查 销号
)

// SupervisionReader is whom a 督查单 card is for: its buttons are the
// next steps that person may take (xfbot.SupervisionItem.CanAct decides).
type SupervisionReader struct {
	Member xfbot.Member
}

// SupervisionReaderOf is the reader of a request's own chat.
func SupervisionReaderOf(req *Request) SupervisionReader {
	return SupervisionReader{Member: req.Member}
}

func supValue(it *xfbot.SupervisionItem, v View) map[string]string {
	g := "0"
	if v.Audience.Group {
		g = "1"
	}
	return map[string]string{"id": string(it.ID), "g": g, "c": v.ChatID}
}

// supText is free text of an item as v's audience reads it: phones, ID
// numbers and, where the case is known, the petitioner's name masked.
func supText(s string, c *xfbot.Case, v View) string { return xfbot.MaskText(s, c, v.Audience) }

// SupervisionLevel is the colour of an item today: 🔴 overdue, 🟠 due
// within 2 days, 🟡 reported and waiting for verification, none otherwise.
func SupervisionLevel(it *xfbot.SupervisionItem, today xfbot.Date) xfbot.Level {
	switch {
	case it.Overdue(today):
		return xfbot.LevelRed
	case it.Rectifying() && it.Due.Sub(today) <= 2:
		return xfbot.LevelOrange
	case it.Status == xfbot.SupSubmitted:
		return xfbot.LevelYellow
	}
	return xfbot.LevelNone
}

// SupervisionDueText is the deadline as read today: "03-25（还剩 3 天）",
// "03-25（已逾期 2 天 · 已通报）".
func SupervisionDueText(it *xfbot.SupervisionItem, today xfbot.Date) string {
	s := it.Due.String()
	switch {
	case !it.Rectifying():
	case it.Overdue(today):
		s += fmt.Sprintf("（已逾期 %d 天", today.Sub(it.Due))
		if e := it.Escalation(); e != "" {
			s += " · 已" + e.Label()
		}
		s += "）"
	case it.Due == today:
		s += "（今天到期）"
	default:
		s += fmt.Sprintf("（还剩 %d 天）", it.Due.Sub(today))
	}
	return s
}

// SupervisionLine is one item in a list: number, unit, type, status, due.
func SupervisionLine(it *xfbot.SupervisionItem, today xfbot.Date) string {
	mark := SupervisionLevel(it, today).Emoji()
	if mark == "" {
		mark = map[xfbot.SupervisionStatus]string{xfbot.SupVerified: "✅", xfbot.SupClosed: "☑️"}[it.Status]
	}
	if mark == "" {
		mark = "📋"
	}
	s := fmt.Sprintf("%s %s %s · %s · %s", mark, it.ID, it.Unit, it.Problem.Label(), it.Status.Label())
	if it.Rectifying() {
		s += " · 整改期限 " + SupervisionDueText(it, today)
	}
	if it.Returns > 0 {
		s += fmt.Sprintf(" · 退回 %d 次", it.Returns)
	}
	return s
}

// SupervisionButtons are the next steps r may take on it.
func SupervisionButtons(it *xfbot.SupervisionItem, v View, r SupervisionReader) []Button {
	val := supValue(it, v)
	can := func(a xfbot.SupervisionAct) bool { return r.Member.Role != "" && it.CanAct(r.Member, a) == nil }
	var bs []Button
	switch it.Status {
	case xfbot.SupIssued, xfbot.SupRectifying:
		if it.Status == xfbot.SupIssued && can(xfbot.ActRectify) {
			bs = append(bs, Button{Text: "开始整改", Action: ActionSupRectify, Value: val})
		}
		if can(xfbot.ActSubmit) {
			bs = append(bs, Button{Text: "报告整改", Kind: "primary", Action: ActionSupSubmitForm, Value: val})
		}
	case xfbot.SupSubmitted:
		if can(xfbot.ActVerify) {
			bs = append(bs, Button{Text: "核验通过", Kind: "primary", Action: ActionSupVerify, Value: val, Confirm: fmt.Sprintf("%s 整改核验通过？", it.ID)},
				Button{Text: "退回", Kind: "danger", Action: ActionSupReturnForm, Value: val})
		}
	case xfbot.SupVerified:
		if can(xfbot.ActClose) {
			bs = append(bs, Button{Text: "销号", Kind: "primary", Action: ActionSupClose, Value: val, Confirm: fmt.Sprintf("%s 销号？", it.ID)})
		}
	}
	return bs
}

// SupervisionCard shows one item: what was found, what is required, by
// when, what the unit reported, what the verifier said, its ladder and
// history, and the reader's next step. c is the linked case (nil: none or
// not loaded), whose petitioner's name the free text is masked for.
func SupervisionCard(it *xfbot.SupervisionItem, c *xfbot.Case, hist []xfbot.SupervisionEvent, v View, r SupervisionReader) *Card {
	lv := SupervisionLevel(it, v.Today)
	color := "blue"
	switch {
	case lv >= xfbot.LevelYellow:
		color = lv.Color()
	case it.Status == xfbot.SupVerified:
		color = "green"
	case it.Status == xfbot.SupClosed:
		color = "grey"
	}
	card := &Card{Title: fmt.Sprintf("督查单 %s · %s", it.ID, it.Unit), Color: color, Tags: []Tag{{Text: it.Status.Label()}}}
	if it.Overdue(v.Today) {
		card.Tags = append(card.Tags, Tag{Text: "逾期", Color: "red"})
	}
	if e := it.Escalation(); e != "" {
		card.Tags = append(card.Tags, Tag{Text: e.Label(), Color: "carmine"})
	}
	card.Fields = []Field{
		{"被督查单位", it.Unit},
		{"问题类型", it.Problem.Label()},
		{"督查专员", it.Inspector.Display()},
		{"交办日期", it.OpenedOn.String()},
		{"整改期限", SupervisionDueText(it, v.Today)},
		{"状态", it.Status.Label()},
	}
	if it.Case != "" {
		card.Fields = append(card.Fields, Field{"关联案件", string(it.Case)})
	}
	if it.Returns > 0 {
		card.Fields = append(card.Fields, Field{"退回次数", fmt.Sprint(it.Returns)})
	}
	card.Sections = append(card.Sections, "**问题描述**\n"+escapeMD(supText(it.Description, c, v)))
	if it.Requirement != "" {
		card.Sections = append(card.Sections, "**整改要求**\n"+escapeMD(supText(it.Requirement, c, v)))
	}
	if it.Evidence != "" {
		s := "**整改情况与佐证**"
		if !it.SubmittedOn.IsZero() {
			s += fmt.Sprintf("（%s 报告，%s）", it.SubmittedBy.Display(), it.SubmittedOn)
		}
		card.Sections = append(card.Sections, s+"\n"+escapeMD(supText(it.Evidence, c, v)))
	}
	if it.Opinion != "" {
		card.Sections = append(card.Sections, "**核验意见**\n"+escapeMD(supText(it.Opinion, c, v)))
	}
	if len(hist) > 0 {
		shown := hist
		if len(shown) > 8 {
			shown = shown[len(shown)-8:]
		}
		var lines []string
		for _, e := range shown {
			who := e.By.Display()
			if who == "" {
				who = "系统"
			}
			l := fmt.Sprintf("%s %s %s", e.At.In(locOf(v)).Format("01-02 15:04"), who, e.Action)
			if e.Text != "" {
				l += "：" + xfbot.Clip(supText(e.Text, c, v), 60)
			}
			lines = append(lines, escapeMD(l))
		}
		card.Sections = append(card.Sections, "**办理记录**\n"+strings.Join(lines, "\n"))
	}
	card.Buttons = append(SupervisionButtons(it, v, r), Button{Text: "刷新", Action: ActionSupRefresh, Value: supValue(it, v)})
	return card
}

// SupervisionSubmitForm is the card with the 报告整改 form open.
func SupervisionSubmitForm(it *xfbot.SupervisionItem, c *xfbot.Case, hist []xfbot.SupervisionEvent, v View, r SupervisionReader) *Card {
	card := SupervisionCard(it, c, hist, v, r)
	card.Buttons = []Button{{Text: "取消", Action: ActionSupRefresh, Value: supValue(it, v)}}
	card.Form = &Form{Name: "dc_submit", Inputs: []Input{{Name: "text", Label: "整改情况与佐证", Placeholder: "例如：已落实属地联系人，附走访记录 3 份", Required: true, MaxLength: 1000, Multiline: true}},
		Submit: Button{Text: "提交", Kind: "primary_filled", Action: ActionSupSubmit, Value: supValue(it, v)}}
	return card
}

// SupervisionReturnForm is the card with the 退回 form open.
func SupervisionReturnForm(it *xfbot.SupervisionItem, c *xfbot.Case, hist []xfbot.SupervisionEvent, v View, r SupervisionReader) *Card {
	card := SupervisionCard(it, c, hist, v, r)
	card.Buttons = []Button{{Text: "取消", Action: ActionSupRefresh, Value: supValue(it, v)}}
	card.Form = &Form{Name: "dc_return", Inputs: []Input{
		{Name: "text", Label: "退回意见", Placeholder: "例如：佐证材料不全，请补充走访记录", Required: true, MaxLength: 500, Multiline: true},
		{Name: "due", Label: "新的整改期限（可不填：期限不变）", Placeholder: "例如：3月30日", MaxLength: 20},
	}, Submit: Button{Text: "退回", Kind: "danger", Action: ActionSupReturn, Value: supValue(it, v)}}
	return card
}

// SupervisionListCard lists items, each with the reader's next step.
func SupervisionListCard(title string, items []*xfbot.SupervisionItem, v View, r SupervisionReader) *Card {
	card := &Card{Title: fmt.Sprintf("%s（%d 件）", title, len(items)), Color: "blue"}
	worst := xfbot.LevelNone
	for i, it := range items {
		worst = max(worst, SupervisionLevel(it, v.Today))
		entry := Item{Markdown: escapeMD(SupervisionLine(it, v.Today) + "\n" + xfbot.Clip(supText(it.Description, nil, v), 40))}
		if i < ButtonLines {
			entry.Buttons = append(SupervisionButtons(it, v, r), Button{Text: "查看", Action: ActionSupRefresh, Value: supValue(it, v)})
		}
		card.Items = append(card.Items, entry)
	}
	if worst >= xfbot.LevelYellow {
		card.Color = worst.Color()
	}
	if len(items) > ButtonLines {
		card.Note = fmt.Sprintf("前 %d 件可直接操作；其余请发送“督查 查看 DC-编号”。", ButtonLines)
	}
	return card
}

// SupervisionReminder is a 督查单 as a line of the reminder card
// (Remindable): its deadline on the last day, or a rung of its ladder.
type SupervisionReminder struct {
	Item   *xfbot.SupervisionItem
	Step   xfbot.EscalationStep // "" for the last-day reminder
	Reader SupervisionReader
	// Grouped says that the rung was posted to the task-force group (通报,
	// 挂牌督办 with a group configured).
	Grouped bool
}

var _ Remindable = SupervisionReminder{}

// ReminderText is the line: what, which unit, by when, which rung.
func (s SupervisionReminder) ReminderText(v View) string {
	it := s.Item
	head := fmt.Sprintf("%s %s %s · %s", SupervisionLevel(it, v.Today).Emoji(), it.ID, it.Unit, it.Problem.Label())
	switch s.Step {
	case "":
		return head + " · 整改期限今天到期，单位尚未报告整改"
	case xfbot.StepRemind:
		return head + fmt.Sprintf(" · 整改期限 %s 已过，单位尚未报告整改：已催办", it.Due)
	case xfbot.StepNotice:
		if !s.Grouped {
			return head + fmt.Sprintf(" · 逾期 %d 天仍未整改：予以通报（未配置专班群，请线下通报）", v.Today.Sub(it.Due))
		}
		return head + fmt.Sprintf(" · 逾期 %d 天仍未整改：已在专班群通报", v.Today.Sub(it.Due))
	case xfbot.StepInterview:
		return head + fmt.Sprintf(" · 逾期 %d 天仍未整改：请约谈单位负责人", v.Today.Sub(it.Due))
	case xfbot.StepListed:
		return head + fmt.Sprintf(" · 逾期 %d 天仍未整改：已挂牌督办", v.Today.Sub(it.Due))
	}
	return head
}

// ReminderLevel: 🟠 on the last day, 🔴 once overdue.
func (s SupervisionReminder) ReminderLevel(v View) xfbot.Level {
	if s.Step == "" {
		return xfbot.LevelOrange
	}
	return xfbot.LevelRed
}

// ReminderButtons are the reader's next steps and 查看.
func (s SupervisionReminder) ReminderButtons(v View) []Button {
	return append(SupervisionButtons(s.Item, v, s.Reader), Button{Text: "查看", Action: ActionSupRefresh, Value: supValue(s.Item, v)})
}

// SupervisionStepCard is what a rung of the ladder sends besides the
// reminder line: to the unit's liaisons (催办), to the group (通报, 挂牌督办,
// rendered with the group's audience: no description), to the lead (约谈).
func SupervisionStepCard(it *xfbot.SupervisionItem, step xfbot.EscalationStep, v View, r SupervisionReader) *Card {
	over := v.Today.Sub(it.Due)
	var title, text string
	switch step {
	case xfbot.StepRemind:
		title, text = "督查催办", fmt.Sprintf("督查单 %s（%s）整改期限 %s 已过，尚未报告整改，请抓紧整改并发送“督查 报告 %s <整改情况与佐证>”。", it.ID, it.Problem.Label(), it.Due, it.ID)
	case xfbot.StepNotice:
		title, text = "督查通报", fmt.Sprintf("%s：督查单 %s（%s）整改期限 %s，已逾期 %d 天仍未整改，予以通报。", it.Unit, it.ID, it.Problem.Label(), it.Due, over)
	case xfbot.StepInterview:
		title, text = "督查约谈", fmt.Sprintf("督查单 %s（%s · %s）逾期 %d 天仍未整改，已通报。请约谈 %s 负责人，约谈后在督查单上记录。", it.ID, it.Unit, it.Problem.Label(), over, it.Unit)
	case xfbot.StepListed:
		title, text = "挂牌督办", fmt.Sprintf("%s：督查单 %s（%s）逾期 %d 天，经催办、通报、约谈仍未整改，列为挂牌督办事项。", it.Unit, it.ID, it.Problem.Label(), over)
	}
	card := &Card{Title: title + " · " + string(it.ID), Color: "red", Tags: []Tag{{Text: step.Label(), Color: "carmine"}}, Sections: []string{escapeMD(text)}}
	if !v.Audience.Group {
		card.Sections = append(card.Sections, "**问题描述**\n"+escapeMD(xfbot.Clip(supText(it.Description, nil, v), 200)))
		card.Buttons = append(SupervisionButtons(it, v, r), Button{Text: "查看", Action: ActionSupRefresh, Value: supValue(it, v)})
	}
	return card
}

// SupervisionStatsText is the 督查 block of 统计 and the monthly report:
// the district's figures, then by unit.
func SupervisionStatsText(p store.SupervisionPeriod, units bool) string {
	d := p.District
	s := fmt.Sprintf("交办 %d 件 · 核验通过 %d 件（按期整改率 %s）· 退回 %d 次 · 逾期 %d 件 · 销号 %d 件 · 在办 %d 件（当前逾期 %d 件）",
		d.Opened, d.Verified(), d.OnTimeRate(), d.Returned, d.Overdue, d.Closed, d.OpenNow, d.LateNow)
	if units {
		for _, u := range p.Units {
			s += "\n" + supUnitLine(u)
		}
	}
	return s
}

func supUnitLine(u xfbot.SupervisionFigures) string {
	return fmt.Sprintf("%s：交办 %d · 按期整改率 %s · 退回 %d · 逾期 %d · 在办 %d（逾期 %d）", xfbot.UnitLabel(u.Unit), u.Opened, u.OnTimeRate(), u.Returned, u.Overdue, u.OpenNow, u.LateNow)
}

// SupervisionStatsCard is 统计 督查: the district, by unit and by type.
func SupervisionStatsCard(title string, period xfbot.Period, p store.SupervisionPeriod, units bool) *Card {
	d := p.District
	card := &Card{Title: title, Subtitle: period.Label + "（" + period.From.String() + " 至 " + period.To.String() + "）", Color: "indigo"}
	card.KPIs = []Field{
		{Label: "交办", Value: fmt.Sprint(d.Opened)},
		{Label: "按期整改率", Value: d.OnTimeRate().String()},
		{Label: "退回", Value: fmt.Sprint(d.Returned)},
		{Label: "逾期", Value: fmt.Sprint(d.Overdue)},
		{Label: "销号", Value: fmt.Sprint(d.Closed)},
		{Label: "在办（当前逾期）", Value: fmt.Sprintf("%d（%d）", d.OpenNow, d.LateNow)},
	}
	if units && len(p.Units) > 0 {
		var lines []string
		for _, u := range p.Units {
			lines = append(lines, escapeMD(supUnitLine(u)))
		}
		card.Sections = append(card.Sections, "**按单位**\n"+strings.Join(lines, "\n"))
	}
	if len(p.Types) > 0 {
		var lines []string
		for _, t := range p.Types {
			lines = append(lines, escapeMD(fmt.Sprintf("%s：交办 %d · 按期整改率 %s · 退回 %d · 逾期 %d · 在办 %d", t.Type.Label(), t.Opened, t.OnTimeRate(), t.Returned, t.Overdue, t.OpenNow)))
		}
		card.Sections = append(card.Sections, "**按问题类型**\n"+strings.Join(lines, "\n"))
	}
	card.Note = xfbot.SupervisionDefinition
	return card
}

// SupervisionWeeklyText is the weekly group digest's 督查 summary, by
// unit: figures and the overdue items' numbers, no free text (the group
// reads it).
func SupervisionWeeklyText(p store.SupervisionPeriod, open []*xfbot.SupervisionItem, today xfbot.Date) string {
	if p.District.Empty() {
		return ""
	}
	late := map[string][]string{}
	for _, it := range open {
		if it.Overdue(today) {
			s := string(it.ID)
			if e := it.Escalation(); e != "" {
				s += "（" + e.Label() + "）"
			}
			late[it.Unit] = append(late[it.Unit], s)
		}
	}
	d := p.District
	lines := []string{fmt.Sprintf("本周交办 %d 件 · 核验通过 %d 件（按期 %s）· 退回 %d 次 · 新增逾期 %d 件；在办 %d 件，当前逾期 %d 件",
		d.Opened, d.Verified(), d.OnTimeRate(), d.Returned, d.Overdue, d.OpenNow, d.LateNow)}
	for _, u := range p.Units {
		l := fmt.Sprintf("%s：交办 %d · 在办 %d · 逾期 %d", xfbot.UnitLabel(u.Unit), u.Opened, u.OpenNow, u.LateNow)
		if ids := late[u.Unit]; len(ids) > 0 {
			l += "（" + strings.Join(ids, "、") + "）"
		}
		lines = append(lines, l)
	}
	return strings.Join(lines, "\n")
}
