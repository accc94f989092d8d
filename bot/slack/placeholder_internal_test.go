package slack

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestPastePlaceholderNamesEachPlatform: the diagnose dialog's paste
// field names each platform's first command beside the platform, the
// ones the diagnosis asks for when it knows the platform, within Slack's
// 150 characters.
func TestPastePlaceholderNamesEachPlatform(t *testing.T) {
	p := pastePlaceholder()
	for _, want := range []string{"IOS/ASA show crypto isakmp sa", "strongSwan swanctl --list-sas", "libreswan ipsec status"} {
		if !strings.Contains(p, want) {
			t.Errorf("placeholder %q lacks %q", p, want)
		}
	}
	if n := utf8.RuneCountInString(p); n > maxPlaceholderChars || strings.HasSuffix(p, "…") {
		t.Errorf("placeholder of %d characters (cut: %v): %q", n, strings.HasSuffix(p, "…"), p)
	}
	t.Logf("placeholder: %s", p)
	b, err := json.Marshal(diagnoseModal("C1"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "libreswan ipsec status") {
		t.Errorf("the dialog does not carry the placeholder: %s", b)
	}
}
