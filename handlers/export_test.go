package handlers_test

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/bot"
	"github.com/qingchuan/xfbot/store"
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
	value := confirmValue(t, out[0])
	value["month"], value["unit"] = "2026-02", "区住建局"
	resp := h.clickValue(admin, bot.ActionExportFull, value)
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
		{"NoLedger", member, "导出", "“导出”后面应写 台账"},
		{"WrongObject", member, "导出 报表", "没有“导出 报表”"},
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

// tasks are the export tasks queued so far, oldest first.
func (h *harness) tasks() []store.Task {
	h.t.Helper()
	es, err := h.rdb.XRange(context.Background(), "{"+h.prefix+"}:v1:tasks", "-", "+").Result()
	if err != nil {
		h.t.Fatal(err)
	}
	var out []store.Task
	for _, e := range es {
		var t store.Task
		s, _ := e.Values["m"].(string)
		if err := json.Unmarshal([]byte(s), &t); err != nil {
			h.t.Fatal(err)
		}
		out = append(out, t)
	}
	return out
}

// confirmValue is the value of the buttons of the confirmation card in a
// queued message.
func confirmValue(t *testing.T, om store.OutboundMessage) map[string]string {
	t.Helper()
	m := regexp.MustCompile(`"cf":"([0-9a-f]+)"`).FindStringSubmatch(om.Content)
	if m == nil {
		t.Fatalf("no confirmation id in the card: %s", om.Content)
	}
	return map[string]string{"cf": m[1]}
}

// TestExportButtons: the confirmation card's buttons are checked by the
// command's own rule, whatever their value names, and 确认完整导出 acts
// once per card however often it is pressed (issue 9, points 9 and 10).
func TestExportButtons(t *testing.T) {
	h := newHarness(t)
	for _, u := range []string{"区住建局", "区住建局", "区人社局", "区人社局", "区人社局"} {
		h.newCase("欠薪 单位:" + u)
	}
	// The admin asks for the whole district's full ledger in the group: the
	// card with both buttons is there for everyone to press.
	out := h.say(admin, "导出 台账 完整", msg{group: true})
	if len(out) != 1 || !strings.Contains(out[0].Content, bot.ActionExportMasked) {
		t.Fatalf("no confirmation card: %v", out)
	}
	card := confirmValue(t, out[0])
	with := func(kv ...string) map[string]string {
		v := map[string]string{}
		for k, x := range card {
			v[k] = x
		}
		for i := 0; i+1 < len(kv); i += 2 {
			v[kv[i]] = kv[i+1]
		}
		return v
	}

	for _, tt := range []struct {
		name   string
		who    xfbot.Person
		action string
		value  map[string]string
		toast  string
	}{
		{"ViewerPressesMasked", viewer, bot.ActionExportMasked, with(), "观察员不能导出台账"},
		{"ViewerForgesUnit", viewer, bot.ActionExportMasked, with("unit", "区住建局"), "观察员不能导出台账"},
		{"LiaisonNamesAnotherUnit", liaison, bot.ActionExportMasked, with("unit", "区人社局"), "只能导出本单位（区住建局）"},
		{"LiaisonForgesFull", liaison, bot.ActionExportFull, with("unit", "区住建局"), "仅限专班管理员"},
		{"MemberPressesFull", member, bot.ActionExportFull, with(), "仅限专班管理员"},
		{"StrangerPressesMasked", stranger, bot.ActionExportMasked, with(), "还不是专班成员"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := len(h.tasks())
			resp := h.clickValue(tt.who, tt.action, tt.value)
			if resp == nil || !strings.Contains(resp.Toast, tt.toast) {
				t.Errorf("response %+v, want a toast with %q", resp, tt.toast)
			}
			if n := len(h.tasks()); n != before {
				t.Errorf("%d task(s) queued by a refused press", n-before)
			}
		})
	}

	t.Run("LiaisonPressesMaskedGetsOwnUnit", func(t *testing.T) {
		before := len(h.tasks())
		resp := h.clickValue(liaison, bot.ActionExportMasked, with())
		ts := h.tasks()
		if len(ts) != before+1 {
			t.Fatalf("%d tasks queued, want 1 (%+v)", len(ts)-before, resp)
		}
		if got := ts[len(ts)-1]; got.Args["unit"] != "区住建局" || got.Args["full"] != "" || got.By.OpenID != liaison.OpenID {
			t.Errorf("task %+v, want the masked ledger of 区住建局 for the liaison", got)
		}
		// Pressed again, through another event: nothing more.
		h.clickValue(liaison, bot.ActionExportMasked, with())
		if n := len(h.tasks()); n != before+1 {
			t.Errorf("a second press queued %d more", n-before-1)
		}
	})

	t.Run("FullConfirmedTwiceExportsOnce", func(t *testing.T) {
		before := len(h.tasks())
		first := h.clickValue(admin, bot.ActionExportFull, with())
		second := h.clickValue(admin, bot.ActionExportFull, with())
		ts := h.tasks()
		if len(ts) != before+1 {
			t.Fatalf("%d tasks queued by two presses, want 1", len(ts)-before)
		}
		if got := ts[len(ts)-1]; got.Args["full"] != "1" || got.Args["unit"] != "" || got.By.OpenID != admin.OpenID {
			t.Errorf("task %+v, want the district's full ledger for the admin", got)
		}
		if first.Card == nil || second == nil || !strings.Contains(second.Toast, "已确认过") {
			t.Errorf("responses %+v then %+v", first, second)
		}
		audit, err := h.rdb.XRange(context.Background(), h.auditKey(), "-", "+").Result()
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, e := range audit {
			if s, _ := e.Values["m"].(string); strings.Contains(s, "完整导出台账") {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%d audit entries for one full export", n)
		}
	})

	t.Run("CardWithoutConfirmationIdOnceByMessage", func(t *testing.T) {
		before := len(h.tasks())
		h.clickValue(admin, bot.ActionExportFull, map[string]string{}) // message om_card
		h.clickValue(admin, bot.ActionExportFull, map[string]string{})
		if n := len(h.tasks()); n != before+1 {
			t.Errorf("two presses on one card message queued %d tasks, want 1", n-before)
		}
		req := &bot.Request{EventID: "card:nomsg", ChatID: "oc_p2p_" + admin.OpenID, Sender: admin, Time: h.now, Via: bot.ViaCard,
			Action: &bot.Action{Name: bot.ActionExportFull, Value: map[string]string{"a": bot.ActionExportFull}}}
		resp, err := h.mux.ServeAction(context.Background(), req)
		if err != nil || resp == nil || !strings.Contains(resp.Toast, "按钮已失效") {
			t.Errorf("a full export with no confirmation at all: %+v, %v", resp, err)
		}
		if n := len(h.tasks()); n != before+1 {
			t.Errorf("it queued a task")
		}
	})

	t.Run("AnotherConfirmationIsAnotherExport", func(t *testing.T) {
		before := len(h.tasks())
		out := h.say(admin, "导出 台账 完整")
		h.clickValue(admin, bot.ActionExportFull, confirmValue(t, out[0]))
		if n := len(h.tasks()); n != before+1 {
			t.Errorf("a new confirmation queued %d tasks, want 1", n-before)
		}
	})

	t.Run("LiaisonEstimateWithinOwnUnit", func(t *testing.T) {
		wantIn(t, h.reply(liaison, "导出 台账"), "区住建局 台账（脱敏），约 2 件案件")
		wantIn(t, h.reply(member, "导出 台账 单位:区人社局"), "区人社局 台账（脱敏），约 3 件案件")
		wantIn(t, h.reply(member, "导出 台账"), "全部案件 台账（脱敏），约 5 件案件")
	})
}
