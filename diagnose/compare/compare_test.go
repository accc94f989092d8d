package compare

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tunneldoc/tunneldoc/diagnose"
	"github.com/tunneldoc/tunneldoc/diagnose/golden"
	"github.com/tunneldoc/tunneldoc/diagnose/redact"
)

// testHashKey is fixed so that goldens are stable; the CLI uses a random one.
var testHashKey = []byte("tunneldoc-test-hash-key")

type expectation struct {
	About    string   `json:"about"`
	Cause    string   `json:"cause"`
	Quotes   []string `json:"quotes"`
	Findings []string `json:"findings"`
	AAddr    string   `json:"a_addr"`
	BAddr    string   `json:"b_addr"`
}

type tcase struct {
	name   string
	dir    string
	a, b   string
	expect expectation
}

func loadCases(t testing.TB) []tcase {
	dirs, err := filepath.Glob("testdata/*/expect.json")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no testdata cases: %v", err)
	}
	var out []tcase
	for _, e := range dirs {
		dir := filepath.Dir(e)
		c := tcase{name: filepath.Base(dir), dir: dir}
		raw, err := os.ReadFile(e)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(raw, &c.expect); err != nil {
			t.Fatalf("%s: %v", e, err)
		}
		a, err1 := os.ReadFile(filepath.Join(dir, "a.cfg"))
		b, err2 := os.ReadFile(filepath.Join(dir, "b.cfg"))
		if err1 != nil || err2 != nil {
			t.Fatalf("%s: %v %v", dir, err1, err2)
		}
		c.a, c.b = string(a), string(b)
		out = append(out, c)
	}
	return out
}

func (c tcase) run() diagnose.Report {
	return Configs(
		Input{Label: "a.cfg", Text: c.a, OutsideAddr: c.expect.AAddr},
		Input{Label: "b.cfg", Text: c.b, OutsideAddr: c.expect.BAddr},
		Options{HashKey: testHashKey})
}

func TestCases(t *testing.T) {
	for _, c := range loadCases(t) {
		t.Run(c.name, func(t *testing.T) {
			r := c.run()
			if !r.Readable {
				t.Fatalf("not readable: %s", r.Summary)
			}
			if r.Cause != c.expect.Cause {
				t.Fatalf("cause = %s, want %s\n%s", r.Cause, c.expect.Cause, FormatText(r))
			}
			if r.Phase != diagnose.CausePhase[r.Cause] || r.Verdict != diagnose.VerdictFor(r.Phase, r.Cause) {
				t.Errorf("phase/verdict %s/%s do not follow the contract for %s", r.Phase, r.Verdict, r.Cause)
			}
			for _, q := range c.expect.Quotes {
				sec, text, _ := strings.Cut(q, "|")
				if !quoted(r.Evidence, sec, text) {
					t.Errorf("primary evidence lacks %q\n%s", q, FormatText(r))
				}
			}
			for _, want := range c.expect.Findings {
				if !hasCause(r.Findings, want) {
					t.Errorf("no %s finding\n%s", want, FormatText(r))
				}
			}
			checkEvidence(t, c, r)
			goldenReport(t, filepath.Join(c.dir, "want.json"), r)
			golden.Check(t, filepath.Join(c.dir, "want.txt"), []byte(FormatText(r)))
		})
	}
}

func quoted(ev []diagnose.Evidence, section, text string) bool {
	for _, e := range ev {
		if e.Section == section && strings.Contains(e.Text, text) {
			return true
		}
	}
	return false
}

func hasCause(fs []diagnose.Finding, cause string) bool {
	for _, f := range fs {
		if f.Cause == cause {
			return true
		}
	}
	return false
}

// checkEvidence: every finding quotes both sides, and every quote is the
// redacted input line at the line number it claims.
func checkEvidence(t *testing.T, c tcase, r diagnose.Report) {
	t.Helper()
	lines := map[string][]string{"A": splitLines(c.a), "B": splitLines(c.b)}
	if len(r.Findings) == 0 {
		t.Fatal("no findings")
	}
	for _, f := range r.Findings {
		sides := map[string]bool{}
		for _, e := range f.Evidence {
			side := e.Section[:1]
			sides[side] = true
			ls := lines[side]
			if e.Line < 1 || e.Line > len(ls) {
				t.Errorf("%s: evidence line %d out of range", f.Cause, e.Line)
				continue
			}
			if want := redact.Line(ls[e.Line-1]); e.Text != want {
				t.Errorf("%s: evidence %s:%d = %q, input says %q", f.Cause, e.Section, e.Line, e.Text, want)
			}
		}
		if !sides["A"] || !sides["B"] {
			t.Errorf("%s quotes only %v\n%s", f.Cause, sides, FormatText(r))
		}
		if f.Phase != diagnose.CausePhase[f.Cause] {
			t.Errorf("%s has phase %s", f.Cause, f.Phase)
		}
	}
}

func goldenReport(t *testing.T, path string, r diagnose.Report) {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, path, buf.Bytes())
}

// testKeys lists every pre-shared key the testdata uses. The leak test
// checks the list against the files, so a new case cannot slip a key past it.
var testKeys = []string{
	"cisco", "cisco123", "HubSays-v2x", "SpokeSays-v2y", "HubSays-v2z", "SpokeSays-v1",
	"Seed002-L2L", "Seed002-l2l", "Branch2HQ-v2", "HQ2Branch-v2", "Branch2HQ-v2-typo",
	"0sFpZAZqEN6Ti9sqt4ZP5EWcqx", "0x16964066a10de938bdb2ab7864fe4459cab1", "sun-and-moon-differ", "legacy-sun-secret", "kestrel-osprey-lab", "Edge2Moon-psk",
}

func TestNoKeyLeaks(t *testing.T) {
	var all strings.Builder
	cases := loadCases(t)
	for _, c := range cases {
		all.WriteString(c.a)
		all.WriteString(c.b)
	}
	for _, k := range testKeys {
		if !strings.Contains(all.String(), k) {
			t.Errorf("key %q is listed but used by no case", k)
		}
	}
	// the decoded forms of the strongSwan secrets must not show either
	keys := append([]string{}, testKeys...)
	keys = append(keys, decodeSwanSecret("0sFpZAZqEN6Ti9sqt4ZP5EWcqx"), decodeSwanSecret("0x16964066a10de938bdb2ab7864fe4459cab1"))
	// the committed goldens are output too
	goldens, _ := filepath.Glob("testdata/*/want.*")
	for _, g := range goldens {
		out, err := os.ReadFile(g)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range keys {
			if keyIn(string(out), k) {
				t.Errorf("%s holds key %q", g, k)
			}
		}
	}
	for _, c := range cases {
		for _, hk := range [][]byte{nil, testHashKey} {
			r := Configs(Input{Label: "a.cfg", Text: c.a, OutsideAddr: c.expect.AAddr},
				Input{Label: "b.cfg", Text: c.b, OutsideAddr: c.expect.BAddr}, Options{HashKey: hk})
			js, _ := json.Marshal(r)
			outs := map[string]string{"json": string(js), "text": FormatText(r)}
			for kind, out := range outs {
				for _, k := range keys {
					if keyIn(out, k) {
						t.Errorf("%s: key %q appears in the %s output", c.name, k, kind)
					}
				}
			}
		}
	}
}

// keyIn finds k as a whole token: "cisco" inside "cisco123" is the other
// key, which is checked on its own.
func keyIn(out, k string) bool {
	for i := 0; ; {
		j := strings.Index(out[i:], k)
		if j < 0 {
			return false
		}
		j += i
		end := j + len(k)
		before := j == 0 || !wordByte(out[j-1])
		after := end == len(out) || !wordByte(out[end])
		if before && after {
			return true
		}
		i = j + 1
	}
}

func wordByte(b byte) bool {
	return b == '-' || b == '_' || b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z'
}

func TestUnreadable(t *testing.T) {
	r := Configs(Input{Label: "a.cfg", Text: "hello\nworld\n"}, Input{Label: "b.cfg", Text: "crypto isakmp policy 10\n encr aes\n"}, Options{})
	if r.Readable || r.Cause != diagnose.CauseUnknown || !strings.Contains(r.Summary, "A (a.cfg)") || strings.Contains(r.Summary, "B (b.cfg)") {
		t.Fatalf("got %+v", r)
	}
}

func TestLooksLikeConfig(t *testing.T) {
	for _, c := range loadCases(t) {
		if !LooksLikeConfig(c.a) || !LooksLikeConfig(c.b) {
			t.Errorf("%s: a config not recognised", c.name)
		}
	}
	for _, s := range []string{"", "HUB#show crypto isakmp sa\ndst src state\n30.3.1.1 40.10.1.1 QM_IDLE 1019 0 ACTIVE\n",
		"ISAKMP:(0):atts are not acceptable. Next payload is 0\n"} {
		if LooksLikeConfig(s) {
			t.Errorf("%q taken for a config", s)
		}
	}
}

// TestUnreadableAddressesRead: an ACL line whose address is no address
// ("10.400.5.0"), or an IPv6 address under an IPv4 wildcard, is left
// unread; the rest of the configuration is compared (these panicked).
func TestUnreadableAddressesRead(t *testing.T) {
	side := func(self, peer, acl string) string {
		return "hostname X\ncrypto isakmp policy 10\n encr aes\n authentication pre-share\n group 14\n" +
			"crypto isakmp key k3y-long address " + peer + "\ncrypto ipsec transform-set TS esp-aes esp-sha-hmac\n" +
			"crypto map M 10 ipsec-isakmp\n set peer " + peer + "\n set transform-set TS\n match address V\n" +
			"interface Gi0/1\n ip address " + self + " 255.255.255.0\n crypto map M\nip access-list extended V\n" + acl
	}
	for _, bad := range []string{
		" permit ip 10.400.5.0 0.0.0.255 20.1.1.0 0.0.0.255\n",
		" permit ip 2001:db8::1 0.0.0.255 20.1.1.0 0.0.0.255\n",
		" permit ip 10.1.1.0 0.0.0.255 20.1.1.0 0.0.0.999\n",
	} {
		a := side("30.0.0.1", "40.0.0.1", " permit ip 10.1.1.0 0.0.0.255 20.1.1.0 0.0.0.255\n"+bad)
		b := side("40.0.0.1", "30.0.0.1", " permit ip 20.1.1.0 0.0.0.255 10.1.1.0 0.0.0.255\n")
		r := Configs(Input{Label: "a", Text: a}, Input{Label: "b", Text: b}, Options{})
		if r.Cause == "" || r.Cause == diagnose.CauseUnknown {
			t.Errorf("%q: %s: %s", bad, r.Cause, r.Summary)
		}
	}
}
