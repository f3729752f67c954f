package handlers

import (
	"context"
	"time"

	"github.com/qingchuan/xfbot"
)

// heldSupervision lists, one line each, the open 督查单 openID answers
// for as their inspector (what 成员 召回 waits on): not built yet (issue 11,
// 督查).
func (h *Handlers) heldSupervision(ctx context.Context, openID string) ([]string, error) {
	return nil, nil
}

// handOverSupervision gives every open 督查单 of from to to (成员 移交),
// recorded as by's act at now, and returns how many moved: not built yet.
func (h *Handlers) handOverSupervision(ctx context.Context, from, to, by xfbot.Person, now time.Time) (int, error) {
	return 0, nil
}
