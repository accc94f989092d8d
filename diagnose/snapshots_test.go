package diagnose

import (
	"fmt"
	"strings"
	"testing"
)

// counterOutput prints one peer's IPsec SA with the given counters and
// outbound SPI in a platform's own shape.
func counterOutput(platform string, encaps, decaps int64, spi string) (peer, text string) {
	switch platform {
	case "ios":
		return "40.10.1.1", fmt.Sprintf(`HUB-A#show crypto ipsec sa peer 40.10.1.1

interface: GigabitEthernet0/1
    Crypto map tag: CMAP, local addr 30.3.1.1

   protected vrf: (none)
   local  ident (addr/mask/prot/port): (3.1.1.0/255.255.255.0/0/0)
   remote ident (addr/mask/prot/port): (4.1.1.0/255.255.255.0/0/0)
   current_peer 40.10.1.1 port 500
     PERMIT, flags={origin_is_acl,}
    #pkts encaps: %[1]d, #pkts encrypt: %[1]d, #pkts digest: %[1]d
    #pkts decaps: %[2]d, #pkts decrypt: %[2]d, #pkts verify: %[2]d
    #send errors 0, #recv errors 0

     local crypto endpt.: 30.3.1.1, remote crypto endpt.: 40.10.1.1
     current outbound spi: 0x%[3]s(2348073633)

     inbound esp sas:
      spi: 0x812A50F7(2167034103)
        transform: esp-aes esp-sha-hmac ,
        Status: ACTIVE

     outbound esp sas:
      spi: 0x%[3]s(2348073633)
        transform: esp-aes esp-sha-hmac ,
        Status: ACTIVE
`, encaps, decaps, spi)
	case "asa":
		return "90.1.1.1", fmt.Sprintf(`vpn-Firewall# show crypto ipsec sa peer 90.1.1.1
peer address: 90.1.1.1
    Crypto map tag: outside_map, seq num: 90, local addr: 200.100.0.1

      access-list vpn_90 extended permit ip 172.16.10.0 255.255.255.0 192.168.10.0 255.255.255.0
      local ident (addr/mask/prot/port): (172.16.10.0/255.255.255.0/0/0)
      remote ident (addr/mask/prot/port): (192.168.10.0/255.255.255.0/0/0)
      current_peer: 90.1.1.1

      #pkts encaps: %[1]d, #pkts encrypt: %[1]d, #pkts digest: %[1]d
      #pkts decaps: %[2]d, #pkts decrypt: %[2]d, #pkts verify: %[2]d
      #send errors: 0, #recv errors: 0

      local crypto endpt.: 200.100.0.1/0, remote crypto endpt.: 90.1.1.1/0
      current outbound spi: %[3]s
      current inbound spi : ADA4ACB9

    inbound esp sas:
      spi: 0xADA4ACB9 (2913250489)
         SA State: active
    outbound esp sas:
      spi: 0x%[3]s (2703936774)
         SA State: active
`, encaps, decaps, spi)
	case "libreswan":
		// trafficstatus counts bytes and shows no SPI: the state serial
		// stands for the SA, so a rekey shows as another serial
		serial := 4
		if spi != "8BF4C2A1" {
			serial = 7
		}
		return "198.18.44.2", fmt.Sprintf(`[root@east ~]# ipsec trafficstatus
006 #%d: "lab", type=ESP, add_time=1701890000, inBytes=%d, outBytes=%d, maxBytes=2^63B, id='198.18.44.2'
`, serial, decaps, encaps)
	default:
		return "203.0.113.10", fmt.Sprintf(`root@vpn-gw-a:~# swanctl --list-sas
site-a: #4, ESTABLISHED, IKEv2, 7d2f4c1b9a0e3d55_i* 1c9e8f7a6b5d4c3e_r
  local  '192.0.2.10' @ 192.0.2.10[500]
  remote '203.0.113.10' @ 203.0.113.10[500]
  AES_CBC-256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048
  established 1520s ago, rekeying in 12110s
  site-a: #7, reqid 1, INSTALLED, TUNNEL, ESP:AES_CBC-256/HMAC_SHA2_256_128
    installed 1520s ago, rekeying in 1771s, expires in 2440s
    in  c1a2b3c4,  48213044 bytes,  %8[2]d packets,     0s ago
    out %[3]s,  12902210 bytes,  %8[1]d packets,     0s ago
    local  10.10.0.0/16
    remote 10.20.0.0/16
`, encaps, decaps, strings.ToLower(spi))
	}
}

func TestCompareSnapshots(t *testing.T) {
	const spiA, spiB = "8BF4C2A1", "5E11AB07"
	type read struct {
		encaps, decaps int64
		spi            string
	}
	cases := []struct {
		name          string
		first, second read
		verdict       string
		cause         string
		encaps        int64
		decaps        int64
		rekeyed       bool
		says          string
	}{
		{"live", read{1843, 2618, spiA}, read{1868, 2642, spiA}, DataLive, CauseHealthy, 25, 24, false, "both ways"},
		{"one way outbound", read{1843, 2618, spiA}, read{1868, 2618, spiA}, DataOneWayOutbound, CauseOneWayOutbound, 25, 0, false, "decrypted none back"},
		{"one way inbound", read{1843, 2618, spiA}, read{1843, 2650, spiA}, DataOneWayInbound, CauseOneWayInbound, 0, 32, false, "encrypted none back"},
		{"idle", read{1843, 2618, spiA}, read{1843, 2618, spiA}, DataIdle, "", 0, 0, false, "no traffic is offered"},
		{"idle since the tunnel came up", read{0, 0, spiA}, read{0, 0, spiA}, DataIdle, "", 0, 0, false, "nothing has crossed it since the SA was built"},
		{"idle after one-way traffic", read{48211, 0, spiA}, read{48211, 0, spiA}, DataIdle, "", 0, 0, false, "earlier counts went one way only"},
		// the second read is lower: the SA was rekeyed and counts from zero
		{"counter reset, traffic both ways", read{1843, 2618, spiA}, read{12, 11, spiB}, DataLive, CauseHealthy, 12, 11, true, "rekeyed"},
		{"counter reset, idle", read{1843, 2618, spiA}, read{0, 0, spiB}, DataIdle, "", 0, 0, true, "not a failure"},
		{"counter reset of one counter, same SPI", read{1843, 2618, spiA}, read{1850, 3, spiA}, DataLive, CauseHealthy, 7, 3, true, "rekeyed"},
		{"new SA counted more than the old", read{5, 5, spiA}, read{40, 9, spiB}, DataLive, CauseHealthy, 40, 9, true, "rekeyed"},
	}
	for _, platform := range []string{"ios", "asa", "strongswan", "libreswan"} {
		for _, c := range cases {
			t.Run(platform+"/"+c.name, func(t *testing.T) {
				if platform == "libreswan" {
					// bytes, not packets: a hundred bytes a packet
					c.first.encaps, c.first.decaps, c.second.encaps, c.second.decaps = 100*c.first.encaps, 100*c.first.decaps, 100*c.second.encaps, 100*c.second.decaps
					c.encaps, c.decaps = 100*c.encaps, 100*c.decaps
				}
				peer, a := counterOutput(platform, c.first.encaps, c.first.decaps, c.first.spi)
				_, b := counterOutput(platform, c.second.encaps, c.second.decaps, c.second.spi)
				first, second := ReadCounters(a, peer), ReadCounters(b, peer)
				if first.Problem != "" || second.Problem != "" {
					t.Fatalf("reads not usable: %q / %q", first.Problem, second.Problem)
				}
				if first.Encaps != c.first.encaps || first.Decaps != c.first.decaps {
					t.Fatalf("first read %d/%d, want %d/%d", first.Encaps, first.Decaps, c.first.encaps, c.first.decaps)
				}
				lines := 2
				if platform == "libreswan" {
					lines = 1 // one row holds both
				}
				if len(first.Lines) != lines || len(second.Lines) != lines {
					t.Errorf("counter lines %q / %q, want the encaps and decaps lines", first.Lines, second.Lines)
				}
				dp := CompareSnapshots(first, second, 5)
				if dp.Verdict != c.verdict || dp.Cause != c.cause || dp.Encaps != c.encaps || dp.Decaps != c.decaps || dp.Rekeyed != c.rekeyed {
					t.Errorf("got %s/%q Δ%d/%d rekeyed=%v, want %s/%q Δ%d/%d rekeyed=%v", dp.Verdict, dp.Cause, dp.Encaps, dp.Decaps, dp.Rekeyed, c.verdict, c.cause, c.encaps, c.decaps, c.rekeyed)
				}
				if !strings.Contains(dp.Summary, c.says) || !strings.Contains(dp.Summary, peer) || !strings.Contains(dp.Summary, "5 s") {
					t.Errorf("summary %q does not say %q, the peer and the wait", dp.Summary, c.says)
				}
				if unit := map[bool]string{true: "bytes", false: "packets"}[platform == "libreswan"]; first.Unit != unit || (dp.Verdict != DataIdle && !strings.Contains(dp.Summary, unit)) {
					t.Errorf("counted in %q (%q), want %s", first.Unit, dp.Summary, unit)
				}
				if platform == "libreswan" {
					return // trafficstatus shows no selectors: no ping to build
				}
				if (dp.Verdict == DataIdle) != (dp.Ping != "") {
					t.Errorf("ping %q for verdict %s", dp.Ping, dp.Verdict)
				}
			})
		}
	}
}

// TestCompareSnapshotsStale: what cannot be compared is said, never
// guessed: a failed or empty second read, an SA gone, counters not shown.
func TestCompareSnapshotsStale(t *testing.T) {
	peer, a := counterOutput("ios", 1843, 2618, "8BF4C2A1")
	first := ReadCounters(a, peer)
	noCounters := strings.NewReplacer("#pkts encaps", "#pkts x", "#pkts decaps", "#pkts y").Replace(a)
	// phase 2 failed: the entry is printed with zero counters and no SA
	_, noSA := counterOutput("ios", 0, 0, "0")
	noSA = strings.NewReplacer("current outbound spi: 0x0(2348073633)", "current outbound spi: 0x0(0)", "      spi: 0x812A50F7(2167034103)\n", "", "      spi: 0x0(2348073633)\n", "").Replace(noSA)
	cases := []struct {
		name   string
		first  CounterSnapshot
		second CounterSnapshot
		says   string
	}{
		{"second read failed", first, CounterSnapshot{Peer: peer, Encaps: -1, Decaps: -1, Problem: "connection refused"}, "second read failed (connection refused)"},
		{"SA gone", first, ReadCounters("HUB-A#show crypto ipsec sa peer 40.10.1.1\n\n", peer), "gone 5 s later"},
		{"counters not shown", first, ReadCounters(noCounters, peer), "without its counters"},
		{"crypto map entry without an SA", first, ReadCounters(noSA, peer), "gone 5 s later"},
		{"first read without the peer", ReadCounters(a, "192.0.2.99"), first, "first read showed no IPsec SA"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dp := CompareSnapshots(c.first, c.second, 5)
			if dp.Verdict != DataStale || dp.Cause != "" || !strings.Contains(dp.Summary, c.says) || !strings.Contains(dp.Summary, "could not be judged") {
				t.Errorf("got %s/%q %q, want stale saying %q", dp.Verdict, dp.Cause, dp.Summary, c.says)
			}
		})
	}
}

// TestSnapshotPing: the ping offered for an idle tunnel matches the
// selectors, in each device's own CLI.
func TestSnapshotPing(t *testing.T) {
	want := map[string]string{
		"ios":        "ping 4.1.1.1 source <interface in 3.1.1.0/24>",
		"asa":        "ping inside 192.168.10.1",
		"strongswan": "ping -I <this device's address in 10.10.0.0/16> 10.20.0.1",
	}
	for platform, w := range want {
		peer, a := counterOutput(platform, 7, 7, "8BF4C2A1")
		dp := CompareSnapshots(ReadCounters(a, peer), ReadCounters(a, peer), 5)
		if dp.Ping != w {
			t.Errorf("%s: ping %q, want %q", platform, dp.Ping, w)
		}
	}
	hosts := CounterSnapshot{Vendor: "libreswan", LocalIdent: "10.0.1.5/32", RemoteIdent: "10.0.2.9/32"}
	if p := pingFor(hosts); p != "ping -I 10.0.1.5 10.0.2.9" {
		t.Errorf("host selectors: %q", p)
	}
	if p := pingFor(CounterSnapshot{Vendor: "ios", LocalIdent: "(0.0.0.0/0.0.0.0/0/0)", RemoteIdent: "(0.0.0.0/0.0.0.0/0/0)"}); p != "" {
		t.Errorf("route-based selectors: %q, want none", p)
	}
}

// TestCompareSnapshotsOnePacket: one packet counted one way between the
// reads is what a healthy tunnel shows when a ping request is encrypted
// before the read and its reply decrypted after it; it is never a one-way
// verdict. Two packets one way with nothing back are.
func TestCompareSnapshotsOnePacket(t *testing.T) {
	const spi = "8BF4C2A1"
	cases := []struct {
		name                   string
		platform               string
		encaps, decaps         int64 // the second read; the first is 1843/2618
		verdict, cause, saying string
	}{
		{"ios request out, reply not yet in", "ios", 1844, 2618, DataIdle, "", "Only one packet crossed the tunnel"},
		{"ios reply in, request counted before", "ios", 1843, 2619, DataIdle, "", "(decrypted, nothing encrypted)"},
		{"asa request out, reply not yet in", "asa", 1844, 2618, DataIdle, "", "too little to call the traffic one-way"},
		{"strongswan request out, reply not yet in", "strongswan", 1844, 2618, DataIdle, "", "too little to call the traffic one-way"},
		{"ios two packets out, none back", "ios", 1845, 2618, DataOneWayOutbound, CauseOneWayOutbound, "decrypted none back"},
		{"asa two packets in, none out", "asa", 1843, 2620, DataOneWayInbound, CauseOneWayInbound, "encrypted none back"},
		// libreswan counts bytes: one ping is 84, one full-size packet 1500
		{"libreswan one ping out", "libreswan", 1843 + 84, 2618, DataIdle, "", "Only 84 bytes crossed the tunnel"},
		{"libreswan more than a full-size packet out", "libreswan", 1843 + 1501, 2618, DataOneWayOutbound, CauseOneWayOutbound, "decrypted none back"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			peer, a := counterOutput(c.platform, 1843, 2618, spi)
			_, b := counterOutput(c.platform, c.encaps, c.decaps, spi)
			dp := CompareSnapshots(ReadCounters(a, peer), ReadCounters(b, peer), 5)
			if dp.Verdict != c.verdict || dp.Cause != c.cause || !strings.Contains(dp.Summary, c.saying) {
				t.Errorf("got %s/%q %q, want %s/%q saying %q", dp.Verdict, dp.Cause, dp.Summary, c.verdict, c.cause, c.saying)
			}
		})
	}
}

// TestCompareSnapshotsOldCounts: counts that stand still at the same
// non-zero numbers are old, and the answer says so; where the device
// shows when it last used the SA (strongSwan's "Ns ago"), it says how old.
func TestCompareSnapshotsOldCounts(t *testing.T) {
	for _, platform := range []string{"ios", "asa", "strongswan", "libreswan"} {
		t.Run(platform, func(t *testing.T) {
			peer, a := counterOutput(platform, 1843, 2618, "8BF4C2A1")
			dp := CompareSnapshots(ReadCounters(a, peer), ReadCounters(a, peer), 5)
			if dp.Verdict != DataIdle || !strings.Contains(dp.Summary, "are old counts, not current traffic") {
				t.Errorf("got %s %q, want idle saying the counts are old", dp.Verdict, dp.Summary)
			}
			if platform != "strongswan" && strings.Contains(dp.Summary, "ago") {
				t.Errorf("%s shows no last-use time, the answer names one: %q", platform, dp.Summary)
			}
		})
	}
	peer, a := counterOutput("strongswan", 1843, 2618, "8BF4C2A1")
	listSAs := strings.Replace(strings.Replace(a, "packets,     0s ago\n    out", "packets, 266460s ago\n    out", 1), "packets,     0s ago\n    local", "packets, 754s ago\n    local", 1)
	statusAll := `root@vpn-gw-a:~# ipsec statusall
Security Associations (1 up, 0 connecting):
      site-a[4]: ESTABLISHED 3 days ago, 192.0.2.10[192.0.2.10]...203.0.113.10[203.0.113.10]
      site-a[4]: IKEv2 SPIs: 7d2f4c1b9a0e3d55_i* 1c9e8f7a6b5d4c3e_r, rekeying in 3 hours
      site-a{7}:  INSTALLED, TUNNEL, reqid 1, ESP SPIs: c1a2b3c4_i 8bf4c2a1_o
      site-a{7}:  AES_CBC_256/HMAC_SHA2_256_128, 48213044 bytes_i (2618 pkts, 266460s ago), 12902210 bytes_o (1843 pkts, 754s ago), rekeying in 29 minutes
      site-a{7}:   10.10.0.0/16 === 10.20.0.0/16
`
	for name, text := range map[string]string{"swanctl --list-sas": listSAs, "ipsec statusall": statusAll} {
		t.Run("strongswan "+name+" last use", func(t *testing.T) {
			s := ReadCounters(text, peer)
			if s.Problem != "" || s.LastIn != 266460 || s.LastOut != 754 {
				t.Fatalf("read %+v, want last use in 266460 s, out 754 s ago", s)
			}
			dp := CompareSnapshots(s, s, 5)
			if want := "The device says the last packet came in 3 d 2 h ago and the last packet went out 12 min ago."; !strings.Contains(dp.Summary, want) {
				t.Errorf("summary %q lacks %q", dp.Summary, want)
			}
		})
	}
	if got := agoText(59) + "|" + agoText(3600) + "|" + agoText(3660) + "|" + agoText(172800); got != "59 s|1 h|1 h 1 min|2 d" {
		t.Errorf("agoText: %s", got)
	}
}

// TestDataPlaneReport: a one-way verdict is a data-plane failure with the
// fix of its cause in the device's own CLI; live is healthy; idle and
// stale name no cause.
func TestDataPlaneReport(t *testing.T) {
	peer, a := counterOutput("strongswan", 1843, 2618, "8BF4C2A1")
	_, b := counterOutput("strongswan", 1873, 2618, "8BF4C2A1")
	_, c := counterOutput("strongswan", 1873, 2650, "8BF4C2A1")
	first := ReadCounters(a, peer)
	cases := []struct {
		second                CounterSnapshot
		phase, cause, verdict string
	}{
		{ReadCounters(b, peer), PhaseData, CauseOneWayOutbound, VerdictDown},
		{ReadCounters(c, peer), PhaseNone, CauseHealthy, VerdictUp},
		{first, PhaseUnknown, CauseUnknown, VerdictUnknown},
		{CounterSnapshot{Peer: peer, Encaps: -1, Decaps: -1, Problem: "timeout"}, PhaseUnknown, CauseUnknown, VerdictUnknown},
	}
	for _, k := range cases {
		r := CompareSnapshots(first, k.second, 5).Report()
		if r.Phase != k.phase || r.Cause != k.cause || r.Verdict != k.verdict || r.Peer != peer || r.Vendor != "strongswan" {
			t.Errorf("report %s/%s/%s for %s, want %s/%s/%s", r.Phase, r.Cause, r.Verdict, r.Peer, k.phase, k.cause, k.verdict)
		}
		if k.cause == CauseOneWayOutbound && (len(r.Fix) == 0 || strings.Contains(strings.Join(r.Fix, " "), "show crypto")) {
			t.Errorf("one-way fix for strongSwan: %q", r.Fix)
		}
	}
}

// TestOneReadOneWayNeedsMoreThanOnePacket: a single read whose counters
// show one packet one way and none back is a new SA caught between a
// request and its reply, not one-way traffic; two packets with none back
// are.
func TestOneReadOneWayNeedsMoreThanOnePacket(t *testing.T) {
	for _, platform := range []string{"ios", "asa", "strongswan"} {
		for _, c := range []struct {
			encaps, decaps int64
			oneWay         string
		}{
			{1, 0, ""}, {0, 1, ""}, {2, 0, CauseOneWayOutbound}, {0, 2, CauseOneWayInbound}, {3, 0, CauseOneWayOutbound},
		} {
			peer, text := counterOutput(platform, c.encaps, c.decaps, "8BF4C2A1")
			r := Diagnose(text, Options{Peer: peer})
			isOneWay := r.Cause == CauseOneWayOutbound || r.Cause == CauseOneWayInbound
			if c.oneWay == "" && (isOneWay || r.Verdict == VerdictDown) {
				t.Errorf("%s %d/%d: %s %s (%.2f), want no one-way and not down", platform, c.encaps, c.decaps, r.Verdict, r.Cause, r.Confidence)
			}
			if c.oneWay != "" && r.Cause != c.oneWay {
				t.Errorf("%s %d/%d: %s, want %s", platform, c.encaps, c.decaps, r.Cause, c.oneWay)
			}
		}
	}
}
