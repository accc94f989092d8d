package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestConsoleCompareTwoConfigs: `compare` with both ends' configs pasted
// as two code blocks names the key mismatch without printing either key.
func TestConsoleCompareTwoConfigs(t *testing.T) {
	hub := "hostname HUB\ncrypto isakmp policy 10\n encr aes\n authentication pre-share\n group 2\ncrypto keyring SPOKES\n pre-shared-key address 40.10.1.1 key HubKey-7781\ncrypto ipsec transform-set TS esp-aes esp-sha-hmac\ncrypto map CMAP 10 ipsec-isakmp\n set peer 40.10.1.1\n set transform-set TS\n match address SPOKE10-ACL\ninterface GigabitEthernet0/1\n ip address 30.3.1.1 255.255.255.0\n crypto map CMAP\nip access-list extended SPOKE10-ACL\n permit ip 3.1.1.0 0.0.0.255 4.1.1.0 0.0.0.255\n"
	spoke := "hostname SPOKE\ncrypto isakmp policy 10\n encr aes\n authentication pre-share\n group 2\ncrypto keyring HUB\n pre-shared-key address 30.3.1.1 key SpokeKey-9902\ncrypto ipsec transform-set TS esp-aes esp-sha-hmac\ncrypto map CMAP 10 ipsec-isakmp\n set peer 30.3.1.1\n set transform-set TS\n match address HUB-ACL\ninterface GigabitEthernet0/1\n ip address 40.10.1.1 255.255.255.0\n crypto map CMAP\nip access-list extended HUB-ACL\n permit ip 4.1.1.0 0.0.0.255 3.1.1.0 0.0.0.255\n"
	in := "compare\n```\n" + hub + "```\n```\n" + spoke + "```\n.\nquit\n"
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"console"}, func(string) string { return "" }, strings.NewReader(in), &out, &errb)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if !strings.Contains(out.String(), "psk_mismatch") {
		t.Fatalf("no psk_mismatch in:\n%s", out.String())
	}
	for _, key := range []string{"HubKey-7781", "SpokeKey-9902"} {
		if strings.Contains(out.String(), key) || strings.Contains(errb.String(), key) {
			t.Fatalf("key %s leaked", key)
		}
	}
}

// TestConsoleCompareRealConfigs: in-chat `compare` of two ASA
// running-configs, and of two legacy ipsec.conf files, each in its own
// code fence, finds the case's cause; the key comparison never shows a
// key's length.
func TestConsoleCompareRealConfigs(t *testing.T) {
	for _, name := range []string{"asa-asa-esp", "swan-legacy-psk", "asa-asa-ikev2-psk"} {
		dir := filepath.Join("..", "..", "diagnose", "compare", "testdata", name)
		a, err1 := os.ReadFile(filepath.Join(dir, "a.cfg"))
		b, err2 := os.ReadFile(filepath.Join(dir, "b.cfg"))
		want, err3 := os.ReadFile(filepath.Join(dir, "expect.json"))
		if err1 != nil || err2 != nil || err3 != nil {
			t.Fatal(err1, err2, err3)
		}
		var expect struct{ Cause string }
		if err := json.Unmarshal(want, &expect); err != nil {
			t.Fatal(err)
		}
		in := "compare\n```\n" + string(a) + "```\n```\n" + string(b) + "```\n.\nquit\n"
		var out, errb bytes.Buffer
		if code := run(context.Background(), []string{"console"}, func(string) string { return "" }, strings.NewReader(in), &out, &errb); code != 0 {
			t.Fatalf("%s: exit %d: %s", name, code, errb.String())
		}
		if !strings.Contains(out.String(), expect.Cause) {
			t.Errorf("%s: no %s in:\n%s", name, expect.Cause, out.String())
		}
		if strings.Contains(out.String(), "length") {
			t.Errorf("%s: the comparison shows key lengths:\n%s", name, out.String())
		}
	}
}
