package diagnose

import (
	"slices"
	"sort"
	"strings"

	"github.com/tunneldoc/tunneldoc/diagnose/facts"
)

// view is everything the input says about one peer: the rules read it.
type view struct {
	peer     string
	ike      []facts.IKESA
	ipsec    []facts.IPsecSA
	sessions []facts.Session
	events   []facts.Event // in input order
	f        *facts.Facts
	// counts: events seen per kind, those not kept (past
	// MaxEventsPerKey) included
	counts map[facts.EventKind]int
	// live caches liveIKE: rules ask for it many times per peer
	live     []facts.IKESA
	liveDone bool
	// rc holds what the rules work out once per report, not per peer.
	rc *reportCache
}

func (v *view) has(k facts.EventKind) bool { return v.counts[k] > 0 }

// all returns the events of the given kinds, in input order.
func (v *view) all(kinds ...facts.EventKind) []facts.Event {
	if !v.counted(kinds) {
		return nil
	}
	var out []facts.Event
	for _, ev := range v.events {
		if slices.Contains(kinds, ev.Kind) {
			out = append(out, ev)
		}
	}
	return out
}

// any reports whether there is an event of one of the given kinds.
func (v *view) any(kinds ...facts.EventKind) bool {
	if !v.counted(kinds) {
		return false
	}
	for _, ev := range v.events {
		if slices.Contains(kinds, ev.Kind) {
			return true
		}
	}
	return false
}

// counted: counts says some event of the kinds was seen.
func (v *view) counted(kinds []facts.EventKind) bool {
	n := 0
	for _, k := range kinds {
		n += v.counts[k]
	}
	return n > 0
}

// lastLine is the line of the last event of the given kinds (0: none).
func (v *view) lastLine(kinds ...facts.EventKind) int {
	n := 0
	for _, ev := range v.all(kinds...) {
		n = max(n, ev.Ref.Line)
	}
	return n
}

// lastWithState returns the last event, in input order, of the given kinds
// that has a non-empty state (ok false: none).
func (v *view) lastWithState(kinds ...facts.EventKind) (last facts.Event, ok bool) {
	evs := v.all(kinds...)
	for i := len(evs) - 1; i >= 0; i-- {
		if evs[i].State != "" {
			return evs[i], true
		}
	}
	return last, false
}

// unresolved returns the failure events of kind fail that no success
// event of the given kinds follows: a failure the device later got past
// (one rejected proposal before an accepted one) is not the cause.
func (v *view) unresolved(fail []facts.EventKind, success ...facts.EventKind) []facts.Event {
	evs := v.all(fail...)
	if len(evs) == 0 {
		return nil
	}
	ok := v.lastLine(success...)
	var out []facts.Event
	for _, ev := range evs {
		if ev.Ref.Line > ok {
			out = append(out, ev)
		}
	}
	return out
}

var upStates = map[string]bool{
	"QM_IDLE": true, "MM_ACTIVE": true, "AM_ACTIVE": true, "READY": true, "ESTABLISHED": true,
	"MM_KEY_AUTH": false, "IKE_P1_COMPLETE": true, "UP-ACTIVE": true, "UP": true,
	// libreswan: pluto's IKE SA established states (include/pluto_constants.h,
	// 4.10 and 5.x V1_ISAKMP_SA_ESTABLISHED_STATES and IS_IKE_SA_ESTABLISHED,
	// 3.x ISAKMP_SA_ESTABLISHED_STATES with IKEv2's STATE_PARENT_I3/R2).
	// IKEv1 Main and Aggressive Mode done, then XAUTH and Mode Config
	// steps taken on the established ISAKMP SA.
	"STATE_MAIN_I4": true, "STATE_MAIN_R3": true, "STATE_AGGR_I2": true, "STATE_AGGR_R2": true,
	"STATE_XAUTH_R0": true, "STATE_XAUTH_R1": true, "STATE_XAUTH_I0": true, "STATE_XAUTH_I1": true,
	"STATE_MODE_CFG_R0": true, "STATE_MODE_CFG_R1": true, "STATE_MODE_CFG_R2": true, "STATE_MODE_CFG_I1": true,
	"STATE_V2_ESTABLISHED_IKE_SA": true, "STATE_PARENT_I3": true, "STATE_PARENT_R2": true,
}

// IKESAUp reports whether an IKE SA row is established as the engine
// reads it: an established state of any vendor (IOS QM_IDLE, strongSwan
// ESTABLISHED, pluto STATE_V2_ESTABLISHED_IKE_SA, ...), or, in a detail
// table without a state column, an ACTIVE row. A deleted row is not.
func IKESAUp(r facts.IKESA) bool { return rowUp(r) }

// liveIKE returns the IKE SA rows that are not marked deleted (or every
// row when all are deleted).
// The answer is computed once: views are complete before rules read them.
func (v *view) liveIKE() []facts.IKESA {
	if v.liveDone {
		return v.live
	}
	v.liveDone = true
	deleted := 0
	for i := range v.ike {
		if v.ike[i].Deleted {
			deleted++
		}
	}
	if deleted == 0 || deleted == len(v.ike) {
		v.live = v.ike
		return v.live
	}
	v.live = make([]facts.IKESA, 0, len(v.ike)-deleted)
	for _, s := range v.ike {
		if !s.Deleted {
			v.live = append(v.live, s)
		}
	}
	return v.live
}

// ikeUp: an IKE SA row in an established state, an established session,
// or a debug that shows phase 1 completing after any failure.
func (v *view) ikeUp() bool {
	for _, s := range v.liveIKE() {
		if s.Deleted {
			continue
		}
		// detail tables print no state column: an ACTIVE row is an SA in use
		if upStates[strings.ToUpper(s.State)] || (s.State == "" && strings.HasPrefix(strings.ToUpper(s.Status), "ACTIVE")) {
			return true
		}
	}
	for _, s := range v.sessions {
		if strings.HasPrefix(strings.ToUpper(s.Status), "UP") && s.IKEState != "" && !strings.EqualFold(s.IKEState, "Inactive") {
			return true
		}
	}
	return v.has(facts.EvP1Complete) || v.has(facts.EvP2Complete) || v.has(facts.EvAuthOK)
}

// ikeState returns the most telling IKE state row: a stuck state over an
// idle one, a live row over a deleted one.
func (v *view) ikeStateRow() (facts.IKESA, bool) {
	live := v.liveIKE()
	for _, s := range live {
		if !upStates[strings.ToUpper(s.State)] {
			return s, true
		}
	}
	if len(live) > 0 {
		return live[0], true
	}
	return facts.IKESA{}, false
}

// buildViews groups the facts by peer.
func (e *engine) buildViews() []*view {
	f := e.facts
	locals := map[string]bool{}
	for a := range e.match.locals {
		locals[a] = true
	}
	for _, s := range f.IPsecSAs {
		if s.LocalAddr != "" {
			locals[s.LocalAddr] = true
		}
		if s.LocalEndpt != "" {
			locals[s.LocalEndpt] = true
		}
	}
	for i := range f.IKESAs {
		s := &f.IKESAs[i]
		if (locals[s.Peer] && s.Local != "" && !locals[s.Local]) || (e.opts.Peer != "" && s.Local == e.opts.Peer && s.Peer != e.opts.Peer) {
			s.Peer, s.Local = s.Local, s.Peer
		}
	}
	views := map[string]*view{}
	rc := &reportCache{}
	get := func(p string) *view {
		v, ok := views[p]
		if !ok {
			v = &view{peer: p, f: f, counts: map[facts.EventKind]int{}, rc: rc}
			views[p] = v
		}
		return v
	}
	// A table may name thousands of peers: the first MaxPeers (and the
	// one asked about) are reasoned over, the rest counted for the summary.
	keep := func(p string) bool {
		if _, ok := views[p]; ok || p == "" || p == e.opts.Peer || len(views) < MaxPeers {
			return true
		}
		e.peersNotRead[p] = struct{}{}
		return false
	}
	e.peersNotRead = map[string]struct{}{}
	// views are made in this order, which decides the peers kept
	for _, s := range f.IKESAs {
		if keep(s.Peer) {
			v := get(s.Peer)
			v.ike = append(v.ike, s)
		}
	}
	for _, s := range f.IPsecSAs {
		p := s.Peer
		if p == "" {
			p = s.RemoteEndpt
		}
		if keep(p) {
			v := get(p)
			v.ipsec = append(v.ipsec, s)
		}
	}
	for _, s := range f.Sessions {
		if keep(s.Peer) {
			v := get(s.Peer)
			v.sessions = append(v.sessions, s)
		}
	}
	counted := map[evKey]bool{}
	for _, ev := range f.Events {
		key := evKey{ev.Kind, ev.Peer, ev.State}
		if locals[ev.Peer] {
			ev.Peer = ""
		}
		if !keep(ev.Peer) {
			continue
		}
		v := get(ev.Peer)
		v.events = append(v.events, ev)
		if !counted[key] {
			counted[key] = true
			n := e.eventCount(key)
			if n == 0 {
				n = 1 // added after reading (a vendor correlator)
			}
			v.counts[ev.Kind] += n
		}
	}
	// Facts that name no peer belong to the only peer there is, or to the
	// one asked about.
	if orphan, ok := views[""]; ok {
		target := e.opts.Peer
		if target == "" {
			named := 0
			for p := range views {
				if p != "" {
					named++
					target = p
				}
			}
			if named != 1 {
				target = ""
			}
		}
		if target != "" {
			t := get(target)
			t.ike = append(t.ike, orphan.ike...)
			t.ipsec = append(t.ipsec, orphan.ipsec...)
			t.sessions = append(t.sessions, orphan.sessions...)
			t.events = append(t.events, orphan.events...)
			sort.SliceStable(t.events, func(i, j int) bool { return t.events[i].Ref.Line < t.events[j].Ref.Line })
			for k, n := range orphan.counts {
				t.counts[k] += n
			}
			delete(views, "")
		}
	}
	if e.opts.Peer != "" {
		v := get(e.opts.Peer)
		return []*view{v.resolve()}
	}
	if len(views) == 0 {
		get("")
	}
	out := make([]*view, 0, len(views))
	for _, v := range views {
		out = append(out, v.resolve())
	}
	sort.Slice(out, func(i, j int) bool { return out[i].peer < out[j].peer })
	return out
}

// resolve settles what the engine could not know line by line: a
// NO_PROPOSAL_CHOSEN notify that arrived while the IKE SA was up (by the
// SA table) is about phase 2.
func (v *view) resolve() *view {
	if !v.ikeUp() {
		return v
	}
	for i := range v.events {
		ev := &v.events[i]
		if ev.Kind == facts.EvP1NoProposal && (ev.State == "notify" || ev.State == notifyAlone) {
			ev.Kind = facts.EvP2NoProposal
			v.counts[facts.EvP1NoProposal]--
			v.counts[facts.EvP2NoProposal]++
		}
	}
	return v
}
