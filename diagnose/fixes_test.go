package diagnose

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/tunneldoc/tunneldoc/diagnose/facts"
	"github.com/tunneldoc/tunneldoc/diagnose/redact"
)

var fixPlatforms = []facts.Vendor{pAny, pIOS, pASA, pSW, pLSW}

// TestFixesSurviveRedaction: fix texts name commands; none may look like a
// secret to the redactor, or every output path would mangle them.
func TestFixesSurviveRedaction(t *testing.T) {
	for cause := range CausePhase {
		for _, p := range fixPlatforms {
			for _, f := range append(fixFor(p, cause, "192.0.2.1"), nextFor(p, "next")) {
				if got := redact.Line(f); got != f {
					t.Errorf("%s/%s fix is changed by redaction:\n%s\n%s", p, cause, f, got)
				}
			}
			if cause != CauseUnknown && len(fixFor(p, cause, "192.0.2.1")) == 0 {
				t.Errorf("cause %s has no fix for %q", cause, p)
			}
		}
	}
}

// platformCommands are commands and keywords only one platform has. A
// fix for one platform must name none of the others'.
var platformCommands = map[facts.Vendor][]string{
	pIOS: {"show ip route", "clear crypto sa", "clear crypto isakmp", "crypto isakmp key", "ip tcp adjust-mss",
		"crypto isakmp keepalive", "debug crypto isakmp", "show crypto pki", "crypto pki enroll",
		"show crypto ipsec transform-set", "tunnel protection"},
	pASA: {"show route", "clear crypto ipsec sa", "clear crypto ikev1 sa", "tunnel-group",
		"show run crypto", "show run nat", "debug crypto ikev1", "sysopt", "crypto ikev1 enable", "packet-tracer",
		"show crypto ca", "group-policy", "isakmp keepalive threshold", "capture cap"},
	pSW: {"swanctl", "charon", "esp_proposals", "remote_addrs", "local_ts", "dpd_delay", "local_id", "remote_id",
		"ipsec statusall", "strongswan"},
	pLSW: {"ipsec auto", "ipsec whack", "pluto", "phase2alg", "ipsec trafficstatus", "ipsec showstates",
		"ipsec.secrets", "ikev2=", "rightaddresspool", "ipsec checknss", "certutil"},
}

// TestFixesSpeakThePlatform: for every platform and cause, the fix and the
// "paste next" hint name no other platform's commands.
func TestFixesSpeakThePlatform(t *testing.T) {
	for cause := range CausePhase {
		for own := range platformCommands {
			text := strings.Join(append(fixFor(own, cause, "192.0.2.1"), nextFor(own, "")), "\n")
			for other, cmds := range platformCommands {
				if other == own {
					continue
				}
				for _, c := range cmds {
					// "ipsec.secrets" is strongSwan's legacy file as well
					if own == pSW && c == "ipsec.secrets" {
						continue
					}
					if strings.Contains(text, c) {
						t.Errorf("%s fix for %s names %s's %q:\n%s", own, cause, other, c, text)
					}
				}
			}
		}
	}
}

// TestFixesFollowTheVendor: the report's fix list is the vendor's.
func TestFixesFollowTheVendor(t *testing.T) {
	cases := []struct {
		vendor facts.Vendor
		want   string
	}{
		{pIOS, "clear crypto sa peer"},
		{pASA, "clear crypto ipsec sa peer"},
		{pSW, "swanctl --initiate"},
		{pLSW, "ipsec auto --up"},
	}
	for _, c := range cases {
		got := strings.Join(fixFor(c.vendor, CauseESPProposalMismatch, "192.0.2.1"), "\n")
		if !strings.Contains(got, c.want) {
			t.Errorf("%s: esp fix lacks %q:\n%s", c.vendor, c.want, got)
		}
	}
}

// TestNextHintsSpeakThePlatform: every "paste this next" hint the rules
// write (read from rules.go), as each platform's report shows it, names
// no other platform's commands.
func TestNextHintsSpeakThePlatform(t *testing.T) {
	src, err := os.ReadFile("rules.go")
	if err != nil {
		t.Fatal(err)
	}
	hints := regexp.MustCompile(`next: *"((?:[^"\\]|\\.)*)"`).FindAllStringSubmatch(string(src), -1)
	if len(hints) < 10 {
		t.Fatalf("only %d hints found in rules.go", len(hints))
	}
	for _, h := range hints {
		for own := range platformCommands {
			text := nextFor(own, h[1])
			if got := redact.Line(text); got != text {
				t.Errorf("%s hint is changed by redaction:\n%s\n%s", own, text, got)
			}
			for other, cmds := range platformCommands {
				if other == own {
					continue
				}
				for _, c := range cmds {
					if strings.Contains(text, c) {
						t.Errorf("%s hint names %s's %q: %s", own, other, c, text)
					}
				}
			}
		}
	}
}
