// Package scheduler fires xfbot's timed jobs (reminder scans, digests) from
// every replica, so that each firing runs on one of them.
//
// robfig/cron only decides when to wake. What a wake-up does is Fire, a plain
// method that tests call with fixed clocks: claim the firing's slot in Redis,
// run the job body with the current time, record the slot as done. The
// bodies (Reminders, GroupDaily, ...) live beside it in this package and know
// nothing of cron or claims.
//
// # Slots
//
// A firing's slot is the scheduled time it belongs to: the latest time of the
// job's schedule at or before the wake-up (Scheduler.Slot). It is computed
// from the schedule, not read off the clock, so replicas whose clocks or timer
// wake-ups differ by a second, or one that wakes a little late, name the same
// slot and so contend for the same claim. Truncating to the minute would do
// for an on-time wake-up, but a replica paused past the minute would then
// claim a minute that is not a firing at all and run the job a second time.
// A wake-up later than a whole period belongs to the later slot; the missed
// one is superseded, as a later scan sees everything an earlier one would.
//
// Specs are what config accepts (cron.ParseStandard): five fields, read in
// Options.Location (Asia/Shanghai by default), or a descriptor. "@every d" is
// aligned to multiples of d counted from Go's zero time (UTC), so that every
// replica fires on the same grid: "@every 2s" on even seconds, "@every 1h" on
// the hour. (robfig/cron counts @every from each process's start, which would
// give each replica its own phase.)
//
// # Claims
//
// Fire claims (job, slot) with store.ClaimJob: SET NX with a lease of
// Options.LockTTL (10 min by default). The claim is refused once the job has
// finished this slot or a later one (store.FinishJob keeps the latest done
// slot), so a replica that wakes after another finished cannot run the slot
// again. Whoever wins waits a random jitter (0..the job's jitter: Feishu asks
// for sends spread away from :00 and :30), then runs the body with a context
// that ends with the lease, so a body that honours its context never outlives
// its claim.
//
//   - Success: the slot is recorded as done (store.FinishJob) and the claim
//     dropped. The record is written even when the run's context was
//     cancelled just after the body returned.
//   - Error or panic: logged; the slot is not done and its claim is released
//     (store.ReleaseJob), so a retry, another replica's catch-up or the next
//     start may run it again. A body cancelled by shutdown is such an error.
//   - Crash (kill -9, lost host): the claim stays until its lease runs out;
//     after that a catch-up on any replica runs the slot.
//
// # Catch-up
//
// Run starts cron and then calls CatchUp once: every job whose latest
// scheduled time within the past CatchUpWindow (7 days) is later than its last
// done slot is fired once, through the same claim. Replicas starting together
// thus run each missed firing once; a firing missed several times runs once.
// Three rules keep a start from flooding the group:
//
//   - First start. A firing before the deployment's first start is never
//     caught up. CatchUp records the first start per job in Redis
//     (store.JobStarts: job:<job>:since, set once in one script, so that of
//     replicas starting together one time wins): for the jobs of the first
//     deployment its first start, for a job added by a later version the
//     start that first registered it, for a deployment older than the record
//     the job's last done slot. A first start on an empty Redis therefore
//     pushes nothing: no last week's digest, no monthly report of a month
//     the bot did not see.
//   - Quiet hours (Options.QuietFrom–QuietTo, reminders.quiet_from–quiet_to,
//     21–8 by default). A catch-up that would run in quiet hours a firing
//     scheduled outside them waits for their end (on the hour), and is then
//     decided again as below, for the job's latest firing by then. A firing
//     scheduled inside quiet hours was meant for them and runs at once. A
//     replica stopped during the wait drops it; the next start decides anew.
//   - Superseded. A missed firing is dropped, not caught up, when the job
//     fires again before the next quiet hours begin: that firing comes the
//     same waking day with fresher data. So a daily notice missed yesterday
//     is left to today's at 09:35 instead of going out at 08:00 and again at
//     09:35, while the weekly digest missed on Monday goes out on Tuesday at
//     08:00, once. Without quiet hours (QuietFrom == QuietTo, non-zero)
//     nothing is superseded.
//
// What a job may push in the quiet hours and on a non-working day is one
// rule for all of them (quiet.go, hushAt): at night only ⚫; on a
// non-working day also a reception's briefing; the rest waits.
//
// Example, with the default schedules: first start on Monday 08:00, then
// every replica down from 08:01 to Tuesday 03:31. At 03:31 nothing is
// pushed; at 08:00 the weekly digest (Monday 09:10) runs once; reception,
// leader digest, reminder scan and group notice are left to their Tuesday
// firings; a monthly report due before the first start never runs.
//
// # What exactly-once relies on
//
// The scheduler gives: per slot, at most one running body at a time while the
// lease holds, no new run once the slot is done, and a retry of a slot that
// did not complete. That is at-least-once, not exactly-once: a body can fail
// after sending part of its messages, or crash before FinishJob, and run
// again. Exactly one message per reminder is the job's part: Reminders writes
// each line to its case's or letter's sent-ledger (store.Tx.MarkSent,
// MarkSentFor) in the same Commit
// that queues its message, and skips what the ledger already holds; an
// escalation step's mark and the ladder's advance are in the commit of all
// its recipients' messages (people linked by a step commit together). A job must
// therefore be safe to run twice for one slot, and take the period it reports
// on from now (the time it is given), not from the slot.
package scheduler
