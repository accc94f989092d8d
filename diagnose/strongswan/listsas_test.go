package strongswan

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tunneldoc/tunneldoc/diagnose/facts"
	"github.com/tunneldoc/tunneldoc/diagnose/golden"
	"github.com/tunneldoc/tunneldoc/diagnose/internal/testkit"
)

// golden cases: testdata/<command slug>/<case>.txt, parsed as that
// command's output, against <case>.golden.json.
var commandDirs = map[string]string{
	"swanctl--list-sas": "swanctl --list-sas",
	"ipsec-statusall":   "ipsec statusall",
	"ipsec-status":      "ipsec status",
}

func TestParsersGolden(t *testing.T) {
	for dir, command := range commandDirs {
		files, err := filepath.Glob(filepath.Join("testdata", dir, "*.txt"))
		if err != nil || len(files) == 0 {
			t.Fatalf("no cases under testdata/%s: %v", dir, err)
		}
		for _, file := range files {
			name := strings.TrimSuffix(filepath.Base(file), ".txt")
			t.Run(dir+"/"+name, func(t *testing.T) {
				in, err := os.ReadFile(file)
				if err != nil {
					t.Fatal(err)
				}
				p := parserFor(t, command)
				sec := sectionOf(0, command, string(in))
				f := &facts.Facts{}
				p.Parse(sec, f)
				golden.JSON(t, strings.TrimSuffix(file, ".txt")+".golden.json", f)
			})
		}
	}
}

func parserFor(t *testing.T, command string) facts.Parser {
	t.Helper()
	for _, p := range Parsers {
		if p.Command != nil && p.Command.MatchString(command) {
			return p
		}
	}
	t.Fatalf("no parser for %q", command)
	return facts.Parser{}
}

// The facts a rule needs from a healthy tunnel, said outright so that a
// golden file rewritten by mistake cannot hide a regression.
func TestListSAsHealthy(t *testing.T) {
	f := &facts.Facts{}
	listSAsParser.Parse(sectionOf(3, "swanctl --list-sas", readLab(t, "healthy", "a-list-sas.txt")), f)
	if len(f.IKESAs) != 1 || len(f.IPsecSAs) != 1 {
		t.Fatalf("got %d IKE SAs and %d CHILD_SAs, want 1 and 1", len(f.IKESAs), len(f.IPsecSAs))
	}
	ike, child := f.IKESAs[0], f.IPsecSAs[0]
	if ike.State != "ESTABLISHED" || ike.Version != 2 || ike.Peer != "10.99.0.2" || ike.Local != "10.99.0.1" || ike.Role != "initiator" {
		t.Errorf("IKE SA = %+v", ike)
	}
	if ike.Ref != (facts.Ref{Section: 3, Line: 1}) {
		t.Errorf("IKE SA ref = %+v, want section 3 line 1", ike.Ref)
	}
	if !child.HasSAs() || child.Counters.Encaps != 3 || child.Counters.Decaps != 3 {
		t.Errorf("CHILD_SA counters = %+v, SAs %v/%v", child.Counters, child.InboundSPIs, child.OutboundSPIs)
	}
	if child.LocalIdent != "10.99.1.0/24" || child.RemoteIdent != "10.99.2.0/24" || child.Peer != "10.99.0.2" {
		t.Errorf("CHILD_SA selectors/peer = %q %q %q", child.LocalIdent, child.RemoteIdent, child.Peer)
	}
	if child.Lines["encaps"] != 9 || child.Lines["decaps"] != 8 || child.Lines["state"] != 6 {
		t.Errorf("CHILD_SA evidence lines = %v", child.Lines)
	}
	if child.Counters.Encrypt != -1 || child.Counters.ReplayFailed != -1 {
		t.Errorf("counters swanctl does not print must stay -1: %+v", child.Counters)
	}
}

func TestListSAsEmpty(t *testing.T) {
	f := &facts.Facts{}
	Parsers[0].Parse(sectionOf(1, "swanctl --list-sas", "\n"), f)
	if _, ok := f.Empty[KindListSAs]; !ok || len(f.IKESAs) != 0 {
		t.Errorf("empty output: Empty=%v IKESAs=%d", f.Empty, len(f.IKESAs))
	}
}

func TestListSAsHeader(t *testing.T) {
	for line, want := range map[string]bool{
		"lab: #1, ESTABLISHED, IKEv2, d9442245ed294932_i* 673fc0ebc8059c58_r":             true,
		"gw-to-dc: #12, CONNECTING, IKEv1, 0000000000000000_i* 0000000000000000_r":        true,
		"  net: #1, reqid 1, INSTALLED, TUNNEL-in-UDP, ESP:AES_CBC-256/HMAC_SHA2_256_128": false,
		"lab: IKEv2, no reauthentication, rekeying every 14400s":                          false,
		"16[IKE] <lab|1> IKE_SA lab[1] established between 10.99.0.1[a]...10.99.0.2[b]":   false,
	} {
		if got := Parsers[0].Header(line); got != want {
			t.Errorf("Header(%q) = %v, want %v", line, got, want)
		}
	}
}

// The same healthy tunnel read from `ipsec statusall` (stroke) gives the
// facts --list-sas gives: the IKE SA to the peer, one installed CHILD_SA
// with traffic both ways and its traffic selectors.
func TestStatusAllHealthy(t *testing.T) {
	in, err := os.ReadFile(filepath.Join("testdata", "ipsec-statusall", "healthy-initiator.txt"))
	if err != nil {
		t.Fatal(err)
	}
	f := &facts.Facts{}
	statusParser.Parse(sectionOf(1, "ipsec statusall", string(in)), f)
	if len(f.IKESAs) != 1 || len(f.IPsecSAs) != 1 {
		t.Fatalf("got %d IKE SAs and %d CHILD_SAs, want 1 and 1", len(f.IKESAs), len(f.IPsecSAs))
	}
	ike, child := f.IKESAs[0], f.IPsecSAs[0]
	if ike.State != "ESTABLISHED" || ike.Peer != "10.99.0.2" || ike.Local != "10.99.0.1" || ike.Version != 2 || ike.Role != "initiator" {
		t.Errorf("IKE SA %+v", ike)
	}
	if !child.HasSAs() || child.Counters.Encaps != 3 || child.Counters.Decaps != 3 || child.LocalIdent != "10.99.1.0/24" || child.RemoteIdent != "10.99.2.0/24" || child.Peer != "10.99.0.2" {
		t.Errorf("CHILD_SA %+v", child)
	}
	if len(f.Empty) != 0 {
		t.Errorf("a list with an SA marked empty: %v", f.Empty)
	}
	f = &facts.Facts{}
	in, _ = os.ReadFile(filepath.Join("testdata", "ipsec-statusall", "none.txt"))
	statusParser.Parse(sectionOf(1, "ipsec statusall", string(in)), f)
	if _, ok := f.Empty[KindIPsecStatus]; !ok || len(f.IKESAs) != 0 {
		t.Errorf("\"none\" not read as an empty SA list: %+v", f)
	}
}

// The public corpus's `ipsec status` (a healthy IKEv2 tunnel printed in a
// vendor's guide) names the peer and an installed CHILD_SA.
func TestStatusPublicCorpus(t *testing.T) {
	file := filepath.Join(testkit.CorpusDir, "strongswan", "ipsec_status", "cloudflare-docs_1.txt")
	in, err := os.ReadFile(file)
	if err != nil {
		t.Skipf("public corpus not found: %v", err)
	}
	f := &facts.Facts{}
	sec := sectionOf(0, "ipsec status", string(in))
	statusParser.Parse(sec, f)
	testkit.CheckRefs(t, sec, f)
	if len(f.IKESAs) != 1 || f.IKESAs[0].State != "ESTABLISHED" || f.IKESAs[0].Peer != "162.159.67.88" {
		t.Errorf("IKE SAs %+v, want one ESTABLISHED with 162.159.67.88", f.IKESAs)
	}
	if len(f.IPsecSAs) != 1 || !f.IPsecSAs[0].HasSAs() || f.IPsecSAs[0].RemoteIdent != "0.0.0.0/0" {
		t.Errorf("CHILD_SAs %+v, want one installed 0.0.0.0/0 === 0.0.0.0/0", f.IPsecSAs)
	}
}
