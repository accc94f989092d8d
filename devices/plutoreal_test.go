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
// (devices/lab/ikelab/lib.sh), east with another pre-shared key. With
// JOURNAL=yes west's pluto has no logfile= and logs to a systemd-journald
// of west's own (as "pluto": on a host, syslog; here its stderr, the lab
// having no /dev/log), else to lib.sh's log file. Inside west it runs the
// debug's on and trigger steps, the platform's two commands ($CMD_1,
// $CMD_2: their outputs to $OUT/1.txt and 2.txt), the window's read
// ($READ), the status's debug line while the debug is on, the off step
// and the debug line after it. Exit 3: the lab cannot run on this
// machine.
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
ikelab_net_up
if [ "$JOURNAL" = yes ]; then
	[ -x /lib/systemd/systemd-journald ] && command -v systemd-cat >/dev/null || exit 3
	d=$(ikelab_dir west)
	mkdir -p "$d/etc/ipsec.d"
	lw_conf west
	sed -i '/^[[:space:]]*logfile=/d' "$d/etc/ipsec.conf"
	rm -rf "$d/nss"; mkdir -p "$d/nss"; certutil -N -d "sql:$d/nss" --empty-password
	: >"$d/etc/ipsec.d/passwd"
	printf '[Journal]\nStorage=volatile\nReadKMsg=no\nForwardToSyslog=no\nForwardToWall=no\nForwardToConsole=no\n' >"$d/journald.conf"
	binds=("$d/etc/ipsec.conf:/etc/ipsec.conf" "$d/etc/ipsec.secrets:/etc/ipsec.secrets" "$d/etc/ipsec.d:/etc/ipsec.d" "$d/journald.conf:/etc/systemd/journald.conf")
	[ -n "$IKELAB_LW_ROOT" ] && binds+=("$IKELAB_LW_ROOT/usr/sbin/ipsec:/usr/sbin/ipsec" "libexec-ipsec:$IKELAB_LW_ROOT/usr/libexec/ipsec")
	ikelab_holder_start west "${binds[@]}"
	ikelab_journald_start west
	ikelab_spawn west "$d/daemon.out" systemd-cat -t pluto /usr/libexec/ipsec/pluto --config /etc/ipsec.conf --nofork --stderrlog
	ikelab_wait 15 ikelab_in west test -S /run/pluto/pluto.ctl || { cat "$d/daemon.out" >&2; exit 1; }
else
	ikelab_start west
fi
ikelab_start east
ikelab_in west sh -c "$DEBUG_ON" >"$OUT/on.txt" 2>&1 || echo "on: $?" >>"$OUT/errors.txt"
ikelab_in west sh -c "$TRIGGER" >"$OUT/trigger.txt" 2>&1 || echo "trigger: $?" >>"$OUT/errors.txt"
for i in 1 2 3 4 5 6 7 8 9 10; do
	ikelab_in west sh -c "$CMD_2" 2>/dev/null | grep -q 'rejected by peer' && break
	sleep 1
done
ikelab_in west sh -c "$CMD_1" >"$OUT/1.txt" 2>>"$OUT/errors.txt"
ikelab_in west sh -c "$CMD_2" >"$OUT/2.txt" 2>>"$OUT/errors.txt"
ikelab_in west sh -c "$READ" >"$OUT/read.txt" 2>>"$OUT/errors.txt"
ikelab_in west ipsec whack --status | grep '"kestrel-osprey":   debug:' >"$OUT/debug-during.txt"
ikelab_in west sh -c "$DEBUG_OFF" >"$OUT/off.txt" 2>&1 || echo "off: $?" >>"$OUT/errors.txt"
ikelab_in west ipsec whack --status | grep '"kestrel-osprey":   debug:' >"$OUT/debug-after.txt"
exit 0
`

// TestPlutoCommandsOnRealLibreswan: the libreswan platform's commands and
// debug steps, sent to a real pluto 4.10 whose peer refuses its
// pre-shared key, are accepted, raise and clear the debug of the tunnel's
// connection only, and give the diagnosis psk_mismatch, with pluto's log
// in its log file and in the journal. Root only (network namespaces);
// a few seconds each.
func TestPlutoCommandsOnRealLibreswan(t *testing.T) {
	if testing.Short() || os.Geteuid() != 0 {
		t.Skip("needs root for network namespaces (and not -short)")
	}
	lib, err := filepath.Abs(filepath.Join("lab", "ikelab", "lib.sh"))
	if err != nil {
		t.Fatal(err)
	}
	const peer = "198.19.214.9" // east, as lib.sh addresses it
	const work = "/tmp/tunneldoc-ikelab-lswtest"
	for _, journal := range []bool{false, true} {
		t.Run(map[bool]string{false: "logfile", true: "journal"}[journal], func(t *testing.T) {
			out := t.TempDir()
			p, _ := PlatformByName("libreswan")
			plan := p.Plan(netip.MustParseAddr(peer), nil)
			if len(plan) != 2 {
				t.Fatalf("plan: %+v", plan)
			}
			steps, _ := debugSteps("libreswan", netip.MustParseAddr(peer), "kestrel-osprey", time.Now().Add(-time.Second))
			cmds := []string{plan[0].Command, plan[1].Command}
			read := steps.Read[0]
			if !journal {
				// lib.sh's pluto writes its log where its logfile= says.
				logfile := filepath.Join(work, "west", "west.log")
				cmds[1] = strings.ReplaceAll(cmds[1], "/var/log/pluto.log", logfile)
				read = strings.ReplaceAll(read, "/var/log/pluto.log", logfile)
			}
			cmd := exec.CommandContext(t.Context(), "timeout", "240", "bash", "-c", plutoRealScript)
			cmd.Env = append(os.Environ(), "LIB="+lib, "OUT="+out, "IKELAB_PREFIX=lswt", "IKELAB_WORK="+work,
				"JOURNAL="+map[bool]string{false: "no", true: "yes"}[journal], "CMD_1="+cmds[0], "CMD_2="+cmds[1], "READ="+read,
				"DEBUG_ON="+steps.On[0], "TRIGGER="+steps.Trigger[0], "DEBUG_OFF="+steps.Off[0])
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			err := cmd.Run()
			if ee, ok := err.(*exec.ExitError); ok && ee.ExitCode() == 3 {
				t.Skipf("the IKE lab cannot run libreswan here:\n%s", stderr.String())
			}
			if err != nil {
				t.Fatalf("lab: %v\n%s", err, stderr.String())
			}
			file := func(name string) string {
				b, _ := os.ReadFile(filepath.Join(out, name))
				return string(b)
			}
			if e := file("errors.txt"); e != "" {
				t.Errorf("pluto refused a step or a command:\n%s", e)
			}
			if d := file("debug-during.txt"); !strings.Contains(d, "debug: base") {
				t.Errorf("while on, the connection's status line is %q, want its debug: base", d)
			}
			if d := file("debug-after.txt"); strings.Contains(d, "debug: base") || !strings.Contains(d, "debug: none") {
				t.Errorf("after off, the connection's status line is %q", d)
			}
			var tr strings.Builder
			for i, c := range cmds {
				fmt.Fprintf(&tr, "west# %s\n%s", c, file(fmt.Sprintf("%d.txt", i+1)))
			}
			text := tr.String()
			want := []string{"using kernel interface: ", `"kestrel-osprey": 100.71.8.0/24===198.18.73.5`, "rejected by peer: AUTHENTICATION_FAILED"}
			if journal {
				want = append(want, " pluto[") // the journal's form, not the file's
			}
			for _, w := range want {
				if !strings.Contains(text, w) {
					t.Errorf("the transcript lacks %q:\n%s", w, text)
				}
			}
			r := diagnose.Diagnose(text, diagnose.Options{Peer: peer})
			if r.Phase != "phase1" || r.Cause != diagnose.CausePSKMismatch {
				t.Errorf("diagnosed %s/%s (%s), want phase1/psk_mismatch:\n%s", r.Phase, r.Cause, r.Summary, text)
			}
			w := file("read.txt")
			if !strings.Contains(w, "rejected by peer: AUTHENTICATION_FAILED") || strings.Contains(w, "=peer-conn=") {
				t.Errorf("the debug window's read:\n%s", w)
			}
			if r := diagnose.Diagnose(w, diagnose.Options{Peer: peer}); r.Cause != diagnose.CausePSKMismatch {
				t.Errorf("the debug window's read diagnosed %s, want psk_mismatch:\n%s", r.Cause, w)
			}
		})
	}
}
