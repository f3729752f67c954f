// 虚构数据：本文件中的人名、电话、地名均为虚构（petition-domain §5）。
package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/qingchuan/xfbot/bot/larktest"
	"github.com/qingchuan/xfbot/store"
)

// importSheet is a small ledger with a title line: two good rows, one
// without its matter.
func importSheet(t testing.TB, progress string) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	rows := [][]any{
		{"青川区信访积案化解台账（虚构数据）"},
		{"序号", "信访人", "联系电话", "反映问题", "所属街镇", "主责单位", "登记日期", "办理情况", "是否化解"},
		{1, "张某某", "19900000123", "桂园社区回迁安置房延期交付", "云溪街道", "区住建局", 46082, progress, "否"},
		{2, "李某", "138****5678", "工地欠薪", "石桥镇", "区人社局", "2026.3.2", "", "是"},
		{3, "王某某", "", "", "白沙镇", "", "2026年3月3日", "", ""},
	}
	for i, r := range rows {
		for j, v := range r {
			cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
			_ = f.SetCellValue("Sheet1", cell, v)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestE2EImport sends a ledger as a file message through the fake Feishu:
// the bot downloads it through the message resource API, previews it,
// imports it on 确认导入 and reports; the same file again creates nothing,
// an updated one adds the progress; a file in a group is refused.
func TestE2EImport(t *testing.T) {
	fake, f := serveFeishu(t)
	chat := "oc_" + randHex(16)
	plan := regexp.MustCompile(`"plan":"(imp-[0-9a-f]+)"`)

	upload := func(t *testing.T, name string, data []byte) (larktest.Sent, string) {
		t.Helper()
		f.t = t
		msgID, key := newMessageID(), "file_v3_"+randHex(8)
		fake.AddResource(larktest.Resource{MessageID: msgID, FileKey: key, Name: name, Data: data})
		isPreview := func(s larktest.Sent) bool {
			return s.ReceiveID == e2eAdmin && s.ReplyTo == "" && strings.Contains(cardText(s.Content), "台账导入预览 · "+name)
		}
		seen := 0
		for _, s := range fake.Messages() {
			if isPreview(s) {
				seen++
			}
		}
		r := f.say(larktest.Message{MessageID: msgID, ChatID: chat, MsgType: "file", Text: name, FileKey: key})
		if !strings.Contains(cardText(r.Content), "正在读取") {
			t.Fatalf("reply to the file: %s", cardText(r.Content))
		}
		card, ok := nthSent(fake, isPreview, seen+1)
		if !ok {
			t.Fatalf("no preview of %s", name)
		}
		m := plan.FindStringSubmatch(card.Content)
		id := ""
		if m != nil {
			id = m[1]
		}
		return card, id
	}
	confirm := func(t *testing.T, card larktest.Sent, id, want string) string {
		t.Helper()
		seen := 0
		for _, s := range fake.Messages() {
			if s.ReceiveID == e2eAdmin && strings.Contains(cardText(s.Content), want) {
				seen++
			}
		}
		f.deliver(larktest.CardActionEvent(larktest.CardAction{OperatorOpenID: e2eAdmin, MessageID: card.MessageID, ChatID: chat,
			Value: map[string]any{"a": "import.confirm", "plan": id}, Token: e2eToken, AppID: f.appID}))
		done, ok := nthSent(fake, func(s larktest.Sent) bool {
			return s.ReceiveID == e2eAdmin && strings.Contains(cardText(s.Content), want)
		}, seen+1)
		if !ok {
			t.Fatalf("no report %q", want)
		}
		return cardText(done.Content)
	}

	card, id := upload(t, "青川区台账.xlsx", importSheet(t, "已约谈开发商"))
	text := cardText(card.Content)
	for _, want := range []string{"读取 3 行：新建 2 件", "第 5 行：缺少信访事项", "表头在第 2 行", "电话已脱敏，按未知处理"} {
		if !strings.Contains(text, want) {
			t.Errorf("preview lacks %q:\n%s", want, text)
		}
	}
	if fake.Downloads() != 1 || id == "" {
		t.Fatalf("downloads %d, plan %q", fake.Downloads(), id)
	}
	confirm(t, card, id, "台账导入完成")
	list := cardText(f.say(larktest.Message{ChatID: chat, Text: "列表 全部"}).Content)
	for _, want := range []string{"桂园社区回迁安置房延期交付", "工地欠薪"} {
		if !strings.Contains(list, want) {
			t.Errorf("列表 全部 lacks %q:\n%s", want, list)
		}
	}
	found := cardText(f.say(larktest.Message{ChatID: chat, Text: "搜索 开发商"}).Content)
	no := caseNoIn(t, found)
	shown := cardText(f.say(larktest.Message{ChatID: chat, Text: "查看 " + no}).Content)
	if !strings.Contains(shown, "原台账编号") || !strings.Contains(shown, "已约谈开发商") {
		t.Errorf("查看 %s:\n%s", no, shown)
	}

	t.Run("SameFileAgain", func(t *testing.T) {
		card, id := upload(t, "青川区台账.xlsx", importSheet(t, "已约谈开发商"))
		text := cardText(card.Content)
		if !strings.Contains(text, "新建 0 件，更新 0 件，不变 2 行") || !strings.Contains(text, "这份文件导入过") || id != "" {
			t.Errorf("second preview (plan %q):\n%s", id, text)
		}
	})
	t.Run("UpdatedFile", func(t *testing.T) {
		card, id := upload(t, "青川区台账（4月）.xlsx", importSheet(t, "4月10日开发商承诺月底交房"))
		if text := cardText(card.Content); !strings.Contains(text, "更新 1 件") || !strings.Contains(text, "新增进展：4月10日开发商承诺月底交房") {
			t.Fatalf("updated preview:\n%s", text)
		}
		confirm(t, card, id, "更新 1 件")
		shown := cardText(f.say(larktest.Message{ChatID: chat, Text: "查看 " + no}).Content)
		if !strings.Contains(shown, "4月10日开发商承诺月底交房") {
			t.Errorf("the progress added is not on the card:\n%s", shown)
		}
	})
	t.Run("GroupRefused", func(t *testing.T) {
		f.t = t
		r := f.say(larktest.Message{ChatID: e2eGroup, ChatType: "group", MsgType: "file", Text: "台账.xlsx",
			Mentions: []larktest.Mention{{OpenID: e2eBot, Name: "专班助手"}}})
		if text := cardText(r.Content); !strings.Contains(text, "台账文件含个人信息，请在与机器人的私聊中发送") {
			t.Errorf("a file in the group: %s", text)
		}
	})
}

// nthSent waits for the n-th message pred matches (messages in the order
// the fake received them).
func nthSent(fake *larktest.Server, pred func(larktest.Sent) bool, n int) (larktest.Sent, bool) {
	for deadline := time.Now().Add(3 * e2eWait); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		k := 0
		for _, s := range fake.Messages() {
			if pred(s) {
				if k++; k == n {
					return s, true
				}
			}
		}
	}
	return larktest.Sent{}, false
}

// TestImportCommand runs `xfbot import FILE -dry-run`, then without it.
func TestImportCommand(t *testing.T) {
	renv := redisEnv(e2eRedis(t))
	env := environOf(renv)
	path := filepath.Join(t.TempDir(), "台账.xlsx")
	if err := os.WriteFile(path, importSheet(t, "已约谈开发商"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	st := store.New(envRedis(t, renv), renv["XFBOT_REDIS_PREFIX"])
	count := func() int {
		n, err := st.CountExport(ctx, store.ExportQuery{})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}

	var out, errb bytes.Buffer
	if err := run(ctx, []string{"import", path, "-dry-run"}, nil, &out, &errb, env); err != nil {
		t.Fatalf("import -dry-run: %v\n%s", err, errb.String())
	}
	if !strings.Contains(out.String(), "新建 2 件") || !strings.Contains(out.String(), "未写入任何数据") || count() != 0 {
		t.Fatalf("dry run wrote %d cases:\n%s", count(), out.String())
	}
	out.Reset()
	if err := run(ctx, []string{"import", path}, nil, &out, &errb, env); err != nil {
		t.Fatalf("import: %v\n%s", err, errb.String())
	}
	if !strings.Contains(out.String(), "台账导入完成") || count() != 2 {
		t.Fatalf("import wrote %d cases:\n%s", count(), out.String())
	}
	out.Reset()
	if err := run(ctx, []string{"import", path}, nil, &out, &errb, env); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "不变 2 行") || count() != 2 {
		t.Errorf("second import: %d cases\n%s", count(), out.String())
	}
	bad := filepath.Join(t.TempDir(), "x.xlsx")
	_ = os.WriteFile(bad, []byte("not a spreadsheet"), 0o644)
	if err := run(ctx, []string{"import", bad}, nil, &out, &errb, env); err == nil || !strings.Contains(err.Error(), "另存为 .xlsx") {
		t.Errorf("a broken file: %v", err)
	}
}
