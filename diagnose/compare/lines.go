package compare

import (
	"regexp"
	"strings"
)

// cline is one configuration line after clean-up: its 1-based number in
// the input and its words.
type cline struct {
	n     int
	text  string // trimmed
	words []string
	// indented: the line began with white space (a sub-command).
	indented bool
	// cont lists continuation lines joined onto this one.
	cont []int
}

// stanza is a top-level command and the sub-commands under it.
type stanza struct {
	head cline
	kids []cline
}

// maxLine: a longer physical line is cut; configs have no such lines and
// the cut keeps a hostile paste from costing more than it should.
const maxLine = 4096

func splitLines(text string) []string {
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		l = strings.TrimRight(l, "\r")
		if len(l) > maxLine {
			l = l[:maxLine]
		}
		lines[i] = l
	}
	if n := len(lines); n > 0 && lines[n-1] == "" {
		lines = lines[:n-1]
	}
	return lines
}

// kidRule says which unindented lines still belong to the stanza above:
// pasted configs often lose their indentation (seed 004 is like that).
type kidRule struct {
	head, kid *regexp.Regexp
}

var kidRules = []kidRule{
	{regexp.MustCompile(`^crypto (isakmp|ikev1) policy `), regexp.MustCompile(`^(encr|encryption|hash|authentication|group|lifetime)\b`)},
	{regexp.MustCompile(`^crypto ikev2 (policy|proposal) `), regexp.MustCompile(`^(encryption|integrity|group|prf|lifetime|proposal|match)\b`)},
	{regexp.MustCompile(`^crypto keyring `), regexp.MustCompile(`^(pre-shared-key|key|description|local-address|rsa-pubkey)\b`)},
	{regexp.MustCompile(`^crypto ikev2 keyring `), regexp.MustCompile(`^(peer|address|pre-shared-key|identity|hostname|description)\b`)},
	{regexp.MustCompile(`^crypto (isakmp|ikev2) profile `), regexp.MustCompile(`^(match|keyring|authentication|lifetime|self-identity|identity|dpd|keepalive|description|vrf|initiate|local-address)\b`)},
	{regexp.MustCompile(`^crypto ipsec transform-set `), regexp.MustCompile(`^mode\b`)},
	{regexp.MustCompile(`^crypto ipsec ikev2 ipsec-proposal `), regexp.MustCompile(`^protocol\b`)},
	{regexp.MustCompile(`^crypto ipsec profile `), regexp.MustCompile(`^(set|description|responder-only)\b`)},
	{regexp.MustCompile(`^crypto map \S+ \d+ (ipsec-isakmp|ipsec-manual|gdoi)\s*$`), regexp.MustCompile(`^(set|match|reverse-route|description|qos)\b`)},
	{regexp.MustCompile(`^crypto dynamic-map \S+ \d+\s*$`), regexp.MustCompile(`^(set|match|reverse-route|description)\b`)},
	{regexp.MustCompile(`^interface `), regexp.MustCompile(`^(ip address|ip nat (inside|outside)\s*$|ipv6 address|nameif|security-level|crypto map|tunnel |description|shutdown|no shutdown|ip mtu|ip tcp|vrf|ip vrf|encapsulation|standby)\b`)},
	{regexp.MustCompile(`^(ip|ipv6) access-list `), regexp.MustCompile(`^(\d+\s+)?(permit|deny|remark)\b`)},
	// "show access-lists" output pasted instead of the config
	{regexp.MustCompile(`^(Extended|Standard) IP access list `), regexp.MustCompile(`^(\d+\s+)?(permit|deny|remark)\b`)},
	// an unindented "nat (...) source ..." is twice NAT, not the object's own
	{regexp.MustCompile(`^object network `), regexp.MustCompile(`^(host|subnet|range|fqdn|description)\b|^nat \([^)]*\) (dynamic|static)\b`)},
	{regexp.MustCompile(`^object-group network `), regexp.MustCompile(`^(network-object|group-object|description|host|range|\d+\.\d+\.\d+\.\d+)\b`)},
	{regexp.MustCompile(`^tunnel-group \S+ \S+-attributes`), regexp.MustCompile(`^(ikev1|ikev2|pre-shared-key|peer-id-validate|isakmp|chain|default-group-policy|trust-point|authentication)\b`)},
	{regexp.MustCompile(`^route-map `), regexp.MustCompile(`^(match|set|description)\b`)},
}

// reConfigPrompt: "SPOKE(config)#", "SPOKE(config-crypto-map)# ".
var reConfigPrompt = regexp.MustCompile(`^\s*[A-Za-z0-9][\w.-]*\((?:config|cfg)[^)]*\)#\s*`)

var reACE = regexp.MustCompile(`^(\d+\s+)?(permit|deny)\b|^access-list\s`)

// stanzas groups lines into top-level commands and their sub-commands,
// dropping comments and blank lines. A line that is only addresses (an
// ACL entry wrapped by a mail client or a web page) joins the line above.
func stanzas(lines []string) []stanza {
	var out []stanza
	var cur *stanza
	var curRule *kidRule
	for i, raw := range lines {
		if m := reConfigPrompt.FindStringIndex(raw); m != nil {
			// a configuration session pasted with its prompts
			raw = raw[m[1]:]
		}
		t := strings.TrimSpace(raw)
		if t == "" {
			continue
		}
		if strings.HasPrefix(raw, "!") {
			// a bang in the first column closes the block above
			cur, curRule = nil, nil
			continue
		}
		if t == "" || t[0] == '!' || t[0] == ':' || strings.HasPrefix(t, "```") || t == "end" || t == "exit" {
			continue
		}
		indented := raw[0] == ' ' || raw[0] == '\t'
		words := strings.Fields(t)
		if x := expandLine(words, cur != nil && (indented || curRule != nil), curRule); &x[0] != &words[0] {
			words, t = x, strings.Join(x, " ")
		}
		c := cline{n: i + 1, text: t, words: words, indented: indented}
		if cur != nil && looksLikeAddr(words[0]) {
			last := &cur.head
			if len(cur.kids) > 0 {
				last = &cur.kids[len(cur.kids)-1]
			}
			if reACE.MatchString(last.text) {
				last.text += " " + t
				last.words = append(last.words, words...)
				last.cont = append(last.cont, i+1)
				continue
			}
		}
		if cur != nil && (indented || (curRule != nil && curRule.kid.MatchString(t))) {
			cur.kids = append(cur.kids, c)
			continue
		}
		out = append(out, stanza{head: c})
		cur = &out[len(out)-1]
		curRule = nil
		for k := range kidRules {
			if kidRules[k].head.MatchString(t) {
				curRule = &kidRules[k]
				break
			}
		}
	}
	return out
}

func looksLikeAddr(w string) bool {
	dots := 0
	for _, r := range w {
		switch {
		case r == '.':
			dots++
		case r >= '0' && r <= '9':
		default:
			return false
		}
	}
	return dots == 3
}

// expandLine spells out an abbreviated command: as a sub-command of the
// open stanza when it reads as one (indented, or one the stanza's rule
// accepts),
// else as a top-level command.
func expandLine(words []string, sub bool, rule *kidRule) []string {
	if sub {
		if x := expandAbbrev(words, iosSub); rule == nil || rule.kid.MatchString(strings.Join(x, " ")) {
			return x
		}
	}
	return expandAbbrev(words, iosGlobal)
}
