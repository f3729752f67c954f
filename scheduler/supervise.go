package scheduler

import (
	"context"
	"fmt"
	"sort"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/bot"
	"github.com/qingchuan/xfbot/store"
)

// superviseLines is the warning model of a 督查单's 整改期限 (rectify),
// applied to the supervise entries of the deadline index due by today:
//
//   - on the deadline's last day, a 🟠 line to the inspector and to each of
//     the unit's liaisons (field due:<due>:<open_id>);
//   - once it has passed with the unit still to act, the item's own ladder
//     (xfbot.SupervisionItem.NextStep, spaced by r.Supervision): 催办 (a
//     line to the inspector; the liaisons get the 催办 card), 通报 (a line
//     to the inspector; a masked card to the task-force group), 约谈 (a
//     line to the lead, who owes the unit an interview; the liaisons are
//     told), 挂牌督办 (a line to the lead; the group and the liaisons get the
//     card). One rung per run, field esc:<due>:<step>.
//
// A rung is one line with one ledger field: its commit (line.commit)
// writes, in the same transaction that queues the line and is refused
// whole if another replica sent it, the rung on the item (store
// TakeSupervisionStep: dc:esc, read back by NextStep, so that no rung is
// taken twice even after the sent-ledger expires), its line in the
// history, the 逾期 count at the item's first 催办, and the rung's other
// messages (liaisons, group). The items and their ladders are read in one
// round trip, the members in one, the sent-ledgers in one.
func (r *Reminders) superviseLines(ctx context.Context, due []xfbot.Deadline, today xfbot.Date) ([]line, []xfbot.Deadline, error) {
	if len(due) == 0 {
		return nil, nil, nil
	}
	var ids []xfbot.SupervisionID
	seen := map[string]bool{}
	for _, d := range due {
		if d.Kind == xfbot.DeadlineRectify && !seen[d.Subject.ID] {
			seen[d.Subject.ID] = true
			ids = append(ids, xfbot.SupervisionID(d.Subject.ID))
		}
	}
	items, err := r.Store.SupervisionItems(ctx, ids)
	if err != nil {
		return nil, nil, err
	}
	members, err := r.Store.Members(ctx)
	if err != nil {
		return nil, nil, err
	}
	var out []line
	var subjects []xfbot.Subject
	for _, it := range items {
		if !it.Rectifying() || it.Due.After(today) {
			continue // reported or signed off since: its write took the entry out
		}
		subj := xfbot.Subject{Kind: xfbot.SubjectSupervise, ID: string(it.ID)}
		liaisons := unitLiaisons(members, it.Unit)
		if it.Due == today {
			for _, to := range append([]string{it.Inspector.OpenID}, liaisons...) {
				if to == "" {
					continue
				}
				out = append(out, line{ReminderLine: bot.ReminderLine{Level: xfbot.LevelOrange,
					Item: bot.SupervisionReminder{Item: it, Reader: bot.SupervisionReader{Member: r.memberOf(members, to)}}},
					subject: subj, field: fmt.Sprintf("due:%s:%s", it.Due, to), to: to})
			}
			subjects = append(subjects, subj)
			continue
		}
		step, day, ok := it.NextStep(r.Supervision, r.Calendar)
		if !ok || day.After(today) {
			continue
		}
		to := it.Inspector.OpenID
		if step == xfbot.StepInterview || step == xfbot.StepListed {
			to = r.staff(xfbot.Person{}) // the lead
		}
		if to == "" {
			to = it.Inspector.OpenID
		}
		if to == "" {
			continue
		}
		out = append(out, line{ReminderLine: bot.ReminderLine{Level: xfbot.LevelRed,
			Item: bot.SupervisionReminder{Item: it, Step: step, Reader: bot.SupervisionReader{Member: r.memberOf(members, to)}, Grouped: r.GroupChatID != ""}},
			subject: subj, field: fmt.Sprintf("esc:%s:%s", it.Due, step), to: to,
			commit: r.rung(it, step, today, to, liaisons, members)})
		subjects = append(subjects, subj)
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
	return unsent, nil, nil
}

// rung is what taking step on it writes besides its line: the rung and its
// history line, the 逾期 count at the first 催办 ever, and the rung's
// messages to the liaisons and the group.
func (r *Reminders) rung(it *xfbot.SupervisionItem, step xfbot.EscalationStep, today xfbot.Date, to string, liaisons []string, members []xfbot.Member) func(tx *store.Tx) {
	return func(tx *store.Tx) {
		at := today.Time(r.loc())
		text := fmt.Sprintf("整改期限 %s 已过 %d 天，单位尚未报告整改", it.Due, today.Sub(it.Due))
		tx.TakeSupervisionStep(it.ID, xfbot.StepTaken{Step: step, Episode: it.Due, Day: today},
			xfbot.SupervisionEvent{At: at, Action: step.Label(), Text: text})
		if step == xfbot.StepRemind && !it.EverOverdue() {
			tx.CountSupervision(xfbot.SupCountOverdue, it, today)
		}
		after := *it // the card shows the rung just taken
		after.Steps = append(append([]xfbot.StepTaken(nil), it.Steps...), xfbot.StepTaken{Step: step, Episode: it.Due, Day: today})
		id := fmt.Sprintf("dc:%s:%s:%s", it.ID, it.Due, step)
		sent := map[string]bool{to: true}
		for _, l := range liaisons {
			l = xfbot.StandIn(members, l, today)
			if sent[l] {
				continue
			}
			sent[l] = true
			m := r.memberOf(members, l)
			v := bot.View{Audience: m.Audience(), Today: today, Thresholds: r.thresholds(), Loc: r.loc()}
			tx.Enqueue(outbound(l, bot.SupervisionStepCard(&after, step, v, bot.SupervisionReader{Member: m}), id+":"+l, at))
		}
		if (step == xfbot.StepNotice || step == xfbot.StepListed) && r.GroupChatID != "" {
			v := bot.View{Audience: xfbot.GroupAudience, ChatID: r.GroupChatID, Today: today, Thresholds: r.thresholds(), Loc: r.loc()}
			_, card := bot.ForGroup("", bot.SupervisionStepCard(&after, step, v, bot.SupervisionReader{}))
			om := outbound("", card, id+":group", at)
			om.ReceiveIDType, om.ReceiveID, om.ChatID = "chat_id", r.GroupChatID, r.GroupChatID
			tx.Enqueue(om)
		}
	}
}

// unitLiaisons are the open_ids of unit's liaisons, sorted.
func unitLiaisons(ms []xfbot.Member, unit string) []string {
	var out []string
	for _, m := range ms {
		if m.Role == xfbot.RoleLiaison && m.InUnit(unit) {
			out = append(out, m.OpenID)
		}
	}
	sort.Strings(out)
	return out
}

// memberOf is openID's member record as the mux would see it: a
// configured admin is the lead, one unknown a task-force member.
func (r *Reminders) memberOf(ms []xfbot.Member, openID string) xfbot.Member {
	m := xfbot.Member{OpenID: openID, Role: xfbot.RoleMember}
	for _, x := range ms {
		if x.OpenID == openID {
			m = x
		}
	}
	for _, a := range r.Admins {
		if a == openID {
			m.Role = xfbot.RoleAdmin
		}
	}
	return m
}
