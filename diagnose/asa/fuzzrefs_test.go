package asa

import (
	"testing"

	"github.com/tunneldoc/tunneldoc/diagnose/facts"
)

// checkRefs fails when a fact the parsers read from sec points at a line
// outside sec (evidence would then quote a line that is not there).
func checkRefs(t *testing.T, sec *facts.Section, fs *facts.Facts) {
	t.Helper()
	first, last := sec.First(), sec.LastLine()
	check := func(what string, r facts.Ref) {
		if r.Line < first || r.Line > last {
			t.Fatalf("%s: line %d outside %d..%d", what, r.Line, first, last)
		}
	}
	for _, x := range fs.IKESAs {
		check("IKE SA", x.Ref)
	}
	for _, x := range fs.IPsecSAs {
		check("IPsec SA", x.Ref)
		for k, n := range x.Lines {
			check("IPsec SA "+k, facts.Ref{Line: n})
		}
	}
	for _, x := range fs.Sessions {
		check("session", x.Ref)
		for _, fl := range x.Flows {
			check("flow", fl.Ref)
		}
	}
	for _, x := range fs.Events {
		check("event "+string(x.Kind), x.Ref)
	}
	for _, x := range fs.Routes {
		check("route", x.Ref)
	}
	for _, x := range fs.Pings {
		check("ping", x.Ref)
	}
	for _, x := range fs.Policies {
		check("policy", x.Ref)
	}
	for _, x := range fs.TransformSets {
		check("transform set", x.Ref)
	}
	for _, x := range fs.CryptoMaps {
		check("crypto map", x.Ref)
	}
	for _, x := range fs.ACLs {
		check("ACL", x.Ref)
	}
	for k, r := range fs.Empty {
		if r.Line != 0 { // 0: the section as a whole (no header line was read)
			check("empty "+k, r)
		}
	}
}
