package main

import (
	"strings"
	"testing"
	"time"
)

// scheduleRows is printSchedule's output with each line's runs of blanks
// squeezed to one, so that the test pins content, not column widths.
func scheduleRows(t *testing.T, cfg Config, now time.Time) []string {
	t.Helper()
	var b strings.Builder
	if err := printSchedule(&b, cfg, now); err != nil {
		t.Fatal(err)
	}
	var rows []string
	for line := range strings.Lines(b.String()) {
		rows = append(rows, strings.Join(strings.Fields(line), " "))
	}
	return rows
}

func checkRows(t *testing.T, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("printSchedule:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestPrintSchedule(t *testing.T) {
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	// Friday 2026-01-09, 10:00 in Shanghai: the weekday jobs skip the weekend.
	friday := time.Date(2026, 1, 9, 10, 0, 0, 0, shanghai)

	t.Run("Defaults", func(t *testing.T) {
		checkRows(t, scheduleRows(t, DefaultConfig(), friday), []string{
			"JOB ENV SPEC NEXT (Asia/Shanghai)",
			"overdue XFBOT_SCHEDULE_OVERDUE 5 9 * * 1-5 2026-01-12 09:05 Mon",
			"2026-01-13 09:05 Tue",
			"2026-01-14 09:05 Wed",
			"2026-01-15 09:05 Thu",
			"2026-01-16 09:05 Fri",
			"group_daily XFBOT_SCHEDULE_GROUP_DAILY 35 9 * * 1-5 2026-01-12 09:35 Mon",
			"2026-01-13 09:35 Tue",
			"2026-01-14 09:35 Wed",
			"2026-01-15 09:35 Thu",
			"2026-01-16 09:35 Fri",
			"reception XFBOT_SCHEDULE_RECEPTION 5 8 * * * 2026-01-10 08:05 Sat",
			"2026-01-11 08:05 Sun",
			"2026-01-12 08:05 Mon",
			"2026-01-13 08:05 Tue",
			"2026-01-14 08:05 Wed",
			"leader_digest XFBOT_SCHEDULE_LEADER_DIGEST 45 8 * * 1-5 2026-01-12 08:45 Mon",
			"2026-01-13 08:45 Tue",
			"2026-01-14 08:45 Wed",
			"2026-01-15 08:45 Thu",
			"2026-01-16 08:45 Fri",
			"group_weekly XFBOT_SCHEDULE_GROUP_WEEKLY 10 9 * * 1 2026-01-12 09:10 Mon",
			"2026-01-19 09:10 Mon",
			"2026-01-26 09:10 Mon",
			"2026-02-02 09:10 Mon",
			"2026-02-09 09:10 Mon",
			"monthly XFBOT_SCHEDULE_MONTHLY 15 9 1 * * 2026-02-01 09:15 Sun",
			"2026-03-01 09:15 Sun",
			"2026-04-01 09:15 Wed",
			"2026-05-01 09:15 Fri",
			"2026-06-01 09:15 Mon",
		})
	})

	t.Run("EnvEvery2s", func(t *testing.T) {
		cfg, err := LoadConfig("", []string{"XFBOT_SCHEDULE_OVERDUE=@every 2s", "XFBOT_SCHEDULE_MONTHLY=@daily"})
		if err != nil {
			t.Fatal(err)
		}
		if err := cfg.Validate(); err != nil {
			t.Fatal(err)
		}
		rows := scheduleRows(t, cfg, friday.Add(500*time.Millisecond))
		// "@every 2s" runs on even seconds, shown with seconds.
		checkRows(t, rows[1:6], []string{
			"overdue XFBOT_SCHEDULE_OVERDUE @every 2s 2026-01-09 10:00:02 Fri",
			"2026-01-09 10:00:04 Fri",
			"2026-01-09 10:00:06 Fri",
			"2026-01-09 10:00:08 Fri",
			"2026-01-09 10:00:10 Fri",
		})
		// "@daily" is midnight in the configured zone.
		checkRows(t, rows[len(rows)-5:], []string{
			"monthly XFBOT_SCHEDULE_MONTHLY @daily 2026-01-10 00:00 Sat",
			"2026-01-11 00:00 Sun",
			"2026-01-12 00:00 Mon",
			"2026-01-13 00:00 Tue",
			"2026-01-14 00:00 Wed",
		})
	})

	t.Run("OtherZone", func(t *testing.T) {
		cfg := DefaultConfig()
		cfg.Timezone = "UTC"
		rows := scheduleRows(t, cfg, friday) // 02:00 UTC
		checkRows(t, rows[:3], []string{
			"JOB ENV SPEC NEXT (UTC)",
			"overdue XFBOT_SCHEDULE_OVERDUE 5 9 * * 1-5 2026-01-09 09:05 Fri",
			"2026-01-12 09:05 Mon",
		})
	})

	t.Run("Never", func(t *testing.T) {
		cfg := DefaultConfig()
		cfg.Schedule.Monthly = "0 0 30 2 *"
		rows := scheduleRows(t, cfg, friday)
		checkRows(t, rows[len(rows)-1:], []string{"monthly XFBOT_SCHEDULE_MONTHLY 0 0 30 2 * (never)"})
	})

	t.Run("BadSpecNamesVariable", func(t *testing.T) {
		cfg := DefaultConfig()
		cfg.Schedule.GroupWeekly = "10 9 * * 8"
		err := printSchedule(&strings.Builder{}, cfg, friday)
		if err == nil || !strings.Contains(err.Error(), "XFBOT_SCHEDULE_GROUP_WEEKLY") {
			t.Fatalf("printSchedule = %v; want an error naming XFBOT_SCHEDULE_GROUP_WEEKLY", err)
		}
	})
}
