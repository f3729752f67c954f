package scheduler_test

import (
	"context"
	"testing"

	"github.com/qingchuan/xfbot"
)

const (
	standIn  = "ou_standin"
	standIn2 = "ou_standin2"
)

// putMembers writes member records (with their roster deadlines), old
// replaced.
func (f *fixture) putMembers(ms ...xfbot.Member) {
	f.t.Helper()
	tx := f.st.NewTx()
	for _, m := range ms {
		tx.PutMember(m)
	}
	if _, err := f.st.Commit(context.Background(), tx); err != nil {
		f.t.Fatal(err)
	}
}

// The proof of issue 11: during a leave that covers the day, the reminders
// of the member on leave go to the stand-in; outside it, to the member.
func TestStandInRoutingDuringLeave(t *testing.T) {
	d := func(day int) xfbot.Date { return xfbot.NewDate(2026, 3, day) } // today: Monday 2026-03-16
	lv := func(from, to int, by string) xfbot.Leave {
		return xfbot.Leave{From: d(from), To: d(to), StandIn: xfbot.Person{OpenID: by, Name: "钱秀兰"}}
	}
	tests := []struct {
		name      string
		leave     xfbot.Leave
		standIn   xfbot.Member
		standIn2  *xfbot.Member
		wantTo    string
		wantNotTo string
	}{
		{"no leave", xfbot.Leave{}, xfbot.Member{}, nil, owner, standIn},
		{"a leave covering today", lv(16, 18, standIn), xfbot.Member{}, nil, standIn, owner},
		{"a leave ending today", lv(12, 16, standIn), xfbot.Member{}, nil, standIn, owner},
		{"a leave from tomorrow", lv(17, 18, standIn), xfbot.Member{}, nil, owner, standIn},
		{"a leave that ended yesterday", lv(9, 15, standIn), xfbot.Member{}, nil, owner, standIn},
		{"the stand-in on leave too", lv(16, 18, standIn), xfbot.Member{Leave: lv(16, 16, standIn2)},
			&xfbot.Member{OpenID: standIn2, Name: "孙海", Role: xfbot.RoleMember}, standIn2, owner},
		{"the stand-in recalled since", lv(16, 18, standIn), xfbot.Member{Out: xfbot.Recalled}, nil, owner, standIn},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			s := tt.standIn
			s.OpenID, s.Name, s.Role = standIn, "钱秀兰", xfbot.RoleMember
			if s.Out != "" {
				s.Role, s.FormerRole = "", xfbot.RoleMember
			}
			ms := []xfbot.Member{{OpenID: owner, Name: "赵建", Role: xfbot.RoleMember, Leave: tt.leave}, s}
			if tt.standIn2 != nil {
				ms = append(ms, *tt.standIn2)
			}
			f.putMembers(ms...)
			f.add("overdue", -1, nil)
			out := f.run(atDay("2026-03-16", 10, 10))
			if out[tt.wantTo] == "" {
				t.Fatalf("nothing to %s: %v", tt.wantTo, out)
			}
			has(t, out[tt.wantTo], string(f.nos["overdue"]))
			if tt.wantTo != owner {
				has(t, out[tt.wantTo], "代赵建接收（请假中）") // the stand-in sees whose it is
			}
			if out[tt.wantNotTo] != "" {
				t.Errorf("%s got a reminder too:\n%s", tt.wantNotTo, out[tt.wantNotTo])
			}
		})
	}
}

// The lead hears RosterNoticeWorkdays working days ahead that a leave
// ends and that a secondment reaches its planned end, once each; a leave
// cut short leaves nothing behind.
func TestRosterReminders(t *testing.T) {
	f := newFixture(t)
	f.putMembers(
		xfbot.Member{OpenID: owner, Name: "赵建", Role: xfbot.RoleMember,
			Leave: xfbot.Leave{From: xfbot.NewDate(2026, 3, 16), To: xfbot.NewDate(2026, 3, 20), StandIn: xfbot.Person{OpenID: standIn, Name: "钱秀兰"}}},
		xfbot.Member{OpenID: standIn, Name: "钱秀兰", Role: xfbot.RoleMember, Joined: xfbot.NewDate(2025, 9, 1), PlannedEnd: xfbot.NewDate(2026, 3, 25)},
		xfbot.Member{OpenID: standIn2, Name: "孙海", Role: xfbot.RoleMember,
			Leave: xfbot.Leave{From: xfbot.NewDate(2026, 3, 16), To: xfbot.NewDate(2026, 3, 19), StandIn: xfbot.Person{OpenID: standIn, Name: "钱秀兰"}}},
	)
	// 孙海 comes back early (销假): the entry of the leave goes with it.
	tx := f.st.NewTx()
	old := xfbot.Member{OpenID: standIn2, Name: "孙海", Role: xfbot.RoleMember,
		Leave: xfbot.Leave{From: xfbot.NewDate(2026, 3, 16), To: xfbot.NewDate(2026, 3, 19), StandIn: xfbot.Person{OpenID: standIn, Name: "钱秀兰"}}}
	tx.UpdateMember(&old, xfbot.Member{OpenID: standIn2, Name: "孙海", Role: xfbot.RoleMember})
	if _, err := f.st.Commit(context.Background(), tx); err != nil {
		t.Fatal(err)
	}
	if out := f.run(atDay("2026-03-16", 10, 10)); out[lead] != "" {
		t.Errorf("before the notice day: %s", out[lead])
	}
	// Leave to Friday 03-20: told on Tuesday 03-17.
	out := f.run(atDay("2026-03-17", 10, 10))
	has(t, out[lead], "赵建 请假至 2026-03-20（还有 3 天），2026-03-21 起自动恢复在岗", "由 钱秀兰 代收", "成员 销假 @赵建")
	hasNot(t, out[lead], "孙海", "借调")
	if out := f.run(atDay("2026-03-18", 10, 10)); out[lead] != "" {
		t.Errorf("told twice: %s", out[lead])
	}
	// Planned end Wednesday 03-25: told on Friday 03-20.
	if out := f.run(atDay("2026-03-19", 10, 10)); out[lead] != "" {
		t.Errorf("the secondment's notice early: %s", out[lead])
	}
	out = f.run(atDay("2026-03-20", 10, 10))
	has(t, out[lead], "钱秀兰 借调计划于 2026-03-25 期满（还有 5 天）", "成员 期满 @钱秀兰")
	if out := f.run(atDay("2026-03-23", 10, 10)); out[lead] != "" {
		t.Errorf("told twice: %s", out[lead])
	}
	if n, err := f.st.CountDeadlines(context.Background(), xfbot.NewDate(2026, 12, 31)); err != nil || n != 0 {
		t.Errorf("roster entries left in the index: %d, %v", n, err)
	}
}
