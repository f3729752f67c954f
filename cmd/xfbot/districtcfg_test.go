package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/internal/testredis"
)

// districtsYAML: 河口区 sets its own quiet hours (from only: quiet_to is
// inherited), a local holiday, a yellow threshold, the overdue scan's time
// and its registry seed; 青峰区 sets nothing.
const districtsYAML = `
lark: {app_id: cli_a, app_secret: sa}
district_name: 青川区
districts:
  - id: hekou
    name: 河口区
    reminders:
      quiet_from: 22
    holidays:
      - year: 2026
        holidays: ["2026-03-02"] # 河口区 local day off (a Monday)
    deadline: {yellow: 10}
    schedule: {overdue: "0 10 * * 1-5"}
    units:
      - name: 河口街道办
        kind: 街道
  - id: qingfeng
    name: 青峰区
`

func loadDistricts(t *testing.T, yml string, environ ...string) (Config, error) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "c.yaml")
	if err := os.WriteFile(path, []byte(yml), 0o600); err != nil {
		t.Fatal(err)
	}
	return LoadConfig(path, environ)
}

// TestDistrictOverrides: what a district entry sets is its own, key by
// key; what it leaves out is the top level's (the environment included);
// a district that sets nothing is configured exactly as before.
func TestDistrictOverrides(t *testing.T) {
	// The environment sets the top level; 河口区 inherits what it leaves out.
	cfg, err := loadDistricts(t, districtsYAML, "XFBOT_REMINDERS_QUIET_TO=6")
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	hekou, qingfeng := cfg.ForDistrict(cfg.Districts[0]), cfg.ForDistrict(cfg.Districts[1])

	t.Run("FieldByField", func(t *testing.T) {
		r := hekou.Reminders
		if r.QuietFrom != 22 || r.QuietTo != 6 || !reflect.DeepEqual(r.Ladder, cfg.Reminders.Ladder) || r.StaleDays != cfg.Reminders.StaleDays {
			t.Errorf("河口区 reminders = %+v, want quiet 22–6 (quiet_to from XFBOT_REMINDERS_QUIET_TO) and the rest inherited", r)
		}
		if d := hekou.Deadline; d.Yellow != 10 || d.Orange != cfg.Deadline.Orange || d.Black != cfg.Deadline.Black {
			t.Errorf("河口区 deadline = %+v, want yellow 10, orange and black inherited", d)
		}
		if s := hekou.Schedule; s.Overdue != "0 10 * * 1-5" || s.GroupDaily != cfg.Schedule.GroupDaily {
			t.Errorf("河口区 schedule = %+v", s)
		}
		if cfg.Reminders.QuietFrom != 21 || cfg.Deadline.Yellow != DefaultConfig().Deadline.Yellow || len(cfg.Units) != 0 {
			t.Errorf("the top level changed: reminders %+v, deadline %+v, units %v", cfg.Reminders, cfg.Deadline, cfg.Units)
		}
	})

	t.Run("NoOverridesAsBefore", func(t *testing.T) {
		want := cfg
		want.Districts, want.District, want.DistrictName = nil, "qingfeng", "青峰区"
		want.Redis.Prefix = "xf_qingfeng"
		want.Admins, want.Leaders, want.GroupChatID = nil, nil, ""
		if !reflect.DeepEqual(qingfeng, want) {
			t.Errorf("青峰区 sets nothing but differs from the top level:\n got %+v\nwant %+v", qingfeng, want)
		}
	})

	t.Run("HolidaysAddToTheCalendar", func(t *testing.T) {
		monday := xfbot.NewDate(2026, 3, 2)
		if !cfg.Calendar().IsWorkday(monday) || !qingfeng.Calendar().IsWorkday(monday) {
			t.Error("2026-03-02 should be a working day outside 河口区")
		}
		if hekou.Calendar().IsWorkday(monday) {
			t.Error("河口区's own holiday 2026-03-02 is a working day in its calendar")
		}
		// The national days stay: 2026-10-01 is off, 2026-10-10 (a Saturday) on.
		if c := hekou.Calendar(); c.IsWorkday(xfbot.NewDate(2026, 10, 1)) || !c.IsWorkday(xfbot.NewDate(2026, 10, 10)) {
			t.Error("河口区 lost the national holidays")
		}
		if n := len(cfg.Holidays[0].Holidays); n != len(DefaultConfig().Holidays[0].Holidays) {
			t.Errorf("the top level's 2026 table has %d entries: the district's day leaked into it", n)
		}
	})

	t.Run("Consumers", func(t *testing.T) {
		rdb, prefix := testredis.New(t)
		ctx := context.Background()
		log := slog.New(slog.NewTextHandler(io.Discard, nil))
		shanghai := cfg.Location()
		apps := map[string]*app{}
		for _, dc := range []*Config{&hekou, &qingfeng} {
			dc.Redis.Prefix = prefix + "_" + dc.DistrictID()
			a := newApp(*dc, rdb, log, false)
			if err := a.seedRegistry(ctx, *dc, log); err != nil {
				t.Fatal(err)
			}
			apps[dc.DistrictID()] = a
		}

		// The scheduler of each: quiet hours and the overdue scan's times.
		plan := func(dc Config) (quietAt2130 bool, next time.Time) {
			sch, err := apps[dc.DistrictID()].newScheduler(dc, log)
			if err != nil {
				t.Fatal(err)
			}
			friday := time.Date(2026, 1, 9, 9, 0, 0, 0, shanghai)
			times, err := sch.Next("overdue", friday, 1)
			if err != nil {
				t.Fatal(err)
			}
			return sch.Quiet(time.Date(2026, 1, 9, 21, 30, 0, 0, shanghai)), times[0]
		}
		if q, next := plan(hekou); q || !next.Equal(time.Date(2026, 1, 9, 10, 0, 0, 0, shanghai)) {
			t.Errorf("河口区's scheduler: quiet at 21:30 = %v (want false: its quiet hours start at 22), next overdue %v (want 10:00)", q, next)
		}
		if q, next := plan(qingfeng); !q || !next.Equal(time.Date(2026, 1, 9, 9, 5, 0, 0, shanghai)) {
			t.Errorf("青峰区's scheduler: quiet at 21:30 = %v (want true), next overdue %v (want 09:05)", q, next)
		}

		// The handlers' deadlines: 9 days left is yellow only in 河口区
		// (yellow 10), and its calendar skips its own holiday.
		today := xfbot.NewDate(2026, 1, 12)
		due := xfbot.NewDate(2026, 1, 21)
		if h, q := apps["hekou"].handlers.Thresholds.Level(due, today), apps["qingfeng"].handlers.Thresholds.Level(due, today); h == q {
			t.Errorf("9 days before the deadline: 河口区 %v, 青峰区 %v; want them to differ (yellow 10 against %d)", h, q, cfg.Deadline.Yellow)
		}
		if apps["hekou"].handlers.Calendar.IsWorkday(xfbot.NewDate(2026, 3, 2)) || !apps["qingfeng"].handlers.Calendar.IsWorkday(xfbot.NewDate(2026, 3, 2)) {
			t.Error("the handlers' calendars are not the districts' own")
		}

		// The registry seed: 河口区's units, none for 青峰区.
		r, err := apps["hekou"].store.Registry(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := r.Check(xfbot.RegUnit, "河口街道办"); got != "河口街道办" {
			t.Errorf("河口区's registry: Check(河口街道办) = %q, %v", got, err)
		}
		if r, _ := apps["qingfeng"].store.Registry(ctx); len(r.Units) != 0 {
			t.Errorf("青峰区's registry has %d units, want none (the top level seeds none)", len(r.Units))
		}
	})

	t.Run("ScheduleCommand", func(t *testing.T) {
		var b strings.Builder
		if err := printSchedule(&b, cfg, time.Date(2026, 1, 9, 9, 0, 0, 0, cfg.Location())); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		squeezed := strings.Join(strings.Fields(out), " ")
		for _, want := range []string{"districts[0] hekou 河口区: 免打扰 quiet 22–06", "overdue - 0 10 * * 1-5 2026-01-09 10:00 Fri",
			"group_daily XFBOT_SCHEDULE_GROUP_DAILY 35 9 * * 1-5"} {
			if !strings.Contains(squeezed, want) {
				t.Errorf("xfbot schedule lacks %q:\n%s", want, out)
			}
		}
		if strings.Contains(out, "qingfeng") {
			t.Errorf("xfbot schedule shows 青峰区, whose schedule is the top level's:\n%s", out)
		}
	})

	t.Run("DistrictList", func(t *testing.T) {
		var b strings.Builder
		if err := listDistricts(&b, cfg); err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(b.String(), "\n")
		if len(lines) < 4 || !strings.HasSuffix(strings.TrimSpace(lines[2]), "deadline,holidays,units,schedule,reminders") ||
			!strings.HasSuffix(strings.TrimSpace(lines[3]), " -") {
			t.Errorf("district list should show what 河口区 sets and nothing for 青峰区:\n%s", b.String())
		}
	})
}

// TestDistrictOverrideRefused: a bad override is refused, at load or by
// Validate, with the district named.
func TestDistrictOverrideRefused(t *testing.T) {
	entry := func(extra string) string {
		return "lark: {app_id: cli_a, app_secret: sa}\ndistricts:\n  - id: qingfeng\n  - id: hekou\n    name: 河口区\n" + extra
	}
	t.Run("Validate", func(t *testing.T) {
		for _, tt := range []struct{ name, extra, want string }{
			{"Schedule", "    schedule: {overdue: \"at nine\"}\n", "districts[1] 河口区: schedule.overdue: cron 表达式 \"at nine\" 无效"},
			{"QuietHours", "    reminders: {quiet_to: 25}\n", "districts[1] 河口区: reminders.quiet_from: 免打扰时段应为 0–24 点"},
			{"Thresholds", "    deadline: {yellow: 2}\n", "districts[1] 河口区: deadline.yellow: 应大于 orange"},
			// 2026-01-04 is a national make-up working day.
			{"HolidayOnAWorkday", "    holidays: [{year: 2026, holidays: [\"2026-01-04\"]}]\n", "districts[1] 河口区: holidays:"},
			{"Registry", "    units: [{name: 区住建局, kind: 部委}]\n", "districts[1] 河口区: units:"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				cfg, err := loadDistricts(t, entry(tt.extra))
				if err != nil {
					t.Fatal(err)
				}
				err = cfg.Validate()
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Fatalf("Validate = %v, want %q", err, tt.want)
				}
				if strings.Contains(err.Error(), "districts[1] 河口区: "+"schedule.overdue (XFBOT_") {
					t.Errorf("the error points a district's own value at the top level's variable: %v", err)
				}
				if strings.Contains(err.Error(), "districts[0]") {
					t.Errorf("the district without overrides is blamed too: %v", err)
				}
			})
		}
	})
	t.Run("Load", func(t *testing.T) {
		for _, tt := range []struct{ name, extra, want string }{
			{"DeploymentWide", "    redis: {db: 1}\n", `a district cannot set "redis"`},
			{"Timezone", "    timezone: Asia/Urumqi\n", `a district cannot set "timezone"`},
			{"Typo", "    reminders: {quiet_form: 22}\n", "quiet_form"},
			{"Type", "    reminders: {quiet_from: late}\n", "reminders"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				_, err := loadDistricts(t, entry(tt.extra))
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Fatalf("LoadConfig = %v, want %q", err, tt.want)
				}
			})
		}
		// A typo deep in a section is reported at its line of the file.
		t.Run("TypoLine", func(t *testing.T) {
			yml := entry("    reminders:\n      quiet_from: 22\n      quiet_form: 6\n")
			line := strings.Count(yml[:strings.Index(yml, "quiet_form")], "\n") + 1
			_, err := loadDistricts(t, yml)
			if want := fmt.Sprintf("reminders: line %d: field quiet_form not found", line); err == nil || !strings.Contains(err.Error(), want) {
				t.Fatalf("LoadConfig = %v, want %q", err, want)
			}
		})
	})
}
