package scheduler

import (
	"context"
	"fmt"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/bot"
	"github.com/qingchuan/xfbot/store"
)

// steps are the escalation steps due today, each with its recipients
// (resolved now, not when the ladder started), and the cases whose ladder
// ended without a step: acknowledged, resolved, re-dated, paused, or no
// longer at a stage with a statutory deadline. The steps go out in the
// run's one message per person (build), each once: its ledger mark and the
// ladder's advance are in the commit of its recipients' messages.
func (r *Reminders) steps(ctx context.Context, today xfbot.Date, members []xfbot.Member) ([]*step, []xfbot.CaseNo, error) {
	due, err := r.Store.DueEscalations(ctx, today)
	if err != nil || len(due) == 0 {
		return nil, nil, err
	}
	var out []*step
	var ended []xfbot.CaseNo
	for _, e := range due {
		st, c := e.State, e.Case
		if c == nil || !c.Chased() || c.Due.String() != st.Episode || c.Paused() || st.Next >= len(st.Ladder) {
			ended = append(ended, st.No)
			continue
		}
		to := st.Ladder[st.Next]
		note := fmt.Sprintf("⬆️ 超期未确认，第 %d 级提醒：%s", st.Next+1, to.To.Label())
		if !c.Owner.IsZero() {
			note += "（包案人：" + c.Owner.Display() + "）"
		}
		out = append(out, &step{state: st, c: c, field: fmt.Sprintf("esc:%d:%s", st.Next, st.Episode),
			to:   r.recipients(to.To, c, members),
			line: bot.ReminderLine{Case: c, Rule: xfbot.RuleDue, Level: r.thresholds().Level(c.Due, today), Note: note}})
	}
	return out, ended, nil
}

// takeStep adds to tx a step's ledger mark and the ladder's advance: the
// next step's day, or the ladder's end after its last step.
func (r *Reminders) takeStep(tx *store.Tx, s *step, today xfbot.Date) {
	st := s.state
	tx.MarkSent(s.c.No, s.field, today.String())
	if st.Next+1 >= len(st.Ladder) {
		tx.EndEscalation(s.c.No)
		return
	}
	st.Next++
	started, _ := xfbot.ParseDate(st.Started)
	next := r.workdaysAfter(started, st.Ladder[st.Next].After)
	if !next.After(today) {
		next = today.AddDays(1) // after downtime: one step per day, not all at once
	}
	tx.StartEscalation(st, next)
}

// recipients resolves a ladder step to people, at the moment it fires.
func (r *Reminders) recipients(to xfbot.EscalateTo, c *xfbot.Case, members []xfbot.Member) []string {
	var out []string
	switch to {
	case xfbot.EscalateLiaison:
		for _, m := range members {
			if m.Role == xfbot.RoleLiaison && m.CanSee(c) {
				out = append(out, m.OpenID)
			}
		}
	case xfbot.EscalateLeader:
		if c.Leader.OpenID != "" {
			out = append(out, c.Leader.OpenID)
		}
	case xfbot.EscalateLead:
		out = append(out, r.Admins...)
		for _, m := range members {
			if m.Role == xfbot.RoleAdmin && !contains(out, m.OpenID) {
				out = append(out, m.OpenID)
			}
		}
	}
	return out
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}
