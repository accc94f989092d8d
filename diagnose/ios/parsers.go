package ios

import (
	"regexp"
	"strings"

	"github.com/tunneldoc/tunneldoc/diagnose/facts"
)

// Parser names. They are also the kinds recorded in Facts.Empty.
const (
	NameIsakmpSA      = "ios/show crypto isakmp sa"
	NameIKEv2SA       = "ios/show crypto ikev2 sa"
	NameIPsecSA       = "ios/show crypto ipsec sa"
	NameCryptoSession = "ios/show crypto session"
	NameIsakmpPolicy  = "ios/show crypto isakmp policy"
	NameTransformSet  = "ios/show crypto ipsec transform-set"
	NameCryptoMap     = "ios/show crypto map"
	NameAccessLists   = "ios/show access-lists"
	NameIPRoute       = "ios/show ip route"
	NameIPCEF         = "ios/show ip cef"
	NamePing          = "ios/ping"
	cmdIsakmpSA       = `^show crypto isakmp sa\b`
	cmdIKEv2SA        = `^show crypto ikev2 sa\b`
	cmdIPsecSA        = `^show crypto ipsec sa\b`
	cmdCryptoSession  = `^show crypto session\b`
	cmdIsakmpPolicy   = `^show crypto isakmp (default )?policy\b`
	cmdTransformSet   = `^show crypto ipsec transform-set\b`
	cmdCryptoMap      = `^show crypto map\b`
	cmdAccessLists    = `^show (ip |ipv6 )?access-lists?\b`
	cmdIPRoute        = `^show ip route (vrf \S+ )?[0-9]`
	cmdIPCEF          = `^show ip cef (vrf \S+ )?[0-9]`
	cmdPing           = `^ping\b`
)

// Parsers is the IOS / IOS-XE show-command table, one entry per command.
var Parsers = []facts.Parser{
	{
		Name: NameIsakmpSA, Vendor: facts.VendorIOS,
		Command: regexp.MustCompile(cmdIsakmpSA),
		Header: func(l string) bool {
			l = trimHeading(l)
			return hasPrefixFold(l, "IPv4 Crypto ISAKMP SA") || hasPrefixFold(l, "IPv6 Crypto ISAKMP SA") ||
				hasPrefixFold(l, "dst ") && indexFold(l, " src") > 0 && indexFold(l, "state") > 0 ||
				hasPrefixFold(l, "C-id ") && indexFold(l, "Local") > 0 ||
				hasPrefixFold(l, "Codes: C - IKE configuration mode")
		},
		Parse: ParseIsakmpSA,
	},
	{
		Name: NameIKEv2SA, Vendor: facts.VendorIOS,
		Command: regexp.MustCompile(cmdIKEv2SA),
		Header: func(l string) bool {
			l = trimHeading(l)
			return hasPrefixFold(l, "IPv4 Crypto IKEv2") || hasPrefixFold(l, "IPv6 Crypto IKEv2") ||
				hasPrefixFold(l, "Tunnel-id") && indexFold(l, "fvrf/ivrf") > 0
		},
		Parse: ParseIKEv2SA(facts.VendorIOS, NameIKEv2SA),
	},
	{
		Name: NameIPsecSA, Vendor: facts.VendorIOS,
		Command: regexp.MustCompile(cmdIPsecSA),
		Header: func(l string) bool {
			l = trimHeading(l)
			// "interface:" in lower case: `show crypto session` opens its
			// peers with "Interface:", which must not start an ipsec sa section
			return strings.HasPrefix(l, "interface: ") && len(strings.Fields(l)) == 2 ||
				hasPrefixFold(l, "protected vrf:") ||
				hasPrefixFold(l, "Crypto map tag:") && indexFold(l, "seq num") < 0
		},
		Parse: ParseIPsecSA(facts.VendorIOS, NameIPsecSA),
		Cut:   CutIPsecSA,
	},
	{
		Name: NameCryptoSession, Vendor: facts.VendorIOS,
		Command: regexp.MustCompile(cmdCryptoSession),
		Header: func(l string) bool {
			l = trimHeading(l)
			// without its heading (`show crypto session interface X detail`,
			// a partial paste) the output opens with the code legend or with
			// "Interface:" in capitals (ipsec sa prints it in lower case)
			return hasPrefixFold(l, "Crypto session current status") || strings.HasPrefix(l, "Code: C - IKE Configuration mode") ||
				strings.HasPrefix(l, "Interface: ") && len(strings.Fields(l)) == 2
		},
		Parse: parseCryptoSession,
	},
	{
		Name: NameIsakmpPolicy, Vendor: facts.VendorIOS,
		Command: regexp.MustCompile(cmdIsakmpPolicy),
		Header: func(l string) bool {
			l = trimHeading(l)
			return hasPrefixFold(l, "Global IKE policy") || hasPrefixFold(l, "Protection suite of priority") ||
				hasPrefixFold(l, "Default protection suite")
		},
		Parse: parseIsakmpPolicy,
	},
	{
		Name: NameTransformSet, Vendor: facts.VendorIOS,
		Command: regexp.MustCompile(cmdTransformSet),
		Header: func(l string) bool {
			l = trimHeading(l)
			return hasPrefixFold(l, "Transform set ") && strings.Contains(l, "{")
		},
		Parse: parseTransformSet,
	},
	{
		Name: NameCryptoMap, Vendor: facts.VendorIOS,
		Command: regexp.MustCompile(cmdCryptoMap),
		Header: func(l string) bool {
			l = trimHeading(l)
			return hasPrefixFold(l, "Crypto Map") && strings.Contains(l, "\"")
		},
		Parse: parseCryptoMap,
	},
	{
		Name: NameAccessLists, Vendor: facts.VendorIOS,
		Command: regexp.MustCompile(cmdAccessLists),
		Header: func(l string) bool {
			l = trimHeading(l)
			return hasPrefixFold(l, "Extended IP access list ") || hasPrefixFold(l, "Standard IP access list ") ||
				hasPrefixFold(l, "IPv6 access list ")
		},
		Parse: ParseAccessLists,
	},
	{
		Name: NameIPRoute, Vendor: facts.VendorIOS,
		Command: regexp.MustCompile(cmdIPRoute),
		Header: func(l string) bool {
			l = trimHeading(l)
			return hasPrefixFold(l, "Routing entry for ") || hasPrefixFold(l, "% Network not in table") ||
				hasPrefixFold(l, "% Subnet not in table")
		},
		Parse: parseIPRoute,
	},
	{
		Name: NameIPCEF, Vendor: facts.VendorIOS,
		Command: regexp.MustCompile(cmdIPCEF),
		Header: func(l string) bool {
			l = trimHeading(l)
			return l != "" && (isHexDigit(l[0]) || l[0] == '.' || l[0] == ':') && strings.IndexByte(l, '/') > 0 && cefHeader.MatchString(l)
		},
		Parse: parseIPCEF,
	},
	{
		Name: NamePing, Vendor: facts.VendorIOS,
		Command: regexp.MustCompile(cmdPing),
		Header: func(l string) bool {
			l = trimHeading(l)
			return hasPrefixFold(l, "Type escape sequence to abort") ||
				hasPrefixFold(l, "Sending ") && indexFold(l, "-byte ICMP Echos to ") > 0
		},
		Parse: parsePing,
	},
}

// isHexDigit: cefHeader's first byte, tested before the regexp runs.
func isHexDigit(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

var cefHeader = regexp.MustCompile(`^[0-9a-fA-F.:]+/\d+(, (version|epoch) \d+.*)?$`)
