package main

import (
	"context"
	"log/slog"

	"github.com/qingchuan/xfbot"
)

// NameConfig is one record of the registry (名录) as the config writes it:
// units:, areas: (街道 and 镇) and categories: are loaded into Redis on the
// first start, when the deployment has no registry yet; afterwards admins
// keep it with 单位/属地/类别 添加, 别名, 改名.
type NameConfig struct {
	Name    string   `yaml:"name"`
	Kind    string   `yaml:"kind"` // units: 区直部门, 街道, 镇, 市直单位, 专班, 其他 ("" guesses from the name)
	Aliases []string `yaml:"aliases"`
}

// validateRegistry checks the lists as the registry would take them: a
// kind it knows, every name and alias belonging to one record only.
func (c Config) validateRegistry(bad func(path, format string, args ...any)) {
	r := &xfbot.Registry{}
	for _, l := range []struct {
		path string
		kind xfbot.RegKind
		ns   []NameConfig
	}{{"units", xfbot.RegUnit, c.Units}, {"areas", xfbot.RegArea, c.Areas}, {"categories", xfbot.RegCategory, c.Categories}} {
		for i, n := range l.ns {
			var kind xfbot.UnitKind
			if n.Kind != "" {
				k, ok := xfbot.ParseUnitKind(n.Kind)
				if !ok || l.kind == xfbot.RegCategory {
					bad(l.path, "第%d项（%s）的 kind “%s” 不认识，可写：区直部门、街道、镇、市直单位、专班、其他 / unknown kind", i+1, n.Name, n.Kind)
					continue
				}
				kind = k
			}
			if l.kind == xfbot.RegCategory {
				if _, ok, _ := r.Resolve(xfbot.RegCategory, n.Name); ok {
					continue // a default category named again: its aliases are added (SeedCategories)
				}
			}
			if _, err := r.Add(l.kind, n.Name, kind, n.Aliases); err != nil {
				bad(l.path, "第%d项：%s", i+1, xfbot.ErrorMessage(err))
			}
		}
	}
}

// registrySeed is the config's registry as records.
func (c Config) registrySeed() (units, categories []xfbot.RegEntry) {
	for _, l := range []struct {
		ns   []NameConfig
		area bool
	}{{c.Units, false}, {c.Areas, true}} {
		for _, n := range l.ns {
			kind, _ := xfbot.ParseUnitKind(n.Kind)
			if kind == "" {
				kind = xfbot.GuessUnitKind(n.Name)
				if l.area && !kind.Locality() {
					kind = xfbot.UnitSubdist
				}
			}
			units = append(units, xfbot.RegEntry{Name: n.Name, Kind: kind, Aliases: n.Aliases})
		}
	}
	for _, n := range c.Categories {
		categories = append(categories, xfbot.RegEntry{Name: n.Name, Aliases: n.Aliases})
	}
	return units, categories
}

// seedRegistry writes the registry on the first start: the config's lists,
// then the units the ledger already names. A deployment with neither keeps
// names as written until an admin registers the first unit.
func (a *app) seedRegistry(ctx context.Context, cfg Config, log *slog.Logger) error {
	units, cats := cfg.registrySeed()
	wrote, n, err := a.store.SeedRegistry(ctx, units, cats)
	if err != nil {
		return err
	}
	if wrote {
		log.Info("registry seeded on first start", "units", n)
	}
	// Liaisons' units under every name the registry knows (改名, 合并).
	moved, err := a.store.SyncMemberUnits(ctx)
	if err != nil {
		return err
	}
	if moved > 0 {
		log.Info("member units brought up to date with the registry", "members", moved)
	}
	return nil
}
