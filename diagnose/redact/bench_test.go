package redact

import (
	"strings"
	"testing"

	"github.com/tunneldoc/tunneldoc/diagnose/internal/testkit"
	"github.com/tunneldoc/tunneldoc/diagnose/redact/redacttest"
)

// BenchmarkText: Text over a paste of every case's input (the bot redacts
// each paste before the engine reads it), and over a config of every
// secret shape.
func BenchmarkText(b *testing.B) {
	cases := strings.Join(testkit.FileLines(b, "../testdata/cases/*/*.txt"), "\n")
	var shapes strings.Builder
	for _, sh := range redacttest.Shapes {
		shapes.WriteString(sh.Line + "\n")
	}
	for _, in := range []struct{ name, text string }{
		{"cases-1MB", strings.Repeat(cases+"\n", 1+(1<<20)/len(cases))},
		{"shapes", shapes.String()},
	} {
		b.Run(in.name, func(b *testing.B) {
			b.SetBytes(int64(len(in.text)))
			for b.Loop() {
				Text(in.text)
			}
		})
	}
}
