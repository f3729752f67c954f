package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/qingchuan/xfbot"
	"github.com/redis/go-redis/v9"
)

// RecentProgress is how many progress entries a case card shows.
const RecentProgress = 3

// Loaded is what a command needs before it decides: the caller's member
// record and, when the command names one, the case with its latest entries.
type Loaded struct {
	Member *xfbot.Member // nil when the caller is not a member
	Case   *xfbot.Case   // nil when no case was asked for or it does not exist
	Recent []xfbot.Progress
}

// Load reads the member record of openID and, if no is not empty, the case and
// its last RecentProgress entries, in one round trip.
func (s *Store) Load(ctx context.Context, openID string, no xfbot.CaseNo) (Loaded, error) {
	pipe := s.rdb.Pipeline()
	mcmd := pipe.HGet(ctx, s.k.members(), openID)
	var ccmd *redis.StringCmd
	var pcmd *redis.StringSliceCmd
	if no != "" {
		ccmd = pipe.Get(ctx, s.k.caseKey(no))
		pcmd = pipe.LRange(ctx, s.k.progress(no), -RecentProgress, -1)
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return Loaded{}, fmt.Errorf("store: load %s %s: %w", openID, no, err)
	}
	var l Loaded
	if b, err := mcmd.Bytes(); err == nil {
		m, err := decodeMember(b)
		if err != nil {
			return Loaded{}, fmt.Errorf("store: decode member %s: %w", openID, err)
		}
		l.Member = &m
	}
	if ccmd != nil {
		if b, err := ccmd.Bytes(); err == nil {
			c, err := decodeCase(b)
			if err != nil {
				return Loaded{}, fmt.Errorf("store: decode case %s: %w", no, err)
			}
			l.Case = c
			l.Recent, err = decodeEach(pcmd.Val(), decodeProgress)
			if err != nil {
				return Loaded{}, fmt.Errorf("store: decode progress %s: %w", no, err)
			}
		}
	}
	return l, nil
}

// History returns the case's whole audited history and timeline.
func (s *Store) History(ctx context.Context, no xfbot.CaseNo) ([]xfbot.Change, []xfbot.Progress, error) {
	pipe := s.rdb.Pipeline()
	h := pipe.LRange(ctx, s.k.history(no), 0, -1)
	p := pipe.LRange(ctx, s.k.progress(no), 0, -1)
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, nil, fmt.Errorf("store: history %s: %w", no, err)
	}
	changes, err := decodeEach(h.Val(), decodeChange)
	if err != nil {
		return nil, nil, fmt.Errorf("store: decode history %s: %w", no, err)
	}
	progs, err := decodeEach(p.Val(), decodeProgress)
	if err != nil {
		return nil, nil, fmt.Errorf("store: decode progress %s: %w", no, err)
	}
	return changes, progs, nil
}

// Cases returns the cases with the given numbers, in that order, skipping any
// that do not exist.
func (s *Store) Cases(ctx context.Context, nos []xfbot.CaseNo) ([]*xfbot.Case, error) {
	if len(nos) == 0 {
		return nil, nil
	}
	ks := make([]string, len(nos))
	for i, no := range nos {
		ks[i] = s.k.caseKey(no)
	}
	vals, err := s.rdb.MGet(ctx, ks...).Result()
	if err != nil {
		return nil, fmt.Errorf("store: cases: %w", err)
	}
	return decodeCases(vals)
}

func decodeCases(vals []any) ([]*xfbot.Case, error) {
	out := make([]*xfbot.Case, 0, len(vals))
	for _, v := range vals {
		str, ok := v.(string)
		if !ok {
			continue
		}
		c, err := decodeCase([]byte(str))
		if err != nil {
			return nil, fmt.Errorf("store: decode case: %w", err)
		}
		out = append(out, c)
	}
	return out, nil
}
