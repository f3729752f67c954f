package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/bot/larktest"
	"github.com/qingchuan/xfbot/store"
)

// TestE2EReminders runs serve with the reminder scan and the group notice
// every second against the fake Feishu with its rate limits on: each owner
// gets one direct message (receive_id_type=open_id) naming their cases, the
// group one notice (chat_id), and later firings send nothing again. The
// cases are ⚫, which quiet hours and weekends do not hold back, so the
// test does not depend on the day it runs.
func TestE2EReminders(t *testing.T) {
	appID := uniqueAppID()
	fake := larktest.NewServer(larktest.WithApp(appID, e2eSecret), larktest.WithRateLimits(5, 50))
	defer fake.Close()
	env := serveEnv(t, fake, appID)
	env["XFBOT_SCHEDULE_OVERDUE"] = "@every 1s"
	env["XFBOT_SCHEDULE_GROUP_DAILY"] = "@every 1s"

	cst := time.FixedZone("CST", 8*3600)
	today := xfbot.DateOf(time.Now(), cst)
	st := store.New(envRedis(t, env), env["XFBOT_REDIS_PREFIX"])
	const owners, cases = 12, 30
	var cs []*xfbot.Case
	byOwner := map[string][]string{}
	for i := 0; i < cases; i++ {
		no := xfbot.FormatCaseNo(today.Year, i+1)
		owner := fmt.Sprintf("ou_owner_%02d", i%owners)
		byOwner[owner] = append(byOwner[owner], string(no))
		due := today.AddDays(-40 - i)
		cs = append(cs, &xfbot.Case{No: no, Title: fmt.Sprintf("严重超期案件%d", i), Unit: "区住建局", Status: xfbot.StatusHandling,
			Petitioner: xfbot.Petitioner{Name: "张建国", Phone: "19900001234"}, Due: due, AcceptedOn: due.AddDays(-60),
			Owner: xfbot.Person{OpenID: owner}, CreatedAt: time.Now(), UpdatedAt: time.Now(), LastProgressAt: time.Now()})
	}
	if err := st.Import(context.Background(), cs); err != nil {
		t.Fatal(err)
	}
	startServe(t, env)

	dms := func() map[string][]larktest.Sent {
		out := map[string][]larktest.Sent{}
		for _, m := range fake.Messages() {
			if m.ReceiveIDType == "open_id" {
				out[m.ReceiveID] = append(out[m.ReceiveID], m)
			}
		}
		return out
	}
	deadline := time.Now().Add(20 * time.Second)
	for len(dms()) < owners && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(3 * time.Second) // a few more firings: they must send nothing
	got := dms()
	if len(got) != owners {
		t.Fatalf("direct messages to %d owners, want %d", len(got), owners)
	}
	for owner, nos := range byOwner {
		ms := got[owner]
		if len(ms) != 1 {
			t.Errorf("%s got %d messages, want one", owner, len(ms))
			continue
		}
		text := cardText(ms[0].Content)
		for _, no := range nos {
			if !strings.Contains(text, no) {
				t.Errorf("%s's reminder lacks %s", owner, no)
			}
		}
		if ms[0].MsgType != "interactive" {
			t.Errorf("reminder is %s, want a card", ms[0].MsgType)
		}
	}
	cal, _ := xfbot.NewCalendar(xfbot.DefaultHolidayTables()...)
	var group []larktest.Sent
	for _, m := range fake.Messages() {
		if m.ReceiveIDType == "chat_id" && m.ReceiveID == e2eGroup {
			group = append(group, m)
		}
	}
	if !cal.IsWorkday(today) {
		t.Logf("%s is not a working day: no group notice expected", today)
		if len(group) != 0 {
			t.Errorf("a group notice on a non-working day")
		}
		return
	}
	if len(group) != 1 {
		t.Fatalf("%d group notices, want one", len(group))
	}
	text := cardText(group[0].Content)
	if !strings.Contains(text, string(cs[0].No)) || !strings.Contains(text, "区住建局") {
		t.Errorf("group notice lacks the cases: %s", text)
	}
	if strings.Contains(group[0].Content, "张") || strings.Contains(group[0].Content, "1990000") {
		t.Errorf("the group notice names a petitioner")
	}
}
