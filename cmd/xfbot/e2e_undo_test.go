package main

import (
	"regexp"
	"strings"
	"testing"

	"github.com/qingchuan/xfbot/bot/larktest"
)

// TestE2EUndo: 撤销 through the real SDK against the fake Feishu restores a
// case resolved by mistake, and its figures: 统计 counts no 化解 after it.
func TestE2EUndo(t *testing.T) {
	_, f := serveFeishu(t)
	chat := "oc_e2e_undo_p2p"
	s := f.say(larktest.Message{ChatID: chat, Text: "新建 桂园社区回迁安置房延期交付 单位:区住建局 属地:云溪街道"})
	no := regexp.MustCompile(`XF-\d{4}-\d{4}`).FindString(cardText(s.Content))
	if no == "" {
		t.Fatalf("新建: %s", cardText(s.Content))
	}
	if txt := cardText(f.say(larktest.Message{ChatID: chat, Text: "化解 " + no + " 已签订息诉罢访协议"}).Content); !strings.Contains(txt, "已化解") {
		t.Fatalf("化解: %s", txt)
	}
	resolved := func() string {
		txt := cardText(f.say(larktest.Message{ChatID: chat, Text: "统计 本月"}).Content)
		m := regexp.MustCompile(`化解数\D{0,8}?(\d+)`).FindStringSubmatch(txt)
		if m == nil {
			t.Fatalf("统计 has no 化解数: %s", txt)
		}
		return m[1]
	}
	if withResolution := resolved(); withResolution != "1" {
		t.Fatalf("统计 before 撤销: 化解数 %s, want 1", withResolution)
	}
	txt := cardText(f.say(larktest.Message{ChatID: chat, Text: "撤销"}).Content)
	if !strings.Contains(txt, "已撤销") || !strings.Contains(txt, "“化解”") || !strings.Contains(txt, "办理中") {
		t.Fatalf("撤销: %s", txt)
	}
	if got := resolved(); got != "0" {
		t.Errorf("统计 after 撤销: 化解数 %s, want 0", got)
	}
	if txt := cardText(f.say(larktest.Message{ChatID: chat, Text: "撤销"}).Content); !strings.Contains(txt, "没有可以撤销的操作") {
		t.Errorf("second 撤销: %s", txt)
	}
}
