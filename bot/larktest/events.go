package larktest

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// Message describes an im.message.receive_v1 event. Empty ids are filled
// with random ones of the right shape.
type Message struct {
	EventID      string
	MessageID    string // om_…
	ChatID       string // oc_…
	ChatType     string // "p2p" (default) or "group"
	SenderOpenID string // ou_…
	// Text is the text as Feishu delivers it: mentions appear as their keys
	// ("@_user_1 /case show 42"), never as names.
	Text       string
	MsgType    string // "text" (default), "post", "image" or "file"
	FileKey    string // a file message's file_key (default random; its name is Text), an image's image_key
	Mentions   []Mention
	CreateTime time.Time // default now
	Token      string    // header.token, the app's Verification Token
	AppID      string    // default "cli_test"
	// ParentID and RootID: Feishu's reply (a message answering another,
	// e.g. a card the bot sent); both empty for a new message.
	ParentID, RootID string
}

// Mention is one entry of message.mentions. Key defaults to "@_user_N" for
// the N-th mention.
type Mention struct {
	Key, OpenID, Name string
}

// CardAction describes a card.action.trigger callback.
type CardAction struct {
	EventID        string
	OperatorOpenID string
	MessageID      string // the card's message, context.open_message_id
	ChatID         string
	Value          map[string]any // the button's callback value
	FormValue      map[string]any // form fields, for a form submit
	Name, Tag      string         // Tag defaults to "button"
	CreateTime     time.Time      // default now
	Token          string         // header.token
	AppID          string         // default "cli_test"
}

type eventHeader struct {
	EventID    string `json:"event_id"`
	EventType  string `json:"event_type"`
	CreateTime string `json:"create_time"`
	Token      string `json:"token"`
	AppID      string `json:"app_id"`
	TenantKey  string `json:"tenant_key"`
}

type userID struct {
	UnionID string `json:"union_id"`
	UserID  string `json:"user_id"`
	OpenID  string `json:"open_id"`
}

// MessageEvent returns the schema 2.0 envelope of im.message.receive_v1
// (see im-message-receive-v1-*.json).
func MessageEvent(m Message) []byte {
	m.EventID = orDefault(m.EventID, newID(""))
	m.MessageID = orDefault(m.MessageID, newID("om_"))
	m.ChatID = orDefault(m.ChatID, newID("oc_"))
	m.ChatType = orDefault(m.ChatType, "p2p")
	m.SenderOpenID = orDefault(m.SenderOpenID, newID("ou_"))
	m.MsgType = orDefault(m.MsgType, "text")
	m.AppID = orDefault(m.AppID, "cli_test")
	if m.CreateTime.IsZero() {
		m.CreateTime = time.Now()
	}
	type mention struct {
		Key       string `json:"key"`
		ID        userID `json:"id"`
		Name      string `json:"name"`
		TenantKey string `json:"tenant_key"`
	}
	var mentions []mention
	m.Mentions = append([]Mention(nil), m.Mentions...) // filled in below; not the caller's
	for i, x := range m.Mentions {
		key := orDefault(x.Key, "@_user_"+strconv.Itoa(i+1))
		m.Mentions[i].Key = key // messageContent splits post text on the keys
		mentions = append(mentions, mention{key, userID{OpenID: x.OpenID}, x.Name, defaultTenantKey})
	}
	ms := strconv.FormatInt(m.CreateTime.UnixMilli(), 10)
	ev := map[string]any{
		"schema": "2.0",
		"header": eventHeader{m.EventID, "im.message.receive_v1", ms, m.Token, m.AppID, defaultTenantKey},
		"event": map[string]any{
			"sender": map[string]any{
				"sender_id":   userID{OpenID: m.SenderOpenID},
				"sender_type": "user",
				"tenant_key":  defaultTenantKey,
			},
			"message": struct {
				MessageID   string    `json:"message_id"`
				RootID      string    `json:"root_id"`
				ParentID    string    `json:"parent_id"`
				CreateTime  string    `json:"create_time"`
				UpdateTime  string    `json:"update_time"`
				ChatID      string    `json:"chat_id"`
				ThreadID    string    `json:"thread_id"`
				ChatType    string    `json:"chat_type"`
				MessageType string    `json:"message_type"`
				Content     string    `json:"content"`
				Mentions    []mention `json:"mentions,omitempty"`
				UserAgent   string    `json:"user_agent"`
			}{
				m.MessageID, m.RootID, m.ParentID, ms, ms, m.ChatID, "", m.ChatType, m.MsgType,
				messageContent(m), mentions, "Mozilla/5.0 larktest Lark/7.64.6",
			},
		},
	}
	return mustJSON(ev)
}

// messageContent is the content string for m.MsgType, in the shape the
// receive event uses (which differs from what a send takes: a received post
// has no locale level).
func messageContent(m Message) string {
	switch m.MsgType {
	case "image":
		return string(mustJSON(map[string]string{"image_key": orDefault(m.FileKey, newID("img_v3_"))}))
	case "file":
		return string(mustJSON(map[string]string{"file_key": orDefault(m.FileKey, newID("file_v3_")), "file_name": orDefault(m.Text, "file.txt")}))
	case "post":
		return string(mustJSON(map[string]any{"title": "", "content": [][]map[string]any{postLine(m)}}))
	}
	return string(mustJSON(map[string]string{"text": m.Text}))
}

// postLine splits m.Text at the mention keys into text and at elements.
func postLine(m Message) []map[string]any {
	var line []map[string]any
	text := m.Text
	for text != "" {
		at, idx := -1, len(text)
		for i, x := range m.Mentions {
			// The longest key wins so that @_user_1 does not match @_user_10.
			j := strings.Index(text, x.Key)
			if j >= 0 && (at < 0 || j < idx || j == idx && len(x.Key) > len(m.Mentions[at].Key)) {
				at, idx = i, j
			}
		}
		if idx > 0 {
			line = append(line, map[string]any{"tag": "text", "text": text[:idx], "style": []string{}})
		}
		if at < 0 {
			break
		}
		x := m.Mentions[at]
		line = append(line, map[string]any{"tag": "at", "user_id": x.Key, "user_name": x.Name, "style": []string{}})
		text = text[idx+len(x.Key):]
	}
	return line
}

// CardActionEvent returns the card.action.trigger callback envelope (see
// card-action-trigger-*.json).
func CardActionEvent(a CardAction) []byte {
	a.EventID = orDefault(a.EventID, newID(""))
	a.OperatorOpenID = orDefault(a.OperatorOpenID, newID("ou_"))
	a.MessageID = orDefault(a.MessageID, newID("om_"))
	a.ChatID = orDefault(a.ChatID, newID("oc_"))
	a.Tag = orDefault(a.Tag, "button")
	a.AppID = orDefault(a.AppID, "cli_test")
	if a.CreateTime.IsZero() {
		a.CreateTime = time.Now()
	}
	if a.Value == nil {
		a.Value = map[string]any{}
	}
	action := map[string]any{"value": a.Value, "tag": a.Tag, "name": a.Name, "timezone": "Asia/Shanghai"}
	if a.FormValue != nil {
		action["form_value"] = a.FormValue
	}
	// Card callbacks carry create_time in microseconds, unlike messages.
	us := strconv.FormatInt(a.CreateTime.UnixMicro(), 10)
	return mustJSON(map[string]any{
		"schema": "2.0",
		"header": eventHeader{a.EventID, "card.action.trigger", us, a.Token, a.AppID, defaultTenantKey},
		"event": map[string]any{
			"operator": map[string]string{"tenant_key": defaultTenantKey, "user_id": "", "open_id": a.OperatorOpenID, "union_id": ""},
			"token":    newID("c-"), // for delayed card updates
			"action":   action,
			"host":     "im_message",
			"context":  map[string]string{"open_message_id": a.MessageID, "open_chat_id": a.ChatID},
		},
	})
}

// URLVerification returns the plain url_verification request Feishu sends
// when a webhook URL is saved in the console.
func URLVerification(token, challenge string) []byte {
	return mustJSON(map[string]string{"challenge": challenge, "token": token, "type": "url_verification"})
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// mustJSON marshals an event. It fails only if a caller's Value or
// FormValue holds something JSON cannot encode, a bug in the test.
func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic("larktest: " + err.Error())
	}
	return b
}
