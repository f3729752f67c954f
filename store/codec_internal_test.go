package store

import (
	"context"
	"encoding/json"
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
		line, err := encodeProgress(p)
		if err != nil {
			t.Fatal(err)
		}
		if wantJSON := strings.Contains(p.Author.Name, recSep); isJSON([]byte(line)) != wantJSON {
			t.Errorf("%q: JSON %v, want %v", line, !wantJSON, wantJSON)
		}
		got, err := decodeProgress([]byte(line))
		if err != nil || !got.At.Equal(p.At) || got.At.IsZero() != p.At.IsZero() || got.Author != p.Author || got.Kind != p.Kind || got.Text != p.Text {
			t.Errorf("%q read back as %+v, %v; want %+v", line, got, err, p)
		}
	}
	for _, c := range []xfbot.Change{
		{At: at, By: by, Action: "指派", Field: "包案人", Before: "", After: "赵建"},
		{At: at, By: by, Action: "改", Field: "诉求", Before: "a" + recSep + "b", After: "c" + recSep},
	} {
		line, err := encodeChange(c)
		if err != nil {
			t.Fatal(err)
		}
		got, err := decodeChange([]byte(line))
		if err != nil || !got.At.Equal(c.At) || got.By != c.By || got.Action != c.Action || got.Field != c.Field || got.Before != c.Before || got.After != c.After {
			t.Errorf("%q read back as %+v, %v; want %+v", line, got, err, c)
		}
	}
	// The JSON of the release before: the kinds by letter, or as written.
	old := `{"at":1773622800,"b":"ou_84aad35d084aa403a838cf73ee18467","bn":"赵建","k":"v","t":"走访"}`
	if p, err := decodeProgress([]byte(old)); err != nil || p.Kind != xfbot.KindVisit || p.Text != "走访" || p.Author != by || !p.At.Equal(at) {
		t.Errorf("old progress %+v, %v", p, err)
	}
	oldc := `{"at":1773622800,"b":"ou_84aad35d084aa403a838cf73ee18467","bn":"赵建","a":"指派","f":"包案人","n":"赵建"}`
	if c, err := decodeChange([]byte(oldc)); err != nil || c.Action != "指派" || c.Field != "包案人" || c.After != "赵建" || c.By != by {
		t.Errorf("old change %+v, %v", c, err)
	}
	if _, err := decodeProgress([]byte("1773622800" + recSep + "p")); err == nil {
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
