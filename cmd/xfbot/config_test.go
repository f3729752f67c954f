package main

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/qingchuan/xfbot"
)

const examplePath = "../../config.example.yaml"

func writeConfig(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadConfig(t *testing.T) {
	tests := []struct {
		name    string
		yaml    string // "" means no file
		env     []string
		want    func(*Config) // edits DefaultConfig into the expected result
		wantErr string
	}{
		{
			name: "Defaults",
			want: func(*Config) {},
		},
		{
			name: "EmptyFile",
			yaml: "# nothing but a comment\n",
			want: func(*Config) {},
		},
		{
			name: "FileOverrides",
			yaml: `
lark:
  app_id: cli_file
  mode: webhook
  allow_unsigned: true
redis:
  db: 3
timezone: Asia/Urumqi
admins: [ou_a, ou_b]
deadline: {yellow: 5, orange: 2}
sender: {per_chat: 2.5}
holidays:
  - year: 2026
    holidays: [2026-10-01..2026-10-07]
    workdays: [2026-10-10]
`,
			want: func(c *Config) {
				c.Lark.AppID = "cli_file"
				c.Lark.Mode = ModeWebhook
				c.Lark.AllowUnsigned = true
				c.Redis.DB = 3
				c.Timezone = "Asia/Urumqi"
				c.Admins = []string{"ou_a", "ou_b"}
				c.Deadline.Yellow, c.Deadline.Orange = 5, 2
				c.Sender.PerChat = 2.5
				c.Holidays = []xfbot.HolidayTable{{Year: 2026, Holidays: []string{"2026-10-01..2026-10-07"}, Workdays: []string{"2026-10-10"}}}
			},
		},
		{
			name: "EnvOverridesFile",
			yaml: "lark: {app_id: cli_file, app_secret: from_file}\nredis: {db: 3}\nadmins: [ou_file]\n",
			env: []string{
				"XFBOT_LARK_APP_ID=cli_env",
				"XFBOT_REDIS_DB=5",
				"XFBOT_ADMINS=ou_env",
				"XFBOT_LARK_APP_SECRET=", // empty counts as unset
				"PATH=/usr/bin",
			},
			want: func(c *Config) {
				c.Lark.AppID = "cli_env"
				c.Lark.AppSecret = "from_file"
				c.Redis.DB = 5
				c.Admins = []string{"ou_env"}
			},
		},
		{
			name: "EnvEveryKind",
			env: []string{
				"XFBOT_LARK_ALLOW_UNSIGNED=true",
				"XFBOT_REDIS_CLUSTER=1",
				"XFBOT_SENDER_PER_APP=12.5",
				"XFBOT_RECEPTION_NAG_DAY=20",
				"XFBOT_SCHEDULE_MONTHLY=@every 2s",
				"XFBOT_GROUP_CHAT_ID=oc_1",
				"XFBOT_TIMEZONE=UTC",
			},
			want: func(c *Config) {
				c.Lark.AllowUnsigned = true
				c.Redis.Cluster = true
				c.Sender.PerApp = 12.5
				c.Reception.NagDay = 20
				c.Schedule.Monthly = "@every 2s"
				c.GroupChatID = "oc_1"
				c.Timezone = "UTC"
			},
		},
		{
			name: "EnvListTrimmed",
			env:  []string{"XFBOT_ADMINS=ou_a, ou_b", "XFBOT_LEADERS= ou_l1 ,,ou_l2, "},
			want: func(c *Config) {
				c.Admins = []string{"ou_a", "ou_b"}
				c.Leaders = []string{"ou_l1", "ou_l2"}
			},
		},
		{
			name: "EnvLastWins",
			env:  []string{"XFBOT_REDIS_PREFIX=one", "XFBOT_REDIS_PREFIX=two"},
			want: func(c *Config) { c.Redis.Prefix = "two" },
		},
		{
			name:    "EnvBadInt",
			env:     []string{"XFBOT_REDIS_DB=abc"},
			wantErr: "XFBOT_REDIS_DB",
		},
		{
			name:    "EnvBadBool",
			env:     []string{"XFBOT_LARK_ALLOW_UNSIGNED=maybe"},
			wantErr: "XFBOT_LARK_ALLOW_UNSIGNED",
		},
		{
			name:    "EnvBadFloat",
			env:     []string{"XFBOT_SENDER_PER_CHAT=fast"},
			wantErr: "XFBOT_SENDER_PER_CHAT",
		},
		{
			name:    "EnvHolidaysRejected",
			env:     []string{"XFBOT_HOLIDAYS=2026-10-01"},
			wantErr: "XFBOT_HOLIDAYS",
		},
		{
			name:    "UnknownKey",
			yaml:    "lark:\n  app_idd: typo\n",
			wantErr: "app_idd",
		},
		{
			name:    "UnknownTopLevelKey",
			yaml:    "admin: [ou_a]\n",
			wantErr: "admin",
		},
		{
			name:    "UnknownHolidayKey",
			yaml:    "holidays:\n  - year: 2026\n    holiday: [2026-10-01]\n",
			wantErr: "holiday",
		},
		{
			name:    "WrongType",
			yaml:    "redis:\n  db: abc\n",
			wantErr: "abc",
		},
		{
			name:    "TwoDocuments",
			yaml:    "timezone: UTC\n---\ntimezone: Asia/Shanghai\n",
			wantErr: "one YAML document",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := ""
			if tt.yaml != "" {
				path = writeConfig(t, tt.yaml)
			}
			got, err := LoadConfig(path, tt.env)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("LoadConfig error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("LoadConfig: %v", err)
			}
			want := DefaultConfig()
			tt.want(&want)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("LoadConfig =\n%#v\nwant\n%#v", printable(got), printable(want))
			}
		})
	}
}

func TestLoadConfigMissingFile(t *testing.T) {
	_, err := LoadConfig(filepath.Join(t.TempDir(), "nope.yaml"), nil)
	if !os.IsNotExist(unwrapAll(err)) {
		t.Fatalf("LoadConfig(missing) error = %v, want a not-exist error", err)
	}
}

func unwrapAll(err error) error {
	for {
		u, ok := err.(interface{ Unwrap() error })
		if !ok {
			return err
		}
		err = u.Unwrap()
	}
}

func TestLoadConfigReportsAllEnvErrors(t *testing.T) {
	_, err := LoadConfig("", []string{"XFBOT_REDIS_DB=abc", "XFBOT_SENDER_WORKERS=many"})
	if err == nil {
		t.Fatal("want an error")
	}
	for _, name := range []string{"XFBOT_REDIS_DB", "XFBOT_SENDER_WORKERS"} {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("error %q does not name %s", err, name)
		}
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name    string
		edit    func(*Config)
		wantErr []string // substrings; nil means valid
	}{
		{"Defaults", func(*Config) {}, nil},
		{"WebhookSigned", func(c *Config) { c.Lark.Mode = ModeWebhook; c.Lark.EncryptKey = "k" }, nil},
		{"WebhookUnsignedAllowed", func(c *Config) { c.Lark.Mode = ModeWebhook; c.Lark.AllowUnsigned = true }, nil},
		{"WebhookNoEncryptKey", func(c *Config) { c.Lark.Mode = ModeWebhook },
			[]string{"lark.encrypt_key", "webhook mode requires an encrypt key unless allow_unsigned"}},
		{"WebhookNoHTTP", func(c *Config) { c.Lark.Mode = ModeWebhook; c.Lark.EncryptKey = "k"; c.HTTP.Addr = "" },
			[]string{"http.addr"}},
		{"BadMode", func(c *Config) { c.Lark.Mode = "polling" }, []string{"lark.mode", "XFBOT_LARK_MODE"}},
		{"BadBaseURL", func(c *Config) { c.Lark.BaseURL = "open.feishu.cn" }, []string{"lark.base_url"}},
		{"EveryDescriptor", func(c *Config) { c.Schedule.Overdue = "@every 2s" }, nil},
		{"DailyDescriptor", func(c *Config) { c.Schedule.Monthly = "@daily" }, nil},
		{"BadCron", func(c *Config) { c.Schedule.GroupDaily = "every morning" }, []string{"schedule.group_daily"}},
		{"SixFieldCron", func(c *Config) { c.Schedule.Overdue = "0 5 9 * * 1-5" }, []string{"schedule.overdue"}},
		{"EmptyCron", func(c *Config) { c.Schedule.Reception = "" }, []string{"schedule.reception"}},
		{"BadTimezone", func(c *Config) { c.Timezone = "Mars/Olympus" }, []string{"timezone"}},
		{"EmptyTimezone", func(c *Config) { c.Timezone = "" }, []string{"timezone"}},
		{"OrangeZero", func(c *Config) { c.Deadline.Orange = 0 }, []string{"deadline.orange"}},
		{"YellowNotAboveOrange", func(c *Config) { c.Deadline.Yellow = 3 }, []string{"deadline.yellow"}},
		{"BlackZero", func(c *Config) { c.Deadline.Black = 0 }, []string{"deadline.black"}},
		{"HolidayOutsideYear", func(c *Config) {
			c.Holidays = []xfbot.HolidayTable{{Year: 2026, Holidays: []string{"2027-01-01"}}}
		}, []string{"holidays"}},
		{"HolidayYearTwice", func(c *Config) {
			c.Holidays = append(c.Holidays, xfbot.HolidayTable{Year: 2026})
		}, []string{"holidays"}},
		{"NoHolidays", func(c *Config) { c.Holidays = nil }, nil},
		{"NagDayZero", func(c *Config) { c.Reception.NagDay = 0 }, []string{"reception.nag_day"}},
		{"NagDay29", func(c *Config) { c.Reception.NagDay = 29 }, []string{"reception.nag_day"}},
		{"NagDay28", func(c *Config) { c.Reception.NagDay = 28 }, nil},
		{"SenderZero", func(c *Config) { c.Sender.Workers = 0; c.Sender.PerChat = 0; c.Sender.PerApp = -1 },
			[]string{"sender.workers", "sender.per_chat", "sender.per_app"}},
		{"SenderRateLimitLocal", func(c *Config) { c.Sender.RateLimit = "local" }, nil},
		{"SenderRateLimitOff", func(c *Config) { c.Sender.RateLimit = "off" }, nil},
		{"SenderRateLimitUnknown", func(c *Config) { c.Sender.RateLimit = "redis" }, []string{"sender.rate_limit"}},
		{"BadLog", func(c *Config) { c.Log.Level = "loud"; c.Log.Format = "xml" }, []string{"log.level", "log.format"}},
		{"RedisSentinelSeeds", func(c *Config) { c.Redis.Addr = "a:26379, b:26379"; c.Redis.MasterName = "mymaster" }, nil},
		{"RedisClusterSeeds", func(c *Config) { c.Redis.Addr = "a:6379,b:6379"; c.Redis.Cluster = true }, nil},
		{"RedisSeveralSingle", func(c *Config) { c.Redis.Addr = "a:6379,b:6379" }, []string{"redis.addr"}},
		{"RedisClusterAndSentinel", func(c *Config) { c.Redis.Cluster = true; c.Redis.MasterName = "m" }, []string{"redis.cluster"}},
		{"RedisClusterDB", func(c *Config) { c.Redis.Cluster = true; c.Redis.DB = 1 }, []string{"redis.db"}},
		{"RedisEmpty", func(c *Config) { c.Redis.Addr = " , " }, []string{"redis.addr"}},
		{"EmptyAdmin", func(c *Config) { c.Admins = []string{"ou_a", " "} }, []string{"admins"}},
		{"AllAtOnce", func(c *Config) {
			c.Lark.Mode = ModeWebhook
			c.Schedule.Monthly = "bad"
			c.Reception.NagDay = 31
		}, []string{"lark.encrypt_key", "schedule.monthly", "reception.nag_day"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := DefaultConfig()
			tt.edit(&c)
			err := c.Validate()
			if tt.wantErr == nil {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate = nil, want errors mentioning %q", tt.wantErr)
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Validate error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func TestConfigAccessors(t *testing.T) {
	c := DefaultConfig()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	t.Run("Location", func(t *testing.T) {
		if got := c.Location().String(); got != "Asia/Shanghai" {
			t.Errorf("Location = %s", got)
		}
	})
	t.Run("Calendar", func(t *testing.T) {
		cal := c.Calendar()
		if !slices.Equal(cal.Years(), []int{2026, 2027}) {
			t.Errorf("Years = %v", cal.Years())
		}
		if cal.IsWorkday(xfbot.NewDate(2026, 10, 1)) || !cal.IsWorkday(xfbot.NewDate(2026, 10, 10)) {
			t.Error("the default calendar does not know 国庆节 2026")
		}
	})
	t.Run("Thresholds", func(t *testing.T) {
		if got := c.Thresholds(); got != xfbot.DefaultThresholds {
			t.Errorf("Thresholds = %+v, want %+v", got, xfbot.DefaultThresholds)
		}
	})
	t.Run("HasLarkCredentials", func(t *testing.T) {
		if c.HasLarkCredentials() {
			t.Error("defaults have credentials")
		}
		c := c
		c.Lark.AppID = "cli_x"
		if c.HasLarkCredentials() {
			t.Error("an app id alone counts as credentials")
		}
		c.Lark.AppSecret = "s"
		if !c.HasLarkCredentials() {
			t.Error("app id and secret do not count as credentials")
		}
	})
	t.Run("RedisAddrs", func(t *testing.T) {
		c := c
		c.Redis.Addr = " a:1 ,b:2,"
		if got := c.RedisAddrs(); !slices.Equal(got, []string{"a:1", "b:2"}) {
			t.Errorf("RedisAddrs = %q", got)
		}
	})
}

func TestRedacted(t *testing.T) {
	const secret = "s3cr3t-value"
	c := DefaultConfig()
	c.Lark.AppID = "cli_visible"
	c.Lark.AppSecret = secret
	c.Lark.EncryptKey = secret
	c.Lark.VerificationToken = secret
	c.Redis.Password = secret
	c.Privacy.IndexSecret = secret

	r := c.Redacted()
	if r.Lark.AppID != "cli_visible" {
		t.Errorf("Redacted hid a non-secret: app_id = %q", r.Lark.AppID)
	}
	if c.Lark.AppSecret != secret {
		t.Error("Redacted changed its receiver")
	}
	var logged strings.Builder
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("start", "config", c)
	slog.New(slog.NewTextHandler(&logged, nil)).Info("start", "config", c)
	for _, s := range []string{
		fmt.Sprint(r), fmt.Sprintf("%v %+v %#v %s", c, c, c, c), logged.String(),
	} {
		if strings.Contains(s, secret) {
			t.Errorf("secret printed: %s", s)
		}
	}
	if !strings.Contains(logged.String(), "cli_visible") {
		t.Errorf("log lost the config: %s", logged.String())
	}
	// Every secret key is blanked, found by tag so a new secret is covered.
	root := reflect.ValueOf(r)
	n := 0
	for _, k := range configKeys() {
		if k.Secret {
			n++
			if got := root.FieldByIndex(k.Index).String(); got != redactedMark {
				t.Errorf("%s = %q after Redacted", k.Path, got)
			}
		}
	}
	if n != 5 {
		t.Errorf("%d keys tagged secret, want 5 (app_secret, verification_token, encrypt_key, redis password, index_secret)", n)
	}
}

// TestEnvNames pins the outside contract: these names are in deployment files.
func TestEnvNames(t *testing.T) {
	byPath := map[string]configKey{}
	seen := map[string]string{}
	for _, k := range configKeys() {
		byPath[k.Path] = k
		if other, dup := seen[k.Env]; dup {
			t.Errorf("%s and %s share the variable %s", other, k.Path, k.Env)
		}
		seen[k.Env] = k.Path
	}
	for path, env := range map[string]string{
		"lark.app_id":             "XFBOT_LARK_APP_ID",
		"lark.app_secret":         "XFBOT_LARK_APP_SECRET",
		"lark.base_url":           "XFBOT_LARK_BASE_URL",
		"lark.mode":               "XFBOT_LARK_MODE",
		"lark.verification_token": "XFBOT_LARK_VERIFICATION_TOKEN",
		"lark.encrypt_key":        "XFBOT_LARK_ENCRYPT_KEY",
		"lark.allow_unsigned":     "XFBOT_LARK_ALLOW_UNSIGNED",
		"lark.bot_open_id":        "XFBOT_LARK_BOT_OPEN_ID",
		"http.addr":               "XFBOT_HTTP_ADDR",
		"redis.addr":              "XFBOT_REDIS_ADDR",
		"redis.password":          "XFBOT_REDIS_PASSWORD",
		"redis.db":                "XFBOT_REDIS_DB",
		"redis.prefix":            "XFBOT_REDIS_PREFIX",
		"redis.master_name":       "XFBOT_REDIS_MASTER_NAME",
		"redis.cluster":           "XFBOT_REDIS_CLUSTER",
		"timezone":                "XFBOT_TIMEZONE",
		"admins":                  "XFBOT_ADMINS",
		"leaders":                 "XFBOT_LEADERS",
		"group_chat_id":           "XFBOT_GROUP_CHAT_ID",
		"deadline.yellow":         "XFBOT_DEADLINE_YELLOW",
		"schedule.overdue":        "XFBOT_SCHEDULE_OVERDUE",
		"schedule.group_daily":    "XFBOT_SCHEDULE_GROUP_DAILY",
		"schedule.reception":      "XFBOT_SCHEDULE_RECEPTION",
		"schedule.leader_digest":  "XFBOT_SCHEDULE_LEADER_DIGEST",
		"schedule.group_weekly":   "XFBOT_SCHEDULE_GROUP_WEEKLY",
		"schedule.monthly":        "XFBOT_SCHEDULE_MONTHLY",
		"reception.nag_day":       "XFBOT_RECEPTION_NAG_DAY",
		"sender.workers":          "XFBOT_SENDER_WORKERS",
		"sender.rate_limit":       "XFBOT_SENDER_RATE_LIMIT",
		"log.format":              "XFBOT_LOG_FORMAT",
	} {
		k, ok := byPath[path]
		if !ok || k.Env != env || !k.EnvSettable {
			t.Errorf("%s: key %+v, want settable from %s", path, k, env)
		}
	}
	if k := byPath["holidays"]; k.EnvSettable {
		t.Error("holidays claims to be settable from the environment")
	}
}

// TestExampleDocumentsEveryKey keeps config.example.yaml and Config in step:
// the same leaf keys, each commented with its environment variable, and values
// equal to DefaultConfig so the documented defaults are the real ones.
func TestExampleDocumentsEveryKey(t *testing.T) {
	b, err := os.ReadFile(examplePath)
	if err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	type leaf struct{ comment string }
	inFile := map[string]leaf{}
	var walk func(n *yaml.Node, prefix string)
	walk = func(n *yaml.Node, prefix string) {
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			path := prefix + k.Value
			if v.Kind == yaml.MappingNode {
				walk(v, path+".")
				continue
			}
			inFile[path] = leaf{k.HeadComment + "\n" + k.LineComment + "\n" + v.LineComment}
		}
	}
	walk(doc.Content[0], "")

	inStruct := map[string]configKey{}
	for _, k := range configKeys() {
		inStruct[k.Path] = k
	}
	for path, k := range inStruct {
		l, ok := inFile[path]
		if !ok {
			t.Errorf("%s (%s) is missing from config.example.yaml", path, k.Env)
			continue
		}
		if !strings.Contains(l.comment, k.Env) {
			t.Errorf("config.example.yaml: the comment on %s does not name %s", path, k.Env)
		}
		if !strings.Contains(l.comment, "默认 default:") {
			t.Errorf("config.example.yaml: the comment on %s does not give its default", path)
		}
	}
	for path := range inFile {
		if _, ok := inStruct[path]; !ok {
			t.Errorf("config.example.yaml documents %s, which Config does not have", path)
		}
	}

	got, err := LoadConfig(examplePath, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := got.Validate(); err != nil {
		t.Fatalf("config.example.yaml does not validate: %v", err)
	}
	want := DefaultConfig()
	// admins: [] decodes to an empty slice where the default is nil; both mean none.
	for _, c := range []*Config{&got, &want} {
		if len(c.Admins) == 0 {
			c.Admins = nil
		}
		if len(c.Leaders) == 0 {
			c.Leaders = nil
		}
		if len(c.Roster.OrgContact) == 0 {
			c.Roster.OrgContact = nil
		}
		if len(c.City.Viewers) == 0 {
			c.City.Viewers = nil
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("config.example.yaml values differ from DefaultConfig:\n%#v\nwant\n%#v", printable(got), printable(want))
	}
}

func TestValidateIndexSecret(t *testing.T) {
	c := DefaultConfig()
	c.Privacy.IndexSecret = "short"
	err := c.Validate()
	if err == nil || !strings.Contains(err.Error(), "index_secret") || !strings.Contains(err.Error(), "至少 16 个字符（现为 5 个）") {
		t.Errorf("Validate = %v", err)
	}
	c.Privacy.IndexSecret = "0123456789abcdef0123456789abcdef"
	if err := c.Validate(); err != nil && strings.Contains(err.Error(), "index_secret") {
		t.Errorf("a 32-character secret refused: %v", err)
	}
}

// TestDistrictsConfig: each district is checked as a whole configuration
// and against the others (its own app, its own prefix), and its secrets
// are redacted like the top level's.
func TestDistrictsConfig(t *testing.T) {
	base := DefaultConfig()
	base.Lark = LarkConfig{AppID: "cli_a", AppSecret: "sa", BaseURL: "https://open.feishu.cn", Mode: ModeWebhook, EncryptKey: "ka"}
	d := func(id, app string) DistrictConfig {
		return DistrictConfig{ID: id, Lark: LarkConfig{AppID: app, AppSecret: "secret-" + id, EncryptKey: "key-" + id, VerificationToken: "tok-" + id}}
	}
	for _, tt := range []struct {
		name string
		ds   []DistrictConfig
		want string // in the error; "" for none
	}{
		{"Two", []DistrictConfig{d("hekou", "cli_b"), d("qingfeng", "cli_c")}, ""},
		{"BadID", []DistrictConfig{d("河口", "cli_b")}, "districts[0].id"},
		{"SameID", []DistrictConfig{d("hekou", "cli_b"), d("hekou", "cli_c")}, "重复"},
		{"DefaultID", []DistrictConfig{d("default", "cli_b")}, "重复"},
		// One app for several districts: left out, or the same credentials.
		{"SharedApp", []DistrictConfig{{ID: "hekou"}, {ID: "qingfeng", Lark: base.Lark}}, ""},
		{"SharedAppOtherSecret", []DistrictConfig{d("hekou", "cli_a")}, "shares app cli_a with district \"default\" but its credentials differ"},
		{"SharedBetweenTwo", []DistrictConfig{d("hekou", "cli_b"), func() DistrictConfig {
			x := d("qingfeng", "cli_b")
			x.Lark.AppSecret = "secret-hekou"
			x.Lark.EncryptKey, x.Lark.VerificationToken = "key-hekou", "tok-hekou"
			return x
		}()}, ""},
		{"SecretWithoutApp", []DistrictConfig{{ID: "hekou", Lark: LarkConfig{AppSecret: "s"}}}, "credentials without an app_id"},
		{"SamePrefix", []DistrictConfig{func() DistrictConfig { x := d("hekou", "cli_b"); x.Prefix = base.Redis.Prefix; return x }()}, "the same key prefix"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := base
			c.Districts = tt.ds
			err := c.Validate()
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("Validate: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("Validate = %v, want %q", err, tt.want)
			}
		})
	}
	c := base
	c.Districts = []DistrictConfig{d("hekou", "cli_b")}
	if dc := c.ForDistrict(c.Districts[0]); dc.Redis.Prefix != "xf_hekou" || dc.Lark.BaseURL != base.Lark.BaseURL || dc.Lark.Mode != ModeWebhook || dc.DistrictID() != "hekou" {
		t.Errorf("ForDistrict = prefix %q, base %q, mode %q, id %q", dc.Redis.Prefix, dc.Lark.BaseURL, dc.Lark.Mode, dc.DistrictID())
	}
	c.Districts = append(c.Districts, DistrictConfig{ID: "qingfeng", Name: "青峰区"})
	if dc := c.ForDistrict(c.Districts[1]); dc.Lark != base.Lark || dc.Redis.Prefix != "xf_qingfeng" || dc.DistrictLabel() != "青峰区" {
		t.Errorf("a district without lark shares the top-level app: ForDistrict = app %q, prefix %q, name %q", dc.Lark.AppID, dc.Redis.Prefix, dc.DistrictLabel())
	}
	s := fmt.Sprint(c)
	for _, secret := range []string{"secret-hekou", "key-hekou", "tok-hekou", "sa"} {
		if strings.Contains(s, `"`+secret+`"`) || strings.Contains(s, ":"+secret+" ") || strings.Contains(s, secret+"}") {
			t.Errorf("the printed config shows %q:\n%s", secret, s)
		}
	}
}

// TestAppGroups: districts are grouped by the Feishu app they name, in
// config order; each group gets one intake and one limiter (serve).
func TestAppGroups(t *testing.T) {
	base := DefaultConfig()
	base.Lark = LarkConfig{AppID: "cli_a", AppSecret: "sa"}
	base.Districts = []DistrictConfig{{ID: "b"}, {ID: "c", Lark: LarkConfig{AppID: "cli_c", AppSecret: "sc"}}, {ID: "d"}, {ID: "e", Lark: LarkConfig{AppID: "cli_c", AppSecret: "sc"}}}
	cfgs := []Config{base}
	for _, d := range base.Districts {
		cfgs = append(cfgs, base.ForDistrict(d))
	}
	if got, want := fmt.Sprint(appGroups(cfgs)), "[[0 1 3] [2 4]]"; got != want {
		t.Errorf("appGroups = %s, want %s (cli_a: the top level, b, d; cli_c: c, e)", got, want)
	}
}
