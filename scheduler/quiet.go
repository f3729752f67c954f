package scheduler

import (
	"time"

	"github.com/qingchuan/xfbot"
)

// The one quiet-hours rule of every push the jobs make (the reminder scan
// with its letters, the escalation ladder, reception briefings and their
// reminders):
//
//   - in the quiet hours (reminders.quiet_from–quiet_to, default 21–8) only
//     what cannot wait a night goes out: ⚫ 严重超期;
//   - on a non-working day (weekend, holiday; a 调休 Saturday works) outside
//     them, also what would be too late on the next working day: a
//     reception's briefing, which comes before the reception;
//   - everything else (warning levels, gaps, snoozes, escalation steps,
//     missing records, letters, nags) waits for the next working run.
//
// Nothing deferred is marked sent, so the next run that may push it does.

// hush is how quiet a moment is.
type hush int

const (
	awake  hush = iota // a working day, outside the quiet hours
	offDay             // a non-working day, outside the quiet hours
	night              // the quiet hours
)

// urgency is what a push may interrupt.
type urgency int

const (
	workdayOnly urgency = iota // the next working run is soon enough
	evenOffDays                // a non-working day too: it would come too late
	evenAtNight                // any hour: ⚫
)

// hushAt is how quiet now is, in loc, with cal's working days and the quiet
// hours from–to (both 0: the default 21–8).
func hushAt(now time.Time, loc *time.Location, cal *xfbot.Calendar, from, to int) hush {
	if from == 0 && to == 0 {
		from, to = 21, 8
	}
	t := now.In(loc)
	if h := t.Hour(); h >= from || h < to {
		return night
	}
	if !cal.IsWorkday(xfbot.DateOf(t, loc)) {
		return offDay
	}
	return awake
}

// lets reports whether a push of urgency u may go out now.
func (h hush) lets(u urgency) bool {
	switch h {
	case awake:
		return true
	case offDay:
		return u >= evenOffDays
	}
	return u >= evenAtNight
}
