package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/store"
)

func TestAttachments(t *testing.T) {
	ctx := context.Background()
	by := xfbot.Person{OpenID: "ou_a", Name: "王某"}
	attach := func(st *store.Store, c *xfbot.Case, msg, name string) (*xfbot.Case, error) {
		cp := *c
		cp.Attachments++
		tx := st.NewTx()
		tx.UpdateCase(c, &cp)
		tx.AddAttachment(c.No, xfbot.Attachment{Seq: cp.Attachments, Kind: xfbot.AttachFile, Name: name, Size: 1234,
			Key: "file_v3_app_" + msg, By: by, At: now, MessageID: msg})
		tx.AddChanges(c.No, xfbot.Change{At: now, By: by, Action: "附件", Field: "附件", After: name})
		_, err := st.Commit(ctx, tx)
		return &cp, err
	}

	t.Run("KeptInOrderWithCount", func(t *testing.T) {
		st := newTestStore(t)
		c := newCase("回迁安置房延期交付", today.AddDays(10))
		create(t, st, c)
		c1, err := attach(st, c, "om_1", "处理意见书.pdf")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := attach(st, c1, "om_2", "协议.docx"); err != nil {
			t.Fatal(err)
		}
		as, err := st.Attachments(ctx, c.No)
		if err != nil || len(as) != 2 {
			t.Fatalf("Attachments = %+v, %v", as, err)
		}
		if as[0].Seq != 1 || as[0].Name != "处理意见书.pdf" || as[1].Seq != 2 || as[1].Key != "file_v3_app_om_2" ||
			as[0].By != by || !as[0].At.Equal(now) || as[0].Size != 1234 || as[0].Kind != xfbot.AttachFile || as[0].MessageID != "om_1" {
			t.Fatalf("Attachments = %+v", as)
		}
		l, err := st.Load(ctx, "ou_a", c.No)
		if err != nil || l.Case.Attachments != 2 {
			t.Fatalf("case count = %+v, %v", l.Case, err)
		}
		changes, _, err := st.History(ctx, c.No)
		if err != nil || len(changes) != 2 || changes[1].Action != "附件" || changes[1].After != "协议.docx" {
			t.Fatalf("history = %+v, %v", changes, err)
		}
	})

	t.Run("SameMessageKeptOnce", func(t *testing.T) {
		st := newTestStore(t)
		c := newCase("工地欠薪", today.AddDays(10))
		create(t, st, c)
		c1, err := attach(st, c, "om_1", "a.pdf")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := attach(st, c1, "om_1", "a.pdf"); !errors.Is(err, store.ErrAlreadySent) {
			t.Fatalf("again: %v, want ErrAlreadySent", err)
		}
		as, _ := st.Attachments(ctx, c.No)
		l, _ := st.Load(ctx, "ou_a", c.No)
		if len(as) != 1 || l.Case.Attachments != 1 {
			t.Fatalf("after redelivery: %d attachments, count %d", len(as), l.Case.Attachments)
		}
	})

	t.Run("StaleCountConflicts", func(t *testing.T) {
		st := newTestStore(t)
		c := newCase("工地欠薪", today.AddDays(10))
		create(t, st, c)
		if _, err := attach(st, c, "om_1", "a.pdf"); err != nil {
			t.Fatal(err)
		}
		if _, err := attach(st, c, "om_2", "b.pdf"); xfbot.ErrorCode(err) != xfbot.ECONFLICT {
			t.Fatalf("stale: %v, want a conflict", err)
		}
	})

	t.Run("Intent", func(t *testing.T) {
		st, _ := newTestStorePrefix(t)
		if no, err := st.AttachIntent(ctx, "ou_a"); err != nil || no != "" {
			t.Fatalf("none: %q, %v", no, err)
		}
		tx := st.NewTx()
		tx.SetAttachIntent("ou_a", "XF-2026-0012")
		if _, err := st.Commit(ctx, tx); err != nil {
			t.Fatal(err)
		}
		if no, err := st.AttachIntent(ctx, "ou_a"); err != nil || no != "XF-2026-0012" {
			t.Fatalf("set: %q, %v", no, err)
		}
		if no, _ := st.AttachIntent(ctx, "ou_b"); no != "" {
			t.Fatalf("another member's: %q", no)
		}
	})
}
