package handlers_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/internal/testredis"
	"github.com/qingchuan/xfbot/store"
)

// BenchmarkListOverdueDistricts measures the whole command 列表 逾期 (the
// mux, the caller read, one list script, the card rendered and queued, read
// back from the outbox) in one district of 10,000 cases while 99 more
// districts of 10,000 each live in the same Redis (or Redis Cluster) under
// their own prefixes: 1,000,000 cases in all (issue 13; the target is
// < 20 ms). Each district's cases mix those running on time, 20% overdue
// (1–60 days), 10% quiet for 30 days (stale), 10% resolved or closed.
//
// A load test: it runs only with XFBOT_LOAD_TEST set and a real Redis
// (XFBOT_TEST_REDIS_CLUSTER or XFBOT_TEST_REDIS_ADDR), fills through
// store.Import's pipelines (1,000 cases a round trip, 8 at once) and
// reports the fill time (fill-s). XFBOT_BENCH_DISTRICTS changes the number
// of districts beside the measured one (default 99). The other districts'
// keys are deleted afterwards unless XFBOT_BENCH_KEEP is set, and a run
// that finds them complete (bench_listdist_<i>'s marker) does not fill them
// again.
//
//	XFBOT_LOAD_TEST=1 XFBOT_TEST_REDIS_CLUSTER=127.0.0.1:7400,127.0.0.1:7401,127.0.0.1:7402 \
//	  go test -run XXX -bench ListOverdueDistricts -benchtime 200x ./handlers
func BenchmarkListOverdueDistricts(b *testing.B) {
	if os.Getenv("XFBOT_LOAD_TEST") == "" || !testredis.Real() {
		b.Skip("a load test: set XFBOT_LOAD_TEST and XFBOT_TEST_REDIS_CLUSTER (or XFBOT_TEST_REDIS_ADDR)")
	}
	const size = 10_000
	others := 99
	if n, err := fmt.Sscan(os.Getenv("XFBOT_BENCH_DISTRICTS"), &others); n != 1 || err != nil {
		others = 99
	}
	h := newHarness(b)
	ctx := context.Background()
	today := xfbot.DateOf(h.now, loc)

	start := time.Now()
	var filled atomic.Int64
	fill := func(st *store.Store) error {
		batch := make([]*xfbot.Case, 0, 1000)
		for i := 1; i <= size; i++ {
			batch = append(batch, districtCase(i, today, h.now))
			if len(batch) == cap(batch) || i == size {
				if err := st.Import(ctx, batch); err != nil {
					return err
				}
				filled.Add(int64(len(batch)))
				batch = batch[:0]
			}
		}
		return nil
	}
	if err := fill(h.st); err != nil {
		b.Fatal(err)
	}
	prefix := func(i int) string { return fmt.Sprintf("bench_listdist_%d", i) }
	marker := func(i int) string { return "{" + prefix(i) + "}:bench_filled" }
	work := make(chan int)
	var wg sync.WaitGroup
	var failure atomic.Value
	for range 8 {
		wg.Go(func() {
			for i := range work {
				if n, _ := h.rdb.Get(ctx, marker(i)).Int(); n == size {
					continue // kept from an earlier run (XFBOT_BENCH_KEEP)
				}
				testredis.Flush(b, h.rdb, prefix(i))
				if err := fill(store.New(h.rdb, prefix(i))); err != nil {
					failure.Store(err)
					return
				}
				h.rdb.Set(ctx, marker(i), size, 0)
			}
		})
	}
	for i := 1; i <= others; i++ {
		work <- i
	}
	close(work)
	wg.Wait()
	if err, _ := failure.Load().(error); err != nil {
		b.Fatal(err)
	}
	took := time.Since(start)
	if os.Getenv("XFBOT_BENCH_KEEP") == "" {
		b.Cleanup(func() {
			for i := 1; i <= others; i++ {
				testredis.Flush(b, h.rdb, prefix(i))
			}
		})
	}
	b.Logf("filled %d cases (%d districts kept from an earlier run) in %s: %.0f cases/s",
		filled.Load(), others+1-int(filled.Load()/size), took.Round(time.Millisecond), float64(filled.Load())/took.Seconds())

	want := fmt.Sprintf("（共 %d 件）", districtOverdue(size))
	b.ResetTimer()
	for b.Loop() {
		if r := h.reply(member, "列表 逾期"); !strings.Contains(r, want) {
			b.Fatalf("reply, want %s: %.300s", want, r)
		}
	}
	b.ReportMetric(took.Seconds(), "fill-s")
	b.ReportMetric(float64(others+1), "districts")
}

// districtCase is the i-th case of a district: 20% overdue, 10% quiet for
// 30 days, 10% resolved or closed, the rest due within 200 days.
func districtCase(i int, today xfbot.Date, now time.Time) *xfbot.Case {
	units := []string{"区住建局", "区人社局", "区自然资源局", "区城管局", "区教育局", "区卫健委", "区农业农村局", "区房管中心"}
	areas := []string{"云溪街道", "桂园街道", "新港街道", "石桥镇", "白沙镇", "青峰镇"}
	created := now.AddDate(0, -2, 0)
	c := &xfbot.Case{No: xfbot.FormatCaseNo(2026, i), Title: fmt.Sprintf("桂园社区回迁安置房延期交付问题%d", i), Category: "land_demolition",
		Unit: units[i%len(units)], Area: areas[i%len(areas)], Status: xfbot.StatusHandling,
		Owner:     xfbot.Person{OpenID: fmt.Sprintf("ou_owner%d", i%10), Name: "某"},
		CreatedAt: created, UpdatedAt: now.AddDate(0, 0, -1), LastProgressAt: now.AddDate(0, 0, -1),
		Petitioner: xfbot.Petitioner{Name: "张建国", Phone: "19900001234"}}
	c.Due = today.AddDays(1 + i%200)
	switch {
	case i%10 == 0:
		c.Due = today.AddDays(-1 - i%60) // overdue
	case i%10 == 5:
		c.Due = today.AddDays(-1 - i%30) // overdue
	case i%10 == 3:
		c.LastProgressAt, c.UpdatedAt = now.AddDate(0, 0, -30), now.AddDate(0, 0, -30) // stale, on time
	case i%10 == 7:
		c.Status = xfbot.StatusResolved
		c.Due = today.AddDays(-1 - i%40) // past, but no longer chased
	case i%10 == 9 && i%20 == 9:
		c.Status = xfbot.StatusClosed
	}
	c.AcceptedOn = c.Due.AddDays(-60)
	return c
}

// districtOverdue is how many of districtCase(1…n) are open and overdue.
func districtOverdue(n int) int {
	k := 0
	for i := 1; i <= n; i++ {
		if m := i % 10; m == 0 || m == 5 {
			k++
		}
	}
	return k
}
