package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestLoadSmoke runs the load tool end to end at a small size, so the
// script behind docs/BENCHMARKS.md keeps working: a real `tunneldoc serve`,
// a real redis-server, lab devices; every check answered exactly once.
func TestLoadSmoke(t *testing.T) {
	if _, err := exec.LookPath("redis-server"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("redis-server is missing (CI installs it via .ci/run)")
		}
		t.Skip("redis-server not installed: apt-get install redis-server")
	}
	bin := filepath.Join(t.TempDir(), "tunneldoc")
	build := exec.Command("go", "build", "-o", bin, "../tunneldoc")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build tunneldoc: %v\n%s", err, out)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	o := options{bin: bin, requests: 12, devices: 6, channels: 12, timeout: 60 * time.Second, logLevel: "warn", redisDown: time.Second}
	if err := run(ctx, o); err != nil {
		t.Fatal(err)
	}
}
