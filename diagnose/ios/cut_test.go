package ios

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCutIPsecSAFirstByte: the first-byte shortcut of CutIPsecSA answers
// what the full reading does, on every line of the parser test files.
func TestCutIPsecSAFirstByte(t *testing.T) {
	files, _ := filepath.Glob("testdata/*/*.txt")
	extra := []string{"Interface: Gi0", "  interface: x", "# interface: x", "\u00a0local ident", "\tcrypto map tag: a, local addr 1", "#pkts x", "0x12", "Local  ident", "Z", "", "#"}
	var lines []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, strings.Split(string(b), "\n")...)
	}
	for _, l := range append(lines, extra...) {
		l = strings.TrimLeft(l, " ")
		if got, want := CutIPsecSA(l), cutIPsecSA(l); got != want {
			t.Errorf("CutIPsecSA(%q) = %d, full reading %d", l, got, want)
		}
	}
}
