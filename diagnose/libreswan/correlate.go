package libreswan

import (
	"strings"

	"github.com/tunneldoc/tunneldoc/diagnose/facts"
)

// Correlate settles what one pluto line cannot say on its own. Call it
// once after the line parsers ran; it only changes libreswan events and
// never adds an event it added before.
//
//   - An IKEv1 INVALID_ID_INFORMATION notify (StateInvalidID) received
//     after the IKE SA with that peer was established answers a Quick
//     Mode request: the peer refuses the proposed networks, so it is
//     re-kinded EvP2ProxyMismatch. Before that it is about the IKE
//     identity and stays EvIDMismatch.
//   - A request that found no connection (EvNoPSK, "IKE_SA_INIT message
//     received ... but no suitable connection found with IKEv2 policy",
//     "initial Main Mode message received but no connection has been
//     authorized") while the log shows this side loading its connection
//     with the other IKE version ("added IKEv1 connection"): the two ends
//     speak different IKE versions -> EvVersionMismatch. Without that line
//     it stays a missing connection for the peer.
//   - A request that found no connection after pluto refused to load one
//     for its own certificate ("failed to add connection: left certificate
//     ... is expired or not yet valid") found none because of that
//     certificate: EvCertInvalid.
//   - IKEv2: an IKE_AUTH request retransmitted (STATE_V2_PARENT_I2) with
//     IKE_SA_INIT answered. A responder answers every IKE_AUTH it gets,
//     even to refuse it (AUTHENTICATION_FAILED), so the request does not
//     reach it: it moved to UDP/4500 once a NAT was found and that port is
//     blocked, or it is fragmented -> EvNATTProblem.
//   - A CHILD SA proposal refused ("no local proposal matches remote
//     proposals 1:ESP:...;DH=MODP2048") where the peer's and this side's
//     proposals (the list pluto printed before) differ in having a DH
//     group: PFS on one side only -> EvP2PFSMismatch.
//   - Quick Mode: the networks the peer proposed ("the peer proposed: A
//     -<all>-> B") differ from those of the connection that answers it
//     ("us: A===... them: ...===C") -> EvP2ProxyMismatch.
//   - The addresses pluto listens on ("adding UDP interface eth0
//     192.0.2.1:500") are this side's: an event put on one of them (a
//     plutodebug line "sending ... from 192.0.2.1:500 to ..." names it
//     first) names no peer, and the configuration events name none either.
func Correlate(f *facts.Facts) {
	ownAddresses(f)
	up := map[string]bool{} // peers whose IKE SA is established, so far
	loaded := ""            // the IKE version of the last connection loaded
	ownCertRefused := false // a connection was not loaded for its own certificate
	authUnanswered := map[string]bool{}
	var configured []string // this side's CHILD SA proposals, the last list printed
	proposed := ""          // the networks the peer proposed in the last Quick Mode
	var add []facts.Event
	for i := range f.Events {
		e := &f.Events[i]
		if e.Vendor != facts.VendorLibreswan {
			continue
		}
		inList := i > 0 && f.Events[i-1].Kind == facts.EvProposalList && f.Events[i-1].State == StateConfigured
		switch {
		case e.Kind == facts.EvP1Complete:
			up[e.Peer] = true
		case e.Kind == facts.EvIDMismatch && e.State == StateInvalidID && (up[e.Peer] || up[""]):
			e.Kind = facts.EvP2ProxyMismatch
		case e.Kind == facts.EvConfig && e.State == StateIKEVersion:
			loaded = e.Detail
		case (e.Kind == facts.EvP1GiveUp || e.Kind == facts.EvP1Retransmit) && authWaitStates[e.State] && !authUnanswered[e.Peer]:
			authUnanswered[e.Peer] = true
			add = append(add, facts.Event{Kind: facts.EvNATTProblem, Vendor: facts.VendorLibreswan, Peer: e.Peer, State: "IKE_AUTH",
				Detail: "IKE_AUTH unanswered after IKE_SA_INIT was: it goes to UDP/4500 once a NAT is found (or is fragmented), and a responder answers every IKE_AUTH it receives", Ref: e.Ref})
		case e.Kind == facts.EvProposalList && e.State == StateConfigured:
			if !inList {
				configured = configured[:0]
			}
			configured = append(configured, e.Detail)
		case e.Kind == facts.EvP2NoProposal && strings.Contains(e.Detail, ":ESP:"):
			if d := pfsDifference(e.Detail, configured); d != "" {
				add = append(add, facts.Event{Kind: facts.EvP2PFSMismatch, Vendor: facts.VendorLibreswan, Peer: e.Peer, State: e.State, Detail: d, Ref: e.Ref})
			}
		case e.Kind == facts.EvProposalList && e.State == StateProposedTS:
			proposed = e.Detail
		case e.Kind == facts.EvProposalList && e.State == StateConfiguredTS && proposed != "":
			if d := selectorsDiffer(proposed, e.Detail); d != "" {
				add = append(add, facts.Event{Kind: facts.EvP2ProxyMismatch, Vendor: facts.VendorLibreswan, Peer: e.Peer, State: "QUICK_MODE", Detail: d, Ref: e.Ref})
			}
			proposed = ""
		case e.Kind == facts.EvCertInvalid && e.State == StateOwnCert:
			ownCertRefused = true
		case e.Kind == facts.EvNoPSK && ownCertRefused:
			// no connection because its certificate kept it from loading
			e.Kind, e.Detail = facts.EvCertInvalid, "the connection was not loaded: its certificate is expired or not yet valid"
		case e.Kind == facts.EvNoPSK && loaded != "":
			asked := ""
			switch e.State {
			case "IKE_SA_INIT":
				asked = "2"
			case "STATE_MAIN_R0":
				asked = "1"
			}
			if asked != "" && asked != loaded {
				add = append(add, facts.Event{Kind: facts.EvVersionMismatch, Vendor: facts.VendorLibreswan, Peer: e.Peer,
					State: "IKEv" + loaded, Detail: "the peer asked for IKEv" + asked + " and this side's connection is IKEv" + loaded, Ref: e.Ref})
			}
		}
	}
	for _, a := range add {
		if !hasEvent(f.Events, a) {
			f.Events = append(f.Events, a)
			f.Saw(facts.VendorLibreswan)
		}
	}
}

func hasEvent(evs []facts.Event, a facts.Event) bool {
	for _, e := range evs {
		if e == a {
			return true
		}
	}
	return false
}

// ownAddresses takes this side's addresses off libreswan events' peers.
func ownAddresses(f *facts.Facts) {
	own := map[string]bool{}
	for _, e := range f.Events {
		if e.Vendor == facts.VendorLibreswan && e.Kind == facts.EvConfig && e.State == StateInterface {
			own[strings.Trim(e.Detail, "[]")] = true
		}
	}
	for i := range f.Events {
		e := &f.Events[i]
		if e.Vendor == facts.VendorLibreswan && (e.Kind == facts.EvConfig || own[e.Peer]) {
			e.Peer = ""
		}
	}
}

// dhIn reports whether a proposal asks for a DH group (PFS): "DH=MODP2048"
// in a received IKEv2 list, a MODP/ECP/DH/CURVE part in a configured one.
func dhIn(p string) bool {
	if i := strings.Index(p, "DH="); i >= 0 {
		return !strings.HasPrefix(p[i+3:], "NONE")
	}
	for _, part := range strings.FieldsFunc(p, func(r rune) bool { return r == '-' || r == '=' || r == '+' || r == ';' }) {
		for _, g := range []string{"MODP", "ECP", "DH", "CURVE"} {
			if strings.HasPrefix(part, g) && part != "DH" {
				return true
			}
		}
	}
	return false
}

// pfsDifference: the peer's refused CHILD SA proposals and this side's
// differ in asking for PFS (one has a DH group, the other none).
func pfsDifference(received string, configured []string) string {
	if len(configured) == 0 {
		return ""
	}
	local := false
	for _, c := range configured {
		local = local || dhIn(c)
	}
	remote := dhIn(received)
	switch {
	case remote && !local:
		return "the peer proposes PFS (a DH group) and this side's proposals have none"
	case local && !remote:
		return "this side's proposals ask for PFS (a DH group) and the peer's have none"
	}
	return ""
}

// selectorsDiffer compares the networks the peer proposed in Quick Mode
// ("A -<all>-> B": ours, then its) with this connection's ("us: A===host
// them: host===B").
func selectorsDiffer(proposed, configured string) string {
	p := strings.Fields(proposed)
	c := strings.Fields(configured)
	if len(p) != 3 || len(c) != 3 {
		return ""
	}
	ours, theirs := p[0], p[2]
	us := c[0]
	if i := strings.Index(us, "==="); i >= 0 {
		us = us[:i]
	}
	them := c[2]
	if i := strings.LastIndex(them, "==="); i >= 0 {
		them = them[i+3:]
	}
	trim := func(s string) string { // "10.0.0.0/24:0" -> "10.0.0.0/24"; "host[id]" -> "host"
		if i := strings.IndexByte(s, '['); i >= 0 {
			s = s[:i]
		}
		return s
	}
	if trim(ours) == trim(us) && trim(theirs) == trim(them) {
		return ""
	}
	return "the peer proposed " + ours + " <-> " + theirs + ", this side's connection has " + trim(us) + " <-> " + trim(them)
}

// authWaitStates: an IKEv2 initiator waiting for its IKE_AUTH answer
// (4.x STATE_V2_PARENT_I2, 3.x STATE_PARENT_I2, 5.x STATE_V2_IKE_AUTH_I,
// or 5.x's retransmission naming the exchange).
var authWaitStates = map[string]bool{"STATE_V2_PARENT_I2": true, "STATE_PARENT_I2": true, "STATE_V2_IKE_AUTH_I": true, "IKE_AUTH": true}
