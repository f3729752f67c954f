package scheduler_test

import (
	"context"
	"testing"
	"time"

	"github.com/qingchuan/xfbot"
)

// approvedPlan writes an approved plan on the case name: measure 1 for the
// liaison due on day m1, measure 2 for the 包案人 due on m2, target day tg.
func (f *fixture) approvedPlan(name string, m1, m2, tg xfbot.Date) xfbot.CaseNo {
	f.t.Helper()
	ctx := context.Background()
	no := f.nos[name]
	l, err := f.st.Load(ctx, "", no)
	if err != nil || l.Case == nil {
		f.t.Fatalf("load %s: %v", no, err)
	}
	c := l.Case
	at := monday.Add(-time.Hour)
	ps := &xfbot.Plans{Case: no, Owner: c.Owner.OpenID}
	p, _ := ps.Editable(xfbot.Person{OpenID: owner, Name: "赵建"}, at)
	p.Diagnosis, p.Goal, p.Target = "开发商资金链断裂", "案结事了", tg
	p.Measures = []xfbot.Measure{
		{N: 1, Kind: xfbot.MeasureHard, Type: xfbot.MeasurePolicy, Text: "向张建国补足过渡费", Unit: "区住建局", Owner: xfbot.Person{OpenID: liaison, Name: "王联络"}, Due: m1, Status: xfbot.MeasureTodo},
		{N: 2, Kind: xfbot.MeasureSoft, Type: xfbot.MeasureCounseling, Text: "上门释法明理", Owner: xfbot.Person{OpenID: owner, Name: "赵建"}, Due: m2, Status: xfbot.MeasureTodo},
	}
	c.Screening = xfbot.ScreenPartly
	ps.Approve(xfbot.Person{OpenID: lead}, at, c)
	cp := *c
	cp.Plan = ps.Brief()
	tx := f.st.NewTx()
	tx.PutPlans(nil, ps, at)
	tx.UpdateCase(c, &cp)
	if _, err := f.st.Commit(ctx, tx); err != nil {
		f.t.Fatal(err)
	}
	return no
}

// TestPlanReminders: a measure reminds its 负责人 on its due day and once
// missed, each once, in the one reminder DM with a 完成 button; the
// 化解目标日 reminds the 包案人; a done measure and a resolved case remind
// nobody.
func TestPlanReminders(t *testing.T) {
	f := newFixture(t)
	f.add("回迁房延期交付", 40, nil)
	no := f.approvedPlan("回迁房延期交付", today.AddDays(2), today.AddDays(3), today.AddDays(4)) // Wed 03-18, Thu 03-19, Fri 03-20
	if out := f.run(atDay("2026-03-17", 10, 0)); len(out) != 0 {
		t.Fatalf("before any measure is due: %+v", out)
	}
	out := f.run(atDay("2026-03-18", 10, 0))
	if len(out) != 1 || out[liaison] == "" {
		t.Fatalf("measure 1's day: %+v", out)
	}
	has(t, out[liaison], "办理提醒（1 件）", string(no)+" 方案措施 1【硬·政策】向张建国补足过渡费（区住建局） · 🟠 今天到期", "[完成]", "[查看方案]")
	out = f.run(atDay("2026-03-19", 10, 0))
	if len(out) != 2 {
		t.Fatalf("measure 1 late, measure 2 due: %+v", out)
	}
	has(t, out[liaison], "方案措施 1", "🔴 已超期 1 天（2026-03-18）")
	has(t, out[owner], "方案措施 2【软·疏导】上门释法明理 · 🟠 今天到期")
	hasNot(t, out[owner], "方案措施 1")
	// Measure 2 done: it leaves the index; the target reminds the 包案人.
	ctx := context.Background()
	l, _ := f.st.Load(ctx, "", no)
	old, _ := f.st.Plans(ctx, no)
	ps := old.Clone()
	ps.InForce().Measure(2).Status = xfbot.MeasureDone
	cp := *l.Case
	cp.Plan = ps.Brief()
	tx := f.st.NewTx()
	tx.PutPlans(old, ps, monday)
	tx.UpdateCase(l.Case, &cp)
	if _, err := f.st.Commit(ctx, tx); err != nil {
		t.Fatal(err)
	}
	out = f.run(atDay("2026-03-20", 10, 0))
	if len(out) != 1 || out[owner] == "" {
		t.Fatalf("target day: %+v", out)
	}
	has(t, out[owner], "🎯 "+string(no)+" 化解目标日 · 🟠 今天到期 · 目标：案结事了", "[查看方案]")
	hasNot(t, out[owner], "方案措施 2", "[完成]")
	if out := f.run(atDay("2026-03-20", 15, 0)); len(out) != 0 {
		t.Fatalf("sent twice: %+v", out)
	}
	// Resolved: the plan is over, its entries leave the index, nobody is told.
	l, _ = f.st.Load(ctx, "", no)
	cp = *l.Case
	cp.Status, cp.ResolvedOn, cp.Result = xfbot.StatusResolved, today.AddDays(5), "已签订息诉罢访协议"
	tx = f.st.NewTx()
	tx.UpdateCase(l.Case, &cp)
	if _, err := f.st.Commit(ctx, tx); err != nil {
		t.Fatal(err)
	}
	if out := f.run(atDay("2026-03-23", 10, 0)); out[owner] != "" && containsAny(out[owner], "方案措施", "化解目标日") || out[liaison] != "" {
		t.Fatalf("a resolved case's plan reminded: %+v", out)
	}
	ds, _ := f.st.Deadlines(ctx, today.AddDays(30), 0)
	for _, d := range ds {
		if d.Subject.Kind == xfbot.SubjectPlan {
			t.Fatalf("a resolved case's plan entry is left in the index: %+v", d)
		}
	}
}
