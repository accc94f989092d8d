package real_test

import (
	"context"
	"testing"
	"time"

	"github.com/tunneldoc/tunneldoc/devices"
	"github.com/tunneldoc/tunneldoc/diagnose"
)

// readCounters is a check's second read: the platform's one counters
// command on the device that terminates peer.
func readCounters(t *testing.T, ctx context.Context, c *devices.Collector, peer string) (diagnose.CounterSnapshot, time.Time) {
	t.Helper()
	cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	col, err := c.ReadCounters(cctx, peer, "")
	if err != nil {
		t.Fatalf("reading the counters for %s: %v", peer, err)
	}
	if len(col.Results) != 1 || col.Results[0].Command != "swanctl --list-sas" {
		t.Fatalf("the second read ran %+v, want only swanctl --list-sas", col.Results)
	}
	return diagnose.ReadCounters(col.Transcript(), peer), time.Now()
}

// verdictWithin reads the counters for peer, then again every second,
// until the two reads are judged want or the limit passes.
func verdictWithin(t *testing.T, ctx context.Context, c *devices.Collector, peer, want string, limit time.Duration) diagnose.DataPlane {
	t.Helper()
	first, at := readCounters(t, ctx, c, peer)
	if first.Problem != "" {
		t.Fatalf("first read for %s: %s", peer, first.Problem)
	}
	deadline := time.Now().Add(limit)
	for {
		time.Sleep(time.Second) // the pings are a second apart
		second, now := readCounters(t, ctx, c, peer)
		dp := diagnose.CompareSnapshots(first, second, int(now.Sub(at).Round(time.Second)/time.Second))
		if dp.Verdict == want {
			t.Logf("%s: %s\nfirst: %q\nsecond: %q", peer, dp.Summary, first.Lines, second.Lines)
			return dp
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %s the counters for %s were judged %s, want %s: %s\nfirst: %q\nsecond: %q", limit, peer, dp.Verdict, want, dp.Summary, first.Lines, second.Lines)
		}
	}
}

// TestCountersMoveOnRealDaemons: the hosts behind the gateways ping each
// other every second, so two reads of the real CHILD_SA's counters (the
// platform's one counters command, as a check's second read sends it)
// a few seconds apart are judged live both ways.
func TestCountersMoveOnRealDaemons(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	l := startLab(t)
	c := collector(t)
	setScenario(t, ctx, l, "healthy")
	east := l.Gateways[1].Address
	diagnoseUntil(t, ctx, c, east, diagnose.CauseHealthy, 30*time.Second)
	verdictWithin(t, ctx, c, east, diagnose.DataLive, 20*time.Second)
}

// TestOneWayOnRealDaemons: east loses its route back to west's net while
// the hosts ping: two reads on west (its tunnel to east) are judged
// one-way outbound, two on east (its tunnel to west) one-way inbound.
func TestOneWayOnRealDaemons(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	l := startLab(t)
	c := collector(t)
	west, east := l.Gateways[0].Address, l.Gateways[1].Address
	setScenario(t, ctx, l, "one-way")
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := l.SetScenario(ctx, "healthy"); err != nil {
			t.Errorf("back to healthy: %v", err)
		}
	})
	dp := verdictWithin(t, ctx, c, east, diagnose.DataOneWayOutbound, 20*time.Second)
	if dp.Cause != diagnose.CauseOneWayOutbound {
		t.Errorf("west: cause %s, want %s", dp.Cause, diagnose.CauseOneWayOutbound)
	}
	dp = verdictWithin(t, ctx, c, west, diagnose.DataOneWayInbound, 20*time.Second)
	if dp.Cause != diagnose.CauseOneWayInbound {
		t.Errorf("east: cause %s, want %s", dp.Cause, diagnose.CauseOneWayInbound)
	}
	// one read on west: the CHILD_SA is new, so its counters alone show
	// packets out and none in
	rep := diagnose.Diagnose(collect(t, ctx, c, east), diagnose.Options{Peer: east})
	t.Logf("one read on west: %s/%s: %s", rep.Phase, rep.Cause, rep.Summary)
}
