package compare

import (
	"net/netip"
	"slices"
	"strings"

	"github.com/tunneldoc/tunneldoc/diagnose"
)

// outsideOf says which addresses d runs IKE from: what the caller or the
// config says, else those of its interface addresses the other side
// points at.
func outsideOf(d, other *device) []addrRef {
	if len(d.outside) > 0 {
		return d.outside
	}
	var out []addrRef
	for _, a := range d.ifaceAddrs {
		for _, t := range other.tunnels {
			for _, p := range t.peers {
				if p.addr == a.addr && !slices.ContainsFunc(out, func(x addrRef) bool { return x.addr == a.addr }) {
					out = append(out, a)
				}
			}
		}
	}
	return out
}

// tunnelsFor lists d's tunnels whose peer is one of addrs; a tunnel
// naming the address outright comes before one that accepts a range.
func tunnelsFor(d *device, addrs []addrRef) (exact, ranged []*tunnel, which netip.Addr) {
	for _, t := range d.tunnels {
		for _, a := range addrs {
			if slices.ContainsFunc(t.peers, func(p addrRef) bool { return p.addr == a.addr }) {
				exact = append(exact, t)
				which = a.addr
				break
			}
		}
	}
	if len(exact) > 0 {
		return exact, nil, which
	}
	for _, t := range d.tunnels {
		for _, a := range addrs {
			if slices.ContainsFunc(t.peerNets, func(p netip.Prefix) bool { return p.Contains(a.addr) }) {
				ranged = append(ranged, t)
				which = a.addr
				break
			}
		}
	}
	return nil, ranged, which
}

// distinctPeers lists every peer address d's tunnels name.
func distinctPeers(d *device) []addrRef {
	var out []addrRef
	for _, t := range d.tunnels {
		for _, p := range t.peers {
			if !slices.ContainsFunc(out, func(x addrRef) bool { return x.addr == p.addr }) {
				out = append(out, p)
			}
		}
	}
	return out
}

// mirrorScore: 2 when tb's selectors are ta's mirror image, 1 when they
// overlap, 0 when they share nothing.
func mirrorScore(ta, tb *tunnel) int {
	if ta == nil || tb == nil || !ta.hasSel || !tb.hasSel {
		return 0
	}
	a := ta.sel.all()
	m := tb.sel.all().mirror()
	if a.equal(m) {
		return 2
	}
	if len(a.intersect(m)) > 0 {
		return 1
	}
	return 0
}

// bestMatch picks from ts the tunnel that best mirrors other.
func bestMatch(ts []*tunnel, other *tunnel) *tunnel {
	var best *tunnel
	bs := -1
	for _, t := range ts {
		if s := mirrorScore(t, other); s > bs {
			best, bs = t, s
		}
	}
	return best
}

// pair finds the tunnel on each side that joins A and B. It reports false
// when there is nothing to compare; findings say why.
func (c *comparison) pair() bool {
	a, b := c.a, c.b
	outA, outB := outsideOf(a, b), outsideOf(b, a)
	// Neither side says where it stands: when each has one peer, they are
	// each other's.
	if len(outA) == 0 && len(outB) == 0 {
		pa, pb := distinctPeers(a), distinctPeers(b)
		if len(pa) == 1 && len(pb) == 1 {
			outB, outA = pa, pb
			c.notes = append(c.notes, "outside addresses were taken from the peer addresses ("+pb[0].addr.String()+" for A, "+pa[0].addr.String()+" for B)")
		}
	}
	if len(outA) > 0 && len(outB) == 0 {
		if tb := firstOf(tunnelsFor(b, outA)); tb != nil {
			if ta := bestMatch(a.tunnels, tb); ta != nil && len(ta.peers) > 0 {
				outB = ta.peers[:1]
			}
		}
	}
	if len(outB) > 0 && len(outA) == 0 {
		if ta := firstOf(tunnelsFor(a, outB)); ta != nil {
			if tb := bestMatch(b.tunnels, ta); tb != nil && len(tb.peers) > 0 {
				outA = tb.peers[:1]
			}
		}
	}
	if len(outA) == 0 || len(outB) == 0 {
		return false
	}
	exA, rgA, whichB := tunnelsFor(a, outB)
	exB, rgB, whichA := tunnelsFor(b, outA)
	c.peerA, c.peerB = outA[0].addr, outB[0].addr
	if whichA.IsValid() {
		c.peerA = whichA
	}
	if whichB.IsValid() {
		c.peerB = whichB
	}
	candA := append(exA, rgA...)
	candB := append(exB, rgB...)
	c.sameA, c.sameB = exA, exB
	switch {
	case len(candA) > 0 && len(candB) > 0:
		c.ta = candA[0]
		c.tb = bestMatch(candB, c.ta)
		if len(candA) > 1 {
			c.ta = bestMatch(candA, c.tb)
		}
	case len(candB) > 0:
		c.tb = candB[0]
		c.ta = likelyMatch(a.tunnels, c.tb)
		c.missingTunnel(a, c.ta, outB, b, c.tb)
	case len(candA) > 0:
		c.ta = candA[0]
		c.tb = likelyMatch(b.tunnels, c.ta)
		c.missingTunnel(b, c.tb, outA, a, c.ta)
	default:
		c.ta, c.tb = nil, nil
		for _, t := range a.tunnels {
			if bt := bestMatch(b.tunnels, t); mirrorScore(t, bt) > 0 {
				c.ta, c.tb = t, bt
				break
			}
		}
		c.missingTunnel(a, c.ta, outB, b, c.tb)
		c.missingTunnel(b, c.tb, outA, a, c.ta)
		return false
	}
	return c.ta != nil && c.tb != nil
}

// likelyMatch is the tunnel in ts protecting the same traffic as other,
// nil when none does.
func likelyMatch(ts []*tunnel, other *tunnel) *tunnel {
	t := bestMatch(ts, other)
	if mirrorScore(t, other) == 0 {
		return nil
	}
	return t
}

func firstOf(ex, rg []*tunnel, _ netip.Addr) *tunnel {
	if len(ex) > 0 {
		return ex[0]
	}
	if len(rg) > 0 {
		return rg[0]
	}
	return nil
}

// missingTunnel: d has no crypto map entry / tunnel / connection for the
// other side's outside address. likely is d's tunnel that protects the
// same traffic, if any: then its peer address is the thing to fix.
func (c *comparison) missingTunnel(d *device, likely *tunnel, otherOut []addrRef, other *device, otherT *tunnel) {
	want := otherOut[0].addr
	var dl []int
	summary := d.name() + " has no crypto map entry, tunnel or connection for " + other.name() + "'s address " + want.String()
	kind := "crypto map entry"
	if d.vendor == "strongswan" {
		kind = "connection"
	}
	fix := []string{}
	if likely != nil && len(likely.peers) > 0 {
		var ps []string
		for _, p := range likely.peers {
			ps = append(ps, p.addr.String())
			dl = append(dl, p.line)
		}
		summary += "; its " + likely.name + ", which protects the same traffic, points at " + strings.Join(ps, ", ") + ": the peer address is wrong"
		if want.IsPrivate() && !likely.peers[0].addr.IsPrivate() {
			summary += " (unless " + other.side + " sits behind NAT as " + likely.peers[0].addr.String() + ": then give that as its outside address)"
		}
		if d.vendor == "strongswan" {
			fix = append(fix, "set remote_addrs = "+want.String()+" in "+strings.Split(likely.name, " child ")[0])
		} else if d.vendor == "asa" {
			fix = append(fix, likely.name+" set peer "+want.String())
		} else if strings.HasPrefix(likely.name, "crypto map ") {
			fix = append(fix, likely.name+" ipsec-isakmp\n no set peer "+strings.Join(ps, " ")+"\n set peer "+want.String())
		} else {
			fix = append(fix, "interface "+strings.TrimPrefix(likely.name, "interface ")+"\n tunnel destination "+want.String())
		}
		if want.IsPrivate() && !likely.peers[0].addr.IsPrivate() {
			fix = append(fix, "or, if "+other.side+" sits behind NAT as "+likely.peers[0].addr.String()+", compare again with that as its outside address (--"+strings.ToLower(other.side)+"-addr "+likely.peers[0].addr.String()+")")
		}
	} else {
		for _, t := range d.tunnels {
			for _, p := range t.peers {
				dl = append(dl, p.line)
			}
			if len(t.peers) == 0 {
				dl = append(dl, t.line)
			}
		}
		if len(dl) == 0 {
			dl = append(dl, firstLine(d))
		}
		fix = append(fix, "add a "+kind+" for peer "+want.String()+" on "+d.name()+" with the mirror image of "+other.name()+"'s crypto ACL / traffic selectors")
	}
	summary += "."
	ol := []int{otherOut[0].line}
	if otherT != nil {
		ol = append(ol, otherT.line)
		ol = append(ol, peerLines(otherT, c.peerOf(d))...)
	}
	c.add(diagnose.CauseMissingPeerConfig, 0.9, summary, both(ev(d, dl...), ev(other, ol...)), fix...)
}

// peerOf: the address the other side should point at to reach d.
func (c *comparison) peerOf(d *device) netip.Addr {
	if d == c.a {
		return c.peerA
	}
	return c.peerB
}

// firstLine is a device's first non-blank line, quoted when a side has
// nothing more specific to show.
func firstLine(d *device) int {
	for i, l := range d.lines {
		if strings.TrimSpace(l) != "" {
			return i + 1
		}
	}
	return 0
}

// checkOtherPairs runs the per-child checks (ESP proposals, PFS) on every
// other pair of tunnels the two sides have to each other: each child of a
// connection, each conn to the same peer, each crypto map entry naming
// it, with the tunnel on the other side that protects the same traffic.
// A tunnel with no counterpart there is the selector check's to report.
func (c *comparison) checkOtherPairs() {
	ta, tb := c.ta, c.tb
	defer func() { c.ta, c.tb = ta, tb }()
	type pairT struct{ a, b *tunnel }
	var pairs []pairT
	seen := func(a, b *tunnel) bool {
		return (a == ta && b == tb) || slices.Contains(pairs, pairT{a, b})
	}
	for _, x := range c.sameA {
		if y := likelyMatch(c.sameB, x); y != nil && !seen(x, y) {
			pairs = append(pairs, pairT{x, y})
		}
	}
	for _, y := range c.sameB {
		if x := likelyMatch(c.sameA, y); x != nil && !seen(x, y) {
			pairs = append(pairs, pairT{x, y})
		}
	}
	for _, p := range pairs {
		c.ta, c.tb = p.a, p.b
		n := len(c.findings)
		c.checkESP()
		c.checkPFS()
		c.namePair(n)
	}
}

// namePair: when a side has several tunnels to the other, the findings
// from findings[from:] on say which pair of them they are about.
func (c *comparison) namePair(from int) {
	if len(c.sameA) < 2 && len(c.sameB) < 2 {
		return
	}
	for i := from; i < len(c.findings); i++ {
		f := &c.findings[i]
		f.Summary = c.a.side + "'s " + c.ta.name + " and " + c.b.side + "'s " + c.tb.name + ": " + f.Summary
	}
}

// merged is one tunnel standing for all of ts in the selector check:
// what a side protects toward its peer is the union of its children.
func merged(ts []*tunnel, chosen *tunnel) *tunnel {
	if len(ts) < 2 || !slices.Contains(ts, chosen) {
		return chosen
	}
	m := *chosen
	m.sel, m.selLines = selectors{}, nil
	var names []string
	for _, t := range ts {
		if !t.hasSel {
			return chosen
		}
		for k, v := range t.sel {
			m.sel[k] = m.sel[k].union(v)
		}
		m.selLines = append(m.selLines, t.selLines...)
		names = append(names, t.selName)
	}
	m.selName = strings.Join(names, " + ")
	return &m
}
