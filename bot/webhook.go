package bot

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"

	larkevent "github.com/larksuite/oapi-sdk-go/v3/event"
	"github.com/larksuite/oapi-sdk-go/v3/event/dispatcher"
	"github.com/larksuite/oapi-sdk-go/v3/event/dispatcher/callback"
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
func (l *Lark) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxWebhookBody+1))
	if err != nil || len(body) > maxWebhookBody {
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}
	plain, reason := l.authenticate(r.Header, body)
	if reason != "" {
		l.opt.Metrics.Event("webhook", "rejected")
		l.log.Warn("webhook request refused", "reason", reason, "remote", r.RemoteAddr)
		http.Error(w, reason, http.StatusUnauthorized)
		return
	}
	// Authenticated and decrypted once, here: the plaintext goes to the
	// dispatcher's Do, as the long connection's events do, instead of
	// through Handle, which would decrypt and check the signature again.
	var env struct {
		Type      string `json:"type"`
		Challenge string `json:"challenge"`
	}
	_ = json.Unmarshal(plain, &env)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	if env.Type == "url_verification" {
		_ = json.NewEncoder(w).Encode(map[string]string{"challenge": env.Challenge})
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), HandleTimeout+250*time.Millisecond)
	defer cancel()
	resp, err := l.d.Do(ctx, plain)
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

// isNilResponse reports a typed nil inside the interface the dispatcher
// returns (a card handler that returned a nil *response).
func isNilResponse(v any) bool {
	r, ok := v.(*callback.CardActionTriggerResponse)
	return ok && r == nil
}

// authenticate checks a webhook request and returns its plaintext, or why it
// is refused. With an encrypt key: a fresh timestamp and a valid signature
// (URL verification excepted, which Feishu may send unsigned); always, when a
// verification token is configured: the token inside the event.
func (l *Lark) authenticate(h http.Header, body []byte) ([]byte, string) {
	plain := body
	if l.opt.EncryptKey != "" {
		var enc struct {
			Encrypt string `json:"encrypt"`
		}
		if json.Unmarshal(body, &enc) != nil || enc.Encrypt == "" {
			return nil, "body is not encrypted"
		}
		p, err := larkevent.EventDecrypt(enc.Encrypt, l.opt.EncryptKey)
		if err != nil {
			return nil, "cannot decrypt"
		}
		plain = p
	} else if !l.opt.AllowUnsigned {
		return nil, "no encrypt key configured"
	}
	var env struct {
		Type   string `json:"type"`
		Token  string `json:"token"`
		Header struct {
			Token string `json:"token"`
		} `json:"header"`
	}
	if err := json.Unmarshal(plain, &env); err != nil {
		return nil, "body is not JSON"
	}
	token := env.Header.Token
	if token == "" {
		token = env.Token
	}
	if l.opt.VerificationToken != "" && subtle.ConstantTimeCompare([]byte(token), []byte(l.opt.VerificationToken)) != 1 {
		return nil, "bad verification token"
	}
	if l.opt.EncryptKey != "" {
		ts, nonce, sig := h.Get("X-Lark-Request-Timestamp"), h.Get("X-Lark-Request-Nonce"), h.Get("X-Lark-Signature")
		if sig == "" && env.Type == "url_verification" {
			return plain, ""
		}
		sec, err := strconv.ParseInt(ts, 10, 64)
		if err != nil {
			return nil, "missing timestamp"
		}
		if age := l.opt.Now().Sub(time.Unix(sec, 0)); age > MaxWebhookAge || age < -MaxWebhookAge {
			return nil, "stale timestamp"
		}
		sum := sha256.Sum256([]byte(ts + nonce + l.opt.EncryptKey + string(body)))
		if subtle.ConstantTimeCompare([]byte(hex.EncodeToString(sum[:])), []byte(sig)) != 1 {
			return nil, "bad signature"
		}
	}
	return plain, ""
}
