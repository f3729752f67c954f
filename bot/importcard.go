package bot

import (
	"fmt"
	"strings"
)

// ActionImportConfirm is 确认导入 on an import's preview card; its value
// names the plan ("plan").
const ActionImportConfirm = "import.confirm"

// ImportPreview is what the preview of an uploaded ledger shows. Its lines
// come masked for the uploader from the handler.
type ImportPreview struct {
	File    string
	Format  string // "" for xlsx, "CSV（GB18030）"
	Rows    int    // data rows read
	Sheets  []string
	Columns []string // A 列“序号”→ 编号 …
	Creates int
	Updates int
	Same    int
	// CreateLines and UpdateLines list the rows (update: field before →
	// after, progress added); Refused every row that cannot be taken, rows
	// with one reason on one line; Notes what is taken with a remark.
	CreateLines []string
	UpdateLines []string
	Refused     []string
	Notes       []string
	Before      string // the same file was imported before: when, by whom, what
	PlanID      string
	Max         int // lines per list; 0: 15
}

// ImportPreviewCard is the preview: nothing is written until 确认导入.
func ImportPreviewCard(p ImportPreview) *Card {
	max := p.Max
	if max <= 0 {
		max = 15
	}
	c := &Card{Title: "台账导入预览 · " + p.File, Color: "blue"}
	c.Subtitle = fmt.Sprintf("读取 %d 行：新建 %d 件，更新 %d 件，不变 %d 行，不能导入 %d 行", p.Rows, p.Creates, p.Updates, p.Same, refusedRows(p.Refused))
	c.KPIs = []Field{{"新建", fmt.Sprint(p.Creates)}, {"更新", fmt.Sprint(p.Updates)}, {"不变", fmt.Sprint(p.Same)}}
	if p.Before != "" {
		c.Sections = append(c.Sections, "⚠️ **这份文件导入过**："+Escape(p.Before))
	}
	head := strings.Join(p.Sheets, "\n")
	if p.Format != "" {
		head = "格式：" + p.Format + "\n" + head
	}
	c.Sections = append(c.Sections, "**工作表**\n"+Escape(head))
	c.Sections = append(c.Sections, "**各列识别为**\n"+Escape(list(p.Columns, 40)))
	if len(p.CreateLines) > 0 {
		c.Sections = append(c.Sections, fmt.Sprintf("**将新建 %d 件**\n", p.Creates)+Escape(list(p.CreateLines, max)))
	}
	if len(p.UpdateLines) > 0 {
		c.Sections = append(c.Sections, fmt.Sprintf("**将更新 %d 件**（字段：原值 → 新值）\n", p.Updates)+Escape(list(p.UpdateLines, max)))
	}
	if len(p.Refused) > 0 {
		c.Sections = append(c.Sections, "**不能导入的行**（请在表中改正后重新发送）\n"+Escape(list(p.Refused, max*2)))
	}
	if len(p.Notes) > 0 {
		c.Sections = append(c.Sections, "**提示**\n"+Escape(list(p.Notes, max)))
	}
	switch {
	case p.Creates+p.Updates == 0:
		c.Color = "grey"
		c.Note = "没有需要新建或更新的行，不会写入任何数据。"
	default:
		c.Buttons = []Button{{Text: "确认导入", Kind: "primary", Action: ActionImportConfirm, Value: map[string]string{"plan": p.PlanID},
			Confirm: fmt.Sprintf("确认新建 %d 件、更新 %d 件？导入会记入审计日志。", p.Creates, p.Updates)}}
		c.Note = "确认前不会写入任何数据；预览保留 24 小时，只有上传人可以确认。"
	}
	return c
}

// refusedRows counts the rows of the grouped refusal lines (第 4–6、9 行：…).
func refusedRows(lines []string) int {
	n := 0
	for _, l := range lines {
		head, _, _ := strings.Cut(l, "：")
		head = strings.TrimSuffix(strings.TrimPrefix(head, "第 "), " 行")
		for _, part := range strings.Split(head, "、") {
			var a, b int
			if k, _ := fmt.Sscanf(part, "%d–%d", &a, &b); k == 2 && b >= a {
				n += b - a + 1
			} else {
				n++
			}
		}
	}
	return n
}

func list(lines []string, max int) string {
	if len(lines) <= max {
		return "• " + strings.Join(lines, "\n• ")
	}
	return "• " + strings.Join(lines[:max], "\n• ") + fmt.Sprintf("\n……另有 %d 项（在服务器上运行 xfbot import <文件> -dry-run 可看全部）", len(lines)-max)
}

// ImportReport is what an applied import did.
type ImportReport struct {
	File                   string
	Created, Updated, Same int
	Refused                int
	Skipped                []string // rows written meanwhile by someone else, not again
	Repeats                []string // created cases whose petitioner has other cases (重复信访)
	Numbers                string   // the numbers given, e.g. XF-2026-0013 – XF-2026-0120
	Max                    int
}

// ImportReportCard is the end of an import.
func ImportReportCard(r ImportReport) *Card {
	max := r.Max
	if max <= 0 {
		max = 15
	}
	c := &Card{Title: "台账导入完成 · " + r.File, Color: "green",
		Subtitle: fmt.Sprintf("新建 %d 件，更新 %d 件，不变 %d 行，不能导入 %d 行", r.Created, r.Updated, r.Same, r.Refused)}
	c.KPIs = []Field{{"新建", fmt.Sprint(r.Created)}, {"更新", fmt.Sprint(r.Updated)}, {"不变", fmt.Sprint(r.Same)}}
	if r.Numbers != "" {
		c.Sections = append(c.Sections, "**案件号**\n"+Escape(r.Numbers))
	}
	if len(r.Skipped) > 0 {
		c.Sections = append(c.Sections, "**导入期间已被他人写入、未重复导入的行**\n"+Escape(list(r.Skipped, max)))
	}
	if len(r.Repeats) > 0 {
		c.Sections = append(c.Sections, "**可能的重复信访**（同一信访人已有其他案件）\n"+Escape(list(r.Repeats, max)))
	}
	c.Note = "每件案件的历史中记有导入来源；再次导入同一文件不会重复新建。"
	return c
}
