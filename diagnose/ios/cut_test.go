package ios

import (
	"strings"
	"testing"

	"github.com/tunneldoc/tunneldoc/diagnose/internal/testkit"
)

// TestCutIPsecSAFirstByte: the first-byte shortcut of CutIPsecSA answers
// what the full reading does, on every line of the parser test files.
func TestCutIPsecSAFirstByte(t *testing.T) {
	lines := testkit.FileLines(t, "testdata/*/*.txt")
	extra := []string{"Interface: Gi0", "  interface: x", "# interface: x", "\u00a0local ident", "\tcrypto map tag: a, local addr 1", "#pkts x", "0x12", "Local  ident", "Z", "", "#"}
	for _, l := range append(lines, extra...) {
		l = strings.TrimLeft(l, " ")
		if got, want := CutIPsecSA(l), cutIPsecSA(l); got != want {
			t.Errorf("CutIPsecSA(%q) = %d, full reading %d", l, got, want)
		}
	}
}
