package main

// Fault tests (issue 13): faults injected on loopback into a running
// `xfbot serve`, bounded in time. The short form runs with the suite; set
// XFBOT_CHAOS_LONG=1 for the full durations.

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
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

// TestChaosReplicaKilledMidSend: three `xfbot serve` processes on one
// Redis share the outbox; one is killed (-9) while the replies of a burst
// of commands are being sent. The other two take over what it held
// (sender.ClaimIdle, 30 s), so every reply reaches Feishu, and none twice:
// what the dead one had sent but not acknowledged goes again with the same
// uuid, which Feishu (the fake) answers from its cache without a second
// message.
func TestChaosReplicaKilledMidSend(t *testing.T) {
	if testing.Short() {
		t.Skip("a fault test: builds xfbot and kills a replica")
	}
	rs := testredis.StartServer(t)
	dir := t.TempDir()
	bin := filepath.Join(dir, "xfbot")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		t.Fatalf("go build: %v", err)
	}
	appID := uniqueAppID()
	fake := larktest.NewServer(larktest.WithApp(appID, e2eSecret))
	t.Cleanup(fake.Close)

	type replica struct {
		cmd *exec.Cmd
		f   *feishu
	}
	var reps []*replica
	for i := range 3 {
		addr := freeAddr(t)
		env := map[string]string{
			"XFBOT_LARK_APP_ID": appID, "XFBOT_LARK_APP_SECRET": e2eSecret, "XFBOT_LARK_BASE_URL": fake.URL(),
			"XFBOT_LARK_MODE": "webhook", "XFBOT_LARK_VERIFICATION_TOKEN": e2eToken, "XFBOT_LARK_ENCRYPT_KEY": e2eEncryptKey,
			"XFBOT_LARK_BOT_OPEN_ID": e2eBot, "XFBOT_HTTP_ADDR": addr, "XFBOT_REDIS_ADDR": rs.Addr,
			"XFBOT_REDIS_PREFIX": "chaos", "XFBOT_ADMINS": e2eAdmin, "XFBOT_LOG_LEVEL": "warn", "XFBOT_PRIVACY_INDEX_SECRET": "chaos-test-secret",
			// Slow senders, so that the burst is still being sent when the
			// replica dies.
			"XFBOT_SENDER_PER_APP": "15", "XFBOT_SENDER_PER_CHAT": "15",
		}
		cmd := exec.Command(bin, "serve")
		cmd.Env = append(os.Environ(), environOf(env)...)
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatalf("replica %d: %v", i, err)
		}
		t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
		url := "http://" + addr
		if !waitFor(func() bool { code, _ := getJSON(url+"/healthz", nil); return code == http.StatusOK }) {
			t.Fatalf("replica %d: /healthz did not answer 200", i)
		}
		reps = append(reps, &replica{cmd: cmd, f: newFeishu(t, fake, &xfbotProc{URL: url}, env)})
	}

	// A burst of commands, spread over the replicas as a load balancer
	// would; an event a dead replica cannot take goes to the next one.
	const n = 120
	var ids []string
	dead := -1
	for i := range n {
		id, ev := reps[0].f.message(larktest.Message{ChatID: fmt.Sprintf("oc_chaos_%d", i%40), Text: fmt.Sprintf("新建 副本故障演练%d", i)})
		ok := false
		for k := range len(reps) {
			r := (i + k) % len(reps)
			if r == dead {
				continue
			}
			if code, _ := reps[r].f.postQuiet(ev); code == http.StatusOK {
				ok = true
				break
			}
		}
		if !ok {
			t.Fatalf("event %d: no replica took it", i)
		}
		ids = append(ids, id)
		if i == n/2 {
			dead = 1
			if err := reps[dead].cmd.Process.Kill(); err != nil { // kill -9, mid-send
				t.Fatal(err)
			}
			_ = reps[dead].cmd.Wait()
			t.Logf("replica %d killed after %d events, %d replies delivered so far", dead, i+1, len(fake.Messages()))
		}
	}
	deadline := time.Now().Add(90 * time.Second) // ClaimIdle (30 s) and the slow senders
	for {
		missing := 0
		for _, id := range ids {
			if reps[0].f.replies(id) == 0 {
				missing++
			}
		}
		if missing == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d replies never delivered", missing, n)
		}
		time.Sleep(500 * time.Millisecond)
	}
	time.Sleep(2 * time.Second) // a late duplicate would show now
	for _, id := range ids {
		if k := reps[0].f.replies(id); k != 1 {
			t.Errorf("message %s answered %d times, want once", id, k)
		}
	}
	t.Logf("%d replies delivered once each; %d repeated sends answered from the uuid cache", n, fake.DuplicateUUIDs())
}

// postQuiet posts event as Feishu does and returns the status, or 0 when
// the bot could not be reached (a dead replica).
func (f *feishu) postQuiet(event []byte) (int, error) {
	f.fake.ObserveEvent(event)
	req, err := larktest.NewWebhookRequest(f.url, f.key, event, time.Now())
	if err != nil {
		return 0, err
	}
	resp, err := f.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, nil
}
