package xfbot_test

import (
	"testing"

	"github.com/qingchuan/xfbot"
)

func TestCheckAttachment(t *testing.T) {
	for _, tc := range []struct {
		kind xfbot.AttachmentKind
		name string
		ok   bool
	}{
		{xfbot.AttachFile, "处理意见书.pdf", true},
		{xfbot.AttachFile, "协议.DOCX", true},
		{xfbot.AttachFile, "公文.ofd", true},
		{xfbot.AttachFile, "台账.xlsx", true},
		{xfbot.AttachFile, "照片.zip", true},
		{xfbot.AttachFile, "setup.exe", false},
		{xfbot.AttachFile, "noext", false},
		{xfbot.AttachImage, "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := xfbot.CheckAttachment(tc.kind, tc.name)
			if (err == nil) != tc.ok {
				t.Fatalf("CheckAttachment(%s, %q) = %v", tc.kind, tc.name, err)
			}
			if err != nil && xfbot.ErrorCode(err) != xfbot.EINVALID {
				t.Fatalf("code %s", xfbot.ErrorCode(err))
			}
		})
	}
}

func TestCheckAttachmentSize(t *testing.T) {
	t.Run("FileAtLimit", func(t *testing.T) {
		if err := xfbot.CheckAttachmentSize(xfbot.AttachFile, xfbot.MaxAttachmentFileBytes); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("ImageOverLimit", func(t *testing.T) {
		err := xfbot.CheckAttachmentSize(xfbot.AttachImage, xfbot.MaxAttachmentImageBytes+1)
		if got, want := xfbot.ErrorMessage(err), "图片超过 10 MB（10.0 MB），没有保存：请压缩或分成几个文件再发送。"; got != want {
			t.Fatalf("got %q, want %q", got, want)
		}
	})
	t.Run("Empty", func(t *testing.T) {
		if err := xfbot.CheckAttachmentSize(xfbot.AttachFile, 0); xfbot.ErrorCode(err) != xfbot.EINVALID {
			t.Fatal(err)
		}
	})
}
