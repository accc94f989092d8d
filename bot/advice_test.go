package bot

import (
	"strings"
	"testing"

	"github.com/tunneldoc/tunneldoc/diagnose"
)

// TestNoStateAdviceInThePlatformsCLI: a report that read no tunnel state
// asks for more in its own platform's commands; where the platform is
// not known (no inventory, a check that failed) each platform's commands
// are named with the platform beside them.
func TestNoStateAdviceInThePlatformsCLI(t *testing.T) {
	cases := []struct {
		vendor    string
		want, not []string
	}{
		{"strongswan", []string{"swanctl --list-sas", "charon"}, []string{"crypto", "pluto"}},
		{"libreswan", []string{"ipsec status", "pluto"}, []string{"crypto", "swanctl"}},
		{"asa", []string{"show crypto ipsec sa peer", "debug crypto ikev1 127"}, []string{"swanctl", "`debug crypto isakmp`"}},
		{"junos", []string{"show security ike security-associations"}, []string{"crypto", "swanctl"}},
	}
	for _, c := range cases {
		out := Render(diagnose.Report{Vendor: c.vendor, Phase: diagnose.PhaseUnknown, Cause: diagnose.CauseUnknown}, ReplyContext{})
		got := out.Reply.Plain()
		for _, w := range c.want {
			if !strings.Contains(got, w) {
				t.Errorf("%q: reply lacks %q:\n%s", c.vendor, w, got)
			}
		}
		for _, w := range c.not {
			if strings.Contains(got, w) {
				t.Errorf("%q: reply names %q:\n%s", c.vendor, w, got)
			}
		}
	}
	hint := pasteHint("90.1.1.1")
	for _, w := range []string{"IOS", "ASA", "strongSwan", "libreswan", "show crypto ipsec sa peer 90.1.1.1", "swanctl --list-sas", "ipsec status"} {
		if !strings.Contains(hint, w) {
			t.Errorf("the hint for an unknown platform lacks %q: %s", w, hint)
		}
	}
}
