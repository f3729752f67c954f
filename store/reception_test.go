package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/store"
)

func planned(who string, d xfbot.Date) *xfbot.Reception {
	return &xfbot.Reception{Leader: xfbot.Person{OpenID: who, Name: "周某"}, Date: d, Slot: xfbot.SlotAM, Mode: xfbot.ModeFixed, Status: xfbot.ReceptionPlanned}
}

func TestReceptions(t *testing.T) {
	ctx := context.Background()
	t.Run("NumbersPerYearSeveralInOneTx", func(t *testing.T) {
		st := newTestStore(t)
		tx := st.NewTx()
		tx.CreateReception(planned("ou_a", xfbot.NewDate(2026, 12, 30)))
		tx.CreateReception(planned("ou_b", xfbot.NewDate(2026, 12, 31)))
		tx.CreateReception(planned("ou_c", xfbot.NewDate(2027, 1, 6)))
		if _, err := st.Commit(ctx, tx); err != nil {
			t.Fatal(err)
		}
		rs, err := st.ReceptionsBetween(ctx, xfbot.NewDate(2026, 12, 1), xfbot.NewDate(2027, 1, 31))
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range rs {
			got = append(got, string(r.ID)+" "+r.Leader.OpenID)
		}
		want := []string{"JF-2026-0001 ou_a", "JF-2026-0002 ou_b", "JF-2027-0001 ou_c"}
		if len(got) != 3 || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
			t.Fatalf("receptions = %v, want %v", got, want)
		}
		if mine, _ := st.LeaderReceptions(ctx, "ou_b", xfbot.NewDate(2026, 12, 1), xfbot.NewDate(2026, 12, 31)); len(mine) != 1 || mine[0].ID != "JF-2026-0002" {
			t.Errorf("leader index = %+v", mine)
		}
	})
	t.Run("UpdateStaleConflictsAndMovesIndexes", func(t *testing.T) {
		st := newTestStore(t)
		tx := st.NewTx()
		tx.CreateReception(planned("ou_a", xfbot.NewDate(2026, 3, 18)))
		if _, err := st.Commit(ctx, tx); err != nil {
			t.Fatal(err)
		}
		v, _ := st.Reception(ctx, "JF-2026-0001")
		held := *v.Reception
		held.Status, held.Record = xfbot.ReceptionHeld, &xfbot.ReceptionRecord{Batches: 2, Persons: 5, Cases: []xfbot.CaseNo{"XF-2026-0001"}, At: time.Unix(1773800000, 0)}
		tx = st.NewTx()
		tx.UpdateReception(v.Reception, &held)
		if _, err := st.Commit(ctx, tx); err != nil {
			t.Fatal(err)
		}
		again := *v.Reception
		again.Status = xfbot.ReceptionCancelled
		tx = st.NewTx()
		tx.UpdateReception(v.Reception, &again) // v is stale now
		if _, err := st.Commit(ctx, tx); xfbot.ErrorCode(err) != xfbot.ECONFLICT {
			t.Fatalf("stale update: %v, want ECONFLICT", err)
		}
		got, _ := st.Reception(ctx, "JF-2026-0001")
		if got.Status != xfbot.ReceptionHeld || got.Record.Persons != 5 || got.Record.Cases[0] != "XF-2026-0001" || got.Version != 2 {
			t.Errorf("stored = %+v %+v", got.Reception, got.Record)
		}
		if ps, _ := st.PlannedReceptions(ctx, xfbot.NewDate(2026, 12, 31)); len(ps) != 0 {
			t.Errorf("a held reception stays in the planned index")
		}
		if none, _ := st.Reception(ctx, "JF-2026-0099"); none != nil {
			t.Errorf("a missing reception = %+v", none)
		}
	})
	t.Run("LinkedCaseGetsTheNumberOfTheCaseCreated", func(t *testing.T) {
		st := newTestStore(t)
		tx := st.NewTx()
		tx.CreateReception(planned("ou_a", xfbot.NewDate(2026, 3, 18)))
		if _, err := st.Commit(ctx, tx); err != nil {
			t.Fatal(err)
		}
		tx = st.NewTx()
		tx.CreateCase(&xfbot.Case{Title: "当场登记", Status: xfbot.StatusHandling, CreatedAt: time.Unix(1773800000, 0)}, 2026)
		tx.LinkReceptionCase("JF-2026-0001", store.NoPlaceholder, time.Unix(1773800000, 0))
		no, err := st.Commit(ctx, tx)
		if err != nil {
			t.Fatal(err)
		}
		m, err := st.ReceptionsOfMonth(ctx, xfbot.Month{Year: 2026, Month: 3})
		if err != nil {
			t.Fatal(err)
		}
		if l := m.Linked["JF-2026-0001"]; len(l) != 1 || l[0] != no || m.Cases[no] == nil {
			t.Errorf("linked = %v, cases = %v, want %s", l, m.Cases, no)
		}
	})
}

func TestReceptionLedgerExactlyOnce(t *testing.T) {
	ctx := context.Background()
	st := newTestStore(t)
	send := func() error {
		tx := st.NewTx()
		tx.MarkSentKey("JF-2026-0001", "t5:2026-03-25", "2026-03-20")
		tx.Enqueue(store.OutboundMessage{ID: "x", Kind: store.KindSend, ReceiveIDType: "open_id", ReceiveID: "ou_a", MsgType: "text", Content: `{"text":"提醒"}`})
		_, err := st.Commit(ctx, tx)
		return err
	}
	if err := send(); err != nil {
		t.Fatal(err)
	}
	if err := send(); !errors.Is(err, store.ErrAlreadySent) {
		t.Fatalf("second send: %v, want ErrAlreadySent", err)
	}
	if n, _ := st.OutboxDepth(ctx); n != 1 {
		t.Errorf("outbox holds %d messages, want 1: a refused commit wrote its message", n)
	}
	ls, err := st.LedgersOf(ctx, []string{"JF-2026-0001", "nag:2026-03"})
	if err != nil || ls["JF-2026-0001"]["t5:2026-03-25"] != "2026-03-20" || len(ls["nag:2026-03"]) != 0 {
		t.Errorf("ledgers = %v, %v", ls, err)
	}
	// Cases keep ledgers of their own (sent:XF-…), untouched.
	cl, _ := st.Ledgers(ctx, []xfbot.CaseNo{"XF-2026-0001"})
	if len(cl) != 0 {
		t.Errorf("case ledgers = %v", cl)
	}
}

func TestRosterDraftConfirmOnce(t *testing.T) {
	ctx := context.Background()
	st := newTestStore(t)
	d := store.RosterDraft{Month: "2026-04", Rule: "每周三轮流接访", At: 1773800000,
		Entries: []store.RosterDraftEntry{{LeaderID: "ou_a", Date: "2026-04-01", Slot: "am"}}}
	tx := st.NewTx()
	tx.PutRosterDraft(d)
	if _, err := st.Commit(ctx, tx); err != nil {
		t.Fatal(err)
	}
	got, err := st.RosterDraftOf(ctx, "2026-04")
	if err != nil || got == nil || len(got.Entries) != 1 || got.Ver != d.At {
		t.Fatalf("draft = %+v, %v", got, err)
	}
	confirm := func() error {
		tx := st.NewTx()
		tx.ConfirmRosterDraft(*got)
		tx.CreateReception(planned("ou_a", xfbot.NewDate(2026, 4, 1)))
		_, err := st.Commit(ctx, tx)
		return err
	}
	if err := confirm(); err != nil {
		t.Fatal(err)
	}
	if err := confirm(); xfbot.ErrorCode(err) != xfbot.ECONFLICT {
		t.Fatalf("second confirmation: %v, want ECONFLICT", err)
	}
	if rs, _ := st.ReceptionsBetween(ctx, xfbot.NewDate(2026, 4, 1), xfbot.NewDate(2026, 4, 30)); len(rs) != 1 {
		t.Errorf("%d receptions after two confirmations, want 1", len(rs))
	}
	if again, _ := st.RosterDraftOf(ctx, "2026-04"); again != nil {
		t.Errorf("the draft outlived its confirmation")
	}
}
