package handlers_test

import (
	"context"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/bot"
)

// FuzzCommand sends arbitrary text as a member's command through the real
// mux and handlers. Whatever the text, the bot answers exactly once, with
// something to read, and never fails or panics. The seed corpus is in
// testdata/fuzz/FuzzCommand.
func FuzzCommand(f *testing.F) {
	for _, s := range []string{
		"新建 桂园社区回迁安置房延期交付 类别:征地拆迁 属地：云溪街道 信访人:张某某 电话:19900001234 期限:2026-05-01",
		"进展 XF-2026-0001 已约谈", "查看 xf-2026-1", "列表 逾期", "list overdue", "延期 XF-2026-0001 30 理由",
		"甄别 XF-2026-0001 部分合理 困难", "期限 XF-2026-0001 2026-13-40", "成员 添加 @x 领导", "帮助 新建",
		"\u3000新建\u3000标题\u3000期限：２０２６－０５－０１", "😀😀", ":", "新建 a b: c:", "历史 XF-9999-99999999",
		"统计 上月 单位", "统计 2026-3", "统计 口径", "预览 摘要 周报", "导出 台账 2026-03 单位：区住建局", "导出 台账 完整 单位",
	} {
		f.Add(s)
	}
	h := newHarness(f)
	f.Fuzz(func(t *testing.T, text string) {
		h.t = t
		h.seq++
		req := &bot.Request{EventID: "fuzz:" + strings.Repeat("x", h.seq%3) + string(rune('a'+h.seq%26)) + itoa(h.seq), MessageID: "om_fuzz",
			ChatID: "oc_fuzz", Sender: member, Text: text, Time: h.now, Via: bot.ViaChat,
			Mentions: []xfbot.Person{member2}}
		if err := h.mux.ServeMessage(context.Background(), req); err != nil {
			t.Fatalf("ServeMessage(%q): %v", text, err)
		}
		out := h.drain()
		if len(out) == 0 {
			t.Fatalf("no reply to %q", text)
		}
		if out[0].Text == "" || !utf8.ValidString(out[0].Text) {
			t.Fatalf("empty or invalid reply to %q: %q", text, out[0].Text)
		}
		if strings.Contains(out[0].Text, "系统内部错误") {
			t.Fatalf("internal error for %q", text)
		}
	})
}

func itoa(n int) string {
	var b []byte
	for n > 0 || len(b) == 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(b)
}
