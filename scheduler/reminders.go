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

// page is how many cases (and their sent-ledgers) one read loads.
const page = 2000

// dlPage is how many deadline entries one read of the index returns, and
// dlOverlap how many of them the next page reads again: a concurrent run
// that takes entries out (a gap it reminded of) shifts the offsets, and the
// overlap, deduplicated, keeps that from skipping one.
const (
	dlPage    = 5000
	dlOverlap = 100
)

// commitRetries bounds the rebuilds of one message when another replica sent
// some of its lines in the meantime.
const commitRetries = 3

// Reminders is the reminder scan (schedule.overdue): one pass over the
// deadline index (store.Deadlines) from its start to today + the yellow
// window, so that its cost follows what is due and never the ledger. Every
// person gets one direct message per run listing all of their cases that
// need attention and that they were not told about yet: a statutory
// deadline (受理告知, 办结, a 复查/复核 decision) that entered a new warning
// level, no progress for Gaps.Stale days, no contact with a 积案 or 重点
// petitioner, a reminder they asked to have again; the letters to leaders
// whose 阅批 or 交办 is due (letters.go); and, in the same message, the
// escalation steps due for them: an unacknowledged overdue statutory
// deadline climbs the ladder.
//
// Each line is written to its case's or letter's sent-ledger in the same commit that
// queues its message, so any number of replicas, runs and crashes send it
// exactly once; a gap or a snooze reminded of leaves the index in that
// commit, so that a case quiet for months is read once per episode, not
// every run. Owners, leaders and liaisons are resolved when it is sent.
type Reminders struct {
	Store      *store.Store
	Calendar   *xfbot.Calendar
	Thresholds xfbot.Thresholds
	// Gaps decide whether a gap entry of the index is due, from the case
	// as loaded; zero: the store's (Store.WithGaps), which must agree.
	Gaps   xfbot.Gaps
	Ladder []xfbot.Escalation
	Admins []string // the task-force lead: unowned cases and the ladder's top
	// Location is the zone of the days; nil: UTC.
	Location *time.Location
	// Quiet hours QuietFrom to QuietTo o'clock (defaults 21 and 8) and
	// non-working days, by the one rule of quiet.go: only ⚫ (严重超期) goes
	// out then; the rest, escalation steps included, waits.
	QuietFrom, QuietTo int
	Logger             *slog.Logger

	// Supervision spaces a 督查单's ladder (supervise.go); zero: the
	// defaults. GroupChatID is where its 通报 and 挂牌督办 go ("" : none).
	Supervision xfbot.SupervisionLadder
	GroupChatID string
}

// line is a reminder line with its ledger field and recipient.
type line struct {
	bot.ReminderLine
	subject    xfbot.Subject // whose sent-ledger holds field: the case or the letter
	field      string
	to         string
	statutory  bool            // its deadline climbs the ladder when missed
	done       *xfbot.Deadline // the index entry that leaves with the reminder (a gap, a snooze)
	escStarted bool            // the case is on the ladder for this missed deadline already
	// commit adds to the message's transaction what sending an Item line
	// changes besides its ledger mark (an escalation step recorded on a
	// 督查单): it is written exactly when the line is sent.
	commit func(tx *store.Tx)
}

// step is one escalation step due this run, with its recipients.
type step struct {
	state store.EscalationState
	c     *xfbot.Case
	field string
	to    []string
	line  bot.ReminderLine
}

// Run scans as of now.
func (r *Reminders) Run(ctx context.Context, now time.Time) error {
	loc := r.loc()
	today := xfbot.DateOf(now, loc)
	h := r.hush(now)
	members, err := r.Store.Members(ctx)
	if err != nil {
		return err
	}
	lines, stale, err := r.collect(ctx, today)
	if err != nil {
		return err
	}
	byTo := map[string][]line{}
	for _, l := range lines {
		if !h.lets(lineUrgency(l)) {
			continue // deferred, not marked: the next run that may push it sends it
		}
		if l.to == "" && l.Case != nil {
			l.to = r.owner(l.Case)
		}
		if l.to == "" {
			continue
		}
		if to := xfbot.StandIn(members, l.to, today); to != l.to { // a member on leave: their stand-in
			l.Note = joinNote(l.Note, "代"+nameOf(members, l.to)+"接收（请假中）")
			l.to = to
		}
		byTo[l.to] = append(byTo[l.to], l)
	}
	var steps []*step
	var ended []xfbot.CaseNo
	if h.lets(workdayOnly) {
		if steps, ended, err = r.steps(ctx, today, members); err != nil {
			return err
		}
	}
	for _, s := range steps {
		for i, to := range s.to {
			s.to[i] = xfbot.StandIn(members, to, today)
		}
	}
	errs := r.sendAll(ctx, now, today, members, groupsOf(byTo, steps))
	if len(stale) > 0 || len(ended) > 0 {
		// Entries reminded of before (a gap put back by the backfill or by an
		// owner's change), snoozes of closed cases, ladders that ended.
		tx := r.Store.NewTx()
		for _, d := range stale {
			tx.DoneDeadline(d)
		}
		for _, no := range ended {
			tx.EndEscalation(no)
		}
		if _, err := r.Store.Commit(ctx, tx); err != nil {
			errs = append(errs, fmt.Errorf("reminders: tidy the index: %w", err))
		}
	}
	return errors.Join(errs...)
}

// nameOf is the member's name, else their open_id.
func nameOf(ms []xfbot.Member, openID string) string {
	for _, m := range ms {
		if m.OpenID == openID && m.Name != "" {
			return m.Name
		}
	}
	return openID
}

func joinNote(a, b string) string {
	if a == "" {
		return b
	}
	return a + "；" + b
}

// Quiet reports whether now is outside the hours every reminder may go out
// (quiet hours or a non-working day): then only ⚫ does.
func (r *Reminders) Quiet(now time.Time) bool { return r.hush(now) != awake }

func (r *Reminders) hush(now time.Time) hush {
	return hushAt(now, r.loc(), r.Calendar, r.QuietFrom, r.QuietTo)
}

func lineUrgency(l line) urgency {
	if (l.Rule == xfbot.RuleDue || l.Item != nil) && l.Level == xfbot.LevelBlack {
		return evenAtNight
	}
	return workdayOnly
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

// collect reads what is due: the deadline index from its start to today,
// page by page, every kind (overdue and due-today stage deadlines, gaps,
// snoozes); and the stage deadlines ahead in the yellow window, from the
// open cases' due index (idx:open, scored by the stage's Due), because in
// dl that window also holds the gap of every case active this week (last
// progress + 7 days is always in it), which a range read would pay for
// every run. It decides each entry from the member alone where it can (a
// paused clock, the petitioner's window are skipped unread), then from its
// case and sent-ledger, loaded in batches. It returns the lines not sent
// yet, and the entries to take out of the index without a reminder
// (already reminded of, or of a closed case). Letters' 阅批 and 交办 come
// from the same range (letters.go).
func (r *Reminders) collect(ctx context.Context, today xfbot.Date) (lines []line, stale []xfbot.Deadline, err error) {
	th := r.thresholds()
	var due, letters []xfbot.Deadline
	others := map[xfbot.SubjectKind][]xfbot.Deadline{} // plans, 会诊, 督查单, members: subjects.go
	seen := map[xfbot.Deadline]bool{}
	for off := 0; ; {
		ds, err := r.Store.DeadlinesPage(ctx, today, off, dlPage)
		if err != nil {
			return nil, nil, err
		}
		for _, d := range ds {
			switch {
			case seen[d]:
				continue
			case d.Subject.Kind == xfbot.SubjectLetter:
				seen[d] = true
				letters = append(letters, d)
				continue
			case d.Subject.Kind == xfbot.SubjectReception:
				continue // a reception's record: the reception job (reception.go)
			case d.Subject.Kind != xfbot.SubjectCase:
				seen[d] = true
				others[d.Subject.Kind] = append(others[d.Subject.Kind], d)
				continue
			case d.Paused:
				continue // the clock is stopped
			}
			seen[d] = true
			due = append(due, d)
		}
		if len(ds) < dlPage {
			break
		}
		off += len(ds) - dlOverlap
	}
	if th.Yellow > 0 {
		ahead, err := r.Store.Range(ctx, store.Query{Index: store.IndexOpen(), DueFrom: today.AddDays(1), DueTo: today.AddDays(th.Yellow)})
		if err != nil {
			return nil, nil, err
		}
		for _, no := range ahead {
			// The stage's kind is read from the case (lineOf): any stage deadline.
			due = append(due, xfbot.Deadline{Subject: xfbot.Subject{Kind: xfbot.SubjectCase, ID: string(no)}})
		}
	}
	gaps := r.gaps()
	emitted := map[string]bool{}
	for i := 0; i < len(due); {
		// A batch of entries whose cases number at most page.
		var nos []xfbot.CaseNo
		inBatch := map[xfbot.CaseNo]bool{}
		j := i
		for ; j < len(due) && (len(nos) < page || inBatch[xfbot.CaseNo(due[j].Subject.ID)]); j++ {
			if no := xfbot.CaseNo(due[j].Subject.ID); !inBatch[no] {
				inBatch[no] = true
				nos = append(nos, no)
			}
		}
		cases, err := r.Store.Cases(ctx, nos)
		if err != nil {
			return nil, nil, err
		}
		ledgers, err := r.Store.Ledgers(ctx, nos)
		if err != nil {
			return nil, nil, err
		}
		byNo := make(map[xfbot.CaseNo]*xfbot.Case, len(cases))
		for _, c := range cases {
			byNo[c.No] = c
		}
		for _, d := range due[i:j] {
			c := byNo[xfbot.CaseNo(d.Subject.ID)]
			if c == nil || !c.Status.Open() {
				if d.Reminded() {
					stale = append(stale, d) // a snooze of a case closed since (a closing write moves the rest)
				}
				continue
			}
			l, ok := r.lineOf(d, c, today, gaps)
			if !ok {
				continue
			}
			ledger := ledgers[c.No]
			if _, sent := ledger[l.field]; sent {
				if l.done != nil {
					stale = append(stale, d)
				}
				continue
			}
			if k := string(c.No) + "/" + l.field + "/" + l.to; !emitted[k] {
				emitted[k] = true
				_, l.escStarted = ledger["esc:start:"+c.Due.String()]
				l.subject = xfbot.Subject{Kind: xfbot.SubjectCase, ID: string(c.No)}
				lines = append(lines, l)
			}
		}
		i = j
	}
	ls, err := r.letterLines(ctx, letters, today)
	if err != nil {
		return nil, nil, err
	}
	lines = append(lines, ls...)
	os, ostale, err := r.subjectLines(ctx, others, today)
	if err != nil {
		return nil, nil, err
	}
	return append(lines, os...), append(stale, ostale...), nil
}

// lineOf is the warning model of d's rule, applied to its case as loaded:
// for a stage deadline the warning levels of Thresholds on the case's Due
// (what 确认 and the ledger's due:<level>:<due> name); for a gap, due once
// per episode (the day it began: stale:<since>, contact:<since>); for a
// snooze, once on its day (snooze:<open_id>:<day>). ok is false when
// nothing is to be said (yet).
func (r *Reminders) lineOf(d xfbot.Deadline, c *xfbot.Case, today xfbot.Date, gaps xfbot.Gaps) (line, bool) {
	loc := r.loc()
	switch d.Kind {
	case xfbot.DeadlineSnooze:
		d := d
		return line{ReminderLine: bot.ReminderLine{Case: c, Rule: xfbot.RuleSnooze},
			field: fmt.Sprintf("snooze:%s:%s", d.Owner, d.Due), to: d.Owner, done: &d}, true
	case xfbot.DeadlineReviewApply:
		// The petitioner's window: nothing to chase while it runs; the day
		// after it ends unused, the owner hears once that the case may be
		// concluded, and the entry leaves the index.
		if st := c.StageOf(); (st != xfbot.StageReplied && st != xfbot.StageReviewed) || !today.After(d.Due) {
			return line{}, false
		}
		d := d
		return line{ReminderLine: bot.ReminderLine{Case: c, Rule: xfbot.RuleWindow},
			field: fmt.Sprintf("window:%s:%s", c.StageOf(), d.Due), done: &d}, true
	case xfbot.DeadlineProgressGap, xfbot.DeadlineContactGap:
		rule, days, last := xfbot.RuleStale, gaps.Stale, c.LastActivity()
		if d.Kind == xfbot.DeadlineContactGap {
			rule, days, last = xfbot.RuleNoContact, gaps.ContactGap(c), c.LastContact()
		}
		since := xfbot.DateOf(last, loc)
		if days <= 0 || !c.Chased() || since.AddDays(days).After(today) {
			return line{}, false // the record says otherwise: its next write moves the entry
		}
		d := d
		return line{ReminderLine: bot.ReminderLine{Case: c, Rule: rule, Days: today.Sub(since)},
			field: fmt.Sprintf("%s:%s", rule, since), done: &d}, true
	}
	if !c.Chased() || c.Paused() {
		return line{}, false
	}
	lv := r.thresholds().Level(c.Due, today)
	if lv < xfbot.LevelYellow {
		return line{}, false
	}
	if d.Kind == "" { // from idx:open: the stage's own deadline
		for _, sd := range c.Deadlines(r.Calendar, today) {
			d = sd
		}
	}
	return line{ReminderLine: bot.ReminderLine{Case: c, Rule: xfbot.RuleDue, Level: lv},
		field: fmt.Sprintf("due:%s:%s", lv, c.Due), statutory: d.Statutory()}, true
}

// group is what one commit must carry whole: people linked by an
// escalation step (its mark and the ladder's advance are written once,
// with every recipient's message), each with all of their lines.
type group struct {
	to    []string
	lines map[string][]line
	steps []*step
}

// groupsOf joins the people of each step into one group (union-find), and
// gives everyone else a group of their own.
func groupsOf(byTo map[string][]line, steps []*step) []*group {
	parent := map[string]string{}
	var find func(string) string
	find = func(x string) string {
		if p, ok := parent[x]; ok && p != x {
			parent[x] = find(p)
			return parent[x]
		}
		parent[x] = x
		return x
	}
	for to := range byTo {
		find(to)
	}
	var alone []*group
	for _, s := range steps {
		if len(s.to) == 0 {
			alone = append(alone, &group{steps: []*step{s}}) // nobody to tell: the ladder still advances
			continue
		}
		for _, to := range s.to[1:] {
			parent[find(to)] = find(s.to[0])
		}
		find(s.to[0])
	}
	byRoot := map[string]*group{}
	for _, to := range sortedKeys(parent) {
		root := find(to)
		g := byRoot[root]
		if g == nil {
			g = &group{lines: map[string][]line{}}
			byRoot[root] = g
		}
		g.to = append(g.to, to)
		g.lines[to] = byTo[to]
	}
	for _, s := range steps {
		if len(s.to) > 0 {
			g := byRoot[find(s.to[0])]
			g.steps = append(g.steps, s)
		}
	}
	out := alone
	for _, root := range sortedKeys(byRoot) {
		out = append(out, byRoot[root])
	}
	return out
}

// batchSize is how many people's messages one commit carries: a scan with
// a thousand recipients is some twenty round trips, not a thousand.
const batchSize = 50

// sendAll sends everyone's message, whole groups per batch, committed by a
// few workers at once. A batch that loses a race with another replica
// (ErrAlreadySent) is sent again group by group, each without what was
// sent meanwhile.
func (r *Reminders) sendAll(ctx context.Context, now time.Time, today xfbot.Date, members []xfbot.Member, groups []*group) []error {
	batches := make(chan []*group)
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
				started := map[xfbot.CaseNo]bool{}
				for _, g := range batch {
					r.build(tx, now, today, members, g, started)
				}
				_, err := r.Store.Commit(ctx, tx)
				if err == nil {
					continue
				}
				if !errors.Is(err, store.ErrAlreadySent) {
					fail(fmt.Errorf("reminders: %w", err))
					continue
				}
				for _, g := range batch {
					if err := r.send(ctx, now, today, members, g); err != nil {
						fail(fmt.Errorf("reminders to %v: %w", g.to, err))
					}
				}
			}
		}()
	}
	var batch []*group
	n := 0
	for _, g := range groups {
		batch = append(batch, g)
		if n += len(g.to) + len(g.steps); n >= batchSize {
			batches <- batch
			batch, n = nil, 0
		}
	}
	if len(batch) > 0 {
		batches <- batch
	}
	close(batches)
	wg.Wait()
	return errs
}

// send queues one group's messages, rebuilding them without the lines and
// steps another replica sent meanwhile.
func (r *Reminders) send(ctx context.Context, now time.Time, today xfbot.Date, members []xfbot.Member, g *group) error {
	for attempt := 1; ; attempt++ {
		tx := r.Store.NewTx()
		r.build(tx, now, today, members, g, map[xfbot.CaseNo]bool{})
		if tx.Empty() {
			return nil
		}
		_, err := r.Store.Commit(ctx, tx)
		if err == nil || !errors.Is(err, store.ErrAlreadySent) || attempt == commitRetries {
			return err
		}
		if g, err = r.unsent(ctx, g); err != nil {
			return err
		}
	}
}

// unsent is g without the lines and steps whose ledger field is set.
func (r *Reminders) unsent(ctx context.Context, g *group) (*group, error) {
	var subjects []xfbot.Subject
	for _, ls := range g.lines {
		for _, l := range ls {
			subjects = append(subjects, l.subject)
		}
	}
	for _, s := range g.steps {
		subjects = append(subjects, caseSubject(s.c.No))
	}
	ledgers, err := r.Store.SentLedgers(ctx, subjects)
	if err != nil {
		return nil, err
	}
	out := &group{to: g.to, lines: map[string][]line{}}
	for to, ls := range g.lines {
		for _, l := range ls {
			if _, sent := ledgers[l.subject][l.field]; !sent {
				if l.Case != nil {
					_, l.escStarted = ledgers[l.subject]["esc:start:"+l.Case.Due.String()]
				}
				out.lines[to] = append(out.lines[to], l)
			}
		}
	}
	for _, s := range g.steps {
		if _, sent := ledgers[caseSubject(s.c.No)][s.field]; !sent {
			out.steps = append(out.steps, s)
		}
	}
	return out, nil
}

// build adds one group to tx: each step's ledger mark and the ladder's
// advance, once; then each person's one message with all their lines and
// the steps that go to them, a ledger mark per line, a recipient note per
// case (who may 确认 it), and for an overdue statutory line the start of
// the escalation ladder, once per missed deadline.
func (r *Reminders) build(tx *store.Tx, now time.Time, today xfbot.Date, members []xfbot.Member, g *group, started map[xfbot.CaseNo]bool) {
	stepsTo := map[string][]*step{}
	var stepIDs []string
	for _, s := range g.steps {
		r.takeStep(tx, s, today)
		stepIDs = append(stepIDs, string(s.c.No)+"/"+s.field)
		for _, to := range s.to {
			stepsTo[to] = append(stepsTo[to], s)
		}
	}
	th := r.thresholds()
	for _, to := range g.to {
		lines := g.lines[to]
		if len(lines) == 0 && len(stepsTo[to]) == 0 {
			continue
		}
		sort.SliceStable(lines, func(i, j int) bool { return rank(lines[i]) > rank(lines[j]) })
		v := bot.View{Audience: audienceOf(members, to), Today: today, Thresholds: th, Loc: r.loc()}
		var rl []bot.ReminderLine
		var fields []string
		at := map[xfbot.CaseNo]int{} // a case's line in rl: one line per case
		note := func(i int, extra string) {
			if rl[i].Note != "" {
				extra = rl[i].Note + "；" + extra
			}
			rl[i].Note = extra
		}
		letters := 0
		for _, l := range lines {
			if l.Item != nil { // its own line, its subject's ledger, its own ladder (commit)
				rl = append(rl, l.ReminderLine)
				fields = append(fields, l.subject.String()+"/"+l.field)
				tx.MarkSentFor(l.subject, l.field, today.String())
				if l.commit != nil {
					l.commit(tx)
				}
				if l.done != nil {
					tx.DoneDeadline(*l.done)
				}
				continue
			}
			if l.Letter != nil { // its own line, its letter's ledger, no ladder
				letters++
				l.Reader = readerOf(members, to, l.Letter)
				rl = append(rl, l.ReminderLine)
				fields = append(fields, l.subject.ID+"/"+l.field)
				tx.MarkSentFor(l.subject, l.field, today.String())
				continue
			}
			if i, ok := at[l.Case.No]; ok {
				note(i, "另："+l.Reason(v)) // the same case for another reason: a note under its line
			} else {
				at[l.Case.No] = len(rl)
				rl = append(rl, l.ReminderLine)
				tx.NoteRecipient(l.Case.No, l.Case.Due, to, today) // who may 确认 it
			}
			fields = append(fields, string(l.Case.No)+"/"+l.field)
			tx.MarkSent(l.Case.No, l.field, today.String())
			if l.Rule == xfbot.RuleDue && l.statutory && l.Level >= xfbot.LevelRed && !l.escStarted && len(r.ladder()) > 0 && !started[l.Case.No] {
				started[l.Case.No] = true
				r.startEscalation(tx, l.Case, today)
			}
			if l.done != nil {
				tx.DoneDeadline(*l.done)
			}
		}
		for _, s := range stepsTo[to] {
			if i, ok := at[s.c.No]; ok {
				note(i, s.line.Note) // an escalation step of a case already listed
			} else {
				at[s.c.No] = len(rl)
				rl = append(rl, s.line)
			}
			tx.NoteRecipient(s.c.No, s.c.Due, to, today) // who may 确认 it
		}
		title := "办理提醒"
		switch {
		case len(lines) == 0:
			title = "超期升级提醒"
		case letters == len(lines) && len(stepsTo[to]) == 0:
			title = "领导来信待交办" // letters only: as the letter reminders were titled
			if rl[0].Letter.Stage() == xfbot.LetterUnread {
				title = "领导来信待阅批"
			}
		}
		card := bot.ReminderCard(title, rl, v)
		tx.Enqueue(outbound(to, card, "rem:"+to+":"+today.String()+":"+strings.Join(fields, ",")+"|"+strings.Join(stepIDs, ","), now))
	}
}

// startEscalation puts an overdue case on the ladder, once per missed
// deadline, with the ladder as configured now.
func (r *Reminders) startEscalation(tx *store.Tx, c *xfbot.Case, today xfbot.Date) {
	ladder := r.ladder()
	tx.MarkSent(c.No, "esc:start:"+c.Due.String(), today.String())
	tx.StartEscalation(store.EscalationState{No: c.No, Episode: c.Due.String(), Started: today.String(), Ladder: ladder},
		r.workdaysAfter(today, ladder[0].After))
}

// workdaysAfter is the day of a ladder step: n working days after d (the
// ladder counts working days, like the task force's internal periods).
func (r *Reminders) workdaysAfter(d xfbot.Date, n int) xfbot.Date {
	return r.Calendar.WorkdaysAfter(d, n)
}

func rank(l line) int {
	if l.Letter != nil {
		return 10 + int(l.Level) // 🟠 on its last day, 🔴 once missed (letterLines)
	}
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
		MsgType: "interactive", Content: js, Text: card.Text(), EnqueuedAt: now, Cases: bot.CardCases(card)}
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
		return r.Store.Gaps()
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
			return m.Audience()
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
