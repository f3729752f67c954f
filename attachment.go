package xfbot

import (
	"fmt"
	"path/filepath"
	"strings"
	"time"
)

// AttachmentKind is what Feishu calls the resource: a file message's file
// or an image message's image. The two are uploaded, downloaded and sent
// through different APIs (im/v1/files and im/v1/images; msg_type file or
// image), so the kind travels with the key.
type AttachmentKind string

const (
	AttachFile  AttachmentKind = "file"
	AttachImage AttachmentKind = "image"
)

// Label is the kind in Chinese.
func (k AttachmentKind) Label() string {
	if k == AttachImage {
		return "图片"
	}
	return "文件"
}

// Attachment is a file or an image kept with a case (附件): a 处理意见书, a
// 息诉罢访协议, a visit photo. Key is a key the app owns (uploaded by the
// bot), not the key of the message it came in: a message resource's key
// only works for that message in that chat, while the app's key can be sent
// to anyone the bot can message, long after the chat is gone.
type Attachment struct {
	Seq  int // 1, 2, …: the number 附件 … 发送 takes, in the order kept
	Kind AttachmentKind
	Name string // as sent; an image's is made up (图片-1.png)
	Size int64  // bytes
	Key  string // the app-owned file_key / image_key
	By   Person // the uploader
	At   time.Time
	// MessageID is the message the attachment came in: one message is kept
	// once, however often Feishu delivers it.
	MessageID string
}

// Attachment limits. Feishu takes up to 30 MB through im/v1/files and 10 MB
// through im/v1/images; a ledger's documents are scans and photos, well
// under these.
const (
	MaxAttachmentFileBytes  = 20 << 20
	MaxAttachmentImageBytes = 10 << 20
	MaxAttachmentsPerCase   = 50
)

// attachmentTypes are the file types a case keeps: documents (pdf, Word,
// WPS, Excel, OFD: the format of 电子公文), images, and zip for a bundle of
// scans. Executables, scripts and the rest are refused: the files are sent
// on to leaders and members.
var attachmentTypes = []string{".pdf", ".doc", ".docx", ".wps", ".xls", ".xlsx", ".csv", ".ofd", ".txt",
	".jpg", ".jpeg", ".png", ".zip"}

// AttachmentTypes lists the allowed file types, for the replies.
func AttachmentTypes() string {
	out := make([]string, len(attachmentTypes))
	for i, t := range attachmentTypes {
		out[i] = strings.TrimPrefix(t, ".")
	}
	return strings.Join(out, "、")
}

// CheckAttachment refuses a file of a type the case does not keep. Images
// sent as image messages are always taken (Feishu has made them jpg or png).
func CheckAttachment(kind AttachmentKind, name string) error {
	if kind == AttachImage {
		return nil
	}
	ext := strings.ToLower(filepath.Ext(name))
	for _, t := range attachmentTypes {
		if ext == t {
			return nil
		}
	}
	return Errorf(EINVALID, "这种文件不能作为附件保存：只接受 %s 文件，或直接发送图片。", AttachmentTypes())
}

// CheckAttachmentSize refuses a file too large or empty.
func CheckAttachmentSize(kind AttachmentKind, size int64) error {
	limit := int64(MaxAttachmentFileBytes)
	if kind == AttachImage {
		limit = MaxAttachmentImageBytes
	}
	switch {
	case size <= 0:
		return Errorf(EINVALID, "%s是空的，没有保存。", kind.Label())
	case size > limit:
		return Errorf(EINVALID, "%s超过 %d MB（%s），没有保存：请压缩或分成几个文件再发送。", kind.Label(), limit>>20, FormatSize(size))
	}
	return nil
}

// FormatSize is a size as people read it: 356 KB, 2.4 MB.
func FormatSize(n int64) string {
	switch {
	case n < 1<<10:
		return fmt.Sprintf("%d B", n)
	case n < 1<<20:
		return fmt.Sprintf("%d KB", (n+512)>>10)
	}
	return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
}

// MayReceiveAttachments reports whether m may be sent a case's attachment
// files (besides seeing the case): the roles that work cases. A file
// cannot be masked, and a viewer reads the petitioner masked everywhere
// else, so a viewer sees the list and receives nothing.
func (m Member) MayReceiveAttachments() bool { return m.CanWrite() }
