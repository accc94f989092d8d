package main

import (
	"os"
	"path/filepath"
	"testing"
)

func TestMonitorGetenvFromFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(path, []byte("monitor:\n  channel: C0123456789\n  interval: 45s\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"TUNNELDOC_MONITOR_INTERVAL": "2m"}
	getenv := func(k string) string { return env[k] }
	c, err := loadConfig(path, getenv)
	if err != nil {
		t.Fatal(err)
	}
	g := monitorGetenv(c, getenv)
	if got := g("TUNNELDOC_MONITOR_CHANNEL"); got != "C0123456789" {
		t.Errorf("channel from the file: got %q", got)
	}
	if got := g("TUNNELDOC_MONITOR_INTERVAL"); got != "2m" {
		t.Errorf("the environment wins: got %q", got)
	}
	if got := g("TUNNELDOC_MONITOR_POLL"); got != "" {
		t.Errorf("unset key: got %q", got)
	}
}
