package larktest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Feishu response codes the fake answers with.
const (
	codeInvalidParam      = 10003    // token endpoint: unknown app_id
	codeAppSecretInvalid  = 10014    // token endpoint: wrong app_secret
	codeTokenInvalid      = 99991663 // tenant token missing or not issued here
	codeFieldValidation   = 99992402 // malformed body or query
	codeFrequencyLimit    = 99991400 // gateway: per-app limit
	codeInvalidContent    = 230001   // bad content or msg_type
	codeChatFrequency     = 230020   // per-chat / per-user limit
	codeContentTooLong    = 230025
	codeFileInvalidParam  = 234001
	uuidTTL               = time.Hour
	textLimit, cardLimit  = 150 << 10, 30 << 10
	fileLimit             = 30 << 20 // im/v1/files: at most 30 MB, not empty
	rateWindow            = time.Second
	defaultTenantKey      = "736588c9260f175e"
	msgInvalidContent     = "Your request contains an invalid request parameter, ext=invalid message content."
	msgFieldValidation    = "field validation failed"
	msgChatFrequencyLimit = "This operation triggers the frequency limit"
)

// uuidEntry is a cached first answer for an idempotency uuid.
type uuidEntry struct {
	at   time.Time
	body []byte
}

// msgInfo is what the server knows about a message id, so that replies can
// be attributed to the chat (and rate-limit window) of the message they
// answer.
type msgInfo struct {
	chatID   string
	recvType string
	recvID   string
	rateKey  string
	rootID   string
}

// apiError is a Feishu error answer. A zero code means a non-JSON body.
type apiError struct {
	status int
	code   int
	msg    string
}

func (s *Server) handleToken(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.tokenCalls++
	s.mu.Unlock()
	var req struct {
		AppID     string `json:"app_id"`
		AppSecret string `json:"app_secret"`
	}
	_ = json.NewDecoder(r.Body).Decode(&req)
	switch {
	case req.AppID != s.appID:
		writeError(w, apiError{http.StatusBadRequest, codeInvalidParam, "invalid param"})
	case req.AppSecret != s.appSecret:
		writeError(w, apiError{http.StatusBadRequest, codeAppSecretInvalid, "app secret invalid"})
	default:
		writeJSON(w, http.StatusOK, map[string]any{
			"code": 0, "msg": "ok", "tenant_access_token": s.token, "expire": 7200,
		})
	}
}

// auth rejects calls without the issued tenant token, as the Open API does.
// The SDK retries once on 99991663, so a bad token shows up as two calls.
func (s *Server) auth(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+s.token {
			writeError(w, apiError{http.StatusBadRequest, codeTokenInvalid,
				"Invalid access token for authorization. Please make a request with token attached."})
			return
		}
		next(w, r)
	}
}

// call is a validated message call waiting for the stateful checks.
type call struct {
	sent     Sent
	raw      []byte // WithLightSends: the content as sent, a JSON string (sent.Content is then empty)
	rateKey  string
	chatID   string
	rootID   string
	parentID string
}

func (s *Server) handleCreate(w http.ResponseWriter, r *http.Request) {
	if e, ok := s.fault(); ok {
		writeError(w, e)
		return
	}
	var body struct {
		ReceiveID string `json:"receive_id"`
		MsgType   string `json:"msg_type"`
		Content   string `json:"content"`
		UUID      string `json:"uuid"`
	}
	idType := r.URL.Query().Get("receive_id_type")
	data, err := readAll(r)
	if err == nil && s.light {
		if ls, ok := scanSend(data); ok && validReceiveID(idType, ls.receiveID) {
			if e, ok := lightContentOK(ls.msgType, ls.content); ok {
				if e.code != 0 {
					writeError(w, e)
					return
				}
				chatID := ls.receiveID
				if idType != "chat_id" {
					chatID = p2pChatID(ls.receiveID)
				}
				s.send(w, call{
					sent: Sent{
						Method: r.Method, Path: r.URL.Path, ReceiveIDType: idType, ReceiveID: ls.receiveID,
						MsgType: ls.msgType, UUID: ls.uuid,
					},
					raw: ls.content, rateKey: ls.receiveID, chatID: chatID,
				})
				return
			}
		}
	}
	if err == nil {
		err = json.Unmarshal(data, &body)
	}
	if err != nil || !validReceiveID(idType, body.ReceiveID) {
		writeError(w, apiError{http.StatusBadRequest, codeFieldValidation, msgFieldValidation})
		return
	}
	if e, ok := s.checkContent(body.MsgType, body.Content); !ok {
		writeError(w, e)
		return
	}
	chatID := body.ReceiveID
	if idType != "chat_id" {
		chatID = p2pChatID(body.ReceiveID)
	}
	s.send(w, call{
		sent: Sent{
			Method: r.Method, Path: r.URL.Path, ReceiveIDType: idType, ReceiveID: body.ReceiveID,
			MsgType: body.MsgType, Content: body.Content, UUID: body.UUID,
		},
		// Feishu limits per user for direct messages and per group for chats.
		rateKey: body.ReceiveID,
		chatID:  chatID,
	})
}

func (s *Server) handleReply(w http.ResponseWriter, r *http.Request) {
	if e, ok := s.fault(); ok {
		writeError(w, e)
		return
	}
	var body struct {
		Content       string `json:"content"`
		MsgType       string `json:"msg_type"`
		ReplyInThread bool   `json:"reply_in_thread"`
		UUID          string `json:"uuid"`
	}
	data, err := readAll(r)
	var raw []byte // the content as sent, on the light path
	if err == nil && s.light {
		if ls, ok := scanSend(data); ok {
			if e, ok := lightContentOK(ls.msgType, ls.content); ok {
				if e.code != 0 {
					writeError(w, e)
					return
				}
				body.MsgType, body.UUID, body.ReplyInThread, raw = ls.msgType, ls.uuid, ls.replyInThread, ls.content
			}
		}
	}
	if raw == nil {
		if err == nil {
			err = json.Unmarshal(data, &body)
		}
		if err != nil {
			writeError(w, apiError{http.StatusBadRequest, codeFieldValidation, msgFieldValidation})
			return
		}
		if e, ok := s.checkContent(body.MsgType, body.Content); !ok {
			writeError(w, e)
			return
		}
	}
	parent := r.PathValue("message_id")
	s.mu.Lock()
	info, known := s.msgs[parent]
	s.mu.Unlock()
	c := call{
		sent: Sent{
			Method: r.Method, Path: r.URL.Path, ReplyTo: parent, MsgType: body.MsgType,
			Content: body.Content, UUID: body.UUID, ReplyInThread: body.ReplyInThread,
		},
		raw:      raw,
		rateKey:  parent,
		parentID: parent,
		rootID:   parent,
	}
	if known {
		c.sent.ReceiveIDType, c.sent.ReceiveID = info.recvType, info.recvID
		c.rateKey, c.chatID = info.rateKey, info.chatID
		if info.rootID != "" {
			c.rootID = info.rootID
		}
	}
	s.send(w, c)
}

func (s *Server) handlePatch(w http.ResponseWriter, r *http.Request) {
	if e, ok := s.fault(); ok {
		writeError(w, e)
		return
	}
	var body struct {
		Content string `json:"content"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		writeError(w, apiError{http.StatusBadRequest, codeFieldValidation, msgFieldValidation})
		return
	}
	// Only cards can be patched, so the content follows the card rules.
	if e, ok := checkContent("interactive", body.Content); !ok {
		writeError(w, e)
		return
	}
	id := r.PathValue("message_id")
	now := s.now()
	s.mu.Lock()
	// Feishu allows 5 patches per second per message: the per-chat limit,
	// keyed by the message.
	if e, ok := s.admitLocked(now, id); !ok {
		s.mu.Unlock()
		writeError(w, e)
		return
	}
	s.recordLocked(Sent{Method: r.Method, Path: r.URL.Path, MessageID: id, Content: body.Content, At: now})
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"code": 0, "msg": "success", "data": map[string]any{}})
}

func (s *Server) handleFile(w http.ResponseWriter, r *http.Request) {
	if e, ok := s.fault(); ok {
		writeError(w, e)
		return
	}
	bad := apiError{http.StatusBadRequest, codeFileInvalidParam, "Invalid request param."}
	r.Body = http.MaxBytesReader(w, r.Body, fileLimit+1<<20) // the file and the form around it
	if err := r.ParseMultipartForm(32 << 20); err != nil {
		writeError(w, bad)
		return
	}
	f, _, err := r.FormFile("file")
	if err != nil {
		writeError(w, bad)
		return
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	ft, name := r.FormValue("file_type"), r.FormValue("file_name")
	if err != nil || len(data) == 0 || len(data) > fileLimit || name == "" || !oneOf(ft, "opus", "mp4", "pdf", "doc", "xls", "ppt", "stream") {
		writeError(w, bad)
		return
	}
	key := newID("file_v3_")
	s.mu.Lock()
	s.files = append(s.files, File{Key: key, Type: ft, Name: name, Data: data})
	s.notifyLocked()
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"code": 0, "msg": "success", "data": map[string]any{"file_key": key}})
}

// fault consumes an injected failure, if any.
func (s *Server) fault() (apiError, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.down:
		return apiError{status: http.StatusServiceUnavailable}, true
	case s.failN > 0:
		s.failN--
		return apiError{s.failStatus, s.failCode, "injected failure"}, true
	}
	return apiError{}, false
}

// send runs the stateful part of create and reply: rate limits, the uuid
// cache, then recording. The rate limits come first because Feishu's
// gateway counts a request before the message service sees its uuid.
func (s *Server) send(w http.ResponseWriter, c call) {
	now := s.now()
	s.mu.Lock()
	if e, ok := s.admitLocked(now, c.rateKey); !ok {
		s.mu.Unlock()
		writeError(w, e)
		return
	}
	if u := c.sent.UUID; u != "" {
		if e, ok := s.uuids[u]; ok && now.Sub(e.at) < uuidTTL {
			s.dups++
			s.mu.Unlock()
			writeRaw(w, http.StatusOK, e.body)
			return
		}
	}
	id := newID("om_")
	c.sent.MessageID, c.sent.At = id, now
	ms := strconv.FormatInt(now.UnixMilli(), 10)
	answer := sendAnswer{Msg: "success", Data: sentMessage{
		MessageID: id, RootID: c.rootID, ParentID: c.parentID, MsgType: c.sent.MsgType, CreateTime: ms, UpdateTime: ms,
		ChatID: c.chatID, Sender: sentSender{ID: s.appID, IDType: "app_id", SenderType: "app", TenantKey: defaultTenantKey},
		Body: sentBody{Content: c.sent.Content}, Mentions: []any{},
	}}
	var body []byte
	if c.raw != nil {
		body = lightAnswer(answer, c.raw)
	} else {
		body, _ = json.Marshal(answer)
	}
	if c.sent.UUID != "" {
		s.uuids[c.sent.UUID] = uuidEntry{at: now, body: body}
	}
	s.msgs[id] = msgInfo{
		chatID: c.chatID, recvType: c.sent.ReceiveIDType, recvID: c.sent.ReceiveID,
		rateKey: c.rateKey, rootID: c.rootID,
	}
	s.recordLocked(c.sent)
	if c.raw != nil {
		s.rawContent[len(s.sent)-1] = c.raw
	}
	stall := s.stall
	s.mu.Unlock()
	if stall > 0 {
		time.Sleep(stall) // the caller gives up first: it must send again, with the same uuid
	}
	writeRaw(w, http.StatusOK, body)
}

// sendAnswer is Feishu's answer to a create or reply: the message as
// stored, the content echoed. A struct, not a map: the fake runs in the
// benchmarks' process and should cost little.
type sendAnswer struct {
	Code int         `json:"code"`
	Msg  string      `json:"msg"`
	Data sentMessage `json:"data"`
}

type sentMessage struct {
	MessageID      string     `json:"message_id"`
	RootID         string     `json:"root_id"`
	ParentID       string     `json:"parent_id"`
	ThreadID       string     `json:"thread_id"`
	MsgType        string     `json:"msg_type"`
	CreateTime     string     `json:"create_time"`
	UpdateTime     string     `json:"update_time"`
	Deleted        bool       `json:"deleted"`
	Updated        bool       `json:"updated"`
	ChatID         string     `json:"chat_id"`
	Sender         sentSender `json:"sender"`
	Body           sentBody   `json:"body"`
	Mentions       []any      `json:"mentions"`
	UpperMessageID string     `json:"upper_message_id"`
}

type sentSender struct {
	ID         string `json:"id"`
	IDType     string `json:"id_type"`
	SenderType string `json:"sender_type"`
	TenantKey  string `json:"tenant_key"`
}

type sentBody struct {
	Content string `json:"content"`
}

func (s *Server) recordLocked(m Sent) {
	s.sent = append(s.sent, m)
	s.notifyLocked()
}

// admitLocked applies the per-app, then the per-key sliding one-second
// windows. Only admitted calls enter a window, so a client that backs off
// gets through again after a second.
func (s *Server) admitLocked(now time.Time, key string) (apiError, bool) {
	s.arrivals = append(s.arrivals, now)
	if s.perApp > 0 {
		s.appHits = prune(s.appHits, now)
		if len(s.appHits) >= s.perApp {
			s.limited++
			return apiError{http.StatusTooManyRequests, codeFrequencyLimit, "request trigger frequency limit"}, false
		}
	}
	if s.perChat > 0 {
		hits := prune(s.chatHits[key], now)
		if len(hits) >= s.perChat {
			s.chatHits[key] = hits
			s.limited++
			return apiError{http.StatusBadRequest, codeChatFrequency, msgChatFrequencyLimit}, false
		}
		s.chatHits[key] = append(hits, now)
	}
	if s.perApp > 0 {
		s.appHits = append(s.appHits, now)
	}
	return apiError{}, true
}

// prune drops the hits that left the window.
func prune(hits []time.Time, now time.Time) []time.Time {
	i := 0
	for i < len(hits) && now.Sub(hits[i]) >= rateWindow {
		i++
	}
	return hits[i:]
}

// checkContent applies checkContent's rules, and wants a file message's
// file_key to name a file uploaded to this server (and not forgotten by
// Reset), as Feishu wants a key its own upload returned.
func (s *Server) checkContent(msgType, content string) (apiError, bool) {
	if e, ok := checkContent(msgType, content); !ok {
		return e, false
	}
	if msgType != "file" && msgType != "image" {
		return apiError{}, true
	}
	var v struct {
		FileKey  string `json:"file_key"`
		ImageKey string `json:"image_key"`
	}
	_ = json.Unmarshal([]byte(content), &v)
	s.mu.Lock()
	defer s.mu.Unlock()
	if msgType == "image" { // an image_key the app's own upload returned
		for _, im := range s.images {
			if im.Key == v.ImageKey {
				return apiError{}, true
			}
		}
		return apiError{http.StatusBadRequest, codeInvalidContent, msgInvalidContent}, false
	}
	for _, f := range s.files {
		if f.Key == v.FileKey {
			return apiError{}, true
		}
	}
	return apiError{http.StatusBadRequest, codeInvalidContent, msgInvalidContent}, false
}

// checkContent applies Feishu's per-msg_type content rules. content is
// always a JSON object serialised into a string.
func checkContent(msgType, content string) (apiError, bool) {
	invalid := apiError{http.StatusBadRequest, codeInvalidContent, msgInvalidContent}
	limit := cardLimit
	if msgType == "text" {
		limit = textLimit
	}
	if len(content) > limit {
		return apiError{http.StatusBadRequest, codeContentTooLong, "message content too long"}, false
	}
	// A shallow decode checks the whole JSON yet builds only the top level:
	// a card is not turned into maps just to be found non-empty (the fake
	// runs in the benchmarks' process, and should cost what Feishu's
	// checks cost the bot: nothing).
	if msgType == "interactive" {
		// A card: a valid, non-empty JSON object, checked without building
		// anything.
		t := strings.TrimSpace(content)
		if !json.Valid([]byte(t)) || len(t) < 2 || t[0] != '{' || strings.TrimSpace(t[1:len(t)-1]) == "" {
			return invalid, false
		}
		return apiError{}, true
	}
	var v map[string]json.RawMessage
	if err := json.Unmarshal([]byte(content), &v); err != nil {
		return invalid, false
	}
	str := func(key string) bool {
		var s string
		return json.Unmarshal(v[key], &s) == nil && s != ""
	}
	var ok bool
	switch msgType {
	case "text":
		var s string
		raw := v["text"]
		ok = len(raw) > 0 && raw[0] == '"' && json.Unmarshal(raw, &s) == nil
	case "post":
		var full map[string]any
		ok = json.Unmarshal([]byte(content), &full) == nil && validPost(full)
	case "image":
		ok = str("image_key")
	case "file", "audio", "media", "sticker":
		ok = str("file_key")
	case "share_chat":
		ok = str("chat_id")
	case "share_user":
		ok = str("user_id")
	}
	if !ok {
		return invalid, false
	}
	return apiError{}, true
}

// validPost wants {"zh_cn":{"title":..,"content":[[...]]}, ...}. A "post"
// wrapper, which the older message API used, is rejected as Feishu does.
func validPost(v map[string]any) bool {
	if len(v) == 0 {
		return false
	}
	for _, loc := range v {
		m, ok := loc.(map[string]any)
		if !ok {
			return false
		}
		if _, ok := m["content"].([]any); !ok {
			return false
		}
	}
	return true
}

// validReceiveID catches the classic bug of an id sent with the wrong
// receive_id_type: Feishu ids carry their kind in the prefix.
func validReceiveID(idType, id string) bool {
	if id == "" {
		return false
	}
	switch idType {
	case "open_id":
		return strings.HasPrefix(id, "ou_")
	case "chat_id":
		return strings.HasPrefix(id, "oc_")
	case "union_id":
		return strings.HasPrefix(id, "on_")
	case "email":
		return strings.Contains(id, "@")
	case "user_id":
		return true
	}
	return false
}

// p2pChatID gives the direct chat with a user a stable chat id.
func p2pChatID(receiveID string) string {
	sum := sha256.Sum256([]byte(receiveID))
	return "oc_" + hex.EncodeToString(sum[:16])
}

func oneOf(s string, set ...string) bool {
	for _, x := range set {
		if s == x {
			return true
		}
	}
	return false
}

// readAll reads a request's body whole.
func readAll(r *http.Request) ([]byte, error) {
	var buf bytes.Buffer
	if n := r.ContentLength; n > 0 && n < 1<<24 {
		buf.Grow(int(n) + bytes.MinRead) // read once, no regrowth
	}
	_, err := buf.ReadFrom(r.Body)
	return buf.Bytes(), err
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v)
	writeRaw(w, status, b)
}

func writeRaw(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	if w.Header().Get("X-Tt-Logid") == "" {
		w.Header().Set("X-Tt-Logid", newID("")) // the SDK's resp.RequestId()
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// writeError answers e. A zero code answers plain text, which the SDK
// cannot parse and returns as a Go error, like an outage in front of the
// Open API.
func writeError(w http.ResponseWriter, e apiError) {
	if e.code == 0 {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(e.status)
		_, _ = io.WriteString(w, http.StatusText(e.status))
		return
	}
	if e.code == codeFrequencyLimit {
		// error-rate-limited-99991400.json: back off for the reset seconds.
		w.Header().Set("x-ogw-ratelimit-reset", "1")
	}
	logID := newID("")
	w.Header().Set("X-Tt-Logid", logID)
	writeJSON(w, e.status, map[string]any{
		"code": e.code, "msg": e.msg,
		"error": map[string]any{"log_id": logID},
	})
}
