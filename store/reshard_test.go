package store_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/qingchuan/xfbot/internal/testredis"
	"github.com/qingchuan/xfbot/store"
)

// TestReshardUnderLoad moves the ledger's slot to another master (CLUSTER
// SETSLOT MIGRATING/IMPORTING, MIGRATE of its keys, SETSLOT NODE) while
// writers commit, then moves it back. Redis answers ASK and TRYAGAIN on the
// way; a commit may fail then (the webhook answers non-2xx and Feishu
// redelivers), but none is half-applied and none acknowledged is lost:
// every commit's two writes, a record and its queued reply, are both there
// or both absent, and every acknowledged one is there. Cluster only
// (XFBOT_TEST_REDIS_CLUSTER).
func TestReshardUnderLoad(t *testing.T) {
	if !testredis.Cluster() {
		t.Skip("needs a Redis Cluster (XFBOT_TEST_REDIS_CLUSTER)")
	}
	ctx := context.Background()
	rdb, prefix := testredis.New(t)
	cc, ok := rdb.(*redis.ClusterClient)
	if !ok {
		t.Fatalf("not a cluster client: %T", rdb)
	}
	st := store.New(rdb, prefix)
	tag := "{" + prefix + "}"
	slot, err := cc.ClusterKeySlot(ctx, tag).Result()
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	masters := map[string]*redis.Client{} // node id → client
	var ids []string
	if err := cc.ForEachMaster(ctx, func(ctx context.Context, c *redis.Client) error {
		id, err := c.Do(ctx, "cluster", "myid").Text()
		if err != nil {
			return err
		}
		mu.Lock()
		masters[id] = c
		ids = append(ids, id)
		mu.Unlock()
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	owner := func() string {
		slots, err := cc.ClusterSlots(ctx).Result()
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range slots {
			if int64(r.Start) <= slot && slot <= int64(r.End) {
				for id, c := range masters {
					if c.Options().Addr == r.Nodes[0].Addr {
						return id
					}
				}
			}
		}
		t.Fatal("no master serves the ledger's slot")
		return ""
	}
	move := func(from, to string) {
		src, dst := masters[from], masters[to]
		host, port, _ := strings.Cut(dst.Options().Addr, ":")
		if err := dst.Do(ctx, "cluster", "setslot", slot, "importing", from).Err(); err != nil {
			t.Fatal(err)
		}
		if err := src.Do(ctx, "cluster", "setslot", slot, "migrating", to).Err(); err != nil {
			t.Fatal(err)
		}
		for {
			keys, err := src.Do(ctx, "cluster", "getkeysinslot", slot, 20).StringSlice()
			if err != nil {
				t.Fatal(err)
			}
			if len(keys) == 0 {
				break
			}
			args := []any{"migrate", host, port, "", 0, 5000, "keys"}
			for _, k := range keys {
				args = append(args, k)
			}
			if err := src.Do(ctx, args...).Err(); err != nil {
				t.Fatalf("MIGRATE: %v", err)
			}
			time.Sleep(5 * time.Millisecond) // let the writers run between batches
		}
		for _, id := range append([]string{to, from}, ids...) {
			if err := masters[id].Do(ctx, "cluster", "setslot", slot, "node", to).Err(); err != nil {
				t.Fatal(err)
			}
		}
	}

	// The writers: each commit writes a record and queues a reply, under
	// the event's dedupe marker.
	var wmu sync.Mutex
	acked := map[string]bool{}
	tried := []string{}
	failures := map[string]int{}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 6 {
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
				tx.Enqueue(msg("m-"+id, "oc_reshard", "已记录 "+id))
				tx.Audit(store.AuditEntry{At: at, Action: "测试", Entity: "reshard:" + id})
				_, err := st.Commit(ctx, tx)
				wmu.Lock()
				tried = append(tried, id)
				if err == nil {
					acked[id] = true
				} else {
					msg := err.Error()
					if i := strings.Index(msg, "TRYAGAIN"); i >= 0 {
						msg = "TRYAGAIN"
					}
					failures[msg]++
				}
				wmu.Unlock()
			}
		}()
	}
	from := owner()
	var to string
	for _, id := range ids {
		if id != from {
			to = id
			break
		}
	}
	time.Sleep(200 * time.Millisecond)
	move(from, to)
	time.Sleep(200 * time.Millisecond)
	move(to, from) // and back: the cluster as the other tests found it
	time.Sleep(200 * time.Millisecond)
	close(stop)
	wg.Wait()

	// Every acknowledged commit is whole; no failed one is half there.
	lost, half := 0, 0
	for id := range acked {
		if n, err := rdb.Exists(ctx, tag+":v1:dedupe:"+id).Result(); err != nil {
			t.Fatal(err)
		} else if n == 0 {
			lost++
		}
	}
	// The replies queued: one per commit that took, none for one that did not.
	entries, err := rdb.XRange(ctx, tag+":v1:outbox", "-", "+").Result()
	if err != nil && !errors.Is(err, redis.Nil) {
		t.Fatal(err)
	}
	queued := map[string]int{}
	for _, e := range entries {
		for _, v := range e.Values {
			if m := replyID.FindStringSubmatch(fmt.Sprint(v)); m != nil {
				queued[m[1]]++
			}
		}
	}
	for _, id := range tried {
		marker, _ := rdb.Exists(ctx, tag+":v1:dedupe:"+id).Result()
		if (marker == 1) != (queued[id] == 1) || queued[id] > 1 {
			half++
			if half <= 5 {
				t.Errorf("commit %s: marker %d, %d replies queued: half applied", id, marker, queued[id])
			}
		}
	}
	t.Logf("%d commits tried, %d acknowledged, %d failed (%v) while the slot moved twice; %d acknowledged lost, %d half applied",
		len(tried), len(acked), len(tried)-len(acked), failures, lost, half)
	if lost > 0 {
		t.Errorf("%d acknowledged commits lost", lost)
	}
	if len(acked) == 0 {
		t.Fatal("no commit acknowledged: the load did not run")
	}
}

var replyID = regexp.MustCompile(`"m-(w\d+-\d+)"`)
