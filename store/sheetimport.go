package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/qingchuan/xfbot"
	"github.com/redis/go-redis/v9"
)

// Importing a spreadsheet ledger (导入台账) writes through the same Tx as
// the commands: CreateCase, UpdateCase, AddProgress, AddChanges, Audit. What
// this file adds:
//
//   - Append: several cases' writes in one Commit (one round trip per batch
//     of an import). Each CreateCase's number is allocated where its ops
//     begin, and NoPlaceholder in the ops after it stands for it, up to the
//     next CreateCase (commit.lua substitutes the latest allocation).
//   - ClaimImportKey: a row's keys in the import index (imp:idx), claimed
//     atomically with the case's creation: a key already claimed (the same
//     row imported meanwhile by another upload) refuses the whole Commit
//     with ErrAlreadySent, and the caller retries row by row.
//   - ImportKeys: every case's matching keys, read from the cases
//     themselves, so that a case registered with 新建 is found too.
//   - the plan of an upload (what the preview showed, applied as shown on
//     confirmation), with a TTL, and the apply's checkpoint.

// TaskImport is the kind of an import task (导入台账: its preview, then its
// apply), run by the task worker like an export.
const TaskImport = "import"

// ImportPlanTTL is how long a previewed import waits for 确认导入.
const ImportPlanTTL = 24 * time.Hour

// ImportKeyNo is the index key of a sheet's own case number.
func ImportKeyNo(sheetNo string) string {
	return "no:" + strings.ToUpper(strings.Join(strings.Fields(xfbot.Normalize(sheetNo)), ""))
}

// ImportKeyPT is the index key of a petitioner and a title: both folded
// (full-width, case, spaces and punctuation dropped) and digested, so that
// no name is stored in the index. Empty when either is empty.
func ImportKeyPT(petitioner, title string) string {
	p, t := foldKey(petitioner), foldKey(title)
	if p == "" || t == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(p + "\x00" + t))
	return "pt:" + hex.EncodeToString(sum[:12])
}

func foldKey(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case unicode.IsSpace(r), unicode.IsPunct(r), unicode.IsSymbol(r):
			return -1
		}
		return unicode.ToLower(r)
	}, xfbot.Normalize(s))
}

// Append adds o's writes to tx: Commit then applies both, in order, in one
// script. o must not be used afterwards.
func (tx *Tx) Append(o *Tx) {
	if o.err != nil && tx.err == nil {
		tx.err = o.err
	}
	tx.ops = append(tx.ops, o.ops...)
	// o's progress words (search.go) go right after its ops: a new case's
	// @@ID@@ there is o's case, not the last one allocated.
	tx.ops = append(tx.ops, o.textOps()...)
	for k, n := range o.counts {
		if tx.counts == nil {
			tx.counts = map[countKey]int64{}
		}
		tx.counts[k] += n
	}
	for u := range o.units {
		if tx.units == nil {
			tx.units = map[string]bool{}
		}
		tx.units[u] = true
	}
	for k := range o.expiring {
		if tx.expiring == nil {
			tx.expiring = map[string]bool{}
		}
		tx.expiring[k] = true
	}
}

// ClaimImportKey claims key (ImportKeyNo, ImportKeyPT) for case no in the
// import index: Commit fails with ErrAlreadySent, writing nothing, when the
// key is claimed already.
func (tx *Tx) ClaimImportKey(key string, no xfbot.CaseNo) {
	if key == "" {
		return
	}
	tx.add(op{Op: "absent", Key: tx.k.importIndex(), Field: key})
	tx.add(op{Op: "hset", Key: tx.k.importIndex(), Field: key, Val: string(no)})
}

// SetImportKey points key at case no in the import index (an existing
// case matched by a sheet: its keys found it once, they find it again).
func (tx *Tx) SetImportKey(key string, no xfbot.CaseNo) {
	if key == "" {
		return
	}
	tx.add(op{Op: "hset", Key: tx.k.importIndex(), Field: key, Val: string(no)})
}

// ImportRow is what an import remembers of the row a case was last
// imported from: its fingerprint (the same row again is unchanged) and the
// digest of its progress text (a new text is progress added).
type ImportRow struct {
	Fingerprint string `json:"f"`
	Progress    string `json:"p,omitempty"`
}

// SetImportRow records the row case no was imported from.
func (tx *Tx) SetImportRow(no xfbot.CaseNo, r ImportRow) {
	tx.add(op{Op: "hset", Key: tx.k.importRows(), Field: string(no), Val: tx.json(r)})
}

// SetImportCheckpoint records that the apply of plan id has committed its
// batches up to done (rows); the checkpoint lives as long as a plan.
func (tx *Tx) SetImportCheckpoint(id string, done int) {
	key := tx.k.importCkpt(id)
	tx.add(op{Op: "set", Key: key, Val: fmt.Sprint(done)})
	tx.add(op{Op: "expire", Key: key, MaxLen: int64(ImportPlanTTL / time.Second)})
}

// MarkImportedFile remembers that a file (its digest) was imported, when
// and by whom: the preview of the same file says so.
func (tx *Tx) MarkImportedFile(digest, note string) {
	tx.add(op{Op: "hset", Key: tx.k.importFiles(), Field: digest, Val: note})
}

// ImportState is what a preview reads besides the cases: the import index,
// the rows of imported cases, and whether the file was imported before.
type ImportState struct {
	Index map[string]xfbot.CaseNo
	Rows  map[xfbot.CaseNo]ImportRow
	File  string // the note of an earlier import of the same file, "" if none
}

// ImportState reads the import index, the imported rows and the note of
// file digest, in one round trip.
func (s *Store) ImportState(ctx context.Context, digest string) (ImportState, error) {
	pipe := s.rdb.Pipeline()
	idx := pipe.HGetAll(ctx, s.k.importIndex())
	rows := pipe.HGetAll(ctx, s.k.importRows())
	file := pipe.HGet(ctx, s.k.importFiles(), digest)
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return ImportState{}, fmt.Errorf("store: import state: %w", err)
	}
	st := ImportState{Index: map[string]xfbot.CaseNo{}, Rows: map[xfbot.CaseNo]ImportRow{}, File: file.Val()}
	for k, v := range idx.Val() {
		st.Index[k] = xfbot.CaseNo(v)
	}
	for k, v := range rows.Val() {
		var r ImportRow
		if json.Unmarshal([]byte(v), &r) == nil {
			st.Rows[xfbot.CaseNo(k)] = r
		}
	}
	return st, nil
}

// importScanPage is how many cases ImportKeys reads per round trip.
const importScanPage = 2000

// ImportKeys returns the matching keys of every case on the ledger: its
// number (ImportKeyNo of XF-…), its sheet number and its petitioner and
// title, each → the case. A key two cases share maps to the first
// registered. It reads the cases in pages of idx:all (a page, one round
// trip).
func (s *Store) ImportKeys(ctx context.Context) (map[string]xfbot.CaseNo, error) {
	out := map[string]xfbot.CaseNo{}
	put := func(k string, no xfbot.CaseNo) {
		if _, ok := out[k]; k != "" && !ok {
			out[k] = no
		}
	}
	var start int64
	for {
		nos, err := s.rdb.ZRange(ctx, s.k.idxAll(), start, start+importScanPage-1).Result()
		if err != nil {
			return nil, fmt.Errorf("store: import keys: %w", err)
		}
		if len(nos) == 0 {
			return out, nil
		}
		ks := make([]string, len(nos))
		for i, no := range nos {
			ks[i] = s.k.caseKey(xfbot.CaseNo(no))
		}
		vals, err := s.rdb.MGet(ctx, ks...).Result()
		if err != nil {
			return nil, fmt.Errorf("store: import keys: %w", err)
		}
		for _, v := range vals {
			str, ok := v.(string)
			if !ok {
				continue
			}
			var r struct {
				No      string `json:"no"`
				Title   string `json:"t"`
				SheetNo string `json:"sn"`
				Name    string `json:"pn"`
			}
			if json.Unmarshal([]byte(str), &r) != nil {
				continue
			}
			no := xfbot.CaseNo(r.No)
			put(ImportKeyNo(r.No), no)
			if r.SheetNo != "" {
				put(ImportKeyNo(r.SheetNo), no)
			}
			put(ImportKeyPT(r.Name, r.Title), no)
		}
		if len(nos) < importScanPage {
			return out, nil
		}
		start += importScanPage
	}
}

// PutImportPlan stores an upload's plan (opaque to the store) for
// ImportPlanTTL.
func (s *Store) PutImportPlan(ctx context.Context, id string, plan []byte) error {
	if err := s.rdb.Set(ctx, s.k.importPlan(id), plan, ImportPlanTTL).Err(); err != nil {
		return fmt.Errorf("store: put import plan %s: %w", id, err)
	}
	return nil
}

// ImportPlan returns an upload's plan and the apply's checkpoint (rows
// committed, 0 before the first batch); nil when the plan expired or never
// was.
func (s *Store) ImportPlan(ctx context.Context, id string) ([]byte, int, error) {
	pipe := s.rdb.Pipeline()
	plan := pipe.Get(ctx, s.k.importPlan(id))
	ck := pipe.Get(ctx, s.k.importCkpt(id))
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return nil, 0, fmt.Errorf("store: import plan %s: %w", id, err)
	}
	if errors.Is(plan.Err(), redis.Nil) {
		return nil, 0, nil
	}
	n, _ := ck.Int()
	return []byte(plan.Val()), n, nil
}
