package larktest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	lark "github.com/larksuite/oapi-sdk-go/v3"
	larkcore "github.com/larksuite/oapi-sdk-go/v3/core"
	"github.com/larksuite/oapi-sdk-go/v3/core/httpserverext"
	larkevent "github.com/larksuite/oapi-sdk-go/v3/event"
	"github.com/larksuite/oapi-sdk-go/v3/event/dispatcher"
	"github.com/larksuite/oapi-sdk-go/v3/event/dispatcher/callback"
	larkim "github.com/larksuite/oapi-sdk-go/v3/service/im/v1"
	larkws "github.com/larksuite/oapi-sdk-go/v3/ws"

	"github.com/qingchuan/xfbot/bot/larktest"
)

// The SDK caches tenant tokens process-wide by app id, so tests that count
// token calls use an app id of their own.

func newClient(srv *larktest.Server, appID, secret string) *lark.Client {
	return lark.NewClient(appID, secret, lark.WithOpenBaseUrl(srv.URL()), lark.WithLogger(quiet{}))
}

func text(s string) string {
	b, _ := json.Marshal(map[string]string{"text": s})
	return string(b)
}

const card = `{"schema":"2.0","config":{"update_multi":true},"body":{"elements":[{"tag":"markdown","content":"open"}]}}`

func create(t *testing.T, cli *lark.Client, idType, id, msgType, content, uuid string) *larkim.CreateMessageResp {
	t.Helper()
	resp, err := cli.Im.Message.Create(context.Background(), larkim.NewCreateMessageReqBuilder().
		ReceiveIdType(idType).
		Body(larkim.NewCreateMessageReqBodyBuilder().ReceiveId(id).MsgType(msgType).Content(content).Uuid(uuid).Build()).
		Build())
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	return resp
}

// clock is a settable clock for WithClock; the server reads it from its
// handler goroutines.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func newClock() *clock { return &clock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)} }

func TestSendReplyPatch(t *testing.T) {
	srv := larktest.NewServer()
	defer srv.Close()
	cli := newClient(srv, "cli_test", "secret")
	ctx := context.Background()

	sent := create(t, cli, larkim.ReceiveIdTypeChatId, "oc_chat1", larkim.MsgTypeInteractive, card, "card-1")
	if !sent.Success() || !strings.HasPrefix(*sent.Data.MessageId, "om_") || *sent.Data.ChatId != "oc_chat1" {
		t.Fatalf("create: code=%d msg=%s data=%+v", sent.Code, sent.Msg, sent.Data)
	}
	cardID := *sent.Data.MessageId

	reply, err := cli.Im.Message.Reply(ctx, larkim.NewReplyMessageReqBuilder().MessageId(cardID).
		Body(larkim.NewReplyMessageReqBodyBuilder().MsgType(larkim.MsgTypeText).Content(text("on it")).Uuid("reply-1").Build()).
		Build())
	if err != nil || !reply.Success() {
		t.Fatalf("reply: err=%v resp=%+v", err, reply)
	}
	if *reply.Data.ParentId != cardID || *reply.Data.ChatId != "oc_chat1" {
		t.Errorf("reply data: parent=%s chat=%s", *reply.Data.ParentId, *reply.Data.ChatId)
	}

	patched := strings.Replace(card, "open", "closed", 1)
	patch, err := cli.Im.Message.Patch(ctx, larkim.NewPatchMessageReqBuilder().MessageId(cardID).
		Body(larkim.NewPatchMessageReqBodyBuilder().Content(patched).Build()).Build())
	if err != nil || !patch.Success() {
		t.Fatalf("patch: err=%v resp=%+v", err, patch)
	}

	got := srv.Messages()
	if len(got) != 3 {
		t.Fatalf("recorded %d messages, want 3: %+v", len(got), got)
	}
	c, r, p := got[0], got[1], got[2]
	if c.Method != "POST" || c.Path != "/open-apis/im/v1/messages" || c.ReceiveIDType != "chat_id" ||
		c.ReceiveID != "oc_chat1" || c.MsgType != "interactive" || c.Content != card || c.UUID != "card-1" ||
		c.MessageID != cardID || c.At.IsZero() {
		t.Errorf("create record: %+v", c)
	}
	if r.ReplyTo != cardID || r.MessageID != *reply.Data.MessageId || r.MsgType != "text" ||
		r.Content != text("on it") || r.ReceiveID != "oc_chat1" || r.Path != "/open-apis/im/v1/messages/"+cardID+"/reply" {
		t.Errorf("reply record: %+v", r)
	}
	if p.Method != "PATCH" || p.MessageID != cardID || p.Content != patched {
		t.Errorf("patch record: %+v", p)
	}
}

func TestIdempotentUUID(t *testing.T) {
	clk := newClock()
	srv := larktest.NewServer(larktest.WithClock(clk.Now))
	defer srv.Close()
	cli := newClient(srv, "cli_test", "secret")

	first := create(t, cli, "open_id", "ou_tom", "text", text("due today"), "remind-42")
	again := create(t, cli, "open_id", "ou_tom", "text", text("due today"), "remind-42")
	if !again.Success() || *again.Data.MessageId != *first.Data.MessageId {
		t.Errorf("duplicate uuid gave message %s, want %s", *again.Data.MessageId, *first.Data.MessageId)
	}
	if n, d := len(srv.Messages()), srv.DuplicateUUIDs(); n != 1 || d != 1 {
		t.Errorf("messages=%d duplicates=%d, want 1 and 1", n, d)
	}

	clk.Add(time.Hour) // uuids are remembered for one hour only
	later := create(t, cli, "open_id", "ou_tom", "text", text("due today"), "remind-42")
	if *later.Data.MessageId == *first.Data.MessageId || len(srv.Messages()) != 2 {
		t.Errorf("uuid after an hour was deduplicated; messages=%d", len(srv.Messages()))
	}
}

func TestRateLimits(t *testing.T) {
	t.Run("PerChat", func(t *testing.T) {
		clk := newClock()
		srv := larktest.NewServer(larktest.WithRateLimits(2, 0), larktest.WithClock(clk.Now))
		defer srv.Close()
		cli := newClient(srv, "cli_test", "secret")

		var codes []int
		for range 3 {
			codes = append(codes, create(t, cli, "chat_id", "oc_busy", "text", text("x"), "").Code)
		}
		if fmt.Sprint(codes) != "[0 0 230020]" {
			t.Errorf("codes %v, want [0 0 230020]", codes)
		}
		if other := create(t, cli, "chat_id", "oc_quiet", "text", text("x"), ""); !other.Success() {
			t.Errorf("another chat was limited: %d", other.Code)
		}
		clk.Add(time.Second)
		if after := create(t, cli, "chat_id", "oc_busy", "text", text("x"), ""); !after.Success() {
			t.Errorf("still limited after the window: %d", after.Code)
		}
		if srv.RateLimited() != 1 || len(srv.Messages()) != 4 {
			t.Errorf("limited=%d recorded=%d, want 1 and 4", srv.RateLimited(), len(srv.Messages()))
		}
	})
	t.Run("ReplySharesChatWindow", func(t *testing.T) {
		srv := larktest.NewServer(larktest.WithRateLimits(1, 0), larktest.WithClock(newClock().Now))
		defer srv.Close()
		cli := newClient(srv, "cli_test", "secret")
		srv.ObserveEvent(larktest.MessageEvent(larktest.Message{MessageID: "om_in", ChatID: "oc_grp", ChatType: "group"}))
		create(t, cli, "chat_id", "oc_grp", "text", text("first"), "")
		resp, err := cli.Im.Message.Reply(context.Background(), larkim.NewReplyMessageReqBuilder().MessageId("om_in").
			Body(larkim.NewReplyMessageReqBodyBuilder().MsgType("text").Content(text("second")).Build()).Build())
		if err != nil || resp.Code != 230020 || resp.StatusCode != http.StatusBadRequest {
			t.Errorf("reply in a busy chat: err=%v code=%d", err, resp.Code)
		}
	})
	t.Run("PerApp", func(t *testing.T) {
		srv := larktest.NewServer(larktest.WithRateLimits(0, 3), larktest.WithClock(newClock().Now))
		defer srv.Close()
		cli := newClient(srv, "cli_test", "secret")
		var last *larkim.CreateMessageResp
		for i := range 4 {
			last = create(t, cli, "chat_id", fmt.Sprintf("oc_%d", i), "text", text("x"), "")
		}
		if last.Code != 99991400 || last.StatusCode != http.StatusTooManyRequests ||
			last.Header.Get("x-ogw-ratelimit-reset") != "1" {
			t.Errorf("4th call: status=%d code=%d reset=%q", last.StatusCode, last.Code, last.Header.Get("x-ogw-ratelimit-reset"))
		}
		if srv.RateLimited() != 1 || len(srv.Messages()) != 3 {
			t.Errorf("limited=%d recorded=%d", srv.RateLimited(), len(srv.Messages()))
		}
	})
}

func TestToken(t *testing.T) {
	t.Run("FetchedOnce", func(t *testing.T) {
		// Unique per run: with -count=N the SDK's global cache would
		// otherwise still hold the previous run's token.
		app := fmt.Sprintf("cli_token_once_%d", time.Now().UnixNano())
		srv := larktest.NewServer(larktest.WithApp(app, "s1"))
		defer srv.Close()
		cli := newClient(srv, app, "s1")
		for i := range 3 {
			create(t, cli, "chat_id", "oc_a", "text", text(fmt.Sprint(i)), "")
		}
		if n := srv.TokenCalls(); n != 1 || len(srv.Messages()) != 3 {
			t.Errorf("token calls %d, messages %d; want 1 and 3", n, len(srv.Messages()))
		}

		// A second server for the same app must accept the token the SDK
		// cached from the first.
		srv2 := larktest.NewServer(larktest.WithApp(app, "s1"))
		defer srv2.Close()
		resp := create(t, newClient(srv2, app, "s1"), "chat_id", "oc_a", "text", text("x"), "")
		if !resp.Success() || srv2.TokenCalls() != 0 {
			t.Errorf("second server: code=%d token calls=%d", resp.Code, srv2.TokenCalls())
		}
	})
	t.Run("WrongSecret", func(t *testing.T) {
		srv := larktest.NewServer(larktest.WithApp("cli_token_bad", "right"))
		defer srv.Close()
		_, err := newClient(srv, "cli_token_bad", "wrong").Im.Message.Create(context.Background(),
			larkim.NewCreateMessageReqBuilder().ReceiveIdType("chat_id").
				Body(larkim.NewCreateMessageReqBodyBuilder().ReceiveId("oc_a").MsgType("text").Content(text("x")).Build()).Build())
		if err == nil || len(srv.Messages()) != 0 {
			t.Errorf("send with a wrong secret: err=%v recorded=%d", err, len(srv.Messages()))
		}
	})
	t.Run("MissingBearer", func(t *testing.T) {
		srv := larktest.NewServer()
		defer srv.Close()
		res, err := http.Post(srv.URL()+"/open-apis/im/v1/messages?receive_id_type=chat_id", "application/json",
			strings.NewReader(`{"receive_id":"oc_a","msg_type":"text","content":"{\"text\":\"x\"}"}`))
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var body struct{ Code int }
		_ = json.NewDecoder(res.Body).Decode(&body)
		if res.StatusCode != http.StatusBadRequest || body.Code != 99991663 {
			t.Errorf("status=%d code=%d, want 400 and 99991663", res.StatusCode, body.Code)
		}
	})
}

func TestValidation(t *testing.T) {
	srv := larktest.NewServer()
	defer srv.Close()
	cli := newClient(srv, "cli_test", "secret")
	bigCard := `{"schema":"2.0","body":{"elements":[{"tag":"markdown","content":"` + strings.Repeat("x", 31<<10) + `"}]}}`
	for _, tc := range []struct {
		name, idType, id, msgType, content string
		code                               int
	}{
		{"TextWithoutText", "chat_id", "oc_a", "text", `{"txt":"hi"}`, 230001},
		{"ContentNotJSON", "chat_id", "oc_a", "text", `hi`, 230001},
		{"UnknownMsgType", "chat_id", "oc_a", "markdown", `{"text":"hi"}`, 230001},
		{"PostWrapper", "chat_id", "oc_a", "post", `{"post":{"zh_cn":{"title":"t","content":[[]]}}}`, 230001},
		{"CardTooLong", "chat_id", "oc_a", "interactive", bigCard, 230025},
		{"OpenIDAsChatID", "chat_id", "ou_tom", "text", text("hi"), 99992402},
		{"UnknownIDType", "phone", "123", "text", text("hi"), 99992402},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if resp := create(t, cli, tc.idType, tc.id, tc.msgType, tc.content, ""); resp.Code != tc.code {
				t.Errorf("code %d (%s), want %d", resp.Code, resp.Msg, tc.code)
			}
		})
	}
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("recorded %d invalid messages", n)
	}
	ok := create(t, cli, "chat_id", "oc_a", "post", `{"zh_cn":{"title":"t","content":[[{"tag":"text","text":"hi"}]]}}`, "")
	if !ok.Success() {
		t.Errorf("valid post rejected: %d %s", ok.Code, ok.Msg)
	}
}

func TestFaults(t *testing.T) {
	srv := larktest.NewServer()
	defer srv.Close()
	cli := newClient(srv, "cli_test", "secret")
	req := func() (*larkim.CreateMessageResp, error) {
		return cli.Im.Message.Create(context.Background(), larkim.NewCreateMessageReqBuilder().ReceiveIdType("chat_id").
			Body(larkim.NewCreateMessageReqBodyBuilder().ReceiveId("oc_a").MsgType("text").Content(text("x")).Build()).Build())
	}

	srv.FailNext(1, http.StatusInternalServerError, 0)
	if _, err := req(); err == nil {
		t.Error("a plain-text 500 did not surface as an error")
	}
	srv.FailNext(1, http.StatusBadRequest, 230020)
	if resp, err := req(); err != nil || resp.Code != 230020 {
		t.Errorf("injected 230020: err=%v resp=%+v", err, resp)
	}
	srv.SetDown(true)
	for range 2 {
		if _, err := req(); err == nil {
			t.Error("a call succeeded while down")
		}
	}
	srv.SetDown(false)
	if resp, err := req(); err != nil || !resp.Success() {
		t.Errorf("after recovery: err=%v resp=%+v", err, resp)
	}
	if n := len(srv.Messages()); n != 1 {
		t.Errorf("recorded %d, want only the call after recovery", n)
	}
}

func TestFileUpload(t *testing.T) {
	srv := larktest.NewServer()
	defer srv.Close()
	cli := newClient(srv, "cli_test", "secret")
	data := []byte("case,status\n42,open\n")
	resp, err := cli.Im.File.Create(context.Background(), larkim.NewCreateFileReqBuilder().
		Body(larkim.NewCreateFileReqBodyBuilder().FileType("stream").FileName("cases.csv").File(bytes.NewReader(data)).Build()).
		Build())
	if err != nil || !resp.Success() {
		t.Fatalf("upload: err=%v resp=%+v", err, resp)
	}
	files := srv.Files()
	if len(files) != 1 || files[0].Key != *resp.Data.FileKey || files[0].Name != "cases.csv" ||
		files[0].Type != "stream" || !bytes.Equal(files[0].Data, data) {
		t.Errorf("files %+v, key %s", files, *resp.Data.FileKey)
	}
}

func TestFileRules(t *testing.T) {
	srv := larktest.NewServer()
	defer srv.Close()
	cli := newClient(srv, "cli_test", "secret")
	upload := func(name string, data []byte) (*larkim.CreateFileResp, error) {
		return cli.Im.File.Create(context.Background(), larkim.NewCreateFileReqBuilder().
			Body(larkim.NewCreateFileReqBodyBuilder().FileType("xls").FileName(name).File(bytes.NewReader(data)).Build()).Build())
	}
	fileMsg := func(key string) string {
		b, _ := json.Marshal(map[string]string{"file_key": key})
		return string(b)
	}

	resp, err := upload("台账.xlsx", []byte("PK\x03\x04"))
	if err != nil || !resp.Success() {
		t.Fatalf("upload: err=%v resp=%+v", err, resp)
	}
	key := *resp.Data.FileKey

	t.Run("FileMessageNamesAnUpload", func(t *testing.T) {
		if r := create(t, cli, "open_id", "ou_a", "file", fileMsg(key), ""); !r.Success() {
			t.Errorf("file message with an uploaded key refused: %d %s", r.Code, r.Msg)
		}
		if r := create(t, cli, "open_id", "ou_a", "file", fileMsg("file_v3_unknown"), ""); r.Code != 230001 {
			t.Errorf("file message with an unknown key: code %d, want 230001", r.Code)
		}
		if r := create(t, cli, "open_id", "ou_a", "file", `{"file_name":"x.xlsx"}`, ""); r.Code != 230001 {
			t.Errorf("file message without a key: code %d, want 230001", r.Code)
		}
		sent := srv.Messages()
		if len(sent) != 1 || sent[0].MsgType != "file" || sent[0].Content != fileMsg(key) {
			t.Errorf("recorded %+v, want the one valid file message", sent)
		}
	})

	t.Run("EmptyAndOversizedRefused", func(t *testing.T) {
		for name, data := range map[string][]byte{"empty": nil, "30MB+1": make([]byte, 30<<20+1)} {
			r, err := upload(name+".xlsx", data)
			if err != nil || r.Code != 234001 {
				t.Errorf("%s upload: err=%v code=%v, want 234001", name, err, r)
			}
		}
		if n := len(srv.Files()); n != 1 {
			t.Errorf("%d files kept, want the first upload only", n)
		}
	})

	t.Run("InjectedFaults", func(t *testing.T) {
		srv.FailNext(1, http.StatusInternalServerError, 0)
		if _, err := upload("a.xlsx", []byte("x")); err == nil {
			t.Error("a plain-text 500 did not surface as an error")
		}
		srv.FailNext(1, http.StatusBadRequest, 99991400)
		if r, err := upload("a.xlsx", []byte("x")); err != nil || r.Code != 99991400 {
			t.Errorf("injected 99991400: err=%v resp=%+v", err, r)
		}
		if r, err := upload("a.xlsx", []byte("x")); err != nil || !r.Success() {
			t.Errorf("after the faults: err=%v resp=%+v", err, r)
		}
	})

	t.Run("ResetForgetsFiles", func(t *testing.T) {
		srv.Reset()
		if len(srv.Files()) != 0 {
			t.Error("files kept after Reset")
		}
		if r := create(t, cli, "open_id", "ou_a", "file", fileMsg(key), ""); r.Code != 230001 {
			t.Errorf("a key from before Reset: code %d, want 230001", r.Code)
		}
	})
}

func TestWait(t *testing.T) {
	srv := larktest.NewServer()
	defer srv.Close()
	cli := newClient(srv, "cli_test", "secret")
	go func() {
		time.Sleep(20 * time.Millisecond)
		for _, chat := range []string{"oc_a", "oc_b"} {
			_, err := cli.Im.Message.Create(context.Background(), larkim.NewCreateMessageReqBuilder().ReceiveIdType("chat_id").
				Body(larkim.NewCreateMessageReqBodyBuilder().ReceiveId(chat).MsgType("text").Content(text(chat)).Build()).Build())
			if err != nil {
				t.Error(err) // not Fatal: this is not the test goroutine
			}
		}
	}()
	m, ok := srv.WaitFor(func(s larktest.Sent) bool { return s.ReceiveID == "oc_b" }, 5*time.Second)
	if !ok || m.Content != text("oc_b") {
		t.Fatalf("WaitFor: ok=%v %+v", ok, m)
	}
	if msgs, ok := srv.WaitMessages(2, time.Second); !ok || len(msgs) != 2 {
		t.Errorf("WaitMessages(2): ok=%v n=%d", ok, len(msgs))
	}
	if _, ok := srv.WaitMessages(3, 30*time.Millisecond); ok {
		t.Error("WaitMessages(3) reported success with 2 messages")
	}
	srv.Reset()
	if len(srv.Messages()) != 0 {
		t.Error("Reset kept messages")
	}
}

type vector struct {
	EncryptKey string `json:"encrypt_key"`
	HTTPBody   struct {
		Encrypt string `json:"encrypt"`
	} `json:"http_body"`
	Plaintext string            `json:"decrypted_plaintext"`
	Headers   map[string]string `json:"headers"`
	RawBody   string            `json:"raw_body"`
}

func loadVector(t *testing.T, name string) vector {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	var v vector
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestSignMatchesSDKVector(t *testing.T) {
	v := loadVector(t, "sdk-testvector-webhook-signature.json")
	got := larktest.Sign(v.Headers["X-Lark-Request-Timestamp"], v.Headers["X-Lark-Request-Nonce"], v.EncryptKey, []byte(v.RawBody))
	if want := v.Headers["X-Lark-Signature"]; got != want {
		t.Errorf("Sign = %s, want %s", got, want)
	}
}

func TestEncryptMatchesSDKVector(t *testing.T) {
	v := loadVector(t, "sdk-testvector-encrypted-event.json")
	if plain, err := larkevent.EventDecrypt(v.HTTPBody.Encrypt, v.EncryptKey); err != nil || string(plain) != v.Plaintext {
		t.Fatalf("the vector itself does not decrypt: %v", err)
	}
	enc, err := larktest.Encrypt(v.EncryptKey, []byte(v.Plaintext))
	if err != nil {
		t.Fatal(err)
	}
	plain, err := larkevent.EventDecrypt(enc, v.EncryptKey)
	if err != nil || string(plain) != v.Plaintext {
		t.Errorf("SDK decrypt of Encrypt: err=%v got %q", err, plain)
	}
	// Same IV and padding layout as Feishu: equal length for equal plaintext.
	if len(enc) != len(v.HTTPBody.Encrypt) {
		t.Errorf("ciphertext length %d, vector %d", len(enc), len(v.HTTPBody.Encrypt))
	}
}

func TestWebhookRequest(t *testing.T) {
	const key = "encrypt-key-1"
	ev := larktest.MessageEvent(larktest.Message{ChatID: "oc_w", Text: "/case show 42", Token: "vtok"})
	var got []string
	var mu sync.Mutex
	d := dispatcher.NewEventDispatcher("vtok", key).
		OnP2MessageReceiveV1(func(_ context.Context, e *larkim.P2MessageReceiveV1) error {
			mu.Lock()
			got = append(got, *e.Event.Message.Content)
			mu.Unlock()
			return nil
		})
	d.InitConfig(larkevent.WithLogger(quiet{}))
	bot := httptest.NewServer(http.HandlerFunc(httpserverext.NewEventHandlerFunc(d, larkevent.WithLogger(quiet{}))))
	defer bot.Close()

	req, err := larktest.NewWebhookRequest(bot.URL, key, ev, time.Unix(1700000000, 0))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(req.Body)
	req.Body = io.NopCloser(bytes.NewReader(body))
	var wire struct{ Encrypt string }
	if err := json.Unmarshal(body, &wire); err != nil {
		t.Fatal(err)
	}
	if plain, err := larkevent.EventDecrypt(wire.Encrypt, key); err != nil || !bytes.Equal(plain, ev) {
		t.Errorf("SDK decrypt: err=%v plaintext %s", err, plain)
	}
	h := req.Header
	if h.Get("X-Lark-Request-Timestamp") != "1700000000" ||
		h.Get("X-Lark-Signature") != larktest.Sign("1700000000", h.Get("X-Lark-Request-Nonce"), key, body) {
		t.Errorf("headers %v", h)
	}

	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	mu.Lock()
	defer mu.Unlock()
	if res.StatusCode != http.StatusOK || len(got) != 1 || got[0] != text("/case show 42") {
		t.Errorf("SDK dispatcher: status %d, handled %q", res.StatusCode, got)
	}

	t.Run("Plain", func(t *testing.T) {
		req, err := larktest.NewWebhookRequest(bot.URL, "", ev, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if b, _ := io.ReadAll(req.Body); !bytes.Equal(b, ev) {
			t.Errorf("plain body %s", b)
		}
	})
	t.Run("URLVerification", func(t *testing.T) {
		// Without an encrypt key the SDK answers the challenge if the token matches.
		d := dispatcher.NewEventDispatcher("vtok", "")
		d.InitConfig(larkevent.WithLogger(quiet{}))
		bot := httptest.NewServer(http.HandlerFunc(httpserverext.NewEventHandlerFunc(d)))
		defer bot.Close()
		req, _ := larktest.NewWebhookRequest(bot.URL, "", larktest.URLVerification("vtok", "ch-123"), time.Now())
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var out struct{ Challenge string }
		_ = json.NewDecoder(res.Body).Decode(&out)
		if out.Challenge != "ch-123" {
			t.Errorf("challenge %q", out.Challenge)
		}
	})
}

func TestEventBuilders(t *testing.T) {
	t.Run("MessageEvent", func(t *testing.T) {
		raw := larktest.MessageEvent(larktest.Message{
			ChatID: "oc_g", ChatType: "group", SenderOpenID: "ou_tom", Text: "@_user_1 /case show 42", Token: "vt",
			Mentions: []larktest.Mention{{OpenID: "ou_bot", Name: "CaseBot"}},
		})
		var e larkim.P2MessageReceiveV1
		if err := json.Unmarshal(raw, &e); err != nil {
			t.Fatal(err)
		}
		m := e.Event.Message
		if e.EventV2Base.Header.EventType != "im.message.receive_v1" || e.EventV2Base.Header.Token != "vt" ||
			e.EventV2Base.Header.EventID == "" || e.EventV2Base.Header.AppID != "cli_test" ||
			!strings.HasPrefix(*m.MessageId, "om_") || *m.ChatId != "oc_g" || *m.ChatType != "group" ||
			*m.MessageType != "text" || *m.Content != text("@_user_1 /case show 42") ||
			*e.Event.Sender.SenderId.OpenId != "ou_tom" ||
			len(m.Mentions) != 1 || *m.Mentions[0].Key != "@_user_1" || *m.Mentions[0].Id.OpenId != "ou_bot" {
			t.Errorf("event %s", raw)
		}
	})
	t.Run("Post", func(t *testing.T) {
		raw := larktest.MessageEvent(larktest.Message{
			MsgType: "post", Text: "hi @_user_1 and @_user_10!",
			Mentions: []larktest.Mention{{Key: "@_user_1", OpenID: "ou_a"}, {Key: "@_user_10", OpenID: "ou_b"}},
		})
		var e larkim.P2MessageReceiveV1
		_ = json.Unmarshal(raw, &e)
		var post struct{ Content [][]map[string]any }
		if err := json.Unmarshal([]byte(*e.Event.Message.Content), &post); err != nil || len(post.Content) != 1 {
			t.Fatalf("post content %v: %v", *e.Event.Message.Content, err)
		}
		var tags []string
		for _, el := range post.Content[0] {
			tags = append(tags, fmt.Sprint(el["tag"], ":", el["text"], el["user_id"]))
		}
		if got := strings.Join(tags, "|"); got != "text:hi <nil>|at:<nil>@_user_1|text: and <nil>|at:<nil>@_user_10|text:!<nil>" {
			t.Errorf("post elements %s", got)
		}
	})
	t.Run("CardActionEvent", func(t *testing.T) {
		raw := larktest.CardActionEvent(larktest.CardAction{
			OperatorOpenID: "ou_tom", MessageID: "om_card", ChatID: "oc_g", Name: "submit_btn",
			Value:     map[string]any{"cmd": "case.update", "case_id": "42"},
			FormValue: map[string]any{"status": "closed"},
		})
		var e callback.CardActionTriggerEvent
		if err := json.Unmarshal(raw, &e); err != nil {
			t.Fatal(err)
		}
		a := e.Event.Action
		if e.EventV2Base.Header.EventType != "card.action.trigger" || e.Event.Operator.OpenID != "ou_tom" ||
			e.Event.Context.OpenMessageID != "om_card" || e.Event.Context.OpenChatID != "oc_g" ||
			a.Tag != "button" || a.Name != "submit_btn" || a.Value["case_id"] != "42" || a.FormValue["status"] != "closed" {
			t.Errorf("event %s", raw)
		}
	})
}

// TestGatewayProtocol speaks the gateway protocol with a hand-written
// client, so that the server side also runs under -race (the SDK client
// cannot; see ws_test.go).
func TestGatewayProtocol(t *testing.T) {
	srv := larktest.NewServer()
	defer srv.Close()

	endpoint := func(secret string) larkws.EndpointResp {
		t.Helper()
		res, err := http.Post(srv.URL()+larkws.GenEndpointUri, "application/json",
			strings.NewReader(`{"AppID":"cli_test","AppSecret":"`+secret+`"}`))
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var ep larkws.EndpointResp
		_ = json.NewDecoder(res.Body).Decode(&ep)
		return ep
	}
	if bad := endpoint("nope"); bad.Code == 0 {
		t.Error("endpoint accepted a wrong secret")
	}
	ep := endpoint("secret")
	if ep.Code != 0 || ep.Data == nil || !strings.Contains(ep.Data.Url, "service_id=7") || ep.Data.ClientConfig.PingInterval < 1 {
		t.Fatalf("endpoint %+v", ep)
	}
	dial := func() *websocket.Conn {
		t.Helper()
		c, _, err := websocket.DefaultDialer.Dial(ep.Data.Url, nil)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	readFrame := func(c *websocket.Conn) larkws.Frame {
		t.Helper()
		_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
		_, b, err := c.ReadMessage()
		if err != nil {
			t.Fatal(err)
		}
		var f larkws.Frame
		if err := f.Unmarshal(b); err != nil {
			t.Fatal(err)
		}
		return f
	}
	write := func(c *websocket.Conn, f *larkws.Frame) {
		b, _ := f.Marshal()
		if err := c.WriteMessage(websocket.BinaryMessage, b); err != nil {
			t.Fatal(err)
		}
	}

	c := dial()
	defer c.Close()
	if !srv.WaitConnected(5 * time.Second) {
		t.Fatal("not connected")
	}
	write(c, larkws.NewPingFrame(7))
	pong := readFrame(c)
	var cfg larkws.ClientConfig
	if larkws.Headers(pong.Headers).GetString("type") != "pong" || json.Unmarshal(pong.Payload, &cfg) != nil || cfg.PingInterval < 1 {
		t.Errorf("pong %+v", pong)
	}

	ev := larktest.MessageEvent(larktest.Message{Text: "hi"})
	type result struct {
		ack larktest.Ack
		err error
	}
	done := make(chan result, 1)
	go func() {
		ack, err := srv.PushEvent(context.Background(), ev)
		done <- result{ack, err}
	}()
	f := readFrame(c)
	hs := larkws.Headers(f.Headers)
	if f.Method != 1 || hs.GetString("type") != "event" || hs.GetString("message_id") == "" ||
		hs.GetInt("sum") != 1 || hs.GetString("seq") != "0" || !bytes.Equal(f.Payload, ev) {
		t.Errorf("data frame %+v", f)
	}
	resp, _ := json.Marshal(larkws.Response{StatusCode: 200, Data: []byte(`{"toast":{"type":"info"}}`)})
	f.Payload = resp
	write(c, &f)
	r := <-done
	if r.err != nil || r.ack.Code != 200 || string(r.ack.Data) != `{"toast":{"type":"info"}}` {
		t.Errorf("ack %+v err %v", r.ack, r.err)
	}

	t.Run("LatestWins", func(t *testing.T) {
		c2 := dial()
		defer c2.Close()
		_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
		if _, _, err := c.ReadMessage(); err == nil {
			t.Error("the old connection is still open")
		}
		go func() {
			_, err := srv.PushEvent(context.Background(), ev)
			done <- result{err: err}
		}()
		readFrame(c2) // the event goes to the new connection; drop it unanswered
		c2.Close()
		if r := <-done; r.err != larktest.ErrClosed {
			t.Errorf("PushEvent over a dropped connection: %v", r.err)
		}
	})
}

// quiet is a larkcore.Logger that drops everything: the SDK logs token and
// reconnect chatter, some of it after a test has finished.
type quiet struct{}

func (quiet) Debug(context.Context, ...any) {}
func (quiet) Info(context.Context, ...any)  {}
func (quiet) Warn(context.Context, ...any)  {}
func (quiet) Error(context.Context, ...any) {}

var _ larkcore.Logger = quiet{}
