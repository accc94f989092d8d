package monitor

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/tunneldoc/tunneldoc/bot"
	"github.com/tunneldoc/tunneldoc/bot/clock/clocktest"
	"github.com/tunneldoc/tunneldoc/bot/store"
)

// cutChecker answers like fakeChecker and adds a note: the device closed
// the connection during the first command.
type cutChecker struct{ inner *fakeChecker }

func (c cutChecker) CheckTunnel(ctx context.Context, peer, device string) (bot.CheckResult, error) {
	res, err := c.inner.CheckTunnel(ctx, peer, device)
	res.Commands = []string{"show crypto isakmp sa", "show crypto ipsec sa peer " + peer}
	res.Notes = []bot.CollectionNote{{Device: device, Command: "show crypto isakmp sa", Problem: bot.CutDropped, Bytes: 310}}
	return res, err
}

// TestMonitorDiagnosisSaysOutputWasCutShort: the diagnosis the monitor
// posts from its own check says which command came back incomplete and
// that the diagnosis stands on partial output.
func TestMonitorDiagnosisSaysOutputWasCutShort(t *testing.T) {
	log := newMsgLog()
	fc := &fakeChecker{}
	peer, tr := scenarioTranscript(t, "ios-peer-unreachable")
	fc.set(testPeer, rewritePeer(tr, peer, testPeer))
	clock := clocktest.New(time.Time{})
	fm := &fakeMessenger{name: "r1", log: log}
	m, err := New(Config{DefaultChannel: testChannel}, Deps{
		Messenger: fm, Finder: fm,
		State:     store.NewMemoryMonitor(clock),
		Incidents: store.NewMemory(store.Options{Clock: clock}),
		Checker:   cutChecker{fc},
		Targets:   []Target{{Device: testDevice, Peer: testPeer, Name: "HQ–Branch7"}},
		Clock:     clock,
		Logger:    quietLogger(),
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Handle(context.Background(), Event{Peer: testPeer, Device: testDevice, Down: true, Source: "syslog", Detail: "Crypto tunnel is DOWN"}); err != nil {
		t.Fatal(err)
	}
	all := log.snapshot()
	rs := roots(all)
	if len(rs) != 1 {
		t.Fatalf("want one root:\n%s", dump(all))
	}
	rep := replies(all, rs[0].TS)
	if len(rep) != 1 {
		t.Fatalf("want one diagnosis reply:\n%s", dump(all))
	}
	for _, w := range []string{
		"This diagnosis is based on partial output: 1 of 2 command(s) cut short.",
		"`show crypto isakmp sa` on fw-hq: connection closed by the device after 310 B, before its prompt came back",
		"what to do: rerun the check",
	} {
		if !strings.Contains(rep[0].Text, w) {
			t.Errorf("the monitor's diagnosis lacks %q:\n%s", w, rep[0].Text)
		}
	}
}

// TestPollTargetCutShortIsNoVerdict: a poll through the Checker whose
// answer was cut short gives no verdict. Before, the partial SA table was
// judged and its missing rows read as a down tunnel.
func TestPollTargetCutShortIsNoVerdict(t *testing.T) {
	r := newRig(t, Config{})
	r.poll() // healthy: nothing
	// the device drops the connection half way through the IKE SA table
	fc := &fakeChecker{}
	fc.set(testPeer, "fw-hq# show crypto isakmp sa\nIPv4 Crypto ISAKMP SA\n[tunneldoc: incomplete output: fw-hq closed the connection]\n")
	r.m.deps.Checker = cutChecker{fc}
	if _, err := r.m.PollOnce(context.Background()); err == nil || !strings.Contains(err.Error(), "connection closed by the device") {
		t.Errorf("poll error = %v, want the cut named", err)
	}
	if all := r.log.snapshot(); len(roots(all)) != 0 {
		t.Fatalf("a cut-short poll opened an outage:\n%s", dump(all))
	}
}
