package xlsx_test

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/internal/testredis"
	"github.com/qingchuan/xfbot/store"
	"github.com/qingchuan/xfbot/xlsx"
)

// BenchmarkExport exports the whole ledger the way 导出 台账 does: the cases
// from store.EachCase straight into WriteLedger, to a file. The ledger has
// XFBOT_BENCH_EXPORT_CASES cases (default 100,000 on a real Redis, 5,000 on
// miniredis, which loads slowly and lives in this process), each with five
// timeline entries. Reported: s/export (wall), cpu-s/export (this process's
// user + system time: Redis is not in it unless on miniredis), peak-heap-MB
// (the largest HeapInuse sampled every 5 ms during the export), peak-rss-MB (the process's resident
// high-water mark during the export, Linux only; on miniredis it includes
// the ledger itself), file-MB. XFBOT_BENCH_EXPORT_FILE keeps the workbook.
//
//	XFBOT_TEST_REDIS_ADDR=127.0.0.1:6379 go test -run XXX -bench Export -benchtime 1x ./xlsx
func BenchmarkExport(b *testing.B) {
	n := 5000
	if testredis.Real() {
		n = 100_000
	}
	if v := os.Getenv("XFBOT_BENCH_EXPORT_CASES"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 1 {
			b.Fatalf("XFBOT_BENCH_EXPORT_CASES=%q", v)
		}
	}
	ctx := context.Background()
	rdb, prefix := testredis.New(b)
	st := store.New(rdb, prefix)
	loadLedger(b, st, n)

	path := os.Getenv("XFBOT_BENCH_EXPORT_FILE") // to look at the result
	if path == "" {
		path = filepath.Join(b.TempDir(), "ledger.xlsx")
	}
	opt := xlsx.Options{Audience: xfbot.GroupAudience, Today: xfbot.NewDate(2026, 3, 16), Thresholds: xfbot.DefaultThresholds,
		Location: time.FixedZone("CST", 8*3600), Title: "信访积案化解台账（全部）",
		Stats: [][]string{{"单位", "案件数"}, {"区住建局", strconv.Itoa(n / 12)}}}
	var peakHeap, peakRSS, baseRSS uint64
	var cpu time.Duration
	var size int64
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		runtime.GC()
		debug.FreeOSMemory()
		baseRSS = procStatus("VmRSS")
		resetPeakRSS()
		stop := sampleHeap()
		cpu0 := cpuTime()
		b.StartTimer()

		total, err := st.CountExport(ctx, store.ExportQuery{})
		if err != nil || total != n {
			b.Fatalf("count %d, %v; want %d", total, err, n)
		}
		f, err := os.Create(path)
		if err != nil {
			b.Fatal(err)
		}
		w := bufio.NewWriterSize(f, 1<<20)
		got, err := xlsx.WriteLedger(w, opt, func(yield func(*xfbot.Case, []xfbot.Progress) error) error {
			return st.EachCase(ctx, store.ExportQuery{}, 0, func(cs []*xfbot.Case, progs [][]xfbot.Progress) error {
				for i, c := range cs {
					if err := yield(c, progs[i]); err != nil {
						return err
					}
				}
				return nil
			})
		})
		if err == nil {
			err = w.Flush()
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil || got != n {
			b.Fatalf("exported %d, %v; want %d", got, err, n)
		}

		b.StopTimer()
		cpu += cpuTime() - cpu0
		peakHeap = max(peakHeap, stop())
		peakRSS = max(peakRSS, procStatus("VmHWM"))
		fi, _ := os.Stat(path)
		size = fi.Size()
		b.StartTimer()
	}
	b.StopTimer()
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/export")
	b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/export")
	b.ReportMetric(float64(peakHeap)/(1<<20), "peak-heap-MB")
	if peakRSS > 0 {
		b.ReportMetric(float64(peakRSS)/(1<<20), "peak-rss-MB")
		b.ReportMetric(float64(baseRSS)/(1<<20), "base-rss-MB")
	}
	b.ReportMetric(float64(size)/(1<<20), "file-MB")
	b.ReportMetric(float64(n), "cases")
}

// sampleHeap samples the heap in use (live and dead objects, free space in
// spans in use: MemStats.HeapInuse) through runtime/metrics, which does not
// stop the world as ReadMemStats does, until the returned stop, which
// returns the largest sample.
func sampleHeap() (stop func() uint64) {
	var (
		peak uint64
		wg   sync.WaitGroup
		done = make(chan struct{})
	)
	ms := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/memory/classes/heap/unused:bytes"}}
	sample := func() {
		metrics.Read(ms)
		peak = max(peak, ms[0].Value.Uint64()+ms[1].Value.Uint64())
	}
	wg.Go(func() {
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			sample()
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	})
	return func() uint64 {
		close(done)
		wg.Wait()
		sample()
		return peak
	}
}

// cpuTime is the CPU time this process used so far, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// resetPeakRSS resets the kernel's resident high-water mark (VmHWM) of this
// process (Linux ≥ 4.0); elsewhere VmHWM is not reported.
func resetPeakRSS() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// procStatus returns a "kB" field of /proc/self/status in bytes, 0 if unknown.
func procStatus(field string) uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// loadLedger imports n cases of realistic size, each with five timeline
// entries, in chunks: Import for the cases, one committed Tx per chunk for
// the timelines.
func loadLedger(b *testing.B, st *store.Store, n int) {
	b.Helper()
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(2026, 3))
	units := []string{"区住建局", "区人社局", "区农业农村局", "区市场监管局", "区城管局", "区教育局", "区卫健委", "区生态环境局", "区民政局", "区公安分局", "区自然资源局", "区司法局"}
	areas := []string{"云溪街道", "青石镇", "白沙街道", "龙泉镇", "东湖街道", "西岭镇"}
	surnames := []rune("张王李赵刘陈杨黄周吴徐孙马朱胡林郭何高罗")
	given := []rune("建国伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英")
	people := []xfbot.Person{{OpenID: "ou_a1", Name: "王五"}, {OpenID: "ou_a2", Name: "赵六"}, {OpenID: "ou_a3", Name: "钱七"}, {OpenID: "ou_a4", Name: "孙八"}}
	leaders := []xfbot.Person{{OpenID: "ou_l1", Name: "周某"}, {OpenID: "ou_l2", Name: "吴某"}, {}}
	titles := []string{"回迁安置房延期交付，要求明确交房时间并赔偿过渡费", "拖欠农民工工资", "征地补偿标准争议", "小区违建长期未拆除", "企业改制职工身份置换补偿"}
	texts := []string{
		"已联系责任单位，约定下周三召开协调会，信访人表示接受。",
		"上门走访信访人，当面听取诉求，解释相关政策，情绪稳定。",
		"协调会召开，开发商承诺本月底前完成整改并书面答复。",
		"复核材料已调取，涉及历年补偿台账，正在逐笔核对。",
		"电话回访，信访人对处理进度基本满意，要求继续跟进。",
	}
	kinds := []xfbot.ProgressKind{xfbot.KindProgress, xfbot.KindVisit, xfbot.KindProgress, xfbot.KindProgress, xfbot.KindVisit}
	start := time.Date(2025, 1, 1, 9, 0, 0, 0, time.UTC)
	const chunk = 1000
	for lo := 1; lo <= n; lo += chunk {
		var cs []*xfbot.Case
		tx := st.NewTx()
		for i := lo; i < lo+chunk && i <= n; i++ {
			created := start.Add(time.Duration(i) * 4 * time.Minute)
			acc := xfbot.DateOf(created, time.UTC)
			c := &xfbot.Case{
				No: xfbot.FormatCaseNo(2025, i), Title: titles[rng.IntN(len(titles))],
				Category: xfbot.Categories[rng.IntN(len(xfbot.Categories))].Code, Unit: units[rng.IntN(len(units))], Area: areas[rng.IntN(len(areas))],
				Petitioner: xfbot.Petitioner{
					Name:   string([]rune{surnames[rng.IntN(len(surnames))], given[rng.IntN(len(given))], given[rng.IntN(len(given))]}),
					Phone:  fmt.Sprintf("13%09d", rng.IntN(1e9)),
					IDCard: fmt.Sprintf("990000%08d%04d", 19500101+rng.IntN(500000), rng.IntN(10000)),
				},
				Accusation: rng.IntN(20) == 0,
				Owner:      people[rng.IntN(len(people))], Leader: leaders[rng.IntN(len(leaders))],
				Screening: []xfbot.Screening{"", xfbot.ScreenReasonable, xfbot.ScreenPartly}[rng.IntN(3)], Hardship: rng.IntN(5) == 0,
				Status:     xfbot.Statuses[rng.IntN(len(xfbot.Statuses))],
				AcceptedOn: acc, Due: acc.AddDays(60),
				CreatedBy: people[rng.IntN(len(people))], CreatedAt: created, UpdatedAt: created.Add(72 * time.Hour),
				LastProgressAt: created.Add(5 * 24 * time.Hour), LastContactAt: created.Add(4 * 24 * time.Hour), Progresses: 5,
			}
			if rng.IntN(4) == 0 {
				c.Tags = []xfbot.Tag{xfbot.TagBacklog, xfbot.TagKey}
			}
			if c.Status == xfbot.StatusResolved || c.Status == xfbot.StatusClosed {
				c.Result, c.ResolvedOn = "经协调，责任单位已落实补偿，信访人签字息诉罢访。", acc.AddDays(40)
			}
			cs = append(cs, c)
			for j := range 5 {
				tx.AddProgress(c.No, xfbot.Progress{At: created.Add(time.Duration(j+1) * 24 * time.Hour), Author: c.Owner, Kind: kinds[j], Text: texts[j]})
			}
		}
		if err := st.Import(ctx, cs); err != nil {
			b.Fatal(err)
		}
		if _, err := st.Commit(ctx, tx); err != nil {
			b.Fatal(err)
		}
	}
}
