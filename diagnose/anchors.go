package diagnose

import (
	"bytes"
	"math/bits"
	"regexp"
	"regexp/syntax"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/tunneldoc/tunneldoc/diagnose/facts"
)

// anchorTable finds, in one pass over a line, which signatures' anchors
// occur in it and where, for every line parser at once. Trying every
// anchor with strings.Contains costs one scan of the line per signature;
// this costs one scan per line: each position's next three bytes are
// hashed into a 128 Kbit table of the anchors' first three bytes, a rank
// over that table names the few candidates, and a compare confirms.
// Built once per set of line parsers, then only read (by any number of
// diagnoses at once).
type anchorTable struct {
	bits   [anchorBits / 64]uint64
	rank   [anchorBits / 64]uint32 // set bits in the words before
	start  []uint32                // bucket r is entries[start[r]:start[r+1]]
	entry  []anchorEntry
	short  []anchorEntry // anchors shorter than three bytes: checked the slow way
	nsigs  int
	offset []int // parser i's signatures are numbered from offset[i]
	// kept: the signature slices indexed (see anchorTables)
	kept [][]facts.Signature
	// rePrefix, by signature: the literal every match of its Re starts
	// with, and whether that literal starts with the anchor
	rePrefix   []string
	reAtAnchor []bool
	// reNeeds, by signature: what a line must hold (ASCII case folded)
	// for its Re to match, when the Re has no literal prefix; nil: no test
	reNeeds []*litCond
	// phrase: the number of the first of phrases
	phrase int
}

// phrases are looked for in every log line (matchLog's local addresses),
// whichever vendor claims it.
var phrases = [...]string{"sending packet: from", "received packet: from"}

const (
	phraseSending = iota
	phraseReceived
)

const anchorBits = 1 << 17

type anchorEntry struct {
	anchor string
	sig    int32 // global signature number
	parser uint8 // 64: a phrase, whatever the parsers allowed
}

func anchorHash(k uint32) uint32 { return (k * 0x9E3779B1) >> (32 - 17) }

func newAnchorTable(lps []facts.LineParser) *anchorTable {
	t := &anchorTable{}
	buckets := map[uint32][]anchorEntry{}
	for p := range lps {
		t.offset = append(t.offset, t.nsigs)
		t.kept = append(t.kept, lps[p].Signatures)
		for _, s := range lps[p].Signatures {
			en := anchorEntry{anchor: s.Anchor, sig: int32(t.nsigs), parser: uint8(min(p, 63))}
			prefix := ""
			if s.Re != nil {
				prefix, _ = s.Re.LiteralPrefix()
			}
			t.rePrefix = append(t.rePrefix, prefix)
			var need *litCond
			if s.Re != nil && prefix == "" {
				need = needs(s.Re)
			}
			t.reNeeds = append(t.reNeeds, need)
			t.reAtAnchor = append(t.reAtAnchor, prefix != "" && strings.HasPrefix(prefix, s.Anchor))
			t.nsigs++
			a := s.Anchor
			if len(a) < 3 {
				t.short = append(t.short, en)
				continue
			}
			h := anchorHash(uint32(a[0]) | uint32(a[1])<<8 | uint32(a[2])<<16)
			t.bits[h/64] |= 1 << (h % 64)
			buckets[h] = append(buckets[h], en)
		}
	}
	// the phrases matchLog reads local addresses from, found in the
	// same scan (numbered after the signatures, claimed by no parser)
	t.phrase = t.nsigs
	for _, a := range phrases {
		en := anchorEntry{anchor: a, sig: int32(t.nsigs), parser: 64}
		t.nsigs++
		h := anchorHash(uint32(a[0]) | uint32(a[1])<<8 | uint32(a[2])<<16)
		t.bits[h/64] |= 1 << (h % 64)
		buckets[h] = append(buckets[h], en)
	}
	n := uint32(0)
	for w := range t.bits {
		t.rank[w] = n
		n += uint32(bits.OnesCount64(t.bits[w]))
	}
	t.start = make([]uint32, 0, n+1)
	for w := range t.bits {
		for b := t.bits[w]; b != 0; b &= b - 1 {
			h := uint32(w*64 + bits.TrailingZeros64(b))
			t.start = append(t.start, uint32(len(t.entry)))
			t.entry = append(t.entry, buckets[h]...)
		}
	}
	t.start = append(t.start, uint32(len(t.entry)))
	return t
}

// match records in pos, for every signature of a parser in allowed (bit i
// = parser i) whose anchor occurs in s, and for every phrase in s, 1 +
// the index of its first occurrence; pos must have nsigs entries and come
// in cleared. any: a signature's anchor was found.
func (t *anchorTable) match(s string, allowed uint64, pos []int32) (any bool) {
	if len(s) < 3 {
		goto short
	}
	for k, e := uint32(s[0])<<8|uint32(s[1])<<16, 2; e < len(s); e++ {
		// k holds the three bytes that start at i, rolled along
		k = k>>8 | uint32(s[e])<<16
		i := e - 2
		h := anchorHash(k)
		w := t.bits[h/64]
		bit := uint64(1) << (h % 64)
		if w&bit == 0 {
			continue
		}
		r := t.rank[h/64] + uint32(bits.OnesCount64(w&(bit-1)))
		for _, en := range t.entry[t.start[r]:t.start[r+1]] {
			if en.parser < 64 && allowed&(1<<en.parser) == 0 || pos[en.sig] != 0 {
				continue
			}
			if a := en.anchor; len(s)-i >= len(a) && s[i:i+len(a)] == a {
				pos[en.sig] = int32(i + 1)
				any = any || en.parser < 64
			}
		}
	}
short:
	for _, en := range t.short {
		if allowed&(1<<en.parser) == 0 {
			continue
		}
		if i := strings.Index(s, en.anchor); i >= 0 {
			pos[en.sig] = int32(i + 1)
			any = true
		}
	}
	return any
}

// reFrom is where in s a match of signature sig's Re can start at the
// earliest, its anchor being at at: a regexp's match starts with its
// literal prefix, so the text before the prefix's first occurrence cannot
// hold one (and a regexp with a prefix starts with no empty-width test
// that would look before it). Matching from there gives the same match:
// a backtracking match costs in proportion to the text it is given.
// -1: the prefix is not in s, there is no match.
func (t *anchorTable) reFrom(sig int, s string, at int) int {
	switch p := t.rePrefix[sig]; {
	case p == "":
		return 0
	case t.reAtAnchor[sig]:
		return at
	default:
		return strings.Index(s, p)
	}
}

// litCond is a test a line must pass for a regexp to match it: literals
// (lower case) it must hold, all of them ('&') or one of them ('|').
// Lines are tested lower-cased, so it holds for case-folded regexps too,
// on ASCII lines (Unicode folds 'k' and 's' onto two non-ASCII letters:
// a line with a byte over 0x7f is not tested, its regexp just runs).
type litCond struct {
	op   byte // 'l' literal, '&' all of kids, '|' one of kids
	lit  []byte
	kids []*litCond
}

// needs works out the test for re from its syntax; nil when there is
// nothing to test (the regexp can match without any literal of three
// bytes or more).
func needs(re *regexp.Regexp) *litCond {
	rx, err := syntax.Parse(re.String(), syntax.Perl)
	if err != nil {
		return nil
	}
	return needsOf(rx)
}

func needsOf(rx *syntax.Regexp) *litCond {
	switch rx.Op {
	case syntax.OpLiteral:
		b := make([]byte, 0, len(rx.Rune))
		for _, r := range rx.Rune {
			if r >= utf8.RuneSelf {
				return nil
			}
			c := byte(r)
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			b = append(b, c)
		}
		if len(b) < 3 {
			return nil
		}
		return &litCond{op: 'l', lit: b}
	case syntax.OpCapture, syntax.OpPlus:
		return needsOf(rx.Sub[0])
	case syntax.OpRepeat:
		if rx.Min >= 1 {
			return needsOf(rx.Sub[0])
		}
		return nil
	case syntax.OpConcat:
		c := &litCond{op: '&'}
		for _, sub := range rx.Sub {
			if k := needsOf(sub); k != nil {
				c.kids = append(c.kids, k)
			}
		}
		switch len(c.kids) {
		case 0:
			return nil
		case 1:
			return c.kids[0]
		}
		return c
	case syntax.OpAlternate:
		c := &litCond{op: '|'}
		for _, sub := range rx.Sub {
			k := needsOf(sub)
			if k == nil {
				return nil // that branch needs nothing
			}
			c.kids = append(c.kids, k)
		}
		return c
	}
	return nil
}

// holds evaluates c on low, a lower-cased ASCII line.
func (c *litCond) holds(low []byte) bool {
	switch c.op {
	case 'l':
		return bytes.Contains(low, c.lit)
	case '&':
		for _, k := range c.kids {
			if !k.holds(low) {
				return false
			}
		}
		return true
	}
	for _, k := range c.kids {
		if k.holds(low) {
			return true
		}
	}
	return false
}

// mayMatch reports whether signature sig's Re may match s: false only
// when s lacks what every match holds. low caches s lower-cased (nil: not
// made yet; made when needed, into buf).
func (t *anchorTable) mayMatch(sig int, s string, low *[]byte, buf *[]byte) bool {
	c := t.reNeeds[sig]
	if c == nil {
		return true
	}
	if *low == nil {
		b := (*buf)[:0]
		for i := 0; i < len(s); i++ {
			ch := s[i]
			if ch >= utf8.RuneSelf {
				return true // not tested: see litCond
			}
			if 'A' <= ch && ch <= 'Z' {
				ch += 'a' - 'A'
			}
			b = append(b, ch)
		}
		*buf, *low = b, b
	}
	return c.holds(*low)
}

// anchorTables holds the tables built so far, by the signature tables
// they index (their addresses and lengths): the vendor tables are package
// data, so a table is built once per process for each vendor choice, not
// once per diagnosis. A table keeps its signature slices, so an address in
// a key is never reused for other signatures.
var anchorTables sync.Map // anchorKey -> *anchorTable

type anchorKey struct {
	n    int
	sigs [4]*facts.Signature
	lens [4]int
}

func anchorTableFor(lps []facts.LineParser) *anchorTable {
	if len(lps) > 4 {
		return newAnchorTable(lps) // not seen: the vendors have one each
	}
	k := anchorKey{n: len(lps)}
	for i := range lps {
		if sigs := lps[i].Signatures; len(sigs) > 0 {
			k.sigs[i], k.lens[i] = &sigs[0], len(sigs)
		}
	}
	if t, ok := anchorTables.Load(k); ok {
		return t.(*anchorTable)
	}
	t, _ := anchorTables.LoadOrStore(k, newAnchorTable(lps))
	return t.(*anchorTable)
}

// anchorIndex is the matching state of one engine's worker: the shared
// table, the scratch positions, and what is kept per event key.
type anchorIndex struct {
	*anchorTable
	pos []int32
	low []byte // the line lower-cased, for mayMatch
	// keys numbers the event keys seen; state[n] is key n's
	keys  map[evKey]int32
	state []keyState
}

// keyState: how many events of a key were seen, and where in
// facts.Events the newest kept one is.
type keyState struct {
	count int
	last  int
}

// key returns k's state, made on first sight.
func (ix *anchorIndex) key(k evKey) *keyState {
	n, ok := ix.keys[k]
	if !ok {
		n = int32(len(ix.state))
		ix.keys[k] = n
		ix.state = append(ix.state, keyState{})
	}
	return &ix.state[n]
}
