package store_test

import (
	"context"
	"testing"

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
