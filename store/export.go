package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/qingchuan/xfbot"
	"github.com/redis/go-redis/v9"
)

// ExportQuery selects cases by registration time (the idx:all score, unix
// seconds) in [From, To); a zero bound is unbounded. Units, when not
// empty, keeps only the cases whose 主责单位 is exactly one of them: one
// unit's names, current and former (xfbot.Registry.NamesOf).
type ExportQuery struct {
	From, To time.Time
	Units    []string
}

// scoreRange turns q's bounds into ZCOUNT arguments: min inclusive, max
// exclusive ("(" + seconds) unless unbounded. Scores are whole seconds, so a
// bound with a fraction of a second rounds to the seconds it admits.
func (q ExportQuery) scoreRange() (lo, hi string) {
	lo, hi = "-inf", "+inf"
	if !q.From.IsZero() {
		s := q.From.Unix()
		if q.From.Nanosecond() > 0 {
			s++ // From = 12:00:00.5 does not admit 12:00:00
		}
		lo = strconv.FormatInt(s, 10)
	}
	if !q.To.IsZero() {
		if q.To.Nanosecond() > 0 {
			hi = strconv.FormatInt(q.To.Unix(), 10) // To = 12:00:00.5 admits 12:00:00
		} else {
			hi = "(" + strconv.FormatInt(q.To.Unix(), 10)
		}
	}
	return lo, hi
}

// CountExport returns how many cases idx:all holds in q's time range, before
// the Unit filter: the district's side of EstimateExport.
func (s *Store) CountExport(ctx context.Context, q ExportQuery) (int, error) {
	lo, hi := q.scoreRange()
	n, err := s.rdb.ZCount(ctx, s.k.idxAll(), lo, hi).Result()
	if err != nil {
		return 0, fmt.Errorf("store: count export: %w", err)
	}
	return int(n), nil
}

// EstimateExport returns how many cases an export of q will hold: the cases
// in q's time range and, when q.Units is set, of that 主责单位 only, so that
// a unit's export never reveals the district's total. (A month's ledger
// drops the cases signed off before the month as it reads them: the
// estimate counts them.) Without a unit it is CountExport; with one it is
// one read-only script that looks at each case's record in the range
// without decoding it.
func (s *Store) EstimateExport(ctx context.Context, q ExportQuery) (int, error) {
	if len(q.Units) == 0 {
		return s.CountExport(ctx, q)
	}
	lo, hi := q.scoreRange()
	// The record's unit field exactly: json.Marshal writes it as encodeCase's
	// record has it, after "no" and "t" and before "st", so it is always
	// between commas, and a quote inside a text is always escaped.
	args := []any{lo, hi, s.k.caseKey("")}
	for _, name := range q.Units {
		u, err := json.Marshal(name)
		if err != nil {
			return 0, fmt.Errorf("store: estimate export: %w", err)
		}
		args = append(args, `,"u":`+string(u)+`,`)
	}
	n, err := countUnitScript.Run(ctx, s.rdb, []string{s.k.idxAll()}, args...).Int()
	if err != nil {
		return 0, fmt.Errorf("store: estimate export of %s: %w", q.Units[0], err)
	}
	return n, nil
}

// countUnitScript counts the cases of idx:all in a score range whose record
// holds one of ARGV[4…], reading them by rank in pages of 1,000.
//
// KEYS[1] idx:all. ARGV[1], ARGV[2] the range as ZCOUNT takes it; ARGV[3]
// the case key prefix; ARGV[4…] the needles (one per name of the unit).
var countUnitScript = redis.NewScript(`
local idx = KEYS[1]
local lo, hi = ARGV[1], ARGV[2]
local start = 0
if lo ~= "-inf" then start = redis.call("ZCOUNT", idx, "-inf", "(" .. lo) end
local total = redis.call("ZCOUNT", idx, lo, hi)
local n = 0
for off = start, start + total - 1, 1000 do
  local last = math.min(off + 999, start + total - 1)
  for _, no in ipairs(redis.call("ZRANGE", idx, off, last)) do
    local v = redis.call("GET", ARGV[3] .. no)
    if v then
      for i = 4, #ARGV do
        if string.find(v, ARGV[i], 1, true) then n = n + 1 break end
      end
    end
  end
end
return n`)

// DefaultExportBatch is EachCase's batch size when none is given, and
// MaxExportBatch its cap: one batch is one script, and Redis serves no one
// else while it reads that many cases and their timelines. Like list.lua,
// the script reads keys it builds from a prefix; they share the
// deployment's hash tag, so it runs on one Cluster node.
const (
	DefaultExportBatch = 500
	MaxExportBatch     = 2000
)

// exportPageScript reads one page of idx:all after a cursor, with each case
// and its whole timeline, in one round trip and one consistent view.
//
// KEYS[1] idx:all. ARGV[1] lowest score ("-inf" or seconds, inclusive);
// ARGV[2] highest score ("" = none), exclusive unless ARGV[8] is "1";
// ARGV[3] cursor score ("" on the first page); ARGV[4] cursor member;
// ARGV[5] page size; ARGV[6] case key prefix; ARGV[7] progress key prefix.
//
// The page starts right after (cursor score, cursor member) in the set's own
// order (score, then member bytes), found by ZRANK: cases registered while an
// export runs shift ranks but not that position, so nothing is skipped or
// read twice. If the cursor's member moved or left, the position is
// recomputed from its score. Returns {more (1 or 0), then per case: member,
// case JSON or false, {timeline JSON...}, score}.
const exportPageSrc = `
local idx, cap = KEYS[1], tonumber(ARGV[5])
local start
if ARGV[3] == "" then
  if ARGV[1] == "-inf" then start = 0 else start = redis.call("ZCOUNT", idx, "-inf", "(" .. ARGV[1]) end
else
  local r = redis.call("ZRANK", idx, ARGV[4])
  local sc = r and redis.call("ZSCORE", idx, ARGV[4])
  if r and tonumber(sc) == tonumber(ARGV[3]) then
    start = r + 1
  else
    start = redis.call("ZCOUNT", idx, "-inf", "(" .. ARGV[3])
    for _, m in ipairs(redis.call("ZRANGEBYSCORE", idx, ARGV[3], ARGV[3])) do
      if m <= ARGV[4] then start = start + 1 end
    end
  end
end
local page = redis.call("ZRANGE", idx, start, start + cap - 1, "WITHSCORES")
local limit, incl = tonumber(ARGV[2]), ARGV[8] == "1"
local out = {1}
for i = 1, #page, 2 do
  local sc = tonumber(page[i + 1])
  if limit and (sc > limit or (sc == limit and not incl)) then
    out[1] = 0
    return out
  end
  local no = page[i]
  out[#out + 1] = no
  out[#out + 1] = redis.call("GET", ARGV[6] .. no)
  out[#out + 1] = redis.call("LRANGE", ARGV[7] .. no, 0, -1)
  out[#out + 1] = page[i + 1]
end
if #page < 2 * cap then out[1] = 0 end
return out`

var exportPageScript = redis.NewScript(exportPageSrc)

// EachCase calls fn with the cases in q, batch at a time (DefaultExportBatch
// when batch <= 0, at most MaxExportBatch), in registration order, each with
// its whole timeline, oldest first: progs[i] belongs to cs[i]. Each batch is
// one round trip (a read-only script: the page of idx:all, the cases, their
// timelines), so a case and its timeline are read together. The Unit filter
// applies after decoding; a batch it empties is not passed to fn. Paging
// follows (score, member) rather than an offset, so cases registered during
// an export neither shift nor repeat the rest; those registered after the
// cursor passed their place are left out, later ones within [From, To)
// included.
//
// The next batch is read and decoded while fn handles the current one, so
// an export costs about the larger of reading and writing, not their sum;
// fn is always called on the caller's goroutine, one batch at a time, and
// may keep the slices. EachCase stops at fn's first error and returns it.
func (s *Store) EachCase(ctx context.Context, q ExportQuery, batch int, fn func(cs []*xfbot.Case, progs [][]xfbot.Progress) error) error {
	if batch <= 0 {
		batch = DefaultExportBatch
	}
	batch = min(batch, MaxExportBatch)
	pg := s.newExportPager(q, batch)
	ctx, cancel := context.WithCancel(ctx)
	pages := make(chan exportPage, 1)
	go func() {
		defer close(pages)
		for {
			p := pg.next(ctx)
			pages <- p // never blocks for good: EachCase drains pages before it returns
			if p.err != nil || p.last {
				return
			}
		}
	}()
	defer func() {
		cancel() // the reader's next call fails at once
		for range pages {
		}
	}()
	for p := range pages {
		if p.err != nil {
			return p.err
		}
		if err := ctx.Err(); err != nil {
			return err // cancelled while this page was read ahead
		}
		if len(p.cs) > 0 {
			if err := fn(p.cs, p.progs); err != nil {
				return err
			}
		}
	}
	return nil
}

// exportPage is one decoded batch; last is set on the final one.
type exportPage struct {
	cs    []*xfbot.Case
	progs [][]xfbot.Progress
	last  bool
	err   error
}

// exportPager reads the pages of one EachCase in order.
type exportPager struct {
	s                   *Store
	q                   ExportQuery
	batch               int
	lo, upper, incl     string
	curScore, curMember string
	caseKeys, progKeys  string
}

func (s *Store) newExportPager(q ExportQuery, batch int) *exportPager {
	pg := &exportPager{s: s, q: q, batch: batch, incl: "0", caseKeys: s.k.caseKey(""), progKeys: s.k.progress("")}
	var hi string
	pg.lo, hi = q.scoreRange()
	switch {
	case hi == "+inf":
	case hi[0] == '(':
		pg.upper = hi[1:]
	default:
		pg.upper, pg.incl = hi, "1"
	}
	return pg
}

// next reads and decodes the page after the cursor and moves the cursor.
func (pg *exportPager) next(ctx context.Context) exportPage {
	fail := func(err error) exportPage { return exportPage{err: err} }
	res, err := exportPageScript.Run(ctx, pg.s.rdb, []string{pg.s.k.idxAll()},
		pg.lo, pg.upper, pg.curScore, pg.curMember, pg.batch, pg.caseKeys, pg.progKeys, pg.incl).Slice()
	if err != nil {
		return fail(fmt.Errorf("store: export page after %q: %w", pg.curMember, err))
	}
	if len(res) == 0 || (len(res)-1)%4 != 0 {
		return fail(fmt.Errorf("store: export page after %q: unexpected reply of %d values", pg.curMember, len(res)))
	}
	more, _ := res[0].(int64)
	n := (len(res) - 1) / 4
	p := exportPage{cs: make([]*xfbot.Case, 0, n), progs: make([][]xfbot.Progress, 0, n), last: more == 0 || n == 0}
	for i := 1; i < len(res); i += 4 {
		no, _ := res[i].(string)
		raw, ok := res[i+1].(string)
		if !ok {
			continue // indexed but gone: nothing to export
		}
		c, err := decodeCase([]byte(raw))
		if err != nil {
			return fail(fmt.Errorf("store: export: decode case %s: %w", no, err))
		}
		if len(pg.q.Units) > 0 && !slices.Contains(pg.q.Units, c.Unit) {
			continue
		}
		vals, _ := res[i+2].([]any)
		ps := make([]xfbot.Progress, 0, len(vals))
		for _, v := range vals {
			str, _ := v.(string)
			if strings.HasPrefix(str, changeMark) {
				continue // a change (keys.progress)
			}
			e, err := decodeProgress([]byte(str), c.CreatedBy)
			if err != nil {
				return fail(fmt.Errorf("store: export: decode progress %s: %w", no, err))
			}
			ps = append(ps, e)
		}
		p.cs = append(p.cs, c)
		p.progs = append(p.progs, ps)
	}
	if n > 0 {
		score, member := res[len(res)-1].(string), res[len(res)-4].(string)
		if score == pg.curScore && member == pg.curMember {
			return fail(fmt.Errorf("store: export page after %q did not advance", member))
		}
		pg.curScore, pg.curMember = score, member
	}
	return p
}
