package real_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/tunneldoc/tunneldoc/devices"
	"github.com/tunneldoc/tunneldoc/diagnose"
)

// TestScopedDebugOnRealDaemons: the scoped debug on east (charon logging
// to the gateway's own journal) with the pre-shared keys differing: the
// trigger makes east's real charon negotiate, the window's journal read
// holds that negotiation's lines for the peer, nothing is left on, and
// the read alone is diagnosed as the PSK mismatch.
func TestScopedDebugOnRealDaemons(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	l := startLab(t)
	c := collector(t)
	west, east := l.Gateways[0], l.Gateways[1]
	if !east.Journal {
		t.Fatalf("%s does not log to a journal", east.Name)
	}
	setScenario(t, ctx, l, "psk-mismatch")
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := l.SetScenario(ctx, "healthy"); err != nil {
			t.Errorf("back to healthy: %v", err)
		}
	})

	// west's gateway logs to a file only: its entry allows no debug
	if _, _, err := c.DebugTarget(east.Address, west.Name, 0); err == nil {
		t.Errorf("%s allows a debug although it has no journal", west.Name)
	}
	start := time.Now()
	run, err := c.RunDebug(ctx, west.Address, east.Name, devices.DebugOptions{Window: 3 * time.Second, Trigger: true})
	if err != nil {
		t.Fatalf("debug: %v\n%+v", err, run)
	}
	t.Logf("debug on %s took %s: %q", run.Device, time.Since(start).Round(100*time.Millisecond), run.Commands)
	if !run.Off {
		t.Errorf("the debug is not confirmed off: %v", run.OffErr)
	}
	var read []string // what the read returned, without the command
	for _, line := range strings.Split(run.Transcript, "\n") {
		if strings.Contains(line, "charon[") {
			read = append(read, line)
		}
	}
	if !strings.Contains(strings.Join(read, "\n"), "<"+east.Tunnel+"|") {
		t.Fatalf("the window's read holds no line of %s's IKE_SA with %s:\n%s", east.Tunnel, west.Address, run.Transcript)
	}
	rep := diagnose.Diagnose(run.Transcript, diagnose.Options{Peer: west.Address})
	if rep.Cause != diagnose.CausePSKMismatch {
		t.Errorf("the debug window is diagnosed %s/%s (%q), want %s\n%s", rep.Phase, rep.Cause, rep.Summary, diagnose.CausePSKMismatch, run.Transcript)
	}
	t.Logf("%s/%s: %s", rep.Phase, rep.Cause, rep.Summary)
}
