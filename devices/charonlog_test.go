package devices

import (
	"net/netip"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tunneldoc/tunneldoc/diagnose"
)

// TestCharonLogKeepsTheIKESAsLines runs the strongSwan platform's log
// command with sh and awk on a real charon log (an unanswered IKE_SA_INIT,
// diagnose/testdata/lab/sw-sw/ikev2-peer-unreachable) in place of
// /var/log/charon.log: charon's retransmit and give-up lines name the
// IKE_SA (<conn|N>), not the peer, and must reach the diagnosis.
func TestCharonLogKeepsTheIKESAsLines(t *testing.T) {
	if _, err := exec.LookPath("awk"); err != nil {
		t.Skip("no awk on this machine")
	}
	log, err := filepath.Abs("../diagnose/testdata/lab/sw-sw/ikev2-peer-unreachable/default/west.log")
	if err != nil {
		t.Fatal(err)
	}
	const peer = "198.19.214.9"
	p, _ := PlatformByName("strongswan")
	var cmd string
	for _, pl := range p.Plan(netip.MustParseAddr(peer), nil) {
		if pl.Key == "charon-log" {
			cmd = strings.ReplaceAll(pl.Command, "/var/log/charon.log", log)
		}
	}
	if cmd == "" {
		t.Fatal("the strongswan platform has no charon-log command")
	}
	out, err := exec.CommandContext(t.Context(), "sh", "-c", cmd).Output()
	if err != nil {
		t.Fatalf("%s: %v", cmd, err)
	}
	text := string(out)
	for _, want := range []string{"initiating IKE_SA", "retransmit 1 of request", "giving up after", "peer not responding"} {
		if !strings.Contains(text, want) {
			t.Errorf("the command's output lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "Starting IKE charon daemon") {
		t.Errorf("lines of no IKE_SA of the peer were kept:\n%s", text)
	}
	r := diagnose.Diagnose(text, diagnose.Options{})
	if r.Cause != diagnose.CausePeerUnreachable || r.Confidence < 0.85 {
		t.Errorf("diagnosed %s at %.2f, want peer_unreachable from the give-up lines:\n%s", r.Cause, r.Confidence, text)
	}
}
