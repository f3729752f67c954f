package xfbot_test

import (
	"strings"
	"testing"
	"time"

	"github.com/qingchuan/xfbot"
)

func TestParseMeasureSpec(t *testing.T) {
	for _, tc := range []struct {
		in   string
		kind xfbot.MeasureKind
		typ  xfbot.MeasureType
		err  string
	}{
		{"硬:政策", xfbot.MeasureHard, xfbot.MeasurePolicy, ""},
		{"硬：法律", xfbot.MeasureHard, xfbot.MeasureLegal, ""},
		{"硬手段:经济", xfbot.MeasureHard, xfbot.MeasureEconomic, ""},
		{"hard:administrative", xfbot.MeasureHard, xfbot.MeasureAdministrative, ""},
		{"软:教育", xfbot.MeasureSoft, xfbot.MeasureEducation, ""},
		{"软措施:协商", xfbot.MeasureSoft, xfbot.MeasureNegotiation, ""},
		{"软:调解", xfbot.MeasureSoft, xfbot.MeasureMediation, ""},
		{"软:疏导", xfbot.MeasureSoft, xfbot.MeasureCounseling, ""},
		{"政策", "", "", "“政策”不是措施种类"},
		{"中:政策", "", "", "“中”不是措施种类"},
		{"硬:疏导", "", "", "“疏导”是软措施，不是硬措施"},
		{"软:政策", "", "", "“政策”是硬措施，不是软措施"},
		{"硬:补钱", "", "", "“补钱”不是硬措施的类型，可选：法律 政策 经济 行政"},
	} {
		k, ty, err := xfbot.ParseMeasureSpec(tc.in)
		switch {
		case tc.err != "" && (err == nil || !strings.Contains(xfbot.ErrorMessage(err), tc.err)):
			t.Errorf("%q: error %v, want %q", tc.in, err, tc.err)
		case tc.err == "" && (err != nil || k != tc.kind || ty != tc.typ):
			t.Errorf("%q: %s %s %v, want %s %s", tc.in, k, ty, err, tc.kind, tc.typ)
		}
	}
}

func measure(n int, kind xfbot.MeasureKind, typ xfbot.MeasureType) xfbot.Measure {
	return xfbot.Measure{N: n, Kind: kind, Type: typ, Text: "措施", Owner: xfbot.Person{OpenID: "ou_o"}, Due: xfbot.NewDate(2026, 5, 1), Status: xfbot.MeasureTodo}
}

// The consistency of 三到位一处理 (petition-domain §3.5): what each screening
// needs, and what any plan needs.
func TestPlanProblems(t *testing.T) {
	hardPolicy := measure(1, xfbot.MeasureHard, xfbot.MeasurePolicy)
	hardLegal := measure(1, xfbot.MeasureHard, xfbot.MeasureLegal)
	educate := measure(2, xfbot.MeasureSoft, xfbot.MeasureEducation)
	counsel := measure(2, xfbot.MeasureSoft, xfbot.MeasureCounseling)
	mediate := measure(3, xfbot.MeasureSoft, xfbot.MeasureMediation)
	dropped := hardPolicy
	dropped.Status = xfbot.MeasureDropped
	done := hardPolicy
	done.Status, done.Due, done.Owner = xfbot.MeasureDone, xfbot.Date{}, xfbot.Person{}
	noDue := mediate
	noDue.Due = xfbot.Date{}
	noOwner := mediate
	noOwner.Owner = xfbot.Person{}
	base := xfbot.Plan{Diagnosis: "症结", Target: xfbot.NewDate(2026, 6, 30)}
	for _, tc := range []struct {
		name      string
		screening xfbot.Screening
		hardship  bool
		support   string
		measures  []xfbot.Measure
		plan      *xfbot.Plan
		want      []string // each a problem's beginning, in order; none: approvable
	}{
		{"ReasonableWithHard", xfbot.ScreenReasonable, false, "", []xfbot.Measure{hardPolicy}, nil, nil},
		{"ReasonableSoftOnly", xfbot.ScreenReasonable, false, "", []xfbot.Measure{mediate}, nil, []string{"甄别为合理：诉求合理的要解决问题到位，方案至少要有一项解决问题的硬手段"}},
		{"PartlyWithLegal", xfbot.ScreenPartly, false, "", []xfbot.Measure{hardLegal, mediate}, nil, nil},
		{"PartlySoftOnly", xfbot.ScreenPartly, false, "", []xfbot.Measure{educate}, nil, []string{"甄别为部分合理：诉求合理的要解决问题到位"}},
		{"DroppedHardDoesNotCount", xfbot.ScreenReasonable, false, "", []xfbot.Measure{dropped, mediate}, nil, []string{"甄别为合理"}},
		{"DoneHardCounts", xfbot.ScreenReasonable, false, "", []xfbot.Measure{done}, nil, nil},
		{"UnreasonableWithEducation", xfbot.ScreenUnreasonable, false, "", []xfbot.Measure{educate}, nil, nil},
		{"UnreasonableWithCounseling", xfbot.ScreenUnreasonable, false, "", []xfbot.Measure{counsel}, nil, nil},
		{"UnreasonableHardOnly", xfbot.ScreenUnreasonable, false, "", []xfbot.Measure{hardPolicy, mediate}, nil, []string{"甄别为无理：诉求无理的要思想教育到位，方案至少要有一项 教育 或 疏导 措施"}},
		{"ExcessiveMediationOnly", xfbot.ScreenExcessive, false, "", []xfbot.Measure{mediate}, nil, []string{"甄别为过度：诉求无理的要思想教育到位"}},
		{"ExcessiveWithCounseling", xfbot.ScreenExcessive, false, "", []xfbot.Measure{counsel, hardLegal}, nil, nil},
		{"HardshipNeedsSupport", xfbot.ScreenPartly, true, "", []xfbot.Measure{hardPolicy}, nil, []string{"困难诉求要帮扶救助到位"}},
		{"HardshipWithSupport", xfbot.ScreenPartly, true, "临时救助", []xfbot.Measure{hardPolicy}, nil, nil},
		{"HardshipUnreasonableNeedsBoth", xfbot.ScreenUnreasonable, true, " ", []xfbot.Measure{hardPolicy}, nil, []string{"甄别为无理", "困难诉求要帮扶救助到位"}},
		{"NotScreened", "", false, "", []xfbot.Measure{hardPolicy}, nil, []string{"案件尚未甄别"}},
		{"NoMeasures", xfbot.ScreenReasonable, false, "", nil, nil, []string{"方案还没有措施", "甄别为合理"}},
		{"MeasureWithoutDue", xfbot.ScreenReasonable, false, "", []xfbot.Measure{hardPolicy, noDue}, nil, []string{"措施 3 没有期限"}},
		{"MeasureWithoutOwner", xfbot.ScreenReasonable, false, "", []xfbot.Measure{hardPolicy, noOwner}, nil, []string{"措施 3 没有负责人"}},
		{"NoDiagnosisNoTarget", xfbot.ScreenReasonable, false, "", []xfbot.Measure{hardPolicy}, &xfbot.Plan{}, []string{"缺少症结", "缺少化解目标日"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := base
			if tc.plan != nil {
				p = *tc.plan
			}
			p.Support, p.Measures = tc.support, tc.measures
			c := &xfbot.Case{No: "XF-2026-0012", Screening: tc.screening, Hardship: tc.hardship}
			got := xfbot.PlanProblems(&p, c)
			if len(got) != len(tc.want) {
				t.Fatalf("problems %q, want %d beginning %q", got, len(tc.want), tc.want)
			}
			for i, w := range tc.want {
				if !strings.HasPrefix(got[i], w) {
					t.Errorf("problem %d is %q, want it to begin %q", i, got[i], w)
				}
				if !strings.Contains(got[i], "XF-2026-0012") && !strings.HasPrefix(got[i], "措施") {
					t.Errorf("problem %q does not say how to fix it on this case", got[i])
				}
			}
		})
	}
}

// A change after approval makes a new version; the approved one stays in
// force (its measures the deadlines) until the new one is approved.
func TestPlanVersions(t *testing.T) {
	at := time.Date(2026, 3, 16, 9, 0, 0, 0, time.UTC)
	me := xfbot.Person{OpenID: "ou_m", Name: "赵建"}
	c := &xfbot.Case{No: "XF-2026-0012", Screening: xfbot.ScreenReasonable, Owner: me}
	ps := &xfbot.Plans{Case: c.No, Owner: me.OpenID}
	p, made := ps.Editable(me, at)
	if !made || p.Version != 1 || p.Status != xfbot.PlanDraft {
		t.Fatalf("first edit: %+v made %v", p, made)
	}
	p.Diagnosis, p.Target = "症结", xfbot.NewDate(2026, 6, 30)
	p.Measures = append(p.Measures, measure(ps.NextMeasureNo(), xfbot.MeasureHard, xfbot.MeasurePolicy))
	if len(ps.Deadlines()) != 0 {
		t.Fatalf("a draft has deadlines: %+v", ps.Deadlines())
	}
	if b := ps.Brief(); b.Status != xfbot.PlanDraft || b.Version != 1 || b.InForce != 0 {
		t.Fatalf("draft brief %+v", b)
	}
	ps.Approve(xfbot.Person{OpenID: "ou_lead"}, at, c)
	ds := ps.Deadlines()
	if len(ds) != 2 || ds[0].Subject != xfbot.MeasureSubject(c.No, 1) || ds[0].Kind != xfbot.DeadlineMeasure || ds[0].Owner != "ou_o" ||
		ds[1].Subject != xfbot.PlanSubject(c.No) || ds[1].Kind != xfbot.DeadlinePlanTarget || ds[1].Owner != me.OpenID || ds[1].Due.String() != "2026-06-30" {
		t.Fatalf("approved deadlines %+v", ds)
	}
	if strings.Contains(ds[0].Subject.ID, "|") {
		t.Fatalf("subject id %q holds |", ds[0].Subject.ID)
	}
	// A change after approval: v2, a copy; v1 still in force.
	p2, made := ps.Editable(me, at)
	if !made || p2.Version != 2 || len(p2.Measures) != 1 || ps.InForce().Version != 1 {
		t.Fatalf("second edit: v%d made %v measures %d in force v%d", p2.Version, made, len(p2.Measures), ps.InForce().Version)
	}
	p2.Measures = append(p2.Measures, measure(ps.NextMeasureNo(), xfbot.MeasureSoft, xfbot.MeasureCounseling))
	if p2.Measures[1].N != 2 || len(ps.Deadlines()) != 2 {
		t.Fatalf("v2 measure numbered %d; deadlines %+v", p2.Measures[1].N, ps.Deadlines())
	}
	if b := ps.Brief(); b.Version != 2 || b.InForce != 1 || b.Status != xfbot.PlanDraft || b.NextN != 1 {
		t.Fatalf("brief with v2 pending: %+v", b)
	}
	ps.Approve(xfbot.Person{OpenID: "ou_lead"}, at, c)
	if ps.Get(1).Status != xfbot.PlanSuperseded || ps.InForce().Version != 2 || len(ps.Deadlines()) != 3 {
		t.Fatalf("after v2: v1 %s, in force v%d, deadlines %+v", ps.Get(1).Status, ps.InForce().Version, ps.Deadlines())
	}
	// A done measure leaves the deadlines.
	ps.InForce().Measure(1).Status = xfbot.MeasureDone
	if ds := ps.Deadlines(); len(ds) != 2 || ds[0].Subject != xfbot.MeasureSubject(c.No, 2) {
		t.Fatalf("after measure 1 done: %+v", ds)
	}
	for _, tc := range []struct {
		id string
		no xfbot.CaseNo
		n  int
		ok bool
	}{{"XF-2026-0012#2", "XF-2026-0012", 2, true}, {"XF-2026-0012", "XF-2026-0012", 0, true}, {"XF-2026-0012#x", "XF-2026-0012", 0, false}, {"", "", 0, false}} {
		no, n, ok := xfbot.ParsePlanSubject(tc.id)
		if ok != tc.ok || (ok && (no != tc.no || n != tc.n)) {
			t.Errorf("ParsePlanSubject(%q) = %s %d %v", tc.id, no, n, ok)
		}
	}
}
