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
//     posters, each waiting for its reply before its next event). The fake
//     takes sends light (larktest.WithLightSends: bodies scanned, contents
//     neither decoded nor validated, answers of Feishu's shape with the
//     content echoed as sent), for both bots: its CPU is the bots' cores'.
//
// BenchmarkProcWebhookEcho and BenchmarkProcWebhookXfbot report events/s;
// their ratio is the figure issue 13 asks for, which BenchmarkProcWebhookRatio
// measures with the two taken by turns. The in-process pair
// (BenchmarkWebhookEcho, BenchmarkWebhookXfbot) measures the same loop with
// everything in one process. Without redis-server on PATH the benchmarks
// are skipped.
//
// Each also reports the CPU time per event of each process (bot-cpu-us for
// the bot, all its replicas together; redis-cpu-us; rig-cpu-us for this
// process: the posters, the fake Feishu and its proxy), read from /proc: on
// a machine whose cores are all busy, events/s follows the CPU an event
// costs, and these say where it goes.
//
// Two variables change the rig:
//
//	XFBOT_PROCBENCH_REPLICAS=3            that many `xfbot serve` processes on the one Redis
//	                                      (the events go to them in turn, as a load balancer would)
//	XFBOT_PROCBENCH_CLUSTER=host:port,…   the Redis Cluster at these seeds instead of a
//	                                      redis-server of its own (its fsync policy is the cluster's)
//
// XFBOT_PROCBENCH_BIN=path runs that xfbot binary instead of building this
// package's (a build of another commit, to compare).
//
// XFBOT_PROCBENCH_ECHO_POOLED=1 gives the echo bot a pooled HTTP client
// instead of the SDK's default (http.DefaultClient: two idle connections per
// host, so that with 32 replies in flight it opens connections as it goes).
//
// A pprof endpoint on each replica (port 0 picks none): build with
// XFBOT_PROCBENCH_PPROF=127.0.0.1:6060 (replica i listens on port+i; the
// binary is built with -tags procbench_pprof, see pprof_procbench.go).

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/qingchuan/xfbot/bot/larktest"
	"github.com/qingchuan/xfbot/internal/testredis"
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
	once  sync.Once
	err   error
	skip  string
	mu    sync.Mutex
	flush func() // deletes the run's keys on a cluster

	appID string
	dir   string
	fake  *larktest.Server
	watch *replyWatch
	redis *exec.Cmd
	bots  []*exec.Cmd
	echo  *exec.Cmd

	redisPIDs []int // the redis-server processes: its own, or the cluster's masters

	botURLs []string // one per replica
	echoURL string
	cases   []string // one case per poster, for 进展
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
	// Light sends: the fake runs in this process, on the bots' cores, and
	// a card's full decode and re-encode here (400–550 µs a reply) is CPU
	// Feishu spends on its own machines, not the bot's. Both bots are
	// answered alike.
	r.fake = larktest.NewServer(larktest.WithApp(r.appID, e2eSecret), larktest.WithLightSends())
	// newReplyWatch ties its proxy to a test's cleanup; the rig outlives
	// each benchmark, so its watch lives as long as the process.
	r.watch = newRigWatch(r.fake)

	// Redis, every write fsynced before it is answered; or the cluster.
	redisEnv := map[string]string{}
	if seeds := os.Getenv("XFBOT_PROCBENCH_CLUSTER"); seeds != "" {
		prefix := "procbench_" + randHex(4)
		redisEnv = map[string]string{"XFBOT_REDIS_ADDR": seeds, "XFBOT_REDIS_CLUSTER": "1", "XFBOT_REDIS_PREFIX": prefix}
		rdb := redis.NewClusterClient(&redis.ClusterOptions{Addrs: testredis.Seeds(seeds)})
		defer rdb.Close()
		err := rdb.ForEachMaster(context.Background(), func(ctx context.Context, c *redis.Client) error {
			info, err := c.Info(ctx, "server").Result()
			if err != nil {
				return err
			}
			if pid := infoField(info, "process_id"); pid != "" {
				n, _ := strconv.Atoi(pid)
				r.mu.Lock()
				r.redisPIDs = append(r.redisPIDs, n)
				r.mu.Unlock()
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("cluster at %s: %w", seeds, err)
		}
		r.flush = func() {
			c := testredis.Dial(seeds, true)
			defer c.Close()
			testredis.Flush(&rigTB{}, c, prefix)
		}
	} else {
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
		r.redisPIDs = []int{r.redis.Process.Pid}
		rdb := redis.NewClient(&redis.Options{Addr: redisAddr})
		defer rdb.Close()
		if !waitFor(func() bool { return rdb.Ping(context.Background()).Err() == nil }) {
			log, _ := os.ReadFile(filepath.Join(r.dir, "redis.log"))
			return fmt.Errorf("redis-server on %s did not answer:\n%s", redisAddr, log)
		}
		redisEnv = map[string]string{"XFBOT_REDIS_ADDR": redisAddr, "XFBOT_REDIS_PREFIX": "procbench"}
	}

	// xfbot serve, the binary: one process per replica.
	replicas := 1
	if v := os.Getenv("XFBOT_PROCBENCH_REPLICAS"); v != "" {
		if replicas, err = strconv.Atoi(v); err != nil || replicas < 1 {
			return fmt.Errorf("XFBOT_PROCBENCH_REPLICAS=%q: want a number ≥ 1", v)
		}
	}
	pprofAddr := os.Getenv("XFBOT_PROCBENCH_PPROF")
	bin := filepath.Join(r.dir, "xfbot")
	args := []string{"build", "-o", bin}
	if pprofAddr != "" {
		args = append(args, "-tags", "procbench_pprof")
	}
	if prebuilt := os.Getenv("XFBOT_PROCBENCH_BIN"); prebuilt != "" {
		bin = prebuilt // another build of xfbot, to compare with this one
	} else {
		build := exec.Command("go", append(args, ".")...)
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			return fmt.Errorf("go build: %w", err)
		}
	}
	env := map[string]string{
		"XFBOT_LARK_APP_ID":             r.appID,
		"XFBOT_LARK_APP_SECRET":         e2eSecret,
		"XFBOT_LARK_BASE_URL":           r.watch.URL,
		"XFBOT_LARK_MODE":               "webhook",
		"XFBOT_LARK_VERIFICATION_TOKEN": e2eToken,
		"XFBOT_LARK_ENCRYPT_KEY":        e2eEncryptKey,
		"XFBOT_LARK_BOT_OPEN_ID":        e2eBot,
		"XFBOT_ADMINS":                  e2eAdmin,
		"XFBOT_SENDER_RATE_LIMIT":       "off", // the bot, not the limiter
		"XFBOT_LOG_LEVEL":               "warn",
	}
	for k, v := range redisEnv {
		env[k] = v
	}
	for i := range replicas {
		botAddr := freeAddr(b)
		env["XFBOT_HTTP_ADDR"] = botAddr
		url := "http://" + botAddr
		bot := exec.Command(bin, "serve")
		bot.Env = append(os.Environ(), environOf(env)...)
		if pprofAddr != "" {
			host, port, _ := strings.Cut(pprofAddr, ":")
			p, _ := strconv.Atoi(port)
			bot.Env = append(bot.Env, fmt.Sprintf("XFBOT_PPROF_ADDR=%s:%d", host, p+i))
		}
		// Warnings and errors only (XFBOT_LOG_LEVEL), on the benchmark's stderr.
		bot.Stdout, bot.Stderr = os.Stderr, os.Stderr
		if err := bot.Start(); err != nil {
			return fmt.Errorf("xfbot serve: %w", err)
		}
		r.bots = append(r.bots, bot)
		if !waitFor(func() bool { code, _ := getJSON(url+"/healthz", nil); return code == http.StatusOK }) {
			return fmt.Errorf("xfbot serve: /healthz did not answer 200")
		}
		r.botURLs = append(r.botURLs, url+"/lark/events")
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
	f := newFeishu(b, r.fake, &xfbotProc{URL: strings.TrimSuffix(r.botURLs[0], "/lark/events")}, env)
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
	for _, c := range append(append([]*exec.Cmd{r.echo}, r.bots...), r.redis) {
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
	if r.flush != nil {
		r.flush()
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

// BenchmarkProcWebhookRatio drives both bots by turns, procRatioRound
// events to the echo bot, as many to xfbot, again and again until each had
// b.N, and reports each one's events/s over its own rounds and their ratio
// (ratio = xfbot / echo). On a shared machine whose load changes from one
// second to the next, the two separate benchmarks run tens of seconds apart
// and their ratio swings with the neighbours' load (0.37–0.77 in one hour);
// taken by turns, both see the same load.
func BenchmarkProcWebhookRatio(b *testing.B) {
	rig.start(b)
	client := benchClient()
	defer client.CloseIdleConnections()
	echoMsg := func(poster, n int) larktest.Message {
		return larktest.Message{
			ChatID: benchChat(poster), SenderOpenID: e2eAdmin, AppID: rig.appID, Token: e2eToken,
			Text: fmt.Sprintf("第 %d 条消息", n),
		}
	}
	botMsg := func(poster, n int) larktest.Message {
		return larktest.Message{
			ChatID: benchChat(poster), SenderOpenID: e2eAdmin, AppID: rig.appID, Token: e2eToken,
			Text: fmt.Sprintf("进展 %s 第 %d 次约谈信访人，已答复诉求", rig.cases[poster], n),
		}
	}
	var echoTook, botTook time.Duration
	var echoCPU, botCPU [3]time.Duration // bot, redis, rig
	snap := func() [3]time.Duration {    // redis and rig; the bots are read apart
		return [3]time.Duration{0, cpuOf(rig.redisPIDs), cpuOf([]int{os.Getpid()})}
	}
	add := func(acc *[3]time.Duration, before, after [3]time.Duration, bot [2]time.Duration) {
		acc[0] += bot[1] - bot[0]
		acc[1] += after[1] - before[1]
		acc[2] += after[2] - before[2]
	}
	echoPID := []int{rig.echo.Process.Pid}
	var botPIDs []int
	for _, c := range rig.bots {
		botPIDs = append(botPIDs, c.Process.Pid)
	}
	b.ResetTimer()
	for done := 0; done < b.N; {
		n := min(procRatioRound, b.N-done)
		s0, e0 := snap(), cpuOf(echoPID)
		e, err := postEvents(client, done, n, []string{rig.echoURL}, rig.fake, rig.watch, echoMsg)
		if err != nil {
			b.Fatal(err)
		}
		s1, e1, x0 := snap(), cpuOf(echoPID), cpuOf(botPIDs)
		add(&echoCPU, s0, s1, [2]time.Duration{e0, e1})
		x, err := postEvents(client, done, n, rig.botURLs, rig.fake, rig.watch, botMsg)
		if err != nil {
			b.Fatal(err)
		}
		add(&botCPU, s1, snap(), [2]time.Duration{x0, cpuOf(botPIDs)})
		echoTook, botTook = echoTook+e.took, botTook+x.took
		done += n
	}
	b.StopTimer()
	echo, bot := float64(b.N)/echoTook.Seconds(), float64(b.N)/botTook.Seconds()
	b.ReportMetric(echo, "echo-events/s")
	b.ReportMetric(bot, "xfbot-events/s")
	b.ReportMetric(bot/echo, "ratio")
	b.ReportMetric(float64(len(rig.bots)), "replicas")
	us := func(d time.Duration) float64 { return float64(d.Microseconds()) / float64(b.N) }
	b.ReportMetric(us(echoCPU[0]), "echo-cpu-us")
	b.ReportMetric(us(echoCPU[2]), "echo-rig-cpu-us")
	b.ReportMetric(us(botCPU[0]), "xfbot-cpu-us")
	b.ReportMetric(us(botCPU[1]), "xfbot-redis-cpu-us")
	b.ReportMetric(us(botCPU[2]), "xfbot-rig-cpu-us")
	if mb := peakRSS(botPIDs); mb > 0 {
		b.ReportMetric(mb, "xfbot-peak-rss-MB")
	}
}

// peakRSS is the largest peak resident set (VmHWM) of the processes, in MB;
// 0 when /proc cannot be read.
func peakRSS(pids []int) float64 {
	var peak float64
	for _, pid := range pids {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
		if err != nil {
			continue
		}
		for line := range strings.SplitSeq(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
				kb, _ := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 64)
				peak = max(peak, kb/1024)
			}
		}
	}
	return peak
}

// procRatioRound is how many events one turn of BenchmarkProcWebhookRatio
// posts to each bot: about a second (the last replies of a turn, awaited
// with fewer than benchPosters in flight, cost each bot a few per cent).
const procRatioRound = 1000

// BenchmarkProcWebhookEcho: the bare SDK echo bot in a process of its own.
func BenchmarkProcWebhookEcho(b *testing.B) {
	rig.start(b)
	cpu := rig.cpu([]*exec.Cmd{rig.echo})
	benchWebhook(b, []string{rig.echoURL}, rig.fake, rig.watch, func(poster, n int) larktest.Message {
		return larktest.Message{
			ChatID: benchChat(poster), SenderOpenID: e2eAdmin, AppID: rig.appID, Token: e2eToken,
			Text: fmt.Sprintf("第 %d 条消息", n),
		}
	})
	cpu.report(b)
}

// BenchmarkProcWebhookXfbot: `xfbot serve` as a process, Redis fsyncing
// every write; each poster records 进展 on a case of its own.
func BenchmarkProcWebhookXfbot(b *testing.B) {
	rig.start(b)
	cpu := rig.cpu(rig.bots)
	benchWebhook(b, rig.botURLs, rig.fake, rig.watch, func(poster, n int) larktest.Message {
		return larktest.Message{
			ChatID: benchChat(poster), SenderOpenID: e2eAdmin, AppID: rig.appID, Token: e2eToken,
			Text: fmt.Sprintf("进展 %s 第 %d 次约谈信访人，已答复诉求", rig.cases[poster], n),
		}
	})
	cpu.report(b)
	b.ReportMetric(float64(len(rig.bots)), "replicas")
	msgs := rig.fake.Messages()
	if last := msgs[len(msgs)-1]; !strings.Contains(cardText(last.Content), "已记录进展") {
		b.Fatalf("the last reply is not a recorded progress: %s", last.Content)
	}
}

// cpuSnap is the CPU time the rig's processes had used when a benchmark
// began.
type cpuSnap struct {
	bots             []int
	redis            []int
	bot0, red0, rig0 time.Duration
}

func (r *procRig) cpu(bots []*exec.Cmd) *cpuSnap {
	c := &cpuSnap{redis: r.redisPIDs}
	for _, p := range bots {
		c.bots = append(c.bots, p.Process.Pid)
	}
	c.bot0, c.red0, c.rig0 = cpuOf(c.bots), cpuOf(c.redis), cpuOf([]int{os.Getpid()})
	return c
}

// report adds each process's CPU time per event since c was taken. (Nothing
// when /proc cannot be read.)
func (c *cpuSnap) report(b *testing.B) {
	us := func(d time.Duration) float64 { return float64(d.Microseconds()) / float64(b.N) }
	if bot := cpuOf(c.bots); bot > 0 {
		b.ReportMetric(us(bot-c.bot0), "bot-cpu-us")
	}
	if red := cpuOf(c.redis); red > 0 {
		b.ReportMetric(us(red-c.red0), "redis-cpu-us")
	}
	if rig := cpuOf([]int{os.Getpid()}); rig > 0 {
		b.ReportMetric(us(rig-c.rig0), "rig-cpu-us")
	}
}

// cpuOf is the user and system time the processes have used, from
// /proc/<pid>/stat (0 where it cannot be read).
func cpuOf(pids []int) time.Duration {
	var total time.Duration
	for _, pid := range pids {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			continue
		}
		// The command name, in parentheses, may hold spaces: count the
		// fields after its closing one (utime and stime are the 14th and
		// 15th fields of the line, the 12th and 13th after it).
		s := string(b)
		f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		if len(f) < 13 {
			continue
		}
		ut, _ := strconv.ParseInt(f[11], 10, 64)
		st, _ := strconv.ParseInt(f[12], 10, 64)
		total += time.Duration(ut+st) * time.Second / clockTicks
	}
	return total
}

// clockTicks is USER_HZ, the unit of /proc's times: 100 on Linux.
const clockTicks = 100

// infoField is one "name:value" line of an INFO answer.
func infoField(info, name string) string {
	for line := range strings.SplitSeq(info, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), name+":"); ok {
			return v
		}
	}
	return ""
}
