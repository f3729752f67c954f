package report

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/bot"
	"github.com/qingchuan/xfbot/store"
	"github.com/qingchuan/xfbot/xlsx"
)

// MaxFileBytes is Feishu's limit on an uploaded file (im/v1/files): 30 MB.
const MaxFileBytes = 30 << 20

// Uploader puts a file where a file message can name it (Feishu's
// im/v1/files; a directory for the console) and returns its key.
type Uploader interface {
	Upload(ctx context.Context, name string, r io.Reader) (fileKey string, err error)
}

// Export arguments of a store.TaskExport task.
const (
	ArgMonth = "month" // YYYY-MM: the ledger as it stood that month; "" the whole ledger now
	ArgUnit  = "unit"  // one 主责单位, "" for all
	ArgFull  = "full"  // "1": nothing masked (admins, confirmed and audited)
)

// ExportRequest is what 导出 台账 asks for.
type ExportRequest struct {
	Month *xfbot.Month
	Unit  string
	Full  bool
}

// Args are r as task arguments.
func (r ExportRequest) Args() map[string]string {
	a := map[string]string{}
	if r.Month != nil {
		a[ArgMonth] = r.Month.String()
	}
	if r.Unit != "" {
		a[ArgUnit] = r.Unit
	}
	if r.Full {
		a[ArgFull] = "1"
	}
	return a
}

// ParseExportArgs reads task arguments back.
func ParseExportArgs(a map[string]string) (ExportRequest, error) {
	r := ExportRequest{Unit: a[ArgUnit], Full: a[ArgFull] == "1"}
	if m := a[ArgMonth]; m != "" {
		mm, err := xfbot.ParseMonth(m)
		if err != nil {
			return r, err
		}
		r.Month = &mm
	}
	return r, nil
}

// Describe is the export in words: 2026年3月 区住建局 台账（脱敏）.
func (r ExportRequest) Describe() string {
	var parts []string
	if r.Month != nil {
		parts = append(parts, r.Month.Label())
	} else {
		parts = append(parts, "全部案件")
	}
	if r.Unit != "" {
		parts = append(parts, r.Unit)
	}
	kind := "脱敏"
	if r.Full {
		kind = "完整"
	}
	return strings.Join(parts, " ") + " 台账（" + kind + "）"
}

// FileName is the spreadsheet's name.
func (r ExportRequest) FileName(today xfbot.Date) string {
	name := "信访台账-" + today.String()
	if r.Month != nil {
		name = "信访台账-" + r.Month.String()
	}
	if r.Unit != "" {
		name += "-" + r.Unit
	}
	if r.Full {
		name += "-完整"
	} else {
		name += "-脱敏"
	}
	return name + ".xlsx"
}

// Query is the store's selection of r: a month's ledger holds every case
// registered by the month's end (those signed off before it began are
// dropped as they are read). A unit's ledger holds the cases under every
// name of its record in reg (改名, 合并).
func (r ExportRequest) Query(loc *time.Location, reg *xfbot.Registry) store.ExportQuery {
	var q store.ExportQuery
	if r.Unit != "" {
		q.Units = reg.NamesOf(r.Unit)
	}
	if r.Month != nil {
		q.To = r.Month.Last().AddDays(1).Time(loc)
	}
	return q
}

// Exporter is the worker that runs export tasks: it writes the ledger to a
// temporary file, uploads it, and sends it to the asker as a file message,
// with progress messages for long exports. Every replica may run one; a
// task is taken by one, and one that died with it is taken over.
type Exporter struct {
	Reports  *Reports
	Uploader Uploader
	Consumer string // this worker's name in the consumer group
	Dir      string // for the temporary files; "" = os.TempDir()
	Logger   *slog.Logger
	Now      func() time.Time
	// MinIdle is how long a task may go untouched before another worker
	// takes it over; 0 means 2 minutes. A worker touches its task while it
	// works.
	MinIdle time.Duration
	// ProgressMin is the size from which an export reports its progress in
	// the chat; 0 means 5,000 cases.
	ProgressMin int
	// MaxDeliveries is how often a task that keeps failing (Feishu down)
	// is tried before the asker is told it failed; 0 means 5.
	MaxDeliveries int64
	// Kinds are the bodies of the other kinds of task (an import), run like
	// an export: kept while they run, tried again after a passing failure,
	// the asker told of one for good (Fail, then the reason).
	Kinds map[string]TaskKind
}

// TaskKind is the body of one kind of task.
type TaskKind struct {
	Run  func(ctx context.Context, t store.Task) error
	Fail string // what the asker reads when it failed for good, e.g. "台账导入失败："
}

func (e *Exporter) now() time.Time {
	if e.Now != nil {
		return e.Now()
	}
	return time.Now()
}

func (e *Exporter) minIdle() time.Duration {
	if e.MinIdle > 0 {
		return e.MinIdle
	}
	return 2 * time.Minute
}

func (e *Exporter) log() *slog.Logger {
	if e.Logger == nil {
		return slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return e.Logger
}

// Run takes tasks until ctx ends.
func (e *Exporter) Run(ctx context.Context) error {
	st := e.Reports.Store
	if err := st.EnsureTaskGroup(ctx); err != nil {
		return err
	}
	for ctx.Err() == nil {
		n, err := e.Once(ctx, 5*time.Second)
		if err != nil && ctx.Err() == nil {
			e.log().Error("tasks", "err", err)
			sleepCtx(ctx, 2*time.Second)
		}
		_ = n
	}
	return nil
}

// Once takes one task (a stale one first), waiting up to block, and does
// it. It returns how many tasks it did (0 or 1).
func (e *Exporter) Once(ctx context.Context, block time.Duration) (int, error) {
	st := e.Reports.Store
	es, err := st.ClaimStaleTasks(ctx, e.Consumer, e.minIdle(), 1)
	if err != nil {
		return 0, err
	}
	if len(es) == 0 {
		if es, err = st.ReadTasks(ctx, e.Consumer, 1, block); err != nil {
			return 0, err
		}
	}
	for _, t := range es {
		e.Do(ctx, t)
	}
	return len(es), nil
}

// Do runs one task to its end: on success the result is committed and the
// task acknowledged; on a failure for good (or too many tries) the asker is
// told and the task acknowledged; on a passing failure (Redis, Feishu down)
// the task stays pending for another try.
func (e *Exporter) Do(ctx context.Context, t store.TaskEntry) {
	st := e.Reports.Store
	log := e.log().With("task", t.Task.ID, "kind", t.Task.Kind)
	run, fail := e.export, "台账导出失败："
	if t.Task.Kind != store.TaskExport {
		k, ok := e.Kinds[t.Task.Kind]
		if !ok || k.Run == nil {
			log.Error("unknown task dropped", "stream_id", t.StreamID)
			_ = st.AckTask(ctx, t.StreamID)
			return
		}
		run, fail = guarded(k.Run, e.log()), k.Fail
	}
	// Keep the task ours while it runs.
	work, stop := context.WithCancel(ctx)
	defer stop()
	go func() {
		tick := time.NewTicker(e.minIdle() / 3)
		defer tick.Stop()
		for {
			select {
			case <-work.Done():
				return
			case <-tick.C:
				_ = st.TouchTask(work, e.Consumer, t.StreamID)
			}
		}
	}()
	err := run(work, t.Task)
	switch {
	case err == nil, errors.Is(err, store.ErrDuplicate):
	case permanent(err) || t.Deliveries >= e.maxDeliveries():
		log.Error("task failed", "err", err, "deliveries", t.Deliveries)
		e.tell(ctx, t.Task, fail+userMessage(err)+"。请稍后重试；如仍失败，请联系管理员。")
	default:
		log.Warn("export will be retried", "err", err, "deliveries", t.Deliveries)
		return // stays pending: another try after MinIdle
	}
	if err := st.AckTask(ctx, t.StreamID); err != nil {
		log.Error("ack task", "err", err)
	}
}

// guarded runs a task body, turning a panic into a failure for good.
func guarded(run func(ctx context.Context, t store.Task) error, log *slog.Logger) func(ctx context.Context, t store.Task) error {
	return func(ctx context.Context, t store.Task) (err error) {
		defer func() {
			if r := recover(); r != nil {
				err = &permanentError{msg: "系统内部错误"}
				log.Error("task panic", "kind", t.Kind, "panic", r, "stack", string(debug.Stack()))
			}
		}()
		return run(ctx, t)
	}
}

func (e *Exporter) maxDeliveries() int64 {
	if e.MaxDeliveries > 0 {
		return e.MaxDeliveries
	}
	return 5
}

// tell sends the asker a text message, once per task.
func (e *Exporter) tell(ctx context.Context, t store.Task, text string) {
	tx := e.Reports.Store.NewTx()
	tx.DedupeID = "task:" + t.ID + ":fail"
	tx.Enqueue(textTo(t, "fail", text, e.now()))
	if _, err := e.Reports.Store.Commit(ctx, tx); err != nil && !errors.Is(err, store.ErrDuplicate) {
		e.log().Error("tell", "err", err)
	}
}

func textTo(t store.Task, suffix, text string, now time.Time) store.OutboundMessage {
	return store.OutboundMessage{ID: uuidOf("task:" + t.ID + ":" + suffix), Kind: store.KindSend, ReceiveIDType: "open_id",
		ReceiveID: t.By.OpenID, MsgType: "text", Content: bot.TextContent(text), Text: text, EnqueuedAt: now}
}

// permanentError is a failure that another try would repeat.
type permanentError struct{ msg string }

func (p *permanentError) Error() string { return p.msg }

func permanent(err error) bool {
	var p *permanentError
	if errors.As(err, &p) {
		return true
	}
	var se *bot.SendError
	if errors.As(err, &se) {
		return !se.Retryable()
	}
	var ae *xfbot.Error
	return errors.As(err, &ae)
}

func userMessage(err error) string {
	var p *permanentError
	if errors.As(err, &p) {
		return p.msg
	}
	var ae *xfbot.Error
	if errors.As(err, &ae) {
		return strings.TrimSuffix(ae.Message, "。")
	}
	var se *bot.SendError
	if errors.As(err, &se) {
		return fmt.Sprintf("飞书拒绝了文件（错误码 %d）", se.Code)
	}
	return "系统暂时出错"
}

// export writes, uploads and sends one ledger.
func (e *Exporter) export(ctx context.Context, t store.Task) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &permanentError{msg: "系统内部错误"}
			e.log().Error("export panic", "panic", r, "stack", string(debug.Stack()))
		}
	}()
	st, r := e.Reports.Store, e.Reports
	req, err := ParseExportArgs(t.Args)
	if err != nil {
		return &permanentError{msg: "导出参数无效"}
	}
	if seen, err := st.Seen(ctx, "task:"+t.ID); err != nil || seen {
		return err // done before (a crash after the result): nothing to do
	}
	now := e.now()
	today := xfbot.DateOf(now, r.loc())
	reg, err := st.Registry(ctx)
	if err != nil {
		return err
	}
	q := req.Query(r.loc(), reg)
	total, err := st.EstimateExport(ctx, q) // within the unit: a unit's progress never shows the district's size
	if err != nil {
		return err
	}
	p := xfbot.MonthPeriod(xfbot.MonthOf(today))
	if req.Month != nil {
		p = xfbot.MonthPeriod(*req.Month)
	}
	rep, err := r.Stats(ctx, "", p, today, false)
	if err != nil {
		return err
	}
	if req.Unit != "" {
		var own []xfbot.Figures
		for _, u := range rep.Units {
			if u.Unit == reg.Canonical(req.Unit) {
				own = append(own, u)
			}
		}
		rep.Units = own
	}

	f, err := os.CreateTemp(e.Dir, "xfbot-export-*.xlsx")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	defer f.Close()

	// Masked: as a group would see it, the free text too (xlsx passes it
	// through xfbot.MaskText): a file is easily forwarded.
	aud := xfbot.GroupAudience
	if req.Full {
		aud = xfbot.Audience{Full: true}
	}
	title := "信访积案化解台账（" + req.Describe() + "）"
	var progressErr error
	step, next := max(total/4, 1), 0
	if total >= e.progressMin() {
		next = step
	}
	opt := xlsx.Options{Audience: aud, Today: today, Thresholds: r.thresholds(), Location: r.loc(), Title: title,
		Stats: StatsRows(rep),
		Progress: func(done int) {
			if next == 0 || done < next || done >= total {
				return
			}
			next = (done/step + 1) * step
			tx := st.NewTx()
			tx.DedupeID = fmt.Sprintf("task:%s:p%d", t.ID, done/step)
			text := fmt.Sprintf("正在导出%s：已完成 %d / %d 件（%d%%）……", req.Describe(), done, total, done*100/total)
			tx.Enqueue(textTo(t, fmt.Sprintf("p%d", done/step), text, e.now()))
			if _, err := st.Commit(ctx, tx); err != nil && !errors.Is(err, store.ErrDuplicate) && progressErr == nil {
				progressErr = err
			}
		}}
	n, err := xlsx.WriteLedger(f, opt, func(yield func(*xfbot.Case, []xfbot.Progress) error) error {
		return st.EachCase(ctx, q, store.DefaultExportBatch, func(cs []*xfbot.Case, progs [][]xfbot.Progress) error {
			for i, c := range cs {
				if req.Month != nil && c.Status == xfbot.StatusClosed && !c.ClosedOn.IsZero() && c.ClosedOn.Before(req.Month.First()) {
					continue // signed off before the month began
				}
				if err := yield(c, progs[i]); err != nil {
					return err
				}
			}
			return nil
		})
	})
	if err != nil {
		return err
	}
	if progressErr != nil {
		e.log().Warn("export progress message", "err", progressErr)
	}
	info, err := f.Stat()
	if err != nil {
		return err
	}
	if info.Size() > MaxFileBytes {
		return &permanentError{msg: fmt.Sprintf("文件有 %.1f MB，超过飞书 30 MB 的上限，请按月份或单位分批导出（例如：导出 台账 2026-03 单位:区住建局）", float64(info.Size())/(1<<20))}
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	name := req.FileName(today)
	key, err := e.Uploader.Upload(ctx, name, f)
	if err != nil {
		return err
	}

	tx := st.NewTx()
	tx.DedupeID = "task:" + t.ID
	summary := fmt.Sprintf("%s已生成：共 %d 件案件，文件“%s”（%s）。", req.Describe(), n, name, sizeText(info.Size()))
	if req.Full {
		summary += "本文件含信访人完整个人信息，请妥善保管，不得转发到群聊。"
	} else {
		summary += "信访人姓名、电话已脱敏，不含身份证号；标题、进展等文字中的电话、身份证号和信访人姓名也已遮盖。"
	}
	if n == 0 {
		summary = req.Describe() + "：没有符合条件的案件，已生成空台账。"
	}
	tx.Enqueue(textTo(t, "done", summary, now))
	fileText := "📎 " + name
	if strings.HasPrefix(key, "file://") {
		fileText += "（已保存到 " + strings.TrimPrefix(key, "file://") + "）"
	}
	tx.Enqueue(store.OutboundMessage{ID: uuidOf("task:" + t.ID + ":file"), Kind: store.KindSend, ReceiveIDType: "open_id",
		ReceiveID: t.By.OpenID, MsgType: "file", Content: fileContent(key), Text: fileText, EnqueuedAt: now})
	tx.Audit(store.AuditEntry{At: now, By: t.By, Action: "导出台账", Entity: req.Describe(),
		After: fmt.Sprintf("%d 件，%s", n, name), Via: "task"})
	_, err = st.Commit(ctx, tx)
	return err
}

func sizeText(n int64) string {
	if n < 1<<20 {
		return fmt.Sprintf("%d KB", (n+1023)/1024)
	}
	return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
}

func (e *Exporter) progressMin() int {
	if e.ProgressMin > 0 {
		return e.ProgressMin
	}
	return 5000
}

func fileContent(key string) string {
	return `{"file_key":` + jsonString(key) + `}`
}

func sleepCtx(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

func uuidOf(identity string) string { return store.MessageUUID(identity) }

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
