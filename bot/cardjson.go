package bot

import (
	"slices"
	"unicode/utf8"
)

// appendCard is c.tree() as encoding/json writes it, byte for byte, written
// straight into dst: a case card goes out with nearly every reply, and
// building the tree of elements and walking it by reflection cost more than
// the rest of its rendering (TestCardJSONFast holds the two to the same
// bytes). Cards with charts, figures or a form, rarer, are left to the tree
// (ok false).
func appendCard(dst []byte, c *Card) ([]byte, bool) {
	if len(c.Charts) > 0 || len(c.KPIs) > 0 || c.Form != nil {
		return dst, false
	}
	dst = append(dst, `{"schema":"2.0","config":{"update_multi":true,"width_mode":"fill","summary":{"content":`...)
	dst = appendJSONString(dst, c.Title)
	dst = append(dst, `}},"header":{"title":`...)
	dst = appendPlain(dst, c.Title)
	dst = append(dst, `,"template":`...)
	dst = appendJSONString(dst, orDefault(c.Color, "blue"))
	if c.Subtitle != "" {
		dst = append(dst, `,"subtitle":`...)
		dst = appendPlain(dst, c.Subtitle)
	}
	if len(c.Tags) > 0 {
		dst = append(dst, `,"text_tag_list":[`...)
		for i, t := range c.Tags {
			if i == 3 {
				break
			}
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, `{"tag":"text_tag","text":`...)
			dst = appendPlain(dst, t.Text)
			dst = append(dst, `,"color":`...)
			dst = appendJSONString(dst, orDefault(t.Color, "neutral"))
			dst = append(dst, '}')
		}
		dst = append(dst, ']')
	}
	dst = append(dst, `},"body":{"elements":[`...)
	n := 0
	sep := func() {
		if n > 0 {
			dst = append(dst, ',')
		}
		n++
	}
	for i := 0; i < len(c.Fields); i += 2 {
		sep()
		dst = append(dst, `{"tag":"column_set","flex_mode":"bisect","columns":[`...)
		dst = appendFieldColumn(dst, c.Fields[i])
		if i+1 < len(c.Fields) {
			dst = append(dst, ',')
			dst = appendFieldColumn(dst, c.Fields[i+1])
		} else {
			dst = append(dst, `,{"tag":"column","width":"weighted","weight":1,"elements":[]}`...)
		}
		dst = append(dst, "]}"...)
	}
	for _, s := range c.Sections {
		sep()
		dst = appendMarkdown(dst, s, "")
	}
	for _, it := range c.Items {
		sep()
		dst = appendMarkdown(dst, it.Markdown, "")
		if len(it.Buttons) > 0 {
			dst = append(dst, ',')
			dst = appendButtonRow(dst, it.Buttons)
		}
	}
	if len(c.Buttons) > 0 {
		sep()
		dst = append(dst, `{"tag":"hr"},`...)
		dst = appendButtonRow(dst, c.Buttons)
	}
	if c.Note != "" {
		sep()
		dst = appendMarkdown(dst, "<font color='grey'>"+escapeMD(c.Note)+"</font>", "notation")
	}
	return append(dst, "]}}"...), true
}

// appendPlain is textJSON{"plain_text", s}.
func appendPlain(dst []byte, s string) []byte {
	dst = append(dst, `{"tag":"plain_text","content":`...)
	dst = appendJSONString(dst, s)
	return append(dst, '}')
}

// appendMarkdown is markdownJSON{"markdown", s, size}.
func appendMarkdown(dst []byte, s, size string) []byte {
	dst = append(dst, `{"tag":"markdown","content":`...)
	dst = appendJSONString(dst, s)
	if size != "" {
		dst = append(dst, `,"text_size":`...)
		dst = appendJSONString(dst, size)
	}
	return append(dst, '}')
}

// appendFieldColumn is fieldColumn(f).
func appendFieldColumn(dst []byte, f Field) []byte {
	v := f.Value
	if v == "" {
		v = "—"
	}
	dst = append(dst, `{"tag":"column","width":"weighted","weight":1,"elements":[{"tag":"markdown","content":`...)
	dst = appendJSONString(dst, "**"+escapeMD(f.Label)+"**")
	dst = append(dst, `},{"tag":"div","text":`...)
	dst = appendPlain(dst, v)
	return append(dst, "}]}"...)
}

// appendButtonRow is buttonRow(bs).
func appendButtonRow(dst []byte, bs []Button) []byte {
	dst = append(dst, `{"tag":"column_set","flex_mode":"flow","horizontal_spacing":"8px","columns":[`...)
	for i, b := range bs {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"tag":"column","width":"auto","elements":[`...)
		dst = appendButton(dst, b)
		dst = append(dst, "]}"...)
	}
	return append(dst, "]}"...)
}

// appendButton is b.tree(""): the callback value with its keys in order,
// as encoding/json writes a map, "a" the action.
func appendButton(dst []byte, b Button) []byte {
	dst = append(dst, `{"tag":"button","text":`...)
	dst = appendPlain(dst, b.Text)
	dst = append(dst, `,"type":`...)
	dst = appendJSONString(dst, orDefault(b.Kind, "default"))
	dst = append(dst, `,"behaviors":[{"type":"callback","value":{`...)
	var keyBuf [8]string
	keys := append(keyBuf[:0], "a")
	for k := range b.Value {
		if k != "a" {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for i, k := range keys {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendJSONString(dst, k)
		dst = append(dst, ':')
		if k == "a" {
			dst = appendJSONString(dst, b.Action)
		} else {
			dst = appendJSONString(dst, b.Value[k])
		}
	}
	dst = append(dst, "}}]"...)
	if b.Confirm != "" {
		dst = append(dst, `,"confirm":{"title":`...)
		dst = appendPlain(dst, b.Text)
		dst = append(dst, `,"text":`...)
		dst = appendPlain(dst, b.Confirm)
		dst = append(dst, '}')
	}
	return append(dst, '}')
}

// appendJSONString is encoding/json's string encoding with HTML escaping
// (its default, and marshalCard's): <, > and & as \u003c, \u003e, \u0026,
// control characters escaped, invalid UTF-8 as \ufffd, U+2028 and U+2029
// escaped.
func appendJSONString(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if b := s[i]; b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' && b != '<' && b != '>' && b != '&' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[b>>4], hex[b&0xF])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		if c == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if c == '\u2028' || c == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[c&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
