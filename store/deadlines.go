package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/qingchuan/xfbot"
	"github.com/redis/go-redis/v9"
)

// The deadline index (keys dl:0 … dl:63, keys.deadlineKey): every open
// deadline of every entity, one member each, in the set its hash names,
// scored by its due day number, so that "what is due by day d" is one
// ZRANGEBYSCORE of each set, sent in one pipeline, whose cost follows the
// matches. A write that changes an entity moves its deadlines in the same
// commit: the deadlines of the record before and after are computed here,
// with the store's calendar, on the record's own day of writing (the same
// record always gives the same deadlines), and the difference becomes
// zrem/zadd ops, each on its member's set.
//
// A member is kind|subject|flags|owner, for example
//
//	h|case:XF-2026-0012||~fauKPTzcydo2V3fHrVNdYg
//	rd|case:XF-2026-0012|p|~fauKPTzcydo2V3fHrVNdYg   (review_decide, paused)
//	lr|letter:LX-2026-0003||~PBTzpZ6vKCXb4lNZ8V0-RQ  (letter_read)
//
// The kind is its code (deadlineCodes), the owner's open_id packed
// (packID). Split 64 ways the sets are listpacks, where a member costs
// about its length: a case's two members (its stage's, its gap's) take
// 110 bytes of Redis memory, against 290 in one skiplist and 346 with
// both written out (TestCaseMemory, Redis 7.0, 10,000 cases). The one
// sorted set of earlier releases, dl, whose members may be written out
// (the kind's name, the open_id as it is), is moved into the 64 and packed
// once at start (BackfillIndexSets, splitDeadlines). kind and
// subject (xfbot.Subject, "kind:id") never hold "|" (the encoder refuses
// them), flags is "p" when the clock is paused (other letters are
// ignored, for later flags), and the owner comes last, so it may hold
// anything. The member says what the scan needs without another read; the
// due day is the score.

// deadlineCodes are the deadline kinds as they are written in a member;
// a kind without a code is written by name (no name is as short as a
// code: TestDeadlineCodes).
var deadlineCodes = map[xfbot.DeadlineKind]string{
	xfbot.DeadlineAccept: "a", xfbot.DeadlineHandle: "h", xfbot.DeadlineReviewDecide: "rd", xfbot.DeadlineRecheckDecide: "cd",
	xfbot.DeadlineReviewApply: "ra", xfbot.DeadlineSimpleHandle: "sh", xfbot.DeadlineAssignFeedback: "af",
	xfbot.DeadlinePlanTarget: "pt", xfbot.DeadlineLetterRead: "lr", xfbot.DeadlineLetterAssign: "la",
	xfbot.DeadlineRectify: "rf", xfbot.DeadlineReceptionRecord: "rr", xfbot.DeadlineMeasure: "m",
	xfbot.DeadlineConsult: "c", xfbot.DeadlineLeaveEnd: "le", xfbot.DeadlineTermEnd: "te",
	xfbot.DeadlineProgressGap: "g", xfbot.DeadlineContactGap: "cg", xfbot.DeadlineSnooze: "z",
}

var deadlineKinds = func() map[string]xfbot.DeadlineKind {
	m := make(map[string]xfbot.DeadlineKind, len(deadlineCodes))
	for k, c := range deadlineCodes {
		m[c] = k
	}
	return m
}()

// deadlineMember encodes d as its member of the index.
func deadlineMember(d xfbot.Deadline) (string, error) {
	subj := d.Subject.String()
	if strings.Contains(string(d.Kind), "|") || strings.Contains(subj, "|") || d.Kind == "" || d.Subject.ID == "" {
		return "", fmt.Errorf("store: deadline %q of %q cannot be indexed", d.Kind, subj)
	}
	flags := ""
	if d.Paused {
		flags = "p"
	}
	kind, ok := deadlineCodes[d.Kind]
	if !ok {
		kind = string(d.Kind)
	}
	return kind + "|" + subj + "|" + flags + "|" + packID(d.Owner), nil
}

// parseDeadline decodes a member of the index and its score.
func parseDeadline(member string, score float64) (xfbot.Deadline, error) {
	f := strings.SplitN(member, "|", 4)
	if len(f) != 4 {
		return xfbot.Deadline{}, fmt.Errorf("store: deadline member %q", member)
	}
	sk, id, ok := strings.Cut(f[1], ":")
	if !ok {
		return xfbot.Deadline{}, fmt.Errorf("store: deadline member %q: subject", member)
	}
	kind, ok := deadlineKinds[f[0]]
	if !ok {
		kind = xfbot.DeadlineKind(f[0]) // by name: an unknown kind, or written before
	}
	return xfbot.Deadline{Subject: xfbot.Subject{Kind: xfbot.SubjectKind(sk), ID: id}, Kind: kind,
		Due: xfbot.DateFromDayNumber(int(score)), Owner: unpackID(f[3]), Paused: strings.Contains(f[2], "p")}, nil
}

// splitScript moves members of a sorted set that held a whole index
// before it was split, KEYS[1], into their sets: ARGV holds triples of a
// member as written there, the set it belongs in and the member as written
// now (a deadline's packed: deadlineMember); each still there is moved,
// with its score. Returns how many were.
var splitScript = redis.NewScript(`
local n = 0
for i = 1, #ARGV, 3 do
  local s = redis.call("ZSCORE", KEYS[1], ARGV[i])
  if s then
    redis.call("ZREM", KEYS[1], ARGV[i])
    redis.call("ZADD", ARGV[i + 1], s, ARGV[i + 2])
    n = n + 1
  end
end
return n`)

// splitDeadlines moves every member of the index as earlier releases kept
// it, one sorted set (dl), into the set of dl:0 … dl:63 it belongs in,
// packing those written before members were packed, and returns how many
// it moved. A member that is not a deadline is moved as it is.
func (s *Store) splitDeadlines(ctx context.Context) (int, error) {
	return s.splitIndex(ctx, s.k.oldDeadlines(), func(m string) (string, string) {
		if d, err := parseDeadline(m, 0); err == nil {
			if packed, err := deadlineMember(d); err == nil {
				m = packed
			}
		}
		return s.k.deadlineKey(m), m
	})
}

// splitIndex moves every member of the sorted set old into the set and as
// the member dest names (splitScript), in batches of one ZSCAN step, and
// returns how many it moved. When old is empty Redis has deleted it, and
// the next start finds nothing to do.
func (s *Store) splitIndex(ctx context.Context, old string, dest func(string) (key, member string)) (int, error) {
	total := 0
	var cursor uint64
	for {
		zs, next, err := s.rdb.ZScan(ctx, old, cursor, "*", 1000).Result()
		if err != nil {
			return total, fmt.Errorf("store: split %s: %w", old, err)
		}
		var args []any
		for i := 0; i+1 < len(zs); i += 2 {
			key, m := dest(zs[i])
			args = append(args, zs[i], key, m)
		}
		if len(args) > 0 {
			n, err := splitScript.Run(ctx, s.rdb, []string{old}, args...).Int()
			if err != nil {
				return total, fmt.Errorf("store: split %s: %w", old, err)
			}
			total += n
		}
		if cursor = next; cursor == 0 {
			return total, nil
		}
	}
}

// caseDeadlines are c's open deadlines as its record states them: its
// stage's, counted with cal on the day (in loc) of the record's last
// write, and its gaps (久未更新, 久未接触) with g. nil c has none.
func caseDeadlines(c *xfbot.Case, cal *xfbot.Calendar, loc *time.Location, g xfbot.Gaps) []xfbot.Deadline {
	if c == nil {
		return nil
	}
	at := c.UpdatedAt
	if at.IsZero() {
		at = c.CreatedAt
	}
	return dated(append(c.Deadlines(cal, xfbot.DateOf(at, loc)), c.GapDeadlines(g, loc)...))
}

func receptionDeadlines(r *xfbot.Reception, cal *xfbot.Calendar) []xfbot.Deadline {
	if r == nil {
		return nil
	}
	return dated(r.Deadlines(cal))
}

func letterDeadlines(l *xfbot.LeaderLetter) []xfbot.Deadline {
	if l == nil {
		return nil
	}
	return dated(l.Deadlines())
}

// dated drops deadlines without a day (a record missing the date its
// period runs from): there is nothing to score them by.
func dated(ds []xfbot.Deadline) []xfbot.Deadline {
	out := ds[:0:0]
	for _, d := range ds {
		if !d.Due.IsZero() {
			out = append(out, d)
		}
	}
	return out
}

// moveDeadlines adds to tx what turns the index entries of before into
// those of after: zrem for a member that is gone (another kind, owner or
// pause flag), zadd for every member after, even unchanged ones, so that an
// entry scored by an older calendar or on a record written before the
// index is put right by the next write. A gap (久未更新, 久未接触) is the
// exception: it is added only when new or moved, because the reminder
// scan takes it out of the index once it has reminded of it
// (Tx.DoneDeadline), and a write that does not reset the gap (a new tag,
// an edit) must not put the same episode back.
func (tx *Tx) moveDeadlines(before, after []xfbot.Deadline) {
	keep := make(map[string]bool, len(after))
	was := make(map[string]xfbot.Date, len(before))
	for _, d := range before {
		if m, err := deadlineMember(d); err == nil {
			was[m] = d.Due
		}
	}
	adds := make([]op, 0, len(after))
	for _, d := range after {
		m, err := deadlineMember(d)
		if err != nil {
			if tx.err == nil {
				tx.err = err
			}
			return
		}
		keep[m] = true
		if due, ok := was[m]; ok && d.Reminded() && due == d.Due {
			continue
		}
		adds = append(adds, tx.k.deadlineOp("zadd", m, float64(d.Due.DayNumber())))
	}
	for _, d := range before {
		if m, err := deadlineMember(d); err == nil && !keep[m] {
			tx.add(tx.k.deadlineOp("zrem", m, 0))
		}
	}
	tx.ops = append(tx.ops, adds...)
}

// Deadlines returns the open deadlines due on or before day to (past ones
// included: they are overdue), by due day, at most limit of them (limit <=
// 0: all), in one round trip.
func (s *Store) Deadlines(ctx context.Context, to xfbot.Date, limit int) ([]xfbot.Deadline, error) {
	return s.DeadlinesPage(ctx, to, 0, limit)
}

// DeadlinesPage is Deadlines from the offset-th entry on: one page of a
// scan of the range, in one round trip. The index's 64 sets are read in
// one pipeline, each up to offset+limit members, and merged by due day,
// then member, as one sorted set would order them. (The reminder scan
// reads all that is due, in pages of 5,000: at a district's size it is
// one page; BenchmarkDistrictScan 54–55 → 53–66 ms, within the noise.)
func (s *Store) DeadlinesPage(ctx context.Context, to xfbot.Date, offset, limit int) ([]xfbot.Deadline, error) {
	want := 0
	if limit > 0 {
		want = offset + limit
	}
	zs, err := s.rangeOfSplit(ctx, s.k.deadlineKeys(), "-inf", strconv.Itoa(to.DayNumber()), want)
	if err != nil {
		return nil, fmt.Errorf("store: deadlines to %s: %w", to, err)
	}
	if offset >= len(zs) {
		return nil, nil
	}
	zs = zs[offset:]
	if limit > 0 && len(zs) > limit {
		zs = zs[:limit]
	}
	out := make([]xfbot.Deadline, 0, len(zs))
	for _, z := range zs {
		m, _ := z.Member.(string)
		d, err := parseDeadline(m, z.Score)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

// CountDeadlines returns how many open deadlines are due on or before day
// to, in one round trip.
func (s *Store) CountDeadlines(ctx context.Context, to xfbot.Date) (int, error) {
	pipe := s.rdb.Pipeline()
	cmds := make([]*redis.IntCmd, dlBuckets)
	for i, key := range s.k.deadlineKeys() {
		cmds[i] = pipe.ZCount(ctx, key, "-inf", strconv.Itoa(to.DayNumber()))
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return 0, fmt.Errorf("store: count deadlines to %s: %w", to, err)
	}
	n := 0
	for _, c := range cmds {
		n += int(c.Val())
	}
	return n, nil
}

// backfillBatch is how many records one round trip of the backfill reads.
const backfillBatch = 500

// backfillReadScript reads one step of a ZSCAN over an index and the record
// of each member. KEYS[1] the index; ARGV[1] the cursor, ARGV[2] the COUNT
// hint, ARGV[3] the record key prefix. Returns {next cursor, then per
// member: member, record or false}. ZSCAN returns every member present for
// the whole scan at least once, however the set is reordered meanwhile (a
// rescheduled reception); one seen twice is added twice, which is harmless.
var backfillReadScript = redis.NewScript(`
local r = redis.call("ZSCAN", KEYS[1], ARGV[1], "COUNT", ARGV[2])
local out = {r[1]}
local page = r[2]
for i = 1, #page, 2 do
  out[#out + 1] = page[i]
  out[#out + 1] = redis.call("GET", ARGV[3] .. page[i]) or false
end
return out`)

// snoozeMoveScript adds snooze deadlines (ARGV: triples of the index's
// set, score and member) to the index and deletes the old key of snoozes,
// snooze (KEYS[1]).
var snoozeMoveScript = redis.NewScript(`
for i = 1, #ARGV, 3 do
  redis.call("ZADD", ARGV[i], ARGV[i + 1], ARGV[i + 2])
end
redis.call("DEL", KEYS[1])
return #ARGV / 3`)

// moveSnoozes moves the snoozes of the key written before dl held them
// (snooze, member no|open_id, score the day) into dl as snooze deadlines,
// and returns how many it moved.
func (s *Store) moveSnoozes(ctx context.Context) (int, error) {
	zs, err := s.rdb.ZRangeWithScores(ctx, s.k.snoozes(), 0, -1).Result()
	if err != nil || len(zs) == 0 {
		return 0, err
	}
	var args []any
	for _, z := range zs {
		no, id, ok := strings.Cut(z.Member.(string), "|")
		if !ok {
			continue
		}
		m, err := deadlineMember(snoozeDeadline(xfbot.CaseNo(no), id, xfbot.Date{}))
		if err != nil {
			continue
		}
		args = append(args, s.k.deadlineKey(m), z.Score, m)
	}
	return snoozeMoveScript.Run(ctx, s.rdb, []string{s.k.snoozes()}, args...).Int()
}

// backfillWriteScript adds the deadlines of records read earlier, each only
// if its record still has the version read: a record written since has
// had its deadlines moved by that write, and the ones read would be stale.
// KEYS[1] a key of the district, which routes the script; ARGV: per
// record, its key, its version, the number k of its deadlines, then k
// triples of the index's set, score and member. Returns how many members
// were added or rescored.
var backfillWriteScript = redis.NewScript(`
local i, n = 1, 0
while i <= #ARGV do
  local key, ver, k = ARGV[i], tonumber(ARGV[i + 1]), tonumber(ARGV[i + 2])
  i = i + 3
  local cur = redis.call("GET", key)
  if cur then
    local v = string.match(cur, '"ver":(%d+)}$')
    if v then v = tonumber(v) else v = cjson.decode(cur).ver or 0 end
    if v == ver then
      for j = 0, k - 1 do
        n = n + redis.call("ZADD", ARGV[i + 3 * j], "CH", ARGV[i + 3 * j + 1], ARGV[i + 3 * j + 2])
      end
    end
  end
  i = i + 3 * k
end
return n`)

// BackfillDeadlines adds to the index the deadlines of every case (idx:all),
// letter (idx:lx:all) and reception (idx:jf:day) written before the index
// existed, and returns how many index entries it added or rescored. It
// reads in batches of backfillBatch records, two round trips each (the
// records, then their deadlines, each added only if its record is unchanged
// since it was read), like EachCase rather than one script, so that Redis
// serves commands between the batches.
//
// It is idempotent: adding a member twice changes nothing, and a marker
// (dl:backfilled:<version>:<gaps>), set when a pass completes, makes every
// later start skip it (n = 0). Version 2 added the gaps (久未更新, 久未接触)
// and moved the snoozes written before the index held them (key snooze)
// into it; a deployment that ran version 1 runs it once more, and once
// more whenever a gap is changed in the configuration. A gap already
// reminded of under the old scan comes back into the index here; the
// first scan finds its sent-ledger field and takes it out again. Replicas that start together both run it, harmlessly. It
// writes nothing to the sent-ledgers: their keys (sent:<number>) and field
// names stay as they are, so a reminder that went out before is not sent
// again. A record written by a replica that does not maintain the index
// yet (a rolling upgrade) gets its deadlines at its next write.
func (s *Store) BackfillDeadlines(ctx context.Context) (int, error) {
	marker := s.k.dlBackfilled(fmt.Sprintf(":2:%d.%d.%d", s.gap.Stale, s.gap.ContactBacklog, s.gap.ContactKey))
	done, err := s.rdb.Exists(ctx, marker).Result()
	if err != nil {
		return 0, fmt.Errorf("store: backfill deadlines: %w", err)
	}
	if done == 1 {
		return 0, nil
	}
	total, err := s.moveSnoozes(ctx)
	if err != nil {
		return 0, fmt.Errorf("store: backfill deadlines: snoozes: %w", err)
	}
	passes := []struct {
		index, prefix string
		deadlines     func(b []byte) ([]xfbot.Deadline, int64, error)
	}{
		{s.k.idxAll(), s.k.caseKey(""), func(b []byte) ([]xfbot.Deadline, int64, error) {
			c, err := decodeCase(b)
			if err != nil {
				return nil, 0, err
			}
			return caseDeadlines(c, s.cal, s.loc, s.gap), c.Version, nil
		}},
		{s.k.idxLetterAll(), s.k.letter(""), func(b []byte) ([]xfbot.Deadline, int64, error) {
			l, err := decodeLetter(b)
			if err != nil {
				return nil, 0, err
			}
			return letterDeadlines(l), l.Version, nil
		}},
		{s.k.idxReceptionDay(), s.k.reception(""), func(b []byte) ([]xfbot.Deadline, int64, error) {
			r, err := decodeReception(b)
			if err != nil {
				return nil, 0, err
			}
			return receptionDeadlines(r, s.cal), r.Version, nil
		}},
	}
	for _, p := range passes {
		cursor := "0"
		for {
			res, err := backfillReadScript.Run(ctx, s.rdb, []string{p.index}, cursor, backfillBatch, p.prefix).Slice()
			if err != nil {
				return total, fmt.Errorf("store: backfill deadlines: read %s: %w", p.index, err)
			}
			if len(res) == 0 || len(res)%2 != 1 {
				return total, fmt.Errorf("store: backfill deadlines: read %s: unexpected reply of %d values", p.index, len(res))
			}
			cursor, _ = res[0].(string)
			var args []any
			for i := 1; i < len(res); i += 2 {
				id, _ := res[i].(string)
				raw, ok := res[i+1].(string)
				if !ok {
					continue // indexed but gone
				}
				ds, ver, err := p.deadlines([]byte(raw))
				if err != nil {
					return total, fmt.Errorf("store: backfill deadlines: decode %s: %w", id, err)
				}
				if len(ds) == 0 {
					continue
				}
				args = append(args, p.prefix+id, ver, len(ds))
				for _, d := range ds {
					m, err := deadlineMember(d)
					if err != nil {
						return total, err
					}
					args = append(args, s.k.deadlineKey(m), d.Due.DayNumber(), m)
				}
			}
			if len(args) > 0 {
				n, err := backfillWriteScript.Run(ctx, s.rdb, []string{s.k.deadlineKey("")}, args...).Int()
				if err != nil {
					return total, fmt.Errorf("store: backfill deadlines: write: %w", err)
				}
				total += n
			}
			if cursor == "0" || cursor == "" {
				break
			}
		}
	}
	if err := s.rdb.Set(ctx, marker, strconv.Itoa(total), 0).Err(); err != nil {
		return total, fmt.Errorf("store: backfill deadlines: mark done: %w", err)
	}
	return total, nil
}

// The sent-ledger of any deadline's subject (case, letter, reception): one
// API, with today's keys and fields; MarkSent/Note/Ledgers are its case
// shorthands, and MarkSentKey/LedgersOf remain for ledgers that belong to
// no entity (the monthly nag, digests, export confirmations).

// MarkSentFor records in the subject's sent-ledger that the reminder named
// field went out; Commit refuses the whole Tx with ErrAlreadySent if it
// had, as MarkSent does.
func (tx *Tx) MarkSentFor(s xfbot.Subject, field, value string) {
	key := tx.k.sentOf(s)
	tx.add(op{Op: "absent", Key: key, Field: field})
	tx.add(op{Op: "hset", Key: key, Field: field, Val: value})
	tx.expireOnce(key)
}

// NoteFor records a field of the subject's sent-ledger that may already
// exist (an acknowledgement, a recipient), as Note does for a case.
func (tx *Tx) NoteFor(s xfbot.Subject, field, value string) {
	key := tx.k.sentOf(s)
	tx.add(op{Op: "hset", Key: key, Field: field, Val: value})
	tx.expireOnce(key)
}

// SentLedgers returns the sent-ledgers of the given subjects (those with
// none are left out), in one round trip: the scan of the deadline index
// reads the ledgers of everything due in one call, whatever its kind.
func (s *Store) SentLedgers(ctx context.Context, subjects []xfbot.Subject) (map[xfbot.Subject]map[string]string, error) {
	out := make(map[xfbot.Subject]map[string]string, len(subjects))
	if len(subjects) == 0 {
		return out, nil
	}
	pipe := s.rdb.Pipeline()
	cmds := make([]*redis.MapStringStringCmd, len(subjects))
	for i, subj := range subjects {
		cmds[i] = pipe.HGetAll(ctx, s.k.sentOf(subj))
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, fmt.Errorf("store: sent-ledgers: %w", err)
	}
	for i, subj := range subjects {
		if m := cmds[i].Val(); len(m) > 0 {
			out[subj] = m
		}
	}
	return out, nil
}
