package scheduler_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/qingchuan/xfbot/scheduler"
	"github.com/qingchuan/xfbot/store"
)

// production is the jobs of config.example.yaml, with their default specs.
var production = []struct{ name, spec string }{
	{"reception", "5 8 * * *"},
	{"leader_digest", "45 8 * * 1-5"},
	{"overdue", "5 9 * * 1-5"},
	{"group_weekly", "10 9 * * 1"},
	{"monthly", "15 9 1 * *"},
	{"group_daily", "35 9 * * 1-5"},
}

// started records a deployment's first start at when, as Run's catch-up does
// on an empty Redis, and checks that it ran nothing.
func started(t *testing.T, s *scheduler.Scheduler, when time.Time) {
	t.Helper()
	if err := s.CatchUp(context.Background(), when); err != nil {
		t.Fatal(err)
	}
}

// wallClock is one replica's clock. After, the scheduler's wait for the end
// of quiet hours, moves it to the end of the wait at once.
type wallClock struct {
	mu     sync.Mutex
	t      time.Time
	origin time.Time // where waits are counted from: the catch-up's start
	waits  []time.Duration
}

func newWallClock(t time.Time) *wallClock { return &wallClock{t: t, origin: t} }

func (c *wallClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *wallClock) Set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.t, c.origin = t, t }

func (c *wallClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.waits = append(c.waits, d)
	if end := c.origin.Add(d); end.After(c.t) {
		c.t = end
	}
	ch := make(chan time.Time, 1)
	ch <- c.t
	return ch
}

func (c *wallClock) Waits() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.waits)
}

// pushes records which job ran at what time, across replicas.
type pushes struct {
	mu  sync.Mutex
	got []string // "job@15:04"
}

func (p *pushes) job(name string) scheduler.Job {
	return scheduler.JobFunc(func(_ context.Context, now time.Time) error {
		p.mu.Lock()
		defer p.mu.Unlock()
		p.got = append(p.got, name+"@"+now.Format("01-02 15:04"))
		return nil
	})
}

func (p *pushes) take() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := p.got
	p.got = nil
	slices.Sort(out)
	return out
}

// replica is a scheduler with the production jobs on st, and its clock.
func replica(t *testing.T, st *store.Store, p *pushes, now time.Time, extra ...string) (*scheduler.Scheduler, *wallClock) {
	t.Helper()
	c := newWallClock(now)
	s := scheduler.New(st, scheduler.Options{Location: shanghai, Now: c.Now, After: c.After})
	jobs := slices.Clone(production)
	for i := 0; i+1 < len(extra); i += 2 {
		jobs = append(jobs, struct{ name, spec string }{extra[i], extra[i+1]})
	}
	for _, j := range jobs {
		if err := s.Add(j.name, j.spec, p.job(j.name), 0); err != nil {
			t.Fatal(err)
		}
	}
	return s, c
}

func same(got, want []string) bool { return fmt.Sprint(got) == fmt.Sprint(want) }

// TestFirstStart covers issue 9 point 13: on an empty Redis at 03:31 the
// catch-up pushed six jobs' last firings to the group. 2026-03-02 is a
// Monday; March began on Sunday the 1st, with the monthly report due 09:15.
func TestFirstStart(t *testing.T) {
	ctx := context.Background()
	tue0331 := at(3, 3, 3, 31)

	t.Run("EmptyRedisAt0331PushesNothing", func(t *testing.T) {
		st := newStore(t)
		var p pushes
		s, c := replica(t, st, &p, tue0331)
		if err := s.CatchUp(ctx, tue0331); err != nil {
			t.Fatal(err)
		}
		if got := p.take(); len(got) != 0 {
			t.Fatalf("first start at 03:31 pushed %v; want nothing", got)
		}
		if w := c.Waits(); len(w) != 0 {
			t.Errorf("first start waited %v for quiet hours to end; nothing was due", w)
		}
		for _, j := range production {
			if last, _ := st.LastJobRun(ctx, j.name); !last.IsZero() {
				t.Errorf("%s: a slot before the first start was marked done: %v", j.name, last)
			}
		}

		// Down again from 03:32 to 10:00: what fell due after the first
		// start is caught up, once; Monday's digest and the 1st's report are
		// from before it and never are.
		ten := at(3, 3, 10, 0)
		c.Set(ten)
		if err := s.CatchUp(ctx, ten); err != nil {
			t.Fatal(err)
		}
		want := []string{"group_daily@03-03 10:00", "leader_digest@03-03 10:00", "overdue@03-03 10:00", "reception@03-03 10:00"}
		if got := p.take(); !same(got, want) {
			t.Errorf("restart at 10:00 pushed %v; want %v", got, want)
		}
	})

	t.Run("ThreeReplicasOnAnEmptyRedis", func(t *testing.T) {
		st := newStore(t)
		var p pushes
		var wg sync.WaitGroup
		for i := range 3 {
			now := tue0331.Add(time.Duration(i) * 700 * time.Millisecond)
			s, _ := replica(t, st, &p, now)
			wg.Go(func() {
				if err := s.CatchUp(ctx, now); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if got := p.take(); len(got) != 0 {
			t.Fatalf("three first starts pushed %v; want nothing", got)
		}
		starts, err := st.JobStarts(ctx, tue0331.Add(time.Hour), "overdue", "monthly")
		if err != nil {
			t.Fatal(err)
		}
		if !starts["overdue"].Equal(starts["monthly"]) || starts["overdue"].Before(tue0331.Truncate(time.Second)) ||
			starts["overdue"].After(tue0331.Add(2*time.Second)) {
			t.Errorf("first starts = %v; want one time, that of one of the three starts", starts)
		}
	})

	t.Run("MissedFiringWaitsForTheEndOfQuietHours", func(t *testing.T) {
		st := newStore(t)
		var p pushes
		// First start Monday 08:00; every replica down from 08:01 to Tuesday
		// 03:31. nightly is scheduled inside the quiet hours, for them.
		s, c := replica(t, st, &p, at(3, 2, 8, 0), "nightly", "0 2 * * *")
		started(t, s, at(3, 2, 8, 0))
		if got := p.take(); len(got) != 0 {
			t.Fatalf("first start pushed %v", got)
		}
		c.Set(tue0331)
		if err := s.CatchUp(ctx, tue0331); err != nil {
			t.Fatal(err)
		}
		// Monday's weekly digest waits for 08:00 and runs once. The daily
		// jobs missed on Monday are superseded: each fires again on Tuesday
		// before 21:00. The 1st's report is from before the first start.
		got := p.take()
		if len(got) == 2 && strings.HasPrefix(got[1], "nightly@") {
			got[1] = "nightly" // its time races with the others' wait on one fake clock
		}
		if want := []string{"group_weekly@03-03 08:00", "nightly"}; !same(got, want) {
			t.Errorf("restart at 03:31 pushed %v; want %v", got, want)
		}
		wantWait := at(3, 3, 8, 0).Sub(tue0331)
		for _, w := range c.Waits() {
			if w != wantWait {
				t.Errorf("waited %v; want %v, until 08:00", w, wantWait)
			}
		}
		if n := len(c.Waits()); n != 5 {
			t.Errorf("%d catch-ups waited; want 5 (the jobs missed on Monday), not nightly", n)
		}
		// A replica that restarts later in the morning has nothing left.
		s2, _ := replica(t, st, &p, at(3, 3, 8, 1), "nightly", "0 2 * * *")
		if err := s2.CatchUp(ctx, at(3, 3, 8, 1)); err != nil {
			t.Fatal(err)
		}
		if got := p.take(); len(got) != 0 {
			t.Errorf("second restart at 08:01 pushed %v; want nothing", got)
		}
	})

	t.Run("ThreeReplicasCatchUpOnce", func(t *testing.T) {
		st := newStore(t)
		var p pushes
		first, _ := replica(t, st, &p, at(3, 2, 8, 0))
		started(t, first, at(3, 2, 8, 0))
		for _, restart := range []struct {
			name string
			at   time.Time
			want []string
		}{
			// In quiet hours: only what no firing supersedes, at 08:00.
			{"InQuietHours", tue0331, []string{"group_weekly"}},
			// Down again until Tuesday 10:00: Tuesday's daily jobs.
			{"AtTen", at(3, 3, 10, 0), []string{"group_daily", "leader_digest", "overdue", "reception"}},
		} {
			t.Run(restart.name, func(t *testing.T) {
				var wg sync.WaitGroup
				for i := range 3 {
					// Clocks a second apart, as replicas' are.
					now := restart.at.Add(time.Duration(i) * time.Second)
					s, _ := replica(t, st, &p, now)
					wg.Go(func() {
						if err := s.CatchUp(ctx, now); err != nil {
							t.Error(err)
						}
					})
				}
				wg.Wait()
				var got []string // job names: which replica's clock ran it is not the point
				for _, g := range p.take() {
					name, _, _ := strings.Cut(g, "@")
					got = append(got, name)
				}
				if !same(got, restart.want) {
					t.Errorf("three replicas pushed %v; want each of %v once", got, restart.want)
				}
			})
		}
	})

	t.Run("StoppedDuringTheWait", func(t *testing.T) {
		st := newStore(t)
		var p pushes
		c := newWallClock(at(3, 2, 8, 0))
		never := func(time.Duration) <-chan time.Time { return nil }
		s := scheduler.New(st, scheduler.Options{Location: shanghai, Now: c.Now, After: never})
		if err := s.Add("group_weekly", "10 9 * * 1", p.job("group_weekly"), 0); err != nil {
			t.Fatal(err)
		}
		started(t, s, at(3, 2, 8, 0))
		stop, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		defer cancel()
		if err := s.CatchUp(stop, tue0331); err != nil {
			t.Fatalf("CatchUp stopped in its wait = %v; want nil", err)
		}
		if got := p.take(); len(got) != 0 {
			t.Fatalf("stopped during the wait, pushed %v", got)
		}
		// The next start after the quiet hours runs it.
		c.Set(at(3, 3, 9, 0))
		if err := s.CatchUp(ctx, at(3, 3, 9, 0)); err != nil {
			t.Fatal(err)
		}
		if got := p.take(); !same(got, []string{"group_weekly@03-03 09:00"}) {
			t.Errorf("next start pushed %v; want the weekly digest at 09:00", got)
		}
	})
}

func TestCatchUpQuietHours(t *testing.T) {
	tests := []struct {
		name     string
		from, to int
		at       time.Time
		quiet    bool
		end      time.Time
	}{
		{"DefaultNight", 0, 0, at(3, 3, 3, 31), true, at(3, 3, 8, 0)},
		{"DefaultEvening", 0, 0, at(3, 3, 21, 0), true, at(3, 4, 8, 0)},
		{"DefaultLastQuietMinute", 0, 0, at(3, 3, 7, 59), true, at(3, 3, 8, 0)},
		{"DefaultDay", 0, 0, at(3, 3, 8, 0), false, at(3, 3, 8, 0)},
		{"DefaultBeforeNine", 0, 0, at(3, 3, 20, 59), false, at(3, 3, 20, 59)},
		{"TenToSeven", 22, 7, at(3, 3, 21, 30), false, at(3, 3, 21, 30)},
		{"TenToSevenNight", 22, 7, at(3, 3, 23, 10), true, at(3, 4, 7, 0)},
		{"WithinOneDay", 0, 6, at(3, 3, 5, 59), true, at(3, 3, 6, 0)},
		{"WithinOneDayEvening", 0, 6, at(3, 3, 23, 0), false, at(3, 3, 23, 0)},
		{"None", 8, 8, at(3, 3, 3, 31), false, at(3, 3, 3, 31)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := scheduler.New(nil, scheduler.Options{Location: shanghai, QuietFrom: tc.from, QuietTo: tc.to})
			if got := s.Quiet(tc.at); got != tc.quiet {
				t.Errorf("Quiet(%v) = %v; want %v", tc.at, got, tc.quiet)
			}
			if got := s.QuietEnd(tc.at); !got.Equal(tc.end) {
				t.Errorf("QuietEnd(%v) = %v; want %v", tc.at, got, tc.end)
			}
		})
	}
}
