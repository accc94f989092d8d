package asa

import (
	"strings"
	"testing"
)

func TestFragNeeded(t *testing.T) {
	cases := []struct {
		line, peer string
		ok         bool
	}{
		{"%ASA-6-602101: PMTU-D packet 1500 bytes greater than effective mtu 1438, dest_addr=10.1.4.20, src_addr=192.0.2.1, prot=esp, fragmentation needed and DF set", "192.0.2.1", true},
		{"%ASA-4-402119: IPSEC: Received an ESP packet: Fragmentation Needed, packet too big", "", true},
		{"%ASA-6-602101: fragment of 1600 bytes exceeds the interface MTU", "", true},
		{"%ASA-6-602101: src_addr=192.0.2.9 fragment reassembled", "", false},
		{"fragmentation needed src_addr=192.0.2.1", "", true}, // the address after the message is not its source
	}
	for _, c := range cases {
		peer, _, _, ok := fragNeeded(c.line, strings.Index(c.line, "ragment"))
		if ok != c.ok || peer != c.peer {
			t.Errorf("%q: got %q %v, want %q %v", c.line, peer, ok, c.peer, c.ok)
		}
	}
}
