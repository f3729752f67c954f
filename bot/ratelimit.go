package bot

import (
	"context"
	"errors"
	"log/slog"
	"math"
	"sync"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"
	"golang.org/x/time/rate"
)

// Limiter admits the Sender's calls within Feishu's limits: per app
// (50 messages/s) and per chat or user (5/s).
type Limiter interface {
	// Wait blocks until one more call to chat is allowed, and takes it. It
	// returns an error only when ctx is done first; a message is never
	// dropped for a limiter's sake.
	Wait(ctx context.Context, chat string) error
}

var (
	_ Limiter = (*LocalLimiter)(nil)
	_ Limiter = (*RedisLimiter)(nil)
	_ Limiter = NoLimit{}
)

// NoLimit admits every call at once (sender.rate_limit: off): for
// benchmarks that measure the bot, not the limiter, and for a fake Feishu.
type NoLimit struct{}

func (NoLimit) Wait(ctx context.Context, _ string) error { return ctx.Err() }

// LocalLimiter keeps the limits in this process (sender.rate_limit: local):
// right for one replica, while n replicas together send n times the limit.
// It reserves tokens at Now's time and waits with Sleep, so that tests run
// it on a fake clock.
type LocalLimiter struct {
	now   func() time.Time
	sleep func(ctx context.Context, d time.Duration) error
	app   *rate.Limiter
	chats *limiters // nil when the per-chat limit is off
}

// NewLocalLimiter limits to perChat calls a second per chat and perApp in
// all, with buckets of chatBurst and appBurst (at least 1; see
// SenderOptions.PerChatBurst). rate.Inf turns a limit off. Nil now and
// sleep take the real clock.
func NewLocalLimiter(perChat, perApp rate.Limit, chatBurst, appBurst int, now func() time.Time, sleepFn func(context.Context, time.Duration) error) *LocalLimiter {
	if now == nil {
		now = time.Now
	}
	if sleepFn == nil {
		sleepFn = sleep
	}
	l := &LocalLimiter{now: now, sleep: sleepFn, app: rate.NewLimiter(perApp, max(appBurst, 1))}
	if perChat != rate.Inf {
		l.chats = newLimiters(perChat, max(chatBurst, 1))
	}
	return l
}

// Wait takes the chat's token, then the app's: a call held back by a busy
// chat does not sit on an app token others could use.
func (l *LocalLimiter) Wait(ctx context.Context, chat string) error {
	if l.chats != nil {
		if err := l.wait(ctx, l.chats.get(chat, l.now())); err != nil {
			return err
		}
	}
	return l.wait(ctx, l.app)
}

func (l *LocalLimiter) wait(ctx context.Context, rl *rate.Limiter) error {
	now := l.now()
	r := rl.ReserveN(now, 1)
	if !r.OK() {
		return errors.New("bot: rate limiter refused a single token")
	}
	if err := l.sleep(ctx, r.DelayFrom(now)); err != nil {
		r.CancelAt(l.now())
		return err
	}
	return nil
}

// RedisLimiterOptions configure a RedisLimiter. Zero values take the
// defaults.
type RedisLimiterOptions struct {
	// Prefix is the deployment's key prefix (redis.prefix, default "xf"),
	// which also makes the keys' hash tag: every replica of the deployment
	// meets on the same keys, in the same slot as the rest of its keys.
	Prefix string
	// AppID names the app credentials the limits belong to: Feishu counts
	// per app, so two apps in one deployment do not share a budget.
	AppID string
	// PerChat and PerApp are calls a second (default 5 and 50); rate.Inf
	// turns one off.
	PerChat rate.Limit
	PerApp  rate.Limit
	// MinBackoff and MaxBackoff bound the wait after Redis failed to answer
	// (default 0.5 s doubling to 60 s).
	MinBackoff time.Duration
	MaxBackoff time.Duration

	Metrics *Metrics
	Logger  *slog.Logger // default slog.Default()
	Sleep   func(ctx context.Context, d time.Duration) error
}

// RedisLimiter keeps the limits in Redis (sender.rate_limit: shared), so
// that all replicas of a deployment together stay within them. Each limit
// is a GCRA bucket of one token (calls spaced evenly: Feishu counts calls in
// a sliding second, see SenderOptions.PerChatBurst), one key per app and
// one per chat:
//
//	rate:{prefix}:v1:limit:<app_id>:app
//	rate:{prefix}:v1:limit:<app_id>:chat:<chat_id>
//
// The "rate:" comes first because redis_rate puts it there; the hash tag
// keeps the keys in the deployment's slot. A key lives for as long as its
// bucket takes to refill, a fraction of a second.
//
// When Redis does not answer, Wait fails closed: it admits nothing and
// tries again after 0.5 s, doubling to 60 s, and the message waits in the
// outbox (where it cannot be read either while Redis is down).
type RedisLimiter struct {
	rl        *redis_rate.Limiter
	app, chat string // key prefixes, without redis_rate's "rate:"
	appLim    redis_rate.Limit
	chatLim   redis_rate.Limit // zero when the per-chat limit is off
	opt       RedisLimiterOptions
	log       *slog.Logger
	// appGate lets one worker of this replica at a time wait for the app's
	// token: the others queue here rather than each polling Redis every
	// 20 ms, which at 16 workers and 3 replicas would be 2,400 calls a
	// second to hand out 50 tokens.
	appGate chan struct{}

	mu      sync.Mutex
	failing bool // logged once per outage, not once per call
}

// NewRedisLimiter returns a limiter on rdb.
func NewRedisLimiter(rdb redis.UniversalClient, opt RedisLimiterOptions) *RedisLimiter {
	if opt.Prefix == "" {
		opt.Prefix = "xf"
	}
	if opt.PerChat <= 0 {
		opt.PerChat = 5
	}
	if opt.PerApp <= 0 {
		opt.PerApp = 50
	}
	if opt.MinBackoff <= 0 {
		opt.MinBackoff = 500 * time.Millisecond
	}
	if opt.MaxBackoff <= 0 {
		opt.MaxBackoff = 60 * time.Second
	}
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	if opt.Sleep == nil {
		opt.Sleep = sleep
	}
	base := "{" + opt.Prefix + "}:v1:limit:" + opt.AppID + ":"
	l := &RedisLimiter{
		rl: redis_rate.NewLimiter(rdb), app: base + "app", chat: base + "chat:",
		appLim: gcra(opt.PerApp), opt: opt, log: opt.Logger, appGate: make(chan struct{}, 1),
	}
	if opt.PerChat != rate.Inf {
		l.chatLim = gcra(opt.PerChat)
	}
	return l
}

// gcra is r calls a second with a bucket of one. redis_rate wants an
// integer rate per period; a fractional r (0.5/s) is counted per 1000 s.
func gcra(r rate.Limit) redis_rate.Limit {
	if r == rate.Inf {
		return redis_rate.Limit{}
	}
	if f := float64(r); f == math.Trunc(f) {
		return redis_rate.Limit{Rate: int(f), Burst: 1, Period: time.Second}
	}
	return redis_rate.Limit{Rate: int(math.Round(float64(r) * 1000)), Burst: 1, Period: 1000 * time.Second}
}

// Wait takes the chat's token, then the app's (see LocalLimiter.Wait).
func (l *RedisLimiter) Wait(ctx context.Context, chat string) error {
	if !l.chatLim.IsZero() {
		if err := l.take(ctx, l.chat+chat, l.chatLim); err != nil {
			return err
		}
	}
	if l.appLim.IsZero() {
		return ctx.Err()
	}
	select {
	case l.appGate <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-l.appGate }()
	return l.take(ctx, l.app, l.appLim)
}

// take polls key until its bucket has a token: one script call, then a
// sleep for as long as the script said the next token is away.
func (l *RedisLimiter) take(ctx context.Context, key string, lim redis_rate.Limit) error {
	for fails := 0; ; {
		res, err := l.rl.Allow(ctx, key, lim)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			l.opt.Metrics.SendLimitError()
			d := l.backoff(fails)
			fails++
			l.mu.Lock()
			first := !l.failing
			l.failing = true
			l.mu.Unlock()
			if first {
				l.log.Warn("shared rate limit: Redis did not answer; holding sends until it does", "key", key, "retry_in", d, "err", err)
			}
			if err := l.opt.Sleep(ctx, d); err != nil {
				return err
			}
			continue
		}
		if fails > 0 {
			l.mu.Lock()
			if l.failing {
				l.failing = false
				l.log.Info("shared rate limit: Redis answers again")
			}
			l.mu.Unlock()
			fails = 0
		}
		if res.Allowed > 0 {
			return nil
		}
		// Wake a little early: with a bucket of one, a token taken late is
		// time lost for good, and a timer fires late more often than a
		// poll too soon costs (one more script call, then a short sleep).
		if err := l.opt.Sleep(ctx, max(res.RetryAfter-earlyWake, 100*time.Microsecond)); err != nil {
			return err
		}
	}
}

// earlyWake is how much sooner than Redis said a waiting worker asks again
// for a token.
const earlyWake = 2 * time.Millisecond

// backoff is MinBackoff doubled per failure, up to MaxBackoff.
func (l *RedisLimiter) backoff(fails int) time.Duration {
	if fails >= 20 {
		return l.opt.MaxBackoff
	}
	return min(l.opt.MinBackoff<<fails, l.opt.MaxBackoff)
}

// limiters holds one limiter per recipient. A limiter idle for longer than
// it takes to refill is equal to a new one, so idle ones are dropped: the
// map stays as small as the set of recently active chats.
type limiters struct {
	limit rate.Limit
	burst int
	idle  time.Duration

	mu        sync.Mutex
	m         map[string]*limiter
	lastSweep time.Time
}

type limiter struct {
	*rate.Limiter
	last time.Time
}

// sweepAbove is the map size below which sweeping is not worth its time.
const sweepAbove = 1024

func newLimiters(l rate.Limit, burst int) *limiters {
	// Refill time plus one queued reservation, doubled for margin.
	refill := time.Duration(float64(burst+1) / float64(l) * float64(time.Second))
	return &limiters{limit: l, burst: burst, idle: max(2*refill, time.Second), m: map[string]*limiter{}}
}

func (ls *limiters) get(key string, now time.Time) *rate.Limiter {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	if len(ls.m) > sweepAbove && now.Sub(ls.lastSweep) >= ls.idle {
		ls.lastSweep = now
		for k, l := range ls.m {
			if now.Sub(l.last) >= ls.idle {
				delete(ls.m, k)
			}
		}
	}
	l := ls.m[key]
	if l == nil {
		l = &limiter{Limiter: rate.NewLimiter(ls.limit, ls.burst)}
		ls.m[key] = l
	}
	l.last = now
	return l.Limiter
}
