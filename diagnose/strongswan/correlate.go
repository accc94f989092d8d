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
//   - "giving up after N retransmits" whose last retransmit was of a
//     request on an established IKE SA (State INFORMATIONAL): the peer was
//     declared dead by DPD/liveness checks -> EvDPDDead.
//   - "received proposals: ESP:..." then "configured proposals: ESP:..."
//     that are equal once their DH groups are dropped: PFS on one side only
//     or a different PFS group -> EvP2PFSMismatch.
//   - INVALID_KE_PAYLOAD ("peer didn't accept DH group") after the IKE SA
//     was established concerns a CHILD_SA's PFS group: re-kinded to
//     EvP2PFSMismatch, or to EvP2PFSOffered when a CHILD_SA was established
//     after it (charon retried with the requested group and it worked).
//   - an IKEv1 Main/Aggressive Mode request answered with "no IKE config
//     found": the responder has no IKEv1 connection for the peer ->
//     EvVersionMismatch (the detail says it may also be no config at all).
func Correlate(f *facts.Facts) {
	evs := f.Events
	var add []facts.Event
	for i := range evs {
		e := &evs[i]
		if e.Vendor != facts.VendorStrongSwan {
			continue
		}
		switch {
		case e.Kind == facts.EvP1GiveUp:
			if r := lastRetransmit(evs[:i], e); r != nil && r.State == StateDPD {
				add = append(add, derived(e, facts.EvDPDDead, "", "no answer to requests on the established IKE SA (DPD/liveness check)"))
			}
		case e.Kind == facts.EvP2NoProposal && e.State == StateConfigured:
			if r := previous(evs[:i], e, facts.EvP2NoProposal, StateReceived); r != nil {
				if d := pfsDifference(r.Detail, e.Detail); d != "" {
					add = append(add, derived(e, facts.EvP2PFSMismatch, "", d))
				}
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
			r := previous(evs[:i], e, facts.EvP1Received, "")
			if r != nil && (r.State == "ID_PROT" || r.State == "AGGRESSIVE") {
				add = append(add, derived(e, facts.EvVersionMismatch, "IKEv1",
					"peer sent an IKEv1 "+r.State+" request and no IKEv1 connection matched it (this side IKEv2-only, or no connection for the peer at all)"))
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
		case facts.EvP1Retransmit:
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
