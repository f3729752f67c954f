package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/store"
)

// The combined-list ledger: 15 units, 8 localities, 10 owners, 20% overdue,
// every case's fields drawn independently (a fixed seed per case).
var (
	combinedUnits = []string{"区住建局", "区人社局", "区自然资源局", "区城管局", "区教育局", "区卫健委", "区农业农村局", "市生态环境局青川分局",
		"区国资办", "区房管中心", "区司法局", "区信访局", "区公安分局", "市住建委", "住房保障专班"}
	combinedAreas = []string{"云溪街道", "桂园街道", "新港街道", "石桥镇", "白沙镇", "柳湾镇", "河口街道", "青峰镇"}
)

// combinedCase is case i of the combined-list ledger.
func combinedCase(i int) (*xfbot.Case, bool) {
	r := rand.New(rand.NewPCG(uint64(i), 12))
	overdue := r.IntN(5) == 0
	due := today.AddDays(1 + r.IntN(200))
	if overdue {
		due = today.AddDays(-1 - r.IntN(60))
	}
	c := typicalCase(i, due)
	c.Unit, c.Area = combinedUnits[r.IntN(len(combinedUnits))], combinedAreas[r.IntN(len(combinedAreas))]
	c.Owner = xfbot.Person{OpenID: fmt.Sprintf("ou_owner%d", r.IntN(10)), Name: "赵建"}
	return c, overdue
}

// fillCombined registers n cases of the combined-list ledger and returns
// how many are overdue, of 区人社局, in 青峰镇 and owned by ou_owner3.
func fillCombined(tb testing.TB, st *store.Store, n int) int {
	ctx := context.Background()
	var want atomic.Int64
	var wg sync.WaitGroup
	work := make(chan int)
	for w := 0; w < 16; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				c, overdue := combinedCase(i)
				if overdue && c.Unit == "区人社局" && c.Area == "青峰镇" && c.Owner.OpenID == "ou_owner3" {
					want.Add(1)
				}
				tx := st.NewTx()
				tx.CreateCase(c, 2026)
				if _, err := st.Commit(ctx, tx); err != nil {
					tb.Error(err)
					return
				}
			}
		}()
	}
	for i := 0; i < n; i++ {
		work <- i
	}
	close(work)
	wg.Wait()
	return int(want.Load())
}

// BenchmarkListCombined measures 列表 逾期 单位:区人社局 属地:青峰镇 我的 in
// the store (the first page of 30 and the exact total) at 100,000 open
// cases: the overdue window on idx:owner:<id> intersected with the unit's
// and the locality's index in one script. Liaison adds a liaison's scope
// (unit as 主责单位 or 属地, a union) to unit and locality; Category adds
// a condition without an index (matched on the candidates' records).
//
// Figures (2026-12-02, a private redis-server 7.0 on the shared 2-core
// machine at load average ~22, so several times what an idle host shows):
// ThreeFilters 34 ms, Liaison 52 ms, UnitWhole 7.0 ms, Category 43 ms per
// op. The handlers' BenchmarkListCommand (the whole command) 39 ms.
func BenchmarkListCombined(b *testing.B) {
	rdb := realRedis(b)
	defer rdb.Close()
	const n = 100_000
	prefix := "bench_combined"
	cleanup(b, rdb, prefix)
	defer cleanup(b, rdb, prefix)
	st := store.New(rdb, prefix)
	want := fillCombined(b, st, n)
	ctx := context.Background()
	unit := store.Cond{Field: store.FieldUnit, Values: []string{"区人社局"}}
	area := store.Cond{Field: store.FieldArea, Values: []string{"青峰镇"}}
	run := func(b *testing.B, q store.Query, check func(total int) bool) {
		for b.Loop() {
			cs, total, err := st.List(ctx, q)
			if err != nil || !check(total) || len(cs) != min(total, 30) {
				b.Fatalf("list = %d of %d, %v", len(cs), total, err)
			}
		}
	}
	b.Run("ThreeFilters", func(b *testing.B) {
		q := store.Query{Index: store.IndexOwner("ou_owner3"), DueTo: today.AddDays(-1), Limit: 30, Where: [][]store.Cond{{unit}, {area}}}
		run(b, q, func(total int) bool { return total == want })
	})
	b.Run("Liaison", func(b *testing.B) {
		scope := []store.Cond{{Field: store.FieldUnit, Values: []string{"区住建局"}}, {Field: store.FieldArea, Values: []string{"区住建局"}}}
		q := store.Query{Index: store.IndexOpen(), DueTo: today.AddDays(-1), Limit: 30, Where: [][]store.Cond{scope, {area}}}
		run(b, q, func(total int) bool { return total > 0 })
	})
	b.Run("UnitWhole", func(b *testing.B) { // 列表 单位:区人社局: about 6,700 cases counted
		q := store.Query{Index: store.IndexOpen(), Limit: 30, Where: [][]store.Cond{{unit}}}
		run(b, q, func(total int) bool { return total > 6000 })
	})
	b.Run("Category", func(b *testing.B) {
		q := store.Query{Index: store.IndexOpen(), DueTo: today.AddDays(-1), Limit: 30, Where: [][]store.Cond{{unit}, {area}, {{Field: store.FieldCategory, Values: []string{"land_demolition"}}}}}
		run(b, q, func(total int) bool { return total > 0 })
	})
}

// BenchmarkFigures measures the statistics that count a unit's and a
// person's open cases by due day, on the combined-list ledger at 100,000
// open cases: Period is 统计 本月's reads (every unit's open and overdue
// cases, with the period's counters), Members is 统计 成员's (ten owners'
// open, overdue and fresh cases). Members reads the owners' sets of case
// numbers intersected with idx:open (openOfScript); Period the units'
// sorted sets, kept as such because a set made it 500× slower.
func BenchmarkFigures(b *testing.B) {
	rdb := realRedis(b)
	defer rdb.Close()
	const n = 100_000
	prefix := "bench_figures"
	cleanup(b, rdb, prefix)
	defer cleanup(b, rdb, prefix)
	st := store.New(rdb, prefix)
	fillCombined(b, st, n)
	ctx := context.Background()
	b.Run("Period", func(b *testing.B) {
		p := xfbot.MonthPeriod(xfbot.MonthOf(today))
		for b.Loop() {
			d, err := st.PeriodData(ctx, p, today)
			if err != nil || d.OpenAll != n || d.Open["区人社局"] == 0 || d.Overdue["区人社局"] == 0 {
				b.Fatalf("period: %d open, 区人社局 %d open %d overdue, %v", d.OpenAll, d.Open["区人社局"], d.Overdue["区人社局"], err)
			}
		}
	})
	b.Run("Members", func(b *testing.B) {
		var owners []xfbot.Person
		for i := range 10 {
			owners = append(owners, xfbot.Person{OpenID: fmt.Sprintf("ou_owner%d", i), Name: "赵建"})
		}
		for b.Loop() {
			figs, err := st.MemberData(ctx, owners, xfbot.WeekPeriod(today), now)
			if err != nil || len(figs) != 10 || figs[3].Open == 0 || figs[3].Overdue == 0 {
				b.Fatalf("members: %+v, %v", figs, err)
			}
		}
	})
}
