package handlers_test

import (
	"testing"

	"github.com/qingchuan/xfbot"
)

// Every command that takes a day reads the words people type (xfbot.ParseDay).
func TestCommandsReadTheDaysPeopleType(t *testing.T) {
	h := newHarness(t) // Monday 2026-03-16
	wantIn(t, h.reply(member, "接访 安排 @周某 下周三 上午 区群众来访接待中心", msg{mentions: []xfbot.Person{leader}}), "2026-03-25")
	wantIn(t, h.reply(member, "接访 安排 @周某 昨天 上午", msg{mentions: []xfbot.Person{leader}}), "已经过去")
	wantIn(t, h.reply(member, "来信 @周某 桂园社区居民反映回迁房延期交付 收信:昨天", msg{mentions: []xfbot.Person{leader}}), "LX-2026-0001")
	if l, err := h.st.Letter(t.Context(), "LX-2026-0001"); err != nil || l == nil || l.ReceivedOn.String() != "2026-03-15" {
		t.Fatalf("letter received %v, %v", l, err)
	}
	wantIn(t, h.reply(member, "来信 @周某 另一封来信 收信:明天", msg{mentions: []xfbot.Person{leader}}), "已经发生的日期")
	wantIn(t, h.reply(member, "统计 2月"), "2026年2月")
	wantIn(t, h.reply(member, "统计 十二月"), "2025年12月")
}

// A case of this year is found by its serial alone: 查看 12, 查看 0012.
func TestCaseBySerial(t *testing.T) {
	h := newHarness(t)
	no := string(h.newCase("桂园社区回迁房延期交付"))
	for _, w := range []string{"1", "0001", "１"} {
		wantIn(t, h.reply(member, "查看 "+w), no, "桂园社区回迁房延期交付")
	}
	wantIn(t, h.reply(member, "进展 1 已约谈开发商"), "已记录进展")
	wantIn(t, h.reply(member, "查看 9"), "没有找到案件 XF-2026-0009")
}
