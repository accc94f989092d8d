package devices_test

import (
	"context"
	"log/slog"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/tunneldoc/tunneldoc/devices"
	"github.com/tunneldoc/tunneldoc/devices/lab"
)

// TestPollDevice: only the SA tables and the peer's log lines, the IKE
// table once per device; unknown devices are an error.
func TestPollDevice(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	l, inv, _ := startLab(t, lab.Options{Devices: []lab.DeviceConfig{{Name: "hub", Scenario: "ios-peer-unreachable"}, {Name: "fw", Scenario: "asa-healthy"}, {Name: "swan", Scenario: "swan-healthy"}}})
	c := devices.NewCollector(inv, devices.CollectorOptions{Logger: slog.New(slog.DiscardHandler)})
	fw, swan := l.Devices[1].Scenario.Peer, l.Devices[2].Scenario.Peer
	want := map[string][]string{
		"hub":  {"show crypto isakmp sa", "show crypto ipsec sa peer 40.10.2.1", "show logging | include 40.10.2.1"},
		"fw":   {"show crypto isakmp sa", "show crypto ipsec sa peer " + fw, "show logging | include " + fw},
		"swan": {"swanctl --list-sas", strongswanLog(t, swan)},
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

// strongswanLog is the strongSwan platform's charon log command for peer.
func strongswanLog(t *testing.T, peer string) string {
	t.Helper()
	p, _ := devices.PlatformByName("strongswan")
	for _, pl := range p.Plan(netip.MustParseAddr(peer), nil) {
		if pl.Key == "charon-log" {
			return pl.Command
		}
	}
	t.Fatal("the strongswan platform has no charon-log command")
	return ""
}

// TestPollDeviceLibreswan: a libreswan device is polled with its status
// (whack --status and --trafficstatus, kept to the peer) and its pluto
// log, one pair per tunnel; the transcript carries the IKE SA's state
// row and the Child SA's byte counters.
func TestPollDeviceLibreswan(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	l, inv, _ := startLab(t, lab.Options{Devices: []lab.DeviceConfig{{Name: "kestrel", Scenario: "lsw-healthy"}}})
	c := devices.NewCollector(inv, devices.CollectorOptions{Logger: slog.New(slog.DiscardHandler)})
	peer := l.Devices[0].Scenario.Peer
	p, _ := devices.PlatformByName("libreswan")
	var want []string
	for _, pl := range p.Plan(netip.MustParseAddr(peer), nil) {
		if pl.Key == "ipsec-whack-status" || pl.Key == "pluto-log" {
			want = append(want, pl.Command)
		}
	}
	if len(want) != 2 {
		t.Fatalf("the libreswan platform's status and log commands: %q", want)
	}
	col, err := c.PollDevice(ctx, "kestrel")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range col.Results {
		got = append(got, r.Command)
	}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("ran %q, want %q", got, want)
	}
	tr := col.Transcript()
	for _, s := range []string{"STATE_V2_ESTABLISHED_IKE_SA", "inBytes=26880", "initiator established IKE SA"} {
		if !strings.Contains(tr, s) {
			t.Errorf("the transcript lacks %q:\n%s", s, tr)
		}
	}
}
