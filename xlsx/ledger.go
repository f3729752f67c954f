package xlsx

import (
	"archive/zip"
	"compress/flate"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/qingchuan/xfbot"
	"github.com/xuri/excelize/v2"
)

// Sheet names.
const (
	SheetLedger   = "台账"
	SheetProgress = "进展"
	SheetStats    = "统计"
)

// ProgressEvery is how many cases pass between two calls of Options.Progress.
const ProgressEvery = 1000

// maxRows is Excel's limit of rows per sheet; a var for the tests.
var maxRows = excelize.TotalRows

// Options say how to write a ledger.
type Options struct {
	// Audience masks petitioners' data: the fields via xfbot.MaskPetitioner,
	// the free text (title, progress, result, reasons) via xfbot.MaskText.
	Audience   xfbot.Audience
	Today      xfbot.Date       // the day the warning level (预警) and 剩余天数 are computed for
	Thresholds xfbot.Thresholds // the warning levels' thresholds
	Location   *time.Location   // times are shown in this zone; nil is UTC
	Title      string           // the first row of 台账 and the workbook's title, e.g. 信访积案化解台账（2026-03）
	Stats      [][]string       // the rows of 统计, the first one its header; numbers given as text become numbers
	// Progress, when not nil, is called after every ProgressEvery cases with
	// how many are written (1000, 2000…), not at the end, on the goroutine
	// that calls WriteLedger's each: keep it short.
	Progress func(done int)
}

// column is one column of 台账: its header, width and value.
type column struct {
	title string
	width float64
	value func(r *row) any
}

// row is what a column reads from: the case and what is derived once per case.
type row struct {
	n    int
	c    *xfbot.Case
	prog []xfbot.Progress
	pet  xfbot.Petitioner
	opt  *Options
}

func (r *row) time(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.In(r.opt.Location).Format("2006-01-02 15:04")
}

// scrub masks the personal data in a free text of the row's case for the
// export's audience (xfbot.MaskText); a full export keeps it as written.
func (r *row) scrub(s string) string { return xfbot.MaskText(s, r.c, r.opt.Audience) }

// text is a free text of the row's case, scrubbed, or nil when empty.
func (r *row) text(s string) any { return text(r.scrub(s)) }

func date(d xfbot.Date) any {
	if d.IsZero() {
		return nil
	}
	return d.String()
}

func text(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func yes(b bool) any {
	if b {
		return "是"
	}
	return nil
}

func (r *row) level() xfbot.Level {
	if !r.c.Status.Open() {
		return xfbot.LevelNone
	}
	return r.opt.Thresholds.Level(r.c.Due, r.opt.Today)
}

// latest is the newest entry that records work (not a system entry such as
// an extension), or the newest of all when there is none.
func (r *row) latest() *xfbot.Progress {
	for i := len(r.prog) - 1; i >= 0; i-- {
		if r.prog[i].Kind != xfbot.KindSystem {
			return &r.prog[i]
		}
	}
	if len(r.prog) > 0 {
		return &r.prog[len(r.prog)-1]
	}
	return nil
}

func tagLabels(ts []xfbot.Tag) any {
	if len(ts) == 0 {
		return nil
	}
	ls := make([]string, len(ts))
	for i, t := range ts {
		ls[i] = t.Label()
	}
	return strings.Join(ls, "、")
}

func (r *row) pauseText(ps []xfbot.Pause) any {
	if len(ps) == 0 {
		return nil
	}
	var b strings.Builder
	for i, p := range ps {
		if i > 0 {
			b.WriteString("；")
		}
		b.WriteString(p.From.String())
		if p.To.IsZero() {
			b.WriteString("起（暂停中）")
		} else {
			b.WriteString("至" + p.To.String())
		}
		if p.Reason != "" {
			b.WriteString(" " + r.scrub(p.Reason))
		}
	}
	return b.String()
}

// deflateLevel compresses the workbook: on the ledger's XML, level 5 gives
// the file of the default level 6 in three quarters of the time (100,000
// cases: about 22 MB, under Feishu's 30 MB for a file); BestSpeed would
// be a third larger.
const deflateLevel = 5

func newZipWriter(w io.Writer) excelize.ZipWriter {
	zw := zip.NewWriter(w)
	zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(out, deflateLevel)
	})
	return zw
}

// ledgerColumns are the columns of 台账, in order.
var ledgerColumns = []column{
	{"序号", 6, func(r *row) any { return r.n }},
	{"案件号", 14, func(r *row) any { return string(r.c.No) }},
	{"标题", 32, func(r *row) any { return r.text(r.c.Title) }},
	{"类别", 10, func(r *row) any { return text(r.c.Category.Label()) }},
	{"主责单位", 16, func(r *row) any { return text(r.c.Unit) }},
	{"属地", 12, func(r *row) any { return text(r.c.Area) }},
	{"信访人", 10, func(r *row) any { return text(r.pet.Name) }},
	{"联系电话", 14, func(r *row) any { return text(r.pet.Phone) }},
	{"身份证号", 21, func(r *row) any { return text(r.pet.IDCard) }},
	{"检举控告", 9, func(r *row) any { return yes(r.c.Accusation) }},
	{"包案人", 10, func(r *row) any { return text(r.c.Owner.Display()) }},
	{"包案领导", 10, func(r *row) any { return text(r.c.Leader.Display()) }},
	{"甄别", 10, func(r *row) any { return r.c.Screening.Label() }},
	{"困难诉求", 9, func(r *row) any { return yes(r.c.Hardship) }},
	{"标签", 14, func(r *row) any { return tagLabels(r.c.Tags) }},
	{"状态", 8, func(r *row) any { return r.c.Status.Label() }},
	{"受理日期", 12, func(r *row) any { return date(r.c.AcceptedOn) }},
	{"办结期限", 12, func(r *row) any { return date(r.c.Due) }},
	{"延期天数", 9, func(r *row) any {
		if r.c.ExtensionDays == 0 {
			return nil
		}
		return r.c.ExtensionDays
	}},
	{"延期理由", 20, func(r *row) any { return r.text(r.c.ExtensionReason) }},
	{"预警", 9, func(r *row) any { return text(r.level().Label()) }},
	{"化解结果", 32, func(r *row) any { return r.text(r.c.Result) }},
	{"化解日期", 12, func(r *row) any { return date(r.c.ResolvedOn) }},
	{"销号日期", 12, func(r *row) any { return date(r.c.ClosedOn) }},
	{"登记人", 10, func(r *row) any { return text(r.c.CreatedBy.Display()) }},
	{"登记时间", 17, func(r *row) any { return r.time(r.c.CreatedAt) }},
	{"最近进展时间", 17, func(r *row) any { return r.time(r.c.LastProgressAt) }},
	{"最近接触时间", 17, func(r *row) any { return r.time(r.c.LastContactAt) }},
	{"进展条数", 9, func(r *row) any { return len(r.prog) }},
	{"最近进展", 40, func(r *row) any {
		if p := r.latest(); p != nil {
			return r.text(p.Text)
		}
		return nil
	}},
	{"剩余天数", 9, func(r *row) any {
		if r.level() == xfbot.LevelNone {
			return nil
		}
		return xfbot.DaysLeft(r.c.Due, r.opt.Today)
	}},
	{"计时暂停", 24, func(r *row) any { return r.pauseText(r.c.Pauses) }},
	{"更新时间", 17, func(r *row) any { return r.time(r.c.UpdatedAt) }},
}

// progressColumns are the columns of 进展.
var progressColumns = []struct {
	title string
	width float64
}{{"案件号", 14}, {"时间", 17}, {"类型", 6}, {"记录人", 10}, {"内容", 80}}

// LedgerHeader returns the header of 台账, column by column.
func LedgerHeader() []string {
	out := make([]string, len(ledgerColumns))
	for i, c := range ledgerColumns {
		out[i] = c.title
	}
	return out
}

// ProgressHeader returns the header of 进展.
func ProgressHeader() []string {
	out := make([]string, len(progressColumns))
	for i, c := range progressColumns {
		out[i] = c.title
	}
	return out
}

// writer holds one workbook being written.
type writer struct {
	f      *excelize.File
	opt    Options
	header int // style ids
	title  int

	ledger   *excelize.StreamWriter
	ledgerAt int // last row written

	prog      *excelize.StreamWriter
	progAt    int
	progSheet int // 1 for 进展, 2 for 进展2...

	vals  []any // a row's values, reused: SetRow keeps nothing
	pvals []any
	rw    row
}

// WriteLedger writes the ledger of the cases each yields, in that order, to
// w as an .xlsx workbook (see the package doc for its layout) and returns how
// many cases it holds. each is called once and must call yield for every case
// with its whole timeline, oldest first; it stops when yield returns an
// error and should return that error. When each (or writing) fails, nothing
// is written to w.
func WriteLedger(w io.Writer, opt Options, each func(yield func(c *xfbot.Case, prog []xfbot.Progress) error) error) (int, error) {
	if opt.Location == nil {
		opt.Location = time.UTC
	}
	f := excelize.NewFile()
	defer f.Close() // removes the stream writers' temporary files
	f.SetZipWriter(newZipWriter)
	x := &writer{f: f, opt: opt, vals: make([]any, len(ledgerColumns)), pvals: make([]any, len(progressColumns))}
	x.rw.opt = &x.opt
	if err := x.start(); err != nil {
		return 0, fmt.Errorf("xlsx: %w", err)
	}
	n := 0
	var failed error // once writing failed, every later yield fails too
	err := each(func(c *xfbot.Case, prog []xfbot.Progress) error {
		if failed != nil {
			return failed
		}
		n++
		if err := x.addCase(n, c, prog); err != nil {
			failed = fmt.Errorf("xlsx: case %s: %w", c.No, err)
			return failed
		}
		if opt.Progress != nil && n%ProgressEvery == 0 {
			opt.Progress(n)
		}
		return nil
	})
	if err == nil {
		err = failed // each ignored yield's error
	}
	if err != nil {
		return 0, err
	}
	if err := x.finish(w); err != nil {
		return 0, fmt.Errorf("xlsx: %w", err)
	}
	return n, nil
}

func (x *writer) start() error {
	var err error
	if x.header, err = x.f.NewStyle(&excelize.Style{
		Font:      &excelize.Font{Bold: true, Size: 11},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"#DDEBF7"}},
		Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true},
		Border: []excelize.Border{{Type: "left", Color: "#9BA7B4", Style: 1}, {Type: "right", Color: "#9BA7B4", Style: 1},
			{Type: "top", Color: "#9BA7B4", Style: 1}, {Type: "bottom", Color: "#9BA7B4", Style: 1}},
	}); err != nil {
		return err
	}
	if x.title, err = x.f.NewStyle(&excelize.Style{
		Font:      &excelize.Font{Bold: true, Size: 16},
		Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center"},
	}); err != nil {
		return err
	}
	if err := x.f.SetSheetName("Sheet1", SheetLedger); err != nil {
		return err
	}
	if _, err := x.f.NewSheet(SheetProgress); err != nil {
		return err
	}
	if x.opt.Title != "" {
		if err := x.f.SetDocProps(&excelize.DocProperties{Title: x.opt.Title, Creator: "xfbot"}); err != nil {
			return err
		}
	}

	// 台账: widths and panes go before the first row.
	if x.ledger, err = x.f.NewStreamWriter(SheetLedger); err != nil {
		return err
	}
	for i, c := range ledgerColumns {
		if err := x.ledger.SetColWidth(i+1, i+1, c.width); err != nil {
			return err
		}
	}
	headerRow := 1
	if x.opt.Title != "" {
		headerRow = 2
	}
	top := "C" + strconv.Itoa(headerRow+1)
	if err := x.ledger.SetPanes(&excelize.Panes{Freeze: true, XSplit: 2, YSplit: headerRow, TopLeftCell: top,
		ActivePane: "bottomRight", Selection: []excelize.Selection{{SQRef: top, ActiveCell: top, Pane: "bottomRight"}}}); err != nil {
		return err
	}
	if x.opt.Title != "" {
		last, _ := excelize.CoordinatesToCellName(len(ledgerColumns), 1)
		if err := x.ledger.MergeCell("A1", last); err != nil {
			return err
		}
		if err := x.ledger.SetRow("A1", []any{excelize.Cell{StyleID: x.title, Value: x.opt.Title}}, excelize.RowOpts{Height: 30}); err != nil {
			return err
		}
	}
	if err := x.headerRow(x.ledger, headerRow, LedgerHeader()); err != nil {
		return err
	}
	x.ledgerAt = headerRow

	return x.newProgressSheet()
}

// newProgressSheet starts 进展, or 进展N once the previous one is full.
func (x *writer) newProgressSheet() error {
	x.progSheet++
	name := SheetProgress
	if x.progSheet > 1 {
		if err := x.prog.Flush(); err != nil {
			return err
		}
		name += strconv.Itoa(x.progSheet)
		if _, err := x.f.NewSheet(name); err != nil {
			return err
		}
	}
	var err error
	if x.prog, err = x.f.NewStreamWriter(name); err != nil {
		return err
	}
	for i, c := range progressColumns {
		if err := x.prog.SetColWidth(i+1, i+1, c.width); err != nil {
			return err
		}
	}
	if err := x.prog.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: "A2", ActiveCell: "A2", Pane: "bottomLeft"}}}); err != nil {
		return err
	}
	x.progAt = 1
	return x.headerRow(x.prog, 1, ProgressHeader())
}

func (x *writer) headerRow(sw *excelize.StreamWriter, at int, titles []string) error {
	vals := make([]any, len(titles))
	for i, t := range titles {
		vals[i] = excelize.Cell{StyleID: x.header, Value: t}
	}
	return sw.SetRow("A"+strconv.Itoa(at), vals, excelize.RowOpts{Height: 22})
}

func (x *writer) addCase(n int, c *xfbot.Case, prog []xfbot.Progress) error {
	x.rw = row{n: n, c: c, prog: prog, pet: xfbot.MaskPetitioner(c, x.opt.Audience), opt: &x.opt}
	for i, col := range ledgerColumns {
		x.vals[i] = col.value(&x.rw)
	}
	if x.ledgerAt >= maxRows {
		return fmt.Errorf("台账超过 Excel 单表上限 %d 行，请按月份或单位分批导出", maxRows)
	}
	x.ledgerAt++
	if err := x.ledger.SetRow("A"+strconv.Itoa(x.ledgerAt), x.vals); err != nil {
		return err
	}
	for _, p := range prog {
		if x.progAt >= maxRows {
			if err := x.newProgressSheet(); err != nil {
				return err
			}
		}
		x.pvals[0] = string(c.No)
		x.pvals[1] = x.rw.time(p.At)
		x.pvals[2] = text(p.Kind.Label())
		x.pvals[3] = text(p.Author.Display())
		x.pvals[4] = x.rw.text(p.Text)
		x.progAt++
		if err := x.prog.SetRow("A"+strconv.Itoa(x.progAt), x.pvals); err != nil {
			return err
		}
	}
	return nil
}

func (x *writer) finish(w io.Writer) error {
	if err := x.ledger.Flush(); err != nil {
		return err
	}
	if err := x.prog.Flush(); err != nil {
		return err
	}
	if err := x.writeStats(); err != nil {
		return err
	}
	// 台账, the first sheet, is active already. No SetActiveSheet here: it
	// parses every streamed sheet back into memory to mark its tab.
	return x.f.Write(w)
}

// writeStats adds 统计 last, after any 进展N.
func (x *writer) writeStats() error {
	if _, err := x.f.NewSheet(SheetStats); err != nil {
		return err
	}
	sw, err := x.f.NewStreamWriter(SheetStats)
	if err != nil {
		return err
	}
	if len(x.opt.Stats) > 0 {
		widths := map[int]float64{}
		for _, r := range x.opt.Stats {
			for i, s := range r {
				widths[i] = max(widths[i], min(float64(displayWidth(s))+2, 60))
			}
		}
		for i, wd := range widths {
			if err := sw.SetColWidth(i+1, i+1, max(wd, 8)); err != nil {
				return err
			}
		}
		if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft",
			Selection: []excelize.Selection{{SQRef: "A2", ActiveCell: "A2", Pane: "bottomLeft"}}}); err != nil {
			return err
		}
		if err := x.headerRow(sw, 1, x.opt.Stats[0]); err != nil {
			return err
		}
		for i, r := range x.opt.Stats[1:] {
			vals := make([]any, len(r))
			for j, s := range r {
				vals[j] = statValue(s)
			}
			if err := sw.SetRow("A"+strconv.Itoa(i+2), vals); err != nil {
				return err
			}
		}
	}
	return sw.Flush()
}

// plainNumber is a number as people write one in a table: no leading zeros
// (so that "007" stays text), no exponent, no sign but minus.
var plainNumber = regexp.MustCompile(`^-?(0|[1-9][0-9]{0,14})(\.[0-9]{1,6})?$`)

// statValue writes a plain number ("12", "-3", "85.5") as a number, so that
// Excel can sum it and does not flag "number stored as text"; anything else,
// including "007" and "85%", as text.
func statValue(s string) any {
	if s == "" {
		return nil
	}
	if plainNumber.MatchString(s) {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return n
		}
		if v, err := strconv.ParseFloat(s, 64); err == nil {
			return v
		}
	}
	return s
}

// displayWidth counts a CJK character as two columns, as Excel shows it.
func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		if r < 0x1100 {
			n++
		} else {
			n += 2
		}
	}
	return n
}
