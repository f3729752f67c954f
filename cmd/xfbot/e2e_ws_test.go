//go:build !race

// The SDK's ws client races with itself under the race detector
// (lark-platform.md §9), so this file is left out of -race runs.

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/qingchuan/xfbot/bot/larktest"
)

// TestE2EWebsocket drives `xfbot serve` in long-connection mode through the
// fake gateway: events pushed as Feishu pushes them, acks read back.
//
// The SDK's ws client cannot be stopped (Start ignores its context), so the
// client started here outlives the test, retrying the closed fake; it has an
// app id of its own and logs into a buffer nobody reads.
func TestE2EWebsocket(t *testing.T) {
	appID := uniqueAppID()
	fake := larktest.NewServer(larktest.WithApp(appID, e2eSecret))
	defer fake.Close()
	env := serveEnv(t, fake, appID)
	env["XFBOT_LARK_MODE"] = "websocket"
	delete(env, "XFBOT_LARK_ENCRYPT_KEY") // long-connection events are not encrypted
	p := startServe(t, env)               // /healthz 200 needs the transport connected
	if !fake.WaitConnected(e2eWait) {
		t.Fatal("the bot did not connect to the gateway")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*e2eWait)
	defer cancel()
	chat := "oc_" + randHex(16)
	caseNo := fmt.Sprintf("XF-%d-0001", caseYear())

	push := func(t *testing.T, ev []byte) larktest.Ack {
		t.Helper()
		ack, err := fake.PushEvent(ctx, ev)
		if err != nil {
			t.Fatalf("push: %v", err)
		}
		if ack.Code != 200 {
			t.Fatalf("ack code %d, want 200", ack.Code)
		}
		return ack
	}

	t.Run("Healthz", func(t *testing.T) {
		var h map[string]any
		code, err := getJSON(p.URL+"/healthz", &h)
		if err != nil || code != 200 || h["transport"] != "connected" || h["redis"] != "ok" {
			t.Errorf("/healthz = %d %v (%v), want 200 with transport connected", code, h, err)
		}
		if n := metricSum(t, p.URL, "xfbot_transport_connected"); n != 1 {
			t.Errorf("xfbot_transport_connected = %v, want 1", n)
		}
	})

	t.Run("MessageAckedAndAnswered", func(t *testing.T) {
		id := newMessageID()
		ack := push(t, larktest.MessageEvent(larktest.Message{
			MessageID: id, ChatID: chat, SenderOpenID: e2eAdmin, AppID: appID, Token: e2eToken,
			Text: "新建 长连接模式登记的案件 类别:住房保障 信访人:" + e2ePetitioner + " 电话:" + e2ePhone,
		}))
		if ack.Data != nil {
			t.Errorf("a message event's ack carries data: %s", ack.Data)
		}
		s, ok := fake.WaitFor(func(s larktest.Sent) bool { return s.ReplyTo == id }, e2eWait)
		if !ok {
			t.Fatalf("no reply to %s within %s", id, e2eWait)
		}
		if s.MsgType != "interactive" || !strings.Contains(s.Content, caseNo) {
			t.Errorf("reply %s %s, want an interactive card with %s", s.MsgType, s.Content, caseNo)
		}
		if s.ReceiveID != chat {
			t.Errorf("reply landed in %q, want %s", s.ReceiveID, chat)
		}
	})

	t.Run("RedeliveryOneReply", func(t *testing.T) {
		id := newMessageID()
		for range 2 { // one message, two event ids
			push(t, larktest.MessageEvent(larktest.Message{MessageID: id, ChatID: chat, SenderOpenID: e2eAdmin, AppID: appID, Text: "查看 " + caseNo}))
		}
		// Barrier: a later message in the same chat is answered after it.
		bid := newMessageID()
		push(t, larktest.MessageEvent(larktest.Message{MessageID: bid, ChatID: chat, SenderOpenID: e2eAdmin, AppID: appID, Text: "帮助"}))
		if _, ok := fake.WaitFor(func(s larktest.Sent) bool { return s.ReplyTo == bid }, e2eWait); !ok {
			t.Fatal("no reply to the barrier")
		}
		n := 0
		for _, s := range fake.Messages() {
			if s.ReplyTo == id {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%d replies to a message delivered twice, want 1", n)
		}
	})

	t.Run("CardActionAckCarriesCard", func(t *testing.T) {
		for _, g := range []string{"0", "1"} {
			ack := push(t, larktest.CardActionEvent(larktest.CardAction{
				OperatorOpenID: e2eAdmin, MessageID: newMessageID(), ChatID: chat, AppID: appID,
				Value: map[string]any{"a": "case.refresh", "no": caseNo, "g": g, "c": chat},
			}))
			var resp struct {
				Toast struct{ Type, Content string } `json:"toast"`
				Card  struct {
					Type string          `json:"type"`
					Data json.RawMessage `json:"data"`
				} `json:"card"`
			}
			if err := json.Unmarshal(ack.Data, &resp); err != nil {
				t.Fatalf("g=%s: ack data is not the callback response: %v: %q", g, err, ack.Data)
			}
			if resp.Toast.Content != "已刷新" {
				t.Errorf("g=%s: toast %+v, want 已刷新", g, resp.Toast)
			}
			if resp.Card.Type != "raw" || !strings.Contains(string(resp.Card.Data), caseNo) {
				t.Errorf("g=%s: ack card %s %s, want the raw card of %s", g, resp.Card.Type, resp.Card.Data, caseNo)
			}
			full := strings.Contains(cardText(string(resp.Card.Data)), e2ePetitioner)
			if g == "0" && !full {
				t.Errorf("private card refreshed by the admin lacks the petitioner: %s", resp.Card.Data)
			}
			if g == "1" {
				assertMasked(t, string(resp.Card.Data))
			}
		}
	})
}
