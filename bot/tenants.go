package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"

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
}

// NewTenants returns the router of ts (the first is the app's home: it
// keeps the choices and answers strangers).
func NewTenants(ts []Tenant, opt TenantsOptions) (*Tenants, error) {
	if len(ts) == 0 {
		return nil, errors.New("bot: tenants: no district")
	}
	t := &Tenants{ts: ts, city: map[string]bool{}, opt: opt, log: opt.Logger}
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
	return t.ts[tn].Mux.ServeMessage(ctx, req)
}

// ServeAction routes a card click to its district's Mux.
func (t *Tenants) ServeAction(ctx context.Context, req *Request) (*ActionResponse, error) {
	tn, err := t.route(ctx, req, false)
	if err != nil {
		return nil, err
	}
	if req.Tenancy.Ambiguous {
		// A card no district owns (sent before its district noted its
		// cards, or over 30 days ago), clicked by a person of several:
		// acted on nowhere rather than in a district guessed.
		return &ActionResponse{ToastKind: "warning", Toast: fmt.Sprintf("您同时是%s的成员。请先在与机器人的私聊中发送“%s 区名”选择，再发送“查看 案件号”获取新卡片。",
			refNames(req.Tenancy.Options), SwitchVerb)}, nil
	}
	return t.ts[tn].Mux.ServeAction(ctx, req)
}

// route picks the district of req and sets req.Tenancy. An error is
// Redis's: the event is refused and delivered again.
func (t *Tenants) route(ctx context.Context, req *Request, message bool) (int, error) {
	ten := &Tenancy{City: t.city[req.Sender.OpenID]}
	req.Tenancy = ten
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
	var msgs []string
	if message {
		msgs = []string{req.ParentID, req.RootID}
	} else {
		msgs = []string{req.MessageID}
	}
	look, err := store.LookupTenants(ctx, t.stores[0], t.stores, req.Sender.OpenID, msgs...)
	if err != nil {
		return 0, fmt.Errorf("%w: %w", errStore, err)
	}
	var mine []int
	for i, tn := range t.ts {
		if look.Member[i] || tn.Mux.admins[req.Sender.OpenID] || slices.Contains(tn.Mux.leaders, req.Sender.OpenID) {
			mine = append(mine, i)
			ten.Options = append(ten.Options, t.refs[i])
		}
	}
	pick := func(i int, how string) (int, error) {
		ten.Current = t.refs[i]
		t.opt.Metrics.Event("tenant", how)
		return i, nil
	}
	// The card's own district: clicked, or replied to.
	for i := range t.ts {
		if look.Sent[i] {
			return pick(i, "card")
		}
	}
	if message && !req.Group {
		if to, ok := t.switchTo(req, ten); ok {
			for _, i := range mine {
				if t.ts[i].ID == to.ID {
					if err := t.stores[0].ChooseTenant(ctx, req.Sender.OpenID, to.ID); err != nil {
						return 0, fmt.Errorf("%w: %w", errStore, err)
					}
					ten.Switched = true
					return pick(i, "switch")
				}
			}
		}
	}
	switch len(mine) {
	case 0:
		return pick(0, "stranger")
	case 1:
		return pick(mine[0], "member")
	}
	for _, i := range mine {
		if t.ts[i].ID == look.Choice {
			return pick(i, "chosen")
		}
	}
	// Several districts and none chosen: nothing is run in a district the
	// sender did not pick; 切换 says how to pick.
	ten.Ambiguous = true
	if message {
		// Whatever it was — words, a file to import or attach — it is
		// not taken: 切换 answers.
		req.Text, req.File = SwitchVerb, nil
	}
	return pick(mine[0], "ambiguous")
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
