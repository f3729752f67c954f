package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/qingchuan/xfbot"
	"github.com/redis/go-redis/v9"
)

// The store's own records: the JSON layout of schema v1, kept apart from the
// domain types so that the domain can change without rewriting stored data
// and so that the layout can be compact. A case with five progress entries
// must fit in 2 KB of Redis memory: short keys, times as unix seconds, people
// flattened. A case's own dates are day numbers (day), the nested ones
// YYYY-MM-DD; categories, statuses and 甄别 results are codes (codes).

type caseRec struct {
	No          string     `json:"no"`
	Title       string     `json:"t"`
	SheetNo     string     `json:"sn,omitempty"`
	Category    string     `json:"c,omitempty"`
	Unit        string     `json:"u,omitempty"`
	Area        string     `json:"a,omitempty"`
	PetName     string     `json:"pn,omitempty"`
	PetPhone    string     `json:"pp,omitempty"`
	PetID       string     `json:"pi,omitempty"`
	Accusation  bool       `json:"acc,omitempty"`
	OwnerID     string     `json:"o,omitempty"`
	OwnerName   string     `json:"on,omitempty"`
	LeaderID    string     `json:"l,omitempty"`
	LeaderName  string     `json:"ln,omitempty"`
	Screening   string     `json:"s,omitempty"`
	Hardship    bool       `json:"h,omitempty"`
	Status      string     `json:"st"`
	AcceptedOn  day        `json:"ao,omitzero"`
	DueOverride day        `json:"do,omitzero"`
	ExtDays     int        `json:"x,omitempty"`
	ExtReason   string     `json:"xr,omitempty"`
	Due         day        `json:"d,omitzero"`
	Result      string     `json:"r,omitempty"`
	ResolvedOn  day        `json:"ro,omitzero"`
	FollowedUp  day        `json:"fu,omitzero"`
	ClosedOn    day        `json:"co,omitzero"`
	ByID        string     `json:"b,omitempty"`
	ByName      string     `json:"bn,omitempty"`
	CreatedAt   int64      `json:"at,omitempty"`
	UpdatedAt   int64      `json:"up,omitempty"`
	LastProg    int64      `json:"lp,omitempty"`
	LastContact int64      `json:"lc,omitempty"`
	NProg       int        `json:"np,omitempty"`
	Tags        []string   `json:"tg,omitempty"`
	Pauses      []pauseRec `json:"pz,omitempty"`
	DueSetOn    day        `json:"ds,omitzero"`
	DueReason   string     `json:"dr,omitempty"`
	DueExt      int        `json:"dx,omitempty"`
	DueTarget   bool       `json:"dt,omitempty"`
	ExtRequest  *extReqRec `json:"xq,omitempty"`
	Proc        *procRec   `json:"pr,omitempty"`
	Counted     countedRec `json:"k,omitzero"`
	Plan        *briefRec  `json:"pl,omitempty"`  // 一案一策: plan.go
	Related     []string   `json:"rel,omitempty"` // the same petitioner's cases: search.go
	Attachments int        `json:"att,omitempty"` // 附件: attachments.go
	Version     int64      `json:"ver"`           // last: commit.lua reads it at the end of the record
}

// countedRec is xfbot.CountedDays: the last day of each event counted once
// per case and period.
type countedRec struct {
	Resolved string `json:"r,omitempty"`
	Closed   string `json:"c,omitempty"`
	Reopened string `json:"o,omitempty"`
	Repeat   string `json:"p,omitempty"`
	Beyond   string `json:"b,omitempty"`
}

func encodeCounted(d xfbot.CountedDays) countedRec {
	return countedRec{Resolved: dateText(d.Resolved), Closed: dateText(d.Closed), Reopened: dateText(d.Reopened),
		Repeat: dateText(d.Repeat), Beyond: dateText(d.Beyond)}
}

func (r countedRec) decode() xfbot.CountedDays {
	return xfbot.CountedDays{Resolved: parseDate(r.Resolved), Closed: parseDate(r.Closed), Reopened: parseDate(r.Reopened),
		Repeat: parseDate(r.Repeat), Beyond: parseDate(r.Beyond)}
}

// procRec is the procedure track (xfbot.Procedure); absent for a case that
// never left 办理中 (the zero Procedure), so old records need nothing.
type procRec struct {
	Stage    string     `json:"s,omitempty"`
	Received string     `json:"rv,omitempty"`
	Note     string     `json:"n,omitempty"`
	Reply    *answerRec `json:"a,omitempty"`
	Review   *answerRec `json:"r1,omitempty"`
	Recheck  *answerRec `json:"r2,omitempty"`
	Ended    string     `json:"e,omitempty"`
}

type answerRec struct {
	Requested string `json:"q,omitempty"`
	Late      bool   `json:"l,omitempty"`
	On        string `json:"o,omitempty"`
	Delivered string `json:"d,omitempty"`
	Result    string `json:"x,omitempty"`
}

func encodeAnswer(a xfbot.Answer) *answerRec {
	if a == (xfbot.Answer{}) {
		return nil
	}
	return &answerRec{Requested: dateText(a.RequestedOn), Late: a.Late, On: dateText(a.On), Delivered: dateText(a.DeliveredOn), Result: string(a.Result)}
}

func (r *answerRec) decode() xfbot.Answer {
	if r == nil {
		return xfbot.Answer{}
	}
	return xfbot.Answer{RequestedOn: parseDate(r.Requested), Late: r.Late, On: parseDate(r.On), DeliveredOn: parseDate(r.Delivered), Result: xfbot.Outcome(r.Result)}
}

func encodeProc(p xfbot.Procedure) *procRec {
	if p == (xfbot.Procedure{}) {
		return nil
	}
	return &procRec{Stage: string(p.Stage), Received: dateText(p.ReceivedOn), Note: p.Note, Reply: encodeAnswer(p.Reply),
		Review: encodeAnswer(p.Review), Recheck: encodeAnswer(p.Recheck), Ended: dateText(p.EndedOn)}
}

func (r *procRec) decode() xfbot.Procedure {
	if r == nil {
		return xfbot.Procedure{}
	}
	return xfbot.Procedure{Stage: xfbot.Stage(r.Stage), ReceivedOn: parseDate(r.Received), Note: r.Note, Reply: r.Reply.decode(),
		Review: r.Review.decode(), Recheck: r.Recheck.decode(), EndedOn: parseDate(r.Ended)}
}

// extReqRec is a pending application for the extension.
type extReqRec struct {
	Days   int    `json:"d"`
	Reason string `json:"r,omitempty"`
	ByID   string `json:"b,omitempty"`
	ByName string `json:"bn,omitempty"`
	At     int64  `json:"at,omitempty"`
}

func encodeExtRequest(q *xfbot.ExtensionRequest) *extReqRec {
	if q == nil {
		return nil
	}
	return &extReqRec{Days: q.Days, Reason: q.Reason, ByID: packID(q.By.OpenID), ByName: q.By.Name, At: unix(q.At)}
}

func (r *extReqRec) decode() *xfbot.ExtensionRequest {
	if r == nil {
		return nil
	}
	return &xfbot.ExtensionRequest{Days: r.Days, Reason: r.Reason, By: xfbot.Person{OpenID: unpackID(r.ByID), Name: r.ByName}, At: fromUnix(r.At)}
}

type pauseRec struct {
	From   string `json:"f"`
	To     string `json:"t,omitempty"`
	Reason string `json:"r,omitempty"`
}

func unix(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}

func fromUnix(s int64) time.Time {
	if s == 0 {
		return time.Time{}
	}
	return time.Unix(s, 0)
}

func dateText(d xfbot.Date) string { return d.String() }

func parseDate(s string) xfbot.Date {
	if s == "" {
		return xfbot.Date{}
	}
	d, _ := xfbot.ParseDate(s)
	return d
}

func encodeCase(c *xfbot.Case) caseRec {
	return caseRec{
		No: string(c.No), Title: c.Title, SheetNo: c.SheetNo, Category: categoryCodes.code(c.Category), Unit: c.Unit, Area: c.Area,
		PetName: c.Petitioner.Name, PetPhone: c.Petitioner.Phone, PetID: c.Petitioner.IDCard, Accusation: c.Accusation,
		OwnerID: packID(c.Owner.OpenID), OwnerName: c.Owner.Name, LeaderID: packID(c.Leader.OpenID), LeaderName: c.Leader.Name,
		Screening: screeningCodes.code(c.Screening), Hardship: c.Hardship, Status: statusCodes.code(c.Status),
		AcceptedOn: day(c.AcceptedOn), DueOverride: day(c.DueOverride), ExtDays: c.ExtensionDays,
		ExtReason: c.ExtensionReason, Due: day(c.Due), Result: c.Result,
		ResolvedOn: day(c.ResolvedOn), FollowedUp: day(c.FollowedUpOn), ClosedOn: day(c.ClosedOn), Counted: encodeCounted(c.Counted),
		ByID: creatorID(c), ByName: creatorName(c), CreatedAt: unix(c.CreatedAt), UpdatedAt: unix(c.UpdatedAt),
		LastProg: unix(c.LastProgressAt), LastContact: unix(c.LastContactAt), NProg: c.Progresses, Version: c.Version,
		Tags: tagsText(c.Tags), Pauses: pausesRec(c.Pauses),
		DueSetOn: day(c.DueSetOn), DueReason: c.DueReason, DueExt: c.DueExt, DueTarget: c.DueTarget,
		ExtRequest: encodeExtRequest(c.ExtensionRequest), Proc: encodeProc(c.Proc), Plan: encodeBrief(c.Plan),
		Related: relatedText(c.Related), Attachments: c.Attachments,
	}
}

// sameAsOwner is the creator's field ("b") of a case registered by its
// owner, as most are: the creator is not written twice. packID never
// writes a lone mark, and records written before hold the creator in
// full.
const sameAsOwner = "="

func creatorID(c *xfbot.Case) string {
	if c.CreatedBy == c.Owner && c.Owner.OpenID != "" {
		return sameAsOwner
	}
	return packID(c.CreatedBy.OpenID)
}

func creatorName(c *xfbot.Case) string {
	if c.CreatedBy == c.Owner && c.Owner.OpenID != "" {
		return ""
	}
	return c.CreatedBy.Name
}

// codes are the values of a closed set as a record writes them, a letter or
// two each; a value without a code (or written before the code) is
// written, and read, as it is. No code is a value of its set.
type codes[T ~string] map[T]string

func (cs codes[T]) code(v T) string {
	if c, ok := cs[v]; ok {
		return c
	}
	return string(v)
}

func (cs codes[T]) value(code string) T {
	for v, c := range cs {
		if c == code {
			return v
		}
	}
	return T(code)
}

// The results of 甄别, the categories and the statuses by code: a record
// of the fixture TestCaseMemory writes 34 bytes shorter with these and
// dates as day numbers (day).
var (
	screeningCodes = codes[xfbot.Screening]{
		xfbot.ScreenReasonable: "r", xfbot.ScreenPartly: "p", xfbot.ScreenUnreasonable: "u", xfbot.ScreenExcessive: "x",
	}
	categoryCodes = codes[xfbot.Category]{
		"land_demolition": "ld", "labor_social": "ls", "law_litigation": "ll", "urban_mgmt": "um", "edu_medical": "em",
		"rural_agri": "ra", "environment": "en", "enterprise_restructure": "er", "housing": "ho", "other": "ot",
	}
	statusCodes = codes[xfbot.Status]{
		xfbot.StatusHandling: "h", xfbot.StatusMonitoring: "m", xfbot.StatusResolved: "r", xfbot.StatusClosed: "c",
	}
)

// day is a date of a case's record as its day number (xfbot.Date.DayNumber,
// 20537 for 2026-03-25): 5 bytes instead of 12. A record written before
// holds "2026-03-25", which reads as well.
type day xfbot.Date

func (d day) IsZero() bool { return xfbot.Date(d).IsZero() }

func (d day) MarshalJSON() ([]byte, error) {
	return strconv.AppendInt(nil, int64(xfbot.Date(d).DayNumber()), 10), nil
}

func (d *day) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*d = day(parseDate(s))
		return nil
	}
	if string(b) == "null" {
		return nil
	}
	n, err := strconv.Atoi(string(b))
	if err != nil {
		return fmt.Errorf("store: a date of %s", b)
	}
	*d = day(xfbot.DateFromDayNumber(n))
	return nil
}

func relatedText(nos []xfbot.CaseNo) []string {
	if len(nos) == 0 {
		return nil
	}
	out := make([]string, len(nos))
	for i, no := range nos {
		out[i] = string(no)
	}
	return out
}

func tagsText(ts []xfbot.Tag) []string {
	var out []string
	for _, t := range ts {
		out = append(out, string(t))
	}
	return out
}

func pausesRec(ps []xfbot.Pause) []pauseRec {
	var out []pauseRec
	for _, p := range ps {
		out = append(out, pauseRec{From: dateText(p.From), To: dateText(p.To), Reason: p.Reason})
	}
	return out
}

func (r caseRec) decode() *xfbot.Case {
	return &xfbot.Case{
		No: xfbot.CaseNo(r.No), Title: r.Title, SheetNo: r.SheetNo, Category: categoryCodes.value(r.Category), Unit: r.Unit, Area: r.Area,
		Petitioner: xfbot.Petitioner{Name: r.PetName, Phone: r.PetPhone, IDCard: r.PetID}, Accusation: r.Accusation,
		Owner: xfbot.Person{OpenID: unpackID(r.OwnerID), Name: r.OwnerName}, Leader: xfbot.Person{OpenID: unpackID(r.LeaderID), Name: r.LeaderName},
		Screening: screeningCodes.value(r.Screening), Hardship: r.Hardship, Status: statusCodes.value(r.Status),
		AcceptedOn: xfbot.Date(r.AcceptedOn), DueOverride: xfbot.Date(r.DueOverride), ExtensionDays: r.ExtDays,
		ExtensionReason: r.ExtReason, Due: xfbot.Date(r.Due), Result: r.Result,
		ResolvedOn: xfbot.Date(r.ResolvedOn), FollowedUpOn: xfbot.Date(r.FollowedUp), ClosedOn: xfbot.Date(r.ClosedOn), Counted: r.Counted.decode(),
		CreatedBy: r.creator(), CreatedAt: fromUnix(r.CreatedAt), UpdatedAt: fromUnix(r.UpdatedAt),
		LastProgressAt: fromUnix(r.LastProg), LastContactAt: fromUnix(r.LastContact), Progresses: r.NProg, Version: r.Version,
		Tags: tags(r.Tags), Pauses: pauses(r.Pauses),
		DueSetOn: xfbot.Date(r.DueSetOn), DueReason: r.DueReason, DueExt: r.DueExt, DueTarget: r.DueTarget,
		ExtensionRequest: r.ExtRequest.decode(), Proc: r.Proc.decode(), Plan: r.Plan.decode(), Related: related(r.Related), Attachments: r.Attachments,
	}
}

func (r caseRec) creator() xfbot.Person {
	if r.ByID == sameAsOwner {
		return xfbot.Person{OpenID: unpackID(r.OwnerID), Name: r.OwnerName}
	}
	return xfbot.Person{OpenID: unpackID(r.ByID), Name: r.ByName}
}

func related(ss []string) []xfbot.CaseNo {
	var out []xfbot.CaseNo
	for _, s := range ss {
		out = append(out, xfbot.CaseNo(s))
	}
	return out
}

func tags(ss []string) []xfbot.Tag {
	var out []xfbot.Tag
	for _, s := range ss {
		out = append(out, xfbot.Tag(s))
	}
	return out
}

func pauses(ps []pauseRec) []xfbot.Pause {
	var out []xfbot.Pause
	for _, p := range ps {
		out = append(out, xfbot.Pause{From: parseDate(p.From), To: parseDate(p.To), Reason: p.Reason})
	}
	return out
}

func decodeCase(b []byte) (*xfbot.Case, error) {
	var r caseRec
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, err
	}
	return r.decode(), nil
}

type progressRec struct {
	At     int64  `json:"at"`
	ByID   string `json:"b,omitempty"`
	ByName string `json:"bn,omitempty"`
	Kind   string `json:"k"`
	Text   string `json:"t"`
}

// Progress entries and changes are written as one line of fields joined by
// recSep (ASCII's unit separator), the free text last, so that a line
// carries no field names, quotes or escapes: five typical progress entries
// take 1,048 bytes of Redis memory instead of 1,176 as JSON, a change 248
// instead of 280 (TestCaseMemory, Redis 7.0); with the author's open_id
// packed (openid.go), 920 and 232; the creator's lines (byCreator) shorter
// still. A record whose
// other fields hold recSep, and every record written before, is JSON; JSON
// starts with '{' and a line with the time's digits, so both read back.
const recSep = "\x1f"

// packed joins fields with recSep, or reports false when one of them but
// the last holds recSep (the caller then writes JSON).
func packed(fields ...string) (string, bool) {
	for _, f := range fields[:len(fields)-1] {
		if strings.Contains(f, recSep) {
			return "", false
		}
	}
	return strings.Join(fields, recSep), true
}

// unpacked splits a line written by packed into n fields.
func unpacked(b []byte, n int) ([]string, error) {
	fs := strings.SplitN(string(b), recSep, n)
	if len(fs) != n {
		return nil, fmt.Errorf("store: a record of %d fields, want %d", len(fs), n)
	}
	return fs, nil
}

func isJSON(b []byte) bool { return len(b) > 0 && b[0] == '{' }

// Progress kinds are stored as one letter; unknown ones as written.
var kindCodes = map[xfbot.ProgressKind]string{xfbot.KindProgress: "p", xfbot.KindVisit: "v", xfbot.KindResolve: "r", xfbot.KindSystem: "s"}

// byCreator is the author's field of a progress entry or a change that the
// case's creator wrote (caseRec.creator: the 包案人 who registered it, most
// often, and who writes most of its timeline): the open_id and the name are
// not written again in every line (TestCaseMemory: 28 bytes a line, the
// timeline 1,048 → 792 B with five entries and one change). The creator
// never changes, so the line reads the same whoever owns the case later.
// packID never writes a lone mark, and lines written before hold the
// author in full.
const byCreator = "="

// authorFields are the author's fields of a line: byCreator for creator.
func authorFields(p, creator xfbot.Person) (id, name string) {
	if p == creator && p.OpenID != "" {
		return byCreator, ""
	}
	return packID(p.OpenID), p.Name
}

// authorOf is the author authorFields wrote, creator the case's.
func authorOf(id, name string, creator xfbot.Person) xfbot.Person {
	if id == byCreator {
		return creator
	}
	return xfbot.Person{OpenID: unpackID(id), Name: name}
}

// encodeProgress returns p's line: at, kind, author's open_id and name, text,
// the author written as byCreator when creator (the case's) wrote it.
func encodeProgress(p xfbot.Progress, creator xfbot.Person) (string, error) {
	k, ok := kindCodes[p.Kind]
	if !ok {
		k = string(p.Kind)
	}
	id, name := authorFields(p.Author, creator)
	if line, ok := packed(strconv.FormatInt(unix(p.At), 10), k, id, name, p.Text); ok {
		return line, nil
	}
	b, err := json.Marshal(progressRec{At: unix(p.At), ByID: id, ByName: name, Kind: k, Text: p.Text})
	return string(b), err
}

// progressOf decodes the progress entries of a case whose creator is
// creator (decodeEach's decoder).
func progressOf(creator xfbot.Person) func([]byte) (xfbot.Progress, error) {
	return func(b []byte) (xfbot.Progress, error) { return decodeProgress(b, creator) }
}

func decodeProgress(b []byte, creator xfbot.Person) (xfbot.Progress, error) {
	var r progressRec
	if isJSON(b) {
		if err := json.Unmarshal(b, &r); err != nil {
			return xfbot.Progress{}, err
		}
	} else {
		fs, err := unpacked(b, 5)
		if err != nil {
			return xfbot.Progress{}, err
		}
		if r.At, err = strconv.ParseInt(fs[0], 10, 64); err != nil {
			return xfbot.Progress{}, fmt.Errorf("store: progress time %q: %w", fs[0], err)
		}
		r.Kind, r.ByID, r.ByName, r.Text = fs[1], fs[2], fs[3], fs[4]
	}
	kind := xfbot.ProgressKind(r.Kind)
	for k, code := range kindCodes {
		if code == r.Kind {
			kind = k
		}
	}
	return xfbot.Progress{At: fromUnix(r.At), Author: authorOf(r.ByID, r.ByName, creator), Kind: kind, Text: r.Text}, nil
}

type changeRec struct {
	At     int64  `json:"at"`
	ByID   string `json:"b,omitempty"`
	ByName string `json:"bn,omitempty"`
	Action string `json:"a"`
	Field  string `json:"f,omitempty"`
	Before string `json:"o,omitempty"`
	After  string `json:"n,omitempty"`
}

// encodeChange returns c's line: at, open_id and name of who, action,
// field, before, after; who as byCreator when creator (the case's) it was.
func encodeChange(c xfbot.Change, creator xfbot.Person) (string, error) {
	id, name := authorFields(c.By, creator)
	if line, ok := packed(strconv.FormatInt(unix(c.At), 10), id, name, c.Action, c.Field, c.Before, c.After); ok {
		return line, nil
	}
	b, err := json.Marshal(changeRec{At: unix(c.At), ByID: id, ByName: name, Action: c.Action, Field: c.Field, Before: c.Before, After: c.After})
	return string(b), err
}

// changeOf decodes the changes of a case whose creator is creator.
func changeOf(creator xfbot.Person) func([]byte) (xfbot.Change, error) {
	return func(b []byte) (xfbot.Change, error) { return decodeChange(b, creator) }
}

func decodeChange(b []byte, creator xfbot.Person) (xfbot.Change, error) {
	var r changeRec
	if isJSON(b) {
		if err := json.Unmarshal(b, &r); err != nil {
			return xfbot.Change{}, err
		}
	} else {
		fs, err := unpacked(b, 7)
		if err != nil {
			return xfbot.Change{}, err
		}
		if r.At, err = strconv.ParseInt(fs[0], 10, 64); err != nil {
			return xfbot.Change{}, fmt.Errorf("store: change time %q: %w", fs[0], err)
		}
		r.ByID, r.ByName, r.Action, r.Field, r.Before, r.After = fs[1], fs[2], fs[3], fs[4], fs[5], fs[6]
	}
	return xfbot.Change{At: fromUnix(r.At), By: authorOf(r.ByID, r.ByName, creator), Action: r.Action, Field: r.Field, Before: r.Before, After: r.After}, nil
}

type memberRec struct {
	OpenID string `json:"id"`
	Name   string `json:"n,omitempty"`
	Role   string `json:"r"`
	Unit   string `json:"u,omitempty"`
	// The unit's other names (xfbot.Member.UnitFormer), added later.
	UnitFormer []string `json:"uf,omitempty"`
	// Leaders' fields (接访), added later: absent in older records.
	Title  string `json:"ti,omitempty"`
	Duties string `json:"du,omitempty"`
	Every  int    `json:"ev,omitempty"`
	// The roster (member.go), added later still: absent reads as 在岗.
	roster
}

func encodeMember(m xfbot.Member) memberRec {
	return memberRec{OpenID: m.OpenID, Name: m.Name, Role: string(m.Role), Unit: m.Unit, UnitFormer: m.UnitFormer,
		Title: m.Title, Duties: m.Duties, Every: m.ReceptionEvery, roster: encodeRoster(m)}
}

func decodeMember(b []byte) (xfbot.Member, error) {
	var r memberRec
	if err := json.Unmarshal(b, &r); err != nil {
		return xfbot.Member{}, err
	}
	m := xfbot.Member{OpenID: r.OpenID, Name: r.Name, Role: xfbot.Role(r.Role), Unit: r.Unit, UnitFormer: r.UnitFormer,
		Title: r.Title, Duties: r.Duties, ReceptionEvery: r.Every}
	r.roster.decode(&m)
	return m, nil
}

// changeMark starts a change's line in a case's timeline (keys.progress);
// a progress entry's line starts with its time's digits, or "{" when
// written as JSON, never with it.
const changeMark = "!"

// progressLines are the progress entries of items of a timeline, in order.
func progressLines(items []string) []string {
	out := make([]string, 0, len(items))
	for _, v := range items {
		if !strings.HasPrefix(v, changeMark) {
			out = append(out, v)
		}
	}
	return out
}

// changeLines are the changes of items of a timeline, oldest first: the
// head holds them newest first.
func changeLines(items []string) []string {
	var out []string
	for _, v := range items {
		if rest, ok := strings.CutPrefix(v, changeMark); ok {
			out = append(out, rest)
		}
	}
	slices.Reverse(out)
	return out
}

func decodeEach[T any](vals []string, dec func([]byte) (T, error)) ([]T, error) {
	out := make([]T, 0, len(vals))
	for _, v := range vals {
		x, err := dec([]byte(v))
		if err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, nil
}

// creatorOf is the creator of the case whose record cmd read (a case no
// longer there has none): the author byCreator stands for in its
// timeline. Only the fields it needs are decoded.
func creatorOf(cmd *redis.StringCmd) (xfbot.Person, error) {
	b, err := cmd.Bytes()
	if errors.Is(err, redis.Nil) {
		return xfbot.Person{}, nil
	}
	if err != nil {
		return xfbot.Person{}, err
	}
	var r struct {
		OwnerID   string `json:"o"`
		OwnerName string `json:"on"`
		ByID      string `json:"b"`
		ByName    string `json:"bn"`
	}
	if err := json.Unmarshal(b, &r); err != nil {
		return xfbot.Person{}, fmt.Errorf("store: decode case: %w", err)
	}
	return caseRec{OwnerID: r.OwnerID, OwnerName: r.OwnerName, ByID: r.ByID, ByName: r.ByName}.creator(), nil
}

// creatorIn is c's creator, or nobody's without c.
func creatorIn(c *xfbot.Case) xfbot.Person {
	if c == nil {
		return xfbot.Person{}
	}
	return c.CreatedBy
}
