package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/qingchuan/xfbot"
	"github.com/redis/go-redis/v9"
)

// 附件 (handlers/attachments.go): a case's attachments, one hash per case
// (field <seq> → the record; field m:<message id> → its seq, which makes a
// message kept at most once whatever the dedupe markers' TTL), and the
// pending 附件 intent of each member: the case a file sent next goes to.

// AttachIntentTTL is how long 附件 <案件号> waits for the file.
const AttachIntentTTL = 10 * time.Minute

func (k keys) attachments(no xfbot.CaseNo) string { return k.base + "att:" + string(no) }
func (k keys) attachIntent(openID string) string  { return k.base + "attwait:" + openID }

// attRec is the stored layout of an xfbot.Attachment.
type attRec struct {
	Seq    int    `json:"n"`
	Kind   string `json:"k"`
	Name   string `json:"nm"`
	Size   int64  `json:"sz"`
	Key    string `json:"key"`
	ByID   string `json:"b"`
	ByName string `json:"bn,omitempty"`
	At     int64  `json:"at"`
	Msg    string `json:"m,omitempty"`
}

// AddAttachment keeps a with case no, once per message: Commit refuses the
// whole Tx with ErrAlreadySent if a.MessageID was kept before. The caller
// writes the case's count (Case.Attachments, which a.Seq must be) with
// UpdateCase in the same Tx, so that the version check makes the count and
// the numbers exact under concurrent uploads, and its history entry.
func (tx *Tx) AddAttachment(no xfbot.CaseNo, a xfbot.Attachment) {
	key := tx.k.attachments(no)
	r := attRec{Seq: a.Seq, Kind: string(a.Kind), Name: a.Name, Size: a.Size, Key: a.Key,
		ByID: a.By.OpenID, ByName: a.By.Name, At: unix(a.At), Msg: a.MessageID}
	seq := strconv.Itoa(a.Seq)
	if a.MessageID != "" {
		tx.add(op{Op: "absent", Key: key, Field: "m:" + a.MessageID})
		tx.add(op{Op: "hset", Key: key, Field: "m:" + a.MessageID, Val: seq})
	}
	tx.add(op{Op: "hset", Key: key, Field: seq, Val: tx.json(r)})
}

// SetAttachIntent makes the next file or image openID sends (within
// AttachIntentTTL) an attachment of case no.
func (tx *Tx) SetAttachIntent(openID string, no xfbot.CaseNo) {
	key := tx.k.attachIntent(openID)
	tx.add(op{Op: "set", Key: key, Val: string(no)})
	tx.add(op{Op: "expire", Key: key, MaxLen: int64(AttachIntentTTL / time.Second)})
}

// AttachIntent is the case openID's next file goes to ("" for none).
func (s *Store) AttachIntent(ctx context.Context, openID string) (xfbot.CaseNo, error) {
	if openID == "" {
		return "", nil
	}
	v, err := s.rdb.Get(ctx, s.k.attachIntent(openID)).Result()
	if errors.Is(err, redis.Nil) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("store: attach intent: %w", err)
	}
	return xfbot.CaseNo(v), nil
}

// Attachments returns the case's attachments in the order kept.
func (s *Store) Attachments(ctx context.Context, no xfbot.CaseNo) ([]xfbot.Attachment, error) {
	m, err := s.rdb.HGetAll(ctx, s.k.attachments(no)).Result()
	if err != nil {
		return nil, fmt.Errorf("store: attachments of %s: %w", no, err)
	}
	out := make([]xfbot.Attachment, 0, len(m))
	for f, v := range m {
		if strings.HasPrefix(f, "m:") {
			continue
		}
		var r attRec
		if err := json.Unmarshal([]byte(v), &r); err != nil {
			return nil, fmt.Errorf("store: attachment %s/%s: %w", no, f, err)
		}
		out = append(out, xfbot.Attachment{Seq: r.Seq, Kind: xfbot.AttachmentKind(r.Kind), Name: r.Name, Size: r.Size, Key: r.Key,
			By: xfbot.Person{OpenID: r.ByID, Name: r.ByName}, At: fromUnix(r.At), MessageID: r.Msg})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Seq < out[j].Seq })
	return out, nil
}
