package main

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/bot/larktest"
)

// TestE2EReception drives the leader reception and the leader letter
// through the real SDK against the fake Feishu, with the reception scan
// every second and no quiet hours: a leader listed only in XFBOT_LEADERS
// is scheduled (and told), briefed once before the reception, sent a
// letter card, and annotates it from the card's form.
func TestE2EReception(t *testing.T) {
	const leaderID, leaderName = "ou_e2e_leader", "周某"
	appID := uniqueAppID()
	fake := larktest.NewServer(larktest.WithApp(appID, e2eSecret))
	defer fake.Close()
	env := serveEnv(t, fake, appID)
	env["XFBOT_LEADERS"] = leaderID
	env["XFBOT_SCHEDULE_RECEPTION"] = "@every 1s"
	env["XFBOT_REMINDERS_QUIET_FROM"] = "24" // never quiet: the test must not depend on the hour
	env["XFBOT_REMINDERS_QUIET_TO"] = "0"
	p := startServe(t, env)
	f := newFeishu(t, fake, p, env)
	adminChat := "oc_e2e_admin_p2p"
	mention := []larktest.Mention{{OpenID: leaderID, Name: leaderName}}

	cst := time.FixedZone("CST", 8*3600)
	cal, _ := xfbot.NewCalendar(xfbot.DefaultHolidayTables()...)
	today := xfbot.DateOf(time.Now(), cst)
	day := today // the reception: today if it is a working day, else the next one
	if !cal.IsWorkday(day) {
		day = xfbot.ComputeDue(today, 1, xfbot.DayWorking, cal, nil)
	}
	if day.Sub(today) > 5 {
		t.Skipf("no working day within five days of %s (a long holiday): nothing to brief", today)
	}

	s := f.say(larktest.Message{ChatID: adminChat, Text: "接访 安排 @_user_1 " + day.String() + " 上午 区群众来访接待中心", Mentions: mention})
	id := regexp.MustCompile(`JF-\d{4}-\d{4}`).FindString(cardText(s.Content))
	if id == "" {
		t.Fatalf("接访 安排 reply has no reception id: %s", cardText(s.Content))
	}
	// The leader is told, and briefed (the reception is at most five days away) exactly once.
	dms := func(sub string) []larktest.Sent {
		var out []larktest.Sent
		for _, m := range fake.Messages() {
			if m.ReceiveIDType == "open_id" && m.ReceiveID == leaderID && strings.Contains(cardText(m.Content), sub) {
				out = append(out, m)
			}
		}
		return out
	}
	if _, ok := fake.WaitFor(func(m larktest.Sent) bool {
		return m.ReceiveID == leaderID && strings.Contains(cardText(m.Content), "接访提醒")
	}, e2eWait); !ok {
		t.Fatalf("no briefing to the leader; messages: %d", len(fake.Messages()))
	}
	if n := len(dms("请预留时间")); n != 1 {
		t.Errorf("%d scheduling notices to the leader, want 1", n)
	}

	// A letter: the leader gets a card with 批示 and annotates it from its form.
	s = f.say(larktest.Message{ChatID: adminChat, Text: "来信 @_user_1 桂园社区居民联名反映回迁房延期交付", Mentions: mention})
	lx := regexp.MustCompile(`LX-\d{4}-\d{4}`).FindString(cardText(s.Content))
	if lx == "" {
		t.Fatalf("来信 reply has no letter id: %s", cardText(s.Content))
	}
	card, ok := fake.WaitFor(func(m larktest.Sent) bool {
		return m.ReceiveID == leaderID && strings.Contains(m.Content, lx) && strings.Contains(m.Content, "letter.read.form")
	}, e2eWait)
	if !ok {
		t.Fatalf("no letter card to the leader")
	}
	if card.MsgType != "interactive" {
		t.Errorf("letter card is %s", card.MsgType)
	}
	body := f.deliver(larktest.CardActionEvent(larktest.CardAction{
		OperatorOpenID: leaderID, MessageID: newMessageID(), ChatID: "oc_e2e_leader_p2p",
		Value: map[string]any{"a": "letter.read", "id": lx}, FormValue: map[string]any{"text": "请区住建局牵头，一周内答复"},
		Token: e2eToken, AppID: appID,
	}))
	var resp struct {
		Toast map[string]any `json:"toast"`
	}
	if err := json.Unmarshal(body, &resp); err != nil {
		t.Fatalf("callback body: %v: %s", err, body)
	}
	if c, _ := resp.Toast["content"].(string); !strings.Contains(c, "已批示来信 "+lx) {
		t.Errorf("toast %v, want 已批示", resp.Toast)
	}
	// The admin who registered it is asked to assign it.
	if _, ok := fake.WaitFor(func(m larktest.Sent) bool {
		return m.ReceiveID == e2eAdmin && strings.Contains(cardText(m.Content), "请交办")
	}, e2eWait); !ok {
		t.Errorf("no 交办 card to the registrar")
	}
	r := f.say(larktest.Message{ChatID: adminChat, Text: "来信 交办 " + lx + " 区住建局"})
	if !strings.Contains(cardText(r.Content), "已交办 区住建局") {
		t.Errorf("来信 交办: %s", cardText(r.Content))
	}

	time.Sleep(3 * time.Second) // more firings of the scan: nothing again
	if n := len(dms("接访提醒")); n != 1 {
		t.Errorf("%d briefings to the leader, want exactly one", n)
	}
	r = f.say(larktest.Message{ChatID: adminChat, Text: "接访 统计"})
	if !strings.Contains(cardText(r.Content), "领导接访统计") {
		t.Errorf("接访 统计: %s", cardText(r.Content))
	}
}
