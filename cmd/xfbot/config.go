package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/url"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	// Embedded so that Asia/Shanghai loads on hosts and images without
	// /usr/share/zoneinfo; a silent fall-back to UTC would move every reminder
	// by eight hours. The system database still wins when present.
	_ "time/tzdata"

	"github.com/robfig/cron/v3"
	"go.yaml.in/yaml/v3"

	"github.com/qingchuan/xfbot"
)

// envPrefix starts every environment override. The rest of the name is the
// dotted YAML path in upper snake case: lark.app_id -> XFBOT_LARK_APP_ID.
const envPrefix = "XFBOT_"

// Config is everything the process reads at start-up. It is loaded from an
// optional YAML file (config.example.yaml documents every key) and then from
// XFBOT_* environment variables; see LoadConfig for the rule.
//
// Every field carries a yaml tag: the tag is the key's name in the file and,
// through envName, in the environment, so a new field needs nothing else.
// Fields tagged secret:"true" are blanked by Redacted.
type Config struct {
	Lark        LarkConfig  `yaml:"lark"`
	HTTP        HTTPConfig  `yaml:"http"`
	Redis       RedisConfig `yaml:"redis"`
	Timezone    string      `yaml:"timezone"`
	Admins      []string    `yaml:"admins"`  // open_ids
	Leaders     []string    `yaml:"leaders"` // open_ids of district leaders
	GroupChatID string      `yaml:"group_chat_id"`
	// GroupReplies is how a write is answered in a group: "light" (one line,
	// ✅ 已记录进展 XF-…; a write replying to a case card updates that card in
	// place) or "full" (the whole case card, as in private chats).
	GroupReplies string               `yaml:"group_replies"`
	Deadline     DeadlineConfig       `yaml:"deadline"`
	Holidays     []xfbot.HolidayTable `yaml:"holidays"` // not settable from env: too structured for one variable

	// The registry (名录) of a first start (registryconfig.go): not settable
	// from env either.
	Units      []NameConfig `yaml:"units"`
	Areas      []NameConfig `yaml:"areas"`
	Categories []NameConfig `yaml:"categories"`

	Schedule    ScheduleConfig    `yaml:"schedule"`
	Reception   ReceptionConfig   `yaml:"reception"`
	Resolution  ResolutionConfig  `yaml:"resolution"`
	Supervision SupervisionConfig `yaml:"supervision"`
	Roster      RosterConfig      `yaml:"roster"`
	Attachments AttachmentsConfig `yaml:"attachments"`
	Reminders   RemindersConfig   `yaml:"reminders"`
	Sender      SenderConfig      `yaml:"sender"`
	Privacy     PrivacyConfig     `yaml:"privacy"`
	Log         LogConfig         `yaml:"log"`

	// District names the district the top-level keys describe (the
	// default one); Districts are the others this deployment serves, each
	// with its own Feishu app, its own keys in Redis (its own hash tag),
	// its own people and group, and its own values of districtSections
	// (ForDistrict); every other key is shared. Not settable from env: too
	// structured for one variable (the environment sets the top level,
	// which a district inherits where it sets nothing).
	District  string           `yaml:"district"`
	Districts []DistrictConfig `yaml:"districts"`
	// DistrictName is the top-level district's name (青川区), shown by 切换
	// and 全市; its id when empty.
	DistrictName string `yaml:"district_name"`
	// City is the 市级 view over the districts.
	City CityConfig `yaml:"city"`
}

// CityConfig is the city (or province) over a deployment's districts.
type CityConfig struct {
	Name string `yaml:"name"` // 青州市
	// Viewers are the open_ids of the 市级 role: 全市 统计 and 全市 月报,
	// the figures of every district, never a case or a petitioner.
	Viewers []string `yaml:"viewers"`
}

// DistrictConfig is one more district served by the deployment.
type DistrictConfig struct {
	ID   string `yaml:"id"`   // a-z, 0-9, - and _: in its webhook path and its metrics
	Name string `yaml:"name"` // 河口区
	// Lark is the district's own Feishu app: app_id, app_secret and, for
	// webhook mode, verification_token and encrypt_key; base_url and mode
	// are the top level's when empty. Its events come to
	// /lark/events/<id>. Left out, or naming another district's app_id,
	// the districts share that app (one tenant): its events, at any of
	// their paths, are routed by chat and sender (bot.Tenants).
	Lark LarkConfig `yaml:"lark"`
	// Prefix of its keys in Redis (default "xf_" + id): its own hash tag,
	// so that districts spread over a cluster's slots.
	Prefix      string   `yaml:"prefix"`
	Admins      []string `yaml:"admins"`
	Leaders     []string `yaml:"leaders"`
	GroupChatID string   `yaml:"group_chat_id"`

	// sections are the district's own values of the top-level sections
	// listed in districtSections (its thresholds, holidays, registry seed,
	// schedule, quiet hours…), as written: ForDistrict decodes each over
	// the top level's, so that a key left out is inherited. Set by
	// UnmarshalYAML, which has already type-checked them.
	sections map[string]*yaml.Node
}

// districtSections are the top-level keys a district entry may carry:
// what is the district's own business (its calendar, thresholds, registry,
// jobs and their hours, its rules for cases). The rest stays with the
// deployment: lark (a district names its own app above), http, redis
// (one Redis; the district has its own prefix), timezone (one process, one
// city view: the districts of a province keep one clock), sender (Feishu
// limits an app, not a district), privacy (one index secret per Redis),
// log, and the city view.
var districtSections = []string{"group_replies", "deadline", "holidays", "units", "areas", "categories",
	"schedule", "reception", "resolution", "supervision", "roster", "attachments", "reminders"}

// districtOwnKeys are the keys of DistrictConfig itself.
var districtOwnKeys = []string{"id", "name", "lark", "prefix", "admins", "leaders", "group_chat_id"}

// UnmarshalYAML reads a district entry: its own keys strictly (a typo is
// an error, as at the top level), and the sections of districtSections,
// each checked against its type now and kept for ForDistrict. Any other
// key is refused, naming the keys a district may set.
func (d *DistrictConfig) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: 每个区应为一组键值 / a district must be a mapping", n.Line)
	}
	own := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	var sections map[string]*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		switch {
		case slices.Contains(districtOwnKeys, k.Value):
			own.Content = append(own.Content, k, v)
		case slices.Contains(districtSections, k.Value):
			f, _ := configField(k.Value)
			if err := strictDecode(v, reflect.New(f.Type).Interface()); err != nil {
				return fmt.Errorf("%s: %s", k.Value, fileLines(err.Error(), v.Line))
			}
			if sections == nil {
				sections = map[string]*yaml.Node{}
			}
			sections[k.Value] = v
		default:
			return fmt.Errorf("line %d: 区的配置里不能写 %q（全部署共用或不认识）；区可写 %s / a district cannot set %q (deployment-wide or unknown); it may set %s",
				k.Line, k.Value, strings.Join(append(slices.Clone(districtOwnKeys), districtSections...), ", "), k.Value, strings.Join(append(slices.Clone(districtOwnKeys), districtSections...), ", "))
		}
	}
	type plain DistrictConfig // without this method
	var p plain
	if err := strictDecode(own, &p); err != nil {
		return fmt.Errorf("line %d: %w", n.Line, err)
	}
	*d = DistrictConfig(p)
	d.sections = sections
	return nil
}

// Sections are the top-level sections d sets itself, in
// districtSections' order.
func (d DistrictConfig) Sections() []string {
	var out []string
	for _, name := range districtSections {
		if d.sections[name] != nil {
			out = append(out, name)
		}
	}
	return out
}

// sectionLine is a "line N:" of an error strictDecode returned.
var sectionLine = regexp.MustCompile(`line (\d+):`)

// fileLines turns the lines of msg, an error of strictDecode on a node
// whose first line is the file's line first, into the file's lines (the
// node is decoded from its own YAML text, which starts at line 1), and
// drops yaml's "unmarshal errors:" heading.
func fileLines(msg string, first int) string {
	msg = strings.TrimSpace(strings.TrimPrefix(msg, "yaml: unmarshal errors:"))
	return sectionLine.ReplaceAllStringFunc(msg, func(m string) string {
		n, _ := strconv.Atoi(sectionLine.FindStringSubmatch(m)[1])
		return fmt.Sprintf("line %d:", first+n-1)
	})
}

// strictDecode decodes n into v refusing unknown keys, which Node.Decode
// alone does not.
func strictDecode(n *yaml.Node, v any) error {
	b, err := yaml.Marshal(n)
	if err != nil {
		return err
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	return dec.Decode(v)
}

// configField is Config's field of top-level key name.
func configField(name string) (reflect.StructField, bool) {
	t := reflect.TypeFor[Config]()
	for i := range t.NumField() {
		if f := t.Field(i); strings.Split(f.Tag.Get("yaml"), ",")[0] == name {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

// DefaultDistrict is the id of the district of the top-level keys when
// district is not set.
const DefaultDistrict = "default"

// DistrictID is the id of the top-level keys' district.
func (c Config) DistrictID() string {
	if c.District == "" {
		return DefaultDistrict
	}
	return c.District
}

// ForDistrict is the configuration of district d: c with d's app, prefix,
// people and group, and with d's own sections (districtSections) over c's.
//
// The merge is YAML's own rule for a value already filled: each section
// the district writes is decoded over a copy of the top level's, so a key
// it writes replaces the top level's and a key it leaves out is inherited
// (reminders: {quiet_from: 22} keeps quiet_to, the ladder…); a list it
// writes (units, reminders.ladder) replaces the top level's list. One
// exception: holidays add to the top level's tables, year by year (a
// district's own days off and make-up days on top of the national ones),
// since a district has no business dropping a public holiday.
func (c Config) ForDistrict(d DistrictConfig) Config {
	out := c
	root := reflect.ValueOf(&out).Elem()
	for _, name := range districtSections {
		n := d.sections[name]
		if n == nil {
			continue
		}
		if name == "holidays" {
			var own []xfbot.HolidayTable
			_ = n.Decode(&own) // type-checked by UnmarshalYAML
			out.Holidays = addHolidays(c.Holidays, own)
			continue
		}
		f, _ := configField(name)
		_ = n.Decode(root.FieldByIndex(f.Index).Addr().Interface()) // type-checked by UnmarshalYAML
	}
	out.Districts, out.District, out.DistrictName = nil, d.ID, d.Name
	base, mode := c.Lark.BaseURL, c.Lark.Mode
	if d.Lark.AppID != "" {
		out.Lark = d.Lark
	}
	if out.Lark.BaseURL == "" {
		out.Lark.BaseURL = base
	}
	if out.Lark.Mode == "" {
		out.Lark.Mode = mode
	}
	out.Redis.Prefix = d.Prefix
	if out.Redis.Prefix == "" {
		out.Redis.Prefix = "xf_" + d.ID
	}
	out.Admins, out.Leaders, out.GroupChatID = d.Admins, d.Leaders, d.GroupChatID
	return out
}

// addHolidays is the tables of top with own's days added: a year both
// have gets own's holidays and workdays appended to top's (a day in both
// lists then fails Validate, naming it); a year only own has is added.
// top is not modified.
func addHolidays(top, own []xfbot.HolidayTable) []xfbot.HolidayTable {
	out := make([]xfbot.HolidayTable, 0, len(top)+len(own))
	for _, t := range top {
		t.Holidays, t.Workdays = slices.Clone(t.Holidays), slices.Clone(t.Workdays)
		out = append(out, t)
	}
	for _, o := range own {
		i := slices.IndexFunc(out, func(t xfbot.HolidayTable) bool { return t.Year == o.Year })
		if i < 0 {
			out = append(out, o)
			continue
		}
		out[i].Holidays = append(out[i].Holidays, o.Holidays...)
		out[i].Workdays = append(out[i].Workdays, o.Workdays...)
	}
	return out
}

// DistrictLabel is the district's name, or its id.
func (c Config) DistrictLabel() string {
	if c.DistrictName != "" {
		return c.DistrictName
	}
	return c.DistrictID()
}

var districtID = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,31}$`)

// envLabel is the " (XFBOT_…)" keyLabel adds to a key's path.
var envLabel = regexp.MustCompile(` \(` + envPrefix + `[A-Z0-9_]+\)`)

// PrivacyConfig protects personal data at rest.
type PrivacyConfig struct {
	// IndexSecret keys the search index's hashes of names, phones and ID
	// numbers (HMAC-SHA256), so that the index's keys say nothing without
	// it. Empty: a secret is generated once and kept in Redis (secret:index),
	// which protects the index from logs and key listings but not from
	// whoever reads Redis; serve logs a warning. Changing it rebuilds the
	// index's personal terms at the next start (BackfillSearch).
	IndexSecret string `yaml:"index_secret" secret:"true"`
}

// minIndexSecret is the shortest privacy.index_secret accepted.
const minIndexSecret = 16

// LarkConfig is the Feishu (Lark) app and how events reach us.
type LarkConfig struct {
	AppID     string `yaml:"app_id"`
	AppSecret string `yaml:"app_secret" secret:"true"`
	// BaseURL serves both the Open API and the long-connection endpoint, so a
	// test or a private deployment moves both with one key.
	BaseURL           string `yaml:"base_url"`
	Mode              string `yaml:"mode"` // ModeWebsocket or ModeWebhook
	VerificationToken string `yaml:"verification_token" secret:"true"`
	EncryptKey        string `yaml:"encrypt_key" secret:"true"`
	// AllowUnsigned admits webhook events without an encrypt key. It exists for
	// local testing; in production anyone who finds the URL could forge events.
	AllowUnsigned bool `yaml:"allow_unsigned"`
	// BotOpenID lets a deployment skip the start-up lookup of the bot's own
	// open_id (needed to recognise @mentions of the bot).
	BotOpenID string `yaml:"bot_open_id"`
}

// Lark event delivery modes.
const (
	ModeWebsocket = "websocket"
	ModeWebhook   = "webhook"
)

// HTTPConfig is the listener for webhooks, health and metrics.
type HTTPConfig struct {
	Addr string `yaml:"addr"`
}

// RedisConfig selects one of three topologies: a single node, Sentinel
// (MasterName set) or Cluster (Cluster true). Addr may list several
// comma-separated seed nodes for the latter two; see RedisAddrs.
type RedisConfig struct {
	Addr       string `yaml:"addr"`
	Password   string `yaml:"password" secret:"true"`
	DB         int    `yaml:"db"`
	Prefix     string `yaml:"prefix"`
	MasterName string `yaml:"master_name"`
	Cluster    bool   `yaml:"cluster"`
	// WaitReplicas: a commit is acknowledged (to Feishu, and by the
	// replies it queued) only once this many replicas confirm it (WAIT);
	// 0 does not wait. See store/wait.go for the trade.
	WaitReplicas int           `yaml:"wait_replicas"`
	WaitTimeout  time.Duration `yaml:"wait_timeout"`
}

// DeadlineConfig holds the warning thresholds in days; see xfbot.Thresholds.
type DeadlineConfig struct {
	Yellow int `yaml:"yellow"`
	Orange int `yaml:"orange"`
	Black  int `yaml:"black"`
}

// ScheduleConfig holds robfig/cron specs: five fields in Timezone, or a
// descriptor such as "@every 2s" (handy in demos and tests).
type ScheduleConfig struct {
	Overdue      string `yaml:"overdue"`
	GroupDaily   string `yaml:"group_daily"`
	Reception    string `yaml:"reception"`
	LeaderDigest string `yaml:"leader_digest"`
	GroupWeekly  string `yaml:"group_weekly"`
	Monthly      string `yaml:"monthly"`
}

// ReceptionConfig configures the monthly leader reception (领导接访) reminder.
type ReceptionConfig struct {
	// NagDay stops at 28 so that the day exists in every month.
	NagDay int `yaml:"nag_day"`
	// Calendar puts each reception in its leader's Feishu calendar (an event
	// on a calendar the app owns, the leader invited; moved on 改期, deleted
	// on 取消). The app needs the calendar scopes (calendar:calendar); a
	// call Feishu refuses is retried and then dead-lettered, and never
	// holds up the command.
	Calendar bool `yaml:"calendar"`
}

// RosterConfig is the roster of seconded members (成员 召回, issue 11).
type RosterConfig struct {
	// OrgContact are the open_ids of the 组织部 contact(s): they read the
	// recall records (成员 召回记录), get each new one by DM and confirm it
	// 已记录; no member record needed.
	OrgContact []string `yaml:"org_contact"`
}

// AttachmentsConfig is 附件's rules.
type AttachmentsConfig struct {
	// RequireFor are the commands refused on a case without an attachment:
	// 答复 (the 处理意见书 must be kept first), 化解 (the 息诉罢访协议).
	// Empty (the default): none.
	RequireFor []string `yaml:"require_for"`
}

// attachRequirable are the commands attachments.require_for may name.
var attachRequirable = []string{"答复", "化解"}

// ResolutionConfig is the resolution track's rules.
type ResolutionConfig struct {
	// ObserveDays: a resolved case is signed off (销号) only after a 回访 at
	// least this many days after 化解, with no repeat petition meanwhile.
	ObserveDays int `yaml:"observe_days"`
}

// SupervisionConfig is the 督查单's periods, in working days: the default
// 整改期限 and the spacing of its ladder (催办 the first working day after
// the deadline, then 通报, 约谈, 挂牌督办 each this many working days after
// the rung before).
type SupervisionConfig struct {
	RectifyDays    int `yaml:"rectify_days"`
	NoticeAfter    int `yaml:"notice_after"`
	InterviewAfter int `yaml:"interview_after"`
	ListedAfter    int `yaml:"listed_after"`
}

// SupervisionLadder is the 督查单 ladder (after Validate).
func (c Config) SupervisionLadder() xfbot.SupervisionLadder {
	s := c.Supervision
	return xfbot.SupervisionLadder{NoticeAfter: s.NoticeAfter, InterviewAfter: s.InterviewAfter, ListedAfter: s.ListedAfter}
}

// RemindersConfig tunes the reminder scan: quiet hours, the internal gaps of
// petition-domain §3.11 and the escalation ladder, written as "who:working
// days" so that the environment can set it as a list.
type RemindersConfig struct {
	QuietFrom          int           `yaml:"quiet_from"`
	QuietTo            int           `yaml:"quiet_to"`
	StaleDays          int           `yaml:"stale_days"`
	ContactBacklogDays int           `yaml:"contact_backlog_days"`
	ContactKeyDays     int           `yaml:"contact_key_days"`
	Ladder             []string      `yaml:"ladder"`
	Jitter             time.Duration `yaml:"jitter"`
}

// SenderConfig sizes the outbox sender. The rates are messages per second and
// sit at Feishu's documented limits (5/s per chat, 50/s per app) by default.
type SenderConfig struct {
	Workers int     `yaml:"workers"`
	PerChat float64 `yaml:"per_chat"`
	PerApp  float64 `yaml:"per_app"`
	// RateLimit says where the rates are kept: shared (in Redis, so that
	// all replicas together stay within them), local (in each process: n
	// replicas send n times the rate) or off (benchmarks, a fake Feishu).
	RateLimit string `yaml:"rate_limit"`
}

// Where the sender's rate limits are kept (sender.rate_limit).
const (
	RateLimitShared = "shared"
	RateLimitLocal  = "local"
	RateLimitOff    = "off"
)

// LogConfig configures log/slog.
type LogConfig struct {
	Level  string `yaml:"level"`  // debug, info, warn, error (slog.Level text)
	Format string `yaml:"format"` // text or json
}

// DefaultConfig returns the configuration used for every key that neither the
// file nor the environment sets. config.example.yaml repeats these values and
// a test keeps the two equal.
func DefaultConfig() Config {
	th := xfbot.DefaultThresholds
	return Config{
		Lark: LarkConfig{
			BaseURL: "https://open.feishu.cn",
			Mode:    ModeWebsocket,
		},
		HTTP: HTTPConfig{Addr: ":8080"},
		Redis: RedisConfig{
			Addr:   "127.0.0.1:6379",
			Prefix: "xf",
		},
		Timezone: "Asia/Shanghai",
		Deadline: DeadlineConfig{Yellow: th.Yellow, Orange: th.Orange, Black: th.Black},
		Holidays: xfbot.DefaultHolidayTables(),
		// Empty, not nil: as config.example.yaml's [] decodes.
		Units: []NameConfig{}, Areas: []NameConfig{}, Categories: []NameConfig{}, Districts: []DistrictConfig{},
		Schedule: ScheduleConfig{
			Overdue:      "5 9 * * 1-5",
			GroupDaily:   "35 9 * * 1-5",
			Reception:    "5 8 * * *", // before a morning reception: the day-of briefing
			LeaderDigest: "45 8 * * 1-5",
			GroupWeekly:  "10 9 * * 1",
			Monthly:      "15 9 1 * *",
		},
		GroupReplies: "light",
		Reception:    ReceptionConfig{NagDay: 25, Calendar: true}, Resolution: ResolutionConfig{ObserveDays: 30},
		Attachments: AttachmentsConfig{RequireFor: []string{}}, // none; as the example's require_for: [] reads
		Supervision: SupervisionConfig{RectifyDays: xfbot.DefaultRectifyDays, NoticeAfter: xfbot.DefaultSupervisionLadder.NoticeAfter,
			InterviewAfter: xfbot.DefaultSupervisionLadder.InterviewAfter, ListedAfter: xfbot.DefaultSupervisionLadder.ListedAfter},
		Reminders: RemindersConfig{QuietFrom: 21, QuietTo: 8, StaleDays: 7, ContactBacklogDays: 30, ContactKeyDays: 14,
			Ladder: []string{"liaison:1", "leader:3", "lead:5"}, Jitter: 60 * time.Second},
		Sender: SenderConfig{Workers: 16, PerChat: 5, PerApp: 50, RateLimit: RateLimitShared},
		Log:    LogConfig{Level: "info", Format: "text"},
	}
}

// LoadConfig starts from DefaultConfig, decodes the YAML file at path over it
// (path "" skips the file; a path that does not exist is an error, because a
// mistyped -config must not quietly run on defaults), then applies the
// environment, given as os.Environ() does.
//
// The environment rule: the key at dotted path a.b_c is overridden by
// XFBOT_A_B_C. A variable that is unset or empty leaves the key alone (so a
// blank line in an env file does not wipe the file's value); lists are comma
// separated with blanks trimmed and empty items dropped; booleans are what
// strconv.ParseBool accepts. The holidays tables cannot be set this way, and
// XFBOT_HOLIDAYS is an error rather than ignored. Other XFBOT_ variables that
// name no key (XFBOT_CONFIG, XFBOT_TEST_REDIS_ADDR) are left to their owners.
//
// Unknown YAML keys and unparsable variables are errors, all reported at once.
// LoadConfig does not call Validate.
func LoadConfig(path string, environ []string) (Config, error) {
	c := DefaultConfig()
	if path != "" {
		if err := c.decodeFile(path); err != nil {
			return Config{}, err
		}
	}
	if err := c.applyEnv(environ); err != nil {
		return Config{}, err
	}
	return c, nil
}

func (c *Config) decodeFile(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true) // a typo'd key would otherwise silently fall back to its default
	switch err := dec.Decode(c); {
	case errors.Is(err, io.EOF):
		return nil // an empty file, or only comments
	case err != nil:
		return fmt.Errorf("config %s: %w", path, err)
	}
	// A second document would be ignored by Decode; say so instead.
	var rest yaml.Node
	if err := dec.Decode(&rest); !errors.Is(err, io.EOF) {
		return fmt.Errorf("config %s: only one YAML document is allowed", path)
	}
	return nil
}

func (c *Config) applyEnv(environ []string) error {
	env := make(map[string]string, len(environ))
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok {
			env[k] = v // later entries win, as in os/exec
		}
	}
	root := reflect.ValueOf(c).Elem()
	var errs []error
	for _, k := range configKeys() {
		v, ok := env[k.Env]
		if !ok || strings.TrimSpace(v) == "" {
			continue
		}
		if !k.EnvSettable {
			errs = append(errs, fmt.Errorf("%s: %s 不能用环境变量设置，请写在配置文件里 / cannot be set from the environment; set it in the config file", k.Env, k.Path))
			continue
		}
		if err := setFromString(root.FieldByIndex(k.Index), v); err != nil {
			shown := strconv.Quote(v)
			if k.Secret {
				shown = "(secret)"
			}
			errs = append(errs, fmt.Errorf("%s=%s: %w", k.Env, shown, err))
		}
	}
	return errors.Join(errs...)
}

var durationType = reflect.TypeFor[time.Duration]()

// setFromString parses s into v by kind, so that a new field of an ordinary
// type gets its environment override without code here.
func setFromString(v reflect.Value, s string) error {
	s = strings.TrimSpace(s)
	if v.Type() == durationType {
		d, err := time.ParseDuration(s)
		if err != nil {
			return errors.New("不是时长，例如 30s / not a duration such as 30s")
		}
		v.SetInt(int64(d))
		return nil
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(s)
	case reflect.Bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return errors.New("应为 true 或 false / not a boolean (true or false)")
		}
		v.SetBool(b)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(s, 10, v.Type().Bits())
		if err != nil {
			return errors.New("不是整数 / not an integer")
		}
		v.SetInt(n)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n, err := strconv.ParseUint(s, 10, v.Type().Bits())
		if err != nil {
			return errors.New("不是非负整数 / not a non-negative integer")
		}
		v.SetUint(n)
	case reflect.Float32, reflect.Float64:
		f, err := strconv.ParseFloat(s, v.Type().Bits())
		if err != nil {
			return errors.New("不是数字 / not a number")
		}
		v.SetFloat(f)
	case reflect.Slice: // only []string reaches here; see envSettable
		var items []string
		for item := range strings.SplitSeq(s, ",") {
			if item = strings.TrimSpace(item); item != "" {
				items = append(items, item)
			}
		}
		v.Set(reflect.ValueOf(items).Convert(v.Type()))
	default:
		return fmt.Errorf("type %s cannot be set from the environment", v.Type())
	}
	return nil
}

// configKey is one leaf of the YAML tree.
type configKey struct {
	Path        string // dotted YAML path, "lark.app_id"
	Env         string // XFBOT_LARK_APP_ID; set even when !EnvSettable, to reject it
	EnvSettable bool
	Secret      bool
	Index       []int // for reflect.Value.FieldByIndex on a Config
}

// configKeys lists the leaves of Config in field order.
var configKeys = sync.OnceValue(func() []configKey {
	var keys []configKey
	walkKeys(reflect.TypeFor[Config](), "", nil, &keys)
	return keys
})

func walkKeys(t reflect.Type, prefix string, index []int, out *[]configKey) {
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			panic(fmt.Sprintf("config: field %s%s has no yaml tag", prefix, f.Name))
		}
		path := prefix + name
		idx := append(append([]int(nil), index...), i)
		if f.Type.Kind() == reflect.Struct {
			walkKeys(f.Type, path+".", idx, out)
			continue
		}
		*out = append(*out, configKey{
			Path:        path,
			Env:         envName(path),
			EnvSettable: envSettable(f.Type),
			Secret:      f.Tag.Get("secret") == "true",
			Index:       idx,
		})
	}
}

func envName(path string) string {
	return envPrefix + strings.ToUpper(strings.ReplaceAll(path, ".", "_"))
}

func envSettable(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.String, reflect.Bool,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return true
	case reflect.Slice:
		return t.Elem().Kind() == reflect.String
	}
	return false
}

// keyLabel names a key for an operator: its path and, when it has one, the
// variable that overrides it.
func keyLabel(path string) string {
	for _, k := range configKeys() {
		if k.Path == path && k.EnvSettable {
			return path + " (" + k.Env + ")"
		}
	}
	return path
}

// Validate reports every problem at once, one line per key, so an operator
// fixes a config in one round rather than one restart per mistake.
func (c Config) Validate() error {
	var errs []error
	bad := func(path, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", keyLabel(path), fmt.Sprintf(format, args...)))
	}

	type appOf struct {
		id   string
		lark LarkConfig
	}
	ids, apps, prefixes := map[string]bool{c.DistrictID(): true}, map[string]appOf{c.Lark.AppID: {c.DistrictID(), c.Lark}}, map[string]string{c.Redis.Prefix: c.DistrictID()}
	if c.District != "" && !districtID.MatchString(c.District) {
		bad("district", "应为小写字母、数字、- 或 _（至多 32 个），现为 %q / must be a-z, 0-9, - or _", c.District)
	}
	for i, d := range c.Districts {
		path := fmt.Sprintf("districts[%d]", i)
		switch {
		case !districtID.MatchString(d.ID):
			bad(path+".id", "应为小写字母、数字、- 或 _（至多 32 个），现为 %q / must be a-z, 0-9, - or _", d.ID)
			continue
		case ids[d.ID]:
			bad(path+".id", "区 %q 重复 / district %q appears twice", d.ID, d.ID)
			continue
		}
		ids[d.ID] = true
		dc := c.ForDistrict(d)
		switch other, shared := apps[dc.Lark.AppID]; {
		case d.Lark.AppID == "" && (d.Lark.AppSecret != "" || d.Lark.VerificationToken != "" || d.Lark.EncryptKey != ""):
			bad(path+".lark.app_id", "写了飞书应用的密钥却没有 app_id；与顶层共用应用时整段 lark 都不写 / credentials without an app_id; leave lark out to share the top-level app")
		case dc.Lark.AppID == "" || dc.Lark.AppSecret == "":
			bad(path+".lark", "没有飞书应用：写 app_id 和 app_secret，或不写 lark 与顶层共用一个应用 / no Feishu app: give app_id and app_secret, or leave lark out to share the top-level app")
		case shared && (other.lark.AppSecret != dc.Lark.AppSecret || other.lark.EncryptKey != dc.Lark.EncryptKey ||
			other.lark.VerificationToken != dc.Lark.VerificationToken || other.lark.Mode != dc.Lark.Mode || other.lark.BaseURL != dc.Lark.BaseURL):
			bad(path+".lark", "与区 %q 共用应用 %s，但 app_secret、encrypt_key、verification_token、mode 或 base_url 不同 / shares app %s with district %q but its credentials differ", other.id, dc.Lark.AppID, dc.Lark.AppID, other.id)
		case !shared:
			apps[dc.Lark.AppID] = appOf{d.ID, dc.Lark}
		}
		if other, ok := prefixes[dc.Redis.Prefix]; ok {
			bad(path+".prefix", "与区 %q 的前缀相同，两区的数据会混在一起 / the same key prefix as district %q", other, other)
		}
		prefixes[dc.Redis.Prefix] = d.ID
		// The district's merged configuration is checked as the top level
		// is, each line naming the district: districts[2] 河口区: schedule.…
		if err := dc.Validate(); err != nil {
			label := path
			if d.Name != "" {
				label += " " + d.Name
			}
			for line := range strings.SplitSeq(err.Error(), "\n") {
				// The variable keyLabel names sets the top level, not the
				// district's own value: leaving it would send the operator
				// to the wrong place.
				errs = append(errs, fmt.Errorf("%s: %s", label, envLabel.ReplaceAllString(line, "")))
			}
		}
	}

	if n := len(c.Privacy.IndexSecret); n > 0 && n < minIndexSecret {
		bad("privacy.index_secret", "至少 %d 个字符（现为 %d 个），建议用 openssl rand -hex 32 生成 / must be at least %d characters; generate one with openssl rand -hex 32", minIndexSecret, n, minIndexSecret)
	}

	switch c.Lark.Mode {
	case ModeWebsocket:
	case ModeWebhook:
		if c.Lark.EncryptKey == "" && !c.Lark.AllowUnsigned {
			bad("lark.encrypt_key", "webhook 模式必须配置 encrypt_key，除非 allow_unsigned 为 true / webhook mode requires an encrypt key unless allow_unsigned is true")
		}
		if c.HTTP.Addr == "" {
			bad("http.addr", "webhook 模式需要 HTTP 监听地址 / webhook mode needs an address to receive events on")
		}
	default:
		bad("lark.mode", "应为 %s 或 %s，现为 %q / must be %s or %s", ModeWebsocket, ModeWebhook, c.Lark.Mode, ModeWebsocket, ModeWebhook)
	}
	if u, err := url.Parse(c.Lark.BaseURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		bad("lark.base_url", "应为 https://host 形式的地址，现为 %q / must be an absolute http(s) URL", c.Lark.BaseURL)
	}

	addrs := c.RedisAddrs()
	switch {
	case len(addrs) == 0:
		bad("redis.addr", "不能为空 / must not be empty")
	case c.Redis.Cluster && c.Redis.MasterName != "":
		bad("redis.cluster", "cluster 与 master_name（Sentinel）只能选一 / cluster and master_name (Sentinel) are exclusive")
	case len(addrs) > 1 && !c.Redis.Cluster && c.Redis.MasterName == "":
		bad("redis.addr", "多个地址需要 cluster: true 或 master_name / several addresses need cluster: true or master_name")
	}
	if c.Redis.DB < 0 {
		bad("redis.db", "不能为负数 / must not be negative")
	}
	if c.Redis.Cluster && c.Redis.DB != 0 {
		bad("redis.db", "Redis Cluster 只有 0 号库 / Redis Cluster has only db 0")
	}
	if c.Redis.WaitReplicas < 0 || c.Redis.WaitReplicas > 5 {
		bad("redis.wait_replicas", "应为 0 到 5（0 为不等待副本），现为 %d / must be 0 to 5", c.Redis.WaitReplicas)
	}
	if c.Redis.WaitTimeout < 0 || c.Redis.WaitTimeout > 2*time.Second {
		bad("redis.wait_timeout", "应为 0 到 2s（须小于 Redis 客户端 3 秒的读超时），现为 %s / must be 0 to 2s, below the client's 3 s read timeout", c.Redis.WaitTimeout)
	}
	if c.Redis.Prefix == "" {
		bad("redis.prefix", "不能为空，多套部署共用 Redis 时靠它区分 / must not be empty")
	}

	if c.Timezone == "" {
		// LoadLocation("") is UTC, which would shift every job by eight hours.
		bad("timezone", "不能为空 / must not be empty")
	} else if _, err := time.LoadLocation(c.Timezone); err != nil {
		bad("timezone", "无法加载时区 / cannot load: %v", err)
	}

	for _, l := range []struct {
		path string
		ids  []string
	}{{"admins", c.Admins}, {"leaders", c.Leaders}} {
		for i, id := range l.ids {
			if strings.TrimSpace(id) == "" {
				bad(l.path, "第%d项为空 / item %d is empty", i+1, i+1)
			}
		}
	}

	d := c.Deadline
	if d.Orange <= 0 {
		bad("deadline.orange", "应大于 0，现为 %d / must be > 0", d.Orange)
	}
	if d.Yellow <= d.Orange {
		bad("deadline.yellow", "应大于 orange（%d），现为 %d / must be greater than orange", d.Orange, d.Yellow)
	}
	if d.Black <= 0 {
		bad("deadline.black", "应大于 0，现为 %d / must be > 0", d.Black)
	}

	if _, err := xfbot.NewCalendar(c.Holidays...); err != nil {
		bad("holidays", "%v", err)
	}
	c.validateRegistry(bad)

	// Walk the keys so that a schedule added to ScheduleConfig is checked too.
	root := reflect.ValueOf(c)
	for _, k := range configKeys() {
		if !strings.HasPrefix(k.Path, "schedule.") {
			continue
		}
		spec := root.FieldByIndex(k.Index).String()
		if _, err := cron.ParseStandard(spec); err != nil {
			bad(k.Path, "cron 表达式 %q 无效 / invalid cron spec: %v", spec, err)
		}
	}

	if n := c.Resolution.ObserveDays; n < 1 || n > 365 {
		bad("resolution.observe_days", "应在 1–365 天之间，现为 %d / must be 1..365 days", n)
	}
	for _, x := range []struct {
		key string
		n   int
	}{{"supervision.rectify_days", c.Supervision.RectifyDays}, {"supervision.notice_after", c.Supervision.NoticeAfter},
		{"supervision.interview_after", c.Supervision.InterviewAfter}, {"supervision.listed_after", c.Supervision.ListedAfter}} {
		if x.n < 1 || x.n > 60 {
			bad(x.key, "应在 1–60 个工作日之间，现为 %d / must be 1..60 working days", x.n)
		}
	}
	for _, v := range c.Attachments.RequireFor {
		if !slices.Contains(attachRequirable, v) {
			bad("attachments.require_for", "只能写 %s，现为 %q / may name only %s", strings.Join(attachRequirable, "、"), v, strings.Join(attachRequirable, ", "))
		}
	}
	if g := c.GroupReplies; g != "light" && g != "full" {
		bad("group_replies", "应为 light（群里写操作只回一行）或 full（回整张案件卡片），现为 %q / must be light or full", g)
	}
	if n := c.Reception.NagDay; n < 1 || n > 28 {
		bad("reception.nag_day", "应在 1–28 之间（每月都有的日子），现为 %d / must be 1..28", n)
	}

	if c.Sender.Workers <= 0 {
		bad("sender.workers", "应大于 0 / must be > 0")
	}
	for _, r := range []struct {
		path string
		v    float64
	}{{"sender.per_chat", c.Sender.PerChat}, {"sender.per_app", c.Sender.PerApp}} {
		if !(r.v > 0) || math.IsInf(r.v, 0) { // !(> 0) also catches NaN
			bad(r.path, "应为正数，现为 %v / must be a positive number", r.v)
		}
	}

	if m := c.Sender.RateLimit; m != RateLimitShared && m != RateLimitLocal && m != RateLimitOff {
		bad("sender.rate_limit", "应为 shared（各副本经 Redis 共用限额）、local（每个进程各自限速）或 off，现为 %q / must be shared, local or off", m)
	}

	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(c.Log.Level)); err != nil {
		bad("log.level", "应为 debug、info、warn 或 error，现为 %q / must be debug, info, warn or error", c.Log.Level)
	}
	if c.Log.Format != "text" && c.Log.Format != "json" {
		bad("log.format", "应为 text 或 json，现为 %q / must be text or json", c.Log.Format)
	}

	r := c.Reminders
	if r.QuietFrom < 0 || r.QuietFrom > 24 || r.QuietTo < 0 || r.QuietTo > 24 {
		bad("reminders.quiet_from", "免打扰时段应为 0–24 点 / quiet hours must be 0–24")
	}
	if r.StaleDays < 0 || r.ContactBacklogDays < 0 || r.ContactKeyDays < 0 {
		bad("reminders.stale_days", "天数不能为负 / days must not be negative")
	}
	if _, err := parseLadder(r.Ladder); err != nil {
		bad("reminders.ladder", "%v", err)
	}
	if r.Jitter < 0 {
		bad("reminders.jitter", "不能为负 / must not be negative")
	}
	return errors.Join(errs...)
}

// HasLarkCredentials reports whether the app can talk to Feishu at all; without
// them the binary can still run offline commands and the console.
func (c Config) HasLarkCredentials() bool {
	return c.Lark.AppID != "" && c.Lark.AppSecret != ""
}

// NoAdmins reports the one configuration that starts but cannot be used:
// without admins nobody may add members (成员 添加 is an admin's), so nobody
// but the configured leaders can do anything. Valid, since a first start
// may not know the lead's open_id yet; serve warns about it.
func (c Config) NoAdmins() bool { return len(c.Admins) == 0 }

// noAdminsWarning is serve's line for NoAdmins.
const noAdminsWarning = "admins 为空：没有人能添加成员 / no admins configured: nobody can add members. " +
	"请在配置文件的 admins 中填写专班负责人的 open_id（ou_…），或设置环境变量 XFBOT_ADMINS=ou_甲,ou_乙（逗号分隔），然后重启"

// RedisAddrs splits redis.addr into its seed nodes.
func (c Config) RedisAddrs() []string {
	var addrs []string
	for a := range strings.SplitSeq(c.Redis.Addr, ",") {
		if a = strings.TrimSpace(a); a != "" {
			addrs = append(addrs, a)
		}
	}
	return addrs
}

// Location is the configured time zone. Call it only after Validate: it
// panics on a zone that does not load, since guessing one would move every
// deadline and job.
func (c Config) Location() *time.Location {
	loc, err := time.LoadLocation(c.Timezone)
	if err != nil || c.Timezone == "" {
		panic(fmt.Sprintf("config: timezone %q: Validate was not called or failed: %v", c.Timezone, err))
	}
	return loc
}

// Calendar builds the working-day calendar from the holiday tables. Call it
// only after Validate: it panics on tables that do not build.
func (c Config) Calendar() *xfbot.Calendar {
	cal, err := xfbot.NewCalendar(c.Holidays...)
	if err != nil {
		panic(fmt.Sprintf("config: holidays: Validate was not called or failed: %v", err))
	}
	return cal
}

// Thresholds are the deadline warning thresholds for the domain.
// Gaps are the internal time limits of the reminder scan.
func (c Config) Gaps() xfbot.Gaps {
	return xfbot.Gaps{Stale: c.Reminders.StaleDays, ContactBacklog: c.Reminders.ContactBacklogDays, ContactKey: c.Reminders.ContactKeyDays}
}

// Ladder is the escalation ladder (after Validate).
func (c Config) Ladder() []xfbot.Escalation {
	l, _ := parseLadder(c.Reminders.Ladder)
	return l
}

func parseLadder(steps []string) ([]xfbot.Escalation, error) {
	var out []xfbot.Escalation
	for _, s := range steps {
		who, days, ok := strings.Cut(s, ":")
		n, err := strconv.Atoi(strings.TrimSpace(days))
		to := xfbot.EscalateTo(strings.TrimSpace(who))
		if !ok || err != nil || n < 0 || (to != xfbot.EscalateLiaison && to != xfbot.EscalateLeader && to != xfbot.EscalateLead) {
			return nil, fmt.Errorf("%q: 应写成 liaison|leader|lead:工作日数 / must be liaison|leader|lead:working days", s)
		}
		if len(out) > 0 && n < out[len(out)-1].After {
			return nil, fmt.Errorf("%q: 各级天数不能递减 / steps must not go back in time", s)
		}
		out = append(out, xfbot.Escalation{To: to, After: n})
	}
	return out, nil
}

func (c Config) Thresholds() xfbot.Thresholds {
	return xfbot.Thresholds{Yellow: c.Deadline.Yellow, Orange: c.Deadline.Orange, Black: c.Deadline.Black}
}

// redactedMark replaces a secret that is set; an unset secret stays empty so
// the log still shows whether it was configured.
const redactedMark = "[redacted]"

// Redacted returns a copy safe to log: every field tagged secret:"true" that
// is set reads redactedMark. Slices are shared with c; the copy is for
// printing, not for editing.
func (c Config) Redacted() Config {
	root := reflect.ValueOf(&c).Elem()
	for _, k := range configKeys() {
		if !k.Secret {
			continue
		}
		if f := root.FieldByIndex(k.Index); f.Kind() == reflect.String && f.String() != "" {
			f.SetString(redactedMark)
		}
	}
	// The districts' apps, which the key walk does not enter (a list).
	ds := make([]DistrictConfig, len(c.Districts))
	for i, d := range c.Districts {
		for _, s := range []*string{&d.Lark.AppSecret, &d.Lark.VerificationToken, &d.Lark.EncryptKey} {
			if *s != "" {
				*s = redactedMark
			}
		}
		ds[i] = d
	}
	c.Districts = ds
	return c
}

// printable has Config's fields but none of its methods, so formatting it does
// not recurse into String.
type printable Config

// String, GoString and LogValue print the redacted copy, so that passing the
// whole Config to fmt or slog by mistake cannot leak a secret.
func (c Config) String() string { return fmt.Sprintf("%+v", printable(c.Redacted())) }

// GoString covers %#v.
func (c Config) GoString() string { return fmt.Sprintf("%#v", printable(c.Redacted())) }

// LogValue implements slog.LogValuer.
func (c Config) LogValue() slog.Value { return slog.AnyValue(printable(c.Redacted())) }
