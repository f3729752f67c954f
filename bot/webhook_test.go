package bot_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	larkevent "github.com/larksuite/oapi-sdk-go/v3/event"

	"github.com/qingchuan/xfbot/bot"
	"github.com/qingchuan/xfbot/bot/larktest"
	"github.com/qingchuan/xfbot/internal/testredis"
	"github.com/qingchuan/xfbot/store"
)

// webhookNow is the intake's clock; signed requests are stamped with it.
var webhookNow = time.Date(2026, 3, 16, 9, 0, 0, 0, time.UTC)

// The SDK's test vectors (bot/larktest/testdata) use this key and token.
const (
	vectorKey   = "1212121212"
	vectorToken = "v"
)

// webhookIntake is a webhook intake with opt on a mux where ou_admin is an
// admin and "echo" answers with its arguments.
func webhookIntake(t testing.TB, opt bot.LarkOptions) (*bot.Lark, *store.Store) {
	t.Helper()
	rdb, prefix := testredis.New(t)
	st := store.New(rdb, prefix)
	mux := bot.NewMux(st, bot.MuxOptions{Admins: []string{"ou_admin"}})
	mux.Handle(bot.Route{Verb: "echo", Handler: bot.HandlerFunc(func(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
		return &bot.Reply{Text: req.Args.Raw}, nil
	})})
	if err := st.EnsureOutboxGroup(context.Background()); err != nil {
		t.Fatal(err)
	}
	opt.BotOpenID, opt.Now = botID, func() time.Time { return webhookNow }
	return bot.NewLark(mux, opt), st
}

// postWebhook posts body with headers h to the intake and returns the answer.
func postWebhook(l http.Handler, body []byte, h map[string]string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodPost, bot.WebhookPath, bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/json; charset=utf-8")
	for k, v := range h {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	l.ServeHTTP(w, r)
	return w
}

// signHeaders are the headers Feishu sends with body at time at.
func signHeaders(key string, body []byte, at time.Time) map[string]string {
	ts := strconv.FormatInt(at.Unix(), 10)
	return map[string]string{
		"X-Lark-Request-Timestamp": ts,
		"X-Lark-Request-Nonce":     "nonce-1",
		"X-Lark-Signature":         larktest.Sign(ts, "nonce-1", key, body),
	}
}

// envelope encrypts plaintext under key into the body Feishu posts.
func envelope(t testing.TB, key string, plaintext []byte) []byte {
	t.Helper()
	enc, err := larktest.Encrypt(key, plaintext)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(map[string]string{"encrypt": enc})
	return b
}

type sdkVector struct {
	EncryptKey string `json:"encrypt_key"`
	HTTPBody   struct {
		Encrypt string `json:"encrypt"`
	} `json:"http_body"`
	Plaintext string            `json:"decrypted_plaintext"`
	Headers   map[string]string `json:"headers"`
	RawBody   string            `json:"raw_body"`
}

func readVector(t testing.TB, name string) sdkVector {
	t.Helper()
	b, err := os.ReadFile("larktest/testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	var v sdkVector
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// crossedBraces decrypts to bytes whose last '}' comes before their first
// '{': the SDK's EventDecrypt slices buf[n:m+1] with n > m+1 and panics.
const crossedBraces = "}a{"

func TestWebhookRefusesBeforeDecrypting(t *testing.T) {
	t.Run("TheSDKPanicsOnCrossedBraces", func(t *testing.T) {
		var enc struct{ Encrypt string }
		_ = json.Unmarshal(envelope(t, vectorKey, []byte(crossedBraces)), &enc)
		panicked := func() (p bool) {
			defer func() { p = recover() != nil }()
			_, _ = larkevent.EventDecrypt(enc.Encrypt, vectorKey)
			return false
		}()
		if !panicked {
			t.Skip("the SDK no longer panics on crossed braces; the recover stays as a guard")
		}
	})

	msg := larktest.MessageEvent(larktest.Message{ChatType: "p2p", SenderOpenID: "ou_admin", Text: "echo hi",
		CreateTime: webhookNow, Token: vectorToken})
	crossed := envelope(t, vectorKey, []byte(crossedBraces))
	hello := envelope(t, vectorKey, []byte("hello"))
	event := envelope(t, vectorKey, msg)
	vec := readVector(t, "sdk-testvector-encrypted-event.json")
	unsignedChallenge, _ := json.Marshal(vec.HTTPBody)
	sigVec := readVector(t, "sdk-testvector-webhook-signature.json")
	notBase64, _ := json.Marshal(map[string]string{"encrypt": "%%% not base64 %%%"})
	short, _ := json.Marshal(map[string]string{"encrypt": base64.StdEncoding.EncodeToString([]byte("short"))})
	badSig := func(body []byte) map[string]string {
		h := signHeaders(vectorKey, body, webhookNow)
		h["X-Lark-Signature"] = strings.Repeat("0", 64)
		return h
	}
	noTS := func(body []byte) map[string]string {
		h := signHeaders(vectorKey, body, webhookNow)
		delete(h, "X-Lark-Request-Timestamp")
		return h
	}
	key := bot.LarkOptions{EncryptKey: vectorKey, VerificationToken: vectorToken}
	plain := bot.LarkOptions{AllowUnsigned: true, VerificationToken: vectorToken}

	tests := []struct {
		name    string
		opt     bot.LarkOptions
		body    []byte
		headers map[string]string
		status  int
		replies int    // replies queued
		answer  string // part of the answer's body
	}{
		{"CrossedBracesUnsigned", key, crossed, nil, http.StatusUnauthorized, 0, "unsigned request"},
		{"CrossedBracesBadSignature", key, crossed, badSig(crossed), http.StatusUnauthorized, 0, "bad signature"},
		{"CrossedBracesStale", key, crossed, signHeaders(vectorKey, crossed, webhookNow.Add(-10*time.Minute)), http.StatusUnauthorized, 0, "stale timestamp"},
		{"CrossedBracesSigned", key, crossed, signHeaders(vectorKey, crossed, webhookNow), http.StatusBadRequest, 0, "cannot decrypt"},
		{"CrossedBracesWithoutKey", plain, crossed, nil, http.StatusBadRequest, 0, "encrypt_key is not set"},
		{"NotBase64Signed", key, notBase64, signHeaders(vectorKey, notBase64, webhookNow), http.StatusBadRequest, 0, "cannot decrypt"},
		{"ShortCipherUnsigned", key, short, nil, http.StatusUnauthorized, 0, "unsigned request"},
		{"NotJSONUnsigned", key, hello, nil, http.StatusUnauthorized, 0, "unsigned request"},
		{"NotJSONSigned", key, hello, signHeaders(vectorKey, hello, webhookNow), http.StatusBadRequest, 0, "not JSON"},
		{"PlainBodyWithKey", key, msg, signHeaders(vectorKey, msg, webhookNow), http.StatusBadRequest, 0, "not encrypted"},
		{"SDKSignatureVectorHasNoTimestamp", key, []byte(sigVec.RawBody), sigVec.Headers, http.StatusBadRequest, 0, "not encrypted"},
		{"EventWithoutSignature", key, event, nil, http.StatusUnauthorized, 0, "unsigned request"},
		{"EventWithoutTimestamp", key, event, noTS(event), http.StatusUnauthorized, 0, "missing timestamp"},
		{"EventBadSignature", key, event, badSig(event), http.StatusUnauthorized, 0, "bad signature"},
		{"EventSigned", key, event, signHeaders(vectorKey, event, webhookNow), http.StatusOK, 1, "success"},
		{"UnsignedURLVerification", key, unsignedChallenge, nil, http.StatusOK, 0, `"challenge":"1212"`},
		{"UnsignedURLVerificationWrongToken", bot.LarkOptions{EncryptKey: vectorKey, VerificationToken: "other"}, unsignedChallenge, nil, http.StatusUnauthorized, 0, "bad verification token"},
		{"NoKeyNotAllowed", bot.LarkOptions{}, msg, nil, http.StatusUnauthorized, 0, "no encrypt key configured"},
		{"AllowUnsignedEvent", plain, msg, nil, http.StatusOK, 1, "success"},
		{"AllowUnsignedNotJSON", plain, []byte("}{"), nil, http.StatusBadRequest, 0, "not JSON"},
		{"TooLarge", key, bytes.Repeat([]byte(" "), 1<<20+1), nil, http.StatusBadRequest, 0, "bad body"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, st := webhookIntake(t, tt.opt)
			w := postWebhook(l, tt.body, tt.headers)
			if w.Code != tt.status || !strings.Contains(w.Body.String(), tt.answer) {
				t.Errorf("answered %d %q, want %d with %q", w.Code, w.Body.String(), tt.status, tt.answer)
			}
			if n := len(queued(t, st)); n != tt.replies {
				t.Errorf("%d replies queued, want %d", n, tt.replies)
			}
		})
	}
}
