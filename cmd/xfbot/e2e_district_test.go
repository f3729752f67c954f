package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qingchuan/xfbot/bot/larktest"
	"github.com/qingchuan/xfbot/internal/testredis"
)

// TestE2EDistricts: one deployment serving two districts, each with its own
// Feishu app (its events at its own path), its own keys in Redis and its
// own admins. Each district numbers, keeps and shows only its own cases; an
// admin of one is nobody in the other; /metrics says which district a
// command was in; `xfbot district list` lists both.
func TestE2EDistricts(t *testing.T) {
	appA, appB := uniqueAppID(), uniqueAppID()
	fakeA := larktest.NewServer(larktest.WithApp(appA, e2eSecret))
	t.Cleanup(fakeA.Close)
	fakeB := larktest.NewServer(larktest.WithApp(appB, e2eSecret))
	t.Cleanup(fakeB.Close)
	env := serveEnv(t, fakeA, appA)
	prefixB := districtPrefix(t, env, "hekou")
	const adminB = "ou_e2e_hekou_admin"
	cfgPath := filepath.Join(t.TempDir(), "config.yaml")
	yaml := fmt.Sprintf(`district: qingchuan
districts:
  - id: hekou
    name: 河口区
    prefix: %s
    lark:
      app_id: %s
      app_secret: %s
      base_url: %s
      mode: webhook
      verification_token: %s
      encrypt_key: %s
      bot_open_id: %s
    admins: [%s]
    group_chat_id: oc_e2e_hekou_group
`, prefixB, appB, e2eSecret, fakeB.URL(), e2eToken, e2eEncryptKey, e2eBot, adminB)
	if err := os.WriteFile(cfgPath, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	env["XFBOT_CONFIG"] = cfgPath
	p := startServe(t, env)
	fA := newFeishu(t, fakeA, p, env)
	envB := map[string]string{"XFBOT_LARK_ENCRYPT_KEY": e2eEncryptKey, "XFBOT_LARK_VERIFICATION_TOKEN": e2eToken, "XFBOT_LARK_APP_ID": appB}
	fB := newFeishu(t, fakeB, p, envB)
	fB.url = p.URL + "/lark/events/hekou"

	year := caseYear()
	no := fmt.Sprintf("XF-%d-0001", year)
	ra := fA.say(larktest.Message{ChatID: "oc_p2p_a", Text: "新建 青川区的案件 信访人:李青川"})
	if !strings.Contains(ra.Content, no) {
		t.Fatalf("district A's first case: %s", ra.Content)
	}
	rb := fB.say(larktest.Message{ChatID: "oc_p2p_b", SenderOpenID: adminB, Text: "新建 河口区的案件 信访人:王河口"})
	if !strings.Contains(rb.Content, no) {
		t.Fatalf("district B numbers its own cases from 0001: %s", rb.Content)
	}
	// Each district shows its own case under the same number.
	if s := fA.say(larktest.Message{ChatID: "oc_p2p_a", Text: "查看 " + no}); !strings.Contains(s.Content, "青川区的案件") || strings.Contains(s.Content, "河口") {
		t.Errorf("district A's %s: %s", no, s.Content)
	}
	if s := fB.say(larktest.Message{ChatID: "oc_p2p_b", SenderOpenID: adminB, Text: "查看 " + no}); !strings.Contains(s.Content, "河口区的案件") || strings.Contains(s.Content, "青川") {
		t.Errorf("district B's %s: %s", no, s.Content)
	}
	// District A's admin, writing to district B's app, is nobody there.
	if s := fB.say(larktest.Message{ChatID: "oc_p2p_b2", SenderOpenID: e2eAdmin, Text: "查看 " + no}); strings.Contains(s.Content, "河口区的案件") || strings.Contains(s.Content, "王河口") {
		t.Errorf("district A's admin read district B's case: %s", s.Content)
	}
	// Replies go out through each district's own app.
	for _, m := range fakeA.Messages() {
		if strings.Contains(m.Content, "河口") {
			t.Errorf("district B's reply sent through district A's app: %s", m.Content)
		}
	}
	if n := metricSum(t, p.URL, "xfbot_commands_total", `district="hekou"`, `verb="新建"`); n != 1 {
		t.Errorf("xfbot_commands_total{district=\"hekou\",verb=\"新建\"} = %v, want 1", n)
	}
	if n := metricSum(t, p.URL, "xfbot_commands_total", `district="qingchuan"`, `verb="新建"`); n != 1 {
		t.Errorf("xfbot_commands_total{district=\"qingchuan\",verb=\"新建\"} = %v, want 1", n)
	}

	var out, errOut strings.Builder
	if err := run(t.Context(), []string{"district", "list"}, strings.NewReader(""), &out, &errOut, environOf(env)); err != nil {
		t.Fatalf("district list: %v\n%s", err, errOut.String())
	}
	for _, want := range []string{"qingchuan", "hekou", "河口区", appA, appB, "/lark/events/hekou", "{" + prefixB + "}"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("district list lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), e2eSecret) {
		t.Errorf("district list shows a secret:\n%s", out.String())
	}
}

// districtPrefix is the key prefix of a second district of the deployment
// env describes, emptied when t ends on a real Redis.
func districtPrefix(t *testing.T, env map[string]string, id string) string {
	prefix := env["XFBOT_REDIS_PREFIX"] + "_" + id
	if addr, cluster := testredis.Addr(); addr != "" {
		t.Cleanup(func() {
			rdb := testredis.Dial(addr, cluster)
			defer rdb.Close()
			testredis.Flush(t, rdb, prefix)
		})
	}
	return prefix
}
