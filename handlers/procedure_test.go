package handlers_test

import (
	"fmt"
	"testing"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/bot"
)

// A case walks 登记 → 受理 → 答复 → 复查 → 复核 → 终结, each step refused out
// of order, the deadline following the stage.
func TestProcedureTrack(t *testing.T) {
	h := newHarness(t) // Monday 2026-03-16
	no := string(h.newCase("回迁房延期交付 待受理 收到:3月10日 单位:区住建局"))
	c := h.load(xfbot.CaseNo(no))
	if c.StageOf() != xfbot.StageRegistered || c.Due.String() != "2026-03-25" || !c.AcceptedOn.IsZero() {
		t.Fatalf("registered: stage %s due %s accepted %s", c.StageOf(), c.Due, c.AcceptedOn)
	}
	wantIn(t, h.reply(member, "查看 "+no), "受理期限", "2026-03-25", "已登记（待受理），收到 2026-03-10")
	wantIn(t, h.reply(member, "答复 "+no+" 支持"), "不能答复", "待受理的案件可以")
	wantIn(t, h.reply(liaison, "受理 "+no), "由专班成员办理")

	wantIn(t, h.reply(member, "受理 "+no+" 3月12日"), "办理中", "办结期限 2026-05-11")
	wantIn(t, h.reply(member, "受理 "+no), "不能受理")
	wantIn(t, h.reply(member, "答复 "+no+" 同意"), "答复结果“同意”不认识", "支持、部分支持、不支持、解释说明")
	h.now = h.now.AddDate(0, 1, 0) // 2026-04-16
	out := h.say(liaison, "答复 "+no+" 部分支持 4月15日 送达:4月16日")
	wantIn(t, out[0].Text, "已答复")
	c = h.load(xfbot.CaseNo(no))
	if c.StageOf() != xfbot.StageReplied || c.Chased() || c.Due.String() != "2026-05-18" { // 05-16 is a Saturday
		t.Fatalf("replied: stage %s chased %v due %s", c.StageOf(), c.Chased(), c.Due)
	}
	wantIn(t, h.reply(member, "查看 "+no), "部分支持", "复查申请期至 2026-05-18", "—（已答复）")
	// Answered, it is chased no more: never in 列表 逾期, still among the open cases.
	h.now = h.now.AddDate(0, 2, 0)
	wantNotIn(t, h.reply(member, "列表 逾期"), no)
	wantIn(t, h.reply(member, "列表"), no, "办理中（已答复）")
	h.now = h.now.AddDate(0, -2, 0)
	wantIn(t, h.reply(member, "终结 "+no), "才届满")

	h.now = h.now.AddDate(0, 0, 40) // 2026-05-26: the window has passed
	out = h.say(member, "复查 申请 "+no+" 5月25日")
	wantIn(t, out[0].Text, "复查中", "逾期申请")
	c = h.load(xfbot.CaseNo(no))
	if !c.Proc.Review.Late || !c.Chased() || c.Due.String() != "2026-06-24" {
		t.Fatalf("review: late %v chased %v due %s", c.Proc.Review.Late, c.Chased(), c.Due)
	}
	wantIn(t, h.reply(member, "延期 "+no+" 10 需评估"), "延期只用于受理后 60 日的办理期限")
	wantIn(t, h.reply(member, "复查 答复 "+no+" 支持"), "复查/复核结论“支持”不认识", "维持、变更、撤销")
	wantIn(t, h.reply(liaison, "复查 答复 "+no+" 维持"), "由专班成员办理") // the unit does not decide its own review
	wantIn(t, h.reply(member, "复查 答复 "+no+" 维持"), "复查已答复")
	wantIn(t, h.reply(member, "复核 申请 "+no), "复核中")
	wantIn(t, h.reply(member, "复核 答复 "+no+" 维持"), "终结")
	c = h.load(xfbot.CaseNo(no))
	if c.StageOf() != xfbot.StageTerminated || c.Chased() {
		t.Fatalf("terminated: %s chased %v", c.StageOf(), c.Chased())
	}
	wantIn(t, h.reply(member, "复查 申请 "+no), "程序已结束")
	wantIn(t, h.reply(member, "历史 "+no), "程序：已登记（待受理） → 办理中", "复核中 → 终结", "逾期申请")
	// The resolution track goes on beside it.
	wantIn(t, h.reply(member, "化解 "+no+" 已签订息诉罢访协议"), "已化解")
}

func TestProcedureEndsWithoutAcceptance(t *testing.T) {
	h := newHarness(t)
	for _, tt := range []struct{ cmd, stage string }{
		{"不予受理 %s 已经复核终结，不再受理", "不予受理"},
		{"转送 %s 市人社局", "已转送"},
		{"导入 %s 劳动仲裁", "导入法定程序"},
	} {
		no := string(h.newCase("待受理的来信 待受理"))
		wantIn(t, h.reply(member, fmt.Sprintf(tt.cmd, no)), tt.stage)
		if c := h.load(xfbot.CaseNo(no)); c.Chased() || !c.StageOf().Ended() {
			t.Errorf("%s: chased %v stage %s", tt.stage, c.Chased(), c.StageOf())
		}
	}
	no := string(h.newCase("待受理的来信 待受理"))
	wantIn(t, h.reply(member, "不予受理 "+no), "请写明不予受理的理由")
	wantIn(t, h.reply(member, "新建 矛盾 待受理 受理:昨天"), "不能同时写“受理:”")
}

func TestRegisteredCasesAreAcceptedAsBefore(t *testing.T) {
	h := newHarness(t)
	c := h.load(h.newCase("已受理的积案 受理:2026-03-01"))
	if c.StageOf() != xfbot.StageHandling || c.Due.String() != "2026-04-30" || c.Proc != (xfbot.Procedure{}) {
		t.Fatalf("stage %s due %s proc %+v", c.StageOf(), c.Due, c.Proc)
	}
	wantNotIn(t, h.reply(member, "查看 "+string(c.No)), "程序：")
}

// The card offers the next step of each track, and each button is its
// command: the same rule, the same decision.
func TestProcedureButtons(t *testing.T) {
	h := newHarness(t)
	no := h.newCase("待受理的来访 待受理 单位:区住建局")
	p2p := func(p xfbot.Person) string { return "oc_p2p_" + p.OpenID }
	wantIn(t, h.say(member, "查看 "+string(no))[0].Content, bot.ActionAccept)
	wantIn(t, h.click(liaison, bot.ActionAccept, no, p2p(liaison), nil).Toast, "由专班成员办理")
	resp := h.click(member, bot.ActionAccept, no, p2p(member), nil)
	wantIn(t, resp.Toast, "办理中")
	if c := h.load(no); c.StageOf() != xfbot.StageHandling || c.AcceptedOn != c.Proc.ReceivedOn {
		t.Fatalf("accepted by button: %s on %s", c.StageOf(), c.AcceptedOn)
	}
	resp = h.click(member, bot.ActionReplyForm, no, p2p(member), nil)
	if resp.Card == nil || resp.Card.Form == nil || resp.Card.Form.Submit.Action != bot.ActionReply {
		t.Fatalf("答复 form: %+v", resp)
	}
	wantIn(t, h.click(member, bot.ActionReply, no, p2p(member), map[string]string{"result": "同意"}).Toast, "答复结果“同意”不认识")
	resp = h.click(liaison, bot.ActionReply, no, p2p(liaison), map[string]string{"result": "部分支持", "delivered": "今天"})
	wantIn(t, resp.Toast, "已答复")
	c := h.load(no)
	if c.StageOf() != xfbot.StageReplied || c.Proc.Reply.Result != xfbot.OutcomePartly || c.Proc.Reply.DeliveredOn.IsZero() {
		t.Fatalf("replied by button: %+v", c.Proc)
	}
	wantIn(t, resp.Card.Text(), "[复查申请]")
	wantNotIn(t, resp.Card.Text(), "[终结]") // the window is open
	wantIn(t, h.click(member, bot.ActionConclude, no, p2p(member), nil).Toast, "才届满")
}

// The procedure's figures come from its steps: 及时受理率, 按期答复率, 复查 and
// 维持率 in 统计 (口径 included).
func TestProcedureFigures(t *testing.T) {
	h := newHarness(t) // 2026-03-16
	late := string(h.newCase("超期受理 待受理 收到:2026-02-20"))
	onTime := string(h.newCase("按期受理 待受理 收到:2026-03-10"))
	h.reply(member, "受理 "+late+" 3月16日")   // 24 days after receipt
	h.reply(member, "受理 "+onTime+" 3月16日") // 6 days
	h.reply(member, "答复 "+onTime+" 支持 3月16日")
	h.reply(member, "复查 申请 "+onTime+" 3月16日")
	h.reply(member, "复查 答复 "+onTime+" 维持 3月16日")
	r := h.reply(member, "统计 本月")
	wantIn(t, r, "及时受理率：50.0%", "按期答复率：100.0%", "复查/复核：1 / 0，维持率 100.0%")
	wantIn(t, h.reply(member, "统计 口径"), "及时受理率", "按期答复率", "维持率")
}
