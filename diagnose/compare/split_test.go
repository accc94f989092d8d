package compare

import (
	"strings"
	"testing"
)

func TestSplitPair(t *testing.T) {
	var hub, spoke string
	for _, c := range loadCases(t) {
		if c.name == "ios-ios-psk" {
			hub, spoke = c.a, c.b
		}
	}
	if hub == "" {
		t.Fatal("case ios-ios-psk missing")
	}
	cases := []struct {
		name string
		text string
		ok   bool
	}{
		{"two fenced blocks", "compare\n```\n" + hub + "```\nand\n```text\n" + spoke + "```\n", true},
		{"back to back", hub + spoke, true},
		{"one config", hub, false},
		{"a config and a show", "```\n" + hub + "```\n```\nHUB#show crypto isakmp sa\n```\n", false},
		{"empty", "", false},
	}
	for _, c := range cases {
		a, b, ok := SplitPair(c.text)
		if ok != c.ok {
			t.Errorf("%s: ok = %v", c.name, ok)
			continue
		}
		if !ok {
			continue
		}
		if !strings.Contains(a, "hostname HUB") || !strings.Contains(b, "hostname SPOKE") {
			t.Errorf("%s: split wrong:\nA=%q\nB=%q", c.name, a, b)
		}
		r := Configs(Input{Text: a}, Input{Text: b}, Options{})
		if r.Cause != "psk_mismatch" {
			t.Errorf("%s: cause %s", c.name, r.Cause)
		}
	}
}

// TestSplitPairUnfenced: two configs pasted back to back, with no fences
// left (the bot strips them first), split where the second one begins: an
// ASA running-config at its ": Saved"/"ASA Version" header before its own
// hostname, a legacy ipsec.conf at its comment and config setup; each
// half compares to the case's cause.
func TestSplitPairUnfenced(t *testing.T) {
	for _, name := range []string{"asa-asa-esp", "asa-asa-version", "swan-legacy-psk", "ios-asa-esp"} {
		var c *tcase
		for _, x := range loadCases(t) {
			if x.name == name {
				c = &x
			}
		}
		if c == nil {
			t.Fatalf("case %s missing", name)
		}
		a, b, ok := SplitPair(c.a + "\n" + c.b)
		if !ok {
			t.Errorf("%s: not split", name)
			continue
		}
		// Only lines that head a config may change sides.
		if !strings.Contains(c.a, strings.TrimSpace(a)) || !strings.Contains(b, strings.TrimSpace(c.b)) {
			t.Errorf("%s: split in the wrong place:\nB starts %.120q", name, b)
			continue
		}
		if r := Configs(Input{Text: a}, Input{Text: b}, Options{}); r.Cause != c.expect.Cause {
			t.Errorf("%s: cause %s, want %s", name, r.Cause, c.expect.Cause)
		}
	}
}
