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
// msg" and "host charon[1234]: 09[IKE] <con1000|5> msg" (pfSense,
// OPNsense), journald "host charon-systemd[812]: msg" (no group marker
// there), what swanctl --initiate echoes ("[IKE] msg"), and what `ipsec
// up` echoes: the bare message ("initiating IKE_SA home[1] to 192.0.2.1"),
// recognised by charon's own first words.
func IsCharonLine(line string) bool {
	w := line
	if len(w) > prefixWindow {
		w = w[:prefixWindow]
	}
	for i := strings.IndexByte(w, '['); i >= 0; {
		// "[IKE]", or "[IKE1]" when the log level is printed too
		// (filelog/syslog option log_level)
		if i+4 < len(w) && logGroups[w[i+1:i+4]] && (w[i+4] == ']' || i+5 < len(w) && w[i+4] >= '0' && w[i+4] <= '4' && w[i+5] == ']') {
			return true
		}
		j := strings.IndexByte(w[i+1:], '[')
		if j < 0 {
			break
		}
		i += 1 + j
	}
	if strings.Contains(w, "charon") &&
		(strings.Contains(w, "charon-systemd[") || strings.Contains(w, "charon[") || strings.Contains(w, "charon: ")) {
		return true
	}
	return bareStarts.Match(bareMessage(line))
}

// bareMessage is a line without its leading blanks and IKE_SA tag
// ("<lab|1> ").
func bareMessage(line string) string {
	m := strings.TrimLeft(line, " \t")
	if strings.HasPrefix(m, "<") {
		if end := strings.Index(m, "> "); end > 0 && end < 64 {
			m = m[end+2:]
		}
	}
	return m
}

// bareStarts are first words of charon messages that no other vendor's
// line starts with: a line that starts with one is charon's even with no
// prefix at all. Each is the start of a wording in the table below or of
// a neutral message charon prints around them.
var bareStarts = facts.NewPrefixSet(
	"initiating IKE_SA ", "initiating Main Mode IKE_SA ", "initiating Aggressive Mode IKE_SA ",
	"generating IKE_SA_INIT ", "generating IKE_AUTH ", "generating CREATE_CHILD_SA ", "generating INFORMATIONAL ",
	"generating ID_PROT ", "generating AGGRESSIVE ", "generating QUICK_MODE ", "generating INFORMATIONAL_V1 ", "generating TRANSACTION ",
	"parsed IKE_SA_INIT ", "parsed IKE_AUTH ", "parsed CREATE_CHILD_SA ", "parsed INFORMATIONAL ",
	"parsed ID_PROT ", "parsed AGGRESSIVE ", "parsed QUICK_MODE ", "parsed INFORMATIONAL_V1 ", "parsed TRANSACTION ",
	"sending packet: from ", "received packet: from ", "establishing CHILD_SA ", "establishing IKE_SA failed",
	"establishing connection '", "connection '", "giving up after ", "retransmit ", "sending retransmit ",
	"peer not responding", "received NO_PROPOSAL_CHOSEN ", "received AUTHENTICATION_FAILED ", "received TS_UNACCEPTABLE ",
	"received INVALID_", "received proposals", "configured proposals: ", "selected proposal: ",
	"no proposal found", "no shared key found", "no IKE config found", "no matching peer config", "no peer config found",
	"no acceptable proposal found", "no acceptable traffic selectors", "no matching proposal found", "no matching CHILD_SA config",
	"no trusted ", "no issuer certificate", "authentication of '", "tried ", "traffic selectors ", "peer didn't accept DH group",
	"IDir '", "received IDr ", "constraint check failed", "selected peer config ", "looking for peer configs",
	"DH group ", "peer requested EAP",
	"could not decrypt payloads", "message parsing failed", "integrity check failed", "calculated HASH does not match",
	"failed to establish CHILD_SA", "deleting IKE_SA ", "closing CHILD_SA ", "received DELETE for ", "sending DELETE for ",
	"remote host is behind NAT", "local host is behind NAT", "sending DPD request", "DPD check timed out",
	"rekeying IKE_SA failed", "Aggressive Mode PSK disabled", "peer certificate verification failed",
	"IKE_SA ", "CHILD_SA ",
)

// States the signatures put on events so that Correlate (and rules) can
// tell which of two same-kind lines an event came from.
const (
	StateReceived    = "received proposals"
	StateConfigured  = "configured proposals"
	StateNoIKEConfig = "no IKE config"
	StateInvalidKE   = "INVALID_KE_PAYLOAD"
	StateDPD         = "INFORMATIONAL"
	StateDecrypt     = "decrypt"
	StateQuickMode   = "QUICK_MODE"
	StateDuplicate   = "duplicate IKE_SA"
	// StateMM5 is Main Mode message 5 (ID, HASH), named so that the PSK
	// rule's stuck-at-key-exchange reading applies
	StateMM5 = "ID_PROT MSG5"
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

// A wording is one charon log message: the source file of strongSwan
// 5.9.x that logs it (with DBG0/DBG1, so it is there at the default log
// level) and the observation it is. Most wordings record what happened
// (a message parsed or sent, a notify received, proposals printed); only
// the rules in package diagnose, and Correlate for what needs two lines,
// turn observations into failures. A wording is mapped straight to a
// failure kind only when charon prints it for that failure and nothing
// else ("tried 1 shared key ... but MAC mismatched").
type wording struct {
	src string // the strongSwan source file (src/libcharon/...) it comes from
	facts.Signature
}

// Source files, shortened in the table below.
const (
	srcIKESA      = "src/libcharon/sa/ike_sa.c"
	srcTaskMgrV2  = "src/libcharon/sa/ikev2/task_manager_v2.c"
	srcTaskMgrV1  = "src/libcharon/sa/ikev1/task_manager_v1.c"
	srcIKEInit    = "src/libcharon/sa/ikev2/tasks/ike_init.c"
	srcIKEAuth    = "src/libcharon/sa/ikev2/tasks/ike_auth.c"
	srcChild      = "src/libcharon/sa/ikev2/tasks/child_create.c"
	srcMainMode   = "src/libcharon/sa/ikev1/tasks/main_mode.c"
	srcAggressive = "src/libcharon/sa/ikev1/tasks/aggressive_mode.c"
	srcQuickMode  = "src/libcharon/sa/ikev1/tasks/quick_mode.c"
	srcInfoV1     = "src/libcharon/sa/ikev1/tasks/informational.c"
	srcPhase1     = "src/libcharon/sa/ikev1/phase1.c"
	srcMessage    = "src/libcharon/encoding/message.c"
	srcProposal   = "src/libstrongswan/crypto/proposal/proposal.c"
	srcCredMgr    = "src/libstrongswan/credentials/credential_manager.c"
	srcPSKv2      = "src/libcharon/sa/ikev2/authenticators/psk_authenticator.c"
	srcPubkeyV2   = "src/libcharon/sa/ikev2/authenticators/pubkey_authenticator.c"
	srcPubkeyV1   = "src/libcharon/sa/ikev1/authenticators/pubkey_v1_authenticator.c"
	srcEAP        = "src/libcharon/sa/ikev2/authenticators/eap_authenticator.c"
	srcChildDel   = "src/libcharon/sa/ikev2/tasks/child_delete.c"
	srcQuickDel   = "src/libcharon/sa/ikev1/tasks/quick_delete.c"
	srcIKEDel     = "src/libcharon/sa/ikev2/tasks/ike_delete.c"
	srcISAKMPDel  = "src/libcharon/sa/ikev1/tasks/isakmp_delete.c"
)

// wordings maps charon's messages (5.9 format strings, checked on real
// captures) to observations. Where an older charon (5.5 and before) worded
// a message differently ("received proposals inacceptable"), the entry
// takes both. IKEv2 message IDs are 0 for IKE_SA_INIT and
// 1 for IKE_AUTH; a request with a higher ID is sent on an IKE SA that is
// already up (INFORMATIONAL such as DPD, or CREATE_CHILD_SA), which is why
// the retransmit wordings split on the ID.
var wordings = []wording{
	// --- IKE messages in and out ---
	{srcIKEInit + ", " + srcMainMode + ", " + srcAggressive, facts.Signature{ID: "sw/initiating-ike-sa", Anchor: "initiating ", Extract: initiatingIKESA, Event: facts.EvP1Sent}},
	{srcIKEInit + ", " + srcMainMode + ", " + srcAggressive, facts.Signature{ID: "sw/peer-is-initiating", Anchor: " is initiating a", Extract: peerIsInitiating, Event: facts.EvP1Received}},
	{"src/libcharon/network/receiver.c", facts.Signature{ID: "sw/received-packet", Anchor: "received packet: from ", Extract: receivedFrom, Event: facts.EvP1Received}},
	{srcMessage, facts.Signature{ID: "sw/parsed-first-request", Anchor: " request 0 [", Extract: parsedFirstRequest, Event: facts.EvP1Received}},
	{srcMessage, facts.Signature{ID: "sw/parsed-message", Anchor: "parsed ", Extract: messageLine("parsed "), Event: facts.EvMsgIn}},
	{srcMessage, facts.Signature{ID: "sw/generating-message", Anchor: "generating ", Extract: messageLine("generating "), Event: facts.EvMsgOut}},
	{srcTaskMgrV2, facts.Signature{ID: "sw/retransmit-ike-sa-init", Anchor: "of request with message ID", Extract: retransmitOf(msgIDInit), Event: facts.EvP1Retransmit, State: "IKE_SA_INIT"}},
	{srcTaskMgrV2, facts.Signature{ID: "sw/retransmit-ike-auth", Anchor: "of request with message ID", Extract: retransmitOf(msgIDAuth), Event: facts.EvP1Retransmit, State: "IKE_AUTH"}},
	{srcTaskMgrV2, facts.Signature{ID: "sw/retransmit-established", Anchor: "of request with message ID", Extract: retransmitOf(msgIDLater), Event: facts.EvP1Retransmit, State: StateDPD}},
	// message ID 0 is phase 1; seq counts this side's requests, so in Main
	// Mode seq 3 is message 5, the encrypted ID and HASH
	{srcTaskMgrV1, facts.Signature{ID: "sw/retransmit-v1-main-mode", Anchor: "sending retransmit", Re: re(`sending retransmit (?P<detail>\d+) of \S+ message ID 0, seq [12]$`), Event: facts.EvP1Retransmit, State: "ID_PROT"}},
	{srcTaskMgrV1, facts.Signature{ID: "sw/retransmit-v1-main-mode-msg5", Anchor: "sending retransmit", Re: re(`sending retransmit (?P<detail>\d+) of \S+ message ID 0, seq [3-9]$`), Event: facts.EvP1Retransmit, State: StateMM5}},
	// the peer repeats its previous answer: it did not take this side's
	// next message (IKEv1: a Main Mode message 5 it could not decrypt)
	{srcTaskMgrV1, facts.Signature{ID: "sw/v1-peer-repeats-response", Anchor: "but next request already sent", Re: re(`received retransmit of response with ID (?P<detail>\d+), but next request already sent`), Event: facts.EvMsgIn, State: "retransmitted response"}},
	{srcTaskMgrV1, facts.Signature{ID: "sw/retransmit-v1-quick-mode", Anchor: "sending retransmit", Re: re(`sending retransmit (?P<detail>\d+) of \S+ message ID [1-9][0-9]*,`), Event: facts.EvP2Retransmit}},
	{srcTaskMgrV2 + ", " + srcTaskMgrV1, facts.Signature{ID: "sw/giving-up-retransmits", Anchor: "giving up after", Re: re(`giving up after (?P<detail>\d+) retransmits`), Event: facts.EvP1GiveUp}},
	{srcIKESA, facts.Signature{ID: "sw/establishing-failed-not-responding", Anchor: "establishing IKE_SA failed, peer not responding", Event: facts.EvP1GiveUp}},
	{srcIKESA, facts.Signature{ID: "sw/peer-not-responding-trying-again", Anchor: "peer not responding, trying again", Re: re(`trying again \((?P<detail>\d+/\d+)\)`), Event: facts.EvP1GiveUp}},
	{srcIKESA, facts.Signature{ID: "sw/unable-to-resolve", Anchor: "unable to resolve ", Re: re(`unable to resolve (?P<detail>\S+), (?:initiate aborted|retrying in)`), Event: facts.EvP1GiveUp}},
	// a message from the peer that could not be processed; Correlate reads
	// a decryption failure in IKEv1 phase 1 as keys from different PSKs
	{srcTaskMgrV2 + ", " + srcTaskMgrV1, facts.Signature{ID: "sw/processing-failed", Anchor: " processing failed", Re: re(`(?P<state>[A-Z][A-Z0-9_]+) (?P<detail>request|response) with message ID \d+ processing failed`), Event: facts.EvMsgFailed}},
	{srcMessage, facts.Signature{ID: "sw/could-not-decrypt", Anchor: "could not decrypt payloads", Event: facts.EvMsgFailed, State: StateDecrypt}},
	{"src/libcharon/encoding/payloads/encrypted_payload.c", facts.Signature{ID: "sw/decryption-failed", Anchor: "decryption failed?", Re: re(`invalid (?P<detail>\S+) payload length, decryption failed\?`), Event: facts.EvMsgFailed, State: StateDecrypt}},
	{srcTaskMgrV2 + ", " + srcTaskMgrV1, facts.Signature{ID: "sw/message-parsing-failed", Anchor: "message parsing failed", Event: facts.EvMsgFailed, State: "parse"}},
	{srcTaskMgrV2 + ", " + srcTaskMgrV1, facts.Signature{ID: "sw/integrity-check-failed", Anchor: "integrity check failed", Event: facts.EvMsgFailed, State: "integrity"}},
	{srcIKEAuth + ", " + srcChild + ", " + srcMainMode + ", " + srcAggressive + ", " + srcQuickMode + ", " + srcPhase1, facts.Signature{ID: "sw/payload-missing", Anchor: " missing", Re: re(`(?:^|\s)(?P<detail>(?:SA|KE|NONCE|IDi|IDr|IDii|IDir|HASH|SIG|AUTH|TS|sa|configuration) payloads? missing)(?: in message| in XAuth \S+)?$`), Event: facts.EvMsgFailed, State: "payload missing"}},
	{srcIKEInit + ", " + srcChild, facts.Signature{ID: "sw/dh-value-not-applied", Anchor: "applying DH public value failed", Event: facts.EvMsgFailed, State: "KE"}},
	{srcPhase1 + ", " + srcQuickMode, facts.Signature{ID: "sw/v1-ke-not-applied", Anchor: "unable to apply received KE value", Event: facts.EvMsgFailed, State: "KE"}},
	{srcTaskMgrV2 + ", " + srcTaskMgrV1, facts.Signature{ID: "sw/unexpected-response", Anchor: " response, but expected ", Re: re(`received (?P<detail>\S+ response, but expected \S+)`), Event: facts.EvMsgFailed, State: "unexpected"}},
	{srcTaskMgrV2 + ", " + srcTaskMgrV1, facts.Signature{ID: "sw/message-verification-failed", Anchor: "message verification failed", Event: facts.EvMsgFailed, State: "parse"}},
	{srcTaskMgrV2, facts.Signature{ID: "sw/critical-unknown-payloads", Anchor: "critical unknown payloads found", Event: facts.EvMsgFailed, State: "parse"}},
	{srcTaskMgrV2 + ", " + srcTaskMgrV1, facts.Signature{ID: "sw/encrypted-no-keys", Anchor: "found encrypted message, but no keys available", Event: facts.EvMsgFailed, State: StateDecrypt}},
	{srcMessage, facts.Signature{ID: "sw/v1-hash-payload-mismatch", Anchor: "received HASH payload does not match", Event: facts.EvMsgFailed, State: "integrity"}},

	// --- notifies: the exchange they came in decides what they mean (Correlate) ---
	{srcIKEInit + ", " + srcIKEAuth + ", " + srcChild + ", " + srcTaskMgrV2, facts.Signature{ID: "sw/notify-error-v2", Anchor: " notify error", Re: re(`received (?P<state>[A-Z][A-Z0-9_]+) (?P<detail>notify error)`), Event: facts.EvNotifyIn}},
	{srcMainMode + ", " + srcAggressive + ", " + srcQuickMode + ", " + srcInfoV1, facts.Signature{ID: "sw/error-notify-v1", Anchor: " error notify", Re: re(`received (?P<state>[A-Z][A-Z0-9_]+) (?P<detail>error notify)`), Event: facts.EvNotifyIn}},

	// --- liveness of an established IKE SA ---
	{srcTaskMgrV2, facts.Signature{ID: "sw/giving-up-path-probings", Anchor: "giving up after", Re: re(`giving up after (?P<detail>\d+) path probings`), Event: facts.EvDPDDead}},
	{srcIKESA, facts.Signature{ID: "sw/rekeying-failed-not-responding", Anchor: "rekeying IKE_SA failed, peer not responding", Event: facts.EvDPDDead}},
	{srcIKESA, facts.Signature{ID: "sw/delete-failed-not-responding", Anchor: "IKE_SA delete failed, peer not responding", Event: facts.EvDPDDead}},
	{"src/libcharon/processing/jobs/dpd_timeout_job.c", facts.Signature{ID: "sw/v1-dpd-timed-out", Anchor: "DPD check timed out", Event: facts.EvDPDDead}},

	// --- proposals: printed lists are observations; the refusals decide ---
	{srcProposal, facts.Signature{ID: "sw/selected-proposal-ike", Anchor: "selected proposal: IKE:", Extract: selectedProposal("IKE:"), Event: facts.EvP1ProposalOK}},
	{srcProposal, facts.Signature{ID: "sw/selected-proposal-esp", Anchor: "selected proposal: ", Extract: selectedProposal("ESP:", "AH:"), Event: facts.EvP2ProposalOK}},
	{srcProposal, facts.Signature{ID: "sw/received-proposals", Anchor: "received proposals: ", Re: re(`received proposals: (?P<detail>(?:IKE|ESP|AH):.*)`), Event: facts.EvProposalList, State: StateReceived}},
	{srcProposal + ", src/libcharon/config/ike_cfg.c, src/libcharon/config/child_cfg.c", facts.Signature{ID: "sw/configured-proposals", Anchor: "configured proposals: ", Re: re(`configured proposals: (?P<detail>(?:IKE|ESP|AH):.*)`), Event: facts.EvProposalList, State: StateConfigured}},
	{srcProposal, facts.Signature{ID: "sw/received-esp-proposal-pfs", Anchor: "received proposals: ", Re: re(`received proposals: (?:ESP|AH):[^,]*?/{dh}\b`), Event: facts.EvP2PFSOffered, State: StateReceived}},
	{srcProposal + ", src/libcharon/config/child_cfg.c", facts.Signature{ID: "sw/configured-esp-proposal-pfs", Anchor: "configured proposals: ", Re: re(`configured proposals: (?:ESP|AH):[^,]*?/{dh}\b`), Event: facts.EvP2PFSOffered, State: StateConfigured}},
	{srcIKEInit, facts.Signature{ID: "sw/received-proposals-unacceptable", Anchor: "received proposals ", Re: re(`received proposals (?:un|in)acceptable`), Event: facts.EvP1NoProposal}},
	{srcMainMode + ", " + srcAggressive, facts.Signature{ID: "sw/v1-no-proposal-found", Anchor: "no proposal found", Event: facts.EvP1NoProposal}},
	{srcPhase1, facts.Signature{ID: "sw/v1-no-config-allows-auth", Anchor: "but none allows ", Re: re(`but none allows (?P<detail>.+? authentication using \S+ Mode)`), Event: facts.EvP1NoProposal}},
	{srcAggressive, facts.Signature{ID: "sw/v1-aggressive-psk-disabled", Anchor: "Aggressive Mode PSK disabled", Event: facts.EvP1NoProposal, State: "AGGRESSIVE"}},
	// a DH group this side cannot use: supporting detail of a proposal failure
	{srcIKEInit + ", " + srcQuickMode, facts.Signature{ID: "sw/dh-group-not-supported", Anchor: " not supported", Re: re(`(?:configured|requested) DH group (?P<detail>\S+) not supported`), Event: facts.EvP1AttrMismatch}},
	{srcMainMode + ", " + srcAggressive, facts.Signature{ID: "sw/v1-dh-group-selection", Anchor: "DH group ", Re: re(`(?P<detail>DH group selection failed|negotiated DH group not supported)`), Event: facts.EvP1AttrMismatch}},
	// the peer asked (INVALID_KE_PAYLOAD) for a CHILD_SA DH group that no
	// proposal of this side has: the PFS groups differ
	{srcChild, facts.Signature{ID: "sw/requested-dh-group-not-in-proposals", Anchor: "not contained in any of our proposals", Re: re(`requested DH group (?P<detail>\S+) not contained`), Event: facts.EvP2PFSMismatch}},
	// Same words for IKE_SA_INIT and CREATE_CHILD_SA; Correlate re-reads it
	// as a PFS group mismatch when the IKE SA was already up.
	{srcIKEInit + ", " + srcChild, facts.Signature{ID: "sw/dh-group-not-accepted", Anchor: "didn't accept DH group", Re: re(`peer didn't accept DH group (?P<detail>\S+, it requested \S+)`), Event: facts.EvP1AttrMismatch, State: StateInvalidKE}},
	{srcIKEInit + ", " + srcChild, facts.Signature{ID: "sw/dh-group-unacceptable", Anchor: "acceptable, requesting", Re: re(`DH group (?P<detail>\S+ (?:un|in)acceptable, requesting \S+)`), Event: facts.EvP1AttrMismatch, State: StateInvalidKE}},

	// --- authentication and identities ---
	{srcPSKv2, facts.Signature{ID: "sw/psk-mac-mismatched", Anchor: "but MAC mismatched", Re: re(`tried (?P<detail>\d+) shared keys? for`), Event: facts.EvAuthFailed}},
	{"src/libcharon/sa/ikev1/authenticators/psk_v1_authenticator.c", facts.Signature{ID: "sw/v1-psk-hash-mismatch", Anchor: "calculated HASH does not match HASH payload", Event: facts.EvAuthFailed}},
	{srcPSKv2 + ", " + srcPhase1, facts.Signature{ID: "sw/no-shared-key", Anchor: "no shared key found for", Event: facts.EvNoPSK}},
	{srcTaskMgrV2 + ", " + srcTaskMgrV1, facts.Signature{ID: "sw/no-ike-config", Anchor: "no IKE config found for", Re: re(`no IKE config found for {any}\.\.\.{ip}`), Event: facts.EvNoPSK, State: StateNoIKEConfig}},
	// the connection as stroke loaded it (level 2): its IKE version
	// and its remote address; vici (swanctl.conf) dumps the same at level 2
	{"src/libcharon/plugins/stroke/stroke_socket.c", facts.Signature{ID: "sw/stroke-keyexchange", Anchor: "keyexchange=ikev", Re: re(`\bkeyexchange=ikev(?P<detail>[0-2])$`), Event: facts.EvConfig, State: "keyexchange"}},
	{"src/libcharon/plugins/stroke/stroke_socket.c", facts.Signature{ID: "sw/stroke-right", Anchor: " right=", Re: re(`\s right=(?P<detail>\S+)$`), Event: facts.EvConfig, State: "remote"}},
	{"src/libcharon/plugins/vici/vici_config.c", facts.Signature{ID: "sw/vici-version", Anchor: " version = ", Re: re(`\s version = (?P<detail>[0-2])$`), Event: facts.EvConfig, State: "keyexchange"}},
	{"src/libcharon/plugins/vici/vici_config.c", facts.Signature{ID: "sw/vici-remote-addrs", Anchor: " remote_addrs = ", Re: re(`\s remote_addrs = (?P<detail>.+)$`), Event: facts.EvConfig, State: "remote"}},
	{srcIKEAuth, facts.Signature{ID: "sw/no-matching-peer-config", Anchor: "no matching peer config found", Event: facts.EvIDMismatch}},
	{srcPhase1, facts.Signature{ID: "sw/v1-no-peer-config", Anchor: "no peer config found", Event: facts.EvIDMismatch}},
	{srcMainMode + ", " + srcAggressive, facts.Signature{ID: "sw/v1-idr-mismatch", Anchor: "' does not match to '", Re: re(`IDir '(?P<detail>[^']*)' does not match to '`), Event: facts.EvIDMismatch}},
	{srcIKEAuth, facts.Signature{ID: "sw/idr-mismatch", Anchor: "but require ", Re: re(`received IDr (?P<detail>\S+), but require `), Event: facts.EvIDMismatch}},
	{"src/libstrongswan/credentials/auth_cfg.c", facts.Signature{ID: "sw/constraint-check-failed", Anchor: "constraint check", Re: re(`constraint check(?:ing)? failed(?::\s*(?P<detail>.*))?`), Event: facts.EvIDMismatch}},
	{srcIKEAuth, facts.Signature{ID: "sw/peer-config-unacceptable", Anchor: "acceptable", Re: re(`selected peer config '[^']*' (?:un|in)acceptable(?::\s*(?P<detail>.*))?`), Event: facts.EvIDMismatch}},
	{srcIKEAuth, facts.Signature{ID: "sw/eap-config-unacceptable", Anchor: "peer requested EAP, config ", Re: re(`peer requested EAP, config (?:un|in)acceptable`), Event: facts.EvIDMismatch}},
	{srcIKEAuth, facts.Signature{ID: "sw/eap-only-unsupported", Anchor: "configured EAP-only authentication, but peer does not support it", Event: facts.EvIDMismatch}},
	// a plugin's authorization (RADIUS, group membership) refused the
	// authenticated peer
	{srcIKEAuth + ", " + srcMainMode + ", " + srcAggressive + ", src/libcharon/sa/ikev1/tasks/xauth.c", facts.Signature{ID: "sw/authorization-forbids", Anchor: "forbids IKE_SA", Re: re(`(?P<detail>(?:\S+ )?authorization(?: hook)? forbids IKE_SA)`), Event: facts.EvIDMismatch}},
	{srcIKEInit, facts.Signature{ID: "sw/ike-init-giving-up-retries", Anchor: "giving up after", Re: re(`giving up after (?P<detail>\d+) retries`), Event: facts.EvP1NoProposal}},
	{srcIKEAuth, facts.Signature{ID: "sw/ppk-required", Anchor: "PPK required but ", Event: facts.EvAuthFailed}},
	{srcPubkeyV2 + ", " + srcPubkeyV1 + ", " + srcPhase1, facts.Signature{ID: "sw/no-private-key", Anchor: "private key found for", Re: re(`no (?:\S+ )?private key found for '(?P<detail>[^']*)'`), Event: facts.EvCertInvalid}},
	{srcPubkeyV2, facts.Signature{ID: "sw/no-common-hash", Anchor: "no common hash algorithm found to create signature", Event: facts.EvCertInvalid}},
	{srcIKESA, facts.Signature{ID: "sw/ike-version-not-supported", Anchor: "IKE version ", Re: re(`IKE version (?P<detail>\d+) not supported`), Event: facts.EvVersionMismatch}},
	{srcPSKv2 + ", " + srcPubkeyV2 + ", " + srcPubkeyV1, facts.Signature{ID: "sw/auth-myself", Anchor: "' (myself) ", Re: re(`authentication of '[^']*' \(myself\) (?:with (?P<detail>\S+(?: key)?)(?: successful)?|successful)`), Event: facts.EvAuthSelf}},
	// an IKEv2 INFORMATIONAL carrying AUTHENTICATION_FAILED: the peer
	// rejected this side's IKE_AUTH after this side thought the IKE SA up;
	// charon logs no line of its own for it
	{srcMessage, facts.Signature{ID: "sw/informational-auth-failed", Anchor: "parsed INFORMATIONAL request", Re: re(`parsed INFORMATIONAL request \d+ \[[^\]]*\bN\((?P<state>AUTH_FAILED)\)`), Event: facts.EvNotifyIn}},
	{srcPSKv2 + ", " + srcPubkeyV2 + ", " + srcPubkeyV1, facts.Signature{ID: "sw/auth-successful", Anchor: "authentication of '", Extract: authSuccessful, Event: facts.EvAuthOK}},
	{srcMainMode + ", " + srcAggressive + ", src/libcharon/sa/ikev2/tasks/ike_establish.c", facts.Signature{ID: "sw/ike-sa-established", Anchor: " established between ", Extract: ikeSAEstablished, Event: facts.EvP1Complete}},

	// --- certificates ---
	{srcCredMgr, facts.Signature{ID: "sw/certificate-validity", Anchor: "certificate invalid (valid from", Re: re(`certificate invalid \((?P<detail>valid from .*? to [^)]*)\)`), Event: facts.EvCertInvalid}},
	{"src/libstrongswan/plugins/revocation/revocation_validator.c", facts.Signature{ID: "sw/certificate-revoked", Anchor: "certificate was revoked", Re: re(`certificate was revoked on (?P<detail>.*)`), Event: facts.EvCertInvalid}},
	{srcPubkeyV2 + ", " + srcPubkeyV1, facts.Signature{ID: "sw/no-trusted-public-key", Anchor: "public key found for", Re: re(`no trusted (?P<detail>\S+) public key found for`), Event: facts.EvCertInvalid}},
	{srcCredMgr, facts.Signature{ID: "sw/no-issuer-certificate", Anchor: "no issuer certificate found for", Event: facts.EvCertInvalid}},
	{srcCredMgr, facts.Signature{ID: "sw/self-signed-not-trusted", Anchor: "is not trusted", Re: re(`self-signed certificate .* is not trusted`), Event: facts.EvCertInvalid}},
	{"src/libcharon/sa/ikev2/tasks/ike_verify_peer_cert.c", facts.Signature{ID: "sw/peer-certificate-verification-failed", Anchor: "peer certificate verification failed", Event: facts.EvCertInvalid}},
	{srcPubkeyV2 + ", " + srcPubkeyV1, facts.Signature{ID: "sw/certificate-key-usage", Anchor: "rejecting certificate without", Event: facts.EvCertInvalid}},

	// --- version ---
	{"src/libcharon/network/receiver.c", facts.Signature{ID: "sw/unsupported-ike-version", Anchor: "unsupported IKE version", Re: re(`unsupported IKE version (?P<detail>\d+\.\d+) from {ip}`), Event: facts.EvVersionMismatch}},

	// --- NAT ---
	{srcIKESA, facts.Signature{ID: "sw/nat-detected", Anchor: " host is behind NAT", Extract: behindNAT, Event: facts.EvNATDetected}},

	// --- remote access ---
	{"src/libcharon/sa/ikev1/tasks/xauth.c", facts.Signature{ID: "sw/xauth-failed", Anchor: "XAuth authentication of", Re: re(`XAuth authentication of '[^']*' (?:\(myself\) )?failed`), Event: facts.EvXauthFailed}},
	{"src/libcharon/sa/ikev1/tasks/xauth.c", facts.Signature{ID: "sw/xauth-ok", Anchor: "XAuth authentication of", Re: re(`XAuth authentication of '[^']*' (?:\(myself\) )?successful`), Event: facts.EvXauthOK}},
	{"src/libcharon/sa/ikev1/tasks/xauth.c", facts.Signature{ID: "sw/xauth-destroying", Anchor: "destroying IKE_SA after failed XAuth authentication", Event: facts.EvXauthFailed}},
	{"src/libcharon/sa/ikev1/tasks/xauth.c", facts.Signature{ID: "sw/xauth-no-method", Anchor: "no XAuth method found", Event: facts.EvXauthFailed}},
	{srcEAP, facts.Signature{ID: "sw/eap-msk-verification-failed", Anchor: " EAP MSK failed", Re: re(`verification of AUTH payload with(?:out)? EAP MSK failed`), Event: facts.EvXauthFailed}},
	{srcEAP, facts.Signature{ID: "sw/eap-failed", Anchor: "method ", Re: re(`EAP (?:vendor specific )?method \S+ failed|\bEAP_[A-Z0-9_]+ method failed|EAP vendor type \S+ method failed`), Event: facts.EvXauthFailed}},
	{srcEAP, facts.Signature{ID: "sw/eap-failure-received", Anchor: "received EAP_FAILURE", Event: facts.EvXauthFailed}},
	{srcEAP, facts.Signature{ID: "sw/eap-auth-failed", Anchor: "EAP authentication failed", Event: facts.EvXauthFailed}},
	{"src/libcharon/sa/ikev2/tasks/ike_config.c", facts.Signature{ID: "sw/virtual-ip-expected", Anchor: "expected a virtual IP request", Event: facts.EvModeCfgFailed}},
	{srcIKESA, facts.Signature{ID: "sw/installing-virtual-ip-failed", Anchor: "virtual IP ", Re: re(`(?P<detail>installing virtual IP \S+ failed|looking up interface for virtual IP \S+ failed)`), Event: facts.EvModeCfgFailed}},
	{"src/libcharon/sa/ikev1/tasks/mode_config.c, src/libcharon/sa/ikev2/tasks/ike_config.c", facts.Signature{ID: "sw/no-virtual-ip", Anchor: "no virtual IP found", Event: facts.EvModeCfgFailed}},

	// --- CHILD_SA ---
	{srcMessage, facts.Signature{ID: "sw/create-child-sa", Anchor: "CREATE_CHILD_SA request", Re: re(`generating CREATE_CHILD_SA request \d+ \[[^\]]*\bTSi\b`), Event: facts.EvP2Start}},
	{srcMessage, facts.Signature{ID: "sw/create-child-sa-with-ke", Anchor: "CREATE_CHILD_SA request", Re: re(`(?:generating|parsed) CREATE_CHILD_SA request \d+ \[[^\]]*\b(?P<detail>KE)\b[^\]]*\bTSi\b`), Event: facts.EvP2PFSOffered}},
	{srcMessage, facts.Signature{ID: "sw/quick-mode-with-ke", Anchor: "QUICK_MODE request", Re: re(`(?:generating|parsed) QUICK_MODE request \d+ \[[^\]]*\b(?P<detail>KE)\b`), Event: facts.EvP2PFSOffered}},
	// the responder refuses every proposal of the CHILD_SA (IKE_AUTH or
	// CREATE_CHILD_SA; ike_init.c prints the same words in IKE_SA_INIT only
	// for a proposal without a DH group, which charon never sends)
	{srcChild, facts.Signature{ID: "sw/no-acceptable-proposal", Anchor: "no acceptable proposal found", Event: facts.EvP2NoProposal}},
	{srcQuickMode, facts.Signature{ID: "sw/v1-no-matching-proposal", Anchor: "no matching proposal found", Re: re(`no matching proposal found(?:, sending|$)`), Event: facts.EvP2NoProposal}},
	// child_create.c names the notify and says the CHILD_SA was not built:
	// phase 2 whatever the exchange (IKE_AUTH or CREATE_CHILD_SA)
	{srcChild, facts.Signature{ID: "sw/no-proposal-chosen-child", Anchor: "NO_PROPOSAL_CHOSEN notify, no CHILD_SA built", Event: facts.EvP2NoProposal}},
	{srcChild, facts.Signature{ID: "sw/ts-unacceptable-notify", Anchor: " notify, no CHILD_SA built", Re: re(`received (?P<state>TS_UNACCEPTABLE|INVALID_SELECTORS|SINGLE_PAIR_REQUIRED) notify, no CHILD_SA built`), Event: facts.EvP2ProxyMismatch}},
	{srcChild, facts.Signature{ID: "sw/internal-address-failure", Anchor: " notify, no CHILD_SA built", Re: re(`received (?P<state>INTERNAL_ADDRESS_FAILURE|FAILED_CP_REQUIRED) notify, no CHILD_SA built`), Event: facts.EvModeCfgFailed}},
	{srcChild, facts.Signature{ID: "sw/no-additional-sas", Anchor: "NO_ADDITIONAL_SAS notify, no CHILD_SA built", Event: facts.EvP2Failed}},
	{srcChild, facts.Signature{ID: "sw/traffic-selectors-unacceptable", Anchor: "acceptable", Re: re(`traffic selectors (?P<detail>.*?) (?:un|in)acceptable`), Event: facts.EvP2ProxyMismatch}},
	{srcQuickMode, facts.Signature{ID: "sw/no-matching-child-config", Anchor: "no matching CHILD_SA config found", Re: re(`no matching CHILD_SA config found(?: for (?P<detail>.*))?`), Event: facts.EvP2ProxyMismatch}},
	{srcChild + ", " + srcQuickMode, facts.Signature{ID: "sw/no-acceptable-traffic-selectors", Anchor: "no acceptable traffic selectors found", Event: facts.EvP2ProxyMismatch}},
	{srcQuickMode, facts.Signature{ID: "sw/peer-selected-invalid-ts", Anchor: "peer selected invalid traffic selectors", Event: facts.EvP2ProxyMismatch}},
	{srcChild + ", " + srcQuickMode, facts.Signature{ID: "sw/child-sa-established", Anchor: " established with SPIs ", Re: re(`CHILD_SA \S+ established with SPIs \S+ \S+ and TS (?P<detail>.*)`), Event: facts.EvP2Complete}},
	{srcChild + ", " + srcQuickMode, facts.Signature{ID: "sw/unable-to-install-sa", Anchor: "unable to install ", Re: re(`unable to install (?P<detail>.*?) in kernel`), Event: facts.EvP2Failed}},
	{srcChild, facts.Signature{ID: "sw/mode-unacceptable", Anchor: " mode requested by responder is unacceptable", Re: re(`(?P<detail>\S+) mode requested by responder is unacceptable`), Event: facts.EvP2PolicyRejected}},
	{srcChild + ", " + srcQuickMode, facts.Signature{ID: "sw/spi-allocation-failed", Anchor: "SPI", Re: re(`(?P<detail>unable to allocate SPIs from kernel|allocating SPI from kernel failed|allocating SPI failed)`), Event: facts.EvP2Failed}},
	{srcChild, facts.Signature{ID: "sw/cp-negotiation-failed", Anchor: "configuration payload negotiation failed", Event: facts.EvModeCfgFailed}},
	{srcQuickMode, facts.Signature{ID: "sw/v1-ts-missing-in-config", Anchor: " traffic selector missing in configuration", Re: re(`(?P<detail>local|remote) traffic selector missing in configuration`), Event: facts.EvP2ProxyMismatch}},
	{srcChild, facts.Signature{ID: "sw/temporary-failure", Anchor: " notify, will retry later", Re: re(`received (?P<state>[A-Z_]+) notify, will retry later`), Event: facts.EvNotifyIn}},
	{srcChild, facts.Signature{ID: "sw/child-sa-failed", Anchor: "failed to establish CHILD_SA", Event: facts.EvP2Failed}},

	// --- teardown ---
	{srcIKEDel + ", " + srcISAKMPDel, facts.Signature{ID: "sw/deleting-ike-sa", Anchor: "deleting IKE_SA ", Re: re(`deleting IKE_SA \S+ between \S+?\.\.\.{ip}\[`), Event: facts.EvSADeleted, State: "IKE_SA"}},
	{srcIKEDel + ", " + srcISAKMPDel, facts.Signature{ID: "sw/received-delete-ike-sa", Anchor: "received DELETE for IKE_SA", Event: facts.EvSADeleted, State: "IKE_SA deleted by peer"}},
	{srcChildDel + ", " + srcQuickDel, facts.Signature{ID: "sw/closing-child-sa", Anchor: "closing CHILD_SA ", Re: re(`closing CHILD_SA (?P<detail>\S+)`), Event: facts.EvSADeleted, State: "CHILD_SA"}},
	{srcChildDel + ", " + srcQuickDel, facts.Signature{ID: "sw/received-delete-child-sa", Anchor: "received DELETE for ", Re: re(`received DELETE for (?:ESP|AH) CHILD_SA with SPI (?P<detail>\S+)`), Event: facts.EvSADeleted, State: "CHILD_SA deleted by peer"}},
	{srcChildDel + ", " + srcQuickDel, facts.Signature{ID: "sw/closing-expired-child-sa", Anchor: "closing expired CHILD_SA", Re: re(`closing expired CHILD_SA (?P<detail>\S+)`), Event: facts.EvLifetimeExpired}},
	// the peer set up a new IKE_SA while this side had one with it: the
	// old one goes (a reauthentication, or the peer restarting a tunnel
	// it never saw come up)
	{"src/libcharon/sa/ike_sa_manager.c", facts.Signature{ID: "sw/duplicate-ike-sa", Anchor: "duplicate IKE_SA for peer", Event: facts.EvSADeleted, State: StateDuplicate}},
	{srcChild, facts.Signature{ID: "sw/closing-after-child-failure", Anchor: "closing IKE_SA due CHILD_SA setup failure", Event: facts.EvSADeleted, State: "IKE_SA"}},
}

// signatures is the table as the engine reads it.
var signatures = func() []facts.Signature {
	out := make([]facts.Signature, len(wordings))
	for i, w := range wordings {
		out[i] = w.Signature
	}
	return out
}()

// Hand-written readers for the charon wordings on most lines of a busy
// log, where the address regexp was most of the matching time.

// receivedFrom reads "received packet: from 10.99.0.2[500] to ..."; the
// detail is the peer's port.
func receivedFrom(line string, at int) (peer, state, detail string, ok bool) {
	rest := line[at+len("received packet: from "):]
	j := strings.IndexByte(rest, '[')
	if j <= 0 || !isIP(rest[:j]) {
		return "", "", "", false
	}
	port := rest[j+1:]
	if k := strings.IndexByte(port, ']'); k > 0 && allDigits(port[:k]) {
		detail = port[:k]
	}
	return rest[:j], "", detail, true
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

// messageLine reads "parsed IKE_AUTH response 1 [ IDr AUTH N(TS_UNACCEPT) ]"
// and "generating QUICK_MODE request 3897136350 [ HASH SA No ID ID ]": the
// state is the exchange, the detail the rest.
func messageLine(verb string) func(string, int) (string, string, string, bool) {
	return func(line string, at int) (peer, state, detail string, ok bool) {
		if at > 0 && line[at-1] != ' ' && line[at-1] != ']' {
			return "", "", "", false
		}
		rest := line[at+len(verb):]
		sp := strings.IndexByte(rest, ' ')
		if sp <= 0 || !isExchangeName(rest[:sp]) {
			return "", "", "", false
		}
		detail = rest[sp+1:]
		if !strings.HasPrefix(detail, "request ") && !strings.HasPrefix(detail, "response ") {
			return "", "", "", false
		}
		return "", rest[:sp], detail, true
	}
}

// isExchangeName: an exchange as charon names it (IKE_SA_INIT, QUICK_MODE,
// INFORMATIONAL_V1, ID_PROT, AGGRESSIVE, TRANSACTION...).
func isExchangeName(s string) bool {
	if len(s) < 4 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'A' && c <= 'Z' || c == '_' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// IKEv1 exchanges, by the names charon gives them.
var v1Exchanges = map[string]bool{"ID_PROT": true, "AGGRESSIVE": true, "QUICK_MODE": true, "INFORMATIONAL_V1": true, "TRANSACTION": true}

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
