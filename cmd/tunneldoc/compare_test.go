package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestCompareCLI(t *testing.T) {
	td := "../../diagnose/compare/testdata/"
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{td + "ios-ios-psk/a.cfg", td + "ios-ios-psk/b.cfg"}, 0, "psk_mismatch"},
		{[]string{"--json", td + "ios-ios-psk/a.cfg", td + "ios-ios-psk/b.cfg"}, 0, `"cause": "psk_mismatch"`},
		{[]string{td + "ios-ios-map-not-applied/a.cfg", td + "ios-ios-map-not-applied/b.cfg", "--b-addr", "40.10.1.1", "--json"}, 0, "no_interesting_traffic"},
		{[]string{td + "ios-ios-psk/a.cfg"}, 2, ""},
		{[]string{td + "ios-ios-psk/a.cfg", "../../go.mod"}, 1, "unknown"},
		{[]string{td + "ios-ios-psk/a.cfg", "/nonexistent"}, 2, ""},
		{[]string{"--a-addr", "x", td + "ios-ios-psk/a.cfg", td + "ios-ios-psk/b.cfg"}, 2, ""},
	}
	for _, c := range cases {
		var out, errb bytes.Buffer
		code := runCompare(context.Background(), c.args, strings.NewReader(""), &out, &errb)
		t.Logf("%v -> %d\n%s%s", c.args, code, out.String(), errb.String())
		if code != c.code || !strings.Contains(out.String(), c.want) {
			t.Errorf("%v: code %d out %q", c.args, code, out.String())
		}
		for _, k := range []string{"cisco123", " cisco\n", "key cisco"} {
			if strings.Contains(out.String(), k) {
				t.Errorf("leak %q", k)
			}
		}
	}
}
