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
