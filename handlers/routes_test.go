package handlers_test

import (
	"context"
	"strings"
	"testing"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/bot"
)

// 帮助 <组> lists every subcommand with its usage and example, generated
// from the routing table.
func TestHelpOfACommandGroup(t *testing.T) {
	h := newHarness(t)
	r := h.reply(member, "帮助 接访")
	for _, sub := range []string{"安排", "改期", "取消", "本月", "下月", "记录", "约访", "查看", "统计", "公示", "频次"} {
		wantIn(t, r, "• 接访 "+sub)
	}
	for _, ex := range []string{
		"例如：接访 安排 @周某 4月1日 上午 区群众来访接待中心 定点接访",
		"例如：接访 记录 JF-2026-0001 接待3批7人 当场答复1件 案件:XF-2026-0012",
		"例如：接访 2026-04",
		"例如：接访 频次 @周某 每季度",
	} {
		wantIn(t, r, ex)
	}
	wantIn(t, r, "• 接访 <YYYY-MM>", "（限专班成员）", "（限管理员）")
	if n := strings.Count(r, "例如："); n != 12 {
		t.Errorf("帮助 接访 has %d examples, want one per subcommand (12):\n%s", n, r)
	}
	t.Run("OneSubcommand", func(t *testing.T) {
		r := h.reply(member, "帮助 接访 记录")
		wantIn(t, r, "接访 记录（record）", "用法：接访 记录 <接访编号> 接待N批M人", "例如：接访 记录 JF-2026-0001")
		wantNotIn(t, r, "安排")
		wantIn(t, h.reply(member, "help reception schedule"), "用法：接访 安排 @领导 <日期>")
		wantIn(t, h.reply(member, "帮助 来信 批示"), "用法：来信 批示 <来信编号> <内容>", "仅私聊")
	})
	t.Run("NoSuchSubcommand", func(t *testing.T) {
		wantIn(t, h.reply(member, "帮助 接访 飞"), "没有“接访 飞”这个命令")
	})
	t.Run("AllShowsEachGroupOnOneLine", func(t *testing.T) {
		card := h.say(admin, "帮助")[0].Text
		wantIn(t, card, "接访 安排|改期|取消|本月|下月|月份|记录|约访|查看|统计|公示|频次 / reception",
			"成员 添加|移除|列表|职务|请假|销假|借调|督查专员|移交|召回|期满|召回记录 / member", "排班 下月|本月|月份|确认 / roster", "来信 登记|批示|交办|查看|列表 / letter")
		wantNotIn(t, card, "@领导 <日期>") // a group's line names its subcommands, no usage
		// A member's line leaves out what the table refuses to members.
		mine := h.say(member, "帮助")[0].Text
		wantIn(t, mine, "成员 列表|请假|销假|召回记录 / member", "接访 安排|改期|取消|本月|下月|月份|记录|约访|查看|统计|公示 / reception")
		wantNotIn(t, mine, "排班 下月", "频次")
		leaders := h.say(leader, "帮助")[0].Text
		wantIn(t, leaders, "接访 本月|下月|月份|查看|统计|公示 / reception")
	})
}

// A usage error shows the subcommand's own usage and example, not its
// group's.
func TestSubcommandUsageErrors(t *testing.T) {
	h := newHarness(t)
	r := h.reply(member, "接访 记录")
	wantIn(t, r, "缺少接访编号", "用法：接访 记录 <接访编号> 接待N批M人 [当场答复K件] [案件:XF-…] [说明]",
		"例如：接访 记录 JF-2026-0001 接待3批7人 当场答复1件")
	wantNotIn(t, r, "安排", "改期", "频次", "@领导")
	if n := strings.Count(r, "用法："); n != 1 {
		t.Errorf("%d usage lines, want 1:\n%s", n, r)
	}
	r = h.reply(member, "来信 交办 LX-2026")
	wantIn(t, r, "用法：来信 交办 <来信编号> <单位> [案件号]")
	wantNotIn(t, r, "批示 <来信编号>", "@领导")
}

func TestUnknownSubcommandIsRefused(t *testing.T) {
	h := newHarness(t)
	tests := []struct{ name, text, want string }{
		{"Reception", "接访 飞", "“接访”后面应写 安排、改期、取消、本月、下月、记录、约访、查看、统计、公示、频次，或 <YYYY-MM>；没有“接访 飞”"},
		{"NearWord", "接访 安牌", "您是不是想用“接访 安排”"},
		{"Roster", "排班 飞", "“排班”后面应写 下月、本月、确认"},
		{"NotAMonth", "接访 2026-13", "没有“接访 2026-13”"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := h.reply(admin, tt.text)
			wantIn(t, r, tt.want, "帮助 "+strings.Fields(tt.text)[0])
		})
	}
	t.Run("LetterTakesFreeWordsAsRegistration", func(t *testing.T) {
		wantIn(t, h.reply(member, "来信 桂园"), "请 @ 收信的区领导", "用法：来信 @领导 <摘要> [收信:日期]")
	})
}

// Role refusals come from the table: the subcommand's rule, the group's
// inherited.
func TestSubcommandRulesFromTheTable(t *testing.T) {
	h := newHarness(t)
	draft := func() string { return h.reply(admin, "排班 下月 每周三") }
	wantIn(t, draft(), "排班")
	tests := []struct {
		name string
		who  xfbot.Person
		text string
		m    []xfbot.Person
		want string
	}{
		{"MemberConfirmsRoster", member, "排班 确认", nil, "只有专班管理员可以执行“排班 确认”。"},
		{"MemberAddsMember", member, "成员 添加 @路人 专班成员", []xfbot.Person{stranger}, "只有专班管理员可以管理成员。"},
		{"MemberRemovesMember", member, "成员 移除 @钱秀兰", []xfbot.Person{member2}, "只有专班管理员可以管理成员。"},
		{"MemberSetsTitle", member, "成员 职务 @周某 副区长", []xfbot.Person{leader}, "只有专班管理员可以管理成员。"},
		{"LeaderSchedules", leader, "接访 安排 @周某 3月25日", []xfbot.Person{leader}, "“接访 安排”由专班成员办理，您的角色是领导。"},
		{"LiaisonRecords", liaison, "接访 记录 JF-2026-0001 接待1批1人", nil, "“接访 记录”由专班成员办理，您的角色是联络员。"},
		{"LeaderRegistersALetter", leader, "来信 @周某 反映问题", []xfbot.Person{leader}, "“来信 登记”由专班成员办理，您的角色是领导。"},
		{"LiaisonAssignsALetter", liaison, "来信 交办 LX-2026-0001 区住建局", nil, "“来信 交办”由专班成员办理，您的角色是联络员。"},
		{"ViewerInstructs", viewer, "来信 批示 LX-2026-0001 同意", nil, "只能查看"},
		{"LetterInAGroup", member, "来信 列表", nil, "“来信 列表”只能在私聊中使用"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := msg{mentions: tt.m, group: tt.name == "LetterInAGroup"}
			wantIn(t, h.reply(tt.who, tt.text, o), tt.want)
		})
	}
	// The refused 排班 确认 left the draft: the admin confirms it.
	wantIn(t, h.reply(admin, "排班 确认"), "已确认 2026年4月 排班")
	ms, err := h.st.Members(context.Background())
	if err != nil || len(ms) != 5 {
		t.Errorf("refused 成员 commands changed the members: %d, %v", len(ms), err)
	}
}

// A button naming "来信 批示" / "来信 交办" gets that subcommand's rule.
func TestLetterButtonsGetTheirSubcommandsRule(t *testing.T) {
	h := newHarness(t)
	id := lxRE.FindString(h.reply(member, "来信 @周某 桂园社区居民反映回迁房延期交付", msg{mentions: []xfbot.Person{leader}}))
	if id == "" {
		t.Fatal("no letter id")
	}
	h.drain()
	press := func(p xfbot.Person, action string, value map[string]string, form map[string]string) string {
		h.seq++
		req := &bot.Request{EventID: "card:rule" + id + string(rune('a'+h.seq)), MessageID: "om_card", ChatID: "oc_p2p_" + p.OpenID, Sender: p, Time: h.now,
			Via: bot.ViaCard, Action: &bot.Action{Name: action, Value: value, Form: form}}
		resp, err := h.mux.ServeAction(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		return resp.Toast
	}
	own := map[string]string{"id": id}
	tests := []struct {
		name   string
		who    xfbot.Person
		action string
		value  map[string]string
		want   string
	}{
		{"ViewerSubmitsAnInstruction", viewer, bot.ActionLetterRead, own, "您的角色是观察员，只能查看，不能修改。"},
		{"LiaisonOpensTheAssignForm", liaison, bot.ActionLetterAssignFrm, own, "“来信 交办”由专班成员办理，您的角色是联络员。"},
		{"LeaderAssigns", leader, bot.ActionLetterAssign, own, "“来信 交办”由专班成员办理，您的角色是领导。"},
		{"ForwardedToAGroup", leader, bot.ActionLetterRead, map[string]string{"id": id, "c": groupChat}, "“来信 批示”只能在私聊中使用"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantIn(t, press(tt.who, tt.action, tt.value, map[string]string{"text": "伪造", "unit": "区住建局"}), tt.want)
			l, err := h.st.Letter(context.Background(), xfbot.LetterID(id))
			if err != nil || l.Stage() != xfbot.LetterUnread {
				t.Errorf("a refused button changed the letter: %+v, %v", l, err)
			}
			if out := h.drain(); len(out) != 0 {
				t.Errorf("a refused button queued %d messages", len(out))
			}
		})
	}
	wantIn(t, press(leader, bot.ActionLetterRead, own, map[string]string{"text": "请区住建局牵头"}), "已批示来信 "+id)
}

// 帮助 shows each section once: the routing table keeps a section's
// commands together.
func TestHelpSectionsAreWhole(t *testing.T) {
	h := newHarness(t)
	r := h.reply(admin, "帮助")
	for _, sec := range []string{"案件", "程序（受理、答复、复查、复核）", "期限与提醒", "人员与分工", "接访与来信", "统计与导出", "其他"} {
		if n := strings.Count(r, "\n"+sec+"\n"); n != 1 {
			t.Errorf("section %s shown %d times:\n%s", sec, n, r)
		}
	}
}
