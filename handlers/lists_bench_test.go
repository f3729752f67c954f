package handlers_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/qingchuan/xfbot"
)

// BenchmarkListCommand measures the whole command 列表 逾期 单位:区人社局
// 属地:青峰镇 我的 through the mux (the caller and registry read, the
// filters parsed and resolved, one list script, the card rendered and
// queued, then read back from the outbox) at 100,000 open cases over 15
// units, 8 localities and 10 owners, 20% overdue. Liaison is a liaison's
// 列表 逾期 属地:青峰镇 (their unit as 主责单位 or 属地, one more condition).
//
// Figures (2026-12-02, a private redis-server 7.0 on the shared 2-core
// machine at load average ~22): ThreeFilters 39 ms, Liaison 38 ms per op;
// store.BenchmarkListCombined has the list script alone.
func BenchmarkListCommand(b *testing.B) {
	if os.Getenv("XFBOT_TEST_REDIS_ADDR") == "" {
		b.Skip("set XFBOT_TEST_REDIS_ADDR to measure against a real Redis")
	}
	h := newHarness(b)
	units := []string{"区住建局", "区人社局", "区自然资源局", "区城管局", "区教育局", "区卫健委", "区农业农村局", "市生态环境局青川分局",
		"区国资办", "区房管中心", "区司法局", "区信访局", "区公安分局", "市住建委", "住房保障专班"}
	areas := []string{"云溪街道", "桂园街道", "新港街道", "石桥镇", "白沙镇", "柳湾镇", "河口街道", "青峰镇"}
	ctx := context.Background()
	reg, err := h.st.Registry(ctx)
	if err != nil {
		b.Fatal(err)
	}
	var es []xfbot.RegEntry
	for _, n := range append(append([]string(nil), units...), areas...) {
		es = append(es, xfbot.RegEntry{Name: n})
	}
	reg.Seed(es)
	tx := h.st.NewTx()
	tx.PutRegistry(reg)
	if _, err := h.st.Commit(ctx, tx); err != nil {
		b.Fatal(err)
	}
	today := xfbot.NewDate(2026, 3, 16)
	var wg sync.WaitGroup
	work := make(chan int)
	for w := 0; w < 16; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				r := rand.New(rand.NewPCG(uint64(i), 12))
				due := today.AddDays(1 + r.IntN(200))
				if r.IntN(5) == 0 {
					due = today.AddDays(-1 - r.IntN(60))
				}
				owner := xfbot.Person{OpenID: fmt.Sprintf("ou_owner%d", r.IntN(10)), Name: "某"}
				if owner.OpenID == "ou_owner3" {
					owner = member
				}
				c := &xfbot.Case{Title: fmt.Sprintf("桂园社区回迁安置房延期交付问题%d", i), Category: "land_demolition",
					Unit: units[r.IntN(len(units))], Area: areas[r.IntN(len(areas))], Owner: owner, Status: xfbot.StatusHandling,
					AcceptedOn: due.AddDays(-60), Due: due, CreatedAt: h.now, UpdatedAt: h.now,
					Petitioner: xfbot.Petitioner{Name: "张建国", Phone: "19900001234"}}
				tx := h.st.NewTx()
				tx.CreateCase(c, 2026)
				if _, err := h.st.Commit(ctx, tx); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	for i := 0; i < 100_000; i++ {
		work <- i
	}
	close(work)
	wg.Wait()
	for _, bb := range []struct {
		name, text string
		who        xfbot.Person
	}{
		{"ThreeFilters", "列表 逾期 单位:区人社局 属地:青峰镇 我的", member},
		{"Liaison", "列表 逾期 属地:青峰镇", liaison},
	} {
		b.Run(bb.name, func(b *testing.B) {
			for b.Loop() {
				if r := h.reply(bb.who, bb.text); !strings.Contains(r, "（共 ") || strings.Contains(r, "（共 0 件）") {
					b.Fatalf("reply: %.200s", r)
				}
			}
		})
	}
}
