package diagnose

import (
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/tunneldoc/tunneldoc/diagnose/facts"
	"github.com/tunneldoc/tunneldoc/diagnose/internal/testkit"
)

// platformMarkers are command words that belong to one platform only: a
// fix for another platform that names one sends its reader to a CLI
// they do not have.
var platformMarkers = map[string][]string{
	"cisco": {"show crypto", "debug crypto", "clear crypto", "crypto map", "crypto isakmp", "crypto ikev2", "crypto ipsec"},
	"ios":   {"show crypto isakmp policy", "crypto isakmp key", "show ip route", "ip tcp adjust-mss", "`debug crypto isakmp`", "show crypto pki", "keyring", "show crypto ipsec transform-set", "show ip nat", "crypto pki enroll"},
	"asa":   {"tunnel-group", "show run ", "debug crypto ikev1", "vpn-sessiondb", "packet-tracer", "show crypto ca", "sysopt", "ikev1 enable", "show capture"},
	"strongswan": {"swanctl", "charon", "statusall", "esp_proposals", "remote_addrs", "local_ts", "remote_ts", "start_action", "pki --print",
		"strongswan", "`proposals`", "rekey_time", "replay_window", "fragmentation = yes"},
	"linux":     {"ip route get", "ip xfrm", "nft ", "tcpdump", "iptables", "ipsec.conf", "ipsec.secrets", "`ipsec status`", "timedatectl", "journalctl", "leftsubnet"},
	"libreswan": {"ipsec auto", "replay-window=", "encapsulation=", "mtu=", "fragmentation=yes", "pluto", "trafficstatus", "whack", "certutil", "checknss", "ikev2=insist", "xauthby", "rightaddresspool", "salifetime"},
	"junos":     {"show security", "request security", "show configuration security", "clear security", "kmd"},
	"screenos":  {"get sa", "get ike", "get event", "get db stream", "get config", "undebug all", "clear sa"},
	"yamaha":    {"show ipsec sa gateway", "syslog debug", "ipsec sa delete", "show status tunnel", "ipsec ike "},
	"panos":     {"show vpn ike-sa", "show vpn ipsec-sa", "show vpn flow", "ikemgr", "test vpn", "clear vpn", "debug ike global"},
	"fortios":   {"diagnose vpn", "diagnose debug", "phase1-interface", "phase2-interface"},
	"azure":     {"az network", "network watcher"},
	"racoon":    {"racoonctl", "setkey"},
	"mikrotik":  {"/ip ipsec", "/log print", "/system logging"},
	"vrp":       {"display ike", "display ipsec", "display logbuffer", "reset ike sa", "reset ipsec sa", "debugging ike"},
	"zyxel":     {"sa monitor", "vpn monitor"},
	"aws":       {"aws ec2", "cloudwatch", "vpnlogdetail"},
}

// ownMarkers are the groups a platform's advice may use.
var ownMarkers = map[string][]string{
	"ios":        {"cisco", "ios"},
	"asa":        {"cisco", "asa"},
	"strongswan": {"strongswan", "linux"},
	"libreswan":  {"libreswan", "linux"},
	"junos":      {"junos"},
	"screenos":   {"screenos"},
	"yamaha":     {"yamaha"},
	"panos":      {"panos"},
	"fortios":    {"fortios"},
	"azure":      {"azure"},
	"racoon":     {"racoon"},
	"mikrotik":   {"mikrotik"},
	"huawei":     {"vrp"},
	"comware":    {"vrp"},
	"zyxel":      {"zyxel"},
	"aws":        {"aws"},
}

// foreignIn returns the other platforms' command words found in lines.
func foreignIn(vendor string, lines []string) []string {
	text := strings.ToLower(strings.Join(lines, "\n"))
	own := map[string]bool{}
	for _, g := range ownMarkers[vendor] {
		own[g] = true
	}
	var found []string
	for group, words := range platformMarkers {
		if own[group] {
			continue
		}
		for _, w := range words {
			if !ownWord(vendor, w) && strings.Contains(text, strings.ToLower(w)) {
				found = append(found, group+": "+w)
			}
		}
	}
	sort.Strings(found)
	return found
}

// ownWord: a few words are shared by the platforms that have them.
func ownWord(vendor, w string) bool {
	switch vendor {
	case "asa":
		// the ASA has these too
		return w == "show crypto pki" || w == "crypto isakmp key"
	case "strongswan":
		// strongSwan's legacy ipsec.conf keys and commands
		return w == "salifetime"
	case "junos":
		// an IKE or IPsec policy's `proposals` statement
		return w == "`proposals`"
	}
	return false
}

// mentionsOwn reports whether lines name one of the platform's own
// commands.
func mentionsOwn(vendor string, lines []string) bool {
	text := strings.ToLower(strings.Join(lines, "\n"))
	for _, g := range ownMarkers[vendor] {
		for _, w := range platformMarkers[g] {
			if strings.Contains(text, strings.ToLower(w)) {
				return true
			}
		}
	}
	return false
}

var adviceVendors = []string{"ios", "asa", "strongswan", "libreswan", "junos", "screenos", "yamaha", "panos", "fortios", "azure", "racoon",
	"mikrotik", "huawei", "comware", "zyxel", "aws"}

// TestAdviceInThePlatformsCLI: vendor × cause, every fix and every
// "paste this next" line names the commands of the report's own platform
// and none of another's; a cause that is not healthy points at least at
// one of the platform's own commands.
func TestAdviceInThePlatformsCLI(t *testing.T) {
	causes := []string{CauseUnknown}
	for c := range fixes {
		causes = append(causes, c)
	}
	sort.Strings(causes)
	// the hints the rules write (Cisco words), as nextFor turns them
	hints := []string{
		"Ping across the tunnel from an inside host (source matching the crypto ACL), then paste `show crypto isakmp sa`, `show crypto map` and `debug crypto isakmp`",
		"On the peer, check `show crypto isakmp sa` for an entry from us; paste `debug crypto ikev1 127` (ASA) / `debug crypto isakmp` (IOS) from both ends",
		"Paste `debug crypto ipsec` with `debug crypto isakmp` while the tunnel comes up, and `show crypto ipsec transform-set` + `show crypto map` from both peers",
		"Paste `show crypto ipsec sa peer 40.10.1.1` twice, a minute apart: both encaps and decaps should grow",
	}
	for _, v := range adviceVendors {
		for _, cause := range causes {
			t.Run(v+"/"+cause, func(t *testing.T) {
				var lines []string
				if cause == CauseUnknown {
					lines = PasteNext(v, "40.10.1.1")
				} else {
					lines = fixFor(facts.Vendor(v), cause, "40.10.1.1")
				}
				if len(lines) == 0 {
					t.Fatal("no advice")
				}
				if f := foreignIn(v, lines); len(f) > 0 {
					t.Errorf("advice names other platforms' commands %q:\n%s", f, strings.Join(lines, "\n"))
				}
				_, handWritten := gatewayFixes[facts.Vendor(v)][cause]
				if cause != CauseHealthy && !handWritten && !mentionsOwn(v, lines) {
					t.Errorf("advice names none of the platform's own commands:\n%s", strings.Join(lines, "\n"))
				}
			})
		}
		t.Run(v+"/next", func(t *testing.T) {
			for _, h := range hints {
				n := nextFor(facts.Vendor(v), h)
				if f := foreignIn(v, []string{n}); len(f) > 0 {
					t.Errorf("hint %q became %q, naming %q", h, n, f)
				}
			}
		})
	}
	// input of no known platform: each platform's command with its name
	for _, l := range PasteNext("", "40.10.1.1") {
		for _, p := range []string{"IOS", "ASA", "strongSwan", "libreswan"} {
			if !strings.Contains(l, p) {
				t.Errorf("advice for an unknown platform does not name %s: %q", p, l)
			}
		}
	}
}

// TestUnknownAdviceFollowsTheInput: a report that concludes nothing
// (cause unknown) tells a strongSwan or libreswan user what to paste in
// their own commands, never `debug crypto isakmp`.
func TestUnknownAdviceFollowsTheInput(t *testing.T) {
	cases := []struct {
		vendor, text, wants string
	}{
		{"strongswan", "root@gw:~# swanctl --list-sas\nroot@gw:~#\n", "swanctl --list-sas"},
		{"libreswan", "[root@east ~]# ipsec trafficstatus\n[root@east ~]#\n", "ipsec status"},
		{"ios", "HUB#show crypto ipsec sa peer 40.10.1.1\n\nHUB#\n", "debug crypto isakmp"},
	}
	for _, c := range cases {
		r := Diagnose(c.text, Options{Peer: "40.10.1.1", Vendor: c.vendor})
		if r.Cause != CauseUnknown {
			t.Logf("%s: %s (the check is on unknown-cause advice only)", c.vendor, r.Cause)
			continue
		}
		fix := strings.Join(r.Fix, "\n")
		if !strings.Contains(fix, c.wants) || len(foreignIn(c.vendor, r.Fix)) > 0 {
			t.Errorf("%s: unknown-cause advice %q, want %q and no other platform's commands (%q)", c.vendor, fix, c.wants, foreignIn(c.vendor, r.Fix))
		}
	}
}

// TestAdviceOnRealOutput: every case, lab capture and public corpus file,
// diagnosed, advises in its own platform's CLI.
func TestAdviceOnRealOutput(t *testing.T) {
	roots := []string{filepath.Join("testdata", "cases"), filepath.Join("testdata", "lab")}
	if corpus, ok := testkit.FindCorpus(); ok {
		roots = append(roots, corpus)
	}
	n := 0
	for _, root := range roots {
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !(strings.HasSuffix(p, ".txt") || strings.HasSuffix(p, ".log")) {
				return err
			}
			raw, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			r := Diagnose(string(raw), Options{})
			if _, known := ownMarkers[r.Vendor]; !known {
				return nil
			}
			n++
			if f := foreignIn(r.Vendor, r.Fix); len(f) > 0 {
				t.Errorf("%s (%s, %s): advice names %q:\n%s", p, r.Vendor, r.Cause, f, strings.Join(r.Fix, "\n"))
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if n < 100 {
		t.Errorf("only %d files diagnosed with a known platform", n)
	}
	t.Logf("%d files checked", n)
}
