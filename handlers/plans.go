package handlers

import (
	"context"
	"time"

	"github.com/qingchuan/xfbot"
)

// heldMeasures lists, one line each, the open plan measures openID
// answers for (what 成员 召回 waits on): not built yet (issue 11, 方案).
func (h *Handlers) heldMeasures(ctx context.Context, openID string) ([]string, error) {
	return nil, nil
}

// handOverMeasures gives every open measure of from to to (成员 移交),
// recorded as by's act at now, and returns how many moved: not built yet.
func (h *Handlers) handOverMeasures(ctx context.Context, from, to, by xfbot.Person, now time.Time) (int, error) {
	return 0, nil
}
