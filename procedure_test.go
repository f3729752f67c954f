package xfbot_test

import (
	"strings"
	"testing"
	"time"

	"github.com/qingchuan/xfbot"
)

// onTrack is a case at stage st with the dates the stages before it set.
func onTrack(st xfbot.Stage) *xfbot.Case {
	c := &xfbot.Case{No: "XF-2026-0001", Status: xfbot.StatusHandling, AcceptedOn: day("2026-03-02"), Owner: xfbot.Person{OpenID: "ou_m1"}}
	c.Proc.Stage = st
	c.Proc.ReceivedOn = day("2026-03-02")
	reply := xfbot.Answer{On: day("2026-04-10"), DeliveredOn: day("2026-04-13"), Result: xfbot.OutcomeReject}
	review := xfbot.Answer{RequestedOn: day("2026-05-06"), On: day("2026-05-29"), DeliveredOn: day("2026-06-01"), Result: xfbot.OutcomeUphold}
	switch st {
	case xfbot.StageReplied:
		c.Proc.Reply = reply
	case xfbot.StageReview:
		c.Proc.Reply, c.Proc.Review = reply, xfbot.Answer{RequestedOn: review.RequestedOn}
	case xfbot.StageReviewed:
		c.Proc.Reply, c.Proc.Review = reply, review
	case xfbot.StageRecheck:
		c.Proc.Reply, c.Proc.Review, c.Proc.Recheck = reply, review, xfbot.Answer{RequestedOn: day("2026-06-20")}
	}
	return c
}

func TestTransitions(t *testing.T) {
	cal, err := xfbot.NewCalendar(xfbot.DefaultHolidayTables()...)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		from    xfbot.Stage
		step    xfbot.Step
		today   string
		to      xfbot.Stage
		refused string // part of the refusal, "" when allowed
		warning string
	}{
		{"Accept", xfbot.StageRegistered, xfbot.Step{Action: xfbot.StepAccept, On: day("2026-03-05")}, "2026-03-06", xfbot.StageHandling, "", ""},
		{"AcceptBeforeReceipt", xfbot.StageRegistered, xfbot.Step{Action: xfbot.StepAccept, On: day("2026-03-01")}, "2026-03-06", "", "早于", ""},
		{"AcceptInTheFuture", xfbot.StageRegistered, xfbot.Step{Action: xfbot.StepAccept, On: day("2026-03-09")}, "2026-03-06", "", "在今天之后", ""},
		{"AcceptTwice", xfbot.StageHandling, xfbot.Step{Action: xfbot.StepAccept}, "2026-03-06", "", "不能受理", ""},
		{"NotAcceptNeedsReason", xfbot.StageRegistered, xfbot.Step{Action: xfbot.StepNotAccept}, "2026-03-06", "", "不予受理的理由", ""},
		{"NotAccept", xfbot.StageRegistered, xfbot.Step{Action: xfbot.StepNotAccept, Note: "已经复核终结"}, "2026-03-06", xfbot.StageNotAccepted, "", ""},
		{"Forward", xfbot.StageRegistered, xfbot.Step{Action: xfbot.StepForward, Note: "市人社局"}, "2026-03-06", xfbot.StageForwarded, "", ""},
		{"LegalRoute", xfbot.StageRegistered, xfbot.Step{Action: xfbot.StepLegalRoute, Note: "劳动仲裁"}, "2026-03-06", xfbot.StageLegalRoute, "", ""},
		{"ForwardAfterAcceptance", xfbot.StageHandling, xfbot.Step{Action: xfbot.StepForward, Note: "市人社局"}, "2026-03-06", "", "不能转送", ""},
		{"ReplyNeedsResult", xfbot.StageHandling, xfbot.Step{Action: xfbot.StepReply}, "2026-04-10", "", "答复结果", ""},
		{"Reply", xfbot.StageHandling, xfbot.Step{Action: xfbot.StepReply, Result: xfbot.OutcomePartly, DeliveredOn: day("2026-04-12")}, "2026-04-12", xfbot.StageReplied, "", ""},
		{"ReplyBeforeAcceptance", xfbot.StageHandling, xfbot.Step{Action: xfbot.StepReply, On: day("2026-03-01"), Result: xfbot.OutcomeReject}, "2026-04-10", "", "早于", ""},
		{"DeliveredBeforeReply", xfbot.StageHandling, xfbot.Step{Action: xfbot.StepReply, On: day("2026-04-10"), DeliveredOn: day("2026-04-09"), Result: xfbot.OutcomeReject}, "2026-04-10", "", "送达日期", ""},
		{"ReplyWhileRegistered", xfbot.StageRegistered, xfbot.Step{Action: xfbot.StepReply, Result: xfbot.OutcomeReject}, "2026-03-06", "", "待受理的案件可以", ""},
		{"ReviewInTime", xfbot.StageReplied, xfbot.Step{Action: xfbot.StepReviewRequest, On: day("2026-05-13")}, "2026-05-13", xfbot.StageReview, "", ""},
		{"ReviewLateIsRecordedWithAWarning", xfbot.StageReplied, xfbot.Step{Action: xfbot.StepReviewRequest, On: day("2026-05-14")}, "2026-05-14", xfbot.StageReview, "", "逾期申请"},
		{"ReviewReply", xfbot.StageReview, xfbot.Step{Action: xfbot.StepReviewReply, Result: xfbot.OutcomeUphold}, "2026-05-29", xfbot.StageReviewed, "", ""},
		{"RecheckBeforeReview", xfbot.StageReplied, xfbot.Step{Action: xfbot.StepRecheckRequest}, "2026-05-01", "", "不能复核申请", ""},
		{"Recheck", xfbot.StageReviewed, xfbot.Step{Action: xfbot.StepRecheckRequest, On: day("2026-06-20")}, "2026-06-20", xfbot.StageRecheck, "", ""},
		{"RecheckReplyTerminates", xfbot.StageRecheck, xfbot.Step{Action: xfbot.StepRecheckReply, Result: xfbot.OutcomeUphold}, "2026-07-10", xfbot.StageTerminated, "", ""},
		{"ConcludeWhileWindowOpen", xfbot.StageReplied, xfbot.Step{Action: xfbot.StepConclude}, "2026-05-13", "", "申请期到 2026-05-13 才届满", ""},
		{"ConcludeAfterWindow", xfbot.StageReplied, xfbot.Step{Action: xfbot.StepConclude}, "2026-05-14", xfbot.StageConcluded, "", ""},
		{"ConcludeAfterReviewWindow", xfbot.StageReviewed, xfbot.Step{Action: xfbot.StepConclude}, "2026-07-02", xfbot.StageConcluded, "", ""},
		{"NothingAfterTermination", xfbot.StageTerminated, xfbot.Step{Action: xfbot.StepReviewRequest}, "2026-08-01", "", "程序已结束", ""},
		{"LegacyCaseIsHandling", "", xfbot.Step{Action: xfbot.StepReply, Result: xfbot.OutcomeExplain}, "2026-04-10", xfbot.StageReplied, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := onTrack(tt.from)
			before := *c
			warning, err := c.Transition(tt.step, cal, day(tt.today))
			if tt.refused != "" {
				if err == nil || xfbot.ErrorCode(err) != xfbot.EINVALID || !strings.Contains(xfbot.ErrorMessage(err), tt.refused) {
					t.Fatalf("err = %v, want a refusal saying %q", err, tt.refused)
				}
				if c.Proc != before.Proc || c.Due != before.Due {
					t.Errorf("a refused step changed the case: %+v", c.Proc)
				}
				return
			}
			if err != nil {
				t.Fatalf("refused: %v", err)
			}
			if c.StageOf() != tt.to {
				t.Errorf("stage %s, want %s", c.StageOf(), tt.to)
			}
			if !strings.Contains(warning, tt.warning) || (tt.warning == "" && warning != "") {
				t.Errorf("warning %q, want %q", warning, tt.warning)
			}
		})
	}
}

func TestAcceptStartsTheSixtyDays(t *testing.T) {
	c := onTrack(xfbot.StageRegistered)
	if _, err := c.Transition(xfbot.Step{Action: xfbot.StepAccept, On: day("2026-03-10")}, nil, day("2026-03-12")); err != nil {
		t.Fatal(err)
	}
	if c.AcceptedOn.String() != "2026-03-10" || c.Due.String() != "2026-05-11" { // 05-09 is a Saturday
		t.Fatalf("accepted %s due %s", c.AcceptedOn, c.Due)
	}
}

func TestStageDeadlines(t *testing.T) {
	cal, err := xfbot.NewCalendar(xfbot.DefaultHolidayTables()...)
	if err != nil {
		t.Fatal(err)
	}
	hearing := []xfbot.Pause{{From: day("2026-06-25"), To: day("2026-06-29"), Reason: "听证"}}
	tests := []struct {
		name   string
		c      *xfbot.Case
		today  string
		kind   xfbot.DeadlineKind
		due    string
		chased bool
	}{
		{"AcceptNotice15Days", onTrack(xfbot.StageRegistered), "2026-03-05", xfbot.DeadlineAccept, "2026-03-17", true},
		{"Handle60Days", onTrack(xfbot.StageHandling), "2026-03-05", xfbot.DeadlineHandle, "2026-05-06", true}, // 05-01..05 劳动节
		{"ReviewWindowFromDelivery", onTrack(xfbot.StageReplied), "2026-04-20", xfbot.DeadlineReviewApply, "2026-05-13", false},
		{"ReviewDecide30Days", onTrack(xfbot.StageReview), "2026-05-10", xfbot.DeadlineReviewDecide, "2026-06-05", true},
		{"RecheckWindow", onTrack(xfbot.StageReviewed), "2026-06-10", xfbot.DeadlineReviewApply, "2026-07-01", false},
		{"RecheckDecideWithoutHearing", onTrack(xfbot.StageRecheck), "2026-06-22", xfbot.DeadlineRecheckDecide, "2026-07-20", true},
		{"RecheckDecideHearingExcluded", func() *xfbot.Case { c := onTrack(xfbot.StageRecheck); c.Pauses = hearing; return c }(), "2026-07-01", xfbot.DeadlineRecheckDecide, "2026-07-27", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds := tt.c.Deadlines(cal, day(tt.today))
			if len(ds) != 1 {
				t.Fatalf("deadlines %+v", ds)
			}
			d := ds[0]
			if d.Kind != tt.kind || d.Due.String() != tt.due || d.Statutory() != tt.chased || d.Subject.String() != "case:XF-2026-0001" || d.Owner != "ou_m1" {
				t.Errorf("deadline %+v (%s, statutory %v), want %s %s %v", d, d.Due, d.Statutory(), tt.kind, tt.due, tt.chased)
			}
		})
	}
	for _, st := range []xfbot.Stage{xfbot.StageTerminated, xfbot.StageConcluded, xfbot.StageNotAccepted, xfbot.StageForwarded, xfbot.StageLegalRoute} {
		if ds := onTrack(st).Deadlines(cal, day("2026-08-01")); len(ds) != 0 || !st.Ended() {
			t.Errorf("%s: deadlines %+v", st, ds)
		}
	}
	for _, st := range []xfbot.Stage{xfbot.StageRegistered, xfbot.StageHandling, xfbot.StageReview, xfbot.StageReplied} {
		resolved := onTrack(st)
		resolved.Status = xfbot.StatusResolved
		if ds := resolved.Deadlines(cal, day("2026-04-01")); len(ds) != 0 {
			t.Errorf("a resolved case at %s is chased: %+v", st, ds)
		}
	}
}

func TestLetterAndReceptionDeadlines(t *testing.T) {
	l := &xfbot.LeaderLetter{ID: "LX-2026-0001", Leader: xfbot.Person{OpenID: "ou_lead"}, RegisteredBy: xfbot.Person{OpenID: "ou_m1"},
		ReadDue: day("2026-03-18")}
	if ds := l.Deadlines(); len(ds) != 1 || ds[0].Kind != xfbot.DeadlineLetterRead || ds[0].Owner != "ou_lead" || ds[0].Statutory() {
		t.Fatalf("unread %+v", ds)
	}
	l.ReadAt, l.AssignDue = day("2026-03-17").Time(time.UTC), day("2026-03-20")
	if ds := l.Deadlines(); len(ds) != 1 || ds[0].Kind != xfbot.DeadlineLetterAssign || ds[0].Owner != "ou_m1" || ds[0].Due.String() != "2026-03-20" {
		t.Fatalf("read %+v", ds)
	}
	r := &xfbot.Reception{ID: "JF-2026-0001", Date: day("2026-04-30"), Status: xfbot.ReceptionPlanned, ScheduledBy: xfbot.Person{OpenID: "ou_m1"}}
	cal, _ := xfbot.NewCalendar(xfbot.DefaultHolidayTables()...)
	if ds := r.Deadlines(cal); len(ds) != 1 || ds[0].Due.String() != "2026-05-06" || ds[0].Owner != "ou_m1" { // 劳动节 05-01..05
		t.Fatalf("reception %+v", ds)
	}
	r.Status = xfbot.ReceptionHeld
	if ds := r.Deadlines(cal); len(ds) != 0 {
		t.Fatalf("held %+v", ds)
	}
}

func TestParseOutcome(t *testing.T) {
	for _, tt := range []struct {
		in     string
		review bool
		want   xfbot.Outcome
	}{{"支持", false, xfbot.OutcomeSupport}, {"部分支持", false, xfbot.OutcomePartly}, {"不支持", false, xfbot.OutcomeReject},
		{"解释说明", false, xfbot.OutcomeExplain}, {"予以支持", false, xfbot.OutcomeSupport}, {"维持", true, xfbot.OutcomeUphold},
		{"维持原处理意见", true, xfbot.OutcomeUphold}, {"撤销", true, xfbot.OutcomeRevoke}, {"变更", true, xfbot.OutcomeChange}} {
		if got, err := xfbot.ParseOutcome(tt.in, tt.review); err != nil || got != tt.want {
			t.Errorf("ParseOutcome(%q) = %q, %v", tt.in, got, err)
		}
	}
	if _, err := xfbot.ParseOutcome("维持", false); err == nil || !strings.Contains(xfbot.ErrorMessage(err), "支持、部分支持、不支持、解释说明") {
		t.Errorf("a review's word for a reply: %v", err)
	}
}
