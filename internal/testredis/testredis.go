// Package testredis gives tests a Redis: a private miniredis by default, the
// real Redis at XFBOT_TEST_REDIS_ADDR, or the Redis Cluster whose seed nodes
// XFBOT_TEST_REDIS_CLUSTER lists (both set by .ci/run, one run each). On a
// real server each test works under a key prefix of its own and deletes only
// its own keys.
//
// Every store key is under the hash tag {prefix}, so one test's keys live in
// one cluster slot: a script or pipeline that reaches outside it fails on
// the cluster (CROSSSLOT, or "non local key" in a script), which is the
// point of running the suites there.
package testredis

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
)

// Env is the variable that selects a real Redis for the test suites.
const Env = "XFBOT_TEST_REDIS_ADDR"

// ClusterEnv selects a real Redis Cluster: its seed nodes, comma-separated
// (host:port,host:port,…). It wins over Env when both are set.
const ClusterEnv = "XFBOT_TEST_REDIS_CLUSTER"

var unsafe = regexp.MustCompile(`[^A-Za-z0-9_]+`)

// Real reports whether the suites run against a real Redis (a server or a
// cluster).
func Real() bool { return os.Getenv(Env) != "" || Cluster() }

// Cluster reports whether the suites run against a Redis Cluster.
func Cluster() bool { return os.Getenv(ClusterEnv) != "" }

// Addr is the real Redis the suites run against as xfbot's own config
// names it: redis.addr (comma-separated seeds on a cluster) and
// redis.cluster. Empty when the suites run on miniredis.
func Addr() (addr string, cluster bool) {
	if s := os.Getenv(ClusterEnv); s != "" {
		return s, true
	}
	return os.Getenv(Env), false
}

// Seeds splits a comma-separated address list.
func Seeds(s string) []string {
	var out []string
	for a := range strings.SplitSeq(s, ",") {
		if a = strings.TrimSpace(a); a != "" {
			out = append(out, a)
		}
	}
	return out
}

// New returns a client and a fresh key prefix for t. The client is closed and
// the prefix's keys deleted when t ends. On a cluster it is a
// *redis.ClusterClient, else a *redis.Client.
func New(t testing.TB) (redis.UniversalClient, string) {
	t.Helper()
	var b [4]byte
	_, _ = rand.Read(b[:])
	name := unsafe.ReplaceAllString(t.Name(), "_")
	if len(name) > 40 {
		name = name[:40]
	}
	prefix := "t_" + name + "_" + hex.EncodeToString(b[:])
	addr, cluster := Addr()
	if addr == "" {
		addr = miniredis.RunT(t).Addr()
	}
	rdb := Open(t, addr, cluster)
	if Real() {
		t.Cleanup(func() { Flush(t, rdb, prefix) }) // runs before Open's Close
	}
	return rdb, prefix
}

// Open returns a client on addr (seed nodes when cluster), pinged, and
// closed when t ends.
func Open(t testing.TB, addr string, cluster bool) redis.UniversalClient {
	t.Helper()
	rdb := Dial(addr, cluster)
	if err := rdb.Ping(context.Background()).Err(); err != nil {
		rdb.Close()
		t.Fatalf("redis at %s: %v", addr, err)
	}
	t.Cleanup(func() { rdb.Close() })
	return rdb
}

// Dial returns a client on addr (seed nodes when cluster), not yet
// connected; the caller closes it.
func Dial(addr string, cluster bool) redis.UniversalClient {
	if cluster {
		return redis.NewClusterClient(&redis.ClusterOptions{Addrs: Seeds(addr), PoolSize: 64})
	}
	return redis.NewClient(&redis.Options{Addr: addr, PoolSize: 64})
}

// Clone opens a second client on the server (or cluster) rdb talks to, as
// another replica of the bot would: its own pool, its own hooks. Closed
// when t ends.
func Clone(t testing.TB, rdb redis.UniversalClient) redis.UniversalClient {
	t.Helper()
	switch c := rdb.(type) {
	case *redis.ClusterClient:
		return Open(t, strings.Join(c.Options().Addrs, ","), true)
	case *redis.Client:
		return Open(t, c.Options().Addr, false)
	}
	t.Fatalf("testredis: Clone of a %T", rdb)
	return nil
}

// Flush deletes every key of prefix: on a cluster, on every master (the
// prefix's keys share one slot, but a test may have moved it). That is the
// store's keys, {prefix}:…, and the shared rate limiter's,
// rate:{prefix}:… (redis_rate puts its "rate:" first).
func Flush(t testing.TB, rdb redis.UniversalClient, prefix string) {
	ctx := context.Background()
	var mu sync.Mutex
	var ks []string
	scan := func(ctx context.Context, c *redis.Client) error {
		for _, pattern := range []string{"{" + prefix + "}:*", "rate:{" + prefix + "}:*"} {
			iter := c.Scan(ctx, 0, pattern, 1000).Iterator()
			for iter.Next(ctx) {
				mu.Lock()
				ks = append(ks, iter.Val())
				mu.Unlock()
			}
			if err := iter.Err(); err != nil {
				return err
			}
		}
		return nil
	}
	if err := eachMaster(t, ctx, rdb, scan); err != nil {
		t.Logf("testredis: cleanup %s: scan: %v", prefix, err)
	}
	for len(ks) > 0 {
		n := min(len(ks), 500)
		if err := rdb.Del(ctx, ks[:n]...).Err(); err != nil {
			t.Logf("testredis: cleanup %s: %v", prefix, err)
		}
		ks = ks[n:]
	}
}

// eachMaster runs fn on the one server, or on every master of a cluster
// at once.
func eachMaster(t testing.TB, ctx context.Context, rdb redis.UniversalClient, fn func(context.Context, *redis.Client) error) error {
	switch c := rdb.(type) {
	case *redis.ClusterClient:
		return c.ForEachMaster(ctx, fn)
	case *redis.Client:
		return fn(ctx, c)
	}
	t.Fatalf("testredis: a %T is neither a server's nor a cluster's client", rdb)
	return nil
}

// Keys returns the keys matching pattern, from every master on a cluster
// (a plain KEYS on a ClusterClient asks one node, so a test checking that
// keys are there, or gone, would look at the wrong one).
func Keys(t testing.TB, rdb redis.UniversalClient, pattern string) []string {
	t.Helper()
	ctx := context.Background()
	var mu sync.Mutex
	var ks []string
	keys := func(ctx context.Context, c *redis.Client) error {
		got, err := c.Keys(ctx, pattern).Result()
		mu.Lock()
		ks = append(ks, got...)
		mu.Unlock()
		return err
	}
	if err := eachMaster(t, ctx, rdb, keys); err != nil {
		t.Fatalf("testredis: keys %s: %v", pattern, err)
	}
	slices.Sort(ks)
	return ks
}

// NodeHook adds h where the round trips happen: to a single server's
// client, or, on a cluster, to every node's client (those there now and
// those the cluster client connects to later), so that a pipeline the
// cluster client splits over two nodes counts as the two round trips it
// is. A hook on the ClusterClient itself sees that pipeline once.
func NodeHook(rdb redis.UniversalClient, h redis.Hook) {
	cc, ok := rdb.(*redis.ClusterClient)
	if !ok {
		rdb.AddHook(h)
		return
	}
	var mu sync.Mutex
	hooked := map[*redis.Client]bool{}
	add := func(c *redis.Client) {
		mu.Lock()
		defer mu.Unlock()
		if !hooked[c] {
			hooked[c] = true
			c.AddHook(h)
		}
	}
	cc.OnNewNode(add)
	_ = cc.ForEachShard(context.Background(), func(_ context.Context, c *redis.Client) error {
		add(c)
		return nil
	})
}

// Topology reports whether cmd is the cluster client's own traffic
// (CLUSTER SLOTS/SHARDS/NODES when it reloads the slot map, COMMAND when it
// learns the commands' keys), not a round trip its caller made: a hook
// counting the store's round trips with NodeHook skips these.
func Topology(cmd redis.Cmder) bool {
	switch cmd.Name() {
	case "cluster", "command", "readonly", "asking":
		return true
	}
	return false
}
