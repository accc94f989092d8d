package diagnose

import (
	"strings"
	"testing"

	"github.com/tunneldoc/tunneldoc/diagnose/facts"
	"github.com/tunneldoc/tunneldoc/diagnose/redact"
)

// TestGatewayFixes: every gateway's fixes and "paste next" hint survive
// redaction, name none of the Cisco, strongSwan or libreswan commands,
// and are the ones a report of that gateway carries.
func TestGatewayFixes(t *testing.T) {
	for vendor, byCause := range gatewayFixes {
		next := nextFor(vendor, "Paste `show crypto ipsec sa peer 192.0.2.1`")
		if next != gatewayNext[vendor] {
			t.Errorf("%s: next hint %q, want the gateway's own", vendor, next)
		}
		for cause := range byCause {
			if _, ok := CausePhase[cause]; !ok {
				t.Errorf("%s: fix for %q, which is no cause", vendor, cause)
			}
			got := fixFor(vendor, cause, "192.0.2.1")
			if strings.Join(got, "\n") != strings.ReplaceAll(strings.Join(byCause[cause], "\n"), "<peer>", "192.0.2.1") {
				t.Errorf("%s/%s: fixFor does not give the gateway's lines:\n%s", vendor, cause, strings.Join(got, "\n"))
			}
			for _, f := range append(got, next) {
				if r := redact.Line(f); r != f {
					t.Errorf("%s/%s fix is changed by redaction:\n%s\n%s", vendor, cause, f, r)
				}
				for other, cmds := range platformCommands {
					for _, c := range cmds {
						if strings.Contains(f, c) && !ownToo[vendor][c] {
							t.Errorf("%s/%s fix names %s's %q:\n%s", vendor, cause, other, c, f)
						}
					}
				}
			}
		}
	}
}

// ownToo: commands of platformCommands that a gateway has under the same
// name.
var ownToo = map[facts.Vendor]map[string]bool{
	"junos": {"show route": true},
}

// TestGatewayReportFix: a gateway's log diagnosed end to end carries its
// own fix, not the Cisco-first generic one.
func TestGatewayReportFix(t *testing.T) {
	cases := []struct {
		vendor facts.Vendor
		text   string
		want   string
	}{
		{"junos", "srx kmd 9159 - - IKE negotiation failed with error: No proposal chosen. IKE Version: 1, VPN: v1 Gateway: g1, Local: 192.0.2.1/500, Remote: 198.51.100.2/500", "show configuration security ike proposal"},
		{"panos", "IKE phase-1 negotiation is failed as initiator, main mode. Failed SA: 192.0.2.1[500]-198.51.100.2[500] cookie:84222f276c2fa2e9:0000000000000000 due to timeout.", "test vpn ike-sa gateway"},
		{"mikrotik", "10:01:02 ipsec,error 198.51.100.2 parsing packet failed, possible cause: wrong password", "/ip ipsec identity"},
	}
	for _, c := range cases {
		rep := Diagnose(c.text, Options{})
		if rep.Vendor != string(c.vendor) || !strings.Contains(strings.Join(rep.Fix, "\n"), c.want) {
			t.Errorf("%s: vendor %q, fix %q; want %q in it", c.vendor, rep.Vendor, rep.Fix, c.want)
		}
	}
}
