package handlers

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/bot"
	"github.com/qingchuan/xfbot/report"
	"github.com/qingchuan/xfbot/store"
)

const exportUsage = "请写：导出 台账 [月份] [单位:主责单位] [完整]，例如：导出 台账 2026-03 单位:区住建局"

// parseExport reads the words of 导出 台账: [YYYY-MM|本月|上月] [单位:x] [完整].
func parseExport(req *bot.Request) (report.ExportRequest, error) {
	var r report.ExportRequest
	words := req.Args.Words
	today := req.Today()
	for i := 0; i < len(words); i++ {
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
				return r, xfbot.Errorf(xfbot.EINVALID, "多余的内容“%s”。%s。", xfbot.Echo(w, 20), exportUsage)
			}
			m, err := monthWord(w, today)
			if err != nil {
				return r, xfbot.Errorf(xfbot.EINVALID, "“%s”看不懂：月份写成 2026-03。%s。", xfbot.Echo(w, 20), exportUsage)
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
	if r.Unit != "" {
		if r.Unit, err = h.resolveName(ctx, req, xfbot.RegUnit, r.Unit); err != nil {
			return nil, err
		}
	}
	if r, err = exportScope(req.Member, r); err != nil {
		return nil, err
	}
	if r.Full {
		return &bot.Reply{Card: exportConfirmCard(r, confirmID(req.EventID))}, nil
	}
	return h.queueExport(ctx, req, r, "", nil)
}

// exportScope is the one rule of who may export what, applied to the
// command and to every button of its card (whatever the button's value
// says): viewers nothing; a liaison only the own unit, which the export is
// narrowed to; a full export only an admin.
func exportScope(m xfbot.Member, r report.ExportRequest) (report.ExportRequest, error) {
	switch m.Role {
	case xfbot.RoleAdmin, xfbot.RoleMember, xfbot.RoleLeader:
	case xfbot.RoleLiaison:
		if m.Unit == "" || (r.Unit != "" && !m.InUnit(r.Unit)) {
			return r, xfbot.Errorf(xfbot.EFORBIDDEN, "单位联络员只能导出本单位（%s）的台账。", orUnset(m.Unit))
		}
		r.Unit = m.Unit
	case xfbot.RoleViewer:
		return r, xfbot.Errorf(xfbot.EFORBIDDEN, "观察员不能导出台账。")
	default:
		return r, xfbot.Errorf(xfbot.EFORBIDDEN, "您还不是专班成员，不能导出台账。")
	}
	if r.Full && !m.CanManage() {
		r.Full = false
		return r, xfbot.Errorf(xfbot.EFORBIDDEN, "完整导出含信访人完整个人信息，仅限专班管理员。您可以导出脱敏台账：导出 台账%s", exportSuffix(r))
	}
	return r, nil
}

// confirmID names one confirmation card: the event of the command that
// asked for it. The card's buttons act once per confirmation, however often
// (and through however many events) they are pressed.
func confirmID(eventID string) string {
	sum := sha256.Sum256([]byte("export-confirm:" + eventID))
	return hex.EncodeToString(sum[:12])
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

// exportConfirmCard asks an admin to confirm a full export; cf names the
// confirmation (argConfirm in the buttons' value).
func exportConfirmCard(r report.ExportRequest, cf string) *bot.Card {
	v := r.Args()
	delete(v, report.ArgFull)
	v[argConfirm] = cf
	return &bot.Card{Title: "确认完整导出", Color: "orange",
		Sections: []string{bot.Escape(fmt.Sprintf("即将导出%s。完整台账含信访人姓名、电话和身份证号，导出会记入审计日志。文件只私聊发给您，请妥善保管，不得转发。", r.Describe()))},
		Buttons: []bot.Button{
			{Text: "确认完整导出", Kind: "danger", Action: bot.ActionExportFull, Value: v, Confirm: "确认导出含完整个人信息的台账？此操作会记入审计日志。"},
			{Text: "改为脱敏导出", Action: bot.ActionExportMasked, Value: v},
		}}
}

// argConfirm is the confirmation card's id in its buttons' value.
const argConfirm = "cf"

// queueExport commits the export task with the reply that promises it (and,
// for a full export, its audit entry). once, when not empty, names the act
// in the confirmation's ledger: the task is then queued at most once for
// it, whatever the event, and its id follows from it.
func (h *Handlers) queueExport(ctx context.Context, req *bot.Request, r report.ExportRequest, once string, audit *store.AuditEntry) (*bot.Reply, error) {
	reg, err := h.registry(ctx, req)
	if err != nil {
		return nil, err
	}
	n, err := h.Store.EstimateExport(ctx, r.Query(req.Loc, reg))
	if err != nil {
		return nil, err
	}
	tx := h.Store.NewTx()
	identity := req.EventID
	if once != "" {
		identity = "confirm:" + once
		cf, field := splitOnce(once)
		tx.MarkSentKey(exportLedger(cf), field, req.Time.UTC().Format(time.RFC3339))
	}
	sum := sha256.Sum256([]byte(identity))
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

// exportLedger is the sent-ledger of one confirmation card: a field per act
// done from it (full; masked:<open_id>).
func exportLedger(cf string) string { return "export:" + cf }

func splitOnce(once string) (cf, field string) {
	cf, field, _ = strings.Cut(once, "|")
	return cf, field
}

// exportAction: the buttons of the confirmation card. Each is checked by
// exportScope as the command is. 确认完整导出 acts once per card: pressed
// again (a double click, a redelivery with another event id, a second
// admin) it queues nothing. 改为脱敏导出 acts once per card and reader.
func (h *Handlers) exportAction(full bool) bot.HandlerFunc {
	return func(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
		r, err := report.ParseExportArgs(req.Action.Value)
		if err != nil {
			return nil, xfbot.Errorf(xfbot.EINVALID, "按钮已失效，请重新发送“导出 台账”。")
		}
		r.Full = full
		if r, err = exportScope(req.Member, r); err != nil {
			return nil, err
		}
		cf := req.Action.Value[argConfirm]
		if cf == "" && req.MessageID != "" {
			cf = "msg:" + req.MessageID // a card from before confirmation ids: the card message is the confirmation
		}
		if full && cf == "" {
			return nil, xfbot.Errorf(xfbot.EINVALID, "按钮已失效，请重新发送“导出 台账 完整”。")
		}
		once, field := "", "full"
		if !full {
			field = "masked:" + req.Sender.OpenID
		}
		if cf != "" {
			once = cf + "|" + field
			done, err := h.Store.LedgersOf(ctx, []string{exportLedger(cf)})
			if err != nil {
				return nil, err
			}
			if _, ok := done[exportLedger(cf)][field]; ok {
				return &bot.Reply{Toast: "已确认过，台账正在生成，完成后私聊发送，请勿重复点击。"}, nil
			}
		}
		var audit *store.AuditEntry
		if full {
			audit = &store.AuditEntry{At: req.Time, By: req.Actor(), Action: "完整导出台账", Entity: r.Describe(), Via: req.Via}
		}
		reply, err := h.queueExport(ctx, req, r, once, audit)
		if err != nil {
			return nil, err
		}
		reply.Card = &bot.Card{Title: "台账导出", Color: "green", Sections: []string{bot.Escape(reply.Text)}}
		return reply, nil
	}
}
