package redact

import (
	"regexp"
	"strings"
)

// Mask replaces every secret.
const Mask = "<redacted>"

// rule is one secret-bearing line shape. The secret is the last submatch.
type rule struct {
	name string
	re   *regexp.Regexp
	// need: lowercase words of which the line must hold one (the regexp
	// cannot match otherwise); checked before the regexp, which is slow.
	need []string
	// all: lowercase words the line must hold every one of; start: the
	// word the line must open with (after blanks), for a regexp anchored
	// at ^. Both, like need, only what the regexp itself requires.
	all   []string
	start string
}

// rules: each one names where a secret sits. Keep the optional encryption
// type digits ("0", "6", "7", "8") outside the secret so the shape stays
// readable after redaction. Order does not matter; every rule runs.
var rules = []rule{
	// IOS: crypto isakmp key [0|6] KEY address A / hostname H
	{"isakmp-key", regexp.MustCompile(`(?i)(\bcrypto\s+isakmp\s+key\s+(?:[0-9]\s+)?)(\S+)`), []string{"isakmp"}, []string{"crypto", "key"}, ""},
	// IOS keyring: pre-shared-key address A [mask] key [0|6] KEY ; ikev2 keyring: pre-shared-key [local|remote] [0|6] KEY
	{"keyring-key", regexp.MustCompile(`(?i)(\bpre-shared-key\s+(?:address|hostname)\s+\S+(?:\s+\S+)?\s+key\s+(?:[0-9]\s+)?)(\S.*?)\s*$`), []string{"pre-shared-key"}, nil, ""},
	{"ikev2-psk", regexp.MustCompile(`(?i)(^\s*pre-shared-key\s+(?:(?:local|remote)\s+)?(?:[0-9]\s+)?)(\S+)\s*$`), []string{"pre-shared-key"}, nil, "pre-shared-key"},
	// ASA tunnel-group ipsec-attributes
	{"asa-ikev1-psk", regexp.MustCompile(`(?i)(\bikev1\s+pre-shared-key\s+(?:[0-9]\s+)?)(\S+)`), []string{"pre-shared-key"}, nil, ""},
	{"asa-ikev2-psk", regexp.MustCompile(`(?i)(\bikev2\s+(?:local|remote)-authentication\s+pre-shared-key\s+(?:[0-9]\s+)?)(\S+)`), []string{"pre-shared-key"}, nil, ""},
	// a bare key line: "key cisco", "key 7 0822455D0A16", "key-string X"
	{"key-line", regexp.MustCompile(`(?i)(^\s*key\s+(?:[0-9]\s+)?)(\S+)\s*$`), []string{"key"}, nil, "key"},
	// key-string takes the rest of the line, spaces included
	{"key-string", regexp.MustCompile(`(?i)(^\s*key-string\s+(?:[0-9]\s+)?)(\S.*?)\s*$`), []string{"key-string"}, nil, "key-string"},
	{"key-7", regexp.MustCompile(`(?i)(\bkey\s+7\s+)(\S+)`), []string{"key"}, []string{"7"}, ""},
	{"server-key", regexp.MustCompile(`(?i)(\b(?:tacacs-server|radius-server|tacacs|radius)\b.*?\bkey\s+(?:[0-9]\s+)?)(\S+)`), []string{"tacacs", "radius"}, nil, ""},
	{"auth-key", regexp.MustCompile(`(?i)(\bauthentication-key\s+(?:[0-9]+\s+)?(?:md5\s+)?(?:[0-9]\s+)?)(\S+)`), []string{"authentication-key"}, nil, ""},
	// username X [privilege N] password|secret [N] PW
	{"user-pass", regexp.MustCompile(`(?i)(\busername\s+\S+.*?\b(?:password|secret)\s+(?:[0-9]\s+)?)(\S+)`), []string{"username"}, nil, ""},
	{"enable", regexp.MustCompile(`(?i)(\benable\s+(?:secret|password)\s+(?:level\s+[0-9]+\s+)?(?:[0-9]\s+)?)(\S+)`), []string{"enable"}, nil, ""},
	{"passwd", regexp.MustCompile(`(?i)(^\s*passwd\s+)(\S+)`), []string{"passwd"}, nil, "passwd"},
	// "password X" as a config line ("password 7 0822...", "ip ftp password X")
	// and "password=X" / "password: X" in key-value text; never prose.
	{"password", regexp.MustCompile(`(?i)(^\s*(?:\S+\s+){0,3}password\s+(?:[0-9]\s+)?)(\S+)\s*$`), []string{"password"}, nil, ""},
	{"password-kv", regexp.MustCompile(`(?i)(\bpassword\s*[:=]\s*)(\S+)`), []string{"password"}, nil, ""},
	{"snmp", regexp.MustCompile(`(?i)(\bsnmp-server\s+community\s+)(\S+)`), []string{"snmp-server"}, nil, ""},
	{"snmp-host", regexp.MustCompile(`(?i)(\bsnmp-server\s+host\s+\S+(?:\s+(?:traps|informs))?(?:\s+version\s+\S+)?\s+)(\S+)`), []string{"snmp-server"}, nil, ""},
	// strongSwan: secret = X ; ipsec.secrets: A B : PSK "X"
	{"swan-secret", regexp.MustCompile(`(?i)(\bsecret\s*=\s*)(.+?)\s*$`), []string{"secret"}, nil, ""},
	{"swan-psk", regexp.MustCompile(`(?i)(:\s*(?:PSK|EAP|XAUTH)\s+)(.+?)\s*$`), []string{"psk", "eap", "xauth"}, nil, ""},
}

// keywords: a line holding none of these holds no secret; checked first so
// that ordinary device output costs one scan per line.
var keywords = []string{"key", "secret", "passw", "passwd", "community", "psk", "snmp"}

// Line returns line with every secret replaced by Mask.
func Line(line string) string {
	if !mayHoldSecret(line) {
		return line
	}
	low, ascii := lowerASCII(line)
	for _, r := range rules {
		// (?i) also folds non-ASCII letters (the Kelvin sign is a "k"):
		// the word filter is only sound on ASCII text.
		if ascii && !(holdsAny(low, r.need) && holdsAll(low, r.all) && startsWith(low, r.start)) || !r.re.MatchString(line) {
			continue
		}
		line = r.re.ReplaceAllStringFunc(line, func(m string) string {
			sub := r.re.FindStringSubmatch(m)
			if len(sub) < 3 || sub[2] == Mask {
				return m
			}
			return sub[1] + Mask + m[len(sub[1])+len(sub[2]):]
		})
	}
	return line
}

func holdsAll(low string, words []string) bool {
	for _, w := range words {
		if !strings.Contains(low, w) {
			return false
		}
	}
	return true
}

// startsWith: low's first word after blanks (the regexps' \s) opens with w.
func startsWith(low, w string) bool {
	return w == "" || strings.HasPrefix(strings.TrimLeft(low, " \t\n\v\f\r"), w)
}

func holdsAny(low string, words []string) bool {
	for _, w := range words {
		if strings.Contains(low, w) {
			return true
		}
	}
	return false
}

// lowerASCII lowercases s and reports whether it is all ASCII.
func lowerASCII(s string) (string, bool) {
	upper := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x80 {
			return s, false
		}
		upper = upper || c >= 'A' && c <= 'Z'
	}
	if !upper {
		return s, true
	}
	b := []byte(s)
	for j := range b {
		if b[j] >= 'A' && b[j] <= 'Z' {
			b[j] += 'a' - 'A'
		}
	}
	return string(b), true
}

// Text redacts every line of s.
func Text(s string) string {
	if !mayHoldSecret(s) {
		return s
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = Line(l)
	}
	return strings.Join(lines, "\n")
}

func mayHoldSecret(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return true // (?i) folds some non-ASCII letters to ASCII ones
		}
	}
	// One pass: at each letter that starts a keyword, compare the keywords
	// that start with it, ignoring ASCII case, without allocating.
	for i := 0; i < len(s); i++ {
		c := s[i] | 0x20
		if c != 'k' && c != 's' && c != 'p' && c != 'c' {
			continue
		}
		for _, k := range keywords {
			if k[0] == c && hasPrefixFold(s[i:], k) {
				return true
			}
		}
	}
	return false
}

// hasPrefixFold: s starts with the lowercase ASCII word k, ignoring case.
func hasPrefixFold(s, k string) bool {
	if len(s) < len(k) {
		return false
	}
	for j := 0; j < len(k); j++ {
		if s[j]|0x20 != k[j] {
			return false
		}
	}
	return true
}
