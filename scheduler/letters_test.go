package scheduler_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/scheduler"
	"github.com/qingchuan/xfbot/store"
)

// letter registers a letter to who received on day, by staff; returns its id.
func (f *fixture) letter(who, summary string, received xfbot.Date) xfbot.LetterID {
	f.t.Helper()
	l := &xfbot.LeaderLetter{Leader: xfbot.Person{OpenID: who, Name: "周某"}, Summary: summary, ReceivedOn: received,
		RegisteredBy: xfbot.Person{OpenID: staff, Name: "赵建"}, RegisteredAt: received.Time(cst).Add(9 * time.Hour)}
	l.ReadDue = xfbot.LetterReadDue(l.ReceivedOn, f.rem.Calendar)
	tx := f.st.NewTx()
	tx.PutMember(xfbot.Member{OpenID: staff, Name: "赵建", Role: xfbot.RoleMember})
	tx.CreateLetter(l, 2026)
	id, err := f.st.Commit(context.Background(), tx)
	if err != nil {
		f.t.Fatal(err)
	}
	return xfbot.LetterID(id)
}

// annotate records the leader's instruction on day.
func (f *fixture) annotate(id xfbot.LetterID, day string) {
	f.t.Helper()
	got, err := f.st.Letter(context.Background(), id)
	if err != nil || got == nil {
		f.t.Fatalf("letter %s: %v", id, err)
	}
	d, _ := xfbot.ParseDate(day)
	up := *got
	up.ReadAt, up.Instruction, up.ReadBy = atDay(day, 11, 0), "请区环保局处理", got.Leader
	up.AssignDue = xfbot.LetterAssignDue(d, f.rem.Calendar)
	tx := f.st.NewTx()
	tx.UpdateLetter(got, &up)
	if _, err := f.st.Commit(context.Background(), tx); err != nil {
		f.t.Fatal(err)
	}
}

// TestLetterReminders: a letter's 阅批 reminds its leader on the last day
// and once overdue; annotated, its 交办 reminds the staff member who
// registered it (moved from the reception job with its assertions).
func TestLetterReminders(t *testing.T) {
	f := newFixture(t)
	id := f.letter(leader, "居民联名反映噪声扰民", xfbot.NewDate(2026, 3, 16))
	if out := f.run(atDay("2026-03-17", 10, 10)); len(out) != 0 {
		t.Fatalf("before the deadline: %+v", out)
	}
	out := f.run(atDay("2026-03-18", 10, 10))
	if len(out) != 1 || out[leader] == "" {
		t.Fatalf("read deadline: %+v", out)
	}
	has(t, out[leader], "领导来信待阅批", string(id), "阅批期限 2026-03-18（今天到期）", "[批示]")
	out = f.run(atDay("2026-03-19", 10, 10))
	if len(out) != 1 {
		t.Fatalf("overdue: %+v", out)
	}
	has(t, out[leader], "已超期 1 天")
	if out := f.run(atDay("2026-03-20", 10, 10)); len(out) != 0 {
		t.Errorf("overdue twice: %+v", out)
	}
	// Annotated on Friday 03-20: to assign by Wednesday 03-25; staff reminded then.
	f.annotate(id, "2026-03-20")
	if out := f.run(atDay("2026-03-24", 10, 10)); len(out) != 0 {
		t.Errorf("before the assign deadline: %+v", out)
	}
	out = f.run(atDay("2026-03-25", 10, 10))
	if len(out) != 1 || out[staff] == "" {
		t.Fatalf("assign deadline: %+v", out)
	}
	has(t, out[staff], "领导来信待交办", "交办期限 2026-03-25", "[交办]")
	hasNot(t, out[staff], "[批示]")
}

// TestLetterAndCaseOneMessage: a leader with an overdue case of their own
// and an unread letter due today gets one message with both.
func TestLetterAndCaseOneMessage(t *testing.T) {
	f := newFixture(t)
	f.add("回迁房延期交付", -1, func(c *xfbot.Case) { c.Owner = xfbot.Person{OpenID: leader, Name: "周某"} })
	id := f.letter(leader, "居民联名反映噪声扰民", today.AddDays(-4)) // Thursday 03-12: due Monday 03-16
	out := f.run(monday.Add(time.Hour))                     // drain fails on two messages to one person
	if len(out) != 1 || out[leader] == "" {
		t.Fatalf("want one message to the leader: %+v", out)
	}
	has(t, out[leader], "办理提醒（2 件）", string(f.nos["回迁房延期交付"]), "超期", string(id), "阅批期限 2026-03-16（今天到期）", "[批示]", "[已阅]")
	if out := f.run(monday.Add(2 * time.Hour)); len(out) != 0 {
		t.Errorf("a second run sent again: %+v", out)
	}
}

// TestAnnotatedLetterGoesToTheRegistrar: once annotated, a letter is no
// longer reminded to its leader (not even when its 阅批 day comes or
// passes), but to the staff member who registered it on its 交办 day.
func TestAnnotatedLetterGoesToTheRegistrar(t *testing.T) {
	f := newFixture(t)
	id := f.letter(leader, "反映小区停车难", xfbot.NewDate(2026, 3, 16)) // 阅批 by Wednesday 03-18
	f.annotate(id, "2026-03-17")                                  // 交办 by Friday 03-20
	for _, day := range []string{"2026-03-18", "2026-03-19"} {
		if out := f.run(atDay(day, 10, 10)); len(out) != 0 {
			t.Errorf("%s: reminded of an annotated letter: %+v", day, out)
		}
	}
	out := f.run(atDay("2026-03-20", 10, 10))
	if len(out) != 1 || out[staff] == "" {
		t.Fatalf("交办 day: %+v", out)
	}
	has(t, out[staff], "领导来信待交办", string(id), "交办期限 2026-03-20（今天到期）", "[交办]")
	out = f.run(atDay("2026-03-23", 10, 10))
	if len(out) != 1 || out[staff] == "" {
		t.Fatalf("交办 missed: %+v", out)
	}
	has(t, out[staff], "已超期 3 天")
}

// TestLetterRemindersWaitForAWorkingMorning: letters follow the one
// quiet-hours rule (quiet.go): not at night, not on a non-working day.
func TestLetterRemindersWaitForAWorkingMorning(t *testing.T) {
	f := newFixture(t)
	f.letter(leader, "居民联名反映噪声扰民", xfbot.NewDate(2026, 3, 18)) // 阅批 by Friday 03-20
	if out := f.run(atDay("2026-03-20", 22, 0)); len(out) != 0 {
		t.Errorf("at night: %+v", out)
	}
	if out := f.run(atDay("2026-03-21", 10, 0)); len(out) != 0 {
		t.Errorf("on a Saturday: %+v", out)
	}
	out := f.run(atDay("2026-03-23", 9, 5))
	has(t, out[leader], "领导来信待阅批", "已超期 3 天")
}

// TestLetterRemindersReplicas: three replicas of the scan, every day of a
// month, send each letter reminder once (its last day, once overdue), as
// one replica alone does.
func TestLetterRemindersReplicas(t *testing.T) {
	month := func(f *fixture, replicas int) (texts []string) {
		var ids []xfbot.LetterID
		for i := 0; i < 5; i++ {
			ids = append(ids, f.letter(leader, fmt.Sprintf("来信%d", i), xfbot.NewDate(2026, 3, 2+i)))
		}
		f.annotate(ids[4], "2026-03-06") // 交办 by Wednesday 03-11, to staff
		jobs := []*scheduler.Reminders{f.rem}
		for len(jobs) < replicas {
			j := *f.rem
			jobs = append(jobs, &j)
		}
		for day := xfbot.NewDate(2026, 3, 1); !day.After(xfbot.NewDate(2026, 4, 3)); day = day.AddDays(1) {
			now := day.Time(cst).Add(10*time.Hour + 10*time.Minute)
			var wg sync.WaitGroup
			for _, j := range jobs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if err := j.Run(context.Background(), now); err != nil {
						t.Errorf("%s: %v", day, err)
					}
				}()
			}
			wg.Wait()
			for _, m := range drainMsgs(t, f.st) {
				texts = append(texts, m.ReceiveID+" "+m.Text)
			}
		}
		return texts
	}
	f := newFixture(t)
	texts := month(f, 3)
	for i := 1; i <= 5; i++ {
		id := fmt.Sprintf("LX-2026-%04d", i)
		n := 0
		for _, s := range texts {
			n += strings.Count(s, id)
		}
		if n != 2 {
			t.Errorf("%s in %d messages, want 2 (its last day, once overdue)", id, n)
		}
	}
	if single := month(newFixture(t), 1); len(single) != len(texts) {
		t.Errorf("three replicas sent %d messages, one sent %d", len(texts), len(single))
	}
}

func drainMsgs(t *testing.T, st *store.Store) []store.OutboundMessage {
	t.Helper()
	es, err := st.ReadOutbox(context.Background(), "t", 1000, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []store.OutboundMessage
	for _, e := range es {
		out = append(out, e.Msg)
		_ = st.AckOutbox(context.Background(), e.StreamID)
	}
	return out
}
