package store

import (
	"context"
	_ "embed"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/qingchuan/xfbot"
	"github.com/redis/go-redis/v9"
)

//go:embed list.lua
var listSrc string

var listScript = redis.NewScript(listSrc)

// Index names one of the ledger's sorted sets. Except for IndexAll (every
// case, by registration time) and IndexStatus, indexes hold open cases only,
// ordered by due date.
type Index struct {
	kind string
	arg  string
}

// Indexes to list from.
func IndexOpen() Index                  { return Index{kind: "open"} }
func IndexAll() Index                   { return Index{kind: "all"} }
func IndexOwner(openID string) Index    { return Index{kind: "owner", arg: openID} }
func IndexLeader(openID string) Index   { return Index{kind: "leader", arg: openID} }
func IndexUnit(unit string) Index       { return Index{kind: "unit", arg: unit} }
func IndexArea(area string) Index       { return Index{kind: "area", arg: area} }
func IndexStatus(st xfbot.Status) Index { return Index{kind: "status", arg: string(st)} }

// IndexExtensionRequests holds the open cases with an application for the
// extension waiting for the lead, by due date.
func IndexExtensionRequests() Index { return Index{kind: "extreq"} }

func (k keys) index(ix Index) string {
	switch ix.kind {
	case "all":
		return k.idxAll()
	case "owner":
		return k.idxOwner(ix.arg)
	case "leader":
		return k.idxLeader(ix.arg)
	case "unit":
		return k.idxUnit(ix.arg)
	case "area":
		return k.idxArea(ix.arg)
	case "status":
		return k.idxStatus(xfbot.Status(ix.arg))
	case "extreq":
		return k.idxExtRequest()
	}
	return k.idxOpen()
}

// Query selects a page of an index. DueFrom and DueTo bound the due date
// (inclusive; zero = unbounded) and apply to every index but IndexAll.
type Query struct {
	Index   Index
	DueFrom xfbot.Date
	DueTo   xfbot.Date
	Offset  int
	Limit   int  // default 20, at most 500
	Reverse bool // latest first
}

// List returns one page of cases and how many match in all. Its cost follows
// the size of the page, not of the ledger: a range read on a sorted set.
func (s *Store) List(ctx context.Context, q Query) ([]*xfbot.Case, int, error) {
	lim := q.Limit
	if lim <= 0 {
		lim = 20
	}
	if lim > 500 {
		lim = 500
	}
	min, max := "-inf", "+inf"
	if !q.DueFrom.IsZero() {
		min = strconv.Itoa(q.DueFrom.DayNumber())
	}
	if !q.DueTo.IsZero() {
		max = strconv.Itoa(q.DueTo.DayNumber())
	}
	if q.Index.kind == "all" {
		min, max = "-inf", strconv.FormatFloat(math.Inf(1), 'f', -1, 64)
	}
	rev := ""
	if q.Reverse {
		rev = "rev"
	}
	res, err := listScript.Run(ctx, s.rdb, []string{s.k.index(q.Index)}, min, max, q.Offset, lim, s.k.caseKey(""), rev).Slice()
	if err != nil {
		return nil, 0, fmt.Errorf("store: list: %w", err)
	}
	if len(res) == 0 {
		return nil, 0, fmt.Errorf("store: list: empty reply")
	}
	total, _ := res[0].(int64)
	cases, err := decodeCases(res[1:])
	return cases, int(total), err
}

// Range returns the numbers of every case in q's index and due range (q's
// Offset, Limit and Reverse are ignored), for jobs that go through all of
// them: read the cases in chunks with Cases. Unlike paging with offsets,
// its cost is linear in the matches.
func (s *Store) Range(ctx context.Context, q Query) ([]xfbot.CaseNo, error) {
	min, max := "-inf", "+inf"
	if !q.DueFrom.IsZero() {
		min = strconv.Itoa(q.DueFrom.DayNumber())
	}
	if !q.DueTo.IsZero() {
		max = strconv.Itoa(q.DueTo.DayNumber())
	}
	return s.rangeOf(ctx, s.k.index(q.Index), min, max)
}

// QuietRange returns the numbers of the open cases without progress since
// before (class ""), or without contact ("key", "backlog").
func (s *Store) QuietRange(ctx context.Context, class string, before time.Time) ([]xfbot.CaseNo, error) {
	key := s.k.idxActivity()
	if class != "" {
		key = s.k.idxContact(class)
	}
	return s.rangeOf(ctx, key, "-inf", strconv.FormatInt(before.Unix(), 10))
}

func (s *Store) rangeOf(ctx context.Context, key, min, max string) ([]xfbot.CaseNo, error) {
	ms, err := s.rdb.ZRangeByScore(ctx, key, &redis.ZRangeBy{Min: min, Max: max}).Result()
	if err != nil {
		return nil, fmt.Errorf("store: range: %w", err)
	}
	out := make([]xfbot.CaseNo, len(ms))
	for i, m := range ms {
		out[i] = xfbot.CaseNo(m)
	}
	return out, nil
}
