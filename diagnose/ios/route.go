package ios

import (
	"strings"

	"github.com/tunneldoc/tunneldoc/diagnose/facts"
)

// commandArg returns the first argument after the command words n..., e.g.
// the address of "show ip route vrf X 4.1.1.1" (the last token that looks
// like an address).
func commandArg(cmd string) string {
	fs := strings.Fields(cmd)
	for i := len(fs) - 1; i >= 2; i-- {
		if looksAddr(fs[i]) {
			return fs[i]
		}
	}
	return ""
}

// isDefaultPrefix reports 0.0.0.0/0, "0.0.0.0 0.0.0.0" or ::/0.
func isDefaultPrefix(s string) bool {
	s = strings.TrimRight(s, ",")
	return s == "0.0.0.0/0" || s == "0.0.0.0" || s == "::/0"
}

// parseIPRoute reads `show ip route X`. "% Network not in table" and "%
// Subnet not in table" give Found=false; an entry for 0.0.0.0/0 gives
// Found=false, Default=true (only the default route covers X).
func parseIPRoute(sec *facts.Section, f *facts.Facts) {
	dest := commandArg(sec.Command)
	var r *facts.Route
	for _, ln := range sec.Lines {
		t := trimHeading(ln.Text)
		ref := facts.Ref{Section: sec.Index, Line: ln.N}
		switch {
		case hasPrefixFold(t, "% network not in table"), hasPrefixFold(t, "% subnet not in table"),
			hasPrefixFold(t, "%network not in table"):
			if r == nil {
				r = &facts.Route{Dest: dest, Ref: ref}
			}
		case hasPrefixFold(t, "routing entry for"):
			if r != nil {
				break
			}
			fs := strings.Fields(t[len("routing entry for"):])
			d := dest
			entry := ""
			if len(fs) > 0 {
				entry = strings.TrimRight(fs[0], ",")
			}
			if d == "" {
				d = entry
			}
			r = &facts.Route{Dest: d, Found: true, Ref: ref}
			if isDefaultPrefix(entry) {
				r.Found, r.Default = false, true
			}
		case r != nil && r.Found || r != nil && r.Default:
			if r.NextHop != "" {
				break
			}
			s := strings.TrimSpace(t)
			if strings.HasPrefix(s, "* ") || strings.HasPrefix(s, "*") && len(s) > 1 {
				s = strings.TrimSpace(strings.TrimPrefix(s, "*"))
				h := strings.TrimRight(firstField(s), ",")
				if looksAddr(h) {
					r.NextHop = h
				} else if strings.HasPrefix(lowerASCII(s), "directly connected") {
					r.NextHop = "connected"
				}
			}
		}
	}
	if r != nil {
		f.Routes = append(f.Routes, *r)
		f.Saw(facts.VendorIOS)
	}
}

// parseIPCEF reads `show ip cef X`. A 0.0.0.0/0 answer ("default route
// handler", "no route") means no specific route: Found=false,
// Default=true. Otherwise the first "via A" or "nexthop A" is the next hop.
func parseIPCEF(sec *facts.Section, f *facts.Facts) {
	dest := commandArg(sec.Command)
	var r *facts.Route
	for _, ln := range sec.Lines {
		t := trimHeading(ln.Text)
		low := lowerASCII(t)
		fs := strings.Fields(low)
		if len(fs) == 0 {
			continue
		}
		ref := facts.Ref{Section: sec.Index, Line: ln.N}
		if r == nil {
			p := strings.TrimRight(fs[0], ",")
			if strings.Contains(p, "/") && looksAddr(p) {
				d := dest
				if d == "" {
					d = p
				}
				r = &facts.Route{Dest: d, Found: true, Ref: ref}
				if isDefaultPrefix(p) {
					r.Found, r.Default = false, true
				}
				if strings.Contains(low, "no route") {
					r.Found = false
				}
			} else if strings.Contains(low, "no route") || strings.HasPrefix(low, "%") {
				r = &facts.Route{Dest: dest, Ref: ref}
			}
			continue
		}
		if strings.Contains(low, "no route") {
			r.Found = false
			if r.NextHop == "" {
				r.Ref = ref
			}
		}
		if r.NextHop != "" {
			continue
		}
		for i := 0; i+1 < len(fs); i++ {
			if fs[i] == "via" || fs[i] == "nexthop" || (fs[i] == "hop" && i > 0 && fs[i-1] == "next") {
				h := strings.TrimRight(fs[i+1], ",")
				if looksAddr(h) && h != "0.0.0.0" {
					r.NextHop = h
					break
				}
			}
		}
	}
	if r != nil {
		f.Routes = append(f.Routes, *r)
		f.Saw(facts.VendorIOS)
	}
}

// parsePing reads IOS ping output: "Sending 5, 100-byte ICMP Echos to X"
// and "Success rate is 0 percent (0/5)".
func parsePing(sec *facts.Section, f *facts.Facts) {
	target := commandArg("ping x " + strings.TrimSpace(strings.TrimPrefix(sec.Command, "ping")))
	for _, ln := range sec.Lines {
		t := trimHeading(ln.Text)
		// the values are read from the lowered line; only the two lines
		// that carry them are lowered
		if hasPrefixFold(t, "sending") && containsFold(t, "icmp echos to ") {
			v, _ := after(lowerASCII(t), "icmp echos to ")
			target = strings.TrimRight(firstField(v), ",")
			continue
		}
		if !containsFold(t, "success rate is ") {
			continue
		}
		v, _ := after(lowerASCII(t), "success rate is ")
		fs := strings.Fields(v)
		p := facts.Ping{Target: target, Percent: -1, Ref: facts.Ref{Section: sec.Index, Line: ln.N}}
		if len(fs) > 0 {
			if n, ok := atoi(fs[0]); ok {
				p.Percent = n
			}
		}
		if len(fs) > 2 {
			frac := strings.Trim(fs[2], "(),")
			if i := strings.IndexByte(frac, '/'); i >= 0 {
				p.Sent, _ = atoi(frac[i+1:])
			}
		}
		if p.Percent < 0 {
			continue
		}
		f.Pings = append(f.Pings, p)
		f.Saw(facts.VendorIOS)
	}
}
