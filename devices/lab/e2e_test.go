package lab_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/tunneldoc/tunneldoc/devices"
	"github.com/tunneldoc/tunneldoc/devices/lab"
	"github.com/tunneldoc/tunneldoc/diagnose"
)

// TestLabDiagnosisEndToEnd: for every lab
// scenario, collecting over SSH and diagnosing the transcript gives the
// scenario's phase and cause. The wiring collect -> diagnose is what bot
// and cmd do; it is repeated here so this package proves its half.
func TestLabDiagnosisEndToEnd(t *testing.T) {
	scenarios, err := lab.Scenarios()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	l, err := lab.Start(ctx, lab.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	path, err := l.WriteFiles(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	inv, err := devices.LoadInventory(path)
	if err != nil {
		t.Fatal(err)
	}
	c := devices.NewCollector(inv, devices.CollectorOptions{Logger: slog.New(slog.DiscardHandler)})
	for _, s := range scenarios {
		t.Run(s.Name, func(t *testing.T) {
			cctx, ccancel := context.WithTimeout(ctx, 30*time.Second)
			defer ccancel()
			col, err := c.Collect(cctx, s.Peer, "")
			if err != nil {
				t.Fatalf("Collect: %v", err)
			}
			rep := diagnose.Diagnose(col.Transcript(), diagnose.Options{Peer: s.Peer})
			if rep.Phase != s.Expect.Phase || rep.Cause != s.Expect.Cause {
				t.Errorf("%s: diagnosis %s/%s (%q), want %s/%s\n--- transcript ---\n%s", s.Description, rep.Phase, rep.Cause, rep.Summary, s.Expect.Phase, s.Expect.Cause, col.Transcript())
			}
			if s.Expect.Cause != diagnose.CauseHealthy && len(rep.Evidence) == 0 {
				t.Errorf("finding without evidence")
			}
		})
	}
}

// TestScenarioData: every scenario answers every command of its
// platform's plan from a file, and expects a phase/cause pair the
// contract knows.
func TestScenarioData(t *testing.T) {
	scenarios, err := lab.Scenarios()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range scenarios {
		phase, ok := diagnose.CausePhase[s.Expect.Cause]
		if !ok || phase != s.Expect.Phase {
			t.Errorf("%s: expect %s/%s is not a contract pair", s.Name, s.Expect.Phase, s.Expect.Cause)
		}
		if s.Hostname == "" || s.Description == "" || len(s.RemoteSubnets) == 0 {
			t.Errorf("%s: scenario.json lacks hostname, description or remote_subnets", s.Name)
		}
		plat, _ := devices.PlatformByName(s.Platform)
		peer, _ := devices.PeerAddr(s.Peer)
		for _, p := range plat.Plan(peer, s.Remotes()) {
			if !s.HasFile(p.Key) {
				t.Errorf("%s: no %s.txt for `%s`", s.Name, p.Key, p.Command)
			}
		}
	}
}
