package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/store"
)

// TestEstimateExport: a unit's export is estimated from that unit's cases
// only (a liaison must not learn the district's total), within the time
// range, and a unit's name inside another case's text does not count.
func TestEstimateExport(t *testing.T) {
	ctx := context.Background()
	st := newTestStore(t)
	units := []string{"区住建局", "区人社局", "区住建局二队", `区"住建"局<&>`}
	var cs []*xfbot.Case
	for i := 1; i <= 2100; i++ { // more than two of the script's pages
		c := exportCase(i, byMinute(i), units[i%len(units)])
		if i%7 == 0 {
			c.Title = `抄送,"u":"区住建局",` // the needle as text: escaped in the record
			c.Area = "区住建局"
		}
		cs = append(cs, c)
	}
	if err := st.Import(ctx, cs); err != nil {
		t.Fatal(err)
	}
	want := func(units []string, from, to time.Time) int {
		n := 0
		for _, c := range cs {
			if slices.Contains(units, c.Unit) && !c.CreatedAt.Before(from) && (to.IsZero() || c.CreatedAt.Before(to)) {
				n++
			}
		}
		return n
	}
	mid, late := byMinute(700), byMinute(1999)
	for _, tt := range []struct {
		name string
		q    store.ExportQuery
	}{
		{"WholeLedgerOfUnit", store.ExportQuery{Units: []string{"区住建局"}}},
		{"OtherUnit", store.ExportQuery{Units: []string{"区人社局"}}},
		{"UnitNamePrefixOfAnother", store.ExportQuery{Units: []string{"区住建局二队"}}},
		{"QuotesAndHTMLInName", store.ExportQuery{Units: []string{`区"住建"局<&>`}}},
		{"NoSuchUnit", store.ExportQuery{Units: []string{"区教育局"}}},
		{"Range", store.ExportQuery{Units: []string{"区住建局"}, From: mid, To: late}},
		{"RangeFromOnly", store.ExportQuery{Units: []string{"区人社局"}, From: mid}},
		{"RangeToOnly", store.ExportQuery{Units: []string{"区人社局"}, To: late}},
		// A renamed or merged unit: its cases under every name, once each.
		{"SeveralNames", store.ExportQuery{Units: []string{"区住建局", "区人社局"}}},
		{"SeveralNamesRange", store.ExportQuery{Units: []string{"区住建局二队", `区"住建"局<&>`, "区教育局"}, From: mid}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			n, err := st.EstimateExport(ctx, tt.q)
			if err != nil {
				t.Fatal(err)
			}
			from := tt.q.From
			if w := want(tt.q.Units, from, tt.q.To); n != w {
				t.Errorf("EstimateExport(%+v) = %d, want %d", tt.q, n, w)
			}
		})
	}
	t.Run("NoUnitIsTheDistrict", func(t *testing.T) {
		n, err := st.EstimateExport(ctx, store.ExportQuery{})
		if err != nil || n != len(cs) {
			t.Errorf("EstimateExport() = %d, %v; want %d", n, err, len(cs))
		}
	})
	t.Run("AgreesWithEachCase", func(t *testing.T) {
		q := store.ExportQuery{Units: []string{"区住建局"}, From: mid}
		got := 0
		if err := st.EachCase(ctx, q, 0, func(cs []*xfbot.Case, _ [][]xfbot.Progress) error {
			got += len(cs)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		n, err := st.EstimateExport(ctx, q)
		if err != nil || n != got {
			t.Errorf("EstimateExport = %d, %v; EachCase reads %d", n, err, got)
		}
	})
}

// BenchmarkEstimateExport: a unit's estimate on a ledger of 20,000 cases,
// the script reading every record in the range.
func BenchmarkEstimateExport(b *testing.B) {
	ctx := context.Background()
	st := newTestStore(b)
	var cs []*xfbot.Case
	for i := 1; i <= 20000; i++ {
		cs = append(cs, exportCase(i, byMinute(i), []string{"区住建局", "区人社局", "区教育局"}[i%3]))
	}
	if err := st.Import(ctx, cs); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := st.EstimateExport(ctx, store.ExportQuery{Units: []string{"区住建局"}}); err != nil {
			b.Fatal(err)
		}
	}
}
