package larktest_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/qingchuan/xfbot/bot/larktest"
)

func TestArrivals(t *testing.T) {
	clk := newClock()
	start := clk.Now()
	srv := larktest.NewServer(larktest.WithRateLimits(0, 3), larktest.WithClock(clk.Now))
	defer srv.Close()
	cli := newClient(srv, "cli_test", "secret")

	// 0 ms, 300 ms, 600 ms, 900 ms (limited: 4 in one second), 1200 ms:
	// the busiest second starts at 300 ms with the 900 ms call refused.
	for i := range 5 {
		create(t, cli, "chat_id", fmt.Sprintf("oc_%d", i), "text", text("x"), fmt.Sprintf("u%d", i))
		clk.Add(300 * time.Millisecond)
	}
	clk.Add(time.Second)
	create(t, cli, "chat_id", "oc_0", "text", text("x"), "u0") // a resend: answered from the cache

	a := srv.Arrivals()
	if a.Calls != 6 || a.RateLimited != 1 || a.Duplicates != 1 {
		t.Errorf("calls=%d limited=%d duplicates=%d, want 6, 1, 1", a.Calls, a.RateLimited, a.Duplicates)
	}
	if a.BusiestSecond != 4 || !a.BusiestAt.Equal(start) {
		t.Errorf("busiest second %d at +%s, want 4 at +0s", a.BusiestSecond, a.BusiestAt.Sub(start))
	}
	if fmt.Sprint(a.Delivered) != "map[u0:1 u1:1 u2:1 u4:1]" {
		t.Errorf("delivered %v, want u0 u1 u2 u4 once each (u3 was limited)", a.Delivered)
	}
	if !a.First.Equal(start) || a.Last.Sub(start) != 2500*time.Millisecond {
		t.Errorf("first +%s last +%s", a.First.Sub(start), a.Last.Sub(start))
	}
	srv.Reset()
	if a := srv.Arrivals(); a.Calls != 0 || len(a.Delivered) != 0 {
		t.Errorf("after Reset: %+v", a)
	}
}
