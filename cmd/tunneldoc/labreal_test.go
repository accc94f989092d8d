package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/tunneldoc/tunneldoc/bot"
	"github.com/tunneldoc/tunneldoc/bot/clock"
	"github.com/tunneldoc/tunneldoc/bot/monitor"
	botslack "github.com/tunneldoc/tunneldoc/bot/slack"
	"github.com/tunneldoc/tunneldoc/bot/store"
	"github.com/tunneldoc/tunneldoc/devices"
	"github.com/tunneldoc/tunneldoc/devices/lab/real"
)

// startRealLab starts a live lab for one test or skips (fails under
// CI=true); the lab is removed when the test ends.
func startRealLab(t *testing.T, ctx context.Context, prefix string) (*real.Lab, string) {
	t.Helper()
	if err := real.Missing(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but the live lab cannot run: %v", err)
		}
		t.Skipf("live lab not available: %v", err)
	}
	l, err := real.Start(ctx, real.Options{Prefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := l.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	inv, err := l.WriteFiles(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return l, inv
}

// TestMonitorOnRealDaemons: the monitor polls west's real strongSwan over
// real sshd; the router drops IKE (UDP/500, UDP/4500) and ESP and west
// negotiates again: one thread opens; the drop goes, the tunnel comes back
// and the thread resolves. Skipped unless root with the lab's programs;
// under CI=true it must run.
func TestMonitorOnRealDaemons(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	l, inv := startRealLab(t, ctx, "tdm")
	west, east := l.Gateways[0], l.Gateways[1]

	slk := &localSlack{}
	api := httptest.NewServer(slk)
	defer api.Close()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	msgr := botslack.NewMessenger(botslack.NewAPI("xoxb-test", botslack.APIOptions{URL: api.URL + "/"}), clock.Real, logger)
	msgr.MinInterval = 0
	rounds := &roundLog{ch: make(chan struct{}, 1)}
	conf, err := loadConfig("", envOf(map[string]string{
		"TUNNELDOC_INVENTORY":             inv,
		"TUNNELDOC_MONITOR_CHANNEL":       "C0LAB",
		"TUNNELDOC_MONITOR_INTERVAL":      "1s",
		"TUNNELDOC_MONITOR_CHECK_TIMEOUT": "20s",
	}))
	if err != nil {
		t.Fatal(err)
	}
	stop, err := startMonitor(ctx, conf.Monitor, monitorDeps{
		Messenger: msgr, Deliveries: msgr, Finder: msgr, Store: store.NewMemory(store.Options{}),
		Collector: devices.NewCollector(conf.Devices.Loaded, devices.CollectorOptions{Getenv: conf.Devices.Lookup}),
		Logger:    slog.New(rounds), Started: func(*monitor.Monitor) {},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer stop()

	// Only west's (kestrel-gw's) threads are judged: east sees the same
	// outage from its side, and its 1 s counter deltas can catch a ping
	// request encrypted before its reply came back.
	westRoots := func() []slackCall {
		var out []slackCall
		for _, r := range slk.posts("") {
			if strings.Contains(r.Text, "down on "+west.Name) {
				out = append(out, r)
			}
		}
		return out
	}
	rounds.wait(t, 2)
	if got := westRoots(); len(got) != 0 {
		t.Fatalf("the healthy lab opened a thread for %s:\n%s", west.Name, slk.dump())
	}

	if err := l.SetScenario(ctx, "unreachable"); err != nil {
		t.Fatal(err)
	}
	slk.waitFor(t, "a thread for the dropped tunnel", func() bool {
		r := westRoots()
		return len(r) == 1 && len(slk.posts(r[0].TS)) >= 1
	})
	root := westRoots()[0]
	if !strings.Contains(root.Text, east.Address) {
		t.Errorf("root %q does not name %s", root.Text, east.Address)
	}
	t.Logf("root: %s", root.Text)
	t.Logf("diagnosis: %.300s", slk.posts(root.TS)[0].Text)
	// The drop leaves west's IKE_SA_INIT unanswered: charon retransmits
	// and gives up, and the thread must say so.
	slk.waitFor(t, "the peer_unreachable cause in the thread", func() bool {
		for _, c := range append([]slackCall{root}, slk.posts(root.TS)...) {
			if strings.Contains(c.Text, "peer_unreachable") || strings.Contains(c.Text, "never answers") {
				return true
			}
		}
		return false
	})

	if err := l.SetScenario(ctx, "healthy"); err != nil {
		t.Fatal(err)
	}
	slk.waitFor(t, "resolution", func() bool {
		for _, c := range slk.posts(root.TS) {
			if strings.Contains(c.Text, "resolved after") {
				return true
			}
		}
		return false
	})
	for _, c := range slk.posts(root.TS) {
		t.Logf("thread: %.200s", c.Text)
	}
	if got := westRoots(); len(got) != 1 {
		t.Errorf("%d threads for one outage on %s:\n%s", len(got), west.Name, slk.dump())
	}
}

// TestRealLabRefusesScenariosItCannotShow: with a libreswan west, a
// scenario that needs an IPsec SA (dpd) is refused before anything starts,
// naming the ones it can show (where the lab cannot run at all, that is
// said first).
func TestRealLabRefusesScenariosItCannotShow(t *testing.T) {
	var out, errOut strings.Builder
	code := runRealLab(context.Background(), realLabOptions{dir: t.TempDir(), scenario: "dpd", libreswan: true}, strings.NewReader(""), &out, &errOut)
	if err := real.MissingLibreswan(); err != nil {
		if code != 1 || !strings.Contains(errOut.String(), err.Error()) {
			t.Errorf("exit %d, %q; want 1 and %q", code, errOut.String(), err)
		}
		return
	}
	want := `unknown scenario "dpd" (known: ` + strings.Join(real.LibreswanScenarios, ", ") + ")"
	if code != 2 || !strings.Contains(errOut.String(), want) || out.Len() != 0 {
		t.Errorf("exit %d, stderr %q, stdout %q; want 2 and %q", code, errOut.String(), out.String(), want)
	}
}

// TestCheckOneWayOnRealDaemons: `check tunnel` through the bot against
// real strongSwan while east has lost its route back to west's net and
// the hosts ping: the check reads the counters a second time, a few
// seconds later on the real clock, and the thread says one way, encrypted
// without return on west and decrypted without answer on east.
func TestCheckOneWayOnRealDaemons(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	l, inv := startRealLab(t, ctx, "tdo")
	if err := l.SetScenario(ctx, "one-way"); err != nil {
		t.Fatal(err)
	}
	conf, err := loadConfig("", envOf(map[string]string{"TUNNELDOC_INVENTORY": inv}))
	if err != nil {
		t.Fatal(err)
	}
	col := devices.NewCollector(conf.Devices.Loaded, devices.CollectorOptions{Getenv: conf.Devices.Lookup})
	west, east := l.Gateways[0], l.Gateways[1]
	for i, tc := range []struct {
		device, peer, want string
	}{
		{west.Name, east.Address, "Traffic to peer " + east.Address + " flows one way only: this side encrypted"},
		{east.Name, west.Address, "Traffic from peer " + west.Address + " flows one way only: this side decrypted"},
	} {
		t.Run(tc.device, func(t *testing.T) {
			msgr := &threadMessenger{}
			b, err := bot.New(bot.Config{Store: store.NewMemory(store.Options{}), Messenger: msgr, Clock: clock.Real,
				Checker: collectorChecker{col}, Peers: collectorChecker{col},
				Counters: counterReader(col), SnapshotInterval: 3 * time.Second, Logger: slog.New(slog.DiscardHandler)})
			if err != nil {
				t.Fatal(err)
			}
			b.Handle(ctx, bot.Request{Kind: bot.KindMention, Channel: "C1", User: "U1", TS: fmt.Sprintf("1700000200.%06d", i),
				Text: "check tunnel " + tc.peer + " on " + tc.device})
			got := msgr.all()
			for _, w := range []string{"Reading the counters of " + tc.peer + " again in 3 s", tc.want, "Counters, first read", "Counters, 3 s later"} {
				if !strings.Contains(got, w) {
					t.Errorf("thread lacks %q:\n%s", w, got)
				}
			}
			if i := strings.Index(got, tc.want); i >= 0 {
				t.Logf("%.300s", got[i:])
			}
		})
	}
}
