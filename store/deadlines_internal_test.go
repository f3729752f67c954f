package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/internal/testredis"
	"github.com/redis/go-redis/v9"
)

// Every deadline kind has its own code, no kind's name reads as another's
// code, and a member reads back as the deadline it was written from,
// whatever the owner; members written by name and with the open_id as it
// is read the same.
func TestDeadlineCodes(t *testing.T) {
	seen := map[string]xfbot.DeadlineKind{}
	for k, c := range deadlineCodes {
		if o, dup := seen[c]; dup {
			t.Errorf("%s and %s share the code %q", k, o, c)
		}
		seen[c] = k
		if strings.Contains(c, "|") || len(c) > 2 {
			t.Errorf("%s's code %q", k, c)
		}
	}
	for k := range deadlineCodes {
		if _, clash := seen[string(k)]; clash {
			t.Errorf("the kind %s is another kind's code", k)
		}
	}
	due := xfbot.NewDate(2026, 5, 15)
	for k := range deadlineCodes {
		for _, owner := range []string{"ou_7dab8a3d3cdcc9da365777c7ad535d62", "ou_demo_li", ""} {
			for _, paused := range []bool{false, true} {
				d := xfbot.Deadline{Subject: xfbot.Subject{Kind: xfbot.SubjectCase, ID: "XF-2026-0012"}, Kind: k, Due: due, Owner: owner, Paused: paused}
				m, err := deadlineMember(d)
				if err != nil {
					t.Fatal(err)
				}
				got, err := parseDeadline(m, float64(due.DayNumber()))
				if err != nil || got != d {
					t.Errorf("%q reads as %+v, %v; want %+v", m, got, err, d)
				}
				old := string(k) + "|case:XF-2026-0012|" + map[bool]string{true: "p"}[paused] + "|" + owner
				if got, err := parseDeadline(old, float64(due.DayNumber())); err != nil || got != d {
					t.Errorf("the member %q written before reads as %+v, %v; want %+v", old, got, err, d)
				}
			}
		}
	}
	m, _ := deadlineMember(xfbot.Deadline{Subject: xfbot.Subject{Kind: xfbot.SubjectCase, ID: "XF-2026-0012"}, Kind: xfbot.DeadlineHandle,
		Owner: "ou_7dab8a3d3cdcc9da365777c7ad535d62"})
	if m != "h|case:XF-2026-0012||~fauKPTzcydo2V3fHrVNdYg" {
		t.Errorf("member %q", m)
	}
	if d, err := parseDeadline("future_kind|case:XF-2026-0012||ou_x", 0); err != nil || d.Kind != "future_kind" {
		t.Errorf("a kind without a code reads as %+v, %v", d, err)
	}
}

// The deadline index of a release before — one sorted set, dl, with
// members written out (kinds by name, open_ids as they are) or packed — is
// moved once at start into its 64 sets, packed: the same deadlines read
// after, a write then moves them without leaving the old members behind,
// and a second start moves nothing.
func TestPackDeadlines(t *testing.T) {
	ctx := context.Background()
	rdb, prefix := testredis.New(t)
	s := New(rdb, prefix)
	at := time.Date(2026, 3, 16, 9, 0, 0, 0, time.Local)
	owner := xfbot.Person{OpenID: "ou_7dab8a3d3cdcc9da365777c7ad535d62", Name: "赵建"}
	tx := s.NewTx()
	c := &xfbot.Case{Title: "回迁房", Status: xfbot.StatusHandling, Owner: owner, CreatedBy: owner, CreatedAt: at, UpdatedAt: at,
		AcceptedOn: xfbot.NewDate(2026, 3, 16), Due: xfbot.NewDate(2026, 5, 15), LastProgressAt: at}
	tx.CreateCase(c, 2026)
	tx.Snooze("XF-2026-0001", owner.OpenID, xfbot.NewDate(2026, 3, 20))
	if _, err := s.Commit(ctx, tx); err != nil {
		t.Fatal(err)
	}
	read := func() []xfbot.Deadline {
		ds, err := s.Deadlines(ctx, xfbot.NewDate(2030, 1, 1), 0)
		if err != nil {
			t.Fatal(err)
		}
		return ds
	}
	want := read()
	if len(want) < 3 {
		t.Fatalf("%d deadlines, want the stage's, the gap's and the snooze", len(want))
	}
	// Rewind to one sorted set: the stage's and the gap's members as
	// written before they were packed, the snooze packed.
	var zs []redis.Z
	for _, key := range s.k.deadlineKeys() {
		zs = append(zs, rdb.ZRangeWithScores(ctx, key, 0, -1).Val()...)
		rdb.Del(ctx, key)
	}
	for _, z := range zs {
		d, _ := parseDeadline(z.Member.(string), z.Score)
		m := z.Member.(string)
		if d.Kind != xfbot.DeadlineSnooze {
			m = string(d.Kind) + "|" + d.Subject.String() + "||" + d.Owner
		}
		rdb.ZAdd(ctx, s.k.oldDeadlines(), redis.Z{Score: z.Score, Member: m})
	}
	if got := read(); len(got) != 0 {
		t.Fatalf("the index's sets hold %+v; want them empty before the start", got)
	}
	n, err := s.BackfillIndexSets(ctx)
	if err != nil || n != len(zs) {
		t.Fatalf("moved %d, %v; want %d", n, err, len(zs))
	}
	if rdb.Exists(ctx, s.k.oldDeadlines()).Val() != 0 {
		t.Errorf("the old sorted set is left: %v", rdb.ZRange(ctx, s.k.oldDeadlines(), 0, -1).Val())
	}
	for _, key := range s.k.deadlineKeys() {
		for _, m := range rdb.ZRange(ctx, key, 0, -1).Val() {
			if strings.Contains(m, owner.OpenID) || strings.HasPrefix(m, "handle|") {
				t.Errorf("member %q left as written before", m)
			}
			if key != s.k.deadlineKey(m) {
				t.Errorf("member %q in %s, not in its set %s", m, key, s.k.deadlineKey(m))
			}
		}
	}
	if got := read(); !slices.Equal(got, want) {
		t.Fatalf("after the move %+v, want %+v", got, want)
	}
	// A new owner: the stage's deadline moves, none is left behind.
	l, err := s.Load(ctx, owner.OpenID, "XF-2026-0001")
	if err != nil {
		t.Fatal(err)
	}
	cp := *l.Case
	cp.Owner = xfbot.Person{OpenID: "ou_3c14f3a59eaf2825dbe25359f15d3e45", Name: "钱某"}
	cp.UpdatedAt = at.Add(time.Minute)
	tx = s.NewTx()
	tx.UpdateCase(l.Case, &cp)
	if _, err := s.Commit(ctx, tx); err != nil {
		t.Fatal(err)
	}
	for _, d := range read() {
		if d.Kind == xfbot.DeadlineHandle && d.Owner != cp.Owner.OpenID {
			t.Errorf("a deadline of the old owner is left: %+v", d)
		}
	}
	if n, err := s.BackfillIndexSets(ctx); err != nil || n != 0 {
		t.Errorf("second start rewrote %d, %v; want 0", n, err)
	}
}

// TestDeadlineBucketInLua: the deadlines of a new case, whose number the
// commit allocates, are put in their sets by commit.lua's hash; each must
// be the set Go's dlBucket names for the member, or a later write (which
// names it in Go) would miss it. The members spread over the 64 sets.
func TestDeadlineBucketInLua(t *testing.T) {
	ctx := context.Background()
	rdb, prefix := testredis.New(t)
	s := New(rdb, prefix)
	at := time.Date(2026, 3, 16, 9, 0, 0, 0, time.Local)
	for i := 0; i < 300; i++ {
		owner := xfbot.Person{OpenID: fmt.Sprintf("ou_7dab8a3d3cdcc9da365777c7ad535d%02d", i%9), Name: "赵建"}
		tx := s.NewTx()
		tx.CreateCase(&xfbot.Case{Title: "回迁房", Status: xfbot.StatusHandling, Owner: owner, CreatedBy: owner, CreatedAt: at, UpdatedAt: at,
			AcceptedOn: xfbot.NewDate(2026, 3, 16), Due: xfbot.NewDate(2026, 5, 15), LastProgressAt: at}, 2026)
		if _, err := s.Commit(ctx, tx); err != nil {
			t.Fatal(err)
		}
	}
	n, most := 0, 0
	for _, key := range s.k.deadlineKeys() {
		ms := rdb.ZRange(ctx, key, 0, -1).Val()
		n, most = n+len(ms), max(most, len(ms))
		for _, m := range ms {
			if want := s.k.deadlineKey(m); key != want {
				t.Errorf("member %q in %s; Go puts it in %s", m, key, want)
			}
		}
	}
	if n != 600 || most > 3*n/dlBuckets {
		t.Errorf("%d members, %d in the fullest set; want 600, at most %d", n, most, 3*n/dlBuckets)
	}
	// The next write of a case, which names its members in Go, moves them.
	l, err := s.Load(ctx, "", "XF-2026-0007")
	if err != nil || l.Case == nil {
		t.Fatal(l.Case, err)
	}
	cp := *l.Case
	cp.Owner = xfbot.Person{OpenID: "ou_3c14f3a59eaf2825dbe25359f15d3e45", Name: "钱某"}
	cp.UpdatedAt = at.Add(time.Minute)
	tx := s.NewTx()
	tx.UpdateCase(l.Case, &cp)
	if _, err := s.Commit(ctx, tx); err != nil {
		t.Fatal(err)
	}
	ds, err := s.Deadlines(ctx, xfbot.NewDate(2030, 1, 1), 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		if d.Subject.ID == "XF-2026-0007" && d.Kind == xfbot.DeadlineHandle && d.Owner != cp.Owner.OpenID {
			t.Errorf("the old owner's deadline is left: %+v", d)
		}
	}
}
