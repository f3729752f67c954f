package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/redis/go-redis/v9"
)

// Districts that share one Feishu app (one tenant) share its chats: an
// event must be routed to the district it belongs to before any of them
// handles it. What decides is read here, for all the app's districts in
// one round trip (a pipeline; on a cluster go-redis sends each node its
// part at once).
//
//	{home}:v1:tenant:choice   hash   open_id → the district id it chose (切换)
//	{d}:v1:members            hash   (each district's own) is the sender a member?
//	{d}:v1:msgcase:<id>       string (each district's own) was this card sent by d?

func (k keys) tenantChoice() string { return k.base + "tenant:choice" }

// TenantLookup is what the routing of one event reads: per district (in
// the order given), whether the sender has a member record there and
// whether one of the messages named is a card that district sent; and the
// district the sender chose last, "" for none.
type TenantLookup struct {
	Member []bool
	Sent   []bool
	Choice string
}

// TenantQuery names what LookupTenants reads: the sender, the app's
// districts (the first, the home, keeps the choices) and the messages
// whose cards may say where the event belongs (a clicked card, a message's
// parent and root; "" skipped). LoadSpec.Tenants reads it with a command's
// own load, when the router has guessed the district and the load is to
// confirm it (bot.Tenants). The districts of one deployment share its
// Redis (a district's config may not name another), so their reads go in
// any one district's pipeline.
type TenantQuery struct {
	Districts  []*Store
	OpenID     string
	MessageIDs []string
}

// LookupTenants reads q in one round trip (a pipeline; on a cluster
// go-redis sends each node its part at once).
func LookupTenants(ctx context.Context, q TenantQuery) (TenantLookup, error) {
	if len(q.Districts) == 0 {
		return TenantLookup{}, errors.New("store: tenant lookup: no district")
	}
	pipe := q.Districts[0].rdb.Pipeline()
	read := q.queue(ctx, pipe)
	_, _ = pipe.Exec(ctx) // each read's error is its own: read
	return read()
}

// queue adds q's reads to pipe; the function returns what they read once
// pipe has run, or the error of the first that failed (an absent choice is
// none): a read that failed never counts as "not a member" or "not this
// district's card", which could route an event where it does not belong.
func (q TenantQuery) queue(ctx context.Context, pipe redis.Pipeliner) func() (TenantLookup, error) {
	var ids []string
	for _, id := range q.MessageIDs {
		if id != "" {
			ids = append(ids, id)
		}
	}
	home := q.Districts[0]
	choice := pipe.HGet(ctx, home.k.tenantChoice(), q.OpenID)
	member := make([]*redis.BoolCmd, len(q.Districts))
	sent := make([]*redis.IntCmd, len(q.Districts))
	for i, d := range q.Districts {
		member[i] = pipe.HExists(ctx, d.k.members(), q.OpenID)
		if len(ids) > 0 {
			ks := make([]string, len(ids))
			for j, id := range ids {
				ks[j] = d.k.messageCases(id)
			}
			// The keys share d's hash tag: one EXISTS, one slot.
			sent[i] = pipe.Exists(ctx, ks...)
		}
	}
	return func() (TenantLookup, error) {
		if err := choice.Err(); err != nil && !errors.Is(err, redis.Nil) {
			return TenantLookup{}, fmt.Errorf("store: tenant lookup: %w", err)
		}
		out := TenantLookup{Member: make([]bool, len(q.Districts)), Sent: make([]bool, len(q.Districts)), Choice: choice.Val()}
		for i := range q.Districts {
			if err := member[i].Err(); err != nil {
				return TenantLookup{}, fmt.Errorf("store: tenant lookup: %w", err)
			}
			if sent[i] != nil && sent[i].Err() != nil {
				return TenantLookup{}, fmt.Errorf("store: tenant lookup: %w", sent[i].Err())
			}
			out.Member[i] = member[i].Val()
			out.Sent[i] = sent[i] != nil && sent[i].Val() > 0
		}
		return out, nil
	}
}

// ChooseTenant records that openID works in district id (切换 <区>) until
// it chooses again.
func (s *Store) ChooseTenant(ctx context.Context, openID, id string) error {
	if err := s.rdb.HSet(ctx, s.k.tenantChoice(), openID, id).Err(); err != nil {
		return fmt.Errorf("store: choose district: %w", err)
	}
	return nil
}
