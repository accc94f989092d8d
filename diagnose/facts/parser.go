package facts

import "regexp"

// Parser reads one kind of section. Vendor packages export a table of
// these; package diagnose chains the tables. A new command is one new entry
// plus one testdata case.
type Parser struct {
	// Name is the kind recorded on the section, e.g. "ios/show crypto isakmp sa".
	Name   string
	Vendor Vendor
	// Command matches the expanded command echo (e.g. `^show crypto isakmp sa\b`).
	// Nil means the parser is only chosen by its content header.
	Command *regexp.Regexp
	// Header reports whether a cleaned line (leading spaces trimmed) opens
	// this parser's output when no prompt was pasted. Nil: never by content.
	Header func(line string) bool
	// Parse appends what the section holds to f. It must not panic on any
	// input and must keep no reference to sec after returning.
	Parse func(sec *Section, f *Facts)
	// Cut, when set, lets a long output be parsed in pieces while the rest
	// of it is still being read. It is asked about each line (cleaned,
	// leading spaces trimmed) and answers CutHere where a block starts that
	// Parse reads the same on its own given the headings above it; a
	// heading slot (1, 2, ...) for a line the blocks below it depend on (an
	// interface, a crypto map); CutStop when the rest of the output cannot
	// be cut safely; or CutNo. The engine keeps the latest heading of each
	// slot (one of slot 1 drops all the others) and repeats them, in input
	// order and with their own line numbers, at the head of every piece, so
	// the pieces' facts equal the whole output's.
	Cut func(line string) int
}

// Answers of Parser.Cut besides a heading slot.
const (
	CutNo   = 0
	CutHere = -1
	CutStop = -2
)

// LineParser recognises one debug or log line. Log parsers run over every
// line of log sections (debug output interleaves with anything).
type LineParser struct {
	Name   string
	Vendor Vendor
	// Prefix reports cheaply whether the line is this vendor's log line at
	// all; Signatures are tried only then.
	Prefix     func(line string) bool
	Signatures []Signature
}

// Signature is one debug/log wording with the protocol meaning it carries.
type Signature struct {
	// ID names the signature in tests ("ios/atts-not-acceptable").
	ID string
	// Anchor is a literal that must occur in the line (case-sensitive);
	// it is the cheap test that runs before Re.
	Anchor string
	// Re, when set, must match too; named groups "peer", "state" and
	// "detail" fill the event.
	Re    *regexp.Regexp
	Event EventKind
	// State, when set, is recorded on the event (e.g. "CONF_XAUTH").
	State string
	// Extract, when set, is used instead of Re: a hand-written reader for
	// the few wordings that occur on most debug lines, where a regexp
	// would be most of the engine's time. at is where Anchor starts.
	Extract func(line string, at int) (peer, state, detail string, ok bool)
}

// PrefixSet tells whether a line starts with one of a set of literals,
// trying only those that share the line's first two bytes: the vendors'
// line parsers ask it about every line of every paste.
type PrefixSet struct {
	byFirst [256][]string
	second  [256][4]uint64 // the second bytes the prefixes of each first byte have
}

// NewPrefixSet indexes prefixes (non-empty literals).
func NewPrefixSet(prefixes ...string) *PrefixSet {
	p := &PrefixSet{}
	for _, s := range prefixes {
		if s == "" {
			continue
		}
		c := s[0]
		p.byFirst[c] = append(p.byFirst[c], s)
		if len(s) == 1 {
			p.second[c] = [4]uint64{^uint64(0), ^uint64(0), ^uint64(0), ^uint64(0)}
		} else {
			p.second[c][s[1]>>6] |= 1 << (s[1] & 63)
		}
	}
	return p
}

// Match reports whether s starts with one of the prefixes.
func (p *PrefixSet) Match(s string) bool {
	if s == "" {
		return false
	}
	c := s[0]
	if len(s) > 1 && p.second[c][s[1]>>6]&(1<<(s[1]&63)) == 0 {
		return false
	}
	for _, q := range p.byFirst[c] {
		if len(s) >= len(q) && s[:len(q)] == q {
			return true
		}
	}
	return false
}
