package diagnose

import (
	"reflect"
	"strings"
	"testing"
)

// TestAnchorTablePositions: every anchor is found where strings.Index
// finds it, at the start of a line, after one to three bytes, at the end,
// and when it occurs twice; no other signature is claimed.
func TestAnchorTablePositions(t *testing.T) {
	_, lps := tables("")
	tab := anchorTableFor(lps)
	pos := make([]int32, tab.nsigs)
	for p := range lps {
		for j, sig := range lps[p].Signatures {
			for _, line := range []string{
				sig.Anchor,
				"x" + sig.Anchor,
				"xy" + sig.Anchor + " tail",
				"xyz" + sig.Anchor + sig.Anchor,
				"some words before " + sig.Anchor,
			} {
				clear(pos)
				if !tab.match(line, 1<<p, pos) {
					t.Fatalf("%s: anchor %q not found in %q", sig.ID, sig.Anchor, line)
				}
				if got, want := int(pos[tab.offset[p]+j])-1, strings.Index(line, sig.Anchor); got != want {
					t.Errorf("%s: anchor %q in %q at %d, want %d", sig.ID, sig.Anchor, line, got, want)
				}
				for q := range lps {
					for k, other := range lps[q].Signatures {
						found := pos[tab.offset[q]+k] != 0
						if want := q == p && strings.Contains(line, other.Anchor); found != want {
							t.Errorf("%q (parser %d only): %s claimed %v, want %v", line, p, other.ID, found, want)
						}
					}
				}
			}
		}
	}
}

// TestReFromSameMatch: a signature's regexp run from reFrom finds the
// match it finds on the whole line, on every line of the cases that holds
// the anchor, and on made-up lines holding it twice or after its prefix.
func TestReFromSameMatch(t *testing.T) {
	_, lps := tables("")
	tab := anchorTableFor(lps)
	lines := refLines(t)
	tried := 0
	for p := range lps {
		for j, sig := range lps[p].Signatures {
			if sig.Re == nil {
				continue
			}
			g := tab.offset[p] + j
			extra := []string{
				sig.Anchor + " " + sig.Anchor,
				tab.rePrefix[g] + " x " + sig.Anchor + " 10.1.1.1 (peer 10.2.2.2)",
			}
			for _, line := range append(extra, lines...) {
				at := strings.Index(line, sig.Anchor)
				if at < 0 {
					continue
				}
				tried++
				want := sig.Re.FindStringSubmatchIndex(line)
				from := tab.reFrom(g, line, at)
				if from < 0 {
					if want != nil {
						t.Errorf("%s: %q: reFrom says no match, the regexp matches", sig.ID, line)
					}
					continue
				}
				got := sig.Re.FindStringSubmatchIndex(line[from:])
				for k := range got {
					if got[k] >= 0 {
						got[k] += from
					}
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%s: %q: from %d matches %v, the whole line %v", sig.ID, line, from, got, want)
				}
			}
		}
	}
	if tried < 500 {
		t.Fatalf("only %d lines tried", tried)
	}
}

// TestMayMatchNeverHidesAMatch: mayMatch is false only for lines the
// regexp does not match, on every case line and on lines made of the
// signatures' own words in other cases; and it does rule lines out.
func TestMayMatchNeverHidesAMatch(t *testing.T) {
	_, lps := tables("")
	tab := anchorTableFor(lps)
	lines := refLines(t)
	// the samples the vendor tests use are in the cases; add each
	// anchor's line upper- and lower-cased, and with a non-ASCII letter
	for p := range lps {
		for _, sig := range lps[p].Signatures {
			for _, l := range []string{"x " + sig.Anchor + " y", strings.ToUpper(sig.Anchor), strings.ToLower(sig.Anchor)} {
				lines = append(lines, l, l+" caf\u00e9", strings.ReplaceAll(l, "k", "\u212a"))
			}
		}
	}
	gated, ruledOut := 0, 0
	var buf []byte
	for p := range lps {
		for j, sig := range lps[p].Signatures {
			g := tab.offset[p] + j
			if tab.reNeeds[g] != nil {
				gated++
			}
			for _, line := range lines {
				var low []byte
				may := tab.mayMatch(g, line, &low, &buf)
				if !may {
					ruledOut++
				}
				if !may && sig.Re != nil && sig.Re.MatchString(line) {
					t.Errorf("%s: mayMatch rules out %q, which its regexp matches", sig.ID, line)
				}
			}
		}
	}
	if gated < 10 || ruledOut == 0 {
		t.Fatalf("%d signatures gated, %d lines ruled out: the test tests nothing", gated, ruledOut)
	}
}

// FuzzLineReading: on any line, the anchor scan finds every anchor and
// phrase where strings.Index does, addrsInto agrees with the byte scan,
// a regexp run from reFrom finds the match it finds on the whole line,
// and mayMatch never rules out a line its regexp matches.
func FuzzLineReading(f *testing.F) {
	for _, s := range []string{
		"ISAKMP:(0): sending packet to 172.18.254.4 my_port 500 peer_port 500 (I) MM_NO_STATE",
		"09[NET] sending packet: from 10.0.0.1[500] to 10.0.0.2[500] (464 bytes)",
		"Group = 1.2.3.4, IP = 1.2.3.4, Can't find a valid tunnel group, aborting...",
		"IKEv2:(SESSION ID = 1,SA ID = 1):Sending Packet [To 10.1.1.2:500/From 10.1.1.1:500/VRF i0:f0]",
		"ISAKMP:(1002):deleting SA reason \"Death by retransmission P1\" state (I) MM_NO_STATE (peer 1.1.1.1)",
		"nat-t is not enabled for remote 1.1.1.1.1.2.3.4..5.6.7.8",
	} {
		f.Add(s)
	}
	_, lps := tables("")
	tab := anchorTableFor(lps)
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 2048 {
			return
		}
		pos := make([]int32, tab.nsigs)
		tab.match(s, ^uint64(0), pos)
		for i, p := range phrases {
			if got, want := int(pos[tab.phrase+i])-1, strings.Index(s, p); got != want {
				t.Fatalf("phrase %q at %d, want %d", p, got, want)
			}
		}
		for _, max := range []int{1, 4} {
			if got, want := addrsInto(nil, s, max), refAddrs(s, max); !reflect.DeepEqual(got, want) {
				t.Fatalf("addrs %+v, want %+v", got, want)
			}
		}
		var buf []byte
		for p := range lps {
			for j, sig := range lps[p].Signatures {
				g := tab.offset[p] + j
				at := strings.Index(s, sig.Anchor)
				if got := int(pos[g]) - 1; got != at {
					t.Fatalf("%s: anchor %q at %d, want %d", sig.ID, sig.Anchor, got, at)
				}
				if sig.Re == nil || at < 0 {
					continue
				}
				want := sig.Re.FindStringSubmatchIndex(s)
				var low []byte
				if !tab.mayMatch(g, s, &low, &buf) {
					if want != nil {
						t.Fatalf("%s: mayMatch rules out a line its regexp matches", sig.ID)
					}
					continue
				}
				from := tab.reFrom(g, s, at)
				if from < 0 {
					if want != nil {
						t.Fatalf("%s: reFrom says no match, the regexp matches", sig.ID)
					}
					continue
				}
				got := sig.Re.FindStringSubmatchIndex(s[from:])
				for k := range got {
					if got[k] >= 0 {
						got[k] += from
					}
				}
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("%s: from %d matches %v, the whole line %v", sig.ID, from, got, want)
				}
			}
		}
	})
}
