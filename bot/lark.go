package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	larkcore "github.com/larksuite/oapi-sdk-go/v3/core"
	larkevent "github.com/larksuite/oapi-sdk-go/v3/event"
	"github.com/larksuite/oapi-sdk-go/v3/event/dispatcher"
	"github.com/larksuite/oapi-sdk-go/v3/event/dispatcher/callback"
	larkim "github.com/larksuite/oapi-sdk-go/v3/service/im/v1"
	larkws "github.com/larksuite/oapi-sdk-go/v3/ws"

	"github.com/qingchuan/xfbot"
)

// HandleTimeout bounds one event's handling. Feishu wants an answer within
// 3 s; an event not handled in time is refused and delivered again.
const HandleTimeout = 2500 * time.Millisecond

// LarkOptions configure the Feishu intake.
type LarkOptions struct {
	AppID, AppSecret  string
	BaseURL           string // Open API and long-connection endpoint
	BotOpenID         string // the bot's own open_id ("" = guess from the text)
	VerificationToken string
	EncryptKey        string
	AllowUnsigned     bool
	Now               func() time.Time
	Metrics           *Metrics
	Logger            *slog.Logger
}

// Lark turns Feishu events, from the long connection or the webhook, into
// Requests for the mux. Both transports share this one event dispatcher.
type Lark struct {
	mux       Server
	opt       LarkOptions
	d         *dispatcher.EventDispatcher
	connected atomic.Bool
	log       *slog.Logger
}

// NewLark returns the intake for mux: one district's Mux, or the Tenants
// that share the app.
func NewLark(mux Server, opt LarkOptions) *Lark {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	l := &Lark{mux: mux, opt: opt, log: opt.Logger}
	l.d = dispatcher.NewEventDispatcher(opt.VerificationToken, opt.EncryptKey).
		OnP2MessageReceiveV1(l.onMessage).
		OnP2CardActionTrigger(l.onCardAction).
		// Subscribed by most apps; acknowledged so that the long connection
		// does not answer 500 and trigger redelivery storms.
		OnP2MessageReadV1(func(context.Context, *larkim.P2MessageReadV1) error { return nil }).
		OnP2ChatMemberBotAddedV1(func(context.Context, *larkim.P2ChatMemberBotAddedV1) error { return nil })
	// Without InitConfig the dispatcher logs through a bare logger on stdout
	// with no level: every webhook request's headers and body at Debug
	// (plaintext personal data when unsigned), past slog and its level.
	l.d.InitConfig(larkevent.WithLogger(sdkLogger{l.log}), larkevent.WithLogLevel(larkcore.LogLevelInfo))
	return l
}

// SDKLogger is a larkcore.Logger that forwards the SDK's lines to slog and
// drops Debug, which carries raw requests and responses (personal data).
func SDKLogger(log *slog.Logger) larkcore.Logger { return sdkLogger{log} }

// sdkLogger forwards the SDK dispatcher's log lines to slog; Debug, which
// carries raw requests, is dropped.
type sdkLogger struct{ log *slog.Logger }

func (s sdkLogger) Debug(ctx context.Context, args ...any) {}
func (s sdkLogger) Info(ctx context.Context, args ...any)  { s.log.Info("lark: " + fmt.Sprint(args...)) }
func (s sdkLogger) Warn(ctx context.Context, args ...any)  { s.log.Warn("lark: " + fmt.Sprint(args...)) }
func (s sdkLogger) Error(ctx context.Context, args ...any) {
	s.log.Error("lark: " + fmt.Sprint(args...))
}

// Dispatcher is the SDK event dispatcher (for tests and the webhook).
func (l *Lark) Dispatcher() *dispatcher.EventDispatcher { return l.d }

// Connected reports whether the long connection is up (always true in
// webhook mode, where Feishu calls us).
func (l *Lark) Connected() bool { return l.connected.Load() }

func (l *Lark) onMessage(ctx context.Context, e *larkim.P2MessageReceiveV1) error {
	req, ok := l.messageRequest(e)
	if !ok {
		l.opt.Metrics.Event("im.message.receive_v1", "ignored")
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, HandleTimeout)
	defer cancel()
	if err := l.mux.ServeMessage(ctx, req); err != nil {
		l.opt.Metrics.Event("im.message.receive_v1", "error")
		l.log.Error("message not handled; Feishu will deliver it again", "message", req.MessageID, "err", err)
		return err
	}
	l.opt.Metrics.Event("im.message.receive_v1", "ok")
	return nil
}

// messageRequest converts a message event. It returns false for what the
// bot ignores: messages from bots and apps, and group messages that do not
// @ the bot.
func (l *Lark) messageRequest(e *larkim.P2MessageReceiveV1) (*Request, bool) {
	if e == nil || e.Event == nil || e.Event.Message == nil || e.Event.Sender == nil || e.Event.Sender.SenderId == nil {
		return nil, false
	}
	if t := larkcore.StringValue(e.Event.Sender.SenderType); t != "" && t != "user" {
		return nil, false
	}
	msg := e.Event.Message
	req := &Request{
		MessageID: larkcore.StringValue(msg.MessageId),
		ParentID:  larkcore.StringValue(msg.ParentId),
		RootID:    larkcore.StringValue(msg.RootId),
		ChatID:    larkcore.StringValue(msg.ChatId),
		Group:     larkcore.StringValue(msg.ChatType) != "p2p",
		Sender:    xfbot.Person{OpenID: larkcore.StringValue(e.Event.Sender.SenderId.OpenId)},
		Via:       ViaChat,
		Time:      l.opt.Now(),
	}
	// Feishu has delivered one message under two event ids; the message id
	// is what must have exactly one effect.
	req.EventID = "msg:" + req.MessageID
	if ms, err := strconv.ParseInt(larkcore.StringValue(msg.CreateTime), 10, 64); err == nil && ms > 0 {
		req.Time = time.UnixMilli(ms)
	}
	text, mentioned := "", false
	if larkcore.StringValue(msg.MessageType) == "text" {
		var c struct {
			Text string `json:"text"`
		}
		_ = json.Unmarshal([]byte(larkcore.StringValue(msg.Content)), &c)
		text, mentioned = l.resolveMentions(c.Text, msg.Mentions, req)
	} else if f := fileOf(msg); f != nil && !req.Group {
		// A file or image sent in a private chat: the import of a
		// spreadsheet (FileCommand), or an attachment of the case it comes
		// with (the mux decides: fileCommand).
		req.File, text = f, FileCommand
	} else if f != nil {
		// In a group a file or image is never kept nor forwarded (its rows
		// or its pictures carry personal data), only answered: Feishu lets
		// no file message @ the bot, so one replying to a message comes
		// through too, and is answered if that message is a case card.
		req.File, text = f, groupFileCommand
		for _, m := range msg.Mentions {
			if m.Id != nil && l.isBot(larkcore.StringValue(m.Id.OpenId)) {
				mentioned = true
			}
		}
		if l.opt.BotOpenID == "" && len(msg.Mentions) > 0 {
			mentioned = true
		}
		if !mentioned && (req.ParentID != "" || req.RootID != "") {
			mentioned, text = true, groupFileReplyCommand
		}
	} else {
		for _, m := range msg.Mentions {
			if m.Id != nil && l.isBot(larkcore.StringValue(m.Id.OpenId)) {
				mentioned = true
			}
		}
		if l.opt.BotOpenID == "" && len(msg.Mentions) > 0 {
			mentioned = true
		}
		text = nonTextCommand
	}
	if req.Group && !mentioned {
		return nil, false
	}
	req.Text = text
	return req, true
}

// fileOf reads a file message's content ({"file_key", "file_name"}) or an
// image message's ({"image_key"}); nil for any other message.
func fileOf(msg *larkim.EventMessage) *File {
	var c struct {
		Key   string `json:"file_key"`
		Name  string `json:"file_name"`
		Image string `json:"image_key"`
	}
	switch larkcore.StringValue(msg.MessageType) {
	case "file":
		if err := json.Unmarshal([]byte(larkcore.StringValue(msg.Content)), &c); err != nil || c.Key == "" {
			return nil
		}
		return &File{Key: c.Key, Name: c.Name, Kind: xfbot.AttachFile}
	case "image":
		if err := json.Unmarshal([]byte(larkcore.StringValue(msg.Content)), &c); err != nil || c.Image == "" {
			return nil
		}
		return &File{Key: c.Image, Kind: xfbot.AttachImage}
	}
	return nil
}

// nonTextCommand stands in for an image, file or rich-text message: the mux
// answers it with a reply that explains what the bot reads.
const nonTextCommand = "\x00non-text"

// groupFileCommand stands for a file or image sent in a group with the
// bot's @, groupFileReplyCommand for one without that replies to a
// message: the mux answers them (fileCommand), and keeps nothing.
const (
	groupFileCommand      = "\x00group-file"
	groupFileReplyCommand = "\x00group-file-reply"
)

func (l *Lark) isBot(openID string) bool { return l.opt.BotOpenID != "" && openID == l.opt.BotOpenID }

// resolveMentions removes the bot's @ from the text and turns every other
// @_user_N placeholder into @name, collecting the people in order. Without a
// configured bot id, a mention at the very start of a group message is taken
// as the bot's (Feishu delivers only messages that @ the bot to a group bot).
func (l *Lark) resolveMentions(text string, mentions []*larkim.MentionEvent, req *Request) (string, bool) {
	mentioned := false
	trimmed := strings.TrimSpace(text)
	for _, m := range mentions {
		key := larkcore.StringValue(m.Key)
		if key == "" {
			continue
		}
		id := ""
		if m.Id != nil {
			id = larkcore.StringValue(m.Id.OpenId)
		}
		name := larkcore.StringValue(m.Name)
		bot := l.isBot(id) || (l.opt.BotOpenID == "" && req.Group && !mentioned && strings.HasPrefix(trimmed, key))
		if bot {
			mentioned = true
			text = strings.Replace(text, key, "", 1)
			continue
		}
		text = strings.ReplaceAll(text, key, " @"+strings.ReplaceAll(name, " ", "")+" ")
		req.Mentions = append(req.Mentions, xfbot.Person{OpenID: id, Name: name})
	}
	return strings.TrimSpace(text), mentioned
}

func (l *Lark) onCardAction(ctx context.Context, e *callback.CardActionTriggerEvent) (*callback.CardActionTriggerResponse, error) {
	if e == nil || e.Event == nil || e.Event.Action == nil || e.Event.Operator == nil {
		return nil, nil
	}
	a := e.Event.Action
	req := &Request{
		Sender: xfbot.Person{OpenID: e.Event.Operator.OpenID},
		Via:    ViaCard,
		Time:   l.opt.Now(),
		Action: &Action{Value: flatten(a.Value), Form: flatten(a.FormValue)},
	}
	if e.EventV2Base != nil && e.EventV2Base.Header != nil {
		req.EventID = "card:" + e.EventV2Base.Header.EventID
	}
	if e.Event.Context != nil {
		req.MessageID, req.ChatID = e.Event.Context.OpenMessageID, e.Event.Context.OpenChatID
	}
	req.Action.Name = req.Action.Value["a"]
	ctx, cancel := context.WithTimeout(ctx, HandleTimeout)
	defer cancel()
	resp, err := l.mux.ServeAction(ctx, req)
	if err != nil {
		l.opt.Metrics.Event("card.action.trigger", "error")
		return nil, err
	}
	l.opt.Metrics.Event("card.action.trigger", "ok")
	out := &callback.CardActionTriggerResponse{}
	if resp.Toast != "" {
		out.Toast = &callback.Toast{Type: orDefault(resp.ToastKind, "info"), Content: resp.Toast}
	}
	if resp.Card != nil {
		js, err := resp.Card.JSON()
		if err != nil {
			return nil, err
		}
		out.Card = &callback.Card{Type: "raw", Data: json.RawMessage(js)}
	}
	return out, nil
}

// flatten turns callback values (any JSON) into strings.
func flatten(m map[string]any) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		switch x := v.(type) {
		case string:
			out[k] = x
		case nil:
		default:
			b, _ := json.Marshal(x)
			out[k] = string(b)
		}
	}
	return out
}

// RunWebsocket keeps the long connection to Feishu. The SDK client never
// returns and ignores ctx, so it runs in its own goroutine and this returns
// when ctx is done; the process exiting closes the connection.
func (l *Lark) RunWebsocket(ctx context.Context) error {
	cli := larkws.NewClient(l.opt.AppID, l.opt.AppSecret,
		larkws.WithEventHandler(l.d),
		larkws.WithDomain(l.opt.BaseURL),
		larkws.WithLogger(&wsLogger{l: l}),
		larkws.WithLogLevel(larkcore.LogLevelInfo))
	errc := make(chan error, 1)
	go func() { errc <- cli.Start(ctx) }()
	select {
	case <-ctx.Done():
		l.connected.Store(false)
		return nil
	case err := <-errc:
		l.connected.Store(false)
		if err != nil {
			return fmt.Errorf("bot: long connection: %w", err)
		}
		return nil
	}
}

// SetConnected marks the transport up; webhook mode is always up.
func (l *Lark) SetConnected(v bool) { l.connected.Store(v) }

// wsLogger forwards the SDK's log lines to slog and reads the connection state
// out of them: the ws client offers no other way to tell.
type wsLogger struct{ l *Lark }

func (w *wsLogger) line(args ...any) string { return strings.TrimSpace(fmt.Sprintln(args...)) }

func (w *wsLogger) track(s string) {
	switch {
	case strings.Contains(s, "connected to"):
		w.l.connected.Store(!strings.Contains(s, "disconnected"))
	case strings.Contains(s, "connect failed"), strings.Contains(s, "connection is closed"), strings.Contains(s, "receive message failed"):
		w.l.connected.Store(false)
	}
}

func (w *wsLogger) Debug(ctx context.Context, args ...any) {}
func (w *wsLogger) Info(ctx context.Context, args ...any) {
	s := w.line(args...)
	w.track(s)
	w.l.log.Info("lark ws: " + s)
}
func (w *wsLogger) Warn(ctx context.Context, args ...any) {
	s := w.line(args...)
	w.track(s)
	w.l.log.Warn("lark ws: " + s)
}
func (w *wsLogger) Error(ctx context.Context, args ...any) {
	s := w.line(args...)
	w.track(s)
	w.l.log.Error("lark ws: " + s)
}
