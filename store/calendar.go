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

// KindCalendar is an outbox entry that brings a reception's event in the
// leader's Feishu calendar to the state it carries (an xfbot.CalendarEvent
// as JSON in Content): created, moved or cancelled. It is queued in the
// commit of the reception's write, so a calendar that cannot be reached
// never holds up a command, and the sender retries it like any message.
const KindCalendar = "calendar"

// WithCalendarEvents makes every write of a reception queue its calendar
// event (KindCalendar) and returns s: calendar.enabled.
func (s *Store) WithCalendarEvents(on bool) *Store {
	s.calEvents = on
	return s
}

// calendarSync queues the calendar event of r after a write from old:
// when a planned reception is created or its day, slot, place, mode or
// leader change, and when it is cancelled. A reception rescheduled keeps
// its event: the new reception's entry (From) moves it; one held keeps it
// as the record of the day.
func (tx *Tx) calendarSync(old, r *xfbot.Reception) {
	if !tx.calEvents {
		return
	}
	switch {
	case r.Status == xfbot.ReceptionPlanned:
		if old != nil && old.Status == r.Status && old.Date == r.Date && old.Slot == r.Slot && old.Place == r.Place &&
			old.Mode == r.Mode && old.Leader == r.Leader && len(old.Appointments) == len(r.Appointments) {
			return
		}
	case r.Status == xfbot.ReceptionCancelled:
		if old == nil || old.Status != xfbot.ReceptionPlanned {
			return
		}
	default:
		return
	}
	ev := r.CalendarEvent(tx.loc)
	content, err := json.Marshal(ev)
	if err != nil {
		if tx.err == nil {
			tx.err = fmt.Errorf("store: calendar event of %s: %w", r.ID, err)
		}
		return
	}
	what := "📅 日历：" + ev.Summary + " " + r.When()
	if ev.Cancel {
		what = "📅 日历：取消 " + r.When() + " 的接访"
	}
	tx.Enqueue(OutboundMessage{
		// The id names the reception and its version: the number a new
		// reception gets in Commit replaces the placeholder in it too.
		ID: "cal:" + string(r.ID) + ":" + strconv.FormatInt(r.Version, 10), Kind: KindCalendar,
		ChatID:  "calendar:" + r.Leader.OpenID, // one leader's events in order
		MsgType: "calendar", Content: string(content), Text: what,
	})
}

// CalendarState is what the sender knows of a reception's event: Feishu's
// event id, the version of the reception it shows, and whether it is gone
// (cancelled, or moved to the reception it was rescheduled to).
type CalendarState struct {
	EventID string
	Version int64
	Gone    bool
}

// CalendarState returns the state of key's event (zero when none was made).
func (s *Store) CalendarState(ctx context.Context, key string) (CalendarState, error) {
	m, err := s.rdb.HGetAll(ctx, s.k.calendarEvent(key)).Result()
	if err != nil {
		return CalendarState{}, fmt.Errorf("store: calendar state of %s: %w", key, err)
	}
	v, _ := strconv.ParseInt(m["v"], 10, 64)
	return CalendarState{EventID: m["id"], Version: v, Gone: m["gone"] == "1"}, nil
}

// SetCalendarState records key's event state.
func (s *Store) SetCalendarState(ctx context.Context, key string, st CalendarState) error {
	gone := "0"
	if st.Gone {
		gone = "1"
	}
	if err := s.rdb.HSet(ctx, s.k.calendarEvent(key), "id", st.EventID, "v", st.Version, "gone", gone).Err(); err != nil {
		return fmt.Errorf("store: calendar state of %s: %w", key, err)
	}
	return nil
}

// CalendarID returns the id of the calendar the app keeps receptions on
// ("" until one was made).
func (s *Store) CalendarID(ctx context.Context) (string, error) {
	id, err := s.rdb.Get(ctx, s.k.calendarID()).Result()
	if errors.Is(err, redis.Nil) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("store: calendar id: %w", err)
	}
	return id, nil
}

// ClaimCalendarID records id as the app's calendar unless one is recorded
// already, and returns the one that stands: of two replicas that made a
// calendar at once, one calendar is kept.
func (s *Store) ClaimCalendarID(ctx context.Context, id string) (string, error) {
	ok, err := s.rdb.SetNX(ctx, s.k.calendarID(), id, 0).Result()
	if err != nil {
		return "", fmt.Errorf("store: calendar id: %w", err)
	}
	if ok {
		return id, nil
	}
	return s.CalendarID(ctx)
}

func (k keys) calendarEvent(key string) string { return k.base + "cal:ev:" + key }
func (k keys) calendarID() string              { return k.base + "cal:id" }
