package handlers_test

import (
	"context"
	"strings"
	"testing"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/bot"
	"github.com/qingchuan/xfbot/handlers"
)

// planCase registers a screened case with an owner for the plan tests.
func planCase(t *testing.T, h *harness, screening string) string {
	t.Helper()
	no := string(h.newCase("回迁房延期交付 单位:区住建局 属地:云溪街道 信访人:张建国"))
	h.reply(admin, "指派 "+no+" @赵建", msg{mentions: []xfbot.Person{member}})
	if screening != "" {
		h.reply(member, "甄别 "+no+" "+screening)
	}
	return no
}

func TestPlanMeasureContract(t *testing.T) {
	h := newHarness(t) // Monday 2026-03-16
	no := planCase(t, h, "部分合理")
	// The 会诊 feature runs exactly this text: it must keep working.
	out := h.say(member, "方案 措施 "+no+" 硬:政策 按回迁安置政策补足过渡费 单位:区住建局 期限:12月20日")
	r := out[0].Text
	wantIn(t, r, "已添加措施 1【硬·政策】到方案 v1（草稿）", "负责人：王联络（区住建局联络员）", "12月20日 → 2026-12-20")
	ps, err := h.st.Plans(context.Background(), xfbot.CaseNo(no))
	if err != nil || ps == nil {
		t.Fatalf("plan not stored: %v", err)
	}
	m := ps.Current().Measure(1)
	if m == nil || m.Kind != xfbot.MeasureHard || m.Type != xfbot.MeasurePolicy || m.Text != "按回迁安置政策补足过渡费" ||
		m.Unit != "区住建局" || m.Owner.OpenID != liaison.OpenID || m.Due.String() != "2026-12-20" {
		t.Fatalf("measure stored as %+v", m)
	}
	// A draft is no deadline yet.
	if ds, _ := h.st.Deadlines(context.Background(), xfbot.NewDate(2027, 1, 1), 0); hasSubject(ds, xfbot.SubjectPlan) {
		t.Fatalf("a draft's measure is in the deadline index: %+v", ds)
	}
	// Without a unit's liaison the case's owner answers; an @ names the person.
	wantIn(t, h.reply(member, "方案 措施 "+no+" 软:疏导 上门释法明理 期限:下周五"), "措施 2【软·疏导】", "负责人：赵建（未指定负责人，由包案人负责）", "下周五 → 2026-03-27")
	wantIn(t, h.reply(member, "方案 措施 "+no+" 软:协商 约谈开发商 负责人:@钱秀兰 期限:4月1日", msg{mentions: []xfbot.Person{member2}}), "措施 3【软·协商】", "负责人：钱秀兰")
	// Without a due day: stored, and the reply says approval needs one.
	wantIn(t, h.reply(member, "方案 措施 "+no+" 软:教育 讲清政策边界"), "措施 4【软·教育】", "未写期限：批准前请重新添加并写 期限:日期")
	wantIn(t, h.reply(member, "方案 检查 "+no), "措施 4 没有期限")
	wantIn(t, h.reply(member, "方案 查看 "+no), "讲清政策边界 · 负责人 赵建 · 未定期限")
	wantIn(t, h.reply(member, "方案 查看 "+no), "按回迁安置政策补足过渡费", "上门释法明理", "约谈开发商", "区住建局 负责人 王联络", "2026-12-20（剩 279 天）")
	// The case card shows the plan; the timeline records it.
	wantIn(t, h.reply(member, "查看 "+no), "方案", "草稿 v1")
	wantIn(t, h.reply(member, "历史 "+no), "方案 v1 添加措施 1【硬·政策】按回迁安置政策补足过渡费")
}

func TestPlanMeasureBadInput(t *testing.T) {
	h := newHarness(t)
	no := planCase(t, h, "合理")
	for _, tc := range []struct{ text, want string }{
		{"方案 措施 " + no, "缺少措施种类和内容。\n用法：方案 措施 <案件号> <硬|软>:<类型> <内容>"},
		{"方案 措施 " + no + " 政策 补足过渡费", "“政策”不是措施种类。措施种类应写成 硬:类型 或 软:类型。硬手段：法律 政策 经济 行政；软措施：教育 协商 调解 疏导。"},
		{"方案 措施 " + no + " 硬:疏导 上门", "“疏导”是软措施，不是硬措施。"},
		{"方案 措施 " + no + " 软:补偿 补钱", "“补偿”不是软措施的类型，可选：教育 协商 调解 疏导。"},
		{"方案 措施 " + no + " 硬:经济 期限:12月1日", "缺少措施内容。例如：方案 措施 XF-2026-0012 硬:政策 按回迁安置政策补足过渡费 单位:区住建局 期限:12月20日"},
		{"方案 措施 " + no + " 硬:经济 补足过渡费 期限:国庆后", "日期“国庆后”看不懂。"},
		{"方案 措施 " + no + " 硬:经济 补足过渡费 期限:2026-03-01", "“2026-03-01”读作 2026-03-01，在今天（2026-03-16）之前；这里要写今天或以后的日期。"},
		{"方案 措施 " + no + " 硬:经济 补足过渡费 期限:", "期限没有写日期，例如 期限:12月20日 或 期限:下周五。"},
		{"方案 措施 " + no + " 硬:经济 补足过渡费 负责人:@路人甲", "负责人“@路人甲”不认识：请 @ 一位成员，例如 负责人:@王某。"},
		{"方案 措施 " + no + " 硬:经济 补 期限:12月1日 期限:12月2日", "“期限”写了两次。"},
		{"方案 措施 XF-2026-9999 硬:经济 补足过渡费", "没有找到案件 XF-2026-9999"},
	} {
		wantIn(t, h.reply(member, tc.text), tc.want)
	}
	wantIn(t, h.reply(liaison, "方案 措施 "+no+" 硬:经济 补足过渡费"), "方案由专班起草：专班成员和案件的包案领导可以起草、添加措施和提交；单位联络员请把措施建议告诉案件的包案人。")
	wantIn(t, h.reply(viewer, "方案 措施 "+no+" 硬:经济 补足过渡费"), "只能查看，不能修改")
	if ps, _ := h.st.Plans(context.Background(), xfbot.CaseNo(no)); ps != nil {
		t.Fatalf("a refused command wrote a plan: %+v", ps)
	}
}

func TestPlanDraftAndShow(t *testing.T) {
	h := newHarness(t)
	no := planCase(t, h, "部分合理 困难")
	wantIn(t, h.reply(member, "方案 查看 "+no), "还没有方案。请先发送“方案 起草 "+no)
	r := h.reply(member, "方案 起草 "+no+" 症结:开发商资金链断裂 导致回迁房延期 依据:区征收补偿方案第12条 目标:案结事了 目标日:6月30日 帮扶:申请临时救助2000元")
	wantIn(t, r, "起草方案 v1（症结、依据、目标、帮扶、目标日）", "6月30日 → 2026-06-30")
	ps, _ := h.st.Plans(context.Background(), xfbot.CaseNo(no))
	p := ps.Current()
	if p.Diagnosis != "开发商资金链断裂 导致回迁房延期" || p.Basis != "区征收补偿方案第12条" || p.Goal != "案结事了" || p.Support != "申请临时救助2000元" || p.Target.String() != "2026-06-30" || p.Status != xfbot.PlanDraft {
		t.Fatalf("draft stored as %+v", p)
	}
	// A second 起草 changes only what it names.
	wantIn(t, h.reply(member, "方案 起草 "+no+" 依据:《国有土地上房屋征收与补偿条例》第25条"), "修改方案 v1（依据）")
	show := h.reply(member, "方案 "+no) // the group's fallback: 方案 <案件号>
	wantIn(t, show, "一案一策 "+no+" · v1", "开发商资金链断裂 导致回迁房延期", "国有土地上房屋征收与补偿条例", "申请临时救助2000元", "2026-06-30",
		"方案还没有措施")
	for _, tc := range []struct{ text, want string }{
		{"方案 起草 " + no, "缺少方案内容：请写 症结: 依据: 目标: 目标日: 帮扶:（可只写其中几项，之后再补）。\n用法：方案 起草 <案件号> 症结:"},
		{"方案 起草 " + no + " 开发商跑路", "看不懂“开发商跑路”：方案的每一项写成 名称:内容，可写 症结: 依据: 目标: 目标日: 帮扶: 关联:。"},
		{"方案 起草 " + no + " 目标日:去年", "日期“去年”看不懂。"},
		{"方案 起草 " + no + " 症结:", "缺少症结的内容。"},
		{"方案 起草 " + no + " 关联:" + no, "关联案件是信访人的其他案件，不能写本案 " + no + "。"},
		{"方案 起草 " + no + " 关联:XF-2026-0099", "没有找到关联案件 XF-2026-0099，请检查案件号。"},
		{"方案 查看 " + no + " v3", "的方案没有 v3，现有 v1 到 v1。"},
		{"方案 查看 " + no + " 最新", "版本应写成 v1、v2，您写的是“最新”。"},
		{"方案 随便", "“方案”后面应写"},
	} {
		wantIn(t, h.reply(member, tc.text), tc.want)
	}
}

// 一人一策: a plan on the petitioner's primary case links the other cases,
// whose cards point to it and whose 方案 查看 shows it.
func TestPlanPerPerson(t *testing.T) {
	h := newHarness(t)
	no := planCase(t, h, "合理")
	other := string(h.newCase("过渡费未发放 单位:区住建局"))
	wantIn(t, h.reply(member, "方案 起草 "+no+" 症结:回迁安置 关联:"+other), "起草方案 v1（症结、关联）")
	wantIn(t, h.reply(member, "查看 "+other), "一人一策，见 "+no+" 的方案")
	wantIn(t, h.reply(member, "方案 查看 "+other), "一案一策 "+no, other+" 列入 "+no+" 的一人一策方案")
	wantIn(t, h.reply(member, "方案 措施 "+other+" 硬:经济 发放过渡费"), other+" 已列入 "+no+" 的一人一策方案，请把措施加在 "+no+" 上")
	wantIn(t, h.reply(member, "历史 "+other), "列入 "+no+" 的一人一策方案")
	// Unlinking clears the other case's card.
	h.reply(member, "方案 起草 "+no+" 关联:无")
	wantNotIn(t, h.reply(member, "查看 "+other), "一人一策，见")
}

func hasSubject(ds []xfbot.Deadline, k xfbot.SubjectKind) bool {
	for _, d := range ds {
		if d.Subject.Kind == k {
			return true
		}
	}
	return false
}

// draftPlan writes a complete plan on no (甄别 部分合理 困难): 症结, 目标日,
// 帮扶 and a hard and a soft measure.
func draftPlan(t *testing.T, h *harness, no string) {
	t.Helper()
	wantIn(t, h.reply(member, "方案 起草 "+no+" 症结:开发商资金链断裂 依据:区征收补偿方案 目标:案结事了 目标日:6月30日 帮扶:申请临时救助2000元"), "起草方案 v1")
	wantIn(t, h.reply(member, "方案 措施 "+no+" 硬:政策 按回迁安置政策补足过渡费 单位:区住建局 期限:4月20日"), "措施 1")
	wantIn(t, h.reply(member, "方案 措施 "+no+" 软:疏导 上门释法明理 期限:4月10日"), "措施 2")
}

// The check on 检查, 提交 and 批准: a clear reply saying what is missing,
// and nothing approved until it passes.
func TestPlanApprovalChecksConsistency(t *testing.T) {
	h := newHarness(t)
	no := planCase(t, h, "部分合理 困难")
	wantIn(t, h.reply(member, "方案 措施 "+no+" 软:协商 约谈开发商 期限:4月1日"), "措施 1")
	r := h.reply(member, "方案 检查 "+no)
	wantIn(t, r, "⚠️ "+no+" 方案 v1 还不能批准（甄别：部分合理、困难诉求），请先补齐：",
		"1. 缺少症结：请发送“方案 起草 "+no+" 症结:…”写明历史成因和争议焦点。",
		"2. 缺少化解目标日：请发送“方案 起草 "+no+" 目标日:日期”。",
		"3. 甄别为部分合理：诉求合理的要解决问题到位，方案至少要有一项解决问题的硬手段（法律、政策、经济、行政）",
		"4. 困难诉求要帮扶救助到位：请发送“方案 起草 "+no+" 帮扶:…”")
	wantIn(t, h.reply(member, "方案 提交 "+no), "还不能批准", "缺少症结")
	wantIn(t, h.reply(admin, "方案 批准 "+no), "还不能批准", "甄别为部分合理")
	if ps, _ := h.st.Plans(context.Background(), xfbot.CaseNo(no)); ps.InForce() != nil || ps.Current().Status != xfbot.PlanDraft {
		t.Fatalf("approved despite problems: %+v", ps.Current())
	}
	// Screened 无理 instead: the hard measure no longer helps, 教育/疏导 needed.
	h.reply(member, "方案 起草 "+no+" 症结:诉求超出政策 目标日:6月30日 帮扶:临时救助")
	h.reply(member, "方案 措施 "+no+" 硬:法律 告知诉讼途径 期限:4月2日")
	wantIn(t, h.reply(member, "方案 检查 "+no), "✅ "+no+" 方案 v1 与甄别结果（部分合理、困难诉求）一致，可以提交批准")
	h.reply(member, "甄别 "+no+" 无理")
	wantIn(t, h.reply(member, "方案 检查 "+no), "甄别为无理：诉求无理的要思想教育到位，方案至少要有一项 教育 或 疏导 措施")
	h.reply(member, "方案 措施 "+no+" 软:教育 讲清政策边界 期限:4月3日")
	wantIn(t, h.reply(member, "方案 检查 "+no), "✅")
}

// Approval: by the lead or the case's 包案领导 (command or button); the
// measures become deadlines owned by their 负责人, the 化解目标日 the 包案人's;
// the owners and the drafter are told.
func TestPlanApproveMakesDeadlines(t *testing.T) {
	h := newHarness(t)
	no := planCase(t, h, "部分合理 困难")
	h.reply(admin, "包保 "+no+" @周某", msg{mentions: []xfbot.Person{leader}})
	draftPlan(t, h, no)
	out := h.say(member, "方案 提交 "+no)
	wantIn(t, out[0].Text, "已提交方案 v1，待专班负责人或包案领导批准")
	if got := sentTo(out, admin.OpenID); len(got) != 1 || !strings.Contains(got[0].Text, "赵建 提交了方案 v1，请审定") || !strings.Contains(got[0].Content, bot.ActionPlanApprove) {
		t.Fatalf("the lead's approval card: %+v", got)
	}
	if got := sentTo(out, leader.OpenID); len(got) != 1 {
		t.Fatalf("the 包案领导 got %d cards", len(got))
	}
	wantIn(t, h.reply(member, "方案 提交 "+no), "已于", "提交，正等待批准")
	wantIn(t, h.reply(member, "方案 批准 "+no), "方案由专班负责人或案件的包案领导批准、退回。")
	wantIn(t, h.reply(member2, "方案 列表"), no, "待批准的方案")
	wantIn(t, h.reply(admin, "方案 列表"), "待您审定")

	// The 包案领导 approves with the card's button.
	resp := h.click(leader, bot.ActionPlanApprove, xfbot.CaseNo(no), "oc_p2p_"+leader.OpenID, nil)
	if resp.ToastKind == "error" || !strings.Contains(resp.Toast, "批准方案 v1（2 项措施，化解目标日 2026-06-30）") {
		t.Fatalf("approve button: %+v", resp)
	}
	told := h.drain()
	if got := sentTo(told, liaison.OpenID); len(got) != 1 || !strings.Contains(got[0].Text, "以下措施由您负责") || !strings.Contains(got[0].Text, "措施 1【硬·政策】按回迁安置政策补足过渡费（期限 2026-04-20）") {
		t.Fatalf("the liaison is told: %+v", got)
	}
	if got := sentTo(told, member.OpenID); len(got) < 1 {
		t.Fatalf("the drafter and owner is told nothing: %+v", told)
	}
	ds, err := h.st.Deadlines(context.Background(), xfbot.NewDate(2026, 12, 31), 0)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"measure|plan:" + no + "#1|" + liaison.OpenID:  "2026-04-20",
		"measure|plan:" + no + "#2|" + member.OpenID:   "2026-04-10",
		"plan_target|plan:" + no + "|" + member.OpenID: "2026-06-30",
	}
	got := map[string]string{}
	for _, d := range ds {
		if d.Subject.Kind == xfbot.SubjectPlan {
			got[string(d.Kind)+"|"+d.Subject.String()+"|"+d.Owner] = d.Due.String()
		}
	}
	if len(got) != len(want) {
		t.Fatalf("plan deadlines %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("deadline %s: %q, want %q", k, got[k], v)
		}
	}
	wantIn(t, h.reply(member, "查看 "+no), "已批准 v1 · 待办 2/2 项 · 下一项：措施 2 上门释法明理，2026-04-10（剩 25 天） · 化解目标日 2026-06-30")
	wantIn(t, h.reply(admin, "方案 批准 "+no), "已批准，没有待批准的版本")
	wantIn(t, h.reply(liaison, "方案 列表"), "我负责的措施", "按回迁安置政策补足过渡费", "执行中 v1")

	// A change after approval: v2, v1 stays in force until v2 is approved.
	wantIn(t, h.reply(member, "方案 措施 "+no+" 软:调解 组织三方调解 期限:5月8日"), "已添加措施 3【软·调解】到方案 v2（草稿）；v1 仍在执行，v2 批准后取代")
	wantIn(t, h.reply(member, "查看 "+no), "已批准 v1（v2 草稿）")
	wantIn(t, h.reply(admin, "方案 批准 "+no), "批准方案 v2（3 项措施", "取代 v1")
	ps, _ := h.st.Plans(context.Background(), xfbot.CaseNo(no))
	if ps.Get(1).Status != xfbot.PlanSuperseded || ps.InForce().Version != 2 {
		t.Fatalf("versions after v2: %s, in force %d", ps.Get(1).Status, ps.InForce().Version)
	}
	wantIn(t, h.reply(member, "方案 查看 "+no+" v1"), "已调整", "按回迁安置政策补足过渡费")
	wantIn(t, h.reply(member, "历史 "+no), "批准方案 v1", "批准方案 v2")
}

func TestPlanReturn(t *testing.T) {
	h := newHarness(t)
	no := planCase(t, h, "部分合理 困难")
	draftPlan(t, h, no)
	h.reply(member, "方案 提交 "+no)
	wantIn(t, h.reply(admin, "方案 退回 "+no), "缺少退回理由。例如：方案 退回 XF-2026-0012 帮扶措施不具体")
	wantIn(t, h.reply(liaison, "方案 退回 "+no+" 不行"), "方案由专班负责人或案件的包案领导批准、退回。")
	out := h.say(admin, "方案 退回 "+no+" 帮扶措施不具体，请写明救助金额")
	wantIn(t, out[0].Text, "已退回方案 v1")
	if got := sentTo(out, member.OpenID); len(got) != 1 || !strings.Contains(got[0].Text, "理由：帮扶措施不具体，请写明救助金额") || !strings.Contains(got[0].Text, "方案 提交 "+no) {
		t.Fatalf("the drafter is told: %+v", got)
	}
	wantIn(t, h.reply(member, "方案 查看 "+no), "退回意见", "帮扶措施不具体", "草稿")
	// A card rendered before a change approves nothing.
	resp := h.clickValue(admin, bot.ActionPlanApprove, map[string]string{"no": no, "v": "1", "e": "0", "g": "0", "c": "oc_p2p_" + admin.OpenID})
	if !strings.Contains(resp.Toast, "这张卡片之后方案又有修改") {
		t.Fatalf("a stale card approved: %+v", resp)
	}
}

// 完成: the measure's 负责人 (here a liaison), or the task force; the
// deadline leaves the index, the case's 包案人 and the approver are told.
func TestPlanMeasureDone(t *testing.T) {
	h := newHarness(t)
	no := planCase(t, h, "部分合理 困难")
	draftPlan(t, h, no)
	wantIn(t, h.reply(member, "方案 完成 "+no+" 1 已发放"), "的方案还没有批准：措施在方案批准后才能登记完成。")
	h.reply(admin, "方案 批准 "+no)
	for _, tc := range []struct {
		who  xfbot.Person
		text string
		want string
	}{
		{member, "方案 完成 " + no + " 一 已发放", "措施序号应为数字（方案卡片上的 1、2、3），您写的是“一”。"},
		{member, "方案 完成 " + no + " 1", "缺少完成情况。例如：方案 完成 XF-2026-0012 1 过渡费差额已发放到位，信访人签收"},
		{member, "方案 完成 " + no + " 9 已发放", "执行中的方案 v1 没有措施 9"},
		{member2, "方案 完成 XF-2026-0077 1 已发放", "没有找到案件 XF-2026-0077"},
		{viewer, "方案 完成 " + no + " 1 已发放", "只能查看，不能修改"},
		{leader, "方案 完成 " + no + " 1 已发放", "措施 1 由 王联络 负责：只有负责人或专班成员可以登记完成。"},
	} {
		wantIn(t, h.reply(tc.who, tc.text), tc.want)
	}
	out := h.say(liaison, "方案 完成 "+no+" 1 过渡费差额已发放到位，信访人签收")
	wantIn(t, out[0].Text, "措施 1 已完成；还有 1 项待办")
	if got := sentTo(out, member.OpenID); len(got) != 1 || !strings.Contains(got[0].Text, "王联络 登记 "+no+" 方案措施 1 完成：过渡费差额已发放到位") {
		t.Fatalf("the 包案人 is told: %+v", got)
	}
	if got := sentTo(out, admin.OpenID); len(got) != 1 {
		t.Fatalf("the approver is told %d times", len(got))
	}
	wantIn(t, h.reply(liaison, "方案 完成 "+no+" 1 再来一次"), "措施 1 已于 2026-03-16 由 王联络 登记完成。")
	ds, _ := h.st.Deadlines(context.Background(), xfbot.NewDate(2026, 12, 31), 0)
	for _, d := range ds {
		if d.Subject == xfbot.MeasureSubject(xfbot.CaseNo(no), 1) {
			t.Fatalf("a done measure is still a deadline: %+v", d)
		}
	}
	if refs, _ := h.st.MeasuresOf(context.Background(), liaison.OpenID); len(refs) != 0 {
		t.Fatalf("the liaison still holds %+v", refs)
	}
	// The button: the form, then its submit.
	resp := h.clickValue(member, bot.ActionPlanDoneForm, map[string]string{"no": no, "n": "2", "g": "0", "c": "oc_p2p_" + member.OpenID})
	if resp.Card == nil || resp.Card.Form == nil || resp.Card.Form.Submit.Action != bot.ActionPlanDone {
		t.Fatalf("done form: %+v", resp)
	}
	h.seq++
	resp = h.clickValue(member, bot.ActionPlanDone, map[string]string{"no": no, "n": "2", "g": "0", "c": "oc_p2p_" + member.OpenID})
	if !strings.Contains(resp.Toast, "缺少完成情况") {
		t.Fatalf("an empty note: %+v", resp)
	}
	h.seq++
	req := &bot.Request{EventID: "card:done2", MessageID: "om_card", ChatID: "oc_p2p_" + member.OpenID, Sender: member, Time: h.now, Via: bot.ViaCard,
		Action: &bot.Action{Name: bot.ActionPlanDone, Value: map[string]string{"no": no, "n": "2", "g": "0", "c": "oc_p2p_" + member.OpenID}, Form: map[string]string{"note": "已上门释法，信访人表示理解"}}}
	resp, err := h.mux.ServeAction(context.Background(), req)
	if err != nil || !strings.Contains(resp.Toast, "方案措施均已完成") {
		t.Fatalf("done by button: %+v %v", resp, err)
	}
	if got := sentTo(h.drain(), admin.OpenID); len(got) != 1 || !strings.Contains(got[0].Text, "方案措施均已完成") {
		t.Fatalf("the approver is told: %+v", got)
	}
	wantIn(t, h.reply(member, "查看 "+no), "已批准 v1 · 2 项措施均已完成")
	wantIn(t, h.reply(member, "历史 "+no), "方案措施 1 完成（硬·政策）：过渡费差额已发放到位")
}

// Free text of a plan read in a group: the petitioner's name and numbers
// masked, in the card and in the reply text.
func TestPlanIsMaskedInTheGroup(t *testing.T) {
	h := newHarness(t)
	no := planCase(t, h, "合理")
	h.reply(member, "方案 起草 "+no+" 症结:张建国多次反映 电话13812345678 目标日:6月30日")
	h.reply(member, "方案 措施 "+no+" 硬:经济 向张建国发放过渡费 期限:5月1日")
	for _, text := range []string{"方案 查看 " + no, "查看 " + no} {
		out := h.say(member, text, msg{group: true})
		wantNotIn(t, out[0].Text+out[0].Content, "张建国", "13812345678")
	}
	wantIn(t, h.reply(member, "方案 查看 "+no, msg{group: true}), "张某多次反映", "138****5678", "向张某发放过渡费")
	wantIn(t, h.reply(member, "方案 查看 "+no), "张建国多次反映")
}

// 成员 召回 asks what a person holds and hands it over: every open measure,
// in force or pending, moves with its deadline and index entry, recorded.
func TestPlanMeasuresHandOver(t *testing.T) {
	h := newHarness(t)
	no := planCase(t, h, "部分合理 困难")
	draftPlan(t, h, no)                                 // 1: the liaison, 2: the 包案人 (member)
	h.reply(admin, "方案 批准 "+no)                         // both in force
	h.reply(member, "方案 措施 "+no+" 软:调解 组织三方调解 期限:5月8日") // 3: member, in the v2 draft
	hs := &handlers.Handlers{Store: h.st}
	ctx := context.Background()
	held, err := hs.HeldMeasures(ctx, member.OpenID)
	if err != nil || len(held) != 2 || !strings.Contains(held[0], no+" 方案措施 2【软·疏导】上门释法明理（期限 2026-04-10）") || !strings.Contains(held[1], "方案措施 3【软·调解】组织三方调解") {
		t.Fatalf("held: %q %v", held, err)
	}
	n, err := hs.HandOverMeasures(ctx, member, member2, admin, h.now)
	if err != nil || n != 2 {
		t.Fatalf("handed over %d: %v", n, err)
	}
	if held, _ := hs.HeldMeasures(ctx, member.OpenID); len(held) != 0 {
		t.Fatalf("still held by the old owner: %q", held)
	}
	if held, _ := hs.HeldMeasures(ctx, member2.OpenID); len(held) != 2 {
		t.Fatalf("held by the new owner: %q", held)
	}
	ds, _ := h.st.Deadlines(ctx, xfbot.NewDate(2026, 12, 31), 0)
	owners := map[xfbot.Subject]string{}
	for _, d := range ds {
		owners[d.Subject] = d.Owner
	}
	if owners[xfbot.MeasureSubject(xfbot.CaseNo(no), 2)] != member2.OpenID || owners[xfbot.MeasureSubject(xfbot.CaseNo(no), 1)] != liaison.OpenID {
		t.Fatalf("deadline owners after the hand-over: %v", owners)
	}
	wantIn(t, h.reply(admin, "历史 "+no), "方案措施 2、3 的负责人由 赵建 移交 钱秀兰")
	if n, err := hs.HandOverMeasures(ctx, member, member2, admin, h.now); n != 0 || err != nil {
		t.Fatalf("a second hand-over moved %d: %v", n, err)
	}
}
