package bot_test

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/tunneldoc/tunneldoc/bot"
	"github.com/tunneldoc/tunneldoc/diagnose"
	"github.com/tunneldoc/tunneldoc/diagnose/redact"
)

// FuzzParseCommand: any message text parses without panicking, and a
// check without an error always names a peer.
func FuzzParseCommand(f *testing.F) {
	for _, s := range []string{"<@UBOT> check tunnel 90.1.1.1 on fw-hq", "diagnose ```x```", "check", "status", "```", "<@U|x> <http://a|b> &lt;", "diagnose peer 1.2.3.4 ISAKMP"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		c := bot.ParseCommand(text)
		if c.Kind == bot.CmdCheck && c.Err == "" && c.Peer == "" {
			t.Fatalf("check without peer or error: %q", text)
		}
		if strings.Contains(c.Text, "```") {
			t.Fatalf("fence left in paste text: %q", c.Text)
		}
	})
}

// FuzzRenderLimits: whatever a report holds, the Block Kit stays within
// Slack's limits, code blocks stay balanced and keys stay hidden.
func FuzzRenderLimits(f *testing.F) {
	f.Add("ISAKMP:(0):no offers accepted!", "Compare policies", 3, "crypto isakmp key 0 abc123 address 1.1.1.1")
	f.Add("```", "<!channel> & <@U1>", 60, "")
	f.Fuzz(func(t *testing.T, line, fix string, n int, extra string) {
		if n < 0 {
			n = -n
		}
		n = n%200 + 1
		r := diagnose.Report{Phase: "phase1", Cause: "psk_mismatch", Summary: line, Peer: "1.1.1.1"}
		for i := range n {
			r.Evidence = append(r.Evidence, diagnose.Evidence{Section: "s", Line: i + 1, Text: line + extra})
			r.Fix = append(r.Fix, fix)
		}
		out := bot.Render(r, bot.ReplyContext{IncidentID: "inc-1", IncidentStatus: "open"})
		all, err := json.Marshal(out.Blocks)
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Blocks) > 50 || len(all) > 13000 {
			t.Fatalf("%d blocks, %d bytes", len(out.Blocks), len(all))
		}
		for _, b := range out.Blocks {
			if s, ok := b.(*slack.SectionBlock); ok {
				if utf8.RuneCountInString(s.Text.Text) > 3000 {
					t.Fatalf("section of %d characters", utf8.RuneCountInString(s.Text.Text))
				}
				if strings.Count(s.Text.Text, "```")%2 != 0 {
					t.Fatalf("unbalanced fence: %q", s.Text.Text)
				}
			}
		}
		// A key the redactor masks in the evidence line never reaches the
		// reply. ("abc123" alone, without a key shape around it, is no
		// secret: the fuzzer found that the old check said otherwise.)
		if ev := line + extra; strings.Contains(ev, "abc123") && !strings.Contains(redact.Line(ev), "abc123") {
			if strings.Contains(string(all), "abc123") || strings.Contains(out.Plain, "abc123") {
				t.Fatalf("key leaked: %q", ev)
			}
		}
	})
}
