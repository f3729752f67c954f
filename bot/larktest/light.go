package larktest

import (
	"bytes"
	"encoding/json"
	"net/http"
)

// WithLightSends is for throughput benchmarks, where the fake runs in the
// benchmark's own process and its CPU is taken from the bot being measured:
// create and reply bodies are scanned, not decoded, and their content is
// neither unquoted nor validated beyond being a JSON string that holds an
// object, of at most the size Feishu allows. Everything stateful is as
// without it: the bearer token, rate limits, the uuid cache (a repeated uuid
// answered with the first answer, counted in DuplicateUUIDs), and every
// message recorded, with its content (unquoted when it is first read, by
// Messages, WaitFor and the like). The answer has the shape of Feishu's, the
// content echoed as it was sent. A body the scan cannot read (an escape in
// a key or a short field, a nested value) is decoded and checked in full.
//
// End-to-end tests must not use it: it does not check content per msg_type
// (text, post, file keys) as Feishu does.
func WithLightSends() Option {
	return func(s *Server) { s.light = true }
}

// lightSend is what the light scan read of a create or reply body.
type lightSend struct {
	receiveID, msgType, uuid string
	content                  []byte // the JSON string as sent, quotes and escapes included
	replyInThread            bool
}

// scanSend reads body as a flat JSON object of the fields of a create or
// reply. ok is false when the light path cannot take it.
func scanSend(body []byte) (ls lightSend, ok bool) {
	ok = scanFlat(body, func(key string, raw []byte) bool {
		switch key {
		case "content":
			ls.content = raw
			return raw[0] == '"'
		case "reply_in_thread":
			ls.replyInThread = string(raw) == "true"
			return string(raw) == "true" || string(raw) == "false"
		case "receive_id", "msg_type", "uuid":
			// Ids and types carry no escapes; one that does is decoded
			// in full.
			if raw[0] != '"' || bytes.IndexByte(raw, '\\') >= 0 {
				return false
			}
			v := string(raw[1 : len(raw)-1])
			switch key {
			case "receive_id":
				ls.receiveID = v
			case "msg_type":
				ls.msgType = v
			case "uuid":
				ls.uuid = v
			}
		}
		return true
	})
	return ls, ok && ls.content != nil
}

// lightContentOK is the light check of a content: a JSON string holding an
// object, not longer (escapes included) than Feishu's limit.
func lightContentOK(msgType string, raw []byte) (apiError, bool) {
	limit := cardLimit
	if msgType == "text" {
		limit = textLimit
	}
	if len(raw)-2 > limit {
		return apiError{}, false // too long, perhaps only escaped: the full check decides
	}
	inner := bytes.TrimSpace(raw[1 : len(raw)-1])
	if len(inner) < 2 || inner[0] != '{' || inner[len(inner)-1] != '}' {
		return apiError{http.StatusBadRequest, codeInvalidContent, msgInvalidContent}, true
	}
	return apiError{}, true
}

// scanFlat calls fn with each key of the JSON object b and its value as
// written (a string with its quotes and escapes). Values must be strings,
// true, false, null or numbers; false for anything else, for a key with an
// escape, and when fn returns false.
func scanFlat(b []byte, fn func(key string, raw []byte) bool) bool {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return false
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return skipSpace(b, i+1) == len(b)
	}
	for {
		if i >= len(b) || b[i] != '"' {
			return false
		}
		end := stringEnd(b, i)
		if end < 0 || bytes.IndexByte(b[i:end], '\\') >= 0 {
			return false
		}
		key := b[i+1 : end-1]
		i = skipSpace(b, end)
		if i >= len(b) || b[i] != ':' {
			return false
		}
		i = skipSpace(b, i+1)
		if i >= len(b) {
			return false
		}
		start := i
		switch c := b[i]; {
		case c == '"':
			if i = stringEnd(b, i); i < 0 {
				return false
			}
		case c == 't' || c == 'f' || c == 'n' || c == '-' || (c >= '0' && c <= '9'):
			for i < len(b) && b[i] != ',' && b[i] != '}' && b[i] != ' ' && b[i] != '\t' && b[i] != '\n' && b[i] != '\r' {
				i++
			}
			if !json.Valid(b[start:i]) {
				return false
			}
		default:
			return false // nested: decoded in full
		}
		if !fn(string(key), b[start:i]) {
			return false
		}
		i = skipSpace(b, i)
		if i >= len(b) {
			return false
		}
		switch b[i] {
		case ',':
			i = skipSpace(b, i+1)
		case '}':
			return skipSpace(b, i+1) == len(b)
		default:
			return false
		}
	}
}

// stringEnd is the index just past the JSON string opening at b[i], or -1
// when it does not close or holds a control character.
func stringEnd(b []byte, i int) int {
	for j := i + 1; j < len(b); j++ {
		switch c := b[j]; {
		case c == '"':
			return j + 1
		case c == '\\':
			j++ // the escaped byte; \uXXXX's digits are plain bytes
		case c < 0x20:
			return -1
		}
	}
	return -1
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// lightAnswer is the answer to a send with content spliced in as sent: the
// answer marshalled with a placeholder in its place (no id or type the fake
// makes holds a NUL), then the placeholder replaced.
func lightAnswer(a sendAnswer, content []byte) []byte {
	a.Data.Body.Content = "\x00"
	b, _ := json.Marshal(a)
	return bytes.Replace(b, []byte(`"\u0000"`), content, 1)
}

// resolveLocked unquotes the contents the light path recorded as sent.
func (s *Server) resolveLocked() {
	for i, raw := range s.rawContent {
		if i < len(s.sent) {
			_ = json.Unmarshal(raw, &s.sent[i].Content)
		}
	}
	clear(s.rawContent)
}

// MessageCount is how many message calls succeeded: len(Messages()) without
// the copy.
func (s *Server) MessageCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.sent)
}
