package devices

import (
	"os"
	"strings"
	"testing"
)

// TestCommandsDocumented: docs/DEVICE-COMMANDS.md lists every command a
// check sends, as the platform table spells it, and the second read of
// the counters.
func TestCommandsDocumented(t *testing.T) {
	b, err := os.ReadFile("../docs/DEVICE-COMMANDS.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	for _, p := range platforms {
		var counters []string
		for _, c := range append(append([]Command{}, commandsOf(p.PagingOff)...), p.Commands...) {
			if !strings.Contains(doc, "`"+strings.ReplaceAll(c.Template, "|", `\|`)+"`") {
				t.Errorf("%s: `%s` is not in docs/DEVICE-COMMANDS.md", p.Name, c.Template)
			}
			if c.Counters {
				counters = append(counters, c.Template)
			}
		}
		if len(counters) != 1 {
			t.Errorf("%s: %d commands print the counters, want one", p.Name, len(counters))
			continue
		}
		if !strings.Contains(doc, "| "+p.Name+" | `"+strings.ReplaceAll(counters[0], "|", `\|`)+"` |") {
			t.Errorf("%s: the second read (`%s`) is not in the doc's table", p.Name, counters[0])
		}
	}
}

func commandsOf(cmds []string) []Command {
	var out []Command
	for _, c := range cmds {
		out = append(out, Command{Template: c})
	}
	return out
}
