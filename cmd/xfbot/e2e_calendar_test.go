package main

import (
	"encoding/json"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/bot/larktest"
)

// TestE2ECalendar: a reception becomes an event in its leader's calendar
// through the real SDK against the fake Feishu: the app's calendar is made
// once, the event created with the slot's hours in the configured zone and
// the leader invited; 改期 moves the same event; 取消 deletes it. Each call
// is checked for its path, method, token and body shape by the fake, and
// here for what it carries.
func TestE2ECalendar(t *testing.T) {
	const leaderID, leaderName = "ou_e2e_cal_leader", "周某"
	appID := uniqueAppID()
	fake := larktest.NewServer(larktest.WithApp(appID, e2eSecret))
	defer fake.Close()
	env := serveEnv(t, fake, appID)
	env["XFBOT_LEADERS"] = leaderID
	p := startServe(t, env)
	f := newFeishu(t, fake, p, env)
	adminChat := "oc_e2e_cal_admin_p2p"
	mention := []larktest.Mention{{OpenID: leaderID, Name: leaderName}}

	cst, _ := time.LoadLocation("Asia/Shanghai")
	cal, _ := xfbot.NewCalendar(xfbot.DefaultHolidayTables()...)
	today := xfbot.DateOf(time.Now(), cst)
	day := xfbot.ComputeDue(today, 10, xfbot.DayWorking, cal, nil)
	moved := xfbot.ComputeDue(day, 2, xfbot.DayWorking, cal, nil)

	s := f.say(larktest.Message{ChatID: adminChat, Text: "接访 安排 @_user_1 " + day.String() + " 下午 区群众来访接待中心", Mentions: mention})
	id := regexp.MustCompile(`JF-\d{4}-\d{4}`).FindString(cardText(s.Content))
	if id == "" {
		t.Fatalf("接访 安排 reply has no reception id: %s", cardText(s.Content))
	}
	evs, ok := fake.WaitCalendar(func(es []larktest.Event) bool { return len(es) == 1 && len(es[0].Attendees) == 1 }, e2eWait)
	if !ok {
		t.Fatalf("no event with its attendee; events %+v, calls %+v", evs, fake.CalendarCalls())
	}
	ev := evs[0]
	wantStart := time.Date(day.Year, day.Month, day.Day, 14, 30, 0, 0, cst)
	if !ev.Start.Equal(wantStart) || !ev.End.Equal(wantStart.Add(3*time.Hour)) || ev.Timezone != "Asia/Shanghai" {
		t.Errorf("event at %v–%v (%s), want %v–+3h Asia/Shanghai", ev.Start, ev.End, ev.Timezone, wantStart)
	}
	if ev.Attendees[0] != leaderID || ev.Location != "区群众来访接待中心" || !strings.Contains(ev.Summary, "领导接访") ||
		!strings.Contains(ev.Description, "接访 查看 "+id) || !ev.NeedNotification {
		t.Errorf("event %+v: want the leader invited, the place, the briefing command", ev)
	}
	calls := fake.CalendarCalls()
	if len(calls) != 3 || calls[0].Path != "/open-apis/calendar/v4/calendars" ||
		!strings.HasSuffix(calls[1].Path, "/events") || !strings.HasSuffix(calls[2].Path, "/events/"+ev.ID+"/attendees") {
		t.Fatalf("calls %+v: want the calendar, the event, its attendee", calls)
	}
	q, _ := url.ParseQuery(calls[1].Query)
	if q.Get("idempotency_key") == "" || q.Get("user_id_type") != "open_id" {
		t.Errorf("event create query %q: want an idempotency key and open_id", calls[1].Query)
	}
	var body struct {
		Attendees []struct{ Type, UserID string } `json:"attendees"`
	}
	if err := json.Unmarshal([]byte(calls[2].Body), &body); err != nil || len(body.Attendees) != 1 || body.Attendees[0].Type != "user" {
		t.Errorf("attendee body %s", calls[2].Body)
	}

	// 改期: the same event, moved; no second calendar, no second event.
	s = f.say(larktest.Message{ChatID: adminChat, Text: "接访 改期 " + id + " " + moved.String() + " 上午"})
	id2 := regexp.MustCompile(`JF-\d{4}-\d{4}`).FindAllString(cardText(s.Content), -1)
	if len(id2) == 0 {
		t.Fatalf("接访 改期 reply: %s", cardText(s.Content))
	}
	newID := id2[len(id2)-1]
	if newID == id {
		for _, x := range id2 {
			if x != id {
				newID = x
			}
		}
	}
	wantMoved := time.Date(moved.Year, moved.Month, moved.Day, 9, 0, 0, 0, cst)
	evs, ok = fake.WaitCalendar(func(es []larktest.Event) bool { return len(es) == 1 && es[0].Start.Equal(wantMoved) }, e2eWait)
	if !ok {
		t.Fatalf("event not moved to %v: %+v", wantMoved, evs)
	}
	if !strings.Contains(evs[0].Description, "接访 查看 "+newID) {
		t.Errorf("moved event's description %q does not name %s", evs[0].Description, newID)
	}
	var patches int
	for _, c := range fake.CalendarCalls() {
		if c.Method == "PATCH" {
			patches++
		}
	}
	if patches != 1 {
		t.Errorf("%d patches, want 1", patches)
	}

	// 取消: the event goes; the leader is told by Feishu.
	f.say(larktest.Message{ChatID: adminChat, Text: "接访 取消 " + newID + " 领导临时外出开会"})
	if evs, ok = fake.WaitCalendar(func(es []larktest.Event) bool { return len(es) == 1 && es[0].Deleted }, e2eWait); !ok {
		t.Fatalf("event not deleted: %+v", evs)
	}
	var deletes int
	for _, c := range fake.CalendarCalls() {
		if c.Method == "DELETE" {
			deletes++
			if q, _ := url.ParseQuery(c.Query); q.Get("need_notification") != "true" {
				t.Errorf("delete without need_notification: %q", c.Query)
			}
		}
	}
	if deletes != 1 {
		t.Errorf("%d deletes, want 1", deletes)
	}
}
