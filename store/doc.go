// Package store is xfbot's Redis adapter: the case ledger, its indexes, its
// audit trail, members, event dedupe, the outbox of messages for Feishu, and
// the shared Feishu token cache.
//
// # Contract
//
// Every exported method is one round trip: a pipeline of reads or one Lua
// script. Writes go through Commit, which applies a Tx (built without I/O by
// a handler) atomically: version checks first, then the case, its indexes,
// progress, history, audit entries, queued messages and the event's dedupe
// marker, or nothing at all. A command is thus one read (Load) and one write
// (Commit): two round trips from event to reply queued.
//
// # Schema (version v1)
//
// Every key starts with {P}:v1: where P is the configured prefix (default
// "xf"). The braces are a Redis Cluster hash tag: all keys of a deployment
// are in one slot, so a Commit spanning a case, its indexes and the outbox is
// one script on one node. Bump the version when a layout changes meaning.
//
//	case:<XF-YYYY-NNNN>   string  the case as JSON (xfbot.Case); field "ver" is
//	                              its version, checked by Commit; its dates as day
//	                              numbers, category, status and 甄别 as codes (codec.go)
//	prog:<no>             list    the case's timeline: at the tail its entries (xfbot.Progress),
//	                              oldest first (RPUSH), each a line at␟kind␟open_id␟name␟text
//	                              (␟ = \x1f; codec.go), or JSON (written before, or a name
//	                              holding ␟); at the head its audited changes (xfbot.Change:
//	                              who, when, before → after), newest first (LPUSH), each "!"
//	                              and a line at␟open_id␟name␟action␟field␟before␟after, or JSON;
//	                              a line by the case's creator has "=" and no name for the
//	                              author (codec.go's byCreator)
//	hist:<no>             list    a case's changes before they joined its timeline: moved there
//	                              at start (BackfillIndexSets; marker hist:moved:1)
//	seq:<YYYY>            string  last serial allocated in that year (INCR inside Commit,
//	                              so numbers are gap-free: a refused commit allocates none)
//	idx:open              zset    open cases (办理中, 稳控中), score = due day number; this and
//	                              every index of open cases below (idx:unit, idx:extreq,
//	                              idx:hard, idx:activity:<n>, set:*) hold a case as its
//	                              integer id, 2026000012 for XF-2026-0012 (keys.byID), so that
//	                              the sets are intsets; the others hold its number
//	set:owner:<open_id>   set     open cases by 包案人, like set:area
//	set:leader:<open_id>  set     open cases by 包案领导, like set:area
//	idx:unit:<name>       zset    open cases by 主责单位, score = due day number
//	set:backfilled:2      string  set when BackfillIndexSets turned the sorted sets of earlier
//	                              releases idx:owner:<open_id> and idx:leader:<open_id>
//	                              (score = due day) into the two
//	set:backfilled:3      string  set when BackfillIndexSets rewrote the members of the indexes
//	                              of open cases, numbers in earlier releases, as integer ids
//	set:area:<name>       set     open cases by 属地 (case ids); no score: the due day is
//	                              idx:open's, which list.lua intersects it with (keys.setArea)
//	set:backfilled:1      string  set when BackfillIndexSets turned the sorted sets of earlier
//	                              releases (idx:area:<name>, idx:status:handling and
//	                              :monitoring, score = due day) into the sets, at start before
//	                              any event
//	idx:extreq            zset    open cases with an extension application waiting for
//	                              the lead (延期申请), score = due day number
//	idx:status:<status>   zset    every concluded case (已化解, 已销号) by status, score = due day
//	                              number
//	set:status:<status>   set     every open case (办理中, 稳控中) by status, as set:area
//	idx:all               zset    every case, score = registration time (unix s)
//	idx:watch:<open_id>   zset    every case a leader watches (包保), any status, score =
//	                              time of its last write (the digest's "changed since")
//	idx:resolved          zset    every case ever resolved, score = day number of 化解
//	idx:hard              zset    open 积案/骨头案/钉子案/三老, score = last activity (unix s)
//	idx:activity:<0…63>   zset    open cases by last activity (unix s), split over 64 sets by
//	                              a hash of the case's id (keys.activityKey; listpacks at a
//	                              district's size): 进展更新及时率's count (MemberData)
//	idx:activity          zset    the same as one set, before it was split: moved at start
//	stat:d:<YYYY-MM-DD>   hash    that day's counts (xfbot.CaseCounts): counter → n and
//	                              counter|unit → n, counter@owner → n (a 包案人's
//	                              resolutions, sign-offs, contacts), HINCRBY inside Commit
//	                              once-per-case counters (resolved, ontime, late, closed,
//	                              reopened, repeat, beyond) are booked only when the case had
//	                              no such event earlier in that week (day hashes) or month
//	                              (month hash), xfbot.OnceIn; the case keeps the last day of
//	                              each in its record ("k")
//	stat:m:<YYYY-MM>      hash    the same counts for the month
//	units                 set     every 主责单位 ever named (statistics by unit)
//	reg                   string  the registry (名录, xfbot.Registry JSON): units with their kind
//	                              (区直部门, 街道, 镇 …; the 街道 and 镇 are the localities, 属地),
//	                              categories, each with a canonical name, aliases and former
//	                              names; "ver" checked by Commit (PutRegistry); written on the
//	                              first start from the config and the units already named
//	                              (SeedRegistry), absent = open (names taken as written)
//	tmp:list[:<n>]        zset    scratch of List with Where: the intersection (and unions of a
//	                              group's indexes), created and deleted in one script
//	tmp:fresh:<open_id>   zset    scratch of 统计 成员, created and deleted in one script
//	digest:last           hash    leader open_id → unix time of the last leader digest
//	members               hash    open_id → xfbot.Member JSON; the roster (jo, pe, in, lf/lt/si/sn/lr
//	                              the leave, out/left/fr how and when they left) is absent from
//	                              older records, which read as 在岗; a member's 请假到期 and 借调期满
//	                              are in dl (member|… entries, scored by the day the lead is told,
//	                              moved by Tx.UpdateMember), told once in sent:member:<open_id>
//	recalls               hash    <open_id>:<unix s> → xfbot.RecallRecord JSON (召回记录), written
//	                              once in the commit that takes the member off the roster
//	recalls:ack           hash    the same ids → unix s of the 组织部's 已记录 (checked absent:
//	                              confirmed once)
//	jf:<JF-YYYY-NNNN>     string  a leader reception (xfbot.Reception JSON); "ver" checked by Commit
//	jfseq:<YYYY>          string  last reception serial of that year (INCR inside Commit)
//	jf:cases:<id>         zset    cases registered at the reception (新建 … 接访:id), score = unix s
//	jf:draft:<YYYY-MM>    string  the month's draft roster (排班), until confirmed; TTL 40 days
//	idx:jf:day            zset    every reception, score = day number (rosters, statistics)
//	idx:jf:planned        zset    planned receptions only, score = day number (the reminder scan)
//	idx:jf:leader:<id>    zset    a leader's receptions, score = day number
//	lx:<LX-YYYY-NNNN>     string  a letter to a leader (xfbot.LeaderLetter JSON); "ver" checked
//	lxseq:<YYYY>          string  last letter serial of that year
//	idx:lx:open           zset    letters not yet assigned, score = day number of the next deadline
//	idx:lx:all            zset    every letter, score = registration time (unix s)
//	plan:<XF-YYYY-NNNN>   string  the case's 一案一策 plan, every version (xfbot.Plans JSON);
//	                              "ver" checked; written with its case (the brief on the card)
//	idx:plan:owner:<id>   zset    open measures a person answers for (in force or pending),
//	                              member <no>#<序号>, score = due day number (none: 9999-12-31)
//	idx:plan:pending      zset    plans waiting for approval (待批), score = submission (unix s)
//	idx:plan:all          zset    every case with a plan, score = last plan write (unix s)
//	hz:<HZ-YYYY-NNNN>     string  a 集中会诊 (xfbot.Consultation JSON: day, host, units, cases,
//	                              conclusions, decisions and their conversion); "ver" checked
//	hzseq:<YYYY>          string  last consultation serial of that year (INCR inside Commit)
//	idx:hz:day            zset    every consultation, score = day number (会诊 列表)
//	dc:<DC-YYYY-NNNN>     string  a 督查单 (xfbot.SupervisionItem JSON); "ver" checked by Commit
//	dcseq:<YYYY>          string  last 督查单 serial of that year (INCR inside Commit)
//	dc:hist:<id>          list    its history: every act and every ladder rung (JSON lines)
//	dc:esc:<id>           hash    its ladder: "<整改期限>|<step>" → day taken (remind, notice,
//	                              interview, listed), written by the reminder scan in the commit
//	                              that sends the rung; never version checked
//	idx:dc:all            zset    every 督查单, score = opening time (unix s)
//	idx:dc:open           zset    督查单 not signed off (销号), score = 整改期限 day number
//	idx:dc:unit:<unit>    zset    a unit's open 督查单, same score (联络员's 列表, 工作台)
//	idx:dc:insp:<id>      zset    an inspector's open 督查单, same score (成员 召回 / 移交)
//	dcstat:d:<YYYY-MM-DD> hash    督查 counters of a day (xfbot.SupervisionField: counter,
//	dcstat:m:<YYYY-MM>    hash    counter|u:<unit>, counter|t:<type>) and of a month
//	dl:<0…63>             zset    every open deadline (xfbot.Deadline) of every case, letter
//	                              and reception, split over 64 sets by a hash of the member
//	                              (keys.deadlineKey; listpacks at a district's size), score =
//	                              due day number; member kind|subject|flags|owner, e.g.
//	                              h|case:XF-2026-0012||~<packed open_id> (the kind as a code;
//	                              flags "p": paused; the owner last, so it may hold anything);
//	                              moved by the write that changes the entity, in its commit,
//	                              computed with the store's calendar and gaps on the record's
//	                              own day of writing (deadlines.go); a case's gaps too
//	                              (progress_gap: last activity + stale days, contact_gap: last
//	                              contact + the 积案/重点 gap), taken out by the reminder scan
//	                              once reminded of and put back by the write that resets them;
//	                              and snoozes (snooze|case:<no>||<who asked>, Tx.Snooze); a
//	                              plan's measures (measure|plan:<no>#<序号>||<负责人>) and its
//	                              化解目标日 (plan_target|plan:<no>||<包案人>) once approved
//	                              and a 督查单's 整改期限 while the unit is to act
//	                              (rectify|supervise:<DC-…>||<督查专员>)
//	dl                    zset    the index before it was split: BackfillIndexSets moves its
//	                              members into dl:<0…63> at start, and it is gone
//	dl:backfilled:2:<gaps> string set when BackfillDeadlines indexed the records written
//	                              before dl existed (version 2: with the gaps; <gaps> is
//	                              stale.backlog.key days); later starts skip it
//	snooze                zset    before version 2 of the backfill: snoozes (no|open_id, score
//	                              the day); the backfill moves them into dl and deletes it
//	sent:<entity>         hash    sent-ledger of a reception, a letter or "nag:<YYYY-MM>" (the
//	                              monthly reminder of leaders without a reception), as for cases
//	                              (SentLedgers/MarkSentFor read and mark the ledger of any
//	                              deadline's subject: sent:<number> for cases, receptions and
//	                              letters, the same keys and fields; sent:<kind>:<id> for later kinds)
//	q:<term>              set     the search index (search.go): the cases (members written
//	                              YYYY and six digits, XF-2026-0012 → 2026000012, so small
//	                              sets are intsets) that have the term (xfbot.Indexer): n:, p:,
//	                              q:, i: keyed hashes (HMAC-SHA256, privacy.index_secret) of
//	                              the petitioner's name, phone, phone's 4-digit runs by
//	                              position and ID number; w:<word> CJK bigrams and Latin words
//	                              of the title and progress, scrubbed of numbers and the name,
//	                              never removed; u:<unit>, a:<area> every case by place (a
//	                              liaison's search); x, xp:<place> accusations; o:<no> the
//	                              sheet's original number. Moved in the commit of every case
//	                              write (personal and place terms removed when gone)
//	                              (case record field "rel": the same petitioner's cases, Tx.Link)
//	search:fp             string  fingerprint of the secret the hashed terms were made with
//	search:backfilled:1:<fp> string set when BackfillSearch indexed the records written before
//	                              the index; a new secret purges the old hashed terms first
//	secret:index          string  the index secret generated when privacy.index_secret is empty
//	tmp:search:<n>        set     scratch of one Search, created and deleted in its script
//	dedupe:<event>        string  set when an event's effects were committed; TTL 24 h
//	                              (Feishu redelivers for about 7.1 h)
//	audit                 stream  global audit log (members, sensitive reads), field m =
//	                              AuditEntry JSON, trimmed to about 1,000,000 entries
//	outbox                stream  messages for Feishu, field m = OutboundMessage JSON;
//	                              consumer group "senders"; entries are deleted once sent
//	tasks                 stream  background work a command promised (exports, imports, attachments),
//	                              field m = Task JSON; consumer group "workers"; deleted when done
//	imp:idx               hash    import index: no:<sheet number> and pt:<digest of petitioner
//	                              and title> → case number, claimed with the case (sheetimport.go)
//	imp:rows              hash    case number → the row it was last imported from (ImportRow
//	                              JSON: fingerprint, progress digest)
//	imp:files             hash    file SHA-256 → when, by whom and what an import of it did
//	imp:plan:<id>         string  an upload's previewed plan (handlers' JSON); TTL 24 h
//	imp:ckpt:<id>         string  rows of the plan committed so far; TTL 24 h
//	att:<no>              hash    a case's attachments (附件, attachments.go): <seq> → the record
//	                              (kind, name, size, the app-owned file_key/image_key, uploader,
//	                              time) and m:<message id> → its seq, checked absent by Commit
//	                              (one message is kept once); the count is the case's "att"
//	attwait:<open_id>     string  the case a member's next file goes to (附件 <no>); TTL 10 min
//	outbox:dead           stream  messages Feishu refused for good, with the reason
//	lark:<sdk cache key>  string  the tenant access token, shared by all replicas
//	job:<job>:since       string  the deployment's first start as that scheduled job knows
//	                              it (unix s), set once (JobStarts); the scheduler never
//	                              catches up a firing before it
//
// Statistics never scan the ledger either: the stock at the start of any
// period is the open cases now minus the net "open" counts since (stats.go).
//
// Reminders never scan the ledger either: what is due by a day, of any
// kind, gaps and snoozes included, is ZRANGEBYSCORE dl:<n> -inf day of the
// 64 sets, in one pipeline (Deadlines, DeadlinesPage); a case quiet for months is in that range
// once per episode, since its reminder takes its gap out.
//
// Lists never scan the ledger: "overdue" is ZRANGEBYSCORE idx:open -inf
// today-1, so its cost follows the matches. Combined filters (列表 逾期
// 单位:x 属地:y 我的, and a liaison's scope, the unit as 主责单位 or 属地)
// are one script: ZUNIONSTORE of a group's indexes (a unit's current and
// former names), ZINTERSTORE with the base keeping its due-day score (the
// base first when an index is a set: set:area, set:status, set:owner, set:leader; cut to the due
// range first when that is smaller), then ZCOUNT and one page, so the count
// is exact whatever the size. What has no
// index (类别; the unit of a resolved or closed case: idx:unit holds open
// cases only) is matched on the records of the candidates, a read each.
//
// Units are renamed without rewriting cases (单位 改名): a case keeps the
// canonical name of the day it was written, the old name becomes a former
// name of the record, and every read by unit goes over all its names: the
// list's group is the union of their indexes, the statistics sum their
// counters under the current name (PeriodData). A rename is thus one write
// of reg, whatever the ledger's size.
//
// # Persistence
//
// Run Redis with AOF (appendonly yes). appendfsync everysec can lose up to
// about a second of acknowledged writes on a power loss; appendfsync always
// loses none at the cost of an fsync per write. See the README.
package store
