package larktest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The Calendar v4 calls the bot makes (lark-platform.md §9): a calendar the
// app owns, events on it, attendees on an event. Each checks its path,
// method, token and the body fields Feishu requires, and refuses what
// Feishu refuses: an unknown calendar or event, an event without summary
// or times, times that are not second timestamps, an end before the start,
// an attendee that is not a user by open_id.

// Calendar v4 codes the fake answers with.
const (
	codeCalendarNotFound = 191002 // no such calendar
	codeEventNotFound    = 193001 // no such event
	codeEventDeleted     = 193002 // the event was deleted
)

// CalendarCall is one successful Calendar v4 call as the server received it.
type CalendarCall struct {
	Method string // POST, PATCH or DELETE
	Path   string
	Query  string // the raw query
	Body   string // the JSON body as sent ("" for DELETE)
	At     time.Time
}

// Event is an event as the fake keeps it.
type Event struct {
	ID, CalendarID   string
	Summary          string
	Description      string
	Location         string
	Start, End       time.Time
	Timezone         string
	Attendees        []string // open_ids, in the order invited, each once
	Deleted          bool
	IdempotencyKey   string
	NeedNotification bool
}

type timeInfo struct {
	Timestamp string `json:"timestamp"`
	Date      string `json:"date"`
	Timezone  string `json:"timezone"`
}

type eventBody struct {
	Summary          *string   `json:"summary"`
	Description      *string   `json:"description"`
	NeedNotification *bool     `json:"need_notification"`
	StartTime        *timeInfo `json:"start_time"`
	EndTime          *timeInfo `json:"end_time"`
	Location         *struct {
		Name string `json:"name"`
	} `json:"location"`
}

func (s *Server) routeCalendar(mux *http.ServeMux) {
	mux.HandleFunc("POST /open-apis/calendar/v4/calendars", s.auth(s.handleCalendarCreate))
	mux.HandleFunc("POST /open-apis/calendar/v4/calendars/{calendar_id}/events", s.auth(s.handleEventCreate))
	mux.HandleFunc("PATCH /open-apis/calendar/v4/calendars/{calendar_id}/events/{event_id}", s.auth(s.handleEventPatch))
	mux.HandleFunc("DELETE /open-apis/calendar/v4/calendars/{calendar_id}/events/{event_id}", s.auth(s.handleEventDelete))
	mux.HandleFunc("POST /open-apis/calendar/v4/calendars/{calendar_id}/events/{event_id}/attendees", s.auth(s.handleAttendees))
}

// CalendarCalls returns the successful Calendar v4 calls in arrival order.
func (s *Server) CalendarCalls() []CalendarCall {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]CalendarCall(nil), s.calCalls...)
}

// Events returns the events made, deleted ones included, in creation order.
func (s *Server) Events() []Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Event, 0, len(s.eventOrder))
	for _, id := range s.eventOrder {
		e := *s.events[id]
		e.Attendees = append([]string(nil), e.Attendees...)
		out = append(out, e)
	}
	return out
}

// WaitCalendar waits until cond holds for the events and returns them.
func (s *Server) WaitCalendar(cond func([]Event) bool, timeout time.Duration) ([]Event, bool) {
	var evs []Event
	ok := s.wait(timeout, func() bool {
		evs = evs[:0]
		for _, id := range s.eventOrder {
			e := *s.events[id]
			e.Attendees = append([]string(nil), e.Attendees...)
			evs = append(evs, e)
		}
		return cond(evs)
	})
	return evs, ok
}

func (s *Server) recordCalLocked(r *http.Request, body []byte) {
	s.calCalls = append(s.calCalls, CalendarCall{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Body: string(body), At: s.now()})
	s.notifyLocked()
}

func (s *Server) handleCalendarCreate(w http.ResponseWriter, r *http.Request) {
	if e, ok := s.fault(); ok {
		writeError(w, e)
		return
	}
	var body struct {
		Summary     string `json:"summary"`
		Description string `json:"description"`
		Permissions string `json:"permissions"`
	}
	raw, err := readBody(r, &body)
	if err != nil || body.Summary == "" || !oneOf(body.Permissions, "", "private", "show_only_free_busy", "public") {
		writeError(w, apiError{http.StatusBadRequest, codeFieldValidation, msgFieldValidation})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.calendars == nil {
		s.calendars = map[string]bool{}
		s.events = map[string]*Event{}
		s.eventKeys = map[string]string{}
	}
	id := fmt.Sprintf("feishu.cn_%04d@group.calendar.feishu.cn", len(s.calendars)+1)
	s.calendars[id] = true
	s.recordCalLocked(r, raw)
	writeJSON(w, http.StatusOK, map[string]any{"code": 0, "msg": "success", "data": map[string]any{
		"calendar": map[string]any{"calendar_id": id, "summary": body.Summary, "description": body.Description,
			"permissions": body.Permissions, "type": "shared", "role": "owner"}}})
}

// calendarOf checks the path's calendar; it answers the error itself.
func (s *Server) calendarOfLocked(w http.ResponseWriter, r *http.Request) bool {
	if !s.calendars[r.PathValue("calendar_id")] {
		writeError(w, apiError{http.StatusNotFound, codeCalendarNotFound, "calendar not found"})
		return false
	}
	return true
}

func (s *Server) eventOfLocked(w http.ResponseWriter, r *http.Request) *Event {
	e := s.events[r.PathValue("event_id")]
	switch {
	case e == nil || e.CalendarID != r.PathValue("calendar_id"):
		writeError(w, apiError{http.StatusNotFound, codeEventNotFound, "event not found"})
		return nil
	case e.Deleted:
		writeError(w, apiError{http.StatusNotFound, codeEventDeleted, "event deleted"})
		return nil
	}
	return e
}

// parseTime reads a timed TimeInfo: a second timestamp and an IANA zone.
func parseTime(t *timeInfo) (time.Time, string, bool) {
	if t == nil || t.Timestamp == "" || t.Date != "" {
		return time.Time{}, "", false
	}
	sec, err := strconv.ParseInt(t.Timestamp, 10, 64)
	if err != nil || sec < 1e9 || sec > 1e11 {
		return time.Time{}, "", false
	}
	if t.Timezone != "" {
		if _, err := time.LoadLocation(t.Timezone); err != nil {
			return time.Time{}, "", false
		}
	}
	return time.Unix(sec, 0), t.Timezone, true
}

func (s *Server) handleEventCreate(w http.ResponseWriter, r *http.Request) {
	if e, ok := s.fault(); ok {
		writeError(w, e)
		return
	}
	var body eventBody
	raw, err := readBody(r, &body)
	start, tz, ok1 := parseTime(body.StartTime)
	end, _, ok2 := parseTime(body.EndTime)
	if err != nil || !ok1 || !ok2 || !end.After(start) || body.Summary == nil || *body.Summary == "" ||
		!oneOf(r.URL.Query().Get("user_id_type"), "", "open_id", "union_id", "user_id") {
		writeError(w, apiError{http.StatusBadRequest, codeFieldValidation, msgFieldValidation})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.calendarOfLocked(w, r) {
		return
	}
	key := r.URL.Query().Get("idempotency_key")
	if id, ok := s.eventKeys[key]; ok && key != "" {
		s.recordCalLocked(r, raw)
		writeJSON(w, http.StatusOK, map[string]any{"code": 0, "msg": "success", "data": map[string]any{"event": eventJSON(s.events[id])}})
		return
	}
	e := &Event{ID: fmt.Sprintf("evt_%04d_0", len(s.eventOrder)+1), CalendarID: r.PathValue("calendar_id"),
		Summary: *body.Summary, Start: start, End: end, Timezone: tz, IdempotencyKey: key}
	applyEvent(e, body)
	s.events[e.ID] = e
	s.eventOrder = append(s.eventOrder, e.ID)
	if key != "" {
		s.eventKeys[key] = e.ID
	}
	s.recordCalLocked(r, raw)
	writeJSON(w, http.StatusOK, map[string]any{"code": 0, "msg": "success", "data": map[string]any{"event": eventJSON(e)}})
}

func applyEvent(e *Event, b eventBody) {
	if b.Summary != nil {
		e.Summary = *b.Summary
	}
	if b.Description != nil {
		e.Description = *b.Description
	}
	if b.Location != nil {
		e.Location = b.Location.Name
	}
	if b.NeedNotification != nil {
		e.NeedNotification = *b.NeedNotification
	}
}

func eventJSON(e *Event) map[string]any {
	ts := func(t time.Time) map[string]any {
		return map[string]any{"timestamp": strconv.FormatInt(t.Unix(), 10), "timezone": e.Timezone}
	}
	return map[string]any{"event_id": e.ID, "organizer_calendar_id": e.CalendarID, "summary": e.Summary,
		"description": e.Description, "start_time": ts(e.Start), "end_time": ts(e.End), "status": "confirmed",
		"location": map[string]any{"name": e.Location}}
}

func (s *Server) handleEventPatch(w http.ResponseWriter, r *http.Request) {
	if e, ok := s.fault(); ok {
		writeError(w, e)
		return
	}
	var body eventBody
	raw, err := readBody(r, &body)
	if err != nil {
		writeError(w, apiError{http.StatusBadRequest, codeFieldValidation, msgFieldValidation})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.calendarOfLocked(w, r) {
		return
	}
	e := s.eventOfLocked(w, r)
	if e == nil {
		return
	}
	start, end, tz := e.Start, e.End, e.Timezone
	if body.StartTime != nil {
		var ok bool
		if start, tz, ok = parseTime(body.StartTime); !ok {
			writeError(w, apiError{http.StatusBadRequest, codeFieldValidation, msgFieldValidation})
			return
		}
	}
	if body.EndTime != nil {
		var ok bool
		if end, _, ok = parseTime(body.EndTime); !ok {
			writeError(w, apiError{http.StatusBadRequest, codeFieldValidation, msgFieldValidation})
			return
		}
	}
	if !end.After(start) {
		writeError(w, apiError{http.StatusBadRequest, codeFieldValidation, msgFieldValidation})
		return
	}
	e.Start, e.End, e.Timezone = start, end, tz
	applyEvent(e, body)
	s.recordCalLocked(r, raw)
	writeJSON(w, http.StatusOK, map[string]any{"code": 0, "msg": "success", "data": map[string]any{"event": eventJSON(e)}})
}

func (s *Server) handleEventDelete(w http.ResponseWriter, r *http.Request) {
	if e, ok := s.fault(); ok {
		writeError(w, e)
		return
	}
	if !oneOf(r.URL.Query().Get("need_notification"), "", "true", "false") {
		writeError(w, apiError{http.StatusBadRequest, codeFieldValidation, msgFieldValidation})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.calendarOfLocked(w, r) {
		return
	}
	e := s.eventOfLocked(w, r)
	if e == nil {
		return
	}
	e.Deleted = true
	s.recordCalLocked(r, nil)
	writeJSON(w, http.StatusOK, map[string]any{"code": 0, "msg": "success", "data": map[string]any{}})
}

func (s *Server) handleAttendees(w http.ResponseWriter, r *http.Request) {
	if e, ok := s.fault(); ok {
		writeError(w, e)
		return
	}
	var body struct {
		Attendees []struct {
			Type   string `json:"type"`
			UserID string `json:"user_id"`
		} `json:"attendees"`
		NeedNotification *bool `json:"need_notification"`
	}
	raw, err := readBody(r, &body)
	if err != nil || len(body.Attendees) == 0 || r.URL.Query().Get("user_id_type") != "open_id" {
		writeError(w, apiError{http.StatusBadRequest, codeFieldValidation, msgFieldValidation})
		return
	}
	for _, a := range body.Attendees {
		if a.Type != "user" || !strings.HasPrefix(a.UserID, "ou_") {
			writeError(w, apiError{http.StatusBadRequest, codeFieldValidation, msgFieldValidation})
			return
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.calendarOfLocked(w, r) {
		return
	}
	e := s.eventOfLocked(w, r)
	if e == nil {
		return
	}
	var out []map[string]any
	for _, a := range body.Attendees {
		known := false
		for _, x := range e.Attendees {
			known = known || x == a.UserID
		}
		if !known {
			e.Attendees = append(e.Attendees, a.UserID)
		}
		out = append(out, map[string]any{"type": "user", "user_id": a.UserID, "attendee_id": "user_" + a.UserID, "rsvp_status": "needs_action"})
	}
	s.recordCalLocked(r, raw)
	writeJSON(w, http.StatusOK, map[string]any{"code": 0, "msg": "success", "data": map[string]any{"attendees": out}})
}

// readBody reads a JSON body whole, decodes it into v and returns it.
func readBody(r *http.Request, v any) ([]byte, error) {
	raw, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	return raw, json.Unmarshal(raw, v)
}
