package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/store"
)

// BenchmarkDeadlineIndexMemory reports what the deadline index costs per
// case: the used_memory of 100,000 open cases with the index, less the same
// without it (the dl key deleted; other clients of the same Redis blur this
// figure, MEMORY USAGE of dl does not); and how long the backfill of those
// cases takes, which also pages ZSCAN over a set too large for one reply.
// One fill whatever b.N: a benchmark, so that only -bench runs it.
func BenchmarkDeadlineIndexMemory(b *testing.B) {
	t := b
	rdb := realRedis(t)
	defer rdb.Close()
	const n = 100_000
	prefix := "xd" // as short as the default "xf": key names count
	ctx := context.Background()
	cleanup(t, rdb, prefix)
	defer cleanup(t, rdb, prefix)
	st := store.New(rdb, prefix).WithCalendar(testCalendar(t))
	before := usedMemory(t, rdb)
	for i := 0; i < n; i += 1000 {
		batch := make([]*xfbot.Case, 0, 1000)
		for j := i; j < i+1000; j++ {
			c := typicalCase(j, today.AddDays(1+j%200))
			c.AcceptedOn = today.AddDays(-59 + j%200)
			c.Owner.OpenID = fmt.Sprintf("ou_84aad35d084aa403a838cf73ee18%03d", j%40) // some forty 包案人
			c.No = xfbot.FormatCaseNo(2026, j+1)
			c.CreatedAt = now.Add(time.Duration(j) * time.Second)
			batch = append(batch, c)
		}
		if err := st.Import(ctx, batch); err != nil {
			t.Fatal(err)
		}
	}
	with := usedMemory(t, rdb)
	var card, usage int64
	for _, key := range store.DeadlineKeys(st) {
		card += rdb.ZCard(ctx, key).Val()
		usage += rdb.MemoryUsage(ctx, key, 0).Val()
	}
	if card != n {
		t.Fatalf("the index holds %d deadlines of %d cases", card, n)
	}
	rdb.Del(ctx, store.DeadlineKeys(st)...)
	without := usedMemory(t, rdb)
	start := time.Now()
	added, err := st.BackfillDeadlines(ctx)
	took := time.Since(start)
	if err != nil || added != n {
		t.Fatalf("backfill = %d, %v; want %d", added, err, n)
	}
	b.ReportMetric(float64(with-without)/n, "B/case")
	b.ReportMetric(float64(usage)/n, "dl-B/case")
	b.ReportMetric(float64(n)/took.Seconds(), "backfill-cases/s")
	t.Logf("%d cases: used_memory %d MB with the index, %d MB without: %d B/case (MEMORY USAGE dl: %d B/case); all data %d B/case; backfill %v (%.0f cases/s)",
		n, (with-before)>>20, (without-before)>>20, (with-without)/n, usage/n, (with-before)/n, took.Round(time.Millisecond), float64(n)/took.Seconds())
}

// BenchmarkDeadlinesDue reads what is due today, Deadlines(ctx, today,
// 10000), from an index of 1,000,000 open deadlines of which 10,000 are due
// (past or today): the cost must follow the matches. The index is filled
// once, straight in its documented encoding (store/doc.go), without the
// records behind it: the read never looks at them.
func BenchmarkDeadlinesDue(b *testing.B) {
	rdb := realRedis(b)
	defer rdb.Close()
	const n, due = 1_000_000, 10_000
	prefix := "bench_dl"
	ctx := context.Background()
	cleanup(b, rdb, prefix)
	defer cleanup(b, rdb, prefix)
	st := store.New(rdb, prefix)
	fillDeadlines(b, rdb, st, n, due)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ds, err := st.Deadlines(ctx, today, 10_000)
		if err != nil || len(ds) != due {
			b.Fatalf("due = %d, %v; want %d", len(ds), err, due)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/scan")
}

// fillDeadlines writes n members of mixed kinds to st's index, due of them
// on or before today, the rest within the next 200 days.
func fillDeadlines(tb testing.TB, rdb *redis.Client, st *store.Store, n, due int) {
	ctx := context.Background()
	kinds := []struct{ kind, subject, prefix string }{
		{"handle", "case", "XF"}, {"accept", "case", "XF"}, {"review_decide", "case", "XF"},
		{"letter_read", "letter", "LX"}, {"reception_record", "reception", "JF"},
	}
	const batch = 10_000
	for i := 0; i < n; i += batch {
		pipe := rdb.Pipeline()
		for j := i; j < i+batch && j < n; j++ {
			k := kinds[j%len(kinds)]
			day := today.AddDays(1 + j%200)
			if j < due {
				day = today.AddDays(-(j % 60))
			}
			flags := ""
			if j%50 == 0 {
				flags = "p"
			}
			m := fmt.Sprintf("%s|%s:%s-%04d-%06d|%s|ou_84aad35d084aa403a838cf73ee18%03d", k.kind, k.subject, k.prefix, 2020+j%7, j, flags, j%40)
			pipe.ZAdd(ctx, store.DeadlineKeyOf(st, m), redis.Z{Score: float64(day.DayNumber()), Member: m})
		}
		if _, err := pipe.Exec(ctx); err != nil {
			tb.Fatal(err)
		}
	}
}
