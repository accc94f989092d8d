package diagnose

import (
	"regexp"
	"strings"

	"github.com/tunneldoc/tunneldoc/diagnose/facts"
	"github.com/tunneldoc/tunneldoc/diagnose/gateways"
)

// What to paste next, and where to look on the gateways, in each
// platform's own CLI. A report knows its platform (Report.Vendor); advice
// names only that platform's commands. Input whose platform was not
// recognised gets each platform's command with the platform beside it.

// pasteNext is what to paste when no rule matched (cause unknown), per
// platform. "<peer>" is replaced with the peer address.
var pasteNext = map[facts.Vendor][]string{
	pAny: {
		"Paste the IKE and IPsec SA state for <peer> from the device that terminates the tunnel: IOS `show crypto isakmp sa` (IKEv2 `show crypto ikev2 sa`) and `show crypto ipsec sa peer <peer>`; ASA the same and `show vpn-sessiondb detail l2l`; strongSwan `swanctl --list-sas`; libreswan `ipsec status` and `ipsec trafficstatus`",
		"If the tunnel does not come up, paste the negotiation taken while traffic tries to cross it: IOS `debug crypto isakmp` (IKEv2 `debug crypto ikev2`), ASA `debug crypto ikev1 127` (IKEv2 `debug crypto ikev2 protocol 127`), strongSwan charon's log, libreswan pluto's log",
	},
	pIOS: {
		"Paste `show crypto isakmp sa` (IKEv2 `show crypto ikev2 sa`) and `show crypto ipsec sa peer <peer>` from the device that terminates the tunnel",
		"If the tunnel does not come up, paste `debug crypto isakmp` (IKEv2 `debug crypto ikev2`) with `debug crypto ipsec`, taken while traffic tries to cross it (`show logging`)",
	},
	pASA: {
		"Paste `show crypto isakmp sa`, `show crypto ipsec sa peer <peer>` and `show vpn-sessiondb detail l2l filter name <peer>` from the device that terminates the tunnel",
		"If the tunnel does not come up, paste `debug crypto ikev1 127` (IKEv2 `debug crypto ikev2 protocol 127`) taken while traffic tries to cross it",
	},
	pSW: {
		"Paste `swanctl --list-sas` (or `ipsec statusall`) and `swanctl --list-conns` from the host that terminates the tunnel",
		"If the tunnel does not come up, paste charon's log while it tries (`journalctl -u strongswan` or `swanctl --log` during `swanctl --initiate --child <child>`)",
	},
	pLSW: {
		"Paste `ipsec status` and `ipsec trafficstatus` from the host that terminates the tunnel",
		"If the tunnel does not come up, paste pluto's log while it tries (`journalctl -u ipsec`, or what `ipsec auto --up <conn>` prints)",
	},
}

// gatewayCLI is where to look on a gateway platform: its own commands
// (or, for a managed cloud gateway, its own tools) for each thing the
// advice points at. A gateway's hand-written lines (fixes_gateways.go)
// come first; these fill in the causes and the unknown-cause advice they
// have no lines for, so no gateway report falls back to the generic
// lines that name the other platforms' commands.
type gatewayCLI struct {
	name      string // the platform as users call it
	ikeSA     string // the IKE SAs with the peer
	ipsecSA   string // the IPsec SAs and their counters
	log       string // how to see the negotiation
	ikeConf   string // where phase-1 settings live (proposal, key, identities, version, DPD)
	ipsecConf string // where phase-2 settings live (proposal, PFS, selectors, lifetime)
	clear     string // how to make it negotiate again
}

var gatewayCLIs = map[facts.Vendor]gatewayCLI{
	gateways.VendorJunos: {
		name:      "Junos",
		ikeSA:     "`show security ike security-associations detail`",
		ipsecSA:   "`show security ipsec security-associations detail` (counters: `show security ipsec statistics`)",
		log:       "the kmd log: `request security ike debug-enable local <local address> remote <peer>`, then `show log kmd` (`request security ike debug-disable` after)",
		ikeConf:   "`show configuration security ike` (proposal, policy, gateway: pre-shared-key, local-identity / remote-identity, version, dead-peer-detection)",
		ipsecConf: "`show configuration security ipsec` (proposal, policy perfect-forward-secrecy, the vpn's proxy-identity / traffic-selector)",
		clear:     "`clear security ike security-associations <peer>` and `clear security ipsec security-associations`",
	},
	gateways.VendorScreenOS: {
		name:      "ScreenOS",
		ikeSA:     "`get ike cookies`",
		ipsecSA:   "`get sa` (one SA in detail: `get sa id <id>`)",
		log:       "`get event`, or `debug ike detail` then `get db stream` (`undebug all` after)",
		ikeConf:   "`get config | include ike` (the gateway's proposal, preshare, local-id / peer-id, mode)",
		ipsecConf: "`get config | include vpn` (the vpn's proposal, PFS group, proxy-id)",
		clear:     "`clear sa <id>`",
	},
	gateways.VendorYamaha: {
		name:      "Yamaha RTX",
		ikeSA:     "`show ipsec sa gateway <gateway> detail`",
		ipsecSA:   "`show ipsec sa gateway <gateway> detail` and `show status tunnel <tunnel>`",
		log:       "`syslog debug on`, then `show log`",
		ikeConf:   "`show config` (`ipsec ike encryption`, `ipsec ike hash`, `ipsec ike group`, `ipsec ike pre-shared-key`, `ipsec ike local id` / `ipsec ike remote id`, `ipsec ike remote address`)",
		ipsecConf: "`show config` (`ipsec sa policy`, `ipsec ike pfs`, `ipsec ike local id` / `ipsec ike remote id` networks)",
		clear:     "`ipsec sa delete all`",
	},
	gateways.VendorPANOS: {
		name:      "PAN-OS",
		ikeSA:     "`show vpn ike-sa gateway <gateway>`",
		ipsecSA:   "`show vpn ipsec-sa tunnel <tunnel>` (counters: `show vpn flow tunnel-id <id>`)",
		log:       "`less mp-log ikemgr.log` (more detail with `debug ike global on debug`) and `show log system subtype eq vpn`, while `test vpn ike-sa gateway <gateway>` runs",
		ikeConf:   "the IKE gateway and its IKE crypto profile (Network > Network Profiles; pre-shared key, local / peer identification, version, dead peer detection)",
		ipsecConf: "the IPSec crypto profile (DH group for PFS, lifetime) and the IPSec tunnel's proxy IDs",
		clear:     "`clear vpn ike-sa gateway <gateway>` and `clear vpn ipsec-sa tunnel <tunnel>`, then `test vpn ipsec-sa tunnel <tunnel>`",
	},
	gateways.VendorFortiOS: {
		name:      "FortiOS",
		ikeSA:     "`diagnose vpn ike gateway list name <phase1>`",
		ipsecSA:   "`diagnose vpn tunnel list name <phase1>` (enc/dec counters)",
		log:       "`diagnose vpn ike log-filter dst-addr4 <peer>`, `diagnose debug application ike -1`, `diagnose debug enable` (`diagnose debug disable` after)",
		ikeConf:   "`show vpn ipsec phase1-interface <phase1>` (proposal, dhgrp, psksecret, localid / peerid, ike-version, dpd)",
		ipsecConf: "`show vpn ipsec phase2-interface` (proposal, pfs and dhgrp, src-subnet / dst-subnet, keylifeseconds)",
		clear:     "`diagnose vpn ike gateway clear name <phase1>`",
	},
	gateways.VendorAzure: {
		name:      "Azure VPN gateway",
		ikeSA:     "`az network vpn-connection show -g <resource group> -n <connection>` (connectionStatus)",
		ipsecSA:   "`az network vpn-connection show -g <resource group> -n <connection>` (ingressBytesTransferred / egressBytesTransferred)",
		log:       "Network Watcher VPN troubleshoot (`az network watcher troubleshooting start --resource-type vnetGateway ...`: IKEErrors.txt, IKElogs.txt)",
		ikeConf:   "the connection's IPsec/IKE policy (`az network vpn-connection ipsec-policy list -g <resource group> --connection-name <connection>`), its shared key (`az network vpn-connection shared-key show`) and the local network gateway's address (`az network local-gateway show`)",
		ipsecConf: "the connection's IPsec/IKE policy (`az network vpn-connection ipsec-policy list -g <resource group> --connection-name <connection>`: IPsec encryption and integrity, PFS group, SA lifetime) and the local network gateway's address prefixes",
		clear:     "`az network vnet-gateway reset -g <resource group> -n <gateway>`",
	},
	gateways.VendorMikroTik: {
		name:      "RouterOS",
		ikeSA:     "`/ip ipsec active-peers print`",
		ipsecSA:   "`/ip ipsec installed-sa print` (its byte and packet counts)",
		log:       "`/log print where topics~\"ipsec\"` (with `/system logging add topics=ipsec,!packet`)",
		ikeConf:   "`/ip ipsec peer print`, `/ip ipsec profile print` (hash, encryption, DH group, lifetime, DPD) and `/ip ipsec identity print` (secret, my-id, remote-id)",
		ipsecConf: "`/ip ipsec proposal print` (auth and enc algorithms, pfs-group, lifetime) and `/ip ipsec policy print` (src-address / dst-address)",
		clear:     "`/ip ipsec active-peers kill-connections` and `/ip ipsec installed-sa flush`",
	},
	gateways.VendorHuawei: {
		name:      "Huawei VRP",
		ikeSA:     "`display ike sa`",
		ipsecSA:   "`display ipsec sa` (counters: `display ipsec statistics`)",
		log:       "the IPSEC alarms of `display logbuffer`",
		ikeConf:   "`display ike proposal` and `display ike peer` (pre-shared key, local / remote id, IKE version)",
		ipsecConf: "`display ipsec proposal` and `display ipsec policy` (PFS, the ACL, SA duration)",
		clear:     "`reset ike sa` and `reset ipsec sa`",
	},
	gateways.VendorComware: {
		name:      "Comware",
		ikeSA:     "`display ike sa`",
		ipsecSA:   "`display ipsec sa` (counters: `display ipsec statistics`)",
		log:       "`debugging ike error` (with `terminal debugging`), or `display logbuffer`",
		ikeConf:   "`display ike proposal` and the IKE profile and keychain in `display current-configuration`",
		ipsecConf: "`display ipsec policy` (transform set, PFS, the ACL, SA lifetime)",
		clear:     "`reset ike sa` and `reset ipsec sa`",
	},
	gateways.VendorZyXEL: {
		name:      "ZyXEL",
		ikeSA:     "the SA monitor (Monitor > VPN Monitor > IPSec)",
		ipsecSA:   "the SA monitor (Monitor > VPN Monitor > IPSec: its traffic counts)",
		log:       "the IPSec log (Monitor > Log, category IPSec)",
		ikeConf:   "the VPN gateway (Configuration > VPN > IPSec VPN > VPN Gateway: proposal, pre-shared key, local and peer ID)",
		ipsecConf: "the VPN connection (Configuration > VPN > IPSec VPN > VPN Connection: policy, phase 2 proposal, PFS)",
		clear:     "disconnect the connection in the SA monitor",
	},
	gateways.VendorAWS: {
		name:      "AWS Site-to-Site VPN",
		ikeSA:     "`aws ec2 describe-vpn-connections --vpn-connection-ids <connection>` (VgwTelemetry: each tunnel's status)",
		ipsecSA:   "`aws ec2 describe-vpn-connections --vpn-connection-ids <connection>` (VgwTelemetry) and the customer gateway's own SA counters",
		log:       "the tunnel activity log of both tunnels (CloudWatch Logs, VpnLogDetail)",
		ikeConf:   "the VPN connection's tunnel options (phase 1 encryption, integrity and DH groups, IKE versions, pre-shared key, DPD)",
		ipsecConf: "the VPN connection's tunnel options (phase 2 encryption, integrity and DH groups) and the customer gateway's protected networks",
		clear:     "`aws ec2 replace-vpn-tunnel --vpn-connection-id <connection> --vpn-tunnel-outside-ip-address <tunnel address>`",
	},
	gateways.VendorRacoon: {
		name:      "the racoon-based VPN gateway",
		ikeSA:     "the gateway's IPsec connection status (on a racoon host `racoonctl show-sa isakmp`)",
		ipsecSA:   "the gateway's IPsec connection status (on a racoon host `setkey -D`)",
		log:       "the IPsec connection's log (racoon's lines) while the tunnel tries to come up",
		ikeConf:   "the IPsec connection's IKE settings (version, mode, encryption, hash, DH group, pre-shared key, local / remote id)",
		ipsecConf: "the IPsec connection's IPsec settings (encryption, hash, PFS DH group, SA lifetime) and its local / remote networks",
		clear:     "reset the IPsec connection (on a racoon host `racoonctl delete-sa`)",
	},
}

// gatewayLine is the line of a gateway's fix that says where to look on
// that platform for a cause.
func gatewayLine(g gatewayCLI, cause string) string {
	switch cause {
	case CauseHealthy:
		return ""
	case CausePeerUnreachable, CauseDPDPeerDead:
		return "On " + g.name + ": " + g.ikeSA + " shows whether the peer answers; " + g.log + " shows requests sent and nothing received"
	case CauseNoInterestingTraffic, CauseOneWayOutbound, CauseOneWayInbound, CauseAntiReplayDrops, CauseMTUFragmentation:
		return "On " + g.name + ": watch the counters in " + g.ipsecSA + " while traffic is sent, twice a few seconds apart"
	case CauseESPProposalMismatch, CausePFSMismatch, CauseTrafficSelectorMismatch, CauseLifetimeMismatch:
		return "On " + g.name + ": compare " + g.ipsecConf + " with the peer's, and read the negotiation in " + g.log + "; after a change, " + g.clear
	}
	return "On " + g.name + ": compare " + g.ikeConf + " with the peer's, and read the negotiation in " + g.log + "; after a change, " + g.clear
}

// otherPlatforms matches a parenthesis that names commands (a backtick
// inside): the generic lines list each platform's command there.
var otherPlatforms = regexp.MustCompile(" ?\\([^()]*`[^()]*\\)")

// neutral is a generic fix line without the other platforms' commands.
func neutral(s string) string {
	return strings.TrimSpace(otherPlatforms.ReplaceAllString(s, ""))
}

// gatewayFix is a cause's fix on a gateway platform: the generic lines
// without other platforms' commands, then where to look on this one.
func gatewayFix(g gatewayCLI, cause string) []string {
	var out []string
	for _, s := range fixes[cause][pAny] {
		if strings.Contains(s, "crypto map") {
			continue // Cisco's word: the gateway's own line says where to look
		}
		out = append(out, neutral(s))
	}
	if l := gatewayLine(g, cause); l != "" {
		out = append(out, l)
	}
	return out
}

// gatewayNextOf is a thin diagnosis's "paste this next" on a gateway
// that has no hint of its own in gatewayNext.
func gatewayNextOf(g gatewayCLI) string {
	return "Paste " + g.ikeSA + " and " + g.ipsecSA + ", and " + g.log + ", taken while the tunnel tries to come up"
}

// PasteNext is what to paste when nothing could be concluded, in the
// platform's own CLI (vendor as Report.Vendor names it; "" or unknown:
// each platform's command beside its name).
func PasteNext(vendor, peer string) []string {
	v := facts.Vendor(vendor)
	var src []string
	switch g, ok := gatewayCLIs[v]; {
	case ok:
		src = []string{
			"Paste " + g.ikeSA + " and " + g.ipsecSA + " for <peer>",
			"If the tunnel does not come up, paste " + g.log + ", taken while traffic tries to cross it",
		}
	default:
		if src, ok = pasteNext[v]; !ok {
			src = pasteNext[pAny]
		}
	}
	out := make([]string, len(src))
	for i, s := range src {
		out[i] = strings.ReplaceAll(s, "<peer>", orX(peer))
	}
	return out
}
