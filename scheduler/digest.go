package scheduler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/bot"
	"github.com/qingchuan/xfbot/report"
	"github.com/qingchuan/xfbot/store"
)

// The digests: each is sent exactly once per leader and day, per week or
// per month, whatever the number of replicas or retries, because its
// sent-ledger entry is written in the same Commit as its message.

// LeaderDigest sends each leader a card about the cases he or she watches
// (schedule.leader_digest, working days). Leaders with nothing to report
// get nothing; on non-working days nothing is sent.
type LeaderDigest struct {
	Reports  *report.Reports
	Calendar *xfbot.Calendar
	Logger   *slog.Logger
}

// Run sends the day's digests as of now.
func (j *LeaderDigest) Run(ctx context.Context, now time.Time) error {
	r := j.Reports
	today := xfbot.DateOf(now, r.Location)
	if !j.Calendar.IsWorkday(today) {
		return nil
	}
	ids, err := r.LeaderIDs(ctx)
	if err != nil || len(ids) == 0 {
		return err
	}
	ds, err := r.LeaderDigests(ctx, ids, now)
	if err != nil {
		return err
	}
	var errs []error
	sent := 0
	for _, d := range ds {
		if d.Empty {
			continue
		}
		js, err := d.Card.JSON()
		if err != nil {
			errs = append(errs, fmt.Errorf("leader digest for %s: %w", d.Leader, err))
			continue
		}
		tx := r.Store.NewTx()
		tx.MarkSentKey("digest:"+d.Leader, today.String(), now.Format(time.RFC3339))
		tx.MarkDigest(d.Leader, now)
		tx.Enqueue(store.OutboundMessage{ID: uuidOf("digest:" + d.Leader + ":" + today.String()),
			Kind: store.KindSend, ReceiveIDType: "open_id", ReceiveID: d.Leader,
			MsgType: "interactive", Content: js, Text: d.Card.Text(), EnqueuedAt: now})
		switch _, err := r.Store.Commit(ctx, tx); {
		case err == nil:
			sent++
		case errors.Is(err, store.ErrAlreadySent):
		default:
			errs = append(errs, fmt.Errorf("leader digest for %s: %w", d.Leader, err))
		}
	}
	if j.Logger != nil && sent > 0 {
		j.Logger.Info("leader digests queued", "n", sent, "leaders", len(ids))
	}
	return errors.Join(errs...)
}

// GroupWeekly sends the task-force group the weekly digest
// (schedule.group_weekly, Monday morning): the week just ended.
type GroupWeekly struct {
	Reports     *report.Reports
	GroupChatID string
}

// Run sends the digest of the week before now's.
func (j *GroupWeekly) Run(ctx context.Context, now time.Time) error {
	if j.GroupChatID == "" {
		return nil
	}
	r := j.Reports
	today := xfbot.DateOf(now, r.Location)
	week := xfbot.WeekPeriod(today.AddDays(-7)).From.String()
	card, err := r.Weekly(ctx, now, false)
	if err != nil {
		return err
	}
	return sendGroup(ctx, r.Store, j.GroupChatID, "weekly", week, now, card, nil)
}

// Monthly sends the task-force group the monthly report (schedule.monthly,
// the 1st): the month before now's. In the first district of a deployment
// with a city view it also sends each 市级 viewer the city's (全市 月报).
type Monthly struct {
	Reports     *report.Reports
	GroupChatID string
	// City, CityName and CityViewers: the city's monthly report, sent by
	// private message to each viewer (city.viewers); none when empty.
	City        []report.CityDistrict
	CityName    string
	CityViewers []string
}

// Run sends the report of the month before now's.
func (j *Monthly) Run(ctx context.Context, now time.Time) error {
	r := j.Reports
	today := xfbot.DateOf(now, r.Location)
	m := xfbot.MonthOf(xfbot.MonthOf(today).First().AddDays(-1))
	if j.GroupChatID != "" {
		card, rest, err := r.Monthly(ctx, m, today)
		if err != nil {
			return err
		}
		if err := sendGroup(ctx, r.Store, j.GroupChatID, "monthly", m.String(), now, card, rest); err != nil {
			return err
		}
	}
	if len(j.City) == 0 || len(j.CityViewers) == 0 {
		return nil
	}
	card, err := report.City(ctx, j.CityName, j.City, xfbot.MonthPeriod(m), today, true)
	if err != nil {
		return err
	}
	js, err := card.JSON()
	if err != nil {
		return err
	}
	// Once a month, for every viewer in one commit: a replica that lost
	// the race finds it sent.
	tx := r.Store.NewTx()
	tx.MarkSentKey("city_monthly", m.String(), now.Format(time.RFC3339))
	for _, v := range j.CityViewers {
		tx.Enqueue(store.OutboundMessage{ID: uuidOf("city_monthly:" + m.String() + ":" + v), Kind: store.KindSend, ReceiveIDType: "open_id",
			ReceiveID: v, MsgType: "interactive", Content: js, Text: card.Text(), EnqueuedAt: now})
	}
	if _, err := r.Store.Commit(ctx, tx); err != nil && !errors.Is(err, store.ErrAlreadySent) {
		return err
	}
	return nil
}

// sendGroup queues card (and the lines that did not fit, as text messages)
// for the group, once per (kind, period).
func sendGroup(ctx context.Context, st *store.Store, chat, kind, period string, now time.Time, card *bot.Card, rest []string) error {
	tx := st.NewTx()
	tx.MarkSentKey(kind, period, now.Format(time.RFC3339))
	id := kind + ":" + period
	_, card = bot.ForGroup("", card)
	if js, err := card.JSON(); err == nil {
		tx.Enqueue(store.OutboundMessage{ID: uuidOf(id), Kind: store.KindSend, ReceiveIDType: "chat_id", ReceiveID: chat, ChatID: chat,
			MsgType: "interactive", Content: js, Text: card.Text(), EnqueuedAt: now})
	} else {
		// No card can hold it: the same content as text messages.
		rest = append(strings.Split(card.Text(), "\n"), rest...)
	}
	for i, text := range splitText(rest, 3000) {
		text, _ = bot.ForGroup(text, nil)
		tx.Enqueue(store.OutboundMessage{ID: uuidOf(fmt.Sprintf("%s:%d", id, i+1)), Kind: store.KindSend, ReceiveIDType: "chat_id",
			ReceiveID: chat, ChatID: chat, MsgType: "text", Content: bot.TextContent(text), Text: text, EnqueuedAt: now})
	}
	if _, err := st.Commit(ctx, tx); err != nil && !errors.Is(err, store.ErrAlreadySent) {
		return err
	}
	return nil
}

// splitText joins lines into messages of at most max runes each.
func splitText(lines []string, max int) []string {
	var out []string
	var b strings.Builder
	n := 0
	for _, l := range lines {
		ln := len([]rune(l)) + 1
		if n > 0 && n+ln > max {
			out = append(out, b.String())
			b.Reset()
			n = 0
		}
		if n > 0 {
			b.WriteString("\n")
		}
		b.WriteString(l)
		n += ln
	}
	if n > 0 {
		out = append(out, b.String())
	}
	return out
}
