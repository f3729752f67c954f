package main

import (
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/bot/larktest"
)

var dcNoRE = regexp.MustCompile(`DC-\d{4}-\d{4}`)

// TestE2ESupervision: through the fake Feishu and three replicas of serve
// sharing one Redis, a 督查单 is opened, started, reported, returned,
// reported again, verified and signed off, each step by whom it belongs to;
// a second one is left to go overdue while the scheduler's clock (requests
// keep real time) visits 10:00 on the days of its ladder: the last day,
// 催办, 通报, 约谈, 挂牌督办. Each rung reaches its recipients once, the
// group's 通报 and 挂牌督办 masked, however many scans of the three replicas
// see it; no other day brings anything.
func TestE2ESupervision(t *testing.T) {
	cst := time.FixedZone("CST", 8*3600)
	cal, err := xfbot.NewCalendar(xfbot.DefaultHolidayTables()...)
	if err != nil {
		t.Fatal(err)
	}
	var offset atomic.Int64
	prevNow := schedulerNow
	schedulerNow = func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
	t.Cleanup(func() { schedulerNow = prevNow })
	moveTo := func(d xfbot.Date) time.Time {
		at := d.Time(cst).Add(10 * time.Hour)
		offset.Store(int64(at.Sub(time.Now())))
		return at
	}
	realToday := xfbot.DateOf(time.Now(), cst)
	// Before anything is due: a day before the second item's last day.
	due := xfbot.RectifyDue(realToday, xfbot.DefaultRectifyDays, cal)
	moveTo(realToday)

	appID := uniqueAppID()
	fake := larktest.NewServer(larktest.WithApp(appID, e2eSecret))
	defer fake.Close()
	env := serveEnv(t, fake, appID)
	env["XFBOT_SCHEDULE_OVERDUE"] = "@every 1s"
	for _, k := range []string{"GROUP_DAILY", "RECEPTION", "LEADER_DIGEST", "GROUP_WEEKLY", "MONTHLY"} {
		env["XFBOT_SCHEDULE_"+k] = "0 0 1 1 *"
	}
	env["XFBOT_REMINDERS_STALE_DAYS"] = "0"
	var procs []*xfbotProc
	for i := 0; i < 3; i++ {
		e := map[string]string{}
		for k, v := range env {
			e[k] = v
		}
		e["XFBOT_HTTP_ADDR"] = freeAddr(t)
		procs = append(procs, startServe(t, e))
	}
	f := newFeishu(t, fake, procs[0], env)

	const insp, verifier, liaison = "ou_e2e_insp", "ou_e2e_verifier", "ou_e2e_liaison"
	say := func(from, text string, ms ...larktest.Mention) string {
		t.Helper()
		return shown(f.say(larktest.Message{ChatID: "oc_p2p_" + from, SenderOpenID: from, Text: text, Mentions: ms}).Content)
	}
	expect := func(from, cmd string, want ...string) string {
		t.Helper()
		got := say(from, cmd)
		for _, w := range want {
			if !strings.Contains(got, w) {
				t.Fatalf("%s: the reply lacks %q:\n%s", cmd, w, got)
			}
		}
		return got
	}
	for _, m := range []struct{ id, name, role string }{{insp, "赵建", "专班成员"}, {verifier, "钱秀兰", "专班成员"}, {liaison, "王联络", "联络员 区住建局"}} {
		if got := say(e2eAdmin, "成员 添加 @_user_1 "+m.role, larktest.Mention{Key: "@_user_1", OpenID: m.id, Name: m.name}); !strings.Contains(got, m.name) {
			t.Fatalf("成员 添加 %s: %s", m.name, got)
		}
	}
	to := func(id string) []larktest.Sent {
		var out []larktest.Sent
		for _, m := range fake.Messages() {
			if m.ReceiveID == id && m.ReplyTo == "" {
				out = append(out, m)
			}
		}
		return out
	}
	waitTo := func(id string, n int, what string) {
		t.Helper()
		for end := time.Now().Add(e2eWait); len(to(id)) < n; {
			if time.Now().After(end) {
				t.Fatalf("%s: %s got %d messages, want %d", what, id, len(to(id)), n)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}

	// The lifecycle, typed.
	got := expect(insp, "督查 交办 区住建局 措施不落实 过渡费未按期发放，信访人张三丰 13812345678 多次来电 要求:十个工作日内发放到位", "已交办督查单", "已私聊告知 1 位联络员")
	a := dcNoRE.FindString(got)
	waitTo(liaison, 1, "交办")
	expect(liaison, "督查 整改 "+a, "已开始整改")
	expect(liaison, "督查 报告 "+a+" 已发放 12 户", "已报整改")
	expect(liaison, "督查 核验 "+a+" 通过", "督查单的核验由专班督查专员办理。")
	expect(verifier, "督查 核验 "+a+" 退回 缺签收表", "已退回重新整改")
	expect(liaison, "督查 报告 "+a+" 已补齐签收表", "已报整改")
	expect(verifier, "督查 销号 "+a, "由专班负责人或督查专员 赵建 销号")
	expect(insp, "督查 核验 "+a+" 通过", "核验通过")
	expect(insp, "督查 销号 "+a, "已销号")
	expect(insp, "督查 查看 "+a, "已销号", "退回次数")

	// The second item goes overdue under the moved clock.
	b := dcNoRE.FindString(expect(insp, "督查 交办 区住建局 推诿扯皮 信访人张三丰反映相互推诿 要求:明确牵头单位", "整改期限 "+due.String()))
	remind := cal.WorkdaysAfter(due, 1)
	notice := cal.WorkdaysAfter(remind, xfbot.DefaultSupervisionLadder.NoticeAfter)
	interview := cal.WorkdaysAfter(notice, xfbot.DefaultSupervisionLadder.InterviewAfter)
	listed := cal.WorkdaysAfter(interview, xfbot.DefaultSupervisionLadder.ListedAfter)

	scansSince := func(at time.Time) int {
		n := 0
		for _, p := range procs {
			for _, m := range scanDone.FindAllStringSubmatch(p.Logs.String(), -1) {
				if slot, err := time.ParseInLocation(time.DateTime, m[1], cst); err == nil && !slot.Before(at.Truncate(time.Second)) {
					n++
				}
			}
		}
		return n
	}
	people := []string{insp, liaison, e2eAdmin, e2eGroup}
	// on moves the clock to 10:00 on day, waits for three scans and checks
	// that each of people got exactly want[i] more messages, each naming b
	// and the words of the rung.
	on := func(what string, day xfbot.Date, want map[string]int, words ...string) {
		t.Helper()
		before := map[string]int{}
		for _, p := range people {
			before[p] = len(to(p))
		}
		at := moveTo(day)
		for end := time.Now().Add(e2eWait); scansSince(at) < 3; {
			if time.Now().After(end) {
				t.Fatalf("%s (%s): fewer than 3 scans on the moved clock", what, day)
			}
			time.Sleep(50 * time.Millisecond)
		}
		for p, n := range want {
			waitTo(p, before[p]+n, what)
		}
		time.Sleep(300 * time.Millisecond) // what the last scans queued is delivered
		for _, p := range people {
			ms := to(p)[before[p]:]
			if len(ms) != want[p] {
				var texts []string
				for _, m := range ms {
					texts = append(texts, shown(m.Content))
				}
				t.Errorf("%s (%s): %s got %d messages, want %d:\n%s", what, day, p, len(ms), want[p], strings.Join(texts, "\n---\n"))
				continue
			}
			for _, m := range ms {
				text := shown(m.Content)
				if !strings.Contains(text, b) {
					t.Errorf("%s: the message to %s does not name %s:\n%s", what, p, b, text)
				}
				for _, w := range words {
					if p != e2eGroup && !strings.Contains(text, w) && p == insp {
						t.Errorf("%s: the message to %s lacks %q:\n%s", what, p, w, text)
					}
				}
				if p == e2eGroup && (strings.Contains(text, "13812345678") || strings.Contains(text, "张三丰") || strings.Contains(text, "相互推诿")) {
					t.Errorf("%s: the group reads the item's free text:\n%s", what, text)
				}
			}
		}
	}
	// What the commands queued is delivered before the clock moves.
	waitTo(liaison, 5, "交办, 退回, 核验通过, 销号 and the second 交办")
	for n := -1; n != len(fake.Messages()); {
		n = len(fake.Messages())
		time.Sleep(500 * time.Millisecond)
	}
	on("the day before", due.AddDays(-1), map[string]int{})
	on("the last day", due, map[string]int{insp: 1, liaison: 1}, "今天到期")
	on("催办", remind, map[string]int{insp: 1, liaison: 1}, "已催办")
	if d := cal.WorkdaysAfter(remind, 1); d.Before(notice) {
		on("between 催办 and 通报", d, map[string]int{})
	}
	on("通报", notice, map[string]int{insp: 1, liaison: 1, e2eGroup: 1}, "已在专班群通报")
	on("约谈", interview, map[string]int{e2eAdmin: 1, liaison: 1})
	on("挂牌督办", listed, map[string]int{e2eAdmin: 1, liaison: 1, e2eGroup: 1})
	on("after the ladder", cal.WorkdaysAfter(listed, 1), map[string]int{})

	view := expect(insp, "督查 查看 "+b, "挂牌督办", "催办", "通报", "约谈")
	_ = view
	expect(e2eAdmin, "统计 督查 本月", "退回")
}

// 演示数据 includes 督查单 in every state; the console lists them and the
// reminder scan takes the overdue one up its ladder.
func TestConsoleDemoSupervision(t *testing.T) {
	d := startConsole(t, nil)
	d.say(":time 2026-03-16 09:05")
	if out := d.say("演示数据"); !strings.Contains(out, "督查单 7 张") {
		t.Fatalf("演示数据:\n%s", out)
	}
	out := d.say("督查 列表 全部")
	for _, w := range []string{"DC-2026-0001", "区住建局", "已交办", "整改中", "已报整改", "核验通过", "已销号", "已逾期"} {
		if !strings.Contains(out, w) {
			t.Errorf("督查 列表 全部 lacks %q:\n%s", w, out)
		}
	}
	if out := d.say("统计 督查 本月"); !strings.Contains(out, "交办") || !strings.Contains(out, "退回") {
		t.Errorf("统计 督查:\n%s", out)
	}
	if out := d.say(":run overdue"); !strings.Contains(out, "已催办") {
		t.Errorf("the overdue demo item was not taken up its ladder:\n%s", out)
	}
}
