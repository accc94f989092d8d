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
// A diagnosis uses two goroutines: the caller's cuts the input into lines
// and sections, a worker matches log lines and parses show output, in
// input order (worker.go). The worker ends before Diagnose returns, so
// nothing outlives a call and the report is the same as one goroutine's.
package diagnose
