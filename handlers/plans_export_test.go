package handlers

import (
	"context"
	"time"

	"github.com/qingchuan/xfbot"
)

// The seams 成员 召回 calls, for the black-box tests.

func (h *Handlers) HeldMeasures(ctx context.Context, openID string) ([]string, error) {
	return h.heldMeasures(ctx, openID)
}

func (h *Handlers) HandOverMeasures(ctx context.Context, from, to, by xfbot.Person, now time.Time) (int, error) {
	return h.handOverMeasures(ctx, from, to, by, now)
}
