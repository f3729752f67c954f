package handlers_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/bot"
	"github.com/qingchuan/xfbot/handlers"
	"github.com/qingchuan/xfbot/store"
)

// BenchmarkSearchCommand measures 搜索 as a member sends it, whole: the mux
// (Load of the member), the handler, store.Search over 100,000 cases, the
// commit of the reply and the audit entry, and reading the reply back from
// the outbox. It runs on the fixture store's BenchmarkSearch leaves under
// the prefix bench_search_100000 (run that first, on the same Redis).
func BenchmarkSearchCommand(b *testing.B) {
	addr := os.Getenv("XFBOT_TEST_REDIS_ADDR")
	if addr == "" {
		b.Skip("set XFBOT_TEST_REDIS_ADDR to measure against a real Redis")
	}
	rdb := redis.NewClient(&redis.Options{Addr: addr})
	defer rdb.Close()
	ctx := context.Background()
	const prefix = "bench_search_100000"
	if n, _ := rdb.Get(ctx, "{"+prefix+"}:bench:filled").Int(); n != 100_000 {
		b.Skip("no fixture: run store's BenchmarkSearch first")
	}
	st := store.New(rdb, prefix)
	mux := bot.NewMux(st, bot.MuxOptions{Admins: []string{admin.OpenID}, Location: loc})
	handlers.Register(mux, &handlers.Handlers{Store: st, Thresholds: xfbot.DefaultThresholds})
	tx := st.NewTx()
	tx.PutMember(xfbot.Member{OpenID: member.OpenID, Name: member.Name, Role: xfbot.RoleMember})
	if _, err := st.Commit(ctx, tx); err != nil {
		b.Fatal(err)
	}
	if err := st.EnsureOutboxGroup(ctx); err != nil {
		b.Fatal(err)
	}
	now := time.Date(2026, 3, 16, 9, 0, 0, 0, loc)
	for _, tc := range []struct{ name, typed string }{
		{"PhoneTail4", "搜索 5678"},
		{"WordMatter", "搜索 回迁安置房"},
		{"WordCommon", "搜索 社区"},
	} {
		b.Run(tc.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				req := &bot.Request{EventID: fmt.Sprintf("bench:%s:%d:%d", tc.name, time.Now().UnixNano(), i), MessageID: "om_bench",
					ChatID: "oc_p2p_bench", Sender: member, Text: tc.typed, Time: now, Via: bot.ViaChat}
				if err := mux.ServeMessage(ctx, req); err != nil {
					b.Fatal(err)
				}
				es, err := st.ReadOutbox(ctx, "bench", 10, 0)
				if err != nil || len(es) == 0 {
					b.Fatalf("no reply: %v", err)
				}
				for _, e := range es {
					if err := st.AckOutbox(ctx, e.StreamID); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}
