package bot_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/bot"
	"github.com/qingchuan/xfbot/bot/larktest"
	"github.com/qingchuan/xfbot/internal/testredis"
	"github.com/qingchuan/xfbot/store"
)

const botID = "ou_bot"

// intake is a Lark intake on a mux that answers "echo" with the text and the
// mentions it received, so that the conversion of events can be read back.
func intake(t *testing.T) (*bot.Lark, *store.Store) {
	t.Helper()
	rdb, prefix := testredis.New(t)
	st := store.New(rdb, prefix)
	mux := bot.NewMux(st, bot.MuxOptions{Admins: []string{"ou_admin"}})
	mux.Handle(bot.Route{Verb: "echo", Handler: bot.HandlerFunc(func(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
		var ms []string
		for _, m := range req.Mentions {
			ms = append(ms, m.OpenID+"="+m.Name)
		}
		return &bot.Reply{Text: req.Args.Raw + "|" + strings.Join(ms, ",") + "|" + map[bool]string{true: "group", false: "p2p"}[req.Group]}, nil
	})})
	mux.Handle(bot.Route{Verb: "帮助", Public: true, Handler: bot.HandlerFunc(func(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
		return &bot.Reply{Text: "help"}, nil
	})})
	if err := st.EnsureOutboxGroup(context.Background()); err != nil {
		t.Fatal(err)
	}
	return bot.NewLark(mux, bot.LarkOptions{BotOpenID: botID, Now: func() time.Time { return time.Date(2026, 3, 16, 9, 0, 0, 0, time.UTC) }}), st
}

func queued(t *testing.T, st *store.Store) []store.OutboundMessage {
	t.Helper()
	es, err := st.ReadOutbox(context.Background(), "t", 100, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []store.OutboundMessage
	for _, e := range es {
		out = append(out, e.Msg)
		_ = st.AckOutbox(context.Background(), e.StreamID)
	}
	return out
}

func TestMessageIntake(t *testing.T) {
	tests := []struct {
		name string
		msg  larktest.Message
		want string // the reply's text; "" = ignored
	}{
		{"P2P", larktest.Message{ChatType: "p2p", SenderOpenID: "ou_admin", Text: "echo hello"}, "hello||p2p"},
		{"GroupWithoutBotIgnored", larktest.Message{ChatType: "group", SenderOpenID: "ou_admin", Text: "echo hello"}, ""},
		{"GroupMentioningSomeoneElseIgnored", larktest.Message{ChatType: "group", SenderOpenID: "ou_admin", Text: "@_user_1 echo hi",
			Mentions: []larktest.Mention{{Key: "@_user_1", OpenID: "ou_zhang", Name: "张三"}}}, ""},
		{"GroupAtBot", larktest.Message{ChatType: "group", SenderOpenID: "ou_admin", Text: "@_user_1 echo hi",
			Mentions: []larktest.Mention{{Key: "@_user_1", OpenID: botID, Name: "xfbot"}}}, "hi||group"},
		{"MentionsResolved", larktest.Message{ChatType: "group", SenderOpenID: "ou_admin", Text: "@_user_1 echo XF-2026-0001 @_user_2",
			Mentions: []larktest.Mention{{Key: "@_user_1", OpenID: botID, Name: "xfbot"}, {Key: "@_user_2", OpenID: "ou_zhang", Name: "张 三"}}},
			"XF-2026-0001  @张三|ou_zhang=张 三|group"},
		{"ImageExplained", larktest.Message{ChatType: "p2p", SenderOpenID: "ou_admin", MsgType: "image"}, "只能识别文字消息"},
		{"PostExplained", larktest.Message{ChatType: "p2p", SenderOpenID: "ou_admin", MsgType: "post"}, "只能识别文字消息"},
		{"FileInGroupWithoutBotIgnored", larktest.Message{ChatType: "group", SenderOpenID: "ou_admin", MsgType: "file"}, ""},
		{"StrangerGetsHelpOnly", larktest.Message{ChatType: "p2p", SenderOpenID: "ou_x", Text: "echo hi"}, "还不是专班成员"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, st := intake(t)
			if _, err := l.Dispatcher().Do(context.Background(), larktest.MessageEvent(tt.msg)); err != nil {
				t.Fatal(err)
			}
			out := queued(t, st)
			if tt.want == "" {
				if len(out) != 0 {
					t.Fatalf("replied %q to an ignored message", out[0].Text)
				}
				return
			}
			if len(out) != 1 || !strings.Contains(out[0].Text, tt.want) {
				t.Fatalf("replies %+v, want one containing %q", out, tt.want)
			}
			if out[0].Kind != store.KindReply || out[0].ReplyTo == "" {
				t.Errorf("reply kind %q to %q", out[0].Kind, out[0].ReplyTo)
			}
		})
	}
	t.Run("SameMessageTwoEventIDs", func(t *testing.T) {
		l, st := intake(t)
		m := larktest.Message{ChatType: "p2p", SenderOpenID: "ou_admin", Text: "echo once", MessageID: "om_same"}
		m.EventID = "ev1"
		_, _ = l.Dispatcher().Do(context.Background(), larktest.MessageEvent(m))
		m.EventID = "ev2"
		_, _ = l.Dispatcher().Do(context.Background(), larktest.MessageEvent(m))
		if out := queued(t, st); len(out) != 1 {
			t.Fatalf("%d replies to one message delivered twice", len(out))
		}
	})
}

func TestCardActionIntake(t *testing.T) {
	l, _ := intake(t)
	resp, err := l.Dispatcher().Do(context.Background(), larktest.CardActionEvent(larktest.CardAction{
		OperatorOpenID: "ou_admin", ChatID: "oc_1", MessageID: "om_1", Value: map[string]any{"a": "nonsense"}}))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(resp)
	if !strings.Contains(string(b), "已失效") || !strings.Contains(string(b), `"toast"`) {
		t.Fatalf("response %s", b)
	}
}

func TestCardJSON(t *testing.T) {
	long := strings.Repeat("很长的进展记录，", 2000)
	c := &xfbot.Case{No: "XF-2026-0001", Title: strings.Repeat("题", 40), Status: xfbot.StatusHandling,
		Petitioner: xfbot.Petitioner{Name: "张<at id=all></at>", Phone: "19900001234"}, Due: xfbot.NewDate(2026, 3, 20)}
	recent := []xfbot.Progress{{Text: long}, {Text: long}, {Text: "*粗体* [链接](http://x) <font color='red'>x</font>"}}
	v := bot.View{Audience: xfbot.Audience{Role: xfbot.RoleMember}, Today: xfbot.NewDate(2026, 3, 16), Thresholds: xfbot.DefaultThresholds}
	card := bot.CaseCard(c, recent, v)
	js, err := card.JSON()
	if err != nil {
		t.Fatal(err)
	}
	if len(js) > bot.MaxCardBytes {
		t.Fatalf("card is %d bytes", len(js))
	}
	var tree map[string]any
	if err := json.Unmarshal([]byte(js), &tree); err != nil || tree["schema"] != "2.0" {
		t.Fatalf("not card JSON 2.0: %v", err)
	}
	if strings.Contains(js, "<at id=all>") || strings.Contains(js, "<font color='red'>x") {
		t.Fatalf("user text became markup: %s", js)
	}
	for _, want := range []string{"添加进展", "我来包案", "刷新", "已截断", "🟡"} {
		if !strings.Contains(js, want) {
			t.Errorf("card lacks %q", want)
		}
	}
	text := card.Text()
	if !strings.Contains(text, "*粗体* [链接](http://x)") {
		t.Errorf("text rendering does not show user text as typed:\n%s", text)
	}
}

func TestParseSendAnswer(t *testing.T) {
	tests := []struct {
		name, raw string
		code      int
		msg, id   string
		bad       bool
	}{
		{"Success", `{"code":0,"msg":"success","data":{"message_id":"om_1","body":{"content":"{\"text\":\"x\"}"}}}`, 0, "", "om_1", false},
		{"DataBeforeCode", `{"data":{"message_id":"om_2"},"code":0,"msg":"ok"}`, 0, "ok", "om_2", false},
		{"IDNotFirst", `{"code":0,"data":{"root_id":"","message_id":"om_3"}}`, 0, "", "om_3", false},
		{"Error", `{"code":230020,"msg":"frequency limit","data":{}}`, 230020, "frequency limit", "", false},
		{"NotJSON", `503 Service Unavailable`, 0, "", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, msg, id, err := bot.ParseSendAnswer([]byte(tt.raw))
			if (err != nil) != tt.bad || code != tt.code || id != tt.id || (tt.msg != "" && msg != tt.msg) {
				t.Fatalf("= %d %q %q %v", code, msg, id, err)
			}
		})
	}
}
