package diagnose

import (
	"strings"

	"github.com/tunneldoc/tunneldoc/diagnose/facts"
)

// Address scanning is done by hand, not by regexp: it runs on every log
// line and is most of the engine's time otherwise.

// ipv4At returns the length of a dotted IPv4 address starting at s[i], or 0.
func ipv4At(s string, i int) int {
	j, dots, digits := i, 0, 0
	for j < len(s) {
		c := s[j]
		switch {
		case c >= '0' && c <= '9':
			digits++
			if digits > 3 {
				return 0
			}
		case c == '.' && digits > 0 && dots < 3:
			dots++
			digits = 0
		default:
			goto end
		}
		j++
	}
end:
	if dots != 3 || digits == 0 {
		return 0
	}
	return j - i
}

// addrWord is an address in a log line and the word before it.
type addrWord struct {
	addr, word string
	next       byte // the byte after the address (0 at the end)
}

// addrs lists the IPv4 addresses in s with the word that precedes each.
func addrs(s string, max int) []addrWord { return addrsInto(nil, s, max) }

// addrsInto is addrs appending to out (a buffer reused line after line).
// An address holds a dot within its first four bytes, so the line is
// searched for dots (a vectorised byte search) and only the digits before
// each are looked at: the same addresses, in the same order, as a scan of
// every byte from the left that tries each digit run not preceded by a
// digit or a dot and skips past each address found.
func addrsInto(out []addrWord, s string, max int) []addrWord {
	from := 0 // where the next address may start
	for len(out) < max {
		d := strings.IndexByte(s[from:], '.')
		if d < 0 {
			break
		}
		d += from
		i := d
		for i > from && s[i-1] >= '0' && s[i-1] <= '9' {
			i--
		}
		// i is where the digit run before the dot starts (from at most)
		if i == d || d-i > 3 || (i > 0 && (s[i-1] >= '0' && s[i-1] <= '9' || s[i-1] == '.')) {
			from = d + 1
			continue
		}
		n := ipv4At(s, i)
		if n == 0 {
			from = d + 1
			continue
		}
		var next byte
		if i+n < len(s) {
			next = s[i+n]
		}
		out = append(out, addrWord{addr: s[i : i+n], word: wordBefore(s, i), next: next})
		from = i + n + 1
		if from > len(s) {
			break
		}
	}
	return out
}

// wordBefore returns the word before position i, skipping spaces, '=',
// ':' and '['.
func wordBefore(s string, i int) string {
	j := i
	for j > 0 && (s[j-1] == ' ' || s[j-1] == '=' || s[j-1] == ':' || s[j-1] == '[') {
		j--
	}
	k := j
	for k > 0 && s[k-1] != ' ' && s[k-1] != '(' && s[k-1] != ',' {
		k--
	}
	return s[k:j]
}

var peerWords = map[string]bool{"remote": true, "peer": true, "from": true, "to": true, "with": true, "IP": true, "Remote": true, "at": true, "current_peer": true, "From": true, "To": true, "Peer": true}
var localWords = map[string]bool{"local": true, "Local": true, "addr": true, "local_addr": true}

// connID reads an IOS debug connection id: ISAKMP:(1002), ISAKMP (0:134217729).
func connID(s string) string {
	if !strings.HasPrefix(s, "ISAKMP") {
		return ""
	}
	i := strings.IndexByte(s, '(')
	if i < 0 || i > 9 {
		return ""
	}
	j := strings.IndexByte(s[i:], ')')
	if j < 0 {
		return ""
	}
	id := s[i+1 : i+j]
	if id == "0" || strings.HasPrefix(id, "0:0") || strings.ContainsAny(id, " ") {
		return ""
	}
	return id
}

// matchLog runs the log signatures over one logical line.
func (e *engine) matchLog(l facts.Line, raws []string) {
	text := l.Text
	r := e.anchorIndex().read(e, text)
	mask := r.mask
	anyPrefix := mask != 0
	as := r.addrs
	for i, a := range as {
		switch {
		case localWords[a.word] && a.next != '/':
			e.addLocal(a.addr)
		case r.sending && i == 0, r.receiving && i == 1:
			// "sending packet: from A[500] to B", "received packet: from B to A"
			e.addLocal(a.addr)
		}
	}
	linePeer := ""
	for _, a := range as {
		if peerWords[a.word] && a.next != '/' && !e.isLocal(a.addr) {
			linePeer = a.addr
			break
		}
	}
	conn := r.conn
	if linePeer != "" {
		e.lastPeer = linePeer
		if conn != "" {
			if _, known := e.connPeer[conn]; known || len(e.connPeer) < maxConnIDs {
				e.connPeer[conn] = linePeer
			}
		}
	}

	matched := false
	for _, h := range r.hits {
		lp := &e.lineParsers[h.parser]
		sig := &lp.Signatures[h.sig]
		ev := facts.Event{Kind: sig.Event, Vendor: lp.Vendor, State: sig.State, Ref: facts.Ref{Section: e.work.sec, Line: l.N}}
		if !h.fromRe {
			if h.peers[0] != "" && !e.isLocal(h.peers[0]) {
				ev.Peer = h.peers[0]
			}
		} else {
			for _, v := range h.peers[:h.npeers] {
				if !e.isLocal(v) {
					ev.Peer = v
				}
			}
			for _, v := range h.more {
				if !e.isLocal(v) {
					ev.Peer = v
				}
			}
		}
		if h.stateSet {
			ev.State = h.state
		}
		if h.detailSet {
			ev.Detail = h.detail
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
		kept, dropped := e.addEvent(ev)
		if kept {
			matched = true
		}
		if dropped > 0 && dropped != l.N {
			e.dropped = append(e.dropped, dropped)
		}
	}
	if anyPrefix {
		e.recognised++ // a vendor's log line was read, whether or not it matters
	}
	// Lines whose events were replaced by newer ones are no longer quoted:
	// forget their text, or a long paste would keep every line it matched.
	for _, n := range e.dropped {
		for k := n; ; k++ {
			delete(e.quoted, k)
			if !e.cont[k+1] {
				break
			}
			delete(e.cont, k+1)
		}
	}
	e.dropped = e.dropped[:0]
	if matched {
		for i, r := range raws {
			e.quoted[l.N+i] = r
			if i > 0 {
				e.cont[l.N+i] = true
			}
		}
		if w := &e.work; w.vendor == "" && len(e.lineParsers) > 0 {
			// the section's vendor is the vendor of its first recognised line
			for i := range e.lineParsers {
				if mask&(1<<i) != 0 {
					w.vendor = e.lineParsers[i].Vendor
					if w.name == "debug/log" {
						w.name = logSectionName[w.vendor]
						w.renames[w.sec] = w.name
					}
					break
				}
			}
		}
	}
}

// addEvent resolves phase-less meanings from context and keeps the event,
// at most MaxEventsPerKey of a kind per peer and state (the newest always
// replaces the last kept one, so "the latest state" stays true).
// It reports whether the event was kept and, when it replaced an older
// one, that one's line.
func (e *engine) addEvent(ev facts.Event) (kept bool, dropped int) {
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
		return false, 0
	}
	if !e.peerKept(ev.Peer) {
		return false, 0
	}
	e.facts.Saw(ev.Vendor)
	ks := e.anchorIndex().key(evKey{ev.Kind, ev.Peer, ev.State})
	ks.count++
	if ks.count <= MaxEventsPerKey {
		ks.last = len(e.facts.Events)
		e.facts.Events = append(e.facts.Events, ev)
		return true, 0
	}
	// replace the newest kept event of this key
	dropped = e.facts.Events[ks.last].Ref.Line
	e.facts.Events[ks.last] = ev
	return true, dropped
}

// eventCount is how many events of key k were seen (kept or not).
func (e *engine) eventCount(k evKey) int {
	if e.match == nil {
		return 0
	}
	if n, ok := e.match.keys[k]; ok {
		return e.match.state[n].count
	}
	return 0
}

// peerKept reports whether events about peer are kept: the first MaxPeers
// distinct peers are, and the one asked about always is. A paste naming
// more peers than that (a hostile or generated one) would otherwise grow
// memory and the report with every line.
func (e *engine) peerKept(peer string) bool {
	if peer == "" || peer == e.opts.Peer {
		return true
	}
	if _, ok := e.peersSeen[peer]; ok {
		return true
	}
	if len(e.peersSeen) >= MaxPeers {
		e.peerEventsDropped++
		return false
	}
	if e.peersSeen == nil {
		e.peersSeen = map[string]struct{}{}
	}
	e.peersSeen[peer] = struct{}{}
	return true
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

// anchorIndex returns the engine's anchor index over all its line
// parsers (the table is shared, the scratch is the engine's).
func (e *engine) anchorIndex() *anchorIndex {
	if e.match == nil {
		t := anchorTableFor(e.lineParsers)
		e.match = &anchorIndex{anchorTable: t, pos: make([]int32, t.nsigs), keys: map[evKey]int32{}}
	}
	return e.match
}

// logSectionName labels a run of log lines pasted without a command echo.
var logSectionName = map[facts.Vendor]string{
	facts.VendorIOS:        "IOS debug/log",
	facts.VendorASA:        "ASA debug/syslog",
	facts.VendorStrongSwan: "charon log",
	facts.VendorUnknown:    "debug/log",
}
