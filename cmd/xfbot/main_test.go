package main

import (
	"context"
	"strings"
	"testing"
)

func TestHelp(t *testing.T) {
	// Everything the usage must name: every command and every flag.
	want := []string{"xfbot serve", "xfbot console", "xfbot schedule", "xfbot help", "-config", "-redis", "flags of serve",
		"flags of console", "flags of schedule", "XFBOT_ADMINS"}
	t.Run("PrintsEverythingAndSucceeds", func(t *testing.T) {
		for _, args := range [][]string{{"-h"}, {"--help"}, {"-help"}, {"help"}, {"serve", "-h"}, {"console", "--help"},
			{"schedule", "-h"}, {"serve", "-config", "x.yaml", "-h"}} {
			t.Run(strings.Join(args, "_"), func(t *testing.T) {
				var out, errOut strings.Builder
				if err := run(context.Background(), args, strings.NewReader(""), &out, &errOut, nil); err != nil {
					t.Fatalf("xfbot %s: %v; want exit 0", strings.Join(args, " "), err)
				}
				for _, w := range want {
					if !strings.Contains(out.String(), w) {
						t.Errorf("usage lacks %q:\n%s", w, out.String())
					}
				}
				if errOut.Len() != 0 {
					t.Errorf("help wrote to stderr: %q", errOut.String())
				}
			})
		}
	})
	t.Run("BadUseFails", func(t *testing.T) {
		for _, tt := range []struct {
			args []string
			err  string
		}{
			{[]string{"serve", "-x"}, "-x"},
			{[]string{"bogus"}, `unknown command "bogus"`},
			{[]string{"-redis", "127.0.0.1:1"}, "-redis"}, // only the console has -redis
		} {
			t.Run(strings.Join(tt.args, "_"), func(t *testing.T) {
				var out, errOut strings.Builder
				err := run(context.Background(), tt.args, strings.NewReader(""), &out, &errOut, nil)
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("xfbot %s: %v, want an error about %q", strings.Join(tt.args, " "), err, tt.err)
				}
				if !strings.Contains(errOut.String(), "usage:") || !strings.Contains(errOut.String(), "-config") {
					t.Errorf("no usage on stderr: %q", errOut.String())
				}
				if out.Len() != 0 {
					t.Errorf("stdout: %q", out.String())
				}
			})
		}
	})
}
