package store

import (
	"context"
	"errors"

	"github.com/qingchuan/xfbot"
	"github.com/redis/go-redis/v9"
)

// The repeat-petition lookup (SamePetitioner), as terms of the search index:
// the same whole phone number or ID number (strong), the same name in the
// same 属地 (weak). A command that registers a petitioner (新建) reads it
// ahead, with everything else it decides on (LoadSpec.Petitioner), so that
// it stays one read and one commit.

type petitionerTerms struct {
	phone, id, name xfbot.Term
	area            string
}

func (s *Store) petitionerTerms(p xfbot.Petitioner, area string) petitionerTerms {
	var t petitionerTerms
	if pt := s.ix.PhoneTerm(p.Phone); pt != "" && len(xfbot.PhoneDigits(p.Phone)) >= 7 {
		t.phone = pt
	}
	t.id = s.ix.IDTerm(p.IDCard)
	if n := s.ix.NameTerm(p.Name); n != "" && area != "" {
		t.name, t.area = n, area
	}
	return t
}

// queries are the searches of t: the strong one first, if any, then the
// weak one, which asks for enough to fill its page after the strong
// matches are taken out.
func (t petitionerTerms) queries() []SearchQuery {
	var strong [][]xfbot.Term
	for _, x := range []xfbot.Term{t.phone, t.id} {
		if x != "" {
			strong = append(strong, []xfbot.Term{x})
		}
	}
	var qs []SearchQuery
	if len(strong) > 0 {
		qs = append(qs, SearchQuery{Terms: xfbot.SearchTerms{Personal: strong}, Limit: samePetitionerLimit + 1})
	}
	if t.name != "" {
		qs = append(qs, SearchQuery{Terms: xfbot.SearchTerms{Personal: [][]xfbot.Term{{t.name, xfbot.Term(xfbot.TermArea + ":" + t.area)}}},
			Limit: 2*samePetitionerLimit + 2})
	}
	return qs
}

// pick splits the results of t's queries into same and maybe, without self.
func (t petitionerTerms) pick(rs []SearchResult, self xfbot.CaseNo) (same, maybe []*xfbot.Case) {
	strong := t.phone != "" || t.id != ""
	if strong && len(rs) > 0 {
		same = without(rs[0].Cases, self)
	}
	if t.name != "" && len(rs) > 0 {
		r := rs[len(rs)-1]
		known := map[xfbot.CaseNo]bool{self: true}
		for _, x := range same {
			known[x.No] = true
		}
		for _, x := range r.Cases {
			if !known[x.No] && len(maybe) < samePetitionerLimit {
				maybe = append(maybe, x)
			}
		}
	}
	return same, maybe
}

// PetitionerMatch is the repeat-petition lookup read ahead of a command
// (LoadSpec.Petitioner), for SamePetitionerFrom.
type PetitionerMatch struct {
	terms petitionerTerms
	rs    []SearchResult
}

// SamePetitionerFrom is SamePetitioner answered from pre, read with the
// command, when pre asked about the petitioner c has (the command's words
// as the handler parsed and resolved them); otherwise, or with pre nil, it
// searches.
func (s *Store) SamePetitionerFrom(ctx context.Context, c *xfbot.Case, pre *PetitionerMatch) (same, maybe []*xfbot.Case, err error) {
	t := s.petitionerTerms(c.Petitioner, c.Area)
	if pre != nil && pre.terms == t {
		same, maybe = t.pick(pre.rs, c.No)
		return same, maybe, nil
	}
	qs := t.queries()
	if len(qs) == 0 {
		return nil, nil, nil
	}
	rs, err := s.searches(ctx, qs...)
	if err != nil {
		return nil, nil, err
	}
	same, maybe = t.pick(rs, c.No)
	return same, maybe, nil
}

// petitionerCmds queues the searches of the petitioner in pipe (LoadFor).
type petitionerCmds struct {
	terms petitionerTerms
	cmds  []*redis.Cmd
	dirs  []int
}

func (s *Store) queuePetitioner(ctx context.Context, pipe redis.Pipeliner, p xfbot.Petitioner, area string) *petitionerCmds {
	t := s.petitionerTerms(p, area)
	qs := t.queries()
	if len(qs) == 0 {
		return &petitionerCmds{terms: t}
	}
	pc := &petitionerCmds{terms: t}
	for _, q := range qs {
		arg, n, err := s.searchArg(q)
		if err != nil {
			return nil // searched again by the handler, which reports it
		}
		pc.cmds = append(pc.cmds, searchScript.EvalSha(ctx, pipe, []string{s.k.idxAll()}, arg))
		pc.dirs = append(pc.dirs, n)
	}
	return pc
}

// match is what the queued searches found; nil when they failed (the
// script not loaded yet, after a restart): the handler then searches.
func (pc *petitionerCmds) match() *PetitionerMatch {
	if pc == nil {
		return nil
	}
	m := &PetitionerMatch{terms: pc.terms}
	for i, cmd := range pc.cmds {
		res, err := cmd.Slice()
		if err != nil {
			return nil
		}
		r, err := searchResult(res, pc.dirs[i])
		if err != nil {
			return nil
		}
		m.rs = append(m.rs, r)
	}
	return m
}

// owns reports whether c is one of the queued searches.
func (pc *petitionerCmds) owns(c redis.Cmder) bool {
	if pc == nil {
		return false
	}
	for _, x := range pc.cmds {
		if x == c {
			return true
		}
	}
	return false
}

// pipelineErr is the first error of cmds that is not redis.Nil and not one
// of the read-ahead searches (whose failure only means they run again).
func pipelineErr(cmds []redis.Cmder, pc *petitionerCmds) error {
	for _, c := range cmds {
		if err := c.Err(); err != nil && !errors.Is(err, redis.Nil) && !pc.owns(c) {
			return err
		}
	}
	return nil
}
