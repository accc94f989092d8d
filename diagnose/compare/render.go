package compare

import (
	"fmt"
	"slices"
	"strings"
)

// The fix for a proposal mismatch is most useful written out: the other
// side's proposal in this side's syntax, ready to paste. These tables turn
// the canonical algorithm names back into each platform's words.

var iosIKEv1Encr = map[string]string{"des": "des", "3des": "3des", "aes128": "aes", "aes192": "aes 192", "aes256": "aes 256"}
var asaIKEv1Encr = map[string]string{"des": "des", "3des": "3des", "aes128": "aes", "aes192": "aes-192", "aes256": "aes-256"}
var iosIKEv2Encr = map[string]string{"des": "des", "3des": "3des", "aes128": "aes-cbc-128", "aes192": "aes-cbc-192", "aes256": "aes-cbc-256",
	"aes128gcm": "aes-gcm-128", "aes256gcm": "aes-gcm-256"}
var asaIKEv2Encr = map[string]string{"des": "des", "3des": "3des", "aes128": "aes", "aes192": "aes-192", "aes256": "aes-256",
	"aes128gcm": "aes-gcm", "aes192gcm": "aes-gcm-192", "aes256gcm": "aes-gcm-256"}
var ciscoHash = map[string]string{"md5": "md5", "sha1": "sha", "sha256": "sha256", "sha384": "sha384", "sha512": "sha512"}
var iosESPEncr = map[string]string{"des": "esp-des", "3des": "esp-3des", "aes128": "esp-aes", "aes192": "esp-aes 192", "aes256": "esp-aes 256",
	"aes128gcm": "esp-gcm", "aes256gcm": "esp-gcm 256", "null": "esp-null"}
var asaESPEncr = map[string]string{"des": "esp-des", "3des": "esp-3des", "aes128": "esp-aes", "aes192": "esp-aes-192", "aes256": "esp-aes-256", "null": "esp-null"}
var iosESPInteg = map[string]string{"md5": "esp-md5-hmac", "sha1": "esp-sha-hmac", "sha256": "esp-sha256-hmac", "sha384": "esp-sha384-hmac", "sha512": "esp-sha512-hmac"}
var asaESPInteg = map[string]string{"md5": "esp-md5-hmac", "sha1": "esp-sha-hmac", "sha256": "esp-sha-256-hmac", "sha384": "esp-sha-384-hmac", "sha512": "esp-sha-512-hmac"}
var asaV2Integ = map[string]string{"md5": "md5", "sha1": "sha-1", "sha256": "sha-256", "sha384": "sha-384", "sha512": "sha-512"}

var swanGroupNames = func() map[string]string {
	out := map[string]string{}
	for name, n := range swanGroups {
		if cur, ok := out[n]; !ok || len(name) < len(cur) || (len(name) == len(cur) && name < cur) {
			out[n] = name
		}
	}
	out["31"] = "curve25519"
	return out
}()

func word(m map[string]string, v string) string {
	if w, ok := m[v]; ok {
		return w
	}
	return v
}

func words(m map[string]string, vs []string) string {
	var out []string
	for _, v := range vs {
		out = append(out, word(m, v))
	}
	return strings.Join(out, " ")
}

func swanAlgos(p proposal, groups []string) string {
	var parts []string
	for _, e := range p.encr {
		if isAEAD(e) {
			e += "16"
		}
		parts = append(parts, e)
	}
	parts = append(parts, p.integ...)
	for _, g := range groups {
		parts = append(parts, word(swanGroupNames, g))
	}
	return strings.Join(parts, "-")
}

// ikeConfig writes p as an IKE policy/proposal in d's syntax.
func ikeConfig(d *device, p proposal, v int) string {
	first := func(s []string) string {
		if len(s) == 0 {
			return ""
		}
		return s[0]
	}
	switch {
	case d.vendor == "strongswan" && d.legacy:
		return "ike=" + swanAlgos(p, p.groups)
	case d.vendor == "strongswan":
		return "proposals = " + swanAlgos(p, p.groups)
	case v == 1 && d.vendor == "asa":
		return fmt.Sprintf("crypto ikev1 policy 5\n authentication pre-share\n encryption %s\n hash %s\n group %s",
			word(asaIKEv1Encr, first(p.encr)), word(ciscoHash, first(p.integ)), first(p.groups))
	case v == 1:
		return fmt.Sprintf("crypto isakmp policy 5\n encr %s\n hash %s\n authentication pre-share\n group %s",
			word(iosIKEv1Encr, first(p.encr)), word(ciscoHash, first(p.integ)), first(p.groups))
	case d.vendor == "asa":
		return fmt.Sprintf("crypto ikev2 policy 5\n encryption %s\n integrity %s\n group %s\n prf %s",
			words(asaIKEv2Encr, p.encr), words(ciscoHash, p.integ), strings.Join(p.groups, " "), words(ciscoHash, p.integ))
	}
	s := fmt.Sprintf("crypto ikev2 proposal MATCH-PEER\n encryption %s\n", words(iosIKEv2Encr, p.encr))
	if len(p.integ) > 0 {
		s += " integrity " + strings.Join(p.integ, " ") + "\n"
	}
	return s + " group " + strings.Join(p.groups, " ") + "\n(and name it in the crypto ikev2 policy)"
}

// espConfig writes p as a transform set / ESP proposal in d's syntax.
func espConfig(d *device, t *tunnel, p proposal) string {
	switch {
	case d.vendor == "strongswan" && d.legacy:
		return "esp=" + swanAlgos(p, t.pfs) + "\n(in " + t.name + ")"
	case d.vendor == "strongswan":
		return "esp_proposals = " + swanAlgos(p, t.pfs)
	case d.vendor == "asa" && len(t.versions) == 1 && t.versions[0] == 2:
		return fmt.Sprintf("crypto ipsec ikev2 ipsec-proposal MATCH-PEER\n protocol esp encryption %s\n protocol esp integrity %s\n%s set ikev2 ipsec-proposal MATCH-PEER",
			words(asaIKEv2Encr, p.encr), orNull(words(asaV2Integ, p.integ)), t.name)
	case d.vendor == "asa":
		return fmt.Sprintf("crypto ipsec ikev1 transform-set MATCH-PEER %s %s\n%s set ikev1 transform-set MATCH-PEER",
			words(asaESPEncr, p.encr[:1]), words(asaESPInteg, p.integ), t.name)
	}
	return strings.TrimSpace(fmt.Sprintf("crypto ipsec transform-set MATCH-PEER %s %s", words(iosESPEncr, p.encr[:1]), words(iosESPInteg, p.integ))) +
		"\n mode tunnel\n(and add it to " + t.name + ")"
}

func orNull(s string) string {
	if s == "" {
		return "null"
	}
	return s
}

// oneOf: a daemon's default set offers dozens of algorithms; the fix for
// the other side names one widely supported choice from it (AES-256,
// SHA-256, group 14 where the set has them) rather than all of them.
func oneOf(p proposal) proposal {
	if !strings.Contains(p.name, "default") {
		return p
	}
	pick := func(s []string, want string) []string {
		if len(s) == 0 || slices.Contains(s, want) {
			if len(s) == 0 {
				return nil
			}
			return []string{want}
		}
		return s[:1]
	}
	p = p.clone()
	p.encr, p.integ, p.groups = pick(p.encr, "aes256"), pick(p.integ, "sha256"), pick(p.groups, "14")
	return p
}
