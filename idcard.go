package xfbot

import (
	"strings"
	"time"
)

// idWeights are the GB 11643-1999 weights of the first 17 characters, and
// idCheck the check character for each remainder of their sum by 11.
var (
	idWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	idCheck   = "10X98765432"
)

// ParseIDCard reads a 公民身份号码 as typed: full-width characters, spaces
// and dashes are removed and a final x upper-cased. It accepts an 18-character
// number whose birth date (characters 7–14) is a real date not before 1900
// and whose last character is the GB 11643-1999 check character, and a
// 15-digit old number whose birth date (YYMMDD, 19YY) is real. The future is
// not checked: the caller knows today, this function does not.
//
// The error is an *Error (EINVALID) that says which check failed and how to
// write the number; it shows at most the number's last four characters.
func ParseIDCard(s string) (string, error) {
	id := strings.Map(func(r rune) rune {
		switch r {
		case ' ', '-', '\u00a0', '‐', '‑', '–', '—':
			return -1
		case 'x':
			return 'X'
		}
		return r
	}, Normalize(s))
	if id == "" {
		return "", Errorf(EINVALID, "身份证号是空的：请写 18 位身份证号，例如 身份证:<18位号码>。")
	}
	tail := idTail(id)
	for i := 0; i < len(id); i++ {
		c := id[i]
		if c >= '0' && c <= '9' || (c == 'X' && i == len(id)-1) {
			continue
		}
		if c == 'X' {
			return "", Errorf(EINVALID, "身份证号%s有误：X 只能是最后一位（校验码），请核对后重写。", tail)
		}
		return "", Errorf(EINVALID, "身份证号%s有误：只能是数字，最后一位可以是 X，不要夹带文字或符号。", tail)
	}
	switch len(id) {
	case 18:
		y, m, d := atoi(id[6:10]), atoi(id[10:12]), atoi(id[12:14])
		if y < 1900 || !realDate(y, m, d) {
			return "", Errorf(EINVALID, "身份证号%s有误：第 7–14 位是出生日期（年月日，如 19650312），这几位不是有效日期或早于 1900 年，请核对后重写。", tail)
		}
		sum := 0
		for i, w := range idWeights {
			sum += int(id[i]-'0') * w
		}
		if want := idCheck[sum%11]; id[17] != want {
			return "", Errorf(EINVALID, "身份证号%s有误：最后一位校验码不对，请逐位核对号码（常见是抄错或漏写一位）。", tail)
		}
		return id, nil
	case 15:
		if id[14] == 'X' {
			return "", Errorf(EINVALID, "身份证号%s有误：15 位旧号码全是数字，没有 X；新号码是 18 位。", tail)
		}
		y, m, d := 1900+atoi(id[6:8]), atoi(id[8:10]), atoi(id[10:12])
		if !realDate(y, m, d) {
			return "", Errorf(EINVALID, "身份证号%s有误：15 位旧号码的第 7–12 位是出生日期（两位年份加月日，如 650312），这几位不是有效日期，请核对后重写。", tail)
		}
		return id, nil
	}
	return "", Errorf(EINVALID, "身份证号%s有误：应为 18 位（旧号码 15 位），您写了 %d 位，请核对后重写。", tail, len([]rune(id)))
}

// idTail names a number by its last four characters: （尾号 001X）.
func idTail(id string) string {
	r := []rune(id)
	if len(r) <= 4 {
		return ""
	}
	return "（尾号 " + string(r[len(r)-4:]) + "）"
}

func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

func realDate(y, m, d int) bool {
	if m < 1 || m > 12 || d < 1 {
		return false
	}
	return d <= time.Date(y, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}
