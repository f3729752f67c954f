package store_test

import (
	"testing"

	"github.com/qingchuan/xfbot/internal/testredis"
	"github.com/qingchuan/xfbot/store"
)

// newTestStore returns a Store for one test: on a private miniredis by
// default, or on the Redis at XFBOT_TEST_REDIS_ADDR under a prefix of its own
// whose keys are deleted afterwards (internal/testredis).
func newTestStore(t testing.TB) *store.Store {
	t.Helper()
	st, _ := newTestStorePrefix(t)
	return st
}

// newTestStorePrefix is newTestStore that also returns the key prefix, for
// tests that must reach a key directly (keys are {prefix}:v1:...).
func newTestStorePrefix(t testing.TB) (*store.Store, string) {
	t.Helper()
	rdb, prefix := testredis.New(t)
	return store.New(rdb, prefix), prefix
}
