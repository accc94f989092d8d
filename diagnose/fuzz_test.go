package diagnose

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tunneldoc/tunneldoc/diagnose/redact"
)

// FuzzDiagnose runs arbitrary text through the splitter, every parser and
// the rules. Whatever comes in: no panic, every finding has evidence, and
// every evidence line is the input's line at that number (redacted).
func FuzzDiagnose(f *testing.F) {
	files, _ := filepath.Glob("testdata/cases/*/*.txt")
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil && len(b) < 16<<10 {
			f.Add(string(b))
		}
	}
	f.Add("HUB# sh cry isa sa\n```\nIPv4 Crypto ISAKMP SA\n")
	f.Fuzz(func(t *testing.T, in string) {
		rep := Diagnose(in, Options{})
		lines := strings.Split(in, "\n")
		for _, fd := range rep.Findings {
			if len(fd.Evidence) == 0 {
				t.Fatalf("finding %s without evidence", fd.Cause)
			}
			for _, e := range fd.Evidence {
				if e.Line < 1 || e.Line > len(lines) {
					t.Fatalf("evidence line %d of %d", e.Line, len(lines))
				}
				raw := strings.TrimRight(lines[e.Line-1], "\r")
				if len(raw) > MaxLineBytes {
					continue // over-long lines are quoted cut
				}
				if want := redact.Line(strings.TrimRight(physLine(raw), " \t")); e.Text != want {
					t.Fatalf("evidence line %d: %q, input %q", e.Line, e.Text, want)
				}
			}
		}
		if rep.Cause == "" || rep.Phase == "" || rep.Verdict == "" {
			t.Fatalf("empty contract fields: %+v", rep)
		}
	})
}
