package bot_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	lark "github.com/larksuite/oapi-sdk-go/v3"
	larkcore "github.com/larksuite/oapi-sdk-go/v3/core"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/bot"
	"github.com/qingchuan/xfbot/bot/larktest"
	"github.com/qingchuan/xfbot/internal/testredis"
	"github.com/qingchuan/xfbot/store"
)

// png is the smallest thing the fake takes for an image: PNG's signature.
var png = []byte("\x89PNG\r\n\x1a\n a picture")

func TestLarkAttachmentTransfer(t *testing.T) {
	srv := larktest.NewServer()
	defer srv.Close()
	client := lark.NewClient("cli_test", "secret", lark.WithOpenBaseUrl(srv.URL()), lark.WithLogLevel(larkcore.LogLevelError))
	tr := bot.NewLarkTransport(client, func(context.Context) error { return nil })
	ctx := context.Background()

	t.Run("ImageDownloadedThenUploadedAndSent", func(t *testing.T) {
		srv.Reset()
		srv.AddResource(larktest.Resource{MessageID: "om_img", FileKey: "img_v3_user", Data: png})
		data, err := tr.DownloadResource(ctx, "om_img", "img_v3_user", xfbot.AttachImage)
		if err != nil || !bytes.Equal(data, png) {
			t.Fatalf("download = %q, %v", data, err)
		}
		key, err := tr.UploadImage(ctx, "图片-1.png", bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		ims := srv.Images()
		if len(ims) != 1 || ims[0].Key != key || ims[0].Type != "message" || !bytes.Equal(ims[0].Data, png) {
			t.Fatalf("server has %+v, key %q", ims, key)
		}
		m := textTo("", "")
		m.ReceiveIDType, m.ReceiveID, m.MsgType, m.Content = "open_id", "ou_u1", "image", `{"image_key":"`+key+`"}`
		if _, err := tr.Deliver(ctx, m); err != nil {
			t.Errorf("image message with the uploaded key: %v", err)
		}
	})

	t.Run("UserImageKeyIsNotTheApps", func(t *testing.T) {
		srv.Reset()
		m := textTo("", "")
		m.ReceiveIDType, m.ReceiveID, m.MsgType, m.Content = "open_id", "ou_u1", "image", `{"image_key":"img_v3_user"}`
		if _, err := tr.Deliver(ctx, m); err == nil {
			t.Error("an image message with a key the app did not upload was accepted")
		}
	})

	t.Run("NotAnImageRefused", func(t *testing.T) {
		srv.Reset()
		if _, err := tr.UploadImage(ctx, "a.png", bytes.NewReader([]byte("plain text"))); err == nil {
			t.Fatal("a text uploaded as an image")
		}
	})

	t.Run("FileResource", func(t *testing.T) {
		srv.Reset()
		srv.AddResource(larktest.Resource{MessageID: "om_f", FileKey: "file_v3_user", Name: "意见书.pdf", Data: []byte("%PDF-1.7")})
		data, err := tr.DownloadResource(ctx, "om_f", "file_v3_user", xfbot.AttachFile)
		if err != nil || string(data) != "%PDF-1.7" {
			t.Fatalf("download = %q, %v", data, err)
		}
	})
}

// TestFileMessageRouting: what a file or image message becomes, from the
// event through the mux: the import, 附件 of the card's case (or of the
// sender's 附件 intent), or an answer in a group that keeps nothing.
func TestFileMessageRouting(t *testing.T) {
	rdb, prefix := testredis.New(t)
	st := store.New(rdb, prefix)
	mux := bot.NewMux(st, bot.MuxOptions{Admins: []string{"ou_admin"}})
	echo := func(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
		f := "-"
		if req.File != nil {
			f = string(req.File.Kind) + ":" + req.File.Key + ":" + req.File.Name
		}
		return &bot.Reply{Text: req.Verb + "|" + req.Args.Raw + "|" + f}, nil
	}
	mux.Handle(bot.Route{Verb: bot.FileCommand, Handler: bot.HandlerFunc(echo)})
	mux.Handle(bot.Route{Verb: bot.AttachVerb, Case: true, Handler: bot.HandlerFunc(echo)})
	ctx := context.Background()
	if err := st.EnsureOutboxGroup(ctx); err != nil {
		t.Fatal(err)
	}
	tx := st.NewTx()
	c := &xfbot.Case{Title: "工地欠薪", Status: xfbot.StatusHandling, CreatedAt: time.Date(2026, 3, 16, 9, 0, 0, 0, time.UTC)}
	tx.CreateCase(c, 2026)
	no, err := st.Commit(ctx, tx)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.NoteMessageCases(ctx, "om_card", []string{string(no)}); err != nil {
		t.Fatal(err)
	}
	l := bot.NewLark(mux, bot.LarkOptions{BotOpenID: botID, Now: func() time.Time { return time.Date(2026, 3, 16, 9, 0, 0, 0, time.UTC) }})
	at := []larktest.Mention{{Key: "@_user_1", OpenID: botID, Name: "xfbot"}}

	for _, tt := range []struct {
		name string
		msg  larktest.Message
		want string // "" for no reply
	}{
		{"SpreadsheetIsTheImport", larktest.Message{MsgType: "file", Text: "台账.xlsx", FileKey: "file_1"}, "导入台账||file:file_1:台账.xlsx"},
		{"FileOnTheCard", larktest.Message{MsgType: "file", Text: "台账.xlsx", FileKey: "file_2", ParentID: "om_card", RootID: "om_card"}, "附件|" + string(no) + "|file:file_2:台账.xlsx"},
		{"ImageOnTheCard", larktest.Message{MsgType: "image", FileKey: "img_1", ParentID: "om_card", RootID: "om_card"}, "附件|" + string(no) + "|image:img_1:"},
		{"ImageAlone", larktest.Message{MsgType: "image", FileKey: "img_2"}, "要把这张图片保存到案件"},
		{"PDFAlone", larktest.Message{MsgType: "file", Text: "意见书.pdf"}, "这个文件不是台账表格"},
		{"GroupFileOnTheCard", larktest.Message{ChatType: "group", MsgType: "file", Text: "张三-协议.pdf", ParentID: "om_card", RootID: "om_card"},
			"为保护信访人信息，附件不在群里保存或转发。请在与机器人的私聊中先发送“附件 " + string(no) + "”，再发送这个文件。"},
		{"GroupImageOnTheCard", larktest.Message{ChatType: "group", MsgType: "image", ParentID: "om_card", RootID: "om_card"}, "再发送这个图片"},
		{"GroupFileOnOtherMessage", larktest.Message{ChatType: "group", MsgType: "file", Text: "a.pdf", ParentID: "om_chat", RootID: "om_chat"}, ""},
		{"GroupFileNoReply", larktest.Message{ChatType: "group", MsgType: "file", Text: "a.pdf"}, ""},
		{"GroupSpreadsheetAtBot", larktest.Message{ChatType: "group", MsgType: "file", Text: "台账.xlsx", Mentions: at}, "台账文件含个人信息，请在与机器人的私聊中发送"},
		{"GroupImageAtBot", larktest.Message{ChatType: "group", MsgType: "image", Mentions: at}, "只能识别文字消息"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tt.msg.SenderOpenID = "ou_admin"
			if _, err := l.Dispatcher().Do(ctx, larktest.MessageEvent(tt.msg)); err != nil {
				t.Fatal(err)
			}
			out := queued(t, st)
			if tt.want == "" {
				if len(out) != 0 {
					t.Fatalf("replied %q", out[0].Text)
				}
				return
			}
			if len(out) != 1 || !strings.Contains(out[0].Text, tt.want) {
				t.Fatalf("replies %+v, want one containing %q", out, tt.want)
			}
		})
	}

	t.Run("IntentMakesTheNextFileAnAttachment", func(t *testing.T) {
		tx := st.NewTx()
		tx.SetAttachIntent("ou_admin", no)
		if _, err := st.Commit(ctx, tx); err != nil {
			t.Fatal(err)
		}
		if _, err := l.Dispatcher().Do(ctx, larktest.MessageEvent(larktest.Message{SenderOpenID: "ou_admin", MsgType: "file", Text: "台账.xlsx", FileKey: "file_9"})); err != nil {
			t.Fatal(err)
		}
		if out := queued(t, st); len(out) != 1 || out[0].Text != "附件|"+string(no)+"|file:file_9:台账.xlsx" {
			t.Fatalf("replies %+v", out)
		}
	})
}
