package scheduler_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/store"
)

const group = "oc_group"

// item opens a 督查单 against 区住建局 due on due, found by owner.
func (f *fixture) item(due xfbot.Date) xfbot.SupervisionID {
	f.t.Helper()
	insp := xfbot.Person{OpenID: owner, Name: "赵建"}
	tx := f.st.NewTx()
	tx.CreateSupervision(&xfbot.SupervisionItem{Unit: "区住建局", Problem: xfbot.ProblemMeasure, Description: "过渡费未发放，信访人张建国 13812345678 多次来电",
		Requirement: "十日内发放", OpenedBy: insp, Inspector: insp, OpenedAt: monday, OpenedOn: today, Due: due, Status: xfbot.SupIssued}, 2026)
	id, err := f.st.Commit(context.Background(), tx)
	if err != nil {
		f.t.Fatal(err)
	}
	return xfbot.SupervisionID(id)
}

// A 督查单's deadline and its own ladder: the last day to the inspector and
// the liaison, then 催办, 通报 (the group, masked), 约谈 (the lead), 挂牌督办
// (the lead and the group), each rung on its day, once, recorded on the
// item; three replicas at one instant send each message once; a report
// stops the ladder.
func TestSupervisionLadder(t *testing.T) {
	f := newFixture(t)
	f.rem.GroupChatID = group
	due := xfbot.NewDate(2026, 3, 20) // Friday
	id := f.item(due)
	cal := f.rem.Calendar
	if out := f.run(atDay("2026-03-19", 10, 10)); len(out) != 0 {
		t.Fatalf("before the last day: %+v", out)
	}
	out := f.run(atDay("2026-03-20", 10, 10))
	if len(out) != 2 {
		t.Fatalf("last day: %+v", out)
	}
	has(t, out[owner], string(id), "整改期限今天到期")
	has(t, out[liaison], string(id), "整改期限今天到期", "[报告整改]")
	if out := f.run(atDay("2026-03-20", 15, 0)); len(out) != 0 {
		t.Fatalf("the last day twice: %+v", out)
	}
	if out := f.run(atDay("2026-03-20", 22, 0)); len(out) != 0 {
		t.Fatalf("at night: %+v", out)
	}

	remind := cal.WorkdaysAfter(due, 1)
	notice := cal.WorkdaysAfter(remind, xfbot.DefaultSupervisionLadder.NoticeAfter)
	interview := cal.WorkdaysAfter(notice, xfbot.DefaultSupervisionLadder.InterviewAfter)
	listed := cal.WorkdaysAfter(interview, xfbot.DefaultSupervisionLadder.ListedAfter)

	// 催办, by three replicas at once: each message once.
	var wg sync.WaitGroup
	for i := 0; i < 3; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := f.rem.Run(context.Background(), remind.Time(cst).Add(10*time.Hour)); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	out = f.drain()
	if len(out) != 2 {
		t.Fatalf("催办: %+v", out)
	}
	has(t, out[owner], "已催办")
	has(t, out[liaison], "督查催办", "请抓紧整改")
	for d := remind.AddDays(1); d.Before(notice); d = d.AddDays(1) {
		if out := f.run(d.Time(cst).Add(10 * time.Hour)); len(out) != 0 {
			t.Fatalf("between 催办 and 通报 (%s): %+v", d, out)
		}
	}
	out = f.run(notice.Time(cst).Add(10 * time.Hour))
	if len(out) != 3 || out[group] == "" {
		t.Fatalf("通报: %+v", out)
	}
	has(t, out[owner], "已在专班群通报")
	has(t, out[group], "督查通报", "区住建局", string(id))
	for _, who := range []string{group} {
		if s := out[who]; containsAny(s, "13812345678", "张建国", "过渡费未发放") {
			t.Errorf("the group reads the item's free text: %s", s)
		}
	}
	out = f.run(interview.Time(cst).Add(10 * time.Hour))
	if len(out) != 2 || out[lead] == "" {
		t.Fatalf("约谈: %+v", out)
	}
	has(t, out[lead], "请约谈单位负责人")
	out = f.run(listed.Time(cst).Add(10 * time.Hour))
	if len(out) != 3 || out[lead] == "" || out[group] == "" {
		t.Fatalf("挂牌督办: %+v", out)
	}
	has(t, out[group], "挂牌督办")
	for d := listed; d.Before(listed.AddDays(10)); d = d.AddDays(1) {
		if out := f.run(d.Time(cst).Add(15 * time.Hour)); len(out) != 0 {
			t.Fatalf("after the ladder (%s): %+v", d, out)
		}
	}

	v, err := f.st.Supervision(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Steps) != 4 || v.Escalation() != xfbot.StepListed {
		t.Fatalf("steps %+v", v.Steps)
	}
	var rungs []string
	for _, e := range v.History {
		rungs = append(rungs, e.Action)
	}
	if len(rungs) != 4 || rungs[0] != "催办" || rungs[3] != "挂牌督办" {
		t.Fatalf("history %v", rungs)
	}
	counts, err := f.st.SupervisionCounts(context.Background(), xfbot.MonthPeriod(xfbot.MonthOf(remind)))
	if err != nil || counts["overdue"] != 1 || counts["overdue|u:区住建局"] != 1 {
		t.Fatalf("overdue counted %v %v", counts, err)
	}
}

// A report stops the ladder; a return with a new deadline starts a new
// episode, whose rungs are new.
func TestSupervisionLadderStops(t *testing.T) {
	f := newFixture(t)
	due := xfbot.NewDate(2026, 3, 20)
	id := f.item(due)
	f.run(atDay("2026-03-20", 10, 10))
	out := f.run(atDay("2026-03-23", 10, 10))
	has(t, out[owner], "已催办")
	v, _ := f.st.Supervision(context.Background(), id)
	up := *v.SupervisionItem
	if err := up.Apply(xfbot.ActSubmit, xfbot.Member{OpenID: liaison, Role: xfbot.RoleLiaison, Unit: "区住建局"}, atDay("2026-03-24", 9, 0), xfbot.NewDate(2026, 3, 24), "已发放", xfbot.Date{}); err != nil {
		t.Fatal(err)
	}
	commit(t, f.st, v.SupervisionItem, &up)
	for _, d := range []string{"2026-03-26", "2026-03-31", "2026-04-10"} {
		if out := f.run(atDay(d, 10, 10)); len(out) != 0 {
			t.Fatalf("a reported item on %s: %+v", d, out)
		}
	}
	v, _ = f.st.Supervision(context.Background(), id)
	back := *v.SupervisionItem
	if err := back.Apply(xfbot.ActReturn, xfbot.Member{OpenID: "ou_m2", Role: xfbot.RoleMember}, atDay("2026-04-10", 9, 0), xfbot.NewDate(2026, 4, 10), "不全", xfbot.NewDate(2026, 4, 14)); err != nil {
		t.Fatal(err)
	}
	commit(t, f.st, v.SupervisionItem, &back)
	out = f.run(atDay("2026-04-15", 10, 10))
	has(t, out[owner], "整改期限 2026-04-14 已过", "已催办")
	counts, _ := f.st.SupervisionCounts(context.Background(), xfbot.MonthPeriod(xfbot.MonthOf(xfbot.NewDate(2026, 4, 1))))
	if counts["overdue"] != 0 {
		t.Fatalf("an item counted overdue twice: %v", counts)
	}
}

func commit(t *testing.T, st *store.Store, old, up *xfbot.SupervisionItem) {
	t.Helper()
	tx := st.NewTx()
	tx.UpdateSupervision(old, up)
	if _, err := st.Commit(context.Background(), tx); err != nil {
		t.Fatal(err)
	}
}

func containsAny(s string, subs ...string) bool {
	for _, x := range subs {
		if strings.Contains(s, x) {
			return true
		}
	}
	return false
}

// A return that keeps a deadline already missed resumes the ladder where
// it stood: the next rung on its day, never 催办 again.
func TestSupervisionLadderResumes(t *testing.T) {
	f := newFixture(t)
	due := xfbot.NewDate(2026, 3, 20)
	id := f.item(due)
	has(t, f.run(atDay("2026-03-23", 10, 10))[owner], "已催办")
	v, _ := f.st.Supervision(context.Background(), id)
	up := *v.SupervisionItem
	if err := up.Apply(xfbot.ActSubmit, xfbot.Member{OpenID: liaison, Role: xfbot.RoleLiaison, Unit: "区住建局"}, atDay("2026-03-24", 9, 0), xfbot.NewDate(2026, 3, 24), "已发放", xfbot.Date{}); err != nil {
		t.Fatal(err)
	}
	commit(t, f.st, v.SupervisionItem, &up)
	v, _ = f.st.Supervision(context.Background(), id)
	back := *v.SupervisionItem
	if err := back.Apply(xfbot.ActReturn, xfbot.Member{OpenID: "ou_m2", Role: xfbot.RoleMember}, atDay("2026-03-25", 9, 0), xfbot.NewDate(2026, 3, 25), "不全", xfbot.Date{}); err != nil {
		t.Fatal(err)
	}
	commit(t, f.st, v.SupervisionItem, &back)
	if out := f.run(atDay("2026-03-25", 10, 10)); len(out) != 0 {
		t.Fatalf("催办 again after the return: %+v", out)
	}
	has(t, f.run(atDay("2026-03-26", 10, 10))[owner], "予以通报（未配置专班群，请线下通报）")
}
