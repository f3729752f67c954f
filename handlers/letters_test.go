package handlers_test

import (
	"testing"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/bot"
)

// A leader's act is the leader's: staff record an instruction only as 代录,
// the leader is told and can still give his own, which supersedes it.
func TestLetterInstructionByProxy(t *testing.T) {
	h := newHarness(t)
	out := h.say(member, "来信 @周某 桂园社区居民联名反映回迁房延期交付", msg{mentions: []xfbot.Person{leader}})
	id := string(lxRE.FindString(out[0].Text))

	out = h.say(member2, "来信 批示 "+id+" 请区住建局牵头办理")
	wantIn(t, out[0].Text, "已代录 周某 对来信 "+id+" 的批示", "已告知 周某")
	if len(out) != 3 {
		t.Fatalf("queued %d, want the reply, the leader's card and the registrar's: %+v", len(out), out)
	}
	toLeader, toRegistrar := sentTo(out, leader.OpenID), sentTo(out, member.OpenID)
	if len(toLeader) != 1 || len(toRegistrar) != 1 {
		t.Fatalf("notices %+v", out)
	}
	wantIn(t, toLeader[0].Text, "钱秀兰 代录了您对这封来信的批示", "代录（钱秀兰）：请区住建局牵头办理", "[批示]")
	wantIn(t, toRegistrar[0].Text, "钱秀兰 已代录 周某 的批示，请交办", "[交办]")
	wantNotIn(t, toRegistrar[0].Text, "周某 已批示")

	view := h.reply(member, "来信 查看 "+id)
	wantIn(t, view, "代录（钱秀兰）：请区住建局牵头办理")
	wantIn(t, h.reply(member2, "来信 批示 "+id+" 改一下"), "已有批示", "不能再代录")

	out = h.say(leader, "来信 批示 "+id+" 同意，请区住建局一周内答复信访人")
	wantIn(t, out[0].Text, "取代 钱秀兰 的代录")
	wantIn(t, sentTo(out, member.OpenID)[0].Text, "周某 本人已批示（取代代录）")
	view = h.reply(member, "来信 查看 "+id)
	wantIn(t, view, "同意，请区住建局一周内答复信访人")
	wantNotIn(t, view, "代录")
	wantIn(t, h.reply(leader, "来信 批示 "+id+" 再批"), "您已于")
}

// Buttons follow roles: the leader's letter list has no 交办, staff's has no
// 批示 but 代录批示 while unread.
func TestLetterButtonsFollowRoles(t *testing.T) {
	h := newHarness(t)
	out := h.say(member, "来信 @周某 桂园社区居民联名反映回迁房延期交付", msg{mentions: []xfbot.Person{leader}})
	id := string(lxRE.FindString(out[0].Text))
	staffList := h.say(member, "来信 列表")[0]
	wantIn(t, staffList.Text, "[代录批示]")
	wantNotIn(t, staffList.Content, bot.ActionLetterAssignFrm)
	h.reply(leader, "来信 批示 "+id+" 请区住建局办理")
	leaderList := h.say(leader, "来信 列表")[0]
	wantNotIn(t, leaderList.Content, bot.ActionLetterAssignFrm, bot.ActionLetterReadForm)
	wantIn(t, h.say(member, "来信 列表")[0].Content, bot.ActionLetterAssignFrm)
}
