package redact

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tunneldoc/tunneldoc/diagnose/internal/testkit"
	"github.com/tunneldoc/tunneldoc/diagnose/redact/redacttest"
)

// TestShapes: every known shape, dressed every way a paste dresses it,
// loses every secret and keeps its readable words.
func TestShapes(t *testing.T) {
	if n := len(redacttest.Shapes); n < 120 {
		t.Fatalf("only %d shapes", n)
	}
	seen := map[string]string{}
	for _, sh := range redacttest.Shapes {
		for _, sec := range sh.Secrets {
			if !strings.Contains(sh.Line, sec) {
				t.Errorf("%s/%s: secret %q is not in its line", sh.Vendor, sh.Name, sec)
			}
			if other, dup := seen[sec]; dup {
				t.Errorf("%s/%s: secret %q also in %s", sh.Vendor, sh.Name, sec, other)
			}
			seen[sec] = sh.Name
		}
		for _, d := range redacttest.Dress(sh) {
			got := Line(d.Line)
			for _, sec := range sh.Secrets {
				if strings.Contains(got, sec) {
					t.Errorf("%s/%s (%s): secret %q survived: %q -> %q", sh.Vendor, sh.Name, d.Name, sec, d.Line, got)
				}
			}
			if !strings.Contains(got, Mask) {
				t.Errorf("%s/%s (%s): no mask in %q", sh.Vendor, sh.Name, d.Name, got)
			}
			if d.Name == "plain" && sh.Keep != "" && !strings.Contains(got, sh.Keep) {
				t.Errorf("%s/%s: %q no longer reads %q: %q", sh.Vendor, sh.Name, sh.Line, sh.Keep, got)
			}
			if tx := Text("!\n" + d.Line + "\r\n!"); tx != "!\n"+Line(d.Line+"\r")+"\n!" {
				t.Errorf("%s/%s (%s): Text differs from Line: %q", sh.Vendor, sh.Name, d.Name, tx)
			}
		}
	}
}

// TestUnchanged: lines that name secrets without holding one, and device
// output around secrets, read as before.
func TestUnchanged(t *testing.T) {
	for _, l := range redacttest.Unchanged {
		if got := Line(l); got != l {
			t.Errorf("changed %q -> %q", l, got)
		}
	}
}

// TestPublicCorpusUnchanged: the public real-world device outputs hold no
// secret (their authors hid them); redaction leaves every line alone.
func TestPublicCorpusUnchanged(t *testing.T) {
	var lines []string
	// the corpus sits beside the repository: look in the folders above
	for dir, _ := os.Getwd(); len(lines) == 0 && dir != filepath.Dir(dir); dir = filepath.Dir(dir) {
		lines = testkit.FileLines(t, filepath.Join(dir, "shared", "corpus", "public", "*", "*", "*.txt"))
	}
	if len(lines) == 0 {
		t.Skip("no public corpus beside the repository")
	}
	for _, l := range lines {
		if got := Line(l); got != l {
			t.Errorf("changed %q -> %q", l, got)
		}
	}
	t.Logf("%d lines", len(lines))
}

// TestWordsAreSound: the word filters in front of the regexps skip no
// secret the regexps would find, on every shape, dressed or not, and on
// every line that must stay unchanged.
func TestWordsAreSound(t *testing.T) {
	var lines []string
	for _, sh := range redacttest.Shapes {
		for _, d := range redacttest.Dress(sh) {
			lines = append(lines, d.Line)
		}
	}
	lines = append(lines, redacttest.Unchanged...)
	for _, l := range lines {
		if !mayHoldSecret(l) && Line(l) != l {
			t.Errorf("mayHoldSecret(%q) = false", l)
		}
		filtered := Line(l)
		everyRule = true
		all := Line(l)
		everyRule = false
		if filtered != all {
			t.Errorf("word filter changes %q: %q, without it %q", l, filtered, all)
		}
	}
}
