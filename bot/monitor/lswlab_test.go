package monitor

import (
	"context"
	"testing"
	"time"

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
	m, msgs, c := startLabMonitor(ctx, t,
		lab.DeviceConfig{Name: "up", Scenario: "lsw-healthy"},
		lab.DeviceConfig{Name: "psk", Scenario: "lsw-psk-mismatch"},
	)
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
