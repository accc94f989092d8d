package diagnose

import (
	"github.com/tunneldoc/tunneldoc/diagnose/facts"
	"github.com/tunneldoc/tunneldoc/diagnose/gateways"
)

// gatewayFixes: what to check or change, in each gateway's own CLI or
// screens, for the causes its log readers (package gateways) lead to.
// A cause a gateway has no lines for here gets the generic ones.
var gatewayFixes = map[facts.Vendor]map[string][]string{
	gateways.VendorJunos: {
		CausePeerUnreachable: {
			"Check the peer answers on UDP/500 (UDP/4500 with NAT-T): its `show security ike security-associations` should list us",
			"Check routing to <peer> (`show route <peer>`, `ping <peer> source <outside address>`) and that the IKE gateway's `address` (`show configuration security ike gateway`) is the peer's real outside address",
			"Check that the outside zone or interface takes IKE in (`host-inbound-traffic system-services ike`) and that firewalls on the path allow UDP/500, UDP/4500 and ESP both ways",
		},
		CauseIKEProposalMismatch: {
			"Compare the IKE proposals on both ends (`show configuration security ike proposal`, and the `proposals` of the IKE policy): authentication method, DH group, encryption and authentication algorithm must match in at least one",
			"Change one side so one proposal matches exactly, then `clear security ike security-associations <peer>` and bring the tunnel up again",
		},
		CausePSKMismatch: {
			"Re-enter the pre-shared key of the IKE policy for <peer> on both ends (`edit security ike policy <policy>`); copy-paste slips and trailing spaces are the usual cause",
			"Check the IKE gateway's `local-identity` and `remote-identity` match what the peer sends and expects",
		},
		CauseMissingPeerConfig: {
			"Add or correct the IKE gateway for <peer> (`show configuration security ike gateway`): its `address` and `external-interface` must match how the peer connects, with an IKE policy and its key",
		},
		CauseIKEVersionMismatch: {
			"Set the same IKE version on both ends: `version v1-only` or `version v2-only` in the IKE gateway",
		},
		CauseTrafficSelectorMismatch: {
			"Make the proxy identities mirror images: on a route-based VPN set `proxy-identity local <network> remote <network>` (or a `traffic-selector`) under `security ipsec vpn <vpn>` to the peer's remote and local networks; on a policy-based VPN the policy's addresses are the proxy identities",
			"Then `clear security ipsec security-associations` and send traffic across the tunnel",
		},
		CauseESPProposalMismatch: {
			"Compare the IPsec proposals on both ends (`show configuration security ipsec proposal`, and the `proposals` and `perfect-forward-secrecy keys` of the IPsec policy): protocol, encryption and authentication algorithm and the PFS group must match",
			"Change one side, then `clear security ipsec security-associations` and send traffic across the tunnel",
		},
	},
	gateways.VendorPANOS: {
		CausePeerUnreachable: {
			"Check the peer answers on UDP/500 (UDP/4500 with NAT-T): its own IKE SA list should show us",
			"Check routing to <peer> (`test routing fib-lookup virtual-router default ip <peer>`) and that the IKE gateway's Peer Address is the peer's real outside address",
			"Check that nothing on the path drops UDP/500, UDP/4500 or ESP, then start phase 1 again with `test vpn ike-sa gateway <gateway>`",
		},
		CauseIKEProposalMismatch: {
			"Compare the gateway's IKE Crypto profile (Network > Network Profiles > IKE Crypto) and its version and exchange mode with the peer's phase 1: DH group, encryption and authentication must match",
			"Change one side, commit, then `clear vpn ike-sa gateway <gateway>` and `test vpn ike-sa gateway <gateway>`",
		},
		CausePSKMismatch: {
			"Re-enter the same pre-shared key on both ends (Network > IKE Gateways > <gateway>), commit, then `clear vpn ike-sa gateway <gateway>`",
			"Check the gateway's Local Identification and Peer Identification match what the peer sends and expects",
		},
		CauseMissingPeerConfig: {
			"Add or correct the IKE gateway for <peer> (Network > IKE Gateways): its Interface and Local IP Address must be where the peer's packets arrive, its Peer IP Address the address they come from",
		},
		CauseIKEVersionMismatch: {
			"Set the IKE gateway's Version (IKEv1 only mode, IKEv2 only mode, IKEv2 preferred mode) to what the peer speaks",
		},
		CauseTrafficSelectorMismatch: {
			"Set Proxy IDs on the IPSec tunnel (Network > IPSec Tunnels > <tunnel> > Proxy IDs) that mirror the peer's: the local network here is the remote one there",
			"Then `clear vpn ipsec-sa tunnel <tunnel>` and `test vpn ipsec-sa tunnel <tunnel>`",
		},
		CauseESPProposalMismatch: {
			"Compare the tunnel's IPSec Crypto profile (Network > Network Profiles > IPSec Crypto) with the peer's phase 2: ESP encryption, authentication and DH group (PFS) must match",
			"Change one side, commit, then `clear vpn ipsec-sa tunnel <tunnel>` and `test vpn ipsec-sa tunnel <tunnel>`",
		},
	},
	gateways.VendorFortiOS: {
		CausePeerUnreachable: {
			"Check routing to <peer> (`execute ping <peer>`, `execute traceroute <peer>`) and that `remote-gw` of the phase 1 is the peer's real outside address",
			"Check the peer answers on UDP/500 (UDP/4500 with NAT-T): `diagnose sniffer packet any 'host <peer> and udp' 4` while the tunnel tries to come up",
		},
		CauseIKEProposalMismatch: {
			"Compare the phase 1 with the peer's (`config vpn ipsec phase1-interface`: `proposal`, `dhgrp`, `ike-version`, `mode`): one proposal and DH group must match",
			"Change one side, then `diagnose vpn ike gateway clear name <phase1>` and bring the tunnel up again",
		},
		CausePSKMismatch: {
			"Re-enter the same pre-shared key in the phase 1 on both ends (`config vpn ipsec phase1-interface`, `edit <phase1>`); copy-paste slips are the usual cause",
			"With several dial-up phase 1s in main mode on one interface, the first always answers: give each its own `peerid` in aggressive mode, or use certificates",
		},
		CauseMissingPeerConfig: {
			"Add or correct the phase 1 for <peer> (`config vpn ipsec phase1-interface`: `remote-gw`, `interface`, `peertype`)",
		},
		CauseIKEVersionMismatch: {
			"Set `ike-version` of the phase 1 to what the peer speaks (1 or 2)",
		},
		CauseTrafficSelectorMismatch: {
			"Make the phase-2 selectors mirror the peer's (`config vpn ipsec phase2-interface`: `src-subnet` and `dst-subnet`, or `src-name` and `dst-name`); `diagnose vpn tunnel list name <phase1>` shows the selectors in use",
		},
		CauseESPProposalMismatch: {
			"Compare the phase 2 with the peer's (`config vpn ipsec phase2-interface`: `proposal`, `pfs`, `dhgrp`), change one side, then bring the tunnel up again",
		},
	},
	gateways.VendorMikroTik: {
		CausePeerUnreachable: {
			"Check routing to <peer> (`/ping <peer>`, `/tool traceroute <peer>`) and that the address of the `/ip ipsec peer` is the peer's real outside address",
			"Check the firewall's input chain accepts UDP/500, UDP/4500 and ipsec-esp from <peer>, and that nothing on the path drops them",
		},
		CauseIKEProposalMismatch: {
			"Compare the peer's profile (`/ip ipsec profile print`: hash-algorithm, enc-algorithm, dh-group) and the `exchange-mode` of the `/ip ipsec peer` with the peer's phase 1",
		},
		CausePSKMismatch: {
			"Re-enter the same pre-shared key in the `/ip ipsec identity` of <peer> on both ends; copy-paste slips are the usual cause",
		},
		CauseMissingPeerConfig: {
			"Add an `/ip ipsec peer` with the address <peer> and an `/ip ipsec identity` for it",
		},
		CauseIKEVersionMismatch: {
			"Set the `exchange-mode` of the `/ip ipsec peer` to what the peer speaks (`ike2` for IKEv2, `main` or `aggressive` for IKEv1)",
		},
		CauseTrafficSelectorMismatch: {
			"Make the `/ip ipsec policy` src-address and dst-address the mirror image of the peer's networks",
		},
		CauseESPProposalMismatch: {
			"Compare `/ip ipsec proposal print` (auth-algorithms, enc-algorithms, pfs-group) with the peer's phase 2",
		},
	},
	gateways.VendorHuawei: {
		CausePeerUnreachable: {
			"Check routing to <peer> (`display ip routing-table <peer>`, `ping -a <outside address> <peer>`) and that the `remote-address` of the IKE peer is the peer's real outside address",
			"Check that UDP/500, UDP/4500 and ESP pass on the path both ways",
		},
		CauseIKEProposalMismatch: {
			"Compare `display ike proposal` (encryption-algorithm, authentication-algorithm, dh, authentication-method) with the peer's phase 1; the IKE peer's `ike-proposal` chooses which one is offered",
		},
		CausePSKMismatch: {
			"Re-enter the same pre-shared key in the IKE peer on both ends (`ike peer <name>`); copy-paste slips are the usual cause",
		},
		CauseMissingPeerConfig: {
			"Add or correct the IKE peer for <peer> (`display ike peer`: `remote-address`) and bind it in the IPsec policy",
		},
		CauseIKEVersionMismatch: {
			"Set the IKE version of the IKE peer (`ike peer <name>`) to what the peer speaks",
		},
		CauseTrafficSelectorMismatch: {
			"Make the ACL the IPsec policy protects (`display ipsec policy`, its `security acl`) the mirror image of the peer's",
		},
		CauseESPProposalMismatch: {
			"Compare `display ipsec proposal` (esp encryption-algorithm, esp authentication-algorithm) and the IPsec policy's `pfs` with the peer's phase 2",
		},
	},
	gateways.VendorZyXEL: {
		CauseIKEProposalMismatch: {
			"Compare the VPN rule's phase 1 settings (negotiation mode, encryption and authentication algorithm, key group) with the peer's",
		},
		CauseESPProposalMismatch: {
			"Compare the VPN rule's phase 2 settings (active protocol, encryption and authentication algorithm, perfect forward secrecy) with the peer's",
		},
		CauseTrafficSelectorMismatch: {
			"Make the VPN rule's local and remote address ranges the mirror image of the peer's: the local range here is the remote one there",
		},
	},
	gateways.VendorComware: {
		CauseIKEProposalMismatch: {
			"In phase 1, compare `display ike proposal` with the peer's: authentication method, authentication and encryption algorithm and DH group must match in one proposal",
			"In phase 2 (the IKE SA is up in `display ike sa`), compare the IPsec proposal or transform set of the IPsec policy (`display ipsec policy`) with the peer's: protocol, encryption and authentication algorithm",
			"Then `reset ike sa` and `reset ipsec sa` and send traffic across the tunnel",
		},
		CauseTrafficSelectorMismatch: {
			"Make the ACLs of the IPsec policies on both ends mirror images (`display ipsec policy`, `display acl <number>`): the source here is the destination there",
			"Then `reset ipsec sa` and send traffic across the tunnel",
		},
		CauseESPProposalMismatch: {
			"Compare the IPsec proposal or transform set of the IPsec policy (`display ipsec policy`) with the peer's: protocol, encryption and authentication algorithm, and PFS",
			"Then `reset ipsec sa` and send traffic across the tunnel",
		},
	},
	gateways.VendorAWS: {
		CauseIKEProposalMismatch: {
			"Offer AWS a phase 1 it supports: compare the customer gateway's phase-1 encryption, integrity and DH group with the tunnel options of the VPN connection (Modify VPN tunnel options), and drop algorithms AWS does not take, such as 3DES",
		},
		CauseESPProposalMismatch: {
			"Compare the customer gateway's phase-2 encryption, integrity and DH group (PFS) with the VPN connection's tunnel options; AWS's downloadable configuration for the device lists values that match",
		},
		CausePSKMismatch: {
			"Set the customer gateway's pre-shared key for this tunnel to the one of the VPN connection's tunnel options (each tunnel has its own); copy-paste slips are the usual cause",
		},
		CauseDPDPeerDead: {
			"The customer gateway stopped answering DPD: check it is up, that its route to the tunnel's outside address works and that UDP/500, UDP/4500 and ESP pass; the tunnel options' DPD timeout action decides whether AWS restarts the IKE session",
		},
	},
}

// gatewayNext: what to paste next from each gateway.
var gatewayNext = map[facts.Vendor]string{
	gateways.VendorJunos:    "Paste the kmd log while the tunnel comes up (`show log kmd`, or `show log messages | match kmd`), and `show security ike security-associations` and `show security ipsec security-associations` from both ends",
	gateways.VendorPANOS:    "Paste the VPN system log (`show log system subtype equal vpn`) and `show vpn ike-sa gateway <gateway>` and `show vpn ipsec-sa tunnel <tunnel>` from both ends",
	gateways.VendorFortiOS:  "Paste `diagnose debug application ike -1` taken while the tunnel comes up (with `diagnose debug enable`), and `diagnose vpn ike gateway list` and `diagnose vpn tunnel list` from both ends",
	gateways.VendorMikroTik: "Paste `/log print where topics~\"ipsec\"` taken while the tunnel comes up, and `/ip ipsec active-peers print` and `/ip ipsec installed-sa print` from both ends",
	gateways.VendorHuawei:   "Paste `display ike sa`, `display ipsec sa` and the IPSEC alarms of `display logbuffer` from both ends",
	gateways.VendorZyXEL:    "Paste the IPSec log taken while the tunnel comes up, and the SA monitor, from both ends",
	gateways.VendorComware:  "Paste `display ike sa`, `display ipsec sa` and the output of `debugging ike error` taken while the tunnel comes up, from both ends",
	gateways.VendorAWS:      "Paste the tunnel activity log of both tunnels (CloudWatch Logs, VpnLogDetail) and the customer gateway's own IKE log from the same minutes",
}

func init() {
	for vendor, byCause := range gatewayFixes {
		for cause, lines := range byCause {
			if fixes[cause] == nil {
				fixes[cause] = map[facts.Vendor][]string{}
			}
			fixes[cause][vendor] = lines
		}
	}
	for vendor, next := range gatewayNext {
		nextPaste[vendor] = next
	}
}
