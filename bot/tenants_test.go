package bot_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/bot"
	"github.com/qingchuan/xfbot/internal/testredis"
	"github.com/qingchuan/xfbot/store"
	"github.com/redis/go-redis/v9"
)

// tenantsRig is two districts behind one app, each with a command that
// says where it ran and how it was routed.
type tenantsRig struct {
	t      *testing.T
	rdb    redis.UniversalClient
	st     [2]*store.Store
	ts     []bot.Tenant
	router *bot.Tenants
	seq    int
}

const (
	tenA, tenB, tenBoth, tenCity = "ou_a", "ou_b", "ou_both", "ou_city"
	tenGroupB                    = "oc_group_b"
)

func newTenantsRig(t *testing.T) *tenantsRig {
	t.Helper()
	rdb, prefix := testredis.New(t)
	r := &tenantsRig{t: t, rdb: rdb}
	var ts []bot.Tenant
	for i, d := range []struct{ id, name, admin string }{{"qingchuan", "青川区", tenA}, {"hekou", "河口区", tenB}} {
		st := store.New(rdb, fmt.Sprintf("%s_%d", prefix, i))
		if err := st.EnsureOutboxGroup(context.Background()); err != nil {
			t.Fatal(err)
		}
		tx := st.NewTx()
		tx.PutMember(xfbot.Member{OpenID: tenBoth, Name: "两区兼任", Role: xfbot.RoleMember})
		if _, err := st.Commit(context.Background(), tx); err != nil {
			t.Fatal(err)
		}
		m := bot.NewMux(st, bot.MuxOptions{Admins: []string{d.admin}})
		where := bot.HandlerFunc(func(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
			ten := req.Tenancy
			return &bot.Reply{Text: fmt.Sprintf("%s verb=%s current=%s options=%d ambiguous=%v switched=%v city=%v",
				d.id, req.Verb, ten.Current.ID, len(ten.Options), ten.Ambiguous, ten.Switched, ten.City)}, nil
		})
		m.Handle(bot.Route{Verb: "在哪", Public: true, Handler: where, Summary: "where"})
		m.Handle(bot.Route{Verb: bot.SwitchVerb, Aliases: []string{"switch"}, Public: true, Handler: where, Summary: "switch"})
		m.HandleAction(bot.ActionRoute{Name: "where", Verb: "在哪", Handler: where})
		// A write: it leaves a mark (a member record named by the event)
		// in the district it ran in.
		m.Handle(bot.Route{Verb: "记下", Write: true, Summary: "write", Handler: bot.HandlerFunc(func(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
			tx := st.NewTx()
			tx.PutMember(xfbot.Member{OpenID: "ou_mark_" + req.EventID, Name: "mark", Role: xfbot.RoleViewer})
			return &bot.Reply{Text: d.id + " wrote", Tx: tx}, nil
		})})
		r.st[i] = st
		tn := bot.Tenant{ID: d.id, Name: d.name, Mux: m}
		if i == 1 {
			tn.Groups = []string{tenGroupB}
		}
		ts = append(ts, tn)
	}
	r.ts = ts
	r.router = r.replica()
	return r
}

// replica is another router of the same districts: a second replica.
func (r *tenantsRig) replica() *bot.Tenants {
	r.t.Helper()
	router, err := bot.NewTenants(r.ts, bot.TenantsOptions{City: []string{tenCity}})
	if err != nil {
		r.t.Fatal(err)
	}
	return router
}

// sayTo is say through srv; it returns the reply, the district whose
// outbox it went to and the round trips srv made (the pipelines and
// commands the client sent, a cluster's pipeline once: they are sent to
// its nodes at once).
func (r *tenantsRig) sayTo(srv bot.Server, who, text string) (string, int, int64) {
	r.t.Helper()
	var trips atomic.Int64
	r.seq++
	req := &bot.Request{EventID: fmt.Sprintf("ev%d", r.seq), MessageID: fmt.Sprintf("om_%d", r.seq), ChatID: "oc_p2p_" + who,
		Sender: xfbot.Person{OpenID: who}, Text: text, Time: time.Date(2026, 3, 16, 9, 0, 0, 0, time.UTC), Via: bot.ViaChat}
	ctx := context.WithValue(context.Background(), countTrips{}, &trips)
	if err := srv.ServeMessage(ctx, req); err != nil {
		r.t.Fatalf("ServeMessage(%q): %v", text, err)
	}
	n := trips.Load()
	for i, st := range r.st {
		if out := queued(r.t, st); len(out) > 0 {
			if len(out) > 1 {
				r.t.Errorf("%q: %d replies queued", text, len(out))
			}
			for j, other := range r.st {
				if j != i {
					if more := queued(r.t, other); len(more) > 0 {
						r.t.Errorf("%q: answered in districts %d and %d: %v", text, i, j, more)
					}
				}
			}
			return out[0].Text, i, n
		}
	}
	r.t.Fatalf("%q: no reply queued in either district", text)
	return "", -1, n
}

// countTrips is the context key of a request's round-trip counter
// (ctxTripHook).
type countTrips struct{}

// ctxTripHook counts, into the counter its context carries, each command
// and pipeline the client sends.
type ctxTripHook struct{}

func (ctxTripHook) DialHook(next redis.DialHook) redis.DialHook { return next }
func (ctxTripHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if n, ok := ctx.Value(countTrips{}).(*atomic.Int64); ok && !testredis.Topology(cmd) {
			n.Add(1)
		}
		return next(ctx, cmd)
	}
}
func (ctxTripHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		if n, ok := ctx.Value(countTrips{}).(*atomic.Int64); ok {
			n.Add(1)
		}
		return next(ctx, cmds)
	}
}

// TestTenantsGuess: a person routed before is sent straight to the
// district they were routed to last, and that district's own load reads
// the routing with what the command needs: a command costs the round
// trips it costs in the district's own Mux, one fewer than routed on a
// read of its own. A guess the load does not confirm — a choice made on
// another replica, a membership moved, an input refused before any load —
// is answered where it belongs, and the district guessed writes and
// queues nothing.
func TestTenantsGuess(t *testing.T) {
	r := newTenantsRig(t)
	r.rdb.AddHook(ctxTripHook{})
	ctx := context.Background()
	r.sayTo(r.ts[0].Mux, tenA, "在哪") // the scripts loaded
	_, _, direct := r.sayTo(r.ts[0].Mux, tenA, "在哪")
	if _, in, cold := r.sayTo(r.router, tenA, "在哪"); in != 0 || cold != direct+1 {
		t.Errorf("first message routed: answered in %d with %d round trips; want 0 with %d (the Mux's %d and the routing's read)", in, cold, direct+1, direct)
	}
	got, in, warm := r.sayTo(r.router, tenA, "在哪")
	if in != 0 || warm != direct || !strings.HasPrefix(got, "qingchuan verb=在哪 current=qingchuan options=1 ambiguous=false") {
		t.Errorf("next message: answered in %d with %d round trips: %q; want 0 with %d, as in the district's own Mux", in, warm, got, direct)
	}

	// A choice made on another replica.
	other := r.replica()
	if _, in, _ := r.sayTo(r.router, tenBoth, "切换 河口"); in != 1 {
		t.Fatalf("切换 河口 answered in %d", in)
	}
	if _, in, _ := r.sayTo(other, tenBoth, "切换 青川"); in != 0 {
		t.Fatalf("切换 青川 on the other replica answered in %d", in)
	}
	if got, in, _ := r.sayTo(r.router, tenBoth, "在哪"); in != 0 || !strings.HasPrefix(got, "qingchuan verb=在哪 current=qingchuan options=2 ambiguous=false") {
		t.Errorf("after 切换 青川 on another replica, answered in %d: %q; want in 0", in, got)
	}
	// The guess is right again: no extra read.
	if _, in, n := r.sayTo(r.router, tenBoth, "在哪"); in != 0 || n != direct {
		t.Errorf("the next message: in %d with %d round trips, want 0 with %d", in, n, direct)
	}

	// An input refused before any load, after a choice made elsewhere.
	if _, in, _ := r.sayTo(other, tenBoth, "切换 河口"); in != 1 {
		t.Fatalf("切换 河口 on the other replica answered in %d", in)
	}
	if got, in, _ := r.sayTo(r.router, tenBoth, strings.Repeat("长", bot.MaxCommandRunes+1)); in != 1 || !strings.Contains(got, "消息太长") {
		t.Errorf("a message too long, after 切换 河口 on another replica: answered in %d: %q; want the refusal in 1", in, got)
	}

	// A membership moved from one district to the other.
	const mover = "ou_mover"
	put := func(st *store.Store, f func(tx *store.Tx)) {
		t.Helper()
		tx := st.NewTx()
		f(tx)
		if _, err := st.Commit(ctx, tx); err != nil {
			t.Fatal(err)
		}
	}
	put(r.st[0], func(tx *store.Tx) { tx.PutMember(xfbot.Member{OpenID: mover, Name: "调动", Role: xfbot.RoleMember}) })
	if _, in, _ := r.sayTo(r.router, mover, "在哪"); in != 0 {
		t.Fatalf("a member of A answered in %d", in)
	}
	put(r.st[0], func(tx *store.Tx) { tx.RemoveMember(mover) })
	put(r.st[1], func(tx *store.Tx) { tx.PutMember(xfbot.Member{OpenID: mover, Name: "调动", Role: xfbot.RoleMember}) })
	if got, in, _ := r.sayTo(r.router, mover, "在哪"); in != 1 || !strings.HasPrefix(got, "hekou verb=在哪 current=hekou options=1") {
		t.Errorf("moved from A to B: answered in %d: %q; want in 1", in, got)
	}
	// A write on a guess the load does not confirm leaves nothing in the
	// district guessed: the mover moves back to A, and writes.
	put(r.st[1], func(tx *store.Tx) { tx.RemoveMember(mover) })
	put(r.st[0], func(tx *store.Tx) { tx.PutMember(xfbot.Member{OpenID: mover, Name: "调动", Role: xfbot.RoleMember}) })
	if got, in, _ := r.sayTo(r.router, mover, "记下"); in != 0 || got != "qingchuan wrote" {
		t.Errorf("a write after moving back to A: answered in %d: %q", in, got)
	}
	ev := fmt.Sprintf("ev%d", r.seq)
	for i, st := range r.st {
		l, err := st.Load(ctx, "ou_mark_"+ev, "")
		if err != nil {
			t.Fatal(err)
		}
		if wrote := l.Member != nil; wrote != (i == 0) {
			t.Errorf("district %d holds the write's mark: %v", i, wrote)
		}
		if seen, _ := st.Seen(ctx, ev); seen != (i == 0) {
			t.Errorf("district %d marked the event handled: %v", i, seen)
		}
	}
	// Moved to both, chosen none: asked to choose, nothing else run.
	put(r.st[1], func(tx *store.Tx) { tx.PutMember(xfbot.Member{OpenID: mover, Name: "调动", Role: xfbot.RoleMember}) })
	if got, in, _ := r.sayTo(r.router, mover, "在哪"); in != 0 || !strings.HasPrefix(got, "qingchuan verb=切换") || !strings.Contains(got, "ambiguous=true") {
		t.Errorf("now of both, none chosen: answered in %d: %q; want 切换 asking in 0", in, got)
	}
}

// say routes text from who in chat and returns the reply and the district
// whose outbox it went to.
func (r *tenantsRig) say(who, chat, text string) (string, int) {
	r.t.Helper()
	r.seq++
	req := &bot.Request{EventID: fmt.Sprintf("ev%d", r.seq), MessageID: fmt.Sprintf("om_%d", r.seq), ChatID: chat, Group: chat == tenGroupB,
		Sender: xfbot.Person{OpenID: who}, Text: text, Time: time.Date(2026, 3, 16, 9, 0, 0, 0, time.UTC), Via: bot.ViaChat}
	if err := r.router.ServeMessage(context.Background(), req); err != nil {
		r.t.Fatalf("ServeMessage(%q): %v", text, err)
	}
	for i, st := range r.st {
		if out := queued(r.t, st); len(out) > 0 {
			return out[0].Text, i
		}
	}
	r.t.Fatalf("%q: no reply queued in either district", text)
	return "", -1
}

func TestTenantsRouting(t *testing.T) {
	r := newTenantsRig(t)
	for _, tt := range []struct {
		name, who, chat, text string
		want                  string // the reply starts with it
		in                    int    // the district that answered
	}{
		{"MemberOfA", tenA, "oc_p2p_a", "在哪", "qingchuan verb=在哪 current=qingchuan options=1 ambiguous=false", 0},
		{"MemberOfB", tenB, "oc_p2p_b", "在哪", "hekou verb=在哪 current=hekou options=1 ambiguous=false", 1},
		{"GroupOfB", tenA, tenGroupB, "在哪", "hekou verb=在哪 current=hekou", 1},
		{"Stranger", "ou_nobody", "oc_p2p_x", "在哪", "qingchuan verb=在哪 current=qingchuan options=0", 0},
		{"CityViewer", tenCity, "oc_p2p_c", "在哪", "qingchuan verb=在哪 current=qingchuan options=0 ambiguous=false switched=false city=true", 0},
		// Of both and none chosen: the command is not run; 切换 is.
		{"BothNoneChosen", tenBoth, "oc_p2p_both", "在哪", "qingchuan verb=切换 current=qingchuan options=2 ambiguous=true", 0},
		{"SwitchToB", tenBoth, "oc_p2p_both", "切换 河口", "hekou verb=切换 current=hekou options=2 ambiguous=false switched=true", 1},
		{"ChosenB", tenBoth, "oc_p2p_both", "在哪", "hekou verb=在哪 current=hekou options=2 ambiguous=false switched=false", 1},
		{"SwitchAlias", tenBoth, "oc_p2p_both", "switch qingchuan", "qingchuan verb=切换 current=qingchuan options=2 ambiguous=false switched=true", 0},
		{"ChosenA", tenBoth, "oc_p2p_both", "在哪", "qingchuan verb=在哪 current=qingchuan", 0},
		// Not one's district: not switched, answered where one is.
		{"SwitchNotMine", tenA, "oc_p2p_a", "切换 河口区", "qingchuan verb=切换 current=qingchuan options=1 ambiguous=false switched=false", 0},
		// In a group, 切换 changes nothing: the group is its district's.
		{"SwitchInGroup", tenBoth, tenGroupB, "切换 青川", "hekou verb=切换 current=hekou options=1 ambiguous=false switched=false", 1},
		{"StillA", tenBoth, "oc_p2p_both", "在哪", "qingchuan verb=在哪 current=qingchuan", 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, in := r.say(tt.who, tt.chat, tt.text)
			if in != tt.in || len(got) < len(tt.want) || got[:len(tt.want)] != tt.want {
				t.Errorf("%s says %q: answered in district %d: %q, want in %d: %q", tt.who, tt.text, in, got, tt.in, tt.want)
			}
		})
	}
}

// TestTenantsCardClick: a click goes to the district that sent the card,
// whichever the person chose; a card no district noted, clicked by a person
// of several with none chosen, is acted on nowhere.
func TestTenantsCardClick(t *testing.T) {
	r := newTenantsRig(t)
	ctx := context.Background()
	if err := r.st[1].NoteMessageCases(ctx, "om_card_b", []string{"XF-2026-0001"}); err != nil {
		t.Fatal(err)
	}
	click := func(who, msg string) *bot.ActionResponse {
		t.Helper()
		r.seq++
		resp, err := r.router.ServeAction(ctx, &bot.Request{EventID: fmt.Sprintf("card%d", r.seq), MessageID: msg, ChatID: "oc_p2p_both",
			Sender: xfbot.Person{OpenID: who}, Time: time.Date(2026, 3, 16, 9, 0, 0, 0, time.UTC), Via: bot.ViaCard,
			Action: &bot.Action{Name: "where", Value: map[string]string{"c": "oc_p2p_both", "g": "0"}}})
		if err != nil {
			t.Fatalf("ServeAction: %v", err)
		}
		return resp
	}
	if resp := click(tenBoth, "om_unknown"); resp.ToastKind != "warning" || !strings.Contains(resp.Toast, "青川区、河口区") || !strings.Contains(resp.Toast, "切换") {
		t.Errorf("an unknown card clicked by a person of both, none chosen: %+v", resp)
	}
	for i, st := range r.st {
		if out := queued(t, st); len(out) > 0 {
			t.Errorf("district %d queued %d messages for a click acted on nowhere", i, len(out))
		}
	}
	if _, in := r.say(tenBoth, "oc_p2p_both", "切换 青川"); in != 0 {
		t.Fatalf("切换 青川 answered in %d", in)
	}
	resp := click(tenBoth, "om_card_b")
	if got := fmt.Sprint(resp.Toast, resp.Card); !strings.Contains(got, "hekou verb=") {
		t.Errorf("B's card clicked with A chosen, answered: %s", got)
	}
}

// TestTenantsRedisDown: what decides the route cannot be read, so the event
// is refused (Feishu delivers it again) rather than handled anywhere.
func TestTenantsRedisDown(t *testing.T) {
	rdb, prefix := testredis.New(t)
	m := bot.NewMux(store.New(rdb, prefix), bot.MuxOptions{})
	m.Handle(bot.Route{Verb: "在哪", Public: true, Summary: "where", Handler: bot.HandlerFunc(func(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
		return &bot.Reply{Text: "ran"}, nil
	})})
	router, err := bot.NewTenants([]bot.Tenant{{ID: "a", Name: "甲区", Mux: m}, {ID: "b", Name: "乙区", Mux: m}}, bot.TenantsOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // every Redis call fails at once
	err = router.ServeMessage(ctx, &bot.Request{EventID: "ev1", MessageID: "om_1", ChatID: "oc_x", Sender: xfbot.Person{OpenID: "ou_x"}, Text: "在哪", Time: time.Now(), Via: bot.ViaChat})
	if err == nil {
		t.Fatal("routing with Redis unreadable handled the event; want an error so that Feishu redelivers")
	}
}

// BenchmarkTenantsRoute: a private message from a member of one of n
// districts sharing one app, routed and handled (the reply committed),
// against the same message to a district's own Mux. Real Redis with
// XFBOT_TEST_REDIS_ADDR.
func BenchmarkTenantsRoute(b *testing.B) {
	for _, n := range []int{1, 10, 100} {
		b.Run(fmt.Sprintf("districts=%d", n), func(b *testing.B) {
			rdb, prefix := testredis.New(b)
			var ts []bot.Tenant
			var home *store.Store
			for i := 0; i < n; i++ {
				st := store.New(rdb, fmt.Sprintf("%s_%d", prefix, i))
				if i == n/2 {
					home = st
					tx := st.NewTx()
					tx.PutMember(xfbot.Member{OpenID: "ou_m", Name: "成员", Role: xfbot.RoleMember})
					if _, err := st.Commit(context.Background(), tx); err != nil {
						b.Fatal(err)
					}
				}
				m := bot.NewMux(st, bot.MuxOptions{})
				m.Handle(bot.Route{Verb: "在哪", Summary: "where", Handler: bot.HandlerFunc(func(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
					return &bot.Reply{Text: "ok"}, nil
				})})
				ts = append(ts, bot.Tenant{ID: fmt.Sprint("d", i), Name: fmt.Sprint(i, "区"), Mux: m})
			}
			router, err := bot.NewTenants(ts, bot.TenantsOptions{})
			if err != nil {
				b.Fatal(err)
			}
			var srv bot.Server = router
			if n == 1 {
				srv = ts[0].Mux // no routing: the district's own Mux
				tx := home.NewTx()
				tx.PutMember(xfbot.Member{OpenID: "ou_m", Name: "成员", Role: xfbot.RoleMember})
				if _, err := home.Commit(context.Background(), tx); err != nil {
					b.Fatal(err)
				}
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				req := &bot.Request{EventID: fmt.Sprint("ev", i), MessageID: fmt.Sprint("om_", i), ChatID: "oc_p2p",
					Sender: xfbot.Person{OpenID: "ou_m"}, Text: "在哪", Time: time.Now(), Via: bot.ViaChat}
				if err := srv.ServeMessage(context.Background(), req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestTenantsAmbiguousFile: a spreadsheet or a photo sent by a person of
// several districts who has chosen none is neither imported nor attached
// anywhere; 切换 answers.
func TestTenantsAmbiguousFile(t *testing.T) {
	r := newTenantsRig(t)
	req := &bot.Request{EventID: "ev_file", MessageID: "om_file", ChatID: "oc_p2p_both", Sender: xfbot.Person{OpenID: tenBoth},
		File: &bot.File{Key: "file_v2_x", Name: "台账.xlsx"}, Time: time.Date(2026, 3, 16, 9, 0, 0, 0, time.UTC), Via: bot.ViaChat}
	if err := r.router.ServeMessage(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	out := queued(t, r.st[0])
	if len(out) != 1 || !strings.HasPrefix(out[0].Text, "qingchuan verb=切换") || !strings.Contains(out[0].Text, "ambiguous=true") {
		t.Errorf("a file from a person of both, none chosen: %v", out)
	}
	if other := queued(t, r.st[1]); len(other) != 0 {
		t.Errorf("the other district answered: %v", other)
	}
}

// TestTenantsOneDistrict: an app of one district, wrapped for the city
// view, routes without a Redis round trip for anyone but a city viewer, so
// a write command stays one read and one commit.
func TestTenantsOneDistrict(t *testing.T) {
	rdb, prefix := testredis.New(t)
	var trips atomic.Int64
	testredis.NodeHook(rdb, tripHook{&trips})
	st := store.New(rdb, prefix)
	if err := st.EnsureOutboxGroup(context.Background()); err != nil {
		t.Fatal(err)
	}
	m := bot.NewMux(st, bot.MuxOptions{})
	m.Handle(bot.Route{Verb: "在哪", Public: true, Summary: "where", Handler: bot.HandlerFunc(func(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
		if req.Tenancy == nil {
			return &bot.Reply{Text: "direct"}, nil
		}
		return &bot.Reply{Text: fmt.Sprintf("current=%s options=%d city=%v", req.Tenancy.Current.ID, len(req.Tenancy.Options), req.Tenancy.City)}, nil
	})})
	router, err := bot.NewTenants([]bot.Tenant{{ID: "a", Name: "甲区", Mux: m}}, bot.TenantsOptions{City: []string{tenCity}})
	if err != nil {
		t.Fatal(err)
	}
	serve := func(srv bot.Server, who string) int64 {
		t.Helper()
		before := trips.Load()
		if err := srv.ServeMessage(context.Background(), &bot.Request{EventID: "ev_" + who + fmt.Sprint(before), MessageID: "om_" + who + fmt.Sprint(before),
			ChatID: "oc_x", Sender: xfbot.Person{OpenID: who}, Text: "在哪", Time: time.Now(), Via: bot.ViaChat}); err != nil {
			t.Fatal(err)
		}
		return trips.Load() - before
	}
	serve(m, "ou_warm") // the commit script loaded
	direct, routed, city := serve(m, "ou_x"), serve(router, "ou_x"), serve(router, tenCity)
	if routed != direct || city != direct+1 {
		t.Errorf("round trips: %d through the Mux, %d routed, %d for the city viewer; want the same, and one more", direct, routed, city)
	}
	out := queued(t, st)
	if len(out) != 4 || out[1].Text != "direct" || out[2].Text != "current=a options=1 city=false" || out[3].Text != "current=a options=0 city=true" {
		t.Errorf("replies %v", out)
	}
}

type tripHook struct{ n *atomic.Int64 }

func (h tripHook) DialHook(next redis.DialHook) redis.DialHook { return next }
func (h tripHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if !testredis.Topology(cmd) {
			h.n.Add(1)
		}
		return next(ctx, cmd)
	}
}
func (h tripHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		h.n.Add(1)
		return next(ctx, cmds)
	}
}
