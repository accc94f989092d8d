package diagnose

import (
	"os"
	"strings"
	"testing"
)

// TestReadmeNamesEveryReader: the "What it reads" table of README.md names
// every parser and line-parser table entry (by its full name, or as
// "vendor/…" for a row that groups a vendor's entries), so that a reader
// added to a table is added to the table engineers read too.
func TestReadmeNamesEveryReader(t *testing.T) {
	raw, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	start := strings.Index(doc, "\n### What it reads\n")
	if start < 0 {
		t.Fatal(`README.md has no "### What it reads" section`)
	}
	section := doc[start+1:]
	if end := strings.Index(section, "\n## "); end >= 0 {
		section = section[:end]
	}
	show, logs := tables("")
	var names []string
	for _, p := range show {
		names = append(names, p.Name)
	}
	for _, l := range logs {
		names = append(names, l.Name)
	}
	for _, name := range names {
		group := name
		if i := strings.IndexByte(name, '/'); i > 0 {
			group = name[:i] + "/…"
		}
		if !strings.Contains(section, "`"+name+"`") && !strings.Contains(section, "`"+group+"`") {
			t.Errorf("README.md, What it reads: no row names the table entry %q", name)
		}
	}
}
