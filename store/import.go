package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/qingchuan/xfbot"
	"github.com/redis/go-redis/v9"
)

var raiseScript = redis.NewScript(`
local cur = tonumber(redis.call("GET", KEYS[1]) or "0")
if cur < tonumber(ARGV[1]) then redis.call("SET", KEYS[1], ARGV[1]) end
return 0`)

// Import writes cases that already have their numbers (a ledger carried over
// from a spreadsheet, a benchmark's fixture) with their indexes, atomically
// (MULTI/EXEC) and in one round trip, and raises each year's serial to the
// highest number imported so that 新建 continues after them, and books each
// case in the statistics as registered (and concluded, if it is), and adds
// its deadlines to the deadline index and its terms to the search index. A case with the same number is
// overwritten, and counted again (and the index entries of the overwritten
// record, not read, stay): the caller decides what to import.
func (s *Store) Import(ctx context.Context, cases []*xfbot.Case) error {
	if len(cases) == 0 {
		return nil
	}
	tx := s.rdb.TxPipeline()
	maxSeq := map[int]int{}
	counts := s.NewTx() // only to sum the statistics of the imported cases
	for _, c := range cases {
		var y, n int
		if _, err := fmt.Sscanf(string(c.No), "XF-%d-%d", &y, &n); err != nil {
			return fmt.Errorf("store: import: case number %q: %w", c.No, err)
		}
		maxSeq[y] = max(maxSeq[y], n)
		if c.Version == 0 {
			c.Version = 1
		}
		// Booked as registered (and concluded, if it is), once per case and
		// period like any write; first, since it stamps c.Counted.
		counts.count(xfbot.CaseCounts(nil, c, s.loc))
		b, err := json.Marshal(encodeCase(c))
		if err != nil {
			return fmt.Errorf("store: import %s: %w", c.No, err)
		}
		tx.Set(ctx, s.k.caseKey(c.No), b, 0)
		tx.ZAdd(ctx, s.k.idxAll(), redis.Z{Score: float64(c.CreatedAt.Unix()), Member: string(c.No)})
		for key, score := range s.k.indexes(c) {
			tx.ZAdd(ctx, key, redis.Z{Score: score, Member: s.k.memberOf(key, c.No)})
		}
		for key := range s.k.sets(c) {
			tx.SAdd(ctx, key, s.k.memberOf(key, c.No))
		}
		s.importTerms(ctx, tx, c) // the search index (search.go)
		for _, d := range caseDeadlines(c, s.cal, s.loc, s.gap) {
			m, err := deadlineMember(d)
			if err != nil {
				return fmt.Errorf("store: import %s: %w", c.No, err)
			}
			tx.ZAdd(ctx, s.k.deadlineKey(m), redis.Z{Score: float64(d.Due.DayNumber()), Member: m})
		}
	}
	for k, n := range counts.counts {
		if n != 0 {
			tx.HIncrBy(ctx, k.key, k.field, n)
		}
	}
	for u := range counts.units {
		tx.SAdd(ctx, s.k.units(), u)
	}
	for y, n := range maxSeq {
		raiseScript.Eval(ctx, tx, []string{s.k.seq(y)}, n) // EVAL: a pipeline cannot recover from NOSCRIPT
	}
	if _, err := tx.Exec(ctx); err != nil {
		return fmt.Errorf("store: import: %w", err)
	}
	return nil
}
