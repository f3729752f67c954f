package handlers_test

import (
	"context"
	"strings"
	"testing"

	"github.com/qingchuan/xfbot"
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

var _ = strings.Contains
