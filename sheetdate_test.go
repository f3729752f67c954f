package xfbot_test

import (
	"strings"
	"testing"

	"github.com/qingchuan/xfbot"
)

func TestParseSheetDate(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string // "" = refused
	}{
		{"45052", "2023-05-06"},
		{"45052.75", "2023-05-06"},
		{"61", "1900-03-01"},
		{"46097", "2026-03-16"},
		{"2023.5.6", "2023-05-06"},
		{"2023.5.6.", "2023-05-06"},
		{"2023年5月6日", "2023-05-06"},
		{"２０２３年５月６日", "2023-05-06"},
		{"2023-05-06 00:00:00", "2023-05-06"},
		{"2023/5/6 10:30", "2023-05-06"},
		{"2023-05-06T08:00:00", "2023-05-06"},
		{"20230506", "2023-05-06"},
		{" 2023-5-6 ", "2023-05-06"},
		{"", ""},
		{"60", ""},         // Lotus's 1900-02-29
		{"1234567", ""},    // neither a serial nor a date
		{"2023-02-30", ""}, // no such day
		{"5月6日", ""},       // no year: a sheet's date must say it
		{"待定", ""},
		{"45052.5.1", ""},
		{"2023-05-06 上午", ""},
	} {
		t.Run(tc.in, func(t *testing.T) {
			d, err := xfbot.ParseSheetDate(tc.in)
			if tc.want == "" {
				if err == nil {
					t.Fatalf("ParseSheetDate(%q) = %s, want an error", tc.in, d)
				}
				if !strings.Contains(err.Error(), "日期") {
					t.Errorf("error %q does not say what was wrong", err)
				}
				return
			}
			if err != nil || d.String() != tc.want {
				t.Fatalf("ParseSheetDate(%q) = %s, %v; want %s", tc.in, d, err, tc.want)
			}
		})
	}
}
