package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/qingchuan/xfbot"
	"github.com/redis/go-redis/v9"
)

// 集中会诊 (xfbot.Consultation): the record (hz:<id>), numbered inside Commit
// by commit.lua's "alloc" op like receptions (HZ-YYYY-NNNN, the year of its
// day), one index of every consultation by day (idx:hz:day), and its
// deadlines in dl, moved by every write (the eve reminders of a planned
// one). Its sent-ledger is sent:consult:<id> (keys.sentOf).

type conclusionRec struct {
	Case   string `json:"c"`
	Text   string `json:"t"`
	ByID   string `json:"by,omitempty"`
	ByName string `json:"bn,omitempty"`
	At     int64  `json:"at,omitempty"`
}

type decisionRec struct {
	N         int    `json:"n"`
	Case      string `json:"c"`
	Hard      bool   `json:"h,omitempty"`
	Type      string `json:"ty"`
	Content   string `json:"t"`
	Unit      string `json:"u,omitempty"`
	OwnerID   string `json:"o,omitempty"`
	OwnerName string `json:"on,omitempty"`
	Due       string `json:"d,omitempty"`
	ByID      string `json:"by,omitempty"`
	ByName    string `json:"bn,omitempty"`
	At        int64  `json:"at,omitempty"`
	ConvAt    int64  `json:"ca,omitempty"`
	ConvByID  string `json:"cb,omitempty"`
	ConvByNm  string `json:"cbn,omitempty"`
	Measure   string `json:"m,omitempty"`
}

type consultRec struct {
	ID          string          `json:"id"`
	Date        string          `json:"d"`
	Slot        string          `json:"s,omitempty"`
	Place       string          `json:"pl,omitempty"`
	Topic       string          `json:"tp,omitempty"`
	HostID      string          `json:"h"`
	HostName    string          `json:"hn,omitempty"`
	Units       []string        `json:"u,omitempty"`
	Cases       []string        `json:"c,omitempty"`
	Status      string          `json:"st"`
	ByID        string          `json:"by,omitempty"`
	ByName      string          `json:"bn,omitempty"`
	At          int64           `json:"at,omitempty"`
	MovedFrom   string          `json:"mf,omitempty"`
	Note        string          `json:"no,omitempty"`
	Conclusions []conclusionRec `json:"cl,omitempty"`
	Decisions   []decisionRec   `json:"de,omitempty"`
	Version     int64           `json:"ver"` // last: commit.lua reads it at the end of the record
}

func encodeConsult(c *xfbot.Consultation) consultRec {
	rec := consultRec{ID: string(c.ID), Date: dateText(c.Date), Slot: string(c.Slot), Place: c.Place, Topic: c.Topic,
		HostID: c.Host.OpenID, HostName: c.Host.Name, Units: c.Units, Cases: caseNos(c.Cases), Status: string(c.Status),
		ByID: c.ScheduledBy.OpenID, ByName: c.ScheduledBy.Name, At: unix(c.ScheduledAt), Note: c.Note, Version: c.Version}
	if !c.MovedFrom.IsZero() {
		rec.MovedFrom = dateText(c.MovedFrom)
	}
	for _, x := range c.Conclusions {
		rec.Conclusions = append(rec.Conclusions, conclusionRec{Case: string(x.Case), Text: x.Text, ByID: x.By.OpenID, ByName: x.By.Name, At: unix(x.At)})
	}
	for _, d := range c.Decisions {
		r := decisionRec{N: d.N, Case: string(d.Case), Hard: d.Means.Hard, Type: d.Means.Type, Content: d.Content, Unit: d.Unit,
			OwnerID: d.Owner.OpenID, OwnerName: d.Owner.Name, ByID: d.By.OpenID, ByName: d.By.Name, At: unix(d.At),
			ConvAt: unix(d.ConvertedAt), ConvByID: d.ConvertedBy.OpenID, ConvByNm: d.ConvertedBy.Name, Measure: d.Measure}
		if !d.Due.IsZero() {
			r.Due = dateText(d.Due)
		}
		rec.Decisions = append(rec.Decisions, r)
	}
	return rec
}

func decodeConsult(b []byte) (*xfbot.Consultation, error) {
	var r consultRec
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, err
	}
	c := &xfbot.Consultation{ID: xfbot.ConsultID(r.ID), Date: parseDate(r.Date), Slot: xfbot.Slot(r.Slot), Place: r.Place, Topic: r.Topic,
		Host: xfbot.Person{OpenID: r.HostID, Name: r.HostName}, Units: r.Units, Cases: toCaseNos(r.Cases),
		Status: xfbot.ConsultStatus(r.Status), ScheduledBy: xfbot.Person{OpenID: r.ByID, Name: r.ByName}, ScheduledAt: fromUnix(r.At),
		MovedFrom: parseDate(r.MovedFrom), Note: r.Note, Version: r.Version}
	for _, x := range r.Conclusions {
		c.Conclusions = append(c.Conclusions, xfbot.ConsultConclusion{Case: xfbot.CaseNo(x.Case), Text: x.Text,
			By: xfbot.Person{OpenID: x.ByID, Name: x.ByName}, At: fromUnix(x.At)})
	}
	for _, d := range r.Decisions {
		c.Decisions = append(c.Decisions, xfbot.ConsultDecision{N: d.N, Case: xfbot.CaseNo(d.Case), Means: xfbot.Means{Hard: d.Hard, Type: d.Type},
			Content: d.Content, Unit: d.Unit, Owner: xfbot.Person{OpenID: d.OwnerID, Name: d.OwnerName}, Due: parseDate(d.Due),
			By: xfbot.Person{OpenID: d.ByID, Name: d.ByName}, At: fromUnix(d.At), ConvertedAt: fromUnix(d.ConvAt),
			ConvertedBy: xfbot.Person{OpenID: d.ConvByID, Name: d.ConvByNm}, Measure: d.Measure})
	}
	return c, nil
}

func consultDeadlines(c *xfbot.Consultation, cal *xfbot.Calendar) []xfbot.Deadline {
	if c == nil {
		return nil
	}
	return dated(c.Deadlines(cal))
}

// CreateConsult schedules c. Its number (HZ-YYYY-NNNN, YYYY the year of
// c.Date) is allocated inside Commit; until then c.ID is NoPlaceholder, and
// any text of the Tx queued after this call (a case's history entry, the
// notices) may name it so. A Tx creates at most one numbered entity.
func (tx *Tx) CreateConsult(c *xfbot.Consultation) {
	c.ID = NoPlaceholder
	c.Version = 1
	y := c.Date.Year
	tx.add(op{Op: "alloc", Key: tx.k.consultSeq(y), Fmt: fmt.Sprintf("HZ-%04d-%%04d", y)})
	tx.putConsult(nil, c)
}

// UpdateConsult replaces old with c, a modified copy: ECONFLICT in Commit
// if the stored consultation changed since old was read (two clicks of 转为措施
// on one decision: the second is re-run on a fresh read and finds it
// converted).
func (tx *Tx) UpdateConsult(old, c *xfbot.Consultation) {
	c.Version = old.Version + 1
	tx.add(op{Op: "check", Key: tx.k.consult(old.ID), Ver: old.Version})
	tx.putConsult(old, c)
}

func (tx *Tx) putConsult(old, c *xfbot.Consultation) {
	tx.add(op{Op: "set", Key: tx.k.consult(c.ID), Val: tx.json(encodeConsult(c))})
	if old == nil || old.Date != c.Date {
		tx.add(op{Op: "zadd", Key: tx.k.idxConsultDay(), Member: string(c.ID), Score: float64(c.Date.DayNumber())})
	}
	tx.moveDeadlines(consultDeadlines(old, tx.cal), consultDeadlines(c, tx.cal))
}

// Consult returns a consultation, or nil when there is none.
func (s *Store) Consult(ctx context.Context, id xfbot.ConsultID) (*xfbot.Consultation, error) {
	b, err := s.rdb.Get(ctx, s.k.consult(id)).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("store: consult %s: %w", id, err)
	}
	c, err := decodeConsult(b)
	if err != nil {
		return nil, fmt.Errorf("store: decode consult %s: %w", id, err)
	}
	return c, nil
}

// ConsultsBetween returns the consultations from day from to day to
// (inclusive; a zero to: no end), by day, at most bigLimit, in one round
// trip.
func (s *Store) ConsultsBetween(ctx context.Context, from, to xfbot.Date) ([]*xfbot.Consultation, error) {
	max := "+inf"
	if !to.IsZero() {
		max = strconv.Itoa(to.DayNumber())
	}
	res, err := listScript.Run(ctx, s.rdb, []string{s.k.idxConsultDay()}, strconv.Itoa(from.DayNumber()), max, 0, bigLimit, s.k.consult(""), "").Slice()
	if err != nil {
		return nil, fmt.Errorf("store: consults: %w", err)
	}
	var out []*xfbot.Consultation
	for _, v := range res[1:] {
		str, ok := v.(string)
		if !ok {
			continue
		}
		c, err := decodeConsult([]byte(str))
		if err != nil {
			return nil, fmt.Errorf("store: decode consult: %w", err)
		}
		out = append(out, c)
	}
	return out, nil
}

// Consults returns the consultations of ids that exist, in one round trip
// (the reminder scan reads every consultation due at once).
func (s *Store) Consults(ctx context.Context, ids []xfbot.ConsultID) ([]*xfbot.Consultation, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	ks := make([]string, len(ids))
	for i, id := range ids {
		ks[i] = s.k.consult(id)
	}
	vals, err := s.rdb.MGet(ctx, ks...).Result()
	if err != nil {
		return nil, fmt.Errorf("store: consults: %w", err)
	}
	var out []*xfbot.Consultation
	for i, v := range vals {
		str, ok := v.(string)
		if !ok {
			continue
		}
		c, err := decodeConsult([]byte(str))
		if err != nil {
			return nil, fmt.Errorf("store: decode consult %s: %w", ids[i], err)
		}
		out = append(out, c)
	}
	return out, nil
}
