package real_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/tunneldoc/tunneldoc/devices/lab/real"
	"github.com/tunneldoc/tunneldoc/diagnose"
)

// TestLibreswanOnRealDaemons: west runs libreswan's pluto (east stays
// strongSwan), read over real sshd with the libreswan platform's
// commands, through the scenarios that fail before an IPsec SA is
// installed; east's side, from its journal, where it shows the cause too.
func TestLibreswanOnRealDaemons(t *testing.T) {
	if err := real.MissingLibreswan(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but the live lab with a libreswan gateway cannot run: %v", err)
		}
		t.Skipf("live lab with a libreswan gateway not available: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	// one live lab at a time: the strongSwan pair goes first
	if err := closeShared(); err != nil {
		t.Fatalf("closing the strongSwan lab: %v", err)
	}
	start := time.Now()
	l, err := real.Start(ctx, real.Options{Prefix: "tdl", Libreswan: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := l.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	t.Logf("the live lab with a libreswan west started in %s", time.Since(start).Round(100*time.Millisecond))
	path, err := l.WriteFiles(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); !strings.Contains(string(b), "platform: libreswan") {
		t.Fatalf("inventory lacks the libreswan platform:\n%s", b)
	}
	c := collectorFor(t, path)
	checkScenarios(t, ctx, l, c, []scenarioCase{
		// east's side of a proposal mismatch is not judged (see
		// TestCheckTunnelOnRealDaemons); an unreachable east receives nothing
		{"proposal-mismatch", diagnose.CauseIKEProposalMismatch, 20 * time.Second, ""},
		{"psk-mismatch", diagnose.CausePSKMismatch, 20 * time.Second, diagnose.CausePSKMismatch},
		{"unreachable", diagnose.CausePeerUnreachable, 30 * time.Second, ""},
	})
	if err := l.SetScenario(ctx, "dpd"); err == nil {
		t.Error("a libreswan west accepted the dpd scenario, which needs an IPsec SA")
	}
}
