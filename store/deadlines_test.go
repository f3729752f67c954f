package store_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/store"
	"github.com/redis/go-redis/v9"
)

func testCalendar(t testing.TB) *xfbot.Calendar {
	t.Helper()
	cal, err := xfbot.NewCalendar(xfbot.DefaultHolidayTables()...)
	if err != nil {
		t.Fatal(err)
	}
	return cal
}

// far is past every deadline the tests write.
var far = xfbot.NewDate(2030, 1, 1)

// index renders the whole deadline index, by due day:
// "kind subject due owner" plus " paused".
func index(t testing.TB, st *store.Store) []string {
	t.Helper()
	ds, err := st.Deadlines(context.Background(), far, 0)
	if err != nil {
		t.Fatal(err)
	}
	out := []string{}
	for _, d := range ds {
		s := fmt.Sprintf("%s %s %s %s", d.Kind, d.Subject, d.Due, d.Owner)
		if d.Paused {
			s += " paused"
		}
		out = append(out, s)
	}
	return out
}

// wantIndex compares the index without the gap deadlines (久未更新, 久未接触,
// snoozes): every case has one, and TestGapDeadlines follows them.
func wantIndex(t *testing.T, st *store.Store, want ...string) {
	t.Helper()
	if want == nil {
		want = []string{}
	}
	got := []string{}
	for _, e := range index(t, st) {
		if k, _, _ := strings.Cut(e, " "); !(xfbot.Deadline{Kind: xfbot.DeadlineKind(k)}).Reminded() {
			got = append(got, e)
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("deadline index\n got %q\nwant %q", got, want)
	}
}

// rewrite writes change(copy of c) a minute of the clock later and returns
// the copy as stored.
func rewrite(t *testing.T, st *store.Store, c *xfbot.Case, at time.Time, change func(*xfbot.Case)) *xfbot.Case {
	t.Helper()
	cp := *c
	cp.UpdatedAt = at
	change(&cp)
	tx := st.NewTx()
	tx.UpdateCase(c, &cp)
	if _, err := st.Commit(context.Background(), tx); err != nil {
		t.Fatalf("update %s: %v", c.No, err)
	}
	return &cp
}

func owned(title, owner string, accepted xfbot.Date) *xfbot.Case {
	c := newCase(title, accepted.AddDays(60))
	c.AcceptedOn = accepted
	c.Owner = xfbot.Person{OpenID: owner, Name: "赵建"}
	return c
}

func TestDeadlineIndex(t *testing.T) {
	ctx := context.Background()
	cal := testCalendar(t)

	t.Run("CaseHandleMovesWithItsDue", func(t *testing.T) {
		st := newTestStore(t).WithCalendar(cal)
		c := owned("回迁安置房延期交付", "ou_a", today) // 2026-03-16 + 60 days = Friday 2026-05-15
		create(t, st, c)
		wantIndex(t, st, "handle case:XF-2026-0001 2026-05-15 ou_a")

		c = rewrite(t, st, c, now.Add(time.Hour), func(c *xfbot.Case) { c.ExtensionDays = 30 })
		// + 30 = Sunday 2026-06-14, rolled to Monday the 15th
		wantIndex(t, st, "handle case:XF-2026-0001 2026-06-15 ou_a")

		c = rewrite(t, st, c, now.Add(2*time.Hour), func(c *xfbot.Case) {
			c.ExtensionDays = 0
			c.DueOverride, c.DueSetOn = xfbot.NewDate(2026, 4, 30), today
		})
		wantIndex(t, st, "handle case:XF-2026-0001 2026-04-30 ou_a")

		// A pause running from the 16th, written on the 20th: the clock is
		// stopped (the member says so) and the due day as of that write is
		// five days later, Tuesday 2026-05-05 after the 劳动节 holiday.
		day20 := xfbot.NewDate(2026, 3, 20).Time(loc).Add(10 * time.Hour)
		c = rewrite(t, st, c, day20, func(c *xfbot.Case) {
			c.Pauses = []xfbot.Pause{{From: today, Reason: "听证"}}
		})
		want := c.Deadlines(cal, xfbot.NewDate(2026, 3, 20))[0].Due
		wantIndex(t, st, "handle case:XF-2026-0001 "+want.String()+" ou_a paused")

		c = rewrite(t, st, c, day20.Add(time.Hour), func(c *xfbot.Case) {
			c.Pauses = []xfbot.Pause{{From: today, To: xfbot.NewDate(2026, 3, 20), Reason: "听证"}}
		})
		wantIndex(t, st, "handle case:XF-2026-0001 "+want.String()+" ou_a")

		c = rewrite(t, st, c, day20.Add(2*time.Hour), func(c *xfbot.Case) { c.Owner = xfbot.Person{OpenID: "ou_b", Name: "钱某"} })
		wantIndex(t, st, "handle case:XF-2026-0001 "+want.String()+" ou_b")

		c = rewrite(t, st, c, day20.Add(3*time.Hour), func(c *xfbot.Case) {
			c.Status, c.ResolvedOn = xfbot.StatusResolved, xfbot.NewDate(2026, 3, 20)
		})
		wantIndex(t, st)

		rewrite(t, st, c, day20.Add(4*time.Hour), func(c *xfbot.Case) { c.Status = xfbot.StatusHandling })
		wantIndex(t, st, "handle case:XF-2026-0001 "+want.String()+" ou_b")
	})

	t.Run("CaseKindFollowsTheStage", func(t *testing.T) {
		st := newTestStore(t).WithCalendar(cal)
		c := owned("待受理的来信", "ou_a", xfbot.Date{})
		c.Proc = xfbot.Procedure{Stage: xfbot.StageRegistered, ReceivedOn: today}
		create(t, st, c)
		// 15 days from 2026-03-16: Tuesday the 31st
		wantIndex(t, st, "accept case:XF-2026-0001 2026-03-31 ou_a")

		at := now
		step := func(change func(*xfbot.Case)) {
			at = at.Add(time.Hour)
			c = rewrite(t, st, c, at, change)
		}
		step(func(c *xfbot.Case) {
			c.Proc.Stage, c.AcceptedOn = xfbot.StageHandling, xfbot.NewDate(2026, 3, 20)
		})
		wantIndex(t, st, "handle case:XF-2026-0001 2026-05-19 ou_a")

		step(func(c *xfbot.Case) {
			c.Proc.Stage = xfbot.StageReplied
			c.Proc.Reply = xfbot.Answer{On: xfbot.NewDate(2026, 4, 10), DeliveredOn: xfbot.NewDate(2026, 4, 13), Result: xfbot.OutcomeSupport}
		})
		wantIndex(t, st, "review_apply case:XF-2026-0001 2026-05-13 ou_a")

		step(func(c *xfbot.Case) {
			c.Proc.Stage, c.Proc.Review = xfbot.StageReview, xfbot.Answer{RequestedOn: xfbot.NewDate(2026, 4, 20)}
		})
		wantIndex(t, st, "review_decide case:XF-2026-0001 2026-05-20 ou_a")

		step(func(c *xfbot.Case) {
			c.Proc.Stage = xfbot.StageReviewed
			c.Proc.Review.On, c.Proc.Review.DeliveredOn = xfbot.NewDate(2026, 5, 6), xfbot.NewDate(2026, 5, 6)
		})
		wantIndex(t, st, "review_apply case:XF-2026-0001 2026-06-05 ou_a")

		step(func(c *xfbot.Case) {
			c.Proc.Stage, c.Proc.Recheck = xfbot.StageRecheck, xfbot.Answer{RequestedOn: xfbot.NewDate(2026, 5, 11)}
		})
		wantIndex(t, st, "recheck_decide case:XF-2026-0001 2026-06-10 ou_a")

		step(func(c *xfbot.Case) {
			c.Proc.Stage, c.Proc.EndedOn = xfbot.StageTerminated, xfbot.NewDate(2026, 6, 1)
		})
		wantIndex(t, st)
	})

	t.Run("Letter", func(t *testing.T) {
		st := newTestStore(t).WithCalendar(cal)
		l := &xfbot.LeaderLetter{Leader: xfbot.Person{OpenID: "ou_lead"}, Summary: "关于回迁房的来信", ReceivedOn: today,
			RegisteredBy: xfbot.Person{OpenID: "ou_reg"}, RegisteredAt: now, ReadDue: xfbot.LetterReadDue(today, cal)}
		tx := st.NewTx()
		tx.CreateLetter(l, 2026)
		if _, err := st.Commit(ctx, tx); err != nil {
			t.Fatal(err)
		}
		wantIndex(t, st, "letter_read letter:LX-2026-0001 2026-03-18 ou_lead")

		old, _ := st.Letter(ctx, "LX-2026-0001")
		read := *old
		read.ReadAt, read.Instruction, read.AssignDue = now.Add(time.Hour), "请住建局办理", xfbot.LetterAssignDue(today, cal)
		tx = st.NewTx()
		tx.UpdateLetter(old, &read)
		if _, err := st.Commit(ctx, tx); err != nil {
			t.Fatal(err)
		}
		wantIndex(t, st, "letter_assign letter:LX-2026-0001 2026-03-19 ou_reg")

		assigned := read
		assigned.AssignedAt, assigned.AssignedUnit = now.Add(2*time.Hour), "区住建局"
		tx = st.NewTx()
		tx.UpdateLetter(&read, &assigned)
		if _, err := st.Commit(ctx, tx); err != nil {
			t.Fatal(err)
		}
		wantIndex(t, st)
	})

	t.Run("Reception", func(t *testing.T) {
		st := newTestStore(t).WithCalendar(cal)
		r := planned("ou_lead", xfbot.NewDate(2026, 4, 3)) // a Friday before 清明 (4-4 … 4-6)
		r.ScheduledBy = xfbot.Person{OpenID: "ou_reg"}
		tx := st.NewTx()
		tx.CreateReception(r)
		if _, err := st.Commit(ctx, tx); err != nil {
			t.Fatal(err)
		}
		wantIndex(t, st, "reception_record reception:JF-2026-0001 2026-04-07 ou_reg")

		v, _ := st.Reception(ctx, "JF-2026-0001")
		held := *v.Reception
		held.Status, held.Record = xfbot.ReceptionHeld, &xfbot.ReceptionRecord{Batches: 1, Persons: 2, At: now}
		tx = st.NewTx()
		tx.UpdateReception(v.Reception, &held)
		if _, err := st.Commit(ctx, tx); err != nil {
			t.Fatal(err)
		}
		wantIndex(t, st)
	})

	t.Run("RangeLimitAndCount", func(t *testing.T) {
		st := newTestStore(t).WithCalendar(cal).WithGaps(xfbot.Gaps{Stale: -1}) // no gaps: the stage deadlines only
		for i := 0; i < 5; i++ {
			create(t, st, owned(fmt.Sprint("案件", i), "ou_a", today.AddDays(i*7))) // due 05-15, 05-22, 05-29, 06-05, 06-12
		}
		got, err := st.Deadlines(ctx, xfbot.NewDate(2026, 5, 29), 2)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].Subject.ID != "XF-2026-0001" || got[1].Subject.ID != "XF-2026-0002" || !got[0].Statutory() {
			t.Errorf("first two due by 05-29 = %+v", got)
		}
		if n, err := st.CountDeadlines(ctx, xfbot.NewDate(2026, 5, 29)); err != nil || n != 3 {
			t.Errorf("count due by 05-29 = %d, %v; want 3", n, err)
		}
		if none, _ := st.Deadlines(ctx, xfbot.NewDate(2026, 5, 14), 0); len(none) != 0 {
			t.Errorf("due by 05-14 = %+v", none)
		}
	})

	t.Run("WithoutCalendarWeekendsOnly", func(t *testing.T) {
		st := newTestStore(t)
		// 2026-10-01 is 国庆节 in the holiday tables; without them a Thursday.
		create(t, st, owned("国庆", "ou_a", xfbot.NewDate(2026, 8, 2)))
		wantIndex(t, st, "handle case:XF-2026-0001 2026-10-01 ou_a")
	})
}

// ledgerFixture writes cases, letters and receptions of every kind of
// deadline, and a reminder already sent.
func ledgerFixture(t *testing.T, st *store.Store, cal *xfbot.Calendar) {
	t.Helper()
	ctx := context.Background()
	for i := 0; i < 30; i++ {
		c := owned(fmt.Sprint("案件", i), fmt.Sprint("ou_", i%4), today.AddDays(-i))
		switch i % 5 {
		case 1:
			c.Proc = xfbot.Procedure{Stage: xfbot.StageRegistered, ReceivedOn: today.AddDays(-i)}
		case 2:
			c.Pauses = []xfbot.Pause{{From: today.AddDays(-2)}}
		case 3:
			c.Status, c.ResolvedOn = xfbot.StatusResolved, today
		case 4:
			c.Proc = xfbot.Procedure{Stage: xfbot.StageReplied, Reply: xfbot.Answer{On: today, DeliveredOn: today}}
		}
		create(t, st, c)
	}
	for i := 0; i < 3; i++ {
		tx := st.NewTx()
		tx.CreateLetter(&xfbot.LeaderLetter{Leader: xfbot.Person{OpenID: "ou_lead"}, ReceivedOn: today, RegisteredAt: now,
			ReadDue: xfbot.LetterReadDue(today.AddDays(i), cal)}, 2026)
		r := planned(fmt.Sprint("ou_l", i), today.AddDays(i))
		r.ScheduledBy = xfbot.Person{OpenID: "ou_reg"}
		tx.CreateReception(r)
		if _, err := st.Commit(ctx, tx); err != nil {
			t.Fatal(err)
		}
	}
	tx := st.NewTx()
	tx.MarkSent("XF-2026-0001", "due:7:2026-05-15", "2026-03-16")
	if _, err := st.Commit(ctx, tx); err != nil {
		t.Fatal(err)
	}
}

func TestBackfillDeadlines(t *testing.T) {
	ctx := context.Background()
	cal := testCalendar(t)
	st, prefix := newTestStorePrefix(t)
	st.WithCalendar(cal)
	rdb := st.Client()
	dl := store.DeadlineKeys(st)
	marker := "{" + prefix + "}:v1:dl:backfilled:2:7.30.14"

	ledgerFixture(t, st, cal)
	live := index(t, st)
	if len(live) != 30-6+3+3+18 { // 6 resolved cases have none; the 18 chased ones a 久未更新 too
		t.Fatalf("live index holds %d: %q", len(live), live)
	}
	ledger, _ := st.Ledgers(ctx, []xfbot.CaseNo{"XF-2026-0001"})

	t.Run("GivesTheIndexOfLiveWrites", func(t *testing.T) {
		rdb.Del(ctx, dl...) // the records as written before the index existed
		n, err := st.BackfillDeadlines(ctx)
		if err != nil || n != len(live) {
			t.Fatalf("backfill = %d, %v; want %d", n, err, len(live))
		}
		if got := index(t, st); !reflect.DeepEqual(got, live) {
			t.Errorf("backfilled\n got %q\nwant %q", got, live)
		}
		if after, _ := st.Ledgers(ctx, []xfbot.CaseNo{"XF-2026-0001"}); !reflect.DeepEqual(after, ledger) {
			t.Errorf("sent-ledger %v, was %v", after, ledger)
		}
	})
	t.Run("SkippedOnceDone", func(t *testing.T) {
		rdb.Del(ctx, dl...)
		if n, err := st.BackfillDeadlines(ctx); err != nil || n != 0 {
			t.Fatalf("second start: backfill = %d, %v; want skipped", n, err)
		}
		if got := index(t, st); len(got) != 0 {
			t.Errorf("a skipped backfill wrote %q", got)
		}
	})
	t.Run("TwiceGivesTheSame", func(t *testing.T) {
		rdb.Del(ctx, append(dl, marker)...)
		if _, err := st.BackfillDeadlines(ctx); err != nil {
			t.Fatal(err)
		}
		rdb.Del(ctx, marker)
		if n, err := st.BackfillDeadlines(ctx); err != nil || n != 0 {
			t.Errorf("again over a full index = %d, %v; want 0", n, err)
		}
		if got := index(t, st); !reflect.DeepEqual(got, live) {
			t.Errorf("after two\n got %q\nwant %q", got, live)
		}
	})
	t.Run("ReplicasAtOnce", func(t *testing.T) {
		rdb.Del(ctx, append(dl, marker)...)
		var wg sync.WaitGroup
		for i := 0; i < 4; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := st.BackfillDeadlines(ctx); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		if got := index(t, st); !reflect.DeepEqual(got, live) {
			t.Errorf("after replicas\n got %q\nwant %q", got, live)
		}
	})
	t.Run("ThenLiveWritesMoveIt", func(t *testing.T) {
		l, _ := st.Load(ctx, "", "XF-2026-0001")
		rewrite(t, st, l.Case, now.Add(time.Hour), func(c *xfbot.Case) { c.Owner = xfbot.Person{OpenID: "ou_new"} })
		ds, _ := st.Deadlines(ctx, far, 0)
		n := 0
		for _, d := range ds {
			if d.Subject.ID == "XF-2026-0001" {
				n++
				if d.Owner != "ou_new" {
					t.Errorf("XF-2026-0001 in the index as %+v", d)
				}
			}
		}
		if n != 2 { // 办结 and 久未更新
			t.Errorf("XF-2026-0001 has %d entries", n)
		}
	})
}

func TestSentLedgers(t *testing.T) {
	ctx := context.Background()
	st := newTestStore(t)
	kase := xfbot.Subject{Kind: xfbot.SubjectCase, ID: "XF-2026-0001"}
	jf := xfbot.Subject{Kind: xfbot.SubjectReception, ID: "JF-2026-0001"}
	lx := xfbot.Subject{Kind: xfbot.SubjectLetter, ID: "LX-2026-0001"}

	// Written by today's APIs, before the index.
	tx := st.NewTx()
	tx.MarkSent("XF-2026-0001", "due:7:2026-05-15", "2026-03-16")
	tx.MarkSentKey("JF-2026-0001", "record:2026-04-07", "2026-04-07")
	if _, err := st.Commit(ctx, tx); err != nil {
		t.Fatal(err)
	}
	t.Run("ReadsTheLedgersAsWritten", func(t *testing.T) {
		got, err := st.SentLedgers(ctx, []xfbot.Subject{kase, jf, lx})
		if err != nil {
			t.Fatal(err)
		}
		want := map[xfbot.Subject]map[string]string{
			kase: {"due:7:2026-05-15": "2026-03-16"},
			jf:   {"record:2026-04-07": "2026-04-07"},
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("ledgers = %v, want %v", got, want)
		}
	})
	t.Run("ErrAlreadySentAcrossAPIs", func(t *testing.T) {
		tx := st.NewTx()
		tx.MarkSentFor(kase, "due:7:2026-05-15", "2026-03-17")
		if _, err := st.Commit(ctx, tx); !errors.Is(err, store.ErrAlreadySent) {
			t.Errorf("a reminder MarkSent recorded, marked again: %v", err)
		}
		tx = st.NewTx()
		tx.MarkSentFor(lx, "read:2026-03-18", "2026-03-18")
		tx.NoteFor(kase, "ack:2026-05-15", "ou_a")
		if _, err := st.Commit(ctx, tx); err != nil {
			t.Fatal(err)
		}
		if got, _ := st.LedgersOf(ctx, []string{"LX-2026-0001"}); got["LX-2026-0001"]["read:2026-03-18"] != "2026-03-18" {
			t.Errorf("LedgersOf after MarkSentFor = %v", got)
		}
		if got, _ := st.Ledgers(ctx, []xfbot.CaseNo{"XF-2026-0001"}); got["XF-2026-0001"]["ack:2026-05-15"] != "ou_a" {
			t.Errorf("Ledgers after NoteFor = %v", got)
		}
	})
}

func TestGapDeadlines(t *testing.T) {
	ctx := context.Background()
	gaps := func(t *testing.T, st *store.Store) []string {
		t.Helper()
		var out []string
		for _, e := range index(t, st) {
			if k, _, _ := strings.Cut(e, " "); (xfbot.Deadline{Kind: xfbot.DeadlineKind(k)}).Reminded() {
				out = append(out, e)
			}
		}
		return out
	}
	st, prefix := newTestStorePrefix(t)
	st.WithGaps(xfbot.Gaps{Stale: 7, ContactBacklog: 30, ContactKey: 14})
	c := owned("积案", "ou_a", today.AddDays(-10))
	c.Tags = []xfbot.Tag{xfbot.TagBacklog}
	c.LastProgressAt = now.AddDate(0, 0, -3)
	c.LastContactAt = now.AddDate(0, 0, -20)
	create(t, st, c)
	l, _ := st.Load(ctx, "", "XF-2026-0001")
	c = l.Case
	want := []string{"progress_gap case:XF-2026-0001 2026-03-20 ou_a", "contact_gap case:XF-2026-0001 2026-03-26 ou_a"}
	if got := gaps(t, st); !reflect.DeepEqual(got, want) {
		t.Fatalf("gaps\n got %q\nwant %q", got, want)
	}
	t.Run("ProgressMovesTheStaleGap", func(t *testing.T) {
		c = rewrite(t, st, c, now, func(c *xfbot.Case) { c.LastProgressAt = now })
		want := []string{"progress_gap case:XF-2026-0001 2026-03-23 ou_a", "contact_gap case:XF-2026-0001 2026-03-26 ou_a"}
		if got := gaps(t, st); !reflect.DeepEqual(got, want) {
			t.Fatalf("after 进展\n got %q\nwant %q", got, want)
		}
		c = rewrite(t, st, c, now, func(c *xfbot.Case) { c.LastContactAt, c.LastProgressAt = now, now })
		want = []string{"progress_gap case:XF-2026-0001 2026-03-23 ou_a", "contact_gap case:XF-2026-0001 2026-04-15 ou_a"}
		if got := gaps(t, st); !reflect.DeepEqual(got, want) {
			t.Fatalf("after 下访\n got %q\nwant %q", got, want)
		}
	})
	t.Run("RemindedStaysOutUntilReset", func(t *testing.T) {
		tx := st.NewTx()
		tx.DoneDeadline(xfbot.Deadline{Subject: xfbot.Subject{Kind: xfbot.SubjectCase, ID: "XF-2026-0001"}, Kind: xfbot.DeadlineProgressGap, Due: today.AddDays(7), Owner: "ou_a"})
		if _, err := st.Commit(ctx, tx); err != nil {
			t.Fatal(err)
		}
		c = rewrite(t, st, c, now, func(c *xfbot.Case) { c.Title = "积案（改）" }) // resets no gap
		want := []string{"contact_gap case:XF-2026-0001 2026-04-15 ou_a"}
		if got := gaps(t, st); !reflect.DeepEqual(got, want) {
			t.Fatalf("after an edit\n got %q\nwant %q", got, want)
		}
		c = rewrite(t, st, c, now, func(c *xfbot.Case) { c.LastProgressAt = now.AddDate(0, 0, 1) })
		want = []string{"progress_gap case:XF-2026-0001 2026-03-24 ou_a", "contact_gap case:XF-2026-0001 2026-04-15 ou_a"}
		if got := gaps(t, st); !reflect.DeepEqual(got, want) {
			t.Fatalf("after the next 进展\n got %q\nwant %q", got, want)
		}
	})
	t.Run("RepliedOrResolvedHasNone", func(t *testing.T) {
		c = rewrite(t, st, c, now, func(c *xfbot.Case) {
			c.Proc = xfbot.Procedure{Stage: xfbot.StageReplied, Reply: xfbot.Answer{On: today, DeliveredOn: today}}
		})
		if got := gaps(t, st); len(got) != 0 {
			t.Fatalf("a replied case has gaps %q", got)
		}
	})
	t.Run("SnoozeIsADeadline", func(t *testing.T) {
		tx := st.NewTx()
		tx.Snooze("XF-2026-0001", "ou_b", today.AddDays(1))
		if _, err := st.Commit(ctx, tx); err != nil {
			t.Fatal(err)
		}
		want := []string{"snooze case:XF-2026-0001 2026-03-17 ou_b"}
		if got := gaps(t, st); !reflect.DeepEqual(got, want) {
			t.Fatalf("snooze\n got %q\nwant %q", got, want)
		}
		tx = st.NewTx()
		tx.Unsnooze("XF-2026-0001", "ou_b")
		if _, err := st.Commit(ctx, tx); err != nil {
			t.Fatal(err)
		}
		if got := gaps(t, st); len(got) != 0 {
			t.Fatalf("after Unsnooze %q", got)
		}
	})
	t.Run("BackfillMovesOldSnoozes", func(t *testing.T) {
		rdb := st.Client()
		rdb.ZAdd(ctx, "{"+prefix+"}:v1:snooze", redis.Z{Score: float64(today.AddDays(1).DayNumber()), Member: "XF-2026-0001|ou_c"})
		if _, err := st.BackfillDeadlines(ctx); err != nil {
			t.Fatal(err)
		}
		if s, _ := st.DueSnoozes(ctx, today.AddDays(1)); len(s) != 1 || s[0].OpenID != "ou_c" || s[0].No != "XF-2026-0001" {
			t.Fatalf("snoozes after backfill %+v", s)
		}
		if n, _ := rdb.Exists(ctx, "{"+prefix+"}:v1:snooze").Result(); n != 0 {
			t.Error("the old snooze key is left")
		}
	})
}
