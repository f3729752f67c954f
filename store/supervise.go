package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/qingchuan/xfbot"
	"github.com/redis/go-redis/v9"
)

// 督查单 (supervision items): the record (dc:<DC-…>, version checked like
// a case), its history (dc:hist:<id>, a list appended by every write and
// every rung of its ladder) and its ladder (dc:esc:<id>, a hash
// "<episode>|<step>" → day, written by the reminder scan beside the record
// so that a rung never conflicts with a person's write). Numbers are
// allocated inside Commit by commit.lua's "alloc" op, like letters'. The
// counters of the 督查 figures are HINCRBY ops of the same commit, per day
// (dcstat:d:) and month (dcstat:m:), fields xfbot.SupervisionField.

type supervisionRec struct {
	ID        string `json:"id"`
	Unit      string `json:"u"`
	Case      string `json:"c,omitempty"`
	Problem   string `json:"p"`
	Desc      string `json:"d"`
	Req       string `json:"r,omitempty"`
	OpByID    string `json:"ob"`
	OpByName  string `json:"obn,omitempty"`
	InspID    string `json:"i"`
	InspName  string `json:"in,omitempty"`
	OpenedAt  int64  `json:"oa"`
	OpenedOn  string `json:"oo"`
	Due       string `json:"due"`
	Status    string `json:"st"`
	StartAt   int64  `json:"sa,omitempty"`
	StartID   string `json:"sb,omitempty"`
	StartName string `json:"sbn,omitempty"`
	Evidence  string `json:"ev,omitempty"`
	SubAt     int64  `json:"ua,omitempty"`
	SubOn     string `json:"uo,omitempty"`
	SubID     string `json:"ub,omitempty"`
	SubName   string `json:"ubn,omitempty"`
	SubDue    string `json:"ud,omitempty"`
	Returns   int    `json:"rt,omitempty"`
	Opinion   string `json:"op,omitempty"`
	VerAt     int64  `json:"va,omitempty"`
	VerID     string `json:"vb,omitempty"`
	VerName   string `json:"vbn,omitempty"`
	ClAt      int64  `json:"ca,omitempty"`
	ClID      string `json:"cb,omitempty"`
	ClName    string `json:"cbn,omitempty"`
	Version   int64  `json:"ver"` // last: commit.lua reads it at the end of the record
}

func encodeSupervision(it *xfbot.SupervisionItem) supervisionRec {
	return supervisionRec{ID: string(it.ID), Unit: it.Unit, Case: string(it.Case), Problem: string(it.Problem), Desc: it.Description,
		Req: it.Requirement, OpByID: it.OpenedBy.OpenID, OpByName: it.OpenedBy.Name, InspID: it.Inspector.OpenID, InspName: it.Inspector.Name,
		OpenedAt: unix(it.OpenedAt), OpenedOn: dateOrEmpty(it.OpenedOn), Due: dateOrEmpty(it.Due), Status: string(it.Status),
		StartAt: unix(it.StartedAt), StartID: it.StartedBy.OpenID, StartName: it.StartedBy.Name, Evidence: it.Evidence,
		SubAt: unix(it.SubmittedAt), SubOn: dateOrEmpty(it.SubmittedOn), SubID: it.SubmittedBy.OpenID, SubName: it.SubmittedBy.Name,
		SubDue: dateOrEmpty(it.SubmitDue), Returns: it.Returns, Opinion: it.Opinion, VerAt: unix(it.VerifiedAt), VerID: it.VerifiedBy.OpenID,
		VerName: it.VerifiedBy.Name, ClAt: unix(it.ClosedAt), ClID: it.ClosedBy.OpenID, ClName: it.ClosedBy.Name, Version: it.Version}
}

func dateOrEmpty(d xfbot.Date) string {
	if d.IsZero() {
		return ""
	}
	return d.String()
}

func decodeSupervision(b []byte) (*xfbot.SupervisionItem, error) {
	var r supervisionRec
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, err
	}
	p := func(id, name string) xfbot.Person { return xfbot.Person{OpenID: id, Name: name} }
	return &xfbot.SupervisionItem{ID: xfbot.SupervisionID(r.ID), Unit: r.Unit, Case: xfbot.CaseNo(r.Case), Problem: xfbot.ProblemType(r.Problem),
		Description: r.Desc, Requirement: r.Req, OpenedBy: p(r.OpByID, r.OpByName), Inspector: p(r.InspID, r.InspName),
		OpenedAt: fromUnix(r.OpenedAt), OpenedOn: parseDate(r.OpenedOn), Due: parseDate(r.Due), Status: xfbot.SupervisionStatus(r.Status),
		StartedAt: fromUnix(r.StartAt), StartedBy: p(r.StartID, r.StartName), Evidence: r.Evidence, SubmittedAt: fromUnix(r.SubAt),
		SubmittedOn: parseDate(r.SubOn), SubmittedBy: p(r.SubID, r.SubName), SubmitDue: parseDate(r.SubDue), Returns: r.Returns,
		Opinion: r.Opinion, VerifiedAt: fromUnix(r.VerAt), VerifiedBy: p(r.VerID, r.VerName), ClosedAt: fromUnix(r.ClAt),
		ClosedBy: p(r.ClID, r.ClName), Version: r.Version}, nil
}

type supEventRec struct {
	At     int64  `json:"at"`
	ByID   string `json:"b,omitempty"`
	ByName string `json:"bn,omitempty"`
	Action string `json:"a"`
	Text   string `json:"t,omitempty"`
}

func decodeSupEvent(b []byte) (xfbot.SupervisionEvent, error) {
	var r supEventRec
	if err := json.Unmarshal(b, &r); err != nil {
		return xfbot.SupervisionEvent{}, err
	}
	return xfbot.SupervisionEvent{At: fromUnix(r.At), By: xfbot.Person{OpenID: r.ByID, Name: r.ByName}, Action: r.Action, Text: r.Text}, nil
}

// steps decodes a ladder hash ("<episode>|<step>" → day), by day then rung.
func steps(m map[string]string) []xfbot.StepTaken {
	order := map[xfbot.EscalationStep]int{}
	for i, s := range xfbot.SupervisionSteps {
		order[s] = i
	}
	var out []xfbot.StepTaken
	for f, v := range m {
		ep, st, ok := strings.Cut(f, "|")
		if !ok {
			continue
		}
		out = append(out, xfbot.StepTaken{Step: xfbot.EscalationStep(st), Episode: parseDate(ep), Day: parseDate(v)})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Day != out[j].Day {
			return out[i].Day.Before(out[j].Day)
		}
		return order[out[i].Step] < order[out[j].Step]
	})
	return out
}

// CreateSupervision opens it. Its number DC-YYYY-NNNN (year given) is
// allocated inside Commit, NoPlaceholder until then: a Tx opens one item,
// and any text it queues after this call may name it so. It books
// SupCountOpened on it.OpenedOn and the 交办 line of the history.
func (tx *Tx) CreateSupervision(it *xfbot.SupervisionItem, year int) {
	it.ID = NoPlaceholder
	it.Version = 1
	tx.add(op{Op: "alloc", Key: tx.k.supervisionSeq(year), Fmt: fmt.Sprintf("DC-%04d-%%04d", year)})
	tx.add(op{Op: "set", Key: tx.k.supervision(it.ID), Val: tx.json(encodeSupervision(it))})
	tx.add(op{Op: "zadd", Key: tx.k.idxSupAll(), Member: string(it.ID), Score: float64(it.OpenedAt.Unix())})
	tx.supIndexes(nil, it)
	tx.moveDeadlines(nil, dated(it.Deadlines()))
	tx.CountSupervision(xfbot.SupCountOpened, it, it.OpenedOn)
}

// UpdateSupervision replaces old with it, a modified copy: ECONFLICT in
// Commit if the stored item changed since old was read. It moves the item
// in its indexes and its deadline in dl.
func (tx *Tx) UpdateSupervision(old, it *xfbot.SupervisionItem) {
	it.Version = old.Version + 1
	tx.add(op{Op: "check", Key: tx.k.supervision(old.ID), Ver: old.Version})
	tx.add(op{Op: "set", Key: tx.k.supervision(it.ID), Val: tx.json(encodeSupervision(it))})
	tx.supIndexes(old, it)
	tx.moveDeadlines(dated(old.Deadlines()), dated(it.Deadlines()))
}

func (tx *Tx) supIndexes(old, it *xfbot.SupervisionItem) {
	id := string(it.ID)
	if old != nil {
		if old.Unit != it.Unit || !it.Open() {
			tx.add(op{Op: "zrem", Key: tx.k.idxSupUnit(old.Unit), Member: id})
		}
		if old.Inspector.OpenID != it.Inspector.OpenID || !it.Open() {
			tx.add(op{Op: "zrem", Key: tx.k.idxSupInspector(old.Inspector.OpenID), Member: id})
		}
	}
	if !it.Open() {
		tx.add(op{Op: "zrem", Key: tx.k.idxSupOpen(), Member: id})
		return
	}
	due := float64(it.Due.DayNumber())
	tx.add(op{Op: "zadd", Key: tx.k.idxSupOpen(), Member: id, Score: due})
	tx.add(op{Op: "zadd", Key: tx.k.idxSupUnit(it.Unit), Member: id, Score: due})
	if it.Inspector.OpenID != "" {
		tx.add(op{Op: "zadd", Key: tx.k.idxSupInspector(it.Inspector.OpenID), Member: id, Score: due})
	}
}

// AddSupervisionEvent appends ev to the item's history.
func (tx *Tx) AddSupervisionEvent(id xfbot.SupervisionID, ev xfbot.SupervisionEvent) {
	tx.add(op{Op: "rpush", Key: tx.k.supervisionHist(id), Val: tx.json(supEventRec{At: unix(ev.At), ByID: ev.By.OpenID, ByName: ev.By.Name,
		Action: ev.Action, Text: ev.Text})})
}

// TakeSupervisionStep records a rung of the item's ladder (the reminder
// scan, in the commit that sends it) and its line in the history.
func (tx *Tx) TakeSupervisionStep(id xfbot.SupervisionID, s xfbot.StepTaken, ev xfbot.SupervisionEvent) {
	tx.add(op{Op: "hset", Key: tx.k.supervisionEsc(id), Field: s.Episode.String() + "|" + string(s.Step), Val: s.Day.String()})
	tx.AddSupervisionEvent(id, ev)
}

// CountSupervision books one count of c for it on day, in the day's and the
// month's counters, for the district, its unit and its problem type.
func (tx *Tx) CountSupervision(c xfbot.SupervisionCounter, it *xfbot.SupervisionItem, day xfbot.Date) {
	for _, key := range []string{tx.k.supStatDay(day), tx.k.supStatMonth(xfbot.MonthOf(day))} {
		for _, f := range []string{xfbot.SupervisionField(c, "", ""), xfbot.SupervisionField(c, it.Unit, ""), xfbot.SupervisionField(c, "", it.Problem)} {
			tx.add(op{Op: "hincr", Key: key, Field: f, Score: 1})
		}
	}
}

// SupervisionView is an item with its history.
type SupervisionView struct {
	*xfbot.SupervisionItem
	History []xfbot.SupervisionEvent
}

// Supervision returns an item with its ladder and history in one round
// trip, or nil when there is no such item.
func (s *Store) Supervision(ctx context.Context, id xfbot.SupervisionID) (*SupervisionView, error) {
	pipe := s.rdb.Pipeline()
	g := pipe.Get(ctx, s.k.supervision(id))
	e := pipe.HGetAll(ctx, s.k.supervisionEsc(id))
	h := pipe.LRange(ctx, s.k.supervisionHist(id), 0, -1)
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("store: supervision %s: %w", id, err)
	}
	b, err := g.Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("store: supervision %s: %w", id, err)
	}
	it, err := decodeSupervision(b)
	if err != nil {
		return nil, fmt.Errorf("store: decode supervision %s: %w", id, err)
	}
	it.Steps = steps(e.Val())
	hist, err := decodeEach(h.Val(), decodeSupEvent)
	if err != nil {
		return nil, fmt.Errorf("store: decode supervision history %s: %w", id, err)
	}
	return &SupervisionView{SupervisionItem: it, History: hist}, nil
}

// SupervisionItems returns the items of ids that exist, with their
// ladders, in one round trip (the reminder scan).
func (s *Store) SupervisionItems(ctx context.Context, ids []xfbot.SupervisionID) ([]*xfbot.SupervisionItem, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	pipe := s.rdb.Pipeline()
	gets := make([]*redis.StringCmd, len(ids))
	escs := make([]*redis.MapStringStringCmd, len(ids))
	for i, id := range ids {
		gets[i] = pipe.Get(ctx, s.k.supervision(id))
		escs[i] = pipe.HGetAll(ctx, s.k.supervisionEsc(id))
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("store: supervision items: %w", err)
	}
	var out []*xfbot.SupervisionItem
	for i, id := range ids {
		b, err := gets[i].Bytes()
		if errors.Is(err, redis.Nil) {
			continue
		} else if err != nil {
			return nil, fmt.Errorf("store: supervision %s: %w", id, err)
		}
		it, err := decodeSupervision(b)
		if err != nil {
			return nil, fmt.Errorf("store: decode supervision %s: %w", id, err)
		}
		it.Steps = steps(escs[i].Val())
		out = append(out, it)
	}
	return out, nil
}

// OpenSupervision returns the items not signed off (of unit, or all when
// unit is ""), by 整改期限, with their ladders: two round trips whose cost
// follows the open items.
//
// Several names are one unit's (its current and former names, after 改名
// or 合并): the items under any of them, once each, by 整改期限.
func (s *Store) OpenSupervision(ctx context.Context, units ...string) ([]*xfbot.SupervisionItem, error) {
	if len(units) == 0 || (len(units) == 1 && units[0] == "") {
		return s.supervisionIn(ctx, s.k.idxSupOpen(), "", bigLimit)
	}
	var out []*xfbot.SupervisionItem
	seen := map[xfbot.SupervisionID]bool{}
	for _, u := range units {
		if u == "" {
			continue
		}
		items, err := s.supervisionIn(ctx, s.k.idxSupUnit(u), "", bigLimit)
		if err != nil {
			return nil, err
		}
		for _, it := range items {
			if !seen[it.ID] {
				seen[it.ID] = true
				out = append(out, it)
			}
		}
	}
	if len(units) > 1 {
		sort.SliceStable(out, func(i, j int) bool { return out[i].Due.Before(out[j].Due) })
	}
	return out, nil
}

// InspectorSupervision returns the open items openID answers for as their
// inspector, by 整改期限 (the per-inspector index: no scan).
func (s *Store) InspectorSupervision(ctx context.Context, openID string) ([]*xfbot.SupervisionItem, error) {
	return s.supervisionIn(ctx, s.k.idxSupInspector(openID), "", bigLimit)
}

// RecentSupervision returns the latest limit items opened, signed off or
// not, newest first.
func (s *Store) RecentSupervision(ctx context.Context, limit int) ([]*xfbot.SupervisionItem, error) {
	return s.supervisionIn(ctx, s.k.idxSupAll(), "rev", limit)
}

func (s *Store) supervisionIn(ctx context.Context, key, rev string, limit int) ([]*xfbot.SupervisionItem, error) {
	res, err := listScript.Run(ctx, s.rdb, []string{key}, "-inf", "+inf", 0, limit, s.k.supervision(""), rev).Slice()
	if err != nil {
		return nil, fmt.Errorf("store: supervision list: %w", err)
	}
	var out []*xfbot.SupervisionItem
	for _, v := range res[1:] {
		str, ok := v.(string)
		if !ok {
			continue
		}
		it, err := decodeSupervision([]byte(str))
		if err != nil {
			return nil, fmt.Errorf("store: decode supervision: %w", err)
		}
		out = append(out, it)
	}
	if len(out) == 0 {
		return out, nil
	}
	pipe := s.rdb.Pipeline()
	escs := make([]*redis.MapStringStringCmd, len(out))
	for i, it := range out {
		escs[i] = pipe.HGetAll(ctx, s.k.supervisionEsc(it.ID))
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, fmt.Errorf("store: supervision ladders: %w", err)
	}
	for i, it := range out {
		it.Steps = steps(escs[i].Val())
	}
	return out, nil
}

// SupervisionCounts returns the 督查 counters of period p (a calendar month
// or a week, as for the cases' figures), field → n, in one round trip.
func (s *Store) SupervisionCounts(ctx context.Context, p xfbot.Period) (map[string]int64, error) {
	var keys []string
	switch {
	case p.IsMonth():
		keys = []string{s.k.supStatMonth(xfbot.MonthOf(p.From))}
	case p.IsWeek():
		for d := p.From; !d.After(p.To); d = d.AddDays(1) {
			keys = append(keys, s.k.supStatDay(d))
		}
	default:
		return nil, fmt.Errorf("store: supervision counts of %s to %s: only a week or a calendar month", p.From, p.To)
	}
	pipe := s.rdb.Pipeline()
	cmds := make([]*redis.MapStringStringCmd, len(keys))
	for i, k := range keys {
		cmds[i] = pipe.HGetAll(ctx, k)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, fmt.Errorf("store: supervision counts: %w", err)
	}
	out := map[string]int64{}
	for _, c := range cmds {
		for f, v := range c.Val() {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("store: supervision counter %s: %w", f, err)
			}
			out[f] += n
		}
	}
	return out, nil
}

// SupervisionPeriod is the 督查 figures of a period as of today: the
// district, each unit and each problem type, with the open and overdue
// items now.
type SupervisionPeriod struct {
	District xfbot.SupervisionFigures
	Units    []xfbot.SupervisionFigures // units with anything, by name
	Types    []xfbot.SupervisionFigures // types with anything, in ProblemTypes order
}

// SupervisionStats reads the period's counters and the open items (two
// more round trips whose cost follows the open items).
func (s *Store) SupervisionStats(ctx context.Context, p xfbot.Period, today xfbot.Date) (SupervisionPeriod, error) {
	counts, err := s.SupervisionCounts(ctx, p)
	if err != nil {
		return SupervisionPeriod{}, err
	}
	open, err := s.OpenSupervision(ctx, "")
	if err != nil {
		return SupervisionPeriod{}, err
	}
	reg, err := s.Registry(ctx)
	if err != nil {
		return SupervisionPeriod{}, err
	}
	// A unit's figures are those of all its names (单位 改名, 合并): the
	// counters keep the name an item was written under.
	for f, n := range counts {
		if ctr, rest, ok := strings.Cut(f, "|u:"); ok {
			if c := reg.Canonical(rest); c != rest {
				counts[ctr+"|u:"+c] += n
				delete(counts, f)
			}
		}
	}
	out := SupervisionPeriod{District: xfbot.SupervisionFiguresOf(counts, "", "")}
	units := map[string]*xfbot.SupervisionFigures{}
	types := map[xfbot.ProblemType]*xfbot.SupervisionFigures{}
	unit := func(u string) *xfbot.SupervisionFigures {
		if units[u] == nil {
			f := xfbot.SupervisionFiguresOf(counts, u, "")
			units[u] = &f
		}
		return units[u]
	}
	typ := func(t xfbot.ProblemType) *xfbot.SupervisionFigures {
		if types[t] == nil {
			f := xfbot.SupervisionFiguresOf(counts, "", t)
			types[t] = &f
		}
		return types[t]
	}
	for f := range counts {
		if _, rest, ok := strings.Cut(f, "|"); ok {
			if u, ok := strings.CutPrefix(rest, "u:"); ok {
				unit(u)
			} else if t, ok := strings.CutPrefix(rest, "t:"); ok {
				typ(xfbot.ProblemType(t))
			}
		}
	}
	for _, it := range open {
		late := int64(0)
		if it.Overdue(today) {
			late = 1
		}
		out.District.OpenNow++
		out.District.LateNow += late
		u, t := unit(reg.Canonical(it.Unit)), typ(it.Problem)
		u.OpenNow++
		u.LateNow += late
		t.OpenNow++
		t.LateNow += late
	}
	for _, f := range units {
		if !f.Empty() {
			out.Units = append(out.Units, *f)
		}
	}
	sort.Slice(out.Units, func(i, j int) bool { return out.Units[i].Unit < out.Units[j].Unit })
	for _, pt := range xfbot.ProblemTypes {
		if f := types[pt.Type]; f != nil && !f.Empty() {
			out.Types = append(out.Types, *f)
		}
	}
	return out, nil
}
