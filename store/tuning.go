package store

import (
	"context"
	"fmt"
	"strconv"
	"sync"

	"github.com/redis/go-redis/v9"
)

// RecommendedIntsetEntries is the set-max-intset-entries the store wants of
// Redis. The search index (search.go) and the per-person indexes hold case
// numbers, which are integers (2026000012): while a set has no more
// members than this, Redis keeps it as an intset, 4 bytes a member,
// instead of a hash table, ~50. Redis's default, 512, turns every word a
// few hundred cases share into a hash table. Measured over 100,000 cases
// (BenchmarkSearchMemory): the index 2,619 → 521 B/case, all data 4,391 →
// 2,293 B/case; and intersections got faster (BenchmarkSearch, a keyword
// of several bigrams 7.2 → 1.7 ms), since intsets are sorted arrays. An
// insertion moves the set's tail (memmove), a few µs at a district's
// 10,000 cases; above the limit a set becomes a hash table again.
const RecommendedIntsetEntries = 100_000

// RecommendedZsetListpackEntries is the zset-max-listpack-entries the
// store wants of Redis. The sorted sets of one leader's cases (idx:watch)
// and of one unit's open cases (idx:unit) hold a few hundred cases each in
// a district: up to this many members Redis keeps a sorted set as a
// listpack, 11–22 bytes a member, instead of a skiplist, ~113. Redis's
// default, 128, leaves every leader's and every larger unit's set a
// skiplist. Measured (TestCaseMemory, 10,000 cases of nine owners, fifteen
// leaders and forty units of Zipf's sizes): 2,994 → 2,791 B/case all in.
// A listpack is read and written by a walk along it: at 1,024 members
// ZSCORE, ZADD and a ZREVRANGEBYSCORE page take no longer than a round
// trip's own cost in redis-benchmark (~30,000/s at 4 clients either way;
// at 20,000 members, which no sorted set of these reaches, ZSCORE would
// take 0.2 ms). The deadline ledger and the activity index are split
// over 64 sorted sets each so that they stay below it (keys.bucketKey);
// idx:open and idx:all are past it at any district's size and stay
// skiplists.
const RecommendedZsetListpackEntries = 1024

// tunings are the settings Tuning checks: the name in CONFIG GET (the
// older name Redis 6 answers to after it), the value wanted, and what it
// buys.
var tunings = []struct {
	names []string
	want  int
	buys  string
}{
	{[]string{"set-max-intset-entries"}, RecommendedIntsetEntries, "the search index takes about a fifth of the memory and answers faster"},
	{[]string{"zset-max-listpack-entries", "zset-max-ziplist-entries"}, RecommendedZsetListpackEntries, "the indexes of each leader's and each unit's cases take about a third of the memory"},
}

// Tuning is advice about the Redis server's configuration, one sentence
// each, for the operator (logged at start). A server that does not allow
// CONFIG GET (managed Redis) gets none.
func (s *Store) Tuning(ctx context.Context) []string {
	var mu sync.Mutex
	seen := map[string]bool{}
	var out []string
	check := func(ctx context.Context, c redis.Cmdable) error {
		for _, tu := range tunings {
			for _, name := range tu.names {
				v, err := c.ConfigGet(ctx, name).Result()
				if err != nil {
					return nil // CONFIG disabled or renamed: nothing to say
				}
				raw, ok := v[name]
				if !ok {
					continue // not this server's name for it
				}
				if n, err := strconv.Atoi(raw); err == nil && n < tu.want {
					advice := fmt.Sprintf("Redis %s is %d: set it to %d (redis.conf, or CONFIG SET) and %s", name, n, tu.want, tu.buys)
					mu.Lock()
					if !seen[advice] { // every master says the same
						seen[advice] = true
						out = append(out, advice)
					}
					mu.Unlock()
				}
				break
			}
		}
		return nil
	}
	if cc, ok := s.rdb.(*redis.ClusterClient); ok {
		_ = cc.ForEachMaster(ctx, func(ctx context.Context, c *redis.Client) error { return check(ctx, c) })
	} else {
		_ = check(ctx, s.rdb)
	}
	return out
}
