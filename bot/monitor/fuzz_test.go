package monitor

import (
	"go/parser"
	"go/token"
	"os"
	"strconv"
	"strings"
	"testing"
)

// FuzzSyslogEvent: any datagram parses without panicking, and an event
// always names a peer that appears in the message.
func FuzzSyslogEvent(f *testing.F) {
	for _, s := range []string{
		"<189>Nov 23 20:01:02 fw-hq %CRYPTO-5-SESSION_STATUS: Crypto tunnel is DOWN. Peer 90.1.1.1:500 Id: 90.1.1.1",
		"<190>1 2026-11-23T20:01:02Z asa-dc ASA - 713123 [a b=\"c\\]\"] %ASA-3-713123: IP = 90.1.1.1, IKE lost contact",
		"<164>Nov 23 2026 20:01:02 asa : %ASA-4-113019: Group = x, Username = y, IP = 1.2.3.4, Session disconnected.",
		"<1>", "", "\ufeff<13>1 - - - - - -",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		ev, ok := SyslogEvent(line)
		if ok && (ev.Peer == "" || !strings.Contains(line, ev.Peer)) {
			t.Fatalf("event peer %q not in %q", ev.Peer, line)
		}
	})
}

// FuzzWebhookEvents: any body is an error or events that each name a peer.
func FuzzWebhookEvents(f *testing.F) {
	f.Add([]byte(`{"version":"4","status":"firing","alerts":[{"status":"firing","labels":{"peer":"90.1.1.1","instance":"fw:9100"}}]}`))
	f.Add([]byte(`{"peer":"90.1.1.1","device":"fw-hq","status":"down"}`))
	f.Add([]byte(`{"alerts":[]}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, body []byte) {
		evs, err := WebhookEvents(body)
		if err != nil {
			return
		}
		for _, ev := range evs {
			if strings.TrimSpace(ev.Peer) == "" || ev.Source != SourceWebhook {
				t.Fatalf("event without a peer from %q: %+v", body, ev)
			}
		}
	})
}

// TestImports keeps doc.go's promise: no go-redis, slack-go, devices or
// SSH in the monitor.
func TestImports(t *testing.T) {
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, e.Name(), nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if strings.Contains(p, "go-redis") || strings.Contains(p, "slack-go") || strings.HasPrefix(p, "golang.org/x/crypto/ssh") ||
				strings.HasPrefix(p, "github.com/tunneldoc/tunneldoc/devices") {
				t.Errorf("%s imports %s", e.Name(), p)
			}
		}
	}
}
