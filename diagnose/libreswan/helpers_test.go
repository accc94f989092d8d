package libreswan

import (
	"regexp"
	"strings"

	"github.com/tunneldoc/tunneldoc/diagnose/facts"
)

// plutoTime is the time pluto's log file ("Dec  6 21:14:41.535223: ")
// and syslog ("Dec  6 21:14:41 ") put first; the engine strips it before
// line parsers see a line, and so do these tests.
var plutoTime = regexp.MustCompile(`^[A-Z][a-z]{2} +\d{1,2} \d{2}:\d{2}:\d{2}(?:\.\d+)?:? `)

func stripPlutoTime(s string) string { return plutoTime.ReplaceAllString(s, "") }

// hit is one signature that matched one line.
type hit struct {
	Line   int    `json:"line"`
	ID     string `json:"id"`
	Kind   string `json:"kind"`
	Peer   string `json:"peer,omitempty"`
	State  string `json:"state,omitempty"`
	Detail string `json:"detail,omitempty"`
}

// readLog runs the line parsers over a text the way the engine does:
// signatures of a parser whose Prefix claims the line, every one whose
// anchor is in the line and whose reader accepts it.
func readLog(text string) []hit {
	var out []hit
	for n, raw := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		line := stripPlutoTime(strings.TrimSpace(raw))
		for _, lp := range LineParsers {
			if !lp.Prefix(line) {
				continue
			}
			for _, sig := range lp.Signatures {
				at := strings.Index(line, sig.Anchor)
				if at < 0 {
					continue
				}
				peer, state, detail, ok := sig.Extract(line, at)
				if !ok {
					continue
				}
				if state == "" {
					state = sig.State
				}
				out = append(out, hit{Line: n + 1, ID: sig.ID, Kind: string(sig.Event), Peer: peer, State: state, Detail: detail})
			}
		}
	}
	return out
}

func kinds(hs []hit) map[facts.EventKind]int {
	k := map[facts.EventKind]int{}
	for _, h := range hs {
		k[facts.EventKind(h.Kind)]++
	}
	return k
}
