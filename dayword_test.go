package xfbot_test

import (
	"strings"
	"testing"

	"github.com/qingchuan/xfbot"
)

func TestParseDay(t *testing.T) {
	cal, err := xfbot.NewCalendar(xfbot.DefaultHolidayTables()...)
	if err != nil {
		t.Fatal(err)
	}
	today := day("2026-12-01") // a Tuesday
	tests := []struct {
		in    string
		tense xfbot.Tense
		want  string // the date, or part of the refusal
		how   bool   // the reading shows how it was read
	}{
		{"2026-12-05", xfbot.Future, "2026-12-05", false},
		{"2026/12/5", xfbot.Future, "2026-12-05", false},
		{"2026.12.5", xfbot.Future, "2026-12-05", false},
		{"２０２６－１２－０５", xfbot.Future, "2026-12-05", false},
		{"2026年12月5日", xfbot.Future, "2026-12-05", false},
		{"12月5日", xfbot.Future, "2026-12-05", true},
		{"12-5", xfbot.Anytime, "2026-12-05", true},
		{"3月1日", xfbot.Future, "2027-03-01", true},
		{"3月1日", xfbot.Anytime, "2027-03-01", true},
		{"11月20日", xfbot.Past, "2026-11-20", true},
		{"11月20日", xfbot.Anytime, "2026-11-20", true},
		{"12月20日", xfbot.Past, "2025-12-20", true},
		{"5日", xfbot.Anytime, "2026-12-05", true},
		{"12.5", xfbot.Future, "2026-12-05", true},
		{"1.15", xfbot.Future, "2027-01-15", true},
		{"13.5", xfbot.Future, "看不懂", false},
		{"下月5号", xfbot.Future, "2027-01-05", true},
		{"下个月十五日", xfbot.Future, "2027-01-15", true},
		{"本月20日", xfbot.Anytime, "2026-12-20", true},
		{"上月3日", xfbot.Past, "2026-11-03", true},
		{"下月32号", xfbot.Future, "看不懂", false},
		{"下月5号", xfbot.Past, "之后", false},
		{"5号", xfbot.Future, "2026-12-05", true},
		{"1号", xfbot.Future, "2026-12-01", true},
		{"今天", xfbot.Future, "2026-12-01", true},
		{"明天", xfbot.Future, "2026-12-02", true},
		{"后天", xfbot.Future, "2026-12-03", true},
		{"昨天", xfbot.Past, "2026-11-30", true},
		{"前天", xfbot.Anytime, "2026-11-29", true},
		{"下周三", xfbot.Future, "2026-12-09", true},
		{"本周五", xfbot.Future, "2026-12-04", true},
		{"这周日", xfbot.Future, "2026-12-06", true},
		{"上周一", xfbot.Past, "2026-11-23", true},
		{"周三", xfbot.Future, "2026-12-02", true},
		{"星期二", xfbot.Future, "2026-12-01", true},
		{"礼拜一", xfbot.Future, "2026-12-07", true},
		{"周五", xfbot.Past, "2026-11-27", true},
		{"下下周一", xfbot.Future, "2026-12-14", true},
		{"月底", xfbot.Future, "2026-12-31", true},
		{"月初", xfbot.Anytime, "2026-12-01", true},
		{"下月初", xfbot.Future, "2027-01-01", true},
		{"下月底", xfbot.Future, "2027-01-31", true},
		{"上月底", xfbot.Past, "2026-11-30", true},
		{"年底", xfbot.Future, "2026-12-31", true},
		{"三天后", xfbot.Future, "2026-12-04", true},
		{"10天后", xfbot.Future, "2026-12-11", true},
		{"十五天后", xfbot.Future, "2026-12-16", true},
		{"两周后", xfbot.Future, "2026-12-15", true},
		{"一个月后", xfbot.Future, "2027-01-01", true},
		{"10个工作日后", xfbot.Future, "2026-12-15", true},
		{"5个工作日后", xfbot.Future, "2026-12-08", true},
		{"　明天 ", xfbot.Future, "2026-12-02", true},
		// Refusals that say how the day was read.
		{"昨天", xfbot.Future, "读作 2026-11-30 星期一，在今天（2026-12-01）之前", false},
		{"明天", xfbot.Past, "在今天（2026-12-01）之后", false},
		{"2026-11-01", xfbot.Future, "读作 2026-11-01，在今天", false},
		{"国庆后", xfbot.Future, "看不懂", false},
		{"13月5日", xfbot.Future, "看不懂", false},
		{"32号", xfbot.Future, "看不懂", false},
		{"下周八", xfbot.Future, "看不懂", false},
		{"2026-02-30", xfbot.Future, "看不懂", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			r, err := xfbot.ParseDay(tt.in, today, cal, tt.tense)
			if err != nil {
				if !strings.Contains(xfbot.ErrorMessage(err), tt.want) || xfbot.ErrorCode(err) != xfbot.EINVALID {
					t.Fatalf("error %q, want one saying %q", xfbot.ErrorMessage(err), tt.want)
				}
				return
			}
			if r.Date.String() != tt.want {
				t.Fatalf("ParseDay(%q) = %s, want %s", tt.in, r.Date, tt.want)
			}
			if (r.How != "") != tt.how || (tt.how && !strings.Contains(r.How, tt.want)) {
				t.Errorf("reading %q", r.How)
			}
		})
	}
}

func TestParseDayLeapDay(t *testing.T) {
	r, err := xfbot.ParseDay("2月29日", day("2026-12-01"), nil, xfbot.Future)
	if err != nil || r.Date.String() != "2028-02-29" {
		t.Fatalf("2月29日 = %v, %v", r.Date, err)
	}
}

func TestParseMonthWord(t *testing.T) {
	today := day("2026-01-15")
	for _, tt := range []struct {
		in    string
		tense xfbot.Tense
		want  string
	}{
		{"本月", xfbot.Anytime, "2026-01"}, {"上月", xfbot.Anytime, "2025-12"}, {"下月", xfbot.Anytime, "2026-02"},
		{"12月", xfbot.Anytime, "2025-12"}, {"十二月", xfbot.Past, "2025-12"}, {"3月", xfbot.Anytime, "2026-03"},
		{"3月", xfbot.Past, "2025-03"}, {"2026-04", xfbot.Anytime, "2026-04"}, {"2026年4月", xfbot.Anytime, "2026-04"},
	} {
		if m, err := xfbot.ParseMonthWord(tt.in, today, tt.tense); err != nil || m.String() != tt.want {
			t.Errorf("ParseMonthWord(%q) = %s, %v; want %s", tt.in, m, err, tt.want)
		}
	}
	if _, err := xfbot.ParseMonthWord("13月", today, xfbot.Anytime); err == nil || !strings.Contains(xfbot.ErrorMessage(err), "4月") {
		t.Errorf("13月: %v", err)
	}
}
