package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	lark "github.com/larksuite/oapi-sdk-go/v3"
	larkcore "github.com/larksuite/oapi-sdk-go/v3/core"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"golang.org/x/time/rate"

	"github.com/redis/go-redis/v9"

	"github.com/qingchuan/xfbot/bot"
	"github.com/qingchuan/xfbot/scheduler"
)

// serve runs the bot until ctx is done: for each district (the top-level
// keys' and each of districts), its Feishu intake (long connection or
// webhook), its outbox sender, its task worker and its scheduler; and the
// HTTP endpoints they share.
func serve(ctx context.Context, cfg Config, stderr io.Writer) error {
	log := newLogger(cfg, stderr)
	quietRedis(log)
	rdb := redisClient(cfg)
	defer rdb.Close()
	reg := prometheus.NewRegistry()
	reg.MustRegister(prometheus.NewGoCollector(), prometheus.NewProcessCollector(prometheus.ProcessCollectorOpts{}))

	cfgs := []Config{cfg}
	for _, d := range cfg.Districts {
		cfgs = append(cfgs, cfg.ForDistrict(d))
	}
	// Districts that name the same Feishu app share it (one tenant): one
	// intake routes its events among them, and one limiter spaces their
	// sends, since Feishu counts per app.
	groups := appGroups(cfgs)
	shared := make([]*sharedApp, len(cfgs))
	for _, g := range groups {
		sa := &sharedApp{noteCards: len(g) > 1}
		for _, i := range g {
			shared[i] = sa
		}
	}
	var ds []*district
	for i, dc := range cfgs {
		// One district: the logs and metrics as they always were. Several:
		// each line and series says whose it is.
		dlog, dreg := log, prometheus.Registerer(reg)
		if len(cfgs) > 1 {
			dlog = log.With("district", dc.DistrictID())
			dreg = prometheus.WrapRegistererWith(prometheus.Labels{"district": dc.DistrictID()}, reg)
		}
		d, err := openDistrict(ctx, dc, rdb, dlog, dreg, shared[i])
		if err != nil {
			if len(cfgs) > 1 {
				return fmt.Errorf("district %s: %w", dc.DistrictID(), err)
			}
			return err
		}
		ds = append(ds, d)
		if i == 0 { // one Redis for every district: its advice once
			for _, advice := range d.a.store.Tuning(ctx) {
				log.Warn(advice)
			}
		}
	}

	if err := buildIntakes(cfg, ds, groups, log); err != nil {
		return err
	}

	mux := http.NewServeMux()
	mux.Handle("GET /healthz", healthz(ds))
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	for i, d := range ds {
		if d.cfg.Lark.Mode != ModeWebhook {
			continue
		}
		d.intake.SetConnected(true)
		// The top-level district keeps /lark/events; every district also
		// answers at /lark/events/<id>, the URL its own app is given.
		if i == 0 {
			mux.Handle("POST "+bot.WebhookPath, d.intake)
		}
		mux.Handle("POST "+bot.WebhookPath+"/"+d.cfg.DistrictID(), d.intake)
	}
	srv := newHTTPServer(mux, defaultHTTPTimeouts)
	ln, err := net.Listen("tcp", cfg.HTTP.Addr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", cfg.HTTP.Addr, err)
	}
	log.Info("xfbot serving", "mode", cfg.Lark.Mode, "http", ln.Addr().String(), "redis", cfg.Redis.Addr, "districts", len(ds), "config", cfg.Redacted())
	for _, d := range ds {
		if d.cfg.NoAdmins() {
			d.log.Warn(noAdminsWarning)
		}
	}

	// The senders and the schedulers get a context of their own, cancelled
	// only after the HTTP server has finished its requests, and are waited
	// for before Redis is closed: a send in flight is acknowledged, not
	// sent again after a restart.
	work, stopWork := context.WithCancel(context.WithoutCancel(ctx))
	defer stopWork()
	var wg sync.WaitGroup
	errc := make(chan error, 4*len(ds)+1)
	for _, d := range ds {
		wg.Add(3)
		go func() { defer wg.Done(); errc <- d.sender.Run(work) }()
		go func() { defer wg.Done(); errc <- d.a.exporter(d.transport, "", d.log).Run(work) }() // a task cut short is taken up again
		go func() { defer wg.Done(); errc <- d.sch.Run(work) }()                                // every replica runs it; each firing is claimed once
	}
	for _, g := range groups {
		if d := ds[g[0]]; d.cfg.Lark.Mode != ModeWebhook {
			// One long connection per app, whichever districts share it.
			// The SDK's ws client cannot be stopped; the process exit closes it.
			go func() { errc <- d.intake.RunWebsocket(ctx) }()
		}
	}
	go func() {
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			errc <- err
		}
	}()
	select {
	case <-ctx.Done():
	case err = <-errc:
		if err != nil {
			log.Error("stopping", "err", err)
		}
	}
	shut, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = srv.Shutdown(shut)
	stopWork()
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		log.Warn("sender, exporter or scheduler did not stop in time")
	}
	log.Info("xfbot stopped")
	return err
}

// district is one district's part of a serving process: its ledger (its
// own keys), routing table, Feishu app, sender and scheduler.
type district struct {
	cfg       Config
	log       *slog.Logger
	a         *app
	transport *bot.LarkTransport
	sender    *bot.Sender
	intake    *bot.Lark
	sch       *scheduler.Scheduler
}

// openDistrict prepares district cfg on rdb: its store checked and seeded,
// its Feishu client, sender and scheduler built, its metrics registered in
// reg (labelled with the district by the caller). Its intake is built by
// buildIntakes, once every district of its app is open. shared is what it
// shares with the other districts of its Feishu app.
func openDistrict(ctx context.Context, cfg Config, rdb redis.UniversalClient, log *slog.Logger, reg prometheus.Registerer, shared *sharedApp) (*district, error) {
	a := newAppIn(cfg, rdb, log, false, reg)
	if err := a.store.Ping(ctx); err != nil {
		return nil, redisUnreachable(cfg.Redis.Addr, err)
	}
	if err := a.indexSecret(ctx, cfg, log); err != nil {
		return nil, err
	}
	// The registry (名录) of a first start: config, then the names in use.
	if err := a.seedRegistry(ctx, cfg, log); err != nil {
		return nil, fmt.Errorf("registry: %w", err)
	}
	// Lists by locality and open status read sets: the sorted sets of
	// earlier releases become them once, before any event is taken.
	if _, err := a.store.BackfillIndexSets(ctx); err != nil {
		return nil, fmt.Errorf("index sets: %w", err)
	}
	// Records written before the deadline index existed get their entries
	// once (a marker says it is done; replicas racing it do no harm); so
	// do they in the search index.
	go func() {
		if n, err := a.store.BackfillDeadlines(ctx); err != nil {
			log.Error("deadline index backfill failed; it is tried again at the next start", "err", err)
		} else if n > 0 {
			log.Info("deadline index backfilled", "deadlines", n)
		}
		if n, err := a.store.BackfillSearch(ctx); err != nil {
			log.Error("search index backfill failed; it is tried again at the next start", "err", err)
		} else if n > 0 {
			log.Info("search index backfilled", "entries", n)
		}
	}()

	// Go's default transport keeps two idle connections per host: with the
	// sender's workers that would mean a TLS handshake per send under load.
	// Its 4 KB buffers split a card (a few KB, up to Feishu's 30 KB) and
	// the answer echoing it into several writes and reads each; on HTTP/1.1
	// these buffers hold a whole send and its answer.
	httpc := &http.Client{Transport: &http.Transport{Proxy: http.ProxyFromEnvironment, MaxIdleConns: 64,
		MaxIdleConnsPerHost: 64, IdleConnTimeout: 90 * time.Second, TLSHandshakeTimeout: 10 * time.Second, ForceAttemptHTTP2: true,
		WriteBufferSize: 32 << 10, ReadBufferSize: 32 << 10}}
	client := lark.NewClient(cfg.Lark.AppID, cfg.Lark.AppSecret,
		lark.WithOpenBaseUrl(cfg.Lark.BaseURL),
		lark.WithTokenCache(a.store.TokenCache()),
		lark.WithHttpClient(httpc),
		lark.WithLogger(bot.SDKLogger(log)), lark.WithLogLevel(larkcore.LogLevelInfo),
		lark.WithReqTimeout(30*time.Second))
	tokenKey := "tenant_access_token-" + cfg.Lark.AppID + "-"
	d := &district{cfg: cfg, log: log, a: a}
	d.transport = bot.NewLarkTransport(client, func(ctx context.Context) error { return a.store.TokenCache().Forget(ctx, tokenKey) })
	if shared == nil {
		shared = &sharedApp{}
	}
	if shared.lim == nil {
		shared.lim = sharedLimiter(cfg, rdb, a.metrics, log)
	}
	d.sender = bot.NewSender(a.store, d.transport, bot.SenderOptions{
		Workers: cfg.Sender.Workers, PerChat: rate.Limit(cfg.Sender.PerChat), PerApp: rate.Limit(cfg.Sender.PerApp),
		Limiter: shared.lim, NoteCards: shared.noteCards, Metrics: a.metrics, Logger: log,
	})
	if cfg.Lark.BotOpenID == "" {
		cfg.Lark.BotOpenID = botOpenID(ctx, client, log)
	}
	d.cfg = cfg
	reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "xfbot_transport_connected", Help: "1 when the Feishu transport is up."},
		func() float64 {
			if d.intake.Connected() {
				return 1
			}
			return 0
		}))
	reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "xfbot_tasks_pending",
		Help: "Background tasks (exports) queued or under way."},
		func() float64 {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			n, _ := a.store.PendingTasks(ctx)
			return float64(n)
		}))
	var err error
	if d.sch, err = a.newScheduler(cfg, log); err != nil {
		return nil, err
	}
	return d, nil
}

// httpTimeouts bound how long one client may hold a connection of the HTTP
// server.
type httpTimeouts struct {
	ReadHeader time.Duration // the request line and headers
	Read       time.Duration // the whole request, body included
	Write      time.Duration // from the end of the headers to the end of the answer
	Idle       time.Duration // a kept-alive connection between requests
}

// defaultHTTPTimeouts fit what is served: Feishu posts at most 1 MiB and
// wants its answer within 3 s (the handlers give up at bot.HandleTimeout),
// and /healthz and /metrics answer at once. A client that trickles its body
// or sits on an idle connection is cut off instead of holding a file
// descriptor and a goroutine for ever.
var defaultHTTPTimeouts = httpTimeouts{
	ReadHeader: 5 * time.Second,
	Read:       10 * time.Second,
	Write:      15 * time.Second,
	Idle:       60 * time.Second,
}

// newHTTPServer is the server of /healthz, /metrics and the webhook.
func newHTTPServer(h http.Handler, t httpTimeouts) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: t.ReadHeader,
		ReadTimeout:       t.Read,
		WriteTimeout:      t.Write,
		IdleTimeout:       t.Idle,
		MaxHeaderBytes:    64 << 10, // Feishu's headers are a few hundred bytes
	}
}

// botOpenID asks Feishu for the bot's own open_id, to tell its @mention from
// others in a group. Without it the intake takes a mention that opens a
// group message as the bot's, which is what Feishu delivers to a group bot.
func botOpenID(ctx context.Context, client *lark.Client, log *slog.Logger) string {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	resp, err := client.Get(ctx, "/open-apis/bot/v3/info", nil, larkcore.AccessTokenTypeTenant)
	if err != nil {
		log.Warn("cannot fetch the bot's open_id; set lark.bot_open_id", "err", err)
		return ""
	}
	var info struct {
		Code int    `json:"code"`
		Msg  string `json:"msg"`
		Bot  struct {
			OpenID string `json:"open_id"`
		} `json:"bot"`
	}
	if err := json.Unmarshal(resp.RawBody, &info); err != nil || info.Code != 0 || info.Bot.OpenID == "" {
		log.Warn("cannot fetch the bot's open_id; set lark.bot_open_id", "code", info.Code, "msg", info.Msg, "status", resp.StatusCode)
		return ""
	}
	log.Info("bot identified", "open_id", info.Bot.OpenID)
	return info.Bot.OpenID
}

// healthz answers 200 when Redis answers and every district's Feishu
// transport is up, 503 otherwise, with the details as JSON (the outbox and
// the tasks summed over the districts).
func healthz(ds []*district) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		st := map[string]any{"redis": "ok", "transport": "connected"}
		code := http.StatusOK
		if err := ds[0].a.store.Ping(ctx); err != nil {
			st["redis"], code = err.Error(), http.StatusServiceUnavailable
		}
		var outbox, tasks int64
		outboxOK, tasksOK := true, true
		for _, d := range ds {
			if !d.intake.Connected() {
				st["transport"], code = "disconnected", http.StatusServiceUnavailable
				if len(ds) > 1 {
					st["transport"] = "disconnected: " + d.cfg.DistrictID()
				}
			}
			if n, err := d.a.store.OutboxDepth(ctx); err == nil {
				outbox += n
			} else {
				outboxOK = false
			}
			if n, err := d.a.store.PendingTasks(ctx); err == nil {
				tasks += int64(n)
			} else {
				tasksOK = false
			}
		}
		if outboxOK {
			st["outbox"] = outbox
		}
		if tasksOK {
			st["tasks"] = tasks
		}
		if len(ds) > 1 {
			st["districts"] = len(ds)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		_ = json.NewEncoder(w).Encode(st)
	})
}
