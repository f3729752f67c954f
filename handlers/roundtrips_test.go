package handlers_test

import (
	"cmp"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/bot"
	"github.com/qingchuan/xfbot/handlers"
	"github.com/qingchuan/xfbot/store"
)

// trips sends text from p as say does and returns the Redis round trips
// from the event to the reply queued (the mux's whole work), and the reply.
func (h *harness) trips(p xfbot.Person, text string, o msg) (int64, string) {
	h.t.Helper()
	h.seq++
	req := &bot.Request{EventID: fmt.Sprintf("msg:rt_%d", h.seq), MessageID: fmt.Sprintf("om_rt_%d", h.seq), ChatID: "oc_p2p_" + p.OpenID,
		Sender: p, Text: text, Mentions: o.mentions, Time: h.now, Via: bot.ViaChat}
	if o.group {
		req.Group, req.ChatID = true, groupChat
	}
	var srv bot.Server = h.mux
	calls := &h.calls
	if h.shared != nil {
		srv, calls = h.shared, &h.waves
	}
	before := calls.Load()
	if err := srv.ServeMessage(context.Background(), req); err != nil {
		h.t.Fatalf("ServeMessage(%q): %v", text, err)
	}
	n := calls.Load() - before
	out := h.drain()
	if len(out) == 0 {
		h.t.Fatalf("no reply to %q", text)
	}
	return n, out[0].Text
}

// TestWriteCommandsRoundTrips: every write command costs at most two
// Redis round trips from the event to its reply queued — one read of
// everything it decides on, one commit (issue 13). Each command runs twice,
// on two cases, so that the first run loads the scripts it uses.
func TestWriteCommandsRoundTrips(t *testing.T) {
	h := newHarness(t)
	writeCommandsRoundTrips(t, h)
}

// TestWriteCommandsRoundTripsSharedApp: the same, with the district one of
// two that share a Feishu app (bot.Tenants). Each sender has been routed
// once before, so the router sends the command to its district on that
// guess, and the district's own read carries the routing's reads: still
// one read and one commit. On a cluster those reads go to the districts'
// nodes at once, in the same round trip (counted once, at the client).
func TestWriteCommandsRoundTripsSharedApp(t *testing.T) {
	h := newHarness(t)
	h.rdb.AddHook(countHook{&h.waves})
	other := store.New(h.rdb, h.prefix+"_other")
	if err := other.EnsureOutboxGroup(context.Background()); err != nil {
		t.Fatal(err)
	}
	om := bot.NewMux(other, bot.MuxOptions{Location: loc})
	handlers.Register(om, &handlers.Handlers{Store: other, Thresholds: xfbot.DefaultThresholds})
	var err error
	h.shared, err = bot.NewTenants([]bot.Tenant{{ID: "other", Name: "河口区", Mux: om}, {ID: "qingchuan", Name: "青川区", Mux: h.mux}}, bot.TenantsOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []xfbot.Person{member, admin} {
		if n, r := h.trips(p, "帮助", msg{}); n < 2 || strings.Contains(r, "还不是专班成员") {
			t.Fatalf("%s routed first: %d round trips, %q", p.Name, n, r)
		}
	}
	writeCommandsRoundTrips(t, h)
}

func writeCommandsRoundTrips(t *testing.T, h *harness) {
	withRegistry(t, h)
	mention := func(ps ...xfbot.Person) msg { return msg{mentions: ps} }
	tests := []struct {
		who  xfbot.Person
		text string // %s: a fresh open case's number
		o    msg
		want string // in the reply
		max  int    // round trips allowed, when not 2 (say why)
	}{
		// A petitioner's phone or ID number, or name and 属地: the
		// repeat-petition lookup is read with the request (Route.Preload),
		// and the second run finds the first run's case through it.
		{member, "新建 欠薪 单位:区人社局 属地:青峰镇 信访人:张某某 电话:13800001111", msg{}, "此信访人另有 1 件", 0},
		{member, "新建 欠薪二 单位:区人社局 属地:青峰镇 信访人:钱某某 身份证:110101199003074514", msg{}, "此信访人另有 1 件", 0},
		{member, "新建 欠薪三 单位:区人社局 属地:青峰镇 信访人:孙某某", msg{}, "可能是同一信访人", 0},
		{member, "新建 欠薪 单位:区人社局 属地:青峰镇", msg{}, "已登记", 0},
		{member, "进展 %s 已与开发商约谈", msg{}, "已记录", 0},
		{member, "下访 %s 上门走访", msg{}, "下访", 0},
		{member, "甄别 %s 部分合理 困难", msg{}, "甄别", 0},
		{member, "标签 %s 积案 重点", msg{}, "标签", 0},
		{member, "单位 %s 区住建局", msg{}, "区住建局", 0},
		{member, "属地 %s 云溪街道", msg{}, "云溪街道", 0},
		{admin, "期限 %s 2026-05-15 经评估需等待鉴定结论", msg{}, "2026-05-15", 0},
		{member, "延期 %s 20 需第三方评估", msg{}, "延期", 0},
		{member, "稳控 %s 属地街道落实联系人", msg{}, "稳控", 0},
		{member, "化解 %s 已签订息诉罢访协议", msg{}, "化解", 0},
		{member, "指派 %s @钱秀兰", mention(member2), "钱秀兰", 0},
		{member, "包保 %s @周某", mention(leader), "周某", 0},
		{admin, "成员 添加 @王某 联络员 区住建局", mention(xfbot.Person{OpenID: "ou_wang", Name: "王某"}), "王某", 0},
		{member, "来信 @周某 桂园社区居民反映回迁房延期交付", mention(leader), "LX-", 0},
		{member, "接访 安排 @周某 3月%d日 上午 区群众来访接待中心", mention(leader), "JF-", 0},
		{member, "新建 接访时登记 信访人:李某 受理:2026-03-02", msg{}, "已登记", 0},
		{member, "新建 接访时登记 信访人:李某 接访:JF-2026-0001", msg{}, "已登记", 0},
		{member, "接访 记录 JF-2026-0001 接待3批7人 当场答复1件", msg{}, "JF-2026-0001", 0},
		{member, "督查 交办 区住建局 措施不落实 过渡费未按期发放 要求:十个工作日内发放到位", msg{}, "DC-", 0},
		{member, "会诊 安排 3月25日 上午 主持:@周某 单位:区住建局 案件:%s 回迁安置遗留问题", mention(leader), "HZ-", 0},
		{member, "方案 起草 %s 症结:补偿标准争议 依据:条例 目标:息诉罢访 目标日:2026-05-30", msg{}, "方案", 0},
		{admin, "成员 请假 @钱秀兰 3月%d日至3月31日 代理:@赵建 参加培训", mention(member2, member), "请假", 0},
		{member, "回访 %s 电话回访，信访人满意", msg{}, "回访", 0},
		{member, "受理 %s", msg{}, "受理", 0},
	}
	// A reception today, for the cases registered at it (新建 … 接访:).
	wantIn(t, h.reply(member, "接访 安排 @周某 3月16日 下午", mention(leader)), "JF-2026-0001")
	for _, tt := range tests {
		name := strings.Fields(tt.text)[0]
		if f := strings.Fields(tt.text); len(f) > 1 && !strings.Contains(f[1], "%") && len(f[1]) <= 6 {
			name += " " + f[1]
		}
		t.Run(name, func(t *testing.T) {
			var n int64
			var r string
			for run := 0; run < 2; run++ {
				text := tt.text
				switch {
				case strings.Contains(text, "%s"):
					text = fmt.Sprintf(text, h.newCase(fmt.Sprintf("计数用案件%d", h.seq)))
				case strings.Contains(text, "%d"):
					text = fmt.Sprintf(text, 23+run) // 3月23日, 24日: working days ahead
				}
				n, r = h.trips(tt.who, text, tt.o)
			}
			wantIn(t, r, tt.want)
			t.Logf("%d round trips", n)
			if max := cmp.Or(tt.max, 2); n > int64(max) {
				t.Errorf("%d Redis round trips from event to reply, want at most %d", n, max)
			}
		})
	}
}
