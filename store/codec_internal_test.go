package store

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/internal/testredis"
)

// Progress entries and changes are written as lines (recSep between the
// fields, the text last) and read back whatever their text holds; a record
// whose other fields hold recSep is written as JSON, and the JSON records
// of earlier releases, already in the lists, still read.
func TestTimelineLines(t *testing.T) {
	at := time.Unix(1773622800, 0)
	by := xfbot.Person{OpenID: "ou_84aad35d084aa403a838cf73ee18467", Name: "赵建"}
	for _, p := range []xfbot.Progress{
		{At: at, Author: by, Kind: xfbot.KindProgress, Text: "3月12日约谈开发商，明确4月30日前完成消防验收。"},
		{At: at, Author: by, Kind: xfbot.KindVisit, Text: "{\"not\":json}" + recSep + "a separator in the text" + recSep},
		{At: at, Author: xfbot.Person{Name: "odd" + recSep + "name"}, Kind: "custom", Text: ""},
		{Kind: xfbot.KindSystem, Text: "系统"},
	} {
		line, err := encodeProgress(p, xfbot.Person{})
		if err != nil {
			t.Fatal(err)
		}
		if wantJSON := strings.Contains(p.Author.Name, recSep); isJSON([]byte(line)) != wantJSON {
			t.Errorf("%q: JSON %v, want %v", line, !wantJSON, wantJSON)
		}
		got, err := decodeProgress([]byte(line), xfbot.Person{})
		if err != nil || !got.At.Equal(p.At) || got.At.IsZero() != p.At.IsZero() || got.Author != p.Author || got.Kind != p.Kind || got.Text != p.Text {
			t.Errorf("%q read back as %+v, %v; want %+v", line, got, err, p)
		}
	}
	for _, c := range []xfbot.Change{
		{At: at, By: by, Action: "指派", Field: "包案人", Before: "", After: "赵建"},
		{At: at, By: by, Action: "改", Field: "诉求", Before: "a" + recSep + "b", After: "c" + recSep},
	} {
		line, err := encodeChange(c, xfbot.Person{})
		if err != nil {
			t.Fatal(err)
		}
		got, err := decodeChange([]byte(line), xfbot.Person{})
		if err != nil || !got.At.Equal(c.At) || got.By != c.By || got.Action != c.Action || got.Field != c.Field || got.Before != c.Before || got.After != c.After {
			t.Errorf("%q read back as %+v, %v; want %+v", line, got, err, c)
		}
	}
	// The JSON of the release before: the kinds by letter, or as written.
	old := `{"at":1773622800,"b":"ou_84aad35d084aa403a838cf73ee18467","bn":"赵建","k":"v","t":"走访"}`
	if p, err := decodeProgress([]byte(old), xfbot.Person{}); err != nil || p.Kind != xfbot.KindVisit || p.Text != "走访" || p.Author != by || !p.At.Equal(at) {
		t.Errorf("old progress %+v, %v", p, err)
	}
	oldc := `{"at":1773622800,"b":"ou_84aad35d084aa403a838cf73ee18467","bn":"赵建","a":"指派","f":"包案人","n":"赵建"}`
	if c, err := decodeChange([]byte(oldc), xfbot.Person{}); err != nil || c.Action != "指派" || c.Field != "包案人" || c.After != "赵建" || c.By != by {
		t.Errorf("old change %+v, %v", c, err)
	}
	if _, err := decodeProgress([]byte("1773622800"+recSep+"p"), xfbot.Person{}); err == nil {
		t.Error("a line of two fields read as a progress entry")
	}
}

// A timeline holding records of both releases reads in order through Load
// and History, once the start has moved the changes of the release before
// (their own list, hist:<number>) into it.
func TestTimelineMixed(t *testing.T) {
	ctx := context.Background()
	rdb, prefix := testredis.New(t)
	s := New(rdb, prefix)
	no := xfbot.CaseNo("XF-2026-0001")
	rdb.RPush(ctx, s.k.progress(no), `{"at":1773622800,"bn":"甲","k":"p","t":"旧"}`)
	rdb.RPush(ctx, s.k.history(no), `{"at":1773622800,"bn":"甲","a":"新建"}`, `{"at":1773622850,"bn":"甲","a":"受理"}`)
	tx := s.NewTx()
	tx.AddProgress(no, xfbot.Progress{At: time.Unix(1773622900, 0), Author: xfbot.Person{Name: "乙"}, Kind: xfbot.KindProgress, Text: "新"})
	tx.AddChanges(no, xfbot.Change{At: time.Unix(1773622900, 0), By: xfbot.Person{Name: "乙"}, Action: "指派"},
		xfbot.Change{At: time.Unix(1773622900, 0), By: xfbot.Person{Name: "乙"}, Action: "包保"})
	if _, err := s.Commit(ctx, tx); err != nil {
		t.Fatal(err)
	}
	if n, err := s.BackfillIndexSets(ctx); err != nil || n != 2 {
		t.Fatalf("moved %d, %v; want the two changes", n, err)
	}
	if rdb.Exists(ctx, s.k.history(no)).Val() != 0 {
		t.Error("the old list of changes is left")
	}
	ch, ps, err := s.History(ctx, no)
	var acts []string
	for _, c := range ch {
		acts = append(acts, c.Action)
	}
	if err != nil || len(ps) != 2 || ps[0].Text != "旧" || ps[1].Text != "新" || strings.Join(acts, ",") != "新建,受理,指派,包保" {
		t.Fatalf("history %v %+v, %v", acts, ps, err)
	}
	l, err := s.Load(ctx, "", no)
	if err != nil || len(l.Recent) != 0 {
		t.Fatalf("Load of a timeline without its case: %+v, %v", l.Recent, err)
	}
	if rec, err := s.RecentOf(ctx, []xfbot.CaseNo{no}, 3); err != nil || len(rec[no]) != 2 {
		t.Fatalf("the last 3 progress entries of 2 and 4 changes: %+v, %v", rec[no], err)
	}
}

// TestCaseRecordShort: a record writes the 甄别 result as a code and a
// creator who is the owner as "=", and reads them back as they were; a
// creator who is someone else, or nobody, is written in full; a record of
// the release before (the result by name, the creator in full) reads the
// same.
func TestCaseRecordShort(t *testing.T) {
	owner := xfbot.Person{OpenID: "ou_84aad35d084aa403a838cf73ee184612", Name: "赵建"}
	other := xfbot.Person{OpenID: "ou_3c14f3a59eaf2825dbe25359f15d3e45", Name: "周某"}
	for _, tt := range []struct {
		name        string
		by          xfbot.Person
		screen      xfbot.Screening
		wantB, want string // the record's "b" and "s"
	}{
		{"ByOwner", owner, xfbot.ScreenPartly, `"b":"="`, `"s":"p"`},
		{"ByOther", other, xfbot.ScreenExcessive, `"b":"~PBTzpZ6vKCXb4lNZ8V0-RQ","bn":"周某"`, `"s":"x"`},
		{"ByNobody", xfbot.Person{}, xfbot.ScreenReasonable, ``, `"s":"r"`},
		{"SameNameOtherID", xfbot.Person{OpenID: other.OpenID, Name: owner.Name}, xfbot.ScreenUnreasonable, `"bn":"赵建"`, `"s":"u"`},
		{"Unscreened", owner, "", `"b":"="`, ``},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := &xfbot.Case{No: "XF-2026-0001", Title: "回迁房", Status: xfbot.StatusHandling, Owner: owner, CreatedBy: tt.by, Screening: tt.screen}
			b, err := json.Marshal(encodeCase(c))
			if err != nil {
				t.Fatal(err)
			}
			rec := string(b)
			if tt.wantB != "" && !strings.Contains(rec, tt.wantB) || tt.want != "" && !strings.Contains(rec, tt.want) || tt.wantB == "" && strings.Contains(rec, `"b":`) {
				t.Errorf("record %s; want %s and %s", rec, tt.wantB, tt.want)
			}
			got, err := decodeCase(b)
			if err != nil || got.CreatedBy != tt.by || got.Screening != tt.screen || got.Owner != owner {
				t.Errorf("read back: by %+v, screening %q, owner %+v, %v", got.CreatedBy, got.Screening, got.Owner, err)
			}
		})
	}
	old := `{"no":"XF-2026-0001","t":"回迁房","o":"~hKrTXQhKpAOoOM9z7hhGcA","on":"赵建","s":"partly_reasonable","st":"handling","b":"~hKrTXQhKpAOoOM9z7hhGcA","bn":"赵建","ver":3}`
	got, err := decodeCase([]byte(old))
	if err != nil || got.Screening != xfbot.ScreenPartly || got.CreatedBy != got.Owner || got.CreatedBy.Name != "赵建" {
		t.Errorf("a record of the release before: %+v, %v", got, err)
	}
}

// TestTimelineByCreator: a progress entry or a change by the case's
// creator is written without the author (byCreator), one by anyone else in
// full, a line of a Tx that does not write the case in full too; every
// reader gives each line its author, also once the case has another
// 包案人, and a line is the same whoever reads it.
func TestTimelineByCreator(t *testing.T) {
	ctx := context.Background()
	rdb, prefix := testredis.New(t)
	s := New(rdb, prefix)
	creator := xfbot.Person{OpenID: "ou_84aad35d084aa403a838cf73ee184612", Name: "赵建"}
	other := xfbot.Person{OpenID: "ou_3c14f3a59eaf2825dbe25359f15d3e45", Name: "周某"}
	next := xfbot.Person{OpenID: "ou_0c14f3a59eaf2825dbe25359f15d3e46", Name: "钱进"}
	at := time.Unix(1773622800, 0)

	c := &xfbot.Case{Title: "回迁房", Status: xfbot.StatusHandling, Owner: creator, CreatedBy: creator, CreatedAt: at,
		AcceptedOn: xfbot.DateOf(at, time.Local), Due: xfbot.DateOf(at, time.Local).AddDays(60)}
	tx := s.NewTx()
	tx.CreateCase(c, 2026)
	tx.AddChanges(NoPlaceholder, xfbot.Change{At: at, By: creator, Action: "新建"})
	tx.AddProgress(NoPlaceholder, xfbot.Progress{At: at, Author: creator, Kind: xfbot.KindProgress, Text: "约谈开发商"})
	tx.AddProgress(NoPlaceholder, xfbot.Progress{At: at, Author: other, Kind: xfbot.KindVisit, Text: "走访"})
	no, err := s.Commit(ctx, tx)
	if err != nil {
		t.Fatal(err)
	}
	// Reassigned: the creator stays who registered it.
	l, err := s.Load(ctx, "", no)
	if err != nil || l.Case == nil {
		t.Fatalf("load: %+v, %v", l, err)
	}
	moved := *l.Case
	moved.Owner = next
	tx = s.NewTx()
	tx.UpdateCase(l.Case, &moved)
	tx.AddChanges(no, xfbot.Change{At: at, By: creator, Action: "指派", Field: "包案人", Before: "赵建", After: "钱进"})
	tx.AddProgress(no, xfbot.Progress{At: at, Author: next, Kind: xfbot.KindProgress, Text: "接手"})
	if _, err := s.Commit(ctx, tx); err != nil {
		t.Fatal(err)
	}
	// A line of a Tx that writes no case: its author in full.
	tx = s.NewTx()
	tx.AddProgress(no, xfbot.Progress{At: at, Author: creator, Kind: xfbot.KindProgress, Text: "补记"})
	if _, err := s.Commit(ctx, tx); err != nil {
		t.Fatal(err)
	}
	// The creator again, with the case written: short.
	if l, err = s.Load(ctx, "", no); err != nil {
		t.Fatal(err)
	}
	again := *l.Case
	again.Progresses++
	tx = s.NewTx()
	tx.UpdateCase(l.Case, &again)
	tx.AddProgress(no, xfbot.Progress{At: at, Author: creator, Kind: xfbot.KindVisit, Text: "回访"})
	if _, err := s.Commit(ctx, tx); err != nil {
		t.Fatal(err)
	}

	lines := rdb.LRange(ctx, s.k.progress(no), 0, -1).Val()
	short := 0
	for _, line := range lines {
		fs := strings.Split(strings.TrimPrefix(line, changeMark), recSep)
		byCreatorLine := slices.Contains(fs, byCreator)
		if byCreatorLine {
			short++
		}
		if strings.Contains(line, packID(creator.OpenID)) && byCreatorLine {
			t.Errorf("line %q has the creator twice", line)
		}
	}
	if short != 4 { // 新建, 约谈开发商, 指派, 回访 (补记's Tx writes no case)
		t.Errorf("%d lines by the creator written short, want 4: %q", short, lines)
	}

	wantProg := []xfbot.Person{creator, other, next, creator, creator}
	check := func(name string, ps []xfbot.Progress, want []xfbot.Person) {
		t.Helper()
		if len(ps) != len(want) {
			t.Fatalf("%s: %d entries, want %d: %+v", name, len(ps), len(want), ps)
		}
		for i := range ps {
			if ps[i].Author != want[i] {
				t.Errorf("%s: entry %d (%s) by %+v, want %+v", name, i, ps[i].Text, ps[i].Author, want[i])
			}
		}
	}
	ch, ps, err := s.History(ctx, no)
	if err != nil {
		t.Fatal(err)
	}
	check("History", ps, wantProg)
	if len(ch) != 2 || ch[0].By != creator || ch[1].By != creator || ch[1].After != "钱进" {
		t.Errorf("History's changes: %+v", ch)
	}
	if l, err = s.Load(ctx, "", no); err != nil {
		t.Fatal(err)
	}
	check("Load", l.Recent, wantProg[len(wantProg)-min(len(wantProg), RecentProgress):])
	rec, err := s.RecentOf(ctx, []xfbot.CaseNo{no, "XF-2026-0999"}, 10)
	if err != nil {
		t.Fatal(err)
	}
	check("RecentOf", rec[no], wantProg)
	var exported []xfbot.Progress
	if err := s.EachCase(ctx, ExportQuery{}, 0, func(_ []*xfbot.Case, progs [][]xfbot.Progress) error {
		for _, p := range progs {
			exported = append(exported, p...)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	check("EachCase", exported, wantProg)
}

// TestCaseRecordCodes: a record writes its dates as day numbers and its
// category and status as codes, and reads them back; a record of the
// release before (dates as text, category and status by name) reads the
// same, and a list by category finds records of both.
func TestCaseRecordCodes(t *testing.T) {
	due := xfbot.NewDate(2026, 5, 24)
	c := &xfbot.Case{No: "XF-2026-0001", Title: "回迁房", Category: "land_demolition", Status: xfbot.StatusMonitoring,
		AcceptedOn: xfbot.NewDate(2026, 3, 25), Due: due, DueSetOn: xfbot.NewDate(1970, 1, 1), Version: 2}
	b, err := json.Marshal(encodeCase(c))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"c":"ld"`, `"st":"m"`, `"ao":20537`, `"d":20597`, `"ds":0`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("record %s: no %s", b, want)
		}
	}
	for _, absent := range []string{`"ro"`, `"co"`, `"fu"`, `"do"`} {
		if strings.Contains(string(b), absent) {
			t.Errorf("record %s: a zero date written (%s)", b, absent)
		}
	}
	got, err := decodeCase(b)
	if err != nil || got.Category != c.Category || got.Status != c.Status || got.AcceptedOn != c.AcceptedOn || got.Due != due ||
		got.DueSetOn != c.DueSetOn || !got.ResolvedOn.IsZero() {
		t.Errorf("read back %+v, %v", got, err)
	}
	old := `{"no":"XF-2026-0001","t":"回迁房","c":"land_demolition","st":"monitoring","ao":"2026-03-25","d":"2026-05-24","ver":2}`
	if got, err := decodeCase([]byte(old)); err != nil || got.Category != c.Category || got.Status != c.Status || got.AcceptedOn != c.AcceptedOn || got.Due != due {
		t.Errorf("a record of the release before: %+v, %v", got, err)
	}
	unknown := `{"no":"XF-2026-0001","t":"x","c":"mars","st":"paused","d":"not a date","ver":1}`
	if got, err := decodeCase([]byte(unknown)); err != nil || got.Category != "mars" || got.Status != "paused" || !got.Due.IsZero() {
		t.Errorf("values without codes: %+v, %v", got, err)
	}
	if _, err := decodeCase([]byte(`{"t":"x","d":true,"ver":1}`)); err == nil {
		t.Error("a date of true read")
	}

	ctx := context.Background()
	rdb, prefix := testredis.New(t)
	s := New(rdb, prefix)
	var nos []xfbot.CaseNo
	for i := 0; i < 3; i++ {
		c := &xfbot.Case{Title: "回迁房", Category: "land_demolition", Status: xfbot.StatusHandling, AcceptedOn: due.AddDays(-60), Due: due.AddDays(i)}
		if i == 2 {
			c.Category = "housing"
		}
		tx := s.NewTx()
		tx.CreateCase(c, 2026)
		no, err := s.Commit(ctx, tx)
		if err != nil {
			t.Fatal(err)
		}
		nos = append(nos, no)
	}
	// The first as the release before wrote it.
	rec := rdb.Get(ctx, s.k.caseKey(nos[0])).Val()
	rec = strings.Replace(strings.Replace(rec, `"c":"ld"`, `"c":"land_demolition"`, 1), `"st":"h"`, `"st":"handling"`, 1)
	rdb.Set(ctx, s.k.caseKey(nos[0]), rec, 0)
	cs, total, err := s.List(ctx, Query{Index: IndexOpen(), Limit: 10, Where: [][]Cond{{{Field: FieldCategory, Values: []string{"land_demolition"}}}}})
	if err != nil || total != 2 || len(cs) != 2 || cs[0].No != nos[0] || cs[1].No != nos[1] || cs[0].Status != xfbot.StatusHandling {
		t.Errorf("征地拆迁: %d of %d, %v", len(cs), total, err)
	}
}
