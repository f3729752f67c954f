package xfbot

import "time"

// ExtensionRequest is an application for a case's one extension (延期申请):
// whoever may edit the case applies, the task-force lead approves or rejects
// (《信访工作条例》第三十四条：经本机关负责人批准，可以适当延长办理期限).
type ExtensionRequest struct {
	Days   int
	Reason string
	By     Person
	At     time.Time
}

// DueAsOf is the case's effective last day on today: the statutory period
// from acceptance (60 days, the last day rolled past holidays) or the date
// set by hand, plus the extension and the days of clock pauses (a pause still
// running counts up to today). It is the one place a case's deadline is
// computed.
func (c *Case) DueAsOf(cal *Calendar, today Date) Date {
	pauses := c.PausesAsOf(today)
	rule := handleRule()
	if c.DueOverride.IsZero() {
		return rule.Due(c.AcceptedOn, c.ExtensionDays, cal, pauses)
	}
	extra := max(c.ExtensionDays-c.DueExt, 0)
	from := c.DueSetOn
	if from.IsZero() {
		// A record from before DueSetOn: as it was counted then, only the
		// pauses from its last day on push it.
		return ComputeDue(c.DueOverride.AddDays(-1), 1+extra, rule.Mode, cal, pauses)
	}
	days := c.DueOverride.Sub(from)
	if days <= 0 {
		// A date on or before the day it was set from (an old case's deadline
		// stated at registration, already past): it stands as stated.
		if extra == 0 {
			return RollForward(c.DueOverride, cal)
		}
		return ComputeDue(c.DueOverride, extra, rule.Mode, cal, pauses)
	}
	return ComputeDue(from, days+extra, rule.Mode, cal, pauses)
}

// handleRule is the 办结 rule of limits.go: 60 days from acceptance, the last
// day rolled past holidays.
func handleRule() DeadlineRule {
	r, _ := RuleOf(DeadlineHandle)
	return r
}

// StatutoryLimit is the latest last day the regulation allows the case:
// acceptance + 60 days + the one extension of at most 30, plus the paused
// days, the last day rolled past holidays. A deadline set by hand may not
// pass it unless the lead states it is a 重新受理 or 内部化解目标.
func (c *Case) StatutoryLimit(cal *Calendar, today Date) Date {
	return handleRule().Due(c.AcceptedOn, MaxExtensionDays, cal, c.PausesAsOf(today))
}

// CheckDue decides whether d may become the case's deadline set by hand on
// today: not before acceptance, not past the statutory limit unless target.
// It returns d rolled to the next working day (a last day never falls on a
// rest day) and whether it was rolled.
func (c *Case) CheckDue(d Date, target bool, cal *Calendar, today Date) (Date, bool, error) {
	if d.Before(c.AcceptedOn) {
		return d, false, Errorf(EINVALID, "期限 %s 早于受理日期 %s，请检查。", d, c.AcceptedOn)
	}
	r := RollForward(d, cal)
	if limit := c.StatutoryLimit(cal, today); !target && r.After(limit) {
		return d, false, Errorf(EINVALID, "期限 %s 超过法定最长期限 %s（受理 %s 起 60 日，加一次最多 30 日的延期，再加暂停计时的天数；《信访工作条例》第三十四条）。如确属重新受理或内部化解目标，请在日期后写明“重新受理”或“内部化解目标”及理由。", r, limit, c.AcceptedOn)
	}
	return r, r != d, nil
}

// RollForward is d, or the next working day when d is a weekend or a
// holiday (a 调休 working Saturday stays).
func RollForward(d Date, cal *Calendar) Date {
	if d.IsZero() {
		return d
	}
	return ComputeDue(d.AddDays(-1), 1, DayCalendarRollover, cal, nil)
}
