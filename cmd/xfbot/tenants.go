package main

import (
	"log/slog"

	"github.com/qingchuan/xfbot/bot"
	"github.com/qingchuan/xfbot/report"
	"github.com/redis/go-redis/v9"
	"golang.org/x/time/rate"
)

// sharedApp is what the districts of one Feishu app share in a process:
// the limiter of their sends (Feishu counts per app) and whether their
// senders note every card (to route its clicks, when there are several).
type sharedApp struct {
	lim       bot.Limiter
	noteCards bool
}

// appGroups groups the districts (indexes of cfgs, in config order) by
// the Feishu app they name: a group of one has its app to itself.
func appGroups(cfgs []Config) [][]int {
	var out [][]int
	at := map[string]int{}
	for i, c := range cfgs {
		g, ok := at[c.Lark.AppID]
		if !ok {
			g = len(out)
			at[c.Lark.AppID] = g
			out = append(out, nil)
		}
		out[g] = append(out[g], i)
	}
	return out
}

// sharedLimiter is the limiter of one app's sends in this process: the one
// sender.rate_limit asks for, built once for all the app's districts. A
// shared limiter's keys carry the first district's prefix (its hash tag)
// and the app id, so that every replica and every district of the app meet
// on them.
func sharedLimiter(cfg Config, rdb redis.UniversalClient, met *bot.Metrics, log *slog.Logger) bot.Limiter {
	if lim := senderLimiter(cfg, rdb, met, log); lim != nil {
		return lim
	}
	return bot.NewSenderLimiter(bot.SenderOptions{PerChat: rate.Limit(cfg.Sender.PerChat), PerApp: rate.Limit(cfg.Sender.PerApp)})
}

// buildIntakes gives each district its Feishu intake: its own Mux where the
// district has its app to itself (and there is no city view); otherwise one
// intake per app, routing among the app's districts (bot.Tenants). With a
// city view every district's handlers can read the figures of all.
func buildIntakes(top Config, ds []*district, groups [][]int, log *slog.Logger) error {
	city := len(top.City.Viewers) > 0
	if city {
		var all []report.CityDistrict
		for _, d := range ds {
			all = append(all, report.CityDistrict{ID: d.cfg.DistrictID(), Name: d.cfg.DistrictLabel(), Store: d.a.store})
		}
		for _, d := range ds {
			d.a.handlers.City, d.a.handlers.CityName = all, top.City.Name
		}
		// The first district sends the city's monthly report to its viewers.
		if m := ds[0].a.monthly; m != nil {
			m.City, m.CityName, m.CityViewers = all, top.City.Name, top.City.Viewers
		}
	}
	for _, g := range groups {
		home := ds[g[0]]
		var srv bot.Server = home.a.mux
		if len(g) > 1 || city {
			ts := make([]bot.Tenant, len(g))
			for j, i := range g {
				d := ds[i]
				ts[j] = bot.Tenant{ID: d.cfg.DistrictID(), Name: d.cfg.DistrictLabel(), Mux: d.a.mux}
				if d.cfg.GroupChatID != "" {
					ts[j].Groups = []string{d.cfg.GroupChatID}
				}
			}
			t, err := bot.NewTenants(ts, bot.TenantsOptions{City: top.City.Viewers, Metrics: home.a.metrics, Logger: home.log})
			if err != nil {
				return err
			}
			srv = t
			if len(g) > 1 {
				log.Info("districts share one Feishu app; events are routed by chat and sender", "app", home.cfg.Lark.AppID, "districts", len(g))
			}
		}
		c := home.cfg
		intake := bot.NewLark(srv, bot.LarkOptions{
			AppID: c.Lark.AppID, AppSecret: c.Lark.AppSecret, BaseURL: c.Lark.BaseURL, BotOpenID: c.Lark.BotOpenID,
			VerificationToken: c.Lark.VerificationToken, EncryptKey: c.Lark.EncryptKey, AllowUnsigned: c.Lark.AllowUnsigned,
			Metrics: home.a.metrics, Logger: home.log,
		})
		for _, i := range g {
			ds[i].intake = intake
		}
	}
	return nil
}
