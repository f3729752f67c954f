package xfbot

import (
	"strings"
	"unicode/utf8"
)

// What MaskText puts in place of a number the reader may not see at all.
const (
	HiddenIDCard = "[身份证号]"
	HiddenPhone  = "[电话]"
)

// MaskText masks the personal data found in free text (a title, progress,
// a visit record, a reason, a result, a history entry, a letter summary, an
// error echo) for the reader a, by the rule MaskPetitioner applies to the
// fields of c's petitioner:
//
//   - Full: unchanged;
//   - a group, a viewer, anyone not a member: mobiles and landlines as
//     MaskPhone (138****5678), ID numbers replaced whole ([身份证号]), c's
//     petitioner's name as MaskName (张某);
//   - a liaison: phones masked, ID numbers replaced whole, the name kept;
//   - admins, members, leaders in private: phones and name kept, ID numbers
//     as MaskIDCard (last four);
//   - an accusation whose accuser the reader may not know (see
//     MaskPetitioner): every phone and ID number in the case's text replaced
//     whole ([电话], [身份证号]) and the name as 匿名信访人.
//
// c may be nil (text not tied to a case): then only numbers are masked. The
// name is looked for only when it has at least two characters.
//
// What counts as a number: a mainland mobile (11 digits 1[3-9]…, optionally
// after 86 or +86), a landline (0, an area code of 2 or 3 more digits — 010
// and 02x take 3 in all, the others 4 — then 7 or 8 digits), an 18-character
// ID number (17 digits and a digit or X) or a 15-digit old one, whose birth
// date has a plausible month and day. Digits may be full-width; the parts
// may be separated by one space or dash each in the usual groupings
// (138 1234 5678, 0755-8888 1234, (0755)88881234, 110101 19900307 1234).
// A number must be a whole run of digits: one cut out of a longer run is not
// a phone, so case numbers (XF-2026-0012), dates (2026-12-01, 20261201),
// amounts (13812345元), postcodes, 12-digit serials and runs of 19 digits or
// more (bank cards, order numbers) stay as written. Bank card numbers are
// not masked: they are not contact data, and masking part of a run would
// misstate it.
func MaskText(s string, c *Case, a Audience) string {
	if a.Full || s == "" {
		return s
	}
	mode := textMode(c, a)
	name := ""
	if c != nil && mode.name != "" {
		name = strings.TrimSpace(c.Petitioner.Name)
		if utf8.RuneCountInString(name) < 2 {
			name = ""
		}
	}
	var b *strings.Builder
	last := 0 // bytes of s written to b so far
	emit := func(start, end int, repl string) {
		if b == nil {
			b = &strings.Builder{}
			b.Grow(len(s) + 16)
		}
		b.WriteString(s[last:start])
		b.WriteString(repl)
		last = end
	}
	// Names hold no digits and numbers nothing else, so their spans never
	// overlap: walk both in order.
	nextName := func(from int) int {
		if name == "" {
			return -1
		}
		if i := strings.Index(s[from:], name); i >= 0 {
			return from + i
		}
		return -1
	}
	ni := nextName(0)
	flushNames := func(upTo int) {
		for ni >= 0 && ni+len(name) <= upTo {
			emit(ni, ni+len(name), mode.name)
			ni = nextName(ni + len(name))
		}
	}
	if countDigits(s) >= minNumberDigits {
		eachNumber(s, func(start, end int, k numKind, norm []byte) {
			flushNames(start)
			if ni >= 0 && ni < end { // a name overlapping a number (it has digits): skip it
				ni = nextName(end)
			}
			if repl, ok := mode.number(s[start:end], k, norm); ok {
				emit(start, end, repl)
			}
		})
	}
	flushNames(len(s))
	if b == nil {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// ContainsPersonalData reports whether s holds a phone or an ID number as
// MaskText finds them: what a member is warned about when typing free text
// the group will see masked.
func ContainsPersonalData(s string) bool {
	if countDigits(s) < minNumberDigits {
		return false
	}
	found := false
	eachNumber(s, func(int, int, numKind, []byte) { found = true })
	return found
}

// textRule is what MaskText does for one audience.
type textRule struct {
	phone, id int    // keep, mask or hide
	name      string // what the petitioner's name becomes; "" keeps it
}

const (
	keep = iota
	mask
	hide
)

func textMode(c *Case, a Audience) textRule {
	switch {
	case hidesAccuser(c, a):
		return textRule{phone: hide, id: hide, name: anonymous}
	case a.Group || a.Role == RoleViewer || a.Role == "":
		name := ""
		if c != nil {
			name = MaskName(c.Petitioner.Name)
		}
		return textRule{phone: mask, id: hide, name: name}
	case a.Role == RoleLiaison:
		return textRule{phone: mask, id: hide}
	default:
		return textRule{phone: keep, id: mask}
	}
}

// number is what a number found in text becomes; ok is false when it stays.
func (r textRule) number(span string, k numKind, norm []byte) (string, bool) {
	switch {
	case k == numID && r.id == hide:
		return HiddenIDCard, true
	case k == numID && r.id == mask:
		return MaskIDCard(string(norm)), true
	case k == numPhone && r.phone == hide:
		return HiddenPhone, true
	case k == numPhone && r.phone == mask:
		return MaskPhone(string(norm)), true
	}
	return "", false
}

// numKind is what eachNumber found.
type numKind uint8

const (
	numNone numKind = iota
	numPhone
	numID
)

// minNumberDigits is the fewest digits a number MaskText finds can have (a
// landline of 010 and 7 digits).
const minNumberDigits = 10

// countDigits counts ASCII and full-width digits.
func countDigits(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			n++
		case c == 0xEF && i+2 < len(s) && s[i+1] == 0xBC && s[i+2] >= 0x90 && s[i+2] <= 0x99: // ０-９
			n++
			i += 2
		}
	}
	return n
}

// group is one run of consecutive digits in the text.
type group struct {
	start, end int  // bytes of the digits
	n          int  // how many digits
	from       int  // where a match starting here begins: a + or ( before it
	plus       bool // a + right before
	open       bool // a ( right before
	x          int  // end of a trailing X (an ID number's check character), 0 if none
	join       byte // how the next group follows: 0 not at all, 's' one separator, 'p' a closing parenthesis
}

// digitAt decodes an ASCII or full-width digit at s[i]: its value and width.
func digitAt(s string, i int) (byte, int) {
	c := s[i]
	if c >= '0' && c <= '9' {
		return c, 1
	}
	if c == 0xEF && i+2 < len(s) && s[i+1] == 0xBC && s[i+2] >= 0x90 && s[i+2] <= 0x99 {
		return '0' + s[i+2] - 0x90, 3
	}
	return 0, 0
}

// sepAt reports the width of a separator allowed between the parts of a
// number at s[i]: a space, an ideographic or no-break space, a dash.
func sepAt(s string, i int) int {
	switch s[i] {
	case ' ', '-':
		return 1
	}
	r, w := utf8.DecodeRuneInString(s[i:])
	switch r {
	case '\u3000', '\u00a0', '－', '‐', '‑', '–', '—':
		return w
	}
	return 0
}

func isDigitAt(s string, i int) bool {
	if i >= len(s) {
		return false
	}
	_, w := digitAt(s, i)
	return w > 0
}

// eachNumber calls fn for every phone and ID number in s, in order, with its
// byte span and its normalized characters (ASCII digits, X upper-case).
func eachNumber(s string, fn func(start, end int, k numKind, norm []byte)) {
	var stack [48]group
	gs := stack[:0]
	prev, prevAt := rune(0), 0 // the rune before the current position
	for i := 0; i < len(s); {
		if _, w := digitAt(s, i); w == 0 {
			r, w := utf8.DecodeRuneInString(s[i:])
			prev, prevAt = r, i
			i += w
			continue
		}
		g := group{start: i, from: i}
		if prev == '+' || prev == '＋' {
			g.plus, g.from = true, prevAt
		}
		if prev == '(' || prev == '（' {
			g.open = true
		}
		for i < len(s) {
			_, w := digitAt(s, i)
			if w == 0 {
				break
			}
			g.n++
			i += w
		}
		g.end = i
		if i < len(s) {
			switch r, w := utf8.DecodeRuneInString(s[i:]); {
			case r == 'X' || r == 'x' || r == 'Ｘ' || r == 'ｘ':
				g.x = i + w
			case (r == ')' || r == '）') && g.open:
				j := i + w
				if j < len(s) {
					if sw := sepAt(s, j); sw > 0 && isDigitAt(s, j+sw) {
						j += sw
					}
				}
				if isDigitAt(s, j) {
					g.join, i = 'p', j
				}
			default:
				if sw := sepAt(s, i); sw > 0 && isDigitAt(s, i+sw) {
					g.join, i = 's', i+sw
				}
			}
		}
		if g.open && g.join == 'p' {
			g.from = g.start - len("(")
			if s[g.from] != '(' {
				g.from = g.start - len("（")
			}
		}
		gs = append(gs, g)
		if g.join == 0 {
			matchRun(s, gs, fn)
			gs = gs[:0]
		}
		if i < len(s) {
			if _, w := digitAt(s, i); w == 0 {
				r, w := utf8.DecodeRuneInString(s[i:])
				prev, prevAt = r, i
				i += w
			} else {
				prev = 0
			}
		}
	}
	if len(gs) > 0 {
		matchRun(s, gs, fn)
	}
}

// maxParts is the most groups one number is written in (4-4-4-4-2).
const maxParts = 5

// matchRun finds the numbers in one run of joined groups: the choice of
// non-overlapping numbers that covers the most digits, preferring later
// starts on a tie ("2026-03-16 138 1234 5678" is a date and a mobile).
func matchRun(s string, gs []group, fn func(start, end int, k numKind, norm []byte)) {
	if len(gs) == 1 { // the common case: no table
		var buf [24]byte
		if k, norm, _ := classify(s, gs, buf[:0]); k != numNone {
			fn(spanOf(gs, k, norm), endOf(gs, k, norm), k, norm)
		}
		return
	}
	type choice struct {
		cover int // digits covered from here on
		take  int // groups the number starting here spans; 0: skip
	}
	var stack [49]choice
	best := stack[:0]
	if len(gs)+1 > len(stack) {
		best = make([]choice, len(gs)+1)
	} else {
		best = stack[:len(gs)+1]
	}
	best[len(gs)] = choice{}
	var buf [24]byte
	for k := len(gs) - 1; k >= 0; k-- {
		best[k] = choice{cover: best[k+1].cover}
		for m := k; m < len(gs) && m-k < maxParts; m++ {
			kind, _, digits := classify(s, gs[k:m+1], buf[:0])
			if digits > 18 {
				break
			}
			if kind == numNone {
				continue
			}
			if c := digits + best[m+1].cover; c > best[k].cover {
				best[k] = choice{cover: c, take: m - k + 1}
			}
		}
	}
	for k := 0; k < len(gs); {
		t := best[k].take
		if t == 0 {
			k++
			continue
		}
		part := gs[k : k+t]
		kind, norm, _ := classify(s, part, buf[:0])
		fn(spanOf(part, kind, norm), endOf(part, kind, norm), kind, norm)
		k += t
	}
}

// spanOf and endOf are the bytes a number written in gs covers: a leading +
// of +86, the parenthesis of (0755), a trailing X.
func spanOf(gs []group, k numKind, norm []byte) int {
	g := gs[0]
	switch {
	case g.plus && k == numPhone && len(norm) == 13:
		return g.from
	case g.open && g.join == 'p' && len(gs) > 1:
		return g.from
	}
	return g.start
}

func endOf(gs []group, k numKind, norm []byte) int {
	g := gs[len(gs)-1]
	if k == numID && g.x > 0 && norm[len(norm)-1] == 'X' {
		return g.x
	}
	return g.end
}

// classify decides what the groups gs, taken together, are. It returns the
// kind, the normalized characters (appended to buf) and the digit count.
func classify(s string, gs []group, buf []byte) (numKind, []byte, int) {
	n := 0
	for _, g := range gs {
		n += g.n
	}
	if n > 18 || n < minNumberDigits {
		return numNone, nil, n
	}
	for i, g := range gs {
		if i < len(gs)-1 && g.x > 0 {
			return numNone, nil, n // an X ends a number
		}
		if i > 0 && gs[i-1].join == 'p' && i != 1 {
			return numNone, nil, n // only an area code sits in parentheses
		}
		for j := g.start; j < g.end; {
			d, w := digitAt(s, j)
			buf = append(buf, d)
			j += w
		}
	}
	last := gs[len(gs)-1]
	parts := len(gs)
	paren := parts > 1 && gs[0].join == 'p'
	var lens [maxParts]int
	for i, g := range gs {
		lens[i] = g.n
	}
	shape := lens[:parts]
	switch {
	case !paren && n == 11 && mobile(buf) && mobileShape(shape):
		return numPhone, buf, n
	case !paren && n == 13 && buf[0] == '8' && buf[1] == '6' && mobile(buf[2:]) &&
		(parts == 1 || (shape[0] == 2 && mobileShape(shape[1:]))):
		return numPhone, buf, n
	case landline(buf, shape):
		return numPhone, buf, n
	case !paren && n == 17 && last.x > 0 && idShape(shape, true):
		buf = append(buf, 'X')
		if idDate18(buf) {
			return numID, buf, n
		}
	case !paren && n == 18 && idShape(shape, false) && idDate18(buf):
		return numID, buf, n
	case !paren && n == 15 && (parts == 1 || (parts == 3 && shape[0] == 6 && shape[1] == 6)) && idDate15(buf):
		return numID, buf, n
	}
	return numNone, nil, n
}

// mobile: 1[3-9] and nine more digits.
func mobile(d []byte) bool { return len(d) == 11 && d[0] == '1' && d[1] >= '3' && d[1] <= '9' }

// mobileShape: 13812345678, 138 1234 5678, 138 12345678, 1381234 5678.
func mobileShape(l []int) bool {
	switch len(l) {
	case 1:
		return l[0] == 11
	case 2:
		return (l[0] == 3 && l[1] == 8) || (l[0] == 7 && l[1] == 4)
	case 3:
		return l[0] == 3 && l[1] == 4 && l[2] == 4
	}
	return false
}

// landline: 0, the area code (010 and 02x: 3 digits in all; others 4), a
// subscriber number of 7 or 8 digits starting with 2-9, written whole or
// with the area code apart and the subscriber number in at most two parts.
func landline(d []byte, l []int) bool {
	if d[0] != '0' || d[1] == '0' {
		return false
	}
	area := 4
	if d[1] == '1' || d[1] == '2' {
		area = 3
		if d[1] == '1' && d[2] != '0' {
			return false
		}
	}
	sub := len(d) - area
	if sub < 7 || sub > 8 || d[area] < '2' {
		return false
	}
	switch len(l) {
	case 1:
		return true
	case 2:
		return l[0] == area
	case 3:
		return l[0] == area && l[1] >= 3 && l[2] >= 3
	}
	return false
}

// idShape: 18 characters whole, or 6-8-4, 6-4-4-4, 4-4-4-4-2 (the last part
// one shorter when an X ends it, the X not counted).
func idShape(l []int, x bool) bool {
	tail := 0
	if x {
		tail = 1
	}
	switch len(l) {
	case 1:
		return true
	case 3:
		return l[0] == 6 && l[1] == 8 && l[2] == 4-tail
	case 4:
		return l[0] == 6 && l[1] == 4 && l[2] == 4 && l[3] == 4-tail
	case 5:
		return l[0] == 4 && l[1] == 4 && l[2] == 4 && l[3] == 4 && l[4] == 2-tail
	}
	return false
}

// idDate18 and idDate15 accept a region code not starting with 0 and a birth
// date with a plausible century, month and day: enough to tell an ID number
// from a serial; ParseIDCard checks it fully.
func idDate18(d []byte) bool {
	if d[0] == '0' {
		return false
	}
	century := string(d[6:8])
	if century != "18" && century != "19" && century != "20" {
		return false
	}
	return monthDay(d[10:14])
}

func idDate15(d []byte) bool { return d[0] != '0' && monthDay(d[8:12]) }

func monthDay(d []byte) bool {
	m := int(d[0]-'0')*10 + int(d[1]-'0')
	day := int(d[2]-'0')*10 + int(d[3]-'0')
	return m >= 1 && m <= 12 && day >= 1 && day <= 31
}
