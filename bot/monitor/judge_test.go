package monitor

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/tunneldoc/tunneldoc/devices/lab"
	"github.com/tunneldoc/tunneldoc/diagnose"
	"github.com/tunneldoc/tunneldoc/diagnose/facts"
)

// TestDecideLabScenarios: two polls of every lab scenario. Healthy ones
// (and the merely degraded anti-replay one) are up; every other is down,
// by the SA tables or, where they look fine, by the engine's sure verdict.
func TestDecideLabScenarios(t *testing.T) {
	all, err := lab.Scenarios()
	if err != nil {
		t.Fatal(err)
	}
	for _, sc := range all {
		var prev *Verdict
		var v Verdict
		var ev Event
		for n := 1; n <= 2; n++ {
			peer, tr := scenarioRead(t, sc.Name, n)
			v, ev = decide(diagnose.Facts(tr, diagnose.Options{Peer: peer}), diagnose.Diagnose(tr, diagnose.Options{Peer: peer}), peer, prev)
			prev = &v
		}
		wantDown := sc.Expect.Cause != diagnose.CauseHealthy && sc.Expect.Cause != diagnose.CauseAntiReplayDrops
		if v.Down != wantDown {
			t.Errorf("%s: down=%v (%s), want %v", sc.Name, v.Down, v.Reason, wantDown)
		}
		if wantDown && (ev.Report == nil || ev.Report.Cause != sc.Expect.Cause) {
			t.Errorf("%s: event report %+v, want cause %s", sc.Name, ev.Report, sc.Expect.Cause)
		}
	}
}

// TestJudgeCounters: encaps growing while decaps stay flat across two
// polls is down; both growing, or both flat (idle), is up.
func TestJudgeCounters(t *testing.T) {
	peer, tr := scenarioTranscript(t, "ios-healthy")
	f := diagnose.Facts(tr, diagnose.Options{Peer: peer})
	first := Judge(f, peer, nil)
	if first.Down || first.Encaps != 1843 || first.Decaps != 2618 {
		t.Fatalf("first poll: %+v", first)
	}
	if v := Judge(f, peer, &Verdict{Encaps: 1843, Decaps: 2618}); v.Down {
		t.Errorf("idle tunnel judged down: %+v", v)
	}
	if v := Judge(f, peer, &Verdict{Encaps: 1000, Decaps: 2618}); v.Down || v.OneWay != 1 {
		t.Errorf("one interval of one-way growth: %+v, want up, counted once", v)
	}
	if v := Judge(f, peer, &Verdict{Encaps: 1000, Decaps: 2618, OneWay: 1}); !v.Down || v.OneWay != 2 || !strings.Contains(v.Reason, "encaps growing") {
		t.Errorf("a second interval of one-way growth not down: %+v", v)
	}
	if v := Judge(f, peer, &Verdict{Encaps: 1000, Decaps: 2000}); v.Down {
		t.Errorf("two-way growth judged down: %+v", v)
	}
	if v := Judge(f, "192.0.2.99", nil); !v.Down || v.Reason != "no IKE SA with the peer" {
		t.Errorf("unknown peer: %+v", v)
	}
}

// TestDecideDPDNeedsFlatDecaps: a DPD reading on SA tables that look up
// rests on log lines. It is taken once a second poll shows the peer's
// decaps flat; never on a first poll alone, and never while the decaps
// grow (the lines are from an earlier outage).
func TestDecideDPDNeedsFlatDecaps(t *testing.T) {
	peer, tr := scenarioTranscript(t, "ios-dpd-peer-dead")
	f, rep := diagnose.Facts(tr, diagnose.Options{Peer: peer}), diagnose.Diagnose(tr, diagnose.Options{Peer: peer})
	if rep.Cause != diagnose.CauseDPDPeerDead {
		t.Fatalf("engine reads %s, want %s", rep.Cause, diagnose.CauseDPDPeerDead)
	}
	first, _ := decide(f, rep, peer, nil)
	if first.Down {
		t.Fatalf("first poll taken on the log alone: %+v", first)
	}
	if v, ev := decide(f, rep, peer, &first); !v.Down || ev.Report == nil || ev.Report.Cause != diagnose.CauseDPDPeerDead {
		t.Errorf("flat decaps: %+v %+v, want down with %s", v, ev.Report, diagnose.CauseDPDPeerDead)
	}
	if v, _ := decide(f, rep, peer, &Verdict{Encaps: first.Encaps - 10, Decaps: first.Decaps - 2}); v.Down {
		t.Errorf("decaps grew since the last poll, still down: %+v", v)
	}
}

var iosCountersRe = regexp.MustCompile(`#pkts encaps: \d+, #pkts encrypt: \d+, #pkts digest: \d+\n(\s*)#pkts decaps: \d+, #pkts decrypt: \d+, #pkts verify: \d+`)

// withCounters is an IOS transcript whose IPsec SA shows these counters.
func withCounters(t *testing.T, tr string, encaps, decaps int64) string {
	t.Helper()
	if !iosCountersRe.MatchString(tr) {
		t.Fatal("the transcript shows no IOS counters")
	}
	return iosCountersRe.ReplaceAllString(tr, fmt.Sprintf("#pkts encaps: %[1]d, #pkts encrypt: %[1]d, #pkts digest: %[1]d\n${1}#pkts decaps: %[2]d, #pkts decrypt: %[2]d, #pkts verify: %[2]d", encaps, decaps))
}

// TestPollOneWayNeedsTwoIntervals: polls of a healthy tunnel can land
// between requests counted as encrypted and their replies' decryption (a
// burst of pings, a 1 s poll interval); the next interval counts the
// replies. That is never an outage. Encaps growing with decaps flat over
// two intervals in a row is, and opens one thread.
func TestPollOneWayNeedsTwoIntervals(t *testing.T) {
	type read struct{ encaps, decaps int64 }
	cases := []struct {
		name   string
		reads  []read
		downAt int // the poll (from 1) that opens the thread; 0: none
	}{
		{"requests in flight at a poll", []read{{1843, 2618}, {1846, 2618}, {1846, 2621}, {1849, 2621}, {1849, 2624}, {1852, 2624}}, 0},
		{"one packet in flight every other poll", []read{{1843, 2618}, {1844, 2618}, {1845, 2620}, {1846, 2620}, {1847, 2622}}, 0},
		{"one-way for two intervals", []read{{1843, 2618}, {1873, 2618}, {1903, 2618}, {1933, 2618}}, 3},
		{"a ping a second, no reply, for two intervals", []read{{1843, 2618}, {1844, 2618}, {1845, 2618}, {1846, 2618}}, 3},
		{"one-way, a reply, one-way again", []read{{1843, 2618}, {1873, 2618}, {1903, 2619}, {1933, 2619}, {1963, 2619}}, 5},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := newRig(t, Config{})
			healthy := r.states["ios-healthy"]
			for i, rd := range c.reads {
				r.checker.set(testPeer, withCounters(t, healthy, rd.encaps, rd.decaps))
				r.poll()
				n := len(roots(r.log.snapshot()))
				want := 0
				if c.downAt != 0 && i+1 >= c.downAt {
					want = 1
				}
				if n != want {
					t.Fatalf("after poll %d (%d/%d): %d threads, want %d:\n%s", i+1, rd.encaps, rd.decaps, n, want, dump(r.log.snapshot()))
				}
			}
			if c.downAt != 0 {
				if rs := roots(r.log.snapshot()); !strings.Contains(rs[0].Text, "one-way") && !strings.Contains(rs[0].Text, "one way") && !strings.Contains(rs[0].Text, "encaps growing") {
					t.Errorf("root %q does not say the traffic is one-way", rs[0].Text)
				}
			}
		})
	}
}

// TestDecideOneWayReadingWaitsAPoll: the engine reads one-way traffic in
// cumulative counters (encaps, no decaps). On a new SA one poll can show
// just that between a burst of requests and their replies; the reading is
// taken once a second poll still shows nothing back, never on the first
// alone.
func TestDecideOneWayReadingWaitsAPoll(t *testing.T) {
	peer, healthy := scenarioTranscript(t, "ios-healthy")
	read := func(encaps, decaps int64) (*facts.Facts, diagnose.Report) {
		tr := withCounters(t, healthy, encaps, decaps)
		return diagnose.Facts(tr, diagnose.Options{Peer: peer}), diagnose.Diagnose(tr, diagnose.Options{Peer: peer})
	}
	f, rep := read(5, 0)
	if rep.Cause != diagnose.CauseOneWayOutbound || rep.Confidence < 0.8 {
		t.Fatalf("the engine reads %s (%.2f) in 5 encaps / 0 decaps, want a sure one-way", rep.Cause, rep.Confidence)
	}
	first, _ := decide(f, rep, peer, nil)
	if first.Down {
		t.Fatalf("a first poll of 5/0 taken as one-way: %+v", first)
	}
	f2, rep2 := read(5, 5)
	if v, _ := decide(f2, rep2, peer, &first); v.Down {
		t.Errorf("the reply came: %+v, want up", v)
	}
	if v, ev := decide(f, rep, peer, &first); !v.Down || ev.Report == nil || ev.Report.Cause != diagnose.CauseOneWayOutbound {
		t.Errorf("no reply over a second poll: %+v %+v, want down, one-way", v, ev.Report)
	}
	fin, repIn := read(0, 40)
	if repIn.Cause != diagnose.CauseOneWayInbound || repIn.Confidence < 0.8 {
		t.Fatalf("the engine reads %s (%.2f) in 0 encaps / 40 decaps, want a sure one-way inbound", repIn.Cause, repIn.Confidence)
	}
	if v, _ := decide(fin, repIn, peer, nil); v.Down {
		t.Errorf("a first poll of one-way inbound taken: %+v", v)
	}
	if v, _ := decide(fin, repIn, peer, &Verdict{Encaps: 0, Decaps: 30}); !v.Down {
		t.Errorf("one-way inbound over two polls not taken: %+v", v)
	}
}

// TestJudgePlutoStates: pluto's state rows, in `ipsec status`'s format
// (programs/pluto/state.c), IKEv1 and IKEv2, 4.x and 3.x names. An
// established IKE SA (include/pluto_constants.h's established states)
// with an installed IPsec SA is up; an IKE SA still negotiating is stuck
// in its state; an established one without an IPsec SA is down for that.
func TestJudgePlutoStates(t *testing.T) {
	const peer = "198.51.100.7"
	conn := `000 "lab": 10.61.7.0/24===192.0.2.1[@a]...198.51.100.7[@b]===10.62.7.0/24; erouted; eroute owner: #2` + "\n"
	child := func(state string) string {
		return `000 #2: "lab":500 ` + state + ` (IPsec SA established); EVENT_SA_REPLACE in 28000s; newest; eroute owner; ISAKMP SA #1; idle;` + "\n" +
			`000 #2: "lab" esp.4e5d7f8e@198.51.100.7 esp.d3a1f0c2@192.0.2.1 tun.0@198.51.100.7 tun.0@192.0.2.1 Traffic: ESPin=84B ESPout=84B ESPmax=2^63B` + "\n"
	}
	ike := func(state, story string) string {
		return `000 #1: "lab":500 ` + state + ` (` + story + `); EVENT_SA_REPLACE in 27901s; newest; idle;` + "\n"
	}
	cases := []struct {
		name, rows string
		down       bool
		reason     string
	}{
		{"v1 main initiator", ike("STATE_MAIN_I4", "ISAKMP SA established") + child("STATE_QUICK_I2"), false, ""},
		{"v1 main responder", ike("STATE_MAIN_R3", "sent MR3, ISAKMP SA established") + child("STATE_QUICK_R2"), false, ""},
		{"v1 aggressive", ike("STATE_AGGR_I2", "sent AI2, ISAKMP SA established") + child("STATE_QUICK_I2"), false, ""},
		{"v1 xauth done", ike("STATE_XAUTH_I1", "XAUTH client - possibly awaiting CFG_set") + child("STATE_QUICK_I2"), false, ""},
		{"v2 4.x", ike("STATE_V2_ESTABLISHED_IKE_SA", "established IKE SA") + child("STATE_V2_ESTABLISHED_CHILD_SA"), false, ""},
		{"v2 3.x", ike("STATE_PARENT_I3", "PARENT SA established") + child("STATE_V2_IPSEC_I"), false, ""},
		{"v1 main stuck", ike("STATE_MAIN_I2", "sent MI2, expecting MR2"), true, "IKE SA stuck in STATE_MAIN_I2"},
		{"v2 auth unanswered", ike("STATE_V2_PARENT_I2", "sent v2I2, expected v2R2"), true, "IKE SA stuck in STATE_V2_PARENT_I2"},
		{"no child", ike("STATE_V2_ESTABLISHED_IKE_SA", "established IKE SA"), true, "no IPsec SA with the peer"},
	}
	for _, c := range cases {
		tr := "vpn# ipsec status\n000 using kernel interface: xfrm\n" + conn + c.rows
		v := Judge(diagnose.Facts(tr, diagnose.Options{Peer: peer}), peer, nil)
		if v.Down != c.down || v.Reason != c.reason {
			t.Errorf("%s: down=%v %q, want down=%v %q", c.name, v.Down, v.Reason, c.down, c.reason)
		}
	}
}
