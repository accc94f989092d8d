package main

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// goodEnv holds every variable testdata/config/good.yaml names.
var goodEnv = map[string]string{
	"TD_BOT": "xoxb-1-test", "TD_APP": "xapp-1-test",
	"TD_REDIS": "redis://127.0.0.1:6390/2", "TD_REDIS_PASSWORD": "s3cret-pw",
	"TD_DEVICE_PASSWORD": "device-pw",
}

func configCheck(t *testing.T, env map[string]string, args ...string) (int, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := runConfig(context.Background(), append([]string{"check"}, args...), envOf(env), &out, &errb)
	return code, out.String() + errb.String()
}

func TestConfigCheckGoodFile(t *testing.T) {
	path := filepath.Join("testdata", "config", "good.yaml")
	code, out := configCheck(t, goodEnv, "--config", path)
	if code != 0 || !strings.Contains(out, "good.yaml: OK (transport socketmode") {
		t.Fatalf("good file: exit %d\n%s", code, out)
	}
	c, err := loadConfig(path, envOf(goodEnv))
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"transport", c.Transport(), "socketmode"},
		{"bot token", c.Slack.BotToken.Reveal(), "xoxb-1-test"},
		{"app token", c.Slack.AppToken.Reveal(), "xapp-1-test"},
		{"redis url with password", c.RedisURL().Reveal(), "redis://:s3cret-pw@127.0.0.1:6390/2"},
		{"redis required", c.Redis.Required, true},
		{"resolved ttl", c.Store.ResolvedTTL, 72 * time.Hour},
		{"open ttl default", c.Store.OpenTTL, 720 * time.Hour},
		{"check users", strings.Join(c.Bot.Access.CheckUsers, ","), "U012AB3CD,W0456EF7G"},
		{"check groups", strings.Join(c.Bot.Access.CheckGroups, ","), "S0123ABCD"},
		{"allow bots", c.Bot.Access.AllowBots, true},
		{"check timeout", c.Bot.CheckTimeout, 90 * time.Second},
		{"max file bytes", c.Bot.MaxFileBytes, int64(2 << 20)},
		{"inventory relative to the file", c.Devices.Inventory, filepath.Join("testdata", "config", "good-inventory.yaml")},
		{"ops listen", c.Ops.Listen, "127.0.0.1:9191"},
		{"ready timeout default", c.Ops.ReadyTimeout, 2 * time.Second},
		{"log level", c.Log.Level, slog.LevelDebug},
		{"log format", c.LogFormat(), "text"},
		{"grace", c.Shutdown.Grace, 20 * time.Second},
		{"slack listen default", c.Slack.Listen, ":3000"},
	}
	for _, ch := range checks {
		if ch.got != ch.want {
			t.Errorf("%s = %v, want %v", ch.name, ch.got, ch.want)
		}
	}
}

func TestConfigDefaultsWithoutFile(t *testing.T) {
	c, err := loadConfig("", envOf(nil))
	if err != nil {
		t.Fatalf("no file and no environment must be valid (the console on a fresh machine): %v", err)
	}
	if c.Transport() != "console" || c.LogFormat() != "text" || c.Ops.Listen != ":9090" || c.Slack.Listen != ":3000" || c.RedisURL() != "" || c.Devices.Inventory != "" {
		t.Errorf("defaults: %+v", c)
	}
	if code, out := configCheck(t, nil, "--config", filepath.Join("testdata", "config", "empty.yaml")); code != 0 {
		t.Errorf("an empty file must mean every default: exit %d\n%s", code, out)
	}
	// TUNNELDOC_CONFIG names the file when --config is not given.
	code, out := configCheck(t, map[string]string{"TUNNELDOC_CONFIG": filepath.Join("testdata", "config", "bad_duration.yaml")})
	if code != 1 || !strings.Contains(out, "bad_duration.yaml:2:") {
		t.Errorf("TUNNELDOC_CONFIG not read: exit %d\n%s", code, out)
	}
}

// The environment variables the bot always read keep working, and win
// over the file.
func TestConfigEnvironmentOverrides(t *testing.T) {
	env := map[string]string{}
	for k, v := range goodEnv {
		env[k] = v
	}
	env["TUNNELDOC_RESOLVED_TTL"] = "1h"
	env["TUNNELDOC_CHECK_USERS"] = "U111AAA, U222BBB"
	env["TUNNELDOC_OPS_LISTEN"] = "off"
	env["TUNNELDOC_LOG_LEVEL"] = "warn"
	env["SLACK_API_URL"] = "http://127.0.0.1:8888/api"
	env["TUNNELDOC_MONITOR_CHANNELS"] = "branch-12=C0123ABCD, 90.1.1.1=G0456EFGH"
	env["TUNNELDOC_MONITOR_POLL"] = "off"
	path := filepath.Join("testdata", "config", "good.yaml")
	c, err := loadConfig(path, envOf(env))
	if err != nil {
		t.Fatal(err)
	}
	if c.Monitor.Channels["branch-12"] != "C0123ABCD" || c.Monitor.Channels["90.1.1.1"] != "G0456EFGH" || c.Monitor.Poll {
		t.Errorf("monitor overrides: %+v", c.Monitor)
	}
	if c.Store.ResolvedTTL != time.Hour || strings.Join(c.Bot.Access.CheckUsers, ",") != "U111AAA,U222BBB" || c.Ops.Listen != "" || c.Log.Level != slog.LevelWarn || c.Slack.APIURL != "http://127.0.0.1:8888/api/" {
		t.Errorf("environment did not override the file: %+v", c)
	}
	code, out := configCheck(t, env, "--config", path, "--show")
	for _, want := range []string{"incidents.resolved_ttl 1h0m0s env TUNNELDOC_RESOLVED_TTL", "checks.timeout 1m30s good.yaml:18", "ops.listen off env TUNNELDOC_OPS_LISTEN", "$TD_BOT set environment", "$SLACK_SIGNING_SECRET not set environment"} {
		if !strings.Contains(strings.Join(strings.Fields(out), " "), want) {
			t.Errorf("--show lacks %q:\n%s", want, out)
		}
	}
	for _, secret := range []string{"xoxb-1-test", "xapp-1-test", "s3cret-pw", "device-pw"} {
		if strings.Contains(out, secret) {
			t.Errorf("--show printed a secret %q:\n%s", secret, out)
		}
	}
	if code != 0 {
		t.Errorf("exit %d", code)
	}

	env["TUNNELDOC_RESOLVED_TTL"] = "a week"
	env["TUNNELDOC_ALLOW_BOTS"] = "sometimes"
	env["TUNNELDOC_LISTEN"] = "localhost"
	code, out = configCheck(t, env, "--config", path)
	for _, want := range []string{
		`environment: TUNNELDOC_RESOLVED_TTL: "a week" is not a positive duration`,
		`environment: TUNNELDOC_ALLOW_BOTS: "sometimes": want true or false (it overrides access.allow_bots)`,
		`environment: TUNNELDOC_LISTEN: bad address "localhost"`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in:\n%s", want, out)
		}
	}
	if code != 1 {
		t.Errorf("bad environment: exit %d, want 1", code)
	}
}

func TestConfigCheckMistakes(t *testing.T) {
	cases := []struct {
		name string
		file string
		env  map[string]string
		want []string // every line expected, file:line: key: message
	}{
		{"unknown keys", "unknown_key.yaml", goodEnvWith("SLACK_BOT_TOKEN", "xoxb-1", "SLACK_APP_TOKEN", "xapp-1"), []string{
			`unknown_key.yaml:3: slack.listne: unknown key (did you mean "listen"?)`,
			`unknown_key.yaml:4: redsi: unknown section (did you mean "redis"?)`,
		}},
		{"wrong types", "wrong_type.yaml", nil, []string{
			`wrong_type.yaml:2: access.allow_bots: "maybe": want true or false`,
			`wrong_type.yaml:3: access.check_users: must be a list`,
			`wrong_type.yaml:5: files.max_bytes: "lots": want a positive whole number of bytes`,
			`wrong_type.yaml:6: ops: must be a mapping of key: value`,
			`wrong_type.yaml:8: log.level: must be a single value, not a list`,
		}},
		{"bad durations", "bad_duration.yaml", nil, []string{
			`bad_duration.yaml:2: incidents.resolved_ttl: "7d" is not a positive duration: write it like 90s, 15m or 168h`,
			`bad_duration.yaml:4: checks.timeout: "-5s" is not a positive duration`,
			`bad_duration.yaml:6: shutdown.grace: "soon" is not a positive duration`,
		}},
		{"bad addresses", "bad_address.yaml", nil, []string{
			`bad_address.yaml:2: slack.listen: bad address "3000": want host:port or :port`,
			`bad_address.yaml:4: ops.listen: bad address ":99999": the port must be a number from 1 to 65535`,
		}},
		{"ports clash", "port_clash.yaml", map[string]string{"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "abc"}, []string{
			`port_clash.yaml:3: slack.listen: ":8080" is ops.listen's address too ("0.0.0.0:8080"): give them different ports`,
		}},
		{"missing referenced variables", "missing_env.yaml", nil, []string{
			`missing_env.yaml:2: slack.bot_token_env: names the environment variable TD_NOT_SET_BOT, which is not set`,
			`missing_env.yaml:4: redis.url_env: names the environment variable TD_NOT_SET_REDIS, which is not set`,
		}},
		{"mode without its tokens", "mode_needs_tokens.yaml", nil, []string{
			`mode_needs_tokens.yaml:2: slack.mode: socketmode needs the bot token in $SLACK_BOT_TOKEN, which is not set`,
			`mode_needs_tokens.yaml:2: slack.mode: socketmode needs the app-level token in $SLACK_APP_TOKEN, which is not set`,
		}},
		{"inline secrets", "inline_secret.yaml", nil, []string{
			`inline_secret.yaml:2: slack.bot_token: secrets are not written in the config file: set slack.bot_token_env`,
			`inline_secret.yaml:3: slack.app_token_env: must name an environment variable (letters, digits and _), not hold the secret itself`,
			`inline_secret.yaml:5: redis.password: secrets are not written in the config file: set redis.password_env`,
		}},
		{"not YAML", "bad_yaml.yaml", nil, []string{
			`bad_yaml.yaml:2: not valid YAML: line 2: did not find expected key`,
		}},
		{"bad Slack IDs", "bad_ids.yaml", nil, []string{
			`bad_ids.yaml:2: access.check_users[0]: "alice" is not a Slack user ID`,
			`bad_ids.yaml:3: access.check_groups[0]: "C0123ABCD" is not a Slack user group ID (S…)`,
			`bad_ids.yaml:4: access.paste_channels[0]: "#vpn" is not a Slack channel ID`,
		}},
		{"bad values", "bad_values.yaml", nil, []string{
			`bad_values.yaml:2: slack.mode: "websocket": want one of auto, socketmode, http, console`,
			`bad_values.yaml:3: slack.api_url: "slack.com/api" is not an http(s) URL`,
			`bad_values.yaml:5: log.format: "xml": want one of auto, json, text`,
			`bad_values.yaml:7: incidents.open_ttl: 24h0m0s is shorter than incidents.resolved_ttl`,
		}},
		{"bad inventory", "bad_inventory.yaml", map[string]string{}, []string{
			`broken-inventory.yaml:6: fw-hq: unknown platform "cisco"`,
		}},
		{"good inventory, device password unset", "good.yaml", goodEnvWithout("TD_DEVICE_PASSWORD"), []string{
			`good-inventory.yaml:5: fw-hq.credentials.password_env: names the environment variable TD_DEVICE_PASSWORD, which is not set`,
		}},
		{"swapped tokens", "good.yaml", goodEnvWith("TD_BOT", "xapp-1-x", "TD_APP", "xoxb-1-x"), []string{
			`good.yaml:3: slack.bot_token_env: $TD_BOT holds an app-level token (xapp-…)`,
			`good.yaml:4: slack.app_token_env: $TD_APP holds a bot or user token (xox…)`,
		}},
		{"unusable Redis URL", "good.yaml", goodEnvWith("TD_REDIS", "http://:pw-in-url@redis:6379"), []string{
			`good.yaml:6: redis.url_env: $TD_REDIS is not a usable Redis URL`,
		}},
		{"monitor mistakes", "bad_monitor.yaml", nil, []string{
			`bad_monitor.yaml:2: monitor.enabled: the monitor is on but has nowhere to post: set monitor.channel`,
			`bad_monitor.yaml:3: monitor.channels: must be a mapping of tunnel: CHANNEL_ID`,
			`bad_monitor.yaml:4: monitor.poll: "sometimes": want on or off`,
			`bad_monitor.yaml:5: monitor.flap_count: "1": want a whole number from 2 to 1000`,
			`bad_monitor.yaml:6: monitor.webhook_path: "alerts": want a URL path starting with /`,
			`bad_monitor.yaml:7: monitor.syslog_tcp: ":9090" is ops.listen's address too (":9090")`,
			`bad_monitor.yaml:8: monitor.syslog_allow[1]: "fw-hq" is not an address or CIDR prefix`,
		}},
		{"missing config file", "no-such-file.yaml", nil, []string{
			`no-such-file.yaml: cannot read the config file`,
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join("testdata", "config", tc.file)
			code, out := configCheck(t, tc.env, "--config", path)
			if code != 1 {
				t.Errorf("exit %d, want 1", code)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, filepath.Join("testdata", "config", w)) {
					t.Errorf("missing line %q in:\n%s", w, out)
				}
			}
			for _, secret := range []string{"xoxb-1234", "xapp-1-A0123", "hunter2", "pw-in-url", "s3cret-pw"} {
				if strings.Contains(out, secret) {
					t.Errorf("output leaks %q:\n%s", secret, out)
				}
			}
			// loadConfig (what serve calls) refuses the same file.
			_, err := loadConfig(path, envOf(tc.env))
			var ce *ConfigError
			if !errors.As(err, &ce) || len(ce.Problems) < len(tc.want) {
				t.Errorf("loadConfig: %v", err)
			}
		})
	}
}

func goodEnvWith(kv ...string) map[string]string {
	m := map[string]string{}
	for k, v := range goodEnv {
		m[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

func goodEnvWithout(keys ...string) map[string]string {
	m := goodEnvWith()
	for _, k := range keys {
		delete(m, k)
	}
	return m
}

func TestConfigCheckUsage(t *testing.T) {
	for _, args := range [][]string{nil, {"lint"}, {"check", "extra"}, {"check", "--nope"}} {
		var out, errb bytes.Buffer
		if code := runConfig(context.Background(), args, envOf(nil), &out, &errb); code != 2 {
			t.Errorf("config %v: exit %d, want 2", args, code)
		}
	}
	// Through the command's dispatch table.
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"config", "check", "--config", filepath.Join("testdata", "config", "empty.yaml")}, envOf(nil), strings.NewReader(""), &out, &errb)
	if code != 0 || !strings.Contains(out.String(), "OK") {
		t.Errorf("tunneldoc config check: exit %d\n%s%s", code, out.String(), errb.String())
	}
}

func TestSecretNeverPrints(t *testing.T) {
	s := Secret("xoxb-very-secret")
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, nil))
	log.Info("x", "token", s)
	c := defaultConfig()
	c.Slack.BotToken = s
	for _, got := range []string{buf.String(), s.String(), func() string { b, _ := s.MarshalJSON(); return string(b) }(), sprintAll(c)} {
		if strings.Contains(got, "very-secret") {
			t.Errorf("secret printed: %s", got)
		}
	}
	if s.Reveal() != "xoxb-very-secret" {
		t.Error("Reveal")
	}
}

func sprintAll(c Config) string {
	var b bytes.Buffer
	showConfig(&b, c)
	return b.String() + strings.Join([]string{c.Slack.BotToken.String(), c.Slack.BotToken.GoString()}, " ")
}

// Every key and every environment override is documented.
func TestConfigKeysDocumented(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fields {
		if !strings.Contains(string(doc), "`"+f.key+"`") {
			t.Errorf("README.md does not document `%s`", f.key)
		}
		if f.env != "" && !strings.Contains(string(doc), "`"+f.env+"`") {
			t.Errorf("README.md does not document `%s`", f.env)
		}
	}
}
