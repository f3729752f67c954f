package store_test

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/store"
)

var (
	loc   = time.FixedZone("CST", 8*3600)
	today = xfbot.NewDate(2026, 3, 16)
	now   = today.Time(loc).Add(9 * time.Hour)
)

func newCase(title string, due xfbot.Date) *xfbot.Case {
	return &xfbot.Case{Title: title, Category: "housing", Unit: "区住建局", Area: "云溪街道", Status: xfbot.StatusHandling,
		AcceptedOn: due.AddDays(-60), Due: due, CreatedAt: now, UpdatedAt: now,
		Petitioner: xfbot.Petitioner{Name: "张某某", Phone: "19900001234"}}
}

func create(t *testing.T, st *store.Store, c *xfbot.Case) xfbot.CaseNo {
	t.Helper()
	tx := st.NewTx()
	tx.CreateCase(c, 2026)
	no, err := st.Commit(context.Background(), tx)
	if err != nil {
		t.Fatalf("create %q: %v", c.Title, err)
	}
	c.No = no
	return no
}

func TestCommit(t *testing.T) {
	ctx := context.Background()

	t.Run("CreateAllocatesAndSubstitutes", func(t *testing.T) {
		st := newTestStore(t)
		c := newCase("回迁安置房延期交付", today.AddDays(10))
		tx := st.NewTx()
		tx.CreateCase(c, 2026)
		tx.AddChanges(store.NoPlaceholder, xfbot.Change{At: now, Action: "登记", After: c.Title})
		tx.Enqueue(store.OutboundMessage{ID: "u1", Kind: store.KindSend, MsgType: "text", Content: `{"text":"已登记 @@NO@@"}`, Text: "已登记 " + store.NoPlaceholder})
		no, err := st.Commit(ctx, tx)
		if err != nil || no != "XF-2026-0001" {
			t.Fatalf("Commit = %q, %v; want XF-2026-0001", no, err)
		}
		l, err := st.Load(ctx, "ou_x", no)
		if err != nil || l.Case == nil || l.Case.No != no || l.Case.Version != 1 {
			t.Fatalf("Load = %+v, %v", l.Case, err)
		}
		if err := st.EnsureOutboxGroup(ctx); err != nil {
			t.Fatal(err)
		}
		es, err := st.ReadOutbox(ctx, "c1", 10, 0)
		if err != nil || len(es) != 1 || es[0].Msg.Text != "已登记 XF-2026-0001" {
			t.Fatalf("outbox = %+v, %v", es, err)
		}
		changes, _, err := st.History(ctx, no)
		if err != nil || len(changes) != 1 || changes[0].After != c.Title {
			t.Fatalf("history = %+v, %v", changes, err)
		}
		if no2 := create(t, st, newCase("第二件", today)); no2 != "XF-2026-0002" {
			t.Fatalf("second number = %q", no2)
		}
	})

	t.Run("ConcurrentCreatesAreGapFree", func(t *testing.T) {
		st := newTestStore(t)
		const n = 40
		var wg sync.WaitGroup
		nos := make(chan xfbot.CaseNo, n)
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				tx := st.NewTx()
				tx.CreateCase(newCase(fmt.Sprintf("案件%d", i), today), 2026)
				no, err := st.Commit(ctx, tx)
				if err != nil {
					t.Error(err)
				}
				nos <- no
			}(i)
		}
		wg.Wait()
		close(nos)
		var got []string
		for no := range nos {
			got = append(got, string(no))
		}
		sort.Strings(got)
		for i, no := range got {
			if want := string(xfbot.FormatCaseNo(2026, i+1)); no != want {
				t.Fatalf("numbers %v: position %d is %s, want %s", got, i, no, want)
			}
		}
	})

	t.Run("DuplicateEventHasNoEffect", func(t *testing.T) {
		st := newTestStore(t)
		mk := func() *store.Tx {
			tx := st.NewTx()
			tx.DedupeID = "msg:om_1"
			tx.CreateCase(newCase("重复投递", today), 2026)
			tx.Enqueue(store.OutboundMessage{ID: "u", Kind: store.KindSend, MsgType: "text", Content: "{}"})
			return tx
		}
		if _, err := st.Commit(ctx, mk()); err != nil {
			t.Fatal(err)
		}
		if _, err := st.Commit(ctx, mk()); !errors.Is(err, store.ErrDuplicate) {
			t.Fatalf("second commit err = %v, want ErrDuplicate", err)
		}
		if seen, _ := st.Seen(ctx, "msg:om_1"); !seen {
			t.Fatal("Seen = false after commit")
		}
		_, total, err := st.List(ctx, store.Query{Index: store.IndexAll()})
		if err != nil || total != 1 {
			t.Fatalf("cases = %d, %v; want 1", total, err)
		}
		if n, _ := st.OutboxDepth(ctx); n != 1 {
			t.Fatalf("outbox depth = %d, want 1", n)
		}
	})

	t.Run("StaleVersionWritesNothing", func(t *testing.T) {
		st := newTestStore(t)
		c := newCase("并发修改", today)
		no := create(t, st, c)
		l, _ := st.Load(ctx, "", no)
		a, b := *l.Case, *l.Case
		a.Unit, b.Unit = "区人社局", "区教育局"
		tx1 := st.NewTx()
		tx1.UpdateCase(l.Case, &a)
		if _, err := st.Commit(ctx, tx1); err != nil {
			t.Fatal(err)
		}
		tx2 := st.NewTx()
		tx2.DedupeID = "late"
		tx2.UpdateCase(l.Case, &b)
		tx2.AddProgress(no, xfbot.Progress{At: now, Text: "不应写入"})
		tx2.Enqueue(store.OutboundMessage{ID: "x", Kind: store.KindSend, MsgType: "text", Content: "{}"})
		_, err := st.Commit(ctx, tx2)
		if xfbot.ErrorCode(err) != xfbot.ECONFLICT {
			t.Fatalf("err = %v, want ECONFLICT", err)
		}
		l2, _ := st.Load(ctx, "", no)
		if l2.Case.Unit != "区人社局" || len(l2.Recent) != 0 {
			t.Fatalf("after conflict: unit %q, progress %d", l2.Case.Unit, len(l2.Recent))
		}
		if seen, _ := st.Seen(ctx, "late"); seen {
			t.Fatal("a refused commit set its dedupe marker")
		}
		if n, _ := st.OutboxDepth(ctx); n != 0 {
			t.Fatalf("a refused commit queued %d messages", n)
		}
	})

	t.Run("IndexesFollowChanges", func(t *testing.T) {
		st := newTestStore(t)
		c := newCase("换人", today.AddDays(-3))
		c.Owner = xfbot.Person{OpenID: "ou_a"}
		no := create(t, st, c)
		list := func(ix store.Index) []xfbot.CaseNo {
			cs, _, err := st.List(ctx, store.Query{Index: ix})
			if err != nil {
				t.Fatal(err)
			}
			var nos []xfbot.CaseNo
			for _, c := range cs {
				nos = append(nos, c.No)
			}
			return nos
		}
		if got := list(store.IndexOwner("ou_a")); len(got) != 1 || got[0] != no {
			t.Fatalf("owner a = %v", got)
		}
		l, _ := st.Load(ctx, "", no)
		next := *l.Case
		next.Owner = xfbot.Person{OpenID: "ou_b"}
		tx := st.NewTx()
		tx.UpdateCase(l.Case, &next)
		if _, err := st.Commit(ctx, tx); err != nil {
			t.Fatal(err)
		}
		if got := list(store.IndexOwner("ou_a")); len(got) != 0 {
			t.Fatalf("owner a still has %v", got)
		}
		if got := list(store.IndexOwner("ou_b")); len(got) != 1 {
			t.Fatalf("owner b = %v", got)
		}
		l, _ = st.Load(ctx, "", no)
		closed := *l.Case
		closed.Status = xfbot.StatusClosed
		tx = st.NewTx()
		tx.UpdateCase(l.Case, &closed)
		if _, err := st.Commit(ctx, tx); err != nil {
			t.Fatal(err)
		}
		if got := list(store.IndexOpen()); len(got) != 0 {
			t.Fatalf("closed case still open: %v", got)
		}
		if got := list(store.IndexOwner("ou_b")); len(got) != 0 {
			t.Fatalf("closed case still on owner's list: %v", got)
		}
		if got := list(store.IndexStatus(xfbot.StatusClosed)); len(got) != 1 {
			t.Fatalf("closed list = %v", got)
		}
	})

	t.Run("OverdueIsARange", func(t *testing.T) {
		st := newTestStore(t)
		for i, d := range []int{-40, -2, -1, 0, 1, 10} {
			create(t, st, newCase(fmt.Sprintf("c%d", i), today.AddDays(d)))
		}
		cs, total, err := st.List(ctx, store.Query{Index: store.IndexOpen(), DueTo: today.AddDays(-1)})
		if err != nil || total != 3 || len(cs) != 3 {
			t.Fatalf("overdue = %d (%d), %v; want 3", total, len(cs), err)
		}
		for _, c := range cs {
			if !c.Due.Before(today) {
				t.Errorf("%s due %s listed as overdue", c.No, c.Due)
			}
		}
		cs, total, _ = st.List(ctx, store.Query{Index: store.IndexOpen(), Limit: 2})
		if total != 6 || len(cs) != 2 || !cs[0].Due.Before(cs[1].Due) {
			t.Fatalf("page = %d of %d", len(cs), total)
		}
	})

	t.Run("Members", func(t *testing.T) {
		st := newTestStore(t)
		tx := st.NewTx()
		tx.PutMember(xfbot.Member{OpenID: "ou_v", Name: "乙", Role: xfbot.RoleViewer})
		tx.PutMember(xfbot.Member{OpenID: "ou_a", Name: "甲", Role: xfbot.RoleAdmin})
		if _, err := st.Commit(ctx, tx); err != nil {
			t.Fatal(err)
		}
		ms, err := st.Members(ctx)
		if err != nil || len(ms) != 2 || ms[0].Role != xfbot.RoleAdmin {
			t.Fatalf("members = %+v, %v", ms, err)
		}
		tx = st.NewTx()
		tx.RemoveMember("ou_v")
		if _, err := st.Commit(ctx, tx); err != nil {
			t.Fatal(err)
		}
		l, _ := st.Load(ctx, "ou_v", "")
		if l.Member != nil {
			t.Fatal("removed member still loads")
		}
	})

	t.Run("TokenCacheMissIsEmpty", func(t *testing.T) {
		st := newTestStore(t)
		tc := st.TokenCache()
		if v, err := tc.Get(ctx, "k"); v != "" || err != nil {
			t.Fatalf("miss = %q, %v; want \"\", nil", v, err)
		}
		_ = tc.Set(ctx, "k", "t-1", time.Minute)
		if v, _ := tc.Get(ctx, "k"); v != "t-1" {
			t.Fatalf("hit = %q", v)
		}
		_ = tc.Forget(ctx, "k")
		if v, _ := tc.Get(ctx, "k"); v != "" {
			t.Fatalf("after Forget = %q", v)
		}
	})
}

func TestImport(t *testing.T) {
	ctx := context.Background()
	st := newTestStore(t)
	var cs []*xfbot.Case
	for i := 1; i <= 3; i++ {
		c := newCase(fmt.Sprintf("导入%d", i), today.AddDays(i-2))
		c.No = xfbot.FormatCaseNo(2026, 100+i)
		cs = append(cs, c)
	}
	if err := st.Import(ctx, cs); err != nil {
		t.Fatal(err)
	}
	if _, total, _ := st.List(ctx, store.Query{Index: store.IndexOpen(), DueTo: today.AddDays(-1)}); total != 1 {
		t.Fatalf("overdue after import = %d, want 1", total)
	}
	if no := create(t, st, newCase("新登记", today)); no != "XF-2026-0104" {
		t.Fatalf("next number after import = %s, want XF-2026-0104", no)
	}
}
