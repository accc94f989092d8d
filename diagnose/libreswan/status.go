package libreswan

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/tunneldoc/tunneldoc/diagnose/facts"
)

// KindStatus is the section kind of the status commands.
const KindStatus = "libreswan/ipsec status"

// kindNoIKESA records a status output whose state list was empty.
const kindNoIKESA = "libreswan/ike sas"

// Parsers read the status commands. `ipsec status` and `ipsec whack
// --status` print the same thing; `ipsec showstates` prints their state
// rows alone and `ipsec trafficstatus` one row per IPsec SA with its byte
// counters. One reader takes all four: each row says what it is.
var Parsers = []facts.Parser{{
	Name:    KindStatus,
	Vendor:  facts.VendorLibreswan,
	Command: regexp.MustCompile(`^(?:sudo\s+)?ipsec\s+(?:status|whack\s+--(?:status|showstates|trafficstatus)|showstates|trafficstatus|briefstatus)\b`),
	Header:  isStatusHeader,
	Parse:   parseStatus,
}}

// The rows the status commands print (libreswan 4.10 state.c,
// connections.c; 4.x prefixes every line with whack's "000 ", trafficstatus
// with "006 "; 5.x prints no prefix):
//
//	000 "lab": 10.61.7.0/24===198.18.44.1[@a]...198.18.44.2===10.62.7.0/24; erouted; eroute owner: #2
//	000 #1: "lab":500 STATE_MAIN_I4 (IKE SA established); EVENT_SA_REPLACE in 27901s; newest; idle;
//	000 #2: "lab":500 STATE_QUICK_I2 (IPsec SA established); EVENT_SA_REPLACE in 28000s; newest; eroute owner; ISAKMP SA #1; idle;
//	000 #2: "lab" esp.4e5d7f8e@198.18.44.2 esp.d3a1f0c2@198.18.44.1 tun.0@198.18.44.2 tun.0@198.18.44.1 Traffic: ESPin=84B ESPout=84B ESPmax=2^63B
//	006 #2: "lab", type=ESP, add_time=1701890000, inBytes=84, outBytes=84, maxBytes=2^63B, id='198.18.44.2'
//	000 IKE SAs: total(0), half-open(0), open(0), authenticated(0), anonymous(0)
//
// A template instance is printed "rw"[1] 192.0.2.7 where a plain
// connection is "lab".

func isStatusHeader(line string) bool {
	s := stripCode(line)
	switch {
	case strings.HasPrefix(s, "using kernel interface: "), strings.HasPrefix(s, "State Information: "):
		return true
	case strings.HasPrefix(s, "#"):
		_, rest, ok := stateRow(s)
		if !ok {
			return false
		}
		_, _, rest = connOf(rest)
		return isStateName(firstWord(rest)) || strings.HasPrefix(rest, ", type=") || strings.Contains(rest, " Traffic: ")
	}
	return false
}

// stripCode takes whack's "000 " off a line.
func stripCode(s string) string {
	if len(s) > 4 && isDigit(s[0]) && isDigit(s[1]) && isDigit(s[2]) && s[3] == ' ' {
		return s[4:]
	}
	return s
}

// stateRow reads `#12: "conn"[1] 192.0.2.7` at the start of s: the state
// serial, the instance's peer (when it is one) and what follows, with the
// ":500" remote port of a state row dropped.
func stateRow(s string) (serial int, rest string, ok bool) {
	if !strings.HasPrefix(s, "#") {
		return 0, "", false
	}
	colon := strings.Index(s, ": ")
	if colon < 2 {
		return 0, "", false
	}
	n, err := strconv.Atoi(s[1:colon])
	if err != nil {
		return 0, "", false
	}
	rest = s[colon+2:]
	if !strings.HasPrefix(rest, `"`) {
		return 0, "", false
	}
	return n, rest, true
}

// connOf splits `"lab":500 STATE_...`, `"rw"[1] 192.0.2.7:4500 STATE_...`,
// `"lab", type=...` or `"lab" esp....` into the connection name, the
// instance's peer and the rest.
func connOf(s string) (name, peer, rest string) {
	q := strings.IndexByte(s[1:], '"')
	if q < 0 {
		return "", "", ""
	}
	name, rest = s[1:q+1], s[q+2:]
	for strings.HasPrefix(rest, "[") {
		e := strings.IndexByte(rest, ']')
		if e < 0 {
			break
		}
		rest = rest[e+1:]
		if strings.HasPrefix(rest, " ") {
			w := strings.TrimSuffix(firstWord(rest[1:]), ",")
			if a := hostOf(w); isAddr(a) {
				peer, rest = a, rest[1+len(w):]
			}
		}
	}
	if strings.HasPrefix(rest, ":") || strings.HasPrefix(rest, "(") { // remote port
		rest = rest[len(firstWord(rest)):]
	}
	return name, peer, strings.TrimPrefix(rest, " ")
}

// hostOf drops a ":port" from an address (IPv4 only: an IPv6 address is
// printed without its port in these rows).
func hostOf(w string) string {
	if strings.Count(w, ":") == 1 {
		return w[:strings.IndexByte(w, ':')]
	}
	return w
}

func firstWord(s string) string {
	if i := strings.IndexAny(s, " \t"); i >= 0 {
		return s[:i]
	}
	return s
}

// isStateName: a pluto state name (STATE_MAIN_I4, STATE_V2_ESTABLISHED_IKE_SA).
func isStateName(w string) bool {
	if !strings.HasPrefix(w, "STATE_") || len(w) == len("STATE_") {
		return false
	}
	for i := 0; i < len(w); i++ {
		if c := w[i]; !(c >= 'A' && c <= 'Z' || isDigit(c) || c == '_') {
			return false
		}
	}
	return true
}

// conn is one connection line of `ipsec status`.
type conn struct {
	local, peer       string
	localNet, peerNet string
}

// parseConnLine reads `"lab": 10.61.7.0/24===198.18.44.1[@a]...198.18.44.2===10.62.7.0/24; ...`.
func parseConnLine(rest string) (conn, bool) {
	spec := rest
	if i := strings.IndexByte(spec, ';'); i >= 0 {
		spec = spec[:i]
	}
	dots := strings.Index(spec, "...")
	if dots < 0 {
		return conn{}, false
	}
	var c conn
	c.localNet, c.local = splitEnd(spec[:dots], true)
	c.peerNet, c.peer = splitEnd(spec[dots+3:], false)
	return c, c.peer != "" || c.local != ""
}

// splitEnd reads one end of a connection: "net===host[id]---hop" on the
// local side, "hop---host[id]===net" on the peer side.
func splitEnd(s string, local bool) (net, host string) {
	if i := strings.Index(s, "==="); i >= 0 {
		if local {
			net, s = s[:i], s[i+3:]
		} else {
			s, net = s[:i], s[i+3:]
		}
	}
	if i := strings.Index(s, "---"); i >= 0 {
		if local {
			s = s[:i]
		} else {
			s = s[i+3:]
		}
	}
	for _, cut := range []string{"[", "<"} {
		if i := strings.Index(s, cut); i >= 0 {
			s = s[:i]
		}
	}
	if !isAddr(s) {
		s = ""
	}
	return net, s
}

func parseStatus(sec *facts.Section, f *facts.Facts) {
	conns := map[string]conn{}
	child := map[int]int{} // state serial -> index in f.IPsecSAs
	sawStates, ikeRows := false, 0
	ref := func(l facts.Line) facts.Ref { return facts.Ref{Section: sec.Index, Line: l.N} }
	peerOf := func(name, instancePeer string) (local, peer string) {
		c := conns[name]
		if instancePeer != "" {
			return c.local, instancePeer
		}
		return c.local, c.peer
	}
	ipsecSA := func(serial int, name, instancePeer string, l facts.Line) *facts.IPsecSA {
		if i, ok := child[serial]; ok {
			return &f.IPsecSAs[i]
		}
		local, peer := peerOf(name, instancePeer)
		c := conns[name]
		sa := facts.IPsecSA{Vendor: facts.VendorLibreswan, CryptoMap: name, LocalAddr: local, Peer: peer,
			LocalEndpt: local, RemoteEndpt: peer, LocalIdent: c.localNet, RemoteIdent: c.peerNet,
			Counters: facts.NoCounters(), Lines: map[string]int{}, Ref: ref(l)}
		child[serial] = len(f.IPsecSAs)
		f.IPsecSAs = append(f.IPsecSAs, sa)
		f.Saw(facts.VendorLibreswan)
		return &f.IPsecSAs[len(f.IPsecSAs)-1]
	}
	for _, l := range sec.Lines {
		s := stripCode(strings.TrimSpace(l.Text))
		switch {
		case strings.HasPrefix(s, `"`):
			name, _, rest := connOf(s)
			if strings.HasPrefix(rest, ": ") {
				rest = rest[2:]
			} else {
				rest = strings.TrimPrefix(rest, ":")
			}
			if c, ok := parseConnLine(rest); ok && name != "" {
				if _, seen := conns[name]; !seen {
					conns[name] = c
				}
			}
		case strings.HasPrefix(s, "IKE SAs: total(") || strings.HasPrefix(s, "State Information:"):
			sawStates = true
			if strings.HasPrefix(s, "IKE SAs: total(0)") {
				f.MarkEmpty(kindNoIKESA, ref(l))
			}
		case strings.HasPrefix(s, "#"):
			serial, rest, ok := stateRow(s)
			if !ok {
				continue
			}
			name, instancePeer, rest := connOf(rest)
			word := firstWord(rest)
			switch {
			case isStateName(word):
				story := ""
				if o := strings.IndexByte(rest, '('); o >= 0 {
					if c := strings.IndexByte(rest[o:], ')'); c > 0 {
						story = rest[o+1 : o+c]
					}
				}
				if isChildState(word) {
					sa := ipsecSA(serial, name, instancePeer, l)
					sa.Lines["state"] = l.N
					if !strings.Contains(story, "established") {
						sa.Lines["pending"] = l.N
					}
					continue
				}
				local, peer := peerOf(name, instancePeer)
				row := facts.IKESA{Vendor: facts.VendorLibreswan, Version: ikeVersion(word), Local: local, Peer: peer,
					State: word, Status: story, Role: role(word), ConnID: serial, Ref: ref(l)}
				f.IKESAs = append(f.IKESAs, row)
				f.Saw(facts.VendorLibreswan)
				ikeRows++
			case strings.Contains(rest, " Traffic: ") || strings.HasPrefix(word, "esp.") || strings.HasPrefix(word, "ah."):
				sa := ipsecSA(serial, name, instancePeer, l)
				readSAIDs(sa, rest)
				readTraffic(sa, rest, l.N)
			case strings.HasPrefix(rest, ", type="):
				sa := ipsecSA(serial, name, instancePeer, l)
				readTrafficStatus(sa, rest, l.N)
				if sa.Peer == "" {
					if id := quotedField(rest, "id='"); isAddr(id) {
						sa.Peer, sa.RemoteEndpt = id, id
					}
				}
				// trafficstatus lists installed IPsec SAs only; it shows
				// no SPI, the state serial stands for one
				if !sa.HasSAs() {
					sa.CurrentOutboundSPI = "#" + strconv.Itoa(serial)
				}
			}
		}
	}
	if sawStates && ikeRows == 0 && len(sec.Lines) > 0 {
		f.MarkEmpty(kindNoIKESA, facts.Ref{Section: sec.Index, Line: sec.Lines[0].N})
	}
}

// ikeVersion by the state's name: Main and Aggressive Mode are IKEv1.
func ikeVersion(state string) int {
	switch {
	case strings.HasPrefix(state, "STATE_MAIN_"), strings.HasPrefix(state, "STATE_AGGR_"),
		strings.HasPrefix(state, "STATE_XAUTH_"), strings.HasPrefix(state, "STATE_MODE_CFG_"):
		return 1
	case strings.HasPrefix(state, "STATE_V2_"), strings.HasPrefix(state, "STATE_PARENT_"):
		return 2
	}
	return 0
}

// role by the state's name where it tells (STATE_MAIN_I4, STATE_PARENT_R2).
func role(state string) string {
	i := strings.LastIndexByte(state, '_')
	if i < 0 || i+1 >= len(state) {
		return ""
	}
	switch state[i+1] {
	case 'I':
		return "initiator"
	case 'R':
		return "responder"
	}
	return ""
}

// readSAIDs reads "esp.4e5d7f8e@198.18.44.2 esp.d3a1f0c2@198.18.44.1": the
// outbound SA is the one towards the peer, listed first.
func readSAIDs(sa *facts.IPsecSA, rest string) {
	out := true
	for _, w := range strings.Fields(rest) {
		if w == "Traffic:" {
			break
		}
		at := strings.IndexByte(w, '@')
		if at < 0 || !(strings.HasPrefix(w, "esp.") || strings.HasPrefix(w, "ah.")) {
			continue
		}
		spi := w[strings.IndexByte(w, '.')+1 : at]
		if out {
			sa.OutboundSPIs = append(sa.OutboundSPIs, spi)
			sa.CurrentOutboundSPI = "0x" + spi
			if sa.Peer == "" {
				sa.Peer, sa.RemoteEndpt = w[at+1:], w[at+1:]
			}
		} else {
			sa.InboundSPIs = append(sa.InboundSPIs, spi)
		}
		out = !out
	}
}

// readTraffic reads "Traffic: ESPin=84B ESPout=1KB ESPmax=2^63B": bytes
// in and out, as the encaps / decaps counters (the output counts bytes,
// not packets).
func readTraffic(sa *facts.IPsecSA, rest string, line int) {
	t := rest[strings.Index(rest, "Traffic:")+len("Traffic:"):]
	for _, w := range strings.Fields(t) {
		k, v, ok := strings.Cut(w, "=")
		if !ok {
			continue
		}
		n, ok := humber(v)
		if !ok {
			continue
		}
		switch k {
		case "ESPin", "AHin":
			sa.Counters.Decaps, sa.Lines["decaps"] = n, line
		case "ESPout", "AHout":
			sa.Counters.Encaps, sa.Lines["encaps"] = n, line
		}
	}
}

// readTrafficStatus reads ", type=ESP, add_time=..., inBytes=84, outBytes=84, ...".
func readTrafficStatus(sa *facts.IPsecSA, rest string, line int) {
	for _, part := range strings.Split(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			continue
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			continue
		}
		switch k {
		case "inBytes":
			sa.Counters.Decaps, sa.Lines["decaps"] = n, line
		case "outBytes":
			sa.Counters.Encaps, sa.Lines["encaps"] = n, line
		}
	}
}

// humber reads pluto's readable byte counts: "84B", "1KB", "12MB", "3GB"
// (an approximation above a kilobyte, as printed). "!" marks a counter
// pluto could not read fresh; the value still stands.
func humber(v string) (int64, bool) {
	v = strings.TrimSuffix(v, "!")
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		m      int64
	}{{"KB", 1 << 10}, {"MB", 1 << 20}, {"GB", 1 << 30}, {"TB", 1 << 40}, {"B", 1}} {
		if strings.HasSuffix(v, u.suffix) {
			v, mult = strings.TrimSuffix(v, u.suffix), u.m
			break
		}
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, false
	}
	return n * mult, true
}

// quotedField returns the text between key (ending in a quote) and the
// next quote.
func quotedField(s, key string) string {
	i := strings.Index(s, key)
	if i < 0 {
		return ""
	}
	rest := s[i+len(key):]
	if j := strings.IndexByte(rest, '\''); j >= 0 {
		return rest[:j]
	}
	return ""
}
