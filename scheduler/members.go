package scheduler

import (
	"context"
	"fmt"
	"slices"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/bot"
)

// memberLines is the warning model of the roster (issue 11): the lead
// (Admins[0]) hears once, RosterNoticeWorkdays working days ahead, that a
// member's leave ends (请假到期) or that a secondment reaches its planned
// end (借调期满). The index entry (Subject{member, open_id}) is scored by
// that notice day (xfbot.Member.RosterDeadlines), the end is read from the
// member record; the line is marked in sent:member:<open_id> under
// <kind>:<end> (leave_end:2026-03-20), so a new leave or a new planned end
// is told again and nothing twice, and the entry leaves the index with the
// line. An entry the record no longer states (the leave cut short by 销假,
// a member recalled or removed) leaves without a line. The leave itself
// ends by its dates: no job sets anyone back to 在岗.
func (r *Reminders) memberLines(ctx context.Context, due []xfbot.Deadline, today xfbot.Date) ([]line, []xfbot.Deadline, error) {
	if len(due) == 0 {
		return nil, nil, nil
	}
	ms, err := r.Store.Members(ctx)
	if err != nil {
		return nil, nil, err
	}
	byID := make(map[string]xfbot.Member, len(ms))
	for _, m := range ms {
		byID[m.OpenID] = m
	}
	lead := r.staff(xfbot.Person{})
	var out []line
	var stale []xfbot.Deadline
	var subjects []xfbot.Subject
	for _, d := range due {
		m, ok := byID[d.Subject.ID]
		if !ok || !slices.Contains(m.RosterDeadlines(r.Calendar), d) {
			stale = append(stale, d)
			continue
		}
		end := m.PlannedEnd
		if d.Kind == xfbot.DeadlineLeaveEnd {
			end = m.Leave.To
		}
		if end.Before(today) || lead == "" {
			// Past already (the scan did not run in time, or nobody to
			// tell): nothing useful to say any more.
			stale = append(stale, d)
			continue
		}
		d := d
		out = append(out, line{ReminderLine: bot.ReminderLine{Item: bot.RosterLine{Member: m, Kind: d.Kind, End: end}, Level: xfbot.LevelYellow},
			subject: d.Subject, field: fmt.Sprintf("%s:%s", d.Kind, end), to: lead, done: &d})
		subjects = append(subjects, d.Subject)
	}
	ledgers, err := r.Store.SentLedgers(ctx, subjects)
	if err != nil {
		return nil, nil, err
	}
	unsent := out[:0]
	for _, l := range out {
		if _, sent := ledgers[l.subject][l.field]; sent {
			stale = append(stale, *l.done)
			continue
		}
		unsent = append(unsent, l)
	}
	return unsent, stale, nil
}
