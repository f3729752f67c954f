package scheduler_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/qingchuan/xfbot"
)

// cmdCounter counts the Redis commands that name a string (a case number):
// how often a run reads a case, its ledger or its index entries.
type cmdCounter struct {
	needle string
	n      atomic.Int64
}

func (c *cmdCounter) count(cmd redis.Cmder) {
	for _, a := range cmd.Args() {
		if s, ok := a.(string); ok && strings.Contains(s, c.needle) {
			c.n.Add(1)
			return
		}
	}
}

func (c *cmdCounter) DialHook(next redis.DialHook) redis.DialHook { return next }
func (c *cmdCounter) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error { c.count(cmd); return next(ctx, cmd) }
}
func (c *cmdCounter) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		for _, cmd := range cmds {
			c.count(cmd)
		}
		return next(ctx, cmds)
	}
}

func (f *fixture) load(name string) *xfbot.Case {
	f.t.Helper()
	l, err := f.st.Load(context.Background(), "", f.nos[name])
	if err != nil {
		f.t.Fatal(err)
	}
	return l.Case
}

func TestOneMessageWithEscalationSteps(t *testing.T) {
	f := newFixture(t)
	f.add("超期", -1, nil)
	f.run(monday) // the owner is told; the case goes on the ladder
	// Tuesday: the liaison's step is due, the liaison has a case of their
	// own entering 临期, and the owner one too: two people, two messages
	// (three before: the step came in a message of its own).
	f.add("联络员的案件", 7, func(c *xfbot.Case) { c.Owner = xfbot.Person{OpenID: liaison, Name: "王联络"} })
	f.add("包案人的案件", 7, nil)
	no := func(name string) string { return string(f.nos[name]) }
	got := f.run(monday.AddDate(0, 0, 1)) // drain fails the test on a second message to anyone
	if len(got) != 2 {
		t.Fatalf("messages to %v, want the owner and the liaison", keys(got))
	}
	has(t, got[liaison], no("超期"), "第 1 级提醒：单位联络员", no("联络员的案件"), "🟡")
	has(t, got[owner], no("包案人的案件"))
	hasNot(t, got[owner], "第 1 级提醒")
	t.Run("TheStepOnTheOwnersOwnLine", func(t *testing.T) {
		// Thursday: the leader's step and the leader's own overdue case, one line
		// each; and 确认 still works for the step's recipients.
		f.add("领导的案件", 2, func(c *xfbot.Case) { c.Owner = xfbot.Person{OpenID: leader, Name: "周某"} })
		thu := f.run(monday.AddDate(0, 0, 3))
		has(t, thu[leader], no("超期"), "第 2 级提醒：包案领导", no("领导的案件")+" 领导的案件 · 超期")
		l, _ := f.st.Ledgers(context.Background(), []xfbot.CaseNo{f.nos["超期"]})
		for _, who := range []string{owner, liaison, leader} {
			if _, ok := l[f.nos["超期"]]["to:"+f.load("超期").Due.String()+":"+who]; !ok {
				t.Errorf("%s is not noted as a recipient: %v", who, l)
			}
		}
	})
}

func TestQuietCaseRemindedOnce(t *testing.T) {
	f := newFixture(t)
	f.add("久未更新", 90, func(c *xfbot.Case) {
		c.Tags = []xfbot.Tag{xfbot.TagBacklog}
		c.LastProgressAt = monday.AddDate(0, 0, -30)
		c.LastContactAt = monday.AddDate(0, 0, -30)
	})
	no := string(f.nos["久未更新"])
	got := f.run(monday)
	has(t, got[owner], no, "已 30 天没有进展", "已 30 天没有接触信访人")
	c := &cmdCounter{needle: no}
	f.st.Client().AddHook(c)
	for d := 1; d <= 30; d++ {
		if got := f.run(monday.AddDate(0, 0, d)); len(got) != 0 {
			t.Fatalf("day %d: %v", d, got)
		}
	}
	if n := c.n.Load(); n != 0 {
		t.Errorf("30 runs after the reminder named the quiet case in %d commands, want 0", n)
	}
}

func TestGapMovesWithProgress(t *testing.T) {
	f := newFixture(t)
	f.add("久未更新", 90, func(c *xfbot.Case) { c.LastProgressAt = monday.AddDate(0, 0, -10) })
	no := string(f.nos["久未更新"])
	has(t, f.run(monday)[owner], no, "已 10 天没有进展")
	// 进展 on Tuesday: the next 久未更新 is 7 days later, the next Tuesday.
	f.update("久未更新", monday.AddDate(0, 0, 1), func(c *xfbot.Case) { c.LastProgressAt = monday.AddDate(0, 0, 1) })
	for d := 1; d <= 6; d++ {
		if got := f.run(monday.AddDate(0, 0, d)); len(got) != 0 {
			t.Fatalf("day %d after 进展: %v", d, got)
		}
	}
	has(t, f.run(monday.AddDate(0, 0, 8))[owner], no, "已 7 天没有进展")
}

func TestStages(t *testing.T) {
	f := newFixture(t)
	f.add("已答复", -5, func(c *xfbot.Case) {
		c.Proc = xfbot.Procedure{Stage: xfbot.StageReplied, Reply: xfbot.Answer{On: today.AddDays(-40), DeliveredOn: today.AddDays(-40)}}
		c.LastProgressAt = monday.AddDate(0, 0, -40)
	})
	f.add("待受理", 3, func(c *xfbot.Case) {
		c.Proc = xfbot.Procedure{Stage: xfbot.StageRegistered, ReceivedOn: today.AddDays(-12)}
		c.AcceptedOn = xfbot.Date{}
	})
	got := f.run(monday)
	if len(got) != 1 {
		t.Fatalf("messages to %v", keys(got))
	}
	has(t, got[owner], string(f.nos["待受理"]), "受理期限", "🟠")
	// Answered: no 办结 reminder; its window ended unused, so the owner hears
	// once that it may be concluded.
	hasNot(t, got[owner], "办结期限")
	has(t, got[owner], string(f.nos["已答复"]), "⌛", "复查申请期已于", "终结 "+string(f.nos["已答复"]))
	hasNot(t, f.run(monday.AddDate(0, 0, 1))[owner], string(f.nos["已答复"])) // once
}

func TestSnoozeInTheScan(t *testing.T) {
	f := newFixture(t)
	f.add("正常", 30, nil)
	tx := f.st.NewTx()
	tx.Snooze(f.nos["正常"], leader, today.AddDays(1))
	if _, err := f.st.Commit(context.Background(), tx); err != nil {
		t.Fatal(err)
	}
	if got := f.run(monday); len(got) != 0 {
		t.Fatalf("before its day: %v", got)
	}
	has(t, f.run(monday.AddDate(0, 0, 1))[leader], string(f.nos["正常"]), "您要求今天再次提醒")
	if got := f.run(monday.AddDate(0, 0, 2)); len(got) != 0 {
		t.Fatalf("the snooze again: %v", got)
	}
	if s, _ := f.st.DueSnoozes(context.Background(), today.AddDays(9)); len(s) != 0 {
		t.Fatalf("snoozes left %+v", s)
	}
}

// TestReplicasWithStepsAndGaps: three replicas run the same day with
// reminders, gaps and escalation steps for the same people; every line
// goes out once, in one message per person.
func TestReplicasWithStepsAndGaps(t *testing.T) {
	f := newFixture(t)
	for i := 0; i < 20; i++ {
		f.add(fmt.Sprintf("超期%d", i), -1, func(c *xfbot.Case) { c.Owner = xfbot.Person{OpenID: fmt.Sprintf("ou_o%d", i%4)} })
	}
	f.run(monday)
	for i := 0; i < 20; i++ {
		f.add(fmt.Sprintf("新%d", i), 5, func(c *xfbot.Case) {
			c.Owner = xfbot.Person{OpenID: fmt.Sprintf("ou_o%d", i%4)}
			if i%2 == 0 {
				c.LastProgressAt = monday.AddDate(0, 0, -9)
			}
		})
	}
	tue := monday.AddDate(0, 0, 1)
	var wg sync.WaitGroup
	for r := 0; r < 3; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := f.rem.Run(context.Background(), tue); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	es, err := f.st.ReadOutbox(context.Background(), "t", 1000, 0)
	if err != nil {
		t.Fatal(err)
	}
	per := map[string]int{}
	seen := map[string]int{}
	for _, e := range es {
		per[e.Msg.ReceiveID]++
		for i := 0; i < 20; i++ {
			for _, name := range []string{fmt.Sprintf("超期%d", i), fmt.Sprintf("新%d", i)} {
				if strings.Contains(e.Msg.Text, string(f.nos[name])+" ") {
					seen[e.Msg.ReceiveID+" "+name]++
				}
			}
		}
	}
	for to, n := range per {
		if n != 1 {
			t.Errorf("%s got %d messages", to, n)
		}
	}
	if len(seen) != 20+20 { // the liaison: the 20 steps; the owners: the 20 new cases
		t.Errorf("%d lines went out, want 40: %v", len(seen), seen)
	}
	for k, n := range seen {
		if n != 1 {
			t.Errorf("%s sent %d times", k, n)
		}
	}
}
