package main

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/qingchuan/xfbot/bot"
	"github.com/qingchuan/xfbot/internal/testredis"
	"github.com/qingchuan/xfbot/store"
)

// The server's timeouts are shown with small ones and a generous bound: the
// test asserts that the server closed the connection, never how fast.
const closeBound = 20 * time.Second

func TestHTTPServerDefaults(t *testing.T) {
	srv := newHTTPServer(http.NotFoundHandler(), defaultHTTPTimeouts)
	for name, d := range map[string]time.Duration{"ReadHeaderTimeout": srv.ReadHeaderTimeout, "ReadTimeout": srv.ReadTimeout,
		"WriteTimeout": srv.WriteTimeout, "IdleTimeout": srv.IdleTimeout} {
		if d <= 0 {
			t.Errorf("%s is %v: a slow client could hold a connection for ever", name, d)
		}
	}
	if srv.WriteTimeout <= bot.HandleTimeout || srv.ReadTimeout <= srv.ReadHeaderTimeout {
		t.Errorf("write %v must leave a handler its %v, read %v must exceed read-header %v",
			srv.WriteTimeout, bot.HandleTimeout, srv.ReadTimeout, srv.ReadHeaderTimeout)
	}
	if srv.MaxHeaderBytes <= 0 || srv.MaxHeaderBytes > 1<<20 {
		t.Errorf("MaxHeaderBytes %d", srv.MaxHeaderBytes)
	}
}

// slowServer serves the webhook (allowing unsigned events) and GET /ping
// with newHTTPServer and small timeouts, on a real listener.
func slowServer(t *testing.T) string {
	t.Helper()
	rdb, prefix := testredis.New(t)
	intake := bot.NewLark(bot.NewMux(store.New(rdb, prefix), bot.MuxOptions{}), bot.LarkOptions{AllowUnsigned: true})
	mux := http.NewServeMux()
	mux.Handle("POST "+bot.WebhookPath, intake)
	mux.HandleFunc("GET /ping", func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "pong") })
	srv := newHTTPServer(mux, httpTimeouts{ReadHeader: 200 * time.Millisecond, Read: 300 * time.Millisecond,
		Write: 2 * time.Second, Idle: 300 * time.Millisecond})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return ln.Addr().String()
}

// waitClosed reads c until the server closes it and returns what it read.
// It fails the test if the connection is still open after closeBound.
func waitClosed(t *testing.T, c net.Conn) string {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(closeBound))
	var got strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := c.Read(buf)
		got.Write(buf[:n])
		var ne net.Error
		switch {
		case err == nil:
			continue
		case errors.Is(err, io.EOF), errors.Is(err, syscall.ECONNRESET):
			return got.String()
		case errors.As(err, &ne) && ne.Timeout():
			t.Fatalf("the server kept the connection open for %v; read so far %q", closeBound, got.String())
		default:
			t.Fatalf("read: %v", err)
		}
	}
}

func TestHTTPServerCutsOffSlowClients(t *testing.T) {
	addr := slowServer(t)
	dial := func(t *testing.T) net.Conn {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = c.Close() })
		return c
	}

	t.Run("TrickledBody", func(t *testing.T) {
		c := dial(t)
		if _, err := io.WriteString(c, "POST "+bot.WebhookPath+" HTTP/1.1\r\nHost: xfbot\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"); err != nil {
			t.Fatal(err)
		}
		stop := make(chan struct{})
		defer close(stop)
		go func() { // one byte every 20 ms: the body would take half an hour
			tick := time.NewTicker(20 * time.Millisecond)
			defer tick.Stop()
			for {
				select {
				case <-stop:
					return
				case <-tick.C:
					if _, err := io.WriteString(c, " "); err != nil {
						return
					}
				}
			}
		}()
		got := waitClosed(t, c)
		if got != "" && !strings.HasPrefix(got, "HTTP/1.1 400") {
			t.Errorf("answer to a trickled body: %q, want 400 or none", got)
		}
	})

	t.Run("IdleAfterRequest", func(t *testing.T) {
		c := dial(t)
		if _, err := io.WriteString(c, "GET /ping HTTP/1.1\r\nHost: xfbot\r\n\r\n"); err != nil {
			t.Fatal(err)
		}
		_ = c.SetReadDeadline(time.Now().Add(closeBound))
		br := bufio.NewReader(c)
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || string(body) != "pong" || resp.Close {
			t.Fatalf("first request: %d %q close=%v, want a kept-alive 200 pong", resp.StatusCode, body, resp.Close)
		}
		// Nothing more is sent: the server must close the idle connection.
		if _, err := br.ReadByte(); !errors.Is(err, io.EOF) && !errors.Is(err, syscall.ECONNRESET) {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				t.Fatalf("the server kept an idle connection open for %v", closeBound)
			}
			t.Fatalf("read after the answer: %v", err)
		}
	})

	t.Run("HeadersNeverFinished", func(t *testing.T) {
		c := dial(t)
		if _, err := io.WriteString(c, "POST "+bot.WebhookPath+" HTTP/1.1\r\nHost: xfbot\r\n"); err != nil {
			t.Fatal(err)
		}
		if got := waitClosed(t, c); got != "" && !strings.HasPrefix(got, "HTTP/1.1 4") {
			t.Errorf("answer to unfinished headers: %q", got)
		}
	})

	t.Run("BodyOverOneMiB", func(t *testing.T) {
		c := dial(t)
		head := "POST " + bot.WebhookPath + " HTTP/1.1\r\nHost: xfbot\r\nContent-Length: 1048577\r\n\r\n"
		go func() { _, _ = io.WriteString(c, head+strings.Repeat(" ", 1<<20+1)) }()
		_ = c.SetReadDeadline(time.Now().Add(closeBound))
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			if errors.Is(err, syscall.ECONNRESET) {
				return // closed before the answer could be read: refused all the same
			}
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("a body over 1 MiB answered %d, want 400", resp.StatusCode)
		}
	})
}
