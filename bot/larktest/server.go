package larktest

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// Server is a fake Feishu Open API and long-connection gateway. Create it
// with NewServer and Close it when done.
type Server struct {
	ts        *httptest.Server
	appID     string
	appSecret string
	token     string
	perChat   int
	perApp    int
	now       func() time.Time

	mu         sync.Mutex
	changed    chan struct{} // closed and replaced on every state change; see notifyLocked
	closed     bool
	tokenCalls int
	sent       []Sent
	files      []File
	images     []Image             // im/v1/images (images.go)
	resources  map[string]Resource // message id + "/" + file key → a file users sent (resource.go)
	downloads  int
	dups       int
	limited    int
	uuids      map[string]uuidEntry
	msgs       map[string]msgInfo // message id -> where it lives, for replies
	chatHits   map[string][]time.Time
	appHits    []time.Time
	arrivals   []time.Time // every message call that reached the limits, admitted or not (ratelimit.go)
	failN      int
	failStatus int
	failCode   int
	down       bool
	stall      time.Duration  // SetStall: message answers held this long
	light      bool           // WithLightSends (light.go)
	rawContent map[int][]byte // light: index in sent → its content as sent, until resolveLocked

	// Calendar v4 (calendar.go)
	calendars  map[string]bool
	events     map[string]*Event
	eventOrder []string
	eventKeys  map[string]string // idempotency_key -> event id
	calCalls   []CalendarCall

	// gateway state, guarded by mu except writeMu
	conn    *websocket.Conn
	pending map[string]*pendingAck
	frameID uint64
	writeMu sync.Mutex // gorilla allows one writer at a time per connection
}

// Sent is one successful message call as the server received it.
type Sent struct {
	Method        string // POST or PATCH
	Path          string
	ReceiveIDType string // create: the query parameter; reply: that of the replied-to message, if known
	ReceiveID     string // create: receive_id; reply: that of the replied-to message, if known
	ReplyTo       string // reply: the message replied to
	MessageID     string // create/reply: the new message; patch: the patched message
	MsgType       string // empty for patch, which carries no msg_type
	Content       string // the content JSON string as sent
	UUID          string
	ReplyInThread bool
	At            time.Time
}

// File is one uploaded file.
type File struct {
	Key  string // the file_key returned
	Type string // file_type: opus, mp4, pdf, doc, xls, ppt or stream
	Name string
	Data []byte
}

// Option configures a Server.
type Option func(*Server)

// WithApp sets the app credentials the server accepts (default "cli_test" /
// "secret").
func WithApp(appID, appSecret string) Option {
	return func(s *Server) { s.appID, s.appSecret = appID, appSecret }
}

// WithRateLimits turns on Feishu's send limits: at most perChat calls per
// second per receive_id (Feishu: 5) and perApp per second for the app
// (Feishu: 50). Zero turns a limit off; both are off by default so that
// ordinary tests are not flaky.
func WithRateLimits(perChat, perApp int) Option {
	return func(s *Server) { s.perChat, s.perApp = perChat, perApp }
}

// WithClock sets the server's clock, used for rate-limit windows, uuid
// expiry and timestamps. The default is time.Now.
func WithClock(now func() time.Time) Option {
	return func(s *Server) { s.now = now }
}

// NewServer starts a fake Feishu server.
func NewServer(opts ...Option) *Server {
	s := &Server{
		appID:      "cli_test",
		appSecret:  "secret",
		now:        time.Now,
		changed:    make(chan struct{}),
		uuids:      map[string]uuidEntry{},
		msgs:       map[string]msgInfo{},
		chatHits:   map[string][]time.Time{},
		pending:    map[string]*pendingAck{},
		rawContent: map[int][]byte{},
	}
	for _, o := range opts {
		o(s)
	}
	// See doc.go: the SDK's token cache is global per app id, so the token
	// must be the same for every server with the same credentials.
	sum := sha256.Sum256([]byte("larktest|" + s.appID + "|" + s.appSecret))
	s.token = "t-" + hex.EncodeToString(sum[:20])

	mux := http.NewServeMux()
	mux.HandleFunc("POST /open-apis/auth/v3/tenant_access_token/internal", s.handleToken)
	mux.HandleFunc("POST /open-apis/im/v1/messages", s.auth(s.handleCreate))
	mux.HandleFunc("POST /open-apis/im/v1/messages/{message_id}/reply", s.auth(s.handleReply))
	mux.HandleFunc("PATCH /open-apis/im/v1/messages/{message_id}", s.auth(s.handlePatch))
	mux.HandleFunc("POST /open-apis/im/v1/files", s.auth(s.handleFile))
	s.routeCalendar(mux)
	s.routeResources(mux)
	s.routeImages(mux)
	mux.HandleFunc("POST /callback/ws/endpoint", s.handleEndpoint)
	mux.HandleFunc("GET /ws", s.handleWS)
	s.ts = httptest.NewServer(mux)
	return s
}

// URL is the base URL, for lark.WithOpenBaseUrl and larkws.WithDomain.
func (s *Server) URL() string { return s.ts.URL }

// Close closes the gateway connection and shuts the server down.
func (s *Server) Close() {
	s.mu.Lock()
	s.closed = true // refuse reconnects while shutting down
	c := s.conn
	s.mu.Unlock()
	if c != nil {
		c.Close()
	}
	s.ts.Close()
}

// TokenCalls is how many times the token endpoint was called.
func (s *Server) TokenCalls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tokenCalls
}

// Messages returns the successful message calls in arrival order.
func (s *Server) Messages() []Sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.resolveLocked()
	return append([]Sent(nil), s.sent...)
}

// Files returns the uploaded files in arrival order.
func (s *Server) Files() []File {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]File(nil), s.files...)
}

// DuplicateUUIDs is how many calls were answered from the uuid cache.
func (s *Server) DuplicateUUIDs() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.dups
}

// RateLimited is how many calls were rejected by a rate limit.
func (s *Server) RateLimited() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.limited
}

// WaitMessages waits until at least n messages are recorded and returns all
// of them; ok is false if the timeout passed first.
func (s *Server) WaitMessages(n int, timeout time.Duration) (msgs []Sent, ok bool) {
	s.wait(timeout, func() bool {
		s.resolveLocked()
		msgs = append([]Sent(nil), s.sent...)
		return len(msgs) >= n
	})
	return msgs, len(msgs) >= n
}

// WaitFor waits until a recorded message satisfies pred and returns the
// first such one. It also looks at messages recorded before the call, so
// make pred specific or call Reset first.
func (s *Server) WaitFor(pred func(Sent) bool, timeout time.Duration) (Sent, bool) {
	var found Sent
	ok := s.wait(timeout, func() bool {
		s.resolveLocked()
		for _, m := range s.sent {
			if pred(m) {
				found = m
				return true
			}
		}
		return false
	})
	return found, ok
}

// Reset forgets recorded messages and files, counters, the uuid cache,
// rate-limit windows and pending faults. The token and the gateway
// connection are kept, as they are state of the SDK client, not of a test.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sent, s.files, s.images = nil, nil, nil
	clear(s.rawContent)
	s.tokenCalls, s.dups, s.limited = 0, 0, 0
	s.uuids = map[string]uuidEntry{}
	s.msgs = map[string]msgInfo{}
	s.chatHits = map[string][]time.Time{}
	s.appHits, s.arrivals = nil, nil
	s.failN, s.down = 0, false
	s.notifyLocked()
}

// FailNext makes the next n message calls (create, reply, patch) and file
// uploads fail with httpStatus and code. Code 0 answers a plain-text body, which the SDK
// reports as a Go error rather than a response code.
func (s *Server) FailNext(n, httpStatus, code int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failN, s.failStatus, s.failCode = n, httpStatus, code
}

// SetDown makes every message call and upload answer 503 with a plain-text
// body until SetDown(false).
func (s *Server) SetDown(down bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.down = down
}

// SetStall makes every message create and reply be processed (recorded,
// its uuid remembered) and its answer then held for d, as when Feishu did
// the work but the answer is lost to a timeout; 0 ends it.
func (s *Server) SetStall(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stall = d
}

// notifyLocked wakes every waiter. A closed channel is a broadcast that
// sync.Cond cannot combine with a timeout or a context.
func (s *Server) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// wait calls cond under s.mu until it is true or timeout passes.
func (s *Server) wait(timeout time.Duration, cond func() bool) bool {
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		s.mu.Lock()
		ok, ch := cond(), s.changed
		s.mu.Unlock()
		if ok {
			return true
		}
		select {
		case <-ch:
		case <-timer.C:
			return false
		}
	}
}

// newID returns prefix followed by 32 random hex digits, the shape of
// Feishu's message and event ids.
func newID(prefix string) string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}
