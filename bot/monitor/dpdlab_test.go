package monitor

import (
	"context"
	"testing"
	"time"

	"github.com/tunneldoc/tunneldoc/devices"
	"github.com/tunneldoc/tunneldoc/devices/lab"
	"github.com/tunneldoc/tunneldoc/diagnose"
)

// labPoller polls lab devices through the real collector, as the bot
// does.
type labPoller struct{ c *devices.Collector }

func (p labPoller) PollDevice(ctx context.Context, device string) (string, error) {
	col, err := p.c.PollDevice(ctx, device)
	if col == nil {
		return "", err
	}
	return col.Transcript(), err
}

// TestMonitorReportsDPDPeerDead: the SA tables of a tunnel whose DPD
// declared the peer dead look established, with counters that do not
// move; only the device's log says so. The monitor opens one incident
// with that cause within three rounds. A healthy device whose log still
// holds the DPD lines of an earlier outage, its counters growing, opens
// none in six.
func TestMonitorReportsDPDPeerDead(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	m, msgs, c := startLabMonitor(ctx, t,
		lab.DeviceConfig{Name: "dead", Scenario: "ios-dpd-peer-dead"},
		lab.DeviceConfig{Name: "noisy", Scenario: "ios-dpd-old-lines"},
	)
	opened := -1
	for round := 1; round <= 6; round++ {
		if _, err := m.PollOnce(ctx); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		c.Advance(5 * time.Second)
		if opened < 0 && len(roots(msgs.snapshot())) > 0 {
			opened = round
		}
	}
	if opened < 0 || opened > 3 {
		t.Fatalf("incident opened at round %d, want within 3:\n%s", opened, dump(msgs.snapshot()))
	}
	if rs := roots(msgs.snapshot()); len(rs) != 1 {
		t.Errorf("%d incidents, want one (the dead peer only):\n%s", len(rs), dump(msgs.snapshot()))
	}
	st, err := m.Statuses(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(st) != 1 || st[0].Device != "dead" || st[0].Cause != diagnose.CauseDPDPeerDead {
		t.Errorf("open incidents %+v, want one on dead with %s", st, diagnose.CauseDPDPeerDead)
	}
}
