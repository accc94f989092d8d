package strongswan

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tunneldoc/tunneldoc/diagnose/facts"
)

// FuzzStrongswan feeds any text to the --list-sas parser, to every line
// signature and to Correlate: none may panic, and what they produce must
// point at lines that exist.
func FuzzStrongswan(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "lab", "*", "*.txt"))
	logs, _ := filepath.Glob(filepath.Join("testdata", "lab", "*", "*-charon.log"))
	for _, p := range append(seeds, logs...) {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(string(b))
		}
	}
	for _, w := range lineSamples {
		f.Add(w.line)
	}
	f.Fuzz(func(t *testing.T, text string) {
		sec := sectionOf(0, "swanctl --list-sas", text)
		fs := &facts.Facts{}
		for _, p := range Parsers {
			p.Parse(sec, fs)
			_ = p.Header(text)
		}
		last := sec.LastLine()
		for _, sa := range fs.IKESAs {
			if sa.Ref.Line < 1 || sa.Ref.Line > last {
				t.Fatalf("IKE SA ref %d outside 1..%d", sa.Ref.Line, last)
			}
		}
		for _, sa := range fs.IPsecSAs {
			for k, n := range sa.Lines {
				if n < 1 || n > last {
					t.Fatalf("CHILD_SA line %s=%d outside 1..%d", k, n, last)
				}
			}
		}
		for _, l := range sec.Lines {
			for _, m := range matchLine(l.Text, facts.Ref{Line: l.N}) {
				fs.Events = append(fs.Events, m.Event)
				if m.Event.Peer != "" && !strings.Contains(l.Text, m.Event.Peer) {
					t.Fatalf("%s: peer %q not in line %q", m.ID, m.Event.Peer, l.Text)
				}
			}
		}
		Correlate(fs)
		Correlate(fs)
	})
}
