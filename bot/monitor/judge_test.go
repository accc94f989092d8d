package monitor

import (
	"strings"
	"testing"

	"github.com/tunneldoc/tunneldoc/devices/lab"
	"github.com/tunneldoc/tunneldoc/diagnose"
)

// TestDecideLabScenarios: one poll of every lab scenario. Healthy ones
// (and the merely degraded anti-replay one) are up; every other is down,
// by the SA tables or, where they look fine, by the engine's sure verdict.
func TestDecideLabScenarios(t *testing.T) {
	all, err := lab.Scenarios()
	if err != nil {
		t.Fatal(err)
	}
	for _, sc := range all {
		peer, tr := scenarioTranscript(t, sc.Name)
		v, ev := decide(diagnose.Facts(tr, diagnose.Options{Peer: peer}), diagnose.Diagnose(tr, diagnose.Options{Peer: peer}), peer, nil)
		wantDown := sc.Expect.Cause != diagnose.CauseHealthy && sc.Expect.Cause != diagnose.CauseAntiReplayDrops
		if v.Down != wantDown {
			t.Errorf("%s: down=%v (%s), want %v", sc.Name, v.Down, v.Reason, wantDown)
		}
		if wantDown && (ev.Report == nil || ev.Report.Cause != sc.Expect.Cause) {
			t.Errorf("%s: event report %+v, want cause %s", sc.Name, ev.Report, sc.Expect.Cause)
		}
	}
}

// TestJudgeCounters: encaps growing while decaps stay flat across two
// polls is down; both growing, or both flat (idle), is up.
func TestJudgeCounters(t *testing.T) {
	peer, tr := scenarioTranscript(t, "ios-healthy")
	f := diagnose.Facts(tr, diagnose.Options{Peer: peer})
	first := Judge(f, peer, nil)
	if first.Down || first.Encaps != 1843 || first.Decaps != 2618 {
		t.Fatalf("first poll: %+v", first)
	}
	if v := Judge(f, peer, &Verdict{Encaps: 1843, Decaps: 2618}); v.Down {
		t.Errorf("idle tunnel judged down: %+v", v)
	}
	if v := Judge(f, peer, &Verdict{Encaps: 1000, Decaps: 2618}); !v.Down || !strings.Contains(v.Reason, "encaps growing") {
		t.Errorf("one-way growth not down: %+v", v)
	}
	if v := Judge(f, peer, &Verdict{Encaps: 1000, Decaps: 2000}); v.Down {
		t.Errorf("two-way growth judged down: %+v", v)
	}
	if v := Judge(f, "192.0.2.99", nil); !v.Down || v.Reason != "no IKE SA with the peer" {
		t.Errorf("unknown peer: %+v", v)
	}
}
