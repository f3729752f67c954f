package main

import (
	"regexp"
	"strings"
	"testing"

	"github.com/qingchuan/xfbot/bot/larktest"
)

// TestE2ELightGroupReplies: with group_replies: light (the default), a
// write in the group is answered with one line, and a write replying to a
// case card updates that card in place (PATCH on its message id) through
// the real SDK against the fake Feishu.
func TestE2ELightGroupReplies(t *testing.T) {
	appID := uniqueAppID()
	fake := larktest.NewServer(larktest.WithApp(appID, e2eSecret))
	defer fake.Close()
	env := serveEnv(t, fake, appID)
	env["XFBOT_GROUP_REPLIES"] = "light"
	p := startServe(t, env)
	f := newFeishu(t, fake, p, env)
	mention := []larktest.Mention{{OpenID: e2eBot, Name: "信访专班助手"}}
	say := func(text, parent string) larktest.Sent {
		return f.say(larktest.Message{ChatID: e2eGroup, ChatType: "group", Text: "@_user_1 " + text, Mentions: mention, ParentID: parent, RootID: parent})
	}

	s := f.say(larktest.Message{ChatID: "oc_e2e_light_p2p", Text: "新建 桂园社区回迁安置房延期交付 单位:区住建局 属地:云溪街道 信访人:" + e2ePetitioner})
	no := regexp.MustCompile(`XF-\d{4}-\d{4}`).FindString(cardText(s.Content))
	if no == "" {
		t.Fatalf("新建: %s", cardText(s.Content))
	}
	r := say("进展 "+no+" 已与开发商约谈", "")
	if r.MsgType != "text" || !strings.Contains(cardText(r.Content), "✅ 已记录进展 "+no) {
		t.Fatalf("group write: %s %s, want one line", r.MsgType, cardText(r.Content))
	}
	c := say("查看 "+no, "")
	if c.MsgType != "interactive" {
		t.Fatalf("查看 in the group: %s, want the card", c.MsgType)
	}
	f.barrier(e2eGroup, true) // the card is delivered and noted

	r = say("下访：上门走访，信访人情绪平稳", c.MessageID)
	if !strings.Contains(cardText(r.Content), "✅ 已记录下访 "+no) {
		t.Fatalf("reply to the card: %s", cardText(r.Content))
	}
	patch, ok := fake.WaitFor(func(m larktest.Sent) bool { return m.Method == "PATCH" && m.MessageID == c.MessageID }, e2eWait)
	if !ok {
		t.Fatalf("the card %s was not updated in place", c.MessageID)
	}
	if txt := cardText(patch.Content); !strings.Contains(txt, "上门走访") || strings.Contains(txt, e2ePetitioner) {
		t.Errorf("the updated card: %s", txt)
	}
}
