package diagnose

import (
	"slices"
	"sort"
	"strings"

	"github.com/tunneldoc/tunneldoc/diagnose/facts"
)

// Show output is parsed when its section ends. An output longer than
// MaxSectionLines (or maxSectionBytes) is parsed in parts so that memory
// does not grow with it: all parts are one section (same index, name and
// summary), and the parser that read the first parts reads the rest. A
// parser with a Cut function has its parts cut where a block starts, its
// headings repeated at the head of each part, so that the parts read the
// same as the whole output; any other output is cut at a blank line.

// maxSectionBytes bounds the text of one part of a show output as
// MaxSectionLines bounds its lines.
const maxSectionBytes = 4 << 20

// longOutput is what the parts of one long show output share.
type longOutput struct {
	parser   *facts.Parser // the parser that read the first parts
	info     int           // 1 + the index of its SectionInfo; 0: none
	first    int           // the output's first line, once a part is parsed
	bytes    int           // of the lines of the part being read
	headings []heading     // the latest heading of each slot (facts.Parser.Cut)
	hasBlock bool          // the part being read holds a block
	noCut    bool          // the parser said CutStop
}

// heading is a line that the blocks below it depend on (facts.Parser.Cut).
type heading struct {
	slot      int
	n         int
	raw, text string
}

// cutLongOutput is asked about each show line (n, raw, text) before it
// is added: when the section is long enough and the line starts a new
// part, the part read so far is parsed and the section goes on with a
// new part. It reports whether it cut.
func (e *engine) cutLongOutput(n int, raw, text string) bool {
	s := e.sec
	long := &s.long
	long.bytes += len(raw)
	full := len(s.Lines) >= MaxSectionLines || long.bytes >= maxSectionBytes
	forced := len(s.Lines) >= MaxSectionLines+MaxSectionLines/4 || long.bytes >= maxSectionBytes+maxSectionBytes/4
	blocks := s.parser != nil && s.parser.Cut != nil && !long.noCut
	cut := forced
	if blocks {
		switch k := s.parser.Cut(strings.TrimLeft(text, " ")); {
		case k == facts.CutHere:
			cut = cut || full && long.hasBlock
			long.hasBlock = true
		case k == facts.CutStop:
			long.noCut = true
		case k > 0:
			if slot := k; slot == 1 {
				long.headings = long.headings[:0]
			} else {
				long.headings = slices.DeleteFunc(long.headings, func(h heading) bool { return h.slot == slot })
			}
			long.headings = append(long.headings, heading{k, n, raw, text})
		}
	} else if full && strings.TrimSpace(text) == "" {
		cut = true // blocks of show output end at a blank line
	}
	if !cut {
		return false
	}
	if long.first == 0 {
		long.first = s.First()
	}
	e.parseShow(s, true)
	next := &section{Section: s.Section, name: s.name, parser: s.parser, alts: s.alts, quoted: s.quoted, long: *long}
	// the parsed part's slices take the next part (a parser keeps no
	// reference to a section it has read)
	clear(s.Lines)
	clear(s.raw)
	next.Lines, next.raw, next.long.bytes = s.Lines[:0], s.raw[:0], len(raw)
	if blocks {
		for _, h := range long.headings {
			if h.n == n {
				continue // this very line: it comes next
			}
			next.Lines = append(next.Lines, facts.Line{N: h.n, Last: h.n, Text: h.text})
			next.raw = append(next.raw, h.raw)
			next.long.bytes += len(h.raw)
		}
	}
	next.long.headings = slices.Clone(long.headings)
	e.sec = next
	return true
}

// parseShow parses a show section (or a part of a long one: more).
func (e *engine) parseShow(s *section, more bool) {
	if len(s.Lines) == 0 {
		if s.parser != nil && s.parser.Silent && s.Echo > 0 && !more {
			safeParse(s.parser, &s.Section, e.facts)
			if e.emptyAdded(s.Index) {
				e.recognised++
				e.addInfo(SectionInfo{Command: s.name, Vendor: string(s.parser.Vendor), FirstLine: s.Echo, LastLine: s.Echo})
			}
		}
		return
	}
	if s.Piece == nil && more {
		s.Piece = map[string]string{} // shared by the parts
	}
	first := s.long.first
	if first == 0 {
		first = s.First()
	}
	if s.parser == nil {
		before := len(e.facts.ACLs)
		e.scanConfig(s)
		if len(e.facts.ACLs) > before {
			e.recognised++
			s.name = "configuration"
			e.addInfo(SectionInfo{Command: s.name, FirstLine: s.First(), LastLine: s.LastLine()})
		}
		return
	}
	if e.showFacts() >= MaxFacts {
		e.truncated = true // enough read to diagnose; memory stays bounded
		return
	}
	parser, alts := s.parser, s.alts
	if s.long.parser != nil {
		parser, alts = s.long.parser, nil // the reader of the first parts reads the rest
	}
	mark := e.factLens()
	before := e.showFacts()
	safeParse(parser, &s.Section, e.facts)
	for _, alt := range alts {
		if e.showFacts() > before || e.emptyAdded(s.Index) {
			break
		}
		parser = alt
		safeParse(alt, &s.Section, e.facts)
	}
	read := e.showFacts() > before || e.emptyAdded(s.Index)
	switch {
	case !read:
	case s.long.parser != nil: // one output read in parts: counted once
		if s.long.info > 0 {
			e.sections[s.long.info-1].LastLine = s.LastLine()
		}
	default:
		e.recognised++
		if len(e.sections) < maxSectionInfos {
			s.long.info = len(e.sections) + 1
		}
		e.addInfo(SectionInfo{Command: s.name, Vendor: string(parser.Vendor), FirstLine: first, LastLine: s.LastLine()})
	}
	if read && s.long.parser == nil {
		s.long.parser = parser
	}
	e.keepQuoted(s, mark)
}

// safeParse runs a parser; a parser bug on hostile input must not take the
// whole diagnosis down, so a panic drops that section's facts only.
func safeParse(parser *facts.Parser, sec *facts.Section, f *facts.Facts) {
	defer func() { _ = recover() }()
	parser.Parse(sec, f)
}

func (e *engine) emptyAdded(sec int) bool {
	for _, r := range e.facts.Empty {
		if r.Section == sec {
			return true
		}
	}
	return false
}

// showFacts is the number of facts read from show output.
func (e *engine) showFacts() int {
	f := e.facts
	return len(f.IKESAs) + len(f.IPsecSAs) + len(f.Sessions) + len(f.Routes) + len(f.Pings) +
		len(f.Policies) + len(f.TransformSets) + len(f.CryptoMaps) + len(f.ACLs) + len(f.Empty)
}

// factLens marks how many facts of each kind existed before a section was
// parsed, so that only the section's own facts are visited afterwards.
type factLens struct{ ike, ipsec, sess, routes, pings, pol, ts, maps, acls int }

func (e *engine) factLens() factLens {
	f := e.facts
	return factLens{len(f.IKESAs), len(f.IPsecSAs), len(f.Sessions), len(f.Routes), len(f.Pings), len(f.Policies), len(f.TransformSets), len(f.CryptoMaps), len(f.ACLs)}
}

// keepQuoted keeps the physical text of every line of s that the facts
// read from it (those past m) point at.
func (e *engine) keepQuoted(s *section, m factLens) {
	keep := func(r facts.Ref) {
		if r.Section != s.Index {
			return
		}
		i := sort.Search(len(s.Lines), func(i int) bool { return s.Lines[i].N >= r.Line })
		if i < len(s.Lines) && s.Lines[i].N == r.Line {
			e.quote(s, r.Line, s.raw[i])
		}
	}
	f := e.facts
	keepEach(f.IKESAs[m.ike:], keep, func(x facts.IKESA) facts.Ref { return x.Ref })
	for _, x := range f.IPsecSAs[m.ipsec:] {
		keep(x.Ref)
		if x.Ref.Section == s.Index {
			for _, n := range x.Lines {
				keep(facts.Ref{Section: s.Index, Line: n})
			}
		}
	}
	for _, x := range f.Sessions[m.sess:] {
		keep(x.Ref)
		for _, fl := range x.Flows {
			keep(fl.Ref)
		}
	}
	// The kinds whose facts point at one line each.
	keepEach(f.Routes[m.routes:], keep, func(x facts.Route) facts.Ref { return x.Ref })
	keepEach(f.Pings[m.pings:], keep, func(x facts.Ping) facts.Ref { return x.Ref })
	keepEach(f.Policies[m.pol:], keep, func(x facts.IKEPolicy) facts.Ref { return x.Ref })
	keepEach(f.TransformSets[m.ts:], keep, func(x facts.TransformSet) facts.Ref { return x.Ref })
	keepEach(f.CryptoMaps[m.maps:], keep, func(x facts.CryptoMapEntry) facts.Ref { return x.Ref })
	keepEach(f.ACLs[m.acls:], keep, func(x facts.ACLEntry) facts.Ref { return x.Ref })
	for _, r := range f.Empty {
		keep(r)
	}
}

// keepEach calls keep with the line every fact of xs points at.
func keepEach[T any](xs []T, keep func(facts.Ref), ref func(T) facts.Ref) {
	for _, x := range xs {
		keep(ref(x))
	}
}
