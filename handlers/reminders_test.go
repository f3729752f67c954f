package handlers_test

import (
	"context"
	"testing"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/bot"
)

func TestPauseResume(t *testing.T) {
	h := newHarness(t)
	no := h.newCase("听证 受理:2026-03-01") // due 2026-04-30
	s := string(no)
	wantIn(t, h.reply(member, "恢复计时 "+s), "没有在暂停计时")
	wantIn(t, h.reply(member, "暂停计时 "+s), "缺少暂停计时的理由")
	wantIn(t, h.reply(member, "暂停计时 "+s+" 组织听证"), "已暂停计时", "计时暂停")
	wantIn(t, h.reply(member, "暂停计时 "+s+" 再停"), "已暂停计时（组织听证）")
	h.now = h.now.AddDate(0, 0, 12) // 12 days of hearing
	wantIn(t, h.reply(member, "恢复计时 "+s+" 听证结束"), "已恢复计时", "2026-05-12")
	c := h.load(no)
	if c.Paused() || c.Due.String() != "2026-05-12" || len(c.Pauses) != 1 || c.Pauses[0].To.String() != "2026-03-27" {
		t.Fatalf("after resume: paused=%v due=%s pauses=%+v", c.Paused(), c.Due, c.Pauses)
	}
	wantIn(t, h.reply(member, "历史 "+s), "计时中 → 暂停：组织听证", "2026-05-01 → 2026-05-12（恢复计时）")
}

func TestTagsAndAck(t *testing.T) {
	h := newHarness(t)
	no := h.newCase("积案")
	s := string(no)
	wantIn(t, h.reply(member, "标签 "+s+" 积案，重点"), "标签：积案、重点")
	if c := h.load(no); !c.HasTag(xfbot.TagBacklog) || !c.HasTag(xfbot.TagKey) {
		t.Fatalf("tags %v", c.Tags)
	}
	wantIn(t, h.reply(member, "标签 "+s+" 火星"), "标签“火星”不认识")
	wantIn(t, h.reply(member, "标签 "+s+" 无"), "已清除标签")
	wantIn(t, h.reply(member, "确认 "+s), "已确认 "+s)
	wantIn(t, h.reply(viewer, "确认 "+s), "只能查看")
	ledgers, err := h.st.Ledgers(context.Background(), []xfbot.CaseNo{no})
	if err != nil || len(ledgers[no]) != 1 {
		t.Fatalf("ack not noted: %v %v", ledgers, err)
	}
}

func TestReminderView(t *testing.T) {
	h := newHarness(t)
	late := h.newCase("超期 受理:2026-01-01")
	fine := h.newCase("正常")
	for _, no := range []xfbot.CaseNo{late, fine} {
		h.reply(member, "指派 "+string(no)+" @赵建", msg{mentions: []xfbot.Person{member}})
	}
	r := h.reply(member, "提醒 查看")
	wantIn(t, r, string(late), "待提醒", "1 件临期或超期")
	wantNotIn(t, r, string(fine))
	wantIn(t, h.reply(member, "提醒 删除"), "只能写“查看”")
}

func TestReminderButtons(t *testing.T) {
	h := newHarness(t)
	no := h.newCase("按钮 受理:2026-01-20") // due 2026-03-23: 7 days left, yellow
	p2p := "oc_p2p_" + member.OpenID
	resp := h.click(member, bot.ActionSnooze, no, p2p, nil)
	wantIn(t, resp.Toast, "2026-03-17", string(no))
	snoozes, _ := h.st.DueSnoozes(context.Background(), xfbot.NewDate(2026, 3, 17))
	if len(snoozes) != 1 || snoozes[0].OpenID != member.OpenID {
		t.Fatalf("snoozes %+v", snoozes)
	}
	resp = h.click(member, bot.ActionAck, no, p2p, nil)
	wantIn(t, resp.Toast, "已确认")
	resp = h.click(member, bot.ActionExtendForm, no, p2p, nil)
	if resp.Card == nil || resp.Card.Form == nil || len(resp.Card.Form.Inputs) != 2 {
		t.Fatalf("extension form: %+v", resp)
	}
	resp = h.click(member, bot.ActionExtendSubmit, no, p2p, map[string]string{"days": "45", "reason": "需评估"})
	wantIn(t, resp.Toast, "不得超过 30 天")
	// 申请延期 from a reminder is an application: the lead approves it.
	resp = h.click(member, bot.ActionExtendSubmit, no, p2p, map[string]string{"days": "20", "reason": "需第三方评估"})
	wantIn(t, resp.Toast, "已提交延期申请")
	if c := h.load(no); c.ExtensionDays != 0 || c.ExtensionRequest == nil || c.ExtensionRequest.Reason != "需第三方评估" {
		t.Fatalf("application %+v (resp %+v)", c.ExtensionRequest, resp)
	}
	h.click(admin, bot.ActionExtendApprove, no, "oc_p2p_"+admin.OpenID, nil)
	if c := h.load(no); c.ExtensionDays != 20 || c.ExtensionReason != "需第三方评估" {
		t.Fatalf("extension %d %q", c.ExtensionDays, c.ExtensionReason)
	}
}
