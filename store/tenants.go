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

// LookupTenants reads, in one round trip, the sender's choice (kept by
// home, the first district of the app) and, in each of ds, the sender's
// member record and whether messageIDs (a clicked card, a message's parent
// and root; "" skipped) are that district's cards.
func LookupTenants(ctx context.Context, home *Store, ds []*Store, openID string, messageIDs ...string) (TenantLookup, error) {
	out := TenantLookup{Member: make([]bool, len(ds)), Sent: make([]bool, len(ds))}
	var ids []string
	for _, id := range messageIDs {
		if id != "" {
			ids = append(ids, id)
		}
	}
	pipe := home.rdb.Pipeline()
	choice := pipe.HGet(ctx, home.k.tenantChoice(), openID)
	member := make([]*redis.BoolCmd, len(ds))
	sent := make([]*redis.IntCmd, len(ds))
	for i, d := range ds {
		member[i] = pipe.HExists(ctx, d.k.members(), openID)
		if len(ids) > 0 {
			ks := make([]string, len(ids))
			for j, id := range ids {
				ks[j] = d.k.messageCases(id)
			}
			// The keys share d's hash tag: one EXISTS, one slot.
			sent[i] = pipe.Exists(ctx, ks...)
		}
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return TenantLookup{}, fmt.Errorf("store: tenant lookup: %w", err)
	}
	out.Choice = choice.Val()
	for i := range ds {
		out.Member[i] = member[i].Val()
		out.Sent[i] = sent[i] != nil && sent[i].Val() > 0
	}
	return out, nil
}

// ChooseTenant records that openID works in district id (切换 <区>) until
// it chooses again.
func (s *Store) ChooseTenant(ctx context.Context, openID, id string) error {
	if err := s.rdb.HSet(ctx, s.k.tenantChoice(), openID, id).Err(); err != nil {
		return fmt.Errorf("store: choose district: %w", err)
	}
	return nil
}
