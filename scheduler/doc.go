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
// done slot is fired once, now, through the same claim. Replicas starting
// together thus run each missed firing once; a firing missed several times
// runs once. A job that never completed counts as missed, so a first
// deployment runs, at start, each job that had a scheduled time in the past
// week.
//
// # What exactly-once relies on
//
// The scheduler gives: per slot, at most one running body at a time while the
// lease holds, no new run once the slot is done, and a retry of a slot that
// did not complete. That is at-least-once, not exactly-once: a body can fail
// after sending part of its messages, or crash before FinishJob, and run
// again. Exactly one message per reminder is the job's part: Reminders writes
// each line to the case's sent-ledger (store.Tx.MarkSent) in the same Commit
// that queues its message, and skips what the ledger already holds. A job must
// therefore be safe to run twice for one slot, and take the period it reports
// on from now (the time it is given), not from the slot.
package scheduler
