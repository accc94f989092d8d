package devices_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tunneldoc/tunneldoc/devices"
	"github.com/tunneldoc/tunneldoc/devices/lab"
	"github.com/tunneldoc/tunneldoc/diagnose"
)

const debugScenario = "ios-psk-mismatch"

func debugLab(t *testing.T, allowed bool) (*lab.Lab, *lab.Device, *devices.Collector, string) {
	t.Helper()
	l, inv, _ := startLab(t, lab.Options{Devices: []lab.DeviceConfig{{Scenario: debugScenario, DebugAllowed: allowed}}})
	c := collector(inv, devices.CollectorOptions{})
	return l, l.Devices[0], c, l.Devices[0].Scenario.Peer
}

func TestDebugScopedToPeerAndTurnedOff(t *testing.T) {
	_, dev, c, peer := debugLab(t, true)
	onDuring := false
	var waited time.Duration
	run, err := c.RunDebug(testCtx(t, 30*time.Second), peer, "", devices.DebugOptions{
		Window: 60 * time.Second,
		Wait: func(ctx context.Context, d time.Duration) error {
			onDuring, waited = dev.DebugOn(), d
			return nil
		},
	})
	if err != nil {
		t.Fatalf("RunDebug: %v", err)
	}
	if !onDuring || waited != 60*time.Second {
		t.Errorf("during the window: debug on %v, waited %s; want on, 60s", onDuring, waited)
	}
	if dev.DebugOn() || !run.Off || run.OffErr != nil {
		t.Errorf("after the window: device debug on %v, run.Off %v (%v)", dev.DebugOn(), run.Off, run.OffErr)
	}
	want := []string{"debug crypto condition peer ipv4 " + peer, "debug crypto isakmp", "debug crypto ikev2", "undebug all", "no debug crypto condition peer ipv4 " + peer}
	if got := dev.DebugCommands(); !slices.Equal(got, want) {
		t.Errorf("the device received\n%q\nwant\n%q", got, want)
	}
	if dev.Triggered() != 0 {
		t.Errorf("a negotiation was started without being asked for")
	}
	if !strings.Contains(run.Transcript, "reserved not zero on ID payload") || !strings.Contains(run.Transcript, "#show logging") {
		t.Errorf("the transcript lacks the window's debug lines:\n%s", run.Transcript)
	}
}

func TestDebugTriggerOnlyWhenAsked(t *testing.T) {
	_, dev, c, peer := debugLab(t, true)
	run, err := c.RunDebug(testCtx(t, 30*time.Second), peer, "", devices.DebugOptions{Trigger: true, Wait: func(context.Context, time.Duration) error { return nil }})
	if err != nil {
		t.Fatalf("RunDebug: %v", err)
	}
	if dev.Triggered() != 1 || !slices.Contains(run.Commands, "clear crypto sa peer "+peer) {
		t.Errorf("triggered %d times; commands %q", dev.Triggered(), run.Commands)
	}
	if dev.DebugOn() {
		t.Error("debug left on")
	}
}

func TestDebugRefusedUnlessInventoryAllows(t *testing.T) {
	_, dev, c, peer := debugLab(t, false)
	_, err := c.RunDebug(testCtx(t, 30*time.Second), peer, "", devices.DebugOptions{Wait: func(context.Context, time.Duration) error { return nil }})
	if devices.KindOf(err) != devices.NotAllowed {
		t.Fatalf("err = %v, want kind %q", err, devices.NotAllowed)
	}
	if got := dev.DebugCommands(); len(got) != 0 {
		t.Errorf("the device received %q", got)
	}
	_, dev2, c2, peer2 := debugLab(t, true)
	if _, err := c2.RunDebug(testCtx(t, 30*time.Second), peer2, "", devices.DebugOptions{Window: 3 * time.Minute}); devices.KindOf(err) != devices.NotAllowed {
		t.Fatalf("a window over max_duration: err = %v", err)
	}
	if got := dev2.DebugCommands(); len(got) != 0 {
		t.Errorf("the device received %q", got)
	}
}

func TestDebugTurnedOffWhenSessionDropsMidWindow(t *testing.T) {
	l, dev, c, peer := debugLab(t, true)
	run, err := c.RunDebug(testCtx(t, 60*time.Second), peer, "", devices.DebugOptions{
		Wait: func(ctx context.Context, d time.Duration) error {
			l.DropConnections(dev)
			return nil
		},
	})
	if err == nil {
		t.Fatal("the window's read succeeded on a dropped session")
	}
	if dev.DebugOn() || !run.Off {
		t.Fatalf("debug on %v after a dropped session (run.Off %v, %v)", dev.DebugOn(), run.Off, run.OffErr)
	}
	if got := dev.DebugCommands(); got[len(got)-2] != "undebug all" {
		t.Errorf("the device received %q", got)
	}
}

func TestDebugTurnedOffWhenCallerCancelsMidWindow(t *testing.T) {
	_, dev, c, peer := debugLab(t, true)
	ctx, cancel := context.WithCancel(testCtx(t, 60*time.Second))
	run, err := c.RunDebug(ctx, peer, "", devices.DebugOptions{
		Wait: func(ctx context.Context, d time.Duration) error {
			cancel()
			<-ctx.Done()
			return ctx.Err()
		},
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want the cancellation", err)
	}
	if dev.DebugOn() || !run.Off {
		t.Fatalf("debug on %v after the caller gave up (run.Off %v, %v)", dev.DebugOn(), run.Off, run.OffErr)
	}
}

func TestTurnOffDebugLeftOn(t *testing.T) {
	_, dev, c, peer := debugLab(t, true)
	dev.SetDebugOn()
	if err := c.TurnOffDebug(testCtx(t, 30*time.Second), peer, dev.Name, devices.DebugOptions{}); err != nil {
		t.Fatalf("TurnOffDebug: %v", err)
	}
	if dev.DebugOn() {
		t.Fatal("still on")
	}
}

func TestInventoryDebugPolicy(t *testing.T) {
	base := "defaults: {username: u, known_hosts: /kh}\ndevices:\n  - name: r1\n    address: 10.0.0.1\n    platform: ios\n    credentials: {password_env: P}\n"
	inv, err := devices.ParseInventory([]byte(base), "inv.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if inv.Devices[0].Debug.Allowed {
		t.Error("debug allowed by default")
	}
	inv, err = devices.ParseInventory([]byte(base+"    debug: {allowed: true, max_duration: 90s}\n"), "inv.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if p := inv.Devices[0].Debug; !p.Allowed || p.MaxDuration != 90*time.Second {
		t.Errorf("policy %+v", p)
	}
	for _, bad := range []string{"    debug: {allowed: true, max_duration: 1h}\n", "    debug: {allowed: yes please}\n", "    debug: {allow: true}\n"} {
		if _, err := devices.ParseInventory([]byte(base+bad), "inv.yaml"); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
}

func TestDebugOtherPlatforms(t *testing.T) {
	for _, tc := range []struct {
		scenario string
		sent     []string // what the device must receive, {peer} replaced
		read     string   // a line the window's read returns
	}{
		{"asa-mm-wait-msg2", []string{"debug crypto condition peer {peer}", "debug crypto ikev1 127", "debug crypto ikev2 protocol 127", "clear crypto ipsec sa peer {peer}", "undebug all", "no debug crypto condition peer {peer}"}, "Log Buffer"},
		{"swan-ike-proposal-mismatch", nil, "NO_PROPOSAL_CHOSEN"},
	} {
		t.Run(tc.scenario, func(t *testing.T) {
			l, inv, _ := startLab(t, lab.Options{Devices: []lab.DeviceConfig{{Scenario: tc.scenario, DebugAllowed: true}}})
			dev := l.Devices[0]
			peer := dev.Scenario.Peer
			c := collector(inv, devices.CollectorOptions{})
			run, err := c.RunDebug(testCtx(t, 30*time.Second), peer, "", devices.DebugOptions{Trigger: len(tc.sent) > 0, Wait: func(context.Context, time.Duration) error { return nil }})
			if err != nil {
				t.Fatalf("RunDebug: %v", err)
			}
			var want []string
			for _, s := range tc.sent {
				want = append(want, strings.ReplaceAll(s, "{peer}", peer))
			}
			got := dev.DebugCommands()
			if len(tc.sent) == 0 && len(got) == 1 && strings.Contains(got[0], "journalctl") {
				got = nil // strongSwan: only the log read
			}
			if !slices.Equal(got, want) {
				t.Errorf("the device received\n%q\nwant\n%q", got, want)
			}
			if dev.DebugOn() || !run.Off {
				t.Error("debug left on")
			}
			if !strings.Contains(run.Transcript, tc.read) {
				t.Errorf("transcript lacks %q:\n%s", tc.read, run.Transcript)
			}
		})
	}
}

// TestDebugLibreswan: pluto's debug is raised for the tunnel's connection
// alone, a negotiation is started only when asked, the window's log is
// read kept to the peer, and the connection's debug is turned off after
// the window and by the startup sweep.
func TestDebugLibreswan(t *testing.T) {
	l, inv, _ := startLab(t, lab.Options{Devices: []lab.DeviceConfig{{Scenario: "lsw-psk-mismatch", DebugAllowed: true}}})
	dev := l.Devices[0]
	peer := dev.Scenario.Peer
	c := collector(inv, devices.CollectorOptions{})
	onDuring := false
	run, err := c.RunDebug(testCtx(t, 30*time.Second), peer, "", devices.DebugOptions{Trigger: true, Wait: func(context.Context, time.Duration) error {
		onDuring = dev.DebugOn()
		return nil
	}})
	if err != nil {
		t.Fatalf("RunDebug: %v", err)
	}
	if !onDuring || dev.DebugOn() || !run.Off {
		t.Errorf("debug on during the window %v, after %v (run.Off %v)", onDuring, dev.DebugOn(), run.Off)
	}
	got := dev.DebugCommands()
	want := []string{"ipsec whack --name 'kestrel-osprey' --debug base", "ipsec whack --name 'kestrel-osprey' --initiate --asynchronous"}
	if len(got) != 4 || !slices.Equal(got[:2], want) || !strings.HasPrefix(got[2], "{ ipsec whack --status 2>/dev/null") || !strings.Contains(got[2], "journalctl --no-pager --since=@") || got[3] != "ipsec whack --name 'kestrel-osprey' --debug none" {
		t.Errorf("the device received\n%q", got)
	}
	if dev.Triggered() != 1 {
		t.Errorf("triggered %d times", dev.Triggered())
	}
	for _, line := range []string{"rejected by peer: AUTHENTICATION_FAILED", `| "kestrel-osprey" #1: spent`} {
		if !strings.Contains(run.Transcript, line) {
			t.Errorf("the window's read lacks %q:\n%s", line, run.Transcript)
		}
	}
	if r := diagnose.Diagnose(run.Transcript, diagnose.Options{Peer: peer}); r.Cause != diagnose.CausePSKMismatch {
		t.Errorf("the window's read diagnosed %s, want %s", r.Cause, diagnose.CausePSKMismatch)
	}

	// Without a trigger nothing is initiated; the sweep turns a debug
	// left on off.
	run, err = c.RunDebug(testCtx(t, 30*time.Second), peer, "", devices.DebugOptions{Wait: func(context.Context, time.Duration) error { return nil }})
	if err != nil || dev.Triggered() != 1 || slices.ContainsFunc(run.Commands, func(s string) bool { return strings.Contains(s, "--initiate") }) {
		t.Errorf("untriggered window: err %v, triggered %d, commands %q", err, dev.Triggered(), run.Commands)
	}
	dev.SetDebugOn()
	if err := c.TurnOffDebug(testCtx(t, 30*time.Second), peer, dev.Name, devices.DebugOptions{}); err != nil || dev.DebugOn() {
		t.Fatalf("TurnOffDebug: %v, still on %v", err, dev.DebugOn())
	}
}
