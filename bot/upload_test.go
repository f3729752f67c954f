package bot_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	lark "github.com/larksuite/oapi-sdk-go/v3"
	larkcore "github.com/larksuite/oapi-sdk-go/v3/core"
	"github.com/qingchuan/xfbot/bot"
	"github.com/qingchuan/xfbot/bot/larktest"
)

// zeros is an endless reader of zero bytes, for files of any size.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

func TestLarkUpload(t *testing.T) {
	srv := larktest.NewServer()
	defer srv.Close()
	client := lark.NewClient("cli_test", "secret", lark.WithOpenBaseUrl(srv.URL()), lark.WithLogLevel(larkcore.LogLevelError))
	var forgot atomic.Int32
	tr := bot.NewLarkTransport(client, func(context.Context) error { forgot.Add(1); return nil })
	ctx := context.Background()
	ledger := []byte("PK\x03\x04 a workbook")

	t.Run("XlsxAsXlsThenAFileMessage", func(t *testing.T) {
		srv.Reset()
		key, err := tr.Upload(ctx, "信访积案化解台账（2026-03）.xlsx", bytes.NewReader(ledger))
		if err != nil {
			t.Fatal(err)
		}
		fs := srv.Files()
		if len(fs) != 1 || fs[0].Key != key || fs[0].Type != "xls" || fs[0].Name != "信访积案化解台账（2026-03）.xlsx" || !bytes.Equal(fs[0].Data, ledger) {
			t.Fatalf("server has %+v, key %q", fs, key)
		}
		// the key is good for a file message (the fake checks it names an upload)
		m := textTo("", "")
		m.ReceiveIDType, m.ReceiveID, m.MsgType, m.Content = "open_id", "ou_u1", "file", `{"file_key":"`+key+`"}`
		if _, err := tr.Deliver(ctx, m); err != nil {
			t.Errorf("file message with the uploaded key: %v", err)
		}
	})

	t.Run("FileTypeByExtension", func(t *testing.T) {
		srv.Reset()
		for _, name := range []string{"a.pdf", "b.csv", "c.docx", "d.zip", "e"} {
			if _, err := tr.Upload(ctx, name, strings.NewReader("x")); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
		}
		var got []string
		for _, f := range srv.Files() {
			got = append(got, f.Type)
		}
		if strings.Join(got, " ") != "pdf xls doc stream stream" {
			t.Errorf("file types %v", got)
		}
	})

	refused := []struct {
		name string
		r    io.Reader
	}{
		{"Empty", strings.NewReader("")},
		{"Over30MB", io.LimitReader(zeros{}, bot.MaxUploadBytes+1)},
	}
	for _, tt := range refused {
		t.Run(tt.name+"RefusedBeforeSending", func(t *testing.T) {
			srv.Reset()
			_, err := tr.Upload(ctx, "台账.xlsx", tt.r)
			var se *bot.SendError
			if !errors.As(err, &se) || se.Retryable() || !strings.Contains(err.Error(), "台账.xlsx") {
				t.Errorf("err = %v, want a permanent *SendError naming the file", err)
			}
			if n := len(srv.Files()); n != 0 {
				t.Errorf("%d files reached the server", n)
			}
		})
	}

	failures := []struct {
		name      string
		n, status int
		code      int
		retryable bool
	}{
		{"OutageRetryable", 1, http.StatusServiceUnavailable, 0, true},
		{"RateLimitRetryable", 1, http.StatusTooManyRequests, bot.CodeRateLimited, true},
		{"BadRequestPermanent", 1, http.StatusBadRequest, 234001, false},
		{"TokenRejectedRetryableAndForgotten", 2, http.StatusBadRequest, bot.CodeTokenInvalid, true}, // the SDK retries once
	}
	for _, tt := range failures {
		t.Run(tt.name, func(t *testing.T) {
			srv.Reset()
			before := forgot.Load()
			srv.FailNext(tt.n, tt.status, tt.code)
			_, err := tr.Upload(ctx, "台账.xlsx", bytes.NewReader(ledger))
			var se *bot.SendError
			if !errors.As(err, &se) {
				t.Fatalf("err = %v, want a *SendError", err)
			}
			if se.Retryable() != tt.retryable || se.Code != tt.code {
				t.Errorf("%v: code %d retryable %v, want %d %v", se, se.Code, se.Retryable(), tt.code, tt.retryable)
			}
			if tok := tt.code == bot.CodeTokenInvalid; (forgot.Load() > before) != tok {
				t.Errorf("token forgotten: %v, want %v", forgot.Load() > before, tok)
			}
			// the same file goes through on the next try
			if key, err := tr.Upload(ctx, "台账.xlsx", bytes.NewReader(ledger)); err != nil || key == "" {
				t.Errorf("retry: %q, %v", key, err)
			}
		})
	}
}

func TestDirUploader(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "exports")
	u := bot.DirUploader{Dir: dir}
	read := func(t *testing.T, url string) string {
		t.Helper()
		path, ok := strings.CutPrefix(url, "file://")
		if !ok || !filepath.IsAbs(path) {
			t.Fatalf("%q is not a file:// URL of an absolute path", url)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}

	t.Run("WritesAndNeverOverwrites", func(t *testing.T) {
		k1, err := u.Upload(ctx, "台账.xlsx", strings.NewReader("one"))
		if err != nil {
			t.Fatal(err)
		}
		k2, err := u.Upload(ctx, "台账.xlsx", strings.NewReader("two"))
		if err != nil {
			t.Fatal(err)
		}
		if filepath.Base(k1) != "台账.xlsx" || filepath.Base(k2) != "台账-2.xlsx" || filepath.Dir(strings.TrimPrefix(k1, "file://")) != dir {
			t.Errorf("keys %q, %q", k1, k2)
		}
		if read(t, k1) != "one" || read(t, k2) != "two" {
			t.Error("contents mixed up")
		}
	})

	t.Run("StaysInDir", func(t *testing.T) {
		k, err := u.Upload(ctx, "../../etc/台账.xlsx", strings.NewReader("x"))
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.TrimPrefix(k, "file://"); filepath.Dir(got) != dir {
			t.Errorf("written to %q, outside %q", got, dir)
		}
	})

	t.Run("RefusesAsFeishuDoes", func(t *testing.T) {
		for name, r := range map[string]io.Reader{
			"empty.xlsx": strings.NewReader(""),
			"big.xlsx":   io.LimitReader(zeros{}, bot.MaxUploadBytes+1),
			"":           strings.NewReader("x"),
		} {
			_, err := u.Upload(ctx, name, r)
			var se *bot.SendError
			if !errors.As(err, &se) || se.Retryable() {
				t.Errorf("%q: err = %v, want a permanent *SendError", name, err)
			}
			if name != "" {
				if _, err := os.Stat(filepath.Join(dir, name)); !errors.Is(err, os.ErrNotExist) {
					t.Errorf("%q left a file behind: %v", name, err)
				}
			}
		}
	})
}
