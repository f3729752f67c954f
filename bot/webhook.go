package bot

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"runtime/debug"
	"strconv"
	"time"

	larkevent "github.com/larksuite/oapi-sdk-go/v3/event"
	"github.com/larksuite/oapi-sdk-go/v3/event/dispatcher"
	"github.com/larksuite/oapi-sdk-go/v3/event/dispatcher/callback"
	larkim "github.com/larksuite/oapi-sdk-go/v3/service/im/v1"
)

// WebhookPath is where Feishu posts events and card callbacks in webhook mode.
const WebhookPath = "/lark/events"

// MaxWebhookAge is how old a signed request may be; older ones are replays.
const MaxWebhookAge = 5 * time.Minute

const maxWebhookBody = 1 << 20

// ServeHTTP is the webhook endpoint. The SDK's dispatcher answers a bad
// signature with 500 (which Feishu retries) and never looks at the timestamp
// or, for events, the verification token; so this checks all three first and
// refuses forged or replayed requests with 401 before the dispatcher runs.
// Nothing a request carries can crash it: the SDK's decryption and the
// dispatcher run under a recover, and a request that makes them panic is
// answered (400 before authentication, 500 after) instead of dropped.
func (l *Lark) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	body, err := readBody(r)
	if err != nil || len(body) > maxWebhookBody {
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}
	plain, env, status, reason := l.authenticate(r.Header, body)
	if reason != "" {
		l.opt.Metrics.Event("webhook", "rejected")
		l.log.Warn("webhook request refused", "reason", reason, "status", status, "remote", r.RemoteAddr)
		http.Error(w, reason, status)
		return
	}
	// Authenticated and decrypted once, here: the plaintext goes to the
	// dispatcher's Do, as the long connection's events do, instead of
	// through Handle, which would decrypt and check the signature again.
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	if env.Type == "url_verification" {
		_ = json.NewEncoder(w).Encode(map[string]string{"challenge": env.Challenge})
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), HandleTimeout+250*time.Millisecond)
	defer cancel()
	var resp any
	if e, ok := env.message(plain); ok {
		err = l.dispatchMessage(ctx, e, env.Event)
	} else {
		resp, err = l.dispatch(ctx, plain)
	}
	var notFound *dispatcher.NotFoundEventHandlerErr
	switch {
	case errors.As(err, &notFound):
		l.opt.Metrics.Event("webhook", "unhandled")
		_, _ = w.Write([]byte(`{"msg":"success"}`)) // not subscribed to: no redelivery
	case err != nil:
		// Not made durable: 500 makes Feishu deliver it again.
		w.WriteHeader(http.StatusInternalServerError)
		_ = json.NewEncoder(w).Encode(map[string]string{"msg": "retry later"})
	case resp == nil || isNilResponse(resp):
		_, _ = w.Write([]byte(`{"msg":"success"}`))
	default:
		_ = json.NewEncoder(w).Encode(resp)
	}
}

// readBody reads up to maxWebhookBody+1 bytes of r's body, into one buffer
// of the announced length when it announces one (io.ReadAll would grow its
// buffer from 512 bytes, copying as it goes).
func readBody(r *http.Request) ([]byte, error) {
	var buf bytes.Buffer
	if n := r.ContentLength; n > 0 && n <= maxWebhookBody {
		buf.Grow(int(n) + bytes.MinRead) // ReadFrom wants MinRead free to read the end
	}
	_, err := buf.ReadFrom(io.LimitReader(r.Body, maxWebhookBody+1))
	return buf.Bytes(), err
}

// dispatch hands an authenticated plaintext to the SDK's dispatcher. A panic
// in it (the SDK's decoding or our conversion; the mux recovers its
// handlers' own) becomes an error, answered 500 like any other failure.
func (l *Lark) dispatch(ctx context.Context, plain []byte) (resp any, err error) {
	defer func() {
		if p := recover(); p != nil {
			l.opt.Metrics.Event("webhook", "panic")
			l.log.Error("panic in the event dispatcher", "panic", p, "stack", string(debug.Stack()))
			resp, err = nil, fmt.Errorf("bot: panic in the event dispatcher: %v", p)
		}
	}()
	return l.d.Do(ctx, plain)
}

// dispatchMessage is dispatch for a message event, the webhook's commonest,
// from the envelope authenticate decoded: the SDK's dispatcher would decode
// the plaintext twice more (once for its type, once for the event), to the
// same P2MessageReceiveV1 (the same encoding/json, the same structs), for
// the same handler. A panic is an error, as in dispatch.
func (l *Lark) dispatchMessage(ctx context.Context, e *larkim.P2MessageReceiveV1, event json.RawMessage) (err error) {
	defer func() {
		if p := recover(); p != nil {
			l.opt.Metrics.Event("webhook", "panic")
			l.log.Error("panic in the event dispatcher", "panic", p, "stack", string(debug.Stack()))
			err = fmt.Errorf("bot: panic in the event dispatcher: %v", p)
		}
	}()
	if len(event) > 0 {
		if err := json.Unmarshal(event, &e.Event); err != nil {
			return err
		}
	}
	return l.onMessage(ctx, e)
}

// isNilResponse reports a typed nil inside the interface the dispatcher
// returns (a card handler that returned a nil *response).
func isNilResponse(v any) bool {
	r, ok := v.(*callback.CardActionTriggerResponse)
	return ok && r == nil
}

// envelope is what authenticate reads of a plaintext: its kind, the URL
// verification's challenge, and the verification token (in the header of
// a 2.0 event, at the top of a 1.0 one); and, for a 2.0 event, its schema,
// header and event undecoded, so that a message event is decoded once
// (dispatchMessage), not again by the SDK's dispatcher.
type envelope struct {
	Type      string          `json:"type"`
	Challenge string          `json:"challenge"`
	Token     string          `json:"token"`
	Encrypt   string          `json:"encrypt"`
	Schema    json.RawMessage `json:"schema"`
	Header    json.RawMessage `json:"header"`
	Event     json.RawMessage `json:"event"`

	// header is Header decoded, when decode could (message reads it
	// again otherwise).
	header   *larkevent.EventHeader
	headerOK bool
	// event is a message event's data, when decode read the plaintext in
	// one pass (decodeMessage); Header and Event are then left empty.
	event   *larkim.P2MessageReceiveV1Data
	eventOK bool
}

// messageEventType is in every message event's plaintext.
var messageEventType = []byte(`"im.message.receive_v1"`)

// decodeMessage decodes a plaintext that is a message event, the webhook's
// commonest, in one pass: envelope, header and event, into the types the
// envelope, the header and dispatchMessage would decode them into one by
// one. false for anything else, and where that decoding fails; decode then
// goes the long way, which decides what is refused.
func (e *envelope) decodeMessage(plain []byte) (token string, ok bool) {
	var m struct {
		Type      string                         `json:"type"`
		Challenge string                         `json:"challenge"`
		Token     string                         `json:"token"`
		Encrypt   string                         `json:"encrypt"`
		Schema    json.RawMessage                `json:"schema"`
		Header    *larkevent.EventHeader         `json:"header"`
		Event     *larkim.P2MessageReceiveV1Data `json:"event"`
	}
	if json.Unmarshal(plain, &m) != nil || m.Header == nil || m.Header.EventType != "im.message.receive_v1" {
		return "", false
	}
	e.Type, e.Challenge, e.Token, e.Encrypt, e.Schema = m.Type, m.Challenge, m.Token, m.Encrypt, m.Schema
	e.header, e.headerOK, e.event, e.eventOK = m.Header, true, m.Event, true
	return m.Header.Token, true
}

// decode reads plain into e and the header's token into token, failing
// where the SDK's own decoding of the envelope would.
func (e *envelope) decode(plain []byte) (token string, err error) {
	if bytes.Contains(plain, messageEventType) {
		if token, ok := e.decodeMessage(plain); ok {
			return token, nil
		}
		*e = envelope{}
	}
	if err := json.Unmarshal(plain, e); err != nil {
		return "", err
	}
	if len(e.Header) == 0 {
		return "", nil
	}
	// The header as the dispatcher reads it, once: its token is the one
	// a struct of the token alone would read (same key, same rules).
	if json.Unmarshal(e.Header, &e.header) == nil {
		e.headerOK = true
		if e.header == nil {
			return "", nil
		}
		return e.header.Token, nil
	}
	e.header = nil
	var h struct {
		Token string `json:"token"`
	}
	if err := json.Unmarshal(e.Header, &h); err != nil {
		return "", err
	}
	return h.Token, nil
}

// message is the event of a 2.0 message event, which the SDK's dispatcher
// would route (by the header's event type) to OnP2MessageReceiveV1, with
// its schema, header and raw request filled in as the dispatcher fills
// them; its data is left to dispatchMessage. Anything else, and a
// plaintext the SDK would refuse (encrypted, a header or schema of the
// wrong type), is left to the dispatcher (ok false).
func (e *envelope) message(plain []byte) (*larkim.P2MessageReceiveV1, bool) {
	if e.Encrypt != "" || len(e.Header) == 0 && e.header == nil {
		return nil, false
	}
	h := e.header
	if !e.headerOK && json.Unmarshal(e.Header, &h) != nil || h == nil || h.EventType != "im.message.receive_v1" {
		return nil, false
	}
	var schema string
	if len(e.Schema) > 0 && json.Unmarshal(e.Schema, &schema) != nil {
		return nil, false
	}
	return &larkim.P2MessageReceiveV1{
		EventV2Base: &larkevent.EventV2Base{Schema: schema, Header: h},
		EventReq:    &larkevent.EventReq{Body: plain},
		Event:       e.event, // decoded already (eventOK), or by dispatchMessage from Event
	}, true
}

// authenticate checks a webhook request and returns its plaintext and its
// envelope (read once, here), or the HTTP status and the reason of its
// refusal.
//
// With an encrypt key, a signed request's timestamp and signature are checked
// on the raw body before anything is decrypted, so that only Feishu's bodies
// reach the decryption. URL verification alone may come unsigned (Feishu's
// console sends it so, and the SDK accepts it): an unsigned body is decrypted
// only to see that it is one, under a recover, and refused otherwise.
// Always, when a verification token is configured: the token inside the event.
func (l *Lark) authenticate(h http.Header, body []byte) ([]byte, envelope, int, string) {
	var env envelope
	plain, signed := body, false
	if l.opt.EncryptKey != "" {
		enc, ok := encryptOf(body)
		if !ok || enc == "" {
			return nil, env, http.StatusBadRequest, "body is not encrypted"
		}
		if sig := h.Get("X-Lark-Signature"); sig != "" {
			ts, nonce := h.Get("X-Lark-Request-Timestamp"), h.Get("X-Lark-Request-Nonce")
			sec, err := strconv.ParseInt(ts, 10, 64)
			if err != nil {
				return nil, env, http.StatusUnauthorized, "missing timestamp"
			}
			if age := l.opt.Now().Sub(time.Unix(sec, 0)); age > MaxWebhookAge || age < -MaxWebhookAge {
				return nil, env, http.StatusUnauthorized, "stale timestamp"
			}
			sum := sha256.Sum256([]byte(ts + nonce + l.opt.EncryptKey + string(body)))
			if subtle.ConstantTimeCompare([]byte(hex.EncodeToString(sum[:])), []byte(sig)) != 1 {
				return nil, env, http.StatusUnauthorized, "bad signature"
			}
			signed = true
		}
		p, err := decrypt(enc, l.opt.EncryptKey)
		switch {
		case err != nil && !signed:
			return nil, env, http.StatusUnauthorized, "unsigned request"
		case err != nil:
			return nil, env, http.StatusBadRequest, "cannot decrypt"
		}
		plain = p
	} else if !l.opt.AllowUnsigned {
		return nil, env, http.StatusUnauthorized, "no encrypt key configured"
	}
	headerToken, err := env.decode(plain)
	if err != nil {
		if l.opt.EncryptKey != "" && !signed {
			return nil, env, http.StatusUnauthorized, "unsigned request"
		}
		return nil, env, http.StatusBadRequest, "body is not JSON"
	}
	if l.opt.EncryptKey == "" && env.Encrypt != "" {
		// Feishu encrypts because the app has an Encrypt Key; without it
		// here every event would fail in the dispatcher and come again.
		return nil, env, http.StatusBadRequest, "body is encrypted but lark.encrypt_key is not set"
	}
	if l.opt.EncryptKey != "" && !signed && env.Type != "url_verification" {
		return nil, env, http.StatusUnauthorized, "unsigned request"
	}
	token := headerToken
	if token == "" {
		token = env.Token
	}
	if l.opt.VerificationToken != "" && subtle.ConstantTimeCompare([]byte(token), []byte(l.opt.VerificationToken)) != 1 {
		return nil, env, http.StatusUnauthorized, "bad verification token"
	}
	return plain, env, 0, ""
}

// encryptOf is the "encrypt" field of an encrypted body, as
// json.Unmarshal into struct{ Encrypt string } reads it; ok is false where
// that fails. Feishu's body is {"encrypt":"<base64>"}, a kilobyte or more:
// read directly, without encoding/json's validating pass and copy; any
// other shape (another key, an escape) is decoded by encoding/json.
func encryptOf(body []byte) (string, bool) {
	var v []byte
	s := jsonScan{b: body}
	if s.object(func(key []byte) bool {
		if string(key) != "encrypt" {
			return false
		}
		var ok bool
		v, ok = s.plainString()
		return ok
	}) {
		if s.space(); s.i == len(s.b) {
			return string(v), true
		}
	}
	var enc struct {
		Encrypt string `json:"encrypt"`
	}
	if json.Unmarshal(body, &enc) != nil {
		return "", false
	}
	return enc.Encrypt, true
}

// decrypt is the SDK's EventDecrypt, which slices the plaintext between its
// first '{' and its last '}' without checking their order and panics when a
// body decrypts to bytes with the last '}' first; that is an error here.
func decrypt(encrypted, key string) (plain []byte, err error) {
	defer func() {
		if p := recover(); p != nil {
			plain, err = nil, fmt.Errorf("bot: decrypt: %v", p)
		}
	}()
	return larkevent.EventDecrypt(encrypted, key)
}
