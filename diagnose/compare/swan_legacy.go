package compare

import (
	"net/netip"
	"strings"
)

// The legacy strongSwan format: ipsec.conf "conn" sections (conn %default
// inherited) and ipsec.secrets "A B : PSK key" lines, often pasted together.
// Read into the same tunnels as swanctl.conf.

type legacyConn struct {
	name string
	line int
	kv   map[string]swanValue
}

func isLegacySwan(text string) bool {
	return !strings.Contains(text, "connections") && (strings.Contains(text, "\nconn ") || strings.HasPrefix(text, "conn ")) &&
		(strings.Contains(text, "left=") || strings.Contains(text, "right="))
}

// libreswanMarks: ipsec.conf settings and spellings only libreswan's
// pluto reads (lib/libswan/ipsecconf/conn.c and setup.c list its
// keywords; strongSwan's starter rejects these).
var libreswanMarks = []string{"ikev2=", "phase2alg=", "salifetime=", "ipsec-lifetime=", "pfs=", "protostack=", "plutodebug=",
	"nssdir=", "ikev1-policy=", "ike-frag", "retransmit-timeout=", "ipsec-interface=", "sha2_", ";modp", ";dh", "-dh1", "-dh2", "-dh3"}

// isLibreswan: the ipsec.conf is libreswan's, whose defaults differ from
// strongSwan's (see libreswanDefaults).
func isLibreswan(lines []string) bool {
	for _, raw := range lines {
		l := strings.TrimSpace(stripSwanComment(raw))
		for _, m := range libreswanMarks {
			if strings.HasPrefix(l, m) || (strings.Contains(m, "_") || m[0] == ';' || m[0] == '-') && strings.Contains(l, m) {
				return true
			}
		}
	}
	return false
}

// legacyDefaults are what a conn gets when it does not say, for each
// daemon, with the source file that sets it.
type legacyDefaults struct {
	daemon string
	// p1Life / p2Life in seconds.
	p1Life, p2Life int
	// pfs: PFS is on unless pfs=no (libreswan); strongSwan has PFS only
	// when esp= names a DH group.
	pfs bool
	// versions when neither keyexchange= nor ikev2= says.
	versions []int
	// ikeGroups: the DH groups of the default IKE proposals, which a
	// pfs=yes child without its own group uses.
	ikeGroups []string
	// ike, esp: the proposals a conn without ike= / esp= offers, by IKE
	// version; nil when they are not known here (not compared).
	ike, esp map[int]proposal
	// espPFSOptional: the default ESP proposal takes PFS or none.
	espPFSOptional bool
}

var (
	// strongSwan's starter: src/starter/confread.c (ikelifetime 3h,
	// lifetime 1h; keyexchange=ike accepts IKEv1 and IKEv2 as responder).
	// Its default proposals are swanDefaultIKE / swanDefaultESP.
	strongswanLegacyDefaults = legacyDefaults{daemon: "strongSwan", p1Life: 10800, p2Life: 3600, versions: []int{1, 2},
		ike: map[int]proposal{1: swanDefaultIKE, 2: swanDefaultIKE}, esp: map[int]proposal{1: swanDefaultESP, 2: swanDefaultESP}, espPFSOptional: true}
	// libreswan: include/pluto_constants.h (IKE_SA_LIFETIME_DEFAULT and
	// IPSEC_SA_LIFETIME_DEFAULT, 8h each), programs/pluto/extract.c (pfs
	// defaults to yes; IKEv2 unless ikev2=no|never|permit or
	// keyexchange=ikev1), lib/libswan/ike_info.c (default IKEv2 groups).
	libreswanDefaults = legacyDefaults{daemon: "libreswan", p1Life: 28800, p2Life: 28800, pfs: true, versions: []int{2},
		ikeGroups: []string{"19", "20", "21", "31", "16", "15", "14", "18"},
		// lib/libswan/ike_info.c (default_ikev1_ike_proposals,
		// default_ikev1_ike_prfs, default_ikev1_groups,
		// default_fips_off_ikev2_ike_proposals, default_ikev2_ike_prfs
		// (IKEv2 integrity follows the PRF), default_ikev2_groups) and
		// lib/libswan/esp_info.c (default_ikev1_esp_proposals,
		// default_ikev1_esp_integ, default_fips_off_ikev2_esp_proposals,
		// default_ikev2_esp_integ). AES_CBC without a key length is taken
		// as offering 128 and 256 bits.
		ike: map[int]proposal{
			1: {name: "libreswan default", encr: []string{"aes128", "aes256", "3des"}, integ: []string{"sha256", "sha512", "sha1"}, groups: []string{"14", "5", "19", "31"}},
			2: {name: "libreswan default", encr: []string{"aes256gcm", "aes128gcm", "chacha20poly1305", "aes256", "aes128"}, integ: []string{"sha512", "sha256"},
				groups: []string{"19", "20", "21", "31", "16", "15", "14", "18"}},
		},
		esp: map[int]proposal{
			1: {name: "libreswan default", encr: []string{"aes128", "aes256", "aes128gcm", "aes256gcm", "3des"}, integ: []string{"sha1", "sha512", "sha256"}, mode: "tunnel"},
			2: {name: "libreswan default", encr: []string{"aes256gcm", "aes128gcm", "chacha20poly1305", "aes256", "aes128"}, integ: []string{"sha512", "sha256"}, mode: "tunnel"},
		},
	}
)

func parseSwanLegacy(d *device) {
	d.legacy = true
	def := strongswanLegacyDefaults
	if isLibreswan(d.lines) {
		def = libreswanDefaults
	}
	d.daemon = def.daemon
	var conns []*legacyConn
	var deflt *legacyConn
	var cur *legacyConn
	for i, raw := range d.lines {
		l := strings.TrimSpace(stripSwanComment(raw))
		switch {
		case l == "":
		case strings.Contains(l, ": PSK") || strings.Contains(l, ":PSK"):
			legacySecret(d, l, i+1)
			cur = nil
		case strings.HasPrefix(raw, "conn ") || strings.HasPrefix(raw, "config "):
			cur = &legacyConn{name: strings.TrimSpace(strings.TrimPrefix(raw, "conn ")), line: i + 1, kv: map[string]swanValue{}}
			switch {
			case strings.HasPrefix(raw, "config "):
				cur = nil
			case cur.name == "%default":
				deflt = cur
			default:
				conns = append(conns, cur)
			}
		case cur != nil && strings.Contains(l, "="):
			k, v, _ := strings.Cut(l, "=")
			cur.kv[strings.TrimSpace(k)] = swanValue{strings.Trim(strings.TrimSpace(v), `"`), i + 1}
		}
	}
	d.ike = map[int][]proposal{}
	byName := map[string]*legacyConn{}
	for _, cn := range conns {
		byName[cn.name] = cn
	}
	bases := map[string]bool{}
	for _, cn := range conns {
		if v, ok := cn.kv["also"]; ok {
			for _, n := range strings.Fields(v.v) {
				bases[n] = true
			}
		}
	}
	for _, cn := range conns {
		inherit(cn, byName, 0)
		if deflt != nil {
			for k, v := range deflt.kv {
				if _, ok := cn.kv[k]; !ok {
					cn.kv[k] = v
				}
			}
		}
	}
	for _, cn := range conns {
		if v, ok := cn.kv["auto"]; ok && v.v == "ignore" && bases[cn.name] {
			continue // a template other conns take settings from with also=
		}
		legacyTunnel(d, cn, def)
	}
}

// inherit: "also=base" copies base's settings that cn does not set
// (strongSwan's and libreswan's ipsec.conf alike); bases may name their
// own bases. Depth bounds a loop of also= references.
func inherit(cn *legacyConn, byName map[string]*legacyConn, depth int) {
	v, ok := cn.kv["also"]
	if !ok || depth > 8 {
		return
	}
	delete(cn.kv, "also")
	for _, name := range strings.Fields(v.v) {
		base := byName[name]
		if base == nil || base == cn {
			continue
		}
		inherit(base, byName, depth+1)
		for k, bv := range base.kv {
			if _, set := cn.kv[k]; !set && k != "auto" {
				cn.kv[k] = bv
			}
		}
	}
}

// legacySecret: "[selectors] : PSK key".
func legacySecret(d *device, l string, n int) {
	sel, rest, _ := strings.Cut(l, ":")
	rest = strings.TrimSpace(rest)
	if !strings.HasPrefix(rest, "PSK") {
		return
	}
	key := strings.Trim(strings.TrimSpace(strings.TrimPrefix(rest, "PSK")), `"'`)
	e := pskEntry{line: n, local: secret{decodeSwanSecret(key)}, remote: secret{decodeSwanSecret(key)}, hasLocal: true, hasRem: true}
	for _, id := range strings.Fields(sel) {
		if id != "%any" {
			e.ids = append(e.ids, strings.TrimPrefix(id, "@"))
		}
	}
	d.keys = append(d.keys, e)
	d.secrets = append(d.secrets, key, decodeSwanSecret(key))
}

func legacyTunnel(d *device, cn *legacyConn, def legacyDefaults) {
	get := func(k string) (swanValue, bool) { v, ok := cn.kv[k]; return v, ok }
	t := &tunnel{name: "conn " + cn.name, line: cn.line, applied: true, appliedLine: cn.line, versions: def.versions, versionLine: cn.line,
		p1Life: def.p1Life, p2LifeDefault: def.p2Life, ike: map[int][]proposal{}}
	if v, ok := get("ikev2"); ok && def.daemon == "libreswan" {
		// lib/libswan/option_names.c: ikev2_option_names
		t.versionLine = v.line
		switch strings.ToLower(v.v) {
		case "no", "never", "permit":
			t.versions = []int{1}
		default:
			t.versions = []int{2}
		}
	}
	if v, ok := get("keyexchange"); ok {
		switch v.v {
		case "ikev1":
			t.versions, t.versionLine = []int{1}, v.line
		case "ikev2":
			t.versions, t.versionLine = []int{2}, v.line
		}
	}
	var left netip.Addr
	if v, ok := get("left"); ok {
		if a, ok := parseAddr(v.v); ok {
			left = a
			d.outside = append(d.outside, addrRef{addr: a, line: v.line})
			d.ifaceAddrs = append(d.ifaceAddrs, addrRef{addr: a, line: v.line})
		}
	}
	var right netip.Addr
	if v, ok := get("right"); ok {
		if a, ok := parseAddr(v.v); ok {
			right = a
			t.peers = []addrRef{{addr: a, line: v.line}}
		} else if v.v == "%any" {
			t.peerNets = []netip.Prefix{netip.MustParsePrefix("0.0.0.0/0")}
		} else {
			d.notes = append(d.notes, "right="+v.v+" of conn "+cn.name+" is a name, not resolved")
		}
	}
	t.auth = "psk"
	if v, ok := get("authby"); ok && v.v != "secret" && v.v != "psk" {
		t.auth = normAuth(v.v)
	}
	if v, ok := get("leftid"); ok {
		t.localIDs, t.localIDLine = []string{strings.TrimPrefix(v.v, "@")}, v.line
	} else if left.IsValid() {
		t.localIDs = []string{left.String()}
	}
	if v, ok := get("rightid"); ok {
		t.remoteIDs, t.remoteIDLine = []string{strings.TrimPrefix(v.v, "@")}, v.line
	} else if right.IsValid() {
		t.remoteIDs = []string{right.String()}
	}
	if v, ok := get("ike"); ok {
		for _, ps := range splitList(strings.TrimSuffix(v.v, "!")) {
			p, ok := swanProposal(strings.TrimSuffix(ps, "!"))
			if !ok {
				d.notes = append(d.notes, "proposal "+ps+" was not understood")
				continue
			}
			p.name, p.line, p.lines, p.auth = ps, v.line, []int{v.line}, t.auth
			for _, ver := range t.versions {
				p.version = ver
				t.ike[ver] = append(t.ike[ver], p)
			}
		}
	} else if def.ike != nil {
		for _, ver := range t.versions {
			p := def.ike[ver].clone()
			p.version, p.auth, p.line, p.lines = ver, t.auth, cn.line, []int{cn.line}
			t.ike[ver] = append(t.ike[ver], p)
		}
	} else {
		t.ike = nil
		d.notes = append(d.notes, "conn "+cn.name+" uses "+def.daemon+"'s default IKE proposals, which were not compared")
	}
	esp, hasESP := get("esp")
	if !hasESP {
		esp, hasESP = get("phase2alg")
	}
	if v, ok := esp, hasESP; ok {
		t.espLine, t.pfsLine = v.line, v.line
		pfsNone := false
		for _, ps := range splitList(strings.TrimSuffix(v.v, "!")) {
			p, ok := swanProposal(strings.TrimSuffix(ps, "!"))
			if !ok {
				d.notes = append(d.notes, "ESP proposal "+ps+" was not understood")
				continue
			}
			if len(p.groups) == 0 {
				pfsNone = true
			}
			for _, g := range p.groups {
				t.pfs = appendNew(t.pfs, g)
			}
			p.groups = nil
			p.name, p.line, p.lines, p.mode = ps, v.line, []int{v.line}, "tunnel"
			t.esp = append(t.esp, p)
		}
		if pfsNone && len(t.pfs) > 0 {
			t.pfs, t.pfsOptional = nil, true
		}
	} else if def.esp != nil {
		// libreswan's conns have one IKE version; strongSwan's default
		// is the same for both
		p := def.esp[t.versions[0]].clone()
		p.line, p.lines, p.groups = cn.line, []int{cn.line}, nil
		t.esp, t.espLine = []proposal{p}, cn.line
		t.pfsOptional = def.espPFSOptional
	} else {
		d.notes = append(d.notes, "conn "+cn.name+" uses "+def.daemon+"'s default ESP proposals, which were not compared")
	}
	if def.pfs {
		legacyPFS(t, get, def)
	}
	for _, k := range []string{"ikelifetime"} {
		if v, ok := get(k); ok {
			if n, ok := swanDuration(v.v); ok {
				t.p1Life, t.p1LifeLine = n, v.line
			}
		}
	}
	for _, k := range []string{"lifetime", "keylife", "salifetime", "ipsec-lifetime"} {
		if v, ok := get(k); ok {
			if n, ok := swanDuration(v.v); ok {
				t.p2Life, t.p2LifeLine = n, v.line
			}
		}
	}
	subnet := func(key string, host netip.Addr) (ipSet, int) {
		v, ok := get(key)
		if !ok {
			// libreswan: leftsubnets={10.1.0.0/24 10.2.0.0/24}, one child SA each
			v, ok = get(key + "s")
			v.v = strings.Join(strings.Fields(strings.Trim(v.v, "{}")), ",")
		}
		if ok {
			var s ipSet
			for _, x := range splitList(v.v) {
				if i := strings.Index(x, "["); i >= 0 {
					x = x[:i]
				}
				if r, ok := parseRange(x); ok {
					s = s.union(r)
				}
			}
			return s, v.line
		}
		if host.IsValid() {
			return ipSet{hostIval(host)}, 0
		}
		return nil, 0
	}
	ls, ll := subnet("leftsubnet", left)
	rs, rl := subnet("rightsubnet", right)
	t.hasSel = len(ls) > 0 && len(rs) > 0
	t.sel = selectors{{proto: "ip"}: build2D([]rect{{src: ls, dst: rs}})}
	t.selName = "conn " + cn.name
	for _, l := range []int{ll, rl} {
		if l > 0 {
			t.selLines = append(t.selLines, l)
		}
	}
	if len(t.selLines) == 0 {
		t.selLines = []int{cn.line}
	}
	d.tunnels = append(d.tunnels, t)
}

// legacyPFS applies libreswan's pfs= (default yes): with PFS on, a child
// whose esp= names no DH group uses the IKE SA's group, so it offers the
// groups of the IKE proposals (programs/pluto/extract.c, config->child.pfs;
// lib/libswan/ike_info.c for the default groups).
func legacyPFS(t *tunnel, get func(string) (swanValue, bool), def legacyDefaults) {
	if v, ok := get("pfs"); ok {
		t.pfsLine = v.line
		if strings.EqualFold(v.v, "no") {
			t.pfs, t.pfsOptional = nil, false
			return
		}
	}
	if len(t.pfs) > 0 || t.pfsOptional {
		return
	}
	groups := def.ikeGroups
	if len(t.ike) > 0 {
		groups = nil
		for _, ps := range t.ike {
			for _, p := range ps {
				for _, g := range p.groups {
					groups = appendNew(groups, g)
				}
			}
		}
	}
	t.pfs = groups
	if t.pfsLine == 0 {
		t.pfsLine = t.line
	}
}
