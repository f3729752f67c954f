package scheduler

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/bot"
	"github.com/qingchuan/xfbot/store"
)

// escalate takes the next step of every escalation due today: the overdue
// case goes to the step's recipients (resolved now, not when it started),
// each step once, in one commit with the ledger marks and the ladder's
// advance. An acknowledged, resolved or re-dated case leaves the ladder.
func (r *Reminders) escalate(ctx context.Context, now time.Time, today xfbot.Date, members []xfbot.Member) error {
	due, err := r.Store.DueEscalations(ctx, today)
	if err != nil || len(due) == 0 {
		return err
	}
	tx := r.Store.NewTx()
	byTo := map[string][]bot.ReminderLine{}
	var ids []string
	for _, e := range due {
		st, c := e.State, e.Case
		if c == nil || !c.Chased() || c.Due.String() != st.Episode || c.Paused() || st.Next >= len(st.Ladder) {
			tx.EndEscalation(st.No)
			continue
		}
		step := st.Ladder[st.Next]
		field := fmt.Sprintf("esc:%d:%s", st.Next, st.Episode)
		tx.MarkSent(c.No, field, today.String())
		ids = append(ids, string(c.No)+"/"+field)
		note := fmt.Sprintf("⬆️ 超期未确认，第 %d 级提醒：%s", st.Next+1, step.To.Label())
		if !c.Owner.IsZero() {
			note += "（包案人：" + c.Owner.Display() + "）"
		}
		for _, to := range r.recipients(step.To, c, members) {
			byTo[to] = append(byTo[to], bot.ReminderLine{Case: c, Rule: xfbot.RuleDue, Level: r.thresholds().Level(c.Due, today), Note: note})
			tx.NoteRecipient(c.No, c.Due, to, today) // who may 确认 it
		}
		if st.Next+1 >= len(st.Ladder) {
			tx.EndEscalation(c.No)
			continue
		}
		st.Next++
		started, _ := xfbot.ParseDate(st.Started)
		next := r.workdaysAfter(started, st.Ladder[st.Next].After)
		if !next.After(today) {
			next = today.AddDays(1) // after downtime: one step per day, not all at once
		}
		tx.StartEscalation(st, next)
	}
	for _, to := range sortedKeys(byTo) {
		v := bot.View{Audience: audienceOf(members, to), Today: today, Thresholds: r.thresholds(), Loc: r.loc()}
		card := bot.ReminderCard("超期升级提醒", byTo[to], v)
		tx.Enqueue(outbound(to, card, fmt.Sprintf("esc:%s:%s:%v", to, today, ids), now))
	}
	if _, err := r.Store.Commit(ctx, tx); err != nil && !errors.Is(err, store.ErrAlreadySent) {
		return fmt.Errorf("escalations: %w", err)
	}
	return nil // ErrAlreadySent: another replica took these steps
}

// recipients resolves a ladder step to people, at the moment it fires.
func (r *Reminders) recipients(to xfbot.EscalateTo, c *xfbot.Case, members []xfbot.Member) []string {
	var out []string
	switch to {
	case xfbot.EscalateLiaison:
		for _, m := range members {
			if m.Role == xfbot.RoleLiaison && m.Unit != "" && (m.Unit == c.Unit || m.Unit == c.Area) {
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
