// Package facts holds the vendor-neutral facts that parsers read out of
// device text (SA tables, counters, debug and log events, config lines) and
// the Parser table entry type. It is part of the pure diagnosis engine: it
// must not import net, os, os/exec, slack-go, x/crypto/ssh or go-redis, and
// it does no I/O.
//
// Flow: the splitter cuts a paste into Sections of logical Lines; for each
// section one Parser (chosen by command echo or content header) appends to
// a Facts value; the rules in package diagnose reason over the Facts.
package facts
