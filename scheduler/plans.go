package scheduler

import (
	"context"
	"fmt"
	"sort"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/bot"
)

// planLines is the warning model of a plan's deadlines (一案一策, issue 11),
// applied to the plan entries of the deadline index due by today: each
// open measure of the version in force (plan:<案件号>#<序号>) reminds its
// 负责人 on its due day (🟠) and once it is missed (🔴), and the plan's
// 化解目标日 (plan:<案件号>) reminds the case's 包案人 the same way. Each is
// sent once, marked in its subject's sent-ledger (sent:plan:<id>) under
// measure:<due>:due|late or target:<due>:due|late, so a measure moved to
// another day (a new version) is reminded again of the new day. Nobody to
// tell: the 包案人, else the task-force lead.
//
// The plans and their cases are read in one round trip each, the ledgers in
// another. An entry whose plan no longer has it open on that day is
// skipped (the write that changed it moved it; taking its member out here
// could remove the entry that write re-scored); one whose case is no
// longer open (化解, 销号: the plan is over) leaves the index without a
// line. An overdue measure stays in the index, still open, and is not
// reminded again.
func (r *Reminders) planLines(ctx context.Context, due []xfbot.Deadline, today xfbot.Date) ([]line, []xfbot.Deadline, error) {
	if len(due) == 0 {
		return nil, nil, nil
	}
	var nos []xfbot.CaseNo
	seen := map[xfbot.CaseNo]bool{}
	for _, d := range due {
		if no, _, ok := xfbot.ParsePlanSubject(d.Subject.ID); ok && !seen[no] {
			seen[no] = true
			nos = append(nos, no)
		}
	}
	plans, err := r.Store.PlansOf(ctx, nos)
	if err != nil {
		return nil, nil, err
	}
	cases, err := r.Store.Cases(ctx, nos)
	if err != nil {
		return nil, nil, err
	}
	byNo := make(map[xfbot.CaseNo]*xfbot.Case, len(cases))
	for _, c := range cases {
		byNo[c.No] = c
	}
	var out []line
	var stale []xfbot.Deadline
	var subjects []xfbot.Subject
	for _, d := range due {
		no, n, ok := xfbot.ParsePlanSubject(d.Subject.ID)
		c, ps := byNo[no], plans[no]
		if ok && c != nil && !c.Status.Open() {
			stale = append(stale, d) // 化解, 销号: the plan is over (its next write puts back what is open)
			continue
		}
		if !ok || c == nil || ps == nil || ps.InForce() == nil {
			continue
		}
		p := ps.InForce()
		item := bot.PlanReminder{Case: c, Version: p.Version, Target: p.Target, Goal: p.Goal}
		what, day, to := "target", p.Target, c.Owner.OpenID
		if n > 0 {
			m := p.Measure(n)
			if m == nil || !m.Open() || m.Due != d.Due || d.Kind != xfbot.DeadlineMeasure {
				continue // done or moved since the index was read: that write moved its entry
			}
			cp := *m
			item.Measure, what, day = &cp, "measure", m.Due
			if m.Owner.OpenID != "" {
				to = m.Owner.OpenID
			}
		} else if d.Kind != xfbot.DeadlinePlanTarget || p.Target != d.Due {
			continue
		}
		if day.After(today) {
			continue
		}
		kind, lv := "due", xfbot.LevelOrange
		if today.After(day) {
			kind, lv, item.Late = "late", xfbot.LevelRed, true
		}
		if to == "" {
			to = r.staff(xfbot.Person{})
		}
		if to == "" {
			continue
		}
		out = append(out, line{ReminderLine: bot.ReminderLine{Item: item, Level: lv}, subject: d.Subject,
			field: fmt.Sprintf("%s:%s:%s", what, day, kind), to: to})
		subjects = append(subjects, d.Subject)
	}
	ledgers, err := r.Store.SentLedgers(ctx, subjects)
	if err != nil {
		return nil, nil, err
	}
	unsent := out[:0]
	for _, l := range out {
		if _, sent := ledgers[l.subject][l.field]; !sent {
			unsent = append(unsent, l)
		}
	}
	sort.SliceStable(unsent, func(a, b int) bool { return unsent[a].subject.ID < unsent[b].subject.ID })
	return unsent, stale, nil
}
