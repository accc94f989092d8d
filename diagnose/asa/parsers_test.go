package asa

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tunneldoc/tunneldoc/diagnose/facts"
	"github.com/tunneldoc/tunneldoc/diagnose/golden"
	"github.com/tunneldoc/tunneldoc/diagnose/ios"
)

// TestParsersGolden runs every parser over testdata/<command_slug>/<case>.txt
// and compares the facts with <case>.golden.json.
func TestParsersGolden(t *testing.T) {
	for _, p := range Parsers {
		dir := filepath.Join("testdata", slug(p.Name))
		cases, _ := filepath.Glob(filepath.Join(dir, "*.txt"))
		if len(cases) == 0 {
			t.Errorf("%s: no testdata cases in %s", p.Name, dir)
			continue
		}
		hasEmpty := false
		for _, c := range cases {
			name := strings.TrimSuffix(filepath.Base(c), ".txt")
			hasEmpty = hasEmpty || name == "empty"
			t.Run(slug(p.Name)+"/"+name, func(t *testing.T) {
				raw, err := os.ReadFile(c)
				if err != nil {
					t.Fatal(err)
				}
				f := &facts.Facts{}
				p.Parse(sectionFromText(0, string(raw)), f)
				golden.JSON(t, strings.TrimSuffix(c, ".txt")+".golden.json", f)
			})
		}
		if !hasEmpty {
			t.Errorf("%s: no empty case", p.Name)
		}
	}
}

// TestHeaders checks that each parser's content signature recognises the
// first meaningful line of its own testdata and that no other parser of the
// table claims it.
func TestHeaders(t *testing.T) {
	for _, p := range Parsers {
		cases, _ := filepath.Glob(filepath.Join("testdata", slug(p.Name), "*.txt"))
		for _, c := range cases {
			if strings.HasSuffix(c, "empty.txt") {
				continue
			}
			raw, _ := os.ReadFile(c)
			sec := sectionFromText(0, string(raw))
			first := ""
			for _, l := range sec.Lines {
				if s := strings.TrimSpace(l.Text); s != "" && strings.Trim(s, "- ") != "" {
					first = s
					break
				}
			}
			if !p.Header(first) && iosHeader(first) {
				// IOS-shaped text ("interface: X", "IPv4 Crypto ISAKMP SA")
				// is claimed by the IOS table; the shared readers label
				// the vendor from the content.
				continue
			}
			if !p.Header(first) {
				t.Errorf("%s: header does not match %q (%s)", p.Name, first, c)
			}
			for _, o := range Parsers {
				if o.Name != p.Name && o.Header(first) {
					t.Errorf("%s also claims %q (%s)", o.Name, first, c)
				}
			}
		}
	}
}

func iosHeader(l string) bool {
	for _, p := range ios.Parsers {
		if p.Header(l) {
			return true
		}
	}
	return false
}

func TestCommandRegexps(t *testing.T) {
	cases := map[string]string{
		"show crypto isakmp sa":                      NameIsakmpSA,
		"show crypto isakmp sa detail":               NameIsakmpSA,
		"show crypto ikev1 sa detail":                NameIsakmpSA,
		"show crypto ikev2 sa":                       NameIKEv2SA,
		"show crypto ipsec sa peer 90.1.1.1":         NameIPsecSA,
		"show vpn-sessiondb detail l2l":              NameVPNSessionDB,
		"show vpn-sessiondb l2l":                     NameVPNSessionDB,
		"show vpn-sessiondb detail l2l | b 90.1.1.1": NameVPNSessionDB,
	}
	for cmd, want := range cases {
		var got []string
		for _, p := range Parsers {
			if p.Command != nil && p.Command.MatchString(cmd) {
				got = append(got, p.Name)
			}
		}
		if len(got) != 1 || got[0] != want {
			t.Errorf("%q matched %v, want [%s]", cmd, got, want)
		}
	}
}
