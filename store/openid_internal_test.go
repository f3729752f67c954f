package store

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/internal/testredis"
	"github.com/redis/go-redis/v9"
)

// An open_id packs to a shorter id made of characters that need no escape
// in a record, and unpacks to itself; what is not an open_id of the usual
// shape is kept, and ids written before packing existed read as themselves.
func TestPackID(t *testing.T) {
	for _, tc := range []struct {
		id, packed string
	}{
		{"", ""},
		{"ou_7dab8a3d3cdcc9da365777c7ad535d62", "~fauKPTzcydo2V3fHrVNdYg"},
		{"ou_84aad35d084aa403a838cf73ee18467", "!hKrTXQhKpAOoOM9z7hhGcA"}, // 31 digits
		{"ou_0", "!AA"},
		{"ou_00", "~AA"},
		{"ou_", "ou_"},
		{"ou_7DAB8A3D", "ou_7DAB8A3D"},           // upper case: kept, so it reads back exactly
		{"ou_sdfimx9948345", "ou_sdfimx9948345"}, // not hexadecimal
		{"ou_demo_zhao", "ou_demo_zhao"},
		{"console:zhao", "console:zhao"},
		{"~odd", "=~odd"},
		{"!odd", "=!odd"},
		{"=odd", "==odd"},
		{"ou_" + strings.Repeat("a", 65), "ou_" + strings.Repeat("a", 65)}, // too long to be one
	} {
		got := packID(tc.id)
		if got != tc.packed {
			t.Errorf("packID(%q) = %q, want %q", tc.id, got, tc.packed)
		}
		if back := unpackID(got); back != tc.id {
			t.Errorf("unpackID(%q) = %q, want %q", got, back, tc.id)
		}
		if strings.ContainsAny(got, "\"\\<>&|"+recSep) {
			t.Errorf("packID(%q) = %q holds a character a record or a member escapes or splits on", tc.id, got)
		}
		if strings.HasPrefix(tc.id, "ou_") && len(tc.id) >= 35 && len(got) > 23 && got == tc.packed && got != tc.id {
			t.Errorf("packID(%q) = %q: %d bytes, want at most 23", tc.id, got, len(got))
		}
	}
	// Ids stored before packing (verbatim open_ids) read as themselves.
	for _, old := range []string{"ou_84aad35d084aa403a838cf73ee18467", "ou_demo_li", "on_abc"} {
		if got := unpackID(old); got != old {
			t.Errorf("unpackID(%q) = %q, want it unchanged", old, got)
		}
	}
}

// A case written with its people as open_ids (before packing) and one
// written now both read back whole, and a list narrowed by owner or
// leader on an index that is matched on the record (every case, closed
// ones included) finds both.
func TestPackedPeopleOldAndNew(t *testing.T) {
	ctx := context.Background()
	rdb, prefix := testredis.New(t)
	s := New(rdb, prefix)
	owner := xfbot.Person{OpenID: "ou_7dab8a3d3cdcc9da365777c7ad535d62", Name: "赵建"}
	leader := xfbot.Person{OpenID: "ou_3c14f3a59eaf2825dbe25359f15d3e45", Name: "周某"}
	at := time.Unix(1773622800, 0)
	tx := s.NewTx()
	c := &xfbot.Case{Title: "新写的", Status: xfbot.StatusHandling, Owner: owner, Leader: leader, CreatedBy: owner,
		CreatedAt: at, UpdatedAt: at, AcceptedOn: xfbot.NewDate(2026, 3, 1), Due: xfbot.NewDate(2026, 4, 30)}
	tx.CreateCase(c, 2026)
	tx.AddProgress(NoPlaceholder, xfbot.Progress{At: at, Author: owner, Kind: xfbot.KindProgress, Text: "约谈"})
	tx.AddChanges(NoPlaceholder, xfbot.Change{At: at, By: owner, Action: "指派", Field: "包案人", After: "赵建"})
	if _, err := s.Commit(ctx, tx); err != nil {
		t.Fatal(err)
	}
	raw, err := rdb.Get(ctx, s.k.caseKey("XF-2026-0001")).Result()
	if err != nil || strings.Contains(raw, owner.OpenID) || !strings.Contains(raw, `"o":"`+packID(owner.OpenID)+`"`) {
		t.Fatalf("the record holds its people as %s (%v), want them packed", raw, err)
	}
	// The same case as an earlier release wrote it, open_ids in full.
	old := strings.ReplaceAll(strings.ReplaceAll(raw, packID(owner.OpenID), owner.OpenID), packID(leader.OpenID), leader.OpenID)
	old = strings.Replace(old, "XF-2026-0001", "XF-2026-0002", 1)
	rdb.Set(ctx, s.k.caseKey("XF-2026-0002"), old, 0)
	rdb.ZAdd(ctx, s.k.idxAll(), redis.Z{Score: float64(at.Unix() + 1), Member: "XF-2026-0002"})
	rdb.RPush(ctx, s.k.progress("XF-2026-0002"), "1773622800"+recSep+"p"+recSep+owner.OpenID+recSep+"赵建"+recSep+"旧的")

	for _, no := range []xfbot.CaseNo{"XF-2026-0001", "XF-2026-0002"} {
		l, err := s.Load(ctx, owner.OpenID, no)
		if err != nil || l.Case.Owner != owner || l.Case.Leader != leader || l.Case.CreatedBy != owner {
			t.Fatalf("%s reads as %+v, %v", no, l, err)
		}
		_, ps, err := s.History(ctx, no)
		if err != nil || len(ps) != 1 || ps[0].Author != owner {
			t.Fatalf("%s's progress reads as %+v, %v", no, ps, err)
		}
	}
	if ch, _, err := s.History(ctx, "XF-2026-0001"); err != nil || len(ch) != 1 || ch[0].By != owner {
		t.Fatalf("changes read as %+v, %v", ch, err)
	}
	for _, f := range []Field{FieldOwner, FieldLeader} {
		id := owner.OpenID
		if f == FieldLeader {
			id = leader.OpenID
		}
		cs, total, err := s.List(ctx, Query{Index: IndexAll(), Where: [][]Cond{{{Field: f, Values: []string{id}}}}})
		if err != nil || total != 2 || len(cs) != 2 {
			t.Fatalf("list by field %d = %d of %d, %v; want both cases", f, len(cs), total, err)
		}
	}
}
