package handlers

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/bot"
	"github.com/qingchuan/xfbot/store"
)

// DefaultReceptionPlace is where a reception takes place unless the command
// says otherwise.
const DefaultReceptionPlace = "区群众来访接待中心"

// receptionMonth answers 接访 本月 (and 接访 alone) or 接访 下月: the
// month's roster.
func (h *Handlers) receptionMonth(next bool) bot.HandlerFunc {
	return func(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
		m := xfbot.MonthOf(req.Today())
		if next {
			m = m.Next()
		}
		return h.receptionRoster(ctx, req, m)
	}
}

// receptionOfMonth answers 接访 <YYYY-MM>; any other word after 接访 is no
// subcommand of it.
func (h *Handlers) receptionOfMonth(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	m, err := xfbot.ParseMonth(req.Args.Word(0))
	if err != nil {
		return nil, bot.ErrNoSubcommand
	}
	return h.receptionRoster(ctx, req, m)
}

// leaders are the district leaders: members with the leader role and the
// open_ids configured as leaders that have no member record, with every
// member record by open_id.
func (h *Handlers) leaders(ctx context.Context, req *bot.Request) ([]xfbot.Person, map[string]xfbot.Member, error) {
	ms, err := h.members(ctx, req)
	if err != nil {
		return nil, nil, err
	}
	byID := map[string]xfbot.Member{}
	for _, m := range ms {
		byID[m.OpenID] = m
	}
	return xfbot.Leaders(ms, h.mux.Leaders()), byID, nil
}

// leaderOf checks that the @-mentioned person is a district leader.
func (h *Handlers) leaderOf(ctx context.Context, req *bot.Request) (xfbot.Person, error) {
	p, err := oneMention(req, "区领导")
	if err != nil {
		return p, err
	}
	// A leader is a member of the leader role, or a configured leader with
	// no member record (xfbot.Leaders): the record was read with the
	// request.
	m, err := h.memberOf(ctx, req, p.OpenID)
	if err != nil {
		return p, err
	}
	if (m != nil && m.Role == xfbot.RoleLeader) || (m == nil && slices.Contains(h.mux.Leaders(), p.OpenID)) {
		if m != nil && m.Name != "" {
			p.Name = m.Name
		}
		return p, nil
	}
	return p, xfbot.Errorf(xfbot.EINVALID, "%s 不是区领导。请管理员先发送“成员 添加 @%s 领导”。", p.Display(), p.Display())
}

// plainWords are the words after the subcommand that are not @-mentions.
func plainWords(req *bot.Request) []string {
	var out []string
	for _, w := range req.Args.Words {
		if !strings.HasPrefix(w, "@") {
			out = append(out, w)
		}
	}
	return out
}

// slotPlaceMode reads [上午|下午|全天] [地点] [方式] in any order: a word
// that is a slot or a mode is one; the other words are the place.
func slotPlaceMode(words []string) (xfbot.Slot, string, xfbot.ReceptionMode, error) {
	slot, mode := xfbot.Slot(""), xfbot.ReceptionMode("")
	var place []string
	for _, w := range words {
		if k, v, ok := splitColon(w); ok && (k == "地点" || k == "方式" || k == "时段") {
			w = v
			switch k {
			case "地点":
				place = append(place, v)
				continue
			}
		}
		if s, ok := xfbot.ParseSlot(w); ok && slot == "" {
			slot = s
		} else if m, ok := xfbot.ParseReceptionMode(w); ok && mode == "" {
			mode = m
		} else {
			place = append(place, w)
		}
	}
	if slot == "" {
		slot = xfbot.SlotAM
	}
	if mode == "" {
		mode = xfbot.ModeFixed
	}
	pl := strings.Join(place, " ")
	if pl == "" {
		return slot, DefaultReceptionPlace, mode, nil
	}
	pl, err := parseName(pl, "接访地点")
	return slot, pl, mode, err
}

// receptionSchedule: 接访 安排 @领导 <日期> [上午|下午|全天] [地点] [方式].
func (h *Handlers) receptionSchedule(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	leader, err := h.leaderOf(ctx, req)
	if err != nil {
		return nil, err
	}
	words := plainWords(req)
	if len(words) == 0 {
		return nil, xfbot.Errorf(xfbot.EINVALID, "缺少接访日期，例如：接访 安排 @周某 4月1日 上午 区群众来访接待中心 定点接访")
	}
	read, err := xfbot.ParseDay(words[0], req.Today(), h.Calendar, xfbot.Anytime)
	if err != nil {
		return nil, err
	}
	day := read.Date
	slot, place, mode, err := slotPlaceMode(words[1:])
	if err != nil {
		return nil, err
	}
	r := &xfbot.Reception{Leader: leader, Date: day, Slot: slot, Place: place, Mode: mode, Status: xfbot.ReceptionPlanned,
		ScheduledBy: req.Actor(), ScheduledAt: req.Time}
	if err := h.checkDay(req, r); err != nil {
		return nil, err
	}
	tx := h.Store.NewTx()
	tx.ExpectSlotFree(r, "", leader.Display())
	tx.CreateReception(r)
	card := bot.ReceptionCard(r, nil)
	msg := fmt.Sprintf("✅ 已安排接访 %s：%s %s，%s", store.NoPlaceholder, leader.Display(), r.When(), place)
	card.Subtitle = msg
	reply := &bot.Reply{Text: msg, Card: card, Tx: tx}
	if leader.OpenID != req.Sender.OpenID {
		n := bot.ReceptionCard(r, nil)
		n.Subtitle = req.Actor().Display() + " 为您安排了接访，请预留时间"
		reply.Notices = append(reply.Notices, bot.Notice{OpenID: leader.OpenID, Card: n})
	}
	return reply, nil
}

// checkDay refuses a day in the past and a day off. A second reception of
// the leader in the same slot is refused by the commit itself
// (store.Tx.ExpectSlotFree), so that two people booking the same leader's
// morning at the same instant cannot both succeed, and the command reads
// nothing for it.
func (h *Handlers) checkDay(req *bot.Request, r *xfbot.Reception) error {
	if r.Date.Before(req.Today()) {
		return xfbot.Errorf(xfbot.EINVALID, "接访日期 %s 已经过去，请写今天或以后的日期。", r.Date)
	}
	if !h.Calendar.IsWorkday(r.Date) {
		return xfbot.Errorf(xfbot.EINVALID, "%s（%s）不是工作日，请另选一天；下一个工作日是 %s。", r.Date, xfbot.WeekdayLabel(r.Date.Weekday()),
			h.Calendar.NextWorkday(r.Date))
	}
	return nil
}

// loadReception reads the reception named by word i of the arguments.
func (h *Handlers) loadReception(ctx context.Context, req *bot.Request, i int) (*store.ReceptionView, error) {
	raw := req.Args.Word(i)
	if raw == "" {
		return nil, xfbot.Errorf(xfbot.EINVALID, "缺少接访编号（JF-年份-序号）；发送“接访 本月”可查看编号。")
	}
	id, err := xfbot.ParseReceptionID(raw)
	if err != nil {
		return nil, err
	}
	v, err := h.reception(ctx, req, id)
	if err != nil {
		return nil, err
	}
	if v == nil {
		return nil, xfbot.Errorf(xfbot.ENOTFOUND, "没有找到接访 %s；发送“接访 本月”可查看编号。", id)
	}
	return v, nil
}

func notPlanned(r *xfbot.Reception, what string) error {
	switch r.Status {
	case xfbot.ReceptionCancelled:
		return xfbot.Errorf(xfbot.EINVALID, "接访 %s 已取消，不能再%s。", r.ID, what)
	case xfbot.ReceptionRescheduled:
		return xfbot.Errorf(xfbot.EINVALID, "接访 %s 已改期为 %s，请对 %s 操作。", r.ID, r.RescheduledTo, r.RescheduledTo)
	case xfbot.ReceptionHeld:
		return xfbot.Errorf(xfbot.EINVALID, "接访 %s 已有接访记录，不能再%s。", r.ID, what)
	}
	return nil
}

// receptionReschedule: 接访 改期 <编号> <日期> [上午|下午|全天] [地点]. The
// old reception is kept as 已改期 and points at the new one.
func (h *Handlers) receptionReschedule(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	v, err := h.loadReception(ctx, req, 0)
	if err != nil {
		return nil, err
	}
	old := v.Reception
	if err := notPlanned(old, "改期"); err != nil {
		return nil, err
	}
	words := wordsFrom(req, 1)
	if len(words) == 0 {
		return nil, xfbot.Errorf(xfbot.EINVALID, "缺少新的接访日期，例如：接访 改期 %s 4月8日 下午", old.ID)
	}
	read, err := xfbot.ParseDay(words[0], req.Today(), h.Calendar, xfbot.Anytime)
	if err != nil {
		return nil, err
	}
	day := read.Date
	nr := &xfbot.Reception{Leader: old.Leader, Date: day, Slot: old.Slot, Place: old.Place, Mode: old.Mode, Status: xfbot.ReceptionPlanned,
		ScheduledBy: req.Actor(), ScheduledAt: req.Time, Appointments: old.Appointments, RescheduledFrom: old.ID}
	if len(words) > 1 {
		slot, place, mode, err := slotPlaceMode(words[1:])
		if err != nil {
			return nil, err
		}
		nr.Slot = slot
		if place != DefaultReceptionPlace || old.Place == "" {
			nr.Place = place
		}
		if slices.ContainsFunc(words[1:], func(w string) bool { _, ok := xfbot.ParseReceptionMode(w); return ok }) {
			nr.Mode = mode
		}
	}
	if nr.Date == old.Date && nr.Slot == old.Slot && nr.Place == old.Place {
		return nil, xfbot.Errorf(xfbot.EINVALID, "新的时间地点与原安排相同，无需改期。")
	}
	if err := h.checkDay(req, nr); err != nil {
		return nil, err
	}
	tx := h.Store.NewTx()
	tx.ExpectSlotFree(nr, old.ID, nr.Leader.Display())
	tx.CreateReception(nr) // allocates the new number first: the old record names it
	up := *old
	up.Status, up.RescheduledTo, up.Note = xfbot.ReceptionRescheduled, store.NoPlaceholder, "改期至 "+nr.When()
	tx.UpdateReception(old, &up)
	msg := fmt.Sprintf("✅ 接访 %s 已改期为 %s：%s %s，%s", old.ID, store.NoPlaceholder, nr.Leader.Display(), nr.When(), nr.Place)
	card := bot.ReceptionCard(nr, nil)
	card.Subtitle = msg
	reply := &bot.Reply{Text: msg, Card: card, Tx: tx}
	if old.Leader.OpenID != req.Sender.OpenID {
		reply.Notices = append(reply.Notices, bot.Notice{OpenID: old.Leader.OpenID,
			Text: fmt.Sprintf("您的接访已改期：原 %s，改为 %s，地点 %s。", old.When(), nr.When(), nr.Place)})
	}
	return reply, nil
}

// receptionCancel: 接访 取消 <编号> [理由].
func (h *Handlers) receptionCancel(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	v, err := h.loadReception(ctx, req, 0)
	if err != nil {
		return nil, err
	}
	old := v.Reception
	if err := notPlanned(old, "取消"); err != nil {
		return nil, err
	}
	reason := xfbot.CleanText(req.Args.Rest(1))
	if xfbot.RuneLen(reason) > 200 {
		return nil, xfbot.Errorf(xfbot.EINVALID, "取消理由太长，请控制在 200 字以内。")
	}
	up := *old
	up.Status, up.Note = xfbot.ReceptionCancelled, reason
	tx := h.Store.NewTx()
	tx.UpdateReception(old, &up)
	tx.Audit(store.AuditEntry{At: req.Time, By: req.Actor(), Action: "接访取消", Entity: "reception:" + string(old.ID), Before: old.When(), After: reason, Via: req.Via})
	msg := fmt.Sprintf("✅ 已取消接访 %s（%s %s）。", old.ID, old.Leader.Display(), old.When())
	reply := &bot.Reply{Text: msg, Tx: tx}
	if old.Leader.OpenID != req.Sender.OpenID {
		reply.Notices = append(reply.Notices, bot.Notice{OpenID: old.Leader.OpenID, Text: fmt.Sprintf("您 %s 的接访已取消。%s", old.When(), reason)})
	}
	return reply, nil
}

var (
	reBatchPerson = regexp.MustCompile(`^(?:接待)?(\d+)批(?:次)?(\d+)人(?:次)?$`)
	reBatch       = regexp.MustCompile(`^(?:接待)?(\d+)批(?:次)?$`)
	rePerson      = regexp.MustCompile(`^(?:接待)?(\d+)人(?:次)?$`)
	reAnswered    = regexp.MustCompile(`^(?:当场)?答复(\d+)件$`)
)

// receptionRecord: 接访 记录 <编号> 接待N批M人 [当场答复K件] [案件:XF-…,XF-…] [情况说明].
// Sent again it corrects the record: what it names (批次, 人数, 当场答复,
// the list of cases, the 说明) replaces the old value, the rest is kept, and
// the merged record is checked as a new one would be.
func (h *Handlers) receptionRecord(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	v, err := h.loadReception(ctx, req, 0)
	if err != nil {
		return nil, err
	}
	old := v.Reception
	if old.Status == xfbot.ReceptionCancelled || old.Status == xfbot.ReceptionRescheduled {
		return nil, notPlanned(old, "记录")
	}
	if old.Date.After(req.Today()) {
		return nil, xfbot.Errorf(xfbot.EINVALID, "接访 %s 安排在 %s，还没到，接访结束后再记录。", old.ID, old.Date)
	}
	// -1 and casesNamed tell what the message names: a correction changes
	// that and keeps the rest of the record.
	rec := &xfbot.ReceptionRecord{By: req.Actor(), At: req.Time, Batches: -1, Persons: -1, AnsweredOnSpot: -1}
	casesNamed := false
	var notes []string
	for _, w := range wordsFrom(req, 1) {
		n := xfbot.Normalize(w)
		switch {
		case reBatchPerson.MatchString(n):
			m := reBatchPerson.FindStringSubmatch(n)
			rec.Batches, _ = strconv.Atoi(m[1])
			rec.Persons, _ = strconv.Atoi(m[2])
		case reBatch.MatchString(n):
			m := reBatch.FindStringSubmatch(n)
			rec.Batches, _ = strconv.Atoi(m[1])
		case rePerson.MatchString(n):
			m := rePerson.FindStringSubmatch(n)
			rec.Persons, _ = strconv.Atoi(m[1])
		case reAnswered.MatchString(n):
			m := reAnswered.FindStringSubmatch(n)
			rec.AnsweredOnSpot, _ = strconv.Atoi(m[1])
		default:
			if k, val, ok := splitColon(n); ok && (k == "案件" || k == "案件号") {
				casesNamed = true
				for _, s := range strings.FieldsFunc(val, func(r rune) bool { return r == ',' || r == '、' || r == '，' }) {
					no, err := xfbot.ParseCaseNo(s)
					if err != nil {
						return nil, err
					}
					if !slices.Contains(rec.Cases, no) {
						rec.Cases = append(rec.Cases, no)
					}
				}
				continue
			}
			notes = append(notes, w)
		}
	}
	if rec.Notes, err = needTextOptional(strings.Join(notes, " ")); err != nil {
		return nil, err
	}
	if prev := old.Record; prev != nil {
		if rec.Batches < 0 && rec.Persons < 0 && rec.AnsweredOnSpot < 0 && !casesNamed && rec.Notes == "" {
			return nil, xfbot.Errorf(xfbot.EINVALID, "接访 %s 已有记录，请写明要更正的项，例如：接访 记录 %s 接待3批7人 当场答复1件（没写的项保持原样）。", old.ID, old.ID)
		}
		if rec.Batches < 0 {
			rec.Batches = prev.Batches
		}
		if rec.Persons < 0 {
			rec.Persons = prev.Persons
		}
		if rec.AnsweredOnSpot < 0 {
			rec.AnsweredOnSpot = prev.AnsweredOnSpot
		}
		if !casesNamed {
			rec.Cases = prev.Cases
		}
		if rec.Notes == "" {
			rec.Notes = prev.Notes
		}
	}
	rec.AnsweredOnSpot = max(rec.AnsweredOnSpot, 0)
	if rec.Batches < 0 || rec.Persons < 0 {
		return nil, xfbot.Errorf(xfbot.EINVALID, "请写明接待了几批几人，例如：接访 记录 %s 接待3批7人 当场答复1件", old.ID)
	}
	if rec.Batches > rec.Persons || rec.Persons > 10000 {
		return nil, xfbot.Errorf(xfbot.EINVALID, "接待 %d 批 %d 人不合理：批次不能多于人数。", rec.Batches, rec.Persons)
	}
	if rec.AnsweredOnSpot > rec.Batches {
		return nil, xfbot.Errorf(xfbot.EINVALID, "当场答复 %d 件多于接待的 %d 批，请检查。", rec.AnsweredOnSpot, rec.Batches)
	}
	if casesNamed && len(rec.Cases) > 0 {
		cs, err := h.cases(ctx, req, rec.Cases)
		if err != nil {
			return nil, err
		}
		if len(cs) != len(rec.Cases) {
			found := map[xfbot.CaseNo]bool{}
			for _, c := range cs {
				found[c.No] = true
			}
			for _, no := range rec.Cases {
				if !found[no] {
					return nil, xfbot.Errorf(xfbot.ENOTFOUND, "没有找到案件 %s，请检查案件号。", no)
				}
			}
		}
	}
	up := *old
	up.Status, up.Record = xfbot.ReceptionHeld, rec
	tx := h.Store.NewTx()
	tx.UpdateReception(old, &up)
	verb := "已记录"
	if old.Record != nil {
		verb = "已更正"
	}
	msg := fmt.Sprintf("✅ %s接访 %s：%s %s，接待 %d 批 %d 人，当场答复 %d 件。", verb, old.ID, old.Leader.Display(), old.Date, rec.Batches, rec.Persons, rec.AnsweredOnSpot)
	if len(v.Linked) == 0 && len(rec.Cases) == 0 {
		msg += fmt.Sprintf("\n当场需登记的案件，请发送“新建 <标题> … 接访:%s”，包案领导默认为 %s。", old.ID, old.Leader.Display())
	}
	card := bot.ReceptionCard(&up, v.Linked)
	card.Subtitle = msg
	return &bot.Reply{Text: msg, Card: card, Tx: tx}, nil
}

func needTextOptional(s string) (string, error) {
	s = xfbot.CleanText(s)
	if n := xfbot.RuneLen(s); n > xfbot.MaxTextRunes {
		return "", xfbot.Errorf(xfbot.EINVALID, "情况说明太长（%d 字），请控制在 %d 字以内。", n, xfbot.MaxTextRunes)
	}
	return s, nil
}

// receptionAppoint: 接访 约访 <编号> <案件号>…: the petitioners invited to
// the reception; the leader's briefing lists them with their history.
func (h *Handlers) receptionAppoint(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	v, err := h.loadReception(ctx, req, 0)
	if err != nil {
		return nil, err
	}
	old := v.Reception
	if err := notPlanned(old, "约访"); err != nil {
		return nil, err
	}
	var nos []xfbot.CaseNo
	for _, w := range wordsFrom(req, 1) {
		no, err := xfbot.ParseCaseNo(w)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(old.Appointments, no) && !slices.Contains(nos, no) {
			nos = append(nos, no)
		}
	}
	if len(nos) == 0 {
		return nil, xfbot.Errorf(xfbot.EINVALID, "请写要约访的案件号，例如：接访 约访 %s XF-2026-0012 XF-2026-0015", old.ID)
	}
	cs, err := h.cases(ctx, req, nos)
	if err != nil {
		return nil, err
	}
	if len(cs) != len(nos) {
		return nil, xfbot.Errorf(xfbot.ENOTFOUND, "有案件号不存在，请检查：%s。", strings.Join(caseStrings(nos), "、"))
	}
	if len(old.Appointments)+len(nos) > 30 {
		return nil, xfbot.Errorf(xfbot.EINVALID, "一次接访最多约访 30 件。")
	}
	up := *old
	up.Appointments = append(append([]xfbot.CaseNo(nil), old.Appointments...), nos...)
	tx := h.Store.NewTx()
	tx.UpdateReception(old, &up)
	msg := fmt.Sprintf("✅ 已加入约访：%s（共 %d 件）。接访前 5 天领导会收到案件情况。", strings.Join(caseStrings(nos), "、"), len(up.Appointments))
	card := bot.ReceptionCard(&up, v.Linked)
	card.Subtitle = msg
	return &bot.Reply{Text: msg, Card: card, Tx: tx}, nil
}

func caseStrings(ns []xfbot.CaseNo) []string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = string(n)
	}
	return out
}

// receptionShow: 接访 查看 <编号>.
func (h *Handlers) receptionShow(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	v, err := h.loadReception(ctx, req, 0)
	if err != nil {
		return nil, err
	}
	return &bot.Reply{Card: bot.ReceptionCard(v.Reception, v.Linked)}, nil
}

// receptionRoster: 接访 本月 | 下月 | <YYYY-MM>.
func (h *Handlers) receptionRoster(ctx context.Context, req *bot.Request, m xfbot.Month) (*bot.Reply, error) {
	rs, err := h.Store.ReceptionsBetween(ctx, m.First(), m.Last())
	if err != nil {
		return nil, err
	}
	return &bot.Reply{Card: bot.RosterCard(m, rs)}, nil
}

// monthArg reads an optional month (YYYY-MM, 本月, 上月, 下月) at word i.
func monthArg(req *bot.Request, i int) (xfbot.Month, error) {
	return monthWord(req.Args.Word(i), req.Today())
}

// monthWord reads a month as typed: 本月 (or nothing), 上月, 下月, or
// 2026-04 in any form xfbot.ParseMonth takes.
func monthWord(w string, today xfbot.Date) (xfbot.Month, error) {
	return xfbot.ParseMonthWord(w, today, xfbot.Anytime)
}

// receptionStats: 接访 统计 [YYYY-MM]: who held, who did not, how many
// were received, cases registered and resolved from receptions.
func (h *Handlers) receptionStats(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	m, err := monthArg(req, 0)
	if err != nil {
		return nil, err
	}
	rep, err := h.Compliance(ctx, m)
	if err != nil {
		return nil, err
	}
	return &bot.Reply{Card: bot.ComplianceCard(rep)}, nil
}

// Compliance is a month's reception statistics, for 接访 统计 and for the
// monthly digest.
func (h *Handlers) Compliance(ctx context.Context, m xfbot.Month) (xfbot.Compliance, error) {
	leaders, _, err := h.leaders(ctx, nil)
	if err != nil {
		return xfbot.Compliance{}, err
	}
	rm, err := h.Store.ReceptionsOfMonth(ctx, m)
	if err != nil {
		return xfbot.Compliance{}, err
	}
	return xfbot.ReceptionCompliance(m, leaders, rm.Receptions, rm.Linked, rm.Cases), nil
}

// receptionNotice: 接访 公示 [YYYY-MM]: the public notice text again.
func (h *Handlers) receptionNotice(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	m, err := monthArg(req, 0)
	if err != nil {
		return nil, err
	}
	rs, err := h.Store.ReceptionsBetween(ctx, m.First(), m.Last())
	if err != nil {
		return nil, err
	}
	_, byID, err := h.leaders(ctx, req)
	if err != nil {
		return nil, err
	}
	return &bot.Reply{Text: bot.ReceptionNotice(m, rs, byID)}, nil
}

// receptionEvery: 接访 频次 @领导 <每月|每季度|…> (admins).
func (h *Handlers) receptionEvery(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	p, err := oneMention(req, "区领导")
	if err != nil {
		return nil, err
	}
	words := plainWords(req)
	if len(words) != 1 {
		return nil, xfbot.Errorf(xfbot.EINVALID, "请写一个频次，例如：接访 频次 @周某 每季度")
	}
	n, err := xfbot.ParseEvery(words[0])
	if err != nil {
		return nil, err
	}
	m, err := h.memberOf(ctx, req, p.OpenID)
	if err != nil {
		return nil, err
	}
	if m == nil || m.Role != xfbot.RoleLeader {
		return nil, xfbot.Errorf(xfbot.EINVALID, "%s 还不是领导成员，请先发送“成员 添加 @%s 领导”。", p.Display(), p.Display())
	}
	up := *m
	up.ReceptionEvery = n
	if n == 1 {
		up.ReceptionEvery = 0
	}
	tx := h.Store.NewTx()
	tx.PutMember(up)
	tx.Audit(store.AuditEntry{At: req.Time, By: req.Actor(), Action: "接访频次", Entity: "member:" + p.OpenID,
		Before: xfbot.EveryLabel(m.ReceptionEvery), After: xfbot.EveryLabel(n), Via: req.Via})
	return &bot.Reply{Text: fmt.Sprintf("✅ %s 的接访频次设为%s至少一次。", m.Name, xfbot.EveryLabel(n)), Tx: tx}, nil
}

// memberTitle: 成员 职务 @人 <职务> [分管工作], for the public notice.
func (h *Handlers) memberTitle(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	p, err := oneMention(req, "成员")
	if err != nil {
		return nil, err
	}
	words := plainWords(req)
	if len(words) == 0 {
		return nil, xfbot.Errorf(xfbot.EINVALID, "缺少职务，例如：成员 职务 @周某 副区长 城建、信访")
	}
	title, err := parseName(words[0], "职务")
	if err != nil {
		return nil, err
	}
	duties := ""
	if len(words) > 1 {
		if duties, err = parseName(strings.Join(words[1:], " "), "分管工作"); err != nil {
			return nil, err
		}
	}
	m, err := h.memberOf(ctx, req, p.OpenID)
	if err != nil {
		return nil, err
	}
	if m == nil {
		return nil, xfbot.Errorf(xfbot.ENOTFOUND, "%s 还不是成员，请先发送“成员 添加 @%s 领导”。", p.Display(), p.Display())
	}
	up := *m
	up.Title, up.Duties = title, duties
	tx := h.Store.NewTx()
	tx.PutMember(up)
	tx.Audit(store.AuditEntry{At: req.Time, By: req.Actor(), Action: "成员职务", Entity: "member:" + p.OpenID,
		Before: m.Title + " " + m.Duties, After: title + " " + duties, Via: req.Via})
	msg := fmt.Sprintf("✅ %s：职务 %s", m.Name, title)
	if duties != "" {
		msg += "，分管 " + duties
	}
	return &bot.Reply{Text: msg + "。", Tx: tx}, nil
}

// rosterMonth answers 排班 下月 [规则] [地点:x] (and 排班 alone) or 排班 本月
// …: the draft of that month's roster.
func (h *Handlers) rosterMonth(next bool) bot.HandlerFunc {
	return func(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
		m := xfbot.MonthOf(req.Today())
		if next {
			m = m.Next()
		}
		return h.rosterDraft(ctx, req, m, req.Args.Words)
	}
}

// rosterOfMonth answers 排班 <YYYY-MM> [规则] [地点:x]; any other word after
// 排班 is no subcommand of it.
func (h *Handlers) rosterOfMonth(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	m, err := xfbot.ParseMonth(req.Args.Word(0))
	if err != nil {
		return nil, bot.ErrNoSubcommand
	}
	return h.rosterDraft(ctx, req, m, wordsFrom(req, 1))
}

// rosterConfirmCmd answers 排班 确认 [YYYY-MM] (next month by default).
func (h *Handlers) rosterConfirmCmd(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	m := xfbot.MonthOf(req.Today()).Next()
	if w := req.Args.Word(0); w != "" {
		var err error
		if m, err = xfbot.ParseMonth(w); err != nil {
			return nil, err
		}
	}
	return h.rosterConfirm(ctx, req, m.String())
}

// rosterDraft drafts month m's roster by the rule and place in words.
func (h *Handlers) rosterDraft(ctx context.Context, req *bot.Request, m xfbot.Month, words []string) (*bot.Reply, error) {
	if m.Last().Before(req.Today()) {
		return nil, xfbot.Errorf(xfbot.EINVALID, "%s 已经过去，只能为本月或以后排班。", m.Label())
	}
	rule, place := xfbot.DefaultRosterRule, DefaultReceptionPlace
	var ruleWords []string
	for _, w := range words {
		if k, v, ok := splitColon(w); ok && k == "地点" {
			p, err := parseName(v, "接访地点")
			if err != nil {
				return nil, err
			}
			place = p
			continue
		}
		ruleWords = append(ruleWords, w)
	}
	if len(ruleWords) > 0 {
		var err error
		if rule, err = xfbot.ParseRosterRule(strings.Join(ruleWords, "")); err != nil {
			return nil, err
		}
	}
	leaders, _, err := h.leaders(ctx, req)
	if err != nil {
		return nil, err
	}
	rs, err := h.Store.ReceptionsBetween(ctx, m.First(), m.Last())
	if err != nil {
		return nil, err
	}
	has := map[string]bool{}
	for _, r := range rs {
		if r.Status == xfbot.ReceptionPlanned || r.Status == xfbot.ReceptionHeld {
			has[r.Leader.OpenID] = true
		}
	}
	var todo []xfbot.Person
	var skipped []string
	d := store.RosterDraft{Month: m.String(), Rule: rule.Label(), Place: place, By: req.Actor(), At: req.Time.Unix()}
	for _, l := range leaders {
		if has[l.OpenID] {
			skipped = append(skipped, l.Display())
			d.Skipped = append(d.Skipped, store.RosterDraftSkipped{LeaderID: l.OpenID, LeaderName: l.Name, Why: "已有安排"})
		} else {
			todo = append(todo, l)
		}
	}
	if len(todo) == 0 && len(leaders) > 0 {
		return nil, xfbot.Errorf(xfbot.EINVALID, "%s 每位区领导都已有接访安排，无需排班；发送“接访 %s”查看。", m.Label(), m.String())
	}
	entries, err := xfbot.DraftRoster(m, todo, rule, h.Calendar)
	if err != nil {
		return nil, err
	}
	// A day already past this month is moved to the next working day from today.
	for i := range entries {
		if entries[i].Date.Before(req.Today()) {
			entries[i].Date = xfbot.RollToWorkday(req.Today(), h.Calendar)
		}
	}
	for _, e := range entries {
		d.Entries = append(d.Entries, store.RosterDraftEntry{LeaderID: e.Leader.OpenID, LeaderName: e.Leader.Name, Date: e.Date.String(), Slot: string(e.Slot)})
	}
	tx := h.Store.NewTx()
	tx.PutRosterDraft(d)
	card := bot.RosterDraftCard(m, rule.Label(), entries, place, skipped)
	return &bot.Reply{Card: card, Tx: tx}, nil
}

// rosterConfirm turns the month's draft into planned receptions and answers
// with the public notice (姓名、职务、分管工作、时间、地点).
func (h *Handlers) rosterConfirm(ctx context.Context, req *bot.Request, month string) (*bot.Reply, error) {
	d, err := h.Store.RosterDraftOf(ctx, month)
	if err != nil {
		return nil, err
	}
	if d == nil {
		return nil, xfbot.Errorf(xfbot.ENOTFOUND, "%s 没有待确认的排班草案（可能已确认）。请先发送“排班 下月”生成草案。", month)
	}
	m, err := xfbot.ParseMonth(d.Month)
	if err != nil {
		return nil, err
	}
	existing, err := h.Store.ReceptionsBetween(ctx, m.First(), m.Last())
	if err != nil {
		return nil, err
	}
	has := map[string]bool{}
	for _, r := range existing {
		if r.Status == xfbot.ReceptionPlanned || r.Status == xfbot.ReceptionHeld {
			has[r.Leader.OpenID] = true
		}
	}
	_, byID, err := h.leaders(ctx, req)
	if err != nil {
		return nil, err
	}
	tx := h.Store.NewTx()
	tx.ConfirmRosterDraft(*d)
	var made []*xfbot.Reception
	var notices []bot.Notice
	for _, e := range d.Entries {
		if has[e.LeaderID] {
			continue // scheduled by hand since the draft
		}
		day, err := xfbot.ParseDate(e.Date)
		if err != nil {
			return nil, fmt.Errorf("handlers: roster draft %s: %w", month, err)
		}
		r := &xfbot.Reception{Leader: xfbot.Person{OpenID: e.LeaderID, Name: e.LeaderName}, Date: day, Slot: xfbot.Slot(e.Slot),
			Place: d.Place, Mode: xfbot.ModeFixed, Status: xfbot.ReceptionPlanned, ScheduledBy: req.Actor(), ScheduledAt: req.Time}
		tx.CreateReception(r)
		cp := *r
		cp.ID = ""
		made = append(made, &cp)
		notices = append(notices, bot.Notice{OpenID: e.LeaderID,
			Text: fmt.Sprintf("%s 接访安排已确认：%s，地点 %s。接访前 5 天、前 1 天和当天上午会提醒您。", m.Label(), r.When(), r.Place)})
	}
	if len(made) == 0 {
		return nil, xfbot.Errorf(xfbot.EINVALID, "草案里的领导都已另有安排，没有需要新建的接访。")
	}
	text := fmt.Sprintf("✅ 已确认 %s 排班，共 %d 场。发送“接访 %s”查看编号。\n\n%s", m.Label(), len(made), m.String(),
		bot.ReceptionNotice(m, made, byID))
	return &bot.Reply{Text: text, Toast: fmt.Sprintf("已确认 %s 排班", m.Label()), Tx: tx, Notices: notices}, nil
}

// rosterConfirmAction is the draft card's 确认排班 button.
func (h *Handlers) rosterConfirmAction(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	reply, err := h.rosterConfirm(ctx, req, req.Action.Value["m"])
	if err != nil {
		return nil, err
	}
	// A card callback returns its answer: the notice goes to the clicker as
	// a message, and the card shows it.
	reply.Card = &bot.Card{Title: "排班已确认", Color: "green", Sections: []string{bot.Escape(reply.Text)}}
	reply.Notices = append(reply.Notices, bot.Notice{OpenID: req.Sender.OpenID, Text: reply.Text})
	return reply, nil
}

// receptionForCase is the reception a case registered with 新建 … 接访:<编号>
// belongs to: it must exist, not be cancelled or moved, and have begun.
func (h *Handlers) receptionForCase(ctx context.Context, req *bot.Request, raw string, today xfbot.Date) (*xfbot.Reception, error) {
	id, err := xfbot.ParseReceptionID(raw)
	if err != nil {
		return nil, err
	}
	v, err := h.reception(ctx, req, id)
	if err != nil {
		return nil, err
	}
	switch {
	case v == nil:
		return nil, xfbot.Errorf(xfbot.ENOTFOUND, "没有找到接访 %s；发送“接访 本月”可查看编号。", id)
	case v.Status == xfbot.ReceptionCancelled || v.Status == xfbot.ReceptionRescheduled:
		return nil, notPlanned(v.Reception, "登记案件")
	case v.Date.After(today):
		return nil, xfbot.Errorf(xfbot.EINVALID, "接访 %s 安排在 %s，还没到，不能登记为当场案件。", id, v.Date)
	}
	return v.Reception, nil
}

// wordsFrom returns the words from i on, none if there are fewer.
func wordsFrom(req *bot.Request, i int) []string {
	if i >= len(req.Args.Words) {
		return nil
	}
	return req.Args.Words[i:]
}
