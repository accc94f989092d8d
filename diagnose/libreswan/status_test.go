package libreswan

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tunneldoc/tunneldoc/diagnose/facts"
	"github.com/tunneldoc/tunneldoc/diagnose/golden"
)

func sectionOf(text string) *facts.Section {
	sec := &facts.Section{}
	for i, l := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		sec.Lines = append(sec.Lines, facts.Line{N: i + 1, Last: i + 1, Text: strings.TrimRight(l, " ")})
	}
	return sec
}

func parse(text string) *facts.Facts {
	f := &facts.Facts{}
	parseStatus(sectionOf(text), f)
	return f
}

// TestStatusCommands: the command echoes the parser takes.
func TestStatusCommands(t *testing.T) {
	for _, c := range []string{"ipsec status", "sudo ipsec status", "ipsec whack --status", "ipsec showstates", "ipsec trafficstatus", "ipsec whack --trafficstatus"} {
		if !Parsers[0].Command.MatchString(c) {
			t.Errorf("%q not taken", c)
		}
	}
	for _, c := range []string{"ipsec statusall", "swanctl --list-sas", "ipsec up lab"} {
		if Parsers[0].Command.MatchString(c) {
			t.Errorf("%q taken", c)
		}
	}
}

// TestLabStatus: the lab's status outputs, as goldens, and what a few of
// them must hold.
func TestLabStatus(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "lab", "*", "*.txt"))
	n := 0
	for _, file := range files {
		base := filepath.Base(file)
		if strings.HasSuffix(base, "-up.txt") {
			continue
		}
		raw, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		n++
		f := parse(string(raw))
		f.Vendors = nil
		scenario := filepath.Base(filepath.Dir(file))
		golden.JSON(t, filepath.Join("testdata", "golden", "lab", scenario+"--"+base+".golden.json"), f)
	}
	if n == 0 {
		t.Fatal("no status outputs under testdata/lab")
	}

	raw, err := os.ReadFile(filepath.Join("testdata", "lab", "esp-proposal-v1", "a-status.txt"))
	if err != nil {
		t.Fatal(err)
	}
	f := parse(string(raw))
	var up *facts.IKESA
	for i := range f.IKESAs {
		if f.IKESAs[i].State == "STATE_MAIN_I4" {
			up = &f.IKESAs[i]
		}
	}
	if up == nil || up.Peer != "198.18.44.2" || up.Local != "198.18.44.1" || up.Version != 1 || up.Role != "initiator" {
		t.Errorf("established IKE SA row: %+v", up)
	}
	if len(f.IPsecSAs) != 1 || f.IPsecSAs[0].HasSAs() || f.IPsecSAs[0].RemoteIdent != "10.62.7.0/24" {
		t.Errorf("pending Quick Mode state: %+v", f.IPsecSAs)
	}
}

// TestEstablishedRows: rows of an established IPsec SA, as libreswan
// 4.10's state.c (show_state, show_established_child_details,
// jam_state_traffic) formats them. The lab's kernel cannot install an
// IPsec SA, so no captured output holds these rows.
func TestEstablishedRows(t *testing.T) {
	status := `000 "rw": 10.61.7.0/24===198.18.44.1[@a.example]...%any[@b.example]===10.62.7.0/24; unrouted; eroute owner: #0
000 "rw"[2]: 10.61.7.0/24===198.18.44.1[@a.example]...203.0.113.9[@b.example]===10.62.7.0/24; erouted; eroute owner: #4
000 #3: "rw"[2] 203.0.113.9:4500 STATE_V2_ESTABLISHED_IKE_SA (established IKE SA); REKEY in 27901s; newest; idle;
000 #4: "rw"[2] 203.0.113.9:4500 STATE_V2_ESTABLISHED_CHILD_SA (established Child SA); REKEY in 28000s; newest; eroute owner; IKE SA #3; idle;
000 #4: "rw"[2] 203.0.113.9 esp.4e5d7f8e@203.0.113.9 esp.d3a1f0c2@198.18.44.1 tun.0@203.0.113.9 tun.0@198.18.44.1 Traffic: ESPin=2KB ESPout=0B ESPmax=2^63B
`
	f := parse(status)
	if len(f.IKESAs) != 1 || f.IKESAs[0].Peer != "203.0.113.9" || f.IKESAs[0].Version != 2 {
		t.Fatalf("IKE SA: %+v", f.IKESAs)
	}
	if len(f.IPsecSAs) != 1 {
		t.Fatalf("IPsec SAs: %+v", f.IPsecSAs)
	}
	sa := f.IPsecSAs[0]
	if !sa.HasSAs() || sa.Peer != "203.0.113.9" || sa.Counters.Decaps != 2048 || sa.Counters.Encaps != 0 ||
		len(sa.OutboundSPIs) != 1 || sa.OutboundSPIs[0] != "4e5d7f8e" || len(sa.InboundSPIs) != 1 || sa.InboundSPIs[0] != "d3a1f0c2" {
		t.Errorf("IPsec SA: %+v", sa)
	}

	traffic := `006 #4: "rw"[2] 203.0.113.9, type=ESP, add_time=1701890000, inBytes=5120, outBytes=4096, maxBytes=2^63B, id='@b.example'
006 #6: "lab", type=ESP, add_time=1701890000, inBytes=0, outBytes=840, maxBytes=2^63B, id='198.18.44.2'`
	f = parse(traffic)
	if len(f.IPsecSAs) != 2 {
		t.Fatalf("trafficstatus: %+v", f.IPsecSAs)
	}
	a, b := f.IPsecSAs[0], f.IPsecSAs[1]
	if a.Peer != "203.0.113.9" || a.Counters.Decaps != 5120 || a.Counters.Encaps != 4096 || !a.HasSAs() {
		t.Errorf("instance row: %+v", a)
	}
	if b.Peer != "198.18.44.2" || b.Counters.Decaps != 0 || b.Counters.Encaps != 840 {
		t.Errorf("row with an address id: %+v", b)
	}
	if !isStatusHeader(`006 #6: "lab", type=ESP, add_time=1701890000, inBytes=0, outBytes=840`) ||
		!isStatusHeader(`000 #1: "lab":500 STATE_MAIN_I4 (IKE SA established); newest; idle;`) ||
		isStatusHeader(`002 "lab" #1: initiating IKEv1 Main Mode connection`) {
		t.Error("isStatusHeader")
	}
}
