package golden

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/ from what the tests produce")

// Updating reports whether the tests run with -update, for a test that
// keeps a file of its own that -update refreshes (a list rather than one
// output per file).
func Updating() bool { return *update }

// Check compares got with the file at path. Under -update it writes got
// to path (creating its folder) instead.
func Check(t testing.TB, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test -update creates it)", err)
	}
	if !bytes.Equal(want, got) {
		t.Errorf("%s differs from the output (go test -update rewrites it; review with git diff):\n%s", path, Diff(string(want), string(got)))
	}
}

// JSON compares v, as indented JSON ending in a newline, with the file at
// path, as Check does.
func JSON(t testing.TB, path string, v any) {
	t.Helper()
	got, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	Check(t, path, append(got, '\n'))
}

// maxDiffLines bounds each side of a Diff, so that a rewritten file does
// not flood the test log.
const maxDiffLines = 40

// Diff shows where want and got part: the lines they share at the start
// and at the end are left out, the rest is shown as "-" (want) and "+"
// (got) lines numbered as in want and got, with one shared line of context
// either side.
func Diff(want, got string) string {
	w, g := lines(want), lines(got)
	pre := 0
	for pre < len(w) && pre < len(g) && w[pre] == g[pre] {
		pre++
	}
	suf := 0
	for suf < len(w)-pre && suf < len(g)-pre && w[len(w)-1-suf] == g[len(g)-1-suf] {
		suf++
	}
	var b strings.Builder
	if pre > 0 {
		fmt.Fprintf(&b, " %5d  %s", pre, line(w[pre-1]))
	}
	side(&b, "-", w[pre:len(w)-suf], pre)
	side(&b, "+", g[pre:len(g)-suf], pre)
	if suf > 0 {
		fmt.Fprintf(&b, " %5d  %s", len(w)-suf+1, line(w[len(w)-suf]))
	}
	return b.String()
}

// side writes lines, numbered from first+1, marked with mark.
func side(b *strings.Builder, mark string, lines []string, first int) {
	for i, l := range lines {
		if i == maxDiffLines {
			fmt.Fprintf(b, "%s  ...   %d more lines\n", mark, len(lines)-i)
			return
		}
		fmt.Fprintf(b, "%s%5d  %s", mark, first+i+1, line(l))
	}
}

// lines splits s after each newline; a final newline starts no line.
func lines(s string) []string {
	l := strings.SplitAfter(s, "\n")
	if l[len(l)-1] == "" {
		l = l[:len(l)-1]
	}
	return l
}

// line ends l with a newline, marking a last line that had none.
func line(l string) string {
	if strings.HasSuffix(l, "\n") {
		return l
	}
	return l + "  (no newline at end)\n"
}
