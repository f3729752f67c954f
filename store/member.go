package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/qingchuan/xfbot"
	"github.com/redis/go-redis/v9"
)

// Members returns every member, sorted by role then name.
func (s *Store) Members(ctx context.Context) ([]xfbot.Member, error) {
	vals, err := s.rdb.HGetAll(ctx, s.k.members()).Result()
	if err != nil {
		return nil, fmt.Errorf("store: members: %w", err)
	}
	return decodeMembers(vals)
}

// decodeMembers decodes the members hash, sorted by role then name.
func decodeMembers(vals map[string]string) ([]xfbot.Member, error) {
	out := make([]xfbot.Member, 0, len(vals))
	for id, v := range vals {
		m, err := decodeMember([]byte(v))
		if err != nil {
			return nil, fmt.Errorf("store: decode member %s: %w", id, err)
		}
		out = append(out, m)
	}
	rank := func(r xfbot.Role) int {
		for i, x := range xfbot.Roles {
			if x.Role == r {
				return i
			}
		}
		return len(xfbot.Roles)
	}
	sort.Slice(out, func(i, j int) bool {
		if a, b := rank(out[i].Role), rank(out[j].Role); a != b {
			return a < b
		}
		return out[i].Name < out[j].Name
	})
	return out, nil
}

// roster is the member record's roster part (xfbot.Member: Joined …
// FormerRole), every field omitted when empty: a record written before the
// roster decodes as 在岗.
type roster struct {
	Joined     string `json:"jo,omitempty"`
	PlannedEnd string `json:"pe,omitempty"`
	Inspector  bool   `json:"in,omitempty"`
	LeaveFrom  string `json:"lf,omitempty"`
	LeaveTo    string `json:"lt,omitempty"`
	StandInID  string `json:"si,omitempty"`
	StandInN   string `json:"sn,omitempty"`
	LeaveWhy   string `json:"lr,omitempty"`
	Out        string `json:"out,omitempty"`
	Left       string `json:"left,omitempty"`
	FormerRole string `json:"fr,omitempty"`
}

func encodeRoster(m xfbot.Member) roster {
	return roster{Joined: m.Joined.String(), PlannedEnd: m.PlannedEnd.String(), Inspector: m.Inspector,
		LeaveFrom: m.Leave.From.String(), LeaveTo: m.Leave.To.String(), StandInID: m.Leave.StandIn.OpenID,
		StandInN: m.Leave.StandIn.Name, LeaveWhy: m.Leave.Reason,
		Out: string(m.Out), Left: m.Left.String(), FormerRole: string(m.FormerRole)}
}

func (r roster) decode(m *xfbot.Member) {
	m.Joined, m.PlannedEnd, m.Inspector = parseDate(r.Joined), parseDate(r.PlannedEnd), r.Inspector
	m.Leave = xfbot.Leave{From: parseDate(r.LeaveFrom), To: parseDate(r.LeaveTo),
		StandIn: xfbot.Person{OpenID: r.StandInID, Name: r.StandInN}, Reason: r.LeaveWhy}
	m.Out, m.Left, m.FormerRole = xfbot.MemberStatus(r.Out), parseDate(r.Left), xfbot.Role(r.FormerRole)
}

// UpdateMember replaces old (nil: none) with m and moves m's roster
// deadlines (请假到期, 借调期满) in the same commit: a leave cut short or a
// member recalled leaves nothing behind in the index.
func (tx *Tx) UpdateMember(old *xfbot.Member, m xfbot.Member) {
	tx.add(op{Op: "hset", Key: tx.k.members(), Field: m.OpenID, Val: tx.json(encodeMember(m))})
	var before []xfbot.Deadline
	if old != nil {
		before = old.RosterDeadlines(tx.cal)
	}
	tx.moveDeadlines(before, m.RosterDeadlines(tx.cal))
}

// recallRec is a RecallRecord as stored.
type recallRec struct {
	ID       string `json:"id"`
	MemberID string `json:"m"`
	Name     string `json:"n,omitempty"`
	Unit     string `json:"u,omitempty"`
	Role     string `json:"r,omitempty"`
	Joined   string `json:"jo,omitempty"`
	Reason   string `json:"why"`
	Text     string `json:"t,omitempty"`
	ByID     string `json:"by"`
	ByName   string `json:"byn,omitempty"`
	At       int64  `json:"at"`
	AckID    string `json:"ack,omitempty"`
	AckName  string `json:"ackn,omitempty"`
	AckAt    int64  `json:"ackat,omitempty"`
}

func encodeRecall(r xfbot.RecallRecord) recallRec {
	out := recallRec{ID: r.ID, MemberID: r.Member.OpenID, Name: r.Member.Name, Unit: r.Unit, Role: string(r.Role),
		Joined: r.Joined.String(), Reason: string(r.Reason), Text: r.Text, ByID: r.By.OpenID, ByName: r.By.Name, At: unix(r.At)}
	if r.Confirmed {
		out.AckID, out.AckName, out.AckAt = r.ConfirmedBy.OpenID, r.ConfirmedBy.Name, unix(r.ConfirmedAt)
	}
	return out
}

func decodeRecall(b []byte) (xfbot.RecallRecord, error) {
	var r recallRec
	if err := json.Unmarshal(b, &r); err != nil {
		return xfbot.RecallRecord{}, err
	}
	return xfbot.RecallRecord{ID: r.ID, Member: xfbot.Person{OpenID: r.MemberID, Name: r.Name}, Unit: r.Unit, Role: xfbot.Role(r.Role),
		Joined: parseDate(r.Joined), Reason: xfbot.RecallReason(r.Reason), Text: r.Text,
		By: xfbot.Person{OpenID: r.ByID, Name: r.ByName}, At: fromUnix(r.At),
		Confirmed: r.AckID != "", ConfirmedBy: xfbot.Person{OpenID: r.AckID, Name: r.AckName}, ConfirmedAt: fromUnix(r.AckAt)}, nil
}

// RecallID is the id of the record of a recall of openID at at.
func RecallID(openID string, at time.Time) string {
	return openID + ":" + strconv.FormatInt(at.Unix(), 10)
}

// AddRecall keeps a recall record (r.ID set, RecallID): written once, in
// the commit that takes the member off the roster.
func (tx *Tx) AddRecall(r xfbot.RecallRecord) {
	tx.add(op{Op: "absent", Key: tx.k.recalls(), Field: r.ID})
	tx.add(op{Op: "hset", Key: tx.k.recalls(), Field: r.ID, Val: tx.json(encodeRecall(r))})
}

// ConfirmRecall records the 组织部's 已记录 on r (ConfirmedBy and
// ConfirmedAt set): once; Commit refuses a second confirmation with
// ErrAlreadySent, however close the two clicks.
func (tx *Tx) ConfirmRecall(r xfbot.RecallRecord) {
	r.Confirmed = true
	tx.add(op{Op: "absent", Key: tx.k.recallAcks(), Field: r.ID})
	tx.add(op{Op: "hset", Key: tx.k.recallAcks(), Field: r.ID, Val: strconv.FormatInt(unix(r.ConfirmedAt), 10)})
	tx.add(op{Op: "hset", Key: tx.k.recalls(), Field: r.ID, Val: tx.json(encodeRecall(r))})
}

// Recalls returns every recall record, the latest first, in one round trip.
func (s *Store) Recalls(ctx context.Context) ([]xfbot.RecallRecord, error) {
	vals, err := s.rdb.HGetAll(ctx, s.k.recalls()).Result()
	if err != nil {
		return nil, fmt.Errorf("store: recalls: %w", err)
	}
	out := make([]xfbot.RecallRecord, 0, len(vals))
	for id, v := range vals {
		r, err := decodeRecall([]byte(v))
		if err != nil {
			return nil, fmt.Errorf("store: decode recall %s: %w", id, err)
		}
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].At.Equal(out[j].At) {
			return out[i].At.After(out[j].At)
		}
		return out[i].ID < out[j].ID
	})
	return out, nil
}

// Recall returns the recall record id, or nil.
func (s *Store) Recall(ctx context.Context, id string) (*xfbot.RecallRecord, error) {
	v, err := s.rdb.HGet(ctx, s.k.recalls(), id).Result()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: recall %s: %w", id, err)
	}
	r, err := decodeRecall([]byte(v))
	if err != nil {
		return nil, fmt.Errorf("store: decode recall %s: %w", id, err)
	}
	return &r, nil
}

// TokenCache keeps the Feishu tenant access token in Redis, so that every
// replica shares one token, with a copy in memory for a minute: the SDK
// asks for the token on every call, and a Redis round trip per message sent
// is a cost worth saving. It satisfies the SDK's larkcore.Cache.
type TokenCache struct {
	s     *Store
	mu    sync.Mutex
	local map[string]tokenEntry
}

type tokenEntry struct {
	value   string
	expires time.Time
}

// tokenLocalTTL bounds how long a replica trusts its copy; a token Feishu
// rejects is forgotten at once (Forget), here and in Redis.
const tokenLocalTTL = time.Minute

// TokenCache returns the store's token cache.
func (s *Store) TokenCache() *TokenCache {
	s.tokenOnce.Do(func() { s.tokens = &TokenCache{s: s, local: map[string]tokenEntry{}} })
	return s.tokens
}

// Set stores value under key for ttl.
func (c *TokenCache) Set(ctx context.Context, key, value string, ttl time.Duration) error {
	if err := c.s.rdb.Set(ctx, c.s.k.tokenCache(key), value, ttl).Err(); err != nil {
		return err
	}
	c.remember(key, value, min(ttl, tokenLocalTTL))
	return nil
}

// Get returns the value under key, or "" and no error on a miss: the SDK
// treats any error as fatal for the request.
func (c *TokenCache) Get(ctx context.Context, key string) (string, error) {
	c.mu.Lock()
	e, ok := c.local[key]
	c.mu.Unlock()
	if ok && time.Now().Before(e.expires) {
		return e.value, nil
	}
	v, err := c.s.rdb.Get(ctx, c.s.k.tokenCache(key)).Result()
	if errors.Is(err, redis.Nil) {
		return "", nil
	}
	if err == nil {
		c.remember(key, v, tokenLocalTTL)
	}
	return v, err
}

// Forget drops a cached token that Feishu rejected (the SDK retries once
// without clearing its cache, so a stale shared token would fail twice).
func (c *TokenCache) Forget(ctx context.Context, key string) error {
	c.mu.Lock()
	delete(c.local, key)
	c.mu.Unlock()
	return c.s.rdb.Del(ctx, c.s.k.tokenCache(key)).Err()
}

func (c *TokenCache) remember(key, value string, ttl time.Duration) {
	c.mu.Lock()
	c.local[key] = tokenEntry{value: value, expires: time.Now().Add(ttl)}
	c.mu.Unlock()
}
