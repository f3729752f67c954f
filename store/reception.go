package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/qingchuan/xfbot"
	"github.com/redis/go-redis/v9"
)

// Leader receptions (接访) and letters to leaders (来信): records, indexes,
// the draft roster and the sent-ledgers of their reminders. Numbers are
// allocated inside Commit by commit.lua's "alloc" op, like case numbers: a
// Tx may create several receptions, each alloc followed by the ops that use
// its number (NoPlaceholder), since the script applies ops in order.

// bigLimit bounds the index reads of this file; a district has some twenty
// leaders and a few dozen receptions a month.
const bigLimit = 10000

type recordRec struct {
	Batches  int      `json:"b,omitempty"`
	Persons  int      `json:"p,omitempty"`
	Answered int      `json:"a,omitempty"`
	Notes    string   `json:"n,omitempty"`
	Cases    []string `json:"c,omitempty"`
	ByID     string   `json:"by,omitempty"`
	ByName   string   `json:"bn,omitempty"`
	At       int64    `json:"at,omitempty"`
}

type receptionRec struct {
	ID         string     `json:"id"`
	LeaderID   string     `json:"l"`
	LeaderName string     `json:"ln,omitempty"`
	Date       string     `json:"d"`
	Slot       string     `json:"s"`
	Place      string     `json:"pl,omitempty"`
	Mode       string     `json:"m,omitempty"`
	Status     string     `json:"st"`
	ByID       string     `json:"by,omitempty"`
	ByName     string     `json:"bn,omitempty"`
	At         int64      `json:"at,omitempty"`
	Appts      []string   `json:"ap,omitempty"`
	Record     *recordRec `json:"r,omitempty"`
	From       string     `json:"rf,omitempty"`
	To         string     `json:"rt,omitempty"`
	Note       string     `json:"no,omitempty"`
	Version    int64      `json:"ver"` // last: commit.lua reads it at the end of the record
}

func caseNos(ns []xfbot.CaseNo) []string {
	var out []string
	for _, n := range ns {
		out = append(out, string(n))
	}
	return out
}

func toCaseNos(ss []string) []xfbot.CaseNo {
	var out []xfbot.CaseNo
	for _, s := range ss {
		out = append(out, xfbot.CaseNo(s))
	}
	return out
}

func encodeReception(r *xfbot.Reception) receptionRec {
	rec := receptionRec{ID: string(r.ID), LeaderID: r.Leader.OpenID, LeaderName: r.Leader.Name, Date: dateText(r.Date),
		Slot: string(r.Slot), Place: r.Place, Mode: string(r.Mode), Status: string(r.Status),
		ByID: r.ScheduledBy.OpenID, ByName: r.ScheduledBy.Name, At: unix(r.ScheduledAt), Appts: caseNos(r.Appointments),
		From: string(r.RescheduledFrom), To: string(r.RescheduledTo), Note: r.Note, Version: r.Version}
	if x := r.Record; x != nil {
		rec.Record = &recordRec{Batches: x.Batches, Persons: x.Persons, Answered: x.AnsweredOnSpot, Notes: x.Notes,
			Cases: caseNos(x.Cases), ByID: x.By.OpenID, ByName: x.By.Name, At: unix(x.At)}
	}
	return rec
}

func decodeReception(b []byte) (*xfbot.Reception, error) {
	var r receptionRec
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, err
	}
	out := &xfbot.Reception{ID: xfbot.ReceptionID(r.ID), Leader: xfbot.Person{OpenID: r.LeaderID, Name: r.LeaderName},
		Date: parseDate(r.Date), Slot: xfbot.Slot(r.Slot), Place: r.Place, Mode: xfbot.ReceptionMode(r.Mode),
		Status: xfbot.ReceptionStatus(r.Status), ScheduledBy: xfbot.Person{OpenID: r.ByID, Name: r.ByName},
		ScheduledAt: fromUnix(r.At), Appointments: toCaseNos(r.Appts), RescheduledFrom: xfbot.ReceptionID(r.From),
		RescheduledTo: xfbot.ReceptionID(r.To), Note: r.Note, Version: r.Version}
	if x := r.Record; x != nil {
		out.Record = &xfbot.ReceptionRecord{Batches: x.Batches, Persons: x.Persons, AnsweredOnSpot: x.Answered, Notes: x.Notes,
			Cases: toCaseNos(x.Cases), By: xfbot.Person{OpenID: x.ByID, Name: x.ByName}, At: fromUnix(x.At)}
	}
	return out, nil
}

// CreateReception schedules r. Its number (JF-YYYY-NNNN, YYYY the year of
// r.Date) is allocated inside Commit; until then r.ID is NoPlaceholder, and
// any text of the Tx queued after this call may name it so.
func (tx *Tx) CreateReception(r *xfbot.Reception) {
	r.ID = NoPlaceholder
	r.Version = 1
	y := r.Date.Year
	tx.add(op{Op: "alloc", Key: tx.k.receptionSeq(y), Fmt: fmt.Sprintf("JF-%04d-%%04d", y)})
	tx.putReception(nil, r)
}

// ExpectReceptionsOn makes Commit refuse the Tx (ECONFLICT, as for a stale
// case) unless the leader has exactly n receptions on day: the number the
// handler saw when it checked the day was free.
// ExpectSlotFree refuses the commit, with an *xfbot.Error EINVALID that
// names the other reception, when r's leader already has a planned or held
// reception on r's day in an overlapping slot (全天 overlaps both), other
// than except (the reception being moved). The check runs inside the
// commit, so two people booking one leader's morning at the same instant
// cannot both succeed, and the command reads nothing for it. who is how
// the refusal names the leader.
func (tx *Tx) ExpectSlotFree(r *xfbot.Reception, except xfbot.ReceptionID, who string) {
	tx.add(op{Op: "slotfree", Key: tx.k.idxReceptionLeader(r.Leader.OpenID), Score: float64(r.Date.DayNumber()),
		Field: string(r.Slot), Member: string(except), Val: tx.k.reception(""), Fmt: who + " 在 " + r.Date.String() + " "})
}

func (tx *Tx) ExpectReceptionsOn(leader string, day xfbot.Date, n int) {
	tx.add(op{Op: "zcount", Key: tx.k.idxReceptionLeader(leader), Score: float64(day.DayNumber()), Ver: int64(n)})
}

// UpdateReception replaces old with r, a modified copy: ECONFLICT in Commit
// if the stored reception changed since old was read.
func (tx *Tx) UpdateReception(old, r *xfbot.Reception) {
	r.Version = old.Version + 1
	tx.add(op{Op: "check", Key: tx.k.reception(old.ID), Ver: old.Version})
	tx.putReception(old, r)
}

func (tx *Tx) putReception(old, r *xfbot.Reception) {
	day := float64(r.Date.DayNumber())
	tx.add(op{Op: "set", Key: tx.k.reception(r.ID), Val: tx.json(encodeReception(r))})
	if old == nil || old.Date != r.Date {
		tx.add(op{Op: "zadd", Key: tx.k.idxReceptionDay(), Member: string(r.ID), Score: day})
		tx.add(op{Op: "zadd", Key: tx.k.idxReceptionLeader(r.Leader.OpenID), Member: string(r.ID), Score: day})
	}
	if r.Status == xfbot.ReceptionPlanned {
		tx.add(op{Op: "zadd", Key: tx.k.idxReceptionPlanned(), Member: string(r.ID), Score: day})
	} else if old != nil && old.Status == xfbot.ReceptionPlanned {
		tx.add(op{Op: "zrem", Key: tx.k.idxReceptionPlanned(), Member: string(r.ID)})
	}
	tx.moveDeadlines(receptionDeadlines(old, tx.cal), receptionDeadlines(r, tx.cal))
	tx.calendarSync(old, r)
}

// LinkReceptionCase records that case no was registered at reception id.
// no may be NoPlaceholder: the case this Tx creates.
func (tx *Tx) LinkReceptionCase(id xfbot.ReceptionID, no xfbot.CaseNo, at time.Time) {
	tx.add(op{Op: "zadd", Key: tx.k.receptionCases(id), Member: string(no), Score: float64(at.Unix())})
}

// ReceptionView is a reception with the cases registered at it.
type ReceptionView struct {
	*xfbot.Reception
	Linked []xfbot.CaseNo
}

// Reception returns a reception and its linked cases in one round trip, or
// nil when there is no such reception.
func (s *Store) Reception(ctx context.Context, id xfbot.ReceptionID) (*ReceptionView, error) {
	pipe := s.rdb.Pipeline()
	rc := s.receptionCmds(ctx, pipe, id)
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("store: reception %s: %w", id, err)
	}
	return rc.view(id)
}

// receptionCmds are a reception's reads, queued in a pipeline (Reception,
// LoadFor).
type receptionCmds struct {
	g *redis.StringCmd
	c *redis.StringSliceCmd
}

func (s *Store) receptionCmds(ctx context.Context, pipe redis.Pipeliner, id xfbot.ReceptionID) receptionCmds {
	return receptionCmds{g: pipe.Get(ctx, s.k.reception(id)), c: pipe.ZRange(ctx, s.k.receptionCases(id), 0, -1)}
}

// view decodes the reads; nil when there is no such reception.
func (rc receptionCmds) view(id xfbot.ReceptionID) (*ReceptionView, error) {
	g, c := rc.g, rc.c
	b, err := g.Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("store: reception %s: %w", id, err)
	}
	r, err := decodeReception(b)
	if err != nil {
		return nil, fmt.Errorf("store: decode reception %s: %w", id, err)
	}
	return &ReceptionView{Reception: r, Linked: toCaseNos(c.Val())}, nil
}

// ReceptionsBetween returns every reception from day from to day to
// (inclusive), by day, in one round trip.
func (s *Store) ReceptionsBetween(ctx context.Context, from, to xfbot.Date) ([]*xfbot.Reception, error) {
	return s.receptions(ctx, s.k.idxReceptionDay(), strconv.Itoa(from.DayNumber()), strconv.Itoa(to.DayNumber()))
}

// PlannedReceptions returns the planned receptions up to day to (inclusive;
// past ones too: held but not recorded yet), by day, in one round trip. Its
// cost follows the planned receptions, not the ledger.
func (s *Store) PlannedReceptions(ctx context.Context, to xfbot.Date) ([]*xfbot.Reception, error) {
	return s.receptions(ctx, s.k.idxReceptionPlanned(), "-inf", strconv.Itoa(to.DayNumber()))
}

// LeaderReceptions returns one leader's receptions between two days.
func (s *Store) LeaderReceptions(ctx context.Context, openID string, from, to xfbot.Date) ([]*xfbot.Reception, error) {
	return s.receptions(ctx, s.k.idxReceptionLeader(openID), strconv.Itoa(from.DayNumber()), strconv.Itoa(to.DayNumber()))
}

func (s *Store) receptions(ctx context.Context, key, min, max string) ([]*xfbot.Reception, error) {
	res, err := listScript.Run(ctx, s.rdb, []string{key}, min, max, 0, bigLimit, s.k.reception(""), "").Slice()
	if err != nil {
		return nil, fmt.Errorf("store: receptions: %w", err)
	}
	var out []*xfbot.Reception
	for _, v := range res[1:] {
		str, ok := v.(string)
		if !ok {
			continue
		}
		r, err := decodeReception([]byte(str))
		if err != nil {
			return nil, fmt.Errorf("store: decode reception: %w", err)
		}
		out = append(out, r)
	}
	return out, nil
}

// ReceptionMonth is what 接访 统计 needs: the month's receptions, the cases
// registered at each, and those cases (for their status).
type ReceptionMonth struct {
	Receptions []*xfbot.Reception
	Linked     map[xfbot.ReceptionID][]xfbot.CaseNo
	Cases      map[xfbot.CaseNo]*xfbot.Case
}

// ReceptionsOfMonth reads a month's receptions, their linked cases and
// those cases: three round trips whose cost follows the month's receptions.
func (s *Store) ReceptionsOfMonth(ctx context.Context, m xfbot.Month) (ReceptionMonth, error) {
	out := ReceptionMonth{Linked: map[xfbot.ReceptionID][]xfbot.CaseNo{}, Cases: map[xfbot.CaseNo]*xfbot.Case{}}
	rs, err := s.ReceptionsBetween(ctx, m.First(), m.Last())
	if err != nil || len(rs) == 0 {
		return out, err
	}
	out.Receptions = rs
	pipe := s.rdb.Pipeline()
	cmds := make([]*redis.StringSliceCmd, len(rs))
	for i, r := range rs {
		cmds[i] = pipe.ZRange(ctx, s.k.receptionCases(r.ID), 0, -1)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return out, fmt.Errorf("store: reception cases: %w", err)
	}
	var nos []xfbot.CaseNo
	for i, r := range rs {
		out.Linked[r.ID] = toCaseNos(cmds[i].Val())
		nos = append(nos, out.Linked[r.ID]...)
		if r.Record != nil {
			nos = append(nos, r.Record.Cases...)
		}
	}
	cases, err := s.Cases(ctx, nos)
	if err != nil {
		return out, err
	}
	for _, c := range cases {
		out.Cases[c.No] = c
	}
	return out, nil
}

// Roster drafts (排班 下月) wait for the lead's confirmation.

// RosterDraft is a drafted roster: the rule and the entries.
type RosterDraft struct {
	Month   string               `json:"m"`
	Rule    string               `json:"rule"`
	Place   string               `json:"pl,omitempty"`
	Mode    string               `json:"mo,omitempty"`
	Entries []RosterDraftEntry   `json:"e"`
	By      xfbot.Person         `json:"by"`
	At      int64                `json:"at"`
	Skipped []RosterDraftSkipped `json:"sk,omitempty"`
	Ver     int64                `json:"ver"` // checked by ConfirmRosterDraft: the draft confirmed is the one read
}

// RosterDraftEntry is one leader's day in a draft.
type RosterDraftEntry struct {
	LeaderID   string `json:"l"`
	LeaderName string `json:"ln,omitempty"`
	Date       string `json:"d"`
	Slot       string `json:"s"`
}

// RosterDraftSkipped is a leader left out of the draft (already scheduled).
type RosterDraftSkipped struct {
	LeaderID   string `json:"l"`
	LeaderName string `json:"ln,omitempty"`
	Why        string `json:"w"`
}

const draftTTL = 40 * 24 * time.Hour

// PutRosterDraft keeps a month's draft until it is confirmed (or 40 days).
// Its version is its time (d.At): a new draft replaces an older one.
func (tx *Tx) PutRosterDraft(d RosterDraft) {
	d.Ver = d.At
	tx.add(op{Op: "set", Key: tx.k.rosterDraft(d.Month), Val: tx.json(d)})
	tx.add(op{Op: "expire", Key: tx.k.rosterDraft(d.Month), MaxLen: int64(draftTTL / time.Second)})
}

// ConfirmRosterDraft removes the draft d as read: Commit fails with
// ECONFLICT if it was confirmed or replaced meanwhile, so that two clicks
// of 确认排班 create the month's receptions once.
func (tx *Tx) ConfirmRosterDraft(d RosterDraft) {
	tx.add(op{Op: "check", Key: tx.k.rosterDraft(d.Month), Ver: d.Ver})
	tx.add(op{Op: "del", Key: tx.k.rosterDraft(d.Month)})
}

// RosterDraftOf returns a month's draft, or nil.
func (s *Store) RosterDraftOf(ctx context.Context, month string) (*RosterDraft, error) {
	b, err := s.rdb.Get(ctx, s.k.rosterDraft(month)).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("store: roster draft %s: %w", month, err)
	}
	var d RosterDraft
	if err := json.Unmarshal(b, &d); err != nil {
		return nil, fmt.Errorf("store: decode roster draft %s: %w", month, err)
	}
	return &d, nil
}

// Letters to leaders.

type letterRec struct {
	ID          string `json:"id"`
	LeaderID    string `json:"l"`
	LeaderName  string `json:"ln,omitempty"`
	Summary     string `json:"t"`
	Received    string `json:"rc"`
	ByID        string `json:"by,omitempty"`
	ByName      string `json:"bn,omitempty"`
	At          int64  `json:"at,omitempty"`
	ReadAt      int64  `json:"ra,omitempty"`
	Instruction string `json:"in,omitempty"`
	ReadByID    string `json:"rb,omitempty"`
	ReadByName  string `json:"rbn,omitempty"`
	Unit        string `json:"u,omitempty"`
	AssignedAt  int64  `json:"aa,omitempty"`
	AsByID      string `json:"ab,omitempty"`
	AsByName    string `json:"abn,omitempty"`
	Case        string `json:"c,omitempty"`
	ReadDue     string `json:"rd,omitempty"`
	AssignDue   string `json:"ad,omitempty"`
	Version     int64  `json:"ver"` // last: commit.lua reads it at the end of the record
}

func encodeLetter(l *xfbot.LeaderLetter) letterRec {
	return letterRec{ID: string(l.ID), LeaderID: l.Leader.OpenID, LeaderName: l.Leader.Name, Summary: l.Summary,
		Received: dateText(l.ReceivedOn), ByID: l.RegisteredBy.OpenID, ByName: l.RegisteredBy.Name, At: unix(l.RegisteredAt),
		ReadAt: unix(l.ReadAt), Instruction: l.Instruction, ReadByID: l.ReadBy.OpenID, ReadByName: l.ReadBy.Name,
		Unit: l.AssignedUnit, AssignedAt: unix(l.AssignedAt), AsByID: l.AssignedBy.OpenID, AsByName: l.AssignedBy.Name,
		Case: string(l.Case), ReadDue: dateText(l.ReadDue), AssignDue: dateText(l.AssignDue), Version: l.Version}
}

func decodeLetter(b []byte) (*xfbot.LeaderLetter, error) {
	var r letterRec
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, err
	}
	return &xfbot.LeaderLetter{ID: xfbot.LetterID(r.ID), Leader: xfbot.Person{OpenID: r.LeaderID, Name: r.LeaderName},
		Summary: r.Summary, ReceivedOn: parseDate(r.Received), RegisteredBy: xfbot.Person{OpenID: r.ByID, Name: r.ByName},
		RegisteredAt: fromUnix(r.At), ReadAt: fromUnix(r.ReadAt), Instruction: r.Instruction,
		ReadBy: xfbot.Person{OpenID: r.ReadByID, Name: r.ReadByName}, AssignedUnit: r.Unit, AssignedAt: fromUnix(r.AssignedAt),
		AssignedBy: xfbot.Person{OpenID: r.AsByID, Name: r.AsByName}, Case: xfbot.CaseNo(r.Case),
		ReadDue: parseDate(r.ReadDue), AssignDue: parseDate(r.AssignDue), Version: r.Version}, nil
}

// CreateLetter registers l; its number LX-YYYY-NNNN (year given) is
// allocated inside Commit, NoPlaceholder until then.
func (tx *Tx) CreateLetter(l *xfbot.LeaderLetter, year int) {
	l.ID = NoPlaceholder
	l.Version = 1
	tx.add(op{Op: "alloc", Key: tx.k.letterSeq(year), Fmt: fmt.Sprintf("LX-%04d-%%04d", year)})
	tx.add(op{Op: "set", Key: tx.k.letter(l.ID), Val: tx.json(encodeLetter(l))})
	tx.add(op{Op: "zadd", Key: tx.k.idxLetterAll(), Member: string(l.ID), Score: float64(l.RegisteredAt.Unix())})
	tx.add(op{Op: "zadd", Key: tx.k.idxLetterOpen(), Member: string(l.ID), Score: float64(l.NextDue().DayNumber())})
	tx.moveDeadlines(nil, letterDeadlines(l))
}

// UpdateLetter replaces old with l, a modified copy (ECONFLICT if stale),
// and moves it in the open index to its next deadline.
func (tx *Tx) UpdateLetter(old, l *xfbot.LeaderLetter) {
	l.Version = old.Version + 1
	tx.add(op{Op: "check", Key: tx.k.letter(old.ID), Ver: old.Version})
	tx.add(op{Op: "set", Key: tx.k.letter(l.ID), Val: tx.json(encodeLetter(l))})
	if l.Stage() == xfbot.LetterAssigned {
		tx.add(op{Op: "zrem", Key: tx.k.idxLetterOpen(), Member: string(l.ID)})
	} else {
		tx.add(op{Op: "zadd", Key: tx.k.idxLetterOpen(), Member: string(l.ID), Score: float64(l.NextDue().DayNumber())})
	}
	tx.moveDeadlines(letterDeadlines(old), letterDeadlines(l))
}

// Letter returns a letter, or nil.
func (s *Store) Letter(ctx context.Context, id xfbot.LetterID) (*xfbot.LeaderLetter, error) {
	b, err := s.rdb.Get(ctx, s.k.letter(id)).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("store: letter %s: %w", id, err)
	}
	l, err := decodeLetter(b)
	if err != nil {
		return nil, fmt.Errorf("store: decode letter %s: %w", id, err)
	}
	return l, nil
}

// OpenLetters returns the letters not yet assigned whose next deadline is on
// or before day (zero: all of them), by deadline, in one round trip.
func (s *Store) OpenLetters(ctx context.Context, day xfbot.Date) ([]*xfbot.LeaderLetter, error) {
	max := "+inf"
	if !day.IsZero() {
		max = strconv.Itoa(day.DayNumber())
	}
	res, err := listScript.Run(ctx, s.rdb, []string{s.k.idxLetterOpen()}, "-inf", max, 0, bigLimit, s.k.letter(""), "").Slice()
	if err != nil {
		return nil, fmt.Errorf("store: open letters: %w", err)
	}
	var out []*xfbot.LeaderLetter
	for _, v := range res[1:] {
		str, ok := v.(string)
		if !ok {
			continue
		}
		l, err := decodeLetter([]byte(str))
		if err != nil {
			return nil, fmt.Errorf("store: decode letter: %w", err)
		}
		out = append(out, l)
	}
	return out, nil
}

// Sent-ledgers of receptions, letters and monthly nags: the same exactly-once
// rule as MarkSent, on a ledger named by entity rather than by case.

// MarkSentKey records in entity's sent-ledger that the reminder named field
// went out; Commit refuses the whole Tx with ErrAlreadySent if it had.
func (tx *Tx) MarkSentKey(entity, field, value string) {
	key := tx.k.sentFor(entity)
	tx.add(op{Op: "absent", Key: key, Field: field})
	tx.add(op{Op: "hset", Key: key, Field: field, Val: value})
	tx.expireOnce(key)
}

// LedgersOf returns the sent-ledgers of the given entities, in one round trip.
func (s *Store) LedgersOf(ctx context.Context, entities []string) (map[string]map[string]string, error) {
	out := make(map[string]map[string]string, len(entities))
	if len(entities) == 0 {
		return out, nil
	}
	pipe := s.rdb.Pipeline()
	cmds := make([]*redis.MapStringStringCmd, len(entities))
	for i, e := range entities {
		cmds[i] = pipe.HGetAll(ctx, s.k.sentFor(e))
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, fmt.Errorf("store: ledgers: %w", err)
	}
	for i, e := range entities {
		out[e] = cmds[i].Val()
	}
	return out, nil
}

// RecentOf returns the last n timeline entries of each case (a leader's
// briefing shows a repeat petitioner's history), in one round trip.
func (s *Store) RecentOf(ctx context.Context, nos []xfbot.CaseNo, n int) (map[xfbot.CaseNo][]xfbot.Progress, error) {
	out := make(map[xfbot.CaseNo][]xfbot.Progress, len(nos))
	if len(nos) == 0 {
		return out, nil
	}
	pipe := s.rdb.Pipeline()
	cmds := make([]*redis.StringSliceCmd, len(nos))
	recs := make([]*redis.StringCmd, len(nos)) // their creators: codec.go's byCreator
	for i, no := range nos {
		recs[i] = pipe.Get(ctx, s.k.caseKey(no))
		cmds[i] = pipe.LRange(ctx, s.k.progress(no), int64(-n), -1)
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("store: recent progress: %w", err)
	}
	for i, no := range nos {
		creator, err := creatorOf(recs[i])
		if err != nil {
			return nil, fmt.Errorf("store: recent progress %s: %w", no, err)
		}
		ps, err := decodeEach(progressLines(cmds[i].Val()), progressOf(creator))
		if err != nil {
			return nil, fmt.Errorf("store: decode progress %s: %w", no, err)
		}
		out[no] = ps
	}
	return out, nil
}
