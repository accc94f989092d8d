package diagnose

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/tunneldoc/tunneldoc/diagnose/facts"
	"github.com/tunneldoc/tunneldoc/diagnose/strongswan"
)

// A rule reads one peer's view and, when its signature or state is there,
// returns a hit: how sure it is, the lines that prove it, the IKE state and
// a one-sentence summary. The rule table is the one place that says what
// a combination of facts means; a new failure signature is a new event
// kind in a vendor table plus, when it means something new, one entry here.
type rule struct {
	id    string
	cause string
	match func(v *view) *hit
}

type hit struct {
	conf    float64
	refs    []facts.Ref
	state   string
	summary string
	// next, when set, is put first in the fix list: the command whose
	// output would settle a thin diagnosis.
	next string
	// peer names the peer when the view has none (a crypto map's peer).
	peer string
}

// rules, roughly in protocol order. Every rule can fire; the report puts
// the earliest failing phase first.
var rules = []rule{
	// ---- phase 1: IKE never starts ----
	{"crypto-map-not-applied", CauseNoInterestingTraffic, ruleNoCryptoMap},
	{"no-ike-at-all", CauseNoInterestingTraffic, ruleNothingStarted},
	// ---- phase 1: no answer ----
	{"peer-silent", CausePeerUnreachable, rulePeerSilent},
	// ---- phase 1: negotiation ----
	{"ike-proposal", CauseIKEProposalMismatch, ruleIKEProposal},
	{"ike-version", CauseIKEVersionMismatch, ruleSimple(facts.EvVersionMismatch, 0.85, "%s speaks a different IKE version than this side (IKEv1 against IKEv2).", "", facts.EvP1Complete)},
	{"missing-peer-config", CauseMissingPeerConfig, ruleMissingPeer},
	{"psk", CausePSKMismatch, rulePSK},
	{"id", CauseIDMismatch, ruleSimple(facts.EvIDMismatch, 0.85, "The IKE identity %s presents is not the one this side expects.", "", facts.EvP1Complete, facts.EvAuthOK)},
	{"cert", CauseCertInvalid, ruleSimple(facts.EvCertInvalid, 0.85, "Certificate authentication with %s fails: the certificate is expired, not yet valid, revoked or not trusted.", "", facts.EvP1Complete, facts.EvAuthOK)},
	{"nat-t", CauseNATTIssue, ruleNATT},
	{"xauth", CauseXauthFailure, ruleXauth},
	{"mode-config", CauseModeConfigFailure, ruleSimple(facts.EvModeCfgFailed, 0.9, "Mode config for %s fails: no address could be assigned from the pool (or the group policy has none).", "")},
	// ---- phase 2 ----
	{"proxy", CauseTrafficSelectorMismatch, ruleProxy},
	{"acl-mirror", CauseTrafficSelectorMismatch, ruleACLMirror},
	{"pfs", CausePFSMismatch, rulePFS},
	{"esp-proposal", CauseESPProposalMismatch, ruleESP},
	// ---- data plane ----
	{"dpd", CauseDPDPeerDead, ruleDPD},
	{"one-way-inbound", CauseOneWayInbound, ruleOneWayInbound},
	{"one-way-outbound", CauseOneWayOutbound, ruleOneWayOutbound},
	{"replay", CauseAntiReplayDrops, ruleReplay},
	{"mtu", CauseMTUFragmentation, ruleMTU},
	{"lifetime", CauseLifetimeMismatch, ruleLifetime},
	// ---- healthy ----
	{"healthy", CauseHealthy, ruleHealthy},
}

func refsOf(evs []facts.Event, max int) []facts.Ref {
	var out []facts.Ref
	var seen map[int]bool // once out is long; before, out is searched
	for _, ev := range evs {
		if seen != nil && seen[ev.Ref.Line] || seen == nil && hasRefLine(out, ev.Ref.Line) {
			continue
		}
		out = append(out, ev.Ref)
		if len(out) == max {
			break
		}
		if seen == nil && len(out) > 16 {
			seen = map[int]bool{}
			for _, r := range out {
				seen[r.Line] = true
			}
		} else if seen != nil {
			seen[ev.Ref.Line] = true
		}
	}
	return out
}

func hasRefLine(refs []facts.Ref, line int) bool {
	for _, r := range refs {
		if r.Line == line {
			return true
		}
	}
	return false
}

// firstLast keeps the first and the last few events: the start of a
// failure and its latest repetition are what an engineer wants to see.
func firstLast(evs []facts.Event, n int) []facts.Event {
	if len(evs) <= 2*n {
		return evs
	}
	return append(append([]facts.Event{}, evs[:n]...), evs[len(evs)-n:]...)
}

func peerName(p string) string {
	if p == "" {
		return "the peer"
	}
	return "peer " + p
}

func capital(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// ruleSimple: one event kind is the proof, unless a success kind follows.
func ruleSimple(kind facts.EventKind, conf float64, summary, next string, success ...facts.EventKind) func(v *view) *hit {
	return func(v *view) *hit {
		evs := v.unresolved([]facts.EventKind{kind}, success...)
		if len(evs) == 0 {
			return nil
		}
		return &hit{conf: conf, refs: refsOf(firstLast(evs, 2), 4), summary: capital(fmt.Sprintf(summary, peerName(v.peer))), next: next}
	}
}

// ---- phase 1 ----

func ruleNoCryptoMap(v *view) *hit {
	if evs := v.all(facts.EvNoCryptoMap); len(evs) > 0 {
		return &hit{conf: 0.85, refs: refsOf(evs, 2), summary: "IKE never starts: the crypto map or profile is not applied to an interface."}
	}
	for _, i := range unappliedMaps(v) {
		m := &v.f.CryptoMaps[i]
		if (v.peer == "" || containsStr(m.Peers, v.peer)) && !v.ikeUp() {
			peer := ""
			if len(m.Peers) > 0 {
				peer = m.Peers[0]
			}
			return &hit{conf: 0.85, refs: []facts.Ref{m.Ref}, peer: peer, summary: fmt.Sprintf("IKE never starts: crypto map %s is not applied to any interface, so no traffic triggers it.", m.Name)}
		}
	}
	return nil
}

// unappliedMaps lists the crypto maps shown applied to no interface (of
// a hub's many entries, usually none), worked out once per report.
func unappliedMaps(v *view) []int {
	if v.rc != nil && v.rc.unappliedDone {
		return v.rc.unapplied
	}
	var out []int
	for i := range v.f.CryptoMaps {
		if m := &v.f.CryptoMaps[i]; m.InterfacesShown && len(m.Interfaces) == 0 {
			out = append(out, i)
		}
	}
	if v.rc != nil {
		v.rc.unappliedDone, v.rc.unapplied = true, out
	}
	return out
}

// ruleNothingStarted: the SA tables are shown and are empty for the peer,
// and nothing in a debug says IKE was tried.
func ruleNothingStarted(v *view) *hit {
	if len(v.ike) > 0 || len(v.events) > 0 || v.ikeUp() {
		return nil
	}
	var refs []facts.Ref
	for kind, r := range v.f.Empty {
		if strings.Contains(kind, "isakmp") || strings.Contains(kind, "ikev") || strings.Contains(kind, "list-sas") || strings.Contains(kind, "ike") || strings.Contains(kind, "ipsec status") {
			refs = append(refs, r)
		}
	}
	// a crypto session the device calls DOWN: no IKE SA and no IPsec SA
	// (DOWN-NEGOTIATING is a negotiation under way, not this)
	for _, s := range v.sessions {
		if strings.EqualFold(strings.TrimSpace(s.Status), "DOWN") {
			refs = append(refs, s.Ref)
		} else {
			return nil
		}
	}
	idle := false
	for _, s := range v.ipsec {
		if s.HasSAs() || s.Counters.Encaps > 0 || s.Counters.Decaps > 0 {
			return nil // SAs or traffic on some proxy pair: IKE did start
		}
	}
	for _, s := range v.ipsec {
		c := s.Counters
		_, spiShown := s.Lines["outbound_spi"]
		// counters shown as zero (not left out) and the SA line saying
		// there is none: a filtered `| include caps` alone proves nothing
		if c.Encaps == 0 && c.Decaps == 0 && spiShown {
			idle = true
			if r, ok := s.Lines["encaps"]; ok {
				refs = append(refs, facts.Ref{Section: s.Ref.Section, Line: r})
			} else {
				refs = append(refs, s.Ref)
			}
		}
	}
	if len(refs) == 0 {
		return nil
	}
	conf := 0.5
	if idle {
		conf = 0.55
	}
	return &hit{conf: conf, refs: refs, summary: fmt.Sprintf("No IKE negotiation with %s has even started: nothing has sent traffic that matches the crypto ACL, or the crypto map / tunnel protection is not applied.", peerName(v.peer)),
		next: "Ping across the tunnel from an inside host (source matching the crypto ACL), then paste `show crypto isakmp sa`, `show crypto map` and `debug crypto isakmp`"}
}

var silentStates = map[string]bool{"MM_NO_STATE": true, "AG_NO_STATE": true, "MM1": true, "IKE_I_MM1": true, "IKE_SA_INIT": true, "": true, "MM_WAIT_MSG2": true, "CONNECTING": true, "IN-NEG": true}

func rulePeerSilent(v *view) *hit {
	if h := lastAttemptUnanswered(v); h != nil {
		return h
	}
	peerAnswered := v.peerAnswered()
	giveUp := v.all(facts.EvP1GiveUp)
	retrans := v.all(facts.EvP1Retransmit)
	sent := v.all(facts.EvP1Sent)
	var quietRetrans []facts.Event
	for _, ev := range retrans {
		if silentStates[ev.State] || firstSentStates[ev.State] {
			quietRetrans = append(quietRetrans, ev)
		}
	}
	pings := failedPings(v)
	if !peerAnswered && (len(giveUp) > 0 || len(quietRetrans) > 0) {
		evs := append(firstLast(append(sent[:min(len(sent), 1):min(len(sent), 1)], quietRetrans...), 2), giveUp...)
		refs := refsOf(evs, 5)
		refs = append(refs, pings...)
		return &hit{conf: 0.9, refs: refs, state: lastState(v), summary: fmt.Sprintf("%s never answers the first IKE packet: this side sends and retransmits on UDP/500 and nothing comes back.", capital(peerName(v.peer)))}
	}
	if !peerAnswered && len(sent) > 0 && !v.has(facts.EvP1NoProposal) && !v.has(facts.EvAuthFailed) {
		return &hit{conf: 0.6, refs: append(refsOf(sent, 2), pings...), state: lastState(v), summary: fmt.Sprintf("This side sent IKE to %s and the debug shows no answer yet.", peerName(v.peer)),
			next: "Paste a longer `debug crypto isakmp` (30 s or more): retransmissions with no 'received packet' confirm the peer never answers"}
	}
	if row, ok := v.stuckRow(); ok {
		st := strings.ToUpper(row.State)
		switch {
		case st == "MM_WAIT_MSG2":
			return &hit{conf: 0.75, refs: append([]facts.Ref{row.Ref}, pings...), state: row.State, summary: fmt.Sprintf("Stuck at MM_WAIT_MSG2: this side sent main mode message 1 to %s and never got message 2 back: no route, UDP/500 blocked, wrong peer address, IKE not enabled on the peer's outside interface, or the peer is down.", peerName(v.peer)),
				next: "On the peer, check `show crypto isakmp sa` for an entry from us; paste `debug crypto ikev1 127` (ASA) / `debug crypto isakmp` (IOS) from both ends"}
		case firstSentStates[st]:
			return &hit{conf: 0.6, refs: append([]facts.Ref{row.Ref}, pings...), state: row.State, summary: fmt.Sprintf("The IKE SA with %s is at %s: this side sent the first IKE message and has no answer: no route, UDP/500 blocked, wrong peer address, or the peer is down (a state seen just after starting the tunnel looks the same).", peerName(v.peer), row.State),
				next: "Paste the log of the negotiation: retransmissions with nothing received confirm the peer never answers"}
		case st == "MM_WAIT_MSG3":
			return &hit{conf: 0.55, refs: []facts.Ref{row.Ref}, state: row.State, summary: fmt.Sprintf("Stuck at MM_WAIT_MSG3: this side answered %s with message 2 and never got message 3: the reply does not reach the initiator (return route, a firewall in the path) or the initiator rejects it (vendor or version mismatch).", peerName(v.peer)),
				next: "Paste `debug crypto isakmp` from the initiator: if it never receives message 2, fix the return path"}
		case st == "IN-NEG" && (row.Encr == "" || strings.HasPrefix(strings.ToLower(row.Encr), "unknown")) && !v.has(facts.EvP1NoProposal):
			// IKEv2 SA in negotiation with no algorithm agreed: IKE_SA_INIT never completed
			return &hit{conf: 0.5, refs: append([]facts.Ref{row.Ref}, pings...), state: row.State, summary: fmt.Sprintf("The IKEv2 SA with %s is stuck IN-NEG with no algorithms agreed: IKE_SA_INIT never completed. Most often the peer does not answer (route, UDP/500 blocked, IKEv2 not enabled on the peer); an IKEv2 proposal mismatch looks the same in this table.", peerName(v.peer)),
				next: "Paste `debug crypto ikev2` while the tunnel tries to come up: only 'Sending Packet' and 'Retransmitting packet' means no answer, NO_PROPOSAL_CHOSEN or 'Failed to find a matching policy' a proposal mismatch"}
		case (st == "MM_NO_STATE" || st == "AG_NO_STATE") && !v.has(facts.EvP1NoProposal) && !v.has(facts.EvP1ProposalBad):
			return &hit{conf: 0.5, refs: append([]facts.Ref{row.Ref}, pings...), state: row.State, summary: fmt.Sprintf("The IKE SA with %s is stuck at %s: the first main mode exchange never completed. Most often the peer does not answer (route, UDP/500 blocked, crypto map not applied on the peer); a phase-1 policy mismatch looks the same in this table.", peerName(v.peer), row.State),
				next: "Paste `debug crypto isakmp` while the tunnel tries to come up: 'phase 1 SA policy not acceptable' means a policy mismatch, only 'sending packet' and 'retransmitting' means no answer"}
		}
	}
	return nil
}

// lastAttemptUnanswered: a strongSwan log whose newest IKE_SA initiation
// ("initiating IKE_SA") got no answer at all and was given up ("giving up
// after N retransmits", "establishing IKE_SA failed, peer not
// responding"), after earlier negotiations with the same peer that did get
// answers (a proposal refusal, even an established SA). The newest
// attempt is the state of the tunnel now, so this later, decisive
// observation outranks the earlier failures (its confidence is above
// theirs). Not when dead peer detection declared the peer dead before the
// attempt: then the attempt is charon restarting the tunnel and the DPD
// rule reports it.
// attemptStart: the first message of a negotiation, as charon's and
// pluto's logs tell it (pluto's EvP1Sent also marks Main Mode message 5).
func attemptStart(ev *facts.Event) bool {
	switch ev.Vendor {
	case facts.VendorStrongSwan:
		return true
	case facts.VendorLibreswan:
		return ev.State == "IKE_SA_INIT" || firstSentStates[ev.State]
	}
	return false
}

func lastAttemptUnanswered(v *view) *hit {
	// events are in input order except those a correlator derived, which
	// come last: the line numbers say what came after what
	var start *facts.Event
	for i := range v.events {
		if ev := &v.events[i]; ev.Kind == facts.EvP1Sent && attemptStart(ev) && (start == nil || ev.Ref.Line > start.Ref.Line) {
			start = ev
		}
	}
	if start == nil {
		return nil
	}
	var giveUp, retrans []facts.Event
	earlier := false
	for _, ev := range v.events {
		if ev.Ref.Line < start.Ref.Line {
			if ev.Kind == facts.EvDPDDead {
				return nil
			}
			earlier = earlier || slices.Contains(answerKinds, ev.Kind)
			continue
		}
		if ev.Ref.Line == start.Ref.Line {
			continue
		}
		switch {
		case ev.Kind == facts.EvP1GiveUp:
			giveUp = append(giveUp, ev)
		case ev.Kind == facts.EvP1Retransmit && (silentStates[ev.State] || firstSentStates[ev.State]):
			retrans = append(retrans, ev)
		case ev.Kind == facts.EvP1Retransmit, ev.Kind == facts.EvP1Sent, ev.Kind == facts.EvMsgOut:
		default:
			for _, k := range answerKinds {
				if ev.Kind == k {
					return nil // the peer answered this attempt
				}
			}
		}
	}
	// pluto starts a new attempt when it gives one up: a log that ends
	// while its newest one is retransmitted gave the earlier one up
	retrying := start.Vendor == facts.VendorLibreswan && len(retrans) > 0 && v.any(facts.EvP1GiveUp)
	if !earlier || len(giveUp) == 0 && !retrying {
		return nil // no answered negotiation before the attempt: the plain rule decides
	}
	sort.SliceStable(retrans, func(i, j int) bool { return retrans[i].Ref.Line < retrans[j].Ref.Line })
	evs := append(append([]facts.Event{*start}, firstLast(retrans, 1)...), giveUp...)
	state := "IKE_SA_INIT"
	if start.State != "" {
		state = start.State
	}
	return &hit{conf: 0.96, refs: refsOf(evs, 5), state: state, summary: fmt.Sprintf("%s no longer answers: the newest IKE_SA initiation was retransmitted until this side gave up, with nothing coming back (earlier negotiations in the log did get answers).", capital(peerName(v.peer)))}
}

// stuckRow is the IKE SA row stuck in a negotiating state, when no SA
// with the peer is up: beside a QM_IDLE / READY SA to the same peer, an
// MM_NO_STATE or MM_WAIT_MSG row is a rekey or a new attempt in flight,
// not a failure.
func (v *view) stuckRow() (facts.IKESA, bool) {
	if v.ikeUp() {
		return facts.IKESA{}, false
	}
	return v.ikeStateRow()
}

// answerKinds are events that only happen once the peer has answered.
var answerKinds = []facts.EventKind{
	facts.EvP1Received, facts.EvP1ProposalOK, facts.EvP1ProposalBad, facts.EvP1NoProposal, facts.EvP1AttrMismatch,
	facts.EvAuthFailed, facts.EvAuthOK, facts.EvNoPSK, facts.EvIDMismatch, facts.EvCertInvalid, facts.EvVersionMismatch,
	facts.EvNATDetected, facts.EvP1Complete, facts.EvP2Start, facts.EvP2ProposalOK, facts.EvP2ProposalBad,
	facts.EvP2NoProposal, facts.EvP2ProxyMismatch, facts.EvP2PFSMismatch, facts.EvP2PolicyRejected, facts.EvP2Complete,
	facts.EvXauthRetransmit, facts.EvXauthFailed, facts.EvXauthOK, facts.EvModeCfgFailed,
	facts.EvMsgIn, facts.EvNotifyIn,
}

// statesPastFirstReply: an IKE SA in one of these got at least one answer.
var statesPastFirstReply = map[string]bool{
	"MM_SA_SETUP": true, "MM_KEY_EXCH": true, "MM_KEY_AUTH": true, "AG_INIT_EXCH": true, "AG_AUTH": true,
	"MM_WAIT_MSG3": true, "MM_WAIT_MSG4": true, "MM_WAIT_MSG5": true, "MM_WAIT_MSG6": true,
}

// peerAnswered: the peer has sent anything at all.
func (v *view) peerAnswered() bool {
	if v.ikeUp() || v.any(answerKinds...) {
		return true
	}
	for _, s := range v.liveIKE() {
		if statesPastFirstReply[strings.ToUpper(s.State)] {
			return true
		}
	}
	// sending in MM_KEY_EXCH means messages 2 and 4 came back before
	for _, ev := range v.all(facts.EvP1Sent, facts.EvP1Retransmit) {
		if statesPastFirstReply[ev.State] || strings.HasPrefix(ev.State, "QM") {
			return true
		}
	}
	return false
}

func lastState(v *view) string {
	st := ""
	if ev, ok := v.lastWithState(facts.EvStateChange, facts.EvP1Retransmit, facts.EvP1Sent); ok {
		st = ev.State
	}
	if row, ok := v.ikeStateRow(); ok && st == "" {
		st = row.State
	}
	return st
}

func failedPings(v *view) []facts.Ref {
	var refs []facts.Ref
	for _, p := range v.f.Pings {
		if p.Percent == 0 && (p.Target == v.peer || len(v.f.Pings) == 1) {
			refs = append(refs, p.Ref)
		}
	}
	for _, ev := range v.all(facts.EvPingFailed) {
		refs = append(refs, ev.Ref)
	}
	return refs
}

func ruleIKEProposal(v *view) *hit {
	success := []facts.EventKind{facts.EvP1ProposalOK, facts.EvP1Complete, facts.EvAuthOK}
	none := v.unresolved([]facts.EventKind{facts.EvP1NoProposal}, success...)
	bad := v.unresolved([]facts.EventKind{facts.EvP1ProposalBad}, success...)
	attrs := v.unresolved([]facts.EventKind{facts.EvP1AttrMismatch}, success...)
	if len(none) == 0 && len(bad) == 0 && !namedMismatch(attrs) {
		return nil
	}
	if v.has(facts.EvNoPSK) && onlyAuthMismatch(attrs) {
		return nil // no key for the peer: pre-shared auth is refused because of that
	}
	detail := attrDetail(attrs)
	conf := 0.95
	if len(none) == 0 {
		conf = 0.75
	}
	alone := len(bad) == 0 && len(attrs) == 0
	for _, ev := range none {
		alone = alone && ev.State == notifyAlone
	}
	evs := append(firstLast(attrs, 1), firstLast(bad, 1)...)
	evs = append(evs, firstLast(none, 2)...)
	lists := proposalLists(v, firstLine(none, bad), "IKE:")
	if len(lists) < 2 {
		// IOS prints "Received Policies:" / "Expected Policies:" right
		// after its "Failed to find a matching policy"
		lists = proposalLists(v, 0, "IKE:")
	}
	sum := fmt.Sprintf("No common IKE phase-1 policy with %s", peerName(v.peer))
	if detail != "" {
		sum += ": " + detail
	} else if d := listsDetail(lists); d != "" {
		sum += ": " + d
	}
	sum += "."
	if alone {
		// a lone notify line: phase 1 only because nothing shows phase 1
		// completed, and a phase-2 refusal prints the same words
		conf = 0.7
		sum += " The paste shows no exchange around the NO_PROPOSAL_CHOSEN notify: it is read as phase 1 because no phase-1 completion is shown; in Quick Mode or CREATE_CHILD_SA the same notice is a phase-2 (ESP proposal) refusal."
	}
	return &hit{conf: conf, refs: refsOf(append(lists, evs...), 6), state: lastState(v), summary: sum}
}

// proposalLists are the supporting observations of a proposal refusal:
// the newest "received" and "configured" proposal lists of the protocol
// (strongSwan prints both when no proposal matched) before the line of
// the first refusal, in input order.
func proposalLists(v *view, before int, protocols ...string) []facts.Event {
	var recv, conf *facts.Event
	for i := len(v.events) - 1; i >= 0 && (recv == nil || conf == nil); i-- {
		ev := &v.events[i]
		if ev.Kind != facts.EvProposalList || before > 0 && ev.Ref.Line > before {
			continue
		}
		ok := false
		for _, p := range protocols {
			ok = ok || strings.HasPrefix(ev.Detail, p)
		}
		if !ok {
			continue
		}
		if ev.State == "received proposals" && recv == nil {
			recv = ev
		} else if ev.State == "configured proposals" && conf == nil {
			conf = ev
		}
	}
	var out []facts.Event
	for _, ev := range []*facts.Event{recv, conf} {
		if ev != nil {
			out = append(out, *ev)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Ref.Line < out[j].Ref.Line })
	return out
}

// listsDetail says what the two ends proposed, from proposalLists.
func listsDetail(lists []facts.Event) string {
	var recv, conf string
	for _, ev := range lists {
		if ev.State == "received proposals" {
			recv = ev.Detail
		} else {
			conf = ev.Detail
		}
	}
	switch {
	case recv != "" && conf != "":
		return "the peer proposes " + recv + ", this side is configured with " + conf
	case conf != "":
		return "the peer accepts none of this side's proposals (" + conf + ")"
	}
	return ""
}

// firstLine is the line of the earliest event in the lists, 0 when none.
func firstLine(lists ...[]facts.Event) int {
	first := 0
	for _, evs := range lists {
		for _, ev := range evs {
			if first == 0 || ev.Ref.Line < first {
				first = ev.Ref.Line
			}
		}
	}
	return first
}

// namedMismatch: a device line that names the refused attribute and both
// values (ASA 713257 "Phase 1 failure: Mismatched attribute types for
// class ...") decides the cause on its own.
func namedMismatch(attrs []facts.Event) bool {
	for _, a := range attrs {
		if strings.Count(a.Detail, "|") == 2 {
			return true
		}
	}
	return false
}

func onlyAuthMismatch(attrs []facts.Event) bool {
	if len(attrs) == 0 {
		return true
	}
	for _, a := range attrs {
		d := strings.ToLower(a.Detail)
		if !strings.Contains(d, "preshared") && !strings.Contains(d, "pre-shared") && !strings.Contains(d, "authentication") {
			return false
		}
	}
	return true
}

func attrDetail(attrs []facts.Event) string {
	seen := map[string]bool{}
	var parts, named []string
	for _, a := range attrs {
		d := strings.ToLower(strings.TrimSpace(a.Detail))
		if d == "" || seen[d] {
			continue
		}
		seen[d] = true
		if d == "invalid_ke_payload" {
			d = "the diffie-hellman group"
		}
		if f := strings.Split(strings.TrimSpace(a.Detail), "|"); len(f) == 3 {
			// class|received|configured, as ASA's 713257 names them
			class := strings.ToLower(f[0])
			if class == "group description" {
				class = "diffie-hellman group"
			}
			named = append(named, fmt.Sprintf("the %s differs (the peer offers %s, this side is configured for %s)", class, f[1], f[2]))
			continue
		}
		parts = append(parts, d)
	}
	out := ""
	if len(parts) > 0 {
		out = strings.Join(parts, ", ") + " offered does not match the local policy"
	}
	if len(named) > 0 {
		if out != "" {
			out += "; "
		}
		out += strings.Join(named, "; ")
	}
	return out
}

func ruleMissingPeer(v *view) *hit {
	if v.has(facts.EvVersionMismatch) {
		return nil // "no config" for a request of the other IKE version: the version rule reports it
	}
	if evs := v.unresolved([]facts.EventKind{facts.EvNoPSK}, facts.EvPSKFound, facts.EvAuthOK, facts.EvP1Complete); len(evs) > 0 {
		return &hit{conf: 0.9, refs: refsOf(firstLast(evs, 2), 4), state: lastState(v), summary: fmt.Sprintf("This side has no pre-shared key, tunnel-group or connection for %s, so it cannot authenticate it.", peerName(v.peer))}
	}
	if row, ok := v.stuckRow(); ok && strings.EqualFold(row.State, "MM_WAIT_MSG4") {
		return &hit{conf: 0.55, refs: []facts.Ref{row.Ref}, state: row.State, summary: fmt.Sprintf("Stuck at MM_WAIT_MSG4: this side sent its key material to %s and got nothing back: the peer has no tunnel-group / pre-shared key for this address (or a wrong peer address), or the keys differ.", peerName(v.peer)),
			next: "On the peer, check `show run tunnel-group <our address>` (ASA) or the keyring / `crypto isakmp key` (IOS) for our exact address; paste `debug crypto ikev1 127` from the peer"}
	}
	return nil
}

// firstSentStates: libreswan states that sent the first IKE message and
// wait for its answer.
var firstSentStates = map[string]bool{"STATE_MAIN_I1": true, "STATE_AGGR_I1": true, "STATE_V2_PARENT_I1": true, "STATE_PARENT_I1": true, "STATE_V2_IKE_SA_INIT_I": true}

// firstEncryptedStates: libreswan states that wait for the answer to the
// first encrypted message (pluto's "Possible authentication failure: no
// acceptable response to our first encrypted message"). A responder
// waiting in STATE_MAIN_R2 never got that message at all: with a wrong key
// it gets it and says it cannot read it.
var firstEncryptedStates = map[string]bool{"STATE_MAIN_I3": true}

func rulePSK(v *view) *hit {
	success := []facts.EventKind{facts.EvAuthOK, facts.EvP1Complete}
	fails := v.unresolved([]facts.EventKind{facts.EvAuthFailed}, success...)
	var strong, weak []facts.Event
	for _, ev := range fails {
		if ev.State == "weak" {
			weak = append(weak, ev)
		} else {
			strong = append(strong, ev)
		}
	}
	if len(strong) > 0 {
		return &hit{conf: 0.9, refs: refsOf(firstLast(strong, 2), 5), state: lastState(v), summary: fmt.Sprintf("Pre-shared key authentication with %s fails: the keys on the two ends differ (the peer's hash cannot be verified with ours).", peerName(v.peer))}
	}
	var keyRetrans []facts.Event
	for _, ev := range v.unresolved([]facts.EventKind{facts.EvP1Retransmit}, success...) {
		if strings.Contains(ev.State, "KEY_EXCH") || strings.Contains(ev.State, "MSG5") || strings.Contains(ev.State, "MSG6") || strings.Contains(ev.State, "AG_INIT") || firstEncryptedStates[ev.State] {
			keyRetrans = append(keyRetrans, ev)
		}
	}
	if len(keyRetrans) > 0 {
		return &hit{conf: 0.75, refs: refsOf(firstLast(keyRetrans, 2), 4), state: keyRetrans[len(keyRetrans)-1].State, summary: fmt.Sprintf("Phase 1 with %s stops at the key exchange and is retransmitted: authentication fails, most likely the pre-shared keys differ.", peerName(v.peer)),
			next: "Paste `debug crypto isakmp` from the responder: 'reserved not zero on ID payload' or IKMP_BAD_MESSAGE confirms the key mismatch"}
	}
	if len(weak) > 0 && !v.ikeUp() {
		return &hit{conf: 0.6, refs: refsOf(weak, 3), state: lastState(v), summary: fmt.Sprintf("Encrypted IKE packets from %s cannot be matched to an SA: typically the pre-shared keys differ.", peerName(v.peer)), next: "Compare the pre-shared keys for this peer on both ends"}
	}
	if row, ok := v.stuckRow(); ok {
		st := strings.ToUpper(row.State)
		switch st {
		case "MM_KEY_EXCH", "AG_INIT_EXCH":
			return &hit{conf: 0.6, refs: []facts.Ref{row.Ref}, state: row.State, summary: fmt.Sprintf("The IKE SA with %s is stuck at %s: keys were exchanged but the peers never authenticated each other, most likely a pre-shared key mismatch (for certificates: validity, clock or revocation).", peerName(v.peer), row.State),
				next: "Paste `debug crypto isakmp` while the tunnel comes up: 'reserved not zero on ID payload' / IKMP_BAD_MESSAGE confirms a key mismatch"}
		case "MM_WAIT_MSG5", "MM_WAIT_MSG6", "STATE_MAIN_I3":
			return &hit{conf: 0.55, refs: []facts.Ref{row.Ref}, state: row.State, summary: fmt.Sprintf("Stuck at %s: the pre-shared key hashes exchanged with %s do not verify, so the keys most likely differ (or NAT-T is on where it must be off).", row.State, peerName(v.peer)),
				next: "Paste `debug crypto ikev1 127` (ASA) or `debug crypto isakmp` (IOS) from both ends; if the state flips to MM_WAIT_MSG6 and resets, look at phase 2 instead"}
		}
	}
	return nil
}

// ruleNATT: NAT traversal trouble. Explicit messages, or a NAT detected
// and then silence once IKE moved to UDP/4500 (the peer answered on 500).
func ruleNATT(v *view) *hit {
	if evs := v.unresolved([]facts.EventKind{facts.EvNATTProblem}, facts.EvP1Complete); len(evs) > 0 {
		return &hit{conf: 0.8, refs: refsOf(evs, 3), summary: fmt.Sprintf("NAT traversal with %s is wrong: on where it should be off, off with a NAT in the path, or UDP/4500 blocked.", peerName(v.peer))}
	}
	nat := v.all(facts.EvNATDetected)
	if len(nat) == 0 || v.lastLine(facts.EvP1Complete, facts.EvAuthOK) > nat[0].Ref.Line {
		return nil
	}
	natLine := nat[0].Ref.Line
	var after []facts.Event
	received := false
	for _, ev := range v.events {
		if ev.Ref.Line <= natLine {
			continue
		}
		switch ev.Kind {
		case facts.EvP1Received:
			// charon moves to UDP/4500 once it sees a NAT: a packet that
			// still comes from port 500 may be the peer repeating its
			// earlier answer; what charon made of it says (below)
			received = received || !(swan(ev.Vendor) && ev.Detail == "500")
		case facts.EvMsgIn:
			received = received || ev.State != "retransmitted response"
		case facts.EvMsgFailed, facts.EvNotifyIn:
			received = true // a new message, even one that could not be read
		case facts.EvP1Retransmit, facts.EvP1GiveUp:
			after = append(after, ev)
		case facts.EvP1Sent:
			if ev.Detail == "4500" {
				after = append(after, ev)
			}
		}
	}
	if len(after) > 0 && !received {
		return &hit{conf: 0.8, refs: refsOf(append(nat[:1:1], firstLast(after, 2)...), 5), state: lastState(v), summary: fmt.Sprintf("A NAT was detected between this side and %s; once IKE moved to UDP/4500 the peer stopped answering: UDP/4500 is blocked on the path, or NAT-T is off on the peer.", peerName(v.peer))}
	}
	if row, ok := v.stuckRow(); ok && (strings.EqualFold(row.State, "MM_WAIT_MSG5") || strings.EqualFold(row.State, "MM_WAIT_MSG6")) {
		return &hit{conf: 0.6, refs: []facts.Ref{nat[0].Ref, row.Ref}, state: row.State, summary: fmt.Sprintf("Stuck at %s with a NAT detected between this side and %s: NAT traversal is on where it must be off (or off where it must be on), or UDP/4500 is blocked.", row.State, peerName(v.peer)),
			next: "Check NAT-T on both ends (`crypto isakmp nat-traversal`), and UDP/4500 on the path; if NAT-T matches, compare the pre-shared keys"}
	}
	return nil
}

func ruleXauth(v *view) *hit {
	if evs := v.unresolved([]facts.EventKind{facts.EvXauthFailed}, facts.EvXauthOK); len(evs) > 0 {
		return &hit{conf: 0.9, refs: refsOf(firstLast(evs, 2), 4), state: "CONF_XAUTH", summary: fmt.Sprintf("Extended authentication (XAUTH) of the user at %s fails: the user name or password is rejected.", peerName(v.peer))}
	}
	if evs := v.unresolved([]facts.EventKind{facts.EvXauthRetransmit}, facts.EvXauthOK); len(evs) > 0 {
		conf := 0.7
		if v.counts[facts.EvXauthRetransmit] >= 2 {
			conf = 0.8
		}
		return &hit{conf: conf, refs: refsOf(firstLast(evs, 2), 4), state: "CONF_XAUTH", summary: fmt.Sprintf("This side keeps re-asking %s for XAUTH credentials (retransmitting CONF_XAUTH): the user never answers or the answer is rejected.", peerName(v.peer))}
	}
	return nil
}

// ---- phase 2 ----

// notStrongswan drops strongSwan's and libreswan's events: a Quick Mode
// request they retransmitted without an answer says only that the peer did
// not answer it (the peer may have failed after accepting it), no contract
// cause.
func notStrongswan(evs []facts.Event) []facts.Event {
	var out []facts.Event
	for _, ev := range evs {
		if !swan(ev.Vendor) {
			out = append(out, ev)
		}
	}
	return out
}

func ruleProxy(v *view) *hit {
	evs := v.unresolved([]facts.EventKind{facts.EvP2ProxyMismatch}, facts.EvP2Complete)
	if len(evs) == 0 {
		return nil
	}
	conf := 0.9
	sum := fmt.Sprintf("Phase 2 with %s is refused because the crypto ACLs (proxy identities / traffic selectors) on the two ends are not mirror images.", peerName(v.peer))
	allClear := true
	for _, ev := range evs {
		if ev.State != "cleartext" {
			allClear = false
		}
	}
	if allClear {
		conf = 0.6
		sum = fmt.Sprintf("%s sends in the clear traffic that this side's crypto ACL says must be encrypted: the crypto ACLs differ between the ends.", capital(peerName(v.peer)))
	}
	refs := refsOf(firstLast(evs, 2), 4)
	refs = append(refs, identRefs(v)...)
	return &hit{conf: conf, refs: refs, summary: sum}
}

func identRefs(v *view) []facts.Ref {
	var refs []facts.Ref
	for _, s := range v.ipsec {
		for _, k := range []string{"local_ident", "remote_ident"} {
			if n, ok := s.Lines[k]; ok {
				refs = append(refs, facts.Ref{Section: s.Ref.Section, Line: n})
			}
		}
		if len(refs) >= 2 {
			break
		}
	}
	return refs
}

// ruleACLMirror: two crypto ACLs in one paste (one per end) that should be
// mirror images and are not.
func ruleACLMirror(v *view) *hit {
	// it reads the facts, not the peer: worked out once per report
	if v.rc == nil {
		return aclMirror(v.f)
	}
	return v.rc.acl.get(v.f, aclMirror)
}

func aclMirror(f *facts.Facts) *hit {
	rules := aclRules(f)
	if len(rules) < 2 {
		return nil
	}
	byList := map[string][]aclRule{}
	var order []string
	for _, r := range rules {
		if _, ok := byList[r.list]; !ok {
			order = append(order, r.list)
		}
		byList[r.list] = append(byList[r.list], r)
	}
	if len(order) < 2 {
		return nil
	}
	for i := 0; i < len(order); i++ {
		for j := i + 1; j < len(order); j++ {
			a, b := byList[order[i]], byList[order[j]]
			if mirrored(a, b) {
				continue
			}
			// only lists that share a network are two ends of one tunnel
			if !shareNet(a, b) {
				continue
			}
			ra, rb := a[0], b[0]
			return &hit{conf: 0.75, refs: []facts.Ref{ra.ref, rb.ref},
				summary: fmt.Sprintf("The crypto ACLs are not mirror images: %s protects %s -> %s, but %s protects %s -> %s (it should be %s -> %s).", ra.list, ra.src, ra.dst, rb.list, rb.src, rb.dst, ra.dst, ra.src)}
		}
	}
	return nil
}

func rulePFS(v *view) *hit {
	if evs := v.unresolved([]facts.EventKind{facts.EvP2PFSMismatch}, facts.EvP2Complete); len(evs) > 0 {
		sum := fmt.Sprintf("Phase 2 with %s fails on PFS: one end requires perfect forward secrecy (or another DH group) and the other does not", peerName(v.peer))
		if evs[0].Detail != "" && evs[0].Vendor == facts.VendorStrongSwan {
			sum += " (" + evs[0].Detail + ")"
		}
		lists := proposalLists(v, firstLine(evs), "ESP:", "AH:")
		return &hit{conf: 0.85, refs: refsOf(append(lists, evs...), 4), summary: sum + "."}
	}
	offered := v.all(facts.EvP2PFSOffered)
	rejected := v.unresolved([]facts.EventKind{facts.EvP2ProposalBad, facts.EvP2PolicyRejected, facts.EvP2NoProposal, facts.EvP2Failed}, facts.EvP2Complete)
	if len(offered) == 0 || len(rejected) == 0 {
		return nil
	}
	for _, m := range v.f.CryptoMaps {
		if strings.EqualFold(m.PFS, "N") && (v.peer == "" || containsStr(m.Peers, v.peer)) {
			refs := append(refsOf(offered, 1), m.Ref)
			refs = append(refs, refsOf(rejected, 2)...)
			return &hit{conf: 0.8, refs: refs, summary: fmt.Sprintf("%s proposes PFS (DH group %s) in quick mode, but this side's crypto map has PFS off, so the proposal is refused.", capital(peerName(v.peer)), offered[0].Detail)}
		}
	}
	return nil
}

func ruleESP(v *view) *hit {
	if len(v.unresolved([]facts.EventKind{facts.EvP2PFSMismatch}, facts.EvP2Complete)) > 0 {
		return nil // the device named PFS as the reason: the pfs rule reports it
	}
	strong := v.unresolved([]facts.EventKind{facts.EvP2ProposalBad, facts.EvP2NoProposal}, facts.EvP2Complete)
	if len(strong) > 0 {
		conf := 0.9
		allNotify := true
		for _, ev := range strong {
			if ev.Kind != facts.EvP2NoProposal || ev.Vendor == facts.VendorASA {
				allNotify = false
			}
		}
		if allNotify {
			conf = 0.75
		}
		evs := append(strong, v.unresolved([]facts.EventKind{facts.EvP2PolicyRejected, facts.EvP2Failed}, facts.EvP2Complete)...)
		detail := ""
		for _, ev := range strong {
			if strings.HasPrefix(ev.Detail, "{") {
				detail = " (proposed " + ev.Detail + ")"
				break
			}
		}
		lists := proposalLists(v, firstLine(strong), "ESP:", "AH:")
		if d := listsDetail(lists); d != "" && detail == "" {
			detail = " (" + d + ")"
		}
		return &hit{conf: conf, refs: refsOf(append(lists, firstLast(evs, 2)...), 6), state: "QM_IDLE", summary: fmt.Sprintf("Phase 1 with %s is up, but no transform set / ESP proposal matches%s, so no IPsec SA is built.", peerName(v.peer), detail)}
	}
	weak := v.unresolved([]facts.EventKind{facts.EvP2PolicyRejected, facts.EvP2Failed}, facts.EvP2Complete)
	if len(weak) > 0 {
		conf := 0.6
		if v.has(facts.EvP2Failed) {
			conf = 0.7
		}
		return &hit{conf: conf, refs: refsOf(firstLast(weak, 2), 4), state: "QM_IDLE", summary: fmt.Sprintf("Quick mode (phase 2) with %s fails: the peers cannot agree on an IPsec SA, most often because the transform sets differ (crypto ACLs or PFS are the other suspects).", peerName(v.peer)),
			next: "Paste `debug crypto ipsec` with `debug crypto isakmp` while the tunnel comes up, and `show crypto ipsec transform-set` + `show crypto map` from both peers"}
	}
	if r := notStrongswan(v.unresolved([]facts.EventKind{facts.EvP2Retransmit}, facts.EvP2Complete)); len(r) > 0 {
		return &hit{conf: 0.5, refs: refsOf(firstLast(r, 2), 4), state: "QM_IDLE", summary: fmt.Sprintf("Quick mode requests to %s are retransmitted without an answer: the peer silently refuses the phase-2 proposal.", peerName(v.peer)),
			next: "Paste the peer's `debug crypto isakmp` / `debug crypto ipsec`: it names the transform, ACL or PFS it refuses"}
	}
	// show outputs only: IKE is up and the device prints that there is no
	// IPsec SA (current outbound spi 0x0) with nothing ever encrypted or
	// decrypted. A block without its SPI line (`| include peer|pkts`, a
	// partial paste) says nothing about the SAs: absence is not evidence.
	if v.ikeUp() && len(v.ipsec) > 0 && !v.has(facts.EvP2Complete) {
		var refs []facts.Ref
		for _, s := range v.ipsec {
			n, shown := s.Lines["outbound_spi"]
			if s.HasSAs() || !shown || s.Counters.Encaps > 0 || s.Counters.Decaps > 0 {
				return nil
			}
			refs = append(refs, facts.Ref{Section: s.Ref.Section, Line: n})
		}
		if row, ok := v.ikeStateRow(); ok {
			refs = append([]facts.Ref{row.Ref}, refs...)
		}
		return &hit{conf: 0.4, refs: refs, state: lastState(v), summary: fmt.Sprintf("Phase 1 with %s is up but there is no IPsec SA: phase 2 is refused, because the transform sets, the crypto ACLs or PFS differ.", peerName(v.peer)),
			next: "Paste `debug crypto ipsec` and `debug crypto isakmp` while traffic tries to cross, or both ends' `show crypto map` and `show crypto ipsec transform-set`"}
	}
	return nil
}

// ---- data plane ----

func ruleDPD(v *view) *hit {
	// A death the tunnel came back from, with the IKE SA table showing it
	// up now, is history: the current tables tell the tunnel's state.
	if evs := v.all(facts.EvDPDDead); len(evs) > 0 && !(v.lastLine(facts.EvP1Complete) > evs[len(evs)-1].Ref.Line && v.ikeUp()) {
		conf := 0.9
		if v.lastLine(facts.EvP1Complete) > evs[len(evs)-1].Ref.Line {
			conf = 0.5 // the tunnel came back after it
		}
		misses := v.all(facts.EvDPDMiss)
		refs := refsOf(append(firstLast(misses, 1), evs...), 4)
		return &hit{conf: conf, refs: refs, state: lastState(v), summary: fmt.Sprintf("Dead peer detection declared %s gone: keepalives went unanswered and the SAs were torn down.", peerName(v.peer))}
	}
	// retransmissions given up after the IKE SA was established: the
	// peer died under a working tunnel (DPD or rekey got no answer)
	if up := v.lastLine(facts.EvP1Complete); up > 0 {
		var late []facts.Event
		for _, ev := range v.all(facts.EvP1GiveUp) {
			if ev.Ref.Line > up && ev.State != "QUICK_MODE" {
				late = append(late, ev)
			}
		}
		if len(late) > 0 {
			var retr []facts.Event
			for _, ev := range v.all(facts.EvP1Retransmit, facts.EvDPDMiss) {
				if ev.Ref.Line > up {
					retr = append(retr, ev)
				}
			}
			return &hit{conf: 0.85, refs: refsOf(append(firstLast(retr, 1), late...), 4), state: lastState(v), summary: fmt.Sprintf("%s stopped answering after the tunnel was up: keepalive / DPD requests were retransmitted until this side gave up and closed the SAs.", capital(peerName(v.peer)))}
		}
	}
	if misses := v.all(facts.EvDPDMiss); (len(misses) >= 2 || (len(misses) > 0 && v.counts[facts.EvDPDMiss] >= 2)) && !isolatedMisses(misses) {
		return &hit{conf: 0.7, refs: refsOf(firstLast(misses, 2), 4), summary: fmt.Sprintf("DPD keepalives to %s go unanswered: the peer is down or unreachable.", peerName(v.peer))}
	}
	// no DPD configured: the peer is gone but the SAs stay up
	if pings := failedPings(v); len(pings) > 0 && v.ikeUp() {
		for _, s := range v.ipsec {
			c := s.Counters
			if c.Encaps > 0 && c.Decaps >= 0 && c.Decaps*10 < c.Encaps {
				refs := append(pings, counterRefs(s, "encaps", "decaps")...)
				noDPD := ""
				for _, r := range v.liveIKE() {
					if !r.DPD {
						noDPD = " DPD is not enabled, so the SAs stay up although the peer is gone."
						refs = append(refs, r.Ref)
						break
					}
				}
				return &hit{conf: 0.65, refs: refs, summary: fmt.Sprintf("%s does not answer pings while this side keeps encrypting towards it (%d encaps, %d decaps).%s", capital(peerName(v.peer)), c.Encaps, c.Decaps, noDPD)}
			}
		}
	}
	return nil
}

// isolatedMisses: every DPD miss shown is the first of its run ("error
// counter (1/5)"): each keepalive lost was answered at the next try, which
// is trace noise on a working tunnel, not a dead peer.
func isolatedMisses(misses []facts.Event) bool {
	for _, ev := range misses {
		n, _, ok := strings.Cut(ev.Detail, "/")
		if !ok || n != "1" {
			return false
		}
	}
	return true
}

func counterRefs(s facts.IPsecSA, keys ...string) []facts.Ref {
	var refs []facts.Ref
	for _, k := range keys {
		if n, ok := s.Lines[k]; ok && !hasRefLine(refs, n) {
			refs = append(refs, facts.Ref{Section: s.Ref.Section, Line: n})
		}
	}
	if len(refs) == 0 {
		refs = append(refs, s.Ref)
	}
	return refs
}

// routeBased: the traffic selectors are any to any, as on a virtual tunnel
// interface: what enters the tunnel is chosen by routing, and an SA that
// only decrypts means nothing is routed into the tunnel (probes and
// one-way flows from the peer are normal there), not a broken return path
// unless the paste shows the route missing. Crypto ACLs that name
// networks expect their mirror traffic back.
func routeBased(local, remote string) bool {
	return anyNet(local) && anyNet(remote)
}

func anyNet(s string) bool {
	s = strings.TrimSpace(strings.Trim(s, "()"))
	return s == "any" || strings.HasPrefix(s, "0.0.0.0/0.0.0.0") || strings.HasPrefix(s, "0.0.0.0/0") || strings.HasPrefix(s, "::/0")
}

// flowRouteBased reads a session's "permit ip 0.0.0.0/0.0.0.0 0.0.0.0/0.0.0.0".
func flowRouteBased(flow string) bool {
	f := strings.Fields(flow)
	return len(f) >= 4 && routeBased(f[len(f)-2], f[len(f)-1])
}

func ruleOneWayInbound(v *view) *hit {
	for _, s := range v.ipsec {
		c := s.Counters
		if c.Decaps > inFlightPackets && c.Encaps == 0 && (!routeBased(s.LocalIdent, s.RemoteIdent) || len(missingRoutes(v)) > 0) {
			refs := counterRefs(s, "encaps", "decaps")
			sum := fmt.Sprintf("Traffic from %s is decrypted (%d decaps) but nothing is encrypted back (0 encaps): this side does not send the return traffic into the tunnel.", peerName(v.peer), c.Decaps)
			conf := 0.8
			if rr := missingRoutes(v); len(rr) > 0 {
				refs = append(refs, rr...)
				conf = 0.95
				sum += " The route to the remote protected network is missing (no reverse route)."
			}
			return &hit{conf: conf, refs: refs, summary: sum}
		}
	}
	for _, s := range v.sessions {
		for _, fl := range s.Flows {
			if fl.PktsDecrypted > inFlightPackets && fl.PktsEncrypted == 0 && (!flowRouteBased(fl.Flow) || len(missingRoutes(v)) > 0) {
				refs := []facts.Ref{fl.Ref}
				conf := 0.75
				sum := fmt.Sprintf("Traffic from %s is decrypted (%d packets) but nothing is encrypted back.", peerName(v.peer), fl.PktsDecrypted)
				if rr := missingRoutes(v); len(rr) > 0 {
					refs = append(refs, rr...)
					conf = 0.9
					sum += " The route to the remote protected network is missing (no reverse route)."
				}
				return &hit{conf: conf, refs: refs, summary: sum}
			}
		}
	}
	return nil
}

func missingRoutes(v *view) []facts.Ref {
	// it reads the facts, not the peer: worked out once per report
	if rc := v.rc; rc != nil {
		if !rc.routesDone {
			rc.routesDone, rc.routes = true, noRoutes(v.f)
		}
		return rc.routes[:len(rc.routes):len(rc.routes)]
	}
	return noRoutes(v.f)
}

func noRoutes(f *facts.Facts) []facts.Ref {
	var refs []facts.Ref
	for _, r := range f.Routes {
		if !r.Found {
			refs = append(refs, r.Ref)
		}
	}
	for _, ev := range f.Events {
		if ev.Kind == facts.EvNoRoute {
			refs = append(refs, ev.Ref)
		}
	}
	return refs
}

// ruleOneWayOutbound: encaps and no decaps. One packet counted one way
// with nothing the other is what a new SA shows between a ping request's
// encryption and its reply's decryption: one-way needs more than a single
// in-flight exchange can explain (inFlightPackets, as between two counter
// reads); so does ruleOneWayInbound.
func ruleOneWayOutbound(v *view) *hit {
	for _, s := range v.ipsec {
		c := s.Counters
		if c.Encaps > inFlightPackets && c.Decaps == 0 {
			return &hit{conf: 0.8, refs: counterRefs(s, "encaps", "decaps"), summary: fmt.Sprintf("This side encrypts traffic to %s (%d encaps) but decrypts nothing back (0 decaps): the peer does not return traffic into the tunnel (its routing, NAT exemption or ACL), or ESP is dropped on the way.", peerName(v.peer), c.Encaps)}
		}
	}
	for _, s := range v.sessions {
		for _, fl := range s.Flows {
			if fl.PktsEncrypted > inFlightPackets && fl.PktsDecrypted == 0 {
				return &hit{conf: 0.75, refs: []facts.Ref{fl.Ref}, summary: fmt.Sprintf("This side encrypts traffic to %s (%d packets) but decrypts nothing back.", peerName(v.peer), fl.PktsEncrypted)}
			}
		}
	}
	return nil
}

// noiseRate is the error rate below which an error counter is trace noise
// on a working tunnel, not a finding: fewer than one error per noiseRate
// packets of the kind it is counted against (replay failures and receive
// errors against decapsulated packets, pre-fragmentation failures against
// encapsulated ones). One replay failure among twelve million decrypted
// packets is a late packet at a rekey; a thousand among two thousand is
// reordering that breaks traffic. One per thousand (0.1%) is about where
// loss starts to be felt by TCP; below it the tunnel is healthy.
const noiseRate = 1000

// significant: errs is a finding against total packets. With the total not
// shown (a filtered paste), the count alone must be more than noise: at
// least noiseFloor errors.
func significant(errs, total int64) bool {
	if errs <= 0 {
		return false
	}
	if total < 0 {
		return errs >= noiseFloor
	}
	return errs*noiseRate >= total
}

// noiseFloor is the error count that is a finding when the packet count it
// would be weighed against is not in the paste.
const noiseFloor = 100

func ruleReplay(v *view) *hit {
	noise := false // the counters shown put replay failures below noiseRate
	for _, s := range v.ipsec {
		c := s.Counters
		if c.ReplayFailed > 0 && !significant(c.ReplayFailed, c.Decaps) {
			noise = true
		}
		if significant(c.ReplayFailed, c.Decaps) {
			return &hit{conf: 0.9, refs: counterRefs(s, "replay_failed", "decaps"), summary: fmt.Sprintf("%d packets from %s were dropped by the anti-replay check (%d decrypted): packets arrive reordered beyond the replay window, usually QoS on the encrypting side or in transit.", c.ReplayFailed, peerName(v.peer), c.Decaps)}
		}
	}
	if noise {
		return nil // the log lines are the same few drops the counters weigh
	}
	if evs := v.all(facts.EvReplay); len(evs) > 0 {
		if v.counts[facts.EvReplay] == 1 && v.ikeUp() {
			return nil // one replay drop in a log of a working tunnel: noise
		}
		return &hit{conf: 0.85, refs: refsOf(firstLast(evs, 2), 4), summary: fmt.Sprintf("Packets from %s fail the anti-replay check: they arrive reordered beyond the replay window.", peerName(v.peer))}
	}
	return nil
}

func ruleMTU(v *view) *hit {
	if evs := v.all(facts.EvFragNeeded); len(evs) > 0 {
		return &hit{conf: 0.7, refs: refsOf(firstLast(evs, 2), 4), summary: fmt.Sprintf("Packets to %s are dropped for size: fragmentation is needed and not done, or PMTU discovery is broken.", peerName(v.peer))}
	}
	for _, s := range v.ipsec {
		c := s.Counters
		if significant(c.PreFragFailures, c.Encaps) {
			return &hit{conf: 0.7, refs: counterRefs(s, "prefrag", "path_mtu"), summary: fmt.Sprintf("%d packets to %s failed pre-fragmentation: they are too big for the tunnel's path MTU.", c.PreFragFailures, peerName(v.peer))}
		}
		if c.RecvErrors > 0 && c.Decaps > 0 && c.RecvErrors*20 > c.Decaps {
			return &hit{conf: 0.35, refs: counterRefs(s, "recv_errors", "path_mtu"), summary: fmt.Sprintf("%d receive errors against %d decrypted packets from %s: often oversized or fragmented ESP packets.", c.RecvErrors, c.Decaps, peerName(v.peer)),
				next: "Paste `show crypto ipsec sa peer X detail` twice a minute apart and check which error counters grow"}
		}
	}
	return nil
}

func ruleLifetime(v *view) *hit {
	// it reads the facts, not the peer: worked out once per report (a
	// hub's configuration has as many crypto map entries as peers)
	if v.rc == nil {
		return lifetimes(v.f)
	}
	return v.rc.lifetime.get(v.f, lifetimes)
}

func lifetimes(f *facts.Facts) *hit {
	p1 := 0
	var p1ref facts.Ref
	for _, p := range f.Policies {
		if !p.Default && p.Lifetime > 0 && (p1 == 0 || p.Lifetime < p1) {
			p1, p1ref = p.Lifetime, p.Ref
		}
	}
	if p1 == 0 {
		return nil
	}
	for _, m := range f.CryptoMaps {
		secs := lifetimeSeconds(m.Lifetime)
		if secs > p1 {
			return &hit{conf: 0.45, refs: []facts.Ref{p1ref, m.Ref}, summary: fmt.Sprintf("The phase-1 lifetime (%d s) is shorter than the phase-2 lifetime of crypto map %s (%d s): phase 2 outlives the IKE SA that rekeys it, which can make the tunnel flap at rekey.", p1, m.Name, secs)}
		}
	}
	return nil
}

func lifetimeSeconds(s string) int {
	f := strings.Fields(strings.ReplaceAll(s, "/", " "))
	for i, w := range f {
		if strings.HasPrefix(w, "second") && i > 0 {
			n := 0
			fmt.Sscanf(f[i-1], "%d", &n)
			return n
		}
	}
	return 0
}

func ruleHealthy(v *view) *hit {
	if ikeDeletedSinceUp(v) || childUnansweredSinceUp(v) || peerRecreatesTunnel(v) || unreadableSinceUp(v) || installFailedSinceUp(v) || swanIKEBeingDeleted(v) || downSinceUp(v) {
		return nil
	}
	installed := false
	for _, s := range v.ipsec {
		if s.HasSAs() || s.Counters.Encaps > 0 && s.Counters.Decaps > 0 {
			installed = true // IPsec SAs exist (or carried traffic): phase 1 completed to build them
		}
	}
	for _, s := range v.sessions {
		if strings.HasPrefix(strings.ToUpper(s.Status), "UP-ACTIVE") {
			installed = true // the device's word for IKE and IPsec SAs up
		}
	}
	// IKE packets from the peer in an established state (QM_IDLE on IOS):
	// the IKE SA is up even where the debug never showed it come up
	var established []facts.Event
	for _, ev := range v.all(facts.EvP1Received) {
		if ev.State == "QM_IDLE" {
			established = append(established, ev)
		}
	}
	if !v.ikeUp() && !installed && len(established) == 0 {
		return nil
	}
	var refs []facts.Ref
	if row, ok := upRow(v); ok {
		refs = append(refs, row.Ref)
	}
	for _, s := range v.ipsec {
		c := s.Counters
		if c.Encaps > 0 && c.Decaps > 0 {
			refs = append(refs, counterRefs(s, "encaps", "decaps")...)
			return &hit{conf: 0.9, refs: refs, state: stateOf(v), summary: fmt.Sprintf("The tunnel to %s is up: IKE and IPsec SAs are established and traffic flows both ways (%d packets encrypted, %d decrypted).", peerName(v.peer), c.Encaps, c.Decaps)}
		}
	}
	for _, s := range v.sessions {
		for _, fl := range s.Flows {
			if fl.PktsEncrypted > 0 && fl.PktsDecrypted > 0 {
				refs = append(refs, fl.Ref)
				return &hit{conf: 0.85, refs: refs, state: stateOf(v), summary: fmt.Sprintf("The tunnel to %s is up: the session is active and traffic flows both ways.", peerName(v.peer))}
			}
		}
	}
	// a route-based tunnel that decrypts and sends nothing in: up, idle outbound
	for _, s := range v.ipsec {
		if c := s.Counters; c.Decaps > 0 && c.Encaps == 0 && routeBased(s.LocalIdent, s.RemoteIdent) {
			refs = append(refs, counterRefs(s, "encaps", "decaps")...)
			return &hit{conf: 0.6, refs: refs, state: stateOf(v), summary: routedNothingIn(v.peer, c.Decaps)}
		}
	}
	for _, s := range v.sessions {
		for _, fl := range s.Flows {
			if fl.PktsDecrypted > 0 && fl.PktsEncrypted == 0 && flowRouteBased(fl.Flow) && strings.HasPrefix(strings.ToUpper(s.Status), "UP") {
				refs = append(refs, s.Ref, fl.Ref)
				return &hit{conf: 0.6, refs: refs, state: stateOf(v), summary: routedNothingIn(v.peer, fl.PktsDecrypted)}
			}
		}
	}
	if p2 := v.all(facts.EvP2Complete); len(p2) > 0 {
		refs = append(refs, refsOf(p2, 2)...)
		return &hit{conf: 0.7, refs: refs, state: stateOf(v), summary: fmt.Sprintf("Phase 1 and phase 2 with %s complete: the IPsec SAs are built.", peerName(v.peer)),
			next: "To confirm traffic flows, paste `show crypto ipsec sa peer " + orX(v.peer) + "` and check that both encaps and decaps grow"}
	}
	// SAs installed, but the counters shown cannot tell both directions
	for _, s := range v.ipsec {
		if s.HasSAs() {
			refs = append(refs, counterRefs(s, "outbound_spi", "encaps", "decaps")...)
			return &hit{conf: 0.55, refs: refs, state: stateOf(v), summary: fmt.Sprintf("IPsec SAs with %s are installed; the counters shown do not prove traffic in both directions.", peerName(v.peer)),
				next: "Paste `show crypto ipsec sa peer " + orX(v.peer) + "` twice, a minute apart: both encaps and decaps should grow"}
		}
	}
	for _, s := range v.sessions {
		if strings.HasPrefix(strings.ToUpper(s.Status), "UP-ACTIVE") {
			refs = append(refs, s.Ref)
			return &hit{conf: 0.55, refs: refs, state: stateOf(v), summary: fmt.Sprintf("The crypto session with %s is UP-ACTIVE: IKE and IPsec SAs are up.", peerName(v.peer)),
				next: "Paste `show crypto ipsec sa peer " + orX(v.peer) + "`: encaps and decaps should both grow"}
		}
	}
	if len(refs) == 0 {
		// a debug or event trace that shows the IKE SA coming up, with no
		// failure after it (a failure rule would have fired)
		refs = refsOf(v.all(facts.EvP1Complete), 2)
	}
	if len(refs) == 0 {
		refs = refsOf(established, 2)
	}
	if len(refs) == 0 {
		// a crypto session whose IKE SA is active (UP-IDLE: no IPsec SA
		// until traffic matches; UP-NO-IKE is not up)
		for _, s := range v.sessions {
			if strings.HasPrefix(strings.ToUpper(s.Status), "UP") && strings.EqualFold(s.IKEState, "active") {
				refs = append(refs, s.Ref)
				break
			}
		}
	}
	if r, ok := emptyIPsecTable(v); ok && len(refs) > 0 && len(v.ipsec) == 0 {
		// "There are no ipsec sas": no failure shown, and none carries traffic
		return &hit{conf: 0.4, refs: append(refs, r), state: stateOf(v), summary: fmt.Sprintf("Phase 1 with %s is up, and the device shows no IPsec SA with it: none is built until traffic matches the crypto ACL, or phase 2 is refused.", peerName(v.peer)),
			next: "Send traffic that matches the crypto ACL across the tunnel, then paste `show crypto ipsec sa peer " + orX(v.peer) + "` and `debug crypto ipsec` (ASA: `debug crypto ikev1 127`) taken meanwhile"}
	}
	if len(refs) > 0 {
		return &hit{conf: 0.45, refs: refs, state: stateOf(v), summary: fmt.Sprintf("Phase 1 with %s is up; nothing here shows whether IPsec SAs carry traffic.", peerName(v.peer)),
			next: "Paste `show crypto ipsec sa peer " + orX(v.peer) + "`: encaps and decaps should both grow"}
	}
	return nil
}

func routedNothingIn(peer string, decrypted int64) string {
	return fmt.Sprintf("The tunnel to %s is up: IKE and IPsec SAs are established and %d packets from the peer were decrypted; nothing has been encrypted towards it yet. The traffic selectors are any-to-any (route-based), so routing decides what enters the tunnel: if traffic should already go through it, check the routes that point at the tunnel interface.", peerName(peer), decrypted)
}

// ikeDeletedSinceUp: a strongSwan log where the IKE SA was deleted (by
// the peer or this side) after it was last established and before any
// CHILD_SA was, and no SA table in the paste shows one up: the tunnel
// never came up (an IKEv1 responder whose peer deletes the SA it just
// established, having refused its certificate or identity, sees no more).
// A tunnel whose CHILD_SA was up and that was later closed (the peer shut
// down) is not that, unless the SA table shown beside the log is empty.
func ikeDeletedSinceUp(v *view) bool {
	up, child, del := swanLastLines(v, func(ev facts.Event) bool {
		return ev.Kind == facts.EvSADeleted && strings.HasPrefix(ev.State, "IKE_SA")
	})
	if del == 0 || del < up || child > up && child < del && !swanTablesEmpty(v) {
		return false
	}
	for _, s := range v.liveIKE() {
		if rowUp(s) {
			return false
		}
	}
	return true
}

// downSinceUp: a log line says the tunnel went down (IOS "Crypto tunnel
// is DOWN", ASA "SA DOWN" / "Session disconnected", Junos
// KMD_VPN_DOWN_ALARM_USER, FortiOS tunnel-down) after the last line that
// said it came up, and no SA table shows it up: the log's earlier up is
// not the state now.
func downSinceUp(v *view) bool {
	up, down := 0, 0
	for _, ev := range v.events {
		switch ev.Kind {
		case facts.EvP1Complete, facts.EvP2Complete:
			up = max(up, ev.Ref.Line)
		case facts.EvTunnelDown:
			down = max(down, ev.Ref.Line)
		}
	}
	if down == 0 || down < up {
		return false
	}
	for _, s := range v.liveIKE() {
		if rowUp(s) {
			return false
		}
	}
	for _, s := range v.ipsec {
		if s.HasSAs() {
			return false
		}
	}
	return true
}

// swanTablesEmpty: the paste shows strongSwan's SA table (swanctl
// --list-sas, ipsec status) with no SA at all and no table shows an
// IPsec SA: a closing the log shows after the CHILD_SA came up is the
// state now (a check reads the SAs, then the log, which is history).
func swanTablesEmpty(v *view) bool {
	_, listSAs := v.f.Empty[strongswan.KindListSAs]
	_, status := v.f.Empty[strongswan.KindIPsecStatus]
	if !listSAs && !status {
		return false
	}
	for _, s := range v.ipsec {
		if s.HasSAs() {
			return false
		}
	}
	return true
}

// childUnansweredSinceUp: a strongSwan log whose IKE SA last came up and
// whose Quick Mode request after that got no CHILD_SA (retransmitted, or
// still unanswered where the paste ends): phase 2 never completed, so the
// tunnel is not up, and the log does not say why.
func childUnansweredSinceUp(v *view) bool {
	up, child, qm := swanLastLines(v, func(ev facts.Event) bool {
		return ev.Kind == facts.EvP2Retransmit || ev.Kind == facts.EvMsgOut && ev.State == "QUICK_MODE" && strings.HasPrefix(ev.Detail, "request")
	})
	return up > 0 && qm > up && child < up
}

// peerRecreatesTunnel: the peer set up a new IKE_SA while this side had
// one with it ("duplicate IKE_SA ... due to uniqueness policy"), and no SA
// table shows traffic: whatever this side established, the peer did not
// see the tunnel up (it restarts it), so this side's log does not show a
// working tunnel.
func peerRecreatesTunnel(v *view) bool {
	for _, ev := range v.events {
		if ev.Vendor == facts.VendorStrongSwan && ev.Kind == facts.EvSADeleted && ev.State == "duplicate IKE_SA" {
			for _, s := range v.ipsec {
				if s.Counters.Encaps > 0 && s.Counters.Decaps > 0 {
					return false
				}
			}
			return true
		}
	}
	return false
}

// unreadableSinceUp: after the IKE SA last came up, with no CHILD_SA since,
// messages from the peer could not be decrypted or parsed (an IKEv1
// responder that cannot read the peer's encrypted notify): the peer is not
// where this side thinks the tunnel is.
func unreadableSinceUp(v *view) bool {
	up, child, bad := swanLastLines(v, func(ev facts.Event) bool { return ev.Kind == facts.EvMsgFailed })
	return up > 0 && bad > up && child < up
}

// swanIKEBeingDeleted: every IKE SA row shown for the peer is a strongSwan
// or libreswan IKE SA being deleted (DELETING, DESTROYING): its CHILD_SAs
// go with it, so their last counters do not show a tunnel that is up. (An
// IOS ISAKMP row marked deleted is not that: IKEv1 IPsec SAs outlive it.)
func swanIKEBeingDeleted(v *view) bool {
	if len(v.ike) == 0 {
		return false
	}
	for _, r := range v.ike {
		if !swan(r.Vendor) || !r.Deleted {
			return false
		}
	}
	return true
}

// swanLastLines reads the strongSwan and libreswan events of a view for
// the last line where the IKE SA came up, the last line where a CHILD_SA
// came up, and the last line of an event that is holds (0 for none).
func swanLastLines(v *view, is func(facts.Event) bool) (up, child, last int) {
	for _, ev := range v.events {
		if !swan(ev.Vendor) {
			continue
		}
		switch {
		case ev.Kind == facts.EvP1Complete:
			up = max(up, ev.Ref.Line)
		case ev.Kind == facts.EvP2Complete:
			child = max(child, ev.Ref.Line)
		case is(ev):
			last = max(last, ev.Ref.Line)
		}
	}
	return up, child, last
}

// swan: strongSwan and libreswan, whose logs the since-up checks read.
func swan(v facts.Vendor) bool { return v == facts.VendorStrongSwan || v == facts.VendorLibreswan }

// installFailedSinceUp: the kernel refused an IPsec SA after the last one
// that was established (libreswan's "netlink response for Add SA"): the
// tunnel is not up, and no contract cause names why.
func installFailedSinceUp(v *view) bool {
	child, failed := 0, 0
	for _, ev := range v.events {
		switch {
		case ev.Kind == facts.EvP2Complete && ev.Ref.Line > child:
			child = ev.Ref.Line
		case ev.Kind == facts.EvSAInstallFailed && ev.Ref.Line > failed:
			failed = ev.Ref.Line
		}
	}
	return failed > child
}

// rowUp: an IKE SA row in an established state (detail tables print no
// state column: an ACTIVE status there is an SA in use).
func rowUp(r facts.IKESA) bool {
	if r.Deleted {
		return false
	}
	return upStates[strings.ToUpper(r.State)] || (r.State == "" && strings.HasPrefix(strings.ToUpper(r.Status), "ACTIVE"))
}

// emptyIPsecTable: a `show crypto ipsec sa` that said it has no SA
// ("There are no ipsec sas", an IOS one with no block).
func emptyIPsecTable(v *view) (first facts.Ref, ok bool) {
	for kind, r := range v.f.Empty {
		if strings.Contains(kind, "ipsec sa") && (!ok || r.Line < first.Line) {
			first, ok = r, true
		}
	}
	return first, ok
}

// stateOf is the state a healthy finding reports: an up row's.
func stateOf(v *view) string {
	if row, ok := upRow(v); ok {
		return row.State
	}
	if row, ok := v.ikeStateRow(); ok {
		return row.State
	}
	return lastState(v)
}

// upRow is the first live IKE SA row in an established state.
func upRow(v *view) (facts.IKESA, bool) {
	for _, r := range v.liveIKE() {
		if rowUp(r) {
			return r, true
		}
	}
	return facts.IKESA{}, false
}

func orX(p string) string {
	if p == "" {
		return "X"
	}
	return p
}

func containsStr(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
