package bot_test

import (
	"context"
	"testing"
	"time"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/bot"
)

// Mux.Run routes a command text as the request's sender, by the command's
// own rules, and sends nothing: the caller commits the reply.
func TestMuxRun(t *testing.T) {
	g := newGroupMux(t)
	ctx := context.Background()
	req := func(who string, group bool) *bot.Request {
		return &bot.Request{EventID: "card1", MessageID: "om_card", ChatID: "oc_p2p", Group: group, Sender: xfbot.Person{OpenID: who},
			Time: time.Date(2026, 3, 16, 9, 0, 0, 0, time.UTC), Via: bot.ViaCard, Action: &bot.Action{Name: "x.y", Value: map[string]string{"id": "1"}}}
	}
	t.Run("RoutesAsTypedAndSendsNothing", func(t *testing.T) {
		r := req(muxMember, false)
		reply, err := g.mux.Run(ctx, r, "接访 安排 @周某 4月1日")
		if err != nil {
			t.Fatal(err)
		}
		if reply == nil || reply.Text != "verb=接访 sub=安排 args=@周某,4月1日" {
			t.Fatalf("reply = %+v", reply)
		}
		if out := queued(t, g.st); len(out) != 0 {
			t.Errorf("Run queued %d messages; the caller commits", len(out))
		}
		if r.Action == nil || r.Verb != "" || r.Text != "" || r.Member.Role != "" {
			t.Errorf("Run changed the caller's request: %+v", r)
		}
	})
	t.Run("TheCommandsRoleRule", func(t *testing.T) {
		_, err := g.mux.Run(ctx, req(muxLeader, false), "接访 安排 @周某 4月1日")
		if xfbot.ErrorCode(err) != xfbot.EFORBIDDEN {
			t.Fatalf("leader: %v, want the Staff refusal", err)
		}
		contains(t, xfbot.ErrorMessage(err), "由专班成员办理")
		_, err = g.mux.Run(ctx, req(muxMember, false), "排班 确认")
		contains(t, xfbot.ErrorMessage(err), "只有专班管理员")
	})
	t.Run("PrivateInAGroup", func(t *testing.T) {
		_, err := g.mux.Run(ctx, req(muxMember, true), "来信 批示 LX-2026-0001 同意")
		contains(t, xfbot.ErrorMessage(err), "只能在私聊中使用")
	})
	t.Run("InvalidCarriesUsage", func(t *testing.T) {
		_, err := g.mux.Run(ctx, req(muxMember, false), "接访 记录 JF-2026-0001")
		if xfbot.ErrorCode(err) != xfbot.EINVALID {
			t.Fatalf("err = %v", err)
		}
		contains(t, xfbot.ErrorMessage(err), "缺少接访编号", "用法：接访 记录 <接访编号> 接待N批M人", "例如：接访 记录 JF-2026-0001")
	})
	t.Run("UnknownCommand", func(t *testing.T) {
		_, err := g.mux.Run(ctx, req(muxMember, false), "方案 措施 XF-2026-0001 硬:政策 x")
		contains(t, xfbot.ErrorMessage(err), "没有“方案”这个命令")
	})
}
