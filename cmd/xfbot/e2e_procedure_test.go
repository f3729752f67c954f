package main

import (
	"strings"
	"testing"
	"time"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/bot/larktest"
)

// TestE2EProcedureTrack: a case walks 登记（待受理）→ 受理 → 答复 → 复查 → 复核
// → 终结 through the fake Feishu, each step dated on the day it happened (the
// statutory periods run on business dates), each card showing the stage and
// what it runs against, a step out of order refused.
func TestE2EProcedureTrack(t *testing.T) {
	_, f := serveFeishu(t)
	const chat = "oc_e2e_admin_p2p"
	say := func(text string) string {
		t.Helper()
		return shown(f.say(larktest.Message{ChatID: chat, Text: text}).Content)
	}
	today := xfbot.DateOf(time.Now(), time.FixedZone("CST", 8*3600))
	on := func(days int) string { return today.AddDays(-days).String() }

	no := caseNoRE.FindString(say("新建 城中村改造补偿款未到位 单位:区住建局 待受理 收到:" + on(95)))
	if no == "" {
		t.Fatal("新建 … 待受理 registered nothing")
	}
	steps := []struct{ cmd, want string }{
		{"答复 " + no + " 支持", "不能答复"},
		{"受理 " + no + " " + on(93), "办理中"},
		{"答复 " + no + " 部分支持 " + on(40) + " 送达:" + on(38), "复查申请期至"},
		{"复核 申请 " + no, "不能复核申请"},
		{"复查 申请 " + no + " " + on(10), "复查中"},
		{"复查 答复 " + no + " 维持 " + on(5) + " 送达:" + on(4), "复核申请期至"},
		{"复核 申请 " + no + " " + on(2), "复核中"},
		{"复核 答复 " + no + " 维持", "同一事实和理由不再受理"},
		{"复查 申请 " + no, "程序已结束"},
	}
	for _, s := range steps {
		if got := say(s.cmd); !strings.Contains(got, s.want) {
			t.Errorf("%s: the reply lacks %q:\n%s", s.cmd, s.want, got)
		}
	}
	card := say("查看 " + no)
	for _, want := range []string{"程序", "终结", "维持"} {
		if !strings.Contains(card, want) {
			t.Errorf("the card lacks %q:\n%s", want, card)
		}
	}
	hist := say("历史 " + no)
	for _, want := range []string{"已登记（待受理） → 办理中", "办理中 → 已答复", "复核中 → 终结"} {
		if !strings.Contains(hist, want) {
			t.Errorf("历史 lacks %q:\n%s", want, hist)
		}
	}
	// The case is still open on the resolution track, chased by no deadline.
	if overdue := say("列表 逾期"); strings.Contains(overdue, no) {
		t.Errorf("a terminated case is listed overdue:\n%s", overdue)
	}
}
