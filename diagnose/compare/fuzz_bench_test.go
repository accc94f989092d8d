package compare

import (
	"encoding/json"
	"fmt"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/tunneldoc/tunneldoc/diagnose"
	"github.com/tunneldoc/tunneldoc/diagnose/redact"
)

// FuzzParsers feeds arbitrary text to every config parser and to a full
// comparison: nothing may panic, every quoted line must be a real line of
// its input, and no key the parser read may come out.
func FuzzParsers(f *testing.F) {
	for _, c := range loadCases(f) {
		f.Add(c.a, c.b)
	}
	f.Add("crypto map X 10 set peer\naccess-list 1 permit\n", "connections { a { children { b { local_ts = 1.2.3.4-1.2.3.1 } } } }")
	f.Add("object-group network G\n group-object G\naccess-list L extended permit ip object-group G any\ncrypto map M 1 match address L\n", "}}}{{{ = =")
	f.Fuzz(func(t *testing.T, a, b string) {
		for _, v := range []string{"ios", "asa", "strongswan"} {
			d := readDevice("A", Input{Text: a, Vendor: v})
			for _, tn := range d.tunnels {
				for _, p := range tn.peers {
					if p.line < 0 || p.line > len(d.lines) {
						t.Fatalf("%s: peer line %d out of range", v, p.line)
					}
				}
			}
		}
		SplitPair(a + "\n" + b)
		LooksLikeConfig(a)
		r := Configs(Input{Text: a}, Input{Text: b}, Options{HashKey: []byte("k")})
		la, lb := splitLines(a), splitLines(b)
		for _, fnd := range r.Findings {
			if len(fnd.Evidence) == 0 {
				t.Fatalf("%s finding without evidence", fnd.Cause)
			}
			for _, e := range fnd.Evidence {
				ls := la
				if strings.HasPrefix(e.Section, "B") {
					ls = lb
				}
				if e.Line < 1 || e.Line > len(ls) {
					t.Fatalf("evidence line %d out of range", e.Line)
				}
			}
		}
		out, _ := json.Marshal(r)
		da, db := readDevice("A", Input{Text: a}), readDevice("B", Input{Text: b})
		text := string(out) + FormatText(r)
		for _, k := range append(da.secrets, db.secrets...) {
			// keys of four characters or more are scrubbed from every
			// output; shorter ones are masked by position only
			if len(k) >= 4 && !strings.Contains(redact.Mask, k) && strings.Contains(text, k) {
				t.Fatalf("key %q leaked", k)
			}
		}
	})
}

// genIOS writes an IOS configuration of about n lines: peers crypto map
// entries, each with its key, crypto ACL lines and a NAT exemption line,
// plus filler. self is this box's outside address, lan its first LAN.
func genIOS(n int, self string, selfLAN, peerLAN func(i int) string, peer func(i int) string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "hostname GEN\n!\ncrypto isakmp policy 10\n encr aes 256\n hash sha256\n authentication pre-share\n group 14\n!\n")
	fmt.Fprintf(&b, "crypto ipsec transform-set TS esp-aes 256 esp-sha256-hmac\n mode tunnel\n!\n")
	fmt.Fprintf(&b, "interface GigabitEthernet0/1\n ip address %s 255.255.255.0\n ip nat outside\n crypto map CMAP\n!\n", self)
	fmt.Fprintf(&b, "ip nat inside source list NAT interface GigabitEthernet0/1 overload\n!\n")
	lines := 20
	peers := n / 12
	var nat strings.Builder
	for i := 0; i < peers; i++ {
		fmt.Fprintf(&b, "crypto isakmp key k%dsecret address %s\n", i, peer(i))
		fmt.Fprintf(&b, "crypto map CMAP %d ipsec-isakmp\n set peer %s\n set transform-set TS\n set pfs group14\n match address VPN%d\n!\n", 10+i, peer(i), i)
		fmt.Fprintf(&b, "ip access-list extended VPN%d\n permit ip %s 0.0.0.255 %s 0.0.0.255\n permit ip host %s %s 0.0.0.255\n!\n",
			i, selfLAN(i), peerLAN(i), strings.TrimSuffix(selfLAN(i), ".0")+".9", peerLAN(i))
		fmt.Fprintf(&nat, " deny ip %s 0.0.0.255 %s 0.0.0.255\n", selfLAN(i), peerLAN(i))
		lines += 12
	}
	b.WriteString("ip access-list extended NAT\n")
	b.WriteString(nat.String())
	b.WriteString(" permit ip any any\n!\n")
	lines += peers + 2
	for i := 0; lines < n; i++ {
		fmt.Fprintf(&b, "interface Loopback%d\n ip address 172.%d.%d.1 255.255.255.255\n!\n", i, 16+i/250, i%250)
		lines += 3
	}
	return b.String()
}

func octets(base int, i int) string { return strconv.Itoa(base+i/250) + "." + strconv.Itoa(i%250) }

// BenchmarkCompare5000 compares two generated 5,000-line IOS configs: a
// hub with ~400 crypto map entries and a spoke side of the same size whose
// entry for the hub is the mirror image.
func BenchmarkCompare5000(b *testing.B) {
	hubLAN := func(i int) string { return "10." + octets(0, i) + ".0" }
	spokeLAN := func(i int) string { return "20." + octets(0, i) + ".0" }
	hub := genIOS(5000, "30.3.1.1", hubLAN, spokeLAN, func(i int) string { return "40." + octets(0, i) + ".1" })
	// the spoke side: its entry 0 points back at the hub
	spoke := genIOS(5000, "40.0.0.1", spokeLAN, hubLAN, func(i int) string {
		if i == 0 {
			return "30.3.1.1"
		}
		return "50." + octets(0, i) + ".1"
	})
	for _, s := range []string{hub, spoke} {
		if n := strings.Count(s, "\n"); n < 5000 || n > 5100 {
			b.Fatalf("generated %d lines", n)
		}
	}
	r := Configs(Input{Label: "hub", Text: hub}, Input{Label: "spoke", Text: spoke}, Options{})
	if r.Cause != diagnose.CauseHealthy {
		b.Fatalf("generated pair is not healthy: %s\n%s", r.Cause, FormatText(r))
	}
	b.SetBytes(int64(len(hub) + len(spoke)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		Configs(Input{Label: "hub", Text: hub}, Input{Label: "spoke", Text: spoke}, Options{})
	}
}

// BenchmarkCompareEntries compares a hub of n crypto map entries (each
// with its key, ACL and NAT exemption line) with a spoke whose entry for
// the hub is the mirror image: time per entry stays flat as n grows.
func BenchmarkCompareEntries(b *testing.B) {
	for _, n := range []int{2000, 20000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			hubLAN := func(i int) string { return "10." + octets(0, i) + ".0" }
			spokeLAN := func(i int) string { return "20." + octets(0, i) + ".0" }
			hub := genIOS(12*n, "30.3.1.1", hubLAN, spokeLAN, func(i int) string { return "40." + octets(0, i) + ".1" })
			spoke := genIOS(12*n, "40.0.0.1", spokeLAN, hubLAN, func(i int) string {
				if i == 0 {
					return "30.3.1.1"
				}
				return "50." + octets(0, i) + ".1"
			})
			if got := strings.Count(hub, "crypto map CMAP "); got != n {
				b.Fatalf("generated %d entries", got)
			}
			b.SetBytes(int64(len(hub) + len(spoke)))
			for b.Loop() {
				r := Configs(Input{Label: "hub", Text: hub}, Input{Label: "spoke", Text: spoke}, Options{})
				if r.Cause != diagnose.CauseHealthy {
					b.Fatalf("generated pair is not healthy: %s", r.Cause)
				}
			}
		})
	}
}

// BenchmarkACL5000 is the worst case for the address-set code: one crypto
// ACL of 5,000 lines on each side (mirror images, written in a different
// order) compared as sets.
func BenchmarkACL5000(b *testing.B) {
	var a, z strings.Builder
	a.WriteString("hostname A\ncrypto isakmp policy 10\n encr aes\n authentication pre-share\n group 14\ncrypto isakmp key benchkey1 address 40.0.0.1\ncrypto ipsec transform-set TS esp-aes esp-sha-hmac\ncrypto map M 10 ipsec-isakmp\n set peer 40.0.0.1\n set transform-set TS\n match address BIG\ninterface Gi0/1\n ip address 30.0.0.1 255.255.255.0\n crypto map M\nip access-list extended BIG\n")
	z.WriteString("hostname Z\ncrypto isakmp policy 10\n encr aes\n authentication pre-share\n group 14\ncrypto isakmp key benchkey1 address 30.0.0.1\ncrypto ipsec transform-set TS esp-aes esp-sha-hmac\ncrypto map M 10 ipsec-isakmp\n set peer 30.0.0.1\n set transform-set TS\n match address BIG\ninterface Gi0/1\n ip address 40.0.0.1 255.255.255.0\n crypto map M\nip access-list extended BIG\n")
	const n = 4985
	for i := 0; i < n; i++ {
		src := fmt.Sprintf("10.%d.%d.0", i/200, i%200)
		dst := fmt.Sprintf("20.%d.%d.0", (i*7)%100, (i*13)%200)
		fmt.Fprintf(&a, " permit ip %s 0.0.0.255 %s 0.0.0.255\n", src, dst)
	}
	for i := n - 1; i >= 0; i-- {
		src := fmt.Sprintf("10.%d.%d.0", i/200, i%200)
		dst := fmt.Sprintf("20.%d.%d.0", (i*7)%100, (i*13)%200)
		fmt.Fprintf(&z, " permit ip %s 0.0.0.255 %s 0.0.0.255\n", dst, src)
	}
	r := Configs(Input{Text: a.String()}, Input{Text: z.String()}, Options{})
	if r.Cause != diagnose.CauseHealthy {
		b.Fatalf("not healthy: %s", FormatText(r))
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		Configs(Input{Text: a.String()}, Input{Text: z.String()}, Options{})
	}
}

// BenchmarkScatteredMasks: 5,000 ACL lines with non-contiguous wildcard
// masks, the input that could blow up the address sets.
func BenchmarkScatteredMasks(b *testing.B) {
	var a strings.Builder
	a.WriteString("hostname A\ncrypto map M 10 ipsec-isakmp\n set peer 40.0.0.1\n match address W\ninterface Gi0/1\n ip address 30.0.0.1 255.255.255.0\n crypto map M\nip access-list extended W\n")
	for i := 0; i < 5000; i++ {
		fmt.Fprintf(&a, " permit ip 10.%d.0.%d 0.0.255.0 20.0.%d.0 0.255.0.255\n", i%250, i%200, i%250)
	}
	text := a.String()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d := readDevice("A", Input{Text: text})
		if len(d.tunnels) != 1 || !d.tunnels[0].hasSel {
			b.Fatal("ACL not read")
		}
	}
}

// TestPure keeps the package a pure library, as package diagnose requires.
func TestPure(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	banned := map[string]bool{"os": true, "os/exec": true, "net": true, "net/http": true, "time": true, "math/rand": true,
		"crypto/rand": true, "github.com/slack-go/slack": true, "golang.org/x/crypto/ssh": true, "github.com/redis/go-redis/v9": true, "syscall": true}
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		af, err := parser.ParseFile(fset, f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, im := range af.Imports {
			p, _ := strconv.Unquote(im.Path.Value)
			if banned[p] {
				t.Errorf("%s imports %s", f, p)
			}
		}
	}
}
