package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/qingchuan/xfbot"
	"github.com/redis/go-redis/v9"
)

// Tasks are work a command promises and a background worker does (an
// export): the task is queued in the same Commit as the reply that promises
// it, so an acknowledged request is never lost; one replica takes it (the
// consumer group "workers" of the stream "tasks"), and a replica that dies
// with it leaves it pending, to be claimed by another. The worker's result
// commits under the task's id as dedupe key, so a task done twice (claimed
// after a crash that came after the result) delivers its result once.

// TaskGroup is the consumer group of the task stream.
const TaskGroup = "workers"

// Task kinds.
const TaskExport = "export"

// Task is one piece of background work.
type Task struct {
	ID     string            `json:"id"`   // unique; the dedupe key of its result
	Kind   string            `json:"kind"` // TaskExport
	By     xfbot.Person      `json:"by"`   // who asked: results go to this person
	ChatID string            `json:"chat,omitempty"`
	Args   map[string]string `json:"args,omitempty"`
	At     time.Time         `json:"at"`
}

// TaskEntry is a task read from the stream, with the id it is acknowledged
// by and how often it has been handed out.
type TaskEntry struct {
	StreamID   string
	Task       Task
	Deliveries int64
}

// AddTask queues t for a worker.
func (tx *Tx) AddTask(t Task) {
	tx.add(op{Op: "xadd", Key: tx.k.tasks(), Val: tx.json(t)})
}

// EnsureTaskGroup creates the task stream and its consumer group.
func (s *Store) EnsureTaskGroup(ctx context.Context) error {
	err := s.rdb.XGroupCreateMkStream(ctx, s.k.tasks(), TaskGroup, "0").Err()
	if err != nil && !strings.HasPrefix(err.Error(), "BUSYGROUP") {
		return fmt.Errorf("store: create task group: %w", err)
	}
	return nil
}

// ReadTasks reads up to count new tasks, waiting up to block for the first
// (block <= 0: do not wait).
func (s *Store) ReadTasks(ctx context.Context, consumer string, count int, block time.Duration) ([]TaskEntry, error) {
	if block <= 0 {
		block = -1
	}
	res, err := s.rdb.XReadGroup(ctx, &redis.XReadGroupArgs{Group: TaskGroup, Consumer: consumer,
		Streams: []string{s.k.tasks(), ">"}, Count: int64(count), Block: block}).Result()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: read tasks: %w", err)
	}
	var out []TaskEntry
	for _, st := range res {
		for _, m := range st.Messages {
			out = append(out, decodeTask(m, 1))
		}
	}
	return out, nil
}

// ClaimStaleTasks takes over tasks pending for at least minIdle under any
// consumer (a worker that died), with how often each was handed out.
func (s *Store) ClaimStaleTasks(ctx context.Context, consumer string, minIdle time.Duration, count int) ([]TaskEntry, error) {
	pend, err := s.rdb.XPendingExt(ctx, &redis.XPendingExtArgs{Stream: s.k.tasks(), Group: TaskGroup,
		Idle: minIdle, Start: "-", End: "+", Count: int64(count)}).Result()
	if err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("store: pending tasks: %w", err)
	}
	if len(pend) == 0 {
		return nil, nil
	}
	ids := make([]string, len(pend))
	times := map[string]int64{}
	for i, p := range pend {
		ids[i] = p.ID
		times[p.ID] = p.RetryCount + 1
	}
	msgs, err := s.rdb.XClaim(ctx, &redis.XClaimArgs{Stream: s.k.tasks(), Group: TaskGroup, Consumer: consumer,
		MinIdle: minIdle, Messages: ids}).Result()
	if err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("store: claim tasks: %w", err)
	}
	out := make([]TaskEntry, 0, len(msgs))
	for _, m := range msgs {
		out = append(out, decodeTask(m, times[m.ID]))
	}
	return out, nil
}

// TouchTask keeps a task that is still being worked on from being claimed.
func (s *Store) TouchTask(ctx context.Context, consumer, streamID string) error {
	err := s.rdb.XClaimJustID(ctx, &redis.XClaimArgs{Stream: s.k.tasks(), Group: TaskGroup, Consumer: consumer,
		Messages: []string{streamID}}).Err()
	if err != nil && !errors.Is(err, redis.Nil) {
		return fmt.Errorf("store: touch task: %w", err)
	}
	return nil
}

// AckTask marks a task done and removes it.
func (s *Store) AckTask(ctx context.Context, streamID string) error {
	_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.XAck(ctx, s.k.tasks(), TaskGroup, streamID)
		p.XDel(ctx, s.k.tasks(), streamID)
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: ack task: %w", err)
	}
	return nil
}

// PendingTasks is how many tasks are queued or being worked on.
func (s *Store) PendingTasks(ctx context.Context) (int64, error) {
	n, err := s.rdb.XLen(ctx, s.k.tasks()).Result()
	if err != nil {
		return 0, fmt.Errorf("store: tasks: %w", err)
	}
	return n, nil
}

// decodeTask reads an entry; one that does not decode comes back with an
// empty Kind, for the worker to acknowledge and drop.
func decodeTask(m redis.XMessage, deliveries int64) TaskEntry {
	e := TaskEntry{StreamID: m.ID, Deliveries: deliveries}
	if raw, ok := m.Values["m"].(string); ok {
		_ = json.Unmarshal([]byte(raw), &e.Task)
	}
	return e
}
