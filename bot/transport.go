package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	lark "github.com/larksuite/oapi-sdk-go/v3"
	larkcore "github.com/larksuite/oapi-sdk-go/v3/core"
	larkim "github.com/larksuite/oapi-sdk-go/v3/service/im/v1"
	"github.com/qingchuan/xfbot/store"
)

// Transport delivers one outbound message and returns Feishu's message id.
// The Sender calls it for every message in the outbox, possibly several times
// for one message (retries reuse m.ID, Feishu's idempotency uuid).
//
// Errors should be *SendError, which says whether a retry can help; any other
// error is taken as transient (a network failure) and retried.
type Transport interface {
	Deliver(ctx context.Context, m store.OutboundMessage) (messageID string, err error)
}

// Feishu codes the sender treats specially (lark-platform.md §5).
const (
	CodeRateLimited      = 99991400 // gateway frequency limit (HTTP 429)
	CodeChatRateLimited  = 230020   // per-chat / per-user frequency limit
	CodeServiceBusy      = 11232    // message service overloaded at peaks
	CodeTokenInvalid     = 99991663 // tenant access token invalid
	CodeAppTokenInvalid  = 99991664
	CodeTokenInvalidAlt  = 99991671
	CodeInvalidContent   = 230001
	CodeBotNotInChat     = 230002
	CodeContentTooLong   = 230025
	CodeCardCreateFailed = 230099
)

// SendError is a failed send: Feishu's answer, or a network failure in Err.
type SendError struct {
	HTTPStatus int
	Code       int
	Msg        string
	// RetryAfter is how long Feishu asked us to wait (x-ogw-ratelimit-reset);
	// zero when it did not say.
	RetryAfter time.Duration
	// Err is the transport failure when Feishu did not answer at all.
	Err error
}

func (e *SendError) Error() string {
	if e.Code == 0 && e.HTTPStatus == 0 {
		if e.Err != nil {
			return "feishu: " + e.Err.Error()
		}
		return "feishu: " + e.Msg
	}
	return fmt.Sprintf("feishu: http %d code %d: %s", e.HTTPStatus, e.Code, e.Msg)
}

func (e *SendError) Unwrap() error { return e.Err }

// TokenInvalid reports whether Feishu rejected the access token: the cached
// token must be dropped before the retry, or it fails again.
func (e *SendError) TokenInvalid() bool {
	switch e.Code {
	case CodeTokenInvalid, CodeAppTokenInvalid, CodeTokenInvalidAlt:
		return true
	}
	return false
}

// Retryable reports whether sending the same message again can succeed:
// rate limits, Feishu-side failures, bad tokens and network errors. Anything
// Feishu rejects for the message itself (bad content, bot not in the chat,
// content too long, bad card) fails again however often it is sent.
func (e *SendError) Retryable() bool {
	switch e.Code {
	case CodeRateLimited, CodeChatRateLimited, CodeServiceBusy:
		return true
	}
	if e.TokenInvalid() {
		return true
	}
	if e.HTTPStatus == 429 || e.HTTPStatus >= 500 {
		return true
	}
	return e.Code == 0 && e.HTTPStatus == 0 && e.Err != nil
}

// LarkTransport sends through the Feishu Open API with the official SDK.
type LarkTransport struct {
	client      *lark.Client
	forgetToken func(ctx context.Context) error
}

var _ Transport = (*LarkTransport)(nil)

// NewLarkTransport returns a Transport on client. forgetToken (may be nil)
// drops the cached tenant token; it is called when Feishu rejects the token,
// because the SDK retries once with the same cached token and never clears it.
func NewLarkTransport(client *lark.Client, forgetToken func(ctx context.Context) error) *LarkTransport {
	return &LarkTransport{client: client, forgetToken: forgetToken}
}

// Deliver sends m as a new message ("send"), a reply ("reply") or a card
// update ("patch").
func (t *LarkTransport) Deliver(ctx context.Context, m store.OutboundMessage) (string, error) {
	// Send and reply go through the SDK client's raw request (same paths,
	// token handling and retries as its typed methods) and read only code,
	// msg and message_id back: the typed response decodes the whole message
	// body Feishu echoes, a card included, for nothing.
	switch m.Kind {
	case store.KindSend:
		return t.post(ctx, &larkcore.ApiReq{HttpMethod: http.MethodPost, ApiPath: "/open-apis/im/v1/messages",
			QueryParams: larkcore.QueryParams{"receive_id_type": []string{m.ReceiveIDType}},
			Body:        sendBody{ReceiveID: m.ReceiveID, MsgType: m.MsgType, Content: m.Content, UUID: m.ID}})

	case store.KindReply:
		return t.post(ctx, &larkcore.ApiReq{HttpMethod: http.MethodPost, ApiPath: "/open-apis/im/v1/messages/:message_id/reply",
			PathParams: larkcore.PathParams{"message_id": m.ReplyTo},
			Body:       sendBody{MsgType: m.MsgType, Content: m.Content, UUID: m.ID}})

	case store.KindPatch:
		// Patch has no uuid: replacing a card with the same content twice
		// is harmless.
		resp, err := t.client.Im.Message.Patch(ctx, larkim.NewPatchMessageReqBuilder().
			MessageId(m.ReplyTo).
			Body(larkim.NewPatchMessageReqBodyBuilder().Content(m.Content).Build()).Build())
		if err != nil {
			return "", &SendError{Err: err}
		}
		if !resp.Success() {
			return "", t.fail(ctx, resp.ApiResp, resp.CodeError)
		}
		return m.ReplyTo, nil
	}
	return "", &SendError{Msg: fmt.Sprintf("unknown message kind %q", m.Kind)}
}

// fail turns an unsuccessful answer into a *SendError. The SDK returns
// err == nil for these, with the code in the body and the HTTP status aside.
// sendBody is the body of a create or reply request.
type sendBody struct {
	ReceiveID string `json:"receive_id,omitempty"`
	MsgType   string `json:"msg_type"`
	Content   string `json:"content"`
	UUID      string `json:"uuid,omitempty"`
}

// post sends one create or reply request and returns the new message's id.
func (t *LarkTransport) post(ctx context.Context, req *larkcore.ApiReq) (string, error) {
	req.SupportedAccessTokenTypes = []larkcore.AccessTokenType{larkcore.AccessTokenTypeTenant}
	resp, err := t.client.Do(ctx, req)
	if err != nil {
		return "", &SendError{Err: err}
	}
	code, msg, id, err := parseSendAnswer(resp.RawBody)
	if err != nil {
		return "", &SendError{HTTPStatus: resp.StatusCode, Err: fmt.Errorf("bot: unreadable answer (HTTP %d): %w", resp.StatusCode, err)}
	}
	if code != 0 {
		return "", t.fail(ctx, resp, larkcore.CodeError{Code: code, Msg: msg})
	}
	return id, nil
}

// parseSendAnswer reads code, msg and data.message_id from Feishu's answer
// to a send. Feishu echoes the whole message back (a card: kilobytes), and
// writes code first and message_id first in data, so the answer is read
// token by token and left as soon as both are known; anything unexpected
// falls back to decoding the whole answer.
func parseSendAnswer(raw []byte) (code int, msg, id string, err error) {
	var full struct {
		Code int    `json:"code"`
		Msg  string `json:"msg"`
		Data struct {
			MessageID string `json:"message_id"`
		} `json:"data"`
	}
	slow := func() (int, string, string, error) {
		err := json.Unmarshal(raw, &full)
		return full.Code, full.Msg, full.Data.MessageID, err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return slow()
	}
	haveCode := false
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return slow()
		}
		switch key {
		case "code":
			if dec.Decode(&code) != nil {
				return slow()
			}
			haveCode = true
			if code != 0 {
				return slow() // errors are short: read them whole, msg included
			}
		case "data":
			if !haveCode {
				return slow()
			}
			if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
				return slow()
			}
			if k, err := dec.Token(); err != nil || k != "message_id" || dec.Decode(&id) != nil {
				return slow()
			}
			return code, "", id, nil
		default:
			var skip json.RawMessage
			if dec.Decode(&skip) != nil {
				return slow()
			}
		}
	}
	if !haveCode {
		return slow()
	}
	return code, msg, id, nil
}

func (t *LarkTransport) fail(ctx context.Context, r *larkcore.ApiResp, ce larkcore.CodeError) *SendError {
	e := &SendError{Code: ce.Code, Msg: ce.Msg}
	if r != nil {
		e.HTTPStatus = r.StatusCode
		if v := r.Header.Get("x-ogw-ratelimit-reset"); v != "" {
			if s, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil && s > 0 {
				e.RetryAfter = time.Duration(s * float64(time.Second))
			}
		}
	}
	if e.TokenInvalid() && t.forgetToken != nil {
		if err := t.forgetToken(ctx); err != nil {
			e.Msg += " (forgetting the token failed: " + err.Error() + ")"
		}
	}
	return e
}

// ConsoleTransport prints messages for the local console instead of sending
// them. It is safe for concurrent use.
type ConsoleTransport struct {
	W io.Writer

	mu sync.Mutex
	n  int
}

var _ Transport = (*ConsoleTransport)(nil)

// Deliver prints where m would go and its plain text, and returns a fake
// message id, om_console_N.
func (c *ConsoleTransport) Deliver(_ context.Context, m store.OutboundMessage) (string, error) {
	var head string
	switch m.Kind {
	case store.KindReply:
		if m.ChatID != "" {
			head = "→ 回复 [chat " + m.ChatID + "]"
		} else {
			head = "→ 回复 [消息 " + m.ReplyTo + "]"
		}
	case store.KindSend:
		if m.ReceiveIDType == "chat_id" {
			head = "→ 群 " + m.ReceiveID
		} else {
			head = "→ 私聊 " + m.ReceiveID
		}
	case store.KindPatch:
		head = "→ 更新卡片"
	default:
		return "", &SendError{Msg: fmt.Sprintf("unknown message kind %q", m.Kind)}
	}
	body := m.Text
	if body == "" {
		body = m.Content
	}
	if !strings.HasSuffix(body, "\n") {
		body += "\n"
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n++
	if _, err := io.WriteString(c.W, head+"\n"+body); err != nil {
		return "", &SendError{Err: err}
	}
	return "om_console_" + strconv.Itoa(c.n), nil
}
