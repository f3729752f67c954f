package store

import (
	"context"
	"errors"
	"fmt"

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
		out[i] = xfbot.CaseNo(m)
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
// next start. It returns how many case entries it moved. serve runs it
// before it takes events, since lists by locality and open status read
// the sets only.
//
// A second pass, marked on its own, converts the sorted sets by 包案人 and
// by 包案领导 (idx:owner:<open_id>, idx:leader:<open_id>) into set:owner:
// and set:leader:.
func (s *Store) BackfillIndexSets(ctx context.Context) (int, error) {
	n1, err := s.rdb.Exists(ctx, s.k.setsBackfilled()).Result()
	if err != nil {
		return 0, fmt.Errorf("store: index sets: %w", err)
	}
	moved := 0
	if n1 == 0 {
		if moved, err = s.backfillSets1(ctx); err != nil {
			return moved, err
		}
	}
	n2, err := s.rdb.Exists(ctx, s.k.setsBackfilled2()).Result()
	if err != nil || n2 == 1 {
		return moved, err
	}
	for _, p := range []struct {
		old string
		set func(string) string
	}{{s.k.oldIdxOwner(), s.k.setOwner}, {s.k.oldIdxLeader(), s.k.setLeader}} {
		var olds []string
		if err := s.scanKeys(ctx, p.old+"*", func(ks []string) error { olds = append(olds, ks...); return nil }); err != nil {
			return moved, fmt.Errorf("store: index sets: scan: %w", err)
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
	var olds []string
	if err := s.scanKeys(ctx, prefix+"*", func(ks []string) error { olds = append(olds, ks...); return nil }); err != nil {
		return moved, fmt.Errorf("store: index sets: scan: %w", err)
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
