package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
	"golang.org/x/time/rate"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/bot"
	"github.com/qingchuan/xfbot/handlers"
	"github.com/qingchuan/xfbot/report"
	"github.com/qingchuan/xfbot/scheduler"
	"github.com/qingchuan/xfbot/store"
)

// app is what serve and the console share: the store, the routing table and
// the handlers behind it.
type app struct {
	store    *store.Store
	mux      *bot.Mux
	handlers *handlers.Handlers
	reports  *report.Reports
	metrics  *bot.Metrics
	registry *prometheus.Registry
	monthly  *scheduler.Monthly // its job body (jobs), given the city view by buildIntakes
}

func newApp(cfg Config, rdb redis.UniversalClient, log *slog.Logger, demo bool) *app {
	reg := prometheus.NewRegistry()
	reg.MustRegister(prometheus.NewGoCollector(), prometheus.NewProcessCollector(prometheus.ProcessCollectorOpts{}))
	a := newAppIn(cfg, rdb, log, demo, reg)
	a.registry = reg
	return a
}

// newAppIn is newApp with its metrics registered in reg (serve: one
// registry for every district, each district's labelled).
func newAppIn(cfg Config, rdb redis.UniversalClient, log *slog.Logger, demo bool, reg prometheus.Registerer) *app {
	a := &app{store: store.New(rdb, cfg.Redis.Prefix).In(cfg.Location()).WithCalendar(cfg.Calendar()).WithGaps(cfg.Gaps()).WithCalendarEvents(cfg.Reception.Calendar).
		WithIndexSecret([]byte(cfg.Privacy.IndexSecret)).WithWaitReplicas(cfg.Redis.WaitReplicas, cfg.Redis.WaitTimeout), metrics: bot.NewMetrics(reg)}
	a.mux = bot.NewMux(a.store, bot.MuxOptions{Admins: cfg.Admins, Leaders: cfg.Leaders, Location: cfg.Location(), Metrics: a.metrics, Logger: log,
		LightGroupReplies: cfg.GroupReplies == "light"})
	a.reports = &report.Reports{Store: a.store, Calendar: cfg.Calendar(), Thresholds: cfg.Thresholds(),
		Leaders: cfg.Leaders, Location: cfg.Location()}
	a.handlers = &handlers.Handlers{
		Reports:           a.reports,
		Store:             a.store,
		Calendar:          cfg.Calendar(),
		Thresholds:        cfg.Thresholds(),
		GroupChatID:       cfg.GroupChatID,
		ObserveDays:       cfg.Resolution.ObserveDays,
		RectifyDays:       cfg.Supervision.RectifyDays,
		Demo:              demo,
		OrgContacts:       cfg.Roster.OrgContact,
		AttachRequiredFor: cfg.Attachments.RequireFor,
	}
	handlers.Register(a.mux, a.handlers)
	return a
}

// indexSecret gives the store the search index's secret when the
// configuration has none (privacy.index_secret): the one generated and kept
// in Redis, the same for every replica. Call it after Ping, before serving.
func (a *app) indexSecret(ctx context.Context, cfg Config, log *slog.Logger) error {
	if cfg.Privacy.IndexSecret != "" {
		return nil
	}
	secret, err := a.store.IndexSecret(ctx)
	if err != nil {
		return err
	}
	a.store.WithIndexSecret(secret)
	log.Warn("privacy.index_secret is not set: the search index's hashes of names, phones and ID numbers use a secret kept in Redis (secret:index); set privacy.index_secret (XFBOT_PRIVACY_INDEX_SECRET) so that Redis alone does not hold it")
	return nil
}

// jobs are the bodies of the scheduled jobs, by the name of their
// schedule.* key; a job without a body yet is not scheduled.
func (a *app) jobs(cfg Config, log *slog.Logger) map[string]scheduler.Job {
	a.monthly = &scheduler.Monthly{Reports: a.reports, GroupChatID: cfg.GroupChatID}
	return map[string]scheduler.Job{
		"overdue": &scheduler.Reminders{Store: a.store, Calendar: cfg.Calendar(), Thresholds: cfg.Thresholds(), Gaps: cfg.Gaps(),
			Ladder: cfg.Ladder(), Admins: cfg.Admins, Location: cfg.Location(),
			QuietFrom: cfg.Reminders.QuietFrom, QuietTo: cfg.Reminders.QuietTo, Logger: log,
			Supervision: cfg.SupervisionLadder(), GroupChatID: cfg.GroupChatID},
		"group_daily": &scheduler.GroupDaily{Store: a.store, Calendar: cfg.Calendar(), Thresholds: cfg.Thresholds(),
			GroupChatID: cfg.GroupChatID, Location: cfg.Location(), Logger: log},
		"leader_digest": &scheduler.LeaderDigest{Reports: a.reports, Calendar: cfg.Calendar(), Logger: log},
		"group_weekly":  &scheduler.GroupWeekly{Reports: a.reports, GroupChatID: cfg.GroupChatID},
		"monthly":       a.monthly,
		"reception": &scheduler.Reception{Store: a.store, Calendar: cfg.Calendar(), Thresholds: cfg.Thresholds(),
			Leaders: cfg.Leaders, Admins: cfg.Admins, NagDay: cfg.Reception.NagDay, Location: cfg.Location(),
			QuietFrom: cfg.Reminders.QuietFrom, QuietTo: cfg.Reminders.QuietTo, Logger: log},
	}
}

// exporter is the worker of the export tasks (导出 台账), uploading through up.
func (a *app) exporter(up report.Uploader, consumer string, log *slog.Logger) *report.Exporter {
	if consumer == "" {
		host, _ := os.Hostname()
		consumer = host + "-" + strconv.Itoa(os.Getpid())
	}
	// Imports (导入台账) download what was sent: from Feishu through the
	// transport, from the local disk on the console.
	var dl handlers.Downloader = bot.LocalFiles{}
	if d, ok := up.(handlers.Downloader); ok {
		dl = d
	}
	// Attachments (附件) move from the chat to the app: downloaded as dl
	// does, re-uploaded through up (im/v1/files, im/v1/images; the console's
	// directory).
	tr := attachTransfer{Downloader: bot.LocalFiles{}}
	if d, ok := up.(resourceDownloader); ok {
		tr.Downloader = d
	}
	if u, ok := up.(bot.Uploader); ok {
		tr.Uploader = u
	}
	if u, ok := up.(bot.ImageUploader); ok {
		tr.ImageUploader = u
	}
	return &report.Exporter{Reports: a.reports, Uploader: up, Consumer: consumer, Logger: log,
		Kinds: map[string]report.TaskKind{store.TaskImport: {Fail: "台账导入失败：", Run: func(ctx context.Context, t store.Task) error {
			return a.handlers.RunImport(ctx, t, dl, time.Now())
		}}, handlers.TaskAttach: {Fail: "附件保存失败：", Run: func(ctx context.Context, t store.Task) error {
			return a.handlers.RunAttach(ctx, t, tr, time.Now())
		}}}}
}

type resourceDownloader interface {
	DownloadResource(ctx context.Context, messageID, fileKey string, kind xfbot.AttachmentKind) ([]byte, error)
}

// attachTransfer is a handlers.AttachTransfer of parts.
type attachTransfer struct {
	Downloader resourceDownloader
	bot.Uploader
	bot.ImageUploader
}

func (t attachTransfer) DownloadResource(ctx context.Context, messageID, fileKey string, kind xfbot.AttachmentKind) ([]byte, error) {
	return t.Downloader.DownloadResource(ctx, messageID, fileKey, kind)
}

// schedulerNow is the scheduler's clock: a test moves it to see the jobs on
// other days. Only the scheduler's: requests keep the transport's real time,
// which the webhook's timestamp check needs.
var schedulerNow = time.Now

// newScheduler registers every job that has a body.
func (a *app) newScheduler(cfg Config, log *slog.Logger) (*scheduler.Scheduler, error) {
	sch := scheduler.New(a.store, scheduler.Options{Location: cfg.Location(), Logger: log, Now: schedulerNow,
		QuietFrom: cfg.Reminders.QuietFrom, QuietTo: cfg.Reminders.QuietTo})
	bodies := a.jobs(cfg, log)
	for _, j := range scheduledJobs(cfg) {
		if job := bodies[j.Name]; job != nil {
			jitter := cfg.Reminders.Jitter
			if strings.HasPrefix(j.Spec, "@every") {
				jitter = 0 // an interval job is no push at a round hour
			}
			if err := sch.Add(j.Name, j.Spec, job, jitter); err != nil {
				return nil, err
			}
		}
	}
	return sch, nil
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

// senderLimiter is the sender's rate limiter as sender.rate_limit says:
// shared among the replicas through Redis, per app credentials (the
// default), nil for the sender's own per-process one, or none.
func senderLimiter(cfg Config, rdb redis.UniversalClient, met *bot.Metrics, log *slog.Logger) bot.Limiter {
	switch cfg.Sender.RateLimit {
	case RateLimitOff:
		return bot.NoLimit{}
	case RateLimitLocal:
		return nil
	}
	return bot.NewRedisLimiter(rdb, bot.RedisLimiterOptions{Prefix: cfg.Redis.Prefix, AppID: cfg.Lark.AppID,
		PerChat: rate.Limit(cfg.Sender.PerChat), PerApp: rate.Limit(cfg.Sender.PerApp), Metrics: met, Logger: log})
}

// redisLogger takes go-redis's own log lines, which it prints on stderr by
// default: with Redis down, one per failed dial of the pool, before our own
// message says so once. They are kept at Debug (log.level: debug).
type redisLogger struct{ log *slog.Logger }

func (r redisLogger) Printf(ctx context.Context, format string, v ...any) {
	msg := strings.TrimSpace(fmt.Sprintf(format, v...))
	if !strings.HasPrefix(msg, "redis:") {
		msg = "redis: " + msg
	}
	r.log.Debug(msg)
}

// quietRedis sends go-redis's log lines to log (process-wide; the last call
// wins).
func quietRedis(log *slog.Logger) { redis.SetLogger(redisLogger{log}) }

// redisUnreachable is the one line an operator reads when Redis does not
// answer at start: where it was looked for and what to check.
func redisUnreachable(addr string, err error) error {
	return fmt.Errorf("Redis %s 无应答 / does not answer (%w)；请检查 Redis 是否在运行、地址是否可达，以及 redis.addr（XFBOT_REDIS_ADDR）、"+
		"redis.password、redis.db 是否正确 / check that Redis is running and reachable there, and redis.addr, redis.password and redis.db", addr, err)
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
