package diagnose

import (
	"reflect"
	"testing"
)

// TestLineMemoSameFacts: the matcher reads the same events, quoted lines,
// local addresses and peers with its memo of line readings as with none,
// and when the memo is so small it is forgotten every few lines (its
// readings' buffers are then reused).
func TestLineMemoSameFacts(t *testing.T) {
	defer func(n int) { memoLines = n }(memoLines)
	for _, in := range []string{mixedDebugPaste(t, 1<<19), debugSession(t, 1<<18)} {
		items := logItems(in)
		memoLines = 0
		want := matchAll(items)
		if len(want.facts.Events) < 100 {
			t.Fatalf("only %d events", len(want.facts.Events))
		}
		for _, n := range []int{1, 3, 4096} {
			memoLines = n
			got := matchAll(items)
			for _, c := range []struct {
				what      string
				got, want any
			}{
				{"events", got.facts.Events, want.facts.Events},
				{"quoted", got.quoted, want.quoted},
				{"cont", got.cont, want.cont},
				{"locals", got.locals, want.locals},
				{"connPeer", got.connPeer, want.connPeer},
				{"lastPeer", got.lastPeer, want.lastPeer},
				{"recognised", got.recognised, want.recognised},
				{"vendors", got.facts.Vendors, want.facts.Vendors},
				{"keys", got.match.state, want.match.state},
			} {
				if !reflect.DeepEqual(c.got, c.want) {
					t.Errorf("memo of %d lines: %s differ from no memo", n, c.what)
				}
			}
		}
	}
}
