package devices_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/tunneldoc/tunneldoc/devices"
	"github.com/tunneldoc/tunneldoc/devices/lab"
)

// TestPollDevice: only the SA-table commands, the IKE table once per
// device; unknown devices are an error.
func TestPollDevice(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	l, err := lab.Start(ctx, lab.Options{Devices: []lab.DeviceConfig{{Name: "hub", Scenario: "ios-peer-unreachable"}, {Name: "fw", Scenario: "asa-healthy"}, {Name: "swan", Scenario: "swan-healthy"}}})
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
	c := devices.NewCollector(inv, devices.CollectorOptions{Logger: slog.New(slog.DiscardHandler)})
	want := map[string][]string{
		"hub":  {"show crypto isakmp sa", "show crypto ipsec sa peer 40.10.2.1"},
		"fw":   {"show crypto isakmp sa", "show crypto ipsec sa peer " + l.Devices[1].Scenario.Peer},
		"swan": {"swanctl --list-sas"},
	}
	for dev, cmds := range want {
		col, err := c.PollDevice(ctx, dev)
		if err != nil {
			t.Fatalf("%s: %v", dev, err)
		}
		var got []string
		for _, r := range col.Results {
			got = append(got, r.Command)
		}
		if strings.Join(got, "|") != strings.Join(cmds, "|") {
			t.Errorf("%s ran %q, want %q", dev, got, cmds)
		}
		if dev == "hub" && !strings.Contains(col.Transcript(), "MM_NO_STATE") {
			t.Errorf("hub transcript:\n%s", col.Transcript())
		}
	}
	if _, err := c.PollDevice(ctx, "nope"); err == nil {
		t.Error("unknown device polled")
	}
}
