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
	"unicode/utf8"

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
	// WithFileDownload only tells the SDK not to decode a 200 answer. It
	// would decode the whole echoed message to read the code, for the one
	// thing it does with it: retry a rejected token once, with the same
	// cached token, which fails again. fail() below forgets the token and
	// the sender retries, 200 or not.
	resp, err := t.client.Do(ctx, req, larkcore.WithFileDownload())
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
// to a send. Feishu echoes the whole message back (a card: kilobytes), so a
// successful answer is walked, not decoded: the top level and data are read
// key by key and every other value is skipped over by its brackets and
// quotes. Anything unexpected (an error code, an escape in a key or in the
// message id, a value that does not close) falls back to decoding the whole
// answer.
func parseSendAnswer(raw []byte) (code int, msg, id string, err error) {
	if code, msg, id, ok := scanSendAnswer(raw); ok {
		return code, msg, id, nil
	}
	var full struct {
		Code int    `json:"code"`
		Msg  string `json:"msg"`
		Data struct {
			MessageID string `json:"message_id"`
		} `json:"data"`
	}
	err = json.Unmarshal(raw, &full)
	return full.Code, full.Msg, full.Data.MessageID, err
}

// scanSendAnswer is parseSendAnswer's fast path. It reports ok only for a
// success: code 0 and a message id.
func scanSendAnswer(raw []byte) (code int, msg, id string, ok bool) {
	s := jsonScan{b: raw}
	haveCode := false
	if !s.object(func(key []byte) bool {
		if !plainKey(key, "code", "msg", "data") {
			return false
		}
		switch string(key) {
		case "code":
			code, haveCode = s.int()
			return haveCode && code == 0 // errors are short: read them whole
		case "msg":
			var m []byte
			m, ok = s.plainString()
			msg = string(m)
			return ok
		case "data":
			return s.object(func(key []byte) bool {
				if !plainKey(key, "message_id") {
					return false
				}
				if string(key) != "message_id" {
					return s.skip()
				}
				var v []byte
				v, ok = s.plainString()
				id = string(v)
				return ok
			})
		}
		return s.skip()
	}) {
		return 0, "", "", false
	}
	s.space()
	return code, msg, id, haveCode && id != "" && s.i == len(s.b)
}

// plainKey reports whether key compares to names byte for byte: it is ASCII
// and none of them in another case. encoding/json matches keys without
// regard to case (and folds a few non-ASCII letters to ASCII ones), so such
// keys are left to it.
func plainKey(key []byte, names ...string) bool {
	for _, c := range key {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	for _, n := range names {
		if string(key) != n && strings.EqualFold(string(key), n) {
			return false
		}
	}
	return true
}

// jsonScan walks JSON without building values. It checks what it reads
// only as far as needed to find where each value ends.
type jsonScan struct {
	b []byte
	i int
}

func (s *jsonScan) space() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// next consumes c, after white space, if it comes next.
func (s *jsonScan) next(c byte) bool {
	s.space()
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

// object reads an object, calling member for each key with the scanner on
// the key's value, which member must consume.
func (s *jsonScan) object(member func(key []byte) bool) bool {
	if !s.next('{') {
		return false
	}
	if s.next('}') {
		return true
	}
	for {
		key, ok := s.plainString()
		if !ok || !s.next(':') || !member(key) {
			return false
		}
		if s.next('}') {
			return true
		}
		if !s.next(',') {
			return false
		}
	}
}

// plainString reads a string without escapes and returns its bytes.
func (s *jsonScan) plainString() ([]byte, bool) {
	s.space()
	if s.i >= len(s.b) || s.b[s.i] != '"' {
		return nil, false
	}
	end := bytes.IndexByte(s.b[s.i+1:], '"')
	if end < 0 {
		return nil, false
	}
	v := s.b[s.i+1 : s.i+1+end]
	for _, c := range v {
		if c < 0x20 || c == '\\' {
			return nil, false
		}
	}
	if !utf8.Valid(v) {
		return nil, false // encoding/json would replace the bad bytes
	}
	s.i += end + 2
	return v, true
}

// int reads a non-negative integer.
func (s *jsonScan) int() (int, bool) {
	s.space()
	start := s.i
	for s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9' {
		s.i++
	}
	if s.i == start || s.i-start > 10 {
		return 0, false
	}
	n, err := strconv.Atoi(string(s.b[start:s.i]))
	return n, err == nil
}

// skip passes over one value of any kind.
func (s *jsonScan) skip() bool {
	s.space()
	depth := 0
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case '"':
			if !s.skipString() {
				return false
			}
		case '{', '[':
			depth++
			s.i++
		case '}', ']':
			if depth == 0 {
				return false
			}
			depth--
			s.i++
		case ',', ':', ' ', '\t', '\n', '\r':
			if depth == 0 {
				return false // no value here
			}
			s.i++
		default: // numbers, true, false, null
			s.i++
		}
		if depth == 0 && (s.i >= len(s.b) || isValueEnd(s.b[s.i])) {
			return true
		}
	}
	return false
}

func isValueEnd(c byte) bool {
	switch c {
	case ',', '}', ']', ' ', '\t', '\n', '\r':
		return true
	}
	return false
}

// skipString passes over the string that starts at s.i.
func (s *jsonScan) skipString() bool {
	j := s.i + 1
	for {
		k := bytes.IndexByte(s.b[j:], '"')
		if k < 0 {
			return false
		}
		j += k
		bs := 0
		for p := j - 1; p > s.i && s.b[p] == '\\'; p-- {
			bs++
		}
		j++
		if bs%2 == 0 {
			s.i = j
			return true
		}
	}
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
	case store.KindCalendar:
		head = "→ 飞书日历（控制台不连接日历）"
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
