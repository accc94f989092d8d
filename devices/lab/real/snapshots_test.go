package real_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/tunneldoc/tunneldoc/devices"
	"github.com/tunneldoc/tunneldoc/diagnose"
)

// TestCountersMoveOnRealDaemons: the hosts behind the gateways ping each
// other every second, so two reads of the real CHILD_SA's counters (the
// platform's one counters command, as a check's second read sends it)
// a few seconds apart are judged live both ways.
func TestCountersMoveOnRealDaemons(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	l := startLab(t, ctx)
	inv, err := devices.LoadInventory(mustWrite(t, l))
	if err != nil {
		t.Fatal(err)
	}
	c := devices.NewCollector(inv, devices.CollectorOptions{Logger: slog.New(slog.DiscardHandler)})
	east := l.Gateways[1].Address
	diagnoseUntil(t, ctx, c, east, diagnose.CauseHealthy, 30*time.Second)

	read := func() (diagnose.CounterSnapshot, time.Time) {
		t.Helper()
		cctx, ccancel := context.WithTimeout(ctx, 30*time.Second)
		defer ccancel()
		col, err := c.ReadCounters(cctx, east, "")
		if err != nil {
			t.Fatalf("reading the counters: %v", err)
		}
		if len(col.Results) != 1 || col.Results[0].Command != "swanctl --list-sas" {
			t.Fatalf("the second read ran %+v, want only swanctl --list-sas", col.Results)
		}
		return diagnose.ReadCounters(col.Transcript(), east), time.Now()
	}
	first, at := read()
	if first.Problem != "" {
		t.Fatalf("first read: %s", first.Problem)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		time.Sleep(time.Second) // the pings are a second apart
		second, now := read()
		dp := diagnose.CompareSnapshots(first, second, int(now.Sub(at).Round(time.Second)/time.Second))
		if dp.Verdict == diagnose.DataLive {
			t.Logf("%s\nfirst: %q\nsecond: %q", dp.Summary, first.Lines, second.Lines)
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 20 s the counters were judged %s: %s\nfirst: %q\nsecond: %q", dp.Verdict, dp.Summary, first.Lines, second.Lines)
		}
	}
}
