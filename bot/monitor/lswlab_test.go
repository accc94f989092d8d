package monitor

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/tunneldoc/tunneldoc/bot/clock/clocktest"
	"github.com/tunneldoc/tunneldoc/bot/store"
	"github.com/tunneldoc/tunneldoc/devices"
	"github.com/tunneldoc/tunneldoc/devices/lab"
	"github.com/tunneldoc/tunneldoc/diagnose"
)

// TestMonitorPollsLibreswan: libreswan devices polled through the real
// collector. The one whose IKE SA (STATE_V2_ESTABLISHED_IKE_SA) and Child
// SA are established, its bytes growing both ways, opens no incident in
// four rounds; the one whose pluto log says the peer rejected its
// IKE_AUTH (AUTHENTICATION_FAILED, no state left in its status) opens one
// at the first round, with the PSK mismatch as its cause.
func TestMonitorPollsLibreswan(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	l, err := lab.Start(ctx, lab.Options{Devices: []lab.DeviceConfig{
		{Name: "up", Scenario: "lsw-healthy"},
		{Name: "psk", Scenario: "lsw-psk-mismatch"},
	}})
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
	var targets []Target
	for _, d := range l.Devices {
		targets = append(targets, Target{Device: d.Name, Peer: d.Scenario.Peer})
	}
	c := clocktest.New(time.Time{})
	msgs := newMsgLog()
	fm := &fakeMessenger{name: "r1", log: msgs}
	m, err := New(Config{DefaultChannel: testChannel, ReplicaID: "r1"}, Deps{
		Messenger: fm, Finder: fm, State: store.NewMemoryMonitor(c),
		Poller:  labPoller{devices.NewCollector(inv, devices.CollectorOptions{Logger: slog.New(slog.DiscardHandler)})},
		Targets: targets, Clock: c, Logger: quietLogger(),
	})
	if err != nil {
		t.Fatal(err)
	}
	for round := 1; round <= 4; round++ {
		polled, err := m.PollOnce(ctx)
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		if len(polled) != 2 {
			t.Fatalf("round %d polled %q, want both devices", round, polled)
		}
		if round == 1 && len(roots(msgs.snapshot())) != 1 {
			t.Fatalf("after the first round:\n%s", dump(msgs.snapshot()))
		}
		c.Advance(5 * time.Second)
	}
	if rs := roots(msgs.snapshot()); len(rs) != 1 {
		t.Errorf("%d incidents, want one (the PSK mismatch only):\n%s", len(rs), dump(msgs.snapshot()))
	}
	st, err := m.Statuses(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(st) != 1 || st[0].Device != "psk" || st[0].Cause != diagnose.CausePSKMismatch {
		t.Errorf("open incidents %+v, want one on psk with %s", st, diagnose.CausePSKMismatch)
	}
}
