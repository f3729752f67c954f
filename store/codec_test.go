package store_test

import (
	"context"
	"testing"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/store"
)

// What a case carries besides its core fields survives the store: the
// hand-set deadline's basis, a pending extension application, the procedure
// track; and an application shows in the lead's index.
func TestCaseRecordRoundTrip(t *testing.T) {
	ctx := context.Background()
	st := newTestStore(t)
	c := newCase("程序与期限", today.AddDays(10))
	c.DueOverride, c.DueSetOn, c.DueReason, c.DueExt, c.DueTarget = today.AddDays(40), today, "负责人设定为内部化解目标：分期化解", 20, true
	c.ExtensionRequest = &xfbot.ExtensionRequest{Days: 15, Reason: "需评估", By: xfbot.Person{OpenID: "ou_m1", Name: "赵建"}, At: now}
	c.Proc = xfbot.Procedure{Stage: xfbot.StageReview, ReceivedOn: today.AddDays(-90), Note: "",
		Reply:  xfbot.Answer{On: today.AddDays(-30), DeliveredOn: today.AddDays(-28), Result: xfbot.OutcomePartly},
		Review: xfbot.Answer{RequestedOn: today.AddDays(-1), Late: true}}
	no := create(t, st, c)
	l, err := st.Load(ctx, "", no)
	if err != nil || l.Case == nil {
		t.Fatalf("load: %v", err)
	}
	got := l.Case
	if got.DueOverride != c.DueOverride || got.DueSetOn != c.DueSetOn || got.DueReason != c.DueReason || got.DueExt != 20 || !got.DueTarget {
		t.Errorf("deadline basis %+v", got)
	}
	if q := got.ExtensionRequest; q == nil || !q.At.Equal(c.ExtensionRequest.At) || q.Days != 15 || q.Reason != "需评估" || q.By != c.ExtensionRequest.By {
		t.Errorf("application %+v, want %+v", got.ExtensionRequest, c.ExtensionRequest)
	}
	if got.Proc != c.Proc {
		t.Errorf("procedure %+v, want %+v", got.Proc, c.Proc)
	}
	cs, n, err := st.List(ctx, store.Query{Index: store.IndexExtensionRequests(), Limit: 10})
	if err != nil || n != 1 || cs[0].No != no {
		t.Fatalf("extension index: %d %v", n, err)
	}
	// Decided: out of the index.
	up := *got
	up.ExtensionRequest = nil
	tx := st.NewTx()
	tx.UpdateCase(got, &up)
	if _, err := st.Commit(ctx, tx); err != nil {
		t.Fatal(err)
	}
	if _, n, _ := st.List(ctx, store.Query{Index: store.IndexExtensionRequests(), Limit: 10}); n != 0 {
		t.Errorf("a decided application is still listed (%d)", n)
	}
	// A case that never left 办理中 stores no track.
	plain := newCase("旧案", today.AddDays(10))
	if l, _ := st.Load(ctx, "", create(t, st, plain)); l.Case.Proc != (xfbot.Procedure{}) || l.Case.StageOf() != xfbot.StageHandling {
		t.Errorf("plain case: %+v", l.Case.Proc)
	}
}
