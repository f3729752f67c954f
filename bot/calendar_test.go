package bot_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/bot"
	"github.com/qingchuan/xfbot/store"
)

// calTransport records calendar calls; patches of an id in gone answer as
// Feishu does for an event deleted by hand.
type calTransport struct {
	mu    sync.Mutex
	calls []string
	gone  map[string]bool
	n     int
}

func (c *calTransport) Deliver(ctx context.Context, m store.OutboundMessage) (string, error) {
	c.record("deliver " + m.Kind)
	return "om_x", nil
}
func (c *calTransport) record(s string) { c.mu.Lock(); c.calls = append(c.calls, s); c.mu.Unlock() }
func (c *calTransport) CreateCalendar(ctx context.Context, summary, _ string) (string, error) {
	c.record("calendar " + summary)
	return "cal_1", nil
}
func (c *calTransport) CreateEvent(ctx context.Context, cal string, ev xfbot.CalendarEvent, key string) (string, error) {
	c.mu.Lock()
	c.n++
	id := "evt_" + string(rune('0'+c.n))
	c.mu.Unlock()
	c.record("create " + ev.Key + " " + ev.Start.Format("2006-01-02 15:04"))
	return id, nil
}
func (c *calTransport) PatchEvent(ctx context.Context, cal, id string, ev xfbot.CalendarEvent) error {
	c.record("patch " + id + " " + ev.Start.Format("2006-01-02 15:04"))
	if c.gone[id] {
		return &bot.SendError{HTTPStatus: http.StatusNotFound, Code: 193002}
	}
	return nil
}
func (c *calTransport) DeleteEvent(ctx context.Context, cal, id string) error {
	c.record("delete " + id)
	return nil
}
func (c *calTransport) AddAttendees(ctx context.Context, cal, id string, ids []string) error {
	c.record("invite " + id + " " + strings.Join(ids, ","))
	return nil
}
func (c *calTransport) Calls() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.calls
	c.calls = nil
	return out
}

func commitTx(t *testing.T, st *store.Store, f func(tx *store.Tx)) {
	t.Helper()
	tx := st.NewTx()
	f(tx)
	if _, err := st.Commit(context.Background(), tx); err != nil {
		t.Fatal(err)
	}
}

func TestCalendarEvents(t *testing.T) {
	st := newStore(t).WithCalendarEvents(true)
	tr := &calTransport{gone: map[string]bool{}}
	opt := options(t, newClock())
	run := func() []string { drain(t, bot.NewSender(st, tr, opt)); return tr.Calls() }
	leader := xfbot.Person{OpenID: "ou_leader", Name: "周某"}
	r := &xfbot.Reception{Leader: leader, Date: xfbot.NewDate(2026, 12, 9), Slot: xfbot.SlotAM, Place: "区群众来访接待中心",
		Mode: xfbot.ModeFixed, Status: xfbot.ReceptionPlanned}
	commitTx(t, st, func(tx *store.Tx) { tx.CreateReception(r) })
	want := []string{"calendar 领导接访日", "create JF-2026-0001 2026-12-09 09:00", "invite evt_1 ou_leader"}
	if got := run(); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("schedule: %q, want %q", got, want)
	}

	v, err := st.Reception(context.Background(), "JF-2026-0001")
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	old := v.Reception

	// A write that changes nothing the calendar shows queues nothing.
	up := *old
	up.Appointments = nil
	up.Note = "备注"
	commitTx(t, st, func(tx *store.Tx) { tx.UpdateReception(old, &up) })
	if got := run(); len(got) != 0 {
		t.Errorf("a note: %q, want no calls", got)
	}

	// Moved by hand out of the calendar, then rescheduled here: the patch
	// finds no event, so it is made again.
	tr.gone["evt_1"] = true
	old2 := up
	old2.Version = up.Version
	moved := old2
	moved.Slot = xfbot.SlotPM
	commitTx(t, st, func(tx *store.Tx) { tx.UpdateReception(&old2, &moved) })
	want = []string{"patch evt_1 2026-12-09 14:30", "create JF-2026-0001 2026-12-09 14:30", "invite evt_2 ou_leader"}
	if got := run(); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("moved: %q, want %q", got, want)
	}

	// An entry older than the state applied changes nothing.
	if err := st.SetCalendarState(context.Background(), "JF-2026-0001", store.CalendarState{EventID: "evt_2", Version: 99}); err != nil {
		t.Fatal(err)
	}
	again := moved
	again.Slot = xfbot.SlotFull
	commitTx(t, st, func(tx *store.Tx) { tx.UpdateReception(&moved, &again) })
	if got := run(); len(got) != 0 {
		t.Errorf("an older state: %q, want no calls", got)
	}
	if err := st.SetCalendarState(context.Background(), "JF-2026-0001", store.CalendarState{EventID: "evt_2", Version: 1}); err != nil {
		t.Fatal(err)
	}

	// Cancelled: deleted once; the state says gone.
	cancelled := again
	cancelled.Status = xfbot.ReceptionCancelled
	commitTx(t, st, func(tx *store.Tx) { tx.UpdateReception(&again, &cancelled) })
	if got := run(); strings.Join(got, "|") != "delete evt_2" {
		t.Errorf("cancel: %q, want delete evt_2", got)
	}
	if s, _ := st.CalendarState(context.Background(), "JF-2026-0001"); !s.Gone {
		t.Errorf("state after cancel %+v, want gone", s)
	}
}

// With calendar events off (the default of a Store), a reception queues none.
func TestCalendarEventsOff(t *testing.T) {
	st := newStore(t)
	tr := &calTransport{}
	commitTx(t, st, func(tx *store.Tx) {
		tx.CreateReception(&xfbot.Reception{Leader: xfbot.Person{OpenID: "ou_l"}, Date: xfbot.NewDate(2026, 12, 9), Slot: xfbot.SlotAM, Status: xfbot.ReceptionPlanned})
	})
	drain(t, bot.NewSender(st, tr, options(t, newClock())))
	if got := tr.Calls(); len(got) != 0 {
		t.Errorf("calls %q, want none", got)
	}
}
