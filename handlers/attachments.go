package handlers

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/bot"
	"github.com/qingchuan/xfbot/store"
)

// 附件: files and images kept with a case (a 处理意见书, a 息诉罢访协议, a
// visit photo).
//
//   - A file or image sent in a private chat replying to a case card, or
//     within 10 minutes of 附件 <案件号> (the sender's intent, store
//     AttachIntentTTL), comes here as 附件 <案件号> with the File (the mux
//     decides, bot/attach.go). Who may write 进展 on the case may attach;
//     the type and the count are checked at once, and an attach task is
//     queued with the reply (the download and upload take longer than an
//     event may).
//   - The task (RunAttach) downloads the message resource, checks the size,
//     and re-uploads it to im/v1/files or im/v1/images: the key a message
//     comes with only downloads from that message in that chat; the
//     uploaded key is the app's and can be sent to anyone the bot can
//     message, after the chat is gone. One Commit then keeps the record,
//     counts it on the case (its version checked: the numbers and the limit
//     hold under concurrent uploads), writes the history entry 附件 and
//     tells the uploader, deduped on the message id.
//   - 附件 <案件号> lists them (in a group the count only) and opens the
//     intent; 附件 <案件号> 发送 <序号|全部> sends them to the reader's
//     private chat, whoever may see the case, never to a group.

// TaskAttach is the kind of an attach task.
const TaskAttach = "attach"

// Attach task arguments.
const (
	attachArgNo   = "no"
	attachArgMsg  = "msg"
	attachArgKey  = "key"
	attachArgKind = "kind"
	attachArgName = "name"
)

// AttachTransfer moves an attachment from the chat to the app: the
// message resource's download and the uploads (bot.LarkTransport; the
// console's local files).
type AttachTransfer interface {
	DownloadResource(ctx context.Context, messageID, fileKey string, kind xfbot.AttachmentKind) ([]byte, error)
	bot.Uploader
	bot.ImageUploader
}

const attachUsageSend = "附件 <案件号> 发送 <序号|全部>"

// attach: 附件 <案件号> [发送 <序号|全部>], or a file or image for the case.
func (h *Handlers) attach(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	if req.File == nil && req.Via == bot.ViaConsole {
		if p, ok := strings.CutPrefix(req.Args.Rest(1), "文件:"); ok {
			f, err := consoleFile(p)
			if err != nil {
				return nil, err
			}
			req.File = f
		}
	}
	if req.File != nil {
		r, err := h.attachFile(req)
		if xfbot.ErrorCode(err) == xfbot.EINVALID {
			// What is wrong is the file, not how 附件 was typed: no usage.
			return &bot.Reply{Text: xfbot.ErrorMessage(err)}, nil
		}
		return r, err
	}
	switch w := req.Args.Word(1); w {
	case "":
		return h.attachList(ctx, req)
	case "发送", "send":
		return h.attachSend(ctx, req)
	default:
		return nil, xfbot.Errorf(xfbot.EINVALID, "“附件 %s”后面只能写“发送 <序号|全部>”，没有“%s”。", req.Case.No, xfbot.Echo(w, 10))
	}
}

// consoleFile is a local file named on the console (附件 XF-… 文件:<路径>).
func consoleFile(path string) (*bot.File, error) {
	path = strings.TrimSpace(path)
	abs, err := filepath.Abs(path)
	if path == "" || err != nil {
		return nil, xfbot.Errorf(xfbot.EINVALID, "路径“%s”无效。例如：附件 XF-2026-0012 文件:/home/me/处理意见书.pdf", xfbot.Echo(path, 40))
	}
	kind := xfbot.AttachFile
	switch strings.ToLower(filepath.Ext(abs)) {
	case ".jpg", ".jpeg", ".png":
		kind = xfbot.AttachImage // as a photo sent from a phone comes
	}
	return &bot.File{Key: "file://" + abs, Name: filepath.Base(abs), Kind: kind}, nil
}

// mayAttach is the rule of 进展 on the case: who may write progress may
// attach. A closed case takes none (重开 first); a resolved one does: its
// 息诉罢访协议 comes with the 化解.
func mayAttach(req *bot.Request) error {
	c := req.Case
	switch {
	case !req.Member.CanWrite():
		return xfbot.Errorf(xfbot.EFORBIDDEN, "您的角色是%s，只能查看，不能添加附件。", req.Member.Role.Label())
	case !req.Member.CanEdit(c):
		return xfbot.Errorf(xfbot.EFORBIDDEN, "您只能为本单位或您包保的案件添加附件，%s 不在其中。", c.No)
	case c.Status == xfbot.StatusClosed:
		return xfbot.Errorf(xfbot.EINVALID, "案件 %s 已销号，不能再添加附件。如有新情况，请管理员先发送“重开 %s <理由>”。", c.No, c.No)
	}
	return nil
}

// errNoFiles refuses a reader who may see a case but not receive its files.
func errNoFiles(req *bot.Request) error {
	return xfbot.Errorf(xfbot.EFORBIDDEN, "您的角色是%s，可以查看附件目录，但不能接收附件文件：文件中可能有信访人的完整个人信息，无法脱敏。", req.Member.Role.Label())
}

func tooMany(c *xfbot.Case) error {
	return xfbot.Errorf(xfbot.EINVALID, "案件 %s 已有 %d 个附件，达到上限（%d 个），不能再添加。请把几个文件打包成一个 zip 再发送。", c.No, c.Attachments, xfbot.MaxAttachmentsPerCase)
}

// attachFile checks a file or image for the case and queues its transfer.
func (h *Handlers) attachFile(req *bot.Request) (*bot.Reply, error) {
	c, f := req.Case, req.File
	if req.Group { // the mux never routes one here; a last guard
		return nil, xfbot.Errorf(xfbot.EINVALID, "为保护信访人信息，附件不在群里保存或转发。请在与机器人的私聊中先发送“附件 %s”，再发送文件或图片。", c.No)
	}
	if err := mayAttach(req); err != nil {
		return nil, err
	}
	kind := xfbot.AttachFile
	if f.Image() {
		kind = xfbot.AttachImage
	}
	if err := xfbot.CheckAttachment(kind, f.Name); err != nil {
		return nil, err
	}
	if c.Attachments >= xfbot.MaxAttachmentsPerCase {
		return nil, tooMany(c)
	}
	msgID := req.MessageID
	if msgID == "" {
		msgID = req.EventID
	}
	sum := sha256.Sum256([]byte("attach:" + msgID))
	tx := h.Store.NewTx()
	tx.AddTask(store.Task{ID: "att-" + hex.EncodeToString(sum[:12]), Kind: TaskAttach, By: req.Actor(), ChatID: req.ChatID, At: req.Time,
		Args: map[string]string{attachArgNo: string(c.No), attachArgMsg: msgID, attachArgKey: f.Key, attachArgKind: string(kind), attachArgName: f.Name}})
	what := "图片"
	if kind == xfbot.AttachFile {
		what = "“" + xfbot.Clip(f.Name, 40) + "”"
	}
	text := fmt.Sprintf("已收到%s，正在保存到案件 %s，完成后告知您。", what, c.No)
	return &bot.Reply{Text: text, Tx: tx}, nil
}

// attachList: 附件 <案件号>. A member who may attach also opens the intent:
// what they send in the next 10 minutes goes to this case.
func (h *Handlers) attachList(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	c := req.Case
	if req.Group {
		// The count only: the names may name people, and nothing is sent
		// into a group.
		return &bot.Reply{Text: fmt.Sprintf("案件 %s 有 %d 个附件。附件不在群里列出或发送，请在与机器人的私聊中发送“附件 %s”查看。", c.No, c.Attachments, c.No)}, nil
	}
	as, err := h.Store.Attachments(ctx, c.No)
	if err != nil {
		return nil, err
	}
	var notes []string
	send := req.Member.MayReceiveAttachments()
	switch {
	case len(as) > 0 && send:
		notes = append(notes, fmt.Sprintf("按“发给我”或发送“附件 %s 发送 1”（或“全部”），机器人私聊发给您。", c.No))
	case len(as) > 0:
		notes = append(notes, errNoFiles(req).Error())
	}
	var tx *store.Tx
	switch {
	case mayAttach(req) != nil:
	case c.Attachments >= xfbot.MaxAttachmentsPerCase:
		notes = append(notes, fmt.Sprintf("已达到 %d 个的上限，不能再添加。", xfbot.MaxAttachmentsPerCase))
	default:
		tx = h.Store.NewTx()
		tx.SetAttachIntent(req.Sender.OpenID, c.No)
		notes = append(notes, "现在发送文件或图片即可添加到此案件（10 分钟内）；也可以回复案件卡片发送。")
	}
	return &bot.Reply{Card: bot.AttachmentsCard(c, as, h.view(req), strings.Join(notes, "\n"), send), Tx: tx}, nil
}

// attachSendAction: a 发给我 button of the 附件 card.
func (h *Handlers) attachSendAction(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	n := req.Action.Value["n"]
	req.Args = bot.Args{Raw: string(req.Case.No) + " 发送 " + n, Words: []string{string(req.Case.No), "发送", n}}
	r, err := h.attachSend(ctx, req)
	if err == nil {
		r.Toast = r.Text
	}
	return r, err
}

// attachSend: 附件 <案件号> 发送 <序号|全部>: to the reader's private chat,
// wherever asked. The mux has checked that the reader may see the case.
func (h *Handlers) attachSend(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	c := req.Case
	if !req.Member.MayReceiveAttachments() {
		return nil, errNoFiles(req)
	}
	which := strings.Join(req.Args.Words[min(2, req.Args.Len()):], " ")
	if which == "" {
		return nil, xfbot.Errorf(xfbot.EINVALID, "请写明发送第几个附件，或“全部”。例如：附件 %s 发送 1", c.No)
	}
	as, err := h.Store.Attachments(ctx, c.No)
	if err != nil {
		return nil, err
	}
	if len(as) == 0 {
		return nil, xfbot.Errorf(xfbot.ENOTFOUND, "案件 %s 还没有附件。", c.No)
	}
	var pick []xfbot.Attachment
	if which == "全部" || strings.EqualFold(which, "all") {
		pick = as
	} else {
		for _, w := range strings.FieldsFunc(which, func(r rune) bool { return r == ',' || r == '，' || r == '、' || r == ' ' }) {
			n, err := strconv.Atoi(strings.TrimPrefix(xfbot.Normalize(w), "#"))
			i := slices.IndexFunc(as, func(a xfbot.Attachment) bool { return a.Seq == n })
			if err != nil || i < 0 {
				return nil, xfbot.Errorf(xfbot.EINVALID, "没有第“%s”个附件：案件 %s 的附件是 1 到 %d。", xfbot.Echo(w, 10), c.No, as[len(as)-1].Seq)
			}
			if !slices.ContainsFunc(pick, func(a xfbot.Attachment) bool { return a.Seq == n }) {
				pick = append(pick, as[i])
			}
		}
	}
	tx := h.Store.NewTx()
	for _, a := range pick {
		content, _ := json.Marshal(map[string]string{"file_key": a.Key})
		if a.Kind == xfbot.AttachImage {
			content, _ = json.Marshal(map[string]string{"image_key": a.Key})
		}
		tx.Enqueue(store.OutboundMessage{ID: store.MessageUUID(req.EventID + "#attach#" + strconv.Itoa(a.Seq)), Kind: store.KindSend,
			ReceiveIDType: "open_id", ReceiveID: req.Sender.OpenID, MsgType: string(a.Kind), Content: string(content),
			Text: fmt.Sprintf("[%s] %s 附件 %d：%s（%s）", a.Kind.Label(), c.No, a.Seq, a.Name, a.Key), EnqueuedAt: req.Time})
	}
	tx.Audit(store.AuditEntry{At: req.Time, By: req.Actor(), Action: "发送附件", Entity: string(c.No), After: seqList(pick), Via: req.Via})
	text := fmt.Sprintf("已把案件 %s 的 %d 个附件私聊发给您。", c.No, len(pick))
	if !req.Group && len(pick) == 1 {
		text = fmt.Sprintf("已发送案件 %s 的附件 %d：%s。", c.No, pick[0].Seq, xfbot.Clip(h.view(req).Text(c, pick[0].Name), 40))
	}
	return &bot.Reply{Text: text, Tx: tx}, nil
}

func seqList(as []xfbot.Attachment) string {
	ss := make([]string, len(as))
	for i, a := range as {
		ss[i] = strconv.Itoa(a.Seq)
	}
	return strings.Join(ss, ",")
}

// requireAttachment refuses a step the config wants an attachment for
// (attachments.require_for: 答复) on a case that has none.
func (h *Handlers) requireAttachment(req *bot.Request, verb, what string) error {
	if !slices.Contains(h.AttachRequiredFor, verb) || req.Case == nil || req.Case.Attachments > 0 {
		return nil
	}
	return xfbot.Errorf(xfbot.EINVALID, "案件 %s 还没有附件：%s前请先上传%s，在与机器人的私聊中发送“附件 %s”后再发送文件，或回复案件卡片发送。",
		req.Case.No, verb, what, req.Case.No)
}

// RunAttach is the body of an attach task (TaskAttach), for the task
// worker: download, re-upload, keep.
func (h *Handlers) RunAttach(ctx context.Context, t store.Task, tr AttachTransfer, now time.Time) error {
	if seen, err := h.Store.Seen(ctx, "task:"+t.ID); err != nil || seen {
		return err
	}
	no, kind, name := xfbot.CaseNo(t.Args[attachArgNo]), xfbot.AttachmentKind(t.Args[attachArgKind]), t.Args[attachArgName]
	what := "图片"
	if kind == xfbot.AttachFile {
		what = "“" + xfbot.Clip(name, 40) + "”"
	}
	fail := func(err error) error {
		var ue *xfbot.Error
		if errors.As(err, &ue) {
			return h.attachTell(ctx, t, fmt.Sprintf("%s没有保存到案件 %s：%s", what, no, ue.Message), now)
		}
		return err
	}
	data, err := tr.DownloadResource(ctx, t.Args[attachArgMsg], t.Args[attachArgKey], kind)
	if err != nil {
		return fail(err)
	}
	if err := xfbot.CheckAttachmentSize(kind, int64(len(data))); err != nil {
		return fail(err)
	}
	if kind == xfbot.AttachImage && name == "" {
		name = "图片-" + t.At.In(h.loc()).Format("20060102-150405") + imageExt(data)
	}
	var key string
	if kind == xfbot.AttachImage {
		key, err = tr.UploadImage(ctx, name, bytes.NewReader(data))
	} else {
		key, err = tr.Upload(ctx, name, bytes.NewReader(data))
	}
	if err != nil {
		return err // the worker retries, then tells the uploader
	}
	for attempt := 1; ; attempt++ {
		l, err := h.Store.Load(ctx, "", no)
		if err != nil {
			return err
		}
		if l.Case == nil {
			return h.attachTell(ctx, t, fmt.Sprintf("%s没有保存：案件 %s 已不存在。", what, no), now)
		}
		old := l.Case
		if old.Attachments >= xfbot.MaxAttachmentsPerCase {
			return fail(tooMany(old))
		}
		c := *old
		c.Attachments++
		c.UpdatedAt = now
		a := xfbot.Attachment{Seq: c.Attachments, Kind: kind, Name: name, Size: int64(len(data)), Key: key, By: t.By, At: now, MessageID: t.Args[attachArgMsg]}
		tx := h.Store.NewTx()
		tx.DedupeID = "task:" + t.ID
		tx.UpdateCase(old, &c)
		tx.AddAttachment(no, a)
		tx.AddChanges(no, xfbot.Change{At: now, By: t.By, Action: "附件", Field: "附件",
			After: fmt.Sprintf("%d. %s（%s，%s）", a.Seq, name, kind.Label(), xfbot.FormatSize(a.Size))})
		text := fmt.Sprintf("✅ 已保存到案件 %s：附件 %d，%s（%s）。该案件共有 %d 个附件，发送“附件 %s”查看。",
			no, a.Seq, xfbot.Clip(name, 40), xfbot.FormatSize(a.Size), c.Attachments, no)
		enqueueTo(tx, t, store.OutboundMessage{ID: store.MessageUUID("task:" + t.ID + ":kept"), Kind: store.KindSend, ReceiveIDType: "open_id",
			ReceiveID: t.By.OpenID, MsgType: "text", Content: bot.TextContent(text), Text: text, EnqueuedAt: now})
		_, err = h.Store.Commit(ctx, tx)
		switch {
		case err == nil, errors.Is(err, store.ErrDuplicate), errors.Is(err, store.ErrAlreadySent):
			return nil // kept, now or before (the same message again)
		case xfbot.ErrorCode(err) == xfbot.ECONFLICT && attempt < 5:
			continue
		}
		return err
	}
}

// attachTell tells the uploader what became of the file, under the task's
// dedupe id.
func (h *Handlers) attachTell(ctx context.Context, t store.Task, text string, now time.Time) error {
	tx := h.Store.NewTx()
	tx.DedupeID = "task:" + t.ID
	enqueueTo(tx, t, store.OutboundMessage{ID: store.MessageUUID("task:" + t.ID + ":tell"), Kind: store.KindSend, ReceiveIDType: "open_id",
		ReceiveID: t.By.OpenID, MsgType: "text", Content: bot.TextContent(text), Text: text, EnqueuedAt: now})
	_, err := h.Store.Commit(ctx, tx)
	if errors.Is(err, store.ErrDuplicate) {
		return nil
	}
	return err
}

// imageExt names an image's format by its first bytes.
func imageExt(b []byte) string {
	switch {
	case bytes.HasPrefix(b, []byte{0xFF, 0xD8, 0xFF}):
		return ".jpg"
	case bytes.HasPrefix(b, []byte("\x89PNG")):
		return ".png"
	case bytes.HasPrefix(b, []byte("GIF8")):
		return ".gif"
	case bytes.HasPrefix(b, []byte("RIFF")):
		return ".webp"
	}
	return ".img"
}

// requireFor wraps a command the config may want an attachment for.
func (h *Handlers) requireFor(verb, what string, next bot.HandlerFunc) bot.HandlerFunc {
	return func(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
		if err := h.requireAttachment(req, verb, what); err != nil {
			return nil, err
		}
		return next(ctx, req)
	}
}
