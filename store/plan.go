package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/qingchuan/xfbot"
	"github.com/redis/go-redis/v9"
)

// 一案一策 plans: one record per case (plan:<案件号>) holding every version,
// written by PutPlans with the indexes and the deadlines in the same
// commit, like a letter. Version checks make two writers of one plan
// conflict (the mux decides again on a fresh read).

type measureRec struct {
	N       int    `json:"n"`
	Kind    string `json:"k"`
	Type    string `json:"t"`
	Text    string `json:"x"`
	Unit    string `json:"u,omitempty"`
	OwnerID string `json:"o,omitempty"`
	OwnerNm string `json:"on,omitempty"`
	Due     string `json:"d,omitempty"`
	Status  string `json:"s,omitempty"`
	AddByID string `json:"ab,omitempty"`
	AddByNm string `json:"abn,omitempty"`
	AddAt   int64  `json:"aa,omitempty"`
	DoneID  string `json:"db,omitempty"`
	DoneNm  string `json:"dbn,omitempty"`
	DoneAt  int64  `json:"da,omitempty"`
	DoneOn  string `json:"do,omitempty"`
	Note    string `json:"no,omitempty"`
}

type planVersionRec struct {
	V         int          `json:"v"`
	Status    string       `json:"s"`
	Diagnosis string       `json:"dg,omitempty"`
	Basis     string       `json:"b,omitempty"`
	Support   string       `json:"sp,omitempty"`
	Goal      string       `json:"g,omitempty"`
	Target    string       `json:"td,omitempty"`
	Linked    []string     `json:"l,omitempty"`
	Measures  []measureRec `json:"m,omitempty"`
	Edits     int          `json:"e,omitempty"`
	DraftID   string       `json:"dr,omitempty"`
	DraftNm   string       `json:"drn,omitempty"`
	DraftAt   int64        `json:"dra,omitempty"`
	SubID     string       `json:"su,omitempty"`
	SubNm     string       `json:"sun,omitempty"`
	SubAt     int64        `json:"sua,omitempty"`
	ApprID    string       `json:"ap,omitempty"`
	ApprNm    string       `json:"apn,omitempty"`
	ApprAt    int64        `json:"apa,omitempty"`
	Screening string       `json:"sc,omitempty"`
	Hardship  bool         `json:"h,omitempty"`
	RetID     string       `json:"rt,omitempty"`
	RetNm     string       `json:"rtn,omitempty"`
	RetAt     int64        `json:"rta,omitempty"`
	Returned  string       `json:"rr,omitempty"`
}

type plansRec struct {
	Case     string           `json:"c"`
	Versions []planVersionRec `json:"vs"`
	Owner    string           `json:"o,omitempty"`
	Version  int64            `json:"ver"` // last: commit.lua reads it at the end of the record
}

func encodePlans(ps *xfbot.Plans) plansRec {
	r := plansRec{Case: string(ps.Case), Owner: ps.Owner, Version: ps.Version}
	for _, p := range ps.Versions {
		v := planVersionRec{V: p.Version, Status: string(p.Status), Diagnosis: p.Diagnosis, Basis: p.Basis, Support: p.Support,
			Goal: p.Goal, Target: dateText(p.Target), Linked: caseNos(p.Linked), Edits: p.Edits,
			DraftID: p.DraftedBy.OpenID, DraftNm: p.DraftedBy.Name, DraftAt: unix(p.DraftedAt),
			SubID: p.SubmittedBy.OpenID, SubNm: p.SubmittedBy.Name, SubAt: unix(p.SubmittedAt),
			ApprID: p.ApprovedBy.OpenID, ApprNm: p.ApprovedBy.Name, ApprAt: unix(p.ApprovedAt),
			Screening: string(p.Screening), Hardship: p.Hardship,
			RetID: p.ReturnedBy.OpenID, RetNm: p.ReturnedBy.Name, RetAt: unix(p.ReturnedAt), Returned: p.Returned}
		for _, m := range p.Measures {
			v.Measures = append(v.Measures, measureRec{N: m.N, Kind: string(m.Kind), Type: string(m.Type), Text: m.Text, Unit: m.Unit,
				OwnerID: m.Owner.OpenID, OwnerNm: m.Owner.Name, Due: dateText(m.Due), Status: string(m.Status),
				AddByID: m.AddedBy.OpenID, AddByNm: m.AddedBy.Name, AddAt: unix(m.AddedAt),
				DoneID: m.DoneBy.OpenID, DoneNm: m.DoneBy.Name, DoneAt: unix(m.DoneAt), DoneOn: dateText(m.DoneOn), Note: m.Note})
		}
		r.Versions = append(r.Versions, v)
	}
	return r
}

func decodePlans(b []byte) (*xfbot.Plans, error) {
	var r plansRec
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, err
	}
	ps := &xfbot.Plans{Case: xfbot.CaseNo(r.Case), Owner: r.Owner, Version: r.Version}
	for _, v := range r.Versions {
		p := xfbot.Plan{Version: v.V, Status: xfbot.PlanStatus(v.Status), Diagnosis: v.Diagnosis, Basis: v.Basis, Support: v.Support,
			Goal: v.Goal, Target: parseDate(v.Target), Linked: toCaseNos(v.Linked), Edits: v.Edits,
			DraftedBy: xfbot.Person{OpenID: v.DraftID, Name: v.DraftNm}, DraftedAt: fromUnix(v.DraftAt),
			SubmittedBy: xfbot.Person{OpenID: v.SubID, Name: v.SubNm}, SubmittedAt: fromUnix(v.SubAt),
			ApprovedBy: xfbot.Person{OpenID: v.ApprID, Name: v.ApprNm}, ApprovedAt: fromUnix(v.ApprAt),
			Screening: xfbot.Screening(v.Screening), Hardship: v.Hardship,
			ReturnedBy: xfbot.Person{OpenID: v.RetID, Name: v.RetNm}, ReturnedAt: fromUnix(v.RetAt), Returned: v.Returned}
		for _, m := range v.Measures {
			p.Measures = append(p.Measures, xfbot.Measure{N: m.N, Kind: xfbot.MeasureKind(m.Kind), Type: xfbot.MeasureType(m.Type), Text: m.Text,
				Unit: m.Unit, Owner: xfbot.Person{OpenID: m.OwnerID, Name: m.OwnerNm}, Due: parseDate(m.Due), Status: xfbot.MeasureStatus(m.Status),
				AddedBy: xfbot.Person{OpenID: m.AddByID, Name: m.AddByNm}, AddedAt: fromUnix(m.AddAt),
				DoneBy: xfbot.Person{OpenID: m.DoneID, Name: m.DoneNm}, DoneAt: fromUnix(m.DoneAt), DoneOn: parseDate(m.DoneOn), Note: m.Note})
		}
		ps.Versions = append(ps.Versions, p)
	}
	return ps, nil
}

// briefRec is xfbot.PlanBrief on the case record (caseRec.Plan).
type briefRec struct {
	Status   string `json:"s,omitempty"`
	Version  int    `json:"v,omitempty"`
	InForce  int    `json:"f,omitempty"`
	Open     int    `json:"o,omitempty"`
	Total    int    `json:"t,omitempty"`
	Next     string `json:"n,omitempty"`
	NextN    int    `json:"nn,omitempty"`
	NextText string `json:"nt,omitempty"`
	Target   string `json:"td,omitempty"`
	Of       string `json:"of,omitempty"`
}

func encodeBrief(b xfbot.PlanBrief) *briefRec {
	if b.IsZero() {
		return nil
	}
	return &briefRec{Status: string(b.Status), Version: b.Version, InForce: b.InForce, Open: b.Open, Total: b.Total,
		Next: dateText(b.Next), NextN: b.NextN, NextText: b.NextText, Target: dateText(b.Target), Of: string(b.Of)}
}

func (r *briefRec) decode() xfbot.PlanBrief {
	if r == nil {
		return xfbot.PlanBrief{}
	}
	return xfbot.PlanBrief{Status: xfbot.PlanStatus(r.Status), Version: r.Version, InForce: r.InForce, Open: r.Open, Total: r.Total,
		Next: parseDate(r.Next), NextN: r.NextN, NextText: r.NextText, Target: parseDate(r.Target), Of: xfbot.CaseNo(r.Of)}
}

// planDeadlines are the plan's deadlines as its record states them.
func planDeadlines(ps *xfbot.Plans) []xfbot.Deadline {
	if ps == nil {
		return nil
	}
	return dated(ps.Deadlines())
}

// ownerMeasures are the open measures of the plan's live versions (in
// force, pending) by their owner: member <案件号>#<序号>, score the due day
// (the earlier of the two versions'; undated: 9999-12-31).
func ownerMeasures(ps *xfbot.Plans) map[string]map[string]float64 {
	out := map[string]map[string]float64{}
	if ps == nil {
		return out
	}
	for _, p := range ps.Live() {
		for _, m := range p.OpenMeasures() {
			if m.Owner.OpenID == "" {
				continue
			}
			if out[m.Owner.OpenID] == nil {
				out[m.Owner.OpenID] = map[string]float64{}
			}
			member := string(ps.Case) + "#" + strconv.Itoa(m.N)
			score := unchasedScore // no due day: after every dated one (a score of 0 would not reach the script)
			if !m.Due.IsZero() {
				score = float64(m.Due.DayNumber())
			}
			if s, ok := out[m.Owner.OpenID][member]; !ok || score < s {
				out[m.Owner.OpenID][member] = score
			}
		}
	}
	return out
}

// PutPlans writes ps, a modified copy of old (nil: the case's first plan),
// at time at, with its indexes and deadlines: the owners' open measures,
// the plans waiting for approval, the measures and 化解目标日 of the version
// in force in the one deadline index. Commit refuses it (ECONFLICT) if the
// stored plan is no longer old's version. A plan is always written with its
// case (UpdateCase: the brief on the card, the timeline), whose version
// check also orders two first drafts of one plan.
func (tx *Tx) PutPlans(old, ps *xfbot.Plans, at time.Time) {
	if strings.Contains(string(ps.Case), "|") || strings.Contains(string(ps.Case), "#") || ps.Case == "" {
		if tx.err == nil {
			tx.err = fmt.Errorf("store: plan of %q cannot be stored", ps.Case)
		}
		return
	}
	var oldVer int64
	if old != nil {
		oldVer = old.Version
	}
	ps.Version = oldVer + 1
	if old != nil {
		tx.add(op{Op: "check", Key: tx.k.plan(ps.Case), Ver: oldVer})
	}
	tx.add(op{Op: "set", Key: tx.k.plan(ps.Case), Val: tx.json(encodePlans(ps))})
	tx.add(op{Op: "zadd", Key: tx.k.idxPlanAll(), Member: string(ps.Case), Score: float64(at.Unix())})
	if p := ps.Pending(); p != nil && p.Status == xfbot.PlanSubmitted {
		tx.add(op{Op: "zadd", Key: tx.k.idxPlanPending(), Member: string(ps.Case), Score: float64(unix(p.SubmittedAt))})
	} else {
		tx.add(op{Op: "zrem", Key: tx.k.idxPlanPending(), Member: string(ps.Case)})
	}
	before, after := ownerMeasures(old), ownerMeasures(ps)
	for owner, ms := range before {
		for m := range ms {
			if _, ok := after[owner][m]; !ok {
				tx.add(op{Op: "zrem", Key: tx.k.idxPlanOwner(owner), Member: m})
			}
		}
	}
	for owner, ms := range after {
		for m, score := range ms {
			if s, ok := before[owner][m]; !ok || s != score {
				tx.add(op{Op: "zadd", Key: tx.k.idxPlanOwner(owner), Member: m, Score: score})
			}
		}
	}
	tx.moveDeadlines(planDeadlines(old), planDeadlines(ps))
}

// Plans returns a case's plan with all its versions, or nil when it has none.
func (s *Store) Plans(ctx context.Context, no xfbot.CaseNo) (*xfbot.Plans, error) {
	b, err := s.rdb.Get(ctx, s.k.plan(no)).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("store: plan %s: %w", no, err)
	}
	ps, err := decodePlans(b)
	if err != nil {
		return nil, fmt.Errorf("store: decode plan %s: %w", no, err)
	}
	return ps, nil
}

// PlansOf returns the plans of the given cases (those without one are left
// out), in one round trip.
func (s *Store) PlansOf(ctx context.Context, nos []xfbot.CaseNo) (map[xfbot.CaseNo]*xfbot.Plans, error) {
	out := make(map[xfbot.CaseNo]*xfbot.Plans, len(nos))
	if len(nos) == 0 {
		return out, nil
	}
	pipe := s.rdb.Pipeline()
	cmds := make([]*redis.StringCmd, len(nos))
	for i, no := range nos {
		cmds[i] = pipe.Get(ctx, s.k.plan(no))
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("store: plans: %w", err)
	}
	for i, no := range nos {
		b, err := cmds[i].Bytes()
		if errors.Is(err, redis.Nil) {
			continue
		} else if err != nil {
			return nil, fmt.Errorf("store: plan %s: %w", no, err)
		}
		ps, err := decodePlans(b)
		if err != nil {
			return nil, fmt.Errorf("store: decode plan %s: %w", no, err)
		}
		out[no] = ps
	}
	return out, nil
}

// MeasureRef names one measure: its case and its number.
type MeasureRef struct {
	Case xfbot.CaseNo
	N    int
	Due  xfbot.Date // zero: none
}

// MeasuresOf returns the open measures openID answers for (in force or in
// a pending version), by due day (undated last), in one round trip: its
// cost follows that person's measures, not the plans.
func (s *Store) MeasuresOf(ctx context.Context, openID string) ([]MeasureRef, error) {
	zs, err := s.rdb.ZRangeWithScores(ctx, s.k.idxPlanOwner(openID), 0, -1).Result()
	if err != nil {
		return nil, fmt.Errorf("store: measures of %s: %w", openID, err)
	}
	out := make([]MeasureRef, 0, len(zs))
	for _, z := range zs {
		m, _ := z.Member.(string)
		no, n, ok := xfbot.ParsePlanSubject(m)
		if !ok || n == 0 {
			continue
		}
		r := MeasureRef{Case: no, N: n}
		if z.Score > 0 && z.Score < unchasedScore {
			r.Due = xfbot.DateFromDayNumber(int(z.Score))
		}
		out = append(out, r)
	}
	return out, nil
}

// PendingPlans returns the cases whose plan waits for approval (待批), by
// submission time, in one round trip.
func (s *Store) PendingPlans(ctx context.Context) ([]xfbot.CaseNo, error) {
	ms, err := s.rdb.ZRange(ctx, s.k.idxPlanPending(), 0, -1).Result()
	if err != nil {
		return nil, fmt.Errorf("store: pending plans: %w", err)
	}
	return toCaseNos(ms), nil
}

// PlanCases returns the cases that have a plan, the last written first, at
// most limit of them, in one round trip.
func (s *Store) PlanCases(ctx context.Context, limit int) ([]xfbot.CaseNo, error) {
	ms, err := s.rdb.ZRevRange(ctx, s.k.idxPlanAll(), 0, int64(limit-1)).Result()
	if err != nil {
		return nil, fmt.Errorf("store: plan cases: %w", err)
	}
	return toCaseNos(ms), nil
}
