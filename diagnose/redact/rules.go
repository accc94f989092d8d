package redact

import (
	"regexp"
	"strings"
)

// rule is one secret-bearing shape. Every named group of re ("s", "s2")
// is a secret; everything else in the match stays readable.
type rule struct {
	name string
	// words: lowercase words of which the line must hold one for re to
	// match (re requires one of them literally); checked first, since
	// most lines hold none. Keep them in step with re: a word re can do
	// without would skip a secret (TestWordsAreSound checks every shape).
	words []string
	re    *regexp.Regexp
	// first: when set, the line (after its indentation) must open with
	// one of these words, for a regexp anchored at the line start.
	first []string
	// hex16: the line must hold 16 hex digits in a run (spaces and colons
	// may part them), for a regexp that needs a key in hex.
	hex16 bool
	// groups: the submatch indexes of the secrets
	groups []int
	// wordSet: words, as bits of the package's word list
	wordSet wordSet
}

// opening sets the words one of which must open the line.
func (ru rule) opening(words ...string) rule { ru.first = words; return ru }

// inHex marks a rule whose secret is 16 or more hex digits.
func (ru rule) inHex() rule { ru.hex16 = true; return ru }

// The optional type digit devices put before a stored secret ("key 7 X",
// "pre-shared-key 8 X") stays outside the secret, so the shape stays
// readable after redaction.
const typ = `(?:[0-9]\s+)?`

// token is one secret word, or a quoted string with its quotes.
const token = `(?:"[^"]*"|'[^']*'|\S+)`

// kvToken is a token after "=" or ":": never a lone ">" (the "secret =>
// 32 bytes" of a debug dump heading).
const kvToken = `(?:"[^"]*"|'[^']*'|[^\s>]\S*|>\S+)`

// rules: where secrets sit, by vendor. Order does not matter: every rule
// runs, and the spans they find are merged.
var rules = []rule{
	// ---- Cisco IOS / IOS-XE (configuration guides: Security for VPNs
	// with IPsec, IKEv2, key chains, AAA, SNMP, NTP, FHRP, routing
	// protocol authentication) and PIX/ASA where the wording is shared.

	// crypto isakmp key [0|6] X address A | hostname H ; PIX/ASA: isakmp key X address A netmask M
	r("isakmp-key", `\bisakmp\s+key\s+`+typ+`(?P<s>\S+)`, "isakmp"),
	// keyring: pre-shared-key address A [mask] key [0|6] X (the rest of the line)
	// (Huawei/H3C keychains: ... key cipher|simple X)
	r("keyring-key", `\bpre-shared-key\s+(?:address|hostname)\s+\S+(?:\s+\S+)?\s+key\s+`+typ+`(?:(?:cipher|simple)\s+)?(?P<s>\S.*?)\s*$`, "pre-shared-key"),
	// IKEv2 keyring peer / ASA 8.2 tunnel-group: pre-shared-key [local|remote] [0|6|8] [hex] X ;
	// IOS XR: pre-shared-key [password|clear|encrypted] X
	// (Huawei VRP and H3C Comware ike peer: pre-shared-key cipher|simple X)
	r("psk-line", `^\s*pre-shared-key\s+(?:(?:local|remote)\s+)?(?:(?:password|clear|encrypted|cipher|simple)\s+)?`+typ+`(?:hex\s+)?(?P<s>"[^"]*"|\S+)\s*$`, "pre-shared-key").opening("pre-shared-key"),
	// ASA tunnel-group ipsec-attributes: ikev1 pre-shared-key [0|8] [hex] X ;
	// ikev2 local-authentication|remote-authentication pre-shared-key [0|8] [hex] X
	r("asa-psk", `\bikev[12]\s+(?:(?:local|remote)-authentication\s+)?pre-shared-key\s+`+typ+`(?:hex\s+)?(?P<s>\S+)`, "pre-shared-key"),
	// IKEv2 profile: authentication local|remote pre-share key [0|6] X
	r("ikev2-profile-key", `\bauthentication\s+(?:local|remote)\s+pre-share\s+key\s+`+typ+`(?P<s>\S+)`, "pre-share"),
	// IKEv2 postquantum preshared key: ppk manual id ID key [0|6] X
	r("ppk-key", `\bppk\s+manual\s+id\s+\S+\s+key\s+`+typ+`(?P<s>\S+)`, "ppk"),
	// a bare key line: "key cisco", "key 7 0822455D0A16" (tacacs/radius
	// server blocks, key chains, isakmp client groups, aaa-server hosts)
	r("key-line", `^\s*key\s+`+typ+`(?P<s>\S+)\s*$`, "key").opening("key"),
	r("key-7", `\bkey\s+7\s+(?P<s>\S+)`, "key"),
	// key-string [0|7] X: key chains take the rest of the line; HSRP/VRRP/GLBP
	// may end it with "timeout N [M]"
	r("key-string", `\bkey-string\s+`+typ+`(?P<s>\S+(?:\s+\S+)*?)(?:\s+timeout\s+\d+(?:\s+\d+)?)?\s*$`, "key-string"),
	// key config-key password-encrypt[ion] NEW [OLD]
	r("config-key", `\bkey\s+config-key\s+password-encrypt(?:ion)?\s+(?P<s>.+?)\s*$`, "config-key"),
	// tacacs-server/radius-server host H [...] key [0|7] X ; ASA aaa-server G (if) host H key X ;
	// aaa group server: server-private A [...] key [0|7] X
	r("server-key", `\b(?:tacacs-server|radius-server|tacacs|radius|aaa-server|server-private)\b.*?\bkey\s+`+typ+`(?P<s>\S+)`, "tacacs", "radius", "aaa-server", "server-private"),
	// ip ospf authentication-key [0|7] X ; ntp authentication-key N md5|sha1|hmac-sha2-256 X [7] ; Junos authentication-key "$9$"
	r("authentication-key", `\bauthentication-key\s+(?:[0-9]+\s+)?(?:(?:md5|sha1|sha-?\d+|hmac-sha\S*|cmac-aes-\d+)\s+)?`+typ+`(?P<s>\S+)`, "authentication-key"),
	// ip ospf message-digest-key N md5 [0|7] X (ASA: ospf message-digest-key)
	r("message-digest-key", `\bmessage-digest-key\s+\d+\s+md5\s+`+typ+`(?P<s>\S+)`, "message-digest-key"),
	// standby|vrrp|glbp N authentication [text] X (plain-text FHRP authentication)
	r("fhrp-text", `\b(?:standby|vrrp|glbp)\s+\d+\s+authentication\s+(?:text\s+)?(?P<s>\S+)\s*$`, "standby", "vrrp", "glbp"),
	// ip nhrp authentication X (DMVPN)
	r("nhrp", `\bnhrp\s+authentication\s+(?P<s>\S+)`, "nhrp"),
	// ipv6 ospf / ospfv3 authentication|encryption ipsec spi N md5|sha1 [0|7] X
	r("ospfv3-ipsec", `\bipsec\s+spi\s+\d+\s+(?:md5|sha1|esp\s+\S+(?:\s+\S+)?)\s+`+typ+`(?P<s>\S+)`, "spi"),
	// ASA aaa-server host block: radius-common-pw X
	r("radius-common-pw", `\bradius-common-pw\s+(?P<s>\S+)`, "radius-common-pw"),
	// ASA: authentication key eigrp AS X key-id N ; failover key [hex] X
	r("asa-eigrp", `\bauthentication\s+key\s+eigrp\s+\d+\s+(?P<s>\S+)`, "eigrp"),
	r("asa-failover", `\bfailover\s+key\s+(?:hex\s+)?(?P<s>\S+)`, "failover"),
	// username U [privilege N] [view V] [algorithm-type T] password|secret [0|5|7|8|9] X
	r("username", `\busername\s+\S+(?:\s+privilege\s+\d+)?(?:\s+view\s+\S+)?(?:\s+algorithm-type\s+\S+)?\s+(?:password|secret)\s+`+typ+`(?P<s>\S+)`, "username"),
	// enable secret|password [level N] [0|5|8|9] X
	r("enable", `\benable\s+(?:secret|password)\s+(?:level\s+\d+\s+)?`+typ+`(?P<s>\S+)`, "enable"),
	// ASA: passwd X [encrypted]
	r("passwd", `^\s*passwd\s+(?P<s>\S+)`, "passwd").opening("passwd"),
	// "... [area-|domain-|simple-|encrypted-]password [0|7] X [encrypted|pbkdf2]"
	// as a configuration line (BGP neighbor, line vty, ppp, isis, ip ftp):
	// the secret ends the line, no prose around it.
	r("password-line", `^\s*(?:\S+\s+){0,4}[\w-]*password\s+`+typ+`(?P<s>\S+)(?:\s+(?:encrypted|pbkdf2|nt-encrypted))?\s*$`, "password"),
	// SNMP: snmp-server community X ; snmp-server host A [traps|informs] [version 1|2c|3 [auth|noauth|priv]] X ;
	// ASA: snmp-server host IF A community X
	r("snmp-community", `\bsnmp-server\b.*?\bcommunity\s+`+typ+`(?P<s>\S+)`, "community"),
	r("snmp-host", `\bsnmp-server\s+host\s+[0-9a-fA-F.:]+(?:\s+vrf\s+\S+)?(?:\s+(?:traps|informs))?(?:\s+version\s+(?:1|2c|3(?:\s+(?:auth|noauth|priv))?))?\s+(?P<s>\S+)`, "snmp-server"),
	// snmp-server user U G v3 [encrypted] auth md5|sha X [priv des|3des|aes [N] Y]
	r("snmp-user", `\bsnmp-server\s+user\b.*?\bauth\s+(?:md5|sha\S*)\s+(?P<s>\S+)(?:.*?\bpriv\s+(?:des|3des|aes(?:\s+\d+)?)\s+(?P<s2>\S+))?`, "snmp-server"),
	// wireless: wpa-psk ascii|hex [0|7] X
	r("wpa-psk", `\bpsk\s+(?:set-key\s+)?(?:ascii|hex)\s+`+typ+`(?P<s>\S+)`, "psk"),
	// crypt(3)-style hashes anywhere: Cisco type 5/8/9 ($1$, $8$, $9$),
	// Junos $9$ (reversible), $5$/$6$ (Linux), ASA $sha512$
	r("crypt-hash", `(?P<s>\$(?:1|5|6|8|9|sha512|pbkdf2|y|2[aby]?)\$[^\s"';]{4,})`, "$1$", "$5$", "$6$", "$8$", "$9$", "$sha512$", "$pbkdf2$", "$y$", "$2"),

	// ---- strongSwan and libreswan: ipsec.secrets (strongSwan
	// src/libcharon/plugins/stroke/stroke_cred.c; libreswan
	// lib/libswan/secrets.c), swanctl.conf secrets sections
	// (src/swanctl/commands/load_creds.c) and strongswan.conf.

	// [selectors] : PSK|EAP|XAUTH|NTLM secret (the rest of the line)
	// (a quoted secret may be followed by more, as in an echo into the
	// file; a bare one ends the line: "ike 0:vpn: PSK authentication
	// succeeded" is a message, not a secret)
	r("secrets-shared", `:\s*(?:psk|eap|xauth|ntlm)\s+(?:(?P<s>\S+)\s*$|(?P<s2>"[^"]*"|'[^']*'))`, "psk", "eap", "xauth", "ntlm"),
	// : RSA|ECDSA|BLISS|P12|PKCS8|PIN file|%smartcard passphrase ; libreswan : PPKS "id" "ppk"
	r("secrets-private", `(?:^|\s):\s*(?:rsa|ecdsa|bliss|p12|pkcs8|pkcs12|pin|ppks)\s+\S+\s+(?P<s>.+?)\s*$`, "rsa", "ecdsa", "bliss", "p12", "pkcs", "pin", "ppks"),
	// swanctl.conf ike-*/eap-*/xauth-*/ntlm-*/ppk-*/private-*/rsa-*/pkcs12-* { secret = X } ; token-* { pin = X }
	r("swanctl-secret", `^\s*(?:secret|pin)\s*=\s*(?P<s>[^\s>].*?)\s*$`, "secret", "pin").opening("secret", "pin"),
	// old raw RSA keys in ipsec.secrets: PrivateExponent: 0x... (and the primes)
	r("rsa-private-fields", `^\s*(?:privateexponent|prime[12]|exponent[12]|coefficient)\s*:\s*(?P<s>\S+)`, "exponent", "prime", "coefficient").opening("privateexponent", "prime", "exponent", "coefficient"),
	// a password inside a URI (strongswan.conf sql/attr-sql database = mysql://user:X@host/db)
	r("uri-password", `://[^\s/:@]+:(?P<s>[^\s@/]+)@`, "://"),

	// ---- key = value shapes: MikroTik RouterOS (/ip ipsec identity
	// secret=, /ppp secret password=, wpa2-pre-shared-key=,
	// authentication-password=), NetworkManager VPN secrets (pskvalue=,
	// xauthpassword=), strongswan.conf's flat form (...eap-radius.secret =),
	// and the same in other key-value text.
	r("kv-secret", `\b[\w-]*(?:secret|psk|pre-shared-key|passphrase|shared-key|sharedkey|presharedkey|shared_key)(?:value)?\s*=\s*(?P<s>`+kvToken+`)`, "secret", "psk", "pre-shared-key", "passphrase", "shared-key", "sharedkey", "presharedkey", "shared_key"),
	r("kv-password", `\b[\w-]*(?:password|passwd|pwd)\s*[:=]\s*(?P<s>`+kvToken+`)`, "passw", "pwd"),

	// ---- FortiGate (FortiOS CLI reference: vpn ipsec phase1-interface,
	// system admin, user local, system snmp user, router ospf/bgp).
	r("fortios-set", `^\s*set\s+(?:[\w-]*(?:secret|password|passwd|pwd|passphrase|psk)|psksecret-remote|key|md5-key|authentication-key|authkey|enckey|community)\s+(?:ENC\s+)?(?P<s>\S.*?)\s*$`, "set").opening("set"),
	// diagnose debug application ike -1: "ISAKMP SA ... key 16:HEX",
	// "IPsec SA enc|dec spi S key 16:HEX auth 20:HEX", "SK_ei 32:HEX";
	// "dec HEX": a decrypted payload (XAuth passwords travel in it)
	r("fortios-key-hex", `\b(?:key|auth|sk_(?:d|ai|ar|ei|er|pi|pr))\s+\d+:(?P<s>[0-9a-fA-F]{16,})`, "key", "auth", "sk_").inHex(),
	r("fortios-dec", `\bdec\s+(?P<s>[0-9a-fA-F]{32,})`, "dec").inHex(),

	// ---- OpenBSD ipsec.conf / iked.conf: ike ... psk "X"
	r("openbsd-psk", `\bpsk\s+(?P<s>"[^"]*"|'[^']*')`, "psk"),

	// ---- Palo Alto PAN-OS: XML configuration and set commands.
	// (pfSense/OPNsense config.xml: <pre-shared-key>X</pre-shared-key>)
	// (AWS's generic VPN configuration XML: <pre_shared_key>X</pre_shared_key>)
	r("xml-secret", `<(?:key|secret|password|phash|passphrase|private-key|community-string|auth-password|priv-password|psk|shared-secret|authentication-key|pre-shared-key|pre_shared_key)>(?P<s>[^<]+)</`,
		"<pre_shared_key>", "<key>", "<secret>", "<password>", "<phash>", "<passphrase>", "<private-key>", "<community-string>", "<auth-password>", "<priv-password>", "<psk>", "<shared-secret>", "<authentication-key>", "<pre-shared-key>"),
	// PAN-OS encrypted values: -AQ==...
	r("panos-aq", `(?P<s>-AQ==[A-Za-z0-9+/=]+)`, "-aq=="),
	// set commands (PAN-OS, Junos display set, ScreenOS): the word that
	// names the secret after at least one other word of the command.
	r("set-command", `^\s*set\s+(?:\S+\s+)+?(?:pre-shared-key\s+(?:key|ascii-text|hexadecimal)|secret|phash|snmp-community-string|community|authentication-key|encrypted-password|simple-password|password|preshare|psk|plain-text-password-value)\s+(?P<s>`+token+`)`, "set").opening("set"),

	// ---- Ubiquiti EdgeOS / VyOS: set vpn ipsec site-to-site peer P
	// authentication pre-shared-secret X (and the same in curly braces)
	r("pre-shared-secret", `\bpre-shared-secret\s+(?P<s>`+token+`)`, "pre-shared-secret"),
	// VyOS 1.4: set vpn ipsec authentication psk NAME secret X, and the
	// same as a tree ("psk NAME {" ... "secret X")
	r("vyos-psk-secret", `\bauthentication\s+psk\s+\S+\s+secret\s+(?P<s>`+token+`)`, "psk"),
	r("secret-statement", `^\s*secret\s+`+typ+`(?P<s>"[^"]*"|[^\s;=]\S*)\s*$`, "secret").opening("secret"),

	// ---- Juniper Junos configuration (curly braces).
	// Junos marks every secret it prints: X; ## SECRET-DATA
	// The value is a whole word: a quote inside one ('0" "') starts no value.
	r("junos-secret-data", `(?:^|\s)(?P<s>"[^"]*"|[^\s;]+);?\s*##\s*secret-data`, "secret-data"),
	r("junos-statement", `^\s*(?:pre-shared-key\s+(?:ascii-text|hexadecimal)|secret|encrypted-password|simple-password|authentication-key)\s+(?P<s>"[^"]*"|[^\s;=][^\s;]*)\s*;`, "pre-shared-key", "secret", "password", "authentication-key").
		opening("pre-shared-key", "secret", "encrypted-password", "simple-password", "authentication-key"),
	r("junos-community", `^\s*community\s+(?P<s>\S+)\s*\{`, "community").opening("community"),

	// ---- Juniper ScreenOS: set ike gateway "G" ... preshare "X" ...
	r("screenos-preshare", `\bpreshare\s+(?P<s>`+token+`)`, "preshare"),

	// ---- Yamaha RTX: ipsec ike pre-shared-key N text X | N 0xHEX ;
	// pp auth myname|username U X ; ipsec ike xauth myname U X
	r("yamaha-psk", `\bpre-shared-key\s+\d+\s+(?:text\s+)?(?P<s>\S+)`, "pre-shared-key"),
	r("yamaha-auth", `\b(?:auth\s+(?:myname|username)|xauth\s+myname)\s+\S+\s+(?P<s>\S+)`, "myname", "username"),

	// ---- Cloud: Azure (-SharedKey, az --shared-key / shared-key update
	// --value), GCP (--shared-secret), AWS (the downloaded configuration's
	// "Pre-Shared Key : X", PreSharedKey in JSON), Alibaba (IkeConfig Psk).
	// (Windows RRAS site-to-site: Add-/Set-VpnS2SInterface -SharedSecret X)
	r("cloud-flag", `(?:-sharedkey|-sharedsecret|-l2tppsk|--shared-key|--shared-secret|--psk|--pre-shared-key)(?:\s+|=)(?P<s>`+token+`)`, "-sharedkey", "-sharedsecret", "-l2tppsk", "--shared-key", "--shared-secret", "--psk", "--pre-shared-key"),
	// ---- OpenWrt UCI files (strongSwan's ipsec config, wireless):
	// option pre_shared_key 'X', option key 'X', option password X
	r("uci-option", `^\s*option\s+[\w-]*(?:psk|pre_shared_key|secret|password|key)\s+(?P<s>`+token+`)`, "option").opening("option"),
	r("azure-shared-key-value", `\bshared-key\b.*?--value(?:\s+|=)(?P<s>`+token+`)`, "shared-key"),
	r("json-secret", `"[\w-]*(?:psk|sharedkey|presharedkey|pre_shared_key|pre-shared-key|secret|password|passwd|passphrase|authkey)"\s*:\s*"(?P<s>[^"]*)"`, `key"`, `secret"`, `password"`, `passwd"`, `passphrase"`, `psk"`),
	r("pre-shared-key-colon", `\bpre-shared[ -]key\s*:\s*(?P<s>\S+)`, "pre-shared"),

	// ---- IPsec SA keys as the kernel shows them: Linux `ip xfrm state`
	// ("enc cbc(aes) 0xHEX", "auth-trunc hmac(sha256) 0xHEX 128", "aead
	// rfc4106(gcm(aes)) 0xHEX 128") and ipsec-tools `setkey -D` ("E:
	// aes-cbc 3a8f2b9c 1d4e5f60 ...", "A: hmac-sha1 11223344 ...").
	r("xfrm-state-key", `^\s*(?:enc|auth|auth-trunc|aead)\s+\S+\s+(?P<s>0x[0-9a-f]+)`, "enc", "auth", "aead").opening("enc", "auth", "aead").inHex(),
	r("setkey-key", `^\s*[ea]:\s+\S+\s+(?P<s>[0-9a-f]{8}(?:\s+[0-9a-f]{8})+)`, "e:", "a:").opening("e:", "a:"),

	// ---- A secret as a YAML or other "name: value" field (automation
	// variables such as ipsec_psk: X, vpn_secret: X).
	r("colon-secret", `^\s*-?\s*[\w-]*(?:secret|psk)\s*:\s*(?P<s>`+kvToken+`)`, "secret", "psk"),

	// ---- Session keys printed inline by debugs (libreswan, Windows,
	// other IKE stacks): a key's name, then its value in hex. strongSwan
	// prints its keys as dump rows under the name instead (hexdump.go).
	// Nonces and DH public values are public (sent in clear) and stay.
	r("session-key-inline", `\b(?:sk_(?:d|ai|ar|ei|er|pi|pr|p)|skeyseed|skeyid(?:_[dae])?|keymat|(?:encryption|integrity|encrypt|auth)\s+(?:initiator\s+|responder\s+)?key|shared\s+(?:diffie[- ]hellman\s+)?secret|dh\s+secret|g\^?(?:xy|ir))\b[^0-9a-f]{0,12}?(?P<s>(?:0x)?[0-9a-f]{2}(?:[ :]?[0-9a-f]{2}){7,})`,
		"sk_", "skeyseed", "skeyid", "keymat", "key", "secret", "g^", "gxy", "gir").inHex(),
}

// r compiles one rule; the regexp is case-insensitive.
func r(name, re string, words ...string) rule {
	for _, w := range words {
		if w != strings.ToLower(w) {
			panic("redact: rule " + name + ": word " + w + " is not lowercase")
		}
	}
	x := regexp.MustCompile(`(?i)` + re)
	ru := rule{name: name, words: words, re: x}
	for i, n := range x.SubexpNames() {
		if n != "" {
			ru.groups = append(ru.groups, i)
		}
	}
	if len(ru.groups) == 0 {
		panic("redact: rule " + name + " names no secret")
	}
	return ru
}

// words is every rule's words, each once; a rule's wordSet marks its own.
var words []string

// wordSet has a bit per entry of words.
type wordSet [2]uint64

func (w wordSet) any(o wordSet) bool { return w[0]&o[0] != 0 || w[1]&o[1] != 0 }

// triggers: the indexes in words of the words that start with each byte;
// pairs: whether some word starts with the two bytes (bit c0<<8|c1).
var (
	triggers [256][]uint8
	pairs    [256 * 256 / 64]uint64
)

func init() {
	index := map[string]int{}
	for i := range rules {
		for _, w := range rules[i].words {
			n, ok := index[w]
			if !ok {
				n = len(words)
				if n >= 128 {
					panic("redact: more than 128 rule words")
				}
				index[w] = n
				words = append(words, w)
				triggers[w[0]] = append(triggers[w[0]], uint8(n))
				if len(w) < 2 {
					panic("redact: rule word " + w + " is shorter than two bytes")
				}
				p := int(w[0])<<8 | int(w[1])
				pairs[p/64] |= 1 << (p % 64)
			}
			rules[i].wordSet[n/64] |= 1 << (n % 64)
		}
	}
}

// wordsIn: the rule words s holds, ignoring ASCII case; one pass.
func wordsIn(s string) (found wordSet) {
	for i := 0; i+1 < len(s); i++ {
		c, d := s[i], s[i+1]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if d >= 'A' && d <= 'Z' {
			d += 'a' - 'A'
		}
		if p := int(c)<<8 | int(d); pairs[p/64]&(1<<(p%64)) == 0 {
			continue
		}
		for _, n := range triggers[c] {
			if hasPrefixFold(s[i:], words[n]) {
				found[n/64] |= 1 << (n % 64)
			}
		}
	}
	return found
}

// mayHoldSecret: whether Line has anything to look at in s. False only when
// s holds no rule's word (ignoring ASCII case), needs no cleaning (which
// could join a word or fold a letter) and is no hex dump row.
func mayHoldSecret(s string) bool {
	return wordsIn(s) != (wordSet{}) || needsCleaning(s) || isRowShaped(s)
}

// hasPrefixFold: s starts with the lowercase ASCII word k, ignoring case.
func hasPrefixFold(s, k string) bool {
	if len(s) < len(k) {
		return false
	}
	for j := 0; j < len(k); j++ {
		c := s[j]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != k[j] {
			return false
		}
	}
	return true
}
