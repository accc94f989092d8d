package asa

import (
	"regexp"
	"strings"

	"github.com/tunneldoc/tunneldoc/diagnose/facts"
)

// LineParsers read ASA IKEv1/IKEv2 debug lines ("[IKEv1]IP = X, ...",
// "Group = G, IP = X, ...", "IKEv2-PROTO-...") and %ASA- syslog messages.
// Each Signature is what one wording means in protocol terms.
var LineParsers = []facts.LineParser{{
	Name:       "asa/debug",
	Vendor:     facts.VendorASA,
	Prefix:     isDebugLine,
	Signatures: signatures,
}}

// debugPrefixes open ASA debug and syslog lines once the timestamp is gone.
var debugPrefixes = []string{"[IKEv", "IKEv1", "IKEv2-", "Group = ", "IP = ", "%ASA-", "IKE Recv", "IKE SENDING", "%FTD-",
	// debug crypto ikev2 protocol packet dumps: the exchange line and the
	// payloads follow "Received Packet [From ...]" without a prefix
	"IKEv2 IKE_SA_INIT", "IKEv2 IKE_AUTH", "IKEv2 CREATE_CHILD_SA", "IKEv2 INFORMATIONAL", "NOTIFY("}

// debugPrefixSet is debugPrefixes indexed: isDebugLine runs on every line
// and tries only the prefixes that share its first two bytes.
var debugPrefixSet = facts.NewPrefixSet(debugPrefixes...)

func isDebugLine(line string) bool {
	s := strings.TrimLeft(line, " ")
	if debugPrefixSet.Match(s) || saPrefixed(s) {
		return true
	}
	if strings.IndexByte(s, '%') < 0 {
		return false
	}
	return strings.Contains(s, "%ASA-") || strings.Contains(s, "%FTD-")
}

const ip = `(?P<peer>[0-9]{1,3}(?:\.[0-9]{1,3}){3}|[0-9A-Fa-f]*:[0-9A-Fa-f:]+)`

func re(s string) *regexp.Regexp { return regexp.MustCompile(strings.ReplaceAll(s, "{ip}", ip)) }

var signatures = []facts.Signature{
	// --- IKE packets and phase-1 progress ---
	{ID: "asa/new-phase1", Anchor: "New Phase 1", Re: re(`IKE Peer:?\s*{ip}`), Event: facts.EvP1Sent, State: "MM_WAIT_MSG2"},
	{ID: "asa/ikev1-recv", Anchor: "IKE_DECODE RECEIVED", Re: re(`IP = {ip}`), Event: facts.EvP1Received},
	{ID: "asa/ikev1-send", Anchor: "IKE_DECODE SENDING", Re: re(`IP = {ip}`), Event: facts.EvP1Sent},
	// "Duplicate Phase 1 packet detected. Retransmitting last packet.": the
	// peer re-sent its packet, so it is there and talking.
	{ID: "asa/duplicate-p1", Anchor: "Duplicate Phase 1 packet", Re: re(`IP = {ip}`), Event: facts.EvP1Received, State: "duplicate"},
	{ID: "asa/retransmit", Anchor: "etransmit", Re: re(`(?i)IP = {ip}.*retransmitt?ing|retransmitt?ing.*IP = {ip}`), Event: facts.EvP1Retransmit},
	{ID: "asa/p1-complete", Anchor: "PHASE 1 COMPLETED", Re: re(`IP = {ip}`), Event: facts.EvP1Complete},
	{ID: "asa/ikev2-sa-up", Anchor: "%ASA-5-750006", Re: re(`Remote:{ip}`), Event: facts.EvP1Complete},
	// %ASA-5-750002: "... Remote:B:500 Username:Unknown Received a IKE_INIT_SA request"
	{ID: "asa/ikev2-init-received", Anchor: "Received a IKE_INIT_SA request", Re: re(`Remote:{ip}`), Event: facts.EvP1Received},
	// %ASA-5-750007: "... Remote:B:500 Username:X IKEv2 SA DOWN. Reason: ..."
	{ID: "asa/ikev2-sa-down", Anchor: "SA DOWN", Re: re(`Remote:{ip}.*SA DOWN\. Reason: (?P<detail>[^.]*)`), Event: facts.EvTunnelDown},
	{ID: "asa/ikev2-received", Anchor: "Received Packet [From", Re: re(`Received Packet \[From {ip}`), Event: facts.EvP1Received},
	{ID: "asa/ikev2-sending", Anchor: "Sending Packet [To", Re: re(`Sending Packet \[To {ip}`), Event: facts.EvP1Sent},
	{ID: "asa/ikev2-retransmit", Anchor: "Retransmitting packet", Event: facts.EvP1Retransmit},
	{ID: "asa/ikev2-max-retransmit", Anchor: "Maximum number of retransmissions reached", Event: facts.EvP1GiveUp},
	// The exchange decides the phase of a NO_PROPOSAL_CHOSEN it carries
	// (IKE_SA_INIT: the IKE SA; IKE_AUTH's child part, CREATE_CHILD_SA: IPsec).
	{ID: "asa/ikev2-exchange-sa-init", Anchor: "IKE_SA_INIT Exchange", Event: facts.EvContextP1},
	{ID: "asa/ikev2-exchange-auth", Anchor: "IKE_AUTH Exchange", Event: facts.EvContextP2},
	{ID: "asa/ikev2-exchange-create-child", Anchor: "CREATE_CHILD_SA Exchange", Event: facts.EvContextP2},
	{ID: "asa/ikev2-exchange-type-sa-init", Anchor: "Exchange type: IKE_SA_INIT", Event: facts.EvContextP1},
	{ID: "asa/ikev2-exchange-type-auth", Anchor: "Exchange type: IKE_AUTH", Event: facts.EvContextP2},
	{ID: "asa/ikev2-exchange-type-create-child", Anchor: "Exchange type: CREATE_CHILD_SA", Event: facts.EvContextP2},
	// %ASA-5-713257 "Phase 1 failure: Mismatched attribute types for class
	// Encryption: Rcv'd: Triple-DES Cfg'd: AES-256": Detail names the class and both values
	{ID: "asa/p1-mismatched-attribute", Anchor: "Mismatched attribute types for class", Extract: mismatchedAttribute, Event: facts.EvP1AttrMismatch},
	{ID: "asa/p1-proposal-ok", Anchor: "acceptable", Re: re(`IKE SA Proposal # ?\d+, Transform # ?\d+ acceptable`), Event: facts.EvP1ProposalOK},
	{ID: "asa/all-ipsec-proposals-unacceptable", Anchor: "IPSec SA proposals found unacceptable", Re: re(`IP = {ip}`), Event: facts.EvP2NoProposal},
	{ID: "asa/all-sa-proposals-unacceptable", Anchor: "All SA proposals found unacceptable", Re: re(`IP = {ip}`), Event: facts.EvP1NoProposal},
	{ID: "asa/ikev2-no-matching-policy", Anchor: "Failed to find a matching policy", Re: re(`Remote:{ip}`), Event: facts.EvP1NoProposal},
	{ID: "asa/no-proposal-chosen", Anchor: "o proposal chosen", Re: re(`IP = {ip}`), Event: facts.EvNoProposalNotify},
	{ID: "asa/no-proposal-chosen-2", Anchor: "NO_PROPOSAL_CHOSEN", Event: facts.EvNoProposalNotify},
	{ID: "asa/tunnel-manager-failed", Anchor: "failed to establish an L2L SA", Event: facts.EvP1GiveUp},

	// --- keys, tunnel groups, authentication ---
	{ID: "asa/mismatched-psk", Anchor: "mismatched pre-shared key", Re: re(`IP = {ip}`), Event: facts.EvAuthFailed},
	{ID: "asa/no-matching-sa", Anchor: "Received encrypted packet with no matching SA", Re: re(`IP = {ip}`), Event: facts.EvAuthFailed, State: "weak"},
	{ID: "asa/invalid-hash", Anchor: "INVALID_HASH_INFO", Re: re(`IP = {ip}`), Event: facts.EvAuthFailed},
	{ID: "asa/hash-verify-failed", Anchor: "ash verification failed", Re: re(`IP = {ip}`), Event: facts.EvAuthFailed},
	{ID: "asa/ikev2-auth-failed", Anchor: "Auth exchange failed", Re: re(`(?:Remote:{ip}.*)?Auth exchange failed`), Event: facts.EvAuthFailed},
	{ID: "asa/ikev2-auth-failed-notify", Anchor: "AUTHENTICATION_FAILED", Event: facts.EvAuthFailed},
	{ID: "asa/no-tunnel-group", Anchor: "valid tunnel group", Re: re(`(?i)can'?t find a valid tunnel group(?:.*?IP = {ip})?|IP = {ip}.*can'?t find a valid tunnel group`), Event: facts.EvNoPSK},
	{ID: "asa/tunnel-group-not-found", Anchor: "unnel", Re: re(`(?i)tunnel[- ]group \S* ?not found|no tunnel[- ]group`), Event: facts.EvNoPSK},
	// %ASA-3-751002 "... No preshared key or trustpoint configured for self in tunnel group G"
	{ID: "asa/ikev2-no-psk-or-trustpoint", Anchor: "No preshared key or trustpoint configured", Re: re(`(?:Remote:{ip}.*)?No preshared key or trustpoint`), Event: facts.EvNoPSK},
	// "... Certificate authentication failed. Error: ..." (IKEv2 remote peer's certificate)
	{ID: "asa/ikev2-cert-auth-failed", Anchor: "Certificate authentication failed", Re: re(`(?:Remote:{ip}.*)?Certificate authentication failed`), Event: facts.EvCertInvalid},
	{ID: "asa/no-psk", Anchor: "re-shared key", Re: re(`(?i)(?:no|missing|not configured).{0,20}pre-shared key|pre-shared key.{0,20}(?:not configured|not found)`), Event: facts.EvNoPSK},
	{ID: "asa/id-mismatch", Anchor: "mismatch", Re: re(`(?i)(?:ID|identity) (?:payload )?(?:mismatch|does not match)|Received an? (?:un-?)?expected ID`), Event: facts.EvIDMismatch},
	{ID: "asa/cert-invalid", Anchor: "ertificate", Re: re(`(?i)certificate (?:is )?(?:has expired|expired|not yet valid|validation failed|revoked|chain .*failed)`), Event: facts.EvCertInvalid},
	{ID: "asa/invalid-major-version", Anchor: "INVALID_MAJOR_VERSION", Re: re(`(?:peer|Remote:|IP = )\s*{ip}|INVALID_MAJOR_VERSION`), Event: facts.EvVersionMismatch},
	{ID: "asa/version-mismatch", Anchor: "ersion", Re: re(`(?i)invalid (?:ike )?major version|INVALID_MAJOR_VERSION|unsupported (?:ike )?version`), Event: facts.EvVersionMismatch},
	{ID: "asa/nat-detected", Anchor: "NAT", Re: re(`(?i)Automatic NAT Detection Status:.*IS\s+behind\s+a\s+NAT`), Event: facts.EvNATDetected},

	// --- remote access ---
	{ID: "asa/xauth-failed", Anchor: "uthentication", Re: re(`(?i)user (?:\(?\S*\)? )?authentication (?:failed|rejected)|AAA user authentication Rejected|failed user authentication`), Event: facts.EvXauthFailed},
	{ID: "asa/mode-config-obtain", Anchor: "obtain an IP address", Event: facts.EvModeCfgFailed},
	{ID: "asa/mode-config-assignment", Anchor: "ssignment failed", Event: facts.EvModeCfgFailed},
	{ID: "asa/mode-config-allocate", Anchor: "Failed to allocate", Re: re(`Failed to allocate\s+ip address`), Event: facts.EvModeCfgFailed},
	{ID: "asa/mode-config-pool", Anchor: "addresses", Re: re(`(?i)no (?:more )?(?:available )?ip addresses`), Event: facts.EvModeCfgFailed},

	// --- phase 2 ---
	{ID: "asa/no-matching-crypto-map", Anchor: "no matching crypto map entry", Re: re(`IP = {ip}`), Event: facts.EvP2ProxyMismatch},
	{ID: "asa/ikev2-ts-not-found", Anchor: "traffic selector", Re: re(`(?i)crypto map policy not found for remote traffic selector|invalid selectors`), Event: facts.EvP2ProxyMismatch},
	{ID: "asa/ts-unacceptable", Anchor: "TS_UNACCEPTABLE", Event: facts.EvP2ProxyMismatch},
	// %ASA-4-402117 "IPSEC: Received a non-IPSec (ESP) packet from A to B.": the peer sends in the clear what this side encrypts
	{ID: "asa/non-ipsec-packet", Anchor: "Received a non-IPSec", Re: re(`from {ip}`), Event: facts.EvP2ProxyMismatch, State: "cleartext"},
	{ID: "asa/pfs-mismatch", Anchor: "PFS", Re: re(`(?i)pfs.{0,40}(?:mismatch|not match|doesn'?t match|required|not acceptable)`), Event: facts.EvP2PFSMismatch},
	{ID: "asa/qm-fsm-error", Anchor: "QM FSM error", Re: re(`IP = {ip}`), Event: facts.EvP2Failed},
	{ID: "asa/child-sa-failed", Anchor: "Create child SA negotiation failed", Event: facts.EvP2Failed},
	{ID: "asa/p2-complete", Anchor: "PHASE 2 COMPLETED", Re: re(`IP = {ip}`), Event: facts.EvP2Complete},
	// %ASA-6-602303 "IPSEC: An inbound LAN-to-LAN SA (SPI= 0x..) between A and B (user= G) has been created."
	{ID: "asa/l2l-sa-created", Anchor: "has been created", Re: re(`LAN-to-LAN SA .*?(?:\(user= ?{ip}\) )?has been created`), Event: facts.EvP2Complete},
	// %ASA-5-752016 "IKEv2 was successful at setting up a tunnel."
	{ID: "asa/tunnel-manager-ikev2-up", Anchor: "was successful at setting up a tunnel", Event: facts.EvP1Complete},

	// --- data plane, DPD, teardown ---
	{ID: "asa/session-lost-service", Anchor: "Lost Service", Re: re(`IP = {ip}`), Event: facts.EvDPDDead},
	{ID: "asa/dpd-timeout", Anchor: "DPD", Re: re(`(?i)DPD.{0,40}(?:timeout|timed out|no response)|keepalive timeout`), Event: facts.EvDPDDead},
	// %ASA-4-113019 "... Session disconnected. ... Reason: Phase 2 Mismatch"
	{ID: "asa/session-disconnected-p2-mismatch", Anchor: "Reason: Phase 2 Mismatch", Re: re(`IP = {ip}`), Event: facts.EvP2PolicyRejected},
	{ID: "asa/session-disconnected", Anchor: "Session disconnected", Re: re(`IP = {ip}.*Reason: (?P<detail>[A-Za-z0-9 ]+)`), Event: facts.EvTunnelDown},
	{ID: "asa/anti-replay", Anchor: "anti-replay", Event: facts.EvReplay},
	{ID: "asa/frag", Anchor: "ragment", Extract: fragNeeded, Event: facts.EvFragNeeded},
}

// fragNeeded reads a "fragmentation needed" / "packet too big" / "exceeds
// ... mtu" message and the src_addr= before it ("PMTU-D packet 1500 bytes
// greater than effective mtu 1438, dest_addr=A, src_addr=B, prot=esp,
// fragmentation needed and DF set"). Hand-written: the case-folded regexp
// with an optional leading group backtracked at every position of the line.
func fragNeeded(line string, at int) (peer, state, detail string, ok bool) {
	low := lowerASCII(line)
	end := -1
	for _, phrase := range []string{"fragmentation needed", "packet too big"} {
		if i := strings.Index(low, phrase); i >= 0 && (end < 0 || i < end) {
			end = i
		}
	}
	if i := strings.Index(low, "exceeds"); i >= 0 && strings.Contains(low[i:], "mtu") && (end < 0 || i < end) {
		end = i
	}
	if end < 0 {
		return "", "", "", false
	}
	if i := strings.Index(low[:end], "src_addr="); i >= 0 {
		v := strings.TrimLeft(line[i+len("src_addr="):end], " ")
		if j := strings.IndexAny(v, ", "); j >= 0 {
			v = v[:j]
		}
		if isAddr(v) {
			peer = v
		}
	}
	return peer, "", "", true
}

// saPrefixed: "(19): IKEv2 IKE_AUTH Exchange RESPONSE": the continuation
// lines of an IKEv2 packet dump carry the SA's number instead of a prefix.
func saPrefixed(s string) bool {
	if len(s) < 4 || s[0] != '(' {
		return false
	}
	i := 1
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return i > 1 && strings.HasPrefix(s[i:], "):")
}

// mismatchedAttribute reads "... [IP = A, ]Phase 1 failure: Mismatched
// attribute types for class Encryption: Rcv'd: Triple-DES Cfg'd: AES-256"
// into Detail "Encryption|Triple-DES|AES-256" (class, received, configured).
func mismatchedAttribute(line string, at int) (peer, state, detail string, ok bool) {
	if i := strings.Index(line[:at], "IP = "); i >= 0 {
		v := line[i+len("IP = "):]
		if j := strings.IndexAny(v, ", "); j >= 0 {
			v = v[:j]
		}
		if isAddr(v) {
			peer = v
		}
	}
	rest := line[at+len("Mismatched attribute types for class"):]
	rcv := strings.Index(rest, "Rcv'd:")
	cfg := strings.Index(rest, "Cfg'd:")
	if rcv < 0 || cfg < rcv {
		return peer, "", "", true
	}
	class := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest[:rcv]), ":"))
	got := strings.TrimSpace(rest[rcv+len("Rcv'd:") : cfg])
	want := strings.TrimSpace(rest[cfg+len("Cfg'd:"):])
	return peer, "", class + "|" + got + "|" + want, true
}
