package store

import (
	"cmp"
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

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
		return k.setOwner(ix.arg)
	case "leader":
		return k.setLeader(ix.arg)
	case "unit":
		return k.idxUnit(ix.arg)
	case "area":
		return k.setArea(ix.arg)
	case "status":
		if st := xfbot.Status(ix.arg); st.Open() {
			return k.setStatus(st)
		}
		return k.idxStatus(xfbot.Status(ix.arg))
	case "extreq":
		return k.idxExtRequest()
	}
	return k.idxOpen()
}

// Query selects a page of an index. DueFrom and DueTo bound the due date
// (inclusive; zero = unbounded) and apply to every index but IndexAll.
// Where narrows it: a case is listed when, for every group, at least one of
// the group's conditions holds (列表 逾期 单位:区人社局 属地:青峰镇 is three
// groups; a liaison's scope, the unit as 主责单位 or as 属地, is one group of
// two conditions).
type Query struct {
	Index   Index
	DueFrom xfbot.Date
	DueTo   xfbot.Date
	Where   [][]Cond
	Offset  int
	Limit   int  // default 20, at most 500
	Reverse bool // latest first
}

// Field is a case field a list can be narrowed by.
type Field int

const (
	FieldUnit     Field = iota // 主责单位
	FieldArea                  // 属地
	FieldOwner                 // 包案人 (open_id)
	FieldLeader                // 包案领导 (open_id)
	FieldCategory              // 类别 (code)

	fieldStatus Field = 100 // an open status (Query.onSets)
)

// Cond holds when the case's field is one of Values (a unit's names: the
// current one and the former ones).
type Cond struct {
	Field  Field
	Values []string
}

// openOnly reports whether the index holds open cases only, so that the
// per-unit, per-area and per-person indexes (open cases) narrow it exactly.
func (ix Index) openOnly() bool {
	switch ix.kind {
	case "all":
		return false
	case "status":
		return xfbot.Status(ix.arg).Open()
	}
	return true
}

// where turns q.Where into index groups (keys, the size of each group) and
// needle groups (what the records must contain) for list.lua. A condition
// is an index when q's base holds open cases only and the field has
// per-value indexes (unit, area, owner, leader); else it is matched on the
// record, which costs a read per candidate.
func (k keys) where(q Query) (groups []string, sizes string, needles [][]string, err error) {
	field := map[Field]string{FieldUnit: "u", FieldArea: "a", FieldOwner: "o", FieldLeader: "l", FieldCategory: "c"}
	for _, g := range q.Where {
		indexed := q.Index.openOnly()
		for _, c := range g {
			if c.Field == FieldCategory {
				indexed = false
			}
		}
		var keys, ns []string
		for _, c := range g {
			for _, v := range c.Values {
				if indexed {
					switch c.Field {
					case FieldUnit:
						keys = append(keys, k.idxUnit(v))
					case FieldArea:
						keys = append(keys, k.setArea(v))
					case FieldOwner:
						keys = append(keys, k.setOwner(v))
					case FieldLeader:
						keys = append(keys, k.setLeader(v))
					case fieldStatus:
						keys = append(keys, k.setStatus(xfbot.Status(v)))
					}
					continue
				}
				b, err := json.Marshal(v)
				if err != nil {
					return nil, "", nil, err
				}
				ns = append(ns, `,"`+field[c.Field]+`":`+string(b)+`,`)
				// A person is written packed (openid.go); records
				// written before, as the open_id itself.
				if p := packID(v); p != v && (c.Field == FieldOwner || c.Field == FieldLeader) {
					ns = append(ns, `,"`+field[c.Field]+`":"`+p+`",`)
				}
				// A category is written as its code (codec.go); records
				// written before, by name.
				if code := categoryCodes.code(xfbot.Category(v)); code != v && c.Field == FieldCategory {
					ns = append(ns, `,"c":"`+code+`",`)
				}
			}
		}
		switch {
		case indexed && len(keys) == 0, !indexed && len(ns) == 0:
			return nil, "", nil, fmt.Errorf("store: list: a condition without values")
		case indexed:
			groups = append(groups, keys...)
			if sizes != "" {
				sizes += ","
			}
			sizes += strconv.Itoa(len(keys))
		default:
			needles = append(needles, ns)
		}
	}
	return groups, sizes, needles, nil
}

// List returns one page of cases and how many match in all, in one round
// trip. Without Where its cost follows the size of the page: a range read
// on a sorted set. With Where the indexes are intersected in Redis (cost
// about the smallest index times the groups) and the count stays exact
// whatever the size; conditions without an index read the candidates'
// records.
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
	q = q.onSets()
	groups, sizes, needles, err := s.k.where(q)
	if err != nil {
		return nil, 0, err
	}
	nb := []byte("[]")
	if len(needles) > 0 {
		if nb, err = json.Marshal(needles); err != nil {
			return nil, 0, err
		}
	}
	keys := append([]string{s.k.index(q.Index), s.k.scratch("list")}, groups...)
	sub := "" // idx:open holds every open case: the groups' indexes are its subsets, same scores
	if q.Index == IndexOpen() {
		sub = "sub"
	}
	res, err := listScript.Run(ctx, s.rdb, keys, min, max, q.Offset, lim, s.k.caseKey(""), rev, sizes, string(nb), sub).Slice()
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

// onSet reports whether ix is a set of case numbers without scores
// (keys.setArea): a locality's, a person's, an open status's.
func (ix Index) onSet() bool {
	switch ix.kind {
	case "area", "owner", "leader":
		return true
	case "status":
		return xfbot.Status(ix.arg).Open()
	}
	return false
}

// onSets turns a list of the cases of an index that is a set without
// scores (Index.onSet) into the open cases narrowed by it.
func (q Query) onSets() Query {
	var f Field
	switch q.Index.kind {
	case "area":
		f = FieldArea
	case "owner":
		f = FieldOwner
	case "leader":
		f = FieldLeader
	case "status":
		if !xfbot.Status(q.Index.arg).Open() {
			return q
		}
		f = fieldStatus
	default:
		return q
	}
	where := append([][]Cond{{{Field: f, Values: []string{q.Index.arg}}}}, q.Where...)
	q.Index, q.Where = IndexOpen(), where
	return q
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
	if q.Index.onSet() {
		return s.rangeOfSet(ctx, s.k.index(q.Index), min, max)
	}
	return s.rangeOf(ctx, s.k.index(q.Index), min, max)
}

// rangeOfSplit reads the members of a split index (keys, bucketKeys)
// scored from min to max, in one round trip: the first want of each set
// (want <= 0: all), merged by score, then member, as one sorted set would
// order them.
func (s *Store) rangeOfSplit(ctx context.Context, keys []string, min, max string, want int) ([]redis.Z, error) {
	by := &redis.ZRangeBy{Min: min, Max: max}
	if want > 0 {
		by.Count = int64(want)
	}
	pipe := s.rdb.Pipeline()
	cmds := make([]*redis.ZSliceCmd, len(keys))
	for i, key := range keys {
		cmds[i] = pipe.ZRangeByScoreWithScores(ctx, key, by)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, err
	}
	var zs []redis.Z
	for _, c := range cmds {
		zs = append(zs, c.Val()...)
	}
	slices.SortFunc(zs, func(a, b redis.Z) int {
		if c := cmp.Compare(a.Score, b.Score); c != 0 {
			return c
		}
		return strings.Compare(a.Member.(string), b.Member.(string))
	})
	return zs, nil
}

func (s *Store) rangeOf(ctx context.Context, key, min, max string) ([]xfbot.CaseNo, error) {
	ms, err := s.rdb.ZRangeByScore(ctx, key, &redis.ZRangeBy{Min: min, Max: max}).Result()
	if err != nil {
		return nil, fmt.Errorf("store: range: %w", err)
	}
	out := make([]xfbot.CaseNo, len(ms))
	for i, m := range ms {
		out[i] = memberNo(m)
	}
	return out, nil
}
