package real_test

import (
	"context"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/tunneldoc/tunneldoc/devices"
	"github.com/tunneldoc/tunneldoc/devices/lab/real"
	"github.com/tunneldoc/tunneldoc/diagnose"
)

// startLab starts the live lab or skips (fails under CI=true, where the
// CI script installs what it needs and runs as root).
func startLab(t *testing.T, ctx context.Context) *real.Lab {
	t.Helper()
	if err := real.Missing(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but the live lab cannot run: %v", err)
		}
		t.Skipf("live lab not available: %v", err)
	}
	l, err := real.Start(ctx, real.Options{Prefix: "tdt"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := l.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return l
}

// diagnoseUntil runs `check tunnel peer` (collector + engine) until the
// cause is want or the limit passes; it returns the last report.
func diagnoseUntil(t *testing.T, ctx context.Context, c *devices.Collector, peer, want string, limit time.Duration) diagnose.Report {
	t.Helper()
	deadline := time.Now().Add(limit)
	var rep diagnose.Report
	var transcript string
	for {
		cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		cols, err := c.CollectPeer(cctx, peer)
		cancel()
		if err != nil {
			t.Fatalf("collect %s: %v", peer, err)
		}
		if len(cols) != 1 {
			t.Fatalf("collect %s: %d devices answered, want 1", peer, len(cols))
		}
		transcript = cols[0].Transcript()
		rep = diagnose.Diagnose(transcript, diagnose.Options{Peer: peer})
		if rep.Cause == want {
			return rep
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %s: diagnosis %s/%s (%q), want %s\n--- transcript ---\n%s", limit, rep.Phase, rep.Cause, rep.Summary, want, transcript)
		}
		time.Sleep(2 * time.Second)
	}
}

// TestCheckTunnelOnRealDaemons: a real strongSwan tunnel between two
// namespaces, read over real sshd by the devices collector: healthy;
// unreachable once the router drops IKE; healthy again when it stops.
func TestCheckTunnelOnRealDaemons(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	l := startLab(t, ctx)
	inv, err := devices.LoadInventory(mustWrite(t, l))
	if err != nil {
		t.Fatal(err)
	}
	c := devices.NewCollector(inv, devices.CollectorOptions{Logger: slog.New(slog.DiscardHandler)})
	east := l.Gateways[1].Address

	rep := diagnoseUntil(t, ctx, c, east, diagnose.CauseHealthy, 30*time.Second)
	t.Logf("healthy: %s", rep.Summary)

	// The router drops IKE and ESP: the tunnel is torn down and west's new
	// negotiation is retransmitted until it gives up. The strongSwan
	// platform's log command keeps only lines naming the peer, and charon's
	// retransmit and give-up lines name the connection, not the peer, so
	// the answer here is "not healthy" rather than peer_unreachable.
	if err := l.SetScenario(ctx, "unreachable"); err != nil {
		t.Fatal(err)
	}
	cctx, ccancel := context.WithTimeout(ctx, 30*time.Second)
	cols, err := c.CollectPeer(cctx, east)
	ccancel()
	if err != nil || len(cols) != 1 {
		t.Fatalf("collect %s: %d collections, %v", east, len(cols), err)
	}
	if strings.Contains(cols[0].Transcript(), "ESTABLISHED") {
		t.Errorf("unreachable: an SA is still established:\n%s", cols[0].Transcript())
	}
	rep = diagnose.Diagnose(cols[0].Transcript(), diagnose.Options{Peer: east})
	if rep.Cause == diagnose.CauseHealthy {
		t.Errorf("unreachable: diagnosis healthy (%q)", rep.Summary)
	}
	t.Logf("unreachable: %s/%s: %s", rep.Phase, rep.Cause, rep.Summary)

	if err := l.SetScenario(ctx, "healthy"); err != nil {
		t.Fatal(err)
	}
	diagnoseUntil(t, ctx, c, east, diagnose.CauseHealthy, 30*time.Second)
}

func mustWrite(t *testing.T, l *real.Lab) string {
	t.Helper()
	path, err := l.WriteFiles(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); !strings.Contains(string(b), "platform: strongswan") {
		t.Fatalf("inventory lacks the strongswan platform:\n%s", b)
	}
	return path
}
