package diagnose

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/tunneldoc/tunneldoc/diagnose/facts"
	"github.com/tunneldoc/tunneldoc/diagnose/redact"
)

// Data-plane verdicts of two counter reads a few seconds apart.
const (
	DataLive           = "live"              // encaps and decaps both grew
	DataOneWayOutbound = CauseOneWayOutbound // encaps grew, decaps did not
	DataOneWayInbound  = CauseOneWayInbound  // decaps grew, encaps did not
	DataIdle           = "idle"              // neither grew: no traffic offered
	DataStale          = "stale"             // the two reads cannot be compared
	dataNoCounters     = "no counters shown" // a read showed the SA but not its counters
	dataNoSA           = "no IPsec SA with the peer"
)

// CounterSnapshot is one read of a peer's IPsec SA counters.
type CounterSnapshot struct {
	Peer   string
	Vendor string
	// Encaps and Decaps are summed over the peer's IPsec SAs; -1 when
	// the output does not show them.
	Encaps, Decaps int64
	// SPIs are the outbound SPIs in use: another set at the second read
	// means the SA was rekeyed in between.
	SPIs []string
	// LocalIdent and RemoteIdent are the first SA's selectors as printed.
	LocalIdent, RemoteIdent string
	// Unit is what the counters count: "packets", or "bytes" where the
	// device shows no packet counts (libreswan).
	Unit string
	// Lines are the counter lines as the device printed them (redacted).
	Lines []string
	// Problem says why this read cannot be judged ("" when it can): the
	// read failed, or showed no SA or no counters for the peer.
	Problem string
}

// DataPlane is the judgment of two counter reads.
type DataPlane struct {
	Peer    string
	Seconds int // the wait between the two reads
	// Verdict is DataLive, DataOneWayOutbound, DataOneWayInbound,
	// DataIdle or DataStale.
	Verdict string
	// Cause is the contract cause the deltas show (healthy, one-way), ""
	// when they show none (idle, stale).
	Cause string
	// Encaps and Decaps are the packets counted between the two reads.
	Encaps, Decaps int64
	// Rekeyed: the SA was replaced between the reads; its counters began
	// again at zero (not a failure), so the deltas are the new SA's counts.
	Rekeyed bool
	Summary string
	// Ping is a command, in the device's own CLI, that offers traffic the
	// crypto ACL / traffic selectors match ("" when it cannot be built).
	Ping          string
	First, Second CounterSnapshot
}

// ReadCounters reads the IPsec SA counters for peer out of text (a
// `show crypto ipsec sa peer`, `swanctl --list-sas` or `ipsec
// trafficstatus` output, alone or within a whole check transcript).
func ReadCounters(text, peer string) CounterSnapshot {
	f := Facts(text, Options{Peer: peer})
	lines := strings.Split(text, "\n")
	s := CounterSnapshot{Peer: peer, Encaps: -1, Decaps: -1}
	found := false
	for _, sa := range f.IPsecSAs {
		if peer != "" && sa.Peer != peer && sa.RemoteEndpt != peer || !sa.HasSAs() {
			continue // another peer's, or a crypto map entry with no SA built
		}
		if !found {
			found = true
			s.Vendor, s.LocalIdent, s.RemoteIdent = string(sa.Vendor), sa.LocalIdent, sa.RemoteIdent
			s.Unit = "packets"
			if sa.Vendor == facts.VendorLibreswan {
				s.Unit = "bytes" // trafficstatus and Traffic: count bytes
			}
		}
		if sa.Counters.Encaps >= 0 {
			s.Encaps = max(s.Encaps, 0) + sa.Counters.Encaps
		}
		if sa.Counters.Decaps >= 0 {
			s.Decaps = max(s.Decaps, 0) + sa.Counters.Decaps
		}
		if spi := strings.ToLower(strings.TrimPrefix(strings.ToLower(sa.CurrentOutboundSPI), "0x")); spi != "" && sa.HasSAs() {
			spi, _, _ = strings.Cut(spi, "(")
			if !slices.Contains(s.SPIs, spi) {
				s.SPIs = append(s.SPIs, spi)
			}
		}
		for _, k := range []string{"encaps", "decaps"} {
			if n, ok := sa.Lines[k]; ok && n >= 1 && n <= len(lines) {
				l := redact.Line(strings.TrimSpace(lines[n-1]))
				if !slices.Contains(s.Lines, l) {
					s.Lines = append(s.Lines, l)
				}
			}
		}
	}
	switch {
	case !found:
		s.Problem = dataNoSA
	case s.Encaps < 0 || s.Decaps < 0:
		s.Problem = dataNoCounters
	}
	return s
}

// CompareSnapshots judges the data plane on two reads of the same peer's
// counters, seconds apart: traffic both ways, one way (which), none
// offered, or what could not be judged. A counter lower at the second
// read is a rekeyed SA counting again from zero, not a failure.
func CompareSnapshots(first, second CounterSnapshot, seconds int) DataPlane {
	dp := DataPlane{Peer: firstNonEmpty(second.Peer, first.Peer), Seconds: seconds, First: first, Second: second}
	peer := peerName(dp.Peer)
	in := fmt.Sprintf("in the %d s between the two reads", seconds)
	unit := firstNonEmpty(second.Unit, "packets")
	if first.Problem != "" || second.Problem != "" {
		dp.Verdict = DataStale
		switch {
		case first.Problem != "":
			dp.Summary = fmt.Sprintf("The data plane to %s could not be judged: the first read showed %s.", peer, first.Problem)
		case second.Problem == dataNoSA:
			dp.Summary = fmt.Sprintf("The data plane to %s could not be judged: the IPsec SA shown at the first read was gone %d s later (the tunnel went down or is being rebuilt); check again.", peer, seconds)
		default:
			dp.Summary = fmt.Sprintf("The data plane to %s could not be judged: the second read %s. The counters of the first read alone do not say whether traffic flows now.", peer, secondProblem(second.Problem))
		}
		return dp
	}
	spiChanged := len(first.SPIs) > 0 && len(second.SPIs) > 0 && !slices.ContainsFunc(second.SPIs, func(s string) bool { return slices.Contains(first.SPIs, s) })
	delta := func(a, b int64) int64 {
		if b < a || spiChanged {
			dp.Rekeyed = true
			return b // the new SA counted from zero
		}
		return b - a
	}
	dp.Encaps, dp.Decaps = delta(first.Encaps, second.Encaps), delta(first.Decaps, second.Decaps)
	switch {
	case dp.Encaps > 0 && dp.Decaps > 0:
		dp.Verdict, dp.Cause = DataLive, CauseHealthy
		dp.Summary = fmt.Sprintf("Traffic to %s flows both ways now: %d %s encrypted and %d decrypted %s.", peer, dp.Encaps, unit, dp.Decaps, in)
	case dp.Encaps > 0:
		dp.Verdict, dp.Cause = DataOneWayOutbound, CauseOneWayOutbound
		dp.Summary = fmt.Sprintf("Traffic to %s flows one way only: this side encrypted %d %s %s and decrypted none back. The far side does not return traffic into the tunnel (its routing, NAT exemption or ACL), or ESP is dropped on the way.", peer, dp.Encaps, unit, in)
	case dp.Decaps > 0:
		dp.Verdict, dp.Cause = DataOneWayInbound, CauseOneWayInbound
		dp.Summary = fmt.Sprintf("Traffic from %s flows one way only: this side decrypted %d %s %s and encrypted none back. The return traffic does not enter the tunnel on this side (the route to the remote subnet, NAT exemption or ACL).", peer, dp.Decaps, unit, in)
	default:
		dp.Verdict = DataIdle
		dp.Ping = pingFor(second)
		earlier := fmt.Sprintf("the %d %s encrypted and %d decrypted were counted earlier", second.Encaps, unit, second.Decaps)
		if second.Encaps == 0 && second.Decaps == 0 {
			earlier = "nothing has crossed it since the SA was built"
		}
		judge := "That says nothing bad about the tunnel; send traffic that the crypto ACL (traffic selectors) matches to see it pass."
		if (second.Encaps > 0) != (second.Decaps > 0) {
			judge = "The earlier counts went one way only: send traffic that the crypto ACL (traffic selectors) matches and check again to see whether it still does."
		}
		dp.Summary = fmt.Sprintf("No packet crossed the tunnel to %s %s: no traffic is offered to it now (%s). %s", peer, in, earlier, judge)
		if dp.Ping != "" {
			dp.Summary += " For example: `" + dp.Ping + "`."
		}
	}
	if dp.Rekeyed {
		dp.Summary += " The IPsec SA was rekeyed between the reads (its counters began again at zero): that is normal, not a failure."
	}
	return dp
}

func secondProblem(p string) string {
	switch p {
	case dataNoCounters:
		return "showed the SA without its counters"
	default:
		return "failed (" + p + ")"
	}
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// pingFor is a ping, in the device's CLI, from inside the local selector
// to a host inside the remote one; "" when the selectors are not networks
// (route-based tunnels, or not shown).
func pingFor(s CounterSnapshot) string {
	local, lok := identPrefix(s.LocalIdent)
	remote, rok := identPrefix(s.RemoteIdent)
	if !lok || !rok || remote.Bits() == 0 || local.Bits() == 0 {
		return ""
	}
	dst := hostIn(remote).String()
	src := "<this device's address in " + local.String() + ">"
	if local.IsSingleIP() {
		src = local.Addr().String()
	}
	switch facts.Vendor(s.Vendor) {
	case facts.VendorIOS:
		if !local.IsSingleIP() {
			src = "<interface in " + local.String() + ">"
		}
		return "ping " + dst + " source " + src
	case facts.VendorASA:
		// the ASA pings from the named interface's address, which must be
		// in the local network of the crypto ACL
		return "ping inside " + dst
	case facts.VendorStrongSwan, facts.VendorLibreswan:
		return "ping -I " + src + " " + dst
	}
	return ""
}

// identPrefix reads a selector as printed: IOS/ASA
// "(10.1.1.0/255.255.255.0/0/0)", strongSwan "10.10.0.0/16" or
// "10.10.0.0/16[tcp/80]".
func identPrefix(s string) (netip.Prefix, bool) {
	s = strings.TrimSpace(strings.Trim(strings.TrimSpace(s), "()"))
	s, _, _ = strings.Cut(s, "[")
	s, _, _ = strings.Cut(s, " ")
	parts := strings.Split(s, "/")
	addr, err := netip.ParseAddr(parts[0])
	if err != nil {
		return netip.Prefix{}, false
	}
	bits := addr.BitLen()
	if len(parts) > 1 {
		if n, err := strconv.Atoi(parts[1]); err == nil {
			bits = n
		} else if m, err := netip.ParseAddr(parts[1]); err == nil && m.Is4() {
			b := m.As4()
			bits = 0
			for _, x := range b {
				for i := 7; i >= 0 && x&(1<<i) != 0; i-- {
					bits++
				}
			}
		} else {
			return netip.Prefix{}, false
		}
	}
	p, err := addr.Prefix(bits)
	return p, err == nil
}

// hostIn is the first host of a network (the address itself for a host
// or a point-to-point prefix).
func hostIn(p netip.Prefix) netip.Addr {
	if p.Bits() >= p.Addr().BitLen()-1 {
		return p.Addr()
	}
	return p.Masked().Addr().Next()
}
