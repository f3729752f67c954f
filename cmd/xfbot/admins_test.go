package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/qingchuan/xfbot/bot/larktest"
)

func TestNoAdminsWarned(t *testing.T) {
	t.Run("Serve", func(t *testing.T) {
		for _, tt := range []struct {
			name   string
			admins string
			warned bool
		}{
			{"Empty", "", true},
			{"Set", "ou_lead", false},
		} {
			t.Run(tt.name, func(t *testing.T) {
				appID := uniqueAppID()
				fake := larktest.NewServer(larktest.WithApp(appID, e2eSecret))
				defer fake.Close()
				env := serveEnv(t, fake, appID)
				env["XFBOT_ADMINS"] = tt.admins
				p := startServe(t, env)
				if err := p.Stop(); err != nil {
					t.Fatal(err)
				}
				logs := p.Logs.String()
				if got := strings.Contains(logs, "admins 为空") && strings.Contains(logs, "XFBOT_ADMINS"); got != tt.warned {
					t.Errorf("warned %v, want %v; log:\n%s", got, tt.warned, logs)
				}
				if tt.warned && strings.Count(logs, "admins 为空") != 1 {
					t.Errorf("warned %d times, want once", strings.Count(logs, "admins 为空"))
				}
			})
		}
	})
	t.Run("Console", func(t *testing.T) {
		for _, tt := range []struct {
			name   string
			env    []string
			hinted bool
		}{
			{"Empty", nil, true},
			{"Set", []string{"XFBOT_ADMINS=ou_lead"}, false},
		} {
			t.Run(tt.name, func(t *testing.T) {
				var out, errOut strings.Builder
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				defer cancel()
				// The console's own user is an admin either way: 成员 添加 works.
				in := strings.NewReader("成员 添加 @王五 专班成员\n")
				if err := run(ctx, []string{"console"}, in, &out, &errOut, tt.env); err != nil {
					t.Fatalf("console: %v\n%s", err, errOut.String())
				}
				if got := strings.Contains(out.String(), "XFBOT_ADMINS="); got != tt.hinted {
					t.Errorf("hinted %v, want %v:\n%s", got, tt.hinted, out.String())
				}
				if !strings.Contains(out.String(), "王五") || strings.Contains(out.String(), "只有专班管理员") {
					t.Errorf("the console user could not add a member:\n%s", out.String())
				}
			})
		}
	})
}
