package facts

import (
	"regexp"
	"strings"
)

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
	// Only lines of MinLineLen bytes or more are asked.
	Header func(line string) bool
	// Silent: the command prints nothing at all when it has nothing to
	// list (swanctl --list-sas), so its echo with no output is read too:
	// Parse gets the section with no lines and may record an empty table
	// at the echo's line. Commands that print a heading even then, or
	// that print nothing when they fail, leave it unset: their missing
	// output is no evidence.
	Silent bool
	// Parse appends what the section holds to f. It must not panic on any
	// input and must keep no reference to sec after returning.
	Parse func(sec *Section, f *Facts)
	// Cut, when set, lets an output too long to hold (MaxSectionLines) be
	// parsed in parts that read the same as the whole. It is asked about
	// each line (cleaned, leading spaces trimmed) and answers CutHere where
	// a block starts that Parse reads the same on its own given the
	// headings above it; a heading slot (1, 2, ...) for a line the blocks
	// below it depend on (an interface, a crypto map); CutStop when the
	// rest of the output cannot be cut safely; or CutNo. The engine keeps
	// the latest heading of each slot (one of slot 1 drops all the others)
	// and repeats them, in input order and with their own line numbers, at
	// the head of every part.
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
	// all; Signatures are tried only then. Only lines of MinLineLen bytes
	// or more are asked.
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

// MinLineLen is the length (blanks trimmed) below which a line is neither
// a header nor a log line of any vendor: the engine asks Header and Prefix
// only about longer lines.
const MinLineLen = 3

// PrefixSet tells whether a line starts with one of a set of literals;
// only the literals that share the line's first byte are tried.
type PrefixSet struct {
	byFirst [256][]string
}

// NewPrefixSet indexes prefixes (non-empty literals).
func NewPrefixSet(prefixes ...string) *PrefixSet {
	p := &PrefixSet{}
	for _, s := range prefixes {
		if s != "" {
			p.byFirst[s[0]] = append(p.byFirst[s[0]], s)
		}
	}
	return p
}

// Match reports whether s starts with one of the prefixes.
func (p *PrefixSet) Match(s string) bool {
	if s == "" {
		return false
	}
	for _, q := range p.byFirst[s[0]] {
		if strings.HasPrefix(s, q) {
			return true
		}
	}
	return false
}
