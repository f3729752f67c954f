package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/store"
)

// exportEpoch is the registration time of case 1; case n is registered n
// minutes later unless a test says otherwise.
var exportEpoch = time.Date(2026, 3, 1, 9, 0, 0, 0, loc)

func exportCase(n int, at time.Time, unit string) *xfbot.Case {
	c := newCase(fmt.Sprintf("案件%d", n), today.AddDays(n))
	c.No = xfbot.FormatCaseNo(2026, n)
	c.CreatedAt, c.Unit = at, unit
	return c
}

// importCases imports cases 1..n, case i registered at at(i).
func importCases(t *testing.T, st *store.Store, n int, at func(i int) time.Time, unit func(i int) string) []*xfbot.Case {
	t.Helper()
	var cs []*xfbot.Case
	for i := 1; i <= n; i++ {
		cs = append(cs, exportCase(i, at(i), unit(i)))
	}
	if err := st.Import(context.Background(), cs); err != nil {
		t.Fatal(err)
	}
	return cs
}

func byMinute(i int) time.Time { return exportEpoch.Add(time.Duration(i) * time.Minute) }
func sameSecond(int) time.Time { return exportEpoch }
func oneUnit(int) string       { return "区住建局" }

// addTimeline appends k entries to case no's timeline through a Tx, the way
// handlers do; entry j's text is "<no>#<j>".
func addTimeline(t *testing.T, st *store.Store, no xfbot.CaseNo, k int) {
	t.Helper()
	tx := st.NewTx()
	for j := 1; j <= k; j++ {
		tx.AddProgress(no, xfbot.Progress{At: exportEpoch.Add(time.Duration(j) * time.Hour),
			Author: xfbot.Person{OpenID: "ou_w", Name: "王五"}, Kind: xfbot.KindVisit, Text: fmt.Sprintf("%s#%d", no, j)})
	}
	if _, err := st.Commit(context.Background(), tx); err != nil {
		t.Fatal(err)
	}
}

// collect runs EachCase and returns the case numbers in the order given, the
// batch sizes and each case's timeline.
type exported struct {
	nos     []xfbot.CaseNo
	batches []int
	progs   map[xfbot.CaseNo][]xfbot.Progress
	cases   map[xfbot.CaseNo]*xfbot.Case
}

func collect(t *testing.T, st *store.Store, q store.ExportQuery, batch int, during func(call int)) exported {
	t.Helper()
	got := exported{progs: map[xfbot.CaseNo][]xfbot.Progress{}, cases: map[xfbot.CaseNo]*xfbot.Case{}}
	err := st.EachCase(context.Background(), q, batch, func(cs []*xfbot.Case, progs [][]xfbot.Progress) error {
		if len(cs) != len(progs) {
			t.Fatalf("batch of %d cases with %d timelines", len(cs), len(progs))
		}
		got.batches = append(got.batches, len(cs))
		for i, c := range cs {
			got.nos = append(got.nos, c.No)
			got.cases[c.No], got.progs[c.No] = c, progs[i]
		}
		if during != nil {
			during(len(got.batches))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func nos(ns ...int) []xfbot.CaseNo {
	out := make([]xfbot.CaseNo, len(ns))
	for i, n := range ns {
		out[i] = xfbot.FormatCaseNo(2026, n)
	}
	return out
}

func seq(from, to int) []int {
	var out []int
	for i := from; i <= to; i++ {
		out = append(out, i)
	}
	return out
}

func count(t *testing.T, st *store.Store, q store.ExportQuery) int {
	t.Helper()
	n, err := st.CountExport(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestEachCase(t *testing.T) {
	ctx := context.Background()

	t.Run("Empty", func(t *testing.T) {
		st := newTestStore(t)
		got := collect(t, st, store.ExportQuery{}, 10, nil)
		if len(got.batches) != 0 {
			t.Errorf("fn called %d times on an empty ledger", len(got.batches))
		}
		if n := count(t, st, store.ExportQuery{}); n != 0 {
			t.Errorf("CountExport = %d, want 0", n)
		}
	})

	t.Run("RegistrationOrderInBatchesWithWholeTimelines", func(t *testing.T) {
		st := newTestStore(t)
		// registered in the reverse order of their numbers
		cs := importCases(t, st, 7, func(i int) time.Time { return byMinute(10 - i) }, oneUnit)
		addTimeline(t, st, cs[0].No, 5) // more than a card's RecentProgress
		addTimeline(t, st, cs[3].No, 1)
		got := collect(t, st, store.ExportQuery{}, 3, nil)
		if want := nos(7, 6, 5, 4, 3, 2, 1); !slices.Equal(got.nos, want) {
			t.Errorf("order %v, want %v", got.nos, want)
		}
		if want := []int{3, 3, 1}; !slices.Equal(got.batches, want) {
			t.Errorf("batches %v, want %v", got.batches, want)
		}
		p := got.progs[cs[0].No]
		var texts []string
		for _, e := range p {
			texts = append(texts, e.Text)
		}
		if want := []string{"XF-2026-0001#1", "XF-2026-0001#2", "XF-2026-0001#3", "XF-2026-0001#4", "XF-2026-0001#5"}; !slices.Equal(texts, want) {
			t.Errorf("timeline of case 1 %q, want %q oldest first", texts, want)
		}
		if len(p) > 0 && (p[0].Kind != xfbot.KindVisit || p[0].Author.Name != "王五" || !p[0].At.Equal(exportEpoch.Add(time.Hour))) {
			t.Errorf("entry decoded as %+v", p[0])
		}
		if n := len(got.progs[cs[3].No]); n != 1 {
			t.Errorf("case 4 has %d entries, want 1", n)
		}
		if p := got.progs[cs[1].No]; p == nil || len(p) != 0 {
			t.Errorf("case 2 without entries: %#v, want an empty, non-nil timeline", p)
		}
		c := got.cases[cs[2].No]
		if c == nil || c.Title != "案件3" || c.Petitioner.Phone != "19900001234" || !c.CreatedAt.Equal(byMinute(7)) || c.Due != today.AddDays(3) {
			t.Errorf("case 3 decoded as %+v", c)
		}
	})

	t.Run("DefaultBatch", func(t *testing.T) {
		st := newTestStore(t)
		importCases(t, st, 3, byMinute, oneUnit)
		got := collect(t, st, store.ExportQuery{}, 0, nil)
		if want := []int{3}; !slices.Equal(got.batches, want) {
			t.Errorf("batches %v, want %v", got.batches, want)
		}
	})

	t.Run("RangeFromInclusiveToExclusive", func(t *testing.T) {
		st := newTestStore(t)
		importCases(t, st, 10, byMinute, oneUnit)
		q := store.ExportQuery{From: byMinute(3), To: byMinute(7)}
		if got := collect(t, st, q, 2, nil); !slices.Equal(got.nos, nos(3, 4, 5, 6)) {
			t.Errorf("[3, 7) gave %v", got.nos)
		}
		if n := count(t, st, q); n != 4 {
			t.Errorf("CountExport = %d, want 4", n)
		}
		half := time.Second / 2
		q = store.ExportQuery{From: byMinute(3).Add(half), To: byMinute(7).Add(half)}
		if got := collect(t, st, q, 2, nil); !slices.Equal(got.nos, nos(4, 5, 6, 7)) {
			t.Errorf("[3m+0.5s, 7m+0.5s) gave %v", got.nos)
		}
		if n := count(t, st, q); n != 4 {
			t.Errorf("CountExport with fractions = %d, want 4", n)
		}
		if got := collect(t, st, store.ExportQuery{From: byMinute(9)}, 5, nil); !slices.Equal(got.nos, nos(9, 10)) {
			t.Errorf("from 9 gave %v", got.nos)
		}
		if got := collect(t, st, store.ExportQuery{To: byMinute(3)}, 1, nil); !slices.Equal(got.nos, nos(1, 2)) {
			t.Errorf("to 3 gave %v", got.nos)
		}
		if got := collect(t, st, store.ExportQuery{From: byMinute(11)}, 5, nil); len(got.nos) != 0 {
			t.Errorf("after the last case gave %v", got.nos)
		}
	})

	t.Run("UnitFiltersAfterCount", func(t *testing.T) {
		st := newTestStore(t)
		importCases(t, st, 9, byMinute, func(i int) string {
			if i%3 == 0 {
				return "区人社局"
			}
			return "区住建局"
		})
		q := store.ExportQuery{Units: []string{"区人社局"}}
		got := collect(t, st, q, 2, nil)
		if !slices.Equal(got.nos, nos(3, 6, 9)) {
			t.Errorf("unit gave %v", got.nos)
		}
		for _, b := range got.batches {
			if b == 0 {
				t.Errorf("an empty batch was passed: %v", got.batches)
			}
		}
		if n := count(t, st, q); n != 9 {
			t.Errorf("CountExport = %d, want 9 (before the unit filter)", n)
		}
		if got := collect(t, st, store.ExportQuery{Units: []string{"区人社"}}, 2, nil); len(got.nos) != 0 {
			t.Errorf("a unit's prefix matched %v", got.nos)
		}
	})

	t.Run("ManyInOneSecond", func(t *testing.T) {
		st := newTestStore(t)
		importCases(t, st, 11, sameSecond, oneUnit)
		got := collect(t, st, store.ExportQuery{}, 3, nil)
		if !slices.Equal(got.nos, nos(seq(1, 11)...)) {
			t.Errorf("same score gave %v", got.nos)
		}
	})

	// While an export runs, EachCase reads up to two batches ahead of fn:
	// the tests below change the ledger during fn's first call and accept
	// either timing for the batches that may already be read, but never a
	// case skipped or read twice at one place.

	t.Run("StableWhileCasesAreAdded", func(t *testing.T) {
		st := newTestStore(t)
		importCases(t, st, 12, byMinute, oneUnit)
		got := collect(t, st, store.ExportQuery{}, 3, func(call int) {
			if call != 1 {
				return
			}
			// after the first page: one registered before the cursor (an
			// imported older ledger: with offsets, it would shift case 3 into
			// the next page again), one in the same second as case 3 but
			// ordered after it, one after everything
			early := []*xfbot.Case{exportCase(20, byMinute(0), "区住建局"), exportCase(21, byMinute(3), "区住建局"), exportCase(22, byMinute(30), "区住建局")}
			if err := st.Import(ctx, early); err != nil {
				t.Fatal(err)
			}
		})
		want := nos(append(seq(1, 12), 22)...)
		if i := slices.Index(got.nos, xfbot.FormatCaseNo(2026, 21)); i >= 0 {
			// read only if the second page was read after the import: then
			// right after case 3
			if i != 3 {
				t.Errorf("case 21 at %d in %v, want right after case 3", i, got.nos)
			}
			want = slices.Insert(want, 3, xfbot.FormatCaseNo(2026, 21))
		}
		if !slices.Equal(got.nos, want) {
			t.Errorf("got %v, want %v", got.nos, want)
		}
	})

	// movedTail checks an export during which the cases in moved were
	// registered anew after all others: they come last, in that order, and
	// the rest is all the cases in order, each once, save moved ones that
	// had not been read at their old place yet.
	movedTail := func(t *testing.T, got []xfbot.CaseNo, all, moved []int) {
		t.Helper()
		if len(got) < len(moved) || !slices.Equal(got[len(got)-len(moved):], nos(moved...)) {
			t.Fatalf("got %v, want it to end with %v", got, nos(moved...))
		}
		head := got[:len(got)-len(moved)]
		var want []xfbot.CaseNo
		for _, n := range all {
			no := xfbot.FormatCaseNo(2026, n)
			if slices.Contains(moved, n) && !slices.Contains(head, no) {
				continue
			}
			want = append(want, no)
		}
		if !slices.Equal(head, want) {
			t.Errorf("got %v before the moved cases, want %v", head, want)
		}
	}

	t.Run("CursorCaseMoved", func(t *testing.T) {
		st := newTestStore(t)
		cs := importCases(t, st, 12, byMinute, oneUnit)
		got := collect(t, st, store.ExportQuery{}, 3, func(call int) {
			if call != 1 {
				return
			}
			// every page's last case, so that the next page to be read
			// starts after a cursor that moved, whatever was read ahead
			var moved []*xfbot.Case
			for i, n := range []int{3, 6, 9} {
				c := *cs[n-1]
				c.CreatedAt = byMinute(100 + i)
				moved = append(moved, &c)
			}
			if err := st.Import(ctx, moved); err != nil {
				t.Fatal(err)
			}
		})
		movedTail(t, got.nos, seq(1, 12), []int{3, 6, 9})
	})

	t.Run("CursorCaseMovedAmongSameSecond", func(t *testing.T) {
		st := newTestStore(t)
		cs := importCases(t, st, 8, sameSecond, oneUnit)
		got := collect(t, st, store.ExportQuery{}, 2, func(call int) {
			if call != 1 {
				return
			}
			var moved []*xfbot.Case
			for _, n := range []int{2, 4, 6} {
				c := *cs[n-1]
				c.CreatedAt = byMinute(1)
				moved = append(moved, &c)
			}
			if err := st.Import(ctx, moved); err != nil {
				t.Fatal(err)
			}
		})
		movedTail(t, got.nos, seq(1, 8), []int{2, 4, 6})
	})

	t.Run("IndexedButMissingIsSkipped", func(t *testing.T) {
		st, prefix := newTestStorePrefix(t)
		importCases(t, st, 4, byMinute, oneUnit)
		if err := st.Client().Del(ctx, "{"+prefix+"}:v1:case:XF-2026-0002").Err(); err != nil {
			t.Fatal(err)
		}
		if got := collect(t, st, store.ExportQuery{}, 2, nil); !slices.Equal(got.nos, nos(1, 3, 4)) {
			t.Errorf("got %v", got.nos)
		}
	})

	t.Run("CorruptCaseIsAnError", func(t *testing.T) {
		st, prefix := newTestStorePrefix(t)
		importCases(t, st, 2, byMinute, oneUnit)
		if err := st.Client().Set(ctx, "{"+prefix+"}:v1:case:XF-2026-0002", "{not json", 0).Err(); err != nil {
			t.Fatal(err)
		}
		err := st.EachCase(ctx, store.ExportQuery{}, 5, func([]*xfbot.Case, [][]xfbot.Progress) error { return nil })
		if err == nil || !strings.Contains(err.Error(), "XF-2026-0002") {
			t.Errorf("err = %v, want one naming the case", err)
		}
	})

	t.Run("StopsOnFnError", func(t *testing.T) {
		st := newTestStore(t)
		importCases(t, st, 9, byMinute, oneUnit)
		stop := errors.New("disk full")
		calls := 0
		err := st.EachCase(ctx, store.ExportQuery{}, 3, func([]*xfbot.Case, [][]xfbot.Progress) error {
			calls++
			if calls == 2 {
				return stop
			}
			return nil
		})
		if !errors.Is(err, stop) || calls != 2 {
			t.Errorf("err = %v after %d calls, want disk full after 2", err, calls)
		}
	})

	t.Run("CanceledContext", func(t *testing.T) {
		st := newTestStore(t)
		importCases(t, st, 4, byMinute, oneUnit)
		cctx, cancel := context.WithCancel(ctx)
		err := st.EachCase(cctx, store.ExportQuery{}, 2, func([]*xfbot.Case, [][]xfbot.Progress) error {
			cancel()
			return nil
		})
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want context.Canceled", err)
		}
	})
}
