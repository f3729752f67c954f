package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/qingchuan/xfbot"
	"github.com/redis/go-redis/v9"
)

// MessageCasesTTL is how long a sent card's message id names its cases:
// Feishu lets a card be updated for 14 days, and nobody replies to a
// month-old reminder expecting it to count.
const MessageCasesTTL = 30 * 24 * time.Hour

func (k keys) messageCases(messageID string) string { return k.base + "msgcase:" + messageID }

// NoteMessageCases records that the message Feishu gave messageID is a card
// about cases (the sender, once the card is delivered).
func (s *Store) NoteMessageCases(ctx context.Context, messageID string, cases []string) error {
	if messageID == "" || len(cases) == 0 {
		return nil
	}
	if err := s.rdb.Set(ctx, s.k.messageCases(messageID), strings.Join(cases, ","), MessageCasesTTL).Err(); err != nil {
		return fmt.Errorf("store: note message cases: %w", err)
	}
	return nil
}

// MessageCases returns the cases of the first of the messages that is a
// card about cases (a reply's parent, then its thread's root) and that
// message's id, in one round trip; nil when none is.
func (s *Store) MessageCases(ctx context.Context, messageIDs ...string) ([]xfbot.CaseNo, string, error) {
	var ks, ids []string
	for _, id := range messageIDs {
		if id != "" {
			ks, ids = append(ks, s.k.messageCases(id)), append(ids, id)
		}
	}
	if len(ks) == 0 {
		return nil, "", nil
	}
	vals, err := s.rdb.MGet(ctx, ks...).Result()
	if err != nil && !errors.Is(err, redis.Nil) {
		return nil, "", fmt.Errorf("store: message cases: %w", err)
	}
	for i, v := range vals {
		if str, ok := v.(string); ok && str != "" {
			var out []xfbot.CaseNo
			for _, no := range strings.Split(str, ",") {
				out = append(out, xfbot.CaseNo(no))
			}
			return out, ids[i], nil
		}
	}
	return nil, "", nil
}
