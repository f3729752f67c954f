package store

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/qingchuan/xfbot"
	"github.com/redis/go-redis/v9"
)

// ErrDuplicate is returned by Commit when the event was handled before: the
// write and its replies happened then, and nothing happens now.
var ErrDuplicate = errors.New("store: duplicate event")

// ErrAlreadySent is returned by Commit when a reminder the Tx marks as sent
// (MarkSent) was sent by someone else in the meantime: nothing was written;
// re-read the ledger and build the message again.
var ErrAlreadySent = errors.New("store: reminder already sent")

// DedupeTTL is how long an event id is remembered. Feishu redelivers an
// unacknowledged event for about 7.1 hours; a day leaves a wide margin.
const DedupeTTL = 24 * time.Hour

// auditMaxLen caps the global audit stream (approximate trimming); per-case
// history is kept whole in the case's own list.
const auditMaxLen = 1_000_000

//go:embed commit.lua
var commitSrc string

var commitScript = redis.NewScript(luaBucket + commitSrc)

// Store is the Redis adapter of the ledger. Every exported method is one
// round trip to Redis: one pipeline of reads, or one script that writes.
type Store struct {
	rdb redis.UniversalClient
	k   keys
	loc *time.Location
	cal *xfbot.Calendar // the deadlines' working days; nil: weekends only
	gap xfbot.Gaps      // the 久未更新/久未接触 deadlines' gaps
	// calEvents: reception writes queue their calendar events (calendar.go).
	calEvents bool
	ix        *xfbot.Indexer // the search index's terms (search.go)
	// wait is redis.wait_replicas (wait.go): replicas a commit waits for.
	wait        int
	waitTimeout time.Duration

	tokenOnce sync.Once
	tokens    *TokenCache
}

// New returns a Store on rdb whose keys start with {prefix}:v1:.
// Statistics count days in Asia/Shanghai unless In says otherwise.
func New(rdb redis.UniversalClient, prefix string) *Store {
	return &Store{rdb: rdb, k: newKeys(prefix), loc: shanghai, gap: xfbot.DefaultGaps, ix: xfbot.NewIndexer([]byte(unconfiguredSecret))}
}

// In sets the zone whose days the statistics count in (the configured
// timezone) and returns s.
func (s *Store) In(loc *time.Location) *Store {
	if loc != nil {
		s.loc = loc
	}
	return s
}

// WithCalendar sets the working-day calendar the deadline index counts
// with (the configured holidays; nil: weekends only) and returns s. Every
// replica of a deployment must use the same one, or one replica's write
// and the next one's disagree about a deadline's day.
func (s *Store) WithCalendar(cal *xfbot.Calendar) *Store {
	s.cal = cal
	return s
}

// WithGaps sets the gaps of the 久未更新 and 久未接触 deadlines the index
// holds (reminders.stale_days, contact_backlog_days, contact_key_days;
// default xfbot.DefaultGaps) and returns s. Like the calendar, every
// replica must use the same ones; a changed gap moves a case's entries at
// its next write, and BackfillDeadlines (at start) moves them all, since
// its marker names the gaps.
func (s *Store) WithGaps(g xfbot.Gaps) *Store {
	if g != (xfbot.Gaps{}) {
		s.gap = g
	}
	return s
}

// Gaps are the gaps the deadline index counts 久未更新 and 久未接触 with.
func (s *Store) Gaps() xfbot.Gaps { return s.gap }

// Calendar is the calendar the deadline index counts with (nil: weekends only).
func (s *Store) Calendar() *xfbot.Calendar { return s.cal }

// Location is the zone statistics count days in.
func (s *Store) Location() *time.Location { return s.loc }

var shanghai = func() *time.Location {
	if loc, err := time.LoadLocation("Asia/Shanghai"); err == nil {
		return loc
	}
	return time.FixedZone("CST", 8*3600)
}()

// Client returns the underlying client, for health checks and the token cache.
func (s *Store) Client() redis.UniversalClient { return s.rdb }

// Ping checks that Redis answers.
func (s *Store) Ping(ctx context.Context) error { return s.rdb.Ping(ctx).Err() }

// Commit applies tx atomically: either everything in it (case write, indexes,
// progress, history, audit, queued messages and the dedupe marker) or nothing.
// It returns the case number allocated for a new case, ErrDuplicate when
// tx.DedupeID was seen before, and an *xfbot.Error with code ECONFLICT when a
// case changed since it was read (the caller reloads and retries).
func (s *Store) Commit(ctx context.Context, tx *Tx) (xfbot.CaseNo, error) {
	ops, extra, all, err := tx.encode()
	if err != nil {
		return "", fmt.Errorf("store: encode tx: %w", err)
	}
	dkey := ""
	if tx.DedupeID != "" {
		dkey = s.k.dedupe(tx.DedupeID)
	}
	args := append([]any{dkey, int(DedupeTTL / time.Second), ops}, extra...)
	res, err := s.runCommit(ctx, s.commitKeys(all, dkey), args)
	if err != nil {
		return "", fmt.Errorf("store: commit: %w", err)
	}
	if len(res) != 2 {
		return "", fmt.Errorf("store: commit: unexpected reply %q", res)
	}
	switch res[0] {
	case "ok":
		return xfbot.CaseNo(res[1]), nil
	case "dup":
		return "", ErrDuplicate
	case "conflict":
		return "", xfbot.Errorf(xfbot.ECONFLICT, "案件刚被其他人修改，请刷新后重试。")
	case "sent":
		return "", fmt.Errorf("%w: %s", ErrAlreadySent, res[1])
	case "taken": // ExpectSlotFree
		who, rest, _ := strings.Cut(res[1], "\t")
		id, slot, _ := strings.Cut(rest, "\t")
		return "", xfbot.Errorf(xfbot.EINVALID, "%s%s已有接访 %s，请换一个时段或日期。", who, xfbot.Slot(slot).Label(), id)
	}
	return "", fmt.Errorf("store: commit: unexpected reply %q", res)
}

// commitKeys are the keys the commit script is declared to touch. On one
// server the one routing key does: the script finds the others in its ops.
// On a cluster every key an op names is declared, so that while the
// ledger's slot migrates (resharding) the script runs only where all of
// them are — Redis answers ASK or TRYAGAIN until then, and the command is
// refused and delivered again — instead of reading a key that has already
// moved as missing and writing beside it. Keys made inside the script (a
// new case's, named by the number it allocates) do not exist yet.
func (s *Store) commitKeys(ops []op, dkey string) []string {
	keys := []string{s.k.members()}
	if _, ok := s.rdb.(*redis.ClusterClient); !ok {
		return keys
	}
	seen := map[string]bool{keys[0]: true}
	add := func(k string) {
		if k != "" && !seen[k] && !strings.Contains(k, "@@") {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	add(dkey)
	for _, o := range ops {
		switch {
		case o.Op == "saddm":
			for _, k := range o.Keys {
				add(o.Key + k)
			}
			continue
		case o.DL:
			for _, k := range bucketKeys(o.Key) {
				add(k) // the set is named in the script: declare them all
			}
			continue
		}
		add(o.Key)
	}
	return keys
}

// Seen reports whether an event id has been handled, for callers that want to
// skip work early. The authoritative check is the one inside Commit.
func (s *Store) Seen(ctx context.Context, eventID string) (bool, error) {
	n, err := s.rdb.Exists(ctx, s.k.dedupe(eventID)).Result()
	if err != nil {
		return false, fmt.Errorf("store: seen %s: %w", eventID, err)
	}
	return n == 1, nil
}

// scanKeys calls fn with the keys matching pattern, in batches of up to 500.
// A SCAN reaches one server; on a cluster, whose ClusterClient would send it
// to any one master, every master is scanned (the keys of one prefix share
// a slot, but while the slot migrates they are on two masters).
func (s *Store) scanKeys(ctx context.Context, pattern string, fn func([]string) error) error {
	scan := func(ctx context.Context, c redis.Cmdable) error {
		iter := c.Scan(ctx, 0, pattern, 1000).Iterator()
		var batch []string
		for iter.Next(ctx) {
			if batch = append(batch, iter.Val()); len(batch) == 500 {
				if err := fn(batch); err != nil {
					return err
				}
				batch = batch[:0]
			}
		}
		if err := iter.Err(); err != nil {
			return err
		}
		if len(batch) > 0 {
			return fn(batch)
		}
		return nil
	}
	cc, ok := s.rdb.(*redis.ClusterClient)
	if !ok {
		return scan(ctx, s.rdb)
	}
	var mu sync.Mutex // ForEachMaster scans the masters at once; fn runs one call at a time
	inner := fn
	fn = func(ks []string) error {
		mu.Lock()
		defer mu.Unlock()
		return inner(ks)
	}
	return cc.ForEachMaster(ctx, func(ctx context.Context, c *redis.Client) error { return scan(ctx, c) })
}
