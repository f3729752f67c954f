package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/bot"
	"github.com/qingchuan/xfbot/report"
	"github.com/qingchuan/xfbot/scheduler"
	"github.com/qingchuan/xfbot/store"
)

// The console's own identities and chats.
const (
	consoleAdmin = "ou_console_admin"
	consoleGroup = "oc_console_group"
	consoleP2P   = "oc_console_p2p"
)

// console is a local chat with the bot: what you type goes through the same
// mux, handlers, store and outbox as a Feishu message, and the outbox is
// delivered to the terminal. Without -redis it runs on an in-memory Redis.
func console(ctx context.Context, cfg Config, addr string, stdin io.Reader, stdout, stderr io.Writer) error {
	var rdb redis.UniversalClient
	if addr == "" {
		mr := miniredis.NewMiniRedis()
		if err := mr.Start(); err != nil {
			return fmt.Errorf("start in-memory redis: %w", err)
		}
		defer mr.Close()
		rdb = redis.NewClient(&redis.Options{Addr: mr.Addr()})
		fmt.Fprintln(stdout, "xfbot 本地控制台 · 数据在内存中（miniredis），退出后全部丢失，不会保留任何内容。")
	} else {
		rdb = redis.NewClient(&redis.Options{Addr: addr, Password: cfg.Redis.Password, DB: cfg.Redis.DB})
		fmt.Fprintf(stdout, "xfbot 本地控制台 · 使用 Redis %s（数据会保留）。\n", addr)
	}
	defer rdb.Close()
	if cfg.GroupChatID == "" {
		cfg.GroupChatID = consoleGroup
	}
	noAdmins := cfg.NoAdmins()
	cfg.Admins = append(cfg.Admins, consoleAdmin) // the console's own user is always an admin
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	quietRedis(log)
	a := newApp(cfg, rdb, log, true)
	if err := a.store.Ping(ctx); err != nil {
		return redisUnreachable(addr, err)
	}
	if err := a.indexSecret(ctx, cfg, log); err != nil {
		return err
	}
	c := &consoleSession{app: a, out: stdout, loc: cfg.Location(), group: cfg.GroupChatID, jobs: a.jobs(cfg, log),
		user:     xfbot.Person{OpenID: consoleAdmin, Name: "控制台管理员"},
		buttons:  &buttonRecorder{Transport: &bot.ConsoleTransport{W: stdout}},
		exporter: a.exporter(bot.DirUploader{Dir: filepath.Join(os.TempDir(), "xfbot-exports")}, "console", log)}
	c.sender = bot.NewSender(a.store, c.buttons, bot.SenderOptions{Consumer: "console", Logger: log})
	if err := a.store.EnsureTaskGroup(ctx); err != nil {
		return err
	}
	if err := a.seedRegistry(ctx, cfg, log); err != nil {
		return err
	}
	// On a Redis an earlier release wrote, its indexes are converted as
	// serve converts them before it takes events: lists read the new ones.
	if _, err := a.store.BackfillIndexSets(ctx); err != nil {
		return fmt.Errorf("index sets: %w", err)
	}
	fmt.Fprintln(stdout, "您现在是“控制台管理员”，在私聊中。输入命令与机器人对话（如“帮助”“演示数据”）；:help 查看控制台指令，Ctrl-D 退出。")
	if noAdmins {
		fmt.Fprintln(stdout, "提示：配置中没有管理员（admins 为空）。控制台里您总是管理员；正式运行（xfbot serve）前请在配置的 admins 中填写专班负责人的 open_id，"+
			"或设置环境变量 XFBOT_ADMINS=ou_甲,ou_乙（逗号分隔），否则没有人能添加成员。")
	}
	return c.loop(ctx, stdin)
}

type consoleSession struct {
	app    *app
	out    io.Writer
	loc    *time.Location
	group  string
	user   xfbot.Person
	inGrp  bool
	seq    int
	sender *bot.Sender
	// buttons remembers the buttons of the cards shown, for :click.
	buttons *buttonRecorder
	// exporter runs export tasks right after the command that queued them.
	exporter *report.Exporter
	jobs     map[string]scheduler.Job
	now      time.Time // :time sets it; zero = the wall clock
}

func (c *consoleSession) clock() time.Time {
	if c.now.IsZero() {
		return time.Now()
	}
	return c.now
}

func (c *consoleSession) prompt() {
	where := "私聊"
	if c.inGrp {
		where = "群聊"
	}
	fmt.Fprintf(c.out, "\n[%s·%s]> ", c.user.Display(), where)
}

func (c *consoleSession) loop(ctx context.Context, in io.Reader) error {
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	c.prompt()
	for sc.Scan() {
		if ctx.Err() != nil {
			break
		}
		line := strings.TrimSpace(sc.Text())
		if line != "" {
			if err := c.handle(ctx, line); errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				fmt.Fprintln(c.out, "错误：", err)
			}
		}
		c.prompt()
	}
	fmt.Fprintln(c.out, "\n再见。")
	return sc.Err()
}

func (c *consoleSession) handle(ctx context.Context, line string) error {
	if strings.HasPrefix(line, ":") {
		return c.meta(ctx, line)
	}
	c.seq++
	req := &bot.Request{
		EventID:   fmt.Sprintf("console:%d:%d", time.Now().UnixNano(), c.seq),
		MessageID: fmt.Sprintf("om_console_in_%d", c.seq),
		ChatID:    c.chat(),
		Group:     c.inGrp,
		Sender:    c.user,
		Via:       bot.ViaConsole,
		Time:      c.clock(),
	}
	text, mentions, err := c.mentions(ctx, line)
	if err != nil {
		return err
	}
	req.Text, req.Mentions = text, mentions
	if err := c.app.mux.ServeMessage(ctx, req); err != nil {
		return err
	}
	return c.flush(ctx)
}

// flush delivers everything queued, so replies print before the next
// prompt, and runs the tasks a command queued (an export), delivering what
// they send too.
func (c *consoleSession) flush(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	for {
		if err := c.sender.RunUntilEmpty(ctx); err != nil && !errors.Is(err, context.Canceled) {
			return err
		}
		n, err := c.exporter.Once(ctx, 0)
		if err != nil {
			return err
		}
		if n == 0 {
			return nil
		}
	}
}

func (c *consoleSession) chat() string {
	if c.inGrp {
		return c.group
	}
	return consoleP2P + "_" + c.user.OpenID
}

// mentions resolves "@名字" words to members (by name or open_id); unknown
// names become console identities, as if a Feishu user had been @-mentioned.
func (c *consoleSession) mentions(ctx context.Context, line string) (string, []xfbot.Person, error) {
	if !strings.Contains(line, "@") {
		return line, nil, nil
	}
	ms, err := c.app.store.Members(ctx)
	if err != nil {
		return "", nil, err
	}
	var ps []xfbot.Person
	for _, w := range strings.Fields(line) {
		if !strings.HasPrefix(w, "@") || len(w) == 1 {
			continue
		}
		ps = append(ps, c.lookup(ms, strings.TrimPrefix(w, "@")))
	}
	return line, ps, nil
}

func (c *consoleSession) lookup(ms []xfbot.Member, name string) xfbot.Person {
	for _, m := range ms {
		if m.Name == name || m.OpenID == name {
			return m.Person()
		}
	}
	if name == "控制台管理员" {
		return xfbot.Person{OpenID: consoleAdmin, Name: name}
	}
	return xfbot.Person{OpenID: "ou_console_" + name, Name: name}
}

const consoleHelp = `控制台指令：
  :user <姓名|open_id>   切换身份（演示数据载入后可用“周某”“赵建”“联络员区住建局”“观察员甲”等）
  :users                 列出成员
  :group / :p2p          切换到专班群聊 / 私聊（群聊中信访人信息脱敏）
  :click <按钮> <案件号> [进展内容]   点击最近显示的该案件卡片上的按钮（如 已阅、明天再提醒）；刷新、我来包案、添加进展对任何案件都可用，
                         添加进展带内容即提交表单；不写案件号则点最近一张有该按钮的卡片
  :run <任务>            立即运行定时任务：overdue（私聊提醒、超期升级）、group_daily（群每日超期通报）、reception（领导接访与来信提醒）、
                         leader_digest（领导摘要）、group_weekly（群周报）、monthly（月度统计）
  :time <YYYY-MM-DD HH:MM>|now 设定控制台的“现在”（试提醒与升级）；now 恢复真实时间
  :quit                  退出（也可 Ctrl-D）
其他输入都作为消息发给机器人，例如“帮助”“新建 …”“列表 逾期”。`

func (c *consoleSession) meta(ctx context.Context, line string) error {
	f := strings.Fields(line)
	switch f[0] {
	case ":help", ":h", ":?":
		fmt.Fprintln(c.out, consoleHelp)
	case ":quit", ":q", ":exit":
		return io.EOF
	case ":group":
		c.inGrp = true
		fmt.Fprintln(c.out, "已切换到专班群聊（"+c.group+"）。群聊中须 @机器人 才会被处理——控制台里直接输入即可。")
	case ":p2p":
		c.inGrp = false
		fmt.Fprintln(c.out, "已切换到与机器人的私聊。")
	case ":users":
		ms, err := c.app.store.Members(ctx)
		if err != nil {
			return err
		}
		if len(ms) == 0 {
			fmt.Fprintln(c.out, "还没有成员。输入“演示数据”载入虚构成员和案件。")
		}
		for _, m := range ms {
			fmt.Fprintf(c.out, "  %s（%s%s）%s\n", m.Name, m.Role.Label(), map[bool]string{true: "·" + m.Unit, false: ""}[m.Unit != ""], m.OpenID)
		}
	case ":user":
		if len(f) < 2 {
			return errors.New("用法：:user <姓名或 open_id>")
		}
		ms, err := c.app.store.Members(ctx)
		if err != nil {
			return err
		}
		c.user = c.lookup(ms, strings.Join(f[1:], ""))
		role := "非成员"
		for _, m := range ms {
			if m.OpenID == c.user.OpenID {
				role = m.Role.Label()
			}
		}
		if c.user.OpenID == consoleAdmin {
			role = "管理员"
		}
		fmt.Fprintf(c.out, "您现在是 %s（%s）。\n", c.user.Display(), role)
	case ":click":
		return c.click(ctx, f[1:])
	case ":run":
		if len(f) < 2 || c.jobs[f[1]] == nil {
			return errors.New("用法：:run overdue（提醒扫描）、group_daily（群每日通报）、reception（接访与来信提醒）、leader_digest（领导摘要）、group_weekly（群周报）或 monthly（月度统计）")
		}
		if err := c.jobs[f[1]].Run(ctx, c.clock()); err != nil {
			return err
		}
		if err := c.flush(ctx); err != nil {
			return err
		}
		fmt.Fprintln(c.out, "（任务已运行；已发送过的提醒不会重复发送）")
	case ":time":
		if len(f) < 2 {
			return errors.New("用法：:time 2026-12-01 09:05 或 :time now")
		}
		if f[1] == "now" {
			c.now = time.Time{}
			fmt.Fprintln(c.out, "已恢复真实时间。")
			return nil
		}
		t, err := time.ParseInLocation("2006-01-02 15:04", strings.Join(f[1:], " "), c.loc)
		if err != nil {
			return errors.New("时间应写成 2026-12-01 09:05")
		}
		c.now = t
		fmt.Fprintf(c.out, "控制台的“现在”是 %s。\n", t.Format("2006-01-02 15:04 Mon"))
	default:
		return fmt.Errorf("不认识的控制台指令 %s，输入 :help 查看", f[0])
	}
	return nil
}

// click presses a card's button, as Feishu's card.action.trigger would:
// ":click <按钮> <案件号>" the button of that text on the last card shown for
// that case, ":click <按钮>" the one on the last card shown that had it.
// 刷新, 我来包案 and 添加进展 work on any case, shown or not.
func (c *consoleSession) click(ctx context.Context, args []string) error {
	if len(args) < 1 {
		return errors.New("用法：:click <按钮> <案件号> [进展内容]，例如 :click 已阅 XF-2026-0012；或 :click <按钮>，点最近一张有该按钮的卡片")
	}
	text, rest := args[0], args[1:]
	no := ""
	if len(rest) > 0 {
		if n, err := xfbot.ParseCaseNo(rest[0]); err == nil {
			no, rest = string(n), rest[1:]
		}
	}
	actions := map[string]string{"刷新": bot.ActionRefresh, "我来包案": bot.ActionClaim, "添加进展": bot.ActionProgressForm}
	name, fixed := actions[text]
	var v map[string]string
	switch {
	case no != "":
		if v = c.buttons.forCase(no, text); v == nil && fixed {
			g := "0"
			if c.inGrp {
				g = "1"
			}
			v = map[string]string{"a": name, "no": no, "g": g, "c": c.chat()}
		}
		if v == nil {
			shown := c.buttons.caseButtons(no)
			if len(shown) == 0 {
				return fmt.Errorf("还没有显示过 %s 的带“%s”按钮的卡片。先让它出现（如发送“查看 %s”或 :run overdue），再点；不带案件号的 :click %s 点最近一张有该按钮的卡片", no, text, no, text)
			}
			return fmt.Errorf("最近一张 %s 的卡片上没有“%s”按钮；它有：%s", no, text, strings.Join(shown, "、"))
		}
	case len(rest) > 0 && fixed:
		return fmt.Errorf("“%s”不是案件号。用法：:click %s <案件号> [进展内容]，例如 :click %s XF-2026-0012", rest[0], text, text)
	default:
		var several []string
		if v, several = c.buttons.lookup(text); several != nil {
			return fmt.Errorf("最近一张有“%s”按钮的卡片上有 %d 个，分属 %s：请写明案件号，例如 :click %s %s", text, len(several), strings.Join(several, "、"), text, several[0])
		}
		if v == nil {
			if fixed {
				return fmt.Errorf("用法：:click %s <案件号>，例如 :click %s XF-2026-0012", text, text)
			}
			return fmt.Errorf("最近的卡片上没有“%s”按钮。可用：刷新、我来包案、添加进展（带案件号），或卡片上显示的按钮", text)
		}
	}
	act := &bot.Action{Name: v["a"], Value: v}
	if act.Name == bot.ActionProgressForm && len(rest) > 0 {
		act.Name, act.Value["a"], act.Form = bot.ActionProgressSubmit, bot.ActionProgressSubmit, map[string]string{"text": strings.Join(rest, " ")}
	}
	c.seq++
	req := &bot.Request{EventID: fmt.Sprintf("console:card:%d:%d", time.Now().UnixNano(), c.seq), ChatID: c.chat(),
		MessageID: "om_console_card", Sender: c.user, Via: bot.ViaConsole, Time: c.clock(), Action: act}
	resp, err := c.app.mux.ServeAction(ctx, req)
	if err != nil {
		return err
	}
	if resp.Toast != "" {
		fmt.Fprintln(c.out, "（提示）"+resp.Toast)
	}
	if resp.Card != nil {
		fmt.Fprintln(c.out, "→ 卡片更新")
		fmt.Fprintln(c.out, resp.Card.Text())
		if js, err := resp.Card.JSON(); err == nil {
			c.buttons.record(js) // the updated card is the last one shown
		}
	}
	return c.flush(ctx)
}

// buttonRecorder delivers through Transport and remembers the buttons of
// the cards shown, so that :click can press one of them as Feishu would
// send the callback: by text on the last card that had it, and by case
// number and text on the last card shown for that case.
type buttonRecorder struct {
	bot.Transport
	mu      sync.Mutex
	byText  map[string]map[string]string            // text → value
	several map[string][]string                     // text → the cases of the last card that had it for several
	byCase  map[string]map[string]map[string]string // case number → text → value
	order   map[string][]string                     // case number → its button texts, in card order
}

func (r *buttonRecorder) Deliver(ctx context.Context, m store.OutboundMessage) (string, error) {
	if m.MsgType == "interactive" {
		r.record(m.Content)
	}
	return r.Transport.Deliver(ctx, m)
}

// record remembers the buttons of one card shown. The card replaces what
// was remembered for every case it has buttons for; on a card with several
// cases (a reminder) each button belongs to the case in its value.
func (r *buttonRecorder) record(card string) {
	var tree any
	if json.Unmarshal([]byte(card), &tree) != nil {
		return
	}
	var bs []shownButton
	collectButtons(tree, &bs)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.byText == nil {
		r.byText, r.byCase, r.order = map[string]map[string]string{}, map[string]map[string]map[string]string{}, map[string][]string{}
		r.several = map[string][]string{}
	}
	fresh, cases := map[string]bool{}, map[string][]string{}
	for _, b := range bs {
		if _, seen := cases[b.text]; !seen {
			r.byText[b.text] = b.value
		}
		if no := b.value["no"]; !slices.Contains(cases[b.text], no) {
			cases[b.text] = append(cases[b.text], no)
		}
		no := b.value["no"]
		if no == "" {
			continue
		}
		if !fresh[no] {
			fresh[no] = true
			r.byCase[no], r.order[no] = map[string]map[string]string{}, nil
		}
		if _, dup := r.byCase[no][b.text]; !dup {
			r.byCase[no][b.text] = b.value
			r.order[no] = append(r.order[no], b.text)
		}
	}
	for text, nos := range cases {
		if len(nos) > 1 {
			r.several[text] = nos
		} else {
			delete(r.several, text)
		}
	}
}

// lookup is the value of the button text on the last card shown that had
// one, and when that card had it for several cases, their numbers instead.
func (r *buttonRecorder) lookup(text string) (map[string]string, []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if nos := r.several[text]; nos != nil {
		return nil, slices.Clone(nos)
	}
	return maps.Clone(r.byText[text]), nil
}

// forCase is the value of the button text on the last card shown for case
// no, nil when that card had none.
func (r *buttonRecorder) forCase(no, text string) map[string]string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return maps.Clone(r.byCase[no][text])
}

// caseButtons are the texts of the buttons of the last card shown for no.
func (r *buttonRecorder) caseButtons(no string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.order[no])
}

type shownButton struct {
	text  string
	value map[string]string
}

// collectButtons walks a card's JSON for callback buttons, in the card's
// order (object keys sorted, so the walk is the same every time).
func collectButtons(n any, into *[]shownButton) {
	switch n := n.(type) {
	case map[string]any:
		if n["tag"] == "button" {
			text, _ := n["text"].(map[string]any)
			bs, _ := n["behaviors"].([]any)
			if len(bs) > 0 && text != nil {
				b, _ := bs[0].(map[string]any)
				if val, ok := b["value"].(map[string]any); ok {
					v := map[string]string{}
					for k, x := range val {
						v[k] = fmt.Sprint(x)
					}
					if t, ok := text["content"].(string); ok {
						*into = append(*into, shownButton{t, v})
					}
				}
			}
		}
		for _, k := range slices.Sorted(maps.Keys(n)) {
			collectButtons(n[k], into)
		}
	case []any:
		for _, x := range n {
			collectButtons(x, into)
		}
	}
}
