package xfbot_test

import (
	"slices"
	"testing"
	"time"

	"github.com/qingchuan/xfbot"
)

func TestLeaders(t *testing.T) {
	ms := []xfbot.Member{
		{OpenID: "ou_zhou", Name: "周某", Role: xfbot.RoleLeader},
		{OpenID: "ou_zhao", Name: "赵建", Role: xfbot.RoleMember},
		{OpenID: "ou_wu", Name: "吴某", Role: xfbot.RoleLeader},
	}
	tests := []struct {
		name       string
		configured []string
		want       []string
	}{
		{"members only", nil, []string{"ou_zhou", "ou_wu"}},
		{"configured without a record", []string{"ou_cfg"}, []string{"ou_zhou", "ou_wu", "ou_cfg"}},
		{"a record of another role says otherwise", []string{"ou_zhao"}, []string{"ou_zhou", "ou_wu"}},
		{"a configured leader member is listed once", []string{"ou_wu", "ou_cfg", "ou_cfg"}, []string{"ou_zhou", "ou_wu", "ou_cfg"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, p := range xfbot.Leaders(ms, tt.configured) {
				got = append(got, p.OpenID)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestStandIn(t *testing.T) {
	d := func(m, day int) xfbot.Date { return xfbot.NewDate(2026, time.Month(m), day) }
	zhao := xfbot.Person{OpenID: "ou_zhao", Name: "赵建"}
	qian := xfbot.Person{OpenID: "ou_qian", Name: "钱秀兰"}
	sun := xfbot.Person{OpenID: "ou_sun", Name: "孙海"}
	leave := func(from, to xfbot.Date, by xfbot.Person) xfbot.Leave {
		return xfbot.Leave{From: from, To: to, StandIn: by}
	}
	tests := []struct {
		name string
		ms   []xfbot.Member
		to   string
		on   xfbot.Date
		want string
	}{
		{"no record: the person", nil, "ou_x", d(3, 18), "ou_x"},
		{"an old record without a leave", []xfbot.Member{{OpenID: zhao.OpenID, Role: xfbot.RoleMember}}, zhao.OpenID, d(3, 18), zhao.OpenID},
		{"before the leave", []xfbot.Member{{OpenID: zhao.OpenID, Leave: leave(d(3, 18), d(3, 20), qian)}, {OpenID: qian.OpenID}}, zhao.OpenID, d(3, 17), zhao.OpenID},
		{"its first day", []xfbot.Member{{OpenID: zhao.OpenID, Leave: leave(d(3, 18), d(3, 20), qian)}, {OpenID: qian.OpenID}}, zhao.OpenID, d(3, 18), qian.OpenID},
		{"its last day", []xfbot.Member{{OpenID: zhao.OpenID, Leave: leave(d(3, 18), d(3, 20), qian)}, {OpenID: qian.OpenID}}, zhao.OpenID, d(3, 20), qian.OpenID},
		{"the day after: back by the dates", []xfbot.Member{{OpenID: zhao.OpenID, Leave: leave(d(3, 18), d(3, 20), qian)}, {OpenID: qian.OpenID}}, zhao.OpenID, d(3, 21), zhao.OpenID},
		{"the stand-in's own reminders stay theirs", []xfbot.Member{{OpenID: zhao.OpenID, Leave: leave(d(3, 18), d(3, 20), qian)}, {OpenID: qian.OpenID}}, qian.OpenID, d(3, 19), qian.OpenID},
		{"a stand-in on leave passes it on", []xfbot.Member{
			{OpenID: zhao.OpenID, Leave: leave(d(3, 18), d(3, 20), qian)},
			{OpenID: qian.OpenID, Leave: leave(d(3, 19), d(3, 19), sun)},
			{OpenID: sun.OpenID}}, zhao.OpenID, d(3, 19), sun.OpenID},
		{"a loop stops where it began", []xfbot.Member{
			{OpenID: zhao.OpenID, Leave: leave(d(3, 18), d(3, 20), qian)},
			{OpenID: qian.OpenID, Leave: leave(d(3, 18), d(3, 20), zhao)}}, zhao.OpenID, d(3, 19), qian.OpenID},
		{"a stand-in who left: the member", []xfbot.Member{
			{OpenID: zhao.OpenID, Leave: leave(d(3, 18), d(3, 20), qian)},
			{OpenID: qian.OpenID, Out: xfbot.Recalled}}, zhao.OpenID, d(3, 19), zhao.OpenID},
		{"a stand-in without a record: the member", []xfbot.Member{{OpenID: zhao.OpenID, Leave: leave(d(3, 18), d(3, 20), qian)}}, zhao.OpenID, d(3, 19), zhao.OpenID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := xfbot.StandIn(tt.ms, tt.to, tt.on); got != tt.want {
				t.Errorf("StandIn(%s, %s) = %s, want %s", tt.to, tt.on, got, tt.want)
			}
		})
	}
}

func TestMemberStatusOn(t *testing.T) {
	d := func(day int) xfbot.Date { return xfbot.NewDate(2026, 3, day) }
	l := xfbot.Leave{From: d(18), To: d(20), StandIn: xfbot.Person{OpenID: "ou_qian"}}
	tests := []struct {
		name string
		m    xfbot.Member
		on   xfbot.Date
		want xfbot.MemberStatus
	}{
		{"an old record reads as 在岗", xfbot.Member{OpenID: "a", Role: xfbot.RoleMember}, d(18), xfbot.OnDuty},
		{"on leave", xfbot.Member{Leave: l}, d(19), xfbot.OnLeave},
		{"after the leave", xfbot.Member{Leave: l}, d(21), xfbot.OnDuty},
		{"recalled", xfbot.Member{Out: xfbot.Recalled, Leave: l}, d(19), xfbot.Recalled},
		{"returned", xfbot.Member{Out: xfbot.Returned}, d(19), xfbot.Returned},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.m.StatusOn(tt.on); got != tt.want {
				t.Errorf("StatusOn(%s) = %s, want %s", tt.on, got.Label(), tt.want.Label())
			}
		})
	}
}

func TestRosterDeadlines(t *testing.T) {
	d := func(m, day int) xfbot.Date { return xfbot.NewDate(2026, time.Month(m), day) }
	m := xfbot.Member{OpenID: "ou_zhao", Role: xfbot.RoleMember,
		Leave: xfbot.Leave{From: d(3, 16), To: d(3, 23)}, PlannedEnd: d(8, 31)} // 3-23 a Monday, 8-31 a Monday
	got := m.RosterDeadlines(nil)
	want := []xfbot.Deadline{
		{Subject: xfbot.Subject{Kind: xfbot.SubjectMember, ID: "ou_zhao"}, Kind: xfbot.DeadlineLeaveEnd, Due: d(3, 18)},
		{Subject: xfbot.Subject{Kind: xfbot.SubjectMember, ID: "ou_zhao"}, Kind: xfbot.DeadlineTermEnd, Due: d(8, 26)},
	}
	if !slices.Equal(got, want) {
		t.Errorf("RosterDeadlines = %v, want %v", got, want)
	}
	short := xfbot.Member{OpenID: "ou_zhao", Leave: xfbot.Leave{From: d(3, 20), To: d(3, 20)}}
	if got := short.RosterDeadlines(nil); len(got) != 1 || got[0].Due != d(3, 20) {
		t.Errorf("a one-day leave: %v, want the notice on its own day", got)
	}
	m.Out = xfbot.Recalled
	if got := m.RosterDeadlines(nil); len(got) != 0 {
		t.Errorf("a recalled member has deadlines %v", got)
	}
}

func TestParseRecallReason(t *testing.T) {
	for in, want := range map[string]xfbot.RecallReason{
		"敷衍应付": xfbot.RecallPerfunctory, "敷衍了事": xfbot.RecallPerfunctory, "身在曹营心在汉": xfbot.RecallAbsent,
		"不胜任": xfbot.RecallIncompetent, "违纪": xfbot.RecallDiscipline, "工作需要": xfbot.RecallNeeded, "其他": xfbot.RecallOther,
		"discipline": xfbot.RecallDiscipline,
	} {
		if got, ok := xfbot.ParseRecallReason(in); !ok || got != want {
			t.Errorf("ParseRecallReason(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	if _, ok := xfbot.ParseRecallReason("看不惯"); ok {
		t.Error("看不惯 parsed as a recall reason")
	}
}
