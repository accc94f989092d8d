package ios

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tunneldoc/tunneldoc/diagnose/facts"
	"github.com/tunneldoc/tunneldoc/diagnose/ios/corpuscheck"
)

// corpusDir is the public corpus, found relative to this package.
const corpusDir = "../../../shared/corpus/public"

type expectation struct {
	Command string              `json:"command"`
	Kind    string              `json:"kind"`
	Entries []corpuscheck.Entry `json:"entries"`
}

// parserFor returns the parser whose command pattern matches cmd.
func parserFor(table []facts.Parser, cmd string) (facts.Parser, bool) {
	for _, p := range table {
		if p.Command != nil && p.Command.MatchString(cmd) {
			return p, true
		}
	}
	return facts.Parser{}, false
}

// runCorpus parses every fixture whose expectation kind corpuscheck knows
// and whose command one of the table's parsers handles, and compares the
// facts field by field (the compared fields are listed in corpuscheck).
func runCorpus(t *testing.T, vendorDir string, table []facts.Parser) {
	root := filepath.Join(corpusDir, vendorDir)
	if _, err := os.Stat(root); err != nil {
		t.Skipf("public corpus not found at %s (shared folder absent): %v", root, err)
	}
	files, _ := filepath.Glob(filepath.Join(root, "*", "*.expected.json"))
	passed, fields, checked := 0, 0, 0
	for _, ef := range files {
		raw, err := os.ReadFile(ef)
		if err != nil {
			t.Fatal(err)
		}
		var exp expectation
		if err := json.Unmarshal(raw, &exp); err != nil {
			t.Fatalf("%s: %v", ef, err)
		}
		if !corpuscheck.Kinds[exp.Kind] {
			continue
		}
		p, ok := parserFor(table, exp.Command)
		if !ok {
			continue
		}
		if exp.Kind == "records" && !corpuscheck.RecordsMapped(exp.Command) {
			continue
		}
		checked++
		rel, _ := filepath.Rel(root, ef)
		t.Run(rel, func(t *testing.T) {
			text, err := os.ReadFile(strings.TrimSuffix(ef, ".expected.json") + ".txt")
			if err != nil {
				t.Fatal(err)
			}
			sec := sectionFromText(0, string(text))
			sec.Command = exp.Command
			f := &facts.Facts{}
			p.Parse(sec, f)
			res := corpuscheck.Compare(exp.Kind, exp.Command, exp.Entries, f)
			fields += res.Fields
			for _, m := range res.Mismatch {
				t.Error(m)
			}
			if len(res.Mismatch) == 0 {
				passed++
			}
		})
	}
	if checked == 0 {
		t.Fatalf("no expectation in %s matched a parser", root)
	}
	t.Logf("%s: %d/%d expectation files passed, %d fields compared", vendorDir, passed, checked, fields)
}

func TestCorpus(t *testing.T) {
	runCorpus(t, "cisco_ios", Parsers)
}
