package xfbot_test

import (
	"strings"
	"testing"

	"github.com/qingchuan/xfbot"
)

func TestParseConsultID(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"HZ-2026-0001", "HZ-2026-0001"},
		{"hz-2026-3", "HZ-2026-0003"},
		{"ＨＺ－２０２６－０００７", "HZ-2026-0007"},
		{"HZ20260012", "HZ-2026-0012"},
	} {
		got, err := xfbot.ParseConsultID(tt.in)
		if err != nil || string(got) != tt.want {
			t.Errorf("ParseConsultID(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	for _, in := range []string{"", "JF-2026-0001", "HZ-26-1", "HZ-2026-0"} {
		_, err := xfbot.ParseConsultID(in)
		if err == nil || !strings.Contains(xfbot.ErrorMessage(err), "HZ-年份-序号") {
			t.Errorf("ParseConsultID(%q) = %v, want the format explained", in, err)
		}
	}
}

func TestParseMeans(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want xfbot.Means
	}{
		{"硬:法律", xfbot.Means{Hard: true, Type: "法律"}},
		{"硬：政策", xfbot.Means{Hard: true, Type: "政策"}},
		{"硬手段:经济", xfbot.Means{Hard: true, Type: "经济"}},
		{"软:调解", xfbot.Means{Type: "调解"}},
		{"软措施：疏导", xfbot.Means{Type: "疏导"}},
		{"行政", xfbot.Means{Hard: true, Type: "行政"}},
		{"教育", xfbot.Means{Type: "教育"}},
	} {
		got, err := xfbot.ParseMeans(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseMeans(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
	}
	for _, tt := range []struct{ in, want string }{
		{"硬:调解", "软:调解"},
		{"软:法律", "硬:法律"},
		{"中:法律", "看不懂"},
		{"硬:", "不是"},
		{"谈心", "看不懂"},
	} {
		_, err := xfbot.ParseMeans(tt.in)
		if err == nil || !strings.Contains(xfbot.ErrorMessage(err), tt.want) {
			t.Errorf("ParseMeans(%q) = %v, want %q", tt.in, err, tt.want)
		}
	}
	if got := (xfbot.Means{Hard: true, Type: "政策"}).Name(); got != "硬手段·政策" {
		t.Errorf("Name = %q", got)
	}
}

func TestDecisionMeasureCommand(t *testing.T) {
	d := xfbot.ConsultDecision{Case: "XF-2026-0012", Means: xfbot.Means{Hard: true, Type: "政策"},
		Content: "按回迁安置政策  核定面积", Unit: "区住建局", Owner: xfbot.Person{OpenID: "ou_m1", Name: "赵建"},
		Due: xfbot.NewDate(2026, 4, 30)}
	want := "方案 措施 XF-2026-0012 硬:政策 按回迁安置政策 核定面积 单位:区住建局 负责人:@赵建 期限:2026-04-30"
	if got := d.MeasureCommand(); got != want {
		t.Errorf("MeasureCommand =\n %q\nwant\n %q", got, want)
	}
	d = xfbot.ConsultDecision{Case: "XF-2026-0015", Means: xfbot.Means{Type: "调解"}, Content: "组织人民调解"}
	if got := d.MeasureCommand(); got != "方案 措施 XF-2026-0015 软:调解 组织人民调解" {
		t.Errorf("MeasureCommand without options = %q", got)
	}
}

func TestConsultDeadlines(t *testing.T) {
	cal, err := xfbot.NewCalendar(xfbot.DefaultHolidayTables()...)
	if err != nil {
		t.Fatal(err)
	}
	host := xfbot.Person{OpenID: "ou_lead", Name: "周某"}
	staff := xfbot.Person{OpenID: "ou_m1", Name: "赵建"}
	c := &xfbot.Consultation{ID: "HZ-2026-0001", Date: xfbot.NewDate(2026, 3, 23), Status: xfbot.ConsultPlanned, Host: host, ScheduledBy: staff}
	t.Run("EveOfAMondayIsTheFriday", func(t *testing.T) {
		ds := c.Deadlines(cal)
		if len(ds) != 2 {
			t.Fatalf("deadlines %+v, want the host's and the scheduler's", ds)
		}
		for i, want := range []string{host.OpenID, staff.OpenID} {
			d := ds[i]
			if d.Owner != want || d.Kind != xfbot.DeadlineConsult || d.Due != xfbot.NewDate(2026, 3, 20) || d.Subject != (xfbot.Subject{Kind: xfbot.SubjectConsult, ID: "HZ-2026-0001"}) {
				t.Errorf("deadline %d = %+v", i, d)
			}
		}
	})
	t.Run("HostWhoScheduledIsRemindedOnce", func(t *testing.T) {
		cp := c.Clone()
		cp.ScheduledBy = host
		if ds := cp.Deadlines(cal); len(ds) != 1 || ds[0].Owner != host.OpenID {
			t.Errorf("deadlines %+v", ds)
		}
	})
	t.Run("NoneOnceRecordedOrCancelled", func(t *testing.T) {
		for _, st := range []xfbot.ConsultStatus{xfbot.ConsultHeld, xfbot.ConsultCancelled} {
			cp := c.Clone()
			cp.Status = st
			if ds := cp.Deadlines(cal); len(ds) != 0 {
				t.Errorf("%s: deadlines %+v", st, ds)
			}
		}
	})
	t.Run("EveAndRecordDayAroundAHoliday", func(t *testing.T) {
		// 2026-04-07 (Tuesday) follows 清明 (4-04 … 4-06): its eve is Friday 4-03.
		if got := xfbot.ConsultEve(xfbot.NewDate(2026, 4, 7), cal); got != xfbot.NewDate(2026, 4, 3) {
			t.Errorf("eve = %s", got)
		}
		if got := xfbot.ConsultRecordDue(xfbot.NewDate(2026, 4, 3), cal); got != xfbot.NewDate(2026, 4, 7) {
			t.Errorf("record due = %s", got)
		}
	})
}

func TestConsultationClone(t *testing.T) {
	c := &xfbot.Consultation{Cases: []xfbot.CaseNo{"XF-2026-0001"}, Decisions: []xfbot.ConsultDecision{{N: 1}}}
	cp := c.Clone()
	cp.Cases[0] = "XF-2026-0002"
	cp.Decisions[0].Measure = "x"
	if c.Cases[0] != "XF-2026-0001" || c.Decisions[0].Measure != "" {
		t.Errorf("Clone shares slices: %+v", c)
	}
	if c.Decision(1) == nil || c.Decision(2) != nil || !c.HasCase("XF-2026-0001") || c.HasCase("XF-2026-0002") {
		t.Errorf("lookups wrong")
	}
}
