package diagnose

import (
	"fmt"
	"net/netip"
	"regexp"
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
	DataIdle           = "idle"              // neither grew (no traffic offered), or one packet only
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
	// LastIn and LastOut are how many seconds ago the device says the
	// last packet came in / went out (strongSwan prints "Ns ago" beside
	// the counters; no other platform shows it); -1 when not shown.
	LastIn, LastOut int64
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
	s := CounterSnapshot{Peer: peer, Encaps: -1, Decaps: -1, LastIn: -1, LastOut: -1}
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
				if sa.Vendor == facts.VendorStrongSwan {
					s.LastIn, s.LastOut = lastUse(lines[n-1], s.LastIn, s.LastOut)
				}
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
	inFlight := inFlightOf(unit)
	switch {
	case dp.Encaps > 0 && dp.Decaps > 0:
		dp.Verdict, dp.Cause = DataLive, CauseHealthy
		dp.Summary = fmt.Sprintf("Traffic to %s flows both ways now: %d %s encrypted and %d decrypted %s.", peer, dp.Encaps, unit, dp.Decaps, in)
	case dp.Encaps > inFlight:
		dp.Verdict, dp.Cause = DataOneWayOutbound, CauseOneWayOutbound
		dp.Summary = fmt.Sprintf("Traffic to %s flows one way only: this side encrypted %d %s %s and decrypted none back. The far side does not return traffic into the tunnel (its routing, NAT exemption or ACL), or ESP is dropped on the way.", peer, dp.Encaps, unit, in)
	case dp.Decaps > inFlight:
		dp.Verdict, dp.Cause = DataOneWayInbound, CauseOneWayInbound
		dp.Summary = fmt.Sprintf("Traffic from %s flows one way only: this side decrypted %d %s %s and encrypted none back. The return traffic does not enter the tunnel on this side (the route to the remote subnet, NAT exemption or ACL).", peer, dp.Decaps, unit, in)
	case dp.Encaps > 0 || dp.Decaps > 0:
		// One packet one way: a request whose answer was still on its way
		// at the second read (or whose request was counted before the
		// first) looks just like this. Not evidence of one-way traffic.
		dp.Verdict = DataIdle
		dp.Ping = pingFor(second)
		what, way, other := fmt.Sprintf("%d %s", dp.Encaps, unit), "encrypted", "decrypted"
		if dp.Decaps > 0 {
			what, way, other = fmt.Sprintf("%d %s", dp.Decaps, unit), "decrypted", "encrypted"
		}
		if unit == "packets" {
			what = "one packet"
		}
		dp.Summary = fmt.Sprintf("Only %s crossed the tunnel to %s %s (%s, nothing %s): that may be one request whose answer was still on its way at a read, too little to call the traffic one-way. Send steady traffic that the crypto ACL (traffic selectors) matches and check again.", what, peer, in, way, other)
		if dp.Ping != "" {
			dp.Summary += " For example: `" + dp.Ping + "`."
		}
	default:
		dp.Verdict = DataIdle
		dp.Ping = pingFor(second)
		earlier := "The SA is new: nothing has crossed it since the SA was built."
		if second.Encaps > 0 || second.Decaps > 0 {
			earlier = fmt.Sprintf("The %d %s encrypted and %d decrypted that both reads show are old counts, not current traffic: they add up everything since the SA was built.", second.Encaps, unit, second.Decaps)
			if last := lastUseText(second); last != "" {
				earlier += " The device says " + last + "."
			}
		}
		judge := "That says nothing bad about the tunnel; send traffic that the crypto ACL (traffic selectors) matches to see it pass."
		if (second.Encaps > 0) != (second.Decaps > 0) {
			judge = "The earlier counts went one way only: send traffic that the crypto ACL (traffic selectors) matches and check again to see whether it still does."
		}
		dp.Summary = fmt.Sprintf("No packet crossed the tunnel to %s %s: no traffic is offered to it now. %s %s", peer, in, earlier, judge)
		if dp.Ping != "" {
			dp.Summary += " For example: `" + dp.Ping + "`."
		}
	}
	if dp.Rekeyed {
		dp.Summary += " The IPsec SA was rekeyed between the reads (its counters began again at zero): that is normal, not a failure."
	}
	return dp
}

// A one-way verdict needs the counter that grew to have grown by more
// than one in-flight exchange can explain: more than one packet (more
// than one full-size packet's bytes where the device counts only bytes).
// A ping request counted as encrypted at the second read, its reply not
// yet decrypted, is one packet one way on a healthy tunnel; so is a reply
// decrypted after the first read to a request counted before it.
const (
	inFlightPackets = 1
	inFlightBytes   = 1500
)

func inFlightOf(unit string) int64 {
	if unit == "bytes" {
		return inFlightBytes
	}
	return inFlightPackets
}

// lastUseRe reads the "Ns ago" strongSwan prints after a CHILD_SA's
// counters: swanctl --list-sas "in  c1a2b3c4, 48213044 bytes, 2618
// packets, 5s ago", ipsec statusall "252 bytes_i (3 pkts, 0s ago), 252
// bytes_o (3 pkts, 0s ago)".
var (
	swanctlLastUseRe = regexp.MustCompile(`^\s*(in|out)\s+\S+,.*packets,\s*(\d+)s ago\s*$`)
	statusLastUseRe  = regexp.MustCompile(`bytes_(i|o) \(\d+ pkts?, (\d+)s ago\)`)
)

// lastUse folds the last-use ages a counter line shows into in and out
// (the most recent use wins across several SAs).
func lastUse(line string, in, out int64) (int64, int64) {
	var ms [][]string
	if m := swanctlLastUseRe.FindStringSubmatch(line); m != nil {
		ms = append(ms, m)
	}
	ms = append(ms, statusLastUseRe.FindAllStringSubmatch(line, -1)...)
	for _, m := range ms {
		n, err := strconv.ParseInt(m[2], 10, 64)
		if err != nil {
			continue
		}
		if m[1] == "in" || m[1] == "i" {
			if in < 0 || n < in {
				in = n
			}
		} else if out < 0 || n < out {
			out = n
		}
	}
	return in, out
}

// lastUseText says when the device last saw a packet each way ("" when it
// does not show it).
func lastUseText(s CounterSnapshot) string {
	var parts []string
	if s.LastIn >= 0 {
		parts = append(parts, "the last packet came in "+agoText(s.LastIn)+" ago")
	}
	if s.LastOut >= 0 {
		parts = append(parts, "the last packet went out "+agoText(s.LastOut)+" ago")
	}
	return strings.Join(parts, " and ")
}

// agoText is a number of seconds in the largest units that fit, at most two.
func agoText(sec int64) string {
	const minute, hour, day = 60, 3600, 86400
	switch {
	case sec < minute:
		return fmt.Sprintf("%d s", sec)
	case sec < hour:
		return fmt.Sprintf("%d min", sec/minute)
	case sec < day:
		if m := sec % hour / minute; m > 0 {
			return fmt.Sprintf("%d h %d min", sec/hour, m)
		}
		return fmt.Sprintf("%d h", sec/hour)
	}
	if h := sec % day / hour; h > 0 {
		return fmt.Sprintf("%d d %d h", sec/day, h)
	}
	return fmt.Sprintf("%d d", sec/day)
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

// dataPlaneConfidence is how sure a one-way verdict of two reads is: the
// deltas are the traffic itself over the interval, not a reading of
// cumulative counts (the one-packet race is excluded before).
const dataPlaneConfidence = 0.9

// Report is the data-plane verdict as a diagnosis, for an incident's
// record: a one-way verdict is a data-plane failure with the fix of its
// cause in the device's own CLI; a live one is healthy; idle and stale
// name no cause (phase unknown, verdict unknown).
func (dp DataPlane) Report() Report {
	vendor := firstNonEmpty(dp.Second.Vendor, dp.First.Vendor)
	r := Report{Vendor: vendor, Peer: dp.Peer, Summary: dp.Summary, Evidence: []Evidence{}, Fix: []string{}, Findings: []Finding{}, Readable: true}
	switch dp.Verdict {
	case DataOneWayOutbound, DataOneWayInbound:
		r.Phase, r.Cause, r.Confidence = PhaseData, dp.Cause, dataPlaneConfidence
	case DataLive:
		r.Phase, r.Cause, r.Confidence = PhaseNone, CauseHealthy, dataPlaneConfidence
	default:
		r.Phase, r.Cause = PhaseUnknown, CauseUnknown
	}
	r.Verdict = VerdictFor(r.Phase, r.Cause)
	if r.Cause != CauseUnknown {
		r.Fix = fixFor(facts.Vendor(vendor), r.Cause, dp.Peer)
	}
	return r
}
