package diagnose

import "github.com/tunneldoc/tunneldoc/diagnose/facts"

// anchorIndex finds, in one pass over a line, which signatures' anchors
// occur in it. Trying every anchor with strings.Contains costs one scan of
// the line per signature; this costs one scan per line: a 64 Kbit table of
// the anchors' first two bytes filters positions, a map of their first
// three bytes names the candidates, and a prefix compare confirms.
type anchorIndex struct {
	first2 [1 << 16 / 64]uint64
	byKey  map[uint32][]int // first three bytes -> signature indexes
	short  []int            // anchors shorter than three bytes: checked the slow way
	sigs   []facts.Signature
}

func newAnchorIndex(sigs []facts.Signature) *anchorIndex {
	ix := &anchorIndex{byKey: map[uint32][]int{}, sigs: sigs}
	for i, s := range sigs {
		a := s.Anchor
		if len(a) < 3 {
			ix.short = append(ix.short, i)
			continue
		}
		k2 := uint32(a[0])<<8 | uint32(a[1])
		ix.first2[k2/64] |= 1 << (k2 % 64)
		k3 := uint32(a[0])<<16 | uint32(a[1])<<8 | uint32(a[2])
		ix.byKey[k3] = append(ix.byKey[k3], i)
	}
	return ix
}

// match sets hit[i] for every signature whose anchor occurs in s; hit
// must have len(sigs) entries and come in cleared.
func (ix *anchorIndex) match(s string, hit []bool) (any bool) {
	for i := 0; i+2 < len(s); i++ {
		k2 := uint32(s[i])<<8 | uint32(s[i+1])
		if ix.first2[k2/64]&(1<<(k2%64)) == 0 {
			continue
		}
		k3 := k2<<8 | uint32(s[i+2])
		for _, si := range ix.byKey[k3] {
			a := ix.sigs[si].Anchor
			if !hit[si] && len(s)-i >= len(a) && s[i:i+len(a)] == a {
				hit[si] = true
				any = true
			}
		}
	}
	for _, si := range ix.short {
		if containsShort(s, ix.sigs[si].Anchor) {
			hit[si] = true
			any = true
		}
	}
	return any
}

func containsShort(s, a string) bool {
	if a == "" {
		return true
	}
	for i := 0; i+len(a) <= len(s); i++ {
		if s[i:i+len(a)] == a {
			return true
		}
	}
	return false
}
