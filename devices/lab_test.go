package devices_test

import (
	"context"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tunneldoc/tunneldoc/devices"
	"github.com/tunneldoc/tunneldoc/devices/lab"
	"github.com/tunneldoc/tunneldoc/diagnose/redact"
)

// startLab starts lab devices and returns a Collector over the inventory
// the lab wrote.
func startLab(t *testing.T, opts lab.Options) (*lab.Lab, *devices.Inventory, string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	l, err := lab.Start(ctx, opts)
	if err != nil {
		cancel()
		t.Fatalf("lab.Start: %v", err)
	}
	t.Cleanup(func() {
		cancel()
		l.Close()
	})
	dir := t.TempDir()
	path, err := l.WriteFiles(dir)
	if err != nil {
		t.Fatalf("WriteFiles: %v", err)
	}
	inv, err := devices.LoadInventory(path)
	if err != nil {
		t.Fatalf("the lab's own inventory does not load: %v\n%s", err, l.InventoryYAML())
	}
	return l, inv, dir
}

func collector(inv *devices.Inventory, opts devices.CollectorOptions) *devices.Collector {
	return devices.NewCollector(inv, opts)
}

func testCtx(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

func TestLabCollectEveryScenario(t *testing.T) {
	scenarios, err := lab.Scenarios()
	if err != nil {
		t.Fatal(err)
	}
	if len(scenarios) < 10 {
		t.Fatalf("only %d lab scenarios", len(scenarios))
	}
	seenPeer := map[string]string{}
	for _, s := range scenarios {
		if other, dup := seenPeer[s.Peer]; dup {
			t.Errorf("scenarios %s and %s share peer %s", s.Name, other, s.Peer)
		}
		seenPeer[s.Peer] = s.Name
	}
	_, inv, _ := startLab(t, lab.Options{})
	c := collector(inv, devices.CollectorOptions{})
	for _, s := range scenarios {
		t.Run(s.Name, func(t *testing.T) {
			col, err := c.Collect(testCtx(t, 30*time.Second), s.Peer, "")
			if err != nil {
				t.Fatalf("Collect(%s): %v", s.Peer, err)
			}
			plat, _ := devices.PlatformByName(s.Platform)
			plan := plat.Plan(mustAddr(t, s.Peer), s.Remotes())
			if len(col.Results) != len(plan) {
				t.Fatalf("got %d results, want %d", len(col.Results), len(plan))
			}
			tr := col.Transcript()
			for i, r := range col.Results {
				if r.Err != nil {
					t.Errorf("%s: %v", r.Command, r.Err)
				}
				if r.Command != plan[i].Command {
					t.Errorf("result %d is %q, want %q", i, r.Command, plan[i].Command)
				}
				want, _ := s.Answer(r.Command)
				if strings.TrimSpace(r.Output) != strings.TrimSpace(redactText(want)) {
					t.Errorf("%s: output differs from the scenario file\n got: %q\nwant: %q", r.Command, head(r.Output), head(want))
				}
				if !strings.Contains(tr, col.Hostname+"# "+r.Command+"\n") {
					t.Errorf("transcript lacks the prompt line for %q", r.Command)
				}
			}
			if plat.Shell && col.Hostname != s.Hostname {
				t.Errorf("hostname from the prompt = %q, want %q", col.Hostname, s.Hostname)
			}
			if strings.Contains(tr, "FLgBaJHXdYY") || strings.Contains(tr, "--More--") || strings.Contains(tr, "\r") {
				t.Errorf("transcript holds a secret, a pager prompt or a carriage return:\n%s", tr)
			}
		})
	}
}

func mustAddr(t *testing.T, s string) netip.Addr {
	t.Helper()
	a, ok := devices.PeerAddr(s)
	if !ok {
		t.Fatalf("bad address %q", s)
	}
	return a
}

func head(s string) string {
	if len(s) > 300 {
		return s[:300] + "..."
	}
	return s
}

func TestLabWritesUsableFiles(t *testing.T) {
	l, _, dir := startLab(t, lab.Options{Devices: []lab.DeviceConfig{{Scenario: "asa-healthy"}}})
	for _, f := range []string{"inventory.yaml", "known_hosts", "lab-password"} {
		st, err := os.Stat(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s is readable by others: %v", f, st.Mode())
		}
	}
	inv, _ := os.ReadFile(filepath.Join(dir, "inventory.yaml"))
	if strings.Contains(string(inv), l.Password) {
		t.Error("inventory.yaml holds the password inline")
	}
	kh, _ := os.ReadFile(filepath.Join(dir, "known_hosts"))
	if !strings.Contains(string(kh), "["+strings.Replace(l.Devices[0].Addr, ":", "]:", 1)) {
		t.Errorf("known_hosts lacks the device's address:\n%s", kh)
	}
}

func redactText(s string) string { return redact.Text(s) }
