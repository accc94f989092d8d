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

// TestSwitchChangesState: a switch device keeps its tunnel (the base
// scenario's peer) while Set moves it through other scenarios' states;
// each collection over SSH diagnoses as the state it was set to.
func TestSwitchChangesState(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	l, err := lab.Start(ctx, lab.Options{Devices: []lab.DeviceConfig{{Name: "other", Scenario: "swan-healthy"}}})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	sw, err := l.AddSwitch("fw-hq", "ios-healthy")
	if err != nil {
		t.Fatal(err)
	}
	if err := sw.Set("swan-healthy"); err == nil {
		t.Fatal("a strongSwan state on an IOS device was accepted")
	}
	path, err := l.WriteFiles(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	inv, err := devices.LoadInventory(path)
	if err != nil {
		t.Fatal(err)
	}
	c := devices.NewCollector(inv, devices.CollectorOptions{Logger: slog.New(slog.DiscardHandler)})
	for _, state := range []string{"ios-healthy", "ios-peer-unreachable", "ios-psk-mismatch", "ios-one-way-inbound", "ios-healthy"} {
		if err := sw.Set(state); err != nil {
			t.Fatal(err)
		}
		if sw.Current() != state {
			t.Fatalf("current %s, want %s", sw.Current(), state)
		}
		col, err := c.Collect(ctx, sw.Peer(), "fw-hq")
		if err != nil {
			t.Fatalf("%s: %v", state, err)
		}
		want, _ := lab.ScenarioByName(state)
		rep := diagnose.Diagnose(col.Transcript(), diagnose.Options{Peer: sw.Peer()})
		if rep.Cause != want.Expect.Cause || rep.Peer != sw.Peer() && rep.Peer != "" {
			t.Errorf("%s: diagnosed %s/%s for peer %q, want %s for %s\n%s", state, rep.Phase, rep.Cause, rep.Peer, want.Expect.Cause, sw.Peer(), col.Transcript())
		}
		if col.Hostname != "HUB-A" {
			t.Errorf("%s: hostname %q, want the base's HUB-A", state, col.Hostname)
		}
	}
}
