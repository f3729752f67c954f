package larktest

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/gorilla/websocket"
	larkws "github.com/larksuite/oapi-sdk-go/v3/ws"
)

// serviceID is the service_id in the endpoint URL; the client echoes it in
// its pings.
const serviceID = 7

// clientConfig is sent with the endpoint and in every pong. The client
// applies it wholesale: a zero PingInterval would make it ping in a busy
// loop, and the short reconnect settings let a test see a reconnect within
// about two seconds instead of Feishu's two minutes.
var clientConfig = &larkws.ClientConfig{
	ReconnectCount:    -1,
	ReconnectInterval: 1,
	ReconnectNonce:    1,
	PingInterval:      30,
}

// ErrClosed is returned by PushEvent when the server is closed or the
// connection drops before the client acknowledges the event.
var ErrClosed = errors.New("larktest: gateway connection closed")

// Ack is the client's answer to a pushed event.
type Ack struct {
	Code int    // 200, or 500 when the handler failed or no handler is registered
	Data []byte // a callback's response JSON (decoded from base64); nil for plain events
}

type pendingAck struct {
	conn *websocket.Conn
	ch   chan Ack // closed if conn drops first
}

var upgrader = websocket.Upgrader{}

func (s *Server) handleEndpoint(w http.ResponseWriter, r *http.Request) {
	var req struct{ AppID, AppSecret string }
	_ = json.NewDecoder(r.Body).Decode(&req)
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	if closed {
		// Non-200 is a ServerError to the SDK: it keeps retrying.
		http.Error(w, "closed", http.StatusServiceUnavailable)
		return
	}
	if req.AppID != s.appID || req.AppSecret != s.appSecret {
		// Any code but 0, 1 and 1000040343 is a ClientError: the SDK gives
		// up for good, as it would with bad credentials at Feishu.
		writeJSON(w, http.StatusOK, map[string]any{"code": codeInvalidParam, "msg": "invalid app_id or app_secret"})
		return
	}
	writeJSON(w, http.StatusOK, larkws.EndpointResp{
		Code: 0, Msg: "ok",
		Data: &larkws.Endpoint{
			Url:          "ws://" + r.Host + "/ws?device_id=dev1&service_id=" + strconv.Itoa(serviceID),
			ClientConfig: clientConfig,
		},
	})
}

func (s *Server) handleWS(w http.ResponseWriter, r *http.Request) {
	c, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return // Upgrade has answered
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		c.Close()
		return
	}
	old := s.conn
	s.conn = c
	s.notifyLocked()
	s.mu.Unlock()
	if old != nil {
		old.Close() // latest wins; its read loop cleans up
	}
	s.readLoop(c)
}

// readLoop answers pings and routes acks until c fails.
func (s *Server) readLoop(c *websocket.Conn) {
	defer func() {
		c.Close()
		s.mu.Lock()
		if s.conn == c {
			s.conn = nil
		}
		for id, p := range s.pending {
			if p.conn == c {
				close(p.ch)
				delete(s.pending, id)
			}
		}
		s.notifyLocked()
		s.mu.Unlock()
	}()
	for {
		mt, data, err := c.ReadMessage()
		if err != nil {
			return
		}
		var f larkws.Frame
		if mt != websocket.BinaryMessage || f.Unmarshal(data) != nil {
			continue
		}
		hs := larkws.Headers(f.Headers)
		switch larkws.FrameType(f.Method) {
		case larkws.FrameTypeControl:
			if hs.GetString(larkws.HeaderType) == string(larkws.MessageTypePing) {
				cfg, _ := json.Marshal(clientConfig)
				pong := larkws.Frame{
					Service: f.Service,
					Method:  int32(larkws.FrameTypeControl),
					Headers: []larkws.Header{{Key: larkws.HeaderType, Value: string(larkws.MessageTypePong)}},
					Payload: cfg,
				}
				if s.write(c, &pong) != nil {
					return
				}
			}
		case larkws.FrameTypeData:
			var resp larkws.Response
			_ = json.Unmarshal(f.Payload, &resp)
			s.mu.Lock()
			p := s.pending[hs.GetString(larkws.HeaderMessageID)]
			delete(s.pending, hs.GetString(larkws.HeaderMessageID))
			s.mu.Unlock()
			if p != nil {
				p.ch <- Ack{Code: resp.StatusCode, Data: resp.Data}
			}
		}
	}
}

func (s *Server) write(c *websocket.Conn, f *larkws.Frame) error {
	b, err := f.Marshal()
	if err != nil {
		return err
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	// A real deadline, not the injected clock: this guards socket I/O.
	_ = c.SetWriteDeadline(time.Now().Add(5 * time.Second))
	return c.WriteMessage(websocket.BinaryMessage, b)
}

// WaitConnected waits until a client holds the gateway connection.
func (s *Server) WaitConnected(timeout time.Duration) bool {
	return s.wait(timeout, func() bool { return s.conn != nil })
}

// PushEvent sends payload (an event envelope such as MessageEvent returns)
// to the connected client as one data frame and waits for its ack. It waits
// for a connection first if there is none. It fails with ctx's error or
// ErrClosed. The event is also passed to ObserveEvent.
func (s *Server) PushEvent(ctx context.Context, payload []byte) (Ack, error) {
	s.ObserveEvent(payload)
	var c *websocket.Conn
	for {
		s.mu.Lock()
		conn, closed, changed := s.conn, s.closed, s.changed
		s.mu.Unlock()
		if conn != nil {
			c = conn
			break
		}
		if closed {
			return Ack{}, ErrClosed
		}
		select {
		case <-ctx.Done():
			return Ack{}, ctx.Err()
		case <-changed:
		}
	}
	id := newID("msg_")
	p := &pendingAck{conn: c, ch: make(chan Ack, 1)}
	s.mu.Lock()
	s.frameID++
	seq := s.frameID
	s.pending[id] = p
	now := s.now()
	s.mu.Unlock()
	forget := func() {
		s.mu.Lock()
		delete(s.pending, id)
		s.mu.Unlock()
	}
	f := larkws.Frame{
		SeqID: seq, LogID: seq, Service: serviceID, Method: int32(larkws.FrameTypeData),
		Headers: []larkws.Header{
			{Key: larkws.HeaderType, Value: string(larkws.MessageTypeEvent)},
			{Key: larkws.HeaderMessageID, Value: id},
			{Key: larkws.HeaderSum, Value: "1"},
			{Key: larkws.HeaderSeq, Value: "0"},
			{Key: larkws.HeaderTraceID, Value: newID("trace_")},
			{Key: larkws.HeaderTimestamp, Value: strconv.FormatInt(now.UnixMilli(), 10)},
		},
		Payload: payload,
	}
	if err := s.write(c, &f); err != nil {
		forget()
		return Ack{}, err
	}
	select {
	case ack, ok := <-p.ch:
		if !ok {
			return Ack{}, ErrClosed
		}
		return ack, nil
	case <-ctx.Done():
		forget()
		return Ack{}, ctx.Err()
	}
}

// ObserveEvent tells the server which chat the messages in an event belong
// to, so that later replies to them are recorded with that chat as
// ReceiveID and share its rate-limit window. PushEvent calls it; call it
// yourself for events delivered by webhook.
func (s *Server) ObserveEvent(payload []byte) {
	var env struct {
		Header struct {
			EventType string `json:"event_type"`
		} `json:"header"`
		Event struct {
			Sender struct {
				SenderID struct {
					OpenID string `json:"open_id"`
				} `json:"sender_id"`
			} `json:"sender"`
			Message struct {
				MessageID string `json:"message_id"`
				RootID    string `json:"root_id"`
				ChatID    string `json:"chat_id"`
				ChatType  string `json:"chat_type"`
			} `json:"message"`
			Context struct {
				MessageID string `json:"open_message_id"`
				ChatID    string `json:"open_chat_id"`
			} `json:"context"`
		} `json:"event"`
	}
	if json.Unmarshal(payload, &env) != nil {
		return
	}
	var id string
	var info msgInfo
	switch env.Header.EventType {
	case "im.message.receive_v1":
		m := env.Event.Message
		id = m.MessageID
		info = msgInfo{chatID: m.ChatID, recvType: "chat_id", recvID: m.ChatID, rateKey: m.ChatID, rootID: m.RootID}
		if m.ChatType == "p2p" && env.Event.Sender.SenderID.OpenID != "" {
			// Feishu limits direct messages per user; sends to the user's
			// open_id share the window.
			info.rateKey = env.Event.Sender.SenderID.OpenID
		}
	case "card.action.trigger":
		c := env.Event.Context
		id = c.MessageID
		info = msgInfo{chatID: c.ChatID, recvType: "chat_id", recvID: c.ChatID, rateKey: c.ChatID}
	}
	if id == "" || info.chatID == "" {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, known := s.msgs[id]; !known { // a card we sent knows better
		s.msgs[id] = info
	}
}
