package handlers

import (
	"context"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/bot"
)

// progressForm opens the 添加进展 form on the case card.
func (h *Handlers) progressForm(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	if err := notOpen(req.Case, "记录进展"); err != nil {
		return nil, err
	}
	return &bot.Reply{Card: bot.ProgressForm(req.Case, req.Recent, h.view(req))}, nil
}

// progressSubmit records the form's progress and shows the updated card.
func (h *Handlers) progressSubmit(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	text, err := needText(req.Action.Form["text"], "进展内容", "在表单里填写本次进展")
	if err != nil {
		return nil, err
	}
	return h.recordEntry(req, xfbot.KindProgress, text)
}

// refresh re-renders the case card.
func (h *Handlers) refresh(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	return &bot.Reply{Card: bot.CaseCard(req.Case, req.Recent, h.view(req)), Toast: "已刷新"}, nil
}
