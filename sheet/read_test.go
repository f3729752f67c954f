// 虚构数据：本文件中的人名、电话、身份证号、地名均为虚构（petition-domain §5）。
package sheet_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/sheet"
	"github.com/qingchuan/xfbot/xlsx"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// book builds an .xlsx: each sheet's cells by line, from A1.
type sheetSpec struct {
	name  string
	lines [][]any
	merge [][2]string // ranges to merge, e.g. {"F4", "F6"}
}

func book(t testing.TB, sheets ...sheetSpec) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	dateStyle, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range sheets {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", s.name); err != nil {
				t.Fatal(err)
			}
		} else if _, err := f.NewSheet(s.name); err != nil {
			t.Fatal(err)
		}
		for r, line := range s.lines {
			for c, v := range line {
				if v == nil {
					continue
				}
				cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
				if err := f.SetCellValue(s.name, cell, v); err != nil {
					t.Fatal(err)
				}
				if _, ok := v.(time.Time); ok {
					_ = f.SetCellStyle(s.name, cell, cell, dateStyle)
				}
			}
		}
		for _, m := range s.merge {
			if err := f.MergeCell(s.name, m[0], m[1]); err != nil {
				t.Fatal(err)
			}
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func read(t *testing.T, name string, data []byte) *sheet.Book {
	t.Helper()
	b, err := sheet.Read(name, data)
	if err != nil {
		t.Fatalf("Read(%s): %v", name, err)
	}
	return b
}

// TestHeaderVariants: every name of the header table is read as its field,
// in a header that is not on line 1.
func TestHeaderVariants(t *testing.T) {
	for _, h := range sheet.Headers {
		for _, name := range h.Names {
			t.Run(string(h.Field)+"/"+name, func(t *testing.T) {
				title := "信访事项"
				if h.Field == sheet.FTitle {
					title = "信访人" // the other column
				}
				value := "桂园社区回迁安置房延期交付"
				switch h.Field {
				case sheet.FAccepted, sheet.FDue, sheet.FResolvedOn:
					value = "2026-03-16"
				}
				data := book(t, sheetSpec{name: "台账", lines: [][]any{
					{"青川区信访积案化解台账"},
					{},
					{" " + name + " ", title},
					{value, "张某某"},
				}})
				b := read(t, "台账.xlsx", data)
				if len(b.Tables) != 1 || b.Tables[0].HeaderRow != 3 {
					t.Fatalf("tables %+v, want one with its header on line 3", b.Tables)
				}
				col := b.Tables[0].Columns[0]
				want := h.Field
				if h.Field == sheet.FSerial {
					want = sheet.FSerial // taken as 序号; the record's number
				}
				if col.Field != want {
					t.Fatalf("header %q taken as %q (%s), want %q", name, col.Field, col.Note, want)
				}
				r := b.Records[0]
				got := r.Get(h.Field)
				if h.Field == sheet.FSerial {
					got = r.Get(sheet.FNo)
				}
				if got != value {
					t.Errorf("value %q, want %q (record %+v)", got, value, r)
				}
			})
		}
	}
}

func TestHeaderCleaning(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want sheet.Field
	}{
		{"联系电话（手机）", sheet.FPhone},
		{"*信访人", sheet.FPetitioner},
		{"受理\n时间", sheet.FAccepted},
		{"办结期限:", sheet.FDue},
		{"身份证号码【必填】", sheet.FIDCard},
		{"ＮＯ．", sheet.FSerial},
		{"包 案 人", sheet.FOwner},
	} {
		if f, ok := sheet.FieldOf(tc.in); !ok || f != tc.want {
			t.Errorf("FieldOf(%q) = %q, %v; want %q", tc.in, f, ok, tc.want)
		}
	}
	if f, ok := sheet.FieldOf("经办人签字"); ok {
		t.Errorf("FieldOf(经办人签字) = %q, want none", f)
	}
}

// TestOddities: one workbook with every oddity of real ledgers.
func TestOddities(t *testing.T) {
	serial := time.Date(2023, 5, 6, 0, 0, 0, 0, time.UTC) // written as a date cell: a serial
	data := book(t,
		sheetSpec{name: "说明", lines: [][]any{{"本台账为虚构数据"}, {"填表说明：日期写年月日"}}},
		sheetSpec{name: "2023年", lines: [][]any{
			{"青川区信访矛盾化解台账（虚构数据）"},
			{nil, "填报单位：专班办公室"},
			{"序号", "信访人", "联系电话", "身份证号", "信访事项", "属地", "受理时间", "办结期限", "是否化解"},
			{1, "张某某", "１９９０００００１２３", "", "桂园社区回迁安置房延期交付", "云溪街道", serial, "2023.7.5", "否"},
			{2, "李某", "138****5678", "", "工地欠薪", nil, "2023年5月8日", "", "是"},
			{3, "王某某", "19900000124", 990000196503120011.0, "补偿标准比邻村低", nil, "2023/5/9 10:30", "", ""},
			{"合计", "", "", "", "", "", "", "", ""},
			{"序号", "信访人", "联系电话", "身份证号", "信访事项", "属地", "受理时间", "办结期限", "是否化解"},
			{4, "赵某", "", "", "", "", "下周", "", ""},
			{nil, nil, nil, nil, nil, nil, nil, nil, nil},
		}, merge: [][2]string{{"F4", "F7"}}},
		sheetSpec{name: "2024年", lines: [][]any{
			{"编号", "姓名", "反映问题", "所属街镇", "登记日期"},
			{"QC-2024-001", "陈某", "小区噪声扰民", "新港街道", 45300},
		}},
	)
	b := read(t, "青川区台账.xlsx", data)
	if len(b.Tables) != 2 || b.Tables[0].Sheet != "2023年" || b.Tables[1].Sheet != "2024年" {
		t.Fatalf("tables %+v", b.Tables)
	}
	if len(b.Skipped) != 1 || b.Skipped[0].Sheet != "说明" {
		t.Fatalf("skipped %+v, want 说明", b.Skipped)
	}
	if b.Tables[0].HeaderRow != 3 || b.Tables[0].Rows != 4 {
		t.Errorf("2023年: header on %d, %d rows; want 3 and 4 (合计, the repeated header and the blank line are no rows)", b.Tables[0].HeaderRow, b.Tables[0].Rows)
	}
	if len(b.Records) != 5 {
		t.Fatalf("%d records, want 5: %+v", len(b.Records), b.Records)
	}
	r1, r2, r3, r4, r5 := b.Records[0], b.Records[1], b.Records[2], b.Records[3], b.Records[4]
	check := func(r sheet.Record, f sheet.Field, want string) {
		t.Helper()
		if got := r.Get(f); got != want {
			t.Errorf("line %d %s = %q, want %q", r.Line, f, got, want)
		}
	}
	check(r1, sheet.FNo, "1") // 序号 is the number when there is no 编号
	check(r1, sheet.FPhone, "19900000123")
	check(r1, sheet.FAccepted, "2023-05-06")
	check(r1, sheet.FDue, "2023-07-05")
	check(r1, sheet.FArea, "云溪街道")
	check(r2, sheet.FArea, "云溪街道") // merged F4:F7
	check(r3, sheet.FArea, "云溪街道")
	check(r2, sheet.FAccepted, "2023-05-08")
	check(r3, sheet.FAccepted, "2023-05-09")
	check(r2, sheet.FResolved, "是")
	if r1.Line != 4 || r4.Line != 9 {
		t.Errorf("lines %d, %d; want 4 and 9", r1.Line, r4.Line)
	}
	if !r2.PhoneMasked || r2.Get(sheet.FPhone) != "" || len(r2.Problems) != 0 || !strings.Contains(strings.Join(r2.Notes, ""), "脱敏") {
		t.Errorf("masked phone: %+v", r2)
	}
	if len(r3.Problems) != 1 || !strings.Contains(r3.Problems[0], "身份证号被 Excel 存成了数字") {
		t.Errorf("ID as a number: problems %q", r3.Problems)
	}
	if got := strings.Join(r4.Problems, "；"); !strings.Contains(got, "缺少信访事项") || !strings.Contains(got, "受理时间“下周”不是日期") {
		t.Errorf("line 9 problems %q", got)
	}
	check(r5, sheet.FNo, "QC-2024-001")
	check(r5, sheet.FTitle, "小区噪声扰民")
	check(r5, sheet.FAccepted, "2024-01-09") // serial 45300
	if r5.Sheet != "2024年" || !b.Several() || r5.Where(true) != "“2024年”第 2 行" {
		t.Errorf("record 5 is %s (%s)", r5.Where(true), r5.Sheet)
	}
	if r1.Fingerprint() == r3.Fingerprint() || r1.Fingerprint() != r1.Fingerprint() {
		t.Error("fingerprints do not tell the lines apart")
	}
}

func TestMergedHeaderAndSerialBesideNumber(t *testing.T) {
	data := book(t, sheetSpec{name: "台账", lines: [][]any{
		{"序号", "案件编号", "信访事项", "包案", nil, "备注"},
		{1, "XF-2023-0007", "养殖场异味", "周某", "钱某", "虚构"},
		{2, "XF-2023-0008", "河道污染", nil, nil, nil},
	}, merge: [][2]string{{"D1", "E1"}}})
	b := read(t, "a.xlsx", data)
	cols := b.Tables[0].Columns
	if cols[0].Field != sheet.FSerial || !strings.Contains(cols[0].Note, "序号只作行号") {
		t.Errorf("序号 beside 编号: %+v", cols[0])
	}
	if cols[3].Field != "" || cols[4].Field != "" || cols[3].Header != "包案" || cols[4].Header != "包案" {
		t.Errorf("merged unknown header: %+v %+v", cols[3], cols[4])
	}
	if got := b.Records[0].Get(sheet.FNo); got != "XF-2023-0007" {
		t.Errorf("number %q, want the 案件编号", got)
	}
	if got := b.Records[1].Get(sheet.FNote); got != "" {
		t.Errorf("line 3 note %q", got)
	}
}

func TestCSV(t *testing.T) {
	const text = "编号,信访人,电话,诉求,受理时间,办理情况\n" +
		"A-1,张某某,19900000123,\"桂园社区回迁安置房延期交付，多次反映\",2023年5月6日,已约谈开发商\n" +
		"A-2,李某,,工地欠薪,2023.5.8,\n"
	gbk, err := simplifiedchinese.GBK.NewEncoder().String(text)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, data, charset string
	}{
		{"utf8.csv", text, "UTF-8"},
		{"bom.csv", "\xef\xbb\xbf" + text, "UTF-8"},
		{"excel-gbk.csv", gbk, "GB18030"},
		{"tabs.csv", strings.ReplaceAll(strings.ReplaceAll(text, ",", "\t"), "\"桂园社区回迁安置房延期交付，多次反映\"", "桂园社区回迁安置房延期交付，多次反映"), "UTF-8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := read(t, tc.name, []byte(tc.data))
			if b.Format != "csv" || b.Charset != tc.charset || len(b.Records) != 2 {
				t.Fatalf("format %s charset %s, %d records", b.Format, b.Charset, len(b.Records))
			}
			r := b.Records[0]
			if r.Get(sheet.FTitle) != "桂园社区回迁安置房延期交付，多次反映" || r.Get(sheet.FPetitioner) != "张某某" ||
				r.Get(sheet.FAccepted) != "2023-05-06" || r.Get(sheet.FProgress) != "已约谈开发商" || r.Line != 2 {
				t.Errorf("record %+v", r)
			}
			if got := b.Records[1].Get(sheet.FAccepted); got != "2023-05-08" {
				t.Errorf("line 3 accepted %q", got)
			}
		})
	}
}

// TestExportReadsBack: our own export (title line, then the header) is one
// of the variants.
func TestExportReadsBack(t *testing.T) {
	c := &xfbot.Case{No: "XF-2026-0012", Title: "桂园社区回迁安置房延期交付", Category: "land_demolition", Unit: "区住建局", Area: "云溪街道",
		Petitioner: xfbot.Petitioner{Name: "张某某", Phone: "19900000123"}, Status: xfbot.StatusHandling,
		AcceptedOn: xfbot.NewDate(2026, 3, 16), Due: xfbot.NewDate(2026, 5, 15), CreatedAt: time.Date(2026, 3, 16, 9, 0, 0, 0, time.UTC)}
	var buf bytes.Buffer
	_, err := xlsx.WriteLedger(&buf, xlsx.Options{Audience: xfbot.Audience{Full: true}, Today: xfbot.NewDate(2026, 3, 16), Title: "台账（虚构数据）"},
		func(yield func(*xfbot.Case, []xfbot.Progress) error) error {
			return yield(c, []xfbot.Progress{{At: c.CreatedAt, Kind: xfbot.KindProgress, Text: "已约谈开发商"}})
		})
	if err != nil {
		t.Fatal(err)
	}
	b := read(t, "信访台账-2026-03-16-完整.xlsx", buf.Bytes())
	if len(b.Tables) != 1 || b.Tables[0].Sheet != xlsx.SheetLedger {
		t.Fatalf("tables %+v skipped %+v", b.Tables, b.Skipped)
	}
	r := b.Records[0]
	for f, want := range map[sheet.Field]string{
		sheet.FNo: "XF-2026-0012", sheet.FTitle: c.Title, sheet.FUnit: "区住建局", sheet.FArea: "云溪街道",
		sheet.FPetitioner: "张某某", sheet.FPhone: "19900000123", sheet.FAccepted: "2026-03-16", sheet.FDue: "2026-05-15",
		sheet.FResolved: "办理中", sheet.FCategory: "征地拆迁", sheet.FProgress: "已约谈开发商",
	} {
		if got := r.Get(f); got != want {
			t.Errorf("%s = %q, want %q", f, got, want)
		}
	}
}

func TestRefused(t *testing.T) {
	zipped := book(t, sheetSpec{name: "a", lines: [][]any{{"x"}}})
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"empty.xlsx", nil, "是空的"},
		{"old.xls", []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0, 0}, "另存为 .xlsx"},
		{"renamed.xlsx", []byte("just some text"), "不是有效的 .xlsx"},
		{"truncated.xlsx", zipped[:len(zipped)/2], "无法读取"},
		{"garbage.xlsx", append([]byte("PK\x03\x04"), bytes.Repeat([]byte{0xff, 0x00, 0x13}, 300)...), "无法读取"},
		{"photo.png", []byte("\x89PNG\r\n"), "不是表格文件"},
		{"noheader.xlsx", book(t, sheetSpec{name: "统计", lines: [][]any{{"单位", "件数"}, {"区住建局", 3}}}), "信访事项"},
		{"noheader.csv", []byte("a,b\n1,2\n"), "表头应包含"},
		{"broken.csv", []byte("信访事项,信访人\n\"unclosed,x\n\"a\"b\"c"), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := sheet.Read(tc.name, tc.data)
			if tc.want == "" { // lenient: read or refused, never a panic
				if err == nil && b == nil {
					t.Fatal("no book and no error")
				}
				return
			}
			if err == nil {
				t.Fatalf("Read(%s) took the file: %+v", tc.name, b)
			}
			if xfbot.ErrorCode(err) != xfbot.EINVALID || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q (%s), want EINVALID saying %q", err, xfbot.ErrorCode(err), tc.want)
			}
		})
	}
}

func FuzzRead(f *testing.F) {
	f.Add("a.xlsx", book(f, sheetSpec{name: "台账", lines: [][]any{{"信访事项", "信访人"}, {"工地欠薪", "李某"}}, merge: [][2]string{{"A2", "B3"}}}))
	f.Add("a.csv", []byte("信访事项,受理时间\n工地欠薪,45052\n"))
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		b, err := sheet.Read(name, data)
		if err == nil && b == nil {
			t.Fatal("no book and no error")
		}
		if err != nil && xfbot.ErrorCode(err) != xfbot.EINVALID {
			t.Fatalf("error %v is not a user's error", err)
		}
	})
}

func BenchmarkRead10k(b *testing.B) {
	lines := [][]any{{"序号", "信访人", "联系电话", "信访事项", "属地", "责任单位", "受理时间", "办结期限", "办理情况", "是否化解"}}
	for i := 1; i <= 10000; i++ {
		lines = append(lines, []any{i, fmt.Sprintf("张某%d", i), fmt.Sprintf("1990000%04d", i), fmt.Sprintf("虚构事项 %d", i), "云溪街道", "区住建局",
			45000 + i%300, "2023.7.5", "已约谈", "否"})
	}
	data := book(b, sheetSpec{name: "台账", lines: lines})
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		bk, err := sheet.Read("a.xlsx", data)
		if err != nil || len(bk.Records) != 10000 {
			b.Fatal(err)
		}
	}
}
