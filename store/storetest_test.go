package store_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"regexp"
	"testing"

	"github.com/alicebob/miniredis/v2"
	"github.com/qingchuan/xfbot/store"
	"github.com/redis/go-redis/v9"
)

// newTestStore returns a Store for one test: on a private miniredis by
// default, or on the Redis at XFBOT_TEST_REDIS_ADDR under a prefix of its own.
// On a shared Redis only the test's own keys are deleted afterwards, so that
// parallel tests and other users of that Redis are left alone.
func newTestStore(t testing.TB) *store.Store {
	t.Helper()
	st, _ := newTestStorePrefix(t)
	return st
}

var unsafeChars = regexp.MustCompile(`[^A-Za-z0-9_]+`)

// newTestStorePrefix is newTestStore that also returns the key prefix, for
// tests that must reach a key directly (keys are {prefix}:v1:...).
func newTestStorePrefix(t testing.TB) (*store.Store, string) {
	t.Helper()
	var b [4]byte
	_, _ = rand.Read(b[:])
	name := unsafeChars.ReplaceAllString(t.Name(), "_")
	if len(name) > 40 {
		name = name[:40]
	}
	prefix := "t_" + name + "_" + hex.EncodeToString(b[:])

	addr := os.Getenv("XFBOT_TEST_REDIS_ADDR")
	if addr == "" {
		mr := miniredis.RunT(t)
		addr = mr.Addr()
	}
	rdb := redis.NewClient(&redis.Options{Addr: addr})
	if err := rdb.Ping(context.Background()).Err(); err != nil {
		t.Fatalf("redis at %s: %v", addr, err)
	}
	t.Cleanup(func() {
		defer rdb.Close()
		if os.Getenv("XFBOT_TEST_REDIS_ADDR") == "" {
			return // the miniredis goes away with the test
		}
		ctx := context.Background()
		// The pattern escapes nothing: the prefix holds only [A-Za-z0-9_].
		iter := rdb.Scan(ctx, 0, "{"+prefix+"}:*", 500).Iterator()
		var ks []string
		for iter.Next(ctx) {
			ks = append(ks, iter.Val())
		}
		if err := iter.Err(); err != nil {
			t.Logf("cleanup scan %s: %v", prefix, err)
			return
		}
		for len(ks) > 0 {
			n := min(len(ks), 500)
			// One hash tag: every key is in one slot, so one DEL may name many.
			if err := rdb.Del(ctx, ks[:n]...).Err(); err != nil {
				t.Logf("cleanup del %s: %v", prefix, err)
			}
			ks = ks[n:]
		}
	})
	return store.New(rdb, prefix), prefix
}
