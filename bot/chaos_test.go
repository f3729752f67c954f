package bot_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	lark "github.com/larksuite/oapi-sdk-go/v3"
	larkcore "github.com/larksuite/oapi-sdk-go/v3/core"

	"github.com/qingchuan/xfbot/bot"
	"github.com/qingchuan/xfbot/bot/larktest"
	"github.com/qingchuan/xfbot/store"
)

// TestChaosFeishuFaults: Feishu misbehaves while replies keep being queued
// — it answers 503 (down), then 429 to everything (rate limited), then
// does the work but never answers in time (timeouts) — and every message
// is delivered, once. The timeouts are the hard part: Feishu has the
// message, the sender does not know, and sends it again with the same
// uuid, which Feishu answers from its cache instead of posting a second
// message. Each phase lasts 2 s (XFBOT_CHAOS_LONG: 20 s, a minute in all).
func TestChaosFeishuFaults(t *testing.T) {
	if testing.Short() {
		t.Skip("a fault test")
	}
	phase := 2 * time.Second
	if os.Getenv("XFBOT_CHAOS_LONG") != "" {
		phase = 20 * time.Second
	}
	srv := larktest.NewServer(larktest.WithRateLimits(5, 50))
	defer srv.Close()
	client := lark.NewClient("cli_test", "secret", lark.WithOpenBaseUrl(srv.URL()), lark.WithLogLevel(larkcore.LogLevelError))
	tr := bot.NewLarkTransport(client, func(context.Context) error { return nil })
	st := newStore(t)
	opt := bot.SenderOptions{Consumer: "chaos", Workers: 4, Logger: testLogger(t), MaxBackoff: time.Second,
		SendTimeout: 300 * time.Millisecond, ClaimIdle: 2 * time.Second}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- bot.NewSender(st, tr, opt).Run(ctx) }()

	var queued []store.OutboundMessage
	produce := func(d time.Duration) {
		for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
			var ms []store.OutboundMessage
			for range 3 {
				ms = append(ms, textTo(fmt.Sprintf("oc_chaos_%d", len(queued)%12), fmt.Sprint("回复 ", len(queued))))
				queued = append(queued, ms[len(ms)-1])
			}
			enqueue(t, st, ms...)
		}
	}
	produce(phase / 2) // healthy
	srv.SetDown(true)  // 503
	produce(phase)
	srv.SetDown(false)
	srv.FailNext(1<<30, 429, 99991400) // rate limited, every call
	produce(phase)
	srv.FailNext(0, 0, 0)
	srv.SetStall(time.Second) // done, but answered after the sender gave up
	produce(phase)
	srv.SetStall(0)
	produce(phase / 2)

	want := map[string]bool{}
	for _, m := range queued {
		want[m.ID] = true
	}
	count := func() (map[string]int, int) {
		got := map[string]int{}
		for _, s := range srv.Messages() {
			got[s.UUID]++
		}
		missing := 0
		for id := range want {
			if got[id] == 0 {
				missing++
			}
		}
		return got, missing
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		_, missing := count()
		if missing == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d messages never delivered", missing, len(want))
		}
		time.Sleep(200 * time.Millisecond)
	}
	time.Sleep(time.Second) // a late second delivery would show now
	got, _ := count()
	for id, n := range got {
		if !want[id] {
			t.Errorf("unknown message %s delivered", id)
		}
		if n != 1 {
			t.Errorf("message %s delivered %d times, want once", id, n)
		}
	}
	if n := depth(t, st); n != 0 {
		t.Errorf("outbox depth %d after everything was delivered", n)
	}
	if dl := deadLetters(t, st); len(dl) != 0 {
		t.Errorf("dead letters: %+v", dl)
	}
	t.Logf("%d messages through 503, 429 and timeouts, each delivered once; %d resends answered from the uuid cache", len(want), srv.DuplicateUUIDs())
	cancel()
	<-done
}
