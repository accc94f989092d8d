package diagnose

import (
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/tunneldoc/tunneldoc/diagnose/internal/testkit"
)

// refAddrs is addrsInto as a scan of every byte from the left: the
// reference the dot-driven one must agree with.
func refAddrs(s string, max int) []addrWord {
	var out []addrWord
	for i := 0; i < len(s) && len(out) < max; i++ {
		c := s[i]
		if c < '0' || c > '9' || (i > 0 && (s[i-1] >= '0' && s[i-1] <= '9' || s[i-1] == '.')) {
			continue
		}
		n := ipv4At(s, i)
		if n == 0 {
			continue
		}
		var next byte
		if i+n < len(s) {
			next = s[i+n]
		}
		out = append(out, addrWord{addr: s[i : i+n], word: wordBefore(s, i), next: next})
		i += n
	}
	return out
}

// refLines is every line of the cases, and random lines made of the bytes
// addresses are made of (digits, dots, separators).
func refLines(t *testing.T) []string {
	lines := testkit.FileLines(t, "testdata/cases/*/*.txt")
	r := rand.New(rand.NewPCG(1, 2))
	const alphabet = "0123456789....  :=[(,/x"
	for range 20000 {
		b := make([]byte, r.IntN(40))
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		lines = append(lines, string(b))
	}
	words := []string{"sending ", "received ", "packet: from", "packet: fro", "sending packet: from", "received packet: from", "x"}
	for range 5000 {
		var sb strings.Builder
		for range r.IntN(6) {
			sb.WriteString(words[r.IntN(len(words))])
		}
		lines = append(lines, sb.String())
	}
	return lines
}

func TestAddrsMatchScan(t *testing.T) {
	for _, s := range refLines(t) {
		for _, max := range []int{1, 2, 4} {
			got, want := addrsInto(nil, s, max), refAddrs(s, max)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%q (max %d): got %+v, want %+v", s, max, got, want)
			}
		}
	}
}

// TestPhrases: the anchor scan finds matchLog's phrases where
// strings.Index does, whichever parsers are allowed.
func TestPhrases(t *testing.T) {
	_, lps := tables("")
	tab := anchorTableFor(lps)
	pos := make([]int32, tab.nsigs)
	for _, s := range refLines(t) {
		for _, allowed := range []uint64{0, 1, ^uint64(0)} {
			clear(pos)
			tab.match(s, allowed, pos)
			for i, p := range phrases {
				if got, want := int(pos[tab.phrase+i])-1, strings.Index(s, p); got != want {
					t.Fatalf("%q: %q at %d, want %d", s, p, got, want)
				}
			}
		}
	}
}
