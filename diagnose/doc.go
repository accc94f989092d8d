// Package diagnose is tunneldoc's diagnosis engine: text in, findings out.
//
// It is pure: no network, files, processes, clocks, Slack, SSH or Redis
// (a test parses its imports). Callers hand it what an engineer pasted or
// what devices returned; it splits the text into sections (engine.go),
// reads each with the vendor parser tables (diagnose/ios, diagnose/asa,
// diagnose/strongswan), and reasons over the facts with one rule table
// (rules.go). The result is the Report of ../shared/CONTRACT.md. Every
// quoted line passes through diagnose/redact.
//
// A diagnosis uses up to four goroutines (worker.go): the caller's cuts
// the input into lines and sections; a matcher reads log lines against
// the signatures; a parser reads show output, a long one in pieces while
// the rest is still being read (facts.Parser.Cut); they hand work on in
// batches, in input order. With many peers the rules run on two goroutines
// (build.go). All of them end before Diagnose returns, so nothing outlives
// a call, and the report is the same as one goroutine's (tests run every
// case with one-item batches, one-line pieces and one report goroutine).
package diagnose
