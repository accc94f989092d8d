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
// table, the scratch positions, the readings of recent lines, and what
// is kept per event key.
type anchorIndex struct {
	*anchorTable
	pos []int32
	low []byte // the line lower-cased, for mayMatch
	// memo: the readings of the lines read lately, by text (see read)
	memo     map[string]int32
	readings []lineReading
	scratch  lineReading
	// lookups and hits of the memo lately; skip: lines to read without
	// it (lines that do not repeat only pay for keeping them)
	lookups, hits, skip int
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

// lineReading is what matchLog reads from a line's text alone, before the
// engine's state (the local addresses, the last peer, the phase context)
// is applied: the vendors claiming it, the addresses, the packet phrases, the IOS connection id,
// and the signatures that matched with what they read.
type lineReading struct {
	mask               uint64 // the line parsers that claim it (prefixMask)
	addrs              []addrWord
	sending, receiving bool
	conn               string
	hits               []sigHit
}

// sigHit is one signature that matched a line and what it read.
type sigHit struct {
	parser, sig int32 // sig: its index in the parser's Signatures
	// fromRe: read by Re. Its "peer" groups that matched are in peers,
	// in order (matchLog keeps the last one that is not local). Extract:
	// peers[0] is its peer.
	fromRe    bool
	npeers    int8
	peers     [maxPeerGroups]string
	more      []string // the "peer" groups past maxPeerGroups
	state     string
	stateSet  bool
	detail    string
	detailSet bool
}

// maxPeerGroups: "peer" groups of one regexp kept in place (no signature
// has more today); a line whose regexp matched more is read again each
// time, not kept.
const maxPeerGroups = 2

// memoLines: readings kept; past it the memo starts again empty. 0: none
// kept. A variable only so that a test can compare with no memo at all.
var memoLines = 4096

// The memo is left aside for memoSkip lines when fewer than a quarter of
// the last memoProbe lines were found in it.
const (
	memoProbe = 1024
	memoSkip  = 4 * memoProbe
)

// memoMaxLen: longer lines are not kept (they hold memory, and repeat
// less).
const memoMaxLen = 1024

// read returns the reading of text by e's line parsers. A debug session
// repeats the same messages (retransmissions, keepalives, one exchange
// after another): the text once cleaned of its timestamp is often one
// read before, and reading it (which vendors claim it included) is a pure
// function of the text, so the last memoLines readings are kept. The
// reading is valid until the next call.
func (ix *anchorIndex) read(e *engine, text string) *lineReading {
	if len(text) > memoMaxLen || memoLines == 0 || ix.skip > 0 {
		ix.skip = max(ix.skip-1, 0)
		ix.readInto(&ix.scratch, e, text)
		return &ix.scratch
	}
	if ix.lookups++; ix.lookups == memoProbe {
		if ix.hits < memoProbe/4 {
			ix.skip = memoSkip // few repeats: read the next lines without the memo
		}
		ix.lookups, ix.hits = 0, 0
	}
	if n, ok := ix.memo[text]; ok {
		ix.hits++
		return &ix.readings[n]
	}
	if ix.memo == nil {
		ix.memo = map[string]int32{}
	}
	if len(ix.memo) >= memoLines {
		clear(ix.memo)
		ix.readings = ix.readings[:0]
	}
	n := len(ix.readings)
	if n < cap(ix.readings) {
		ix.readings = ix.readings[:n+1] // reuse the slices of a reading forgotten
	} else {
		ix.readings = append(ix.readings, lineReading{})
	}
	r := &ix.readings[n]
	if !ix.readInto(r, e, text) {
		ix.readings = ix.readings[:n] // not kept: read again next time
		ix.scratch, *r = *r, ix.scratch
		return &ix.scratch
	}
	ix.memo[text] = int32(n)
	return r
}

// readInto reads text into r (its slices reused); keep: r may be kept.
func (ix *anchorIndex) readInto(r *lineReading, e *engine, text string) (keep bool) {
	keep = true
	lps := e.lineParsers
	r.mask = e.prefixMask(&e.workMask, text)
	allowed := ^uint64(0) // no vendor claims the line: every one is tried
	if r.mask != 0 {
		allowed = r.mask
	}
	pos := ix.pos
	clear(pos)
	anyAnchor := ix.match(text, allowed, pos)
	phrase := pos[ix.phrase:]
	r.sending = phrase[phraseSending] != 0
	r.receiving = !r.sending && phrase[phraseReceived] != 0
	r.addrs = addrsInto(r.addrs[:0], text, 4)
	r.conn = connID(text)
	r.hits = r.hits[:0]
	if !anyAnchor {
		return keep
	}
	var low []byte // text lower-cased, once a signature needs it
	for i := range lps {
		if i < 64 && allowed&(1<<i) == 0 || i >= 64 && allowed != ^uint64(0) {
			continue
		}
		at := pos[ix.offset[i]:]
		for j := range lps[i].Signatures {
			sig := &lps[i].Signatures[j]
			if at[j] == 0 {
				continue
			}
			h := sigHit{parser: int32(i), sig: int32(j)}
			if sig.Extract != nil {
				peer, state, detail, ok := sig.Extract(text, int(at[j]-1))
				if !ok {
					continue
				}
				h.peers[0], h.npeers = peer, 1
				h.state, h.stateSet = state, state != ""
				h.detail, h.detailSet = detail, true
			} else if sig.Re != nil {
				g := ix.offset[i] + j
				if !ix.mayMatch(g, text, &low, &ix.low) {
					continue
				}
				from := ix.reFrom(g, text, int(at[j]-1))
				if from < 0 {
					continue
				}
				rest := text[from:]
				m := sig.Re.FindStringSubmatchIndex(rest)
				if m == nil {
					continue
				}
				h.fromRe = true
				for gi, name := range sig.Re.SubexpNames() {
					if name == "" || m[2*gi] < 0 {
						continue
					}
					v := rest[m[2*gi]:m[2*gi+1]]
					switch name {
					case "peer":
						if int(h.npeers) == maxPeerGroups {
							h.more = append(h.more, v) // more groups than any signature has today
							keep = false
							continue
						}
						h.peers[h.npeers] = v
						h.npeers++
					case "state":
						h.state, h.stateSet = strings.ReplaceAll(strings.TrimSpace(v), " ", ""), true
					case "detail":
						h.detail, h.detailSet = strings.TrimSpace(v), true
					}
				}
			}
			r.hits = append(r.hits, h)
		}
	}
	return keep
}
