package bot

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/qingchuan/xfbot/store"
	"golang.org/x/time/rate"
)

// SenderOptions configure a Sender. Zero values take the defaults.
type SenderOptions struct {
	// Consumer names this replica in the outbox's consumer group (default
	// hostname-pid). Two live replicas must not share a name.
	Consumer string
	// Workers is how many sends run at once (default 16). Feishu answers in
	// 100–300 ms, so 16 workers keep the app's 50/s limit busy.
	Workers int
	// PerChat limits sends to one chat or user (default 5/s) and PerApp all
	// sends (default 50/s): Feishu's own limits, so that we queue instead of
	// collecting 230020 and 429. rate.Inf turns a limit off.
	PerChat rate.Limit
	PerApp  rate.Limit
	// PerChatBurst and PerAppBurst are the token buckets' sizes (default 1).
	// A bucket of b at r/s lets b+r calls through in one second, and Feishu
	// counts calls in a sliding second: a burst of 5 at 5/s would send up to
	// 9 in one second and collect 230020 for the excess. A burst of 1 spaces
	// calls evenly and still reaches the full rate.
	PerChatBurst int
	PerAppBurst  int
	// Limiter, when set, admits each call instead of the per-process
	// limits above: a RedisLimiter shares them among replicas, NoLimit
	// turns them off. Nil builds a LocalLimiter from PerChat and PerApp.
	Limiter Limiter
	// NoteCards records every card's message id as this sender's, not only
	// those about cases: where districts share one Feishu app, a click is
	// routed to the district whose card it was (Tenants).
	NoteCards bool
	// MaxBackoff caps the wait between retries of one message (default 60 s).
	MaxBackoff time.Duration
	// ClaimIdle is how long a message may sit pending under a silent replica
	// before another takes it over (default 30 s). Live replicas refresh the
	// messages they hold every ClaimIdle/3.
	ClaimIdle time.Duration
	// SendTimeout bounds one call to the transport (default 30 s), so that a
	// hung connection cannot stall a worker forever.
	SendTimeout time.Duration
	// ShutdownGrace is how long Run waits, once its context is done, for
	// sends already on the wire to finish and be acknowledged (default 10 s).
	ShutdownGrace time.Duration

	Metrics *Metrics
	Logger  *slog.Logger // default slog.Default()
	// Now and Sleep drive rate limiting and backoff; tests inject a fake
	// clock so that limits are checked without real waiting. Sleep returns
	// the context's error when it is done first.
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
}

// Sender delivers the outbox: every message any part of the bot queues. It
// reads the outbox stream as one consumer of the group "senders", so several
// replicas share the work and a message is acknowledged only after Feishu
// took it. Messages to one chat are sent in order, one at a time; different
// chats go in parallel on whichever workers are free, within Feishu's
// per-chat and per-app limits.
//
// Delivery is at least once; Feishu's uuid (the message's ID, reused on every
// retry) makes it exactly once within Feishu's one-hour window.
type Sender struct {
	st  *store.Store
	t   Transport
	opt SenderOptions
	log *slog.Logger
	met *Metrics

	lim Limiter

	running  atomic.Bool
	mu       sync.Mutex
	inflight map[string]struct{}  // stream ids read or claimed and not yet settled
	acks     chan store.Delivered // delivered entries to the acker of the current run
}

// ackBatch is the most entries one acknowledgement carries.
const ackBatch = 128

// acker acknowledges delivered entries for all workers, as many at a time as
// are waiting: one Redis round trip for a burst of sends, not one each. A
// worker hands its entry over and goes on to the next message without
// waiting for the round trip; the entry stays in flight (touched, never
// claimed by another replica) until its acknowledgement is written.
// Acknowledging late is safe: until then the entry is pending in Redis, and
// should this replica die first it is sent again under the same uuid.
//
// A delivered card's message id is noted with its cases (a reply to the
// card acts on them) in the same round trip as the acknowledgement.
func (s *Sender) acker(ctx, work context.Context, acks <-chan store.Delivered) {
	batch := make([]store.Delivered, 0, ackBatch)
	for d := range acks {
		batch = append(batch[:0], d)
	more:
		for len(batch) < ackBatch {
			select {
			case d, ok := <-acks:
				if !ok {
					break more
				}
				batch = append(batch, d)
			default:
				break more
			}
		}
		if err := s.settle(ctx, work, func(c context.Context) error { return s.st.AckDelivered(c, batch...) }); err != nil {
			ids := make([]string, len(batch))
			for i, d := range batch {
				ids[i] = d.StreamID
			}
			s.log.Warn("delivered but not acknowledged; sent again later with the same uuid", "stream_ids", ids, "err", err)
		}
		for _, d := range batch {
			s.untrack(d.StreamID)
		}
	}
}

// readBatch is how many entries one read or claim takes. A replica holds at
// most heldPerWorker entries per worker pending at once (and one read more
// while dispatch waits for room).
const (
	readBatch     = 64
	heldPerWorker = 32
)

// NewSender returns a Sender reading st's outbox and delivering through t.
func NewSender(st *store.Store, t Transport, opt SenderOptions) *Sender {
	if st == nil || t == nil {
		panic("bot: NewSender needs a store and a transport")
	}
	opt = withSenderDefaults(opt)
	s := &Sender{
		st: st, t: t, opt: opt, log: opt.Logger, met: opt.Metrics, lim: opt.Limiter,
		inflight: map[string]struct{}{},
	}
	if s.lim == nil {
		s.lim = senderLocalLimiter(opt)
	}
	return s
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Run delivers the outbox until ctx is done. Then it stops reading, lets
// the sends already on the wire finish within ShutdownGrace, and returns.
// Messages it had not finished stay pending in Redis; another replica (or
// this one restarted) delivers them after ClaimIdle. Redis or Feishu being
// down does not end Run: it retries with backoff. The error reports sends
// cut off at shutdown.
func (s *Sender) Run(ctx context.Context) error { return s.run(ctx, false) }

// RunUntilEmpty is Run that also returns once the outbox is empty: nothing
// queued, nothing pending under any consumer. For tests, and for draining
// the outbox from a tool.
func (s *Sender) RunUntilEmpty(ctx context.Context) error { return s.run(ctx, true) }

func (s *Sender) run(parent context.Context, untilEmpty bool) error {
	if !s.running.CompareAndSwap(false, true) {
		return errors.New("bot: sender is already running")
	}
	defer s.running.Store(false)
	// Entries still queued when a run ends stay pending in Redis; forget
	// them here, or a later run would skip them as in flight forever.
	defer s.forgetInflight()
	ctx, stop := context.WithCancel(parent)
	defer stop()
	if err := s.retry(ctx, "create outbox group", s.st.EnsureOutboxGroup); err != nil {
		return nil // ctx ended before Redis answered; nothing was in flight
	}
	// Sends and acks run on work, which outlives ctx by the grace period:
	// cutting a send off mid-request would only make it be sent again.
	work, cancelWork := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelWork()

	acks := make(chan store.Delivered, s.opt.Workers)
	s.acks = acks
	ackerDone := make(chan struct{})
	go func() { s.acker(ctx, work, acks); close(ackerDone) }()
	defer func() { close(acks); <-ackerDone }() // after the workers: they ack through it

	q := newSendQueue(s.opt.Workers * heldPerWorker)
	var workers, loops sync.WaitGroup
	for range s.opt.Workers {
		workers.Go(func() { s.worker(ctx, work, q) })
	}
	loops.Go(func() { s.claimLoop(ctx, q) })
	loops.Go(func() { s.touchLoop(ctx) })
	s.readLoop(ctx, q, untilEmpty)
	stop()
	loops.Wait()

	done := make(chan struct{})
	go func() { workers.Wait(); close(done) }()
	grace := time.NewTimer(s.opt.ShutdownGrace)
	defer grace.Stop()
	select {
	case <-done:
		return nil
	case <-grace.C:
	}
	n := s.inflightCount()
	cancelWork()
	<-done
	return fmt.Errorf("bot: sender stopped with sends still in flight after %s; %d messages stay pending", s.opt.ShutdownGrace, n)
}

func (s *Sender) readLoop(ctx context.Context, q *sendQueue, untilEmpty bool) {
	block := time.Second
	if untilEmpty {
		block = 50 * time.Millisecond // the emptiness check runs after every empty read
	}
	for attempt := 0; ctx.Err() == nil; {
		es, err := s.st.ReadOutbox(ctx, s.opt.Consumer, readBatch, block)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			s.log.Warn("outbox read failed", "consumer", s.opt.Consumer, "err", err)
			if strings.Contains(err.Error(), "NOGROUP") {
				// Someone deleted the stream; recreate it rather than spin.
				_ = s.st.EnsureOutboxGroup(ctx)
			}
			if s.opt.Sleep(ctx, s.backoff(attempt)) != nil {
				return
			}
			attempt++
			continue
		}
		attempt = 0
		if !s.dispatch(ctx, q, es) {
			return
		}
		if untilEmpty && len(es) == 0 && s.inflightCount() == 0 {
			if n, err := s.st.OutboxDepth(ctx); err == nil && n == 0 {
				return
			}
		}
	}
}

// claimLoop takes over messages left pending by replicas that died.
func (s *Sender) claimLoop(ctx context.Context, q *sendQueue) {
	t := time.NewTicker(max(s.opt.ClaimIdle/2, 10*time.Millisecond))
	defer t.Stop()
	for {
		es, err := s.st.ClaimStaleOutbox(ctx, s.opt.Consumer, s.opt.ClaimIdle, readBatch)
		switch {
		case err != nil && ctx.Err() == nil:
			s.log.Warn("outbox claim failed", "consumer", s.opt.Consumer, "err", err)
		case len(es) > 0:
			s.log.Info("reclaimed stale outbox messages", "consumer", s.opt.Consumer, "n", len(es))
			if !s.dispatch(ctx, q, es) {
				return
			}
			if len(es) == readBatch {
				continue // more may wait behind this page
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// touchLoop keeps the messages this replica holds from looking abandoned
// while they wait in a queue or out a Feishu outage, and refreshes the depth
// gauge.
func (s *Sender) touchLoop(ctx context.Context) {
	t := time.NewTicker(max(s.opt.ClaimIdle/3, 10*time.Millisecond))
	defer t.Stop()
	var lastDepth time.Time
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if ids := s.inflightIDs(); len(ids) > 0 {
			if err := s.st.TouchOutbox(ctx, s.opt.Consumer, ids...); err != nil && ctx.Err() == nil {
				s.log.Warn("outbox touch failed", "consumer", s.opt.Consumer, "err", err)
			}
		}
		if s.met != nil && time.Since(lastDepth) >= 5*time.Second {
			lastDepth = time.Now()
			if n, err := s.st.OutboxDepth(ctx); err == nil {
				s.met.SetOutboxDepth(n)
			}
		}
	}
}

// dispatch queues entries for the workers. It marks all of them in flight
// first, so that the claim loop does not take them again while dispatch
// waits for room. It returns false when ctx ended.
func (s *Sender) dispatch(ctx context.Context, q *sendQueue, es []store.OutboxEntry) bool {
	es = s.track(es)
	for i, e := range es {
		if !q.push(ctx, e) {
			for _, rest := range es[i:] {
				s.untrack(rest.StreamID)
			}
			return false
		}
	}
	return true
}

// worker serves ready recipients one message at a time until ctx is done.
func (s *Sender) worker(ctx, work context.Context, q *sendQueue) {
	for {
		select {
		case <-ctx.Done():
			return
		case r := <-q.ready:
			e := q.head(r)
			acking := false
			if ctx.Err() == nil {
				acking = s.deliver(ctx, work, e)
			}
			if !acking {
				s.untrack(e.StreamID)
			}
			q.pop(r)
		}
	}
}

// sendQueue holds the entries a run has read and not yet handed to Feishu:
// one queue per recipient, and the recipients that have entries waiting and
// no worker on them. A recipient is served by one worker at a time, which
// keeps its messages in order; any idle worker serves the next ready one, so
// no chat waits behind another for a particular worker.
type sendQueue struct {
	room  chan struct{} // a token per entry held
	ready chan string   // recipients waiting for a worker, each at most once

	mu    sync.Mutex
	byRcp map[string][]store.OutboxEntry // present while queued or being served
}

func newSendQueue(capacity int) *sendQueue {
	return &sendQueue{room: make(chan struct{}, capacity), ready: make(chan string, capacity),
		byRcp: map[string][]store.OutboxEntry{}}
}

// push queues e behind the other entries for its recipient, waiting for room.
// It returns false when ctx ended first.
func (q *sendQueue) push(ctx context.Context, e store.OutboxEntry) bool {
	select {
	case q.room <- struct{}{}:
	case <-ctx.Done():
		return false
	}
	r := recipient(e.Msg)
	q.mu.Lock()
	es, served := q.byRcp[r]
	q.byRcp[r] = append(es, e)
	q.mu.Unlock()
	if !served {
		q.ready <- r // never blocks: at most one per entry held
	}
	return true
}

// head is the next entry for r, which the calling worker took from ready.
func (q *sendQueue) head(r string) store.OutboxEntry {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.byRcp[r][0]
}

// pop drops r's head once it was dealt with; if more wait, r goes to the back
// of ready, so that a busy chat takes turns with the others.
func (q *sendQueue) pop(r string) {
	q.mu.Lock()
	es := q.byRcp[r]
	es[0] = store.OutboxEntry{}
	es = es[1:]
	more := len(es) > 0
	if more {
		q.byRcp[r] = es
	} else {
		delete(q.byRcp, r)
	}
	q.mu.Unlock()
	<-q.room
	if more {
		q.ready <- r
	}
}

// deliver sends one message until it is delivered or given up on. Waits
// (rate limits, backoff) end with ctx; the send and its ack run on work. It
// returns true when it handed the entry to the acker, which then ends its
// time in flight.
func (s *Sender) deliver(ctx, work context.Context, e store.OutboxEntry) bool {
	m := e.Msg
	var cardErr error // set once a card was refused and m became its text
	for attempt := 0; ; {
		if s.admit(ctx, recipient(m)) != nil {
			return false // shutting down: the entry stays pending
		}
		start := s.opt.Now()
		sctx, cancel := context.WithTimeout(work, s.opt.SendTimeout)
		var id string
		var err error
		if ct, ok := s.t.(CalendarTransport); ok && m.Kind == store.KindCalendar {
			err = s.syncCalendar(sctx, ct, m)
		} else {
			id, err = s.t.Deliver(sctx, m)
		}
		cancel()
		took := s.opt.Now().Sub(start)
		log := func() *slog.Logger { // built only when there is something to say
			return s.log.With("stream_id", e.StreamID, "uuid", m.ID, "kind", m.Kind, "to", recipient(m))
		}

		if err == nil {
			s.met.Send(m.Kind, "ok", took)
			d := store.Delivered{StreamID: e.StreamID}
			if id != "" && m.Kind != store.KindPatch {
				if len(m.Cases) > 0 {
					d.MessageID, d.Cases = id, m.Cases // a reply to this card acts on its cases
				}
				if s.opt.NoteCards && m.MsgType == "interactive" {
					d.MessageID, d.Card = id, true // a click on it comes back to this district
				}
			}
			select {
			case s.acks <- d:
				return true
			case <-work.Done():
				log().Warn("delivered but not acknowledged; it will be sent again with the same uuid", "message_id", id)
				return false
			}
		}

		s.met.SendError(errorCode(err))
		if retryable(err) {
			s.met.Send(m.Kind, "retry", took)
			wait := s.retryDelay(err, attempt)
			attempt++
			log().Warn("send failed, retrying", "attempt", attempt, "wait", wait, "err", err)
			if s.opt.Sleep(ctx, wait) != nil {
				return false
			}
			continue
		}

		s.met.Send(m.Kind, "failed", took)
		if cardErr == nil && m.MsgType == "interactive" && m.Text != "" {
			// A card Feishu refuses (bad JSON, too long) still has a
			// message worth reading: send its plain text instead.
			cardErr = err
			m = textFallback(m)
			attempt = 0
			log().Warn("card refused, sending its text instead", "err", err)
			continue
		}
		reason := err.Error()
		if cardErr != nil {
			reason = "card: " + cardErr.Error() + "; text: " + reason
		}
		if err := s.settle(ctx, work, func(c context.Context) error { return s.st.DeadLetterOutbox(c, e, reason) }); err != nil {
			log().Error("send failed for good, and the dead letter was not written; it stays pending", "err", reason, "redis_err", err)
			return false
		}
		s.met.Dead()
		log().Error("send failed for good; moved to dead letters", "err", reason)
		return false
	}
}

// admit waits for the limiter to let one call to key through, and records
// how long that took.
func (s *Sender) admit(ctx context.Context, key string) error {
	start := s.opt.Now()
	err := s.lim.Wait(ctx, key)
	if err == nil {
		s.met.SendLimitWait(s.opt.Now().Sub(start))
	}
	return err
}

// settle runs a Redis write that ends a message's life (ack or dead letter)
// until it succeeds. It gives up only when ctx is done; the message then
// stays pending and is sent again later under the same uuid.
func (s *Sender) settle(ctx, work context.Context, op func(context.Context) error) error {
	for attempt := 0; ; attempt++ {
		err := op(work)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return err
		}
		s.log.Warn("outbox write failed, retrying", "err", err)
		if s.opt.Sleep(ctx, s.backoff(attempt)) != nil {
			return err
		}
	}
}

// retryDelay honours Feishu's x-ogw-ratelimit-reset when it gave one, with a
// little jitter so that workers limited together do not return together.
func (s *Sender) retryDelay(err error, attempt int) time.Duration {
	var se *SendError
	if errors.As(err, &se) && se.RetryAfter > 0 {
		return se.RetryAfter + rand.N(250*time.Millisecond)
	}
	return s.backoff(attempt)
}

// backoff is exponential with equal jitter: [500 ms, 1 s) on the first retry,
// doubling up to [MaxBackoff/2, MaxBackoff).
func (s *Sender) backoff(attempt int) time.Duration {
	d := s.opt.MaxBackoff
	if attempt < 20 {
		d = min(time.Second<<attempt, s.opt.MaxBackoff)
	}
	half := d / 2
	if half <= 0 {
		return d
	}
	return half + rand.N(half)
}

func retryable(err error) bool {
	var se *SendError
	if errors.As(err, &se) {
		return se.Retryable()
	}
	return true // not Feishu's answer: the network or the transport itself
}

// errorCode picks the label of a failed send: Feishu's code, else the HTTP
// status, else -1 for a network failure.
func errorCode(err error) int {
	var se *SendError
	if errors.As(err, &se) {
		if se.Code != 0 {
			return se.Code
		}
		if se.HTTPStatus != 0 {
			return se.HTTPStatus
		}
	}
	return -1
}

// textFallback turns a refused card into a text message with the same
// target. A card update cannot carry text, so a patch becomes a reply to the
// card's message. The uuid is derived, not reused: Feishu may have recorded
// the refused card under the original one.
func textFallback(m store.OutboundMessage) store.OutboundMessage {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // keep <at user_id="..."> readable; JSON escapes quotes and newlines
	_ = enc.Encode(map[string]string{"text": m.Text})
	m.MsgType = "text"
	m.Content = strings.TrimSuffix(b.String(), "\n")
	if m.Kind == store.KindPatch {
		m.Kind = store.KindReply
	}
	m.ID = TextFallbackUUID(m.ID)
	return m
}

// TextFallbackUUID is the uuid a message's text fallback is sent under:
// stable, so that a retried fallback is still sent at most once, and within
// Feishu's 50 characters.
func TextFallbackUUID(id string) string {
	if id == "" {
		return ""
	}
	if d := id + "-t"; len(d) <= 50 {
		return d
	}
	sum := sha256.Sum256([]byte(id + "-t"))
	return hex.EncodeToString(sum[:16])
}

// recipient is what Feishu rate-limits a message by and what keeps its
// order: the chat or user it lands in.
func recipient(m store.OutboundMessage) string {
	if m.Kind == store.KindSend && m.ReceiveID != "" {
		return m.ReceiveID
	}
	if m.ChatID != "" {
		return m.ChatID
	}
	return m.ReplyTo
}

// track marks entries in flight and returns those that were not already:
// a claim can return a message this replica still holds when a touch came
// late.
func (s *Sender) track(es []store.OutboxEntry) []store.OutboxEntry {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := es[:0:0]
	for _, e := range es {
		if _, ok := s.inflight[e.StreamID]; ok {
			continue
		}
		s.inflight[e.StreamID] = struct{}{}
		out = append(out, e)
	}
	return out
}

func (s *Sender) untrack(id string) {
	s.mu.Lock()
	delete(s.inflight, id)
	s.mu.Unlock()
}

func (s *Sender) forgetInflight() {
	s.mu.Lock()
	clear(s.inflight)
	s.mu.Unlock()
}

func (s *Sender) inflightCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.inflight)
}

func (s *Sender) inflightIDs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := make([]string, 0, len(s.inflight))
	for id := range s.inflight {
		ids = append(ids, id)
	}
	return ids
}

// retry runs op until it succeeds or ctx ends.
func (s *Sender) retry(ctx context.Context, what string, op func(context.Context) error) error {
	for attempt := 0; ; attempt++ {
		err := op(ctx)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		s.log.Warn("outbox: "+what+" failed, retrying", "err", err)
		if err := s.opt.Sleep(ctx, s.backoff(attempt)); err != nil {
			return err
		}
	}
}

// senderLocalLimiter is the per-process limiter of a sender with opt
// (its defaults applied).
func senderLocalLimiter(opt SenderOptions) *LocalLimiter {
	return NewLocalLimiter(opt.PerChat, opt.PerApp, opt.PerChatBurst, opt.PerAppBurst, opt.Now, opt.Sleep)
}

// NewSenderLimiter is the per-process limiter a Sender with opt would build
// for itself, for several senders to share (the districts of one Feishu
// app in one process: Feishu counts per app).
func NewSenderLimiter(opt SenderOptions) *LocalLimiter {
	return senderLocalLimiter(withSenderDefaults(opt))
}

// withSenderDefaults is opt with its zero values given their defaults.
func withSenderDefaults(opt SenderOptions) SenderOptions {
	if opt.Consumer == "" {
		host, _ := os.Hostname()
		opt.Consumer = host + "-" + strconv.Itoa(os.Getpid())
	}
	if opt.Workers <= 0 {
		opt.Workers = 16
	}
	if opt.PerChat <= 0 {
		opt.PerChat = 5
	}
	if opt.PerApp <= 0 {
		opt.PerApp = 50
	}
	opt.PerChatBurst = max(opt.PerChatBurst, 1)
	opt.PerAppBurst = max(opt.PerAppBurst, 1)
	if opt.MaxBackoff <= 0 {
		opt.MaxBackoff = 60 * time.Second
	}
	if opt.ClaimIdle <= 0 {
		opt.ClaimIdle = 30 * time.Second
	}
	if opt.SendTimeout <= 0 {
		opt.SendTimeout = 30 * time.Second
	}
	if opt.ShutdownGrace <= 0 {
		opt.ShutdownGrace = 10 * time.Second
	}
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Sleep == nil {
		opt.Sleep = sleep
	}
	return opt
}
