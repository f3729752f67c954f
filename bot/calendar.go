package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	larkcal "github.com/larksuite/oapi-sdk-go/v3/service/calendar/v4"
	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/store"
)

// CalendarTransport is a Transport that can also keep events in a calendar
// the app owns (Calendar v4): LarkTransport. A transport without it (the
// console) is handed a calendar entry as a message and prints its text.
type CalendarTransport interface {
	CreateCalendar(ctx context.Context, summary, description string) (calendarID string, err error)
	CreateEvent(ctx context.Context, calendarID string, ev xfbot.CalendarEvent, idempotencyKey string) (eventID string, err error)
	PatchEvent(ctx context.Context, calendarID, eventID string, ev xfbot.CalendarEvent) error
	DeleteEvent(ctx context.Context, calendarID, eventID string) error
	AddAttendees(ctx context.Context, calendarID, eventID string, openIDs []string) error
}

// calendarName is the calendar the app keeps receptions on.
const (
	calendarName = "领导接访日"
	calendarDesc = "信访矛盾化解专班安排的领导接访；由机器人按接访安排、改期、取消自动维护。"
)

// syncCalendar brings the event of one KindCalendar entry to the state it
// carries. The state applied last is kept in the store, by reception:
// an entry older than it (another replica, a retry after a newer write)
// changes nothing; an entry of a reception rescheduled from another moves
// that one's event; a cancellation deletes the event. Each step is safe to
// repeat: the create carries an idempotency key, a second patch or delete
// finds the same state.
func (s *Sender) syncCalendar(ctx context.Context, ct CalendarTransport, m store.OutboundMessage) error {
	var ev xfbot.CalendarEvent
	if err := json.Unmarshal([]byte(m.Content), &ev); err != nil || ev.Key == "" {
		return &SendError{Msg: fmt.Sprintf("calendar entry %s unreadable: %v", m.ID, err)}
	}
	st, err := s.st.CalendarState(ctx, ev.Key)
	if err != nil {
		return &SendError{Err: err}
	}
	if st.Version >= ev.Version && st.Version > 0 {
		return nil // a newer state is applied already
	}
	cal, err := s.calendarID(ctx, ct)
	if err != nil {
		return err
	}
	if ev.Cancel {
		if st.EventID != "" && !st.Gone {
			if err := ct.DeleteEvent(ctx, cal, st.EventID); err != nil && !notFound(err) {
				return err
			}
		}
		return s.setCalendar(ctx, ev.Key, store.CalendarState{EventID: st.EventID, Version: ev.Version, Gone: true})
	}
	id := st.EventID
	if st.Gone {
		id = ""
	}
	var from store.CalendarState
	if id == "" && ev.From != "" {
		if from, err = s.st.CalendarState(ctx, ev.From); err != nil {
			return &SendError{Err: err}
		}
		if from.EventID != "" && !from.Gone {
			id = from.EventID // 改期: the same event, moved
		}
	}
	if id != "" {
		if err := ct.PatchEvent(ctx, cal, id, ev); err != nil && !notFound(err) {
			return err
		} else if err != nil {
			id = "" // deleted in the calendar by hand: make it again
		}
	}
	if id == "" {
		if id, err = ct.CreateEvent(ctx, cal, ev, m.ID); err != nil {
			return err
		}
	}
	if len(ev.Attendees) > 0 {
		if err := ct.AddAttendees(ctx, cal, id, ev.Attendees); err != nil {
			return err
		}
	}
	if from.EventID == id && id != "" {
		if err := s.setCalendar(ctx, ev.From, store.CalendarState{EventID: id, Version: from.Version, Gone: true}); err != nil {
			return err
		}
	}
	return s.setCalendar(ctx, ev.Key, store.CalendarState{EventID: id, Version: ev.Version})
}

func (s *Sender) setCalendar(ctx context.Context, key string, st store.CalendarState) error {
	if err := s.st.SetCalendarState(ctx, key, st); err != nil {
		return &SendError{Err: err}
	}
	return nil
}

// calendarID is the app's reception calendar, made on first use.
func (s *Sender) calendarID(ctx context.Context, ct CalendarTransport) (string, error) {
	id, err := s.st.CalendarID(ctx)
	if err != nil {
		return "", &SendError{Err: err}
	}
	if id != "" {
		return id, nil
	}
	made, err := ct.CreateCalendar(ctx, calendarName, calendarDesc)
	if err != nil {
		return "", err
	}
	if id, err = s.st.ClaimCalendarID(ctx, made); err != nil {
		return "", &SendError{Err: err}
	}
	return id, nil
}

func notFound(err error) bool {
	se, ok := err.(*SendError)
	return ok && (se.HTTPStatus == http.StatusNotFound || se.Code == calCodeNotFound || se.Code == calCodeDeleted)
}

// Calendar v4 codes for an event that is not there (any more).
const (
	calCodeNotFound = 193001
	calCodeDeleted  = 193002
)

var _ CalendarTransport = (*LarkTransport)(nil)

// CreateCalendar makes the shared calendar the app owns.
func (t *LarkTransport) CreateCalendar(ctx context.Context, summary, description string) (string, error) {
	resp, err := t.client.Calendar.Calendar.Create(ctx, larkcal.NewCreateCalendarReqBuilder().
		Calendar(larkcal.NewCalendarBuilder().Summary(summary).Description(description).Permissions("private").Build()).Build())
	if err != nil {
		return "", &SendError{Err: err}
	}
	if !resp.Success() {
		return "", t.fail(ctx, resp.ApiResp, resp.CodeError)
	}
	if resp.Data == nil || resp.Data.Calendar == nil || resp.Data.Calendar.CalendarId == nil {
		return "", &SendError{Msg: "calendar create: no calendar_id in the answer"}
	}
	return *resp.Data.Calendar.CalendarId, nil
}

func eventOf(ev xfbot.CalendarEvent) *larkcal.CalendarEvent {
	tz := ev.Timezone
	if tz == "" || tz == "Local" {
		tz = "Asia/Shanghai"
	}
	at := func(tm int64) *larkcal.TimeInfo {
		return larkcal.NewTimeInfoBuilder().Timestamp(strconv.FormatInt(tm, 10)).Timezone(tz).Build()
	}
	b := larkcal.NewCalendarEventBuilder().
		Summary(ev.Summary).Description(ev.Description).NeedNotification(true).
		StartTime(at(ev.Start.Unix())).EndTime(at(ev.End.Unix())).
		AttendeeAbility("can_see_others").FreeBusyStatus("busy")
	if ev.Location != "" {
		b.Location(larkcal.NewEventLocationBuilder().Name(ev.Location).Build())
	}
	return b.Build()
}

// CreateEvent creates ev; idempotencyKey makes a retried create return the
// event the first one made.
func (t *LarkTransport) CreateEvent(ctx context.Context, calendarID string, ev xfbot.CalendarEvent, idempotencyKey string) (string, error) {
	resp, err := t.client.Calendar.CalendarEvent.Create(ctx, larkcal.NewCreateCalendarEventReqBuilder().
		CalendarId(calendarID).IdempotencyKey(idempotencyKey).UserIdType("open_id").CalendarEvent(eventOf(ev)).Build())
	if err != nil {
		return "", &SendError{Err: err}
	}
	if !resp.Success() {
		return "", t.fail(ctx, resp.ApiResp, resp.CodeError)
	}
	if resp.Data == nil || resp.Data.Event == nil || resp.Data.Event.EventId == nil {
		return "", &SendError{Msg: "calendar event create: no event_id in the answer"}
	}
	return *resp.Data.Event.EventId, nil
}

// PatchEvent moves or renames an event.
func (t *LarkTransport) PatchEvent(ctx context.Context, calendarID, eventID string, ev xfbot.CalendarEvent) error {
	resp, err := t.client.Calendar.CalendarEvent.Patch(ctx, larkcal.NewPatchCalendarEventReqBuilder().
		CalendarId(calendarID).EventId(eventID).UserIdType("open_id").CalendarEvent(eventOf(ev)).Build())
	if err != nil {
		return &SendError{Err: err}
	}
	if !resp.Success() {
		return t.fail(ctx, resp.ApiResp, resp.CodeError)
	}
	return nil
}

// DeleteEvent cancels an event; its attendees are told.
func (t *LarkTransport) DeleteEvent(ctx context.Context, calendarID, eventID string) error {
	resp, err := t.client.Calendar.CalendarEvent.Delete(ctx, larkcal.NewDeleteCalendarEventReqBuilder().
		CalendarId(calendarID).EventId(eventID).NeedNotification("true").Build())
	if err != nil {
		return &SendError{Err: err}
	}
	if !resp.Success() {
		return t.fail(ctx, resp.ApiResp, resp.CodeError)
	}
	return nil
}

// AddAttendees invites people by open_id; inviting one already invited
// changes nothing.
func (t *LarkTransport) AddAttendees(ctx context.Context, calendarID, eventID string, openIDs []string) error {
	var as []*larkcal.CalendarEventAttendee
	for _, id := range openIDs {
		as = append(as, larkcal.NewCalendarEventAttendeeBuilder().Type("user").UserId(id).Build())
	}
	resp, err := t.client.Calendar.CalendarEventAttendee.Create(ctx, larkcal.NewCreateCalendarEventAttendeeReqBuilder().
		CalendarId(calendarID).EventId(eventID).UserIdType("open_id").
		Body(larkcal.NewCreateCalendarEventAttendeeReqBodyBuilder().Attendees(as).NeedNotification(true).Build()).Build())
	if err != nil {
		return &SendError{Err: err}
	}
	if !resp.Success() {
		return t.fail(ctx, resp.ApiResp, resp.CodeError)
	}
	return nil
}
