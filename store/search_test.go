package store_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/internal/testredis"
	"github.com/qingchuan/xfbot/store"
)

// search runs the query typed after 搜索 for reader a and returns the numbers
// found (named first) and the total.
func search(t *testing.T, st *store.Store, typed string, a xfbot.Audience) ([]xfbot.CaseNo, int) {
	t.Helper()
	q, err := xfbot.ParseSearch(typed, 2026)
	if err != nil {
		t.Fatalf("ParseSearch(%q): %v", typed, err)
	}
	sq := store.SearchQuery{Terms: st.Indexer().Terms(q, a), Limit: 10}
	if q.No != "" {
		sq.Nos = []xfbot.CaseNo{q.No}
	}
	if a.Role == xfbot.RoleLiaison {
		sq.Within = []string{a.Unit}
	}
	r, err := st.Search(context.Background(), sq)
	if err != nil {
		t.Fatalf("search %q: %v", typed, err)
	}
	var nos []xfbot.CaseNo
	for _, c := range append(r.Named, r.Cases...) {
		nos = append(nos, c.No)
	}
	return nos, r.Total + len(r.Named)
}

var admin = xfbot.Audience{Role: xfbot.RoleAdmin}

func TestSearchIndex(t *testing.T) {
	st := newTestStore(t)
	ctx := context.Background()
	a := newCase("桂园社区回迁安置房延期交付", today.AddDays(30))
	a.Petitioner = xfbot.Petitioner{Name: "张建国", Phone: "13812345678", IDCard: "11010519491231002X"}
	b := newCase("拖欠农民工工资", today.AddDays(30))
	b.Unit, b.Area = "区人社局", "春风街道"
	b.Petitioner = xfbot.Petitioner{Name: "李四", Phone: "13900005678"}
	noA, noB := create(t, st, a), create(t, st, b)

	for _, tc := range []struct {
		typed string
		want  []xfbot.CaseNo
	}{
		{"张建国", []xfbot.CaseNo{noA}},
		{"5678", []xfbot.CaseNo{noB, noA}},       // both phones end in 5678, newest first
		{"1234567", []xfbot.CaseNo{noA}},         // the middle of a phone
		{"13812345678", []xfbot.CaseNo{noA}},     // the whole phone
		{"110105491231002", []xfbot.CaseNo{noA}}, // the old 15-digit number of the same ID
		{"回迁安置", []xfbot.CaseNo{noA}},
		{"工资", []xfbot.CaseNo{noB}},
		{"1", []xfbot.CaseNo{noA}}, // this year's serial 1
		{"XF-2026-0002", []xfbot.CaseNo{noB}},
		{"王五", nil},
		{"3812345679", nil},
	} {
		got, total := search(t, st, tc.typed, admin)
		if !slices.Equal(got, tc.want) || total != len(tc.want) {
			t.Errorf("搜索 %s = %v (total %d), want %v", tc.typed, got, total, tc.want)
		}
	}

	t.Run("EditMovesPersonalTerms", func(t *testing.T) {
		l, err := st.Load(ctx, "", noA)
		if err != nil {
			t.Fatal(err)
		}
		c := *l.Case
		c.Petitioner.Phone, c.Petitioner.Name = "13700001111", "张建华"
		c.Title = "回迁房质量问题"
		tx := st.NewTx()
		tx.UpdateCase(l.Case, &c)
		tx.AddProgress(c.No, xfbot.Progress{At: now, Kind: xfbot.KindProgress, Text: "张建华来电13700001111，约谈开发商"})
		if _, err := st.Commit(ctx, tx); err != nil {
			t.Fatal(err)
		}
		for typed, want := range map[string]int{"张建国": 0, "张建华": 1, "1234567": 0, "0000111": 1, "约谈": 1, "开发商": 1, "回迁安置": 1 /* words stay */, "质量": 1} {
			if _, total := search(t, st, typed, admin); total != want {
				t.Errorf("after the edit 搜索 %s: %d found, want %d", typed, total, want)
			}
		}
	})

	t.Run("NoPlainPersonalDataInKeys", func(t *testing.T) {
		rdb, prefix := testredis.New(t)
		st := store.New(rdb, prefix)
		c := newCase("张三反映问题", today.AddDays(3))
		c.Petitioner = xfbot.Petitioner{Name: "张三", Phone: "13812345678", IDCard: "11010519491231002X"}
		create(t, st, c)
		tx := st.NewTx() // as every command does: the entry with the case's write
		upd := *c
		upd.Progresses++
		tx.UpdateCase(c, &upd)
		tx.AddProgress(c.No, xfbot.Progress{At: now, Text: "张三 电话 13812345678 身份证 11010519491231002X 卡号 6222020200112233445"})
		if _, err := st.Commit(ctx, tx); err != nil {
			t.Fatal(err)
		}
		keys := testredis.Keys(t, rdb, "{"+prefix+"}:v1:q:*")
		if len(keys) == 0 {
			t.Fatalf("keys: %v", keys)
		}
		for _, k := range keys {
			for _, bad := range []string{"张三", "1381", "5678", "1101", "002X", "6222"} {
				if strings.Contains(k, bad) {
					t.Errorf("key %q holds %q", k, bad)
				}
			}
		}
	})
}

// What a reader may find follows what the reader may see.
func TestSearchRights(t *testing.T) {
	st := newTestStore(t)
	own := newCase("回迁房延期", today.AddDays(30)) // 区住建局, 云溪街道
	own.Petitioner = xfbot.Petitioner{Name: "张建国", Phone: "13812345678"}
	other := newCase("回迁房漏水", today.AddDays(30))
	other.Unit, other.Area = "区城管局", "春风街道"
	other.Petitioner = xfbot.Petitioner{Name: "张建国", Phone: "13812345678"}
	acc := newCase("举报某科长受贿", today.AddDays(30))
	acc.Accusation = true
	acc.Petitioner = xfbot.Petitioner{Name: "张建国", Phone: "13812345678"}
	noOwn, noOther, noAcc := create(t, st, own), create(t, st, other), create(t, st, acc)
	liaison := xfbot.Audience{Role: xfbot.RoleLiaison, Unit: "区住建局"}
	member := xfbot.Audience{Role: xfbot.RoleMember, Unit: "云溪街道"}
	for _, tc := range []struct {
		name  string
		a     xfbot.Audience
		typed string
		want  []xfbot.CaseNo
	}{
		{"AdminByName", admin, "张建国", []xfbot.CaseNo{noAcc, noOther, noOwn}},
		{"AdminByPhone", admin, "5678", []xfbot.CaseNo{noAcc, noOther, noOwn}},
		{"MemberFromTheAccusedArea", member, "张建国", []xfbot.CaseNo{noOther, noOwn}},
		{"MemberFromTheAccusedAreaByWord", member, "受贿", []xfbot.CaseNo{noAcc}},
		{"LiaisonOwnUnitByName", liaison, "张建国", []xfbot.CaseNo{noOwn}},
		{"LiaisonByWordOwnUnitOnly", liaison, "回迁", []xfbot.CaseNo{noOwn}},
		{"LiaisonByPhoneNothing", liaison, "13812345678", nil},
		{"LiaisonOtherUnitByNumber", liaison, "XF-2026-0002", []xfbot.CaseNo{noOther}}, // named: the caller checks CanSee
		{"ViewerByName", xfbot.Audience{Role: xfbot.RoleViewer}, "张建国", nil},
		{"ViewerByWord", xfbot.Audience{Role: xfbot.RoleViewer}, "回迁", []xfbot.CaseNo{noOther, noOwn}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, total := search(t, st, tc.typed, tc.a)
			if !slices.Equal(got, tc.want) || total != len(tc.want) {
				t.Errorf("搜索 %s = %v (total %d), want %v", tc.typed, got, total, tc.want)
			}
		})
	}
}

// A result larger than a page is counted exactly and paged newest first,
// whether it is sorted whole or walked from the newest case.
func TestSearchLargeResult(t *testing.T) {
	st := newTestStore(t)
	ctx := context.Background()
	var cases []*xfbot.Case
	for i := 1; i <= 2600; i++ {
		c := newCase(fmt.Sprintf("桂园社区问题%d", i), today.AddDays(10))
		if i%5 == 0 {
			c.Title = "春风街道物业纠纷"
		}
		c.No = xfbot.FormatCaseNo(2026, i)
		c.CreatedAt = now.Add(time.Duration(i) * time.Minute)
		cases = append(cases, c)
	}
	// A petitioner whose name is a word: 搜索 桂园 is the name's set united
	// with the word's, which is larger than searchBig and not copied.
	odd := newCase("物业纠纷", today.AddDays(10))
	odd.No, odd.CreatedAt, odd.Petitioner.Name = "XF-2026-2601", now.Add(2601*time.Minute), "桂园"
	cases = append(cases, odd)
	if err := st.Import(ctx, cases); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		typed string
		total int
		first xfbot.CaseNo
	}{
		{"桂园", 2081, "XF-2026-2601"},   // more than searchBig: walked from the newest
		{"桂园社区", 2080, "XF-2026-2599"}, // one intersection over searchBig: counted, not stored
		{"物业纠纷", 521, "XF-2026-2601"},
		{"街道 物业", 520, "XF-2026-2600"},
		{"XF-2026-2601", 1, "XF-2026-2601"},
	} {
		got, total := search(t, st, tc.typed, admin)
		if total != tc.total || len(got) != min(10, tc.total) || got[0] != tc.first {
			t.Errorf("搜索 %s: total %d, page %v; want %d from %s", tc.typed, total, got, tc.total, tc.first)
		}
	}
}

func TestBackfillSearch(t *testing.T) {
	rdb, prefix := testredis.New(t)
	ctx := context.Background()
	st := store.New(rdb, prefix).WithIndexSecret([]byte("first secret, sixteen+"))
	c := newCase("桂园社区回迁安置房延期交付", today.AddDays(30))
	c.Petitioner = xfbot.Petitioner{Name: "张建国", Phone: "13812345678"}
	create(t, st, c)
	tx := st.NewTx()
	upd := *c
	tx.UpdateCase(c, &upd)
	tx.AddProgress(c.No, xfbot.Progress{At: now, Text: "约谈开发商"})
	if _, err := st.Commit(ctx, tx); err != nil {
		t.Fatal(err)
	}
	// As if written before the index existed.
	qkeys := func() []string { return testredis.Keys(t, rdb, "{"+prefix+"}:v1:q:*") }
	if err := rdb.Del(ctx, qkeys()...).Err(); err != nil {
		t.Fatal(err)
	}
	if _, n := search(t, st, "张建国", admin); n != 0 {
		t.Fatalf("found %d before the backfill", n)
	}
	n, err := st.BackfillSearch(ctx)
	if err != nil || n == 0 {
		t.Fatalf("BackfillSearch = %d, %v", n, err)
	}
	for _, typed := range []string{"张建国", "5678", "回迁", "开发商"} {
		if _, total := search(t, st, typed, admin); total != 1 {
			t.Errorf("after the backfill 搜索 %s found %d", typed, total)
		}
	}
	if n, err := st.BackfillSearch(ctx); n != 0 || err != nil {
		t.Errorf("second BackfillSearch = %d, %v; want 0 (marker)", n, err)
	}
	t.Run("NewSecret", func(t *testing.T) {
		before := len(qkeys())
		st2 := store.New(rdb, prefix).WithIndexSecret([]byte("second secret, sixteen+"))
		if _, total := search(t, st2, "张建国", admin); total != 0 {
			t.Fatalf("the new secret finds %d before its backfill", total)
		}
		if _, err := st2.BackfillSearch(ctx); err != nil {
			t.Fatal(err)
		}
		if _, total := search(t, st2, "张建国", admin); total != 1 {
			t.Errorf("the new secret finds %d after its backfill", total)
		}
		if _, total := search(t, st, "张建国", admin); total != 0 {
			t.Errorf("the old secret's terms still find %d", total)
		}
		if after := len(qkeys()); after != before {
			t.Errorf("%d index keys, %d before: the old secret's were not purged", after, before)
		}
	})
}

func TestIndexSecret(t *testing.T) {
	rdb, prefix := testredis.New(t)
	ctx := context.Background()
	a, err := store.New(rdb, prefix).IndexSecret(ctx)
	if err != nil || len(a) != 64 {
		t.Fatalf("IndexSecret = %q, %v", a, err)
	}
	b, err := store.New(rdb, prefix).IndexSecret(ctx) // another replica
	if err != nil || string(a) != string(b) {
		t.Errorf("second replica's secret %q, first %q (%v)", b, a, err)
	}
}

func TestSamePetitioner(t *testing.T) {
	st := newTestStore(t)
	ctx := context.Background()
	old := newCase("回迁房延期交付", today.AddDays(-30))
	old.Petitioner = xfbot.Petitioner{Name: "张建国", Phone: "13812345678", IDCard: "11010519491231002X"}
	byID := newCase("补偿款未到位", today.AddDays(30))
	byID.Petitioner = xfbot.Petitioner{Name: "张建国", IDCard: "110105491231002"}
	namesake := newCase("物业纠纷", today.AddDays(30)) // same name and 属地, no phone or ID in common
	namesake.Petitioner = xfbot.Petitioner{Name: "张建国", Phone: "13900000000"}
	elsewhere := newCase("物业纠纷", today.AddDays(30))
	elsewhere.Area = "春风街道"
	elsewhere.Petitioner = xfbot.Petitioner{Name: "张建国"}
	for _, c := range []*xfbot.Case{old, byID, namesake, elsewhere} {
		create(t, st, c)
	}
	c := newCase("回迁房又延期", today.AddDays(60))
	c.Petitioner = xfbot.Petitioner{Name: "张建国", Phone: "138-1234-5678", IDCard: "11010519491231002x"}
	same, maybe, err := st.SamePetitioner(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	nos := func(cs []*xfbot.Case) (out []xfbot.CaseNo) {
		for _, c := range cs {
			out = append(out, c.No)
		}
		return out
	}
	if got := nos(same); !slices.Equal(got, []xfbot.CaseNo{byID.No, old.No}) {
		t.Errorf("same = %v, want %v %v", got, byID.No, old.No)
	}
	if got := nos(maybe); !slices.Equal(got, []xfbot.CaseNo{namesake.No}) {
		t.Errorf("maybe = %v, want %v", got, namesake.No)
	}
	t.Run("LeavesItselfOut", func(t *testing.T) {
		same, _, err := st.SamePetitioner(ctx, old)
		if err != nil || !slices.Equal(nos(same), []xfbot.CaseNo{byID.No}) {
			t.Errorf("same = %v, %v", nos(same), err)
		}
	})
}
