package bot

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/qingchuan/xfbot"
)

// Card actions of a plan (一案一策, registered by handlers/): each stands for
// a 方案 subcommand and is checked by its rule.
const (
	ActionPlanShow       = "plan.show"        // 查看方案 / 刷新
	ActionPlanApprove    = "plan.approve"     // 批准
	ActionPlanRejectForm = "plan.reject.form" // 退回: show the reason form
	ActionPlanReject     = "plan.reject"      // the reason form's submit
	ActionPlanDoneForm   = "plan.done.form"   // 完成: show the note form for one measure
	ActionPlanDone       = "plan.done"        // the note form's submit
)

// planValue is the callback value of a plan button: the case, the version
// and its edit count the card showed (a 批准 approves what it showed), and
// the audience it was rendered for (as caseValue).
func planValue(c *xfbot.Case, p *xfbot.Plan, v View) map[string]string {
	val := caseValue(c, v)
	if p != nil {
		val["v"], val["e"] = strconv.Itoa(p.Version), strconv.Itoa(p.Edits)
	}
	return val
}

func measureValue(c *xfbot.Case, n int, v View) map[string]string {
	val := caseValue(c, v)
	val["n"] = strconv.Itoa(n)
	return val
}

// MeasureText is one measure as a line: number, kind, what, who, by when,
// where it stands; free text masked for v's audience.
func MeasureText(c *xfbot.Case, m *xfbot.Measure, v View) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d. 【%s】%s", m.N, m.Label(), v.Text(c, m.Text))
	var who []string
	if m.Unit != "" {
		who = append(who, m.Unit)
	}
	if !m.Owner.IsZero() {
		who = append(who, "负责人 "+m.Owner.Display())
	}
	if len(who) > 0 {
		b.WriteString(" · " + strings.Join(who, " "))
	}
	switch {
	case m.Status == xfbot.MeasureDone:
		fmt.Fprintf(&b, " · ✅ %s 完成（%s）", m.DoneOn, m.DoneBy.Display())
		if m.Note != "" {
			b.WriteString("：" + v.Text(c, m.Note))
		}
	case m.Status == xfbot.MeasureDropped:
		b.WriteString(" · 已取消")
	case m.Due.IsZero():
		b.WriteString(" · 未定期限")
	default:
		b.WriteString(" · 期限 " + dayLeft(m.Due, v.Today))
	}
	return b.String()
}

// dayLeft is "2026-12-20（剩 4 天）", "（今天到期）", "（已超期 2 天）".
func dayLeft(d, today xfbot.Date) string {
	switch left := d.Sub(today); {
	case left > 0:
		return fmt.Sprintf("%s（剩 %d 天）", d, left)
	case left == 0:
		return d.String() + "（今天到期）"
	default:
		return fmt.Sprintf("%s（已超期 %d 天）", d, -left)
	}
}

// PlanStatusText is the plan as one line of the case card: its status and
// version, the version in force with its next measure, the 化解目标日.
func PlanStatusText(c *xfbot.Case, v View) string {
	b := c.Plan
	if b.IsZero() {
		return ""
	}
	if b.Of != "" {
		return "一人一策，见 " + string(b.Of) + " 的方案（方案 查看 " + string(b.Of) + "）"
	}
	var s string
	switch {
	case b.InForce == 0:
		s = fmt.Sprintf("%s v%d", b.Status.Label(), b.Version)
	case b.Version != b.InForce:
		s = fmt.Sprintf("已批准 v%d（v%d %s）", b.InForce, b.Version, b.Status.Label())
	default:
		s = fmt.Sprintf("已批准 v%d", b.InForce)
	}
	if b.InForce > 0 {
		if b.Open == 0 {
			s += fmt.Sprintf(" · %d 项措施均已完成", b.Total)
		} else {
			s += fmt.Sprintf(" · 待办 %d/%d 项", b.Open, b.Total)
		}
		if !b.Next.IsZero() {
			s += fmt.Sprintf(" · 下一项：措施 %d %s，%s", b.NextN, xfbot.Clip(v.Text(c, b.NextText), 20), dayLeft(b.Next, v.Today))
		}
	}
	if !b.Target.IsZero() {
		s += " · 化解目标日 " + b.Target.String()
	}
	return s
}

// PlanCard is a version of a case's plan for v's audience: 症结, 依据, 帮扶,
// 目标 and every measure, the consistency with the screening (problems,
// for a version not approved yet), and what its reader may do: 批准/退回 a
// pending version, 完成 an open measure of the version in force. Every free
// text passes through xfbot.MaskText for v's audience.
func PlanCard(c *xfbot.Case, ps *xfbot.Plans, p *xfbot.Plan, problems, notes []string, v View) *Card {
	card := &Card{Title: fmt.Sprintf("一案一策 %s · v%d", c.No, p.Version), Subtitle: v.Title(c), Color: "blue"}
	switch p.Status {
	case xfbot.PlanApproved:
		card.Color = "green"
	case xfbot.PlanSubmitted:
		card.Color = "orange"
	case xfbot.PlanSuperseded:
		card.Color = "grey"
	}
	card.Tags = []Tag{{Text: p.Status.Label(), Color: map[bool]string{true: "green", false: "blue"}[p.Status == xfbot.PlanApproved]}}
	if inForce := ps.InForce(); inForce != nil && inForce != p {
		card.Tags = append(card.Tags, Tag{Text: fmt.Sprintf("执行中 v%d", inForce.Version), Color: "neutral"})
	}
	screening := c.Screening.Label()
	if c.Hardship {
		screening += "（困难诉求）"
	}
	if p.Status == xfbot.PlanApproved || p.Status == xfbot.PlanSuperseded {
		screening = p.Screening.Label()
		if p.Hardship {
			screening += "（困难诉求）"
		}
		screening += "（批准时）"
	}
	target := "未定"
	if !p.Target.IsZero() {
		target = p.Target.String()
		if p.Status == xfbot.PlanApproved {
			target = dayLeft(p.Target, v.Today)
		}
	}
	orNone := func(s string) string {
		if strings.TrimSpace(s) == "" {
			return "—"
		}
		return v.Text(c, s)
	}
	card.Fields = []Field{
		{"甄别", screening},
		{"化解目标日", target},
		{"化解目标", orNone(p.Goal)},
		{"帮扶", orNone(p.Support)},
		{"起草", p.DraftedBy.Display() + " " + p.DraftedAt.In(locOf(v)).Format("2006-01-02")},
	}
	if !p.ApprovedBy.IsZero() {
		card.Fields = append(card.Fields, Field{"批准", p.ApprovedBy.Display() + " " + p.ApprovedAt.In(locOf(v)).Format("2006-01-02")})
	} else if p.Status == xfbot.PlanSubmitted {
		card.Fields = append(card.Fields, Field{"提交", p.SubmittedBy.Display() + " " + p.SubmittedAt.In(locOf(v)).Format("2006-01-02")})
	}
	if len(p.Linked) > 0 {
		var ls []string
		for _, n := range p.Linked {
			ls = append(ls, string(n))
		}
		card.Fields = append(card.Fields, Field{"一人一策·关联案件", strings.Join(ls, "、")})
	}
	card.Sections = append(card.Sections, "**症结**\n"+escapeMD(orNone(p.Diagnosis)), "**政策依据**\n"+escapeMD(orNone(p.Basis)))
	if p.Returned != "" && p.Pending() {
		card.Sections = append(card.Sections, fmt.Sprintf("**退回意见**（%s）\n%s", escapeMD(p.ReturnedBy.Display()), escapeMD(v.Text(c, p.Returned))))
	}
	var ms strings.Builder
	ms.WriteString("**措施**")
	if len(p.Measures) == 0 {
		ms.WriteString("\n暂无措施。发送“方案 措施 " + string(c.No) + " <硬|软>:<类型> <内容> 单位:x 期限:日期”添加。")
	}
	hard, soft := 0, 0
	for i := range p.Measures {
		m := &p.Measures[i]
		ms.WriteString("\n" + escapeMD(MeasureText(c, m, v)))
		if m.Status != xfbot.MeasureDropped {
			if m.Kind == xfbot.MeasureHard {
				hard++
			} else {
				soft++
			}
		}
	}
	card.Sections = append(card.Sections, ms.String())
	if p.Pending() {
		s := "**三到位一处理**"
		if len(problems) == 0 {
			s += fmt.Sprintf("\n✅ 与甄别结果一致（硬手段 %d 项、软措施 %d 项），可以批准。", hard, soft)
		}
		for _, pr := range problems {
			s += "\n⚠️ " + escapeMD(pr)
		}
		for _, n := range notes {
			s += "\nℹ️ " + escapeMD(n)
		}
		card.Sections = append(card.Sections, s)
	}
	// A button is a command: a private card offers what its reader may do;
	// a group card keeps them (whoever presses one is checked by its rule).
	canApprove := v.Audience.Group || v.Audience.Role == xfbot.RoleAdmin || v.Audience.Role == xfbot.RoleLeader
	if p.Pending() && canApprove {
		card.Buttons = append(card.Buttons,
			Button{Text: "批准", Kind: "primary", Action: ActionPlanApprove, Value: planValue(c, p, v), Confirm: fmt.Sprintf("批准 %s 的方案 v%d？措施将转为期限，负责人会收到提醒。", c.No, p.Version)},
			Button{Text: "退回", Kind: "danger", Action: ActionPlanRejectForm, Value: planValue(c, p, v)})
	}
	if p.Status == xfbot.PlanApproved && (v.Audience.Group || v.Audience.Role != xfbot.RoleViewer) {
		for _, m := range p.OpenMeasures() {
			if len(card.Items) == ButtonLines {
				break
			}
			card.Items = append(card.Items, Item{Markdown: escapeMD(fmt.Sprintf("措施 %d：%s", m.N, xfbot.Clip(v.Text(c, m.Text), 24))),
				Buttons: []Button{{Text: "完成", Action: ActionPlanDoneForm, Value: measureValue(c, m.N, v)}}})
		}
	}
	card.Buttons = append(card.Buttons, Button{Text: "刷新", Action: ActionPlanShow, Value: planValue(c, nil, v)})
	var vs []string
	for _, x := range ps.Versions {
		vs = append(vs, fmt.Sprintf("v%d %s", x.Version, x.Status.Label()))
	}
	card.Note = "版本：" + strings.Join(vs, "，") + "。查看旧版本：方案 查看 " + string(c.No) + " v1"
	return card
}

// PlanRejectForm is the plan card with the 退回 reason form open.
func PlanRejectForm(c *xfbot.Case, ps *xfbot.Plans, p *xfbot.Plan, v View) *Card {
	card := PlanCard(c, ps, p, nil, nil, v)
	card.Buttons = []Button{{Text: "取消", Action: ActionPlanShow, Value: planValue(c, nil, v)}}
	card.Items = nil
	card.Form = &Form{
		Name:   "plan_reject_form",
		Inputs: []Input{{Name: "reason", Label: "退回理由", Placeholder: "例如：帮扶措施不具体，请写明救助金额和责任单位", Required: true, MaxLength: 200, Multiline: true}},
		Submit: Button{Text: "退回方案", Kind: "danger", Action: ActionPlanReject, Value: planValue(c, p, v)},
	}
	return card
}

// MeasureDoneForm is the plan card with the 完成 note form open for measure n.
func MeasureDoneForm(c *xfbot.Case, ps *xfbot.Plans, p *xfbot.Plan, n int, v View) *Card {
	card := PlanCard(c, ps, p, nil, nil, v)
	card.Buttons = []Button{{Text: "取消", Action: ActionPlanShow, Value: planValue(c, nil, v)}}
	card.Items = nil
	card.Form = &Form{
		Name:   "plan_done_form",
		Inputs: []Input{{Name: "note", Label: fmt.Sprintf("措施 %d 完成情况", n), Placeholder: "例如：过渡费差额已于12月18日发放到位，信访人签收", Required: true, MaxLength: xfbot.MaxTextRunes, Multiline: true}},
		Submit: Button{Text: "确认完成", Kind: "primary_filled", Action: ActionPlanDone, Value: measureValue(c, n, v)},
	}
	return card
}

// PlanReminder is a line of a reminder DM for a plan's deadline: a measure
// due today or missed (Measure set), or the plan's 化解目标日. It renders
// itself (Remindable), masking its free text for the reader.
type PlanReminder struct {
	Case    *xfbot.Case
	Version int
	Measure *xfbot.Measure // nil: the 化解目标日
	Target  xfbot.Date
	Goal    string
	Late    bool
}

var _ Remindable = PlanReminder{}

// ReminderText is the line: whose measure, what, by when.
func (r PlanReminder) ReminderText(v View) string {
	c := r.Case
	if m := r.Measure; m != nil {
		s := fmt.Sprintf("📋 %s 方案措施 %d【%s】%s", c.No, m.N, m.Label(), xfbot.Clip(v.Text(c, m.Text), 30))
		if m.Unit != "" {
			s += "（" + m.Unit + "）"
		}
		return s + " · " + r.due(m.Due, v)
	}
	s := fmt.Sprintf("🎯 %s 化解目标日 · %s", c.No, r.due(r.Target, v))
	if r.Goal != "" {
		s += " · 目标：" + xfbot.Clip(v.Text(c, r.Goal), 30)
	}
	return s
}

func (r PlanReminder) due(d xfbot.Date, v View) string {
	if left := d.Sub(v.Today); left < 0 {
		return fmt.Sprintf("🔴 已超期 %d 天（%s）", -left, d)
	} else if left == 0 {
		return "🟠 今天到期"
	}
	return "期限 " + d.String()
}

// ReminderLevel is 🟠 on the day, 🔴 once missed.
func (r PlanReminder) ReminderLevel(v View) xfbot.Level {
	if r.Late {
		return xfbot.LevelRed
	}
	return xfbot.LevelOrange
}

// ReminderButtons are 完成 (a measure) and 查看方案.
func (r PlanReminder) ReminderButtons(v View) []Button {
	var bs []Button
	if r.Measure != nil {
		bs = append(bs, Button{Text: "完成", Kind: "primary", Action: ActionPlanDoneForm, Value: measureValue(r.Case, r.Measure.N, v)})
	}
	return append(bs, Button{Text: "查看方案", Action: ActionPlanShow, Value: planValue(r.Case, nil, v)})
}
