package devices

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const goodInventory = `defaults:
  username: netops
  known_hosts: known_hosts
  command_timeout: 15s
jump_hosts:
  - name: bastion
    address: bastion.example.net
    credentials: {agent: true}
devices:
  - name: fw-hq
    address: 192.0.2.1
    port: 2201
    platform: asa
    jump: bastion
    enable: true
    credentials:
      password_env: FW_HQ_PASSWORD
      enable_password_file: secrets/fw-hq-enable
    algorithms:
      key_exchanges: [diffie-hellman-group14-sha1]
      ciphers: [aes128-cbc]
    tunnels:
      - peer: 90.1.1.1
        name: branch-12
        remote_subnets: [192.168.10.0/24, 192.168.11.0/24]
  - name: vpn-gw
    address: 2001:db8::10
    platform: strongswan
    username: root
    credentials: {key_file: /etc/tunneldoc/id_ed25519}
    tunnels:
      - peer: 203.0.113.10
`

func TestParseInventory(t *testing.T) {
	inv, err := ParseInventory([]byte(goodInventory), "/etc/tunneldoc/inventory.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(inv.Devices) != 2 || len(inv.JumpHosts) != 1 {
		t.Fatalf("devices %d jump hosts %d", len(inv.Devices), len(inv.JumpHosts))
	}
	fw := inv.Devices[0]
	if fw.Addr() != "192.0.2.1:2201" || fw.Username != "netops" || fw.KnownHosts != "/etc/tunneldoc/known_hosts" {
		t.Errorf("defaults not applied: %+v", fw)
	}
	if fw.Credentials.EnablePasswordFile != filepath.FromSlash("/etc/tunneldoc/secrets/fw-hq-enable") {
		t.Errorf("relative secret path not resolved against the inventory: %q", fw.Credentials.EnablePasswordFile)
	}
	if len(fw.Tunnels) != 1 || len(fw.Tunnels[0].RemoteSubnets) != 2 || fw.Tunnels[0].Name != "branch-12" {
		t.Errorf("tunnels: %+v", fw.Tunnels)
	}
	if inv.Defaults.CommandTimeout != 15*time.Second {
		t.Errorf("command_timeout %v", inv.Defaults.CommandTimeout)
	}
	if gw := inv.Devices[1]; gw.Addr() != "[2001:db8::10]:22" || gw.Username != "root" {
		t.Errorf("vpn-gw: %s %s", gw.Addr(), gw.Username)
	}
}

func TestInventoryErrorsNameTheLine(t *testing.T) {
	base := "defaults:\n  username: u\n  known_hosts: kh\ndevices:\n"
	dev := func(name, extra string) string {
		return "  - name: " + name + "\n    address: 192.0.2.1\n    platform: ios\n    credentials: {password_env: X}\n" + extra
	}
	cases := []struct {
		name, yaml string
		line       int
		want       string
	}{
		{"unknown key", base + dev("r1", "    pasword_env: X\n"), 9, `unknown key "pasword_env"`},
		{"inline secret", base + dev("r1", "    password: cisco123\n"), 9, "inline secrets are not allowed"},
		{"inline secret in credentials", base + "  - name: r1\n    address: 192.0.2.1\n    platform: ios\n    credentials:\n      password: x\n", 9, "inline secrets are not allowed"},
		{"duplicate name", base + dev("r1", "") + dev("r1", ""), 9, `duplicate name "r1" (first at line 5)`},
		{"bad address", base + "  - name: r1\n    address: 10.0.0.300\n    platform: ios\n    credentials: {password_env: X}\n", 6, `bad address "10.0.0.300"`},
		{"bad hostname", base + "  - name: r1\n    address: fw_hq!\n    platform: ios\n    credentials: {password_env: X}\n", 6, "neither an IP address nor a host name"},
		{"unknown platform", base + "  - name: r1\n    address: 192.0.2.1\n    platform: iso\n    credentials: {password_env: X}\n", 7, `unknown platform "iso" (did you mean "ios"?)`},
		{"bad peer", base + dev("r1", "    tunnels:\n      - peer: 90.1.1\n"), 10, `bad peer address "90.1.1"`},
		{"duplicate peer", base + dev("r1", "    tunnels:\n      - peer: 90.1.1.1\n      - peer: 90.1.1.1\n"), 11, "listed twice (first at line 10)"},
		{"bad subnet", base + dev("r1", "    tunnels:\n      - peer: 90.1.1.1\n        remote_subnets: [10.0.0.0/33]\n"), 11, `bad remote subnet "10.0.0.0/33"`},
		{"bad algorithm", base + dev("r1", "    algorithms:\n      ciphers: [aes256-cbc]\n"), 10, `"aes256-cbc" is not one of`},
		{"bad port", base + dev("r1", "    port: 70000\n"), 9, "port must be a whole number from 1 to 65535"},
		{"no credentials", base + "  - name: r1\n    address: 192.0.2.1\n    platform: ios\n", 5, "has no credentials"},
		{"unknown far end", base + dev("r1", "    tunnels:\n      - peer: 90.1.1.1\n        far_end: r9\n"), 10, `far_end "r9" is not another device`},
		{"far end is itself", base + dev("r1", "    tunnels:\n      - peer: 90.1.1.1\n        far_end: r1\n"), 10, `far_end "r1" is not another device`},
		{"missing jump host", base + dev("r1", "    jump: bastion\n"), 5, `jump host "bastion" is not listed`},
		{"bad yaml", "devices:\n  - name: [\n", 2, "not valid YAML"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseInventory([]byte(tc.yaml), "inv.yaml")
			if err == nil {
				t.Fatalf("accepted:\n%s", tc.yaml)
			}
			if !errors.Is(err, BadInventory) {
				t.Errorf("not a BadInventory error: %v", err)
			}
			var ie *InventoryError
			if !errors.As(err, &ie) {
				t.Fatalf("not an *InventoryError: %v", err)
			}
			for _, p := range ie.Problems {
				if p.Line == tc.line && strings.Contains(p.Msg, tc.want) {
					if !strings.Contains(err.Error(), "inv.yaml:") {
						t.Errorf("message does not name the file: %v", err)
					}
					return
				}
			}
			t.Errorf("want line %d: %q, got:\n%v", tc.line, tc.want, err)
		})
	}
}

func TestLookup(t *testing.T) {
	inv, err := ParseInventory([]byte(goodInventory+`  - name: fw-dr
    address: 192.0.2.2
    platform: asa
    credentials: {password_env: X}
    tunnels:
      - peer: 90.1.1.1
        name: branch-12-dr
`), "inv.yaml")
	if err != nil {
		t.Fatal(err)
	}
	m, err := inv.Lookup("90.1.1.1", "")
	if err != nil || len(m) != 2 {
		t.Fatalf("two devices terminate 90.1.1.1: %v %v", m, err)
	}
	m, err = inv.Lookup("90.1.1.1", "fw-dr")
	if err != nil || len(m) != 1 || m[0].Device.Name != "fw-dr" {
		t.Fatalf("on fw-dr: %v %v", m, err)
	}
	m, err = inv.Lookup("branch-12", "")
	if err != nil || len(m) != 1 || m[0].Tunnel.Peer.String() != "90.1.1.1" {
		t.Fatalf("by tunnel name: %v %v", m, err)
	}
	// A device named explicitly may be checked for a peer its entry lacks.
	m, err = inv.Lookup("198.51.100.7", "vpn-gw")
	if err != nil || len(m) != 1 {
		t.Fatalf("unlisted peer on a named device: %v %v", m, err)
	}
	_, err = NewCollector(inv, CollectorOptions{}).Collect(t.Context(), "90.1.1.1", "")
	if !errors.Is(err, AmbiguousPeer) || !strings.Contains(err.Error(), "check tunnel 90.1.1.1 on fw-hq") {
		t.Errorf("ambiguous peer: %v", err)
	}
	_, err = inv.Lookup("not a peer", "")
	if !errors.Is(err, UnknownPeer) {
		t.Errorf("garbage peer: %v", err)
	}
}

func TestPlanNeverDebugs(t *testing.T) {
	for _, p := range platforms {
		for _, c := range p.Commands {
			readOnly := strings.HasPrefix(c.Template, "show ")
			if p.Name == "strongswan" {
				readOnly = strings.HasPrefix(c.Template, "swanctl --list-") || strings.HasPrefix(c.Template, "{ if [ -s /var/log/charon.log ]; then tail -n 5000 /var/log/charon.log; else journalctl --no-pager")
			}
			if p.Name == "libreswan" {
				// whack's status calls and the log; whack's verbs that
				// act (--debug, --initiate, --delete, --down, --impair)
				// never.
				readOnly = (strings.HasPrefix(c.Template, "ipsec whack --status |") || strings.HasPrefix(c.Template, "{ ipsec whack --status 2>/dev/null |")) &&
					!strings.Contains(c.Template, "--initiate") && !strings.Contains(c.Template, "--delete") && !strings.Contains(c.Template, "--down") && !strings.Contains(c.Template, "--impair") && !strings.Contains(c.Template, "--name")
			}
			if !readOnly || strings.Contains(c.Template, "debug") {
				t.Errorf("%s: %q is not a read-only command", p.Name, c.Template)
			}
		}
	}
}

// The documented example must stay valid.
func TestExampleInventory(t *testing.T) {
	inv, err := LoadInventory(filepath.Join("testdata", "inventory.example.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(inv.Devices) != 3 || len(inv.JumpHosts) != 1 {
		t.Fatalf("devices %d jump hosts %d", len(inv.Devices), len(inv.JumpHosts))
	}
	m, err := inv.Lookup("spoke-10", "")
	if err != nil || m[0].Device.Jump != "bastion" || !m[0].Device.TrustOnFirstUse || len(m[0].Device.Algorithms.Ciphers) != 1 {
		t.Fatalf("rtr-legacy: %+v %v", m, err)
	}
}

func TestFarEnd(t *testing.T) {
	inv, err := ParseInventory([]byte(`defaults: {username: u, known_hosts: kh}
devices:
  - name: hq
    address: 200.100.0.1
    platform: asa
    credentials: {password_env: X}
    tunnels:
      - {peer: 90.1.1.1, name: branch-12}
      - {peer: 90.1.1.2, name: lab-link}
      - {peer: 90.1.1.3, far_end: dc}
  - name: hq-twin
    address: 200.100.0.2
    platform: asa
    credentials: {password_env: X}
    tunnels:
      - {peer: 90.1.1.1, name: branch-12}
  - name: branch
    address: 90.1.1.1
    platform: ios
    credentials: {password_env: X}
    tunnels:
      - {peer: 200.100.0.1}
  - name: lab
    address: 10.9.9.9
    platform: ios
    credentials: {password_env: X}
    tunnels:
      - {peer: 203.0.113.7, name: lab-link}
  - name: dc
    address: mgmt.dc.example
    platform: strongswan
    credentials: {password_env: X}
    tunnels:
      - {peer: 203.0.113.9}
`), "inv.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		peer, device    string
		farDev, farPeer string
	}{
		{"90.1.1.1", "hq", "branch", "200.100.0.1"}, // the device whose address is the peer, not the twin
		{"lab-link", "hq", "lab", "203.0.113.7"},    // the same tunnel name
		{"90.1.1.3", "hq", "dc", "203.0.113.9"},     // far_end, its only tunnel
		{"200.100.0.1", "branch", "hq", "90.1.1.1"}, // back the other way
		{"203.0.113.9", "dc", "", ""},               // nothing points back
	}
	for _, c := range cases {
		ms, err := inv.Lookup(c.peer, c.device)
		if err != nil || len(ms) != 1 {
			t.Fatalf("%s on %s: %v %v", c.peer, c.device, ms, err)
		}
		m, ok := inv.FarEnd(ms[0])
		if c.farDev == "" {
			if ok {
				t.Errorf("%s on %s: far end %s, want none", c.peer, c.device, m.Device.Name)
			}
			continue
		}
		if !ok || m.Device.Name != c.farDev || m.Tunnel.Peer.String() != c.farPeer {
			t.Errorf("%s on %s: far end %v %v, want %s peer %s", c.peer, c.device, m.Device, m.Tunnel, c.farDev, c.farPeer)
		}
	}
}
