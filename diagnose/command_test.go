package diagnose

import "testing"

func TestExpandCommand(t *testing.T) {
	cases := map[string]string{
		"sh cry isa sa":                      "show crypto isakmp sa",
		"sh crypto isakmp sa | b 90.1.1.1":   "show crypto isakmp sa",
		"sh cry ips sa peer 40.10.1.1 de":    "show crypto ipsec sa peer 40.10.1.1 detail",
		"show crypto ipsec sa peer 90.1.1.1": "show crypto ipsec sa peer 90.1.1.1",
		"sh cry ses remote 40.10.1.1 detail": "show crypto session remote 40.10.1.1 detail",
		"sh vpn-sessiondb detail l2l":        "show vpn-sessiondb detail l2l",
		"sh ip route 4.1.1.1":                "show ip route 4.1.1.1",
		"sh ip cef 4.1.1.1":                  "show ip cef 4.1.1.1",
		"sh access-list SPOKE-10-ACL":        "show access-lists SPOKE-10-ACL",
		"debug crypto isakmp":                "debug crypto isakmp",
		"deb cry isa":                        "debug crypto isakmp",
		"sh cry isakmp peer de":              "show crypto isakmp peer detail",
		"ping 40.10.10.1":                    "ping 40.10.10.1",
		"swanctl --list-sas":                 "swanctl --list-sas",
	}
	for in, want := range cases {
		if got := expandCommand(in); got != want {
			t.Errorf("expandCommand(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParsePrompt(t *testing.T) {
	cases := []struct {
		line, host, cmd string
		ok              bool
	}{
		{"HUB# sh crypto isakmp sa", "HUB", "show crypto isakmp sa", true},
		{"vpn-Firewall# sh crypto ipsec sa peer 90.1.1.1", "vpn-Firewall", "show crypto ipsec sa peer 90.1.1.1", true},
		{"R100#show cry isa sa", "R100", "show crypto isakmp sa", true},
		{"fw-hq/pri/act> show crypto isakmp sa", "fw-hq/pri/act", "show crypto isakmp sa", true},
		{"root@gw:~# swanctl --list-sas", "root@gw:~", "swanctl --list-sas", true},
		{"$ sudo swanctl --list-sas", "", "swanctl --list-sas", true},
		{"HUB#", "HUB", "", true},
		{"Router(config)# crypto ca enroll caserver", "Router", "crypto ca enroll caserver", true},
		{"      #pkts encaps: 294486, #pkts encrypt: 294485", "", "", false},
		{"##pkts replay failed (rcv): 1000", "", "", false},
		{"ISAKMP:(0:1:SW:1):Old State = IKE_R_MM2 New State = IKE_R_MM3", "", "", false},
		{"Codes: C - IKE configuration mode, D - Dead Peer Detection", "", "", false},
		{"% Network not in table", "", "", false},
	}
	for _, c := range cases {
		host, cmd, ok := parsePrompt(c.line)
		if ok != c.ok || host != c.host || cmd != c.cmd {
			t.Errorf("parsePrompt(%q) = %q, %q, %v; want %q, %q, %v", c.line, host, cmd, ok, c.host, c.cmd, c.ok)
		}
	}
}

func TestCleanLine(t *testing.T) {
	cases := map[string]string{
		"*Feb  1 21:44:23.315: ISAKMP:(0):Old State = IKE_I_MM2 New State = IKE_I_MM3": "ISAKMP:(0):Old State = IKE_I_MM2 New State = IKE_I_MM3",
		"*Mar 1 05:06:03.199: ISAKMP (0:134217730): received packet":                   "ISAKMP (0:134217730): received packet",
		"000123: *Mar  1 05:06:03.199 UTC: %CRYPTO-6-ISAKMP_ON_OFF: ISAKMP is ON":      "%CRYPTO-6-ISAKMP_ON_OFF: ISAKMP is ON",
		"00:44:00:CRYPTO_PKI:Sending CA Certificate Request:":                          "CRYPTO_PKI:Sending CA Certificate Request:",
		"MM\\_WAIT\\_MSG2 : Initial DH public key sent":                                "MM_WAIT_MSG2 : Initial DH public key sent",
		"**#pkts encaps: 0, #pkts encrypt: 0, #pkts digest: 0**":                       "#pkts encaps: 0, #pkts encrypt: 0, #pkts digest: 0",
		"current\\_peer 40.10.1.1 port 500":                                            "current_peer 40.10.1.1 port 500",
		"30.3.1.1\t40.10.1.1\tMM_NO_STATE\t0\t0\tACTIVE (deleted)":                     "30.3.1.1    40.10.1.1    MM_NO_STATE    0    0    ACTIVE (deleted)",
		"Nov 23 2026 10:00:01: %ASA-5-713904: IP = 90.1.1.1, Received":                 "%ASA-5-713904: IP = 90.1.1.1, Received",
		"2026-11-23T20:01:02+00:00 09[IKE] giving up after 5 retransmits":              "09[IKE] giving up after 5 retransmits",
		"      #pkts decaps: 306851, #pkts decrypt: 306851":                            "      #pkts decaps: 306851, #pkts decrypt: 306851",
	}
	for in, want := range cases {
		if got, _ := cleanLine(in); got != want {
			t.Errorf("cleanLine(%q)\n got %q\nwant %q", in, got, want)
		}
	}
	if _, fence := cleanLine("```"); !fence {
		t.Error("``` not a fence")
	}
}
