package compare

import (
	"encoding/base64"
	"encoding/hex"
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// swanNode is one section of a swanctl.conf: its key = value settings and
// its subsections, with line numbers.
type swanNode struct {
	name string
	line int
	kv   map[string]swanValue
	subs []*swanNode
}

type swanValue struct {
	v    string
	line int
}

func (n *swanNode) get(k string) (swanValue, bool) {
	v, ok := n.kv[k]
	return v, ok
}

func (n *swanNode) sub(name string) *swanNode {
	for _, s := range n.subs {
		if s.name == name {
			return s
		}
	}
	return nil
}

// parseSwanTree reads the section syntax. It never fails: unbalanced
// braces close at the end, stray ones are ignored.
func parseSwanTree(lines []string) *swanNode {
	root := &swanNode{kv: map[string]swanValue{}}
	stack := []*swanNode{root}
	for i, raw := range lines {
		l := stripSwanComment(raw)
		for l != "" {
			cur := stack[len(stack)-1]
			l = strings.TrimSpace(l)
			switch {
			case l == "":
			case strings.HasPrefix(l, "}"):
				if len(stack) > 1 {
					stack = stack[:len(stack)-1]
				}
				l = l[1:]
				continue
			case strings.Contains(l, "{") && (!strings.Contains(l, "=") || strings.Index(l, "{") < strings.Index(l, "=")):
				j := strings.Index(l, "{")
				n := &swanNode{name: strings.TrimSpace(l[:j]), line: i + 1, kv: map[string]swanValue{}}
				cur.subs = append(cur.subs, n)
				stack = append(stack, n)
				l = l[j+1:]
				continue
			case strings.Contains(l, "="):
				j := strings.Index(l, "=")
				k := strings.TrimSpace(l[:j])
				v := strings.TrimSpace(l[j+1:])
				rest := ""
				if e := strings.Index(v, "}"); e >= 0 && !strings.HasPrefix(v, `"`) {
					v, rest = strings.TrimSpace(v[:e]), v[e:]
				}
				cur.kv[k] = swanValue{strings.Trim(v, `"`), i + 1}
				l = rest
				continue
			}
			l = ""
		}
	}
	return root
}

func stripSwanComment(l string) string {
	inQ := false
	for i, r := range l {
		switch r {
		case '"':
			inQ = !inQ
		case '#':
			if !inQ {
				return l[:i]
			}
		}
	}
	return l
}

// swanDuration reads "4h", "30m", "3600", "1d", "90s".
func swanDuration(s string) (int, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, false
	}
	mul := 1
	switch s[len(s)-1] {
	case 's':
		s = s[:len(s)-1]
	case 'm':
		mul, s = 60, s[:len(s)-1]
	case 'h':
		mul, s = 3600, s[:len(s)-1]
	case 'd':
		mul, s = 86400, s[:len(s)-1]
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, false
	}
	return n * mul, true
}

func splitList(s string) []string {
	var out []string
	for _, x := range strings.Split(s, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

// decodeSwanSecret: strongSwan writes binary secrets as 0x<hex> or
// 0s<base64>; two sides may encode the same key differently.
func decodeSwanSecret(s string) string {
	switch {
	case strings.HasPrefix(s, "0x"):
		if b, err := hex.DecodeString(s[2:]); err == nil {
			return string(b)
		}
	case strings.HasPrefix(s, "0s"):
		if b, err := base64.StdEncoding.DecodeString(s[2:]); err == nil {
			return string(b)
		}
	}
	return s
}

func parseSwan(d *device) {
	root := parseSwanTree(d.lines)
	d.ike = map[int][]proposal{}
	if conns := root.sub("connections"); conns != nil {
		for _, cn := range conns.subs {
			swanConnection(d, cn)
		}
	}
	if secs := root.sub("secrets"); secs != nil {
		for _, s := range secs.subs {
			if !strings.HasPrefix(s.name, "ike") {
				continue
			}
			sv, ok := s.get("secret")
			if !ok {
				continue
			}
			e := pskEntry{version: 0, line: sv.line, head: s.line,
				local: secret{decodeSwanSecret(sv.v)}, remote: secret{decodeSwanSecret(sv.v)}, hasLocal: true, hasRem: true}
			for k, v := range s.kv {
				if k == "id" || strings.HasPrefix(k, "id-") || strings.HasPrefix(k, "id_") {
					e.ids = append(e.ids, v.v)
					if e.line2 == 0 || v.line < e.line2 {
						e.line2 = v.line
					}
				}
			}
			slices.Sort(e.ids) // map order is random; output must not be
			d.keys = append(d.keys, e)
			d.secrets = append(d.secrets, sv.v, decodeSwanSecret(sv.v))
		}
	}
}

func swanConnection(d *device, cn *swanNode) {
	versions := []int{1, 2}
	verLine := cn.line
	if v, ok := cn.get("version"); ok {
		verLine = v.line
		switch v.v {
		case "1":
			versions = []int{1}
		case "2":
			versions = []int{2}
		}
	}
	var peers []addrRef
	var peerNets []netip.Prefix
	if v, ok := cn.get("remote_addrs"); ok {
		for _, a := range splitList(v.v) {
			if x, ok := parseAddr(a); ok {
				peers = append(peers, addrRef{addr: x, line: v.line})
			} else if p, err := netip.ParsePrefix(a); err == nil {
				peerNets = append(peerNets, p)
			} else if a == "%any" || a == "%any4" || a == "%any6" {
				peerNets = append(peerNets, netip.MustParsePrefix("0.0.0.0/0"))
			} else {
				d.notes = append(d.notes, "remote_addrs "+a+" of "+cn.name+" is a name, not resolved")
			}
		}
	} else {
		peerNets = append(peerNets, netip.MustParsePrefix("0.0.0.0/0"))
	}
	var locals []netip.Addr
	if v, ok := cn.get("local_addrs"); ok {
		for _, a := range splitList(v.v) {
			if x, ok := parseAddr(a); ok {
				locals = append(locals, x)
				d.outside = append(d.outside, addrRef{addr: x, line: v.line})
				d.ifaceAddrs = append(d.ifaceAddrs, addrRef{addr: x, line: v.line})
			}
		}
	}
	auth := ""
	var localIDs, remoteIDs []string
	var localIDLine, remoteIDLine int
	for _, s := range cn.subs {
		switch {
		case strings.HasPrefix(s.name, "local"):
			if v, ok := s.get("auth"); ok && auth == "" {
				auth = normAuth(v.v)
			}
			if v, ok := s.get("id"); ok {
				localIDs = append(localIDs, v.v)
				if localIDLine == 0 {
					localIDLine = v.line
				}
			}
		case strings.HasPrefix(s.name, "remote"):
			if v, ok := s.get("id"); ok {
				remoteIDs = append(remoteIDs, v.v)
				if remoteIDLine == 0 {
					remoteIDLine = v.line
				}
			}
		}
	}
	ike := map[int][]proposal{}
	v, ok := cn.get("proposals")
	if !ok {
		v = swanValue{v: "default", line: cn.line}
	}
	{
		for _, ps := range splitList(v.v) {
			p, ok := swanProposal(ps)
			if ps == "default" {
				p, ok = swanDefaultIKE.clone(), true
			}
			if !ok {
				d.notes = append(d.notes, "proposal "+ps+" was not understood")
				continue
			}
			p.name, p.line, p.lines, p.auth = ps, v.line, []int{v.line}, auth
			if auth == "" {
				p.auth = "psk"
			}
			for _, ver := range versions {
				p.version = ver
				ike[ver] = append(ike[ver], p)
			}
		}
	}
	p1Life, p1Line := 14400, 0
	if v, ok := cn.get("rekey_time"); ok {
		if n, ok := swanDuration(v.v); ok {
			p1Life, p1Line = n, v.line
		}
	}
	children := cn.sub("children")
	if children == nil || len(children.subs) == 0 {
		d.notes = append(d.notes, "connection "+cn.name+" has no children")
		return
	}
	for _, ch := range children.subs {
		t := &tunnel{name: "connection " + cn.name + " child " + ch.name, line: cn.line, peers: peers,
			applied: true, appliedLine: cn.line, versions: versions, versionLine: verLine,
			ike: ike, auth: auth, localIDs: localIDs, remoteIDs: remoteIDs, localIDLine: localIDLine, remoteIDLine: remoteIDLine,
			p1Life: p1Life, p1LifeLine: p1Line, p2LifeDefault: 3600}
		t.peerNets = peerNets
		v, ok := ch.get("esp_proposals")
		if !ok {
			v = swanValue{v: "default", line: ch.line}
		}
		{
			t.espLine = v.line
			pfsAll, pfsNone := []string{}, false
			for _, ps := range splitList(v.v) {
				p, ok := swanProposal(ps)
				if ps == "default" {
					// its key exchange is optional: PFS or not
					p, ok, pfsNone = swanDefaultESP.clone(), true, true
				}
				if !ok {
					d.notes = append(d.notes, "ESP proposal "+ps+" was not understood")
					continue
				}
				if len(p.groups) == 0 {
					pfsNone = true
				}
				for _, g := range p.groups {
					pfsAll = appendNew(pfsAll, g)
				}
				p.groups = nil
				p.name, p.line, p.lines, p.mode = ps, v.line, []int{v.line}, "tunnel"
				t.esp = append(t.esp, p)
			}
			t.pfsLine = v.line
			if len(pfsAll) > 0 && !pfsNone {
				t.pfs = pfsAll
			} else if len(pfsAll) > 0 {
				t.pfsOptional = true
			}
		}
		if v, ok := ch.get("rekey_time"); ok {
			if n, ok := swanDuration(v.v); ok {
				t.p2Life, t.p2LifeLine = n, v.line
			}
		}
		local := swanTS(ch, "local_ts", locals)
		var peerAddrs []netip.Addr
		for _, p := range peers {
			peerAddrs = append(peerAddrs, p.addr)
		}
		remote := swanTS(ch, "remote_ts", peerAddrs)
		t.hasSel = len(local.set) > 0 && len(remote.set) > 0
		t.sel = selectors{{proto: "ip"}: build2D([]rect{{src: local.set, dst: remote.set}})}
		t.selName = "child " + ch.name
		for _, l := range []int{local.line, remote.line} {
			if l > 0 {
				t.selLines = append(t.selLines, l)
			}
		}
		if len(t.selLines) == 0 {
			t.selLines = []int{ch.line}
		}
		d.tunnels = append(d.tunnels, t)
	}
}

type swanTSValue struct {
	set  ipSet
	line int
}

// swanTS reads local_ts / remote_ts; "dynamic" (the default) is the
// tunnel's own outer address. Protocol/port restrictions ("[tcp/80]")
// are dropped: the address sets are what is compared.
func swanTS(ch *swanNode, key string, dynamic []netip.Addr) swanTSValue {
	v, ok := ch.get(key)
	val := "dynamic"
	if ok {
		val = v.v
	}
	var out ipSet
	for _, ts := range splitList(val) {
		if i := strings.Index(ts, "["); i >= 0 {
			ts = ts[:i]
		}
		if ts == "dynamic" {
			for _, a := range dynamic {
				out = out.union(ipSet{hostIval(a)})
			}
			continue
		}
		if s, ok := parseRange(ts); ok {
			out = out.union(s)
		}
	}
	return swanTSValue{out, v.line}
}
