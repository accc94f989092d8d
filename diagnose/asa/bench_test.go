package asa

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tunneldoc/tunneldoc/diagnose/facts"
	"github.com/tunneldoc/tunneldoc/diagnose/ios"
)

// isakmpSA200 is ASA `show crypto isakmp sa detail` for 200 peers in the
// multi-line layout.
func isakmpSA200() string {
	var b strings.Builder
	b.WriteString("IKEv1 SAs:\n\n   Active SA: 200\n    Rekey SA: 0 (A tunnel will report 1 Active and 1 Rekey SA during rekey)\nTotal IKE SA: 200\n\n")
	for i := 1; i <= 200; i++ {
		fmt.Fprintf(&b, `%d   IKE Peer: 10.%d.%d.1
    Type    : L2L             Role    : responder
    Rekey   : no              State   : MM_ACTIVE
    Encrypt : aes-256         Hash    : SHA
    Auth    : preshared       Lifetime: 86400
    Lifetime Remaining: %d

`, i, i/250, i%250, 1000+i)
	}
	b.WriteString("There are no IKEv2 SAs\n")
	return b.String()
}

func BenchmarkParseIsakmpSA200(b *testing.B) {
	text := isakmpSA200()
	sec := sectionFromText(0, text)
	f := &facts.Facts{}
	parseIsakmpSA(sec, f)
	if len(f.IKESAs) != 200 || f.IKESAs[199].State != "MM_ACTIVE" || f.IKESAs[199].Lifetime != "86400" {
		b.Fatalf("generated text parsed into %d SAs", len(f.IKESAs))
	}
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		parseIsakmpSA(sec, &facts.Facts{})
	}
}

// BenchmarkHeaders runs every IOS and ASA Header (the reader asks them
// about each line outside a known section) over the public corpus lines.
func BenchmarkHeaders(b *testing.B) {
	files, _ := filepath.Glob(filepath.Join(corpusDir, "*", "*", "*.txt"))
	var lines []string
	size := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		for _, l := range strings.Split(string(data), "\n") {
			lines = append(lines, strings.TrimLeft(l, " \t"))
			size += len(l) + 1
		}
	}
	if len(lines) < 1000 {
		b.Fatalf("only %d corpus lines", len(lines))
	}
	table := append(append([]facts.Parser(nil), ios.Parsers...), Parsers...)
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		for _, l := range lines {
			for i := range table {
				if table[i].Header(l) {
					break
				}
			}
		}
	}
}
