package asa

import (
	"strconv"
	"strings"

	"github.com/tunneldoc/tunneldoc/diagnose/facts"
	"github.com/tunneldoc/tunneldoc/diagnose/ios"
)

// parseVPNSummary reads the plain `show vpn-sessiondb` summary. It has no
// per-peer rows, so it yields no Session: it only marks NameVPNSessionDB
// empty when the summary shows no active site-to-site session (the
// "Site-to-Site VPN" row is absent or its Active column is 0).
func parseVPNSummary(sec *facts.Section, f *facts.Facts) {
	var summary facts.Ref
	var l2l facts.Ref
	active := -1
	for _, ln := range sec.Lines {
		t := trim(ln.Text)
		ref := facts.Ref{Section: sec.Index, Line: ln.N}
		switch {
		case hasPrefixFold(t, "vpn session summary"):
			summary = ref
		case hasPrefixFold(t, "site-to-site vpn") || hasPrefixFold(t, "lan-to-lan"):
			l2l = ref
			parts := strings.Split(t, ":")
			if len(parts) > 1 {
				if n, err := strconv.Atoi(strings.TrimSpace(parts[1])); err == nil {
					active = n
				}
			}
		}
	}
	switch {
	case summary.Line == 0:
	case l2l.Line == 0:
		f.MarkEmpty(NameVPNSessionDB, summary)
	case active == 0:
		f.MarkEmpty(NameVPNSessionDB, l2l)
	}
}

// parseAccessList reads ASA `show access-list [NAME]`: "access-list NAME
// line N extended permit ... (hitcnt=H) 0xHASH". The indented lines under
// an object-group rule are its expansion and are not separate entries
// (the top line's hit count is their sum). "access-list X; 0 elements"
// marks NameAccessList empty.
func parseAccessList(sec *facts.Section, f *facts.Facts) {
	for _, ln := range sec.Lines {
		if l := lowerASCII(trim(ln.Text)); strings.Contains(l, "ip access list ") || strings.HasPrefix(l, "ipv6 access list ") {
			// IOS wording: same command on a router
			ios.ParseAccessLists(sec, f)
			return
		}
	}
	for _, ln := range sec.Lines {
		raw := strings.ReplaceAll(ln.Text, "\u00a0", " ")
		if strings.HasPrefix(raw, " ") {
			continue // expansion of the rule above
		}
		t := trim(raw)
		if strings.Contains(t, "; 0 elements") {
			f.MarkEmpty(NameAccessList, facts.Ref{Section: sec.Index, Line: ln.N})
			continue
		}
		fs := strings.Fields(t)
		if len(fs) < 5 || !strings.EqualFold(fs[0], "access-list") || !strings.EqualFold(fs[2], "line") {
			continue
		}
		seq, err := strconv.Atoi(fs[3])
		if err != nil {
			continue
		}
		e := facts.ACLEntry{List: fs[1], Seq: seq, Hits: -1, Ref: facts.Ref{Section: sec.Index, Line: ln.N}}
		body := strings.Join(fs[4:], " ")
		if i := strings.Index(body, "(hitcnt="); i >= 0 {
			rest := body[i+len("(hitcnt="):]
			if j := strings.IndexByte(rest, ')'); j >= 0 {
				if n, err := strconv.ParseInt(rest[:j], 10, 64); err == nil && n >= 0 {
					e.Hits = n
				}
			}
			body = strings.TrimSpace(body[:i])
		}
		e.Text = body
		f.ACLs = append(f.ACLs, e)
		f.Saw(facts.VendorASA)
	}
}
