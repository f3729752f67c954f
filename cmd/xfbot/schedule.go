package main

import (
	"context"
	"fmt"
	"io"
	"reflect"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/qingchuan/xfbot/scheduler"
)

// scheduledJob is one configured job: its name (the key under schedule., used
// in Redis and logs), the variable that overrides it, and its spec.
type scheduledJob struct {
	Name, Env, Spec string
}

// scheduledJobs lists the schedule.* keys in ScheduleConfig's field order.
// Walking the config keys, as Validate does, means a schedule added there is
// printed (and its name and variable spelled) with no edit here.
func scheduledJobs(cfg Config) []scheduledJob {
	root := reflect.ValueOf(cfg)
	var jobs []scheduledJob
	for _, k := range configKeys() {
		if name, ok := strings.CutPrefix(k.Path, "schedule."); ok {
			jobs = append(jobs, scheduledJob{Name: name, Env: k.Env, Spec: root.FieldByIndex(k.Index).String()})
		}
	}
	return jobs
}

// Time layouts of "xfbot schedule". Seconds appear only for a job that fires
// off the minute ("@every 2s"), whose five times would otherwise read alike.
const (
	scheduleLayout        = "2006-01-02 15:04 Mon"
	scheduleLayoutSeconds = "2006-01-02 15:04:05 Mon"
)

// printSchedule writes every job with its variable, its spec and its next five
// firing times after now, in the configured zone. It plans with the
// scheduler itself (no Redis), so it shows what serve will do, "@every"
// alignment included. A district whose schedule or quiet hours differ
// from the top level's gets a table of its own after it, where a job the
// district sets itself shows "-" for its variable (the environment sets
// the top level only).
func printSchedule(w io.Writer, cfg Config, now time.Time) error {
	if cfg.Timezone == "" {
		return fmt.Errorf("timezone: 不能为空 / must not be empty")
	}
	loc, err := time.LoadLocation(cfg.Timezone)
	if err != nil {
		return fmt.Errorf("timezone: %w", err)
	}
	top := scheduledJobs(cfg)
	if err := printJobs(w, top, loc, now); err != nil {
		return err
	}
	for i, d := range cfg.Districts {
		dc := cfg.ForDistrict(d)
		if dc.Schedule == cfg.Schedule && dc.Reminders.QuietFrom == cfg.Reminders.QuietFrom && dc.Reminders.QuietTo == cfg.Reminders.QuietTo {
			continue
		}
		jobs := scheduledJobs(dc)
		for j := range jobs {
			if jobs[j].Spec != top[j].Spec {
				jobs[j].Env = "-"
			}
		}
		fmt.Fprintf(w, "\ndistricts[%d] %s %s: 免打扰 quiet %02d–%02d\n", i, dc.DistrictID(), dc.DistrictLabel(), dc.Reminders.QuietFrom, dc.Reminders.QuietTo)
		if err := printJobs(w, jobs, loc, now); err != nil {
			return fmt.Errorf("districts[%d] %s: %w", i, dc.DistrictLabel(), err)
		}
	}
	return nil
}

// printJobs is one table of printSchedule.
func printJobs(w io.Writer, jobs []scheduledJob, loc *time.Location, now time.Time) error {
	plan := scheduler.New(nil, scheduler.Options{Location: loc})
	idle := scheduler.JobFunc(func(context.Context, time.Time) error { return nil })
	for _, j := range jobs {
		if err := plan.Add(j.Name, j.Spec, idle, 0); err != nil {
			return fmt.Errorf("%s: %w", j.Env, err)
		}
	}

	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "JOB\tENV\tSPEC\tNEXT (%s)\n", loc)
	for _, j := range jobs {
		times, err := plan.Next(j.Name, now, 5)
		if err != nil {
			return err
		}
		layout := scheduleLayout
		for _, t := range times {
			if t.Second() != 0 {
				layout = scheduleLayoutSeconds
			}
		}
		cells := []string{"(never)"}
		if len(times) > 0 {
			cells = cells[:0]
			for _, t := range times {
				cells = append(cells, t.Format(layout))
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", j.Name, j.Env, j.Spec, cells[0])
		for _, c := range cells[1:] {
			fmt.Fprintf(tw, "\t\t\t%s\n", c)
		}
	}
	return tw.Flush()
}
