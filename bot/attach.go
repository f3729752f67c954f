package bot

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/qingchuan/xfbot"
)

// AttachVerb is the command a file or image that comes with a case stands
// for: 附件 <案件号>, with the File in the request.
const AttachVerb = "附件"

// fileCommand decides what a file or image message is, once the cases of
// the card it replies to are known (onCard):
//
//   - in a private chat, replying to one case's card, or within the 附件
//     intent of its sender (附件 <案件号> sent before): an attachment of
//     that case, even a spreadsheet;
//   - in a private chat with no case: a spreadsheet is the import
//     (FileCommand), anything else is told how to attach it;
//   - in a group: nothing is kept nor sent on; a file replying to a case
//     card is told to go private, a spreadsheet that it carries personal
//     data, anything else gets the refusal of non-text messages (with the
//     bot's @) or nothing (a reply to something that is no case card).
//
// It returns the command text, or ok false for a message to ignore. With
// no 附件 route registered, files are what they were before: the import.
func (m *Mux) fileCommand(ctx context.Context, req *Request, onCard []xfbot.CaseNo, text string) (string, bool, error) {
	f := req.File
	if m.Lookup(AttachVerb) == nil {
		switch {
		case text == groupFileReplyCommand:
			return "", false, nil
		case text != FileCommand || f.Image():
			text = nonTextCommand
		}
		return text, true, nil
	}
	sheet := false
	switch strings.ToLower(filepath.Ext(f.Name)) {
	case ".xlsx", ".xlsm", ".xls", ".csv", ".et":
		sheet = !f.Image()
	}
	what := "文件"
	if f.Image() {
		what = "图片"
	}
	if req.Group || text != FileCommand {
		switch {
		case len(onCard) > 0:
			// The case number is what the group's card shows already; no
			// file name, which may name a petitioner.
			return "", false, xfbot.Errorf(xfbot.EINVALID, "为保护信访人信息，附件不在群里保存或转发。请在与机器人的私聊中先发送“附件 %s”，再发送这个%s。", onCard[0], what)
		case sheet && text == groupFileCommand:
			return "", false, xfbot.Errorf(xfbot.EINVALID, "台账文件含个人信息，请在与机器人的私聊中发送，不要发到群里；建议撤回这条消息。")
		case text == groupFileCommand:
			return nonTextCommand, true, nil
		}
		return "", false, nil // a file answering someone's message: not ours
	}
	switch {
	case len(onCard) == 1:
		return AttachVerb + " " + string(onCard[0]), true, nil
	case len(onCard) > 1:
		return "", false, xfbot.Errorf(xfbot.EINVALID, "这张卡片列出 %d 件案件（%s 等），请先发送“附件 %s”说明是哪一件，再发送这个%s。",
			len(onCard), onCard[0], onCard[0], what)
	}
	no, err := m.st.AttachIntent(ctx, req.Sender.OpenID)
	if err != nil {
		return "", false, fmt.Errorf("%w: %v", errStore, err)
	}
	switch {
	case no != "":
		return AttachVerb + " " + string(no), true, nil
	case sheet:
		return FileCommand, true, nil
	}
	how := "请回复该案件的卡片发送，或先发送“附件 XF-2026-0012”（换成案件号），10 分钟内再发送。"
	if f.Image() {
		return "", false, xfbot.Errorf(xfbot.EINVALID, "要把这张图片保存到案件：%s", how)
	}
	return "", false, xfbot.Errorf(xfbot.EINVALID, "这个文件不是台账表格（只能导入 .xlsx 或 .csv 文件）。要把它作为附件保存到案件：%s", how)
}

// errNonText answers a message the bot cannot read.
func errNonText() error {
	return xfbot.Errorf(xfbot.EINVALID, "目前只能识别文字消息（图片、文件、富文本暂不支持）。请直接发送文字命令，例如“查看 XF-2026-0012”；发送“帮助”查看全部命令。")
}

// ActionAttachSend is the button of an attachment on the 附件 card: send
// it (value n: its number, or 全部) to whoever clicks, privately.
const ActionAttachSend = "attach.send"

// AttachmentsCard is the 附件 list of a case for a private reader: each
// attachment with its button, names masked for v's reader (a file name may
// name the petitioner), and note (what the reader may do next) at the end.
// send: the reader may receive the files (xfbot.Member.MayReceiveAttachments);
// without it the card has no buttons.
func AttachmentsCard(c *xfbot.Case, as []xfbot.Attachment, v View, note string, send bool) *Card {
	card := &Card{Title: "附件 · " + string(c.No), Color: "blue"}
	if len(as) == 0 {
		card.Sections = []string{"还没有附件。"}
	} else {
		card.Subtitle = fmt.Sprintf("共 %d 个", len(as))
	}
	for _, a := range as {
		val := caseValue(c, v)
		val["n"] = fmt.Sprint(a.Seq)
		it := Item{
			Markdown: escapeMD(fmt.Sprintf("%d. %s（%s，%s）%s %s", a.Seq, xfbot.Clip(v.Text(c, a.Name), 40), a.Kind.Label(),
				xfbot.FormatSize(a.Size), a.By.Display(), a.At.In(locOf(v)).Format("2006-01-02 15:04"))),
		}
		if send {
			it.Buttons = []Button{{Text: "发给我", Action: ActionAttachSend, Value: val}}
		}
		card.Items = append(card.Items, it)
	}
	if len(as) > 1 && send {
		val := caseValue(c, v)
		val["n"] = "全部"
		card.Buttons = []Button{{Text: "全部发给我", Kind: "primary", Action: ActionAttachSend, Value: val}}
	}
	card.Note = note
	return card
}
