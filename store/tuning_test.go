package store_test

import (
	"context"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/qingchuan/xfbot/internal/testredis"
	"github.com/qingchuan/xfbot/store"
)

// TestTuning: a server with Redis's defaults gets the advice, one setting
// at a time, and one tuned as recommended gets none.
func TestTuning(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"Default", nil, "set-max-intset-entries is 512: set it to 100000"},
		{"DefaultSortedSets", []string{"--set-max-intset-entries", "100000"}, "zset-max-listpack-entries is 128: set it to 1024"},
		{"Tuned", []string{"--set-max-intset-entries", "100000", "--zset-max-listpack-entries", "1024"}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := testredis.StartServer(t, tt.args...)
			rdb := redis.NewClient(&redis.Options{Addr: p.Addr})
			defer rdb.Close()
			advice := store.New(rdb, "tune").Tuning(ctx)
			got := strings.Join(advice, "\n")
			if tt.want == "" && got != "" || !strings.Contains(got, tt.want) || tt.name == "Default" && len(advice) != 2 {
				t.Errorf("Tuning = %q, want %q", got, tt.want)
			}
		})
	}
}
