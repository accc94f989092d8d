package devices

import (
	"fmt"
	"math/bits"
	"net"
	"net/netip"
	"sort"
	"strconv"
	"strings"
)

func netJoin(host string, port int) string {
	return net.JoinHostPort(host, strconv.Itoa(port))
}

// Match is one device that terminates a tunnel.
type Match struct {
	Device *Device
	Tunnel Tunnel
}

// Device returns the entry called name.
func (inv *Inventory) Device(name string) (*Device, error) {
	for i := range inv.Devices {
		if inv.Devices[i].Name == name {
			return &inv.Devices[i], nil
		}
	}
	var names []string
	for _, d := range inv.Devices {
		names = append(names, d.Name)
	}
	near := nearestStrings(name, names, 3)
	msg := fmt.Sprintf("no device called %q in the inventory", name)
	if len(near) > 0 {
		msg += "; did you mean " + strings.Join(near, ", ") + "?"
	}
	return nil, &Error{Kind: UnknownDevice, Device: name, Msg: msg}
}

func (inv *Inventory) jumpHost(name string) *Device {
	for i := range inv.JumpHosts {
		if inv.JumpHosts[i].Name == name {
			return &inv.JumpHosts[i]
		}
	}
	return nil
}

// Lookup finds the devices that terminate peer, which may be a peer
// address or a tunnel name. With device set, only that device is
// considered; a device asked for by name may be checked for an address
// its entry does not list (inventories lag behind configs).
func (inv *Inventory) Lookup(peer, device string) ([]Match, error) {
	addr, addrErr := netip.ParseAddr(strings.TrimSpace(peer))
	var out []Match
	for i := range inv.Devices {
		d := &inv.Devices[i]
		if device != "" && d.Name != device {
			continue
		}
		for _, t := range d.Tunnels {
			if (addrErr == nil && t.Peer == addr) || (t.Name != "" && strings.EqualFold(t.Name, peer)) {
				out = append(out, Match{Device: d, Tunnel: t})
			}
		}
	}
	if len(out) > 0 {
		return out, nil
	}
	if device != "" {
		d, err := inv.Device(device)
		if err != nil {
			return nil, err
		}
		if addrErr == nil {
			return []Match{{Device: d, Tunnel: Tunnel{Peer: addr}}}, nil
		}
		return nil, &Error{Kind: UnknownPeer, Device: device,
			Msg: fmt.Sprintf("%s has no tunnel called %q%s", device, peer, inv.nearHint(peer, device))}
	}
	if addrErr != nil && !looksLikeName(peer) {
		return nil, &Error{Kind: UnknownPeer, Msg: fmt.Sprintf("%q is neither a peer IP address nor a tunnel name%s", peer, inv.nearHint(peer, ""))}
	}
	return nil, &Error{Kind: UnknownPeer,
		Msg: fmt.Sprintf("no device in the inventory terminates %s%s; add the tunnel to the device's `tunnels:` list, or say `check tunnel %s on <device>`", peer, inv.nearHint(peer, ""), peer)}
}

func looksLikeName(s string) bool {
	return s != "" && !strings.ContainsAny(s, " \t/")
}

// nearHint lists up to three tunnels close to what was asked for:
// addresses sharing the longest prefix, names by edit distance.
func (inv *Inventory) nearHint(peer, device string) string {
	type cand struct {
		label string
		score int // higher is nearer
		dist  uint64
	}
	var cands []cand
	addr, addrErr := netip.ParseAddr(strings.TrimSpace(peer))
	for _, d := range inv.Devices {
		if device != "" && d.Name != device {
			continue
		}
		for _, t := range d.Tunnels {
			label := t.Peer.String()
			if t.Name != "" {
				label += " (" + t.Name + " on " + d.Name + ")"
			} else {
				label += " (on " + d.Name + ")"
			}
			score, dist := -1, uint64(0)
			if addrErr == nil && addr.Is4() == t.Peer.Is4() {
				dist = addrDistance(addr, t.Peer)
				score = commonPrefixBits(addr, t.Peer)
				if score < 8 {
					score = -1
				}
			}
			if t.Name != "" {
				dist := editDistance(strings.ToLower(peer), strings.ToLower(t.Name))
				if dist <= max(2, len(peer)/3) {
					score = max(score, 100-dist)
				}
			}
			if d2 := editDistance(peer, t.Peer.String()); addrErr != nil && d2 <= 2 {
				score = max(score, 100-d2)
			}
			if score >= 0 {
				cands = append(cands, cand{label, score, dist})
			}
		}
	}
	if len(cands) == 0 {
		return ""
	}
	sort.SliceStable(cands, func(i, j int) bool {
		if cands[i].score != cands[j].score {
			return cands[i].score > cands[j].score
		}
		return cands[i].dist < cands[j].dist
	})
	var labels []string
	for i := 0; i < len(cands) && i < 3; i++ {
		labels = append(labels, cands[i].label)
	}
	return "; nearest: " + strings.Join(labels, ", ")
}

// addrDistance compares the low 64 bits numerically: 90.1.1.9 is nearer
// to 90.1.1.8 than to 90.1.1.1 though both share 28 bits.
func addrDistance(a, b netip.Addr) uint64 {
	x, y := a.As16(), b.As16()
	var u, v uint64
	for i := 8; i < 16; i++ {
		u, v = u<<8|uint64(x[i]), v<<8|uint64(y[i])
	}
	if u > v {
		return u - v
	}
	return v - u
}

func commonPrefixBits(a, b netip.Addr) int {
	x, y := a.As16(), b.As16()
	n := 0
	for i := range x {
		if x[i] == y[i] {
			n += 8
			continue
		}
		n += bits.LeadingZeros8(x[i] ^ y[i])
		break
	}
	if a.Is4() {
		n -= 96
	}
	return n
}

func nearestStrings(s string, options []string, limit int) []string {
	type cand struct {
		v    string
		dist int
	}
	var cs []cand
	for _, o := range options {
		if d := editDistance(strings.ToLower(s), strings.ToLower(o)); d <= max(2, len(s)/3) {
			cs = append(cs, cand{o, d})
		}
	}
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].dist < cs[j].dist })
	var out []string
	for i := 0; i < len(cs) && i < limit; i++ {
		out = append(out, cs[i].v)
	}
	return out
}

// suggest returns ` (did you mean "x"?)` for the nearest option, or "".
func suggest(s string, options []string) string {
	if near := nearestStrings(s, options, 1); len(near) > 0 {
		return fmt.Sprintf(" (did you mean %q?)", near[0])
	}
	return ""
}

func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// FarEnd finds the inventory device at the other end of near's tunnel and
// that device's tunnel back: the one near's tunnel names as its far_end,
// else a device with a tunnel of the same name, else the device whose
// address is near's peer. A tunnel with the same peer as near's is a
// twin (two hubs of one branch), never the far end.
func (inv *Inventory) FarEnd(near Match) (Match, bool) {
	back := func(d *Device) (Tunnel, bool) {
		var only []Tunnel
		for _, t := range d.Tunnels {
			if t.Peer == near.Tunnel.Peer {
				continue // a twin
			}
			if a, err := netip.ParseAddr(near.Device.Address); (err == nil && t.Peer == a) || (near.Tunnel.Name != "" && strings.EqualFold(t.Name, near.Tunnel.Name)) {
				return t, true
			}
			only = append(only, t)
		}
		if len(only) == 1 {
			return only[0], true
		}
		return Tunnel{}, false
	}
	if n := near.Tunnel.FarEnd; n != "" {
		if d, err := inv.Device(n); err == nil && d != near.Device {
			if t, ok := back(d); ok {
				return Match{Device: d, Tunnel: t}, true
			}
		}
		return Match{}, false
	}
	for i := range inv.Devices {
		d := &inv.Devices[i]
		if d == near.Device || d.Name == near.Device.Name || d.Platform == "" {
			continue
		}
		for _, t := range d.Tunnels {
			if t.Peer == near.Tunnel.Peer {
				continue
			}
			sameName := near.Tunnel.Name != "" && strings.EqualFold(t.Name, near.Tunnel.Name)
			if sameName || d.Address == near.Tunnel.Peer.String() {
				return Match{Device: d, Tunnel: t}, true
			}
		}
	}
	return Match{}, false
}
