package xfbot

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// This file is the one place where the ledger's figures (统计口径) are
// defined: which events are counted when a case is written, and how the
// figures of a period are computed from those counts. Pushes (the monthly
// report, the weekly group digest), the 统计 command and the 统计 sheet of
// the exported ledger all go through it, so they always agree.
//
// Counts are kept on write, per day and per month, for the whole district
// and per 主责单位, so that no figure needs a scan of the ledger. A count is
// booked on the day its event happened (Asia/Shanghai, or the configured
// zone) and to the unit the case had at that moment; moving a case to
// another unit moves its registration and its open stock with it.
//
// Figures count cases, not events (化解数 is the number of distinct cases
// resolved in the period). The counters are summed over the days of a week
// (Monday to Sunday) or read whole for a month, so a once-per-case event is
// booked into the day's counter only when the case had no such event
// earlier in the same week, and into the month's counter only when it had
// none earlier in the same month (CountedDays keeps the last one on the
// case). Only those two period shapes are exact: the store refuses others.

// Counter names one count kept per day and per month.
type Counter string

const (
	// CountNew: cases registered (增量), booked on the registration day. When
	// a case changes unit, its registration moves to the new unit (on the
	// original day), so that inflow by unit follows the current owner.
	CountNew Counter = "new"
	// CountOpen: the net change of open cases (办理中 + 稳控中). Open cases
	// at any past moment = open now − the net changes since; this gives the
	// stock at the start of any period (期初存量) without a snapshot.
	CountOpen Counter = "open"
	// CountResolved: cases entering 已化解 (化解数), on the resolution day,
	// once per case and week or month (a case resolved, reopened and
	// resolved again in the period counts once).
	CountResolved Counter = "resolved"
	// CountOnTime and CountLate split CountResolved: resolved on or before
	// the effective last day (extensions and pauses included), or after it,
	// as the case stood at its first resolution in the period.
	CountOnTime Counter = "ontime"
	CountLate   Counter = "late"
	// CountClosed: cases signed off the ledger (销号数), once per case and
	// period.
	CountClosed Counter = "closed"
	// CountReopened: resolved or closed cases taken up again (重开), once
	// per case and period.
	CountReopened Counter = "reopened"
	// CountRepeat: repeat petitions (重复信访): cases reopened (the matter
	// came back) or newly tagged 重复信访, once per case and period whether
	// it was reopened, tagged or both.
	CountRepeat Counter = "repeat"
	// CountBeyond: cases newly tagged 越级访 (went past the district), once
	// per case and period.
	CountBeyond Counter = "beyond"
	// CountContact: home visits and talks recorded (下访、接谈): every one
	// counts (次数, not cases).
	CountContact Counter = "contact"
	// CountExtended: extensions granted (延期); a case has one at most.
	CountExtended Counter = "extended"

	// The procedure track's events, on the day they happened (the business
	// date the step names, which may be before the write). A case moves
	// forward on the track only, so each is once per case.
	//
	// CountIntake: a case registered 待受理 handled at intake (受理, 不予受理,
	// 转送, 导入); CountIntakeOnTime: of those, within its 15-day 受理期限.
	CountIntake       Counter = "intake"
	CountIntakeOnTime Counter = "intake_ok"
	// CountReplied: written replies (答复, 处理意见书); CountRepliedOnTime:
	// of those, by the case's 办结期限 (extension and pauses included).
	CountReplied       Counter = "replied"
	CountRepliedOnTime Counter = "replied_ok"
	// CountReview / CountRecheck: 复查 / 复核 requests (late ones too).
	CountReview  Counter = "review"
	CountRecheck Counter = "recheck"
	// CountDecided: 复查 and 复核 decisions; CountUpheld: of those, 维持.
	CountDecided Counter = "decided"
	CountUpheld  Counter = "upheld"
)

// CountIn says which counters a count goes into: the day's and the
// month's (the zero value), or only one of them, for a once-per-case event
// the case already had earlier in the same month (InDays) or week (InMonth).
type CountIn int

const (
	InBoth CountIn = iota
	InDays
	InMonth
)

// Count is one change of one counter, for the whole district and for Unit
// ("" for cases without a 主责单位), and for Owner (the 包案人's open_id) when
// the count is a member's work: resolutions, sign-offs, contacts.
type Count struct {
	Counter Counter
	Unit    string
	Owner   string
	Day     Date
	N       int64
	In      CountIn
}

// CountedDays are, for one case, the last day of each event that the
// figures count once per case and period: a case resolved, reopened and
// resolved again in one week is one 化解 of that week. They live on the case
// (Case.Counted) because a reopen clears ResolvedOn and ClosedOn.
type CountedDays struct {
	Resolved, Closed, Reopened, Repeat, Beyond Date
}

// ownerCounted are the counters also kept per 包案人 (统计 成员).
var ownerCounted = map[Counter]bool{CountResolved: true, CountOnTime: true, CountLate: true, CountClosed: true, CountContact: true}

// OwnerField is the name under which a counter is kept for one 包案人.
func OwnerField(ctr Counter, owner string) string { return string(ctr) + "@" + owner }

// Owners lists the 包案人 that appear in c (who did counted work), sorted.
func (c Counts) Owners() []string {
	seen := map[string]bool{}
	for k, n := range c {
		if ctr, owner, ok := strings.Cut(k, "@"); ok && n != 0 && ownerCounted[Counter(ctr)] && owner != "" {
			seen[owner] = true
		}
	}
	out := make([]string, 0, len(seen))
	for o := range seen {
		out = append(out, o)
	}
	sort.Strings(out)
	return out
}

// CaseCounts returns the counts a write of c changes: old is the case as it
// was, nil for a case being registered (or imported, possibly already
// concluded). Days are taken in loc. It records in c.Counted the days of the
// once-per-case events it saw, so c must be stored after it is called.
func CaseCounts(old, c *Case, loc *time.Location) []Count {
	var out []Count
	add := func(ctr Counter, unit string, day Date, n int64, in CountIn) {
		cnt := Count{Counter: ctr, Unit: unit, Day: day, N: n, In: in}
		if ownerCounted[ctr] {
			cnt.Owner = c.Owner.OpenID
		}
		out = append(out, cnt)
	}
	// once books a once-per-case event of day, given the case's last one.
	once := func(last *Date, ctr Counter, day Date) (CountIn, bool) {
		in, ok := OnceIn(*last, day)
		if ok {
			add(ctr, c.Unit, day, 1, in)
		}
		if day.After(*last) {
			*last = day
		}
		return in, ok
	}
	resolved := func(last *Date, on Date) {
		if in, ok := once(last, CountResolved, on); ok {
			if c.Due.IsZero() || !on.After(c.Due) {
				add(CountOnTime, c.Unit, on, 1, in)
			} else {
				add(CountLate, c.Unit, on, 1, in)
			}
		}
	}

	if old == nil {
		// A case starts with nothing counted, whatever it carries.
		c.Counted = CountedDays{}
		k := &c.Counted
		reg := DateOf(c.CreatedAt, loc)
		add(CountNew, c.Unit, reg, 1, InBoth)
		add(CountOpen, c.Unit, reg, 1, InBoth)
		if c.HasTag(TagRepeat) {
			once(&k.Repeat, CountRepeat, reg)
		}
		if c.HasTag(TagBeyond) {
			once(&k.Beyond, CountBeyond, reg)
		}
		if c.Status.Open() {
			return out
		}
		// An imported case that was concluded already.
		end := firstDate(c.ResolvedOn, c.ClosedOn, reg)
		add(CountOpen, c.Unit, end, -1, InBoth)
		if !c.ResolvedOn.IsZero() {
			resolved(&k.Resolved, c.ResolvedOn)
		}
		if c.Status == StatusClosed {
			once(&k.Closed, CountClosed, firstDate(c.ClosedOn, end))
		}
		return out
	}

	// What was counted before: a case stored before CountedDays existed
	// still has its resolution and sign-off days until a reopen clears them.
	c.Counted = old.Counted
	k := &c.Counted
	if old.ResolvedOn.After(k.Resolved) {
		k.Resolved = old.ResolvedOn
	}
	if old.ClosedOn.After(k.Closed) {
		k.Closed = old.ClosedOn
	}
	day := DateOf(c.UpdatedAt, loc)
	if old.Unit != c.Unit {
		reg := DateOf(c.CreatedAt, loc)
		add(CountNew, old.Unit, reg, -1, InBoth)
		add(CountNew, c.Unit, reg, 1, InBoth)
	}
	if old.Status.Open() && (!c.Status.Open() || old.Unit != c.Unit) {
		add(CountOpen, old.Unit, day, -1, InBoth)
	}
	if c.Status.Open() && (!old.Status.Open() || old.Unit != c.Unit) {
		add(CountOpen, c.Unit, day, 1, InBoth)
	}
	if old.Status != StatusResolved && c.Status == StatusResolved {
		resolved(&k.Resolved, firstDate(c.ResolvedOn, day))
	}
	if old.Status != StatusClosed && c.Status == StatusClosed {
		once(&k.Closed, CountClosed, day)
	}
	reopened := !old.Status.Open() && c.Status.Open()
	if reopened {
		once(&k.Reopened, CountReopened, day)
	}
	if reopened || (!old.HasTag(TagRepeat) && c.HasTag(TagRepeat)) {
		once(&k.Repeat, CountRepeat, day)
	}
	if !old.HasTag(TagBeyond) && c.HasTag(TagBeyond) {
		once(&k.Beyond, CountBeyond, day)
	}
	if c.LastContactAt.After(old.LastContactAt) {
		add(CountContact, c.Unit, DateOf(c.LastContactAt, loc), 1, InBoth)
	}
	if c.ExtensionDays > old.ExtensionDays {
		add(CountExtended, c.Unit, day, 1, InBoth)
	}
	procedureCounts(old, c, add)
	return out
}

// procedureCounts books the step old → c took on the procedure track.
func procedureCounts(old, c *Case, add func(Counter, string, Date, int64, CountIn)) {
	from, to := old.StageOf(), c.StageOf()
	if from == to {
		return
	}
	timely := func(all, ok Counter, on, due Date) {
		add(all, c.Unit, on, 1, InBoth)
		if due.IsZero() || !on.After(due) {
			add(ok, c.Unit, on, 1, InBoth)
		}
	}
	switch {
	case from == StageRegistered:
		on := c.AcceptedOn
		if to != StageHandling {
			on = c.Proc.EndedOn
		}
		timely(CountIntake, CountIntakeOnTime, on, old.Due) // Due is the 受理期限 while registered
	case from == StageHandling && to == StageReplied:
		timely(CountReplied, CountRepliedOnTime, c.Proc.Reply.On, old.Due)
	case to == StageReview:
		add(CountReview, c.Unit, c.Proc.Review.RequestedOn, 1, InBoth)
	case to == StageRecheck:
		add(CountRecheck, c.Unit, c.Proc.Recheck.RequestedOn, 1, InBoth)
	}
	decided := func(a Answer) {
		add(CountDecided, c.Unit, a.On, 1, InBoth)
		if a.Result == OutcomeUphold {
			add(CountUpheld, c.Unit, a.On, 1, InBoth)
		}
	}
	switch {
	case from == StageReview && to == StageReviewed:
		decided(c.Proc.Review)
	case from == StageRecheck && to == StageTerminated:
		decided(c.Proc.Recheck)
	}
}

// OnceIn is the counting rule of a once-per-case event on day, when the
// case's last such event was on last (zero: none): it goes into the day's
// counter unless last is in the same week (Monday to Sunday), and into the
// month's counter unless last is in the same month; ok is false when it goes
// into neither (counted already in both periods).
func OnceIn(last, day Date) (in CountIn, ok bool) {
	if last.IsZero() {
		return InBoth, true
	}
	week := WeekPeriod(last).From == WeekPeriod(day).From
	month := MonthOf(last) == MonthOf(day)
	switch {
	case week && month:
		return InBoth, false
	case week:
		return InMonth, true
	case month:
		return InDays, true
	}
	return InBoth, true
}

func firstDate(ds ...Date) Date {
	for _, d := range ds {
		if !d.IsZero() {
			return d
		}
	}
	return Date{}
}

// Counts are counter totals over some days, by field: Field(counter, unit).
type Counts map[string]int64

// CountField is the name under which a counter is kept: the counter alone for
// the whole district, "counter|unit" per unit.
func CountField(ctr Counter, unit string, perUnit bool) string {
	if !perUnit {
		return string(ctr)
	}
	return string(ctr) + "|" + unit
}

// Get returns the counter for the whole district (all) or for unit.
func (c Counts) Get(ctr Counter, unit string, all bool) int64 {
	return c[CountField(ctr, unit, !all)]
}

// Add adds o to c.
func (c Counts) Add(o Counts) {
	for k, v := range o {
		c[k] += v
	}
}

// Units lists the units that appear in c, sorted.
func (c Counts) Units() []string {
	seen := map[string]bool{}
	for k := range c {
		for i := 0; i < len(k); i++ {
			if k[i] == '|' {
				seen[k[i+1:]] = true
				break
			}
		}
	}
	out := make([]string, 0, len(seen))
	for u := range seen {
		out = append(out, u)
	}
	sort.Strings(out)
	return out
}

// Period is a span of days, both ends included.
type Period struct {
	From, To Date
	Label    string // 2026年3月, 本周（11月23日—11月29日）
}

// IsWeek reports whether p is a week, Monday to Sunday.
func (p Period) IsWeek() bool {
	return p.From.Weekday() == time.Monday && p.To == p.From.AddDays(6)
}

// IsMonth reports whether p is a calendar month.
func (p Period) IsMonth() bool {
	m := MonthOf(p.From)
	return p.From == m.First() && p.To == m.Last()
}

// MonthPeriod is the calendar month m.
func MonthPeriod(m Month) Period { return Period{From: m.First(), To: m.Last(), Label: m.Label()} }

// WeekPeriod is the week (Monday to Sunday) that d falls in.
func WeekPeriod(d Date) Period {
	from := d.AddDays(-((int(d.Weekday()) + 6) % 7))
	to := from.AddDays(6)
	return Period{From: from, To: to, Label: fmt.Sprintf("%d月%d日—%d月%d日", int(from.Month), from.Day, int(to.Month), to.Day)}
}

// MemberFigures are one 包案人's figures (统计 成员, petition-domain §3.12):
// for the task force's own eyes, never ranked in a group.
type MemberFigures struct {
	Owner    Person
	Open     int64 // 在办包案件数 now
	Overdue  int64 // of those, past their last day
	Fresh    int64 // of those, with progress within the last FreshDays
	Resolved int64 // 本期化解
	Closed   int64 // 本期销号
	Contacts int64 // 本期下访、接谈
	OnTime   int64 // of 本期化解, on or before the last day (按期化解)
	Late     int64 // of 本期化解, after it
}

// FreshDays is the window of 进展更新及时率.
const FreshDays = 7

// Timeliness (进展更新及时率) = 在办包案件中 FreshDays 天内有进展的 ÷ 在办包案件.
func (m MemberFigures) Timeliness() Rate { return Rate{m.Fresh, m.Open} }

// MemberCounts fills a member's period counts from during.
func (m *MemberFigures) MemberCounts(during Counts) {
	m.Resolved = during[OwnerField(CountResolved, m.Owner.OpenID)]
	m.Closed = during[OwnerField(CountClosed, m.Owner.OpenID)]
	m.Contacts = during[OwnerField(CountContact, m.Owner.OpenID)]
	m.OnTime = during[OwnerField(CountOnTime, m.Owner.OpenID)]
	m.Late = during[OwnerField(CountLate, m.Owner.OpenID)]
}

// OnTimeRate (本期按期化解率) = 本期按期化解 ÷ 本期化解 (on time or late):
// a member's timeliness, never a ranking.
func (m MemberFigures) OnTimeRate() Rate { return Rate{m.OnTime, m.OnTime + m.Late} }

// UnitNone is how figures name the cases without a 主责单位.
const UnitNone = "未定主责单位"

// UnitLabel is u as shown in figures.
func UnitLabel(u string) string {
	if u == "" {
		return UnitNone
	}
	return u
}

// Figures are the statistics of one period, for the district or one unit
// (petition-domain §2 and §3.12).
type Figures struct {
	Period Period
	Unit   string // "" with All: the whole district
	All    bool

	// Stock (期初存量): cases open (办理中、稳控中) when the period began.
	Stock int64
	// Inflow (增量): cases registered in the period.
	Inflow int64
	// Resolved (化解数): cases that entered 已化解 in the period; OnTime and
	// Late split them by their effective last day.
	Resolved, OnTime, Late int64
	// Overdue (到期未办结): open cases whose last day fell in the period and
	// has passed, as of now.
	Overdue int64
	// Closed (销号数), Reopened (重开), Repeat (重复信访), Contacts (下访、
	// 接谈), Extended (延期): events in the period.
	Closed, Reopened, Repeat, Contacts, Extended int64
	// Beyond (越级访): cases tagged 越级访 in the period.
	Beyond int64
	// The procedure track: intake acts on cases registered 待受理 and those
	// within 15 days; written replies and those by their 办结期限; 复查 and
	// 复核 requests; their decisions and those that upheld (维持).
	Intake, IntakeOnTime, Replied, RepliedOnTime, Reviews, Rechecks, Decided, Upheld int64
	// OpenEnd (期末在办): cases open when the period ended (now, for a
	// period not yet over).
	OpenEnd int64
}

// ComputeFigures derives a period's figures for unit (or the district, when
// all) from: the cases open now, the counts within the period, the counts
// after it (up to now), and the open cases overdue within it.
func ComputeFigures(p Period, unit string, all bool, openNow int64, during, after Counts, overdue int64) Figures {
	f := Figures{Period: p, Unit: unit, All: all, Overdue: overdue}
	g := func(c Counts, ctr Counter) int64 { return c.Get(ctr, unit, all) }
	f.OpenEnd = openNow - g(after, CountOpen)
	f.Stock = f.OpenEnd - g(during, CountOpen)
	f.Inflow = g(during, CountNew)
	f.Resolved = g(during, CountResolved)
	f.OnTime = g(during, CountOnTime)
	f.Late = g(during, CountLate)
	f.Closed = g(during, CountClosed)
	f.Reopened = g(during, CountReopened)
	f.Repeat = g(during, CountRepeat)
	f.Contacts = g(during, CountContact)
	f.Extended = g(during, CountExtended)
	f.Beyond = g(during, CountBeyond)
	f.Intake, f.IntakeOnTime = g(during, CountIntake), g(during, CountIntakeOnTime)
	f.Replied, f.RepliedOnTime = g(during, CountReplied), g(during, CountRepliedOnTime)
	f.Reviews, f.Rechecks = g(during, CountReview), g(during, CountRecheck)
	f.Decided, f.Upheld = g(during, CountDecided), g(during, CountUpheld)
	return f
}

// Add adds o's counts to f: the figures of several districts summed (the
// city's 全市 统计); the rates are computed from the sums.
func (f *Figures) Add(o Figures) {
	f.Stock += o.Stock
	f.Inflow += o.Inflow
	f.Resolved += o.Resolved
	f.OnTime += o.OnTime
	f.Late += o.Late
	f.Overdue += o.Overdue
	f.Closed += o.Closed
	f.Reopened += o.Reopened
	f.Repeat += o.Repeat
	f.Contacts += o.Contacts
	f.Extended += o.Extended
	f.Beyond += o.Beyond
	f.Intake += o.Intake
	f.IntakeOnTime += o.IntakeOnTime
	f.Replied += o.Replied
	f.RepliedOnTime += o.RepliedOnTime
	f.Reviews += o.Reviews
	f.Rechecks += o.Rechecks
	f.Decided += o.Decided
	f.Upheld += o.Upheld
	f.OpenEnd += o.OpenEnd
}

// TimelyIntakeRate (及时受理率) = 本期 15 日内受理、不予受理、转送或导入的 ÷ 本期作出这些处理的（待受理登记的案件）.
func (f Figures) TimelyIntakeRate() Rate { return Rate{f.IntakeOnTime, f.Intake} }

// OnTimeReplyRate (按期答复率) = 本期在办结期限内出具答复的 ÷ 本期答复的.
func (f Figures) OnTimeReplyRate() Rate { return Rate{f.RepliedOnTime, f.Replied} }

// UpholdRate (维持率) = 本期复查、复核维持原意见的 ÷ 本期复查、复核作出意见的.
func (f Figures) UpholdRate() Rate { return Rate{f.Upheld, f.Decided} }

// Rate is a ratio with its parts, shown as a percentage; a zero denominator
// shows as "—" (nothing to measure), never as 0% or 100%.
type Rate struct{ Num, Den int64 }

// String is 85.7% or —.
func (r Rate) String() string {
	if r.Den <= 0 {
		return "—"
	}
	return fmt.Sprintf("%.1f%%", float64(r.Num)*100/float64(r.Den))
}

// Value is the rate as a percentage (0 when there is nothing to measure).
func (r Rate) Value() float64 {
	if r.Den <= 0 {
		return 0
	}
	return float64(r.Num) * 100 / float64(r.Den)
}

// ResolutionRate (化解率) = 本期化解数 ÷（期初存量 + 本期增量）.
func (f Figures) ResolutionRate() Rate { return Rate{f.Resolved, f.Stock + f.Inflow} }

// OnTimeRate (按期办结率) = 本期按期化解 ÷ 本期应办结, where 应办结 is what was
// resolved in the period (on time or late) plus the cases whose last day fell
// in the period and are still open.
func (f Figures) OnTimeRate() Rate { return Rate{f.OnTime, f.OnTime + f.Late + f.Overdue} }

// RepeatRate (重复信访率) = 本期重复信访件数 ÷ 本期在册件数（期初存量 + 本期增量）.
func (f Figures) RepeatRate() Rate { return Rate{f.Repeat, f.Stock + f.Inflow} }

// FigureRows is the figures as label/value rows, in the order every report
// shows them: the monthly card, the 统计 reply and the export's 统计 sheet.
func (f Figures) FigureRows() [][2]string {
	n := func(v int64) string { return fmt.Sprint(v) }
	return [][2]string{
		{"期初存量", n(f.Stock)},
		{"本期增量", n(f.Inflow)},
		{"化解数", n(f.Resolved)},
		{"化解率", f.ResolutionRate().String()},
		{"按期办结率", f.OnTimeRate().String()},
		{"到期未办结", n(f.Overdue)},
		{"销号数", n(f.Closed)},
		{"重复信访", fmt.Sprintf("%d（%s）", f.Repeat, f.RepeatRate())},
		{"越级访", n(f.Beyond)},
		{"重开", n(f.Reopened)},
		{"下访接谈", n(f.Contacts)},
		{"延期", n(f.Extended)},
		{"期末在办", n(f.OpenEnd)},
		{"及时受理率", f.TimelyIntakeRate().String()},
		{"按期答复率", f.OnTimeReplyRate().String()},
		{"复查/复核", fmt.Sprintf("%d / %d，维持率 %s", f.Reviews, f.Rechecks, f.UpholdRate())},
	}
}

// Definitions are the 口径 as the users read them: the footnote of every
// statistics reply and the last rows of the export's 统计 sheet.
var Definitions = [][2]string{
	{"期初存量", "期初处于办理中、稳控中的案件数"},
	{"本期增量", "本期登记的案件数（按现主责单位计）"},
	{"化解数", "本期化解的案件数，按案件计：同一案件本期内化解、重开、再化解只计 1 件；周为周一至周日，月为自然月"},
	{"化解率", "本期化解数 ÷（期初存量 + 本期增量）"},
	{"按期办结率", "本期在期限内化解的件数 ÷（本期化解件数 + 期限落在本期、至今未办结的件数）；期限含延期与暂停计时，按案件本期第一次化解时计"},
	{"销号数", "本期销号的案件数，按案件计"},
	{"重复信访", "本期重开或新标记“重复信访”的案件数，同一案件本期内重开、标记几次都只计 1 件；比率的分母同化解率"},
	{"越级访", "本期新标记“越级访”（越过本区到市、省、京）的案件数，按案件计"},
	{"重开", "本期重开的案件数，按案件计"},
	{"下访接谈", "本期记录的下访、接谈次数（按次计）"},
	{"成员统计", "化解、销号按案件计（同上），记在当时的包案人名下；下访接谈按次计"},
	{"及时受理率", "待受理登记的案件中，本期在收到后 15 日内受理、不予受理、转送或导入的 ÷ 本期作出这些处理的；按处理当日计"},
	{"按期答复率", "本期在办结期限（含延期与暂停计时）内出具答复（处理意见书）的 ÷ 本期答复的"},
	{"复查/复核", "本期登记的复查、复核申请数（含逾期申请）；维持率 = 本期复查、复核维持原意见的 ÷ 本期作出复查、复核意见的"},
}
