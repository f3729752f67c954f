package store_test

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/internal/testredis"
	"github.com/qingchuan/xfbot/store"
)

// unitCases registers 20 open cases: units A (i even) and B, areas X
// (i%3 == 0) and Y, owner ou_o1 for i < 5 else ou_o2, 稳控中 when i%5 == 1
// else 办理中, due today+i-3 (the first three overdue), and returns their
// numbers.
func unitCases(t *testing.T, st *store.Store) []xfbot.CaseNo {
	var nos []xfbot.CaseNo
	for i := 0; i < 20; i++ {
		c := newCase(fmt.Sprintf("单位%d", i), today.AddDays(i-3))
		c.Unit, c.Area = "B", "Y"
		if i%2 == 0 {
			c.Unit = "A"
		}
		if i%3 == 0 {
			c.Area = "X"
		}
		c.Owner = xfbot.Person{OpenID: "ou_o2", Name: "乙"}
		if i < 5 {
			c.Owner = xfbot.Person{OpenID: "ou_o1", Name: "甲"}
		}
		if i%5 == 1 {
			c.Status = xfbot.StatusMonitoring
		}
		nos = append(nos, create(t, st, c))
	}
	return nos
}

// expect is the numbers of cases i (of unitCases) for which keep holds, by due day.
func expect(nos []xfbot.CaseNo, keep func(i int) bool) []xfbot.CaseNo {
	var out []xfbot.CaseNo
	for i, no := range nos {
		if keep(i) {
			out = append(out, no)
		}
	}
	return out
}

func numbers(cs []*xfbot.Case) []xfbot.CaseNo {
	var out []xfbot.CaseNo
	for _, c := range cs {
		out = append(out, c.No)
	}
	return out
}

// checkUnitLists lists by unit, locality and status every way the store
// offers (a set alone, a page walked, the range cut first, a union of a
// set and a sorted set, a set as the base) and compares with what
// unitCases registered.
func checkUnitLists(t *testing.T, st *store.Store, nos []xfbot.CaseNo) {
	t.Helper()
	ctx := context.Background()
	unit := func(v ...string) store.Cond { return store.Cond{Field: store.FieldUnit, Values: v} }
	area := func(v ...string) store.Cond { return store.Cond{Field: store.FieldArea, Values: v} }
	owner := store.Cond{Field: store.FieldOwner, Values: []string{"ou_o1"}}
	for _, tc := range []struct {
		name string
		q    store.Query
		want []xfbot.CaseNo
	}{
		{"unit", store.Query{Index: store.IndexOpen(), Where: [][]store.Cond{{unit("A")}}}, expect(nos, func(i int) bool { return i%2 == 0 })},
		{"unit overdue", store.Query{Index: store.IndexOpen(), DueTo: today.AddDays(-1), Where: [][]store.Cond{{unit("A")}}}, expect(nos, func(i int) bool { return i%2 == 0 && i < 3 })},
		{"unit and area", store.Query{Index: store.IndexOpen(), Where: [][]store.Cond{{unit("A")}, {area("X")}}}, expect(nos, func(i int) bool { return i%6 == 0 })},
		{"former names", store.Query{Index: store.IndexOpen(), Where: [][]store.Cond{{unit("A", "旧名")}}}, expect(nos, func(i int) bool { return i%2 == 0 })},
		{"liaison scope", store.Query{Index: store.IndexOpen(), Where: [][]store.Cond{{unit("B"), area("X")}}}, expect(nos, func(i int) bool { return i%2 == 1 || i%3 == 0 })},
		{"mine in a unit", store.Query{Index: store.IndexOwner("ou_o1"), Where: [][]store.Cond{{unit("A")}}}, expect(nos, func(i int) bool { return i < 5 && i%2 == 0 })},
		{"set beside a person", store.Query{Index: store.IndexOpen(), DueFrom: today, Where: [][]store.Cond{{unit("A"), owner}}}, expect(nos, func(i int) bool { return i >= 3 && (i%2 == 0 || i < 5) })},
		{"unit as base", store.Query{Index: store.IndexUnit("B"), DueTo: today.AddDays(5), Where: [][]store.Cond{{area("Y")}}}, expect(nos, func(i int) bool { return i%2 == 1 && i%3 != 0 && i <= 8 })},
		{"area as base", store.Query{Index: store.IndexArea("X"), Reverse: true}, nil},
		{"handling", store.Query{Index: store.IndexStatus(xfbot.StatusHandling)}, expect(nos, func(i int) bool { return i%5 != 1 })},
		{"monitoring overdue", store.Query{Index: store.IndexStatus(xfbot.StatusMonitoring), DueTo: today.AddDays(-1)}, expect(nos, func(i int) bool { return i == 1 })},
		{"handling in a unit", store.Query{Index: store.IndexStatus(xfbot.StatusHandling), Where: [][]store.Cond{{unit("B")}}}, expect(nos, func(i int) bool { return i%2 == 1 && i%5 != 1 })},
		{"monitoring, mine", store.Query{Index: store.IndexStatus(xfbot.StatusMonitoring), Where: [][]store.Cond{{owner}}}, expect(nos, func(i int) bool { return i == 1 })},
		{"nobody", store.Query{Index: store.IndexOpen(), Where: [][]store.Cond{{unit("无")}}}, nil},
	} {
		tc.q.Limit = 100
		cs, total, err := st.List(ctx, tc.q)
		want := tc.want
		if tc.name == "area as base" {
			want = expect(nos, func(i int) bool { return i%3 == 0 })
			slices.Reverse(want)
		}
		if err != nil || total != len(want) || !slices.Equal(numbers(cs), want) {
			t.Errorf("%s: %v (%d), %v; want %v", tc.name, numbers(cs), total, err, want)
		}
	}
	// A short page of a large set walks idx:open asking the set; the
	// total is the set's size.
	unitA := expect(nos, func(i int) bool { return i%5 != 1 }) // 办理中
	for _, rev := range []bool{false, true} {
		want := slices.Clone(unitA)
		if rev {
			slices.Reverse(want)
		}
		cs, total, err := st.List(ctx, store.Query{Index: store.IndexStatus(xfbot.StatusHandling), Offset: 1, Limit: 2, Reverse: rev})
		if err != nil || total != len(unitA) || !slices.Equal(numbers(cs), want[1:3]) {
			t.Errorf("a page of 办理中 (reverse %v): %v (%d), %v; want %v (%d)", rev, numbers(cs), total, err, want[1:3], len(unitA))
		}
		cs, total, err = st.List(ctx, store.Query{Index: store.IndexStatus(xfbot.StatusHandling), Offset: 3, Limit: 1, Reverse: rev})
		if err != nil || total != len(unitA) || !slices.Equal(numbers(cs), want[3:4]) {
			t.Errorf("the fourth of 办理中 (reverse %v): %v (%d), %v; want %v", rev, numbers(cs), total, err, want[3:4])
		}
	}
	got, err := st.Range(ctx, store.Query{Index: store.IndexUnit("A"), DueTo: today.AddDays(4)})
	if want := expect(nos, func(i int) bool { return i%2 == 0 && i <= 7 }); err != nil || !slices.Equal(got, want) {
		t.Errorf("range of unit A: %v, %v; want %v", got, err, want)
	}
	got, err = st.Range(ctx, store.Query{Index: store.IndexStatus(xfbot.StatusMonitoring)})
	if want := expect(nos, func(i int) bool { return i%5 == 1 }); err != nil || !slices.Equal(got, want) {
		t.Errorf("range of 稳控中: %v, %v; want %v", got, err, want)
	}
	got, err = st.Range(ctx, store.Query{Index: store.IndexArea("X"), DueTo: today.AddDays(-1)})
	if want := expect(nos, func(i int) bool { return i%3 == 0 && i < 3 }); err != nil || !slices.Equal(got, want) {
		t.Errorf("range of area X overdue: %v, %v; want %v", got, err, want)
	}
}

// The open cases by locality and open status are sets; lists by them read
// the due day through idx:open, beside the units' and the people's sorted
// sets, and a case moved or concluded moves.
func TestUnitSets(t *testing.T) {
	ctx := context.Background()
	st := newTestStore(t)
	nos := unitCases(t, st)
	checkUnitLists(t, st, nos)

	// Case 0 moves to unit B; case 2 is resolved: out of every unit list.
	l, _ := st.Load(ctx, "", nos[0])
	up := *l.Case
	up.Unit = "B"
	tx := st.NewTx()
	tx.UpdateCase(l.Case, &up)
	l2, _ := st.Load(ctx, "", nos[2])
	done := *l2.Case
	done.Status, done.ResolvedOn = xfbot.StatusResolved, today
	tx.UpdateCase(l2.Case, &done)
	if _, err := st.Commit(ctx, tx); err != nil {
		t.Fatal(err)
	}
	cs, n, err := st.List(ctx, store.Query{Index: store.IndexOpen(), Where: [][]store.Cond{{{Field: store.FieldUnit, Values: []string{"A"}}}}, Limit: 100})
	if want := expect(nos, func(i int) bool { return i%2 == 0 && i != 0 && i != 2 }); err != nil || n != len(want) || !slices.Equal(numbers(cs), want) {
		t.Errorf("unit A after the moves: %v (%d), %v; want %v", numbers(cs), n, err, want)
	}
	cs, _, _ = st.List(ctx, store.Query{Index: store.IndexUnit("B"), DueTo: today.AddDays(-3), Limit: 100})
	if !slices.Equal(numbers(cs), []xfbot.CaseNo{nos[0]}) {
		t.Errorf("unit B overdue after the move: %v, want %v", numbers(cs), nos[0])
	}
	// A concluded status keeps its sorted set by due day.
	cs, n, err = st.List(ctx, store.Query{Index: store.IndexStatus(xfbot.StatusResolved), DueTo: today, Limit: 100})
	if err != nil || n != 1 || !slices.Equal(numbers(cs), []xfbot.CaseNo{nos[2]}) {
		t.Errorf("resolved: %v (%d), %v; want %v", numbers(cs), n, err, nos[2])
	}
	cs, _, _ = st.List(ctx, store.Query{Index: store.IndexStatus(xfbot.StatusHandling), Limit: 100})
	if slices.Contains(numbers(cs), nos[2]) || !slices.Contains(numbers(cs), nos[0]) {
		t.Errorf("办理中 after the moves: %v", numbers(cs))
	}
}

// The sorted sets idx:area:<name> and idx:status:<open status> of the
// release before become the sets at start, once; idx:unit:<name> stays;
// lists read the same after.
func TestBackfillIndexSets(t *testing.T) {
	ctx := context.Background()
	rdb, prefix := testredis.New(t)
	st := store.New(rdb, prefix)
	nos := unitCases(t, st)
	// What the release before wrote: the sorted sets, scored by due day,
	// and no integer sets.
	base := "{" + prefix + "}:v1:"
	for i, no := range nos {
		unit, area := "B", "Y"
		if i%2 == 0 {
			unit = "A"
		}
		if i%3 == 0 {
			area = "X"
		}
		status := "handling"
		if i%5 == 1 {
			status = "monitoring"
		}
		due := float64(today.AddDays(i - 3).DayNumber())
		rdb.ZAdd(ctx, base+"idx:unit:"+unit, redis.Z{Score: due, Member: string(no)})
		rdb.ZAdd(ctx, base+"idx:area:"+area, redis.Z{Score: due, Member: string(no)})
		rdb.ZAdd(ctx, base+"idx:status:"+status, redis.Z{Score: due, Member: string(no)})
	}
	rdb.Del(ctx, base+"set:area:X", base+"set:area:Y", base+"set:status:handling", base+"set:status:monitoring")
	if cs, _, _ := st.List(ctx, store.Query{Index: store.IndexArea("X"), Limit: 100}); len(cs) != 0 {
		t.Fatalf("the sets were not removed: %d listed", len(cs))
	}
	n, err := st.BackfillIndexSets(ctx)
	// 40 moved into the sets, then those 40 and the 20 of idx:unit
	// rewritten as integer ids.
	if err != nil || n != 100 {
		t.Fatalf("backfill moved %d, %v; want 100", n, err)
	}
	if ex, _ := rdb.Exists(ctx, base+"idx:area:X", base+"idx:area:Y", base+"idx:status:handling", base+"idx:status:monitoring").Result(); ex != 0 {
		t.Errorf("%d old sorted sets left", ex)
	}
	if ex, _ := rdb.Exists(ctx, base+"idx:unit:A", base+"idx:unit:B").Result(); ex != 2 {
		t.Errorf("the units' sorted sets, still read, were taken: %d left", ex)
	}
	checkUnitLists(t, st, nos)
	if n, err := st.BackfillIndexSets(ctx); err != nil || n != 0 {
		t.Errorf("second backfill moved %d, %v; want 0 (done once)", n, err)
	}
}

// A short page of a large set alone (列表 属地:x) walks idx:open in order,
// asking the set; the count is the set's size.
func TestSetPageWalk(t *testing.T) {
	ctx := context.Background()
	st := newTestStore(t)
	var cases []*xfbot.Case
	var inZ []xfbot.CaseNo
	for i := 1; i <= 300; i++ {
		c := newCase(fmt.Sprintf("案件%d", i), today.AddDays(i-100))
		c.No = xfbot.FormatCaseNo(2026, i)
		c.Area = "Y"
		if i%2 == 0 {
			c.Area = "Z"
			inZ = append(inZ, c.No)
		}
		cases = append(cases, c)
	}
	if err := st.Import(ctx, cases); err != nil {
		t.Fatal(err)
	}
	for _, rev := range []bool{false, true} {
		want := slices.Clone(inZ)
		if rev {
			slices.Reverse(want)
		}
		for _, pg := range [][2]int{{0, 3}, {5, 3}, {148, 5}} {
			cs, total, err := st.List(ctx, store.Query{Index: store.IndexArea("Z"), Offset: pg[0], Limit: pg[1], Reverse: rev})
			w := want[pg[0]:min(pg[0]+pg[1], len(want))]
			if err != nil || total != 150 || !slices.Equal(numbers(cs), w) {
				t.Errorf("page %v (reverse %v): %v (%d), %v; want %v (150)", pg, rev, numbers(cs), total, err, w)
			}
		}
	}
	// The overdue ones: the range is cut before the intersection.
	cs, total, err := st.List(ctx, store.Query{Index: store.IndexArea("Z"), DueTo: today.AddDays(-1), Limit: 500})
	if want := inZ[:49]; err != nil || total != 49 || !slices.Equal(numbers(cs), want) {
		t.Errorf("overdue in Z: %d of %d, %v; want 49", len(cs), total, err)
	}
}

// A deployment that ran the first conversion holds its open cases by
// 包案人 and 包案领导 as sorted sets scored by the due day (idx:owner:,
// idx:leader:): the second pass, marked on its own, turns them into the
// sets, once, and lists and members' figures read the same.
func TestBackfillPersonSets(t *testing.T) {
	ctx := context.Background()
	rdb, prefix := testredis.New(t)
	st := store.New(rdb, prefix)
	nos := unitCases(t, st)
	base := "{" + prefix + "}:v1:"
	// Rewind to the layout before: each set of case numbers becomes the
	// sorted set it replaced, scored as idx:open scores its members.
	moved := 0
	for _, kind := range []string{"owner", "leader"} {
		sets := keysLike(t, rdb, base+"set:"+kind+":*")
		for _, set := range sets {
			for _, no := range rdb.SMembers(ctx, set).Val() {
				due := rdb.ZScore(ctx, base+"idx:open", no).Val()
				rdb.ZAdd(ctx, base+"idx:"+kind+":"+set[len(base+"set:"+kind+":"):], redis.Z{Score: due, Member: no})
				moved++
			}
			rdb.Del(ctx, set)
		}
	}
	rdb.Set(ctx, base+"set:backfilled:1", "1", 0)
	rdb.Del(ctx, base+"set:backfilled:2")
	mine := store.Query{Index: store.IndexOwner("ou_o1"), Limit: 100}
	if cs, _, _ := st.List(ctx, mine); len(cs) != 0 || moved < 20 {
		t.Fatalf("the rewind left %d of ou_o1's cases listed (moved %d)", len(cs), moved)
	}
	n, err := st.BackfillIndexSets(ctx)
	if err != nil || n != moved {
		t.Fatalf("backfill moved %d, %v; want %d", n, err, moved)
	}
	if ks := keysLike(t, rdb, base+"idx:owner:*"); len(ks) != 0 {
		t.Errorf("sorted sets left: %v", ks)
	}
	checkUnitLists(t, st, nos)
	figs, err := st.MemberData(ctx, []xfbot.Person{{OpenID: "ou_o1", Name: "甲"}}, xfbot.WeekPeriod(today), now)
	if err != nil || len(figs) == 0 || figs[0].Open != 5 || figs[0].Overdue != 3 {
		t.Errorf("ou_o1's figures after the backfill: %+v, %v; want 5 open, 3 overdue", figs, err)
	}
	if n, err := st.BackfillIndexSets(ctx); err != nil || n != 0 {
		t.Errorf("second backfill moved %d, %v; want 0 (done once)", n, err)
	}
}

// The indexes of open cases of a release before held case numbers
// (XF-2026-0012); the third pass rewrites them as integer ids, once, so
// that the sets become intsets, and lists and figures read the same.
func TestBackfillIDs(t *testing.T) {
	ctx := context.Background()
	rdb, prefix := testredis.New(t)
	st := store.New(rdb, prefix)
	nos := unitCases(t, st)
	base := "{" + prefix + "}:v1:"
	number := func(m string) string {
		v, err := strconv.Atoi(m)
		if err != nil {
			t.Fatalf("member %q of an index of open cases is not an integer id", m)
		}
		return string(xfbot.FormatCaseNo(v/1_000_000, v%1_000_000))
	}
	// Rewind: every index of open cases by number, as written before, the
	// activity index one sorted set.
	var act []redis.Z
	for _, key := range keysLike(t, rdb, base+"idx:activity:*") {
		act = append(act, rdb.ZRangeWithScores(ctx, key, 0, -1).Val()...)
		rdb.Del(ctx, key)
	}
	if len(act) == 0 {
		t.Fatal("no idx:activity")
	}
	rdb.ZAdd(ctx, base+"idx:activity", act...)
	rewound := 0
	for _, pattern := range []string{"idx:open", "idx:activity", "idx:unit:*", "set:area:*", "set:status:*", "set:owner:*"} {
		ks := keysLike(t, rdb, base+pattern)
		if len(ks) == 0 {
			t.Fatalf("no %s", pattern)
		}
		for _, key := range ks {
			if zs, err := rdb.ZRangeWithScores(ctx, key, 0, -1).Result(); err == nil {
				rdb.Del(ctx, key)
				for _, z := range zs {
					rdb.ZAdd(ctx, key, redis.Z{Score: z.Score, Member: number(z.Member.(string))})
					rewound++
				}
				continue
			}
			ms := rdb.SMembers(ctx, key).Val()
			rdb.Del(ctx, key)
			for _, m := range ms {
				rdb.SAdd(ctx, key, number(m))
				rewound++
			}
		}
	}
	rdb.Set(ctx, base+"set:backfilled:1", "1", 0)
	rdb.Set(ctx, base+"set:backfilled:2", "1", 0)
	n, err := st.BackfillIndexSets(ctx)
	if err != nil || n != rewound+len(act) {
		t.Fatalf("backfill rewrote and moved %d, %v; want %d and %d", n, err, rewound, len(act))
	}
	if ks := keysLike(t, rdb, base+"idx:activity"); len(ks) != 0 {
		t.Errorf("the activity index's old sorted set is left")
	}
	moved := 0
	for _, key := range keysLike(t, rdb, base+"idx:activity:*") {
		for _, m := range rdb.ZRange(ctx, key, 0, -1).Val() {
			moved++
			if no := number(m); store.ActivityKeyOf(st, xfbot.CaseNo(no)) != key {
				t.Errorf("%s (%s) moved into %s, not %s", m, no, key, store.ActivityKeyOf(st, xfbot.CaseNo(no)))
			}
		}
	}
	if moved != len(act) {
		t.Errorf("the activity index's sets hold %d, want %d", moved, len(act))
	}
	for _, key := range []string{base + "idx:open", base + "set:status:handling", base + "set:owner:ou_o1"} {
		var ms []string
		if strings.HasPrefix(key, base+"idx:") {
			ms = rdb.ZRange(ctx, key, 0, -1).Val()
		} else {
			ms = rdb.SMembers(ctx, key).Val()
			if enc, err := rdb.ObjectEncoding(ctx, key).Result(); err == nil && enc != "intset" {
				t.Errorf("%s is a %s after the backfill, want an intset", key, enc)
			}
		}
		for _, m := range ms {
			number(m)
		}
	}
	checkUnitLists(t, st, nos)
	if cs, total, err := st.List(ctx, store.Query{Index: store.IndexOwner("ou_o1"), Limit: 100}); err != nil || total != 5 || len(cs) != 5 {
		t.Errorf("ou_o1's cases after the backfill: %d of %d, %v", len(cs), total, err)
	}
	if n, err := st.BackfillIndexSets(ctx); err != nil || n != 0 {
		t.Errorf("second backfill rewrote %d, %v; want 0 (done once)", n, err)
	}
}

// keysLike is KEYS pattern, on every master of a cluster.
func keysLike(t *testing.T, rdb redis.UniversalClient, pattern string) []string {
	t.Helper()
	ctx := context.Background()
	cc, ok := rdb.(*redis.ClusterClient)
	if !ok {
		ks, err := rdb.Keys(ctx, pattern).Result()
		if err != nil {
			t.Fatal(err)
		}
		return ks
	}
	var mu sync.Mutex
	var out []string
	if err := cc.ForEachMaster(ctx, func(ctx context.Context, c *redis.Client) error {
		ks, err := c.Keys(ctx, pattern).Result()
		mu.Lock()
		out = append(out, ks...)
		mu.Unlock()
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return out
}
