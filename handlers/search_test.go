package handlers_test

import (
	"context"
	"strings"
	"testing"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/internal/testredis"
)

// searchLedger registers the cases the search tests look for.
func searchLedger(t *testing.T) *harness {
	h := newHarness(t)
	h.newCase("桂园社区回迁安置房延期交付 信访人:张建国 电话:13812345678 身份证:11010519491231002X 单位:区住建局 属地:云溪街道")
	h.newCase("拖欠农民工工资 信访人:李四 电话:13900005678 单位:区人社局 属地:春风街道")
	return h
}

func TestSearch(t *testing.T) {
	h := searchLedger(t)
	zhang := "🟢 XF-2026-0001 桂园社区回迁安置房延期交付 · 办理中 · 2026-05-15（剩 60 天） · 张建国"
	li := "🟢 XF-2026-0002 拖欠农民工工资 · 办理中 · 2026-05-15（剩 60 天） · 李四"
	more := "发送“查看 案件号”看详情。"
	for _, tc := range []struct {
		name, typed, want string
	}{
		{"ByName", "搜索 张建国", "【搜索“张建国”（共 1 件）】\n" + zhang + "\n" + more},
		{"ByPhoneTail", "搜索 5678", "【搜索“5678”（共 2 件）】\n" + li + "\n" + zhang + "\n" + more},
		{"ByPhoneMiddle", "搜索 381234", "【搜索“381234”（共 1 件）】\n" + zhang + "\n" + more},
		{"ByWholePhone", "搜索 138 1234 5678", "【搜索“138****5678”（共 1 件）】\n" + zhang + "\n" + more},
		{"ByID", "搜索 11010519491231002x", "【搜索“[身份证号]”（共 1 件）】\n" + zhang + "\n" + more},
		{"ByOldID", "搜索 110105491231002", "【搜索“[身份证号]”（共 1 件）】\n" + zhang + "\n" + more},
		{"ByTitleWord", "搜索 回迁安置", "【搜索“回迁安置”（共 1 件）】\n" + zhang + "\n" + more},
		{"BySerial", "搜索 2", "【搜索“2”（共 1 件）】\n" + li + "\n" + more},
		{"ByCaseNo", "搜索 xf-2026-1", "【搜索“xf-2026-1”（共 1 件）】\n" + zhang + "\n" + more},
		{"NothingByName", "搜索 王五", "【搜索“王五”（共 0 件）】\n没有找到相符的案件。\n提示：姓名请写全名（张建国）；也会按标题和进展中的词查找。"},
		{"NothingByPhone", "搜索 7654321", "【搜索“7654321”（共 0 件）】\n没有找到相符的案件。\n提示：电话可以只写其中连续 4 位以上，例如尾号：搜索 5678。"},
		{"NothingByWord", "搜索 物业收费纠纷", "【搜索“物业收费纠纷”（共 0 件）】\n没有找到相符的案件。\n提示：关键词按标题和进展中的词查找：换一个词或少写几个字试试，例如 搜索 回迁。"},
		{"Empty", "搜索", "请写要搜索的内容：信访人姓名、电话（可只写其中几位）、身份证号、标题或进展中的词、案件号。例如：搜索 张建国、搜索 5678、搜索 回迁安置\n用法：搜索 <姓名|电话（可只写几位）|身份证号|标题或进展中的词|案件号>\n例如：搜索 回迁安置"},
		{"TooShort", "搜索 房", "“房”太短，找不到词：关键词至少写两个汉字或两个字母，例如 搜索 回迁、搜索 拆迁补偿。\n用法：搜索 <姓名|电话（可只写几位）|身份证号|标题或进展中的词|案件号>\n例如：搜索 回迁安置"},
		{"BadID", "搜索 110105194912310021", "身份证号（尾号 0021）有误：最后一位校验码不对，请逐位核对号码（常见是抄错或漏写一位）。\n用法：搜索 <姓名|电话（可只写几位）|身份证号|标题或进展中的词|案件号>\n例如：搜索 回迁安置"},
		{"TooManyDigits", "搜索 6222020200112233", "“622202020011…”有 16 位数字：电话最多 12 位，身份证号是 18 位（旧号码 15 位）。请核对后重写，电话也可以只写其中 4 位以上。\n用法：搜索 <姓名|电话（可只写几位）|身份证号|标题或进展中的词|案件号>\n例如：搜索 回迁安置"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := h.reply(member, tc.typed); got != tc.want {
				t.Errorf("%s:\n got %q\nwant %q", tc.typed, got, tc.want)
			}
		})
	}
}

func TestSearchProgressWords(t *testing.T) {
	h := searchLedger(t)
	h.reply(member, "进展 1 已约谈开发商，张建国来电13812345678表示同意等待")
	got := h.reply(member, "搜索 开发商")
	wantIn(t, got, "（共 1 件）", "XF-2026-0001")
	// The name and the phone typed into the entry are not plain words of the index.
	keys := testredis.Keys(t, h.rdb, "{"+h.prefix+"}:v1:q:w:*")
	if len(keys) == 0 {
		t.Fatalf("keys %v", keys)
	}
	for _, k := range keys {
		wantNotIn(t, k, "张建", "建国", "1381", "5678")
	}
}

// A reader finds by personal data only what the reader sees on the card.
func TestSearchByRole(t *testing.T) {
	h := searchLedger(t)
	t.Run("ViewerByPhone", func(t *testing.T) {
		got := h.reply(viewer, "搜索 13812345678")
		want := "您的角色是观察员，看到的信访人电话是脱敏的，不能按电话搜索。可以按案件号、信访人姓名（联络员）、标题或进展中的词搜索，例如：搜索 回迁安置。"
		if got != want {
			t.Errorf("got %q", got)
		}
	})
	t.Run("ViewerByID", func(t *testing.T) {
		wantIn(t, h.reply(viewer, "搜索 11010519491231002X"), "不能按身份证号搜索")
	})
	t.Run("ViewerByNameFindsWordsOnly", func(t *testing.T) {
		got := h.reply(viewer, "搜索 张建国")
		want := "【搜索“张建国”（共 0 件）】\n没有找到相符的案件。\n提示：换一个标题或进展中的词试试，例如 搜索 回迁。\n观察员看到的信访人姓名是脱敏的，这里只按标题和进展中的词查找。"
		if got != want {
			t.Errorf("got %q", got)
		}
	})
	t.Run("ViewerSerialIsNoPhone", func(t *testing.T) {
		got := h.reply(viewer, "搜索 5678")
		wantIn(t, got, "（共 0 件）", "只按序号查找")
		wantNotIn(t, got, "XF-2026-0001", "XF-2026-0002")
	})
	t.Run("ViewerByWordMasked", func(t *testing.T) {
		got := h.reply(viewer, "搜索 回迁")
		if want := "【搜索“回迁”（共 1 件）】\n🟢 XF-2026-0001 桂园社区回迁安置房延期交付 · 办理中 · 2026-05-15（剩 60 天） · 张某\n观察员看到的信访人姓名是脱敏的，这里只按标题和进展中的词查找。 发送“查看 案件号”看详情。"; got != want {
			t.Errorf("got %q", got)
		}
	})
	t.Run("LiaisonOwnUnit", func(t *testing.T) {
		got := h.reply(liaison, "搜索 张建国")
		if want := "【搜索“张建国”（共 1 件）】\n🟢 XF-2026-0001 桂园社区回迁安置房延期交付 · 办理中 · 2026-05-15（剩 60 天） · 张建国\n联络员只能搜到本单位（区住建局）的案件。 发送“查看 案件号”看详情。"; got != want {
			t.Errorf("got %q", got)
		}
	})
	t.Run("LiaisonOtherUnit", func(t *testing.T) {
		for _, typed := range []string{"搜索 李四", "搜索 工资", "搜索 2", "搜索 XF-2026-0002"} {
			got := h.reply(liaison, typed)
			wantIn(t, got, "（共 0 件）", "联络员只能搜到本单位（区住建局）的案件。")
			wantNotIn(t, got, "🟢 XF-2026-0002", "· 李四")
		}
		wantIn(t, h.reply(liaison, "搜索 13900005678"), "您的角色是联络员", "不能按电话搜索")
	})
	t.Run("Group", func(t *testing.T) {
		if got := h.reply(member, "搜索 张建国", groupMsg()); got != "“搜索”只能在私聊中使用：内容可能含有信访人信息，请在与机器人的私聊中办理。" {
			t.Errorf("got %q", got)
		}
	})
	t.Run("AccuserHiddenFromTheAccusedUnit", func(t *testing.T) {
		h.reply(admin, "成员 添加 @赵建 专班成员 区住建局", msg{mentions: []xfbot.Person{member}})
		h.reply(admin, "新建 举报某科长收受好处 性质:检举控告 信访人:张建国 电话:13812345678 单位:区住建局")
		got := h.reply(member, "搜索 张建国")
		wantIn(t, got, "（共 1 件）", "XF-2026-0001")
		wantNotIn(t, got, "XF-2026-0003")
		wantIn(t, h.reply(admin, "搜索 张建国"), "（共 2 件）", "XF-2026-0003")
		// By its words the accusation is found, its accuser not named.
		got = h.reply(member, "搜索 收受好处")
		wantIn(t, got, "XF-2026-0003", "匿名信访人")
		wantNotIn(t, got, "张建国")
	})
}

// The audit says who searched by what kind, never what was typed.
func TestSearchAudit(t *testing.T) {
	h := searchLedger(t)
	h.reply(member, "搜索 13812345678")
	h.reply(member, "搜索 11010519491231002X")
	h.reply(member, "搜索 张建国")
	es, err := h.rdb.XRange(context.Background(), h.auditKey(), "-", "+").Result()
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, e := range es {
		m, _ := e.Values["m"].(string)
		if !strings.Contains(m, "搜索") {
			continue
		}
		wantNotIn(t, m, "13812345678", "5678", "11010519491231002X", "002X", "张建国")
		kinds = append(kinds, m)
	}
	if len(kinds) != 3 {
		t.Fatalf("audit has %d searches: %v", len(kinds), kinds)
	}
	wantIn(t, strings.Join(kinds, "\n"), `"search:电话"`, `"search:身份证号"`, `"search:姓名或关键词"`, `"ou_m1"`, `"1 件"`)
}

// 新建 tells of the same petitioner's other cases, links them and tags a
// repeat of a concluded matter 重复信访, counted once.
func TestRepeatPetition(t *testing.T) {
	h := newHarness(t)
	first := h.newCase("桂园社区回迁安置房延期交付 类别:征地拆迁 信访人:张建国 电话:13812345678 单位:区住建局 属地:云溪街道")
	h.reply(member, "化解 "+string(first)+" 已签订协议")

	t.Run("OtherMatterLinkedNotTagged", func(t *testing.T) {
		got := h.reply(member, "新建 物业收费纠纷 信访人:张建国 电话:13812345678 单位:区住建局 属地:云溪街道")
		if want := "已登记 XF-2026-0002\n此信访人另有 1 件：XF-2026-0001（已化解）。已关联，案件卡片上可见。"; !strings.HasPrefix(got, want+"\n") {
			t.Errorf("got %q", got)
		}
		if c := h.load("XF-2026-0002"); c.HasTag(xfbot.TagRepeat) || len(c.Related) != 1 || c.Related[0] != first {
			t.Errorf("tags %v related %v", c.Tags, c.Related)
		}
	})
	t.Run("SameMatterTagged", func(t *testing.T) {
		got := h.reply(member, "新建 回迁房又延期交付 类别:征地拆迁 信访人:张建国 身份证:11010519491231002X 电话:13812345678 单位:区住建局 属地:云溪街道")
		if want := "已登记 XF-2026-0003\n此信访人另有 2 件：XF-2026-0002（办理中）、XF-2026-0001（已化解）；与已化解的 XF-2026-0001 事项相同，已标记“重复信访”。已关联，案件卡片上可见。"; !strings.HasPrefix(got, want+"\n") {
			t.Errorf("got %q", got)
		}
		c := h.load("XF-2026-0003")
		if !c.HasTag(xfbot.TagRepeat) || len(c.Related) != 2 {
			t.Errorf("tags %v related %v", c.Tags, c.Related)
		}
		wantIn(t, h.reply(member, "查看 1"), "关联案件：XF-2026-0002、XF-2026-0003")
		wantIn(t, h.reply(member, "查看 3"), "关联案件：XF-2026-0002、XF-2026-0001", "标签：重复信访")
	})
	t.Run("CountedOnce", func(t *testing.T) {
		before := h.reply(admin, "统计 本月")
		wantIn(t, before, "重复信访 1 件（33.3%）")
		wantIn(t, h.reply(member, "标签 3 重复信访"), "重复信访")
		wantIn(t, h.reply(admin, "统计 本月"), "重复信访 1 件（33.3%）")
	})
	t.Run("GroupMaybeByNameAndArea", func(t *testing.T) {
		out := h.say(member, "新建 噪音扰民 信访人:张建国 属地:云溪街道", groupMsg())
		got := out[0].Text
		if want := "已登记 XF-2026-0004\n可能是同一信访人（同名、同属地，未核实）：XF-2026-0003（办理中）、XF-2026-0002（办理中）、XF-2026-0001（已化解）。"; !strings.HasPrefix(got, want+"\n") {
			t.Errorf("got %q", got)
		}
		for _, m := range out {
			wantNotIn(t, m.Text+m.Content, "13812345678", "张建国")
		}
		if c := h.load("XF-2026-0004"); len(c.Related) != 0 || c.HasTag(xfbot.TagRepeat) {
			t.Errorf("a weak match linked or tagged: %v %v", c.Related, c.Tags)
		}
	})
	t.Run("LiaisonToldOfOwnUnitOnly", func(t *testing.T) {
		h.reply(member, "新建 养老保险补缴 信访人:张建国 电话:13812345678 单位:区人社局 属地:春风街道")
		got := h.reply(liaison, "新建 回迁房漏水 信访人:张建国 电话:13812345678")
		wantIn(t, got, "已登记 XF-2026-0006", "此信访人另有 3 件：XF-2026-0003（办理中）、XF-2026-0002（办理中）、XF-2026-0001（已化解）")
		wantNotIn(t, got, "XF-2026-0005", "关联案件")
		wantIn(t, h.reply(member, "查看 6"), "关联案件：XF-2026-0005、XF-2026-0003、XF-2026-0002、XF-2026-0001")
	})
	t.Run("AccusationNotLinked", func(t *testing.T) {
		got := h.reply(admin, "新建 举报某科长收受好处 性质:检举控告 信访人:张建国 电话:13812345678 单位:区城管局")
		wantIn(t, got, "已登记 XF-2026-0007", "此信访人另有")
		wantNotIn(t, got, "已关联")
		if c := h.load("XF-2026-0007"); len(c.Related) != 0 {
			t.Errorf("an accusation linked: %v", c.Related)
		}
		// Nor named to the next registration by a member of the accused unit.
		h.reply(admin, "成员 添加 @钱秀兰 专班成员 区城管局", msg{mentions: []xfbot.Person{member2}})
		got = h.reply(member2, "新建 违建拆除争议 信访人:张建国 电话:13812345678 单位:区城管局")
		wantIn(t, got, "已登记 XF-2026-0008", "此信访人另有")
		wantNotIn(t, got, "XF-2026-0007")
	})
}
