// Package strongswan reads strongSwan output into the vendor-neutral facts
// model: `swanctl --list-sas` (vici deployments) and `ipsec statusall` /
// `ipsec status` (stroke deployments) through the Parsers table, and
// charon log lines through the LineParsers table, in every form they are
// pasted in: filelog "09[IKE] <conn|1> msg", syslog "host charon: 09[IKE]
// msg" and "host charon[1234]: 09[IKE] <con1000|5> msg" (pfSense,
// OPNsense), journald "host charon-systemd[812]: msg", what swanctl
// --initiate echoes ("[IKE] msg") and what `ipsec up` echoes (the bare
// message).
//
// # Observations, not conclusions
//
// Each entry of the wordings table is one charon message, the strongSwan
// 5.9 source file that logs it, and the observation it is. Most are
// neutral: a message parsed or built in which exchange (EvMsgIn,
// EvMsgOut), a proposal list printed (EvProposalList; charon prints the
// received and configured lists at level 1 when nothing matched and at
// level 2 on every negotiation, so a list alone is never a failure), an
// error notify received (EvNotifyIn), a message that could not be
// processed (EvMsgFailed), this side authenticating itself (EvAuthSelf).
// A wording maps straight to a failure kind only where charon prints it
// for that failure alone ("tried 1 shared key ... but MAC mismatched",
// "received proposals unacceptable", "no matching CHILD_SA config found").
// Correlate derives the meanings that need context: a notify means what
// the exchange it came in says (NO_PROPOSAL_CHOSEN in IKE_SA_INIT or Main
// Mode is phase 1, in Quick Mode or on an established IKE SA phase 2), an
// IKEv1 phase-1 decryption failure is a PSK mismatch, a give-up after
// retransmits on an established IKE SA is DPD.
//
// # What decides each cause, and what only supports it
//
// The rules (package diagnose, rules.go) read these kinds; for strongSwan:
//
//   - peer_unreachable. Decides: "giving up after N retransmits" /
//     "establishing IKE_SA failed, peer not responding" (EvP1GiveUp) with
//     no message from the peer since "initiating IKE_SA". When earlier
//     negotiations in the paste were answered, the newest unanswered
//     attempt still decides, above their failures. Supports: the
//     retransmits of message ID 0 (EvP1Retransmit), "initiating"
//     (EvP1Sent).
//   - ike_proposal_mismatch. Decides: "received proposals unacceptable",
//     "no proposal found" (IKEv1), NO_PROPOSAL_CHOSEN received in
//     IKE_SA_INIT / Main / Aggressive Mode. Supports: the received and
//     configured IKE proposal lists printed before it (quoted, and named
//     in the summary).
//   - psk_mismatch. Decides: "tried N shared keys ... but MAC mismatched",
//     "calculated HASH does not match HASH payload", an IKEv1 phase-1
//     message that does not decrypt ("invalid ID_V1 payload length,
//     decryption failed?", "could not decrypt payloads"),
//     AUTHENTICATION_FAILED received after this side authenticated with a
//     pre-shared key. Supports: "message parsing failed", "... processing
//     failed", PAYLOAD_MALFORMED / INVALID_HASH_INFORMATION from the peer
//     in phase 1.
//   - cert_invalid. Decides: certificate validity / revocation / trust
//     lines, "no trusted ... public key found", AUTHENTICATION_FAILED
//     received after this side signed.
//   - id_mismatch. Decides: "no matching peer config found", "no peer
//     config found" (IKEv1), "IDir '...' does not match to '...'",
//     "received IDr ..., but require ...", constraint check failures,
//     INVALID_ID_INFORMATION in Main Mode.
//   - missing_peer_config. Decides: "no IKE config found for A...B"
//     (IKEv2 request), "no shared key found".
//   - ike_version_mismatch. Decides: "received unsupported IKE version",
//     INVALID_MAJOR_VERSION received, and "no IKE config found" answering
//     an IKEv1 Main/Aggressive Mode request (Correlate).
//   - esp_proposal_mismatch. Decides: "no acceptable proposal found"
//     (child_create.c), "no matching proposal found" (Quick Mode),
//     "received NO_PROPOSAL_CHOSEN notify, no CHILD_SA built",
//     NO_PROPOSAL_CHOSEN received in Quick Mode. Supports: the ESP
//     proposal lists printed before it.
//   - pfs_mismatch. Decides: a phase-2 refusal whose received and
//     configured ESP lists are equal without their DH groups (Correlate),
//     INVALID_KE_PAYLOAD on a CHILD_SA with no CHILD_SA after it.
//     Supports: a KE payload in CREATE_CHILD_SA / Quick Mode (EvP2PFSOffered).
//   - traffic_selector_mismatch. Decides: "traffic selectors ...
//     unacceptable", "no matching CHILD_SA config found", "no acceptable
//     traffic selectors found", TS_UNACCEPTABLE, INVALID_ID_INFORMATION in
//     Quick Mode.
//   - nat_t_issue. Decides: "remote/local host is behind NAT" followed by
//     retransmits and a give-up with no answer (UDP/4500 blocked).
//   - dpd_peer_dead. Decides: a give-up whose last retransmit was of a
//     request on the established IKE SA (message ID 2 and up), "giving up
//     after N path probings", "DPD check timed out".
//   - healthy. Decides: "IKE_SA ... established" and "CHILD_SA ...
//     established" with no later failure; list-sas / statusall counters in
//     both directions. Not healthy, whatever was established: the IKE SA
//     deleted before any CHILD_SA came up; a Quick Mode request after the
//     IKE SA came up that got no CHILD_SA; messages from the peer that
//     cannot be read after the IKE SA came up; the peer re-creating the
//     tunnel this side had ("duplicate IKE_SA ... uniqueness policy"). Those
//     logs name no cause: the peer failed where this side cannot see.
//
// Lines are given to the peer of their IKE_SA ("<con1000|5>"): several
// tunnels' lines interleave in a pfSense or OPNsense log.
//
// The signatures were written from strongSwan's source and checked on
// real charon 5.9.8 captures (testdata/lab/, and the cases under
// diagnose/testdata/cases/). Like every diagnosis package it is pure: it
// must not import net, os, os/exec, slack-go, x/crypto/ssh or go-redis,
// and it does no I/O.
package strongswan
