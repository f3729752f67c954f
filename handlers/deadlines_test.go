package handlers_test

import (
	"strings"
	"testing"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/bot"
	"github.com/qingchuan/xfbot/store"
)

// sentTo returns the messages addressed to open_id among out.
func sentTo(out []store.OutboundMessage, openID string) []store.OutboundMessage {
	var r []store.OutboundMessage
	for _, m := range out {
		if m.ReceiveIDType == "open_id" && m.ReceiveID == openID {
			r = append(r, m)
		}
	}
	return r
}

func TestSetDue(t *testing.T) {
	// h.now is 2026-03-16; a case accepted 2026-03-01 is due 2026-04-30 and
	// may run at most to 2026-05-30 (+30), a Saturday, rolled to 2026-06-01.
	setup := func(t *testing.T) (*harness, xfbot.CaseNo) {
		h := newHarness(t)
		no := h.newCase("期限 受理:2026-03-01")
		h.reply(admin, "指派 "+string(no)+" @赵建", msg{mentions: []xfbot.Person{member}})
		return h, no
	}
	t.Run("OnlyTheLead", func(t *testing.T) {
		h, no := setup(t)
		for _, p := range []xfbot.Person{member, liaison, leader} {
			if p == liaison {
				h.reply(admin, "单位 "+string(no)+" 区住建局")
			}
			r := h.reply(p, "期限 "+string(no)+" 2026-05-20 来不及")
			wantIn(t, r, "办结期限由专班负责人设定", "延期 <案件号> <天数> <理由>")
		}
		if c := h.load(no); c.Due.String() != "2026-04-30" || !c.DueOverride.IsZero() {
			t.Fatalf("due moved by a refused command: %s %s", c.Due, c.DueOverride)
		}
		wantNotIn(t, h.reply(admin, "历史 "+string(no)), "期限：", "2026-05-20")
	})
	t.Run("NeedsReason", func(t *testing.T) {
		h, no := setup(t)
		wantIn(t, h.reply(admin, "期限 "+string(no)+" 2026-05-20"), "缺少设定期限的理由", "用法：期限")
		wantIn(t, h.reply(admin, "期限 "+string(no)+" 2026-13-40 理由"), "2026-13-40")
		wantIn(t, h.reply(admin, "期限 "+string(no)+" 2026-02-01 理由"), "早于受理日期")
		wantIn(t, h.reply(admin, "期限 "+string(no)+" 国庆后 理由"), "看不懂", "下周三")
	})
	t.Run("WordsPeopleType", func(t *testing.T) {
		h, no := setup(t) // today is Monday 2026-03-16
		wantIn(t, h.reply(admin, "期限 "+string(no)+" 下周三 等待鉴定"), "期限改为 2026-03-25", "下周三 → 2026-03-25 星期三")
		wantIn(t, h.reply(admin, "期限 "+string(no)+" 4月30日 等待鉴定"), "期限改为 2026-04-30")
		wantIn(t, h.reply(admin, "期限 "+string(no)+" 20个工作日后 等待鉴定"), "期限改为 2026-04-13")
	})
	t.Run("StatutoryCap", func(t *testing.T) {
		h, no := setup(t)
		r := h.reply(admin, "期限 "+string(no)+" 2026-09-27 来不及")
		wantIn(t, r, "超过法定最长期限 2026-06-01", "重新受理", "内部化解目标")
		if c := h.load(no); c.Due.String() != "2026-04-30" {
			t.Fatalf("due %s", c.Due)
		}
		// Right at the limit is allowed; the Saturday rolls to Monday.
		wantIn(t, h.reply(admin, "期限 "+string(no)+" 2026-05-30 等待鉴定结论"), "期限改为 2026-06-01", "休息日")
	})
	t.Run("TargetBeyondLimitIsMarked", func(t *testing.T) {
		h, no := setup(t)
		out := h.say(admin, "期限 "+string(no)+" 2026-09-28 内部化解目标 信访人同意分期化解")
		wantIn(t, out[0].Text, "期限改为 2026-09-28", "内部化解目标")
		c := h.load(no)
		if !c.DueTarget || c.Due.String() != "2026-09-28" {
			t.Fatalf("target %v due %s", c.DueTarget, c.Due)
		}
		wantIn(t, h.reply(member, "查看 "+string(no)), "超出法定期限", "内部化解目标：信访人同意分期化解")
		// The owner hears of it; the lead sent it and reads the reply.
		told := sentTo(out, member.OpenID)
		if len(told) != 1 {
			t.Fatalf("owner told %d times: %+v", len(told), out)
		}
		wantIn(t, told[0].Text, "2026-04-30", "2026-09-28", "信访人同意分期化解", "陈某")
		wantIn(t, h.reply(admin, "历史 "+string(no)), "期限：2026-04-30 → 2026-09-28", "理由：信访人同意分期化解")
	})
	t.Run("KeepsExtensionRecord", func(t *testing.T) {
		h, no := setup(t)
		wantIn(t, h.reply(admin, "延期 "+string(no)+" 20 需第三方评估"), "已延期 20 天", "2026-05-20")
		wantIn(t, h.reply(admin, "期限 "+string(no)+" 2026-05-25 评估推迟"), "期限改为 2026-05-25")
		c := h.load(no)
		if c.ExtensionDays != 20 || c.Due.String() != "2026-05-25" {
			t.Fatalf("ext %d due %s", c.ExtensionDays, c.Due)
		}
		wantIn(t, h.reply(admin, "延期 "+string(no)+" 5 再延"), "已延期一次")
		wantIn(t, h.reply(admin, "查看 "+string(no)), "已延期 20 天")
	})
	t.Run("PausesPushASetDeadline", func(t *testing.T) {
		// Set to Saturday 2026-04-25: rolled to Monday 04-27, whether the
		// clock runs, is paused or resumed the same day; paused days after
		// the day it was set push it (like acceptance, that day itself does
		// not count).
		h, no := setup(t)
		wantIn(t, h.reply(admin, "期限 "+string(no)+" 2026-04-25 等待鉴定"), "期限改为 2026-04-27")
		h.reply(member, "暂停计时 "+string(no)+" 组织听证")
		h.reply(member, "恢复计时 "+string(no))
		if c := h.load(no); c.Due.String() != "2026-04-27" {
			t.Fatalf("after a same-day pause: %s", c.Due)
		}
		h.reply(member, "暂停计时 "+string(no)+" 组织听证")
		h.now = h.now.AddDate(0, 0, 3) // 03-19: paused 03-16..03-18, two counted days
		h.reply(member, "恢复计时 "+string(no))
		if c := h.load(no); c.Due.String() != "2026-04-29" {
			t.Fatalf("after three paused days: %s", c.Due)
		}
	})
}

// A pause moves the deadline: the supervised unit may not pause its own
// case, and the lead hears of every pause and resume.
func TestPausesAreTheTaskForcesAct(t *testing.T) {
	h := newHarness(t)
	no := string(h.newCase("听证 受理:2026-03-01 单位:区住建局"))
	wantIn(t, h.reply(liaison, "暂停计时 "+no+" 组织听证"), "暂停计时由专班成员办理")
	if c := h.load(xfbot.CaseNo(no)); c.Paused() {
		t.Fatal("paused by a refused command")
	}
	out := h.say(member, "暂停计时 "+no+" 组织听证")
	wantIn(t, sentTo(out, admin.OpenID)[0].Text, "赵建 暂停了 "+no+" 的计时", "组织听证")
	h.now = h.now.AddDate(0, 0, 5)
	wantIn(t, h.reply(liaison, "恢复计时 "+no), "恢复计时由专班成员办理")
	out = h.say(member, "恢复计时 "+no)
	wantIn(t, sentTo(out, admin.OpenID)[0].Text, "恢复了 "+no+" 的计时：暂停 5 天", "→ 2026-05-05")
}

func TestRegisterWithDue(t *testing.T) {
	h := newHarness(t)
	wantIn(t, h.reply(member, "新建 旧案 受理:2026-01-05 期限:2026-08-01"), "超过法定最长期限 2026-04-06")
	no := h.newCase("旧案 受理:2026-01-05 期限:2026-04-03")
	c := h.load(no)
	if c.Due.String() != "2026-04-03" || c.DueReason == "" {
		t.Fatalf("due %s reason %q", c.Due, c.DueReason)
	}
	wantIn(t, h.reply(member, "查看 "+string(no)), "登记时的既有期限")
	// The words people type: a day without its year, 昨天.
	no = h.newCase("旧案 受理:3月1日 期限:4月30日")
	if c := h.load(no); c.AcceptedOn.String() != "2026-03-01" || c.Due.String() != "2026-04-30" {
		t.Fatalf("accepted %s due %s", c.AcceptedOn, c.Due)
	}
	no = h.newCase("昨天来访 受理:昨天")
	if c := h.load(no); c.AcceptedOn.String() != "2026-03-15" {
		t.Fatalf("accepted %s", c.AcceptedOn)
	}
	wantIn(t, h.reply(member, "新建 明天受理 受理:明天"), "读作 2026-03-17 星期二", "已经发生的日期")
}

func TestExtensionApplication(t *testing.T) {
	setup := func(t *testing.T) (*harness, xfbot.CaseNo) {
		h := newHarness(t)
		no := h.newCase("期限 受理:2026-03-01 单位:区住建局")
		return h, no
	}
	t.Run("MemberApplies", func(t *testing.T) {
		h, no := setup(t)
		out := h.say(member, "延期 "+string(no)+" 20 需第三方评估")
		wantIn(t, out[0].Text, "已提交延期申请（20 天）", "待专班负责人批准", "2026-05-20")
		c := h.load(no)
		if c.Due.String() != "2026-04-30" || c.ExtensionDays != 0 || c.ExtensionRequest == nil || c.ExtensionRequest.Days != 20 {
			t.Fatalf("case after application: due %s ext %d req %+v", c.Due, c.ExtensionDays, c.ExtensionRequest)
		}
		card := sentTo(out, admin.OpenID)
		if len(card) != 1 || card[0].MsgType != "interactive" {
			t.Fatalf("lead's card: %+v", out)
		}
		wantIn(t, card[0].Content, bot.ActionExtendApprove, bot.ActionExtendRejectForm)
		wantIn(t, card[0].Text, "赵建 申请延期 20 天")
		wantIn(t, h.reply(member, "查看 "+string(no)), "申请延期 20 天，待负责人批准")
		pending := h.say(admin, "提醒 查看")[0]
		wantIn(t, pending.Text, "待审批延期申请 1 件", string(no), "赵建 申请延期 20 天：需第三方评估")
		wantIn(t, pending.Content, bot.ActionExtendApprove)
		wantIn(t, h.reply(member2, "延期 "+string(no)+" 10 另一个理由"), "已有延期申请待负责人批准")
	})
	t.Run("LeadApprovesByButton", func(t *testing.T) {
		h, no := setup(t)
		h.say(member, "延期 "+string(no)+" 20 需第三方评估")
		resp := h.click(admin, bot.ActionExtendApprove, no, "oc_p2p_"+admin.OpenID, nil)
		wantIn(t, resp.Toast, "已延期 20 天，新期限 2026-05-20")
		out := h.drain()
		told := sentTo(out, member.OpenID)
		if len(told) != 1 {
			t.Fatalf("applicant told %d times: %+v", len(told), out)
		}
		wantIn(t, told[0].Text, "已由 陈某 批准", "2026-05-20")
		c := h.load(no)
		if c.ExtensionDays != 20 || c.ExtensionRequest != nil || c.Due.String() != "2026-05-20" {
			t.Fatalf("after approval: %+v", c)
		}
		resp = h.click(admin, bot.ActionExtendApprove, no, "oc_p2p_"+admin.OpenID, nil)
		wantIn(t, resp.Toast, "没有待批准的延期申请")
		wantIn(t, h.reply(member, "延期 "+string(no)+" 5 再延"), "已延期一次")
	})
	t.Run("LeadRejects", func(t *testing.T) {
		h, no := setup(t)
		h.say(liaison, "延期 "+string(no)+" 20 需第三方评估")
		out := h.say(admin, "驳回延期 "+string(no)+" 理由不充分")
		wantIn(t, out[0].Text, "延期申请已驳回")
		told := sentTo(out, liaison.OpenID)
		if len(told) != 1 {
			t.Fatalf("applicant told %d times: %+v", len(told), out)
		}
		wantIn(t, told[0].Text, "已被驳回", "理由不充分", "期限仍为 2026-04-30")
		if c := h.load(no); c.ExtensionRequest != nil || c.ExtensionDays != 0 || c.Due.String() != "2026-04-30" {
			t.Fatalf("after rejection: %+v", c)
		}
		// A new application may follow a rejection.
		wantIn(t, h.reply(liaison, "延期 "+string(no)+" 10 补充材料"), "已提交延期申请")
	})
	t.Run("OnlyTheLeadDecides", func(t *testing.T) {
		h, no := setup(t)
		h.say(member, "延期 "+string(no)+" 20 需第三方评估")
		wantIn(t, h.reply(member2, "批准延期 "+string(no)), "延期申请由专班负责人批准")
		for _, p := range []xfbot.Person{member, liaison, leader, viewer} {
			resp := h.click(p, bot.ActionExtendApprove, no, "oc_p2p_"+p.OpenID, nil)
			if !strings.Contains(resp.Toast, "负责人") && !strings.Contains(resp.Toast, "只能查看") {
				t.Errorf("%s pressed 批准: %q", p.Name, resp.Toast)
			}
		}
		if c := h.load(no); c.ExtensionDays != 0 || c.ExtensionRequest == nil {
			t.Fatalf("approved by a forged click: %+v", c)
		}
	})
	t.Run("LapsesAfterTheDeadline", func(t *testing.T) {
		h, no := setup(t)
		h.say(member, "延期 "+string(no)+" 20 需第三方评估")
		h.now = h.now.AddDate(0, 2, 0) // 2026-05-16, past 04-30
		out := h.say(admin, "批准延期 "+string(no))
		wantIn(t, out[0].Text, "延期申请已作废")
		wantIn(t, sentTo(out, member.OpenID)[0].Text, "超期后不能再延期")
		if c := h.load(no); c.ExtensionDays != 0 || c.ExtensionRequest != nil {
			t.Fatalf("after lapse: %+v", c)
		}
	})
	t.Run("LeadsOwnAppliesAtOnce", func(t *testing.T) {
		h, no := setup(t)
		wantIn(t, h.reply(admin, "延期 "+string(no)+" 20 需第三方评估"), "已延期 20 天", "2026-05-20")
		wantIn(t, h.reply(admin, "延期 "+string(no)+" 5 再延"), "已延期一次")
		late := h.newCase("超期 受理:2026-01-01")
		wantIn(t, h.reply(member, "延期 "+string(late)+" 10 来不及"), "超期后不能再延期")
		wantIn(t, h.reply(admin, "延期 "+string(late)+" 10 来不及"), "超期后不能再延期")
	})
	t.Run("NoExtensionPastTheLimit", func(t *testing.T) {
		// A deadline set at the statutory limit leaves no room for one.
		h, no := setup(t)
		h.reply(member, "延期 "+string(no)+" 30 需评估")
		h.reply(admin, "期限 "+string(no)+" 2026-05-30 等待鉴定") // → 06-01, the limit
		out := h.say(admin, "批准延期 "+string(no))
		wantIn(t, out[0].Text, "延期申请已作废")
		wantIn(t, sentTo(out, member.OpenID)[0].Text, "超过法定最长期限 2026-06-01")
		if c := h.load(no); c.Due.String() != "2026-06-01" || c.ExtensionDays != 0 {
			t.Fatalf("due %s ext %d", c.Due, c.ExtensionDays)
		}
		old := h.newCase("旧案 受理:2026-03-01 期限:2026-05-29")
		wantIn(t, h.reply(member, "延期 "+string(old)+" 30 需评估"), "超过法定最长期限 2026-06-01")
		wantIn(t, h.reply(member, "延期 "+string(old)+" 3 需评估"), "已提交延期申请")
	})
	t.Run("BadInput", func(t *testing.T) {
		h, no := setup(t)
		wantIn(t, h.reply(member, "延期 "+string(no)+" 31 理由"), "不得超过 30 天")
		wantIn(t, h.reply(member, "延期 "+string(no)+" 十 理由"), "整数")
		wantIn(t, h.reply(member, "延期 "+string(no)+" 20"), "缺少延期理由")
	})
}
