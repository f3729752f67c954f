package scheduler

import (
	"context"
	"fmt"
	"sort"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/bot"
)

// letterLines is the warning model of a letter's 阅批 (letter_read) and 交办
// (letter_assign), applied to the letter entries of the deadline index due
// by today: a reminder on the deadline's last day and one once it is
// missed, to the leader while the letter is unread, to the staff member
// who registered it (else the task-force lead) once it is annotated. Each
// is marked in the letter's sent-ledger (sent:<LX-…>) under the field the
// reception job used before the reminders were one scan,
// <stage>:<due>:due|late (unread:2026-03-18:due), so nothing it sent goes
// out again. The letters are read in one round trip (store.OpenLetters:
// the unassigned letters whose deadline is by today, the same range), and
// their ledgers in another.
func (r *Reminders) letterLines(ctx context.Context, due []xfbot.Deadline, today xfbot.Date) ([]line, error) {
	if len(due) == 0 {
		return nil, nil
	}
	open, err := r.Store.OpenLetters(ctx, today)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]*xfbot.LeaderLetter, len(open))
	for _, l := range open {
		byID[string(l.ID)] = l
	}
	var out []line
	var subjects []xfbot.Subject
	for _, d := range due {
		l := byID[d.Subject.ID]
		if l == nil {
			continue // assigned since, or its deadline moved after today
		}
		ds := l.Deadlines()
		if len(ds) == 0 || ds[0].Kind != d.Kind {
			continue // the record is at another stage: its write moves the entry
		}
		next := l.NextDue()
		if next.After(today) {
			continue
		}
		kind, lv := "due", xfbot.LevelOrange
		if today.After(next) {
			kind, lv = "late", xfbot.LevelRed
		}
		to := l.Leader.OpenID
		if l.Stage() == xfbot.LetterRead {
			to = r.staff(l.RegisteredBy)
		}
		if to == "" {
			continue
		}
		out = append(out, line{ReminderLine: bot.ReminderLine{Letter: l, Level: lv}, subject: d.Subject,
			field: fmt.Sprintf("%s:%s:%s", l.Stage(), next, kind), to: to})
		subjects = append(subjects, d.Subject)
	}
	ledgers, err := r.Store.SentLedgers(ctx, subjects)
	if err != nil {
		return nil, err
	}
	unsent := out[:0]
	for _, l := range out {
		if _, sent := ledgers[l.subject][l.field]; !sent {
			unsent = append(unsent, l)
		}
	}
	sort.SliceStable(unsent, func(a, b int) bool { return unsent[a].Letter.NextDue().Before(unsent[b].Letter.NextDue()) })
	return unsent, nil
}

// staff is who gets a staff reminder: p, else the task-force lead.
func (r *Reminders) staff(p xfbot.Person) string {
	if p.OpenID != "" {
		return p.OpenID
	}
	if len(r.Admins) > 0 {
		return r.Admins[0]
	}
	return ""
}

// readerOf is whom a letter line's buttons are for: the recipient, with
// their member role; the letter's own leader reads it as a leader even
// without a member record (a leader configured in leaders only).
func readerOf(members []xfbot.Member, to string, l *xfbot.LeaderLetter) bot.LetterReader {
	for _, m := range members {
		if m.OpenID == to {
			return bot.LetterReader{OpenID: to, Role: m.Role}
		}
	}
	if to == l.Leader.OpenID {
		return bot.LetterReader{OpenID: to, Role: xfbot.RoleLeader}
	}
	return bot.LetterReader{OpenID: to, Role: xfbot.RoleMember}
}

func caseSubject(no xfbot.CaseNo) xfbot.Subject {
	return xfbot.Subject{Kind: xfbot.SubjectCase, ID: string(no)}
}
