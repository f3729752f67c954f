package bot

import (
	"fmt"
	"strings"
	"time"

	"github.com/qingchuan/xfbot"
)

// Card actions of the case card (registered by handlers/).
const (
	ActionProgressForm   = "progress.form"   // 添加进展: show the form
	ActionProgressSubmit = "progress.submit" // the form's submit
	ActionClaim          = "case.claim"      // 我来包案
	ActionRefresh        = "case.refresh"    // 刷新
)

// View is what a rendering depends on besides the case: who reads it, in
// which chat, on which day, with which warning thresholds.
type View struct {
	Audience   xfbot.Audience
	ChatID     string
	Today      xfbot.Date
	Thresholds xfbot.Thresholds
	Loc        *time.Location
}

func locOf(v View) *time.Location {
	if v.Loc == nil {
		return time.UTC
	}
	return v.Loc
}

// ViewFor is the view of a request's own chat.
func ViewFor(req *Request, th xfbot.Thresholds) View {
	return View{Audience: req.Audience(), ChatID: req.ChatID, Today: req.Today(), Thresholds: th, Loc: req.Loc}
}

// Text is free text about c (its title, progress, reasons, results, the
// before and after of its history) as v's audience may read it: phone and ID
// numbers typed into it, and the petitioner's name, pass through
// xfbot.MaskText like the petitioner's fields through MaskPetitioner. c may
// be nil for text that belongs to no case.
func (v View) Text(c *xfbot.Case, s string) string { return xfbot.MaskText(s, c, v.Audience) }

// Title is c's title for v's audience.
func (v View) Title(c *xfbot.Case) string { return v.Text(c, c.Title) }

// Level is the case's warning level on v's day: none once it no longer runs
// against a deadline.
func (v View) Level(c *xfbot.Case) xfbot.Level {
	if !c.Chased() {
		return xfbot.LevelNone
	}
	return v.Thresholds.Level(c.Due, v.Today)
}

// StageText is the procedure track as a card shows it: the stage, and what
// it runs against ("复查中（申请 2026-05-06）"; "已答复：部分支持，送达 2026-04-13，
// 复查申请期至 2026-05-13").
func (v View) StageText(c *xfbot.Case) string {
	p := c.Proc
	s := c.StageOf().Label()
	switch c.StageOf() {
	case xfbot.StageRegistered:
		s += "，收到 " + p.ReceivedOn.String()
	case xfbot.StageNotAccepted, xfbot.StageForwarded, xfbot.StageLegalRoute:
		s += "：" + v.Text(c, p.Note)
	case xfbot.StageReplied:
		s += answerText(p.Reply) + "，复查申请期至 " + c.Due.String() // Due is the window's end at this stage
	case xfbot.StageReview:
		s += "（申请 " + p.Review.RequestedOn.String() + lateText(p.Review) + "）"
	case xfbot.StageReviewed:
		s += answerText(p.Review) + "，复核申请期至 " + c.Due.String()
	case xfbot.StageRecheck:
		s += "（申请 " + p.Recheck.RequestedOn.String() + lateText(p.Recheck) + "）"
	case xfbot.StageTerminated:
		s += answerText(p.Recheck) + "，同一事实和理由不再受理"
	case xfbot.StageConcluded:
		s += "（" + p.EndedOn.String() + " 申请期届满）"
	}
	return s
}

func answerText(a xfbot.Answer) string {
	s := "：" + a.Result.Label() + "，" + a.On.String() + " 出具"
	if !a.DeliveredOn.IsZero() {
		s += "、" + a.DeliveredOn.String() + " 送达"
	}
	return s
}

func lateText(a xfbot.Answer) string {
	if a.Late {
		return "，逾期申请"
	}
	return ""
}

// DueLabel names what the case's Due is at its stage.
func DueLabel(c *xfbot.Case) string {
	switch c.StageOf() {
	case xfbot.StageRegistered:
		return "受理期限"
	case xfbot.StageReview:
		return "复查期限"
	case xfbot.StageRecheck:
		return "复核期限"
	}
	return "办结期限"
}

// DueText describes the deadline: "2026-05-15（剩 12 天）", "（今天到期）",
// "（已超期 3 天）".
func (v View) DueText(c *xfbot.Case) string {
	if c.Due.IsZero() {
		return "未设定"
	}
	s := c.Due.String()
	if !c.Status.Open() {
		return s
	}
	if !c.Chased() {
		return "—（" + c.StageOf().Label() + "）"
	}
	if c.Paused() {
		return s + "（计时暂停中）"
	}
	left := c.Due.Sub(v.Today)
	lv := v.Level(c)
	switch {
	case left > 0:
		s += fmt.Sprintf("（剩 %d 天）", left)
	case left == 0:
		s += "（今天到期）"
	default:
		s += fmt.Sprintf("（已超期 %d 天）", -left)
	}
	if e := lv.Emoji(); e != "" {
		s = e + " " + s
	}
	return s
}

// dueShort is DueText without the warning mark, for lines that lead with it.
func (v View) dueShort(c *xfbot.Case) string {
	s := v.DueText(c)
	if e := v.Level(c).Emoji(); e != "" {
		s = strings.TrimPrefix(s, e+" ")
	}
	return s
}

// CaseCard renders a case for v's audience: petitioner data pass through
// xfbot.MaskPetitioner, so a group never sees them whole.
func CaseCard(c *xfbot.Case, recent []xfbot.Progress, v View) *Card {
	lv := v.Level(c)
	color := lv.Color()
	switch c.Status {
	case xfbot.StatusResolved:
		color = "green"
	case xfbot.StatusClosed:
		color = "grey"
	}
	card := &Card{
		Title: string(c.No) + " · " + v.Title(c),
		Color: color,
		Tags:  []Tag{{Text: c.Status.Label(), Color: statusColor(c.Status)}},
	}
	if lv != xfbot.LevelNone && lv != xfbot.LevelGreen {
		card.Tags = append(card.Tags, Tag{Text: lv.Emoji() + lv.Label(), Color: lv.Color()})
	}
	if c.Paused() {
		card.Tags = append(card.Tags, Tag{Text: "⏸ 计时暂停", Color: "grey"})
	}
	if c.Screening != "" {
		card.Tags = append(card.Tags, Tag{Text: c.Screening.Label(), Color: "purple"})
	}
	p := xfbot.MaskPetitioner(c, v.Audience)
	screening := c.Screening.Label()
	if c.Hardship {
		screening += "（困难诉求）"
	}
	ext := "未延期"
	if c.ExtensionDays > 0 {
		ext = fmt.Sprintf("已延期 %d 天：%s", c.ExtensionDays, v.Text(c, c.ExtensionReason))
	}
	if q := c.ExtensionRequest; q != nil {
		ext = fmt.Sprintf("⏳ %s 申请延期 %d 天，待负责人批准：%s", q.By.Display(), q.Days, v.Text(c, q.Reason))
	}
	if c.DueTarget {
		card.Tags = append(card.Tags, Tag{Text: "🎯 超出法定期限", Color: "red"})
	}
	card.Fields = []Field{
		{"类别", c.Category.Label()},
		{"状态", c.Status.Label()},
		{"属地", c.Area},
		{"主责单位", c.Unit},
		{"信访人", p.Name},
		{"联系电话", p.Phone},
		{"包案人", c.Owner.Display()},
		{"包案领导", c.Leader.Display()},
		{"甄别", screening},
		{DueLabel(c), v.DueText(c)},
		{"受理日期", c.AcceptedOn.String()},
		{"延期", ext},
	}
	if c.Proc != (xfbot.Procedure{}) {
		// The procedure track beside the resolution track (状态), once it has
		// left 办理中.
		card.Fields = append(card.Fields, Field{"程序", v.StageText(c)})
	}
	if s := PlanStatusText(c, v); s != "" {
		card.Fields = append(card.Fields, Field{"方案", s}) // 一案一策 (plancard.go)
	}
	if !c.DueOverride.IsZero() && c.DueReason != "" {
		basis := v.Text(c, c.DueReason)
		if c.DueTarget {
			basis += "（超出法定期限）"
		}
		card.Fields = append(card.Fields, Field{"期限依据", basis})
	}
	if c.SheetNo != "" {
		// The number in the imported spreadsheet ledger: free text from a file.
		card.Fields = append(card.Fields, Field{"原台账编号", v.Text(c, c.SheetNo)})
	}
	if p.IDCard != "" {
		card.Fields = append(card.Fields, Field{"身份证", p.IDCard})
	}
	if len(c.Related) > 0 && v.Audience.Role != xfbot.RoleLiaison { // the same petitioner's cases (重复信访): numbers only; a liaison may not know other units' cases
		card.Fields = append(card.Fields, Field{"关联案件", strings.Join(relatedNos(c.Related), "、")})
	}
	if len(c.Tags) > 0 {
		var ls []string
		for _, t := range c.Tags {
			ls = append(ls, t.Label())
		}
		card.Fields = append(card.Fields, Field{"标签", strings.Join(ls, "、")})
	}
	if c.Attachments > 0 {
		// The count only, in any chat: the names may name people; 附件 lists
		// them to whoever may see them, in private.
		card.Fields = append(card.Fields, Field{"附件", fmt.Sprintf("%d 个（发送“附件 %s”查看）", c.Attachments, c.No)})
	}
	if c.Result != "" {
		card.Sections = append(card.Sections, "**化解结果**\n"+escapeMD(v.Text(c, c.Result)))
	}
	card.Sections = append(card.Sections, progressSection(c, recent, v))
	// A button is a command: a private card offers only what its reader may
	// do (a viewer reads). A group card keeps them: whoever presses one is
	// checked by the command's rule.
	if c.Status != xfbot.StatusClosed && (v.Audience.Group || v.Audience.Role != xfbot.RoleViewer) {
		card.Buttons = append(card.Buttons,
			Button{Text: "添加进展", Kind: "primary", Action: ActionProgressForm, Value: caseValue(c, v)})
		if c.Owner.IsZero() {
			card.Buttons = append(card.Buttons,
				Button{Text: "我来包案", Action: ActionClaim, Value: caseValue(c, v), Confirm: "确认由您包案 " + string(c.No) + "？"})
		}
		card.Buttons = append(card.Buttons, nextStepButtons(c, v)...)
	}
	card.Buttons = append(card.Buttons, Button{Text: "刷新", Action: ActionRefresh, Value: caseValue(c, v)})
	card.Note = fmt.Sprintf("登记：%s %s", c.CreatedBy.Display(), c.CreatedAt.In(locOf(v)).Format("2006-01-02 15:04"))
	return card
}

// ProgressForm is the case card with the 添加进展 form open.
func ProgressForm(c *xfbot.Case, recent []xfbot.Progress, v View) *Card {
	card := CaseCard(c, recent, v)
	card.Buttons = []Button{{Text: "取消", Action: ActionRefresh, Value: caseValue(c, v)}}
	card.Form = &Form{
		Name: "progress_form",
		Inputs: []Input{{Name: "text", Label: "进展内容", Placeholder: "例如：3月12日会同云溪街道约谈开发商，明确4月30日前完成消防验收。",
			Required: true, MaxLength: xfbot.MaxTextRunes, Multiline: true}},
		Submit: Button{Text: "提交进展", Kind: "primary_filled", Action: ActionProgressSubmit, Value: caseValue(c, v)},
	}
	return card
}

func progressSection(c *xfbot.Case, recent []xfbot.Progress, v View) string {
	if len(recent) == 0 {
		return "**最新进展**\n暂无进展记录。"
	}
	var b strings.Builder
	b.Grow(64 + 96*len(recent))
	b.WriteString("**最新进展**")
	var day [8]byte
	for i := len(recent) - 1; i >= 0; i-- {
		p := recent[i]
		b.WriteString("\n• ")
		b.Write(p.At.In(locOf(v)).AppendFormat(day[:0], "01-02"))
		b.WriteString(" ")
		b.WriteString(escapeMD(p.Author.Display()))
		b.WriteString("（")
		b.WriteString(p.Kind.Label())
		b.WriteString("）：")
		b.WriteString(escapeMD(v.Text(c, p.Text)))
	}
	return b.String()
}

// caseValue is the callback value of a case button. g and c record the
// audience the card was rendered for: a card forwarded from a private chat to
// a group must not show unmasked data when someone there clicks 刷新.
func caseValue(c *xfbot.Case, v View) map[string]string {
	g := "0"
	if v.Audience.Group {
		g = "1"
	}
	return map[string]string{"no": string(c.No), "g": g, "c": v.ChatID}
}

func statusColor(s xfbot.Status) string {
	switch s {
	case xfbot.StatusHandling:
		return "blue"
	case xfbot.StatusMonitoring:
		return "orange"
	case xfbot.StatusResolved:
		return "green"
	}
	return "neutral"
}

// CaseLine is a one-line summary for lists: number, warning, due, title.
func CaseLine(c *xfbot.Case, v View) string {
	lv := v.Level(c)
	mark := lv.Emoji()
	if mark == "" {
		mark = "▫️"
	}
	owner := ""
	if !c.Owner.IsZero() {
		owner = " · " + c.Owner.Display()
	}
	status := c.Status.Label()
	if st := c.StageOf(); st != xfbot.StageHandling && c.Status.Open() {
		label := st.Label()
		if st == xfbot.StageRegistered {
			label = "待受理"
		}
		status += "（" + label + "）" // the procedure track beside the resolution track
	}
	return fmt.Sprintf("%s %s %s · %s%s · %s", mark, c.No, xfbot.Clip(v.Title(c), 20), status, owner, v.dueShort(c))
}

func relatedNos(nos []xfbot.CaseNo) []string {
	out := make([]string, len(nos))
	for i, no := range nos {
		out[i] = string(no)
	}
	return out
}
