package main

import (
	"log/slog"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/qingchuan/xfbot/bot"
	"github.com/qingchuan/xfbot/handlers"
	"github.com/qingchuan/xfbot/store"
)

// app is what serve and the console share: the store, the routing table and
// the handlers behind it.
type app struct {
	store    *store.Store
	mux      *bot.Mux
	handlers *handlers.Handlers
	metrics  *bot.Metrics
	registry *prometheus.Registry
}

func newApp(cfg Config, rdb redis.UniversalClient, log *slog.Logger, demo bool) *app {
	reg := prometheus.NewRegistry()
	reg.MustRegister(prometheus.NewGoCollector(), prometheus.NewProcessCollector(prometheus.ProcessCollectorOpts{}))
	a := &app{store: store.New(rdb, cfg.Redis.Prefix), registry: reg, metrics: bot.NewMetrics(reg)}
	a.mux = bot.NewMux(a.store, bot.MuxOptions{Admins: cfg.Admins, Location: cfg.Location(), Metrics: a.metrics, Logger: log})
	a.handlers = &handlers.Handlers{
		Store:       a.store,
		Calendar:    cfg.Calendar(),
		Thresholds:  cfg.Thresholds(),
		GroupChatID: cfg.GroupChatID,
		Demo:        demo,
	}
	handlers.Register(a.mux, a.handlers)
	return a
}

// redisClient opens the configured Redis: one server, Sentinel (master_name)
// or Cluster (cluster, or several addresses).
func redisClient(cfg Config) redis.UniversalClient {
	var addrs []string
	for _, a := range strings.Split(cfg.Redis.Addr, ",") {
		if a = strings.TrimSpace(a); a != "" {
			addrs = append(addrs, a)
		}
	}
	return redis.NewUniversalClient(&redis.UniversalOptions{
		Addrs:         addrs,
		Password:      cfg.Redis.Password,
		DB:            cfg.Redis.DB,
		MasterName:    cfg.Redis.MasterName,
		IsClusterMode: cfg.Redis.Cluster,
	})
}

func newLogger(cfg Config, w interface{ Write([]byte) (int, error) }) *slog.Logger {
	var lv slog.Level
	_ = lv.UnmarshalText([]byte(cfg.Log.Level))
	opts := &slog.HandlerOptions{Level: lv}
	if cfg.Log.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
