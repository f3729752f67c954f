package handlers_test

import (
	"context"
	"testing"

	"github.com/qingchuan/xfbot"
)

// card marks a sent message as a card about nos, as the sender does once
// Feishu has given it its id.
func (h *harness) card(id string, nos ...xfbot.CaseNo) string {
	h.t.Helper()
	ss := make([]string, len(nos))
	for i, no := range nos {
		ss[i] = string(no)
	}
	if err := h.st.NoteMessageCases(context.Background(), id, ss); err != nil {
		h.t.Fatal(err)
	}
	return id
}

// Replying to a case card acts on its case: plain text is 进展; 下访：/化解：
// pick the verb; a command that takes a case number gets the card's; the
// same roles as typed.
func TestReplyToCard(t *testing.T) {
	h := newHarness(t)
	no := h.newCase("回迁房延期交付 单位:区住建局 属地:云溪街道 信访人:张建国")
	h.reply(admin, "指派 "+string(no)+" @赵建", msg{mentions: []xfbot.Person{member}})
	card := h.card("om_case_card", no)

	wantIn(t, h.reply(member, "已与开发商约谈，4月底前交房", msg{parent: card}), "已记录进展", string(no))
	wantIn(t, h.reply(member, "下访：上门走访，信访人情绪平稳", msg{parent: card}), "已记录下访")
	wantIn(t, h.reply(member, "延期 20 需第三方评估", msg{parent: card}), "已提交延期申请")
	if c := h.load(no); c.ExtensionRequest == nil || c.ExtensionRequest.Days != 20 {
		t.Errorf("extension request %+v, want 20 days on %s", c.ExtensionRequest, no)
	}
	var visits, progress int
	l, err := h.st.Load(context.Background(), "", no)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range l.Recent {
		switch p.Kind {
		case xfbot.KindVisit:
			visits++
		case xfbot.KindProgress:
			progress++
		}
	}
	if visits != 1 || progress < 1 {
		t.Errorf("timeline: %d visits, %d progress entries; want 1 and at least 1", visits, progress)
	}
	// A command naming a case itself is taken as typed.
	other := h.newCase("物业费纠纷 单位:区住建局 属地:云溪街道")
	wantIn(t, h.reply(member, "进展 "+string(other)+" 已电话联系", msg{parent: card}), "已记录进展", string(other))

	// The same roles as typed: a viewer's reply is refused.
	wantIn(t, h.reply(viewer, "我来补充一句", msg{parent: card}), "观察员")
	// 化解： closes the loop as 化解 does.
	wantIn(t, h.reply(member, "化解：已签订息诉罢访协议", msg{parent: card}), "已化解")
	if c := h.load(no); c.Status != xfbot.StatusResolved {
		t.Errorf("status %s, want resolved", c.Status)
	}

	// A reminder about two cases: plain text asks which; a case number picks.
	two := h.card("om_reminder", no, other)
	wantIn(t, h.reply(member, "已约谈", msg{parent: two}), "这张卡片列出 2 件案件", "请写明是哪一件")
	wantIn(t, h.reply(member, string(other)+" 已约谈物业公司", msg{parent: two}), "已记录进展", string(other))

	// A reply to anything that is not a case card is an ordinary message.
	wantIn(t, h.reply(member, "你好", msg{parent: "om_not_a_card"}), "没有“你好”这个命令")
}

// In the group (with @bot) a reply to a card works the same, and the reply is masked.
func TestReplyToCardInGroup(t *testing.T) {
	h := newHarness(t)
	no := h.newCase("回迁房延期交付 单位:区住建局 属地:云溪街道 信访人:张建国")
	card := h.card("om_group_card", no)
	r := h.reply(member, "电话联系张建国，13812345678 已接通", msg{group: true, parent: card})
	wantIn(t, r, "已记录进展", string(no))
	wantNotIn(t, r, "13812345678", "张建国")
}
