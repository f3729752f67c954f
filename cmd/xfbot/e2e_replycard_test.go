package main

import (
	"regexp"
	"strings"
	"testing"

	"github.com/qingchuan/xfbot/bot/larktest"
)

// TestE2EReplyToCard: replying (Feishu's reply: parent_id and root_id) to
// a case card the bot sent records the text on that case, through the real
// SDK against the fake Feishu, in a private chat and in the group (@bot).
func TestE2EReplyToCard(t *testing.T) {
	_, f := serveFeishu(t)
	chat := "oc_e2e_replycard_p2p"
	s := f.say(larktest.Message{ChatID: chat, Text: "新建 桂园社区回迁安置房延期交付 单位:区住建局 属地:云溪街道 信访人:" + e2ePetitioner + " 电话:" + e2ePhone})
	no := regexp.MustCompile(`XF-\d{4}-\d{4}`).FindString(cardText(s.Content))
	if no == "" || s.MessageID == "" {
		t.Fatalf("新建 reply without a case number or message id: %+v", s)
	}
	f.barrier(chat, false) // the card is delivered, and noted, before this returns

	r := f.say(larktest.Message{ChatID: chat, Text: "已与开发商约谈，4月底前交房", ParentID: s.MessageID, RootID: s.MessageID})
	if txt := cardText(r.Content); !strings.Contains(txt, "已记录进展") || !strings.Contains(txt, no) {
		t.Fatalf("reply to the case card: %s", txt)
	}

	// In the group, with @bot: 下访： picks the verb; the answer is masked.
	mention := []larktest.Mention{{OpenID: e2eBot, Name: "信访专班助手"}}
	g := f.say(larktest.Message{ChatID: e2eGroup, ChatType: "group", Text: "@_user_1 查看 " + no, Mentions: mention})
	f.barrier(e2eGroup, true)
	r = f.say(larktest.Message{ChatID: e2eGroup, ChatType: "group", Text: "@_user_1 下访：上门走访，电话 " + e2ePhone + " 联系上信访人",
		Mentions: mention, ParentID: g.MessageID, RootID: g.MessageID})
	txt := cardText(r.Content)
	if !strings.Contains(txt, "已记录下访") {
		t.Fatalf("group reply to the case card: %s", txt)
	}
	assertMasked(t, r.Content)
}
