package diagnose

import (
	"reflect"
	"strings"
	"testing"

	"github.com/tunneldoc/tunneldoc/diagnose/facts"
)

// TestLongOutputInParts: a show output longer than MaxSectionLines is
// parsed in parts (memory stays bounded), and the parts read what the
// whole output reads: every SA, with the interface and crypto map heading
// printed once at the top, its counters and its lines.
func TestLongOutputInParts(t *testing.T) {
	text := hubIPsecSA(2000) // ~90,000 lines
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if len(lines) < 2*MaxSectionLines {
		t.Fatalf("only %d lines", len(lines))
	}
	got := Facts(text, Options{})

	e := newEngine(Options{})
	ps := e.commandParsers("show crypto ipsec sa")
	if len(ps) == 0 {
		t.Fatal("no parser for show crypto ipsec sa")
	}
	var whole facts.Section
	for i, l := range lines[1:] {
		text, _ := cleanLine(l)
		whole.Lines = append(whole.Lines, facts.Line{N: i + 2, Last: i + 2, Text: text})
	}
	want := &facts.Facts{}
	ps[0].Parse(&whole, want)

	if len(got.IPsecSAs) != 2000 || len(want.IPsecSAs) != 2000 {
		t.Fatalf("%d SAs read in parts, %d whole; want 2000", len(got.IPsecSAs), len(want.IPsecSAs))
	}
	for i := range want.IPsecSAs {
		if !reflect.DeepEqual(got.IPsecSAs[i], want.IPsecSAs[i]) {
			t.Fatalf("SA %d differs:\nparts %+v\nwhole %+v", i, got.IPsecSAs[i], want.IPsecSAs[i])
		}
	}
	if got.IPsecSAs[1999].Interface != "GigabitEthernet0/1" || got.IPsecSAs[1999].LocalAddr != "30.3.1.1" {
		t.Errorf("the last SA lost its headings: %+v", got.IPsecSAs[1999])
	}

	rep := Diagnose(text, Options{})
	if len(rep.Sections) != 1 || rep.Sections[0].FirstLine != 2 || rep.Sections[0].LastLine != len(lines) {
		t.Errorf("sections %+v, want one covering lines 2-%d", rep.Sections, len(lines))
	}
}
