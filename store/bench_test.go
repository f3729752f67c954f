package store_test

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/store"
)

// realRedis returns a client on XFBOT_TEST_REDIS_ADDR, or skips: the figures
// these measure (memory, latency at scale) mean nothing on miniredis.
func realRedis(tb testing.TB) *redis.Client {
	addr := os.Getenv("XFBOT_TEST_REDIS_ADDR")
	if addr == "" {
		tb.Skip("set XFBOT_TEST_REDIS_ADDR to measure against a real Redis")
	}
	return redis.NewClient(&redis.Options{Addr: addr, PoolSize: 32})
}

// typicalCase is a case as the ledger holds one: every field filled in, as
// long as real entries are.
func typicalCase(i int, due xfbot.Date) *xfbot.Case {
	c := newCase(fmt.Sprintf("桂园社区回迁安置房延期交付问题%d", i), due)
	c.Category = "land_demolition"
	c.Petitioner = xfbot.Petitioner{Name: "张建国", Phone: "19900001234", IDCard: "99000019650312001X"}
	c.Owner = xfbot.Person{OpenID: "ou_84aad35d084aa403a838cf73ee18467", Name: "赵建"}
	c.Leader = xfbot.Person{OpenID: "ou_3c14f3a59eaf2825dbe25359f15d3e45", Name: "周某"}
	c.CreatedBy = c.Owner
	c.Screening, c.Hardship = xfbot.ScreenPartly, true
	return c
}

// fill registers n cases, of which overdue are past due, concurrently:
// every case with the same owner, leader and unit (the worst case for the
// indexes by person and unit).
func fill(tb testing.TB, st *store.Store, n, overdue int, progress int) {
	fillShaped(tb, st, n, overdue, progress, nil)
}

// Districts as TestCaseMemory measures them: the task force's nine
// members own the cases in turn, fifteen district leaders watch them in
// turn, and forty units hold them as units do, unevenly — the k-th
// largest unit has 1/k of the largest's cases (Zipf's law: of 10,000
// cases the largest unit holds 2,340, the tenth 234, the fortieth 58).
const (
	shapeOwners, shapeLeaders, shapeUnits = 9, 15, 40
)

// district spreads case i over owners, leaders and units like a district.
func district(i int, c *xfbot.Case) {
	c.Owner = xfbot.Person{OpenID: fmt.Sprintf("ou_84aad35d084aa403a838cf73ee1846%02d", i%shapeOwners), Name: "赵建"}
	c.CreatedBy = c.Owner
	c.Leader = xfbot.Person{OpenID: fmt.Sprintf("ou_3c14f3a59eaf2825dbe25359f15d3e%02d", i%shapeLeaders), Name: "周某"}
	c.Unit = fmt.Sprintf("区第%d委办局", zipfUnit(i))
}

// zipfUnit is the unit (0 the largest) of the i-th case: the cases cycle
// over a deck of units dealt by Zipf's weights, 1/k for the k-th.
func zipfUnit(i int) int {
	const deck = 1000
	h := 0.0
	for k := 1; k <= shapeUnits; k++ {
		h += 1 / float64(k)
	}
	pos, acc := i%deck, 0.0
	for k := 1; k <= shapeUnits; k++ {
		acc += deck / (h * float64(k))
		if float64(pos) < acc {
			return k - 1
		}
	}
	return shapeUnits - 1
}

// fillShaped is fill with shape, when not nil, applied to each case.
func fillShaped(tb testing.TB, st *store.Store, n, overdue int, progress int, shape func(i int, c *xfbot.Case)) {
	ctx := context.Background()
	var wg sync.WaitGroup
	work := make(chan int)
	for w := 0; w < 16; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				due := today.AddDays(1 + i%200)
				if i < overdue {
					due = today.AddDays(-1 - i%60)
				}
				tx := st.NewTx()
				c := typicalCase(i, due)
				if shape != nil {
					shape(i, c)
				}
				tx.CreateCase(c, 2026)
				tx.AddChanges(store.NoPlaceholder, xfbot.Change{At: now, By: c.Owner, Action: "指派", Field: "包案人", After: c.Owner.Name})
				for p := 0; p < progress; p++ {
					tx.AddProgress(store.NoPlaceholder, xfbot.Progress{At: now, Author: c.Owner, Kind: xfbot.KindProgress,
						Text: "3月12日区住建局会同云溪街道约谈开发商，明确4月30日前完成消防验收。"})
				}
				if _, err := st.Commit(ctx, tx); err != nil {
					tb.Error(err)
					return
				}
			}
		}()
	}
	for i := 0; i < n; i++ {
		work <- i
	}
	close(work)
	wg.Wait()
}

func cleanup(tb testing.TB, rdb *redis.Client, prefix string) {
	ctx := context.Background()
	iter := rdb.Scan(ctx, 0, "{"+prefix+"}:*", 5000).Iterator()
	var ks []string
	for iter.Next(ctx) {
		ks = append(ks, iter.Val())
		if len(ks) == 1000 {
			rdb.Unlink(ctx, ks...)
			ks = ks[:0]
		}
	}
	if len(ks) > 0 {
		rdb.Unlink(ctx, ks...)
	}
}

// BenchmarkListOverdue measures 列表 逾期 (the first page, as the command
// shows it, plus the total) over 10,000 and 100,000 open cases of which 500
// are overdue: the cost must follow the matches, not the ledger.
func BenchmarkListOverdue(b *testing.B) {
	rdb := realRedis(b)
	defer rdb.Close()
	for _, n := range []int{10_000, 100_000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			prefix := fmt.Sprintf("bench_overdue_%d", n)
			cleanup(b, rdb, prefix)
			defer cleanup(b, rdb, prefix)
			st := store.New(rdb, prefix)
			fill(b, st, n, 500, 0)
			ctx := context.Background()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				cs, total, err := st.List(ctx, store.Query{Index: store.IndexOpen(), DueTo: today.AddDays(-1), Limit: 30})
				if err != nil || total != 500 || len(cs) != 30 {
					b.Fatalf("list = %d of %d, %v", len(cs), total, err)
				}
			}
			b.StopTimer() // the deferred cleanup is no part of a list
		})
	}
}

// BenchmarkListOverdueAll reads all 500 overdue cases in one call (the
// reminder scan's shape).
func BenchmarkListOverdueAll(b *testing.B) {
	rdb := realRedis(b)
	defer rdb.Close()
	prefix := "bench_overdue_all"
	cleanup(b, rdb, prefix)
	defer cleanup(b, rdb, prefix)
	st := store.New(rdb, prefix)
	fill(b, st, 100_000, 500, 0)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		cs, total, err := st.List(ctx, store.Query{Index: store.IndexOpen(), DueTo: today.AddDays(-1), Limit: 500})
		if err != nil || total != 500 || len(cs) != 500 {
			b.Fatalf("list = %d of %d, %v", len(cs), total, err)
		}
	}
	b.StopTimer()
}

// TestCaseMemory checks the budget of issue 13: 2 KB of Redis memory per
// case with five progress entries, all in — the used_memory delta on the
// server, indexes, the search index, the deadline ledger and counters
// included. The all-in budget is asserted when the run is large enough for
// the delta to mean something (XFBOT_MEMORY_CASES ≥ 10,000; run it on a
// private, otherwise empty redis-server) and the server has the tuning the
// README recommends (store.RecommendedIntsetEntries,
// store.RecommendedZsetListpackEntries); always, MEMORY USAGE of the
// case's own keys (case, timeline, history). The cases are spread over
// owners, leaders and units as a district's are (district).
func TestCaseMemory(t *testing.T) {
	rdb := realRedis(t)
	defer rdb.Close()
	n := envInt("XFBOT_MEMORY_CASES", 2000)
	prefix := "xm" // as short as the default "xf": key names count
	ctx := context.Background()
	cleanup(t, rdb, prefix)
	defer cleanup(t, rdb, prefix)
	before := usedMemory(t, rdb)
	st := store.New(rdb, prefix)
	fillShaped(t, st, n, 100, 5, district)
	after := usedMemory(t, rdb)
	var worst, sum int64
	for i := 1; i <= 50; i++ {
		no := string(xfbot.FormatCaseNo(2026, i))
		var per int64
		for _, k := range []string{"case:", "prog:"} {
			v, err := rdb.MemoryUsage(ctx, "{"+prefix+"}:v1:"+k+no).Result()
			if err != nil {
				t.Fatalf("MEMORY USAGE %s%s: %v", k, no, err)
			}
			per += v
		}
		sum += per
		worst = max(worst, per)
	}
	intsets, zsets := 0, 0
	if v, err := rdb.ConfigGet(ctx, "set-max-intset-entries").Result(); err == nil {
		intsets, _ = strconv.Atoi(v["set-max-intset-entries"])
	}
	if v, err := rdb.ConfigGet(ctx, "zset-max-listpack-entries").Result(); err == nil {
		zsets, _ = strconv.Atoi(v["zset-max-listpack-entries"])
	}
	all := (after - before) / int64(n)
	if testing.Verbose() {
		logMemoryByKind(t, rdb, "{"+prefix+"}:", n)
	}
	t.Logf("MEMORY USAGE per case (case + 5 progress + 1 change): avg %d B, worst %d B; used_memory delta incl. indexes: %d B/case (%d cases, set-max-intset-entries %d, zset-max-listpack-entries %d)",
		sum/50, worst, all, n, intsets, zsets)
	if worst > 2048 {
		t.Fatalf("a case with five progress entries uses %d bytes in its own keys, over the 2 KB budget", worst)
	}
	if n >= 10_000 && intsets >= store.RecommendedIntsetEntries && zsets >= store.RecommendedZsetListpackEntries && all > 2048 {
		t.Errorf("a case with five progress entries takes %d bytes of Redis memory all in, over the 2 KB budget (issue 13)", all)
	}
}

// logMemoryByKind logs MEMORY USAGE of the keys under pattern's prefix,
// summed by kind (the key with its numbers and open_ids taken out) and
// divided by the n cases, largest first: where a case's bytes go.
func logMemoryByKind(t *testing.T, rdb *redis.Client, prefix string, n int) {
	ctx := context.Background()
	kind := regexp.MustCompile(`[0-9]+|ou_[0-9a-z_]+`)
	sums, types := map[string]int64{}, map[string]string{}
	iter := rdb.Scan(ctx, 0, prefix+"*", 1000).Iterator()
	for iter.Next(ctx) {
		k := iter.Val()
		g := kind.ReplaceAllString(k[len(prefix):], "#")
		if strings.HasPrefix(g, "v#:q:") {
			g = "v#:q:* (search index)"
		}
		v, _ := rdb.MemoryUsage(ctx, k, 0).Result()
		sums[g] += v
		if _, ok := types[g]; !ok {
			enc, _ := rdb.ObjectEncoding(ctx, k).Result()
			types[g] = rdb.Type(ctx, k).Val() + "/" + enc
		}
	}
	gs := make([]string, 0, len(sums))
	for g := range sums {
		gs = append(gs, g)
	}
	sort.Slice(gs, func(i, j int) bool { return sums[gs[i]] > sums[gs[j]] })
	for _, g := range gs {
		if per := float64(sums[g]) / float64(n); per >= 1 {
			t.Logf("%8.1f B/case  %-28s %s", per, g, types[g])
		}
	}
}

func usedMemory(t testing.TB, rdb *redis.Client) int64 {
	info, err := rdb.Info(context.Background(), "memory").Result()
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(info, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "used_memory:"); ok {
			n, _ := strconv.ParseInt(v, 10, 64)
			return n
		}
	}
	t.Fatal("no used_memory in INFO")
	return 0
}

// envInt is the integer in the environment variable name, or def.
func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}
