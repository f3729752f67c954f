package sheet

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/qingchuan/xfbot"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// Field is what a column holds, named by its usual header.
type Field string

// The fields a ledger's columns can be taken for.
const (
	FNo         Field = "编号"   // the sheet's own case number (kept as SheetNo)
	FSerial     Field = "序号"   // a running number: the sheet number only when there is no 编号
	FPetitioner Field = "信访人"  // name
	FPhone      Field = "联系电话" //
	FIDCard     Field = "身份证号" //
	FTitle      Field = "信访事项" // the matter: the case's title
	FCategory   Field = "类别"   //
	FArea       Field = "属地"   // 街镇
	FUnit       Field = "责任单位" // 主责单位
	FLeader     Field = "包案领导" //
	FOwner      Field = "包案人"  //
	FAccepted   Field = "受理时间" //
	FDue        Field = "办结期限" //
	FProgress   Field = "办理情况" // the latest progress
	FResolved   Field = "是否化解" // 是/否, or a status (已化解, 稳控, 办理中)
	FResolvedOn Field = "化解日期" //
	FResult     Field = "化解结果" //
	FScreening  Field = "甄别"   //
	FAccusation Field = "检举控告" // 是: an accusation (never named in a group)
	FNote       Field = "备注"   //
)

// Headers are the names a ledger's columns go by, per field: compared after
// folding full-width characters and removing spaces, stars (必填) and a
// trailing note in brackets (联系电话（手机）). The first name is the one
// shown. Our own export's headers (xlsx/ledger.go) are among them, so that
// an exported ledger reads back.
var Headers = []struct {
	Field Field
	Names []string
}{
	{FNo, []string{"编号", "案件编号", "案件号", "登记编号", "信访件编号", "原编号", "台账编号", "件号", "交办编号"}},
	{FSerial, []string{"序号", "顺序号", "No."}},
	{FPetitioner, []string{"信访人", "姓名", "信访人姓名", "来访人", "反映人", "当事人", "信访人员"}},
	{FPhone, []string{"联系电话", "电话", "手机", "手机号", "手机号码", "联系方式", "电话号码"}},
	{FIDCard, []string{"身份证号", "身份证", "身份证号码", "证件号码", "公民身份号码"}},
	{FTitle, []string{"信访事项", "反映问题", "诉求", "标题", "事项", "主要诉求", "反映事项", "信访内容", "问题概述", "事由", "信访问题", "反映内容"}},
	{FCategory, []string{"类别", "问题类别", "信访类别", "内容类别", "事项类别"}},
	{FArea, []string{"属地", "所属街镇", "街镇", "属地街镇", "所属镇街", "镇街", "所在街镇"}},
	{FUnit, []string{"责任单位", "主责单位", "承办单位", "牵头单位", "主办单位"}},
	{FLeader, []string{"包案领导", "包保领导", "责任领导", "包案区领导"}},
	{FOwner, []string{"包案人", "责任人", "包联人", "专班包联人", "包案干部", "包案责任人"}},
	{FAccepted, []string{"受理时间", "登记日期", "受理日期", "登记时间", "来访时间", "信访日期", "信访时间", "交办时间"}},
	{FDue, []string{"办结期限", "期限", "办理期限", "截止日期", "办结时限"}},
	{FProgress, []string{"办理情况", "进展", "进展情况", "最近进展", "化解进展", "工作进展", "办理进展"}},
	{FResolved, []string{"是否化解", "化解情况", "化解状态", "状态", "办理状态"}},
	{FResolvedOn, []string{"化解日期", "化解时间"}},
	{FResult, []string{"化解结果", "化解措施"}},
	{FScreening, []string{"甄别", "甄别结果", "诉求甄别"}},
	{FAccusation, []string{"检举控告", "是否检举控告"}},
	{FNote, []string{"备注", "说明"}},
}

var headerIndex = func() map[string]Field {
	m := map[string]Field{}
	for _, h := range Headers {
		for _, n := range h.Names {
			if _, dup := m[cleanHeader(n)]; dup {
				panic("sheet: header " + n + " listed twice")
			}
			m[cleanHeader(n)] = h.Field
		}
	}
	return m
}()

// cleanHeader is a header as compared: full-width folded, no spaces, stars
// or colons, lower case, and without a trailing note in brackets.
func cleanHeader(s string) string {
	s = strings.ToLower(xfbot.Normalize(s))
	s = strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\n', '\r', '\t', '*', ':', '\u00a0', '※':
			return -1
		}
		return r
	}, s)
	for _, open := range []string{"(", "【", "["} {
		if i := strings.Index(s, open); i > 0 {
			s = s[:i]
		}
	}
	return s
}

// FieldOf is the field a header names, if any.
func FieldOf(header string) (Field, bool) {
	f, ok := headerIndex[cleanHeader(header)]
	return f, ok
}

// Column is one column of a table and what it was taken for.
type Column struct {
	Letter string // A, B … AA
	Header string // as written (merged headers: the merged value)
	Field  Field  // "" when not taken
	Note   string // why not taken, or how it is read
}

// Table is one sheet read as a ledger.
type Table struct {
	Sheet     string
	HeaderRow int // the header's line, from 1
	Columns   []Column
	Rows      int // data lines read (blank ones not counted)
}

// Skipped is a sheet that holds no ledger.
type Skipped struct {
	Sheet  string
	Reason string
}

// Record is one data line: the cells of the taken columns, cleaned, and the
// problems found reading them. Values are as written (free text is not
// folded); Phone, IDCard and No are folded to half-width.
type Record struct {
	Sheet  string
	Line   int              // the line in its sheet, from 1: what the user finds in Excel
	Values map[Field]string // taken columns with a non-empty value
	// PhoneMasked: the phone was given masked (138****5678) and is kept as
	// unknown.
	PhoneMasked bool
	// Problems make the line unusable; Notes are said and the line taken.
	Problems []string
	Notes    []string
}

// Get is the value of f, "" when absent.
func (r *Record) Get(f Field) string { return r.Values[f] }

// Where is the line for a message: 第 12 行, or 台账 第 12 行 when the book has several sheets.
func (r *Record) Where(several bool) string {
	if several {
		return fmt.Sprintf("“%s”第 %d 行", r.Sheet, r.Line)
	}
	return fmt.Sprintf("第 %d 行", r.Line)
}

// Fingerprint identifies the line's content: equal for the same values,
// whatever the column order or line.
func (r *Record) Fingerprint() string {
	keys := make([]string, 0, len(r.Values))
	for f := range r.Values {
		keys = append(keys, string(f))
	}
	sort.Strings(keys)
	h := sha256.New()
	for _, k := range keys {
		fmt.Fprintf(h, "%s\x00%s\x00", k, r.Values[Field(k)])
	}
	return hex.EncodeToString(h.Sum(nil)[:12])
}

// Book is a file read.
type Book struct {
	Name    string
	Format  string // "xlsx" or "csv"
	Charset string // csv only: "UTF-8" or "GB18030"
	Tables  []Table
	Skipped []Skipped
	Records []Record
	// Digest is the SHA-256 of the file's bytes: the same file imported twice.
	Digest string
}

// Several reports whether records come from more than one sheet.
func (b *Book) Several() bool { return len(b.Tables) > 1 }

// MaxBytes is the largest file Read takes (Feishu lets a chat carry 100 MB;
// a ledger of 10,000 cases is about 1 MB).
const MaxBytes = 20 << 20

// MaxRecords is the most data lines Read takes from one file.
const MaxRecords = 50_000

// headerScan is how many lines from the top may precede the header.
const headerScan = 30

// ExpectedHeaders is the advice given when no header is found.
var ExpectedHeaders = "表头应包含“信访事项”（或 反映问题、诉求、标题），以及 编号（序号）、信访人、联系电话、身份证号、属地、责任单位、包案领导、包案人、受理时间、办结期限、办理情况、是否化解、备注 等列中的若干列"

// Read reads a ledger file. name's extension (or the content) says the
// format: .xlsx, .xlsm or .csv; .xls (Excel 97–2003) and anything else is
// refused with an *xfbot.Error saying how to save the file. A file with no
// sheet that has a ledger header is refused with the expected headers.
// Read never panics on malformed input: it says the file cannot be read.
func Read(name string, data []byte) (b *Book, err error) {
	defer func() {
		if p := recover(); p != nil {
			b, err = nil, xfbot.Errorf(xfbot.EINVALID, "文件“%s”无法读取（文件损坏或不是 Excel 表格）：请用 Excel 或 WPS 打开后另存为 .xlsx 再发送。", xfbot.Clip(name, 40))
			_ = debug.Stack()
		}
	}()
	if len(data) == 0 {
		return nil, xfbot.Errorf(xfbot.EINVALID, "文件“%s”是空的。", xfbot.Clip(name, 40))
	}
	if len(data) > MaxBytes {
		return nil, xfbot.Errorf(xfbot.EINVALID, "文件“%s”有 %.1f MB，超过 %d MB 的上限：请分成几个文件（例如按年度或单位）再发送。", xfbot.Clip(name, 40), float64(len(data))/(1<<20), MaxBytes>>20)
	}
	sum := sha256.Sum256(data)
	b = &Book{Name: name, Digest: hex.EncodeToString(sum[:])}
	ext := strings.ToLower(filepath.Ext(name))
	zipped := bytes.HasPrefix(data, []byte("PK\x03\x04"))
	ole := bytes.HasPrefix(data, []byte{0xD0, 0xCF, 0x11, 0xE0})
	switch {
	case ole || ext == ".xls" || ext == ".et":
		return nil, xfbot.Errorf(xfbot.EINVALID, "“%s”是旧版 Excel（.xls）文件，暂时读不了：请用 Excel 或 WPS 打开，另存为 .xlsx（Excel 工作簿）后再发送。", xfbot.Clip(name, 40))
	case zipped || ext == ".xlsx" || ext == ".xlsm":
		if !zipped {
			return nil, xfbot.Errorf(xfbot.EINVALID, "文件“%s”不是有效的 .xlsx 文件（可能已损坏或只是改了扩展名）：请用 Excel 或 WPS 打开后另存为 .xlsx 再发送。", xfbot.Clip(name, 40))
		}
		b.Format = "xlsx"
		if err := b.readXLSX(data); err != nil {
			return nil, err
		}
	case ext == ".csv" || ext == ".txt" || ext == "":
		b.Format = "csv"
		if err := b.readCSV(data); err != nil {
			return nil, err
		}
	default:
		return nil, xfbot.Errorf(xfbot.EINVALID, "“%s”不是表格文件：请发送 .xlsx 或 .csv 格式的台账。", xfbot.Clip(name, 40))
	}
	if len(b.Tables) == 0 {
		return nil, xfbot.Errorf(xfbot.EINVALID, "文件“%s”里没有找到台账的表头。%s。%s", xfbot.Clip(name, 40), ExpectedHeaders, b.skippedText())
	}
	return b, nil
}

func (b *Book) skippedText() string {
	if len(b.Skipped) == 0 {
		return ""
	}
	var parts []string
	for _, s := range b.Skipped {
		parts = append(parts, "“"+xfbot.Clip(s.Sheet, 20)+"”"+s.Reason)
	}
	return "（" + strings.Join(parts, "；") + "）"
}

func (b *Book) readXLSX(data []byte) error {
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: 200 << 20, UnzipXMLSizeLimit: 100 << 20})
	if err != nil {
		if errors.Is(err, excelize.ErrWorkbookFileFormat) || strings.Contains(err.Error(), "password") {
			return xfbot.Errorf(xfbot.EINVALID, "文件“%s”打不开（可能设置了密码或已损坏）：请取消密码后另存为 .xlsx 再发送。", xfbot.Clip(b.Name, 40))
		}
		return xfbot.Errorf(xfbot.EINVALID, "文件“%s”无法读取（文件损坏或不是 Excel 表格）：请用 Excel 或 WPS 打开后另存为 .xlsx 再发送。", xfbot.Clip(b.Name, 40))
	}
	defer f.Close()
	for _, name := range f.GetSheetList() {
		if vis, err := f.GetSheetVisible(name); err == nil && !vis {
			b.Skipped = append(b.Skipped, Skipped{name, "是隐藏的工作表，未读取"})
			continue
		}
		rows, err := f.GetRows(name, excelize.Options{RawCellValue: true})
		if err != nil {
			b.Skipped = append(b.Skipped, Skipped{name, "无法读取"})
			continue
		}
		merged := map[[2]int]bool{} // cells whose value comes from a merge
		if ms, err := f.GetMergeCells(name, true); err == nil {
			rows = fillMerged(rows, ms, merged)
		}
		numeric := func(line, col int) bool {
			cell, err := excelize.CoordinatesToCellName(col, line)
			if err != nil {
				return false
			}
			t, err := f.GetCellType(name, cell)
			return err == nil && (t == excelize.CellTypeNumber || t == excelize.CellTypeUnset) // a number has no type attribute
		}
		if err := b.readTable(name, rows, merged, numeric); err != nil {
			return err
		}
	}
	return nil
}

// fillMerged gives every cell of a merged range the value of its top-left
// cell, marking the cells filled.
func fillMerged(rows [][]string, ms []excelize.MergeCell, filled map[[2]int]bool) [][]string {
	for _, m := range ms {
		c1, r1, err1 := excelize.CellNameToCoordinates(m.GetStartAxis())
		c2, r2, err2 := excelize.CellNameToCoordinates(m.GetEndAxis())
		if err1 != nil || err2 != nil || r1 < 1 || c1 < 1 || r2 < r1 || c2 < c1 {
			continue
		}
		if r1 > len(rows) {
			continue
		}
		r2 = min(r2, max(len(rows), r1)+0)
		if c2-c1 > 200 || r2-r1 > MaxRecords {
			continue // a merge across a whole sheet: no ledger does that on purpose
		}
		v := ""
		if c1-1 < len(rows[r1-1]) {
			v = rows[r1-1][c1-1]
		}
		if v == "" {
			continue
		}
		for r := r1; r <= r2 && r <= len(rows); r++ {
			for c := c1; c <= c2; c++ {
				if r == r1 && c == c1 {
					continue
				}
				for len(rows[r-1]) < c {
					rows[r-1] = append(rows[r-1], "")
				}
				if rows[r-1][c-1] == "" {
					rows[r-1][c-1] = v
					filled[[2]int{r, c}] = true
				}
			}
		}
	}
	return rows
}

func (b *Book) readCSV(data []byte) error {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	b.Charset = "UTF-8"
	if !utf8.Valid(data) {
		// Excel on a Chinese Windows saves CSV in the ANSI code page, GBK,
		// which GB18030 decodes.
		dec, err := simplifiedchinese.GB18030.NewDecoder().Bytes(data)
		if err != nil || !utf8.Valid(dec) {
			return xfbot.Errorf(xfbot.EINVALID, "CSV 文件“%s”的编码无法识别：请在 Excel 中另存为“CSV UTF-8”或 .xlsx 再发送。", xfbot.Clip(b.Name, 40))
		}
		data, b.Charset = dec, "GB18030"
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	if first, _, _ := bytes.Cut(data, []byte("\n")); bytes.Count(first, []byte("\t")) > bytes.Count(first, []byte(",")) {
		r.Comma = '\t' // "Unicode text" from Excel, named .csv
	}
	var rows [][]string
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return xfbot.Errorf(xfbot.EINVALID, "CSV 文件“%s”格式有误（%s）：请在 Excel 中另存为 .xlsx 再发送。", xfbot.Clip(b.Name, 40), csvWhere(err))
		}
		rows = append(rows, rec)
		if len(rows) > MaxRecords+headerScan {
			break
		}
	}
	name := strings.TrimSuffix(filepath.Base(b.Name), filepath.Ext(b.Name))
	return b.readTable(name, rows, nil, nil)
}

func csvWhere(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return fmt.Sprintf("第 %d 行", pe.Line)
	}
	return "无法解析"
}

// readTable finds a sheet's header and reads its data lines.
//
// numeric, when not nil, tells a cell stored as a number (line and column
// from 1): an ID number so stored has lost its last digits (Excel keeps 15).
func (b *Book) readTable(name string, rows [][]string, merged map[[2]int]bool, numeric func(line, col int) bool) error {
	hr, cols := findHeader(rows)
	if hr < 0 {
		reason := "没有台账表头，未读取"
		if len(rows) == 0 {
			reason = "是空表"
		}
		b.Skipped = append(b.Skipped, Skipped{name, reason})
		return nil
	}
	t := Table{Sheet: name, HeaderRow: hr + 1, Columns: cols}
	hasNo, idCol := false, -1
	for j, c := range cols {
		hasNo = hasNo || c.Field == FNo
		if c.Field == FIDCard {
			idCol = j
		}
	}
	for i := hr + 1; i < len(rows); i++ {
		line := i + 1
		rec := Record{Sheet: name, Line: line, Values: map[Field]string{}}
		own := false // a value not from a merge
		for j, c := range cols {
			if c.Field == "" || j >= len(rows[i]) {
				continue
			}
			v := strings.TrimSpace(strings.ReplaceAll(rows[i][j], "\u00a0", " "))
			if v == "" {
				continue
			}
			if !merged[[2]int{line, j + 1}] {
				own = true
			}
			rec.Values[c.Field] = v
		}
		if !own || repeatedHeader(rec.Values) || totalLine(rec.Values) {
			continue
		}
		if !hasNo {
			if s, ok := rec.Values[FSerial]; ok {
				rec.Values[FNo] = s // 序号 is the sheet's number when there is no 编号
			}
		}
		delete(rec.Values, FSerial)
		if _, ok := rec.Values[FIDCard]; ok && numeric != nil && numeric(line, idCol+1) {
			rec.Values[FIDCard] = "1E+17" // cleaned as the number it is
		}
		clean(&rec)
		t.Rows++
		b.Records = append(b.Records, rec)
		if len(b.Records) > MaxRecords {
			return xfbot.Errorf(xfbot.EINVALID, "文件“%s”超过 %d 行，请分成几个文件再发送。", xfbot.Clip(b.Name, 40), MaxRecords)
		}
	}
	b.Tables = append(b.Tables, t)
	return nil
}

// findHeader is the line among the first headerScan that names the most
// fields, the matter among them, and the columns it names; -1 for none.
func findHeader(rows [][]string) (int, []Column) {
	best, bestN := -1, 0
	for i := 0; i < len(rows) && i < headerScan; i++ {
		n, title := 0, false
		seen := map[Field]bool{}
		for _, cell := range rows[i] {
			if f, ok := FieldOf(cell); ok && !seen[f] {
				seen[f] = true
				n++
				title = title || f == FTitle
			}
		}
		if title && n >= 2 && n > bestN {
			best, bestN = i, n
		}
	}
	if best < 0 {
		return -1, nil
	}
	var cols []Column
	taken := map[Field]string{}
	for j, cell := range rows[best] {
		letter, _ := excelize.ColumnNumberToName(j + 1)
		c := Column{Letter: letter, Header: strings.TrimSpace(cell)}
		f, ok := FieldOf(cell)
		switch {
		case c.Header == "":
			c.Note = "无表头，未读取"
		case !ok:
			c.Note = "未识别，未读取"
		case taken[f] != "":
			c.Note = "与 " + taken[f] + " 列重复，未读取"
		default:
			c.Field, taken[f] = f, letter
		}
		cols = append(cols, c)
	}
	// 编号 and 序号 both: 编号 is the sheet's number, 序号 a running count.
	if taken[FNo] != "" && taken[FSerial] != "" {
		for j := range cols {
			if cols[j].Field == FSerial {
				cols[j].Note = "有“编号”列，序号只作行号"
			}
		}
	}
	return best, cols
}

// repeatedHeader: a header line repeated (a sheet pasted from several).
func repeatedHeader(v map[Field]string) bool {
	t, ok := v[FTitle]
	f, _ := FieldOf(t)
	return ok && f == FTitle
}

// totalLine: 合计, 小计, 总计 lines under a ledger.
func totalLine(v map[Field]string) bool {
	for _, s := range v {
		s = strings.ReplaceAll(s, " ", "")
		if s == "合计" || s == "小计" || s == "总计" {
			return true
		}
	}
	return false
}

// clean folds the numbers and checks what can be checked without the
// ledger's rules: dates, phones, ID numbers stored as numbers.
func clean(r *Record) {
	for _, f := range []Field{FNo, FPhone, FIDCard} {
		if v, ok := r.Values[f]; ok {
			r.Values[f] = strings.TrimSpace(xfbot.Normalize(v))
		}
	}
	if v, ok := r.Values[FNo]; ok {
		r.Values[FNo] = strings.TrimSuffix(v, ".0") // 12 stored as the number 12.0
	}
	if v, ok := r.Values[FPhone]; ok {
		if strings.ContainsAny(v, "*＊xX×") {
			delete(r.Values, FPhone)
			r.PhoneMasked = true
			r.Notes = append(r.Notes, "电话已脱敏，按未知处理")
		} else if strings.ContainsAny(v, "Ee") && strings.Contains(v, "+") {
			delete(r.Values, FPhone)
			r.Problems = append(r.Problems, "电话被 Excel 存成了科学计数法，号码已不完整：请把该列设为“文本”后重新填写")
		}
	}
	if v, ok := r.Values[FIDCard]; ok && strings.ContainsAny(v, "Ee") && strings.Contains(v, "+") {
		delete(r.Values, FIDCard)
		r.Problems = append(r.Problems, "身份证号被 Excel 存成了数字（科学计数法），后几位已丢失：请把该列设为“文本”后重新填写")
	}
	for _, f := range []Field{FAccepted, FDue, FResolvedOn} {
		v, ok := r.Values[f]
		if !ok {
			continue
		}
		d, err := xfbot.ParseSheetDate(v)
		if err != nil {
			delete(r.Values, f)
			r.Problems = append(r.Problems, fmt.Sprintf("%s“%s”不是日期：请写成 2026-03-16、2026.3.16 或 2026年3月16日", f, xfbot.Echo(v, 20)))
			continue
		}
		r.Values[f] = d.String()
	}
	if _, ok := r.Values[FTitle]; !ok {
		r.Problems = append(r.Problems, "缺少信访事项（标题）")
	}
}
