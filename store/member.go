package store

import (
	"context"
	"errors"
	"fmt"
	"sort"
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
