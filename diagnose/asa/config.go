package asa

import (
	"strconv"
	"strings"

	"github.com/tunneldoc/tunneldoc/diagnose/facts"
)

// parseRunCryptoMap reads `show running-config [all] crypto map`: lines
// "crypto map NAME SEQ match address ACL | set peer A [B] | set ikev1
// transform-set T.. | set ikev2 ipsec-proposal P.. | set pfs [groupN] |
// set security-association lifetime seconds N [kilobytes M] | set
// reverse-route" and "crypto map NAME interface IF". Lifetime is written
// the IOS way ("M kilobytes/N seconds") so rules compare both alike.
//
// InterfacesShown is set when the section has an interface line, or when
// the command was not filtered (no "|"): the full crypto map config
// without an interface line means the map is not applied.
//
// "SEQ ipsec-isakmp dynamic DYN" references a dynamic map; the facts model
// has no field for it, so it makes no entry.
func parseRunCryptoMap(sec *facts.Section, f *facts.Facts) {
	var out []*facts.CryptoMapEntry
	type key struct {
		name string
		seq  int
	}
	byKey := map[key]*facts.CryptoMapEntry{}
	ifaces := map[string][]string{}
	lifetimes := map[*facts.CryptoMapEntry][2]string{} // kilobytes, seconds
	for _, ln := range sec.Lines {
		t := trim(ln.Text)
		fs := strings.Fields(t)
		if len(fs) < 4 || !strings.EqualFold(fs[0], "crypto") || !strings.EqualFold(fs[1], "map") {
			continue
		}
		name := fs[2]
		if strings.EqualFold(fs[3], "interface") {
			if len(fs) > 4 {
				ifaces[name] = append(ifaces[name], fs[4])
			}
			continue
		}
		seq, err := strconv.Atoi(fs[3])
		if err != nil || len(fs) < 5 {
			continue
		}
		args := fs[4:]
		if strings.EqualFold(args[0], "ipsec-isakmp") || strings.EqualFold(args[0], "ipsec-manual") {
			continue
		}
		k := key{name, seq}
		e := byKey[k]
		if e == nil {
			e = &facts.CryptoMapEntry{Vendor: facts.VendorASA, Name: name, Seq: seq, Ref: facts.Ref{Section: sec.Index, Line: ln.N}}
			byKey[k] = e
			out = append(out, e)
		}
		sub := lowerASCII(strings.Join(args, " "))
		switch {
		case strings.HasPrefix(sub, "match address ") && len(args) > 2:
			e.ACL = args[2]
		case strings.HasPrefix(sub, "set peer ") && len(args) > 2:
			e.Peers = append(e.Peers, args[2:]...)
		case strings.HasPrefix(sub, "set ikev1 transform-set ") && len(args) > 3,
			strings.HasPrefix(sub, "set ikev2 ipsec-proposal ") && len(args) > 3:
			e.TransformSets = append(e.TransformSets, args[3:]...)
		case strings.HasPrefix(sub, "set transform-set ") && len(args) > 2:
			e.TransformSets = append(e.TransformSets, args[2:]...)
		case strings.HasPrefix(sub, "set pfs"):
			e.PFS = "Y"
			if len(args) > 2 {
				e.PFSGroup = args[2]
			}
		case strings.HasPrefix(sub, "set security-association lifetime "):
			lt := lifetimes[e]
			for i := 3; i+1 < len(args); i++ {
				switch lowerASCII(args[i]) {
				case "kilobytes":
					lt[0] = args[i+1]
				case "seconds":
					lt[1] = args[i+1]
				}
			}
			lifetimes[e] = lt
		case strings.HasPrefix(sub, "set reverse-route"):
			e.RRI = true
		}
	}
	shown := len(ifaces) > 0 || sec.Command != "" && !strings.Contains(sec.Command, "|")
	for _, e := range out {
		if lt, ok := lifetimes[e]; ok {
			var parts []string
			if lt[0] != "" {
				parts = append(parts, lt[0]+" kilobytes")
			}
			if lt[1] != "" {
				parts = append(parts, lt[1]+" seconds")
			}
			e.Lifetime = strings.Join(parts, "/")
		}
		e.InterfacesShown = shown
		e.Interfaces = append([]string(nil), ifaces[e.Name]...)
		f.CryptoMaps = append(f.CryptoMaps, *e)
		f.Saw(facts.VendorASA)
	}
}

// parseRunIKEv1 reads `show running-config [all] crypto ikev1` (and the
// pre-8.4 `crypto isakmp`): "crypto ikev1 policy N" then indented
// "authentication pre-share", "encryption aes-256", "hash sha", "group 5",
// "lifetime 86400". Values stay ASA keywords, which are the same words
// package ios normalises IOS policy wording to.
func parseRunIKEv1(sec *facts.Section, f *facts.Facts) {
	var out []facts.IKEPolicy
	var cur *facts.IKEPolicy
	flush := func() {
		if cur != nil {
			out = append(out, *cur)
			cur = nil
		}
	}
	for _, ln := range sec.Lines {
		fs := strings.Fields(trim(ln.Text))
		if len(fs) == 0 {
			continue
		}
		first := lowerASCII(fs[0])
		if first == "crypto" && len(fs) >= 4 && (strings.EqualFold(fs[1], "ikev1") || strings.EqualFold(fs[1], "isakmp")) &&
			strings.EqualFold(fs[2], "policy") {
			flush()
			cur = &facts.IKEPolicy{Vendor: facts.VendorASA, Ref: facts.Ref{Section: sec.Index, Line: ln.N}}
			cur.Priority, _ = strconv.Atoi(fs[3])
			continue
		}
		if cur == nil || len(fs) < 2 {
			if first == "crypto" {
				flush()
			}
			continue
		}
		switch first {
		case "authentication":
			cur.Auth = lowerASCII(fs[1])
		case "encryption", "encr":
			cur.Encr = lowerASCII(fs[1])
		case "hash":
			cur.Hash = lowerASCII(fs[1])
		case "group":
			cur.Group = fs[1]
		case "lifetime":
			v := fs[1]
			if strings.EqualFold(v, "seconds") && len(fs) > 2 {
				v = fs[2]
			}
			cur.Lifetime, _ = strconv.Atoi(v)
		case "crypto":
			flush()
		}
	}
	flush()
	for _, p := range out {
		f.Policies = append(f.Policies, p)
		f.Saw(facts.VendorASA)
	}
}

// parseRunIPsec reads `show running-config [all] ipsec`: "crypto ipsec
// ikev1 transform-set NAME t1 t2" (one line; "... NAME mode transport"
// sets the mode) and "crypto ipsec ikev2 ipsec-proposal NAME" with
// indented "protocol esp encryption a b" / "protocol esp integrity x y"
// lines, whose algorithms become the proposal's Transforms.
func parseRunIPsec(sec *facts.Section, f *facts.Facts) {
	var out []*facts.TransformSet
	byName := map[string]*facts.TransformSet{}
	var prop *facts.TransformSet
	get := func(name string, n int) *facts.TransformSet {
		if ts := byName[name]; ts != nil {
			return ts
		}
		ts := &facts.TransformSet{Vendor: facts.VendorASA, Name: name, Ref: facts.Ref{Section: sec.Index, Line: n}}
		byName[name] = ts
		out = append(out, ts)
		return ts
	}
	for _, ln := range sec.Lines {
		fs := strings.Fields(trim(ln.Text))
		if len(fs) == 0 {
			continue
		}
		low := lowerASCII(strings.Join(fs, " "))
		switch {
		case strings.HasPrefix(low, "crypto ipsec ikev1 transform-set ") && len(fs) >= 5:
			prop = nil
			ts := get(fs[4], ln.N)
			rest := fs[5:]
			if len(rest) >= 2 && strings.EqualFold(rest[0], "mode") {
				ts.Mode = rest[1]
				continue
			}
			ts.Transforms = append(ts.Transforms, rest...)
		case strings.HasPrefix(low, "crypto ipsec ikev2 ipsec-proposal ") && len(fs) >= 5:
			prop = get(fs[4], ln.N)
		case strings.HasPrefix(low, "crypto "):
			prop = nil
		case prop != nil && strings.HasPrefix(low, "protocol esp ") && len(fs) >= 4:
			prop.Transforms = append(prop.Transforms, fs[3:]...)
		}
	}
	for _, ts := range out {
		f.TransformSets = append(f.TransformSets, *ts)
		f.Saw(facts.VendorASA)
	}
}
