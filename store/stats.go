package store

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/qingchuan/xfbot"
	"github.com/redis/go-redis/v9"
)

// Statistics are read from the counters Commit keeps (xfbot.CaseCounts): a
// hash per day (stat:d:YYYY-MM-DD) and per month (stat:m:YYYY-MM) of
// counter → n and counter|unit → n, and from the open indexes for what is
// open now. Nothing here scans the ledger.

// duringKeys returns the counter hashes that hold period p's counts: the
// month's hash for a calendar month, the seven day hashes for a week. No
// other period can be read: the once-per-case counts (xfbot.OnceIn) are
// exact for these two shapes only, and summing them over anything else
// (two months, part of a week) would count a case twice.
func (k keys) duringKeys(p xfbot.Period) ([]string, error) {
	switch {
	case p.IsMonth():
		return []string{k.statMonth(xfbot.MonthOf(p.From))}, nil
	case p.IsWeek():
		out := make([]string, 0, 7)
		for d := p.From; !d.After(p.To); d = d.AddDays(1) {
			out = append(out, k.statDay(d))
		}
		return out, nil
	}
	return nil, fmt.Errorf("store: statistics of %s to %s: only a week (Monday to Sunday) or a calendar month can be counted", p.From, p.To)
}

// countKeys returns the counter hashes whose sum covers the days from..to
// (inclusive): a month's hash where the whole month is inside (or the part
// of it after today, which has no counts yet), day hashes elsewhere. It
// serves the net counts only (CountOpen, booked in both), for which any
// span adds up; the figures of a period read duringKeys.
func (k keys) countKeys(from, to, today xfbot.Date) []string {
	var out []string
	for d := from; !d.After(to); {
		m := xfbot.MonthOf(d)
		if d == m.First() && (!m.Last().After(to) || !to.Before(today)) {
			out = append(out, k.statMonth(m))
			d = m.Last().AddDays(1)
			continue
		}
		out = append(out, k.statDay(d))
		d = d.AddDays(1)
	}
	return out
}

// sumCounts adds up the hashes read by HGETALL.
func sumCounts(cmds []*redis.MapStringStringCmd) (xfbot.Counts, error) {
	out := xfbot.Counts{}
	for _, c := range cmds {
		m, err := c.Result()
		if err != nil {
			return nil, err
		}
		for f, v := range m {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("counter %s: %w", f, err)
			}
			out[f] += n
		}
	}
	return out, nil
}

// PeriodData is what xfbot.ComputeFigures needs for a period, for the
// district and for every unit.
type PeriodData struct {
	Period xfbot.Period
	// During and After are the counts within the period and after it, up to
	// today.
	During, After xfbot.Counts
	// OpenAll and OverdueAll are the open cases now, and those of them
	// whose last day fell in the period and has passed.
	OpenAll, OverdueAll int64
	// Open and Overdue per unit; "" holds the cases without a unit.
	Open, Overdue map[string]int64
	// Units are the units ever named, sorted, "" last if any case has none.
	Units []string
}

// Figures computes the period's figures for the district (all) or a unit.
func (d PeriodData) Figures(unit string, all bool) xfbot.Figures {
	open, overdue := d.OpenAll, d.OverdueAll
	if !all {
		open, overdue = d.Open[unit], d.Overdue[unit]
	}
	return xfbot.ComputeFigures(d.Period, unit, all, open, d.During, d.After, overdue)
}

// PeriodData reads the counts of period p (a week or a calendar month) as of
// today, per unit too: two round trips (the units, then everything else in
// one pipeline).
func (s *Store) PeriodData(ctx context.Context, p xfbot.Period, today xfbot.Date) (PeriodData, error) {
	keys, err := s.k.duringKeys(p)
	if err != nil {
		return PeriodData{}, err
	}
	pre := s.rdb.Pipeline()
	unitsCmd, regCmd := pre.SMembers(ctx, s.k.units()), pre.Get(ctx, s.k.registry())
	if _, err := pre.Exec(ctx); err != nil && err != redis.Nil {
		return PeriodData{}, fmt.Errorf("store: units: %w", err)
	}
	units := unitsCmd.Val()
	sortUnits(units)
	reg := &xfbot.Registry{}
	if b, err := regCmd.Bytes(); err == nil {
		if reg, err = decodeRegistry(b); err != nil {
			return PeriodData{}, err
		}
	}
	pipe := s.rdb.Pipeline()
	var during, after []*redis.MapStringStringCmd
	for _, key := range keys {
		during = append(during, pipe.HGetAll(ctx, key))
	}
	if p.To.Before(today) {
		for _, key := range s.k.countKeys(p.To.AddDays(1), today, today) {
			after = append(after, pipe.HGetAll(ctx, key))
		}
	}
	// Overdue within the period: due in [From, min(To, yesterday)].
	lo, hi := p.From.DayNumber(), min(p.To.DayNumber(), today.DayNumber()-1)
	overdue := func(key string) *redis.IntCmd {
		if lo > hi {
			return nil
		}
		return pipe.ZCount(ctx, key, strconv.Itoa(lo), strconv.Itoa(hi))
	}
	openAll, overAll := pipe.ZCard(ctx, s.k.idxOpen()), overdue(s.k.idxOpen())
	openU := make([]*redis.IntCmd, len(units))
	overU := make([]*redis.IntCmd, len(units))
	for i, u := range units {
		openU[i], overU[i] = pipe.ZCard(ctx, s.k.idxUnit(u)), overdue(s.k.idxUnit(u))
	}
	if _, err := pipe.Exec(ctx); err != nil && err != redis.Nil {
		return PeriodData{}, fmt.Errorf("store: period: %w", err)
	}
	d := PeriodData{Period: p, Open: map[string]int64{}, Overdue: map[string]int64{}, Units: units}
	if d.During, err = sumCounts(during); err != nil {
		return PeriodData{}, fmt.Errorf("store: period: %w", err)
	}
	if d.After, err = sumCounts(after); err != nil {
		return PeriodData{}, fmt.Errorf("store: period: %w", err)
	}
	val := func(c *redis.IntCmd) int64 {
		if c == nil {
			return 0
		}
		return c.Val()
	}
	d.OpenAll, d.OverdueAll = openAll.Val(), val(overAll)
	restOpen, restOver := d.OpenAll, d.OverdueAll
	for i, u := range units {
		d.Open[u], d.Overdue[u] = openU[i].Val(), val(overU[i])
		restOpen -= d.Open[u]
		restOver -= d.Overdue[u]
	}
	d.Open[""], d.Overdue[""] = restOpen, restOver
	d.fold(reg)
	if restOpen != 0 || d.During.Get(xfbot.CountNew, "", false) != 0 || d.During.Get(xfbot.CountResolved, "", false) != 0 {
		d.Units = append(d.Units, "")
	}
	return d, nil
}

func sortUnits(us []string) { slices.Sort(us) }

// fold sums the figures of a unit's former names (单位 改名) into its
// record's current name: cases and counters keep the name they were
// written under, and a unit's figures are those of all its names.
func (d *PeriodData) fold(reg *xfbot.Registry) {
	if len(reg.Units) == 0 {
		return
	}
	moved := false
	for _, u := range d.Units {
		if c := reg.Canonical(u); c != u {
			moved = true
			d.Open[c] += d.Open[u]
			d.Overdue[c] += d.Overdue[u]
			delete(d.Open, u)
			delete(d.Overdue, u)
		}
	}
	if !moved {
		return
	}
	for _, counts := range []xfbot.Counts{d.During, d.After} {
		for f, n := range counts {
			ctr, u, ok := strings.Cut(f, "|")
			if !ok {
				continue
			}
			if c := reg.Canonical(u); c != u {
				counts[ctr+"|"+c] += n
				delete(counts, f)
			}
		}
	}
	seen := map[string]bool{}
	units := d.Units[:0]
	for _, u := range d.Units {
		if c := reg.Canonical(u); !seen[c] {
			seen[c] = true
			units = append(units, c)
		}
	}
	sortUnits(units)
	d.Units = units
}

// Trend returns the district's figures for the n months ending with last
// (oldest first), as of today: one round trip.
func (s *Store) Trend(ctx context.Context, last xfbot.Month, n int, today xfbot.Date) ([]xfbot.Figures, error) {
	months := make([]xfbot.Month, 0, n)
	m := last
	for i := 0; i < n; i++ {
		months = append([]xfbot.Month{m}, months...)
		m = xfbot.MonthOf(m.First().AddDays(-1))
	}
	pipe := s.rdb.Pipeline()
	cmds := make([]*redis.MapStringStringCmd, len(months))
	for i, m := range months {
		cmds[i] = pipe.HGetAll(ctx, s.k.statMonth(m))
	}
	// The months after last, up to today, for the open stock.
	var later []*redis.MapStringStringCmd
	for m := last.Next(); !m.First().After(today); m = m.Next() {
		later = append(later, pipe.HGetAll(ctx, s.k.statMonth(m)))
	}
	open := pipe.ZCard(ctx, s.k.idxOpen())
	if _, err := pipe.Exec(ctx); err != nil && err != redis.Nil {
		return nil, fmt.Errorf("store: trend: %w", err)
	}
	after, err := sumCounts(later)
	if err != nil {
		return nil, fmt.Errorf("store: trend: %w", err)
	}
	out := make([]xfbot.Figures, len(months))
	for i := len(months) - 1; i >= 0; i-- {
		during, err := sumCounts(cmds[i : i+1])
		if err != nil {
			return nil, fmt.Errorf("store: trend: %w", err)
		}
		out[i] = xfbot.ComputeFigures(xfbot.MonthPeriod(months[i]), "", true, open.Val(), during, after, 0)
		after.Add(during)
	}
	return out, nil
}

// LeaderWatch is what a leader's digest reports: the open cases the leader
// watches (包保) by warning level, those needing attention, those due this
// week, and the cases written since the last digest with their changes.
type LeaderWatch struct {
	Leader string
	Since  time.Time // the last digest; zero if none yet
	Open   int64
	Levels map[xfbot.Level]int64

	All        []*xfbot.Case // the first open cases by due date (all of them when Open ≤ limit)
	Attention  []*xfbot.Case // overdue or 紧急, earliest due first
	Attentions int64
	DueWeek    []*xfbot.Case // due from today to the end of the week
	DueWeeks   int64
	Changed    []*xfbot.Case // written since Since, newest first
	Changes    int64
	History    map[xfbot.CaseNo][]xfbot.Change   // the changed cases' changes since Since
	Progress   map[xfbot.CaseNo][]xfbot.Progress // and their timeline entries since Since
}

// LeaderWatches reads the digests of leaders as of now (three round trips
// for all of them): at most limit cases per list, with the counts of all.
// A leader never sent a digest reports changes of the last day.
func (s *Store) LeaderWatches(ctx context.Context, leaders []string, now time.Time, weekEnd xfbot.Date, th xfbot.Thresholds, limit int) ([]LeaderWatch, error) {
	if len(leaders) == 0 {
		return nil, nil
	}
	today := xfbot.DateOf(now, s.loc)
	last, err := s.rdb.HMGet(ctx, s.k.digestLast(), leaders...).Result()
	if err != nil {
		return nil, fmt.Errorf("store: digests: %w", err)
	}
	out := make([]LeaderWatch, len(leaders))
	for i, l := range leaders {
		out[i] = LeaderWatch{Leader: l, Since: now.Add(-24 * time.Hour), Levels: map[xfbot.Level]int64{}}
		if v, ok := last[i].(string); ok {
			if sec, err := strconv.ParseInt(v, 10, 64); err == nil {
				out[i].Since = time.Unix(sec, 0)
			}
		}
	}

	// A leader's open cases are read in one script (openOf); the indexes
	// of what each read returns are kept in reads.
	type reads struct {
		cmd                  *redis.Cmd
		open, all, att, week int
		attN, weekN          int
		levels               map[xfbot.Level]int
		chg                  *redis.StringSliceCmd
		chgN                 *redis.IntCmd
		res                  []any
	}
	t := today.DayNumber()
	num := func(n int) string { return strconv.Itoa(n) }
	ranges := map[xfbot.Level][2]string{
		xfbot.LevelBlack:  {"-inf", num(t - th.Black - 1)},
		xfbot.LevelRed:    {num(t - th.Black), num(t - 1)},
		xfbot.LevelOrange: {num(t), num(t + th.Orange)},
		xfbot.LevelYellow: {num(t + th.Orange + 1), num(t + th.Yellow)},
		xfbot.LevelGreen:  {num(t + th.Yellow + 1), "+inf"},
	}
	pipe := s.rdb.Pipeline()
	rs := make([]reads, len(leaders))
	page := &redis.ZRangeBy{Offset: 0, Count: int64(limit)}
	for i, w := range out {
		var or openReads
		r := reads{open: or.card(), levels: map[xfbot.Level]int{}}
		for l, rg := range ranges {
			r.levels[l] = or.count(rg[0], rg[1])
		}
		r.all = or.page("-inf", "+inf", page.Count)
		attTo := num(t + th.Orange)
		r.att, r.attN = or.page("-inf", attTo, page.Count), or.count("-inf", attTo)
		r.week, r.weekN = or.page(num(t), num(weekEnd.DayNumber()), page.Count), or.count(num(t), num(weekEnd.DayNumber()))
		r.cmd = s.openOf(ctx, pipe, s.k.setLeader(w.Leader), &or)
		since := "(" + strconv.FormatInt(w.Since.Unix(), 10)
		r.chg = pipe.ZRevRangeByScore(ctx, s.k.idxWatch(w.Leader), &redis.ZRangeBy{Min: since, Max: "+inf", Count: page.Count})
		r.chgN = pipe.ZCount(ctx, s.k.idxWatch(w.Leader), since, "+inf")
		rs[i] = r
	}
	if _, err := pipe.Exec(ctx); err != nil && err != redis.Nil {
		return nil, fmt.Errorf("store: digests: %w", err)
	}
	for i := range rs {
		var err error
		if rs[i].res, err = rs[i].cmd.Slice(); err != nil {
			return nil, fmt.Errorf("store: digests: %w", err)
		}
	}

	// The cases named, and the recent history of the changed ones: one
	// more pipeline.
	want := map[xfbot.CaseNo]bool{}
	changed := map[xfbot.CaseNo]bool{}
	for _, r := range rs {
		for _, list := range [][]string{openPage(r.res, r.all), openPage(r.res, r.att), openPage(r.res, r.week), r.chg.Val()} {
			for _, no := range list {
				want[xfbot.CaseNo(no)] = true
			}
		}
		for _, no := range r.chg.Val() {
			changed[xfbot.CaseNo(no)] = true
		}
	}
	cases := map[xfbot.CaseNo]*xfbot.Case{}
	hist := map[xfbot.CaseNo][]xfbot.Change{}
	prog := map[xfbot.CaseNo][]xfbot.Progress{}
	if len(want) > 0 {
		pipe := s.rdb.Pipeline()
		nos := make([]xfbot.CaseNo, 0, len(want))
		ks := make([]string, 0, len(want))
		for no := range want {
			nos = append(nos, no)
			ks = append(ks, s.k.caseKey(no))
		}
		mget := pipe.MGet(ctx, ks...)
		hcmds := map[xfbot.CaseNo]*redis.StringSliceCmd{}
		pcmds := map[xfbot.CaseNo]*redis.StringSliceCmd{}
		for no := range changed {
			hcmds[no] = pipe.LRange(ctx, s.k.progress(no), 0, 7) // the last 8 changes (keys.progress)
			pcmds[no] = pipe.LRange(ctx, s.k.progress(no), -3, -1)
		}
		if _, err := pipe.Exec(ctx); err != nil && err != redis.Nil {
			return nil, fmt.Errorf("store: digests: %w", err)
		}
		cs, err := decodeCases(mget.Val())
		if err != nil {
			return nil, err
		}
		for _, c := range cs {
			cases[c.No] = c
		}
		for no, cmd := range hcmds {
			for _, raw := range changeLines(cmd.Val()) {
				ch, err := decodeChange([]byte(raw), creatorIn(cases[no]))
				if err != nil {
					return nil, fmt.Errorf("store: history of %s: %w", no, err)
				}
				hist[no] = append(hist[no], ch)
			}
		}
		for no, cmd := range pcmds {
			for _, raw := range progressLines(cmd.Val()) {
				p, err := decodeProgress([]byte(raw), creatorIn(cases[no]))
				if err != nil {
					return nil, fmt.Errorf("store: timeline of %s: %w", no, err)
				}
				prog[no] = append(prog[no], p)
			}
		}
	}
	pick := func(nos []string) []*xfbot.Case {
		var cs []*xfbot.Case
		for _, no := range nos {
			if c := cases[xfbot.CaseNo(no)]; c != nil {
				cs = append(cs, c)
			}
		}
		return cs
	}
	for i := range out {
		w, r := &out[i], rs[i]
		w.Open = openCount(r.res, r.open)
		for l, c := range r.levels {
			if n := openCount(r.res, c); n > 0 {
				w.Levels[l] = n
			}
		}
		w.All = pick(openPage(r.res, r.all))
		w.Attention, w.Attentions = pick(openPage(r.res, r.att)), openCount(r.res, r.attN)
		w.DueWeek, w.DueWeeks = pick(openPage(r.res, r.week)), openCount(r.res, r.weekN)
		w.Changed, w.Changes = pick(r.chg.Val()), r.chgN.Val()
		w.History = map[xfbot.CaseNo][]xfbot.Change{}
		w.Progress = map[xfbot.CaseNo][]xfbot.Progress{}
		for _, c := range w.Changed {
			for _, ch := range hist[c.No] {
				if ch.At.After(w.Since) {
					w.History[c.No] = append(w.History[c.No], ch)
				}
			}
			for _, p := range prog[c.No] {
				if p.At.After(w.Since) {
					w.Progress[c.No] = append(w.Progress[c.No], p)
				}
			}
		}
	}
	return out, nil
}

// MarkDigest records that leader's digest went out at: the next one reports
// changes from there.
func (tx *Tx) MarkDigest(leader string, at time.Time) {
	tx.add(op{Op: "hset", Key: tx.k.digestLast(), Field: leader, Val: strconv.FormatInt(at.Unix(), 10)})
}

// WeekData is what the weekly group digest reads: the open cases due by a
// day (overdue and due soon), the cases registered and resolved in a span,
// and the hardest open cases quiet since a moment.
type WeekData struct {
	Due, New, Resolved, Quiet []*xfbot.Case
}

// WeekData reads the weekly digest's cases: two round trips (numbers, then
// cases), its cost following the matches.
func (s *Store) WeekData(ctx context.Context, dueTo xfbot.Date, from, to time.Time, quietBefore time.Time) (WeekData, error) {
	pipe := s.rdb.Pipeline()
	due := pipe.ZRangeByScore(ctx, s.k.idxOpen(), &redis.ZRangeBy{Min: "-inf", Max: strconv.Itoa(dueTo.DayNumber())})
	nw := pipe.ZRangeByScore(ctx, s.k.idxAll(), &redis.ZRangeBy{Min: strconv.FormatInt(from.Unix(), 10), Max: "(" + strconv.FormatInt(to.Unix(), 10)})
	fromDay, toDay := xfbot.DateOf(from, s.loc), xfbot.DateOf(to.Add(-time.Second), s.loc)
	res := pipe.ZRangeByScore(ctx, s.k.idxResolved(), &redis.ZRangeBy{Min: strconv.Itoa(fromDay.DayNumber()), Max: strconv.Itoa(toDay.DayNumber())})
	quiet := pipe.ZRangeByScore(ctx, s.k.idxHard(), &redis.ZRangeBy{Min: "-inf", Max: "(" + strconv.FormatInt(quietBefore.Unix(), 10)})
	if _, err := pipe.Exec(ctx); err != nil && err != redis.Nil {
		return WeekData{}, fmt.Errorf("store: week: %w", err)
	}
	lists := []*redis.StringSliceCmd{due, nw, res, quiet}
	var all []xfbot.CaseNo
	seen := map[xfbot.CaseNo]bool{}
	for _, l := range lists {
		for _, no := range l.Val() {
			if n := memberNo(no); !seen[n] {
				seen[n] = true
				all = append(all, n)
			}
		}
	}
	byNo := map[xfbot.CaseNo]*xfbot.Case{}
	for i := 0; i < len(all); i += 1000 {
		cs, err := s.Cases(ctx, all[i:min(i+1000, len(all))])
		if err != nil {
			return WeekData{}, err
		}
		for _, c := range cs {
			byNo[c.No] = c
		}
	}
	pick := func(l *redis.StringSliceCmd) []*xfbot.Case {
		var out []*xfbot.Case
		for _, no := range l.Val() {
			if c := byNo[memberNo(no)]; c != nil {
				out = append(out, c)
			}
		}
		return out
	}
	return WeekData{Due: pick(due), New: pick(nw), Resolved: pick(res), Quiet: pick(quiet)}, nil
}

// openOfScript reads the open cases of a set of case numbers (KEYS[2]: a
// owner's, a leader's; keys.sets) as a sorted set scored by the
// due day, as idx:open (KEYS[1]) scores them, built in the scratch key
// KEYS[3] and deleted again. ARGV is a list of reads: "card"; "count" min
// max; "page" min max limit (by due day). It returns one result per read.
var openOfScript = redis.NewScript(`
redis.call("ZINTERSTORE", KEYS[3], 2, KEYS[1], KEYS[2], "WEIGHTS", 1, 0)
local out, i = {}, 1
while i <= #ARGV do
  local r = ARGV[i]
  if r == "card" then
    out[#out + 1] = redis.call("ZCARD", KEYS[3])
    i = i + 1
  elseif r == "count" then
    out[#out + 1] = redis.call("ZCOUNT", KEYS[3], ARGV[i + 1], ARGV[i + 2])
    i = i + 3
  elseif r == "page" then
    out[#out + 1] = redis.call("ZRANGEBYSCORE", KEYS[3], ARGV[i + 1], ARGV[i + 2], "LIMIT", 0, ARGV[i + 3])
    i = i + 4
  else
    redis.call("DEL", KEYS[3])
    return redis.error_reply("openOf: unknown read " .. r)
  end
end
redis.call("DEL", KEYS[3])
return out`)

// openReads are the reads of one openOf call; each method returns the
// index of its result.
type openReads struct {
	args []any
	n    int
}

func (r *openReads) add(a ...any) int {
	r.args = append(r.args, a...)
	r.n++
	return r.n - 1
}
func (r *openReads) card() int                 { return r.add("card") }
func (r *openReads) count(min, max string) int { return r.add("count", min, max) }
func (r *openReads) page(min, max string, limit int64) int {
	return r.add("page", min, max, limit)
}

// openOf queues in pipe the reads r of the open cases of set.
func (s *Store) openOf(ctx context.Context, pipe redis.Pipeliner, set string, r *openReads) *redis.Cmd {
	return openOfScript.Eval(ctx, pipe, []string{s.k.idxOpen(), set, s.k.scratch("open")}, r.args...)
}

// openCount and openPage are the i-th result of an openOf call, a page's
// members as case numbers.
func openCount(res []any, i int) int64 {
	if i < len(res) {
		n, _ := res[i].(int64)
		return n
	}
	return 0
}

func openPage(res []any, i int) []string {
	if i >= len(res) {
		return nil
	}
	xs, _ := res[i].([]any)
	out := make([]string, 0, len(xs))
	for _, x := range xs {
		if s, ok := x.(string); ok {
			out = append(out, string(memberNo(s)))
		}
	}
	return out
}

// freshScript counts, for each of several sets (owners' open cases), its
// cases whose last activity is at or after ARGV[1]: the activity index's
// 64 sets are read from ARGV[1] on once, into a table, and each owner's set
// is counted against it, so the cost follows the recently active cases and
// the owners' cases, whatever the number of owners. KEYS = the activity
// index's 64 sets, then the owners' sets. Returns the counts in order.
var freshScript = redis.NewScript(`
local fresh = {}
for i = 1, 64 do
  for _, m in ipairs(redis.call("ZRANGEBYSCORE", KEYS[i], ARGV[1], "+inf")) do
    fresh[m] = true
  end
end
local out = {}
for i = 65, #KEYS do
  local n = 0
  for _, m in ipairs(redis.call("SMEMBERS", KEYS[i])) do
    if fresh[m] then n = n + 1 end
  end
  out[#out + 1] = n
end
return out`)

// MemberData reads the figures of owners (包案人) for period p (a week or a
// calendar month) as of now: their open cases, overdue, with progress within
// xfbot.FreshDays, and their resolutions, sign-offs and contacts in the
// period. Whoever else has counted work in the period (a 包案人 without a
// member record, or no longer a member) is added after owners. An owner
// without a name takes the one the owner has on an open case, if any. Two
// round trips, three when a name is looked up.
func (s *Store) MemberData(ctx context.Context, owners []xfbot.Person, p xfbot.Period, now time.Time) ([]xfbot.MemberFigures, error) {
	keys, err := s.k.duringKeys(p)
	if err != nil {
		return nil, err
	}
	today := xfbot.DateOf(now, s.loc)
	pipe := s.rdb.Pipeline()
	var during []*redis.MapStringStringCmd
	for _, key := range keys {
		during = append(during, pipe.HGetAll(ctx, key))
	}
	if _, err := pipe.Exec(ctx); err != nil && err != redis.Nil {
		return nil, fmt.Errorf("store: members' figures: %w", err)
	}
	counts, err := sumCounts(during)
	if err != nil {
		return nil, fmt.Errorf("store: members' figures: %w", err)
	}
	owners = slices.Clone(owners)
	asked := map[string]bool{}
	for _, o := range owners {
		asked[o.OpenID] = true
	}
	for _, id := range counts.Owners() {
		if !asked[id] {
			owners = append(owners, xfbot.Person{OpenID: id})
		}
	}

	pipe = s.rdb.Pipeline()
	since := strconv.FormatInt(now.Add(-xfbot.FreshDays*24*time.Hour).Unix(), 10)
	open := make([]*redis.IntCmd, len(owners))
	over := make([]*redis.Cmd, len(owners))
	first := make([]*redis.StringSliceCmd, len(owners))
	freshKeys := s.k.activityKeys()
	for i, o := range owners {
		key := s.k.setOwner(o.OpenID)
		open[i] = pipe.SCard(ctx, key)
		var r openReads
		r.count("-inf", strconv.Itoa(today.DayNumber()-1))
		over[i] = s.openOf(ctx, pipe, key, &r)
		freshKeys = append(freshKeys, key)
		if o.Name == "" {
			first[i] = pipe.SRandMemberN(ctx, key, 1)
		}
	}
	fresh := freshScript.Eval(ctx, pipe, freshKeys, since)
	if _, err := pipe.Exec(ctx); err != nil && err != redis.Nil {
		return nil, fmt.Errorf("store: members' figures: %w", err)
	}
	freshN, err := fresh.Int64Slice()
	if err != nil || len(freshN) != len(owners) {
		return nil, fmt.Errorf("store: members' figures: fresh: %d counts, %v", len(freshN), err)
	}
	out := make([]xfbot.MemberFigures, len(owners))
	var look []string
	for i, o := range owners {
		n := freshN[i]
		res, err := over[i].Slice()
		if err != nil {
			return nil, fmt.Errorf("store: members' figures: %w", err)
		}
		out[i] = xfbot.MemberFigures{Owner: o, Open: open[i].Val(), Overdue: openCount(res, 0), Fresh: n}
		out[i].MemberCounts(counts)
		if first[i] != nil {
			for _, no := range first[i].Val() {
				look = append(look, s.k.caseKey(memberNo(no)))
			}
		}
	}
	if len(look) == 0 {
		return out, nil
	}
	vals, err := s.rdb.MGet(ctx, look...).Result()
	if err != nil {
		return nil, fmt.Errorf("store: members' names: %w", err)
	}
	cs, err := decodeCases(vals)
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	for _, c := range cs {
		if c.Owner.Name != "" {
			names[c.Owner.OpenID] = c.Owner.Name
		}
	}
	for i := range out {
		if out[i].Owner.Name == "" {
			out[i].Owner.Name = names[out[i].Owner.OpenID]
		}
	}
	return out, nil
}
