package bot_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	lark "github.com/larksuite/oapi-sdk-go/v3"
	larkcore "github.com/larksuite/oapi-sdk-go/v3/core"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/qingchuan/xfbot/bot"
	"github.com/qingchuan/xfbot/bot/larktest"
	"github.com/qingchuan/xfbot/internal/testredis"
	"github.com/qingchuan/xfbot/store"
	"golang.org/x/time/rate"
)

// newStore returns a Store on testredis's Redis, under a prefix of its own.
func newStore(t testing.TB) *store.Store {
	t.Helper()
	rdb, prefix := testredis.New(t)
	return store.New(rdb, prefix)
}

// fakeClock is the sender's Now and Sleep: Sleep moves the clock instead of
// waiting, so rate limits and backoff run in virtual time.
type fakeClock struct {
	mu    sync.Mutex
	now   time.Time
	slept []time.Duration
}

func newClock() *fakeClock { return &fakeClock{now: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if d > 0 {
		c.now = c.now.Add(d)
		c.slept = append(c.slept, d)
	}
	return nil
}

func (c *fakeClock) Slept() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.slept...)
}

// fakeTransport records every call; DeliverFn decides the answer (default:
// success with id "om_" + uuid).
type fakeTransport struct {
	DeliverFn func(ctx context.Context, m store.OutboundMessage) (string, error)
	Clock     *fakeClock // stamps calls when set

	mu    sync.Mutex
	calls []call
}

type call struct {
	Msg store.OutboundMessage
	At  time.Time
	Err error
}

func (f *fakeTransport) Deliver(ctx context.Context, m store.OutboundMessage) (string, error) {
	id, err := "om_"+m.ID, error(nil)
	if f.DeliverFn != nil {
		id, err = f.DeliverFn(ctx, m)
	}
	c := call{Msg: m, Err: err}
	if f.Clock != nil {
		c.At = f.Clock.Now()
	}
	f.mu.Lock()
	f.calls = append(f.calls, c)
	f.mu.Unlock()
	return id, err
}

func (f *fakeTransport) Calls() []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]call(nil), f.calls...)
}

// Delivered returns the successful calls.
func (f *fakeTransport) Delivered() []call {
	var out []call
	for _, c := range f.Calls() {
		if c.Err == nil {
			out = append(out, c)
		}
	}
	return out
}

func testLogger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
}

func options(t testing.TB, c *fakeClock) bot.SenderOptions {
	return bot.SenderOptions{
		Consumer: "test-1", Workers: 4, ClaimIdle: 200 * time.Millisecond,
		Logger: testLogger(t), Now: c.Now, Sleep: c.Sleep,
	}
}

var seq atomic.Int64

func textTo(chat, text string) store.OutboundMessage {
	b, _ := json.Marshal(map[string]string{"text": text})
	return store.OutboundMessage{
		ID: fmt.Sprintf("u%04d", seq.Add(1)), Kind: store.KindSend, ReceiveIDType: "chat_id", ReceiveID: chat,
		MsgType: "text", Content: string(b), Text: text, ChatID: chat,
	}
}

func enqueue(t testing.TB, st *store.Store, ms ...store.OutboundMessage) {
	t.Helper()
	for len(ms) > 0 {
		n := min(len(ms), 500)
		tx := st.NewTx()
		for _, m := range ms[:n] {
			tx.Enqueue(m)
		}
		if _, err := st.Commit(context.Background(), tx); err != nil {
			t.Fatalf("commit: %v", err)
		}
		ms = ms[n:]
	}
}

// drain runs the sender until the outbox is empty, failing after a while.
func drain(t testing.TB, s *bot.Sender) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := s.RunUntilEmpty(ctx); err != nil {
		t.Fatalf("RunUntilEmpty: %v", err)
	}
	if ctx.Err() != nil {
		t.Fatal("outbox not drained in 30 s")
	}
}

func depth(t testing.TB, st *store.Store) int64 {
	t.Helper()
	n, err := st.OutboxDepth(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func deadLetters(t testing.TB, st *store.Store) []store.DeadLetter {
	t.Helper()
	dl, err := st.DeadLetters(context.Background(), 100)
	if err != nil {
		t.Fatal(err)
	}
	return dl
}

// counter reads one series of a counter from reg.
func counter(t testing.TB, reg *prometheus.Registry, name string, labels map[string]string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	next:
		for _, m := range mf.GetMetric() {
			for _, lp := range m.GetLabel() {
				if labels[lp.GetName()] != lp.GetValue() {
					continue next
				}
			}
			return m.GetCounter().GetValue()
		}
	}
	return 0
}

func TestSender(t *testing.T) {
	t.Run("DeliversAndAcks", func(t *testing.T) {
		st, c := newStore(t), newClock()
		var ms []store.OutboundMessage
		for i := range 12 {
			ms = append(ms, textTo(fmt.Sprintf("oc_%d", i%3), fmt.Sprint("hello ", i)))
		}
		enqueue(t, st, ms...)
		reg := prometheus.NewRegistry()
		tr := &fakeTransport{}
		opt := options(t, c)
		opt.Metrics = bot.NewMetrics(reg)
		drain(t, bot.NewSender(st, tr, opt))

		got := map[string]int{}
		for _, c := range tr.Delivered() {
			got[c.Msg.ID]++
		}
		for _, m := range ms {
			if got[m.ID] != 1 {
				t.Errorf("message %s delivered %d times, want 1", m.ID, got[m.ID])
			}
		}
		if n := depth(t, st); n != 0 {
			t.Errorf("depth = %d after drain, want 0", n)
		}
		if v := counter(t, reg, "xfbot_sends_total", map[string]string{"kind": "send", "result": "ok"}); v != 12 {
			t.Errorf("xfbot_sends_total{send,ok} = %v, want 12", v)
		}
	})

	t.Run("KeepsOrderPerChat", func(t *testing.T) {
		st, c := newStore(t), newClock()
		chats := []string{"oc_a", "oc_b", "oc_c", "oc_d"}
		want := map[string][]string{}
		var ms []store.OutboundMessage
		for i := range 25 {
			for _, ch := range chats {
				m := textTo(ch, fmt.Sprint(i))
				ms = append(ms, m)
				want[ch] = append(want[ch], m.ID)
			}
		}
		enqueue(t, st, ms...)
		tr := &fakeTransport{}
		opt := options(t, c)
		opt.Workers = 8
		drain(t, bot.NewSender(st, tr, opt))

		got := map[string][]string{}
		for _, c := range tr.Delivered() {
			got[c.Msg.ReceiveID] = append(got[c.Msg.ReceiveID], c.Msg.ID)
		}
		for _, ch := range chats {
			if strings.Join(got[ch], ",") != strings.Join(want[ch], ",") {
				t.Errorf("chat %s got order %v, want %v", ch, got[ch], want[ch])
			}
		}
	})

	t.Run("BusyChatHoldsOneWorker", func(t *testing.T) {
		// One chat's send hangs; every other chat still gets through on
		// the remaining worker, whichever chats they are.
		st, c := newStore(t), newClock()
		stuck := textTo("oc_stuck", "hangs")
		ms := []store.OutboundMessage{stuck}
		for i := range 20 {
			ms = append(ms, textTo(fmt.Sprintf("oc_%02d", i), fmt.Sprint(i)))
		}
		enqueue(t, st, ms...)
		// The stuck send returns only once every other one is recorded
		// (a channel closed by the last other send raced that send's own
		// recording, and made this test flaky under -race).
		tr := &fakeTransport{}
		tr.DeliverFn = func(_ context.Context, m store.OutboundMessage) (string, error) {
			if m.ID == stuck.ID {
				for give := time.Now().Add(20 * time.Second); len(tr.Calls()) < len(ms)-1; time.Sleep(time.Millisecond) {
					if time.Now().After(give) {
						return "", errors.New("the other chats were not sent while one send hung")
					}
				}
			}
			return "om_" + m.ID, nil
		}
		opt := options(t, c)
		opt.Workers = 2
		drain(t, bot.NewSender(st, tr, opt))
		if got := len(tr.Delivered()); got != len(ms) {
			t.Fatalf("delivered %d, want %d", got, len(ms))
		}
		if last := tr.Calls()[len(ms)-1].Msg.ID; last != stuck.ID {
			t.Errorf("last delivered %s, want the stuck %s (released only once all others were sent)", last, stuck.ID)
		}
	})

	t.Run("RetriesRateLimitHonouringReset", func(t *testing.T) {
		st, c := newStore(t), newClock()
		m := textTo("oc_a", "limited")
		enqueue(t, st, m)
		var n atomic.Int32
		tr := &fakeTransport{DeliverFn: func(_ context.Context, m store.OutboundMessage) (string, error) {
			if n.Add(1) == 1 {
				return "", &bot.SendError{HTTPStatus: 429, Code: bot.CodeRateLimited,
					Msg: "request trigger frequency limit", RetryAfter: 3 * time.Second}
			}
			return "om_1", nil
		}}
		drain(t, bot.NewSender(st, tr, options(t, c)))

		calls := tr.Calls()
		if len(calls) != 2 || calls[0].Err == nil || calls[1].Err != nil {
			t.Fatalf("calls = %+v, want a 429 then a success", calls)
		}
		if calls[0].Msg.ID != m.ID || calls[1].Msg.ID != m.ID {
			t.Errorf("uuids %q, %q; want both %q", calls[0].Msg.ID, calls[1].Msg.ID, m.ID)
		}
		waited := false
		for _, d := range c.Slept() {
			waited = waited || d >= 3*time.Second
		}
		if !waited {
			t.Errorf("slept %v, want a wait of at least the 3 s reset", c.Slept())
		}
		if n := depth(t, st); n != 0 {
			t.Errorf("depth = %d, want 0", n)
		}
	})

	t.Run("RetriesOutageWithBackoff", func(t *testing.T) {
		st, c := newStore(t), newClock()
		m := textTo("oc_a", "outage")
		enqueue(t, st, m)
		fails := []error{
			&bot.SendError{HTTPStatus: 503, Msg: "Service Unavailable"},
			&bot.SendError{Err: errors.New("connection reset by peer")},
			errors.New("some transport failure"),
			&bot.SendError{HTTPStatus: 400, Code: bot.CodeChatRateLimited, Msg: "This operation triggers the frequency limit"},
			&bot.SendError{HTTPStatus: 400, Code: bot.CodeServiceBusy},
			&bot.SendError{HTTPStatus: 400, Code: bot.CodeTokenInvalid},
			&bot.SendError{HTTPStatus: 500, Code: 1, Msg: "internal"},
		}
		var n atomic.Int32
		tr := &fakeTransport{DeliverFn: func(context.Context, store.OutboundMessage) (string, error) {
			if i := int(n.Add(1)) - 1; i < len(fails) {
				return "", fails[i]
			}
			return "om_1", nil
		}}
		opt := options(t, c)
		opt.MaxBackoff = 4 * time.Second
		drain(t, bot.NewSender(st, tr, opt))

		if got := len(tr.Delivered()); got != 1 {
			t.Fatalf("delivered %d times, want 1", got)
		}
		if got := len(tr.Calls()); got != len(fails)+1 {
			t.Errorf("calls = %d, want %d", got, len(fails)+1)
		}
		for _, call := range tr.Calls() {
			if call.Msg.ID != m.ID {
				t.Errorf("retry used uuid %q, want %q", call.Msg.ID, m.ID)
			}
		}
		slept := c.Slept()
		if len(slept) < len(fails) {
			t.Fatalf("slept %v, want one wait per failure", slept)
		}
		for _, d := range slept {
			if d < 500*time.Millisecond || d > opt.MaxBackoff {
				t.Errorf("backoff %v outside [500ms, %v]", d, opt.MaxBackoff)
			}
		}
	})

	t.Run("CardRefusedSentAsText", func(t *testing.T) {
		for _, kind := range []string{store.KindSend, store.KindReply, store.KindPatch} {
			t.Run(kind, func(t *testing.T) {
				st, c := newStore(t), newClock()
				text := "案件 \"XF-2026-0001\"\n<at user_id=\"ou_x\">张三</at> & 李四 \\ done"
				m := store.OutboundMessage{
					ID: "card-uuid-" + kind, Kind: kind, ReceiveIDType: "chat_id", ReceiveID: "oc_a",
					ReplyTo: "om_parent", ChatID: "oc_a", MsgType: "interactive", Content: `{"bad":`, Text: text,
				}
				enqueue(t, st, m)
				tr := &fakeTransport{DeliverFn: func(_ context.Context, m store.OutboundMessage) (string, error) {
					if m.MsgType == "interactive" {
						return "", &bot.SendError{HTTPStatus: 400, Code: bot.CodeCardCreateFailed, Msg: "failed to create card"}
					}
					return "om_text", nil
				}}
				drain(t, bot.NewSender(st, tr, options(t, c)))

				d := tr.Delivered()
				if len(d) != 1 {
					t.Fatalf("delivered %+v, want one text message", tr.Calls())
				}
				got := d[0].Msg
				if got.MsgType != "text" {
					t.Errorf("msg_type = %q, want text", got.MsgType)
				}
				var body map[string]string
				if err := json.Unmarshal([]byte(got.Content), &body); err != nil || body["text"] != text || len(body) != 1 {
					t.Errorf("content %s decodes to %v (%v), want {\"text\": %q}", got.Content, body, err, text)
				}
				if got.ID == m.ID || got.ID != bot.TextFallbackUUID(m.ID) {
					t.Errorf("uuid = %q, want the derived %q", got.ID, bot.TextFallbackUUID(m.ID))
				}
				wantKind := kind
				if kind == store.KindPatch {
					wantKind = store.KindReply // a patch cannot carry text; answer under the card
				}
				if got.Kind != wantKind || got.ReplyTo != m.ReplyTo || got.ReceiveID != m.ReceiveID {
					t.Errorf("sent as %s to %q/%q, want %s to the same target", got.Kind, got.ReceiveID, got.ReplyTo, wantKind)
				}
				if dl := deadLetters(t, st); len(dl) != 0 {
					t.Errorf("dead letters = %+v, want none", dl)
				}
				if n := depth(t, st); n != 0 {
					t.Errorf("depth = %d, want 0", n)
				}
			})
		}
	})

	t.Run("BotNotInChatIsDeadLettered", func(t *testing.T) {
		st, c := newStore(t), newClock()
		m := textTo("oc_gone", "hello")
		enqueue(t, st, m)
		reg := prometheus.NewRegistry()
		tr := &fakeTransport{DeliverFn: func(context.Context, store.OutboundMessage) (string, error) {
			return "", &bot.SendError{HTTPStatus: 400, Code: bot.CodeBotNotInChat, Msg: "Bot is not in the chat"}
		}}
		opt := options(t, c)
		opt.Metrics = bot.NewMetrics(reg)
		drain(t, bot.NewSender(st, tr, opt))

		if n := len(tr.Calls()); n != 1 {
			t.Errorf("calls = %d, want 1 (no retry)", n)
		}
		dl := deadLetters(t, st)
		if len(dl) != 1 || dl[0].Msg.ID != m.ID || !strings.Contains(dl[0].Reason, "230002") {
			t.Fatalf("dead letters = %+v, want %s with code 230002", dl, m.ID)
		}
		if n := depth(t, st); n != 0 {
			t.Errorf("depth = %d, want 0", n)
		}
		if v := counter(t, reg, "xfbot_outbox_dead_total", nil); v != 1 {
			t.Errorf("xfbot_outbox_dead_total = %v, want 1", v)
		}
		if v := counter(t, reg, "xfbot_send_errors_total", map[string]string{"code": "230002"}); v != 1 {
			t.Errorf("xfbot_send_errors_total{230002} = %v, want 1", v)
		}
	})

	t.Run("CardWithoutTextIsDeadLettered", func(t *testing.T) {
		st, c := newStore(t), newClock()
		m := textTo("oc_a", "")
		m.MsgType, m.Content, m.Text = "interactive", `{"bad":1}`, ""
		enqueue(t, st, m)
		tr := &fakeTransport{DeliverFn: func(context.Context, store.OutboundMessage) (string, error) {
			return "", &bot.SendError{HTTPStatus: 400, Code: bot.CodeCardCreateFailed}
		}}
		drain(t, bot.NewSender(st, tr, options(t, c)))
		if n := len(tr.Calls()); n != 1 {
			t.Errorf("calls = %d, want 1", n)
		}
		if dl := deadLetters(t, st); len(dl) != 1 || dl[0].Msg.ID != m.ID {
			t.Errorf("dead letters = %+v, want the card", dl)
		}
	})

	t.Run("CardAndTextRefusedIsDeadLettered", func(t *testing.T) {
		st, c := newStore(t), newClock()
		m := textTo("oc_a", "plain")
		m.MsgType, m.Content = "interactive", `{}`
		enqueue(t, st, m)
		tr := &fakeTransport{DeliverFn: func(_ context.Context, m store.OutboundMessage) (string, error) {
			return "", &bot.SendError{HTTPStatus: 400, Code: bot.CodeInvalidContent, Msg: m.MsgType + " refused"}
		}}
		drain(t, bot.NewSender(st, tr, options(t, c)))
		if n := len(tr.Calls()); n != 2 {
			t.Errorf("calls = %d, want 2 (card, then text once)", n)
		}
		dl := deadLetters(t, st)
		if len(dl) != 1 || dl[0].Msg.MsgType != "interactive" ||
			!strings.Contains(dl[0].Reason, "interactive refused") || !strings.Contains(dl[0].Reason, "text refused") {
			t.Errorf("dead letters = %+v, want the original card with both reasons", dl)
		}
	})

	t.Run("ReclaimsFromKilledSender", func(t *testing.T) {
		st := newStore(t)
		m := textTo("oc_a", "survives a crash")
		enqueue(t, st, m)

		// The first sender dies while its send is failing: nothing acked.
		ctx1, kill := context.WithCancel(context.Background())
		tr1 := &fakeTransport{DeliverFn: func(context.Context, store.OutboundMessage) (string, error) {
			kill()
			return "", &bot.SendError{Err: errors.New("connection reset")}
		}}
		opt1 := options(t, newClock())
		opt1.Consumer = "replica-a"
		if err := bot.NewSender(st, tr1, opt1).Run(ctx1); err != nil {
			t.Fatalf("Run: %v", err)
		}
		if n := len(tr1.Calls()); n != 1 {
			t.Fatalf("first sender made %d calls, want 1", n)
		}
		if n := depth(t, st); n != 1 {
			t.Fatalf("depth = %d after the crash, want 1 (still pending)", n)
		}

		tr2 := &fakeTransport{}
		opt2 := options(t, newClock())
		opt2.Consumer, opt2.ClaimIdle = "replica-b", 50*time.Millisecond
		drain(t, bot.NewSender(st, tr2, opt2))
		d := tr2.Delivered()
		if len(d) != 1 || d[0].Msg.ID != m.ID {
			t.Fatalf("second sender delivered %+v, want %s once with its uuid", d, m.ID)
		}
		if n := depth(t, st); n != 0 {
			t.Errorf("depth = %d, want 0", n)
		}
	})

	t.Run("ReusableAfterStop", func(t *testing.T) {
		st, c := newStore(t), newClock()
		ms := []store.OutboundMessage{textTo("oc_a", "1"), textTo("oc_a", "2"), textTo("oc_a", "3")}
		enqueue(t, st, ms...)
		ctx, stop := context.WithCancel(context.Background())
		var stopped atomic.Bool
		tr := &fakeTransport{DeliverFn: func(context.Context, store.OutboundMessage) (string, error) {
			if stopped.CompareAndSwap(false, true) {
				stop() // the first run ends with all three read, none sent
				return "", &bot.SendError{HTTPStatus: 503}
			}
			return "om_x", nil
		}}
		s := bot.NewSender(st, tr, options(t, c))
		if err := s.Run(ctx); err != nil {
			t.Fatal(err)
		}
		drain(t, s) // the same Sender picks the pending three up again
		var got []string
		for _, c := range tr.Delivered() {
			got = append(got, c.Msg.ID)
		}
		if want := ms[0].ID + "," + ms[1].ID + "," + ms[2].ID; strings.Join(got, ",") != want {
			t.Errorf("delivered %v, want %s", got, want)
		}
	})

	t.Run("OneRunAtATime", func(t *testing.T) {
		st := newStore(t)
		enqueue(t, st, textTo("oc_a", "slow"))
		release, started := make(chan struct{}), make(chan struct{})
		tr := &fakeTransport{DeliverFn: func(context.Context, store.OutboundMessage) (string, error) {
			close(started)
			<-release
			return "om_1", nil
		}}
		s := bot.NewSender(st, tr, options(t, newClock()))
		errc := make(chan error, 1)
		go func() { errc <- s.RunUntilEmpty(context.Background()) }()
		<-started
		if err := s.Run(context.Background()); err == nil {
			t.Error("a second Run on a running Sender returned nil, want an error")
		}
		close(release)
		if err := <-errc; err != nil {
			t.Fatal(err)
		}
	})

	t.Run("FinishesInFlightSendOnShutdown", func(t *testing.T) {
		st := newStore(t)
		enqueue(t, st, textTo("oc_a", "in flight"))
		ctx, cancel := context.WithCancel(context.Background())
		started := make(chan struct{})
		var sendCtxErr error
		tr := &fakeTransport{DeliverFn: func(sctx context.Context, m store.OutboundMessage) (string, error) {
			close(started)
			cancel() // shutdown begins while the request is on the wire
			time.Sleep(20 * time.Millisecond)
			sendCtxErr = sctx.Err()
			return "om_1", nil
		}}
		opt := options(t, newClock())
		opt.ShutdownGrace = 20 * time.Second
		errc := make(chan error, 1)
		go func() { errc <- bot.NewSender(st, tr, opt).Run(ctx) }()
		<-started
		if err := <-errc; err != nil {
			t.Fatalf("Run: %v", err)
		}
		if sendCtxErr != nil {
			t.Errorf("send context ended with the run context: %v", sendCtxErr)
		}
		if n := depth(t, st); n != 0 {
			t.Errorf("depth = %d, want 0: the finished send must be acknowledged", n)
		}
	})

	t.Run("RespectsRateLimits", func(t *testing.T) {
		st, c := newStore(t), newClock()
		const busy, others, each = 30, 100, 3
		var ms []store.OutboundMessage
		for i := range busy {
			ms = append(ms, textTo("oc_busy", fmt.Sprint(i)))
		}
		for i := range others * each {
			ms = append(ms, textTo(fmt.Sprintf("oc_%03d", i%others), fmt.Sprint(i)))
		}
		enqueue(t, st, ms...)
		start := c.Now()
		tr := &fakeTransport{Clock: c}
		opt := options(t, c)
		opt.Workers = 16 // defaults: 5/s per chat, 50/s per app
		drain(t, bot.NewSender(st, tr, opt))

		d := tr.Delivered()
		if len(d) != len(ms) {
			t.Fatalf("delivered %d, want %d", len(d), len(ms))
		}
		perChat := map[string][]time.Time{}
		var last time.Time
		for _, call := range d {
			perChat[call.Msg.ReceiveID] = append(perChat[call.Msg.ReceiveID], call.At)
			if call.At.After(last) {
				last = call.At
			}
		}
		// A bucket of 1 at r/s lets n calls through no sooner than (n-1)/r
		// after the first, and, on a clock that only moves forward, at most
		// r+1 calls land in any one second.
		busyAt := perChat["oc_busy"]
		if span := busyAt[len(busyAt)-1].Sub(start); span < (busy-1)*time.Second/5 {
			t.Errorf("%d messages to one chat took %v of clock, want ≥ %v at 5/s", busy, span, (busy-1)*time.Second/5)
		}
		for ch, ts := range perChat {
			for i := range ts {
				n := 0
				for _, u := range ts[i:] {
					if u.Sub(ts[i]) < time.Second {
						n++
					}
				}
				if n > 6 {
					t.Fatalf("chat %s got %d messages within one second from %v, want ≤ 6", ch, n, ts[i])
				}
			}
		}
		if span, want := last.Sub(start), time.Duration(len(ms)-1)*time.Second/50; span < want {
			t.Errorf("%d messages took %v of clock, want ≥ %v at 50/s", len(ms), span, want)
		}
	})

	t.Run("LimitsOffNeverWait", func(t *testing.T) {
		st, c := newStore(t), newClock()
		var ms []store.OutboundMessage
		for i := range 40 {
			ms = append(ms, textTo("oc_same", fmt.Sprint(i)))
		}
		enqueue(t, st, ms...)
		opt := options(t, c)
		opt.PerChat, opt.PerApp = rate.Inf, rate.Inf
		tr := &fakeTransport{}
		drain(t, bot.NewSender(st, tr, opt))
		if len(tr.Delivered()) != 40 {
			t.Fatalf("delivered %d, want 40", len(tr.Delivered()))
		}
		if s := c.Slept(); len(s) != 0 {
			t.Errorf("slept %v with limits off, want no waits", s)
		}
	})
}

func TestSendErrorRetryable(t *testing.T) {
	tests := []struct {
		name string
		err  *bot.SendError
		want bool
	}{
		{"HTTP429", &bot.SendError{HTTPStatus: 429, Code: 99991400}, true},
		{"Gateway99991400On400", &bot.SendError{HTTPStatus: 400, Code: 99991400}, true},
		{"ChatLimit230020", &bot.SendError{HTTPStatus: 400, Code: 230020}, true},
		{"ServiceBusy11232", &bot.SendError{HTTPStatus: 400, Code: 11232}, true},
		{"HTTP502NoCode", &bot.SendError{HTTPStatus: 502}, true},
		{"Network", &bot.SendError{Err: errors.New("dial tcp: i/o timeout")}, true},
		{"TenantToken99991663", &bot.SendError{HTTPStatus: 400, Code: 99991663}, true},
		{"AppToken99991664", &bot.SendError{HTTPStatus: 400, Code: 99991664}, true},
		{"Token99991671", &bot.SendError{HTTPStatus: 400, Code: 99991671}, true},
		{"InvalidContent230001", &bot.SendError{HTTPStatus: 400, Code: 230001}, false},
		{"BotNotInChat230002", &bot.SendError{HTTPStatus: 400, Code: 230002}, false},
		{"TooLong230025", &bot.SendError{HTTPStatus: 400, Code: 230025}, false},
		{"BadCard230099", &bot.SendError{HTTPStatus: 400, Code: 230099}, false},
		{"NoPermission230027", &bot.SendError{HTTPStatus: 400, Code: 230027}, false},
		{"LocalRefusal", &bot.SendError{Msg: "unknown message kind"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.err.Retryable(); got != tt.want {
				t.Errorf("Retryable(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}
	t.Run("UnwrapsNetworkError", func(t *testing.T) {
		cause := errors.New("boom")
		if err := error(&bot.SendError{Err: cause}); !errors.Is(err, cause) {
			t.Errorf("errors.Is(%v, cause) = false", err)
		}
	})
}

func TestTextFallbackUUID(t *testing.T) {
	t.Run("ShortIDGetsSuffix", func(t *testing.T) {
		if got := bot.TextFallbackUUID("abc"); got != "abc-t" {
			t.Errorf("got %q", got)
		}
	})
	t.Run("LongIDStaysWithin50", func(t *testing.T) {
		id := strings.Repeat("f", 50)
		got := bot.TextFallbackUUID(id)
		if len(got) > 50 || got == id || got != bot.TextFallbackUUID(id) {
			t.Errorf("got %q (len %d): want a stable id of ≤ 50 chars, not the original", got, len(got))
		}
	})
	t.Run("EmptyStaysEmpty", func(t *testing.T) {
		if got := bot.TextFallbackUUID(""); got != "" {
			t.Errorf("got %q", got)
		}
	})
}

func TestConsoleTransport(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		m    store.OutboundMessage
		want string
	}{
		{"Reply", store.OutboundMessage{Kind: store.KindReply, ReplyTo: "om_1", ChatID: "oc_x", Text: "已登记"}, "→ 回复 [chat oc_x]\n已登记\n"},
		{"DirectMessage", store.OutboundMessage{Kind: store.KindSend, ReceiveIDType: "open_id", ReceiveID: "ou_x", Text: "提醒"}, "→ 私聊 ou_x\n提醒\n"},
		{"Group", store.OutboundMessage{Kind: store.KindSend, ReceiveIDType: "chat_id", ReceiveID: "oc_x", Text: "周报\n"}, "→ 群 oc_x\n周报\n"},
		{"Patch", store.OutboundMessage{Kind: store.KindPatch, ReplyTo: "om_1", Text: "卡片"}, "→ 更新卡片\n卡片\n"},
		{"ContentWhenNoText", store.OutboundMessage{Kind: store.KindSend, ReceiveIDType: "chat_id", ReceiveID: "oc_x", Content: `{"text":"x"}`}, "→ 群 oc_x\n{\"text\":\"x\"}\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			c := &bot.ConsoleTransport{W: &buf}
			id, err := c.Deliver(ctx, tt.m)
			if err != nil || id != "om_console_1" {
				t.Fatalf("Deliver = %q, %v", id, err)
			}
			if buf.String() != tt.want {
				t.Errorf("printed %q, want %q", buf.String(), tt.want)
			}
		})
	}
	t.Run("UnknownKindRefused", func(t *testing.T) {
		c := &bot.ConsoleTransport{W: &bytes.Buffer{}}
		_, err := c.Deliver(ctx, store.OutboundMessage{Kind: "shout"})
		var se *bot.SendError
		if !errors.As(err, &se) || se.Retryable() {
			t.Errorf("err = %v, want a non-retryable *SendError", err)
		}
	})
	t.Run("ConcurrentIDsUnique", func(t *testing.T) {
		var buf bytes.Buffer
		c := &bot.ConsoleTransport{W: &buf}
		var mu sync.Mutex
		ids := map[string]bool{}
		var wg sync.WaitGroup
		for range 50 {
			wg.Go(func() {
				id, _ := c.Deliver(ctx, store.OutboundMessage{Kind: store.KindSend, ReceiveID: "ou_x", Text: "hi"})
				mu.Lock()
				ids[id] = true
				mu.Unlock()
			})
		}
		wg.Wait()
		if len(ids) != 50 {
			t.Errorf("%d distinct ids from 50 sends", len(ids))
		}
		if n := strings.Count(buf.String(), "→ 私聊 ou_x\nhi\n"); n != 50 {
			t.Errorf("%d whole messages printed, want 50 (no interleaving)", n)
		}
	})
}

func TestMetrics(t *testing.T) {
	t.Run("NilIsSafe", func(t *testing.T) {
		var m *bot.Metrics
		m.Event("im.message.receive_v1", "ok")
		m.Command("查", "ok", time.Millisecond)
		m.Send("send", "ok", time.Millisecond)
		m.SendError(230002)
		m.Dead()
		m.SetOutboxDepth(3)
	})
	t.Run("RegistersAllCollectors", func(t *testing.T) {
		reg := prometheus.NewRegistry()
		m := bot.NewMetrics(reg)
		m.Event("im.message.receive_v1", "ok")
		m.Command("查", "ok", time.Millisecond)
		m.Send("send", "ok", time.Millisecond)
		m.SendError(-1)
		m.Dead()
		m.SetOutboxDepth(3)
		mfs, err := reg.Gather()
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]bool{}
		for _, mf := range mfs {
			got[mf.GetName()] = true
		}
		for _, name := range []string{
			"xfbot_events_total", "xfbot_commands_total", "xfbot_command_seconds", "xfbot_outbox_depth",
			"xfbot_sends_total", "xfbot_send_errors_total", "xfbot_send_seconds", "xfbot_outbox_dead_total",
		} {
			if !got[name] {
				t.Errorf("%s not registered", name)
			}
		}
		if v := counter(t, reg, "xfbot_send_errors_total", map[string]string{"code": "network"}); v != 1 {
			t.Errorf("send_errors{network} = %v, want 1", v)
		}
	})
	t.Run("DoubleRegistrationPanics", func(t *testing.T) {
		reg := prometheus.NewRegistry()
		bot.NewMetrics(reg)
		defer func() {
			if recover() == nil {
				t.Error("second NewMetrics on one registry did not panic")
			}
		}()
		bot.NewMetrics(reg)
	})
}

// TestSenderThroughSDK runs the sender with the real SDK against the fake
// Feishu server: real HTTP, real rate limits, real error answers.
func TestSenderThroughSDK(t *testing.T) {
	srv := larktest.NewServer(larktest.WithRateLimits(5, 50))
	defer srv.Close()
	client := lark.NewClient("cli_test", "secret", lark.WithOpenBaseUrl(srv.URL()), lark.WithLogLevel(larkcore.LogLevelError))
	var forgot atomic.Int32
	tr := bot.NewLarkTransport(client, func(context.Context) error { forgot.Add(1); return nil })
	st := newStore(t)
	opt := bot.SenderOptions{Consumer: "sdk", Workers: 4, Logger: testLogger(t), MaxBackoff: 2 * time.Second}

	t.Run("SendCardFallbackAndRetries", func(t *testing.T) {
		srv.Reset()
		card := textTo("oc_a", "卡片的文字 \"quoted\"\nline 2")
		card.MsgType, card.Content = "interactive", `{}` // the fake refuses an empty card: 230001
		var ms []store.OutboundMessage
		for i := range 8 {
			ms = append(ms, textTo("oc_a", fmt.Sprint("burst ", i)))
		}
		dm := textTo("", "私聊")
		dm.ReceiveIDType, dm.ReceiveID, dm.ChatID = "open_id", "ou_u1", ""
		enqueue(t, st, append(append(ms, card), dm)...)
		srv.FailNext(1, 503, 0) // an outage answered with plain text: a Go error from the SDK
		drain(t, bot.NewSender(st, tr, opt))

		sent := srv.Messages()
		if len(sent) != len(ms)+2 {
			t.Fatalf("server recorded %d messages, want %d: %+v", len(sent), len(ms)+2, sent)
		}
		var order []string
		var fallback *larktest.Sent
		for i, s := range sent {
			if s.UUID == bot.TextFallbackUUID(card.ID) {
				fallback = &sent[i]
			}
			if s.ReceiveID == "oc_a" && s.UUID != bot.TextFallbackUUID(card.ID) {
				order = append(order, s.UUID)
			}
		}
		var want []string
		for _, m := range ms {
			want = append(want, m.ID)
		}
		if strings.Join(order, ",") != strings.Join(want, ",") {
			t.Errorf("chat order %v, want %v", order, want)
		}
		if fallback == nil || fallback.MsgType != "text" {
			t.Fatalf("no text fallback for the refused card in %+v", sent)
		}
		var body map[string]string
		if err := json.Unmarshal([]byte(fallback.Content), &body); err != nil || body["text"] != card.Text {
			t.Errorf("fallback content %s, want the card's text", fallback.Content)
		}
		if n := depth(t, st); n != 0 {
			t.Errorf("depth = %d, want 0", n)
		}
		if dl := deadLetters(t, st); len(dl) != 0 {
			t.Errorf("dead letters = %+v", dl)
		}
	})

	t.Run("RateLimitAnswerIsRetried", func(t *testing.T) {
		srv.Reset()
		m := textTo("oc_b", "after 429")
		enqueue(t, st, m)
		srv.FailNext(1, 429, 99991400)
		drain(t, bot.NewSender(st, tr, opt))
		sent := srv.Messages()
		if len(sent) != 1 || sent[0].UUID != m.ID {
			t.Fatalf("server recorded %+v, want %s once", sent, m.ID)
		}
	})

	t.Run("RejectedTokenIsForgotten", func(t *testing.T) {
		srv.Reset()
		before := forgot.Load()
		m := textTo("oc_c", "after token")
		enqueue(t, st, m)
		srv.FailNext(2, 400, 99991663) // the SDK retries once by itself
		drain(t, bot.NewSender(st, tr, opt))
		if forgot.Load() == before {
			t.Error("token was not forgotten after 99991663")
		}
		if sent := srv.Messages(); len(sent) != 1 || sent[0].UUID != m.ID {
			t.Fatalf("server recorded %+v, want %s once", sent, m.ID)
		}
	})

	t.Run("ReplyAndPatch", func(t *testing.T) {
		srv.Reset()
		parent := textTo("oc_d", "parent")
		enqueue(t, st, parent)
		drain(t, bot.NewSender(st, tr, opt))
		p := srv.Messages()
		if len(p) != 1 {
			t.Fatalf("parent not sent: %+v", p)
		}
		reply := store.OutboundMessage{ID: "reply-1", Kind: store.KindReply, ReplyTo: p[0].MessageID, ChatID: "oc_d",
			MsgType: "text", Content: `{"text":"re"}`, Text: "re"}
		patch := store.OutboundMessage{ID: "patch-1", Kind: store.KindPatch, ReplyTo: p[0].MessageID, ChatID: "oc_d",
			MsgType: "interactive", Content: `{"schema":"2.0","body":{"elements":[]}}`}
		enqueue(t, st, reply, patch)
		drain(t, bot.NewSender(st, tr, opt))
		sent := srv.Messages()
		if len(sent) != 3 || sent[1].ReplyTo != p[0].MessageID || sent[1].UUID != "reply-1" ||
			sent[2].Method != "PATCH" || sent[2].MessageID != p[0].MessageID {
			t.Fatalf("server recorded %+v, want the parent, a reply and a patch", sent)
		}
	})

	t.Run("BadReceiveIDIsDeadLettered", func(t *testing.T) {
		srv.Reset()
		m := textTo("oc_e", "wrong id type")
		m.ReceiveIDType = "open_id" // an oc_ id as open_id: 99992402
		enqueue(t, st, m)
		drain(t, bot.NewSender(st, tr, opt))
		dl := deadLetters(t, st)
		if len(dl) == 0 || dl[0].Msg.ID != m.ID || !strings.Contains(dl[0].Reason, "99992402") {
			t.Fatalf("dead letters = %+v, want %s with 99992402", dl, m.ID)
		}
	})
}

// BenchmarkSenderThroughput measures the sender itself: b.N messages to 100
// chats through a transport that does nothing, with rate limits off.
func BenchmarkSenderThroughput(b *testing.B) {
	st := newStore(b)
	ms := make([]store.OutboundMessage, b.N)
	for i := range ms {
		ms[i] = textTo(fmt.Sprintf("oc_%03d", i%100), "bench")
	}
	enqueue(b, st, ms...)
	var n atomic.Int64
	// Not fakeTransport: recording every call would measure the recorder.
	noop := transportFunc(func(context.Context, store.OutboundMessage) (string, error) {
		n.Add(1)
		return "om_x", nil
	})
	s := bot.NewSender(st, noop, bot.SenderOptions{
		Consumer: "bench", PerChat: rate.Inf, PerApp: rate.Inf,
		Logger: slog.New(slog.DiscardHandler),
	})
	b.ResetTimer()
	start := time.Now()
	drain(b, s)
	elapsed := time.Since(start)
	b.StopTimer()
	if n.Load() != int64(b.N) {
		b.Fatalf("delivered %d, want %d", n.Load(), b.N)
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "msgs/s")
}

type transportFunc func(ctx context.Context, m store.OutboundMessage) (string, error)

func (f transportFunc) Deliver(ctx context.Context, m store.OutboundMessage) (string, error) {
	return f(ctx, m)
}

// FuzzParseSendAnswer checks the fast read of Feishu's answer to a send
// against decoding it whole: whatever it accepts, it reads as encoding/json
// does.
func FuzzParseSendAnswer(f *testing.F) {
	for _, s := range []string{
		`{"code":0,"msg":"success","data":{"message_id":"om_1","body":{"content":"{\"text\":\"x\"}"}}}`,
		`{"data":{"message_id":"om_2"},"code":0,"msg":"ok"}`,
		`{"code":0,"data":{"root_id":"","message_id":"om_3"}}`,
		`{"code":0,"data":{"a":[1,2.5e3,{"x":"\\\""}],"b":true,"c":null,"message_id":"om_4"}, "msg" : "成功" }`,
		`{"code":230020,"msg":"frequency limit","data":{}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		code, msg, id, err := bot.ParseSendAnswer(raw)
		var full struct {
			Code int    `json:"code"`
			Msg  string `json:"msg"`
			Data struct {
				MessageID string `json:"message_id"`
			} `json:"data"`
		}
		if json.Unmarshal(raw, &full) != nil {
			return // the fast read may accept what it did not need to check
		}
		if err != nil || code != full.Code || id != full.Data.MessageID || (msg != full.Msg && msg != "") {
			t.Fatalf("%q: read %d %q %q %v, decoded %d %q %q", raw, code, msg, id, err, full.Code, full.Msg, full.Data.MessageID)
		}
	})
}
