package ios

import (
	"strings"

	"github.com/tunneldoc/tunneldoc/diagnose/facts"
)

// ParseIKEv2SA returns the reader of `show crypto ikev2 sa [detail]
// [local X|remote X]` for vendor v. IOS and ASA print the same blocks: a
// "Tunnel-id Local Remote fvrf/ivrf Status" (IOS) or "... Status Role"
// (ASA) header, one row per SA (IOS-XE may move Local and Remote onto
// their own lines), then "Encr: ..., DH Grp:N, Auth sign: X" and
// "Life/Active Time: A/B sec" lines, and in detail "DPD configured for N
// seconds" and "Initiator of SA : Yes".
func ParseIKEv2SA(v facts.Vendor, emptyKind string) func(sec *facts.Section, f *facts.Facts) {
	return func(sec *facts.Section, f *facts.Facts) {
		ParseIKEv2Lines(sec.Index, sec.Lines, v, emptyKind, f)
	}
}

// ParseIKEv2Lines reads IKEv2 SA blocks from lines (a whole section, or the
// IKEv2 part of an ASA `show crypto isakmp sa`). It reports whether it
// found any SA; with none and a table heading or "There are no IKEv2 SAs"
// it marks emptyKind empty.
func ParseIKEv2Lines(secIndex int, lines []facts.Line, v facts.Vendor, emptyKind string, f *facts.Facts) bool {
	af := ""
	var cols, fl []string // fl: the line's fields, one buffer for the section
	var cur *facts.IKESA
	var out []facts.IKESA
	var emptyRef facts.Ref
	sawHeading := false
	sessStatus := "" // ASA session status for the SAs that follow
	flush := func() {
		if cur != nil {
			out = append(out, *cur)
			cur = nil
		}
	}
	for _, ln := range lines {
		t := trimHeading(ln.Text)
		if t == "" {
			continue
		}
		ref := facts.Ref{Section: secIndex, Line: ln.N}
		switch {
		case hasPrefixFold(t, "ipv4 crypto ikev2"):
			af, sawHeading = "IPv4", true
			if emptyRef.Line == 0 {
				emptyRef = ref
			}
			continue
		case hasPrefixFold(t, "ipv6 crypto ikev2"):
			af, sawHeading = "IPv6", true
			if emptyRef.Line == 0 {
				emptyRef = ref
			}
			continue
		case hasPrefixFold(t, "there are no ikev2 sa"):
			sawHeading = true
			emptyRef = ref
			continue
		case hasPrefixFold(t, "ikev2 sas"):
			sawHeading = true
			v = facts.VendorASA // IOS has no such heading
			if emptyRef.Line == 0 {
				emptyRef = ref
			}
			continue
		case hasPrefixFold(t, "tunnel-id"):
			flush()
			cols = strings.Fields(lowerASCII(t))
			sawHeading = true
			// IOS prints fvrf/ivrf, ASA a Role column: label by what
			// the table shows, whichever vendor's entry was chosen.
			for _, c := range cols {
				switch c {
				case "fvrf/ivrf":
					v = facts.VendorIOS
				case "role":
					v = facts.VendorASA
				}
			}
			continue
		}
		if hasPrefixFold(t, "session-id:") && indexFold(t, "status:") > 0 {
			// (a detail block's own "Session-id: 7" line does not end the SA)
			// ASA: "Session-id:1, Status:UP-ACTIVE, IKE count:1, CHILD count:2"
			flush()
			sessStatus = keyValues(t)["status"]
			continue
		}
		fl = appendFields(fl[:0], t)
		if len(cols) > 0 && len(fl) >= 2 && isDigits(fl[0]) {
			if sa, ok := ikev2Row(fl, cols, v, af); ok {
				flush()
				sa.Ref = ref
				sa.Status = sessStatus
				cur = &sa
				continue
			}
		}
		if cur == nil {
			continue
		}
		switch {
		case hasPrefixFold(t, "local ") && cur.Local == "" && len(fl) >= 2 && looksAddr(fl[1]):
			cur.Local, _ = splitHostPort(fl[1])
		case hasPrefixFold(t, "remote ") && cur.Peer == "" && len(fl) >= 2 && looksAddr(fl[1]):
			cur.Peer, _ = splitHostPort(fl[1])
		case hasPrefixFold(t, "encr"):
			kv := keyValues(t)
			cur.Encr = kv["encr"]
			cur.Hash = kv["hash"]
			cur.DH = kv["dh grp"]
			cur.Auth = kv["auth sign"]
			if av := kv["auth verify"]; av != "" && !strings.EqualFold(av, cur.Auth) {
				cur.Auth += "/" + av
			}
		case hasPrefixFold(t, "life/active time"):
			if i := strings.IndexByte(t, ':'); i >= 0 {
				cur.Lifetime = strings.TrimSpace(t[i+1:])
			}
		case hasPrefixFold(t, "dpd configured for"):
			fs := strings.Fields(lowerASCII(t))
			if len(fs) > 3 {
				if n, ok := atoi(fs[3]); ok && n > 0 {
					cur.DPD = true
				}
			}
		case hasPrefixFold(t, "esp spi in/out:"):
			// "ESP spi in/out: 0x4c1f2e3d/0x9a8b7c6d" under "Child sa:": an
			// installed child SA (detail / session detailed outputs)
			in, out, _ := strings.Cut(strings.TrimSpace(t[len("esp spi in/out:"):]), "/")
			if zeroSPI(in) || zeroSPI(out) {
				break
			}
			f.IPsecSAs = append(f.IPsecSAs, facts.IPsecSA{Vendor: v, Peer: cur.Peer, LocalAddr: cur.Local, Counters: facts.NoCounters(),
				InboundSPIs: []string{in}, OutboundSPIs: []string{firstField(out)}, Lines: map[string]int{"outbound_spi": ln.N}, Ref: ref})
			f.Saw(v)
		case hasPrefixFold(t, "initiator of sa"):
			if i := strings.IndexByte(t, ':'); i >= 0 {
				switch lowerASCII(strings.TrimSpace(t[i+1:])) {
				case "yes":
					cur.Role = "initiator"
				case "no":
					cur.Role = "responder"
				}
			}
		}
	}
	flush()
	for _, sa := range out {
		f.IKESAs = append(f.IKESAs, sa)
		f.Saw(sa.Vendor)
	}
	if len(out) == 0 && sawHeading && emptyKind != "" {
		f.MarkEmpty(emptyKind, emptyRef)
	}
	return len(out) > 0
}

// ikev2Row reads one SA row against the header columns.
func ikev2Row(fl, cols []string, v facts.Vendor, af string) (facts.IKESA, bool) {
	sa := facts.IKESA{Vendor: v, Version: 2, AF: af}
	id, _ := atoi(fl[0])
	sa.ConnID = id
	i := 1
	for _, c := range cols[1:] {
		if i >= len(fl) {
			break
		}
		tok := fl[i]
		switch c {
		case "local":
			if !looksAddr(tok) {
				return sa, false
			}
			sa.Local, _ = splitHostPort(tok)
		case "remote":
			if !looksAddr(tok) {
				return sa, false
			}
			sa.Peer, _ = splitHostPort(tok)
		case "fvrf/ivrf":
			if !strings.Contains(tok, "/") {
				continue // blank column: do not consume the token
			}
		case "status":
			sa.State = tok
		case "role":
			sa.Role = lowerASCII(tok)
		}
		i++
	}
	if sa.State == "" {
		return sa, false
	}
	return sa, true
}

func zeroSPI(s string) bool {
	s = strings.TrimSpace(s)
	return s == "" || s == "0x0" || s == "0" || s == "0x00000000"
}
