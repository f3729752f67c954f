package handlers_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/bot"
	"github.com/qingchuan/xfbot/handlers"
	"github.com/qingchuan/xfbot/internal/testredis"
	"github.com/qingchuan/xfbot/store"
)

var jfRE = regexp.MustCompile(`JF-\d{4}-\d{4}`)
var lxRE = regexp.MustCompile(`LX-\d{4}-\d{4}`)

// schedule has member schedule a reception for leader and returns its id.
func (h *harness) schedule(text string) xfbot.ReceptionID {
	h.t.Helper()
	r := h.reply(member, "接访 安排 @周某 "+text, msg{mentions: []xfbot.Person{leader}})
	id := jfRE.FindString(r)
	if id == "" {
		h.t.Fatalf("no reception id in %q", r)
	}
	return xfbot.ReceptionID(id)
}

func (h *harness) reception(id xfbot.ReceptionID) *store.ReceptionView {
	h.t.Helper()
	v, err := h.st.Reception(context.Background(), id)
	if err != nil || v == nil {
		h.t.Fatalf("reception %s: %v", id, err)
	}
	return v
}

// The harness's day is Monday 2026-03-16.
func TestReceptionSchedule(t *testing.T) {
	t.Run("SchedulesNotifiesLeaderAndListsInRoster", func(t *testing.T) {
		h := newHarness(t)
		out := h.say(member, "接访 安排 @周某 3月25日 下午 区信访局三楼 约访", msg{mentions: []xfbot.Person{leader}})
		if len(out) != 2 {
			t.Fatalf("queued %d messages, want the reply and the leader's notice", len(out))
		}
		wantIn(t, out[0].Text, "JF-2026-0001", "周某", "2026-03-25（星期三）下午", "区信访局三楼", "重点约访")
		if out[1].ReceiveID != leader.OpenID {
			t.Errorf("notice to %s, want the leader", out[1].ReceiveID)
		}
		wantIn(t, out[1].Text, "JF-2026-0001", "请预留时间")
		v := h.reception("JF-2026-0001")
		if v.Status != xfbot.ReceptionPlanned || v.Slot != xfbot.SlotPM || v.Mode != xfbot.ModeAppointment || v.ScheduledBy.OpenID != member.OpenID {
			t.Errorf("stored %+v", v.Reception)
		}
		wantIn(t, h.reply(viewer, "接访 本月"), "JF-2026-0001", "周某", "2026-03-25")
		if id := h.schedule("4月1日"); id != "JF-2026-0002" {
			t.Errorf("second id %s", id)
		}
		r := h.reply(member, "接访 下月")
		wantIn(t, r, "JF-2026-0002", "上午", handlers.DefaultReceptionPlace, "定点接访")
	})
	bad := []struct{ name, text, want string }{
		{"PastDay", "3月13日", "已经过去"},
		{"Weekend", "3月21日", "不是工作日"},
		{"Holiday", "4月6日", "不是工作日"},
		{"BadDate", "三月", "看不懂"},
		{"NoDate", "", "缺少接访日期"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			cal, _ := xfbot.NewCalendar(xfbot.DefaultHolidayTables()...)
			h.mux = bot.NewMux(h.st, bot.MuxOptions{Admins: []string{admin.OpenID}, Location: loc})
			handlers.Register(h.mux, &handlers.Handlers{Store: h.st, Calendar: cal, Thresholds: xfbot.DefaultThresholds, GroupChatID: groupChat})
			r := h.reply(member, strings.TrimSpace("接访 安排 @周某 "+tt.text), msg{mentions: []xfbot.Person{leader}})
			wantIn(t, r, tt.want, "用法：接访")
			if rs, _ := h.st.ReceptionsBetween(context.Background(), xfbot.NewDate(2026, 1, 1), xfbot.NewDate(2026, 12, 31)); len(rs) != 0 {
				t.Errorf("a refused 安排 stored %d receptions", len(rs))
			}
		})
	}
	t.Run("NotALeader", func(t *testing.T) {
		h := newHarness(t)
		r := h.reply(member, "接访 安排 @钱秀兰 3月25日", msg{mentions: []xfbot.Person{member2}})
		wantIn(t, r, "不是区领导", "成员 添加 @钱秀兰 领导")
	})
	t.Run("SameSlotTwice", func(t *testing.T) {
		h := newHarness(t)
		h.schedule("3月25日 全天")
		r := h.reply(member, "接访 安排 @周某 3月25日 下午", msg{mentions: []xfbot.Person{leader}})
		wantIn(t, r, "周某 在 2026-03-25 全天已有接访 JF-2026-0001，请换一个时段或日期。")
	})
	t.Run("LeaderAndLiaisonMayNotSchedule", func(t *testing.T) {
		h := newHarness(t)
		wantIn(t, h.reply(leader, "接访 安排 @周某 3月25日", msg{mentions: []xfbot.Person{leader}}), "由专班成员办理")
		wantIn(t, h.reply(liaison, "接访 安排 @周某 3月25日", msg{mentions: []xfbot.Person{leader}}), "由专班成员办理")
		wantIn(t, h.reply(stranger, "接访 本月"), "还不是专班成员")
	})
	t.Run("ConfiguredLeaderWithoutMemberRecord", func(t *testing.T) {
		h := newHarness(t)
		boss := xfbot.Person{OpenID: "ou_boss", Name: "区长"}
		h.mux = bot.NewMux(h.st, bot.MuxOptions{Admins: []string{admin.OpenID}, Leaders: []string{boss.OpenID}, Location: loc})
		handlers.Register(h.mux, &handlers.Handlers{Store: h.st, Thresholds: xfbot.DefaultThresholds})
		r := h.reply(member, "接访 安排 @区长 3月26日", msg{mentions: []xfbot.Person{boss}})
		wantIn(t, r, "JF-2026-0001", "区长")
		// The leader may use the bot as a leader: reads, and sees the roster.
		wantIn(t, h.reply(boss, "接访 本月"), "JF-2026-0001")
		wantIn(t, h.reply(boss, "帮助"), "您的角色：领导")
	})
}

func TestReceptionRescheduleCancel(t *testing.T) {
	h := newHarness(t)
	id := h.schedule("3月25日 上午")
	out := h.say(member, "接访 改期 "+string(id)+" 3月27日 下午")
	wantIn(t, out[0].Text, "JF-2026-0001 已改期为 JF-2026-0002", "2026-03-27（星期五）下午")
	old, nw := h.reception(id), h.reception("JF-2026-0002")
	if old.Status != xfbot.ReceptionRescheduled || old.RescheduledTo != "JF-2026-0002" {
		t.Errorf("old = %+v", old.Reception)
	}
	if nw.Status != xfbot.ReceptionPlanned || nw.RescheduledFrom != id || nw.Slot != xfbot.SlotPM || nw.Place != handlers.DefaultReceptionPlace {
		t.Errorf("new = %+v", nw.Reception)
	}
	if len(out) != 2 || out[1].ReceiveID != leader.OpenID {
		t.Errorf("the leader is not told: %+v", out)
	}
	wantIn(t, h.reply(member, "接访 改期 "+string(id)+" 3月30日"), "已改期为 JF-2026-0002，请对 JF-2026-0002 操作")
	wantIn(t, h.reply(member, "接访 取消 JF-2026-0002 领导临时出差"), "已取消接访 JF-2026-0002")
	if v := h.reception("JF-2026-0002"); v.Status != xfbot.ReceptionCancelled || v.Note != "领导临时出差" {
		t.Errorf("cancelled = %+v", v.Reception)
	}
	wantIn(t, h.reply(member, "接访 取消 JF-2026-0002"), "已取消")
	wantIn(t, h.reply(member, "接访 取消 JF-2026-0099"), "没有找到接访 JF-2026-0099")
	wantIn(t, h.reply(member, "接访 取消 XF-2026-0001"), "JF-年份-序号")
	if planned, _ := h.st.PlannedReceptions(context.Background(), xfbot.NewDate(2026, 12, 31)); len(planned) != 0 {
		t.Errorf("planned index keeps %d receptions after reschedule and cancel", len(planned))
	}
}

func TestReceptionRecordAndOnTheSpotCases(t *testing.T) {
	h := newHarness(t)
	id := h.schedule("3月18日")
	wantIn(t, h.reply(member, "接访 记录 "+string(id)+" 接待3批7人"), "还没到")
	wantIn(t, h.reply(member, "新建 当场登记 接访:"+string(id)), "还没到")

	h.now = h.now.AddDate(0, 0, 2) // Wednesday 03-18, the reception day
	r := h.reply(member, "新建 桂园社区噪声扰民 信访人:张建国 电话:19900001234 接访:"+strings.ToLower(string(id)))
	no := xfbot.CaseNo(regexp.MustCompile(`XF-\d{4}-\d{4}`).FindString(r))
	c := h.load(no)
	if c.Leader.OpenID != leader.OpenID {
		t.Errorf("包案领导 = %+v, want the receiving leader", c.Leader)
	}
	wantIn(t, r, "包案领导", "周某")
	changes, _, err := h.st.History(context.Background(), no)
	if err != nil || len(changes) != 1 || changes[0].Field != "接访" || !strings.Contains(changes[0].After, string(id)) {
		t.Errorf("history = %+v, %v", changes, err)
	}
	if v := h.reception(id); len(v.Linked) != 1 || v.Linked[0] != no {
		t.Errorf("linked = %v, want %s", v.Linked, no)
	}

	bad := []struct{ text, want string }{
		{"接访 记录 " + string(id), "几批几人"},
		{"接访 记录 " + string(id) + " 接待8批7人", "批次不能多于人数"},
		{"接访 记录 " + string(id) + " 接待3批7人 当场答复4件", "多于接待的 3 批"},
		{"接访 记录 " + string(id) + " 接待3批7人 案件:XF-2026-0099", "没有找到案件 XF-2026-0099"},
	}
	for _, tt := range bad {
		wantIn(t, h.reply(member, tt.text), tt.want)
	}
	other := h.newCase("另一件")
	out := h.say(member, "接访 记录 "+string(id)+" 接待３批７人 当场答复1件 案件:"+string(other)+" 信访人情绪平稳")
	wantIn(t, out[0].Text, "已记录接访", "接待 3 批 7 人，当场答复 1 件", string(no), string(other), "信访人情绪平稳")
	v := h.reception(id)
	if v.Status != xfbot.ReceptionHeld || v.Record == nil || v.Record.Persons != 7 || v.Record.Notes != "信访人情绪平稳" || len(v.Record.Cases) != 1 {
		t.Fatalf("recorded = %+v %+v", v.Reception, v.Record)
	}
	wantIn(t, h.reply(member, "接访 记录 "+string(id)+" 接待3批8人"), "已更正")
	wantIn(t, h.reply(member, "接访 改期 "+string(id)+" 3月30日"), "已有接访记录")

	t.Run("Statistics", func(t *testing.T) {
		h.now = h.now.AddDate(0, 0, 1)
		wantIn(t, h.reply(member, "化解 "+string(no)+" 已协调物业限时整改"), "已化解")
		r := h.reply(member, "接访 统计")
		wantIn(t, r, "2026年3月 领导接访统计", "已接访领导：1 位", "接待：3 批 8 人", "接访登记案件：2 件，已化解 1 件", "✅ 周某 · 接访 1 次（18日）")
		wantIn(t, h.reply(member, "接访 统计 2026-02"), "未接访领导：1 位", "❌ 周某 · 未接访")
		wantIn(t, h.reply(member, "接访 统计 2026-13"), "月份“2026-13”看不懂")
	})
}

// TestReceptionRecordCorrection sends 接访 记录 again, step by step: each
// correction changes what it names and keeps the rest of the record.
func TestReceptionRecordCorrection(t *testing.T) {
	h := newHarness(t)
	id := h.schedule("3月18日")
	h.now = h.now.AddDate(0, 0, 2) // the reception day
	first, second := h.newCase("桂园社区噪声扰民"), h.newCase("回迁房延期交付")
	wantIn(t, h.reply(member, "接访 记录 "+string(id)+" 接待3批7人 当场答复2件 案件:"+string(first)+" 信访人情绪平稳"), "已记录接访")

	type record struct {
		batches, persons, answered int
		cases                      []xfbot.CaseNo
		notes                      string
	}
	steps := []struct {
		name, text, reply string
		want              record
	}{
		{"BatchesAndPersonsKeepTheRest", "接待4批6人",
			"✅ 已更正接访 " + string(id) + "：周某 2026-03-18，接待 4 批 6 人，当场答复 2 件。",
			record{4, 6, 2, []xfbot.CaseNo{first}, "信访人情绪平稳"}},
		{"PersonsOnly", "接待5人",
			"✅ 已更正接访 " + string(id) + "：周某 2026-03-18，接待 4 批 5 人，当场答复 2 件。",
			record{4, 5, 2, []xfbot.CaseNo{first}, "信访人情绪平稳"}},
		{"AnsweredToZero", "当场答复0件",
			"✅ 已更正接访 " + string(id) + "：周某 2026-03-18，接待 4 批 5 人，当场答复 0 件。",
			record{4, 5, 0, []xfbot.CaseNo{first}, "信访人情绪平稳"}},
		{"CasesReplaced", "案件:" + string(second),
			"✅ 已更正接访 " + string(id) + "：周某 2026-03-18，接待 4 批 5 人，当场答复 0 件。",
			record{4, 5, 0, []xfbot.CaseNo{second}, "信访人情绪平稳"}},
		{"NotesReplaced", "改由属地街道跟进",
			"✅ 已更正接访 " + string(id) + "：周某 2026-03-18，接待 4 批 5 人，当场答复 0 件。",
			record{4, 5, 0, []xfbot.CaseNo{second}, "改由属地街道跟进"}},
		{"AnsweredCheckedAgainstKeptBatches", "当场答复5件",
			"当场答复 5 件多于接待的 4 批，请检查。",
			record{4, 5, 0, []xfbot.CaseNo{second}, "改由属地街道跟进"}},
		{"BatchesCheckedAgainstKeptPersons", "接待6批",
			"接待 6 批 5 人不合理：批次不能多于人数。",
			record{4, 5, 0, []xfbot.CaseNo{second}, "改由属地街道跟进"}},
		{"NothingNamed", "",
			"接访 " + string(id) + " 已有记录，请写明要更正的项，例如：接访 记录 " + string(id) + " 接待3批7人 当场答复1件（没写的项保持原样）。",
			record{4, 5, 0, []xfbot.CaseNo{second}, "改由属地街道跟进"}},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			got := h.reply(member, strings.TrimSpace("接访 记录 "+string(id)+" "+st.text))
			// The first line is the answer; the card or the usage follows.
			if line, _, _ := strings.Cut(got, "\n"); line != st.reply {
				t.Errorf("reply to %q:\n got %q\nwant %q", st.text, line, st.reply)
			}
			v := h.reception(id)
			r := v.Record
			if r == nil {
				t.Fatal("the record is gone")
			}
			g := record{r.Batches, r.Persons, r.AnsweredOnSpot, r.Cases, r.Notes}
			if g.batches != st.want.batches || g.persons != st.want.persons || g.answered != st.want.answered ||
				fmt.Sprint(g.cases) != fmt.Sprint(st.want.cases) || g.notes != st.want.notes {
				t.Errorf("record after %q = %+v; want %+v", st.text, g, st.want)
			}
			if v.Status != xfbot.ReceptionHeld {
				t.Errorf("status = %v; want held", v.Status)
			}
		})
	}
}

func TestReceptionAppointments(t *testing.T) {
	h := newHarness(t)
	id := h.schedule("3月25日")
	no := h.newCase("回迁房延期交付")
	wantIn(t, h.reply(member, "接访 约访 "+string(id)+" "+string(no)), "已加入约访", string(no))
	wantIn(t, h.reply(member, "接访 约访 "+string(id)+" "+string(no)), "请写要约访的案件号")
	wantIn(t, h.reply(member, "接访 约访 "+string(id)+" XF-2026-0077"), "有案件号不存在")
	if v := h.reception(id); len(v.Appointments) != 1 || v.Appointments[0] != no {
		t.Errorf("appointments = %v", v.Appointments)
	}
}

func TestRoster(t *testing.T) {
	h := newHarness(t)
	cal, _ := xfbot.NewCalendar(xfbot.DefaultHolidayTables()...)
	h.mux = bot.NewMux(h.st, bot.MuxOptions{Admins: []string{admin.OpenID}, Leaders: []string{"ou_boss"}, Location: loc})
	handlers.Register(h.mux, &handlers.Handlers{Store: h.st, Calendar: cal, Thresholds: xfbot.DefaultThresholds})
	tx := h.st.NewTx()
	tx.PutMember(xfbot.Member{OpenID: "ou_l2", Name: "吴某", Role: xfbot.RoleLeader})
	if _, err := h.st.Commit(context.Background(), tx); err != nil {
		t.Fatal(err)
	}
	wantIn(t, h.reply(admin, "成员 职务 @周某 副区长 城建、信访", msg{mentions: []xfbot.Person{leader}}), "职务 副区长", "分管 城建、信访")
	wantIn(t, h.reply(member, "排班 下月"), "只有专班管理员")
	// 吴某 already has April: left out of the draft.
	wantIn(t, h.reply(admin, "接访 安排 @吴某 4月2日", msg{mentions: []xfbot.Person{{OpenID: "ou_l2", Name: "吴某"}}}), "JF-2026-0001")

	r := h.reply(admin, "排班 下月 每月1日 地点:区行政服务中心")
	wantIn(t, r, "2026年4月 领导接访排班（草案）", "每月1日集中接访", "2026-04-01", "周某", "ou_boss", "已有安排、不再排入：吴某", "区行政服务中心", "[确认排班]")
	if rs, _ := h.st.ReceptionsBetween(context.Background(), xfbot.NewDate(2026, 4, 1), xfbot.NewDate(2026, 4, 30)); len(rs) != 1 {
		t.Fatalf("a draft created receptions: %d", len(rs))
	}
	wantIn(t, h.reply(admin, "排班 下月 每周六"), "周一到周五")

	r = h.reply(admin, "排班 确认 2026-04")
	wantIn(t, r, "已确认 2026年4月 排班，共 2 场", "2026年4月区领导接访安排公示", "周某 副区长（分管：城建、信访）", "时间：2026-04-01（星期三）上午", "地点：区行政服务中心")
	wantNotIn(t, r, "@@NO@@")
	rs, _ := h.st.ReceptionsBetween(context.Background(), xfbot.NewDate(2026, 4, 1), xfbot.NewDate(2026, 4, 30))
	if len(rs) != 3 {
		t.Fatalf("after confirmation %d receptions, want 3", len(rs))
	}
	ids := map[xfbot.ReceptionID]bool{}
	for _, r := range rs {
		ids[r.ID] = true
	}
	if !ids["JF-2026-0002"] || !ids["JF-2026-0003"] {
		t.Errorf("ids = %v", ids)
	}
	wantIn(t, h.reply(admin, "排班 确认 2026-04"), "没有待确认的排班草案")
	wantIn(t, h.reply(member, "接访 公示 2026-04"), "周某 副区长", "吴某", "ou_boss")
}

func TestRosterConfirmButton(t *testing.T) {
	h := newHarness(t)
	h.reply(admin, "排班 下月")
	h.seq++
	req := &bot.Request{EventID: "card:roster", MessageID: "om_card", ChatID: "oc_p2p_" + admin.OpenID, Sender: admin, Time: h.now, Via: bot.ViaCard,
		Action: &bot.Action{Name: bot.ActionRosterConfirm, Value: map[string]string{"m": "2026-04", "g": "0", "c": "oc_p2p_" + admin.OpenID}}}
	resp, err := h.mux.ServeAction(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Card == nil || !strings.Contains(resp.Card.Text(), "2026年4月区领导接访安排公示") {
		t.Fatalf("response = %+v", resp)
	}
	// A second click, a new event: the draft is gone.
	req.EventID = "card:roster2"
	resp, _ = h.mux.ServeAction(context.Background(), req)
	if !strings.Contains(resp.Toast, "没有待确认的排班草案") {
		t.Errorf("second click toast = %q", resp.Toast)
	}
	rs, _ := h.st.ReceptionsBetween(context.Background(), xfbot.NewDate(2026, 4, 1), xfbot.NewDate(2026, 4, 30))
	if len(rs) != 1 {
		t.Errorf("%d receptions after two clicks, want 1", len(rs))
	}
}

func TestReceptionEvery(t *testing.T) {
	h := newHarness(t)
	wantIn(t, h.reply(admin, "接访 频次 @周某 每季度", msg{mentions: []xfbot.Person{leader}}), "每季度至少一次")
	m, _ := h.st.Load(context.Background(), leader.OpenID, "")
	if m.Member == nil || m.Member.ReceptionEvery != 3 || m.Member.Role != xfbot.RoleLeader {
		t.Errorf("member = %+v", m.Member)
	}
	wantIn(t, h.reply(admin, "接访 频次 @周某 每5月", msg{mentions: []xfbot.Person{leader}}), "看不懂")
	wantIn(t, h.reply(member, "接访 频次 @周某 每月", msg{mentions: []xfbot.Person{leader}}), "只有专班管理员")
}

func TestLeaderLetters(t *testing.T) {
	h := newHarness(t)
	out := h.say(member, "来信 @周某 桂园社区居民联名反映回迁房延期交付", msg{mentions: []xfbot.Person{leader}})
	if len(out) != 2 {
		t.Fatalf("queued %d, want reply and the leader's card", len(out))
	}
	wantIn(t, out[0].Text, "LX-2026-0001", "阅批期限 2026-03-18", "桂园社区居民联名反映")
	if out[1].ReceiveID != leader.OpenID || out[1].MsgType != "interactive" {
		t.Errorf("leader's card = %+v", out[1])
	}
	wantIn(t, out[1].Text, "LX-2026-0001", "[批示]")
	wantIn(t, out[1].Content, `"id":"LX-2026-0001"`, bot.ActionLetterReadForm)
	id := xfbot.LetterID(lxRE.FindString(out[0].Text))

	wantIn(t, h.reply(member, "来信 交办 "+string(id)+" 区住建局"), "还没有批示")
	wantIn(t, h.reply(liaison, "来信 批示 "+string(id)+" 同意"), "不能批示")
	wantIn(t, h.reply(viewer, "来信 列表"), "只有专班成员和收信领导")

	// The leader opens the form from the card and submits it.
	clickLetter := func(p xfbot.Person, action string, form map[string]string) *bot.ActionResponse {
		h.seq++
		req := &bot.Request{EventID: "card:lx" + time.Duration(h.seq).String(), MessageID: "om_card", ChatID: "oc_p2p_" + p.OpenID, Sender: p, Time: h.now, Via: bot.ViaCard,
			Action: &bot.Action{Name: action, Value: map[string]string{"id": string(id)}, Form: form}}
		resp, err := h.mux.ServeAction(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	resp := clickLetter(leader, bot.ActionLetterReadForm, nil)
	if resp.Card == nil || resp.Card.Form == nil {
		t.Fatalf("批示 form: %+v", resp)
	}
	resp = clickLetter(leader, bot.ActionLetterRead, map[string]string{"text": ""})
	wantIn(t, resp.Toast, "缺少批示内容")
	h.now = h.now.Add(24 * time.Hour) // Tuesday
	resp = clickLetter(leader, bot.ActionLetterRead, map[string]string{"text": "请区住建局牵头，一周内答复"})
	wantIn(t, resp.Toast, "已批示来信 LX-2026-0001，交办期限 2026-03-20")
	notices := h.drain()
	if len(notices) != 1 || notices[0].ReceiveID != member.OpenID {
		t.Fatalf("the registrar is not told: %+v", notices)
	}
	wantIn(t, notices[0].Text, "请交办", "[交办]")
	wantIn(t, h.reply(leader, "来信 批示 "+string(id)+" 再批"), "已于 2026-03-17")

	resp = clickLetter(member, bot.ActionLetterAssign, map[string]string{"unit": "区住建局", "case": "XF-2026-0042"})
	wantIn(t, resp.Toast, "没有找到案件 XF-2026-0042")
	no := h.newCase("回迁房")
	h.drain()
	resp = clickLetter(member, bot.ActionLetterAssign, map[string]string{"unit": "区住建局", "case": string(no)})
	wantIn(t, resp.Toast, "已交办 区住建局")
	if n := h.drain(); len(n) != 1 || n[0].ReceiveID != leader.OpenID {
		t.Errorf("the leader is not told of the assignment: %+v", n)
	}
	l, _ := h.st.Letter(context.Background(), id)
	if l.Stage() != xfbot.LetterAssigned || l.Case != no || l.AssignedBy.OpenID != member.OpenID || l.Instruction != "请区住建局牵头，一周内答复" {
		t.Errorf("letter = %+v", l)
	}
	if open, _ := h.st.OpenLetters(context.Background(), xfbot.Date{}); len(open) != 0 {
		t.Errorf("an assigned letter is still open")
	}
	wantIn(t, h.reply(member, "来信 列表"), "没有待阅批或待交办")
	wantIn(t, h.reply(member, "来信 @周某", msg{mentions: []xfbot.Person{leader}}), "缺少来信摘要")
	wantIn(t, h.reply(member, "来信 桂园"), "请 @ 收信的区领导")
	wantIn(t, h.reply(member, "来信 查看 LX-2026-0009"), "没有找到来信 LX-2026-0009")
	r := h.reply(member, "来信 查看 "+string(id), msg{group: true})
	wantIn(t, r, "请在与机器人的私聊中办理")
	wantNotIn(t, r, "桂园社区")
}

func TestMemberRecordsWithoutLeaderFieldsStillDecode(t *testing.T) {
	rdb, prefix := testredis.New(t)
	st := store.New(rdb, prefix)
	// A member written before 职务/分管/频次 existed.
	if err := rdb.HSet(context.Background(), "{"+prefix+"}:v1:members", "ou_old", `{"id":"ou_old","n":"老成员","r":"leader"}`).Err(); err != nil {
		t.Fatal(err)
	}
	l, err := st.Load(context.Background(), "ou_old", "")
	if err != nil || l.Member == nil || l.Member.Role != xfbot.RoleLeader || l.Member.Title != "" || l.Member.ReceptionEvery != 0 {
		t.Fatalf("old record: %+v, %v", l.Member, err)
	}
}

// FuzzReceptionCommand sends arbitrary 接访, 排班 and 来信 commands, the
// leader mentioned, through the real mux: whatever the text, one readable
// reply and never an internal error.
func FuzzReceptionCommand(f *testing.F) {
	for _, s := range []string{
		"接访 安排 @周某 3月25日 下午 区信访局 约访", "接访 改期 JF-2026-0001 3月27日 全天", "接访 取消 jf-2026-1 出差",
		"接访 记录 JF-2026-0001 接待3批7人 当场答复1件 案件:XF-2026-0001 说明", "接访 约访 JF-2026-0001 XF-2026-0001",
		"接访 统计 2026-03", "接访 公示 下月", "接访 频次 @周某 每季度", "接访 2026-04", "接访 下月",
		"排班 下月 每月28日 地点:区行政服务中心", "排班 确认 2026-04", "排班 2026-05 5日起轮流",
		"来信 @周某 居民反映 收信:3月15日", "来信 批示 LX-2026-0001 同意", "来信 交办 LX-2026-0001 区住建局 XF-2026-0001",
		"新建 当场登记 接访:JF-2026-0001", "成员 职务 @周某 副区长 城建",
	} {
		f.Add(s)
	}
	h := newHarness(f)
	h.now = time.Date(2026, 3, 18, 9, 0, 0, 0, loc)
	seed := []string{"接访 安排 @周某 3月18日", "来信 @周某 居民反映噪声"}
	for _, s := range seed {
		h.seq++
		req := &bot.Request{EventID: "seed:" + s, MessageID: "om_seed", ChatID: "oc_fuzz", Sender: admin, Text: s, Time: h.now, Via: bot.ViaChat,
			Mentions: []xfbot.Person{leader}}
		if err := h.mux.ServeMessage(context.Background(), req); err != nil {
			f.Fatal(err)
		}
	}
	h.drain()
	f.Fuzz(func(t *testing.T, text string) {
		h.t = t
		h.seq++
		sender := []xfbot.Person{admin, member, leader}[h.seq%3]
		req := &bot.Request{EventID: "fuzzjf:" + itoa(h.seq) + text, MessageID: "om_fuzz", ChatID: "oc_fuzz", Sender: sender, Text: text,
			Time: h.now, Via: bot.ViaChat, Mentions: []xfbot.Person{leader}}
		if err := h.mux.ServeMessage(context.Background(), req); err != nil {
			t.Fatalf("ServeMessage(%q): %v", text, err)
		}
		out := h.drain()
		if len(out) == 0 || out[0].Text == "" {
			t.Fatalf("no reply to %q", text)
		}
		if strings.Contains(out[0].Text, "系统内部错误") || strings.Contains(out[0].Text, store.NoPlaceholder) {
			t.Fatalf("bad reply to %q: %s", text, out[0].Text)
		}
	})
}

// TestReceptionDoubleBooking: staff booking the same leader's slot at the
// same instant: one reception is made, the others are told it is taken.
func TestReceptionDoubleBooking(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	for round, day := range []string{"3月18日", "3月19日", "3月20日"} {
		var wg sync.WaitGroup
		for i := 0; i < 4; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				req := &bot.Request{EventID: fmt.Sprintf("book:%d:%d", round, i), MessageID: fmt.Sprintf("om_book_%d_%d", round, i),
					ChatID: "oc_p2p_" + member.OpenID, Sender: member, Text: "接访 安排 @周某 " + day + " 上午",
					Mentions: []xfbot.Person{leader}, Time: h.now, Via: bot.ViaChat}
				if err := h.mux.ServeMessage(ctx, req); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		r, err := xfbot.ParseDay(day, xfbot.NewDate(2026, 3, 16), nil, xfbot.Future)
		if err != nil {
			t.Fatal(err)
		}
		d := r.Date
		rs, err := h.st.LeaderReceptions(ctx, leader.OpenID, d, d)
		if err != nil {
			t.Fatal(err)
		}
		if len(rs) != 1 {
			t.Errorf("%s: %d receptions booked for one slot", day, len(rs))
		}
		taken := 0
		for _, m := range h.drain() {
			if strings.Contains(m.Text, "已有接访") {
				taken++
			}
		}
		if taken != 3 {
			t.Errorf("%s: %d told the slot is taken, want 3", day, taken)
		}
	}
}
