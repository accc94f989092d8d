package diagnose

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// mixedDebugPaste builds about size bytes of realistic mixed output: the
// seed debugs and show outputs of every case, repeated.
func mixedDebugPaste(tb testing.TB, size int) string {
	tb.Helper()
	files, _ := filepath.Glob("testdata/cases/*/*.txt")
	var parts []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		parts = append(parts, string(b))
	}
	var sb strings.Builder
	for i := 0; sb.Len() < size; i++ {
		sb.WriteString(parts[i%len(parts)])
		sb.WriteByte('\n')
	}
	return sb.String()
}

// fewRepeatsPaste is mixedDebugPaste with each repetition's prompt host
// names and every number of three digits or more that is not part of an
// address (SA and connection ids, SPIs, counters, lifetimes) changed, so
// that few lines repeat word for word (4,827 distinct lines of 21,748
// against 1,140 of 21,410) while the peers stay the same, as in a real
// debug, whose SA ids move on with each negotiation.
func fewRepeatsPaste(tb testing.TB, size int) string {
	tb.Helper()
	base := mixedDebugPaste(tb, 110<<10)
	hostRe := regexp.MustCompile(`(?m)^([A-Za-z][A-Za-z0-9_-]{0,30})([#>])`)
	numRe := regexp.MustCompile(`\d{3,}`)
	var sb strings.Builder
	for i := 0; sb.Len() < size; i++ {
		part := hostRe.ReplaceAllString(base, fmt.Sprintf("${1}x%d$2", i))
		last := 0
		for _, m := range numRe.FindAllStringIndex(part, -1) {
			if m[0] > 0 && part[m[0]-1] == '.' || m[1] < len(part) && part[m[1]] == '.' {
				continue // an address or a version
			}
			n, _ := strconv.Atoi(part[m[0]:m[1]])
			sb.WriteString(part[last:m[0]])
			sb.WriteString(strconv.Itoa(n + 7*i))
			last = m[1]
		}
		sb.WriteString(part[last:])
	}
	return sb.String()[:size]
}

// ipsecSA200 is `show crypto ipsec sa` for 200 peers.
func ipsecSA200() string { return ipsecSAOutput(200, false) }

// hubIPsecSA is a hub's `show crypto ipsec sa` for peers peers under one
// interface heading and crypto map tag, as IOS prints them.
func hubIPsecSA(peers int) string { return ipsecSAOutput(peers, true) }

// ipsecSAOutput is `show crypto ipsec sa` for peers peers, the interface
// and crypto map headings printed once or before every peer's block.
func ipsecSAOutput(peers int, oneHeading bool) string {
	const heading = "interface: GigabitEthernet0/1\n    Crypto map tag: CMAP, local addr 30.3.1.1\n\n"
	var sb strings.Builder
	sb.WriteString("HUB#show crypto ipsec sa\n\n")
	if oneHeading {
		sb.WriteString(heading)
	}
	for i := 0; i < peers; i++ {
		peer := fmt.Sprintf("10.%d.%d.1", i/250, i%250)
		if !oneHeading {
			sb.WriteString(heading)
		}
		fmt.Fprintf(&sb, `   protected vrf: (none)
   local  ident (addr/mask/prot/port): (3.1.%d.0/255.255.255.0/0/0)
   remote ident (addr/mask/prot/port): (4.1.%d.0/255.255.255.0/0/0)
   current_peer %s port 500
     PERMIT, flags={origin_is_acl,}
    #pkts encaps: %d, #pkts encrypt: %d, #pkts digest: %d
    #pkts decaps: %d, #pkts decrypt: %d, #pkts verify: %d
    #pkts compressed: 0, #pkts decompressed: 0
    #pkts not compressed: 0, #pkts compr. failed: 0
    #pkts not decompressed: 0, #pkts decompress failed: 0
    #send errors 0, #recv errors 0

     local crypto endpt.: 30.3.1.1, remote crypto endpt.: %s
     plaintext mtu 1438, path mtu 1500, ip mtu 1500, ip mtu idb GigabitEthernet0/1
     current outbound spi: 0x%08X(%d)
     PFS (Y/N): N, DH group: none

     inbound esp sas:
      spi: 0x%08X(%d)
        transform: esp-256-aes esp-sha-hmac ,
        in use settings ={Tunnel, }
        conn id: %d, flow_id: SW:%d, sibling_flags 80000040, crypto map: CMAP
        sa timing: remaining key lifetime (k/sec): (4607999/3500)
        IV size: 16 bytes
        replay detection support: Y
        Status: ACTIVE(ACTIVE)

     outbound esp sas:
      spi: 0x%08X(%d)
        transform: esp-256-aes esp-sha-hmac ,
        in use settings ={Tunnel, }
        conn id: %d, flow_id: SW:%d, sibling_flags 80000040, crypto map: CMAP
        sa timing: remaining key lifetime (k/sec): (4607999/3500)
        IV size: 16 bytes
        replay detection support: Y
        Status: ACTIVE(ACTIVE)

`, i%250, i%250, peer, 1000+i, 1000+i, 1000+i, 900+i*(i%3), 900+i*(i%3), 900+i*(i%3), peer,
			0x10000000+i, 0x10000000+i, 0x20000000+i, 0x20000000+i, 2000+2*i, 2000+2*i, 0x10000000+i, 0x10000000+i, 2001+2*i, 2001+2*i)
	}
	return sb.String()
}

// debugSession is one long `debug crypto isakmp` session with a handful of
// peers: the seed 001 walk-throughs repeated, as a router would print them
// during an hour of a tunnel flapping.
func debugSession(tb testing.TB, size int) string {
	tb.Helper()
	var parts []string
	for _, f := range []string{
		"testdata/cases/healthy/seed001-ios-19-2-good-l2l-debug.txt",
		"testdata/cases/psk_mismatch/seed001-ios-19-4-reserved-not-zero.txt",
		"testdata/cases/ike_proposal_mismatch/seed001-ios-19-3-policy-mismatch.txt",
		"testdata/cases/peer_unreachable/seed000-ios-mm-no-state-no-reply.txt",
	} {
		b, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		parts = append(parts, string(b))
	}
	var sb strings.Builder
	for i := 0; sb.Len() < size; i++ {
		sb.WriteString(parts[i%len(parts)])
	}
	return sb.String()
}

// BenchmarkDiagnose is the engine on pastes in memory (Diagnose), the
// 40 MB mixed paste also read as a stream (DiagnoseReader, as the CLI
// does). The inputs are built only for the benchmarks that run.
func BenchmarkDiagnose(b *testing.B) {
	for _, bc := range []struct {
		name   string
		gen    func(tb testing.TB) string
		reader bool
	}{
		{"mixed-debug-1MB", func(tb testing.TB) string { return mixedDebugPaste(tb, 1<<20) }, false},
		{"mixed-few-repeats-1MB", func(tb testing.TB) string { return fewRepeatsPaste(tb, 1<<20) }, false},
		{"debug-session-1MB", func(tb testing.TB) string { return debugSession(tb, 1<<20) }, false},
		{"ipsec-sa-200-peers", func(testing.TB) string { return ipsecSA200() }, false},
		{"mixed-40MB", func(tb testing.TB) string { return mixedDebugPaste(tb, 40<<20) }, false},
		{"mixed-40MB-reader", func(tb testing.TB) string { return mixedDebugPaste(tb, 40<<20) }, true},
		{"hub-ipsec-sa-20k-peers", func(testing.TB) string { return hubIPsecSA(20000) }, false},
	} {
		b.Run(bc.name, func(b *testing.B) {
			in := bc.gen(b)
			b.SetBytes(int64(len(in)))
			b.ReportAllocs()
			for b.Loop() {
				var rep Report
				if bc.reader {
					rep, _ = DiagnoseReader(strings.NewReader(in), Options{})
				} else {
					rep = Diagnose(in, Options{})
				}
				if rep.Cause == "" {
					b.Fatal("no report")
				}
			}
		})
	}
}

func TestIPsecSA200(t *testing.T) {
	rep := Diagnose(ipsecSA200(), Options{})
	// every third peer has decaps 900 (0 when i%3 == 0 and i == 0 only): all up
	if rep.Cause != CauseHealthy && rep.Cause != CauseOneWayOutbound {
		t.Fatalf("got %s: %s", rep.Cause, rep.Summary)
	}
	if len(rep.Findings) != 200 {
		t.Fatalf("findings for %d peers, want 200", len(rep.Findings))
	}
}
