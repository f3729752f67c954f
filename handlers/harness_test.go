package handlers_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/bot"
	"github.com/qingchuan/xfbot/handlers"
	"github.com/qingchuan/xfbot/internal/testredis"
	"github.com/qingchuan/xfbot/report"
	"github.com/qingchuan/xfbot/store"
)

// The test ledger's people.
var (
	admin    = xfbot.Person{OpenID: "ou_admin", Name: "陈某"}
	member   = xfbot.Person{OpenID: "ou_m1", Name: "赵建"}
	member2  = xfbot.Person{OpenID: "ou_m2", Name: "钱秀兰"}
	leader   = xfbot.Person{OpenID: "ou_lead", Name: "周某"}
	liaison  = xfbot.Person{OpenID: "ou_liaison", Name: "王联络"}
	viewer   = xfbot.Person{OpenID: "ou_viewer", Name: "观察员"}
	stranger = xfbot.Person{OpenID: "ou_nobody", Name: "路人"}
)

const groupChat = "oc_taskforce"

var loc = time.FixedZone("CST", 8*3600)

// harness drives the real mux, handlers and store, as the transports do.
type harness struct {
	t     testing.TB
	st    *store.Store
	rdb   redis.UniversalClient
	mux   *bot.Mux
	now   time.Time
	seq   int
	mu    sync.Mutex   // guards seq for clicks made at once
	calls atomic.Int64 // Redis round trips, counted by a hook
	// shared, when set, routes trips's messages (an app of several
	// districts); waves counts the client's round trips, a cluster's
	// pipeline once.
	shared *bot.Tenants
	waves  atomic.Int64
	reader string

	reports *report.Reports
	prefix  string
}

// auditKey is the audit stream's key.
func (h *harness) auditKey() string { return "{" + h.prefix + "}:v1:audit" }

// clickValue presses a button whose callback value is value (in a p2p chat).
func (h *harness) clickValue(p xfbot.Person, action string, value map[string]string) *bot.ActionResponse {
	h.t.Helper()
	h.mu.Lock() // a test may click twice at once (a double click)
	h.seq++
	seq := h.seq
	h.mu.Unlock()
	v := map[string]string{"a": action}
	for k, x := range value {
		v[k] = x
	}
	req := &bot.Request{EventID: fmt.Sprintf("card:%d", seq), MessageID: "om_card", ChatID: "oc_p2p_" + p.OpenID, Sender: p, Time: h.now,
		Via: bot.ViaCard, Action: &bot.Action{Name: action, Value: v}}
	resp, err := h.mux.ServeAction(context.Background(), req)
	if err != nil {
		h.t.Errorf("ServeAction(%s): %v", action, err) // not Fatalf: it may run on another goroutine
	}
	return resp
}

func newHarness(t testing.TB) *harness {
	t.Helper()
	rdb, prefix := testredis.New(t)
	h := &harness{t: t, rdb: rdb, prefix: prefix, st: store.New(rdb, prefix), now: time.Date(2026, 3, 16, 9, 0, 0, 0, loc), reader: "test"}
	testredis.NodeHook(rdb, countHook{&h.calls}) // on a cluster, per node: a split pipeline is two round trips
	h.mux = bot.NewMux(h.st, bot.MuxOptions{Admins: []string{admin.OpenID}, Location: loc})
	h.reports = &report.Reports{Store: h.st, Thresholds: xfbot.DefaultThresholds, Location: loc}
	handlers.Register(h.mux, &handlers.Handlers{Store: h.st, Thresholds: xfbot.DefaultThresholds, GroupChatID: groupChat, Reports: h.reports})
	tx := h.st.NewTx()
	tx.PutMember(xfbot.Member{OpenID: member.OpenID, Name: member.Name, Role: xfbot.RoleMember})
	tx.PutMember(xfbot.Member{OpenID: member2.OpenID, Name: member2.Name, Role: xfbot.RoleMember})
	tx.PutMember(xfbot.Member{OpenID: leader.OpenID, Name: leader.Name, Role: xfbot.RoleLeader})
	tx.PutMember(xfbot.Member{OpenID: liaison.OpenID, Name: liaison.Name, Role: xfbot.RoleLiaison, Unit: "区住建局"})
	tx.PutMember(xfbot.Member{OpenID: viewer.OpenID, Name: viewer.Name, Role: xfbot.RoleViewer})
	if _, err := h.st.Commit(context.Background(), tx); err != nil {
		t.Fatal(err)
	}
	if err := h.st.EnsureOutboxGroup(context.Background()); err != nil {
		t.Fatal(err)
	}
	return h
}

// msg is one way of sending a message.
type msg struct {
	group    bool
	mentions []xfbot.Person
	eventID  string
	parent   string // the message replied to (Feishu's reply)
}

// say sends text from p (p2p unless opts say group) and returns what was
// queued: the reply first, then notices.
func (h *harness) say(p xfbot.Person, text string, opts ...msg) []store.OutboundMessage {
	h.t.Helper()
	var o msg
	if len(opts) > 0 {
		o = opts[0]
	}
	h.seq++
	req := &bot.Request{EventID: o.eventID, MessageID: fmt.Sprintf("om_%d", h.seq), ChatID: "oc_p2p_" + p.OpenID,
		Sender: p, Text: text, Mentions: o.mentions, Time: h.now, Via: bot.ViaChat, ParentID: o.parent, RootID: o.parent}
	if req.EventID == "" {
		req.EventID = fmt.Sprintf("msg:om_%d", h.seq)
	}
	if o.group {
		req.Group, req.ChatID = true, groupChat
	}
	if err := h.mux.ServeMessage(context.Background(), req); err != nil {
		h.t.Fatalf("ServeMessage(%q): %v", text, err)
	}
	return h.drain()
}

// reply is the text of the reply to text.
func (h *harness) reply(p xfbot.Person, text string, opts ...msg) string {
	h.t.Helper()
	out := h.say(p, text, opts...)
	if len(out) == 0 {
		h.t.Fatalf("no reply to %q", text)
	}
	return out[0].Text
}

func (h *harness) drain() []store.OutboundMessage {
	h.t.Helper()
	ctx := context.Background()
	es, err := h.st.ReadOutbox(ctx, h.reader, 100, 0)
	if err != nil {
		h.t.Fatal(err)
	}
	var out []store.OutboundMessage
	for _, e := range es {
		out = append(out, e.Msg)
		if err := h.st.AckOutbox(ctx, e.StreamID); err != nil {
			h.t.Fatal(err)
		}
	}
	return out
}

// click presses a card button.
func (h *harness) click(p xfbot.Person, action string, no xfbot.CaseNo, chat string, form map[string]string) *bot.ActionResponse {
	h.t.Helper()
	h.seq++
	g := "0"
	if chat == groupChat {
		g = "1"
	}
	req := &bot.Request{EventID: fmt.Sprintf("card:%d", h.seq), MessageID: "om_card", ChatID: chat, Sender: p, Time: h.now, Via: bot.ViaCard,
		Action: &bot.Action{Name: action, Value: map[string]string{"a": action, "no": string(no), "g": g, "c": "oc_p2p_" + p.OpenID}, Form: form}}
	resp, err := h.mux.ServeAction(context.Background(), req)
	if err != nil {
		h.t.Fatalf("ServeAction(%s): %v", action, err)
	}
	return resp
}

// newCase registers a case as member and returns its number.
func (h *harness) newCase(text string) xfbot.CaseNo {
	h.t.Helper()
	r := h.reply(member, "新建 "+text)
	i := strings.Index(r, "XF-")
	if i < 0 {
		h.t.Fatalf("no case number in reply %q", r)
	}
	no, err := xfbot.ParseCaseNo(r[i : i+12])
	if err != nil {
		h.t.Fatal(err)
	}
	return no
}

func (h *harness) load(no xfbot.CaseNo) *xfbot.Case {
	h.t.Helper()
	l, err := h.st.Load(context.Background(), "", no)
	if err != nil || l.Case == nil {
		h.t.Fatalf("load %s: %v", no, err)
	}
	return l.Case
}

func wantIn(t *testing.T, got string, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if !strings.Contains(got, s) {
			t.Errorf("reply does not contain %q:\n%s", s, got)
		}
	}
}

func wantNotIn(t *testing.T, got string, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if strings.Contains(got, s) {
			t.Errorf("reply contains %q but must not:\n%s", s, got)
		}
	}
}

// countHook counts round trips to Redis: one per command or pipeline (on
// a cluster, per node, the cluster client's own topology reads aside).
type countHook struct{ n *atomic.Int64 }

func (c countHook) DialHook(next redis.DialHook) redis.DialHook { return next }
func (c countHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if !testredis.Topology(cmd) {
			c.n.Add(1)
			if os.Getenv("XFBOT_TRACE_TRIPS") != "" {
				fmt.Fprintf(os.Stderr, "trip: %.80s\n", cmd.String())
			}
		}
		return next(ctx, cmd)
	}
}
func (c countHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		c.n.Add(1)
		if os.Getenv("XFBOT_TRACE_TRIPS") != "" {
			var names []string
			for _, cmd := range cmds {
				names = append(names, fmt.Sprintf("%.40s", cmd.String()))
			}
			fmt.Fprintf(os.Stderr, "trip: pipeline %s\n", strings.Join(names, " | "))
		}
		return next(ctx, cmds)
	}
}
