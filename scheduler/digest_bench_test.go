package scheduler_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/report"
	"github.com/qingchuan/xfbot/scheduler"
	"github.com/qingchuan/xfbot/store"
)

// BenchmarkLeaderDigests measures one leader-digest run over 100,000 open
// cases all watched by 30 leaders (3,333 each), 1% of them written in the
// last day: the reads, the 30 cards and their 30 commits. The target is
// under 200 ms for all of them, which holds because the run reads counts and
// short ranges of the indexes kept on write, never the cases themselves
// beyond the ten per section it names. Needs XFBOT_TEST_REDIS_ADDR.
func BenchmarkLeaderDigests(b *testing.B) {
	addr := os.Getenv("XFBOT_TEST_REDIS_ADDR")
	if addr == "" {
		b.Skip("needs XFBOT_TEST_REDIS_ADDR")
	}
	rdb := redis.NewClient(&redis.Options{Addr: addr, PoolSize: 32})
	defer rdb.Close()
	const n, leaders = 100_000, 30
	prefix := "bench_digest"
	wipe(b, rdb, prefix+"}:*")
	defer wipe(b, rdb, prefix+"}:*")
	st := store.New(rdb, prefix).In(cst)
	ctx := context.Background()
	old, recent := monday.Add(-30*24*time.Hour), monday.Add(-2*time.Hour)
	batch := make([]*xfbot.Case, 0, 1000)
	for i := 1; i <= n; i++ {
		at := old
		if i%100 == 0 {
			at = recent
		}
		d := today.AddDays((i/leaders)%90 - 20) // each leader: from 20 days overdue to 69 days ahead
		batch = append(batch, &xfbot.Case{No: xfbot.FormatCaseNo(2026, i), Title: "桂园社区回迁安置房延期交付", Category: "land_demolition",
			Unit: fmt.Sprintf("单位%d", i%40), Area: "云溪街道", Status: xfbot.StatusHandling, Due: d, AcceptedOn: d.AddDays(-60),
			Owner:     xfbot.Person{OpenID: fmt.Sprintf("ou_owner_%d", i%300), Name: "赵建"},
			Leader:    xfbot.Person{OpenID: fmt.Sprintf("ou_leader_%d", i%leaders), Name: "周某"},
			CreatedAt: old, UpdatedAt: at, LastProgressAt: at})
		if len(batch) == cap(batch) || i == n {
			if err := st.Import(ctx, batch); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	ids := make([]string, leaders)
	for i := range ids {
		ids[i] = fmt.Sprintf("ou_leader_%d", i)
	}
	job := &scheduler.LeaderDigest{Reports: &report.Reports{Store: st, Thresholds: xfbot.DefaultThresholds, Location: cst, Leaders: ids}}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := job.Run(ctx, monday); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if depth, _ := st.OutboxDepth(ctx); depth != leaders {
			b.Fatalf("queued %d digests, want %d", depth, leaders)
		}
		pipe := rdb.Pipeline()
		for _, id := range ids {
			pipe.Del(ctx, "{"+prefix+"}:v1:sent:digest:"+id)
		}
		pipe.Del(ctx, "{"+prefix+"}:v1:outbox", "{"+prefix+"}:v1:digest:last")
		if _, err := pipe.Exec(ctx); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.StopTimer()
}
