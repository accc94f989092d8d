package compare

import (
	"strings"
	"testing"
)

func TestAbbreviationsSpelledOut(t *testing.T) {
	cases := []struct{ config, want string }{
		{"int Gi0/1\n ip add 10.0.0.1 255.255.255.0\n cry map VPN", "interface Gi0/1|ip address 10.0.0.1 255.255.255.0|crypto map VPN"},
		{"crypto ikev2 proposal P\nenc aes-cbc-256\nint sha256\ngr 14", "crypto ikev2 proposal P|encryption aes-cbc-256|integrity sha256|group 14"},
		{"cry isa pol 10\nencr aes\nha sha\nau pre", "crypto isakmp policy 10|encryption aes|hash sha|authentication pre-share"},
		{"cry map M 10 ipsec-isa\nset pe 1.2.3.4\nset tra TS\nmat add ACL", "crypto map M 10 ipsec-isakmp|set peer 1.2.3.4|set transform-set TS|match address ACL"},
		{"R1(config)#cry isa key k add 1.2.3.4", "crypto isakmp key k address 1.2.3.4"},
		{"cry map outside_map 10 set pe 90.1.1.1\ncry map outside_map 10 mat add ACL", "crypto map outside_map 10 set peer 90.1.1.1|crypto map outside_map 10 match address ACL"},
		// words that are keywords of their own stay as written
		{"name 10.1.1.1 hq\nobject network X\n host 10.0.0.1\ncrypto keyring K\n pre-shared-key address 1.2.3.4\n key k", "name 10.1.1.1 hq|object network X|host 10.0.0.1|crypto keyring K|pre-shared-key address 1.2.3.4|key k"},
		// an unknown command is left alone, and so is what follows it
		{"crypto pki trustpoint TP\n enr url http://x", "crypto pki trustpoint TP|enr url http://x"},
	}
	for _, c := range cases {
		var got []string
		for _, st := range stanzas(splitLines(c.config)) {
			got = append(got, st.head.text)
			for _, k := range st.kids {
				got = append(got, k.text)
			}
		}
		if g := strings.Join(got, "|"); g != c.want {
			t.Errorf("%q\n got %s\nwant %s", c.config, g, c.want)
		}
	}
}
