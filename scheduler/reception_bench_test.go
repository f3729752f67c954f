package scheduler_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/scheduler"
	"github.com/qingchuan/xfbot/store"
)

// roundTrips counts commands and pipelines sent to Redis.
type roundTrips struct{ n atomic.Int64 }

func (c *roundTrips) DialHook(next redis.DialHook) redis.DialHook { return next }
func (c *roundTrips) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		c.n.Add(1)
		return next(ctx, cmd)
	}
}
func (c *roundTrips) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		c.n.Add(1)
		return next(ctx, cmds)
	}
}

// BenchmarkReceptionScan measures one reception run with 20 leaders, 60
// receptions (5 to brief today, 10 with appointments), 10 open letters (the
// reminder scan's, not this job's: it reads none of them) and the monthly
// nag due, over a ledger of 1,000 and of 100,000 cases: the run reads the
// reception indexes and the member list, never the cases beyond the
// appointed ones, so both sizes cost the same (ns/op and round trips/op:
// 7 round trips, 32 messages). Each iteration starts from empty sent-ledgers and outbox,
// so it really builds and queues every message. It needs a real Redis
// (XFBOT_TEST_REDIS_ADDR).
func BenchmarkReceptionScan(b *testing.B) {
	addr := os.Getenv("XFBOT_TEST_REDIS_ADDR")
	if addr == "" {
		b.Skip("needs XFBOT_TEST_REDIS_ADDR")
	}
	rt := &roundTrips{}
	rdb := redis.NewClient(&redis.Options{Addr: addr, PoolSize: 32})
	rdb.AddHook(rt)
	defer rdb.Close()
	now := atDay("2026-03-25", 10, 10) // a Wednesday: the nag day
	for _, n := range []int{1_000, 100_000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			prefix := fmt.Sprintf("bench_jf_%d", n)
			wipe(b, rdb, prefix+"}:*")
			defer wipe(b, rdb, prefix+"}:*")
			st := store.New(rdb, prefix)
			ctx := context.Background()
			fillScan(b, rdb, st, prefix, n, 0)
			fillReceptions(b, st)
			cal, _ := xfbot.NewCalendar(xfbot.DefaultHolidayTables()...)
			job := &scheduler.Reception{Store: st, Calendar: cal, Admins: []string{lead}, NagDay: 25, Location: cst}
			var msgs, trips int64
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				before := rt.n.Load()
				if err := job.Run(ctx, now); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				trips += rt.n.Load() - before
				depth, _ := st.OutboxDepth(ctx)
				msgs = depth
				// Forget the ledgers by name: SCANning 100,000 keys would leave lazy
				// frees to compete with the next run.
				ks := []string{"{" + prefix + "}:v1:outbox", "{" + prefix + "}:v1:sent:nag:2026-03"}
				for k := 1; k <= 60; k++ {
					ks = append(ks, fmt.Sprintf("{%s}:v1:sent:JF-2026-%04d", prefix, k))
				}
				rdb.Del(ctx, ks...)
				b.StartTimer()
			}
			b.StopTimer()
			b.ReportMetric(float64(msgs), "msgs/op")
			b.ReportMetric(float64(trips)/float64(b.N), "roundtrips/op")
		})
	}
}

// fillReceptions adds 20 leaders, each with three receptions this month
// (one of them today or soon), ten with two appointed cases, and 10 letters.
func fillReceptions(b *testing.B, st *store.Store) {
	ctx := context.Background()
	tx := st.NewTx()
	for i := 0; i < 20; i++ {
		tx.PutMember(xfbot.Member{OpenID: fmt.Sprintf("ou_bench_leader_%d", i), Name: fmt.Sprintf("领导%d", i), Role: xfbot.RoleLeader})
	}
	if _, err := st.Commit(ctx, tx); err != nil {
		b.Fatal(err)
	}
	days := []xfbot.Date{xfbot.NewDate(2026, 3, 4), xfbot.NewDate(2026, 3, 11), xfbot.NewDate(2026, 3, 25)}
	for i := 0; i < 20; i++ {
		for k, d := range days {
			if k == 2 {
				d = d.AddDays(i % 5) // today to four days ahead
			}
			st0 := xfbot.ReceptionPlanned
			if k == 0 && i%2 == 0 {
				st0 = xfbot.ReceptionHeld
			}
			r := &xfbot.Reception{Leader: xfbot.Person{OpenID: fmt.Sprintf("ou_bench_leader_%d", i)}, Date: d, Slot: xfbot.SlotAM,
				Place: "区群众来访接待中心", Mode: xfbot.ModeFixed, Status: st0, ScheduledBy: xfbot.Person{OpenID: "ou_staff"}}
			if k == 2 && i < 10 {
				r.Appointments = []xfbot.CaseNo{xfbot.FormatCaseNo(2026, 1+i), xfbot.FormatCaseNo(2026, 101+i)}
			}
			tx := st.NewTx()
			tx.CreateReception(r)
			if _, err := st.Commit(ctx, tx); err != nil {
				b.Fatal(err)
			}
		}
	}
	for i := 0; i < 10; i++ {
		l := &xfbot.LeaderLetter{Leader: xfbot.Person{OpenID: fmt.Sprintf("ou_bench_leader_%d", i)}, Summary: "来信",
			ReceivedOn: xfbot.NewDate(2026, 3, 20), ReadDue: xfbot.NewDate(2026, 3, 24), RegisteredBy: xfbot.Person{OpenID: "ou_staff"},
			RegisteredAt: atDay("2026-03-20", 9, 0)}
		tx := st.NewTx()
		tx.CreateLetter(l, 2026)
		if _, err := st.Commit(ctx, tx); err != nil {
			b.Fatal(err)
		}
	}
}
