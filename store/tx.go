package store

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/qingchuan/xfbot"
)

// NoPlaceholder stands for the number of the case a Tx creates, in any text the
// Tx writes (a reply naming the new number, for example). Commit replaces it.
const NoPlaceholder = "@@NO@@"

// Tx is one atomic write, built by a handler and committed by the bot together
// with the event's dedupe marker and the rendered replies. Building a Tx does
// no I/O; Commit sends it in one round trip.
type Tx struct {
	// DedupeID is the id of the event being handled ("" for none: jobs that
	// carry their own ledger, the console's local commands).
	DedupeID string

	k   keys
	loc *time.Location  // the zone statistics count days in
	cal *xfbot.Calendar // the deadlines' working days (nil: weekends only)
	gap xfbot.Gaps      // the gap deadlines' days
	// calEvents: reception writes queue their calendar events (calendar.go).
	calEvents bool
	ops       []op
	err       error
	expiring  map[string]bool // sent-ledgers whose TTL this Tx renews
	counts    map[countKey]int64
	units     map[string]bool

	ix      *xfbot.Indexer               // the search index's terms
	texts   []progText                   // progress entries whose words Commit indexes
	written map[xfbot.CaseNo]*xfbot.Case // the cases this Tx writes, for scrubbing their texts
	undo    *undoNote                    // RecordUndo: what 撤销 would need to reverse this write
}

// countKey is one counter field of one day's or month's hash.
type countKey struct{ key, field string }

type op struct {
	Op     string  `json:"op"`
	Key    string  `json:"key"`
	Ver    int64   `json:"ver,omitempty"`
	Fmt    string  `json:"fmt,omitempty"`
	Val    string  `json:"val,omitempty"`
	Field  string  `json:"field,omitempty"`
	Member string  `json:"member,omitempty"`
	Score  float64 `json:"score,omitempty"`
	MaxLen int64   `json:"maxlen,omitempty"`
	Arg    int     `json:"arg,omitempty"` // Val travels as ARGV[3+Arg] instead
	C      int     `json:"c,omitempty"`   // xaddm: the content is ARGV[3+C]
	T      int     `json:"t,omitempty"`   // xaddm: the text is ARGV[3+T]
	// saddm: Member is added to the sets Key+Keys[i] (Key their common
	// prefix): a progress entry's dozen search terms in one op.
	Keys []string `json:"keys,omitempty"`
	// DL: Key is the deadline index's prefix, and the set is the one the
	// member (its placeholders replaced) hashes to (keys.deadlineOp).
	DL bool `json:"dl,omitempty"`

	content, text string // xaddm's, moved into arguments by encode
	// A timeline line's case and encoder: encode writes it again with the
	// case's creator when the Tx writes the case (codec.go's byCreator).
	no   xfbot.CaseNo
	line func(creator xfbot.Person) (string, error)
}

// NewTx starts an empty transaction for this store.
func (s *Store) NewTx() *Tx {
	return &Tx{k: s.k, loc: s.loc, cal: s.cal, gap: s.gap, calEvents: s.calEvents, ix: s.ix}
}

// Empty reports whether tx writes anything.
func (tx *Tx) Empty() bool { return len(tx.ops) == 0 && len(tx.counts) == 0 && len(tx.texts) == 0 }

// count books the statistics of a case write (xfbot.CaseCounts) in the
// day's and the month's counters (or the one of them c.In names), for the
// district, the unit and the owner. Changes that cancel out within the Tx
// (a unit moved and moved back) write nothing.
func (tx *Tx) count(cs []xfbot.Count) {
	for _, c := range cs {
		if tx.counts == nil {
			tx.counts = map[countKey]int64{}
		}
		keys := make([]string, 0, 2)
		if c.In != xfbot.InMonth {
			keys = append(keys, tx.k.statDay(c.Day))
		}
		if c.In != xfbot.InDays {
			keys = append(keys, tx.k.statMonth(xfbot.MonthOf(c.Day)))
		}
		for _, key := range keys {
			tx.counts[countKey{key, xfbot.CountField(c.Counter, c.Unit, false)}] += c.N
			tx.counts[countKey{key, xfbot.CountField(c.Counter, c.Unit, true)}] += c.N
			if c.Owner != "" {
				tx.counts[countKey{key, xfbot.OwnerField(c.Counter, c.Owner)}] += c.N
			}
		}
		if c.Unit != "" {
			if tx.units == nil {
				tx.units = map[string]bool{}
			}
			tx.units[c.Unit] = true
		}
	}
}

func (tx *Tx) add(o op) { tx.ops = append(tx.ops, o) }

// fail keeps the first error of building tx; Commit returns it.
func (tx *Tx) fail(err error) {
	if err != nil && tx.err == nil {
		tx.err = err
	}
}

func (tx *Tx) json(v any) string {
	b, err := json.Marshal(v)
	if err != nil && tx.err == nil {
		tx.err = err
	}
	return string(b)
}

// bigVal is the size from which a value travels as an argument of its own:
// a card inside the ops' JSON would be escaped once more in Go and parsed
// once more by the script.
const bigVal = 256

// encode returns the ops as JSON and the large values as extra arguments.
func (tx *Tx) encode() (string, []any, []op, error) {
	if tx.err != nil {
		return "", nil, nil, tx.err
	}
	if tx.Empty() {
		return "[]", nil, nil, nil // a dedupe marker alone; nil would encode as null
	}
	var extra []any
	ops := append([]op(nil), tx.ops...) // leave the Tx as built
	ops = append(ops, tx.textOps()...)
	for k, n := range tx.counts {
		if n != 0 {
			ops = append(ops, op{Op: "hincr", Key: k.key, Field: k.field, Score: float64(n)})
		}
	}
	for u := range tx.units {
		ops = append(ops, op{Op: "sadd", Key: tx.k.units(), Member: u})
	}
	ops = append(ops, tx.undoOps()...)
	for i := range ops {
		if c := tx.written[ops[i].no]; ops[i].line != nil && c != nil {
			line, err := ops[i].line(c.CreatedBy)
			if err != nil {
				return "", nil, nil, err
			}
			ops[i].Val = line
		}
		if len(ops[i].Val) >= bigVal {
			extra = append(extra, ops[i].Val)
			ops[i].Val, ops[i].Arg = "", len(extra)
		}
		if ops[i].Op == "xaddm" {
			extra = append(extra, ops[i].content, ops[i].text)
			ops[i].C, ops[i].T = len(extra)-1, len(extra)
		}
	}
	b, err := json.Marshal(ops)
	return string(b), extra, ops, err
}

// CreateCase registers c as a new case. Its number is allocated inside Commit
// (gap-free within c.CreatedAt's year as given by year); until then c.No and
// every text of this Tx may use NoPlaceholder.
func (tx *Tx) CreateCase(c *xfbot.Case, year int) {
	c.No = NoPlaceholder
	c.Version = 1
	tx.count(xfbot.CaseCounts(nil, c, tx.loc)) // first: it stamps c.Counted
	tx.ops = append([]op{{Op: "alloc", Key: tx.k.seq(year), Fmt: fmt.Sprintf("XF-%04d-%%04d", year), Ver: int64(year)}}, tx.ops...)
	tx.add(op{Op: "set", Key: tx.k.caseKey(c.No), Val: tx.json(encodeCase(c))})
	tx.add(op{Op: "zadd", Key: tx.k.idxAll(), Member: string(c.No), Score: float64(c.CreatedAt.Unix())})
	tx.moveIndexes(nil, c)
	tx.moveTerms(nil, c)
	tx.moveDeadlines(nil, caseDeadlines(c, tx.cal, tx.loc, tx.gap)) // members name @@NO@@: commit.lua substitutes it
}

// UpdateCase replaces old with c, which must be a modified copy of old: it
// fails with ECONFLICT in Commit if the stored case is no longer old's
// version, bumps c.Version and moves c between the indexes as needed.
func (tx *Tx) UpdateCase(old, c *xfbot.Case) {
	c.Version = old.Version + 1
	tx.count(xfbot.CaseCounts(old, c, tx.loc)) // first: it stamps c.Counted
	tx.add(op{Op: "check", Key: tx.k.caseKey(old.No), Ver: old.Version})
	tx.add(op{Op: "set", Key: tx.k.caseKey(c.No), Val: tx.json(encodeCase(c))})
	tx.moveIndexes(old, c)
	tx.moveTerms(old, c)
	tx.moveDeadlines(caseDeadlines(old, tx.cal, tx.loc, tx.gap), caseDeadlines(c, tx.cal, tx.loc, tx.gap))
}

// AddProgress appends p to the case's timeline.
func (tx *Tx) AddProgress(no xfbot.CaseNo, p xfbot.Progress) {
	enc := func(creator xfbot.Person) (string, error) { return encodeProgress(p, creator) }
	line, err := enc(xfbot.Person{})
	tx.fail(err)
	tx.add(op{Op: "rpush", Key: tx.k.progress(no), Val: line, no: no, line: enc})
	tx.texts = append(tx.texts, progText{no, p.Text}) // its words: search.go
}

// AddChanges appends audited changes to the case's history.
func (tx *Tx) AddChanges(no xfbot.CaseNo, changes ...xfbot.Change) {
	for _, c := range changes {
		enc := func(creator xfbot.Person) (string, error) {
			line, err := encodeChange(c, creator)
			return changeMark + line, err
		}
		line, err := enc(xfbot.Person{})
		tx.fail(err)
		tx.add(op{Op: "lpush", Key: tx.k.progress(no), Val: line, no: no, line: enc})
	}
}

// AuditEntry is one line of the global audit log: changes that are not about a
// single case (members) and sensitive reads.
type AuditEntry struct {
	At     time.Time    `json:"at"`
	By     xfbot.Person `json:"by"`
	Action string       `json:"act"`
	Entity string       `json:"ent"`
	Before string       `json:"b,omitempty"`
	After  string       `json:"a,omitempty"`
	Via    string       `json:"via,omitempty"` // chat, card, cron, console
}

// Audit appends e to the global audit stream.
func (tx *Tx) Audit(e AuditEntry) {
	tx.add(op{Op: "xadd", Key: tx.k.audit(), Val: tx.json(e), MaxLen: auditMaxLen})
}

// PutMember adds or replaces a member, with its roster deadlines (a write
// that changes them uses UpdateMember, which also takes out the old ones).
func (tx *Tx) PutMember(m xfbot.Member) { tx.UpdateMember(nil, m) }

// RemoveMember removes a member.
func (tx *Tx) RemoveMember(openID string) {
	tx.add(op{Op: "hdel", Key: tx.k.members(), Field: openID})
}

// Enqueue queues an outbound message; the sender delivers it after Commit.
// Its content and text travel as stream fields of their own (c, t) next to
// the JSON of the rest (m): a card is not escaped into JSON and back again
// on its way to Feishu.
func (tx *Tx) Enqueue(m OutboundMessage) {
	content, text := m.Content, m.Text
	m.Content, m.Text = "", ""
	tx.add(op{Op: "xaddm", Key: tx.k.outbox(), Val: tx.json(m), content: content, text: text})
}

// unchasedScore is the due-day score of an open case no deadline chases:
// the day number of 9999-12-31, after any real date.
var unchasedScore = float64(xfbot.NewDate(9999, 12, 31).DayNumber())

// moveIndexes adds the ops that move a case from old's indexes (nil: a new
// case, numbered by Commit) to c's: the sorted sets (indexes) and the sets
// (sets).
func (tx *Tx) moveIndexes(old, c *xfbot.Case) {
	var before map[string]float64
	var was map[string]bool
	if old != nil {
		before, was = tx.k.indexes(old), tx.k.sets(old)
	}
	after, now := tx.k.indexes(c), tx.k.sets(c)
	for key := range before {
		if _, ok := after[key]; !ok {
			tx.add(bucketOp("zrem", key, tx.k.memberOf(key, c.No), 0))
		}
	}
	for key, score := range after {
		if s, ok := before[key]; !ok || s != score {
			tx.add(bucketOp("zadd", key, tx.k.memberOf(key, c.No), score))
		}
	}
	for key := range was {
		if !now[key] {
			tx.add(op{Op: "srem", Key: key, Member: tx.k.memberOf(key, c.No)})
		}
	}
	for key := range now {
		if !was[key] {
			tx.add(op{Op: "sadd", Key: key, Member: tx.k.memberOf(key, c.No)})
		}
	}
}

// sets returns the sets of case numbers (keys.setArea) c belongs to: an
// open case's status, 属地, 包案人 and 包案领导.
func (k keys) sets(c *xfbot.Case) map[string]bool {
	m := map[string]bool{}
	if !c.Status.Open() {
		return m
	}
	m[k.setStatus(c.Status)] = true
	if c.Area != "" {
		m[k.setArea(c.Area)] = true
	}
	if c.Owner.OpenID != "" {
		m[k.setOwner(c.Owner.OpenID)] = true
	}
	if c.Leader.OpenID != "" {
		m[k.setLeader(c.Leader.OpenID)] = true
	}
	return m
}

// indexes returns the sorted sets c belongs to and its score in each.
func (k keys) indexes(c *xfbot.Case) map[string]float64 {
	due := float64(c.Due.DayNumber())
	if c.Status.Open() && !c.Chased() {
		// Open on the resolution track but chased by no deadline (answered
		// and in the petitioner's window, or its procedure ended): listed
		// after every dated case, never overdue nor due soon.
		due = unchasedScore
	}
	m := map[string]float64{}
	if !c.Status.Open() { // an open one's is a set: keys.sets
		m[k.idxStatus(c.Status)] = due
	}
	// The leader digest's "what changed": a leader's cases of any status,
	// by time of the last write.
	if c.Leader.OpenID != "" {
		at := c.UpdatedAt
		if at.IsZero() {
			at = c.CreatedAt
		}
		m[k.idxWatch(c.Leader.OpenID)] = float64(at.Unix())
	}
	// "Resolved this week": by resolution day, whatever happened since.
	if !c.ResolvedOn.IsZero() {
		m[k.idxResolved()] = float64(c.ResolvedOn.DayNumber())
	}
	if !c.Status.Open() {
		return m
	}
	// The hardest cases (积案、骨头案、钉子案、三老), by last activity: the
	// weekly digest names those without progress.
	if c.HasTag(xfbot.TagBacklog) || c.HasTag(xfbot.TagBone) || c.HasTag(xfbot.TagNail) || c.HasTag(xfbot.TagThreeOld) {
		at := c.LastActivity()
		if at.IsZero() {
			at = c.CreatedAt
		}
		m[k.idxHard()] = float64(at.Unix())
	}
	m[k.idxOpen()] = due
	if c.ExtensionRequest != nil {
		m[k.idxExtRequest()] = due
	}
	if c.Unit != "" {
		m[k.idxUnit(c.Unit)] = due
	}
	// By last activity, for the members' 进展更新及时率 (MemberData). The
	// gap reminders (久未更新, 久未接触) are deadlines (deadlines.go).
	if at := c.LastActivity(); !at.IsZero() {
		m[k.activityKey(c.No)] = float64(at.Unix())
	}
	return m
}
