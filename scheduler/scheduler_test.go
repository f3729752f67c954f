package scheduler_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/qingchuan/xfbot/internal/testredis"
	"github.com/qingchuan/xfbot/scheduler"
	"github.com/qingchuan/xfbot/store"
)

var shanghai = mustZone("Asia/Shanghai")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// at is a time in Shanghai. 2026-03-02 is a Monday.
func at(month time.Month, day, hour, min int) time.Time {
	return time.Date(2026, month, day, hour, min, 0, 0, shanghai)
}

func newStore(t *testing.T) *store.Store {
	t.Helper()
	rdb, prefix := testredis.New(t)
	return store.New(rdb, prefix)
}

// newLeaseStore is newStore for tests that need a lease to run out, with the
// function that lets d pass for Redis: miniredis does not expire keys on its
// own and is fast-forwarded; a real Redis is waited on.
func newLeaseStore(t *testing.T) (*store.Store, func(time.Duration)) {
	t.Helper()
	if testredis.Real() {
		return newStore(t), time.Sleep
	}
	mr := miniredis.RunT(t)
	rdb := redis.NewClient(&redis.Options{Addr: mr.Addr()})
	t.Cleanup(func() { rdb.Close() })
	return store.New(rdb, "t"), mr.FastForward
}

// fixed is a clock that reads t.
func fixed(t time.Time) func() time.Time { return func() time.Time { return t } }

// counter is a job body that counts its runs and remembers the times it got.
type counter struct {
	mu   sync.Mutex
	nows []time.Time
}

func (c *counter) Run(_ context.Context, now time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.nows = append(c.nows, now)
	return nil
}

func (c *counter) runs() []time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Time(nil), c.nows...)
}

// replicas returns n schedulers on one store, each with job under name.
func replicas(t *testing.T, st *store.Store, n int, opt scheduler.Options, name, spec string, job scheduler.Job) []*scheduler.Scheduler {
	t.Helper()
	out := make([]*scheduler.Scheduler, n)
	for i := range out {
		out[i] = scheduler.New(st, opt)
		if err := out[i].Add(name, spec, job, 0); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func TestFire(t *testing.T) {
	ctx := context.Background()
	slot := at(3, 2, 9, 5)

	t.Run("OneOfThreeReplicasRuns", func(t *testing.T) {
		st := newStore(t)
		var c counter
		rs := replicas(t, st, 3, scheduler.Options{Now: fixed(slot.Add(time.Second))}, "overdue", "5 9 * * 1-5", &c)
		var won atomic.Int32
		var wg sync.WaitGroup
		for _, s := range rs {
			wg.Go(func() {
				ran, err := s.Fire(ctx, "overdue", slot)
				if err != nil {
					t.Error(err)
				}
				if ran {
					won.Add(1)
				}
			})
		}
		wg.Wait()
		if n, runs := won.Load(), len(c.runs()); n != 1 || runs != 1 {
			t.Fatalf("%d replicas ran, body ran %d times; want 1 and 1", n, runs)
		}
		// A replica that wakes after the winner finished must not run it again.
		for i, s := range rs {
			if ran, err := s.Fire(ctx, "overdue", slot); ran || err != nil {
				t.Errorf("replica %d, late: Fire = %v, %v; want false, nil", i, ran, err)
			}
		}
		last, err := st.LastJobRun(ctx, "overdue")
		if err != nil || !last.Equal(slot) {
			t.Errorf("LastJobRun = %v, %v; want %v", last, err, slot)
		}
	})

	t.Run("BodyGetsTheClockNotTheSlot", func(t *testing.T) {
		st := newStore(t)
		var c counter
		clock := at(3, 2, 9, 5).Add(42 * time.Second).UTC()
		s := scheduler.New(st, scheduler.Options{Location: shanghai, Now: fixed(clock)})
		if err := s.Add("overdue", "5 9 * * 1-5", &c, 0); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Fire(ctx, "overdue", slot); err != nil {
			t.Fatal(err)
		}
		runs := c.runs()
		if len(runs) != 1 || !runs[0].Equal(clock) || runs[0].Location() != shanghai {
			t.Fatalf("body got %v; want %v in Asia/Shanghai", runs, clock)
		}
	})

	t.Run("FailedJobRunsAgain", func(t *testing.T) {
		st := newStore(t)
		calls := 0
		job := scheduler.JobFunc(func(context.Context, time.Time) error {
			calls++
			if calls == 1 {
				return errors.New("feishu down")
			}
			return nil
		})
		s := scheduler.New(st, scheduler.Options{Now: fixed(slot)})
		if err := s.Add("overdue", "5 9 * * 1-5", job, 0); err != nil {
			t.Fatal(err)
		}
		ran, err := s.Fire(ctx, "overdue", slot)
		if !ran || err == nil || !strings.Contains(err.Error(), "feishu down") {
			t.Fatalf("failing Fire = %v, %v; want true and the job's error", ran, err)
		}
		if last, _ := st.LastJobRun(ctx, "overdue"); !last.IsZero() {
			t.Fatalf("failed slot finished: LastJobRun = %v", last)
		}
		if ran, err := s.Fire(ctx, "overdue", slot); !ran || err != nil {
			t.Fatalf("retry Fire = %v, %v; want true, nil", ran, err)
		}
		if ran, err := s.Fire(ctx, "overdue", slot); ran || err != nil {
			t.Fatalf("Fire after success = %v, %v; want false, nil", ran, err)
		}
		if calls != 2 {
			t.Errorf("body ran %d times; want 2", calls)
		}
	})

	t.Run("PanicIsAnError", func(t *testing.T) {
		st := newStore(t)
		calls := 0
		job := scheduler.JobFunc(func(context.Context, time.Time) error {
			calls++
			if calls == 1 {
				panic("nil map")
			}
			return nil
		})
		s := scheduler.New(st, scheduler.Options{Now: fixed(slot)})
		if err := s.Add("overdue", "5 9 * * 1-5", job, 0); err != nil {
			t.Fatal(err)
		}
		ran, err := s.Fire(ctx, "overdue", slot)
		if !ran || err == nil || !strings.Contains(err.Error(), "nil map") {
			t.Fatalf("panicking Fire = %v, %v; want true and the panic as an error", ran, err)
		}
		if ran, err := s.Fire(ctx, "overdue", slot); !ran || err != nil {
			t.Fatalf("retry Fire = %v, %v; want true, nil", ran, err)
		}
	})

	t.Run("StoppedDuringJitter", func(t *testing.T) {
		st := newStore(t)
		var c counter
		opt := scheduler.Options{LockTTL: 4 * time.Hour, Now: fixed(slot)}
		slow := scheduler.New(st, opt)
		if err := slow.Add("overdue", "5 9 * * 1-5", &c, 2*time.Hour); err != nil {
			t.Fatal(err)
		}
		short, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
		defer cancel()
		ran, err := slow.Fire(short, "overdue", slot)
		if ran || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Fire stopped in its jitter = %v, %v; want false, deadline exceeded", ran, err)
		}
		// The claim was given back: another replica runs the slot at once.
		other := replicas(t, st, 1, opt, "overdue", "5 9 * * 1-5", &c)[0]
		if ran, err := other.Fire(ctx, "overdue", slot); !ran || err != nil {
			t.Fatalf("other replica's Fire = %v, %v; want true, nil", ran, err)
		}
		if n := len(c.runs()); n != 1 {
			t.Errorf("body ran %d times; want 1", n)
		}
	})

	t.Run("UnknownJob", func(t *testing.T) {
		s := scheduler.New(newStore(t), scheduler.Options{})
		if _, err := s.Fire(ctx, "nope", slot); err == nil {
			t.Fatal("Fire of an unknown job succeeded")
		}
	})

	t.Run("NoStore", func(t *testing.T) {
		s := scheduler.New(nil, scheduler.Options{})
		if err := s.Add("overdue", "5 9 * * 1-5", &counter{}, 0); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Fire(ctx, "overdue", slot); err == nil {
			t.Error("Fire without a store succeeded")
		}
		if err := s.Run(ctx); err == nil {
			t.Error("Run without a store succeeded")
		}
	})
}

func TestAdd(t *testing.T) {
	job := &counter{}
	for _, tc := range []struct {
		name, job, spec string
		jitter          time.Duration
		want            string // in the error; "" for success
	}{
		{"Standard", "overdue", "5 9 * * 1-5", time.Minute, ""},
		{"Descriptor", "overdue", "@daily", 0, ""},
		{"Every", "overdue", "@every 2s", 0, ""},
		{"BadSpecNamesJob", "group_daily", "61 9 * * *", 0, "group_daily"},
		{"SecondsField", "overdue", "0 5 9 * * 1-5", 0, "overdue"},
		{"BadName", "over:due", "@daily", 0, "over:due"},
		{"EmptyName", "", "@daily", 0, "name"},
		{"NegativeJitter", "overdue", "@daily", -time.Second, "jitter"},
		{"JitterOverHalfLease", "overdue", "@daily", 6 * time.Minute, "jitter"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := scheduler.New(nil, scheduler.Options{})
			err := s.Add(tc.job, tc.spec, job, tc.jitter)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("Add: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("Add = %v; want an error naming %q", err, tc.want)
			}
		})
	}

	t.Run("Twice", func(t *testing.T) {
		s := scheduler.New(nil, scheduler.Options{})
		if err := s.Add("overdue", "@daily", job, 0); err != nil {
			t.Fatal(err)
		}
		if err := s.Add("overdue", "@hourly", job, 0); err == nil {
			t.Fatal("second Add of one name succeeded")
		}
	})

	t.Run("NilBody", func(t *testing.T) {
		if err := scheduler.New(nil, scheduler.Options{}).Add("overdue", "@daily", nil, 0); err == nil {
			t.Fatal("Add without a body succeeded")
		}
	})

	t.Run("Jobs", func(t *testing.T) {
		s := scheduler.New(nil, scheduler.Options{})
		for _, j := range []scheduler.JobInfo{{"overdue", "5 9 * * 1-5", time.Minute}, {"monthly", "15 9 1 * *", 0}} {
			if err := s.Add(j.Name, j.Spec, job, j.Jitter); err != nil {
				t.Fatal(err)
			}
		}
		got := s.Jobs()
		want := []scheduler.JobInfo{{"overdue", "5 9 * * 1-5", time.Minute}, {"monthly", "15 9 1 * *", 0}}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("Jobs = %v; want %v", got, want)
		}
	})

	t.Run("AfterRun", func(t *testing.T) {
		s := scheduler.New(newStore(t), scheduler.Options{})
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error)
		go func() { done <- s.Run(ctx) }()
		// Run marks itself started first thing; poll until it has.
		deadline := time.Now().Add(10 * time.Second)
		for i := 0; ; i++ {
			err := s.Add(fmt.Sprintf("early%d", i), "@daily", job, 0)
			if err != nil {
				if !strings.Contains(err.Error(), "after Run") {
					t.Fatal(err)
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("Add keeps succeeding while Run runs")
			}
			time.Sleep(10 * time.Millisecond)
		}
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	})
}

func TestNext(t *testing.T) {
	s := scheduler.New(nil, scheduler.Options{Location: shanghai})
	for name, spec := range map[string]string{"overdue": "5 9 * * 1-5", "tick": "@every 2s", "never": "0 0 30 2 *"} {
		if err := s.Add(name, spec, &counter{}, 0); err != nil {
			t.Fatal(err)
		}
	}
	weekdays := []time.Time{at(1, 12, 9, 5), at(1, 13, 9, 5), at(1, 14, 9, 5), at(1, 15, 9, 5), at(1, 16, 9, 5)}

	for _, tc := range []struct {
		name, job string
		from      time.Time
		want      []time.Time
	}{
		// 2026-01-09 is a Friday: after its 09:05 the weekend is skipped.
		{"AcrossWeekend", "overdue", at(1, 9, 10, 0), weekdays},
		{"FromSaturday", "overdue", at(1, 10, 9, 5), weekdays},
		// 01:00 UTC is 09:00 in Shanghai: the spec is read in Shanghai.
		{"FromUTC", "overdue", time.Date(2026, 1, 9, 1, 0, 0, 0, time.UTC),
			[]time.Time{at(1, 9, 9, 5), at(1, 12, 9, 5), at(1, 13, 9, 5), at(1, 14, 9, 5), at(1, 15, 9, 5)}},
		{"AtAFiring", "overdue", at(1, 9, 9, 5), weekdays},
		{"EveryAligned", "tick", at(1, 9, 10, 0).Add(3500 * time.Millisecond), []time.Time{
			at(1, 9, 10, 0).Add(4 * time.Second), at(1, 9, 10, 0).Add(6 * time.Second), at(1, 9, 10, 0).Add(8 * time.Second),
			at(1, 9, 10, 0).Add(10 * time.Second), at(1, 9, 10, 0).Add(12 * time.Second)}},
		{"Never", "never", at(1, 9, 10, 0), []time.Time{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.Next(tc.job, tc.from, 5)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("Next = %v; want %v", got, tc.want)
			}
			for i := range got {
				if !got[i].Equal(tc.want[i]) || got[i].Location() != shanghai {
					t.Fatalf("Next = %v; want %v in Asia/Shanghai", got, tc.want)
				}
			}
		})
	}

	t.Run("UnknownJob", func(t *testing.T) {
		if _, err := s.Next("nope", at(1, 9, 10, 0), 5); err == nil {
			t.Fatal("Next of an unknown job succeeded")
		}
	})
}

func TestSlot(t *testing.T) {
	s := scheduler.New(nil, scheduler.Options{Location: shanghai})
	for name, spec := range map[string]string{"overdue": "5 9 * * 1-5", "tick": "@every 2s", "monthly": "15 9 1 * *", "minutely": "* * * * *"} {
		if err := s.Add(name, spec, &counter{}, 0); err != nil {
			t.Fatal(err)
		}
	}
	fri := at(3, 6, 9, 5) // 2026-03-06 is a Friday
	for _, tc := range []struct {
		name, job string
		now, want time.Time
	}{
		{"OnTime", "overdue", fri, fri},
		{"WokeLate", "overdue", fri.Add(900 * time.Millisecond), fri},
		// A replica paused past the minute still names the firing it owes,
		// not 09:06, which no other replica would contend for.
		{"WokeMinutesLate", "overdue", fri.Add(150 * time.Second), fri},
		{"Weekend", "overdue", at(3, 8, 12, 0), fri},
		{"MondayBeforeNine", "overdue", at(3, 9, 9, 4).Add(59 * time.Second), fri},
		{"InUTC", "overdue", fri.Add(time.Second).UTC(), fri},
		{"Every", "tick", fri.Add(3500 * time.Millisecond), fri.Add(2 * time.Second)},
		{"EveryOnGrid", "tick", fri.Add(4 * time.Second), fri.Add(4 * time.Second)},
		{"Minutely", "minutely", fri.Add(59 * time.Second), fri},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.Slot(tc.job, tc.now)
			if err != nil || !got.Equal(tc.want) {
				t.Fatalf("Slot(%v) = %v, %v; want %v", tc.now, got, err, tc.want)
			}
		})
	}
	t.Run("OutsideWindow", func(t *testing.T) {
		if got, err := s.Slot("monthly", at(3, 20, 9, 0)); err == nil {
			t.Fatalf("Slot = %v; want an error: the 1st is more than a week back", got)
		}
	})
}

func TestCatchUp(t *testing.T) {
	ctx := context.Background()
	const daily = "30 9 * * *"
	mon, wed := at(3, 2, 9, 30), at(3, 4, 9, 30)
	wedAfternoon := at(3, 4, 14, 0)

	t.Run("RunsMissedDailyOnce", func(t *testing.T) {
		st := newStore(t)
		var c counter
		rs := replicas(t, st, 3, scheduler.Options{Now: fixed(wedAfternoon)}, "daily", daily, &c)
		// Ran on Monday, then down until Wednesday afternoon.
		if ran, err := rs[0].Fire(ctx, "daily", mon); !ran || err != nil {
			t.Fatalf("Monday's Fire = %v, %v", ran, err)
		}
		var wg sync.WaitGroup
		for _, s := range rs {
			wg.Go(func() {
				if err := s.CatchUp(ctx, wedAfternoon); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		runs := c.runs()
		if len(runs) != 2 || !runs[1].Equal(wedAfternoon) {
			t.Fatalf("runs = %v; want Monday's and one catch-up at %v", runs, wedAfternoon)
		}
		if last, _ := st.LastJobRun(ctx, "daily"); !last.Equal(wed) {
			t.Errorf("LastJobRun = %v; want Wednesday's slot %v", last, wed)
		}
		// A second start the same day has nothing to catch up.
		if err := rs[1].CatchUp(ctx, wedAfternoon.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if n := len(c.runs()); n != 2 {
			t.Errorf("second catch-up ran the job: %d runs", n)
		}
	})

	t.Run("NothingWhenAlreadyRan", func(t *testing.T) {
		st := newStore(t)
		var c counter
		s := replicas(t, st, 1, scheduler.Options{Now: fixed(wed)}, "daily", daily, &c)[0]
		if ran, err := s.Fire(ctx, "daily", wed); !ran || err != nil {
			t.Fatalf("Fire = %v, %v", ran, err)
		}
		for _, now := range []time.Time{wedAfternoon, at(3, 5, 9, 29)} {
			if err := s.CatchUp(ctx, now); err != nil {
				t.Fatal(err)
			}
		}
		if n := len(c.runs()); n != 1 {
			t.Fatalf("body ran %d times; want 1", n)
		}
	})

	t.Run("NeverRanCountsAsMissed", func(t *testing.T) {
		st := newStore(t)
		var c counter
		s := replicas(t, st, 1, scheduler.Options{Now: fixed(wedAfternoon)}, "daily", daily, &c)[0]
		started(t, s, at(3, 2, 8, 0)) // the first start; the job never ran since
		if err := s.CatchUp(ctx, wedAfternoon); err != nil {
			t.Fatal(err)
		}
		if n := len(c.runs()); n != 1 {
			t.Fatalf("body ran %d times; want 1", n)
		}
	})

	t.Run("OlderThanAWeek", func(t *testing.T) {
		st := newStore(t)
		var c counter
		s := replicas(t, st, 1, scheduler.Options{}, "monthly", "15 9 1 * *", &c)[0]
		if err := s.CatchUp(ctx, at(3, 20, 9, 0)); err != nil {
			t.Fatal(err)
		}
		if n := len(c.runs()); n != 0 {
			t.Fatalf("a firing 19 days old ran at catch-up")
		}
	})

	t.Run("FailureIsReturned", func(t *testing.T) {
		st := newStore(t)
		job := scheduler.JobFunc(func(context.Context, time.Time) error { return errors.New("boom") })
		s := replicas(t, st, 1, scheduler.Options{}, "daily", daily, job)[0]
		started(t, s, at(3, 2, 8, 0))
		if err := s.CatchUp(ctx, wedAfternoon); err == nil || !strings.Contains(err.Error(), "boom") {
			t.Fatalf("CatchUp = %v; want the job's error", err)
		}
	})
}

// TestKillMidRun covers a replica that stops while running a job. Stopped by
// its context (shutdown), it gives its claim back, so another replica's
// catch-up runs the slot at once. Killed outright, it leaves its claim, and the
// slot waits for the lease (LockTTL) to run out: that is what the lease is for,
// and why it is short here.
func TestKillMidRun(t *testing.T) {
	slot := at(3, 4, 9, 30)
	later := at(3, 4, 11, 0)

	t.Run("CancelledRunIsCaughtUp", func(t *testing.T) {
		st := newStore(t)
		ctxA, cancelA := context.WithCancel(context.Background())
		defer cancelA()
		var calls atomic.Int32
		var c counter
		job := scheduler.JobFunc(func(ctx context.Context, now time.Time) error {
			if calls.Add(1) == 1 {
				cancelA() // A goes down in the middle of the run
				<-ctx.Done()
				return ctx.Err()
			}
			return c.Run(ctx, now)
		})
		opt := scheduler.Options{Now: fixed(later)}
		rs := replicas(t, st, 2, opt, "daily", "30 9 * * *", job)
		started(t, rs[0], at(3, 4, 8, 0))
		if ran, err := rs[0].Fire(ctxA, "daily", slot); !ran || !errors.Is(err, context.Canceled) {
			t.Fatalf("A's Fire = %v, %v; want true, canceled", ran, err)
		}
		if last, _ := st.LastJobRun(context.Background(), "daily"); !last.IsZero() {
			t.Fatalf("A's cancelled run finished the slot: %v", last)
		}
		if err := rs[1].CatchUp(context.Background(), later); err != nil {
			t.Fatal(err)
		}
		if runs := c.runs(); len(runs) != 1 || !runs[0].Equal(later) {
			t.Fatalf("B's catch-up runs = %v; want one at %v", runs, later)
		}
		if last, _ := st.LastJobRun(context.Background(), "daily"); !last.Equal(slot) {
			t.Errorf("LastJobRun = %v; want %v", last, slot)
		}
	})

	t.Run("CrashedClaimWaitsForLease", func(t *testing.T) {
		st, advance := newLeaseStore(t)
		ctx := context.Background()
		const lease = time.Second
		var c counter
		b := replicas(t, st, 1, scheduler.Options{LockTTL: lease, Now: fixed(later)}, "daily", "30 9 * * *", &c)[0]
		started(t, b, at(3, 4, 8, 0))
		// A claimed the slot, as Fire does first, and died: nothing else of it
		// reaches Redis.
		if ok, err := st.ClaimJob(ctx, "daily", slot, lease); !ok || err != nil {
			t.Fatalf("A's claim = %v, %v", ok, err)
		}
		if err := b.CatchUp(ctx, later); err != nil {
			t.Fatal(err)
		}
		if n := len(c.runs()); n != 0 {
			t.Fatal("B ran the slot while A's claim held")
		}
		advance(lease + lease/2)
		deadline := time.Now().Add(10 * time.Second)
		for len(c.runs()) == 0 {
			if time.Now().After(deadline) {
				t.Fatal("B never caught up after A's lease ran out")
			}
			if err := b.CatchUp(ctx, later); err != nil {
				t.Fatal(err)
			}
			if len(c.runs()) == 0 {
				time.Sleep(100 * time.Millisecond)
			}
		}
		if err := b.CatchUp(ctx, later); err != nil {
			t.Fatal(err)
		}
		if n := len(c.runs()); n != 1 {
			t.Fatalf("body ran %d times; want 1", n)
		}
	})
}

// TestEveryWithCron runs three replicas with the real cron on "@every 2s" for
// a few seconds: the job runs, and never twice for one slot.
func TestEveryWithCron(t *testing.T) {
	const every = 2 * time.Second
	st := newStore(t)
	planner := scheduler.New(nil, scheduler.Options{Location: shanghai})
	if err := planner.Add("tick", "@every 2s", &counter{}, 0); err != nil {
		t.Fatal(err)
	}
	var (
		mu          sync.Mutex
		inflight    = map[time.Time]int{} // slot -> bodies running
		runs        = map[time.Time]int{} // slot -> bodies started
		overlapping bool
		total       atomic.Int32
	)
	job := scheduler.JobFunc(func(ctx context.Context, now time.Time) error {
		// The body starts right after its claim, well inside its slot, so the
		// slot of now is the slot claimed.
		slot, err := planner.Slot("tick", now)
		if err != nil {
			return err
		}
		mu.Lock()
		inflight[slot]++
		runs[slot]++
		overlapping = overlapping || inflight[slot] > 1
		mu.Unlock()
		// Long enough for an overlapping duplicate to be seen, far below 2 s.
		select {
		case <-time.After(100 * time.Millisecond):
		case <-ctx.Done():
		}
		mu.Lock()
		inflight[slot]--
		mu.Unlock()
		total.Add(1)
		return nil
	})
	rs := replicas(t, st, 3, scheduler.Options{Location: shanghai}, "tick", "@every 2s", job)

	// Start just after a grid point, so that the start's catch-up (the slot
	// that just began) is over long before cron's first firing.
	time.Sleep(time.Until(time.Now().Truncate(every).Add(every + 50*time.Millisecond)))
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, len(rs))
	for _, s := range rs {
		go func() { errc <- s.Run(ctx) }()
	}
	// On this empty Redis the start is the first: catch-up runs nothing, and
	// cron fires every 2 s; wait for two firings. The bound is generous for
	// loaded machines; it is not what is tested.
	deadline := time.Now().Add(30 * time.Second)
	for total.Load() < 2 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	for range rs {
		if err := <-errc; err != nil {
			t.Fatal(err)
		}
	}

	mu.Lock()
	defer mu.Unlock()
	if n := total.Load(); n < 2 {
		t.Fatalf("%d runs in 30 s; want at least 2", n)
	}
	if overlapping {
		t.Errorf("one slot ran on two replicas at once: %v", runs)
	}
	for slot, n := range runs {
		if n != 1 {
			t.Errorf("slot %v ran %d times; want 1", slot.Format(time.TimeOnly), n)
		}
	}
	last, err := st.LastJobRun(context.Background(), "tick")
	if err != nil || last.IsZero() || last.Unix()%2 != 0 {
		t.Fatalf("LastJobRun = %v, %v; want an even second", last, err)
	}
}

// fakeClock is one replica's clock in TestSimulatedWeek.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.t = t }

// TestSimulatedWeek steps a fake clock minute by minute through a week. Three
// replicas, one a second ahead and one half a minute behind, act as cron
// does: when a job is due by their own clock they name the slot of that
// moment and Fire it. Every firing must run exactly once.
func TestSimulatedWeek(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	specs := []struct{ name, spec string }{
		{"daily", "35 9 * * *"},
		{"weekday", "5 9 * * 1-5"},
		{"weekly", "10 9 * * 1"},
		{"hourly", "0 * * * *"},
	}
	skews := []time.Duration{0, time.Second, -30 * time.Second}
	begin := at(3, 2, 0, 0) // Monday
	end := begin.AddDate(0, 0, 7)

	var mu sync.Mutex
	got := map[string]map[time.Time]int{} // job -> slot -> runs
	var planner *scheduler.Scheduler      // shared spec → slot arithmetic
	record := func(name string) scheduler.Job {
		return scheduler.JobFunc(func(_ context.Context, now time.Time) error {
			slot, err := planner.Slot(name, now)
			if err != nil {
				return err
			}
			mu.Lock()
			defer mu.Unlock()
			if got[name] == nil {
				got[name] = map[time.Time]int{}
			}
			got[name][slot]++
			return nil
		})
	}

	type replica struct {
		s     *scheduler.Scheduler
		clock *fakeClock
		skew  time.Duration
		due   map[string]time.Time
	}
	planner = scheduler.New(nil, scheduler.Options{Location: shanghai})
	var rs []*replica
	for _, skew := range skews {
		r := &replica{clock: &fakeClock{}, skew: skew, due: map[string]time.Time{}}
		r.s = scheduler.New(st, scheduler.Options{Location: shanghai, Now: r.clock.Now})
		for _, j := range specs {
			if err := r.s.Add(j.name, j.spec, record(j.name), 0); err != nil {
				t.Fatal(err)
			}
			next, err := r.s.Next(j.name, begin.Add(skew), 1)
			if err != nil {
				t.Fatal(err)
			}
			r.due[j.name] = next[0]
		}
		rs = append(rs, r)
	}
	for _, j := range specs {
		if err := planner.Add(j.name, j.spec, &counter{}, 0); err != nil {
			t.Fatal(err)
		}
	}

	for now := begin; now.Before(end); now = now.Add(time.Minute) {
		var wg sync.WaitGroup
		for _, r := range rs {
			own := now.Add(r.skew)
			r.clock.Set(own)
			for _, j := range specs {
				if own.Before(r.due[j.name]) {
					continue
				}
				next, err := r.s.Next(j.name, own, 1)
				if err != nil {
					t.Fatal(err)
				}
				r.due[j.name] = next[0]
				wg.Go(func() {
					slot, err := r.s.Slot(j.name, own)
					if err != nil {
						t.Error(err)
						return
					}
					if _, err := r.s.Fire(ctx, j.name, slot); err != nil {
						t.Error(err)
					}
				})
			}
		}
		wg.Wait()
	}

	for _, j := range specs {
		// The replica half a minute behind has not reached the week's first
		// minute; firings are due from begin to the last one before end.
		want, err := planner.Next(j.name, begin.Add(-time.Second), 7*24*60)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, slot := range want {
			if !slot.Before(end.Add(-time.Minute)) {
				break
			}
			n++
			if runs := got[j.name][slot]; runs != 1 {
				t.Errorf("%s at %v ran %d times; want 1", j.name, slot, runs)
			}
		}
		if len(got[j.name]) != n {
			t.Errorf("%s ran for %d slots; want %d", j.name, len(got[j.name]), n)
		}
	}
	if n := len(got["daily"]); n != 7 {
		t.Errorf("daily ran on %d days; want 7", n)
	}
	if n := len(got["weekday"]); n != 5 {
		t.Errorf("weekday ran on %d days; want 5", n)
	}
}
