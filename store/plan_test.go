package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/store"
)

// putPlan writes ps (a modified copy of old, nil for the first) with its
// case, as every plan write does.
func putPlan(t *testing.T, st *store.Store, c *xfbot.Case, old, ps *xfbot.Plans) error {
	t.Helper()
	cp := *c
	cp.Plan = ps.Brief()
	tx := st.NewTx()
	tx.PutPlans(old, ps, time.Date(2026, 3, 16, 9, 0, 0, 0, time.UTC))
	tx.UpdateCase(c, &cp)
	_, err := st.Commit(context.Background(), tx)
	if err == nil {
		*c = cp
	}
	return err
}

// A plan round-trips with every version; its measures are in the owners'
// index while open, its deadlines in dl once approved and out when done;
// a stale write conflicts; the case carries the brief.
func TestPlans(t *testing.T) {
	ctx := context.Background()
	st := newTestStore(t)
	at := time.Date(2026, 3, 16, 9, 0, 0, 0, time.UTC)
	c := &xfbot.Case{Title: "回迁房延期交付", Status: xfbot.StatusHandling, Screening: xfbot.ScreenPartly, Owner: xfbot.Person{OpenID: "ou_owner"},
		AcceptedOn: xfbot.NewDate(2026, 3, 16), Due: xfbot.NewDate(2026, 5, 15), CreatedAt: at, UpdatedAt: at}
	tx := st.NewTx()
	tx.CreateCase(c, 2026)
	no, err := st.Commit(ctx, tx)
	if err != nil {
		t.Fatal(err)
	}
	c.No = no

	ps := &xfbot.Plans{Case: no}
	p, _ := ps.Editable(xfbot.Person{OpenID: "ou_owner", Name: "赵建"}, at)
	p.Diagnosis, p.Target, p.Linked = "症结", xfbot.NewDate(2026, 6, 30), []xfbot.CaseNo{"XF-2026-0099"}
	p.Measures = []xfbot.Measure{
		{N: 1, Kind: xfbot.MeasureHard, Type: xfbot.MeasurePolicy, Text: "补足过渡费", Unit: "区住建局", Owner: xfbot.Person{OpenID: "ou_liaison", Name: "王联络"}, Due: xfbot.NewDate(2026, 4, 20), Status: xfbot.MeasureTodo, AddedAt: at},
		{N: 2, Kind: xfbot.MeasureSoft, Type: xfbot.MeasureCounseling, Text: "上门疏导", Owner: xfbot.Person{OpenID: "ou_owner", Name: "赵建"}, Status: xfbot.MeasureTodo},
	}
	ps.Owner = "ou_owner"
	if err := putPlan(t, st, c, nil, ps); err != nil {
		t.Fatal(err)
	}
	got, err := st.Plans(ctx, no)
	if err != nil || got == nil {
		t.Fatalf("read back: %v", err)
	}
	if g := got.Current(); g.Diagnosis != "症结" || g.Target != p.Target || len(g.Measures) != 2 || g.Measures[0].Owner.Name != "王联络" ||
		g.Measures[0].Due != p.Measures[0].Due || len(g.Linked) != 1 || got.Version != 1 || got.Owner != "ou_owner" {
		t.Fatalf("read back %+v", got)
	}
	wantIndex(t, st, "handle case:"+string(no)+" 2026-05-15 ou_owner") // a draft: no plan deadline
	refs, _ := st.MeasuresOf(ctx, "ou_owner")
	if len(refs) != 1 || refs[0].Case != no || refs[0].N != 2 || !refs[0].Due.IsZero() {
		t.Fatalf("the owner's measures: %+v", refs)
	}
	if l, _ := st.Load(ctx, "", no); l.Case.Plan.Status != xfbot.PlanDraft || l.Case.Plan.Version != 1 {
		t.Fatalf("the case's brief: %+v", l.Case.Plan)
	}

	// Approved: the measures and the target are deadlines.
	old := got
	ps = old.Clone()
	ps.Approve(xfbot.Person{OpenID: "ou_lead"}, at, c)
	ps.InForce().Measure(2).Due = xfbot.NewDate(2026, 4, 10)
	ps.InForce().Status = xfbot.PlanApproved
	tx = st.NewTx()
	tx.PutPlans(old, ps, at)
	if _, err := st.Commit(ctx, tx); err != nil {
		t.Fatal(err)
	}
	wantIndex(t, st,
		"measure plan:"+string(no)+"#2 2026-04-10 ou_owner",
		"measure plan:"+string(no)+"#1 2026-04-20 ou_liaison",
		"handle case:"+string(no)+" 2026-05-15 ou_owner",
		"plan_target plan:"+string(no)+" 2026-06-30 ou_owner")
	if pend, _ := st.PendingPlans(ctx); len(pend) != 0 {
		t.Fatalf("an approved plan is pending: %v", pend)
	}
	// A write from the version read before conflicts.
	stale := old.Clone()
	stale.Current().Goal = "x"
	tx = st.NewTx()
	tx.PutPlans(old, stale, at)
	if _, err := st.Commit(ctx, tx); xfbot.ErrorCode(err) != xfbot.ECONFLICT {
		t.Fatalf("a stale plan write: %v", err)
	}
	// Measure 1 done: out of dl and out of the liaison's index.
	old, _ = st.Plans(ctx, no)
	ps = old.Clone()
	ps.InForce().Measure(1).Status = xfbot.MeasureDone
	tx = st.NewTx()
	tx.PutPlans(old, ps, at)
	if _, err := st.Commit(ctx, tx); err != nil {
		t.Fatal(err)
	}
	wantIndex(t, st,
		"measure plan:"+string(no)+"#2 2026-04-10 ou_owner",
		"handle case:"+string(no)+" 2026-05-15 ou_owner",
		"plan_target plan:"+string(no)+" 2026-06-30 ou_owner")
	if refs, _ := st.MeasuresOf(ctx, "ou_liaison"); len(refs) != 0 {
		t.Fatalf("a done measure is still the liaison's: %+v", refs)
	}
	all, _ := st.PlansOf(ctx, []xfbot.CaseNo{no, "XF-2026-0098"})
	if len(all) != 1 || all[no] == nil {
		t.Fatalf("PlansOf: %+v", all)
	}
	if cs, _ := st.PlanCases(ctx, 10); len(cs) != 1 || cs[0] != no {
		t.Fatalf("PlanCases: %v", cs)
	}
}
