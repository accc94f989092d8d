package ios

import "github.com/tunneldoc/tunneldoc/diagnose/facts"

// CutIPsecSA is facts.Parser.Cut for `show crypto ipsec sa` (IOS and ASA
// share the layout and ParseIPsecSA). A block opens at its "local ident"
// line (the first line of every SA block in the IOS and ASA outputs we
// have, corpus included); it depends on the headings above it: the
// interface (which resets the others), the peer of a `peer X` filter, and
// the crypto map tag with the local address. A tag line without the local
// address would leave the previous one in force, so the rest is then read
// in one piece.
func CutIPsecSA(line string) int {
	t := trimHeading(line)
	switch {
	case hasPrefixFold(t, "there are no ipsec sa"), hasPrefixFold(t, "no sas found"):
		return facts.CutStop
	case hasPrefixFold(t, "interface:"):
		return 1
	case hasPrefixFold(t, "peer address:"):
		return 2
	case hasPrefixFold(t, "crypto map tag:"):
		if containsFold(t, "local addr") {
			return 3
		}
		return facts.CutStop
	case hasPrefixFold(t, "local ident"), hasPrefixFold(t, "local  ident"):
		return facts.CutHere
	}
	return facts.CutNo
}
