package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fuzzSecrets are the values the fuzzed config's variables hold; none may
// come out of `config check --show`, whatever the file says.
var fuzzSecrets = map[string]string{
	"TD_BOT":                          "xoxb-FZBOTSECRET",
	"TD_APP":                          "xapp-FZAPPSECRET",
	"TD_SIGN":                         "FZSIGNSECRET",
	"TD_REDIS":                        "redis://:FZREDISURLPW@127.0.0.1:6390/2",
	"TD_REDIS_PASSWORD":               "FZREDISPW",
	"TD_DEVICE_PASSWORD":              "FZDEVICEPW",
	"TUNNELDOC_MONITOR_WEBHOOK_TOKEN": "FZHOOKTOKEN",
}

// fuzzSecretWords are the parts of fuzzSecrets that must never print.
var fuzzSecretWords = []string{"FZBOTSECRET", "FZAPPSECRET", "FZSIGNSECRET", "FZREDISURLPW", "FZREDISPW", "FZDEVICEPW", "FZHOOKTOKEN"}

// FuzzLoadConfig: any config file loads or fails with a *ConfigError whose
// every problem names a file and says something; `config check --show`
// never panics and never prints a secret the environment holds.
func FuzzLoadConfig(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "config", "*.yaml"))
	for _, p := range seeds {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("slack:\n  mode: http\n  signing_secret_env: TD_SIGN\n  bot_token_env: TD_BOT\nmonitor:\n  webhook_listen: 127.0.0.1:0\n"))
	f.Add([]byte("redis:\n  url_env: TD_REDIS_PASSWORD\nslack:\n  bot_token_env: TD_REDIS\n"))
	f.Add([]byte("slack: &a\n  mode: *a\n"))
	dir := f.TempDir()
	for _, name := range []string{"good-inventory.yaml", "broken-inventory.yaml", "known_hosts"} {
		b, err := os.ReadFile(filepath.Join("testdata", "config", name))
		if err != nil {
			f.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			f.Fatal(err)
		}
	}
	path := filepath.Join(dir, "fuzz.yaml")
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := loadConfig(path, envOf(fuzzSecrets))
		if err != nil {
			var ce *ConfigError
			if !errors.As(err, &ce) || len(ce.Problems) == 0 {
				t.Fatalf("not a *ConfigError with problems: %v", err)
			}
			for _, p := range ce.Problems {
				if p.File == "" || strings.TrimSpace(p.Msg) == "" {
					t.Fatalf("problem without file or message: %+v", p)
				}
			}
		}
		var out, errb bytes.Buffer
		runConfig(context.Background(), []string{"check", "--show", "--config", path}, envOf(fuzzSecrets), &out, &errb)
		printed := out.String() + errb.String()
		for _, s := range fuzzSecretWords {
			if bytes.Contains(data, []byte(s)) {
				continue // the file itself says it
			}
			if strings.Contains(printed, s) {
				t.Fatalf("secret %s printed:\n%s", s, printed)
			}
		}
	})
}
