package ios

import (
	"regexp"
	"strings"

	"github.com/tunneldoc/tunneldoc/diagnose/facts"
)

// LineParsers read IOS / IOS-XE debug and syslog lines (debug crypto
// isakmp, ipsec, engine, pki transactions, ikev2; %CRYPTO- messages).
// Each Signature is what one wording means in protocol terms; a new
// wording is one new entry plus one testdata case.
var LineParsers = []facts.LineParser{{
	Name:       "ios/debug",
	Vendor:     facts.VendorIOS,
	Prefix:     isDebugLine,
	Signatures: signatures,
}}

// debugPrefixes open IOS debug and log lines once the timestamp is gone.
var debugPrefixes = []string{
	"ISAKMP", "IPSEC(", "IPSEC:", "IPSec(", "IPsec(", "IKEv2:", "IKEv2-", "IKEV2:", "IKEV2-", "%CRYPTO", "%IKEV2", "%PKI",
	"CRYPTO_PKI", "CRYPTO_ENGINE", "CryptoEngine", "Crypto mapdb", "%C1700", "%VPN", "CRYPTO_",
	// debug crypto ikev2 packet dumps: the exchange line and the payloads
	// follow the "Received Packet [From ...]" line without a prefix of their own
	"IKEv2 IKE_SA_INIT", "IKEv2 IKE_AUTH", "IKEv2 CREATE_CHILD_SA", "IKEv2 INFORMATIONAL", "NOTIFY(",
	// show monitor event-trace crypto ikev2: "SA ID:1 SESSION ID:2 Remote: ..."
	"SA ID:",
}

// debugPrefixSet is debugPrefixes indexed: isDebugLine runs on every line
// and tries only the prefixes that share its first two bytes.
var debugPrefixSet = facts.NewPrefixSet(debugPrefixes...)

func isDebugLine(line string) bool {
	s := strings.TrimLeft(line, " ")
	if debugPrefixSet.Match(s) {
		return true
	}
	// syslog with a host name before the message: "hub01: %CRYPTO-4-..."
	if strings.IndexByte(s, '%') < 0 {
		return false
	}
	return strings.Contains(s, ": %CRYPTO-") || strings.Contains(s, ": %IKEV2-") || strings.Contains(s, ": %PKI-")
}

const ip = `(?P<peer>[0-9]{1,3}(?:\.[0-9]{1,3}){3}|[0-9A-Fa-f]*:[0-9A-Fa-f:]+)`

func re(s string) *regexp.Regexp { return regexp.MustCompile(strings.ReplaceAll(s, "{ip}", ip)) }

var signatures = []facts.Signature{
	// --- IKE packets in and out ---
	{ID: "ios/sending-packet", Anchor: "sending packet to", Extract: packetLine, Event: facts.EvP1Sent},
	{ID: "ios/received-packet", Anchor: "received packet from", Extract: packetLine, Event: facts.EvP1Received},
	{ID: "ios/beginning-main-mode", Anchor: "beginning Main Mode exchange", Event: facts.EvP1Sent, State: "MM_NO_STATE"},
	{ID: "ios/beginning-aggressive-mode", Anchor: "beginning Aggressive Mode exchange", Event: facts.EvP1Sent, State: "AG_NO_STATE"},
	{ID: "ios/retransmit-p1", Anchor: "retransmitting phase 1", Re: re(`retransmitting phase 1 (?P<state>[A-Z][A-Z0-9_]*)`), Event: facts.EvP1Retransmit},
	{ID: "ios/retransmit-attempt-p1", Anchor: "retransmit phase 1", Re: re(`attempt (?P<detail>\d+ of \d+): retransmit phase 1`), Event: facts.EvP1Retransmit},
	{ID: "ios/retransmit-xauth", Anchor: "CONF_XAUTH", Re: re(`retransmit(?:ting)? phase 2 CONF_XAUTH`), Event: facts.EvXauthRetransmit, State: "CONF_XAUTH"},
	{ID: "ios/retransmit-p2", Anchor: "retransmitting phase 2", Re: re(`retransmitting phase 2 (?P<state>QM_[A-Z0-9_]*)`), Event: facts.EvP2Retransmit},
	{ID: "ios/death-by-retransmission-p1", Anchor: "Death by retransmission P1", Event: facts.EvP1GiveUp},
	{ID: "ios/mm-failed", Anchor: "Processing of Main mode failed", Re: re(`failed with peer at {ip}`), Event: facts.EvP1GiveUp, State: "MM"},
	{ID: "ios/ikev2-retransmit", Anchor: "Retransmitting packet", Event: facts.EvP1Retransmit},
	{ID: "ios/ikev2-max-retransmit", Anchor: "Maximum number of retransmissions reached", Event: facts.EvP1GiveUp},
	{ID: "ios/ikev2-sending", Anchor: "Sending Packet [To", Re: re(`Sending Packet \[To {ip}`), Event: facts.EvP1Sent},
	{ID: "ios/ikev2-received", Anchor: "Received Packet [From", Re: re(`Received Packet \[From {ip}`), Event: facts.EvP1Received},
	// The exchange a packet belongs to decides the phase of what it
	// carries: NO_PROPOSAL_CHOSEN in IKE_SA_INIT is about the IKE SA, in
	// IKE_AUTH (its child part) or CREATE_CHILD_SA about the IPsec SA.
	{ID: "ios/ikev2-exchange-sa-init", Anchor: "IKE_SA_INIT Exchange", Event: facts.EvContextP1},
	{ID: "ios/ikev2-exchange-auth", Anchor: "IKE_AUTH Exchange", Event: facts.EvContextP2},
	{ID: "ios/ikev2-exchange-create-child", Anchor: "CREATE_CHILD_SA Exchange", Event: facts.EvContextP2},
	{ID: "ios/ikev2-event-trace-sent", Anchor: "Sending IKEv2 IKE_SA_INIT Exchange REQUEST", Re: re(`Remote: {ip}`), Event: facts.EvP1Sent},
	{ID: "ios/ikev2-event-trace-received", Anchor: "Received IKEv2", Re: re(`Remote: {ip}.*Received IKEv2 \S+ Exchange`), Event: facts.EvP1Received},

	{ID: "ios/nat-found", Anchor: "NAT found", Event: facts.EvNATDetected},
	// IKEv2: "NAT detected float to init port 4500, resp port 4500"
	{ID: "ios/ikev2-nat-detected", Anchor: "NAT detected float to", Event: facts.EvNATDetected},
	{ID: "ios/nat-t-not-allowed", Anchor: "NAT", Re: re(`(?i)NAT-?T (?:is )?(?:disabled|not (?:enabled|allowed|supported)).*(?:peer|remote) {ip}`), Event: facts.EvNATTProblem},

	// --- state machine ---
	{ID: "ios/state-change", Anchor: "New State", Extract: newState, Event: facts.EvStateChange},
	{ID: "ios/p1-complete", Anchor: "IKE_P1_COMPLETE", Re: re(`New State\s*=\s*IKE_P1_COMPLETE`), Event: facts.EvP1Complete},
	{ID: "ios/ikev2-sa-up", Anchor: "SA_UP", Re: re(`%IKEV2-5-SA_UP|SA_UP.*Remote:?\s*{ip}`), Event: facts.EvP1Complete},
	// %CRYPTO-5-SESSION_STATUS: Crypto tunnel is UP  .  Peer 192.0.2.9:500 ... / is DOWN
	{ID: "ios/session-status-up", Anchor: "Crypto tunnel is UP", Re: re(`Crypto tunnel is UP.*?Peer {ip}`), Event: facts.EvP1Complete},
	{ID: "ios/session-status-down", Anchor: "Crypto tunnel is DOWN", Re: re(`Crypto tunnel is DOWN.*?Peer {ip}`), Event: facts.EvTunnelDown},
	// "Session with IKE ID PAIR (192.0.2.1, 192.0.2.2) is UP" (debug and event-trace)
	{ID: "ios/ikev2-session-up", Anchor: "is UP", Re: re(`(?:Remote: {ip}.*)?Session with IKE ID PAIR ?\(.*\) is UP`), Event: facts.EvP1Complete},

	// --- phase-1 proposal ---
	{ID: "ios/checking-isakmp-transform", Anchor: "Checking ISAKMP transform", Event: facts.EvContextP1},
	{ID: "ios/checking-ipsec-proposal", Anchor: "Checking IPSec proposal", Event: facts.EvContextP2},
	{ID: "ios/checking-ipsec-proposal-2", Anchor: "Checking IPsec proposal", Event: facts.EvContextP2},
	{ID: "ios/atts-acceptable", Anchor: "atts are acceptable", Event: facts.EvProposalOK},
	{ID: "ios/atts-not-acceptable", Anchor: "atts are not acceptable", Event: facts.EvProposalBad},
	{ID: "ios/offered-does-not-match", Anchor: "offered does not", Re: re(`(?P<detail>[A-Za-z][A-Za-z\- ]*?) offered does not\s+match policy`), Event: facts.EvP1AttrMismatch},
	{ID: "ios/no-offers-accepted", Anchor: "no offers accepted", Event: facts.EvP1NoProposal},
	{ID: "ios/phase1-policy-not-acceptable", Anchor: "phase 1 SA policy not acceptable", Re: re(`phase 1 SA policy not acceptable!?(?:\s*\(local \S+ remote {ip}\))?`), Event: facts.EvP1NoProposal},
	{ID: "ios/phase1-proposal-not-accepted", Anchor: "Phase1 SA policy proposal not accepted", Re: re(`Phase1 SA policy\s+proposal not accepted"?(?:.*?\(peer {ip}\))?`), Event: facts.EvP1NoProposal},
	{ID: "ios/ikev2-no-matching-policy", Anchor: "Failed to find a matching policy", Event: facts.EvP1NoProposal},
	// "Received Policies:" / "Expected Policies:" with the "Proposal 1: AES-CBC-256
	// SHA512 SHA512 DH_GROUP_521_ECP/Group 21" line joined after them: what
	// each end offers, printed beside "Failed to find a matching policy"
	{ID: "ios/ikev2-received-policies", Anchor: "Received Policies:", Extract: policiesList, Event: facts.EvProposalList, State: "received proposals"},
	{ID: "ios/ikev2-expected-policies", Anchor: "Expected Policies:", Extract: policiesList, Event: facts.EvProposalList, State: "configured proposals"},
	{ID: "ios/ikev2-invalid-ke", Anchor: "INVALID_KE_PAYLOAD", Event: facts.EvP1AttrMismatch, State: "", Re: re(`(?P<detail>INVALID_KE_PAYLOAD)`)},

	// --- keys and authentication ---
	{ID: "ios/psk-found", Anchor: "pre-shared key matching", Re: re(`found peer pre-shared key matching {ip}`), Event: facts.EvPSKFound},
	{ID: "ios/no-psk", Anchor: "No pre-shared key", Re: re(`No pre-shared key (?:with|for) {ip}`), Event: facts.EvNoPSK},
	{ID: "ios/no-cert-no-keys", Anchor: "no keys (public or pre-shared)", Re: re(`with remote peer {ip}`), Event: facts.EvNoPSK},
	{ID: "ios/ikev2-no-item", Anchor: "Failed to locate an item in the database", Event: facts.EvNoPSK},
	{ID: "ios/reserved-not-zero", Anchor: "reserved not zero", Event: facts.EvAuthFailed, Re: re(`reserved not zero on (?P<detail>[A-Za-z0-9 ]*payload)`)},
	{ID: "ios/bad-message", Anchor: "IKMP_BAD_MESSAGE", Re: re(`IKE message from {ip}`), Event: facts.EvAuthFailed, State: ""},
	{ID: "ios/payload-malformed", Anchor: "PAYLOAD_MALFORMED", Event: facts.EvAuthFailed},
	{ID: "ios/hmac-verification-failed", Anchor: "HMAC verification failed", Event: facts.EvAuthFailed},
	{ID: "ios/ikev2-auth-failed", Anchor: "authentication data FAILED", Event: facts.EvAuthFailed},
	{ID: "ios/ikev2-auth-failed-notify", Anchor: "AUTHENTICATION_FAILED", Event: facts.EvAuthFailed},
	{ID: "ios/ikev2-auth-exchange-failed", Anchor: "Auth exchange failed", Event: facts.EvAuthFailed},
	// %CRYPTO-6-IKMP_AUTH_FAIL: Authentication method N failed with host A
	{ID: "ios/ikmp-auth-fail", Anchor: "IKMP_AUTH_FAIL", Re: re(`IKMP_AUTH_FAIL.*?(?:with host {ip}|$)`), Event: facts.EvAuthFailed},
	// %CRYPTO-4-IKMP_NO_SA: IKE message from A has no SA and is not an
	// initialization offer: encrypted IKE this side cannot read (keys differ,
	// or one side was reset)
	{ID: "ios/ikmp-no-sa", Anchor: "has no SA and is not an initialization offer", Re: re(`(?:IKE message from {ip}.*)?has no SA`), Event: facts.EvAuthFailed, State: "weak"},
	{ID: "ios/authenticated", Anchor: "SA has been authenticated", Re: re(`SA has been authenticated(?: with {ip})?`), Event: facts.EvAuthOK},
	{ID: "ios/identity-mismatch", Anchor: "dentity", Re: re(`(?i)identity mismatch|verification of peer's identity failed|peer's identity .*(?:not matched|does not match)`), Event: facts.EvIDMismatch},
	{ID: "ios/cert-invalid-pki", Anchor: "CERTIFICATE_INVALID", Event: facts.EvCertInvalid},
	{ID: "ios/cert-revoked", Anchor: "CERTIFICATE_REVOKED", Event: facts.EvCertInvalid},
	{ID: "ios/cert-inval-ikmp", Anchor: "IKMP_INVAL_CERT", Re: re(`from {ip}`), Event: facts.EvCertInvalid},
	{ID: "ios/cert-validation-failed", Anchor: "validation", Re: re(`(?i)certificate (?:chain )?validation (?:has )?failed`), Event: facts.EvCertInvalid},
	{ID: "ios/cert-expired", Anchor: "expired", Extract: certExpired, Event: facts.EvCertInvalid},
	{ID: "ios/cert-not-yet-valid", Anchor: "not yet valid", Event: facts.EvCertInvalid},
	{ID: "ios/invalid-major-version-notify", Anchor: "INVALID_MAJOR_VERSION", Event: facts.EvVersionMismatch},
	{ID: "ios/invalid-major-version", Anchor: "ajor version", Re: re(`(?i)invalid (?:ike )?major version|INVALID_MAJOR_VERSION|unsupported IKE version`), Event: facts.EvVersionMismatch},

	// --- remote access ---
	{ID: "ios/xauth-ack", Anchor: "XAUTH ACK Processed", Event: facts.EvXauthOK},
	{ID: "ios/xauth-failed", Anchor: "uthentication failed", Re: re(`(?i)xauth|user`), Event: facts.EvXauthFailed},
	{ID: "ios/xauth-rejected", Anchor: "uthentication rejected", Re: re(`(?i)xauth|user`), Event: facts.EvXauthFailed},
	{ID: "ios/mode-config-failed", Anchor: "Failed to allocate", Re: re(`Failed to allocate\s+ip address`), Event: facts.EvModeCfgFailed},

	// --- phase 2 ---
	{ID: "ios/begin-quick-mode", Anchor: "beginning Quick Mode exchange", Event: facts.EvP2Start},
	{ID: "ios/pfs-offered", Anchor: "group is", Re: re(`ISAKMP:\s+group is (?P<detail>\d+)`), Event: facts.EvP2PFSOffered},
	{ID: "ios/transform-not-supported", Anchor: "transform proposal not supported", Event: facts.EvP2ProposalBad, Re: re(`transform proposal not supported for identity:?\s*(?P<detail>\{[^}]*\})?`)},
	{ID: "ios/proxy-not-supported", Anchor: "proxy identities not supported", Event: facts.EvP2ProxyMismatch},
	{ID: "ios/invalid-proxy-ids", Anchor: "Invalid Proxy IDs", Event: facts.EvP2ProxyMismatch},
	{ID: "ios/policy-invalidated-32", Anchor: "invalidated proposal", Re: re(`invalidated proposal with error 32\b`), Event: facts.EvP2ProxyMismatch, State: "error 32"},
	{ID: "ios/policy-invalidated-256", Anchor: "invalidated proposal", Re: re(`invalidated proposal with error 256\b`), Event: facts.EvP2ProposalBad, State: "error 256"},
	{ID: "ios/phase2-policy-not-acceptable", Anchor: "phase 2 SA policy not acceptable", Re: re(`phase 2 SA policy not acceptable!?(?:\s*\(local \S+ remote {ip}\))?`), Event: facts.EvP2PolicyRejected},
	{ID: "ios/proposal-not-chosen", Anchor: "PROPOSAL_NOT_CHOSEN", Event: facts.EvNoProposalNotify},
	{ID: "ios/ikev2-no-proposal-chosen", Anchor: "NO_PROPOSAL_CHOSEN", Event: facts.EvNoProposalNotify},
	{ID: "ios/ts-unacceptable", Anchor: "TS_UNACCEPTABLE", Event: facts.EvP2ProxyMismatch},
	{ID: "ios/ikev2-no-policy-for-ts", Anchor: "no IPSEC policy found for received TS", Event: facts.EvP2ProxyMismatch},
	// "[IPsec -> IKEv2] Callback received for the validate proposal - FAILED.":
	// IPsec refused the child SA proposal of IKE_AUTH / CREATE_CHILD_SA
	{ID: "ios/ikev2-validate-proposal-failed", Anchor: "validate proposal - FAILED", Event: facts.EvP2NoProposal},
	{ID: "ios/all-ipsec-proposals-unacceptable", Anchor: "IPSec SA proposals found unacceptable", Event: facts.EvP2NoProposal},
	{ID: "ios/qm-failed", Anchor: "Processing of Quick mode failed", Re: re(`failed with peer at {ip}`), Event: facts.EvP2Failed},
	{ID: "ios/qm-fsm-error", Anchor: "QM FSM error", Event: facts.EvP2Failed},
	{ID: "ios/not-ipsec-packet", Anchor: "RECVD_PKT_NOT_IPSEC", Re: re(`(?:from|src_addr=|srcaddr=)\s*{ip}?`), Event: facts.EvP2ProxyMismatch, State: "cleartext"},
	{ID: "ios/creating-ipsec-sas", Anchor: "Creating IPsec SAs", Event: facts.EvP2Complete},
	// IKEv2: "[IPsec -> IKEv2] Creation of IPsec SA into IPsec database PASSED"
	{ID: "ios/ikev2-ipsec-sa-created", Anchor: "Creation of IPsec SA into IPsec database PASSED", Event: facts.EvP2Complete},
	{ID: "ios/phase2-complete", Anchor: "PHASE2_COMPLETE", Event: facts.EvP2Complete},
	{ID: "ios/engine-allocate-flow", Anchor: "ipsec allocate flow", Event: facts.EvP2Complete},
	{ID: "ios/engine-validate-proposal", Anchor: "CryptoEngine0: validate proposal", Event: facts.EvContextP2},

	// --- data plane and keepalives ---
	{ID: "ios/dpd-error-counter", Anchor: "DPD incrementing error counter", Re: re(`error counter \((?P<detail>\d+/\d+)\)`), Event: facts.EvDPDMiss},
	{ID: "ios/peer-not-responding", Anchor: "not responding", Re: re(`peer {ip} not responding`), Event: facts.EvDPDMiss},
	{ID: "ios/p1-errcounter-exceeded", Anchor: "P1 errcounter exceeded", Re: re(`P1 errcounter exceeded(?:.*?\(peer {ip}\))?`), Event: facts.EvDPDDead},
	{ID: "ios/replay-check", Anchor: "eplay check failed", Event: facts.EvReplay}, // %CRYPTO-4-PKT_REPLAY_ERR says it too
	{ID: "ios/hmac-recv-error", Anchor: "RECVD_PKT_MAC_ERR", Event: facts.EvReplay, State: "mac"},
	{ID: "ios/invalid-spi", Anchor: "RECVD_PKT_INV_SPI", Re: re(`(?:srcaddr|src_addr)=\s*{ip}`), Event: facts.EvSADeleted, State: "invalid SPI"},
	{ID: "ios/network-not-in-table", Anchor: "Network not in table", Event: facts.EvNoRoute},
	{ID: "ios/frag-needed", Anchor: "fragment", Re: re(`(?i)(?:packet too big|fragmentation needed|DF bit set|PMTU)`), Event: facts.EvFragNeeded},
	{ID: "ios/sa-deleted", Anchor: "deleting SA reason", Re: re(`deleting SA reason\s+"(?P<detail>[^"]*)"(?:.*?\(peer {ip}\))?`), Event: facts.EvSADeleted},
	{ID: "ios/no-crypto-map", Anchor: "crypto map", Re: re(`(?i)no crypto map (?:is )?applied|crypto map .* not applied`), Event: facts.EvNoCryptoMap},
}

// packetLine reads "sending packet to A my_port 500 peer_port 500 (I)
// MM_NO_STATE" and "received packet from A dport 500 sport 500 Global (R)
// MM_KEY_EXCH": the peer, the exchange state after "(I)/(R)/(N)", and for
// sends the local port (4500 once NAT-T floated).
func packetLine(line string, at int) (peer, state, detail string, ok bool) {
	rest := line[at:]
	if i := strings.Index(rest, " to "); i >= 0 && strings.HasPrefix(rest, "sending") {
		rest = rest[i+4:]
	} else if i := strings.Index(rest, " from "); i >= 0 {
		rest = rest[i+6:]
	} else {
		return "", "", "", false
	}
	rest = strings.TrimLeft(rest, " ")
	end := strings.IndexAny(rest, " (")
	if end < 0 {
		end = len(rest)
	}
	peer = rest[:end]
	if !isAddr(peer) {
		return "", "", "", false
	}
	rest = rest[end:]
	if i := strings.Index(rest, "my_port "); i >= 0 {
		d := rest[i+8:]
		j := 0
		for j < len(d) && d[j] >= '0' && d[j] <= '9' {
			j++
		}
		detail = d[:j]
	}
	for _, mark := range []string{"(I)", "(R)", "(N)"} {
		if i := strings.Index(rest, mark); i >= 0 {
			state = upperToken(strings.TrimLeft(rest[i+3:], " "))
			break
		}
	}
	return peer, state, detail, true
}

// newState reads "Old State = IKE_R_MM2 New State = IKE_R_MM3", also when a
// wrap split the state ("IKE_QM_ PHASE2_COMPLETE").
func newState(line string, at int) (peer, state, detail string, ok bool) {
	rest := line[at+len("New State"):]
	rest = strings.TrimLeft(rest, " ")
	if !strings.HasPrefix(rest, "=") {
		return "", "", "", false
	}
	rest = strings.TrimLeft(rest[1:], " ")
	st := upperToken(rest)
	for strings.HasSuffix(st, "_") && len(rest) > len(st) {
		rest = strings.TrimLeft(rest[len(st):], " ")
		more := upperToken(rest)
		if more == "" {
			break
		}
		st += more
		rest = rest[len(more):]
	}
	if st == "" {
		return "", "", "", false
	}
	return "", st, "", true
}

// upperToken is the leading run of A-Z, 0-9 and '_' starting with a letter.
func upperToken(s string) string {
	if s == "" || s[0] < 'A' || s[0] > 'Z' {
		return ""
	}
	i := 0
	for i < len(s) && (s[i] >= 'A' && s[i] <= 'Z' || s[i] >= '0' && s[i] <= '9' || s[i] == '_') {
		i++
	}
	return s[:i]
}

// isAddr: a dotted IPv4 address or an IPv6 one (hex and colons).
func isAddr(s string) bool {
	if s == "" {
		return false
	}
	dots, colons := 0, 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '.':
			dots++
		case c == ':':
			colons++
		case c >= '0' && c <= '9', c >= 'a' && c <= 'f', c >= 'A' && c <= 'F':
		default:
			return false
		}
	}
	return dots == 3 || colons >= 2
}

// certExpired: "certificate ... has expired" / "... is expired", any case
// (the case-folded regexp with ".*" backtracked on long PKI lines).
func certExpired(line string, at int) (peer, state, detail string, ok bool) {
	low := lowerASCII(line)
	i := strings.Index(low, "certificate")
	if i < 0 {
		return "", "", "", false
	}
	rest := low[i:]
	return "", "", "", strings.Contains(rest, "has expired") || strings.Contains(rest, "is expired")
}

// policiesList reads the proposals after "Received Policies:" or "Expected
// Policies:" into Detail "IKE:<proposal>[, <proposal>]" (the prefix is the
// protocol, as the other vendors' proposal lists carry it).
func policiesList(line string, at int) (peer, state, detail string, ok bool) {
	rest := line[at:]
	i := strings.IndexByte(rest, ':')
	if i < 0 {
		return "", "", "", false
	}
	var props []string
	for _, part := range strings.Split(rest[i+1:], "Proposal ") {
		part = strings.TrimSpace(part)
		if j := strings.Index(part, ":"); j >= 0 && isDigits(strings.TrimSpace(part[:j])) {
			if p := strings.Join(strings.Fields(part[j+1:]), " "); p != "" {
				props = append(props, p)
			}
		}
	}
	if len(props) == 0 {
		return "", "", "", false
	}
	return "", "", "IKE:" + strings.Join(props, ", "), true
}
