package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/internal/testredis"
	"github.com/qingchuan/xfbot/store"
)

// TestLookupTenants: in one round trip, per district, the sender's member
// record and whether a message is a card that district sent — a card about
// cases, or, with Delivered.Card, any card — and the district chosen last.
func TestLookupTenants(t *testing.T) {
	ctx := context.Background()
	rdb, prefix := testredis.New(t)
	a, b := store.New(rdb, prefix+"_a"), store.New(rdb, prefix+"_b")
	for _, st := range []*store.Store{a, b} {
		if err := st.EnsureOutboxGroup(ctx); err != nil {
			t.Fatal(err)
		}
	}
	tx := b.NewTx()
	tx.PutMember(xfbot.Member{OpenID: "ou_m", Name: "乙区成员", Role: xfbot.RoleMember})
	tx.Enqueue(store.OutboundMessage{ID: "u1", Kind: store.KindSend, ReceiveIDType: "open_id", ReceiveID: "ou_m", MsgType: "interactive", Content: "{}"})
	tx.Enqueue(store.OutboundMessage{ID: "u2", Kind: store.KindSend, ReceiveIDType: "open_id", ReceiveID: "ou_m", MsgType: "interactive", Content: "{}", Cases: []string{"XF-2026-0001"}})
	if _, err := b.Commit(ctx, tx); err != nil {
		t.Fatal(err)
	}
	es, err := b.ReadOutbox(ctx, "t", 10, 0)
	if err != nil || len(es) != 2 {
		t.Fatalf("outbox: %d entries, %v", len(es), err)
	}
	if err := b.AckDelivered(ctx, store.Delivered{StreamID: es[0].StreamID, MessageID: "om_plain", Card: true},
		store.Delivered{StreamID: es[1].StreamID, MessageID: "om_case", Cases: es[1].Msg.Cases}); err != nil {
		t.Fatal(err)
	}
	if n, err := b.OutboxDepth(ctx); err != nil || n != 0 {
		t.Errorf("after the ack the outbox holds %d, %v", n, err)
	}
	look := func(msgs ...string) store.TenantLookup {
		t.Helper()
		l, err := store.LookupTenants(ctx, store.TenantQuery{Districts: []*store.Store{a, b}, OpenID: "ou_m", MessageIDs: msgs})
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	if l := look("om_plain"); l.Member[0] || !l.Member[1] || l.Sent[0] || !l.Sent[1] || l.Choice != "" {
		t.Errorf("a card about no case, sent by b: %+v", l)
	}
	if l := look("", "om_case"); !l.Sent[1] || l.Sent[0] {
		t.Errorf("a card about a case, sent by b: %+v", l)
	}
	if l := look("om_nobodys"); l.Sent[0] || l.Sent[1] {
		t.Errorf("a message nobody sent: %+v", l)
	}
	// A card about no case names no case to a reply.
	if nos, _, err := b.MessageCases(ctx, "om_plain", "om_case"); err != nil || len(nos) != 1 || nos[0] != "XF-2026-0001" {
		t.Errorf("MessageCases(plain card, case card) = %v, %v; want the case card's", nos, err)
	}
	if err := a.ChooseTenant(ctx, "ou_m", "b"); err != nil {
		t.Fatal(err)
	}
	if l := look(); l.Choice != "b" || l.Sent[0] || l.Sent[1] {
		t.Errorf("after ChooseTenant: %+v", l)
	}
}

// TestLookupTenantsReadFails: a read of the routing that fails is an
// error, never "not a member" or "not this district's card" — with the
// load of a guessed district too (LoadSpec.Tenants) — even when an earlier
// read of the same pipeline found nothing (redis.Nil), which is the error
// a pipeline reports first.
func TestLookupTenantsReadFails(t *testing.T) {
	ctx := context.Background()
	rdb, prefix := testredis.New(t)
	a, b := store.New(rdb, prefix+"_a"), store.New(rdb, prefix+"_b")
	q := store.TenantQuery{Districts: []*store.Store{a, b}, OpenID: "ou_nobody", MessageIDs: []string{"om_x"}}
	if _, err := store.LookupTenants(ctx, q); err != nil {
		t.Fatalf("before the failure: %v", err)
	}
	rdb.AddHook(failHook{match: "{" + prefix + "_b}:v1:members"})
	if l, err := store.LookupTenants(ctx, q); err == nil {
		t.Errorf("a failed member read routed as %+v", l)
	}
	if l, err := a.LoadFor(ctx, store.LoadSpec{OpenID: "ou_nobody", Tenants: &q}); err == nil {
		t.Errorf("a failed member read in a guessed district's load: %+v", l.Tenants)
	}
}

// failHook fails, in a pipeline, every command naming key match.
type failHook struct{ match string }

func (failHook) DialHook(next redis.DialHook) redis.DialHook          { return next }
func (failHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook { return next }
func (h failHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		err := next(ctx, cmds)
		for _, c := range cmds {
			if len(c.Args()) > 1 && fmt.Sprint(c.Args()[1]) == h.match {
				c.SetErr(errors.New("injected failure"))
			}
		}
		return err
	}
}
