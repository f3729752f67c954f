package store

import (
	"encoding/base64"
	"encoding/hex"
	"strings"
)

// A Feishu open_id is "ou_" and 32 hexadecimal digits, 35 bytes, and a case
// carries one in every record it holds: its owner, leader and creator, the
// author of each progress entry and change. Stored as written they were a
// tenth of a case's memory (TestCaseMemory). packID writes such an id as
// "~" and the base64url of its 16 bytes, 23 bytes; an odd number of digits
// (test fixtures have them) pads a zero nibble and starts with "!". Every
// other id is kept as it is, unless it starts with one of the three marks,
// when "=" goes first. unpackID reads all of them, and an id written as it
// was before, which starts with none of the marks, reads as itself: old
// records need no rewriting.
//
// The packed form is made of [A-Za-z0-9_-] after its mark: it needs no
// escape in JSON, holds neither recSep nor the deadline member's "|", and
// compares as the id does (the same id always packs the same way), so that
// a record can still be matched on its packed field (list.go's needles).
func packID(id string) string {
	if h, ok := strings.CutPrefix(id, "ou_"); ok && h != "" && len(h) <= 64 && isLowerHex(h) {
		mark := "~"
		if len(h)%2 == 1 {
			h, mark = h+"0", "!"
		}
		b, _ := hex.DecodeString(h) // isLowerHex: cannot fail
		return mark + base64.RawURLEncoding.EncodeToString(b)
	}
	if id != "" && strings.ContainsRune("~!=", rune(id[0])) {
		return "=" + id
	}
	return id
}

// unpackID is the open_id packID wrote as s.
func unpackID(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '~', '!':
		b, err := base64.RawURLEncoding.DecodeString(s[1:])
		if err != nil {
			return s // not written by packID: as it is
		}
		h := hex.EncodeToString(b)
		if s[0] == '!' && h != "" {
			h = h[:len(h)-1]
		}
		return "ou_" + h
	case '=':
		return s[1:]
	}
	return s
}

func isLowerHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
