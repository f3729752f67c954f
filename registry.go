package xfbot

import (
	"slices"
	"sort"
	"strings"
	"unicode"
)

// The registry (名录) holds the names the ledger counts by: units (主责单位:
// 区直部门, 街道, 镇, 市直单位, "1+6"专班 …), the localities among them (属地:
// the 街道 and 镇) and categories (类别). Each record has one canonical name
// and aliases; a typed name is resolved to its record (exact, alias, then
// suggestions), so that statistics never split on spelling and no new
// spelling is stored. A rename keeps the old name as the record's former
// name: cases and counters written under it stay the record's.

// RegKind is what a name is looked up as.
type RegKind int

const (
	RegUnit     RegKind = iota // 主责单位: any unit record
	RegArea                    // 属地: the unit records of a locality kind (街道, 镇)
	RegCategory                // 类别
)

// Noun is the Chinese name of k, as replies say it.
func (k RegKind) Noun() string {
	switch k {
	case RegArea:
		return "属地"
	case RegCategory:
		return "类别"
	}
	return "单位"
}

// UnitKind is the kind of a unit record (petition-domain §3.8).
type UnitKind string

const (
	UnitDept     UnitKind = "区直部门"
	UnitSubdist  UnitKind = "街道"
	UnitTown     UnitKind = "镇"
	UnitCity     UnitKind = "市直单位"
	UnitTaskLead UnitKind = "专班" // "1+6"专班
	UnitOther    UnitKind = "其他"
)

// UnitKinds lists the kinds, in display order.
var UnitKinds = []UnitKind{UnitDept, UnitSubdist, UnitTown, UnitCity, UnitTaskLead, UnitOther}

// Locality reports whether units of kind k are localities (属地).
func (k UnitKind) Locality() bool { return k == UnitSubdist || k == UnitTown }

// ParseUnitKind accepts a kind's name and the words people use for it.
func ParseUnitKind(s string) (UnitKind, bool) {
	switch strings.TrimSpace(Normalize(s)) {
	case "区直部门", "区直", "部门", "区直单位":
		return UnitDept, true
	case "街道", "街道办":
		return UnitSubdist, true
	case "镇", "乡", "乡镇":
		return UnitTown, true
	case "市直单位", "市直", "市直部门":
		return UnitCity, true
	case "专班", "1+6专班", "1+6", "“1+6”专班", "\"1+6\"专班":
		return UnitTaskLead, true
	case "其他", "其它":
		return UnitOther, true
	}
	return "", false
}

// GuessUnitKind is the kind a unit's name suggests, when none is written.
func GuessUnitKind(name string) UnitKind {
	switch {
	case strings.HasSuffix(name, "街道"):
		return UnitSubdist
	case strings.HasSuffix(name, "镇") || strings.HasSuffix(name, "乡"):
		return UnitTown
	case strings.Contains(name, "专班"):
		return UnitTaskLead
	case strings.HasPrefix(name, "市"):
		return UnitCity
	case strings.HasPrefix(name, "区"):
		return UnitDept
	}
	return UnitOther
}

// RegEntry is one record of the registry.
type RegEntry struct {
	Name    string   `json:"n"`           // canonical name, what new cases store
	Kind    UnitKind `json:"k,omitempty"` // units only
	Code    Category `json:"c,omitempty"` // categories only: what cases store
	Aliases []string `json:"al,omitempty"`
	// Former are names the record had before 改名; cases and figures
	// written under them are the record's.
	Former []string `json:"f,omitempty"`
}

// Names are the names cases of this record may be stored under: the
// canonical name, then the former ones.
func (e RegEntry) Names() []string { return append([]string{e.Name}, e.Former...) }

// Value is what a case stores for the record: the code of a category, the
// canonical name of a unit.
func (e RegEntry) Value() string {
	if e.Code != "" {
		return string(e.Code)
	}
	return e.Name
}

// Registry is the whole registry of one deployment. Version is the store's
// (a write checks it); the zero Registry has no units and the default
// categories (DefaultCategories).
type Registry struct {
	Units      []RegEntry `json:"u,omitempty"`
	Categories []RegEntry `json:"c,omitempty"`
	Version    int64      `json:"ver"` // last: the store checks it at the end of the record
}

// DefaultCategories are the categories of petition-domain §3.3 with the
// words people type for them: the registry's seed.
func DefaultCategories() []RegEntry {
	alias := map[Category][]string{
		"land_demolition":        {"征地", "拆迁", "征收", "拆迁安置"},
		"labor_social":           {"劳动", "社保", "劳动争议", "欠薪", "讨薪", "工伤"},
		"law_litigation":         {"涉法", "涉诉", "涉法涉诉类"},
		"urban_mgmt":             {"城建", "城管", "城市管理"},
		"edu_medical":            {"教育", "医疗", "医患"},
		"rural_agri":             {"农村", "农业", "三农"},
		"environment":            {"环境", "环保", "污染"},
		"enterprise_restructure": {"企业", "改制", "国企改制"},
		"housing":                {"住房", "保障房", "公租房"},
		"other":                  {"其它"},
	}
	out := make([]RegEntry, len(Categories))
	for i, c := range Categories {
		out[i] = RegEntry{Name: c.Label, Code: c.Code, Aliases: alias[c.Code]}
	}
	return out
}

// Open reports whether names of kind k are taken as written: a deployment
// whose registry has no unit at all (a fresh one without config, whose
// ledger named none) keeps the free text it had, until an admin registers
// the first unit (单位 添加) or the config seeds it. Categories always have
// records.
//
// Localities are open the same way while no unit of a locality kind (街道,
// 镇) is registered: a registry of departments only does not refuse every
// 属地.
func (r *Registry) Open(k RegKind) bool {
	switch k {
	case RegCategory:
		return false
	case RegArea:
		return len(r.Entries(RegArea)) == 0
	}
	return len(r.Units) == 0
}

func (r *Registry) list(k RegKind) []RegEntry {
	if k == RegCategory {
		if len(r.Categories) == 0 {
			return DefaultCategories()
		}
		return r.Categories
	}
	return r.Units
}

// Entries lists the records of kind k (the localities only for RegArea),
// in registry order.
func (r *Registry) Entries(k RegKind) []RegEntry {
	var out []RegEntry
	for _, e := range r.list(k) {
		if k != RegArea || e.Kind.Locality() {
			out = append(out, e)
		}
	}
	return out
}

// regKey is a name as compared: full-width folded, spaces, quotes and
// punctuation dropped, ASCII lower-cased.
func regKey(s string) string {
	var b strings.Builder
	for _, r := range Normalize(s) {
		switch {
		case unicode.IsSpace(r), unicode.IsPunct(r) && r != '+', r == '“' || r == '”':
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// stripLevel drops the 区/市 of a unit's name (区住建局 → 住建局).
func stripLevel(k string) string {
	for _, p := range []string{"青川区", "区", "市"} {
		if rest, ok := strings.CutPrefix(k, p); ok && rest != "" {
			return rest
		}
	}
	return k
}

// stripPlace drops a locality's 街道/镇/乡 (河口街道 → 河口).
func stripPlace(k string) string {
	for _, s := range []string{"街道办事处", "街道办", "街道", "镇", "乡"} {
		if rest, ok := strings.CutSuffix(k, s); ok && rest != "" {
			return rest
		}
	}
	return k
}

// Resolve finds the record a typed name means: by its name, a former name
// or an alias (spaces, full width and punctuation aside); for a unit, also
// without its 区/市 when exactly one record fits (住建局 → 区住建局). Else
// it returns up to three suggestions, nearest first: names that contain
// or are contained in what was typed, a locality under its other suffix
// (河口镇 → 河口街道, never taken silently), and close spellings.
func (r *Registry) Resolve(k RegKind, typed string) (RegEntry, bool, []string) {
	key := regKey(typed)
	es := r.Entries(k)
	if key == "" {
		return RegEntry{}, false, nil
	}
	for _, e := range es {
		for _, n := range append(e.Names(), e.Aliases...) {
			if regKey(n) == key {
				return e, true, nil
			}
		}
		if e.Code != "" && string(e.Code) == strings.ToLower(strings.TrimSpace(Normalize(typed))) {
			return e, true, nil
		}
	}
	if k != RegCategory && stripLevel(key) == key {
		// 住建局 for 区住建局: the level omitted, when one record fits.
		var hit []RegEntry
		for _, e := range es {
			for _, n := range append(e.Names(), e.Aliases...) {
				if stripLevel(regKey(n)) == key {
					hit = append(hit, e)
					break
				}
			}
		}
		if len(hit) == 1 {
			return hit[0], true, nil
		}
	}
	type cand struct {
		name string
		d    int
	}
	var cs []cand
	rk := []rune(key)
	for _, e := range es {
		best := -1
		for _, n := range append(e.Names(), e.Aliases...) {
			nk := regKey(n)
			d := -1
			if sp, spn := stripPlace(key), stripPlace(nk); k != RegCategory && sp == spn && (sp != key || spn != nk) {
				d = 1 // 河口镇 or 河口 for 河口街道: asked, never taken
			}
			if d < 0 && len(rk) >= 2 && (strings.Contains(nk, key) || strings.Contains(key, nk)) {
				d = 2 + abs(len([]rune(nk))-len(rk))
			}
			if d < 0 && k != RegCategory && stripLevel(nk) == stripLevel(key) {
				d = 1 // 市住建局 for 区住建局: another level is another unit, asked
			}
			if d < 0 {
				ed := EditDistance(key, nk)
				limit := 1 // 区税务局 is not 区住建局: two of four characters
				if len(rk) >= 6 {
					limit = 2
				}
				if ed <= limit {
					d = 2 + ed
				}
			}
			if d >= 0 && (best < 0 || d < best) {
				best = d
			}
		}
		if best >= 0 {
			cs = append(cs, cand{e.Name, best})
		}
	}
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].d < cs[j].d })
	var out []string
	for _, c := range cs {
		if len(out) == 3 {
			break
		}
		out = append(out, c.name)
	}
	return RegEntry{}, false, out
}

// Check resolves a typed name for storing: the record's Value (a unit's
// canonical name, a category's code). In an open registry (Open) a unit or
// locality is taken as written. A name that fits no record is refused with
// the suggestions and how to register one.
func (r *Registry) Check(k RegKind, typed string) (string, error) {
	name := CleanText(typed)
	if name == "" {
		return "", Errorf(EINVALID, "%s不能为空。", k.Noun())
	}
	if RuneLen(name) > MaxFieldRunes {
		return "", Errorf(EINVALID, "%s名称太长（%d 字），请控制在 %d 字以内。", k.Noun(), RuneLen(name), MaxFieldRunes)
	}
	if r.Open(k) {
		return name, nil
	}
	e, ok, sug := r.Resolve(k, name)
	if ok {
		return e.Value(), nil
	}
	return "", r.Unknown(k, name, sug)
}

// Unknown is the refusal of a name that fits no record of kind k.
func (r *Registry) Unknown(k RegKind, typed string, sug []string) error {
	noun := k.Noun()
	msg := "没有名为“" + Echo(typed, 20) + "”的" + noun + "。"
	if len(sug) > 0 {
		msg += "您是不是要找：" + strings.Join(sug, "、") + "？"
	}
	if k == RegCategory {
		names := make([]string, 0, len(r.list(k)))
		for _, e := range r.list(k) {
			names = append(names, e.Name)
		}
		msg += "可选：" + strings.Join(names, "、") + "。管理员可用“类别 添加”登记新类别。"
		return Errorf(EINVALID, "%s", msg)
	}
	return Errorf(EINVALID, "%s可用“%s 列表”查看，管理员可用“%s 添加”登记。", msg, noun, noun)
}

// Find returns the record whose canonical or former name (as stored on
// cases) is name exactly.
func (r *Registry) Find(k RegKind, name string) (RegEntry, bool) {
	for _, e := range r.Entries(k) {
		if slices.Contains(e.Names(), name) || (e.Code != "" && string(e.Code) == name) {
			return e, true
		}
	}
	return RegEntry{}, false
}

// NamesOf are the names cases of the unit stored as name may carry: all
// names of its record, or name alone when no record has it.
func (r *Registry) NamesOf(name string) []string {
	if e, ok := r.Find(RegUnit, name); ok {
		return e.Names()
	}
	return []string{name}
}

// SetUnitNames brings m's unit up to date with its record: the current
// name as Unit and the record's other names as UnitFormer, so that
// Member.InUnit answers for every name the unit's cases carry. A unit no
// record has keeps its name and no former ones. It reports whether m
// changed (the member record must then be written).
func (r *Registry) SetUnitNames(m *Member) bool {
	if m.Unit == "" {
		if len(m.UnitFormer) == 0 {
			return false
		}
		m.UnitFormer = nil
		return true
	}
	var unit string
	var former []string
	if e, ok := r.Find(RegUnit, m.Unit); ok {
		unit, former = e.Name, slices.Clone(e.Former)
	} else if len(r.Units) == 0 {
		return false // no registry yet: names are as typed
	} else {
		unit = m.Unit
	}
	if len(former) == 0 {
		former = nil
	}
	if unit == m.Unit && slices.Equal(former, m.UnitFormer) {
		return false
	}
	m.Unit, m.UnitFormer = unit, former
	return true
}

// Canonical is the record's current name for a unit stored as name (a
// former name after 改名 or 合并); name itself when no record has it, or r
// is nil.
func (r *Registry) Canonical(name string) string {
	if r == nil {
		return name
	}
	if e, ok := r.Find(RegUnit, name); ok {
		return e.Name
	}
	return name
}

// taken reports which record, if any, already answers to key.
func (r *Registry) taken(k RegKind, key string) (RegEntry, bool) {
	for _, e := range r.list(k) {
		for _, n := range append(e.Names(), e.Aliases...) {
			if regKey(n) == key {
				return e, true
			}
		}
	}
	return RegEntry{}, false
}

func (r *Registry) checkFree(k RegKind, names ...string) error {
	for _, n := range names {
		if n == "" {
			return Errorf(EINVALID, "名称不能为空。")
		}
		if RuneLen(n) > MaxFieldRunes {
			return Errorf(EINVALID, "名称“%s”太长，请控制在 %d 字以内。", Echo(n, 20), MaxFieldRunes)
		}
		if e, ok := r.taken(k, regKey(n)); ok {
			if e.Name == n {
				return Errorf(EINVALID, "“%s”已经登记过了。", n)
			}
			return Errorf(EINVALID, "“%s”已经是%s“%s”的名称或别名。", Echo(n, 20), k.Noun(), e.Name)
		}
	}
	return nil
}

// Add registers a new record: a unit (kind "" guesses it from the name) or a
// category (its code is its name). A name or alias that an existing
// record already answers to is refused.
func (r *Registry) Add(k RegKind, name string, kind UnitKind, aliases []string) (RegEntry, error) {
	name = CleanText(name)
	aliases = cleanNames(aliases)
	if err := r.checkFree(k, append([]string{name}, aliases...)...); err != nil {
		return RegEntry{}, err
	}
	if dup := dupKey(append([]string{name}, aliases...)); dup != "" {
		return RegEntry{}, Errorf(EINVALID, "“%s”写了两次。", Echo(dup, 20))
	}
	e := RegEntry{Name: name, Aliases: aliases}
	if k == RegCategory {
		if len(r.Categories) == 0 {
			r.Categories = DefaultCategories()
		}
		e.Code = Category(name)
		r.Categories = append(r.Categories, e)
		return e, nil
	}
	if kind == "" {
		kind = GuessUnitKind(name)
		if k == RegArea && !kind.Locality() {
			kind = UnitSubdist
		}
	}
	if k == RegArea && !kind.Locality() {
		return RegEntry{}, Errorf(EINVALID, "属地是街道或镇，“%s”不是。", kind)
	}
	e.Kind = kind
	r.Units = append(r.Units, e)
	return e, nil
}

// AddAliases adds aliases to the record a typed name resolves to.
func (r *Registry) AddAliases(k RegKind, typed string, aliases []string) (RegEntry, error) {
	i, err := r.index(k, typed)
	if err != nil {
		return RegEntry{}, err
	}
	aliases = cleanNames(aliases)
	if len(aliases) == 0 {
		return RegEntry{}, Errorf(EINVALID, "请写要添加的别名。")
	}
	if err := r.checkFree(k, aliases...); err != nil {
		return RegEntry{}, err
	}
	if dup := dupKey(aliases); dup != "" {
		return RegEntry{}, Errorf(EINVALID, "“%s”写了两次。", Echo(dup, 20))
	}
	l := r.ptr(k)
	(*l)[i].Aliases = append((*l)[i].Aliases, aliases...)
	return (*l)[i], nil
}

// Rename gives the record a typed name resolves to a new canonical name; the
// old one becomes a former name, so that its cases and figures stay the
// record's. Categories keep their code: only the label changes.
func (r *Registry) Rename(k RegKind, typed, name string) (old RegEntry, e RegEntry, err error) {
	i, err := r.index(k, typed)
	if err != nil {
		return RegEntry{}, RegEntry{}, err
	}
	name = CleanText(name)
	l := r.ptr(k)
	old = (*l)[i]
	if other, ok := r.taken(k, regKey(name)); ok && other.Name != old.Name {
		return RegEntry{}, RegEntry{}, Errorf(EINVALID, "“%s”已经是%s“%s”的名称或别名。", Echo(name, 20), k.Noun(), other.Name)
	}
	if name == old.Name {
		return RegEntry{}, RegEntry{}, Errorf(EINVALID, "%s的名称已经是“%s”。", k.Noun(), name)
	}
	if name == "" || RuneLen(name) > MaxFieldRunes {
		return RegEntry{}, RegEntry{}, Errorf(EINVALID, "新名称应为 1 到 %d 个字。", MaxFieldRunes)
	}
	e = old
	e.Former = append(slices.Clone(old.Former), old.Name)
	e.Former = slices.DeleteFunc(e.Former, func(s string) bool { return s == name })
	e.Aliases = slices.DeleteFunc(slices.Clone(old.Aliases), func(s string) bool { return regKey(s) == regKey(name) })
	e.Name = name
	(*l)[i] = e
	return old, e, nil
}

// Merge folds the record typed as from into the one typed as into: two
// records that are one unit (seeded from two spellings of the ledger
// before the registry, 住建局 beside 区住建局). from's names become former
// names of into, so its cases, 督查单 and figures are into's from now on,
// and its aliases become into's; from's record is gone. Categories are not
// merged (a case stores a category's code, which a merge would have to
// rewrite on every case).
func (r *Registry) Merge(k RegKind, from, into string) (gone RegEntry, e RegEntry, err error) {
	if k == RegCategory {
		return RegEntry{}, RegEntry{}, Errorf(EINVALID, "类别不能合并：案件记录的是类别代码。可把一个类别的写法登记为另一个的别名：类别 别名 <类别> <写法>。")
	}
	i, err := r.index(k, from)
	if err != nil {
		return RegEntry{}, RegEntry{}, err
	}
	j, err := r.index(k, into)
	if err != nil {
		return RegEntry{}, RegEntry{}, err
	}
	l := r.ptr(k)
	gone, e = (*l)[i], (*l)[j]
	if i == j {
		return RegEntry{}, RegEntry{}, Errorf(EINVALID, "“%s”和“%s”是同一个%s（%s），不用合并。", Echo(from, 20), Echo(into, 20), k.Noun(), e.Name)
	}
	e.Former = append(slices.Clone(e.Former), gone.Names()...)
	for _, a := range gone.Aliases {
		if !slices.ContainsFunc(append(e.Names(), e.Aliases...), func(s string) bool { return regKey(s) == regKey(a) }) {
			e.Aliases = append(e.Aliases, a)
		}
	}
	(*l)[j] = e
	*l = slices.Delete(*l, i, i+1)
	return gone, e, nil
}

func (r *Registry) ptr(k RegKind) *[]RegEntry {
	if k == RegCategory {
		if len(r.Categories) == 0 {
			r.Categories = DefaultCategories()
		}
		return &r.Categories
	}
	return &r.Units
}

// index finds the record a typed name resolves to, by position.
func (r *Registry) index(k RegKind, typed string) (int, error) {
	e, ok, sug := r.Resolve(k, typed)
	if !ok {
		return 0, r.Unknown(k, typed, sug)
	}
	for i, x := range *r.ptr(k) {
		if x.Name == e.Name {
			return i, nil
		}
	}
	return 0, r.Unknown(k, typed, sug)
}

// Seed adds the units named, each unless some record already answers to
// it (first start: the config's, the demo's and the names already used).
// It reports how many it added.
func (r *Registry) Seed(es []RegEntry) int {
	n := 0
	for _, e := range es {
		e.Name = CleanText(e.Name)
		if e.Name == "" {
			continue
		}
		if _, ok := r.taken(RegUnit, regKey(e.Name)); ok {
			continue
		}
		var al []string
		for _, a := range cleanNames(e.Aliases) {
			if _, ok := r.taken(RegUnit, regKey(a)); !ok && regKey(a) != regKey(e.Name) && !slices.Contains(al, a) {
				al = append(al, a)
			}
		}
		e.Aliases = al
		if e.Kind == "" {
			e.Kind = GuessUnitKind(e.Name)
		}
		r.Units = append(r.Units, e)
		n++
	}
	return n
}

// SeedCategories adds categories (with aliases) the way Seed adds units,
// on top of the defaults.
func (r *Registry) SeedCategories(es []RegEntry) int {
	if len(r.Categories) == 0 {
		r.Categories = DefaultCategories()
	}
	n := 0
	for _, e := range es {
		e.Name = CleanText(e.Name)
		if e.Name == "" {
			continue
		}
		if got, ok := r.taken(RegCategory, regKey(e.Name)); ok {
			// A default named again: its aliases are added.
			for i := range r.Categories {
				if r.Categories[i].Name == got.Name {
					for _, a := range cleanNames(e.Aliases) {
						if _, t := r.taken(RegCategory, regKey(a)); !t {
							r.Categories[i].Aliases = append(r.Categories[i].Aliases, a)
						}
					}
				}
			}
			continue
		}
		if e.Code == "" {
			e.Code = Category(e.Name)
		}
		var al []string
		for _, a := range cleanNames(e.Aliases) {
			if _, t := r.taken(RegCategory, regKey(a)); !t {
				al = append(al, a)
			}
		}
		e.Aliases = al
		r.Categories = append(r.Categories, e)
		n++
	}
	return n
}

func cleanNames(ns []string) []string {
	var out []string
	for _, n := range ns {
		for _, p := range strings.FieldsFunc(Normalize(n), func(r rune) bool { return r == ',' || r == '、' || r == '，' || r == ';' || r == '；' }) {
			if p = CleanText(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

func dupKey(ns []string) string {
	seen := map[string]bool{}
	for _, n := range ns {
		k := regKey(n)
		if seen[k] {
			return n
		}
		seen[k] = true
	}
	return ""
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// EditDistance is the Levenshtein distance between a and b, by character:
// how near a typed word is to a name (the registry's suggestions, the mux's
// "did you mean" for a command word).
func EditDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			c := 1
			if ra[i-1] == rb[j-1] {
				c = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+c)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
