package main

// Webhook throughput as an outside client sees it: the bots run as processes
// of their own, as they are deployed, not as goroutines of the benchmark.
//
//	go test -run XXX -bench Proc -benchtime 3000x ./cmd/xfbot
//
// The rig, started once for the run and shared by both benchmarks:
//
//   - a redis-server of its own on a free port with appendonly yes and
//     appendfsync always (every write on disk before it is answered), in a
//     temporary directory: the durability a deployment runs with;
//   - `xfbot serve`, built with go build from this package, in webhook mode,
//     rate limits lifted (they cap production on purpose; this measures the
//     stack);
//   - the bare SDK echo bot (echoHandler), in a process of its own: this
//     test binary started again with XFBOT_PROCBENCH_CHILD=echo;
//   - the fake Feishu and the posters in this process (benchWebhook: 32
//     posters, each waiting for its reply before its next event).
//
// BenchmarkProcWebhookEcho and BenchmarkProcWebhookXfbot report events/s;
// their ratio is the figure issue 13 asks for. The in-process pair
// (BenchmarkWebhookEcho, BenchmarkWebhookXfbot) measures the same loop with
// everything in one process. Without redis-server on PATH the benchmarks
// are skipped.

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/qingchuan/xfbot/bot/larktest"
)

// procChildEnv makes this test binary the echo bot: its address and the
// fake's URL follow in the same variable ("echo <addr> <app id> <base url>").
const procChildEnv = "XFBOT_PROCBENCH_CHILD"

func TestMain(m *testing.M) {
	if v := os.Getenv(procChildEnv); v != "" {
		os.Exit(echoChild(v))
	}
	code := m.Run()
	rig.stop()
	os.Exit(code)
}

// echoChild serves the echo bot until SIGTERM.
func echoChild(spec string) int {
	f := strings.Fields(spec)
	if len(f) != 4 || f[0] != "echo" {
		fmt.Fprintf(os.Stderr, "%s: want \"echo <addr> <app id> <base url>\", got %q\n", procChildEnv, spec)
		return 2
	}
	srv := &http.Server{Addr: f[1], Handler: echoHandler(f[2], f[3]), ReadHeaderTimeout: 5 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	if err := srv.ListenAndServe(); err != nil && err != http.ErrServerClosed {
		fmt.Fprintln(os.Stderr, "echo bot:", err)
		return 1
	}
	return 0
}

// procRig is the processes of the run.
type procRig struct {
	once sync.Once
	err  error
	skip string

	appID string
	dir   string
	fake  *larktest.Server
	watch *replyWatch
	redis *exec.Cmd
	bot   *exec.Cmd
	echo  *exec.Cmd

	botURL, echoURL string
	cases           []string // one case per poster, for 进展
}

var rig procRig

// start brings the rig up once; every benchmark of the run shares it.
func (r *procRig) start(b *testing.B) {
	r.once.Do(func() { r.err = r.up(b) })
	if r.skip != "" {
		b.Skip(r.skip)
	}
	if r.err != nil {
		b.Fatal(r.err)
	}
}

func (r *procRig) up(b *testing.B) error {
	redisServer, err := exec.LookPath("redis-server")
	if err != nil {
		r.skip = "redis-server is not on PATH"
		return nil
	}
	if r.dir, err = os.MkdirTemp("", "xfbot-procbench-"); err != nil {
		return err
	}
	r.appID = uniqueAppID()
	r.fake = larktest.NewServer(larktest.WithApp(r.appID, e2eSecret))
	// newReplyWatch ties its proxy to a test's cleanup; the rig outlives
	// each benchmark, so its watch lives as long as the process.
	r.watch = newRigWatch(r.fake)

	// Redis, every write fsynced before it is answered.
	redisAddr := freeAddr(b)
	_, port, _ := strings.Cut(redisAddr, ":")
	r.redis = exec.Command(redisServer, "--bind", "127.0.0.1", "--port", port, "--dir", r.dir,
		"--save", "", "--appendonly", "yes", "--appendfsync", "always", "--daemonize", "no", "--loglevel", "warning")
	if r.redis.Stdout, err = os.Create(filepath.Join(r.dir, "redis.log")); err != nil {
		return err
	}
	r.redis.Stderr = r.redis.Stdout
	if err := r.redis.Start(); err != nil {
		return fmt.Errorf("redis-server: %w", err)
	}
	rdb := redis.NewClient(&redis.Options{Addr: redisAddr})
	defer rdb.Close()
	if !waitFor(func() bool { return rdb.Ping(context.Background()).Err() == nil }) {
		log, _ := os.ReadFile(filepath.Join(r.dir, "redis.log"))
		return fmt.Errorf("redis-server on %s did not answer:\n%s", redisAddr, log)
	}

	// xfbot serve, the binary.
	bin := filepath.Join(r.dir, "xfbot")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("go build: %w", err)
	}
	botAddr := freeAddr(b)
	r.botURL = "http://" + botAddr
	env := map[string]string{
		"XFBOT_LARK_APP_ID":             r.appID,
		"XFBOT_LARK_APP_SECRET":         e2eSecret,
		"XFBOT_LARK_BASE_URL":           r.watch.URL,
		"XFBOT_LARK_MODE":               "webhook",
		"XFBOT_LARK_VERIFICATION_TOKEN": e2eToken,
		"XFBOT_LARK_ENCRYPT_KEY":        e2eEncryptKey,
		"XFBOT_LARK_BOT_OPEN_ID":        e2eBot,
		"XFBOT_HTTP_ADDR":               botAddr,
		"XFBOT_REDIS_ADDR":              redisAddr,
		"XFBOT_REDIS_PREFIX":            "procbench",
		"XFBOT_ADMINS":                  e2eAdmin,
		"XFBOT_SENDER_RATE_LIMIT":       "off", // the bot, not the limiter
		"XFBOT_LOG_LEVEL":               "warn",
	}
	r.bot = exec.Command(bin, "serve")
	r.bot.Env = append(os.Environ(), environOf(env)...)
	// Warnings and errors only (XFBOT_LOG_LEVEL), on the benchmark's stderr.
	r.bot.Stdout, r.bot.Stderr = os.Stderr, os.Stderr
	if err := r.bot.Start(); err != nil {
		return fmt.Errorf("xfbot serve: %w", err)
	}
	if !waitFor(func() bool { code, _ := getJSON(r.botURL+"/healthz", nil); return code == http.StatusOK }) {
		return fmt.Errorf("xfbot serve: /healthz did not answer 200")
	}

	// The echo bot: this binary again.
	echoAddr := freeAddr(b)
	r.echoURL = "http://" + echoAddr
	self, err := os.Executable()
	if err != nil {
		return err
	}
	r.echo = exec.Command(self, "-test.run=^$")
	r.echo.Env = append(os.Environ(), procChildEnv+"=echo "+echoAddr+" "+r.appID+" "+r.watch.URL)
	r.echo.Stdout, r.echo.Stderr = os.Stderr, os.Stderr
	if err := r.echo.Start(); err != nil {
		return fmt.Errorf("echo bot: %w", err)
	}
	if !waitFor(func() bool {
		c, err := net.DialTimeout("tcp", echoAddr, time.Second)
		if err == nil {
			c.Close()
		}
		return err == nil
	}) {
		return fmt.Errorf("echo bot on %s did not come up", echoAddr)
	}

	// A case for each poster to record progress on.
	f := newFeishu(b, r.fake, &xfbotProc{URL: r.botURL}, env)
	r.cases = make([]string, benchPosters)
	for i := range r.cases {
		s := f.say(larktest.Message{ChatID: benchChat(i), Text: fmt.Sprintf("新建 压测案件%d 类别:住房保障 信访人:%s 电话:%s", i, e2ePetitioner, e2ePhone)})
		if r.cases[i] = caseNoRE.FindString(s.Content); r.cases[i] == "" {
			return fmt.Errorf("新建 reply has no case number: %s", s.Content)
		}
	}
	return nil
}

// stop ends the processes (SIGTERM, then a kill after 10 s) and removes the
// directory.
func (r *procRig) stop() {
	for _, c := range []*exec.Cmd{r.echo, r.bot, r.redis} {
		if c == nil || c.Process == nil {
			continue
		}
		_ = c.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = c.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = c.Process.Kill()
			<-done
		}
	}
	if r.fake != nil {
		r.fake.Close()
	}
	if r.dir != "" {
		_ = os.RemoveAll(r.dir)
	}
}

// newRigWatch is newReplyWatch for the rig, which outlives one benchmark.
func newRigWatch(fake *larktest.Server) *replyWatch {
	return newReplyWatch(&rigTB{}, fake)
}

// rigTB is the testing.TB the rig's watch is made with: its cleanups run
// never (the process ends with the run), its failures panic (there are none
// once the fake is up).
type rigTB struct{ testing.TB }

func (*rigTB) Helper()                         {}
func (*rigTB) Cleanup(func())                  {}
func (*rigTB) Fatal(args ...any)               { panic(fmt.Sprint(args...)) }
func (*rigTB) Fatalf(format string, a ...any)  { panic(fmt.Sprintf(format, a...)) }
func (*rigTB) Errorf(format string, a ...any)  { panic(fmt.Sprintf(format, a...)) }
func (*rigTB) Logf(format string, args ...any) {}

// waitFor polls ok every 50 ms for up to 20 s.
func waitFor(ok func() bool) bool {
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if ok() {
			return true
		}
		time.Sleep(50 * time.Millisecond)
	}
	return false
}

// BenchmarkProcWebhookEcho: the bare SDK echo bot in a process of its own.
func BenchmarkProcWebhookEcho(b *testing.B) {
	rig.start(b)
	benchWebhook(b, rig.echoURL, rig.fake, rig.watch, func(poster, n int) larktest.Message {
		return larktest.Message{
			ChatID: benchChat(poster), SenderOpenID: e2eAdmin, AppID: rig.appID, Token: e2eToken,
			Text: fmt.Sprintf("第 %d 条消息", n),
		}
	})
}

// BenchmarkProcWebhookXfbot: `xfbot serve` as a process, Redis fsyncing
// every write; each poster records 进展 on a case of its own.
func BenchmarkProcWebhookXfbot(b *testing.B) {
	rig.start(b)
	benchWebhook(b, rig.botURL+"/lark/events", rig.fake, rig.watch, func(poster, n int) larktest.Message {
		return larktest.Message{
			ChatID: benchChat(poster), SenderOpenID: e2eAdmin, AppID: rig.appID, Token: e2eToken,
			Text: fmt.Sprintf("进展 %s 第 %d 次约谈信访人，已答复诉求", rig.cases[poster], n),
		}
	})
	msgs := rig.fake.Messages()
	if last := msgs[len(msgs)-1]; !strings.Contains(cardText(last.Content), "已记录进展") {
		b.Fatalf("the last reply is not a recorded progress: %s", last.Content)
	}
}
