// 虚构数据：本文件中的人名、电话、身份证号、地名均为虚构（petition-domain §5）。
package handlers_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/xuri/excelize/v2"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/bot"
	"github.com/qingchuan/xfbot/handlers"
	"github.com/qingchuan/xfbot/store"
)

// importer drives 导入台账 through the mux and runs its tasks as the worker
// does, with files served by a fake download.
type importer struct {
	*harness
	hd    *handlers.Handlers
	files map[string][]byte
}

func newImporter(t testing.TB) *importer {
	h := newHarness(t)
	hd := &handlers.Handlers{Store: h.st, Thresholds: xfbot.DefaultThresholds, Reports: h.reports}
	h.mux = bot.NewMux(h.st, bot.MuxOptions{Admins: []string{admin.OpenID}, Location: loc})
	handlers.Register(h.mux, hd)
	if err := h.st.EnsureTaskGroup(context.Background()); err != nil {
		t.Fatal(err)
	}
	return &importer{harness: h, hd: hd, files: map[string][]byte{}}
}

func (im *importer) Download(_ context.Context, messageID, key string) ([]byte, error) {
	b, ok := im.files[key]
	if !ok {
		return nil, fmt.Errorf("no file %s", key)
	}
	return b, nil
}

// send sends a file message from p and returns the reply.
func (im *importer) send(p xfbot.Person, name string, data []byte) []store.OutboundMessage {
	im.t.Helper()
	im.seq++
	key := fmt.Sprintf("file_v3_%d", im.seq)
	im.files[key] = data
	req := &bot.Request{EventID: fmt.Sprintf("msg:om_f%d", im.seq), MessageID: fmt.Sprintf("om_f%d", im.seq), ChatID: "oc_p2p_" + p.OpenID,
		Sender: p, Text: bot.FileCommand, File: &bot.File{Key: key, Name: name}, Time: im.now, Via: bot.ViaChat}
	if err := im.mux.ServeMessage(context.Background(), req); err != nil {
		im.t.Fatalf("ServeMessage(file %s): %v", name, err)
	}
	return im.drain()
}

// work runs the queued tasks (as a worker would) and returns the ids of
// those it ran and what they queued.
func (im *importer) work(ctx context.Context) ([]string, []store.OutboundMessage) {
	im.t.Helper()
	es, err := im.st.ReadTasks(context.Background(), "w1", 10, 0)
	if err != nil {
		im.t.Fatal(err)
	}
	var ids []string
	for _, e := range es {
		ids = append(ids, e.Task.ID)
		if err := im.hd.RunImport(ctx, e.Task, im, im.now); err != nil {
			im.t.Fatalf("RunImport(%s): %v", e.Task.ID, err)
		}
		_ = im.st.AckTask(context.Background(), e.StreamID)
	}
	return ids, im.drain()
}

// preview sends a file and runs its preview: the plan id and the card's text.
func (im *importer) preview(p xfbot.Person, name string, data []byte) (string, string) {
	im.t.Helper()
	out := im.send(p, name, data)
	if len(out) != 1 || !strings.Contains(out[0].Text, "正在读取") {
		im.t.Fatalf("reply to the file: %+v", out)
	}
	ids, msgs := im.work(context.Background())
	if len(ids) != 1 || len(msgs) != 1 {
		im.t.Fatalf("preview: tasks %v, messages %+v", ids, msgs)
	}
	return ids[0], msgs[0].Text
}

// confirm presses 确认导入 and runs the apply: what it queued.
func (im *importer) confirm(p xfbot.Person, plan string) (*bot.ActionResponse, []store.OutboundMessage) {
	im.t.Helper()
	resp := im.clickValue(p, bot.ActionImportConfirm, map[string]string{"plan": plan})
	im.drain()
	_, msgs := im.work(context.Background())
	return resp, msgs
}

func (im *importer) cases() []*xfbot.Case {
	im.t.Helper()
	var out []*xfbot.Case
	err := im.st.EachCase(context.Background(), store.ExportQuery{}, 500, func(cs []*xfbot.Case, _ [][]xfbot.Progress) error {
		out = append(out, cs...)
		return nil
	})
	if err != nil {
		im.t.Fatal(err)
	}
	return out
}

func bySheetNo(cs []*xfbot.Case) map[string]*xfbot.Case {
	m := map[string]*xfbot.Case{}
	for _, c := range cs {
		m[c.SheetNo] = c
	}
	return m
}

// ledger builds an .xlsx with a title line, then header and rows.
func ledger(t testing.TB, header []string, rows ...[]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	_ = f.SetCellValue("Sheet1", "A1", "青川区信访积案化解台账（虚构数据）")
	for j, v := range header {
		cell, _ := excelize.CoordinatesToCellName(j+1, 2)
		_ = f.SetCellValue("Sheet1", cell, v)
	}
	for i, r := range rows {
		for j, v := range r {
			if v == nil {
				continue
			}
			cell, _ := excelize.CoordinatesToCellName(j+1, i+3)
			_ = f.SetCellValue("Sheet1", cell, v)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

var header = []string{"编号", "信访人", "联系电话", "身份证号", "信访事项", "属地", "责任单位", "包案领导", "包案人", "受理时间", "办结期限", "办理情况", "是否化解", "备注"}

func firstLedger(t testing.TB) []byte {
	return ledger(t, header,
		[]any{"QC-001", "张某某", "19900000123", "", "桂园社区回迁安置房延期交付", "云溪街道", "区住建局", "周某", "赵建", "2026.3.2", "2026年4月30日", "已约谈开发商", "否", "虚构"},
		[]any{"QC-002", "李某", "138****5678", "", "工地欠薪", "石桥镇", "区人社局", "", "李四", 46082, "", "", "是", ""},
		[]any{"QC-003", "王某某", "", "990000196503120011", "补偿标准比邻村低", "白沙镇", "", "", "", "2026-03-05", "", "", "", ""},
		[]any{"QC-004", "孙某", "", "", "", "青峰镇", "", "", "", "明天", "", "", "", ""},
		[]any{"QC-005", "吴某", "", "", "养殖场异味", "柳湾镇", "", "", "", "2026-03-10", "2026-12-31", "", "", ""},
	)
}

func TestImportPreviewConfirm(t *testing.T) {
	im := newImporter(t)
	plan, text := im.preview(member, "青川区台账.xlsx", firstLedger(t))
	wantIn(t, text, "台账导入预览", "读取 5 行：新建 2 件，更新 0 件，不变 0 行，不能导入 3 行",
		"表头在第 2 行", "A 列“编号”→ 编号", "N 列“备注”→ 备注",
		"第 3 行：〔QC-001〕张某某 · 桂园社区回迁安置房延期交付", "第 4 行：〔QC-002〕李某 · 工地欠薪",
		"第 5 行：身份证号（尾号 0011）有误", "第 6 行：受理时间“明天”不是日期：请写成 2026-03-16、2026.3.16 或 2026年3月16日；缺少信访事项（标题）",
		"第 7 行：期限 2026-12-31 超过法定最长期限",
		"第 4 行：电话已脱敏，按未知处理", "第 4 行：包案人“李四”不是成员：导入后未指派", "确认导入")
	wantNotIn(t, text, "990000196503120011")
	if n := len(im.cases()); n != 0 {
		t.Fatalf("%d cases before 确认导入, want none", n)
	}

	// Only the uploader confirms.
	resp := im.clickValue(member2, bot.ActionImportConfirm, map[string]string{"plan": plan})
	wantIn(t, resp.Toast+impCardText(resp.Card), "只有上传台账的 赵建 可以确认")
	if ids, _ := im.work(context.Background()); len(ids) != 0 {
		t.Fatalf("a refused confirmation queued %v", ids)
	}

	resp, msgs := im.confirm(member, plan)
	wantIn(t, impCardText(resp.Card), "已确认，正在导入", "新建 2 件")
	if len(msgs) != 1 {
		t.Fatalf("apply sent %+v", msgs)
	}
	wantIn(t, msgs[0].Text, "台账导入完成", "新建 2 件，更新 0 件")
	again := im.clickValue(member, bot.ActionImportConfirm, map[string]string{"plan": plan})
	wantIn(t, again.Toast, "已确认过")

	cs := bySheetNo(im.cases())
	if len(cs) != 2 {
		t.Fatalf("cases %v", cs)
	}
	c1, c2 := cs["QC-001"], cs["QC-002"]
	if c1 == nil || c2 == nil {
		t.Fatalf("cases by sheet number: %v", cs)
	}
	if c1.Title != "桂园社区回迁安置房延期交付" || c1.Area != "云溪街道" || c1.Unit != "区住建局" || c1.Petitioner.Phone != "19900000123" ||
		c1.AcceptedOn.String() != "2026-03-02" || c1.Due.String() != "2026-04-30" || c1.Leader.OpenID != leader.OpenID || c1.Owner.OpenID != member.OpenID ||
		c1.Status != xfbot.StatusHandling || c1.No.Year() != 2026 || c1.CreatedBy.OpenID != member.OpenID {
		t.Errorf("QC-001 became %+v", c1)
	}
	if c2.Status != xfbot.StatusResolved || c2.ResolvedOn != xfbot.DateOf(im.now, loc) || c2.Petitioner.Phone != "" || !c2.Owner.IsZero() ||
		c2.AcceptedOn.String() != "2026-03-01" {
		t.Errorf("QC-002 became %+v", c2)
	}
	changes, progs, err := im.st.History(context.Background(), c1.No)
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) != 1 || changes[0].Action != "导入台账" || !strings.Contains(changes[0].After, "青川区台账.xlsx 第 3 行") {
		t.Errorf("history %+v", changes)
	}
	if len(progs) != 2 || progs[0].Text != "已约谈开发商" || progs[0].Kind != xfbot.KindProgress || progs[1].Text != "原台账备注：虚构" {
		t.Errorf("timeline %+v", progs)
	}
	_, progs2, _ := im.st.History(context.Background(), c2.No)
	if len(progs2) != 1 || !strings.Contains(progs2[0].Text, "原台账包案人：李四") {
		t.Errorf("QC-002 timeline %+v", progs2)
	}
	// Audited, and in the deadline index.
	audit, err := im.rdb.XRange(context.Background(), im.auditKey(), "-", "+").Result()
	if err != nil || len(audit) != 1 || !strings.Contains(fmt.Sprint(audit[0].Values), "导入台账") {
		t.Errorf("audit %v %v", audit, err)
	}
	dl, err := im.st.Deadlines(context.Background(), xfbot.NewDate(2026, 5, 1), 100)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, d := range dl {
		found = found || (d.Subject.ID == string(c1.No) && d.Due.String() == "2026-04-30")
	}
	if !found {
		t.Errorf("QC-001's 办结期限 not in the deadline index: %+v", dl)
	}

	// The same file again: nothing to do.
	_, text = im.preview(member, "青川区台账.xlsx", firstLedger(t))
	wantIn(t, text, "新建 0 件，更新 0 件，不变 2 行，不能导入 3 行", "这份文件导入过", "没有需要新建或更新的行")
	wantNotIn(t, text, "确认导入")
	if n := len(im.cases()); n != 2 {
		t.Fatalf("%d cases after the second import, want 2", n)
	}
}

func TestImportDiff(t *testing.T) {
	im := newImporter(t)
	plan, _ := im.preview(member, "台账.xlsx", firstLedger(t))
	im.confirm(member, plan)
	// A case registered with 新建 is matched by petitioner and title.
	no := im.newCase("河道污染 信访人:郑某 属地:河口街道")

	updated := ledger(t, header,
		[]any{"QC-001", "张某某", "19900000123", "", "桂园社区回迁安置房延期交付", "桂园街道", "区住建局", "周某", "赵建", "2026.3.2", "2026年4月30日", "4月10日开发商承诺月底交房", "否", "虚构"},
		[]any{"QC-002", "李某", "138****5678", "", "工地欠薪", "石桥镇", "区人社局", "", "李四", 46082, "", "", "是", ""},
		[]any{"QC-006", "郑某", "", "", "河道污染", "河口街道", "区城管局", "", "", "", "", "", "", ""},
		[]any{"QC-007", "冯某", "", "", "物业维修基金", "新港街道", "", "", "", "2026-03-12", "", "", "稳控", ""},
	)
	plan, text := im.preview(member, "台账（更新）.xlsx", updated)
	wantIn(t, text, "新建 1 件，更新 2 件，不变 1 行",
		"第 3 行 → "+string(bySheetNo(im.cases())["QC-001"].No)+"：属地：云溪街道 → 桂园街道；新增进展：4月10日开发商承诺月底交房",
		"第 5 行 → "+string(no)+"：主责单位：（空） → 区城管局；原台账编号：（空） → QC-006",
		"第 6 行：〔QC-007〕冯某 · 物业维修基金")
	_, msgs := im.confirm(member, plan)
	wantIn(t, msgs[len(msgs)-1].Text, "新建 1 件，更新 2 件")
	cs := bySheetNo(im.cases())
	if len(cs) != 4 {
		t.Fatalf("%d cases, want 4", len(cs))
	}
	if c := cs["QC-001"]; c.Area != "桂园街道" || c.Progresses != 3 {
		t.Errorf("QC-001 after the diff: area %q, %d entries", c.Area, c.Progresses)
	}
	if c := cs["QC-006"]; c == nil || c.No != no || c.Unit != "区城管局" {
		t.Errorf("the 新建 case was not updated: %+v", c)
	}
	if c := cs["QC-007"]; c == nil || c.Status != xfbot.StatusMonitoring {
		t.Errorf("QC-007: %+v", c)
	}
	changes, _, _ := im.st.History(context.Background(), cs["QC-001"].No)
	if last := changes[len(changes)-1]; last.Field != "属地" || last.Before != "云溪街道" || last.After != "桂园街道" || last.Action != "导入台账" {
		t.Errorf("audited change %+v", last)
	}
	// Re-importing the updated file changes nothing.
	_, text = im.preview(member, "台账（更新）.xlsx", updated)
	wantIn(t, text, "新建 0 件，更新 0 件，不变 4 行")
}

// TestImportResumes: a worker that dies after the first batch leaves the
// rest to the next, which creates no case twice and reports once.
func TestImportResumes(t *testing.T) {
	defer handlers.SetImportBatch(3)()
	im := newImporter(t)
	var rows [][]any
	for i := 1; i <= 10; i++ {
		rows = append(rows, []any{fmt.Sprintf("R-%02d", i), fmt.Sprintf("张某%d", i), "", "", fmt.Sprintf("虚构事项 %d", i), "云溪街道"})
	}
	data := ledger(t, header[:6], rows...)
	plan, text := im.preview(admin, "big.xlsx", data)
	wantIn(t, text, "新建 10 件")
	im.clickValue(admin, bot.ActionImportConfirm, map[string]string{"plan": plan})
	im.drain()

	es, err := im.st.ReadTasks(context.Background(), "w1", 10, 0)
	if err != nil || len(es) != 1 {
		t.Fatalf("tasks %v %v", es, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	hook := &cancelAfter{n: 1, cancel: cancel}
	im.rdb.AddHook(hook)
	if err := im.hd.RunImport(ctx, es[0].Task, im, im.now); err == nil {
		t.Fatal("the cut-short apply reported success")
	}
	hook.off = true
	if n := len(im.cases()); n != 3 {
		t.Fatalf("%d cases after the first batch, want 3", n)
	}
	// Another worker takes the task over (the stale task is claimed).
	if err := im.hd.RunImport(context.Background(), es[0].Task, im, im.now); err != nil {
		t.Fatal(err)
	}
	if err := im.hd.RunImport(context.Background(), es[0].Task, im, im.now); err != nil { // and once more: done before
		t.Fatal(err)
	}
	cs := im.cases()
	seen := map[string]bool{}
	for _, c := range cs {
		if seen[c.SheetNo] {
			t.Errorf("%s imported twice", c.SheetNo)
		}
		seen[c.SheetNo] = true
	}
	if len(cs) != 10 {
		t.Fatalf("%d cases, want 10", len(cs))
	}
	var reports int
	for _, m := range im.drain() {
		if strings.Contains(m.Text, "台账导入完成") {
			reports++
		}
	}
	if reports != 1 {
		t.Errorf("%d reports, want 1", reports)
	}
}

// cancelAfter cancels a context after n commit scripts.
type cancelAfter struct {
	n      int
	cancel func()
	off    bool
}

func (c *cancelAfter) DialHook(next redis.DialHook) redis.DialHook { return next }
func (c *cancelAfter) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		err := next(ctx, cmd)
		if !c.off && (cmd.Name() == "evalsha" || cmd.Name() == "eval") {
			if c.n--; c.n <= 0 {
				c.cancel()
			}
		}
		return err
	}
}
func (c *cancelAfter) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}

func TestImportRefusals(t *testing.T) {
	im := newImporter(t)
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"garbage.xlsx", []byte("PK\x03\x04 not really a zip"), "无法读取"},
		{"统计.xlsx", ledger(t, []string{"单位", "件数"}, []any{"区住建局", 3}), "表头应包含“信访事项”"},
	} {
		out := im.send(member, tc.name, tc.data)
		if len(out) != 1 {
			t.Fatalf("%s: reply %+v", tc.name, out)
		}
		_, msgs := im.work(context.Background())
		if len(msgs) != 1 {
			t.Fatalf("%s: messages %+v", tc.name, msgs)
		}
		wantIn(t, msgs[0].Text, "台账未导入", tc.want)
	}
	// Not a spreadsheet, an old .xls, no file, a viewer, a group.
	wantIn(t, im.send(member, "photo.png", []byte("x"))[0].Text, "只能导入 .xlsx 或 .csv")
	wantIn(t, im.send(member, "old.xls", []byte("x"))[0].Text, "另存为 .xlsx")
	wantIn(t, im.reply(member, "导入台账"), "直接发送 .xlsx 或 .csv")
	wantIn(t, im.send(viewer, "a.xlsx", firstLedger(t))[0].Text, "导入台账限专班成员和管理员")
	wantIn(t, im.reply(member, "导入台账", msg{group: true}), "私聊")
	if ids, _ := im.work(context.Background()); len(ids) != 0 {
		t.Errorf("refused uploads queued %v", ids)
	}
}

func TestImportCSVWithDuplicates(t *testing.T) {
	im := newImporter(t)
	csv := "序号,姓名,反映问题,登记日期\n1,张某某,工地欠薪,2026年3月2日\n2,张某某,工地欠薪,2026.3.3\n3,李某,,2026-03-04\n"
	_, text := im.preview(member, "台账.csv", []byte(csv))
	wantIn(t, text, "格式：CSV（UTF-8）", "新建 1 件", "第 3 行：与第 2 行重复", "第 4 行：缺少信访事项")
}

func impCardText(c *bot.Card) string {
	if c == nil {
		return ""
	}
	return c.Text()
}

var _ = time.Second

// TestImportSearchAndRepeats: imported cases are in the search index under
// their own numbers (batches write several new cases in one Commit), and a
// row whose petitioner has a case already is named in the report.
func TestImportSearchAndRepeats(t *testing.T) {
	im := newImporter(t)
	prior := im.newCase("工资拖欠 信访人:张某某 电话:19900000123")
	plan, _ := im.preview(member, "台账.xlsx", firstLedger(t))
	_, msgs := im.confirm(member, plan)
	wantIn(t, msgs[len(msgs)-1].Text, "可能的重复信访", "第 3 行：同一信访人已有 "+string(prior))
	cs := bySheetNo(im.cases())
	found := im.reply(member, "搜索 开发商")
	wantIn(t, found, string(cs["QC-001"].No))
	wantNotIn(t, found, string(cs["QC-002"].No))
	found = im.reply(member, "搜索 工地欠薪")
	wantIn(t, found, string(cs["QC-002"].No))
	wantNotIn(t, found, string(cs["QC-001"].No))
}

// TestImportRegistry: 主责单位 and 属地 resolve through the registry as in
// 新建: an alias becomes the record's name, an unknown name refuses the row
// with suggestions.
func TestImportRegistry(t *testing.T) {
	im := newImporter(t)
	_, _, err := im.st.SeedRegistry(context.Background(), []xfbot.RegEntry{
		{Name: "区住建局", Kind: xfbot.UnitDept, Aliases: []string{"住建局"}},
		{Name: "云溪街道", Kind: xfbot.UnitSubdist, Aliases: []string{"云溪"}},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	data := ledger(t, []string{"信访事项", "信访人", "属地", "责任单位"},
		[]any{"桂园社区回迁安置房延期交付", "张某某", "云溪", "住建局"},
		[]any{"工地欠薪", "李某", "云溪街道", "区人设局"},
	)
	plan, text := im.preview(member, "a.xlsx", data)
	wantIn(t, text, "新建 1 件", "第 4 行：没有名为“区人设局”的单位")
	im.confirm(member, plan)
	cs := im.cases()
	if len(cs) != 1 || cs[0].Unit != "区住建局" || cs[0].Area != "云溪街道" {
		t.Fatalf("cases %+v", cs)
	}
}
