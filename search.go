package xfbot

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// This file is the search index's domain: the terms a case contributes to
// the index, what a query typed after 搜索 asks for, and who may search by
// what. The store keeps one set per term (store/search.go); a query is a
// union of conjunctions of terms.
//
// Personal data never appears in a term: a petitioner's name, phone and ID
// number enter the index only as keyed hashes (HMAC-SHA256 with the
// deployment's secret, privacy.index_secret), so a key name read from Redis,
// a log or a slowlog says nothing without the secret. The free text that is
// indexed in plain words (the title, progress entries) is scrubbed first:
// phone and ID numbers (the scrub.go detectors), long digit runs and the
// petitioner's name are cut out before it is split into words.
//
// Terms:
//
//	n:<hmac>       the petitioner's whole name
//	p:<hmac>       the whole phone number (digits only, +86 dropped)
//	q:<hmac>       one 4-digit run of the phone at its position (i:dddd): "any
//	               part" of a phone is the intersection of the runs that cover
//	               it, at each position it could start at; exact, and 8 terms
//	               for a mobile where every substring would be 36
//	i:<hmac>       the ID number, 18 characters (a 15-digit old number is
//	               converted, so both spellings of one person match)
//	w:<word>       a CJK bigram or a Latin word (lower case) of the title or a
//	               progress entry, scrubbed
//	u:<unit>       the 主责单位, a:<area> the 属地: whose cases a liaison may see
//	o:<number>     the original sheet number, when the case has one
//	x              an accusation (检举控告类); xp:<place> one at that unit or area:
//	               what a reader from that place may not find by the accuser
//
// The ID number's last digits are not indexed on their own: a 4–6 digit query
// is read as part of a phone, and the ID is looked up whole.

// Term is one index term: its kind, a colon, its value ("w:拆迁", "n:Yc…").
type Term string

// Term kinds.
const (
	TermName       = "n"
	TermPhone      = "p"
	TermPhonePart  = "q"
	TermID         = "i"
	TermWord       = "w"
	TermUnit       = "u"
	TermArea       = "a"
	TermSource     = "o"
	TermAccusation = "x"
	TermAccusedAt  = "xp"
)

// Kind is the term's kind.
func (t Term) Kind() string {
	k, _, _ := strings.Cut(string(t), ":")
	return k
}

// Personal reports whether t is a keyed hash of personal data.
func (t Term) Personal() bool {
	switch t.Kind() {
	case TermName, TermPhone, TermPhonePart, TermID:
		return true
	}
	return false
}

// phoneGram is the length of the digit runs a phone is indexed by.
const phoneGram = 4

// maxPhoneDigits is the longest phone the index reads (a landline with its
// area code: 0 + 3 + 8).
const maxPhoneDigits = 12

// Indexer computes terms with one deployment's secret. The zero value is
// not usable; NewIndexer.
type Indexer struct{ key []byte }

// NewIndexer returns an Indexer keyed with secret.
func NewIndexer(secret []byte) *Indexer { return &Indexer{key: append([]byte(nil), secret...)} }

// Fingerprint names the secret without revealing it: the backfill marker
// records it, so that a changed secret rebuilds the personal terms.
func (ix *Indexer) Fingerprint() string {
	m := hmac.New(sha256.New, ix.key)
	m.Write([]byte("xfbot index fingerprint"))
	return hex.EncodeToString(m.Sum(nil)[:6])
}

// hashed is a personal term: kind and the first 96 bits of
// HMAC-SHA256(secret, kind:value), URL-safe base64 (16 characters).
func (ix *Indexer) hashed(kind, value string) Term {
	m := hmac.New(sha256.New, ix.key)
	m.Write([]byte(kind))
	m.Write([]byte{':'})
	m.Write([]byte(value))
	return Term(kind + ":" + base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:12]))
}

// NameTerm is the term of a petitioner's whole name ("" for no name).
func (ix *Indexer) NameTerm(name string) Term {
	name = normName(name)
	if name == "" {
		return ""
	}
	return ix.hashed(TermName, name)
}

// PhoneTerm is the term of a whole phone number ("" when it has no digits).
func (ix *Indexer) PhoneTerm(phone string) Term {
	d := PhoneDigits(phone)
	if d == "" {
		return ""
	}
	return ix.hashed(TermPhone, d)
}

// IDTerm is the term of an ID number ("" when it is none: not 15 or 18
// characters).
func (ix *Indexer) IDTerm(id string) Term {
	n := IDCard18(id)
	if n == "" {
		return ""
	}
	return ix.hashed(TermID, n)
}

func (ix *Indexer) phonePart(pos int, gram string) Term {
	return ix.hashed(TermPhonePart, strconv.Itoa(pos)+":"+gram)
}

// CaseTerms are the terms c's record contributes: its petitioner, its
// places, its title's words and its original number; each once, in no
// particular order. The store adds and removes them as the record changes.
func (ix *Indexer) CaseTerms(c *Case) []Term {
	var out []Term
	seen := map[Term]bool{}
	add := func(t Term) {
		if t != "" && !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	for _, t := range ix.PersonTerms(c) {
		add(t)
	}
	if d := PhoneDigits(c.Petitioner.Phone); len(d) >= phoneGram {
		for i := 0; i+phoneGram <= len(d); i++ {
			add(ix.phonePart(i, d[i:i+phoneGram]))
		}
	}
	if c.Unit != "" {
		add(Term(TermUnit + ":" + c.Unit))
	}
	if c.Area != "" {
		add(Term(TermArea + ":" + c.Area))
	}
	if c.Accusation {
		add(TermAccusation)
		for _, p := range []string{c.Unit, c.Area} {
			if p != "" {
				add(Term(TermAccusedAt + ":" + p))
			}
		}
	}
	if s := normSource(SourceNo(c)); s != "" {
		add(Term(TermSource + ":" + s))
	}
	for _, t := range TextTerms(c.Title, c) {
		add(t)
	}
	return out
}

// SameTerms reports whether a and b have the same CaseTerms: the fields
// it reads are equal. A 进展 or a deadline changes none of them, and
// computing the terms (an HMAC per phone fragment) is then skipped.
func SameTerms(a, b *Case) bool {
	return a.Petitioner == b.Petitioner && a.Unit == b.Unit && a.Area == b.Area && a.Accusation == b.Accusation &&
		SourceNo(a) == SourceNo(b) && a.Title == b.Title
}

// PersonTerms are the terms that identify c's petitioner: name, whole phone,
// ID number (those c has).
func (ix *Indexer) PersonTerms(c *Case) []Term {
	var out []Term
	for _, t := range []Term{ix.NameTerm(c.Petitioner.Name), ix.PhoneTerm(c.Petitioner.Phone), ix.IDTerm(c.Petitioner.IDCard)} {
		if t != "" {
			out = append(out, t)
		}
	}
	return out
}

// SourceNo is the number the case had on the sheet it was imported from
// (原编号, Case.SheetNo), indexed as an o: term: 搜索 finds an imported case
// by the number the office's old ledger gave it.
func SourceNo(c *Case) string { return c.SheetNo }

func normSource(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(Normalize(s)), ""))
}

// TextTerms are the plain word terms of free text about c (a title, a
// progress entry): CJK bigrams and Latin words, after the phone and ID
// numbers, digit runs of six or more and c's petitioner's name were cut out.
// c may be nil.
func TextTerms(s string, c *Case) []Term {
	words := Words(ScrubForIndex(s, c))
	out := make([]Term, len(words))
	for i, w := range words {
		out[i] = Term(TermWord + ":" + w)
	}
	return out
}

// ScrubForIndex removes from s what must never be a plain term: the phone
// and ID numbers MaskText finds, any run of six or more digits (a bank
// card, an account or order number) and c's petitioner's name (at least two
// characters); each becomes a space, so no word spans the cut.
func ScrubForIndex(s string, c *Case) string {
	var b strings.Builder
	last := 0
	cut := func(start, end int) {
		b.WriteString(s[last:start])
		b.WriteByte(' ')
		last = end
	}
	if countDigits(s) >= minNumberDigits {
		eachNumber(s, func(start, end int, _ numKind, _ []byte) { cut(start, end) })
	}
	b.WriteString(s[last:])
	s, b, last = b.String(), strings.Builder{}, 0
	// Long digit runs (full-width too).
	for i := 0; i < len(s); {
		if _, w := digitAt(s, i); w == 0 {
			i++
			continue
		}
		j, n := i, 0
		for j < len(s) {
			_, w := digitAt(s, j)
			if w == 0 {
				break
			}
			j += w
			n++
		}
		if n >= 6 {
			cut(i, j)
		}
		i = j
	}
	b.WriteString(s[last:])
	s = b.String()
	if c != nil {
		if name := normName(c.Petitioner.Name); RuneLen(name) >= 2 {
			s = strings.ReplaceAll(s, name, " ")
		}
	}
	return s
}

// Words splits text into its index words, each once, in order of first
// appearance: every bigram of each run of CJK characters (a run of one
// character gives none) and each run of ASCII letters and digits of two
// characters or more that is not all digits, lower-cased. Full-width
// letters and digits count as ASCII.
func Words(s string) []string {
	s = Normalize(s)
	var out []string
	seen := map[string]bool{}
	add := func(w string) {
		if !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	var prev rune // the previous CJK rune of the current run, 0 if none
	latin := -1   // start of the current Latin run
	digitsOnly := true
	flushLatin := func(end int) {
		if latin >= 0 && end-latin >= 2 && end-latin <= 32 && !digitsOnly {
			add(strings.ToLower(s[latin:end]))
		}
		latin, digitsOnly = -1, true
	}
	for i, r := range s {
		switch {
		case isHan(r):
			flushLatin(i)
			if prev != 0 {
				add(string(prev) + string(r))
			}
			prev = r
		case r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			prev = 0
			if latin < 0 {
				latin = i
			}
			if !unicode.IsDigit(r) {
				digitsOnly = false
			}
		default:
			prev = 0
			flushLatin(i)
		}
	}
	flushLatin(len(s))
	return out
}

func isHan(r rune) bool { return unicode.Is(unicode.Han, r) }

// normName is a name as indexed: half-width, no spaces.
func normName(s string) string {
	return strings.Join(strings.Fields(Normalize(s)), "")
}

// PhoneDigits is a phone number as indexed: its digits (full-width too),
// without a leading 86 country code on a 13-digit mobile; "" when it has
// fewer than four digits or more than maxPhoneDigits.
func PhoneDigits(phone string) string {
	d := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, Normalize(phone))
	if len(d) == 13 && strings.HasPrefix(d, "86") {
		d = d[2:]
	}
	if len(d) < phoneGram || len(d) > maxPhoneDigits {
		return ""
	}
	return d
}

// IDCard18 is an ID number as indexed: 18 characters, X upper-case; a
// 15-digit old number is converted (19 inserted before the year, the check
// character computed). "" for anything else. It checks the shape only:
// ParseIDCard checks the number.
func IDCard18(id string) string {
	id = strings.ToUpper(strings.Join(strings.Fields(Normalize(id)), ""))
	switch len(id) {
	case 18:
		for i := 0; i < 17; i++ {
			if id[i] < '0' || id[i] > '9' {
				return ""
			}
		}
		if c := id[17]; (c < '0' || c > '9') && c != 'X' {
			return ""
		}
		return id
	case 15:
		if !allDigits(id) {
			return ""
		}
		n := id[:6] + "19" + id[6:]
		sum := 0
		for i, w := range idWeights {
			sum += int(n[i]-'0') * w
		}
		return n + string(idCheck[sum%11])
	}
	return ""
}

// SearchKind is what a query names.
type SearchKind int

const (
	SearchKeyword    SearchKind = iota // words of titles and progress
	SearchCaseNo                       // XF-2026-0012: that case
	SearchSerial                       // 12, 0012: this year's case with that serial (and, from 4 digits, part of a phone)
	SearchPhone                        // 7–12 digits: part of a phone or the whole
	SearchID                           // 15 or 18 characters: an ID number
	SearchNameOrWord                   // 2–4 CJK characters: a name, or words
)

// Label names the kind in replies and in the audit log (never the value).
func (k SearchKind) Label() string {
	switch k {
	case SearchCaseNo:
		return "案件号"
	case SearchSerial:
		return "序号"
	case SearchPhone:
		return "电话"
	case SearchID:
		return "身份证号"
	case SearchNameOrWord:
		return "姓名或关键词"
	}
	return "关键词"
}

// Search is a parsed 搜索 query.
type Search struct {
	Kind   SearchKind
	Raw    string // as typed, trimmed
	No     CaseNo // SearchCaseNo, SearchSerial: the case it names
	Digits string // SearchSerial (4–6 digits), SearchPhone: the digits
	ID     string // SearchID: the number, 18 characters
	Name   string // SearchNameOrWord: the name
	Words  []string
}

// Personal reports whether the query looks up personal data (a phone, an
// ID number, maybe a name): the audit records its kind only.
func (q Search) Personal() bool {
	return q.Digits != "" || q.ID != "" || q.Name != ""
}

// ParseSearch reads what follows 搜索, in year (this year, for a bare
// serial). Errors are EINVALID and say how to write the query.
func ParseSearch(s string, year int) (Search, error) {
	raw := strings.TrimSpace(CleanText(s))
	q := Search{Raw: raw}
	t := strings.TrimSpace(Normalize(raw))
	if t == "" {
		return q, Errorf(EINVALID, "请写要搜索的内容：信访人姓名、电话（可只写其中几位）、身份证号、标题或进展中的词、案件号。例如：搜索 张建国、搜索 5678、搜索 回迁安置")
	}
	if strings.HasPrefix(strings.ToUpper(t), "XF") {
		no, err := ParseCaseNo(t)
		if err != nil {
			return q, err
		}
		q.Kind, q.No = SearchCaseNo, no
		return q, nil
	}
	compact := strings.Map(func(r rune) rune {
		switch r {
		case ' ', '-', '—', '(', ')':
			return -1
		}
		return r
	}, t)
	if compact != "" && (allDigits(compact) || (len(compact) == 18 && allDigits(compact[:17]) && (compact[17] == 'x' || compact[17] == 'X'))) {
		n := len(compact)
		switch {
		case n <= 6:
			num, _ := strconv.Atoi(compact)
			if num < 1 {
				return q, Errorf(EINVALID, "序号“%s”不对：案件序号从 1 开始，例如 搜索 12 找今年的 XF-%04d-0012。", Echo(raw, 10), year)
			}
			q.Kind, q.No = SearchSerial, FormatCaseNo(year, num)
			if n >= phoneGram {
				q.Digits = compact
			}
		case n <= maxPhoneDigits:
			d := compact
			if n == 13 && strings.HasPrefix(d, "86") {
				d = d[2:]
			}
			q.Kind, q.Digits = SearchPhone, d
		case n == 13 && strings.HasPrefix(compact, "86"):
			q.Kind, q.Digits = SearchPhone, compact[2:]
		case n == 15 || n == 18:
			id, err := ParseIDCard(compact)
			if err != nil {
				return q, err
			}
			q.Kind, q.ID = SearchID, IDCard18(id)
		default:
			return q, Errorf(EINVALID, "“%s”有 %d 位数字：电话最多 %d 位，身份证号是 18 位（旧号码 15 位）。请核对后重写，电话也可以只写其中 4 位以上。", Echo(raw, 12), n, maxPhoneDigits)
		}
		return q, nil
	}
	words := Words(t)
	if n := RuneLen(compact); n >= 2 && n <= 4 && allHan(compact) {
		q.Kind, q.Name, q.Words = SearchNameOrWord, compact, words
		return q, nil
	}
	if len(words) == 0 {
		return q, Errorf(EINVALID, "“%s”太短，找不到词：关键词至少写两个汉字或两个字母，例如 搜索 回迁、搜索 拆迁补偿。", Echo(raw, 10))
	}
	if len(words) > 24 {
		return q, Errorf(EINVALID, "搜索的内容太长，请写一两个关键词，例如 搜索 回迁安置。")
	}
	q.Kind, q.Words = SearchKeyword, words
	return q, nil
}

func allHan(s string) bool {
	for _, r := range s {
		if !isHan(r) {
			return false
		}
	}
	return s != ""
}

// SearchTerms is a query as the index reads it: a case matches when it has
// every term of one of the conjunctions. Public conjunctions match what
// anyone who may see the case may find (words, the original number);
// Personal ones match through a petitioner's data, and count only for the
// cases whose reader may see that data: those not in Except.
type SearchTerms struct {
	Public   [][]Term
	Personal [][]Term
	Except   []Term
}

// Empty reports whether nothing can match.
func (st SearchTerms) Empty() bool { return len(st.Public) == 0 && len(st.Personal) == 0 }

// Terms turns q into the conjunctions the reader a may search by: a part of
// a phone is, at each position it could start at, the runs that cover it; a
// name is its hash; words are all required. What a's role may not look up
// is left out, and the reply says so (Refused).
func (ix *Indexer) Terms(q Search, a Audience) SearchTerms {
	var st SearchTerms
	may := PersonalSearch(a)
	if len(q.Words) > 0 {
		conj := make([]Term, len(q.Words))
		for i, w := range q.Words {
			conj[i] = Term(TermWord + ":" + w)
		}
		st.Public = append(st.Public, conj)
	}
	if q.Kind == SearchKeyword {
		if s := normSource(q.Raw); s != "" {
			st.Public = append(st.Public, []Term{Term(TermSource + ":" + s)})
		}
	}
	if q.Name != "" && may.Name {
		st.Personal = append(st.Personal, []Term{ix.hashed(TermName, q.Name)})
	}
	if q.Digits != "" && may.Phone {
		d := q.Digits
		st.Personal = append(st.Personal, []Term{ix.hashed(TermPhone, d)})
		for pos := 0; pos+len(d) <= maxPhoneDigits; pos++ {
			var conj []Term
			for i := 0; i+phoneGram <= len(d); i++ {
				conj = append(conj, ix.phonePart(pos+i, d[i:i+phoneGram]))
			}
			st.Personal = append(st.Personal, conj)
		}
	}
	if q.ID != "" && may.ID {
		st.Personal = append(st.Personal, []Term{ix.hashed(TermID, q.ID)})
	}
	if len(st.Personal) > 0 {
		st.Except = may.Except
	}
	return st
}

// Refused names what q asks for that a may not search by ("" when
// nothing): a viewer may not look up a name, a phone or an ID number, a
// liaison not a phone or an ID number, since they do not see them.
func Refused(q Search, a Audience) string {
	may := PersonalSearch(a)
	var no []string
	if q.Digits != "" && !may.Phone && q.Kind == SearchPhone {
		no = append(no, "电话")
	}
	if q.ID != "" && !may.ID {
		no = append(no, "身份证号")
	}
	return strings.Join(no, "、")
}

// SearchRights is what a reader may look up by: the personal data they see
// in a case (MaskPetitioner), and the cases whose accuser they may not know,
// as the terms that mark them.
type SearchRights struct {
	Name, Phone, ID bool
	Except          []Term
}

// PersonalSearch is what a may search by, by the rule of MaskPetitioner: a
// match through a piece of personal data is shown only to a reader who sees
// that data in the case (the name whole; the phone whole; the ID number's
// last four), so that a search confirms nothing the card would not show.
//
//   - a full audience, admins: everything;
//   - task-force members and leaders: everything, except the accusations
//     (检举控告) of the unit or area they come from (Audience.Unit);
//   - liaisons: names only (they see phones masked, no ID numbers), except
//     every accusation;
//   - viewers, non-members, groups: none.
func PersonalSearch(a Audience) SearchRights {
	switch {
	case a.Full || (!a.Group && a.Role == RoleAdmin):
		return SearchRights{Name: true, Phone: true, ID: true}
	case a.Group || a.Role == RoleViewer || a.Role == "":
		return SearchRights{}
	case a.Role == RoleLiaison:
		return SearchRights{Name: true, Except: []Term{TermAccusation}}
	}
	r := SearchRights{Name: true, Phone: true, ID: true}
	for _, u := range (Member{Unit: a.Unit, UnitFormer: a.UnitFormer}).UnitNames() {
		r.Except = append(r.Except, Term(TermAccusedAt+":"+u))
	}
	return r
}

// Repeat petitions (重复信访, petition-domain §1.2 and §2): the same
// petitioner petitioning again, about the same matter, after it was
// answered.

// RepeatRecentDays is how long after its last write a concluded case of the
// same petitioner is still named when a new one is registered.
const RepeatRecentDays = 365

// Concluded reports whether c is settled: resolved or signed off on the
// resolution track, or its procedure terminated (复核终结) or concluded
// (办结, a window expired).
func (c *Case) Concluded() bool {
	if c.Status == StatusResolved || c.Status == StatusClosed {
		return true
	}
	st := c.StageOf()
	return st == StageTerminated || st == StageConcluded
}

// Relevant reports whether other, a case of the same petitioner, is worth
// naming when a case is registered on today (days in loc): open, or
// written within RepeatRecentDays.
func Relevant(other *Case, today Date, loc *time.Location) bool {
	if other.Status.Open() && !other.Concluded() {
		return true
	}
	at := other.UpdatedAt
	if at.IsZero() {
		at = other.CreatedAt
	}
	return !DateOf(at, loc).Before(today.AddDays(-RepeatRecentDays))
}

// Repeats reports whether c repeats prior, a concluded case of the same
// petitioner: the same matter again. The same matter is the same category
// (other than 其他), or the same 主责单位 (by reg: one unit under any of its
// names; nil compares names as written) and similar titles (SimilarTitles).
func Repeats(c, prior *Case, reg *Registry) bool {
	if !prior.Concluded() || c.No == prior.No {
		return false
	}
	if c.Category != "" && c.Category != "other" && c.Category == prior.Category {
		return true
	}
	return c.Unit != "" && reg.Canonical(c.Unit) == reg.Canonical(prior.Unit) && SimilarTitles(c.Title, prior.Title)
}

// SimilarTitles reports whether two titles are about the same thing: their
// sets of words (Words: CJK bigrams, Latin words) overlap by a Dice
// coefficient of at least 0.5, 2·|A∩B| ≥ |A|+|B|. Titles are one line
// (≤ 40 characters), so the bigrams of the matter dominate.
func SimilarTitles(a, b string) bool {
	wa, wb := Words(a), Words(b)
	if len(wa) == 0 || len(wb) == 0 {
		return false
	}
	in := map[string]bool{}
	for _, w := range wa {
		in[w] = true
	}
	common := 0
	for _, w := range wb {
		if in[w] {
			common++
		}
	}
	return 4*common >= len(wa)+len(wb) // Dice = 2·common/(|A|+|B|) ≥ 0.5
}

// AddTag adds t to c's tags unless c has it: a tag is a set, so a tag set
// automatically (重复信访 on registration) and by hand is one tag, and
// CaseCounts counts it once.
func (c *Case) AddTag(t Tag) {
	if !c.HasTag(t) {
		c.Tags = append(c.Tags, t)
	}
}

// MaxRelated is how many of the same petitioner's cases a new case is
// linked to (the newest).
const MaxRelated = 10

// RepeatOf decides what the same petitioner's other cases (same: the
// strong matches, by phone or ID number, newest first) mean for c, a case
// being registered or imported: the cases to link it to (not accusations,
// whose accuser a link would name, on either side; at most MaxRelated), and
// the concluded case whose matter c repeats, if any (Repeats), for which c
// is tagged 重复信访. reg tells one unit's names (Repeats).
func RepeatOf(c *Case, same []*Case, reg *Registry) (link []*Case, repeated *Case) {
	for _, o := range same {
		if o.No == c.No {
			continue
		}
		if repeated == nil && Repeats(c, o, reg) {
			repeated = o
		}
		if !c.Accusation && !o.Accusation && len(link) < MaxRelated {
			link = append(link, o)
		}
	}
	return link, repeated
}
