package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/tunneldoc/tunneldoc/bot"
	"github.com/tunneldoc/tunneldoc/bot/monitor"
	"github.com/tunneldoc/tunneldoc/bot/store"
	redisstore "github.com/tunneldoc/tunneldoc/bot/store/redis"
	"github.com/tunneldoc/tunneldoc/devices"
)

// Secret is a value read from the environment. It prints as <redacted>
// everywhere (fmt, slog, JSON), so a logged Config leaks nothing; Reveal
// is the one way to read it.
type Secret string

func (s Secret) String() string               { return s.mask() }
func (s Secret) GoString() string             { return s.mask() }
func (s Secret) LogValue() slog.Value         { return slog.StringValue(s.mask()) }
func (s Secret) MarshalJSON() ([]byte, error) { return []byte(strconv.Quote(s.mask())), nil }
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.mask()), nil }

// Reveal returns the secret itself, for the client that needs it.
func (s Secret) Reveal() string { return string(s) }

func (s Secret) mask() string {
	if s == "" {
		return "<unset>"
	}
	return "<redacted>"
}

// Slack modes.
const (
	modeAuto       = "auto"
	modeSocketMode = "socketmode"
	modeHTTP       = "http"
	modeConsole    = "console"
)

// Config is tunneldoc's whole configuration, read once by loadConfig:
// the defaults, then the YAML file, then the environment overrides, then
// the secrets named by the file's *_env keys (and the device credentials
// the inventory names). It never holds a secret the file spelled out.
// Each section is what one part is built from; nothing else in the
// program reads the environment.
type Config struct {
	Path string // the file read, "" when none

	Slack    SlackConfig
	Redis    RedisConfig
	Store    store.Options // incidents.*: how long incidents are kept
	Bot      BotConfig
	Devices  DevicesConfig
	Ops      OpsConfig
	Log      LogConfig
	Shutdown ShutdownConfig
	Monitor  MonitorConfig

	sources map[string]string // key -> "default", "file:LINE" or "env VAR"
}

// SlackConfig is the slack section: the way in and its secrets.
type SlackConfig struct {
	Mode                                       string // auto, socketmode, http or console
	BotTokenEnv, AppTokenEnv, SigningSecretEnv string
	BotToken, AppToken, SigningSecret          Secret
	APIURL                                     string // "" is Slack's own; ends in "/"
	Listen                                     string // Events API address (http mode)
}

// RedisConfig is the redis section: where incident state lives.
type RedisConfig struct {
	URLEnv, PasswordEnv string
	URL                 Secret // may hold a password; Config.RedisURL merges PasswordEnv in
	Password            Secret
	Required            bool // refuse to start without Redis instead of using memory
}

// BotConfig is what the chat workflow takes: access.*, checks.*, files.*.
type BotConfig struct {
	Access       bot.Access
	CheckTimeout time.Duration
	MaxFileBytes int64
}

// DevicesConfig is the devices section: the inventory, loaded and checked
// by the loader, and the credentials it names, read from the environment.
type DevicesConfig struct {
	Inventory string             // the file; "" means no `check tunnel` over SSH
	Loaded    *devices.Inventory // the file read; nil when Inventory is ""
	// SnapshotInterval is the wait between a check's two reads of the
	// IPsec SA counters (0: read them once).
	SnapshotInterval time.Duration
	// Secrets holds the variables the inventory names (password_env,
	// enable_password_env, key_passphrase_env, and SSH_AUTH_SOCK for
	// agent: true), by variable name.
	Secrets map[string]Secret
}

// Lookup answers the device collector's questions about credential
// variables from what the loader read; "" for any other name.
func (d DevicesConfig) Lookup(name string) string { return d.Secrets[name].Reveal() }

// OpsConfig is the ops section: the operations endpoint.
type OpsConfig struct {
	Listen       string // "" means off
	ReadyTimeout time.Duration
}

// LogConfig is the log section.
type LogConfig struct {
	Level  slog.Level
	Format string // auto (text on the console, JSON otherwise), json or text
}

// ShutdownConfig is the shutdown section.
type ShutdownConfig struct {
	Grace time.Duration // SIGTERM: time for work in flight
}

// MonitorConfig is the monitor section: the monitor's own settings
// (monitor.Config) and the listeners that feed it.
type MonitorConfig struct {
	monitor.Config
	Enabled                    string // auto (on when a channel is set), on or off
	Poll                       bool   // poll the inventory's tunnels over SSH
	SyslogUDP, SyslogTCP       string // "" off
	WebhookListen, WebhookPath string
	WebhookTokenEnv            string
	WebhookToken               Secret
}

// On says whether the monitor runs: on, or auto with a channel to post to.
func (m MonitorConfig) On() bool {
	switch m.Enabled {
	case "on":
		return true
	case "off":
		return false
	}
	return m.DefaultChannel != "" || len(m.Channels) > 0
}

// Transport is the Slack way in the configuration and the secrets select.
func (c Config) Transport() string {
	switch c.Slack.Mode {
	case modeSocketMode, modeHTTP, modeConsole:
		return c.Slack.Mode
	}
	switch {
	case c.Slack.BotToken != "" && c.Slack.AppToken != "":
		return modeSocketMode
	case c.Slack.BotToken != "" && c.Slack.SigningSecret != "":
		return modeHTTP
	}
	return modeConsole
}

// LogFormat resolves "auto" for the transport.
func (c Config) LogFormat() string {
	if c.Log.Format != "auto" {
		return c.Log.Format
	}
	if c.Transport() == modeConsole {
		return "text"
	}
	return "json"
}

// RedisURL is the URL to open, with redis.password_env's password put in
// when the URL has none. "" means no Redis is configured.
func (c Config) RedisURL() Secret {
	if c.Redis.URL == "" || c.Redis.Password == "" {
		return c.Redis.URL
	}
	u, err := url.Parse(c.Redis.URL.Reveal())
	if err != nil {
		return c.Redis.URL
	}
	if _, has := u.User.Password(); has {
		return c.Redis.URL
	}
	u.User = url.UserPassword(u.User.Username(), c.Redis.Password.Reveal())
	return Secret(u.String())
}

// ConfigProblem is one thing wrong, at a line of a file (Line 0: the file
// as a whole, or the environment).
type ConfigProblem struct {
	File string
	Line int
	Key  string
	Msg  string
}

func (p ConfigProblem) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d", p.Line)
	}
	b.WriteString(": ")
	if p.Key != "" {
		b.WriteString(p.Key + ": ")
	}
	b.WriteString(p.Msg)
	return b.String()
}

// ConfigError lists every problem found.
type ConfigError struct{ Problems []ConfigProblem }

func (e *ConfigError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "configuration is not valid (%d problem", len(e.Problems))
	if len(e.Problems) != 1 {
		b.WriteString("s")
	}
	b.WriteString("):")
	for _, p := range e.Problems {
		b.WriteString("\n  " + p.String())
	}
	return b.String()
}

type kind int

const (
	kString kind = iota
	kEnvName
	kDuration
	kBool
	kBytes
	kAddr        // host:port to listen on
	kAddrOff     // host:port, or "off"
	kURL         // http(s) URL
	kPath        // file path, relative to the config file
	kEnum        // one of enum
	kLevel       // slog level
	kUserIDs     // Slack user IDs
	kGroupIDs    // Slack user group IDs
	kChanIDs     // Slack channel IDs
	kChanID      // one Slack channel ID
	kChanMap     // tunnel -> Slack channel ID
	kOnOff       // on/off, true/false, yes/no
	kCount       // a whole number from 2 to 1000
	kHTTPPath    // a URL path
	kPrefixes    // addresses or CIDR prefixes
	kDurationOff // a duration, or 0 / off
)

// field is one configuration key. The table is the one place a key is
// defined: parsing, the environment override, `config check --show` and
// the README test all read it.
type field struct {
	key  string
	kind kind
	env  string   // environment override, "" for none
	enum []string // kEnum's values
	set  func(c *Config, v any)
	get  func(c *Config) string
}

func listString(s []string) string { return strings.Join(s, ",") }

var fields = []field{
	{key: "slack.mode", kind: kEnum, enum: []string{modeAuto, modeSocketMode, modeHTTP, modeConsole},
		set: func(c *Config, v any) { c.Slack.Mode = v.(string) }, get: func(c *Config) string { return c.Slack.Mode }},
	{key: "slack.bot_token_env", kind: kEnvName,
		set: func(c *Config, v any) { c.Slack.BotTokenEnv = v.(string) }, get: func(c *Config) string { return c.Slack.BotTokenEnv }},
	{key: "slack.app_token_env", kind: kEnvName,
		set: func(c *Config, v any) { c.Slack.AppTokenEnv = v.(string) }, get: func(c *Config) string { return c.Slack.AppTokenEnv }},
	{key: "slack.signing_secret_env", kind: kEnvName,
		set: func(c *Config, v any) { c.Slack.SigningSecretEnv = v.(string) }, get: func(c *Config) string { return c.Slack.SigningSecretEnv }},
	{key: "slack.api_url", kind: kURL, env: "SLACK_API_URL",
		set: func(c *Config, v any) { c.Slack.APIURL = v.(string) }, get: func(c *Config) string { return c.Slack.APIURL }},
	{key: "slack.listen", kind: kAddr, env: "TUNNELDOC_LISTEN",
		set: func(c *Config, v any) { c.Slack.Listen = v.(string) }, get: func(c *Config) string { return c.Slack.Listen }},
	{key: "redis.url_env", kind: kEnvName,
		set: func(c *Config, v any) { c.Redis.URLEnv = v.(string) }, get: func(c *Config) string { return c.Redis.URLEnv }},
	{key: "redis.password_env", kind: kEnvName,
		set: func(c *Config, v any) { c.Redis.PasswordEnv = v.(string) }, get: func(c *Config) string { return c.Redis.PasswordEnv }},
	{key: "redis.required", kind: kBool, env: "TUNNELDOC_REDIS_REQUIRED",
		set: func(c *Config, v any) { c.Redis.Required = v.(bool) }, get: func(c *Config) string { return strconv.FormatBool(c.Redis.Required) }},
	{key: "incidents.resolved_ttl", kind: kDuration, env: "TUNNELDOC_RESOLVED_TTL",
		set: func(c *Config, v any) { c.Store.ResolvedTTL = v.(time.Duration) }, get: func(c *Config) string { return c.Store.ResolvedTTL.String() }},
	{key: "incidents.open_ttl", kind: kDuration,
		set: func(c *Config, v any) { c.Store.OpenTTL = v.(time.Duration) }, get: func(c *Config) string { return c.Store.OpenTTL.String() }},
	{key: "access.check_users", kind: kUserIDs, env: "TUNNELDOC_CHECK_USERS",
		set: func(c *Config, v any) { c.Bot.Access.CheckUsers = v.([]string) }, get: func(c *Config) string { return listString(c.Bot.Access.CheckUsers) }},
	{key: "access.check_groups", kind: kGroupIDs, env: "TUNNELDOC_CHECK_GROUPS",
		set: func(c *Config, v any) { c.Bot.Access.CheckGroups = v.([]string) }, get: func(c *Config) string { return listString(c.Bot.Access.CheckGroups) }},
	{key: "access.debug_users", kind: kUserIDs, env: "TUNNELDOC_DEBUG_USERS",
		set: func(c *Config, v any) { c.Bot.Access.DebugUsers = v.([]string) }, get: func(c *Config) string { return listString(c.Bot.Access.DebugUsers) }},
	{key: "access.debug_groups", kind: kGroupIDs, env: "TUNNELDOC_DEBUG_GROUPS",
		set: func(c *Config, v any) { c.Bot.Access.DebugGroups = v.([]string) }, get: func(c *Config) string { return listString(c.Bot.Access.DebugGroups) }},
	{key: "access.check_channels", kind: kChanIDs, env: "TUNNELDOC_CHECK_CHANNELS",
		set: func(c *Config, v any) { c.Bot.Access.CheckChannels = v.([]string) }, get: func(c *Config) string { return listString(c.Bot.Access.CheckChannels) }},
	{key: "access.paste_channels", kind: kChanIDs, env: "TUNNELDOC_PASTE_CHANNELS",
		set: func(c *Config, v any) { c.Bot.Access.PasteChannels = v.([]string) }, get: func(c *Config) string { return listString(c.Bot.Access.PasteChannels) }},
	{key: "access.allow_bots", kind: kBool, env: "TUNNELDOC_ALLOW_BOTS",
		set: func(c *Config, v any) { c.Bot.Access.AllowBots = v.(bool) }, get: func(c *Config) string { return strconv.FormatBool(c.Bot.Access.AllowBots) }},
	{key: "checks.timeout", kind: kDuration, env: "TUNNELDOC_CHECK_TIMEOUT",
		set: func(c *Config, v any) { c.Bot.CheckTimeout = v.(time.Duration) }, get: func(c *Config) string { return c.Bot.CheckTimeout.String() }},
	{key: "files.max_bytes", kind: kBytes, env: "TUNNELDOC_MAX_FILE_BYTES",
		set: func(c *Config, v any) { c.Bot.MaxFileBytes = v.(int64) }, get: func(c *Config) string { return strconv.FormatInt(c.Bot.MaxFileBytes, 10) }},
	{key: "devices.inventory", kind: kPath, env: "TUNNELDOC_INVENTORY",
		set: func(c *Config, v any) { c.Devices.Inventory = v.(string) }, get: func(c *Config) string { return c.Devices.Inventory }},
	{key: "devices.snapshot_interval", kind: kDurationOff, env: "TUNNELDOC_SNAPSHOT_INTERVAL",
		set: func(c *Config, v any) { c.Devices.SnapshotInterval = v.(time.Duration) }, get: func(c *Config) string { return durationOrOff(c.Devices.SnapshotInterval) }},
	{key: "ops.listen", kind: kAddrOff, env: "TUNNELDOC_OPS_LISTEN",
		set: func(c *Config, v any) { c.Ops.Listen = v.(string) }, get: func(c *Config) string { return orOff(c.Ops.Listen) }},
	{key: "ops.ready_timeout", kind: kDuration,
		set: func(c *Config, v any) { c.Ops.ReadyTimeout = v.(time.Duration) }, get: func(c *Config) string { return c.Ops.ReadyTimeout.String() }},
	{key: "log.level", kind: kLevel, env: "TUNNELDOC_LOG_LEVEL",
		set: func(c *Config, v any) { c.Log.Level = v.(slog.Level) }, get: func(c *Config) string { return strings.ToLower(c.Log.Level.String()) }},
	{key: "log.format", kind: kEnum, env: "TUNNELDOC_LOG_FORMAT", enum: []string{"auto", "json", "text"},
		set: func(c *Config, v any) { c.Log.Format = v.(string) }, get: func(c *Config) string { return c.Log.Format }},
	{key: "shutdown.grace", kind: kDuration, env: "TUNNELDOC_SHUTDOWN_GRACE",
		set: func(c *Config, v any) { c.Shutdown.Grace = v.(time.Duration) }, get: func(c *Config) string { return c.Shutdown.Grace.String() }},
	{key: "monitor.enabled", kind: kEnum, env: "TUNNELDOC_MONITOR", enum: []string{"auto", "on", "off"},
		set: func(c *Config, v any) { c.Monitor.Enabled = v.(string) }, get: func(c *Config) string { return c.Monitor.Enabled }},
	{key: "monitor.channel", kind: kChanID, env: "TUNNELDOC_MONITOR_CHANNEL",
		set: func(c *Config, v any) { c.Monitor.DefaultChannel = v.(string) }, get: func(c *Config) string { return c.Monitor.DefaultChannel }},
	{key: "monitor.channels", kind: kChanMap, env: "TUNNELDOC_MONITOR_CHANNELS",
		set: func(c *Config, v any) { c.Monitor.Channels = v.(map[string]string) }, get: func(c *Config) string { return mapString(c.Monitor.Channels) }},
	{key: "monitor.poll", kind: kOnOff, env: "TUNNELDOC_MONITOR_POLL",
		set: func(c *Config, v any) { c.Monitor.Poll = v.(bool) }, get: func(c *Config) string { return strconv.FormatBool(c.Monitor.Poll) }},
	{key: "monitor.interval", kind: kDuration, env: "TUNNELDOC_MONITOR_INTERVAL",
		set: func(c *Config, v any) { c.Monitor.Interval = v.(time.Duration) }, get: func(c *Config) string { return c.Monitor.Interval.String() }},
	{key: "monitor.lease", kind: kDuration, env: "TUNNELDOC_MONITOR_LEASE",
		set: func(c *Config, v any) { c.Monitor.LeaseTTL = v.(time.Duration) }, get: func(c *Config) string { return orDerived(c.Monitor.LeaseTTL) }},
	{key: "monitor.flap_window", kind: kDuration, env: "TUNNELDOC_MONITOR_FLAP_WINDOW",
		set: func(c *Config, v any) { c.Monitor.FlapWindow = v.(time.Duration) }, get: func(c *Config) string { return c.Monitor.FlapWindow.String() }},
	{key: "monitor.flap_count", kind: kCount, env: "TUNNELDOC_MONITOR_FLAP_COUNT",
		set: func(c *Config, v any) { c.Monitor.FlapCount = v.(int) }, get: func(c *Config) string { return strconv.Itoa(c.Monitor.FlapCount) }},
	{key: "monitor.reopen_window", kind: kDuration, env: "TUNNELDOC_MONITOR_REOPEN_WINDOW",
		set: func(c *Config, v any) { c.Monitor.ReopenWindow = v.(time.Duration) }, get: func(c *Config) string { return c.Monitor.ReopenWindow.String() }},
	{key: "monitor.root_every", kind: kDuration, env: "TUNNELDOC_MONITOR_ROOT_EVERY",
		set: func(c *Config, v any) { c.Monitor.RootEvery = v.(time.Duration) }, get: func(c *Config) string { return c.Monitor.RootEvery.String() }},
	{key: "monitor.check_timeout", kind: kDuration, env: "TUNNELDOC_MONITOR_CHECK_TIMEOUT",
		set: func(c *Config, v any) { c.Monitor.CheckTimeout = v.(time.Duration) }, get: func(c *Config) string { return c.Monitor.CheckTimeout.String() }},
	{key: "monitor.syslog_udp", kind: kAddrOff, env: "TUNNELDOC_MONITOR_SYSLOG_UDP",
		set: func(c *Config, v any) { c.Monitor.SyslogUDP = v.(string) }, get: func(c *Config) string { return orOff(c.Monitor.SyslogUDP) }},
	{key: "monitor.syslog_tcp", kind: kAddrOff, env: "TUNNELDOC_MONITOR_SYSLOG_TCP",
		set: func(c *Config, v any) { c.Monitor.SyslogTCP = v.(string) }, get: func(c *Config) string { return orOff(c.Monitor.SyslogTCP) }},
	{key: "monitor.syslog_allow", kind: kPrefixes, env: "TUNNELDOC_MONITOR_SYSLOG_ALLOW",
		set: func(c *Config, v any) { c.Monitor.SyslogAllow = v.([]netip.Prefix) }, get: func(c *Config) string { return prefixString(c.Monitor.SyslogAllow) }},
	{key: "monitor.webhook_listen", kind: kAddrOff, env: "TUNNELDOC_MONITOR_WEBHOOK_LISTEN",
		set: func(c *Config, v any) { c.Monitor.WebhookListen = v.(string) }, get: func(c *Config) string { return orOff(c.Monitor.WebhookListen) }},
	{key: "monitor.webhook_path", kind: kHTTPPath, env: "TUNNELDOC_MONITOR_WEBHOOK_PATH",
		set: func(c *Config, v any) { c.Monitor.WebhookPath = v.(string) }, get: func(c *Config) string { return c.Monitor.WebhookPath }},
	{key: "monitor.webhook_token_env", kind: kEnvName,
		set: func(c *Config, v any) { c.Monitor.WebhookTokenEnv = v.(string) }, get: func(c *Config) string { return c.Monitor.WebhookTokenEnv }},
}

func prefixString(ps []netip.Prefix) string {
	var out []string
	for _, p := range ps {
		out = append(out, p.String())
	}
	return strings.Join(out, ",")
}

func orDerived(d time.Duration) string {
	if d == 0 {
		return "derived"
	}
	return d.String()
}

func mapString(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, k+"="+m[k])
	}
	return strings.Join(parts, ",")
}

func orOff(s string) string {
	if s == "" {
		return "off"
	}
	return s
}

func durationOrOff(d time.Duration) string {
	if d == 0 {
		return "off"
	}
	return d.String()
}

// defaultConfig is what an empty file means.
func defaultConfig() Config {
	var c Config
	c.Slack.Mode = modeAuto
	c.Slack.BotTokenEnv = "SLACK_BOT_TOKEN"
	c.Slack.AppTokenEnv = "SLACK_APP_TOKEN"
	c.Slack.SigningSecretEnv = "SLACK_SIGNING_SECRET"
	c.Slack.Listen = ":3000"
	c.Redis.URLEnv = "REDIS_URL"
	c.Store.ResolvedTTL = store.DefaultResolvedTTL
	c.Store.OpenTTL = store.DefaultOpenTTL
	c.Bot.CheckTimeout = bot.DefaultCheckTimeout
	c.Bot.MaxFileBytes = bot.DefaultMaxFileBytes
	c.Devices.SnapshotInterval = bot.DefaultSnapshotInterval
	c.Ops.Listen = ":9090"
	c.Ops.ReadyTimeout = 2 * time.Second
	c.Log.Level = slog.LevelInfo
	c.Log.Format = "auto"
	c.Shutdown.Grace = 30 * time.Second
	// The monitor's own defaults (bot/monitor Config.withDefaults).
	c.Monitor.Enabled = "auto"
	c.Monitor.Poll = true
	c.Monitor.Interval = time.Minute
	c.Monitor.FlapWindow = 10 * time.Minute
	c.Monitor.FlapCount = 4
	c.Monitor.ReopenWindow = 30 * time.Minute
	c.Monitor.RootEvery = 10 * time.Second
	c.Monitor.CheckTimeout = time.Minute
	c.Monitor.WebhookPath = "/monitor/alerts"
	c.Monitor.WebhookTokenEnv = "TUNNELDOC_MONITOR_WEBHOOK_TOKEN"
	c.sources = map[string]string{}
	return c
}

// inlineSecretKeys are keys people write when they mean to put the secret
// in the file; each says which key names its variable instead.
var inlineSecretKeys = map[string]string{
	"slack.bot_token":      "slack.bot_token_env",
	"slack.app_token":      "slack.app_token_env",
	"slack.signing_secret": "slack.signing_secret_env",
	"slack.token":          "slack.bot_token_env",
	"redis.url":            "redis.url_env",
	"redis.password":       "redis.password_env",
	"redis.addr":           "redis.url_env",
}

type configParser struct {
	file     string
	dir      string
	problems []ConfigProblem
}

func (p *configParser) fail(file string, line int, key, format string, args ...any) {
	p.problems = append(p.problems, ConfigProblem{File: file, Line: line, Key: key, Msg: fmt.Sprintf(format, args...)})
}

// loadConfig reads the configuration: path, or $TUNNELDOC_CONFIG when path
// is "", or only defaults and environment when both are empty. Every
// problem is collected before it returns a *ConfigError.
func loadConfig(path string, getenv func(string) string) (Config, error) {
	if path == "" {
		path = getenv("TUNNELDOC_CONFIG")
	}
	c := defaultConfig()
	p := &configParser{file: path}
	if path != "" {
		c.Path = path
		p.dir = filepath.Dir(path)
		data, err := os.ReadFile(path)
		if err != nil {
			p.fail(path, 0, "", "cannot read the config file: %v", err)
		} else {
			p.parseFile(&c, data)
		}
	}
	p.applyEnv(&c, getenv)
	p.resolveSecrets(&c, getenv)
	p.crossCheck(&c, getenv)
	if len(p.problems) > 0 {
		// The config file first, then the environment, then the inventory.
		rank := func(f string) int {
			switch f {
			case path:
				return 0
			case "environment", "defaults":
				return 1
			}
			return 2
		}
		sort.SliceStable(p.problems, func(i, j int) bool {
			a, b := p.problems[i], p.problems[j]
			if ra, rb := rank(a.File), rank(b.File); ra != rb {
				return ra < rb
			}
			if a.File != b.File {
				return a.File < b.File
			}
			return a.Line < b.Line
		})
		return c, &ConfigError{Problems: p.problems}
	}
	return c, nil
}

var yamlLineRE = regexp.MustCompile(`line (\d+)`)

func (p *configParser) parseFile(c *Config, data []byte) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		line := 0
		if m := yamlLineRE.FindStringSubmatch(err.Error()); m != nil {
			line, _ = strconv.Atoi(m[1])
		}
		p.fail(p.file, line, "", "not valid YAML: %s", strings.TrimPrefix(err.Error(), "yaml: "))
		return
	}
	if len(doc.Content) == 0 {
		return // an empty file: every default
	}
	top := doc.Content[0]
	if top.Kind != yaml.MappingNode {
		p.fail(p.file, top.Line, "", "the config must be a mapping of sections (slack:, redis:, ...)")
		return
	}
	known := map[string]*field{}
	sections := map[string][]string{}
	for i := range fields {
		f := &fields[i]
		known[f.key] = f
		sec, name, _ := strings.Cut(f.key, ".")
		sections[sec] = append(sections[sec], name)
	}
	secNames := make([]string, 0, len(sections))
	for s := range sections {
		secNames = append(secNames, s)
	}
	sort.Strings(secNames)
	seenSec := map[string]int{}
	for i := 0; i+1 < len(top.Content); i += 2 {
		k, v := top.Content[i], top.Content[i+1]
		sec := k.Value
		if first, dup := seenSec[sec]; dup {
			p.fail(p.file, k.Line, sec, "section appears twice (first at line %d)", first)
			continue
		}
		seenSec[sec] = k.Line
		names, ok := sections[sec]
		if !ok {
			p.fail(p.file, k.Line, sec, "unknown section%s (known: %s)", didYouMean(sec, secNames), strings.Join(secNames, ", "))
			continue
		}
		if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
			continue // "slack:" with nothing under it
		}
		if v.Kind != yaml.MappingNode {
			p.fail(p.file, v.Line, sec, "must be a mapping of key: value (one of %s)", strings.Join(names, ", "))
			continue
		}
		seen := map[string]int{}
		for j := 0; j+1 < len(v.Content); j += 2 {
			kk, vv := v.Content[j], v.Content[j+1]
			key := sec + "." + kk.Value
			if first, dup := seen[kk.Value]; dup {
				p.fail(p.file, kk.Line, key, "key appears twice (first at line %d)", first)
				continue
			}
			seen[kk.Value] = kk.Line
			f, ok := known[key]
			if !ok {
				if instead, secret := inlineSecretKeys[key]; secret {
					p.fail(p.file, kk.Line, key, "secrets are not written in the config file: set %s to the name of the environment variable that holds it", instead)
					continue
				}
				p.fail(p.file, kk.Line, key, "unknown key%s (known in %s: %s)", didYouMean(kk.Value, names), sec, strings.Join(names, ", "))
				continue
			}
			if val, ok := p.parseNode(f, vv); ok {
				f.set(c, val)
				c.sources[f.key] = fmt.Sprintf("%s:%d", filepath.Base(p.file), vv.Line)
			}
		}
	}
}

// parseNode checks a YAML value's shape and parses it as f's kind.
func (p *configParser) parseNode(f *field, n *yaml.Node) (any, bool) {
	switch f.kind {
	case kPrefixes:
		if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
			return []netip.Prefix(nil), true
		}
		if n.Kind != yaml.SequenceNode {
			p.fail(p.file, n.Line, f.key, "must be a list, like [192.0.2.0/24, 198.51.100.7]")
			return nil, false
		}
		var out []netip.Prefix
		good := true
		for i, e := range n.Content {
			pr, msg := parsePrefix(e.Value)
			if e.Kind != yaml.ScalarNode || msg != "" {
				p.fail(p.file, e.Line, fmt.Sprintf("%s[%d]", f.key, i), "%q is not an address or CIDR prefix", e.Value)
				good = false
				continue
			}
			out = append(out, pr)
		}
		return out, good
	case kUserIDs, kGroupIDs, kChanIDs:
		if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
			return []string(nil), true
		}
		if n.Kind != yaml.SequenceNode {
			p.fail(p.file, n.Line, f.key, "must be a list, like [U012AB3CD, U045EF6GH]")
			return nil, false
		}
		var out []string
		good := true
		for i, e := range n.Content {
			if e.Kind != yaml.ScalarNode {
				p.fail(p.file, e.Line, fmt.Sprintf("%s[%d]", f.key, i), "must be a single ID")
				good = false
				continue
			}
			if msg := checkSlackID(f.kind, e.Value); msg != "" {
				p.fail(p.file, e.Line, fmt.Sprintf("%s[%d]", f.key, i), "%s", msg)
				good = false
				continue
			}
			out = append(out, e.Value)
		}
		return out, good
	}
	if f.kind == kChanMap {
		if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
			return map[string]string(nil), true
		}
		if n.Kind != yaml.MappingNode {
			p.fail(p.file, n.Line, f.key, "must be a mapping of tunnel: CHANNEL_ID, like {branch-12: C0123ABCD}")
			return nil, false
		}
		out := map[string]string{}
		good := true
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if v.Kind != yaml.ScalarNode {
				p.fail(p.file, v.Line, f.key+"."+k.Value, "must be one channel ID")
				good = false
				continue
			}
			if msg := checkSlackID(kChanIDs, v.Value); msg != "" {
				p.fail(p.file, v.Line, f.key+"."+k.Value, "%s", msg)
				good = false
				continue
			}
			out[k.Value] = v.Value
		}
		return out, good
	}
	if n.Kind != yaml.ScalarNode {
		p.fail(p.file, n.Line, f.key, "must be a single value, not a %s", nodeKind(n))
		return nil, false
	}
	if n.Tag == "!!null" {
		switch f.kind {
		case kString, kPath, kEnvName, kURL, kAddrOff, kChanID:
			return "", true // "" switches the thing off
		}
	}
	v, msg := parseValue(f, n.Value)
	if msg != "" {
		p.fail(p.file, n.Line, f.key, "%s", msg)
		return nil, false
	}
	if f.kind == kPath && v.(string) != "" && !filepath.IsAbs(v.(string)) && p.dir != "" {
		v = filepath.Join(p.dir, v.(string))
	}
	return v, true
}

func nodeKind(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "list"
	case yaml.MappingNode:
		return "mapping"
	}
	return "value"
}

var envNameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// parseValue parses one textual value (from the file or the environment);
// msg says what is wrong. It never repeats a value that might be a secret.
func parseValue(f *field, s string) (v any, msg string) {
	switch f.kind {
	case kString, kPath:
		return s, ""
	case kEnvName:
		if s == "" {
			return s, ""
		}
		if !envNameRE.MatchString(s) {
			// It may be the secret itself pasted in: never echo it.
			return nil, "must name an environment variable (letters, digits and _), not hold the secret itself"
		}
		return s, ""
	case kDuration:
		d, err := time.ParseDuration(s)
		if err != nil || d <= 0 {
			return nil, fmt.Sprintf("%q is not a positive duration: write it like 90s, 15m or 168h", s)
		}
		return d, ""
	case kDurationOff:
		if s == "0" || s == "off" {
			return time.Duration(0), ""
		}
		d, err := time.ParseDuration(s)
		if err != nil || d < 0 {
			return nil, fmt.Sprintf("%q is not a duration: write it like 5s, or 0 (off)", s)
		}
		return d, ""
	case kBool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return nil, fmt.Sprintf("%q: want true or false", s)
		}
		return b, ""
	case kBytes:
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 {
			return nil, fmt.Sprintf("%q: want a positive whole number of bytes, like 1048576", s)
		}
		return n, ""
	case kAddr, kAddrOff:
		if f.kind == kAddrOff && (s == "" || s == "off") {
			return "", ""
		}
		if msg := checkListenAddr(s); msg != "" {
			return nil, fmt.Sprintf("bad address %q: %s", s, msg)
		}
		return s, ""
	case kURL:
		if s == "" {
			return s, ""
		}
		u, err := url.Parse(s)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return nil, fmt.Sprintf("%q is not an http(s) URL like https://slack.com/api/", s)
		}
		if !strings.HasSuffix(s, "/") {
			s += "/" // slack-go appends the method name
		}
		return s, ""
	case kEnum:
		for _, e := range f.enum {
			if s == e {
				return s, ""
			}
		}
		return nil, fmt.Sprintf("%q: want one of %s%s", s, strings.Join(f.enum, ", "), didYouMean(s, f.enum))
	case kLevel:
		var l slog.Level
		if err := l.UnmarshalText([]byte(s)); err != nil {
			return nil, fmt.Sprintf("%q: want debug, info, warn or error", s)
		}
		return l, ""
	case kPrefixes:
		var out []netip.Prefix
		for _, c := range splitIDs(s) {
			pr, msg := parsePrefix(c)
			if msg != "" {
				return nil, msg
			}
			out = append(out, pr)
		}
		return out, ""
	case kChanID:
		if s == "" {
			return s, ""
		}
		if msg := checkSlackID(kChanIDs, s); msg != "" {
			return nil, msg
		}
		return s, ""
	case kChanMap:
		out := map[string]string{}
		for _, pair := range strings.Split(s, ",") {
			k, ch, ok := strings.Cut(strings.TrimSpace(pair), "=")
			k, ch = strings.TrimSpace(k), strings.TrimSpace(ch)
			if !ok || k == "" || ch == "" {
				return nil, fmt.Sprintf("%q is not tunnel=CHANNEL_ID", pair)
			}
			if msg := checkSlackID(kChanIDs, ch); msg != "" {
				return nil, msg
			}
			out[k] = ch
		}
		return out, ""
	case kOnOff:
		switch strings.ToLower(s) {
		case "on", "true", "yes", "1":
			return true, ""
		case "off", "false", "no", "0":
			return false, ""
		}
		return nil, fmt.Sprintf("%q: want on or off", s)
	case kCount:
		n, err := strconv.Atoi(s)
		if err != nil || n < 2 || n > 1000 {
			return nil, fmt.Sprintf("%q: want a whole number from 2 to 1000", s)
		}
		return n, ""
	case kHTTPPath:
		if !strings.HasPrefix(s, "/") || strings.ContainsAny(s, " ?#") {
			return nil, fmt.Sprintf("%q: want a URL path starting with /", s)
		}
		return s, ""
	case kUserIDs, kGroupIDs, kChanIDs:
		var out []string
		for _, id := range splitIDs(s) {
			if msg := checkSlackID(f.kind, id); msg != "" {
				return nil, msg
			}
			out = append(out, id)
		}
		return out, ""
	}
	return nil, "internal: unknown kind"
}

// parsePrefix takes 192.0.2.0/24 or a single address (a /32 or /128), as
// the monitor does.
func parsePrefix(s string) (netip.Prefix, string) {
	if p, err := netip.ParsePrefix(s); err == nil {
		return p.Masked(), ""
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, fmt.Sprintf("%q is not an address or CIDR prefix", s)
	}
	return netip.PrefixFrom(a, a.BitLen()), ""
}

// splitIDs splits an environment list: commas or spaces.
func splitIDs(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' })
}

// checkListenAddr accepts host:port and :port with a port from 1 to 65535.
func checkListenAddr(s string) string {
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		return "want host:port or :port, like :9090 or 127.0.0.1:9090"
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 1 || n > 65535 {
		return "the port must be a number from 1 to 65535"
	}
	if host != "" && net.ParseIP(host) == nil && !hostnameRE.MatchString(host) {
		return "the host must be an IP address or a host name"
	}
	return ""
}

var (
	hostnameRE = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*$`)
	slackIDRE  = regexp.MustCompile(`^[A-Z][A-Z0-9]{2,}$`)
)

func checkSlackID(k kind, id string) string {
	var prefixes, what string
	switch k {
	case kUserIDs:
		prefixes, what = "UW", "a Slack user ID (U… or W…; profile → ⋮ → Copy member ID)"
	case kGroupIDs:
		prefixes, what = "S", "a Slack user group ID (S…)"
	default:
		prefixes, what = "CGD", "a Slack channel ID (C…, G… or D…; channel details → bottom of About)"
	}
	if !slackIDRE.MatchString(id) || !strings.ContainsRune(prefixes, rune(id[0])) {
		return fmt.Sprintf("%q is not %s", id, what)
	}
	return ""
}

// applyEnv lets the environment override the file, key by key, so the
// variables the bot always read keep working.
func (p *configParser) applyEnv(c *Config, getenv func(string) string) {
	for i := range fields {
		f := &fields[i]
		if f.env == "" {
			continue
		}
		s := getenv(f.env)
		if s == "" {
			continue
		}
		v, msg := parseValue(f, s)
		if msg != "" {
			p.fail("environment", 0, f.env, "%s (it overrides %s)", msg, f.key)
			continue
		}
		f.set(c, v)
		c.sources[f.key] = "env " + f.env
	}
}

// resolveSecrets reads the variables the *_env keys name. A variable the
// file names explicitly must be set; the defaults may be unset (console).
func (p *configParser) resolveSecrets(c *Config, getenv func(string) string) {
	// missing: variables the file names explicitly that are unset.
	missing := map[string]string{}
	secret := func(key, name string, dst *Secret) {
		if name == "" {
			return
		}
		*dst = Secret(getenv(name))
		if word := placeholderIn(dst.Reveal()); word != "" {
			f, l := p.where(c, key)
			p.fail(f, l, key, "$%s still holds a placeholder (%s): set it to %s", name, word, secretHelp[key])
		}
		if *dst == "" {
			if src, fromFile := c.sources[key]; fromFile && !strings.HasPrefix(src, "env ") {
				missing[key] = name
			}
		}
	}
	secret("slack.bot_token_env", c.Slack.BotTokenEnv, &c.Slack.BotToken)
	secret("slack.app_token_env", c.Slack.AppTokenEnv, &c.Slack.AppToken)
	secret("slack.signing_secret_env", c.Slack.SigningSecretEnv, &c.Slack.SigningSecret)
	secret("redis.url_env", c.Redis.URLEnv, &c.Redis.URL)
	secret("redis.password_env", c.Redis.PasswordEnv, &c.Redis.Password)
	secret("monitor.webhook_token_env", c.Monitor.WebhookTokenEnv, &c.Monitor.WebhookToken)

	// A Slack variable only has to be set when the transport uses it: an
	// explicit mode names its own needs (crossCheck); in auto mode the bot
	// token always, and the app token or the signing secret, one of them.
	switch c.Slack.Mode {
	case modeSocketMode, modeHTTP, modeConsole:
		delete(missing, "slack.bot_token_env")
		delete(missing, "slack.app_token_env")
		delete(missing, "slack.signing_secret_env")
	default:
		if c.Slack.AppToken != "" || c.Slack.SigningSecret != "" {
			delete(missing, "slack.app_token_env")
			delete(missing, "slack.signing_secret_env")
		}
	}
	if c.Monitor.WebhookListen == "" && c.Transport() != modeHTTP {
		delete(missing, "monitor.webhook_token_env") // no webhook listener, no token needed
	}
	keys := make([]string, 0, len(missing))
	for k := range missing {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, key := range keys {
		p.fail(p.file, p.lineOf(c.sources[key]), key, "names the environment variable %s, which is not set", missing[key])
	}
}

// placeholders are what the shipped examples and the README put where a
// secret goes (deploy/k8s/secret.yaml's REPLACE-ME, `xoxb-…`): a value
// holding one was never filled in.
var placeholders = []string{"REPLACE-ME", "REPLACE_ME", "CHANGE-ME", "CHANGEME", "…"}

// placeholderIn returns the placeholder s holds, or "". The message names
// the placeholder, never the rest of the value.
func placeholderIn(s string) string {
	up := strings.ToUpper(s)
	for _, w := range placeholders {
		if strings.Contains(up, w) {
			return w
		}
	}
	return ""
}

// secretHelp says what belongs in the variable a key names.
var secretHelp = map[string]string{
	"slack.bot_token_env":             "the bot token (xoxb-…: Slack app → OAuth & Permissions → Bot User OAuth Token)",
	"slack.app_token_env":             "the app-level token (xapp-…: Slack app → Basic Information → App-Level Tokens, scope connections:write)",
	"slack.signing_secret_env":        "the signing secret (Slack app → Basic Information → App Credentials)",
	"redis.url_env":                   "the Redis URL, with the real password if Redis has one (redis://:PASSWORD@host:6379/0)",
	"redis.password_env":              "the Redis password (requirepass or the ACL user's password)",
	"monitor.webhook_token_env":       "the token alert webhooks present (a long random string: openssl rand -hex 32)",
	"credentials.password_env":        "the login password of the device's read-only account",
	"credentials.enable_password_env": "the device's enable password",
	"credentials.key_passphrase_env":  "the passphrase of the SSH key file",
}

func (p *configParser) lineOf(src string) int {
	_, l, ok := strings.Cut(src, ":")
	if !ok {
		return 0
	}
	n, _ := strconv.Atoi(l)
	return n
}

// where names the file line (or the variable) a key's value came from.
func (p *configParser) where(c *Config, key string) (string, int) {
	src, ok := c.sources[key]
	switch {
	case !ok:
		return p.fileOrDefaults(), 0
	case strings.HasPrefix(src, "env "):
		return "environment", 0
	}
	return p.file, p.lineOf(src)
}

func (p *configParser) fileOrDefaults() string {
	if p.file == "" {
		return "defaults"
	}
	return p.file
}

func (p *configParser) crossCheck(c *Config, getenv func(string) string) {
	mode := c.Slack.Mode
	need := func(what string, s Secret, envName string) {
		if s == "" {
			f, l := p.where(c, "slack.mode")
			p.fail(f, l, "slack.mode", "%s needs the %s in $%s, which is not set", mode, what, envName)
		}
	}
	switch mode {
	case modeSocketMode:
		need("bot token", c.Slack.BotToken, c.Slack.BotTokenEnv)
		need("app-level token", c.Slack.AppToken, c.Slack.AppTokenEnv)
	case modeHTTP:
		need("bot token", c.Slack.BotToken, c.Slack.BotTokenEnv)
		need("signing secret", c.Slack.SigningSecret, c.Slack.SigningSecretEnv)
	}
	// Swapped tokens are the usual mistake; other shapes are left to
	// auth.test, so test servers may use any token.
	if strings.HasPrefix(c.Slack.BotToken.Reveal(), "xapp-") {
		f, l := p.where(c, "slack.bot_token_env")
		p.fail(f, l, "slack.bot_token_env", "$%s holds an app-level token (xapp-…); the bot token starts with xoxb-", c.Slack.BotTokenEnv)
	}
	if strings.HasPrefix(c.Slack.AppToken.Reveal(), "xox") {
		f, l := p.where(c, "slack.app_token_env")
		p.fail(f, l, "slack.app_token_env", "$%s holds a bot or user token (xox…); the app-level token starts with xapp-", c.Slack.AppTokenEnv)
	}
	if c.Redis.URL != "" {
		if r, err := redisstore.OpenURL(c.RedisURL().Reveal(), store.Options{}); err != nil {
			f, l := p.where(c, "redis.url_env")
			p.fail(f, l, "redis.url_env", "$%s is not a usable Redis URL: %v", c.Redis.URLEnv, err)
		} else {
			_ = r.Close() // parsed only: nothing was dialled
		}
	} else if c.Redis.Required {
		f, l := p.where(c, "redis.required")
		p.fail(f, l, "redis.required", "Redis is required but $%s is not set", c.Redis.URLEnv)
	}
	if c.Store.OpenTTL < c.Store.ResolvedTTL {
		f, l := p.where(c, "incidents.open_ttl")
		p.fail(f, l, "incidents.open_ttl", "%s is shorter than incidents.resolved_ttl %s: an open incident would vanish before a resolved one", c.Store.OpenTTL, c.Store.ResolvedTTL)
	}
	if c.Monitor.Enabled == "on" && c.Monitor.DefaultChannel == "" && len(c.Monitor.Channels) == 0 {
		f, l := p.where(c, "monitor.enabled")
		p.fail(f, l, "monitor.enabled", "the monitor is on but has nowhere to post: set monitor.channel (and monitor.channels for per-tunnel channels)")
	}
	listeners := []struct{ key, addr string }{{"ops.listen", c.Ops.Listen}, {"monitor.webhook_listen", c.Monitor.WebhookListen}, {"monitor.syslog_tcp", c.Monitor.SyslogTCP}}
	if c.Transport() == modeHTTP {
		listeners = append(listeners, struct{ key, addr string }{"slack.listen", c.Slack.Listen})
	}
	for i, a := range listeners {
		for _, b := range listeners[i+1:] {
			if a.addr != "" && b.addr != "" && samePort(a.addr, b.addr) {
				f, l := p.where(c, b.key)
				p.fail(f, l, b.key, "%q is %s's address too (%q): give them different ports", b.addr, a.key, a.addr)
			}
		}
	}
	if c.Devices.Inventory != "" {
		p.loadInventory(c, getenv)
	}
}

func samePort(a, b string) bool {
	ha, pa, err1 := net.SplitHostPort(a)
	hb, pb, err2 := net.SplitHostPort(b)
	if err1 != nil || err2 != nil || pa != pb {
		return false
	}
	wildcard := func(h string) bool { return h == "" || h == "0.0.0.0" || h == "::" }
	return ha == hb || wildcard(ha) || wildcard(hb)
}

// loadInventory loads the device inventory with the devices package's own
// validation, reads every credential variable it names (they must be set
// and filled in) and checks that the files it names can be read.
func (p *configParser) loadInventory(c *Config, getenv func(string) string) {
	inv, err := devices.LoadInventory(c.Devices.Inventory)
	if err != nil {
		var ie *devices.InventoryError
		if errors.As(err, &ie) {
			for _, pr := range ie.Problems {
				p.fail(c.Devices.Inventory, pr.Line, "", "%s", pr.Msg)
			}
			return
		}
		f, l := p.where(c, "devices.inventory")
		p.fail(f, l, "devices.inventory", "%v", err)
		return
	}
	c.Devices.Loaded = inv
	c.Devices.Secrets = map[string]Secret{}
	reported := map[string]bool{}
	for _, d := range append(append([]devices.Device{}, inv.JumpHosts...), inv.Devices...) {
		cr := d.Credentials
		if cr.Agent {
			// ssh-agent's socket: not a secret, but the collector reads it
			// only from what the loader read.
			c.Devices.Secrets["SSH_AUTH_SOCK"] = Secret(getenv("SSH_AUTH_SOCK"))
		}
		for _, v := range []struct{ key, name string }{
			{"password_env", cr.PasswordEnv}, {"key_passphrase_env", cr.KeyPassphraseEnv}, {"enable_password_env", cr.EnablePasswordEnv},
		} {
			if v.name == "" {
				continue
			}
			val := getenv(v.name)
			c.Devices.Secrets[v.name] = Secret(val)
			if val == "" {
				p.fail(c.Devices.Inventory, d.Line, d.Name+".credentials."+v.key, "names the environment variable %s, which is not set", v.name)
			}
			if word := placeholderIn(val); word != "" && !reported[v.name] {
				reported[v.name] = true // one line per variable, at its first device
				p.fail(c.Devices.Inventory, d.Line, d.Name+".credentials."+v.key, "$%s still holds a placeholder (%s): set it to %s", v.name, word, secretHelp["credentials."+v.key])
			}
		}
		for _, v := range []struct{ key, path string }{
			{"password_file", cr.PasswordFile}, {"key_file", cr.KeyFile}, {"enable_password_file", cr.EnablePasswordFile}, {"known_hosts", d.KnownHosts},
		} {
			if v.path == "" {
				continue
			}
			if _, err := os.Stat(v.path); err != nil {
				msg := "cannot be read: " + err.Error()
				if v.key == "known_hosts" && d.TrustOnFirstUse && errors.Is(err, os.ErrNotExist) {
					continue // trust on first use creates it
				}
				p.fail(c.Devices.Inventory, d.Line, d.Name+"."+v.key, "%s", msg)
			}
		}
	}
}

// didYouMean suggests the closest known word within two edits.
func didYouMean(s string, known []string) string {
	best, bestD := "", 3
	for _, k := range known {
		if d := editDistance(s, k); d < bestD {
			best, bestD = k, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// runConfig is `tunneldoc config check [--config FILE] [--show]`.
func runConfig(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	_ = ctx // nothing here does I/O beyond reading the files
	if len(args) == 0 || args[0] != "check" {
		fmt.Fprintln(stderr, "usage: tunneldoc config check [--config FILE] [--show]")
		return 2
	}
	fs := flag.NewFlagSet("config check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("config", "", "config file (default $TUNNELDOC_CONFIG)")
	show := fs.Bool("show", false, "print every key's effective value and where it came from")
	if !parseFlagsOnly(fs, args[1:], stderr) {
		return 2
	}
	c, err := loadConfig(*path, getenv)
	if *show {
		showConfig(stdout, c)
	}
	if err != nil {
		var ce *ConfigError
		if errors.As(err, &ce) {
			for _, p := range ce.Problems {
				fmt.Fprintln(stdout, p.String())
			}
			fmt.Fprintf(stdout, "%d problem(s): the configuration is not valid\n", len(ce.Problems))
			return 1
		}
		fmt.Fprintf(stderr, "tunneldoc config check: %v\n", err)
		return 1
	}
	name := c.Path
	if name == "" {
		name = "(no file: defaults and environment)"
	}
	fmt.Fprintf(stdout, "%s: OK (transport %s, redis %s, inventory %s, ops %s)\n", name, c.Transport(), describeRedis(c), orNone(c.Devices.Inventory), orOff(c.Ops.Listen))
	return 0
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func describeRedis(c Config) string {
	if c.Redis.URL == "" {
		return "none (in-memory store)"
	}
	return redisstore.Describe(c.RedisURL().Reveal())
}

func showConfig(w io.Writer, c Config) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "KEY\tVALUE\tFROM")
	for i := range fields {
		f := &fields[i]
		src := c.sources[f.key]
		if src == "" {
			src = "default"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", f.key, f.get(&c), src)
	}
	for _, s := range []struct {
		name string
		v    Secret
	}{{c.Slack.BotTokenEnv, c.Slack.BotToken}, {c.Slack.AppTokenEnv, c.Slack.AppToken}, {c.Slack.SigningSecretEnv, c.Slack.SigningSecret}, {c.Redis.URLEnv, c.Redis.URL}, {c.Redis.PasswordEnv, c.Redis.Password}} {
		if s.name == "" {
			continue
		}
		state := "set"
		if s.v == "" {
			state = "not set"
		}
		fmt.Fprintf(tw, "$%s\t%s\tenvironment\n", s.name, state)
	}
	tw.Flush()
}
