package scheduler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"regexp"
	"runtime/debug"
	"slices"
	"sync"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/qingchuan/xfbot/store"
)

// Job is a job body. now is the current time in the scheduler's zone, taken
// when the body starts, so a test calls Run with a fixed time.
type Job interface {
	Run(ctx context.Context, now time.Time) error
}

// JobFunc adapts a function to Job.
type JobFunc func(ctx context.Context, now time.Time) error

// Run calls f.
func (f JobFunc) Run(ctx context.Context, now time.Time) error { return f(ctx, now) }

var _ Job = JobFunc(nil)

// CatchUpWindow is how far back CatchUp looks for a missed firing. A week
// covers a long weekend or holiday of downtime; an older firing is stale news.
const CatchUpWindow = 7 * 24 * time.Hour

// DefaultLockTTL is the claim lease when Options.LockTTL is zero.
const DefaultLockTTL = 10 * time.Minute

// bookkeepingTimeout bounds the finish or release after a run. They use a
// context of their own: a shutdown that cancels the run must not keep a
// completed run from being recorded.
const bookkeepingTimeout = 5 * time.Second

// Options configures a Scheduler. The zero value is usable.
type Options struct {
	// Location is the zone five-field specs are read in and times are given
	// in. Nil means Asia/Shanghai.
	Location *time.Location
	// Logger receives job outcomes and errors. Nil discards them.
	Logger *slog.Logger
	// LockTTL is the lease of a claim: how long a replica that died mid-run
	// blocks its slot, and the longest a body may run (its context ends a
	// tenth before the lease, so that it finishes while its claim holds).
	// Zero means DefaultLockTTL.
	LockTTL time.Duration
	// Now is the clock handed to job bodies, to CatchUp at start and to slot
	// computation. Nil means time.Now. Leases run on the real clock.
	Now func() time.Time
	// QuietFrom and QuietTo are the quiet hours (reminders.quiet_from and
	// quiet_to): from QuietFrom o'clock until QuietTo o'clock no catch-up
	// pushes what was meant for waking hours. Both zero mean 21 and 8, as
	// for the reminder scan; equal and non-zero mean none.
	QuietFrom, QuietTo int
	// After waits for a deferred catch-up, as time.After does. Nil means
	// time.After; tests give one that moves their clock instead.
	After func(time.Duration) <-chan time.Time
}

// JobInfo describes a registered job.
type JobInfo struct {
	Name   string
	Spec   string
	Jitter time.Duration
}

// Scheduler runs registered jobs on every replica, each firing on one; see
// the package documentation.
type Scheduler struct {
	st    *store.Store
	loc   *time.Location
	log   *slog.Logger
	lease time.Duration
	now   func() time.Time
	after func(time.Duration) <-chan time.Time

	quietFrom, quietTo int

	mu      sync.Mutex
	jobs    []*entry
	byName  map[string]*entry
	started bool
}

type entry struct {
	JobInfo
	sched grid
	job   Job
}

// New returns a Scheduler on st. A nil st gives one that can only plan (Add,
// Next, Slot, Jobs), which is what "xfbot schedule" needs.
func New(st *store.Store, opt Options) *Scheduler {
	s := &Scheduler{st: st, loc: opt.Location, log: opt.Logger, lease: opt.LockTTL, now: opt.Now, after: opt.After,
		quietFrom: opt.QuietFrom, quietTo: opt.QuietTo, byName: map[string]*entry{}}
	if s.loc == nil {
		s.loc = shanghai()
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.lease <= 0 {
		s.lease = DefaultLockTTL
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.after == nil {
		s.after = time.After
	}
	if s.quietFrom == 0 && s.quietTo == 0 {
		s.quietFrom, s.quietTo = 21, 8
	}
	return s
}

// shanghai is the default zone. China has kept UTC+8 without daylight saving
// since 1991, so a fixed zone is exact when the zone database is missing.
func shanghai() *time.Location {
	if loc, err := time.LoadLocation("Asia/Shanghai"); err == nil {
		return loc
	}
	return time.FixedZone("CST", 8*60*60)
}

// validName keeps names usable inside Redis keys, where ':' separates parts.
var validName = regexp.MustCompile(`^[A-Za-z0-9_.-]+$`)

// Add registers job under name, fired by spec (parsed as config parses it,
// with cron.ParseStandard). Its body starts after a random delay of 0..jitter,
// at most half the lease. Add fails after Run started.
func (s *Scheduler) Add(name, spec string, job Job, jitter time.Duration) error {
	if !validName.MatchString(name) {
		return fmt.Errorf("scheduler: job name %q: use letters, digits, '_', '.' or '-'", name)
	}
	if job == nil {
		return fmt.Errorf("scheduler: job %s: no body", name)
	}
	if jitter < 0 || jitter > s.lease/2 {
		return fmt.Errorf("scheduler: job %s: jitter %v must be between 0 and half the lock TTL (%v)", name, jitter, s.lease/2)
	}
	parsed, err := cron.ParseStandard(spec)
	if err != nil {
		return fmt.Errorf("scheduler: job %s: spec %q: %w", name, spec, err)
	}
	g, err := newGrid(parsed)
	if err != nil {
		return fmt.Errorf("scheduler: job %s: spec %q: %w", name, spec, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started {
		return fmt.Errorf("scheduler: job %s: added after Run", name)
	}
	if _, dup := s.byName[name]; dup {
		return fmt.Errorf("scheduler: job %s: added twice", name)
	}
	e := &entry{JobInfo: JobInfo{Name: name, Spec: spec, Jitter: jitter}, sched: g, job: job}
	s.jobs = append(s.jobs, e)
	s.byName[name] = e
	return nil
}

// Jobs lists the registered jobs in the order they were added.
func (s *Scheduler) Jobs() []JobInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]JobInfo, len(s.jobs))
	for i, e := range s.jobs {
		out[i] = e.JobInfo
	}
	return out
}

// Next returns the job's next n firing times after from, in the scheduler's
// zone. It returns fewer when the schedule ends (a spec such as Feb 30 never
// fires).
func (s *Scheduler) Next(name string, from time.Time, n int) ([]time.Time, error) {
	e, err := s.entry(name)
	if err != nil {
		return nil, err
	}
	out := make([]time.Time, 0, max(n, 0))
	t := from.In(s.loc)
	for len(out) < n {
		if t = e.sched.Next(t); t.IsZero() {
			break
		}
		out = append(out, t.In(s.loc))
	}
	return out, nil
}

// Slot returns the slot a wake-up at now belongs to: the job's latest
// scheduled time at or before now, within CatchUpWindow.
func (s *Scheduler) Slot(name string, now time.Time) (time.Time, error) {
	e, err := s.entry(name)
	if err != nil {
		return time.Time{}, err
	}
	slot, ok := e.sched.prev(now.In(s.loc), CatchUpWindow)
	if !ok {
		return time.Time{}, fmt.Errorf("scheduler: job %s: no scheduled time in the %v before %v", name, CatchUpWindow, now)
	}
	return slot, nil
}

func (s *Scheduler) entry(name string) (*entry, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.byName[name]
	if !ok {
		return nil, fmt.Errorf("scheduler: no job %q", name)
	}
	return e, nil
}

var errNoStore = errors.New("scheduler: created without a store; it can only plan")

// Fire runs job name's firing at slot if this caller wins its claim: claim,
// jitter, body with the current time (Options.Now), then finish. ran reports
// whether the body was started here; false with a nil error means another
// replica holds or has completed the slot. A body's error or panic is
// returned with ran true, after the claim was released for a retry. Fire logs
// every error it returns.
func (s *Scheduler) Fire(ctx context.Context, name string, slot time.Time) (ran bool, err error) {
	e, err := s.entry(name)
	if err != nil {
		return false, err
	}
	if s.st == nil {
		return false, errNoStore
	}
	log := s.log.With("job", name, "slot", slot.In(s.loc).Format(time.DateTime))

	// The lease runs on Redis' clock from the claim; measuring it from just
	// before the claim with the monotonic clock errs on the safe side.
	start := time.Now()
	ok, err := s.st.ClaimJob(ctx, name, slot, s.lease)
	if err != nil {
		log.Error("cannot claim the firing", "err", err)
		return false, fmt.Errorf("scheduler: job %s: %w", name, err)
	}
	if !ok {
		log.Debug("firing claimed elsewhere or done")
		return false, nil
	}
	leaseEnd := start.Add(s.lease - s.lease/10)
	runCtx, cancel := context.WithDeadline(ctx, leaseEnd)
	defer cancel()
	ran, err = s.run(runCtx, e, log)

	book, cancelBook := context.WithTimeout(context.WithoutCancel(ctx), bookkeepingTimeout)
	defer cancelBook()
	if err != nil {
		// Past the lease the claim may be another replica's by now: leave it
		// to expire rather than delete someone else's.
		if time.Now().Before(leaseEnd) {
			if rerr := s.st.ReleaseJob(book, name, slot); rerr != nil {
				log.Warn("cannot release the claim; the slot waits for its lease", "err", rerr)
			}
		}
		if ran {
			log.Error("job failed; the slot stays open for a retry", "err", err)
		} else {
			log.Info("stopped before the job ran", "err", err)
		}
		return ran, fmt.Errorf("scheduler: job %s at %v: %w", name, slot, err)
	}
	if err := s.st.FinishJob(book, name, slot); err != nil {
		log.Error("job ran but its completion was not recorded; it may run again", "err", err)
		return true, fmt.Errorf("scheduler: job %s at %v: %w", name, slot, err)
	}
	log.Info("job done", "took", time.Since(start).Round(time.Millisecond))
	return true, nil
}

// run waits the jitter and runs the body, turning a panic into an error so
// that one bad job neither kills the process nor leaves its slot claimed.
func (s *Scheduler) run(ctx context.Context, e *entry, log *slog.Logger) (ran bool, err error) {
	if e.Jitter > 0 {
		t := time.NewTimer(rand.N(e.Jitter + 1))
		select {
		case <-ctx.Done():
			t.Stop()
			return false, ctx.Err()
		case <-t.C:
		}
	}
	defer func() {
		if r := recover(); r != nil {
			log.Error("job panicked", "panic", r, "stack", string(debug.Stack()))
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	ran = true
	return true, e.job.Run(ctx, s.now().In(s.loc))
}

// CatchUp fires, once, every job whose latest scheduled time at or before now
// (within CatchUpWindow) has not completed and is not before the job's first
// start (store.JobStarts, recorded here on the deployment's first start).
// The claim does the comparison with the last done slot atomically, so
// replicas that start together run each missed firing once. Jobs catch up
// concurrently, so that their jitters overlap.
//
// In quiet hours a missed firing that was scheduled outside them waits for
// their end: CatchUp returns when it has run, was superseded, or ctx ended
// the wait. See the package documentation. CatchUp logs every error it
// returns.
func (s *Scheduler) CatchUp(ctx context.Context, now time.Time) error {
	if s.st == nil {
		return errNoStore
	}
	s.mu.Lock()
	jobs := slices.Clone(s.jobs)
	s.mu.Unlock()
	if len(jobs) == 0 {
		return nil
	}
	now = now.In(s.loc)
	names := make([]string, len(jobs))
	for i, e := range jobs {
		names[i] = e.Name
	}
	starts, err := s.st.JobStarts(ctx, now, names...)
	if err != nil {
		s.log.Error("cannot read the first start; nothing is caught up", "err", err)
		return fmt.Errorf("scheduler: catch-up: %w", err)
	}
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	for _, e := range jobs {
		slot, ok := e.sched.prev(now, CatchUpWindow)
		if !ok || !s.missed(e, slot, starts[e.Name]) {
			continue
		}
		wg.Go(func() {
			var err error
			switch {
			case s.Quiet(now) && !s.Quiet(slot):
				err = s.catchUpAfterQuiet(ctx, e, now, slot, starts[e.Name])
			case !s.superseded(e, slot, now):
				err = s.catchUp(ctx, e, slot)
			}
			if err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// missed reports whether slot is one CatchUp may run: not before the job's
// first start. (Whether it already ran is the claim's to say.)
func (s *Scheduler) missed(e *entry, slot, start time.Time) bool {
	if slot.Before(start) {
		s.log.Debug("firing before the first start is not caught up", "job", e.Name,
			"slot", slot.Format(time.DateTime), "first_start", start.In(s.loc).Format(time.DateTime))
		return false
	}
	return true
}

func (s *Scheduler) catchUp(ctx context.Context, e *entry, slot time.Time) error {
	ran, err := s.Fire(ctx, e.Name, slot)
	if ran && err == nil {
		s.log.Info("caught up a missed firing", "job", e.Name, "slot", slot.Format(time.DateTime))
	}
	return err
}

// catchUpAfterQuiet waits from now, in quiet hours, for their end, then runs
// the job's latest firing unless the job fires again before the next quiet
// hours: that firing, as fresh, supersedes the catch-up.
func (s *Scheduler) catchUpAfterQuiet(ctx context.Context, e *entry, now, slot, start time.Time) error {
	wake := s.QuietEnd(now)
	s.log.Info("missed firing waits for the end of quiet hours", "job", e.Name,
		"slot", slot.Format(time.DateTime), "until", wake.Format(time.DateTime))
	select {
	case <-ctx.Done():
		s.log.Info("stopped before a deferred catch-up", "job", e.Name, "slot", slot.Format(time.DateTime))
		return nil
	case <-s.after(wake.Sub(now)):
	}
	// A firing may have come meanwhile (one scheduled in the quiet hours):
	// the latest is what is missed now, and the claim refuses it if it ran.
	latest, ok := e.sched.prev(wake, CatchUpWindow)
	if !ok || !s.missed(e, latest, start) {
		return nil
	}
	if s.superseded(e, latest, wake) {
		return nil
	}
	return s.catchUp(ctx, e, latest)
}

// superseded reports whether the catch-up of slot at t is left to the job's
// next firing: it comes before the next quiet hours begin, so it runs in the
// same waking hours, with data as fresh. Without quiet hours nothing is.
func (s *Scheduler) superseded(e *entry, slot, t time.Time) bool {
	quiet := s.quietStart(t)
	if quiet.IsZero() {
		return false
	}
	next := e.sched.Next(t)
	if next.IsZero() || !next.Before(quiet) {
		return false
	}
	s.log.Info("missed firing left to the next one, before quiet hours", "job", e.Name,
		"slot", slot.Format(time.DateTime), "next", next.In(s.loc).Format(time.DateTime))
	return true
}

// Quiet reports whether t falls in the quiet hours.
func (s *Scheduler) Quiet(t time.Time) bool {
	from, to, h := s.quietFrom, s.quietTo, t.In(s.loc).Hour()
	switch {
	case from == to:
		return false
	case from < to:
		return h >= from && h < to
	default: // across midnight
		return h >= from || h < to
	}
}

// QuietEnd returns the end of the quiet hours t is in: the first full hour
// after t that is not quiet. Outside quiet hours it returns t.
func (s *Scheduler) QuietEnd(t time.Time) time.Time {
	t = t.In(s.loc)
	if !s.Quiet(t) {
		return t
	}
	h := time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), 0, 0, 0, s.loc)
	for i := 1; i <= 48; i++ {
		if n := h.Add(time.Duration(i) * time.Hour); !s.Quiet(n) {
			return n
		}
	}
	return t // no end: cannot happen with quiet hours between 0 and 24
}

// quietStart returns when the next quiet hours after t begin: the first full
// hour after t that is quiet and follows one that is not. Zero when there
// are none.
func (s *Scheduler) quietStart(t time.Time) time.Time {
	t = t.In(s.loc)
	h := time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), 0, 0, 0, s.loc)
	for i := 1; i <= 48; i++ {
		n := h.Add(time.Duration(i) * time.Hour)
		if s.Quiet(n) && !s.Quiet(n.Add(-time.Hour)) {
			return n
		}
	}
	return time.Time{}
}

// Run starts cron, catches up missed firings (those deferred past quiet hours
// while it waits; cron fires meanwhile), and blocks until ctx is done;
// then it stops cron and waits for running jobs, which see ctx cancelled.
// Errors of single firings are logged, not returned: a Redis outage at start
// must not stop the next firings from trying.
func (s *Scheduler) Run(ctx context.Context) error {
	if s.st == nil {
		return errNoStore
	}
	s.mu.Lock()
	if s.started {
		s.mu.Unlock()
		return errors.New("scheduler: Run called twice")
	}
	s.started = true
	jobs := slices.Clone(s.jobs)
	s.mu.Unlock()

	c := cron.New(cron.WithLocation(s.loc), cron.WithLogger(cronLogger{s.log}))
	for _, e := range jobs {
		c.Schedule(e.sched, cron.FuncJob(func() { s.tick(ctx, e) }))
	}
	// cron first, then catch-up: a firing due meanwhile then shares the
	// catch-up's slot and claim instead of running beside it.
	c.Start()
	s.log.Info("scheduler started", "jobs", len(jobs), "zone", s.loc.String())
	_ = s.CatchUp(ctx, s.now())
	<-ctx.Done()
	<-c.Stop().Done()
	s.log.Info("scheduler stopped")
	return nil
}

// tick is what cron calls: name the slot of this wake-up and fire it.
func (s *Scheduler) tick(ctx context.Context, e *entry) {
	if ctx.Err() != nil {
		return
	}
	slot, err := s.Slot(e.Name, s.now())
	if err != nil {
		s.log.Error("woken without a slot", "job", e.Name, "err", err)
		return
	}
	_, _ = s.Fire(ctx, e.Name, slot)
}

// grid is a schedule that can also name the firing at or before a time.
type grid interface {
	cron.Schedule
	// prev returns the latest firing in (t-within, t].
	prev(t time.Time, within time.Duration) (time.Time, bool)
}

func newGrid(s cron.Schedule) (grid, error) {
	switch s := s.(type) {
	case *cron.SpecSchedule:
		return specGrid{s}, nil
	case cron.ConstantDelaySchedule:
		return everyGrid{s.Delay}, nil
	}
	return nil, fmt.Errorf("unsupported schedule type %T", s)
}

// specGrid is a five-field or descriptor schedule. cron has no Prev, so prev
// searches backwards in doubling windows and then walks forward: a few Next
// calls for any schedule, without stepping minute by minute through a week.
type specGrid struct{ *cron.SpecSchedule }

func (g specGrid) prev(t time.Time, within time.Duration) (time.Time, bool) {
	for w := time.Minute; ; w *= 2 {
		w = min(w, within)
		// Next is strictly after its argument, so n is in (t-w, t] when found.
		if n := g.Next(t.Add(-w)); !n.IsZero() && !n.After(t) {
			for {
				m := g.Next(n)
				if m.IsZero() || m.After(t) {
					return n, true
				}
				n = m
			}
		}
		if w == within {
			return time.Time{}, false
		}
	}
}

// everyGrid is "@every d" on multiples of d since Go's zero time, the same
// grid on every replica whenever it started.
type everyGrid struct{ d time.Duration }

func (g everyGrid) Next(t time.Time) time.Time { return t.Truncate(g.d).Add(g.d) }

func (g everyGrid) prev(t time.Time, within time.Duration) (time.Time, bool) {
	p := t.Truncate(g.d)
	if t.Sub(p) >= within {
		return time.Time{}, false
	}
	return p, true
}

// cronLogger sends cron's own chatter (a line per wake-up) to Debug.
type cronLogger struct{ log *slog.Logger }

func (l cronLogger) Info(msg string, kv ...any) { l.log.Debug("cron: "+msg, kv...) }
func (l cronLogger) Error(err error, msg string, kv ...any) {
	l.log.Error("cron: "+msg, append(kv, "err", err)...)
}
