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
// record and, when the command names one, the case with its latest
// entries; when asked for, the member records of the people it names and
// the registry.
type Loaded struct {
	Member *xfbot.Member // nil when the caller is not a member
	Case   *xfbot.Case   // nil when no case was asked for or it does not exist
	Recent []xfbot.Progress
	// Mentioned holds, for each open_id of LoadSpec.Mentions, its member
	// record, or nil when it has none.
	Mentioned map[string]*xfbot.Member
	Registry  *xfbot.Registry // when LoadSpec.Registry; nil otherwise
	Members   []xfbot.Member  // when LoadSpec.Members (as Members returns them); nil otherwise
	Plans     *xfbot.Plans    // the case's plan, when LoadSpec.Plan (nil: it has none)
	// Cases holds, for each number of LoadSpec.Cases, the case, or nil
	// when there is no such case.
	Cases map[xfbot.CaseNo]*xfbot.Case
	// Receptions likewise for LoadSpec.Receptions.
	Receptions map[xfbot.ReceptionID]*ReceptionView
	// Petitioner is the lookup LoadSpec.Petitioner asked for, nil when it
	// did not or it could not be read ahead.
	Petitioner *PetitionerMatch
	// Tenants is what LoadSpec.Tenants read (zero when not asked).
	Tenants TenantLookup
}

// LoadSpec is what LoadFor reads.
type LoadSpec struct {
	OpenID   string         // the caller
	No       xfbot.CaseNo   // the case, or ""
	Mentions []string       // the people the command names (@), by open_id
	Registry bool           // the registry, for a command that resolves names
	Members  bool           // every member record, for a command that tells approvers or a unit's liaisons
	Plan     bool           // the case's plan (一案一策), for the 方案 commands
	Cases    []xfbot.CaseNo // other cases the command names (案件:XF-…,XF-…)
	// Receptions the command names (接访:JF-…, 接访 记录 JF-…).
	Receptions []xfbot.ReceptionID
	// Petitioner and PetitionerArea, when set, read ahead the
	// repeat-petition lookup of a new case (SamePetitionerFrom), as its
	// words give them.
	Petitioner     *xfbot.Petitioner
	PetitionerArea string
	// Tenants, when set, is read with the rest (Loaded.Tenants): the
	// routing of an event whose district was guessed, confirmed by the
	// guessed district's own load rather than by a read of its own.
	Tenants *TenantQuery
}

// Load reads the member record of openID and, if no is not empty, the case and
// its last RecentProgress entries, in one round trip.
func (s *Store) Load(ctx context.Context, openID string, no xfbot.CaseNo) (Loaded, error) {
	return s.LoadFor(ctx, LoadSpec{OpenID: openID, No: no})
}

// LoadFor reads what spec names in one round trip: everything a command
// decides on, so that a write command costs this read and its commit.
func (s *Store) LoadFor(ctx context.Context, spec LoadSpec) (Loaded, error) {
	openID, no := spec.OpenID, spec.No
	pipe := s.rdb.Pipeline()
	mcmd := pipe.HGet(ctx, s.k.members(), openID)
	var ccmd *redis.StringCmd
	var pcmd *redis.StringSliceCmd
	if no != "" {
		ccmd = pipe.Get(ctx, s.k.caseKey(no))
		pcmd = pipe.LRange(ctx, s.k.progress(no), -RecentProgress, -1)
	}
	var mentions *redis.SliceCmd
	if len(spec.Mentions) > 0 {
		mentions = pipe.HMGet(ctx, s.k.members(), spec.Mentions...)
	}
	var rcmd *redis.StringCmd
	if spec.Registry {
		rcmd = pipe.Get(ctx, s.k.registry())
	}
	var plan *redis.StringCmd
	if spec.Plan && no != "" {
		plan = pipe.Get(ctx, s.k.plan(no))
	}
	var named *redis.SliceCmd
	if len(spec.Cases) > 0 {
		ks := make([]string, len(spec.Cases))
		for i, n := range spec.Cases {
			ks[i] = s.k.caseKey(n)
		}
		named = pipe.MGet(ctx, ks...)
	}
	rcps := make([]receptionCmds, len(spec.Receptions))
	for i, id := range spec.Receptions {
		rcps[i] = s.receptionCmds(ctx, pipe, id)
	}
	var all *redis.MapStringStringCmd
	if spec.Members {
		all = pipe.HGetAll(ctx, s.k.members())
	}
	var pet *petitionerCmds
	if spec.Petitioner != nil {
		pet = s.queuePetitioner(ctx, pipe, *spec.Petitioner, spec.PetitionerArea)
	}
	var tenants func() (TenantLookup, error)
	if spec.Tenants != nil && len(spec.Tenants.Districts) > 0 {
		tenants = spec.Tenants.queue(ctx, pipe)
	}
	// Exec reports the first command's error only, and a read that finds
	// nothing is one (redis.Nil): every command is looked at.
	if cmds, err := pipe.Exec(ctx); err != nil {
		if err = pipelineErr(cmds, pet); err != nil {
			return Loaded{}, fmt.Errorf("store: load %s %s: %w", openID, no, err)
		}
	}
	var l Loaded
	l.Petitioner = pet.match()
	if tenants != nil {
		var err error
		if l.Tenants, err = tenants(); err != nil {
			return Loaded{}, err
		}
	}
	if mentions != nil {
		l.Mentioned = make(map[string]*xfbot.Member, len(spec.Mentions))
		for i, v := range mentions.Val() {
			id := spec.Mentions[i]
			str, ok := v.(string)
			if !ok {
				l.Mentioned[id] = nil
				continue
			}
			m, err := decodeMember([]byte(str))
			if err != nil {
				return Loaded{}, fmt.Errorf("store: decode member %s: %w", id, err)
			}
			l.Mentioned[id] = &m
		}
	}
	if named != nil {
		l.Cases = make(map[xfbot.CaseNo]*xfbot.Case, len(spec.Cases))
		for i, v := range named.Val() {
			l.Cases[spec.Cases[i]] = nil
			if str, ok := v.(string); ok {
				c, err := decodeCase([]byte(str))
				if err != nil {
					return Loaded{}, fmt.Errorf("store: decode case %s: %w", spec.Cases[i], err)
				}
				l.Cases[spec.Cases[i]] = c
			}
		}
	}
	if len(rcps) > 0 {
		l.Receptions = make(map[xfbot.ReceptionID]*ReceptionView, len(rcps))
		for i, rc := range rcps {
			v, err := rc.view(spec.Receptions[i])
			if err != nil {
				return Loaded{}, err
			}
			l.Receptions[spec.Receptions[i]] = v
		}
	}
	if plan != nil {
		if b, err := plan.Bytes(); err == nil {
			if l.Plans, err = decodePlans(b); err != nil {
				return Loaded{}, fmt.Errorf("store: decode plan %s: %w", no, err)
			}
		} else if !errors.Is(err, redis.Nil) {
			return Loaded{}, fmt.Errorf("store: load plan %s: %w", no, err)
		}
	}
	if all != nil {
		ms, err := decodeMembers(all.Val())
		if err != nil {
			return Loaded{}, err
		}
		l.Members = ms
	}
	if rcmd != nil {
		l.Registry = &xfbot.Registry{}
		if b, err := rcmd.Bytes(); err == nil {
			r, err := decodeRegistry(b)
			if err != nil {
				return Loaded{}, err
			}
			l.Registry = r
		} else if !errors.Is(err, redis.Nil) {
			return Loaded{}, fmt.Errorf("store: load registry: %w", err)
		}
	}
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
			l.Recent, err = decodeEach(progressLines(pcmd.Val()), progressOf(c.CreatedBy))
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
	rec := pipe.Get(ctx, s.k.caseKey(no)) // its creator: codec.go's byCreator
	lines := pipe.LRange(ctx, s.k.progress(no), 0, -1)
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return nil, nil, fmt.Errorf("store: history %s: %w", no, err)
	}
	creator, err := creatorOf(rec)
	if err != nil {
		return nil, nil, fmt.Errorf("store: history %s: %w", no, err)
	}
	items := lines.Val()
	changes, err := decodeEach(changeLines(items), changeOf(creator))
	if err != nil {
		return nil, nil, fmt.Errorf("store: decode history %s: %w", no, err)
	}
	progs, err := decodeEach(progressLines(items), progressOf(creator))
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
