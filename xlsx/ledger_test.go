package xlsx_test

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/xlsx"
	"github.com/xuri/excelize/v2"
)

var (
	cst   = time.FixedZone("CST", 8*3600)
	today = xfbot.NewDate(2026, 3, 16)
)

// longText is 1000 runes (xfbot.MaxTextRunes) with emoji, some outside the
// Basic Multilingual Plane (two UTF-16 units each in the file).
var longText = strings.Repeat("已约谈😀开发商👍。，", 100)

type entry struct {
	c    *xfbot.Case
	prog []xfbot.Progress
}

func fixture() []entry {
	at := func(d, h int) time.Time { return time.Date(2026, 1, d, h, 30, 0, 0, time.UTC) }
	wang := xfbot.Person{OpenID: "ou_wang", Name: "王五"}
	return []entry{
		{&xfbot.Case{
			No: "XF-2026-0001", Title: "某小区回迁安置房延期交付", Category: "land_demolition", Unit: "区住建局", Area: "云溪街道",
			Petitioner: xfbot.Petitioner{Name: "张建国", Phone: "13812345678", IDCard: "99000019650312001X"},
			Owner:      xfbot.Person{OpenID: "ou_li", Name: "李四"}, Leader: xfbot.Person{OpenID: "ou_zhou", Name: "周某"},
			Screening: xfbot.ScreenPartly, Hardship: true, Tags: []xfbot.Tag{xfbot.TagBacklog, xfbot.TagKey},
			Status: xfbot.StatusHandling, AcceptedOn: xfbot.NewDate(2026, 1, 19), Due: xfbot.NewDate(2026, 3, 20),
			CreatedBy: wang, CreatedAt: at(19, 1), UpdatedAt: at(25, 2), LastProgressAt: at(24, 3), LastContactAt: at(24, 3), Progresses: 3,
		}, []xfbot.Progress{
			{At: at(20, 1), Author: wang, Kind: xfbot.KindProgress, Text: "已联系开发商"},
			{At: at(24, 3), Author: xfbot.Person{OpenID: "ou_li"}, Kind: xfbot.KindVisit, Text: "上门走访，当面沟通"},
			{At: at(25, 2), Author: wang, Kind: xfbot.KindSystem, Text: "期限调整"},
		}},
		{&xfbot.Case{
			No: "XF-2026-0002", Title: "举报某村干部侵占补偿款", Category: "rural_agri", Unit: "区农业农村局", Area: "青石镇",
			Petitioner: xfbot.Petitioner{Name: "欧阳娜娜", Phone: "13900001111", IDCard: "990000198001010022"}, Accusation: true,
			Status: xfbot.StatusMonitoring, AcceptedOn: xfbot.NewDate(2025, 12, 1), Due: xfbot.NewDate(2026, 3, 1),
			ExtensionDays: 30, ExtensionReason: "需调取历年账目",
			Pauses:    []xfbot.Pause{{From: xfbot.NewDate(2026, 1, 5), To: xfbot.NewDate(2026, 1, 9), Reason: "听证"}, {From: xfbot.NewDate(2026, 3, 10), Reason: "鉴定"}},
			CreatedAt: at(2, 9),
		}, nil},
		{&xfbot.Case{
			No: "XF-2026-0003", Title: "欠薪", Category: "labor_social", Unit: "区人社局",
			Status: xfbot.StatusClosed, AcceptedOn: xfbot.NewDate(2026, 1, 3), Due: xfbot.NewDate(2026, 3, 4),
			Result: "已足额支付", ResolvedOn: xfbot.NewDate(2026, 2, 1), ClosedOn: xfbot.NewDate(2026, 2, 3), CreatedAt: at(3, 9),
		}, []xfbot.Progress{
			{At: at(4, 1), Author: wang, Kind: xfbot.KindProgress, Text: longText},
			{At: at(5, 1), Author: wang, Kind: xfbot.KindProgress, Text: "=1+1"},
			{At: at(6, 1), Author: wang, Kind: xfbot.KindResolve, Text: "控制\x01字符"},
		}},
	}
}

func from(es []entry) func(func(*xfbot.Case, []xfbot.Progress) error) error {
	return func(yield func(*xfbot.Case, []xfbot.Progress) error) error {
		for _, e := range es {
			if err := yield(e.c, e.prog); err != nil {
				return err
			}
		}
		return nil
	}
}

func baseOptions() xlsx.Options {
	return xlsx.Options{Audience: xfbot.GroupAudience, Today: today, Thresholds: xfbot.DefaultThresholds, Location: cst,
		Title: "信访积案化解台账（2026-03）",
		Stats: [][]string{{"单位", "案件数", "化解率"}, {"区住建局", "12", "85.5%"}, {"编号", "007", "-2.5"}}}
}

// write runs WriteLedger and opens the result.
func write(t *testing.T, opt xlsx.Options, es []entry) (*excelize.File, int) {
	t.Helper()
	var buf bytes.Buffer
	n, err := xlsx.WriteLedger(&buf, opt, from(es))
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatalf("the workbook does not open: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	return f, n
}

// ledgerRows maps the data rows of 台账 by case number and header.
func ledgerRows(t *testing.T, f *excelize.File, headerRow int) map[string]map[string]string {
	t.Helper()
	rows, err := f.GetRows(xlsx.SheetLedger)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) < headerRow {
		t.Fatalf("台账 has %d rows", len(rows))
	}
	header := rows[headerRow-1]
	if want := xlsx.LedgerHeader(); !slices.Equal(header, want) {
		t.Fatalf("header %q, want %q", header, want)
	}
	out := map[string]map[string]string{}
	for _, r := range rows[headerRow:] {
		m := map[string]string{}
		for i, v := range r {
			m[header[i]] = v
		}
		out[m["案件号"]] = m
	}
	return out
}

func TestWriteLedger(t *testing.T) {
	t.Run("HeaderLayoutAndStyles", func(t *testing.T) {
		f, n := write(t, baseOptions(), fixture())
		if n != 3 {
			t.Errorf("n = %d, want 3", n)
		}
		if got, want := f.GetSheetList(), []string{"台账", "进展", "统计"}; !slices.Equal(got, want) {
			t.Errorf("sheets %q, want %q", got, want)
		}
		if f.GetActiveSheetIndex() != 0 {
			t.Errorf("active sheet %d, want 台账", f.GetActiveSheetIndex())
		}
		if v, _ := f.GetCellValue("台账", "A1"); v != "信访积案化解台账（2026-03）" {
			t.Errorf("A1 = %q, want the title", v)
		}
		merged, _ := f.GetMergeCells("台账")
		end, _ := excelize.CoordinatesToCellName(len(xlsx.LedgerHeader()), 1)
		if len(merged) != 1 || merged[0].GetStartAxis() != "A1" || merged[0].GetEndAxis() != end {
			t.Errorf("merged %v, want the title across A1:%s", merged, end)
		}
		for _, sheet := range []struct {
			name         string
			xSplit, ySpl int
		}{{"台账", 2, 2}, {"进展", 0, 1}, {"统计", 0, 1}} {
			p, err := f.GetPanes(sheet.name)
			if err != nil || !p.Freeze || p.XSplit != sheet.xSplit || p.YSplit != sheet.ySpl {
				t.Errorf("%s panes %+v (%v), want frozen %d×%d", sheet.name, p, err, sheet.xSplit, sheet.ySpl)
			}
		}
		for _, cell := range []struct{ sheet, ref string }{{"台账", "A2"}, {"台账", "AG2"}, {"进展", "E1"}, {"统计", "C1"}} {
			id, _ := f.GetCellStyle(cell.sheet, cell.ref)
			st, err := f.GetStyle(id)
			if err != nil || st.Font == nil || !st.Font.Bold || len(st.Fill.Color) == 0 {
				t.Errorf("%s!%s style %d %+v: want the bold, filled header", cell.sheet, cell.ref, id, st)
			}
		}
		if id, _ := f.GetCellStyle("台账", "C3"); id != 0 {
			t.Errorf("a data cell has style %d: no per-cell styles", id)
		}
		if w, _ := f.GetColWidth("台账", "C"); w < 20 {
			t.Errorf("标题 column width %v", w)
		}
		if w, _ := f.GetColWidth("进展", "E"); w < 50 {
			t.Errorf("内容 column width %v", w)
		}
		if p, _ := f.GetDocProps(); p.Title != "信访积案化解台账（2026-03）" {
			t.Errorf("document title %q", p.Title)
		}
		for _, ref := range []string{"A3", "AC3"} { // 序号, 进展条数
			if ty, _ := f.GetCellType("台账", ref); ty != excelize.CellTypeNumber && ty != excelize.CellTypeUnset {
				t.Errorf("%s is of type %v, want a number", ref, ty)
			}
		}
	})

	t.Run("MaskedByAudience", func(t *testing.T) {
		f, _ := write(t, baseOptions(), fixture())
		rows := ledgerRows(t, f, 2)
		r1, r2, r3 := rows["XF-2026-0001"], rows["XF-2026-0002"], rows["XF-2026-0003"]
		want1 := map[string]string{
			"序号": "1", "标题": "某小区回迁安置房延期交付", "类别": "征地拆迁", "主责单位": "区住建局", "属地": "云溪街道",
			"信访人": "张某", "联系电话": "138****5678", "身份证号": "", "检举控告": "", "包案人": "李四", "包案领导": "周某",
			"甄别": "部分合理", "困难诉求": "是", "标签": "积案、重点", "状态": "办理中", "受理日期": "2026-01-19",
			"办结期限": "2026-03-20", "延期天数": "", "预警": "临期", "剩余天数": "4", "登记人": "王五",
			"登记时间": "2026-01-19 09:30", "最近进展时间": "2026-01-24 11:30", "最近接触时间": "2026-01-24 11:30",
			"进展条数": "3", "最近进展": "上门走访，当面沟通", "更新时间": "2026-01-25 10:30",
		}
		for k, v := range want1 {
			if r1[k] != v {
				t.Errorf("case 1 %s = %q, want %q", k, r1[k], v)
			}
		}
		want2 := map[string]string{
			"序号": "2", "信访人": "匿名信访人", "联系电话": "", "身份证号": "", "检举控告": "是",
			"甄别": "未甄别", "困难诉求": "", "状态": "稳控中", "延期天数": "30", "延期理由": "需调取历年账目",
			"预警": "超期", "剩余天数": "-15", "进展条数": "0", "最近进展": "",
			"计时暂停": "2026-01-05至2026-01-09 听证；2026-03-10起（暂停中） 鉴定",
		}
		for k, v := range want2 {
			if r2[k] != v {
				t.Errorf("case 2 %s = %q, want %q", k, r2[k], v)
			}
		}
		want3 := map[string]string{
			"状态": "已销号", "预警": "", "剩余天数": "", "化解结果": "已足额支付", "化解日期": "2026-02-01",
			"销号日期": "2026-02-03", "信访人": "", "联系电话": "", "最近进展": "控制\uFFFD字符",
		}
		for k, v := range want3 {
			if r3[k] != v {
				t.Errorf("case 3 %s = %q, want %q", k, r3[k], v)
			}
		}
	})

	t.Run("FullExport", func(t *testing.T) {
		opt := baseOptions()
		opt.Audience = xfbot.Audience{Full: true}
		f, _ := write(t, opt, fixture())
		rows := ledgerRows(t, f, 2)
		for no, want := range map[string][3]string{
			"XF-2026-0001": {"张建国", "13812345678", "99000019650312001X"},
			"XF-2026-0002": {"欧阳娜娜", "13900001111", "990000198001010022"},
		} {
			r := rows[no]
			if got := [3]string{r["信访人"], r["联系电话"], r["身份证号"]}; got != want {
				t.Errorf("%s petitioner %q, want %q", no, got, want)
			}
		}
	})

	t.Run("AdminInPrivateSeesLastFourOfID", func(t *testing.T) {
		opt := baseOptions()
		opt.Audience = xfbot.Audience{Role: xfbot.RoleAdmin}
		f, _ := write(t, opt, fixture())
		if r := ledgerRows(t, f, 2)["XF-2026-0001"]; r["信访人"] != "张建国" || r["身份证号"] != "**************001X" {
			t.Errorf("admin sees %q %q", r["信访人"], r["身份证号"])
		}
	})

	t.Run("WholeTimeline", func(t *testing.T) {
		f, _ := write(t, baseOptions(), fixture())
		rows, err := f.GetRows("进展")
		if err != nil {
			t.Fatal(err)
		}
		want := [][]string{
			xlsx.ProgressHeader(),
			{"XF-2026-0001", "2026-01-20 09:30", "进展", "王五", "已联系开发商"},
			{"XF-2026-0001", "2026-01-24 11:30", "下访", "ou_li", "上门走访，当面沟通"},
			{"XF-2026-0001", "2026-01-25 10:30", "记录", "王五", "期限调整"},
			{"XF-2026-0003", "2026-01-04 09:30", "进展", "王五", longText},
			{"XF-2026-0003", "2026-01-05 09:30", "进展", "王五", "=1+1"},
			{"XF-2026-0003", "2026-01-06 09:30", "化解", "王五", "控制\uFFFD字符"},
		}
		if len(rows) != len(want) {
			t.Fatalf("进展 has %d rows, want %d", len(rows), len(want))
		}
		for i := range want {
			if !slices.Equal(rows[i], want[i]) {
				t.Errorf("进展 row %d = %q, want %q", i+1, rows[i], want[i])
			}
		}
		if n := len([]rune(rows[4][4])); n != 1000 {
			t.Errorf("the long entry came back with %d runes, want 1000", n)
		}
		if formula, _ := f.GetCellFormula("进展", "E6"); formula != "" {
			t.Errorf("text became the formula %q", formula)
		}
	})

	t.Run("StatsAsGiven", func(t *testing.T) {
		f, _ := write(t, baseOptions(), fixture())
		rows, _ := f.GetRows("统计")
		if want := baseOptions().Stats; len(rows) != 3 || !slices.Equal(rows[0], want[0]) || !slices.Equal(rows[1], want[1]) || !slices.Equal(rows[2], want[2]) {
			t.Errorf("统计 %q, want %q", rows, want)
		}
		for ref, number := range map[string]bool{"B2": true, "C2": false, "B3": false, "C3": true, "A2": false} {
			ty, _ := f.GetCellType("统计", ref)
			if isNum := ty == excelize.CellTypeNumber || ty == excelize.CellTypeUnset; isNum != number {
				t.Errorf("统计!%s type %v, number: %v", ref, ty, number)
			}
		}
	})

	t.Run("NoTitle", func(t *testing.T) {
		opt := baseOptions()
		opt.Title, opt.Stats = "", nil
		f, _ := write(t, opt, fixture())
		if r := ledgerRows(t, f, 1)["XF-2026-0003"]; r["序号"] != "3" {
			t.Errorf("row of case 3: %v", r)
		}
		if p, _ := f.GetPanes("台账"); p.YSplit != 1 {
			t.Errorf("panes %+v, want the header frozen at row 1", p)
		}
		if rows, _ := f.GetRows("统计"); len(rows) != 0 {
			t.Errorf("统计 without stats: %q", rows)
		}
	})

	t.Run("ZeroCases", func(t *testing.T) {
		f, n := write(t, baseOptions(), nil)
		if n != 0 {
			t.Errorf("n = %d", n)
		}
		if rows := ledgerRows(t, f, 2); len(rows) != 0 {
			t.Errorf("data rows %v", rows)
		}
		if rows, _ := f.GetRows("进展"); len(rows) != 1 || !slices.Equal(rows[0], xlsx.ProgressHeader()) {
			t.Errorf("进展 %q, want the header alone", rows)
		}
		if got := f.GetSheetList(); !slices.Equal(got, []string{"台账", "进展", "统计"}) {
			t.Errorf("sheets %q", got)
		}
	})

	t.Run("ProgressCallback", func(t *testing.T) {
		var es []entry
		for i := 1; i <= 2500; i++ {
			es = append(es, entry{c: &xfbot.Case{No: xfbot.FormatCaseNo(2026, i), Title: "t", Status: xfbot.StatusHandling}})
		}
		var calls []int
		opt := baseOptions()
		opt.Progress = func(done int) { calls = append(calls, done) }
		f, n := write(t, opt, es)
		if n != 2500 || !slices.Equal(calls, []int{1000, 2000}) {
			t.Errorf("n = %d, progress calls %v, want 2500 and [1000 2000]", n, calls)
		}
		if v, _ := f.GetCellValue("台账", "B2502"); v != "XF-2026-2500" {
			t.Errorf("last row B2502 = %q", v)
		}
	})

	t.Run("EachFailsNothingWritten", func(t *testing.T) {
		var buf bytes.Buffer
		boom := errors.New("redis gone")
		n, err := xlsx.WriteLedger(&buf, baseOptions(), func(yield func(*xfbot.Case, []xfbot.Progress) error) error {
			if err := from(fixture())(yield); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) || n != 0 || buf.Len() != 0 {
			t.Errorf("n = %d, err = %v, %d bytes written; want redis gone and nothing", n, err, buf.Len())
		}
	})

	t.Run("TimelineContinuesOnNextSheet", func(t *testing.T) {
		defer xlsx.SetMaxRows(5)()
		es := fixture()
		es[1].prog = es[0].prog // 3 + 3 + 3 entries, 4 per sheet under a header
		f, _ := write(t, baseOptions(), es)
		if got, want := f.GetSheetList(), []string{"台账", "进展", "进展2", "进展3", "统计"}; !slices.Equal(got, want) {
			t.Fatalf("sheets %q, want %q", got, want)
		}
		var all []string
		for _, s := range []string{"进展", "进展2", "进展3"} {
			rows, _ := f.GetRows(s)
			if !slices.Equal(rows[0], xlsx.ProgressHeader()) {
				t.Errorf("%s header %q", s, rows[0])
			}
			for _, r := range rows[1:] {
				all = append(all, r[0])
			}
		}
		if want := []string{"XF-2026-0001", "XF-2026-0001", "XF-2026-0001", "XF-2026-0002", "XF-2026-0002", "XF-2026-0002", "XF-2026-0003", "XF-2026-0003", "XF-2026-0003"}; !slices.Equal(all, want) {
			t.Errorf("timeline across sheets %q", all)
		}
	})

	t.Run("WriteErrorIgnoredByEachStillFails", func(t *testing.T) {
		defer xlsx.SetMaxRows(4)()
		var buf bytes.Buffer
		calls := 0
		_, err := xlsx.WriteLedger(&buf, baseOptions(), func(yield func(*xfbot.Case, []xfbot.Progress) error) error {
			for _, e := range fixture() {
				calls++
				_ = yield(e.c, e.prog) // a careless caller
			}
			return nil
		})
		if err == nil || !strings.Contains(err.Error(), "XF-2026-0003") || buf.Len() != 0 || calls != 3 {
			t.Errorf("err = %v, %d bytes after %d calls: want the refusal of case 3 and nothing written", err, buf.Len(), calls)
		}
	})

	t.Run("LedgerBeyondExcelIsAnError", func(t *testing.T) {
		defer xlsx.SetMaxRows(4)()
		var buf bytes.Buffer
		_, err := xlsx.WriteLedger(&buf, baseOptions(), from(fixture()))
		if err == nil || !strings.Contains(err.Error(), "XF-2026-0003") || buf.Len() != 0 {
			t.Errorf("err = %v, %d bytes: want the third case refused and nothing written", err, buf.Len())
		}
	})
}

// TestWriteLedgerScrubsFreeText: in a masked export the free text carries no
// phone, ID number or petitioner's name whole, whichever column it is in; a
// full export keeps it as written.
func TestWriteLedgerScrubsFreeText(t *testing.T) {
	at := time.Date(2026, 2, 1, 1, 0, 0, 0, time.UTC)
	wang := xfbot.Person{OpenID: "ou_wang", Name: "王五"}
	fx := func() []entry {
		return []entry{
			{&xfbot.Case{
				No: "XF-2026-0012", Title: "何春明反映拆迁补偿（电话13987654321）", Unit: "区住建局", Area: "城关街道",
				Petitioner: xfbot.Petitioner{Name: "何春明", Phone: "13987654321", IDCard: "99000019650312001X"},
				Status:     xfbot.StatusResolved, AcceptedOn: xfbot.NewDate(2026, 1, 19), Due: xfbot.NewDate(2026, 3, 20),
				ExtensionDays: 30, ExtensionReason: "何春明要求鉴定，座机0755-88881234",
				Pauses: []xfbot.Pause{{From: xfbot.NewDate(2026, 1, 25), To: xfbot.NewDate(2026, 1, 28), Reason: "何春明住院"}},
				Result: "与何春明签订协议，身份证990000 19650312 001X已核对", ResolvedOn: xfbot.NewDate(2026, 2, 1), CreatedAt: at,
			}, []xfbot.Progress{
				{At: at, Author: wang, Kind: xfbot.KindVisit, Text: "已电话联系何春明（13987654321），案件 XF-2026-0012 补偿13812345元"},
			}},
			{&xfbot.Case{
				No: "XF-2026-0013", Title: "举报拆迁款被截留", Unit: "区住建局", Accusation: true,
				Petitioner: xfbot.Petitioner{Name: "欧阳娜娜", Phone: "13900001111"},
				Status:     xfbot.StatusHandling, AcceptedOn: xfbot.NewDate(2026, 1, 19), Due: xfbot.NewDate(2026, 3, 20), CreatedAt: at,
			}, []xfbot.Progress{
				{At: at, Author: wang, Kind: xfbot.KindProgress, Text: "欧阳娜娜补充材料，手机 139 0000 1111"},
			}},
		}
	}
	cells := func(t *testing.T, opt xlsx.Options) (map[string]map[string]string, []string) {
		f, _ := write(t, opt, fx())
		rows, err := f.GetRows("进展")
		if err != nil {
			t.Fatal(err)
		}
		var prog []string
		for _, r := range rows[1:] {
			prog = append(prog, r[len(r)-1])
		}
		return ledgerRows(t, f, 2), prog
	}

	t.Run("Masked", func(t *testing.T) {
		rows, prog := cells(t, baseOptions())
		r := rows["XF-2026-0012"]
		for col, want := range map[string]string{
			"标题":   "何某反映拆迁补偿（电话139****4321）",
			"延期理由": "何某要求鉴定，座机075****1234",
			"化解结果": "与何某签订协议，身份证[身份证号]已核对",
			"最近进展": "已电话联系何某（139****4321），案件 XF-2026-0012 补偿13812345元",
			"计时暂停": "2026-01-25至2026-01-28 何某住院",
		} {
			if r[col] != want {
				t.Errorf("%s = %q, want %q", col, r[col], want)
			}
		}
		want := []string{"已电话联系何某（139****4321），案件 XF-2026-0012 补偿13812345元", "匿名信访人补充材料，手机 [电话]"}
		if !slices.Equal(prog, want) {
			t.Errorf("进展 = %q, want %q", prog, want)
		}
	})

	t.Run("FullAsWritten", func(t *testing.T) {
		opt := baseOptions()
		opt.Audience = xfbot.Audience{Full: true}
		rows, prog := cells(t, opt)
		if got := rows["XF-2026-0012"]["标题"]; got != "何春明反映拆迁补偿（电话13987654321）" {
			t.Errorf("标题 = %q", got)
		}
		if len(prog) != 2 || prog[1] != "欧阳娜娜补充材料，手机 139 0000 1111" {
			t.Errorf("进展 = %q", prog)
		}
	})
}
