package devices

import (
	"bufio"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tunneldoc/tunneldoc/diagnose"
)

// plutoCapture is one libreswan side of a real negotiation captured by
// devices/lab/ikelab/gen.sh under diagnose/testdata/lab.
type plutoCapture struct {
	name         string // <pair>/<scenario>/<side>
	dir, side    string
	peer         string
	phase, cause string // what expect.txt says the side's log shows
}

// plutoCaptures lists the default-level libreswan sides whose log the lab
// expects a cause for (and that the engine does not get wrong on the log
// alone: KNOWN-WRONG.txt).
func plutoCaptures(t *testing.T) []plutoCapture {
	t.Helper()
	root := filepath.Join("..", "diagnose", "testdata", "lab")
	known, err := os.ReadFile(filepath.Join(root, "KNOWN-WRONG.txt"))
	if err != nil {
		t.Fatal(err)
	}
	expects, err := filepath.Glob(filepath.Join(root, "*", "*", "expect.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var out []plutoCapture
	for _, e := range expects {
		scen := filepath.Dir(e)
		pair := filepath.Base(filepath.Dir(scen))
		west, east, _ := strings.Cut(pair, "-")
		setup, err := os.ReadFile(filepath.Join(scen, "setup.txt"))
		if err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(e)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			w := strings.Fields(sc.Text())
			if len(w) != 5 || strings.HasPrefix(w[0], "#") || w[1] != "default" || w[2] != w[0]+".log" {
				continue
			}
			side := w[0]
			if side == "west" && west != "lw" || side == "east" && east != "lw" {
				continue
			}
			if strings.Contains(string(known), filepath.Base(filepath.Dir(scen))+"/"+filepath.Base(scen)+"/default/"+side+".log ") {
				continue
			}
			peer := "198.19.214.9"
			if side == "east" {
				peer = "198.18.73.5"
				if _, as, ok := strings.Cut(string(setup), "east sees it as "); ok {
					peer, _, _ = strings.Cut(as, ")")
				}
			}
			out = append(out, plutoCapture{name: pair + "/" + filepath.Base(scen) + "/" + side, dir: filepath.Join(scen, "default"), side: side, peer: peer, phase: w[3], cause: w[4]})
		}
		f.Close()
	}
	return out
}

// plutoTranscript runs the libreswan platform's commands with sh and awk
// on a captured side: its pluto log file in place of /var/log/pluto.log,
// `cat` of its `ipsec status` and `ipsec trafficstatus` outputs in place
// of the two whack calls. It returns the check's transcript.
func plutoTranscript(t *testing.T, c plutoCapture, awk string) string {
	t.Helper()
	p, _ := PlatformByName("libreswan")
	abs := func(name string) string {
		a, err := filepath.Abs(filepath.Join(c.dir, c.side+name))
		if err != nil {
			t.Fatal(err)
		}
		return "'" + a + "'"
	}
	var b strings.Builder
	for _, pl := range p.Plan(netip.MustParseAddr(c.peer), nil) {
		cmd := strings.NewReplacer(
			"/var/log/pluto.log", strings.Trim(abs(".log"), "'"),
			"ipsec whack --status", "cat "+abs("-ipsec-status.txt"),
			"ipsec whack --trafficstatus", "cat "+abs("-ipsec-trafficstatus.txt"),
			"| awk ", "| "+awk+" ",
		).Replace(pl.Command)
		out, err := exec.CommandContext(t.Context(), "sh", "-c", cmd).Output()
		if err != nil {
			t.Fatalf("%s: %v", cmd, err)
		}
		b.WriteString("gw# " + pl.Command + "\n" + string(out))
	}
	return b.String()
}

// TestPlutoCommandsOnRealCaptures: the libreswan platform's commands, run
// on what real pluto 4.10 daemons logged and printed in the lab's
// negotiations, keep what the diagnosis needs: the transcript gives the
// cause the side's whole log gives, with both awks a Debian host may
// have.
func TestPlutoCommandsOnRealCaptures(t *testing.T) {
	cases := plutoCaptures(t)
	if len(cases) < 40 {
		t.Fatalf("only %d libreswan captures found", len(cases))
	}
	for _, awk := range []string{"gawk", "mawk"} {
		if _, err := exec.LookPath(awk); err != nil {
			t.Logf("no %s on this machine", awk)
			continue
		}
		t.Run(awk, func(t *testing.T) {
			for _, c := range cases {
				tr := plutoTranscript(t, c, awk)
				r := diagnose.Diagnose(tr, diagnose.Options{Peer: c.peer})
				if r.Phase != c.phase || r.Cause != c.cause {
					t.Errorf("%s: %s/%s, want %s/%s (the side's log)\n%s", c.name, r.Phase, r.Cause, c.phase, c.cause, tr)
				}
			}
		})
	}
}

// TestPlutoLogKeepsThePeersStates: an unanswered IKE_SA_INIT: pluto's
// retransmit and give-up lines name the state ("kestrel-osprey" #1:), not
// the peer, and must reach the transcript; the start-up lines naming no
// connection of the peer must not.
func TestPlutoLogKeepsThePeersStates(t *testing.T) {
	c := plutoCapture{name: "lw-sw/ikev2-peer-unreachable/west", dir: filepath.Join("..", "diagnose", "testdata", "lab", "lw-sw", "ikev2-peer-unreachable", "default"), side: "west", peer: "198.19.214.9"}
	tr := plutoTranscript(t, c, "awk")
	for _, want := range []string{`"kestrel-osprey" #1: initiating IKEv2 connection`, "retransmission; will wait", "IKE_SA_INIT request to 198.19.214.9:500", `"kestrel-osprey": 100.71.8.0/24===198.18.73.5`} {
		if !strings.Contains(tr, want) {
			t.Errorf("the transcript lacks %q:\n%s", want, tr)
		}
	}
	for _, not := range []string{"Starting Pluto", "algorithm IKE encrypt", "interface wan0"} {
		if strings.Contains(tr, not) {
			t.Errorf("lines of no connection of the peer were kept (%q):\n%s", not, tr)
		}
	}
	// The status's state row is the peer's IKE SA: its connection line
	// (in the same section) names the peer.
	f := diagnose.Facts(tr, diagnose.Options{Peer: c.peer})
	if len(f.IKESAs) == 0 || f.IKESAs[0].Peer != c.peer || f.IKESAs[0].State != "STATE_V2_PARENT_I1" {
		t.Errorf("the status's IKE SA rows: %+v", f.IKESAs)
	}
	// 198.19.214.90 is another peer: its lines are not this peer's.
	c.peer = "198.19.214.90"
	if tr := plutoTranscript(t, c, "awk"); strings.Contains(tr, "kestrel-osprey") {
		t.Errorf("a peer whose address starts with another's took its lines:\n%s", tr)
	}
}

// TestLibreswanDebugSteps: the debug is the tunnel's connection's
// alone (quoted as a shell word), nothing is turned on without a tunnel
// name, and the window's read of a real pluto log file keeps the peer's
// lines from the window's start on, by the gateway's own clock.
func TestLibreswanDebugSteps(t *testing.T) {
	peer := netip.MustParseAddr("198.19.214.9")
	if s, _ := debugSteps("libreswan", peer, "", time.Now()); len(s.On)+len(s.Off)+len(s.Trigger) != 0 || len(s.Read) != 1 {
		t.Errorf("without a tunnel name: %+v", s)
	}
	s, ok := debugSteps("libreswan", peer, "it's", time.Now())
	if !ok || !slices.Equal(s.On, []string{`ipsec whack --name 'it'\''s' --debug base`}) || !slices.Equal(s.Off, []string{`ipsec whack --name 'it'\''s' --debug none`}) || !slices.Equal(s.Trigger, []string{`ipsec whack --name 'it'\''s' --initiate --asynchronous`}) {
		t.Errorf("steps: %+v", s)
	}
	dir := filepath.Join("..", "diagnose", "testdata", "lab", "lw-sw", "ikev2-peer-unreachable", "default")
	abs := func(name string) string {
		a, err := filepath.Abs(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	// The capture's clock read 21:43:06 when west initiated (#1) and
	// 21:43:22 when #1 gave up; the window starts between.
	s, _ = debugSteps("libreswan", peer, "kestrel-osprey", time.Date(2026, 12, 6, 21, 43, 20, 0, time.UTC))
	cmd := strings.NewReplacer("/var/log/pluto.log", abs("west.log"), "ipsec whack --status", "cat '"+abs("west-ipsec-status.txt")+"'").Replace(s.Read[0])
	sh := exec.CommandContext(t.Context(), "sh", "-c", cmd)
	sh.Env = append(os.Environ(), "TZ=UTC")
	out, err := sh.Output()
	if err != nil {
		t.Fatalf("%s: %v", cmd, err)
	}
	text := string(out)
	if !strings.Contains(text, `"kestrel-osprey" #1: STATE_V2_PARENT_I1: 10 second timeout exceeded`) || !strings.Contains(text, `"kestrel-osprey" #2: initiating IKEv2 connection`) {
		t.Errorf("the window's lines are missing:\n%s", text)
	}
	if strings.Contains(text, `"kestrel-osprey" #1: initiating IKEv2 connection`) || strings.Contains(text, "Starting Pluto") || strings.Contains(text, "=peer-conn=") {
		t.Errorf("lines before the window, of no connection of the peer or of the status were kept:\n%s", text)
	}
}

// TestLibreswanCountersRead: the counters command run on two reads of an
// established tunnel's status and trafficstatus (its id is a name, so
// only the status's connection line ties the SA to the peer): the exact
// bytes of trafficstatus, not the status's rounded "27KB", are judged,
// live both ways.
func TestLibreswanCountersRead(t *testing.T) {
	const peer = "198.19.214.9"
	p, _ := PlatformByName("libreswan")
	var counters string
	for _, c := range p.Commands {
		if c.Counters {
			counters = expand(c.Template, peer)
		}
	}
	read := func(n string) diagnose.CounterSnapshot {
		dir, err := filepath.Abs(filepath.Join("testdata", "libreswan"))
		if err != nil {
			t.Fatal(err)
		}
		cmd := strings.NewReplacer(
			"ipsec whack --status", "cat '"+filepath.Join(dir, "established-ipsec-status."+n+".txt")+"'",
			"ipsec whack --trafficstatus", "cat '"+filepath.Join(dir, "established-ipsec-trafficstatus."+n+".txt")+"'",
		).Replace(counters)
		out, err := exec.CommandContext(t.Context(), "sh", "-c", cmd).Output()
		if err != nil {
			t.Fatalf("%s: %v", cmd, err)
		}
		if strings.Contains(string(out), "algorithm IKE encrypt") || strings.Contains(string(out), "IPsec SAs: total") {
			t.Errorf("lines of no connection of the peer were kept:\n%s", out)
		}
		return diagnose.ReadCounters("gw# "+counters+"\n"+string(out), peer)
	}
	a, b := read("1"), read("2")
	if a.Problem != "" || b.Problem != "" || a.Unit != "bytes" || a.Encaps != 27216 || a.Decaps != 26880 || !slices.Equal(a.SPIs, []string{"c6f8a1e2"}) {
		t.Fatalf("reads: %+v / %+v", a, b)
	}
	dp := diagnose.CompareSnapshots(a, b, 5)
	if dp.Verdict != diagnose.DataLive || dp.Encaps != 504 || dp.Decaps != 504 || dp.Rekeyed {
		t.Errorf("verdict %s (%d/%d, rekeyed %v): %s", dp.Verdict, dp.Encaps, dp.Decaps, dp.Rekeyed, dp.Summary)
	}
}
