package bot

import (
	"github.com/tunneldoc/tunneldoc/bot/store"
	"github.com/tunneldoc/tunneldoc/diagnose"
)

// An incident's cause only ever gets stronger within one outage. Reads
// show whatever the device shows at that moment: a tunnel whose IKE
// proposal was refused looks, a poll later, like a peer that does not
// answer (the initiator is between retries), or like no traffic at all
// (nothing is trying). Those later readings are weaker, not news: they
// never replace the cause the incident names. A reading replaces it only
// when it is stronger:
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
// The monitor's threads (bot/monitor/cause.go) and a check's data-plane
// verdict on its incident (snapshots.go) follow it, and the monitor takes
// a stronger cause the bot recorded in the incident of its thread.

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

// CauseRank is a cause's place in the order above; 0 for what is not
// decisive (healthy, unknown, a data-plane verdict without a cause).
func CauseRank(cause string) int { return causeRank[cause] }

// StrongerCause says whether a reading (cause, confidence) should replace
// the current cause (cur, curConfidence) of the same outage; cur "" is no
// cause yet.
func StrongerCause(cur string, curConfidence float64, cause string, confidence float64) bool {
	next := causeRank[cause]
	if next == 0 {
		return false
	}
	if causeRank[cur] == 0 {
		return true
	}
	if cause == cur {
		return false
	}
	rank := causeRank[cur]
	return next > rank || (next == rank && confidence > curConfidence)
}

// StrongestDiagnosis is the diagnosis that names an incident's cause so
// far: the strongest of ds in the order above, the latest of equals. ok is
// false when none is decisive. A recorded diagnosis keeps no confidence:
// at the same rank the later one stands.
func StrongestDiagnosis(ds []store.Diagnosis) (d store.Diagnosis, ok bool) {
	for _, x := range ds {
		if r := causeRank[x.Cause]; r == 0 || ok && r < causeRank[d.Cause] {
			continue
		}
		d, ok = x, true
	}
	return d, ok
}
