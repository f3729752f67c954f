package handlers_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/bot"
)

var dcRE = regexp.MustCompile(`DC-\d{4}-\d{4}`)

// open opens a 督查单 as p and returns its number.
func (h *harness) openItem(p xfbot.Person, args string) string {
	h.t.Helper()
	r := h.reply(p, "督查 交办 "+args)
	id := dcRE.FindString(r)
	if id == "" {
		h.t.Fatalf("no DC number in %q", r)
	}
	return id
}

func supValue(id string, p xfbot.Person) map[string]string {
	return map[string]string{"id": id, "g": "0", "c": "oc_p2p_" + p.OpenID}
}

// The lifecycle through the commands: 交办 → 整改 → 报告 → 退回 → 报告 →
// 核验通过 → 销号, each step by whom it belongs to, the others refused with
// a reply that says who does it.
func TestSupervisionCommands(t *testing.T) {
	h := newHarness(t)
	out := h.say(member, "督查 交办 区住建局 措施不落实 桂园社区过渡费未按期发放 要求:十个工作日内发放到位")
	wantIn(t, out[0].Text, "已交办督查单 DC-2026-0001：区住建局 · 措施不落实，整改期限 2026-03-25", "已私聊告知 1 位联络员")
	toLiaison := sentTo(out, liaison.OpenID)
	if len(toLiaison) != 1 {
		t.Fatalf("the liaison was told %d times: %+v", len(toLiaison), out)
	}
	wantIn(t, toLiaison[0].Text, "您单位有一张新的督查单", "DC-2026-0001", "[开始整改]", "[报告整改]")
	wantNotIn(t, toLiaison[0].Text, "@@NO@@")
	id := "DC-2026-0001"

	wantIn(t, h.reply(viewer, "督查 报告 "+id+" 已发放"), "只能查看，不能修改")
	wantIn(t, h.reply(leader, "督查 整改 "+id), "联络员报告", "您的角色是领导")
	wantIn(t, h.reply(liaison, "督查 核验 "+id+" 通过"), "督查单的核验由专班督查专员办理。")
	wantIn(t, h.reply(member, "督查 核验 "+id+" 通过"), "现在是“已交办”，只有已报整改的督查单可以核验")

	out = h.say(liaison, "督查 整改 "+id+" 已成立整改专班")
	wantIn(t, out[0].Text, "督查单 DC-2026-0001 已开始整改")
	wantIn(t, sentTo(out, member.OpenID)[0].Text, "王联络 已开始整改督查单 DC-2026-0001")
	wantIn(t, h.reply(liaison, "督查 报告 "+id), "缺少整改情况与佐证")

	out = h.say(liaison, "督查 报告 "+id+" 已发放 12 户过渡费，附签收表")
	wantIn(t, out[0].Text, "已报整改，等待专班核验")
	wantIn(t, sentTo(out, member.OpenID)[0].Text, "请核验", "[核验通过]", "[退回]")
	wantIn(t, h.reply(liaison, "督查 报告 "+id+" 再报一次"), "已报整改，正在等待核验")

	wantIn(t, h.reply(member2, "督查 核验 "+id+" 退回"), "退回须写明意见")
	wantIn(t, h.reply(member2, "督查 核验 "+id+" 打回 不行"), "核验结论“打回”看不懂，应写“通过”或“退回”")
	out = h.say(member2, "督查 核验 "+id+" 退回 签收表缺 3 户，请补齐")
	wantIn(t, out[0].Text, "已退回重新整改，整改期限不变（2026-03-25）")
	wantIn(t, sentTo(out, liaison.OpenID)[0].Text, "被 钱秀兰 退回重新整改", "签收表缺 3 户")

	h.reply(liaison, "督查 报告 "+id+" 已补齐 15 户签收表")
	out = h.say(member2, "督查 核验 "+id+" 通过 材料齐全")
	wantIn(t, out[0].Text, "核验通过，可由专班负责人或督查专员 赵建 销号")
	wantIn(t, h.reply(member2, "督查 销号 "+id), "由专班负责人或督查专员 赵建 销号")
	wantIn(t, h.reply(member, "督查 销号 "+id), "督查单 DC-2026-0001 已销号")
	wantIn(t, h.reply(member, "督查 销号 "+id), "已销号")

	view := h.reply(member, "督查 查看 "+id)
	wantIn(t, view, "已销号", "退回次数", "交办", "整改", "报告", "退回", "核验通过", "销号", "已补齐 15 户签收表")

	stats := h.reply(member, "统计 督查 本月")
	wantIn(t, stats, "交办", "按期整改率", "100.0%", "区住建局：交办 1 · 按期整改率 100.0% · 退回 1", "措施不落实：交办 1")
	wantIn(t, h.reply(member, "统计 本月"), "督查", "交办 1 件 · 核验通过 1 件（按期整改率 100.0%）· 退回 1 次")
}

func TestSupervisionBadInput(t *testing.T) {
	h := newHarness(t)
	for _, tc := range []struct {
		who  xfbot.Person
		text string
		want []string
	}{
		{member, "督查 交办", []string{"缺少被督查单位", "用法：督查 交办 <单位>"}},
		{member, "督查 交办 区住建局", []string{"缺少问题类型，可写：超期未办、措施不落实"}},
		{member, "督查 交办 区住建局 态度差 很差 要求:改", []string{"问题类型“态度差”看不懂"}},
		{member, "督查 交办 区住建局 推诿扯皮 要求:改", []string{"缺少问题描述"}},
		{member, "督查 交办 区住建局 推诿扯皮 相互推诿", []string{"缺少整改要求（写在“要求:”后面）"}},
		{member, "督查 交办 推诿扯皮 相互推诿 要求:改", []string{"第一项应写被督查单位"}},
		{member, "督查 交办 区住建局 推诿扯皮 相互推诿 要求:改 期限:上周一", []string{"期限"}},
		{member, "督查 交办 区住建局 XF-2026-0099 推诿扯皮 相互推诿 要求:改", []string{"没有找到案件 XF-2026-0099"}},
		{liaison, "督查 交办 区住建局 推诿扯皮 相互推诿 要求:改", []string{"督查单由专班督查专员交办。"}},
		{member, "督查 查看 DC-26-1", []string{"督查单编号“DC-26-1”格式不对，应为 DC-年份-序号"}},
		{member, "督查 查看 DC-2026-0042", []string{"没有找到督查单 DC-2026-0042"}},
		{member, "督查 列表 随便", []string{"“随便”看不懂", "督查 列表 单位:云溪街道 逾期"}},
		{liaison, "督查 列表 单位:云溪街道", []string{"只能查看本单位的督查单"}},
		{member, "督查 审核", []string{"“督查”后面应写"}},
	} {
		got := h.reply(tc.who, tc.text)
		wantIn(t, got, tc.want...)
	}
}

// The one who reported (here staff recording the unit's report, 代报) never
// verifies it; a liaison sees and acts on the own unit's items only; a new
// deadline on 退回 moves the deadline.
func TestSupervisionRoles(t *testing.T) {
	h := newHarness(t)
	h.newCase("桂园社区回迁安置房延期交付 单位:区住建局")
	a := h.openItem(member, "云溪街道 XF-2026-0001 属地责任不到位 属地联系人未落实 要求:落实联系人 期限:3月20日")
	id := h.openItem(member, "区住建局 XF-2026-0001 超期未办 办结期限已过 要求:五日内答复")
	wantIn(t, h.reply(liaison, "督查 查看 "+a), "不是交办给您单位的")
	wantIn(t, h.reply(liaison, "督查 整改 "+a), "不是交办给您单位的")
	list := h.reply(liaison, "督查 列表")
	wantIn(t, list, id, "区住建局 · 在办督查单")
	wantNotIn(t, list, a)

	wantIn(t, h.reply(member2, "督查 报告 "+id+" 代报：单位书面报告已收到"), "已报整改")
	wantIn(t, h.reply(member2, "督查 核验 "+id+" 通过"), "是您报告的，核验须由另一名专班成员办理")
	resp := h.clickValue(member2, bot.ActionSupVerify, supValue(id, member2))
	wantIn(t, resp.Toast, "另一名专班成员")
	wantIn(t, h.reply(member, "督查 核验 "+id+" 退回 请单位正式行文 期限:3月31日"), "新的整改期限 2026-03-31")
	wantIn(t, h.reply(member, "督查 查看 "+id), "2026-03-31", "退回次数")
	wantIn(t, h.reply(member, "督查 列表 待核验"), "没有待核验的督查单")
}

// The card's buttons are the commands they name: the liaison reports
// through the form, staff return and verify, the inspector signs off.
func TestSupervisionButtons(t *testing.T) {
	h := newHarness(t)
	id := h.openItem(member, "区住建局 答复不规范 处理意见书未告知复查权利 要求:重新出具")
	resp := h.clickValue(liaison, bot.ActionSupSubmitForm, supValue(id, liaison))
	if resp.Card == nil || resp.Card.Form == nil {
		t.Fatalf("no form: %+v", resp)
	}
	resp = h.clickValue(liaison, bot.ActionSupSubmit, map[string]string{"id": id, "g": "0", "c": "oc_p2p_" + liaison.OpenID})
	wantIn(t, resp.Toast, "缺少整改情况与佐证")
	resp = h.clickForm(liaison, bot.ActionSupSubmit, id, map[string]string{"text": "已重新出具并送达"})
	wantIn(t, resp.Toast, "已报整改")
	resp = h.clickValue(viewer, bot.ActionSupVerify, supValue(id, viewer))
	wantIn(t, resp.Toast, "督查单的核验由专班督查专员办理。")
	resp = h.clickForm(member2, bot.ActionSupReturn, id, map[string]string{"text": "未附送达回证", "due": "昨天"})
	if resp.ToastKind != "error" {
		t.Fatalf("a past deadline was accepted: %+v", resp)
	}
	resp = h.clickForm(member2, bot.ActionSupReturn, id, map[string]string{"text": "未附送达回证"})
	wantIn(t, resp.Toast, "已退回重新整改")
	h.clickForm(liaison, bot.ActionSupSubmit, id, map[string]string{"text": "附送达回证"})
	resp = h.clickValue(member2, bot.ActionSupVerify, supValue(id, member2))
	wantIn(t, resp.Toast, "核验通过")
	if resp.Card == nil || !strings.Contains(cardText(resp.Card), "核验通过") {
		t.Fatalf("the card is not the updated one: %+v", resp.Card)
	}
	resp = h.clickValue(admin, bot.ActionSupClose, supValue(id, admin))
	wantIn(t, resp.Toast, "已销号")
	drained := h.drain()
	if len(sentTo(drained, liaison.OpenID)) == 0 {
		t.Fatal("the liaison was not told of the sign-off")
	}
}

// In the group the free text of an item is masked.
func TestSupervisionGroupMasked(t *testing.T) {
	h := newHarness(t)
	out := h.say(member, "督查 交办 区住建局 其他 信访人来电 13812345678 反映无人接听 要求:公开值班电话", msg{group: true})
	wantIn(t, out[0].Text, "已交办督查单")
	wantNotIn(t, out[0].Text, "13812345678")
	wantNotIn(t, out[0].Content, "13812345678")
	id := dcRE.FindString(out[0].Text)
	wantNotIn(t, h.reply(viewer, "督查 查看 "+id), "13812345678")
	wantIn(t, h.reply(member, "督查 查看 "+id), "13812345678")
}

func (h *harness) clickForm(p xfbot.Person, action, id string, form map[string]string) *bot.ActionResponse {
	h.t.Helper()
	h.seq++
	req := &bot.Request{EventID: fmt.Sprintf("card:%d", h.seq), MessageID: "om_card", ChatID: "oc_p2p_" + p.OpenID,
		Sender: p, Time: h.now, Via: bot.ViaCard, Action: &bot.Action{Name: action, Value: map[string]string{"a": action, "id": id, "g": "0", "c": "oc_p2p_" + p.OpenID}, Form: form}}
	resp, err := h.mux.ServeAction(context.Background(), req)
	if err != nil {
		h.t.Fatalf("ServeAction(%s): %v", action, err)
	}
	return resp
}

func cardText(c *bot.Card) string { return c.Text() }

// 帮助 督查 is generated from the routing table: every subcommand, its
// usage and an example.
func TestSupervisionHelp(t *testing.T) {
	h := newHarness(t)
	got := h.reply(member, "帮助 督查")
	wantIn(t, got, "督查 交办 <单位> [案件号] <问题类型> <问题描述> 要求:<整改要求> [期限:日期]", "督查 核验 <DC-编号> 通过|退回", "督查 销号", "督查 列表", "超期未办")
	wantIn(t, h.reply(member, "帮助 统计"), "统计 督查")
}

// The unit of a 督查单 resolves through the registry (名录), as a
// liaison's unit does: an alias names the unit, an unknown name is refused.
func TestSupervisionUnitRegistry(t *testing.T) {
	h := newHarness(t)
	wantIn(t, h.reply(admin, "单位 添加 区住建局 区直部门 别名:住建局"), "区住建局")
	out := h.say(member, "督查 交办 住建局 推诿扯皮 相互推诿 要求:明确牵头单位")
	wantIn(t, out[0].Text, "区住建局 · 推诿扯皮")
	if len(sentTo(out, liaison.OpenID)) != 1 {
		t.Fatalf("the unit's liaison was not told: %+v", out)
	}
	wantIn(t, h.reply(member, "督查 交办 区环保局 推诿扯皮 相互推诿 要求:明确牵头单位"), "没有名为“区环保局”的单位")
	wantIn(t, h.reply(member, "督查 列表 单位:住建局"), "区住建局 · 在办督查单")
}
