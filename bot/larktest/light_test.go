package larktest_test

import (
	"context"
	"testing"

	larkim "github.com/larksuite/oapi-sdk-go/v3/service/im/v1"

	"github.com/qingchuan/xfbot/bot/larktest"
)

// The light path answers and records what the full one does, for both
// bots' kinds of message: a card full of escapes and a short text.
func TestLightSends(t *testing.T) {
	const escaped = `{"schema":"2.0","body":{"elements":[{"tag":"markdown","content":"**进展** \"约谈\" <b>&amp;</b>\n😀 \\ end"}]}}`
	for _, light := range []bool{false, true} {
		name := "Full"
		var opts []larktest.Option
		if light {
			name, opts = "Light", []larktest.Option{larktest.WithLightSends()}
		}
		t.Run(name, func(t *testing.T) {
			srv := larktest.NewServer(opts...)
			defer srv.Close()
			cli := newClient(srv, "cli_test", "secret")
			ctx := context.Background()

			sent := create(t, cli, larkim.ReceiveIdTypeChatId, "oc_chat1", larkim.MsgTypeInteractive, escaped, "card-1")
			if !sent.Success() || *sent.Data.ChatId != "oc_chat1" || *sent.Data.Body.Content != escaped || *sent.Data.MsgType != "interactive" {
				t.Fatalf("create: code=%d msg=%s data=%+v", sent.Code, sent.Msg, sent.Data)
			}
			reply := func(content, uuid string) *larkim.ReplyMessageResp {
				resp, err := cli.Im.Message.Reply(ctx, larkim.NewReplyMessageReqBuilder().MessageId(*sent.Data.MessageId).
					Body(larkim.NewReplyMessageReqBodyBuilder().MsgType(larkim.MsgTypeText).Content(content).Uuid(uuid).Build()).
					Build())
				if err != nil {
					t.Fatalf("reply: %v", err)
				}
				return resp
			}
			r := reply(text("echo: 第 1 条消息"), "reply-1")
			if !r.Success() || *r.Data.ParentId != *sent.Data.MessageId || *r.Data.ChatId != "oc_chat1" || *r.Data.Body.Content != text("echo: 第 1 条消息") {
				t.Fatalf("reply: code=%d data=%+v", r.Code, r.Data)
			}
			if again := reply(text("echo: 第 1 条消息"), "reply-1"); *again.Data.MessageId != *r.Data.MessageId || srv.DuplicateUUIDs() != 1 {
				t.Errorf("repeated uuid: message %s, duplicates %d", *again.Data.MessageId, srv.DuplicateUUIDs())
			}
			if bad := reply(`"not an object"`, "reply-2"); bad.Code != 230001 {
				t.Errorf("content not an object: code %d, want 230001", bad.Code)
			}
			got := srv.Messages()
			if len(got) != 2 || srv.MessageCount() != 2 {
				t.Fatalf("recorded %d (count %d), want 2: %+v", len(got), srv.MessageCount(), got)
			}
			if c := got[0]; c.Content != escaped || c.UUID != "card-1" || c.MsgType != "interactive" || c.ReceiveID != "oc_chat1" {
				t.Errorf("create record: %+v", c)
			}
			if c := got[1]; c.Content != text("echo: 第 1 条消息") || c.UUID != "reply-1" || c.ReplyTo != *sent.Data.MessageId || c.ReceiveID != "oc_chat1" {
				t.Errorf("reply record: %+v", c)
			}
		})
	}
}
