package ios

import "testing"

func TestPacketAndStateReaders(t *testing.T) {
	cases := []struct {
		line, anchor        string
		read                func(string, int) (string, string, string, bool)
		peer, state, detail string
		ok                  bool
	}{
		{"ISAKMP:(1010): sending packet to 203.0.113.80 my_port 4500 peer_port 4500 (I) MM_KEY_EXCH", "sending packet to", packetLine, "203.0.113.80", "MM_KEY_EXCH", "4500", true},
		{"ISAKMP (0:134217729): received packet from 192.1.1.42 dport 500 sport 500 Global (R) MM_KEY_EXCH", "received packet from", packetLine, "192.1.1.42", "MM_KEY_EXCH", "", true},
		{"ISAKMP (0): received packet from 1.1.1.102 dport 500 sport 500 Global (N) NEW SA", "received packet from", packetLine, "1.1.1.102", "NEW", "", true},
		{"ISAKMP (0:2): sending packet to 10.15.58.38 (I) MM_NO_STATE", "sending packet to", packetLine, "10.15.58.38", "MM_NO_STATE", "", true},
		{"ISAKMP:(0): sending packet to my_port 500", "sending packet to", packetLine, "", "", "", false},
		{"ISAKMP:(0:1:SW:1):Old State = IKE_R_MM2 New State = IKE_R_MM3", "New State", newState, "", "IKE_R_MM3", "", true},
		{"ISAKMP:(0:1:SW:1):Old State = IKE_QM_R_QM2 New State = IKE_QM_ PHASE2_COMPLETE", "New State", newState, "", "IKE_QM_PHASE2_COMPLETE", "", true},
		{"New State =", "New State", newState, "", "", "", false},
		{"%PKI-3-CERTIFICATE_INVALID_EXPIRED: Certificate chain validation has failed.  The certificate (SN: 5A0F3C1E) has expired.", "expired", certExpired, "", "", "", true},
		{"CRYPTO_PKI: certificate is expired", "expired", certExpired, "", "", "", true},
		{"ISAKMP: password expired for user bob", "expired", certExpired, "", "", "", false},
		{"the lease expired before the certificate was checked", "expired", certExpired, "", "", "", false},
	}
	for _, c := range cases {
		at := indexOf(c.line, c.anchor)
		peer, state, detail, ok := c.read(c.line, at)
		if ok != c.ok || peer != c.peer || state != c.state || detail != c.detail {
			t.Errorf("%q: got %q %q %q %v", c.line, peer, state, detail, ok)
		}
	}
}

func indexOf(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}
