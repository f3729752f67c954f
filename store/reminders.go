package store

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/qingchuan/xfbot"
	"github.com/redis/go-redis/v9"
)

// sentTTL keeps a case's sent-ledger well past any deadline it could still
// be reminded of; each write renews it.
const sentTTL = 400 * 24 * time.Hour

// MarkSent records in the case's sent-ledger that the reminder named field
// went out (value: when, for 提醒 查看). Commit refuses the whole Tx with
// ErrAlreadySent if the field is already there: the ledger entry and the
// message that carries the reminder are written together or not at all, so
// a crash never double-sends and never loses one.
//
// It is MarkSentFor of the case: one sent-ledger API for every subject.
func (tx *Tx) MarkSent(no xfbot.CaseNo, field, value string) {
	tx.MarkSentFor(caseSubject(no), field, value)
}

func caseSubject(no xfbot.CaseNo) xfbot.Subject {
	return xfbot.Subject{Kind: xfbot.SubjectCase, ID: string(no)}
}

// expireOnce renews a ledger's TTL once per Tx, however many of its fields
// the Tx marks.
func (tx *Tx) expireOnce(key string) {
	if tx.expiring == nil {
		tx.expiring = map[string]bool{}
	}
	if !tx.expiring[key] {
		tx.expiring[key] = true
		tx.add(op{Op: "expire", Key: key, MaxLen: int64(sentTTL / time.Second)})
	}
}

// Note records a ledger field that may already exist (acknowledgements):
// NoteFor of the case.
func (tx *Tx) Note(no xfbot.CaseNo, field, value string) { tx.NoteFor(caseSubject(no), field, value) }

// NoteRecipient records in the case's sent-ledger that a reminder or an
// escalation step about its deadline due went to openID (field
// "to:<due>:<open_id>", value: the day): only those may acknowledge it.
func (tx *Tx) NoteRecipient(no xfbot.CaseNo, due xfbot.Date, openID string, day xfbot.Date) {
	tx.Note(no, recipientField(due, openID), day.String())
}

func recipientField(due xfbot.Date, openID string) string { return "to:" + due.String() + ":" + openID }

// Recipients are the people a case's sent-ledger says were reminded of its
// deadline due (NoteRecipient), and whether anything at all (a level
// reminder or an escalation step, also from before recipients were noted)
// went out about it.
func Recipients(ledger map[string]string, due xfbot.Date) (to []string, any bool) {
	d := due.String()
	prefix := "to:" + d + ":"
	for f := range ledger {
		switch {
		case strings.HasPrefix(f, prefix):
			to = append(to, strings.TrimPrefix(f, prefix))
			any = true
		case strings.HasSuffix(f, ":"+d) && (strings.HasPrefix(f, "due:") || strings.HasPrefix(f, "esc:")):
			any = true
		}
	}
	slices.Sort(to)
	return to, any
}

// Ledgers returns the sent-ledgers of the given cases, in one round trip:
// SentLedgers of the cases.
func (s *Store) Ledgers(ctx context.Context, nos []xfbot.CaseNo) (map[xfbot.CaseNo]map[string]string, error) {
	subjects := make([]xfbot.Subject, len(nos))
	for i, no := range nos {
		subjects[i] = caseSubject(no)
	}
	bySubject, err := s.SentLedgers(ctx, subjects)
	if err != nil {
		return nil, err
	}
	out := make(map[xfbot.CaseNo]map[string]string, len(bySubject))
	for subj, m := range bySubject {
		out[xfbot.CaseNo(subj.ID)] = m
	}
	return out, nil
}

// EscalationState is an escalation under way: the ladder as it was when the
// case turned red (a later change of the configured ladder does not rewrite
// it), the episode (the due date that was missed) and the next step.
type EscalationState struct {
	No      xfbot.CaseNo       `json:"no"`
	Episode string             `json:"ep"`    // the missed due date
	Started string             `json:"start"` // the day of the first overdue reminder
	Next    int                `json:"next"`  // index of the next step in Ladder
	Ladder  []xfbot.Escalation `json:"ladder"`
}

// StartEscalation puts the case on its ladder; the first step fires on
// nextDay.
func (tx *Tx) StartEscalation(e EscalationState, nextDay xfbot.Date) {
	tx.add(op{Op: "set", Key: tx.k.escalation(e.No), Val: tx.json(e)})
	tx.add(op{Op: "zadd", Key: tx.k.escalations(), Member: string(e.No), Score: float64(nextDay.DayNumber())})
}

// EndEscalation takes the case off its ladder (acknowledged, resolved,
// reopened, or the last step taken).
func (tx *Tx) EndEscalation(no xfbot.CaseNo) {
	tx.add(op{Op: "del", Key: tx.k.escalation(no)})
	tx.add(op{Op: "zrem", Key: tx.k.escalations(), Member: string(no)})
}

//go:embed escalations.lua
var escSrc string

var escScript = redis.NewScript(escSrc)

// EscalationDue is an escalation whose next step is due, with its case.
type EscalationDue struct {
	State EscalationState
	Case  *xfbot.Case // nil if the case is gone
}

// DueEscalations returns the escalations whose next step falls on or before
// day, with their cases, in one round trip.
func (s *Store) DueEscalations(ctx context.Context, day xfbot.Date) ([]EscalationDue, error) {
	res, err := escScript.Run(ctx, s.rdb, []string{s.k.escalations()}, day.DayNumber(), s.k.escalation(""), s.k.caseKey("")).Slice()
	if err != nil {
		return nil, fmt.Errorf("store: due escalations: %w", err)
	}
	var out []EscalationDue
	for i := 0; i+1 < len(res); i += 2 {
		raw, ok := res[i].(string)
		if !ok {
			continue
		}
		var e EscalationDue
		if err := json.Unmarshal([]byte(raw), &e.State); err != nil {
			return nil, fmt.Errorf("store: decode escalation: %w", err)
		}
		if c, ok := res[i+1].(string); ok {
			if e.Case, err = decodeCase([]byte(c)); err != nil {
				return nil, fmt.Errorf("store: decode case %s: %w", e.State.No, err)
			}
		}
		out = append(out, e)
	}
	return out, nil
}

// Escalation returns the escalation under way for a case, or nil.
func (s *Store) Escalation(ctx context.Context, no xfbot.CaseNo) (*EscalationState, error) {
	b, err := s.rdb.Get(ctx, s.k.escalation(no)).Bytes()
	if err == redis.Nil {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("store: escalation %s: %w", no, err)
	}
	var e EscalationState
	if err := json.Unmarshal(b, &e); err != nil {
		return nil, fmt.Errorf("store: decode escalation %s: %w", no, err)
	}
	return &e, nil
}

// Snooze asks for a reminder of the case to openID again on day (明天再提醒):
// a deadline of kind snooze in the index (dl), owned by who asked, so the
// reminder scan finds it in the same range as every other deadline. A
// second snooze of the same case by the same person moves it.
func (tx *Tx) Snooze(no xfbot.CaseNo, openID string, day xfbot.Date) {
	m, err := deadlineMember(snoozeDeadline(no, openID, day))
	if err != nil {
		if tx.err == nil {
			tx.err = err
		}
		return
	}
	tx.add(tx.k.deadlineOp("zadd", m, float64(day.DayNumber())))
}

// Unsnooze drops a snooze once its reminder went out.
func (tx *Tx) Unsnooze(no xfbot.CaseNo, openID string) {
	if m, err := deadlineMember(snoozeDeadline(no, openID, xfbot.Date{})); err == nil {
		tx.add(tx.k.deadlineOp("zrem", m, 0))
	}
	tx.add(op{Op: "zrem", Key: tx.k.snoozes(), Member: string(no) + "|" + openID}) // written before dl held snoozes
}

func snoozeDeadline(no xfbot.CaseNo, openID string, day xfbot.Date) xfbot.Deadline {
	return xfbot.Deadline{Subject: xfbot.Subject{Kind: xfbot.SubjectCase, ID: string(no)}, Kind: xfbot.DeadlineSnooze, Due: day, Owner: openID}
}

// DoneDeadline takes d out of the index: the reminder scan's mark, in the
// commit that queues the reminder, that a gap (久未更新, 久未接触) was
// reminded of, so that later runs do not read it again; the write that
// resets the gap puts it back on its new day.
func (tx *Tx) DoneDeadline(d xfbot.Deadline) {
	if m, err := deadlineMember(d); err == nil {
		tx.add(tx.k.deadlineOp("zrem", m, 0))
	}
}

// SnoozeDue is a snoozed reminder whose day has come.
type SnoozeDue struct {
	No     xfbot.CaseNo
	OpenID string
	Day    xfbot.Date
}

// DueSnoozes returns the snoozes due on or before day (the snooze entries
// of the deadline index). The reminder scan reads them with the rest of
// the index; this is for 提醒 and tests.
func (s *Store) DueSnoozes(ctx context.Context, day xfbot.Date) ([]SnoozeDue, error) {
	ds, err := s.Deadlines(ctx, day, 0)
	if err != nil {
		return nil, fmt.Errorf("store: due snoozes: %w", err)
	}
	var out []SnoozeDue
	for _, d := range ds {
		if d.Kind == xfbot.DeadlineSnooze && d.Subject.Kind == xfbot.SubjectCase {
			out = append(out, SnoozeDue{No: xfbot.CaseNo(d.Subject.ID), OpenID: d.Owner, Day: d.Due})
		}
	}
	return out, nil
}

// RestartReminders forgets what was sent about a case's deadline due (its
// level reminders and its escalation, ended too): after a reopen the owner
// is reminded again and the ladder starts over.
func (tx *Tx) RestartReminders(no xfbot.CaseNo, due xfbot.Date) {
	tx.EndEscalation(no)
	d := due.String()
	fields := []string{"esc:start:" + d, "ack:" + d}
	for _, lv := range []xfbot.Level{xfbot.LevelYellow, xfbot.LevelOrange, xfbot.LevelRed, xfbot.LevelBlack} {
		fields = append(fields, "due:"+lv.String()+":"+d)
	}
	for i := 0; i < 10; i++ { // ladders are short; ten steps is beyond any configured
		fields = append(fields, fmt.Sprintf("esc:%d:%s", i, d))
	}
	for _, f := range fields {
		tx.add(op{Op: "hdel", Key: tx.k.sentOf(caseSubject(no)), Field: f})
	}
}
