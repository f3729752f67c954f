package bot

import (
	"fmt"
	"strings"
	"time"

	"github.com/qingchuan/xfbot"
)

// ActionRecallAck is the 组织部 contact's 已记录 on a recall record
// (registered by handlers/ as 成员 召回记录).
const ActionRecallAck = "roster.ack"

// RosterLine is a reminder line of the roster: a member's leave or
// secondment ending soon, for the lead (scheduler/members.go).
type RosterLine struct {
	Member xfbot.Member
	Kind   xfbot.DeadlineKind // xfbot.DeadlineLeaveEnd or xfbot.DeadlineTermEnd
	End    xfbot.Date         // the leave's last day, the secondment's planned end
}

var _ Remindable = RosterLine{}

// ReminderText says whose leave or secondment ends when and what to do.
func (l RosterLine) ReminderText(v View) string {
	name := l.Member.Person().Display()
	left := ""
	switch n := l.End.Sub(v.Today); {
	case n > 0:
		left = fmt.Sprintf("（还有 %d 天）", n)
	case n == 0:
		left = "（今天）"
	default:
		left = fmt.Sprintf("（已过 %d 天）", -n)
	}
	if l.Kind == xfbot.DeadlineLeaveEnd {
		s := fmt.Sprintf("🗓 %s 请假至 %s%s，%s 起自动恢复在岗", name, l.End, left, l.End.AddDays(1))
		if sp := l.Member.Leave.StandIn; sp.OpenID != "" {
			s += "；其间提醒由 " + sp.Display() + " 代收"
		}
		return s + "。提前返岗请发送“成员 销假 @" + name + "”。"
	}
	return fmt.Sprintf("🗓 %s 借调计划于 %s 期满%s：续借请发送“成员 借调 @%s <加入日期>至<新的结束日期>”，期满返回请先移交再发送“成员 期满 @%s”。",
		name, l.End, left, name, name)
}

// ReminderLevel is yellow: a notice, not a missed deadline.
func (l RosterLine) ReminderLevel(v View) xfbot.Level { return xfbot.LevelYellow }

// ReminderButtons: none; the lead answers with a command.
func (l RosterLine) ReminderButtons(v View) []Button { return nil }

// RecallCard shows recall records, the latest first, each with who decided
// and when and the 组织部's confirmation; ack puts 已记录 on each record not
// confirmed yet (for the 组织部 contact). The times are in loc.
func RecallCard(title string, rs []xfbot.RecallRecord, ack bool, v View) *Card {
	card := &Card{Title: title, Subtitle: "人事记录：仅专班负责人和组织部联络人可见，请勿转发", Color: "carmine"}
	if len(rs) == 0 {
		card.Sections = []string{"还没有召回记录。"}
		return card
	}
	for _, r := range rs {
		who := r.Member.Display()
		if r.Unit != "" {
			who += "（" + r.Unit + "）"
		}
		lines := []string{
			"**" + Escape(who) + "**",
			"召回时间：" + timeText(r.At, v) + "；决定人：" + Escape(r.By.Display()),
			"原因：" + Escape(r.Reason.Label()),
		}
		if r.Text != "" {
			lines = append(lines, "说明："+Escape(r.Text))
		}
		if !r.Joined.IsZero() {
			lines = append(lines, "借调起始："+r.Joined.String())
		}
		if r.Confirmed {
			lines = append(lines, "组织部：✅ 已记录（"+Escape(r.ConfirmedBy.Display())+"，"+timeText(r.ConfirmedAt, v)+"）")
		} else {
			lines = append(lines, "组织部：待确认")
		}
		it := Item{Markdown: strings.Join(lines, "\n")}
		if ack && !r.Confirmed {
			it.Buttons = []Button{{Text: "已记录", Kind: "primary", Action: ActionRecallAck, Value: map[string]string{"id": r.ID},
				Confirm: "确认已将 " + r.Member.Display() + " 的召回记入组织部记录？"}}
		}
		card.Items = append(card.Items, it)
	}
	return card
}

// timeText is t in v's zone, to the minute.
func timeText(t time.Time, v View) string {
	if t.IsZero() {
		return ""
	}
	loc := v.Loc
	if loc == nil {
		loc = time.UTC
	}
	return t.In(loc).Format("2006-01-02 15:04")
}
