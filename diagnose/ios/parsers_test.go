package ios

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tunneldoc/tunneldoc/diagnose/facts"
	"github.com/tunneldoc/tunneldoc/diagnose/golden"
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

func TestCommandRegexps(t *testing.T) {
	cases := map[string]string{
		"show crypto isakmp sa":                       NameIsakmpSA,
		"show crypto isakmp sa detail":                NameIsakmpSA,
		"show crypto isakmp sa | include 10.1.1.1":    NameIsakmpSA,
		"show crypto ikev2 sa remote 1.1.1.1 detail":  NameIKEv2SA,
		"show crypto ipsec sa peer 40.10.1.1 detail":  NameIPsecSA,
		"show crypto ipsec sa ipv6 detailed":          NameIPsecSA,
		"show crypto session remote 40.10.1.1 detail": NameCryptoSession,
		"show crypto isakmp policy":                   NameIsakmpPolicy,
		"show crypto isakmp default policy":           NameIsakmpPolicy,
		"show crypto ipsec transform-set":             NameTransformSet,
		"show crypto map":                             NameCryptoMap,
		"show access-lists SPOKE-10-ACL":              NameAccessLists,
		"show ip access-lists":                        NameAccessLists,
		"show access-list SPOKE-10-ACL":               NameAccessLists,
		"show ip route 4.1.1.1":                       NameIPRoute,
		"show ip route vrf RED 4.1.1.1":               NameIPRoute,
		"show ip cef 4.1.1.1":                         NameIPCEF,
		"ping 40.10.10.1":                             NamePing,
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

// TestIPsecVendorFromContent: ASA wording read through the IOS table entry
// (chosen by an "interface:" header) is labelled ASA.
func TestIPsecVendorFromContent(t *testing.T) {
	cases := []struct {
		text string
		want facts.Vendor
	}{
		{"interface: outside\n    Crypto map tag: M, seq num: 10, local addr: 10.0.0.1\n      local ident (addr/mask/prot/port): (1.1.1.0/255.255.255.0/0/0)\n      current_peer: 10.0.0.2\n      #send errors: 0, #recv errors: 3416\n", facts.VendorASA},
		{"interface: Gi0/1\n    Crypto map tag: M, local addr 10.0.0.1\n   local ident (addr/mask/prot/port): (1.1.1.0/255.255.255.0/0/0)\n   current_peer 10.0.0.2 port 500\n    #send errors 0, #recv errors 60\n", facts.VendorIOS},
	}
	for _, c := range cases {
		f := &facts.Facts{}
		ParseIPsecSA(facts.VendorIOS, NameIPsecSA)(sectionFromText(0, c.text), f)
		if len(f.IPsecSAs) != 1 {
			t.Fatalf("got %d SAs", len(f.IPsecSAs))
		}
		sa := f.IPsecSAs[0]
		if sa.Vendor != c.want || f.Vendors[c.want] != 1 {
			t.Errorf("vendor %q (counts %v), want %q", sa.Vendor, f.Vendors, c.want)
		}
		if sa.Counters.SendErrors != 0 || sa.Lines["recv_errors"] != 5 {
			t.Errorf("counters %+v lines %v", sa.Counters, sa.Lines)
		}
	}
}

// TestFixIKEDirection: a plain isakmp row read before the ipsec sa that
// shows the local address gets its ends swapped afterwards.
func TestFixIKEDirection(t *testing.T) {
	f := &facts.Facts{}
	ParseIsakmpSA(sectionFromText(0, "dst src state conn-id status\n30.3.1.1 40.10.1.1 QM_IDLE 1019 ACTIVE\n"), f)
	if f.IKESAs[0].Peer != "30.3.1.1" {
		t.Fatalf("without context dst should be the peer, got %+v", f.IKESAs[0])
	}
	ParseIPsecSA(facts.VendorIOS, NameIPsecSA)(sectionFromText(1, "interface: Gi0/1\n Crypto map tag: CMAP, local addr 30.3.1.1\n local ident (addr/mask/prot/port): (3.1.1.0/255.255.255.0/0/0)\n"), f)
	FixIKEDirection(f)
	if sa := f.IKESAs[0]; sa.Local != "30.3.1.1" || sa.Peer != "40.10.1.1" {
		t.Errorf("after FixIKEDirection: local %q peer %q", sa.Local, sa.Peer)
	}
}
