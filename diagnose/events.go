package diagnose

import (
	"regexp"
	"strings"

	"github.com/tunneldoc/tunneldoc/diagnose/facts"
)

var (
	// an address the line names as the far end
	peerWordRe = regexp.MustCompile(`(?:\bremote|\bpeer|\bfrom|\bto|\bwith|\bIP =|Remote:|\[From|\[To|\bpeer at|current_peer)\s*:?\s*([0-9]{1,3}(?:\.[0-9]{1,3}){3})(?:[^/0-9.]|$)`)
	// an address the line names as ours
	localWordRe = regexp.MustCompile(`(?:\blocal|Local:|local addr)\s*[:=]?\s*([0-9]{1,3}(?:\.[0-9]{1,3}){3})`)
	// "sending packet: from A[500] to B[500]" / "received packet: from B to A":
	// the side that sends is us, the side that receives is us
	sentFromRe = regexp.MustCompile(`sending packet: from ([0-9A-Fa-f.:]+)\[\d+\] to ([0-9A-Fa-f.:]+)\[`)
	recvToRe   = regexp.MustCompile(`received packet: from ([0-9A-Fa-f.:]+)\[\d+\] to ([0-9A-Fa-f.:]+)\[`)
	// IOS debug connection ids: ISAKMP:(1002), ISAKMP (0:134217729), ISAKMP:(0:1:SW:1)
	connRe = regexp.MustCompile(`^ISAKMP\s*:?\s*\(([0-9:A-Za-z/]+)\)`)
)

// matchLog runs the log signatures over one logical line.
func (e *engine) matchLog(l facts.Line, raws []string) {
	text := l.Text
	if loc := localWordRe.FindStringSubmatch(text); loc != nil {
		e.addLocal(loc[1])
	}
	if m := sentFromRe.FindStringSubmatch(text); m != nil {
		e.addLocal(m[1])
	} else if m := recvToRe.FindStringSubmatch(text); m != nil {
		e.addLocal(m[2])
	}
	linePeer := ""
	for _, m := range peerWordRe.FindAllStringSubmatch(text, 3) {
		if !e.isLocal(m[1]) {
			linePeer = m[1]
			break
		}
	}
	conn := ""
	if m := connRe.FindStringSubmatch(text); m != nil && m[1] != "0" && !strings.HasPrefix(m[1], "0:0") {
		conn = m[1]
	}
	if linePeer != "" {
		e.lastPeer = linePeer
		if conn != "" {
			e.connPeer[conn] = linePeer
		}
	}

	anyPrefix := false
	for i := range e.lineParsers {
		if e.lineParsers[i].Prefix(text) {
			anyPrefix = true
			break
		}
	}
	matched := false
	for i := range e.lineParsers {
		lp := &e.lineParsers[i]
		if anyPrefix && !lp.Prefix(text) {
			continue
		}
		for j := range lp.Signatures {
			sig := &lp.Signatures[j]
			if !strings.Contains(text, sig.Anchor) {
				continue
			}
			ev := facts.Event{Kind: sig.Event, Vendor: lp.Vendor, State: sig.State, Ref: facts.Ref{Section: e.secIndex(), Line: l.N}}
			if sig.Re != nil {
				m := sig.Re.FindStringSubmatchIndex(text)
				if m == nil {
					continue
				}
				for gi, name := range sig.Re.SubexpNames() {
					if name == "" || m[2*gi] < 0 {
						continue
					}
					v := text[m[2*gi]:m[2*gi+1]]
					switch name {
					case "peer":
						if !e.isLocal(v) {
							ev.Peer = v
						}
					case "state":
						ev.State = strings.ReplaceAll(strings.TrimSpace(v), " ", "")
					case "detail":
						ev.Detail = strings.TrimSpace(v)
					}
				}
			}
			if ev.Peer == "" {
				switch {
				case conn != "" && e.connPeer[conn] != "":
					ev.Peer = e.connPeer[conn]
				case linePeer != "":
					ev.Peer = linePeer
				default:
					ev.Peer = e.lastPeer
				}
			}
			e.addEvent(ev)
			matched = true
		}
	}
	if anyPrefix {
		e.recognised++ // a vendor's log line was read, whether or not it matters
	}
	if matched {
		for i, r := range raws {
			e.quoted[l.N+i] = r
			if i > 0 {
				e.cont[l.N+i] = true
			}
		}
		if e.sec != nil && e.sec.Vendor == "" && len(e.lineParsers) > 0 {
			// the section's vendor is the vendor of its first recognised line
			for i := range e.lineParsers {
				if e.lineParsers[i].Prefix(text) {
					e.sec.Vendor = e.lineParsers[i].Vendor
					break
				}
			}
		}
	}
}

func (e *engine) secIndex() int {
	if e.sec != nil {
		return e.sec.Index
	}
	return -1
}

// addEvent resolves phase-less meanings from context and keeps the event,
// at most MaxEventsPerKey of a kind per peer and state (the newest always
// replaces the last kept one, so "the latest state" stays true).
func (e *engine) addEvent(ev facts.Event) {
	switch ev.Kind {
	case facts.EvContextP1, facts.EvContextP2:
		e.context = ev.Kind
	case facts.EvProposalOK:
		ev.Kind = facts.EvP1ProposalOK
		if e.context == facts.EvContextP2 {
			ev.Kind = facts.EvP2ProposalOK
		}
	case facts.EvProposalBad:
		ev.Kind = facts.EvP1ProposalBad
		if e.context == facts.EvContextP2 {
			ev.Kind = facts.EvP2ProposalBad
		}
	case facts.EvNoProposalNotify:
		ev.Kind = facts.EvP1NoProposal
		ev.State = "notify"
		if e.context == facts.EvContextP2 || e.p1Done(ev.Peer) {
			ev.Kind = facts.EvP2NoProposal
		}
	case facts.EvP1Received, facts.EvP1Sent:
		if strings.HasPrefix(ev.State, "QM") {
			e.markP1Done(ev.Peer)
		}
	case facts.EvStateChange:
		if strings.Contains(ev.State, "QM") || strings.Contains(ev.State, "P1_COMPLETE") {
			e.markP1Done(ev.Peer)
		}
	case facts.EvP1Complete, facts.EvAuthOK, facts.EvP2Start:
		e.markP1Done(ev.Peer)
	}
	if ev.Kind == facts.EvContextP1 || ev.Kind == facts.EvContextP2 {
		return
	}
	e.facts.Saw(ev.Vendor)
	k := evKey{ev.Kind, ev.Peer, ev.State}
	e.evCount[k]++
	if e.evCount[k] <= MaxEventsPerKey {
		e.facts.Events = append(e.facts.Events, ev)
		return
	}
	// replace the newest kept event of this key
	for i := len(e.facts.Events) - 1; i >= 0; i-- {
		o := &e.facts.Events[i]
		if o.Kind == ev.Kind && o.Peer == ev.Peer && o.State == ev.State {
			*o = ev
			return
		}
	}
}

func (e *engine) markP1Done(peer string) {
	if e.p1 == nil {
		e.p1 = map[string]bool{}
	}
	e.p1[peer] = true
}

func (e *engine) p1Done(peer string) bool { return e.p1[peer] }

func (e *engine) addLocal(a string) {
	if e.locals == nil {
		e.locals = map[string]bool{}
	}
	e.locals[a] = true
}

func (e *engine) isLocal(a string) bool { return e.locals[a] }
