package strongswan

import (
	"strings"

	"github.com/tunneldoc/tunneldoc/diagnose/facts"
)

// Correlate adds to f.Events the strongSwan meanings that no single log
// line carries. Call it once after the line parsers ran over the paste;
// it only looks at strongSwan events and is idempotent for a given input
// (it never re-adds an event it derived before).
//
//   - An error notify received (EvNotifyIn) means what the exchange it
//     came in says: NO_PROPOSAL_CHOSEN in IKE_SA_INIT or Main/Aggressive
//     Mode is phase 1 (EvP1NoProposal), in Quick Mode or once the IKE SA
//     is up it is phase 2 (EvP2NoProposal, or EvP2PFSMismatch when the
//     proposals printed differ only in their DH group); likewise
//     INVALID_ID_INFORMATION (EvIDMismatch / EvP2ProxyMismatch),
//     AUTHENTICATION_FAILED (EvAuthFailed), INVALID_MAJOR_VERSION
//     (EvVersionMismatch), TS_UNACCEPTABLE (EvP2ProxyMismatch).
//   - IKEv1 phase 1: an encrypted message from the peer that does not
//     decrypt (the ID/HASH payloads of Main Mode, or the peer's encrypted
//     notify about ours) means the two ends derived different keys, which
//     with pre-shared keys is a PSK mismatch -> EvAuthFailed.
//   - "giving up after N retransmits" whose last retransmit was of a
//     request on an established IKE SA (State INFORMATIONAL): the peer was
//     declared dead by DPD/liveness checks -> EvDPDDead. When the last
//     retransmit was of a Quick Mode message, the give-up is that exchange
//     failing (its State becomes QUICK_MODE), not the peer.
//   - "received proposals: ESP:..." then "configured proposals: ESP:..."
//     before a phase-2 refusal, equal once their DH groups are dropped: PFS
//     on one side only or a different PFS group -> EvP2PFSMismatch.
//   - INVALID_KE_PAYLOAD ("peer didn't accept DH group") after the IKE SA
//     was established concerns a CHILD_SA's PFS group: re-kinded to
//     EvP2PFSMismatch, or to EvP2PFSOffered when a CHILD_SA was established
//     after it (charon retried with the requested group and it worked).
//   - a request answered with "no IKE config found" while the paste shows
//     this side's connection for that peer (stroke's "keyexchange=ikevN"
//     by "right=", vici's "version = N" by "remote_addrs =") of the other
//     IKE version -> EvVersionMismatch; without that it stays a missing
//     connection for the peer.
func Correlate(f *facts.Facts) {
	evs := f.Events
	var add []facts.Event
	for i := range evs {
		e := &evs[i]
		if e.Vendor != facts.VendorStrongSwan {
			continue
		}
		switch {
		case e.Kind == facts.EvNotifyIn:
			if kind, detail := notifyMeaning(evs[:i], e); kind != "" {
				add = append(add, derived(e, kind, e.State, detail))
				if kind == facts.EvP2NoProposal {
					if d := pfsBefore(evs[:i], e); d != "" {
						add = append(add, derived(e, facts.EvP2PFSMismatch, "", d))
					}
				}
			}
		case e.Kind == facts.EvMsgFailed && e.State == StateDecrypt:
			if v1PhaseOne(evs[:i], e) {
				add = append(add, derived(e, facts.EvAuthFailed, "IKEv1", "an encrypted IKEv1 phase-1 message from the peer does not decrypt: the two ends derived different keys (pre-shared keys differ)"))
			}
		case e.Kind == facts.EvP1GiveUp:
			r := lastRetransmit(evs[:i], e)
			switch {
			case r == nil:
			case r.Kind == facts.EvP2Retransmit:
				// the Quick Mode exchange, not the peer, was given up
				e.State = StateQuickMode
			case r.State == StateDPD:
				add = append(add, derived(e, facts.EvDPDDead, "", "no answer to requests on the established IKE SA (DPD/liveness check)"))
			}
		case e.Kind == facts.EvP2NoProposal:
			if d := pfsBefore(evs[:i], e); d != "" {
				add = append(add, derived(e, facts.EvP2PFSMismatch, "", d))
			}
		case e.Kind == facts.EvP1AttrMismatch && e.State == StateInvalidKE:
			if previous(evs[:i], e, facts.EvP1Complete, "") == nil {
				continue
			}
			if next(evs[i+1:], e, facts.EvP2Complete) {
				e.Kind = facts.EvP2PFSOffered
			} else {
				e.Kind = facts.EvP2PFSMismatch
			}
		case e.Kind == facts.EvNoPSK && e.State == StateNoIKEConfig:
			// "no IKE config found" is no connection of the request's IKE
			// version for the addresses: a version mismatch only when the
			// paste shows this side's connection with the other version
			r := previous(evs[:i], e, facts.EvP1Received, "")
			if r == nil {
				continue
			}
			want := "2"
			if r.State == "ID_PROT" || r.State == "AGGRESSIVE" {
				want = "1"
			}
			if v := connVersionFor(evs[:i], e); v != "" && v != "0" && v != want {
				add = append(add, derived(e, facts.EvVersionMismatch, "IKEv"+v,
					"peer sent an "+r.State+" request and this side's connection for it is IKEv"+v+" only"))
			}
		}
	}
	for _, a := range add {
		if !has(f.Events, a) {
			f.Events = append(f.Events, a)
			f.Saw(facts.VendorStrongSwan)
		}
	}
}

// notifyMeaning says what an error notify received means, from the
// exchange it came in: the newest IKE message parsed or built before it,
// or, when the paste has no message lines, whether the IKE SA was up.
func notifyMeaning(before []facts.Event, e *facts.Event) (facts.EventKind, string) {
	p2 := childExchange(before, e)
	switch e.State {
	case "NO_PROPOSAL_CHOSEN":
		// IKEv2 words a CHILD_SA's NO_PROPOSAL_CHOSEN "..., no CHILD_SA
		// built" (child_create.c); "notify error" is ike_init.c's, the IKE
		// proposal of IKE_SA_INIT or of an IKE_SA rekeying
		if p2 && e.Detail != "notify error" {
			return facts.EvP2NoProposal, "NO_PROPOSAL_CHOSEN received for the CHILD_SA / quick mode proposal"
		}
		return facts.EvP1NoProposal, "NO_PROPOSAL_CHOSEN received for the IKE proposal"
	case "INVALID_ID_INFORMATION":
		if p2 {
			return facts.EvP2ProxyMismatch, "INVALID_ID_INFORMATION received for the quick mode IDs (traffic selectors)"
		}
		return facts.EvIDMismatch, "INVALID_ID_INFORMATION received for the phase-1 identity"
	case "TS_UNACCEPTABLE", "INVALID_SELECTORS", "SINGLE_PAIR_REQUIRED":
		return facts.EvP2ProxyMismatch, e.State + " received"
	case "AUTHENTICATION_FAILED", "AUTH_FAILED":
		if a := previous(before, e, facts.EvAuthSelf, ""); a != nil {
			switch {
			case a.Detail == "EAP":
				return facts.EvXauthFailed, "the peer refused this side's EAP authentication (AUTHENTICATION_FAILED)"
			case a.Detail != "pre-shared key":
				// the peer refused a signature this side made: its
				// certificate (expired, untrusted, revoked) or the identity
				return facts.EvCertInvalid, "the peer refused this side's certificate authentication (AUTHENTICATION_FAILED)"
			}
		}
		return facts.EvAuthFailed, "the peer refused this side's authentication (AUTHENTICATION_FAILED)"
	case "INVALID_MAJOR_VERSION":
		return facts.EvVersionMismatch, "the peer does not speak this IKE version"
	case "INTERNAL_ADDRESS_FAILURE", "FAILED_CP_REQUIRED":
		return facts.EvModeCfgFailed, e.State + " received"
	case "PAYLOAD_MALFORMED", "INVALID_HASH_INFORMATION", "INVALID_PAYLOAD_TYPE":
		if !p2 && v1PhaseOne(before, e) {
			return facts.EvAuthFailed, "the peer could not decrypt or verify this side's phase-1 message (" + e.State + "): the pre-shared keys differ"
		}
	}
	return "", ""
}

// childExchange reports whether the negotiation e belongs to was past
// phase 1 when e happened: the newest exchange before it (informational
// exchanges aside, they carry the notify) is QUICK_MODE or CREATE_CHILD_SA,
// or, when no message line says, the IKE SA had been established since it
// was last initiated.
func childExchange(before []facts.Event, e *facts.Event) bool {
	for j := len(before) - 1; j >= 0; j-- {
		o := &before[j]
		if o.Vendor != facts.VendorStrongSwan || !samePlace(o, e) {
			continue
		}
		switch o.Kind {
		case facts.EvMsgIn, facts.EvMsgOut:
			switch o.State {
			case "QUICK_MODE", "CREATE_CHILD_SA":
				return true
			case "IKE_SA_INIT", "IKE_AUTH", "ID_PROT", "AGGRESSIVE":
				return false
			}
		case facts.EvP1Complete, facts.EvP2Complete, facts.EvP2Start:
			return true
		case facts.EvP1Sent:
			return false
		}
	}
	return false
}

// v1PhaseOne reports whether e happened in an IKEv1 negotiation before its
// IKE SA was established: going back from e, an IKEv1 exchange or Main /
// Aggressive Mode start comes before any "established" line.
func v1PhaseOne(before []facts.Event, e *facts.Event) bool {
	v1 := strings.Contains(e.Detail, "_V1")
	for j := len(before) - 1; j >= 0; j-- {
		o := &before[j]
		if o.Vendor != facts.VendorStrongSwan || !samePlace(o, e) {
			continue
		}
		switch o.Kind {
		case facts.EvP1Complete, facts.EvP2Complete:
			return false
		case facts.EvMsgIn, facts.EvMsgOut:
			if o.State == "QUICK_MODE" {
				return false
			}
			v1 = v1 || v1Exchanges[o.State]
		case facts.EvP1Sent, facts.EvP1Received:
			switch o.State {
			case "MainMode", "AggressiveMode", "ID_PROT", "AGGRESSIVE":
				return true
			case "IKE_SA_INIT":
				return false
			}
		}
	}
	return v1
}

// connVersionFor is the IKE version of this side's connection for the
// peer of e, from the connection dumps charon printed before it (stroke's
// "keyexchange=ikevN" near "right=ADDR", vici's "version = N" near
// "remote_addrs = ADDR"): "" when no dump names the peer.
func connVersionFor(before []facts.Event, e *facts.Event) string {
	const near = 24 // lines: one connection's dump
	for j := len(before) - 1; j >= 0; j-- {
		v := &before[j]
		if v.Vendor != facts.VendorStrongSwan || v.Kind != facts.EvConfig || v.State != "keyexchange" || v.Ref.Section != e.Ref.Section {
			continue
		}
		for k := range before {
			a := &before[k]
			if a.Kind != facts.EvConfig || a.State != "remote" || a.Ref.Section != v.Ref.Section ||
				a.Ref.Line < v.Ref.Line-near || a.Ref.Line > v.Ref.Line+near {
				continue
			}
			if e.Peer != "" && strings.Contains(a.Detail, e.Peer) || strings.Contains(a.Detail, "%any") {
				return v.Detail
			}
		}
	}
	return ""
}

// pfsBefore looks at the proposal lists printed before a phase-2 refusal
// (received, then configured) and describes a PFS-only difference.
func pfsBefore(before []facts.Event, e *facts.Event) string {
	var recv, conf *facts.Event
	for j := len(before) - 1; j >= 0 && (recv == nil || conf == nil); j-- {
		o := &before[j]
		if o.Vendor != facts.VendorStrongSwan || !samePlace(o, e) {
			continue
		}
		if o.Kind == facts.EvP2Complete || o.Kind == facts.EvP1Sent {
			break
		}
		if o.Kind != facts.EvProposalList || !isChildProposal(o.Detail) {
			continue
		}
		switch {
		case o.State == StateConfigured && conf == nil:
			conf = o
		case o.State == StateReceived && recv == nil:
			recv = o
		}
	}
	if recv == nil || conf == nil {
		return ""
	}
	return pfsDifference(recv.Detail, conf.Detail)
}

func isChildProposal(list string) bool {
	return strings.HasPrefix(list, "ESP:") || strings.HasPrefix(list, "AH:")
}

func derived(from *facts.Event, kind facts.EventKind, state, detail string) facts.Event {
	return facts.Event{Kind: kind, Vendor: facts.VendorStrongSwan, Peer: from.Peer, State: state, Detail: detail, Ref: from.Ref}
}

func has(evs []facts.Event, a facts.Event) bool {
	for _, e := range evs {
		if e == a {
			return true
		}
	}
	return false
}

func samePlace(a, b *facts.Event) bool {
	return a.Ref.Section == b.Ref.Section && (a.Peer == "" || b.Peer == "" || a.Peer == b.Peer)
}

// lastRetransmit is the newest retransmit before e in e's section, unless
// a new IKE_SA initiation came in between.
func lastRetransmit(before []facts.Event, e *facts.Event) *facts.Event {
	for j := len(before) - 1; j >= 0; j-- {
		o := &before[j]
		if o.Vendor != facts.VendorStrongSwan || !samePlace(o, e) {
			continue
		}
		switch o.Kind {
		case facts.EvP1Retransmit, facts.EvP2Retransmit:
			return o
		case facts.EvP1Sent, facts.EvP1GiveUp:
			return nil
		}
	}
	return nil
}

// previous is the newest event of kind (and state, when given) before e in
// e's section.
func previous(before []facts.Event, e *facts.Event, kind facts.EventKind, state string) *facts.Event {
	for j := len(before) - 1; j >= 0; j-- {
		o := &before[j]
		if o.Vendor == facts.VendorStrongSwan && o.Kind == kind && (state == "" || o.State == state) && samePlace(o, e) {
			return o
		}
	}
	return nil
}

func next(after []facts.Event, e *facts.Event, kind facts.EventKind) bool {
	for j := range after {
		if o := &after[j]; o.Vendor == facts.VendorStrongSwan && o.Kind == kind && samePlace(o, e) {
			return true
		}
	}
	return false
}

// pfsDifference compares charon's received and configured proposal lists
// ("ESP:AES_CBC_256/HMAC_SHA2_256_128/MODP_2048/NO_EXT_SEQ, ESP:...") and
// describes the PFS difference when some pair of proposals is equal once
// the DH groups are set aside; "" when they differ in more than that.
func pfsDifference(received, configured string) string {
	for _, r := range splitProposals(received) {
		rBase, rDH := dropDH(r)
		for _, c := range splitProposals(configured) {
			cBase, cDH := dropDH(c)
			if rBase != cBase || rDH == cDH {
				continue
			}
			return "peer offers PFS group " + orNone(rDH) + ", this side is configured with " + orNone(cDH)
		}
	}
	return ""
}

func orNone(s string) string {
	if s == "" {
		return "none (no PFS)"
	}
	return s
}

func splitProposals(list string) []string {
	var out []string
	for _, p := range strings.Split(list, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// dropDH returns a proposal without its key exchange methods, and them.
func dropDH(p string) (base, dh string) {
	var keep, groups []string
	for _, part := range strings.Split(p, "/") {
		name := part
		if i := strings.IndexByte(name, ':'); i >= 0 {
			name = name[i+1:]
		}
		if dhRe.MatchString(name) {
			groups = append(groups, name)
			if i := strings.IndexByte(part, ':'); i >= 0 {
				keep = append(keep, part[:i+1])
			}
			continue
		}
		keep = append(keep, part)
	}
	return strings.Join(keep, "/"), strings.Join(groups, "/")
}
