package ios

import (
	"fmt"
	"strings"
	"testing"

	"github.com/tunneldoc/tunneldoc/diagnose/facts"
)

// ipsecSA200 builds a `show crypto ipsec sa` of 200 peers on one interface,
// each with one ident block and an inbound and outbound ESP SA.
func ipsecSA200() string {
	var b strings.Builder
	b.WriteString("interface: GigabitEthernet0/1\n    Crypto map tag: CMAP, local addr 30.3.1.1\n\n")
	for i := 0; i < 200; i++ {
		peer := fmt.Sprintf("40.%d.%d.1", i/250, i%250)
		fmt.Fprintf(&b, `   protected vrf: (none)
   local  ident (addr/mask/prot/port): (3.1.%d.0/255.255.255.0/0/0)
   remote ident (addr/mask/prot/port): (4.1.%d.0/255.255.255.0/0/0)
   current_peer %s port 500
     PERMIT, flags={origin_is_acl,}
    #pkts encaps: %d, #pkts encrypt: %d, #pkts digest: %d
    #pkts decaps: %d, #pkts decrypt: %d, #pkts verify: %d
    #pkts compressed: 0, #pkts decompressed: 0
    #pkts not compressed: 0, #pkts compr. failed: 0
    #pkts not decompressed: 0, #pkts decompress failed: 0
    #pkts no sa (send) 0, #pkts invalid sa (rcv) 0
    #pkts encaps failed (send) 0, #pkts decaps failed (rcv) 0
    #pkts invalid prot (recv) 0, #pkts verify failed: 0
    #pkts invalid identity (recv) 0, #pkts invalid len (rcv) 0
    #pkts replay rollover (send): 0, #pkts replay rollover (rcv) 0
    ##pkts replay failed (rcv): %d
    #pkts internal err (send): 0, #pkts internal err (recv) 0
    #send errors 0, #recv errors %d

     local crypto endpt.: 30.3.1.1, remote crypto endpt.: %s
     plaintext mtu 1438, path mtu 1500, ip mtu 1500, ip mtu idb GigabitEthernet0/1
     current outbound spi: 0x%08X(%d)
     PFS (Y/N): N, DH group: none

     inbound esp sas:
      spi: 0x%08X(%d)
        transform: esp-256-aes esp-sha256-hmac ,
        in use settings ={Tunnel, }
        conn id: %d, flow_id: SW:%d, sibling_flags 80000048, crypto map: CMAP
        sa timing: remaining key lifetime (k/sec): (4607999/3191)
        IV size: 16 bytes
        replay detection support: Y
        Status: ACTIVE(ACTIVE)

     inbound ah sas:

     inbound pcp sas:

     outbound esp sas:
      spi: 0x%08X(%d)
        transform: esp-256-aes esp-sha256-hmac ,
        in use settings ={Tunnel, }
        conn id: %d, flow_id: SW:%d, sibling_flags 80000048, crypto map: CMAP
        sa timing: remaining key lifetime (k/sec): (4607999/3191)
        IV size: 16 bytes
        replay detection support: Y
        Status: ACTIVE(ACTIVE)

     outbound ah sas:

     outbound pcp sas:

`, i%250, i%250, peer, i*7, i*7, i*7, i*5, i*5, i*5, i%3, i%11, peer,
			0x10000000+i, 0x10000000+i, 0x20000000+i, 0x20000000+i, 2*i, 2*i,
			0x10000000+i, 0x10000000+i, 2*i+1, 2*i+1)
	}
	return b.String()
}

func BenchmarkParseIPsecSA200(b *testing.B) {
	text := ipsecSA200()
	sec := sectionFromText(0, text)
	parse := ParseIPsecSA(facts.VendorIOS, NameIPsecSA)
	// sanity: the generated text must yield 200 SAs
	f := &facts.Facts{}
	parse(sec, f)
	if len(f.IPsecSAs) != 200 || f.IPsecSAs[199].Counters.RecvErrors < 0 {
		b.Fatalf("generated text parsed into %d SAs", len(f.IPsecSAs))
	}
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		parse(sec, &facts.Facts{})
	}
}

// BenchmarkParseIsakmpTable is a hub's `show crypto isakmp sa` with 20,000
// peers (about 1 MB), the table of the many-peers hostile paste.
func BenchmarkParseIsakmpTable(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("IPv4 Crypto ISAKMP SA\ndst             src             state          conn-id status\n")
	for i := 0; i < 20000; i++ {
		fmt.Fprintf(&sb, "10.%d.%d.%-9d 30.3.1.1        QM_IDLE        %d ACTIVE\n", i>>16&255, i>>8&255, i&255, 1000+i)
	}
	text := sb.String()
	sec := sectionFromText(0, text)
	f := &facts.Facts{}
	ParseIsakmpSA(sec, f)
	if len(f.IKESAs) != 20000 || f.IKESAs[0].Local != "30.3.1.1" {
		b.Fatalf("generated table parsed into %d SAs", len(f.IKESAs))
	}
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		ParseIsakmpSA(sec, &facts.Facts{})
	}
}
