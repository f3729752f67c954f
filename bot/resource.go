package bot

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	larkim "github.com/larksuite/oapi-sdk-go/v3/service/im/v1"

	"github.com/qingchuan/xfbot"
)

// MaxDownloadBytes is the largest file the bot takes from a chat. Feishu
// lets a message carry 100 MB; a ledger of 10,000 cases is about 1 MB.
const MaxDownloadBytes = 20 << 20

// Download fetches a file a user sent (a file message's file_key) through
// the message resource API (im/v1/messages/:message_id/resources/:file_key
// ?type=file, the SDK's Im.MessageResource.Get; tenant token, the bot must
// be in the chat). A failure Feishu answers is a *SendError classified as
// for messages; a file over MaxDownloadBytes is an *xfbot.Error for the
// user.
func (t *LarkTransport) Download(ctx context.Context, messageID, fileKey string) ([]byte, error) {
	return t.DownloadResource(ctx, messageID, fileKey, xfbot.AttachFile)
}

// DownloadResource is Download of a file or of an image message's image
// (type=image, the image_key as the file_key), as the message resource
// API takes both.
func (t *LarkTransport) DownloadResource(ctx context.Context, messageID, fileKey string, kind xfbot.AttachmentKind) ([]byte, error) {
	if messageID == "" || fileKey == "" || strings.HasPrefix(fileKey, "file://") {
		return nil, &SendError{Msg: "download: no message id or file key"}
	}
	typ := "file"
	if kind == xfbot.AttachImage {
		typ = "image"
	}
	resp, err := t.client.Im.MessageResource.Get(ctx, larkim.NewGetMessageResourceReqBuilder().
		MessageId(messageID).FileKey(fileKey).Type(typ).Build())
	if err != nil {
		return nil, &SendError{Err: err}
	}
	if !resp.Success() || resp.File == nil {
		return nil, t.fail(ctx, resp.ApiResp, resp.CodeError)
	}
	data, err := io.ReadAll(io.LimitReader(resp.File, MaxDownloadBytes+1))
	if err != nil {
		return nil, &SendError{Err: err}
	}
	if len(data) > MaxDownloadBytes {
		return nil, xfbot.Errorf(xfbot.EINVALID, "文件超过 %d MB，请分成几个文件再发送。", MaxDownloadBytes>>20)
	}
	return data, nil
}

// LocalFiles is the Downloader of the console and of xfbot import: a key
// file://<path> is read from the local disk. Nothing else is: a chat's
// file never names a local path.
type LocalFiles struct{}

// Download reads the file a file:// key names.
func (LocalFiles) Download(_ context.Context, _, fileKey string) ([]byte, error) {
	path, ok := strings.CutPrefix(fileKey, "file://")
	if !ok {
		return nil, fmt.Errorf("bot: local download of %q: not a file:// key", fileKey)
	}
	info, err := os.Stat(path)
	if err != nil {
		return nil, xfbot.Errorf(xfbot.EINVALID, "找不到文件 %s。", path)
	}
	if info.Size() > MaxDownloadBytes {
		return nil, xfbot.Errorf(xfbot.EINVALID, "文件超过 %d MB，请分成几个文件。", MaxDownloadBytes>>20)
	}
	return os.ReadFile(path)
}

// DownloadResource reads the file a file:// key names, whatever its kind.
func (l LocalFiles) DownloadResource(ctx context.Context, messageID, fileKey string, _ xfbot.AttachmentKind) ([]byte, error) {
	return l.Download(ctx, messageID, fileKey)
}
