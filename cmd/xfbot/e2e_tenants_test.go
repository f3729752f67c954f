package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qingchuan/xfbot/bot/larktest"
)

// TestE2ESharedApp: one Feishu app serving two districts (one tenant).
// Every event reaches the same router, at /lark/events and at
// /lark/events/<id>: a district's group chat is that district's; a person
// of one district works there; a person of both is asked to choose
// (切换), and nothing runs until they have; a click on a card goes to the
// district that sent the card, whichever is chosen; the 市级 role reads
// figures across the districts and nothing else; a stranger is a stranger.
func TestE2ESharedApp(t *testing.T) {
	appID := uniqueAppID()
	fake := larktest.NewServer(larktest.WithApp(appID, e2eSecret))
	t.Cleanup(fake.Close)
	env := serveEnv(t, fake, appID)
	prefixB := districtPrefix(t, env, "hekou")
	const (
		adminB = "ou_e2e_hekou_admin"
		both   = "ou_e2e_both" // a district leader seconded to both
		city   = "ou_e2e_city"
		groupB = "oc_e2e_hekou_group"
	)
	cfgPath := filepath.Join(t.TempDir(), "config.yaml")
	yaml := fmt.Sprintf(`district: qingchuan
district_name: 青川区
leaders: [%s]
city:
  name: 青州市
  viewers: [%s]
districts:
  - id: hekou
    name: 河口区
    prefix: %s
    admins: [%s]
    leaders: [%s]
    group_chat_id: %s
`, both, city, prefixB, adminB, both, groupB)
	if err := os.WriteFile(cfgPath, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	env["XFBOT_CONFIG"] = cfgPath
	p := startServe(t, env)
	f := newFeishu(t, fake, p, env)
	fB := newFeishu(t, fake, p, env)
	fB.url = p.URL + "/lark/events/hekou" // the same app: either path reaches the router

	year := caseYear()
	no := fmt.Sprintf("XF-%d-0001", year)
	if r := f.say(larktest.Message{ChatID: "oc_p2p_a", Text: "新建 青川区的案件 信访人:李青川"}); !strings.Contains(r.Content, no) {
		t.Fatalf("district A's first case: %s", r.Content)
	}
	if r := f.say(larktest.Message{ChatID: "oc_p2p_b", SenderOpenID: adminB, Text: "新建 河口区的案件 信访人:王河口"}); !strings.Contains(r.Content, no) {
		t.Fatalf("district B numbers its own cases from 0001: %s", r.Content)
	}
	if s := cardText(fB.say(larktest.Message{ChatID: "oc_p2p_b", SenderOpenID: adminB, Text: "查看 " + no}).Content); !strings.Contains(s, "河口区的案件") || strings.Contains(s, "青川") {
		t.Errorf("district B's admin, through the shared app, sees B's %s: %s", no, s)
	}
	if s := cardText(f.say(larktest.Message{ChatID: "oc_p2p_a", Text: "查看 " + no}).Content); !strings.Contains(s, "青川区的案件") || strings.Contains(s, "河口") {
		t.Errorf("district A's admin sees A's %s: %s", no, s)
	}

	t.Run("GroupIsItsDistricts", func(t *testing.T) {
		// District A's admin in district B's group is nobody there.
		r := f.say(larktest.Message{ChatID: groupB, ChatType: "group", Text: "@_user_1 查看 " + no,
			Mentions: []larktest.Mention{{OpenID: e2eBot, Name: "信访专班助手"}}})
		if s := cardText(r.Content); !strings.Contains(s, "还不是专班成员") || strings.Contains(s, "青川区的案件") || strings.Contains(s, "河口区的案件") {
			t.Errorf("A's admin in B's group: %s", s)
		}
		r = f.say(larktest.Message{ChatID: groupB, ChatType: "group", SenderOpenID: adminB, Text: "@_user_1 查看 " + no,
			Mentions: []larktest.Mention{{OpenID: e2eBot, Name: "信访专班助手"}}})
		if s := cardText(r.Content); !strings.Contains(s, "河口区的案件") || strings.Contains(s, "王河口") {
			t.Errorf("B's case in B's group (the petitioner masked): %s", s)
		}
	})

	var cardA larktest.Sent
	t.Run("PersonOfBoth", func(t *testing.T) {
		r := f.say(larktest.Message{ChatID: "oc_p2p_both", SenderOpenID: both, Text: "新建 不该登记的案件"})
		if s := cardText(r.Content); !strings.Contains(s, "青川区") || !strings.Contains(s, "河口区") || !strings.Contains(s, "切换") || !strings.Contains(s, "没有执行") {
			t.Errorf("a person of both districts, none chosen: %s", s)
		}
		if r := f.say(larktest.Message{ChatID: "oc_p2p_both", SenderOpenID: both, Text: "切换 青川"}); !strings.Contains(cardText(r.Content), "已切换到青川区") {
			t.Errorf("切换 青川: %s", cardText(r.Content))
		}
		cardA = f.say(larktest.Message{ChatID: "oc_p2p_both", SenderOpenID: both, Text: "查看 " + no})
		if s := cardText(cardA.Content); !strings.Contains(s, "青川区的案件") {
			t.Errorf("after 切换 青川, 查看 %s: %s", no, s)
		}
		if r := f.say(larktest.Message{ChatID: "oc_p2p_both", SenderOpenID: both, Text: "switch hekou"}); !strings.Contains(cardText(r.Content), "已切换到河口区") {
			t.Errorf("switch hekou: %s", cardText(r.Content))
		}
		if s := cardText(f.say(larktest.Message{ChatID: "oc_p2p_both", SenderOpenID: both, Text: "查看 " + no}).Content); !strings.Contains(s, "河口区的案件") {
			t.Errorf("after switch hekou, 查看 %s: %s", no, s)
		}
		if s := cardText(f.say(larktest.Message{ChatID: "oc_p2p_both", SenderOpenID: both, Text: "切换"}).Content); !strings.Contains(s, "当前在河口区") {
			t.Errorf("切换 alone says where one is: %s", s)
		}
		if s := cardText(f.say(larktest.Message{ChatID: "oc_p2p_both", SenderOpenID: both, Text: "切换 青峰区"}).Content); !strings.Contains(s, "不是您所在的区") {
			t.Errorf("切换 to a district one is not in: %s", s)
		}
		if s := cardText(f.say(larktest.Message{ChatID: "oc_p2p_a", Text: "切换 河口区"}).Content); !strings.Contains(s, "不是您所在的区") {
			t.Errorf("A's admin switching to B: %s", s)
		}
	})

	t.Run("CardGoesToItsDistrict", func(t *testing.T) {
		if cardA.MessageID == "" {
			t.Skip("no card from district A")
		}
		var refresh map[string]any
		for _, b := range cardButtons(t, cardA.Content) {
			if b.Text == "刷新" {
				refresh = b.Value
			}
		}
		if refresh == nil {
			t.Fatalf("district A's card has no 刷新 button: %s", cardA.Content)
		}
		// The person now works in B; the card is A's, and so is the click.
		body := f.deliver(larktest.CardActionEvent(larktest.CardAction{OperatorOpenID: both, MessageID: cardA.MessageID,
			ChatID: "oc_p2p_both", Value: refresh, Token: e2eToken, AppID: appID}))
		if s := cardText(string(body)); !strings.Contains(s, "青川区的案件") || strings.Contains(s, "河口区的案件") {
			t.Errorf("刷新 on A's card, with B chosen: %s", s)
		}
	})

	t.Run("City", func(t *testing.T) {
		r := f.say(larktest.Message{ChatID: "oc_p2p_city", SenderOpenID: city, Text: "全市 统计"})
		s := cardText(r.Content)
		for _, want := range []string{"青州市", "全市统计", "青川区", "河口区", "本期增量"} {
			if !strings.Contains(s, want) {
				t.Errorf("全市 统计 lacks %q: %s", want, s)
			}
		}
		for _, never := range []string{"XF-", "李青川", "王河口", "案件 ", "青川区的案件"} {
			if strings.Contains(s, never) {
				t.Errorf("全市 统计 shows %q: %s", never, s)
			}
		}
		if !strings.Contains(s, "增量 1") {
			t.Errorf("each district registered one case this month: %s", s)
		}
		if s := cardText(f.say(larktest.Message{ChatID: "oc_p2p_city", SenderOpenID: city, Text: "全市 月报 本月"}).Content); !strings.Contains(s, "全市月报") || !strings.Contains(s, "化解率") {
			t.Errorf("全市 月报 本月: %s", s)
		}
		if s := cardText(f.say(larktest.Message{ChatID: "oc_p2p_city", SenderOpenID: city, Text: "全市 统计 前年"}).Content); !strings.Contains(s, "看不懂") || !strings.Contains(s, "例如：全市 统计") {
			t.Errorf("a period the city view cannot read: %s", s)
		}
		if s := cardText(f.say(larktest.Message{ChatID: "oc_p2p_city", SenderOpenID: city, Text: "全市 月报 本周"}).Content); !strings.Contains(s, "月报按月出") {
			t.Errorf("全市 月报 本周: %s", s)
		}
		if s := cardText(f.say(larktest.Message{ChatID: "oc_p2p_city", SenderOpenID: city, Text: "查看 " + no}).Content); !strings.Contains(s, "市级用户") || strings.Contains(s, "的案件") {
			t.Errorf("the city viewer asking for a case: %s", s)
		}
		if s := cardText(f.say(larktest.Message{ChatID: "oc_p2p_a", Text: "全市 统计"}).Content); !strings.Contains(s, "只向市级用户开放") {
			t.Errorf("a district admin asking for the city's figures: %s", s)
		}
	})

	t.Run("Stranger", func(t *testing.T) {
		if s := cardText(f.say(larktest.Message{ChatID: "oc_p2p_x", SenderOpenID: "ou_e2e_nobody", Text: "列表"}).Content); !strings.Contains(s, "还不是专班成员") {
			t.Errorf("a stranger: %s", s)
		}
	})

	// Replies of both districts went out through the one app, each once.
	seen := map[string]bool{}
	for _, m := range fake.Messages() {
		if m.UUID != "" && seen[m.UUID] {
			t.Errorf("message %s sent twice", m.UUID)
		}
		seen[m.UUID] = true
	}
	var out, errOut strings.Builder
	if err := run(t.Context(), []string{"district", "list"}, strings.NewReader(""), &out, &errOut, environOf(env)); err != nil {
		t.Fatalf("district list: %v\n%s", err, errOut.String())
	}
	if !strings.Contains(out.String(), "hekou") || strings.Count(out.String(), appID) != 2 || !strings.Contains(out.String(), "与 qingchuan 共用") || !strings.Contains(out.String(), "青川区") {
		t.Errorf("district list shows both districts on the one app:\n%s", out.String())
	}
}
