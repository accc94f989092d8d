package asa

import (
	"regexp"
	"strings"

	"github.com/tunneldoc/tunneldoc/diagnose/facts"
	"github.com/tunneldoc/tunneldoc/diagnose/ios"
)

// Parser names; also the kinds recorded in Facts.Empty.
const (
	NameIsakmpSA     = "asa/show crypto isakmp sa"
	NameIKEv2SA      = "asa/show crypto ikev2 sa"
	NameIPsecSA      = "asa/show crypto ipsec sa"
	NameVPNSessionDB = "asa/show vpn-sessiondb detail l2l"
	NameRunCryptoMap = "asa/show running-config crypto map"
	NameRunIKEv1     = "asa/show running-config crypto ikev1"
	NameRunIPsec     = "asa/show running-config ipsec"
	NameVPNSummary   = "asa/show vpn-sessiondb"
	NameAccessList   = "asa/show access-list"
	// EmptyIKEv1 is marked by "There are no IKEv1 SAs" (or an IKEv1
	// table with no rows), also inside `show crypto isakmp sa`.
	EmptyIKEv1 = "asa/ikev1 sa"
	// EmptyIKEv2 is marked by "There are no IKEv2 SAs".
	EmptyIKEv2 = "asa/ikev2 sa"
)

// trim drops markdown heading marks and surrounding space, and turns
// no-break spaces (pasted from web pages) into plain ones.
func trim(l string) string { return ios.TrimHeading(l) }

func hasPrefixFold(s, p string) bool { return ios.HasPrefixFold(s, p) }

// Parsers is the ASA show-command table, one entry per command.
var Parsers = []facts.Parser{
	{
		Name: NameIsakmpSA, Vendor: facts.VendorASA,
		Command: regexp.MustCompile(`^show crypto (isakmp|ikev1) sa\b`),
		Header: func(l string) bool {
			l = trim(l)
			return hasPrefixFold(l, "IKEv1 SAs:") || hasPrefixFold(l, "Active SA:") ||
				hasPrefixFold(l, "There are no IKEv1 SAs") || hasPrefixFold(l, "There are no isakmp sas") ||
				(l != "" && l[0] >= '0' && l[0] <= '9' && strings.Contains(l, "IKE Peer:") && isIKEPeerRow(l)) ||
				hasPrefixFold(l, "IKE Peer") && strings.Contains(l, "Type")
		},
		Parse: parseIsakmpSA,
	},
	{
		Name: NameIKEv2SA, Vendor: facts.VendorASA,
		Command: regexp.MustCompile(`^show crypto ikev2 sa\b`),
		Header: func(l string) bool {
			l = trim(l)
			return hasPrefixFold(l, "IKEv2 SAs:") || hasPrefixFold(l, "There are no IKEv2 SAs") ||
				hasPrefixFold(l, "Session-id:") && strings.Contains(l, "IKE count")
		},
		Parse: ios.ParseIKEv2SA(facts.VendorASA, EmptyIKEv2),
	},
	{
		Name: NameIPsecSA, Vendor: facts.VendorASA,
		Command: regexp.MustCompile(`^show crypto ipsec sa\b`),
		Header: func(l string) bool {
			l = trim(l)
			return hasPrefixFold(l, "peer address:") || hasPrefixFold(l, "There are no ipsec sas") ||
				hasPrefixFold(l, "Crypto map tag:") && strings.Contains(l, "seq num")
		},
		Parse: ios.ParseIPsecSA(facts.VendorASA, NameIPsecSA),
		Cut:   ios.CutIPsecSA,
	},
	{
		Name: NameVPNSessionDB, Vendor: facts.VendorASA,
		Command: regexp.MustCompile(`^show vpn-sessiondb (detail )?l2l\b`),
		Header: func(l string) bool {
			l = trim(l)
			return hasPrefixFold(l, "Session Type: LAN-to-LAN") || strings.HasPrefix(l, "Connection") && connectionRow.MatchString(l) ||
				hasPrefixFold(l, "INFO: There are presently no active sessions")
		},
		Parse: parseVPNSessionDB,
	},
	{
		Name: NameRunCryptoMap, Vendor: facts.VendorASA,
		Command: regexp.MustCompile(`^show running-config (all )?crypto map\b`),
		Header: func(l string) bool {
			// IOS config says "crypto map X 10 ipsec-isakmp" and then
			// indented "set" lines; ASA repeats the map on every line.
			l = trim(l)
			return strings.HasPrefix(l, "crypto map ") && asaCryptoMapLine.MatchString(l)
		},
		Parse: parseRunCryptoMap,
	},
	{
		Name: NameRunIKEv1, Vendor: facts.VendorASA,
		Command: regexp.MustCompile(`^show running-config (all )?crypto (ikev1|isakmp)\b`),
		Header: func(l string) bool {
			l = trim(l)
			return strings.HasPrefix(l, "crypto ikev1 policy ") && asaIKEv1Policy.MatchString(l)
		},
		Parse: parseRunIKEv1,
	},
	{
		Name: NameRunIPsec, Vendor: facts.VendorASA,
		Command: regexp.MustCompile(`^show running-config (all )?(crypto )?ipsec\b`),
		Header: func(l string) bool {
			l = trim(l)
			return hasPrefixFold(l, "crypto ipsec ikev1 transform-set ") || hasPrefixFold(l, "crypto ipsec ikev2 ipsec-proposal ")
		},
		Parse: parseRunIPsec,
	},
	{
		Name: NameVPNSummary, Vendor: facts.VendorASA,
		Command: regexp.MustCompile(`^show vpn-sessiondb( summary)?\s*($|\|)`),
		Header: func(l string) bool {
			return hasPrefixFold(trim(l), "VPN Session Summary")
		},
		Parse: parseVPNSummary,
	},
	{
		Name: NameAccessList, Vendor: facts.VendorASA,
		Command: regexp.MustCompile(`^show access-list\b`),
		Header: func(l string) bool {
			l = trim(l)
			return hasPrefixFold(l, "access-list ") && (strings.Contains(l, " elements") || strings.Contains(l, "(hitcnt=")) ||
				hasPrefixFold(l, "access-list cached ACL log flows")
		},
		Parse: parseAccessList,
	},
}

// asaIKEv1Policy: "crypto isakmp policy N" is left out, IOS config reads
// the same.
var asaIKEv1Policy = regexp.MustCompile(`^crypto ikev1 policy \d+$`)

var asaCryptoMapLine = regexp.MustCompile(`^crypto map \S+ (\d+ (match address|set) |interface \S+$)`)

// connectionRow opens one vpn-sessiondb connection block.
var connectionRow = regexp.MustCompile(`^Connection\s*:`)

// lowerASCII lower-cases ASCII letters only, keeping the byte length so
// that indexes found in the lowered text are valid in the original (s
// itself when it has no upper-case letter).
func lowerASCII(s string) string { return ios.LowerASCII(s) }
