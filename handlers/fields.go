package handlers

import (
	"strings"

	"github.com/qingchuan/xfbot"
)

// caseFields are the 字段:值 pairs 新建 takes, with the names people also use.
var caseFields = []struct {
	Name    string
	Aliases []string
}{
	{"类别", []string{"分类", "类型"}},
	{"属地", []string{"街镇", "街道"}},
	{"单位", []string{"主责单位", "责任单位"}},
	{"信访人", []string{"姓名", "当事人"}},
	{"电话", []string{"手机", "联系电话", "手机号"}},
	{"身份证", []string{"身份证号", "证件号"}},
	{"期限", []string{"截止", "办结期限", "到期"}},
	{"受理", []string{"受理日期", "受理日"}},
	{"收到", []string{"收到日期", "来访日期", "来信日期"}}, // 待受理: the day the petition was received
	{"性质", nil},
	{"接访", []string{"接访编号"}}, // registered at a leader's reception (接访 JF-YYYY-NNNN)
}

func fieldName(key string) (string, bool) {
	key = strings.TrimSpace(xfbot.Normalize(key))
	for _, f := range caseFields {
		if key == f.Name {
			return f.Name, true
		}
		for _, a := range f.Aliases {
			if key == a {
				return f.Name, true
			}
		}
	}
	return "", false
}

func fieldNames() string {
	var ns []string
	for _, f := range caseFields {
		ns = append(ns, f.Name)
	}
	return strings.Join(ns, " ")
}

// splitColon splits "名称:值" at the first colon, full-width or not.
func splitColon(tok string) (key, val string, ok bool) {
	i := strings.IndexAny(tok, ":：")
	if i < 0 {
		return "", "", false
	}
	_, w := firstRune(tok[i:])
	return tok[:i], tok[i+w:], true
}

func firstRune(s string) (rune, int) {
	for _, r := range s {
		return r, len(string(r))
	}
	return 0, 0
}

// personalKey reports whether key, written before a colon, names personal
// data under a name that is no field (联系方式:, 身份证号码:): refused rather
// than taken into the title.
func personalKey(key string) bool {
	key = xfbot.Normalize(key)
	for _, w := range []string{"电话", "手机", "联系", "身份", "证件", "姓名"} {
		if strings.Contains(key, w) {
			return true
		}
	}
	return false
}

// birthDate is the birth date in an 18-character ID number.
func birthDate(id string) (xfbot.Date, bool) {
	if len(id) != 18 {
		return xfbot.Date{}, false
	}
	d, err := xfbot.ParseDate(id[6:10] + "-" + id[10:12] + "-" + id[12:14])
	return d, err == nil
}

// bareField reads a field name typed without a colon: the main names and
// the phone and ID aliases, not the words that are ordinary in a title
// (收到, 性质, 到期, 街道, 当事人...).
func bareField(w string) (string, bool) {
	w = strings.TrimSpace(xfbot.Normalize(w))
	switch w {
	case "类别", "属地", "单位", "信访人", "电话", "身份证", "受理", "期限":
		return w, true
	}
	for _, g := range gluedFields {
		if w == g {
			return fieldName(g)
		}
	}
	return "", false
}

// gluedFields are the fields whose value people type straight after the
// name, without a colon or a space (电话13800000000).
var gluedFields = []string{"身份证号", "身份证", "联系电话", "手机号", "手机", "电话"}

// parseFields splits the words of 新建 into the title (the words before the
// first field) and the fields. A field's value may follow its name after a
// space (期限： 2026-05-01). After the title, a field's name without a colon
// (信访人 王五 电话 1380000…) is read as the field, so that personal data
// never ends up in the title; a phone or ID field glued to its value
// (电话1380000…) too.
func parseFields(words []string) (title string, fields map[string]string, err error) {
	fields = map[string]string{}
	var titleWords []string
	inFields := false
	for i := 0; i < len(words); i++ {
		w := words[i]
		key, val, hasColon := splitColon(w)
		name, known := "", false
		if hasColon {
			name, known = fieldName(key)
		} else if len(titleWords) > 0 || inFields {
			if name, known = bareField(w); known {
				// A bare field name: its value is the next word.
				if i+1 >= len(words) {
					return "", nil, xfbot.Errorf(xfbot.EINVALID, "字段“%s”没有写值，请写成 %s:值。", name, name)
				}
			} else {
				for _, g := range gluedFields {
					if rest, ok := strings.CutPrefix(xfbot.Normalize(w), g); ok && rest != "" && strings.ContainsAny(rest, "0123456789") {
						name, known = fieldName(g)
						val = rest
						break
					}
				}
			}
		}
		switch {
		case known:
			inFields = true
			if val == "" && i+1 < len(words) {
				if _, _, c := splitColon(words[i+1]); !c {
					val = words[i+1]
					i++
				}
			}
			if val == "" {
				return "", nil, xfbot.Errorf(xfbot.EINVALID, "字段“%s”没有写值，请写成 %s:值。", name, name)
			}
			if _, dup := fields[name]; dup {
				return "", nil, xfbot.Errorf(xfbot.EINVALID, "字段“%s”写了两次。", name)
			}
			fields[name] = val
		case hasColon && personalKey(key):
			return "", nil, xfbot.Errorf(xfbot.EINVALID, "不认识的字段“%s”：信访人的电话写成 电话:号码，身份证号写成 身份证:号码，姓名写成 信访人:姓名。可用的字段：%s。", xfbot.Echo(key, 10), fieldNames())
		case !inFields:
			titleWords = append(titleWords, w)
		case hasColon:
			return "", nil, xfbot.Errorf(xfbot.EINVALID, "不认识的字段“%s”，可用的字段：%s。", xfbot.Echo(key, 10), fieldNames())
		default:
			return "", nil, xfbot.Errorf(xfbot.EINVALID, "多余的内容“%s”：标题写在最前面，之后每项写成 字段:值。", xfbot.Echo(w, 20))
		}
	}
	return strings.Join(titleWords, " "), fields, nil
}

// parsePhone accepts a mobile number (11 digits, starting with 1) or a
// landline, with spaces, dashes or full-width digits.
func parsePhone(s string) (string, error) {
	d := strings.Map(func(r rune) rune {
		switch {
		case r >= '0' && r <= '9':
			return r
		case r == '-' || r == ' ' || r == '+':
			return -1
		}
		return 'x'
	}, xfbot.Normalize(s))
	if strings.HasPrefix(d, "86") && len(d) == 13 {
		d = d[2:]
	}
	switch {
	case strings.ContainsRune(d, 'x'):
	case len(d) == 11 && d[0] == '1':
		return d, nil
	case len(d) >= 7 && len(d) <= 12 && d[0] == '0':
		return d, nil
	}
	return "", xfbot.Errorf(xfbot.EINVALID, "电话“%s”格式不对，请写 11 位手机号或带区号的座机号（如 0871-6512345）。", xfbot.Echo(s, 20))
}

// parseName checks a person's or a unit's name.
func parseName(s, what string) (string, error) {
	s = xfbot.CleanText(s)
	if s == "" {
		return "", xfbot.Errorf(xfbot.EINVALID, "%s不能为空。", what)
	}
	if n := xfbot.RuneLen(s); n > xfbot.MaxFieldRunes {
		return "", xfbot.Errorf(xfbot.EINVALID, "%s太长（%d 字），请控制在 %d 字以内。", what, n, xfbot.MaxFieldRunes)
	}
	return s, nil
}
