package libreswan

import (
	"net/netip"
	"regexp"
	"strings"

	"github.com/tunneldoc/tunneldoc/diagnose/facts"
)

// LineParsers read pluto's log lines.
var LineParsers = []facts.LineParser{{
	Name:       "libreswan/pluto",
	Vendor:     facts.VendorLibreswan,
	Prefix:     IsPlutoLine,
	Signatures: signatures(),
}}

// prefixWindow bounds where "pluto[123]: " may sit: after a time stamp
// and a host name, never deep inside a message.
const prefixWindow = 96

// IsPlutoLine reports whether a line is one of pluto's, in the forms
// engineers paste: syslog and journalctl ("host pluto[123]: msg", the
// time already removed by the splitter or not), what `ipsec auto --up`
// echoes ("002 "conn" #1: msg"), and pluto's own log file or stderr
// ("conn" #1: msg). Lines of the plain forms are claimed only when they
// name a connection and a state serial, so that `ipsec status` rows
// ("000 "conn": 10.0.0.0/24===...", "000 #1: "conn":500 STATE_...") stay
// the status parser's.
func IsPlutoLine(line string) bool {
	if isDebug(line) {
		// plutodebug lines are claimed, so that no other vendor reads the
		// payload names they dump, and read as no observation (isDebug);
		// except a hex dump row or a key line, which carry no word any
		// vendor reads and, pasted under another line, are its wrapped
		// continuation; nor a markdown table row, which ends in "|"
		return !dumpOrKey(line) && !strings.HasSuffix(line, "|")
	}
	w := line
	if len(w) > prefixWindow {
		w = w[:prefixWindow]
	}
	if i := strings.Index(w, "pluto["); i >= 0 && (i == 0 || w[i-1] == ' ') {
		j := i + len("pluto[")
		k := j
		for k < len(w) && w[k] >= '0' && w[k] <= '9' {
			k++
		}
		if k > j && strings.HasPrefix(w[k:], "]:") {
			return true
		}
	}
	if strings.HasPrefix(w, "pluto: ") || strings.Contains(w, " pluto: ") {
		return true
	}
	s := line
	if len(s) > 4 && isDigit(s[0]) && isDigit(s[1]) && isDigit(s[2]) && s[3] == ' ' {
		s = s[4:] // whack's numeric code
	}
	s = strings.TrimPrefix(s, "ERROR: ")
	if strings.HasPrefix(s, "adding UDP interface ") || strings.HasPrefix(s, "adding TCP interface ") {
		return true // pluto names the addresses it listens on as it starts (iface.c)
	}
	if strings.HasPrefix(s, "packet from ") {
		// "packet from 192.0.2.7:500: ...": a message about a packet no
		// state owns yet (log.c)
		rest := s[len("packet from "):]
		if i := strings.Index(rest, ": "); i > 0 {
			return isAddr(hostOf(rest[:i]))
		}
		return false
	}
	if _, rest, ok := connPrefix(s); ok {
		return strings.HasPrefix(rest, "#")
	}
	// a connection's own messages: "conn": added IKEv2 connection
	if q := strings.Index(s, `": `); q > 0 && s[0] == '"' {
		for _, w := range connMessages {
			if strings.HasPrefix(s[q+3:], w) {
				return true
			}
		}
	}
	return false
}

// connMessages start the messages pluto logs about a connection as it
// loads or drops it (connections.c); status rows ("conn": 10.0.0.0/24===...)
// start otherwise.
var connMessages = []string{"added ", "failed to add connection", "terminating SAs", "deleting connection", "deleting non-instance connection"}

// dumpOrKey reports whether a debug line's message is a row of hex bytes
// ("|   5e 1f 3d 2c  1b 0a ...") or names key material.
func dumpOrKey(line string) bool {
	msg := line[strings.Index(line, "| ")+2:]
	for _, k := range []string{"SK_", "SKEY"} {
		if strings.Contains(msg, k) {
			return true
		}
	}
	hex := 0
	for _, w := range strings.Fields(msg) {
		if len(w) != 2 || !isHexByte(w) {
			break
		}
		hex++
	}
	return hex >= 4
}

func isHexByte(w string) bool {
	for i := 0; i < len(w); i++ {
		if c := w[i]; !isDigit(c) && !(c >= 'a' && c <= 'f') && !(c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

// isDebug reports whether a pluto line is a debug line (plutodebug=...):
// its message starts with "| ". Debug lines dump payloads whose names
// (NO_PROPOSAL_CHOSEN, TS_UNACCEPTABLE) are no observation.
func isDebug(line string) bool {
	if strings.HasPrefix(line, "| ") {
		return true
	}
	w := line
	if len(w) > prefixWindow+2 {
		w = w[:prefixWindow+2]
	}
	if i := strings.Index(w, "]: | "); i >= 0 && strings.Contains(w[:i], "pluto[") {
		return true
	}
	return strings.Contains(w, "pluto: | ")
}

// connPrefix reads `"conn"[1] 192.0.2.1 ` at the start of s: the
// connection name, an instance number and the peer address of a template
// instance (both optional). rest starts after them and the space.
func connPrefix(s string) (peer, rest string, ok bool) {
	if len(s) < 3 || s[0] != '"' {
		return "", "", false
	}
	q := strings.IndexByte(s[1:], '"')
	if q < 0 {
		return "", "", false
	}
	rest = s[q+2:]
	instance := false
	for strings.HasPrefix(rest, "[") {
		e := strings.IndexByte(rest, ']')
		if e < 0 {
			return "", "", false
		}
		rest, instance = rest[e+1:], true
	}
	if !strings.HasPrefix(rest, " ") {
		return "", "", false
	}
	rest = rest[1:]
	if instance {
		// "conn"[1] 192.0.2.1 #3: the instance's peer
		if sp := strings.IndexByte(rest, ' '); sp > 0 && isAddr(rest[:sp]) {
			peer, rest = rest[:sp], rest[sp+1:]
		}
	}
	return peer, rest, true
}

// instancePeer finds the peer a template instance's prefix names.
func instancePeer(line string) string {
	i := strings.IndexByte(line, '"')
	if i < 0 || i > prefixWindow {
		return ""
	}
	peer, _, _ := connPrefix(line[i:])
	return peer
}

// StateInvalidID marks an IKEv1 INVALID_ID_INFORMATION notify, whose
// phase Correlate settles.
const StateInvalidID = "INVALID_ID_INFORMATION"

// StateIKEVersion is the EvConfig key of a connection's IKE version ("1",
// "2") as pluto prints it when it loads the connection.
const StateIKEVersion = "ike-version"

// States of EvProposalList events: this side's CHILD SA proposals as pluto
// prints them ("1:ESP=AES_CBC_256-HMAC_SHA2_256_128-MODP2048-ENABLED"),
// and, in Quick Mode, the networks the peer proposed and those this side's
// connection has.
const (
	StateConfigured   = "configured"
	StateProposedTS   = "proposed ts"
	StateConfiguredTS = "configured ts"
)

// StateOwnCert marks this side's own certificate refused as pluto loads
// the connection: requests for that connection then find none.
const StateOwnCert = "own certificate"

// StateInterface is the EvConfig key of an address pluto listens on:
// this side's own, never a peer.
const StateInterface = "interface"

const ip = `(?P<peer>[0-9]{1,3}(?:\.[0-9]{1,3}){3}|[0-9A-Fa-f]*:[0-9A-Fa-f:]+)`

// entry is one wording of pluto's with what it means. src is the pluto
// source file the wording is printed by.
type entry struct {
	src    string
	id     string
	anchor string
	re     string // named groups: peer, state, detail; {ip} is an address
	event  facts.EventKind
	state  string
	// check, when set, must accept the state the line names (phase by
	// the pluto state the message was retransmitted in, say).
	check func(state string) bool
	// unless, when set, is a literal that rules the line out.
	unless string
	// detail, when set, is the event's detail.
	detail string
	// debug: the wording is a plutodebug line's (others never match one).
	debug bool
}

// table: pluto's wordings (libreswan 4.10; 3.x wordings where they
// differ). IKEv2 tells the exchange on the line (IKE_SA_INIT, IKE_AUTH,
// CREATE_CHILD_SA); IKEv1 tells it by the state (STATE_MAIN_*,
// STATE_QUICK_*) or, for an informational notify, by its message ID (0
// while the IKE SA is not up yet, so Main or Aggressive Mode).
var table = []entry{
	// --- IKE packets out and in ---
	{src: "programs/pluto/ikev2.c", id: "lsw/v2-sent-ike-sa-init", anchor: "sent IKE_SA_INIT request to ", re: `sent IKE_SA_INIT request to {ip}`, event: facts.EvP1Sent, state: "IKE_SA_INIT"},
	{src: "programs/pluto/ikev2_states.c v3", id: "lsw/v2-sent-v2i1", anchor: "sent v2I1", event: facts.EvP1Sent, state: "IKE_SA_INIT"},
	{src: "programs/pluto/ikev1_main.c", id: "lsw/v1-initiating-main-mode", anchor: "initiating ", re: `initiating (?:IKEv1 )?Main Mode`, event: facts.EvP1Sent, state: "STATE_MAIN_I1"},
	{src: "programs/pluto/ikev1_aggr.c", id: "lsw/v1-initiating-aggressive-mode", anchor: "initiating ", re: `initiating (?:IKEv1 )?Aggressive Mode`, event: facts.EvP1Sent, state: "STATE_AGGR_I1"},
	// the answer to Main Mode message 1 comes on UDP/500: NAT is found after it
	{src: "programs/pluto/ikev1_states.c", id: "lsw/v1-sent-main-mode-i2", anchor: "sent Main Mode I2", event: facts.EvP1Received, state: "STATE_MAIN_I2", detail: "500"},
	// Main Mode I3 is the first encrypted message, sent to UDP/4500 when a NAT was found
	{src: "programs/pluto/ikev1_states.c", id: "lsw/v1-sent-main-mode-i3", anchor: "sent Main Mode I3", event: facts.EvP1Sent, state: "STATE_MAIN_I3"},
	{src: "programs/pluto/ikev1_main.c", id: "lsw/v1-responding-main-mode", anchor: "responding to Main Mode", re: `responding to Main Mode(?: from unknown peer {ip})?`, event: facts.EvP1Received, state: "STATE_MAIN_R1"},
	{src: "programs/pluto/ikev1_aggr.c", id: "lsw/v1-responding-aggressive-mode", anchor: "responding to Aggressive Mode", event: facts.EvP1Received, state: "STATE_AGGR_R1"},
	{src: "programs/pluto/ikev1_states.c", id: "lsw/v1-sent-main-mode-r2", anchor: "sent Main Mode R2", event: facts.EvP1Received, state: "STATE_MAIN_R2"},
	// 3.x names the state and its story: "STATE_MAIN_I2: sent MI2, expecting MR2"
	{src: "programs/pluto/ikev1_states.c v3", id: "lsw/v3-state-story-answered", anchor: "STATE_", re: `(?P<state>STATE_(?:MAIN_I[23]|MAIN_R[12]|AGGR_R1|PARENT_I2|PARENT_R1)): (?:sent|received)`, event: facts.EvP1Received},
	{src: "programs/pluto/ikev2.c", id: "lsw/v2-processing-ike-auth", anchor: "processing decrypted IKE_AUTH request", event: facts.EvP1Received, state: "IKE_AUTH"},

	// --- retransmissions and giving up (the state says the exchange) ---
	// A Quick Mode / CHILD_SA request retransmitted until pluto gives up
	// is a phase-2 request left unanswered: EvP2Retransmit, give-up
	// included (the peer says nothing of why).
	{src: "programs/pluto/retransmit.c", id: "lsw/retransmit-ike", anchor: ": retransmission; will wait", re: `(?P<state>STATE_\w+): retransmission; will wait`, event: facts.EvP1Retransmit, check: isIKEState},
	{src: "programs/pluto/retransmit.c", id: "lsw/retransmit-child", anchor: ": retransmission; will wait", re: `(?P<state>STATE_\w+): retransmission; will wait`, event: facts.EvP2Retransmit, check: isChildState},
	{src: "programs/pluto/retransmit.c", id: "lsw/max-retransmissions-ike", anchor: "max number of retransmissions", re: `(?P<state>STATE_\w+): max number of retransmissions \((?P<detail>\d+)\)`, event: facts.EvP1GiveUp, check: isIKEState},
	{src: "programs/pluto/retransmit.c", id: "lsw/timeout-exceeded-ike", anchor: " second timeout exceeded after ", re: `(?P<state>STATE_\w+): \S+ second timeout exceeded after (?P<detail>\d+) retransmits`, event: facts.EvP1GiveUp, check: isIKEState},
	// before 3.25: "max number of retransmissions (2) reached STATE_MAIN_I1.  No response ..."
	{src: "programs/pluto/timer.c v3", id: "lsw/v3-max-retransmissions-ike", anchor: "max number of retransmissions", re: `max number of retransmissions \((?P<detail>\d+)\) reached (?P<state>STATE_\w+)`, event: facts.EvP1GiveUp, check: isIKEState},
	{src: "programs/pluto/timer.c v3", id: "lsw/v3-max-retransmissions-child", anchor: "max number of retransmissions", re: `max number of retransmissions \((?P<detail>\d+)\) reached (?P<state>STATE_\w+)`, event: facts.EvP2Retransmit, check: isChildState},
	{src: "programs/pluto/retransmit.c", id: "lsw/max-retransmissions-child", anchor: "max number of retransmissions", re: `(?P<state>STATE_\w+): max number of retransmissions \((?P<detail>\d+)\)`, event: facts.EvP2Retransmit, check: isChildState},
	{src: "programs/pluto/retransmit.c", id: "lsw/timeout-exceeded-child", anchor: " second timeout exceeded after ", re: `(?P<state>STATE_\w+): \S+ second timeout exceeded after (?P<detail>\d+) retransmits`, event: facts.EvP2Retransmit, check: isChildState},

	// libreswan 5 names the exchange it retransmits instead of the state
	{src: "programs/pluto/ikev2_retransmit.c v5", id: "lsw/v5-retransmit-ike", anchor: "retransmitting ", re: `retransmitting (?P<state>IKE_SA_INIT|IKE_AUTH|IKE_INTERMEDIATE|INFORMATIONAL) request; will wait`, event: facts.EvP1Retransmit},
	{src: "programs/pluto/ikev2_retransmit.c v5", id: "lsw/v5-retransmit-child", anchor: "retransmitting ", re: `retransmitting (?P<state>CREATE_CHILD_SA) request; will wait`, event: facts.EvP2Retransmit},

	// --- IKE proposals ---
	{src: "programs/pluto/ikev2_ike_sa_init.c v5", id: "lsw/v5-processed-ike-sa-init-response", anchor: "processed IKE_SA_INIT response from ", re: `processed IKE_SA_INIT response from {ip}\S* (?P<detail>\{[^}]*\})`, event: facts.EvP1ProposalOK, state: "IKE_SA_INIT"},
	{src: "programs/pluto/ikev2_ike_sa_init.c v5", id: "lsw/v5-sent-ike-sa-init-response", anchor: "sent IKE_SA_INIT response to ", re: `sent IKE_SA_INIT response to {ip}\S* (?P<detail>\{[^}]*\})`, event: facts.EvP1ProposalOK, state: "IKE_SA_INIT"},
	{src: "programs/pluto/ikev2.c", id: "lsw/v2-sent-ike-auth-chosen", anchor: "sent IKE_AUTH request {", re: `sent IKE_AUTH request (?P<detail>\{[^}]*\})`, event: facts.EvP1ProposalOK, state: "IKE_SA_INIT"},
	{src: "programs/pluto/ikev2.c", id: "lsw/v2-sent-ike-sa-init-reply", anchor: "sent IKE_SA_INIT reply", re: `sent IKE_SA_INIT reply (?P<detail>\{[^}]*\})`, event: facts.EvP1ProposalOK, state: "IKE_SA_INIT"},
	{src: "programs/pluto/ikev2_proposals.c", id: "lsw/v2-no-local-proposal-ike", anchor: "no local proposal matches remote proposals", re: `no local proposal matches remote proposals (?P<detail>\d+:IKE:.*)`, event: facts.EvP1NoProposal, state: "IKE_SA_INIT"},
	{src: "programs/pluto/ikev2_states.c", id: "lsw/v2-ike-sa-init-no-proposal-chosen", anchor: "NO_PROPOSAL_CHOSEN", re: `IKE_SA_INIT .*NO_PROPOSAL_CHOSEN`, event: facts.EvP1NoProposal, state: "IKE_SA_INIT", unless: "responding to"},
	{src: "programs/pluto/ikev2_parent.c v3", id: "lsw/v3-unauthenticated-no-proposal-chosen", anchor: "received unauthenticated ", re: `(?P<state>STATE_\w*PARENT_I1): received unauthenticated (?:v2N_)?NO_PROPOSAL_CHOSEN`, event: facts.EvP1NoProposal},
	{src: "programs/pluto/ikev2_send.c", id: "lsw/v2-responding-ike-sa-init-notify", anchor: "responding to IKE_SA_INIT message", re: `responding to IKE_SA_INIT message \(ID \d+\) from {ip}`, event: facts.EvP1Received, state: "IKE_SA_INIT"},
	{src: "programs/pluto/ikev2_ike_sa_init.c", id: "lsw/v2-invalid-ke-resending", anchor: "INVALID_KE_PAYLOAD response to DH", re: `Received unauthenticated INVALID_KE_PAYLOAD response to DH (?P<detail>\S+; resending with suggested DH \S+)`, event: facts.EvP1AttrMismatch, state: "INVALID_KE_PAYLOAD"},
	{src: "programs/pluto/ikev2_ike_sa_init.c", id: "lsw/v2-invalid-ke-not-acceptable", anchor: "INVALID_KE_PAYLOAD response to DH", re: `Discarding unauthenticated INVALID_KE_PAYLOAD response to DH (?P<detail>\S+; suggested DH \S+ is not acceptable)`, event: facts.EvP1NoProposal, state: "IKE_SA_INIT"},
	{src: "programs/pluto/ikev1_spdb_struct.c", id: "lsw/v1-no-acceptable-oakley", anchor: "no acceptable Oakley Transform", event: facts.EvP1NoProposal, state: "STATE_MAIN_R0"},
	// IKEv1 names no exchange with a notify: the engine tells Main Mode
	// from Quick Mode by whether the IKE SA was up. (The msgid pluto prints
	// with it is the state's, 0 for the IKE SA's own state whatever the
	// exchange.)
	{src: "programs/pluto/ikev1.c", id: "lsw/v1-ignoring-no-proposal-chosen", anchor: "ignoring informational payload NO_PROPOSAL_CHOSEN", event: facts.EvNoProposalNotify},
	{src: "programs/pluto/ikev1.c", id: "lsw/v1-notify-no-proposal", anchor: "received and ignored notification payload: NO_PROPOSAL_CHOSEN", event: facts.EvNoProposalNotify},

	// --- authentication and identities ---
	{src: "programs/pluto/ikev2_ike_auth.c", id: "lsw/v2-auth-rejected-by-peer", anchor: "authentication request rejected by peer: ", re: `IKE SA authentication request rejected by peer: (?:v2N_)?(?P<detail>AUTHENTICATION_FAILED|INVALID_SYNTAX|UNSUPPORTED_CRITICAL_PAYLOAD)`, event: facts.EvAuthFailed, state: "IKE_AUTH"},
	// 3.x printed the child's refusal in IKE_AUTH the same way
	{src: "programs/pluto/ikev2_parent.c v3", id: "lsw/v3-auth-rejected-no-proposal", anchor: "authentication request rejected by peer: ", re: `rejected by peer: (?:v2N_)?NO_PROPOSAL_CHOSEN`, event: facts.EvP2NoProposal, state: "IKE_AUTH"},
	{src: "programs/pluto/ikev2_psk.c", id: "lsw/v2-no-psk-found", anchor: "authentication failed: no PSK found for", event: facts.EvNoPSK, state: "IKE_AUTH"},
	{src: "programs/pluto/ikev2_psk.c", id: "lsw/v2-psk-hash-mismatch", anchor: "authentication failed: computed hash does not match", event: facts.EvAuthFailed, state: "IKE_AUTH"},
	{src: "programs/pluto/ikev1.c", id: "lsw/v1-probable-psk-mismatch", anchor: "probable authentication failure (mismatch of preshared secrets?)", event: facts.EvAuthFailed, state: "STATE_MAIN_R2"},
	{src: "programs/pluto/ikev1.c", id: "lsw/v1-notify-auth-failed", anchor: "informational payload ", re: `ignoring informational payload (?P<detail>AUTHENTICATION_FAILED|INVALID_HASH_INFORMATION|INVALID_SIGNATURE),`, event: facts.EvAuthFailed, state: "informational"},
	// Correlate re-reads it as a traffic selector refusal once the IKE SA is up
	{src: "programs/pluto/ikev1.c", id: "lsw/v1-notify-invalid-id", anchor: "ignoring informational payload INVALID_ID_INFORMATION", event: facts.EvIDMismatch, state: StateInvalidID},
	{src: "programs/pluto/ikev1_host_pair.c", id: "lsw/v1-no-connection-authorized", anchor: "but no connection has been authorized", re: `initial (?:Main|Aggressive) Mode (?:message|packet)`, event: facts.EvNoPSK, state: "STATE_MAIN_R0"},
	{src: "programs/pluto/ikev2_host_pair.c", id: "lsw/v2-no-connection-authorized", anchor: "message received on ", re: `(?:IKE_SA_INIT )?message received on .* but no (?:connection has been authorized|suitable connection found)`, event: facts.EvNoPSK, state: "IKE_SA_INIT"},
	{src: "programs/pluto/peer_id.c", id: "lsw/peer-id-mismatched", anchor: "on first found connection and no better connection found", event: facts.EvIDMismatch},
	{src: "programs/pluto/ikev2.c v3", id: "lsw/peer-id-not-in-san", anchor: "is not specified on the certificate SubjectAltName", event: facts.EvIDMismatch},
	{src: "programs/pluto/ikev2_psk.c", id: "lsw/v2-established-ike-sa", anchor: " established IKE SA", re: `(?:initiator|responder) established IKE SA`, event: facts.EvP1Complete},
	{src: "programs/pluto/ikev1_states.c", id: "lsw/v1-ike-sa-established", anchor: "IKE SA established {", event: facts.EvP1Complete},
	{src: "programs/pluto/ikev1_states.c v3", id: "lsw/v1-isakmp-sa-established", anchor: "ISAKMP SA established", event: facts.EvP1Complete},
	{src: "programs/pluto/ikev2_states.c v3", id: "lsw/v2-parent-sa-established", anchor: "PARENT SA established", event: facts.EvP1Complete},
	{src: "programs/pluto/ikev2_ike_auth.c", id: "lsw/v2-ike-sa-established-child-rejected", anchor: "IKE SA established but initiator rejected Child SA response", event: facts.EvP1Complete},

	// --- configuration pluto prints as it loads a connection ---
	{src: "programs/pluto/iface.c", id: "lsw/adding-interface", anchor: "adding ", re: `^adding (?:UDP|TCP) interface \S+ (?P<detail>[0-9.]+|\[?[0-9a-fA-F:]+\]?):\d+$`, event: facts.EvConfig, state: StateInterface},
	{src: "programs/pluto/connections.c", id: "lsw/added-connection", anchor: "\": added IKEv", re: `": added IKEv(?P<detail>[12]) connection`, event: facts.EvConfig, state: StateIKEVersion},

	// --- NAT (only plutodebug says it) ---
	{src: "programs/pluto/nat_traversal.c", id: "lsw/nat-this-end-behind", anchor: "NAT_TRAVERSAL this end is behind NAT", event: facts.EvNATDetected, state: "NAT-D", detail: "local", debug: true},
	{src: "programs/pluto/nat_traversal.c", id: "lsw/nat-that-end-behind", anchor: "NAT_TRAVERSAL that end is behind NAT", event: facts.EvNATDetected, state: "NAT-D", detail: "remote", debug: true},

	// --- certificates ---
	{src: "programs/pluto/nss_cert_verify.c", id: "lsw/nss-certificate-invalid", anchor: "NSS: ", re: `NSS: (?:ERROR: )?\S+ certificate .* invalid(?:: (?P<detail>SEC_ERROR_\w+))?`, event: facts.EvCertInvalid},
	{src: "programs/pluto/nss_cert_verify.c", id: "lsw/nss-end-certificate-invalid", anchor: "NSS: end certificate invalid", event: facts.EvCertInvalid},
	{src: "programs/pluto/ikev1_cert.c", id: "lsw/x509-certificate-rejected", anchor: "X509: certificate ", re: `X509: certificate (?:payload )?rejected for this connection`, event: facts.EvCertInvalid},
	// this side's own certificate: the connection is not loaded at all
	{src: "programs/pluto/connections.c", id: "lsw/own-certificate-invalid", anchor: "failed to add connection: ", re: `failed to add connection: (?P<detail>\S+ certificate '[^']*' is expired or not yet valid)`, event: facts.EvCertInvalid, state: StateOwnCert},

	// --- remote access (IKEv1 XAUTH) ---
	{src: "programs/pluto/ikev1_xauth.c", id: "lsw/xauth-user-failed", anchor: "XAUTH: User ", re: `XAUTH: User \S+: Authentication Failed`, event: facts.EvXauthFailed, state: "XAUTH"},
	{src: "programs/pluto/ikev1_xauth.c", id: "lsw/xauth-status-fail", anchor: "Received Cisco XAUTH status: FAIL", event: facts.EvXauthFailed, state: "XAUTH"},
	{src: "programs/pluto/ikev1_xauth.c", id: "lsw/xauth-user-ok", anchor: "XAUTH: User ", re: `XAUTH: User \S+: Authentication Successful`, event: facts.EvXauthOK, state: "XAUTH"},
	{src: "programs/pluto/ikev1_xauth.c", id: "lsw/xauth-client-ok", anchor: "XAUTH: Successfully Authenticated", event: facts.EvXauthOK, state: "XAUTH"},

	// --- version ---
	{src: "programs/pluto/demux.c", id: "lsw/ikev1-policy-drop", anchor: "IKEv1 packet as policy is set to ", event: facts.EvVersionMismatch},

	// --- CHILD SA / Quick Mode ---
	// what was proposed and what is configured, which Correlate compares
	{src: "programs/pluto/ikev2_proposals.c", id: "lsw/child-proposal-configured", anchor: ":ESP=", re: `#\d+: +\d+:(?P<detail>ESP=\S+)$`, event: facts.EvProposalList, state: StateConfigured},
	{src: "programs/pluto/ikev1_quick.c", id: "lsw/v1-peer-proposed-ts", anchor: "the peer proposed: ", re: `the peer proposed: (?P<detail>\S+ -\S*-> \S+)`, event: facts.EvProposalList, state: StateProposedTS},
	{src: "programs/pluto/ikev1_quick.c", id: "lsw/v1-us-them", anchor: " them: ", re: `#\d+: +us: (?P<detail>\S+ +them: \S+)`, event: facts.EvProposalList, state: StateConfiguredTS},
	{src: "programs/pluto/ikev1_quick.c", id: "lsw/v1-initiating-quick-mode", anchor: "initiating Quick Mode", event: facts.EvP2Start, state: "STATE_QUICK_I1"},
	{src: "programs/pluto/ikev1_quick.c", id: "lsw/v1-quick-mode-pfs", anchor: "initiating Quick Mode", re: `initiating Quick Mode .*pfsgroup=(?P<detail>[A-Z0-9_]+)`, event: facts.EvP2PFSOffered},
	{src: "programs/pluto/ikev1_quick.c", id: "lsw/v1-responding-quick-mode", anchor: "responding to Quick Mode proposal", event: facts.EvP2Start, state: "STATE_QUICK_R0"},
	{src: "programs/pluto/ikev2_create_child_sa.c", id: "lsw/v2-create-child-sa", anchor: "sent CREATE_CHILD_SA request for new IPsec SA", event: facts.EvP2Start, state: "CREATE_CHILD_SA"},
	{src: "programs/pluto/ikev2_proposals.c", id: "lsw/v2-no-local-proposal-child", anchor: "no local proposal matches remote proposals", re: `no local proposal matches remote proposals (?P<detail>\d+:(?:ESP|AH):.*)`, event: facts.EvP2NoProposal},
	{src: "programs/pluto/ikev2_child.c", id: "lsw/v2-ike-auth-no-proposal-chosen", anchor: "NO_PROPOSAL_CHOSEN", re: `IKE_AUTH .*NO_PROPOSAL_CHOSEN`, event: facts.EvP2NoProposal, state: "IKE_AUTH"},
	{src: "programs/pluto/ikev2_create_child_sa.c", id: "lsw/v2-create-child-no-proposal-chosen", anchor: "NO_PROPOSAL_CHOSEN", re: `CREATE_CHILD_SA .*NO_PROPOSAL_CHOSEN`, event: facts.EvP2NoProposal, state: "CREATE_CHILD_SA"},
	{src: "programs/pluto/ikev2_create_child_sa.c", id: "lsw/v2-create-child-invalid-ke", anchor: "CREATE_CHILD_SA failed with error notification INVALID_KE_PAYLOAD", event: facts.EvP2PFSMismatch, state: "CREATE_CHILD_SA"},
	{src: "programs/pluto/ikev1_quick.c", id: "lsw/v1-pfs-required", anchor: "we require PFS but Quick I1 SA specifies no GROUP_DESCRIPTION", event: facts.EvP2PFSMismatch, state: "STATE_QUICK_R0"},
	{src: "programs/pluto/ikev1_spdb_struct.c", id: "lsw/v1-no-acceptable-ipsec-proposal", anchor: "no acceptable Proposal in IPsec SA", event: facts.EvP2NoProposal, state: "STATE_QUICK_R0"},
	{src: "programs/pluto/ikev2_child.c", id: "lsw/v2-ts-unacceptable", anchor: "TS_UNACCEPTABLE", event: facts.EvP2ProxyMismatch},
	{src: "programs/pluto/ikev2_ts.c", id: "lsw/v2-no-compatible-ts", anchor: "No IKEv2 connection found with compatible Traffic Selectors", event: facts.EvP2ProxyMismatch},
	{src: "programs/pluto/ikev1_quick.c", id: "lsw/v1-no-connection-for-ipsec-sa", anchor: "cannot respond to IPsec SA request because no connection is known for", re: `no connection is known for (?P<detail>\S+)`, event: facts.EvP2ProxyMismatch},
	{src: "programs/pluto/ikev2_child.c", id: "lsw/v2-established-child-sa", anchor: " established Child SA", event: facts.EvP2Complete},
	{src: "programs/pluto/ikev1_states.c", id: "lsw/ipsec-sa-established", anchor: "IPsec SA established", event: facts.EvP2Complete},
	{src: "programs/pluto/kernel_xfrm.c", id: "lsw/kernel-add-sa-failed", anchor: "netlink response for Add SA ", re: `netlink response for Add SA \S+: (?P<detail>.*)`, event: facts.EvSAInstallFailed},
	{src: "programs/pluto/ikev1.c", id: "lsw/malformed-payload", anchor: "malformed payload in packet", event: facts.EvMsgFailed},
	{src: "programs/pluto/ikev2.c", id: "lsw/v2-encrypted-payload-corrupt", anchor: "encrypted payload seems to be corrupt", event: facts.EvMsgFailed},

	// --- teardown ---
	{src: "programs/pluto/ikev1_main.c", id: "lsw/v1-peer-deleted-isakmp", anchor: "received Delete SA payload: ", re: `received Delete SA payload: (?:self-)?deleting ISAKMP State`, event: facts.EvSADeleted, state: "IKE_SA deleted by peer"},

	// --- liveness ---
	{src: "programs/pluto/ikev1_dpd.c", id: "lsw/v1-dpd-action", anchor: "DPD action - ", event: facts.EvDPDDead},
	{src: "programs/pluto/ikev1_dpd.c v3", id: "lsw/v1-dpd-declaring-dead", anchor: "declaring peer dead", event: facts.EvDPDDead},
	{src: "programs/pluto/ikev2_retry.c", id: "lsw/v2-liveness-action", anchor: "liveness action - ", event: facts.EvDPDDead},
	{src: "programs/pluto/timer.c v3", id: "lsw/v3-liveness-not-responded", anchor: "liveness_check - peer ", re: `liveness_check - peer (?:{ip}|\S+) has not responded in (?P<detail>\d+) seconds`, event: facts.EvDPDDead},
	// 3.x: "PARENT SA established tunnel mode {ESP=>0x...}" is the IKE SA and its first IPsec SA
	{src: "programs/pluto/ikev2_states.c v3", id: "lsw/v3-parent-sa-established-child", anchor: "PARENT SA established ", re: `PARENT SA established (?:tunnel|transport) mode \{`, event: facts.EvP2Complete},
}

// childStates are the states of a Quick Mode or CHILD SA exchange.
func isChildState(st string) bool {
	return strings.HasPrefix(st, "STATE_QUICK_") || strings.Contains(st, "_CHILD_") || strings.HasPrefix(st, "STATE_V2_IPSEC_")
}

func isIKEState(st string) bool { return !isChildState(st) }

func signatures() []facts.Signature {
	out := make([]facts.Signature, 0, len(table))
	for _, e := range table {
		out = append(out, facts.Signature{ID: e.id, Anchor: e.anchor, Event: e.event, State: e.state, Extract: e.extract()})
	}
	return out
}

// extract reads a line for one entry: its regexp (when it has one), its
// state check, and the peer, from the regexp or from a template
// instance's "conn"[1] 192.0.2.1 prefix.
func (e entry) extract() func(line string, at int) (peer, state, detail string, ok bool) {
	var rx *regexp.Regexp
	if e.re != "" {
		rx = regexp.MustCompile(strings.ReplaceAll(e.re, "{ip}", ip))
	}
	return func(line string, at int) (peer, state, detail string, ok bool) {
		if isDebug(line) != e.debug || e.unless != "" && strings.Contains(line, e.unless) {
			return "", "", "", false
		}
		if rx != nil {
			m := rx.FindStringSubmatch(line)
			if m == nil {
				return "", "", "", false
			}
			for i, name := range rx.SubexpNames() {
				switch name {
				case "peer":
					peer = m[i]
				case "state":
					state = m[i]
				case "detail":
					detail = m[i]
				}
			}
		}
		if e.check != nil && !e.check(state) {
			return "", "", "", false
		}
		if peer == "" {
			peer = instancePeer(line)
		}
		if detail == "" {
			detail = e.detail
		}
		return peer, state, detail, true
	}
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// isAddr: an IPv4 or IPv6 address as pluto prints it.
func isAddr(s string) bool {
	_, err := netip.ParseAddr(s)
	return err == nil
}
