package store_test

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/qingchuan/xfbot/store"
	"github.com/redis/go-redis/v9"
)

var at = time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)

func msg(id, chat, text string) store.OutboundMessage {
	return store.OutboundMessage{
		ID: id, Kind: store.KindSend, ReceiveIDType: "chat_id", ReceiveID: chat,
		MsgType: "text", Content: `{"text":"` + text + `"}`, Text: text, ChatID: chat, EnqueuedAt: at,
	}
}

// enqueue queues ms the way handlers do: through a committed Tx.
func enqueue(t *testing.T, st *store.Store, ms ...store.OutboundMessage) {
	t.Helper()
	tx := st.NewTx()
	for _, m := range ms {
		tx.Enqueue(m)
	}
	if _, err := st.Commit(context.Background(), tx); err != nil {
		t.Fatalf("commit: %v", err)
	}
}

func depth(t *testing.T, st *store.Store) int64 {
	t.Helper()
	n, err := st.OutboxDepth(context.Background())
	if err != nil {
		t.Fatalf("depth: %v", err)
	}
	return n
}

func readAll(t *testing.T, st *store.Store, consumer string) []store.OutboxEntry {
	t.Helper()
	es, err := st.ReadOutbox(context.Background(), consumer, 100, 0)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	return es
}

func newOutbox(t *testing.T) (*store.Store, string) {
	t.Helper()
	st, prefix := newTestStorePrefix(t)
	if err := st.EnsureOutboxGroup(context.Background()); err != nil {
		t.Fatalf("ensure group: %v", err)
	}
	return st, prefix
}

func TestOutboxStream(t *testing.T) {
	ctx := context.Background()

	t.Run("EnsureGroupTwice", func(t *testing.T) {
		st, _ := newOutbox(t)
		if err := st.EnsureOutboxGroup(ctx); err != nil {
			t.Fatalf("second ensure: %v", err)
		}
		if n := depth(t, st); n != 0 {
			t.Fatalf("depth = %d, want 0", n)
		}
	})

	t.Run("GroupSeesMessagesQueuedBeforeIt", func(t *testing.T) {
		st := newTestStore(t)
		enqueue(t, st, msg("u1", "oc_a", "early"))
		if err := st.EnsureOutboxGroup(ctx); err != nil {
			t.Fatal(err)
		}
		es := readAll(t, st, "c1")
		if len(es) != 1 || es[0].Msg.ID != "u1" {
			t.Fatalf("read %+v, want the message queued before the group", es)
		}
	})

	t.Run("ReadDecodes", func(t *testing.T) {
		st, _ := newOutbox(t)
		want := []store.OutboundMessage{msg("u1", "oc_a", "one"), msg("u2", "oc_b", "two")}
		enqueue(t, st, want...)
		es := readAll(t, st, "c1")
		if len(es) != 2 {
			t.Fatalf("read %d entries, want 2", len(es))
		}
		for i, e := range es {
			if e.StreamID == "" {
				t.Errorf("entry %d has no stream id", i)
			}
			if !reflect.DeepEqual(e.Msg, want[i]) {
				t.Errorf("entry %d = %+v, want %+v", i, e.Msg, want[i])
			}
		}
		if again := readAll(t, st, "c2"); again != nil {
			t.Fatalf("second consumer read %+v; each entry goes to one consumer", again)
		}
	})

	t.Run("ReadTimeoutIsNilNil", func(t *testing.T) {
		st, _ := newOutbox(t)
		es, err := st.ReadOutbox(ctx, "c1", 10, 20*time.Millisecond)
		if err != nil || es != nil {
			t.Fatalf("ReadOutbox = %v, %v; want nil, nil", es, err)
		}
	})

	t.Run("ReadWakesOnNewEntry", func(t *testing.T) {
		st, _ := newOutbox(t)
		done := make(chan []store.OutboxEntry)
		go func() {
			es, _ := st.ReadOutbox(ctx, "c1", 10, 10*time.Second)
			done <- es
		}()
		time.Sleep(20 * time.Millisecond) // let the read block first; either order passes
		enqueue(t, st, msg("u1", "oc_a", "late"))
		select {
		case es := <-done:
			if len(es) != 1 || es[0].Msg.ID != "u1" {
				t.Fatalf("blocked read got %+v", es)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("blocked read did not return")
		}
	})

	t.Run("UndecodableGoesToDeadLetters", func(t *testing.T) {
		st, prefix := newOutbox(t)
		rdb := st.Client()
		key := "{" + prefix + "}:v1:outbox"
		if err := rdb.XAdd(ctx, &redis.XAddArgs{Stream: key, Values: []any{"m", "{not json"}}).Err(); err != nil {
			t.Fatal(err)
		}
		if err := rdb.XAdd(ctx, &redis.XAddArgs{Stream: key, Values: []any{"other", "x"}}).Err(); err != nil {
			t.Fatal(err)
		}
		enqueue(t, st, msg("u1", "oc_a", "good"))
		es := readAll(t, st, "c1")
		if len(es) != 1 || es[0].Msg.ID != "u1" {
			t.Fatalf("read %+v, want only the good message", es)
		}
		if n := depth(t, st); n != 1 {
			t.Fatalf("depth = %d, want 1 (bad entries leave the outbox)", n)
		}
		dl, err := st.DeadLetters(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(dl) != 2 {
			t.Fatalf("dead letters = %+v, want 2", dl)
		}
		// Newest first: the entry without an "m" field, then the bad JSON.
		if dl[1].Raw != "{not json" || !strings.HasPrefix(dl[1].Reason, "undecodable") {
			t.Errorf("dead letter = %+v, want the raw bad JSON with an undecodable reason", dl[1])
		}
		if !strings.Contains(dl[0].Reason, `no field "m"`) {
			t.Errorf("dead letter reason = %q", dl[0].Reason)
		}
		if claimed, err := st.ClaimStaleOutbox(ctx, "c2", 0, 10); err != nil || len(claimed) != 1 {
			t.Fatalf("pending after read = %+v, %v; want only the good message", claimed, err)
		}
	})

	t.Run("AckRemoves", func(t *testing.T) {
		st, _ := newOutbox(t)
		enqueue(t, st, msg("u1", "oc_a", "one"), msg("u2", "oc_a", "two"))
		es := readAll(t, st, "c1")
		if err := st.AckOutbox(ctx, es[0].StreamID, es[1].StreamID); err != nil {
			t.Fatal(err)
		}
		if n := depth(t, st); n != 0 {
			t.Fatalf("depth = %d after ack, want 0", n)
		}
		if claimed, err := st.ClaimStaleOutbox(ctx, "c2", 0, 10); err != nil || claimed != nil {
			t.Fatalf("claim after ack = %+v, %v; want nothing pending", claimed, err)
		}
		if err := st.AckOutbox(ctx); err != nil {
			t.Fatalf("ack of nothing: %v", err)
		}
	})

	t.Run("ClaimTakesOverStale", func(t *testing.T) {
		st, _ := newOutbox(t)
		enqueue(t, st, msg("u1", "oc_a", "one"))
		es := readAll(t, st, "dead-replica")
		if len(es) != 1 {
			t.Fatalf("read %d", len(es))
		}
		none, err := st.ClaimStaleOutbox(ctx, "c2", time.Hour, 10)
		if err != nil || none != nil {
			t.Fatalf("claim of fresh entry = %+v, %v; want nothing", none, err)
		}
		got, err := st.ClaimStaleOutbox(ctx, "c2", 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].StreamID != es[0].StreamID || got[0].Msg.ID != "u1" {
			t.Fatalf("claimed %+v, want %+v", got, es)
		}
		if n := depth(t, st); n != 1 {
			t.Fatalf("depth = %d, want 1 until acked", n)
		}
	})

	t.Run("TouchKeepsOwnership", func(t *testing.T) {
		st, prefix := newOutbox(t)
		enqueue(t, st, msg("u1", "oc_a", "one"))
		es := readAll(t, st, "c1")
		if err := st.TouchOutbox(ctx, "c2", es[0].StreamID, "1-1"); err != nil {
			t.Fatal(err)
		}
		p, err := st.Client().XPendingExt(ctx, &redis.XPendingExtArgs{
			Stream: "{" + prefix + "}:v1:outbox", Group: store.OutboxGroup, Start: "-", End: "+", Count: 10,
		}).Result()
		if err != nil {
			t.Fatal(err)
		}
		if len(p) != 1 || p[0].Consumer != "c2" {
			t.Fatalf("pending = %+v, want one entry owned by c2", p)
		}
		if err := st.TouchOutbox(ctx, "c2"); err != nil {
			t.Fatalf("touch of nothing: %v", err)
		}
	})

	t.Run("DeadLetterMovesAtomically", func(t *testing.T) {
		st, _ := newOutbox(t)
		want := msg("u1", "oc_a", "one")
		enqueue(t, st, want)
		es := readAll(t, st, "c1")
		if err := st.DeadLetterOutbox(ctx, es[0], "code 230002: bot not in chat"); err != nil {
			t.Fatal(err)
		}
		if n := depth(t, st); n != 0 {
			t.Fatalf("depth = %d, want 0", n)
		}
		if claimed, _ := st.ClaimStaleOutbox(ctx, "c2", 0, 10); claimed != nil {
			t.Fatalf("still pending: %+v", claimed)
		}
		dl, err := st.DeadLetters(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(dl) != 1 || !reflect.DeepEqual(dl[0].Msg, want) || dl[0].Reason != "code 230002: bot not in chat" {
			t.Fatalf("dead letters = %+v", dl)
		}
		if dl[0].At.IsZero() {
			t.Errorf("dead letter has no time")
		}
	})

	t.Run("DeadLettersNewestFirstAndLimited", func(t *testing.T) {
		st, _ := newOutbox(t)
		enqueue(t, st, msg("u1", "oc_a", "1"), msg("u2", "oc_a", "2"), msg("u3", "oc_a", "3"))
		for _, e := range readAll(t, st, "c1") {
			if err := st.DeadLetterOutbox(ctx, e, "r"+e.Msg.ID); err != nil {
				t.Fatal(err)
			}
		}
		dl, err := st.DeadLetters(ctx, 2)
		if err != nil {
			t.Fatal(err)
		}
		if len(dl) != 2 || dl[0].Msg.ID != "u3" || dl[1].Msg.ID != "u2" {
			t.Fatalf("dead letters = %+v, want u3, u2", dl)
		}
		if none, err := st.DeadLetters(ctx, 0); err != nil || none != nil {
			t.Fatalf("DeadLetters(0) = %v, %v", none, err)
		}
	})

	t.Run("DepthCountsQueuedAndPending", func(t *testing.T) {
		st, _ := newOutbox(t)
		enqueue(t, st, msg("u1", "oc_a", "1"), msg("u2", "oc_a", "2"), msg("u3", "oc_a", "3"))
		es, err := st.ReadOutbox(ctx, "c1", 1, 0)
		if err != nil || len(es) != 1 {
			t.Fatalf("read = %v, %v", es, err)
		}
		if n := depth(t, st); n != 3 {
			t.Fatalf("depth = %d, want 3 (1 pending + 2 queued)", n)
		}
	})
}
