package monitor

import "github.com/tunneldoc/tunneldoc/diagnose"

// A thread's cause only ever gets stronger within one outage. Polls read
// whatever the device shows at that moment: a tunnel whose IKE proposal
// was refused looks, a poll later, like a peer that does not answer (the
// initiator is between retries), or like no traffic at all (nothing is
// trying). Those later readings are weaker, not news: they never replace
// the cause the thread names. A reading replaces it only when it is
// stronger:
//
//  1. decisive: a failure the engine names (not unknown or healthy);
//  2. then more specific, by how far the negotiation got: no traffic
//     tried < the peer does not answer < data plane trouble on an
//     established tunnel < refused in IKE_SA_INIT / Main Mode (proposal,
//     version, NAT-T) < refused at authentication (PSK, identity,
//     certificate, no peer config) < refused after it (XAUTH, mode
//     config) < phase 2 refused on its proposal (ESP transform, PFS) <
//     phase 2 refused on its traffic selectors, which are compared only
//     once the proposal was accepted;
//  3. then, at the same rank, a higher confidence.
//
// A new outage (resolved, then down again) starts from nothing. A change
// that is recorded is posted in the thread (newCause).

// causeRank is a cause's place in that order; 0 for what is not decisive.
var causeRank = map[string]int{
	diagnose.CauseNoInterestingTraffic: 1,
	diagnose.CausePeerUnreachable:      2,

	diagnose.CauseDPDPeerDead:      3,
	diagnose.CauseOneWayOutbound:   3,
	diagnose.CauseOneWayInbound:    3,
	diagnose.CauseAntiReplayDrops:  3,
	diagnose.CauseMTUFragmentation: 3,
	diagnose.CauseLifetimeMismatch: 3,

	diagnose.CauseIKEProposalMismatch: 4,
	diagnose.CauseIKEVersionMismatch:  4,
	diagnose.CauseNATTIssue:           4,

	diagnose.CausePSKMismatch:         5,
	diagnose.CauseIDMismatch:          5,
	diagnose.CauseCertInvalid:         5,
	diagnose.CauseMissingPeerConfig:   5,
	diagnose.CauseXauthFailure:        6,
	diagnose.CauseModeConfigFailure:   6,
	diagnose.CauseESPProposalMismatch: 7,
	diagnose.CausePFSMismatch:         7,

	diagnose.CauseTrafficSelectorMismatch: 8,
}

// stronger says whether a reading (cause, confidence) should replace the
// record's cause for the same outage.
func stronger(r *record, cause string, confidence float64) bool {
	next := causeRank[cause]
	if next == 0 {
		return false
	}
	if r.Cause == "" {
		return true
	}
	if cause == r.Cause {
		return false
	}
	cur := causeRank[r.Cause]
	return next > cur || (next == cur && confidence > r.Confidence)
}

// setCause records a reading as the thread's cause.
func setCause(r *record, rep diagnose.Report, summary string) {
	r.Phase, r.Cause, r.Confidence, r.Summary = rep.Phase, rep.Cause, rep.Confidence, summary
}
