package bot_test

import (
	"encoding/json"
	"testing"

	"github.com/qingchuan/xfbot/bot"
	"github.com/qingchuan/xfbot/bot/larktest"
)

// encryptOf reads what encoding/json reads, and fails where it fails.
func TestEncryptOf(t *testing.T) {
	for _, body := range []string{
		`{"encrypt":"P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk="}`,
		` { "encrypt" : "abc" } `,
		`{"encrypt":"a","encrypt":"b"}`,
		`{"encrypt":"a","other":1}`,
		`{"ENCRYPT":"a"}`,
		`{"encrypt":"a\/b"}`,
		`{"encrypt":"a\u00e9"}`,
		"{\"encrypt\":\"a\xffb\"}",
		`{"encrypt":"a"} x`,
		`{"encrypt":"a"`,
		`{}`,
		`[]`,
		`null`,
		``,
		`{"encrypt":5}`,
	} {
		var want struct {
			Encrypt string `json:"encrypt"`
		}
		wantOK := json.Unmarshal([]byte(body), &want) == nil
		got, ok := bot.EncryptOf([]byte(body))
		if ok != wantOK || (ok && got != want.Encrypt) {
			t.Errorf("encryptOf(%q) = %q, %v; encoding/json: %q, %v", body, got, ok, want.Encrypt, wantOK)
		}
	}
}

// A message event as Feishu posts it: about 1.3 KB of base64.
func BenchmarkEncryptOf(b *testing.B) {
	body := envelope(b, vectorKey, larktest.MessageEvent(larktest.Message{
		ChatID: "oc_bench", SenderOpenID: "ou_admin", MessageID: "om_1", Text: "进展 XF-2026-0001 第 1 次约谈信访人，已答复诉求",
	}))
	b.Run("encryptOf", func(b *testing.B) {
		for b.Loop() {
			_, _ = bot.EncryptOf(body)
		}
	})
	b.Run("encoding/json", func(b *testing.B) {
		for b.Loop() {
			var enc struct {
				Encrypt string `json:"encrypt"`
			}
			_ = json.Unmarshal(body, &enc)
		}
	})
}
