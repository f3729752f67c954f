package handlers_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/bot"
	"github.com/qingchuan/xfbot/handlers"
	"github.com/qingchuan/xfbot/internal/testredis"
	"github.com/qingchuan/xfbot/report"
	"github.com/qingchuan/xfbot/store"
)

// orgDept is the configured 组织部 contact: no member record.
var orgDept = xfbot.Person{OpenID: "ou_org", Name: "组织部李某"}

// newRosterHarness is newHarness with a 组织部 contact configured.
func newRosterHarness(t *testing.T, opts ...func(*handlers.Handlers)) *harness {
	t.Helper()
	rdb, prefix := testredis.New(t)
	h := &harness{t: t, rdb: rdb, prefix: prefix, st: store.New(rdb, prefix), now: time.Date(2026, 3, 16, 9, 0, 0, 0, loc), reader: "test"}
	h.mux = bot.NewMux(h.st, bot.MuxOptions{Admins: []string{admin.OpenID}, Location: loc})
	h.reports = &report.Reports{Store: h.st, Thresholds: xfbot.DefaultThresholds, Location: loc}
	hs := &handlers.Handlers{Store: h.st, Thresholds: xfbot.DefaultThresholds, GroupChatID: groupChat,
		Reports: h.reports, OrgContacts: []string{orgDept.OpenID}}
	for _, o := range opts {
		o(hs)
	}
	handlers.Register(h.mux, hs)
	tx := h.st.NewTx()
	tx.PutMember(xfbot.Member{OpenID: member.OpenID, Name: member.Name, Role: xfbot.RoleMember, Unit: "区司法局"})
	tx.PutMember(xfbot.Member{OpenID: member2.OpenID, Name: member2.Name, Role: xfbot.RoleMember})
	tx.PutMember(xfbot.Member{OpenID: leader.OpenID, Name: leader.Name, Role: xfbot.RoleLeader})
	tx.PutMember(xfbot.Member{OpenID: viewer.OpenID, Name: viewer.Name, Role: xfbot.RoleViewer})
	if _, err := h.st.Commit(context.Background(), tx); err != nil {
		t.Fatal(err)
	}
	if err := h.st.EnsureOutboxGroup(context.Background()); err != nil {
		t.Fatal(err)
	}
	return h
}

func (h *harness) memberRecord(p xfbot.Person) xfbot.Member {
	h.t.Helper()
	l, err := h.st.Load(context.Background(), p.OpenID, "")
	if err != nil || l.Member == nil {
		h.t.Fatalf("load member %s: %v", p.OpenID, err)
	}
	return *l.Member
}

func at(ps ...xfbot.Person) msg { return msg{mentions: ps} }

// The proof of issue 11: 召回 is refused while the member still owns an
// open case, and lists what to hand over; a partial hand-over is not
// enough; after 成员 移交 … 全部 it goes through, and the record is kept.
func TestRecallRefusedUntilHandOverIsComplete(t *testing.T) {
	h := newRosterHarness(t)
	a := h.newCase("桂园社区回迁安置房延期交付 属地:云溪街道")
	b := h.newCase("东湖村土地承包经营权纠纷 属地:石桥镇")
	for _, no := range []xfbot.CaseNo{a, b} {
		wantIn(t, h.reply(admin, "指派 "+string(no)+" @赵建", at(member)), "包案人：赵建")
	}
	later := h.newCase("新城社区物业维修基金")
	closed := h.newCase("望江社区噪声扰民 属地:桂园街道")
	h.reply(admin, "指派 "+string(closed)+" @赵建", at(member))
	h.reply(member, "化解 "+string(closed)+" 已协调施工方调整作业时间")

	recall := "成员 召回 @赵建 敷衍应付 多次未按期下访，包案进展长期不更新"
	steps := []struct {
		name    string
		before  string // a command sent first ("" for none)
		mention []xfbot.Person
		want    []string
		notWant []string
		gone    bool
	}{
		{name: "two open cases", want: []string{"暂不能召回 赵建", "还有 2 项", string(a), string(b), "成员 移交 @赵建 @新负责人 全部"}, notWant: []string{string(closed)}},
		{name: "one handed over, one left", before: "成员 移交 @赵建 @钱秀兰 " + string(a), mention: []xfbot.Person{member, member2},
			want: []string{"暂不能召回", "还有 1 项", string(b)}, notWant: []string{string(a)}},
		{name: "all handed over", before: "成员 移交 @赵建 @钱秀兰 全部", mention: []xfbot.Person{member, member2},
			want: []string{"已召回 赵建（敷衍应付）", "已私信组织部联络人（1 人）"}, gone: true},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			if st.before != "" {
				wantIn(t, h.reply(admin, st.before, at(st.mention...)), "✅ 已将 赵建 的包案案件")
			}
			out := h.say(admin, recall, at(member))
			wantIn(t, out[0].Text, st.want...)
			wantNotIn(t, out[0].Text, st.notWant...)
			m := h.memberRecord(member)
			if m.Gone() != st.gone {
				t.Fatalf("after %q the member's status is %s", st.name, m.StatusOn(xfbot.DateOf(h.now, loc)).Label())
			}
			if !st.gone {
				if len(out) != 1 {
					t.Errorf("a refused recall sent %d messages", len(out))
				}
				return
			}
			if m.Role != "" || m.FormerRole != xfbot.RoleMember || m.Out != xfbot.Recalled {
				t.Errorf("recalled member record = %+v", m)
			}
			var org *store.OutboundMessage
			for i := range out {
				if out[i].ReceiveID == orgDept.OpenID {
					org = &out[i]
				}
				if out[i].ChatID == groupChat || out[i].ReceiveID == groupChat {
					t.Errorf("the recall went to the group: %s", out[i].Text)
				}
			}
			if org == nil {
				t.Fatalf("the 组织部 contact got no DM: %+v", out)
			}
			wantIn(t, org.Text, "赵建", "敷衍应付", "多次未按期下访", "待确认")
			wantIn(t, org.Content, bot.ActionRecallAck)
		})
	}
	// Both cases are 钱秀兰's now, with the change in their history; the
	// resolved case stays 赵建's.
	for _, no := range []xfbot.CaseNo{a, b} {
		if c := h.load(no); c.Owner.OpenID != member2.OpenID {
			t.Errorf("%s owner = %v", no, c.Owner)
		}
		wantIn(t, h.reply(admin, "历史 "+string(no)), "包案人", "赵建", "钱秀兰")
	}
	if c := h.load(closed); c.Owner.OpenID != member.OpenID {
		t.Errorf("the resolved case moved to %v", c.Owner)
	}
	wantIn(t, h.reply(member2, "我的"), string(a), string(b))
	// A recalled member can no longer use the bot nor take a case.
	wantIn(t, h.reply(member, "我的"), "还不是专班成员")
	wantIn(t, h.reply(admin, "指派 "+string(later)+" @赵建", at(member)), "不能包案")
	wantIn(t, h.reply(admin, recall, at(member)), "赵建 已召回（2026-03-16），不在专班，不能召回")
}

func TestRecallInputs(t *testing.T) {
	h := newRosterHarness(t)
	for _, tt := range []struct {
		name, text string
		by         xfbot.Person
		mention    []xfbot.Person
		group      bool
		want       string
	}{
		{"no one", "成员 召回 敷衍应付 说明", admin, nil, false, "请 @ 要召回的成员"},
		{"no reason", "成员 召回 @赵建", admin, []xfbot.Person{member}, false, "缺少召回原因类别，可选：敷衍应付、心不在焉、不胜任、违反纪律、工作需要、其他"},
		{"unknown reason", "成员 召回 @赵建 看不惯 说明", admin, []xfbot.Person{member}, false, "召回原因类别“看不惯”不认识"},
		{"no text", "成员 召回 @赵建 不胜任", admin, []xfbot.Person{member}, false, "缺少召回说明"},
		{"oneself", "成员 召回 @陈某 其他 说明", admin, []xfbot.Person{admin}, false, "不能召回自己"},
		{"a member", "成员 召回 @钱秀兰 其他 说明", member, []xfbot.Person{member2}, false, "只有专班负责人可以召回成员"},
		{"in the group", "成员 召回 @赵建 其他 说明", admin, []xfbot.Person{member}, true, "只能在私聊中使用"},
		{"a stranger", "成员 召回 @路人 其他 说明", admin, []xfbot.Person{stranger}, false, "路人 不是成员"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			wantIn(t, h.reply(tt.by, tt.text, msg{mentions: tt.mention, group: tt.group}), tt.want)
		})
	}
	if m := h.memberRecord(member); m.Gone() {
		t.Error("a refused recall took the member off the roster")
	}
}

func TestRecallRecordsAndConfirmation(t *testing.T) {
	h := newRosterHarness(t)
	out := h.say(admin, "成员 召回 @赵建 违反纪律 擅自离岗三天", at(member))
	wantIn(t, out[0].Text, "已召回 赵建（违反纪律）")
	// Only the lead and the 组织部 contact read the records, in private.
	wantIn(t, h.reply(member2, "成员 召回记录"), "只向专班负责人和组织部联络人开放")
	wantIn(t, h.reply(stranger, "成员 召回记录"), "只向专班负责人和组织部联络人开放")
	wantIn(t, h.reply(admin, "成员 召回记录", msg{group: true}), "只能在私聊中使用")
	lead := h.reply(admin, "成员 召回记录")
	wantIn(t, lead, "召回记录（共 1 条）", "赵建（区司法局）", "违反纪律", "擅自离岗三天", "决定人：陈某", "组织部：待确认")
	org := h.say(orgDept, "成员 召回记录")[0]
	wantIn(t, org.Text, "擅自离岗三天")
	wantIn(t, org.Content, bot.ActionRecallAck)
	recs, err := h.st.Recalls(context.Background())
	if err != nil || len(recs) != 1 {
		t.Fatalf("recalls = %v, %v", recs, err)
	}
	id := recs[0].ID
	// The lead cannot confirm for the 组织部.
	if r := h.clickValue(admin, bot.ActionRecallAck, map[string]string{"id": id}); !strings.Contains(r.Toast, "由组织部联络人确认") {
		t.Errorf("the lead's 已记录: %q", r.Toast)
	}
	r := h.clickValue(orgDept, bot.ActionRecallAck, map[string]string{"id": id})
	if r.Toast != "已记录" {
		t.Errorf("toast = %q", r.Toast)
	}
	notes := h.drain()
	if len(notes) != 1 || notes[0].ReceiveID != admin.OpenID || !strings.Contains(notes[0].Text, "已确认记录 赵建 的召回") {
		t.Errorf("the lead was not told: %+v", notes)
	}
	again := h.clickValue(orgDept, bot.ActionRecallAck, map[string]string{"id": id})
	wantIn(t, again.Toast, "已于 2026-03-16 09:00 由 组织部李某 确认已记录")
	recs, _ = h.st.Recalls(context.Background())
	if !recs[0].Confirmed || recs[0].ConfirmedBy.OpenID != orgDept.OpenID {
		t.Errorf("record after 已记录: %+v", recs[0])
	}
	wantIn(t, h.reply(admin, "成员 召回记录"), "组织部：✅ 已记录（组织部李某，2026-03-16 09:00）")
	// The group's member list says 已离开, never why.
	list := h.reply(member2, "成员 列表", msg{group: true})
	wantIn(t, list, "已离开专班", "赵建（区司法局） · 已离开 2026-03-16")
	wantNotIn(t, list, "召回", "违反纪律")
	wantIn(t, h.reply(admin, "成员 列表"), "赵建（区司法局） · 已召回 2026-03-16")
}

func TestLeave(t *testing.T) {
	h := newRosterHarness(t) // today: 2026-03-16
	for _, tt := range []struct {
		name, text string
		by         xfbot.Person
		mention    []xfbot.Person
		want       string
	}{
		{"no stand-in", "成员 请假 @赵建 3月18日至3月20日", admin, []xfbot.Person{member}, "请写明代理人（代理:@人）"},
		{"代理: without an @", "成员 请假 @赵建 3月18日至3月20日 代理:", admin, []xfbot.Person{member}, "“代理:”后面请 @ 代理人"},
		{"no dates", "成员 请假 @赵建 代理:@钱秀兰", admin, []xfbot.Person{member, member2}, "缺少请假日期"},
		{"bad date", "成员 请假 @赵建 下下下周至3月20日 代理:@钱秀兰", admin, []xfbot.Person{member, member2}, "日期“下下下周”看不懂"},
		{"end before start", "成员 请假 @赵建 3月20日至3月18日 代理:@钱秀兰", admin, []xfbot.Person{member, member2}, "结束日期 2026-03-18 早于开始日期 2026-03-20"},
		{"over already", "成员 请假 @赵建 3月2日至3月6日 代理:@钱秀兰", admin, []xfbot.Person{member, member2}, "已经过去了"},
		{"stand-in is the member", "成员 请假 @赵建 3月18日至3月20日 代理:@赵建", admin, []xfbot.Person{member, member}, "代理人不能是请假的本人"},
		{"stand-in a leader", "成员 请假 @赵建 3月18日至3月20日 代理:@周某", admin, []xfbot.Person{member, leader}, "代理人须是在岗的专班成员或管理员"},
		{"stand-in no member", "成员 请假 @赵建 3月18日至3月20日 代理:@路人", admin, []xfbot.Person{member, stranger}, "代理人 路人 不是成员"},
		{"for another, as a member", "成员 请假 @钱秀兰 3月18日至3月20日 代理:@赵建", member, []xfbot.Person{member2, member}, "只有专班管理员可以为他人办理请假"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			wantIn(t, h.reply(tt.by, tt.text, at(tt.mention...)), tt.want)
		})
	}
	if m := h.memberRecord(member); !m.Leave.IsZero() {
		t.Fatalf("a refused leave was written: %+v", m.Leave)
	}
	// A member for themself, the stand-in told.
	out := h.say(member, "成员 请假 3月18日 至 3月20日 代理:@钱秀兰 参加市里培训", at(member2))
	wantIn(t, out[0].Text, "已登记 赵建 请假 2026-03-18至2026-03-20（3 天），代理人 钱秀兰", "2026-03-21 起自动恢复在岗")
	if len(out) != 2 || out[1].ReceiveID != member2.OpenID {
		t.Errorf("the stand-in was not told: %+v", out)
	}
	m := h.memberRecord(member)
	if m.Leave.StandIn.OpenID != member2.OpenID || m.Leave.Reason != "参加市里培训" {
		t.Errorf("leave = %+v", m.Leave)
	}
	wantIn(t, h.reply(member2, "成员 列表"), "赵建（区司法局） · 在岗（2026-03-18至2026-03-20 请假，代理 钱秀兰）")
	h.now = h.now.AddDate(0, 0, 2)
	wantIn(t, h.reply(member2, "成员 列表"), "赵建（区司法局） · 请假 2026-03-18至2026-03-20，代理 钱秀兰")
	out = h.say(admin, "成员 销假 @赵建", at(member))
	wantIn(t, out[0].Text, "赵建 已销假，今天起在岗；办理提醒不再转给代理人 钱秀兰")
	wantIn(t, h.reply(admin, "成员 销假 @赵建", at(member)), "赵建 没有未结束的请假，当前在岗")
}

func TestTermAndInspector(t *testing.T) {
	h := newRosterHarness(t)
	wantIn(t, h.reply(admin, "成员 借调 @赵建 2026-03-01至2026-08-31", at(member)), "赵建：借调 2026-03-01 起，计划 2026-08-31 期满", "期满前 3 个工作日提醒")
	wantIn(t, h.reply(admin, "成员 借调 @赵建 2026-03-01至2026-03-10", at(member)), "计划结束日期 2026-03-10 已过")
	wantIn(t, h.reply(admin, "成员 借调 @赵建", at(member)), "缺少加入日期")
	wantIn(t, h.reply(member, "成员 借调 @赵建 2026-03-01", at(member)), "只有专班管理员可以管理成员")
	wantIn(t, h.reply(admin, "成员 督查专员 @赵建 是", at(member)), "赵建 设为信访督查专员")
	wantIn(t, h.reply(admin, "成员 督查专员 @赵建 是", at(member)), "赵建 已经是督查专员")
	wantIn(t, h.reply(admin, "成员 督查专员 @赵建 也许", at(member)), "“也许”看不懂：请写 是 或 否")
	wantIn(t, h.reply(admin, "成员 督查专员 @周某 是", at(leader)), "督查专员须是专班成员")
	m := h.memberRecord(member)
	if !m.Inspector || m.Joined != xfbot.NewDate(2026, 3, 1) || m.PlannedEnd != xfbot.NewDate(2026, 8, 31) {
		t.Errorf("member = %+v", m)
	}
	// 成员 添加 keeps the roster; 添加 … 督查专员 sets the flag.
	wantIn(t, h.reply(admin, "成员 添加 @赵建 专班成员 区信访局", at(member)), "专班成员（信访督查专员）（区信访局）")
	if m := h.memberRecord(member); !m.Inspector || m.PlannedEnd.IsZero() {
		t.Errorf("成员 添加 lost the roster: %+v", m)
	}
	wantIn(t, h.reply(admin, "成员 添加 @孙海 督查专员 区人社局", at(xfbot.Person{OpenID: "ou_sun", Name: "孙海"})), "孙海 设为专班成员（信访督查专员）（区人社局）")
	wantIn(t, h.reply(admin, "成员 列表"), "孙海（区人社局） · 督查专员 · 在岗 · 借调 2026-03-16 起，未定结束日期")
	// 期满: the same hand-over first, no recall record.
	no := h.newCase("杨柳村集体收益分配")
	h.reply(admin, "指派 "+string(no)+" @孙海", at(xfbot.Person{OpenID: "ou_sun", Name: "孙海"}))
	wantIn(t, h.reply(admin, "成员 期满 @孙海", at(xfbot.Person{OpenID: "ou_sun"})), "暂不能办理期满返回 孙海", string(no))
	wantIn(t, h.reply(admin, "成员 移交 @孙海 @赵建", at(xfbot.Person{OpenID: "ou_sun"}, member)), "已将 孙海 的包案案件 1 件（"+string(no)+"）、方案措施 0 项、督查单 0 件移交给 赵建")
	wantIn(t, h.reply(admin, "成员 期满 @孙海", at(xfbot.Person{OpenID: "ou_sun"})), "孙海 借调期满返回（2026-03-16）")
	if recs, _ := h.st.Recalls(context.Background()); len(recs) != 0 {
		t.Errorf("期满 wrote a recall record: %+v", recs)
	}
}

func TestHandOverInputs(t *testing.T) {
	h := newRosterHarness(t)
	no := h.newCase("桂园社区回迁安置房延期交付")
	h.reply(admin, "指派 "+string(no)+" @赵建", at(member))
	for _, tt := range []struct {
		name, text string
		mention    []xfbot.Person
		want       string
	}{
		{"one person", "成员 移交 @赵建", []xfbot.Person{member}, "请先 @ 原负责人，再 @ 新负责人（共两位），您 @ 了 1 位"},
		{"the same", "成员 移交 @赵建 @赵建", []xfbot.Person{member, member}, "原负责人和新负责人是同一人"},
		{"to a leader", "成员 移交 @赵建 @周某", []xfbot.Person{member, leader}, "新负责人须是在岗的专班成员或管理员"},
		{"to a stranger", "成员 移交 @赵建 @路人", []xfbot.Person{member, stranger}, "新负责人 路人 不是成员"},
		{"not a case number", "成员 移交 @赵建 @钱秀兰 一半", []xfbot.Person{member, member2}, "“一半”不是案件号"},
		{"not theirs", "成员 移交 @赵建 @钱秀兰 XF-2026-0999", []xfbot.Person{member, member2}, "XF-2026-0999 不是 赵建 在办的包案案件"},
		{"both", "成员 移交 @赵建 @钱秀兰 全部 " + string(no), []xfbot.Person{member, member2}, "“全部”和案件号只能写一种"},
		{"nothing to move", "成员 移交 @钱秀兰 @赵建", []xfbot.Person{member2, member}, "钱秀兰 没有需要移交的在办案件"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			wantIn(t, h.reply(admin, tt.text, at(tt.mention...)), tt.want)
		})
	}
	wantIn(t, h.reply(member, "成员 移交 @赵建 @钱秀兰", at(member, member2)), "只有专班管理员可以管理成员")
	if c := h.load(no); c.Owner.OpenID != member.OpenID {
		t.Errorf("a refused hand-over moved the case to %v", c.Owner)
	}
}

// 统计 成员: each member's load and timeliness as figures, by name, for
// admins in private; a member on leave or who left keeps their figures.
func TestMemberStatsWithTheRoster(t *testing.T) {
	h := newRosterHarness(t)
	a := h.newCase("桂园社区回迁安置房延期交付 受理:2026-03-02")
	h.reply(admin, "指派 "+string(a)+" @赵建", at(member))
	h.reply(member, "化解 "+string(a)+" 已签订息诉罢访协议")
	b := h.newCase("东湖村土地承包经营权纠纷")
	h.reply(admin, "指派 "+string(b)+" @钱秀兰", at(member2))
	h.reply(admin, "成员 请假 @钱秀兰 3月16日至3月20日 代理:@赵建", at(member2, member))
	r := h.reply(admin, "统计 成员")
	wantIn(t, r, "赵建：在办 0 件（超期 0），进展更新及时率 —，本期化解 1、销号 0，下访接谈 0 次，按期化解率 100.0%",
		"钱秀兰（请假）：在办 1 件（超期 0）", "不排名")
	if i, j := strings.Index(r, "赵建："), strings.Index(r, "钱秀兰（请假）："); i < 0 || j < 0 || i > j {
		t.Errorf("not in the order of names:\n%s", r)
	}
	wantIn(t, h.reply(member, "统计 成员"), "成员统计只向专班管理员开放")
	wantIn(t, h.reply(admin, "统计 成员", msg{group: true}), "成员统计不在群里发送")
	// Recalled after handing over: still listed with the period's work.
	h.reply(admin, "成员 销假 @钱秀兰", at(member2))
	h.reply(admin, "成员 召回 @赵建 工作需要 原单位急需", at(member))
	wantIn(t, h.reply(admin, "统计 成员"), "赵建（已召回）：在办 0 件（超期 0），进展更新及时率 —，本期化解 1")
}

// The demo ledger has a member on leave with a stand-in and a recall
// record waiting for the 组织部; the recalled member owns no open case.
func TestDemoRoster(t *testing.T) {
	h := newRosterHarness(t, func(hs *handlers.Handlers) { hs.Demo = true })
	r := h.reply(admin, "演示数据")
	wantIn(t, r, "请假中", "已召回")
	list := h.reply(admin, "成员 列表")
	wantIn(t, list, "督查专员 · 请假 2026-03-15至2026-03-19，代理 ", "已离开专班", "已召回 2026-03-16", "计划 2026-03-23 期满")
	recs, err := h.st.Recalls(context.Background())
	if err != nil || len(recs) != 1 || recs[0].Confirmed {
		t.Fatalf("demo recalls = %+v, %v", recs, err)
	}
	nos, err := h.st.Range(context.Background(), store.Query{Index: store.IndexOwner(recs[0].Member.OpenID)})
	if err != nil || len(nos) != 0 {
		t.Errorf("the recalled demo member still owns %v (%v)", nos, err)
	}
	wantIn(t, h.reply(orgDept, "成员 召回记录"), recs[0].Member.Name, "敷衍应付", "待确认")
}
