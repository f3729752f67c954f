package main

import (
	"encoding/json"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/bot/larktest"
)

// TestE2EPlan: 一案一策 through the fake Feishu. A plan is drafted for a
// case screened 部分合理 (症结, 目标日 and a soft measure), checked (the check
// says a hard measure is missing), completed with a hard measure for the
// unit (its liaison answers for it), approved by the lead; on the measure's
// day the scheduler's moved clock has the scan remind the liaison once, in
// a card with 完成; the liaison presses it, writes the note in its form and
// submits; the case's 包案人 is told, the case card shows the measures done
// and no reminder follows.
func TestE2EPlan(t *testing.T) {
	cst := time.FixedZone("CST", 8*3600)
	cal, err := xfbot.NewCalendar(xfbot.DefaultHolidayTables()...)
	if err != nil {
		t.Fatal(err)
	}
	today := xfbot.DateOf(time.Now(), cst)
	day := cal.WorkdaysAfter(today, 1) // the measure's day: a working day, reminded at 10:00

	var offset atomic.Int64 // the scheduler's clock: real time until moved
	prevNow := schedulerNow
	schedulerNow = func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
	t.Cleanup(func() { schedulerNow = prevNow })

	appID := uniqueAppID()
	fake := larktest.NewServer(larktest.WithApp(appID, e2eSecret))
	defer fake.Close()
	env := serveEnv(t, fake, appID)
	env["XFBOT_SCHEDULE_OVERDUE"] = "@every 1s"
	for _, k := range []string{"GROUP_DAILY", "RECEPTION", "LEADER_DIGEST", "GROUP_WEEKLY", "MONTHLY"} {
		env["XFBOT_SCHEDULE_"+k] = "0 0 1 1 *"
	}
	env["XFBOT_REMINDERS_STALE_DAYS"] = "0"
	p := startServe(t, env)
	f := newFeishu(t, fake, p, env)

	const adminChat, liaisonChat = "oc_e2e_admin_p2p", "oc_e2e_liaison_p2p"
	const liaison, owner = "ou_e2e_liaison_zjj", "ou_e2e_owner"
	say := func(text string, ms ...larktest.Mention) string {
		t.Helper()
		return shown(f.say(larktest.Message{ChatID: adminChat, Text: text, Mentions: ms}).Content)
	}
	expect := func(cmd string, want ...string) string {
		t.Helper()
		got := say(cmd)
		for _, w := range want {
			if !strings.Contains(got, w) {
				t.Fatalf("%s: the reply lacks %q:\n%s", cmd, w, got)
			}
		}
		return got
	}
	to := func(id string) []larktest.Sent {
		var out []larktest.Sent
		for _, m := range fake.Messages() {
			if m.ReceiveIDType == "open_id" && m.ReceiveID == id {
				out = append(out, m)
			}
		}
		return out
	}

	say("成员 添加 @_user_1 联络员 区住建局", larktest.Mention{OpenID: liaison, Name: "钱某"})
	say("成员 添加 @_user_1 专班成员", larktest.Mention{OpenID: owner, Name: "李承办"})
	no := caseNoRE.FindString(say("新建 桂园社区回迁安置房延期交付 类别:征地拆迁 属地:云溪街道 单位:区住建局 信访人:张建国"))
	if no == "" {
		t.Fatal("新建 registered nothing")
	}
	say("指派 "+no+" @_user_1", larktest.Mention{OpenID: owner, Name: "李承办"})
	expect("甄别 "+no+" 部分合理", "部分合理")

	// Drafted and checked: a reasonable demand needs a hard measure.
	expect("方案 起草 "+no+" 症结:开发商资金链断裂致回迁房延期 依据:区征收补偿方案 目标:案结事了 目标日:"+day.AddDays(30).String(), "起草方案 v1")
	expect("方案 措施 "+no+" 软:疏导 包案人上门释法明理 期限:"+day.AddDays(10).String(), "措施 1【软·疏导】", "负责人：李承办")
	expect("方案 检查 "+no, "还不能批准", "甄别为部分合理：诉求合理的要解决问题到位，方案至少要有一项解决问题的硬手段")
	expect("方案 批准 "+no, "还不能批准")
	// The contract the 会诊 feature runs.
	expect("方案 措施 "+no+" 硬:政策 按回迁安置政策补足过渡费 单位:区住建局 期限:"+day.String(), "措施 2【硬·政策】", "负责人：钱某（区住建局联络员）")
	expect("方案 检查 "+no, "✅", "可以提交批准")
	expect("方案 批准 "+no, "批准方案 v1（2 项措施")
	if _, ok := fake.WaitFor(func(s larktest.Sent) bool {
		return s.ReceiveID == liaison && strings.Contains(shown(s.Content), "以下措施由您负责") && strings.Contains(shown(s.Content), "按回迁安置政策补足过渡费")
	}, e2eWait); !ok {
		t.Fatal("the liaison was not told of the approved measure")
	}
	expect("查看 "+no, "已批准 v1 · 待办 2/2 项")

	// The measure's day: one reminder to the liaison, with 完成.
	before := len(to(liaison))
	at := day.Time(cst).Add(10 * time.Hour)
	offset.Store(int64(time.Until(at)))
	var rem larktest.Sent
	for end := time.Now().Add(e2eWait); ; {
		if ms := to(liaison); len(ms) > before {
			rem = ms[before]
			break
		}
		if time.Now().After(end) {
			t.Fatal("no reminder to the liaison on the measure's day")
		}
		time.Sleep(50 * time.Millisecond)
	}
	text := shown(rem.Content)
	for _, w := range []string{no, "方案措施 2【硬·政策】按回迁安置政策补足过渡费", "今天到期"} {
		if !strings.Contains(text, w) {
			t.Errorf("the reminder lacks %q:\n%s", w, text)
		}
	}
	var done map[string]any
	for _, b := range cardButtons(t, rem.Content) {
		if b.Value["a"] == "plan.done.form" {
			done = b.Value
		}
	}
	if done == nil || done["no"] != no || done["n"] != "2" {
		t.Fatalf("the reminder has no 完成 button for measure 2: %v\n%s", done, text)
	}
	// Several scans later, still one reminder.
	for end := time.Now().Add(3 * time.Second); time.Now().Before(end); {
		time.Sleep(100 * time.Millisecond)
	}
	if n := len(to(liaison)) - before; n != 1 {
		t.Errorf("%d reminders to the liaison, want 1", n)
	}

	// 完成: the button opens the form, its submit records the note.
	body := f.deliver(larktest.CardActionEvent(larktest.CardAction{OperatorOpenID: liaison, MessageID: rem.MessageID, ChatID: liaisonChat,
		Value: done, Token: e2eToken, AppID: f.appID}))
	if !strings.Contains(string(body), "plan.done") || !strings.Contains(string(body), "措施 2 完成情况") {
		t.Fatalf("完成 did not open the form: %s", body)
	}
	submit := map[string]any{}
	for k, v := range done {
		submit[k] = v
	}
	submit["a"] = "plan.done"
	body = f.deliver(larktest.CardActionEvent(larktest.CardAction{OperatorOpenID: liaison, MessageID: rem.MessageID, ChatID: liaisonChat,
		Value: submit, FormValue: map[string]any{"note": "过渡费差额已发放到位，信访人签收"}, Token: e2eToken, AppID: f.appID}))
	var resp struct {
		Toast struct {
			Content string `json:"content"`
		} `json:"toast"`
	}
	if err := json.Unmarshal(body, &resp); err != nil {
		t.Fatalf("callback body: %v: %s", err, body)
	}
	if !strings.Contains(resp.Toast.Content, "措施 2 已完成；还有 1 项待办") {
		t.Errorf("the submit's toast: %q (%s)", resp.Toast.Content, body)
	}
	if _, ok := fake.WaitFor(func(s larktest.Sent) bool {
		return s.ReceiveID == owner && strings.Contains(shown(s.Content), "钱某 登记 "+no+" 方案措施 2 完成：过渡费差额已发放到位")
	}, e2eWait); !ok {
		t.Error("the 包案人 was not told of the completion")
	}
	expect("查看 "+no, "已批准 v1 · 待办 1/2 项 · 下一项：措施 1")
	expect("方案 查看 "+no, "过渡费差额已发放到位，信访人签收", "✅")
	expect("历史 "+no, "批准方案 v1", "方案措施 2 完成（硬·政策）")
	n := len(to(liaison))
	time.Sleep(2 * time.Second)
	if len(to(liaison)) != n {
		t.Errorf("the liaison was reminded again after 完成")
	}
}

// TestConsoleDemoPlans: 演示数据 includes plans in every state, so the
// console shows them at once: one waiting for approval in 方案 列表, an
// approved one with its next measure on its case card, the check's
// refusal of a draft without a hard measure.
func TestConsoleDemoPlans(t *testing.T) {
	d := startConsole(t, nil)
	d.say(":time 2026-03-16 09:05")
	if out := d.say("演示数据"); !strings.Contains(out, "4 份一案一策方案") {
		t.Fatalf("演示数据 wrote no plans:\n%s", out)
	}
	list := d.say("方案 列表")
	if !strings.Contains(list, "待批准的方案") || !strings.Contains(list, "待您审定") {
		t.Fatalf("方案 列表 shows no plan waiting:\n%s", list)
	}
	pending := caseNoRe.FindString(list)
	if card := d.say("方案 查看 " + pending); !strings.Contains(card, "待批") || !strings.Contains(card, "[批准]") || !strings.Contains(card, "可以批准") {
		t.Errorf("the plan waiting for approval:\n%s", card)
	}
	var approved, draft string
	// The demo plans are on the first cases that fit; find them by their cards.
	for i := 1; i <= 40 && (approved == "" || draft == ""); i++ {
		no := xfbot.FormatCaseNo(2026, i)
		card := d.say("查看 " + string(no))
		switch {
		case approved == "" && strings.Contains(card, "方案：已批准 v1 · 待办 2/3 项"):
			approved = string(no)
			if !strings.Contains(card, "下一项：措施 2") || !strings.Contains(card, "已超期 2 天") {
				t.Errorf("the approved plan's next measure on the case card:\n%s", card)
			}
		case draft == "" && strings.Contains(card, "方案：草稿 v1"):
			draft = string(no)
		}
	}
	if approved == "" || draft == "" {
		t.Fatalf("demo cases with an approved plan (%q) and a draft (%q) not found", approved, draft)
	}
	if out := d.say("方案 检查 " + draft); !strings.Contains(out, "还不能批准") || !strings.Contains(out, "硬手段") {
		t.Errorf("the draft's check:\n%s", out)
	}
}
