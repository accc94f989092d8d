package compare

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Every vendor spells the same algorithm its own way. These tables bring
// them to one name so that proposals from IOS, ASA and strongSwan compare:
// ciphers "des", "3des", "aes128", "aes192", "aes256", "aes128gcm", ...;
// integrity "md5", "sha1", "sha256", "sha384", "sha512"; DH groups as the
// IANA number ("2", "14", "19").

var encrAliases = map[string]string{
	"des": "des", "esp-des": "des",
	"3des": "3des", "esp-3des": "3des",
	"aes": "aes128", "esp-aes": "aes128", "aes-cbc-128": "aes128", "aes128": "aes128",
	"aes-192": "aes192", "esp-aes-192": "aes192", "aes-cbc-192": "aes192", "aes192": "aes192",
	"aes-256": "aes256", "esp-aes-256": "aes256", "aes-cbc-256": "aes256", "aes256": "aes256", "esp-256-aes": "aes256",
	"esp-192-aes": "aes192",
	"aes-gcm":     "aes128gcm", "aes-gcm-128": "aes128gcm", "esp-gcm": "aes128gcm",
	"aes-gcm-192": "aes192gcm", "aes-gcm-256": "aes256gcm",
	"aes-gmac": "aes128gmac", "aes-gmac-128": "aes128gmac", "aes-gmac-192": "aes192gmac", "aes-gmac-256": "aes256gmac",
	"esp-gmac": "aes128gmac",
	"null":     "null", "esp-null": "null",
	"chacha20poly1305": "chacha20poly1305",
}

var integAliases = map[string]string{
	"md5": "md5", "esp-md5-hmac": "md5", "hmac-md5": "md5",
	"sha": "sha1", "sha1": "sha1", "sha-1": "sha1", "esp-sha-hmac": "sha1", "hmac-sha1": "sha1", "sha1_160": "sha1",
	"sha256": "sha256", "sha-256": "sha256", "esp-sha256-hmac": "sha256", "esp-sha-256-hmac": "sha256", "sha2_256": "sha256",
	"sha384": "sha384", "sha-384": "sha384", "esp-sha384-hmac": "sha384", "esp-sha-384-hmac": "sha384", "sha2_384": "sha384",
	"sha512": "sha512", "sha-512": "sha512", "esp-sha512-hmac": "sha512", "esp-sha-512-hmac": "sha512", "sha2_512": "sha512",
	"aesxcbc": "aesxcbc", "esp-aes-xcbc-mac": "aesxcbc",
}

// strongSwan DH names.
var swanGroups = map[string]string{
	"modp768": "1", "modp1024": "2", "modp1536": "5", "modp2048": "14", "modp3072": "15",
	"modp4096": "16", "modp6144": "17", "modp8192": "18", "ecp256": "19", "ecp384": "20",
	"ecp521": "21", "modp1024s160": "22", "modp2048s224": "23", "modp2048s256": "24",
	"ecp192": "25", "ecp224": "26", "ecp224bp": "27", "ecp256bp": "28", "ecp384bp": "29",
	"ecp512bp": "30", "curve25519": "31", "x25519": "31", "curve448": "32", "x448": "32",
}

var (
	reSwanAEAD = regexp.MustCompile(`^aes(128|192|256)?(gcm|ccm)(8|12|16|64|96|128)?$`)
	reSwanAES  = regexp.MustCompile(`^aes(128|192|256)?$`)
	reGroupNum = regexp.MustCompile(`^(?:group)?(\d+)$`)
	// libreswan: aes_gcm, aes_gcm256, aes_gcm_16, aes_gcm_16_256, aes_gcm_c_128
	reLibreswanGCM = regexp.MustCompile(`^aes_gcm(?:_(?:8|12|16|a|b|c))?(?:_?(128|192|256))?$`)
)

func isAEAD(e string) bool {
	return strings.Contains(e, "gcm") || strings.Contains(e, "ccm") || e == "chacha20poly1305"
}

// normEncr names a cipher; keyLen is an IOS key-size word that follows it
// ("encr aes 256", "esp-aes 256"), "" if none.
func normEncr(tok, keyLen string) string {
	tok = strings.ToLower(tok)
	if keyLen != "" {
		switch tok {
		case "aes", "esp-aes":
			return "aes" + keyLen
		case "esp-gcm", "aes-gcm":
			return "aes" + keyLen + "gcm"
		case "esp-gmac":
			return "aes" + keyLen + "gmac"
		}
	}
	if v, ok := encrAliases[tok]; ok {
		return v
	}
	return tok
}

func normInteg(tok string) string {
	tok = strings.ToLower(tok)
	if v, ok := integAliases[tok]; ok {
		return v
	}
	return tok
}

// normGroup reads "2", "group2", "group 14" words; "" if not a group.
func normGroup(tok string) string {
	tok = strings.ToLower(tok)
	if m := reGroupNum.FindStringSubmatch(tok); m != nil {
		n, _ := strconv.Atoi(m[1])
		return strconv.Itoa(n)
	}
	if g, ok := swanGroups[tok]; ok {
		return g
	}
	return ""
}

// swanProposal reads one strongSwan proposal ("aes256-sha256-modp2048",
// "aes128gcm16-prfsha256-ecp256") into the algorithm sets it offers.
//
// libreswan's spelling reads too (lib/libswan/proposals.c parses it):
// ";" before the DH group ("aes256-sha1;modp2048"), "+" between
// alternatives ("aes256+aes128-sha2"), "sha2" for sha2_256, "dh19",
// "aes_gcm256" / "aes_gcm_16_256", "aes_cbc", and "null" integrity after
// an AEAD cipher.
func swanProposal(s string) (p proposal, ok bool) {
	s = strings.NewReplacer(";", "-", "+", "-").Replace(strings.ToLower(strings.TrimSpace(s)))
	for _, tok := range strings.Split(s, "-") {
		tok = strings.TrimSpace(tok)
		if m := reLibreswanGCM.FindStringSubmatch(tok); m != nil {
			size := m[1]
			if size == "" {
				size = "128"
			}
			tok = "aes" + size + "gcm"
		}
		switch tok {
		case "aes_cbc":
			tok = "aes"
		case "sha2":
			tok = "sha256"
		}
		if strings.HasPrefix(tok, "dh") && reGroupNum.MatchString(tok[2:]) {
			p.groups = appendNew(p.groups, normGroup(tok[2:]))
			continue
		}
		switch {
		case tok == "":
		case tok == "null" && len(p.encr) > 0:
			// no integrity (an AEAD cipher's own)
		case reSwanAEAD.MatchString(tok):
			m := reSwanAEAD.FindStringSubmatch(tok)
			size := m[1]
			if size == "" {
				size = "128"
			}
			p.encr = appendNew(p.encr, "aes"+size+m[2])
		case reSwanAES.MatchString(tok):
			p.encr = appendNew(p.encr, normEncr(tok, ""))
		case tok == "3des" || tok == "des" || tok == "null" || tok == "chacha20poly1305" ||
			strings.HasPrefix(tok, "camellia") || strings.HasPrefix(tok, "blowfish") || strings.HasPrefix(tok, "cast"):
			p.encr = appendNew(p.encr, tok)
		case strings.HasPrefix(tok, "prf"):
			// the PRF follows the integrity choice in practice; not compared
		case tok == "esn" || tok == "noesn":
		case tok == "none":
		case normGroup(tok) != "" && !reGroupNum.MatchString(tok):
			p.groups = appendNew(p.groups, normGroup(tok))
		case integAliases[tok] != "" || strings.HasPrefix(tok, "sha") || tok == "md5" || strings.HasPrefix(tok, "aes") && strings.HasSuffix(tok, "mac"):
			p.integ = appendNew(p.integ, normInteg(tok))
		default:
			return p, false
		}
	}
	return p, len(p.encr) > 0
}

func appendNew(s []string, v string) []string {
	for _, x := range s {
		if x == v {
			return s
		}
	}
	return append(s, v)
}

// describe prints a proposal's algorithm sets compactly: "aes128/sha1/psk/group2".
func (p proposal) describe() string {
	parts := []string{strings.Join(p.encr, ",")}
	if len(p.integ) > 0 {
		parts = append(parts, strings.Join(p.integ, ","))
	}
	if p.auth != "" {
		parts = append(parts, p.auth)
	}
	if len(p.groups) > 0 {
		parts = append(parts, "group "+strings.Join(p.groups, ","))
	}
	s := strings.Join(parts, "/")
	if p.name != "" {
		s = p.name + " " + s
	}
	return s
}

// strongSwan's "default" proposals (also what a connection without
// proposals / esp_proposals gets), from
// src/libstrongswan/crypto/proposal/proposal.c: proposal_create_default
// and proposal_create_default_aead, each read as one set (add_supported_ike
// for IKE; add_supported_ke_methods for the groups, which strongSwan 6
// makes optional in ESP). Only the algorithms this package names are
// listed; camellia and AES-CTR/CCM are left out.
var (
	swanDefaultGroups = []string{"19", "20", "21", "28", "29", "30", "31", "32", "15", "16", "17", "18", "14"}
	swanDefaultIKE    = proposal{name: "default",
		encr:   []string{"aes128", "aes192", "aes256", "3des", "aes128gcm", "aes192gcm", "aes256gcm", "chacha20poly1305"},
		integ:  []string{"sha256", "sha384", "sha512", "aesxcbc", "sha1"},
		groups: swanDefaultGroups}
	swanDefaultESP = proposal{name: "default",
		encr:   []string{"aes128", "aes192", "aes256", "aes128gcm", "aes192gcm", "aes256gcm"},
		integ:  []string{"sha256", "sha384", "sha512", "sha1", "aesxcbc"},
		groups: swanDefaultGroups}
)

// clone copies p's algorithm lists, so that a default stays as it is.
func (p proposal) clone() proposal {
	p.encr, p.integ, p.groups = slices.Clone(p.encr), slices.Clone(p.integ), slices.Clone(p.groups)
	return p
}
