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
	counts   map[facts.EventKind]int
	// live caches liveIKE: rules ask for it many times per peer
	live     []facts.IKESA
	liveDone bool
	// byKind indexes events by kind (built on the first all, once the
	// view is complete): some twenty rules ask it for a few kinds each,
	// and a scan of every event per question was most of the report.
	byKind map[facts.EventKind]kindEvents
	// rc holds what the rules work out once per report, not per peer.
	rc *reportCache
	// sizes: the number of IKE SAs, IPsec SAs, sessions and events
	// buildViews puts here
	sizes [4]int
}

// kindEvents are the events of one kind and their indexes in view.events.
type kindEvents struct {
	evs []facts.Event
	idx []int
}

func (v *view) has(k facts.EventKind) bool { return v.counts[k] > 0 }

// all returns the events of the given kinds, in input order. The slice
// may be shared with the view's index: callers may append to it (its
// capacity is its length) but must not write its elements, nor append to
// a shorter reslice of it (reslice with a capacity: s[:1:1]).
func (v *view) all(kinds ...facts.EventKind) []facts.Event {
	present := 0
	for _, k := range kinds {
		present += v.counts[k]
	}
	if present <= 0 {
		return nil // counts says none of these kinds is here: skip the scan
	}
	if v.byKind == nil {
		v.index()
	}
	var one *kindEvents
	n := 0
	for i, k := range kinds {
		ke, ok := v.byKind[k]
		if !ok || slices.Contains(kinds[:i], k) {
			continue
		}
		if one == nil {
			one = &ke
		}
		n += len(ke.evs)
	}
	switch {
	case n == 0:
		return nil
	case n == len(one.evs):
		return one.evs[:n:n]
	}
	// several kinds: merge their index lists, in input order
	idx := make([]int, 0, n)
	for i, k := range kinds {
		if ke, ok := v.byKind[k]; ok && !slices.Contains(kinds[:i], k) {
			idx = append(idx, ke.idx...)
		}
	}
	slices.Sort(idx)
	out := make([]facts.Event, n)
	for i, j := range idx {
		out[i] = v.events[j]
	}
	return out
}

// any reports whether there is an event of one of the given kinds
// (len(v.all(kinds...)) > 0, without building the list).
func (v *view) any(kinds ...facts.EventKind) bool {
	present := 0
	for _, k := range kinds {
		present += v.counts[k]
	}
	if present <= 0 {
		return false
	}
	if v.byKind == nil {
		v.index()
	}
	for _, k := range kinds {
		if len(v.byKind[k].evs) > 0 {
			return true
		}
	}
	return false
}

// index builds byKind from the view's events: one backing array for all
// kinds, each kind's events in input order.
func (v *view) index() {
	n := map[facts.EventKind]int{}
	for i := range v.events {
		n[v.events[i].Kind]++
	}
	v.byKind = make(map[facts.EventKind]kindEvents, len(n))
	evs := make([]facts.Event, len(v.events))
	idx := make([]int, len(v.events))
	at := 0
	for k, c := range n {
		v.byKind[k] = kindEvents{evs: evs[at : at : at+c], idx: idx[at : at : at+c]}
		at += c
	}
	for i := range v.events {
		k := v.events[i].Kind
		ke := v.byKind[k]
		ke.evs = append(ke.evs, v.events[i])
		ke.idx = append(ke.idx, i)
		v.byKind[k] = ke
	}
}

// lastLine is the line of the last event of the given kinds (0: none).
func (v *view) lastLine(kinds ...facts.EventKind) int {
	n := 0
	if !v.any(kinds...) {
		return 0
	}
	for _, k := range kinds {
		for _, ev := range v.byKind[k].evs {
			n = max(n, ev.Ref.Line)
		}
	}
	return n
}

// lastWith returns the last event, in input order, of the given kinds
// that has a non-empty state (ok false: none).
func (v *view) lastWithState(kinds ...facts.EventKind) (last facts.Event, ok bool) {
	if !v.any(kinds...) {
		return last, false
	}
	at := -1
	for _, k := range kinds {
		ke := v.byKind[k]
		for i := len(ke.evs) - 1; i >= 0 && ke.idx[i] > at; i-- {
			if ke.evs[i].State != "" {
				last, at = ke.evs[i], ke.idx[i]
				break
			}
		}
	}
	return last, at >= 0
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
	if allAfter(evs, ok) {
		return evs // every one is unresolved: the (shared) slice as it is
	}
	var out []facts.Event
	for _, ev := range evs {
		if ev.Ref.Line > ok {
			out = append(out, ev)
		}
	}
	return out
}

func allAfter(evs []facts.Event, line int) bool {
	for _, ev := range evs {
		if ev.Ref.Line <= line {
			return false
		}
	}
	return true
}

var upStates = map[string]bool{
	"QM_IDLE": true, "MM_ACTIVE": true, "AM_ACTIVE": true, "READY": true, "ESTABLISHED": true,
	"MM_KEY_AUTH": false, "IKE_P1_COMPLETE": true, "UP-ACTIVE": true, "UP": true,
}

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
	for a := range e.locals {
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
	// First which view each fact goes to (views are made in this order,
	// which decides the peers kept), then each view's lists made at their
	// size and filled: appending SA rows and events one by one copied
	// them over and over.
	ikeTo := make([]*view, len(f.IKESAs))
	for i := range f.IKESAs {
		if p := f.IKESAs[i].Peer; keep(p) {
			ikeTo[i] = get(p)
			ikeTo[i].sizes[0]++
		}
	}
	ipsecTo := make([]*view, len(f.IPsecSAs))
	for i := range f.IPsecSAs {
		p := f.IPsecSAs[i].Peer
		if p == "" {
			p = f.IPsecSAs[i].RemoteEndpt
		}
		if keep(p) {
			ipsecTo[i] = get(p)
			ipsecTo[i].sizes[1]++
		}
	}
	sessionTo := make([]*view, len(f.Sessions))
	for i := range f.Sessions {
		if p := f.Sessions[i].Peer; keep(p) {
			sessionTo[i] = get(p)
			sessionTo[i].sizes[2]++
		}
	}
	eventTo := make([]*view, len(f.Events))
	for i := range f.Events {
		p := f.Events[i].Peer
		if locals[p] {
			p = ""
		}
		if keep(p) {
			eventTo[i] = get(p)
			eventTo[i].sizes[3]++
		}
	}
	for _, v := range views {
		v.ike = make([]facts.IKESA, 0, v.sizes[0])
		v.ipsec = make([]facts.IPsecSA, 0, v.sizes[1])
		v.sessions = make([]facts.Session, 0, v.sizes[2])
		v.events = make([]facts.Event, 0, v.sizes[3])
	}
	for i, v := range ikeTo {
		if v != nil {
			v.ike = append(v.ike, f.IKESAs[i])
		}
	}
	for i, v := range ipsecTo {
		if v != nil {
			v.ipsec = append(v.ipsec, f.IPsecSAs[i])
		}
	}
	for i, v := range sessionTo {
		if v != nil {
			v.sessions = append(v.sessions, f.Sessions[i])
		}
	}
	counted := map[evKey]bool{}
	for i, v := range eventTo {
		if v == nil {
			continue
		}
		ev := f.Events[i]
		key := evKey{ev.Kind, ev.Peer, ev.State}
		if locals[ev.Peer] {
			ev.Peer = ""
		}
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
		if ev.Kind == facts.EvP1NoProposal && ev.State == "notify" {
			ev.Kind = facts.EvP2NoProposal
			v.counts[facts.EvP1NoProposal]--
			v.counts[facts.EvP2NoProposal]++
		}
	}
	return v
}
