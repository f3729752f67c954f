package main

// Fault tests (issue 13): faults injected on loopback into a running
// `xfbot serve`, bounded in time. The short form runs with the suite; set
// XFBOT_CHAOS_LONG=1 for the full durations.

import (
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/qingchuan/xfbot/bot/larktest"
	"github.com/qingchuan/xfbot/internal/testredis"
)

func chaosLong() bool { return os.Getenv("XFBOT_CHAOS_LONG") != "" }

// TestChaosRedisOutage: Redis killed (-9) under a running bot and started
// again from its append-only file. While it is gone the webhook answers
// non-2xx to every event, so that Feishu delivers it again, and /healthz
// answers 503; once it is back, the redelivered events are each handled
// and answered once, /healthz is 200 again, and nothing acknowledged
// before the outage is lost (its case is there, its reply was sent once).
func TestChaosRedisOutage(t *testing.T) {
	if testing.Short() {
		t.Skip("a fault test: starts and kills a redis-server")
	}
	outage := 3 * time.Second
	if chaosLong() {
		outage = 30 * time.Second
	}
	rs := testredis.StartServer(t, "--appendonly", "yes", "--appendfsync", "always")
	appID := uniqueAppID()
	fake := larktest.NewServer(larktest.WithApp(appID, e2eSecret))
	t.Cleanup(fake.Close)
	env := serveEnv(t, fake, appID)
	env["XFBOT_REDIS_ADDR"], env["XFBOT_REDIS_PREFIX"] = rs.Addr, "chaos"
	delete(env, "XFBOT_REDIS_CLUSTER")
	p := startServe(t, env)
	f := newFeishu(t, fake, p, env)

	health := func() int {
		var h map[string]any
		code, err := getJSON(p.URL+"/healthz", &h)
		if err != nil {
			t.Fatalf("/healthz: %v", err)
		}
		return code
	}
	register := func(title string) (string, []byte) {
		return f.message(larktest.Message{ChatID: "oc_p2p_admin", Text: "新建 " + title + " 单位:区住建局"})
	}

	// Before: acknowledged and answered.
	var before []string
	for i := range 3 {
		id, ev := register(fmt.Sprintf("停电前登记%d", i))
		f.deliver(ev)
		if r := f.replyTo(id); !strings.Contains(r.Content, "已登记") {
			t.Fatalf("reply before the outage: %q", r.Content)
		}
		before = append(before, id)
	}

	rs.Kill()
	down := time.Now()
	type pending struct {
		id string
		ev []byte
	}
	var during []pending
	for i := 0; len(during) < 3 || time.Since(down) < outage; i++ {
		id, ev := register(fmt.Sprintf("停电中登记%d", i))
		if code, body := f.post(ev, time.Now(), nil); code >= 200 && code < 300 {
			t.Fatalf("event %d acknowledged (%d %s) while Redis is down: Feishu would not deliver it again", i, code, body)
		}
		during = append(during, pending{id, ev})
		if code := health(); code != http.StatusServiceUnavailable {
			t.Fatalf("/healthz = %d while Redis is down, want 503", code)
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Logf("Redis down %s, %d events refused", time.Since(down).Round(time.Millisecond), len(during))

	rs.Restart()
	for deadline := time.Now().Add(e2eWait); health() != http.StatusOK; time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("/healthz not 200 %s after Redis came back", e2eWait)
		}
	}
	// Feishu redelivers each refused event (twice, for good measure).
	for round := range 2 {
		for _, e := range during {
			if code, body := f.post(e.ev, time.Now(), nil); code != http.StatusOK {
				t.Fatalf("redelivery %d of %s answered %d %s, want 200", round, e.id, code, body)
			}
		}
	}
	for _, e := range during {
		if r := f.replyTo(e.id); !strings.Contains(r.Content, "已登记") {
			t.Errorf("reply to a redelivered event: %q", r.Content)
		}
	}
	// A barrier: a later command is answered after everything queued
	// before it, so any second reply would have arrived by now.
	id, ev := f.message(larktest.Message{ChatID: "oc_p2p_admin", Text: "列表 全部"})
	f.deliver(ev)
	list := f.replyTo(id)
	for _, m := range append(before, func() []string {
		var ids []string
		for _, e := range during {
			ids = append(ids, e.id)
		}
		return ids
	}()...) {
		if n := f.replies(m); n != 1 {
			t.Errorf("message %s answered %d times, want once", m, n)
		}
	}
	want := fmt.Sprintf("共 %d 件", len(before)+len(during))
	if !strings.Contains(list.Content, want) {
		t.Errorf("the ledger after the outage does not say %q:\n%s", want, list.Content)
	}
}
