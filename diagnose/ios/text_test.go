package ios

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// The hand-written scanners in text.go replace lowered copies, Fields
// slices and maps; each must answer exactly what the plain form answers.

// textAlphabet mixes the bytes device output is made of with the ones the
// scanners treat specially: case, spaces of every kind (a no-break space
// and U+0085 are Unicode spaces for strings.Fields), a Kelvin sign (folds
// to 'k' in strings.EqualFold), invalid UTF-8, separators.
var textAlphabet = []string{
	"a", "A", "c", "C", "k", "K", "y", "Y", "p", "P", "e", "t", "x", "0", "7",
	" ", " ", "  ", "\t", "\u00a0", "\u0085", "\u212a", "\xff", ":", ",", ".", "(", ")", "#",
	"crypto endpt", "CRYPTO ENDPT", "path mtu", "pcp", "Pfs (Y/N)", "dh group", "DH  Group", "local addr",
}

func randomText(r *rand.Rand) string {
	var b strings.Builder
	for n := r.IntN(14); n > 0; n-- {
		b.WriteString(textAlphabet[r.IntN(len(textAlphabet))])
	}
	return b.String()
}

func TestFoldScannersMatchLoweredText(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	keys := []string{"crypto endpt", "path mtu", "pcp", "y", "K", "a c", "pfs (y/n)", "dh group", ":", "local addr", "Local"}
	for range 20000 {
		s := randomText(r)
		for _, k := range append(keys, randomText(r)) {
			if strings.ContainsFunc(k, func(c rune) bool { return c >= 0x80 }) {
				continue // keys are ASCII literals
			}
			ls, lk := lowerASCII(s), lowerASCII(k)
			if got, want := indexFold(s, k), strings.Index(ls, lk); got != want {
				t.Fatalf("indexFold(%q, %q) = %d, want %d", s, k, got, want)
			}
			if got, want := hasPrefixFold(s, k), strings.HasPrefix(ls, lk); got != want {
				t.Fatalf("hasPrefixFold(%q, %q) = %v, want %v", s, k, got, want)
			}
			if got, want := hasSuffixFold(s, k), strings.HasSuffix(ls, lk); got != want {
				t.Fatalf("hasSuffixFold(%q, %q) = %v, want %v", s, k, got, want)
			}
			if got, want := equalFields(s, lk), lowerASCII(strings.Join(strings.Fields(s), " ")) == lk; got != want {
				t.Fatalf("equalFields(%q, %q) = %v, want %v", s, lk, got, want)
			}
		}
		norm := func(x string) string { return lowerASCII(strings.Join(strings.Fields(x), " ")) }
		for _, o := range []string{randomText(r), strings.ToUpper(s), " " + s + "\t", s} {
			if got, want := sameFields(s, o), norm(s) == norm(o); got != want {
				t.Fatalf("sameFields(%q, %q) = %v, want %v", s, o, got, want)
			}
		}
		for _, h := range []string{s, "## " + s, "#" + s + " ", "\u00a0" + s} {
			if got, want := trimHeading(h), trimHeadingSlow(h); got != want {
				t.Fatalf("trimHeading(%q) = %q, want %q", h, got, want)
			}
		}
		if got, want := squeezeSpaces(s), strings.Join(strings.Fields(s), " "); got != want {
			t.Fatalf("squeezeSpaces(%q) = %q, want %q", s, got, want)
		}
		var fs []string
		for rest := s; ; {
			var f string
			f, rest = nextField(rest)
			if f == "" {
				break
			}
			fs = append(fs, f)
		}
		if want := strings.Fields(s); strings.Join(fs, "|") != strings.Join(want, "|") || len(fs) != len(want) {
			t.Fatalf("nextField over %q gave %q, want %q", s, fs, want)
		}
		kv := keyValues(s)
		for _, k := range []string{"pfs (y/n)", "dh group", "a", "k"} {
			v, ok := keyValue(s, k)
			if wv, wok := kv[k]; v != wv || ok != wok {
				t.Fatalf("keyValue(%q, %q) = %q, %v; keyValues gave %q, %v", s, k, v, ok, wv, wok)
			}
		}
	}
}

func TestScanCountersNumbers(t *testing.T) {
	for _, tc := range []struct {
		line string
		want []counter
	}{
		{"#pkts encaps: 12, #pkts encrypt: 12, #pkts digest: 12", []counter{{"pkts encaps", 12}, {"pkts encrypt", 12}, {"pkts digest", 12}}},
		{"##pkts replay failed (rcv): 3", []counter{{"pkts replay failed", 3}}},
		{"#pkts decaps:", []counter{{"pkts decaps", -1}}},
		{"#pkts encaps: 999999999999999999", []counter{{"pkts encaps", 999999999999999999}}},
		{"#pkts encaps: 9223372036854775807", []counter{{"pkts encaps", 9223372036854775807}}},
		{"#pkts encaps: 9223372036854775808", []counter{{"pkts encaps", -1}}},
		{"#PKTS  Not Compressed: 4", []counter{{"pkts not compressed", 4}}},
	} {
		got := scanCounters(tc.line, nil)
		if len(got) != len(tc.want) {
			t.Fatalf("%q: %v, want %v", tc.line, got, tc.want)
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Fatalf("%q: %v, want %v", tc.line, got, tc.want)
			}
		}
	}
}
