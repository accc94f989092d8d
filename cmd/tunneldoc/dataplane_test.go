package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/tunneldoc/tunneldoc/bot"
	"github.com/tunneldoc/tunneldoc/bot/clock/clocktest"
	botslack "github.com/tunneldoc/tunneldoc/bot/slack"
	"github.com/tunneldoc/tunneldoc/bot/store"
	redisstore "github.com/tunneldoc/tunneldoc/bot/store/redis"
	"github.com/tunneldoc/tunneldoc/bot/store/redis/redistest"
	"github.com/tunneldoc/tunneldoc/devices"
	"github.com/tunneldoc/tunneldoc/devices/lab"
	"github.com/tunneldoc/tunneldoc/diagnose"
)

// scriptedDevice answers a check with a lab scenario's transcript and the
// second counter read with the next of its scripted reads.
type scriptedDevice struct {
	mu     sync.Mutex
	first  string
	second string
	err    error // the second read's error
	reads  int
}

func (d *scriptedDevice) CheckTunnel(_ context.Context, peer, device string) (bot.CheckResult, error) {
	return bot.CheckResult{Device: device, Transcript: d.first, Commands: []string{"show crypto isakmp sa", "show crypto ipsec sa peer " + peer}}, nil
}

func (d *scriptedDevice) ReadCounters(context.Context, string, string) (string, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.reads++
	return d.second, d.err
}

// labRead is a lab scenario's answers to its platform's check, as the
// collector's transcript shows them.
func labRead(t *testing.T, name string) (peer, transcript string) {
	t.Helper()
	sc, err := lab.ScenarioByName(name)
	if err != nil {
		t.Fatal(err)
	}
	plat, _ := devices.PlatformByName(sc.Platform)
	var b strings.Builder
	for _, c := range plat.Plan(netip.MustParseAddr(sc.Peer), sc.Remotes()) {
		out, _ := sc.AnswerRead(c.Command, 1)
		fmt.Fprintf(&b, "%s# %s\n%s\n", sc.Hostname, c.Command, out)
	}
	return sc.Peer, b.String()
}

var (
	iosEncapsRe = regexp.MustCompile(`#pkts encaps: \d+, #pkts encrypt: \d+, #pkts digest: \d+`)
	iosDecapsRe = regexp.MustCompile(`#pkts decaps: \d+, #pkts decrypt: \d+, #pkts verify: \d+`)
	swanInOutRe = regexp.MustCompile(`(?m)^(\s*)(in|out) +(\w+), +(\d+) bytes, +\d+ packets, +\d+s ago$`)
)

// iosCounters is an IOS transcript whose IPsec SA shows these counters.
func iosCounters(t *testing.T, tr string, encaps, decaps int64) string {
	t.Helper()
	if !iosEncapsRe.MatchString(tr) || !iosDecapsRe.MatchString(tr) {
		t.Fatal("no IOS counters in the transcript")
	}
	tr = iosEncapsRe.ReplaceAllString(tr, fmt.Sprintf("#pkts encaps: %[1]d, #pkts encrypt: %[1]d, #pkts digest: %[1]d", encaps))
	return iosDecapsRe.ReplaceAllString(tr, fmt.Sprintf("#pkts decaps: %[1]d, #pkts decrypt: %[1]d, #pkts verify: %[1]d", decaps))
}

// swanAgo is a strongSwan transcript whose CHILD_SA counters show these
// packets and last-use times.
func swanAgo(t *testing.T, tr string, out, in, outAgo, inAgo int64) string {
	t.Helper()
	if len(swanInOutRe.FindAllString(tr, -1)) != 2 {
		t.Fatal("no swanctl in/out lines in the transcript")
	}
	return swanInOutRe.ReplaceAllStringFunc(tr, func(l string) string {
		m := swanInOutRe.FindStringSubmatch(l)
		n, ago := out, outAgo
		if m[2] == "in" {
			n, ago = in, inAgo
		}
		return fmt.Sprintf("%s%-3s %s, %9s bytes, %8d packets, %5ds ago", m[1], m[2], m[3], m[4], n, ago)
	})
}

// checkEnv is one bot on a real Redis and a loopback Slack Web API.
type checkEnv struct {
	slack *recordingSlack
	store *redisstore.Store
	n     int
}

func newCheckEnv(t *testing.T) *checkEnv {
	t.Helper()
	rs := redistest.Start(t)
	st, err := redisstore.OpenURL(rs.URL(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return &checkEnv{slack: newRecordingSlack(t), store: st}
}

// check runs `check tunnel peer` in a new thread of channel against dev
// and returns the thread's root ts.
func (e *checkEnv) check(t *testing.T, ctx context.Context, channel, peer string, dev *scriptedDevice) string {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	clk := clocktest.New(time.Time{}).Jump()
	m := botslack.NewMessenger(slack.New("xoxb-test", slack.OptionAPIURL(e.slack.srv.URL+"/")), clk, log)
	m.MinInterval = 0
	b, err := bot.New(bot.Config{Store: e.store, Messenger: m, Checker: dev, Counters: dev,
		SnapshotInterval: 5 * time.Second, Clock: clk, Logger: log, BotUserID: "UBOT"})
	if err != nil {
		t.Fatal(err)
	}
	e.n++
	ts := fmt.Sprintf("1700000500.%06d", e.n)
	b.Handle(ctx, bot.Request{Kind: bot.KindMention, Channel: channel, User: "U1", TS: ts, Text: "<@UBOT> check tunnel " + peer})
	if dev.reads != 1 {
		t.Fatalf("the counters were read again %d times, want once:\n%s", dev.reads, e.slack.text())
	}
	return ts
}

// verdictOf is the last chat.update of the thread: the counters note
// edited into the data-plane verdict.
func (e *checkEnv) verdict(t *testing.T, thread string) string {
	t.Helper()
	notes := map[string]bool{}
	var last string
	for _, c := range e.slack.snapshot() {
		if c.Method == "chat.postMessage" && c.Form.Get("thread_ts") == thread && strings.Contains(c.Form.Get("text")+c.Form.Get("blocks"), "Reading the counters of") {
			notes[c.TS] = true
		}
		if c.Method == "chat.update" && notes[c.Form.Get("ts")] {
			last = c.Form.Get("text") + "\n" + c.Form.Get("blocks")
		}
	}
	if last == "" {
		t.Fatalf("no data-plane verdict in thread %s:\n%s", thread, e.slack.text())
	}
	return last
}

// TestCheckDataPlaneVerdicts: `check tunnel` reads the counters twice and
// answers in its thread, through the Slack Web API, with the data-plane
// verdict on the deltas: live, one-way each way, idle (counts standing
// still are old, not current traffic; strongSwan's own last-use says how
// old), one packet one way (too little to judge) and what could not be
// judged. A one-way verdict on a tunnel whose first read looked healthy
// opens the incident with that cause, recorded on the verdict's message;
// no other verdict opens one.
func TestCheckDataPlaneVerdicts(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	e := newCheckEnv(t)
	iosPeer, ios := labRead(t, "ios-healthy")
	swanPeer, swan := labRead(t, "swan-healthy")
	if r := diagnose.Diagnose(ios, diagnose.Options{Peer: iosPeer}); r.Cause != diagnose.CauseHealthy {
		t.Fatalf("the first read is %s, want healthy", r.Cause)
	}
	cases := []struct {
		name          string
		peer          string
		first, second string
		err           error
		says          []string
		incident      string // the cause the opened incident names; "" none
	}{
		{"live", iosPeer, iosCounters(t, ios, 1843, 2618), iosCounters(t, ios, 1868, 2642), nil,
			[]string{"flows both ways now: 25 packets encrypted and 24 decrypted in the 5 s between the two reads"}, ""},
		{"one way outbound", iosPeer, iosCounters(t, ios, 1843, 2618), iosCounters(t, ios, 1873, 2618), nil,
			[]string{"flows one way only: this side encrypted 30 packets", "Incident inc-", "opened: the counters show one-way traffic outbound"}, diagnose.CauseOneWayOutbound},
		{"one way inbound", iosPeer, iosCounters(t, ios, 1843, 2618), iosCounters(t, ios, 1843, 2650), nil,
			[]string{"flows one way only: this side decrypted 32 packets", "opened: the counters show one-way traffic inbound"}, diagnose.CauseOneWayInbound},
		{"idle, old counts", iosPeer, iosCounters(t, ios, 1843, 2618), iosCounters(t, ios, 1843, 2618), nil,
			[]string{"No packet crossed the tunnel", "The 1843 packets encrypted and 2618 decrypted that both reads show are old counts, not current traffic", "ping 4.1.1.1 source"}, ""},
		{"idle, old counts, strongSwan says how old", swanPeer, swanAgo(t, swan, 40177, 61233, 754, 266460), swanAgo(t, swan, 40177, 61233, 759, 266465), nil,
			[]string{"are old counts, not current traffic", "The device says the last packet came in 3 d 2 h ago and the last packet went out 12 min ago."}, ""},
		{"one packet out", iosPeer, iosCounters(t, ios, 1843, 2618), iosCounters(t, ios, 1844, 2618), nil,
			[]string{"Only one packet crossed the tunnel", "too little to call the traffic one-way"}, ""},
		{"stale: the second read failed", iosPeer, iosCounters(t, ios, 1843, 2618), "", errors.New("connection reset by peer"),
			[]string{"could not be judged: the second read failed (connection reset by peer)", "The counters of the first read alone do not say whether traffic flows now"}, ""},
		{"stale: the SA was gone", iosPeer, iosCounters(t, ios, 1843, 2618), "hub-a# show crypto ipsec sa peer " + iosPeer + "\n\n", nil,
			[]string{"could not be judged: the IPsec SA shown at the first read was gone 5 s later"}, ""},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			channel := fmt.Sprintf("C0CASE%d", i) // a channel and tunnel of its own
			before, _ := e.store.ListOpen(ctx)
			dev := &scriptedDevice{first: c.first, second: c.second, err: c.err}
			thread := e.check(t, ctx, channel, c.peer, dev)
			got := e.verdict(t, thread)
			for _, w := range c.says {
				if !strings.Contains(got, w) {
					t.Errorf("the verdict lacks %q:\n%s", w, got)
				}
			}
			after, err := e.store.ListOpen(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if c.incident == "" {
				if len(after) != len(before) {
					t.Errorf("a %s verdict opened an incident: %+v", c.name, after[0])
				}
				return
			}
			inc, ok, err := e.store.ByTunnel(ctx, c.peer)
			if err != nil || !ok {
				t.Fatalf("no incident open for %s (%v)", c.peer, err)
			}
			d, _ := inc.Latest()
			if d.Cause != c.incident || d.Phase != diagnose.PhaseData || d.Verdict != diagnose.VerdictDown || d.Source != store.SourceCheck || d.MessageTS == "" {
				t.Errorf("the incident's latest diagnosis %+v, want %s (data plane, down) on the verdict's message", d, c.incident)
			}
			if inc.ThreadTS != thread || !strings.Contains(got, inc.ID) {
				t.Errorf("incident %s in thread %s, want the check's thread %s named in the verdict", inc.ID, inc.ThreadTS, thread)
			}
			// the next case's tunnel is the same peer: resolve this one
			if _, err := e.store.Update(ctx, inc.ID, store.SetStatus(store.StatusResolved, "U1", time.Now())); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestCheckOneWayFollowsStrongerCause: a check's one-way verdict replaces
// the cause of the tunnel's open incident only when it is stronger (a
// peer that did not answer is weaker than one-way traffic on an
// established tunnel; a refused PSK is stronger), and says the change in
// the thread.
func TestCheckOneWayFollowsStrongerCause(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	e := newCheckEnv(t)
	peer, ios := labRead(t, "ios-healthy")
	for i, c := range []struct {
		had      string
		replaced bool
	}{
		{diagnose.CausePeerUnreachable, true},
		{diagnose.CauseNoInterestingTraffic, true},
		{diagnose.CausePSKMismatch, false},
		{diagnose.CauseTrafficSelectorMismatch, false},
	} {
		t.Run(c.had, func(t *testing.T) {
			channel := fmt.Sprintf("C0HAD%d", i)
			now := time.Now()
			inc, _, err := e.store.Open(ctx, store.Incident{ID: store.NewID(), Tunnel: peer, Peer: peer, Channel: channel, ThreadTS: fmt.Sprintf("1700000400.%06d", i), FirstSeen: now, LastSeen: now,
				Diagnoses: []store.Diagnosis{{Phase: diagnose.CausePhase[c.had], Cause: c.had, Verdict: diagnose.VerdictDown, Source: store.SourceMonitor, At: now}}})
			if err != nil {
				t.Fatal(err)
			}
			defer e.store.Update(ctx, inc.ID, store.SetStatus(store.StatusResolved, "U1", now))
			dev := &scriptedDevice{first: iosCounters(t, ios, 1843, 2618), second: iosCounters(t, ios, 1873, 2618)}
			// asked in a thread of its own: answered there, added to the incident
			got := e.verdict(t, e.check(t, ctx, channel, peer, dev))
			after, err := e.store.Get(ctx, inc.ID)
			if err != nil {
				t.Fatal(err)
			}
			last, _ := after.Latest()
			if c.replaced {
				want := "Incident " + inc.ID + ": the cause is now one-way traffic outbound"
				if !strings.Contains(got, want) || !strings.Contains(got, "(was: "+strings.ReplaceAll(c.had, "_", " ")+")") {
					t.Errorf("the verdict does not say the change (%q, was %s):\n%s", want, c.had, got)
				}
				if last.Cause != diagnose.CauseOneWayOutbound {
					t.Errorf("the incident's latest diagnosis is %s, want one_way_outbound", last.Cause)
				}
				return
			}
			if strings.Contains(got, "the cause is now") {
				t.Errorf("a weaker reading replaced %s:\n%s", c.had, got)
			}
			for _, d := range after.Diagnoses {
				if d.Cause == diagnose.CauseOneWayOutbound {
					t.Errorf("one-way recorded over %s: %+v", c.had, after.Diagnoses)
				}
			}
		})
	}
}
