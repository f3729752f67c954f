package handlers_test

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/store"
)

// Whole personal numbers, as a group must never read them.
var (
	// Ten digits of a mobile are as good as eleven: a clipped echo counts.
	wholeMobile = regexp.MustCompile(`(^|[^0-9])1[3-9][0-9]{8,9}([^0-9]|$)`)
	wholeID     = regexp.MustCompile(`[0-9]{17}[0-9X]`)
)

// leaks reports what of a phone or ID number shows whole in s (digits
// joined across spaces and dashes, full-width folded, as a reader would).
func leaks(s string) string {
	// JSON's escapes first: \u0026 before a number must not hide it.
	s = strings.NewReplacer(`\u0026`, "&", `\u003c`, "<", `\u003e`, ">", `\u003C`, "<", `\u003E`, ">").Replace(s)
	t := strings.NewReplacer(" ", "", "-", "", "\u00a0", "").Replace(strings.ToUpper(xfbot.Normalize(s)))
	if m := wholeMobile.FindString(t); m != "" {
		return m
	}
	return wholeID.FindString(t)
}

func groupMsg() msg { return msg{group: true} }

// toGroup returns what out sent to the task-force group: replies in the
// group and notices to it.
func toGroup(out []store.OutboundMessage) []store.OutboundMessage {
	var r []store.OutboundMessage
	for _, m := range out {
		if m.ChatID == groupChat || m.ReceiveID == groupChat {
			r = append(r, m)
		}
	}
	return r
}

func TestFreeTextIsMaskedForTheGroup(t *testing.T) {
	h := newHarness(t)
	out := h.say(member, "新建 桂园社区回迁房延期交付 信访人:何春明 电话:13987654321 单位:区住建局")
	no := xfbot.CaseNo(regexp.MustCompile(`XF-\d{4}-\d{4}`).FindString(out[0].Text))
	out = append(out, h.say(member, "进展 "+string(no)+" 已电话联系何春明（13987654321），身份证 110101195001011239，约定周五面谈")...)
	wantIn(t, out[len(out)-1].Text, "提示：文字中含有电话或身份证号")
	out = append(out, h.say(member, "化解 "+string(no)+" 何春明签订协议，联系电话 0871-65123456")...)
	out = append(out, h.say(member, "查看 "+string(no), groupMsg())...)
	out = append(out, h.say(member, "历史 "+string(no), groupMsg())...)
	group := toGroup(out)
	if len(group) < 3 {
		t.Fatalf("group got %d messages: %+v", len(group), out)
	}
	for _, m := range group {
		for _, s := range []string{m.Text, m.Content} {
			wantNotIn(t, s, "13987654321", "110101195001011239", "何春明", "65123456")
		}
	}
	wantIn(t, group[len(group)-2].Text, "何某", "139****4321")
	// In private the member reads the phone; the ID only by its last four.
	private := h.reply(member, "查看 "+string(no))
	wantIn(t, private, "何春明", "13987654321", "1239")
	wantNotIn(t, private, "110101195001011239")
	// A viewer reads it masked in private too.
	wantNotIn(t, h.reply(viewer, "历史 "+string(no)), "13987654321", "何春明", "110101195001011239")
}

func TestFieldsWithoutColons(t *testing.T) {
	h := newHarness(t)
	out := h.say(member, "新建 拖欠工资 信访人 王五 电话 13812345678")
	wantIn(t, out[0].Text, "已登记")
	c := h.load("XF-2026-0001")
	if c.Title != "拖欠工资" || c.Petitioner.Name != "王五" || c.Petitioner.Phone != "13812345678" {
		t.Fatalf("parsed as %q / %+v", c.Title, c.Petitioner)
	}
	for _, m := range toGroup(out) {
		wantNotIn(t, m.Text+m.Content, "13812345678", "王五")
	}
	h.reply(member, "新建 拖欠工资 电话13812345678")
	if c := h.load("XF-2026-0002"); c.Title != "拖欠工资" || c.Petitioner.Phone != "13812345678" {
		t.Fatalf("glued phone parsed as %q / %+v", c.Title, c.Petitioner)
	}
	wantIn(t, h.reply(member, "新建 拖欠工资 电话"), "字段“电话”没有写值")
	for _, text := range []string{"新建 拖欠工资 联系方式:13812345678", "新建 拖欠工资 身份证号码:110101195001011239", "新建 拖欠工资 单位:区住建局 联系人:王五"} {
		wantIn(t, h.reply(member, text), "不认识的字段")
	}
	// An ordinary word of a title stays in it.
	h.reply(member, "新建 小区 到期 未交房")
	if c := h.load("XF-2026-0003"); c.Title != "小区 到期 未交房" {
		t.Fatalf("title %q", c.Title)
	}
}

func TestGroupRegistrationWithPersonalDataIsRefused(t *testing.T) {
	h := newHarness(t)
	for _, text := range []string{
		"新建 拖欠工资 信访人:王五 电话:13812345678",
		"新建 拖欠工资 身份证:110101195001011239",
		"新建 拖欠工资 电话 13812345678",
		"新建 王五13812345678反映拖欠工资",
	} {
		out := h.say(member, text, groupMsg())
		wantIn(t, out[0].Text, "请在与机器人的私聊中登记", "本条未登记")
		wantNotIn(t, out[0].Text, "13812345678", "110101195001011239")
	}
	if n := h.newCase("群里登记的第一件"); n != "XF-2026-0001" {
		t.Fatalf("a refused registration took a number: %s", n)
	}
}

func TestErrorEchoesAreMaskedInTheGroup(t *testing.T) {
	h := newHarness(t)
	r := h.reply(member, "新建 拖欠工资 类别:13812345678", groupMsg())
	wantIn(t, r, "类别", "138****5678")
	wantNotIn(t, r, "13812345678")
	// A clipped echo shows no ten of the eleven digits.
	r = h.reply(member, "新建 标题 性质:13812345678", groupMsg())
	wantNotIn(t, r, "1381234567")
	// An escape in the card's JSON (& is \u0026) hides no number from the mask.
	for _, text := range []string{"列表 &13812345678", "列表 <110101195001011239"} {
		out := h.say(member, text, groupMsg())
		wantNotIn(t, out[0].Content, "13812345678", "110101195001011239")
	}
	// The usage examples carry no real-format number.
	for _, verb := range []string{"新建", "进展", "延期", "期限"} {
		if l := leaks(h.reply(member, "帮助 "+verb)); l != "" {
			t.Errorf("帮助 %s shows %q", verb, l)
		}
	}
}

func TestIDNumbersAreValidated(t *testing.T) {
	h := newHarness(t)
	r := h.reply(member, "新建 拖欠工资 身份证:110101195001011234")
	wantIn(t, r, "校验")
	wantNotIn(t, r, "110101195001011234")
	wantIn(t, h.reply(member, "新建 拖欠工资 身份证:110101195002301239"), "出生日期")
	wantIn(t, h.reply(member, "新建 拖欠工资 身份证:110101202701011232"), "在今天之后") // check digit right, born 2027
	// Full-width digits and a lower-case x are read; this one's check digit is wrong.
	wantIn(t, h.reply(member, "新建 拖欠工资 身份证:１１０１０１１９５００１０１１２３ｘ"), "校验码")
	h.reply(member, "新建 拖欠工资 身份证:110101-19500101-1239")
	if c := h.load("XF-2026-0001"); c.Petitioner.IDCard != "110101195001011239" {
		t.Fatalf("id %q", c.Petitioner.IDCard)
	}
}

// 检举控告: no name nor contact of the accuser in a group, to any liaison,
// or to a member seconded from the accused unit (条例第三十条).
func TestAccuserStaysAnonymous(t *testing.T) {
	h := newHarness(t)
	seconded := xfbot.Person{OpenID: "ou_m3", Name: "孙丽"}
	h.reply(admin, "成员 添加 @孙丽 专班成员 区住建局", msg{mentions: []xfbot.Person{seconded}})
	out := h.say(member, "新建 举报工程违规分包 信访人:李建华 电话:13812345678 单位:区住建局 性质:检举控告")
	no := string(regexp.MustCompile(`XF-\d{4}-\d{4}`).FindString(out[0].Text))
	h.say(member, "进展 "+no+" 李建华补充了材料")
	for _, m := range toGroup(out) {
		wantNotIn(t, m.Text+m.Content, "李", "138****5678", "13812345678")
	}
	for _, r := range []string{
		h.reply(member, "查看 "+no, groupMsg()),
		h.reply(liaison, "查看 "+no),
		h.reply(seconded, "查看 "+no),
		h.reply(seconded, "历史 "+no),
	} {
		wantIn(t, r, "匿名信访人")
		wantNotIn(t, r, "李建华", "138****5678", "13812345678")
	}
	wantIn(t, h.reply(member, "查看 "+no), "李建华", "13812345678")
}

// For random free text with phone and ID numbers in it, no group rendering
// (card, text, history, error, notice) shows one whole.
func TestGroupRenderingsNeverShowWholeNumbers(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 2026))
	numbers := func() string {
		m := fmt.Sprintf("1%d%09d", 3+r.IntN(7), r.IntN(1e9))
		id := fmt.Sprintf("110101%04d%02d%02d%03d", 1940+r.IntN(60), 1+r.IntN(12), 1+r.IntN(28), r.IntN(1000))
		forms := []string{m, m[:3] + " " + m[3:7] + " " + m[7:], m[:3] + "-" + m[3:7] + "-" + m[7:], "+86" + m,
			xfbot.Normalize(m), toFullWidth(m), id + "X", id[:6] + " " + id[6:14] + " " + id[14:] + "1"}
		return forms[r.IntN(len(forms))]
	}
	words := []string{"已电话联系", "信访人", "（", "）", "，", "约谈", "身份证", "手机", "情绪平稳", "", "号码", "&", "<", ">", "*", "_", "#"}
	text := func() string {
		var b strings.Builder
		for range 1 + r.IntN(5) {
			b.WriteString(words[r.IntN(len(words))])
			b.WriteString(numbers())
			b.WriteString(words[r.IntN(len(words))])
		}
		return b.String()
	}
	h := newHarness(t)
	no := string(h.newCase("随机文本 单位:区住建局"))
	for i := range 40 {
		t1, t2 := text(), text()
		var out []store.OutboundMessage
		out = append(out, h.say(member, "进展 "+no+" "+t1)...)
		out = append(out, h.say(member, "进展 "+no+" "+t2, groupMsg())...)
		out = append(out, h.say(member, "新建 "+xfbot.Clip(t1, 38), groupMsg())...)
		out = append(out, h.say(member, "类别 "+no+" "+t2, groupMsg())...)
		out = append(out, h.say(member, "列表 "+t1, groupMsg())...)
		out = append(out, h.say(member, "新建 标题 性质:"+t2, groupMsg())...)
		out = append(out, h.say(member, "标签 "+no+" "+t1, groupMsg())...)
		out = append(out, h.say(member, "查看 "+no, groupMsg())...)
		if i%10 == 0 {
			out = append(out, h.say(member, "历史 "+no, groupMsg())...)
		}
		for _, m := range toGroup(out) {
			if l := leaks(m.Text); l != "" {
				t.Fatalf("group text shows %q after %q / %q:\n%s", l, t1, t2, m.Text)
			}
			if l := leaks(m.Content); l != "" {
				t.Fatalf("group card shows %q after %q / %q", l, t1, t2)
			}
		}
	}
}

func toFullWidth(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '!' && r <= '~' {
			return r + 0xfee0
		}
		return r
	}, s)
}
