package bot_test

import (
	"strings"
	"testing"

	"github.com/tunneldoc/tunneldoc/bot"
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
