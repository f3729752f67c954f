package handlers_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/qingchuan/xfbot"
)

// TestStats: 统计 answers the figures of the ledger as commands changed it,
// by unit on request, with the definitions on request, and refuses what it
// cannot read.
func TestStats(t *testing.T) {
	h := newHarness(t)
	a := h.newCase("桂园社区回迁安置房延期交付 单位:区住建局 属地:云溪街道")
	h.newCase("欠薪 单位:区人社局")
	h.newCase("噪音扰民 单位:区住建局")
	h.reply(member, "标签 "+string(a)+" 积案 越级访")
	h.reply(member, "下访 "+string(a)+" 上门走访，信访人同意调解")
	h.reply(member, "化解 "+string(a)+" 已签订协议")

	t.Run("ThisMonth", func(t *testing.T) {
		r := h.reply(member, "统计")
		wantIn(t, r, "月度统计 · 2026年3月", "期初存量：0", "本期增量：3", "化解数：1", "化解率：33.3%", "按期办结率：100.0%", "期末在办：2", "下访接谈 1 次", "越级访 1 件")
		if strings.Contains(r, "按主责单位") {
			t.Errorf("units without asking:\n%s", r)
		}
	})
	t.Run("ByUnit", func(t *testing.T) {
		r := h.reply(leader, "统计 本月 单位")
		wantIn(t, r, "按主责单位", "区住建局：存量 0，增量 2，化解 1（50.0%）", "区人社局：存量 0，增量 1，化解 0（0.0%）", "〔按主责单位：应化解与已化解〕")
	})
	t.Run("Week", func(t *testing.T) {
		r := h.reply(member, "统计 本周")
		wantIn(t, r, "本周（3月16日—3月22日）", "本期增量：3")
		if strings.Contains(r, "〔近 12 个月") {
			t.Errorf("a week has no monthly trend:\n%s", r)
		}
	})
	t.Run("LastMonthIsEmpty", func(t *testing.T) {
		wantIn(t, h.reply(member, "统计 上月"), "2026年2月", "本期增量：0", "化解率：—")
	})
	t.Run("NextMonthMonthAfter", func(t *testing.T) {
		h.now = h.now.AddDate(0, 1, 0)
		defer func() { h.now = h.now.AddDate(0, -1, 0) }()
		wantIn(t, h.reply(member, "统计 2026-03"), "期末在办：2")
		wantIn(t, h.reply(member, "统计"), "2026年4月", "期初存量：2", "本期增量：0")
	})
	t.Run("Definitions", func(t *testing.T) {
		wantIn(t, h.reply(member, "统计 口径"), "化解率：本期化解数 ÷（期初存量 + 本期增量）")
	})
	t.Run("Liaison", func(t *testing.T) {
		r := h.reply(liaison, "统计")
		wantIn(t, r, "区住建局：存量 0，增量 2")
		if strings.Contains(r, "区人社局") {
			t.Errorf("a liaison sees another unit:\n%s", r)
		}
		wantIn(t, h.reply(liaison, "统计 单位"), "只向专班成员和领导开放")
	})
	for _, tt := range []struct{ name, text, want string }{
		{"BadPeriod", "统计 去年", "统计期间“去年”看不懂"},
		{"TwoPeriods", "统计 本月 上月", "只能统计一个期间"},
		{"Future", "统计 2027-01", "还没有到"},
		{"NextMonth", "统计 下月", "还没有到"},
		{"UnitAndMember", "统计 单位 成员", "请分开统计"},
		{"Stranger", "统计", "还不是专班成员"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			who := member
			if tt.name == "Stranger" {
				who = stranger
			}
			wantIn(t, h.reply(who, tt.text), tt.want)
		})
	}
}

// TestPreviewDigest: 预览 摘要 shows a leader the digest the next push would
// send, and an admin any leader's, the weekly and the monthly; it marks
// nothing as sent.
func TestPreviewDigest(t *testing.T) {
	h := newHarness(t)
	no := h.newCase("桂园社区回迁安置房延期交付 单位:区住建局 期限:2026-03-17")
	h.say(member, "包保 "+string(no)+" @周某", msg{mentions: []xfbot.Person{leader}})

	r := h.reply(leader, "预览 摘要")
	wantIn(t, r, "预览 · 包保案件摘要 · 2026-03-16", string(no), "包保案件（按期限）", "的变化", "包案领导", "本月尚未安排接访")
	// The same again: a dry run marked nothing.
	if again := h.reply(leader, "预览 摘要"); !strings.Contains(again, "的变化") {
		t.Errorf("the preview moved the digest's mark:\n%s", again)
	}
	wantIn(t, h.reply(admin, "预览 摘要 @周某", msg{mentions: []xfbot.Person{leader}}), string(no))
	wantIn(t, h.reply(admin, "预览 摘要 周报"), "专班周报", "预览", string(no))
	wantIn(t, h.reply(admin, "预览 摘要 月报"), "预览 · 月度统计 · 2026年3月")
	wantIn(t, h.reply(member, "预览 摘要"), "领导摘要只发给区领导")
	wantIn(t, h.reply(member, "预览 摘要 周报"), "只有专班管理员")
	wantIn(t, h.reply(member, "预览 摘要 @周某", msg{mentions: []xfbot.Person{leader}}), "只有专班管理员可以预览别人的摘要")
	wantIn(t, h.reply(admin, "预览"), "“预览”后面应写 摘要", "用法：预览 摘要 [@领导|周报|月报]")
	wantIn(t, h.reply(admin, "预览 摘要 年报"), "“年报”看不懂")

	// A leader with nothing to report is told so.
	h.now = h.now.Add(30 * 24 * time.Hour)
	h.reply(member, "化解 "+string(no)+" 已交房")
	h.now = h.now.Add(48 * time.Hour)
	wantIn(t, h.reply(leader, "预览 摘要"), "不会收到推送")
}

// TestMemberStats: 统计 成员 shows each 包案人's work to admins in private.
func TestMemberStats(t *testing.T) {
	h := newHarness(t)
	a := string(h.newCase("欠薪 单位:区人社局"))
	b := string(h.newCase("噪音扰民 单位:区城管局 期限:2026-03-20"))
	h.reply(member, "指派 "+a+" @赵建", msg{mentions: []xfbot.Person{member}})
	h.reply(member, "指派 "+b+" @钱秀兰", msg{mentions: []xfbot.Person{member2}})
	h.reply(member, "下访 "+a+" 上门走访")
	h.reply(member, "化解 "+a+" 已支付")
	h.now = h.now.Add(5 * 24 * time.Hour) // b is now overdue; its registration 5 days old
	r := h.reply(admin, "统计 成员")
	wantIn(t, r, "成员统计 · 2026年3月", "赵建：在办 0 件（超期 0），进展更新及时率 —，本期化解 1、销号 0，下访接谈 1 次",
		"钱秀兰：在办 1 件（超期 1），进展更新及时率 100.0%，本期化解 0")
	h.now = h.now.Add(3 * 24 * time.Hour)
	wantIn(t, h.reply(admin, "统计 成员"), "钱秀兰：在办 1 件（超期 1），进展更新及时率 0.0%")
	wantIn(t, h.reply(member, "统计 成员"), "只向专班管理员开放")
	wantIn(t, h.reply(admin, "统计 成员", msg{group: true}), "不在群里发送")
}

// TestStatsCountCases: through the mux, a case resolved, reopened and
// resolved again three times in one week is one 化解 in 统计 本周, one for its
// owner in 统计 成员 and one 重复信访; a week later 统计 上周 and the weekly
// digest of that week say the same. 统计 成员 names people by name where a
// name is known, even without one on their member record.
func TestStatsCountCases(t *testing.T) {
	h := newHarness(t)
	a := string(h.newCase("桂园社区回迁安置房延期交付 单位:区住建局"))
	h.reply(member, "指派 "+a+" @赵建", msg{mentions: []xfbot.Person{member}})
	for i := 0; i < 3; i++ {
		h.now = h.now.Add(20 * time.Hour)
		wantIn(t, h.reply(member, "化解 "+a+" 已签订协议"), "已化解")
		if i < 2 {
			h.now = h.now.Add(2 * time.Hour)
			wantIn(t, h.reply(admin, "重开 "+a+" 信访人以新的事实再次反映"), "已重开")
		}
	}
	// A member whose record has no name (an old record), owning a case
	// assigned with a mention that carried the name.
	sun := xfbot.Person{OpenID: "ou_m3", Name: "孙丽"}
	tx := h.st.NewTx()
	tx.PutMember(xfbot.Member{OpenID: sun.OpenID, Role: xfbot.RoleMember})
	if _, err := h.st.Commit(context.Background(), tx); err != nil {
		t.Fatal(err)
	}
	b := string(h.newCase("欠薪 单位:区人社局"))
	h.reply(member, "指派 "+b+" @孙丽", msg{mentions: []xfbot.Person{sun}})

	week := h.reply(member, "统计 本周")
	wantIn(t, week, "本周（3月16日—3月22日）", "本期增量：2", "化解数：1", "化解率：50.0%", "按期办结率：100.0%", "重复信访 1 件（50.0%）", "重开 1 件")
	members := h.reply(admin, "统计 成员 本周")
	wantIn(t, members, "赵建：在办 0 件（超期 0），进展更新及时率 —，本期化解 1、销号 0", "孙丽：在办 1 件")
	wantNotIn(t, members, "ou_m3", "本期化解 3")
	wantIn(t, h.reply(member, "统计"), "月度统计 · 2026年3月", "化解数：1", "重复信访 1 件", "重开 1 件")
	wantIn(t, h.reply(member, "统计 口径"), "同一案件本期内化解、重开、再化解只计 1 件")

	h.now = h.now.Add(7 * 24 * time.Hour) // the Monday after
	last := h.reply(member, "统计 上周")
	wantIn(t, last, "上周（3月16日—3月22日）", "化解数：1", "重复信访 1 件")
	card, err := h.reports.Weekly(context.Background(), h.now, false)
	if err != nil {
		t.Fatal(err)
	}
	wantIn(t, card.Text(), "专班周报 · 3月16日—3月22日", "本周新增：2", "本周化解：1", a)
}

// TestMemberStatsNames: a 包案人 no longer a member, who resolved a case in
// the period and still owns an open one, is listed by the name on the case.
func TestMemberStatsNames(t *testing.T) {
	h := newHarness(t)
	a := string(h.newCase("噪音扰民 单位:区城管局"))
	b := string(h.newCase("欠薪 单位:区人社局"))
	for _, no := range []string{a, b} {
		h.reply(member, "指派 "+no+" @钱秀兰", msg{mentions: []xfbot.Person{member2}})
	}
	h.reply(member2, "化解 "+a+" 已协调整改")
	wantIn(t, h.reply(admin, "成员 移除 @钱秀兰", msg{mentions: []xfbot.Person{{OpenID: member2.OpenID}}}), "✅")
	r := h.reply(admin, "统计 成员")
	wantIn(t, r, "钱秀兰：在办 1 件（超期 0），进展更新及时率 100.0%，本期化解 1", "赵建：在办 0 件")
	wantNotIn(t, r, member2.OpenID)
}
