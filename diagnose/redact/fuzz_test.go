package redact

import (
	"strings"
	"testing"
	"unicode"
)

// secretShapes are configuration lines that hold a secret where KEY is;
// one per rule in redact.go, in the spellings devices print.
var secretShapes = []string{
	"crypto isakmp key KEY address 40.10.1.1",
	"crypto isakmp key 6 KEY address 10.0.0.1",
	" crypto isakmp key 0 KEY hostname peer.example",
	" pre-shared-key address 40.10.1.1 key KEY",
	" pre-shared-key address 40.10.0.0 255.255.0.0 key 6 KEY",
	"key KEY",
	"  key-string KEY",
	"  pre-shared-key local 6 KEY",
	"  pre-shared-key KEY",
	" ikev1 pre-shared-key KEY",
	" ikev1 pre-shared-key 8 KEY",
	" ikev2 local-authentication pre-shared-key KEY",
	" ikev2 remote-authentication pre-shared-key 0 KEY",
	" key 7 KEY",
	"tacacs-server key KEY",
	"radius-server host 10.1.1.1 key 7 KEY",
	" ip ospf authentication-key 7 KEY",
	"username admin privilege 15 password 0 KEY",
	"username bob secret 9 KEY",
	"enable secret 5 KEY",
	"enable password KEY",
	"enable secret level 15 5 KEY",
	"passwd KEY encrypted",
	" password 7 KEY",
	"ip ftp password KEY",
	"user=bob password=KEY realm=corp",
	"password: KEY",
	"snmp-server community KEY RO",
	"snmp-server host 10.1.1.9 version 2c KEY",
	"    secret = KEY",
	`10.1.1.1 10.2.2.2 : PSK "KEY"`,
	`: PSK KEY`,
	" authentication local pre-share key KEY",
	" authentication remote pre-share key 6 KEY",
	`: XAUTH "KEY"`,
	`user : EAP KEY`,
	" pre-shared-key hex KEY",
	"snmp-server host inside 10.1.1.1 community KEY version 2c",
	"snmp-server user U G v3 auth sha KEY priv aes 128 x",
	"isakmp key KEY address 10.1.1.1 netmask 255.255.255.255",
	" ip ospf message-digest-key 1 md5 KEY",
	" standby 1 authentication md5 key-string KEY",
	" ppk manual id PPK1 key KEY",
	"aaa-server RAD (inside) host 10.1.1.1 key KEY",
	"pre\\-shared\\-key address 10.1.1.1 key KEY",
	"crypto isakmp key\u00a0KEY address 10.1.1.1",
	"\x1b[1;31mcrypto isakmp key KEY\x1b[0m address 10.1.1.1",
	"    set psksecret ENC KEY",
	"set network ike gateway G authentication pre-shared-key key KEY",
	"/ip ipsec identity add peer=p secret=KEY",
	`    pre-shared-key ascii-text "KEY"; ## SECRET-DATA`,
	"HUB(config-keyring)#pre-shared-key address 10.1.1.1 key KEY",
}

// FuzzSecretShapes: a key of any spelling written into any secret-bearing
// line never comes out of Line or Text. The key is one token as devices
// print it: no spaces, no quote, at least four characters; it may start
// with "<" (only the mask itself is left alone).
func FuzzSecretShapes(f *testing.F) {
	for i, k := range []string{"cisco123", "FLgBaJHXdYY_AcHZZMgQ_RhTDJXHUBAAB", "Abc$def", "0822455D0A16", "$9$abcdefghijk", "key7key", "address", "R3m0te!", "a\\b\"c", "ünï©ødé"} {
		f.Add(k, uint8(i))
	}
	f.Fuzz(func(t *testing.T, key string, shape uint8) {
		if len(key) < 4 || strings.ContainsAny(key, `"`) {
			return
		}
		for _, r := range key {
			if unicode.IsSpace(r) || r == unicode.ReplacementChar || !unicode.IsPrint(r) {
				return
			}
		}
		s := secretShapes[int(shape)%len(secretShapes)]
		if strings.Contains(strings.ToLower(s), strings.ToLower(key)) || strings.Contains(Mask, key) {
			return // the key is part of the line's own words
		}
		in := strings.Replace(s, "KEY", key, 1)
		if i := strings.IndexByte(key, '`'); i >= 0 && len(key)-i <= 2 && strings.Trim(key[i+1:], ".,;:") == "" && alreadyMasked(key[:i]) {
			return // "KEY`,": a placeholder closing inline code
		}
		if inner := strings.TrimRight(strings.TrimPrefix(key, "`"), ".,;:"); strings.HasPrefix(key, "`") && strings.HasSuffix(inner, "`") && alreadyMasked(strings.TrimSuffix(inner, "`")) {
			return // "`X`,": a placeholder in inline code
		}
		if strings.Trim(key, `*\`) == "" {
			return // stars, markdown-escaped or not: a value already masked
		}
		if strings.Contains(key, "**") {
			return // markdown bold: a chat shows "**x**" as x, and so reads it
		}
		for i := range key {
			if key[i] == '[' && isCSIDebris(key, i) {
				return // "[0m": a colour code whose ESC was lost, which the cleaned copy drops
			}
		}
		if placeholder(key, 0) || alreadyMasked(key) {
			return // "<the key>": what docs write instead of a key
		}
		if out := Line(in); strings.Contains(out, key) {
			t.Fatalf("key %q survived: %q -> %q", key, in, out)
		}
		if out := Text("!\n" + in + "\r\n!"); strings.Contains(out, key) {
			t.Fatalf("key %q survived Text: %q -> %q", key, in, out)
		}
	})
}
