package diagnose

import "strings"

// fixes: what to check or change for each cause, first thing first.
// "<peer>" is replaced with the peer address.
var fixes = map[string][]string{
	CauseHealthy: {
		"Nothing to fix in IPsec: the SAs are up and traffic flows both ways; if users still see a problem, test the path beyond the tunnel (inside routing, ACLs, NAT, the application)",
	},
	CauseNoInterestingTraffic: {
		"Send traffic that matches the crypto ACL: ping from an inside host (or `ping <remote inside host> source <inside interface>`) towards the remote protected network",
		"Check the crypto map is applied to the outside interface (`show crypto map` -> Interfaces using crypto map), or that the tunnel interface is up with `tunnel protection ipsec profile`",
		"Check the crypto ACL really matches that traffic and that NAT does not rewrite it first (NAT exemption for the protected subnets)",
	},
	CausePeerUnreachable: {
		"Check the peer answers on UDP/500 (UDP/4500 with NAT-T): its `show crypto isakmp sa` should list us; check ACL hits or a capture on the peer's outside interface",
		"Check routing to <peer> from this device (`show ip route <peer>`, `ping <peer>` from the outside interface)",
		"Check the peer address configured here (crypto map `set peer`, tunnel-group name) is the peer's real outside address, and that IKE is enabled on the peer's outside interface (ASA `crypto ikev1 enable outside`, IOS crypto map applied)",
		"Check firewalls and the ISP path allow UDP/500, UDP/4500 and ESP (IP protocol 50) both ways",
	},
	CauseIKEProposalMismatch: {
		"Compare the phase-1 policies on both ends (IOS `show crypto isakmp policy`, ASA `show run crypto ikev1`/`ikev2`, strongSwan `proposals`): encryption, hash, authentication method and DH group must all match in at least one policy",
		"Change one side so one policy matches exactly, then `clear crypto isakmp sa` (ASA `clear crypto ikev1 sa <peer>`) and bring the tunnel up again",
	},
	CausePSKMismatch: {
		"Re-enter the pre-shared key for <peer> on both ends (IOS: the `crypto isakmp key` or keyring `pre-shared-key address` entry for <peer>; ASA: the IKEv1/IKEv2 pre-shared key under `tunnel-group <peer> ipsec-attributes`); copy-paste slips and trailing spaces are the usual cause",
		"Check the key is bound to the address the peer really uses (its outside address after any NAT)",
		"Clear the IKE SA and bring the tunnel up again",
	},
	CauseMissingPeerConfig: {
		"On the responder, add the configuration for <peer>: ASA `tunnel-group <peer> type ipsec-l2l` with its `ipsec-attributes` and pre-shared key; IOS a `crypto isakmp key` or keyring entry for <peer>; strongSwan a connection with `remote_addrs = <peer>` and a secret for it",
		"Check each side's configured peer address is the other's real outside address",
		"If the entry exists, compare the pre-shared keys: a key mismatch can look the same from this side",
	},
	CauseIDMismatch: {
		"Compare the IKE identities: what each end sends (address, FQDN, DN) and what the other expects (IOS `crypto isakmp identity` / ikev2 profile `match identity remote`, ASA `crypto isakmp identity`, strongSwan `local_id`/`remote_id`)",
		"Make them agree, then clear the IKE SA",
	},
	CauseCertInvalid: {
		"Check the clock on both ends (`show clock`, NTP): an unsynchronised clock makes a valid certificate look expired or not yet valid",
		"Check the certificate's validity dates and chain (`show crypto pki certificates`), and that the CRL is reachable (or revocation checking is set as intended)",
		"Renew or re-enroll the certificate if it has expired or was revoked",
	},
	CauseIKEVersionMismatch: {
		"Configure the same IKE version on both ends (IOS `crypto isakmp` vs `crypto ikev2` profile, ASA `crypto map ... set ikev1|ikev2` and `crypto ikev2 enable outside`, strongSwan `version = 1|2`)",
	},
	CauseNATTIssue: {
		"Find out whether a NAT device sits between the peers; if one does, NAT-T must be on at both ends and UDP/4500 allowed through",
		"If there is no NAT, try NAT-T off on both ends (ASA `no crypto isakmp nat-traversal`, IOS `no crypto ipsec nat-transparency udp-encapsulation`)",
	},
	CauseXauthFailure: {
		"Check the user name and password the client sends, and the AAA list the crypto map or isakmp profile uses for client authentication",
		"Check the AAA server is reachable and accepts the user (`test aaa group ...`)",
	},
	CauseModeConfigFailure: {
		"Check the address pool for the group has free addresses (IOS `ip local pool`, ASA `ip local pool` + `address-pool` in the tunnel-group / group-policy)",
		"Check the group authorization returns the pool and policy (AAA authorization network list, group-policy)",
	},
	CauseESPProposalMismatch: {
		"Compare the transform sets / IPsec proposals on both ends (`show crypto ipsec transform-set`, ASA `show run crypto ipsec`, strongSwan `esp_proposals`): ESP encryption and integrity must match",
		"Change one side so one transform set matches exactly, then clear the SAs (`clear crypto sa peer <peer>`) and send traffic again",
	},
	CauseTrafficSelectorMismatch: {
		"Make the crypto ACLs exact mirror images: this side's source is the peer's destination and vice versa, with the same masks (ASA: the same objects)",
		"Check for extra or overlapping ACL lines, and for NAT rewriting the protected addresses before encryption",
	},
	CausePFSMismatch: {
		"Use PFS with the same DH group on both ends, or on neither (IOS `set pfs groupN` in the crypto map, ASA `crypto map <map> <seq> set pfs groupN`, strongSwan a DH group in `esp_proposals`)",
	},
	CauseOneWayOutbound: {
		"The peer gets our ESP but sends nothing back: check on the peer that its decaps grow, its route to our protected network points into the tunnel, and its NAT exemption and ACLs let the return traffic through",
		"Check ESP (IP 50) or UDP/4500 is not dropped on the way back to us",
	},
	CauseOneWayInbound: {
		"This side decrypts but sends nothing into the tunnel: check the route to the remote protected network (`show ip route <remote host>`); on a hub add reverse-route injection (`reverse-route static` in the crypto map) or a static route",
		"Check the NAT exemption for the protected traffic on this side, and that the return traffic matches the crypto ACL",
	},
	CauseAntiReplayDrops: {
		"Find the reordering: QoS on the encrypting router or in the transit network (consistent queuing for the tunnel's traffic, crypto LLQ for voice)",
		"Then widen the replay window (`crypto ipsec security-association replay window-size 1024`); turning replay checks off is the last resort",
	},
	CauseDPDPeerDead: {
		"Check the peer is up and reachable: `ping <peer>` from the outside interface, and its own view of the tunnel",
		"Check the path for drops of UDP/500/4500 and ESP; if the path is fine, compare DPD / keepalive settings on both ends (`crypto isakmp keepalive`)",
	},
	CauseLifetimeMismatch: {
		"Use the same lifetimes on both ends, with phase 1 longer than phase 2 (e.g. 86400 s and 3600 s)",
		"If the tunnel flaps at rekey, check DPD settings and that both ends rekey the same way",
	},
	CauseMTUFragmentation: {
		"Lower the size of tunnelled packets: `ip tcp adjust-mss 1360` on the inside or tunnel interface, `ip mtu 1400` on a tunnel interface, or `crypto ipsec fragmentation before-encryption`",
		"Check that ICMP 'fragmentation needed' is not filtered on the path (PMTU discovery)",
	},
	CauseUnknown: {},
}

func fixFor(cause, peer string) []string {
	src := fixes[cause]
	out := make([]string, len(src))
	for i, s := range src {
		out[i] = strings.ReplaceAll(s, "<peer>", orX(peer))
	}
	return out
}
