package diagnose

import (
	"github.com/tunneldoc/tunneldoc/diagnose/gateways"
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

// addrs appends to out the first max IPv4 addresses in s with the word
// that precedes each.
func addrs(out []addrWord, s string, max int) []addrWord {
	for i := 0; i < len(s) && len(out) < max; i++ {
		c := s[i]
		if c < '0' || c > '9' || (i > 0 && (s[i-1] >= '0' && s[i-1] <= '9' || s[i-1] == '.')) {
			continue
		}
		n := ipv4At(s, i)
		if n == 0 {
			continue
		}
		var next byte
		if i+n < len(s) {
			next = s[i+n]
		}
		out = append(out, addrWord{addr: s[i : i+n], word: wordBefore(s, i), next: next})
		i += n
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

// connID reads an IOS debug connection id: ISAKMP:(1002), ISAKMP (0:134217729),
// or the IKE_SA a charon line names ("09[IKE] <con1000|5> ...").
func connID(s string) string {
	if !strings.HasPrefix(s, "ISAKMP") {
		return charonSA(s)
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

// charonSA reads the IKE_SA tag charon puts after the group when the log
// names IKE_SAs ("<lab|1>", "<con1000|5>", "<1>" before the SA has a
// connection): it ties the lines of one negotiation to the peer one of
// them names, when several tunnels' lines interleave.
func charonSA(s string) string {
	i := strings.Index(s, "] <")
	if i < 0 || i > 100 {
		return ""
	}
	rest := s[i+3:]
	j := strings.IndexByte(rest, '>')
	if j <= 0 || j > 64 {
		return ""
	}
	tag := rest[:j]
	num := tag[strings.LastIndexByte(tag, '|')+1:]
	for k := 0; k < len(num); k++ {
		if num[k] < '0' || num[k] > '9' {
			return ""
		}
	}
	if num == "" {
		return ""
	}
	return "<" + tag + ">"
}

// matcher is what reading log lines remembers from line to line.
type matcher struct {
	sec      int             // the section of the last line read
	context  facts.EventKind // EvContextP1 / EvContextP2, within a section
	lastPeer string
	connPeer map[string]string // IOS connection id -> peer
	p1       map[string]bool   // peers whose phase 1 completed
	locals   map[string]bool   // addresses the logs show as this device's
	// keys: per event key, how many events were seen and where in
	// facts.Events the newest kept one is
	keys map[evKey]*keyState
	// peers: the peers whose events are kept (at most MaxPeers)
	peers        map[string]bool
	peersDropped int // events about further peers
	// eventsDropped: events of new keys once MaxEvents were kept
	eventsDropped int
	grams         gramSet    // of the line being read
	addrs         []addrWord // of the line being read
}

type evKey struct {
	kind  facts.EventKind
	peer  string
	state string
}

type keyState struct {
	count int
	last  int
}

func newMatcher() matcher {
	return matcher{sec: -1, connPeer: map[string]string{}, p1: map[string]bool{}, locals: map[string]bool{},
		keys: map[evKey]*keyState{}, peers: map[string]bool{}}
}

// gramSet is the three-byte sequences of a line, hashed into 2,048 bits.
// An anchor occurs in a line only if the line holds each of its
// sequences: testing three of them is much cheaper than strings.Index,
// which then runs only for the few signatures whose anchor may be there.
type gramSet [32]uint64

// anchorGrams are the bits of an anchor's first, middle and last
// three-byte sequences; short: the anchor is shorter than three bytes
// (it is always looked for).
type anchorGrams struct {
	first, middle, last uint16
	short               bool
}

func gramBit(s string, i int) uint16 {
	return gramHash(uint32(s[i])<<16 | uint32(s[i+1])<<8 | uint32(s[i+2]))
}

// gramHash hashes three bytes (in the low 24 bits of k) to a bit.
func gramHash(k uint32) uint16 { return uint16((k * 0x9E3779B1) >> 21) }

func gramsOf(anchor string) anchorGrams {
	n := len(anchor)
	if n < 3 {
		return anchorGrams{short: true}
	}
	return anchorGrams{gramBit(anchor, 0), gramBit(anchor, (n-3)/2), gramBit(anchor, n-3), false}
}

func (g *gramSet) set(s string) {
	*g = gramSet{}
	if len(s) < 3 {
		return
	}
	k := uint32(s[0])<<8 | uint32(s[1])
	for i := 2; i < len(s); i++ {
		k = (k<<8 | uint32(s[i])) & 0xffffff // the three bytes ending at i
		b := gramHash(k)
		g[b/64] |= 1 << (b % 64)
	}
}

func (g *gramSet) has(b uint16) bool { return g[b/64]&(1<<(b%64)) != 0 }

func (g *gramSet) mayHold(a anchorGrams) bool {
	return a.short || g.has(a.first) && g.has(a.middle) && g.has(a.last)
}

// lineParsersOf tells which line parsers claim the line (bit i = parser i).
func (e *engine) lineParsersOf(text string) uint64 {
	if len(text) < facts.MinLineLen {
		return 0
	}
	var m uint64
	for i := range e.lineParsers {
		if i < 64 && e.lineParsers[i].Prefix(text) {
			m |= 1 << i
		}
	}
	return m
}

// matchLog runs the log signatures over one logical line of the current
// section; claimed tells which line parsers claim it (lineParsersOf), raws
// are its physical lines. A bug on hostile input loses the
// line, never the diagnosis.
func (e *engine) matchLog(l facts.Line, claimed uint64, raws []string) {
	defer func() { _ = recover() }()
	m := &e.match
	if e.sec.Index != m.sec {
		m.sec = e.sec.Index
		m.context = "" // a phase context does not carry across sections
	}
	text := l.Text
	if claimed != 0 {
		e.recognised++ // a vendor's log line was read, whether or not it matters
	}
	m.addrs = addrs(m.addrs[:0], text, 4)
	as := m.addrs
	var sending, receiving bool
	if strings.Contains(text, "packet: from") {
		sending = strings.Contains(text, "sending packet: from")
		receiving = !sending && strings.Contains(text, "received packet: from")
	}
	for i, a := range as {
		switch {
		case localWords[a.word] && a.next != '/':
			m.locals[a.addr] = true
		case sending && i == 0, receiving && i == 1:
			// "sending packet: from A[500] to B", "received packet: from B to A"
			m.locals[a.addr] = true
		}
	}
	linePeer := ""
	for _, a := range as {
		if peerWords[a.word] && a.next != '/' && !m.locals[a.addr] {
			linePeer = a.addr
			break
		}
	}
	conn := connID(text)
	if linePeer != "" {
		m.lastPeer = linePeer
		if conn != "" {
			if _, known := m.connPeer[conn]; known || len(m.connPeer) < maxConnIDs {
				m.connPeer[conn] = linePeer
			}
		}
	}
	matched := false
	m.grams.set(text)
	for i := range e.lineParsers {
		lp := &e.lineParsers[i]
		if claimed != 0 && (i >= 64 || claimed&(1<<i) == 0) {
			continue // only the vendors that claim a line read it; every one reads a line none claims
		}
		for j := range lp.Signatures {
			if !m.grams.mayHold(e.anchors[i][j]) {
				continue
			}
			ev, ok := readSignature(&lp.Signatures[j], text, m.locals)
			if !ok {
				continue
			}
			ev.Vendor, ev.Ref = lp.Vendor, facts.Ref{Section: e.sec.Index, Line: l.N}
			if ev.Peer == "" {
				switch {
				case conn != "" && m.connPeer[conn] != "":
					ev.Peer = m.connPeer[conn]
				case linePeer != "":
					ev.Peer = linePeer
				default:
					ev.Peer = m.lastPeer
				}
			}
			kept, dropped := e.addEvent(ev)
			matched = matched || kept
			if dropped > 0 && dropped != l.N {
				e.unquote(dropped)
			}
		}
	}
	if !matched {
		return
	}
	for i, r := range raws {
		e.quote(e.sec, l.N+i, r)
		if i > 0 {
			e.cont[l.N+i] = true
		}
	}
	if s := e.sec; s.isLog && s.logVendor == "" && claimed != 0 {
		// a log section's vendor is the vendor of its first line that
		// mattered, and names it when no command did
		for i := range e.lineParsers {
			if claimed&(1<<i) != 0 {
				s.logVendor = e.lineParsers[i].Vendor
				if s.name == "debug/log" {
					s.name = logSectionName[s.logVendor]
				}
				break
			}
		}
	}
}

// readSignature reads line with one signature: the event it means (no
// vendor, line or fallback peer yet), ok false when it does not match. A
// peer that is one of locals is not the peer.
func readSignature(sig *facts.Signature, line string, locals map[string]bool) (facts.Event, bool) {
	ev := facts.Event{Kind: sig.Event, State: sig.State}
	at := strings.Index(line, sig.Anchor)
	if at < 0 {
		return ev, false
	}
	if sig.Extract != nil {
		peer, state, detail, ok := sig.Extract(line, at)
		if !ok {
			return ev, false
		}
		if peer != "" && !locals[peer] {
			ev.Peer = peer
		}
		if state != "" {
			ev.State = state
		}
		ev.Detail = detail
		return ev, true
	}
	if sig.Re == nil {
		return ev, true
	}
	m := sig.Re.FindStringSubmatchIndex(line)
	if m == nil {
		return ev, false
	}
	for g, name := range sig.Re.SubexpNames() {
		if name == "" || m[2*g] < 0 {
			continue
		}
		v := line[m[2*g]:m[2*g+1]]
		switch name {
		case "peer":
			if !locals[v] {
				ev.Peer = v // the last one that is not local
			}
		case "state":
			ev.State = strings.ReplaceAll(strings.TrimSpace(v), " ", "")
		case "detail":
			ev.Detail = strings.TrimSpace(v)
		}
	}
	return ev, true
}

// notifyAlone is the state of a NO_PROPOSAL_CHOSEN notify that is the
// paste's first observation: no exchange, phase context or phase-1
// completion before it. It is read as phase 1 (no phase-1 completion is
// shown), with the confidence of a guess.
const notifyAlone = "notify, exchange not shown"

// addEvent resolves phase-less meanings from context and keeps the event,
// at most MaxEventsPerKey of a kind per peer and state (the newest always
// replaces the last kept one, so "the latest state" stays true).
// It reports whether the event was kept and, when it replaced an older
// one, that one's line.
func (e *engine) addEvent(ev facts.Event) (kept bool, dropped int) {
	m := &e.match
	switch ev.Kind {
	case facts.EvContextP1, facts.EvContextP2:
		m.context = ev.Kind
		return false, 0
	case facts.EvProposalOK:
		ev.Kind = facts.EvP1ProposalOK
		if m.context == facts.EvContextP2 {
			ev.Kind = facts.EvP2ProposalOK
		}
	case facts.EvProposalBad:
		ev.Kind = facts.EvP1ProposalBad
		if m.context == facts.EvContextP2 {
			ev.Kind = facts.EvP2ProposalBad
		}
	case facts.EvNoProposalNotify:
		ev.Kind = facts.EvP1NoProposal
		ev.State = "notify"
		if m.context == facts.EvContextP2 || m.p1[ev.Peer] {
			ev.Kind = facts.EvP2NoProposal
		} else if m.context == "" && len(e.facts.Events) == 0 {
			ev.State = notifyAlone // nothing before it says which exchange
		}
	case facts.EvP1Received, facts.EvP1Sent:
		if strings.HasPrefix(ev.State, "QM") {
			m.p1[ev.Peer] = true
		}
	case facts.EvStateChange:
		if strings.Contains(ev.State, "QM") || strings.Contains(ev.State, "P1_COMPLETE") {
			m.p1[ev.Peer] = true
		}
	case facts.EvP1Complete, facts.EvAuthOK, facts.EvP2Start:
		m.p1[ev.Peer] = true
	}
	if !e.peerKept(ev.Peer) {
		return false, 0
	}
	e.facts.Saw(ev.Vendor)
	k := evKey{ev.Kind, ev.Peer, ev.State}
	ks := m.keys[k]
	if ks == nil {
		if len(e.facts.Events) >= MaxEvents {
			m.eventsDropped++ // memory must not grow with the paste
			return false, 0
		}
		ks = &keyState{}
		m.keys[k] = ks
	}
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
	if ks := e.match.keys[k]; ks != nil {
		return ks.count
	}
	return 0
}

// peerKept reports whether events about peer are kept: the first MaxPeers
// distinct peers are, and the one asked about always is. A paste naming
// more peers than that (a hostile or generated one) would otherwise grow
// memory and the report with every line.
func (e *engine) peerKept(peer string) bool {
	m := &e.match
	if peer == "" || peer == e.opts.Peer || m.peers[peer] {
		return true
	}
	if len(m.peers) >= MaxPeers {
		m.peersDropped++
		return false
	}
	m.peers[peer] = true
	return true
}

// logSectionName labels a run of log lines pasted without a command echo.
var logSectionName = map[facts.Vendor]string{
	facts.VendorIOS:         "IOS debug/log",
	facts.VendorASA:         "ASA debug/syslog",
	facts.VendorStrongSwan:  "charon log",
	facts.VendorLibreswan:   "pluto log",
	facts.VendorUnknown:     "debug/log",
	gateways.VendorJunos:    "kmd log",
	gateways.VendorPANOS:    "PAN-OS system log",
	gateways.VendorFortiOS:  "FortiOS log",
	gateways.VendorMikroTik: "RouterOS log",
	gateways.VendorHuawei:   "VRP log",
	gateways.VendorZyXEL:    "ZyXEL IPSec log",
	gateways.VendorComware:  "Comware IKE debug",
	gateways.VendorAWS:      "AWS tunnel log",
	gateways.VendorAzure:    "Azure IKE log",
	gateways.VendorRacoon:   "racoon log",
}
