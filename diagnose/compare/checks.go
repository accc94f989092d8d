package compare

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/tunneldoc/tunneldoc/diagnose"
)

func vendorCmd(d *device, ios, asa, swan string) string {
	switch d.vendor {
	case "asa":
		return asa
	case "strongswan":
		return swan
	}
	return ios
}

// checkApplied: a crypto map that sits on no interface never triggers IKE.
func (c *comparison) checkApplied(d *device, t *tunnel, other *device, ot *tunnel) {
	if t.applied {
		return
	}
	if d.vendor == "ios" && !d.hasInterfaces {
		c.notes = append(c.notes, d.side+": whether "+t.name+" is applied to an interface (no interfaces in the paste)")
		return
	}
	name := t.mapName
	if name == "" {
		name = t.name
	}
	summary := fmt.Sprintf("%s's crypto map %s is not applied to any interface, so %s never encrypts traffic for %s or starts IKE with it.",
		d.name(), name, d.side, other.name())
	fix := vendorCmd(d, "interface <outside interface>\n crypto map "+name, "crypto map "+name+" interface outside", "")
	c.add(diagnose.CauseNoInterestingTraffic, 0.85, summary,
		both(ev(d, t.line), ev(other, peerLines(ot, c.peerOf(d))...)), fix)
}

// checkComplete: IOS and the ASA treat a static crypto map entry without
// "match address" as incomplete: no traffic selects it and IKE never starts.
func (c *comparison) checkComplete(d *device, t *tunnel, other *device, ot *tunnel) {
	if t.mapName == "" || t.dynamic || t.selName != "" {
		return
	}
	c.add(diagnose.CauseNoInterestingTraffic, 0.85,
		fmt.Sprintf("%s's %s has no match address: the entry is incomplete, no traffic selects it and %s never starts IKE for %s.",
			d.name(), t.name, d.side, other.name()),
		both(ev(d, t.line), ev(other, ot.selLines...)),
		vendorCmd(d, t.name+" ipsec-isakmp\n match address <crypto ACL mirroring "+other.side+"'s>",
			t.name+" match address <crypto ACL mirroring "+other.side+"'s>", ""))
}

// checkIKEEnabled: an ASA answers no IKE on an interface where the
// version is not enabled; "no crypto isakmp enable" does the same on IOS.
func (c *comparison) checkIKEEnabled(d *device, t *tunnel, other *device, ot *tunnel) {
	if !t.applied {
		return
	}
	if d.vendor == "ios" && d.ikeDisabled > 0 {
		c.add(diagnose.CausePeerUnreachable, 0.85,
			d.name()+" has IKE disabled (no crypto isakmp enable): "+other.name()+"'s IKE packets get no answer.",
			both(ev(d, d.ikeDisabled), ev(other, peerLines(ot, c.peerOf(d))...)), "crypto isakmp enable")
		return
	}
	if d.vendor != "asa" || (len(d.ikeEnable) == 0 && !d.hasInterfaces) {
		return
	}
	var missing []int
	var lines []int
	for _, v := range common2(t.versions, ot.versions) {
		if l, ok := d.ikeEnable[v][t.iface]; ok {
			lines = append(lines, l)
			continue
		}
		missing = append(missing, v)
	}
	if len(missing) == 0 || len(lines) > 0 {
		return // one common version enabled is enough to talk
	}
	var fix []string
	var vs []string
	for _, v := range missing {
		vs = append(vs, fmt.Sprintf("IKEv%d", v))
		fix = append(fix, fmt.Sprintf("crypto ikev%d enable %s", v, t.iface))
	}
	c.add(diagnose.CausePeerUnreachable, 0.85,
		fmt.Sprintf("%s does not have %s enabled on %s, the interface its crypto map is applied to: %s's IKE packets get no answer.",
			d.name(), strings.Join(vs, "/"), t.iface, other.name()),
		both(ev(d, t.appliedLine), ev(other, peerLines(ot, c.peerOf(d))...)), fix...)
}

func common2(a, b []int) []int {
	var out []int
	for _, x := range a {
		if slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

// checkVersion returns the IKE versions both sides speak.
func (c *comparison) checkVersion() []int {
	vs := common2(c.ta.versions, c.tb.versions)
	if len(vs) > 0 {
		return vs
	}
	byDefault := func(d *device, t *tunnel) string {
		if d.legacy && t.versionLine == t.line {
			return " (" + d.daemon + "'s default)"
		}
		return ""
	}
	c.add(diagnose.CauseIKEVersionMismatch, 0.9,
		fmt.Sprintf("%s uses %s%s for this tunnel and %s uses %s%s: they never agree on an IKE SA.",
			c.a.name(), versionsText(c.ta.versions), byDefault(c.a, c.ta), c.b.name(), versionsText(c.tb.versions), byDefault(c.b, c.tb)),
		both(ev(c.a, c.ta.versionLine), ev(c.b, c.tb.versionLine)),
		"configure the same IKE version on both ends (an IKEv2 profile / ikev2 ipsec-proposal on both, or IKEv1 on both)")
	return nil
}

func versionsText(vs []int) string {
	var s []string
	for _, v := range vs {
		s = append(s, fmt.Sprintf("IKEv%d", v))
	}
	return strings.Join(s, " and ")
}

func (c *comparison) proposals(d *device, t *tunnel, v int) []proposal {
	if t.ike != nil {
		return t.ike[v]
	}
	ps := d.ike[v]
	if v == 2 && t.auth != "" {
		ps = slices.Clone(ps)
		// IKEv2 proposals carry no auth method; the profile does.
		for i := range ps {
			ps[i].auth = ""
		}
	}
	return ps
}

// checkProposals: phase 1 needs one proposal both sides accept. It
// returns the version to carry on with and the pair that matched.
func (c *comparison) checkProposals(vs []int) (int, *proposal, *proposal) {
	order := slices.Clone(vs)
	slices.Sort(order)
	slices.Reverse(order) // IKEv2 first when both speak it
	compared := 0
	for _, v := range order {
		pa, pb := c.proposals(c.a, c.ta, v), c.proposals(c.b, c.tb, v)
		if len(pa) == 0 || len(pb) == 0 {
			continue
		}
		compared = v
		for i := range pa {
			for j := range pb {
				if pa[i].compatible(pb[j]) {
					c.checked = append(c.checked, fmt.Sprintf("IKEv%d proposal", v))
					return v, &pa[i], &pb[j]
				}
			}
		}
	}
	if compared == 0 {
		for _, d := range []*device{c.a, c.b} {
			t := c.ta
			if d == c.b {
				t = c.tb
			}
			if len(c.proposals(d, t, order[0])) == 0 && d.vendor != "strongswan" {
				c.notes = append(c.notes, fmt.Sprintf("%s: IKEv%d policies (none in the paste)", d.side, order[0]))
			}
		}
		return order[0], nil, nil
	}
	v := compared
	pa, pb := c.proposals(c.a, c.ta, v), c.proposals(c.b, c.tb, v)
	var la, lb []int
	for _, p := range pa {
		la = append(la, p.lines...)
	}
	for _, p := range pb {
		lb = append(lb, p.lines...)
	}
	summary := fmt.Sprintf("No IKEv%d proposal is acceptable to both ends. %s offers: %s. %s offers: %s.",
		v, c.a.name(), describeAll(pa), c.b.name(), describeAll(pb))
	if d := closestDiff(pa, pb); d != "" {
		summary += " Closest pair differs in " + d + "."
	}
	c.add(diagnose.CauseIKEProposalMismatch, 0.9, summary, both(ev(c.a, la...), ev(c.b, lb...)),
		"make one IKE policy/proposal identical on both ends (encryption, hash/integrity, authentication, DH group)",
		"on "+c.b.side+", accept what "+c.a.side+" offers:\n"+ikeConfig(c.b, oneOf(pa[0]), v),
		"or on "+c.a.side+", accept what "+c.b.side+" offers:\n"+ikeConfig(c.a, oneOf(pb[0]), v))
	return v, nil, nil
}

func describeAll(ps []proposal) string {
	var s []string
	for i, p := range ps {
		if i == 6 {
			s = append(s, fmt.Sprintf("and %d more", len(ps)-6))
			break
		}
		s = append(s, p.describe())
	}
	return strings.Join(s, "; ")
}

// closestDiff names what differs between the two most alike proposals.
func closestDiff(pa, pb []proposal) string {
	best, bestN := "", -1
	for _, a := range pa {
		for _, b := range pb {
			var diffs []string
			n := 0
			cmp := func(what string, x, y []string) {
				if intersects(x, y) || (len(x) == 0 && len(y) == 0) {
					n++
					return
				}
				diffs = append(diffs, fmt.Sprintf("%s (%s vs %s)", what, orNone(x), orNone(y)))
			}
			cmp("encryption", a.encr, b.encr)
			cmp("integrity", a.integ, b.integ)
			cmp("DH group", a.groups, b.groups)
			if a.auth != "" && b.auth != "" {
				cmp("authentication", []string{a.auth}, []string{b.auth})
			}
			if n > bestN {
				bestN = n
				best = strings.Join(diffs, ", ")
			}
		}
	}
	return best
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ",")
}

// lookupKey finds the pre-shared key d would use with peer.
func lookupKey(d *device, t *tunnel, peer, self netip.Addr, v int) *pskEntry {
	var best *pskEntry
	bestScore := -1
	for i := range d.keys {
		e := &d.keys[i]
		if e.version != 0 && e.version != v {
			continue
		}
		score := -1
		if d.vendor == "strongswan" {
			score = swanKeyScore(e, t, peer, self)
		} else {
			if t.keyScopes != nil && !slices.Contains(t.keyScopes, e.scope) {
				continue
			}
			if e.match.IsValid() && e.match.Contains(peer) {
				score = e.match.Bits()
			}
		}
		if score > bestScore {
			best, bestScore = e, score
		}
	}
	return best
}

// swanKeyScore ranks a secret the way charon does: a secret naming both
// identities beats one naming the peer, which beats one naming none.
func swanKeyScore(e *pskEntry, t *tunnel, peer, self netip.Addr) int {
	if len(e.ids) == 0 {
		return 0
	}
	remote := append(slices.Clone(t.remoteIDs), peer.String())
	local := append(slices.Clone(t.localIDs), self.String())
	if len(t.remoteIDs) > 0 {
		remote = t.remoteIDs
	}
	if len(t.localIDs) > 0 {
		local = t.localIDs
	}
	score := 0
	for _, id := range e.ids {
		switch {
		case slices.Contains(remote, id) || id == "%any":
			score += 2
		case slices.Contains(local, id):
			score++
		}
	}
	if score == 0 {
		return -1
	}
	return score
}

func (c *comparison) authOf(d *device, t *tunnel, p *proposal) string {
	if t.auth != "" {
		return t.auth
	}
	if p != nil && p.auth != "" {
		return p.auth
	}
	return "psk"
}

// checkKeys: each side needs a key for the other's address, and the keys
// must be equal (IKEv2: A's local key is B's remote key and back).
func (c *comparison) checkKeys(v int, pa, pb *proposal) {
	if c.authOf(c.a, c.ta, pa) != "psk" && c.authOf(c.b, c.tb, pb) != "psk" {
		c.notes = append(c.notes, "certificate authentication (keys not used)")
		return
	}
	ka := lookupKey(c.a, c.ta, c.peerB, c.peerA, v)
	kb := lookupKey(c.b, c.tb, c.peerA, c.peerB, v)
	for _, x := range []struct {
		d, other *device
		k        *pskEntry
		t, ot    *tunnel
		ok       *pskEntry
	}{{c.a, c.b, ka, c.ta, c.tb, kb}, {c.b, c.a, kb, c.tb, c.ta, ka}} {
		if x.k != nil {
			continue
		}
		what := "pre-shared key"
		switch x.d.vendor {
		case "asa":
			what = "tunnel-group with a pre-shared key"
		case "strongswan":
			what = "secret"
		}
		var dl []int
		var others []string
		for _, e := range x.d.keys {
			dl = append(dl, e.head, e.line, e.line2)
			switch {
			case e.match.IsValid():
				others = append(others, e.match.String())
			case len(e.ids) > 0:
				others = append(others, strings.Join(e.ids, "+"))
			}
		}
		if len(dl) == 0 {
			dl = append(dl, x.t.line)
		}
		peer := c.peerOf(x.other)
		summary := fmt.Sprintf("%s has no %s for %s's address %s (IKEv%d)", x.d.name(), what, x.other.name(), peer, v)
		if len(others) > 0 {
			summary += "; its keys are for " + strings.Join(firstN(others, 6), ", ")
		}
		summary += ": it cannot authenticate the peer."
		var ol []int
		if x.ok != nil {
			ol = append(ol, x.ok.head, x.ok.line, x.ok.line2)
		}
		ol = append(ol, peerLines(x.ot, c.peerOf(x.d))...)
		fix := vendorCmd(x.d,
			fmt.Sprintf("crypto keyring <name>\n pre-shared-key address %s key <the key %s uses>", peer, x.other.side),
			fmt.Sprintf("tunnel-group %s type ipsec-l2l\ntunnel-group %s ipsec-attributes\n ikev%d pre-shared-key <the key %s uses>", peer, peer, v, x.other.side),
			fmt.Sprintf("secrets { ike-%s { id = %s  secret = <the key %s uses> } }", x.other.side, idOf(x.ot, peer), x.other.side))
		c.add(diagnose.CauseMissingPeerConfig, 0.9, summary, both(ev(x.d, dl...), ev(x.other, ol...)), fix)
	}
	if ka == nil || kb == nil {
		return
	}
	if ka.unreadable != "" || kb.unreadable != "" {
		for _, k := range []struct {
			d *device
			e *pskEntry
		}{{c.a, ka}, {c.b, kb}} {
			if k.e.unreadable != "" {
				c.notes = append(c.notes, k.d.side+"'s pre-shared key ("+k.e.unreadable+")")
			}
		}
		return
	}
	type pair struct{ x, y secret }
	var pairs []pair
	if v == 1 || !(ka.hasLocal != ka.hasRem || kb.hasLocal != kb.hasRem || ka.local != ka.remote || kb.local != kb.remote) {
		pairs = append(pairs, pair{ka.local, kb.local})
	} else {
		if ka.hasLocal && kb.hasRem {
			pairs = append(pairs, pair{ka.local, kb.remote})
		}
		if ka.hasRem && kb.hasLocal {
			pairs = append(pairs, pair{ka.remote, kb.local})
		}
	}
	for _, p := range pairs {
		if p.x.v == p.y.v {
			continue
		}
		summary := fmt.Sprintf("The pre-shared keys differ: %s's key for %s and %s's key for %s are not the same (%s).",
			c.a.name(), c.peerB, c.b.name(), c.peerA, c.keyDiff(p.x.v, p.y.v))
		c.add(diagnose.CausePSKMismatch, 0.9, summary, both(ev(c.a, ka.head, ka.line, ka.line2), ev(c.b, kb.head, kb.line, kb.line2)),
			"set the same pre-shared key on both ends (re-type it on both: keys are case-sensitive and trailing spaces count)")
		return
	}
	c.checked = append(c.checked, "pre-shared key")
}

// keyDiff says that two keys differ without showing either, nor
// anything of them (not even their length): keyed hashes, when the
// caller gave a hash key.
func (c *comparison) keyDiff(x, y string) string {
	if len(c.opts.HashKey) > 0 {
		return fmt.Sprintf("keyed hashes %s and %s", c.hmacPrefix(x), c.hmacPrefix(y))
	}
	return "compared without showing either"
}

// idOf is the identity a tunnel's side sends: its local id, else its address.
func idOf(t *tunnel, addr netip.Addr) string {
	if t != nil && len(t.localIDs) > 0 {
		return t.localIDs[0]
	}
	return addr.String()
}

func firstN(s []string, n int) []string {
	if len(s) > n {
		return append(s[:n:n], "...")
	}
	return s
}

// checkESP: phase 2 needs one transform set / ESP proposal both accept.
func (c *comparison) checkESP() {
	ea, eb := c.ta.esp, c.tb.esp
	if len(ea) == 0 || len(eb) == 0 {
		for _, x := range []struct {
			d *device
			t *tunnel
		}{{c.a, c.ta}, {c.b, c.tb}} {
			if len(x.t.esp) == 0 {
				c.notes = append(c.notes, x.d.side+": transform sets / ESP proposals of "+x.t.name+" (none readable)")
			}
		}
		return
	}
	for _, p := range ea {
		for _, q := range eb {
			if p.compatible(q) {
				c.checked = append(c.checked, "transform set / ESP proposal")
				return
			}
		}
	}
	la, lb := []int{c.ta.espLine}, []int{c.tb.espLine}
	for _, p := range ea {
		la = append(la, p.lines...)
	}
	for _, p := range eb {
		lb = append(lb, p.lines...)
	}
	summary := fmt.Sprintf("No transform set / ESP proposal is acceptable to both ends. %s offers: %s. %s offers: %s.",
		c.a.name(), describeAll(ea), c.b.name(), describeAll(eb))
	if d := closestDiff(ea, eb); d != "" {
		summary += " Closest pair differs in " + d + "."
	}
	fixes := []string{"make one transform set / ESP proposal identical on both ends (encryption and integrity)"}
	if len(ea[0].encr) > 0 && len(eb[0].encr) > 0 {
		fixes = append(fixes,
			"on "+c.b.side+", accept what "+c.a.side+" offers:\n"+espConfig(c.b, c.tb, oneOf(ea[0])),
			"or on "+c.a.side+", accept what "+c.b.side+" offers:\n"+espConfig(c.a, c.ta, oneOf(eb[0])))
	}
	c.add(diagnose.CauseESPProposalMismatch, 0.9, summary, both(ev(c.a, la...), ev(c.b, lb...)), fixes...)
}

// checkSelectors: each side's crypto ACL must be the other's mirror image,
// compared as address sets so that masks, object groups and overlapping
// lines that say the same thing agree.
func (c *comparison) checkSelectors() {
	if !c.ta.hasSel || !c.tb.hasSel {
		for _, x := range []struct {
			d *device
			t *tunnel
		}{{c.a, c.ta}, {c.b, c.tb}} {
			if !x.t.hasSel {
				n := x.t.selNote
				if n == "" {
					n = "no crypto ACL / traffic selectors readable"
				}
				c.notes = append(c.notes, x.d.side+": "+n)
			}
		}
		return
	}
	mirrored := selectors{}
	for k, s := range c.tb.sel {
		mk := k.mirror()
		mirrored[mk] = mirrored[mk].union(s.mirror())
	}
	var keys []selKey
	for k := range c.ta.sel {
		keys = append(keys, k)
	}
	for k := range mirrored {
		if !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, func(x, y selKey) int { return strings.Compare(x.String(), y.String()) })
	var onlyA, onlyB []string
	for _, k := range keys {
		sa, sb := c.ta.sel[k], mirrored[k]
		if sa.equal(sb) {
			continue
		}
		prefix := ""
		if k.proto != "ip" || k.sport != "" || k.dport != "" {
			prefix = k.String() + " "
		}
		for _, d := range sa.minus(sb).describe(6) {
			onlyA = append(onlyA, prefix+d)
		}
		for _, d := range sb.minus(sa).mirror().describe(6) {
			kb := k.mirror()
			p := ""
			if prefix != "" {
				p = kb.String() + " "
			}
			onlyB = append(onlyB, p+d)
		}
	}
	if len(onlyA) == 0 && len(onlyB) == 0 {
		c.checked = append(c.checked, "crypto ACLs / traffic selectors (mirror images)")
		return
	}
	summary := fmt.Sprintf("The crypto ACLs / traffic selectors are not mirror images (%s on %s, %s on %s).",
		selName(c.ta), c.a.side, selName(c.tb), c.b.side)
	if len(onlyA) > 0 {
		summary += fmt.Sprintf(" %s protects %s with no mirror on %s.", c.a.name(), strings.Join(onlyA, "; "), c.b.side)
	}
	if len(onlyB) > 0 {
		summary += fmt.Sprintf(" %s protects %s with no mirror on %s.", c.b.name(), strings.Join(onlyB, "; "), c.a.side)
	}
	c.add(diagnose.CauseTrafficSelectorMismatch, 0.85, summary, both(ev(c.a, c.ta.selLines...), ev(c.b, c.tb.selLines...)),
		"make each side's crypto ACL (or local_ts/remote_ts) the exact mirror of the other's: same subnets, source and destination swapped")
}

func selName(t *tunnel) string {
	if t.selName == "" {
		return t.name
	}
	if strings.HasPrefix(t.selName, "child ") || strings.HasPrefix(t.selName, "tunnel ") || strings.HasPrefix(t.selName, "conn ") {
		return t.selName
	}
	return "ACL " + t.selName
}

// checkPFS: both or neither, and a common group.
func (c *comparison) checkPFS() {
	if c.ta.pfsOptional || c.tb.pfsOptional {
		c.checked = append(c.checked, "PFS")
		return
	}
	pa, pb := c.ta.pfs, c.tb.pfs
	switch {
	case len(pa) == 0 && len(pb) == 0:
	case len(pa) > 0 && len(pb) > 0 && intersects(pa, pb):
	default:
		desc := func(d *device, t *tunnel) string {
			if len(t.pfs) == 0 {
				return d.name() + " has no PFS"
			}
			return d.name() + " requires PFS group " + strings.Join(t.pfs, "/")
		}
		line := func(t *tunnel) int {
			if t.pfsLine > 0 {
				return t.pfsLine
			}
			return t.line
		}
		lines := func(t *tunnel) []int {
			if l := line(t); l < t.line {
				// inherited (conn %default): say which tunnel it is
				return []int{t.line, l}
			}
			return []int{line(t)}
		}
		c.add(diagnose.CausePFSMismatch, 0.85,
			fmt.Sprintf("PFS differs: %s, %s; quick mode / CREATE_CHILD_SA fails.", desc(c.a, c.ta), desc(c.b, c.tb)),
			both(ev(c.a, lines(c.ta)...), ev(c.b, lines(c.tb)...)),
			"set the same PFS group on both ends (IOS/ASA: set pfs groupN on the crypto map entry; strongSwan: the DH group in esp_proposals), or remove PFS from both")
		return
	}
	c.checked = append(c.checked, "PFS")
}

// checkNAT: traffic the tunnel should carry, caught by a NAT rule before
// any exemption, leaves d translated and in the clear: d decrypts what the
// other sends but never encrypts its answers.
func (c *comparison) checkNAT(d *device, t *tunnel, other *device, ot *tunnel, cause string) {
	if !t.hasSel || strings.HasPrefix(t.name, "interface ") || len(d.nat) == 0 {
		return
	}
	remaining := t.sel.all()
	var caught set2D
	var lines []int
	for _, r := range d.nat {
		if d.vendor == "asa" && r.ifOut != "" && r.ifOut != "any" && t.iface != "" && r.ifOut != t.iface {
			continue
		}
		hit := remaining.intersect(r.match)
		if len(hit) == 0 {
			continue
		}
		remaining = remaining.minus(hit)
		if !r.exempt {
			caught = caught.union(hit)
			lines = append(lines, r.lines...)
		}
	}
	if len(caught) == 0 {
		c.checked = appendNew(c.checked, "NAT exemption")
		return
	}
	summary := fmt.Sprintf("%s translates traffic its crypto ACL should protect (%s) with no NAT exemption before the rule: "+
		"those packets leave translated and unencrypted, so %s decrypts what %s sends but never encrypts the replies.",
		d.name(), caught.String(), d.side, other.side)
	fix := vendorCmd(d,
		"exempt the protected traffic: deny it at the top of the NAT ACL / route-map (deny ip <local> <wildcard> <remote> <wildcard>)",
		"add an identity NAT above the rule: nat (inside,outside) source static LOCAL LOCAL destination static REMOTE REMOTE no-proxy-arp route-lookup",
		"exclude the tunnel's traffic from the masquerade/SNAT rule")
	c.add(cause, 0.75, summary, both(ev(d, append(lines, t.selLines...)...), ev(other, ot.selLines...)), fix)
}

// checkLifetimes: differing lifetimes renegotiate to the lower one, and a
// phase 1 shorter than phase 2 rekeys IKE under live SAs; both are
// warnings, never the reason a tunnel is down.
func (c *comparison) checkLifetimes(pa, pb *proposal) {
	type life struct {
		v        int
		line     int
		explicit bool
	}
	p1 := func(t *tunnel, p *proposal) (life, bool) {
		switch {
		case t.p1LifeLine > 0:
			return life{t.p1Life, t.p1LifeLine, true}, true
		case t.p1Life > 0:
			return life{t.p1Life, t.line, false}, true
		case p != nil && p.lifeSet > 0:
			return life{p.life, p.lifeSet, true}, true
		case p != nil && p.life > 0:
			return life{p.life, p.line, false}, true
		}
		return life{}, false
	}
	p2 := func(t *tunnel) life {
		if t.p2Life > 0 {
			return life{t.p2Life, t.p2LifeLine, true}
		}
		return life{t.p2LifeDefault, t.line, false}
	}
	dflt := func(l life) string {
		if l.explicit {
			return fmt.Sprintf("%ds", l.v)
		}
		return fmt.Sprintf("%ds (default)", l.v)
	}
	var issues []string
	var la, lb []int
	a1, okA := p1(c.ta, pa)
	b1, okB := p1(c.tb, pb)
	a2, b2 := p2(c.ta), p2(c.tb)
	if okA && okB && a1.v != b1.v && (a1.explicit || b1.explicit) {
		issues = append(issues, fmt.Sprintf("phase 1 lifetime %s on %s vs %s on %s", dflt(a1), c.a.side, dflt(b1), c.b.side))
		la, lb = append(la, a1.line), append(lb, b1.line)
	}
	if a2.v != b2.v && (a2.explicit || b2.explicit) {
		issues = append(issues, fmt.Sprintf("phase 2 lifetime %s on %s vs %s on %s", dflt(a2), c.a.side, dflt(b2), c.b.side))
		la, lb = append(la, a2.line), append(lb, b2.line)
	}
	for _, x := range []struct {
		side   string
		l1, l2 life
		ok     bool
		ls     *[]int
	}{{c.a.side, a1, a2, okA, &la}, {c.b.side, b1, b2, okB, &lb}} {
		if x.ok && x.l1.v < x.l2.v && (x.l1.explicit || x.l2.explicit) {
			issues = append(issues, fmt.Sprintf("on %s phase 1 (%s) is shorter than phase 2 (%s)", x.side, dflt(x.l1), dflt(x.l2)))
			*x.ls = append(*x.ls, x.l1.line, x.l2.line)
		}
	}
	if len(issues) == 0 {
		c.checked = append(c.checked, "lifetimes")
		return
	}
	if len(lb) == 0 {
		lb = append(lb, b1.line, b2.line)
	}
	if len(la) == 0 {
		la = append(la, a1.line, a2.line)
	}
	c.add(diagnose.CauseLifetimeMismatch, 0.4,
		"Lifetimes disagree: "+strings.Join(issues, "; ")+". The tunnel comes up, but rekeys can flap or drop traffic.",
		both(ev(c.a, la...), ev(c.b, lb...)),
		"use the same lifetimes on both ends, phase 1 longer than phase 2 (for example 86400 s and 3600 s)")
}

// checkRoutes: with a crypto map, the box must route the far side's
// subnets out of the interface the map sits on, or decrypted traffic gets
// no answer (seed 004, "Routing Issues": add reverse-route or a static
// route). Only judged when the paste holds static routes at all.
func (c *comparison) checkRoutes(d *device, t *tunnel, other *device, ot *tunnel, cause string) {
	if len(d.routes) == 0 || !t.hasSel || t.mapName == "" || t.rri > 0 || !t.applied {
		return
	}
	var remote ipSet
	for _, b := range t.sel.all() {
		remote = remote.union(b.dst)
	}
	missing := remote
	var lines []int
	for _, r := range d.routes {
		if d.vendor == "asa" && r.iface != t.iface {
			continue
		}
		if len(r.dst.intersect(remote)) > 0 {
			lines = append(lines, r.line)
		}
		missing = missing.minus(r.dst)
	}
	if len(missing) == 0 {
		c.checked = appendNew(c.checked, "routes to the far subnets")
		return
	}
	if len(lines) == 0 {
		for _, r := range d.routes {
			lines = append(lines, r.line)
		}
	}
	out := t.iface
	if out == "" {
		out = "the outside interface"
	}
	summary := fmt.Sprintf("%s has no route to %s out of %s and no reverse-route on %s: it decrypts what %s sends but routes the replies elsewhere, unencrypted.",
		d.name(), missing.String(), out, t.name, other.side)
	fix := vendorCmd(d,
		"add reverse-route static to "+t.name+", or ip route "+missing.String()+" <outside next hop>",
		"route "+out+" "+missing.String()+" <outside next hop>, or crypto map "+t.mapName+" <seq> set reverse-route",
		"")
	c.add(cause, 0.6, summary, both(ev(d, append(lines, t.selLines...)...), ev(other, ot.selLines...)), fix)
}

// checkIDs: each side must send the identity the other expects. Only
// identities written in the config are judged; a side that sets none
// sends its address.
func (c *comparison) checkIDs() {
	judged := false
	for _, x := range []struct {
		snd, rcv *device
		ts, tr   *tunnel
		sndAddr  netip.Addr
	}{{c.a, c.b, c.ta, c.tb, c.peerA}, {c.b, c.a, c.tb, c.ta, c.peerB}} {
		if x.tr.remoteIDLine == 0 || len(x.tr.remoteIDs) == 0 {
			continue
		}
		judged = true
		sent := x.sndAddr.String()
		sentLine := 0
		if len(x.ts.localIDs) > 0 {
			sent, sentLine = x.ts.localIDs[0], x.ts.localIDLine
		}
		if idAccepted(x.tr.remoteIDs, sent) {
			continue
		}
		sl := []int{sentLine}
		if sentLine == 0 {
			// no identity set: the address it sends is where it stands
			sl = nil
			for _, o := range x.snd.outside {
				sl = append(sl, o.line)
			}
			sl = append(sl, x.ts.line)
		}
		how := "sends"
		if sentLine == 0 {
			how = "sends (no identity configured, so its address)"
		}
		c.add(diagnose.CauseIDMismatch, 0.85,
			fmt.Sprintf("%s expects the identity %s from %s, but %s %s %s: authentication fails.",
				x.rcv.name(), strings.Join(x.tr.remoteIDs, " or "), x.snd.side, x.snd.side, how, sent),
			both(ev(x.snd, sl...), ev(x.rcv, x.tr.remoteIDLine)),
			"make "+x.rcv.side+"'s remote identity match what "+x.snd.side+" sends (or set "+x.snd.side+"'s local identity)")
		return
	}
	if judged {
		c.checked = append(c.checked, "identities")
	}
}

func idAccepted(expect []string, sent string) bool {
	for _, e := range expect {
		if e == sent || e == "%any" || e == "%fromcert" || strings.Contains(e, "*") {
			return true
		}
		if d, ok := strings.CutPrefix(e, "domain "); ok && (strings.EqualFold(sent, d) || strings.HasSuffix(strings.ToLower(sent), "."+strings.ToLower(d))) {
			return true // IOS "match identity remote fqdn domain D"
		}
		if p, err := netip.ParsePrefix(e); err == nil {
			if a, ok := parseAddr(sent); ok && p.Contains(a) {
				return true
			}
		}
		if strings.EqualFold(e, sent) && !strings.Contains(e, "@") {
			return true // FQDNs compare without case
		}
	}
	return false
}
