package asa

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
)

// The hand-written readers must find exactly what the regexps they
// replace found.
var (
	kvPairRe     = regexp.MustCompile(`([A-Za-z][A-Za-z/ ]*?)\s*:\s*(\S+)`)
	ikePeerRowRe = regexp.MustCompile(`^\d+\s+IKE Peer:\s*\S+`)
)

var scanAlphabet = []string{
	"a", "B", "z", "/", " ", "  ", "\t", "\v", "\u00a0", "\xff", ":", " : ", "1", "9", "-", ",",
	"Type", "Role", "IKE Peer:", "IKE Peer: ", "State", "MM_ACTIVE", "10.0.0.2",
}

func randomScanText(r *rand.Rand) string {
	var b strings.Builder
	for n := r.IntN(16); n > 0; n-- {
		b.WriteString(scanAlphabet[r.IntN(len(scanAlphabet))])
	}
	return b.String()
}

func TestKVPairMatchesRegexp(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	lines := []string{
		"Type    : L2L             Role    : responder",
		"Rekey   : no              State   : MM_ACTIVE",
		"Encrypt : aes-256         Hash    : SHA",
		"Auth    : preshared       Lifetime: 86400",
		"Lifetime Remaining: 3545",
		"Ab\tcd: x  e/f  :  ",
	}
	for range 50000 {
		lines = append(lines[:6], randomScanText(r))
		for _, l := range lines {
			var got []string
			eachKVPair(l, func(k, v string) { got = append(got, k+"="+v) })
			var want []string
			for _, m := range kvPairRe.FindAllStringSubmatch(l, -1) {
				want = append(want, m[1]+"="+m[2])
			}
			if strings.Join(got, "|") != strings.Join(want, "|") || len(got) != len(want) {
				t.Fatalf("%q: pairs %q, regexp %q", l, got, want)
			}
			if got, want := isIKEPeerRow(l), ikePeerRowRe.MatchString(l); got != want {
				t.Fatalf("%q: isIKEPeerRow %v, regexp %v", l, got, want)
			}
			if p := "12 " + l; isIKEPeerRow(p) != ikePeerRowRe.MatchString(p) {
				t.Fatalf("%q: isIKEPeerRow %v", p, isIKEPeerRow(p))
			}
		}
	}
}
