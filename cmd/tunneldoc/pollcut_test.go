package main

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tunneldoc/tunneldoc/devices"
)

// TestPollCutShortIsNoVerdict: a device that stalls or drops the connection
// in the middle of the monitor's SA-table poll gives no verdict that
// round. Before, the partial table came back without an error and the
// monitor read the missing rows as "no IKE SA with the peer": a false
// outage.
func TestPollCutShortIsNoVerdict(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	l, invPath := cutShortLab(t, ctx) // hangs (IOS), floods (ASA), drops (strongSwan)
	inv, err := devices.LoadInventory(invPath)
	if err != nil {
		t.Fatal(err)
	}
	p := collectorPoller{devices.NewCollector(inv, devices.CollectorOptions{})}
	want := map[string]devices.Kind{"hangs": devices.Timeout, "floods": devices.OutputCut, "drops": devices.ConnectionLost}
	for _, d := range l.Devices {
		t.Run(d.Name, func(t *testing.T) {
			tr, err := p.PollDevice(ctx, d.Name)
			if !errors.Is(err, want[d.Name]) {
				t.Fatalf("poll of %s: err %v, want %s (a cut-short table must not be judged)", d.Name, err, want[d.Name])
			}
			if !strings.Contains(tr, "[tunneldoc: incomplete output: ") {
				t.Errorf("the partial transcript still comes back, marked:\n%.400s", tr)
			}
		})
	}
}
