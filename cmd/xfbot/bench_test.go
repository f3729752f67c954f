package main

// Webhook throughput: a bare SDK echo bot against xfbot's serve stack, both
// driven the same way and against the same fake Feishu, so one run compares
// them:
//
//	go test -run XXX -bench Webhook ./cmd/xfbot
//	XFBOT_TEST_REDIS_ADDR=127.0.0.1:6379 go test -run XXX -bench Webhook ./cmd/xfbot
//
// One iteration is one event: posted signed and encrypted as Feishu does,
// and done when the bot's reply is recorded at the fake. benchPosters
// goroutines post at once, each waiting for its reply before the next
// event, so events/s is throughput at that concurrency, not latency.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	lark "github.com/larksuite/oapi-sdk-go/v3"
	larkcore "github.com/larksuite/oapi-sdk-go/v3/core"
	"github.com/larksuite/oapi-sdk-go/v3/core/httpserverext"
	larkevent "github.com/larksuite/oapi-sdk-go/v3/event"
	"github.com/larksuite/oapi-sdk-go/v3/event/dispatcher"
	larkim "github.com/larksuite/oapi-sdk-go/v3/service/im/v1"

	"github.com/qingchuan/xfbot/bot/larktest"
)

// benchPosters is how many events are in flight at once: Feishu pushing the
// messages of as many users in parallel.
const benchPosters = 32

// BenchmarkWebhookEcho is the baseline: the SDK's dispatcher behind its own
// http handler, replying to every message through client.Im.Message.Reply
// before it answers the webhook.
func BenchmarkWebhookEcho(b *testing.B) {
	appID := uniqueAppID()
	fake := larktest.NewServer(larktest.WithApp(appID, e2eSecret))
	defer fake.Close()
	watch := newReplyWatch(b, fake)

	srv := httptest.NewServer(echoHandler(appID, watch.URL))
	defer srv.Close()

	benchWebhook(b, []string{srv.URL}, fake, watch, func(poster, n int) larktest.Message {
		return larktest.Message{
			ChatID: benchChat(poster), SenderOpenID: e2eAdmin, AppID: appID, Token: e2eToken,
			Text: fmt.Sprintf("第 %d 条消息", n),
		}
	})
}

// echoHandler is the bare SDK echo bot: the SDK's dispatcher behind its own
// http handler, replying to every message through client.Im.Message.Reply
// at baseURL before it answers the webhook.
func echoHandler(appID, baseURL string) http.Handler {
	// The SDK's token cache is process-global: a serve run earlier in this
	// process left it pointing at that run's (closed) Redis. Give the echo
	// bot a cache of its own, in memory, as a bare bot would have.
	opts := []lark.ClientOptionFunc{lark.WithOpenBaseUrl(baseURL),
		lark.WithTokenCache(&memCache{}), lark.WithLogLevel(larkcore.LogLevelError)}
	if os.Getenv("XFBOT_PROCBENCH_ECHO_POOLED") != "" {
		// The SDK's default client is http.DefaultClient, which keeps two
		// idle connections per host: with 32 replies in flight the bare
		// echo bot opens connections as it goes. This gives it xfbot's pool.
		opts = append(opts, lark.WithHttpClient(&http.Client{Transport: &http.Transport{MaxIdleConns: 64, MaxIdleConnsPerHost: 64}}))
	}
	client := lark.NewClient(appID, e2eSecret, opts...)
	d := dispatcher.NewEventDispatcher(e2eToken, e2eEncryptKey).
		OnP2MessageReceiveV1(func(ctx context.Context, e *larkim.P2MessageReceiveV1) error {
			var in struct {
				Text string `json:"text"`
			}
			_ = json.Unmarshal([]byte(larkcore.StringValue(e.Event.Message.Content)), &in)
			out, _ := json.Marshal(map[string]string{"text": "echo: " + in.Text})
			resp, err := client.Im.Message.Reply(ctx, larkim.NewReplyMessageReqBuilder().
				MessageId(larkcore.StringValue(e.Event.Message.MessageId)).
				Body(larkim.NewReplyMessageReqBodyBuilder().MsgType(larkim.MsgTypeText).Content(string(out)).Build()).
				Build())
			if err != nil {
				return err
			}
			if !resp.Success() {
				return fmt.Errorf("reply: code %d %s", resp.Code, resp.Msg)
			}
			return nil
		})
	return http.HandlerFunc(httpserverext.NewEventHandlerFunc(d, larkevent.WithLogLevel(larkcore.LogLevelError)))
}

// BenchmarkWebhookXfbot is the same loop through `xfbot serve`: signature,
// token and age checks, dedupe, the case loaded and updated in Redis, the
// reply queued in the outbox and delivered by the sender. Each poster
// records progress on a case of its own, created beforehand, as a task
// force's members do on different cases.
//
// The sender's rate limits (Feishu's 5/s per chat and 50/s per app) are
// lifted: they cap production on purpose, and this measures the stack.
func BenchmarkWebhookXfbot(b *testing.B) {
	appID := uniqueAppID()
	fake := larktest.NewServer(larktest.WithApp(appID, e2eSecret))
	defer fake.Close()
	watch := newReplyWatch(b, fake)
	env := serveEnv(b, fake, appID)
	env["XFBOT_LARK_BASE_URL"] = watch.URL
	env["XFBOT_SENDER_RATE_LIMIT"] = "off" // measure the bot, not the limiter (nor a Redis round trip per send)
	env["XFBOT_LOG_LEVEL"] = "warn"
	delete(env, "XFBOT_GROUP_CHAT_ID") // no group notices for the set-up cases
	p := startServe(b, env)
	f := newFeishu(b, fake, p, env)

	cases := make([]string, benchPosters)
	for i := range cases {
		s := f.say(larktest.Message{ChatID: benchChat(i), Text: fmt.Sprintf("新建 压测案件%d 类别:住房保障 信访人:%s 电话:%s", i, e2ePetitioner, e2ePhone)})
		if cases[i] = caseNoRE.FindString(s.Content); cases[i] == "" {
			b.Fatalf("新建 reply has no case number: %s", s.Content)
		}
	}

	benchWebhook(b, []string{p.URL + "/lark/events"}, fake, watch, func(poster, n int) larktest.Message {
		return larktest.Message{
			ChatID: benchChat(poster), SenderOpenID: e2eAdmin, AppID: appID, Token: e2eToken,
			Text: fmt.Sprintf("进展 %s 第 %d 次约谈信访人，已答复诉求", cases[poster], n),
		}
	})
	// The replies were the updated cards, not error messages.
	msgs := fake.Messages()
	if last := msgs[len(msgs)-1]; !strings.Contains(cardText(last.Content), "已记录进展") {
		b.Fatalf("the last reply is not a recorded progress: %s", last.Content)
	}
}

// benchChat is poster i's chat with the bot.
func benchChat(i int) string { return fmt.Sprintf("oc_bench%024d", i) }

// benchWebhook posts b.N events to urls (the n-th to urls[n%len(urls)], as a
// load balancer in front of replicas would) from benchPosters goroutines, each
// waiting until the reply to its event is recorded at the fake before it
// posts the next, and reports events/s. It also reports the mean time from
// posting an event to the webhook's answer (answer-ms) and to the reply
// recorded (reply-ms): one and the same for the echo bot, which replies
// before it answers; for xfbot the difference is the way through the outbox.
func benchWebhook(b *testing.B, urls []string, fake *larktest.Server, watch *replyWatch, msg func(poster, n int) larktest.Message) {
	client := benchClient()
	defer client.CloseIdleConnections()
	b.ResetTimer()
	r, err := postEvents(client, 0, b.N, urls, fake, watch, msg)
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(r.answerNs)/float64(b.N)/1e6, "answer-ms")
	b.ReportMetric(float64(r.replyNs)/float64(b.N)/1e6, "reply-ms")
}

func benchClient() *http.Client {
	return &http.Client{
		Timeout:   30 * time.Second,
		Transport: &http.Transport{MaxIdleConns: 2 * benchPosters, MaxIdleConnsPerHost: 2 * benchPosters},
	}
}

// posted is what postEvents measured.
type posted struct {
	took              time.Duration
	answerNs, replyNs int64 // summed over the events
}

// postEvents posts events from..from+n-1 as benchWebhook describes and
// checks that n replies were recorded at the fake.
func postEvents(client *http.Client, from, n int, urls []string, fake *larktest.Server, watch *replyWatch, msg func(poster, n int) larktest.Message) (posted, error) {
	before := fake.MessageCount()
	var (
		answerNs atomic.Int64
		replyNs  atomic.Int64
		next     atomic.Int64
		failed   atomic.Bool
		errOnce  sync.Once
		failure  error
		wg       sync.WaitGroup
	)
	next.Store(int64(from))
	fail := func(err error) {
		errOnce.Do(func() { failure = err })
		failed.Store(true)
	}
	post := func(poster, n int) error {
		m := msg(poster, n)
		m.MessageID = newMessageID()
		wait := watch.expect(m.MessageID)
		req, err := larktest.NewWebhookRequest(urls[n%len(urls)], e2eEncryptKey, larktest.MessageEvent(m), time.Now())
		if err != nil {
			return err
		}
		start := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("webhook answered %d %s", resp.StatusCode, body)
		}
		answered := time.Since(start)
		select {
		case <-wait:
			answerNs.Add(int64(answered))
			replyNs.Add(int64(time.Since(start)))
			return nil
		case <-time.After(e2eWait):
			return fmt.Errorf("no reply to %s within %s", m.MessageID, e2eWait)
		}
	}

	start := time.Now()
	for poster := range benchPosters {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= from+n || failed.Load() {
					return
				}
				if err := post(poster, i); err != nil {
					fail(err)
					return
				}
			}
		})
	}
	wg.Wait()
	r := posted{took: time.Since(start), answerNs: answerNs.Load(), replyNs: replyNs.Load()}
	if failure != nil {
		return r, failure
	}
	if got := fake.MessageCount() - before; got != n {
		return r, fmt.Errorf("%d replies recorded at the fake for %d events", got, n)
	}
	return r, nil
}

// replyWatch is a reverse proxy in front of the fake Feishu that wakes the
// waiter of a message as soon as the fake has recorded a reply to it. (The
// fake's own WaitFor rescans every recorded message on each change, which at
// benchmark volume would make the fake the bottleneck being measured.)
type replyWatch struct {
	URL string // point the bot's base URL here

	mu      sync.Mutex
	waiters map[string]chan struct{}
}

func newReplyWatch(tb testing.TB, fake *larktest.Server) *replyWatch {
	target, err := url.Parse(fake.URL())
	if err != nil {
		tb.Fatal(err)
	}
	w := &replyWatch{waiters: map[string]chan struct{}{}}
	rp := httputil.NewSingleHostReverseProxy(target)
	rp.Transport = &http.Transport{MaxIdleConns: 4 * benchPosters, MaxIdleConnsPerHost: 4 * benchPosters}
	rp.ModifyResponse = func(resp *http.Response) error {
		// The fake answers 200 only for a message it recorded (or, for a
		// repeated uuid, had recorded before).
		path := resp.Request.URL.Path
		if resp.StatusCode == http.StatusOK && resp.Request.Method == http.MethodPost &&
			strings.HasPrefix(path, "/open-apis/im/v1/messages/") && strings.HasSuffix(path, "/reply") {
			w.done(strings.TrimSuffix(strings.TrimPrefix(path, "/open-apis/im/v1/messages/"), "/reply"))
		}
		return nil
	}
	srv := httptest.NewServer(rp)
	tb.Cleanup(srv.Close)
	w.URL = srv.URL
	return w
}

// expect registers interest in the reply to message id; the channel is
// closed once it is recorded.
func (w *replyWatch) expect(id string) <-chan struct{} {
	w.mu.Lock()
	defer w.mu.Unlock()
	ch := make(chan struct{})
	w.waiters[id] = ch
	return ch
}

func (w *replyWatch) done(id string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if ch, ok := w.waiters[id]; ok {
		close(ch)
		delete(w.waiters, id)
	}
}

// memCache is an in-memory larkcore.Cache: a miss is ("", nil), as the SDK
// requires.
type memCache struct{ m sync.Map }

type memEntry struct {
	v   string
	exp time.Time
}

func (c *memCache) Set(_ context.Context, key, value string, ttl time.Duration) error {
	c.m.Store(key, memEntry{value, time.Now().Add(ttl)})
	return nil
}

func (c *memCache) Get(_ context.Context, key string) (string, error) {
	if e, ok := c.m.Load(key); ok && time.Now().Before(e.(memEntry).exp) {
		return e.(memEntry).v, nil
	}
	return "", nil
}

var _ larkcore.Cache = (*memCache)(nil)
