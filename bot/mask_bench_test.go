package bot_test

import (
	"testing"
	"time"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/bot"
)

// BenchmarkGroupCaseCard is what a group's 查看 costs in rendering: the card
// with three entries for the group's audience (free text through MaskText)
// and the edge guard over every string of the card (ForGroup).
func BenchmarkGroupCaseCard(b *testing.B) {
	at := time.Date(2026, 3, 16, 9, 0, 0, 0, time.UTC)
	c := &xfbot.Case{No: "XF-2026-0012", Title: "桂园社区回迁安置房延期交付", Category: "land_demolition", Unit: "区住建局", Area: "云溪街道",
		Petitioner: xfbot.Petitioner{Name: "何春明", Phone: "13987654321", IDCard: "110101195001011239"}, Status: xfbot.StatusHandling,
		AcceptedOn: xfbot.NewDate(2026, 3, 1), Due: xfbot.NewDate(2026, 4, 30), CreatedAt: at, Owner: xfbot.Person{OpenID: "ou_m1", Name: "赵建"},
		ExtensionDays: 20, ExtensionReason: "需第三方评估，已告知信访人"}
	entry := "3月12日会同云溪街道约谈开发商，已电话联系何春明（13987654321），明确4月30日前完成消防验收，信访人情绪平稳，同意等待评估结果。"
	recent := []xfbot.Progress{{At: at, Author: c.Owner, Kind: xfbot.KindProgress, Text: entry},
		{At: at, Author: c.Owner, Kind: xfbot.KindVisit, Text: entry}, {At: at, Author: c.Owner, Kind: xfbot.KindProgress, Text: entry}}
	v := bot.View{Audience: xfbot.GroupAudience, ChatID: "oc_group", Today: xfbot.NewDate(2026, 3, 16), Thresholds: xfbot.DefaultThresholds}
	b.ReportAllocs()
	for b.Loop() {
		_, card := bot.ForGroup("", bot.CaseCard(c, recent, v))
		js, err := card.JSON()
		if err != nil || len(js) == 0 {
			b.Fatal(err)
		}
	}
}

// BenchmarkPrivateCaseCard is the same card for a member in private, with
// no edge guard: the baseline the group's costs compare with.
func BenchmarkPrivateCaseCard(b *testing.B) {
	at := time.Date(2026, 3, 16, 9, 0, 0, 0, time.UTC)
	c := &xfbot.Case{No: "XF-2026-0012", Title: "桂园社区回迁安置房延期交付", Category: "land_demolition", Unit: "区住建局", Area: "云溪街道",
		Petitioner: xfbot.Petitioner{Name: "何春明", Phone: "13987654321", IDCard: "110101195001011239"}, Status: xfbot.StatusHandling,
		AcceptedOn: xfbot.NewDate(2026, 3, 1), Due: xfbot.NewDate(2026, 4, 30), CreatedAt: at, Owner: xfbot.Person{OpenID: "ou_m1", Name: "赵建"}}
	entry := "3月12日会同云溪街道约谈开发商，已电话联系何春明（13987654321），明确4月30日前完成消防验收，信访人情绪平稳，同意等待评估结果。"
	recent := []xfbot.Progress{{At: at, Author: c.Owner, Kind: xfbot.KindProgress, Text: entry},
		{At: at, Author: c.Owner, Kind: xfbot.KindVisit, Text: entry}, {At: at, Author: c.Owner, Kind: xfbot.KindProgress, Text: entry}}
	v := bot.View{Audience: xfbot.Audience{Role: xfbot.RoleMember}, ChatID: "oc_p2p", Today: xfbot.NewDate(2026, 3, 16), Thresholds: xfbot.DefaultThresholds}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := bot.CaseCard(c, recent, v).JSON(); err != nil {
			b.Fatal(err)
		}
	}
}
