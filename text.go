package xfbot

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Normalize folds full-width ASCII (ＸＦ－２０２６, ：) and the ideographic space
// to their half-width forms. Commands apply it to words, numbers and dates, never
// to free text a user wants recorded as written.
func Normalize(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\u3000':
			return ' '
		case r >= '\uff01' && r <= '\uff5e':
			return r - 0xfee0
		}
		return r
	}, s)
}

// Clip shortens s to at most n runes, marking the cut with "…". It is for
// echoing user input back in an error message.
func Clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}

// Echo is user input quoted back in a reply (an error that says what was
// wrong): masked as for a group first, then clipped to n runes, so that
// neither a whole phone or ID number nor most of one (a clip inside it) is
// read back where others may see it.
func Echo(s string, n int) string { return Clip(MaskText(s, nil, GroupAudience), n) }

// RuneLen is the number of characters a person sees.
func RuneLen(s string) int { return utf8.RuneCountInString(s) }

// CleanText trims a free-text argument and removes control characters other
// than newlines, so that nothing invisible is stored or sent.
func CleanText(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' {
			return r
		}
		if unicode.IsControl(r) || r == utf8.RuneError {
			return -1
		}
		return r
	}, s)
	return strings.TrimSpace(s)
}
