package testredis

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// Process is a redis-server of a test's own, on a free loopback port, in
// a temporary directory: for what a shared server cannot show (a replica,
// a server killed mid-test, persistence).
type Process struct {
	Addr string
	Dir  string
	t    testing.TB
	bin  string
	args []string
	log  *os.File
	cmd  *exec.Cmd
}

// StartServer starts redis-server with args added to its defaults
// (loopback, a free port, no persistence unless args ask for it), waits
// until it answers, and stops it (kill -9) at the test's end. It skips the
// test when redis-server is not on PATH.
func StartServer(t testing.TB, args ...string) *Process {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("redis-server is not on PATH")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	_, port, _ := strings.Cut(addr, ":")
	p := &Process{Addr: addr, Dir: t.TempDir(), t: t, bin: bin}
	p.args = append([]string{"--bind", "127.0.0.1", "--port", port, "--dir", p.Dir, "--save", "", "--appendonly", "no",
		"--daemonize", "no", "--loglevel", "warning"}, args...)
	if p.log, err = os.Create(filepath.Join(p.Dir, "redis.log")); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Kill(); p.log.Close() })
	p.start()
	return p
}

// start runs the server and waits until it answers.
func (p *Process) start() {
	p.t.Helper()
	p.cmd = exec.Command(p.bin, p.args...)
	p.cmd.Stdout, p.cmd.Stderr = p.log, p.log
	if err := p.cmd.Start(); err != nil {
		p.t.Fatalf("redis-server: %v", err)
	}
	rdb := redis.NewClient(&redis.Options{Addr: p.Addr})
	defer rdb.Close()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if rdb.Ping(context.Background()).Err() == nil {
			return
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(p.Dir, "redis.log"))
			p.t.Fatalf("redis-server on %s did not answer in 10 s:\n%s", p.Addr, log)
		}
	}
}

// Restart starts the server again, on the same port and directory (with
// persistence on, it loads what it had written), after a Kill.
func (p *Process) Restart() {
	p.t.Helper()
	p.start()
}

// Kill stops the server at once (SIGKILL), as a crash would.
func (p *Process) Kill() {
	if p.cmd.Process != nil {
		_ = p.cmd.Process.Kill()
		_ = p.cmd.Wait()
	}
}
