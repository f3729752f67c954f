package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/qingchuan/xfbot"
	"github.com/redis/go-redis/v9"
)

// The search index (搜索, repeat petitions): one Redis set per term
// (xfbot.Indexer: hashed personal data, plain words, places), keyed
// q:<term>, whose members are the cases that have the term, written as
// integers (caseMember: XF-2026-0012 is 2026000012) so that the many small
// sets are intsets (4 bytes a member) rather than hash tables.
//
// Every case write maintains it in the write's own commit: CreateCase and
// UpdateCase add every term of the record as written (even unchanged ones,
// so a record written before the index is put right by its next write)
// and remove the personal and place terms the record no longer has;
// AddProgress adds the words of the entry. Words (w:) are never removed:
// the index holds every word a case's title and timeline ever had, as its
// history does. Import adds the terms of each imported record.

// unconfiguredSecret keys the index of a Store no secret was given to:
// tests, tools. cmd/xfbot always gives one (privacy.index_secret, or one
// generated and kept in Redis: IndexSecret).
const unconfiguredSecret = "xfbot-test-index-secret: not for a real ledger"

// WithIndexSecret sets the secret the personal terms of the search index are
// hashed with and returns s. Every replica must use the same one; a new
// secret makes BackfillSearch rebuild the personal terms.
func (s *Store) WithIndexSecret(secret []byte) *Store {
	if len(secret) > 0 {
		s.ix = xfbot.NewIndexer(secret)
	}
	return s
}

// Indexer is the term function of s's index.
func (s *Store) Indexer() *xfbot.Indexer { return s.ix }

var secretScript = redis.NewScript(`
if redis.call("SET", KEYS[1], ARGV[1], "NX") then return ARGV[1] end
return redis.call("GET", KEYS[1])`)

// IndexSecret returns the index secret kept in Redis (key secret:index),
// generating it on first use: the fallback of a deployment that configured
// none. Every replica gets the same one. It protects the index only from
// those who read index keys without reading this key (logs, key listings,
// a dump of the index alone); privacy.index_secret keeps it out of Redis.
func (s *Store) IndexSecret(ctx context.Context) ([]byte, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return nil, fmt.Errorf("store: index secret: %w", err)
	}
	v, err := secretScript.Run(ctx, s.rdb, []string{s.k.indexSecret()}, hex.EncodeToString(b)).Text()
	if err != nil {
		return nil, fmt.Errorf("store: index secret: %w", err)
	}
	return []byte(v), nil
}

// progText is a progress entry a Tx writes, whose words Commit indexes.
type progText struct {
	no   xfbot.CaseNo
	text string
}

// caseMember is the case's member in the term sets: its year and its serial
// in six digits; "" for a number that is none. NoPlaceholder becomes
// "@@ID@@", which commit.lua substitutes with the allocated number's.
func caseMember(no xfbot.CaseNo) string {
	if no == NoPlaceholder {
		return "@@ID@@"
	}
	var y, n int
	if _, err := fmt.Sscanf(string(no), "XF-%d-%d", &y, &n); err != nil || y < 1000 || y > 2999 || n < 1 || n > 999999 {
		return ""
	}
	return strconv.Itoa(y*1_000_000 + n)
}

// caseNoOf reverses caseMember.
func caseNoOf(m string) (xfbot.CaseNo, bool) {
	v, err := strconv.Atoi(m)
	if err != nil || v < 1000_000_000 {
		return "", false
	}
	return xfbot.FormatCaseNo(v/1_000_000, v%1_000_000), true
}

// diffable reports whether a term leaves the index when the record stops
// having it: all but words.
func diffable(t xfbot.Term) bool { return t.Kind() != xfbot.TermWord }

// moveTerms adds the ops that turn old's terms into c's (old nil: a new
// case).
func (tx *Tx) moveTerms(old, c *xfbot.Case) {
	if tx.written == nil {
		tx.written = map[xfbot.CaseNo]*xfbot.Case{}
	}
	tx.written[c.No] = c
	m := caseMember(c.No)
	if m == "" || (old != nil && xfbot.SameTerms(old, c)) {
		return
	}
	after := tx.ix.CaseTerms(c)
	// Only what changes: a 进展 leaves the case's terms as they were, and
	// re-adding each one would make every commit (and the script's work)
	// grow with the title and the people named. A record written before
	// the index is indexed whole by the backfill at start.
	var had map[xfbot.Term]bool
	if old != nil {
		keep := make(map[xfbot.Term]bool, len(after))
		for _, t := range after {
			keep[t] = true
		}
		before := tx.ix.CaseTerms(old)
		had = make(map[xfbot.Term]bool, len(before))
		for _, t := range before {
			had[t] = true
			if !keep[t] && diffable(t) {
				tx.add(op{Op: "srem", Key: tx.k.term(t), Member: m})
			}
		}
	}
	for _, t := range after {
		if !had[t] {
			tx.add(op{Op: "sadd", Key: tx.k.term(t), Member: m})
		}
	}
}

// textOps are the word terms of the progress entries the Tx writes, each
// scrubbed with its case's petitioner when the Tx writes the case too.
//
// Each case's terms are one op, saddm: a sadd each made a progress entry's
// commit a dozen ops, marshalled in Go and decoded again by the script.
func (tx *Tx) textOps() []op {
	var out []op
	at := map[string]int{} // member → its op in out
	seen := map[xfbot.Term]map[string]bool{}
	prefix := tx.k.term("")
	for _, p := range tx.texts {
		m := caseMember(p.no)
		if m == "" {
			continue
		}
		for _, t := range xfbot.TextTerms(p.text, tx.written[p.no]) {
			if seen[t][m] {
				continue
			}
			if seen[t] == nil {
				seen[t] = map[string]bool{}
			}
			seen[t][m] = true
			i, ok := at[m]
			if !ok {
				i = len(out)
				at[m] = i
				out = append(out, op{Op: "saddm", Key: prefix, Member: m})
			}
			out[i].Keys = append(out[i].Keys, string(t))
		}
	}
	return out
}

// importTerms queues on pipe the terms of an imported record.
func (s *Store) importTerms(ctx context.Context, pipe redis.Pipeliner, c *xfbot.Case) {
	m := caseMember(c.No)
	if m == "" {
		return
	}
	for _, t := range s.ix.CaseTerms(c) {
		pipe.SAdd(ctx, s.k.term(t), m)
	}
}

// searchBig is the size of a result from which Search no longer sorts it
// whole but walks idx:all from the newest case, testing membership, until
// it has a page: a dense result fills a page within a few hundred tests.
const searchBig = 2000

// searchScript runs a query: ARGV[1] is JSON
//
//	{"pub": [[key...]...], "per": [[key...]...], "ex": [key...], "vis": [key...],
//	 "dir": [member...], "lim": n, "tmp": prefix, "all": idx:all, "case": case key prefix}
//
// The result R is the union of the intersections pub, with the union of
// the intersections per less the union of ex; with vis (a liaison's u: and
// a: sets), R ∩ (the union of vis). A large set united with small ones is
// not copied: the small ones' other members are kept beside it; a single
// intersection with a large result is counted (SINTERCARD), not stored. It returns {total, member, record,
// ...} for the newest lim members of R, then for each dir member (a case
// number asked for by number) its record and whether it is in R ("1"/"0").
// Scratch keys (tmp:search:*) are deleted before it returns.
var searchScript = redis.NewScript(`
local q = cjson.decode(ARGV[1])
local big = tonumber(q.big)
local temps = {}
local n = 0
local function scratch()
  n = n + 1
  local k = q.tmp .. n
  temps[#temps + 1] = k
  return k
end
local function inter(keys)
  if #keys == 1 then return keys[1] end
  local k = scratch()
  redis.call("SINTERSTORE", k, unpack(keys))
  return k
end
-- nonempty keeps the sets that exist (a missing term matches nothing).
local function nonempty(keys)
  local out = {}
  for _, k in ipairs(keys) do
    if redis.call("EXISTS", k) == 1 then out[#out + 1] = k end
  end
  return out
end
local function union(keys)
  keys = nonempty(keys)
  if #keys == 0 then return nil end
  if #keys == 1 then return keys[1] end
  local k = scratch()
  redis.call("SUNIONSTORE", k, unpack(keys))
  return k
end
-- Conjunctions one of whose terms nobody has match nothing.
local function live(cs)
  local out = {}
  for _, c in ipairs(cs) do
    if #nonempty(c) == #c then out[#out + 1] = c end
  end
  return out
end
q.pub, q.per = live(q.pub), live(q.per)
-- One conjunction of several terms with a large result (a keyword of
-- several bigrams): counted without being stored, its newest members found
-- by walking idx:all and testing each term.
local one = nil
if #q.vis == 0 and #q.pub + #q.per == 1 then
  if #q.pub == 1 then one = q.pub[1] elseif #q.ex == 0 then one = q.per[1] end
end
if one and #one > 1 then
  local cnt = redis.call("SINTERCARD", #one, unpack(one))
  if cnt > big then
    local function has(m)
      for _, k in ipairs(one) do
        if redis.call("SISMEMBER", k, m) == 0 then return false end
      end
      return true
    end
    local out, ids, from = {cnt}, {}, 0
    while #ids < q.lim do
      local page = redis.call("ZREVRANGE", q.all, from, from + 255)
      if #page == 0 then break end
      for _, no in ipairs(page) do
        local y, s = string.match(no, "^XF%-(%d+)%-(%d+)$")
        if y then
          local m = y .. string.format("%06d", tonumber(s))
          if has(m) then
            ids[#ids + 1] = m
            if #ids >= q.lim then break end
          end
        end
      end
      from = from + 256
    end
    for _, m in ipairs(ids) do
      local y, s = tonumber(string.sub(m, 1, 4)), tonumber(string.sub(m, 5))
      out[#out + 1] = m
      out[#out + 1] = redis.call("GET", q.case .. string.format("XF-%04d-%04d", y, s)) or ""
    end
    for _, m in ipairs(q.dir) do
      local y, s = tonumber(string.sub(m, 1, 4)), tonumber(string.sub(m, 5))
      out[#out + 1] = redis.call("GET", q.case .. string.format("XF-%04d-%04d", y, s)) or ""
      local inr = "0"
      if has(m) then inr = "1" end
      out[#out + 1] = inr
    end
    return out
  end
end
local parts = {}
for _, c in ipairs(q.pub) do parts[#parts + 1] = inter(c) end
local per = {}
for _, c in ipairs(q.per) do per[#per + 1] = inter(c) end
local p = union(per)
if p and #q.ex > 0 then
  local k = scratch()
  redis.call("SDIFFSTORE", k, p, unpack(q.ex))
  p = k
end
if p then parts[#parts + 1] = p end
parts = nonempty(parts)
-- The result: one set r, and (a large set united with small ones, not
-- copied) the members of the small ones that r lacks.
local r, extra, nextra = nil, {}, 0
if #parts == 1 then
  r = parts[1]
elseif #parts > 1 then
  local sized = {}
  for _, k in ipairs(parts) do sized[#sized + 1] = {k, redis.call("SCARD", k)} end
  table.sort(sized, function(a, b) return a[2] > b[2] end)
  if #q.vis == 0 and sized[2][2] <= big then
    r = sized[1][1]
    for i = 2, #sized do
      for _, m in ipairs(redis.call("SMEMBERS", sized[i][1])) do
        if not extra[m] and redis.call("SISMEMBER", r, m) == 0 then
          extra[m] = true
          nextra = nextra + 1
        end
      end
    end
  else
    r = union(parts)
  end
end
if r and #q.vis > 0 then
  local vs = {}
  for _, v in ipairs(q.vis) do
    local k = scratch()
    redis.call("SINTERSTORE", k, r, v)
    vs[#vs + 1] = k
  end
  r = union(vs)
end
local total = 0
local ids = {}
if r then
  total = redis.call("SCARD", r) + nextra
  if total <= big then
    local ms = redis.call("SMEMBERS", r)
    for m in pairs(extra) do ms[#ms + 1] = m end
    for i = 1, #ms do ms[i] = tonumber(ms[i]) end
    table.sort(ms, function(a, b) return a > b end)
    for i = 1, math.min(#ms, q.lim) do ids[#ids + 1] = string.format("%d", ms[i]) end
  else
    local from = 0
    while #ids < q.lim do
      local page = redis.call("ZREVRANGE", q.all, from, from + 255)
      if #page == 0 then break end
      for _, no in ipairs(page) do
        local y, s = string.match(no, "^XF%-(%d+)%-(%d+)$")
        if y then
          local m = y .. string.format("%06d", tonumber(s))
          if extra[m] or redis.call("SISMEMBER", r, m) == 1 then
            ids[#ids + 1] = m
            if #ids >= q.lim then break end
          end
        end
      end
      from = from + 256
    end
  end
end
local out = {total}
for _, m in ipairs(ids) do
  local y, s = tonumber(string.sub(m, 1, 4)), tonumber(string.sub(m, 5))
  out[#out + 1] = m
  out[#out + 1] = redis.call("GET", q.case .. string.format("XF-%04d-%04d", y, s)) or ""
end
for _, m in ipairs(q.dir) do
  local y, s = tonumber(string.sub(m, 1, 4)), tonumber(string.sub(m, 5))
  out[#out + 1] = redis.call("GET", q.case .. string.format("XF-%04d-%04d", y, s)) or ""
  local inr = "0"
  if r and (extra[m] or redis.call("SISMEMBER", r, m) == 1) then inr = "1" end
  out[#out + 1] = inr
end
if #temps > 0 then redis.call("DEL", unpack(temps)) end
return out`)

// SearchQuery is one search: the query's terms as the reader may use them
// (xfbot.Indexer.Terms), the cases it names by number (searched first,
// whatever the terms), the places a liaison is restricted to, and how many
// cases to return.
type SearchQuery struct {
	Terms xfbot.SearchTerms
	Nos   []xfbot.CaseNo
	// Within restricts the result to the cases whose 主责单位 or 属地 is
	// one of these (a liaison's unit under all its names, Member.UnitNames);
	// nil for none.
	Within []string
	Limit  int
}

// SearchResult is what Search found: the cases named by number that exist
// (in the order asked, whatever the reader may see: the caller checks),
// the newest Limit cases that match the terms, and how many match them in
// all (Total, exact, the named ones not counted again).
type SearchResult struct {
	Named []*xfbot.Case
	Cases []*xfbot.Case
	Total int
}

// Search runs q in one round trip: the intersections and unions happen in
// Redis, whose cost follows the sizes of the sets involved, and only the
// page of records returned is read.
func (s *Store) Search(ctx context.Context, q SearchQuery) (SearchResult, error) {
	rs, err := s.searches(ctx, q)
	if err != nil {
		return SearchResult{}, err
	}
	return rs[0], nil
}

// searches runs several queries in one round trip (one pipeline of the
// search script), their results in order.
func (s *Store) searches(ctx context.Context, qs ...SearchQuery) ([]SearchResult, error) {
	args := make([]string, len(qs))
	dirs := make([]int, len(qs))
	for i, q := range qs {
		a, n, err := s.searchArg(q)
		if err != nil {
			return nil, err
		}
		args[i], dirs[i] = a, n
	}
	run := func() ([]*redis.Cmd, error) {
		pipe := s.rdb.Pipeline()
		cmds := make([]*redis.Cmd, len(qs))
		for i := range qs {
			cmds[i] = searchScript.EvalSha(ctx, pipe, []string{s.k.idxAll()}, args[i])
		}
		_, err := pipe.Exec(ctx)
		return cmds, err
	}
	cmds, err := run()
	if err != nil && redis.HasErrorPrefix(err, "NOSCRIPT") {
		if err := searchScript.Load(ctx, s.rdb).Err(); err != nil {
			return nil, fmt.Errorf("store: search: %w", err)
		}
		cmds, err = run()
	}
	if err != nil {
		return nil, fmt.Errorf("store: search: %w", err)
	}
	out := make([]SearchResult, len(qs))
	for i, cmd := range cmds {
		res, err := cmd.Slice()
		if err != nil {
			return nil, fmt.Errorf("store: search: %w", err)
		}
		if out[i], err = searchResult(res, dirs[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// searchArg is the search script's argument for q, and how many cases it
// names by number.
func (s *Store) searchArg(q SearchQuery) (string, int, error) {
	if q.Limit <= 0 {
		q.Limit = 20
	}
	keysOf := func(cs [][]xfbot.Term) [][]string {
		out := make([][]string, 0, len(cs))
		for _, c := range cs {
			ks := make([]string, len(c))
			for i, t := range c {
				ks[i] = s.k.term(t)
			}
			if len(ks) > 0 {
				out = append(out, ks)
			}
		}
		return out
	}
	arg := struct {
		Pub  [][]string `json:"pub"`
		Per  [][]string `json:"per"`
		Ex   []string   `json:"ex"`
		Vis  []string   `json:"vis"`
		Dir  []string   `json:"dir"`
		Lim  int        `json:"lim"`
		Big  int        `json:"big"`
		Tmp  string     `json:"tmp"`
		All  string     `json:"all"`
		Case string     `json:"case"`
	}{Pub: keysOf(q.Terms.Public), Per: keysOf(q.Terms.Personal), Ex: []string{}, Vis: []string{}, Dir: []string{},
		Lim: q.Limit, Big: searchBig, Tmp: s.k.scratch("search:"), All: s.k.idxAll(), Case: s.k.caseKey("")}
	for _, t := range q.Terms.Except {
		arg.Ex = append(arg.Ex, s.k.term(t))
	}
	for _, u := range q.Within {
		if u == "" {
			continue
		}
		arg.Vis = append(arg.Vis, s.k.term(xfbot.Term(xfbot.TermUnit+":"+u)), s.k.term(xfbot.Term(xfbot.TermArea+":"+u)))
	}
	for _, no := range q.Nos {
		if m := caseMember(no); m != "" {
			arg.Dir = append(arg.Dir, m)
		}
	}
	b, err := json.Marshal(arg)
	if err != nil {
		return "", 0, fmt.Errorf("store: search: %w", err)
	}
	return string(b), len(arg.Dir), nil
}

// searchResult decodes the search script's reply to a query that named
// ndir cases by number.
func searchResult(res []any, ndir int) (SearchResult, error) {
	if len(res) < 1+2*ndir || (len(res)-1-2*ndir)%2 != 0 {
		return SearchResult{}, fmt.Errorf("store: search: unexpected reply of %d values", len(res))
	}
	total, _ := res[0].(int64)
	out := SearchResult{Total: int(total)}
	page := res[1 : len(res)-2*ndir]
	for i := 0; i < len(page); i += 2 {
		raw, _ := page[i+1].(string)
		if raw == "" {
			out.Total-- // indexed but gone
			continue
		}
		c, err := decodeCase([]byte(raw))
		if err != nil {
			return SearchResult{}, fmt.Errorf("store: search: decode %v: %w", page[i], err)
		}
		out.Cases = append(out.Cases, c)
	}
	dir := res[len(res)-2*ndir:]
	for i := 0; i < len(dir); i += 2 {
		raw, _ := dir[i].(string)
		if raw == "" {
			continue
		}
		c, err := decodeCase([]byte(raw))
		if err != nil {
			return SearchResult{}, fmt.Errorf("store: search: decode: %w", err)
		}
		if in, _ := dir[i+1].(string); in == "1" {
			out.Total-- // counted as named
			for j, x := range out.Cases {
				if x.No == c.No {
					out.Cases = append(out.Cases[:j], out.Cases[j+1:]...)
					break
				}
			}
		}
		out.Named = append(out.Named, c)
	}
	return out, nil
}

// samePetitionerLimit caps how many cases of one petitioner SamePetitioner
// returns of each kind (the newest).
const samePetitionerLimit = 20

// SamePetitioner returns the other cases of c's petitioner, newest first,
// in one round trip (both searches in one pipeline): same are those with the same whole phone number or ID
// number (the keyed hashes of the index); maybe are those with the same
// name and 属地 but neither (a weak signal: two people may share a name).
// c itself (by number, if it has one) is left out. The import calls it for
// each row before it writes the rows; 新建 before its commit.
func (s *Store) SamePetitioner(ctx context.Context, c *xfbot.Case) (same, maybe []*xfbot.Case, err error) {
	return s.SamePetitionerFrom(ctx, c, nil)
}

func without(cs []*xfbot.Case, no xfbot.CaseNo) []*xfbot.Case {
	out := cs[:0:0]
	for _, c := range cs {
		if c.No != no && len(out) < samePetitionerLimit {
			out = append(out, c)
		}
	}
	return out
}

// backfillSearchScript adds the terms of records read earlier. ARGV: per
// record, its key, its version, its member, the number k of its record's
// terms and the number w of its words, then k + w keys. The record's terms
// are added only if it still has the version read (a record written since
// had its terms set by that write); its words always (they only grow).
// Returns how many members were added.
var backfillSearchScript = redis.NewScript(`
local i, n = 1, 0
while i <= #ARGV do
  local key, ver, m, k, w = ARGV[i], tonumber(ARGV[i + 1]), ARGV[i + 2], tonumber(ARGV[i + 3]), tonumber(ARGV[i + 4])
  i = i + 5
  local cur = redis.call("GET", key)
  local same = false
  if cur then
    local v = string.match(cur, '"ver":(%d+)}$')
    if v then v = tonumber(v) else v = cjson.decode(cur).ver or 0 end
    same = (v == ver)
  end
  if same then
    for j = 0, k - 1 do n = n + redis.call("SADD", ARGV[i + j], m) end
  end
  for j = k, k + w - 1 do n = n + redis.call("SADD", ARGV[i + j], m) end
  i = i + k + w
end
return n`)

// BackfillSearch indexes the cases written before the search index existed
// (their records and their timelines), in batches of backfillBatch, like
// BackfillDeadlines, and returns how many set members it added. A marker
// (search:backfilled:1:<fingerprint of the secret>) makes later starts skip
// it. When the secret changed since the last pass (search:fp), the
// personal terms of the old secret are deleted first: they could never be
// found again, nor removed by a write.
func (s *Store) BackfillSearch(ctx context.Context) (int, error) {
	fp := s.ix.Fingerprint()
	marker := s.k.searchBackfilled(fp)
	pipe := s.rdb.Pipeline()
	done := pipe.Exists(ctx, marker)
	prev := pipe.Get(ctx, s.k.searchFingerprint())
	if _, err := pipe.Exec(ctx); err != nil && err != redis.Nil {
		return 0, fmt.Errorf("store: backfill search: %w", err)
	}
	if done.Val() == 1 {
		return 0, nil
	}
	if old := prev.Val(); old != "" && old != fp {
		if err := s.purgePersonalTerms(ctx); err != nil {
			return 0, err
		}
	}
	if err := s.rdb.Set(ctx, s.k.searchFingerprint(), fp, 0).Err(); err != nil {
		return 0, fmt.Errorf("store: backfill search: %w", err)
	}
	total := 0
	cursor := "0"
	prefix := s.k.caseKey("")
	for {
		res, err := backfillReadScript.Run(ctx, s.rdb, []string{s.k.idxAll()}, cursor, backfillBatch, prefix).Slice()
		if err != nil {
			return total, fmt.Errorf("store: backfill search: read: %w", err)
		}
		if len(res) == 0 || len(res)%2 != 1 {
			return total, fmt.Errorf("store: backfill search: read: unexpected reply of %d values", len(res))
		}
		cursor, _ = res[0].(string)
		var cases []*xfbot.Case
		for i := 1; i < len(res); i += 2 {
			raw, ok := res[i+1].(string)
			if !ok {
				continue
			}
			c, err := decodeCase([]byte(raw))
			if err != nil {
				return total, fmt.Errorf("store: backfill search: decode %v: %w", res[i], err)
			}
			cases = append(cases, c)
		}
		if len(cases) > 0 {
			pp := s.rdb.Pipeline()
			progs := make([]*redis.StringSliceCmd, len(cases))
			for i, c := range cases {
				progs[i] = pp.LRange(ctx, s.k.progress(c.No), 0, -1)
			}
			if _, err := pp.Exec(ctx); err != nil {
				return total, fmt.Errorf("store: backfill search: progress: %w", err)
			}
			var args []any
			for i, c := range cases {
				m := caseMember(c.No)
				if m == "" {
					continue
				}
				terms := s.ix.CaseTerms(c)
				words := map[xfbot.Term]bool{}
				ps, err := decodeEach(progressLines(progs[i].Val()), progressOf(c.CreatedBy))
				if err != nil {
					return total, fmt.Errorf("store: backfill search: decode progress %s: %w", c.No, err)
				}
				for _, p := range ps {
					for _, t := range xfbot.TextTerms(p.Text, c) {
						words[t] = true
					}
				}
				args = append(args, s.k.caseKey(c.No), c.Version, m, len(terms), len(words))
				for _, t := range terms {
					args = append(args, s.k.term(t))
				}
				ws := make([]string, 0, len(words))
				for t := range words {
					ws = append(ws, s.k.term(t))
				}
				sort.Strings(ws)
				for _, w := range ws {
					args = append(args, w)
				}
			}
			if len(args) > 0 {
				n, err := backfillSearchScript.Run(ctx, s.rdb, []string{s.k.idxAll()}, args...).Int()
				if err != nil {
					return total, fmt.Errorf("store: backfill search: write: %w", err)
				}
				total += n
			}
		}
		if cursor == "0" || cursor == "" {
			break
		}
	}
	if err := s.rdb.Set(ctx, marker, strconv.Itoa(total), 0).Err(); err != nil {
		return total, fmt.Errorf("store: backfill search: mark done: %w", err)
	}
	return total, nil
}

// purgePersonalTerms deletes the hashed terms (q:n:, q:p:, q:q:, q:i:),
// SCAN by SCAN.
func (s *Store) purgePersonalTerms(ctx context.Context) error {
	for _, kind := range []string{xfbot.TermName, xfbot.TermPhone, xfbot.TermPhonePart, xfbot.TermID} {
		pattern := strings.NewReplacer("{", `\{`, "}", `\}`, "*", `\*`, "?", `\?`, "[", `\[`).Replace(s.k.term(xfbot.Term(kind+":"))) + "*"
		err := s.scanKeys(ctx, pattern, func(batch []string) error { return s.rdb.Unlink(ctx, batch...).Err() })
		if err != nil {
			return fmt.Errorf("store: purge search terms: %w", err)
		}
	}
	return nil
}

// Link records on each of others (the same petitioner's cases, as read)
// that no is related to it: the other half of a link whose first half is
// the new case's Related, written by the same Tx. no may be NoPlaceholder.
// Each other case is written with its version checked, like any update.
func (tx *Tx) Link(no xfbot.CaseNo, others []*xfbot.Case) {
	for _, o := range others {
		if slices.Contains(o.Related, no) {
			continue
		}
		c := *o
		c.Related = append(append([]xfbot.CaseNo(nil), o.Related...), no)
		tx.UpdateCase(o, &c)
	}
}
