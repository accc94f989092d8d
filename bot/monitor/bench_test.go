package monitor

import (
	"testing"

	"github.com/tunneldoc/tunneldoc/diagnose"
)

// BenchmarkSyslogEvent: one IOS line parsed and recognised (the cost per
// received datagram).
func BenchmarkSyslogEvent(b *testing.B) {
	line := "<189>Nov 23 20:01:02 fw-hq %CRYPTO-5-SESSION_STATUS: Crypto tunnel is DOWN. Peer 90.1.1.1:500       Id: 90.1.1.1"
	for b.Loop() {
		if _, ok := SyslogEvent(line); !ok {
			b.Fatal("not recognised")
		}
	}
}

// BenchmarkPollDecision: facts + engine + judge for one tunnel's SA
// tables (the CPU a poll costs per tunnel, besides SSH).
func BenchmarkPollDecision(b *testing.B) {
	peer, tr := scenarioTranscript(b, "ios-healthy")
	for b.Loop() {
		f := diagnose.Facts(tr, diagnose.Options{Peer: peer})
		if v, _ := decide(f, diagnose.Diagnose(tr, diagnose.Options{Peer: peer}), peer, nil); v.Down {
			b.Fatal("healthy judged down")
		}
	}
}
