package scheduler_test

import (
	"context"
	"fmt"
	"regexp"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/internal/testredis"
	"github.com/qingchuan/xfbot/scheduler"
	"github.com/qingchuan/xfbot/store"
)

// killHook cancels a replica's run after its n-th script call: a replica
// dying halfway through sending.
type killHook struct {
	n      atomic.Int64
	after  int64
	cancel atomic.Pointer[context.CancelFunc]
}

func (k *killHook) DialHook(next redis.DialHook) redis.DialHook { return next }
func (k *killHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		err := next(ctx, cmd)
		if name := cmd.Name(); err == nil && (name == "evalsha" || name == "eval") {
			if k.n.Add(1) == k.after { // scripts that ran (a NOSCRIPT retry counts once)
				if c := k.cancel.Load(); c != nil {
					(*c)()
				}
			}
		}
		return err
	}
}
func (k *killHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}

var lineRE = regexp.MustCompile(`(🟡|🟠|🔴|⚫|💤|📞|⏰) (XF-\d{4}-\d{4})`)

// TestReminderWeeks runs the reminder job on three schedulers sharing one
// Redis through two simulated weeks, one replica killed in the middle of
// its first run: every reminder and every escalation step goes out once.
func TestReminderWeeks(t *testing.T) {
	rdb, prefix := testredis.New(t)
	base := store.New(rdb, prefix)
	ctx := context.Background()
	start := time.Date(2026, 3, 16, 9, 5, 0, 0, cst) // Monday
	day0 := xfbot.DateOf(start, cst)

	tx := base.NewTx()
	tx.PutMember(xfbot.Member{OpenID: liaison, Name: "王联络", Role: xfbot.RoleLiaison, Unit: "区住建局"})
	tx.PutMember(xfbot.Member{OpenID: leader, Name: "周某", Role: xfbot.RoleLeader})
	if _, err := base.Commit(ctx, tx); err != nil {
		t.Fatal(err)
	}
	var cases []*xfbot.Case
	for i := 0; i < 60; i++ { // 60 owners: three batches of messages
		due := day0.AddDays(-2 + i%14)
		cases = append(cases, &xfbot.Case{No: xfbot.FormatCaseNo(2026, i+1), Title: fmt.Sprintf("案件%d", i), Unit: "区住建局",
			Status: xfbot.StatusHandling, Due: due, AcceptedOn: due.AddDays(-60),
			Owner: xfbot.Person{OpenID: fmt.Sprintf("ou_owner%d", i)}, Leader: xfbot.Person{OpenID: leader},
			CreatedAt: start, UpdatedAt: start, LastProgressAt: start.AddDate(0, 0, 30)}) // active: no 久未更新
	}
	if err := base.Import(ctx, cases); err != nil {
		t.Fatal(err)
	}
	if err := base.EnsureOutboxGroup(ctx); err != nil {
		t.Fatal(err)
	}

	clock := &fakeClock{t: start}
	kill := &killHook{after: 2} // the claim, then one batch: dies with batches in flight
	var reps []*scheduler.Scheduler
	for r := 0; r < 3; r++ {
		c := testredis.Clone(t, rdb) // a replica of its own: its own pool and hooks
		if r == 0 {
			c.AddHook(kill)
		}
		st := store.New(c, prefix)
		rem := &scheduler.Reminders{Store: st, Thresholds: xfbot.DefaultThresholds, Gaps: xfbot.Gaps{Stale: 60},
			Ladder: xfbot.DefaultLadder, Admins: []string{lead}, Location: cst}
		s := scheduler.New(st, scheduler.Options{Location: cst, Now: clock.Now, LockTTL: time.Minute})
		if err := s.Add("overdue", "5 9 * * 1-5", rem, 0); err != nil {
			t.Fatal(err)
		}
		reps = append(reps, s)
	}
	slots, err := reps[0].Next("overdue", start.Add(-time.Minute), 10) // two working weeks
	if err != nil {
		t.Fatal(err)
	}
	for i, slot := range slots {
		clock.Set(slot)
		if i == 0 {
			// Replica 0 dies in the middle of its run; the others follow.
			runCtx, cancel := context.WithCancel(ctx)
			kill.cancel.Store(&cancel)
			if ran, err := reps[0].Fire(runCtx, "overdue", slot); err == nil || !ran {
				t.Fatalf("the killed run: ran=%v err=%v", ran, err)
			}
			cancel()
		}
		var wg sync.WaitGroup
		for _, s := range reps {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := s.Fire(ctx, "overdue", slot); err != nil {
					t.Errorf("Fire %s: %v", slot, err)
				}
			}()
		}
		wg.Wait()
	}

	es, err := base.ReadOutbox(ctx, "t", 10000, 0)
	if err != nil {
		t.Fatal(err)
	}
	reminded := map[string]int{} // case + level, to its owner
	steps := map[string]int{}    // case + recipient, escalation steps
	for _, e := range es {
		for _, m := range lineRE.FindAllStringSubmatch(e.Msg.Text, -1) {
			key := m[2] + " " + m[1]
			if e.Msg.ReceiveID == liaison || e.Msg.ReceiveID == leader || e.Msg.ReceiveID == lead {
				steps[m[2]+" → "+e.Msg.ReceiveID]++
			} else {
				reminded[key]++
			}
		}
	}
	if len(reminded) == 0 || len(steps) == 0 {
		t.Fatalf("nothing sent: %d messages", len(es))
	}
	for k, n := range reminded {
		if n != 1 {
			t.Errorf("%s reminded %d times", k, n)
		}
	}
	for k, n := range steps {
		if n != 1 {
			t.Errorf("escalation %s sent %d times", k, n)
		}
	}
	// The cases overdue from the first day climbed the whole ladder.
	for _, c := range cases[:2] {
		for _, to := range []string{liaison, leader, lead} {
			if steps[string(c.No)+" → "+to] != 1 {
				t.Errorf("%s never reached %s", c.No, to)
			}
		}
		if reminded[string(c.No)+" 🔴"] != 1 {
			t.Errorf("%s: no red reminder", c.No)
		}
	}
	// Every case due within the fortnight was told each level it reached on
	// a working day: at least yellow and red.
	for _, c := range cases[2:12] {
		if reminded[string(c.No)+" 🔴"] != 1 {
			t.Errorf("%s (due %s): no red reminder", c.No, c.Due)
		}
	}
}
