package scheduler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/bot"
	"github.com/qingchuan/xfbot/store"
)

// Reception is the leader reception scan (schedule.reception):
//
//   - each planned reception's leader is briefed five days before (with the
//     appointed cases and, for repeat petitioners, their history), the day
//     before, and on the day; a reception scheduled late gets the briefing
//     that is due, not the ones it missed;
//   - from NagDay of the last month of a leader's period (a natural month
//     by default) on, a leader with no held reception in the period gets a
//     direct message, and the task-force lead the list of who has none;
//   - a reception still without a record on the working day after it
//     reminds the staff member who scheduled it.
//
// Letters to leaders are not this job's: their 阅批 and 交办 are deadlines
// of the one reminder scan (Reminders, letters.go), in the same message as
// the recipient's cases.
//
// Every message is committed with its sent-ledger marks (one ledger per
// reception and month), so any number of replicas and runs send each once.
// Its reads are ranges of the reception indexes and the member list: its
// cost follows the leaders and receptions, not the cases on the ledger.
type Reception struct {
	Store      *store.Store
	Calendar   *xfbot.Calendar
	Thresholds xfbot.Thresholds
	Leaders    []string // open_ids configured as leaders (besides members with the leader role)
	Admins     []string // the task-force lead
	NagDay     int      // day of the month the nag starts (1–28; default 25)
	Location   *time.Location
	// Quiet hours QuietFrom to QuietTo o'clock (defaults 21 and 8), under
	// the one rule of quiet.go (hushAt): nothing of this job is pushed in
	// them; the nag and the missing-record reminder also wait for a working
	// day; briefings do not (a Monday reception is
	// announced on Sunday).
	QuietFrom, QuietTo int
	Logger             *slog.Logger
}

// BriefDays is how many days ahead a leader is first briefed.
const BriefDays = 5

// item is one reminder: the ledger entry that makes it once, and what it
// is about.
type item struct {
	entity, field string
	reception     *xfbot.Reception
	stage         string // bot.BriefT5/T1/T0, "norec", "nag", "lead"
	left          int    // days until the reception
	missing       []missingLeader
}

type missingLeader struct {
	leader  xfbot.Person
	every   int              // the leader's period in months
	planned *xfbot.Reception // a planned reception left in the period, if any
	past    *xfbot.Reception // a past reception of the period still without its record
}

// message is one direct message and the items it carries.
type message struct {
	to    string
	kind  string // "brief", "norec", "nag", "lead"
	items []item
}

// Run scans as of now.
func (j *Reception) Run(ctx context.Context, now time.Time) error {
	loc := j.loc()
	today := xfbot.DateOf(now, loc)
	h := hushAt(now, loc, j.Calendar, j.QuietFrom, j.QuietTo)
	if !h.lets(evenOffDays) {
		return nil // nothing of this job cannot wait for the morning
	}
	workday := h.lets(workdayOnly) // the briefings go on a non-working day too

	members, err := j.Store.Members(ctx)
	if err != nil {
		return err
	}
	var items []item
	planned, err := j.Store.PlannedReceptions(ctx, today.AddDays(BriefDays))
	if err != nil {
		return err
	}
	for _, r := range planned {
		switch left := r.Date.Sub(today); {
		case left >= 0:
			stage := bot.BriefT5
			switch left {
			case 0:
				stage = bot.BriefT0
			case 1:
				stage = bot.BriefT1
			}
			items = append(items, item{entity: string(r.ID), field: stage + ":" + r.Date.String(), reception: r, stage: stage, left: left})
		case workday && recordDue(r, j.Calendar, today):
			items = append(items, item{entity: string(r.ID), field: "norec:" + r.Date.String(), reception: r, stage: "norec"})
		}
	}
	if workday && today.Day >= j.nagDay() {
		nag, err := j.nags(ctx, today, members)
		if err != nil {
			return err
		}
		items = append(items, nag...)
	}
	items, err = j.unsent(ctx, items)
	if err != nil || len(items) == 0 {
		return err
	}
	msgs := j.group(items)
	briefs, err := j.briefCases(ctx, msgs)
	if err != nil {
		return err
	}
	var errs []error
	for i := 0; i < len(msgs); i += batchSize {
		batch := msgs[i:min(i+batchSize, len(msgs))]
		tx := j.Store.NewTx()
		for _, m := range batch {
			j.build(tx, now, today, m, audienceOf(members, m.to), briefs)
		}
		_, err := j.Store.Commit(ctx, tx)
		if err == nil {
			continue
		}
		if !errors.Is(err, store.ErrAlreadySent) {
			errs = append(errs, fmt.Errorf("reception reminders: %w", err))
			continue
		}
		// Another replica sent some of them meanwhile: one by one, without those.
		for _, m := range batch {
			if err := j.send(ctx, now, today, m, audienceOf(members, m.to), briefs); err != nil {
				errs = append(errs, fmt.Errorf("reception reminder to %s: %w", m.to, err))
			}
		}
	}
	return errors.Join(errs...)
}

func (j *Reception) loc() *time.Location {
	if j.Location == nil {
		return time.UTC
	}
	return j.Location
}

func (j *Reception) nagDay() int {
	if j.NagDay < 1 || j.NagDay > 28 {
		return 25
	}
	return j.NagDay
}

// nags finds the leaders without a held reception in a period that ends
// this month, and the lead's list of them.
func (j *Reception) nags(ctx context.Context, today xfbot.Date, members []xfbot.Member) ([]item, error) {
	type leader struct {
		p        xfbot.Person
		every    int
		from, to xfbot.Date
	}
	var ls []leader
	byID := map[string]xfbot.Member{}
	for _, m := range members {
		byID[m.OpenID] = m
	}
	add := func(p xfbot.Person, every int) {
		from, to := xfbot.ReceptionPeriod(today, every)
		if xfbot.MonthOf(to) != xfbot.MonthOf(today) {
			return // the period goes on after this month: no hurry yet
		}
		ls = append(ls, leader{p: p, every: every, from: from, to: to})
	}
	for _, p := range xfbot.Leaders(members, j.Leaders) {
		add(p, byID[p.OpenID].ReceptionEvery) // 0 (every month) for a leader without a record
	}
	if len(ls) == 0 {
		return nil, nil
	}
	from := today
	for _, l := range ls {
		if l.from.Before(from) {
			from = l.from
		}
	}
	rs, err := j.Store.ReceptionsBetween(ctx, from, xfbot.MonthOf(today).Last())
	if err != nil {
		return nil, err
	}
	month := xfbot.MonthOf(today).String()
	var out []item
	var missing []missingLeader
	for _, l := range ls {
		held := false
		var next, past *xfbot.Reception
		for _, r := range rs {
			if r.Leader.OpenID != l.p.OpenID || r.Date.Before(l.from) || r.Date.After(l.to) {
				continue
			}
			if r.Status == xfbot.ReceptionHeld {
				held = true
			} else if r.Status == xfbot.ReceptionPlanned && !r.Date.Before(today) && next == nil {
				next = r
			} else if r.Status == xfbot.ReceptionPlanned && r.Date.Before(today) {
				past = r
			}
		}
		if held {
			continue
		}
		ml := missingLeader{leader: l.p, every: l.every, planned: next, past: past}
		missing = append(missing, ml)
		out = append(out, item{entity: "nag:" + month, field: "leader:" + l.p.OpenID, stage: "nag", missing: []missingLeader{ml}})
	}
	if len(missing) > 0 {
		for _, a := range j.Admins {
			out = append(out, item{entity: "nag:" + month, field: "lead:" + a, stage: "lead", missing: missing})
		}
	}
	return out, nil
}

// unsent drops the items whose ledger field is set already.
func (j *Reception) unsent(ctx context.Context, items []item) ([]item, error) {
	var ents []string
	seen := map[string]bool{}
	for _, it := range items {
		if !seen[it.entity] {
			seen[it.entity] = true
			ents = append(ents, it.entity)
		}
	}
	ledgers, err := j.Store.LedgersOf(ctx, ents)
	if err != nil {
		return nil, err
	}
	out := items[:0:0]
	for _, it := range items {
		if _, sent := ledgers[it.entity][it.field]; !sent {
			out = append(out, it)
		}
	}
	return out, nil
}

// group makes the messages: one per reception reminder and per nag, one per
// person for missing records.
func (j *Reception) group(items []item) []message {
	var msgs []message
	norec := map[string][]item{}
	for _, it := range items {
		switch {
		case it.stage == "norec":
			if to := j.staff(it.reception.ScheduledBy); to != "" {
				norec[to] = append(norec[to], it) // one message per person
			}
		case it.stage == "nag":
			msgs = append(msgs, message{to: it.missing[0].leader.OpenID, kind: "nag", items: []item{it}})
		case it.stage == "lead":
			msgs = append(msgs, message{to: strings.TrimPrefix(it.field, "lead:"), kind: "lead", items: []item{it}})
		default:
			msgs = append(msgs, message{to: it.reception.Leader.OpenID, kind: "brief", items: []item{it}})
		}
	}
	for _, to := range sortedKeys(norec) {
		msgs = append(msgs, message{to: to, kind: "norec", items: norec[to]})
	}
	return msgs
}

// staff is who gets a staff reminder: p, else the task-force lead.
func (j *Reception) staff(p xfbot.Person) string {
	if p.OpenID != "" {
		return p.OpenID
	}
	if len(j.Admins) > 0 {
		return j.Admins[0]
	}
	return ""
}

// briefCases reads the appointed cases of the briefings and their latest
// entries: two round trips, whatever the number of receptions.
func (j *Reception) briefCases(ctx context.Context, msgs []message) (map[xfbot.CaseNo]bot.BriefCase, error) {
	var nos []xfbot.CaseNo
	for _, m := range msgs {
		if m.kind == "brief" {
			nos = append(nos, m.items[0].reception.Appointments...)
		}
	}
	out := map[xfbot.CaseNo]bot.BriefCase{}
	if len(nos) == 0 {
		return out, nil
	}
	cases, err := j.Store.Cases(ctx, nos)
	if err != nil {
		return nil, err
	}
	recent, err := j.Store.RecentOf(ctx, nos, store.RecentProgress)
	if err != nil {
		return nil, err
	}
	for _, c := range cases {
		out[c.No] = bot.BriefCase{Case: c, Recent: recent[c.No]}
	}
	return out, nil
}

// send commits one message with its ledger marks (after a batch lost a race); when another replica sent
// some of its items meanwhile, it is rebuilt without them.
func (j *Reception) send(ctx context.Context, now time.Time, today xfbot.Date, m message, aud xfbot.Audience, briefs map[xfbot.CaseNo]bot.BriefCase) error {
	for attempt := 1; ; attempt++ {
		tx := j.Store.NewTx()
		j.build(tx, now, today, m, aud, briefs)
		_, err := j.Store.Commit(ctx, tx)
		if err == nil || !errors.Is(err, store.ErrAlreadySent) || attempt == commitRetries {
			return err
		}
		if m.items, err = j.unsent(ctx, m.items); err != nil || len(m.items) == 0 {
			return err
		}
	}
}

// build adds one message to tx with a ledger mark per item: the message
// and its marks commit together or not at all.
func (j *Reception) build(tx *store.Tx, now time.Time, today xfbot.Date, m message, aud xfbot.Audience, briefs map[xfbot.CaseNo]bot.BriefCase) {
	var ids []string
	for _, it := range m.items {
		tx.MarkSentKey(it.entity, it.field, today.String())
		ids = append(ids, it.entity+"/"+it.field)
	}
	tx.Enqueue(outbound(m.to, j.card(m, today, aud, briefs), "jf:"+m.to+":"+strings.Join(ids, ","), now))
}

// card renders a message for its recipient.
func (j *Reception) card(m message, today xfbot.Date, aud xfbot.Audience, briefs map[xfbot.CaseNo]bot.BriefCase) *bot.Card {
	switch m.kind {
	case "brief":
		it := m.items[0]
		v := bot.View{Audience: aud, Today: today, Thresholds: j.thresholds(), Loc: j.loc()}
		var cs []bot.BriefCase
		for _, no := range it.reception.Appointments {
			if bc, ok := briefs[no]; ok {
				cs = append(cs, bc)
			}
		}
		return bot.ReceptionBriefCard(it.reception, it.stage, it.left, cs, v)
	case "norec":
		var lines []string
		for _, it := range m.items {
			r := it.reception
			lines = append(lines, bot.Escape(fmt.Sprintf("• %s %s %s 的接访（%s）", r.ID, r.Leader.Display(), r.When(), r.Place)))
		}
		first := m.items[0].reception.ID
		return &bot.Card{Title: fmt.Sprintf("接访记录未登记（%d 场）", len(m.items)), Color: "orange",
			Sections: []string{strings.Join(lines, "\n")},
			Note:     fmt.Sprintf("请发送“接访 记录 %s 接待N批M人 当场答复K件”登记；未能接访的，请发送“接访 改期 %s <日期>”或“接访 取消 %s <理由>”。", first, first, first)}
	case "nag":
		ml := m.items[0].missing[0]
		period := map[int]string{0: "本月", 1: "本月", 3: "本季度", 6: "本半年", 12: "今年"}[ml.every]
		if period == "" {
			period = "本期"
		}
		s := fmt.Sprintf("您%s尚未接访。按照区领导%s至少接访一次的要求，", period, xfbot.EveryLabel(ml.every))
		switch {
		case ml.planned != nil:
			r := ml.planned
			s += fmt.Sprintf("已为您安排 %s 在%s接访（%s），请预留时间。", r.When(), r.Place, r.ID)
		case ml.past != nil:
			r := ml.past
			s = fmt.Sprintf("您%s %s 的接访（%s）还没有登记接访记录，系统尚不能计为已接访。如已接访，请专班发送“接访 记录 %s 接待N批M人”；未能接访的，请联系专班另行安排。",
				period, r.When(), r.ID, r.ID)
		default:
			s += "目前还没有为您安排接访日，请联系专班安排。"
		}
		return &bot.Card{Title: period + "尚未接访", Color: "orange", Sections: []string{bot.Escape(s)}}
	default: // "lead"
		var lines []string
		for _, ml := range m.items[0].missing {
			s := "• " + ml.leader.Display()
			switch {
			case ml.planned != nil:
				s += fmt.Sprintf("：已安排 %s（%s）", ml.planned.When(), ml.planned.ID)
			case ml.past != nil:
				s += fmt.Sprintf("：%s 的接访未登记记录（%s）", ml.past.When(), ml.past.ID)
			default:
				s += "：尚未安排"
			}
			lines = append(lines, s)
		}
		return &bot.Card{Title: fmt.Sprintf("%s 尚未接访的区领导（%d 位）", xfbot.MonthOf(today).Label(), len(m.items[0].missing)), Color: "orange",
			Sections: []string{bot.Escape(strings.Join(lines, "\n"))}, Note: "发送“接访 安排 @领导 日期”安排；“接访 统计”查看本月情况。"}
	}
}

func (j *Reception) thresholds() xfbot.Thresholds { return j.Thresholds.OrDefault() }

// recordDue reports whether a planned reception's record is due by today:
// its deadline (the reception_record rule of limits.go).
func recordDue(r *xfbot.Reception, cal *xfbot.Calendar, today xfbot.Date) bool {
	for _, d := range r.Deadlines(cal) {
		if !today.Before(d.Due) {
			return true
		}
	}
	return false
}
