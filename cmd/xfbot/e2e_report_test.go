package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/qingchuan/xfbot/bot/larktest"
)

// TestE2EReports drives statistics, the spreadsheet ledger and the group
// digests through `xfbot serve` against the fake Feishu: 统计 answers with
// the figures; 导出 台账 uploads an .xlsx through im/v1/files and sends it as a
// file message, masked; a full export asks first and then carries the
// petitioner's data; the weekly digest and the monthly report reach the
// group once each under XFBOT_SCHEDULE_GROUP_WEEKLY/MONTHLY.
func TestE2EReports(t *testing.T) {
	appID := uniqueAppID()
	fake := larktest.NewServer(larktest.WithApp(appID, e2eSecret))
	defer fake.Close()
	env := serveEnv(t, fake, appID)
	env["XFBOT_SCHEDULE_GROUP_WEEKLY"] = "@every 1s"
	env["XFBOT_SCHEDULE_MONTHLY"] = "@every 1s"
	env["XFBOT_SCHEDULE_LEADER_DIGEST"] = "0 3 1 1 *" // not during the test
	p := startServe(t, env)
	f := newFeishu(t, fake, p, env)
	adminChat := "oc_" + randHex(16)

	r := f.say(larktest.Message{ChatID: adminChat, Text: "新建 桂园社区回迁安置房延期交付 类别:征地拆迁 属地:云溪街道 单位:区住建局 信访人:" +
		e2ePetitioner + " 电话:" + e2ePhone + " 身份证:110101195001011239"})
	no := caseNoIn(t, cardText(r.Content))
	f.say(larktest.Message{ChatID: adminChat, Text: "化解 " + no + " 已签订协议"})

	t.Run("Stats", func(t *testing.T) {
		f.t = t
		r := f.say(larktest.Message{ChatID: adminChat, Text: "统计 单位"})
		text := cardText(r.Content)
		for _, want := range []string{"月度统计", "本期增量", "化解率", "100.0%", "区住建局"} {
			if !strings.Contains(text, want) {
				t.Errorf("统计 lacks %q:\n%s", want, text)
			}
		}
		if !strings.Contains(r.Content, `"tag":"chart"`) {
			t.Error("the monthly statistics card has no chart")
		}
	})

	fileTo := func(t *testing.T, n int) (larktest.Sent, larktest.File) {
		t.Helper()
		var msg larktest.Sent
		ok := false
		for deadline := time.Now().Add(3 * e2eWait); !ok && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			seen := 0
			for _, m := range fake.Messages() {
				if m.MsgType == "file" && m.ReceiveID == e2eAdmin {
					if seen++; seen == n {
						msg, ok = m, true
					}
				}
			}
		}
		if !ok {
			t.Fatalf("no file message %d to the admin; files %d", n, len(fake.Files()))
		}
		files := fake.Files()
		if len(files) < n || !strings.Contains(msg.Content, files[n-1].Key) {
			t.Fatalf("file message %s names no uploaded file (%d uploaded)", msg.Content, len(files))
		}
		return msg, files[n-1]
	}
	ledger := func(t *testing.T, data []byte) (sheets []string, rows [][]string) {
		t.Helper()
		x, err := excelize.OpenReader(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("the uploaded file is no spreadsheet: %v", err)
		}
		defer x.Close()
		rows, err = x.GetRows("台账")
		if err != nil {
			t.Fatal(err)
		}
		return x.GetSheetList(), rows
	}

	t.Run("ExportMasked", func(t *testing.T) {
		f.t = t
		r := f.say(larktest.Message{ChatID: adminChat, Text: "导出 台账"})
		if !strings.Contains(cardText(r.Content), "正在生成全部案件 台账（脱敏）") {
			t.Errorf("reply: %s", cardText(r.Content))
		}
		msg, file := fileTo(t, 1)
		var content struct {
			FileKey string `json:"file_key"`
		}
		if json.Unmarshal([]byte(msg.Content), &content) != nil || content.FileKey != file.Key {
			t.Errorf("file message content %s, uploaded %s", msg.Content, file.Key)
		}
		if file.Type != "xls" || !strings.HasSuffix(file.Name, "-脱敏.xlsx") {
			t.Errorf("uploaded %q as %q", file.Name, file.Type)
		}
		sheets, rows := ledger(t, file.Data)
		if strings.Join(sheets, ",") != "台账,进展,统计" {
			t.Errorf("sheets %v", sheets)
		}
		all := flat(rows)
		if !strings.Contains(all, no) || !strings.Contains(all, "张某") || !strings.Contains(all, "139****5678") {
			t.Errorf("ledger lacks the case or its masked petitioner:\n%s", all)
		}
		if strings.Contains(all, e2ePetitioner) || strings.Contains(all, e2ePhone) || strings.Contains(all, "110101195001011239") {
			t.Errorf("masked ledger shows personal data:\n%s", all)
		}
	})

	t.Run("ExportFull", func(t *testing.T) {
		f.t = t
		r := f.say(larktest.Message{ChatID: adminChat, Text: "导出 台账 完整"})
		if !strings.Contains(r.Content, "export.full") {
			t.Fatalf("no confirmation card: %s", cardText(r.Content))
		}
		if len(fake.Files()) != 1 {
			t.Fatalf("a full export started before confirmation")
		}
		f.deliver(larktest.CardActionEvent(larktest.CardAction{OperatorOpenID: e2eAdmin, MessageID: r.MessageID, ChatID: adminChat,
			Value: map[string]any{"a": "export.full"}, Token: e2eToken, AppID: appID}))
		_, file := fileTo(t, 2)
		if !strings.HasSuffix(file.Name, "-完整.xlsx") {
			t.Errorf("full export named %q", file.Name)
		}
		_, rows := ledger(t, file.Data)
		if all := flat(rows); !strings.Contains(all, e2ePetitioner) || !strings.Contains(all, "110101195001011239") {
			t.Errorf("full ledger lacks the petitioner:\n%s", all)
		}
	})

	t.Run("TasksDrained", func(t *testing.T) {
		f.t = t
		var h struct{ Tasks *int64 }
		if code, err := getJSON(p.URL+"/healthz", &h); err != nil || code != 200 || h.Tasks == nil || *h.Tasks != 0 {
			t.Errorf("/healthz: %d %v, tasks %v (want 0 left)", code, err, h.Tasks)
		}
		if !strings.Contains(metricsBody(t, p.URL), "xfbot_tasks_pending 0") {
			t.Error("/metrics has no xfbot_tasks_pending 0")
		}
	})

	t.Run("GroupDigests", func(t *testing.T) {
		f.t = t
		for _, title := range []string{"专班周报", "月度统计"} {
			if _, ok := fake.WaitFor(func(m larktest.Sent) bool {
				return m.ReceiveID == e2eGroup && strings.Contains(cardText(m.Content), title)
			}, 2*e2eWait); !ok {
				t.Errorf("no %s in the group", title)
			}
		}
		time.Sleep(3 * time.Second) // more firings: nothing again
		n := 0
		for _, m := range fake.Messages() {
			if m.ReceiveID == e2eGroup && (strings.Contains(m.Content, "专班周报") || strings.Contains(m.Content, "月度统计")) {
				n++
				if strings.Contains(cardText(m.Content), e2ePetitioner) || strings.Contains(m.Content, e2ePhone) {
					t.Errorf("a group digest shows personal data")
				}
			}
		}
		if n != 2 {
			t.Errorf("%d group digests, want the weekly and the monthly once each", n)
		}
	})
}

func flat(rows [][]string) string {
	var b strings.Builder
	for _, r := range rows {
		b.WriteString(strings.Join(r, "|") + "\n")
	}
	return b.String()
}

// caseNoIn finds the case number in a reply.
func caseNoIn(t *testing.T, text string) string {
	t.Helper()
	i := strings.Index(text, "XF-")
	if i < 0 || len(text) < i+12 {
		t.Fatalf("no case number in %q", text)
	}
	return text[i : i+12]
}
