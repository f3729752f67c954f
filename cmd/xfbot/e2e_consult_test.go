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

// TestE2EConsult drives a 集中会诊 through the real SDK against the fake
// Feishu: the admin schedules one for today over a case of 区住建局; the
// unit's liaison and the case's 包案人 are told; the conclusion is recorded
// (and lands in the case's timeline), a decision too, and the decision's
// 转为措施 button on the card adds it to the case's plan through 方案 措施,
// once, however often it is pressed.
func TestE2EConsult(t *testing.T) {
	cst := time.FixedZone("CST", 8*3600)
	cal, _ := xfbot.NewCalendar(xfbot.DefaultHolidayTables()...)
	today := xfbot.DateOf(time.Now(), cst)
	if !cal.IsWorkday(today) {
		t.Skipf("%s is no working day: a consultation is held, and its conclusions recorded, on a working day", today)
	}
	fake, f := serveFeishu(t)
	const chat = "oc_e2e_admin_p2p"
	const owner, liaison = "ou_e2e_owner", "ou_e2e_liaison"
	say := func(text string, ms ...larktest.Mention) string {
		t.Helper()
		return shown(f.say(larktest.Message{ChatID: chat, Text: text, Mentions: ms}).Content)
	}
	expect := func(cmd, want string, ms ...larktest.Mention) string {
		t.Helper()
		got := say(cmd, ms...)
		if !strings.Contains(got, want) {
			t.Fatalf("%s: the reply lacks %q:\n%s", cmd, want, got)
		}
		return got
	}
	dmTo := func(to, sub string) bool {
		_, ok := fake.WaitFor(func(s larktest.Sent) bool {
			return s.ReceiveIDType == "open_id" && s.ReceiveID == to && strings.Contains(shown(s.Content), sub)
		}, e2eWait)
		return ok
	}

	expect("成员 添加 @_user_1 专班成员", "李承办", larktest.Mention{OpenID: owner, Name: "李承办"})
	expect("成员 添加 @_user_1 联络员 区住建局", "王联络", larktest.Mention{OpenID: liaison, Name: "王联络"})
	no := caseNoRE.FindString(say("新建 桂园社区回迁安置房延期交付 类别:征地拆迁 属地:云溪街道 单位:区住建局"))
	if no == "" {
		t.Fatal("新建 registered nothing")
	}
	expect("指派 "+no+" @_user_1", "包案人", larktest.Mention{OpenID: owner, Name: "李承办"})

	r := expect("会诊 安排 "+today.String()+" 下午 案件:"+no+" 回迁安置遗留问题", "已安排集中会诊 HZ-")
	id := regexp.MustCompile(`HZ-\d{4}-\d{4}`).FindString(r)
	for _, to := range []string{owner, liaison} {
		if !dmTo(to, id) || !dmTo(to, "请准时参加") {
			t.Errorf("%s was not told of %s", to, id)
		}
	}

	expect("会诊 结论 "+id+" "+no+" 诉求部分合理，由区住建局牵头重新核定安置面积", "记入案件进展")
	due := today.AddDays(30)
	card := expect("会诊 决定 "+id+" "+no+" 硬:政策 按回迁安置政策重新核定面积 单位:区住建局 期限:"+due.String(), "决定 1")
	if !strings.Contains(card, "转为措施") {
		t.Fatalf("the decision's card has no 转为措施 button:\n%s", card)
	}

	press := func() string {
		t.Helper()
		body := f.deliver(larktest.CardActionEvent(larktest.CardAction{
			OperatorOpenID: e2eAdmin, MessageID: newMessageID(), ChatID: chat,
			Value: map[string]any{"a": "consult.measure", "id": id, "d": "1", "g": "0", "c": chat},
			Token: e2eToken, AppID: f.appID,
		}))
		var resp struct {
			Toast map[string]any `json:"toast"`
		}
		if err := json.Unmarshal(body, &resp); err != nil {
			t.Fatalf("callback body: %v: %s", err, body)
		}
		c, _ := resp.Toast["content"].(string)
		return c
	}
	if got := press(); !strings.Contains(got, "决定 1 已转为 "+no+" 的方案措施") {
		t.Fatalf("转为措施 toast %q", got)
	}
	if got := press(); !strings.Contains(got, "无需再转") {
		t.Errorf("second press: toast %q, want it converted once", got)
	}

	plan := expect("方案 查看 "+no, "按回迁安置政策重新核定面积")
	if n := strings.Count(plan, "按回迁安置政策重新核定面积"); n != 1 {
		t.Errorf("the measure is on the plan %d times:\n%s", n, plan)
	}
	hist := expect("历史 "+no, "集中会诊 "+id+" 结论：诉求部分合理")
	for _, want := range []string{"会诊 安排", "会诊 决定", "会诊 转为措施"} {
		if !strings.Contains(hist, want) {
			t.Errorf("历史 lacks %q:\n%s", want, hist)
		}
	}
	expect("会诊 查看 "+id, "已转为方案措施 措施 1")
}
