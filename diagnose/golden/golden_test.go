package golden

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDiff(t *testing.T) {
	for _, tc := range []struct{ name, want, got, diff string }{
		{"one line changed", "a\nb\nc\n", "a\nB\nc\n", "     1  a\n-    2  b\n+    2  B\n     3  c\n"},
		{"line added at the end", "a\n", "a\nb\n", "     1  a\n+    2  b\n"},
		{"newline lost", "a\nb\n", "a\nb", "     1  a\n-    2  b\n+    2  b  (no newline at end)\n"},
		{"from nothing", "", "x\n", "+    1  x\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if d := Diff(tc.want, tc.got); d != tc.diff {
				t.Errorf("Diff:\n%s\nwant:\n%s", d, tc.diff)
			}
		})
	}
}

func TestDiffIsBounded(t *testing.T) {
	var want, got []byte
	for range 1000 {
		want = append(want, "a\n"...)
		got = append(got, "b\n"...)
	}
	d := Diff(string(want), string(got))
	if n := len(lines(d)); n != 2*(maxDiffLines+1) {
		t.Errorf("a 1,000-line difference shows %d lines, want %d", n, 2*(maxDiffLines+1))
	}
}

// TestCheck: an equal file passes, and a different one fails with the
// difference, which Check finds on its own (without -update).
func TestCheck(t *testing.T) {
	if Updating() {
		t.Skip("compares files, which -update would write")
	}
	path := filepath.Join(t.TempDir(), "out.golden.txt")
	if err := os.WriteFile(path, []byte("same\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	Check(t, path, []byte("same\n"))
	var r recorder
	Check(&r, path, []byte("other\n"))
	if !r.failed || !strings.Contains(r.msg, "-    1  same\n+    1  other\n") {
		t.Errorf("a different output passed: %+v", r)
	}
}

// recorder is a testing.TB that keeps the failure instead of failing.
type recorder struct {
	testing.TB
	failed bool
	msg    string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.failed = true
	r.msg = fmt.Sprintf(format, args...)
}
