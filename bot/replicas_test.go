package bot_test

import (
	"context"
	"fmt"
	mrand "math/rand/v2"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	lark "github.com/larksuite/oapi-sdk-go/v3"
	larkcore "github.com/larksuite/oapi-sdk-go/v3/core"
	"github.com/qingchuan/xfbot/bot"
	"github.com/qingchuan/xfbot/bot/larktest"
	"github.com/qingchuan/xfbot/internal/testredis"
	"github.com/qingchuan/xfbot/store"
)

// replicaRun is what a run of sender replicas against the fake showed.
type replicaRun struct {
	took  time.Duration
	arr   larktest.Arrivals
	calls []int64 // per replica
}

// runReplicas delivers n messages to n users with replicas senders on one
// Redis (each its own client, store and SDK client, as separate processes
// would have), through the real SDK against a fake Feishu enforcing 5/s
// per chat and 50/s per app. shared gives each sender a RedisLimiter on
// the one Redis, else its own LocalLimiter. Every call takes latency()
// more, as Feishu's answer would.
//
// The messages are queued while the senders run, 10 every 50 ms (200/s,
// four times what Feishu takes), as commands and reminders queue them: all
// queued at once, the first replica to read would hold a few hundred
// before the others woke.
func runReplicas(t *testing.T, n, replicas int, shared bool, latency func() time.Duration) replicaRun {
	t.Helper()
	srv := larktest.NewServer(larktest.WithRateLimits(5, 50))
	defer srv.Close()
	rdb, prefix := testredis.New(t)
	ms := make([]store.OutboundMessage, n)
	for i := range ms {
		ms[i] = textTo("", "提醒")
		ms[i].ReceiveIDType, ms[i].ReceiveID, ms[i].ChatID = "open_id", fmt.Sprintf("ou_%06d", i), ""
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	start := time.Now()
	var wg sync.WaitGroup
	calls := make([]atomic.Int64, replicas)
	for i := range replicas {
		c := rdb
		if i > 0 {
			c = testredis.Clone(t, rdb)
		}
		client := lark.NewClient("cli_test", "secret", lark.WithOpenBaseUrl(srv.URL()), lark.WithLogLevel(larkcore.LogLevelError))
		lt := bot.NewLarkTransport(client, nil)
		tr := transportFunc(func(ctx context.Context, m store.OutboundMessage) (string, error) {
			calls[i].Add(1)
			// The gateway counts a call when it arrives; the time goes in the
			// work behind it, so the latency follows the call.
			defer time.Sleep(latency())
			return lt.Deliver(ctx, m)
		})
		opt := bot.SenderOptions{Consumer: fmt.Sprint("replica-", i), Logger: testLogger(t), MaxBackoff: 2 * time.Second}
		if shared {
			opt.Limiter = bot.NewRedisLimiter(c, bot.RedisLimiterOptions{Prefix: prefix, AppID: "cli_test", Logger: testLogger(t)})
		}
		s := bot.NewSender(store.New(c, prefix), tr, opt)
		wg.Go(func() {
			if err := s.Run(ctx); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Go(func() {
		st := store.New(rdb, prefix)
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for rest := ms; len(rest) > 0; rest = rest[min(10, len(rest)):] {
			enqueue(t, st, rest[:min(10, len(rest))]...)
			select {
			case <-tick.C:
			case <-ctx.Done():
				return
			}
		}
	})
	_, ok := srv.WaitMessages(n, time.Duration(n)*time.Second/10+time.Minute)
	r := replicaRun{took: time.Since(start)}
	cancel()
	wg.Wait()
	r.arr = srv.Arrivals()
	for i := range calls {
		r.calls = append(r.calls, calls[i].Load())
	}
	if !ok {
		t.Fatalf("%d of %d messages delivered in time", len(r.arr.Delivered), n)
	}
	// Each message exactly once, by uuid.
	if len(r.arr.Delivered) != n {
		t.Errorf("delivered %d distinct uuids, want %d", len(r.arr.Delivered), n)
	}
	for _, m := range ms {
		if k := r.arr.Delivered[m.ID]; k != 1 {
			t.Errorf("uuid %s delivered %d times, want 1", m.ID, k)
		}
	}
	return r
}

func (r replicaRun) String() string {
	return fmt.Sprintf("%s (%.1f/s); %d calls (per replica %v), busiest second %d, rate-limited answers %d, uuid-cache hits %d",
		r.took.Round(time.Millisecond), float64(len(r.arr.Delivered))/r.took.Seconds(), r.arr.Calls, r.calls,
		r.arr.BusiestSecond, r.arr.RateLimited, r.arr.Duplicates)
}

// busiestMax is the most calls the fake may see in one second from
// replicas sharing a 50/s limit: 50, and a little for calls that the
// limiter spaced 20 ms apart but the network brought closer together.
const busiestMax = 55

// TestReplicasShareLimits runs three sender replicas on one Redis: with the
// shared limiter, the fake sees at most about 50 calls a second in all;
// with a local limiter each (the old way, logged for comparison) it sees up
// to three times that and answers the excess with 429.
func TestReplicasShareLimits(t *testing.T) {
	const n, replicas = 300, 3
	latency := func() time.Duration { return 20*time.Millisecond + time.Duration(mrand.N(40))*time.Millisecond }
	sharedRun := runReplicas(t, n, replicas, true, latency)
	t.Logf("%d replicas, shared limiter: %d messages in %s", replicas, n, sharedRun)
	if b := sharedRun.arr.BusiestSecond; b > busiestMax {
		t.Errorf("busiest second had %d calls from %d replicas sharing 50/s, want ≤ %d", b, replicas, busiestMax)
	}
	if floor := time.Duration(n-1) * time.Second / 50; sharedRun.took < floor*9/10 {
		t.Errorf("%d messages took %s, below the %s that 50/s allows: not limited?", n, sharedRun.took, floor)
	}
	if testing.Short() {
		return
	}
	localRun := runReplicas(t, n, replicas, false, latency)
	t.Logf("%d replicas, a local limiter each: %d messages in %s", replicas, n, localRun)
}

// TestSenderLoad sends XFBOT_LOAD_TEST messages (e.g. 10000) to as many
// users through the SDK against the fake Feishu with its limits on and a
// simulated 100–300 ms per call, from XFBOT_LOAD_REPLICAS replicas (default
// 1) sharing the limits through Redis (XFBOT_LOAD_LIMIT=local: a limiter
// each). It takes (n/50) s of real time, so it only runs when asked for.
// The target: 10,000 from 3 replicas within 1.1 × 200 s, none
// dropped, none twice.
func TestSenderLoad(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("XFBOT_LOAD_TEST"))
	if n <= 0 {
		t.Skip("set XFBOT_LOAD_TEST=10000 (and XFBOT_LOAD_REPLICAS=3) to run")
	}
	replicas, _ := strconv.Atoi(os.Getenv("XFBOT_LOAD_REPLICAS"))
	replicas = max(replicas, 1)
	shared := os.Getenv("XFBOT_LOAD_LIMIT") != "local"
	latency := func() time.Duration { return 100*time.Millisecond + time.Duration(mrand.N(200))*time.Millisecond }
	r := runReplicas(t, n, replicas, shared, latency)
	floor := time.Duration(n) * time.Second / 50
	t.Logf("%d replicas (shared limiter %v): %d messages in %s; floor %s, ratio %.3f",
		replicas, shared, n, r, floor, r.took.Seconds()/floor.Seconds())
	if shared {
		if r.arr.BusiestSecond > busiestMax {
			t.Errorf("busiest second had %d calls, want ≤ %d", r.arr.BusiestSecond, busiestMax)
		}
		if limit := floor * 11 / 10; r.took > limit {
			t.Errorf("took %s, want ≤ %s (1.1 × the %s floor)", r.took, limit, floor)
		}
	}
}
