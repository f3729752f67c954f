package bot

import (
	"fmt"

	"github.com/qingchuan/xfbot"
)

// Card actions of reminders (registered by handlers/).
const (
	ActionAck          = "rem.ack"    // 已阅
	ActionSnooze       = "rem.snooze" // 明天再提醒
	ActionExtendForm   = "ext.form"   // 申请延期: show the form
	ActionExtendSubmit = "ext.submit" // the extension form's submit
	// The lead's answer to an application for the extension.
	ActionExtendApprove    = "ext.approve"     // 批准
	ActionExtendRejectForm = "ext.reject.form" // 驳回: show the reason form
	ActionExtendReject     = "ext.reject"      // the reject form's submit
)

// ButtonLines is how many reminder lines get their own buttons; the rest are
// listed plainly, so that one message per person stays within card limits.
const ButtonLines = 10

// ReminderLine is one case or one leader letter in a reminder: why it is
// there and how urgent. It is data: each kind renders its own words (Text,
// Reason) and buttons, and nothing reads them back. A letter line has
// Letter set (and no Case): its 阅批 or 交办 deadline, with the letter
// buttons Reader may press.
type ReminderLine struct {
	Case  *xfbot.Case
	Rule  xfbot.Rule
	Level xfbot.Level // for RuleDue
	Days  int         // for the gap rules: days since the last progress / contact
	Note  string      // extra words, e.g. the escalation step

	Letter *xfbot.LeaderLetter
	Reader LetterReader // whom a letter line's buttons are for: the recipient

	// Item is a line of any other entity of the deadline ledger (a plan's
	// measure, a 督查单, a 会诊, a member's leave): it says itself how it
	// reads, how urgent it is and which buttons it offers its reader.
	Item Remindable
}

// Remindable is an entity of the deadline ledger other than a case or a
// letter, as a line of a reminder card. Each kind says in its own file how
// it reads; every string it returns for a group audience is masked again
// by ForGroup, and it masks for v.Audience itself (xfbot.MaskText).
type Remindable interface {
	ReminderText(v View) string       // the line: what, whose, by when
	ReminderLevel(v View) xfbot.Level // the colour it gives the card
	ReminderButtons(v View) []Button  // what its reader may do at once
}

// letterAudience is how a letter line is masked: as the reader (a leader
// configured without a member record reads a letter addressed to them as
// a leader).
func (l ReminderLine) letterAudience(v View) xfbot.Audience {
	a := v.Audience
	if l.Reader.Role != "" {
		a.Role = l.Reader.Role
	}
	return a
}

// late reports whether the line is a letter past its deadline.
func (l ReminderLine) late(v View) bool {
	return l.Letter != nil && v.Today.After(l.Letter.NextDue())
}

// Text is the line as a person reads it, without the case's personal data.
func (l ReminderLine) Text(v View) string {
	if l.Letter != nil {
		s, _ := letterLine(l.Letter, v.Today, l.letterAudience(v))
		return "✉️ " + s
	}
	if l.Item != nil {
		return l.Item.ReminderText(v)
	}
	c := l.Case
	mark := map[xfbot.Rule]string{xfbot.RuleDue: l.Level.Emoji(), xfbot.RuleStale: "💤", xfbot.RuleNoContact: "📞", xfbot.RuleSnooze: "⏰", xfbot.RuleWindow: "⌛"}[l.Rule]
	r := l.Reason(v)
	if r == "" {
		return string(c.No)
	}
	return fmt.Sprintf("%s %s %s · %s", mark, c.No, xfbot.Clip(v.Title(c), 20), r)
}

// Reason is why the case is in the reminder, without the case: what a
// second reason for the same case adds under its line.
func (l ReminderLine) Reason(v View) string {
	if l.Letter != nil {
		return letterDue(l.Letter, v.Today)
	}
	if l.Item != nil {
		return l.Item.ReminderText(v)
	}
	c := l.Case
	switch l.Rule {
	case xfbot.RuleDue:
		return fmt.Sprintf("%s · %s %s", l.Level.Label(), DueLabel(c), v.dueShort(c)) // 受理/办结/复查/复核期限
	case xfbot.RuleStale:
		return fmt.Sprintf("已 %d 天没有进展", l.Days)
	case xfbot.RuleNoContact:
		return fmt.Sprintf("已 %d 天没有接触信访人", l.Days)
	case xfbot.RuleSnooze:
		return fmt.Sprintf("您要求今天再次提醒 · %s %s", DueLabel(c), v.DueText(c))
	case xfbot.RuleWindow:
		next := "复查"
		if c.StageOf() == xfbot.StageReviewed {
			next = "复核"
		}
		return fmt.Sprintf("%s申请期已于 %s 届满，信访人未申请：可发送“终结 %s”办结", next, c.Due, c.No)
	}
	return ""
}

// ReminderCard is the one direct message a person gets from a reminder run:
// every case of theirs that needs attention, each with 已阅, 添加进展,
// 申请延期 and 明天再提醒, and every leader letter waiting for them, each
// with the letter buttons of its reader (批示, 交办).
func ReminderCard(title string, lines []ReminderLine, v View) *Card {
	worst := xfbot.LevelNone
	for _, l := range lines {
		lv := xfbot.LevelNone
		switch {
		case l.Letter != nil && l.late(v):
			lv = xfbot.LevelRed // as the letter card colours a missed deadline
		case l.Letter != nil:
			lv = xfbot.LevelOrange
		case l.Item != nil:
			lv = l.Item.ReminderLevel(v)
		case l.Rule == xfbot.RuleDue:
			lv = l.Level
		}
		worst = max(worst, lv)
	}
	color := "blue"
	if worst >= xfbot.LevelYellow {
		color = worst.Color()
	}
	card := &Card{Title: fmt.Sprintf("%s（%d 件）", title, len(lines)), Color: color}
	for i, l := range lines {
		md := Escape(l.Text(v))
		if l.Note != "" {
			md += "\n" + Escape(l.Note)
		}
		it := Item{Markdown: md}
		if i < ButtonLines && l.Letter != nil {
			it.Buttons = letterButtons(l.Letter, l.Reader)
		} else if i < ButtonLines && l.Item != nil {
			it.Buttons = l.Item.ReminderButtons(v)
		} else if i < ButtonLines {
			val := caseValue(l.Case, v)
			val["r"] = string(l.Rule)
			it.Buttons = []Button{
				{Text: "已阅", Kind: "primary", Action: ActionAck, Value: val},
				{Text: "添加进展", Action: ActionProgressForm, Value: val},
			}
			if l.Rule == xfbot.RuleDue && l.Case.StageOf() == xfbot.StageHandling && l.Case.ExtensionDays == 0 && l.Case.ExtensionRequest == nil && l.Level < xfbot.LevelRed {
				it.Buttons = append(it.Buttons, Button{Text: "申请延期", Action: ActionExtendForm, Value: val})
			}
			if l.Rule == xfbot.RuleWindow {
				it.Buttons = append(it.Buttons, Button{Text: "终结", Action: ActionConclude, Value: val, Confirm: fmt.Sprintf("申请期已届满，%s 程序办结？", l.Case.No)})
			}
			it.Buttons = append(it.Buttons, Button{Text: "明天再提醒", Action: ActionSnooze, Value: val})
		}
		card.Items = append(card.Items, it)
	}
	if len(lines) > ButtonLines {
		card.Note = fmt.Sprintf("前 %d 件可直接操作；其余请发送“查看 案件号”。", ButtonLines)
	}
	return card
}

// ExtendForm is the case card with the 申请延期 form open.
func ExtendForm(c *xfbot.Case, recent []xfbot.Progress, v View) *Card {
	card := CaseCard(c, recent, v)
	card.Buttons = []Button{{Text: "取消", Action: ActionRefresh, Value: caseValue(c, v)}}
	card.Form = &Form{
		Name: "extend_form",
		Inputs: []Input{
			{Name: "days", Label: fmt.Sprintf("延期天数（1–%d）", xfbot.MaxExtensionDays), Placeholder: "例如：20", Required: true, MaxLength: 2},
			{Name: "reason", Label: "延期理由", Placeholder: "例如：需第三方评估，负责人已批准并告知信访人", Required: true, MaxLength: 200, Multiline: true},
		},
		Submit: Button{Text: "提交延期", Kind: "primary_filled", Action: ActionExtendSubmit, Value: caseValue(c, v)},
	}
	return card
}

// ExtensionRequestCard is what the lead gets when someone applies for a
// case's extension: the case, the application, and 批准 / 驳回.
func ExtensionRequestCard(c *xfbot.Case, v View) *Card {
	card := CaseCard(c, nil, v)
	q := c.ExtensionRequest
	if q == nil {
		return card
	}
	card.Color = "orange"
	card.Subtitle = fmt.Sprintf("%s 申请延期 %d 天，请审批", q.By.Display(), q.Days)
	card.Buttons = append(ExtensionButtons(c, v), Button{Text: "刷新", Action: ActionRefresh, Value: caseValue(c, v)})
	return card
}

// ExtensionButtons are the lead's 批准 and 驳回 of a pending application.
func ExtensionButtons(c *xfbot.Case, v View) []Button {
	q := c.ExtensionRequest
	if q == nil {
		return nil
	}
	return []Button{
		{Text: "批准", Kind: "primary", Action: ActionExtendApprove, Value: caseValue(c, v), Confirm: fmt.Sprintf("批准 %s 延期 %d 天？", c.No, q.Days)},
		{Text: "驳回", Kind: "danger", Action: ActionExtendRejectForm, Value: caseValue(c, v)},
	}
}

// ExtensionRejectForm is the application card with the reason form open.
func ExtensionRejectForm(c *xfbot.Case, v View) *Card {
	card := ExtensionRequestCard(c, v)
	card.Buttons = []Button{{Text: "取消", Action: ActionRefresh, Value: caseValue(c, v)}}
	card.Form = &Form{
		Name:   "reject_form",
		Inputs: []Input{{Name: "reason", Label: "驳回理由", Placeholder: "例如：理由不充分，请按期办结", MaxLength: 200, Multiline: true}},
		Submit: Button{Text: "驳回申请", Kind: "danger", Action: ActionExtendReject, Value: caseValue(c, v)},
	}
	return card
}
