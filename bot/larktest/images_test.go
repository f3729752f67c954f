package larktest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"testing"

	larkim "github.com/larksuite/oapi-sdk-go/v3/service/im/v1"

	"github.com/qingchuan/xfbot/bot/larktest"
)

// TestImageUpload: POST /open-apis/im/v1/images as Feishu documents it,
// through the SDK (Im.Image.Create) and by hand for the refusals.
func TestImageUpload(t *testing.T) {
	srv := larktest.NewServer(larktest.WithApp("cli_images", "secret"))
	defer srv.Close()
	png := []byte("\x89PNG\r\n\x1a\n pixels")

	t.Run("SDK", func(t *testing.T) {
		resp, err := newClient(srv, "cli_images", "secret").Im.Image.Create(context.Background(), larkim.NewCreateImageReqBuilder().
			Body(larkim.NewCreateImageReqBodyBuilder().ImageType("message").Image(bytes.NewReader(png)).Build()).Build())
		if err != nil || !resp.Success() || resp.Data.ImageKey == nil {
			t.Fatalf("Create = %+v, %v", resp, err)
		}
		ims := srv.Images()
		if len(ims) != 1 || ims[0].Key != *resp.Data.ImageKey || ims[0].Type != "message" || !bytes.Equal(ims[0].Data, png) {
			t.Fatalf("images %+v", ims)
		}
	})

	post := func(t *testing.T, auth bool, imageType string, data []byte) int {
		t.Helper()
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		_ = mw.WriteField("image_type", imageType)
		fw, _ := mw.CreateFormFile("image", "a.png")
		_, _ = fw.Write(data)
		_ = mw.Close()
		req, _ := http.NewRequest(http.MethodPost, srv.URL()+"/open-apis/im/v1/images", &body)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		if auth {
			req.Header.Set("Authorization", "Bearer "+token(t, srv))
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var v struct {
			Code int `json:"code"`
		}
		_ = json.NewDecoder(resp.Body).Decode(&v)
		return v.Code
	}
	for _, tc := range []struct {
		name      string
		auth      bool
		imageType string
		data      []byte
		code      int
	}{
		{"NoToken", false, "message", png, 99991663},
		{"BadImageType", true, "sticker", png, 234001},
		{"Empty", true, "message", nil, 234001},
		{"NotAnImage", true, "message", []byte("%PDF-1.7"), 234011},
		{"Avatar", true, "avatar", png, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := post(t, tc.auth, tc.imageType, tc.data); got != tc.code {
				t.Fatalf("code %d, want %d", got, tc.code)
			}
		})
	}
}

// token fetches the fake's tenant token as the SDK would.
func token(t *testing.T, srv *larktest.Server) string {
	t.Helper()
	resp, err := http.Post(srv.URL()+"/open-apis/auth/v3/tenant_access_token/internal", "application/json",
		bytes.NewReader([]byte(`{"app_id":"cli_images","app_secret":"secret"}`)))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var v struct {
		Token string `json:"tenant_access_token"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&v)
	return v.Token
}
