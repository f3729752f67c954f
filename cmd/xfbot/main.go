// Command xfbot runs the petition task force's case-ledger bot.
//
//	xfbot                    the bot if Feishu credentials are set, else the local console
//	xfbot serve [-config F]  the bot: long connection or webhook, the outbox sender, /healthz, /metrics
//	xfbot console [-redis A] a local chat with the bot on an in-memory (or the given) Redis
//	xfbot schedule           the scheduled jobs and their next firing times
//	xfbot help               every command and flag (also -h or --help after any command)
//
// Configuration: a YAML file (config.example.yaml documents every key) and
// environment variables XFBOT_<DOTTED_PATH_IN_UPPER_SNAKE_CASE>, which win.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/qingchuan/xfbot/bot"
)

func main() {
	tuneGC()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Environ()); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "xfbot:", err)
		}
		os.Exit(1)
	}
}

// run is main without the process: tests call it with their own streams.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, environ []string) error {
	cmd := ""
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	parse := func(name string) (Config, string, error) {
		fs, path, addr := commandFlags(name, environ)
		// -h, -help, --help: the whole usage on stdout and exit 0 (below); a
		// bad flag: the flag package's line and the usage on stderr.
		fs.SetOutput(stderr)
		fs.Usage = func() {}
		if err := fs.Parse(args); err != nil {
			if !errors.Is(err, flag.ErrHelp) {
				writeUsage(stderr, environ)
			}
			return Config{}, "", err
		}
		cfg, err := loadConfig(*path, environ)
		if addr != nil {
			return cfg, *addr, err
		}
		return cfg, "", err
	}
	switch cmd {
	case "district":
		if len(args) == 0 || args[0] != "list" {
			writeUsage(stderr, environ)
			return errors.New(`district: the subcommand is "list" (xfbot district list [-config F])`)
		}
		args = args[1:]
		cfg, _, err := parse("district")
		if errors.Is(err, flag.ErrHelp) {
			writeUsage(stdout, environ)
			return nil
		}
		if err != nil {
			return err
		}
		return listDistricts(stdout, cfg)
	case "", "serve", "console", "schedule":
		cfg, addr, err := parse(cmd)
		if errors.Is(err, flag.ErrHelp) {
			writeUsage(stdout, environ)
			return nil
		}
		if err != nil {
			return err
		}
		switch {
		case cmd == "schedule":
			return printSchedule(stdout, cfg, time.Now())
		case cmd == "console" || cmd == "" && !cfg.HasLarkCredentials():
			return console(ctx, cfg, addr, stdin, stdout, stderr)
		case !cfg.HasLarkCredentials():
			return errors.New("serve needs Feishu credentials: set lark.app_id and lark.app_secret (XFBOT_LARK_APP_ID, XFBOT_LARK_APP_SECRET); without them use \"xfbot console\"")
		}
		return serve(ctx, cfg, stderr)
	case "import":
		return importCmd(ctx, args, stdout, stderr, environ)
	case "help":
		writeUsage(stdout, environ)
		return nil
	}
	writeUsage(stderr, environ)
	return fmt.Errorf("unknown command %q", cmd)
}

// commands are the subcommands, in the order the usage lists them.
var commands = []struct{ name, args, summary string }{
	{"", "[-config F]", "run the bot (Feishu credentials set) or the local console (none set)"},
	{"serve", "[-config F]", "run the bot: long connection or webhook, the outbox sender, /healthz, /metrics"},
	{"console", "[-config F] [-redis A]", "chat with the bot locally; in memory unless -redis is given"},
	{"schedule", "[-config F]", "every job, its variable, spec and next five firing times"},
	{"district list", "[-config F]", "the districts this deployment serves: id, name, Feishu app, key prefix, webhook path, admins"},
	{"import", "[-config F] [-dry-run] [-by OPEN_ID] FILE", "import a spreadsheet ledger (.xlsx, .csv): print the preview, then apply it unless -dry-run"},
	{"help", "", "this text (also -h, --help after any command)"},
}

// commandFlags is the flag set of a command: every command takes -config
// (default XFBOT_CONFIG); the console also -redis. The usage is printed
// from the same sets.
func commandFlags(name string, environ []string) (fs *flag.FlagSet, path, addr *string) {
	fs = flag.NewFlagSet(strings.TrimSpace("xfbot "+name), flag.ContinueOnError)
	path = fs.String("config", envOr(environ, "XFBOT_CONFIG", ""), "read the configuration from `file` (YAML); default $XFBOT_CONFIG")
	if name == "console" {
		addr = fs.String("redis", "", "use the Redis at `addr` instead of an in-memory one (data is kept)")
	}
	return fs, path, addr
}

// writeUsage prints every command with its flags.
func writeUsage(w io.Writer, environ []string) {
	fmt.Fprintln(w, "usage:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-36s %s\n", strings.Join(strings.Fields("xfbot "+c.name+" "+c.args), " "), c.summary)
	}
	for _, c := range commands {
		if c.name == "" || c.name == "help" {
			continue
		}
		fs, _, _ := commandFlags(c.name, environ)
		fmt.Fprintf(w, "\nflags of %s:\n", c.name)
		fs.SetOutput(w)
		fs.PrintDefaults()
	}
	fmt.Fprint(w, `
configuration: a YAML file (config.example.yaml documents every key) and
environment variables XFBOT_<DOTTED_PATH_IN_UPPER_SNAKE_CASE>, which win,
e.g. XFBOT_LARK_APP_ID, XFBOT_REDIS_ADDR, XFBOT_ADMINS (comma separated open_ids).
`)
}

func loadConfig(path string, environ []string) (Config, error) {
	cfg, err := LoadConfig(path, environ)
	if err != nil {
		return cfg, err
	}
	return cfg, cfg.Validate()
}

func envOr(environ []string, key, def string) string {
	for _, kv := range environ {
		if len(kv) > len(key) && kv[:len(key)] == key && kv[len(key)] == '=' {
			return kv[len(key)+1:]
		}
	}
	return def
}

// listDistricts prints the districts cfg serves, the top-level one first.
func listDistricts(w io.Writer, cfg Config) error {
	cfgs := []Config{cfg}
	names := []string{cfg.DistrictName}
	for _, d := range cfg.Districts {
		cfgs, names = append(cfgs, cfg.ForDistrict(d)), append(names, d.Name)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\t名称 NAME\t飞书应用 APP\t键前缀 PREFIX\t事件地址 WEBHOOK\t管理员 ADMINS\t专班群 GROUP\t本区设置 OWN")
	own := []string{"-"} // the sections each district sets itself
	for _, d := range cfg.Districts {
		own = append(own, orDash(strings.Join(d.Sections(), ",")))
	}
	first := map[string]string{} // app id → the first district on it
	for i, c := range cfgs {
		app := orDash(c.Lark.AppID)
		if id, ok := first[c.Lark.AppID]; ok {
			app += "（与 " + id + " 共用 / shared）"
		} else {
			first[c.Lark.AppID] = c.DistrictID()
		}
		path := bot.WebhookPath + "/" + c.DistrictID()
		if i == 0 {
			path = bot.WebhookPath + " , " + path
		}
		if c.Lark.Mode != ModeWebhook {
			path = "(" + c.Lark.Mode + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t{%s}\t%s\t%d\t%s\t%s\n", c.DistrictID(), orDash(names[i]), app, c.Redis.Prefix, path, len(c.Admins), orDash(c.GroupChatID), own[i])
	}
	return tw.Flush()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
