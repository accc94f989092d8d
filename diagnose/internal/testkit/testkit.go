package testkit

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tunneldoc/tunneldoc/diagnose/facts"
	"github.com/tunneldoc/tunneldoc/diagnose/ios/corpuscheck"
)

// CorpusDir is the public corpus, relative to a vendor package's folder
// (diagnose/ios, diagnose/asa), where its tests run.
const CorpusDir = "../../../shared/corpus/public"

// FindCorpus returns the public corpus folder (shared/corpus/public) of
// the first parent of the working directory that has one: the repository
// sits beside shared/ on a developer's machine and in CI, and a git
// worktree one level deeper. ok is false when none of the parents has it.
func FindCorpus() (dir string, ok bool) {
	rel := filepath.Join("shared", "corpus", "public")
	d := ".."
	for i := 0; i < 5; i++ {
		p := filepath.Join(d, rel)
		if st, err := os.Stat(p); err == nil && st.IsDir() {
			return p, true
		}
		d = filepath.Join(d, "..")
	}
	return "", false
}

// SectionFromText builds the Section the splitter would hand over, in the
// plainest way: one Line per physical line, tabs to spaces, trailing space
// trimmed. A first line "command: X" sets Section.Command (and is not a
// Line; numbering still counts it).
func SectionFromText(index int, text string) *facts.Section {
	sec := &facts.Section{Index: index}
	raw := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	for i, l := range raw {
		if i == 0 && strings.HasPrefix(l, "command: ") {
			sec.Command = strings.TrimSpace(strings.TrimPrefix(l, "command: "))
			continue
		}
		t := strings.TrimRight(strings.ReplaceAll(l, "\t", "    "), " \r")
		sec.Lines = append(sec.Lines, facts.Line{N: i + 1, Last: i + 1, Text: t})
	}
	return sec
}

// Slug turns a parser name into its testdata folder name.
func Slug(name string) string {
	if i := strings.IndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	return strings.NewReplacer(" ", "_", "/", "_").Replace(name)
}

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

// RunCorpus parses every fixture under CorpusDir/vendorDir whose
// expectation kind corpuscheck knows and whose command one of the table's
// parsers handles, and compares the facts field by field (the compared
// fields are listed in corpuscheck). It skips, saying why, when the shared
// folder is absent.
func RunCorpus(t *testing.T, vendorDir string, table []facts.Parser) {
	root := filepath.Join(CorpusDir, vendorDir)
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
			sec := SectionFromText(0, string(text))
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

// FuzzSeeds adds the package's testdata cases, the public corpus texts of
// vendorDir and the seed documents (when the shared folder is there) to
// f's seed corpus.
func FuzzSeeds(f *testing.F, vendorDir string) {
	var files []string
	t, _ := filepath.Glob(filepath.Join("testdata", "*", "*.txt"))
	files = append(files, t...)
	c, _ := filepath.Glob(filepath.Join(CorpusDir, vendorDir, "*", "*.txt"))
	files = append(files, c...)
	s, _ := filepath.Glob(filepath.Join(CorpusDir, "..", "..", "seeds", "*.txt"))
	files = append(files, s...)
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(string(b))
		}
	}
}

// CheckRefs fails when a fact the parsers read from sec points at a line
// outside sec (evidence would then quote a line that is not there).
func CheckRefs(t testing.TB, sec *facts.Section, fs *facts.Facts) {
	t.Helper()
	first, last := sec.First(), sec.LastLine()
	check := func(what string, r facts.Ref) {
		if r.Line < first || r.Line > last {
			t.Fatalf("%s: line %d outside %d..%d", what, r.Line, first, last)
		}
	}
	for _, x := range fs.IKESAs {
		check("IKE SA", x.Ref)
	}
	for _, x := range fs.IPsecSAs {
		check("IPsec SA", x.Ref)
		for k, n := range x.Lines {
			check("IPsec SA "+k, facts.Ref{Line: n})
		}
	}
	for _, x := range fs.Sessions {
		check("session", x.Ref)
		for _, fl := range x.Flows {
			check("flow", fl.Ref)
		}
	}
	for _, x := range fs.Events {
		check("event "+string(x.Kind), x.Ref)
	}
	for _, x := range fs.Routes {
		check("route", x.Ref)
	}
	for _, x := range fs.Pings {
		check("ping", x.Ref)
	}
	for _, x := range fs.Policies {
		check("policy", x.Ref)
	}
	for _, x := range fs.TransformSets {
		check("transform set", x.Ref)
	}
	for _, x := range fs.CryptoMaps {
		check("crypto map", x.Ref)
	}
	for _, x := range fs.ACLs {
		check("ACL", x.Ref)
	}
	for k, r := range fs.Empty {
		if r.Line != 0 { // 0: the section as a whole (no header line was read)
			check("empty "+k, r)
		}
	}
}

// FileLines returns every line of the files the glob patterns match, in
// pattern and name order: sample lines for tests that hold a tuned reader
// to its plain form.
func FileLines(tb testing.TB, patterns ...string) []string {
	tb.Helper()
	var lines []string
	for _, pat := range patterns {
		files, err := filepath.Glob(pat)
		if err != nil {
			tb.Fatal(err)
		}
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				tb.Fatal(err)
			}
			lines = append(lines, strings.Split(string(b), "\n")...)
		}
	}
	return lines
}
