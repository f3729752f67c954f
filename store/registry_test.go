package store_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/internal/testredis"
	"github.com/qingchuan/xfbot/store"
)

func TestRegistryStore(t *testing.T) {
	ctx := context.Background()
	t.Run("AbsentIsOpen", func(t *testing.T) {
		st := newTestStore(t)
		r, err := st.Registry(ctx)
		if err != nil || r.Version != 0 || !r.Open(xfbot.RegUnit) {
			t.Fatalf("registry = %+v, %v", r, err)
		}
	})
	t.Run("SeedOnceFromConfigAndUsedNames", func(t *testing.T) {
		st := newTestStore(t)
		create(t, st, newCase("已有", today)) // 区住建局 is in the units set
		c := newCase("别名", today)
		c.Unit = "住建"
		create(t, st, c)
		wrote, n, err := st.SeedRegistry(ctx, []xfbot.RegEntry{{Name: "区住建局", Aliases: []string{"住建"}}, {Name: "云溪街道"}}, nil)
		if err != nil || !wrote || n != 2 {
			t.Fatalf("seed = %v, %d, %v; want 2 units (住建 is an alias)", wrote, n, err)
		}
		if wrote, _, _ := st.SeedRegistry(ctx, []xfbot.RegEntry{{Name: "区教育局"}}, nil); wrote {
			t.Error("a stored registry was seeded again")
		}
		r, _ := st.Registry(ctx)
		if r.Version != 1 || len(r.Units) != 2 {
			t.Fatalf("registry = %+v", r)
		}
	})
	t.Run("PutChecksVersion", func(t *testing.T) {
		st := newTestStore(t)
		r, _ := st.Registry(ctx)
		if _, err := r.Add(xfbot.RegUnit, "区人社局", "", nil); err != nil {
			t.Fatal(err)
		}
		tx := st.NewTx()
		tx.PutRegistry(r)
		if _, err := st.Commit(ctx, tx); err != nil {
			t.Fatal(err)
		}
		a, _ := st.Registry(ctx)
		b, _ := st.Registry(ctx)
		a.Add(xfbot.RegUnit, "区教育局", "", nil)
		b.Add(xfbot.RegUnit, "区司法局", "", nil)
		for i, r := range []*xfbot.Registry{a, b} {
			tx := st.NewTx()
			tx.PutRegistry(r)
			_, err := st.Commit(ctx, tx)
			if want := map[int]string{0: "", 1: xfbot.ECONFLICT}[i]; xfbot.ErrorCode(err) != want {
				t.Errorf("write %d: %v, want %q", i, err, want)
			}
		}
		got, _ := st.Registry(ctx)
		if got.Version != 2 || len(got.Units) != 2 || got.Units[1].Name != "区教育局" {
			t.Errorf("registry = %+v", got)
		}
	})
	t.Run("StatsSumOverFormerNames", func(t *testing.T) {
		st := newTestStore(t)
		create(t, st, newCase("改名前", today.AddDays(-1))) // 区住建局, overdue
		r, _ := st.Registry(ctx)
		r.Seed([]xfbot.RegEntry{{Name: "区住建局"}})
		if _, _, err := r.Rename(xfbot.RegUnit, "区住建局", "区住房和城乡建设局"); err != nil {
			t.Fatal(err)
		}
		tx := st.NewTx()
		tx.PutRegistry(r)
		if _, err := st.Commit(ctx, tx); err != nil {
			t.Fatal(err)
		}
		c := newCase("改名后", today.AddDays(3))
		c.Unit = "区住房和城乡建设局"
		create(t, st, c)
		pd, err := st.PeriodData(ctx, xfbot.MonthPeriod(xfbot.MonthOf(today)), today)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(pd.Units, []string{"区住房和城乡建设局"}) {
			t.Fatalf("units = %q, want the record's current name only", pd.Units)
		}
		f := pd.Figures("区住房和城乡建设局", false)
		if f.Inflow != 2 || f.OpenEnd != 2 || f.Overdue != 1 {
			t.Errorf("figures = inflow %d, open %d, overdue %d; want 2, 2, 1", f.Inflow, f.OpenEnd, f.Overdue)
		}
	})
}

func TestListWhere(t *testing.T) {
	ctx := context.Background()
	st := newTestStore(t)
	type spec struct {
		unit, area, owner string
		cat               xfbot.Category
		due               int
		closed            bool
	}
	specs := []spec{
		{"区人社局", "青峰镇", "ou_a", "labor_social", -3, false},
		{"区人社局", "青峰镇", "ou_b", "labor_social", -1, false},
		{"区人社局", "青峰镇", "ou_a", "labor_social", 5, false},
		{"区人社局", "河口街道", "ou_a", "labor_social", -2, false},
		{"区住建局", "青峰镇", "ou_a", "housing", -2, false},
		{"人社局", "青峰镇", "ou_a", "labor_social", -5, false}, // a former name of the record
		{"区人社局", "青峰镇", "ou_a", "labor_social", -4, true},
		{"区住建局", "区人社局", "ou_c", "housing", 2, false}, // the liaison's unit as 属地
	}
	for i, s := range specs {
		c := newCase(fmt.Sprintf("c%d", i), today.AddDays(s.due))
		c.Unit, c.Area, c.Owner, c.Category = s.unit, s.area, xfbot.Person{OpenID: s.owner}, s.cat
		if s.closed {
			c.Status = xfbot.StatusClosed
		}
		create(t, st, c)
	}
	unit := store.Cond{Field: store.FieldUnit, Values: []string{"区人社局", "人社局"}}
	area := store.Cond{Field: store.FieldArea, Values: []string{"青峰镇"}}
	mine := store.Cond{Field: store.FieldOwner, Values: []string{"ou_a"}}
	tests := []struct {
		name  string
		q     store.Query
		total int
		first string
	}{
		{"ThreeFiltersAndOverdue", store.Query{Index: store.IndexOpen(), DueTo: today.AddDays(-1), Where: [][]store.Cond{{unit}, {area}, {mine}}}, 2, "c5"},
		{"UnitAndArea", store.Query{Index: store.IndexOpen(), Where: [][]store.Cond{{unit}, {area}}}, 4, "c5"},
		{"ScopeIsAUnion", store.Query{Index: store.IndexOpen(), Where: [][]store.Cond{{unit, {Field: store.FieldArea, Values: []string{"区人社局"}}}}}, 6, "c5"},
		{"CategoryHasNoIndex", store.Query{Index: store.IndexOpen(), Where: [][]store.Cond{{area}, {{Field: store.FieldCategory, Values: []string{"housing"}}}}}, 1, "c4"},
		{"ClosedAreMatchedOnTheRecord", store.Query{Index: store.IndexStatus(xfbot.StatusClosed), Where: [][]store.Cond{{unit}, {area}}}, 1, "c6"},
		{"AllByRecord", store.Query{Index: store.IndexAll(), Where: [][]store.Cond{{unit}, {mine}}}, 5, ""},
		{"NothingMatches", store.Query{Index: store.IndexOpen(), Where: [][]store.Cond{{unit}, {{Field: store.FieldArea, Values: []string{"云溪街道"}}}}}, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cs, total, err := st.List(ctx, tt.q)
			if err != nil {
				t.Fatal(err)
			}
			if total != tt.total || len(cs) != min(total, 20) {
				t.Fatalf("total %d (%d listed), want %d", total, len(cs), tt.total)
			}
			if tt.first != "" && cs[0].Title != tt.first {
				t.Errorf("first = %s, want %s (by due day)", cs[0].Title, tt.first)
			}
			for i := 1; i < len(cs) && tt.q.Index != store.IndexAll(); i++ {
				if cs[i].Due.Before(cs[i-1].Due) {
					t.Errorf("not by due day: %s before %s", cs[i-1].Due, cs[i].Due)
				}
			}
		})
	}
	t.Run("PageOfMatchesOnTheRecord", func(t *testing.T) {
		cs, total, err := st.List(ctx, store.Query{Index: store.IndexOpen(), Offset: 1, Limit: 2, Where: [][]store.Cond{{{Field: store.FieldCategory, Values: []string{"labor_social"}}}}})
		if err != nil || total != 5 || len(cs) != 2 || cs[0].Title != "c0" || cs[1].Title != "c3" {
			t.Fatalf("page = %d of %d, %v", len(cs), total, err)
		}
	})
	t.Run("ScratchKeysDeleted", func(t *testing.T) {
		rdb, prefix := testredis.New(t)
		st := store.New(rdb, prefix)
		create(t, st, newCase("x", today))
		q := store.Query{Index: store.IndexOpen(), Where: [][]store.Cond{{unit, area}, {area}}}
		if _, _, err := st.List(ctx, q); err != nil {
			t.Fatal(err)
		}
		if ks := testredis.Keys(t, rdb, "{"+prefix+"}:v1:tmp:*"); len(ks) != 0 {
			t.Errorf("scratch keys left: %q", ks)
		}
	})
}
