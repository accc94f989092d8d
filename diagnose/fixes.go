package diagnose

import (
	"regexp"
	"strings"

	"github.com/tunneldoc/tunneldoc/diagnose/facts"
)

// Platforms a fix is written for: each names only its own commands.
// VendorUnknown is the text for input whose platform was not recognised;
// it names each platform's command with the platform beside it.
const (
	pAny = facts.VendorUnknown
	pIOS = facts.VendorIOS
	pASA = facts.VendorASA
	pSW  = facts.VendorStrongSwan
	pLSW = facts.VendorLibreswan
)

// fixes: what to check or change for each cause, first thing first, per
// platform. "<peer>" is replaced with the peer address.
var fixes = map[string]map[facts.Vendor][]string{
	CauseHealthy: {
		pAny: {"Nothing to fix in IPsec: the SAs are up and traffic flows both ways; if users still see a problem, test the path beyond the tunnel (inside routing, ACLs, NAT, the application)"},
	},
	CauseNoInterestingTraffic: {
		pAny: {
			"Send traffic that matches the crypto ACL / traffic selectors: ping from an inside host towards the remote protected network",
			"Check the crypto map or tunnel protection is applied (IOS/ASA `show crypto map`), or that the connection is loaded and set to start (strongSwan `swanctl --list-conns`, libreswan `ipsec status`)",
		},
		pIOS: {
			"Send traffic that matches the crypto ACL: `ping <remote inside host> source <inside interface>` towards the remote protected network",
			"Check the crypto map is applied to the outside interface (`show crypto map` -> Interfaces using crypto map), or that the tunnel interface is up with `tunnel protection ipsec profile`",
			"Check the crypto ACL really matches that traffic and that NAT does not rewrite it first (`show ip nat translations`; NAT exemption for the protected subnets)",
		},
		pASA: {
			"Send traffic that matches the crypto ACL from an inside host, or simulate it: `packet-tracer input inside icmp <inside host> 8 0 <remote host> detailed`",
			"Check the crypto map is applied to the outside interface (`show run crypto map`: `crypto map <map> interface outside`) and IKE is enabled there (`crypto ikev1 enable outside` / `crypto ikev2 enable outside`)",
			"Check the crypto ACL matches that traffic and the NAT exemption (`show run nat`, an identity `nat (inside,outside) source static ... destination static ...` for the protected subnets)",
		},
		pSW: {
			"Send traffic that matches the CHILD_SA's traffic selectors (ping from a host in `local_ts` to one in `remote_ts`), or start it by hand: `swanctl --initiate --child <child>`",
			"Check the connection is loaded (`swanctl --list-conns`) and starts on traffic or at load (`start_action = trap|start`; ipsec.conf `auto=route|start`)",
		},
		pLSW: {
			"Send traffic that matches the connection's `leftsubnet`/`rightsubnet`, or start it by hand: `ipsec auto --up <conn>`",
			"Check the connection is loaded (`ipsec status` lists it) and starts on traffic or at load (`auto=ondemand` or `auto=start` in ipsec.conf, then `ipsec auto --add <conn>`)",
		},
	},
	CausePeerUnreachable: {
		pAny: {
			"Check the peer answers on UDP/500 (UDP/4500 with NAT-T): its own SA list should show us; check a capture on the peer's outside interface",
			"Check routing to <peer> from this device and that the peer address configured here is the peer's real outside address",
			"Check firewalls and the ISP path allow UDP/500, UDP/4500 and ESP (IP protocol 50) both ways",
		},
		pIOS: {
			"Check the peer answers on UDP/500 (UDP/4500 with NAT-T): its `show crypto isakmp sa` should list us; check ACL hits on the peer's outside interface",
			"Check routing to <peer> from this device (`show ip route <peer>`, `ping <peer> source <outside interface>`)",
			"Check the peer address configured here (crypto map `set peer`) is the peer's real outside address, and that the peer has its crypto map applied",
			"Check firewalls and the ISP path allow UDP/500, UDP/4500 and ESP (IP protocol 50) both ways",
		},
		pASA: {
			"Check the peer answers on UDP/500 (UDP/4500 with NAT-T): `capture cap interface outside match udp host <peer> any eq 500`, then `show capture cap`",
			"Check routing to <peer> from this device (`show route <peer>`, `ping outside <peer>`)",
			"Check the peer address configured here (`show run crypto map | include set peer`, `show run tunnel-group <peer>`) is the peer's real outside address, and that IKE is enabled on the outside interface (`crypto ikev1 enable outside` / `crypto ikev2 enable outside`)",
			"Check firewalls and the ISP path allow UDP/500, UDP/4500 and ESP (IP protocol 50) both ways",
		},
		pSW: {
			"Check the peer answers on UDP/500 (UDP/4500 with NAT-T): `tcpdump -ni any udp port 500 or udp port 4500` here while `swanctl --initiate --child <child>` runs",
			"Check routing to <peer> (`ip route get <peer>`, `ping <peer>`) and that `remote_addrs` (ipsec.conf `right=`) is the peer's real outside address",
			"Check firewalls (`nft list ruleset` / `iptables -S`) and the ISP path allow UDP/500, UDP/4500 and ESP both ways, and that charon runs on the peer",
		},
		pLSW: {
			"Check the peer answers on UDP/500 (UDP/4500 with NAT-T): `tcpdump -ni any udp port 500 or udp port 4500` here while `ipsec auto --up <conn>` runs",
			"Check routing to <peer> (`ip route get <peer>`, `ping <peer>`) and that `right=` in the connection is the peer's real outside address",
			"Check firewalls (`nft list ruleset` / `iptables -S`) and the ISP path allow UDP/500, UDP/4500 and ESP both ways, and that pluto runs on the peer (`ipsec status` there)",
		},
	},
	CauseIKEProposalMismatch: {
		pAny: {
			"Compare the phase-1 proposals on both ends (IOS `show crypto isakmp policy`, ASA `show run crypto ikev1`/`ikev2`, strongSwan `proposals`, libreswan `ike=`): encryption, hash, authentication method and DH group must all match in at least one",
			"Change one side so one proposal matches exactly, then bring the tunnel up again",
		},
		pIOS: {
			"Compare the phase-1 policies on both ends (`show crypto isakmp policy`, IKEv2 `show crypto ikev2 proposal`): encryption, hash, authentication method and DH group must all match in at least one policy",
			"Change one side so one policy matches exactly, then `clear crypto isakmp sa` (IKEv2 `clear crypto ikev2 sa`) and send traffic again",
		},
		pASA: {
			"Compare the phase-1 policies on both ends (`show run crypto ikev1` / `show run crypto ikev2`): encryption, hash/integrity, authentication and DH group must all match in at least one policy",
			"Change one side so one policy matches exactly, then `clear crypto ikev1 sa <peer>` (IKEv2 `clear crypto ikev2 sa <peer>`) and send traffic again",
		},
		pSW: {
			"Compare the IKE proposals on both ends: `proposals` of the connection in swanctl.conf (ipsec.conf `ike=`); `swanctl --list-conns` shows what is loaded. Encryption, integrity/PRF and DH group must match in one proposal",
			"Change one side, `swanctl --load-conns`, then `swanctl --initiate --child <child>`",
		},
		pLSW: {
			"Compare the IKE proposals on both ends: `ike=` of the connection in ipsec.conf (`ipsec status` shows the loaded `IKE algorithms`). Encryption, integrity/PRF and DH group must match in one proposal",
			"Change one side, `ipsec auto --replace <conn>`, then `ipsec auto --up <conn>`",
		},
	},
	CausePSKMismatch: {
		pAny: {
			"Re-enter the pre-shared key for <peer> on both ends; copy-paste slips and trailing spaces are the usual cause",
			"Check the key is bound to the address or identity the peer really uses (its outside address after any NAT)",
		},
		pIOS: {
			"Re-enter the pre-shared key for <peer> on both ends (the `crypto isakmp key` or keyring `pre-shared-key address` entry for <peer>); copy-paste slips and trailing spaces are the usual cause",
			"Check the key is bound to the address the peer really uses (its outside address after any NAT)",
			"Then `clear crypto isakmp sa` and send traffic again",
		},
		pASA: {
			"Re-enter the pre-shared key for <peer> on both ends (`tunnel-group <peer> ipsec-attributes`, `ikev1 pre-shared-key` or `ikev2 remote-authentication pre-shared-key`); copy-paste slips and trailing spaces are the usual cause",
			"Check the tunnel-group name is the address the peer really uses (its outside address after any NAT)",
			"Then `clear crypto ikev1 sa <peer>` (IKEv2 `clear crypto ikev2 sa <peer>`) and send traffic again",
		},
		pSW: {
			"Re-enter the pre-shared key on both ends: the `secrets` `ike` entry in swanctl.conf whose `id` matches <peer> (ipsec.secrets `: PSK` line); copy-paste slips and trailing spaces are the usual cause",
			"Check the secret's `id` is the identity the peer really sends, then `swanctl --load-creds` and `swanctl --initiate --child <child>`",
		},
		pLSW: {
			"Re-enter the pre-shared key on both ends: the `: PSK` line in /etc/ipsec.secrets (or /etc/ipsec.d/*.secrets) for <peer>; copy-paste slips and trailing spaces are the usual cause",
			"Check the line's identities match `leftid`/`rightid` of the connection, then `ipsec auto --rereadsecrets` and `ipsec auto --up <conn>`",
		},
	},
	CauseMissingPeerConfig: {
		pAny: {
			"On the responder, add the configuration for <peer> (ASA `tunnel-group <peer> type ipsec-l2l`; IOS a `crypto isakmp key` or keyring entry; strongSwan a connection with `remote_addrs = <peer>`; libreswan a conn with `right=<peer>`) and a pre-shared key for it",
			"Check each side's configured peer address is the other's real outside address",
		},
		pIOS: {
			"On the responder, add the configuration for <peer>: an ISAKMP pre-shared key for address <peer> (global, or in a keyring) and a crypto map entry with `set peer <peer>`",
			"Check each side's configured peer address is the other's real outside address",
			"If the entry exists, compare the pre-shared keys: a key mismatch can look the same from this side",
		},
		pASA: {
			"On the responder, add the configuration for <peer>: `tunnel-group <peer> type ipsec-l2l` with its `ipsec-attributes` and pre-shared key, and a crypto map entry with `set peer <peer>`",
			"Check each side's configured peer address is the other's real outside address (`show run tunnel-group`)",
			"If the entry exists, compare the pre-shared keys: a key mismatch can look the same from this side",
		},
		pSW: {
			"On the responder, add a connection for <peer> in swanctl.conf (`remote_addrs = <peer>`, or `%any`) with a matching IKE version and a secret for it, then `swanctl --load-all`",
			"Check each side's configured peer address is the other's real outside address (`swanctl --list-conns`)",
		},
		pLSW: {
			"On the responder, add a conn for <peer> in ipsec.conf (`right=<peer>`) with a matching IKE version (`ikev2=`), a PSK line for it in ipsec.secrets, then `ipsec auto --add <conn>`",
			"Check each side's configured peer address is the other's real outside address (`ipsec status` lists the loaded connections)",
		},
	},
	CauseIDMismatch: {
		pAny: {
			"Compare the IKE identities: what each end sends (address, FQDN, DN) and what the other expects (IOS `crypto isakmp identity` / ikev2 profile `match identity remote`, ASA `crypto isakmp identity`, strongSwan `local_id`/`remote_id`, libreswan `leftid`/`rightid`)",
			"Make them agree, then bring the tunnel up again",
		},
		pIOS: {
			"Compare the IKE identities: what each end sends (`crypto isakmp identity address|hostname`, ikev2 profile `identity local`) and what it expects (`match identity remote`)",
			"Make them agree, then `clear crypto isakmp sa` (IKEv2 `clear crypto ikev2 sa`)",
		},
		pASA: {
			"Compare the IKE identities: what each end sends (`crypto isakmp identity address|hostname|auto`) and the tunnel-group it must match (`show run tunnel-group`)",
			"Make them agree, then `clear crypto ikev1 sa <peer>` (IKEv2 `clear crypto ikev2 sa <peer>`)",
		},
		pSW: {
			"Compare the IKE identities: `local_id` here against the peer's `remote_id` and the other way round (ipsec.conf `leftid`/`rightid`); `swanctl --list-conns` shows them",
			"Make them agree, `swanctl --load-conns`, then `swanctl --initiate --child <child>`",
		},
		pLSW: {
			"Compare the IKE identities: `leftid` here against the peer's `rightid` and the other way round (`ipsec status` shows `our id` / `their id`)",
			"Make them agree, `ipsec auto --replace <conn>`, then `ipsec auto --up <conn>`",
		},
	},
	CauseCertInvalid: {
		pAny: {
			"Check the clock on both ends (NTP): an unsynchronised clock makes a valid certificate look expired or not yet valid",
			"Check the certificate's validity dates and chain, and that the CRL is reachable; renew or re-enroll it if it expired or was revoked",
		},
		pIOS: {
			"Check the clock on both ends (`show clock`, `show ntp status`): an unsynchronised clock makes a valid certificate look expired or not yet valid",
			"Check the certificate's validity dates and chain (`show crypto pki certificates`), and that the CRL is reachable (or `revocation-check` is set as intended)",
			"Renew or re-enroll the certificate if it has expired or was revoked (`crypto pki enroll <trustpoint>`)",
		},
		pASA: {
			"Check the clock on both ends (`show clock`, `show ntp status`): an unsynchronised clock makes a valid certificate look expired or not yet valid",
			"Check the certificate's validity dates and chain (`show crypto ca certificates`), and that the CRL is reachable (or `revocation-check` is set as intended)",
			"Renew or re-enroll the certificate if it has expired or was revoked (`crypto ca enroll <trustpoint>`)",
		},
		pSW: {
			"Check the clock on both ends (`timedatectl`): an unsynchronised clock makes a valid certificate look expired or not yet valid",
			"Check the certificate's dates and chain (`swanctl --list-certs`, `pki --print --in <cert>`): the CA must be in /etc/swanctl/x509ca and loaded (`swanctl --load-creds`)",
			"Renew the certificate if it expired or was revoked",
		},
		pLSW: {
			"Check the clock on both ends (`timedatectl`): an unsynchronised clock makes a valid certificate look expired or not yet valid",
			"Check the certificate's dates and chain in the NSS database (`certutil -L -d sql:/var/lib/ipsec/nss -n <nickname>`, `ipsec checknss`) and that the CA is trusted there",
			"Renew the certificate if it expired or was revoked, then `ipsec auto --rereadcerts`",
		},
	},
	CauseIKEVersionMismatch: {
		pAny: {"Configure the same IKE version on both ends (IOS `crypto isakmp` vs `crypto ikev2` profile, ASA `crypto map ... set ikev1|ikev2`, strongSwan `version = 1|2`, libreswan `ikev2=no|insist`)"},
		pIOS: {"Configure the same IKE version on both ends: an IKEv1 `crypto isakmp policy` with a crypto map, or an IKEv2 `crypto ikev2 proposal`/`profile` referenced by the crypto map (`set ikev2-profile`)"},
		pASA: {"Configure the same IKE version on both ends: `crypto map <map> <seq> set ikev1 transform-set ...` or `set ikev2 ipsec-proposal ...`, with `crypto ikev1 enable outside` / `crypto ikev2 enable outside`"},
		pSW:  {"Configure the same IKE version on both ends: `version = 1` or `version = 2` in the connection (ipsec.conf `keyexchange=ikev1|ikev2`), then `swanctl --load-conns`"},
		pLSW: {"Configure the same IKE version on both ends: `ikev2=no` (IKEv1) or `ikev2=insist` in the conn (libreswan 5: `keyexchange=ikev1|ikev2`), and `ikev1-policy=accept` in config setup for IKEv1; then `ipsec auto --replace <conn>`"},
	},
	CauseNATTIssue: {
		pAny: {
			"Find out whether a NAT device sits between the peers; if one does, NAT-T must be on at both ends and UDP/4500 allowed through",
			"If there is no NAT, try NAT-T off on both ends",
		},
		pIOS: {
			"Find out whether a NAT device sits between the peers; if one does, NAT-T must be on at both ends and UDP/4500 allowed through",
			"If there is no NAT, try NAT-T off on both ends (`no crypto ipsec nat-transparency udp-encapsulation`)",
		},
		pASA: {
			"Find out whether a NAT device sits between the peers; if one does, NAT-T must be on at both ends (`crypto isakmp nat-traversal 20`) and UDP/4500 allowed through",
			"If there is no NAT, try NAT-T off on both ends (`no crypto isakmp nat-traversal`)",
		},
		pSW: {
			"Find out whether a NAT device sits between the peers; if one does, UDP/4500 must be allowed through (charon moves to it by itself)",
			"If UDP/4500 cannot be opened and there is no NAT, `encap = no` on both ends (ipsec.conf `forceencaps=no`)",
		},
		pLSW: {
			"Find out whether a NAT device sits between the peers; if one does, `encapsulation=auto` (the default) at both ends and UDP/4500 allowed through",
			"If there is no NAT, `encapsulation=no` on both ends (older versions: `nat-traversal=no` in config setup)",
		},
	},
	CauseXauthFailure: {
		pAny: {"Check the user name and password the client sends, and the user database or AAA server the gateway checks them against"},
		pIOS: {
			"Check the user name and password the client sends, and the AAA list the crypto map or isakmp profile uses for client authentication",
			"Check the AAA server is reachable and accepts the user (`test aaa group <group> <user> <password> new-code`)",
		},
		pASA: {
			"Check the user name and password the client sends, and the `authentication-server-group` of the tunnel-group",
			"Check the AAA server is reachable and accepts the user (`test aaa-server authentication <group> host <server>`, which asks for the user's credentials)",
		},
		pSW:  {"Check the user name and password the client sends against the gateway's `eap`/`xauth` secrets in swanctl.conf (or the RADIUS server of the eap-radius plugin), then `swanctl --load-creds`"},
		pLSW: {"Check the user name and password the client sends against the gateway's `xauthby=file|pam` database (/etc/ipsec.d/passwd), and `leftxauthserver=yes` / `rightxauthclient=yes` on the conn"},
	},
	CauseModeConfigFailure: {
		pAny: {"Check the address pool for the group has free addresses and that the gateway hands it to this client"},
		pIOS: {
			"Check the address pool for the group has free addresses (`ip local pool`, `show ip local pool`)",
			"Check the group authorization returns the pool and policy (`aaa authorization network` list, `crypto isakmp client configuration group`)",
		},
		pASA: {
			"Check the address pool has free addresses (`ip local pool`, `address-pool` in the tunnel-group or group-policy)",
			"Check the group-policy the user lands in (`show run group-policy`) and `vpn-addr-assign local`",
		},
		pSW:  {"Check the `pools` section of swanctl.conf has free addresses and that the connection names it (`pools = <pool>`); `swanctl --list-pools --leases` shows them"},
		pLSW: {"Check `rightaddresspool=` on the conn has free addresses and `leftmodecfgserver=yes` / `rightmodecfgclient=yes` are set"},
	},
	CauseESPProposalMismatch: {
		pAny: {
			"Compare the IPsec / ESP proposals on both ends (IOS `show crypto ipsec transform-set`, ASA `show run crypto ipsec`, strongSwan `esp_proposals`, libreswan `esp=`): ESP encryption and integrity must match",
			"Change one side so one proposal matches exactly, then bring the tunnel up again",
		},
		pIOS: {
			"Compare the transform sets on both ends (`show crypto ipsec transform-set`, IKEv2 also `show crypto ikev2 proposal`): ESP encryption and integrity must match",
			"Change one side so one transform set matches exactly, then `clear crypto sa peer <peer>` and send traffic again",
		},
		pASA: {
			"Compare the IPsec proposals on both ends (`show run crypto ipsec`): the `crypto ipsec ikev1 transform-set` / `ikev2 ipsec-proposal` the crypto map uses must match in encryption and integrity",
			"Change one side so one proposal matches exactly, then `clear crypto ipsec sa peer <peer>` and send traffic again",
		},
		pSW: {
			"Compare the ESP proposals on both ends: `esp_proposals` of the CHILD_SA in swanctl.conf (ipsec.conf `esp=`); encryption and integrity must match in one proposal",
			"Change one side, `swanctl --load-conns`, then `swanctl --initiate --child <child>`",
		},
		pLSW: {
			"Compare the ESP proposals on both ends: `esp=` (also spelled `phase2alg=`) of the conn in ipsec.conf; `ipsec status` shows the loaded `ESP algorithms`",
			"Change one side, `ipsec auto --replace <conn>`, then `ipsec auto --up <conn>`",
		},
	},
	CauseTrafficSelectorMismatch: {
		pAny: {
			"Make the protected networks mirror images: this side's local network is the peer's remote one and vice versa, with the same masks",
			"Check for extra or overlapping entries, and for NAT rewriting the protected addresses before encryption",
		},
		pIOS: {
			"Make the crypto ACLs exact mirror images: this side's source is the peer's destination and vice versa, with the same masks (`show crypto map`, `show access-lists <acl>`)",
			"Check for extra or overlapping ACL lines, and for NAT rewriting the protected addresses before encryption",
		},
		pASA: {
			"Make the crypto ACLs exact mirror images: this side's source is the peer's destination and vice versa, with the same objects (`show run access-list <acl>`, `show run crypto map`)",
			"Check for extra or overlapping ACL lines, and the NAT exemption (`show run nat`) for the protected subnets",
		},
		pSW: {
			"Make the traffic selectors mirror images: `local_ts` here is the peer's `remote_ts` and vice versa (ipsec.conf `leftsubnet`/`rightsubnet`), with the same prefixes",
			"Then `swanctl --load-conns` and `swanctl --initiate --child <child>`",
		},
		pLSW: {
			"Make the protected networks mirror images: `leftsubnet` here is the peer's `rightsubnet` and vice versa, with the same prefixes (`ipsec status` shows the loaded ones)",
			"Then `ipsec auto --replace <conn>` and `ipsec auto --up <conn>`",
		},
	},
	CausePFSMismatch: {
		pAny: {"Use PFS with the same DH group on both ends, or on neither (IOS `set pfs groupN` in the crypto map, ASA `crypto map <map> <seq> set pfs groupN`, strongSwan a DH group in `esp_proposals`, libreswan `pfs=` and the DH group in `esp=`)"},
		pIOS: {"Use PFS with the same DH group on both ends, or on neither: `set pfs groupN` in the crypto map entry (`show crypto map` shows PFS)"},
		pASA: {"Use PFS with the same DH group on both ends, or on neither: `crypto map <map> <seq> set pfs groupN` (`show run crypto map`)"},
		pSW:  {"Use PFS with the same DH group on both ends, or on neither: a DH group in `esp_proposals` (e.g. `aes256-sha256-modp2048`; ipsec.conf `esp=`), then `swanctl --load-conns`"},
		pLSW: {"Use PFS with the same DH group on both ends, or on neither: `pfs=yes|no` on the conn and the DH group in `esp=` (e.g. `esp=aes256-sha2_256-modp2048`), then `ipsec auto --replace <conn>`"},
	},
	CauseOneWayOutbound: {
		pAny: {
			"The peer gets our ESP but sends nothing back: check on the peer that its decryption counters grow, its route to our protected network points into the tunnel, and its NAT exemption and firewall let the return traffic through",
			"Check ESP (IP 50) or UDP/4500 is not dropped on the way back to us",
		},
		pIOS: {
			"The peer gets our ESP but sends nothing back: on the peer check its decaps grow (`show crypto ipsec sa peer <our address>`), its route to our protected network, its NAT exemption and ACLs",
			"Check ESP (IP 50) or UDP/4500 is not dropped on the way back to us",
		},
		pASA: {
			"The peer gets our ESP but sends nothing back: on the peer check its decaps grow, its route to our protected network, its NAT exemption (`show run nat`) and ACLs",
			"Check ESP (IP 50) or UDP/4500 is not dropped on the way back to us",
		},
		pSW: {
			"The peer gets our ESP but sends nothing back: on the peer check its inbound bytes grow, its route to our protected network, and its firewall and NAT for the return traffic",
			"Here, `swanctl --list-sas` twice: the `in` bytes of the CHILD_SA should grow; `ip -s xfrm state` shows the kernel's counters",
		},
		pLSW: {
			"The peer gets our ESP but sends nothing back: on the peer check its inBytes grow (`ipsec trafficstatus` there), its route to our protected network, and its firewall and NAT for the return traffic",
			"Here, `ipsec trafficstatus` twice: inBytes should grow; `ip -s xfrm state` shows the kernel's counters",
		},
	},
	CauseOneWayInbound: {
		pAny: {
			"This side decrypts but sends nothing into the tunnel: check the route to the remote protected network and that the return traffic matches the protected networks",
			"Check the NAT exemption and firewall for the protected traffic on this side",
		},
		pIOS: {
			"This side decrypts but sends nothing into the tunnel: check the route to the remote protected network (`show ip route <remote host>`); on a hub add reverse-route injection (`reverse-route static` in the crypto map) or a static route",
			"Check the NAT exemption for the protected traffic on this side, and that the return traffic matches the crypto ACL",
		},
		pASA: {
			"This side decrypts but sends nothing into the tunnel: check the route to the remote protected network (`show route <remote host>`) and `crypto map <map> <seq> set reverse-route` on a hub",
			"Check the NAT exemption (`show run nat`) and that the return traffic matches the crypto ACL (`packet-tracer input inside ...`)",
		},
		pSW: {
			"This side decrypts but sends nothing back: check the route to the remote protected network (`ip route get <remote host>`; charon's routes live in table 220) and that the reply's source is in `local_ts`",
			"Check NAT (a masquerade rule must skip the protected traffic: `nft list ruleset`) and `ip xfrm policy` for the outbound policy",
		},
		pLSW: {
			"This side decrypts but sends nothing back: check the route to the remote protected network (`ip route get <remote host>`) and that the reply's source is in `leftsubnet`",
			"Check NAT (a masquerade rule must skip the protected traffic: `nft list ruleset`) and `ip xfrm policy` for the outbound policy",
		},
	},
	CauseAntiReplayDrops: {
		pAny: {"Find the reordering (QoS on the encrypting side or in transit), then widen the replay window; turning replay checks off is the last resort"},
		pIOS: {
			"Find the reordering: QoS on the encrypting router or in the transit network (consistent queuing for the tunnel's traffic, crypto LLQ for voice)",
			"Then widen the replay window (`crypto ipsec security-association replay window-size 1024`); turning replay checks off is the last resort",
		},
		pASA: {
			"Find the reordering: QoS on the encrypting side or in the transit network",
			"Then widen the replay window (`crypto ipsec security-association replay window-size 1024`); turning replay checks off is the last resort",
		},
		pSW:  {"Find the reordering (QoS on the encrypting side or in transit), then widen the replay window: `replay_window = 1024` on the CHILD_SA (ipsec.conf `replay_window=`)"},
		pLSW: {"Find the reordering (QoS on the encrypting side or in transit), then widen the replay window: `replay-window=1024` on the conn"},
	},
	CauseDPDPeerDead: {
		pAny: {
			"Check the peer is up and reachable (`ping <peer>`) and its own view of the tunnel",
			"Check the path for drops of UDP/500/4500 and ESP; if the path is fine, compare the dead peer detection settings on both ends",
		},
		pIOS: {
			"Check the peer is up and reachable: `ping <peer> source <outside interface>`, and its own view of the tunnel",
			"Check the path for drops of UDP/500/4500 and ESP; if the path is fine, compare DPD settings on both ends (`crypto isakmp keepalive`, IKEv2 `dpd` in the profile)",
		},
		pASA: {
			"Check the peer is up and reachable: `ping outside <peer>`, and its own view of the tunnel",
			"Check the path for drops of UDP/500/4500 and ESP; if the path is fine, compare DPD settings on both ends (`isakmp keepalive threshold ... retry ...` under `tunnel-group <peer> ipsec-attributes`)",
		},
		pSW: {
			"Check the peer is up and reachable (`ping <peer>`) and that charon runs there",
			"Check the path for drops of UDP/500/4500 and ESP; if the path is fine, compare `dpd_delay` / `dpd_action` (ipsec.conf `dpddelay`/`dpdaction`) on both ends",
		},
		pLSW: {
			"Check the peer is up and reachable (`ping <peer>`) and that its pluto runs (`ipsec status` there)",
			"Check the path for drops of UDP/500/4500 and ESP; if the path is fine, compare `dpddelay=` / `dpdtimeout=` / `dpdaction=` of the conn on both ends",
		},
	},
	CauseLifetimeMismatch: {
		pAny: {
			"Use the same lifetimes on both ends, with phase 1 longer than phase 2 (e.g. 86400 s and 3600 s)",
			"If the tunnel flaps at rekey, check that both ends rekey the same way",
		},
		pIOS: {
			"Use the same lifetimes on both ends, with phase 1 longer than phase 2 (`lifetime 86400` in the isakmp policy, `set security-association lifetime seconds 3600` in the crypto map)",
			"If the tunnel flaps at rekey, check DPD settings and that both ends rekey the same way",
		},
		pASA: {
			"Use the same lifetimes on both ends, with phase 1 longer than phase 2 (`lifetime 86400` in the ikev1 policy, `crypto map <map> <seq> set security-association lifetime seconds 3600`)",
			"If the tunnel flaps at rekey, check DPD settings and that both ends rekey the same way",
		},
		pSW:  {"Use matching lifetimes, phase 1 longer than phase 2: `rekey_time` of the IKE SA above `rekey_time`/`life_time` of the CHILD_SA (ipsec.conf `ikelifetime`/`lifetime`)"},
		pLSW: {"Use matching lifetimes, phase 1 longer than phase 2: `ikelifetime=` above `salifetime=` on the conn"},
	},
	CauseMTUFragmentation: {
		pAny: {
			"Lower the size of tunnelled packets: clamp TCP MSS on the inside (e.g. 1360) or lower the tunnel MTU",
			"Check that ICMP 'fragmentation needed' is not filtered on the path (PMTU discovery)",
		},
		pIOS: {
			"Lower the size of tunnelled packets: `ip tcp adjust-mss 1360` on the inside or tunnel interface, `ip mtu 1400` on a tunnel interface, or `crypto ipsec fragmentation before-encryption`",
			"Check that ICMP 'fragmentation needed' is not filtered on the path (PMTU discovery)",
		},
		pASA: {
			"Lower the size of tunnelled packets: `sysopt connection tcpmss 1360`, or `crypto ipsec fragmentation before-encryption outside`",
			"Check that ICMP 'fragmentation needed' is not filtered on the path (PMTU discovery)",
		},
		pSW: {
			"Lower the size of tunnelled packets: clamp TCP MSS for the protected traffic (`nft ... tcp flags syn tcp option maxseg size set 1360`) or lower the MTU of a route-based (XFRM) interface",
			"Check that ICMP 'fragmentation needed' is not filtered on the path, and enable IKE fragmentation (`fragmentation = yes`) if large IKE packets are lost",
		},
		pLSW: {
			"Lower the size of tunnelled packets: clamp TCP MSS for the protected traffic (`nft ... tcp flags syn tcp option maxseg size set 1360`) or `mtu=` on the conn",
			"Check that ICMP 'fragmentation needed' is not filtered on the path, and `fragmentation=yes` (the default) for large IKE packets",
		},
	},
	CauseUnknown: {},
}

// nextPaste is what to paste next when a thin diagnosis comes from a
// platform whose own commands the rule's hint (written for Cisco) does not
// name.
var nextPaste = map[facts.Vendor]string{
	pSW:  "Paste charon's log while the tunnel comes up (`journalctl -u strongswan` or `swanctl --log` during `swanctl --initiate --child <child>`), and `swanctl --list-sas` from both ends",
	pLSW: "Paste pluto's log while the tunnel comes up (`journalctl -u ipsec` or the output of `ipsec auto --up <conn>`), and `ipsec status` from both ends",
}

// fixFor returns the fix lines for a cause in the platform's own
// commands; a platform with no lines of its own gets the generic ones.
func fixFor(vendor facts.Vendor, cause, peer string) []string {
	byPlatform := fixes[cause]
	src, ok := byPlatform[vendor]
	if g, gw := gatewayCLIs[vendor]; gw && !ok {
		src, ok = gatewayFix(g, cause), true
	}
	if !ok {
		src = byPlatform[pAny]
	}
	out := make([]string, len(src))
	for i, s := range src {
		out[i] = strings.ReplaceAll(s, "<peer>", orX(peer))
	}
	return out
}

// nextFor is a rule's "paste this next" hint in the platform's language:
// the hints name Cisco commands, so other platforms (strongSwan,
// libreswan, the gateways: advice.go) get their own; an
// IOS or ASA hint keeps its platform's half of an "X (ASA) / Y (IOS)"
// choice, and an ASA one has the IOS commands the ASA names otherwise
// replaced.
func nextFor(vendor facts.Vendor, next string) string {
	if s, ok := nextPaste[vendor]; ok {
		return s
	}
	if g, ok := gatewayCLIs[vendor]; ok {
		return gatewayNextOf(g)
	}
	switch vendor {
	case pIOS:
		next = asaOrIOS.ReplaceAllString(next, "$2")
		return asaToIOS.Replace(next)
	case pASA:
		next = asaOrIOS.ReplaceAllString(next, "$1")
		return iosToASA.Replace(next)
	}
	return next
}

// asaOrIOS is a hint's choice between the two Cisco platforms.
var asaOrIOS = regexp.MustCompile("(`[^`]*`) \\(ASA\\) (?:/|or) ([^(`]*`[^`]*`) \\(IOS\\)")

// asaToIOS: ASA commands in a hint and what IOS calls them.
var asaToIOS = strings.NewReplacer("`debug crypto ikev1 127`", "`debug crypto isakmp`")

// iosToASA: IOS commands in a hint and what the ASA calls them.
var iosToASA = strings.NewReplacer(
	"`debug crypto isakmp`", "`debug crypto ikev1 127`",
	"`debug crypto ipsec`", "`debug crypto ipsec 127`",
	"`show crypto ipsec transform-set`", "`show run crypto ipsec`",
	"`show crypto map`", "`show run crypto map`",
)
