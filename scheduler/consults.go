package scheduler

import (
	"context"
	"fmt"
	"sort"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/bot"
)

// consultLines is the warning model of a 集中会诊 (xfbot.Consultation),
// applied to its entries of the deadline index due by today. A planned
// consultation has one entry per person reminded, the host and whoever
// scheduled it, scored by its eve (xfbot.ConsultEve, the working day
// before): the index is read up to today only, so the entry is due the
// day its first reminder goes. From the record, each run owes:
//
//   - from the eve to the day itself, to each entry's owner once: 明天
//     (今天) 会诊 (field eve:<day>:<open_id>);
//   - from the working day after the meeting (xfbot.ConsultRecordDue)
//     with nothing recorded, to whoever scheduled it (else the lead) once:
//     结论未录入 (field record:<day>); the entry leaves the index with it;
//   - nothing else: the host's entry once the day is past, an entry whose
//     reminder went out, one of a consultation gone or no longer planned
//     leave the index (stale).
//
// A 改期 writes new entries on the new eve, and the fields name the day,
// so a moved consultation is reminded of again. The consultations are read
// in one round trip, their ledgers in another.
func (r *Reminders) consultLines(ctx context.Context, due []xfbot.Deadline, today xfbot.Date) ([]line, []xfbot.Deadline, error) {
	if len(due) == 0 {
		return nil, nil, nil
	}
	var ids []xfbot.ConsultID
	for _, d := range due {
		ids = append(ids, xfbot.ConsultID(d.Subject.ID))
	}
	cs, err := r.Store.Consults(ctx, ids)
	if err != nil {
		return nil, nil, err
	}
	byID := make(map[string]*xfbot.Consultation, len(cs))
	for _, c := range cs {
		byID[string(c.ID)] = c
	}
	var out []line
	var stale []xfbot.Deadline
	var subjects []xfbot.Subject
	for _, d := range due {
		c := byID[d.Subject.ID]
		if c == nil || c.Status != xfbot.ConsultPlanned || d.Kind != xfbot.DeadlineConsult {
			stale = append(stale, d) // its write took the rest out; this one is of no record
			continue
		}
		recorder := c.ScheduledBy.OpenID
		if recorder == "" {
			recorder = c.Host.OpenID
		}
		switch {
		case !today.After(c.Date):
			if d.Owner == "" {
				continue
			}
			out = append(out, line{ReminderLine: bot.ReminderLine{Item: bot.ConsultReminder{C: c, Level: xfbot.LevelYellow}},
				subject: d.Subject, field: fmt.Sprintf("eve:%s:%s", c.Date, d.Owner), to: d.Owner})
		case d.Owner != recorder:
			stale = append(stale, d) // the host's: nothing more to say
			continue
		case today.Before(xfbot.ConsultRecordDue(c.Date, r.Calendar)) || c.Recorded():
			continue // the record is not due yet (a record's write takes the entry out)
		default:
			d := d
			out = append(out, line{ReminderLine: bot.ReminderLine{Item: bot.ConsultReminder{C: c, Record: true, Level: xfbot.LevelOrange}},
				subject: d.Subject, field: fmt.Sprintf("record:%s", c.Date), to: r.staff(c.ScheduledBy), done: &d})
		}
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
		} else if l.done != nil {
			stale = append(stale, *l.done)
		}
	}
	sort.SliceStable(unsent, func(a, b int) bool {
		return unsent[a].Item.(bot.ConsultReminder).C.Date.Before(unsent[b].Item.(bot.ConsultReminder).C.Date)
	})
	return unsent, stale, nil
}
