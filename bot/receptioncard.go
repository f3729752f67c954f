package bot

import (
	"fmt"
	"strings"

	"github.com/qingchuan/xfbot"
)

// Card actions of receptions and leader letters (registered by handlers/).
const (
	ActionRosterConfirm   = "roster.confirm"   // 确认排班: the draft becomes the month's receptions
	ActionLetterReadForm  = "letter.read.form" // 批示: show the form
	ActionLetterRead      = "letter.read"      // the 批示 form's submit
	ActionLetterAssignFrm = "letter.assign.form"
	ActionLetterAssign    = "letter.assign" // the 交办 form's submit
	ActionLetterRefresh   = "letter.refresh"
)

// ReceptionLine is a one-line summary: id, day, slot, leader, place, status.
func ReceptionLine(r *xfbot.Reception) string {
	s := fmt.Sprintf("%s %s %s · %s", statusMark(r.Status), r.ID, r.When(), r.Leader.Display())
	if r.Place != "" {
		s += " · " + r.Place
	}
	s += " · " + r.Mode.Label()
	if r.Status != xfbot.ReceptionPlanned {
		s += " · " + r.Status.Label()
	}
	if rec := r.Record; rec != nil {
		s += fmt.Sprintf("（接待 %d 批 %d 人）", rec.Batches, rec.Persons)
	}
	return s
}

func statusMark(s xfbot.ReceptionStatus) string {
	switch s {
	case xfbot.ReceptionHeld:
		return "✅"
	case xfbot.ReceptionCancelled:
		return "✖️"
	case xfbot.ReceptionRescheduled:
		return "↪️"
	}
	return "🗓"
}

// ReceptionCard shows one reception with its record and linked cases.
func ReceptionCard(r *xfbot.Reception, linked []xfbot.CaseNo) *Card {
	color := map[xfbot.ReceptionStatus]string{xfbot.ReceptionHeld: "green", xfbot.ReceptionCancelled: "grey", xfbot.ReceptionRescheduled: "grey"}[r.Status]
	card := &Card{Title: string(r.ID) + " · " + r.Leader.Display() + " 接访", Color: orDefault(color, "blue"),
		Tags: []Tag{{Text: r.Status.Label()}}}
	card.Fields = []Field{
		{"领导", r.Leader.Display()},
		{"时间", r.When()},
		{"地点", r.Place},
		{"方式", r.Mode.Label()},
		{"安排人", r.ScheduledBy.Display()},
		{"状态", r.Status.Label()},
	}
	if len(r.Appointments) > 0 {
		card.Fields = append(card.Fields, Field{"约访案件", joinNos(r.Appointments)})
	}
	if r.RescheduledFrom != "" {
		card.Fields = append(card.Fields, Field{"改期自", string(r.RescheduledFrom)})
	}
	if r.RescheduledTo != "" {
		card.Fields = append(card.Fields, Field{"改期为", string(r.RescheduledTo)})
	}
	if r.Note != "" {
		card.Fields = append(card.Fields, Field{"说明", r.Note})
	}
	if rec := r.Record; rec != nil {
		s := fmt.Sprintf("**接访记录**\n接待 %d 批 %d 人，当场答复 %d 件", rec.Batches, rec.Persons, rec.AnsweredOnSpot)
		if rec.Notes != "" {
			s += "\n" + escapeMD(rec.Notes)
		}
		card.Sections = append(card.Sections, s)
	}
	all := append(append([]xfbot.CaseNo(nil), linked...), recordCases(r)...)
	if len(all) > 0 {
		card.Sections = append(card.Sections, "**接访登记案件**\n"+joinNos(dedupeNos(all)))
	}
	return card
}

func recordCases(r *xfbot.Reception) []xfbot.CaseNo {
	if r.Record == nil {
		return nil
	}
	return r.Record.Cases
}

func dedupeNos(ns []xfbot.CaseNo) []xfbot.CaseNo {
	seen := map[xfbot.CaseNo]bool{}
	var out []xfbot.CaseNo
	for _, n := range ns {
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	return out
}

func joinNos(ns []xfbot.CaseNo) string {
	ss := make([]string, len(ns))
	for i, n := range ns {
		ss[i] = string(n)
	}
	return strings.Join(ss, "、")
}

// RosterCard lists a month's receptions (接访 本月 / 下月).
func RosterCard(m xfbot.Month, rs []*xfbot.Reception) *Card {
	card := &Card{Title: m.Label() + " 领导接访安排", Color: "blue"}
	if len(rs) == 0 {
		card.Sections = []string{"本月还没有安排接访。发送“接访 安排 @领导 日期”安排，或由专班负责人发送“排班 下月”起草下月排班。"}
		return card
	}
	var lines []string
	for _, r := range rs {
		lines = append(lines, escapeMD(ReceptionLine(r)))
	}
	card.Sections = []string{strings.Join(lines, "\n")}
	card.Note = "✅ 已接访 🗓 已安排 ↪️ 已改期 ✖️ 已取消"
	return card
}

// RosterDraftCard shows a drafted roster with the lead's 确认排班 button.
func RosterDraftCard(m xfbot.Month, rule string, entries []xfbot.RosterEntry, place string, skipped []string) *Card {
	card := &Card{Title: m.Label() + " 领导接访排班（草案）", Color: "orange", Subtitle: "规则：" + rule}
	var lines []string
	for _, e := range entries {
		lines = append(lines, fmt.Sprintf("• %s（%s）%s · %s", e.Date, xfbot.WeekdayLabel(e.Date.Weekday()), e.Slot.Label(), e.Leader.Display()))
	}
	card.Sections = []string{escapeMD(strings.Join(lines, "\n"))}
	if len(skipped) > 0 {
		card.Sections = append(card.Sections, escapeMD("已有安排、不再排入："+strings.Join(skipped, "、")))
	}
	card.Fields = []Field{{"地点", place}}
	card.Buttons = []Button{{Text: "确认排班", Kind: "primary", Action: ActionRosterConfirm, Value: map[string]string{"m": m.String()},
		Confirm: "确认后将生成 " + m.Label() + " 的接访安排并给出公示文本。"}}
	card.Note = "专班负责人确认后生效；也可发送“排班 确认 " + m.String() + "”。"
	return card
}

// ReceptionNotice is the public notice of a month's receptions (五公开:
// 姓名、职务、分管工作、时间、地点), plain text to paste where the district
// publishes it. members gives the leaders' titles and duties.
func ReceptionNotice(m xfbot.Month, rs []*xfbot.Reception, members map[string]xfbot.Member) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s区领导接访安排公示\n", m.Label())
	n := 0
	for _, r := range rs {
		if r.Status != xfbot.ReceptionPlanned && r.Status != xfbot.ReceptionHeld {
			continue
		}
		n++
		mem := members[r.Leader.OpenID]
		who := r.Leader.Display()
		if mem.Title != "" {
			who += " " + mem.Title
		}
		fmt.Fprintf(&b, "%d. %s", n, who)
		if mem.Duties != "" {
			fmt.Fprintf(&b, "（分管：%s）", mem.Duties)
		}
		fmt.Fprintf(&b, "\n   时间：%s\n   地点：%s\n   方式：%s\n", r.When(), orDefault(r.Place, "另行通知"), r.Mode.Label())
	}
	if n == 0 {
		b.WriteString("本月暂无安排。\n")
	}
	b.WriteString("欢迎群众依法有序反映诉求。")
	return b.String()
}

// Briefing stages of a reception reminder to the leader.
const (
	BriefT5 = "t5" // five days before: the appointments and their history
	BriefT1 = "t1" // the day before
	BriefT0 = "t0" // the morning of
)

// BriefCase is an appointed case in a leader's briefing with its latest
// entries (the history of a repeat petitioner).
type BriefCase struct {
	Case   *xfbot.Case
	Recent []xfbot.Progress
}

// ReceptionBriefCard is the reminder a leader gets before a reception. The
// cases are rendered for v's audience (the leader in private: names shown,
// as MaskPetitioner allows a leader).
func ReceptionBriefCard(r *xfbot.Reception, stage string, days int, cases []BriefCase, v View) *Card {
	title := map[string]string{BriefT5: fmt.Sprintf("接访提醒：%d 天后", days), BriefT1: "接访提醒：明天", BriefT0: "接访提醒：今天"}[stage]
	card := &Card{Title: title + " " + r.Slot.Label() + "接访", Color: "blue", Subtitle: string(r.ID)}
	if stage == BriefT0 {
		card.Color = "orange"
	}
	card.Fields = []Field{{"时间", r.When()}, {"地点", r.Place}, {"方式", r.Mode.Label()}, {"安排人", r.ScheduledBy.Display()}}
	if len(cases) == 0 {
		card.Sections = append(card.Sections, "本次暂无约访案件。")
	}
	for _, bc := range cases {
		c := bc.Case
		p := xfbot.MaskPetitioner(c, v.Audience)
		s := fmt.Sprintf("**%s %s**\n信访人：%s · %s · 办结期限 %s", c.No, escapeMD(xfbot.Clip(v.Title(c), 30)), escapeMD(orDefault(p.Name, "—")),
			c.Status.Label(), v.DueText(c))
		if c.HasTag(xfbot.TagRepeat) || len(bc.Recent) > 0 {
			if c.HasTag(xfbot.TagRepeat) {
				s += "\n重复信访，以往办理情况："
			}
			for i := len(bc.Recent) - 1; i >= 0; i-- {
				pr := bc.Recent[i]
				s += fmt.Sprintf("\n• %s %s：%s", pr.At.In(locOf(v)).Format("2006-01-02"), pr.Kind.Label(), escapeMD(xfbot.Clip(v.Text(c, pr.Text), 80)))
			}
		}
		card.Sections = append(card.Sections, s)
	}
	card.Note = "接访结束后，请专班发送“接访 记录 " + string(r.ID) + " 接待N批M人”。"
	return card
}

// ComplianceCard is the month's reception statistics (接访 统计).
func ComplianceCard(rep xfbot.Compliance) *Card {
	card := &Card{Title: rep.Month.Label() + " 领导接访统计", Color: "blue"}
	if rep.Missing > 0 {
		card.Color = "orange"
	}
	card.Fields = []Field{
		{"已接访领导", fmt.Sprintf("%d 位", rep.Held)},
		{"未接访领导", fmt.Sprintf("%d 位", rep.Missing)},
		{"接待", fmt.Sprintf("%d 批 %d 人", rep.Batches, rep.Persons)},
		{"接访登记案件", fmt.Sprintf("%d 件，已化解 %d 件", rep.Created, rep.Solved)},
	}
	var lines []string
	for _, lc := range rep.Leaders {
		if lc.Held == 0 {
			s := "❌ " + lc.Leader.Display() + " · 未接访"
			if lc.Planned > 0 {
				s += fmt.Sprintf("（已安排 %d 次）", lc.Planned)
			}
			lines = append(lines, s)
			continue
		}
		var days []string
		for _, d := range lc.Days {
			days = append(days, fmt.Sprintf("%d日", d.Day))
		}
		lines = append(lines, fmt.Sprintf("✅ %s · 接访 %d 次（%s）· 接待 %d 批 %d 人 · 当场答复 %d 件 · 登记案件 %d 件，已化解 %d 件",
			lc.Leader.Display(), lc.Held, strings.Join(days, "、"), lc.Batches, lc.Persons, lc.Answered, lc.CasesCreated, lc.CasesResolved))
	}
	if len(lines) == 0 {
		lines = []string{"暂无区领导。"}
	}
	card.Sections = []string{escapeMD(strings.Join(lines, "\n"))}
	return card
}

// letterValue is the callback value of a letter's buttons.
func letterValue(l *xfbot.LeaderLetter) map[string]string {
	return map[string]string{"id": string(l.ID)}
}

// LetterReader is whom a letter card is for: its buttons are what that
// person may do (the letter's leader annotates; staff record an instruction
// for the leader as 代录 and assign; nobody else has buttons but 刷新).
type LetterReader struct {
	OpenID string
	Role   xfbot.Role
}

// ReaderOf is the reader of a request's own chat.
func ReaderOf(req *Request) LetterReader {
	return LetterReader{OpenID: req.Sender.OpenID, Role: req.Member.Role}
}

func (r LetterReader) staff() bool { return r.Role == xfbot.RoleAdmin || r.Role == xfbot.RoleMember }

// letterButtons are the reader's actions on l.
func letterButtons(l *xfbot.LeaderLetter, r LetterReader) []Button {
	own := r.OpenID != "" && r.OpenID == l.Leader.OpenID
	var bs []Button
	switch {
	case own && (l.Stage() == xfbot.LetterUnread || l.Proxied()):
		bs = append(bs, Button{Text: "批示", Kind: "primary", Action: ActionLetterReadForm, Value: letterValue(l)})
	case r.staff() && l.Stage() == xfbot.LetterUnread:
		bs = append(bs, Button{Text: "代录批示", Action: ActionLetterReadForm, Value: letterValue(l)})
	}
	if r.staff() && l.Stage() == xfbot.LetterRead {
		bs = append(bs, Button{Text: "交办", Kind: "primary", Action: ActionLetterAssignFrm, Value: letterValue(l)})
	}
	return bs
}

// InstructionText is the instruction as shown: the leader's own, or
// "代录（赵建）：…" when staff recorded it for the leader.
func InstructionText(l *xfbot.LeaderLetter) string {
	if l.Proxied() {
		return "代录（" + l.ReadBy.Display() + "）：" + l.Instruction
	}
	return l.Instruction
}

// LetterCard shows a letter to reader with the buttons reader may press.
// today colours a missed deadline.
func LetterCard(l *xfbot.LeaderLetter, today xfbot.Date, reader LetterReader) *Card {
	card := &Card{Title: string(l.ID) + " · 领导来信", Color: "blue", Tags: []Tag{{Text: l.Stage().Label()}}}
	if due := l.NextDue(); !due.IsZero() && today.After(due) {
		card.Color = "red"
		card.Tags = append(card.Tags, Tag{Text: "🔴 超期", Color: "red"})
	}
	card.Fields = []Field{
		{"领导", l.Leader.Display()},
		{"收信日期", l.ReceivedOn.String()},
		{"阅批期限", l.ReadDue.String()},
		{"交办期限", dateOrDash(l.AssignDue)},
		{"登记人", l.RegisteredBy.Display()},
		{"状态", l.Stage().Label()},
	}
	if l.AssignedUnit != "" {
		card.Fields = append(card.Fields, Field{"交办单位", l.AssignedUnit})
	}
	if l.Case != "" {
		card.Fields = append(card.Fields, Field{"关联案件", string(l.Case)})
	}
	a := xfbot.Audience{Role: reader.Role}
	card.Sections = []string{"**来信摘要**\n" + escapeMD(xfbot.MaskText(l.Summary, nil, a))}
	if l.Instruction != "" {
		card.Sections = append(card.Sections, fmt.Sprintf("**领导批示**（%s）\n%s", escapeMD(l.Leader.Display()), escapeMD(xfbot.MaskText(InstructionText(l), nil, a))))
	}
	card.Buttons = append(letterButtons(l, reader), Button{Text: "刷新", Action: ActionLetterRefresh, Value: letterValue(l)})
	return card
}

func dateOrDash(d xfbot.Date) string {
	if d.IsZero() {
		return "阅批后计算"
	}
	return d.String()
}

// LetterReadForm is the letter card with the 批示 form open.
func LetterReadForm(l *xfbot.LeaderLetter, today xfbot.Date, reader LetterReader) *Card {
	card := LetterCard(l, today, reader)
	card.Buttons = []Button{{Text: "取消", Action: ActionLetterRefresh, Value: letterValue(l)}}
	card.Form = &Form{Name: "letter_read", Inputs: []Input{{Name: "text", Label: "批示内容", Placeholder: "例如：请区住建局牵头，一周内答复信访人。",
		Required: true, MaxLength: xfbot.MaxTextRunes, Multiline: true}},
		Submit: Button{Text: "提交批示", Kind: "primary_filled", Action: ActionLetterRead, Value: letterValue(l)}}
	return card
}

// LetterAssignForm is the letter card with the 交办 form open.
func LetterAssignForm(l *xfbot.LeaderLetter, today xfbot.Date, reader LetterReader) *Card {
	card := LetterCard(l, today, reader)
	card.Buttons = []Button{{Text: "取消", Action: ActionLetterRefresh, Value: letterValue(l)}}
	card.Form = &Form{Name: "letter_assign", Inputs: []Input{
		{Name: "unit", Label: "交办单位", Placeholder: "例如：区住建局", Required: true, MaxLength: xfbot.MaxFieldRunes},
		{Name: "case", Label: "关联案件号（可不填）", Placeholder: "例如：XF-2026-0012", MaxLength: 20}},
		Submit: Button{Text: "交办", Kind: "primary_filled", Action: ActionLetterAssign, Value: letterValue(l)}}
	return card
}

// LetterReminderCard is a reminder about letters: to the leader (to read)
// or to staff (to assign). (The reminder scan's message carries letters as
// lines of ReminderCard; this is 来信 列表.)
func LetterReminderCard(title string, ls []*xfbot.LeaderLetter, today xfbot.Date, reader LetterReader) *Card {
	card := &Card{Title: fmt.Sprintf("%s（%d 件）", title, len(ls)), Color: "orange"}
	for i, l := range ls {
		s, late := letterLine(l, today, xfbot.Audience{Role: reader.Role})
		if late {
			card.Color = "red"
		}
		it := Item{Markdown: escapeMD(s)}
		if i < ButtonLines {
			it.Buttons = letterButtons(l, reader)
		}
		card.Items = append(card.Items, it)
	}
	return card
}

// letterLine is a letter as a line of a reminder, masked for a: its number,
// summary, leader and the deadline it runs against; late when missed.
func letterLine(l *xfbot.LeaderLetter, today xfbot.Date, a xfbot.Audience) (s string, late bool) {
	return fmt.Sprintf("%s %s · %s · %s", l.ID, xfbot.Clip(xfbot.MaskText(l.Summary, nil, a), 30), l.Leader.Display(), letterDue(l, today)), today.After(l.NextDue())
}

// letterDue is the deadline a letter runs against and where today stands:
// "阅批期限 2026-03-18（今天到期）".
func letterDue(l *xfbot.LeaderLetter, today xfbot.Date) string {
	due := l.NextDue()
	when := "今天到期"
	if today.After(due) {
		when = fmt.Sprintf("已超期 %d 天", today.Sub(due))
	} else if due.After(today) {
		when = fmt.Sprintf("剩 %d 天", due.Sub(today))
	}
	return fmt.Sprintf("%s期限 %s（%s）", map[xfbot.LetterStage]string{xfbot.LetterUnread: "阅批", xfbot.LetterRead: "交办"}[l.Stage()], due, when)
}
