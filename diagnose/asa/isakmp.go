package asa

import (
	"strconv"
	"strings"

	"github.com/tunneldoc/tunneldoc/diagnose/facts"
	"github.com/tunneldoc/tunneldoc/diagnose/ios"
)

// eachKVPair calls fn with the key and value of every "Key : value" column
// of t ("Type    : L2L", "Lifetime Remaining: 3545"), in order: the matches
// of `([A-Za-z][A-Za-z/ ]*?)\s*:\s*(\S+)` that FindAllStringSubmatch gave,
// read by hand (the regexp was a third of this parser's time).
func eachKVPair(t string, fn func(key, val string)) {
	for p := 0; p < len(t); {
		if !isLetter(t[p]) {
			p++
			continue
		}
		end, key, val, ok := kvPairAt(t, p)
		if ok {
			fn(key, val)
		}
		p = end
	}
}

// kvPairAt matches one pair starting at the letter t[p]. On a failure, end
// is where the next match may start: every start before it reaches the
// same byte that failed this one.
func kvPairAt(t string, p int) (end int, key, val string, ok bool) {
	// The key is lazy: it ends after its last letter or '/' before the
	// spaces that lead to the colon.
	e, i := p+1, p+1
	for i < len(t) {
		if c := t[i]; isLetter(c) || c == '/' {
			i++
			e = i
		} else if c == ' ' {
			i++
		} else {
			break
		}
	}
	for i < len(t) && reSpace(t[i]) {
		i++
	}
	if i >= len(t) || t[i] != ':' {
		return max(i, p+1), "", "", false
	}
	i++
	for i < len(t) && reSpace(t[i]) {
		i++
	}
	v := i
	for i < len(t) && !reSpace(t[i]) {
		i++
	}
	if i == v {
		return len(t), "", "", false // only spaces after the colon
	}
	return i, t[p:e], t[v:i], true
}

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

// reSpace is the regexp \s class.
func reSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r' }

// isIKEPeerRow matches `^\d+\s+IKE Peer:\s*\S+`, the "1   IKE Peer: 10.0.0.2"
// line of the multi-line layout.
func isIKEPeerRow(t string) bool {
	i := 0
	for i < len(t) && '0' <= t[i] && t[i] <= '9' {
		i++
	}
	if i == 0 {
		return false
	}
	j := i
	for j < len(t) && reSpace(t[j]) {
		j++
	}
	if j == i || !strings.HasPrefix(t[j:], "IKE Peer:") {
		return false
	}
	j += len("IKE Peer:")
	for j < len(t) && reSpace(t[j]) {
		j++
	}
	return j < len(t)
}

// ikeFields are the detail keys setIKEField reads.
var ikeFields = [...]string{"type", "role", "dir", "state", "encrypt", "encryption", "hash", "auth", "lifetime"}

// ikeFieldName is the setIKEField key a column key stands for (lower case,
// spaces squeezed), "" for any other key. None of them has a space.
func ikeFieldName(key string) string {
	for _, k := range ikeFields {
		if len(k) == len(key) && ios.HasPrefixFold(key, k) {
			return k
		}
	}
	return ""
}

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
	var cols, fields []string
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
		switch {
		case ios.HasPrefixFold(t, "ikev2 sas") || ios.HasPrefixFold(t, "there are no ikev2 sa"):
			flush()
			// keep text order: IKEv1 SAs before the IKEv2 ones
			v1 = len(out)
			emit(out)
			out = nil
			v2 = ios.ParseIKEv2Lines(sec.Index, lines[i:], facts.VendorASA, EmptyIKEv2, f)
			goto done
		case ios.HasPrefixFold(t, "there are no ikev1 sa") || ios.HasPrefixFold(t, "there are no isakmp sa"):
			noV1, v1Ref = true, ref
			continue
		case ios.HasPrefixFold(t, "ikev1 sas"), ios.HasPrefixFold(t, "active sa:"):
			sawV1 = true
			if v1Ref.Line == 0 {
				v1Ref = ref
			}
			continue
		case ios.HasPrefixFold(t, "total ike sa:"):
			sawV1 = true
			if n, err := strconv.Atoi(strings.TrimSpace(t[len("total ike sa:"):])); err == nil && n == 0 {
				noV1, v1Ref = true, ref
			}
			continue
		case ios.HasPrefixFold(t, "ike peer") && ios.ContainsFold(t, "type"):
			flush()
			cols = strings.Fields(strings.Replace(lowerASCII(t), "ike peer", "peer", 1))
			sawV1 = true
			continue
		}
		if isIKEPeerRow(t) {
			flush()
			cur = &facts.IKESA{Vendor: facts.VendorASA, Version: 1, Ref: ref}
			cur.ConnID, _ = strconv.Atoi(ios.FirstField(t))
			if j := strings.Index(t, "IKE Peer:"); j >= 0 {
				cur.Peer = ios.FirstField(t[j+len("IKE Peer:"):])
			}
			continue
		}
		if cur != nil && strings.IndexByte(t, ':') >= 0 {
			eachKVPair(t, func(key, val string) {
				setIKEField(cur, ikeFieldName(key), val)
			})
			continue
		}
		if len(cols) > 0 {
			fields = ios.AppendFields(fields[:0], t)
			if sa, ok := oneLineRow(fields, cols); ok {
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
		t := trim(ln.Text)
		if ios.ContainsFold(t, "crypto isakmp sa") || ios.HasPrefixFold(t, "dst ") && ios.ContainsFold(t, "state") ||
			ios.HasPrefixFold(t, "c-id ") {
			return true
		}
		// a router's row without its header (`| include QM`): "dst src
		// QM_IDLE conn-id status"; ASA rows start with a number
		if fs := strings.Fields(t); len(fs) >= 4 && isAddr(fs[0]) && isAddr(fs[1]) && strings.Contains(fs[2], "_") {
			return true
		}
	}
	return false
}
