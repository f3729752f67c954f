// Package testredis gives tests a Redis: a private miniredis by default, or
// the real Redis at XFBOT_TEST_REDIS_ADDR (set by .ci/run), where each test
// works under a key prefix of its own and deletes only its own keys.
package testredis

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"regexp"
	"testing"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
)

// Env is the variable that selects a real Redis for the test suites.
const Env = "XFBOT_TEST_REDIS_ADDR"

var unsafe = regexp.MustCompile(`[^A-Za-z0-9_]+`)

// Real reports whether the suites run against a real Redis.
func Real() bool { return os.Getenv(Env) != "" }

// New returns a client and a fresh key prefix for t. The client is closed and
// the prefix's keys deleted when t ends.
func New(t testing.TB) (*redis.Client, string) {
	t.Helper()
	var b [4]byte
	_, _ = rand.Read(b[:])
	name := unsafe.ReplaceAllString(t.Name(), "_")
	if len(name) > 40 {
		name = name[:40]
	}
	prefix := "t_" + name + "_" + hex.EncodeToString(b[:])
	addr := os.Getenv(Env)
	if addr == "" {
		addr = miniredis.RunT(t).Addr()
	}
	rdb := redis.NewClient(&redis.Options{Addr: addr, PoolSize: 64})
	if err := rdb.Ping(context.Background()).Err(); err != nil {
		t.Fatalf("redis at %s: %v", addr, err)
	}
	t.Cleanup(func() {
		defer rdb.Close()
		if !Real() {
			return
		}
		Flush(t, rdb, prefix)
	})
	return rdb, prefix
}

// Flush deletes every key of prefix.
func Flush(t testing.TB, rdb *redis.Client, prefix string) {
	ctx := context.Background()
	iter := rdb.Scan(ctx, 0, "{"+prefix+"}:*", 1000).Iterator()
	var ks []string
	for iter.Next(ctx) {
		ks = append(ks, iter.Val())
	}
	for len(ks) > 0 {
		n := min(len(ks), 500)
		if err := rdb.Del(ctx, ks[:n]...).Err(); err != nil {
			t.Logf("testredis: cleanup %s: %v", prefix, err)
		}
		ks = ks[n:]
	}
}
