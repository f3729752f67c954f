package main

// End-to-end tests: `xfbot serve` through run(), as the binary runs, with the
// real SDK against larktest's fake Feishu and a real (or in-memory) Redis.
// Feishu's side is played by this file: it posts events signed and encrypted
// as Feishu does and reads what the bot sent back from the fake Open API.
//
// Asynchronous outcomes are polled with generous timeouts; nothing asserts on
// elapsed time. "Nothing was sent" is shown with a barrier: a later command
// in the same chat is answered, and the sender delivers one chat's messages
// in order, so anything the earlier event queued would have arrived first.

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/qingchuan/xfbot/bot/larktest"
	"github.com/qingchuan/xfbot/internal/testredis"
)

const (
	e2eSecret     = "e2e-app-secret"
	e2eToken      = "e2e-verification-token"
	e2eEncryptKey = "e2e-encrypt-key"
	e2eAdmin      = "ou_e2e_admin"
	e2eBot        = "ou_e2e_bot"
	e2eGroup      = "oc_e2e_taskforce"
	e2ePetitioner = "张三丰"
	e2ePhone      = "13912345678"

	// e2eWait bounds every wait for an asynchronous outcome: generous, as
	// the machines running the tests are shared.
	e2eWait = 10 * time.Second
)

var caseNoRE = regexp.MustCompile(`XF-\d{4}-\d{4}`)

// ---------------------------------------------------------------------------
// Helpers shared with e2e_ws_test.go and bench_test.go.

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// uniqueAppID is a fresh app id: the SDK's token cache is process-global and
// keyed by app id, so each bot instance gets its own.
func uniqueAppID() string { return "cli_e2e_" + randHex(6) }

func newMessageID() string { return "om_" + randHex(16) }

// caseYear is the year in case numbers registered now (the ledger's zone).
func caseYear() int {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		panic(err)
	}
	return time.Now().In(loc).Year()
}

// syncBuffer collects a bot's log. The SDK's ws client outlives the test
// that started it and may still log, so writes must be safe at any time.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// freeAddr picks a free port on 127.0.0.1 for XFBOT_HTTP_ADDR.
func freeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// e2eRedis returns a Redis address, a key prefix of the test's own and
// whether the address lists a cluster's seed nodes: the real Redis (or
// Redis Cluster) the suites run against, its keys deleted afterwards, else
// a private miniredis.
func e2eRedis(t testing.TB) (addr, prefix string, cluster bool) {
	t.Helper()
	prefix = "e2e_" + randHex(6)
	if addr, cluster = testredis.Addr(); addr == "" {
		return miniredis.RunT(t).Addr(), prefix, false
	}
	t.Cleanup(func() {
		rdb := testredis.Dial(addr, cluster)
		defer rdb.Close()
		testredis.Flush(t, rdb, prefix)
	})
	return addr, prefix, cluster
}

// redisEnv is the bot's environment for e2eRedis's answer.
func redisEnv(addr, prefix string, cluster bool) map[string]string {
	env := map[string]string{"XFBOT_REDIS_ADDR": addr, "XFBOT_REDIS_PREFIX": prefix}
	if cluster {
		env["XFBOT_REDIS_CLUSTER"] = "1"
	}
	return env
}

// envRedis opens a client on the Redis of a bot's environment, as the bot
// itself does, closed when t ends.
func envRedis(t testing.TB, env map[string]string) redis.UniversalClient {
	t.Helper()
	return testredis.Open(t, env["XFBOT_REDIS_ADDR"], env["XFBOT_REDIS_CLUSTER"] == "1")
}

// serveEnv is the environment of a webhook-mode bot with an encrypt key and
// a verification token, talking to fake.
func serveEnv(t testing.TB, fake *larktest.Server, appID string) map[string]string {
	env := redisEnv(e2eRedis(t))
	for k, v := range map[string]string{
		"XFBOT_LARK_APP_ID":             appID,
		"XFBOT_LARK_APP_SECRET":         e2eSecret,
		"XFBOT_LARK_BASE_URL":           fake.URL(),
		"XFBOT_LARK_MODE":               "webhook",
		"XFBOT_LARK_VERIFICATION_TOKEN": e2eToken,
		"XFBOT_LARK_ENCRYPT_KEY":        e2eEncryptKey,
		"XFBOT_LARK_BOT_OPEN_ID":        e2eBot,
		"XFBOT_HTTP_ADDR":               freeAddr(t),
		"XFBOT_ADMINS":                  e2eAdmin,
		"XFBOT_GROUP_CHAT_ID":           e2eGroup,
		// The whole card in the group, so that the suites can check what a
		// group card shows; TestE2ELightGroupReplies covers the default.
		"XFBOT_GROUP_REPLIES": "full",
	} {
		env[k] = v
	}
	return env
}

func environOf(env map[string]string) []string {
	out := make([]string, 0, len(env))
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	return out
}

// xfbotProc is `xfbot serve` running in a goroutine.
type xfbotProc struct {
	URL  string // http://host:port of XFBOT_HTTP_ADDR
	Logs *syncBuffer

	cancel context.CancelFunc
	done   chan struct{}
	err    error // run's result, once done is closed
	once   sync.Once
}

// startServe runs `xfbot serve` with env (and nothing else in its
// environment) and waits until /healthz answers 200. The bot is stopped,
// and run's return awaited, when t ends. Should another process take the
// picked port first, it tries again on a new one.
func startServe(t testing.TB, env map[string]string) *xfbotProc {
	t.Helper()
	for attempt := 1; ; attempt++ {
		p := &xfbotProc{URL: "http://" + env["XFBOT_HTTP_ADDR"], Logs: &syncBuffer{}, done: make(chan struct{})}
		ctx, cancel := context.WithCancel(context.Background())
		p.cancel = cancel
		go func() {
			defer close(p.done)
			p.err = run(ctx, []string{"serve"}, strings.NewReader(""), io.Discard, p.Logs, environOf(env))
		}()
		if p.waitHealthy() {
			t.Cleanup(func() {
				if err := p.Stop(); err != nil {
					t.Errorf("run after cancel: %v", err)
				}
				if t.Failed() {
					t.Logf("xfbot log:\n%s", p.Logs)
				}
			})
			return p
		}
		err := p.Stop()
		if err != nil && strings.Contains(err.Error(), "address already in use") && attempt < 3 {
			env["XFBOT_HTTP_ADDR"] = freeAddr(t)
			continue
		}
		t.Fatalf("/healthz did not answer 200 within %s; run: %v\nlog:\n%s", e2eWait, err, p.Logs)
	}
}

// waitHealthy polls /healthz until it answers 200 (true), run returns or
// e2eWait passes.
func (p *xfbotProc) waitHealthy() bool {
	deadline := time.Now().Add(e2eWait)
	for time.Now().Before(deadline) {
		select {
		case <-p.done:
			return false
		default:
		}
		if code, _ := getJSON(p.URL+"/healthz", nil); code == http.StatusOK {
			return true
		}
		time.Sleep(20 * time.Millisecond)
	}
	return false
}

// Stop cancels run's context and waits for run to return; it returns run's
// error. It may be called more than once.
func (p *xfbotProc) Stop() error {
	var err error
	p.once.Do(func() {
		p.cancel()
		select {
		case <-p.done:
			err = p.err
		case <-time.After(30 * time.Second):
			err = errors.New("run did not return within 30 s of cancel")
		}
	})
	return err
}

// probe is the client for /healthz and /metrics: with a timeout, so that a
// port answered by something else cannot hang a test.
var probe = &http.Client{Timeout: 5 * time.Second}

// getJSON GETs url and decodes a JSON body into v (when v is not nil).
func getJSON(url string, v any) (int, error) {
	resp, err := probe.Get(url)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, err
	}
	if v != nil {
		err = json.Unmarshal(b, v)
	}
	return resp.StatusCode, err
}

// metricSum adds up the samples of metric name whose labels contain every
// one of labels (written as in the exposition format: `verb="新建"`).
func metricSum(t testing.TB, baseURL, name string, labels ...string) float64 {
	t.Helper()
	sum := 0.0
	for line := range strings.SplitSeq(metricsBody(t, baseURL), "\n") {
		if !strings.HasPrefix(line, name+"{") && !strings.HasPrefix(line, name+" ") {
			continue
		}
		ok := true
		for _, l := range labels {
			ok = ok && strings.Contains(line, l)
		}
		if !ok {
			continue
		}
		f := strings.Fields(line)
		if v, err := strconv.ParseFloat(f[len(f)-1], 64); err == nil {
			sum += v
		}
	}
	return sum
}

// metricsBody is the text of /metrics.
func metricsBody(t testing.TB, baseURL string) string {
	t.Helper()
	resp, err := probe.Get(baseURL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// feishu plays Feishu's side of webhook mode for one bot: it builds events,
// signs and encrypts them and posts them to the bot's /lark/events.
type feishu struct {
	t      testing.TB
	fake   *larktest.Server
	url    string // the bot's webhook URL
	key    string // encrypt key ("" posts plaintext)
	token  string
	appID  string
	client *http.Client
}

// serveFeishu starts serve in webhook mode against a fresh fake Feishu and
// returns the fake and the client that plays Feishu's part; both are shut
// down when t ends (serve first).
func serveFeishu(t testing.TB) (*larktest.Server, *feishu) {
	t.Helper()
	appID := uniqueAppID()
	fake := larktest.NewServer(larktest.WithApp(appID, e2eSecret))
	t.Cleanup(fake.Close)
	env := serveEnv(t, fake, appID)
	p := startServe(t, env)
	return fake, newFeishu(t, fake, p, env)
}

func newFeishu(t testing.TB, fake *larktest.Server, p *xfbotProc, env map[string]string) *feishu {
	return &feishu{
		t: t, fake: fake, url: p.URL + "/lark/events",
		key: env["XFBOT_LARK_ENCRYPT_KEY"], token: env["XFBOT_LARK_VERIFICATION_TOKEN"], appID: env["XFBOT_LARK_APP_ID"],
		client: &http.Client{Timeout: 30 * time.Second},
	}
}

// message fills the envelope fields Feishu sets for this app and returns
// the message id and the event.
func (f *feishu) message(m larktest.Message) (string, []byte) {
	if m.MessageID == "" {
		m.MessageID = newMessageID()
	}
	if m.SenderOpenID == "" {
		m.SenderOpenID = e2eAdmin
	}
	if m.Token == "" {
		m.Token = f.token
	}
	m.AppID = f.appID
	return m.MessageID, larktest.MessageEvent(m)
}

// post delivers event as Feishu does, signed with a timestamp of at, after
// edit (if any) has had its way with the request.
func (f *feishu) post(event []byte, at time.Time, edit func(*http.Request)) (int, []byte) {
	f.t.Helper()
	f.fake.ObserveEvent(event) // so that replies are attributed to the event's chat
	req, err := larktest.NewWebhookRequest(f.url, f.key, event, at)
	if err != nil {
		f.t.Fatal(err)
	}
	if edit != nil {
		edit(req)
	}
	resp, err := f.client.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, body
}

// deliver posts event now and wants 200.
func (f *feishu) deliver(event []byte) []byte {
	f.t.Helper()
	code, body := f.post(event, time.Now(), nil)
	if code != http.StatusOK {
		f.t.Fatalf("webhook answered %d %s, want 200", code, body)
	}
	return body
}

// say sends text as m (p2p from the admin by default) and returns the reply
// recorded at the fake.
func (f *feishu) say(m larktest.Message) larktest.Sent {
	f.t.Helper()
	id, ev := f.message(m)
	f.deliver(ev)
	return f.replyTo(id)
}

// replyTo waits for the reply to message id.
func (f *feishu) replyTo(id string) larktest.Sent {
	f.t.Helper()
	s, ok := f.fake.WaitFor(func(s larktest.Sent) bool { return s.ReplyTo == id }, e2eWait)
	if !ok {
		f.t.Fatalf("no reply to %s within %s", id, e2eWait)
	}
	return s
}

// replies counts the replies to message id recorded so far.
func (f *feishu) replies(id string) int {
	n := 0
	for _, s := range f.fake.Messages() {
		if s.ReplyTo == id {
			n++
		}
	}
	return n
}

// barrier sends 帮助 in chat (a group message @s the bot) and waits for its
// reply. The sender delivers a chat's messages in order, so whatever an
// earlier event in that chat queued has been delivered when this returns.
func (f *feishu) barrier(chat string, group bool) {
	f.t.Helper()
	m := larktest.Message{ChatID: chat, Text: "帮助"}
	if group {
		m.ChatType, m.Text = "group", "@_user_1 帮助"
		m.Mentions = []larktest.Mention{{OpenID: e2eBot, Name: "信访专班助手"}}
	}
	f.say(m)
}

// cardText is the text a card or text message shows, for substring checks:
// the strings of the content JSON, unescaped, so that no escaping hides
// anything.
func cardText(content string) string {
	var v any
	if json.Unmarshal([]byte(content), &v) != nil {
		return content
	}
	var b strings.Builder
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case string:
			b.WriteString(x)
			b.WriteByte('\n')
		case []any:
			for _, e := range x {
				walk(e)
			}
		case map[string]any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(v)
	// Markdown escapes (139\*\*\*\*5678) would hide what a reader sees.
	return strings.ReplaceAll(b.String(), `\`, "")
}

// ---------------------------------------------------------------------------

func TestE2EWebhook(t *testing.T) {
	appID := uniqueAppID()
	fake := larktest.NewServer(larktest.WithApp(appID, e2eSecret))
	defer fake.Close()
	env := serveEnv(t, fake, appID)
	p := startServe(t, env)
	f := newFeishu(t, fake, p, env)

	year := caseYear()
	adminChat := "oc_" + randHex(16) // the admin's p2p chat with the bot
	var caseNo string                // the first case, with a petitioner

	t.Run("URLVerification", func(t *testing.T) {
		f.t = t
		for _, signed := range []bool{true, false} {
			challenge := "challenge-" + randHex(8)
			code, body := f.post(larktest.URLVerification(e2eToken, challenge), time.Now(), func(r *http.Request) {
				if !signed { // the console may send it without signature headers
					r.Header.Del("X-Lark-Signature")
				}
			})
			var got struct{ Challenge string }
			if code != http.StatusOK || json.Unmarshal(body, &got) != nil || got.Challenge != challenge {
				t.Errorf("signed=%v: got %d %s, want 200 {\"challenge\":%q}", signed, code, body, challenge)
			}
		}
		code, body := f.post(larktest.URLVerification("wrong-token", "c"), time.Now(), nil)
		if code != http.StatusUnauthorized {
			t.Errorf("url_verification with a wrong token: got %d %s, want 401", code, body)
		}
	})

	t.Run("CreateRepliesWithCaseNumber", func(t *testing.T) {
		f.t = t
		id, ev := f.message(larktest.Message{ChatID: adminChat,
			Text: "新建 桂园社区回迁安置房延期交付 类别:征地拆迁 属地:云溪街道 单位:区住建局 信访人:" + e2ePetitioner + " 电话:" + e2ePhone})
		f.deliver(ev)
		s := f.replyTo(id)
		if s.Method != http.MethodPost || s.Path != "/open-apis/im/v1/messages/"+id+"/reply" {
			t.Errorf("reply sent as %s %s, want POST to the reply endpoint of %s", s.Method, s.Path, id)
		}
		if s.MsgType != "interactive" {
			t.Errorf("reply msg_type %q, want interactive", s.MsgType)
		}
		want := fmt.Sprintf("XF-%d-0001", year)
		if !strings.Contains(s.Content, want) {
			t.Fatalf("reply does not carry %s: %s", want, s.Content)
		}
		caseNo = want
		if !strings.Contains(cardText(s.Content), e2ePetitioner) {
			t.Errorf("the admin's private reply should show the petitioner in full: %s", s.Content)
		}
		// The task-force group hears of the new case, masked.
		g, ok := fake.WaitFor(func(s larktest.Sent) bool {
			return s.ReceiveIDType == "chat_id" && s.ReceiveID == e2eGroup && strings.Contains(s.Content, caseNo)
		}, e2eWait)
		if !ok {
			t.Fatalf("no notice of %s in the group %s", caseNo, e2eGroup)
		}
		assertMasked(t, g.Content)
	})
	if caseNo == "" {
		t.Fatal("no case registered; the remaining scenarios need it")
	}

	t.Run("ShowHasProgressAndDeadline", func(t *testing.T) {
		f.t = t
		r := f.say(larktest.Message{ChatID: adminChat, Text: "进展 " + caseNo + " 已与开发商约谈，4月底前交房"})
		if !strings.Contains(r.Content, caseNo) {
			t.Fatalf("进展 reply: %s", r.Content)
		}
		s := f.say(larktest.Message{ChatID: adminChat, Text: "查看 " + caseNo})
		text := cardText(s.Content)
		for _, want := range []string{caseNo, "桂园社区回迁安置房延期交付", "已与开发商约谈，4月底前交房", "办结期限", "剩"} {
			if !strings.Contains(text, want) {
				t.Errorf("查看 card lacks %q:\n%s", want, text)
			}
		}
	})

	t.Run("GroupWithoutMentionIgnored", func(t *testing.T) {
		f.t = t
		before := metricSum(t, p.URL, "xfbot_events_total", `type="im.message.receive_v1"`, `result="ignored"`)
		var ids []string
		for _, m := range []larktest.Message{
			{ChatID: e2eGroup, ChatType: "group", Text: "查看 " + caseNo},
			// An @ of someone else is not an @ of the bot.
			{ChatID: e2eGroup, ChatType: "group", Text: "@_user_1 查看 " + caseNo, Mentions: []larktest.Mention{{OpenID: "ou_someone_else", Name: "张三"}}},
		} {
			id, ev := f.message(m)
			f.deliver(ev)
			ids = append(ids, id)
		}
		f.barrier(e2eGroup, true)
		for _, id := range ids {
			if n := f.replies(id); n != 0 {
				t.Errorf("%d replies to a group message that does not @ the bot", n)
			}
		}
		if got := metricSum(t, p.URL, "xfbot_events_total", `type="im.message.receive_v1"`, `result="ignored"`); got != before+2 {
			t.Errorf("ignored events went from %v to %v, want +2", before, got)
		}
	})

	t.Run("GroupMentionAnsweredMasked", func(t *testing.T) {
		f.t = t
		s := f.say(larktest.Message{ChatID: e2eGroup, ChatType: "group", Text: "@_user_1 查看 " + caseNo,
			Mentions: []larktest.Mention{{OpenID: e2eBot, Name: "信访专班助手"}}})
		if s.ReceiveID != e2eGroup {
			t.Errorf("reply landed in %q, want the group %s", s.ReceiveID, e2eGroup)
		}
		if !strings.Contains(s.Content, caseNo) {
			t.Errorf("group reply lacks %s: %s", caseNo, s.Content)
		}
		assertMasked(t, s.Content)
	})

	t.Run("RedeliveryOneReply", func(t *testing.T) {
		f.t = t
		const note = "重复投递只记一次"
		dupsBefore := fake.DuplicateUUIDs()
		// Feishu redelivers one message under a new event id; once in
		// sequence, once two copies at the same moment.
		for round, concurrent := range []bool{false, true} {
			msgID := newMessageID()
			m := larktest.Message{MessageID: msgID, ChatID: adminChat, Text: fmt.Sprintf("进展 %s %s%d", caseNo, note, round)}
			m.EventID = randHex(16)
			_, ev1 := f.message(m)
			m.EventID = randHex(16)
			_, ev2 := f.message(m)
			if concurrent {
				var wg sync.WaitGroup
				codes := make([]int, 2)
				for i, ev := range [][]byte{ev1, ev2} {
					wg.Go(func() { codes[i], _ = f.post(ev, time.Now(), nil) })
				}
				wg.Wait()
				if codes[0] != http.StatusOK || codes[1] != http.StatusOK {
					t.Errorf("concurrent deliveries answered %v, want 200 for both", codes)
				}
			} else {
				f.deliver(ev1)
				f.deliver(ev2)
			}
			f.barrier(adminChat, false)
			if n := f.replies(msgID); n != 1 {
				t.Errorf("round %d: %d replies to a message delivered twice, want 1", round, n)
			}
		}
		if d := fake.DuplicateUUIDs() - dupsBefore; d != 0 {
			t.Errorf("%d sends were collapsed by Feishu's uuid: the redelivery was processed twice", d)
		}
		text := cardText(f.say(larktest.Message{ChatID: adminChat, Text: "查看 " + caseNo}).Content)
		for round := range 2 {
			if n := strings.Count(text, fmt.Sprintf("%s%d", note, round)); n != 1 {
				t.Errorf("progress of round %d recorded %d times, want 1:\n%s", round, n, text)
			}
		}
	})

	t.Run("Rejected", func(t *testing.T) {
		for _, tc := range []struct {
			name  string
			token string
			at    time.Time
			edit  func(*http.Request)
		}{
			{name: "BadSignature", edit: func(r *http.Request) { r.Header.Set("X-Lark-Signature", strings.Repeat("0", 64)) }},
			{name: "MissingSignature", edit: func(r *http.Request) { r.Header.Del("X-Lark-Signature") }},
			{name: "SixMinutesOld", at: time.Now().Add(-6 * time.Minute)},
			{name: "FromTheFuture", at: time.Now().Add(6 * time.Minute)},
			{name: "WrongVerificationToken", token: "not-the-token"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				f.t = t
				before := metricSum(t, p.URL, "xfbot_events_total", `type="webhook"`, `result="rejected"`)
				id, ev := f.message(larktest.Message{ChatID: adminChat, Text: "查看 " + caseNo, Token: tc.token})
				at := tc.at
				if at.IsZero() {
					at = time.Now()
				}
				if code, body := f.post(ev, at, tc.edit); code != http.StatusUnauthorized {
					t.Errorf("got %d %s, want 401", code, body)
				}
				f.barrier(adminChat, false)
				if n := f.replies(id); n != 0 {
					t.Errorf("%d replies to a refused request", n)
				}
				if got := metricSum(t, p.URL, "xfbot_events_total", `type="webhook"`, `result="rejected"`); got != before+1 {
					t.Errorf("rejected requests went from %v to %v, want +1", before, got)
				}
			})
		}
	})

	t.Run("CardActionReturnsCard", func(t *testing.T) {
		f.t = t
		// Replies only: a scheduled job may send to the group meanwhile.
		repliesSoFar := func() int {
			n := 0
			for _, s := range fake.Messages() {
				if s.ReplyTo != "" {
					n++
				}
			}
			return n
		}
		sentBefore := repliesSoFar()
		click := func(g string) (map[string]any, string) {
			ev := larktest.CardActionEvent(larktest.CardAction{
				OperatorOpenID: e2eAdmin, MessageID: newMessageID(), ChatID: adminChat,
				Value: map[string]any{"a": "case.refresh", "no": caseNo, "g": g, "c": adminChat},
				Token: e2eToken, AppID: appID,
			})
			body := f.deliver(ev)
			var resp struct {
				Toast map[string]any `json:"toast"`
				Card  struct {
					Type string          `json:"type"`
					Data json.RawMessage `json:"data"`
				} `json:"card"`
			}
			if err := json.Unmarshal(body, &resp); err != nil {
				t.Fatalf("callback body is not JSON: %v: %s", err, body)
			}
			if resp.Card.Type != "raw" || len(resp.Card.Data) == 0 {
				t.Fatalf("callback body has no raw card: %s", body)
			}
			if !strings.Contains(string(resp.Card.Data), caseNo) {
				t.Errorf("card lacks %s: %s", caseNo, resp.Card.Data)
			}
			return resp.Toast, string(resp.Card.Data)
		}
		toast, card := click("0")
		if toast["content"] != "已刷新" {
			t.Errorf("toast %v, want 已刷新", toast)
		}
		if !strings.Contains(cardText(card), e2ePetitioner) {
			t.Errorf("a private card refreshed by the admin should show the petitioner in full: %s", card)
		}
		// A card rendered for a group stays masked when refreshed.
		_, card = click("1")
		assertMasked(t, card)
		f.barrier(adminChat, false)
		if n := repliesSoFar() - sentBefore; n != 1 {
			t.Errorf("%d replies sent, want only the barrier's: a refresh answers in the callback", n)
		}
	})

	t.Run("ListOverdue", func(t *testing.T) {
		f.t = t
		// Accepted long ago: its 60 days are over.
		s := f.say(larktest.Message{ChatID: adminChat, Text: "新建 城中村改造补偿款未到位 类别:征地拆迁 受理:2025-01-06"})
		overdue := caseNoRE.FindString(s.Content)
		if overdue == "" || overdue == caseNo {
			t.Fatalf("新建 reply has no new case number: %s", s.Content)
		}
		// Its notice to the group, so that nothing is left in flight.
		if _, ok := fake.WaitFor(func(s larktest.Sent) bool {
			return s.ReceiveID == e2eGroup && s.ReplyTo == "" && strings.Contains(s.Content, overdue)
		}, e2eWait); !ok {
			t.Errorf("no group notice of %s", overdue)
		}
		for _, cmd := range []string{"列表 逾期", "list overdue"} {
			r := f.say(larktest.Message{ChatID: adminChat, Text: cmd})
			if r.MsgType != "interactive" || !strings.Contains(r.Content, overdue) {
				t.Errorf("%s: reply lacks the overdue %s: %s", cmd, overdue, r.Content)
			}
			if strings.Contains(r.Content, caseNo) {
				t.Errorf("%s: lists %s, which is not overdue: %s", cmd, caseNo, r.Content)
			}
		}
	})

	t.Run("ListMine", func(t *testing.T) {
		f.t = t
		r := f.say(larktest.Message{ChatID: adminChat, Text: "列表 我的"})
		if strings.Contains(r.Content, caseNo) {
			t.Errorf("列表 我的 lists %s before the admin owns it: %s", caseNo, r.Content)
		}
		// 我来包案 on the card makes the clicker the owner.
		body := f.deliver(larktest.CardActionEvent(larktest.CardAction{
			OperatorOpenID: e2eAdmin, MessageID: newMessageID(), ChatID: adminChat,
			Value: map[string]any{"a": "case.claim", "no": caseNo, "g": "0", "c": adminChat},
			Token: e2eToken, AppID: appID,
		}))
		if !strings.Contains(string(body), "包案") {
			t.Errorf("case.claim callback: %s", body)
		}
		for _, cmd := range []string{"列表 我的", "我的"} {
			r = f.say(larktest.Message{ChatID: adminChat, Text: cmd})
			if !strings.Contains(r.Content, caseNo) {
				t.Errorf("%s lacks %s after 我来包案: %s", cmd, caseNo, r.Content)
			}
		}
	})

	t.Run("Metrics", func(t *testing.T) {
		f.t = t
		resp, err := probe.Get(p.URL + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("/metrics: %d", resp.StatusCode)
		}
		if n := metricSum(t, p.URL, "xfbot_commands_total", `verb="新建"`, `result="ok"`); n < 2 {
			t.Errorf("xfbot_commands_total{verb=\"新建\",result=\"ok\"} = %v, want ≥ 2", n)
		}
		if n := metricSum(t, p.URL, "xfbot_commands_total"); n == 0 {
			t.Error("xfbot_commands_total is missing or zero")
		}
		if n := metricSum(t, p.URL, "xfbot_transport_connected"); n != 1 {
			t.Errorf("xfbot_transport_connected = %v, want 1", n)
		}
	})

	t.Run("FeishuDownOutboxRetries", func(t *testing.T) {
		f.t = t
		retries := metricSum(t, p.URL, "xfbot_sends_total", `result="retry"`)
		fake.SetDown(true)
		defer fake.SetDown(false)
		id, ev := f.message(larktest.Message{ChatID: adminChat, Text: "进展 " + caseNo + " 飞书故障期间记录的进展"})
		f.deliver(ev) // acknowledged although the reply cannot go out
		// Wait until the sender has tried and failed at least once.
		deadline := time.Now().Add(e2eWait)
		for metricSum(t, p.URL, "xfbot_sends_total", `result="retry"`) <= retries {
			if time.Now().After(deadline) {
				t.Fatalf("no failed send attempt within %s while Feishu was down", e2eWait)
			}
			time.Sleep(50 * time.Millisecond)
		}
		if n := f.replies(id); n != 0 {
			t.Fatalf("%d replies recorded while Feishu was down", n)
		}
		var h struct{ Outbox int }
		if _, err := getJSON(p.URL+"/healthz", &h); err != nil || h.Outbox < 1 {
			t.Errorf("/healthz outbox = %d (%v) while the reply waits, want ≥ 1", h.Outbox, err)
		}
		fake.SetDown(false)
		// The sender backs off (about 1 s, then 2 s, ...); wait well beyond.
		s, ok := fake.WaitFor(func(s larktest.Sent) bool { return s.ReplyTo == id }, 3*e2eWait)
		if !ok {
			t.Fatal("the reply was not delivered after Feishu came back")
		}
		if !strings.Contains(cardText(s.Content), "飞书故障期间记录的进展") {
			t.Errorf("late reply lacks the progress: %s", s.Content)
		}
	})
}

// assertMasked fails unless a card for a group hides the petitioner.
func assertMasked(t testing.TB, content string) {
	t.Helper()
	text := cardText(content)
	for _, secret := range []string{e2ePetitioner, e2ePhone} {
		if strings.Contains(text, secret) || strings.Contains(content, secret) {
			t.Errorf("group card shows %q in full:\n%s", secret, text)
		}
	}
	for _, want := range []string{"张某", "139****5678"} {
		if !strings.Contains(text, want) {
			t.Errorf("group card lacks the masked %q:\n%s", want, text)
		}
	}
}

func TestE2EWebhookEncryptKey(t *testing.T) {
	t.Run("RequiredByDefault", func(t *testing.T) {
		appID := uniqueAppID()
		fake := larktest.NewServer(larktest.WithApp(appID, e2eSecret))
		defer fake.Close()
		env := serveEnv(t, fake, appID)
		delete(env, "XFBOT_LARK_ENCRYPT_KEY")
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		done := make(chan error, 1)
		var stderr syncBuffer
		go func() {
			done <- run(ctx, []string{"serve"}, strings.NewReader(""), io.Discard, &stderr, environOf(env))
		}()
		select {
		case err := <-done:
			if err == nil || !strings.Contains(strings.ToLower(err.Error()), "encrypt") {
				t.Errorf("run = %v, want an error about the encrypt key", err)
			}
		case <-time.After(e2eWait):
			cancel()
			<-done
			t.Fatal("webhook mode without an encrypt key started")
		}
	})

	t.Run("AllowUnsigned", func(t *testing.T) {
		appID := uniqueAppID()
		fake := larktest.NewServer(larktest.WithApp(appID, e2eSecret))
		defer fake.Close()
		env := serveEnv(t, fake, appID)
		delete(env, "XFBOT_LARK_ENCRYPT_KEY")
		env["XFBOT_LARK_ALLOW_UNSIGNED"] = "true"
		p := startServe(t, env) // fails the test unless /healthz answers 200
		f := newFeishu(t, fake, p, env)
		if f.key != "" {
			t.Fatal("events must go out in plaintext here")
		}
		// Plain events are accepted, and the verification token still checked.
		s := f.say(larktest.Message{Text: "帮助"})
		if s.MsgType == "" {
			t.Errorf("reply without msg_type: %+v", s)
		}
		_, ev := f.message(larktest.Message{Text: "帮助", Token: "not-the-token"})
		if code, body := f.post(ev, time.Now(), nil); code != http.StatusUnauthorized {
			t.Errorf("wrong verification token without an encrypt key: %d %s, want 401", code, body)
		}
	})
}

func TestE2EConsole(t *testing.T) {
	var out, errOut syncBuffer
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	in := strings.NewReader("帮助\n新建 测试 类别:住房保障\n")
	if err := run(ctx, []string{"console"}, in, &out, &errOut, []string{}); err != nil {
		t.Fatalf("console: %v\nstdout:\n%s\nstderr:\n%s", err, &out, &errOut)
	}
	got := out.String()
	for _, want := range []string{
		"数据在内存中",                              // the in-memory notice
		"新建",                                  // 帮助 lists the commands
		fmt.Sprintf("XF-%d-0001", caseYear()), // the case number
		"再见。",                                 // EOF ends the session
	} {
		if !strings.Contains(got, want) {
			t.Errorf("console output lacks %q:\n%s", want, got)
		}
	}
}
