package compare

import (
	"slices"
	"strings"
)

// Configs typed by hand, or pasted from a terminal session, carry IOS's
// abbreviations: "int Gi0/1", "ip add 10.0.0.1 255.255.255.0",
// "cry isa pol 10", "cry map VPN 10 ipsec-isakmp", "set pe 1.2.3.4",
// "mat add ACL". The device accepts any unique prefix of a keyword; the
// parser reads the full words. iosGlobal and iosSub list the command paths the
// parser reads ("*" is an argument); expandAbbrev spells out a word that
// is the unique prefix of a keyword where the path allows one. A word
// that fits no path ends the expansion, so an unknown command is left as
// written.
//
// Two tables, because a sub-mode reads the same letters differently:
// "int" is interface at the top and integrity in an IKEv2 proposal.
var (
	iosGlobal = commandPaths(
		"hostname *", "name * *", "interface *", "ip access-list extended *", "ip access-list standard *",
		"ip route * * *", "ip nat inside source *",
		"crypto isakmp policy *", "crypto isakmp key * address *", "crypto isakmp key * hostname *", "crypto isakmp profile *",
		"crypto isakmp enable *", "crypto keyring *", "crypto ipsec transform-set *", "crypto ipsec profile *",
		"crypto ipsec security-association lifetime seconds *",
		"crypto map * interface *", "crypto map * local-address *", "crypto map * * ipsec-isakmp", "crypto dynamic-map * *",
		// ASA writes a map entry's settings on one line each
		"crypto map * * set peer *", "crypto map * * set pfs *", "crypto map * * match address *",
		"crypto map * * set ikev1 transform-set *", "crypto map * * set ikev2 ipsec-proposal *",
		"crypto map * * set security-association lifetime seconds *",
		"crypto ikev1 enable *", "crypto ikev2 enable *", "crypto ikev1 policy *", "crypto ipsec ikev1 transform-set *",
		"crypto ikev2 proposal *", "crypto ikev2 policy *", "crypto ikev2 keyring *", "crypto ikev2 profile *")
	iosSub = commandPaths(
		"host *", "subnet * *", "range * *", "fqdn *", "no shutdown", "shutdown", "description *",
		"ip address * *", "ip nat inside", "ip nat outside", "ip vrf forwarding *", "crypto map *",
		"set peer *", "set transform-set *", "set pfs *", "set security-association lifetime seconds *",
		"set ikev2-profile *", "set isakmp-profile *",
		"match address *", "match identity remote address *", "match identity remote fqdn *",
		"encryption *", "hash *", "authentication pre-share", "authentication rsa-sig",
		"authentication local pre-share", "authentication remote pre-share", "group *", "lifetime *",
		"integrity *", "prf *", "proposal *", "keyring local *", "keyring *", "identity local address *", "identity local fqdn *",
		"pre-shared-key address * key *", "pre-shared-key local *", "pre-shared-key remote *", "pre-shared-key *", "key *",
		"peer *", "address *", "reverse-route", "permit *", "deny *", "remark *",
		"tunnel source *", "tunnel destination *", "tunnel mode ipsec ipv4", "tunnel protection ipsec profile *",
		"mode tunnel", "mode transport")
)

func commandPaths(ps ...string) [][]string {
	out := make([][]string, 0, len(ps))
	for _, p := range ps {
		out = append(out, strings.Fields(p))
	}
	return out
}

// expandAbbrev returns words with every abbreviated keyword spelled out;
// it returns words itself when nothing changed.
func expandAbbrev(words []string, table [][]string) []string {
	cands := table
	var out []string
	for i, w := range words {
		var lit []string // distinct keywords at this position
		for _, p := range cands {
			if i >= len(p) {
				continue
			}
			if p[i] != "*" && !slices.Contains(lit, p[i]) {
				lit = append(lit, p[i])
			}
		}
		word := ""
		switch {
		case slices.Contains(lit, w):
			word = w
		case len(w) >= 2:
			var hits []string
			for _, k := range lit {
				if strings.HasPrefix(k, w) {
					hits = append(hits, k)
				}
			}
			// a keyword that the other hits extend ("key" and
			// "keyring") is the one meant.
			slices.SortFunc(hits, func(a, b string) int { return len(a) - len(b) })
			if len(hits) > 0 && !slices.ContainsFunc(hits, func(h string) bool { return !strings.HasPrefix(h, hits[0]) }) {
				word = hits[0]
			}
		}
		var next [][]string
		for _, p := range cands {
			if i < len(p) && (p[i] == word || word == "" && p[i] == "*") {
				next = append(next, p)
			}
		}
		if len(next) == 0 {
			break
		}
		if word != "" && word != w {
			if out == nil {
				out = append([]string(nil), words...)
			}
			out[i] = word
		}
		cands = next
	}
	if out == nil {
		return words
	}
	return out
}
