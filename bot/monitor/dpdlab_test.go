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
	l, err := lab.Start(ctx, lab.Options{Devices: []lab.DeviceConfig{
		{Name: "dead", Scenario: "ios-dpd-peer-dead"},
		{Name: "noisy", Scenario: "ios-dpd-old-lines"},
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
