package xfbot_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/qingchuan/xfbot"
)

var ix = xfbot.NewIndexer([]byte("test-secret-0123456789abcdef0123"))

func kinds(ts []xfbot.Term) map[string]int {
	m := map[string]int{}
	for _, t := range ts {
		m[t.Kind()]++
	}
	return m
}

func TestCaseTerms(t *testing.T) {
	c := &xfbot.Case{
		Title: "张建国反映桂园社区回迁房延期 电话13812345678", Unit: "区住建局", Area: "云溪街道",
		Petitioner: xfbot.Petitioner{Name: "张建国", Phone: "138 1234 5678", IDCard: "11010519491231002X"},
	}
	terms := ix.CaseTerms(c)
	k := kinds(terms)
	want := map[string]int{"n": 1, "p": 1, "q": 8, "i": 1, "u": 1, "a": 1}
	for kind, n := range want {
		if k[kind] != n {
			t.Errorf("%s terms = %d, want %d (%v)", kind, k[kind], n, k)
		}
	}
	t.Run("NoPersonalDataInPlainTerms", func(t *testing.T) {
		for _, term := range terms {
			s := string(term)
			if term.Personal() {
				if strings.Contains(s, "张") || strings.Contains(s, "5678") || len(s) != 2+16 {
					t.Errorf("personal term %q is not a 16-character hash", s)
				}
				continue
			}
			for _, bad := range []string{"张建", "建国", "1381", "5678", "138"} {
				if strings.Contains(s, bad) {
					t.Errorf("plain term %q holds %q", s, bad)
				}
			}
		}
	})
	t.Run("SheetNumber", func(t *testing.T) {
		imported := *c
		imported.SheetNo = "QF-2023-117"
		if !slices.Contains(ix.CaseTerms(&imported), xfbot.Term("o:qf-2023-117")) {
			t.Errorf("the sheet's number is not a term: %v", ix.CaseTerms(&imported))
		}
	})
	t.Run("TitleWords", func(t *testing.T) {
		for _, w := range []string{"w:反映", "w:桂园", "w:回迁", "w:延期", "w:电话"} {
			if !slices.Contains(terms, xfbot.Term(w)) {
				t.Errorf("missing %s in %v", w, terms)
			}
		}
	})
	t.Run("SecretMatters", func(t *testing.T) {
		other := xfbot.NewIndexer([]byte("another secret"))
		if ix.NameTerm("张建国") == other.NameTerm("张建国") {
			t.Error("two secrets give the same name term")
		}
		if ix.Fingerprint() == other.Fingerprint() || len(ix.Fingerprint()) != 12 {
			t.Errorf("fingerprints %q %q", ix.Fingerprint(), other.Fingerprint())
		}
	})
	t.Run("OldAndNewIDMatch", func(t *testing.T) {
		// 15-digit 110105491231002 is 11010519491231002X in 18 characters.
		if got := xfbot.IDCard18("110105491231002"); got != "11010519491231002X" {
			t.Fatalf("IDCard18 = %q", got)
		}
		if ix.IDTerm("110105491231002") != ix.IDTerm("11010519491231002x") {
			t.Error("old and new numbers of one person differ")
		}
	})
	t.Run("Accusation", func(t *testing.T) {
		acc := *c
		acc.Accusation = true
		got := ix.CaseTerms(&acc)
		for _, w := range []xfbot.Term{"x", "xp:区住建局", "xp:云溪街道"} {
			if !slices.Contains(got, w) {
				t.Errorf("missing %s", w)
			}
		}
	})
}

func TestWordsAndScrub(t *testing.T) {
	c := &xfbot.Case{Petitioner: xfbot.Petitioner{Name: "李四"}}
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"回迁安置", []string{"回迁", "迁安", "安置"}},
		{"B3栋 漏水，ABC公司", []string{"b3", "漏水", "abc", "公司"}},
		{"房", nil},
		{"李四来电13812345678反映", []string{"来电", "反映"}},
		{"身份证11010519491231002X欠薪", []string{"身份", "份证", "欠薪"}},
		{"卡号6222020200112233445已核实", []string{"卡号", "已核", "核实"}},
		{"4月30日前 2026年", []string{"日前"}},
		{"ＡＢＣ物业", []string{"abc", "物业"}},
	} {
		got := xfbot.Words(xfbot.ScrubForIndex(tc.in, c))
		if !slices.Equal(got, tc.want) {
			t.Errorf("Words(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestParseSearch(t *testing.T) {
	for _, tc := range []struct {
		in     string
		kind   xfbot.SearchKind
		no     xfbot.CaseNo
		digits string
		name   string
		err    string
	}{
		{in: "XF-2026-0012", kind: xfbot.SearchCaseNo, no: "XF-2026-0012"},
		{in: "xf20250003", kind: xfbot.SearchCaseNo, no: "XF-2025-0003"},
		{in: "12", kind: xfbot.SearchSerial, no: "XF-2026-0012"},
		{in: "0012", kind: xfbot.SearchSerial, no: "XF-2026-0012", digits: "0012"},
		{in: "5678", kind: xfbot.SearchSerial, no: "XF-2026-5678", digits: "5678"},
		{in: "1234567", kind: xfbot.SearchPhone, digits: "1234567"},
		{in: "138 1234 5678", kind: xfbot.SearchPhone, digits: "13812345678"},
		{in: "+86 138-1234-5678", kind: xfbot.SearchKeyword, err: ""},
		{in: "８６１３８１２３４５６７８", kind: xfbot.SearchPhone, digits: "13812345678"},
		{in: "11010519491231002x", kind: xfbot.SearchID},
		{in: "110105194912310021", err: "校验码不对"},
		{in: "1234567890123456", err: "有 16 位数字"},
		{in: "张建国", kind: xfbot.SearchNameOrWord, name: "张建国"},
		{in: "欧阳娜娜", kind: xfbot.SearchNameOrWord, name: "欧阳娜娜"},
		{in: "回迁安置房", kind: xfbot.SearchKeyword},
		{in: "房", err: "太短"},
		{in: "", err: "请写要搜索的内容"},
		{in: "0", err: "序号"},
		{in: "XF-20", err: "案件号"},
	} {
		q, err := xfbot.ParseSearch(tc.in, 2026)
		if tc.in == "+86 138-1234-5678" { // the + is no digit: read as words, none of which it has
			if err == nil || !strings.Contains(xfbot.ErrorMessage(err), "太短") {
				t.Errorf("%q: err = %v", tc.in, err)
			}
			continue
		}
		if tc.err != "" {
			if err == nil || !strings.Contains(xfbot.ErrorMessage(err), tc.err) {
				t.Errorf("ParseSearch(%q) err = %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseSearch(%q): %v", tc.in, err)
			continue
		}
		if q.Kind != tc.kind || q.No != tc.no || q.Digits != tc.digits || q.Name != tc.name {
			t.Errorf("ParseSearch(%q) = %+v", tc.in, q)
		}
	}
}

// A phone part is found at whatever position it sits, and only there: the
// runs of the query at consecutive positions are exactly a substring.
func TestPhonePartTerms(t *testing.T) {
	c := &xfbot.Case{Petitioner: xfbot.Petitioner{Phone: "13812345678"}}
	has := map[xfbot.Term]bool{}
	for _, term := range ix.CaseTerms(c) {
		has[term] = true
	}
	matches := func(digits string) bool {
		q, err := xfbot.ParseSearch(digits, 2026)
		if err != nil {
			t.Fatal(err)
		}
		st := ix.Terms(q, xfbot.Audience{Role: xfbot.RoleAdmin})
	next:
		for _, conj := range st.Personal {
			for _, term := range conj {
				if !has[term] {
					continue next
				}
			}
			return true
		}
		return false
	}
	for _, d := range []string{"1381", "5678", "2345", "1234567", "812345678", "13812345678"} {
		if !matches(d) {
			t.Errorf("%s does not match 13812345678", d)
		}
	}
	for _, d := range []string{"5679", "12345679", "13812345679", "1381 5678"[:4] + "5"} {
		if matches(d) {
			t.Errorf("%s matches 13812345678", d)
		}
	}
}

// A search through personal data shows a case only to readers who see that
// data on its card: the rule follows MaskPetitioner.
func TestPersonalSearchFollowsMasking(t *testing.T) {
	plain := &xfbot.Case{Unit: "区住建局", Area: "云溪街道", Petitioner: xfbot.Petitioner{Name: "张建国", Phone: "13812345678", IDCard: "11010519491231002X"}}
	acc := *plain
	acc.Accusation = true
	audiences := []xfbot.Audience{
		{Role: xfbot.RoleAdmin}, {Role: xfbot.RoleAdmin, Unit: "区住建局"}, {Role: xfbot.RoleMember}, {Role: xfbot.RoleMember, Unit: "区住建局"},
		{Role: xfbot.RoleMember, Unit: "区民政局"}, {Role: xfbot.RoleLeader, Unit: "云溪街道"}, {Role: xfbot.RoleLiaison, Unit: "区住建局"},
		{Role: xfbot.RoleViewer}, {Role: ""}, {Full: true},
	}
	for _, c := range []*xfbot.Case{plain, &acc} {
		terms := map[xfbot.Term]bool{}
		for _, t := range ix.CaseTerms(c) {
			terms[t] = true
		}
		for _, a := range audiences {
			r := xfbot.PersonalSearch(a)
			excluded := false
			for _, e := range r.Except {
				excluded = excluded || terms[e]
			}
			p := xfbot.MaskPetitioner(c, a)
			if got, want := r.Name && !excluded, p.Name == c.Petitioner.Name; got != want {
				t.Errorf("accusation=%v %+v: finds by name %v, sees the name %v", c.Accusation, a, got, want)
			}
			if got, want := r.Phone && !excluded, p.Phone == c.Petitioner.Phone; got != want {
				t.Errorf("accusation=%v %+v: finds by phone %v, sees the phone %v", c.Accusation, a, got, want)
			}
			if got, want := r.ID && !excluded, p.IDCard != ""; got != want {
				t.Errorf("accusation=%v %+v: finds by ID %v, sees the ID %v", c.Accusation, a, got, want)
			}
		}
	}
}

func TestRepeats(t *testing.T) {
	done := func(cat xfbot.Category, unit, title string) *xfbot.Case {
		return &xfbot.Case{No: "XF-2025-0031", Category: cat, Unit: unit, Title: title, Status: xfbot.StatusResolved}
	}
	newCase := &xfbot.Case{Category: "land_demolition", Unit: "区住建局", Title: "桂园社区回迁安置房延期交付"}
	other := &xfbot.Case{Category: "other", Unit: "区住建局", Title: "桂园社区回迁房交付延期"}
	terminated := done("labor_social", "区人社局", "欠薪")
	terminated.Status = xfbot.StatusHandling
	terminated.Proc.Stage = xfbot.StageTerminated
	for _, tc := range []struct {
		name     string
		c, prior *xfbot.Case
		want     bool
	}{
		{"SameCategoryResolved", newCase, done("land_demolition", "区民政局", "补偿款"), true},
		{"SameCategoryStillOpen", newCase, &xfbot.Case{Category: "land_demolition", Status: xfbot.StatusHandling}, false},
		{"OtherCategorySameUnitSimilarTitle", other, done("other", "区住建局", "桂园社区回迁安置房延期交付"), true},
		{"OtherCategorySameUnitDifferentTitle", other, done("other", "区住建局", "物业收费纠纷"), false},
		{"OtherCategoryOtherUnitSimilarTitle", other, done("other", "区城管局", "桂园社区回迁房交付延期"), false},
		{"TerminatedProcedure", &xfbot.Case{Category: "labor_social"}, terminated, true},
		{"ClosedDifferentMatter", newCase, done("labor_social", "区人社局", "欠薪"), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := xfbot.Repeats(tc.c, tc.prior, nil); got != tc.want {
				t.Errorf("Repeats = %v, want %v", got, tc.want)
			}
		})
	}
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"桂园社区回迁安置房延期交付", "桂园社区回迁房延期交付", true},
		{"桂园社区回迁安置房延期交付", "回迁安置房交付", true},
		{"桂园社区回迁安置房延期交付", "拖欠农民工工资", false},
		{"", "拖欠工资", false},
	} {
		if got := xfbot.SimilarTitles(tc.a, tc.b); got != tc.want {
			t.Errorf("SimilarTitles(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestRelevant(t *testing.T) {
	loc := time.FixedZone("CST", 8*3600)
	today := xfbot.NewDate(2026, 3, 16)
	at := func(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 10, 0, 0, 0, loc) }
	open := &xfbot.Case{Status: xfbot.StatusHandling, UpdatedAt: at(2020, 1, 1)}
	recent := &xfbot.Case{Status: xfbot.StatusClosed, UpdatedAt: at(2025, 6, 1)}
	old := &xfbot.Case{Status: xfbot.StatusClosed, UpdatedAt: at(2025, 3, 1)}
	if !xfbot.Relevant(open, today, loc) || !xfbot.Relevant(recent, today, loc) || xfbot.Relevant(old, today, loc) {
		t.Errorf("Relevant: open %v, recent %v, old %v", xfbot.Relevant(open, today, loc), xfbot.Relevant(recent, today, loc), xfbot.Relevant(old, today, loc))
	}
}

// 重复信访 set on registration and again by hand is one tag, counted once.
func TestRepeatTagCountedOnce(t *testing.T) {
	loc := time.FixedZone("CST", 8*3600)
	now := time.Date(2026, 3, 16, 10, 0, 0, 0, loc)
	c := &xfbot.Case{Status: xfbot.StatusHandling, CreatedAt: now, UpdatedAt: now}
	c.AddTag(xfbot.TagRepeat)
	repeats := func(cs []xfbot.Count) (n int64) {
		for _, x := range cs {
			if x.Counter == xfbot.CountRepeat {
				n += x.N
			}
		}
		return n
	}
	first := repeats(xfbot.CaseCounts(nil, c, loc))
	upd := *c
	upd.Tags = append([]xfbot.Tag(nil), c.Tags...)
	upd.AddTag(xfbot.TagRepeat) // the manual tag
	upd.UpdatedAt = now.Add(time.Hour)
	second := repeats(xfbot.CaseCounts(c, &upd, loc))
	if len(upd.Tags) != 1 || first != 1 || second != 0 {
		t.Errorf("tags %v, counted %d then %d; want one tag, counted 1 then 0", upd.Tags, first, second)
	}
}

func TestRepeatOf(t *testing.T) {
	resolved := &xfbot.Case{No: "XF-2025-0031", Category: "housing", Status: xfbot.StatusResolved}
	open := &xfbot.Case{No: "XF-2026-0002", Category: "other", Status: xfbot.StatusHandling}
	acc := &xfbot.Case{No: "XF-2026-0003", Category: "housing", Status: xfbot.StatusClosed, Accusation: true}
	c := &xfbot.Case{Category: "housing"}
	link, rep := xfbot.RepeatOf(c, []*xfbot.Case{open, acc, resolved}, nil)
	if len(link) != 2 || link[0] != open || link[1] != resolved || rep != acc {
		t.Errorf("link %v, repeated %v; want the two non-accusations linked and the first concluded same matter", link, rep)
	}
	c.Accusation = true
	if link, _ := xfbot.RepeatOf(c, []*xfbot.Case{open, resolved}, nil); len(link) != 0 {
		t.Errorf("an accusation linked to %v", link)
	}
}
