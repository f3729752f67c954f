package handlers_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/bot"
	"github.com/qingchuan/xfbot/handlers"
)

func TestCreate(t *testing.T) {
	t.Run("ReplyNamesNumberAndNotifiesGroupMasked", func(t *testing.T) {
		h := newHarness(t)
		out := h.say(member, "新建 桂园社区回迁安置房延期交付 类别:征地拆迁 属地：云溪街道 单位:区住建局 信访人:张建国 电话:19900001234 身份证:99000019650312001X")
		if len(out) != 2 {
			t.Fatalf("queued %d messages, want reply + group notice", len(out))
		}
		wantIn(t, out[0].Text, "XF-2026-0001", "桂园社区回迁安置房延期交付", "征地拆迁", "云溪街道", "区住建局", "张建国", "19900001234", "2026-05-15")
		wantNotIn(t, out[0].Text, "99000019650312001X") // even in p2p, only the last four
		if out[0].Kind != "reply" || out[0].ReplyTo == "" || out[0].MsgType != "interactive" {
			t.Errorf("reply = %+v", out[0])
		}
		if out[1].ReceiveIDType != "chat_id" || out[1].ReceiveID != groupChat {
			t.Errorf("notice to %s %s, want the group", out[1].ReceiveIDType, out[1].ReceiveID)
		}
		wantIn(t, out[1].Text, "XF-2026-0001", "张某", "199****1234")
		wantNotIn(t, out[1].Text, "张建国", "19900001234", "001X")
		wantNotIn(t, out[1].Content, "张建国", "19900001234", "001X")
	})
	t.Run("NumbersAreSequential", func(t *testing.T) {
		h := newHarness(t)
		if a, b := h.newCase("甲"), h.newCase("乙"); a != "XF-2026-0001" || b != "XF-2026-0002" {
			t.Fatalf("numbers %s %s", a, b)
		}
	})
	t.Run("DueOverrideAndAcceptance", func(t *testing.T) {
		h := newHarness(t)
		no := h.newCase("期限 受理:2026-03-01 期限：2026-04-30")
		c := h.load(no)
		if c.AcceptedOn.String() != "2026-03-01" || c.Due.String() != "2026-04-30" {
			t.Fatalf("accepted %s due %s", c.AcceptedOn, c.Due)
		}
		// 60 days from 2026-03-01 is 2026-04-30 (a Thursday): no roll-over.
		no = h.newCase("默认期限 受理:2026-03-01")
		if c := h.load(no); c.Due.String() != "2026-04-30" {
			t.Fatalf("default due %s", c.Due)
		}
	})
	bad := []struct{ name, text, want string }{
		{"NoTitle", "新建", "缺少标题"},
		{"OnlyFields", "新建 类别:征地拆迁", "缺少标题"},
		{"LongTitle", "新建 " + strings.Repeat("长", 41), "标题太长"},
		{"BadCategory", "新建 标题 类别:火星", "可选：征地拆迁"},
		{"BadDate", "新建 标题 期限:2026-13-40", "2026-13-40"},
		{"BadPhone", "新建 标题 电话:12345", "电话"},
		{"BadID", "新建 标题 身份证:123", "身份证号"},
		{"UnknownField", "新建 标题 类别:住房保障 颜色:红", "不认识的字段“颜色”"},
		{"DuplicateField", "新建 标题 类别:住房保障 类别:其他", "写了两次"},
		{"EmptyField", "新建 标题 电话:", "没有写值"},
		{"StrayWord", "新建 标题 类别:住房保障 多余", "多余的内容"},
		{"DueBeforeAcceptance", "新建 标题 受理:2026-03-10 期限:2026-03-01", "早于受理日期"},
		{"FutureAcceptance", "新建 标题 受理:2026-04-01", "之后；这里要写已经发生的日期"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			r := h.reply(member, tt.text)
			wantIn(t, r, tt.want, "用法：新建")
			if _, total, _ := listAll(h); total != 0 {
				t.Fatalf("a refused 新建 wrote %d cases", total)
			}
		})
	}
	t.Run("EmojiAndFullWidthSpaces", func(t *testing.T) {
		h := newHarness(t)
		r := h.reply(member, "新建\u3000小区噪声扰民😀\u3000类别：城建管理")
		wantIn(t, r, "XF-2026-0001", "小区噪声扰民😀", "城建管理")
	})
}

func listAll(h *harness) (int, int, error) {
	r := h.reply(admin, "列表 全部")
	var n int
	_, err := fmt.Sscanf(r[strings.Index(r, "共 ")+len("共 "):], "%d", &n)
	return 0, n, err
}

func TestShowMasking(t *testing.T) {
	h := newHarness(t)
	no := h.newCase("标题 信访人:张建国 电话:19900001234 身份证:99000019650312001X")
	tests := []struct {
		name   string
		who    xfbot.Person
		group  bool
		want   []string
		forbid []string
	}{
		{"MemberPrivate", member, false, []string{"张建国", "19900001234", "**************001X"}, []string{"99000019650312001X"}},
		{"AdminInGroup", admin, true, []string{"张某", "199****1234"}, []string{"张建国", "19900001234", "001X"}},
		{"ViewerPrivate", viewer, false, []string{"张某", "199****1234"}, []string{"张建国", "19900001234", "001X"}},
		{"LeaderPrivate", leader, false, []string{"张建国", "19900001234"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := h.say(tt.who, "查看 "+string(no), msg{group: tt.group})
			if len(out) != 1 {
				t.Fatalf("%d messages", len(out))
			}
			wantIn(t, out[0].Text, tt.want...)
			wantNotIn(t, out[0].Text, tt.forbid...)
			wantNotIn(t, out[0].Content, tt.forbid...)
		})
	}
	t.Run("Accusation", func(t *testing.T) {
		no := h.newCase("检举 信访人:李四 性质:检举控告")
		r := h.reply(admin, "查看 "+string(no), msg{group: true})
		wantIn(t, r, "匿名信访人")
		wantNotIn(t, r, "李")
	})
	t.Run("BadNumbers", func(t *testing.T) {
		wantIn(t, h.reply(member, "查看 XF-2026-9999"), "没有找到案件 XF-2026-9999")
		wantIn(t, h.reply(member, "查看 12"), "没有找到案件 XF-2026-0012") // a serial alone: this year's
		wantIn(t, h.reply(member, "查看 12号"), "格式不对", "用法：查看 <案件号>")
		wantIn(t, h.reply(member, "查看"), "缺少案件号")
		wantIn(t, h.reply(member, "查看 "+string(no)+" 多余"), "多了参数")
	})
}

func TestProgress(t *testing.T) {
	h := newHarness(t)
	no := h.newCase("回迁房")
	for i := 1; i <= 4; i++ {
		r := h.reply(member, fmt.Sprintf("进展 %s 第%d次约谈开发商", no, i))
		wantIn(t, r, "已记录进展", fmt.Sprintf("第%d次约谈开发商", i))
	}
	r := h.reply(member, "查看 "+string(no))
	wantIn(t, r, "第4次", "第3次", "第2次")
	wantNotIn(t, r, "第1次")
	if c := h.load(no); c.Progresses != 4 || c.LastProgressAt.IsZero() {
		t.Fatalf("progresses %d", c.Progresses)
	}
	wantIn(t, h.reply(member, "进展 "+string(no)), "缺少进展内容")
	wantIn(t, h.reply(member, "进展 "+string(no)+" "+strings.Repeat("字", 1001)), "太长")
	r = h.reply(member, "下访 "+string(no)+" 上门走访，情绪平稳")
	wantIn(t, r, "已记录下访")
	if c := h.load(no); c.LastContactAt.IsZero() {
		t.Fatal("下访 did not set the last contact")
	}
}

func TestDuplicateEventHasOneEffect(t *testing.T) {
	h := newHarness(t)
	no := h.newCase("重复")
	first := h.say(member, "进展 "+string(no)+" 一次", msg{eventID: "msg:om_same"})
	again := h.say(member, "进展 "+string(no)+" 一次", msg{eventID: "msg:om_same"})
	if len(first) != 1 || len(again) != 0 {
		t.Fatalf("replies: first %d, redelivered %d", len(first), len(again))
	}
	if c := h.load(no); c.Progresses != 1 {
		t.Fatalf("progresses %d, want 1", c.Progresses)
	}
}

func TestConcurrentUpdates(t *testing.T) {
	h := newHarness(t)
	no := h.newCase("并发")
	const n = 8
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			req := &bot.Request{EventID: fmt.Sprintf("msg:c%d", i), MessageID: "om", ChatID: "oc", Sender: member,
				Text: fmt.Sprintf("进展 %s 并发%d", no, i), Time: h.now, Via: bot.ViaChat}
			if err := h.mux.ServeMessage(context.Background(), req); err != nil {
				t.Error(err)
			}
		}(i)
	}
	wg.Wait()
	c := h.load(no)
	out := h.drain()
	// Each writer either landed (possibly after re-reading) or was told to retry.
	landed := 0
	for _, m := range out {
		if strings.Contains(m.Text, "已记录进展") {
			landed++
		} else {
			wantIn(t, m.Text, "刚被其他人修改")
		}
	}
	if len(out) != n || c.Progresses != landed || landed == 0 {
		t.Fatalf("replies %d, landed %d, progresses %d", len(out), landed, c.Progresses)
	}
	_, progs, _ := h.st.History(context.Background(), no)
	if len(progs) != landed {
		t.Fatalf("timeline has %d entries, case says %d", len(progs), landed)
	}
}

func TestAssignAndLeader(t *testing.T) {
	h := newHarness(t)
	no := h.newCase("指派")
	out := h.say(member, "指派 "+string(no)+" @钱秀兰", msg{mentions: []xfbot.Person{member2}})
	if len(out) != 2 {
		t.Fatalf("%d messages, want reply + DM to the new owner", len(out))
	}
	wantIn(t, out[0].Text, "包案人：钱秀兰")
	if out[1].ReceiveIDType != "open_id" || out[1].ReceiveID != member2.OpenID {
		t.Errorf("DM went to %s %s", out[1].ReceiveIDType, out[1].ReceiveID)
	}
	wantIn(t, out[1].Text, string(no))
	wantIn(t, h.reply(member, "包保 "+string(no)+" @周某", msg{mentions: []xfbot.Person{leader}}), "包案领导：周某")
	wantIn(t, h.reply(member, "包保 "+string(no)+" @钱秀兰", msg{mentions: []xfbot.Person{member2}}), "须是区领导")
	wantIn(t, h.reply(member, "指派 "+string(no)), "请 @ 一位包案人")
	wantIn(t, h.reply(member, "指派 "+string(no)+" @a @b", msg{mentions: []xfbot.Person{member, member2}}), "一次只能 @ 一位")
	wantIn(t, h.reply(member, "指派 "+string(no)+" @路人", msg{mentions: []xfbot.Person{stranger}}), "还不是成员")
	if c := h.load(no); c.Owner.OpenID != member2.OpenID || c.Leader.OpenID != leader.OpenID {
		t.Fatalf("owner %+v leader %+v", c.Owner, c.Leader)
	}
	h.reply(member2, "我的")
	wantIn(t, h.reply(member2, "我的"), string(no))
	wantIn(t, h.reply(leader, "我的"), string(no), "包保")
	wantNotIn(t, h.reply(member, "列表 我的"), string(no))
}

func TestScreenUnitArea(t *testing.T) {
	h := newHarness(t)
	no := h.newCase("甄别")
	wantIn(t, h.reply(member, "甄别 "+string(no)+" 部分合理 困难"), "甄别：部分合理（困难）")
	wantIn(t, h.reply(member, "甄别 "+string(no)+" 还行"), "合理、部分合理、无理 或 过度")
	wantIn(t, h.reply(member, "甄别 "+string(no)+" 合理 很难"), "只能再写“困难”")
	wantIn(t, h.reply(member, "单位 "+string(no)+" 区人社局"), "主责单位：区人社局")
	wantIn(t, h.reply(member, "属地 "+string(no)+" 石桥镇"), "属地：石桥镇")
	wantIn(t, h.reply(member, "属地 "+string(no)+" 石桥镇"), "已经是")
	c := h.load(no)
	if c.Screening != xfbot.ScreenPartly || !c.Hardship || c.Unit != "区人社局" || c.Area != "石桥镇" {
		t.Fatalf("case %+v", c)
	}
	wantIn(t, h.reply(member, "列表 单位:区人社局"), string(no))
}

func TestLifecycle(t *testing.T) {
	h := newHarness(t)
	no := h.newCase("闭环")
	s := string(no)
	wantIn(t, h.reply(member, "销号 "+s), "只有专班管理员")
	wantIn(t, h.reply(admin, "销号 "+s), "只有已化解的案件才能销号")
	wantIn(t, h.reply(member, "稳控 "+s+" 属地落实联系人"), "稳控中")
	wantIn(t, h.reply(member, "稳控 "+s), "已在稳控中")
	wantIn(t, h.reply(member, "化解 "+s), "缺少化解结果")
	out := h.say(member, "化解 "+s+" 已签订息诉罢访协议")
	wantIn(t, out[0].Text, "已化解", "已签订息诉罢访协议")
	if len(out) != 2 || out[1].ReceiveID != groupChat {
		t.Fatalf("化解 should notify the group: %d messages", len(out))
	}
	wantIn(t, h.reply(member, "进展 "+s+" 还有"), "已化解，不能再记录进展")
	// 销号 waits for a 回访 after the 30-day observation period.
	wantIn(t, h.reply(admin, "销号 "+s), "须观察 30 天（到 2026-04-15）", "回访 "+s)
	// The follow-up that 销号 waits for is the task force's, not the unit's.
	wantIn(t, h.reply(liaison, "回访 "+s+" 已回访"), "由专班成员办理")
	wantIn(t, h.reply(member, "回访 "+s+" 电话回访，情绪平稳"), "已记录回访", "观察期到 2026-04-15")
	wantIn(t, h.reply(admin, "销号 "+s), "须观察 30 天")
	h.now = h.now.AddDate(0, 1, 0) // 2026-04-16
	wantIn(t, h.reply(member, "回访 "+s+" 上门回访，信访人表示满意，未再信访"), "已记录回访")
	wantNotIn(t, h.reply(member, "查看 "+s), "观察期到")
	wantIn(t, h.reply(admin, "销号 "+s), "已销号")
	wantIn(t, h.reply(member, "进展 "+s+" 还有"), "已销号", "重开")
	wantIn(t, h.reply(member, "指派 "+s+" @钱秀兰", msg{mentions: []xfbot.Person{member2}}), "已销号")
	wantIn(t, h.reply(admin, "重开 "+s), "缺少重开理由")
	wantIn(t, h.reply(member, "重开 "+s+" 新情况"), "只有专班管理员")
	wantIn(t, h.reply(admin, "重开 "+s+" 信访人以新的事实再次反映"), "已重开")
	if c := h.load(no); c.Status != xfbot.StatusHandling || !c.ClosedOn.IsZero() {
		t.Fatalf("after reopen: %s closed %s", c.Status, c.ClosedOn)
	}
	r := h.reply(member, "历史 "+s)
	wantIn(t, r, "登记", "办理中 → 稳控中", "稳控中 → 已化解", "已化解 → 已销号", "已销号 → 办理中", "赵建", "陈某")
}

func TestPermissions(t *testing.T) {
	h := newHarness(t)
	no := h.newCase("权限 单位:区住建局")
	other := h.newCase("别的单位 单位:区教育局")
	wantIn(t, h.reply(stranger, "列表"), "还不是专班成员")
	wantIn(t, h.reply(stranger, "帮助"), "帮助", "还不是专班成员")
	wantIn(t, h.reply(viewer, "进展 "+string(no)+" 试试"), "只能查看")
	wantIn(t, h.reply(viewer, "列表"), string(no))
	wantIn(t, h.reply(liaison, "进展 "+string(no)+" 已约谈"), "已记录进展")
	wantIn(t, h.reply(liaison, "查看 "+string(other)), "无权查看")
	r := h.reply(liaison, "列表")
	wantIn(t, r, string(no), "本单位")
	wantNotIn(t, r, string(other))
	wantIn(t, h.reply(leader, "进展 "+string(no)+" 批示"), "只能修改本单位或您包保的案件")
	wantIn(t, h.reply(member, "成员 添加 @路人 专班成员", msg{mentions: []xfbot.Person{stranger}}), "只有专班管理员")
}

func TestMembers(t *testing.T) {
	h := newHarness(t)
	wantIn(t, h.reply(admin, "成员 添加 @路人 观察员", msg{mentions: []xfbot.Person{stranger}}), "已将 路人 设为观察员")
	wantIn(t, h.reply(stranger, "列表"), "在办案件")
	wantIn(t, h.reply(admin, "成员 添加 @路人 联络员", msg{mentions: []xfbot.Person{stranger}}), "要写明所在单位")
	wantIn(t, h.reply(admin, "成员 添加 @路人 联络员 区教育局", msg{mentions: []xfbot.Person{stranger}}), "联络员（区教育局）")
	wantIn(t, h.reply(admin, "成员 添加 @路人 国王", msg{mentions: []xfbot.Person{stranger}}), "角色“国王”不认识")
	wantIn(t, h.reply(admin, "成员 列表"), "路人（区教育局）", "赵建", "周某")
	wantIn(t, h.reply(admin, "成员 移除 @路人", msg{mentions: []xfbot.Person{stranger}}), "已移除成员 路人")
	wantIn(t, h.reply(stranger, "列表"), "还不是专班成员")
	wantIn(t, h.reply(admin, "成员 飞"), "“成员”后面应写 添加、移除、列表、职务")
}

func TestBadInput(t *testing.T) {
	h := newHarness(t)
	tests := []struct{ name, text, want string }{
		{"UnknownVerbSuggests", "进站 XF-2026-0001 x", "您是不是想用“进展”"},
		{"EnglishAlias", "lsit", "您是不是想用“列表”"},
		{"Gibberish", "你好呀", "发送“帮助”查看全部命令"},
		{"TooLong", strings.Repeat("长", 10*1024), "消息太长"},
		{"EmptyIsHelp", "", "帮助"},
		{"SlashPrefix", "/help", "新建"},
		{"BadFilter", "列表 红色", "不认识的筛选"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantIn(t, h.reply(member, tt.text), tt.want)
		})
	}
}

func TestHelp(t *testing.T) {
	h := newHarness(t)
	r := h.reply(member, "帮助")
	for _, verb := range []string{"新建", "查看", "进展", "列表", "我的", "指派", "包保", "单位", "属地", "甄别", "期限", "延期", "下访", "化解", "稳控", "历史", "成员"} {
		wantIn(t, r, verb)
	}
	wantNotIn(t, r, "销号 <案件号>") // admin only
	wantIn(t, h.reply(admin, "帮助"), "销号", "重开")
	wantIn(t, h.reply(member, "帮助 延期"), "用法：延期 <案件号> <天数> <理由>", "例如：")
	wantIn(t, h.reply(member, "help extend"), "延期")
	wantIn(t, h.reply(member, "帮助 飞"), "没有“飞”这个命令")
}

func TestCardActions(t *testing.T) {
	h := newHarness(t)
	no := h.newCase("卡片 信访人:张建国")
	p2p := "oc_p2p_" + member.OpenID

	resp := h.click(member, bot.ActionProgressForm, no, p2p, nil)
	if resp.Card == nil || resp.Card.Form == nil {
		t.Fatalf("添加进展 did not open the form: %+v", resp)
	}
	resp = h.click(member, bot.ActionProgressSubmit, no, p2p, map[string]string{"text": "表单提交的进展"})
	if resp.Card == nil || !strings.Contains(resp.Card.Text(), "表单提交的进展") {
		t.Fatalf("submit did not show the progress: %+v", resp)
	}
	resp = h.click(member, bot.ActionProgressSubmit, no, p2p, map[string]string{"text": "  "})
	if resp.ToastKind != "error" || !strings.Contains(resp.Toast, "缺少进展内容") {
		t.Fatalf("empty form: %+v", resp)
	}
	resp = h.click(member2, bot.ActionClaim, no, "oc_p2p_"+member2.OpenID, nil)
	if c := h.load(no); c.Owner.OpenID != member2.OpenID {
		t.Fatalf("claim: owner %+v, resp %+v", c.Owner, resp)
	}
	resp = h.click(member, bot.ActionClaim, no, p2p, nil)
	if !strings.Contains(resp.Toast, "已由 钱秀兰 包案") {
		t.Fatalf("second claim: %+v", resp)
	}
	resp = h.click(member, bot.ActionRefresh, no, p2p, nil)
	wantIn(t, resp.Card.Text(), "张建国")
	// The same card forwarded into another chat must not unmask on refresh.
	resp = h.click(member, bot.ActionRefresh, no, "oc_somewhere_else", nil)
	wantIn(t, resp.Card.Text(), "张某")
	wantNotIn(t, resp.Card.Text(), "张建国")
	resp = h.click(viewer, bot.ActionProgressSubmit, no, "oc_p2p_"+viewer.OpenID, map[string]string{"text": "x"})
	if !strings.Contains(resp.Toast, "只能查看") {
		t.Fatalf("viewer submit: %+v", resp)
	}
	resp = h.click(member, "nonsense", no, p2p, nil)
	if !strings.Contains(resp.Toast, "已失效") {
		t.Fatalf("unknown action: %+v", resp)
	}
	if c := h.load(no); c.Progresses != 1 {
		t.Fatalf("progresses %d, want 1", c.Progresses)
	}
}

func TestConfiguredLeaderAndReAdd(t *testing.T) {
	h := newHarness(t)
	cfgLeader := xfbot.Person{OpenID: "ou_cfg_leader", Name: "吴某"}
	h.mux = bot.NewMux(h.st, bot.MuxOptions{Admins: []string{admin.OpenID}, Leaders: []string{cfgLeader.OpenID}, Location: loc})
	handlers.Register(h.mux, &handlers.Handlers{Store: h.st, Thresholds: xfbot.DefaultThresholds, GroupChatID: groupChat})
	no := h.newCase("包保")
	wantIn(t, h.reply(member, "包保 "+string(no)+" @吴某", msg{mentions: []xfbot.Person{cfgLeader}}), "包案领导：吴某")

	// Re-adding a member with another role keeps their 职务.
	tx := h.st.NewTx()
	tx.PutMember(xfbot.Member{OpenID: stranger.OpenID, Name: stranger.Name, Role: xfbot.RoleLeader, Title: "副区长", Duties: "住建"})
	if _, err := h.st.Commit(context.Background(), tx); err != nil {
		t.Fatal(err)
	}
	wantIn(t, h.reply(admin, "成员 添加 @路人 观察员", msg{mentions: []xfbot.Person{stranger}}), "观察员")
	l, _ := h.st.Load(context.Background(), stranger.OpenID, "")
	if l.Member == nil || l.Member.Title != "副区长" || l.Member.Role != xfbot.RoleViewer {
		t.Fatalf("member after re-add: %+v", l.Member)
	}
}
