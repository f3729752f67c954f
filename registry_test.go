package xfbot_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/qingchuan/xfbot"
)

// testRegistry is the 青川区 registry of petition-domain §5 (虚构数据).
func testRegistry(t *testing.T) *xfbot.Registry {
	t.Helper()
	r := &xfbot.Registry{}
	n := r.Seed([]xfbot.RegEntry{
		{Name: "区住建局", Aliases: []string{"住建"}},
		{Name: "区人社局"},
		{Name: "市人社局"},
		{Name: "区城管局", Aliases: []string{"综合执法局"}},
		{Name: "河口街道"},
		{Name: "青峰镇"},
		{Name: "云溪街道"},
		{Name: "住房保障专班"},
	})
	if n != 8 {
		t.Fatalf("Seed added %d, want 8", n)
	}
	return r
}

func TestRegistryResolve(t *testing.T) {
	r := testRegistry(t)
	tests := []struct {
		name  string
		kind  xfbot.RegKind
		typed string
		want  string   // the record, "" for none
		sug   []string // suggestions when none
	}{
		{"Exact", xfbot.RegUnit, "区住建局", "区住建局", nil},
		{"FullWidthAndSpaces", xfbot.RegUnit, " 区 住建局　", "区住建局", nil},
		{"Alias", xfbot.RegUnit, "综合执法局", "区城管局", nil},
		{"LevelOmitted", xfbot.RegUnit, "住建局", "区住建局", nil},
		{"LevelOmittedAmbiguous", xfbot.RegUnit, "人社局", "", []string{"区人社局", "市人社局"}},
		{"OtherLevelIsAnotherUnit", xfbot.RegUnit, "市住建局", "", []string{"区住建局"}},
		{"Contained", xfbot.RegUnit, "住建局局", "", []string{"区住建局"}},
		{"TownForSubdistrictAsked", xfbot.RegArea, "河口镇", "", []string{"河口街道"}},
		{"StemAsked", xfbot.RegArea, "河口", "", []string{"河口街道"}},
		{"AreaIsLocalityOnly", xfbot.RegArea, "区住建局", "", nil},
		{"UnitMayBeLocality", xfbot.RegUnit, "青峰镇", "青峰镇", nil},
		{"Typo", xfbot.RegUnit, "区城管句", "", []string{"区城管局"}},
		{"Nothing", xfbot.RegUnit, "区税务局", "", nil},
		{"Empty", xfbot.RegUnit, "  ", "", nil},
		{"CategoryAlias", xfbot.RegCategory, "劳动争议", "劳动社保", nil},
		{"CategoryPrefixAlias", xfbot.RegCategory, "征地", "征地拆迁", nil},
		{"CategoryCode", xfbot.RegCategory, "labor_social", "劳动社保", nil},
		{"CategoryUnknown", xfbot.RegCategory, "住房问题", "", []string{"住房保障"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, ok, sug := r.Resolve(tt.kind, tt.typed)
			if got := map[bool]string{true: e.Name}[ok]; got != tt.want {
				t.Errorf("Resolve(%q) = %q, %v; want %q", tt.typed, e.Name, ok, tt.want)
			}
			if !ok && !slices.Equal(sug, tt.sug) {
				t.Errorf("Resolve(%q) suggests %q, want %q", tt.typed, sug, tt.sug)
			}
		})
	}
}

func TestRegistryCheck(t *testing.T) {
	r := testRegistry(t)
	tests := []struct {
		name    string
		kind    xfbot.RegKind
		typed   string
		want    string
		wantErr string
	}{
		{"Unit", xfbot.RegUnit, "住建局", "区住建局", ""},
		{"CategoryStoresCode", xfbot.RegCategory, "劳动争议", "labor_social", ""},
		{"UnknownWithSuggestion", xfbot.RegUnit, "住建厅", "", "没有名为“住建厅”的单位。您是不是要找：区住建局？可用“单位 列表”查看，管理员可用“单位 添加”登记。"},
		{"UnknownArea", xfbot.RegArea, "河口镇", "", "没有名为“河口镇”的属地。您是不是要找：河口街道？可用“属地 列表”查看，管理员可用“属地 添加”登记。"},
		{"UnknownNoSuggestion", xfbot.RegUnit, "区税务局", "", "没有名为“区税务局”的单位。可用“单位 列表”查看，管理员可用“单位 添加”登记。"},
		{"Empty", xfbot.RegUnit, "", "", "单位不能为空。"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := r.Check(tt.kind, tt.typed)
			if msg := xfbot.ErrorMessage(err); msg != tt.wantErr || got != tt.want {
				t.Errorf("Check(%q) = %q, %q; want %q, %q", tt.typed, got, msg, tt.want, tt.wantErr)
			}
		})
	}
	t.Run("OpenRegistryTakesNamesAsWritten", func(t *testing.T) {
		var empty xfbot.Registry
		if got, err := empty.Check(xfbot.RegUnit, " 区住建局 "); err != nil || got != "区住建局" {
			t.Errorf("open registry: %q, %v", got, err)
		}
		if _, err := empty.Check(xfbot.RegCategory, "住房问题"); err == nil {
			t.Error("categories are never open")
		}
	})
}

func TestRegistryWrites(t *testing.T) {
	t.Run("AddRefusesTakenNames", func(t *testing.T) {
		r := testRegistry(t)
		for _, tt := range []struct{ name, alias, want string }{
			{"区住建局", "", "“区住建局”已经登记过了。"},
			{"区 住建局", "", "“区 住建局”已经是单位“区住建局”的名称或别名。"},
			{"区税务局", "住建", "“住建”已经是单位“区住建局”的名称或别名。"},
			{"区税务局", "税务,税务", "“税务”写了两次。"},
		} {
			var al []string
			if tt.alias != "" {
				al = []string{tt.alias}
			}
			if _, err := r.Add(xfbot.RegUnit, tt.name, "", al); xfbot.ErrorMessage(err) != tt.want {
				t.Errorf("Add(%q, %q) = %q, want %q", tt.name, tt.alias, xfbot.ErrorMessage(err), tt.want)
			}
		}
	})
	t.Run("AddGuessesKind", func(t *testing.T) {
		r := testRegistry(t)
		for name, want := range map[string]xfbot.UnitKind{"白沙镇": xfbot.UnitTown, "新港街道": xfbot.UnitSubdist, "市住建委": xfbot.UnitCity, "区教育局": xfbot.UnitDept, "拆迁安置专班": xfbot.UnitTaskLead} {
			e, err := r.Add(xfbot.RegUnit, name, "", nil)
			if err != nil || e.Kind != want {
				t.Errorf("Add(%q) = %v, %v; want kind %s", name, e.Kind, err, want)
			}
		}
		if _, err := r.Add(xfbot.RegArea, "区教育局2", xfbot.UnitDept, nil); xfbot.ErrorMessage(err) != "属地是街道或镇，“区直部门”不是。" {
			t.Errorf("area of a department: %v", err)
		}
	})
	t.Run("RenameKeepsFormerName", func(t *testing.T) {
		r := testRegistry(t)
		old, e, err := r.Rename(xfbot.RegUnit, "住建局", "区住房和城乡建设局")
		if err != nil {
			t.Fatal(err)
		}
		if old.Name != "区住建局" || e.Name != "区住房和城乡建设局" || !slices.Equal(e.Former, []string{"区住建局"}) {
			t.Fatalf("renamed %+v → %+v", old, e)
		}
		for _, typed := range []string{"区住建局", "住建", "区住房和城乡建设局"} {
			if got, err := r.Check(xfbot.RegUnit, typed); got != "区住房和城乡建设局" {
				t.Errorf("after rename Check(%q) = %q, %v", typed, got, err)
			}
		}
		if got := r.NamesOf("区住建局"); !slices.Equal(got, []string{"区住房和城乡建设局", "区住建局"}) {
			t.Errorf("NamesOf = %q", got)
		}
		if got := r.Canonical("区住建局"); got != "区住房和城乡建设局" {
			t.Errorf("Canonical = %q", got)
		}
		if _, _, err := r.Rename(xfbot.RegUnit, "区人社局", "区住建局"); xfbot.ErrorMessage(err) != "“区住建局”已经是单位“区住房和城乡建设局”的名称或别名。" {
			t.Errorf("rename onto a taken name: %v", err)
		}
	})
	t.Run("Aliases", func(t *testing.T) {
		r := testRegistry(t)
		if _, err := r.AddAliases(xfbot.RegUnit, "区人社局", []string{"人社，劳动监察"}); err != nil {
			t.Fatal(err)
		}
		if got, _ := r.Check(xfbot.RegUnit, "劳动监察"); got != "区人社局" {
			t.Errorf("alias not resolved: %q", got)
		}
		if _, err := r.AddAliases(xfbot.RegUnit, "区教育局", []string{"教育"}); xfbot.ErrorMessage(err) != "没有名为“区教育局”的单位。可用“单位 列表”查看，管理员可用“单位 添加”登记。" {
			t.Errorf("alias of nothing: %v", err)
		}
	})
	t.Run("CategoryAdded", func(t *testing.T) {
		r := testRegistry(t)
		if _, err := r.Add(xfbot.RegCategory, "物业纠纷", "", []string{"物业"}); err != nil {
			t.Fatal(err)
		}
		if got, _ := r.Check(xfbot.RegCategory, "物业"); got != "物业纠纷" {
			t.Errorf("category alias: %q", got)
		}
		if got, _ := r.Check(xfbot.RegCategory, "欠薪"); got != "labor_social" {
			t.Errorf("defaults kept: %q", got)
		}
	})
	t.Run("SeedSkipsKnown", func(t *testing.T) {
		r := testRegistry(t)
		if n := r.Seed([]xfbot.RegEntry{{Name: "区住建局"}, {Name: "住建"}, {Name: "区教育局"}}); n != 1 {
			t.Errorf("Seed added %d, want 1", n)
		}
	})
}

func TestRegistryMerge(t *testing.T) {
	t.Run("NamesAndAliasesMoveToTheKeptRecord", func(t *testing.T) {
		r := testRegistry(t)
		if _, _, err := r.Rename(xfbot.RegUnit, "区城管局", "区综合行政执法局"); err != nil {
			t.Fatal(err)
		}
		gone, e, err := r.Merge(xfbot.RegUnit, "区综合行政执法局", "住建")
		if err != nil {
			t.Fatal(err)
		}
		if gone.Name != "区综合行政执法局" || e.Name != "区住建局" {
			t.Fatalf("merged %+v into %+v", gone, e)
		}
		if want := []string{"区综合行政执法局", "区城管局"}; !slices.Equal(e.Former, want) {
			t.Errorf("Former = %q, want %q", e.Former, want)
		}
		if want := []string{"住建", "综合执法局"}; !slices.Equal(e.Aliases, want) {
			t.Errorf("Aliases = %q, want %q", e.Aliases, want)
		}
		if len(r.Units) != 7 {
			t.Errorf("%d units after a merge, want 7", len(r.Units))
		}
		for _, name := range []string{"区城管局", "区综合行政执法局", "综合执法局"} {
			if got, err := r.Check(xfbot.RegUnit, name); got != "区住建局" {
				t.Errorf("Check(%q) = %q, %v; want 区住建局", name, got, err)
			}
		}
		if got := r.Canonical("区城管局"); got != "区住建局" {
			t.Errorf("Canonical(区城管局) = %q", got)
		}
		if got := r.NamesOf("区住建局"); !slices.Equal(got, []string{"区住建局", "区综合行政执法局", "区城管局"}) {
			t.Errorf("NamesOf = %q", got)
		}
	})
	t.Run("Refusals", func(t *testing.T) {
		r := testRegistry(t)
		for _, tt := range []struct {
			k          xfbot.RegKind
			from, into string
			want       string
		}{
			{xfbot.RegUnit, "住建", "区住建局", "“住建”和“区住建局”是同一个单位（区住建局），不用合并。"},
			{xfbot.RegUnit, "区教育局", "区住建局", "没有名为“区教育局”的单位"},
			{xfbot.RegCategory, "劳动社保", "其他", "类别不能合并"},
		} {
			if _, _, err := r.Merge(tt.k, tt.from, tt.into); !strings.Contains(xfbot.ErrorMessage(err), tt.want) {
				t.Errorf("Merge(%q, %q) = %q, want %q", tt.from, tt.into, xfbot.ErrorMessage(err), tt.want)
			}
		}
		if len(r.Units) != 8 {
			t.Errorf("a refused merge changed the registry: %d units", len(r.Units))
		}
	})
}

func TestSetUnitNames(t *testing.T) {
	r := testRegistry(t)
	if _, _, err := r.Rename(xfbot.RegUnit, "区住建局", "区住房和城乡建设局"); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name      string
		m         xfbot.Member
		changed   bool
		unit      string
		former    []string
		in, notIn string
	}{
		{"FormerName", xfbot.Member{Unit: "区住建局"}, true, "区住房和城乡建设局", []string{"区住建局"}, "区住建局", "区人社局"},
		{"CurrentName", xfbot.Member{Unit: "区住房和城乡建设局"}, true, "区住房和城乡建设局", []string{"区住建局"}, "区住房和城乡建设局", ""},
		{"UpToDate", xfbot.Member{Unit: "区住房和城乡建设局", UnitFormer: []string{"区住建局"}}, false, "区住房和城乡建设局", []string{"区住建局"}, "区住建局", ""},
		{"NoFormerNames", xfbot.Member{Unit: "区人社局"}, false, "区人社局", nil, "区人社局", "区住建局"},
		{"NoRecord", xfbot.Member{Unit: "区教育局"}, false, "区教育局", nil, "区教育局", ""},
		{"StaleFormer", xfbot.Member{Unit: "区人社局", UnitFormer: []string{"区住建局"}}, true, "区人社局", nil, "区人社局", "区住建局"},
		{"NoUnit", xfbot.Member{}, false, "", nil, "", "区人社局"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m := tt.m
			if got := r.SetUnitNames(&m); got != tt.changed {
				t.Errorf("changed = %v, want %v", got, tt.changed)
			}
			if m.Unit != tt.unit || !slices.Equal(m.UnitFormer, tt.former) {
				t.Errorf("got %q %q, want %q %q", m.Unit, m.UnitFormer, tt.unit, tt.former)
			}
			if tt.in != "" && !m.InUnit(tt.in) {
				t.Errorf("InUnit(%q) = false", tt.in)
			}
			if m.InUnit(tt.notIn) {
				t.Errorf("InUnit(%q) = true", tt.notIn)
			}
		})
	}
}
