package handlers_test

import (
	"strings"
	"testing"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/bot"
)

// A button is a command: each card action is refused to whoever the command
// it stands for refuses, however its callback was made.
func TestActionsFollowTheirCommandsRule(t *testing.T) {
	h := newHarness(t)
	mine := h.newCase("住建局的案件 单位:区住建局")
	other := h.newCase("人社局的案件 单位:区人社局")
	h.say(member, "延期 "+string(mine)+" 20 需评估") // an application to decide
	h.drain()
	forged := func(p xfbot.Person, action string, no xfbot.CaseNo, form map[string]string) string {
		return h.click(p, action, no, "oc_p2p_"+p.OpenID, form).Toast
	}
	tests := []struct {
		name   string
		who    xfbot.Person
		action string
		no     xfbot.CaseNo
		form   map[string]string
		want   string
	}{
		{"ViewerAddsProgress", viewer, bot.ActionProgressSubmit, mine, map[string]string{"text": "伪造"}, "只能查看"},
		{"ViewerOpensProgressForm", viewer, bot.ActionProgressForm, mine, nil, "只能查看"},
		{"ViewerClaims", viewer, bot.ActionClaim, mine, nil, "只能查看"},
		{"ViewerAppliesForExtension", viewer, bot.ActionExtendSubmit, mine, map[string]string{"days": "10", "reason": "伪造"}, "只能查看"},
		{"LiaisonOfAnotherUnitAddsProgress", liaison, bot.ActionProgressSubmit, other, map[string]string{"text": "伪造"}, "不属于您所在单位"},
		{"LiaisonOfAnotherUnitRefreshes", liaison, bot.ActionRefresh, other, nil, "不属于您所在单位"},
		{"MemberApprovesExtension", member2, bot.ActionExtendApprove, mine, nil, "负责人"},
		{"LiaisonRejectsExtension", liaison, bot.ActionExtendReject, mine, map[string]string{"reason": "x"}, "负责人"},
		{"StrangerAcks", stranger, bot.ActionAck, mine, nil, "还不是专班成员"},
		{"MemberConfirmsRoster", member, bot.ActionRosterConfirm, "", nil, "只有专班管理员"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := h.load(mine)
			got := forged(tt.who, tt.action, tt.no, tt.form)
			if !strings.Contains(got, tt.want) {
				t.Errorf("toast %q, want it to contain %q", got, tt.want)
			}
			if after := h.load(mine); after.Version != before.Version {
				t.Errorf("a refused action wrote the case (version %d → %d)", before.Version, after.Version)
			}
			if out := h.drain(); len(out) != 0 {
				t.Errorf("a refused action queued %d messages: %+v", len(out), out)
			}
		})
	}
}
