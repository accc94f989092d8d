package ios

import (
	"slices"
	"strings"

	"github.com/tunneldoc/tunneldoc/diagnose/facts"
)

// lineKey is a key of IPsecSA.Lines (the line that showed a field) with
// its bit in ipsecState.marked: the first line of each key is kept, and the
// bit answers "kept already?" without a map lookup per counter.
type lineKey struct {
	name string
	bit  uint32
}

func newLineKey(name string) lineKey {
	if nLineKeys == 32 {
		panic("ios: more than 32 IPsecSA.Lines keys")
	}
	nLineKeys++
	return lineKey{name, 1 << (nLineKeys - 1)}
}

var nLineKeys int

var (
	keyLocalIdent     = newLineKey("local_ident")
	keyRemoteIdent    = newLineKey("remote_ident")
	keyCurrentPeer    = newLineKey("current_peer")
	keyPathMTU        = newLineKey("path_mtu")
	keyOutboundSPI    = newLineKey("outbound_spi")
	keyInboundSPI     = newLineKey("inbound_spi")
	keyLocalEndpt     = newLineKey("local_endpt")
	keyEncaps         = newLineKey("encaps")
	keyEncrypt        = newLineKey("encrypt")
	keyDigest         = newLineKey("digest")
	keyDecaps         = newLineKey("decaps")
	keyDecrypt        = newLineKey("decrypt")
	keyVerify         = newLineKey("verify")
	keySendErrors     = newLineKey("send_errors")
	keyRecvErrors     = newLineKey("recv_errors")
	keyReplayFailed   = newLineKey("replay_failed")
	keyVerifyFailed   = newLineKey("verify_failed")
	keyNoSASend       = newLineKey("no_sa_send")
	keyInvalidSARecv  = newLineKey("invalid_sa_recv")
	keyEncapsFailed   = newLineKey("encaps_failed")
	keyDecapsFailed   = newLineKey("decaps_failed")
	keyPrefragFail    = newLineKey("prefrag_failures")
	keyPMTUsSent      = newLineKey("pmtus_sent")
	keyPMTUsRcvd      = newLineKey("pmtus_rcvd")
	keyFragmentsNeeds = newLineKey("fragments_needed")
)

// counterField maps a normalised counter name (lower case, single spaces,
// parenthesised qualifier dropped) to its place in facts.Counters and its
// key in IPsecSA.Lines.
type counterField struct {
	key lineKey
	set func(c *facts.Counters, n int64)
}

// counterTable lists the counters in the order IOS and ASA print them:
// the next name is tried first (ipsecState.nextCounter), before the map.
var counterTable = []struct {
	name  string
	field counterField
}{
	{"pkts encaps", counterField{keyEncaps, func(c *facts.Counters, n int64) { c.Encaps = n }}},
	{"pkts encrypt", counterField{keyEncrypt, func(c *facts.Counters, n int64) { c.Encrypt = n }}},
	{"pkts digest", counterField{keyDigest, func(c *facts.Counters, n int64) { c.Digest = n }}},
	{"pkts decaps", counterField{keyDecaps, func(c *facts.Counters, n int64) { c.Decaps = n }}},
	{"pkts decrypt", counterField{keyDecrypt, func(c *facts.Counters, n int64) { c.Decrypt = n }}},
	{"pkts verify", counterField{keyVerify, func(c *facts.Counters, n int64) { c.Verify = n }}},
	{"pkts no sa", counterField{keyNoSASend, func(c *facts.Counters, n int64) { c.NoSASend = n }}},
	{"pkts invalid sa", counterField{keyInvalidSARecv, func(c *facts.Counters, n int64) { c.InvalidSARecv = n }}},
	{"pkts encaps failed", counterField{keyEncapsFailed, func(c *facts.Counters, n int64) { c.EncapsFailed = n }}},
	{"pkts decaps failed", counterField{keyDecapsFailed, func(c *facts.Counters, n int64) { c.DecapsFailed = n }}},
	{"pkts verify failed", counterField{keyVerifyFailed, func(c *facts.Counters, n int64) { c.VerifyFailed = n }}},
	{"pkts replay failed", counterField{keyReplayFailed, func(c *facts.Counters, n int64) { c.ReplayFailed = n }}},
	{"send errors", counterField{keySendErrors, func(c *facts.Counters, n int64) { c.SendErrors = n }}},
	{"recv errors", counterField{keyRecvErrors, func(c *facts.Counters, n int64) { c.RecvErrors = n }}},
	{"pre-frag failures", counterField{keyPrefragFail, func(c *facts.Counters, n int64) { c.PreFragFailures = n }}},
	{"pmtus sent", counterField{keyPMTUsSent, func(c *facts.Counters, n int64) { c.PMTUsSent = n }}},
	{"pmtus rcvd", counterField{keyPMTUsRcvd, func(c *facts.Counters, n int64) { c.PMTUsRcvd = n }}},
	{"decapsulated frgs needing reassembly", counterField{keyFragmentsNeeds, func(c *facts.Counters, n int64) { c.FragmentsNeeded = n }}},
	{"decapsulated frags needing reassembly", counterField{keyFragmentsNeeds, func(c *facts.Counters, n int64) { c.FragmentsNeeded = n }}},
}

// counterFields indexes counterTable by name.
var counterFields = func() map[string]int {
	m := make(map[string]int, len(counterTable))
	for i, c := range counterTable {
		m[c.name] = i
	}
	return m
}()

// counterField looks a normalised counter name up: first as the counter
// after the last one found (counters come in print order), then by map.
func (st *ipsecState) counterField(name string) (counterField, bool) {
	i := st.nextCounter
	if i >= len(counterTable) || counterTable[i].name != name {
		var ok bool
		if i, ok = counterFields[name]; !ok {
			return counterField{}, false
		}
	}
	st.nextCounter = i + 1
	return counterTable[i].field, true
}

// counter is one "#name: value" pair found on a line; value is -1 when the
// line ended before the number (a wrapped paste puts it on the next line).
type counter struct {
	name  string
	value int64
}

// scanCounters reads every "#name[:] value" pair of a counter line. It is
// tolerant of doubled '#', missing colons and commas, and odd spacing.
func scanCounters(s string, out []counter) []counter {
	out = out[:0]
	for {
		i := strings.IndexByte(s, '#')
		if i < 0 {
			return out
		}
		i++
		for i < len(s) && (s[i] == '#' || s[i] == ' ') {
			i++
		}
		s = s[i:]
		// name runs to the first digit that starts a number token, or to ':'
		j := 0
		for j < len(s) && s[j] != '#' && s[j] != ':' && !(s[j] >= '0' && s[j] <= '9' && j > 0 && s[j-1] == ' ') {
			j++
		}
		name := normCounter(s[:j])
		for j < len(s) && (s[j] == ':' || s[j] == ' ') {
			j++
		}
		s = s[j:]
		k := 0
		for k < len(s) && s[k] >= '0' && s[k] <= '9' {
			k++
		}
		v := int64(-1)
		switch {
		case k > 0 && k <= 18: // no overflow possible
			v = 0
			for _, c := range []byte(s[:k]) {
				v = v*10 + int64(c-'0')
			}
		case k > 0:
			v = atoi64(s[:k])
		}
		if name != "" {
			out = append(out, counter{name, v})
		}
		s = s[k:]
	}
}

// normCounter lower-cases a counter name, drops a "(send)/(rcv)/(recv)"
// qualifier and squeezes spaces.
func normCounter(s string) string {
	clean := true // no upper-case letter, no double space
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '(' {
			s = s[:i]
			break
		}
		if 'A' <= c && c <= 'Z' || c == ' ' && i+1 < len(s) && s[i+1] == ' ' {
			clean = false
		}
	}
	isCut := func(c byte) bool { return c == ' ' || c == ',' || c == '.' }
	for len(s) > 0 && isCut(s[0]) {
		s = s[1:]
	}
	for len(s) > 0 && isCut(s[len(s)-1]) {
		s = s[:len(s)-1]
	}
	if clean {
		return s
	}
	s = lowerASCII(s)
	if strings.Contains(s, "  ") {
		s = strings.Join(strings.Fields(s), " ")
	}
	return s
}

// The keys ParseIPsecSA looks for anywhere in a line.
var (
	foldCryptoEndpt = newFoldKey("crypto endpt")
	foldPathMTU     = newFoldKey("path mtu")
	foldPCP         = newFoldKey("pcp")
	foldLocalEndpt  = newFoldKey("local crypto endpt")
	foldRemoteEndpt = newFoldKey("remote crypto endpt")
)

// ipsecState carries the context lines that precede ident blocks.
type ipsecState struct {
	vendor    facts.Vendor
	secIndex  int
	iface     string
	cmap      string
	localAddr string
	peerAddr  string         // ASA "peer address:" heading
	cur       *facts.IPsecSA // the SA being read: the last of f.IPsecSAs
	marked    uint32         // lineKey bits of the keys cur.Lines holds
	f         *facts.Facts
	start     int    // len(f.IPsecSAs) before the section
	dir       string // "in", "out" or "" while inside an esp sas list
	pending   []counter
	pendingN  int
	scratch   []counter // reused by counters()
	// nextCounter is the counterTable index after the last counter found
	nextCounter int
}

// flush ends the SA being read (it is in f.IPsecSAs already).
func (st *ipsecState) flush() {
	st.cur = nil
	st.dir = ""
	st.pending = nil
}

// open starts an SA at line n unless one is being read. The SA is
// appended to f.IPsecSAs at once and read in place: nothing else is
// appended there before it is flushed, so cur stays valid.
func (st *ipsecState) open(n int) *facts.IPsecSA {
	if st.cur == nil {
		f := st.f
		if k := len(f.IPsecSAs) - st.start; k >= 64 && len(f.IPsecSAs) == cap(f.IPsecSAs) {
			// double this section's share (append grows a long slice
			// by a quarter at a time)
			f.IPsecSAs = slices.Grow(f.IPsecSAs, k)
		}
		f.IPsecSAs = append(f.IPsecSAs, facts.IPsecSA{
			Vendor:    st.vendor,
			Interface: st.iface,
			CryptoMap: st.cmap,
			LocalAddr: st.localAddr,
			Peer:      st.peerAddr,
			Counters:  facts.NoCounters(),
			Lines:     make(map[string]int, 24),
			Ref:       facts.Ref{Section: st.secIndex, Line: n},
		})
		st.cur = &f.IPsecSAs[len(f.IPsecSAs)-1]
		st.marked = 0
	}
	return st.cur
}

// mark records line n for key unless the SA holds an earlier line for it.
func (st *ipsecState) mark(key lineKey, n int) {
	if st.cur != nil && st.marked&key.bit == 0 {
		st.marked |= key.bit
		st.cur.Lines[key.name] = n
	}
}

// ParseIPsecSA returns the reader of `show crypto ipsec sa [peer X]
// [detail] [interface X] [ipv6 detailed]` for vendor v; IOS and ASA share
// the block layout. One IPsecSA is produced per "local ident" block. The
// IOS table entry upgrades the vendor to ASA when the text carries ASA-only
// wording ("seq num:", "ipsec overhead", "#pkts comp failed").
func ParseIPsecSA(v facts.Vendor, emptyKind string) func(sec *facts.Section, f *facts.Facts) {
	return func(sec *facts.Section, f *facts.Facts) {
		vendor, marked := ipsecVendor(sec.Lines, v)
		if sec.Piece != nil {
			// a piece of a long output: the first piece whose wording
			// tells the vendor decides for the rest (every whole block
			// prints an IOS- or ASA-only counter line)
			if d, ok := sec.Piece["vendor"]; ok {
				vendor = facts.Vendor(d)
			} else if marked {
				sec.Piece["vendor"] = string(vendor)
			}
		}
		// SAs are read in place in f.IPsecSAs; a parser bug on hostile
		// input still drops them all (safeParse drops the section).
		start := len(f.IPsecSAs)
		defer func() {
			if r := recover(); r != nil {
				f.IPsecSAs = f.IPsecSAs[:start]
				panic(r)
			}
		}()
		st := &ipsecState{vendor: vendor, secIndex: sec.Index, f: f, start: start}
		var emptyRef facts.Ref
		for i, ln := range sec.Lines {
			t := trimHeading(ln.Text)
			if t == "" {
				continue
			}
			if len(st.pending) > 0 && st.cur != nil {
				// A counter whose value was wrapped onto this line.
				if isDigits(t) {
					c := st.pending[0]
					st.pending = st.pending[1:]
					if cf, ok := st.counterField(c.name); ok {
						cf.set(&st.cur.Counters, atoi64(t))
						st.mark(cf.key, st.pendingN)
					}
					continue
				}
				st.pending = nil
			}
			switch {
			case hasPrefixFold(t, "there are no ipsec sa"), hasPrefixFold(t, "no sas found"):
				emptyRef = facts.Ref{Section: sec.Index, Line: ln.N}
			case hasPrefixFold(t, "interface:"):
				st.flush()
				st.iface = strings.TrimSpace(t[len("interface:"):])
				st.cmap, st.localAddr, st.peerAddr = "", "", ""
				if emptyRef.Line == 0 {
					emptyRef = facts.Ref{Section: sec.Index, Line: ln.N}
				}
			case hasPrefixFold(t, "peer address:"):
				st.flush()
				st.peerAddr = firstField(t[len("peer address:"):])
			case hasPrefixFold(t, "crypto map tag:"):
				st.flush()
				st.cryptoMapTag(t)
			case hasPrefixFold(t, "local ident") || hasPrefixFold(t, "local  ident"):
				if st.cur != nil && st.cur.LocalIdent != "" || st.cur != nil && st.cur.Counters.Encaps >= 0 {
					st.flush()
				}
				sa := st.open(ln.N)
				sa.LocalIdent = identValue(t)
				st.mark(keyLocalIdent, ln.N)
			case hasPrefixFold(t, "remote ident"):
				sa := st.open(ln.N)
				sa.RemoteIdent = identValue(t)
				st.mark(keyRemoteIdent, ln.N)
			case hasPrefixFold(t, "current_peer") || hasPrefixFold(t, "current peer"):
				sa := st.open(ln.N)
				rest := strings.TrimLeft(t[len("current_peer"):], ": ")
				f0, rest := nextField(rest)
				if f0 != "" {
					sa.Peer = strings.TrimRight(f0, ",")
				}
				// the number after each "port" token (the last one wins)
				for prev := f0; prev != ""; {
					var fl string
					fl, rest = nextField(rest)
					if fl == "" {
						break
					}
					if strings.EqualFold(prev, "port") {
						sa.PeerPort, _ = atoi(fl)
					}
					prev = fl
				}
				st.mark(keyCurrentPeer, ln.N)
			case strings.HasPrefix(t, "#") || hasPrefixFold(t, "pkts "):
				st.counters(t, ln.N)
			case foldCryptoEndpt.in(t):
				st.endpoints(t, sec.Lines[i+1:], ln.N)
			case foldPathMTU.in(t):
				sa := st.open(ln.N)
				if v, ok := after(t, "path mtu"); ok {
					sa.PathMTU, _ = atoi(strings.Trim(firstField(v), ",:"))
				}
				st.mark(keyPathMTU, ln.N)
			case hasPrefixFold(t, "current outbound spi"):
				sa := st.open(ln.N)
				sa.CurrentOutboundSPI = spiValue(t)
				st.mark(keyOutboundSPI, ln.N)
			case hasPrefixFold(t, "pfs (y/n)"):
				sa := st.open(ln.N)
				pfs, _ := keyValue(t, "pfs (y/n)")
				sa.PFS = strings.ToUpper(pfs)
				if g, ok := keyValue(t, "dh group"); ok {
					sa.DHGroup = g
				}
			case hasSuffixFold(t, "sas:"):
				// ESP and AH SAs both carry traffic; PCP (compression)
				// SAs do not count.
				switch {
				case foldPCP.in(t):
					st.dir = ""
				case hasPrefixFold(t, "inbound"):
					st.dir = "in"
				case hasPrefixFold(t, "outbound"):
					st.dir = "out"
				default:
					st.dir = ""
				}
			case hasPrefixFold(t, "spi:"):
				if st.cur == nil || st.dir == "" {
					break
				}
				spi := spiValue(t)
				if spi == "" {
					break
				}
				if st.dir == "in" {
					st.cur.InboundSPIs = append(st.cur.InboundSPIs, spi)
					st.mark(keyInboundSPI, ln.N)
				} else {
					st.cur.OutboundSPIs = append(st.cur.OutboundSPIs, spi)
				}
			case hasPrefixFold(t, "transform:"):
				if st.cur == nil {
					break
				}
				tr := transformValue(t[len("transform:"):])
				if tr != "" && !contains(st.cur.Transforms, tr) {
					st.cur.Transforms = append(st.cur.Transforms, tr)
				}
			case hasPrefixFold(t, "in use settings"):
				// ASA: "in use settings ={L2L, Tunnel, PFS Group 2, }"
				if st.cur != nil {
					if g, ok := after(t, "pfs group"); ok {
						st.cur.PFS = "Y"
						st.cur.DHGroup = "group" + lowerASCII(strings.Trim(firstField(g), ",}"))
					}
				}
			}
		}
		st.flush()
		for i := start; i < len(f.IPsecSAs); i++ {
			f.Saw(f.IPsecSAs[i].Vendor)
		}
		if len(f.IPsecSAs) == start && emptyRef.Line != 0 && emptyKind != "" {
			f.MarkEmpty(emptyKind, emptyRef)
		}
	}
}

// ipsecVendor tells IOS from ASA by wording only one of them prints, so
// that either table entry labels the facts right whichever the engine
// tried first; def (and false) when the text shows neither.
func ipsecVendor(lines []facts.Line, def facts.Vendor) (facts.Vendor, bool) {
	for _, ln := range lines {
		t := ln.Text
		switch {
		case strings.Contains(t, "seq num:") || strings.Contains(t, "ipsec overhead") ||
			strings.Contains(t, "#pkts comp failed") || strings.HasPrefix(strings.TrimSpace(t), "peer address:") ||
			strings.Contains(t, "current_peer:") || strings.Contains(t, "media mtu"):
			return facts.VendorASA, true
		case strings.Contains(t, "ip mtu idb") || strings.Contains(t, "ipv6 mtu idb") ||
			strings.Contains(t, "#pkts compr. failed") || strings.Contains(t, "protected vrf:") ||
			strings.Contains(t, "plaintext mtu") || strings.Contains(t, "PERMIT, flags=") ||
			strings.Contains(t, "current_peer ") && strings.Contains(t, " port "): // ASA: "current_peer: X"
			return facts.VendorIOS, true
		}
	}
	return def, false
}

// cryptoMapTag reads "Crypto map tag: T, local addr A" (IOS) or
// "Crypto map tag: T, seq num: N, local addr: A" (ASA).
func (st *ipsecState) cryptoMapTag(t string) {
	rest := strings.TrimSpace(t[len("crypto map tag:"):])
	parts := strings.Split(rest, ",")
	if len(parts) > 0 {
		st.cmap = strings.TrimSpace(parts[0])
	}
	for _, p := range parts[1:] {
		p = strings.TrimSpace(p)
		if v, ok := after(p, "local addr"); ok && hasPrefixFold(p, "local addr") {
			st.localAddr = firstField(strings.TrimLeft(v, ": "))
		}
	}
}

// endpoints reads "local crypto endpt.: A, remote crypto endpt.: B"; the
// remote part may be on the next line.
func (st *ipsecState) endpoints(t string, next []facts.Line, n int) {
	sa := st.open(n)
	text := t
	li, ri := foldLocalEndpt.index(text), foldRemoteEndpt.index(text)
	if li >= 0 && ri < 0 {
		for _, nl := range next {
			nt := strings.TrimSpace(nl.Text)
			if nt == "" {
				continue
			}
			if hasPrefixFold(nt, "remote crypto endpt") {
				text += " " + nt
				ri = foldRemoteEndpt.index(text)
			}
			break
		}
	}
	if li >= 0 {
		sa.LocalEndpt = endptValue(text[li+len(foldLocalEndpt.s):])
	}
	if ri >= 0 {
		sa.RemoteEndpt = endptValue(text[ri+len(foldRemoteEndpt.s):])
	}
	st.mark(keyLocalEndpt, n)
}

// endptValue reads the address after an endpoint key (rest is the text
// after the key).
func endptValue(rest string) string {
	f := firstField(strings.TrimLeft(strings.TrimSpace(rest), ".: "))
	if f == "" {
		return ""
	}
	a, _ := splitHostPort(strings.TrimRight(f, ","))
	return a
}

func (st *ipsecState) counters(t string, n int) {
	cs := scanCounters(t, st.scratch)
	st.scratch = cs
	if len(cs) == 0 {
		return
	}
	sa := st.open(n)
	for i, c := range cs {
		if c.value < 0 {
			if i == len(cs)-1 {
				// value wrapped to the next line: remember the name
				st.pending = append(st.pending, c)
				st.pendingN = n
			}
			continue
		}
		if cf, ok := st.counterField(c.name); ok {
			cf.set(&sa.Counters, c.value)
			st.mark(cf.key, n)
		}
	}
}

// identValue reads "(10.1.1.0/255.255.255.0/0/0)" from an ident line.
func identValue(t string) string {
	i := strings.LastIndexByte(t, '(')
	j := strings.LastIndexByte(t, ')')
	if i >= 0 && j > i {
		return strings.TrimSpace(t[i+1 : j])
	}
	if k := strings.LastIndexByte(t, ':'); k >= 0 {
		return strings.TrimSpace(t[k+1:])
	}
	return ""
}

// spiValue reads "spi: 0x658F7C11(1703902225)", "0x1E8246FC (511854332)",
// "DC15BF68" or "[Not Available]" and keeps the hexadecimal part.
func spiValue(t string) string {
	i := strings.IndexByte(t, ':')
	if i < 0 {
		return ""
	}
	v := strings.TrimSpace(t[i+1:])
	if strings.HasPrefix(v, "[") {
		if j := strings.IndexByte(v, ']'); j > 0 {
			return v[:j+1]
		}
		return v
	}
	if j := strings.IndexAny(v, "( "); j >= 0 {
		v = v[:j]
	}
	return v
}

// transformValue normalises "esp-256-aes esp-sha256-hmac ," and ASA's
// "esp-aes-256 esp-md5-hmac no compression".
func transformValue(s string) string {
	s = strings.TrimSpace(s)
	s = strings.TrimRight(s, ", ")
	if i := indexFold(s, "no compression"); i >= 0 {
		s = strings.TrimSpace(s[:i])
	}
	return squeezeSpaces(s)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
