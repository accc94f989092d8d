package gateways

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tunneldoc/tunneldoc/diagnose/facts"
	"github.com/tunneldoc/tunneldoc/diagnose/internal/testkit"
)

// Each case is an output shape in this project's own words and
// addresses; the public corpus files of these vendors are diagnosed end to
// end by package diagnose's TestPublicCorpus.
func TestParsers(t *testing.T) {
	cases := []struct {
		name, parser, text string
		ikeUp, ipsec       int // IKE SA rows up, IPsec SAs with SPIs
		peer               string
		encaps, decaps     int64
	}{
		{name: "junos ike, remote address second", parser: "junos/show security ike security-associations", text: `Index   Remote Address  State  Initiator cookie  Responder cookie  Mode
9       198.51.100.30   UP     0a1b2c3d4e5f6071  8192a3b4c5d6e7f8  Main
10      198.51.100.31   DOWN   1a1b2c3d4e5f6071  0000000000000000  Main`, ikeUp: 1, peer: "198.51.100.30", encaps: -1, decaps: -1},
		{name: "junos ike, remote address last", parser: "junos/show security ike security-associations", text: `Index  State Initiator cookie Responder cookie Mode      Remote Address
4410021 UP   1f2e3d4c5b6a7988 8899aabbccddeeff IKEv2     203.0.113.77`, ikeUp: 1, peer: "203.0.113.77", encaps: -1, decaps: -1},
		{name: "junos ipsec", parser: "junos/show security ipsec security-associations", text: `Total active tunnels: 1
ID    Algorithm       SPI      Life:sec/kb  Mon lsys Port  Gateway
<131080 ESP:aes-gcm-256/None 1a2b3c4d 3011/ unlim - root 4500 203.0.113.77
>131080 ESP:aes-gcm-256/None 5e6f7a8b 3011/ unlim - root 4500 203.0.113.77`, ipsec: 1, peer: "203.0.113.77", encaps: -1, decaps: -1},
		{name: "junos st0", parser: "junos/show interfaces st0", text: ` Logical interface st0.4 (Index 81) (SNMP ifIndex 540)
    Flags: Up Point-To-Point SNMP-Traps Encapsulation: Secure-Tunnel
    Input packets : 120
    Output packets: 133`, encaps: 133, decaps: 120},
		{name: "screenos get sa", parser: "screenos/get sa", text: `total configured sa: 1
HEX ID    Gateway         Port Algorithm     SPI      Life:sec kb Sta   PID vsys
00000007<   192.0.2.90     500 esp:a256/sha1 0badf00d  2011 unlim A/-    -1 0
00000007>   192.0.2.90     500 esp:a256/sha1 feedface  2011 unlim A/-    -1 0`, ipsec: 1, peer: "192.0.2.90", encaps: -1, decaps: -1},
		{name: "yamaha sa summary", parser: "yamaha/show ipsec sa gateway", text: `sgw  flags local-id                      remote-id        # of sa
--------------------------------------------------------------------------
2    U K   10.8.0.0/24                   192.0.2.150      i:1 s:1 r:1`, ikeUp: 1, ipsec: 1, peer: "192.0.2.150", encaps: -1, decaps: -1},
		{name: "yamaha tunnel status", parser: "yamaha/show status tunnel", text: `TUNNEL[2]:
  Interface type: IPsec
  Current status is Online.
  Received:    (IPv4) 77 packets [9001 octets]
  Transmitted: (IPv4) 81 packets [9433 octets]`, encaps: 81, decaps: 77},
		{name: "panos ipsec sa", parser: "panos/show vpn ipsec-sa", text: `GwID/client IP  TnID   Peer-Address           Tunnel(Gateway)                Algorithm          SPI(in)  SPI(out) life(Sec/KB)
--------------  ----   ------------           ---------------                ---------          -------  -------- ------------
5               9      198.18.3.3             branch-t1(branch-gw)           ESP/G256/          0A0B0C0D 1A1B1C1D 3600/Unlimited`, ipsec: 1, peer: "198.18.3.3", encaps: -1, decaps: -1},
		{name: "azure connection stats", parser: "azure/ConnectionStats", text: `Connectivity State : Connected
Ingress Bytes (since last connected) : 1024 B`, ikeUp: 1, encaps: -1, decaps: -1},
		{name: "fortios flow trace", parser: "fortios/diagnose debug flow trace", text: `2026-01-09 10:00:01 id=20085 trace_id=41 func=print_pkt_detail line=5844 msg="vd-root:0 received a packet(proto=6, 10.30.1.5:443->10.20.1.9:51000) tun_id=203.0.113.44 from to-dc. flag [.], seq 1, ack 2, win 501"
2026-01-09 10:00:01 id=20085 trace_id=42 func=_do_ipsecdev_hard_start_xmit line=229 msg="output to IPSec tunnel to-dc"
2026-01-09 10:00:01 id=20085 trace_id=42 func=esp_output4 line=844 msg="IPsec encrypt/auth"`, peer: "203.0.113.44", encaps: 1, decaps: 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var p facts.Parser
			for _, q := range Parsers {
				if q.Name == c.parser {
					p = q
				}
			}
			if p.Parse == nil {
				t.Fatalf("no parser %s", c.parser)
			}
			first, _, _ := strings.Cut(c.text, "\n")
			if p.Header == nil || !p.Header(first) {
				t.Errorf("header not recognised: %q", first)
			}
			sec := testkit.SectionFromText(0, c.text)
			f := &facts.Facts{}
			p.Parse(sec, f)
			testkit.CheckRefs(t, sec, f)
			up := 0
			for _, r := range f.IKESAs {
				if r.State == "UP" || r.State == "ESTABLISHED" {
					up++
				}
			}
			withSAs := 0
			var peer string
			enc, dec := int64(-1), int64(-1)
			for i := range f.IPsecSAs {
				s := &f.IPsecSAs[i]
				if s.HasSAs() {
					withSAs++
				}
				enc, dec = s.Counters.Encaps, s.Counters.Decaps
				if peer == "" {
					peer = s.Peer
				}
			}
			if peer == "" && len(f.IKESAs) > 0 {
				peer = f.IKESAs[0].Peer
			}
			if up != c.ikeUp || withSAs != c.ipsec || peer != c.peer || enc != c.encaps || dec != c.decaps {
				t.Errorf("got ike up %d, ipsec %d, peer %q, encaps %d, decaps %d; want %d, %d, %q, %d, %d",
					up, withSAs, peer, enc, dec, c.ikeUp, c.ipsec, c.peer, c.encaps, c.decaps)
			}
		})
	}
}

// lineCases are log lines of each signature's shape, in this project's
// addresses, with the event and peer they must give.
var lineCases = []struct {
	parser, line string
	kind         facts.EventKind
	peer         string
}{
	{"azure/ike logs", "\t based on log : Peer failed with Windows error 13801(ERROR_IPSEC_IKE_AUTH_FAIL)", facts.EvAuthFailed, ""},
	{"azure/ike logs", "[1]0a10.0b20::05/06/2026-10:01:02.003 [ikeext] 77|198.51.100.9|    IKE authentication credentials are unacceptable", facts.EvAuthFailed, "198.51.100.9"},
	{"azure/ike logs", "Remote 198.51.100.9:500: Local 10.1.1.4:500: [SEND][NOTIFY] Sending Notify Message - Policy Mismatch", facts.EvNoProposalNotify, ""},
	{"racoon/log", "vco-x1 [PROTO_ERR]: ikev1.c:1433:isakmp_ph1resend(): phase1 negotiation failed due to time up. [{ph1: 10.0.0.5[500] <=> 198.51.100.200[500]}]", facts.EvP1GiveUp, "198.51.100.200"},
	{"azure/ike logs", "Remote 198.51.100.9:500: Local 10.1.1.4:500: [RECEIVED][SA_AUTH] Received IKE AUTH message", facts.EvContextP2, ""},
	{"azure/ike logs", "Remote 198.51.100.9:500: Local 10.1.1.4:500: [RECEIVED][SA_INIT] Received IKE SA_INIT message", facts.EvContextP1, ""},
	{"azure/ike logs", "Error: Peer failed with Windows error 13805(ERROR_IPSEC_IKE_TIMED_OUT)", facts.EvP1GiveUp, ""},
	{"racoon/log", "vco-x1 [PROTO_ERR]: ikev1.c:2120:isakmp_ph2resend(): phase2 negotiation failed due to time up.", facts.EvP2Retransmit, ""},
	{"junos/kmd", "srx kmd 9159 - - IKE negotiation failed with error: No proposal chosen. IKE Version: 1, VPN: v1 Gateway: g1, Local: 192.0.2.1/500, Remote: 198.51.100.2/500, VR-ID: 0", facts.EvP1NoProposal, "198.51.100.2"},
	{"junos/kmd", "srx kmd 9159 - - IKE negotiation failed with error: Authentication failed. IKE Version: 2, VPN: v1 Gateway: g1, Local: 192.0.2.1/500, Remote: 198.51.100.2/500", facts.EvAuthFailed, "198.51.100.2"},
	{"junos/kmd", "srx kmd 9159 - - IKE negotiation failed with error: Timed out. IKE Version: 1, VPN: v1 Gateway: g1, Local: 192.0.2.1/500, Remote: 198.51.100.2/500", facts.EvP1GiveUp, "198.51.100.2"},
	{"junos/kmd", "srx kmd 9812 - - IKE negotiation successfully completed. IKE Version: 1, VPN: v1 Gateway: g1, Local: 192.0.2.1/500, Remote: 198.51.100.2/500", facts.EvP1Complete, "198.51.100.2"},
	{"junos/kmd", "srx kmd 9812 - - IPSec negotiation failed with error: Peer proposed traffic-selectors are not in configured range. IKE Version: 2, VPN: v1 Gateway: g1, Local: 192.0.2.1/500, Remote: 198.51.100.2/500", facts.EvP2ProxyMismatch, "198.51.100.2"},
	{"junos/kmd", `srx kmd 13862 KMD_PM_SA_ESTABLISHED [junos@2636.1.1.1.2.129 local-address="192.0.2.1" remote-address="198.51.100.2"] Local gateway: 192.0.2.1, Remote gateway: 198.51.100.2, Direction: inbound`, facts.EvP2Complete, "198.51.100.2"},
	{"junos/kmd", "srx kmd[1911]: KMD_PM_SA_ESTABLISHED: Local gateway: 192.0.2.1, Remote gateway: 198.51.100.2, Direction: inbound", facts.EvP2Complete, "198.51.100.2"},
	{"junos/kmd", "srx kmd[1911]: KMD_VPN_UP_ALARM_USER: VPN v1 from 198.51.100.2 is up.", facts.EvP2Complete, "198.51.100.2"},
	{"junos/kmd", "srx kmd[1911]: KMD_VPN_DOWN_ALARM_USER: VPN v1 from 198.51.100.2 is down.", facts.EvTunnelDown, "198.51.100.2"},
	{"panos/system log", "IKE phase-1 negotiation is failed as initiator, main mode. Failed SA: 192.0.2.1[500]-198.51.100.2[500] cookie:84222f276c2fa2e9:0000000000000000 due to timeout.", facts.EvP1GiveUp, "198.51.100.2"},
	{"panos/system log", "IKE phase 1 negotiation is failed. Couldn't find configuration for IKE phase-1 request for peer IP 198.51.100.2[1929].", facts.EvNoPSK, "198.51.100.2"},
	{"fortios/ike log", `log_id=0101023003 type=event subtype=ipsec rem_ip=198.51.100.2 rem_port=500 status=negotiate_error msg="Negotiate SA Error: probable pre-shared secret mismatch"`, facts.EvAuthFailed, "198.51.100.2"},
	{"fortios/ike log", `logid="0101037124" type="event" subtype="vpn" remip=198.51.100.2 msg="Negotiate SA Error: probable pre-shared secret mismatch"`, facts.EvAuthFailed, "198.51.100.2"},
	{"fortios/ike log", "ike 0:to-branch:1234: no SA proposal chosen", facts.EvNoProposalNotify, ""},
	{"fortios/ike log", `logid="0101037138" type="event" subtype="vpn" level="notice" logdesc="IPsec connection status changed" msg="IPsec connection status change" action="tunnel-up" remip=198.51.100.2 locip=192.0.2.1 vpntunnel="to-branch"`, facts.EvP2Complete, "198.51.100.2"},
	{"fortios/ike log", `logid="0101037138" type="event" subtype="vpn" level="notice" logdesc="IPsec connection status changed" msg="IPsec connection status change" action="tunnel-down" remip=198.51.100.2 locip=192.0.2.1 vpntunnel="to-branch"`, facts.EvTunnelDown, "198.51.100.2"},
	{"fortios/ike log", "ike 0:to-branch:1234: no suitable proposal found", facts.EvNoProposalNotify, ""},
	{"mikrotik/log", "10:01:32 ipsec,error phase1 negotiation failed due to time up 192.0.2.1[500]<=>198.51.100.2[500]", facts.EvP1GiveUp, "198.51.100.2"},
	{"mikrotik/log", "198.51.100.2 parsing packet failed, possible cause: wrong password", facts.EvAuthFailed, "198.51.100.2"},
	{"mikrotik/log", "ipsec,error no suitable proposal found", facts.EvNoProposalNotify, ""},
	{"mikrotik/log", "10:01:02 ipsec,info initiate new phase 1 (Identity Protection): 192.0.2.1[500]<=>198.51.100.2[500]", facts.EvContextP1, ""},
	{"mikrotik/log", "10:01:40 ipsec,info respond new phase 2 negotiation: 192.0.2.1[500]<=>198.51.100.2[500]", facts.EvContextP2, ""},
	{"huawei/IPSECNEGOFAIL", "IPSEC/4/IPSECNEGOFAIL: OID 1.3.6.1.4.1.2011.6.122.26.6.14 IPSec tunnel negotiation fails. (Ifindex=7, SeqNum=10, Reason=phase1 proposal encryption algorithm mismatch, ReasonCode=1, PeerAddress=198.51.100.2, PeerPort=500)", facts.EvP1NoProposal, "198.51.100.2"},
	{"huawei/IPSECNEGOFAIL", "IPSec tunnel negotiation fails. (Ifindex=7, SeqNum=10, Reason=phase2 proposal or pfs mismatch, ReasonCode=2, PeerAddress=198.51.100.2, PeerPort=500)", facts.EvP2NoProposal, "198.51.100.2"},
	{"huawei/IPSECNEGOFAIL", "IPSec tunnel negotiation fails. (Ifindex=7, SeqNum=10, Reason=flow or peer mismatch, ReasonCode=4, PeerAddress=198.51.100.2, PeerPort=500)", facts.EvP2ProxyMismatch, "198.51.100.2"},
	{"huawei/IPSECNEGOFAIL", "IPSec tunnel negotiation fails. (Ifindex=7, SeqNum=10, Reason=authentication fail, ReasonCode=15, PeerAddress=198.51.100.2, PeerPort=500)", facts.EvAuthFailed, "198.51.100.2"},
	{"huawei/IPSECNEGOFAIL", "IPSec tunnel negotiation fails. (Ifindex=7, SeqNum=10, Reason=version mismatch, ReasonCode=5)", facts.EvVersionMismatch, ""},
	{"zyxel/ike log", "Send Main Mode request to 198.51.100.2", facts.EvContextP1, ""},
	{"zyxel/ike log", "Phase 1 IKE SA process done", facts.EvP1Complete, ""},
	{"zyxel/ike log", "Start Phase 2: Quick Mode", facts.EvContextP2, ""},
	{"zyxel/ike log", "!! No proposal chosen", facts.EvNoProposalNotify, ""},
	{"zyxel/ike log", "!! Verifying Remote ID failed", facts.EvP2ProxyMismatch, ""},
	{"zyxel/ike log", "!! Verifying Local ID failed", facts.EvP2ProxyMismatch, ""},
	{"zyxel/ike log", "Verifying Remote ID failed:", facts.EvP2ProxyMismatch, ""},
	{"huawei/IPSECNEGOFAIL", "IPSEC-VPN/4/IPSECTUNNELSTART: OID 1.3.6.1.4.1.2011.6.122.26.6.1 The IPSec tunnel is established. (Ifindex=7, SeqNum=10, TunnelIndex=1, RuleNum=5, DstIP=198.51.100.2, InsideIP=0.0.0.0, RemotePort=500)", facts.EvP2Complete, "198.51.100.2"},
	{"comware/ike debugging", "IKE/7/DEBUG: got NOTIFY of type NO_PROPOSAL_CHOSEN", facts.EvNoProposalNotify, ""},
	{"comware/ike debugging", "IKE/7/DEBUG: drop message from 198.51.100.2 due to notification type NO_PROPOSAL_CHOSEN", facts.EvNoProposalNotify, "198.51.100.2"},
	{"comware/ike debugging", "IKE/7/DEBUG: got NOTIFY of type INVALID_ID_INFORMATION", facts.EvP2ProxyMismatch, ""},
	{"comware/ike debugging", "IKE/7/DEBUG: drop message from 198.51.100.2 due to notification type INVALID_ID_INFORMATION", facts.EvP2ProxyMismatch, "198.51.100.2"},
	{"comware/ike debugging", "IKE/7/Event: Notification INVALID_ID_INFORMATION is received.", facts.EvP2ProxyMismatch, ""},
	{"comware/ike debugging", "IKE/7/Event: Construct notification packet: INVALID_ID_INFORMATION.", facts.EvP2ProxyMismatch, ""},
	{"aws/tunnel log", `{"details":"Peer is not responsive - Declaring peer dead"}`, facts.EvDPDDead, ""},
	{"aws/tunnel log", `{"details":"AWS tunnel payload decryption was unsuccessful due to invalid Pre-shared Key"}`, facts.EvAuthFailed, ""},
	{"aws/tunnel log", `{"details":"No Proposal Match Found by AWS"}`, facts.EvP1NoProposal, ""},
	{"aws/tunnel log", `{"details":"No Proposal Match Found. Notifying with \"No proposal chosen\""}`, facts.EvP2NoProposal, ""},
}

// TestLineSignatures: each log signature matches a line of its shape and
// names the peer where the line has one.
func TestLineSignatures(t *testing.T) {
	for _, c := range lineCases {
		var lp facts.LineParser
		for _, q := range LineParsers {
			if q.Name == c.parser {
				lp = q
			}
		}
		if lp.Prefix == nil || !lp.Prefix(c.line) {
			t.Errorf("%s: prefix does not take %q", c.parser, c.line)
			continue
		}
		found := false
		for _, sig := range lp.Signatures {
			if !strings.Contains(c.line, sig.Anchor) || sig.Event != c.kind {
				continue
			}
			peer := ""
			if sig.Re != nil {
				m := sig.Re.FindStringSubmatch(c.line)
				if m == nil {
					continue
				}
				if i := sig.Re.SubexpIndex("peer"); i > 0 {
					peer = m[i]
				}
			}
			if peer == c.peer {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: no signature gives %s (peer %q) for %q", c.parser, c.kind, c.peer, c.line)
		}
	}
}

// TestEverySignatureHasALine: every log signature of the package matches
// at least one line of lineCases, so none is untested.
func TestEverySignatureHasALine(t *testing.T) {
	for _, lp := range LineParsers {
		for _, sig := range lp.Signatures {
			found := false
			for _, c := range lineCases {
				if c.parser == lp.Name && strings.Contains(c.line, sig.Anchor) && (sig.Re == nil || sig.Re.MatchString(c.line)) {
					found = true
					break
				}
			}
			if !found {
				t.Errorf("%s: signature %s has no line in lineCases", lp.Name, sig.ID)
			}
		}
	}
}

func TestLinuxPing(t *testing.T) {
	sec := testkit.SectionFromText(0, `PING 10.9.9.2 (10.9.9.2) from 10.9.9.1 : 56(84) bytes of data.
64 bytes from 10.9.9.2: icmp_seq=1 ttl=64 time=1.10 ms
--- 10.9.9.2 ping statistics ---
5 packets transmitted, 4 received, 20% packet loss, time 4005ms`)
	f := &facts.Facts{}
	parseLinuxPing(sec, f)
	if len(f.Pings) != 1 || f.Pings[0].Target != "10.9.9.2" || f.Pings[0].Percent != 80 || f.Pings[0].Sent != 5 {
		t.Fatalf("pings %+v", f.Pings)
	}
}

// TestParsersOnAllText runs every reader of the package on every testdata
// case and public corpus text: none may panic or point outside its section.
func TestParsersOnAllText(t *testing.T) {
	files, _ := filepath.Glob("../testdata/cases/*/*.txt")
	if root, ok := testkit.FindCorpus(); ok {
		c, _ := filepath.Glob(filepath.Join(root, "*", "*", "*.txt"))
		files = append(files, c...)
	}
	if len(files) == 0 {
		t.Fatal("no texts")
	}
	for _, file := range files {
		raw, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		sec := testkit.SectionFromText(0, string(raw))
		for _, p := range Parsers {
			f := &facts.Facts{}
			p.Parse(sec, f)
			testkit.CheckRefs(t, sec, f)
		}
	}
}

// TestLogPrefixesLeaveOtherVendorsAlone: the log readers of logs.go claim
// no line of the lab's strongSwan and libreswan captures nor of the
// testdata cases of other vendors: a line they claim is read by them only.
func TestLogPrefixesLeaveOtherVendorsAlone(t *testing.T) {
	ours := map[string]bool{"junos/kmd": true, "panos/system log": true, "fortios/ike log": true, "mikrotik/log": true,
		"huawei/IPSECNEGOFAIL": true, "zyxel/ike log": true, "comware/ike debugging": true, "aws/tunnel log": true}
	own := []string{"junos-", "panos-", "fortios-", "mikrotik-", "huawei-", "zyxel-", "comware", "aws-"}
	var files []string
	err := filepath.WalkDir("../testdata/lab", func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	cases, _ := filepath.Glob("../testdata/cases/*/*.txt")
	for _, c := range cases {
		mine := false
		for _, p := range own {
			mine = mine || strings.HasPrefix(filepath.Base(c), p)
		}
		if !mine {
			files = append(files, c)
		}
	}
	if len(files) < 100 {
		t.Fatalf("only %d files", len(files))
	}
	for _, file := range files {
		raw, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(raw), "\n") {
			for _, lp := range LineParsers {
				if ours[lp.Name] && lp.Prefix(strings.TrimSpace(line)) {
					t.Errorf("%s:%d: %s claims %q", file, i+1, lp.Name, line)
				}
			}
		}
	}
}
