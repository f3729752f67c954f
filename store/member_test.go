package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/internal/testredis"
	"github.com/qingchuan/xfbot/store"
)

func TestMemberRoster(t *testing.T) {
	ctx := context.Background()
	rdb, prefix := testredis.New(t)
	st := store.New(rdb, prefix)
	t.Run("an old record reads as 在岗", func(t *testing.T) {
		// As written before the roster: no dates, no status.
		if err := rdb.HSet(ctx, "{"+prefix+"}:v1:members", "ou_old", `{"id":"ou_old","n":"赵建","r":"member","u":"区司法局"}`).Err(); err != nil {
			t.Fatal(err)
		}
		l, err := st.Load(ctx, "ou_old", "")
		if err != nil || l.Member == nil {
			t.Fatalf("load: %v", err)
		}
		m := *l.Member
		if m.StatusOn(xfbot.NewDate(2026, 3, 16)) != xfbot.OnDuty || m.Gone() || !m.Leave.IsZero() || m.Role != xfbot.RoleMember {
			t.Errorf("old record = %+v", m)
		}
	})
	t.Run("the roster round-trips", func(t *testing.T) {
		m := xfbot.Member{OpenID: "ou_zhao", Name: "赵建", Role: xfbot.RoleMember, Unit: "区司法局",
			Joined: xfbot.NewDate(2026, 3, 1), PlannedEnd: xfbot.NewDate(2026, 8, 31), Inspector: true,
			Leave: xfbot.Leave{From: xfbot.NewDate(2026, 3, 18), To: xfbot.NewDate(2026, 3, 20), StandIn: xfbot.Person{OpenID: "ou_qian", Name: "钱秀兰"}, Reason: "培训"}}
		tx := st.NewTx()
		tx.PutMember(m)
		if _, err := st.Commit(ctx, tx); err != nil {
			t.Fatal(err)
		}
		l, err := st.Load(ctx, m.OpenID, "")
		if err != nil || l.Member == nil || !l.Member.Equal(m) {
			t.Fatalf("got %+v, %v; want %+v", l.Member, err, m)
		}
		// Its two notices are in the index; a recall takes both out.
		ds, err := st.Deadlines(ctx, xfbot.NewDate(2026, 12, 31), 0)
		if err != nil || len(ds) != 2 {
			t.Fatalf("deadlines = %v, %v", ds, err)
		}
		up := m
		up.Role, up.FormerRole, up.Out, up.Left, up.Leave = "", xfbot.RoleMember, xfbot.Recalled, xfbot.NewDate(2026, 3, 16), xfbot.Leave{}
		tx = st.NewTx()
		tx.UpdateMember(&m, up)
		if _, err := st.Commit(ctx, tx); err != nil {
			t.Fatal(err)
		}
		if ds, _ := st.Deadlines(ctx, xfbot.NewDate(2026, 12, 31), 0); len(ds) != 0 {
			t.Errorf("a recalled member's deadlines stay: %v", ds)
		}
		if l, _ := st.Load(ctx, m.OpenID, ""); l.Member == nil || !l.Member.Equal(up) {
			t.Errorf("after the recall: %+v", l.Member)
		}
	})
}

func TestRecallRecords(t *testing.T) {
	ctx := context.Background()
	st := newTestStore(t)
	at := time.Date(2026, 3, 16, 9, 0, 0, 0, time.UTC)
	r := xfbot.RecallRecord{ID: store.RecallID("ou_zhao", at), Member: xfbot.Person{OpenID: "ou_zhao", Name: "赵建"}, Unit: "区司法局",
		Role: xfbot.RoleMember, Joined: xfbot.NewDate(2026, 3, 1), Reason: xfbot.RecallDiscipline, Text: "擅自离岗",
		By: xfbot.Person{OpenID: "ou_lead", Name: "陈某"}, At: at}
	tx := st.NewTx()
	tx.AddRecall(r)
	if _, err := st.Commit(ctx, tx); err != nil {
		t.Fatal(err)
	}
	got, err := st.Recall(ctx, r.ID)
	if err != nil || got == nil || !got.At.Equal(r.At) {
		t.Fatalf("Recall = %+v, %v", got, err)
	}
	got.At = r.At // the zone of a decoded time is local
	if *got != r {
		t.Errorf("got %+v, want %+v", *got, r)
	}
	if none, err := st.Recall(ctx, "ou_x:1"); none != nil || err != nil {
		t.Errorf("a missing record: %+v, %v", none, err)
	}
	ack := r
	ack.ConfirmedBy, ack.ConfirmedAt = xfbot.Person{OpenID: "ou_org", Name: "李某"}, at.Add(time.Hour)
	for i, want := range []error{nil, store.ErrAlreadySent} {
		tx := st.NewTx()
		tx.ConfirmRecall(ack)
		if _, err := st.Commit(ctx, tx); !errors.Is(err, want) && !(want == nil && err == nil) {
			t.Fatalf("confirmation %d: %v, want %v", i+1, err, want)
		}
	}
	rs, err := st.Recalls(ctx)
	if err != nil || len(rs) != 1 || !rs[0].Confirmed || rs[0].ConfirmedBy.OpenID != "ou_org" || !rs[0].ConfirmedAt.Equal(ack.ConfirmedAt) {
		t.Errorf("Recalls = %+v, %v", rs, err)
	}
}
