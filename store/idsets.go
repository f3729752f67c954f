package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/qingchuan/xfbot"
	"github.com/redis/go-redis/v9"
)

// onSetScript reads the members of idx:open in a score range that are in
// a set of case numbers as integers (keys.idsUnit), walking the smaller
// side, as list.lua's view does: the range, asking the set, or the set,
// asking idx:open for each score.
//
// KEYS[1] idx:open, KEYS[2] the set. ARGV[1], ARGV[2] the range (numbers,
// "-inf", "+inf"); ARGV[3] "count" for how many, else the numbers in
// order of score (then number).
var onSetScript = redis.NewScript(`
local base, set, lo, hi = KEYS[1], KEYS[2], ARGV[1], ARGV[2]
local function num(s, inf)
  if s == "-inf" then return -math.huge elseif s == "+inf" then return math.huge end
  return tonumber(s) or inf
end
local out = {}
if redis.call("ZCOUNT", base, lo, hi) <= redis.call("SCARD", set) then
  local zs = redis.call("ZRANGEBYSCORE", base, lo, hi)
  for _, no in ipairs(zs) do
    local y, s = string.match(no, "^XF%-(%d+)%-(%d+)$")
    if y and redis.call("SISMEMBER", set, y .. string.format("%06d", tonumber(s))) == 1 then out[#out + 1] = no end
  end
  if ARGV[3] == "count" then return #out end
  return out
end
local a, b = num(lo, -math.huge), num(hi, math.huge)
local pairs_ = {}
for _, id in ipairs(redis.call("SMEMBERS", set)) do
  local no = "XF-" .. string.sub(id, 1, 4) .. "-" .. string.format("%04d", tonumber(string.sub(id, 5)))
  local sc = redis.call("ZSCORE", base, no)
  if sc then
    sc = tonumber(sc)
    if sc >= a and sc <= b then pairs_[#pairs_ + 1] = {sc, no} end
  end
end
if ARGV[3] == "count" then return #pairs_ end
table.sort(pairs_, function(x, y) if x[1] ~= y[1] then return x[1] < y[1] end return x[2] < y[2] end)
for i, p in ipairs(pairs_) do out[i] = p[2] end
return out`)

// rangeOfSet is rangeOf for a set of case numbers: its open cases in the
// due range, by due day.
func (s *Store) rangeOfSet(ctx context.Context, set, min, max string) ([]xfbot.CaseNo, error) {
	ms, err := onSetScript.Run(ctx, s.rdb, []string{s.k.idxOpen(), set}, min, max, "").StringSlice()
	if err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("store: range: %w", err)
	}
	out := make([]xfbot.CaseNo, len(ms))
	for i, m := range ms {
		out[i] = xfbot.CaseNo(m)
	}
	return out, nil
}

// convertScript turns one sorted set of case numbers (the old idx:unit:
// and idx:area: layout) into a set of their integers (caseMember), adding
// to what the set already holds, and deletes the sorted set: KEYS[1] the
// sorted set, KEYS[2] the set. Returns how many members it moved.
var convertScript = redis.NewScript(`
if redis.call("TYPE", KEYS[1]).ok ~= "zset" then return 0 end
local ms = redis.call("ZRANGE", KEYS[1], 0, -1)
local ids = {}
for _, no in ipairs(ms) do
  local y, s = string.match(no, "^XF%-(%d+)%-(%d+)$")
  if y and tonumber(s) >= 1 and tonumber(s) <= 999999 then ids[#ids + 1] = y .. string.format("%06d", tonumber(s)) end
end
for i = 1, #ids, 1000 do
  redis.call("SADD", KEYS[2], unpack(ids, i, math.min(i + 999, #ids)))
end
redis.call("DEL", KEYS[1])
return #ids`)

// BackfillIndexSets converts the sorted sets by unit, by locality and by
// open status that earlier releases wrote (idx:unit:<name>,
// idx:area:<name>, idx:status:handling and :monitoring, scored by the due
// day) into the integer sets this one reads (ids:unit:<name>,
// ids:area:<name>, ids:status:<status>; keys.idsUnit), once: a marker
// says it is done. Each key
// is converted in one script, atomically, so a write racing the pass is
// kept, and a pass cut short is finished by the next start. It returns how
// many case entries it moved. serve runs it before it takes events, since
// lists by unit, locality and open status read the sets only.
func (s *Store) BackfillIndexSets(ctx context.Context) (int, error) {
	if n, err := s.rdb.Exists(ctx, s.k.idsBackfilled()).Result(); err != nil {
		return 0, fmt.Errorf("store: index sets: %w", err)
	} else if n == 1 {
		return 0, nil
	}
	moved := 0
	for _, kind := range []struct{ old, new string }{{"idx:unit:", "ids:unit:"}, {"idx:area:", "ids:area:"}} {
		from := s.k.base + kind.old
		var olds []string
		if err := s.scanKeys(ctx, from+"*", func(ks []string) error { olds = append(olds, ks...); return nil }); err != nil {
			return moved, fmt.Errorf("store: index sets: scan: %w", err)
		}
		for _, key := range olds {
			name := key[len(from):]
			n, err := convertScript.Run(ctx, s.rdb, []string{key, s.k.base + kind.new + name}).Int()
			if err != nil {
				return moved, fmt.Errorf("store: index sets: %s: %w", key, err)
			}
			moved += n
		}
	}
	for _, st := range []xfbot.Status{xfbot.StatusHandling, xfbot.StatusMonitoring} {
		n, err := convertScript.Run(ctx, s.rdb, []string{s.k.idxStatus(st), s.k.idsStatus(st)}).Int()
		if err != nil {
			return moved, fmt.Errorf("store: index sets: %s: %w", st, err)
		}
		moved += n
	}
	if err := s.rdb.Set(ctx, s.k.idsBackfilled(), "1", 0).Err(); err != nil {
		return moved, fmt.Errorf("store: index sets: %w", err)
	}
	return moved, nil
}
