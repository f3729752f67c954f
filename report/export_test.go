package report_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/bot"
	"github.com/qingchuan/xfbot/internal/testredis"
	"github.com/qingchuan/xfbot/report"
	"github.com/qingchuan/xfbot/store"
)

var (
	cst = time.FixedZone("CST", 8*3600)
	now = time.Date(2026, 3, 16, 10, 0, 0, 0, cst)
)

// uploader records uploads and fails as told.
type uploader struct {
	mu    sync.Mutex
	files map[string][]byte
	fail  []error // the next uploads' errors, in order
}

func (u *uploader) Upload(_ context.Context, name string, r io.Reader) (string, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if len(u.fail) > 0 {
		err := u.fail[0]
		u.fail = u.fail[1:]
		return "", err
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return "", err
	}
	if u.files == nil {
		u.files = map[string][]byte{}
	}
	key := "file_" + name
	u.files[key] = b
	return key, nil
}

type env struct {
	st  *store.Store
	up  *uploader
	exp *report.Exporter
}

func newEnv(t *testing.T, n int) *env {
	t.Helper()
	rdb, prefix := testredis.New(t)
	st := store.New(rdb, prefix).In(cst)
	ctx := context.Background()
	var cs []*xfbot.Case
	for i := 1; i <= n; i++ {
		unit := "区住建局"
		if i%2 == 0 {
			unit = "区人社局"
		}
		cs = append(cs, &xfbot.Case{No: xfbot.FormatCaseNo(2026, i), Title: "回迁安置房延期交付", Unit: unit, Status: xfbot.StatusHandling,
			Petitioner: xfbot.Petitioner{Name: "张建国", Phone: "19900001234", IDCard: "110101195001011239"},
			Due:        xfbot.NewDate(2026, 4, 30), CreatedAt: now.Add(-time.Duration(n-i+1) * time.Hour), UpdatedAt: now})
	}
	if err := st.Import(ctx, cs); err != nil {
		t.Fatal(err)
	}
	if err := st.EnsureTaskGroup(ctx); err != nil {
		t.Fatal(err)
	}
	if err := st.EnsureOutboxGroup(ctx); err != nil {
		t.Fatal(err)
	}
	up := &uploader{}
	r := &report.Reports{Store: st, Thresholds: xfbot.DefaultThresholds, Location: cst}
	return &env{st: st, up: up, exp: &report.Exporter{Reports: r, Uploader: up, Consumer: "w1", Dir: t.TempDir(),
		Now: func() time.Time { return now }, MinIdle: 50 * time.Millisecond, ProgressMin: 2000}}
}

// queue commits an export task as the handler does.
func (e *env) queue(t *testing.T, id string, r report.ExportRequest) {
	t.Helper()
	tx := e.st.NewTx()
	tx.AddTask(store.Task{ID: id, Kind: store.TaskExport, By: xfbot.Person{OpenID: "ou_admin", Name: "陈某"}, Args: r.Args(), At: now})
	if _, err := e.st.Commit(context.Background(), tx); err != nil {
		t.Fatal(err)
	}
}

// sent drains the outbox: the texts, and the file messages' content.
func (e *env) sent(t *testing.T) (texts []string, files []string) {
	t.Helper()
	es, err := e.st.ReadOutbox(context.Background(), "t", 100, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range es {
		if x.Msg.MsgType == "file" {
			files = append(files, x.Msg.Content)
		} else {
			texts = append(texts, x.Msg.Text)
		}
		if x.Msg.ReceiveID != "ou_admin" || x.Msg.ReceiveIDType != "open_id" {
			t.Errorf("export message to %s %s, want the asker privately", x.Msg.ReceiveIDType, x.Msg.ReceiveID)
		}
		_ = e.st.AckOutbox(context.Background(), x.StreamID)
	}
	return texts, files
}

func (e *env) once(t *testing.T) int {
	t.Helper()
	n, err := e.exp.Once(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestExportTask(t *testing.T) {
	e := newEnv(t, 30)
	m := xfbot.Month{Year: 2026, Month: time.March}
	e.queue(t, "t1", report.ExportRequest{Month: &m, Unit: "区住建局"})
	if e.once(t) != 1 {
		t.Fatal("the task was not taken")
	}
	texts, files := e.sent(t)
	if len(files) != 1 || !strings.Contains(files[0], "file_信访台账-2026-03-区住建局-脱敏.xlsx") {
		t.Fatalf("file messages %v", files)
	}
	if len(texts) != 1 || !strings.Contains(texts[0], "2026年3月 区住建局 台账（脱敏）已生成：共 15 件案件") {
		t.Errorf("texts %v", texts)
	}
	x, err := excelize.OpenReader(bytes.NewReader(e.up.files["file_信访台账-2026-03-区住建局-脱敏.xlsx"]))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	rows, _ := x.GetRows("台账")
	var all strings.Builder
	for _, r := range rows {
		all.WriteString(strings.Join(r, "|") + "\n")
	}
	if strings.Contains(all.String(), "张建国") || strings.Contains(all.String(), "110101195001011239") || !strings.Contains(all.String(), "张某") {
		t.Errorf("masked ledger:\n%s", all.String())
	}
	stats, _ := x.GetRows("统计")
	if len(stats) < 3 || stats[0][0] != "指标" || stats[1][0] != "期初存量" {
		t.Errorf("统计 sheet: %v", stats)
	}
	if n, _ := e.st.PendingTasks(context.Background()); n != 0 {
		t.Errorf("%d tasks left", n)
	}
	if e.once(t) != 0 {
		t.Error("a done task was taken again")
	}
}

// TestExportFailures: Feishu down is retried and the file sent once; a file
// Feishu refuses for good is reported to the asker; a task taken over after
// its result was committed sends nothing again.
func TestExportFailures(t *testing.T) {
	t.Run("TransientThenOK", func(t *testing.T) {
		e := newEnv(t, 5)
		e.up.fail = []error{&bot.SendError{HTTPStatus: 503, Msg: "busy"}}
		e.queue(t, "t1", report.ExportRequest{})
		e.once(t)
		if texts, files := e.sent(t); len(texts)+len(files) != 0 {
			t.Fatalf("sent after a failed upload: %v %v", texts, files)
		}
		time.Sleep(60 * time.Millisecond) // MinIdle: the task is taken over
		if e.once(t) != 1 {
			t.Fatal("the pending task was not retried")
		}
		if _, files := e.sent(t); len(files) != 1 {
			t.Errorf("files after the retry: %v", files)
		}
	})
	t.Run("Permanent", func(t *testing.T) {
		e := newEnv(t, 5)
		e.up.fail = []error{&bot.SendError{HTTPStatus: 400, Code: 234001, Msg: "Invalid request param."}}
		e.queue(t, "t1", report.ExportRequest{})
		e.once(t)
		texts, files := e.sent(t)
		if len(files) != 0 || len(texts) != 1 || !strings.Contains(texts[0], "台账导出失败：飞书拒绝了文件（错误码 234001）") {
			t.Errorf("texts %v files %v", texts, files)
		}
		if n, _ := e.st.PendingTasks(context.Background()); n != 0 {
			t.Errorf("a failed task stays: %d", n)
		}
	})
	t.Run("GivesUpAfterRetries", func(t *testing.T) {
		e := newEnv(t, 5)
		e.exp.MaxDeliveries = 2
		e.up.fail = []error{errors.New("dial tcp: refused"), errors.New("dial tcp: refused")}
		e.queue(t, "t1", report.ExportRequest{})
		e.once(t)
		time.Sleep(60 * time.Millisecond)
		e.once(t)
		texts, _ := e.sent(t)
		if len(texts) != 1 || !strings.Contains(texts[0], "台账导出失败：系统暂时出错") {
			t.Errorf("texts %v", texts)
		}
	})
	t.Run("DoneTwice", func(t *testing.T) {
		e := newEnv(t, 5)
		e.queue(t, "t1", report.ExportRequest{})
		e.queue(t, "t1", report.ExportRequest{}) // the same task again, as after a crash before the ack
		e.once(t)
		e.once(t)
		if _, files := e.sent(t); len(files) != 1 {
			t.Errorf("files %v", files)
		}
	})
}

// TestExportProgress: a long export tells the asker how far it is.
func TestExportProgress(t *testing.T) {
	if testing.Short() {
		t.Skip("4,000 cases")
	}
	e := newEnv(t, 4000)
	e.queue(t, "t1", report.ExportRequest{})
	e.once(t)
	texts, files := e.sent(t)
	var progress int
	for _, s := range texts {
		if strings.Contains(s, "正在导出全部案件 台账（脱敏）：已完成") {
			progress++
		}
	}
	if progress < 1 || progress > 3 || len(files) != 1 {
		t.Errorf("%d progress messages (want 1–3), files %v: %v", progress, files, texts)
	}
}

// TestExportUnitScope: a unit's export counts and reports its progress
// within the unit, never the district's size, and its free text is masked.
func TestExportUnitScope(t *testing.T) {
	if testing.Short() {
		t.Skip("4,000 cases")
	}
	e := newEnv(t, 4000)
	tx := e.st.NewTx()
	tx.AddProgress(xfbot.FormatCaseNo(2026, 1), xfbot.Progress{At: now, Author: xfbot.Person{OpenID: "ou_w", Name: "王五"},
		Kind: xfbot.KindVisit, Text: "已电话联系张建国（19900001234），身份证110101195001011239已核对"})
	if _, err := e.st.Commit(context.Background(), tx); err != nil {
		t.Fatal(err)
	}
	e.queue(t, "t1", report.ExportRequest{Unit: "区住建局"})
	e.once(t)
	texts, files := e.sent(t)
	var progress []string
	for _, s := range texts {
		if strings.Contains(s, "已完成") {
			progress = append(progress, s)
		}
	}
	if len(progress) == 0 || len(files) != 1 {
		t.Fatalf("progress %q, files %v", progress, files)
	}
	for _, s := range progress {
		if !strings.Contains(s, " / 2000 件") || strings.Contains(s, "4000") {
			t.Errorf("progress %q, want it out of the unit's 2000", s)
		}
	}
	x, err := excelize.OpenReader(bytes.NewReader(e.up.files["file_信访台账-2026-03-16-区住建局-脱敏.xlsx"]))
	if err != nil {
		t.Fatalf("%v (files %v)", err, files)
	}
	defer x.Close()
	rows, _ := x.GetRows("进展")
	if len(rows) != 2 || rows[1][4] != "已电话联系张某（199****1234），身份证[身份证号]已核对" {
		t.Errorf("进展 sheet %q", rows)
	}
}
