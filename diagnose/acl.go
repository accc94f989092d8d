package diagnose

import (
	"net/netip"
	"regexp"
	"strings"

	"github.com/tunneldoc/tunneldoc/diagnose/facts"
)

// aclRule is one permit line of a crypto ACL, as address blocks.
type aclRule struct {
	list     string
	src, dst string // CIDR text
	ref      facts.Ref
}

var (
	aclInlineRe = regexp.MustCompile(`^\s*access-list\s+(\S+)\s+(?:extended\s+)?(?:line\s+\d+\s+)?(?:extended\s+)?permit\s+(.*)$`)
	aclHeaderRe = regexp.MustCompile(`^\s*(?:ip access-list (?:extended|standard)\s+|Extended IP access list\s+|IPv4 access list\s+)(\S+)\s*$`)
	aclBodyRe   = regexp.MustCompile(`^\s*(?:\d+\s+)?permit\s+(.*)$`)
	bareMaskRe  = regexp.MustCompile(`^\s*\d{1,3}(?:\.\d{1,3}){3}\s*$`)
)

// scanConfig reads crypto ACL lines out of text no parser claimed: pasted
// configuration snippets from either end.
func (e *engine) scanConfig(s *section) {
	sec := &s.Section
	list := ""
	for i := 0; i < len(sec.Lines); i++ {
		l, raw := sec.Lines[i], s.raw[i]
		text := l.Text
		// Each regexp runs only on lines holding its literal words: most
		// lines of unclaimed text hold none of them.
		hasPermit := strings.Contains(text, "permit")
		if strings.Contains(text, "access") {
			if m := aclHeaderRe.FindStringSubmatch(text); m != nil {
				list = m[1]
				continue
			}
		}
		name := list
		var body string
		matched := false
		if hasPermit && strings.Contains(text, "access-list") {
			if m := aclInlineRe.FindStringSubmatch(text); m != nil {
				name, body, matched = m[1], m[2], true
			}
		}
		if !matched && hasPermit && list != "" {
			if m := aclBodyRe.FindStringSubmatch(text); m != nil {
				body, matched = m[1], true
			}
		}
		if !matched {
			if strings.TrimSpace(text) == "" || !strings.HasPrefix(text, " ") && !strings.HasPrefix(strings.TrimSpace(text), "permit") && !strings.HasPrefix(strings.TrimSpace(text), "deny") && !strings.HasPrefix(strings.TrimSpace(text), "remark") {
				list = ""
			}
			continue
		}
		// a mask wrapped onto the next line by the chat client
		if i+1 < len(sec.Lines) && bareMaskRe.MatchString(sec.Lines[i+1].Text) && countAddrs(body)%2 == 1 {
			body += " " + strings.TrimSpace(sec.Lines[i+1].Text)
			i++
			e.quote(s, sec.Lines[i].N, s.raw[i])
			e.cont[sec.Lines[i].N] = true
		}
		e.facts.ACLs = append(e.facts.ACLs, facts.ACLEntry{List: name, Text: "permit " + body, Hits: -1, Ref: facts.Ref{Section: sec.Index, Line: l.N}})
		e.quote(s, l.N, raw)
	}
}

func countAddrs(s string) int {
	n := 0
	for _, f := range strings.Fields(s) {
		if _, err := netip.ParseAddr(f); err == nil {
			n++
		}
	}
	return n
}

// aclRules turns the ACL entries into address-block rules, skipping lines
// that use any, objects or ports (those are not crypto-ACL mirrors we can
// judge here; the compare command resolves them fully).
func aclRules(f *facts.Facts) []aclRule {
	var out []aclRule
	seen := map[string]bool{}
	for _, a := range f.ACLs {
		fs := strings.Fields(a.Text)
		if len(fs) < 2 || fs[0] != "permit" {
			continue
		}
		fs = fs[2:] // protocol
		src, rest, ok := addrBlock(fs)
		if !ok {
			continue
		}
		dst, _, ok := addrBlock(rest)
		if !ok {
			continue
		}
		key := a.List + "|" + src + "|" + dst
		if seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, aclRule{list: a.List, src: src, dst: dst, ref: a.Ref})
	}
	return out
}

// addrBlock reads "host A", "A W" (wildcard), "A M" (netmask) or "A/len".
func addrBlock(fs []string) (string, []string, bool) {
	if len(fs) == 0 {
		return "", nil, false
	}
	if fs[0] == "host" && len(fs) > 1 {
		a, err := netip.ParseAddr(fs[1])
		if err != nil {
			return "", nil, false
		}
		return netip.PrefixFrom(a, a.BitLen()).String(), fs[2:], true
	}
	if p, err := netip.ParsePrefix(fs[0]); err == nil {
		return p.Masked().String(), fs[1:], true
	}
	a, err := netip.ParseAddr(fs[0])
	if err != nil || len(fs) < 2 {
		return "", nil, false
	}
	m, err := netip.ParseAddr(fs[1])
	if err != nil || !a.Is4() || !m.Is4() {
		return "", nil, false
	}
	mb := m.As4()
	bits := 0
	wildcard := mb[0] < 128 && !(mb == [4]byte{0, 0, 0, 0} && false)
	for _, b := range mb {
		if wildcard {
			b = ^b
		}
		for i := 7; i >= 0; i-- {
			if b&(1<<i) != 0 {
				bits++
			}
		}
	}
	p, err := a.Prefix(bits)
	if err != nil {
		return "", nil, false
	}
	return p.String(), fs[2:], true
}

func mirrored(a, b []aclRule) bool {
	want := map[string]bool{}
	for _, r := range a {
		want[r.dst+">"+r.src] = true
	}
	got := map[string]bool{}
	for _, r := range b {
		got[r.src+">"+r.dst] = true
	}
	if len(want) != len(got) {
		return false
	}
	for k := range want {
		if !got[k] {
			return false
		}
	}
	return true
}

func shareNet(a, b []aclRule) bool {
	nets := map[string]bool{}
	for _, r := range a {
		nets[r.src], nets[r.dst] = true, true
	}
	for _, r := range b {
		if nets[r.src] || nets[r.dst] {
			return true
		}
	}
	return false
}
