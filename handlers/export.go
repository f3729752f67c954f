package handlers

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/bot"
	"github.com/qingchuan/xfbot/report"
	"github.com/qingchuan/xfbot/store"
)

const exportUsage = "请写：导出 台账 [月份] [单位:主责单位] [完整]，例如：导出 台账 2026-03 单位:区住建局"

// parseExport reads 导出 台账 [YYYY-MM|本月|上月] [单位:x] [完整].
func parseExport(req *bot.Request) (report.ExportRequest, error) {
	var r report.ExportRequest
	words := req.Args.Words
	if len(words) == 0 || (words[0] != "台账" && words[0] != "ledger") {
		return r, xfbot.Errorf(xfbot.EINVALID, "%s。", exportUsage)
	}
	today := req.Today()
	for i := 1; i < len(words); i++ {
		w := words[i]
		key, val, colon := splitColon(w)
		switch {
		case colon && (key == "单位" || key == "unit"):
			if val == "" && i+1 < len(words) {
				i++
				val = words[i]
			}
			if val == "" || r.Unit != "" {
				return r, xfbot.Errorf(xfbot.EINVALID, "单位写一个，例如 单位:区住建局。")
			}
			if len([]rune(val)) > xfbot.MaxFieldRunes {
				return r, xfbot.Errorf(xfbot.EINVALID, "单位名称太长（最多 %d 个字）。", xfbot.MaxFieldRunes)
			}
			r.Unit = val
		case w == "完整" || w == "full":
			r.Full = true
		case w == "脱敏" || w == "masked", w == "全部" || w == "all":
		default:
			if r.Month != nil {
				return r, xfbot.Errorf(xfbot.EINVALID, "多余的内容“%s”。%s。", xfbot.Clip(w, 20), exportUsage)
			}
			m, err := monthWord(w, today)
			if err != nil {
				return r, xfbot.Errorf(xfbot.EINVALID, "“%s”看不懂：月份写成 2026-03。%s。", xfbot.Clip(w, 20), exportUsage)
			}
			if m.First().After(today) {
				return r, xfbot.Errorf(xfbot.EINVALID, "%s 还没有到，没有台账可导出。", m.Label())
			}
			r.Month = &m
		}
	}
	return r, nil
}

// export: 导出 台账 [月份] [单位:x] [完整]. A masked ledger is queued at
// once; a full one (admins only) asks for confirmation first. The file goes
// to the asker privately, wherever the command was typed.
func (h *Handlers) export(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	r, err := parseExport(req)
	if err != nil {
		return nil, err
	}
	switch req.Member.Role {
	case xfbot.RoleViewer:
		return nil, xfbot.Errorf(xfbot.EFORBIDDEN, "观察员不能导出台账。")
	case xfbot.RoleLiaison:
		if req.Member.Unit == "" || (r.Unit != "" && r.Unit != req.Member.Unit) {
			return nil, xfbot.Errorf(xfbot.EFORBIDDEN, "单位联络员只能导出本单位（%s）的台账。", orUnset(req.Member.Unit))
		}
		r.Unit = req.Member.Unit
	}
	if r.Full {
		if !req.Member.CanManage() {
			return nil, xfbot.Errorf(xfbot.EFORBIDDEN, "完整导出含信访人完整个人信息，仅限专班管理员。您可以导出脱敏台账：导出 台账%s", exportSuffix(r))
		}
		return &bot.Reply{Card: exportConfirmCard(r)}, nil
	}
	return h.queueExport(ctx, req, r, nil)
}

func exportSuffix(r report.ExportRequest) string {
	s := ""
	if r.Month != nil {
		s += " " + r.Month.String()
	}
	if r.Unit != "" {
		s += " 单位:" + r.Unit
	}
	return s
}

func orUnset(s string) string {
	if s == "" {
		return "未设定"
	}
	return s
}

// exportConfirmCard asks an admin to confirm a full export.
func exportConfirmCard(r report.ExportRequest) *bot.Card {
	v := r.Args()
	delete(v, report.ArgFull)
	return &bot.Card{Title: "确认完整导出", Color: "orange",
		Sections: []string{bot.Escape(fmt.Sprintf("即将导出%s。完整台账含信访人姓名、电话和身份证号，导出会记入审计日志。文件只私聊发给您，请妥善保管，不得转发。", r.Describe()))},
		Buttons: []bot.Button{
			{Text: "确认完整导出", Kind: "danger", Action: bot.ActionExportFull, Value: v, Confirm: "确认导出含完整个人信息的台账？此操作会记入审计日志。"},
			{Text: "改为脱敏导出", Action: bot.ActionExportMasked, Value: v},
		}}
}

// queueExport commits the export task with the reply that promises it (and,
// for a full export, its audit entry).
func (h *Handlers) queueExport(ctx context.Context, req *bot.Request, r report.ExportRequest, audit *store.AuditEntry) (*bot.Reply, error) {
	n, err := h.Store.CountExport(ctx, r.Query(req.Loc))
	if err != nil {
		return nil, err
	}
	tx := h.Store.NewTx()
	sum := sha256.Sum256([]byte(req.EventID))
	tx.AddTask(store.Task{ID: "exp-" + hex.EncodeToString(sum[:12]), Kind: store.TaskExport, By: req.Actor(), ChatID: req.ChatID,
		Args: r.Args(), At: req.Time})
	if audit != nil {
		tx.Audit(*audit)
	}
	text := fmt.Sprintf("正在生成%s，约 %d 件案件，完成后私聊发送 Excel 文件给您。", r.Describe(), n)
	if n >= 5000 {
		text += "案件较多，会随时告知进度。"
	}
	if req.Group {
		text = fmt.Sprintf("已开始生成%s，文件将私聊发送给 %s。", r.Describe(), req.Sender.Display())
	}
	return &bot.Reply{Text: text, Toast: "已开始导出", Tx: tx}, nil
}

// exportAction: the buttons of the confirmation card.
func (h *Handlers) exportAction(full bool) bot.HandlerFunc {
	return func(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
		r, err := report.ParseExportArgs(req.Action.Value)
		if err != nil {
			return nil, xfbot.Errorf(xfbot.EINVALID, "按钮已失效，请重新发送“导出 台账”。")
		}
		var audit *store.AuditEntry
		if full {
			if !req.Member.CanManage() {
				return nil, xfbot.Errorf(xfbot.EFORBIDDEN, "完整导出仅限专班管理员。")
			}
			r.Full = true
			audit = &store.AuditEntry{At: req.Time, By: req.Actor(), Action: "完整导出台账", Entity: r.Describe(), Via: req.Via}
		}
		reply, err := h.queueExport(ctx, req, r, audit)
		if err != nil {
			return nil, err
		}
		reply.Card = &bot.Card{Title: "台账导出", Color: "green", Sections: []string{bot.Escape(reply.Text)}}
		return reply, nil
	}
}
