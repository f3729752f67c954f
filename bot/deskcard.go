package bot

import (
	"fmt"
	"strings"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/store"
)

// ActionDesk opens the reader's 工作台 (the leader digest's button).
const ActionDesk = "desk.open"

// DeskLimit is how many items of one kind the desk lists with their
// buttons; the rest are counted.
const DeskLimit = 5

// Desk is what waits for one reader, gathered by the 工作台 command: each
// list holds at most DeskLimit items and its total.
type Desk struct {
	Reader xfbot.Member
	Name   string

	Extensions       []*xfbot.Case // 延期申请 waiting for the lead
	ExtensionsTotal  int
	Plans            []*xfbot.Case // 方案 waiting for this reader's approval
	PlansTotal       int
	Letters          []*xfbot.LeaderLetter // to annotate (a leader) or to assign (staff)
	LettersTotal     int
	Reception        string             // a leader's reception status this month
	Watch            *store.LeaderWatch // a leader's watched cases
	Cases            []*xfbot.Case      // the reader's (a liaison: the unit's) overdue and due-soon cases
	CasesTotal       int
	Measures         []DeskMeasure // the reader's open plan measures
	MeasuresTotal    int
	Supervision      []*xfbot.SupervisionItem // the reader's 督查单 (an inspector's, a liaison's unit's)
	SupervisionTotal int
}

// DeskMeasure is one open measure on the desk.
type DeskMeasure struct {
	Case *xfbot.Case
	N    int
	Due  xfbot.Date
}

// DeskCard is the reader's desk: approvals first, then letters, the
// reception day, the watched or own cases by colour with the overdue ones
// first, measures and 督查单; each item with the buttons its reader may
// press (each checked again as the command it stands for).
func DeskCard(d Desk, v View) *Card {
	card := &Card{Title: "工作台 · " + orDefault(d.Name, d.Reader.Role.Label()), Color: "blue"}
	worst := xfbot.LevelNone
	section := func(title string, shown, total int) {
		t := fmt.Sprintf("**%s**（%d）", title, total)
		if total > shown {
			t += fmt.Sprintf("　前 %d 项", shown)
		}
		card.Items = append(card.Items, Item{Markdown: t})
	}
	if len(d.Extensions) > 0 {
		section("待审批的延期申请", len(d.Extensions), d.ExtensionsTotal)
		for _, c := range d.Extensions {
			r := c.ExtensionRequest
			md := Escape(CaseLine(c, v))
			if r != nil {
				md += "\n" + Escape(fmt.Sprintf("申请延期 %d 天（%s）：%s", r.Days, r.By.Display(), v.Text(c, r.Reason)))
			}
			card.Items = append(card.Items, Item{Markdown: md, Buttons: ExtensionButtons(c, v)})
		}
	}
	if len(d.Plans) > 0 {
		section("待审定的方案", len(d.Plans), d.PlansTotal)
		for _, c := range d.Plans {
			card.Items = append(card.Items, Item{Markdown: Escape(CaseLine(c, v)),
				Buttons: []Button{{Text: "查看并审定", Kind: "primary", Action: ActionPlanShow, Value: planValue(c, nil, v)}}})
		}
	}
	if len(d.Letters) > 0 {
		title := "待交办的领导来信"
		if d.Reader.Role == xfbot.RoleLeader {
			title = "待阅批的来信"
		}
		section(title, len(d.Letters), d.LettersTotal)
		reader := LetterReader{OpenID: d.Reader.OpenID, Role: d.Reader.Role}
		for _, l := range d.Letters {
			s, late := letterLine(l, v.Today, v.Audience)
			if late {
				worst = max(worst, xfbot.LevelRed)
			}
			card.Items = append(card.Items, Item{Markdown: "✉️ " + Escape(s), Buttons: letterButtons(l, reader)})
		}
	}
	if d.Reception != "" {
		card.Items = append(card.Items, Item{Markdown: "**本月接访**\n" + Escape(d.Reception)})
	}
	if w := d.Watch; w != nil && w.Open > 0 {
		var counts []string
		for _, lv := range []xfbot.Level{xfbot.LevelBlack, xfbot.LevelRed, xfbot.LevelOrange, xfbot.LevelYellow, xfbot.LevelNone} {
			if n := w.Levels[lv]; n > 0 {
				label := lv.Label()
				if lv == xfbot.LevelNone {
					label = "正常"
				}
				counts = append(counts, fmt.Sprintf("%s%s %d", lv.Emoji(), label, n))
			}
		}
		card.Items = append(card.Items, Item{Markdown: fmt.Sprintf("**包保案件**（在办 %d 件）\n%s", w.Open, strings.Join(counts, "　"))})
		list := w.Attention
		if len(list) == 0 {
			list = w.All
		}
		for i, c := range list {
			if i == DeskLimit {
				break
			}
			worst = max(worst, v.Level(c))
			card.Items = append(card.Items, Item{Markdown: Escape(CaseLine(c, v)), Buttons: deskCaseButtons(c, v)})
		}
	}
	if len(d.Cases) > 0 {
		title := "我的逾期和临期案件"
		if d.Reader.Role == xfbot.RoleLiaison {
			title = "本单位逾期和临期案件"
		}
		section(title, len(d.Cases), d.CasesTotal)
		for _, c := range d.Cases {
			worst = max(worst, v.Level(c))
			card.Items = append(card.Items, Item{Markdown: Escape(CaseLine(c, v)), Buttons: deskCaseButtons(c, v)})
		}
	}
	if len(d.Measures) > 0 {
		section("我负责的方案措施", len(d.Measures), d.MeasuresTotal)
		for _, m := range d.Measures {
			due := "未定期限"
			if !m.Due.IsZero() {
				due = "期限 " + m.Due.String()
				if v.Today.After(m.Due) {
					due += fmt.Sprintf("（已逾期 %d 天）", v.Today.Sub(m.Due))
					worst = max(worst, xfbot.LevelRed)
				}
			}
			md := Escape(fmt.Sprintf("🧭 %s 措施 %d · %s · %s", m.Case.No, m.N, xfbot.Clip(v.Title(m.Case), 16), due))
			card.Items = append(card.Items, Item{Markdown: md, Buttons: []Button{
				{Text: "完成", Kind: "primary", Action: ActionPlanDoneForm, Value: measureValue(m.Case, m.N, v)},
				{Text: "查看方案", Action: ActionPlanShow, Value: planValue(m.Case, nil, v)}}})
		}
	}
	if len(d.Supervision) > 0 {
		title := "我交办的督查单"
		if d.Reader.Role == xfbot.RoleLiaison {
			title = "本单位的督查单"
		}
		section(title, len(d.Supervision), d.SupervisionTotal)
		for _, it := range d.Supervision {
			worst = max(worst, SupervisionLevel(it, v.Today))
			bs := append(SupervisionButtons(it, v, SupervisionReader{Member: d.Reader}), Button{Text: "查看", Action: ActionSupRefresh, Value: supValue(it, v)})
			card.Items = append(card.Items, Item{Markdown: Escape(SupervisionLine(it, v.Today)), Buttons: bs})
		}
	}
	if len(card.Items) == 0 {
		card.Sections = []string{"没有等待您办理的事项。"}
		card.Color = "green"
	} else if worst >= xfbot.LevelYellow {
		card.Color = worst.Color()
	}
	card.Buttons = []Button{{Text: "刷新", Action: ActionDesk, Value: map[string]string{}}}
	card.Note = "每一项的按钮与对应命令相同，按您的角色检查；发送“查看 案件号”查看详情。"
	return card
}

func deskCaseButtons(c *xfbot.Case, v View) []Button {
	val := caseValue(c, v)
	return []Button{{Text: "查看", Action: ActionRefresh, Value: val}, {Text: "添加进展", Action: ActionProgressForm, Value: val}}
}
