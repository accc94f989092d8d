package ios

import (
	"strings"

	"github.com/tunneldoc/tunneldoc/diagnose/facts"
)

// parseIsakmpPolicy reads `show crypto isakmp policy` and `show crypto
// isakmp default policy`. Values are normalised to config keywords (aes,
// aes-256, 3des, sha, sha256, md5, pre-share, rsa-sig, group "14") so that
// rules can compare the two ends whatever the wording.
func parseIsakmpPolicy(sec *facts.Section, f *facts.Facts) {
	var cur *facts.IKEPolicy
	var out []facts.IKEPolicy
	flush := func() {
		if cur != nil {
			out = append(out, *cur)
			cur = nil
		}
	}
	for _, ln := range sec.Lines {
		t := trimHeading(ln.Text)
		low := lowerASCII(t)
		ref := facts.Ref{Section: sec.Index, Line: ln.N}
		switch {
		case strings.HasPrefix(low, "protection suite of priority"),
			strings.HasPrefix(low, "default protection suite"):
			flush()
			cur = &facts.IKEPolicy{Vendor: facts.VendorIOS, Ref: ref}
			cur.Default = strings.HasPrefix(low, "default")
			if v, ok := after(low, "priority"); ok {
				cur.Priority, _ = atoi(firstField(v))
			}
		case cur == nil:
		case strings.HasPrefix(low, "encryption algorithm:"):
			cur.Encr = normEncr(low[len("encryption algorithm:"):])
		case strings.HasPrefix(low, "hash algorithm:"):
			cur.Hash = normHash(low[len("hash algorithm:"):])
		case strings.HasPrefix(low, "authentication method:"):
			cur.Auth = normAuth(low[len("authentication method:"):])
		case strings.HasPrefix(low, "diffie-hellman group:"):
			v := strings.TrimSpace(low[len("diffie-hellman group:"):])
			cur.Group = strings.TrimLeft(firstField(v), "#")
		case strings.HasPrefix(low, "lifetime:"):
			v := strings.TrimSpace(low[len("lifetime:"):])
			cur.Lifetime, _ = atoi(firstField(v))
		}
	}
	flush()
	for _, p := range out {
		f.Policies = append(f.Policies, p)
		f.Saw(facts.VendorIOS)
	}
}

func normEncr(v string) string {
	v = strings.TrimSpace(v)
	bits := ""
	for _, b := range []string{"128", "192", "256"} {
		if strings.Contains(v, "("+b+" bit") || strings.Contains(v, b+" bit") {
			bits = b
		}
	}
	switch {
	case strings.HasPrefix(v, "aes"):
		if strings.Contains(v, "gcm") {
			return "aes-gcm-" + bits
		}
		if bits == "" || bits == "128" {
			return "aes"
		}
		return "aes-" + bits
	case strings.HasPrefix(v, "three key triple des"), strings.HasPrefix(v, "3des"):
		return "3des"
	case strings.HasPrefix(v, "des"):
		return "des"
	}
	return strings.TrimRight(firstField(v), ".")
}

func normHash(v string) string {
	v = strings.TrimSpace(v)
	switch {
	case strings.Contains(v, "512"):
		return "sha512"
	case strings.Contains(v, "384"):
		return "sha384"
	case strings.Contains(v, "256"):
		return "sha256"
	case strings.HasPrefix(v, "secure hash"), strings.HasPrefix(v, "sha"):
		return "sha"
	case strings.Contains(v, "md5") || strings.Contains(v, "message digest"):
		return "md5"
	}
	return firstField(v)
}

func normAuth(v string) string {
	v = strings.TrimSpace(v)
	switch {
	case strings.Contains(v, "pre-shared"), strings.Contains(v, "preshared"), strings.Contains(v, "pre-share"):
		return "pre-share"
	case strings.Contains(v, "signature"):
		return "rsa-sig"
	case strings.Contains(v, "encryption"):
		return "rsa-encr"
	}
	return firstField(v)
}

// parseTransformSet reads `show crypto ipsec transform-set`:
// "Transform set TS: { esp-aes esp-sha-hmac }" then "will negotiate = { Tunnel, },".
func parseTransformSet(sec *facts.Section, f *facts.Facts) {
	var cur *facts.TransformSet
	var out []facts.TransformSet
	flush := func() {
		if cur != nil {
			out = append(out, *cur)
			cur = nil
		}
	}
	for _, ln := range sec.Lines {
		t := trimHeading(ln.Text)
		switch {
		case hasPrefixFold(t, "transform set "):
			flush()
			rest := strings.TrimSpace(t[len("transform set "):])
			name := rest
			body := ""
			if i := strings.IndexByte(rest, ':'); i >= 0 {
				name, body = strings.TrimSpace(rest[:i]), rest[i+1:]
			} else if i := strings.IndexByte(rest, '{'); i >= 0 {
				name, body = strings.TrimSpace(rest[:i]), rest[i:]
			}
			cur = &facts.TransformSet{Vendor: facts.VendorIOS, Name: name, Ref: facts.Ref{Section: sec.Index, Line: ln.N}}
			cur.Transforms = append(cur.Transforms, braceWords(body)...)
		case cur == nil:
		case hasPrefixFold(t, "will negotiate"):
			for _, w := range braceWords(t[strings.IndexByte(t, '=')+1:]) {
				if cur.Mode == "" {
					cur.Mode = w
				}
			}
		case strings.HasPrefix(t, "{"):
			cur.Transforms = append(cur.Transforms, braceWords(t)...)
		}
	}
	flush()
	for _, ts := range out {
		f.TransformSets = append(f.TransformSets, ts)
		f.Saw(facts.VendorIOS)
	}
}

// braceWords returns the words of "{ a b, c }" without braces and commas.
func braceWords(s string) []string {
	s = strings.NewReplacer("{", " ", "}", " ", ",", " ").Replace(s)
	return strings.Fields(s)
}

// parseCryptoMap reads `show crypto map [tag X]`. "Interfaces using crypto
// map NAME:" is followed by one interface per line; when IOS prints it once
// per map rather than per entry, the list is copied to the map's other
// entries.
func parseCryptoMap(sec *facts.Section, f *facts.Facts) {
	var out []facts.CryptoMapEntry
	var cur *facts.CryptoMapEntry
	mode := "" // "ts" inside Transform sets={...}, "if" after Interfaces using
	flush := func() {
		if cur != nil {
			out = append(out, *cur)
			cur = nil
		}
		mode = ""
	}
	for _, ln := range sec.Lines {
		t := trimHeading(ln.Text)
		if t == "" {
			continue
		}
		if hasPrefixFold(t, "crypto map") && strings.Contains(t, "\"") {
			flush()
			if containsFold(t, "idb:") {
				// "Crypto Map: "CMAP" idb: Gi0/1 local address: A" heads
				// the per-interface form; the entries follow it.
				continue
			}
			cur = cryptoMapHeader(t)
			cur.Ref = facts.Ref{Section: sec.Index, Line: ln.N}
			continue
		}
		if cur == nil {
			continue
		}
		switch {
		case mode == "ts":
			if strings.HasPrefix(t, "}") {
				mode = ""
				break
			}
			name := t
			if i := strings.IndexAny(name, ":,{"); i >= 0 {
				name = name[:i]
			}
			if name = strings.TrimSpace(name); name != "" {
				cur.TransformSets = append(cur.TransformSets, name)
			}
		case hasPrefixFold(t, "interfaces using crypto map"):
			cur.InterfacesShown = true
			mode = "if"
		case mode == "if":
			if strings.Contains(t, ":") || strings.Contains(t, "=") {
				mode = ""
				break
			}
			cur.Interfaces = append(cur.Interfaces, strings.TrimSpace(t))
		case hasPrefixFold(t, "peer ="), hasPrefixFold(t, "peer="):
			p := strings.TrimSpace(t[strings.IndexByte(t, '=')+1:])
			if p != "" {
				cur.Peers = append(cur.Peers, p)
			}
		case hasPrefixFold(t, "extended ip access list "), hasPrefixFold(t, "ipv6 access list "),
			hasPrefixFold(t, "standard ip access list "):
			fs := strings.Fields(t)
			cur.ACL = fs[len(fs)-1]
		case hasPrefixFold(t, "access-list "):
			cur.ACLLines = append(cur.ACLLines, t)
		case hasPrefixFold(t, "security association lifetime:"):
			cur.Lifetime = strings.TrimSpace(t[len("security association lifetime:"):])
		case hasPrefixFold(t, "pfs (y/n):"):
			cur.PFS = strings.ToUpper(firstField(t[len("pfs (y/n):"):]))
		case hasPrefixFold(t, "dh group:"):
			cur.PFSGroup = strings.TrimSpace(t[len("dh group:"):])
		case hasPrefixFold(t, "transform sets="):
			rest := strings.TrimSpace(t[len("transform sets="):])
			mode = "ts"
			if strings.Contains(rest, "}") {
				// one-line form: Transform sets={ TS, }
				for _, w := range braceWords(rest) {
					cur.TransformSets = append(cur.TransformSets, strings.TrimRight(w, ":"))
				}
				mode = ""
			}
		case hasPrefixFold(t, "reverse route injection enabled"):
			cur.RRI = true
		}
	}
	flush()
	// share an interface list printed once per map name
	for i := range out {
		if out[i].InterfacesShown {
			continue
		}
		for j := range out {
			if out[j].Name == out[i].Name && out[j].InterfacesShown {
				out[i].InterfacesShown = true
				out[i].Interfaces = append([]string(nil), out[j].Interfaces...)
				break
			}
		}
	}
	for i := range out {
		f.CryptoMaps = append(f.CryptoMaps, out[i])
		f.Saw(facts.VendorIOS)
	}
}

// cryptoMapHeader reads `Crypto Map IPv4 "CMAP" 10 ipsec-isakmp`.
func cryptoMapHeader(t string) *facts.CryptoMapEntry {
	e := &facts.CryptoMapEntry{Vendor: facts.VendorIOS}
	i := strings.IndexByte(t, '"')
	j := strings.LastIndexByte(t, '"')
	if i >= 0 && j > i {
		e.Name = t[i+1 : j]
		if fs := strings.Fields(t[j+1:]); len(fs) > 0 {
			e.Seq, _ = atoi(fs[0])
		}
	}
	return e
}

// ParseAccessLists reads `show access-lists [NAME]` / `show ip
// access-lists`: "Extended IP access list NAME" then rules such as
// "10 permit ip 3.1.1.0 0.0.0.255 5.1.1.0 0.0.0.255 (15 matches)" or the
// IPv6 form "permit ipv6 any any (5 matches) sequence 10". Exported for
// the ASA `show access-list` entry, which hands IOS-shaped text here.
func ParseAccessLists(sec *facts.Section, f *facts.Facts) {
	list := ""
	var listRef facts.Ref
	rules := 0
	for _, ln := range sec.Lines {
		t := trimHeading(ln.Text)
		if t == "" {
			continue
		}
		if containsFold(t, "access list ") && !hasPrefixFold(t, "permit") && !hasPrefixFold(t, "deny") &&
			(hasPrefixFold(t, "extended") || hasPrefixFold(t, "standard") || hasPrefixFold(t, "ipv6") ||
				hasPrefixFold(t, "reflexive") || hasPrefixFold(t, "role-based") || hasPrefixFold(t, "ip access list")) {
			if list != "" && rules == 0 {
				f.MarkEmpty(NameAccessLists, listRef)
			}
			fs := strings.Fields(t)
			list, rules = fs[len(fs)-1], 0
			listRef = facts.Ref{Section: sec.Index, Line: ln.N}
			continue
		}
		if list == "" {
			continue
		}
		fs := strings.Fields(t)
		e := facts.ACLEntry{List: list, Hits: -1, Ref: facts.Ref{Section: sec.Index, Line: ln.N}}
		body := t
		if n, ok := atoi(fs[0]); ok && len(fs) > 1 {
			e.Seq = n
			body = strings.TrimSpace(body[strings.Index(body, fs[0])+len(fs[0]):])
		}
		bl := lowerASCII(body)
		if !(strings.HasPrefix(bl, "permit") || strings.HasPrefix(bl, "deny") || strings.HasPrefix(bl, "remark") ||
			strings.HasPrefix(bl, "evaluate") || strings.HasPrefix(bl, "dynamic")) {
			continue
		}
		if i := strings.LastIndex(bl, " sequence "); i > 0 {
			e.Seq, _ = atoi(firstField(body[i+len(" sequence "):]))
			body, bl = strings.TrimSpace(body[:i]), bl[:i]
		}
		if i := strings.LastIndexByte(bl, '('); i > 0 && strings.Contains(bl[i:], "match") {
			e.Hits = atoi64(strings.Fields(bl[i+1:])[0])
			body = strings.TrimSpace(body[:i])
		}
		e.Text = body
		f.ACLs = append(f.ACLs, e)
		f.Saw(facts.VendorIOS)
		rules++
	}
	if list != "" && rules == 0 {
		// the list exists and has no rule: a crypto ACL matching nothing
		f.MarkEmpty(NameAccessLists, listRef)
	}
}
