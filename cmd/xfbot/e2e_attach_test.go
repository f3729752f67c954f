// 虚构数据：本文件中的人名、电话均为虚构。
package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/qingchuan/xfbot/bot/larktest"
)

// TestE2EAttachments: a file replying to a case card and an image after
// 附件 <案件号> are downloaded through the message resource API, uploaded
// again to keys the app owns (im/v1/files, im/v1/images) and kept with the
// case; 附件 … 发送 sends them back as file and image messages to the
// reader's open_id, also when asked in the group, and nothing with a file
// or image ever goes to the group; a file in the group is answered, not
// kept.
func TestE2EAttachments(t *testing.T) {
	fake, f := serveFeishu(t)
	chat := "oc_e2e_attach_p2p"
	pdf := []byte("%PDF-1.7 处理意见书（虚构）")
	png := []byte("\x89PNG\r\n\x1a\n 走访照片（虚构）")

	s := f.say(larktest.Message{ChatID: chat, Text: "新建 桂园社区回迁安置房延期交付 单位:区住建局 属地:云溪街道 信访人:" + e2ePetitioner + " 电话:" + e2ePhone})
	no := caseNoRE.FindString(cardText(s.Content))
	if no == "" || s.MessageID == "" {
		t.Fatalf("新建 reply without a case number or message id: %+v", s)
	}
	f.barrier(chat, false) // the card is delivered, and noted, before this returns

	kept := func(t *testing.T, n string) {
		t.Helper()
		if _, ok := fake.WaitFor(func(m larktest.Sent) bool {
			txt := cardText(m.Content)
			return m.ReceiveID == e2eAdmin && m.ReplyTo == "" && strings.Contains(txt, "✅ 已保存到案件 "+no+"：附件 "+n)
		}, 3*e2eWait); !ok {
			t.Fatalf("attachment %s not reported kept", n)
		}
	}

	t.Run("FileReplyingToTheCard", func(t *testing.T) {
		f.t = t
		msgID, key := newMessageID(), "file_v3_user_"+randHex(8)
		fake.AddResource(larktest.Resource{MessageID: msgID, FileKey: key, Name: "处理意见书.pdf", Data: pdf})
		_, ev := f.message(larktest.Message{MessageID: msgID, ChatID: chat, MsgType: "file", Text: "处理意见书.pdf", FileKey: key,
			ParentID: s.MessageID, RootID: s.MessageID})
		f.deliver(ev)
		r := f.replyTo(msgID)
		if txt := cardText(r.Content); !strings.Contains(txt, "已收到“处理意见书.pdf”，正在保存到案件 "+no) {
			t.Fatalf("reply to the file: %s", txt)
		}
		kept(t, "1")
		// Feishu delivers the event again: kept once, answered once.
		f.deliver(ev)
		f.barrier(chat, false)
		if n := f.replies(msgID); n != 1 {
			t.Errorf("%d replies to one file message", n)
		}
		time.Sleep(200 * time.Millisecond) // a second task, if one were queued, has had its chance
		fs := fake.Files()
		if len(fs) != 1 || fs[0].Name != "处理意见书.pdf" || fs[0].Type != "pdf" || !bytes.Equal(fs[0].Data, pdf) || fs[0].Key == key {
			t.Fatalf("uploaded files %+v", fs)
		}
	})

	t.Run("ImageAfterTheCommand", func(t *testing.T) {
		f.t = t
		r := f.say(larktest.Message{ChatID: chat, Text: "附件 " + no})
		if txt := cardText(r.Content); !strings.Contains(txt, "处理意见书.pdf") || !strings.Contains(txt, "现在发送文件或图片即可添加到此案件（10 分钟内）") {
			t.Fatalf("附件 list: %s", txt)
		}
		msgID, key := newMessageID(), "img_v3_user_"+randHex(8)
		fake.AddResource(larktest.Resource{MessageID: msgID, FileKey: key, Data: png})
		r = f.say(larktest.Message{MessageID: msgID, ChatID: chat, MsgType: "image", FileKey: key})
		if txt := cardText(r.Content); !strings.Contains(txt, "已收到图片，正在保存到案件 "+no) {
			t.Fatalf("reply to the image: %s", txt)
		}
		kept(t, "2")
		ims := fake.Images()
		if len(ims) != 1 || ims[0].Type != "message" || !bytes.Equal(ims[0].Data, png) || ims[0].Key == key {
			t.Fatalf("uploaded images %+v", ims)
		}
		if txt := cardText(f.say(larktest.Message{ChatID: chat, Text: "查看 " + no}).Content); !strings.Contains(txt, "2 个（发送“附件 "+no+"”查看）") {
			t.Errorf("the card shows no count:\n%s", txt)
		}
	})

	mention := []larktest.Mention{{OpenID: e2eBot, Name: "信访专班助手"}}
	t.Run("GroupFileAnsweredNotKept", func(t *testing.T) {
		f.t = t
		g := f.say(larktest.Message{ChatID: e2eGroup, ChatType: "group", Text: "@_user_1 查看 " + no, Mentions: mention})
		f.barrier(e2eGroup, true)
		msgID, key := newMessageID(), "file_v3_user_"+randHex(8)
		fake.AddResource(larktest.Resource{MessageID: msgID, FileKey: key, Name: e2ePetitioner + "-协议.pdf", Data: pdf})
		downloads := fake.Downloads()
		// Feishu lets no file message @ the bot: a reply to its card comes without.
		r := f.say(larktest.Message{MessageID: msgID, ChatID: e2eGroup, ChatType: "group", MsgType: "file", Text: e2ePetitioner + "-协议.pdf", FileKey: key,
			ParentID: g.MessageID, RootID: g.MessageID})
		txt := cardText(r.Content)
		if !strings.Contains(txt, "附件不在群里保存或转发") || !strings.Contains(txt, "附件 "+no) || strings.Contains(txt, e2ePetitioner) {
			t.Fatalf("reply in the group: %s", txt)
		}
		f.barrier(chat, false)
		if fake.Downloads() != downloads || len(fake.Files()) != 1 {
			t.Errorf("a group's file was downloaded or kept: %d downloads, files %+v", fake.Downloads()-downloads, fake.Files())
		}
		g = f.say(larktest.Message{ChatID: e2eGroup, ChatType: "group", Text: "@_user_1 附件 " + no, Mentions: mention})
		if txt := cardText(g.Content); !strings.Contains(txt, "有 2 个附件") || strings.Contains(txt, "处理意见书") {
			t.Errorf("附件 in the group: %s", txt)
		}
	})

	t.Run("SentBackPrivately", func(t *testing.T) {
		f.t = t
		r := f.say(larktest.Message{ChatID: chat, Text: "附件 " + no + " 发送 全部"})
		if txt := cardText(r.Content); !strings.Contains(txt, "已把案件 "+no+" 的 2 个附件私聊发给您") {
			t.Fatalf("reply to 发送: %s", txt)
		}
		fileKey, imageKey := fake.Files()[0].Key, fake.Images()[0].Key
		if _, ok := fake.WaitFor(func(m larktest.Sent) bool {
			return m.MsgType == "file" && m.ReceiveIDType == "open_id" && m.ReceiveID == e2eAdmin && m.Content == `{"file_key":"`+fileKey+`"}`
		}, e2eWait); !ok {
			t.Error("no file message to the reader")
		}
		if _, ok := fake.WaitFor(func(m larktest.Sent) bool {
			return m.MsgType == "image" && m.ReceiveIDType == "open_id" && m.ReceiveID == e2eAdmin && m.Content == `{"image_key":"`+imageKey+`"}`
		}, e2eWait); !ok {
			t.Error("no image message to the reader")
		}
		// Asked in the group: the group reads one line, the file goes to the asker.
		before := 0
		for _, m := range fake.Messages() {
			if m.MsgType == "file" {
				before++
			}
		}
		g := f.say(larktest.Message{ChatID: e2eGroup, ChatType: "group", Text: "@_user_1 附件 " + no + " 发送 1", Mentions: mention})
		if txt := cardText(g.Content); !strings.Contains(txt, "私聊发给您") || strings.Contains(txt, "处理意见书") {
			t.Errorf("group reply to 发送: %s", txt)
		}
		if _, ok := nthSent(fake, func(m larktest.Sent) bool { return m.MsgType == "file" }, before+1); !ok {
			t.Error("asked in the group, no file sent")
		}
		for _, m := range fake.Messages() {
			if (m.MsgType == "file" || m.MsgType == "image") && (m.ReceiveIDType != "open_id" || m.ReceiveID != e2eAdmin || m.ReplyTo != "") {
				t.Errorf("a file or image went elsewhere than the reader's private chat: %+v", m)
			}
		}
	})
}

// TestConsoleAttach: on the console a local file is attached with
// 附件 <案件号> 文件:<路径>, kept in the console's directory and "sent".
func TestConsoleAttach(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir()) // the console's uploads land under os.TempDir()
	path := filepath.Join(t.TempDir(), "处理意见书.pdf")
	if err := os.WriteFile(path, []byte("%PDF-1.7"), 0o644); err != nil {
		t.Fatal(err)
	}
	d := startConsole(t, nil)
	no := caseNoRE.FindString(d.say("新建 工地欠薪 单位:区住建局"))
	out := d.say("附件 " + no + " 文件:" + path)
	for _, want := range []string{"已收到“处理意见书.pdf”，正在保存到案件 " + no, "✅ 已保存到案件 " + no + "：附件 1，处理意见书.pdf（8 B）"} {
		if !strings.Contains(out, want) {
			t.Fatalf("附件 文件: wants %q:\n%s", want, out)
		}
	}
	out = d.say("附件 " + no + " 发送 1")
	if !strings.Contains(out, "[文件] "+no+" 附件 1：处理意见书.pdf（file://") {
		t.Fatalf("附件 发送:\n%s", out)
	}
	if out := d.say("附件 " + no + " 文件:/no/such/file.pdf"); !strings.Contains(out, "找不到文件") {
		t.Errorf("a missing file:\n%s", out)
	}
}

func TestAttachmentsConfig(t *testing.T) {
	t.Run("FromEnv", func(t *testing.T) {
		c, err := LoadConfig("", []string{"XFBOT_ATTACHMENTS_REQUIRE_FOR=答复,化解"})
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Validate(); err != nil || strings.Join(c.Attachments.RequireFor, ",") != "答复,化解" {
			t.Fatalf("require_for = %v, %v", c.Attachments.RequireFor, err)
		}
	})
	t.Run("UnknownCommandRefused", func(t *testing.T) {
		c := DefaultConfig()
		c.Attachments.RequireFor = []string{"销号"}
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "attachments.require_for") || !strings.Contains(err.Error(), "只能写 答复、化解") {
			t.Fatalf("Validate = %v", err)
		}
	})
	t.Run("DefaultNone", func(t *testing.T) {
		if c := DefaultConfig(); len(c.Attachments.RequireFor) != 0 {
			t.Fatalf("default require_for %v", c.Attachments.RequireFor)
		}
	})
}
