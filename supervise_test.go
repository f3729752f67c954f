package xfbot_test

import (
	"strings"
	"testing"
	"time"

	"github.com/qingchuan/xfbot"
)

func TestParseSupervisionID(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"DC-2026-0005", "DC-2026-0005", true},
		{"dc-2026-5", "DC-2026-0005", true},
		{"DC20260012", "DC-2026-0012", true},
		{"ＤＣ－２０２６－０００３", "DC-2026-0003", true},
		{"XF-2026-0001", "", false},
		{"DC-26-1", "", false},
		{"DC", "", false},
	} {
		got, err := xfbot.ParseSupervisionID(tc.in)
		if (err == nil) != tc.ok || string(got) != tc.want {
			t.Errorf("ParseSupervisionID(%q) = %q, %v; want %q ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
		if err != nil && !strings.Contains(xfbot.ErrorMessage(err), "DC-年份-序号") {
			t.Errorf("error %q does not say how to write it", xfbot.ErrorMessage(err))
		}
	}
}

func TestParseProblemType(t *testing.T) {
	for in, want := range map[string]xfbot.ProblemType{
		"超期未办": xfbot.ProblemOverdue, "措施不落实": xfbot.ProblemMeasure, "答复不规范": xfbot.ProblemReply,
		"属地责任不到位": xfbot.ProblemStability, "推诿扯皮": xfbot.ProblemBuckPassing, "推诿": xfbot.ProblemBuckPassing,
		"弄虚作假": xfbot.ProblemFalsification, "台账不实": xfbot.ProblemLedger, "其他": xfbot.ProblemOther, "other": xfbot.ProblemOther,
	} {
		if got, ok := xfbot.ParseProblemType(in); !ok || got != want {
			t.Errorf("ParseProblemType(%q) = %q, %v; want %q", in, got, ok, want)
		}
		if want.Label() == string(want) {
			t.Errorf("%q has no label", want)
		}
	}
	if _, ok := xfbot.ParseProblemType("态度不好"); ok {
		t.Error("an unknown type was accepted")
	}
}

// Every transition of the lifecycle, who may take it, and the verifier is
// never the submitter.
func TestSupervisionLifecycle(t *testing.T) {
	at := time.Date(2026, 3, 16, 9, 0, 0, 0, time.UTC)
	today := xfbot.NewDate(2026, 3, 16)
	inspector := xfbot.Member{OpenID: "ou_insp", Name: "赵建", Role: xfbot.RoleMember}
	other := xfbot.Member{OpenID: "ou_m2", Name: "钱秀兰", Role: xfbot.RoleMember}
	lead := xfbot.Member{OpenID: "ou_admin", Name: "陈某", Role: xfbot.RoleAdmin}
	liaison := xfbot.Member{OpenID: "ou_li", Name: "王联络", Role: xfbot.RoleLiaison, Unit: "云溪街道"}
	stranger := xfbot.Member{OpenID: "ou_li2", Name: "李联络", Role: xfbot.RoleLiaison, Unit: "区住建局"}
	leader := xfbot.Member{OpenID: "ou_lead", Name: "周某", Role: xfbot.RoleLeader}
	viewer := xfbot.Member{OpenID: "ou_v", Role: xfbot.RoleViewer}
	fresh := func(st xfbot.SupervisionStatus) *xfbot.SupervisionItem {
		it := &xfbot.SupervisionItem{ID: "DC-2026-0001", Unit: "云溪街道", Inspector: inspector.Person(), OpenedBy: inspector.Person(),
			Due: xfbot.NewDate(2026, 3, 25), Status: st}
		if st == xfbot.SupSubmitted || st == xfbot.SupVerified {
			it.SubmittedBy, it.SubmittedOn, it.SubmitDue = liaison.Person(), today, it.Due
		}
		return it
	}
	for _, tc := range []struct {
		name string
		from xfbot.SupervisionStatus
		act  xfbot.SupervisionAct
		by   xfbot.Member
		text string
		due  xfbot.Date
		to   xfbot.SupervisionStatus // "" : refused
		msg  string                  // in the refusal
	}{
		{"liaison starts", xfbot.SupIssued, xfbot.ActRectify, liaison, "", xfbot.Date{}, xfbot.SupRectifying, ""},
		{"staff records the start", xfbot.SupIssued, xfbot.ActRectify, other, "", xfbot.Date{}, xfbot.SupRectifying, ""},
		{"another unit's liaison", xfbot.SupIssued, xfbot.ActRectify, stranger, "", xfbot.Date{}, "", "区住建局 的联络员"},
		{"a leader", xfbot.SupIssued, xfbot.ActRectify, leader, "", xfbot.Date{}, "", "联络员报告"},
		{"started twice", xfbot.SupRectifying, xfbot.ActRectify, liaison, "", xfbot.Date{}, "", "已在整改中"},
		{"report while rectifying", xfbot.SupRectifying, xfbot.ActSubmit, liaison, "已落实", xfbot.Date{}, xfbot.SupSubmitted, ""},
		{"report straight from issued", xfbot.SupIssued, xfbot.ActSubmit, liaison, "已落实", xfbot.Date{}, xfbot.SupSubmitted, ""},
		{"report without evidence", xfbot.SupRectifying, xfbot.ActSubmit, liaison, " ", xfbot.Date{}, "", "整改情况与佐证"},
		{"report twice", xfbot.SupSubmitted, xfbot.ActSubmit, liaison, "再报", xfbot.Date{}, "", "等待核验"},
		{"viewer reports", xfbot.SupRectifying, xfbot.ActSubmit, viewer, "x", xfbot.Date{}, "", "观察员"},
		{"staff verifies", xfbot.SupSubmitted, xfbot.ActVerify, other, "", xfbot.Date{}, xfbot.SupVerified, ""},
		{"liaison cannot verify", xfbot.SupSubmitted, xfbot.ActVerify, liaison, "", xfbot.Date{}, "", "督查专员办理"},
		{"verify before report", xfbot.SupRectifying, xfbot.ActVerify, other, "", xfbot.Date{}, "", "只有已报整改"},
		{"return with opinion", xfbot.SupSubmitted, xfbot.ActReturn, inspector, "佐证不全", xfbot.Date{}, xfbot.SupRectifying, ""},
		{"return with a new deadline", xfbot.SupSubmitted, xfbot.ActReturn, inspector, "佐证不全", xfbot.NewDate(2026, 3, 30), xfbot.SupRectifying, ""},
		{"return to a past deadline", xfbot.SupSubmitted, xfbot.ActReturn, inspector, "佐证不全", today, "", "应在今天之后"},
		{"return without opinion", xfbot.SupSubmitted, xfbot.ActReturn, inspector, "", xfbot.Date{}, "", "退回须写明意见"},
		{"inspector closes", xfbot.SupVerified, xfbot.ActClose, inspector, "", xfbot.Date{}, xfbot.SupClosed, ""},
		{"lead closes", xfbot.SupVerified, xfbot.ActClose, lead, "", xfbot.Date{}, xfbot.SupClosed, ""},
		{"another member cannot close", xfbot.SupVerified, xfbot.ActClose, other, "", xfbot.Date{}, "", "专班负责人或督查专员 赵建 销号"},
		{"close before verification", xfbot.SupSubmitted, xfbot.ActClose, lead, "", xfbot.Date{}, "", "核验通过后才能销号"},
		{"closed twice", xfbot.SupClosed, xfbot.ActClose, lead, "", xfbot.Date{}, "", "已销号"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			it := fresh(tc.from)
			err := it.Apply(tc.act, tc.by, at, today, tc.text, tc.due)
			if tc.to == "" {
				if err == nil {
					t.Fatalf("%s by %s from %s was allowed", tc.act, tc.by.Role, tc.from)
				}
				if !strings.Contains(xfbot.ErrorMessage(err), tc.msg) {
					t.Fatalf("refusal %q does not say %q", xfbot.ErrorMessage(err), tc.msg)
				}
				if it.Status != tc.from {
					t.Fatalf("a refused act changed the status to %s", it.Status)
				}
				return
			}
			if err != nil {
				t.Fatalf("refused: %v", err)
			}
			if it.Status != tc.to {
				t.Fatalf("status %s, want %s", it.Status, tc.to)
			}
		})
	}

	t.Run("VerifierIsNeverTheSubmitter", func(t *testing.T) {
		it := fresh(xfbot.SupRectifying)
		if err := it.Apply(xfbot.ActSubmit, other, at, today, "代报：单位书面报告已收到", xfbot.Date{}); err != nil {
			t.Fatal(err)
		}
		for _, act := range []xfbot.SupervisionAct{xfbot.ActVerify, xfbot.ActReturn} {
			err := it.Apply(act, other, at, today, "意见", xfbot.Date{})
			if err == nil || !strings.Contains(xfbot.ErrorMessage(err), "另一名专班成员") {
				t.Fatalf("%s by the submitter: %v", act, err)
			}
		}
		if err := it.Apply(xfbot.ActVerify, inspector, at, today, "", xfbot.Date{}); err != nil {
			t.Fatalf("another member verifies: %v", err)
		}
	})

	t.Run("ReturnKeepsOrMovesTheDeadline", func(t *testing.T) {
		it := fresh(xfbot.SupSubmitted)
		if err := it.Apply(xfbot.ActReturn, other, at, today, "不全", xfbot.Date{}); err != nil || it.Due != xfbot.NewDate(2026, 3, 25) || it.Returns != 1 {
			t.Fatalf("due %s returns %d err %v", it.Due, it.Returns, err)
		}
		it.Status = xfbot.SupSubmitted
		if err := it.Apply(xfbot.ActReturn, other, at, today, "仍不全", xfbot.NewDate(2026, 4, 1)); err != nil || it.Due != xfbot.NewDate(2026, 4, 1) || it.Returns != 2 {
			t.Fatalf("due %s returns %d err %v", it.Due, it.Returns, err)
		}
	})
}

func TestSupervisionOnTimeAndDeadlines(t *testing.T) {
	it := &xfbot.SupervisionItem{ID: "DC-2026-0002", Unit: "云溪街道", Inspector: xfbot.Person{OpenID: "ou_i"}, Status: xfbot.SupIssued, Due: xfbot.NewDate(2026, 3, 25)}
	ds := it.Deadlines()
	if len(ds) != 1 || ds[0].Kind != xfbot.DeadlineRectify || ds[0].Owner != "ou_i" || ds[0].Subject.Kind != xfbot.SubjectSupervise {
		t.Fatalf("deadlines %+v", ds)
	}
	if it.Overdue(xfbot.NewDate(2026, 3, 25)) || !it.Overdue(xfbot.NewDate(2026, 3, 26)) {
		t.Fatal("overdue is the day after the deadline")
	}
	it.Status, it.SubmittedOn, it.SubmitDue = xfbot.SupSubmitted, xfbot.NewDate(2026, 3, 25), it.Due
	if len(it.Deadlines()) != 0 || !it.OnTime() || it.Overdue(xfbot.NewDate(2026, 4, 1)) {
		t.Fatal("a report on the last day is on time and stops the clock")
	}
	it.SubmittedOn = xfbot.NewDate(2026, 3, 26)
	if it.OnTime() {
		t.Fatal("a report the day after is late")
	}
}

// The ladder: 催办 the first working day after the deadline, then each
// rung its spacing after the day the one before was taken; a new deadline
// (退回 with 期限) starts a new episode.
func TestSupervisionNextStep(t *testing.T) {
	due := xfbot.NewDate(2026, 3, 20) // a Friday
	it := &xfbot.SupervisionItem{Status: xfbot.SupRectifying, Due: due}
	l := xfbot.SupervisionLadder{NoticeAfter: 2, InterviewAfter: 1, ListedAfter: 3}
	want := []struct {
		step xfbot.EscalationStep
		day  xfbot.Date
	}{
		{xfbot.StepRemind, xfbot.NewDate(2026, 3, 23)},    // Monday
		{xfbot.StepNotice, xfbot.NewDate(2026, 3, 25)},    // 2 working days later
		{xfbot.StepInterview, xfbot.NewDate(2026, 3, 27)}, // taken a day late (26 → 27): 1 after the 26th
		{xfbot.StepListed, xfbot.NewDate(2026, 4, 1)},
	}
	taken := []xfbot.Date{xfbot.NewDate(2026, 3, 23), xfbot.NewDate(2026, 3, 26), xfbot.NewDate(2026, 3, 27), xfbot.NewDate(2026, 4, 1)}
	for i, w := range want {
		s, d, ok := it.NextStep(l, nil)
		if !ok || s != w.step || d != w.day {
			t.Fatalf("rung %d: %s %s %v, want %s %s", i, s, d, ok, w.step, w.day)
		}
		it.Steps = append(it.Steps, xfbot.StepTaken{Step: s, Episode: due, Day: taken[i]})
		if it.Escalation() != s {
			t.Fatalf("escalation %s after %s", it.Escalation(), s)
		}
	}
	if _, _, ok := it.NextStep(l, nil); ok {
		t.Fatal("a rung after 挂牌督办")
	}
	it.Due = xfbot.NewDate(2026, 4, 10)
	if s, d, ok := it.NextStep(l, nil); !ok || s != xfbot.StepRemind || d != xfbot.NewDate(2026, 4, 13) || it.Escalation() != "" {
		t.Fatalf("a new deadline: %s %s %v", s, d, ok)
	}
	it.Status = xfbot.SupSubmitted
	if _, _, ok := it.NextStep(l, nil); ok {
		t.Fatal("a reported item climbs no ladder")
	}
}

func TestRectifyDue(t *testing.T) {
	if got := xfbot.RectifyDue(xfbot.NewDate(2026, 3, 16), 0, nil); got != xfbot.NewDate(2026, 3, 25) {
		t.Fatalf("7 working days from Monday 3-16: %s", got)
	}
	if got := xfbot.RectifyDue(xfbot.NewDate(2026, 3, 16), 5, nil); got != xfbot.NewDate(2026, 3, 23) {
		t.Fatalf("5 working days: %s", got)
	}
}
