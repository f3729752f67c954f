// The SDK's ws client (oapi-sdk-go v3.5.4) has data races of its own, e.g.
// it reads Client.conn and the ping settings without its mutex, so the race
// detector fails any test that runs it in-process. This file is therefore
// left out of `go test -race`; TestGatewayProtocol covers the server side
// under -race with a hand-written client.

//go:build !race

package larktest_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/larksuite/oapi-sdk-go/v3/event/dispatcher"
	"github.com/larksuite/oapi-sdk-go/v3/event/dispatcher/callback"
	larkim "github.com/larksuite/oapi-sdk-go/v3/service/im/v1"
	larkws "github.com/larksuite/oapi-sdk-go/v3/ws"

	"github.com/qingchuan/xfbot/bot/larktest"
)

func TestSDKWebSocketClient(t *testing.T) {
	srv := larktest.NewServer()
	defer srv.Close()

	received := make(chan *larkim.P2MessageReceiveV1, 1)
	d := dispatcher.NewEventDispatcher("", "").
		OnP2MessageReceiveV1(func(_ context.Context, e *larkim.P2MessageReceiveV1) error {
			received <- e
			return nil
		}).
		OnP2CardActionTrigger(func(_ context.Context, e *callback.CardActionTriggerEvent) (*callback.CardActionTriggerResponse, error) {
			return &callback.CardActionTriggerResponse{
				Toast: &callback.Toast{Type: "success", Content: "closed " + e.Event.Action.Value["case_id"].(string)},
			}, nil
		})
	// Start never returns and ignores its context (SDK v3.5.4), so the
	// client outlives the test; auto-reconnect off keeps it quiet after
	// srv.Close.
	cli := larkws.NewClient("cli_test", "secret", larkws.WithEventHandler(d), larkws.WithDomain(srv.URL()),
		larkws.WithLogger(quiet{}), larkws.WithAutoReconnect(false))
	go cli.Start(context.Background())
	if !srv.WaitConnected(5 * time.Second) {
		t.Fatal("SDK client did not connect")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	t.Run("MessageEvent", func(t *testing.T) {
		ack, err := srv.PushEvent(ctx, larktest.MessageEvent(larktest.Message{
			MessageID: "om_in", ChatID: "oc_g", ChatType: "group", Text: "@_user_1 /case show 42",
			Mentions: []larktest.Mention{{OpenID: "ou_bot", Name: "CaseBot"}},
		}))
		if err != nil || ack.Code != 200 || ack.Data != nil {
			t.Fatalf("ack %+v, err %v", ack, err)
		}
		select {
		case e := <-received:
			if *e.Event.Message.MessageId != "om_in" || *e.Event.Message.Content != text("@_user_1 /case show 42") ||
				*e.Event.Message.Mentions[0].Id.OpenId != "ou_bot" {
				t.Errorf("handler saw %s", e.EventReq.Body)
			}
		case <-ctx.Done():
			t.Fatal("handler not called")
		}
	})
	t.Run("CardAction", func(t *testing.T) {
		ack, err := srv.PushEvent(ctx, larktest.CardActionEvent(larktest.CardAction{
			MessageID: "om_card", ChatID: "oc_g", Value: map[string]any{"cmd": "case.close", "case_id": "42"},
		}))
		var resp callback.CardActionTriggerResponse
		if err != nil || ack.Code != 200 || json.Unmarshal(ack.Data, &resp) != nil ||
			resp.Toast == nil || resp.Toast.Content != "closed 42" {
			t.Errorf("ack code %d data %s err %v", ack.Code, ack.Data, err)
		}
	})
	t.Run("UnhandledEventTypeIs500", func(t *testing.T) {
		// Unlike webhook mode, the ws client answers 500 for an event type
		// without a handler, which makes Feishu redeliver it.
		ev := []byte(`{"schema":"2.0","header":{"event_id":"e1","event_type":"im.chat.updated_v1","app_id":"cli_test"},"event":{}}`)
		if ack, err := srv.PushEvent(ctx, ev); err != nil || ack.Code != 500 {
			t.Errorf("ack %+v err %v", ack, err)
		}
	})
}
