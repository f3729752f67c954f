package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/qingchuan/xfbot"
	"github.com/redis/go-redis/v9"
)

// The registry (名录: units, localities, categories) is one record, reg,
// small enough to read whole with every command that resolves a name
// (hundreds of entries, a few KB). A write replaces it under a version
// check, like a case.

// Registry reads the registry; a deployment without one gets the empty
// registry (version 0: units open, the default categories).
func (s *Store) Registry(ctx context.Context) (*xfbot.Registry, error) {
	v, err := s.rdb.Get(ctx, s.k.registry()).Bytes()
	if errors.Is(err, redis.Nil) {
		return &xfbot.Registry{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: registry: %w", err)
	}
	return decodeRegistry(v)
}

func decodeRegistry(v []byte) (*xfbot.Registry, error) {
	r := &xfbot.Registry{}
	if err := json.Unmarshal(v, r); err != nil {
		return nil, fmt.Errorf("store: decode registry: %w", err)
	}
	return r, nil
}

// PutRegistry replaces the registry with r, a modified copy of the one read
// at version r.Version: Commit fails with ECONFLICT when another write came
// in between (a registry never written, version 0, is not checked: the
// first start seeds it, SeedRegistry). r.Version is bumped.
func (tx *Tx) PutRegistry(r *xfbot.Registry) {
	if r.Version > 0 {
		tx.add(op{Op: "check", Key: tx.k.registry(), Ver: r.Version})
	}
	r.Version++
	tx.add(op{Op: "set", Key: tx.k.registry(), Val: tx.json(r)})
}

// SeedRegistry writes the registry of a first start, when none is stored:
// the units and categories given (config), then every 主责单位 the ledger
// already names (the units set of the statistics), each as a record of its
// own unless a given record answers to it. A stored registry is left as
// it is (admins keep it with 单位 添加/别名/改名). It reports whether it
// wrote one and how many units it holds.
func (s *Store) SeedRegistry(ctx context.Context, units, categories []xfbot.RegEntry) (bool, int, error) {
	pipe := s.rdb.Pipeline()
	cur := pipe.Exists(ctx, s.k.registry())
	used := pipe.SMembers(ctx, s.k.units())
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return false, 0, fmt.Errorf("store: seed registry: %w", err)
	}
	if cur.Val() > 0 {
		return false, 0, nil
	}
	r := &xfbot.Registry{}
	r.Seed(units)
	names := used.Val()
	sortUnits(names)
	var more []xfbot.RegEntry
	for _, n := range names {
		if n != "" {
			more = append(more, xfbot.RegEntry{Name: n})
		}
	}
	r.Seed(more)
	r.SeedCategories(categories)
	if len(r.Units) == 0 && len(categories) == 0 {
		return false, 0, nil // nothing to seed: the registry stays open
	}
	r.Version = 1
	b, err := json.Marshal(r)
	if err != nil {
		return false, 0, err
	}
	ok, err := s.rdb.SetNX(ctx, s.k.registry(), b, 0).Result()
	if err != nil {
		return false, 0, fmt.Errorf("store: seed registry: %w", err)
	}
	return ok, len(r.Units), nil
}

// UsedUnits returns every 主责单位 the ledger has named (the statistics'
// units set), sorted: what the first 单位 添加 on an open registry adopts.
func (s *Store) UsedUnits(ctx context.Context) ([]string, error) {
	us, err := s.rdb.SMembers(ctx, s.k.units()).Result()
	if err != nil {
		return nil, fmt.Errorf("store: units: %w", err)
	}
	sortUnits(us)
	return us, nil
}

// SyncMemberUnits brings every member's unit names up to date with the
// registry (xfbot.Registry.SetUnitNames): a member record written before
// the registry kept former names on it, or by a release without 合并,
// learns the other names its unit's cases carry. It runs at start and
// writes only the records that change; it reports how many did.
func (s *Store) SyncMemberUnits(ctx context.Context) (int, error) {
	reg, err := s.Registry(ctx)
	if err != nil {
		return 0, err
	}
	if len(reg.Units) == 0 {
		return 0, nil
	}
	ms, err := s.Members(ctx)
	if err != nil {
		return 0, err
	}
	tx := s.NewTx()
	n := 0
	for _, m := range ms {
		if reg.SetUnitNames(&m) {
			tx.PutMember(m)
			n++
		}
	}
	if n == 0 {
		return 0, nil
	}
	if _, err := s.Commit(ctx, tx); err != nil {
		return 0, fmt.Errorf("store: sync member units: %w", err)
	}
	return n, nil
}
