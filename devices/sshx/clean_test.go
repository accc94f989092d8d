package sshx

import "testing"

func TestClean(t *testing.T) {
	cases := []struct{ name, raw, want string }{
		{"crlf", "a\r\nb\r\n", "a\nb\n"},
		{"ios pager erase", "line1\r\n\b\b\b\b\b\b\b\b\b        \b\b\b\b\b\b\b\b\bline2\r\n", "line1\nline2\n"},
		{"asa pager erase", "line1\r\n\r              \rline2\r\n", "line1\nline2\n"},
		{"ansi", "\x1b[7mbold\x1b[0m\r\n", "bold\n"},
		{"empty", "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := clean(tc.raw); got != tc.want {
				t.Errorf("clean(%q) = %q, want %q", tc.raw, got, tc.want)
			}
		})
	}
}

func TestPrompts(t *testing.T) {
	for _, tc := range []struct {
		tail   string
		prompt bool
	}{
		{"HUB#", true}, {"fw-hq>", true}, {"R1(config)#", true}, {"vpn-Firewall# ", true}, {"core.sw-01/pri/act#", true},
		{"#pkts encaps: 0", false}, {"  #", false}, {"######", false}, {"Password:", false}, {"interface: Gi0/1 >", false},
	} {
		if got := anyPromptRE.MatchString(tc.tail); got != tc.prompt {
			t.Errorf("%q: prompt=%v, want %v", tc.tail, got, tc.prompt)
		}
	}
	for _, more := range []string{" --More-- ", "<--- More --->", "-- More --", "--more--"} {
		if !pagerRE.MatchString(more) {
			t.Errorf("pager %q not recognised", more)
		}
	}
}

func TestDropEcho(t *testing.T) {
	if got := dropEcho("show crypto isakmp sa\nIPv4\n", "show crypto isakmp sa"); got != "IPv4\n" {
		t.Errorf("echo kept: %q", got)
	}
	if got := dropEcho("IPv4\n", "show crypto isakmp sa"); got != "IPv4\n" {
		t.Errorf("non-echo dropped: %q", got)
	}
}
