package diagnose

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/tunneldoc/tunneldoc/diagnose/facts"
)

// naiveAll is view.all as a scan of every event: the indexed one must
// give the same events in the same order.
func naiveAll(v *view, kinds ...facts.EventKind) []facts.Event {
	var out []facts.Event
	for _, ev := range v.events {
		for _, k := range kinds {
			if ev.Kind == k {
				out = append(out, ev)
				break
			}
		}
	}
	return out
}

// TestViewAllIndexed: the indexed view.all gives what a scan of the
// events gives, and still does after every rule has read the view (all's
// answers are shared with the index: a rule that wrote into one would
// change what the next rule reads).
func TestViewAllIndexed(t *testing.T) {
	sets := [][]facts.EventKind{
		{facts.EvP1Sent},
		{facts.EvP1Sent, facts.EvP1Retransmit},
		{facts.EvP1Retransmit, facts.EvP1Sent, facts.EvP1Retransmit},
		{facts.EvStateChange, facts.EvP1Retransmit, facts.EvP1Sent},
		{facts.EvNATDetected},
		answerKinds,
	}
	check := func(v *view, when string) {
		for _, kinds := range sets {
			want := naiveAll(v, kinds...)
			got := v.all(kinds...)
			if len(want) == 0 && len(got) == 0 {
				if v.any(kinds...) {
					t.Errorf("%s, peer %q %v: any with no events", when, v.peer, kinds)
				}
				continue
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s, peer %q %v: all gives %d events, a scan %d", when, v.peer, kinds, len(got), len(want))
			}
			if !v.any(kinds...) {
				t.Errorf("%s, peer %q %v: any false with %d events", when, v.peer, kinds, len(want))
			}
			line, state := 0, ""
			for _, ev := range want {
				line = max(line, ev.Ref.Line)
				if ev.State != "" {
					state = ev.State
				}
			}
			if got := v.lastLine(kinds...); got != line {
				t.Errorf("%s, peer %q %v: lastLine %d, a scan %d", when, v.peer, kinds, got, line)
			}
			if ev, _ := v.lastWithState(kinds...); ev.State != state {
				t.Errorf("%s, peer %q %v: lastWithState %q, a scan %q", when, v.peer, kinds, ev.State, state)
			}
		}
	}
	files, _ := filepath.Glob("testdata/cases/*/*.txt")
	if len(files) == 0 {
		t.Fatal("no cases")
	}
	inputs := map[string]string{
		// more sends than retransmissions: the peer-silent rule's list of
		// the first send and the retransmissions fits in the sends' slice
		"sends-then-one-retransmit": `R1#debug crypto isakmp
*Feb  1 21:44:13.101: ISAKMP: Created a peer struct for 172.18.254.4, peer port 500
*Feb  1 21:44:13.101: ISAKMP:(0):beginning Main Mode exchange
*Feb  1 21:44:13.101: ISAKMP:(0): sending packet to 172.18.254.4 my_port 500 peer_port 500 (I) MM_NO_STATE
*Feb  1 21:44:14.101: ISAKMP:(0): sending packet to 172.18.254.4 my_port 500 peer_port 500 (I) MM_NO_STATE
*Feb  1 21:44:23.101: ISAKMP:(0): retransmitting phase 1 MM_NO_STATE...
*Feb  1 21:44:23.101: ISAKMP:(0): sending packet to 172.18.254.4 my_port 500 peer_port 500 (I) MM_NO_STATE
`,
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		inputs[f] = string(b)
	}
	for f, in := range inputs {
		e := newEngine(Options{})
		e.readString(in)
		for _, c := range correlators {
			c(e.facts)
		}
		for _, v := range e.buildViews() {
			check(v, f+" before the rules")
			e.peerFindings(v)
			check(v, f+" after the rules")
		}
	}
}

// TestRefsAndEvidenceDedup: refsOf and evidence keep each line once, in
// the same order as with a set of lines seen, short lists or long.
func TestRefsAndEvidenceDedup(t *testing.T) {
	for _, n := range []int{3, 16, 17, 40} {
		var evs []facts.Event
		var refs []facts.Ref
		e := newEngine(Options{})
		for i := range n {
			line := 1 + (i*7)%(n/2+1) // repeats, out of order
			evs = append(evs, facts.Event{Ref: facts.Ref{Line: line}})
			refs = append(refs, facts.Ref{Line: line})
			e.quoted[line] = fmt.Sprintf("line %d", line)
		}
		for _, max := range []int{2, 6, 100} {
			var want []facts.Ref
			seen := map[int]bool{}
			for _, ev := range evs {
				if !seen[ev.Ref.Line] && len(want) < max {
					seen[ev.Ref.Line] = true
					want = append(want, ev.Ref)
				}
			}
			if got := refsOf(evs, max); !reflect.DeepEqual(got, want) {
				t.Errorf("%d events, max %d: refsOf %v, want %v", n, max, got, want)
			}
		}
		got := e.evidence(nil, refs)
		lines := map[int]bool{}
		for i, ev := range got {
			if lines[ev.Line] || i > 0 && got[i-1].Line >= ev.Line {
				t.Fatalf("%d refs: evidence lines %v not each once in order", n, got)
			}
			lines[ev.Line] = true
		}
		if len(lines) != len(e.quoted) {
			t.Errorf("%d refs: %d evidence lines, want %d", n, len(lines), len(e.quoted))
		}
	}
}
