package compare

import (
	"net/netip"
	"slices"
	"sort"
	"strconv"
)

// finish turns what was read into tunnels, keys and NAT rules.
func (c *ciscoCfg) finish() {
	for _, f := range c.deferred {
		f()
	}
	c.orderNAT()
	c.ikev2Global()
	for _, name := range c.mapOrder {
		cm := c.maps[name]
		sort.SliceStable(cm.entries, func(i, j int) bool { return cm.entries[i].seq < cm.entries[j].seq })
		for _, e := range cm.entries {
			if !e.dynamic {
				c.d.tunnels = append(c.d.tunnels, c.mapTunnel(name, e, "crypto map "+name+" "+strconv.Itoa(e.seq)))
				continue
			}
			dm, ok := c.dynMaps[e.dynName]
			if !ok {
				continue // e.g. the ASA's implicit SYSTEM_DEFAULT_CRYPTO_MAP
			}
			sort.SliceStable(dm.entries, func(i, j int) bool { return dm.entries[i].seq < dm.entries[j].seq })
			for _, de := range dm.entries {
				t := c.mapTunnel(name, de, "crypto dynamic-map "+dm.name+" "+strconv.Itoa(de.seq))
				t.dynamic = true
				if len(t.peers) == 0 {
					// a dynamic entry answers any peer
					t.peerNets = []netip.Prefix{netip.MustParsePrefix("0.0.0.0/0")}
				}
				if !t.applied {
					t.line = e.line
				}
				c.d.tunnels = append(c.d.tunnels, t)
			}
		}
	}
	for _, f := range c.ifaces {
		if f.tunProf != "" {
			c.d.tunnels = append(c.d.tunnels, c.vtiTunnel(f))
		}
	}
	if c.idHostname > 0 && c.d.hostname != "" {
		// "crypto isakmp identity hostname": the box sends its FQDN
		// (hostname plus domain name) where no profile says otherwise
		id := c.d.hostname
		if c.domain != "" {
			id += "." + c.domain
		}
		for _, t := range c.d.tunnels {
			if t.localIDLine == 0 {
				t.localIDs, t.localIDLine = []string{id}, c.idHostname
			}
		}
	}
}

// orderNAT puts ASA rules in the order the ASA evaluates them; IOS
// applies static translations before dynamic ones.
func (c *ciscoCfg) orderNAT() {
	rank := func(r natRule) int {
		switch {
		case r.legacy0:
			return 0
		case r.afterAuto:
			return 3
		case r.objectNAT && r.exempt:
			return 1
		case r.objectNAT:
			return 2
		}
		if !c.asa && r.exempt {
			return 0
		}
		return 1
	}
	sort.SliceStable(c.d.nat, func(i, j int) bool { return rank(c.d.nat[i]) < rank(c.d.nat[j]) })
}

// ikev2Global: on IOS the proposals in use are those the ikev2 policies
// name; with no policy, the proposals defined are read as if one named them.
func (c *ciscoCfg) ikev2Global() {
	if c.asa {
		return
	}
	var names []string
	for _, p := range c.ikev2Pols {
		names = append(names, p.proposals...)
	}
	if len(c.ikev2Pols) == 0 {
		for n := range c.ikev2Props {
			names = append(names, n)
		}
		slices.Sort(names)
	}
	for _, n := range names {
		if p, ok := c.ikev2Props[n]; ok {
			c.d.ike[2] = append(c.d.ike[2], p)
		}
	}
}

func (c *ciscoCfg) defaultP2Life() int {
	if c.asa {
		return 28800
	}
	return 3600
}

func (c *ciscoCfg) mapTunnel(name string, e *mapEntry, label string) *tunnel {
	t := &tunnel{name: label, mapName: name, line: e.line, peers: e.peers, rri: e.rri}
	if len(e.peers) == 0 && len(e.peerNames) > 0 {
		c.d.notes = append(c.d.notes, "peer name "+e.peerNames[0]+" in "+t.name+" is not defined by a name command")
	}
	// where the map is applied
	for _, f := range c.ifaces {
		if f.cryptoMap == name {
			t.applied, t.appliedLine, t.iface = true, f.mapLine, f.name
			c.addOutside(f)
			break
		}
	}
	if refs := c.mapIfaces[name]; !t.applied && len(refs) > 0 {
		ref := refs[0] // a map sits on one interface
		t.applied, t.appliedLine, t.iface = true, ref.line, ref.name
		for _, f := range c.ifaces {
			if f.nameif == ref.name {
				c.addOutside(f)
			}
		}
	}
	// "crypto map M local-address IF" makes IF's address the IKE source
	if ref, ok := c.localAddr[name]; ok {
		for _, f := range c.ifaces {
			if f.name == ref.name && len(f.addrs) > 0 {
				c.d.outside = nil
				c.addOutside(f)
			}
		}
	}
	// IKE version
	switch {
	case e.v1 && e.v2 && c.asa:
		t.versions = []int{1, 2}
	case e.v2 && (c.asa || e.ikev2Prof != ""):
		t.versions = []int{2}
	default:
		t.versions = []int{1}
	}
	t.versionLine = e.verLine
	if t.versionLine == 0 || (!c.asa && e.ikev2Prof == "") {
		t.versionLine = e.line
	}
	c.fillESP(t, e.transforms, e.tsLine)
	if e.pfs != "" {
		t.pfs, t.pfsLine = []string{e.pfs}, e.pfsLine
	}
	t.p2LifeDefault = c.defaultP2Life()
	switch {
	case e.life > 0:
		t.p2Life, t.p2LifeLine = e.life, e.lifeLine
	case c.p2Life > 0:
		t.p2Life, t.p2LifeLine = c.p2Life, c.p2LifeLine
	}
	c.fillProfile(t, e.isaProf, e.ikev2Prof)
	if e.acl != "" {
		t.selName = e.acl
		t.selLines = []int{e.aclLine}
		if b, ok := c.aclSelectors(e.acl); ok {
			t.sel, t.hasSel = b.sel, true
			t.selLines = append(t.selLines, b.lines...)
		} else {
			t.selNote = "access-list " + e.acl + " is not defined"
		}
	}
	return t
}

func (c *ciscoCfg) fillESP(t *tunnel, names []string, line int) {
	t.espLine = line
	for _, n := range names {
		p, ok := c.transforms[n]
		if !ok {
			c.d.notes = append(c.d.notes, "transform set "+n+" used by "+t.name+" is not defined")
			continue
		}
		t.esp = append(t.esp, p)
	}
}

func (c *ciscoCfg) fillProfile(t *tunnel, isa, v2 string) {
	var p *ikeProfile
	if v2 != "" {
		p = c.ikev2Prof[v2]
	} else if isa != "" {
		p = c.isaProf[isa]
	}
	if p == nil {
		return
	}
	t.keyScopes = p.keyrings
	if v2 != "" {
		if p.localID != "" {
			t.localIDs, t.localIDLine = []string{p.localID}, p.localLn
		}
		if len(p.remoteID) > 0 {
			t.remoteIDs, t.remoteIDLine = p.remoteID, p.remoteLn
		}
	}
	if p.authL != "" {
		t.auth = p.authL
	}
	if p.life > 0 && v2 != "" {
		t.p1Life, t.p1LifeLine = p.life, p.lifeLine
	}
}

// addOutside records an interface's addresses as this side's IKE source.
func (c *ciscoCfg) addOutside(f *ifaceDef) {
	for _, a := range f.addrs {
		dup := false
		for _, o := range c.d.outside {
			dup = dup || o.addr == a.addr
		}
		if !dup {
			c.d.outside = append(c.d.outside, a)
		}
	}
}

// vtiTunnel: a tunnel interface protected by an IPsec profile. A pure
// IPsec VTI protects everything (any to any); GRE over IPsec protects GRE
// between the tunnel endpoints.
func (c *ciscoCfg) vtiTunnel(f *ifaceDef) *tunnel {
	t := &tunnel{name: "interface " + f.name, line: f.line, applied: f.shutdown == 0, appliedLine: f.tunProfLn, iface: f.name}
	if f.tunDst.IsValid() {
		t.peers = []addrRef{{addr: f.tunDst, line: f.tunDstLn}}
	}
	var src netip.Addr
	if a, ok := parseAddr(f.tunSrc); ok {
		src = a
		c.d.outside = append(c.d.outside, addrRef{addr: a, line: f.tunSrcLn})
	} else {
		for _, g := range c.ifaces {
			if g.name == f.tunSrc && len(g.addrs) > 0 {
				src = g.addrs[0].addr
				c.addOutside(g)
			}
		}
	}
	t.versions, t.versionLine = []int{1}, f.tunProfLn
	t.p2LifeDefault = c.defaultP2Life()
	if p, ok := c.ipsecProf[f.tunProf]; ok {
		c.fillESP(t, p.transforms, p.tsLine)
		if p.pfs != "" {
			t.pfs, t.pfsLine = []string{p.pfs}, p.pfsLine
		}
		if p.life > 0 {
			t.p2Life, t.p2LifeLine = p.life, p.lifeLine
		} else if c.p2Life > 0 {
			t.p2Life, t.p2LifeLine = c.p2Life, c.p2LifeLine
		}
		if p.ikev2Prof != "" {
			t.versions, t.versionLine = []int{2}, p.profLine
		}
		c.fillProfile(t, p.isaProf, p.ikev2Prof)
		if len(p.transforms) == 0 {
			// IOS falls back to its default transform sets; not compared.
			t.esp = nil
		}
	} else {
		c.d.notes = append(c.d.notes, "ipsec profile "+f.tunProf+" is not defined")
	}
	t.hasSel = true
	t.selLines = []int{f.tunProfLn}
	t.selName = "tunnel " + f.name
	if f.tunMode == "" || f.tunMode == "gre ip" || f.tunMode == "gre" {
		if src.IsValid() && f.tunDst.IsValid() {
			t.sel = selectors{{proto: "gre"}: build2D([]rect{{src: ipSet{hostIval(src)}, dst: ipSet{hostIval(f.tunDst)}}})}
		} else {
			t.hasSel = false
		}
	} else if f.tunMode == "ipsec ipv6" {
		t.sel = selectors{{proto: "ip"}: build2D([]rect{{src: v6Any, dst: v6Any}})}
	} else {
		t.sel = selectors{{proto: "ip"}: build2D([]rect{{src: ipSet{v4Any}, dst: ipSet{v4Any}}})}
	}
	return t
}
