package bot

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
)

// MaxCardBytes is Feishu's limit on a card's JSON (30 KB). Cards are built to
// stay well below it; Render trims the longest sections if one would not.
const MaxCardBytes = 30 * 1024

// Card is a message card in our own terms. Handlers build one (usually through
// CaseCard); bot/ alone turns it into Feishu card JSON 2.0 or plain text.
type Card struct {
	Title    string
	Subtitle string
	Color    string   // header template: blue, green, yellow, orange, red, carmine, grey...
	Tags     []Tag    // at most 3, shown in the header
	Fields   []Field  // label/value pairs, two per row
	KPIs     []Field  // figures shown large, three per row (digests, statistics)
	Sections []string // markdown paragraphs
	Items    []Item   // markdown paragraphs each with its own buttons (reminder lines)
	Buttons  []Button
	Form     *Form
	Charts   []Chart // after the sections; at most MaxCharts, dropped first when too big
	Note     string  // small grey text at the bottom
}

// Item is a paragraph with a row of buttons under it.
type Item struct {
	Markdown string
	Buttons  []Button
}

// Tag is a coloured label in the header.
type Tag struct{ Text, Color string }

// Field is one label/value pair. Value is plain text, escaped when rendered.
type Field struct{ Label, Value string }

// Button calls back the action named Action with Value; Confirm, when set,
// asks before it does.
type Button struct {
	Text    string
	Kind    string // primary, default, danger
	Action  string
	Value   map[string]string
	Confirm string
}

// Form is a card form; its submit button calls Submit.Action with the inputs'
// values in the callback's form_value.
type Form struct {
	Name   string
	Inputs []Input
	Submit Button
}

// Input is one form field.
type Input struct {
	Name        string
	Label       string
	Placeholder string
	Required    bool
	MaxLength   int
	Multiline   bool
}

type obj = map[string]any

func plain(s string) obj { return obj{"tag": "plain_text", "content": s} }

// mdEscapes are the characters Feishu card markdown gives a meaning to,
// written as the HTML entities its documentation prescribes, so that user
// text is shown as typed and can never form a tag such as <at>.
var mdEscapes = []string{"&", "&amp;", "<", "&#60;", ">", "&#62;", "*", "&#42;", "_", "&#95;", "~", "&#126;", "`", "&#96;",
	"[", "&#91;", "]", "&#93;", "#", "&#35;", "$", "&#36;"}

var (
	mdEscaper   = strings.NewReplacer(mdEscapes...)
	mdUnescaper = strings.NewReplacer(reversePairs(mdEscapes)...)
)

func reversePairs(p []string) []string {
	r := make([]string, 0, len(p))
	for i := len(p) - 2; i >= 0; i -= 2 {
		r = append(r, p[i+1], p[i])
	}
	return r
}

// escapeMD keeps user text from being read as card markdown.
func escapeMD(s string) string { return mdEscaper.Replace(s) }

// cardBufs are the buffers cards are rendered in: a case card is a few
// kilobytes, rendered for nearly every reply.
var cardBufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// marshalCard is json.Marshal of c.tree() into a pooled buffer, or the same
// bytes written directly by appendCard. (HTML stays escaped: user text in
// plain_text elements is not markdown-escaped, and must not read as a tag
// to anything that scans the JSON.)
func marshalCard(c *Card) (string, error) {
	bp := cardBytes.Get().(*[]byte)
	defer cardBytes.Put(bp)
	b, ok := appendCard((*bp)[:0], c)
	*bp = b[:0] // grown, kept for the next card
	if ok {
		return string(b), nil
	}
	buf := cardBufs.Get().(*bytes.Buffer)
	defer cardBufs.Put(buf)
	return marshalTree(buf, c.tree())
}

// cardBytes are appendCard's buffers.
var cardBytes = sync.Pool{New: func() any { b := make([]byte, 0, 8<<10); return &b }}

// marshalTree is json.Marshal of a card's tree into buf.
func marshalTree(buf *bytes.Buffer, tree cardJSON) (string, error) {
	buf.Reset()
	if err := json.NewEncoder(buf).Encode(tree); err != nil {
		return "", err
	}
	return string(bytes.TrimSuffix(buf.Bytes(), []byte("\n"))), nil
}

// JSON renders c as Feishu card JSON 2.0. A card that would exceed
// MaxCardBytes loses its longest sections, marked as cut, until it fits.
func (c Card) JSON() (string, error) {
	for {
		b, err := marshalCard(&c)
		if err != nil {
			return "", fmt.Errorf("bot: render card: %w", err)
		}
		if len(b) <= MaxCardBytes {
			return b, nil
		}
		if len(c.Charts) > 0 {
			// Charts go first: their figures are in the sections too.
			c.Charts = c.Charts[:len(c.Charts)-1]
			continue
		}
		if n := len(c.Items); n > 1 {
			// Too many reminder lines: keep the first ones and say how many more.
			keep := n * MaxCardBytes / len(b)
			keep = min(max(keep-1, 1), n-1)
			c.Items = append(append([]Item(nil), c.Items[:keep]...), Item{Markdown: fmt.Sprintf("……另有 %d 项，发送“提醒 查看”查看全部。", n-keep)})
			continue
		}
		i := longest(c.Sections)
		if i < 0 || len(c.Sections[i]) < 64 {
			return "", fmt.Errorf("bot: card is %d bytes, over the %d limit", len(b), MaxCardBytes)
		}
		secs := append([]string(nil), c.Sections...)
		r := []rune(secs[i])
		secs[i] = string(r[:len(r)/2]) + "\n……（内容过长，已截断）"
		c.Sections = secs
	}
}

func longest(ss []string) int {
	at, n := -1, 0
	for i, s := range ss {
		if len(s) > n {
			at, n = i, len(s)
		}
	}
	return at
}

func (c Card) tree() cardJSON {
	h := headerJSON{Title: plainText(c.Title), Template: orDefault(c.Color, "blue")}
	if c.Subtitle != "" {
		st := plainText(c.Subtitle)
		h.Subtitle = &st
	}
	for i, t := range c.Tags {
		if i == 3 {
			break
		}
		h.Tags = append(h.Tags, tagJSON{Tag: "text_tag", Text: plainText(t.Text), Color: orDefault(t.Color, "neutral")})
	}
	var els []any
	for i := 0; i < len(c.Fields); i += 2 {
		cols := []columnJSON{fieldColumn(c.Fields[i])}
		if i+1 < len(c.Fields) {
			cols = append(cols, fieldColumn(c.Fields[i+1]))
		} else {
			cols = append(cols, columnJSON{Tag: "column", Width: "weighted", Weight: 1, Elements: []any{}})
		}
		els = append(els, columnSetJSON{Tag: "column_set", FlexMode: "bisect", Columns: cols})
	}
	for i := 0; i < len(c.KPIs); i += 3 {
		els = append(els, kpiRow(c.KPIs[i:min(i+3, len(c.KPIs))]))
	}
	for _, s := range c.Sections {
		els = append(els, markdownJSON{Tag: "markdown", Content: s})
	}
	for i, ch := range c.Charts {
		if i == MaxCharts {
			break
		}
		els = append(els, ch.tree(i))
	}
	for _, it := range c.Items {
		els = append(els, markdownJSON{Tag: "markdown", Content: it.Markdown})
		if len(it.Buttons) > 0 {
			els = append(els, buttonRow(it.Buttons))
		}
	}
	if c.Form != nil {
		els = append(els, c.Form.tree())
	}
	if len(c.Buttons) > 0 {
		els = append(els, obj{"tag": "hr"}, buttonRow(c.Buttons))
	}
	if c.Note != "" {
		els = append(els, markdownJSON{Tag: "markdown", Content: "<font color='grey'>" + escapeMD(c.Note) + "</font>", TextSize: "notation"})
	}
	if els == nil {
		els = []any{}
	}
	return cardJSON{Schema: "2.0",
		Config: configJSON{UpdateMulti: true, WidthMode: "fill", Summary: summaryJSON{Content: c.Title}},
		Header: h, Body: bodyJSON{Elements: els}}
}

type (
	cardJSON struct {
		Schema string     `json:"schema"`
		Config configJSON `json:"config"`
		Header headerJSON `json:"header"`
		Body   bodyJSON   `json:"body"`
	}
	configJSON struct {
		UpdateMulti bool        `json:"update_multi"`
		WidthMode   string      `json:"width_mode"`
		Summary     summaryJSON `json:"summary"`
	}
	summaryJSON struct {
		Content string `json:"content"`
	}
	headerJSON struct {
		Title    textJSON  `json:"title"`
		Template string    `json:"template"`
		Subtitle *textJSON `json:"subtitle,omitempty"`
		Tags     []tagJSON `json:"text_tag_list,omitempty"`
	}
	tagJSON struct {
		Tag   string   `json:"tag"`
		Text  textJSON `json:"text"`
		Color string   `json:"color"`
	}
	bodyJSON struct {
		Elements []any `json:"elements"`
	}
	columnSetJSON struct {
		Tag               string       `json:"tag"`
		FlexMode          string       `json:"flex_mode"`
		HorizontalSpacing string       `json:"horizontal_spacing,omitempty"`
		Columns           []columnJSON `json:"columns"`
	}
)

// fieldColumn shows a label in bold and the value as plain text: values
// (names, phone numbers) need no escaping and cannot be misread as markup.
func buttonRow(bs []Button) columnSetJSON {
	cols := make([]columnJSON, 0, len(bs))
	for _, b := range bs {
		cols = append(cols, columnJSON{Tag: "column", Width: "auto", Elements: []any{b.tree("")}})
	}
	return columnSetJSON{Tag: "column_set", FlexMode: "flow", HorizontalSpacing: "8px", Columns: cols}
}

func fieldColumn(f Field) columnJSON {
	v := f.Value
	if v == "" {
		v = "—"
	}
	return columnJSON{Tag: "column", Width: "weighted", Weight: 1, Elements: []any{
		markdownJSON{Tag: "markdown", Content: "**" + escapeMD(f.Label) + "**"},
		divJSON{Tag: "div", Text: plainText(v)},
	}}
}

// The card elements rendered most often (a reminder has forty buttons) are
// structs rather than maps: encoding/json writes them without sorting keys
// or boxing every value.
type (
	textJSON struct {
		Tag     string `json:"tag"`
		Content string `json:"content"`
	}
	buttonJSON struct {
		Tag            string         `json:"tag"`
		Text           textJSON       `json:"text"`
		Type           string         `json:"type"`
		Behaviors      []behaviorJSON `json:"behaviors"`
		FormActionType string         `json:"form_action_type,omitempty"`
		Name           string         `json:"name,omitempty"`
		Confirm        *confirmJSON   `json:"confirm,omitempty"`
	}
	behaviorJSON struct {
		Type  string            `json:"type"`
		Value map[string]string `json:"value"`
	}
	confirmJSON struct {
		Title textJSON `json:"title"`
		Text  textJSON `json:"text"`
	}
	markdownJSON struct {
		Tag      string `json:"tag"`
		Content  string `json:"content"`
		TextSize string `json:"text_size,omitempty"`
	}
	divJSON struct {
		Tag  string   `json:"tag"`
		Text textJSON `json:"text"`
	}
	columnJSON struct {
		Tag      string `json:"tag"`
		Width    string `json:"width"`
		Weight   int    `json:"weight,omitempty"`
		Elements []any  `json:"elements"`
	}
)

func plainText(s string) textJSON { return textJSON{Tag: "plain_text", Content: s} }

func (b Button) tree(formAction string) buttonJSON {
	value := make(map[string]string, len(b.Value)+1)
	for k, v := range b.Value {
		value[k] = v
	}
	value["a"] = b.Action
	t := buttonJSON{Tag: "button", Text: plainText(b.Text), Type: orDefault(b.Kind, "default"),
		Behaviors: []behaviorJSON{{Type: "callback", Value: value}}}
	if formAction != "" {
		t.FormActionType, t.Name = formAction, b.Action
	}
	if b.Confirm != "" {
		t.Confirm = &confirmJSON{Title: plainText(b.Text), Text: plainText(b.Confirm)}
	}
	return t
}

func (f *Form) tree() obj {
	var els []any
	for _, in := range f.Inputs {
		t := obj{"tag": "input", "name": in.Name, "required": in.Required, "width": "fill",
			"label": plain(in.Label), "label_position": "top"}
		if in.Placeholder != "" {
			t["placeholder"] = plain(in.Placeholder)
		}
		if in.MaxLength > 0 {
			t["max_length"] = in.MaxLength
		}
		if in.Multiline {
			t["input_type"] = "multiline_text"
			t["rows"] = 3
		}
		els = append(els, t)
	}
	els = append(els, f.Submit.tree("submit"))
	return obj{"tag": "form", "name": f.Name, "elements": els}
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

// Text renders c for the console and as the fallback Feishu gets when a card
// is refused: the same content, line by line.
func (c Card) Text() string {
	var b strings.Builder
	b.Grow(512)
	w := func(ss ...string) {
		for _, s := range ss {
			b.WriteString(s)
		}
	}
	w("【", c.Title, "】")
	for _, t := range c.Tags {
		w(" [", t.Text, "]")
	}
	b.WriteString("\n")
	if c.Subtitle != "" {
		w(c.Subtitle, "\n")
	}
	for _, f := range c.Fields {
		v := f.Value
		if v == "" {
			v = "—"
		}
		w(f.Label, "：", v, "\n")
	}
	for _, k := range c.KPIs {
		w(k.Label, "：", k.Value, "\n")
	}
	for _, s := range c.Sections {
		w(stripMD(s), "\n")
	}
	for i, ch := range c.Charts {
		if i < MaxCharts {
			b.WriteString(ch.Text() + "\n")
		}
	}
	for _, it := range c.Items {
		b.WriteString(stripMD(it.Markdown))
		if len(it.Buttons) > 0 {
			var names []string
			for _, bt := range it.Buttons {
				names = append(names, "["+bt.Text+"]")
			}
			b.WriteString("  " + strings.Join(names, " "))
		}
		b.WriteString("\n")
	}
	if c.Form != nil {
		var names []string
		for _, in := range c.Form.Inputs {
			names = append(names, in.Label)
		}
		b.WriteString("（表单：" + strings.Join(names, "、") + "）\n")
	}
	if len(c.Buttons) > 0 {
		var names []string
		for _, bt := range c.Buttons {
			names = append(names, "["+bt.Text+"]")
		}
		b.WriteString(strings.Join(names, " ") + "\n")
	}
	if c.Note != "" {
		b.WriteString(c.Note + "\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

// stripMD drops the markdown we emit (bold, grey notes) and undoes escapeMD,
// for plain text.
func stripMD(s string) string {
	return mdUnescaper.Replace(mdStripper.Replace(s))
}

// mdStripper drops what stripMD drops (built once: a Replacer's trie costs
// more to build than a card's text to scan).
var mdStripper = strings.NewReplacer("**", "", "<font color='grey'>", "", "</font>", "")

// Escape makes user text safe inside a card's markdown Sections.
func Escape(s string) string { return escapeMD(s) }

// Map returns a copy of c with f applied to every string a reader sees:
// header, tags, field values, figures, sections, items, buttons and their
// confirmations, the form's labels, charts' titles and categories, the note.
// It is how a card is masked for a group before it is encoded (a phone
// number masked after JSON encoding could hide behind an escape such as
// \u0026).
func (c *Card) Map(f func(string) string) *Card {
	if c == nil {
		return nil
	}
	out := *c
	out.Title, out.Subtitle, out.Note = f(c.Title), f(c.Subtitle), f(c.Note)
	out.Tags = make([]Tag, len(c.Tags))
	for i, t := range c.Tags {
		out.Tags[i] = Tag{Text: f(t.Text), Color: t.Color}
	}
	mapFields := func(fs []Field) []Field {
		r := make([]Field, len(fs))
		for i, x := range fs {
			r[i] = Field{Label: x.Label, Value: f(x.Value)}
		}
		return r
	}
	out.Fields, out.KPIs = mapFields(c.Fields), mapFields(c.KPIs)
	out.Sections = make([]string, len(c.Sections))
	for i, s := range c.Sections {
		out.Sections[i] = f(s)
	}
	mapButtons := func(bs []Button) []Button {
		r := make([]Button, len(bs))
		for i, b := range bs {
			b.Text, b.Confirm = f(b.Text), f(b.Confirm)
			r[i] = b
		}
		return r
	}
	out.Items = make([]Item, len(c.Items))
	for i, it := range c.Items {
		out.Items[i] = Item{Markdown: f(it.Markdown), Buttons: mapButtons(it.Buttons)}
	}
	out.Buttons = mapButtons(c.Buttons)
	if c.Form != nil {
		fm := *c.Form
		fm.Inputs = make([]Input, len(c.Form.Inputs))
		for i, in := range c.Form.Inputs {
			in.Label, in.Placeholder = f(in.Label), f(in.Placeholder)
			fm.Inputs[i] = in
		}
		fm.Submit.Text = f(fm.Submit.Text)
		out.Form = &fm
	}
	out.Charts = make([]Chart, len(c.Charts))
	for i, ch := range c.Charts {
		ch.Title = f(ch.Title)
		ch.Categories = make([]string, len(c.Charts[i].Categories))
		for j, cat := range c.Charts[i].Categories {
			ch.Categories[j] = f(cat)
		}
		out.Charts[i] = ch
	}
	return &out
}

// CardCases are the cases a card's buttons act on (their "no" values), each
// once, in order: what a reply to the card may mean.
func CardCases(c *Card) []string {
	if c == nil {
		return nil
	}
	var out []string
	seen := map[string]bool{}
	add := func(bs []Button) {
		for _, b := range bs {
			if no := b.Value["no"]; no != "" && !seen[no] {
				seen[no] = true
				out = append(out, no)
			}
		}
	}
	add(c.Buttons)
	for _, it := range c.Items {
		add(it.Buttons)
	}
	if c.Form != nil {
		add([]Button{c.Form.Submit})
	}
	return out
}
