package scheduler_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/scheduler"
	"github.com/qingchuan/xfbot/store"
)

// BenchmarkDistrictScan measures one district's reminder run (10,000 open
// cases, 1,000 of them due, the shape of BenchmarkReminderScan) alone in
// Redis, then with more districts of the same size beside it under their
// own prefixes (env XFBOT_BENCH_DISTRICTS, default 20): a district's scan
// reads only its own keys, so it must stay within 1.2× of the lone one
// (issue 13). Real Redis (XFBOT_TEST_REDIS_ADDR); miniredis with 1/10 of
// the sizes otherwise. Measured (a private redis-server 7, 2 shared
// cores, -benchtime 5x): alone 75–81 ms; beside 20 others 54 ms (0.72×);
// beside 99 others, 1,000,000 cases in the one Redis, 77 ms (0.95×). With
// the deadline ledger and the activity index split over 64 sets each
// (2026-12-03, two runs of -count 2): alone 78–98 ms, beside 99 others
// 72–100 ms, medians 88 and 88 (1.0×); beside 20, 53–66 and 59–80 ms.
func BenchmarkDistrictScan(b *testing.B) {
	var rdb *redis.Client
	size, due := 10_000, 1_000
	if addr := os.Getenv("XFBOT_TEST_REDIS_ADDR"); addr != "" {
		rdb = redis.NewClient(&redis.Options{Addr: addr, PoolSize: 32})
	} else {
		rdb = redis.NewClient(&redis.Options{Addr: miniredis.RunT(b).Addr(), PoolSize: 32})
		size, due = 1_000, 100
	}
	defer rdb.Close()
	others := 20
	if n, err := strconv.Atoi(os.Getenv("XFBOT_BENCH_DISTRICTS")); err == nil && n > 0 {
		others = n
	}
	prefix := func(i int) string { return fmt.Sprintf("bench_district_%d", i) }
	for i := 0; i <= others; i++ {
		wipe(b, rdb, prefix(i)+"}:*")
		defer wipe(b, rdb, prefix(i)+"}:*")
	}
	st := store.New(rdb, prefix(0)).In(cst)
	fx := fillScan(b, rdb, st, prefix(0), size, due)
	rem := &scheduler.Reminders{Store: st, Thresholds: xfbot.DefaultThresholds, Gaps: xfbot.DefaultGaps,
		Ladder: xfbot.DefaultLadder, Location: cst}
	scan := func(b *testing.B) {
		ctx := context.Background()
		fx.reset(b)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if err := rem.Run(ctx, monday); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			if msgs, distinct := fx.messages(b); msgs != distinct || msgs != fx.recipients {
				b.Fatalf("queued %d messages to %d people, want one to each of %d", msgs, distinct, fx.recipients)
			}
			fx.reset(b)
			b.StartTimer()
		}
	}
	var alone, crowded float64
	b.Run("alone", func(b *testing.B) {
		scan(b)
		alone = float64(b.Elapsed().Nanoseconds()) / float64(b.N)
	})
	for i := 1; i <= others; i++ {
		fillScan(b, rdb, store.New(rdb, prefix(i)).In(cst), prefix(i), size, due)
	}
	b.Run(fmt.Sprintf("beside%d", others), func(b *testing.B) {
		scan(b)
		crowded = float64(b.Elapsed().Nanoseconds()) / float64(b.N)
	})
	if alone > 0 {
		b.Logf("one district of %d cases: alone %.0f ms, beside %d others %.0f ms: %.2f×", size, alone/1e6, others, crowded/1e6, crowded/alone)
	}
}
