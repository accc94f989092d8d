// Package diagnose is tunneldoc's diagnosis engine: text in, findings out.
//
// It is pure: no network, files, processes, goroutines, clocks, Slack,
// SSH or Redis (a test parses its imports). Callers hand it what an
// engineer pasted or what devices returned; it splits the text into
// sections (split.go), reads each with the vendor parser tables
// (diagnose/ios, diagnose/asa, diagnose/strongswan), and reasons over the
// facts with one rule table (rules.go). The result is the Report of
// ../shared/CONTRACT.md. Every quoted line passes through diagnose/redact.
package diagnose
