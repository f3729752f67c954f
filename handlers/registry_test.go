package handlers_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/qingchuan/xfbot"
)

// withRegistry registers the 青川区 units and localities the tests use.
func withRegistry(t *testing.T, h *harness) {
	t.Helper()
	for _, cmd := range []string{
		"单位 添加 区住建局 区直部门 别名:住建局,住建",
		"单位 添加 区人社局 别名:人社局",
		"单位 添加 区城管局 别名:综合执法局",
		"属地 添加 云溪街道",
		"属地 添加 河口街道 别名:河口",
		"属地 添加 青峰镇",
	} {
		wantIn(t, h.reply(admin, cmd), "✅ 已登记")
	}
}

func TestRegistryCommands(t *testing.T) {
	t.Run("AddAndList", func(t *testing.T) {
		h := newHarness(t)
		r := h.reply(admin, "单位 添加 区住建局 区直部门 别名:住建局,住建")
		if want := "✅ 已登记单位：区住建局（别名：住建局、住建）\n名录已启用：今后主责单位、属地须按名录填写。"; r != want {
			t.Errorf("reply = %q, want %q", r, want)
		}
		wantIn(t, h.reply(admin, "属地 添加 河口街道 别名:河口"), "✅ 已登记属地：河口街道（别名：河口）")
		r = h.reply(member, "单位 列表")
		wantIn(t, r, "单位名录（共 2 个）", "区直部门：", "· 区住建局（别名：住建局、住建）", "街道：", "· 河口街道（别名：河口）")
		wantIn(t, h.reply(member, "单位"), "单位名录（共 2 个）") // the group alone lists
		r = h.reply(member, "属地 列表")
		wantIn(t, r, "属地名录（共 1 个）", "河口街道")
		wantNotIn(t, r, "区住建局")
	})
	t.Run("FirstUnitAdoptsNamesInUse", func(t *testing.T) {
		h := newHarness(t)
		h.newCase("欠薪 单位:区人社局")
		wantIn(t, h.reply(admin, "单位 添加 区住建局"), "台账中已用的 1 个单位名称也已登记")
		wantIn(t, h.reply(member, "单位 列表"), "区人社局", "区住建局")
	})
	t.Run("EmptyRegistryTakesNamesAsWritten", func(t *testing.T) {
		h := newHarness(t)
		wantIn(t, h.reply(member, "单位 列表"), "名录里还没有单位：单位暂按所写名称登记。")
		wantIn(t, h.reply(member, "新建 欠薪 单位:区某某局"), "已登记")
	})
	t.Run("Refusals", func(t *testing.T) {
		h := newHarness(t)
		withRegistry(t, h)
		tests := []struct {
			name string
			who  xfbot.Person
			text string
			want string
		}{
			{"NotAdmin", member, "单位 添加 区教育局", "只有专班管理员可以维护名录（单位、属地、类别）。您可以发送“单位 列表”查看已登记的名称。"},
			{"Taken", admin, "单位 添加 住建局", "“住建局”已经是单位“区住建局”的名称或别名。"},
			{"AliasTaken", admin, "单位 别名 区人社局 住建", "“住建”已经是单位“区住建局”的名称或别名。"},
			{"BadKind", admin, "单位 添加 区教育局 部委", "类型“部委”不认识，可选：区直部门、街道、镇、市直单位、专班、其他。"},
			{"AreaIsLocality", admin, "属地 添加 区教育局 区直部门", "属地是街道或镇，“区直部门”不是。"},
			{"RenameUsage", admin, "单位 改名 区住建局", "请写旧名称和新名称：单位 改名 <旧名称> <新名称>"},
			{"AliasOfUnknown", admin, "单位 别名 区教育局 教育", "没有名为“区教育局”的单位。可用“单位 列表”查看，管理员可用“单位 添加”登记。"},
			{"UnknownSub", member, "单位 删除", "案件号“删除”格式不对"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				wantIn(t, h.reply(tt.who, tt.text), tt.want)
			})
		}
	})
}

func TestRegistryResolution(t *testing.T) {
	h := newHarness(t)
	withRegistry(t, h)
	t.Run("NewCaseResolves", func(t *testing.T) {
		no := h.newCase("回迁房延期 单位:住建局 属地:河口 类别:劳动争议")
		c := h.load(no)
		if c.Unit != "区住建局" || c.Area != "河口街道" || c.Category != "labor_social" {
			t.Errorf("stored %q %q %q, want the canonical names", c.Unit, c.Area, c.Category)
		}
	})
	t.Run("NewCaseRefusesUnknown", func(t *testing.T) {
		for _, tt := range []struct{ text, want string }{
			{"新建 欠薪 单位:住建厅", "没有名为“住建厅”的单位。您是不是要找：区住建局？可用“单位 列表”查看，管理员可用“单位 添加”登记。"},
			{"新建 欠薪 属地:河口镇", "没有名为“河口镇”的属地。您是不是要找：河口街道？可用“属地 列表”查看，管理员可用“属地 添加”登记。"},
			{"新建 欠薪 属地:区住建局", "没有名为“区住建局”的属地。可用“属地 列表”查看，管理员可用“属地 添加”登记。"},
			{"新建 欠薪 类别:住房问题", "没有名为“住房问题”的类别。您是不是要找：住房保障？可选：征地拆迁、劳动社保"},
		} {
			if r := h.reply(member, tt.text); !strings.HasPrefix(r, tt.want) {
				t.Errorf("%s:\n got %q\nwant %q…", tt.text, r, tt.want)
			}
		}
		if _, total, _ := listAll(h); total != 1 {
			t.Errorf("%d cases after refusals, want 1: nothing written", total)
		}
	})
	t.Run("SetPlaceResolves", func(t *testing.T) {
		no := string(h.newCase("噪声扰民 单位:区城管局"))
		wantIn(t, h.reply(member, "单位 "+no+" 综合执法局"), "已经是“区城管局”")
		wantIn(t, h.reply(member, "单位 "+no+" 人社局"), "✅ 主责单位：区人社局")
		wantIn(t, h.reply(member, "属地 "+no+" 青峰"), "没有名为“青峰”的属地。您是不是要找：青峰镇？")
		wantIn(t, h.reply(member, "属地 设定 "+no+" 青峰镇"), "✅ 属地：青峰镇")
	})
	t.Run("LiaisonUnitResolves", func(t *testing.T) {
		wantIn(t, h.reply(admin, "成员 添加 @路人 联络员 住建", msg{mentions: []xfbot.Person{stranger}}), "✅ 已将 路人 设为联络员（区住建局）。")
		wantIn(t, h.reply(admin, "成员 添加 @路人 联络员 住建厅", msg{mentions: []xfbot.Person{stranger}}), "没有名为“住建厅”的单位。您是不是要找：区住建局？")
	})
	t.Run("ExportAndStatsResolve", func(t *testing.T) {
		wantIn(t, h.reply(member, "导出 台账 单位:住建"), "区住建局 台账（脱敏）")
		wantIn(t, h.reply(member, "导出 台账 单位:住建厅"), "没有名为“住建厅”的单位。")
		r := h.reply(leader, "统计 本月 单位:人社局")
		wantIn(t, r, "区人社局：存量 0，增量 1")
		wantNotIn(t, r, "区住建局：")
		wantIn(t, h.reply(leader, "统计 单位:劳动局"), "没有名为“劳动局”的单位。")
	})
	t.Run("CategoryCommands", func(t *testing.T) {
		wantIn(t, h.reply(admin, "类别 添加 物业纠纷 别名:物业,维修基金"), "✅ 已登记类别：物业纠纷（别名：物业、维修基金）")
		wantIn(t, h.reply(admin, "类别 别名 住房保障 公房"), "✅ 住房保障（别名：住房、保障房、公租房、公房）")
		no := h.newCase("电梯维修 类别:维修基金")
		if c := h.load(no); c.Category != "物业纠纷" {
			t.Errorf("category = %q", c.Category)
		}
		wantIn(t, h.reply(member, "类别"), "类别名录（共 11 个）", "· 劳动社保（别名：劳动、社保、劳动争议", "· 物业纠纷")
	})
}

// TestUnitRename: figures and lists keep a unit's history under its new
// name; the old name still resolves; liaisons move with the unit.
func TestUnitRename(t *testing.T) {
	h := newHarness(t)
	withRegistry(t, h)
	old := string(h.newCase("改名前登记 单位:区住建局 受理:2026-01-05 期限:2026-03-10"))
	r := h.reply(admin, "单位 改名 区住建局 区住房和城乡建设局")
	want := "✅ 已将单位“区住建局”改名为“区住房和城乡建设局”。原名称保留为曾用名：已登记的案件和统计数字仍算在该单位名下，输入原名称也能找到。\n1 位成员的所在单位已随之改为“区住房和城乡建设局”。"
	if r != want {
		t.Errorf("reply = %q\nwant %q", r, want)
	}
	fresh := string(h.newCase("改名后登记 单位:住建"))
	if c := h.load(xfbot.CaseNo(fresh)); c.Unit != "区住房和城乡建设局" {
		t.Errorf("new case stored %q", c.Unit)
	}
	r = h.reply(member, "列表 单位:区住建局")
	wantIn(t, r, "主责单位：区住房和城乡建设局（共 2 件）", old, fresh)
	r = h.reply(leader, "统计 本月 单位")
	wantIn(t, r, "区住房和城乡建设局：存量 0，增量 2")
	wantNotIn(t, r, "区住建局：")
	wantIn(t, h.reply(liaison, "列表"), "（本单位）（共 2 件）", fresh)
	wantIn(t, h.reply(member, "单位 列表"), "区住房和城乡建设局（别名：住建局、住建；曾用名：区住建局）")
	m, err := h.st.Members(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range m {
		if x.OpenID == liaison.OpenID && x.Unit != "区住房和城乡建设局" {
			t.Errorf("liaison's unit = %q", x.Unit)
		}
	}
}

// TestUnitFormerNames: after 改名 the unit's liaison keeps everything
// written under the old name — cases (查看, 列表, 搜索, 工作台), the export's
// estimate, 督查单 and their figures — and a member record written before
// the liaison's unit learned its former names is brought up to date at
// start (store.SyncMemberUnits).
func TestUnitFormerNames(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t)
	withRegistry(t, h)
	old := string(h.newCase("回迁安置房延期交付 单位:区住建局 受理:2026-03-01"))
	other := string(h.newCase("欠薪 单位:区人社局"))
	item := h.openItem(member, "区住建局 措施不落实 桂园社区过渡费未按期发放 要求:十个工作日内发放到位")
	wantIn(t, h.reply(admin, "单位 改名 区住建局 区住房和城乡建设局"), "1 位成员的所在单位已随之改为“区住房和城乡建设局”")

	check := func(t *testing.T) {
		t.Helper()
		wantIn(t, h.reply(liaison, "查看 "+old), old, "回迁安置房延期交付")
		wantIn(t, h.reply(liaison, "查看 "+other), "无权")
		wantIn(t, h.reply(liaison, "搜索 回迁安置"), old)
		wantIn(t, h.reply(liaison, "列表"), "（本单位）（共 1 件）", old)
		wantIn(t, h.reply(liaison, "导出 台账"), "约 1 件案件")
		wantIn(t, h.reply(liaison, "导出 台账 单位:区住建局"), "约 1 件案件")
		wantIn(t, h.reply(liaison, "导出 台账 单位:区人社局"), "只能导出本单位（区住房和城乡建设局）")
		wantIn(t, h.reply(liaison, "督查 列表"), item)
		wantIn(t, h.reply(liaison, "督查 查看 "+item), item, "桂园社区过渡费未按期发放")
		wantIn(t, h.reply(member, "督查 列表 单位:区住房和城乡建设局"), item)
		r := h.reply(leader, "统计 督查")
		wantIn(t, r, "区住房和城乡建设局")
		wantNotIn(t, r, "区住建局：")
	}
	t.Run("AfterRename", check)

	// A record as a release before former names wrote it: the new name,
	// no former ones. The liaison loses the old cases until the start
	// brings the record up to date.
	tx := h.st.NewTx()
	tx.PutMember(xfbot.Member{OpenID: liaison.OpenID, Name: liaison.Name, Role: xfbot.RoleLiaison, Unit: "区住房和城乡建设局"})
	if _, err := h.st.Commit(ctx, tx); err != nil {
		t.Fatal(err)
	}
	wantIn(t, h.reply(liaison, "查看 "+old), "无权")
	n, err := h.st.SyncMemberUnits(ctx)
	if err != nil || n != 1 {
		t.Fatalf("SyncMemberUnits = %d, %v; want 1", n, err)
	}
	if n, err := h.st.SyncMemberUnits(ctx); err != nil || n != 0 {
		t.Errorf("a second SyncMemberUnits = %d, %v; want 0", n, err)
	}
	t.Run("AfterSync", check)
}

// TestUnitMerge: 单位 合并 folds a record seeded from another spelling into
// the one kept; the cases, items, figures and liaisons of both are the
// kept one's, and the merged name still resolves.
func TestUnitMerge(t *testing.T) {
	h := newHarness(t)
	// Two spellings of one bureau, both on the ledger before the registry
	// was kept: the first 单位 添加 adopts both as records.
	a := string(h.newCase("物业维修基金 单位:住建局"))
	b := string(h.newCase("回迁安置 单位:区住建局"))
	wantIn(t, h.reply(admin, "单位 添加 区人社局"), "台账中已用的 2 个单位名称也已登记")
	wantIn(t, h.reply(member, "单位 列表"), "住建局", "区住建局")

	tests := []struct {
		name string
		who  xfbot.Person
		text string
		want string
	}{
		{"NotAdmin", member, "单位 合并 住建局 区住建局", "管理员"},
		{"Usage", admin, "单位 合并 住建局", "请写要并掉的名称和保留的名称：单位 合并 <并掉的名称> <保留的名称>"},
		{"Same", admin, "单位 合并 区住建局 区住建局", "是同一个单位（区住建局），不用合并"},
		{"Unknown", admin, "单位 合并 区教育局 区住建局", "没有名为“区教育局”的单位"},
		{"Category", admin, "类别 合并 劳动 其他", "合并"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { wantIn(t, h.reply(tt.who, tt.text), tt.want) })
	}

	r := h.reply(admin, "单位 合并 住建局 区住建局")
	want := "✅ 已将单位“住建局”并入“区住建局”。“住建局”保留为曾用名：按它登记的案件、督查单和统计数字都算在“区住建局”名下，输入它也能找到“区住建局”。"
	if r != want {
		t.Errorf("reply = %q\nwant %q", r, want)
	}
	r = h.reply(member, "单位 列表")
	wantIn(t, r, "单位名录（共 2 个）", "区住建局（曾用名：住建局）")
	wantIn(t, h.reply(member, "列表 单位:住建局"), "主责单位：区住建局（共 2 件）", a, b)
	wantIn(t, h.reply(leader, "统计 本月 单位"), "区住建局：存量 0，增量 2")
	// The liaison of 区住建局 (the harness's) now sees the merged one's case.
	wantIn(t, h.reply(liaison, "查看 "+a), a, "物业维修基金")
	wantIn(t, h.reply(liaison, "列表"), "（本单位）（共 2 件）")
	audit, err := h.rdb.XRange(context.Background(), h.auditKey(), "-", "+").Result()
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(audit); !strings.Contains(got, "单位合并") {
		t.Errorf("audit = %s, want 单位合并", got)
	}
	wantIn(t, h.reply(admin, "单位 合并 住建局 区住建局"), "是同一个单位（区住建局），不用合并")
}
