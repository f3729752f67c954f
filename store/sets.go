package store

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/qingchuan/xfbot"
	"github.com/redis/go-redis/v9"
)

// rangeSetScript reads the members of idx:open (KEYS[1]) in a score range
// (ARGV[1], ARGV[2]) that are in the set KEYS[2], by score, through the
// scratch key KEYS[3], deleted again.
var rangeSetScript = redis.NewScript(`
redis.call("ZINTERSTORE", KEYS[3], 2, KEYS[1], KEYS[2], "WEIGHTS", 1, 0)
local out = redis.call("ZRANGEBYSCORE", KEYS[3], ARGV[1], ARGV[2])
redis.call("DEL", KEYS[3])
return out`)

// rangeOfSet is rangeOf for a set of case numbers (keys.setArea): its open
// cases in the due range, by due day.
func (s *Store) rangeOfSet(ctx context.Context, set, min, max string) ([]xfbot.CaseNo, error) {
	ms, err := rangeSetScript.Run(ctx, s.rdb, []string{s.k.idxOpen(), set, s.k.scratch("range")}, min, max).StringSlice()
	if err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("store: range: %w", err)
	}
	out := make([]xfbot.CaseNo, len(ms))
	for i, m := range ms {
		out[i] = memberNo(m)
	}
	return out, nil
}

// convertScript turns one sorted set of case numbers (the old idx:area:
// and idx:status: layout) into a set of the same members, adding to what
// the set already holds, and deletes the sorted set: KEYS[1] the sorted
// set, KEYS[2] the set. Returns how many members it moved.
var convertScript = redis.NewScript(`
local t = redis.call("TYPE", KEYS[1])
if type(t) == "table" then t = t.ok end
if t ~= "zset" then return 0 end
local ms = redis.call("ZRANGE", KEYS[1], 0, -1)
for i = 1, #ms, 1000 do
  redis.call("SADD", KEYS[2], unpack(ms, i, math.min(i + 999, #ms)))
end
redis.call("DEL", KEYS[1])
return #ms`)

// BackfillIndexSets converts the sorted sets by locality and by open
// status that earlier releases wrote (idx:area:<name>, idx:status:handling
// and :monitoring, scored by the due day) into the sets this one reads
// (set:area:<name>, set:status:<status>; keys.setArea), once: a marker
// says it is done. Each key is converted in one script, atomically, so a
// write racing the pass is kept, and a pass cut short is finished by the
// next start. It returns how many case entries it moved or rewrote. serve runs it
// before it takes events, since lists by locality and open status read
// the sets only.
//
// A second pass, marked on its own, converts the sorted sets by 包案人 and
// by 包案领导 (idx:owner:<open_id>, idx:leader:<open_id>) into set:owner:
// and set:leader:. A third writes the members of every index of open
// cases as integer ids (keys.byID) instead of numbers; a fourth moves the
// deadline ledger, one sorted set before, into its 64 (keys.deadlineKey),
// its members packed (deadlineMember) — whenever the old set is there; a
// fifth the changes of each case into its timeline (moveHistories); and
// the activity index, one sorted set before, is split into its 64
// (keys.activityKey) whenever the old set is there.
func (s *Store) BackfillIndexSets(ctx context.Context) (int, error) {
	passes := []struct {
		name string
		// key is the pass's marker, set when it is done (the pass runs
		// while it is absent), or, with old, the key of the layout it
		// converts (the pass runs while it is there).
		key string
		old bool
		run func(context.Context) (int, error)
	}{
		{"index sets", s.k.setsBackfilled(), false, s.backfillSets1},
		{"index sets", s.k.setsBackfilled2(), false, s.backfillSets2},
		{"index ids", s.k.setsBackfilled3(), false, s.backfillIDs},
		{"split deadlines", s.k.oldDeadlines(), true, s.splitDeadlines},
		{"split idx:activity", s.k.idxActivity(), true, s.splitActivity},
		{"move histories", s.k.historiesMoved(), false, s.moveHistories},
		{"drop idx:contact", s.k.contactDropped(), false, s.dropContact},
	}
	moved := 0
	for _, p := range passes {
		n, err := s.rdb.Exists(ctx, p.key).Result()
		if err != nil {
			return moved, fmt.Errorf("store: %s: %w", p.name, err)
		}
		if (n == 1) != p.old {
			continue
		}
		k, err := p.run(ctx)
		if moved += k; err != nil {
			return moved, err
		}
	}
	return moved, nil
}

// dropContact deletes the indexes by last contact that earlier releases
// wrote and nothing reads (keys.idxContact), and marks it done.
func (s *Store) dropContact(ctx context.Context) (int, error) {
	pipe := s.rdb.Pipeline()
	n := pipe.Del(ctx, s.k.idxContact("key"), s.k.idxContact("backlog"))
	pipe.Set(ctx, s.k.contactDropped(), "1", 0)
	if _, err := pipe.Exec(ctx); err != nil {
		return 0, fmt.Errorf("store: drop idx:contact: %w", err)
	}
	return int(n.Val()), nil
}

// splitActivity moves the activity index of earlier releases, one sorted
// set (its members ids since the third pass), into its 64 sets.
func (s *Store) splitActivity(ctx context.Context) (int, error) {
	return s.splitIndex(ctx, s.k.idxActivity(), func(m string) (string, string) {
		return bucketKey(s.k.base+"idx:activity:", m), m
	})
}

// historyScript moves cases' changes from the lists that held them
// (hist:<number>) into their timelines (keys.progress), marked, and
// deletes the old lists: KEYS are pairs of the old list and the timeline.
// They are older than any change the timeline already holds (the run of
// marked items at its head, written by this release), so those are taken
// off, the old pushed oldest first, and those put back: the head holds
// the newest. Returns how many changes it moved.
var historyScript = redis.NewScript(`
local mark = "` + changeMark + `"
local n = 0
for i = 1, #KEYS, 2 do
  local hs = redis.call("LRANGE", KEYS[i], 0, -1)
  local tl = KEYS[i + 1]
  local newer = {}
  while true do
    local v = redis.call("LINDEX", tl, 0)
    if not v or string.sub(v, 1, #mark) ~= mark then break end
    newer[#newer + 1] = redis.call("LPOP", tl)
  end
  for j = 1, #hs do
    redis.call("LPUSH", tl, mark .. hs[j])
  end
  for j = #newer, 1, -1 do
    redis.call("LPUSH", tl, newer[j])
  end
  redis.call("DEL", KEYS[i])
  n = n + #hs
end
return n`)

// moveHistories moves the changes of every case written before changes
// joined the timeline (historyScript), a batch of keys a script, and
// returns how many it moved.
func (s *Store) moveHistories(ctx context.Context) (int, error) {
	total := 0
	prefix := s.k.history("")
	err := s.scanKeys(ctx, prefix+"*", func(ks []string) error {
		pairs := make([]string, 0, 2*len(ks))
		for _, k := range ks {
			pairs = append(pairs, k, s.k.progress(xfbot.CaseNo(strings.TrimPrefix(k, prefix))))
		}
		n, err := historyScript.Run(ctx, s.rdb, pairs).Int()
		total += n
		return err
	})
	if err != nil {
		return total, fmt.Errorf("store: move histories: %w", err)
	}
	if err := s.rdb.Set(ctx, s.k.historiesMoved(), "1", 0).Err(); err != nil {
		return total, fmt.Errorf("store: move histories: %w", err)
	}
	return total, nil
}

// idScript rewrites the members of index KEYS[1] that are case numbers
// (XF-2026-0012) as integer ids (2026000012, caseMember's), through the
// scratch key KEYS[2] renamed over it, so that a set of integers becomes
// an intset (a set once a hash table stays one). Returns how many members
// it rewrote.
var idScript = redis.NewScript(`
local t = redis.call("TYPE", KEYS[1])
if type(t) == "table" then t = t.ok end
local function id(m)
  local y, n = string.match(m, "^XF%-(%d+)%-(%d+)$")
  if not y then return nil end
  y, n = tonumber(y), tonumber(n)
  if y < 1000 or y > 2999 or n < 1 or n > 999999 then return nil end
  return string.format("%d", y * 1000000 + n)
end
local done = 0
redis.call("DEL", KEYS[2])
if t == "zset" then
  local ms = redis.call("ZRANGE", KEYS[1], 0, -1, "WITHSCORES")
  for i = 1, #ms, 2 do
    local v = id(ms[i])
    if v then done = done + 1 else v = ms[i] end
    redis.call("ZADD", KEYS[2], ms[i + 1], v)
  end
elseif t == "set" then
  local ms = redis.call("SMEMBERS", KEYS[1])
  for i = 1, #ms do
    local v = id(ms[i])
    if v then done = done + 1 else v = ms[i] end
    redis.call("SADD", KEYS[2], v)
  end
else
  return 0
end
if done == 0 then
  redis.call("DEL", KEYS[2])
  return 0
end
redis.call("RENAME", KEYS[2], KEYS[1])
return done`)

// backfillIDs is BackfillIndexSets' third pass: the indexes of open cases
// by integer id, each key rewritten in one script.
func (s *Store) backfillIDs(ctx context.Context) (int, error) {
	moved := 0
	for _, pattern := range s.k.idIndexes() {
		ks, err := s.keysLike(ctx, pattern)
		if err != nil {
			return moved, fmt.Errorf("store: index ids: %w", err)
		}
		for _, key := range ks {
			n, err := idScript.Run(ctx, s.rdb, []string{key, s.k.scratch("ids")}).Int()
			if err != nil {
				return moved, fmt.Errorf("store: index ids: %s: %w", key, err)
			}
			moved += n
		}
	}
	if err := s.rdb.Set(ctx, s.k.setsBackfilled3(), "1", 0).Err(); err != nil {
		return moved, fmt.Errorf("store: index ids: %w", err)
	}
	return moved, nil
}

// keysLike is the keys matching pattern (SCAN, every master of a
// cluster), or pattern itself when it has no "*".
func (s *Store) keysLike(ctx context.Context, pattern string) ([]string, error) {
	if !strings.Contains(pattern, "*") {
		return []string{pattern}, nil
	}
	var ks []string
	if err := s.scanKeys(ctx, pattern, func(b []string) error { ks = append(ks, b...); return nil }); err != nil {
		return nil, fmt.Errorf("scan %s: %w", pattern, err)
	}
	return ks, nil
}

// backfillSets2 is BackfillIndexSets' second pass: 包案人 and 包案领导.
func (s *Store) backfillSets2(ctx context.Context) (int, error) {
	moved := 0
	for _, p := range []struct {
		old string
		set func(string) string
	}{{s.k.oldIdxOwner(), s.k.setOwner}, {s.k.oldIdxLeader(), s.k.setLeader}} {
		olds, err := s.keysLike(ctx, p.old+"*")
		if err != nil {
			return moved, fmt.Errorf("store: index sets: %w", err)
		}
		for _, key := range olds {
			n, err := convertScript.Run(ctx, s.rdb, []string{key, p.set(key[len(p.old):])}).Int()
			if err != nil {
				return moved, fmt.Errorf("store: index sets: %s: %w", key, err)
			}
			moved += n
		}
	}
	if err := s.rdb.Set(ctx, s.k.setsBackfilled2(), "1", 0).Err(); err != nil {
		return moved, fmt.Errorf("store: index sets: %w", err)
	}
	return moved, nil
}

// backfillSets1 is BackfillIndexSets' first pass: 属地 and open status.
func (s *Store) backfillSets1(ctx context.Context) (int, error) {
	moved := 0
	convert := func(from, to string) error {
		n, err := convertScript.Run(ctx, s.rdb, []string{from, to}).Int()
		if err != nil {
			return fmt.Errorf("store: index sets: %s: %w", from, err)
		}
		moved += n
		return nil
	}
	prefix := s.k.base + "idx:area:"
	olds, err := s.keysLike(ctx, prefix+"*")
	if err != nil {
		return moved, fmt.Errorf("store: index sets: %w", err)
	}
	for _, key := range olds {
		if err := convert(key, s.k.setArea(key[len(prefix):])); err != nil {
			return moved, err
		}
	}
	for _, st := range []xfbot.Status{xfbot.StatusHandling, xfbot.StatusMonitoring} {
		if err := convert(s.k.idxStatus(st), s.k.setStatus(st)); err != nil {
			return moved, err
		}
	}
	if err := s.rdb.Set(ctx, s.k.setsBackfilled(), "1", 0).Err(); err != nil {
		return moved, fmt.Errorf("store: index sets: %w", err)
	}
	return moved, nil
}
