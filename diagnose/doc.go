// Package diagnose is tunneldoc's diagnosis engine: text in, findings out.
//
// It is pure: no network, files, processes, clocks, Slack, SSH or Redis,
// and no goroutines (a test parses its sources). A diagnosis runs on its
// caller's goroutine, in one pass over the input:
//
//  1. engine.go reads physical lines (clean.go drops control bytes, chat
//     and markdown debris and timestamps), finds prompts and command
//     echoes (command.go), and cuts the input into sections: a command's
//     output, output recognised by its header, or a run of log lines.
//  2. Each log line (wrapped lines joined again) is read by the line
//     parsers of the vendors that claim it (events.go): its signatures
//     turn it into observations (facts.Event). Each show section is read,
//     when it ends, by its vendor parser (show.go); an output too long to
//     hold is read in parts that read the same as the whole.
//  3. The rules (rules.go, one table) run over the facts grouped by peer
//     (view.go) and give the Report of ../shared/CONTRACT.md (build.go).
//
// State is a few small structs: engine (the pass), section (the section
// being read), matcher (what log reading remembers from line to line) and
// view (one peer, for the rules). The vendor tables live in their own
// packages (diagnose/ios, asa, strongswan, libreswan, gateways), listed in
// tables.go. Every quoted line passes through diagnose/redact. Memory is bounded whatever the input:
// MaxLineBytes, MaxSectionLines, MaxEventsPerKey, MaxEvents, MaxFacts,
// MaxPeers and MaxFindings.
package diagnose
