package redact

import (
	"strings"
	"testing"

	"github.com/tunneldoc/tunneldoc/diagnose/redact/redacttest"
)

func TestLine(t *testing.T) {
	cases := []struct {
		name, in, secret string
	}{
		{"isakmp key", "crypto isakmp key cisco123 address 40.10.1.1", "cisco123"},
		{"isakmp key type 6", "crypto isakmp key 6 FLgBaJHXdYY_AcHZZMgQ_RhTDJXHUBAAB address 10.0.0.1", "FLgBaJHXdYY_AcHZZMgQ_RhTDJXHUBAAB"},
		{"isakmp key type 0", " crypto isakmp key 0 s3cr3t hostname peer.example", "s3cr3t"},
		{"keyring", " pre-shared-key address 40.10.1.1 key cisco", "cisco"},
		{"keyring mask", " pre-shared-key address 40.10.0.0 255.255.0.0 key 6 Abc$def", "Abc$def"},
		{"keyring wrapped key line", "key cisco123", "cisco123"},
		{"ikev2 keyring", "  pre-shared-key local 6 LocalKey99", "LocalKey99"},
		{"ikev2 keyring plain", "  pre-shared-key R3m0te!", "R3m0te!"},
		{"asa ikev1", " ikev1 pre-shared-key verysecret", "verysecret"},
		{"asa ikev1 type 8", " ikev1 pre-shared-key 8 XyZ123encoded", "XyZ123encoded"},
		{"asa ikev2 local", " ikev2 local-authentication pre-shared-key LocKey", "LocKey"},
		{"asa ikev2 remote", " ikev2 remote-authentication pre-shared-key 0 RemKey", "RemKey"},
		{"key 7", " key 7 0822455D0A16", "0822455D0A16"},
		{"username password", "username admin privilege 15 password 0 Adm1nPw", "Adm1nPw"},
		{"username secret", "username bob secret 9 $9$abcdefghijk", "$9$abcdefghijk"},
		{"enable secret", "enable secret 5 $1$abcd$efghijkl", "$1$abcd$efghijkl"},
		{"enable password", "enable password En4ble", "En4ble"},
		{"snmp community", "snmp-server community PubL1c RO", "PubL1c"},
		{"tacacs key", "tacacs-server key T4cacs", "T4cacs"},
		{"strongswan secret", "    secret = 0sFpZAZqEN6Ti9sqt4ZP5EWcqx", "0sFpZAZqEN6Ti9sqt4ZP5EWcqx"},
		{"ipsec.secrets", `10.1.1.1 10.2.2.2 : PSK "my shared secret"`, "my shared secret"},
		{"asa passwd", "passwd 2KFQnbNIdI.2KYOU encrypted", "2KFQnbNIdI.2KYOU"},
		{"line vty password", " password 7 0822455D0A16", "0822455D0A16"},
		{"ftp password", "ip ftp password Ftp5ecret", "Ftp5ecret"},
		{"key-value password", "user=bob password=Hunter22 realm=corp", "Hunter22"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Line(c.in)
			if strings.Contains(got, c.secret) {
				t.Fatalf("secret survived: %q -> %q", c.in, got)
			}
			if !strings.Contains(got, Mask) {
				t.Fatalf("no mask in %q", got)
			}
		})
	}
}

func TestLineLeavesDeviceOutputAlone(t *testing.T) {
	for _, l := range []string{
		"ISAKMP:(0:1:SW:1):found peer pre-shared key matching 192.1.1.42",
		"ISAKMP:(0:0:N/A:0):Looking for a matching key for 192.1.1.42 in default",
		"   #pkts encaps: 294486, #pkts encrypt: 294485, #pkts digest: 294485",
		"authentication method: Pre-Shared Key",
		"IPv4 Crypto ISAKMP SA",
		"Check the user name and password the client sends",
		"Password:",
	} {
		if got := Line(l); got != l {
			t.Errorf("changed %q -> %q", l, got)
		}
	}
}

func TestText(t *testing.T) {
	in := "crypto keyring SPOKES\n pre-shared-key address 40.10.1.1\n key cisco\n!\ncrypto isakmp key abc address 1.1.1.1\n"
	out := Text(in)
	for _, s := range []string{"cisco\n", "abc"} {
		if strings.Contains(out, s) {
			t.Errorf("secret %q survived in %q", s, out)
		}
	}
	if strings.Count(out, "\n") != strings.Count(in, "\n") {
		t.Errorf("line count changed")
	}
}

func FuzzLine(f *testing.F) {
	f.Add("crypto isakmp key 6 abc address 1.1.1.1")
	f.Add("username a password b")
	for _, sh := range redacttest.Shapes {
		f.Add(sh.Line)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := Line(s)
		if strings.Count(out, "\n") != strings.Count(s, "\n") {
			t.Fatalf("newlines changed")
		}
		// the word filters skip nothing the regexps would find
		everyRule = true
		all := Line(s)
		everyRule = false
		if all != out {
			t.Fatalf("word filter changes %q: %q, without it %q", s, out, all)
		}
		if again := Line(out); again != out {
			t.Fatalf("not idempotent: %q -> %q -> %q", s, out, again)
		}
	})
}

// The word filters in front of the regexps must not skip a secret the
// regexps would find: (?i) folds the Kelvin sign to "k" and the long s to "s".
func TestNonASCIIFoldsStillRedacted(t *testing.T) {
	for _, in := range []string{
		"crypto isakmp \u212Aey s3cr3tKelvin address 1.1.1.1",
		"username admin pa\u017Fsword s3cr3tLongS2",
	} {
		out := Line(in)
		if strings.Contains(out, "s3cr3t") {
			t.Errorf("Line(%q) = %q: secret left", in, out)
		}
	}
}

// Keys that start with "<" or hold spaces where the device takes the rest
// of the line as the key (both were once left in place).
func TestAwkwardKeys(t *testing.T) {
	for _, c := range []struct{ in, secret string }{
		{"  key-string my secret phrase", "secret phrase"},
		{" pre-shared-key address 40.10.1.1 key two words", "two words"},
		{"  pre-shared-key <angle>key", "<angle>key"},
		{" password 7 <0822455D>", "<0822455D>"},
		{"ip ftp password <ftp>pw", "<ftp>pw"},
		{"user=bob password=<kv>pw realm=corp", "<kv>pw"},
		{"password: <colon>pw", "<colon>pw"},
	} {
		if out := Line(c.in); strings.Contains(out, c.secret) {
			t.Errorf("Line(%q) = %q: secret left", c.in, out)
		}
	}
	// the mask itself is never masked again
	if out := Line(" password 7 " + Mask); out != " password 7 "+Mask {
		t.Errorf("mask rewritten: %q", out)
	}
}
