package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// Scheduled jobs. Every replica runs the same cron; two kinds of key decide
// which replica runs a firing and whether it completed:
//
//	lock:job:<job>:<slot unix s>  string  claim on one firing; PX = the lease, deleted on finish
//	job:<job>:done                string  the latest slot (unix s) that completed
//	job:<job>:since               string  the first start (unix s) that ran the job; older
//	                                      firings are never caught up
//
// A claim is refused when the slot is not after job:<job>:done, so a replica
// that wakes late, after another finished the slot and dropped its claim,
// cannot run it a second time.

func (k keys) jobClaim(job string, slot int64) string {
	return k.lock("job:" + job + ":" + strconv.FormatInt(slot, 10))
}
func (k keys) jobDone(job string) string { return k.base + "job:" + job + ":done" }

// claimJobScript: KEYS[1] claim, KEYS[2] done; ARGV[1] slot, ARGV[2] lease ms.
// The done check and the SET NX are one script so that no finish can slip
// between them.
var claimJobScript = redis.NewScript(`
local done = redis.call('GET', KEYS[2])
if done and tonumber(done) >= tonumber(ARGV[1]) then return 0 end
if redis.call('SET', KEYS[1], '1', 'NX', 'PX', ARGV[2]) then return 1 end
return 0
`)

// finishJobScript: KEYS[1] claim, KEYS[2] done; ARGV[1] slot. The done mark
// only moves forward: a slow replica finishing an older slot (a catch-up that
// overlapped a newer firing) must not make the newer one claimable again.
var finishJobScript = redis.NewScript(`
local done = redis.call('GET', KEYS[2])
if not done or tonumber(done) < tonumber(ARGV[1]) then redis.call('SET', KEYS[2], ARGV[1]) end
redis.call('DEL', KEYS[1])
return 1
`)

// ClaimJob claims the firing of job at slot for ttl: true means the caller
// runs it. It is false while another claim on the slot lives, and for good
// once the job finished this slot or a later one. The lease bounds how long a
// replica that died mid-run blocks the slot; keep it above the longest run.
func (s *Store) ClaimJob(ctx context.Context, job string, slot time.Time, ttl time.Duration) (bool, error) {
	if ttl < time.Millisecond {
		// A claim without expiry would block the slot forever after a crash.
		return false, fmt.Errorf("store: claim job %s: lease %v is too short", job, ttl)
	}
	n, err := claimJobScript.Run(ctx, s.rdb, []string{s.k.jobClaim(job, slot.Unix()), s.k.jobDone(job)},
		slot.Unix(), ttl.Milliseconds()).Int()
	if err != nil {
		return false, fmt.Errorf("store: claim job %s at %d: %w", job, slot.Unix(), err)
	}
	return n == 1, nil
}

// FinishJob records that job completed its firing at slot: LastJobRun becomes
// the later of its value and slot. The slot's claim is dropped, since the done
// mark now refuses it.
func (s *Store) FinishJob(ctx context.Context, job string, slot time.Time) error {
	err := finishJobScript.Run(ctx, s.rdb, []string{s.k.jobClaim(job, slot.Unix()), s.k.jobDone(job)}, slot.Unix()).Err()
	if err != nil {
		return fmt.Errorf("store: finish job %s at %d: %w", job, slot.Unix(), err)
	}
	return nil
}

// ReleaseJob drops the claim on job's slot without finishing it, so that the
// slot can be run again at once (by a retry or a catch-up) rather than after
// the lease. Call it only while the claim is still yours, that is within its
// lease: after that it may be another replica's.
func (s *Store) ReleaseJob(ctx context.Context, job string, slot time.Time) error {
	if err := s.rdb.Del(ctx, s.k.jobClaim(job, slot.Unix())).Err(); err != nil {
		return fmt.Errorf("store: release job %s at %d: %w", job, slot.Unix(), err)
	}
	return nil
}

// jobStartsScript: KEYS are pairs job:<job>:since, job:<job>:done; ARGV[1]
// now (unix s). A since already set wins; else it becomes the job's done slot
// if it has one (a deployment older than this record: its firings after that
// slot are still caught up) or now. One script, so that replicas starting at
// once agree on one value.
var jobStartsScript = redis.NewScript(`
local out = {}
for i = 1, #KEYS, 2 do
  local v = redis.call('GET', KEYS[i])
  if not v then
    v = ARGV[1]
    local done = redis.call('GET', KEYS[i + 1])
    if done and tonumber(done) < tonumber(v) then v = done end
    redis.call('SET', KEYS[i], v)
  end
  out[#out + 1] = v
end
return out
`)

// JobStarts returns, for each job, the deployment's first start as that job
// knows it, recording now for a job that has none yet: the first start of
// the deployment for the jobs it had, the first start that registered it for
// a job added later. The first caller wins; every later or concurrent caller
// gets the same time. A job that completed a slot before the record existed
// gets that slot instead of now.
func (s *Store) JobStarts(ctx context.Context, now time.Time, jobs ...string) (map[string]time.Time, error) {
	if len(jobs) == 0 {
		return map[string]time.Time{}, nil
	}
	ks := make([]string, 0, 2*len(jobs))
	for _, j := range jobs {
		ks = append(ks, s.k.jobSince(j), s.k.jobDone(j))
	}
	vs, err := jobStartsScript.Run(ctx, s.rdb, ks, now.Unix()).StringSlice()
	if err != nil {
		return nil, fmt.Errorf("store: job starts: %w", err)
	}
	if len(vs) != len(jobs) {
		return nil, fmt.Errorf("store: job starts: %d values for %d jobs", len(vs), len(jobs))
	}
	out := make(map[string]time.Time, len(jobs))
	for i, j := range jobs {
		n, err := strconv.ParseInt(vs[i], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("store: job starts: %s: %w", j, err)
		}
		out[j] = time.Unix(n, 0)
	}
	return out, nil
}

// LastJobRun returns the latest slot job completed, or the zero time if it
// never did.
func (s *Store) LastJobRun(ctx context.Context, job string) (time.Time, error) {
	v, err := s.rdb.Get(ctx, s.k.jobDone(job)).Int64()
	switch {
	case errors.Is(err, redis.Nil):
		return time.Time{}, nil
	case err != nil:
		return time.Time{}, fmt.Errorf("store: last run of job %s: %w", job, err)
	}
	return time.Unix(v, 0), nil
}
