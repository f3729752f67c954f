package handlers_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/qingchuan/xfbot"
)

// TestListCombined: 列表 filters combine, each one an index or condition
// of one query, with the exact count.
func TestListCombined(t *testing.T) {
	h := newHarness(t)
	withRegistry(t, h)
	mk := func(text string) string { return string(h.newCase(text)) }
	// Overdue (期限 before today, 2026-03-16) or not, by unit and locality.
	a := mk("欠薪一 单位:区人社局 属地:青峰镇 类别:劳动社保 受理:2026-01-05 期限:2026-03-10")
	b := mk("欠薪二 单位:区人社局 属地:青峰镇 类别:劳动社保 受理:2026-01-05 期限:2026-03-12")
	c := mk("欠薪三 单位:区人社局 属地:青峰镇 类别:劳动社保")
	d := mk("欠薪四 单位:区人社局 属地:河口街道 类别:劳动社保 受理:2026-01-05 期限:2026-03-11")
	e := mk("违建 单位:区城管局 属地:青峰镇 类别:城建管理 受理:2026-01-05 期限:2026-03-09")
	h.reply(member, "指派 "+b+" @钱秀兰", msg{mentions: []xfbot.Person{member2}})
	for _, no := range []string{a, c, d, e} {
		h.reply(member, "指派 "+no+" @赵建", msg{mentions: []xfbot.Person{member}})
	}

	tests := []struct {
		name  string
		who   xfbot.Person
		text  string
		title string
		in    []string
		out   []string
	}{
		{"ThreeFilters", member, "列表 逾期 单位:区人社局 属地:青峰镇 我的", "我包案的逾期案件 · 主责单位：区人社局 · 属地：青峰镇（共 1 件）", []string{a}, []string{b, c, d, e}},
		{"UnitAndArea", member, "列表 单位:区人社局 属地:青峰镇", "在办案件 · 主责单位：区人社局 · 属地：青峰镇（共 3 件）", []string{a, b, c}, []string{d, e}},
		{"AliasesResolve", member, "列表 单位：人社局 属地:青峰镇 逾期", "逾期案件 · 主责单位：区人社局 · 属地：青峰镇（共 2 件）", []string{a, b}, []string{c}},
		{"SpaceAfterColon", member, "列表 单位: 区人社局", "主责单位：区人社局（共 4 件）", []string{a, b, c, d}, []string{e}},
		{"Category", member, "列表 属地:青峰镇 类别:城建", "在办案件 · 属地：青峰镇 · 类别：城建管理（共 1 件）", []string{e}, []string{a}},
		{"StatusAndUnit", member, "列表 办理中 单位:区城管局", "办理中的案件 · 主责单位：区城管局（共 1 件）", []string{e}, []string{a}},
		{"DueSoonAndMine", member, "列表 临期 我的", "我包案的7 天内到期（共 0 件）", nil, []string{a}},
		{"LiaisonExactScope", liaison, "列表 逾期", "逾期案件（本单位）（共 0 件）", nil, []string{a, e}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := h.reply(tt.who, tt.text)
			wantIn(t, r, tt.title)
			wantIn(t, r, tt.in...)
			wantNotIn(t, r, tt.out...)
		})
	}

	t.Run("Refusals", func(t *testing.T) {
		for _, tt := range []struct{ text, want string }{
			{"列表 红色", "不认识的筛选“红色”。可用：逾期、临期、我的、包保、全部、办理中、稳控、已化解、已销号、单位:名称、属地:名称、类别:名称；可以组合，例如：列表 逾期 单位:区人社局 属地:青峰镇 我的"},
			{"列表 单位:区人社局 红色", "不认识的筛选“红色”。"},
			{"列表 单位:区人社局属地:青峰镇", "没有名为“区人社局属地:青峰镇”的单位。您是不是要找：区人社局、青峰镇？"},
			{"列表 标签:积案", "不认识的筛选“标签:积案”。"},
			{"列表 逾期 临期", "“逾期”和“临期”只能写一个。"},
			{"列表 稳控 已化解", "“稳控中”和“已化解”只能写一个。"},
			{"列表 全部 逾期", "“全部”的案件包括已办结的，不再计算期限，不能与“逾期”同时使用。在办案件请写：列表 逾期"},
			{"列表 已销号 临期", "“已销号”的案件包括已办结的，不再计算期限，不能与“临期”同时使用。"},
			{"列表 我的 包保", "“我的”和“包保”请分开列：列表 我的，或 列表 包保。"},
			{"列表 单位:区人社局 单位:区城管局", "单位只能写一个，您写了两次。"},
			{"列表 单位:", "“单位:”后面要写名称，例如：列表 单位:区住建局"},
			{"列表 单位:住建厅", "没有名为“住建厅”的单位。您是不是要找：区住建局？可用“单位 列表”查看，管理员可用“单位 添加”登记。"},
			{"列表 属地:河口镇", "没有名为“河口镇”的属地。您是不是要找：河口街道？"},
		} {
			wantIn(t, h.reply(member, tt.text), tt.want)
		}
	})
}

// TestListLiaisonCountIsExact: a liaison's 共 N 件 counts every case of
// the unit (as 主责单位 or 属地), beyond the 500 the old list read per index.
func TestListLiaisonCountIsExact(t *testing.T) {
	if testing.Short() {
		t.Skip("registers 520 cases")
	}
	h := newHarness(t)
	for i := range 510 {
		h.newCase(fmt.Sprintf("案件%d 单位:区住建局", i))
	}
	for i := range 10 {
		h.newCase(fmt.Sprintf("属地案件%d 单位:区人社局 属地:区住建局", i))
	}
	h.newCase("别的单位 单位:区人社局")
	r := h.reply(liaison, "列表")
	wantIn(t, r, "在办案件（本单位）（共 520 件）", "只显示前 30 件")
	wantNotIn(t, r, "别的单位")
	if n := strings.Count(r, "XF-2026-"); n != 30 {
		t.Errorf("%d cases listed, want a page of 30", n)
	}
}
