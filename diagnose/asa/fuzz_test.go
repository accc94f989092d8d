package asa

import (
	"testing"

	"github.com/tunneldoc/tunneldoc/diagnose/facts"
)

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
