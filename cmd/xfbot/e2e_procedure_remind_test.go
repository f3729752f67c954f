package main

import (
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/bot/larktest"
)

// TestE2EProcedureReminders: a case walks 登记（待受理）→ 受理 → 答复 → 复查 →
// 复核 → 终结 through the fake Feishu while the scheduler's clock is moved
// from day to day (10:00 on working days), the reminder scan firing every
// second. Its owner gets one direct message each time the deadline of the
// stage it stands at turns 🟡, 🟠 and 🔴, naming that deadline (受理期限,
// 办结期限, 复查期限, 复核期限), never twice, however many firings see it; a
// deadline the case has moved past, an answer waiting on the petitioner's
// window and an ended procedure bring nothing, even on the days the old
// deadline would have changed level.
//
// The acts are dated in the past (the statutory periods run on business
// dates, and no act may be dated after today), so the clock is moved back
// to those days, and forward from one to the next.
func TestE2EProcedureReminders(t *testing.T) {
	cst := time.FixedZone("CST", 8*3600)
	cal, err := xfbot.NewCalendar(xfbot.DefaultHolidayTables()...)
	if err != nil {
		t.Fatal(err)
	}
	th := xfbot.DefaultThresholds
	realToday := xfbot.DateOf(time.Now(), cst)
	pl := planProcedure(cal, th, realToday)
	t.Logf("plan: %+v", pl)

	// The scheduler's clock: the real one plus an offset the test moves.
	// Set before serve starts, so that its first scan already runs on the
	// moved clock (a job's slots only move forward).
	var offset atomic.Int64
	prevNow := schedulerNow
	schedulerNow = func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
	t.Cleanup(func() { schedulerNow = prevNow }) // after serve has stopped
	moveTo := func(d xfbot.Date) time.Time {
		at := d.Time(cst).Add(10 * time.Hour)
		offset.Store(int64(at.Sub(time.Now())))
		return at
	}
	moveTo(pl.Received)

	appID := uniqueAppID()
	fake := larktest.NewServer(larktest.WithApp(appID, e2eSecret))
	defer fake.Close()
	env := serveEnv(t, fake, appID)
	env["XFBOT_SCHEDULE_OVERDUE"] = "@every 1s"
	for _, k := range []string{"GROUP_DAILY", "RECEPTION", "LEADER_DIGEST", "GROUP_WEEKLY", "MONTHLY"} {
		env["XFBOT_SCHEDULE_"+k] = "0 0 1 1 *" // yearly: out of the way
	}
	// 久未更新 is off: the acts are stamped with the real time, so on the
	// moved clock every case would look untouched for months.
	env["XFBOT_REMINDERS_STALE_DAYS"] = "0"
	p := startServe(t, env)
	f := newFeishu(t, fake, p, env)

	const chat, owner = "oc_e2e_admin_p2p", "ou_e2e_owner"
	mention := []larktest.Mention{{OpenID: owner, Name: "李承办"}}
	say := func(text string, ms ...larktest.Mention) string {
		t.Helper()
		return shown(f.say(larktest.Message{ChatID: chat, Text: text, Mentions: ms}).Content)
	}
	expect := func(cmd, want string, ms ...larktest.Mention) {
		t.Helper()
		if got := say(cmd, ms...); !strings.Contains(got, want) {
			t.Fatalf("%s: the reply lacks %q:\n%s", cmd, want, got)
		}
	}
	dms := func() []larktest.Sent {
		var out []larktest.Sent
		for _, m := range fake.Messages() {
			if m.ReceiveIDType == "open_id" && m.ReceiveID == owner {
				out = append(out, m)
			}
		}
		return out
	}

	expect("成员 添加 @_user_1 专班成员", "李承办", mention...)
	no := caseNoRE.FindString(say("新建 城中村改造补偿款未到位 单位:区住建局 待受理 收到:" + pl.Received.String()))
	if no == "" {
		t.Fatal("新建 … 待受理 registered nothing")
	}
	expect("指派 "+no+" @_user_1", "包案人", mention...)
	if _, ok := fake.WaitFor(func(s larktest.Sent) bool {
		return s.ReceiveID == owner && strings.Contains(shown(s.Content), "指定您为包案人")
	}, e2eWait); !ok {
		t.Fatal("the owner was not told of the assignment")
	}

	// The reminder scan's completed runs at or after at, from serve's log.
	scansSince := func(at time.Time) int {
		n := 0
		for _, m := range scanDone.FindAllStringSubmatch(p.Logs.String(), -1) {
			if slot, err := time.ParseInLocation(time.DateTime, m[1], cst); err == nil && !slot.Before(at.Truncate(time.Second)) {
				n++
			}
		}
		return n
	}
	labels := []string{"受理期限", "办结期限", "复查期限", "复核期限"}
	// on moves the clock to 10:00 on day and lets the scan run three times:
	// with a level, the owner gets exactly one message, naming the case,
	// the level, the deadline (label and day) and no other; without one,
	// nothing.
	on := func(what string, day xfbot.Date, lv xfbot.Level, label string, due xfbot.Date) {
		t.Helper()
		before := len(dms())
		at := moveTo(day)
		if lv != xfbot.LevelNone {
			for end := time.Now().Add(e2eWait); len(dms()) == before && time.Now().Before(end); {
				time.Sleep(50 * time.Millisecond)
			}
		}
		for end := time.Now().Add(e2eWait); scansSince(at) < 3; {
			if time.Now().After(end) {
				t.Fatalf("%s (%s): fewer than 3 reminder scans on the moved clock within %s", what, day, e2eWait)
			}
			time.Sleep(50 * time.Millisecond)
		}
		time.Sleep(300 * time.Millisecond) // the outbox delivers what the last scan queued
		got := dms()[before:]
		var texts []string
		for _, m := range got {
			texts = append(texts, shown(m.Content))
		}
		if lv == xfbot.LevelNone {
			if len(got) != 0 {
				t.Errorf("%s (%s): want no message to the owner, got %d:\n%s", what, day, len(got), strings.Join(texts, "\n---\n"))
			}
			return
		}
		if len(got) != 1 {
			t.Errorf("%s (%s): want one message to the owner, got %d:\n%s", what, day, len(got), strings.Join(texts, "\n---\n"))
			if len(got) == 0 {
				return
			}
		}
		if got[0].MsgType != "interactive" {
			t.Errorf("%s: a %s message, want a card", what, got[0].MsgType)
		}
		text := texts[0]
		for _, w := range []string{no, "（1 件）", lv.Emoji(), lv.Label(), label + " " + due.String()} {
			if !strings.Contains(text, w) {
				t.Errorf("%s (%s): the reminder lacks %q:\n%s", what, day, w, text)
			}
		}
		for _, other := range labels {
			if other != label && strings.Contains(text, other) {
				t.Errorf("%s (%s): the reminder names %s:\n%s", what, day, other, text)
			}
		}
	}
	none := xfbot.LevelNone

	// 已登记（待受理）: the 15-day 受理告知.
	on("green", pl.Received, none, "", xfbot.Date{})
	on("受理 🟡", pl.Accept.Yellow, xfbot.LevelYellow, "受理期限", pl.Accept.Due)
	if d := pl.Accept.Yellow2; !d.IsZero() {
		on("受理 🟡 next day", d, none, "", xfbot.Date{}) // the same level: told already
	}
	on("受理 🟠", pl.Accept.Orange, xfbot.LevelOrange, "受理期限", pl.Accept.Due)
	on("受理 🔴", pl.Accept.Red, xfbot.LevelRed, "受理期限", pl.Accept.Due)

	// 受理: the 60 days to answer start; the 受理期限 is no more, not even on
	// the day it would have turned ⚫ (which quiet hours do not hold).
	expect("受理 "+no+" "+pl.Accepted.String(), "办理中")
	on("受理期限 past ⚫", pl.Accept.Due.AddDays(th.Black+1), none, "", xfbot.Date{})
	on("办结 🟡", pl.Handle.Yellow, xfbot.LevelYellow, "办结期限", pl.Handle.Due)
	on("办结 🟠", pl.Handle.Orange, xfbot.LevelOrange, "办结期限", pl.Handle.Due)

	// 答复 and 送达: the case waits on the petitioner's 30 days to ask for
	// 复查; nobody is chased, not even on the day 办结 would be overdue.
	expect("答复 "+no+" 部分支持 "+pl.Replied.String()+" 送达:"+pl.Replied.String(), "复查申请期至")
	on("办结期限 past 🔴", pl.Handle.Red, none, "", xfbot.Date{})

	// 复查 申请: 30 days to decide.
	expect("复查 申请 "+no+" "+pl.ReviewAsked.String(), "复查中")
	on("复查 🟡", pl.Review.Yellow, xfbot.LevelYellow, "复查期限", pl.Review.Due)
	on("复查 🟠", pl.Review.Orange, xfbot.LevelOrange, "复查期限", pl.Review.Due)
	on("复查 🔴", pl.Review.Red, xfbot.LevelRed, "复查期限", pl.Review.Due)

	// 复查 答复, 复核 申请: 30 days for the 复核.
	expect("复查 答复 "+no+" 维持 "+pl.Reviewed.String()+" 送达:"+pl.Reviewed.String(), "复核申请期至")
	expect("复核 申请 "+no+" "+pl.Reviewed.String(), "复核中")
	on("复核 🟡", pl.Recheck.Yellow, xfbot.LevelYellow, "复核期限", pl.Recheck.Due)

	// 复核 答复: 终结. Nothing more, not even when the 复核期限 would be overdue.
	expect("复核 答复 "+no+" 维持 "+pl.Rechecked.String(), "同一事实和理由不再受理")
	on("终结, 复核期限 past 🔴", pl.Recheck.Red, none, "", xfbot.Date{})
}

// scanDone matches serve's log line for a completed run of the reminder scan.
var scanDone = regexp.MustCompile(`msg="job done" job=overdue slot="([0-9-]+ [0-9:]+)"`)

// stageDays are the working days a stage's deadline turns 🟡, 🟠 and 🔴.
type stageDays struct {
	Due, Yellow, Orange, Red xfbot.Date
	Yellow2                  xfbot.Date // a later working day still 🟡, if any
}

// procedurePlan is the case's business dates and the days the clock visits.
type procedurePlan struct {
	Received, Accepted, Replied, ReviewAsked, Reviewed, Rechecked xfbot.Date
	Accept, Handle, Review, Recheck                               stageDays
}

// planProcedure lays the case out so that each act is done on a working day
// the stage's deadline is at a level (受理 when 受理告知 is 🔴, 答复 when 办结
// is 🟠, 复查 answered when it is 🔴, 复核 when it is 🟡) and the last act
// is no later than today.
func planProcedure(cal *xfbot.Calendar, th xfbot.Thresholds, today xfbot.Date) procedurePlan {
	ok := true
	days := func(kind xfbot.DeadlineKind, from xfbot.Date) stageDays {
		r, _ := xfbot.RuleOf(kind)
		s := stageDays{Due: r.Due(from, 0, cal, nil)}
		at := func(lv xfbot.Level) xfbot.Date {
			for d := s.Due.AddDays(-th.Yellow); !d.After(s.Due.AddDays(th.Black)); d = d.AddDays(1) {
				if cal.IsWorkday(d) && th.Level(s.Due, d) == lv {
					return d
				}
			}
			ok = false // no working day at that level (a long holiday): start elsewhere
			return s.Due
		}
		s.Yellow, s.Orange, s.Red = at(xfbot.LevelYellow), at(xfbot.LevelOrange), at(xfbot.LevelRed)
		for d := s.Yellow.AddDays(1); d.Before(s.Orange); d = d.AddDays(1) {
			if cal.IsWorkday(d) && th.Level(s.Due, d) == xfbot.LevelYellow {
				s.Yellow2 = d
				break
			}
		}
		return s
	}
	for start := today.AddDays(-140); ; {
		ok = true
		var p procedurePlan
		p.Received = start
		p.Accept = days(xfbot.DeadlineAccept, p.Received)
		p.Accepted = p.Accept.Red
		p.Handle = days(xfbot.DeadlineHandle, p.Accepted)
		p.Replied = p.Handle.Orange
		p.ReviewAsked = p.Handle.Red // inside the 30-day window
		p.Review = days(xfbot.DeadlineReviewDecide, p.ReviewAsked)
		p.Reviewed = p.Review.Red
		p.Recheck = days(xfbot.DeadlineRecheckDecide, p.Reviewed)
		p.Rechecked = p.Recheck.Yellow
		switch over := p.Rechecked.Sub(today); {
		case !ok:
			start = start.AddDays(-1)
		case over > 0:
			start = start.AddDays(-over)
		default:
			return p
		}
	}
}
