package devices_test

import (
	"errors"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tunneldoc/tunneldoc/devices"
	"github.com/tunneldoc/tunneldoc/devices/lab"
)

// rewrite edits the lab inventory and reloads it.
func rewrite(t *testing.T, dir string, edit func(string) string) *devices.Inventory {
	t.Helper()
	path := filepath.Join(dir, "inventory.yaml")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(edit(string(b))), 0o600); err != nil {
		t.Fatal(err)
	}
	inv, err := devices.LoadInventory(path)
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

func wantErr(t *testing.T, err error, kind devices.Kind, fragments ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %s", kind)
	}
	if !errors.Is(err, kind) {
		t.Fatalf("error kind %q, want %q: %v", devices.KindOf(err), kind, err)
	}
	for _, f := range fragments {
		if !strings.Contains(err.Error(), f) {
			t.Errorf("message lacks %q:\n%v", f, err)
		}
	}
}

func TestErrorUnknownPeer(t *testing.T) {
	_, inv, _ := startLab(t, lab.Options{Devices: []lab.DeviceConfig{{Scenario: "asa-healthy"}, {Scenario: "asa-mm-wait-msg2"}}})
	c := devices.NewCollector(inv, devices.CollectorOptions{})
	_, err := c.Collect(testCtx(t, 5*time.Second), "90.1.1.9", "")
	wantErr(t, err, devices.UnknownPeer, "no device in the inventory terminates 90.1.1.9", "nearest: 90.1.1.2 (branch-92 on asa-mm-wait-msg2), 90.1.1.1 (branch-90 on asa-healthy)", "check tunnel 90.1.1.9 on <device>")
	_, err = c.Collect(testCtx(t, 5*time.Second), "branch-91", "")
	wantErr(t, err, devices.UnknownPeer, "branch-90")
	_, err = c.Collect(testCtx(t, 5*time.Second), "90.1.1.1", "asa-helthy")
	wantErr(t, err, devices.UnknownDevice, `did you mean asa-healthy?`)
}

func TestErrorUnknownHostKey(t *testing.T) {
	l, _, dir := startLab(t, lab.Options{Devices: []lab.DeviceConfig{{Scenario: "asa-healthy"}}})
	if err := os.WriteFile(filepath.Join(dir, "known_hosts"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	inv, _ := devices.LoadInventory(filepath.Join(dir, "inventory.yaml"))
	col, err := devices.NewCollector(inv, devices.CollectorOptions{}).Collect(testCtx(t, 10*time.Second), "90.1.1.1", "")
	fp := fingerprint(l.Devices[0])
	wantErr(t, err, devices.HostKeyUnknown, "host key for asa-healthy ("+l.Devices[0].Addr+") is not in known_hosts", fp, "ssh-keyscan -p", "trust_on_first_use")
	if col == nil || len(col.Results) != 0 {
		t.Errorf("commands ran on a device with an unknown key: %+v", col)
	}

	// Opting in per device: the key is learned, then checked.
	inv = rewrite(t, dir, func(s string) string {
		return strings.Replace(s, "    platform: asa\n", "    platform: asa\n    trust_on_first_use: true\n", 1)
	})
	if _, err := devices.NewCollector(inv, devices.CollectorOptions{}).Collect(testCtx(t, 10*time.Second), "90.1.1.1", ""); err != nil {
		t.Fatalf("trust on first use: %v", err)
	}
	kh, _ := os.ReadFile(filepath.Join(dir, "known_hosts"))
	if strings.Count(string(kh), "\n") != 1 {
		t.Errorf("known_hosts after trust on first use:\n%s", kh)
	}
}

func TestErrorChangedHostKey(t *testing.T) {
	l, _, dir := startLab(t, lab.Options{Devices: []lab.DeviceConfig{{Scenario: "asa-healthy"}}})
	other, _, _ := startLab(t, lab.Options{Devices: []lab.DeviceConfig{{Scenario: "asa-healthy"}}})
	// known_hosts claims the first device's address has the second one's key.
	kh, _ := os.ReadFile(filepath.Join(dir, "known_hosts"))
	swapped := strings.Replace(string(kh), keyField(t, l.Devices[0]), keyField(t, other.Devices[0]), 1)
	if swapped == string(kh) {
		t.Fatal("could not swap the key")
	}
	os.WriteFile(filepath.Join(dir, "known_hosts"), []byte(swapped), 0o600)
	inv := rewrite(t, dir, func(s string) string { // TOFU must not paper over a change
		return strings.Replace(s, "    platform: asa\n", "    platform: asa\n    trust_on_first_use: true\n", 1)
	})
	_, err := devices.NewCollector(inv, devices.CollectorOptions{}).Collect(testCtx(t, 10*time.Second), "90.1.1.1", "")
	wantErr(t, err, devices.HostKeyChanged, "CHANGED", fingerprint(other.Devices[0]), fingerprint(l.Devices[0]), "ssh-keygen -R", "man-in-the-middle")
}

func TestErrorAuthFailed(t *testing.T) {
	_, _, dir := startLab(t, lab.Options{Devices: []lab.DeviceConfig{{Scenario: "ios-healthy"}}})
	os.WriteFile(filepath.Join(dir, "lab-password"), []byte("wrong\n"), 0o600)
	inv, _ := devices.LoadInventory(filepath.Join(dir, "inventory.yaml"))
	_, err := devices.NewCollector(inv, devices.CollectorOptions{}).Collect(testCtx(t, 10*time.Second), "40.10.1.1", "")
	wantErr(t, err, devices.AuthFailed, `refused the login for user "netops"`, "keyboard-interactive", "password")
}

func TestErrorEnableRefused(t *testing.T) {
	_, _, dir := startLab(t, lab.Options{Devices: []lab.DeviceConfig{{Scenario: "asa-healthy"}}, EnablePassword: "enable-secret"})
	inv := rewrite(t, dir, func(s string) string {
		return strings.Replace(s, "enable_password_file: lab-password", "enable_password_env: LAB_ENABLE", 1)
	})
	c := devices.NewCollector(inv, devices.CollectorOptions{Getenv: func(k string) string {
		if k == "LAB_ENABLE" {
			return "not-it"
		}
		return ""
	}})
	_, err := c.Collect(testCtx(t, 10*time.Second), "90.1.1.1", "")
	wantErr(t, err, devices.AuthFailed, "refused the enable password")
}

func TestErrorCredentialsMissing(t *testing.T) {
	_, _, dir := startLab(t, lab.Options{Devices: []lab.DeviceConfig{{Scenario: "ios-healthy"}}})
	inv := rewrite(t, dir, func(s string) string {
		return strings.Replace(s, "password_file: lab-password", "password_env: LAB_PW_NOT_SET", 1)
	})
	_, err := devices.NewCollector(inv, devices.CollectorOptions{Getenv: func(string) string { return "" }}).Collect(testCtx(t, 10*time.Second), "40.10.1.1", "")
	wantErr(t, err, devices.CredentialsMissing, "environment variable LAB_PW_NOT_SET, which is not set")
}

func TestErrorConnectionRefused(t *testing.T) {
	_, _, dir := startLab(t, lab.Options{Devices: []lab.DeviceConfig{{Scenario: "ios-healthy"}}})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	ln.Close() // nothing listens there now
	inv := rewrite(t, dir, func(s string) string {
		i := strings.Index(s, "    port: ")
		j := strings.Index(s[i:], "\n")
		return s[:i] + "    port: " + port + s[i+j:]
	})
	_, err = devices.NewCollector(inv, devices.CollectorOptions{}).Collect(testCtx(t, 10*time.Second), "40.10.1.1", "")
	wantErr(t, err, devices.Unreachable, "connection refused by ios-healthy (127.0.0.1:"+port+")", "check the port")
}

func TestErrorHandshakeTimeout(t *testing.T) {
	_, _, dir := startLab(t, lab.Options{Devices: []lab.DeviceConfig{{Scenario: "ios-healthy", Fault: lab.Fault{StallHandshake: true}}}})
	inv := rewrite(t, dir, func(s string) string {
		return strings.Replace(s, "  connect_timeout: 5s\n", "  connect_timeout: 5s\n  handshake_timeout: 300ms\n", 1)
	})
	_, err := devices.NewCollector(inv, devices.CollectorOptions{}).Collect(testCtx(t, 10*time.Second), "40.10.1.1", "")
	wantErr(t, err, devices.Timeout, "SSH handshake with ios-healthy", "did not finish within 300ms")
}

func TestErrorCommandTimeoutKeepsOutput(t *testing.T) {
	for _, scen := range []struct{ name, peer, hang string }{
		{"ios-healthy", "40.10.1.1", "show crypto ipsec sa peer 40.10.1.1"}, // PTY shell
		{"swan-healthy", "203.0.113.10", "swanctl --list-conns"},            // exec
		{"asa-healthy", "90.1.1.1", "show crypto ipsec sa peer 90.1.1.1"},   // shell + enable
	} {
		t.Run(scen.name, func(t *testing.T) {
			_, _, dir := startLab(t, lab.Options{Devices: []lab.DeviceConfig{{Scenario: scen.name, Fault: lab.Fault{HangOn: scen.hang}}}})
			// Generous enough for the commands that do answer on a loaded CI
			// machine; the hang is cut by the same limit.
			inv := rewrite(t, dir, func(s string) string { return strings.Replace(s, "command_timeout: 20s", "command_timeout: 2s", 1) })
			col, err := devices.NewCollector(inv, devices.CollectorOptions{}).Collect(testCtx(t, 20*time.Second), scen.peer, "")
			if err != nil {
				t.Fatalf("a hanging command must not fail the collection: %v", err)
			}
			var hung *devices.Result
			for i := range col.Results {
				r := &col.Results[i]
				if r.Command == scen.hang {
					hung = r
				} else if r.Err != nil {
					t.Errorf("%s failed too: %v (the next command must get a fresh session)", r.Command, r.Err)
				}
			}
			if hung == nil {
				t.Fatal("hanging command not in results")
			}
			wantErr(t, hung.Err, devices.Timeout, "did not finish within 2s", "read so far are still diagnosed")
			if !strings.Contains(hung.Output, "Crypto map tag") {
				t.Errorf("partial output lost: %q", hung.Output)
			}
			if !strings.Contains(col.Transcript(), "[tunneldoc: incomplete output: ") {
				t.Errorf("transcript does not mark the cut:\n%s", col.Transcript())
			}
		})
	}
}

func TestErrorOutputCut(t *testing.T) {
	for _, scen := range []struct{ name, peer, flood string }{
		{"ios-healthy", "40.10.1.1", "show crypto isakmp sa"},
		{"swan-healthy", "203.0.113.10", "swanctl --list-sas"},
	} {
		t.Run(scen.name, func(t *testing.T) {
			_, _, dir := startLab(t, lab.Options{Devices: []lab.DeviceConfig{{Scenario: scen.name, Fault: lab.Fault{FloodOn: scen.flood}}}})
			inv := rewrite(t, dir, func(s string) string {
				return strings.Replace(s, "  command_timeout: 20s\n", "  command_timeout: 20s\n  max_output_bytes: 65536\n", 1)
			})
			col, err := devices.NewCollector(inv, devices.CollectorOptions{}).Collect(testCtx(t, 20*time.Second), scen.peer, "")
			if err != nil {
				t.Fatal(err)
			}
			r := col.Results[0]
			wantErr(t, r.Err, devices.OutputCut, "printed more than 65536 bytes", "cut off there")
			if len(r.Output) < 60000 || len(r.Output) > 65536 {
				t.Errorf("kept %d bytes, want up to the 65536 cap", len(r.Output))
			}
			if col.Results[1].Err != nil {
				t.Errorf("next command after the cut: %v", col.Results[1].Err)
			}
		})
	}
}

func TestLegacyAlgorithmsOnlyWhenAsked(t *testing.T) {
	_, _, dir := startLab(t, lab.Options{Devices: []lab.DeviceConfig{{Scenario: "ios-healthy", Fault: lab.Fault{LegacyOnly: true}}}})
	// The lab's inventory turns the legacy algorithms on; it works.
	inv, _ := devices.LoadInventory(filepath.Join(dir, "inventory.yaml"))
	if _, err := devices.NewCollector(inv, devices.CollectorOptions{}).Collect(testCtx(t, 20*time.Second), "40.10.1.1", ""); err != nil {
		t.Fatalf("with legacy algorithms turned on: %v", err)
	}
	// Without the override the same device is refused with the fix named.
	inv = rewrite(t, dir, func(s string) string {
		return strings.Replace(s, "    algorithms:\n      key_exchanges: [diffie-hellman-group14-sha1]\n      host_keys: [ssh-rsa]\n", "", 1)
	})
	_, err := devices.NewCollector(inv, devices.CollectorOptions{}).Collect(testCtx(t, 20*time.Second), "40.10.1.1", "")
	wantErr(t, err, devices.NoCommonAlgorithm, "diffie-hellman-group14-sha1", "algorithms: {key_exchanges: [diffie-hellman-group14-sha1]}")
}

// TestFiftyDevicesBounded: 50 lab devices checked at once; every
// device is checked, and the lab (server side) never sees more sessions
// than the collector's limits allow, nor goroutines grow with the count.
func TestFiftyDevicesBounded(t *testing.T) {
	const n, limit = 50, 6
	scenarios, _ := lab.Scenarios()
	var cfg []lab.DeviceConfig
	for i := range n {
		s := scenarios[i%len(scenarios)]
		cfg = append(cfg, lab.DeviceConfig{Name: s.Name + "-" + string(rune('a'+i/len(scenarios))), Scenario: s.Name})
	}
	l, inv, _ := startLab(t, lab.Options{Devices: cfg})
	c := devices.NewCollector(inv, devices.CollectorOptions{MaxConcurrent: limit, PerDevice: 1})

	base := runtime.NumGoroutine()
	var peakG atomic.Int64
	stop := make(chan struct{})
	var sampler sync.WaitGroup
	sampler.Add(1)
	go func() {
		defer sampler.Done()
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				if g := int64(runtime.NumGoroutine()); g > peakG.Load() {
					peakG.Store(g)
				}
			}
		}
	}()

	// Every scenario peer is terminated by several devices: CollectPeer
	// fans out with at most `limit` workers. Run all peers at once, plus
	// a second check of one device to exercise the per-device limit.
	ctx := testCtx(t, 60*time.Second)
	var wg sync.WaitGroup
	var got atomic.Int64
	errs := make(chan error, len(scenarios)+1)
	for _, s := range scenarios {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cols, err := c.CollectPeer(ctx, s.Peer)
			if err != nil {
				errs <- err
			}
			for _, col := range cols {
				if len(col.Results) > 0 {
					got.Add(1)
				}
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		if _, err := c.Collect(ctx, scenarios[0].Peer, cfg[0].Name); err != nil {
			errs <- err
		}
	}()
	wg.Wait()
	close(stop)
	sampler.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if got.Load() != n {
		t.Errorf("collected from %d devices, want %d", got.Load(), n)
	}
	if p := c.PeakSessions(); p > limit || p < 2 {
		t.Errorf("collector held %d SSH sessions at once, want between 2 and the limit %d", p, limit)
	}
	// The lab sees a closed session end a moment after the client has
	// released its slot (the close crosses the socket), so the server-side
	// count may briefly show one more than the client ever held.
	if p := l.PeakSessions(); p > limit+1 {
		t.Errorf("lab saw %d SSH sessions at once, want at most the limit %d (+1 for closes in flight)", p, limit)
	}
	for _, d := range l.Devices {
		if d.PeakSessions() > 1 {
			t.Errorf("%s saw %d sessions at once, per-device limit is 1", d.Name, d.PeakSessions())
		}
	}
	// Goroutines: the test's own callers (13), the lab's per-connection
	// servers and the client's per-connection readers scale with `limit`,
	// never with n. 40 per live session is far above the real cost (~12)
	// and far below what 50 unbounded sessions would need.
	if extra := peakG.Load() - int64(base); extra > int64(len(scenarios)+2+40*limit) {
		t.Errorf("goroutines grew by %d during the check (base %d): not bounded by the limit %d", extra, base, limit)
	}
	t.Logf("peak sessions %d (limit %d), goroutines base %d peak %d", l.PeakSessions(), limit, base, peakG.Load())
}

func fingerprint(d *lab.Device) string { return d.Fingerprint() }

// keyField is the base64 key as it appears in known_hosts.
func keyField(t *testing.T, d *lab.Device) string {
	t.Helper()
	f := strings.Fields(d.AuthorizedKey())
	if len(f) < 2 {
		t.Fatalf("bad key %q", d.AuthorizedKey())
	}
	return f[1]
}

// TestErrorConnectionDropped: a device that closes the connection half way
// through an answer. Before ConnectionLost, an exec channel cut that way
// ended like a device that sends no exit status and read as complete.
func TestErrorConnectionDropped(t *testing.T) {
	for _, scen := range []struct{ name, peer, drop string }{
		{"ios-healthy", "40.10.1.1", "show crypto isakmp sa"},             // PTY shell
		{"swan-healthy", "203.0.113.10", "swanctl --list-sas"},            // exec
		{"asa-healthy", "90.1.1.1", "show crypto ipsec sa peer 90.1.1.1"}, // shell + enable, not the first command
	} {
		t.Run(scen.name, func(t *testing.T) {
			l, inv, _ := startLab(t, lab.Options{Devices: []lab.DeviceConfig{{Scenario: scen.name, Fault: lab.Fault{DropOn: scen.drop}}}})
			whole, _ := l.Devices[0].Scenario.Answer(scen.drop)
			col, err := devices.NewCollector(inv, devices.CollectorOptions{}).Collect(testCtx(t, 20*time.Second), scen.peer, "")
			if err != nil {
				t.Fatalf("a dropped connection must not fail the collection (what was read is diagnosed): %v", err)
			}
			at := -1
			for i, r := range col.Results {
				if r.Command == scen.drop {
					at = i
				}
			}
			if at < 0 {
				t.Fatalf("dropped command not in results: %+v", col.Results)
			}
			r := col.Results[at]
			wantErr(t, r.Err, devices.ConnectionLost, "closed the connection while tunneldoc waited for", "still diagnosed")
			firstLine, _, _ := strings.Cut(strings.TrimSpace(whole), "\n")
			if !strings.Contains(r.Output, strings.TrimSpace(firstLine)) || len(r.Output) >= len(whole) {
				t.Errorf("want the first half of the answer (%d bytes), got %d bytes: %q", len(whole), len(r.Output), r.Output)
			}
			for _, r := range col.Results[:at] {
				if r.Err != nil {
					t.Errorf("%s before the drop failed: %v", r.Command, r.Err)
				}
			}
			for _, r := range col.Results[at+1:] {
				wantErr(t, r.Err, devices.SessionFailed, "not run: the device had closed the connection")
			}
			plat, _ := devices.PlatformByName(col.Platform)
			tun := inv.Devices[0].Tunnels[0]
			if want := len(plat.Plan(tun.Peer, tun.RemoteSubnets)); len(col.Results) != want {
				t.Errorf("every planned command must be listed (the ones not run too): got %d of %d", len(col.Results), want)
			}
			if !strings.Contains(col.Transcript(), "[tunneldoc: incomplete output: ") {
				t.Errorf("transcript does not mark the cut:\n%s", col.Transcript())
			}
		})
	}
}
