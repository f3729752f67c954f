package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// OutboxGroup is the consumer group every sender replica reads the outbox
// with: each entry goes to one replica, and stays pending until that replica
// acknowledges it, so a crash loses nothing.
const OutboxGroup = "senders"

// deadMaxLen caps the dead-letter stream (approximate trimming): it is for an
// operator's eyes, not an archive.
const deadMaxLen = 10000

// OutboxEntry is one message read from the outbox, with the stream id it must
// be acknowledged by.
type OutboxEntry struct {
	StreamID string
	Msg      OutboundMessage
}

// DeadLetter is a message the sender gave up on, with why.
type DeadLetter struct {
	StreamID string    // id in the dead-letter stream
	At       time.Time // when it was dead-lettered (from the stream id)
	Reason   string
	Msg      OutboundMessage // zero when Raw does not decode
	Raw      string          // the message as stored
}

// EnsureOutboxGroup creates the outbox stream and its consumer group if they
// do not exist. A new group starts at "0", so that messages queued before the
// first sender ever ran are delivered too.
func (s *Store) EnsureOutboxGroup(ctx context.Context) error {
	err := s.rdb.XGroupCreateMkStream(ctx, s.k.outbox(), OutboxGroup, "0").Err()
	if err != nil && !strings.HasPrefix(err.Error(), "BUSYGROUP") {
		return fmt.Errorf("store: create outbox group: %w", err)
	}
	return nil
}

// ReadOutbox reads up to count messages no consumer has seen yet, waiting up
// to block for the first (block <= 0: do not wait). They stay pending under
// consumer until AckOutbox or DeadLetterOutbox. A wait that ends empty
// returns nil, nil.
//
// An entry that does not decode can never be sent; it is moved to the
// dead-letter stream instead of being returned. That move is a second round
// trip, taken only in that case: a blocking read cannot run inside a script.
func (s *Store) ReadOutbox(ctx context.Context, consumer string, count int, block time.Duration) ([]OutboxEntry, error) {
	if block <= 0 {
		block = -1 // go-redis: no BLOCK argument; BLOCK 0 would wait forever
	}
	if s.wait > 0 && block > maxWaitedBlock {
		block = maxWaitedBlock // the read and its WAIT share one pipeline's read timeout
	}
	args := &redis.XReadGroupArgs{
		Group:    OutboxGroup,
		Consumer: consumer,
		Streams:  []string{s.k.outbox(), ">"},
		Count:    int64(count),
		Block:    block,
	}
	var res []redis.XStream
	var err error
	if s.wait > 0 {
		// Nothing goes out before the commit that queued it is on the
		// replicas (wait.go). Entries read but not confirmed stay pending
		// and come back through ClaimStaleOutbox.
		var cmd *redis.XStreamSliceCmd
		if werr := s.waited(ctx, func(p redis.Pipeliner) { cmd = p.XReadGroup(ctx, args) }); werr != nil && cmd.Err() == nil {
			return nil, fmt.Errorf("store: read outbox: %w", werr)
		}
		res, err = cmd.Result()
	} else {
		res, err = s.rdb.XReadGroup(ctx, args).Result()
	}
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: read outbox: %w", err)
	}
	var msgs []redis.XMessage
	for _, st := range res {
		msgs = append(msgs, st.Messages...)
	}
	return s.decodeOutbox(ctx, msgs), nil
}

// ClaimStaleOutbox takes over up to count messages that have been pending
// under any consumer for at least minIdle: a replica that died (or hung)
// holding them. It scans one page from the start of the pending list, which
// is enough when called periodically; a sender keeps the messages it is still
// working on fresh with TouchOutbox so that they are not claimed.
func (s *Store) ClaimStaleOutbox(ctx context.Context, consumer string, minIdle time.Duration, count int) ([]OutboxEntry, error) {
	args := &redis.XAutoClaimArgs{
		Stream:   s.k.outbox(),
		Group:    OutboxGroup,
		Consumer: consumer,
		MinIdle:  minIdle,
		Start:    "0-0",
		Count:    int64(count),
	}
	var msgs []redis.XMessage
	var err error
	if s.wait > 0 {
		var cmd *redis.XAutoClaimCmd
		if werr := s.waited(ctx, func(p redis.Pipeliner) { cmd = p.XAutoClaim(ctx, args) }); werr != nil && cmd.Err() == nil {
			return nil, fmt.Errorf("store: claim outbox: %w", werr)
		}
		msgs, _, err = cmd.Result()
	} else {
		msgs, _, err = s.rdb.XAutoClaim(ctx, args).Result()
	}
	if err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("store: claim outbox: %w", err)
	}
	return s.decodeOutbox(ctx, msgs), nil
}

// TouchOutbox resets the idle time of messages consumer still works on (a
// send waiting out Feishu's rate limit or an outage), so that another
// replica's ClaimStaleOutbox leaves them alone. Ids no longer pending are
// ignored.
func (s *Store) TouchOutbox(ctx context.Context, consumer string, streamIDs ...string) error {
	if len(streamIDs) == 0 {
		return nil
	}
	err := s.rdb.XClaimJustID(ctx, &redis.XClaimArgs{
		Stream:   s.k.outbox(),
		Group:    OutboxGroup,
		Consumer: consumer,
		MinIdle:  0,
		Messages: streamIDs,
	}).Err()
	if err != nil && !errors.Is(err, redis.Nil) {
		return fmt.Errorf("store: touch outbox: %w", err)
	}
	return nil
}

// AckOutbox marks messages as delivered and removes them from the stream, so
// that the stream's length is the number of messages not yet delivered.
func (s *Store) AckOutbox(ctx context.Context, streamIDs ...string) error {
	ds := make([]Delivered, len(streamIDs))
	for i, id := range streamIDs {
		ds[i].StreamID = id
	}
	return s.AckDelivered(ctx, ds...)
}

// Delivered is an outbox entry delivered to Feishu: its stream id and, for
// a card about cases, the message id Feishu gave it and the cases
// (NoteMessageCases).
type Delivered struct {
	StreamID  string
	MessageID string
	Cases     []string
	// Card notes a card about no case too (its message id names no case):
	// where districts share one Feishu app, a click on it is routed to
	// the district that sent it (LookupTenants).
	Card bool
}

// AckDelivered acknowledges delivered entries and notes the cards' cases,
// in one round trip (a MULTI): the sender's acknowledgement of a burst.
func (s *Store) AckDelivered(ctx context.Context, ds ...Delivered) error {
	if len(ds) == 0 {
		return nil
	}
	ids := make([]string, len(ds))
	for i, d := range ds {
		ids[i] = d.StreamID
	}
	_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		for _, d := range ds {
			if d.MessageID != "" && (len(d.Cases) > 0 || d.Card) {
				p.Set(ctx, s.k.messageCases(d.MessageID), strings.Join(d.Cases, ","), MessageCasesTTL)
			}
		}
		p.XAck(ctx, s.k.outbox(), OutboxGroup, ids...)
		p.XDel(ctx, s.k.outbox(), ids...)
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: ack outbox %v: %w", ids, err)
	}
	return nil
}

// DeadLetterOutbox moves a message the sender gave up on to the dead-letter
// stream, with the reason, and removes it from the outbox, atomically: it is
// never both lost and acknowledged.
func (s *Store) DeadLetterOutbox(ctx context.Context, e OutboxEntry, reason string) error {
	b, err := json.Marshal(e.Msg)
	if err != nil {
		return fmt.Errorf("store: dead-letter %s: %w", e.StreamID, err)
	}
	return s.deadLetter(ctx, e.StreamID, string(b), reason)
}

func (s *Store) deadLetter(ctx context.Context, streamID, raw, reason string) error {
	_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.XAdd(ctx, &redis.XAddArgs{
			Stream: s.k.outboxDead(),
			MaxLen: deadMaxLen,
			Approx: true,
			Values: []any{"m", raw, "reason", reason},
		})
		p.XAck(ctx, s.k.outbox(), OutboxGroup, streamID)
		p.XDel(ctx, s.k.outbox(), streamID)
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: dead-letter %s: %w", streamID, err)
	}
	return nil
}

// OutboxDepth returns how many messages are not yet delivered (queued or in
// flight): acknowledged messages are deleted from the stream.
func (s *Store) OutboxDepth(ctx context.Context) (int64, error) {
	n, err := s.rdb.XLen(ctx, s.k.outbox()).Result()
	if err != nil {
		return 0, fmt.Errorf("store: outbox depth: %w", err)
	}
	return n, nil
}

// DeadLetters returns the n most recent dead letters, newest first.
func (s *Store) DeadLetters(ctx context.Context, n int) ([]DeadLetter, error) {
	if n <= 0 {
		return nil, nil
	}
	msgs, err := s.rdb.XRevRangeN(ctx, s.k.outboxDead(), "+", "-", int64(n)).Result()
	if err != nil {
		return nil, fmt.Errorf("store: dead letters: %w", err)
	}
	out := make([]DeadLetter, 0, len(msgs))
	for _, x := range msgs {
		d := DeadLetter{StreamID: x.ID, At: streamIDTime(x.ID)}
		d.Raw, _ = x.Values["m"].(string)
		d.Reason, _ = x.Values["reason"].(string)
		_ = json.Unmarshal([]byte(d.Raw), &d.Msg) // Raw keeps what does not decode
		out = append(out, d)
	}
	return out, nil
}

// decodeOutbox turns stream entries into messages, dead-lettering those that
// do not decode: retrying them would only fail again.
func (s *Store) decodeOutbox(ctx context.Context, msgs []redis.XMessage) []OutboxEntry {
	var out []OutboxEntry
	for _, x := range msgs {
		raw, ok := x.Values["m"].(string)
		var m OutboundMessage
		err := errors.New(`no field "m"`)
		if ok {
			err = json.Unmarshal([]byte(raw), &m)
		}
		if err != nil {
			// If the move fails the entry stays pending, and a later
			// ClaimStaleOutbox brings it back here to try again.
			_ = s.deadLetter(ctx, x.ID, raw, "undecodable: "+err.Error())
			continue
		}
		// Content and text in fields of their own (Tx.Enqueue); older
		// entries carry them inside m.
		if c, ok := x.Values["c"].(string); ok {
			m.Content = c
		}
		if t, ok := x.Values["t"].(string); ok {
			m.Text = t
		}
		out = append(out, OutboxEntry{StreamID: x.ID, Msg: m})
	}
	return out
}

// streamIDTime is the time Redis stamped into a stream id ("ms-seq").
func streamIDTime(id string) time.Time {
	ms, _, _ := strings.Cut(id, "-")
	n, err := strconv.ParseInt(ms, 10, 64)
	if err != nil {
		return time.Time{}
	}
	return time.UnixMilli(n).UTC()
}
