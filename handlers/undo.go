package handlers

import (
	"context"
	"fmt"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/bot"
	"github.com/qingchuan/xfbot/store"
)

// undo answers 撤销: the sender's own last write on a case, within
// store.UndoWindow, is reversed: the case as it was before (fields,
// indexes, deadlines), the timeline entries it added dropped, the figures
// it booked booked back; 历史 keeps both the write and its undo. Refused
// when someone has written the case since (others may have built on it),
// and for the writes that cannot be undone (销号, 重开, 新建, writes that
// change other records: the routing table's Undo flag says which can).
// Messages already sent are not recalled.
func (h *Handlers) undo(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	if err := extraWords(req, 0); err != nil {
		return nil, err
	}
	u, before, err := h.Store.LastUndo(ctx, req.Sender.OpenID)
	if err != nil {
		return nil, err
	}
	if u == nil {
		return nil, xfbot.Errorf(xfbot.ENOTFOUND, "没有可以撤销的操作：只能撤销您本人 %d 分钟内对案件的最后一次修改（进展、下访、甄别、化解、指派、程序环节等；销号、重开、新建不能撤销）。", int(store.UndoWindow.Minutes()))
	}
	l, err := h.Store.Load(ctx, req.Sender.OpenID, u.No)
	if err != nil {
		return nil, err
	}
	cur := l.Case
	if cur == nil {
		return nil, xfbot.Errorf(xfbot.ENOTFOUND, "案件 %s 已不存在，无法撤销。", u.No)
	}
	if cur.Version != u.Version {
		return nil, xfbot.Errorf(xfbot.EFORBIDDEN, "您的“%s”之后，%s 又有了新的修改，不能再撤销（别人可能已据此办理）。请直接更正，例如发送新的进展说明，或请管理员处理。", u.Verb, u.No)
	}
	tx := h.Store.NewTx()
	tx.RestoreCase(req.Sender.OpenID, cur, before, u)
	tx.AddChanges(u.No, xfbot.Change{At: req.Time, By: req.Actor(), Action: "撤销", Field: u.Verb,
		Before: u.At.In(req.Loc).Format("15:04") + " 的" + u.Verb, After: "已撤销"})
	restored := *before
	restored.Version = cur.Version + 1
	recent := l.Recent
	if n := u.Progress; n > 0 && n <= len(recent) {
		recent = recent[:len(recent)-n]
	}
	msg := fmt.Sprintf("已撤销 %s 的“%s”，案件恢复到此前的状态", u.At.In(req.Loc).Format("15:04"), u.Verb)
	if u.Progress > 0 {
		msg += fmt.Sprintf("，删去 %d 条记录", u.Progress)
	}
	msg += "。已发出的通知不会撤回。"
	return h.caseReply(req, &restored, recent, msg, tx), nil
}
