package store_test

import (
	"context"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/qingchuan/xfbot/store"
	"github.com/redis/go-redis/v9"
)

func TestJobs(t *testing.T) {
	ctx := context.Background()
	slot := time.Date(2026, 3, 2, 9, 5, 0, 0, time.UTC)

	t.Run("ClaimTwice", func(t *testing.T) {
		st := newTestStore(t)
		ok, err := st.ClaimJob(ctx, "overdue", slot, time.Minute)
		if err != nil || !ok {
			t.Fatalf("first claim = %v, %v; want true", ok, err)
		}
		ok, err = st.ClaimJob(ctx, "overdue", slot, time.Minute)
		if err != nil || ok {
			t.Fatalf("second claim = %v, %v; want false", ok, err)
		}
		// Another slot and another job are claims of their own.
		if ok, err := st.ClaimJob(ctx, "overdue", slot.Add(24*time.Hour), time.Minute); err != nil || !ok {
			t.Errorf("next day's claim = %v, %v; want true", ok, err)
		}
		if ok, err := st.ClaimJob(ctx, "monthly", slot, time.Minute); err != nil || !ok {
			t.Errorf("other job's claim = %v, %v; want true", ok, err)
		}
	})

	t.Run("ClaimConcurrently", func(t *testing.T) {
		st := newTestStore(t)
		var won atomic.Int32
		var wg sync.WaitGroup
		for range 20 {
			wg.Go(func() {
				ok, err := st.ClaimJob(ctx, "overdue", slot, time.Minute)
				if err != nil {
					t.Error(err)
				}
				if ok {
					won.Add(1)
				}
			})
		}
		wg.Wait()
		if n := won.Load(); n != 1 {
			t.Fatalf("%d of 20 claims won; want 1", n)
		}
	})

	t.Run("ClaimAfterLease", func(t *testing.T) {
		st, advance := newLeaseStore(t)
		if ok, err := st.ClaimJob(ctx, "overdue", slot, 200*time.Millisecond); err != nil || !ok {
			t.Fatalf("claim = %v, %v; want true", ok, err)
		}
		if ok, _ := st.ClaimJob(ctx, "overdue", slot, 200*time.Millisecond); ok {
			t.Fatal("claim during the lease won")
		}
		advance(300 * time.Millisecond)
		// A real Redis expires on its own clock; give it a few tries.
		deadline := time.Now().Add(5 * time.Second)
		for {
			ok, err := st.ClaimJob(ctx, "overdue", slot, time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			if ok {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("claim after the lease lost")
			}
			time.Sleep(50 * time.Millisecond)
		}
	})

	t.Run("ClaimNeedsLease", func(t *testing.T) {
		st := newTestStore(t)
		if _, err := st.ClaimJob(ctx, "overdue", slot, 0); err == nil {
			t.Fatal("claim without a lease accepted")
		}
	})

	t.Run("LastJobRunNever", func(t *testing.T) {
		st := newTestStore(t)
		last, err := st.LastJobRun(ctx, "overdue")
		if err != nil || !last.IsZero() {
			t.Fatalf("LastJobRun = %v, %v; want zero", last, err)
		}
	})

	t.Run("FinishKeepsMax", func(t *testing.T) {
		st := newTestStore(t)
		later, earlier := slot.Add(24*time.Hour), slot
		for _, s := range []time.Time{later, earlier} {
			if err := st.FinishJob(ctx, "overdue", s); err != nil {
				t.Fatal(err)
			}
		}
		last, err := st.LastJobRun(ctx, "overdue")
		if err != nil || !last.Equal(later) {
			t.Fatalf("LastJobRun = %v, %v; want %v", last, err, later)
		}
		if last, _ := st.LastJobRun(ctx, "monthly"); !last.IsZero() {
			t.Errorf("other job's LastJobRun = %v; want zero", last)
		}
	})

	t.Run("FinishedSlotNotClaimable", func(t *testing.T) {
		st := newTestStore(t)
		if ok, _ := st.ClaimJob(ctx, "overdue", slot, time.Minute); !ok {
			t.Fatal("claim lost")
		}
		if err := st.FinishJob(ctx, "overdue", slot); err != nil {
			t.Fatal(err)
		}
		// The claim is gone, but a late replica still must not run the slot,
		// nor an older one.
		for _, s := range []time.Time{slot, slot.Add(-time.Hour)} {
			if ok, err := st.ClaimJob(ctx, "overdue", s, time.Minute); err != nil || ok {
				t.Errorf("claim of %v after finish = %v, %v; want false", s, ok, err)
			}
		}
		if ok, err := st.ClaimJob(ctx, "overdue", slot.Add(time.Minute), time.Minute); err != nil || !ok {
			t.Errorf("claim of a later slot = %v, %v; want true", ok, err)
		}
	})

	t.Run("Release", func(t *testing.T) {
		st := newTestStore(t)
		if ok, _ := st.ClaimJob(ctx, "overdue", slot, time.Minute); !ok {
			t.Fatal("claim lost")
		}
		if err := st.ReleaseJob(ctx, "overdue", slot); err != nil {
			t.Fatal(err)
		}
		if ok, err := st.ClaimJob(ctx, "overdue", slot, time.Minute); err != nil || !ok {
			t.Fatalf("claim after release = %v, %v; want true", ok, err)
		}
		if last, _ := st.LastJobRun(ctx, "overdue"); !last.IsZero() {
			t.Errorf("release finished the slot: LastJobRun = %v", last)
		}
	})
}

func TestJobStarts(t *testing.T) {
	ctx := context.Background()
	first := time.Date(2026, 3, 3, 3, 31, 0, 0, time.UTC)

	t.Run("FirstCallerWins", func(t *testing.T) {
		st := newTestStore(t)
		got, err := st.JobStarts(ctx, first, "overdue", "monthly")
		if err != nil {
			t.Fatal(err)
		}
		for _, j := range []string{"overdue", "monthly"} {
			if !got[j].Equal(first) {
				t.Errorf("%s: first start %v; want %v", j, got[j], first)
			}
		}
		again, err := st.JobStarts(ctx, first.Add(48*time.Hour), "overdue", "monthly")
		if err != nil {
			t.Fatal(err)
		}
		if !again["overdue"].Equal(first) || !again["monthly"].Equal(first) {
			t.Errorf("a later start moved the first start: %v", again)
		}
	})

	t.Run("ConcurrentStartsAgree", func(t *testing.T) {
		st := newTestStore(t)
		var (
			mu   sync.Mutex
			seen = map[int64]int{}
			wg   sync.WaitGroup
		)
		for i := range 20 {
			wg.Go(func() {
				got, err := st.JobStarts(ctx, first.Add(time.Duration(i)*time.Second), "overdue")
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				seen[got["overdue"].Unix()]++
				mu.Unlock()
			})
		}
		wg.Wait()
		if len(seen) != 1 {
			t.Fatalf("20 replicas starting at once saw %d first starts: %v", len(seen), seen)
		}
	})

	t.Run("JobAddedLater", func(t *testing.T) {
		st := newTestStore(t)
		if _, err := st.JobStarts(ctx, first, "overdue"); err != nil {
			t.Fatal(err)
		}
		later := first.AddDate(0, 1, 0)
		got, err := st.JobStarts(ctx, later, "overdue", "monthly")
		if err != nil {
			t.Fatal(err)
		}
		if !got["overdue"].Equal(first) || !got["monthly"].Equal(later) {
			t.Errorf("starts = %v; want overdue at %v, monthly (new) at %v", got, first, later)
		}
	})

	t.Run("OlderDeploymentKeepsItsDoneSlot", func(t *testing.T) {
		st := newTestStore(t)
		done := first.Add(-72 * time.Hour)
		if err := st.FinishJob(ctx, "overdue", done); err != nil {
			t.Fatal(err)
		}
		got, err := st.JobStarts(ctx, first, "overdue", "monthly")
		if err != nil {
			t.Fatal(err)
		}
		if !got["overdue"].Equal(done) || !got["monthly"].Equal(first) {
			t.Errorf("starts = %v; want overdue at its done slot %v, monthly at %v", got, done, first)
		}
	})

	t.Run("NoJobs", func(t *testing.T) {
		got, err := newTestStore(t).JobStarts(ctx, first)
		if err != nil || len(got) != 0 {
			t.Fatalf("JobStarts() = %v, %v; want empty", got, err)
		}
	})
}

// newLeaseStore is newTestStore for tests that need a lease to run out, with
// the function that lets d pass for Redis: miniredis does not expire keys on
// its own and is fast-forwarded; a real Redis is waited on.
func newLeaseStore(t *testing.T) (*store.Store, func(d time.Duration)) {
	t.Helper()
	if os.Getenv("XFBOT_TEST_REDIS_ADDR") != "" {
		return newTestStore(t), time.Sleep
	}
	mr := miniredis.RunT(t)
	rdb := redis.NewClient(&redis.Options{Addr: mr.Addr()})
	t.Cleanup(func() { rdb.Close() })
	return store.New(rdb, "t"), mr.FastForward
}
