package scheduler

import (
	"context"

	"github.com/qingchuan/xfbot"
)

// consultLines: not built yet (issue 11).
func (r *Reminders) consultLines(ctx context.Context, due []xfbot.Deadline, today xfbot.Date) ([]line, []xfbot.Deadline, error) {
	return nil, nil, nil
}
