package asa

import (
	"strings"

	"github.com/tunneldoc/tunneldoc/diagnose/facts"
)

// sectionFromText builds the Section the splitter would hand over, in the
// plainest way: one Line per physical line, tabs to spaces, trailing space
// trimmed. A first line "command: X" sets Section.Command (and is not a
// Line; numbering still counts it).
func sectionFromText(index int, text string) *facts.Section {
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

// slug turns a parser name into its testdata folder name.
func slug(name string) string {
	if i := strings.IndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	return strings.NewReplacer(" ", "_", "/", "_").Replace(name)
}
