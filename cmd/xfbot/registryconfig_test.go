package main

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/internal/testredis"
	"github.com/qingchuan/xfbot/store"
)

func TestRegistryConfig(t *testing.T) {
	t.Run("Validate", func(t *testing.T) {
		for _, tt := range []struct {
			name  string
			edit  func(*Config)
			wants []string
		}{
			{"Valid", func(c *Config) {
				c.Units = []NameConfig{{Name: "区住建局", Kind: "区直部门", Aliases: []string{"住建局"}}}
				c.Areas = []NameConfig{{Name: "河口街道"}}
				c.Categories = []NameConfig{{Name: "劳动社保", Aliases: []string{"劳动纠纷"}}, {Name: "物业纠纷"}}
			}, nil},
			{"BadKind", func(c *Config) { c.Units = []NameConfig{{Name: "区住建局", Kind: "部委"}} }, []string{"units", "第1项（区住建局）的 kind “部委” 不认识"}},
			{"AreaNotLocality", func(c *Config) { c.Areas = []NameConfig{{Name: "区住建局", Kind: "区直部门"}} }, []string{"areas", "属地是街道或镇"}},
			{"SameNameTwice", func(c *Config) {
				c.Units = []NameConfig{{Name: "区住建局"}}
				c.Areas = []NameConfig{{Name: "河口街道", Aliases: []string{"区住建局"}}}
			}, []string{"areas", "第1项：“区住建局”已经登记过了。"}},
		} {
			t.Run(tt.name, func(t *testing.T) {
				c := DefaultConfig()
				tt.edit(&c)
				err := c.Validate()
				if tt.wants == nil {
					if err != nil {
						t.Fatalf("Validate: %v", err)
					}
					return
				}
				if err == nil {
					t.Fatal("Validate accepted it")
				}
				for _, w := range tt.wants {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q lacks %q", err, w)
					}
				}
			})
		}
	})
	t.Run("FromFileAndFirstStartOnly", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "c.yaml")
		yml := "units:\n  - name: 区住建局\n    kind: 区直部门\n    aliases: [住建局, 住建]\nareas:\n  - name: 河口街道\n    aliases: [河口]\ncategories:\n  - name: 劳动社保\n    aliases: [劳动纠纷]\n"
		if err := os.WriteFile(path, []byte(yml), 0o600); err != nil {
			t.Fatal(err)
		}
		cfg, err := LoadConfig(path, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := cfg.Validate(); err != nil {
			t.Fatal(err)
		}
		rdb, prefix := testredis.New(t)
		cfg.Redis.Prefix = prefix
		ctx := context.Background()
		log := slog.New(slog.NewTextHandler(io.Discard, nil))
		a := newApp(cfg, rdb, log, false)
		if err := a.seedRegistry(ctx, cfg, log); err != nil {
			t.Fatal(err)
		}
		r, err := a.store.Registry(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for typed, want := range map[string]string{"住建": "区住建局", "河口": "河口街道"} {
			if got, err := r.Check(xfbot.RegUnit, typed); got != want {
				t.Errorf("Check(%q) = %q, %v", typed, got, err)
			}
		}
		if got, _ := r.Check(xfbot.RegCategory, "劳动纠纷"); got != "labor_social" {
			t.Errorf("category alias = %q", got)
		}
		// A later start leaves what admins keep alone.
		cfg.Units = append(cfg.Units, NameConfig{Name: "区教育局"})
		if err := a.seedRegistry(ctx, cfg, log); err != nil {
			t.Fatal(err)
		}
		if r2, _ := store.New(rdb, prefix).Registry(ctx); len(r2.Units) != 2 {
			t.Errorf("second start changed the registry: %d units", len(r2.Units))
		}
	})
}
