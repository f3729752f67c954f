package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/qingchuan/xfbot/internal/testredis"
	"github.com/qingchuan/xfbot/store"
	"github.com/redis/go-redis/v9"
)

// TestWaitReplicas: with redis.wait_replicas a commit is acknowledged only
// once a replica has it, a redelivery of an unconfirmed commit waits again
// (never an early "duplicate" acknowledgement), and the outbox hands out no
// reply whose commit a replica could still lose. On redis-server processes
// of the test's own (a master, then a replica of it).
func TestWaitReplicas(t *testing.T) {
	ctx := context.Background()
	master := testredis.StartServer(t)
	mc := redis.NewClient(&redis.Options{Addr: master.Addr})
	t.Cleanup(func() { mc.Close() })
	st := store.New(mc, "wait").WithWaitReplicas(1, time.Second)
	if err := st.EnsureOutboxGroup(ctx); err != nil {
		t.Fatal(err)
	}
	commit := func(id string) error {
		tx := st.NewTx()
		tx.DedupeID = id
		tx.Enqueue(msg("m-"+id, "oc_group", "已记录 "+id))
		_, err := st.Commit(ctx, tx)
		return err
	}

	t.Run("NoReplicaIsNotAcknowledged", func(t *testing.T) {
		if err := commit("ev1"); !errors.Is(err, store.ErrNotReplicated) {
			t.Fatalf("commit without a replica = %v, want ErrNotReplicated", err)
		}
		// Feishu redelivers: the marker is there, but the answer is still
		// "not confirmed", not an acknowledged duplicate.
		if err := commit("ev1"); !errors.Is(err, store.ErrNotReplicated) {
			t.Fatalf("redelivery without a replica = %v, want ErrNotReplicated", err)
		}
		es, err := st.ReadOutbox(ctx, "c1", 10, 0)
		if !errors.Is(err, store.ErrNotReplicated) || len(es) != 0 {
			t.Fatalf("outbox read without a replica = %d entries, %v; want none, ErrNotReplicated", len(es), err)
		}
	})

	replica := testredis.StartServer(t, "--replicaof", strings.Replace(master.Addr, ":", " ", 1))
	rc := redis.NewClient(&redis.Options{Addr: replica.Addr})
	t.Cleanup(func() { rc.Close() })
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		info, _ := rc.Info(ctx, "replication").Result()
		if strings.Contains(info, "master_link_status:up") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the replica did not sync in 10 s:\n%s", info)
		}
	}
	// Synced, and acknowledging: the master counts it for WAIT.
	for deadline := time.Now().Add(10 * time.Second); ; {
		if n, _ := mc.Do(ctx, "wait", 1, 1000).Int(); n == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the master does not count the replica for WAIT after 10 s")
		}
	}

	t.Run("WithReplica", func(t *testing.T) {
		// The redelivery of ev1 is now confirmed: acknowledged as a duplicate.
		if err := commit("ev1"); !errors.Is(err, store.ErrDuplicate) {
			t.Fatalf("redelivery with a replica = %v, want ErrDuplicate", err)
		}
		if err := commit("ev2"); err != nil {
			t.Fatalf("commit with a replica: %v", err)
		}
		// What was acknowledged is on the replica the moment Commit returns.
		n, err := rc.Exists(ctx, "{wait}:v1:dedupe:ev2").Result()
		if err != nil || n != 1 {
			keys, _ := rc.Keys(ctx, "{wait}*").Result()
			t.Fatalf("the replica lacks ev2's marker (%d, %v); it has %q", n, err, keys)
		}
		es, err := st.ReadOutbox(ctx, "c1", 10, 0)
		if err != nil || len(es) != 1 || es[0].Msg.ID != "m-ev2" {
			t.Fatalf("outbox read = %+v, %v; want m-ev2", es, err)
		}
		// ev1's reply, read but not confirmed while no replica answered,
		// stayed pending: the claim of stale entries hands it out now.
		es, err = st.ClaimStaleOutbox(ctx, "c2", 0, 10)
		var ids []string
		for _, e := range es {
			ids = append(ids, e.Msg.ID)
		}
		if err != nil || !strings.Contains(strings.Join(ids, ","), "m-ev1") {
			t.Fatalf("claim = %q, %v; want m-ev1 among them", ids, err)
		}
	})

	t.Run("ReplicaGone", func(t *testing.T) {
		replica.Kill()
		start := time.Now()
		if err := commit("ev3"); !errors.Is(err, store.ErrNotReplicated) {
			t.Fatalf("commit after the replica died = %v, want ErrNotReplicated", err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("a commit waited %s for a dead replica; the timeout is 1s", d)
		}
	})
}

// TestChaosMasterKilled: a master killed (-9) under a load of commits, its
// replica promoted (REPLICAOF NO ONE, as Sentinel or Cluster would). With
// wait_replicas 1 every acknowledged commit is on the new master; without,
// what was lost is counted and reported (asynchronous replication on
// loopback usually keeps up, so it is often none).
func TestChaosMasterKilled(t *testing.T) {
	if testing.Short() {
		t.Skip("a fault test: starts and kills redis-servers")
	}
	for _, wait := range []int{1, 0} {
		t.Run(fmt.Sprintf("wait_replicas=%d", wait), func(t *testing.T) {
			ctx := context.Background()
			master := testredis.StartServer(t)
			replica := testredis.StartServer(t, "--replicaof", strings.Replace(master.Addr, ":", " ", 1))
			rc := redis.NewClient(&redis.Options{Addr: replica.Addr})
			t.Cleanup(func() { rc.Close() })
			for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
				if info, _ := rc.Info(ctx, "replication").Result(); strings.Contains(info, "master_link_status:up") {
					break
				}
				if time.Now().After(deadline) {
					t.Fatal("the replica did not sync")
				}
			}
			mc := redis.NewClient(&redis.Options{Addr: master.Addr, MaxRetries: -1})
			t.Cleanup(func() { mc.Close() })
			st := store.New(mc, "chaos").WithWaitReplicas(wait, 500*time.Millisecond)

			var mu sync.Mutex
			var acked []string
			stop := make(chan struct{})
			var wg sync.WaitGroup
			for w := range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := 0; ; i++ {
						select {
						case <-stop:
							return
						default:
						}
						id := fmt.Sprintf("w%d-%d", w, i)
						tx := st.NewTx()
						tx.DedupeID = id
						tx.Enqueue(msg("m-"+id, "oc_chaos", "已记录"))
						if _, err := st.Commit(ctx, tx); err == nil {
							mu.Lock()
							acked = append(acked, id)
							mu.Unlock()
						}
					}
				}()
			}
			time.Sleep(time.Second)
			master.Kill() // mid-load
			close(stop)
			wg.Wait()
			if err := rc.Do(ctx, "replicaof", "no", "one").Err(); err != nil {
				t.Fatal(err)
			}
			lost := 0
			for _, id := range acked {
				if n, err := rc.Exists(ctx, "{chaos}:v1:dedupe:"+id).Result(); err != nil {
					t.Fatal(err)
				} else if n == 0 {
					lost++
				}
			}
			t.Logf("%d commits acknowledged before the master died, %d of them missing on the promoted replica", len(acked), lost)
			if len(acked) == 0 {
				t.Fatal("no commit acknowledged: the load did not run")
			}
			if wait > 0 && lost > 0 {
				t.Errorf("%d acknowledged commits lost with wait_replicas %d", lost, wait)
			}
		})
	}
}
