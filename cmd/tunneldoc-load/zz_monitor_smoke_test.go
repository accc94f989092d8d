package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestMonitorModeSmoke runs monitor mode small: a real `tunneldoc serve`
// with the monitor polling 4 lab hubs of 5 tunnels each every second.
// Every round logs, every hub is logged into once per round (not once per
// tunnel), and healthy tunnels post nothing.
func TestMonitorModeSmoke(t *testing.T) {
	if _, err := exec.LookPath("redis-server"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("redis-server is missing (CI installs it via .ci/run)")
		}
		t.Skip("redis-server not installed: apt-get install redis-server")
	}
	bin := filepath.Join(t.TempDir(), "tunneldoc")
	if out, err := exec.Command("go", "build", "-o", bin, "../tunneldoc").CombinedOutput(); err != nil {
		t.Fatalf("build tunneldoc: %v\n%s", err, out)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	saved := mon
	defer func() { mon = saved }()
	mon.perDevice, mon.interval, mon.rounds = 5, time.Second, 2
	res, err := monitorScaleOne(ctx, options{bin: bin, logLevel: "info"}, 20)
	if err != nil {
		t.Fatal(err)
	}
	if res.devices != 4 || len(res.steady) != 2 {
		t.Fatalf("%d devices, %d steady rounds", res.devices, len(res.steady))
	}
	// One login per device and round: 4 a round (a sample can fall just
	// after a round's first logins, so a round may show up to 8), never
	// the 20 a login per tunnel would make.
	var total int64
	for i, n := range res.logins {
		total += n
		if n > 8 {
			t.Errorf("round %d: %d SSH logins for 4 devices", i+2, n)
		}
	}
	if total < 4 {
		t.Errorf("%d SSH logins in %d rounds", total, len(res.logins))
	}
	if res.posts != 0 {
		t.Errorf("healthy tunnels posted %d messages", res.posts)
	}
}
