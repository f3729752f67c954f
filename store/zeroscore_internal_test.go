package store

import (
	"context"
	"testing"

	"github.com/qingchuan/xfbot/internal/testredis"
)

// A score of 0 is left out of the ops' JSON (omitempty): the commit script
// reads it as 0 rather than handing ZADD or HINCRBY a nil, which Redis
// refuses and which would fail the whole command.
func TestCommitZeroScore(t *testing.T) {
	rdb, prefix := testredis.New(t)
	s := New(rdb, prefix)
	tx := s.NewTx()
	tx.add(op{Op: "zadd", Key: tx.k.scratch("zero"), Member: "m", Score: 0})
	if _, err := s.Commit(context.Background(), tx); err != nil {
		t.Fatalf("a zadd at score 0: %v", err)
	}
	if sc, err := rdb.ZScore(context.Background(), s.k.scratch("zero"), "m").Result(); err != nil || sc != 0 {
		t.Fatalf("score %v, %v; want 0", sc, err)
	}
}
