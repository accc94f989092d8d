package asa

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/tunneldoc/tunneldoc/diagnose/facts"
)

// fuzzSeeds adds the testdata cases, the public corpus texts and the seed
// documents (when the shared folder is there) to f's seed corpus.
func fuzzSeeds(f *testing.F, vendorDir string) {
	var files []string
	t, _ := filepath.Glob(filepath.Join("testdata", "*", "*.txt"))
	files = append(files, t...)
	c, _ := filepath.Glob(filepath.Join(corpusDir, vendorDir, "*", "*.txt"))
	files = append(files, c...)
	s, _ := filepath.Glob(filepath.Join(corpusDir, "..", "..", "seeds", "*.txt"))
	files = append(files, s...)
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(string(b))
		}
	}
}

// FuzzParsers feeds arbitrary text through every parser's Header and Parse:
// none may panic, and every fact points at a line of the section.
func FuzzParsers(f *testing.F) {
	fuzzSeeds(f, "cisco_asa")
	f.Fuzz(func(t *testing.T, text string) {
		sec := sectionFromText(1, text)
		fs := &facts.Facts{}
		for _, p := range Parsers {
			for _, l := range sec.Lines {
				p.Header(l.Text)
			}
			p.Parse(sec, fs)
		}
		checkRefs(t, sec, fs)
	})
}
