package bot_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/bot"
	"github.com/qingchuan/xfbot/internal/testredis"
	"github.com/qingchuan/xfbot/store"
)

// groupMux has a command group 接访 (subcommands with their own usage and
// rules, a Bare and a Fallback one), an admin-only group 排班 and a
// private-only group 来信; every handler echoes what the mux gave it.
type groupMux struct {
	t   *testing.T
	st  *store.Store
	mux *bot.Mux
	seq int
}

const (
	muxAdmin  = "ou_admin"
	muxMember = "ou_member"
	muxLeader = "ou_leader"
)

func newGroupMux(t *testing.T) *groupMux {
	t.Helper()
	rdb, prefix := testredis.New(t)
	st := store.New(rdb, prefix)
	g := &groupMux{t: t, st: st, mux: bot.NewMux(st, bot.MuxOptions{Admins: []string{muxAdmin}})}
	tx := st.NewTx()
	tx.PutMember(xfbot.Member{OpenID: muxMember, Name: "赵建", Role: xfbot.RoleMember})
	tx.PutMember(xfbot.Member{OpenID: muxLeader, Name: "周某", Role: xfbot.RoleLeader})
	if _, err := st.Commit(context.Background(), tx); err != nil {
		t.Fatal(err)
	}
	if err := st.EnsureOutboxGroup(context.Background()); err != nil {
		t.Fatal(err)
	}
	echo := bot.HandlerFunc(func(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
		return &bot.Reply{Text: fmt.Sprintf("verb=%s sub=%s args=%s", req.Verb, req.Sub, strings.Join(req.Args.Words, ","))}, nil
	})
	invalid := bot.HandlerFunc(func(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
		return nil, xfbot.Errorf(xfbot.EINVALID, "缺少接访编号。")
	})
	month := bot.HandlerFunc(func(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
		if _, err := xfbot.ParseMonth(req.Args.Word(0)); err != nil {
			return nil, bot.ErrNoSubcommand
		}
		return echo(ctx, req)
	})
	g.mux.Handle(bot.Route{Verb: "接访", Aliases: []string{"reception"}, Summary: "领导接访", Subs: []bot.Route{
		{Verb: "安排", Aliases: []string{"schedule"}, Staff: true, Write: true, Handler: echo,
			Args: "@领导 <日期>", Summary: "安排接访", Example: "接访 安排 @周某 4月1日"},
		{Verb: "记录", Staff: true, Write: true, Handler: invalid,
			Args: "<接访编号> 接待N批M人", Summary: "登记接访记录", Example: "接访 记录 JF-2026-0001 接待3批7人"},
		{Verb: "本月", Bare: true, Handler: echo, Summary: "本月排班表"},
		{Verb: "月份", Fallback: true, Handler: month, Args: "<YYYY-MM>", Summary: "某月排班表"},
	}})
	g.mux.Handle(bot.Route{Verb: "排班", Admin: true, Write: true, Summary: "排班", Subs: []bot.Route{
		{Verb: "确认", Aliases: []string{"confirm"}, Handler: echo, Args: "[YYYY-MM]", Summary: "确认排班"},
	}})
	g.mux.Handle(bot.Route{Verb: "来信", Private: true, Summary: "领导来信", Subs: []bot.Route{
		{Verb: "批示", Write: true, Handler: echo, Args: "<来信编号> <内容>", Summary: "批示"},
		{Verb: "列表", Bare: true, Handler: echo, Summary: "列表"},
	}})
	g.mux.HandleAction(bot.ActionRoute{Name: "letter.read", Verb: "来信 批示", Handler: echo})
	g.mux.HandleAction(bot.ActionRoute{Name: "roster.confirm", Verb: "排班 确认", Handler: echo})
	return g
}

// say sends text from who (in a group if group) and returns the reply's text.
func (g *groupMux) say(who, text string, group bool) string {
	g.t.Helper()
	g.seq++
	req := &bot.Request{EventID: fmt.Sprintf("ev%d", g.seq), MessageID: fmt.Sprintf("om_%d", g.seq), ChatID: "oc_p2p", Group: group,
		Sender: xfbot.Person{OpenID: who}, Text: text, Time: time.Date(2026, 3, 16, 9, 0, 0, 0, time.UTC), Via: bot.ViaChat}
	if err := g.mux.ServeMessage(context.Background(), req); err != nil {
		g.t.Fatalf("ServeMessage(%q): %v", text, err)
	}
	out := queued(g.t, g.st)
	if len(out) != 1 {
		g.t.Fatalf("%q queued %d messages, want the reply", text, len(out))
	}
	return out[0].Text
}

// click presses action as who, with the button's value v.
func (g *groupMux) click(who, action string, v map[string]string) string {
	g.t.Helper()
	g.seq++
	req := &bot.Request{EventID: fmt.Sprintf("card%d", g.seq), MessageID: "om_card", ChatID: "oc_p2p", Sender: xfbot.Person{OpenID: who},
		Time: time.Date(2026, 3, 16, 9, 0, 0, 0, time.UTC), Via: bot.ViaCard, Action: &bot.Action{Name: action, Value: v}}
	resp, err := g.mux.ServeAction(context.Background(), req)
	if err != nil {
		g.t.Fatalf("ServeAction(%s): %v", action, err)
	}
	return resp.Toast
}

func contains(t *testing.T, got string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("reply does not contain %q:\n%s", w, got)
		}
	}
}

func lacks(t *testing.T, got string, unwanted ...string) {
	t.Helper()
	for _, w := range unwanted {
		if strings.Contains(got, w) {
			t.Errorf("reply contains %q:\n%s", w, got)
		}
	}
}

func TestSubcommandRouting(t *testing.T) {
	g := newGroupMux(t)
	tests := []struct{ name, text, want string }{
		{"Word", "接访 安排 @周某 4月1日", "verb=接访 sub=安排 args=@周某,4月1日"},
		{"Alias", "reception schedule @周某 4月1日", "verb=接访 sub=安排 args=@周某,4月1日"},
		{"FullWidth", "接访\u3000ＳＣＨＥＤＵＬＥ\u3000@周某", "verb=接访 sub=安排 args=@周某"},
		{"Bare", "接访", "verb=接访 sub=本月 args="},
		{"FallbackTakesEveryWord", "接访 2026-04 其余", "verb=接访 sub=月份 args=2026-04,其余"},
		{"FallbackByItsWord", "接访 月份 2026-04", "verb=接访 sub=月份 args=2026-04"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := g.say(muxMember, tt.text, false); got != tt.want {
				t.Errorf("%q: got %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}

func TestUnknownSubcommand(t *testing.T) {
	g := newGroupMux(t)
	t.Run("ListsTheSubcommands", func(t *testing.T) {
		r := g.say(muxMember, "接访 飞", false)
		contains(t, r, "“接访”后面应写 安排、记录、本月，或 <YYYY-MM>", "没有“接访 飞”", "帮助 接访")
		lacks(t, r, "verb=")
	})
	t.Run("SuggestsTheNearest", func(t *testing.T) {
		contains(t, g.say(muxMember, "接访 schedul", false), "您是不是想用“接访 安排”")
	})
	t.Run("NoBareSubcommand", func(t *testing.T) {
		contains(t, g.say(muxAdmin, "排班", false), "“排班”后面应写 确认", "用法：排班 确认 [YYYY-MM]")
	})
}

func TestSubcommandUsageError(t *testing.T) {
	g := newGroupMux(t)
	r := g.say(muxMember, "接访 记录", false)
	contains(t, r, "缺少接访编号。", "用法：接访 记录 <接访编号> 接待N批M人", "例如：接访 记录 JF-2026-0001 接待3批7人")
	lacks(t, r, "安排", "<YYYY-MM>") // no other subcommand's usage
}

func TestSubcommandRules(t *testing.T) {
	g := newGroupMux(t)
	tests := []struct{ name, who, text, want string }{
		{"StaffRefusesALeader", muxLeader, "接访 安排 @周某 4月1日", "“接访 安排”由专班成员办理，您的角色是领导。"},
		{"StaffAdmitsAMember", muxMember, "接访 安排 @周某 4月1日", "sub=安排"},
		{"ReadOpenToALeader", muxLeader, "接访", "sub=本月"},
		{"GroupAdminInherited", muxMember, "排班 确认", "只有专班管理员可以执行“排班 确认”。"},
		{"GroupAdminAdmits", muxAdmin, "排班 confirm 2026-04", "sub=确认 args=2026-04"},
		{"StrangerFirst", "ou_nobody", "接访 安排", "还不是专班成员"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			contains(t, g.say(tt.who, tt.text, false), tt.want)
		})
	}
	t.Run("PrivateRefusedInAGroup", func(t *testing.T) {
		r := g.say(muxMember, "来信 批示 LX-2026-0001 同意", true)
		contains(t, r, "“来信 批示”只能在私聊中使用")
		lacks(t, r, "sub=")
		contains(t, g.say(muxMember, "来信 批示 LX-2026-0001 同意", false), "sub=批示")
	})
}

// A button naming a subcommand gets that subcommand's rule, the group's
// inherited.
func TestActionNamesASubcommand(t *testing.T) {
	g := newGroupMux(t)
	if v := g.mux.ActionVerb("letter.read"); v != "来信 批示" {
		t.Errorf("ActionVerb = %q", v)
	}
	tests := []struct {
		name, who, action string
		value             map[string]string
		want              string
	}{
		{"AdminOfTheGroup", muxMember, "roster.confirm", nil, "只有专班管理员可以执行“排班 确认”。"},
		{"PrivateCardClickedPrivately", muxMember, "letter.read", map[string]string{"id": "LX-2026-0001"}, "sub="},
		{"PrivateCardRenderedForAGroup", muxMember, "letter.read", map[string]string{"g": "1"}, "只能在私聊中使用"},
		{"PrivateCardForwarded", muxMember, "letter.read", map[string]string{"g": "0", "c": "oc_other"}, "只能在私聊中使用"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			contains(t, g.click(tt.who, tt.action, tt.value), tt.want)
		})
	}
}

func TestFind(t *testing.T) {
	g := newGroupMux(t)
	for name, want := range map[string]string{"接访": "接访", "接访 安排": "接访 安排", "reception schedule": "接访 安排", "接访\u3000记录": "接访 记录"} {
		if rt := g.mux.Find(name); rt == nil || rt.Name() != want {
			t.Errorf("Find(%q) = %v, want %s", name, rt, want)
		}
	}
	for _, name := range []string{"接访 飞", "飞", "接访 安排 多"} {
		if rt := g.mux.Find(name); rt != nil {
			t.Errorf("Find(%q) = %s, want none", name, rt.Name())
		}
	}
	rt := g.mux.Find("接访 安排")
	if rt.Usage() != "接访 安排 @领导 <日期>" || rt.Parent() == nil || rt.Parent().Verb != "接访" {
		t.Errorf("usage %q, parent %v", rt.Usage(), rt.Parent())
	}
	if u := g.mux.Find("接访 月份").Usage(); u != "接访 <YYYY-MM>" {
		t.Errorf("a Fallback's usage omits its word: %q", u)
	}
	if u := g.mux.Lookup("接访").Usage(); u != "接访 安排|记录|本月|月份" {
		t.Errorf("a group's usage names its subcommands: %q", u)
	}
}

func TestRegistrationPanics(t *testing.T) {
	h := bot.HandlerFunc(func(ctx context.Context, req *bot.Request) (*bot.Reply, error) { return nil, nil })
	tests := []struct {
		name string
		reg  func(m *bot.Mux)
	}{
		{"SubcommandWordTwice", func(m *bot.Mux) {
			m.Handle(bot.Route{Verb: "接访", Subs: []bot.Route{{Verb: "安排", Handler: h}, {Verb: "改期", Aliases: []string{"安排"}, Handler: h}}})
		}},
		{"FullWidthAliasTwice", func(m *bot.Mux) {
			m.Handle(bot.Route{Verb: "接访", Subs: []bot.Route{{Verb: "a", Handler: h}, {Verb: "b", Aliases: []string{"Ａ"}, Handler: h}}})
		}},
		{"TwoBare", func(m *bot.Mux) {
			m.Handle(bot.Route{Verb: "接访", Subs: []bot.Route{{Verb: "a", Bare: true, Handler: h}, {Verb: "b", Bare: true, Handler: h}}})
		}},
		{"TwoFallback", func(m *bot.Mux) {
			m.Handle(bot.Route{Verb: "接访", Subs: []bot.Route{{Verb: "a", Fallback: true, Handler: h}, {Verb: "b", Fallback: true, Handler: h}}})
		}},
		{"GroupWithAHandler", func(m *bot.Mux) {
			m.Handle(bot.Route{Verb: "接访", Handler: h, Subs: []bot.Route{{Verb: "a", Handler: h}}})
		}},
		{"SubcommandWithoutHandler", func(m *bot.Mux) {
			m.Handle(bot.Route{Verb: "接访", Subs: []bot.Route{{Verb: "a"}}})
		}},
		{"VerbTwice", func(m *bot.Mux) {
			m.Handle(bot.Route{Verb: "接访", Subs: []bot.Route{{Verb: "a", Handler: h}}})
			m.Handle(bot.Route{Verb: "接访", Handler: h})
		}},
		{"ActionForNoSubcommand", func(m *bot.Mux) {
			m.Handle(bot.Route{Verb: "来信", Subs: []bot.Route{{Verb: "批示", Handler: h}}})
			m.HandleAction(bot.ActionRoute{Name: "x", Verb: "来信 交办", Handler: h})
		}},
		{"ActionByAnAlias", func(m *bot.Mux) {
			m.Handle(bot.Route{Verb: "来信", Subs: []bot.Route{{Verb: "批示", Aliases: []string{"阅批"}, Handler: h}}})
			m.HandleAction(bot.ActionRoute{Name: "x", Verb: "来信 阅批", Handler: h})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("registration did not panic")
				}
			}()
			tt.reg(bot.NewMux(nil, bot.MuxOptions{}))
		})
	}
}
