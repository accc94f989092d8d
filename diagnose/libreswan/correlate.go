package libreswan

import "github.com/tunneldoc/tunneldoc/diagnose/facts"

// Correlate settles what one pluto line cannot say on its own. Call it
// once after the line parsers ran; it only changes libreswan events.
//
//   - An IKEv1 INVALID_ID_INFORMATION notify (StateInvalidID) received
//     after the IKE SA with that peer was established answers a Quick
//     Mode request: the peer refuses the proposed networks, so it is
//     re-kinded EvP2ProxyMismatch. Before that it is about the IKE
//     identity and stays EvIDMismatch.
func Correlate(f *facts.Facts) {
	up := map[string]bool{} // peers whose IKE SA is established, so far
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
		}
	}
}
