package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// Synchronous replication (redis.wait_replicas). Redis replicates
// asynchronously: a master that dies right after a commit may take the
// commit with it when its replica is promoted, although Feishu was already
// answered 200 and the user already read ✅. With WithWaitReplicas(n), a
// commit is followed on the same connection, in the same round trip, by
// WAIT n: Commit returns only once n replicas have the write, or fails with
// ErrNotReplicated, so that the webhook answers non-2xx and Feishu
// redelivers (the redelivery finds the dedupe marker, waits again and is
// acknowledged once the replicas have caught up). The sender's reads of the
// outbox are followed by WAIT too, so no reply goes out for a write a
// replica could still lose: a message queued by a commit is always behind
// that commit in the replication stream.
//
// The trade: every write command waits for the slowest of n replicas
// (sub-millisecond on a LAN, one network round trip more), and while fewer
// than n replicas answer, writes fail (after the timeout) instead of being
// accepted without a copy. WAIT does not make Redis strongly consistent (a
// failover can still pick a replica that lacks the write when several
// exist and only one had it), but with n equal to the replicas per master
// an acknowledged write survives the master's loss.

// ErrNotReplicated reports a commit applied on the master that fewer
// replicas than redis.wait_replicas confirmed within the timeout. It was
// not acknowledged; a redelivery of the same event waits again.
var ErrNotReplicated = errors.New("store: write not confirmed by enough replicas")

// DefaultWaitTimeout is how long a commit waits for its replicas. A
// commit and its WAIT are read back within the client's read timeout
// (go-redis: 3 s), so the wait must stay well below it.
const DefaultWaitTimeout = time.Second

// maxWaitedBlock caps a blocking outbox read followed by WAIT, for the same
// reason.
const maxWaitedBlock = 500 * time.Millisecond

// WithWaitReplicas makes every commit and outbox read wait until n
// replicas have it (0: do not wait, the default), for at most timeout
// (0: DefaultWaitTimeout), and returns s.
func (s *Store) WithWaitReplicas(n int, timeout time.Duration) *Store {
	if timeout <= 0 {
		timeout = DefaultWaitTimeout
	}
	s.wait, s.waitTimeout = n, timeout
	return s
}

// WaitReplicas is the configured number of replicas a write waits for.
func (s *Store) WaitReplicas() int { return s.wait }

// node is the client of the server that holds the deployment's keys: the
// client itself, or on a cluster the master of the deployment's slot (a
// WAIT has no key, so a cluster pipeline would send it anywhere).
func (s *Store) node(ctx context.Context) (redis.Cmdable, error) {
	if cc, ok := s.rdb.(*redis.ClusterClient); ok {
		c, err := cc.MasterForKey(ctx, s.k.members())
		if err != nil {
			return nil, fmt.Errorf("store: master of the ledger's slot: %w", err)
		}
		return c, nil
	}
	return s.rdb, nil
}

// waited runs the commands fn queues and then WAIT, in one pipeline on
// the ledger's node (so on one connection: WAIT waits for that
// connection's writes). It returns ErrNotReplicated when fewer than s.wait
// replicas confirmed; the commands' own results are in their Cmds.
func (s *Store) waited(ctx context.Context, fn func(redis.Pipeliner)) error {
	c, err := s.node(ctx)
	if err != nil {
		return err
	}
	pipe := c.Pipeline()
	fn(pipe)
	w := redis.NewIntCmd(ctx, "wait", s.wait, s.waitTimeout.Milliseconds())
	_ = pipe.Process(ctx, w)
	_, _ = pipe.Exec(ctx) // each command's error is its own
	if err := w.Err(); err != nil {
		return fmt.Errorf("store: wait for %d replicas: %w", s.wait, err)
	}
	if w.Val() < int64(s.wait) {
		return fmt.Errorf("%w: %d of %d within %s", ErrNotReplicated, w.Val(), s.wait, s.waitTimeout)
	}
	return nil
}

// runCommit runs the commit script, followed by WAIT when configured.
func (s *Store) runCommit(ctx context.Context, keys []string, args []any) ([]string, error) {
	if s.wait <= 0 {
		return commitScript.Run(ctx, s.rdb, keys, args...).StringSlice()
	}
	for attempt := 0; ; attempt++ {
		var ev *redis.Cmd
		err := s.waited(ctx, func(p redis.Pipeliner) { ev = commitScript.EvalSha(ctx, p, keys, args...) })
		if attempt == 0 && redis.HasErrorPrefix(ev.Err(), "NOSCRIPT") {
			c, nerr := s.node(ctx)
			if nerr != nil {
				return nil, nerr
			}
			if lerr := commitScript.Load(ctx, c).Err(); lerr != nil {
				return nil, lerr
			}
			continue
		}
		res, rerr := ev.StringSlice()
		if rerr != nil {
			return nil, rerr
		}
		if err != nil {
			return nil, err
		}
		return res, nil
	}
}
