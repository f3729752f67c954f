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
	"github.com/qingchuan/xfbot/store"
)

var hzRE = regexp.MustCompile(`HZ-\d{4}-\d{4}`)

// consultFixture: two cases of 区住建局 / 云溪街道, the second owned by
// 钱秀兰, and a consultation over both on Friday 2026-03-20 hosted by 周某,
// scheduled by 赵建 on Monday 2026-03-16.
type consultFixture struct {
	*harness
	a, b xfbot.CaseNo
	id   xfbot.ConsultID
	out  []store.OutboundMessage // what 安排 queued
}

func newConsult(t *testing.T) *consultFixture {
	t.Helper()
	h := newHarness(t)
	f := &consultFixture{harness: h}
	f.a = h.newCase("桂园社区回迁安置房延期交付 单位:区住建局 属地:云溪街道 信访人:张某某")
	f.b = h.newCase("桂园二期物业交接纠纷 单位:区住建局 属地:云溪街道")
	h.say(member, "指派 "+string(f.b)+" @钱秀兰", msg{mentions: []xfbot.Person{member2}})
	f.out = h.say(member, fmt.Sprintf("会诊 安排 3月20日 上午 主持: @周某 案件:%s,%s 回迁安置遗留问题", f.a, f.b), msg{mentions: []xfbot.Person{leader}})
	id := hzRE.FindString(f.out[0].Text)
	if id == "" {
		t.Fatalf("no consultation number in %q", f.out[0].Text)
	}
	f.id = xfbot.ConsultID(id)
	return f
}

func (f *consultFixture) consult() *xfbot.Consultation {
	f.t.Helper()
	c, err := f.st.Consult(context.Background(), f.id)
	if err != nil || c == nil {
		f.t.Fatalf("consult %s: %v", f.id, err)
	}
	return c
}

func recipients(out []store.OutboundMessage) map[string]string {
	m := map[string]string{}
	for _, o := range out[1:] {
		m[o.ReceiveID] = o.Text
	}
	return m
}

func TestConsultSchedule(t *testing.T) {
	t.Run("NumbersNotifiesAndRecordsInHistory", func(t *testing.T) {
		f := newConsult(t)
		if f.id != "HZ-2026-0001" {
			t.Errorf("id = %s", f.id)
		}
		wantIn(t, f.out[0].Text, "已安排集中会诊 HZ-2026-0001", "2026-03-20（星期五）上午", "主持 周某", "2 件案件", "区住建局、云溪街道", "回迁安置遗留问题")
		to := recipients(f.out)
		for _, who := range []xfbot.Person{leader, liaison, member2} {
			if !strings.Contains(to[who.OpenID], "HZ-2026-0001") || !strings.Contains(to[who.OpenID], "请准时参加") {
				t.Errorf("notice to %s = %q", who.Name, to[who.OpenID])
			}
		}
		if _, self := to[member.OpenID]; self || len(to) != 3 {
			t.Errorf("notices to %v: want the host, the liaison of 区住建局 and the owner, not the sender", to)
		}
		c := f.consult()
		if c.Host.OpenID != leader.OpenID || c.ScheduledBy.OpenID != member.OpenID || c.Status != xfbot.ConsultPlanned || len(c.Units) != 2 || c.Place != handlers.DefaultConsultPlace {
			t.Errorf("stored %+v", c)
		}
		wantIn(t, f.reply(member, "历史 "+string(f.a)), "会诊 安排", "HZ-2026-0001 2026-03-20（星期五）上午，主持 周某")
		ds, err := f.st.Deadlines(context.Background(), xfbot.NewDate(2026, 12, 31), 0)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, d := range ds {
			if d.Subject.Kind == xfbot.SubjectConsult {
				n++
				if d.Due != xfbot.NewDate(2026, 3, 19) || (d.Owner != leader.OpenID && d.Owner != member.OpenID) {
					t.Errorf("deadline %+v", d)
				}
			}
		}
		if n != 2 {
			t.Errorf("%d consult deadlines, want the host's and the scheduler's eve", n)
		}
		wantIn(t, f.reply(viewer, "会诊 列表"), "待召开", "HZ-2026-0001", "主持 周某")
		wantIn(t, f.reply(liaison, "会诊"), "HZ-2026-0001")
	})
	t.Run("UnitsAndPlaceGivenHostDefaultsToSender", func(t *testing.T) {
		h := newHarness(t)
		no := h.newCase("某街道征地补偿 单位:区人社局")
		r := h.reply(member, "会诊 安排 3月24日 下午 单位:区人社局、云溪街道 地点:区信访局三楼 "+string(no))
		wantIn(t, r, "HZ-2026-0001", "2026-03-24（星期二）下午", "区信访局三楼", "主持 赵建", "主持人默认为您")
		wantNotIn(t, r, "区住建局")
	})
	t.Run("HostByNameWithoutAMention", func(t *testing.T) { // the console, a name typed after 主持:@
		h := newHarness(t)
		h.newCase("桂园社区回迁安置房延期交付 单位:区住建局")
		out := h.say(member, "会诊 安排 3月20日 主持:@周某 案件:1")
		wantIn(t, out[0].Text, "HZ-2026-0001", "主持 周某")
		if to := recipients(out); !strings.Contains(to[leader.OpenID], "请准时参加") {
			t.Errorf("the host was not told: %v", to)
		}
	})
	bad := []struct{ name, text, want string }{
		{"NoDate", "会诊 安排", "缺少会诊日期"},
		{"PastDay", "会诊 安排 3月13日 案件:1", "会诊日期 2026-03-13 已经过去"},
		{"Weekend", "会诊 安排 3月21日 案件:1", "不是工作日"},
		{"BadDate", "会诊 安排 三月 案件:1", "看不懂"},
		{"NoCases", "会诊 安排 3月20日 主持:@周某", "请写会诊的案件"},
		{"UnknownCase", "会诊 安排 3月20日 案件:XF-2026-0099 XF-2026-0001", "没有找到案件 XF-2026-0099"},
		{"BadCaseNo", "会诊 安排 3月20日 案件:XF-26-1", "案件号“XF-26-1”格式不对"},
		{"UnknownHost", "会诊 安排 3月20日 案件:1 主持:@孙某", "没有找到主持人“孙某”"},
		{"FieldTwice", "会诊 安排 3月20日 案件:1 案件:1", "“案件”写了两次"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			h.newCase("桂园社区回迁安置房延期交付 单位:区住建局")
			r := h.reply(member, tt.text)
			wantIn(t, r, tt.want)
			if !strings.Contains(tt.want, "没有找到案件") { // 没有找到 is no usage error
				wantIn(t, r, "用法：会诊 安排")
			}
			if cs, _ := h.st.ConsultsBetween(context.Background(), xfbot.NewDate(2026, 1, 1), xfbot.Date{}); len(cs) != 0 {
				t.Errorf("a refused 安排 stored %d consultations", len(cs))
			}
		})
	}
	t.Run("OnlyTheTaskForceSchedules", func(t *testing.T) {
		h := newHarness(t)
		h.newCase("桂园社区回迁安置房延期交付 单位:区住建局")
		wantIn(t, h.reply(leader, "会诊 安排 3月20日 案件:1"), "“会诊 安排”由专班成员办理")
		wantIn(t, h.reply(liaison, "会诊 安排 3月20日 案件:1"), "由专班成员办理")
		wantIn(t, h.reply(viewer, "会诊 安排 3月20日 案件:1"), "由专班成员办理")
	})
	t.Run("UnknownSubcommand", func(t *testing.T) {
		h := newHarness(t)
		wantIn(t, h.reply(member, "会诊 开会"), "“会诊”后面应写 安排、改期、取消、结论、决定、转为措施、查看、列表")
	})
}

func TestConsultRescheduleCancel(t *testing.T) {
	f := newConsult(t)
	out := f.say(member, "会诊 改期 "+string(f.id)+" 3月24日 下午")
	wantIn(t, out[0].Text, "会诊 HZ-2026-0001 已改期：原 2026-03-20（星期五）上午，改为 2026-03-24（星期二）下午")
	if to := recipients(out); !strings.Contains(to[liaison.OpenID], "会诊改期") || !strings.Contains(to[leader.OpenID], "2026-03-24") || !strings.Contains(to[member2.OpenID], "会诊改期") {
		t.Errorf("改期 notices %v", to)
	}
	c := f.consult()
	if c.Date != xfbot.NewDate(2026, 3, 24) || c.Slot != xfbot.SlotPM || c.MovedFrom != xfbot.NewDate(2026, 3, 20) {
		t.Errorf("moved %+v", c)
	}
	wantIn(t, f.reply(member, "会诊 查看 "+string(f.id)), "改期自：2026-03-20")
	for _, tt := range []struct{ text, want string }{
		{"会诊 改期 " + string(f.id), "缺少新的会诊日期"},
		{"会诊 改期 " + string(f.id) + " 3月24日 下午", "无需改期"},
		{"会诊 改期 " + string(f.id) + " 3月28日", "不是工作日"},
		{"会诊 改期 " + string(f.id) + " 3月25日 会议室", "多了参数“会议室”"},
		{"会诊 改期 HZ-2026-0009 3月25日", "没有找到会诊 HZ-2026-0009"},
		{"会诊 改期 JF-2026-0001 3月25日", "会诊编号“JF-2026-0001”格式不对"},
	} {
		wantIn(t, f.reply(member, tt.text), tt.want)
	}
	out = f.say(member, "会诊 取消 "+string(f.id)+" 主持领导临时外出")
	wantIn(t, out[0].Text, "已取消会诊 HZ-2026-0001")
	if to := recipients(out); !strings.Contains(to[liaison.OpenID], "2026-03-24（星期二）下午 的会诊已取消：主持领导临时外出") {
		t.Errorf("取消 notice to the liaison = %q", to[liaison.OpenID])
	}
	if c := f.consult(); c.Status != xfbot.ConsultCancelled || c.Note != "主持领导临时外出" {
		t.Errorf("cancelled %+v", c)
	}
	if ds, _ := f.st.Deadlines(context.Background(), xfbot.NewDate(2026, 12, 31), 0); len(consultOnly(ds)) != 0 {
		t.Errorf("a cancelled consultation keeps deadlines %+v", consultOnly(ds))
	}
	wantIn(t, f.reply(member, "会诊 改期 "+string(f.id)+" 3月25日"), "已取消，不能再改期")
	wantIn(t, f.reply(member, "会诊 结论 "+string(f.id)+" "+string(f.a)+" 同意"), "已取消，不能录入结论")
	wantIn(t, f.reply(member, "历史 "+string(f.b)), "会诊 改期", "会诊 取消", "主持领导临时外出")
}

func consultOnly(ds []xfbot.Deadline) []xfbot.Deadline {
	var out []xfbot.Deadline
	for _, d := range ds {
		if d.Subject.Kind == xfbot.SubjectConsult {
			out = append(out, d)
		}
	}
	return out
}

func TestConsultConclusionsAndDecisions(t *testing.T) {
	f := newConsult(t)
	id := string(f.id)
	wantIn(t, f.reply(member, "会诊 结论 "+id+" "+string(f.a)+" 诉求部分合理"), "安排在 2026-03-20，还没召开，会后再录入结论")
	f.now = time.Date(2026, 3, 20, 16, 0, 0, 0, loc)
	t.Run("Conclusion", func(t *testing.T) {
		r := f.reply(member, "会诊 结论 "+id+" "+string(f.a)+" 诉求部分合理，由区住建局牵头重新核定安置面积")
		wantIn(t, r, "已录入会诊 HZ-2026-0001 对 "+string(f.a)+" 的结论，并记入案件进展")
		c := f.load(f.a)
		if !c.LastProgressAt.Equal(f.now) || c.Progresses != 1 {
			t.Errorf("case after the conclusion: last progress %v, %d entries", c.LastProgressAt, c.Progresses)
		}
		wantIn(t, f.reply(member, "历史 "+string(f.a)), "集中会诊 HZ-2026-0001 结论：诉求部分合理")
		if got := f.consult(); got.Status != xfbot.ConsultHeld || got.Conclusion(f.a) == nil {
			t.Errorf("consult after the conclusion %+v", got)
		}
		if ds, _ := f.st.Deadlines(context.Background(), xfbot.NewDate(2026, 12, 31), 0); len(consultOnly(ds)) != 0 {
			t.Errorf("a recorded consultation keeps deadlines %+v", consultOnly(ds))
		}
		r = f.reply(member, "会诊 结论 "+id+" "+string(f.a)+" 诉求部分合理，先评估后核定，张某某电话13812345678")
		wantIn(t, r, "已更正会诊", "群聊和观察员看到的是脱敏后的内容")
		if got := f.consult(); len(got.Conclusions) != 1 || got.Conclusions[0].Text != "诉求部分合理，先评估后核定，张某某电话13812345678" {
			t.Errorf("corrected %+v", got.Conclusions)
		}
	})
	t.Run("ConclusionRefusals", func(t *testing.T) {
		other := f.newCase("另一件案件 单位:区人社局")
		for _, tt := range []struct{ text, want string }{
			{"会诊 结论 " + id, "缺少案件号"},
			{"会诊 结论 " + id + " " + string(other) + " 同意", "不在会诊 HZ-2026-0001 的案件中"},
			{"会诊 结论 " + id + " " + string(f.b), "缺少会诊结论"},
			{"会诊 结论", "缺少会诊编号"},
		} {
			wantIn(t, f.reply(member, tt.text), tt.want, "用法：会诊 结论")
		}
		wantIn(t, f.reply(leader, "会诊 结论 "+id+" "+string(f.b)+" 同意"), "由专班成员办理")
	})
	t.Run("Decision", func(t *testing.T) {
		r := f.reply(member, "会诊 决定 "+id+" "+string(f.a)+" 硬:政策 按回迁安置政策重新核定面积 单位:区住建局 负责人: @钱秀兰 期限:4月30日",
			msg{mentions: []xfbot.Person{member2}})
		wantIn(t, r, "已记录会诊 HZ-2026-0001 决定 1", "硬手段·政策", "决定 1 · "+string(f.a)+" · 硬手段·政策：按回迁安置政策重新核定面积（区住建局，负责人 钱秀兰，期限 2026-04-30）", "[转为措施]")
		r = f.reply(member, "会诊 决定 "+id+" "+string(f.b)+" 软:调解 组织物业与业主调解")
		wantIn(t, r, "决定 2", "软措施·调解")
		d := f.consult().Decision(1)
		if d == nil || d.Owner.OpenID != member2.OpenID || d.Unit != "区住建局" || d.Due != xfbot.NewDate(2026, 4, 30) || d.Converted() {
			t.Errorf("decision 1 = %+v", d)
		}
		wantIn(t, f.reply(member, "历史 "+string(f.b)), "会诊 决定", "决定 2", "软措施·调解：组织物业与业主调解")
		for _, tt := range []struct{ text, want string }{
			{"会诊 决定 " + id + " " + string(f.a), "缺少措施类型"},
			{"会诊 决定 " + id + " " + string(f.a) + " 硬:调解 组织调解", "软:调解"},
			{"会诊 决定 " + id + " " + string(f.a) + " 硬:法律", "缺少决定内容"},
			{"会诊 决定 " + id + " " + string(f.a) + " 硬:法律 引导诉讼 期限:3月1日", "期限 2026-03-01 已经过去"},
			{"会诊 决定 " + id + " " + string(f.a) + " 硬:法律 引导诉讼 负责人:@观察员", "不能负责措施"},
			{"会诊 决定 " + id + " " + string(f.a) + " 硬:法律 引导诉讼 负责人:@孙某", "没有找到负责人“孙某”"},
		} {
			wantIn(t, f.reply(member, tt.text), tt.want, "用法：会诊 决定")
		}
	})
	t.Run("MaskedForGroupsViewersAndOtherUnits", func(t *testing.T) {
		g := f.reply(member, "会诊 查看 "+id, msg{group: true})
		wantIn(t, g, "138****5678", "张某电话")
		wantNotIn(t, g, "13812345678", "张某某")
		v := f.reply(viewer, "会诊 查看 "+id)
		wantIn(t, v, "138****5678")
		wantNotIn(t, v, "13812345678", "张某某", "[转为措施]")
		wantIn(t, f.reply(member, "会诊 查看 "+id), "[转为措施]")
		tx := f.st.NewTx()
		tx.PutMember(xfbot.Member{OpenID: "ou_l2", Name: "人社联络", Role: xfbot.RoleLiaison, Unit: "区人社局"})
		if _, err := f.st.Commit(context.Background(), tx); err != nil {
			t.Fatal(err)
		}
		wantIn(t, f.reply(xfbot.Person{OpenID: "ou_l2", Name: "人社联络"}, "会诊 查看 "+id), "没有邀请您所在单位")
	})
}

// planMeasures are the measures of the case's current plan, as "N 硬·政策 内容 负责人".
func planMeasures(t *testing.T, h *harness, no xfbot.CaseNo) []string {
	t.Helper()
	ps, err := h.st.Plans(context.Background(), no)
	if err != nil {
		t.Fatal(err)
	}
	if ps == nil || ps.Current() == nil {
		return nil
	}
	var out []string
	for _, m := range ps.Current().Measures {
		out = append(out, fmt.Sprintf("%d %s %s %s %s %s", m.N, m.Label(), m.Text, m.Unit, m.Owner.OpenID, m.Due))
	}
	return out
}

// 转为措施 runs 方案 措施 (handlers/plans.go) as the clicking user: the plan's
// role rule and checks decide, and the decision is marked converted in the
// same commit, once however often it is pressed.
func TestConsultConvert(t *testing.T) {
	f := newConsult(t)
	if f.mux.Find("方案 措施") == nil {
		t.Skip("方案 措施 is not in the routing table yet: 转为措施 has no command to run")
	}
	id := string(f.id)
	f.now = time.Date(2026, 3, 20, 16, 0, 0, 0, loc)
	f.say(member, "会诊 决定 "+id+" "+string(f.a)+" 硬:政策 按回迁安置政策重新核定面积 单位:区住建局 负责人: @钱秀兰 期限:4月30日", msg{mentions: []xfbot.Person{member2}})
	f.say(member, "会诊 决定 "+id+" "+string(f.b)+" 软:调解 组织物业与业主调解 期限:4月15日")
	value := map[string]string{"id": id, "d": "1", "g": "0", "c": "oc_p2p_" + member.OpenID}
	t.Run("ThePlanRuleDecides", func(t *testing.T) {
		resp := f.clickValue(leader, bot.ActionConsultMeasure, value) // not this case's 包案领导
		if resp.ToastKind != "error" || !strings.Contains(resp.Toast, "您只能修改本单位或您包保的案件") {
			t.Errorf("leader's click: %+v", resp)
		}
		resp = f.clickValue(liaison, bot.ActionConsultMeasure, value)
		wantIn(t, resp.Toast, "方案由专班起草")
		resp = f.clickValue(viewer, bot.ActionConsultMeasure, value)
		wantIn(t, resp.Toast, "只能查看")
		if got := planMeasures(t, f.harness, f.a); len(got) != 0 || f.consult().Decision(1).Converted() {
			t.Errorf("a refused click converted: %v", got)
		}
	})
	t.Run("ButtonAddsTheMeasureOnce", func(t *testing.T) {
		var wg sync.WaitGroup
		resps := make([]*bot.ActionResponse, 2)
		for i := range resps {
			wg.Add(1)
			go func() { // a double click: both at once
				defer wg.Done()
				resps[i] = f.clickValue(member, bot.ActionConsultMeasure, value)
			}()
		}
		wg.Wait()
		got := planMeasures(t, f.harness, f.a)
		want := "1 硬·政策 按回迁安置政策重新核定面积 区住建局 " + member2.OpenID + " 2026-04-30"
		if len(got) != 1 || got[0] != want {
			t.Fatalf("plan measures %q, want once %q", got, want)
		}
		d := f.consult().Decision(1)
		if !d.Converted() || d.ConvertedBy.OpenID != member.OpenID || d.Measure != "措施 1" {
			t.Errorf("decision after 转为措施 = %+v", d)
		}
		for _, r := range resps {
			if r.Card == nil || !strings.Contains(r.Card.Text(), "✅ 已转为方案措施 措施 1（赵建）") {
				t.Errorf("response %+v", r)
			}
		}
		again := f.clickValue(member, bot.ActionConsultMeasure, value)
		wantIn(t, again.Toast, "已于 2026-03-20 16:00 由 赵建 转为方案措施，无需再转")
		if len(planMeasures(t, f.harness, f.a)) != 1 {
			t.Errorf("a third click added a measure")
		}
		wantIn(t, f.reply(member, "历史 "+string(f.a)), "会诊 转为措施")
		wantIn(t, f.reply(member, "方案 查看 "+string(f.a)), "按回迁安置政策重新核定面积")
	})
	t.Run("TypedCommand", func(t *testing.T) {
		r := f.reply(member, "会诊 转为措施 "+id+" 2")
		wantIn(t, r, "会诊 HZ-2026-0001 决定 2 已转为 "+string(f.b)+" 的方案措施", "已添加措施 1")
		if got := planMeasures(t, f.harness, f.b); len(got) != 1 || !strings.Contains(got[0], "软·调解 组织物业与业主调解") {
			t.Errorf("typed 转为措施 added %q", got)
		}
		wantIn(t, f.reply(member, "会诊 转为措施 "+id+" 2"), "无需再转")
		wantIn(t, f.reply(member, "会诊 转为措施 "+id+" 9"), "没有决定 9")
		wantIn(t, f.reply(member, "会诊 转为措施 "+id), "请写决定的序号", "用法：会诊 转为措施")
		wantIn(t, f.reply(member, "会诊 转为措施 "+id+" 1 马上"), "多了参数“马上”")
	})
	t.Run("NoDueAsksForOne", func(t *testing.T) {
		f.say(member, "会诊 决定 "+id+" "+string(f.a)+" 软:疏导 属地每周上门走访")
		resp := f.clickValue(member, bot.ActionConsultMeasure, map[string]string{"id": id, "d": "3", "g": "0", "c": "oc_p2p_" + member.OpenID})
		wantIn(t, resp.Toast, "决定 3 没有写期限", "会诊 转为措施 HZ-2026-0001 3 期限:日期")
		if len(planMeasures(t, f.harness, f.a)) != 1 {
			t.Errorf("a decision without 期限 was converted")
		}
		wantIn(t, f.reply(member, "会诊 转为措施 "+id+" 3 期限:3月1日"), "期限 2026-03-01 已经过去")
		wantIn(t, f.reply(member, "会诊 转为措施 "+id+" 3 期限:4月20日"), "决定 3 已转为")
		if got := planMeasures(t, f.harness, f.a); len(got) != 2 || !strings.HasPrefix(got[1], "2 软·疏导 属地每周上门走访 ") || !strings.HasSuffix(got[1], " 2026-04-20") {
			t.Errorf("plan measures %q, want the second with the 期限 given", got)
		}
		if d := f.consult().Decision(3); d.Due != xfbot.NewDate(2026, 4, 20) || !d.Converted() {
			t.Errorf("decision 3 = %+v", d)
		}
	})
	t.Run("ThePlansRefusalReachesTheClicker", func(t *testing.T) {
		f.say(admin, "销号 "+string(f.b)+" 测试") // not resolved: refused, the case stays open
		f.say(member, "化解 "+string(f.b)+" 已签订息诉罢访协议")
		f.say(member, "会诊 决定 "+id+" "+string(f.b)+" 软:疏导 回访 期限:4月15日")
		resp := f.clickValue(member, bot.ActionConsultMeasure, map[string]string{"id": id, "d": "4", "g": "0", "c": "oc_p2p_" + member.OpenID})
		wantIn(t, resp.Toast, "已化解，不能再添加方案措施")
		if f.consult().Decision(4).Converted() {
			t.Errorf("a refused 方案 措施 marked the decision converted")
		}
	})
}
