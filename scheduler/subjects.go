package scheduler

import (
	"context"
	"fmt"
	"sort"

	"github.com/qingchuan/xfbot"
)

// subjectLines are the reminder lines of the deadline-ledger entries that
// belong neither to a case nor to a letter, due by today, by the warning
// model of each kind, in its own file: a plan's measures and 化解目标
// (plans.go), a 会诊 (consults.go), a 督查单's 整改期限 and its own ladder
// (supervise.go), a member's leave or secondment (members.go). Each returns
// the lines not sent yet (its ledger fields decide) and the entries to take
// out of the index without a line.
func (r *Reminders) subjectLines(ctx context.Context, due map[xfbot.SubjectKind][]xfbot.Deadline, today xfbot.Date) (lines []line, stale []xfbot.Deadline, err error) {
	kinds := make([]string, 0, len(due))
	for k := range due {
		kinds = append(kinds, string(k))
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		var scan func(context.Context, []xfbot.Deadline, xfbot.Date) ([]line, []xfbot.Deadline, error)
		switch xfbot.SubjectKind(k) {
		case xfbot.SubjectPlan:
			scan = r.planLines
		case xfbot.SubjectConsult:
			scan = r.consultLines
		case xfbot.SubjectSupervise:
			scan = r.superviseLines
		case xfbot.SubjectMember:
			scan = r.memberLines
		default:
			continue // a kind this build does not know: left for the one that does
		}
		ls, st, err := scan(ctx, due[xfbot.SubjectKind(k)], today)
		if err != nil {
			return nil, nil, fmt.Errorf("%s deadlines: %w", k, err)
		}
		lines = append(lines, ls...)
		stale = append(stale, st...)
	}
	return lines, stale, nil
}
