package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"

	"github.com/qingchuan/xfbot/store"
)

// A Server serves an intake's requests: one district's Mux, or Tenants, the
// districts that share one Feishu app.
type Server interface {
	ServeMessage(ctx context.Context, req *Request) error
	ServeAction(ctx context.Context, req *Request) (*ActionResponse, error)
}

// SwitchVerb is the command that picks the district a person who belongs
// to several works in (切换 <区>). Tenants records the choice before the
// chosen district's handler answers.
const SwitchVerb = "切换"

// Tenant is one district behind a shared Feishu app.
type Tenant struct {
	ID   string // a-z, 0-9: config districts[].id
	Name string // 河口区
	Mux  *Mux
	// Groups are the district's group chats: an event from one of them is
	// the district's, whoever sends it.
	Groups []string
}

// TenantRef names a district to a person: in 切换's answers.
type TenantRef struct{ ID, Name string }

// Tenancy is what the routing of a request decided, for the handlers of
// 切换 and of the city view (全市): nil where one district has the app to
// itself and there is no city view.
type Tenancy struct {
	Current TenantRef   // the district the request is served in
	Options []TenantRef // the districts the sender belongs to, in config order
	// City: the sender has the 市级 role (city.viewers): figures across
	// the districts, never a case.
	City bool
	// Group: the request came from a district's group chat, which is
	// always that district's (切换 applies to private chats).
	Group bool
	// Ambiguous: the sender belongs to several districts and has chosen
	// none; the command was not run, and 切换 answers what to do.
	Ambiguous bool
	// Switched: this request chose Current (切换 <区>).
	Switched bool
}

// Match finds the district a person named: its id, its name, or its name
// without 区/县/市 (河口 for 河口区).
func (t *Tenancy) Match(word string) (TenantRef, bool) {
	return matchTenant(t.Options, word)
}

func matchTenant(ts []TenantRef, word string) (TenantRef, bool) {
	w := strings.ToLower(strings.TrimSpace(word))
	if w == "" {
		return TenantRef{}, false
	}
	for _, t := range ts {
		short := strings.TrimRight(t.Name, "区县市")
		if w == t.ID || w == strings.ToLower(t.Name) || (short != "" && w == strings.ToLower(short)) {
			return t, true
		}
	}
	return TenantRef{}, false
}

// TenantsOptions configure Tenants.
type TenantsOptions struct {
	// City are the open_ids with the 市级 role (city.viewers).
	City    []string
	Metrics *Metrics
	Logger  *slog.Logger
}

// Tenants routes the events of one Feishu app to the district each belongs
// to, in this order:
//
//  1. a district's group chat: that district;
//  2. a click on a card, or a message replying to one: the district that
//     sent the card (its senders note every card: SenderOptions.NoteCards);
//  3. 切换 <区> in a private chat, naming a district the sender belongs to:
//     that one, and the choice is kept;
//  4. the one district the sender belongs to, or, of several, the one
//     chosen last; several and none chosen: the first, with the command
//     turned into 切换, which asks which (nothing else is run);
//  5. nobody's member: the first district, which answers a stranger.
//
// A person belongs to a district when it has a member record there or its
// config names them admin or leader. Each district's Mux then checks the
// roles as it always does: Tenants picks where a request is handled, never
// what may be done there, and a district that is not the sender's treats
// them as the stranger they are to it.
type Tenants struct {
	ts     []Tenant
	refs   []TenantRef
	stores []*store.Store // the districts' ledgers, in ts's order
	city   map[string]bool
	opt    TenantsOptions
	log    *slog.Logger
	// last is the district each person was routed to last (guess).
	mu   sync.Mutex
	last map[string]int
}

// NewTenants returns the router of ts (the first is the app's home: it
// keeps the choices and answers strangers).
func NewTenants(ts []Tenant, opt TenantsOptions) (*Tenants, error) {
	if len(ts) == 0 {
		return nil, errors.New("bot: tenants: no district")
	}
	t := &Tenants{ts: ts, city: map[string]bool{}, opt: opt, log: opt.Logger, last: map[string]int{}}
	if t.log == nil {
		t.log = slog.Default()
	}
	for _, id := range opt.City {
		t.city[id] = true
	}
	for _, tn := range ts {
		if tn.Mux == nil {
			return nil, fmt.Errorf("bot: tenants: district %s has no mux", tn.ID)
		}
		t.refs = append(t.refs, TenantRef{ID: tn.ID, Name: tn.Name})
		t.stores = append(t.stores, tn.Mux.st)
	}
	return t, nil
}

// ServeMessage routes a message to its district's Mux.
func (t *Tenants) ServeMessage(ctx context.Context, req *Request) error {
	tn, err := t.route(ctx, req, true)
	if err != nil {
		return err
	}
	err = t.ts[tn].Mux.ServeMessage(ctx, req)
	if errors.Is(err, errReroute) {
		if tn, err = t.reroute(ctx, req, true); err != nil {
			return err
		}
		err = t.ts[tn].Mux.ServeMessage(ctx, req)
	}
	return err
}

// ServeAction routes a card click to its district's Mux.
func (t *Tenants) ServeAction(ctx context.Context, req *Request) (*ActionResponse, error) {
	tn, err := t.route(ctx, req, false)
	if err != nil {
		return nil, err
	}
	for {
		if req.Tenancy.Ambiguous {
			// A card no district owns (sent before its district noted its
			// cards, or over 30 days ago), clicked by a person of several:
			// acted on nowhere rather than in a district guessed.
			return &ActionResponse{ToastKind: "warning", Toast: fmt.Sprintf("您同时是%s的成员。请先在与机器人的私聊中发送“%s 区名”选择，再发送“查看 案件号”获取新卡片。",
				refNames(req.Tenancy.Options), SwitchVerb)}, nil
		}
		resp, err := t.ts[tn].Mux.ServeAction(ctx, req)
		if !errors.Is(err, errReroute) || req.route == nil {
			return resp, err
		}
		if tn, err = t.reroute(ctx, req, false); err != nil {
			return nil, err
		}
	}
}

// errReroute is a Mux's answer to a request whose guessed district its
// load did not confirm (routeCheck): nothing was written or sent, and the
// request is routed again on a read of its own.
var errReroute = errors.New("bot: the district guessed for the request was not confirmed")

// A routeCheck rides on the load of the district a request was sent to
// on a guess (Tenants.route): the Mux adds query to its first read and
// calls verify with what it read before it decides anything; a request
// that reaches its commit unconfirmed (a path that read nothing) is not
// committed but answered with errReroute.
type routeCheck struct {
	query  store.TenantQuery
	verify func(store.TenantLookup) error
	done   bool
	// orig is the request as it came, for a reroute: what the guessed
	// district's run set on it (its case, its words, a handler's fields,
	// over a conflict's retries) is not carried to the district it goes to.
	orig Request
}

// guessCap bounds the routes Tenants remembers (guess); when full it
// starts again, at the cost of one round trip per person.
const guessCap = 1 << 16

// route picks the district of req and sets req.Tenancy. An error is
// Redis's: the event is refused and delivered again.
//
// Where the districts' records must decide, they are read in one round
// trip (store.LookupTenants) before the district's Mux reads what the
// command needs. A person routed before is sent at once to the district
// they were routed to last, and the Mux's own read carries the routing's
// reads (routeCheck): a write command stays one read and one commit. If
// what is read routes elsewhere (a choice made on another replica, a
// membership changed), the Mux stops before it writes or sends anything
// and the request is routed again.
func (t *Tenants) route(ctx context.Context, req *Request, message bool) (int, error) {
	ten := &Tenancy{City: t.city[req.Sender.OpenID]}
	req.Tenancy, req.route = ten, nil
	for i, tn := range t.ts {
		if req.ChatID != "" && slices.Contains(tn.Groups, req.ChatID) {
			ten.Group = true
			ten.Current = t.refs[i]
			ten.Options = []TenantRef{t.refs[i]}
			t.opt.Metrics.Event("tenant", "group")
			return i, nil
		}
	}
	if len(t.ts) == 1 && !ten.City {
		// An app of one district (wrapped for the city view): nothing to
		// choose, nothing to read; its Mux judges the sender as always.
		ten.Current, ten.Options = t.refs[0], t.refs[:1]
		return 0, nil
	}
	if g, ok := t.guess(req, message); ok {
		q := t.query(req, message)
		req.route = &routeCheck{query: q, orig: *req, verify: func(look store.TenantLookup) error {
			ten := &Tenancy{City: t.city[req.Sender.OpenID]}
			i, how := t.decide(req, ten, look)
			if i != g || ten.Ambiguous {
				return errReroute
			}
			ten.Current = t.refs[i]
			req.Tenancy = ten
			if !req.route.done { // a conflict's retry reads it again: counted once
				t.opt.Metrics.Event("tenant", how)
			}
			return nil
		}}
		ten.Current = t.refs[g]
		return g, nil
	}
	return t.read(ctx, req, message)
}

// reroute routes again, on a read of its own, a request whose guess the
// Mux did not confirm.
func (t *Tenants) reroute(ctx context.Context, req *Request, message bool) (int, error) {
	t.opt.Metrics.Event("tenant", "reroute")
	t.forget(req.Sender.OpenID)
	if req.route != nil {
		*req = req.route.orig
	}
	req.Tenancy, req.route = &Tenancy{City: t.city[req.Sender.OpenID]}, nil
	return t.read(ctx, req, message)
}

// query is what routing req reads.
func (t *Tenants) query(req *Request, message bool) store.TenantQuery {
	q := store.TenantQuery{Districts: t.stores, OpenID: req.Sender.OpenID, MessageIDs: []string{req.MessageID}}
	if message {
		q.MessageIDs = []string{req.ParentID, req.RootID}
	}
	return q
}

// read routes req on the districts' records, read first.
func (t *Tenants) read(ctx context.Context, req *Request, message bool) (int, error) {
	ten := req.Tenancy
	look, err := store.LookupTenants(ctx, t.query(req, message))
	if err != nil {
		return 0, fmt.Errorf("%w: %w", errStore, err)
	}
	i, how := t.decide(req, ten, look)
	if message && !req.Group && how != "card" {
		if to, ok := t.switchTo(req, ten); ok {
			for _, j := range t.mine(req, look) {
				if t.ts[j].ID == to.ID {
					if err := t.stores[0].ChooseTenant(ctx, req.Sender.OpenID, to.ID); err != nil {
						return 0, fmt.Errorf("%w: %w", errStore, err)
					}
					ten.Switched, ten.Ambiguous = true, false
					i, how = j, "switch"
				}
			}
		}
	}
	ten.Current = t.refs[i]
	t.opt.Metrics.Event("tenant", how)
	if ten.Ambiguous {
		t.forget(req.Sender.OpenID)
		if message {
			// Whatever it was — words, a file to import or attach — it
			// is not taken: 切换 answers.
			req.Text, req.File = SwitchVerb, nil
		}
	} else {
		t.remember(req.Sender.OpenID, i)
	}
	return i, nil
}

// mine are the districts the sender of req belongs to.
func (t *Tenants) mine(req *Request, look store.TenantLookup) []int {
	var mine []int
	for i, tn := range t.ts {
		if look.Member[i] || tn.Mux.admins[req.Sender.OpenID] || slices.Contains(tn.Mux.leaders, req.Sender.OpenID) {
			mine = append(mine, i)
		}
	}
	return mine
}

// decide picks the district of req by what was read, but for 切换, which
// read handles: the card's own district (clicked, or replied to), the
// sender's one district, or of several the one chosen last; several and
// none chosen leaves ten.Ambiguous. It fills ten.Options and returns how
// it chose (a metric's label).
func (t *Tenants) decide(req *Request, ten *Tenancy, look store.TenantLookup) (int, string) {
	mine := t.mine(req, look)
	ten.Options = nil
	for _, i := range mine {
		ten.Options = append(ten.Options, t.refs[i])
	}
	for i := range t.ts {
		if look.Sent[i] {
			return i, "card"
		}
	}
	switch len(mine) {
	case 0:
		return 0, "stranger"
	case 1:
		return mine[0], "member"
	}
	for _, i := range mine {
		if t.ts[i].ID == look.Choice {
			return i, "chosen"
		}
	}
	// Several districts and none chosen: nothing is run in a district the
	// sender did not pick; 切换 says how to pick.
	ten.Ambiguous = true
	return mine[0], "ambiguous"
}

// guess is the district req's sender was routed to last, when req may be
// sent there on that guess: a click, or a message that replies to no card,
// carries no file and is not 切换 (whose choice is written before the
// district answers).
func (t *Tenants) guess(req *Request, message bool) (int, bool) {
	if message && (req.ParentID != "" || req.RootID != "" || req.File != nil) {
		return 0, false
	}
	if message {
		if word, _ := splitVerb(strings.TrimSpace(req.Text)); word != "" {
			if rt := t.ts[0].Mux.Lookup(word); rt != nil && rt.Verb == SwitchVerb {
				return 0, false
			}
		}
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	i, ok := t.last[req.Sender.OpenID]
	return i, ok
}

func (t *Tenants) remember(openID string, i int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.last) >= guessCap {
		clear(t.last)
	}
	t.last[openID] = i
}

func (t *Tenants) forget(openID string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.last, openID)
}

// switchTo reads 切换 <区> (or an alias of 切换) from a message.
func (t *Tenants) switchTo(req *Request, ten *Tenancy) (TenantRef, bool) {
	word, rest := splitVerb(strings.TrimSpace(req.Text))
	rt := t.ts[0].Mux.Lookup(word)
	if rt == nil || rt.Verb != SwitchVerb {
		return TenantRef{}, false
	}
	return matchTenant(t.refs, strings.TrimSpace(rest))
}

// refNames is 河口区、青川区.
func refNames(ts []TenantRef) string {
	names := make([]string, len(ts))
	for i, t := range ts {
		names[i] = t.Name
	}
	return strings.Join(names, "、")
}
