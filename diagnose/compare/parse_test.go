package compare

import (
	"fmt"
	"sort"
	"strings"
	"testing"
)

// dump prints what a parser read, one fact a line, keys as "<key>".
func (d *device) dump() string {
	var out []string
	add := func(f string, a ...any) { out = append(out, fmt.Sprintf(f, a...)) }
	add("vendor %s host %s", d.vendor, d.hostname)
	for _, o := range d.outside {
		add("outside %s", o.addr)
	}
	for _, v := range []int{1, 2} {
		for _, p := range d.ike[v] {
			add("ike v%d %s life %d", v, p.describe(), p.life)
		}
	}
	for _, k := range d.keys {
		m := ""
		if k.match.IsValid() {
			m = k.match.String()
		}
		add("key %s%s v%d scope %q local %v remote %v unreadable %q", m, strings.Join(k.ids, "+"), k.version, k.scope, k.hasLocal, k.hasRem, k.unreadable)
	}
	for _, t := range d.tunnels {
		var ps []string
		for _, p := range t.peers {
			ps = append(ps, p.addr.String())
		}
		for _, p := range t.peerNets {
			ps = append(ps, p.String())
		}
		var esp []string
		for _, p := range t.esp {
			esp = append(esp, p.describe())
		}
		add("tunnel %s peers %s applied %v on %s versions %v", t.name, strings.Join(ps, ","), t.applied, t.iface, t.versions)
		for _, v := range []int{1, 2} {
			for _, p := range t.ike[v] {
				add("  ike v%d %s", v, p.describe())
			}
		}
		add("  esp %s pfs %v p2life %d", strings.Join(esp, "; "), t.pfs, t.p2Life)
		var ks []string
		for k, s := range t.sel {
			ks = append(ks, k.String()+": "+s.String())
		}
		sort.Strings(ks)
		for _, k := range ks {
			add("  sel %s", k)
		}
	}
	for _, r := range d.nat {
		add("nat exempt=%v %s", r.exempt, r.match.String())
	}
	for _, r := range d.routes {
		add("route %s via %s", r.dst.String(), r.iface)
	}
	return strings.Join(out, "\n")
}

// TestParsers: one entry per command the parsers read, the snippet beside
// the facts it must yield.
func TestParsers(t *testing.T) {
	cases := []struct {
		name, vendor, text string
		want               []string
	}{
		{"ios isakmp policy defaults", "ios", "crypto isakmp policy 20\n authentication pre-share\n",
			[]string{"ike v1 policy 20 des/sha1/psk/group 1 life 86400"}},
		{"ios isakmp policy aes 256", "ios", "crypto isakmp policy 10\n encryption aes 256\n hash sha384\n group 19\n lifetime 3600\n",
			[]string{"ike v1 policy 10 aes256/sha384/rsa-sig/group 19 life 3600"}},
		{"asa ikev1 policy defaults", "asa", "crypto ikev1 policy 5\n hash sha\n",
			[]string{"ike v1 policy 5 3des/sha1/psk/group 2"}},
		{"ios isakmp key wildcard", "ios", "crypto isakmp key 0 s3cret address 0.0.0.0 0.0.0.0\ncrypto isakmp key 6 ABCD address 10.0.0.0 255.0.0.0 no-xauth\n",
			[]string{`key 0.0.0.0/0 v1 scope "" local true remote true unreadable ""`, `key 10.0.0.0/8 v1 scope "" local true remote true unreadable "stored encrypted (type 6)"`}},
		{"ios keyring", "ios", "crypto keyring KR\n pre-shared-key address 40.10.1.0 255.255.255.0 key abc\n",
			[]string{`key 40.10.1.0/24 v1 scope "KR"`}},
		{"ios ikev2 keyring", "ios", "crypto ikev2 keyring K2\n peer P\n  address 1.1.1.1\n  pre-shared-key local L1\n",
			[]string{`key 1.1.1.1/32 v2 scope "K2" local true remote false`}},
		{"ios ikev2 proposal and policy", "ios", "crypto ikev2 proposal P\n encryption aes-cbc-256 aes-gcm-128\n integrity sha512\n group 21 14\ncrypto ikev2 policy POL\n proposal P\n",
			[]string{"ike v2 proposal P aes256,aes128gcm/sha512/group 21,14"}},
		{"asa ikev2 policy", "asa", "crypto ikev2 policy 1\n encryption aes-256\n integrity sha256\n group 14\n prf sha256\n lifetime seconds 43200\n",
			[]string{"ike v2 policy 1 aes256/sha256/group 14 life 43200"}},
		{"asa tunnel-group masked key", "asa", "tunnel-group 8.8.8.8 type ipsec-l2l\ntunnel-group 8.8.8.8 ipsec-attributes\n ikev1 pre-shared-key *****\n",
			[]string{`key 8.8.8.8/32 v1 scope "" local true remote true unreadable "masked as *****`}},
		{"asa tunnel-group ikev2 asymmetric", "asa", "tunnel-group 8.8.8.8 ipsec-attributes\n ikev2 remote-authentication pre-shared-key R\n ikev2 local-authentication pre-shared-key L\n",
			[]string{`key 8.8.8.8/32 v2 scope "" local true remote true`}},
		{"ios crypto map with ACL, pfs, lifetime", "ios",
			"crypto ipsec transform-set TS esp-gcm 256\ncrypto map M 10 ipsec-isakmp\n set peer 2.2.2.2\n set peer 3.3.3.3\n set transform-set TS\n set pfs group14\n set security-association lifetime seconds 1800\n match address 101\ninterface Gi1\n ip address 1.1.1.1 255.255.255.0\n crypto map M\naccess-list 101 permit ip 10.0.0.0 0.0.0.255 any\naccess-list 101 permit tcp host 10.0.1.5 eq 22 20.0.0.0 0.255.255.255\n",
			[]string{"outside 1.1.1.1", "tunnel crypto map M 10 peers 2.2.2.2,3.3.3.3 applied true on Gi1 versions [1]", "esp TS aes256gcm pfs [14] p2life 1800",
				"sel ip: 10.0.0.0/24 -> any", "sel tcp src eq 22: 10.0.1.5 -> 20.0.0.0/8"}},
		{"asa crypto map one-liners with objects and names", "asa",
			"name 9.9.9.9 PEER\nobject network L\n range 10.1.0.0 10.1.0.127\nobject-group network R\n network-object host 20.0.0.1\n group-object R2\nobject-group network R2\n network-object 20.0.1.0 255.255.255.0\naccess-list V extended permit ip object L object-group R\ncrypto ipsec ikev1 transform-set T esp-aes-256 esp-sha-hmac\ncrypto map CM 5 match address V\ncrypto map CM 5 set peer PEER\ncrypto map CM 5 set ikev1 transform-set T\ncrypto map CM 5 set pfs\ncrypto map CM interface outside\ninterface G0\n nameif outside\n ip address 5.5.5.5 255.255.255.0\n",
			[]string{"outside 5.5.5.5", "tunnel crypto map CM 5 peers 9.9.9.9 applied true on outside versions [1]", "esp T aes256/sha1 pfs [2] p2life 0", "sel ip: 10.1.0.0/25 -> 20.0.0.1, 20.0.1.0/24"}},
		{"asa ikev2 ipsec-proposal", "asa", "crypto ipsec ikev2 ipsec-proposal P\n protocol esp encryption aes-gcm-256 aes-256\n protocol esp integrity sha-384 null\ncrypto map CM 1 set peer 1.1.1.1\ncrypto map CM 1 set ikev2 ipsec-proposal P\n",
			[]string{"versions [2]", "esp P aes256gcm,aes256/sha384"}},
		{"ios named ACL with deny and object-group", "ios",
			"object-group network G\n 10.0.0.0 255.255.255.0\n host 10.0.1.1\nip access-list extended X\n 10 deny ip host 10.0.0.7 any\n 20 permit ip object-group G 20.0.0.0 0.0.0.255\ncrypto map M 1 ipsec-isakmp\n set peer 1.1.1.1\n match address X\n",
			[]string{"sel ip: 10.0.0.0/30, 10.0.0.4/31, 10.0.0.6, 10.0.0.8/29, 10.0.0.16/28, 10.0.0.32/27, ... -> 20.0.0.0/24"}},
		{"ios vti ikev2", "ios", "crypto ikev2 profile PR\n match identity remote address 2.2.2.2 255.255.255.255\ncrypto ipsec profile V\n set ikev2-profile PR\n set pfs group19\ninterface Tunnel1\n tunnel source 1.1.1.1\n tunnel mode ipsec ipv4\n tunnel destination 2.2.2.2\n tunnel protection ipsec profile V\n",
			[]string{"outside 1.1.1.1", "tunnel interface Tunnel1 peers 2.2.2.2 applied true on Tunnel1 versions [2]", "pfs [19]", "sel ip: any -> any"}},
		{"ios gre over ipsec", "ios", "crypto ipsec profile V\n set transform-set TS\ninterface Tunnel0\n tunnel source 1.1.1.1\n tunnel destination 2.2.2.2\n tunnel protection ipsec profile V\n",
			[]string{"sel gre: 1.1.1.1 -> 2.2.2.2"}},
		{"ios nat list, route-map, static", "ios",
			"ip nat inside source list 1 interface Gi0 overload\naccess-list 1 permit 10.0.0.0 0.0.0.255\nip nat inside source route-map RM pool P\nroute-map RM permit 10\n match ip address 120\naccess-list 120 deny ip 10.1.0.0 0.0.0.255 20.0.0.0 0.0.0.255\naccess-list 120 permit ip 10.1.0.0 0.0.0.255 any\nip nat inside source static 10.2.0.5 10.2.0.5\nip nat inside source static 10.3.0.5 1.2.3.4\n",
			[]string{"nat exempt=true 10.2.0.5 -> any", "nat exempt=false 10.0.0.0/24 -> any", "nat exempt=false 10.1.0.0/24 -> any except 20.0.0.0/24", "nat exempt=false 10.3.0.5 -> any"}},
		{"asa twice nat and object nat order", "asa",
			"object network IN\n subnet 10.0.0.0 255.255.255.0\n nat (inside,outside) dynamic interface\nobject network R\n subnet 20.0.0.0 255.255.255.0\nnat (inside,outside) after-auto source dynamic any interface\nnat (inside,outside) source static IN IN destination static R R no-proxy-arp\n",
			[]string{"nat exempt=true 10.0.0.0/24 -> 20.0.0.0/24\nnat exempt=false 10.0.0.0/24 -> any\nnat exempt=false any -> any"}},
		{"asa legacy nat 0", "asa", "access-list NONAT extended permit ip 10.0.0.0 255.255.255.0 20.0.0.0 255.255.255.0\nnat (inside) 1 10.0.0.0 255.255.255.0\nnat (inside) 0 access-list NONAT\n",
			[]string{"nat exempt=true 10.0.0.0/24 -> 20.0.0.0/24\nnat exempt=false 10.0.0.0/24 -> any"}},
		{"ios ipv6 acl", "ios", "ipv6 access-list V6\n permit ipv6 2001:db8:1::/48 any\ncrypto map M 1 ipsec-isakmp\n set peer 2001:db8::2\n match address V6\n",
			[]string{"peers 2001:db8::2", "sel ip: 2001:db8:1::/48 -> ::/0"}},
		{"ios crypto map local-address", "ios", "crypto map M local-address Loopback0\ncrypto map M 1 ipsec-isakmp\n set peer 2.2.2.2\ninterface Gi1\n ip address 1.1.1.1 255.255.255.0\n crypto map M\ninterface Loopback0\n ip address 9.9.9.9 255.255.255.255\n",
			[]string{"outside 9.9.9.9"}},
		{"ios show access-lists output", "ios", "crypto map M 1 ipsec-isakmp\n set peer 1.1.1.1\n match address SPOKE10-ACL\nHUB#sh access-list SPOKE10-ACL\nExtended IP access list SPOKE10-ACL\n    10 permit ip 3.1.1.0 0.0.0.255 5.1.1.0 0.0.0.255 (24 matches)\n",
			[]string{"host HUB", "sel ip: 3.1.1.0/24 -> 5.1.1.0/24"}},
		{"routes", "asa", "route outside 0.0.0.0 0.0.0.0 1.1.1.254 1\nroute inside 10.0.0.0 255.0.0.0 10.1.1.1\n",
			[]string{"route any via outside", "route 10.0.0.0/8 via inside"}},
		{"swan connection", "strongswan",
			"connections {\n c1 {\n  version = 1\n  local_addrs = 1.1.1.1\n  remote_addrs = 2.2.2.2, 3.3.3.0/24\n  proposals = aes256gcm16-prfsha384-ecp384,aes128-sha1-modp1024\n  children {\n   k { local_ts = 10.0.0.0/24, 10.0.1.0-10.0.1.9\n    remote_ts = dynamic\n    esp_proposals = aes256-sha256-modp2048-ecp256,aes128-sha1\n    rekey_time = 30m }\n  }\n }\n}\n",
			[]string{"outside 1.1.1.1", "ike v1 aes256gcm16-prfsha384-ecp384 aes256gcm/psk/group 20", "ike v1 aes128-sha1-modp1024 aes128/sha1/psk/group 2",
				"tunnel connection c1 child k peers 2.2.2.2,3.3.3.0/24 applied true on  versions [1]", "pfs [] p2life 1800", "sel ip: 10.0.0.0/24, 10.0.1.0/29, 10.0.1.8/31 -> 2.2.2.2"}},
		{"swan secrets", "strongswan", "secrets {\n ike-1 {\n  id-a = a.example\n  secret = \"with # hash\"\n }\n ike {\n  secret = 0x0102\n }\n}\n",
			[]string{`key a.example v0 scope "" local true remote true unreadable ""`, `key  v0 scope ""`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := readDevice("A", Input{Text: c.text, Vendor: c.vendor})
			got := d.dump()
			for _, w := range c.want {
				if !strings.Contains(got, w) {
					t.Errorf("missing %q in\n%s", w, got)
				}
			}
			for _, k := range d.secrets {
				if len(k) >= 3 && strings.Contains(got, k) {
					t.Errorf("dump shows key %q", k)
				}
			}
		})
	}
}

func TestDetectVendor(t *testing.T) {
	for _, c := range loadCases(t) {
		for side, text := range map[string]string{"a": c.a, "b": c.b} {
			want := "ios"
			switch {
			case strings.Contains(text, "connections {") || strings.Contains(text, "\nconn "):
				want = "strongswan"
			case strings.Contains(text, "ASA Version"):
				want = "asa"
			}
			if got := detectVendor(text); got != want {
				t.Errorf("%s/%s.cfg: %s, want %s", c.name, side, got, want)
			}
		}
	}
}
