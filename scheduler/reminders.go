package scheduler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/bot"
	"github.com/qingchuan/xfbot/store"
)

// page is how many cases one read of an index returns.
const page = 2000

// commitRetries bounds the rebuilds of one message when another replica sent
// some of its lines in the meantime.
const commitRetries = 3

// Reminders is the reminder scan (schedule.overdue): every person gets one
// direct message listing all of their cases that need attention and that
// they were not told about yet: a deadline that entered a new warning level,
// no progress for Gaps.Stale days, no contact with a 积案 or 重点 petitioner,
// a reminder they asked to have again. An unacknowledged overdue case then
// climbs the escalation ladder.
//
// Each line is written to the case's sent-ledger in the same commit that
// queues its message, so any number of replicas, runs and crashes send it
// exactly once. Owners, leaders and liaisons are resolved when it is sent.
type Reminders struct {
	Store      *store.Store
	Calendar   *xfbot.Calendar
	Thresholds xfbot.Thresholds
	Gaps       xfbot.Gaps
	Ladder     []xfbot.Escalation
	Admins     []string // the task-force lead: unowned cases and the ladder's top
	Location   *time.Location
	// Quiet hours: no pushes from QuietFrom to QuietTo o'clock, nor on
	// non-working days, except for ⚫ (严重超期). Defaults 21 and 8.
	QuietFrom, QuietTo int
	Logger             *slog.Logger
}

// line is a reminder line with its ledger field and recipient.
type line struct {
	bot.ReminderLine
	field      string
	to         string
	escStarted bool // the case is on the ladder for this missed deadline already
}

// Run scans as of now.
func (r *Reminders) Run(ctx context.Context, now time.Time) error {
	loc := r.loc()
	today := xfbot.DateOf(now, loc)
	quiet := r.Quiet(now)
	members, err := r.Store.Members(ctx)
	if err != nil {
		return err
	}
	lines, err := r.collect(ctx, now, today)
	if err != nil {
		return err
	}
	byTo := map[string][]line{}
	for _, l := range lines {
		if quiet && !(l.Rule == xfbot.RuleDue && l.Level == xfbot.LevelBlack) {
			continue // deferred, not marked: the next working run sends it
		}
		if l.to == "" {
			l.to = r.owner(l.Case)
		}
		if l.to == "" {
			continue
		}
		byTo[l.to] = append(byTo[l.to], l)
	}
	errs := r.sendAll(ctx, now, today, members, byTo)
	if !quiet {
		if err := r.escalate(ctx, now, today, members); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Quiet reports whether now is outside the hours pushes are allowed.
func (r *Reminders) Quiet(now time.Time) bool {
	from, to := r.QuietFrom, r.QuietTo
	if from == 0 && to == 0 {
		from, to = 21, 8
	}
	t := now.In(r.loc())
	h := t.Hour()
	return !r.Calendar.IsWorkday(xfbot.DateOf(t, r.loc())) || h >= from || h < to
}

func (r *Reminders) loc() *time.Location {
	if r.Location == nil {
		return time.UTC
	}
	return r.Location
}

// owner is who gets a case's reminders: its 包案人, else the task-force lead.
func (r *Reminders) owner(c *xfbot.Case) string {
	if c.Owner.OpenID != "" {
		return c.Owner.OpenID
	}
	if len(r.Admins) > 0 {
		return r.Admins[0]
	}
	return ""
}

// collect finds every line not sent yet. Each read is a range of an index,
// so the cost follows what is due, not the size of the ledger.
func (r *Reminders) collect(ctx context.Context, now time.Time, today xfbot.Date) ([]line, error) {
	th := r.thresholds()
	var lines []line
	nos, err := r.Store.Range(ctx, store.Query{Index: store.IndexOpen(), DueTo: today.AddDays(th.Yellow)})
	if err != nil {
		return nil, err
	}
	err = r.each(ctx, nos, func(c *xfbot.Case) {
		if c.Paused() || !c.Chased() {
			return // the clock is stopped (听证、鉴定), or the stage waits on the petitioner: nothing runs out
		}
		lv := th.Level(c.Due, today)
		if lv >= xfbot.LevelYellow {
			lines = append(lines, line{ReminderLine: bot.ReminderLine{Case: c, Rule: xfbot.RuleDue, Level: lv},
				field: fmt.Sprintf("due:%s:%s", lv, c.Due)})
		}
	})
	if err != nil {
		return nil, err
	}
	gaps := r.gaps()
	quiet := func(class string, days int, rule xfbot.Rule, last func(*xfbot.Case) time.Time) error {
		if days <= 0 {
			return nil
		}
		before := today.AddDays(-days + 1).Time(r.loc()) // quiet since before the start of that day
		nos, err := r.Store.QuietRange(ctx, class, before.Add(-time.Second))
		if err != nil {
			return err
		}
		return r.each(ctx, nos, func(c *xfbot.Case) {
			since := xfbot.DateOf(last(c), r.loc())
			if class != "" && gaps.ContactGap(c) != days {
				return
			}
			lines = append(lines, line{ReminderLine: bot.ReminderLine{Case: c, Rule: rule, Days: today.Sub(since)},
				field: fmt.Sprintf("%s:%s", rule, since)})
		})
	}
	if err := quiet("", gaps.Stale, xfbot.RuleStale, (*xfbot.Case).LastActivity); err != nil {
		return nil, err
	}
	if err := quiet("key", gaps.ContactKey, xfbot.RuleNoContact, (*xfbot.Case).LastContact); err != nil {
		return nil, err
	}
	if err := quiet("backlog", gaps.ContactBacklog, xfbot.RuleNoContact, (*xfbot.Case).LastContact); err != nil {
		return nil, err
	}
	snoozes, err := r.Store.DueSnoozes(ctx, today)
	if err != nil {
		return nil, err
	}
	if len(snoozes) > 0 {
		nos := make([]xfbot.CaseNo, len(snoozes))
		for i, s := range snoozes {
			nos[i] = s.No
		}
		cases, err := r.Store.Cases(ctx, nos)
		if err != nil {
			return nil, err
		}
		byNo := map[xfbot.CaseNo]*xfbot.Case{}
		for _, c := range cases {
			byNo[c.No] = c
		}
		for _, s := range snoozes {
			if c := byNo[s.No]; c != nil && c.Status.Open() {
				lines = append(lines, line{ReminderLine: bot.ReminderLine{Case: c, Rule: xfbot.RuleSnooze},
					field: fmt.Sprintf("snooze:%s:%s", s.OpenID, s.Day), to: s.OpenID})
			}
		}
	}
	return r.unsent(ctx, lines)
}

// unsent drops the lines whose ledger field is set already.
func (r *Reminders) unsent(ctx context.Context, lines []line) ([]line, error) {
	seen := map[xfbot.CaseNo]bool{}
	var nos []xfbot.CaseNo
	for _, l := range lines {
		if !seen[l.Case.No] {
			seen[l.Case.No] = true
			nos = append(nos, l.Case.No)
		}
	}
	ledgers, err := r.Store.Ledgers(ctx, nos)
	if err != nil {
		return nil, err
	}
	out := lines[:0]
	for _, l := range lines {
		if _, sent := ledgers[l.Case.No][l.field]; !sent {
			_, l.escStarted = ledgers[l.Case.No]["esc:start:"+l.Case.Due.String()]
			out = append(out, l)
		}
	}
	return out, nil
}

// each reads the cases in chunks of page and calls f for each.
func (r *Reminders) each(ctx context.Context, nos []xfbot.CaseNo, f func(*xfbot.Case)) error {
	for i := 0; i < len(nos); i += page {
		cs, err := r.Store.Cases(ctx, nos[i:min(i+page, len(nos))])
		if err != nil {
			return err
		}
		for _, c := range cs {
			f(c)
		}
	}
	return nil
}

// batchSize is how many people's messages one commit carries: a scan with
// a thousand recipients is forty round trips, not a thousand.
const batchSize = 50

// sendAll sends everyone's message, in batches committed by a few workers at
// once. A batch that loses a race with another replica (ErrAlreadySent) is
// sent again person by person, each without the lines already sent.
func (r *Reminders) sendAll(ctx context.Context, now time.Time, today xfbot.Date, members []xfbot.Member, byTo map[string][]line) []error {
	tos := sortedKeys(byTo)
	batches := make(chan []string)
	var mu sync.Mutex
	var errs []error
	fail := func(err error) {
		mu.Lock()
		errs = append(errs, err)
		mu.Unlock()
	}
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for batch := range batches {
				tx := r.Store.NewTx()
				for _, to := range batch {
					r.build(tx, now, today, to, audienceOf(members, to), byTo[to])
				}
				_, err := r.Store.Commit(ctx, tx)
				if err == nil {
					continue
				}
				if !errors.Is(err, store.ErrAlreadySent) {
					fail(fmt.Errorf("reminders: %w", err))
					continue
				}
				for _, to := range batch {
					if err := r.send(ctx, now, today, to, audienceOf(members, to), byTo[to]); err != nil {
						fail(fmt.Errorf("reminders to %s: %w", to, err))
					}
				}
			}
		}()
	}
	for i := 0; i < len(tos); i += batchSize {
		batches <- tos[i:min(i+batchSize, len(tos))]
	}
	close(batches)
	wg.Wait()
	return errs
}

// send queues one message to a person with all their lines, marking each
// line in the ledger in the same commit, rebuilding it without the lines
// another replica sent meanwhile.
func (r *Reminders) send(ctx context.Context, now time.Time, today xfbot.Date, to string, aud xfbot.Audience, lines []line) error {
	for attempt := 1; ; attempt++ {
		tx := r.Store.NewTx()
		r.build(tx, now, today, to, aud, lines)
		_, err := r.Store.Commit(ctx, tx)
		if err == nil || !errors.Is(err, store.ErrAlreadySent) || attempt == commitRetries {
			return err
		}
		if lines, err = r.unsent(ctx, lines); err != nil || len(lines) == 0 {
			return err
		}
	}
}

// build adds one person's message to tx: the card with all their lines, a
// ledger mark per line, and for an overdue line the start of the escalation
// ladder, once per missed deadline.
func (r *Reminders) build(tx *store.Tx, now time.Time, today xfbot.Date, to string, aud xfbot.Audience, lines []line) {
	sort.SliceStable(lines, func(i, j int) bool { return urgency(lines[i]) > urgency(lines[j]) })
	var rl []bot.ReminderLine
	var fields []string
	started := map[xfbot.CaseNo]bool{}
	at := map[xfbot.CaseNo]int{} // a case's line in rl: one line per case
	for _, l := range lines {
		if i, ok := at[l.Case.No]; ok {
			// The same case for another reason: a note under its line.
			extra := "另：" + l.Reason(bot.View{Today: today, Thresholds: r.thresholds(), Loc: r.loc()})
			if rl[i].Note != "" {
				extra = rl[i].Note + "；" + strings.TrimPrefix(extra, "另：")
			}
			rl[i].Note = extra
		} else {
			at[l.Case.No] = len(rl)
			rl = append(rl, l.ReminderLine)
			tx.NoteRecipient(l.Case.No, l.Case.Due, to, today) // who may 确认 it
		}
		fields = append(fields, string(l.Case.No)+"/"+l.field)
		tx.MarkSent(l.Case.No, l.field, today.String())
		if l.Rule == xfbot.RuleDue && l.Level >= xfbot.LevelRed && !l.escStarted && len(r.ladder()) > 0 && !started[l.Case.No] {
			started[l.Case.No] = true
			r.startEscalation(tx, l.Case, today)
		}
		if l.Rule == xfbot.RuleSnooze {
			tx.Unsnooze(l.Case.No, to)
		}
	}
	v := bot.View{Audience: aud, Today: today, Thresholds: r.thresholds(), Loc: r.loc()}
	card := bot.ReminderCard("办理提醒", rl, v)
	tx.Enqueue(outbound(to, card, "rem:"+to+":"+today.String()+":"+strings.Join(fields, ","), now))
}

// startEscalation puts an overdue case on the ladder, once per missed
// deadline, with the ladder as configured now.
func (r *Reminders) startEscalation(tx *store.Tx, c *xfbot.Case, today xfbot.Date) {
	ladder := r.ladder()
	tx.MarkSent(c.No, "esc:start:"+c.Due.String(), today.String())
	tx.StartEscalation(store.EscalationState{No: c.No, Episode: c.Due.String(), Started: today.String(), Ladder: ladder},
		r.workdaysAfter(today, ladder[0].After))
}

func (r *Reminders) workdaysAfter(d xfbot.Date, n int) xfbot.Date {
	if n <= 0 {
		return d
	}
	return xfbot.ComputeDue(d, n, xfbot.DayWorking, r.Calendar, nil)
}

func urgency(l line) int {
	switch l.Rule {
	case xfbot.RuleDue:
		return 10 + int(l.Level)
	case xfbot.RuleSnooze:
		return 5
	}
	return 0
}

// outbound is a direct message with a uuid derived from what it carries, so
// that a message rebuilt after a crash is the same message to Feishu.
func outbound(openID string, card *bot.Card, identity string, now time.Time) store.OutboundMessage {
	js, err := card.JSON()
	om := store.OutboundMessage{ID: uuidOf(identity), Kind: store.KindSend, ReceiveIDType: "open_id", ReceiveID: openID,
		MsgType: "interactive", Content: js, Text: card.Text(), EnqueuedAt: now}
	if err != nil {
		om.MsgType, om.Content = "text", bot.TextContent(card.Text())
	}
	return om
}

// uuidOf derives a Feishu idempotency uuid from what a message carries.
func uuidOf(identity string) string { return store.MessageUUID(identity) }

func (r *Reminders) thresholds() xfbot.Thresholds { return r.Thresholds.OrDefault() }

func (r *Reminders) gaps() xfbot.Gaps {
	if r.Gaps == (xfbot.Gaps{}) {
		return xfbot.DefaultGaps
	}
	return r.Gaps
}

func (r *Reminders) ladder() []xfbot.Escalation {
	if len(r.Ladder) == 0 {
		return xfbot.DefaultLadder
	}
	return r.Ladder
}

// audienceOf is how a direct message to openID is masked: by the member's
// role and unit (an accuser stays anonymous to the accused unit).
func audienceOf(ms []xfbot.Member, openID string) xfbot.Audience {
	for _, m := range ms {
		if m.OpenID == openID {
			return xfbot.Audience{Role: m.Role, Unit: m.Unit}
		}
	}
	return xfbot.Audience{Role: xfbot.RoleMember}
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
