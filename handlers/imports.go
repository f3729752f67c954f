package handlers

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/bot"
	"github.com/qingchuan/xfbot/sheet"
	"github.com/qingchuan/xfbot/store"
)

// 导入台账: a member or an admin sends a spreadsheet ledger (.xlsx, .csv) to
// the bot in a private chat. Nothing is written until the uploader presses
// 确认导入:
//
//  1. the file message queues an import task (step preview) with the reply
//     that promises the preview;
//  2. a worker downloads the file, reads it (package sheet), matches its
//     rows against the ledger and stores the plan (creates, updates with
//     before → after, unchanged, refused with the reason) under the task for
//     store.ImportPlanTTL, and sends the preview card;
//  3. 确认导入 (the uploader only, once per plan) queues the apply step;
//  4. the worker applies the plan in batches of importBatch rows, each one
//     Commit of the same Tx the commands build (CreateCase, UpdateCase,
//     AddProgress, AddChanges: audit, figures, deadlines), with a dedupe id
//     and a checkpoint, so that a worker that dies mid-import leaves the
//     rest to the next one, which writes no row twice; a progress message
//     goes with every batch that passes importProgressEvery rows; the report
//     card ends it.
//
// Idempotent: every imported row claims its keys (the sheet's number, the
// petitioner and title) in the import index, and the case remembers the
// row's fingerprint: the same file again is all unchanged, an updated one
// is a diff.

// Import task arguments.
const (
	importArgStep = "step" // preview | apply
	importArgMsg  = "msg"  // the file message's id (preview)
	importArgKey  = "key"  // the file_key (preview)
	importArgName = "name" // the file's name (preview)
	importArgPlan = "plan" // the plan's id (apply)
)

// importBatch is how many rows one Commit of an apply writes.
var importBatch = 200

// importProgressEvery is how many rows pass between two progress messages.
const importProgressEvery = 2000

// cardListMax bounds each list of the preview and report cards: a card
// must stay under Feishu's 30 KB.
const cardListMax = 15

const importUsage = "请在与机器人的私聊中直接发送 .xlsx 或 .csv 格式的台账文件（不用输入文字）。机器人读取后先发预览：将新建、更新、不变和不能导入的行；您按“确认导入”后才写入。"

// Downloader fetches a file a user sent in a chat (Feishu's message
// resource; a local path for the console and the server's xfbot import).
type Downloader interface {
	Download(ctx context.Context, messageID, fileKey string) ([]byte, error)
}

// importCmd: a file message (or, on the console, 导入台账 <路径>).
func (h *Handlers) importCmd(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	f := req.File
	if f == nil && req.Via == bot.ViaConsole && req.Args.Rest(0) != "" {
		p, err := filepath.Abs(req.Args.Rest(0))
		if err != nil {
			return nil, xfbot.Errorf(xfbot.EINVALID, "路径“%s”无效。", xfbot.Echo(req.Args.Rest(0), 40))
		}
		f = &bot.File{Key: "file://" + p, Name: filepath.Base(p)}
	}
	if f == nil {
		return nil, xfbot.Errorf(xfbot.EINVALID, "%s", importUsage)
	}
	switch ext := strings.ToLower(filepath.Ext(f.Name)); ext {
	case ".xlsx", ".xlsm", ".csv":
	case ".xls", ".et":
		return nil, xfbot.Errorf(xfbot.EINVALID, "“%s”是旧版 Excel（.xls）文件，暂时读不了：请用 Excel 或 WPS 打开，另存为 .xlsx 后再发送。", xfbot.Clip(f.Name, 40))
	default:
		return nil, xfbot.Errorf(xfbot.EINVALID, "“%s”不是台账表格：只能导入 .xlsx 或 .csv 文件。%s", xfbot.Clip(f.Name, 40), importUsage)
	}
	sum := sha256.Sum256([]byte("import:" + req.EventID))
	tx := h.Store.NewTx()
	tx.AddTask(store.Task{ID: "imp-" + hex.EncodeToString(sum[:12]), Kind: store.TaskImport, By: req.Actor(), ChatID: req.ChatID,
		Args: map[string]string{importArgStep: "preview", importArgMsg: req.MessageID, importArgKey: f.Key, importArgName: f.Name}, At: req.Time})
	text := fmt.Sprintf("已收到“%s”，正在读取，稍后发来预览。确认前不会写入任何数据。", xfbot.Clip(f.Name, 40))
	return &bot.Reply{Text: text, Tx: tx}, nil
}

// importConfirm: 确认导入 on the preview card. Only the uploader may
// confirm, once: pressed again it queues nothing.
func (h *Handlers) importConfirm(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	id := req.Action.Value["plan"]
	raw, _, err := h.Store.ImportPlan(ctx, id)
	if err != nil {
		return nil, err
	}
	if raw == nil {
		return nil, xfbot.Errorf(xfbot.EINVALID, "预览已过期（保留 %d 小时），请重新发送台账文件。", int(store.ImportPlanTTL/time.Hour))
	}
	var p importPlan
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, fmt.Errorf("handlers: import plan %s: %w", id, err)
	}
	if p.By.OpenID != req.Sender.OpenID {
		return nil, xfbot.Errorf(xfbot.EFORBIDDEN, "只有上传台账的 %s 可以确认这次导入。", p.By.Display())
	}
	done, err := h.Store.LedgersOf(ctx, []string{importLedger(id)})
	if err != nil {
		return nil, err
	}
	if _, ok := done[importLedger(id)]["confirm"]; ok {
		return &bot.Reply{Toast: "已确认过，正在导入，完成后私聊告知，请勿重复点击。"}, nil
	}
	if len(p.Items) == 0 {
		return nil, xfbot.Errorf(xfbot.EINVALID, "这份台账没有需要新建或更新的行，无需导入。")
	}
	tx := h.Store.NewTx()
	tx.MarkSentKey(importLedger(id), "confirm", req.Time.UTC().Format(time.RFC3339))
	tx.AddTask(store.Task{ID: id + "-apply", Kind: store.TaskImport, By: req.Actor(), ChatID: req.ChatID,
		Args: map[string]string{importArgStep: "apply", importArgPlan: id}, At: req.Time})
	text := fmt.Sprintf("已确认，正在导入“%s”：新建 %d 件、更新 %d 件，完成后私聊告知结果。", p.File, p.Creates, p.Updates)
	card := &bot.Card{Title: "导入台账", Color: "green", Sections: []string{bot.Escape(text)}}
	return &bot.Reply{Text: text, Card: card, Toast: "已开始导入", Tx: tx}, nil
}

func importLedger(plan string) string { return "import:" + plan }

// importPlan is what a preview showed, stored under the task: the apply
// writes exactly it.
type importPlan struct {
	ID      string          `json:"id"`
	File    string          `json:"file"`
	Digest  string          `json:"digest"`
	By      xfbot.Person    `json:"by"`
	At      time.Time       `json:"at"`
	Tables  []sheet.Table   `json:"tables"`
	Skipped []sheet.Skipped `json:"skipped,omitempty"`
	Format  string          `json:"format"`
	Charset string          `json:"charset,omitempty"`
	Rows    int             `json:"rows"`
	Creates int             `json:"creates"`
	Updates int             `json:"updates"`
	Same    int             `json:"same"`
	Items   []importItem    `json:"items"` // creates and updates, in sheet order
	Refused []importRefusal `json:"refused,omitempty"`
	Notes   []string        `json:"notes,omitempty"`
	Before  string          `json:"before,omitempty"` // the same file was imported before
}

// importItem is one row to write: a new case (Case) or changes of an
// existing one (No, Version, Changes).
type importItem struct {
	Where    string          `json:"w"`
	Case     *xfbot.Case     `json:"c,omitempty"` // create: the case as the sheet gives it
	No       xfbot.CaseNo    `json:"no,omitempty"`
	Version  int64           `json:"v,omitempty"`
	Set      *xfbot.Case     `json:"set,omitempty"` // update: the sheet's values
	Changes  []importChange  `json:"ch,omitempty"`
	Progress string          `json:"p,omitempty"`   // 办理情况: a progress entry (new text on re-import)
	Extra    []string        `json:"x,omitempty"`   // what the sheet says that has no field: system entries
	Keys     []string        `json:"k,omitempty"`   // import index keys
	Row      store.ImportRow `json:"r"`             // remembered for the next import
	Label    string          `json:"l,omitempty"`   // the row's petitioner and title, for the report (masked at render)
	Acc      bool            `json:"acc,omitempty"` // the row is an accusation: masked as such
}

// importChange is one field of an update: before → after as shown.
type importChange struct {
	Field  string `json:"f"` // importField id
	Label  string `json:"l"`
	Before string `json:"b"`
	After  string `json:"a"`
}

type importRefusal struct {
	Line   string `json:"w"`
	Reason string `json:"r"`
}

// importFields are the fields a sheet may set, with their label, their
// value as text (for the diff) and how to set one case's from another's.
var importFields = []struct {
	id, label string
	get       func(c *xfbot.Case) string
	set       func(dst, src *xfbot.Case)
}{
	{"title", "标题", func(c *xfbot.Case) string { return c.Title }, func(d, s *xfbot.Case) { d.Title = s.Title }},
	{"category", "类别", func(c *xfbot.Case) string { return c.Category.Label() }, func(d, s *xfbot.Case) { d.Category = s.Category }},
	{"area", "属地", func(c *xfbot.Case) string { return c.Area }, func(d, s *xfbot.Case) { d.Area = s.Area }},
	{"unit", "主责单位", func(c *xfbot.Case) string { return c.Unit }, func(d, s *xfbot.Case) { d.Unit = s.Unit }},
	{"name", "信访人", func(c *xfbot.Case) string { return c.Petitioner.Name }, func(d, s *xfbot.Case) { d.Petitioner.Name = s.Petitioner.Name }},
	{"phone", "联系电话", func(c *xfbot.Case) string { return c.Petitioner.Phone }, func(d, s *xfbot.Case) { d.Petitioner.Phone = s.Petitioner.Phone }},
	{"idcard", "身份证号", func(c *xfbot.Case) string { return c.Petitioner.IDCard }, func(d, s *xfbot.Case) { d.Petitioner.IDCard = s.Petitioner.IDCard }},
	{"accusation", "检举控告", func(c *xfbot.Case) string { return yesNo(c.Accusation) }, func(d, s *xfbot.Case) { d.Accusation = s.Accusation }},
	{"screening", "甄别", func(c *xfbot.Case) string { return c.Screening.Label() }, func(d, s *xfbot.Case) { d.Screening = s.Screening }},
	{"owner", "包案人", func(c *xfbot.Case) string { return c.Owner.Display() }, func(d, s *xfbot.Case) { d.Owner = s.Owner }},
	{"leader", "包案领导", func(c *xfbot.Case) string { return c.Leader.Display() }, func(d, s *xfbot.Case) { d.Leader = s.Leader }},
	{"accepted", "受理日期", func(c *xfbot.Case) string { return c.AcceptedOn.String() }, func(d, s *xfbot.Case) { d.AcceptedOn = s.AcceptedOn }},
	{"due", "办结期限", func(c *xfbot.Case) string { return c.Due.String() }, func(d, s *xfbot.Case) {
		d.DueOverride, d.DueSetOn, d.DueReason = s.DueOverride, s.DueSetOn, s.DueReason
	}},
	{"status", "状态", func(c *xfbot.Case) string { return c.Status.Label() }, func(d, s *xfbot.Case) {
		d.Status = s.Status
		if s.Status == xfbot.StatusResolved {
			d.Result, d.ResolvedOn, d.ExtensionRequest = s.Result, s.ResolvedOn, nil
		}
	}},
	{"sheetno", "原台账编号", func(c *xfbot.Case) string { return c.SheetNo }, func(d, s *xfbot.Case) { d.SheetNo = s.SheetNo }},
}

// importRow is a record read as a case: the values the sheet sets (has:
// the importFields ids it sets), the rest as text entries, and what makes
// it unusable.
type importRow struct {
	rec      sheet.Record
	c        xfbot.Case
	has      map[string]bool
	progress string
	extra    []string
	notes    []string
	problems []string
}

// rowCase applies the rules of 新建 to one record: names and units as
// parseName, phones as parsePhone, ID numbers as ParseIDCard, the 办结期限
// within the statutory limit as 新建 … 期限: (CheckDue).
//
// 类别, 属地 and 单位 resolve through the registry (名录) as in 新建: a name
// that fits no record refuses the row with the suggestions.
func (h *Handlers) rowCase(r sheet.Record, reg *xfbot.Registry, people *importPeople, today xfbot.Date) importRow {
	out := importRow{rec: r, has: map[string]bool{}}
	c := &out.c
	c.Category, c.Status, c.AcceptedOn = "other", xfbot.StatusHandling, today
	bad := func(err error) {
		out.problems = append(out.problems, strings.TrimSuffix(xfbot.ErrorMessage(err), "。"))
	}
	out.problems = append(out.problems, r.Problems...)
	out.notes = append(out.notes, r.Notes...)
	if v := xfbot.CleanText(r.Get(sheet.FTitle)); v != "" {
		c.Title = v
		if xfbot.RuneLen(v) > xfbot.MaxTitleRunes {
			c.Title = string([]rune(v)[:xfbot.MaxTitleRunes-1]) + "…"
			out.notes = append(out.notes, fmt.Sprintf("信访事项超过 %d 字，标题取前 %d 字，全文记入进展", xfbot.MaxTitleRunes, xfbot.MaxTitleRunes))
			out.extra = append(out.extra, "原台账信访事项："+xfbot.Clip(v, xfbot.MaxTextRunes-10))
		}
		out.has["title"] = true
	}
	if v := r.Get(sheet.FNo); v != "" {
		if xfbot.RuneLen(v) > xfbot.MaxFieldRunes {
			out.problems = append(out.problems, fmt.Sprintf("编号太长（最多 %d 个字）", xfbot.MaxFieldRunes))
		} else {
			c.SheetNo = xfbot.CleanText(v)
			out.has["sheetno"] = true
		}
	}
	name := func(f sheet.Field, what string, dst *string, id string) {
		if v := r.Get(f); v != "" {
			s, err := parseName(v, what)
			if err != nil {
				bad(err)
				return
			}
			*dst, out.has[id] = s, true
		}
	}
	name(sheet.FPetitioner, "信访人姓名", &c.Petitioner.Name, "name")
	place := func(f sheet.Field, k xfbot.RegKind, dst *string, id string) {
		if v := r.Get(f); v != "" {
			s, err := reg.Check(k, v)
			if err != nil {
				bad(err)
				return
			}
			*dst, out.has[id] = s, true
		}
	}
	place(sheet.FArea, xfbot.RegArea, &c.Area, "area")
	place(sheet.FUnit, xfbot.RegUnit, &c.Unit, "unit")
	place(sheet.FCategory, xfbot.RegCategory, (*string)(&c.Category), "category")
	if v := r.Get(sheet.FPhone); v != "" {
		p, err := parsePhone(v)
		if err != nil {
			bad(err)
		} else {
			c.Petitioner.Phone, out.has["phone"] = p, true
		}
	}
	if v := r.Get(sheet.FIDCard); v != "" {
		id, err := xfbot.ParseIDCard(v)
		switch {
		case err != nil:
			bad(err)
		default:
			if born, ok := birthDate(id); ok && born.After(today) {
				out.problems = append(out.problems, fmt.Sprintf("身份证号（尾号 %s）的出生日期 %s 在今天之后", id[len(id)-4:], born))
			} else {
				c.Petitioner.IDCard, out.has["idcard"] = id, true
			}
		}
	}
	if v := r.Get(sheet.FScreening); v != "" && v != "未甄别" {
		s, ok := xfbot.ParseScreening(xfbot.CleanText(v))
		if !ok {
			out.problems = append(out.problems, fmt.Sprintf("甄别“%s”看不懂：可写 合理、部分合理、无理、过度", xfbot.Echo(v, 10)))
		} else {
			c.Screening, out.has["screening"] = s, true
		}
	}
	if v := r.Get(sheet.FAccusation); v != "" {
		switch yes, ok := yesWord(v); {
		case !ok:
			out.problems = append(out.problems, fmt.Sprintf("检举控告“%s”看不懂：写 是 或 否", xfbot.Echo(v, 10)))
		default:
			c.Accusation, out.has["accusation"] = yes, true
		}
	}
	if v := r.Get(sheet.FAccepted); v != "" {
		d, _ := xfbot.ParseDate(v) // the reader wrote it as YYYY-MM-DD
		if d.After(today) {
			out.problems = append(out.problems, fmt.Sprintf("受理时间 %s 在今天之后", d))
		} else {
			c.AcceptedOn, out.has["accepted"] = d, true
		}
	}
	if v := r.Get(sheet.FDue); v != "" {
		d, _ := xfbot.ParseDate(v)
		due, _, err := c.CheckDue(d, false, h.Calendar, today)
		if err != nil {
			bad(err)
		} else {
			c.DueOverride, c.DueSetOn, c.DueReason, out.has["due"] = due, c.AcceptedOn, "导入台账的既有期限", true
		}
	}
	if v := r.Get(sheet.FResolved); v != "" {
		st, note, ok := sheetStatus(v)
		switch {
		case !ok:
			out.problems = append(out.problems, fmt.Sprintf("是否化解“%s”看不懂：写 是 或 否（也可写 已化解、稳控、办理中）", xfbot.Echo(v, 10)))
		default:
			c.Status, out.has["status"] = st, true
			if note != "" {
				out.notes = append(out.notes, note)
			}
		}
	}
	if c.Status == xfbot.StatusResolved {
		c.ResolvedOn = today
		if v := r.Get(sheet.FResolvedOn); v != "" {
			c.ResolvedOn, _ = xfbot.ParseDate(v)
		}
		c.Result = "导入台账：已化解"
		if v := xfbot.CleanText(r.Get(sheet.FResult)); v != "" {
			c.Result = xfbot.Clip(v, xfbot.MaxTextRunes)
		}
	}
	if v := xfbot.CleanText(r.Get(sheet.FProgress)); v != "" {
		if n := xfbot.RuneLen(v); n > xfbot.MaxTextRunes {
			out.problems = append(out.problems, fmt.Sprintf("办理情况太长（%d 字，最多 %d 字）", n, xfbot.MaxTextRunes))
		} else {
			out.progress = v
		}
	}
	if v := xfbot.CleanText(r.Get(sheet.FNote)); v != "" {
		out.extra = append(out.extra, "原台账备注："+xfbot.Clip(v, xfbot.MaxTextRunes-10))
	}
	person := func(f sheet.Field, leader bool, dst *xfbot.Person, id string) {
		v := xfbot.CleanText(r.Get(f))
		if v == "" {
			return
		}
		what := map[bool]string{true: "包案领导", false: "包案人"}[leader]
		p, why := people.find(v, leader)
		if why != "" {
			out.notes = append(out.notes, fmt.Sprintf("%s“%s”%s：导入后未指派", what, xfbot.Clip(v, 10), why))
			out.extra = append(out.extra, fmt.Sprintf("原台账%s：%s（%s，未指派）", what, xfbot.Clip(v, 20), why))
			return
		}
		*dst, out.has[id] = p, true
	}
	person(sheet.FOwner, false, &c.Owner, "owner")
	person(sheet.FLeader, true, &c.Leader, "leader")
	c.Due = c.StageDue(h.Calendar, today)
	return out
}

func yesWord(v string) (yes, ok bool) {
	switch strings.TrimSpace(xfbot.Normalize(v)) {
	case "是", "√", "Y", "y", "yes", "1", "有":
		return true, true
	case "否", "×", "N", "n", "no", "0", "无", "-":
		return false, true
	}
	return false, false
}

// sheetStatus reads 是否化解 (or a status column).
func sheetStatus(v string) (xfbot.Status, string, bool) {
	v = strings.ReplaceAll(strings.TrimSpace(xfbot.Normalize(v)), " ", "")
	if yes, ok := yesWord(v); ok {
		if yes {
			return xfbot.StatusResolved, "", true
		}
		return xfbot.StatusHandling, "", true
	}
	switch v {
	case "已化解", "化解", "案结事了", "已解决", "基本化解":
		return xfbot.StatusResolved, "", true
	case "未化解", "办理中", "在办", "正在办理", "化解中", "未解决", "":
		return xfbot.StatusHandling, "", true
	case "稳控", "稳控中", "属地稳控":
		return xfbot.StatusMonitoring, "", true
	case "已销号", "销号", "已办结":
		return xfbot.StatusResolved, "“" + v + "”按已化解导入：销号须观察期满并回访后由管理员在机器人中办理", true
	}
	return "", "", false
}

// importPeople resolves the names of 包案领导 and 包案人 to members.
type importPeople struct {
	byName  map[string][]xfbot.Member
	leaders map[string]bool
}

func (h *Handlers) importPeople(ctx context.Context) (*importPeople, error) {
	var req *bot.Request // a background task: no request to have read the members
	ms, err := h.members(ctx, req)
	if err != nil {
		return nil, err
	}
	p := &importPeople{byName: map[string][]xfbot.Member{}, leaders: map[string]bool{}}
	for _, m := range ms {
		if m.Name != "" {
			p.byName[m.Name] = append(p.byName[m.Name], m)
		}
	}
	if h.mux != nil {
		for _, id := range h.mux.Leaders() {
			p.leaders[id] = true
		}
	}
	return p, nil
}

// find returns the one member of that name fit for the role, or why none.
func (p *importPeople) find(name string, leader bool) (xfbot.Person, string) {
	var fit []xfbot.Member
	for _, m := range p.byName[name] {
		if (leader && (m.Role == xfbot.RoleLeader || p.leaders[m.OpenID])) || (!leader && m.CanWrite() && m.Role != xfbot.RoleLeader) {
			fit = append(fit, m)
		}
	}
	switch {
	case len(fit) == 1:
		return fit[0].Person(), ""
	case len(fit) > 1:
		return xfbot.Person{}, fmt.Sprintf("有 %d 位同名成员", len(fit))
	case len(p.byName[name]) > 0 && leader:
		return xfbot.Person{}, "不是区领导"
	case len(p.byName[name]) > 0:
		return xfbot.Person{}, "不能包案"
	}
	return xfbot.Person{}, "不是成员"
}

// plan matches the records of b against the ledger.
func (h *Handlers) plan(ctx context.Context, id string, b *sheet.Book, by xfbot.Person, now time.Time, loc *time.Location) (*importPlan, error) {
	today := xfbot.DateOf(now, loc)
	people, err := h.importPeople(ctx)
	if err != nil {
		return nil, err
	}
	reg, err := h.Store.Registry(ctx)
	if err != nil {
		return nil, err
	}
	state, err := h.Store.ImportState(ctx, b.Digest)
	if err != nil {
		return nil, err
	}
	scan, err := h.Store.ImportKeys(ctx)
	if err != nil {
		return nil, err
	}
	lookup := func(k string) xfbot.CaseNo {
		if k == "" {
			return ""
		}
		if no, ok := state.Index[k]; ok {
			return no
		}
		return scan[k]
	}
	p := &importPlan{ID: id, File: b.Name, Digest: b.Digest, By: by, At: now, Tables: b.Tables, Skipped: b.Skipped,
		Format: b.Format, Charset: b.Charset, Rows: len(b.Records), Before: state.File}
	several := b.Several()
	type matched struct {
		row importRow
		no  xfbot.CaseNo
		fp  string
		at  int // index in p.Items of a placeholder
	}
	var updates []matched
	firstOf := map[string]string{} // key → where, within the sheet
	for _, rec := range b.Records {
		where := rec.Where(several)
		row := h.rowCase(rec, reg, people, today)
		for _, n := range row.notes {
			p.Notes = append(p.Notes, where+"："+n)
		}
		if len(row.problems) > 0 {
			p.Refused = append(p.Refused, importRefusal{where, strings.Join(row.problems, "；")})
			continue
		}
		var keys []string
		if row.c.SheetNo != "" {
			keys = append(keys, store.ImportKeyNo(row.c.SheetNo))
		}
		if k := store.ImportKeyPT(row.c.Petitioner.Name, row.c.Title); k != "" {
			keys = append(keys, k)
		}
		dup := ""
		for _, k := range keys {
			if w, ok := firstOf[k]; ok {
				dup = w
			}
		}
		if dup != "" {
			p.Refused = append(p.Refused, importRefusal{where, "与" + dup + "重复（编号相同，或信访人和事项相同）"})
			continue
		}
		for _, k := range keys {
			firstOf[k] = where
		}
		no := xfbot.CaseNo("")
		if row.c.SheetNo != "" {
			if xf, err := xfbot.ParseCaseNo(row.c.SheetNo); err == nil && strings.HasPrefix(strings.ToUpper(xfbot.Normalize(row.c.SheetNo)), "XF") {
				no = scan[store.ImportKeyNo(string(xf))]
			}
			if no == "" {
				no = lookup(store.ImportKeyNo(row.c.SheetNo))
			}
		}
		byNo := no != ""
		if no == "" {
			no = lookup(store.ImportKeyPT(row.c.Petitioner.Name, row.c.Title))
		}
		it := importItem{Where: where, Keys: keys, Row: store.ImportRow{Fingerprint: rec.Fingerprint(), Progress: digest(row.progress)},
			Extra: row.extra, Progress: row.progress, Label: strings.TrimSpace(row.c.Petitioner.Name + " " + row.c.Title), Acc: row.c.Accusation}
		if no == "" {
			c := row.c
			it.Case = &c
			p.Items = append(p.Items, it)
			p.Creates++
			continue
		}
		_ = byNo
		p.Items = append(p.Items, it)
		updates = append(updates, matched{row: row, no: no, fp: it.Row.Fingerprint, at: len(p.Items) - 1})
	}
	// The matched rows: unchanged, or the changes against the case as it is.
	drop := map[int]bool{}
	for i := 0; i < len(updates); i += 1000 {
		part := updates[i:min(i+1000, len(updates))]
		nos := make([]xfbot.CaseNo, len(part))
		for j, u := range part {
			nos[j] = u.no
		}
		cs, err := h.Store.Cases(ctx, nos)
		if err != nil {
			return nil, err
		}
		byNo := map[xfbot.CaseNo]*xfbot.Case{}
		for _, c := range cs {
			byNo[c.No] = c
		}
		for _, u := range part {
			it := &p.Items[u.at]
			cur := byNo[u.no]
			if cur == nil { // gone since the index named it: a new case
				c := u.row.c
				it.Case = &c
				p.Creates++
				continue
			}
			if r, ok := state.Rows[cur.No]; ok && r.Fingerprint == u.fp {
				drop[u.at] = true
				p.Same++
				continue
			}
			if !sameCase(cur, &u.row.c) {
				drop[u.at] = true
				p.Refused = append(p.Refused, importRefusal{it.Where, fmt.Sprintf("编号“%s”在系统中是 %s，但信访人和事项都不同：请核对编号，或删去编号按新案导入", xfbot.Clip(u.row.c.SheetNo, 20), cur.No)})
				continue
			}
			ch, notes := diffCase(cur, &u.row)
			for _, n := range notes {
				p.Notes = append(p.Notes, it.Where+"："+n)
			}
			prog := u.row.progress
			if prog != "" {
				if r, ok := state.Rows[cur.No]; ok && r.Progress == digest(prog) {
					prog = ""
				} else if !ok {
					_, progs, err := h.Store.History(ctx, cur.No)
					if err != nil {
						return nil, err
					}
					for _, pr := range progs {
						if strings.TrimSpace(pr.Text) == prog {
							prog = ""
						}
					}
				}
			}
			if !cur.Status.Open() {
				if len(ch) > 0 || prog != "" {
					p.Notes = append(p.Notes, fmt.Sprintf("%s：%s 已%s，表中的修改和进展未导入（如有新情况请管理员先“重开”）", it.Where, cur.No, strings.TrimPrefix(cur.Status.Label(), "已")))
				}
				ch, prog = nil, ""
			}
			if len(ch) == 0 && prog == "" {
				// Unchanged: remember the row, so that the next import of it
				// is known without a diff (an update with no changes).
				it.No, it.Version, it.Row, it.Extra, it.Progress = cur.No, cur.Version, store.ImportRow{Fingerprint: u.fp, Progress: digest(u.row.progress)}, nil, ""
				it.Set = &xfbot.Case{}
				p.Same++
				continue
			}
			set := u.row.c
			it.No, it.Version, it.Set, it.Changes, it.Progress, it.Extra = cur.No, cur.Version, &set, ch, prog, nil
			p.Updates++
		}
	}
	if len(drop) > 0 {
		kept := p.Items[:0]
		for i, it := range p.Items {
			if !drop[i] {
				kept = append(kept, it)
			}
		}
		p.Items = kept
	}
	return p, nil
}

// sameCase: a case matched by number is the row's when the petitioner or
// the title agrees.
func sameCase(cur, row *xfbot.Case) bool {
	return (row.Petitioner.Name != "" && store.ImportKeyPT(cur.Petitioner.Name, "x") == store.ImportKeyPT(row.Petitioner.Name, "x")) ||
		(row.Title != "" && store.ImportKeyPT("x", cur.Title) == store.ImportKeyPT("x", row.Title)) ||
		(row.Petitioner.Name == "" && cur.Petitioner.Name == "")
}

// diffCase lists the fields the row sets that differ from cur's. A status
// the commands would not allow from here (a resolved case back to 办理中)
// is a note, not a change.
func diffCase(cur *xfbot.Case, row *importRow) ([]importChange, []string) {
	var out []importChange
	var notes []string
	for _, f := range importFields {
		if !row.has[f.id] {
			continue
		}
		want := row.c
		before, after := f.get(cur), f.get(&want)
		if f.id == "title" && row.c.Title != "" && xfbot.RuneLen(cur.Title) <= xfbot.MaxTitleRunes && strings.HasSuffix(row.c.Title, "…") && strings.HasPrefix(cur.Title, strings.TrimSuffix(row.c.Title, "…")) {
			continue // the clipped long title of an earlier import
		}
		if before == after {
			continue
		}
		if f.id == "status" {
			if !(cur.Status == xfbot.StatusHandling || cur.Status == xfbot.StatusMonitoring) {
				continue
			}
		}
		if f.id == "accepted" && !cur.Proc.ReceivedOn.IsZero() && cur.AcceptedOn.IsZero() {
			notes = append(notes, fmt.Sprintf("%s 待受理，受理时间请用“受理”命令登记", cur.No))
			continue
		}
		out = append(out, importChange{Field: f.id, Label: f.label, Before: before, After: after})
	}
	return out, notes
}

func digest(s string) string {
	if s == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:8])
}

// RunImport is the body of an import task (store.TaskImport), for the
// task worker: the preview step or the apply step.
func (h *Handlers) RunImport(ctx context.Context, t store.Task, dl Downloader, now time.Time) error {
	if seen, err := h.Store.Seen(ctx, "task:"+t.ID); err != nil || seen {
		return err // done before (a crash after the result): nothing to do
	}
	switch t.Args[importArgStep] {
	case "preview":
		return h.importPreview(ctx, t, dl, now)
	case "apply":
		_, err := h.importApply(ctx, t, now)
		return err
	}
	return xfbot.Errorf(xfbot.EINTERNAL, "导入任务参数无效")
}

func (h *Handlers) loc() *time.Location {
	if h.mux != nil {
		return h.mux.Location()
	}
	return time.UTC
}

// audienceOf is the uploader as a reader of the cards (private chat).
func (h *Handlers) audienceOf(ctx context.Context, p xfbot.Person) (xfbot.Audience, error) {
	m, err := h.member(ctx, p.OpenID)
	if err != nil {
		return xfbot.Audience{}, err
	}
	if h.mux != nil && slices.Contains(h.mux.Admins(), p.OpenID) {
		return xfbot.Audience{Role: xfbot.RoleAdmin}, nil
	}
	if m == nil {
		return xfbot.Audience{Role: xfbot.RoleViewer}, nil
	}
	return m.Audience(), nil
}

func (h *Handlers) importPreview(ctx context.Context, t store.Task, dl Downloader, now time.Time) error {
	name := t.Args[importArgName]
	data, err := dl.Download(ctx, t.Args[importArgMsg], t.Args[importArgKey])
	if err != nil {
		var ue *xfbot.Error
		if errors.As(err, &ue) {
			return h.importTell(ctx, t, "台账导入：无法下载文件："+ue.Message, now)
		}
		return err
	}
	b, err := sheet.Read(name, data)
	if err != nil {
		if xfbot.ErrorCode(err) == xfbot.EINVALID {
			return h.importTell(ctx, t, "台账未导入："+xfbot.ErrorMessage(err), now)
		}
		return err
	}
	p, err := h.plan(ctx, t.ID, b, t.By, now, h.loc())
	if err != nil {
		return err
	}
	raw, err := json.Marshal(p)
	if err != nil {
		return err
	}
	if err := h.Store.PutImportPlan(ctx, t.ID, raw); err != nil {
		return err
	}
	aud, err := h.audienceOf(ctx, t.By)
	if err != nil {
		return err
	}
	card := bot.ImportPreviewCard(previewOf(p, aud))
	return h.importSend(ctx, t, "task:"+t.ID, "preview", card, now)
}

// PreviewText is the plan of a file as text: what xfbot import prints.
func (h *Handlers) PreviewText(ctx context.Context, name string, data []byte, by xfbot.Person, now time.Time) (string, string, error) {
	b, err := sheet.Read(name, data)
	if err != nil {
		return "", "", err
	}
	id := fmt.Sprintf("cli-%s-%d", b.Digest[:16], now.UnixNano()) // a run of its own: its batches' dedupe ids too
	p, err := h.plan(ctx, id, b, by, now, h.loc())
	if err != nil {
		return "", "", err
	}
	raw, err := json.Marshal(p)
	if err != nil {
		return "", "", err
	}
	if err := h.Store.PutImportPlan(ctx, id, raw); err != nil {
		return "", "", err
	}
	v := previewOf(p, xfbot.Audience{Role: xfbot.RoleAdmin})
	v.Max = 1 << 30 // the terminal shows every line
	return bot.ImportPreviewCard(v).Text(), id, nil
}

// ApplyPlan applies a stored plan at once (xfbot import without -dry-run):
// the same batches, checkpoints and dedupe as the task's.
func (h *Handlers) ApplyPlan(ctx context.Context, id string, by xfbot.Person, now time.Time) (string, error) {
	t := store.Task{ID: id + "-apply", Kind: store.TaskImport, By: by, Args: map[string]string{importArgStep: "apply", importArgPlan: id}, At: now}
	return h.importApply(ctx, t, now)
}

func previewOf(p *importPlan, aud xfbot.Audience) bot.ImportPreview {
	v := bot.ImportPreview{File: p.File, Rows: p.Rows, Creates: p.Creates, Updates: p.Updates, Same: p.Same, PlanID: p.ID, Before: p.Before, Max: cardListMax}
	if p.Format == "csv" {
		v.Format = "CSV（" + p.Charset + "）"
	}
	for _, t := range p.Tables {
		v.Sheets = append(v.Sheets, fmt.Sprintf("“%s”：表头在第 %d 行，读取 %d 行", t.Sheet, t.HeaderRow, t.Rows))
		for _, c := range t.Columns {
			if c.Header == "" {
				continue
			}
			line := fmt.Sprintf("%s 列“%s”→ ", c.Letter, xfbot.Clip(c.Header, 20))
			if c.Field != "" {
				line += string(c.Field)
				if c.Note != "" {
					line += "（" + c.Note + "）"
				}
			} else {
				line += c.Note
			}
			if len(p.Tables) > 1 {
				line = "“" + t.Sheet + "”" + line
			}
			v.Columns = append(v.Columns, line)
		}
	}
	for _, s := range p.Skipped {
		v.Sheets = append(v.Sheets, fmt.Sprintf("“%s”%s", s.Sheet, s.Reason))
	}
	for _, it := range p.Items {
		c := &xfbot.Case{Accusation: it.Acc}
		if it.Case != nil {
			c = it.Case
			v.CreateLines = append(v.CreateLines, it.Where+"："+rowLabel(c, aud))
			continue
		}
		if len(it.Changes) == 0 && it.Progress == "" {
			continue
		}
		var parts []string
		for _, ch := range it.Changes {
			parts = append(parts, fmt.Sprintf("%s：%s → %s", ch.Label, orDash(maskValue(ch, it.Set, aud)), orDash(maskAfter(ch, it.Set, aud))))
		}
		if it.Progress != "" {
			parts = append(parts, "新增进展："+xfbot.Clip(xfbot.MaskText(it.Progress, it.Set, aud), 60))
		}
		v.UpdateLines = append(v.UpdateLines, fmt.Sprintf("%s → %s：%s", it.Where, it.No, strings.Join(parts, "；")))
	}
	v.Refused = groupRefusals(p.Refused)
	v.Notes = p.Notes
	return v
}

// rowLabel is a new case in a line: petitioner and title, masked for aud.
func rowLabel(c *xfbot.Case, aud xfbot.Audience) string {
	pet := xfbot.MaskPetitioner(c, aud)
	s := xfbot.Clip(xfbot.MaskText(c.Title, c, aud), 30)
	if pet.Name != "" {
		s = pet.Name + " · " + s
	}
	if c.SheetNo != "" {
		s = "〔" + xfbot.Clip(c.SheetNo, 16) + "〕" + s
	}
	return s
}

// maskValue and maskAfter show a change's values as aud may read them:
// the petitioner's fields through MaskPetitioner, the rest as free text.
func maskValue(ch importChange, c *xfbot.Case, aud xfbot.Audience) string {
	return maskField(ch.Field, ch.Before, c, aud)
}

func maskAfter(ch importChange, c *xfbot.Case, aud xfbot.Audience) string {
	return maskField(ch.Field, ch.After, c, aud)
}

func maskField(field, v string, c *xfbot.Case, aud xfbot.Audience) string {
	if v == "" {
		return ""
	}
	probe := &xfbot.Case{}
	if c != nil {
		probe.Accusation, probe.Unit, probe.Area = c.Accusation, c.Unit, c.Area
	}
	switch field {
	case "name":
		probe.Petitioner.Name = v
		return xfbot.MaskPetitioner(probe, aud).Name
	case "phone":
		probe.Petitioner.Phone = v
		return xfbot.MaskPetitioner(probe, aud).Phone
	case "idcard":
		probe.Petitioner.IDCard = v
		if id := xfbot.MaskPetitioner(probe, aud).IDCard; id != "" {
			return id
		}
		return "（不显示）"
	}
	return xfbot.MaskText(v, c, aud)
}

// groupRefusals lists every refused row, rows with the same reason on one
// line: 第 4、7–9 行：缺少信访事项（标题）.
func groupRefusals(rs []importRefusal) []string {
	var order []string
	by := map[string][]string{}
	for _, r := range rs {
		if _, ok := by[r.Reason]; !ok {
			order = append(order, r.Reason)
		}
		by[r.Reason] = append(by[r.Reason], r.Line)
	}
	out := make([]string, 0, len(order))
	for _, reason := range order {
		out = append(out, joinLines(by[reason])+"："+reason)
	}
	return out
}

// joinLines joins 第 4 行, 第 5 行, 第 6 行, 第 9 行 into 第 4–6、9 行
// (lines of one sheet; others are listed as they are).
func joinLines(ws []string) string {
	var nums []int
	for _, w := range ws {
		var n int
		if _, err := fmt.Sscanf(w, "第 %d 行", &n); err != nil || fmt.Sprintf("第 %d 行", n) != w {
			return strings.Join(ws, "、")
		}
		nums = append(nums, n)
	}
	var parts []string
	for i := 0; i < len(nums); {
		j := i
		for j+1 < len(nums) && nums[j+1] == nums[j]+1 {
			j++
		}
		if j > i+1 {
			parts = append(parts, fmt.Sprintf("%d–%d", nums[i], nums[j]))
		} else {
			for k := i; k <= j; k++ {
				parts = append(parts, fmt.Sprint(nums[k]))
			}
		}
		i = j + 1
	}
	return "第 " + strings.Join(parts, "、") + " 行"
}

// importTell sends the uploader a text as the task's result.
func (h *Handlers) importTell(ctx context.Context, t store.Task, text string, now time.Time) error {
	tx := h.Store.NewTx()
	tx.DedupeID = "task:" + t.ID
	enqueueTo(tx, t, store.OutboundMessage{ID: store.MessageUUID("task:" + t.ID + ":tell"), Kind: store.KindSend, ReceiveIDType: "open_id",
		ReceiveID: t.By.OpenID, MsgType: "text", Content: bot.TextContent(text), Text: text, EnqueuedAt: now})
	_, err := h.Store.Commit(ctx, tx)
	return err
}

// importSend sends the uploader a card under the dedupe id.
func (h *Handlers) importSend(ctx context.Context, t store.Task, dedupe, suffix string, card *bot.Card, now time.Time) error {
	js, err := card.JSON()
	if err != nil {
		return err
	}
	tx := h.Store.NewTx()
	tx.DedupeID = dedupe
	enqueueTo(tx, t, store.OutboundMessage{ID: store.MessageUUID("task:" + t.ID + ":" + suffix), Kind: store.KindSend, ReceiveIDType: "open_id",
		ReceiveID: t.By.OpenID, MsgType: "interactive", Content: js, Text: card.Text(), EnqueuedAt: now})
	_, err = h.Store.Commit(ctx, tx)
	return err
}

// enqueueTo queues m for the task's asker; xfbot import on the server has
// no chat, and prints instead.
func enqueueTo(tx *store.Tx, t store.Task, m store.OutboundMessage) {
	if t.By.OpenID != "" {
		tx.Enqueue(m)
	}
}

// importOutcome counts what an apply did.
type importOutcome struct {
	created, updated, progress int
	skipped                    []string // rows written meanwhile by someone else
	repeats                    []string
	report                     string // the report card as text
}

// importApply writes a plan from its checkpoint on, and returns the
// report as text.
func (h *Handlers) importApply(ctx context.Context, t store.Task, now time.Time) (string, error) {
	id := t.Args[importArgPlan]
	raw, done, err := h.Store.ImportPlan(ctx, id)
	if err != nil {
		return "", err
	}
	if raw == nil {
		text := "台账未导入：预览已过期，请重新发送台账文件。"
		return text, h.importTell(ctx, t, text, now)
	}
	var p importPlan
	if err := json.Unmarshal(raw, &p); err != nil {
		return "", fmt.Errorf("handlers: import plan %s: %w", id, err)
	}
	aud, err := h.audienceOf(ctx, t.By)
	if err != nil {
		return "", err
	}
	loc := h.loc()
	today := xfbot.DateOf(now, loc)
	var out importOutcome
	total := len(p.Items)
	for start := done; start < total; start += importBatch {
		end := min(start+importBatch, total)
		items := p.Items[start:end]
		nos := make([]xfbot.CaseNo, 0, len(items))
		for _, it := range items {
			if it.Case == nil {
				nos = append(nos, it.No)
			}
		}
		cs, err := h.Store.Cases(ctx, nos)
		if err != nil {
			return "", err
		}
		cur := map[xfbot.CaseNo]*xfbot.Case{}
		for _, c := range cs {
			cur[c.No] = c
		}
		batch := h.Store.NewTx()
		batch.DedupeID = fmt.Sprintf("imp:%s:b%d", id, start)
		var parts []*store.Tx
		for _, it := range items {
			if it.Case != nil {
				if err := h.importRepeats(ctx, &it, &out); err != nil {
					return "", err
				}
			}
			parts = append(parts, h.itemTx(&p, it, cur[it.No], t.By, now, today, &out))
		}
		for _, part := range parts {
			batch.Append(part)
		}
		batch.SetImportCheckpoint(id, end)
		if end/importProgressEvery > start/importProgressEvery && end < total {
			text := fmt.Sprintf("正在导入“%s”：已完成 %d / %d 行（%d%%）……", p.File, end, total, end*100/total)
			enqueueTo(batch, t, store.OutboundMessage{ID: store.MessageUUID(fmt.Sprintf("task:%s:p%d", t.ID, end)), Kind: store.KindSend, ReceiveIDType: "open_id",
				ReceiveID: t.By.OpenID, MsgType: "text", Content: bot.TextContent(text), Text: text, EnqueuedAt: now})
		}
		_, err = h.Store.Commit(ctx, batch)
		switch {
		case err == nil, errors.Is(err, store.ErrDuplicate):
		case errors.Is(err, store.ErrAlreadySent) || xfbot.ErrorCode(err) == xfbot.ECONFLICT:
			// A row of the batch was written meanwhile (another import of
			// it, a command on the case): row by row, each checked again.
			if err := h.applyRows(ctx, &p, items, start, t, now, today, &out); err != nil {
				return "", err
			}
		default:
			return "", err
		}
		if err := ctx.Err(); err != nil {
			return "", err
		}
	}
	err = h.importReport(ctx, t, &p, &out, aud, now)
	return out.report, err
}

// importRepeats looks for the other cases of a new case's petitioner
// (store.SamePetitioner: the same phone or ID number): listed in the report,
// and a case that repeats a concluded one (xfbot.Repeats) is tagged 重复信访
// as 新建 would.
func (h *Handlers) importRepeats(ctx context.Context, it *importItem, out *importOutcome) error {
	if it.Case.Petitioner.Phone == "" && it.Case.Petitioner.IDCard == "" {
		return nil // a name alone is a weak signal; the preview's name+title match covers it
	}
	same, _, err := h.Store.SamePetitioner(ctx, it.Case)
	if err != nil {
		return err
	}
	if len(same) == 0 {
		return nil
	}
	var reg *xfbot.Registry // read only when a unit's names matter (改名, 合并)
	if slices.ContainsFunc(same, func(o *xfbot.Case) bool { return o.Unit != it.Case.Unit }) {
		if reg, err = h.Store.Registry(ctx); err != nil {
			return err
		}
	}
	c := *it.Case
	var nos []string
	for _, o := range same {
		nos = append(nos, string(o.No))
		if xfbot.Repeats(&c, o, reg) && !c.HasTag(xfbot.TagRepeat) {
			c.Tags = append(slices.Clone(c.Tags), xfbot.TagRepeat)
		}
	}
	it.Case = &c
	line := fmt.Sprintf("%s：同一信访人已有 %s", it.Where, strings.Join(nos[:min(len(nos), 3)], "、"))
	if c.HasTag(xfbot.TagRepeat) {
		line += "（已标重复信访）"
	}
	out.repeats = append(out.repeats, line)
	return nil
}

// applyRows writes the items of a refused batch one Commit each.
func (h *Handlers) applyRows(ctx context.Context, p *importPlan, items []importItem, start int, t store.Task, now time.Time, today xfbot.Date, out *importOutcome) error {
	for i, it := range items {
		for attempt := 0; ; attempt++ {
			var cur *xfbot.Case
			if it.Case == nil {
				cs, err := h.Store.Cases(ctx, []xfbot.CaseNo{it.No})
				if err != nil {
					return err
				}
				if len(cs) > 0 {
					cur = cs[0]
				}
			}
			tx := h.itemTx(p, it, cur, t.By, now, today, out)
			tx.DedupeID = fmt.Sprintf("imp:%s:r%d", p.ID, start+i)
			tx.SetImportCheckpoint(p.ID, start+i+1)
			_, err := h.Store.Commit(ctx, tx)
			switch {
			case err == nil, errors.Is(err, store.ErrDuplicate):
			case errors.Is(err, store.ErrAlreadySent):
				out.skipped = append(out.skipped, it.Where)
				if it.Case != nil {
					out.created--
				}
			case xfbot.ErrorCode(err) == xfbot.ECONFLICT && attempt < 3:
				continue
			default:
				return err
			}
			break
		}
	}
	return nil
}

// itemTx builds one row's write; cur is the case an update applies to (nil
// for a create, or a case gone since the preview: then nothing).
func (h *Handlers) itemTx(p *importPlan, it importItem, cur *xfbot.Case, by xfbot.Person, now time.Time, today xfbot.Date, out *importOutcome) *store.Tx {
	tx := h.Store.NewTx()
	loc := h.loc()
	source := fmt.Sprintf("%s %s", xfbot.Clip(p.File, 40), it.Where)
	if it.Case != nil {
		c := *it.Case
		c.CreatedBy, c.CreatedAt, c.UpdatedAt = by, now, now
		if !c.AcceptedOn.IsZero() && c.AcceptedOn.Before(today) {
			// Registered when it was accepted: the figures count it in its
			// month, not all at once on the day of the import.
			c.CreatedAt = c.AcceptedOn.Time(loc).Add(9 * time.Hour)
		}
		c.Due = c.StageDue(h.Calendar, today)
		if it.Progress != "" {
			c.Progresses++
			c.LastProgressAt = now
		}
		c.Progresses += len(it.Extra)
		out.created++
		return h.createTx(&c, it, by, now, source, loc)
	}
	if cur == nil {
		out.skipped = append(out.skipped, it.Where)
		return tx
	}
	c := *cur
	c.UpdatedAt = now
	var changes []xfbot.Change
	for _, ch := range it.Changes {
		f := fieldByID(ch.Field)
		if f.get(cur) != ch.Before {
			continue // changed since the preview by a command: not overwritten
		}
		f.set(&c, it.Set)
		changes = append(changes, xfbot.Change{At: now, By: by, Action: "导入台账", Field: ch.Label, Before: ch.Before, After: ch.After})
		if ch.Field == "status" && c.Status == xfbot.StatusResolved {
			tx.EndEscalation(c.No)
		}
	}
	if len(it.Changes) > 0 || it.Progress != "" {
		c.Due = c.StageDue(h.Calendar, today)
		if it.Progress != "" {
			tx.AddProgress(c.No, xfbot.Progress{At: now, Author: by, Kind: xfbot.KindProgress, Text: it.Progress})
			c.Progresses++
			c.LastProgressAt = now
			out.progress++
		}
		tx.UpdateCase(cur, &c)
		tx.AddChanges(c.No, changes...)
		out.updated++
	}
	for _, k := range it.Keys {
		tx.SetImportKey(k, c.No)
	}
	tx.SetImportRow(c.No, it.Row)
	return tx
}

// createTx is the write of a new case from a row: the case, its keys in
// the import index, the row remembered, its entries and the audited source.
func (h *Handlers) createTx(c *xfbot.Case, it importItem, by xfbot.Person, now time.Time, source string, loc *time.Location) *store.Tx {
	tx := h.Store.NewTx()
	tx.CreateCase(c, c.CreatedAt.In(loc).Year())
	no := xfbot.CaseNo(store.NoPlaceholder)
	for _, k := range it.Keys {
		tx.ClaimImportKey(k, no)
	}
	tx.SetImportRow(no, it.Row)
	if it.Progress != "" {
		tx.AddProgress(no, xfbot.Progress{At: now, Author: by, Kind: xfbot.KindProgress, Text: it.Progress})
	}
	for _, x := range it.Extra {
		tx.AddProgress(no, xfbot.Progress{At: now, Author: by, Kind: xfbot.KindSystem, Text: x})
	}
	tx.AddChanges(no, xfbot.Change{At: now, By: by, Action: "导入台账", Field: "来源", After: source})
	return tx
}

func fieldByID(id string) struct {
	id, label string
	get       func(c *xfbot.Case) string
	set       func(dst, src *xfbot.Case)
} {
	for _, f := range importFields {
		if f.id == id {
			return f
		}
	}
	panic("handlers: no import field " + id)
}

// importReport ends an apply: the report card, the audit entry and the
// file's note, once (the task's dedupe id).
func (h *Handlers) importReport(ctx context.Context, t store.Task, p *importPlan, out *importOutcome, aud xfbot.Audience, now time.Time) error {
	r := bot.ImportReport{File: p.File, Created: p.Creates - len(skippedCreates(p, out)), Updated: p.Updates, Same: p.Same, Refused: len(p.Refused),
		Skipped: out.skipped, Repeats: out.repeats, Max: cardListMax}
	if r.Created < 0 {
		r.Created = 0
	}
	card := bot.ImportReportCard(r)
	js, err := card.JSON()
	if err != nil {
		return err
	}
	tx := h.Store.NewTx()
	tx.DedupeID = "task:" + t.ID
	enqueueTo(tx, t, store.OutboundMessage{ID: store.MessageUUID("task:" + t.ID + ":done"), Kind: store.KindSend, ReceiveIDType: "open_id",
		ReceiveID: t.By.OpenID, MsgType: "interactive", Content: js, Text: card.Text(), EnqueuedAt: now})
	summary := fmt.Sprintf("新建 %d 件，更新 %d 件，不变 %d 行，不能导入 %d 行", r.Created, r.Updated, r.Same, r.Refused)
	tx.Audit(store.AuditEntry{At: now, By: t.By, Action: "导入台账", Entity: p.File, After: summary, Via: "task"})
	tx.MarkImportedFile(p.Digest, fmt.Sprintf("%s %s 导入：%s", now.In(h.loc()).Format("2006-01-02 15:04"), t.By.Display(), summary))
	out.report = card.Text()
	_, err = h.Store.Commit(ctx, tx)
	_ = aud
	return err
}

func skippedCreates(p *importPlan, out *importOutcome) []string {
	creates := map[string]bool{}
	for _, it := range p.Items {
		if it.Case != nil {
			creates[it.Where] = true
		}
	}
	var s []string
	for _, w := range out.skipped {
		if creates[w] {
			s = append(s, w)
		}
	}
	return s
}
