package monitor

import (
	"strings"
	"testing"

	"github.com/tunneldoc/tunneldoc/devices/lab"
	"github.com/tunneldoc/tunneldoc/diagnose"
)

// TestDecideLabScenarios: two polls of every lab scenario. Healthy ones
// (and the merely degraded anti-replay one) are up; every other is down,
// by the SA tables or, where they look fine, by the engine's sure verdict.
func TestDecideLabScenarios(t *testing.T) {
	all, err := lab.Scenarios()
	if err != nil {
		t.Fatal(err)
	}
	for _, sc := range all {
		var prev *Verdict
		var v Verdict
		var ev Event
		for n := 1; n <= 2; n++ {
			peer, tr := scenarioRead(t, sc.Name, n)
			v, ev = decide(diagnose.Facts(tr, diagnose.Options{Peer: peer}), diagnose.Diagnose(tr, diagnose.Options{Peer: peer}), peer, prev)
			prev = &v
		}
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

// TestDecideDPDNeedsFlatDecaps: a DPD reading on SA tables that look up
// rests on log lines. It is taken once a second poll shows the peer's
// decaps flat; never on a first poll alone, and never while the decaps
// grow (the lines are from an earlier outage).
func TestDecideDPDNeedsFlatDecaps(t *testing.T) {
	peer, tr := scenarioTranscript(t, "ios-dpd-peer-dead")
	f, rep := diagnose.Facts(tr, diagnose.Options{Peer: peer}), diagnose.Diagnose(tr, diagnose.Options{Peer: peer})
	if rep.Cause != diagnose.CauseDPDPeerDead {
		t.Fatalf("engine reads %s, want %s", rep.Cause, diagnose.CauseDPDPeerDead)
	}
	first, _ := decide(f, rep, peer, nil)
	if first.Down {
		t.Fatalf("first poll taken on the log alone: %+v", first)
	}
	if v, ev := decide(f, rep, peer, &first); !v.Down || ev.Report == nil || ev.Report.Cause != diagnose.CauseDPDPeerDead {
		t.Errorf("flat decaps: %+v %+v, want down with %s", v, ev.Report, diagnose.CauseDPDPeerDead)
	}
	if v, _ := decide(f, rep, peer, &Verdict{Encaps: first.Encaps - 10, Decaps: first.Decaps - 2}); v.Down {
		t.Errorf("decaps grew since the last poll, still down: %+v", v)
	}
}
