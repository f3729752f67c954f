package bot

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/qingchuan/xfbot"
)

// TestCardJSONFast holds appendCard to encoding/json's bytes for the same
// card's tree: case cards of every kind of case and audience, and cards of
// every shape appendCard takes, with strings of every kind encoding/json
// escapes.
func TestCardJSONFast(t *testing.T) {
	check := func(t *testing.T, c *Card) {
		t.Helper()
		got, ok := appendCard(nil, c)
		if !ok {
			return
		}
		want, err := marshalTree(new(bytes.Buffer), c.tree())
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != want {
			t.Fatalf("appendCard differs from encoding/json:\n got %s\nwant %s", got, want)
		}
	}
	at := time.Date(2026, 3, 16, 9, 0, 0, 0, time.UTC)
	cases := []*xfbot.Case{
		{No: "XF-2026-0012", Title: "桂园社区回迁安置房延期交付", Category: "land_demolition", Unit: "区住建局", Area: "云溪街道",
			Petitioner: xfbot.Petitioner{Name: "何春明", Phone: "13987654321", IDCard: "110101195001011239"}, Status: xfbot.StatusHandling,
			AcceptedOn: xfbot.NewDate(2026, 3, 1), Due: xfbot.NewDate(2026, 3, 10), CreatedAt: at, Owner: xfbot.Person{OpenID: "ou_m1", Name: "赵建"},
			ExtensionDays: 20, ExtensionReason: "需第三方评估 <b>&\"quoted\"\\ \u2028 \x01", Tags: []xfbot.Tag{"bone"}, Attachments: 2, Result: "已化解*_~`[]#$",
			Related: []xfbot.CaseNo{"XF-2026-0001", "XF-2026-0002"}},
		{No: "XF-2026-0013", Title: "bad \xff\xfe utf-8 \t\n\r\b\f", Status: xfbot.StatusResolved, CreatedAt: at},
		{No: "XF-2026-0014", Title: "closed", Status: xfbot.StatusClosed, CreatedAt: at, Screening: "petition", Hardship: true},
	}
	recent := []xfbot.Progress{{At: at, Author: xfbot.Person{Name: "赵<建>"}, Kind: xfbot.KindProgress, Text: "约谈 13987654321 & <at id=all></at>"}}
	views := []View{
		{Audience: xfbot.GroupAudience, ChatID: "oc_group", Today: xfbot.NewDate(2026, 3, 16), Thresholds: xfbot.DefaultThresholds},
		{Audience: xfbot.Audience{Role: xfbot.RoleMember}, ChatID: "oc_p2p", Today: xfbot.NewDate(2026, 3, 16), Thresholds: xfbot.DefaultThresholds},
		{Audience: xfbot.Audience{Role: xfbot.RoleViewer}, ChatID: "oc_p2p", Today: xfbot.NewDate(2026, 3, 16), Thresholds: xfbot.DefaultThresholds},
		{Audience: xfbot.Audience{Role: xfbot.RoleLiaison, Unit: "区住建局"}, ChatID: "oc_p2p", Today: xfbot.NewDate(2026, 3, 16), Thresholds: xfbot.DefaultThresholds},
	}
	for _, c := range cases {
		for _, v := range views {
			for _, r := range [][]xfbot.Progress{nil, recent} {
				card := CaseCard(c, r, v)
				check(t, card)
				_, g := ForGroup("", card)
				check(t, g)
				card.Subtitle = "✅ 已记录进展"
				check(t, card)
			}
		}
	}
	check(t, &Card{}) // no elements at all
	check(t, &Card{Title: "x", Fields: []Field{{"一", ""}}, Tags: []Tag{{"a", ""}, {"b", "red"}, {"c", ""}, {"d", ""}}})

	// Random cards of random strings: the escapes, markdown's characters,
	// invalid and multi-byte UTF-8.
	alphabet := []string{"a", "中", "\"", "\\", "<", ">", "&", "\n", "\t", "\x00", "\x1f", "\x7f", "\u2028", "\u2029", "\xff", "\xe4\xb8", "*", "_", "#", "😀", " ", "\ufffd"}
	r := rand.New(rand.NewPCG(1, 2))
	str := func() string {
		var b strings.Builder
		for range r.IntN(12) {
			b.WriteString(alphabet[r.IntN(len(alphabet))])
		}
		return b.String()
	}
	buttons := func() []Button {
		var bs []Button
		for range r.IntN(4) {
			b := Button{Text: str(), Kind: []string{"", "primary", "danger"}[r.IntN(3)], Action: str(), Value: map[string]string{}}
			for range r.IntN(5) {
				b.Value[str()] = str()
			}
			if r.IntN(2) == 0 {
				b.Value["a"] = str() // overridden by the action, as in the tree
			}
			if r.IntN(2) == 0 {
				b.Confirm = str()
			}
			bs = append(bs, b)
		}
		return bs
	}
	for range 2000 {
		c := &Card{Title: str(), Color: []string{"", "red"}[r.IntN(2)], Note: str()}
		if r.IntN(2) == 0 {
			c.Subtitle = str()
		}
		for range r.IntN(5) {
			c.Tags = append(c.Tags, Tag{str(), []string{"", "blue"}[r.IntN(2)]})
		}
		for range r.IntN(6) {
			c.Fields = append(c.Fields, Field{str(), str()})
		}
		for range r.IntN(3) {
			c.Sections = append(c.Sections, str())
		}
		for range r.IntN(3) {
			c.Items = append(c.Items, Item{Markdown: str(), Buttons: buttons()})
		}
		c.Buttons = buttons()
		check(t, c)
	}
}

// BenchmarkRenderCaseCard is a reply's rendering as the mux does it: the
// case card, then its JSON and its text (the fallback kept in the outbox).
func BenchmarkRenderCaseCard(b *testing.B) {
	at := time.Date(2026, 3, 16, 9, 0, 0, 0, time.UTC)
	c := &xfbot.Case{No: "XF-2026-0012", Title: "桂园社区回迁安置房延期交付", Category: "land_demolition", Unit: "区住建局", Area: "云溪街道",
		Petitioner: xfbot.Petitioner{Name: "何春明", Phone: "13987654321"}, Status: xfbot.StatusHandling,
		AcceptedOn: xfbot.NewDate(2026, 3, 1), Due: xfbot.NewDate(2026, 4, 30), CreatedAt: at}
	entry := "第 12 次约谈信访人，已答复诉求"
	recent := []xfbot.Progress{{At: at, Author: c.Owner, Kind: xfbot.KindProgress, Text: entry},
		{At: at, Author: c.Owner, Kind: xfbot.KindProgress, Text: entry}, {At: at, Author: c.Owner, Kind: xfbot.KindProgress, Text: entry}}
	v := View{Audience: xfbot.Audience{Role: xfbot.RoleMember}, ChatID: "oc_p2p", Today: xfbot.NewDate(2026, 3, 16), Thresholds: xfbot.DefaultThresholds}
	b.ReportAllocs()
	for b.Loop() {
		card := CaseCard(c, recent, v)
		card.Subtitle = "✅ 已记录进展"
		if om, ok := render("", card); !ok || om.MsgType != "interactive" {
			b.Fatal("not rendered")
		}
	}
}
