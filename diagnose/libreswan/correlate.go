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
	var add []facts.Event
	for i := range f.Events {
		e := &f.Events[i]
		if e.Vendor != facts.VendorLibreswan {
			continue
		}
		switch {
		case e.Kind == facts.EvP1Complete:
			up[e.Peer] = true
		case e.Kind == facts.EvIDMismatch && e.State == StateInvalidID && (up[e.Peer] || up[""]):
			e.Kind = facts.EvP2ProxyMismatch
		case e.Kind == facts.EvConfig && e.State == StateIKEVersion:
			loaded = e.Detail
		case (e.Kind == facts.EvP1GiveUp || e.Kind == facts.EvP1Retransmit) && (e.State == "STATE_V2_PARENT_I2" || e.State == "STATE_PARENT_I2") && !authUnanswered[e.Peer]:
			authUnanswered[e.Peer] = true
			add = append(add, facts.Event{Kind: facts.EvNATTProblem, Vendor: facts.VendorLibreswan, Peer: e.Peer, State: "IKE_AUTH",
				Detail: "IKE_AUTH unanswered after IKE_SA_INIT was: it goes to UDP/4500 once a NAT is found (or is fragmented), and a responder answers every IKE_AUTH it receives", Ref: e.Ref})
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
