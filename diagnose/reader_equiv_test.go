package diagnose

import (
	"strings"
	"testing"

	"github.com/tunneldoc/tunneldoc/diagnose/internal/testkit"
)

// readerSampleLines is every line of the cases, the corpus-derived
// testdata and a few shapes made to hit each branch of cleanLine.
func readerSampleLines(t testing.TB) []string {
	t.Helper()
	lines := testkit.FileLines(t, "testdata/cases/*/*.txt", "testdata/*/*.txt", "*/testdata/*.txt", "*/testdata/*/*.txt")
	lines = append(lines,
		"```", "``` HUB# show crypto isakmp sa", "~~~", "  ~~~text", "\u2003~~~", "\u00a0```", "\v```",
		"> quoted *Feb  1 21:44:23.315: ISAKMP:(0):x", ">", "**bold** line", "*Feb 1 00:00:00: a*b",
		"Mon Feb  1 21:44:23.315 UTC: %CRYPTO-4", "Tue Feb 1 2026 21:44:23: x", "Sun Jan 31 00:00:00: y",
		"Jan 31 00:00:00 EDT: y", "Feb 30 1:2:3: z", "Fe", "Feb", "Feb ", "Mon", "Mon ", "Mon F",
		"HUB#show cry isa sa", "fw/pri/act> sh crypto ipsec sa", "R1(config)# crypto isakmp key x", "$ sudo swanctl --list-sas", "# cat x", "#pkts", "a b#", "HUB#", "%CRYPTO", "host :# x",
		"IPSEC(sa_request): x", "(x", "a (b", "ISAKMP (0): y", "ISAKMP:(0):", "09[IKE] x", "[IKEv1]", "Group = a", "IP = 1", "xx charon", "CRYPTO_PKI: a", "CryptoEngine0:",
		"a\tb", "back\\_slash", "`code` x", "`odd", "x ```", "\u00a0nbsp", "*", "**", "a**",
	)
	return lines
}

func TestReaderMatchesReference(t *testing.T) {
	for _, l := range readerSampleLines(t) {
		checkCleanLine(t, l)
	}
	// every special byte at every offset of lines around the word size
	for _, c := range []byte{'\t', '\r', 0, 0x1f, '`', '\\', '*', 0xc2, 0xa0, 0x7f, 0x80, 0xff, ' ', '~', '>'} {
		for n := 1; n <= 24; n++ {
			for at := 0; at < n; at++ {
				b := []byte(strings.Repeat("ab", n)[:n])
				b[at] = c
				checkCleanLine(t, string(b))
				if at+1 < n {
					b[at+1] = c
					checkCleanLine(t, string(b))
				}
			}
		}
	}
}

func checkCleanLine(t *testing.T, l string) {
	t.Helper()
	got, gf := cleanLine(l)
	want, wf := cleanLineRef(l)
	if got != want || gf != wf {
		t.Fatalf("cleanLine(%q) = %q, %v; reference %q, %v", l, got, gf, want, wf)
	}
	if line, rest, ctrl, debris := cutLine(l + "\nnext"); line != l || rest != "next" {
		t.Fatalf("cutLine(%q) = %q, %q", l+"\nnext", line, rest)
	} else if bc, bd := classBytes([]byte(l)); bc != ctrl || bd != debris {
		t.Fatalf("classBytes(%q) = %v, %v; cutLine %v, %v", l, bc, bd, ctrl, debris)
	} else if debris != hasDebris(l) {
		t.Fatalf("cutLine(%q): debris %v, hasDebris %v", l, debris, hasDebris(l))
	} else if ctrl != !validText(l) {
		t.Fatalf("cutLine(%q): control byte %v, validText %v", l, ctrl, validText(l))
	} else if !ctrl {
		if got, gf := cleanScanned(l, debris); got != want || gf != wf {
			t.Fatalf("cleanScanned(%q, %v) = %q, %v; reference %q, %v", l, debris, got, gf, want, wf)
		}
	}
	for _, x := range []string{l, want, strings.TrimSpace(want)} {
		if a, b := debugShaped(x), debugShapedRef(x); a != b {
			t.Fatalf("debugShaped(%q) = %v; reference %v", x, a, b)
		}
		h, c, ok := parsePrompt(x)
		if rh, rc, rok := parsePromptRef(x); h != rh || c != rc || ok != rok {
			t.Fatalf("parsePrompt(%q) = %q, %q, %v; reference %q, %q, %v", x, h, c, ok, rh, rc, rok)
		}
	}
	for i := 0; i <= len(l) && i < 40; i++ {
		if a, b := stripTimestamp(l[i:]), stripTimestampRef(l[i:]); a != b {
			t.Fatalf("stripTimestamp(%q) = %q; reference %q", l[i:], a, b)
		}
	}
}

// FuzzReaderMatchesReference: the tuned line functions agree with the
// plain ones on any input.
func FuzzReaderMatchesReference(f *testing.F) {
	for _, l := range readerSampleLines(f) {
		f.Add(l)
	}
	for _, l := range []string{"*Feb  1 21:44:23.315: ISAKMP", "Mon Jan 1 00:00:00 UTC: x", " ~~~", "\t```go", "> a**b", "a\\_b `c`"} {
		f.Add(l)
	}
	f.Fuzz(func(t *testing.T, l string) {
		if strings.ContainsAny(l, "\n") {
			return
		}
		checkCleanLine(t, l)
	})
}

// BenchmarkCleanLine: the tuned cleanLine against its reference on every
// line of the mixed paste (the ratio is what to read).
func BenchmarkCleanLine(b *testing.B) {
	lines := strings.Split(mixedDebugPaste(b, 1<<20), "\n")
	for _, c := range []struct {
		name string
		fn   func(string) (string, bool)
	}{{"tuned", cleanLine}, {"reference", cleanLineRef}} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(1 << 20)
			for b.Loop() {
				for _, l := range lines {
					c.fn(l)
				}
			}
		})
	}
}

// BenchmarkCutLine: cutting the mixed paste into lines and classing them,
// against the separate searches it replaced (IndexByte, validText and the
// debris scan).
func BenchmarkCutLine(b *testing.B) {
	text := mixedDebugPaste(b, 1<<20)
	b.Run("tuned", func(b *testing.B) {
		b.SetBytes(int64(len(text)))
		for b.Loop() {
			for s := text; len(s) > 0; {
				_, s, _, _ = cutLine(s)
			}
		}
	})
	b.Run("reference", func(b *testing.B) {
		b.SetBytes(int64(len(text)))
		for b.Loop() {
			for s := text; len(s) > 0; {
				var line string
				if i := strings.IndexByte(s, '\n'); i >= 0 {
					line, s = s[:i], s[i+1:]
				} else {
					line, s = s, ""
				}
				_ = validText(line) && hasDebris(line)
			}
		}
	})
}

// FuzzMatchPrompt: matchPrompt reads exactly what promptRe matches.
func FuzzMatchPrompt(f *testing.F) {
	for _, s := range []string{"HUB# sh cry isa sa", "R1(config)# crypto", "R1(config-if)#x", "R1(configX)#", "fw/pri/act> show", "root@gw:~# swanctl",
		"$ sudo swanctl", "# cat", "#", "$", "a b#", " \tHUB #  show  ", "Router(config)x#y", "a%b", "x>", "1.2.3.4#"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		if strings.Contains(line, "\n") {
			return // the engine's lines have none; the regexp's $ would differ
		}
		host, bare, rest, ok := matchPrompt(line)
		m := promptRe.FindStringSubmatch(line)
		if ok != (m != nil) {
			t.Fatalf("matchPrompt(%q) ok %v; promptRe %q", line, ok, m)
		}
		if ok && (host != m[1] || bare != (m[3] != "") || rest != m[4]) {
			t.Fatalf("matchPrompt(%q) = %q, %v, %q; promptRe %q", line, host, bare, rest, m)
		}
	})
}
