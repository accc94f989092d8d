package monitor

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/tunneldoc/tunneldoc/bot/store"
	"github.com/tunneldoc/tunneldoc/devices/lab"
	"github.com/tunneldoc/tunneldoc/diagnose"
	"github.com/tunneldoc/tunneldoc/diagnose/facts"
)

// staticPoller answers every device poll with one transcript.
type staticPoller struct{ text string }

func (p staticPoller) PollDevice(context.Context, string) (string, error) { return p.text, nil }

// hubTranscript is a device poll of an IOS hub terminating n tunnels, as
// the collector writes it: the IKE SA table once, then the IPsec SAs of
// each peer; the tunnels in down have no IKE SA and no IPsec SA.
func hubTranscript(t testing.TB, n int, down map[int]bool) ([]string, string) {
	t.Helper()
	up, err := lab.ScenarioByName("ios-healthy")
	if err != nil {
		t.Fatal(err)
	}
	dead, err := lab.ScenarioByName("ios-peer-unreachable")
	if err != nil {
		t.Fatal(err)
	}
	var peers []string
	var table, sas strings.Builder
	table.WriteString("HUB-A# show crypto isakmp sa\nIPv4 Crypto ISAKMP SA\ndst             src             state          conn-id status\n")
	for i := range n {
		p := fmt.Sprintf("50.0.%d.%d", i/250, i%250+1)
		peers = append(peers, p)
		sc, state := up, "QM_IDLE           1001 ACTIVE"
		if down[i] {
			sc, state = dead, "MM_NO_STATE          0 ACTIVE"
		}
		fmt.Fprintf(&table, "%-15s 30.3.1.1        %s\n", p, state)
		out, ok := sc.Answer("show crypto ipsec sa peer " + sc.Peer)
		if !ok {
			t.Fatal("no ipsec sa answer")
		}
		fmt.Fprintf(&sas, "HUB-A# show crypto ipsec sa peer %s\n%s", p, strings.ReplaceAll(out, sc.Peer, p))
	}
	table.WriteString("\nIPv6 Crypto ISAKMP SA\n\n")
	return peers, table.String() + sas.String()
}

func hubMonitor(t testing.TB, peers []string, text string, msgs *msgLog) *Monitor {
	t.Helper()
	var targets []Target
	for _, p := range peers {
		targets = append(targets, Target{Device: "hub", Peer: p})
	}
	fm := &fakeMessenger{name: "r1", log: msgs}
	m, err := New(Config{DefaultChannel: testChannel, ReplicaID: "r1"},
		Deps{Messenger: fm, Finder: fm, State: store.NewMemoryMonitor(nil), Poller: staticPoller{text},
			Targets: targets, Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestHubPollJudgesEachTunnel: one poll of a device with 12 tunnels, two
// of them down, opens exactly those two incidents; each tunnel's part of
// the transcript gives the verdict the whole transcript gives.
func TestHubPollJudgesEachTunnel(t *testing.T) {
	peers, text := hubTranscript(t, 12, map[int]bool{3: true, 7: true})
	msgs := newMsgLog()
	m := hubMonitor(t, peers, text, msgs)
	if _, err := m.PollOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	rs := roots(msgs.snapshot())
	if len(rs) != 2 || !strings.Contains(rs[0].Text+rs[1].Text, "Tunnel "+peers[3]+" ") || !strings.Contains(rs[0].Text+rs[1].Text, "Tunnel "+peers[7]+" ") {
		t.Fatalf("want incidents for %s and %s:\n%s", peers[3], peers[7], dump(msgs.snapshot()))
	}
	secs := splitSections(text)
	if len(secs) != 13 {
		t.Fatalf("%d sections, want 13", len(secs))
	}
	for i, p := range peers {
		own := tunnelText(secs, text, p, m.deps.Targets)
		if strings.Count(own, "HUB-A# ") != 2 || !strings.Contains(own, "sa peer "+p+"\n") {
			t.Fatalf("%s: its part is not the IKE table and its own SAs:\n%.300s", p, own)
		}
		whole, _ := decide(factsOf(text, p), m.deps.Diagnose(text, diagOpts(p)), p, nil)
		part, _ := decide(factsOf(own, p), m.deps.Diagnose(own, diagOpts(p)), p, nil)
		if whole.Down != part.Down || part.Down != (i == 3 || i == 7) {
			t.Errorf("%s: down %v on its part, %v on the whole poll", p, part.Down, whole.Down)
		}
	}
	if got := splitSections("no header here\n"); got != nil {
		t.Errorf("text without a header split into %d sections", len(got))
	}
}

// BenchmarkHubPoll: the monitor's CPU for one poll of a device with N
// tunnels (judging every tunnel; no SSH, store in memory). Per tunnel it
// should stay flat as N grows.
func BenchmarkHubPoll(b *testing.B) {
	for _, n := range []int{1, 10, 50} {
		b.Run(fmt.Sprintf("tunnels-%d", n), func(b *testing.B) {
			peers, text := hubTranscript(b, n, nil)
			m := hubMonitor(b, peers, text, newMsgLog())
			_, by := m.devices()
			ctx := context.Background()
			for b.Loop() {
				if err := m.pollDevice(ctx, "hub", by["hub"]); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/tunnel")
		})
	}
}

func factsOf(text, peer string) *facts.Facts { return diagnose.Facts(text, diagOpts(peer)) }

func diagOpts(peer string) diagnose.Options { return diagnose.Options{Peer: peer} }
