// 虚构数据：本文件中的人名、地名均为虚构。
package handlers_test

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/bot"
	"github.com/qingchuan/xfbot/handlers"
	"github.com/qingchuan/xfbot/store"
)

// attacher drives 附件 through the mux and runs its tasks as the worker
// does, with a fake transfer: resources by key, uploads recorded.
type attacher struct {
	*harness
	hd      *handlers.Handlers
	files   map[string][]byte
	uploads []string // kind:name → key, in order
}

func newAttacher(t testing.TB, requireFor ...string) *attacher {
	h := newHarness(t)
	hd := &handlers.Handlers{Store: h.st, Thresholds: xfbot.DefaultThresholds, Reports: h.reports, GroupChatID: groupChat, AttachRequiredFor: requireFor}
	h.mux = bot.NewMux(h.st, bot.MuxOptions{Admins: []string{admin.OpenID}, Location: loc})
	handlers.Register(h.mux, hd)
	if err := h.st.EnsureTaskGroup(context.Background()); err != nil {
		t.Fatal(err)
	}
	return &attacher{harness: h, hd: hd, files: map[string][]byte{}}
}

func (a *attacher) DownloadResource(_ context.Context, messageID, key string, kind xfbot.AttachmentKind) ([]byte, error) {
	b, ok := a.files[messageID+"/"+key]
	if !ok {
		return nil, fmt.Errorf("no %s %s in %s", kind, key, messageID)
	}
	return b, nil
}

func (a *attacher) Upload(_ context.Context, name string, r io.Reader) (string, error) {
	_, _ = io.ReadAll(r)
	key := fmt.Sprintf("file_app_%d", len(a.uploads)+1)
	a.uploads = append(a.uploads, "file:"+name+"→"+key)
	return key, nil
}

func (a *attacher) UploadImage(_ context.Context, name string, r io.Reader) (string, error) {
	_, _ = io.ReadAll(r)
	key := fmt.Sprintf("img_app_%d", len(a.uploads)+1)
	a.uploads = append(a.uploads, "image:"+name+"→"+key)
	return key, nil
}

// file is a file or image message: name "" sends an image.
type file struct {
	name    string
	data    []byte
	parent  string // the message replied to
	group   bool
	eventID string // default: the message's
	msgID   string // default: a new one
}

// send sends a file or image message from p, as bot/lark.go makes it
// (a private chat's: FileCommand with the File), and returns what was
// queued.
func (a *attacher) send(p xfbot.Person, f file) []store.OutboundMessage {
	a.t.Helper()
	a.seq++
	if f.msgID == "" {
		f.msgID = fmt.Sprintf("om_f%d", a.seq)
	}
	if f.eventID == "" {
		f.eventID = "msg:" + f.msgID
	}
	bf := &bot.File{Key: fmt.Sprintf("file_v3_%d", a.seq), Name: f.name, Kind: xfbot.AttachFile}
	if f.name == "" {
		bf = &bot.File{Key: fmt.Sprintf("img_v3_%d", a.seq), Kind: xfbot.AttachImage}
	}
	a.files[f.msgID+"/"+bf.Key] = f.data
	req := &bot.Request{EventID: f.eventID, MessageID: f.msgID, ChatID: "oc_p2p_" + p.OpenID, ParentID: f.parent, RootID: f.parent,
		Sender: p, Text: bot.FileCommand, File: bf, Time: a.now, Via: bot.ViaChat}
	if f.group {
		req.Group, req.ChatID = true, groupChat
	}
	if err := a.mux.ServeMessage(context.Background(), req); err != nil {
		a.t.Fatalf("ServeMessage(%s): %v", f.name, err)
	}
	return a.drain()
}

// sent is the one reply to a file.
func (a *attacher) sent(p xfbot.Person, f file) string {
	a.t.Helper()
	out := a.send(p, f)
	if len(out) != 1 {
		a.t.Fatalf("replies to %q: %+v", f.name, out)
	}
	return out[0].Text
}

// work runs the queued tasks and returns what they queued.
func (a *attacher) work() []store.OutboundMessage {
	a.t.Helper()
	ctx := context.Background()
	es, err := a.st.ReadTasks(ctx, "w1", 10, 0)
	if err != nil {
		a.t.Fatal(err)
	}
	for _, e := range es {
		if e.Task.Kind != handlers.TaskAttach {
			a.t.Fatalf("task %s of kind %s", e.Task.ID, e.Task.Kind)
		}
		if err := a.hd.RunAttach(ctx, e.Task, a, a.now); err != nil {
			a.t.Fatalf("RunAttach(%s): %v", e.Task.ID, err)
		}
		_ = a.st.AckTask(ctx, e.StreamID)
	}
	return a.drain()
}

// told is the one message the tasks sent.
func (a *attacher) told() string {
	a.t.Helper()
	out := a.work()
	if len(out) != 1 {
		a.t.Fatalf("task messages: %+v", out)
	}
	return out[0].Text
}

func wantEq(t *testing.T, got, want string) {
	t.Helper()
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

var (
	pdf = []byte("%PDF-1.7 处理意见书")
	png = []byte("\x89PNG\r\n\x1a\n a photo")
)

func TestAttachments(t *testing.T) {
	t.Run("ReplyToCard", func(t *testing.T) {
		a := newAttacher(t)
		no := a.newCase("回迁房延期交付 单位:区住建局 属地:云溪街道 信访人:张建国")
		card := a.card("om_card1", no)
		wantEq(t, a.sent(member, file{name: "处理意见书.pdf", data: pdf, parent: card}),
			"已收到“处理意见书.pdf”，正在保存到案件 "+string(no)+"，完成后告知您。")
		out := a.work()
		if len(out) != 1 || out[0].ReceiveID != member.OpenID || out[0].Kind != store.KindSend {
			t.Fatalf("task messages: %+v", out)
		}
		wantEq(t, out[0].Text, "✅ 已保存到案件 "+string(no)+"：附件 1，处理意见书.pdf（24 B）。该案件共有 1 个附件，发送“附件 "+string(no)+"”查看。")
		if got := strings.Join(a.uploads, ";"); got != "file:处理意见书.pdf→file_app_1" {
			t.Errorf("uploads %s", got)
		}
		if c := a.load(no); c.Attachments != 1 {
			t.Errorf("count %d", c.Attachments)
		}
		as, _ := a.st.Attachments(context.Background(), no)
		if len(as) != 1 || as[0].Key != "file_app_1" || as[0].By.OpenID != member.OpenID || as[0].Size != int64(len(pdf)) || !as[0].At.Equal(a.now) {
			t.Errorf("kept %+v", as)
		}
		wantIn(t, a.reply(member, "历史 "+string(no)), "附件", "1. 处理意见书.pdf（文件，24 B）")
		wantIn(t, a.reply(member, "查看 "+string(no)), "附件：1 个（发送“附件 "+string(no)+"”查看）")
	})

	t.Run("IntentThenImageAndSpreadsheet", func(t *testing.T) {
		a := newAttacher(t)
		no := string(a.newCase("工地欠薪 单位:区住建局"))
		wantEq(t, a.reply(member, "附件 "+no), "【附件 · "+no+"】\n还没有附件。\n现在发送文件或图片即可添加到此案件（10 分钟内）；也可以回复案件卡片发送。")
		wantEq(t, a.sent(member, file{data: png}), "已收到图片，正在保存到案件 "+no+"，完成后告知您。")
		wantIn(t, a.told(), "附件 1，图片-20260316-090000.png")
		// Within the intent a spreadsheet is an attachment too, not an import.
		wantEq(t, a.sent(member, file{name: "台账.xlsx", data: []byte("PK\x03\x04")}), "已收到“台账.xlsx”，正在保存到案件 "+no+"，完成后告知您。")
		wantIn(t, a.told(), "附件 2，台账.xlsx")
		if got := strings.Join(a.uploads, ";"); got != "image:图片-20260316-090000.png→img_app_1;file:台账.xlsx→file_app_2" {
			t.Errorf("uploads %s", got)
		}
		// Another member's file has no intent: told how.
		wantEq(t, a.sent(member2, file{data: png}), "要把这张图片保存到案件：请回复该案件的卡片发送，或先发送“附件 XF-2026-0012”（换成案件号），10 分钟内再发送。")
	})

	t.Run("List", func(t *testing.T) {
		a := newAttacher(t)
		no := string(a.newCase("工地欠薪 单位:区住建局 信访人:张建国"))
		card := a.card("om_card1", xfbot.CaseNo(no))
		a.send(member, file{name: "处理意见书.pdf", data: pdf, parent: card})
		a.send(member2, file{data: png, parent: card})
		a.work()
		wantEq(t, a.reply(member, "附件 "+no), "【附件 · "+no+"】\n共 2 个\n"+
			"1. 处理意见书.pdf（文件，24 B）赵建 2026-03-16 09:00  [发给我]\n"+
			"2. 图片-20260316-090000.png（图片，16 B）钱秀兰 2026-03-16 09:00  [发给我]\n"+
			"[全部发给我]\n"+
			"按“发给我”或发送“附件 "+no+" 发送 1”（或“全部”），机器人私聊发给您。\n"+
			"现在发送文件或图片即可添加到此案件（10 分钟内）；也可以回复案件卡片发送。")
		// The button sends that one to whoever clicks, privately.
		resp := a.clickValue(member2, bot.ActionAttachSend, map[string]string{"no": no, "n": "2", "g": "0", "c": "oc_p2p_" + member2.OpenID})
		if resp == nil || resp.Toast != "已发送案件 "+no+" 的附件 2：图片-20260316-090000.png。" {
			t.Errorf("发给我: %+v", resp)
		}
		if out := a.drain(); len(out) != 1 || out[0].MsgType != "image" || out[0].ReceiveID != member2.OpenID || out[0].Content != `{"image_key":"img_app_2"}` {
			t.Errorf("发给我 queued %+v", out)
		}
		// A viewer reads the list, the petitioner's name in a file name
		// masked, and opens no intent.
		a.send(member, file{name: "张建国息诉罢访协议.pdf", data: pdf, parent: card})
		a.work()
		v := a.reply(viewer, "附件 "+no)
		wantNotIn(t, v, "现在发送文件", "张建国")
		wantIn(t, v, "3. 张某息诉罢访协议.pdf")
		wantIn(t, a.reply(member, "附件 "+no), "3. 张建国息诉罢访协议.pdf")
		// In a group: the count only, no names.
		g := a.reply(member, "附件 "+no, msg{group: true})
		wantEq(t, g, "案件 "+no+" 有 3 个附件。附件不在群里列出或发送，请在与机器人的私聊中发送“附件 "+no+"”查看。")
		wantIn(t, a.reply(member, "attach "+no), "共 3 个")
	})

	t.Run("SendPrivately", func(t *testing.T) {
		a := newAttacher(t)
		no := string(a.newCase("工地欠薪 单位:区住建局"))
		card := a.card("om_card1", xfbot.CaseNo(no))
		a.send(member, file{name: "处理意见书.pdf", data: pdf, parent: card})
		a.send(member, file{data: png, parent: card})
		a.work()
		out := a.say(leader, "附件 "+no+" 发送 全部")
		if len(out) != 3 {
			t.Fatalf("queued %+v", out)
		}
		wantEq(t, out[2].Text, "已把案件 "+no+" 的 2 个附件私聊发给您。") // the handler's messages, then the mux's reply
		if m := out[0]; m.MsgType != "file" || m.ReceiveIDType != "open_id" || m.ReceiveID != leader.OpenID || m.Content != `{"file_key":"file_app_1"}` {
			t.Errorf("file message %+v", m)
		}
		if m := out[1]; m.MsgType != "image" || m.ReceiveID != leader.OpenID || m.Content != `{"image_key":"img_app_2"}` {
			t.Errorf("image message %+v", m)
		}
		// Asked in the group: sent to the asker's private chat, nothing to the group but the line.
		out = a.say(member, "附件 "+no+" 发送 1", msg{group: true})
		if len(out) != 2 || out[1].ChatID != groupChat || out[0].ReceiveID != member.OpenID || out[0].ReceiveIDType != "open_id" || out[0].MsgType != "file" {
			t.Fatalf("queued %+v", out)
		}
		wantEq(t, out[1].Text, "已把案件 "+no+" 的 1 个附件私聊发给您。")
		out = a.say(member, "附件 "+no+" 发送 1")
		wantEq(t, out[len(out)-1].Text, "已发送案件 "+no+" 的附件 1：处理意见书.pdf。")
		wantIn(t, a.reply(member, "附件 "+no+" 发送 7"), "没有第“7”个附件：案件 "+no+" 的附件是 1 到 2。")
		wantIn(t, a.reply(member, "附件 "+no+" 发送"), "请写明发送第几个附件")
		// Only who may see the case: a liaison of another unit may not.
		wantIn(t, a.reply(liaison, "附件 "+string(a.newCase("征地补偿 单位:区人社局"))+" 发送 1"), "不属于您所在单位，无权查看")
		// A viewer sees the list but receives no file (a file cannot be
		// masked): no buttons, and the command and a forged button refused.
		list := a.reply(viewer, "附件 "+no)
		wantIn(t, list, "1. 处理意见书.pdf", "可以查看附件目录，但不能接收附件文件")
		wantNotIn(t, list, "发给我")
		refusal := "您的角色是观察员，可以查看附件目录，但不能接收附件文件：文件中可能有信访人的完整个人信息，无法脱敏。"
		wantEq(t, a.reply(viewer, "附件 "+no+" 发送 1"), refusal)
		if r := a.clickValue(viewer, bot.ActionAttachSend, map[string]string{"no": no, "n": "1", "g": "0", "c": "oc_p2p_" + viewer.OpenID}); r.Toast != refusal {
			t.Errorf("a viewer's forged 发给我: %+v", r)
		}
		if out := a.drain(); len(out) != 0 {
			t.Errorf("a viewer was sent %+v", out)
		}
	})

	t.Run("Limits", func(t *testing.T) {
		a := newAttacher(t)
		no := a.newCase("工地欠薪 单位:区住建局")
		card := a.card("om_card1", no)
		wantEq(t, a.sent(member, file{name: "setup.exe", data: pdf, parent: card}),
			"这种文件不能作为附件保存：只接受 pdf、doc、docx、wps、xls、xlsx、csv、ofd、txt、jpg、jpeg、png、zip 文件，或直接发送图片。")
		a.sent(member, file{name: "扫描件.pdf", data: make([]byte, xfbot.MaxAttachmentFileBytes+1), parent: card})
		wantEq(t, a.told(), "“扫描件.pdf”没有保存到案件 "+string(no)+"：文件超过 20 MB（20.0 MB），没有保存：请压缩或分成几个文件再发送。")
		a.sent(member, file{data: make([]byte, xfbot.MaxAttachmentImageBytes+1), parent: card})
		wantIn(t, a.told(), "图片没有保存到案件", "图片超过 10 MB")
		if c := a.load(no); c.Attachments != 0 {
			t.Fatalf("count %d after refusals", c.Attachments)
		}
		// At the limit: refused at once.
		old := a.load(no)
		c := *old
		c.Attachments = xfbot.MaxAttachmentsPerCase
		tx := a.st.NewTx()
		tx.UpdateCase(old, &c)
		if _, err := a.st.Commit(context.Background(), tx); err != nil {
			t.Fatal(err)
		}
		wantEq(t, a.sent(member, file{name: "b.pdf", data: pdf, parent: card}),
			"案件 "+string(no)+" 已有 50 个附件，达到上限（50 个），不能再添加。请把几个文件打包成一个 zip 再发送。")
	})

	t.Run("Roles", func(t *testing.T) {
		a := newAttacher(t)
		no := a.newCase("工地欠薪 单位:区住建局")
		other := a.newCase("征地补偿 单位:区人社局")
		wantEq(t, a.sent(viewer, file{name: "a.pdf", data: pdf, parent: a.card("om_c1", no)}), "您的角色是观察员，只能查看，不能添加附件。")
		wantIn(t, a.sent(liaison, file{name: "a.pdf", data: pdf, parent: a.card("om_c2", other)}), "不属于您所在单位，无权查看")
		wantIn(t, a.sent(liaison, file{name: "a.pdf", data: pdf, parent: a.card("om_c3", no)}), "正在保存到案件")
		wantIn(t, a.sent(stranger, file{name: "a.pdf", data: pdf, parent: a.card("om_c4", no)}), "还不是专班成员")
		wantIn(t, a.reply(viewer, "附件 "+string(no)), "还没有附件")
		a.reply(admin, "化解 "+string(no)+" 已签订息诉罢访协议")
		wantIn(t, a.sent(member, file{name: "协议.pdf", data: pdf, parent: a.card("om_c5", no)}), "正在保存到案件") // a resolved case takes its agreement
	})

	t.Run("SeveralCasesCard", func(t *testing.T) {
		a := newAttacher(t)
		n1, n2 := a.newCase("甲 单位:区住建局"), a.newCase("乙 单位:区住建局")
		wantEq(t, a.sent(member, file{name: "a.pdf", data: pdf, parent: a.card("om_rem", n1, n2)}),
			"这张卡片列出 2 件案件（"+string(n1)+" 等），请先发送“附件 "+string(n1)+"”说明是哪一件，再发送这个文件。")
	})

	t.Run("NoCaseFileIsTheImport", func(t *testing.T) {
		a := newAttacher(t)
		wantIn(t, a.sent(member, file{name: "台账.xlsx", data: []byte("PK\x03\x04")}), "正在读取")
		wantIn(t, a.sent(member, file{name: "意见书.pdf", data: pdf}), "只能导入 .xlsx 或 .csv", "附件 XF-2026-0012")
	})

	t.Run("RedeliveryKeptOnce", func(t *testing.T) {
		a := newAttacher(t)
		no := a.newCase("工地欠薪 单位:区住建局")
		card := a.card("om_card1", no)
		f := file{name: "a.pdf", data: pdf, parent: card, msgID: "om_same"}
		a.sent(member, f)
		if out := a.send(member, f); len(out) != 0 { // the same event again
			t.Fatalf("replied again: %+v", out)
		}
		f.eventID = "msg:om_same:2" // the same message under another event id
		a.send(member, f)
		out := a.work()
		if len(out) != 1 {
			t.Fatalf("task messages %+v", out)
		}
		// The task done again (a worker that died after its commit).
		es, _ := a.st.ReadTasks(context.Background(), "w1", 10, 0)
		if len(es) != 0 {
			t.Fatalf("tasks left %+v", es)
		}
		task := store.Task{ID: "att-again", Kind: handlers.TaskAttach, By: member, At: a.now,
			Args: map[string]string{"no": string(no), "msg": "om_same", "key": "file_v3_1", "kind": "file", "name": "a.pdf"}}
		for k := range a.files {
			if strings.HasPrefix(k, "om_same/") {
				task.Args["key"] = strings.TrimPrefix(k, "om_same/")
			}
		}
		if err := a.hd.RunAttach(context.Background(), task, a, a.now); err != nil {
			t.Fatal(err)
		}
		if out := a.drain(); len(out) != 0 {
			t.Errorf("told again: %+v", out)
		}
		if c := a.load(no); c.Attachments != 1 {
			t.Errorf("count %d after redelivery", c.Attachments)
		}
	})

	t.Run("GroupNeverKept", func(t *testing.T) {
		a := newAttacher(t)
		no := a.newCase("工地欠薪 单位:区住建局")
		out := a.send(member, file{name: "张建国-协议.pdf", data: pdf, parent: a.card("om_gc", no), group: true})
		if len(out) != 1 || out[0].ChatID != groupChat {
			t.Fatalf("queued %+v", out)
		}
		wantEq(t, out[0].Text, "为保护信访人信息，附件不在群里保存或转发。请在与机器人的私聊中先发送“附件 "+string(no)+"”，再发送这个文件。")
		if out := a.send(member, file{name: "a.pdf", data: pdf, parent: "om_chatter", group: true}); len(out) != 0 {
			t.Errorf("answered a file replying to no card: %+v", out)
		}
		if out := a.work(); len(out) != 0 || len(a.uploads) != 0 {
			t.Errorf("kept from a group: %+v %v", out, a.uploads)
		}
	})
}

func TestAttachmentRequiredFor(t *testing.T) {
	a := newAttacher(t, "答复", "化解")
	no := string(a.newCase("工地欠薪 单位:区住建局"))
	a.reply(member, "受理 "+no+" 3月12日")
	wantEq(t, a.reply(member, "答复 "+no+" 部分支持 3月16日"),
		"案件 "+no+" 还没有附件：答复前请先上传处理意见书，在与机器人的私聊中发送“附件 "+no+"”后再发送文件，或回复案件卡片发送。\n用法：答复 <案件号> <支持|部分支持|不支持|解释说明> [日期] [送达:日期]\n例如：答复 XF-2026-0012 部分支持 4月15日 送达:4月16日")
	wantIn(t, a.reply(member, "化解 "+no+" 已签订协议"), "化解前请先上传息诉罢访协议等材料")
	a.reply(member, "附件 "+no)
	a.sent(member, file{name: "处理意见书.pdf", data: pdf})
	a.work()
	wantIn(t, a.reply(member, "答复 "+no+" 部分支持 3月16日"), "已答复")

	t.Run("DefaultOff", func(t *testing.T) {
		b := newAttacher(t)
		no := string(b.newCase("工地欠薪 单位:区住建局"))
		b.reply(member, "受理 "+no+" 3月12日")
		wantNotIn(t, b.reply(member, "答复 "+no+" 部分支持 3月16日"), "附件")
	})
}
