package devices

import (
	"bytes"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tunneldoc/tunneldoc/diagnose"
)

// plutoRealScript runs a real pluto (libreswan 4.10, west) against a real
// charon (strongSwan, east) in the IKE lab's network namespaces
// (devices/lab/ikelab/lib.sh), east with another pre-shared key. Inside
// west it runs the debug's on and trigger steps, then the platform's two
// commands ($CMD_1, $CMD_2: their outputs to $OUT/1.txt and 2.txt), the
// status's debug line while the debug is on, the off step and the debug
// line after it. Exit 3: the lab cannot run on this machine.
const plutoRealScript = `
set -u
. "$LIB"
trap 'ikelab_stop west; ikelab_stop east; ikelab_net_down' EXIT
command -v ip >/dev/null && command -v nsenter >/dev/null && command -v certutil >/dev/null && [ -x "$IKELAB_CHARON" ] || exit 3
ikelab_reset
IKL_WEST_VENDOR=lw IKL_EAST_VENDOR=sw IKL_EAST_FLAVOR=swanctl IKL_EAST_PSK=not-the-key-west-has
ikelab_defaults west; ikelab_defaults east
( ikelab_libreswan_prepare ) || exit 3
ikelab_libreswan_prepare
ikelab_net_up; ikelab_start west; ikelab_start east
ikelab_in west sh -c "$DEBUG_ON" >"$OUT/on.txt" 2>&1 || echo "on: $?" >>"$OUT/errors.txt"
ikelab_in west sh -c "$TRIGGER" >"$OUT/trigger.txt" 2>&1 || echo "trigger: $?" >>"$OUT/errors.txt"
for i in 1 2 3 4 5 6 7 8 9 10; do
	grep -q 'rejected by peer' "$(ikelab_dir west)/west.log" 2>/dev/null && break
	sleep 1
done
ikelab_in west sh -c "$CMD_1" >"$OUT/1.txt" 2>>"$OUT/errors.txt"
ikelab_in west sh -c "$CMD_2" >"$OUT/2.txt" 2>>"$OUT/errors.txt"
ikelab_in west ipsec whack --status | grep '"kestrel-osprey":   debug:' >"$OUT/debug-during.txt"
ikelab_in west sh -c "$DEBUG_OFF" >"$OUT/off.txt" 2>&1 || echo "off: $?" >>"$OUT/errors.txt"
ikelab_in west ipsec whack --status | grep '"kestrel-osprey":   debug:' >"$OUT/debug-after.txt"
exit 0
`

// TestPlutoCommandsOnRealLibreswan: the libreswan platform's commands and
// debug steps, sent to a real pluto 4.10 whose peer refuses its
// pre-shared key, are accepted, raise and clear the debug of the tunnel's
// connection only, and give the diagnosis psk_mismatch. Root only (network
// namespaces); about 20 s.
func TestPlutoCommandsOnRealLibreswan(t *testing.T) {
	if testing.Short() || os.Geteuid() != 0 {
		t.Skip("needs root for network namespaces (and not -short)")
	}
	lib, err := filepath.Abs(filepath.Join("lab", "ikelab", "lib.sh"))
	if err != nil {
		t.Fatal(err)
	}
	const peer = "198.19.214.9" // east, as lib.sh addresses it
	work := "/tmp/tunneldoc-ikelab-lswtest"
	out := t.TempDir()
	p, _ := PlatformByName("libreswan")
	plan := p.Plan(netip.MustParseAddr(peer), nil)
	if len(plan) != 2 {
		t.Fatalf("plan: %+v", plan)
	}
	// lib.sh's pluto writes its log where its ipsec.conf's logfile= says.
	logfile := filepath.Join(work, "west", "west.log")
	cmds := []string{plan[0].Command, strings.ReplaceAll(plan[1].Command, "/var/log/pluto.log", logfile)}
	steps, _ := debugSteps("libreswan", netip.MustParseAddr(peer), "kestrel-osprey", time.Now())
	ctx := t.Context()
	cmd := exec.CommandContext(ctx, "timeout", "240", "bash", "-c", plutoRealScript)
	cmd.Env = append(os.Environ(), "LIB="+lib, "OUT="+out, "IKELAB_PREFIX=lswt", "IKELAB_WORK="+work,
		"CMD_1="+cmds[0], "CMD_2="+cmds[1],
		"DEBUG_ON="+steps.On[0], "TRIGGER="+steps.Trigger[0], "DEBUG_OFF="+steps.Off[0])
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err = cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok && ee.ExitCode() == 3 {
		t.Skipf("the IKE lab cannot run libreswan here:\n%s", stderr.String())
	}
	if err != nil {
		t.Fatalf("lab: %v\n%s", err, stderr.String())
	}
	read := func(name string) string {
		b, _ := os.ReadFile(filepath.Join(out, name))
		return string(b)
	}
	if e := read("errors.txt"); e != "" {
		t.Errorf("pluto refused a step or a command:\n%s", e)
	}
	if d := read("debug-during.txt"); !strings.Contains(d, "debug: base") {
		t.Errorf("while on, the connection's status line is %q, want its debug: base", d)
	}
	if d := read("debug-after.txt"); strings.Contains(d, "debug: base") || !strings.Contains(d, "debug: none") {
		t.Errorf("after off, the connection's status line is %q", d)
	}
	var tr strings.Builder
	for i, c := range cmds {
		fmt.Fprintf(&tr, "west# %s\n%s", c, read(fmt.Sprintf("%d.txt", i+1)))
	}
	text := tr.String()
	for _, want := range []string{"using kernel interface: ", `"kestrel-osprey": 100.71.8.0/24===198.18.73.5`, "rejected by peer: AUTHENTICATION_FAILED"} {
		if !strings.Contains(text, want) {
			t.Errorf("the transcript lacks %q:\n%s", want, text)
		}
	}
	r := diagnose.Diagnose(text, diagnose.Options{Peer: peer})
	if r.Phase != "phase1" || r.Cause != diagnose.CausePSKMismatch {
		t.Errorf("diagnosed %s/%s (%s), want phase1/psk_mismatch:\n%s", r.Phase, r.Cause, r.Summary, text)
	}
}
