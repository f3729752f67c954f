package bot

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/qingchuan/xfbot"
)

// Card actions of 集中会诊 (registered by handlers/).
const (
	ActionConsultRefresh = "consult.refresh" // 查看: the card again, as it stands
	ActionConsultMeasure = "consult.measure" // 转为措施: a decision becomes a plan measure
)

// consultValue is a consultation button's value: the number, decision n
// (0: none), and where the card was rendered (g, c), so that a card
// forwarded to a group is treated as a group's.
func consultValue(c *xfbot.Consultation, n int, v View) map[string]string {
	g := "0"
	if v.Audience.Group {
		g = "1"
	}
	val := map[string]string{"id": string(c.ID), "g": g, "c": v.ChatID}
	if n > 0 {
		val["d"] = strconv.Itoa(n)
	}
	return val
}

// ConsultLine is a one-line summary for lists: mark, number, day, host,
// cases, status.
func ConsultLine(c *xfbot.Consultation) string {
	mark := map[xfbot.ConsultStatus]string{xfbot.ConsultHeld: "✅", xfbot.ConsultCancelled: "✖️"}[c.Status]
	s := fmt.Sprintf("%s %s %s · 主持 %s · %d 件案件", orDefault(mark, "🩺"), c.ID, c.When(), c.Host.Display(), len(c.Cases))
	if len(c.Units) > 0 {
		s += " · " + xfbot.Clip(strings.Join(c.Units, "、"), 30)
	}
	if c.Status != xfbot.ConsultPlanned {
		s += " · " + c.Status.Label()
	}
	if n := len(c.Decisions); n > 0 {
		s += fmt.Sprintf("（决定 %d 项，已转措施 %d 项）", n, convertedCount(c))
	}
	return s
}

func convertedCount(c *xfbot.Consultation) int {
	n := 0
	for _, d := range c.Decisions {
		if d.Converted() {
			n++
		}
	}
	return n
}

// DecisionText is a decision as a line: 决定 2 · XF-2026-0012 ·
// 硬手段·政策：内容（区住建局，负责人 赵建，期限 2026-04-30）, its content
// masked for v's audience with its case's petitioner (c may be nil).
func DecisionText(d xfbot.ConsultDecision, c *xfbot.Case, v View) string {
	s := fmt.Sprintf("决定 %d · %s · %s：%s", d.N, d.Case, d.Means.Name(), v.Text(c, d.Content))
	var extra []string
	if d.Unit != "" {
		extra = append(extra, d.Unit)
	}
	if !d.Owner.IsZero() {
		extra = append(extra, "负责人 "+d.Owner.Display())
	}
	if !d.Due.IsZero() {
		extra = append(extra, "期限 "+d.Due.String())
	}
	if len(extra) > 0 {
		s += "（" + strings.Join(extra, "，") + "）"
	}
	return s
}

// withheld stands for a conclusion or a decision about a case the reader
// may not read (a liaison, another unit's case).
const withheld = "（非本单位案件，内容不显示）"

// ConsultCard shows a consultation to v's audience: the meeting, each
// case's conclusion and each decision, free text masked (xfbot.MaskText
// with the case's petitioner; a case missing from cases is one the reader
// may not read: its number only), and a 转为措施
// button under each decision not yet converted while buttons is set
// (the reader may convert: the task force).
func ConsultCard(c *xfbot.Consultation, cases map[xfbot.CaseNo]*xfbot.Case, v View, buttons bool) *Card {
	color := map[xfbot.ConsultStatus]string{xfbot.ConsultHeld: "green", xfbot.ConsultCancelled: "grey"}[c.Status]
	card := &Card{Title: string(c.ID) + " · 集中会诊", Color: orDefault(color, "blue"), Tags: []Tag{{Text: c.Status.Label()}}}
	card.Fields = []Field{
		{"时间", c.When()},
		{"地点", c.Place},
		{"主持", c.Host.Display()},
		{"安排人", c.ScheduledBy.Display()},
		{"参会单位", strings.Join(c.Units, "、")},
		{"案件", joinNos(c.Cases)},
	}
	if c.Topic != "" {
		card.Fields = append(card.Fields, Field{"议题", v.Text(nil, c.Topic)})
	}
	if !c.MovedFrom.IsZero() {
		card.Fields = append(card.Fields, Field{"改期自", c.MovedFrom.String()})
	}
	if c.Status == xfbot.ConsultCancelled {
		card.Fields = append(card.Fields, Field{"取消理由", orDefault(v.Text(nil, c.Note), "—")})
	}
	var b strings.Builder
	for _, no := range c.Cases {
		cs := cases[no]
		title := ""
		if cs != nil {
			title = " " + xfbot.Clip(v.Title(cs), 24)
		}
		fmt.Fprintf(&b, "\n• %s%s：", no, escapeMD(title))
		if cl := c.Conclusion(no); cl != nil && cs == nil {
			b.WriteString(withheld)
		} else if cl != nil {
			b.WriteString(escapeMD(v.Text(cs, cl.Text)) + "（" + escapeMD(cl.By.Display()) + "）")
		} else {
			b.WriteString("尚无结论")
		}
	}
	card.Sections = append(card.Sections, "**会诊结论**"+b.String())
	for _, d := range c.Decisions {
		it := Item{Markdown: escapeMD(DecisionText(d, cases[d.Case], v))}
		if cases[d.Case] == nil {
			it.Markdown = escapeMD(fmt.Sprintf("决定 %d · %s · %s", d.N, d.Case, withheld))
		}
		switch {
		case d.Converted():
			done := "✅ 已转为方案措施"
			if d.Measure != "" {
				done += " " + d.Measure
			}
			it.Markdown += "\n" + escapeMD(done+"（"+d.ConvertedBy.Display()+"）")
		case buttons:
			it.Buttons = []Button{{Text: "转为措施", Kind: "primary", Action: ActionConsultMeasure, Value: consultValue(c, d.N, v),
				Confirm: fmt.Sprintf("把决定 %d 加入 %s 的化解方案措施？", d.N, d.Case)}}
		}
		card.Items = append(card.Items, it)
	}
	switch {
	case len(c.Decisions) == 0 && c.Status != xfbot.ConsultCancelled:
		card.Note = fmt.Sprintf("会后请发送“会诊 结论 %s <案件号> <结论>”和“会诊 决定 %s <案件号> <硬|软>:<类型> <内容>”。", c.ID, c.ID)
	case len(c.Decisions) > convertedCount(c):
		card.Note = fmt.Sprintf("未转的决定可点“转为措施”，或发送“会诊 转为措施 %s <决定序号>”。", c.ID)
	}
	card.Buttons = []Button{{Text: "刷新", Action: ActionConsultRefresh, Value: consultValue(c, 0, v)}}
	return card
}

// ConsultListCard lists consultations: those to come, then recent ones.
func ConsultListCard(upcoming, recent []*xfbot.Consultation) *Card {
	card := &Card{Title: "集中会诊", Color: "blue"}
	if len(upcoming) == 0 && len(recent) == 0 {
		card.Sections = []string{"还没有会诊。发送“会诊 安排 <日期> 主持:@人 单位:区住建局 案件:XF-…”安排一次。"}
		return card
	}
	section := func(title string, cs []*xfbot.Consultation) {
		if len(cs) == 0 {
			return
		}
		lines := make([]string, len(cs))
		for i, c := range cs {
			lines[i] = escapeMD(ConsultLine(c))
		}
		card.Sections = append(card.Sections, "**"+title+"**\n"+strings.Join(lines, "\n"))
	}
	section("待召开", upcoming)
	section("近期", recent)
	card.Note = "发送“会诊 查看 HZ-编号”查看结论与决定。"
	return card
}

// ConsultReminder is a consultation as a line of a reminder card (the
// scan's consultLines): its eve, to the host and whoever scheduled it, or
// its conclusions missing the working day after, to whoever scheduled it.
type ConsultReminder struct {
	C      *xfbot.Consultation
	Record bool        // the conclusions are missing (else: the eve reminder)
	Level  xfbot.Level // the colour: orange on the eve and the record day, red later
}

var _ Remindable = ConsultReminder{}

// ReminderText is the line.
func (r ConsultReminder) ReminderText(v View) string {
	c := r.C
	if r.Record {
		return fmt.Sprintf("📝 %s 集中会诊（%s）尚未录入结论：请发送“会诊 结论 %s <案件号> <结论>”", c.ID, c.When(), c.ID)
	}
	when := c.When()
	switch c.Date.Sub(v.Today) {
	case 0:
		when = "今天 " + c.Slot.Label()
	case 1:
		when = "明天 " + c.Slot.Label()
	}
	s := fmt.Sprintf("🩺 %s 集中会诊 %s · %s · 主持 %s · %d 件案件", c.ID, when, c.Place, c.Host.Display(), len(c.Cases))
	if len(c.Units) > 0 {
		s += " · " + xfbot.Clip(strings.Join(c.Units, "、"), 30)
	}
	return s
}

// ReminderLevel is the card's colour for the line.
func (r ConsultReminder) ReminderLevel(v View) xfbot.Level { return r.Level }

// ReminderButtons: 查看 the consultation.
func (r ConsultReminder) ReminderButtons(v View) []Button {
	return []Button{{Text: "查看会诊", Kind: "primary", Action: ActionConsultRefresh, Value: consultValue(r.C, 0, v)}}
}
