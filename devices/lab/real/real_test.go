package real_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tunneldoc/tunneldoc/devices"
	"github.com/tunneldoc/tunneldoc/devices/lab/real"
	"github.com/tunneldoc/tunneldoc/diagnose"
)

// shared is the strongSwan live lab of this package's tests: it starts
// with the first test that needs it, each test switches it to the
// scenarios it needs, and TestMain removes it after the last (or a test
// that needs another lab, closeShared).
var shared struct {
	mu  sync.Mutex
	lab *real.Lab
	inv string // its inventory
	dir string // the folder of the inventory, known_hosts and key
}

func TestMain(m *testing.M) {
	code := m.Run()
	if err := closeShared(); err != nil {
		fmt.Fprintf(os.Stderr, "closing the live lab: %v\n", err)
		code = 1
	}
	os.Exit(code)
}

// closeShared removes the shared lab, if it runs: one live lab runs on a
// machine at a time.
func closeShared() error {
	shared.mu.Lock()
	defer shared.mu.Unlock()
	var err error
	if shared.lab != nil {
		err = shared.lab.Close()
	}
	if shared.dir != "" {
		os.RemoveAll(shared.dir)
	}
	shared.lab, shared.dir, shared.inv = nil, "", ""
	return err
}

// startLab returns the package's live lab, starting it on first use, or
// skips (fails under CI=true, where the CI script installs what it needs
// and runs as root).
func startLab(t *testing.T) *real.Lab {
	t.Helper()
	if err := real.Missing(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but the live lab cannot run: %v", err)
		}
		t.Skipf("live lab not available: %v", err)
	}
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.lab == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
		defer cancel()
		start := time.Now()
		l, err := real.Start(ctx, real.Options{Prefix: "tdt"})
		if err != nil {
			t.Fatal(err)
		}
		shared.lab = l
		t.Logf("the live lab started in %s", time.Since(start).Round(100*time.Millisecond))
		if shared.dir, err = os.MkdirTemp("", "tunneldoc-reallab-test-"); err != nil {
			t.Fatal(err)
		}
		if shared.inv, err = shared.lab.WriteFiles(shared.dir); err != nil {
			t.Fatal(err)
		}
	}
	if b, _ := os.ReadFile(shared.inv); !strings.Contains(string(b), "platform: strongswan") {
		t.Fatalf("inventory lacks the strongswan platform:\n%s", b)
	}
	return shared.lab
}

// collector reads the shared lab's inventory.
func collector(t *testing.T) *devices.Collector {
	t.Helper()
	shared.mu.Lock()
	path := shared.inv
	shared.mu.Unlock()
	return collectorFor(t, path)
}

// collectorFor reads the inventory at path.
func collectorFor(t *testing.T, path string) *devices.Collector {
	t.Helper()
	inv, err := devices.LoadInventory(path)
	if err != nil {
		t.Fatal(err)
	}
	return devices.NewCollector(inv, devices.CollectorOptions{Logger: slog.New(slog.DiscardHandler)})
}

// setScenario switches the lab, bounded, and says how long it took.
func setScenario(t *testing.T, ctx context.Context, l *real.Lab, name string) {
	t.Helper()
	start := time.Now()
	if err := l.SetScenario(ctx, name); err != nil {
		t.Fatal(err)
	}
	t.Logf("scenario %s set in %s", name, time.Since(start).Round(100*time.Millisecond))
}

// collect runs `check tunnel peer`'s collection; one device must answer.
func collect(t *testing.T, ctx context.Context, c *devices.Collector, peer string) string {
	t.Helper()
	cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	cols, err := c.CollectPeer(cctx, peer)
	if err != nil {
		t.Fatalf("collect %s: %v", peer, err)
	}
	if len(cols) != 1 {
		t.Fatalf("collect %s: %d devices answered, want 1", peer, len(cols))
	}
	return cols[0].Transcript()
}

// diagnoseUntil runs `check tunnel peer` (collector + engine) until the
// cause is want or the limit passes; it returns the last report.
func diagnoseUntil(t *testing.T, ctx context.Context, c *devices.Collector, peer, want string, limit time.Duration) diagnose.Report {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		transcript := collect(t, ctx, c, peer)
		rep := diagnose.Diagnose(transcript, diagnose.Options{Peer: peer})
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
// namespaces, read over real sshd by the devices collector, switched
// through every scenario that a check answers from one read, then healthy
// again. West (the initiator) is read in every scenario, from its charon
// log file; east (the responder, its charon logging to its own journal)
// where its side shows the cause too.
func TestCheckTunnelOnRealDaemons(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	l := startLab(t)
	c := collector(t)
	checkScenarios(t, ctx, l, c, []scenarioCase{
		{"healthy", diagnose.CauseHealthy, 30 * time.Second, diagnose.CauseHealthy},
		// east refuses the proposals before it picks a connection: its
		// lines of that IKE_SA are tagged <N> without a name and do not
		// name west, so the strongSwan platform's log read leaves them out
		// and east's side is not judged
		{"proposal-mismatch", diagnose.CauseIKEProposalMismatch, 20 * time.Second, ""},
		{"psk-mismatch", diagnose.CausePSKMismatch, 20 * time.Second, diagnose.CausePSKMismatch},
		{"ts-mismatch", diagnose.CauseTrafficSelectorMismatch, 20 * time.Second, diagnose.CauseTrafficSelectorMismatch},
		// west's IKE_SA_INIT goes unanswered (east receives nothing);
		// charon retransmits and gives up within the switch's initiate
		{"unreachable", diagnose.CausePeerUnreachable, 20 * time.Second, ""},
		// west probes every 2 s and gives up ~7 s after the drop
		{"dpd", diagnose.CauseDPDPeerDead, 40 * time.Second, ""},
		{"healthy", diagnose.CauseHealthy, 30 * time.Second, ""},
	})
}

// scenarioCase is one scenario a check on west (its tunnel to east)
// answers from one read.
type scenarioCase struct {
	scenario, cause string
	limit           time.Duration // from the switch's end to the answer
	eastCause       string        // east's answer about west; "": not judged
}

// checkScenarios switches l through the cases in order, one subtest each.
func checkScenarios(t *testing.T, ctx context.Context, l *real.Lab, c *devices.Collector, cases []scenarioCase) {
	t.Helper()
	west, east := l.Gateways[0], l.Gateways[1]
	for _, tc := range cases {
		t.Run(tc.scenario, func(t *testing.T) {
			setScenario(t, ctx, l, tc.scenario)
			start := time.Now()
			rep := diagnoseUntil(t, ctx, c, east.Address, tc.cause, tc.limit)
			if want := diagnose.CausePhase[tc.cause]; rep.Phase != want {
				t.Errorf("%s: phase %s, want %s (%q)", tc.scenario, rep.Phase, want, rep.Summary)
			}
			t.Logf("%s on %s (%s) answered %s/%s in %s: %s", tc.scenario, west.Name, west.Platform, rep.Phase, rep.Cause, time.Since(start).Round(100*time.Millisecond), rep.Summary)
			if tc.eastCause == "" {
				return
			}
			rep = diagnoseUntil(t, ctx, c, west.Address, tc.eastCause, 10*time.Second)
			t.Logf("%s on %s: %s/%s: %s", tc.scenario, east.Name, rep.Phase, rep.Cause, rep.Summary)
		})
	}
}
