package bot_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"os"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/qingchuan/xfbot/bot"
	"github.com/qingchuan/xfbot/bot/larktest"
	"github.com/qingchuan/xfbot/internal/testredis"
	"github.com/qingchuan/xfbot/store"
)

// The fuzz targets run as plain tests on their seeds (go test), and search
// with go test -fuzz=FuzzWebhookEnvelope ./bot/ (one target at a time).

// answered reports whether status is one the webhook may answer with: a
// request is accepted, refused (400, 401) or to be delivered again (500),
// never dropped by a panic.
func answered(status int) bool {
	switch status {
	case http.StatusOK, http.StatusBadRequest, http.StatusUnauthorized, http.StatusInternalServerError:
		return true
	}
	return false
}

// validSignature reports whether Feishu could have sent body with these
// headers: what must hold for anything but URL verification to be accepted.
func validSignature(body []byte, ts, nonce, sig string) bool {
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return false
	}
	if age := webhookNow.Sub(time.Unix(sec, 0)); age > bot.MaxWebhookAge || age < -bot.MaxWebhookAge {
		return false
	}
	sum := sha256.Sum256([]byte(ts + nonce + vectorKey + string(body)))
	return subtle.ConstantTimeCompare([]byte(hex.EncodeToString(sum[:])), []byte(sig)) == 1
}

// FuzzWebhookEnvelope posts any body with any signature headers, to an
// intake with an encrypt key and to one that allows unsigned requests. No
// request may crash the handler, and with a key nothing but URL verification
// is accepted without a valid signature.
func FuzzWebhookEnvelope(f *testing.F) {
	vec := readVector(f, "sdk-testvector-encrypted-event.json")
	sigVec := readVector(f, "sdk-testvector-webhook-signature.json")
	plainVerification, err := os.ReadFile("testdata/url-verification-request-plain.json")
	if err != nil {
		f.Fatal(err)
	}
	ts := strconv.FormatInt(webhookNow.Unix(), 10)
	seed := func(body []byte, signed bool) {
		if signed {
			f.Add(body, ts, "nonce", larktest.Sign(ts, "nonce", vectorKey, body))
		} else {
			f.Add(body, "", "", "")
		}
	}
	challenge, _ := json.Marshal(vec.HTTPBody)
	seed(challenge, false)
	seed(challenge, true)
	f.Add([]byte(sigVec.RawBody), sigVec.Headers["X-Lark-Request-Timestamp"], sigVec.Headers["X-Lark-Request-Nonce"], sigVec.Headers["X-Lark-Signature"])
	seed([]byte(sigVec.RawBody), true)
	seed(plainVerification, false)
	seed(plainVerification, true)
	crossed := envelope(f, vectorKey, []byte(crossedBraces))
	seed(crossed, false)
	seed(crossed, true)
	msg := larktest.MessageEvent(larktest.Message{ChatType: "p2p", SenderOpenID: "ou_admin", Text: "echo hi",
		CreateTime: webhookNow, Token: vectorToken})
	seed(msg, false)
	seed(envelope(f, vectorKey, msg), true)
	seed([]byte(`{"encrypt":""}`), true)
	seed([]byte(`{"encrypt":"AAAAAAAAAAAAAAAAAAAAAA=="}`), true)
	seed([]byte(`{"encrypt":1}`), false)
	seed([]byte(`null`), false)
	seed(nil, false)

	withKey, _ := webhookIntake(f, bot.LarkOptions{EncryptKey: vectorKey, VerificationToken: vectorToken})
	unsigned, _ := webhookIntake(f, bot.LarkOptions{AllowUnsigned: true, VerificationToken: vectorToken})
	f.Fuzz(func(t *testing.T, body []byte, ts, nonce, sig string) {
		h := map[string]string{}
		for k, v := range map[string]string{"X-Lark-Request-Timestamp": ts, "X-Lark-Request-Nonce": nonce, "X-Lark-Signature": sig} {
			if v != "" && !strings.ContainsAny(v, "\r\n\x00") {
				h[k] = v
			}
		}
		w := postWebhook(withKey, body, h)
		if !answered(w.Code) {
			t.Fatalf("with a key: answered %d %q", w.Code, w.Body)
		}
		if w.Code == http.StatusOK && !validSignature(body, h["X-Lark-Request-Timestamp"], h["X-Lark-Request-Nonce"], h["X-Lark-Signature"]) &&
			!strings.Contains(w.Body.String(), `"challenge"`) {
			t.Fatalf("accepted without a valid signature: %q", w.Body)
		}
		if w := postWebhook(unsigned, body, h); !answered(w.Code) {
			t.Fatalf("unsigned allowed: answered %d %q", w.Code, w.Body)
		}
	})
}

// FuzzWebhookDecrypt posts any plaintext encrypted as Feishu does, signed or
// not: the SDK's decryption sees every shape of plaintext, the ones it
// panics on included, and each is answered.
func FuzzWebhookDecrypt(f *testing.F) {
	vec := readVector(f, "sdk-testvector-encrypted-event.json")
	sigVec := readVector(f, "sdk-testvector-webhook-signature.json")
	plainVerification, err := os.ReadFile("testdata/url-verification-request-plain.json")
	if err != nil {
		f.Fatal(err)
	}
	for _, p := range [][]byte{
		[]byte(vec.Plaintext), []byte(sigVec.RawBody), plainVerification,
		larktest.MessageEvent(larktest.Message{ChatType: "p2p", SenderOpenID: "ou_admin", Text: "echo hi", CreateTime: webhookNow, Token: vectorToken}),
		larktest.CardActionEvent(larktest.CardAction{OperatorOpenID: "ou_admin", Value: map[string]any{"a": "x"}, CreateTime: webhookNow, Token: vectorToken}),
		[]byte(crossedBraces), []byte("}"), []byte("{"), []byte("}{"), []byte("}}}{{{"), {}, []byte("hello"),
		[]byte(`{"type":"url_verification","token":"v","challenge":"c"}`),
	} {
		f.Add(p, true)
		f.Add(p, false)
	}
	l, _ := webhookIntake(f, bot.LarkOptions{EncryptKey: vectorKey, VerificationToken: vectorToken})
	f.Fuzz(func(t *testing.T, plaintext []byte, signed bool) {
		body := envelope(t, vectorKey, plaintext)
		var h map[string]string
		if signed {
			h = signHeaders(vectorKey, body, webhookNow)
		}
		w := postWebhook(l, body, h)
		if !answered(w.Code) {
			t.Fatalf("answered %d %q", w.Code, w.Body)
		}
		if w.Code == http.StatusOK && !signed && !strings.Contains(w.Body.String(), `"challenge"`) {
			t.Fatalf("accepted unsigned: %q", w.Body)
		}
		first, last := bytes.IndexByte(plaintext, '{'), bytes.LastIndexByte(plaintext, '}')
		if signed && first >= 0 && last >= 0 && last < first && w.Code != http.StatusBadRequest {
			t.Fatalf("crossed braces answered %d %q, want 400", w.Code, w.Body)
		}
	})
}

// FuzzCardAction sends card callbacks with any button value and form value
// through the SDK's dispatcher and checks what reaches the mux: strings as
// they were, other JSON values as their JSON, nulls left out, the action name
// from the value's "a".
func FuzzCardAction(f *testing.F) {
	for _, path := range []string{"card-action-trigger-button.json", "card-action-trigger-form-submit.json"} {
		b, err := os.ReadFile("testdata/" + path)
		if err != nil {
			f.Fatal(err)
		}
		var ev struct {
			Event struct {
				Action struct {
					Value     json.RawMessage `json:"value"`
					FormValue json.RawMessage `json:"form_value"`
				} `json:"action"`
			} `json:"event"`
		}
		if err := json.Unmarshal(b, &ev); err != nil {
			f.Fatal(err)
		}
		f.Add([]byte(ev.Event.Action.Value), []byte(ev.Event.Action.FormValue), true)
		f.Add([]byte(ev.Event.Action.Value), []byte(ev.Event.Action.FormValue), false)
	}
	for _, s := range []struct{ value, form string }{
		{`{"a":"refresh","no":"XF-2026-0001","g":"0","c":"oc_1"}`, `null`},
		{`{"a":"progress.submit","no":"XF-2026-0001"}`, `{"text":"已电话联系","checks":["a","b"],"n":3,"ok":true,"none":null}`},
		{`{"a":1,"no":{"x":[1,2]},"g":null,"c":false}`, `{}`},
		{`{"a":"\u003cat id=all\u003e","":"","\u0000":"\ud800"}`, `{"a":"form's a"}`},
		{`{"no":12345678901234567890,"n":1e3,"f":-0.5}`, `[]`},
		{`[]`, `"text"`},
		{`"a"`, `1`},
		{`null`, `null`},
	} {
		f.Add([]byte(s.value), []byte(s.form), true)
		f.Add([]byte(s.value), []byte(s.form), false)
	}

	rdb, prefix := testredis.New(f)
	st := store.New(rdb, prefix)
	mux := bot.NewMux(st, bot.MuxOptions{Admins: []string{"ou_admin"}})
	var (
		mu  sync.Mutex
		got *bot.Request
	)
	mux.Handle(bot.Route{Verb: "probe", Handler: bot.HandlerFunc(func(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
		return nil, nil
	})})
	mux.HandleAction(bot.ActionRoute{Name: "probe", Verb: "probe", Handler: bot.HandlerFunc(func(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
		mu.Lock()
		defer mu.Unlock()
		got = req
		return &bot.Reply{Toast: "probed"}, nil
	})})
	l := bot.NewLark(mux, bot.LarkOptions{BotOpenID: botID, Now: func() time.Time { return webhookNow }})

	f.Fuzz(func(t *testing.T, value, form []byte, probe bool) {
		if !json.Valid(value) || !json.Valid(form) {
			return // not a callback Feishu can send: the whole event would not be JSON
		}
		if probe {
			var m map[string]any
			if json.Unmarshal(value, &m) == nil && m != nil {
				m["a"] = "probe"
				value, _ = json.Marshal(m)
			}
		}
		var ev map[string]any
		if err := json.Unmarshal(larktest.CardActionEvent(larktest.CardAction{OperatorOpenID: "ou_admin", ChatID: "oc_1",
			MessageID: "om_1", CreateTime: webhookNow}), &ev); err != nil {
			t.Fatal(err)
		}
		action := ev["event"].(map[string]any)["action"].(map[string]any)
		action["value"], action["form_value"] = json.RawMessage(value), json.RawMessage(form)
		payload, err := json.Marshal(ev)
		if err != nil {
			t.Fatal(err)
		}

		mu.Lock()
		got = nil
		mu.Unlock()
		resp, err := l.Dispatcher().Do(context.Background(), payload)

		// What the SDK decodes, and so what the mux must see.
		var wantValue, wantForm map[string]any
		bad := json.Unmarshal(value, &wantValue) != nil || json.Unmarshal(form, &wantForm) != nil
		mu.Lock()
		req := got
		mu.Unlock()
		if bad {
			if err == nil || req != nil {
				t.Fatalf("a callback the SDK cannot decode was handled: err %v, request %+v", err, req)
			}
			return
		}
		if err != nil {
			t.Fatalf("callback not handled: %v", err)
		}
		if req == nil {
			if name, _ := wantValue["a"].(string); name == "probe" {
				t.Fatalf("the probe action did not reach its handler; answer %+v", resp)
			}
			return // an unknown action: answered with a toast by the mux
		}
		if req.Action == nil || req.Action.Name != "probe" || req.Action.Value["a"] != "probe" || req.Via != bot.ViaCard {
			t.Fatalf("request %+v, action %+v", req, req.Action)
		}
		if req.Sender.OpenID != "ou_admin" || req.ChatID != "oc_1" || req.MessageID != "om_1" || !strings.HasPrefix(req.EventID, "card:") {
			t.Fatalf("request %+v", req)
		}
		checkFlattened(t, "value", wantValue, req.Action.Value)
		checkFlattened(t, "form", wantForm, req.Action.Form)
	})
}

// checkFlattened checks that got carries want as strings: a string as it
// is, any other value as JSON that decodes back to it, nulls left out.
func checkFlattened(t *testing.T, what string, want map[string]any, got map[string]string) {
	t.Helper()
	n := 0
	for k, x := range want {
		s, ok := got[k]
		switch x := x.(type) {
		case nil:
			if ok {
				t.Fatalf("%s[%q] = %q, want it left out (null)", what, k, s)
			}
			continue
		case string:
			if !ok || s != x {
				t.Fatalf("%s[%q] = %q, %v, want %q", what, k, s, ok, x)
			}
		default:
			var back any
			if !ok || json.Unmarshal([]byte(s), &back) != nil || !reflect.DeepEqual(back, x) {
				t.Fatalf("%s[%q] = %q, want the JSON of %#v", what, k, s, x)
			}
		}
		n++
	}
	if len(got) != n {
		t.Fatalf("%s has %d entries %q, want %d", what, len(got), got, n)
	}
}
