package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/qingchuan/xfbot"
)

// importCmd is `xfbot import [-config F] [-dry-run] [-by OPEN_ID] FILE`: the
// import of a spreadsheet ledger on the server, as 导入台账 in a chat does it
// (the same reading, matching, batches, audit and idempotence), without the
// confirmation card: the preview is printed, then applied unless -dry-run.
// Flags may come after FILE.
func importCmd(ctx context.Context, args []string, stdout, stderr io.Writer, environ []string) error {
	fs := flag.NewFlagSet("xfbot import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("config", envOr(environ, "XFBOT_CONFIG", ""), "read the configuration from `file` (YAML); default $XFBOT_CONFIG")
	dry := fs.Bool("dry-run", false, "print the preview only; write nothing")
	by := fs.String("by", "", "record the import as done by this member (`open_id`); default: the server")
	var flags, files []string
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
		case a == "-config" || a == "--config" || a == "-by" || a == "--by":
			flags = append(flags, a)
			if i+1 < len(args) {
				i++
				flags = append(flags, args[i])
			}
		case strings.HasPrefix(a, "-"):
			flags = append(flags, a)
		default:
			files = append(files, a)
		}
	}
	if err := fs.Parse(flags); err != nil {
		return err
	}
	if len(files) != 1 {
		fmt.Fprintln(stderr, "usage: xfbot import [-config F] [-dry-run] [-by OPEN_ID] FILE.xlsx|FILE.csv")
		return errors.New("import needs exactly one file")
	}
	cfg, err := loadConfig(*path, environ)
	if err != nil {
		return err
	}
	data, err := os.ReadFile(files[0])
	if err != nil {
		return fmt.Errorf("read %s: %w", files[0], err)
	}
	log := newLogger(cfg, stderr)
	quietRedis(log)
	rdb := redisClient(cfg)
	defer rdb.Close()
	a := newApp(cfg, rdb, log, false)
	if err := a.store.Ping(ctx); err != nil {
		return redisUnreachable(cfg.Redis.Addr, err)
	}
	who := xfbot.Person{Name: "服务器导入（xfbot import）"}
	if *by != "" {
		l, err := a.store.Load(ctx, *by, "")
		if err != nil {
			return err
		}
		if l.Member == nil || !l.Member.CanWrite() || l.Member.Role == xfbot.RoleLiaison || l.Member.Role == xfbot.RoleLeader {
			return fmt.Errorf("-by %s: not a task-force member or admin", *by)
		}
		who = l.Member.Person()
	}
	now := time.Now()
	text, id, err := a.handlers.PreviewText(ctx, filepath.Base(files[0]), data, who, now)
	if err != nil {
		if xfbot.ErrorCode(err) == xfbot.EINVALID {
			return errors.New(xfbot.ErrorMessage(err))
		}
		return err
	}
	fmt.Fprintln(stdout, text)
	if *dry {
		fmt.Fprintln(stdout, "\n（-dry-run：只是预览，未写入任何数据）")
		return nil
	}
	report, err := a.handlers.ApplyPlan(ctx, id, who, now)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, "\n"+report)
	return nil
}
