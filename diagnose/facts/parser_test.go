package facts

import (
	"strings"
	"testing"
)

func TestPrefixSet(t *testing.T) {
	prefixes := []string{"ISAKMP", "IPSEC(", "%CRYPTO", "C", "Group = ", "[IKEv"}
	set := NewPrefixSet(append(prefixes, "")...)
	lines := []string{"", "I", "IS", "ISAKMP:(0)", "ISAKM", "IPSEC(x", "IPSEC:", "%CRYPTO-4", "%C", "C", "Cx", "x",
		"Group = 1", "Group =", "[IKEv1]", "[IKE", " ISAKMP", "\xff\xfe", "I\x80"}
	for _, l := range lines {
		want := false
		for _, p := range prefixes {
			want = want || strings.HasPrefix(l, p)
		}
		if got := set.Match(l); got != want {
			t.Errorf("Match(%q) = %v, want %v", l, got, want)
		}
	}
}
