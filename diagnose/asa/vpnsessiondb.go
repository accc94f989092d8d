package asa

import (
	"strconv"
	"strings"

	"github.com/tunneldoc/tunneldoc/diagnose/facts"
	"github.com/tunneldoc/tunneldoc/diagnose/ios"
)

// sessionBlock is one "Connection :" block being read.
type sessionBlock struct {
	s                  facts.Session
	ip                 string
	ikeCount, ipsecCnt int
	ikeBlocks          int
	counted            bool   // tunnel/session count lines were shown
	protocol           string // "IKEv1 IPsec", "IKE IPsec", "IPSecLAN2LAN"
	flow               *facts.Flow
}

// parseVPNSessionDB reads `show vpn-sessiondb [detail] l2l`. One Session per
// "Connection :" block: Peer is the connection name when it is an address,
// else "IP Addr"; each "IPsec:" sub-block is a Flow ("local A remote B",
// Pkts Rx as decrypted, Pkts Tx as encrypted, ActiveSAs 2: an ASA IPsec
// tunnel is an inbound/outbound SA pair). Status follows IOS wording:
// UP-ACTIVE (IKE and IPsec), UP-IDLE (IKE only), UP-NO-IKE (IPsec only),
// DOWN (neither).
func parseVPNSessionDB(sec *facts.Section, f *facts.Facts) {
	var out []facts.Session
	var cur *sessionBlock
	mode := ""
	flush := func() {
		if cur == nil {
			return
		}
		if cur.flow != nil {
			cur.s.Flows = append(cur.s.Flows, *cur.flow)
			cur.flow = nil
		}
		if cur.s.Peer == "" || !isAddr(cur.s.Peer) && isAddr(cur.ip) {
			cur.s.Peer = cur.ip
		}
		ike := max(cur.ikeCount, cur.ikeBlocks)
		ipsec := max(cur.ipsecCnt, len(cur.s.Flows))
		if !cur.counted {
			// `show vpn-sessiondb l2l` without detail has no tunnel
			// counts: the Protocol line says what is up.
			p := lowerASCII(cur.protocol)
			if strings.Contains(p, "ike") {
				ike = max(ike, 1)
			}
			if strings.Contains(strings.Replace(p, "ikev", "", -1), "ipsec") {
				ipsec = max(ipsec, 1)
			}
		}
		switch {
		case ike > 0 && ipsec > 0:
			cur.s.Status = "UP-ACTIVE"
		case ike > 0:
			cur.s.Status = "UP-IDLE"
		case ipsec > 0:
			cur.s.Status = "UP-NO-IKE"
		default:
			cur.s.Status = "DOWN"
		}
		if ike > 0 {
			cur.s.IKEState = "Active"
		}
		out = append(out, cur.s)
		cur = nil
	}
	var emptyRef facts.Ref
	var kv columns // the line's columns, one buffer for the section
	for _, ln := range sec.Lines {
		t := trim(ln.Text)
		if t == "" {
			continue
		}
		ref := facts.Ref{Section: sec.Index, Line: ln.N}
		kv = pairs(t, kv[:0])
		switch {
		case hasPrefixFold(t, "info: there are presently no active sessions"):
			emptyRef = ref
			continue
		case hasPrefixFold(t, "connection") && strings.Contains(t, ":"):
			flush()
			cur = &sessionBlock{s: facts.Session{Vendor: facts.VendorASA, Port: 0, Ref: ref}}
			cur.s.Peer, _ = kv.get("connection")
			mode = ""
			continue
		}
		if cur == nil {
			continue
		}
		switch {
		case equalFold(t, "ike:") || equalFold(t, "ikev1:") || equalFold(t, "ikev2:"):
			mode = "ike"
			cur.ikeBlocks++
			continue
		case hasPrefixFold(t, "ipsec") && strings.HasSuffix(t, ":") && strings.Count(t, ":") == 1 && !strings.Contains(t, " "):
			// IPsec:, IPsecOverNatT:, IPsecOverUDP: ...
			mode = "ipsec"
			if cur.flow != nil {
				cur.s.Flows = append(cur.s.Flows, *cur.flow)
			}
			cur.flow = &facts.Flow{ActiveSAs: 2, PktsDecrypted: -1, PktsEncrypted: -1, InDrop: -1, OutDrop: -1, Ref: ref}
			continue
		case strings.HasSuffix(t, ":") && !strings.ContainsAny(strings.TrimSuffix(t, ":"), ": "):
			mode = "other" // NAC:, etc.
			continue
		}
		if v, ok := kv.get("ip addr"); ok {
			cur.ip = v
		}
		if v, ok := kv.get("protocol"); ok && mode == "" {
			cur.protocol = v
		}
		for _, c := range kv {
			n, err := strconv.Atoi(ios.FirstField(c.val))
			if err != nil {
				continue
			}
			k := lowerASCII(ios.SqueezeSpaces(c.key))
			switch k {
			case "ike tunnels", "ike sessions", "ikev1 tunnels", "ikev2 tunnels":
				cur.ikeCount += n
				cur.counted = true
			default:
				if strings.HasPrefix(k, "ipsec") && (strings.HasSuffix(k, " tunnels") || strings.HasSuffix(k, " sessions")) {
					cur.ipsecCnt += n
					cur.counted = true
				}
			}
		}
		switch mode {
		case "ike":
			if v, ok := kv.get("udp dst port"); ok {
				cur.s.Port, _ = strconv.Atoi(v)
			}
		case "ipsec":
			fl := cur.flow
			if v, ok := kv.get("local addr"); ok {
				fl.Flow = strings.TrimSpace("local " + v + " " + fl.Flow)
			}
			if v, ok := kv.get("remote addr"); ok {
				fl.Flow = strings.TrimSpace(fl.Flow + " remote " + v)
			}
			if v, ok := kv.get("pkts tx"); ok {
				fl.PktsEncrypted = num(v)
				fl.Ref = ref
			}
			if v, ok := kv.get("pkts rx"); ok {
				fl.PktsDecrypted = num(v)
				fl.Ref = ref
			}
		}
	}
	flush()
	for i := range out {
		f.Sessions = append(f.Sessions, out[i])
		f.Saw(facts.VendorASA)
	}
	if len(out) == 0 && emptyRef.Line != 0 {
		f.MarkEmpty(NameVPNSessionDB, emptyRef)
	}
}

// column is one "Key : value" of a vpn-sessiondb line, the key as printed.
type column struct{ key, val string }

// columns are a line's columns; a key holds once (its first value), keys
// compared lower-cased with single spaces.
type columns []column

// get returns the value of key (lower case, single spaces).
func (cs columns) get(key string) (string, bool) {
	for _, c := range cs {
		if ios.EqualFields(c.key, key) {
			return c.val, true
		}
	}
	return "", false
}

func (cs columns) has(key string) bool {
	for _, c := range cs {
		if ios.SameFields(c.key, key) {
			return true
		}
	}
	return false
}

// pairs appends the "Key : value" columns of one vpn-sessiondb line to
// out. A value runs to two spaces before the next key.
func pairs(t string, out columns) columns {
	rest := t
	for {
		i := strings.IndexByte(rest, ':')
		if i <= 0 {
			return out
		}
		key := rest[:i]
		rest = rest[i+1:]
		// the value ends where a run of 2+ spaces precedes another "Key :"
		end := len(rest)
		for j := 0; j+1 < len(rest); j++ {
			if rest[j] == ' ' && rest[j+1] == ' ' {
				tail := strings.TrimSpace(rest[j:])
				if k := strings.IndexByte(tail, ':'); k > 0 && !strings.ContainsAny(tail[:k], "0123456789") {
					end = j
					break
				}
			}
		}
		if !out.has(key) {
			out = append(out, column{key, strings.TrimSpace(rest[:end])})
		}
		if end == len(rest) {
			return out
		}
		rest = rest[end:]
	}
}

func num(v string) int64 {
	fs := strings.Fields(v)
	if len(fs) == 0 {
		return -1
	}
	n, err := strconv.ParseInt(fs[0], 10, 64)
	if err != nil {
		return -1
	}
	return n
}

func isAddr(s string) bool {
	dots, colons := strings.Count(s, "."), strings.Count(s, ":")
	if dots == 3 && colons == 0 {
		for _, p := range strings.Split(s, ".") {
			if _, err := strconv.Atoi(p); err != nil {
				return false
			}
		}
		return true
	}
	return colons >= 2
}

// equalFold is strings.EqualFold for an ASCII b, folding ASCII only.
func equalFold(a, b string) bool { return len(a) == len(b) && hasPrefixFold(a, b) }
