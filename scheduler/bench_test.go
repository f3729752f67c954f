package scheduler_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/scheduler"
	"github.com/qingchuan/xfbot/store"
)

// BenchmarkReminderScan measures one reminder run over a ledger of 100,000
// and of 1,000,000 open cases, of which the same 10,000 fall due today (owned
// by 1,000 people), the rest months away: the run must take under a second
// and cost about the same for both sizes, because it reads index ranges of
// what is due, never the ledger. Each iteration starts from an empty
// sent-ledger and outbox, so it really builds and queues the 1,000 messages.
// It needs a real Redis (XFBOT_TEST_REDIS_ADDR); filling 1,000,000 cases takes
// a minute and about 2 GB.
func BenchmarkReminderScan(b *testing.B) {
	addr := os.Getenv("XFBOT_TEST_REDIS_ADDR")
	if addr == "" {
		b.Skip("needs XFBOT_TEST_REDIS_ADDR")
	}
	rdb := redis.NewClient(&redis.Options{Addr: addr, PoolSize: 32})
	defer rdb.Close()
	sizes := []int{100_000, 1_000_000}
	if s := os.Getenv("XFBOT_BENCH_SCAN_SIZES"); s != "" {
		sizes = nil
		for _, f := range strings.Split(s, ",") {
			n, _ := strconv.Atoi(f)
			sizes = append(sizes, n)
		}
	}
	for _, n := range sizes {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			prefix := fmt.Sprintf("bench_scan_%d", n)
			wipe(b, rdb, prefix+"}:*")
			defer wipe(b, rdb, prefix+"}:*")
			st := store.New(rdb, prefix)
			fillScan(b, st, n, 10_000)
			rem := &scheduler.Reminders{Store: st, Thresholds: xfbot.DefaultThresholds, Gaps: xfbot.DefaultGaps, Location: cst}
			ctx := context.Background()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if err := rem.Run(ctx, monday); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				if depth, _ := st.OutboxDepth(ctx); depth != 1000 {
					b.Fatalf("queued %d messages, want 1000 (one per owner)", depth)
				}
				// Forget what was sent, by name: a SCAN over a million keys
				// (and its lazy frees) would compete with the next run.
				pipe := rdb.Pipeline()
				for i := 1; i <= 10_000; i++ {
					pipe.Del(ctx, fmt.Sprintf("{%s}:v1:sent:%s", prefix, xfbot.FormatCaseNo(2026, i)))
				}
				pipe.Del(ctx, "{"+prefix+"}:v1:outbox", "{"+prefix+"}:v1:esc")
				if _, err := pipe.Exec(ctx); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
			b.StopTimer() // the deferred wipe of the ledger is no part of a scan
		})
	}
}

func fillScan(b *testing.B, st *store.Store, n, due int) {
	ctx := context.Background()
	batch := make([]*xfbot.Case, 0, 1000)
	created := monday.Add(-24 * time.Hour)
	for i := 1; i <= n; i++ {
		d := today.AddDays(100 + i%300)
		if i <= due {
			d = today
		}
		batch = append(batch, &xfbot.Case{No: xfbot.FormatCaseNo(2026, i), Title: "桂园社区回迁安置房延期交付", Category: "land_demolition",
			Unit: "区住建局", Area: "云溪街道", Status: xfbot.StatusHandling, Due: d, AcceptedOn: d.AddDays(-60),
			Owner:     xfbot.Person{OpenID: fmt.Sprintf("ou_owner_%d", i%1000), Name: "赵建"},
			CreatedAt: created, UpdatedAt: created, LastProgressAt: created})
		if len(batch) == cap(batch) || i == n {
			if err := st.Import(ctx, batch); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
}

// wipe deletes the keys of a pattern "{prefix}...".
func wipe(b *testing.B, rdb *redis.Client, pattern string) {
	ctx := context.Background()
	iter := rdb.Scan(ctx, 0, "{"+pattern, 10000).Iterator()
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
