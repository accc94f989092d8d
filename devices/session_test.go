package devices_test

import (
	"context"
	"log/slog"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tunneldoc/tunneldoc/devices"
	"github.com/tunneldoc/tunneldoc/devices/lab"
	"github.com/tunneldoc/tunneldoc/devices/sshx"
)

// TestShellPaging: with paging left on, the shell answers --More-- and
// <--- More ---> and the output comes back whole, without pager debris.
func TestShellPaging(t *testing.T) {
	for _, scen := range []string{"ios-healthy", "asa-healthy"} {
		t.Run(scen, func(t *testing.T) {
			l, _, dir := startLab(t, lab.Options{Devices: []lab.DeviceConfig{{Scenario: scen}}, PageLength: 5})
			d := l.Devices[0]
			ctx := testCtx(t, 20*time.Second)
			c, err := sshx.Dial(ctx, sshx.Target{Name: d.Name, Addr: d.Addr, User: l.Username, KnownHostsFile: filepath.Join(dir, "known_hosts"),
				Credentials: sshx.Credentials{Password: l.Password}})
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			sh, err := c.Shell(ctx, sshx.ShellConfig{Enable: true, EnablePassword: l.Password}) // no "terminal length 0"
			if err != nil {
				t.Fatal(err)
			}
			defer sh.Close()
			cmd := "show crypto ipsec sa peer " + d.Scenario.Peer
			out, err := sh.Run(ctx, cmd, sshx.Limits{Timeout: 10 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			want, _ := d.Scenario.Answer(cmd)
			if strings.Count(want, "\n") < 20 {
				t.Fatalf("scenario output too short to page: %d lines", strings.Count(want, "\n"))
			}
			if out != want {
				t.Errorf("paged output differs:\n got %q\nwant %q", out, want)
			}
		})
	}
}

// TestJumpHost: a device reached through another one (ssh -J), each with
// its own host key checked.
func TestJumpHost(t *testing.T) {
	l, _, dir := startLab(t, lab.Options{Devices: []lab.DeviceConfig{{Scenario: "swan-healthy", Name: "bastion"}, {Scenario: "ios-healthy"}}})
	inv := rewrite(t, dir, func(s string) string {
		host, port, _ := net.SplitHostPort(l.Devices[0].Addr)
		jump := "jump_hosts:\n  - name: jumpbox\n    address: " + host + "\n    port: " + port + "\n    credentials: {password_file: lab-password}\n"
		s = strings.Replace(s, "devices:\n", jump+"devices:\n", 1)
		return strings.Replace(s, "    platform: ios\n", "    platform: ios\n    jump: jumpbox\n", 1)
	})
	col, err := devices.NewCollector(inv, devices.CollectorOptions{}).Collect(testCtx(t, 20*time.Second), "40.10.1.1", "")
	if err != nil {
		t.Fatal(err)
	}
	if col.Hostname != "HUB-A" || !strings.Contains(col.Transcript(), "QM_IDLE") {
		t.Errorf("through the jump host: %s\n%s", col.Hostname, col.Transcript())
	}
}

// TestCanceledContextStopsCollection: a caller giving up frees the slot.
func TestCanceledContextStopsCollection(t *testing.T) {
	_, inv, _ := startLab(t, lab.Options{Devices: []lab.DeviceConfig{{Scenario: "ios-healthy", Fault: lab.Fault{HangOn: "show crypto isakmp sa"}}}})
	c := devices.NewCollector(inv, devices.CollectorOptions{MaxConcurrent: 1})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	col, _ := c.Collect(ctx, "40.10.1.1", "")
	if col == nil || len(col.Results) == 0 || col.Results[0].Err == nil {
		t.Fatalf("the hung command should be reported: %+v", col)
	}
	// The slot is free again: a second check can proceed (and times out on
	// the same hang, by its own deadline, instead of waiting forever).
	ctx2, cancel2 := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel2()
	if col, _ := c.Collect(ctx2, "40.10.1.1", ""); col == nil || len(col.Results) == 0 {
		t.Fatalf("second check did not get a slot: %+v", col)
	}
}

// TestCheck: `check tunnel <peer>` covers every device terminating the
// peer; `on <device>` picks one.
func TestCheck(t *testing.T) {
	_, inv, _ := startLab(t, lab.Options{Devices: []lab.DeviceConfig{{Scenario: "asa-healthy", Name: "fw-a"}, {Scenario: "asa-healthy", Name: "fw-b"}, {Scenario: "ios-healthy"}}})
	c := devices.NewCollector(inv, devices.CollectorOptions{})
	cols, err := c.Check(testCtx(t, 20*time.Second), "90.1.1.1", "")
	if err != nil || len(cols) != 2 || cols[0].Device != "fw-a" || cols[1].Device != "fw-b" {
		t.Fatalf("both firewalls: %v %v", cols, err)
	}
	cols, err = c.Check(testCtx(t, 20*time.Second), "branch-90", "fw-b")
	if err != nil || len(cols) != 1 || cols[0].Device != "fw-b" || cols[0].Peer != "90.1.1.1" {
		t.Fatalf("on fw-b by tunnel name: %v %v", cols, err)
	}
	if _, err := c.Check(testCtx(t, 20*time.Second), "90.1.1.1", ""); err != nil {
		t.Fatal(err)
	}
	summary := cols[0].Summary()
	if !strings.Contains(summary, "fw-b (asa, 127.0.0.1:") || !strings.Contains(summary, "show crypto ipsec sa peer 90.1.1.1  (") {
		t.Errorf("summary for the thread:\n%s", summary)
	}
}

// TestNoSecretLeaks: neither the device's pre-shared keys nor the login
// or enable passwords appear in transcripts, summaries, errors or logs,
// whatever happened during the check.
func TestNoSecretLeaks(t *testing.T) {
	l, _, dir := startLab(t, lab.Options{Devices: []lab.DeviceConfig{
		{Scenario: "ios-transform-mismatch"},
		{Scenario: "asa-psk-mismatch", Fault: lab.Fault{HangOn: "show crypto isakmp sa"}},
	}, EnablePassword: "enable-Secret-42"})
	inv := rewrite(t, dir, func(s string) string {
		s = strings.Replace(s, "command_timeout: 20s", "command_timeout: 2s", 1)
		return strings.Replace(s, "enable_password_file: lab-password", "enable_password_env: LAB_ENABLE", 1)
	})
	var logs strings.Builder
	var mu sync.Mutex
	c := devices.NewCollector(inv, devices.CollectorOptions{
		Logger: slog.New(slog.NewTextHandler(lockedWriter{&mu, &logs}, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Getenv: func(k string) string {
			if k == "LAB_ENABLE" {
				return "enable-Secret-42"
			}
			return ""
		},
	})
	var all strings.Builder
	for _, peer := range []string{"40.10.3.1", "90.1.1.3", "90.1.1.99"} {
		cols, err := c.Check(testCtx(t, 20*time.Second), peer, "")
		for _, col := range cols {
			all.WriteString(col.Transcript() + col.Summary())
			for _, r := range col.Results {
				if r.Err != nil {
					all.WriteString(r.Err.Error())
				}
			}
		}
		if err != nil {
			all.WriteString(err.Error())
		}
	}
	mu.Lock()
	all.WriteString(logs.String())
	mu.Unlock()
	for _, secret := range []string{l.Password, "enable-Secret-42", "FLgBaJHXdYY_AcHZZMgQ"} {
		if strings.Contains(all.String(), secret) {
			t.Errorf("secret %q leaked", secret)
		}
	}
	if !strings.Contains(all.String(), "pre-shared-key address 40.10.3.1 key 6 <redacted>") {
		t.Error("redacted config line missing: the check did not read it")
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	b  *strings.Builder
}

func (w lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

// TestExecSessionOverride: `session: exec` runs a Cisco device's commands
// one exec channel each (IOS accepts `ssh host "show ..."`).
func TestExecSessionOverride(t *testing.T) {
	_, _, dir := startLab(t, lab.Options{Devices: []lab.DeviceConfig{{Scenario: "ios-healthy"}}})
	inv := rewrite(t, dir, func(s string) string {
		return strings.Replace(s, "    platform: ios\n", "    platform: ios\n    session: exec\n", 1)
	})
	col, err := devices.NewCollector(inv, devices.CollectorOptions{}).Collect(testCtx(t, 20*time.Second), "40.10.1.1", "")
	if err != nil {
		t.Fatal(err)
	}
	if col.Hostname != "ios-healthy" || !strings.Contains(col.Transcript(), "ios-healthy# show crypto isakmp sa\nIPv4 Crypto ISAKMP SA\n") {
		t.Errorf("exec transcript:\n%s", col.Transcript())
	}
}

// TestIOSEnable: an IOS account that lands in user EXEC gets the
// privileged commands only when the entry asks for enable.
func TestIOSEnable(t *testing.T) {
	_, _, dir := startLab(t, lab.Options{Devices: []lab.DeviceConfig{{Scenario: "ios-healthy", Fault: lab.Fault{UserMode: true}}}})
	inv, _ := devices.LoadInventory(filepath.Join(dir, "inventory.yaml"))
	col, err := devices.NewCollector(inv, devices.CollectorOptions{}).Collect(testCtx(t, 20*time.Second), "40.10.1.1", "")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(col.Transcript(), "HUB-A# show running-config | section crypto\n% Invalid input") {
		t.Errorf("without enable the running-config must be refused:\n%s", col.Transcript())
	}
	inv = rewrite(t, dir, func(s string) string {
		return strings.Replace(s, "    platform: ios\n", "    platform: ios\n    enable: true\n", 1)
	})
	col, err = devices.NewCollector(inv, devices.CollectorOptions{}).Collect(testCtx(t, 20*time.Second), "40.10.1.1", "")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(col.Transcript(), "% Invalid input") || !strings.Contains(col.Transcript(), "crypto map CMAP 10 ipsec-isakmp") {
		t.Errorf("with enable:\n%s", col.Transcript())
	}
}
