package main

import (
	"encoding/json"
	"html"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/bot/larktest"
)

// The trust rules of issue 9 end to end: what the supervised unit may not
// do to its own deadline, and what personal data typed into free text may
// not show in the group, proven by what the fake Feishu received.

// dueRE finds the deadline on a case card: 办结期限 2026-05-15（剩 12 天）.
var dueRE = regexp.MustCompile(`办结期限[^0-9]*(\d{4}-\d{2}-\d{2})`)

// dueOn is the deadline a case card shows.
func dueOn(t *testing.T, s larktest.Sent) string {
	t.Helper()
	m := dueRE.FindStringSubmatch(shown(s.Content))
	if m == nil {
		t.Fatalf("no 办结期限 on the card:\n%s", shown(s.Content))
	}
	return m[1]
}

// shown is the text a message shows, as cardText, with the HTML entities
// the card markdown escapes with (&#42; for *) decoded: what a reader sees.
func shown(content string) string { return html.UnescapeString(cardText(content)) }

// canonical is a message's content JSON with its keys sorted, so that two
// renderings of one card compare equal (cardText walks maps in random order).
func canonical(t *testing.T, content string) string {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(content), &v); err != nil {
		t.Fatalf("content is not JSON: %v: %s", err, content)
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// cardButton is a button of a card as the fake received it: its text and
// the value its callback carries.
type cardButton struct {
	Text  string
	Value map[string]any
}

// cardButtons lists the buttons of a card's JSON, in any nesting.
func cardButtons(t *testing.T, content string) []cardButton {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(content), &v); err != nil {
		t.Fatalf("card content is not JSON: %v: %s", err, content)
	}
	var out []cardButton
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case []any:
			for _, e := range x {
				walk(e)
			}
		case map[string]any:
			if x["tag"] == "button" {
				b := cardButton{}
				if txt, ok := x["text"].(map[string]any); ok {
					b.Text, _ = txt["content"].(string)
				}
				if bs, ok := x["behaviors"].([]any); ok && len(bs) > 0 {
					if b0, ok := bs[0].(map[string]any); ok {
						b.Value, _ = b0["value"].(map[string]any)
					}
				}
				out = append(out, b)
			}
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(v)
	return out
}

// TestE2ELiaisonDeadline: the liaison of the supervised unit cannot move a
// deadline (期限 is refused and changes nothing: the card, 列表 逾期, 历史),
// and the liaison's 延期 is an application that reaches the lead as a card
// with 批准 / 驳回; the lead's 批准, pressed through a card.action.trigger
// callback, moves the deadline by the 20 days and tells the liaison.
func TestE2ELiaisonDeadline(t *testing.T) {
	const liaison, liaisonName = "ou_e2e_liaison_zjj", "钱某"
	fake, f := serveFeishu(t)
	const adminChat, liaisonChat = "oc_e2e_admin_p2p", "oc_e2e_liaison_p2p"
	admin := func(text string) larktest.Sent {
		f.t.Helper()
		return f.say(larktest.Message{ChatID: adminChat, Text: text})
	}
	asLiaison := func(text string) larktest.Sent {
		f.t.Helper()
		return f.say(larktest.Message{ChatID: liaisonChat, SenderOpenID: liaison, Text: text})
	}

	r := f.say(larktest.Message{ChatID: adminChat, Text: "成员 添加 @_user_1 联络员 区住建局",
		Mentions: []larktest.Mention{{OpenID: liaison, Name: liaisonName}}})
	if !strings.Contains(shown(r.Content), liaisonName) {
		t.Fatalf("成员 添加: %s", shown(r.Content))
	}
	// fresh: accepted today, inside its 60 days; overdue: accepted long ago.
	fresh := caseNoRE.FindString(admin("新建 桂园社区回迁安置房延期交付 类别:征地拆迁 属地:云溪街道 单位:区住建局").Content)
	overdue := caseNoRE.FindString(admin("新建 城中村改造补偿款未到位 类别:征地拆迁 单位:区住建局 受理:2025-01-06").Content)
	if fresh == "" || overdue == "" || fresh == overdue {
		t.Fatalf("新建: case numbers %q and %q", fresh, overdue)
	}
	if !strings.Contains(asLiaison("查看 "+fresh).Content, fresh) {
		t.Fatalf("the liaison of 区住建局 cannot read its own unit's case %s", fresh)
	}

	t.Run("DueRefused", func(t *testing.T) {
		f.t = t
		type state struct{ due, overdueList, history string }
		stateOf := func(no string) state {
			return state{
				due:         dueOn(t, admin("查看 "+no)),
				overdueList: canonical(t, admin("列表 逾期").Content),
				history:     canonical(t, admin("历史 "+no).Content),
			}
		}
		for _, no := range []string{overdue, fresh} {
			before := stateOf(no)
			if no == overdue && !strings.Contains(before.overdueList, overdue) {
				t.Fatalf("列表 逾期 lacks the overdue %s:\n%s", overdue, before.overdueList)
			}
			r := asLiaison("期限 " + no + " 2027-05-01 来不及")
			if text := shown(r.Content); !strings.Contains(text, "办结期限由专班负责人设定") {
				t.Errorf("%s: the liaison's 期限 was not refused: %s", no, text)
			}
			after := stateOf(no)
			if after.due != before.due || after.due == "2027-05-01" {
				t.Errorf("%s: deadline %s → %s after a refused 期限", no, before.due, after.due)
			}
			if after.overdueList != before.overdueList {
				t.Errorf("%s: 列表 逾期 changed after a refused 期限:\n%s\n→\n%s", no, before.overdueList, after.overdueList)
			}
			if after.history != before.history {
				t.Errorf("%s: 历史 changed after a refused 期限:\n%s\n→\n%s", no, before.history, after.history)
			}
		}
	})

	t.Run("ExtensionApproved", func(t *testing.T) {
		f.t = t
		cst := time.FixedZone("CST", 8*3600)
		cal, err := xfbot.NewCalendar(xfbot.DefaultHolidayTables()...)
		if err != nil {
			t.Fatal(err)
		}
		today := xfbot.DateOf(time.Now(), cst)
		statutory := (&xfbot.Case{AcceptedOn: today}).DueAsOf(cal, today).String()
		extended := (&xfbot.Case{AcceptedOn: today, ExtensionDays: 20}).DueAsOf(cal, today).String()
		before := dueOn(t, admin("查看 "+fresh))
		if before != statutory {
			t.Fatalf("%s is due %s, want %s (60 days from today)", fresh, before, statutory)
		}

		r := asLiaison("延期 " + fresh + " 20 需第三方评估，已告知信访人")
		if text := shown(r.Content); !strings.Contains(text, "已提交延期申请") || !strings.Contains(text, extended) {
			t.Errorf("the liaison's 延期 is not an application ending on %s: %s", extended, text)
		}
		if due := dueOn(t, admin("查看 "+fresh)); due != before {
			t.Errorf("an application moved the deadline %s → %s before the lead decided", before, due)
		}

		// The lead's card, as the fake received it.
		card, ok := fake.WaitFor(func(s larktest.Sent) bool {
			return s.ReceiveIDType == "open_id" && s.ReceiveID == e2eAdmin && s.MsgType == "interactive" &&
				strings.Contains(s.Content, fresh) && strings.Contains(s.Content, "ext.approve")
		}, e2eWait)
		if !ok {
			t.Fatal("no application card to the lead")
		}
		if !strings.Contains(shown(card.Content), "申请延期 20 天") {
			t.Errorf("the lead's card does not say what is applied for:\n%s", shown(card.Content))
		}
		var approve map[string]any
		actions := map[string]string{}
		for _, b := range cardButtons(t, card.Content) {
			a, _ := b.Value["a"].(string)
			actions[b.Text] = a
			if a == "ext.approve" {
				approve = b.Value
			}
		}
		if actions["批准"] != "ext.approve" || actions["驳回"] != "ext.reject.form" {
			t.Fatalf("the lead's card buttons %v, want 批准 → ext.approve and 驳回 → ext.reject.form", actions)
		}
		if approve["no"] != fresh {
			t.Errorf("批准 carries %v, want the case %s", approve, fresh)
		}

		body := f.deliver(larktest.CardActionEvent(larktest.CardAction{
			OperatorOpenID: e2eAdmin, MessageID: card.MessageID, ChatID: adminChat,
			Value: approve, Token: e2eToken, AppID: f.appID,
		}))
		var resp struct {
			Toast map[string]any `json:"toast"`
			Card  struct {
				Data json.RawMessage `json:"data"`
			} `json:"card"`
		}
		if err := json.Unmarshal(body, &resp); err != nil {
			t.Fatalf("callback body is not JSON: %v: %s", err, body)
		}
		if got := string(body); !strings.Contains(got, "已延期 20 天") && !strings.Contains(got, extended) {
			t.Errorf("the 批准 callback does not say the extension applied: %s", body)
		}

		note, ok := fake.WaitFor(func(s larktest.Sent) bool {
			return s.ReceiveIDType == "open_id" && s.ReceiveID == liaison && strings.Contains(shown(s.Content), "批准")
		}, e2eWait)
		if !ok {
			t.Fatal("the liaison was not told of the approval")
		}
		if text := shown(note.Content); !strings.Contains(text, fresh) || !strings.Contains(text, extended) {
			t.Errorf("the approval notice lacks the case or its new deadline %s: %s", extended, text)
		}
		if due := dueOn(t, admin("查看 "+fresh)); due != extended {
			t.Errorf("after 批准 %s is due %s, want %s (20 days later)", fresh, due, extended)
		}
		hist := shown(admin("历史 " + fresh).Content)
		for _, want := range []string{"延期申请", "20 天", liaisonName, extended} {
			if !strings.Contains(hist, want) {
				t.Errorf("历史 lacks %q:\n%s", want, hist)
			}
		}
		// The one extension is spent: a second application is refused.
		if text := shown(asLiaison("延期 " + fresh + " 5 再补充材料").Content); !strings.Contains(text, "已延期一次") {
			t.Errorf("a second 延期 after the approved one: %s", text)
		}
	})
}

// TestE2EGroupLeak: a phone and an ID number typed into a progress entry,
// and the petitioner's name, never reach the group: not in the new-case
// notice, not in @bot 查看, not in @bot 历史. The member who typed them reads
// the phone and the name in private, the ID number only by its last four.
func TestE2EGroupLeak(t *testing.T) {
	const member, memberName = "ou_e2e_member", "赵某"
	const (
		name   = "何春明"
		phone  = "13987654321"
		idCard = "110101195001011239"
	)
	fake, f := serveFeishu(t)
	const adminChat, memberChat = "oc_e2e_admin_p2p", "oc_e2e_member_p2p"
	asMember := func(text string) larktest.Sent {
		f.t.Helper()
		return f.say(larktest.Message{ChatID: memberChat, SenderOpenID: member, Text: text})
	}
	inGroup := func(text string) larktest.Sent {
		f.t.Helper()
		return f.say(larktest.Message{ChatID: e2eGroup, ChatType: "group", SenderOpenID: member, Text: "@_user_1 " + text,
			Mentions: []larktest.Mention{{OpenID: e2eBot, Name: "信访专班助手"}}})
	}

	f.say(larktest.Message{ChatID: adminChat, Text: "成员 添加 @_user_1 专班成员",
		Mentions: []larktest.Mention{{OpenID: member, Name: memberName}}})
	no := caseNoRE.FindString(asMember("新建 城南花园小区物业维修基金使用争议 类别:住房保障 属地:云溪街道 单位:区住建局 信访人:" + name).Content)
	if no == "" {
		t.Fatal("新建 from the member: no case number")
	}
	r := asMember("进展 " + no + " 已电话联系" + name + "（" + phone + "），身份证" + idCard)
	if !strings.Contains(r.Content, no) {
		t.Fatalf("进展: %s", shown(r.Content))
	}

	show := inGroup("查看 " + no)
	hist := inGroup("历史 " + no)
	for what, s := range map[string]larktest.Sent{"查看": show, "历史": hist} {
		if s.ReceiveID != e2eGroup || !strings.Contains(s.Content, no) {
			t.Errorf("group %s: reply to %q, content %s", what, s.ReceiveID, shown(s.Content))
		}
		text := shown(s.Content)
		for _, want := range []string{"139****4321", "何某"} {
			if !strings.Contains(text, want) {
				t.Errorf("group %s lacks the masked %q:\n%s", what, want, text)
			}
		}
	}

	// Everything the fake received for the group, the new-case notice too.
	longRun := regexp.MustCompile(`\d{11,}`)
	n := 0
	for _, s := range fake.Messages() {
		if s.ReceiveID != e2eGroup {
			continue
		}
		n++
		text := shown(s.Content)
		for _, secret := range []string{phone, idCard, idCard[:14], name} {
			if strings.Contains(s.Content, secret) || strings.Contains(text, secret) {
				t.Errorf("the group received %q:\n%s", secret, text)
			}
		}
		if m := longRun.FindString(text); m != "" {
			t.Errorf("the group received a run of %d digits %q:\n%s", len(m), m, text)
		}
	}
	if n < 3 { // the new-case notice, 查看, 历史
		t.Errorf("%d messages to the group, want at least 3", n)
	}

	t.Run("PrivateShowsMemberView", func(t *testing.T) {
		f.t = t
		text := shown(asMember("查看 " + no).Content)
		for _, want := range []string{phone, name, "1239"} {
			if !strings.Contains(text, want) {
				t.Errorf("the member's private 查看 lacks %q:\n%s", want, text)
			}
		}
		if strings.Contains(text, idCard) || strings.Contains(text, idCard[:14]) {
			t.Errorf("the member's private 查看 shows the ID number beyond its last four:\n%s", text)
		}
	})
}
