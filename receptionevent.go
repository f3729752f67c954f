package xfbot

import (
	"fmt"
	"time"
)

// CalendarEvent is what a reception is in its leader's Feishu calendar: an
// event on the calendar the app owns, the leader invited. It carries the
// whole state the event should have, with the reception's version, so that
// whichever replica brings the calendar up to date, and however late, an
// older state never overwrites a newer one.
type CalendarEvent struct {
	Key     string // the reception's number: the event's identity
	From    string // the reception this one was rescheduled from: its event is moved, not replaced
	Version int64
	Cancel  bool // the reception was cancelled: the event goes

	Summary     string
	Description string
	Location    string
	Start, End  time.Time
	Timezone    string   // IANA name of the zone the times are in
	Attendees   []string // open_ids
}

// Hours are the slot's times of day as the calendar shows them: 上午
// 9:00–12:00, 下午 14:30–17:30, 全天 9:00–17:30.
func (s Slot) Hours() (from, to time.Duration) {
	switch s {
	case SlotPM:
		return 14*time.Hour + 30*time.Minute, 17*time.Hour + 30*time.Minute
	case SlotFull:
		return 9 * time.Hour, 17*time.Hour + 30*time.Minute
	}
	return 9 * time.Hour, 12 * time.Hour
}

// CalendarEvent is the event of r, its times in loc (nil: UTC). The
// description names cases by number only: a calendar is no place for a
// petitioner's name.
func (r *Reception) CalendarEvent(loc *time.Location) CalendarEvent {
	if loc == nil {
		loc = time.UTC
	}
	from, to := r.Slot.Hours()
	day := time.Date(r.Date.Year, r.Date.Month, r.Date.Day, 0, 0, 0, 0, loc)
	ev := CalendarEvent{
		Key: string(r.ID), From: string(r.RescheduledFrom), Version: r.Version,
		Cancel:   r.Status == ReceptionCancelled,
		Summary:  "领导接访日 · " + r.Mode.Label(),
		Location: r.Place,
		Start:    day.Add(from), End: day.Add(to), Timezone: loc.String(),
	}
	if r.Leader.OpenID != "" {
		ev.Attendees = []string{r.Leader.OpenID}
	}
	ev.Description = fmt.Sprintf("%s %s %s（%s）\n接访前案情：在飞书中向信访专班机器人发送“接访 查看 %s”。",
		r.Leader.Name, r.When(), r.Mode.Label(), r.ID, r.ID)
	if r.Place != "" {
		ev.Description += "\n地点：" + r.Place
	}
	if n := len(r.Appointments); n > 0 {
		ev.Description += fmt.Sprintf("\n约访案件 %d 件，接访前一个工作日发送案情。", n)
	}
	return ev
}
