package handlers_test

import (
	"context"
	"strings"
	"testing"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/bot"
)

// TestExportCommand: 导出 台账 queues a masked export at once, asks an
// admin to confirm a full one (and audits it when confirmed), keeps a
// liaison to the own unit and a viewer out, and explains bad input.
func TestExportCommand(t *testing.T) {
	h := newHarness(t)
	h.newCase("欠薪 单位:区人社局")
	ctx := context.Background()
	pending := func() int64 {
		n, err := h.st.PendingTasks(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}

	wantIn(t, h.reply(member, "导出 台账 2026-03"), "正在生成2026年3月 台账（脱敏），约 1 件案件，完成后私聊发送")
	if pending() != 1 {
		t.Fatalf("tasks: %d", pending())
	}
	wantIn(t, h.reply(member, "导出 台账", msg{group: true}), "文件将私聊发送给 赵建")

	out := h.say(admin, "导出 台账 上月 单位：区住建局 完整")
	if len(out) != 1 || !strings.Contains(out[0].Content, bot.ActionExportFull) {
		t.Fatalf("no confirmation card: %v", out)
	}
	wantIn(t, out[0].Text, "确认完整导出", "2026年2月 区住建局 台账（完整）", "审计日志")
	if pending() != 2 {
		t.Fatalf("a full export was queued before confirmation")
	}
	resp := h.clickValue(admin, bot.ActionExportFull, map[string]string{"month": "2026-02", "unit": "区住建局"})
	if resp == nil || pending() != 3 {
		t.Fatalf("confirming did not queue the export: %v, %d tasks", resp, pending())
	}
	h.drain()
	audit, err := h.rdb.XRange(ctx, h.auditKey(), "-", "+").Result()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range audit {
		if s, _ := e.Values["m"].(string); strings.Contains(s, "完整导出台账") && strings.Contains(s, "2026年2月 区住建局 台账（完整）") {
			found = true
		}
	}
	if !found {
		t.Errorf("no audit entry for the full export: %v", audit)
	}
	// A member pressing the same button is refused.
	h.clickValue(member, bot.ActionExportFull, map[string]string{})
	if pending() != 3 {
		t.Errorf("a member's click queued a full export")
	}

	for _, tt := range []struct {
		name string
		who  xfbot.Person
		text string
		want string
	}{
		{"NoLedger", member, "导出", "请写：导出 台账"},
		{"WrongObject", member, "导出 报表", "请写：导出 台账"},
		{"BadMonth", member, "导出 台账 2026-13", "月份写成 2026-03"},
		{"Future", member, "导出 台账 2027-01", "还没有到"},
		{"NextMonth", member, "导出 台账 下月", "还没有到"},
		{"TwoMonths", member, "导出 台账 2026-01 2026-02", "多余的内容“2026-02”"},
		{"EmptyUnit", member, "导出 台账 单位:", "单位写一个"},
		{"MemberFull", member, "导出 台账 完整", "仅限专班管理员"},
		{"Viewer", viewer, "导出 台账", "观察员不能导出台账"},
		{"LiaisonOtherUnit", liaison, "导出 台账 单位:区人社局", "只能导出本单位（区住建局）"},
		{"Stranger", stranger, "导出 台账", "还不是专班成员"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := pending()
			wantIn(t, h.reply(tt.who, tt.text), tt.want)
			if pending() != before {
				t.Errorf("a refused export was queued")
			}
		})
	}
	wantIn(t, h.reply(liaison, "导出 台账"), "区住建局 台账（脱敏）")
}
