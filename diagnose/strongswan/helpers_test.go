package strongswan

import (
	"bufio"
	"regexp"
	"strings"

	"github.com/tunneldoc/tunneldoc/diagnose/facts"
)

// The engine (package diagnose) strips the leading timestamp before the
// line parsers see a line; these helpers do the same for the filelog and
// syslog times charon writes, so the tests feed the signatures what the
// engine will.
var leadingTime = regexp.MustCompile(`^(?:[A-Z][a-z]{2}\s+\d{1,2}\s+\d{2}:\d{2}:\d{2}(?:\.\d+)?|\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?)\s+`)

func cleanText(s string) string {
	return leadingTime.ReplaceAllString(strings.TrimRight(s, "\r"), "")
}

func sectionOf(index int, command, text string) *facts.Section {
	sec := &facts.Section{Index: index, Command: command}
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	n := 0
	for sc.Scan() {
		n++
		sec.Lines = append(sec.Lines, facts.Line{N: n, Last: n, Text: cleanText(sc.Text())})
	}
	return sec
}

// matched is one signature hit.
type matched struct {
	ID    string
	Event facts.Event
}

// matchLine runs every signature of every LineParser over one cleaned
// line, the way the engine does (every match counts, named groups fill the
// event).
func matchLine(text string, ref facts.Ref) []matched {
	var out []matched
	for _, lp := range LineParsers {
		if !lp.Prefix(text) {
			continue
		}
		for _, sig := range lp.Signatures {
			if !strings.Contains(text, sig.Anchor) {
				continue
			}
			ev := facts.Event{Kind: sig.Event, Vendor: lp.Vendor, State: sig.State, Ref: ref}
			if sig.Extract != nil {
				peer, state, detail, ok := sig.Extract(text, strings.Index(text, sig.Anchor))
				if !ok {
					continue
				}
				ev.Peer, ev.Detail = peer, detail
				if state != "" {
					ev.State = state
				}
			} else if sig.Re != nil {
				m := sig.Re.FindStringSubmatchIndex(text)
				if m == nil {
					continue
				}
				for gi, name := range sig.Re.SubexpNames() {
					if name == "" || m[2*gi] < 0 {
						continue
					}
					v := strings.TrimSpace(text[m[2*gi]:m[2*gi+1]])
					switch name {
					case "peer":
						ev.Peer = v
					case "state":
						ev.State = strings.ReplaceAll(v, " ", "")
					case "detail":
						ev.Detail = v
					}
				}
			}
			out = append(out, matched{sig.ID, ev})
		}
	}
	return out
}

// scan runs the line parsers over a log text and then Correlate, and
// returns the facts plus which signature IDs fired.
func scan(text string) (*facts.Facts, map[string]int) {
	f := &facts.Facts{}
	ids := map[string]int{}
	sec := sectionOf(0, "", text)
	for _, l := range sec.Lines {
		for _, m := range matchLine(l.Text, facts.Ref{Section: 0, Line: l.N}) {
			ids[m.ID]++
			f.Events = append(f.Events, m.Event)
		}
	}
	Correlate(f)
	return f, ids
}

func kindsOf(f *facts.Facts) map[facts.EventKind]int {
	k := map[facts.EventKind]int{}
	for _, e := range f.Events {
		k[e.Kind]++
	}
	return k
}
