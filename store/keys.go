package store

import (
	"strconv"
	"strings"

	"github.com/qingchuan/xfbot"
)

// schemaVersion is part of every key. A change of layout that old code could
// misread bumps it, so that two versions never share keys.
const schemaVersion = "v1"

// keys builds every key name the store uses; no other file concatenates one.
//
// Every key of one deployment carries the same hash tag, {prefix}, so that a
// command's write, its indexes, its audit entries, its dedupe marker and its
// queued replies live in one Redis Cluster slot and commit in one script.
// One ledger is one consistency domain; Cluster gives it failover, and
// several deployments (prefixes) spread across the slots.
type keys struct{ base string }

func newKeys(prefix string) keys {
	if prefix == "" {
		prefix = "xf"
	}
	return keys{base: "{" + prefix + "}:" + schemaVersion + ":"}
}

func (k keys) caseKey(no xfbot.CaseNo) string { return k.base + "case:" + string(no) }

// progress is the case's timeline, one list: its progress entries pushed
// at the tail in order (RPUSH), its audited changes at the head (LPUSH,
// the newest first), each of those marked with changeMark — one key and
// one quicklist a case instead of two (TestCaseMemory: 1,152 → 1,048 B
// with five entries and one change). The last n progress entries are the
// last n items (LRANGE -n -1), the changes among them left out; the last
// n changes the first n (progressLines, changeLines).
func (k keys) progress(no xfbot.CaseNo) string {
	return k.base + "prog:" + string(no)
}

// history is the list that held a case's changes before they joined its
// timeline (BackfillIndexSets moves them).
func (k keys) history(no xfbot.CaseNo) string { return k.base + "hist:" + string(no) }
func (k keys) seq(year int) string            { return k.base + "seq:" + strconv.Itoa(year) }

// Indexes. idxOpen and the per-person/per-unit sets hold open cases only,
// scored by the due date's day number, so that "overdue" and "due soon" are
// range queries whose cost follows the matches. idxAll holds every case,
// scored by registration time; idxStatus one sorted set per status.
func (k keys) idxOpen() string                 { return k.base + "idx:open" }
func (k keys) idxAll() string                  { return k.base + "idx:all" }
func (k keys) idxStatus(s xfbot.Status) string { return k.base + "idx:status:" + string(s) }
func (k keys) idxExtRequest() string           { return k.base + "idx:extreq" }
func (k keys) idxUnit(u string) string         { return k.base + "idx:unit:" + u }

// The open cases by 属地 and by open status (办理中, 稳控中) are plain sets
// of case numbers, not sorted sets: their order, the due day, is
// idx:open's score, which every one of those cases has (list.lua
// intersects them with it, keeping its score). A set of case numbers cost
// ~60 bytes a case in Redis 7.0 (a hash table; 7.2 keeps a small one as a
// listpack), a sorted set ~113 (TestCaseMemory); since they hold integer
// ids (keys.byID), a tuned server keeps them as intsets, 4 bytes a case.
// They replaced the sorted sets
// idx:area:<name> and idx:status:handling / :monitoring, which
// BackfillIndexSets converts once (setsBackfilled marks it done).
//
// So are, since, the open cases by 包案人 and 包案领导: they replaced the
// sorted sets idx:owner:<open_id> and idx:leader:<open_id> (same scores
// as idx:open), which cost 53 bytes a case more each. 统计 成员 and the
// leader digests, which count them by due day, intersect them with
// idx:open in a script (openOfScript, stats.go): measured at 100,000 open
// cases (BenchmarkFigures, BenchmarkLeaderDigests), 统计 成员 142 → 206–243 ms,
// the 30 leaders' digests 12 → 93–117 ms. The open cases by 主责单位 stay a
// sorted set, idx:unit:<name>: as a set, the period statistics' overdue
// count per unit took 0.2 → 103 ms. setsBackfilled is the marker of the
// first conversion, setsBackfilled2 of this one.
func (k keys) setArea(a string) string         { return k.base + "set:area:" + a }
func (k keys) setStatus(s xfbot.Status) string { return k.base + "set:status:" + string(s) }
func (k keys) setOwner(id string) string       { return k.base + "set:owner:" + id }
func (k keys) setLeader(id string) string      { return k.base + "set:leader:" + id }
func (k keys) setsBackfilled() string          { return k.base + "set:backfilled:1" }
func (k keys) setsBackfilled2() string         { return k.base + "set:backfilled:2" }
func (k keys) setsBackfilled3() string         { return k.base + "set:backfilled:3" }
func (k keys) historiesMoved() string          { return k.base + "hist:moved:1" }

// byID reports whether index key (a sorted set of keys.indexes, a set of
// keys.sets) holds cases by their integer id (caseMember: 2026000012)
// rather than their number (XF-2026-0012): every index of open cases does,
// since lists and statistics intersect them with the sets, and a set of
// integers is an intset (4 bytes a member instead of ~60, with
// set-max-intset-entries as RecommendedIntsetEntries advises). The
// indexes of every case (idx:all, idx:watch, idx:resolved, idx:status of
// a closed status) keep numbers. memberOf writes the member, memberNo
// reads any back.
func (k keys) byID(key string) bool {
	rest, ok := strings.CutPrefix(key, k.base)
	if !ok {
		return false
	}
	switch rest {
	case "idx:open", "idx:extreq", "idx:hard", "idx:activity":
		return true
	}
	for _, p := range []string{"idx:activity:", "idx:contact:", "idx:unit:", "set:area:", "set:status:", "set:owner:", "set:leader:"} {
		if strings.HasPrefix(rest, p) {
			return true
		}
	}
	return false
}

// idIndexes are the patterns of the keys byID holds true for.
func (k keys) idIndexes() []string {
	return []string{k.idxOpen(), k.idxExtRequest(), k.idxHard(), k.idxActivity(), k.base + "idx:contact:*", k.base + "idx:unit:*",
		k.base + "set:area:*", k.base + "set:status:*", k.base + "set:owner:*", k.base + "set:leader:*"}
}

// memberOf is case no as index key holds it (keys.byID). A number that has
// no integer id (none allocated has not) stays a number.
func (k keys) memberOf(key string, no xfbot.CaseNo) string {
	if k.byID(key) {
		if m := caseMember(no); m != "" {
			return m
		}
	}
	return string(no)
}

// memberNo is the case number of an index's member, an integer id or a
// number.
func memberNo(m string) xfbot.CaseNo {
	if no, ok := caseNoOf(m); ok {
		return no
	}
	return xfbot.CaseNo(m)
}

// The sorted sets of earlier releases that BackfillIndexSets converts.
func (k keys) oldIdxOwner() string  { return k.base + "idx:owner:" }
func (k keys) oldIdxLeader() string { return k.base + "idx:leader:" }

// Statistics: counters per day and per month (xfbot.CaseCounts), the units
// ever named, and the indexes the digests read.
func (k keys) statDay(d xfbot.Date) string    { return k.base + "stat:d:" + d.String() }
func (k keys) statMonth(m xfbot.Month) string { return k.base + "stat:m:" + m.String() }
func (k keys) units() string                  { return k.base + "units" }
func (k keys) registry() string               { return k.base + "reg" }
func (k keys) idxWatch(leader string) string  { return k.base + "idx:watch:" + leader }
func (k keys) idxResolved() string            { return k.base + "idx:resolved" }
func (k keys) idxHard() string                { return k.base + "idx:hard" }
func (k keys) digestLast() string             { return k.base + "digest:last" }

// idxActivity is the open cases by their last activity (unix s), split
// like the deadline index over 64 sorted sets by a hash of the member (the
// case's integer id): idx:activity:0 … :63, listpacks at a district's
// size. activityKey is the set of case no; the members' figures read all
// 64 (MemberData). idxActivity is the one sorted set of
// earlier releases (BackfillIndexSets splits it).
func (k keys) idxActivity() string { return k.base + "idx:activity" }
func (k keys) activityKey(no xfbot.CaseNo) string {
	return bucketKey(k.base+"idx:activity:", k.memberOf(k.base+"idx:activity:", no))
}
func (k keys) activityKeys() []string { return bucketKeys(k.base + "idx:activity:") }

// idxContact is the open 重点 and 积案 cases by last contact, class "key"
// or "backlog", as earlier releases wrote them for a scan the deadline
// ledger replaced; nothing reads them, and BackfillIndexSets deletes them.
func (k keys) idxContact(class string) string    { return k.base + "idx:contact:" + class }
func (k keys) contactDropped() string            { return k.base + "idx:contact:dropped" }
func (k keys) escalations() string               { return k.base + "esc" }
func (k keys) escalation(no xfbot.CaseNo) string { return k.base + "esc:" + string(no) }
func (k keys) snoozes() string                   { return k.base + "snooze" }

// The deadline index: one member per open deadline of any entity (a
// case's stage, a reception's record, a letter's 阅批/交办), scored by its
// due day (deadlines.go), in one of dlBuckets sorted sets, dl:0 … dl:63:
// the one the member's FNV-1a hash names (deadlineKey). dlBackfilled
// marks that the deadlines of the records written before the index
// existed were added, by a pass named tag (its version and the gaps it
// counted with: a new kind of deadline or a changed gap runs the backfill
// again). oldDeadlines is the one sorted set that held the index before
// it was split (BackfillIndexSets moves its members).
func (k keys) deadlineKey(member string) string { return bucketKey(k.base+"dl:", member) }
func (k keys) dlBackfilled(tag string) string   { return k.base + "dl:backfilled" + tag }
func (k keys) oldDeadlines() string             { return k.base + "dl" }

// deadlineKeys are the index's sorted sets, dl:0 to dl:63.
func (k keys) deadlineKeys() []string { return bucketKeys(k.base + "dl:") }

// bucketKeys are the dlBuckets sorted sets of a split index: prefix and 0
// to 63.
func bucketKeys(prefix string) []string {
	ks := make([]string, dlBuckets)
	for i := range ks {
		ks[i] = prefix + strconv.Itoa(i)
	}
	return ks
}

// bucketKey is the set of the split index prefix that holds member; for a
// member naming a case not yet numbered (@@NO@@, @@ID@@) it is prefix and
// bucketMark, and the commit names the set (bucketOp).
func bucketKey(prefix, member string) string {
	if strings.Contains(member, NoPlaceholder) || strings.Contains(member, "@@ID@@") {
		return prefix + bucketMark
	}
	return prefix + strconv.Itoa(dlBucket(member))
}

// bucketMark ends a bucketKey whose set commit.lua computes.
const bucketMark = "@@B@@"

// bucketOp is the op o (zadd, zrem) of member on key: on a bucketKey
// ending in bucketMark, the op names the index's prefix and DL, and
// commit.lua puts the member in its set once its placeholders are
// replaced.
func bucketOp(o, key, member string, score float64) op {
	if prefix, ok := strings.CutSuffix(key, bucketMark); ok {
		return op{Op: o, Key: prefix, Member: member, Score: score, DL: true}
	}
	return op{Op: o, Key: key, Member: member, Score: score}
}

// dlBuckets is how many sorted sets the deadline index is split over. A
// district's index holds two members for each open case (its stage's and
// its gap's) and one for each open reception, letter, plan, 会诊 and
// 督查单: 20,000 and more at 10,000 open cases, where one sorted set is a
// skiplist, ~113 bytes a member beside the member itself. Split 64 ways,
// each holds ~300, a listpack (with zset-max-listpack-entries as
// RecommendedZsetListpackEntries advises: 1,024), which stores a member
// and its score in about the member's length; up to ~32,000 open cases
// the sets stay listpacks. Writes name their member, so they go to its
// set; what is due by a day is read from all 64 in one pipeline and
// merged (DeadlinesPage).
const dlBuckets = 64

// dlBucket is the set of the index that holds member: a polynomial hash
// of its bytes modulo the prime 65521, then modulo dlBuckets. commit.lua
// computes the same (dl_bucket) for a new case's members, whose number it
// allocates; the arithmetic stays below 2^21, exact in Lua's doubles
// (TestDeadlineBucketInLua).
func dlBucket(member string) int {
	h := 0
	for i := 0; i < len(member); i++ {
		h = (h*31 + int(member[i])) % 65521
	}
	return h % dlBuckets
}

// luaBucket is dlBucket in Lua, bucket(m), for commit.lua, which names the
// set of a new case's members itself.
const luaBucket = `local function bucket(m)
  local h = 0
  for i = 1, #m do
    h = (h * 31 + string.byte(m, i)) % 65521
  end
  return h % 64
end
`

// deadlineOp is the op that adds (zadd) or removes (zrem) member of the
// index: to its set, or, for a member naming a case not yet numbered
// (@@NO@@), to the set commit.lua names once it has the number (DL).
func (k keys) deadlineOp(o, member string, score float64) op {
	return bucketOp(o, k.deadlineKey(member), member, score)
}

// jobSince holds the first start of the deployment as far as one scheduled
// job is concerned (unix s): a firing before it is never caught up.
func (k keys) jobSince(job string) string { return k.base + "job:" + job + ":since" }

// Leader receptions (接访) and leader letters (来信). Ids are JF-/LX-
// numbers; sentFor is the sent-ledger of any entity that is not a case (a
// reception, a letter, a month's nag), disjoint from the cases' ledgers
// because case numbers start with XF-.
func (k keys) reception(id xfbot.ReceptionID) string { return k.base + "jf:" + string(id) }
func (k keys) receptionSeq(year int) string          { return k.base + "jfseq:" + strconv.Itoa(year) }
func (k keys) receptionCases(id xfbot.ReceptionID) string {
	return k.base + "jf:cases:" + string(id)
}
func (k keys) idxReceptionDay() string             { return k.base + "idx:jf:day" }
func (k keys) idxReceptionPlanned() string         { return k.base + "idx:jf:planned" }
func (k keys) idxReceptionLeader(id string) string { return k.base + "idx:jf:leader:" + id }
func (k keys) rosterDraft(month string) string     { return k.base + "jf:draft:" + month }
func (k keys) letter(id xfbot.LetterID) string     { return k.base + "lx:" + string(id) }
func (k keys) letterSeq(year int) string           { return k.base + "lxseq:" + strconv.Itoa(year) }
func (k keys) idxLetterOpen() string               { return k.base + "idx:lx:open" }
func (k keys) idxLetterAll() string                { return k.base + "idx:lx:all" }
func (k keys) sentFor(entity string) string        { return k.base + "sent:" + entity }

// 集中会诊 (consult.go): the record, the year's serial, every consultation
// by day.
func (k keys) consult(id xfbot.ConsultID) string { return k.base + "hz:" + string(id) }
func (k keys) consultSeq(year int) string        { return k.base + "hzseq:" + strconv.Itoa(year) }
func (k keys) idxConsultDay() string             { return k.base + "idx:hz:day" }

// sentOf is the sent-ledger of a deadline's subject: for a case, a
// reception and a letter the key sent and sentFor name (sent:<number>, as
// written before the deadline index), so that one API reads and marks all
// of them and no reminder already sent goes out again; a later kind of
// subject gets sent:<kind>:<id>.
func (k keys) sentOf(s xfbot.Subject) string {
	switch s.Kind {
	case xfbot.SubjectCase, xfbot.SubjectReception, xfbot.SubjectLetter:
		return k.base + "sent:" + s.ID
	}
	return k.base + "sent:" + string(s.Kind) + ":" + s.ID
}

// 一案一策 plans (plan.go): one record per case holding every version;
// the open measures of each person (member <案件号>#<序号>, scored by the
// due day, 9999-12-31 for none) for 成员 召回 and 方案 列表; the plans waiting for
// approval (scored by submission time) and every plan (by last write).
func (k keys) plan(no xfbot.CaseNo) string   { return k.base + "plan:" + string(no) }
func (k keys) idxPlanOwner(id string) string { return k.base + "idx:plan:owner:" + id }
func (k keys) idxPlanPending() string        { return k.base + "idx:plan:pending" }
func (k keys) idxPlanAll() string            { return k.base + "idx:plan:all" }

// 督查单 (supervise.go): the record, its history and ladder, the per-year
// number, and the indexes: every item by opening time, the open ones (not
// 销号) by 整改期限, per unit and per inspector; the figures' counters per
// day and month (dcstat, apart from the cases' stat hashes, whose fields
// name units).
func (k keys) supervision(id xfbot.SupervisionID) string     { return k.base + "dc:" + string(id) }
func (k keys) supervisionHist(id xfbot.SupervisionID) string { return k.base + "dc:hist:" + string(id) }
func (k keys) supervisionEsc(id xfbot.SupervisionID) string  { return k.base + "dc:esc:" + string(id) }
func (k keys) supervisionSeq(year int) string                { return k.base + "dcseq:" + strconv.Itoa(year) }
func (k keys) idxSupAll() string                             { return k.base + "idx:dc:all" }
func (k keys) idxSupOpen() string                            { return k.base + "idx:dc:open" }
func (k keys) idxSupUnit(u string) string                    { return k.base + "idx:dc:unit:" + u }
func (k keys) idxSupInspector(id string) string              { return k.base + "idx:dc:insp:" + id }
func (k keys) supStatDay(d xfbot.Date) string                { return k.base + "dcstat:d:" + d.String() }
func (k keys) supStatMonth(m xfbot.Month) string             { return k.base + "dcstat:m:" + m.String() }

// The search index (search.go): one set per xfbot.Term, members the case
// numbers as integers (caseMember), so that Redis keeps small sets as
// intsets; the fingerprint of the secret the personal terms were hashed
// with, and the backfill's marker.
func (k keys) term(t xfbot.Term) string          { return k.base + "q:" + string(t) }
func (k keys) searchFingerprint() string         { return k.base + "search:fp" }
func (k keys) searchBackfilled(fp string) string { return k.base + "search:backfilled:1:" + fp }
func (k keys) indexSecret() string               { return k.base + "secret:index" }

func (k keys) members() string             { return k.base + "members" }
func (k keys) recalls() string             { return k.base + "recalls" }
func (k keys) recallAcks() string          { return k.base + "recalls:ack" }
func (k keys) dedupe(id string) string     { return k.base + "dedupe:" + id }
func (k keys) audit() string               { return k.base + "audit" }
func (k keys) outbox() string              { return k.base + "outbox" }
func (k keys) tasks() string               { return k.base + "tasks" }
func (k keys) outboxDead() string          { return k.base + "outbox:dead" }
func (k keys) scratch(name string) string  { return k.base + "tmp:" + name }
func (k keys) lock(name string) string     { return k.base + "lock:" + name }
func (k keys) tokenCache(k2 string) string { return k.base + "lark:" + k2 }

// Spreadsheet imports (sheetimport.go): the index of imported rows' keys
// (no:<sheet number>, pt:<petitioner+title digest> → case number), each
// imported case's last row (fingerprint, progress digest), the files
// imported, an upload's plan (TTL) and an apply's checkpoint.
func (k keys) importIndex() string         { return k.base + "imp:idx" }
func (k keys) importRows() string          { return k.base + "imp:rows" }
func (k keys) importFiles() string         { return k.base + "imp:files" }
func (k keys) importPlan(id string) string { return k.base + "imp:plan:" + id }
func (k keys) importCkpt(id string) string { return k.base + "imp:ckpt:" + id }
