package slack_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/tunneldoc/tunneldoc/bot"
	"github.com/tunneldoc/tunneldoc/diagnose"
)

var evidenceLineRE = regexp.MustCompile(`(?m)^ *(\d+) \| `)

// TestEvidenceLineNumbersMatchTheCLI: output pasted in chat inside a code
// fence, holding code fences of its own (a markdown copy), quotes the
// same line numbers as the engine reading the same text (the CLI). The
// fence the paste is wrapped in is not part of the text.
func TestEvidenceLineNumbersMatchTheCLI(t *testing.T) {
	files, err := filepath.Glob("../../diagnose/testdata/cases/*/*.txt")
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t)
	n := 0
	for i, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		text := string(b)
		// A text whose first line is a fence cannot be told from a paste
		// wrapped in one: chat drops that fence, the CLI counts it.
		if !strings.Contains(text, "```") || strings.HasPrefix(text, "```") {
			continue
		}
		n++
		cli := diagnose.Diagnose(text, diagnose.Options{})
		var want []string
		for _, ev := range cli.Evidence {
			want = append(want, fmt.Sprint(ev.Line))
		}
		ts := fmt.Sprintf("1700007%03d.000100", i)
		e.handle(bot.Request{Kind: bot.KindMention, EventID: "EvN" + ts, TS: ts, Text: "<@UBOT> diagnose\n```\n" + text + "\n```"})
		var got []string
		for _, c := range only(e.slack.snapshot(), "chat.postMessage") {
			if c.ThreadTS != ts || c.Blocks == "" {
				continue
			}
			plain := strings.ReplaceAll(c.Blocks, `\n`, "\n")
			for _, m := range evidenceLineRE.FindAllStringSubmatch(plain, -1) {
				got = append(got, m[1])
			}
		}
		if len(want) == 0 || !slices.Equal(got, want[:min(len(want), len(got))]) || len(got) == 0 {
			t.Errorf("%s: chat quotes lines %v, the CLI %v", filepath.Base(f), got, want)
		}
	}
	if n == 0 {
		t.Fatal("no case holds code fences")
	}
}
