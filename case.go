package xfbot

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Limits on what a user may type; a message beyond them is refused with a reply
// that says so rather than stored half.
const (
	MaxTitleRunes    = 40   // petition-domain §3.3: 一句话概括
	MaxTextRunes     = 1000 // a progress, visit or result entry
	MaxFieldRunes    = 40   // unit, area, petitioner name...
	StatutoryDays    = 60   // 信访工作条例 第34条: 60 日内办结
	MaxExtensionDays = 30   // 第34条: 延长期限不得超过30日
)

// CaseNo is a case number: XF-YYYY-NNNN, the year of registration in the
// ledger's time zone and a gap-free serial within that year.
type CaseNo string

// FormatCaseNo builds the number for the n-th case registered in year.
func FormatCaseNo(year, n int) CaseNo { return CaseNo(fmt.Sprintf("XF-%04d-%04d", year, n)) }

// ParseCaseNo accepts XF-2026-0012 as well as the forms people type on a
// phone: lower case, full-width characters, a missing leading zero
// (xf-2026-12) or no dashes at all (XF20260012).
func ParseCaseNo(s string) (CaseNo, error) {
	t := strings.ToUpper(strings.TrimSpace(Normalize(s)))
	t = strings.ReplaceAll(t, "—", "-")
	bad := Errorf(EINVALID, "案件号“%s”格式不对，应为 XF-年份-序号，例如 XF-2026-0012", Echo(s, 30))
	if !strings.HasPrefix(t, "XF") {
		return "", bad
	}
	t = strings.TrimPrefix(strings.TrimPrefix(t, "XF"), "-")
	var ys, ns string
	if i := strings.IndexByte(t, '-'); i >= 0 {
		ys, ns = t[:i], t[i+1:]
	} else if len(t) > 4 {
		ys, ns = t[:4], t[4:]
	} else {
		return "", bad
	}
	y, err1 := strconv.Atoi(ys)
	n, err2 := strconv.Atoi(ns)
	if err1 != nil || err2 != nil || len(ys) != 4 || y < 2000 || y > 2999 || n < 1 || n > 999999 || len(ns) > 6 {
		return "", bad
	}
	return FormatCaseNo(y, n), nil
}

// ParseCaseNoIn is ParseCaseNo that also takes a bare serial (12, 0012,
// 第12号 is not: digits only), read in year: what people type for this
// year's cases (查看 12 → XF-2026-0012).
func ParseCaseNoIn(s string, year int) (CaseNo, error) {
	t := strings.TrimSpace(Normalize(s))
	if t != "" && len(t) <= 6 && allDigits(t) {
		n, _ := strconv.Atoi(t)
		if n >= 1 {
			return FormatCaseNo(year, n), nil
		}
	}
	return ParseCaseNo(s)
}

// Year returns the registration year encoded in the number.
func (n CaseNo) Year() int {
	y, _ := strconv.Atoi(strings.SplitN(strings.TrimPrefix(string(n), "XF-"), "-", 2)[0])
	return y
}

// Status is the case's place in the ledger's closed loop: handled, possibly
// under stability follow-up, resolved (案结事了), then signed off (销号).
// The procedural stage of petition-domain §3.4 A (accept, reply, review...)
// is a separate, later field; the two lines are counted separately.
type Status string

const (
	StatusHandling   Status = "handling"   // 办理中
	StatusMonitoring Status = "monitoring" // 稳控中: 一时不能解决，属地稳控
	StatusResolved   Status = "resolved"   // 已化解（案结事了，待销号）
	StatusClosed     Status = "closed"     // 已销号
)

// Statuses lists every status, in ledger order.
var Statuses = []Status{StatusHandling, StatusMonitoring, StatusResolved, StatusClosed}

// Label is the Chinese name of s.
func (s Status) Label() string {
	switch s {
	case StatusHandling:
		return "办理中"
	case StatusMonitoring:
		return "稳控中"
	case StatusResolved:
		return "已化解"
	case StatusClosed:
		return "已销号"
	}
	return string(s)
}

// Open reports whether the case still counts against a deadline.
func (s Status) Open() bool { return s == StatusHandling || s == StatusMonitoring }

// ParseStatus accepts the Chinese label or the code.
func ParseStatus(s string) (Status, bool) {
	for _, st := range Statuses {
		if s == string(st) || s == st.Label() || s == strings.TrimSuffix(st.Label(), "中") {
			return st, true
		}
	}
	return "", false
}

// Screening is the result of screening a petition's demands (甄别).
type Screening string

const (
	ScreenReasonable   Screening = "reasonable"        // 合理
	ScreenPartly       Screening = "partly_reasonable" // 部分合理
	ScreenUnreasonable Screening = "unreasonable"      // 无理
	ScreenExcessive    Screening = "excessive"         // 过度
)

var screenings = []struct {
	s     Screening
	label string
}{{ScreenReasonable, "合理"}, {ScreenPartly, "部分合理"}, {ScreenUnreasonable, "无理"}, {ScreenExcessive, "过度"}}

// Label is the Chinese name of s; "未甄别" when empty.
func (s Screening) Label() string {
	for _, x := range screenings {
		if x.s == s {
			return x.label
		}
	}
	if s == "" {
		return "未甄别"
	}
	return string(s)
}

// ParseScreening accepts 合理 部分合理 无理 过度 (also 过度诉求, 无理诉求) or the code.
func ParseScreening(s string) (Screening, bool) {
	s = strings.TrimSuffix(s, "诉求")
	for _, x := range screenings {
		if s == x.label || s == string(x.s) {
			return x.s, true
		}
	}
	return "", false
}

// Category is the kind of matter (内容类别), petition-domain §3.3.
type Category string

// Categories maps each category code to its Chinese label, in display order.
var Categories = []struct {
	Code  Category
	Label string
}{
	{"land_demolition", "征地拆迁"},
	{"labor_social", "劳动社保"},
	{"law_litigation", "涉法涉诉"},
	{"urban_mgmt", "城建管理"},
	{"edu_medical", "教育医疗"},
	{"rural_agri", "农村农业"},
	{"environment", "环境保护"},
	{"enterprise_restructure", "企业改制"},
	{"housing", "住房保障"},
	{"other", "其他"},
}

// Label is the Chinese name of c.
func (c Category) Label() string {
	for _, x := range Categories {
		if x.Code == c {
			return x.Label
		}
	}
	return string(c)
}

// ParseCategory accepts the Chinese label, a two-character prefix of it (征地,
// 劳动) or the code.
func ParseCategory(s string) (Category, error) {
	for _, x := range Categories {
		if s == x.Label || s == string(x.Code) {
			return x.Code, nil
		}
	}
	for _, x := range Categories {
		if len([]rune(s)) >= 2 && strings.HasPrefix(x.Label, s) {
			return x.Code, nil
		}
	}
	labels := make([]string, len(Categories))
	for i, x := range Categories {
		labels[i] = x.Label
	}
	return "", Errorf(EINVALID, "类别“%s”不认识，可选：%s", Echo(s, 20), strings.Join(labels, "、"))
}

// Petitioner is the main petitioner of a case. Name, Phone and IDCard are
// personal data: they leave the store only through MaskPetitioner.
type Petitioner struct {
	Name   string
	Phone  string
	IDCard string
}

// Person is a Feishu user referred to by a case (owner, leader, author).
type Person struct {
	OpenID string
	Name   string
}

// IsZero reports whether p names nobody.
func (p Person) IsZero() bool { return p.OpenID == "" }

// Display is the name to show, falling back to the open_id.
func (p Person) Display() string {
	if p.Name != "" {
		return p.Name
	}
	return p.OpenID
}

// Case is one petition matter on the ledger.
type Case struct {
	No    CaseNo
	Title string
	// SheetNo is the case's number in the spreadsheet ledger it was
	// imported from (序号, 编号…), kept as written: re-importing the sheet
	// finds the case by it, and the card shows it.
	SheetNo    string
	Category   Category
	Unit       string // 主责单位 (谁主管)
	Area       string // 属地 (街镇)
	Petitioner Petitioner
	Accusation bool // 检举控告类: never named in a group

	Owner  Person // 包案人 (专班成员)
	Leader Person // 包案领导 (区领导)

	Screening Screening
	Hardship  bool // 困难诉求, orthogonal to Screening

	Status Status

	// Deadline: AcceptedOn + StatutoryDays (+ ExtensionDays) unless DueOverride
	// is set; Due is the effective, computed last day (see DueAsOf).
	AcceptedOn      Date
	DueOverride     Date
	ExtensionDays   int
	ExtensionReason string
	Due             Date

	// A deadline set by hand (期限, the lead's act, or 新建 … 期限: for a case
	// that already had one): counted from DueSetOn, so that clock pauses after
	// it push it; DueExt of the extension days were already in it when it was
	// set (an extension granted later adds the rest). DueTarget marks a date
	// beyond the statutory limit that the lead stated as a 重新受理 or
	// 内部化解目标, shown as such on the card.
	DueSetOn  Date
	DueReason string
	DueExt    int
	DueTarget bool

	// ExtensionRequest is an application for the one extension waiting for
	// the lead's approval (条例第三十四条: 经负责人批准); nil when none.
	ExtensionRequest *ExtensionRequest

	// Proc is the statutory procedure track (受理 → 答复 → 复查 → 复核 →
	// 终结), beside Status, the resolution track; see procedure.go.
	Proc Procedure

	Result       string // 化解结果
	ResolvedOn   Date
	FollowedUpOn Date // the last 回访 after 化解: 销号 waits for one past the observation period
	ClosedOn     Date
	// Counted: the last day of each event that the figures count once per
	// case and period (stats.go), kept when a reopen clears ResolvedOn.
	Counted CountedDays

	CreatedBy      Person
	CreatedAt      time.Time
	UpdatedAt      time.Time
	LastProgressAt time.Time
	LastContactAt  time.Time
	Progresses     int

	// Plan is the brief of the case's 一案一策 plan (plan.go), written by
	// every write of the plan, so that the card shows it from the case.
	Plan PlanBrief

	Tags []Tag // 积案, 重点...: decide the contact-gap reminders
	// Related are the same petitioner's other cases (重复信访), linked
	// when one of them was registered (RepeatOf), oldest link first.
	Related []CaseNo
	Pauses  []Pause // clock pauses (听证、鉴定); the last may be open (To zero)

	// Attachments is how many files and images are kept with the case
	// (附件; the records are the store's): the card shows the count, the
	// next one's number is one more, and a 答复 may require one.
	Attachments int

	// Version increases with every write; the store refuses a write whose
	// expected version is stale (two people updating one case at once).
	Version int64
}

// ProgressKind tells what an entry records.
type ProgressKind string

const (
	KindProgress ProgressKind = "progress" // 进展
	KindVisit    ProgressKind = "visit"    // 下访/接谈 (a contact)
	KindResolve  ProgressKind = "resolve"  // 化解
	KindSystem   ProgressKind = "system"   // 延期、重开... recorded for the timeline
)

// Label is the Chinese name of k.
func (k ProgressKind) Label() string {
	switch k {
	case KindProgress:
		return "进展"
	case KindVisit:
		return "下访"
	case KindResolve:
		return "化解"
	case KindSystem:
		return "记录"
	}
	return string(k)
}

// Progress is one entry of a case's timeline.
type Progress struct {
	At     time.Time
	Author Person
	Kind   ProgressKind
	Text   string
}

// Change is one audited change of a case: who, when, which field, before → after.
type Change struct {
	At     time.Time
	By     Person
	Action string // the command word, e.g. 指派
	Field  string
	Before string
	After  string
}
