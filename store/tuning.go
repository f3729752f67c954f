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

// Tuning is advice about the Redis server's configuration, one sentence
// each, for the operator (logged at start). A server that does not allow
// CONFIG GET (managed Redis) gets none.
func (s *Store) Tuning(ctx context.Context) []string {
	var mu sync.Mutex
	var out []string
	check := func(ctx context.Context, c redis.Cmdable) error {
		v, err := c.ConfigGet(ctx, "set-max-intset-entries").Result()
		if err != nil {
			return nil // CONFIG disabled or renamed: nothing to say
		}
		n, err := strconv.Atoi(v["set-max-intset-entries"])
		if err != nil || n >= RecommendedIntsetEntries {
			return nil
		}
		mu.Lock()
		defer mu.Unlock()
		out = append(out, fmt.Sprintf("Redis set-max-intset-entries is %d: set it to %d (redis.conf, or CONFIG SET) and the search index takes about a fifth of the memory and answers faster", n, RecommendedIntsetEntries))
		return nil
	}
	if cc, ok := s.rdb.(*redis.ClusterClient); ok {
		_ = cc.ForEachMaster(ctx, func(ctx context.Context, c *redis.Client) error { return check(ctx, c) })
	} else {
		_ = check(ctx, s.rdb)
	}
	if len(out) > 1 {
		out = out[:1] // every master says the same
	}
	return out
}
