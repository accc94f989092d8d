package diagnose

import (
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/tunneldoc/tunneldoc/diagnose/facts"
	"github.com/tunneldoc/tunneldoc/diagnose/internal/testkit"
)

// scanConfigPlain is scanConfig as it was before its regexps were gated by
// their literal words: every line through every regexp.
func (p *showParser) scanConfigPlain(sec *facts.Section) {
	list := ""
	for i := 0; i < len(sec.Lines); i++ {
		l := sec.Lines[i]
		if m := aclHeaderRe.FindStringSubmatch(l.Text); m != nil {
			list = m[1]
			continue
		}
		text := l.Text
		name := list
		var body string
		if m := aclInlineRe.FindStringSubmatch(text); m != nil {
			name, body = m[1], m[2]
		} else if m := aclBodyRe.FindStringSubmatch(text); m != nil && list != "" {
			body = m[1]
		} else {
			if strings.TrimSpace(text) == "" || !strings.HasPrefix(text, " ") && !strings.HasPrefix(strings.TrimSpace(text), "permit") && !strings.HasPrefix(strings.TrimSpace(text), "deny") && !strings.HasPrefix(strings.TrimSpace(text), "remark") {
				list = ""
			}
			continue
		}
		if i+1 < len(sec.Lines) && bareMaskRe.MatchString(sec.Lines[i+1].Text) && countAddrs(body)%2 == 1 {
			body += " " + strings.TrimSpace(sec.Lines[i+1].Text)
			i++
		}
		p.facts.ACLs = append(p.facts.ACLs, facts.ACLEntry{List: name, Text: "permit " + body, Hits: -1, Ref: facts.Ref{Section: sec.Index, Line: l.N}})
	}
}

// TestScanConfigSameACLs: the gated scanConfig finds the same ACL entries
// as every line through every regexp, on the case inputs and on lines
// shuffled, cut and re-spaced from them.
func TestScanConfigSameACLs(t *testing.T) {
	lines := testkit.FileLines(t, "testdata/cases/*/*.txt")
	if len(lines) == 0 {
		t.Fatal("no case inputs")
	}
	lines = append(lines, "ip access-list extended VPN", " permit ip 10.1.1.0 0.0.0.255 10.2.2.0", "0.0.0.255",
		"access-list 101 permit ip host 1.1.1.1 any", "Extended IP access list CRYPTO", "    10 permit ip any any (5 matches)",
		"\taccess-list\tX\textended\tpermit ip any any", " deny ip any any", "remark x", "IPv4 access list V6")
	r := rand.New(rand.NewPCG(5, 6))
	for round := range 3000 {
		var sec facts.Section
		for n := range 2 + r.IntN(12) {
			l := lines[r.IntN(len(lines))]
			switch r.IntN(5) {
			case 0:
				l = "  " + l
			case 1:
				if len(l) > 0 {
					l = l[r.IntN(len(l)):]
				}
			}
			sec.Lines = append(sec.Lines, facts.Line{N: n + 1, Last: n + 1, Text: l})
		}
		got, want := newShowParser(), newShowParser()
		got.scanConfig(&sec)
		want.scanConfigPlain(&sec)
		if !reflect.DeepEqual(got.facts.ACLs, want.facts.ACLs) {
			t.Fatalf("round %d: %+v\ngated %+v\nplain %+v", round, sec.Lines, got.facts.ACLs, want.facts.ACLs)
		}
	}
}
