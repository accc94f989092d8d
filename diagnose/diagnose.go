package diagnose

import (
	"io"

	"github.com/tunneldoc/tunneldoc/diagnose/facts"
)

// Options steer one diagnosis.
type Options struct {
	// Vendor forces a vendor ("ios", "asa", "strongswan"); "" or "auto"
	// lets the engine decide from the text.
	Vendor string
	// Peer focuses the report on one peer address.
	Peer string
}

// Limits that keep memory bounded whatever is pasted.
const (
	// MaxLineBytes: a longer physical line is cut (the rest is not read).
	MaxLineBytes = 8 << 10
	// MaxSectionLines: a longer show output is parsed in parts of about
	// this many lines (at most a quarter more; see show.go).
	MaxSectionLines = 20_000
	// MaxEventsPerKey: events kept per (kind, peer, state); the rest are counted.
	MaxEventsPerKey = 16
	// MaxFacts: once this many SA rows, counters, routes and config facts
	// are held, further show sections are not parsed (a paste that large
	// already says what is wrong; memory must not grow with it).
	MaxFacts = 20_000
	// MaxEvents: once this many log events are kept, an event of a kind,
	// peer and state not seen before is counted, not kept (the summary
	// says so); events like those kept still replace the newest of theirs.
	MaxEvents = 20_000
	// MaxPeers: log events are kept for this many distinct peers (and
	// always for the one asked about); events naming further peers are
	// counted and the summary says so.
	MaxPeers = 1_000
	// MaxFindings: a report lists at most this many findings, worst first;
	// the summary says how many more there were.
	MaxFindings = 500
	// maxSectionInfos: sections kept for "what was read".
	maxSectionInfos = 1_000
	// maxConnIDs: IOS connection ids remembered (id -> peer).
	maxConnIDs = 4_096
)

// Diagnose reads text and returns the report.
// The lines are read in place (no copy): the text is in memory already.
func Diagnose(text string, opts Options) Report {
	e := newEngine(opts)
	e.readString(text)
	return e.report()
}

// DiagnoseReader reads r to its end, keeping bounded memory, and returns
// the report. The error is r's read error, if any; the report then covers
// what was read before it.
func DiagnoseReader(r io.Reader, opts Options) (Report, error) {
	e := newEngine(opts)
	err := e.read(r)
	return e.report(), err
}

// Facts returns what the engine read from text, for tests and tools.
func Facts(text string, opts Options) *facts.Facts {
	e := newEngine(opts)
	e.readString(text)
	return e.facts
}
