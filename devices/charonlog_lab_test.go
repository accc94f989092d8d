package devices

import (
	"bufio"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tunneldoc/tunneldoc/diagnose"
)

// labAddr is each side's outside address in the IKE lab's captures.
var labAddr = map[string]string{"west": "198.18.73.5", "east": "198.19.214.9"}

// charonLogMisses are the captures where the kept lines are known to miss
// the cause, and why.
var charonLogMisses = map[string]string{
	// charon logs without IKE_SA names here, and the last two lines
	// ("giving up after 3 retransmits", "proper IKE_SA delete failed, peer
	// not responding") come from a worker thread that never named the
	// peer: nothing ties them to it in a log several peers write.
	"lw-sw/ikev2-dpd-dead east": "the give-up lines' thread never names the peer",
}

// The charon-log command, run on every default-level strongSwan log the
// IKE lab captured (log lines with and without IKE_SA names), keeps what
// the diagnosis needs: the transcript it prints gives the cause the whole
// log gives (diagnose/testdata/lab/*/*/expect.txt).
func TestCharonLogOnEveryLabCapture(t *testing.T) {
	if _, err := exec.LookPath("awk"); err != nil {
		t.Skip("no awk on this machine")
	}
	p, _ := PlatformByName("strongswan")
	expects, _ := filepath.Glob("../diagnose/testdata/lab/*/*/expect.txt")
	if len(expects) == 0 {
		t.Fatal("no lab captures")
	}
	checked, wrong := 0, 0
	for _, exp := range expects {
		dir := filepath.Dir(exp)
		f, err := os.Open(exp)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			w := strings.Fields(sc.Text())
			if len(w) < 5 || strings.HasPrefix(w[0], "#") || w[1] != "default" || !strings.HasSuffix(w[2], ".log") {
				continue
			}
			side, file, cause := w[0], w[2], w[4]
			log, _ := filepath.Abs(filepath.Join(dir, "default", file))
			head, _ := os.ReadFile(log)
			if !strings.Contains(string(head), "[IKE]") {
				continue // pluto's log
			}
			peer := labAddr["east"]
			if side == "east" {
				peer = labAddr["west"]
			}
			var cmd string
			for _, pl := range p.Plan(netip.MustParseAddr(peer), nil) {
				if pl.Key == "charon-log" {
					cmd = strings.ReplaceAll(pl.Command, "/var/log/charon.log", log)
				}
			}
			out, err := exec.CommandContext(t.Context(), "sh", "-c", cmd).Output()
			if err != nil {
				t.Fatalf("%s: %v", cmd, err)
			}
			r := diagnose.Diagnose(string(out), diagnose.Options{Peer: peer})
			whole := diagnose.Diagnose(string(head), diagnose.Options{Peer: peer})
			checked++
			name := strings.TrimPrefix(filepath.ToSlash(dir), "../diagnose/testdata/lab/") + " " + side
			if _, known := charonLogMisses[name]; known {
				if r.Cause == whole.Cause {
					t.Errorf("%s: listed as a miss, but the kept lines now give %s: take it off the list", name, r.Cause)
				}
				continue
			}
			if r.Cause != whole.Cause {
				wrong++
				t.Errorf("%s %s: the kept lines give %s, the whole log %s (expected %s)", dir, side, r.Cause, whole.Cause, cause)
			}
		}
		f.Close()
	}
	t.Logf("%d strongSwan logs checked, %d wrong", checked, wrong)
	if checked < 40 {
		t.Errorf("only %d strongSwan logs checked", checked)
	}
}
