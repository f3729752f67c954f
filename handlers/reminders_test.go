package handlers_test

import (
	"context"
	"testing"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/bot"
	"github.com/qingchuan/xfbot/scheduler"
	"github.com/qingchuan/xfbot/store"
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
	wantIn(t, h.reply(member, "确认 "+s), "目前没有需要确认的提醒")
	wantIn(t, h.reply(viewer, "确认 "+s), "只能查看")
}

// remind runs the reminder scan over the harness's ledger at h.now.
func (h *harness) remind() []store.OutboundMessage {
	h.t.Helper()
	r := &scheduler.Reminders{Store: h.st, Thresholds: xfbot.DefaultThresholds, Gaps: xfbot.DefaultGaps,
		Ladder: xfbot.DefaultLadder, Admins: []string{admin.OpenID}, Location: loc}
	if err := r.Run(context.Background(), h.now); err != nil {
		h.t.Fatal(err)
	}
	return h.drain()
}

// Only someone a reminder or an escalation step went to may acknowledge it.
func TestAckOnlyByRecipients(t *testing.T) {
	h := newHarness(t)
	no := h.newCase("超期 受理:2026-01-01 单位:区住建局") // due 2026-03-02: overdue
	s := string(no)
	h.reply(admin, "指派 "+s+" @赵建", msg{mentions: []xfbot.Person{member}})
	wantIn(t, h.reply(member, "确认 "+s), "目前没有需要确认的提醒")
	if out := h.remind(); len(sentTo(out, member.OpenID)) != 1 {
		t.Fatalf("the owner is not reminded: %+v", out)
	}
	for _, p := range []xfbot.Person{member2, liaison} {
		wantIn(t, h.reply(p, "确认 "+s), "没有发给您")
		resp := h.click(p, bot.ActionAck, no, "oc_p2p_"+p.OpenID, nil)
		wantIn(t, resp.Toast, "没有发给您")
	}
	if st, err := h.st.Escalation(context.Background(), no); err != nil || st == nil {
		t.Fatalf("a refused ack ended the escalation: %v %v", st, err)
	}
	resp := h.click(member, bot.ActionAck, no, "oc_p2p_"+member.OpenID, nil)
	wantIn(t, resp.Toast, "已确认 "+s, "超期升级已停止")
	if st, _ := h.st.Escalation(context.Background(), no); st != nil {
		t.Fatalf("escalation goes on after the owner's ack: %+v", st)
	}
	wantIn(t, h.reply(member, "确认 "+s), "已于 2026-03-16 确认")
}

// An escalation step's recipient may read it; a liaison's reading does not
// stop the steps above.
func TestAckByEscalationRecipient(t *testing.T) {
	h := newHarness(t)
	no := h.newCase("超期 受理:2026-01-01 单位:区住建局")
	s := string(no)
	h.reply(admin, "指派 "+s+" @赵建", msg{mentions: []xfbot.Person{member}})
	h.remind()                     // Monday 03-16: the owner; the ladder starts
	h.now = h.now.AddDate(0, 0, 1) // Tuesday: the liaison's step
	if out := h.remind(); len(sentTo(out, liaison.OpenID)) != 1 {
		t.Fatalf("the liaison is not escalated to: %+v", out)
	}
	wantIn(t, h.reply(member2, "确认 "+s), "没有发给您")
	// The liaison reads the step; the ladder above it goes on.
	wantIn(t, h.reply(liaison, "确认 "+s), "已阅 "+s, "超期督办继续进行")
	if st, err := h.st.Escalation(context.Background(), no); err != nil || st == nil {
		t.Fatalf("the supervised unit stopped its own escalation: %v %v", st, err)
	}
	wantIn(t, h.reply(member, "确认 "+s), "已确认 "+s, "超期升级已停止")
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
	wantIn(t, h.reply(member, "提醒 删除"), "“提醒”后面应写 查看")
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
	wantIn(t, resp.Toast, "没有需要确认的提醒")
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
