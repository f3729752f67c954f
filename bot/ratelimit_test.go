package bot_test

import (
	"context"
	"log/slog"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/qingchuan/xfbot/bot"
	"github.com/qingchuan/xfbot/internal/testredis"
	"github.com/redis/go-redis/v9"
)

func TestRedisLimiter(t *testing.T) {
	t.Run("ReplicasShareTheAppLimit", func(t *testing.T) {
		rdb, prefix := testredis.New(t)
		// Three replicas, each its own client, 20 calls each at 50/s in
		// all: 60 calls spaced 20 ms take at least 59 × 20 ms.
		var ls []*bot.RedisLimiter
		for i := range 3 {
			c := rdb
			if i > 0 {
				c = testredis.Clone(t, rdb)
			}
			ls = append(ls, bot.NewRedisLimiter(c, bot.RedisLimiterOptions{Prefix: prefix, AppID: "cli_a", PerApp: 50}))
		}
		start := time.Now()
		var wg sync.WaitGroup
		for i, l := range ls {
			for j := range 20 {
				wg.Go(func() {
					if err := l.Wait(t.Context(), "oc_"+strconv.Itoa(i*100+j)); err != nil {
						t.Error(err)
					}
				})
			}
		}
		wg.Wait()
		if took := time.Since(start); took < 1100*time.Millisecond {
			t.Errorf("60 calls at 50/s shared by 3 replicas took %s, want ≥ 1.1 s (each replica kept its own budget?)", took)
		}
		keys := testredis.Keys(t, rdb, "rate:{"+prefix+"}:v1:limit:cli_a:*")
		if len(keys) == 0 {
			t.Errorf("no key under rate:{%s}:v1:limit:cli_a:", prefix)
		}
	})

	t.Run("PerChat", func(t *testing.T) {
		rdb, prefix := testredis.New(t)
		l := bot.NewRedisLimiter(rdb, bot.RedisLimiterOptions{Prefix: prefix, AppID: "cli_a"})
		start := time.Now()
		for range 4 { // 5/s: 3 × 200 ms after the first
			if err := l.Wait(t.Context(), "oc_one"); err != nil {
				t.Fatal(err)
			}
		}
		if took := time.Since(start); took < 550*time.Millisecond {
			t.Errorf("4 calls to one chat at 5/s took %s, want ≥ 0.6 s", took)
		}
		other := time.Now()
		if err := l.Wait(t.Context(), "oc_two"); err != nil {
			t.Fatal(err)
		}
		if took := time.Since(other); took > 150*time.Millisecond {
			t.Errorf("another chat waited %s behind the busy one", took)
		}
	})

	t.Run("FailsClosedWithBackoff", func(t *testing.T) {
		// Nothing listens on port 1: every call fails, none is admitted.
		rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1, DialTimeout: 100 * time.Millisecond,
			DialerRetries: 1, DialerRetryTimeout: time.Millisecond})
		defer rdb.Close()
		met := bot.NewMetrics(prometheus.NewRegistry())
		var mu sync.Mutex
		var waits []time.Duration
		ctx, cancel := context.WithCancel(t.Context())
		l := bot.NewRedisLimiter(rdb, bot.RedisLimiterOptions{AppID: "cli_a", Metrics: met, Logger: slog.New(slog.DiscardHandler),
			Sleep: func(ctx context.Context, d time.Duration) error {
				mu.Lock()
				defer mu.Unlock()
				waits = append(waits, d)
				if len(waits) == 9 {
					cancel()
				}
				return ctx.Err()
			}})
		if err := l.Wait(ctx, "oc_x"); err == nil {
			t.Fatal("Wait admitted a call with Redis down")
		}
		want := []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second,
			16 * time.Second, 32 * time.Second, 60 * time.Second, 60 * time.Second}
		if len(waits) != len(want) {
			t.Fatalf("waits %v, want %v", waits, want)
		}
		for i := range want {
			if waits[i] != want[i] {
				t.Fatalf("waits %v, want %v", waits, want)
			}
		}
		if n := testutil.ToFloat64(bot.LimitErrors(met)); n != 9 {
			t.Errorf("xfbot_send_limit_errors_total = %v, want 9", n)
		}
	})
}
