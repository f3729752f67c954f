package handlers_test

import (
	"strings"
	"testing"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/bot"
	"github.com/qingchuan/xfbot/handlers"
	"github.com/qingchuan/xfbot/store"
)

// lightHarness is the harness with group.replies: light.
func lightHarness(t *testing.T) *harness {
	h := newHarness(t)
	h.mux = bot.NewMux(h.st, bot.MuxOptions{Admins: []string{admin.OpenID}, Location: loc, LightGroupReplies: true})
	handlers.Register(h.mux, &handlers.Handlers{Store: h.st, Thresholds: xfbot.DefaultThresholds, GroupChatID: groupChat, Reports: h.reports})
	return h
}

// In a group, a write is answered with one line; 查看 still shows the card;
// a private chat keeps the card; a reply to a case card updates it in place.
func TestLightGroupReplies(t *testing.T) {
	h := lightHarness(t)
	no := h.newCase("回迁房延期交付 单位:区住建局 属地:云溪街道 信访人:张建国")
	g := msg{group: true}

	out := h.say(member, "进展 "+string(no)+" 已与开发商约谈，电话 13812345678", g)
	if len(out) != 1 || out[0].MsgType != "text" || out[0].Text != "✅ 已记录进展 "+string(no) {
		t.Fatalf("group write answered with %q (%s), want one line", out[0].Text, out[0].MsgType)
	}
	if out := h.say(member, "查看 "+string(no), g); out[0].MsgType != "interactive" {
		t.Errorf("查看 in the group: %s, want the card", out[0].MsgType)
	}
	if out := h.say(member, "进展 "+string(no)+" 再次约谈"); out[0].MsgType != "interactive" {
		t.Errorf("a private write: %s, want the card", out[0].MsgType)
	}

	// Replying to the case card in the group: the card is replaced in place
	// (masked for the group), the answer is one line.
	card := h.card("om_group_case_card", no)
	out = h.say(member, "下访：上门走访，张建国情绪平稳", msg{group: true, parent: card})
	var patch, line *store.OutboundMessage
	for i := range out {
		switch {
		case out[i].Kind == store.KindPatch:
			patch = &out[i]
		case out[i].Kind == store.KindReply:
			line = &out[i]
		}
	}
	if patch == nil || patch.ReplyTo != card || !strings.Contains(patch.Text, "上门走访") {
		t.Fatalf("no in-place update of %s: %+v", card, out)
	}
	wantNotIn(t, patch.Content, "张建国", "13812345678")
	if line == nil || line.Text != "✅ 已记录下访 "+string(no) {
		t.Fatalf("the answer: %+v", line)
	}
	// A reminder listing two cases is not replaced by one case's card.
	other := h.newCase("物业费纠纷 单位:区住建局 属地:云溪街道")
	two := h.card("om_two", no, other)
	out = h.say(member, string(other)+" 已约谈物业公司", msg{group: true, parent: two})
	for _, m := range out {
		if m.Kind == store.KindPatch {
			t.Errorf("a two-case reminder was patched: %+v", m)
		}
	}
	wantIn(t, out[0].Text, "✅ 已记录进展 "+string(other))
}
