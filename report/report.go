// Package report builds the ledger's digests and statistics from the store:
// the leader digest, the weekly group digest, the monthly report and the
// 统计 reply. The same code serves the scheduled pushes (scheduler), the
// commands and their dry runs (handlers) and the 统计 sheet of the exported
// ledger, so that a figure reads the same everywhere; the figures themselves
// are defined in the root package (stats.go).
package report

import (
	"context"
	"time"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/bot"
	"github.com/qingchuan/xfbot/store"
)

// Reports reads what the digests need. Plain values: config belongs to cmd.
type Reports struct {
	Store      *store.Store
	Calendar   *xfbot.Calendar // nil: weekends only
	Thresholds xfbot.Thresholds
	Leaders    []string // open_ids configured as leaders besides members with the leader role
	Location   *time.Location
	// QuietDays is how long a hard case (积案、骨头案、钉子案、三老) may go
	// without progress before the weekly digest names it; 0 means 14.
	QuietDays int
	// SoonDays is the due-soon horizon of the weekly digest; 0 means the
	// yellow threshold.
	SoonDays int
}

func (r *Reports) loc() *time.Location {
	if r.Location == nil {
		return time.UTC
	}
	return r.Location
}

func (r *Reports) thresholds() xfbot.Thresholds { return r.Thresholds.OrDefault() }

func (r *Reports) view(today xfbot.Date, group bool) bot.View {
	a := xfbot.Audience{Role: xfbot.RoleLeader}
	if group {
		a = xfbot.GroupAudience
	}
	return bot.View{Audience: a, Today: today, Thresholds: r.thresholds(), Loc: r.loc()}
}

// LeaderIDs are the leaders who get digests (xfbot.Leaders: members with
// the leader role, and configured leaders without a member record).
func (r *Reports) LeaderIDs(ctx context.Context) ([]string, error) {
	ls, err := r.leaders(ctx)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(ls))
	for i, l := range ls {
		ids[i] = l.OpenID
	}
	return ids, nil
}

func (r *Reports) leaders(ctx context.Context) ([]xfbot.Person, error) {
	ms, err := r.Store.Members(ctx)
	if err != nil {
		return nil, err
	}
	return xfbot.Leaders(ms, r.Leaders), nil
}

// LeaderDigest is one leader's digest as of a moment.
type LeaderDigest struct {
	Leader string
	Watch  store.LeaderWatch
	Card   *bot.Card
	// Empty: nothing to report (nothing overdue, urgent, due this week or
	// changed); the push skips it.
	Empty bool
}

// LeaderDigests builds the digests of leaders as of now: three round trips
// for the cases, one for the month's receptions, whatever their number.
func (r *Reports) LeaderDigests(ctx context.Context, leaders []string, now time.Time) ([]LeaderDigest, error) {
	today := xfbot.DateOf(now, r.loc())
	ws, err := r.Store.LeaderWatches(ctx, leaders, now, bot.WeekEnd(today), r.thresholds(), bot.DigestLimit)
	if err != nil {
		return nil, err
	}
	m := xfbot.MonthOf(today)
	rs, err := r.Store.ReceptionsBetween(ctx, m.First(), m.Last())
	if err != nil {
		return nil, err
	}
	v := r.view(today, false)
	out := make([]LeaderDigest, len(ws))
	for i, w := range ws {
		out[i] = LeaderDigest{Leader: w.Leader, Watch: w, Empty: bot.LeaderDigestEmpty(w),
			Card: bot.LeaderDigestCard(w, bot.LeaderReceptionStatus(w.Leader, rs, today), v)}
	}
	return out, nil
}

// Weekly builds the weekly group digest for the week before now's (the
// digest goes out on Monday morning about the week just ended), or for
// now's week when week is "this".
func (r *Reports) Weekly(ctx context.Context, now time.Time, thisWeek bool) (*bot.Card, error) {
	today := xfbot.DateOf(now, r.loc())
	p := xfbot.WeekPeriod(today)
	if !thisWeek {
		p = xfbot.WeekPeriod(today.AddDays(-7))
	}
	soon := r.SoonDays
	if soon <= 0 {
		soon = r.thresholds().Yellow
	}
	quiet := r.QuietDays
	if quiet <= 0 {
		quiet = 14
	}
	dueTo := today.AddDays(soon)
	from, to := p.From.Time(r.loc()), p.To.AddDays(1).Time(r.loc())
	data, err := r.Store.WeekData(ctx, dueTo, from, to, now.Add(-time.Duration(quiet)*24*time.Hour))
	if err != nil {
		return nil, err
	}
	// The week's figures come from the counters, as 统计 本周 / 上周 reads
	// them: the lists name the cases, the figures count them once each.
	pd, err := r.Store.PeriodData(ctx, p, today)
	if err != nil {
		return nil, err
	}
	card := bot.WeeklyDigestCard(bot.WeeklyDigest{Period: p, Figures: pd.Figures("", true), Data: data, DueTo: dueTo, QuietFor: quiet},
		r.view(today, true))
	// The week's 督查单 by unit (figures and overdue numbers, no free text).
	sp, err := r.Store.SupervisionStats(ctx, p, today)
	if err != nil {
		return nil, err
	}
	open, err := r.Store.OpenSupervision(ctx, "")
	if err != nil {
		return nil, err
	}
	if s := bot.SupervisionWeeklyText(sp, open, today); s != "" {
		card.Sections = append(card.Sections, "**督查单（按单位）**\n"+bot.Escape(s))
	}
	return card, nil
}

// Stats is a period's statistics report as of today: the district, every
// unit, and for a month the 12-month trend and the reception completion.
func (r *Reports) Stats(ctx context.Context, title string, p xfbot.Period, today xfbot.Date, month bool) (bot.StatsReport, error) {
	pd, err := r.Store.PeriodData(ctx, p, today)
	if err != nil {
		return bot.StatsReport{}, err
	}
	rep := bot.StatsReport{Title: title, District: pd.Figures("", true)}
	for _, u := range pd.Units {
		f := pd.Figures(u, false)
		if f.Stock+f.Inflow+f.Resolved+f.OpenEnd+f.Closed == 0 {
			continue // a unit with nothing in the period
		}
		rep.Units = append(rep.Units, f)
	}
	bot.SortUnitFigures(rep.Units)
	if month {
		last := xfbot.MonthOf(p.From)
		if rep.Trend, err = r.Store.Trend(ctx, last, 12, today); err != nil {
			return bot.StatsReport{}, err
		}
		comp, err := r.Compliance(ctx, last)
		if err != nil {
			return bot.StatsReport{}, err
		}
		rep.Reception = &comp
	}
	return rep, nil
}

// Monthly is the monthly report of month m as of today (sent on the 1st for
// the month before): figures, units, trend and receptions, within Feishu's
// card limits. A report whose unit lines would not fit is split: the card
// keeps the first units and the charts, and the rest follow as text.
func (r *Reports) Monthly(ctx context.Context, m xfbot.Month, today xfbot.Date) (*bot.Card, []string, error) {
	rep, err := r.Stats(ctx, "月度统计 · "+m.Label(), xfbot.MonthPeriod(m), today, true)
	if err != nil {
		return nil, nil, err
	}
	rep.UnitLimit = 15
	card := bot.StatsCard(rep)
	// The month's 督查单: the units' 考核 figures (按期整改率, 退回, 逾期).
	sp, err := r.Store.SupervisionStats(ctx, xfbot.MonthPeriod(m), today)
	if err != nil {
		return nil, nil, err
	}
	card.Sections = append(card.Sections, "**督查**\n"+bot.Escape(bot.SupervisionStatsText(sp, true)))
	var rest []string
	if len(rep.Units) > rep.UnitLimit {
		rest = append([]string{"按主责单位（续）"}, bot.UnitLines(rep.Units[rep.UnitLimit:])...)
	}
	return card, rest, nil
}

// Compliance is month m's reception report.
func (r *Reports) Compliance(ctx context.Context, m xfbot.Month) (xfbot.Compliance, error) {
	leaders, err := r.leaders(ctx)
	if err != nil {
		return xfbot.Compliance{}, err
	}
	rm, err := r.Store.ReceptionsOfMonth(ctx, m)
	if err != nil {
		return xfbot.Compliance{}, err
	}
	return xfbot.ReceptionCompliance(m, leaders, rm.Receptions, rm.Linked, rm.Cases), nil
}

// StatsRows is the statistics sheet of an export: the period's figures for
// the district and by unit, then the definitions. The first row is the
// header.
func StatsRows(rep bot.StatsReport) [][]string {
	rows := [][]string{{"指标", "全区"}}
	for _, u := range rep.Units {
		rows[0] = append(rows[0], xfbot.UnitLabel(u.Unit))
	}
	district := rep.District.FigureRows()
	units := make([][][2]string, len(rep.Units))
	for i, u := range rep.Units {
		units[i] = u.FigureRows()
	}
	for i, row := range district {
		line := []string{row[0], row[1]}
		for _, u := range units {
			line = append(line, u[i][1])
		}
		rows = append(rows, line)
	}
	rows = append(rows, []string{}, []string{"统计期间", rep.District.Period.Label + "（" + rep.District.Period.From.String() + " 至 " + rep.District.Period.To.String() + "）"})
	rows = append(rows, []string{"口径"})
	for _, d := range xfbot.Definitions {
		rows = append(rows, []string{d[0], d[1]})
	}
	return rows
}
