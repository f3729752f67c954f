package bot

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	larkim "github.com/larksuite/oapi-sdk-go/v3/service/im/v1"
)

// Uploader puts a file where a file message can refer to it and returns its
// key: the file_key of a message {"file_key": key} with msg_type "file".
//
// Errors are *SendError when the upload itself failed (Retryable says
// whether trying again can help), including a file refused before sending
// (empty, or over MaxUploadBytes: permanent); any other error comes from
// reading r.
type Uploader interface {
	Upload(ctx context.Context, name string, r io.Reader) (fileKey string, err error)
}

// MaxUploadBytes is the largest file Feishu takes for a chat (im/v1/files:
// 30 MB, and not empty). Callers that know a file's size can say so to the
// user before trying.
const MaxUploadBytes = 30 << 20

var (
	_ Uploader = (*LarkTransport)(nil)
	_ Uploader = DirUploader{}
)

// readUpload reads r whole, refusing an empty file or one over the limit
// with a permanent *SendError that names it.
func readUpload(name string, r io.Reader) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxUploadBytes+1))
	if err != nil {
		return nil, fmt.Errorf("bot: upload %s: read: %w", name, err)
	}
	switch {
	case len(data) == 0:
		return nil, &SendError{Msg: fmt.Sprintf("upload %s: the file is empty; Feishu takes no empty file", name)}
	case len(data) > MaxUploadBytes:
		return nil, &SendError{Msg: fmt.Sprintf("upload %s: the file is larger than Feishu's limit of %d MB", name, MaxUploadBytes>>20)}
	}
	return data, nil
}

// uploadFileType is Feishu's file_type for a file name: xls for
// spreadsheets, doc, pdf, ppt, mp4 and opus by extension, stream otherwise.
func uploadFileType(name string) string {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".xls", ".xlsx", ".csv":
		return "xls"
	case ".doc", ".docx":
		return "doc"
	case ".ppt", ".pptx":
		return "ppt"
	case ".pdf":
		return "pdf"
	case ".mp4":
		return "mp4"
	case ".opus":
		return "opus"
	}
	return "stream"
}

// Upload sends the file to im/v1/files (file_type by extension: "xls" for
// a .xlsx ledger) and returns its file_key. The file is read whole first:
// Feishu takes it in one request, and the SDK's retry after a rejected
// token sends it again. A failure is a *SendError classified as for
// messages; a rejected token is forgotten.
func (t *LarkTransport) Upload(ctx context.Context, name string, r io.Reader) (string, error) {
	data, err := readUpload(name, r)
	if err != nil {
		return "", err
	}
	resp, err := t.client.Im.File.Create(ctx, larkim.NewCreateFileReqBuilder().
		Body(larkim.NewCreateFileReqBodyBuilder().
			FileType(uploadFileType(name)).FileName(name).File(bytes.NewReader(data)).Build()).
		Build())
	if err != nil {
		return "", &SendError{Err: err}
	}
	if !resp.Success() {
		return "", t.fail(ctx, resp.ApiResp, resp.CodeError)
	}
	if resp.Data == nil || resp.Data.FileKey == nil || *resp.Data.FileKey == "" {
		e := &SendError{Msg: "upload " + name + ": Feishu answered without a file_key"}
		if resp.ApiResp != nil {
			e.HTTPStatus = resp.ApiResp.StatusCode
		}
		return "", e
	}
	return *resp.Data.FileKey, nil
}

// ImageUploader puts an image where an image message can refer to it
// ({"image_key": key}, msg_type "image"): im/v1/images with
// image_type=message. Attachments (附件) are re-uploaded through it and
// Uploader rather than kept by the key they came with: a message
// resource's key is only good for downloading from that message in that
// chat, while an uploaded key belongs to the app and can be sent to anyone
// the bot can message, after the chat is gone.
type ImageUploader interface {
	UploadImage(ctx context.Context, name string, r io.Reader) (imageKey string, err error)
}

// MaxImageUploadBytes is Feishu's limit of im/v1/images (10 MB).
const MaxImageUploadBytes = 10 << 20

var (
	_ ImageUploader = (*LarkTransport)(nil)
	_ ImageUploader = DirUploader{}
)

// UploadImage sends an image to im/v1/images (image_type "message") and
// returns its image_key; failures as for Upload.
func (t *LarkTransport) UploadImage(ctx context.Context, name string, r io.Reader) (string, error) {
	data, err := readUpload(name, r)
	if err != nil {
		return "", err
	}
	if len(data) > MaxImageUploadBytes {
		return "", &SendError{Msg: fmt.Sprintf("upload image %s: larger than Feishu's limit of %d MB", name, MaxImageUploadBytes>>20)}
	}
	resp, err := t.client.Im.Image.Create(ctx, larkim.NewCreateImageReqBuilder().
		Body(larkim.NewCreateImageReqBodyBuilder().ImageType("message").Image(bytes.NewReader(data)).Build()).
		Build())
	if err != nil {
		return "", &SendError{Err: err}
	}
	if !resp.Success() {
		return "", t.fail(ctx, resp.ApiResp, resp.CodeError)
	}
	if resp.Data == nil || resp.Data.ImageKey == nil || *resp.Data.ImageKey == "" {
		e := &SendError{Msg: "upload image " + name + ": Feishu answered without an image_key"}
		if resp.ApiResp != nil {
			e.HTTPStatus = resp.ApiResp.StatusCode
		}
		return "", e
	}
	return *resp.Data.ImageKey, nil
}

// UploadImage writes the image as Upload writes a file: the console keeps
// both on disk.
func (u DirUploader) UploadImage(ctx context.Context, name string, r io.Reader) (string, error) {
	return u.Upload(ctx, name, r)
}

// DirUploader is the local console's Uploader: it writes the file into Dir
// (created if missing; "" is the working directory) and returns
// "file://" + its absolute path. It keeps Feishu's rules (not empty, at
// most MaxUploadBytes) so that the console fails where Feishu would, and
// never overwrites: a second 台账.xlsx becomes 台账-2.xlsx.
type DirUploader struct {
	Dir string
}

// Upload writes r to a new file in u.Dir named after name's last element.
func (u DirUploader) Upload(_ context.Context, name string, r io.Reader) (string, error) {
	data, err := readUpload(name, r)
	if err != nil {
		return "", err
	}
	base := filepath.Base(filepath.Clean("/" + name)) // no way out of Dir
	if base == "/" || base == "." {
		return "", &SendError{Msg: fmt.Sprintf("upload %q: no file name", name)}
	}
	dir := u.Dir
	if dir == "" {
		dir = "."
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("bot: upload %s: %w", name, err)
	}
	ext := filepath.Ext(base)
	stem := strings.TrimSuffix(base, ext)
	for i := 1; ; i++ {
		path := filepath.Join(dir, base)
		if i > 1 {
			path = filepath.Join(dir, stem+"-"+strconv.Itoa(i)+ext)
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if errors.Is(err, os.ErrExist) && i < 1000 {
			continue
		}
		if err != nil {
			return "", fmt.Errorf("bot: upload %s: %w", name, err)
		}
		_, err = f.Write(data)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			_ = os.Remove(path)
			return "", fmt.Errorf("bot: upload %s: %w", name, err)
		}
		abs, err := filepath.Abs(path)
		if err != nil {
			return "", fmt.Errorf("bot: upload %s: %w", name, err)
		}
		return "file://" + abs, nil
	}
}
