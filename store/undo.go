package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/qingchuan/xfbot"
	"github.com/redis/go-redis/v9"
)

// UndoWindow is how long after a write its author may 撤销 it.
const UndoWindow = 10 * time.Minute

// Undo is what 撤销 needs to reverse a person's last write on a case: the
// record as it was before, the version the write made (a later write by
// anyone means others have built on it: no undo), how many timeline
// entries it appended, and the exact counters it booked, to book them back.
type Undo struct {
	No       xfbot.CaseNo    `json:"no"`
	Verb     string          `json:"verb"`
	At       time.Time       `json:"at"`
	Version  int64           `json:"v"`
	Before   json.RawMessage `json:"before,omitempty"`
	Progress int             `json:"p,omitempty"`
	Counts   []UndoCount     `json:"counts,omitempty"`
}

// UndoCount is one counter field a write changed, and by how much.
type UndoCount struct {
	Key   string `json:"k"`
	Field string `json:"f"`
	N     int64  `json:"n"`
}

type undoNote struct {
	by     string
	verb   string
	at     time.Time
	before *xfbot.Case
}

func (k keys) undo(openID string) string { return k.base + "undo:" + openID }

// RecordUndo makes this Tx, an update of before's case by openID with verb
// at at, the one openID may reverse with 撤销 for UndoWindow (replacing any
// earlier one): the note is written in the same commit, with the counters
// the Tx books.
func (tx *Tx) RecordUndo(openID, verb string, at time.Time, before *xfbot.Case) {
	if openID == "" || before == nil {
		return
	}
	tx.undo = &undoNote{by: openID, verb: verb, at: at, before: before}
}

// undoOps are the ops that write the undo note, once the Tx is complete.
func (tx *Tx) undoOps() []op {
	n := tx.undo
	if n == nil {
		return nil
	}
	c := tx.written[n.before.No]
	if c == nil || c.Version != n.before.Version+1 {
		return nil // the Tx did not update that case (once): nothing to undo
	}
	// The case before the write is the record the Tx's check of it reads:
	// commit.lua adds it to the note (op undo), so that it is neither
	// encoded again here nor sent to Redis a second time.
	u := Undo{No: n.before.No, Verb: n.verb, At: n.at, Version: c.Version}
	prog := tx.k.progress(n.before.No)
	for _, o := range tx.ops {
		if o.Op == "rpush" && o.Key == prog {
			u.Progress++
		}
	}
	for k, v := range tx.counts {
		if v != 0 {
			u.Counts = append(u.Counts, UndoCount{Key: k.key, Field: k.field, N: v})
		}
	}
	b, err := json.Marshal(u)
	if err != nil {
		return nil
	}
	return []op{{Op: "undo", Key: tx.k.undo(n.by), Field: tx.k.caseKey(n.before.No), Val: string(b), MaxLen: int64(UndoWindow / time.Second)}}
}

// LastUndo returns openID's undoable write and the case as it was before
// it, or nil when there is none within UndoWindow.
func (s *Store) LastUndo(ctx context.Context, openID string) (*Undo, *xfbot.Case, error) {
	b, err := s.rdb.Get(ctx, s.k.undo(openID)).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("store: undo: %w", err)
	}
	var u Undo
	if err := json.Unmarshal(b, &u); err != nil {
		return nil, nil, fmt.Errorf("store: undo: %w", err)
	}
	before, err := decodeCase(u.Before)
	if err != nil {
		return nil, nil, fmt.Errorf("store: undo: the case before: %w", err)
	}
	return &u, before, nil
}

// RestoreCase reverses u on cur (the stored record, still at u.Version):
// the case becomes before again (a new version, so any older copy is
// stale), its indexes, search terms and deadlines move back, the timeline
// entries the write appended are dropped, and the counters it booked are
// booked back, on the days it booked them. The undo note is consumed.
func (tx *Tx) RestoreCase(openID string, cur, before *xfbot.Case, u *Undo) {
	c := *before
	c.Version = cur.Version + 1
	tx.add(op{Op: "check", Key: tx.k.caseKey(cur.No), Ver: cur.Version})
	tx.add(op{Op: "set", Key: tx.k.caseKey(c.No), Val: tx.json(encodeCase(&c))})
	tx.moveIndexes(cur, &c)
	tx.moveTerms(cur, &c)
	tx.moveDeadlines(caseDeadlines(cur, tx.cal, tx.loc, tx.gap), caseDeadlines(&c, tx.cal, tx.loc, tx.gap))
	if u.Progress > 0 {
		tx.add(op{Op: "rpopn", Key: tx.k.progress(c.No), Ver: int64(u.Progress)})
	}
	for _, k := range u.Counts {
		if tx.counts == nil {
			tx.counts = map[countKey]int64{}
		}
		tx.counts[countKey{k.Key, k.Field}] -= k.N
	}
	tx.add(op{Op: "del", Key: tx.k.undo(openID)})
}
