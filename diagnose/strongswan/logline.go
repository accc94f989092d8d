package strongswan

import (
	"regexp"
	"strings"

	"github.com/tunneldoc/tunneldoc/diagnose/facts"
)

// LineParsers read charon log lines. The engine runs every signature whose
// Anchor (and Re) matches a line, so the signatures below are written to be
// mutually exclusive except where one line really says two things (a
// received ESP proposal list is both "no proposal" and "PFS offered").
var LineParsers = []facts.LineParser{{
	Name:       "strongswan/charon",
	Vendor:     facts.VendorStrongSwan,
	Prefix:     IsCharonLine,
	Signatures: signatures,
}}

// charon's log groups ("09[IKE]", "[CFG]"): dbg_t names in strongSwan.
var logGroups = map[string]bool{
	"DMN": true, "MGR": true, "IKE": true, "CHD": true, "JOB": true, "CFG": true,
	"KNL": true, "NET": true, "ASN": true, "ENC": true, "TNC": true, "IMC": true,
	"IMV": true, "PTS": true, "TLS": true, "APP": true, "ESP": true, "LIB": true,
}

// prefixWindow bounds how far into a line the group marker may sit: after
// a host name and "charon[1234]: " at most, never deep inside a message.
const prefixWindow = 96

// IsCharonLine reports whether a line is a charon log line in any of the
// forms engineers paste: filelog "09[IKE] <conn|1> msg" (the leading time
// already removed by the splitter, or not), syslog "host charon: 09[IKE]
// msg", journald "host charon-systemd[812]: msg" (no group marker there),
// or what swanctl --initiate echoes ("[IKE] msg").
func IsCharonLine(line string) bool {
	w := line
	if len(w) > prefixWindow {
		w = w[:prefixWindow]
	}
	for i := strings.IndexByte(w, '['); i >= 0; {
		if i+4 < len(w) && w[i+4] == ']' && logGroups[w[i+1:i+4]] {
			return true
		}
		j := strings.IndexByte(w[i+1:], '[')
		if j < 0 {
			break
		}
		i += 1 + j
	}
	if !strings.Contains(w, "charon") {
		return false
	}
	return strings.Contains(w, "charon-systemd[") || strings.Contains(w, "charon[") ||
		strings.Contains(w, "charon: ")
}

// States the signatures put on events so that Correlate (and rules) can
// tell which of two same-kind lines an event came from.
const (
	StateReceived    = "received proposals"
	StateConfigured  = "configured proposals"
	StateNoIKEConfig = "no IKE config"
	StateInvalidKE   = "INVALID_KE_PAYLOAD"
	StateDPD         = "INFORMATIONAL"
)

const ip = `(?P<peer>[0-9]{1,3}(?:\.[0-9]{1,3}){3}|[0-9A-Fa-f]*:[0-9A-Fa-f:]+)`

// anyAddr is the local side of "%H...%H" pairs.
const anyAddr = `(?:[0-9]{1,3}(?:\.[0-9]{1,3}){3}|[0-9A-Fa-f]*:[0-9A-Fa-f:]+|%any6?)`

// dhGroup is a key exchange method name as charon prints it in proposals.
const dhGroup = `(?P<detail>(?:MODP|ECP|CURVE|NTRU|NEWHOPE|KE\d?)_[0-9A-Z_]+)`

func re(s string) *regexp.Regexp {
	s = strings.ReplaceAll(s, "{ip}", ip)
	s = strings.ReplaceAll(s, "{any}", anyAddr)
	s = strings.ReplaceAll(s, "{dh}", dhGroup)
	return regexp.MustCompile(s)
}

// signatures map charon's wording (charon 5.9 format strings, checked on
// the lab captures) to protocol meaning. IKEv2 message IDs are 0 for
// IKE_SA_INIT and 1 for IKE_AUTH; a request with a higher ID is sent on an
// IKE SA that is already up (INFORMATIONAL such as DPD, or CREATE_CHILD_SA),
// which is why the retransmit signatures split on the ID.
var signatures = []facts.Signature{
	// --- IKE packets in and out ---
	{ID: "sw/initiating-ike-sa", Anchor: "initiating ", Extract: initiatingIKESA, Event: facts.EvP1Sent},
	{ID: "sw/peer-is-initiating", Anchor: " is initiating a", Extract: peerIsInitiating, Event: facts.EvP1Received},
	{ID: "sw/received-packet", Anchor: "received packet: from ", Extract: receivedFrom, Event: facts.EvP1Received},
	{ID: "sw/parsed-first-request", Anchor: " request 0 [", Extract: parsedFirstRequest, Event: facts.EvP1Received},
	{ID: "sw/retransmit-ike-sa-init", Anchor: "of request with message ID", Extract: retransmitOf(msgIDInit), Event: facts.EvP1Retransmit, State: "IKE_SA_INIT"},
	{ID: "sw/retransmit-ike-auth", Anchor: "of request with message ID", Extract: retransmitOf(msgIDAuth), Event: facts.EvP1Retransmit, State: "IKE_AUTH"},
	{ID: "sw/retransmit-established", Anchor: "of request with message ID", Extract: retransmitOf(msgIDLater), Event: facts.EvP1Retransmit, State: StateDPD},
	{ID: "sw/retransmit-v1-main-mode", Anchor: "sending retransmit", Re: re(`sending retransmit (?P<detail>\d+) of \S+ message ID 0,`), Event: facts.EvP1Retransmit, State: "ID_PROT"},
	{ID: "sw/retransmit-v1-quick-mode", Anchor: "sending retransmit", Re: re(`sending retransmit (?P<detail>\d+) of \S+ message ID [1-9][0-9]*,`), Event: facts.EvP2Retransmit},
	{ID: "sw/giving-up-retransmits", Anchor: "giving up after", Re: re(`giving up after (?P<detail>\d+) retransmits`), Event: facts.EvP1GiveUp},
	{ID: "sw/establishing-failed-not-responding", Anchor: "establishing IKE_SA failed, peer not responding", Event: facts.EvP1GiveUp},
	{ID: "sw/peer-not-responding-trying-again", Anchor: "peer not responding, trying again", Re: re(`trying again \((?P<detail>\d+/\d+)\)`), Event: facts.EvP1GiveUp},

	// --- liveness of an established IKE SA ---
	{ID: "sw/giving-up-path-probings", Anchor: "giving up after", Re: re(`giving up after (?P<detail>\d+) path probings`), Event: facts.EvDPDDead},
	{ID: "sw/rekeying-failed-not-responding", Anchor: "rekeying IKE_SA failed, peer not responding", Event: facts.EvDPDDead},
	{ID: "sw/v1-dpd-timed-out", Anchor: "DPD check timed out", Event: facts.EvDPDDead},

	// --- IKE proposals ---
	{ID: "sw/selected-proposal-ike", Anchor: "selected proposal: IKE:", Extract: selectedProposal("IKE:"), Event: facts.EvP1ProposalOK},
	{ID: "sw/received-proposals-ike", Anchor: "received proposals: IKE:", Re: re(`received proposals: (?P<detail>IKE:.*)`), Event: facts.EvP1NoProposal, State: StateReceived},
	{ID: "sw/configured-proposals-ike", Anchor: "configured proposals: IKE:", Re: re(`configured proposals: (?P<detail>IKE:.*)`), Event: facts.EvP1NoProposal, State: StateConfigured},
	{ID: "sw/received-proposals-unacceptable", Anchor: "received proposals unacceptable", Event: facts.EvP1NoProposal},
	{ID: "sw/no-proposal-chosen-ike", Anchor: "received NO_PROPOSAL_CHOSEN notify error", Event: facts.EvP1NoProposal},
	{ID: "sw/v1-no-proposal-found", Anchor: "no proposal found", Event: facts.EvP1NoProposal},
	// IKEv1 reports the notify in the same words during Main and Quick
	// Mode; the engine decides the phase from whether the IKE SA was up.
	{ID: "sw/v1-no-proposal-chosen", Anchor: "received NO_PROPOSAL_CHOSEN error notify", Event: facts.EvNoProposalNotify},
	// Same words for IKE_SA_INIT and CREATE_CHILD_SA; Correlate re-reads it
	// as a PFS group mismatch when the IKE SA was already up.
	{ID: "sw/dh-group-not-accepted", Anchor: "didn't accept DH group", Re: re(`peer didn't accept DH group (?P<detail>\S+, it requested \S+)`), Event: facts.EvP1AttrMismatch, State: StateInvalidKE},
	{ID: "sw/dh-group-unacceptable", Anchor: "unacceptable, requesting", Re: re(`DH group (?P<detail>\S+ unacceptable, requesting \S+)`), Event: facts.EvP1AttrMismatch, State: StateInvalidKE},

	// --- authentication and identities ---
	{ID: "sw/auth-failed-notify", Anchor: "AUTHENTICATION_FAILED", Event: facts.EvAuthFailed},
	{ID: "sw/psk-mac-mismatched", Anchor: "but MAC mismatched", Re: re(`tried (?P<detail>\d+) shared keys? for`), Event: facts.EvAuthFailed},
	{ID: "sw/no-shared-key", Anchor: "no shared key found for", Event: facts.EvNoPSK},
	{ID: "sw/no-ike-config", Anchor: "no IKE config found for", Re: re(`no IKE config found for {any}\.\.\.{ip}`), Event: facts.EvNoPSK, State: StateNoIKEConfig},
	{ID: "sw/no-matching-peer-config", Anchor: "no matching peer config found", Event: facts.EvIDMismatch},
	{ID: "sw/v1-no-peer-config", Anchor: "no peer config found", Event: facts.EvIDMismatch},
	{ID: "sw/constraint-check-failed", Anchor: "constraint check", Re: re(`constraint check(?:ing)? failed(?::\s*(?P<detail>.*))?`), Event: facts.EvIDMismatch},
	{ID: "sw/peer-config-unacceptable", Anchor: "' unacceptable", Re: re(`selected peer config '[^']*' unacceptable(?::\s*(?P<detail>.*))?`), Event: facts.EvIDMismatch},
	{ID: "sw/auth-successful", Anchor: "authentication of '", Extract: authSuccessful, Event: facts.EvAuthOK},
	{ID: "sw/ike-sa-established", Anchor: " established between ", Extract: ikeSAEstablished, Event: facts.EvP1Complete},

	// --- certificates ---
	{ID: "sw/certificate-validity", Anchor: "certificate invalid (valid from", Re: re(`certificate invalid \((?P<detail>valid from .*? to [^)]*)\)`), Event: facts.EvCertInvalid},
	{ID: "sw/certificate-revoked", Anchor: "certificate was revoked", Re: re(`certificate was revoked on (?P<detail>.*)`), Event: facts.EvCertInvalid},
	{ID: "sw/no-trusted-public-key", Anchor: "public key found for", Re: re(`no trusted (?P<detail>\S+) public key found for`), Event: facts.EvCertInvalid},
	{ID: "sw/no-issuer-certificate", Anchor: "no issuer certificate found for", Event: facts.EvCertInvalid},
	{ID: "sw/self-signed-not-trusted", Anchor: "is not trusted", Re: re(`self-signed certificate .* is not trusted`), Event: facts.EvCertInvalid},
	{ID: "sw/peer-certificate-verification-failed", Anchor: "peer certificate verification failed", Event: facts.EvCertInvalid},
	{ID: "sw/certificate-key-usage", Anchor: "rejecting certificate without", Event: facts.EvCertInvalid},

	// --- version ---
	{ID: "sw/unsupported-ike-version", Anchor: "unsupported IKE version", Re: re(`unsupported IKE version (?P<detail>\d+\.\d+) from {ip}`), Event: facts.EvVersionMismatch},
	{ID: "sw/invalid-major-version-notify", Anchor: "received INVALID_MAJOR_VERSION", Event: facts.EvVersionMismatch},

	// --- NAT ---
	{ID: "sw/nat-detected", Anchor: " host is behind NAT", Extract: behindNAT, Event: facts.EvNATDetected},

	// --- remote access ---
	{ID: "sw/xauth-failed", Anchor: "XAuth authentication of", Re: re(`XAuth authentication of '[^']*' (?:\(myself\) )?failed`), Event: facts.EvXauthFailed},
	{ID: "sw/xauth-ok", Anchor: "XAuth authentication of", Re: re(`XAuth authentication of '[^']*' (?:\(myself\) )?successful`), Event: facts.EvXauthOK},
	{ID: "sw/eap-failed", Anchor: "EAP method ", Re: re(`EAP method \S+ failed`), Event: facts.EvXauthFailed},
	{ID: "sw/eap-failure-received", Anchor: "received EAP_FAILURE", Event: facts.EvXauthFailed},
	{ID: "sw/eap-auth-failed", Anchor: "EAP authentication failed", Event: facts.EvXauthFailed},
	{ID: "sw/internal-address-failure", Anchor: "INTERNAL_ADDRESS_FAILURE", Event: facts.EvModeCfgFailed},
	{ID: "sw/no-virtual-ip", Anchor: "no virtual IP found", Event: facts.EvModeCfgFailed},

	// --- CHILD_SA ---
	{ID: "sw/create-child-sa", Anchor: "CREATE_CHILD_SA request", Re: re(`generating CREATE_CHILD_SA request \d+ \[[^\]]*\bTSi\b`), Event: facts.EvP2Start},
	{ID: "sw/create-child-sa-with-ke", Anchor: "CREATE_CHILD_SA request", Re: re(`(?:generating|parsed) CREATE_CHILD_SA request \d+ \[[^\]]*\b(?P<detail>KE)\b[^\]]*\bTSi\b`), Event: facts.EvP2PFSOffered},
	{ID: "sw/selected-proposal-esp", Anchor: "selected proposal: ", Extract: selectedProposal("ESP:", "AH:"), Event: facts.EvP2ProposalOK},
	{ID: "sw/received-proposals-esp", Anchor: "received proposals: ", Re: re(`received proposals: (?P<detail>(?:ESP|AH):.*)`), Event: facts.EvP2NoProposal, State: StateReceived},
	{ID: "sw/configured-proposals-esp", Anchor: "configured proposals: ", Re: re(`configured proposals: (?P<detail>(?:ESP|AH):.*)`), Event: facts.EvP2NoProposal, State: StateConfigured},
	{ID: "sw/received-esp-proposal-pfs", Anchor: "received proposals: ", Re: re(`received proposals: (?:ESP|AH):[^,]*?/{dh}\b`), Event: facts.EvP2PFSOffered, State: StateReceived},
	{ID: "sw/configured-esp-proposal-pfs", Anchor: "configured proposals: ", Re: re(`configured proposals: (?:ESP|AH):[^,]*?/{dh}\b`), Event: facts.EvP2PFSOffered, State: StateConfigured},
	{ID: "sw/no-acceptable-proposal", Anchor: "no acceptable proposal found", Event: facts.EvP2NoProposal},
	{ID: "sw/no-proposal-chosen-child", Anchor: "NO_PROPOSAL_CHOSEN notify, no CHILD_SA built", Event: facts.EvP2NoProposal},
	{ID: "sw/v1-no-matching-proposal", Anchor: "no matching proposal found", Re: re(`no matching proposal found(?:, sending|$)`), Event: facts.EvP2NoProposal},
	{ID: "sw/ts-unacceptable-notify", Anchor: "TS_UNACCEPTABLE", Event: facts.EvP2ProxyMismatch},
	{ID: "sw/traffic-selectors-unacceptable", Anchor: " unacceptable", Re: re(`traffic selectors (?P<detail>.*?) unacceptable`), Event: facts.EvP2ProxyMismatch},
	{ID: "sw/no-matching-child-config", Anchor: "no matching CHILD_SA config found", Re: re(`no matching CHILD_SA config found(?: for (?P<detail>.*))?`), Event: facts.EvP2ProxyMismatch},
	{ID: "sw/no-acceptable-traffic-selectors", Anchor: "no acceptable traffic selectors found", Event: facts.EvP2ProxyMismatch},
	{ID: "sw/peer-selected-invalid-ts", Anchor: "peer selected invalid traffic selectors", Event: facts.EvP2ProxyMismatch},
	{ID: "sw/child-sa-established", Anchor: " established with SPIs ", Re: re(`CHILD_SA \S+ established with SPIs \S+ \S+ and TS (?P<detail>.*)`), Event: facts.EvP2Complete},
	{ID: "sw/unable-to-install-sa", Anchor: "unable to install ", Re: re(`unable to install (?P<detail>.*?) in kernel`), Event: facts.EvP2Failed},
	{ID: "sw/child-sa-failed", Anchor: "failed to establish CHILD_SA", Event: facts.EvP2Failed},

	// --- teardown ---
	{ID: "sw/deleting-ike-sa", Anchor: "deleting IKE_SA ", Re: re(`deleting IKE_SA \S+ between \S+?\.\.\.{ip}\[`), Event: facts.EvSADeleted, State: "IKE_SA"},
	{ID: "sw/received-delete-ike-sa", Anchor: "received DELETE for IKE_SA", Event: facts.EvSADeleted, State: "IKE_SA deleted by peer"},
	{ID: "sw/closing-child-sa", Anchor: "closing CHILD_SA ", Re: re(`closing CHILD_SA (?P<detail>\S+)`), Event: facts.EvSADeleted, State: "CHILD_SA"},
	{ID: "sw/received-delete-child-sa", Anchor: "received DELETE for ", Re: re(`received DELETE for (?:ESP|AH) CHILD_SA with SPI (?P<detail>\S+)`), Event: facts.EvSADeleted, State: "CHILD_SA deleted by peer"},
	{ID: "sw/closing-expired-child-sa", Anchor: "closing expired CHILD_SA", Re: re(`closing expired CHILD_SA (?P<detail>\S+)`), Event: facts.EvLifetimeExpired},
	{ID: "sw/closing-after-child-failure", Anchor: "closing IKE_SA due CHILD_SA setup failure", Event: facts.EvSADeleted, State: "IKE_SA"},
}

// Hand-written readers for the charon wordings on most lines of a busy
// log, where the address regexp was most of the matching time.

// receivedFrom reads "received packet: from 10.99.0.2[500] to ...".
func receivedFrom(line string, at int) (peer, state, detail string, ok bool) {
	rest := line[at+len("received packet: from "):]
	j := strings.IndexByte(rest, '[')
	if j <= 0 || !isIP(rest[:j]) {
		return "", "", "", false
	}
	return rest[:j], "", "", true
}

// peerIsInitiating reads "10.99.0.1 is initiating an IKE_SA" and
// "10.99.0.1 is initiating a Main Mode IKE_SA".
func peerIsInitiating(line string, at int) (peer, state, detail string, ok bool) {
	before := line[:at]
	peer = before[strings.LastIndexByte(before, ' ')+1:]
	if !isIP(peer) {
		return "", "", "", false
	}
	rest := strings.TrimPrefix(line[at+len(" is initiating a"):], "n")
	rest = strings.TrimPrefix(rest, " ")
	for _, mode := range []string{"Main Mode", "Aggressive Mode"} {
		if strings.HasPrefix(rest, mode+" ") {
			// the state as the engine records a regexp's: spaces dropped
			state, rest = strings.ReplaceAll(mode, " ", ""), rest[len(mode)+1:]
			break
		}
	}
	if !strings.HasPrefix(rest, "IKE_SA") {
		return "", "", "", false
	}
	return peer, state, "", true
}

// behindNAT reads "local host is behind NAT" / "remote host is behind NAT".
func behindNAT(line string, at int) (peer, state, detail string, ok bool) {
	before := line[:at]
	side := before[strings.LastIndexByte(before, ' ')+1:]
	if side != "local" && side != "remote" {
		return "", "", "", false
	}
	return "", "", side, true
}

// isIP: an IPv4 or IPv6 address as charon prints it.
func isIP(s string) bool {
	if s == "" || len(s) > 45 {
		return false
	}
	dots, colons := 0, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '.':
			dots++
		case c == ':':
			colons++
		case c >= '0' && c <= '9', c >= 'a' && c <= 'f', c >= 'A' && c <= 'F':
		default:
			return false
		}
	}
	return dots == 3 && colons == 0 || colons >= 2 && dots <= 3
}

// initiatingIKESA reads "initiating IKE_SA lab[1] to 10.99.0.2" and
// "initiating Main Mode IKE_SA lab[1] to 10.99.0.2".
func initiatingIKESA(line string, at int) (peer, state, detail string, ok bool) {
	rest := line[at+len("initiating "):]
	state, rest = mainOrAggressive(rest)
	if !strings.HasPrefix(rest, "IKE_SA ") {
		return "", "", "", false
	}
	rest = rest[len("IKE_SA "):]
	sp := strings.IndexByte(rest, ' ')
	if sp <= 0 || !strings.HasPrefix(rest[sp:], " to ") {
		return "", "", "", false
	}
	peer = leadingAddr(rest[sp+len(" to "):])
	if peer == "" {
		return "", "", "", false
	}
	return peer, state, "", true
}

// mainOrAggressive takes an IKEv1 mode off the front of s; the state is
// written as the engine records a regexp's, without spaces.
func mainOrAggressive(s string) (state, rest string) {
	for _, mode := range []string{"Main Mode ", "Aggressive Mode "} {
		if strings.HasPrefix(s, mode) {
			return strings.ReplaceAll(strings.TrimSpace(mode), " ", ""), s[len(mode):]
		}
	}
	return "", s
}

// leadingAddr returns the address s starts with ("10.99.0.2[500]" ->
// "10.99.0.2"), or "".
func leadingAddr(s string) string {
	j := 0
	for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == '.' || s[j] == ':' || s[j] >= 'a' && s[j] <= 'f' || s[j] >= 'A' && s[j] <= 'F') {
		j++
	}
	if !isIP(s[:j]) {
		return ""
	}
	return s[:j]
}

// parsedFirstRequest reads "parsed IKE_SA_INIT request 0 [ ... ]" (and
// ID_PROT, AGGRESSIVE): the first message of a negotiation.
func parsedFirstRequest(line string, at int) (peer, state, detail string, ok bool) {
	before := line[:at]
	word := before[strings.LastIndexByte(before, ' ')+1:]
	switch word {
	case "IKE_SA_INIT", "ID_PROT", "AGGRESSIVE":
	default:
		return "", "", "", false
	}
	if !strings.HasSuffix(before[:len(before)-len(word)], "parsed ") {
		return "", "", "", false
	}
	return "", word, "", true
}

// IKEv2 message IDs of a retransmitted request: 0 is IKE_SA_INIT, 1
// IKE_AUTH, a later one a request on an established IKE SA.
type msgIDClass int

const (
	msgIDInit msgIDClass = iota
	msgIDAuth
	msgIDLater
)

// retransmitOf reads "retransmit 3 of request with message ID 0" for one
// class of message ID; the detail is the retransmission count.
func retransmitOf(class msgIDClass) func(string, int) (string, string, string, bool) {
	return func(line string, at int) (peer, state, detail string, ok bool) {
		before := strings.TrimSuffix(line[:at], " ")
		n := before[strings.LastIndexByte(before, ' ')+1:]
		if n == "" || !allDigits(n) || !strings.HasSuffix(before[:len(before)-len(n)], "retransmit ") {
			return "", "", "", false
		}
		rest := strings.TrimPrefix(line[at+len("of request with message ID"):], " ")
		j := 0
		for j < len(rest) && rest[j] >= '0' && rest[j] <= '9' {
			j++
		}
		id := rest[:j]
		if id == "" || j < len(rest) && isWordByte(rest[j]) {
			return "", "", "", false
		}
		switch {
		case class == msgIDInit && id == "0", class == msgIDAuth && id == "1",
			class == msgIDLater && id[0] != '0' && (len(id) > 1 || id[0] >= '2'):
			return "", "", n, true
		}
		return "", "", "", false
	}
}

// selectedProposal reads "selected proposal: IKE:AES_CBC_256/..." for
// proposals starting with one of the protocol prefixes.
func selectedProposal(protocols ...string) func(string, int) (string, string, string, bool) {
	return func(line string, at int) (peer, state, detail string, ok bool) {
		rest := line[at+strings.Index(line[at:], ": ")+2:]
		for _, p := range protocols {
			if strings.HasPrefix(rest, p) {
				end := strings.IndexAny(rest, " \t")
				if end < 0 {
					end = len(rest)
				}
				if end > len(p) {
					return "", "", rest[:end], true
				}
			}
		}
		return "", "", "", false
	}
}

// authSuccessful reads "authentication of 'moon' with pre-shared key
// successful"; the detail is the method.
func authSuccessful(line string, at int) (peer, state, detail string, ok bool) {
	rest := line[at+len("authentication of '"):]
	q := strings.IndexByte(rest, '\'')
	if q < 0 || !strings.HasPrefix(rest[q+1:], " with ") {
		return "", "", "", false
	}
	rest = rest[q+1+len(" with "):]
	sp := strings.IndexByte(rest, ' ')
	if sp <= 0 {
		return "", "", "", false
	}
	method, after := rest[:sp], rest[sp:]
	switch {
	case strings.HasPrefix(after, " key successful"):
		return "", "", method + " key", true
	case strings.HasPrefix(after, " successful"):
		return "", "", method, true
	}
	return "", "", "", false
}

// ikeSAEstablished reads "IKE_SA lab[1] established between
// 10.99.0.1[moon]...10.99.0.2[sun]"; the peer is the address after "...".
func ikeSAEstablished(line string, at int) (peer, state, detail string, ok bool) {
	before := line[:at]
	name := before[strings.LastIndexByte(before, ' ')+1:]
	if name == "" || !strings.HasSuffix(before[:len(before)-len(name)], "IKE_SA ") {
		return "", "", "", false
	}
	rest := line[at+len(" established between "):]
	if sp := strings.IndexAny(rest, " \t"); sp >= 0 {
		rest = rest[:sp]
	}
	k := strings.Index(rest, "...")
	if k <= 0 {
		return "", "", "", false
	}
	peer = leadingAddr(rest[k+3:])
	if peer == "" || !strings.HasPrefix(rest[k+3+len(peer):], "[") {
		return "", "", "", false
	}
	return peer, "", "", true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func isWordByte(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_'
}
