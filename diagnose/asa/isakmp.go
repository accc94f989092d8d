package asa

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/tunneldoc/tunneldoc/diagnose/facts"
	"github.com/tunneldoc/tunneldoc/diagnose/ios"
)

// kvPair matches "Key : value" columns ("Type    : L2L", "Lifetime Remaining: 3545").
var kvPair = regexp.MustCompile(`([A-Za-z][A-Za-z/ ]*?)\s*:\s*(\S+)`)

// parseIsakmpSA reads ASA `show crypto isakmp sa [detail]` and `show crypto
// ikev1 sa [detail]`: the 8.x+ multi-line layout ("1   IKE Peer: X" then
// "Type : L2L  Role : responder" and "Rekey : no  State : MM_ACTIVE"), the
// older one-row layout under an "IKE Peer  Type  Dir  Rky  State" header,
// and, from "IKEv2 SAs:" on, the IKEv2 part (read by ios.ParseIKEv2Lines).
func parseIsakmpSA(sec *facts.Section, f *facts.Facts) {
	if looksIOSIsakmp(sec.Lines) {
		// Same command on a router: the engine may not know the vendor.
		ios.ParseIsakmpSA(sec, f)
		return
	}
	var out []facts.IKESA
	var cur *facts.IKESA
	var cols []string
	var v1Ref facts.Ref
	sawV1, noV1, v2 := false, false, false
	v1 := 0
	emit := func(sas []facts.IKESA) {
		for _, sa := range sas {
			f.IKESAs = append(f.IKESAs, sa)
			f.Saw(facts.VendorASA)
		}
	}
	flush := func() {
		if cur != nil {
			out = append(out, *cur)
			cur = nil
		}
	}
	lines := sec.Lines
	for i, ln := range lines {
		t := trim(ln.Text)
		if t == "" {
			continue
		}
		ref := facts.Ref{Section: sec.Index, Line: ln.N}
		low := lowerASCII(t)
		switch {
		case strings.HasPrefix(low, "ikev2 sas") || strings.HasPrefix(low, "there are no ikev2 sa"):
			flush()
			// keep text order: IKEv1 SAs before the IKEv2 ones
			v1 = len(out)
			emit(out)
			out = nil
			v2 = ios.ParseIKEv2Lines(sec.Index, lines[i:], facts.VendorASA, EmptyIKEv2, f)
			goto done
		case strings.HasPrefix(low, "there are no ikev1 sa") || strings.HasPrefix(low, "there are no isakmp sa"):
			noV1, v1Ref = true, ref
			continue
		case strings.HasPrefix(low, "ikev1 sas"), strings.HasPrefix(low, "active sa:"):
			sawV1 = true
			if v1Ref.Line == 0 {
				v1Ref = ref
			}
			continue
		case strings.HasPrefix(low, "total ike sa:"):
			sawV1 = true
			if n, err := strconv.Atoi(strings.TrimSpace(t[len("total ike sa:"):])); err == nil && n == 0 {
				noV1, v1Ref = true, ref
			}
			continue
		case strings.HasPrefix(low, "ike peer") && strings.Contains(low, "type"):
			flush()
			cols = strings.Fields(strings.Replace(low, "ike peer", "peer", 1))
			sawV1 = true
			continue
		}
		if m := ikePeerRow.FindString(t); m != "" {
			flush()
			fs := strings.Fields(t)
			cur = &facts.IKESA{Vendor: facts.VendorASA, Version: 1, Ref: ref}
			cur.ConnID, _ = strconv.Atoi(fs[0])
			if j := strings.Index(t, "IKE Peer:"); j >= 0 {
				if p := strings.Fields(t[j+len("IKE Peer:"):]); len(p) > 0 {
					cur.Peer = p[0]
				}
			}
			continue
		}
		if cur != nil && strings.Contains(t, ":") {
			for _, m := range kvPair.FindAllStringSubmatch(t, -1) {
				setIKEField(cur, lowerASCII(strings.Join(strings.Fields(m[1]), " ")), m[2])
			}
			continue
		}
		if len(cols) > 0 {
			if sa, ok := oneLineRow(strings.Fields(t), cols); ok {
				sa.Ref = ref
				out = append(out, sa)
			}
		}
	}
done:
	flush()
	v1 += len(out)
	emit(out)
	if v1 == 0 && (noV1 || sawV1) {
		f.MarkEmpty(EmptyIKEv1, v1Ref)
		if !v2 {
			f.MarkEmpty(NameIsakmpSA, v1Ref)
		}
	}
}

func setIKEField(sa *facts.IKESA, k, v string) {
	switch k {
	case "type":
		// L2L / User: no field in the model
	case "role", "dir":
		sa.Role = normRole(v)
	case "state":
		sa.State = v
	case "encrypt", "encryption":
		sa.Encr = v
	case "hash":
		sa.Hash = v
	case "auth":
		sa.Auth = v
	case "lifetime":
		sa.Lifetime = v
	}
}

func normRole(v string) string {
	switch lowerASCII(v) {
	case "resp", "responder":
		return "responder"
	case "init", "initiator":
		return "initiator"
	}
	return lowerASCII(v)
}

// oneLineRow reads "[seq] peer type dir rky state [encrypt hash auth lifetime]".
func oneLineRow(fl, cols []string) (facts.IKESA, bool) {
	sa := facts.IKESA{Vendor: facts.VendorASA, Version: 1}
	if len(fl) > 0 {
		if n, err := strconv.Atoi(fl[0]); err == nil {
			sa.ConnID = n
			fl = fl[1:]
		}
	}
	if len(fl) < 2 || !strings.ContainsAny(fl[0], ".:") {
		return sa, false
	}
	for i, c := range cols {
		if i >= len(fl) {
			break
		}
		switch c {
		case "peer":
			sa.Peer = fl[i]
		case "dir", "role":
			sa.Role = normRole(fl[i])
		case "state":
			sa.State = fl[i]
		case "encrypt":
			sa.Encr = fl[i]
		case "hash":
			sa.Hash = fl[i]
		case "auth":
			sa.Auth = fl[i]
		case "lifetime":
			sa.Lifetime = fl[i]
		}
	}
	return sa, sa.State != ""
}

// looksIOSIsakmp spots the IOS table ("IPv4 Crypto ISAKMP SA", a
// "dst src state" or "C-id Local Remote" header) in a section.
func looksIOSIsakmp(lines []facts.Line) bool {
	for _, ln := range lines {
		t := lowerASCII(trim(ln.Text))
		if strings.Contains(t, "crypto isakmp sa") || strings.HasPrefix(t, "dst ") && strings.Contains(t, "state") ||
			strings.HasPrefix(t, "c-id ") {
			return true
		}
	}
	return false
}
