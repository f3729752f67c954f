package bot_test

import (
	"bytes"
	"context"
	"testing"

	lark "github.com/larksuite/oapi-sdk-go/v3"
	larkcore "github.com/larksuite/oapi-sdk-go/v3/core"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/bot"
	"github.com/qingchuan/xfbot/bot/larktest"
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
