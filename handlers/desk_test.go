package handlers_test

import (
	"strings"
	"testing"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/bot"
)

// A submitted plan and an extension application wait on the lead's desk,
// each with its button; the leader watching the case sees the plan too, the
// overdue watched case first; the member sees their measure and their 督查单.
func TestDesk(t *testing.T) {
	h := newHarness(t) // 2026-03-16
	no := planCase(t, h, "部分合理")
	h.reply(admin, "包保 "+no+" @周某", msg{mentions: []xfbot.Person{leader}})
	h.reply(member, "方案 起草 "+no+" 症结:开发商资金链断裂 依据:区征收补偿方案第12条 目标:案结事了 目标日:6月30日")
	h.reply(member, "方案 措施 "+no+" 硬:政策 按回迁安置政策补足过渡费 负责人:@赵建 期限:3月20日", msg{mentions: []xfbot.Person{member}})
	wantIn(t, h.reply(member, "方案 提交 "+no), "已提交方案 v1")
	ext := string(h.newCase("物业费纠纷 单位:区住建局 属地:云溪街道"))
	h.reply(admin, "指派 "+ext+" @赵建", msg{mentions: []xfbot.Person{member}})
	wantIn(t, h.reply(member, "延期 "+ext+" 20 需第三方评估"), "已提交延期申请")
	wantIn(t, h.reply(member, "督查 交办 区住建局 措施不落实 桂园社区过渡费未按期发放 要求:十个工作日内发放到位"), "DC-2026-")

	lead := h.say(admin, "工作台")[0]
	wantIn(t, lead.Text, "工作台 · ", "待审批的延期申请（1）", ext, "申请延期 20 天（赵建）：需第三方评估", "待审定的方案（1）", no)
	for _, a := range []string{bot.ActionExtendApprove, bot.ActionPlanShow, bot.ActionDesk} {
		if !strings.Contains(lead.Content, a) {
			t.Errorf("the lead's desk has no %s button", a)
		}
	}

	// The leader approves on the plan card the desk opens; a month on, the
	// watched case is overdue and listed first.
	ld := h.say(leader, "工作台")[0]
	wantIn(t, ld.Text, "待审定的方案（1）", "包保案件（在办 1 件）")
	wantNotIn(t, ld.Text, "待审批的延期申请")
	wantIn(t, h.reply(leader, "方案 批准 "+no), "已批准")

	mine := h.say(member, "工作台")[0]
	wantIn(t, mine.Text, "我负责的方案措施（1）", no+" 措施 1", "期限 2026-03-20", "我交办的督查单（1）")
	wantNotIn(t, mine.Text, "我的逾期和临期案件") // both cases are due in May
	if !strings.Contains(mine.Content, bot.ActionPlanDoneForm) {
		t.Errorf("the member's desk has no 完成 button for the measure")
	}
	h.now = h.now.AddDate(0, 0, 6) // the measure is overdue
	wantIn(t, h.say(member, "工作台")[0].Text, "期限 2026-03-20（已逾期 2 天）")
	h.now = h.now.AddDate(0, 2, 0) // May: the cases are overdue
	wantIn(t, h.say(member, "工作台")[0].Text, "我的逾期和临期案件（2）", "🔴")

	// The liaison sees the unit's 督查单 with 开始整改.
	li := h.say(liaison, "工作台")[0]
	wantIn(t, li.Text, "本单位的督查单（1）")
	if !strings.Contains(li.Content, bot.ActionSupRectify) {
		t.Errorf("the liaison's desk has no 开始整改 button")
	}
}

func TestDeskRefusals(t *testing.T) {
	h := newHarness(t)
	wantIn(t, h.reply(viewer, "工作台"), "观察员只能查看，没有待办")
	wantIn(t, h.reply(member, "工作台", msg{group: true}), "私聊")
	wantIn(t, h.reply(member, "工作台 全部"), "工作台")
	// Nothing waiting: said so, not an empty card.
	wantIn(t, h.reply(member2, "工作台"), "没有等待您办理的事项")
	// The desk's button is the command: a viewer's forged click is refused.
	resp := h.clickValue(viewer, bot.ActionDesk, map[string]string{})
	if resp.Card != nil && strings.Contains(cardTitle(resp.Card), "工作台") {
		t.Errorf("viewer's click opened a desk: %+v", resp)
	}
	if resp.Toast == "" {
		t.Errorf("viewer's click: no refusal toast")
	}
	if r := h.clickValue(member2, bot.ActionDesk, map[string]string{}); r.Card == nil || !strings.Contains(cardTitle(r.Card), "工作台") {
		t.Errorf("member's 刷新: %+v", r)
	}
}

func cardTitle(c *bot.Card) string { return c.Title }
