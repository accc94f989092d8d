package diagnose

import (
	"regexp"
	"strings"
)

// promptRe finds a device prompt followed by a command echo:
// "HUB# sh cry isa sa", "fw-hq/pri/act> show crypto isakmp sa",
// "root@gw:~# swanctl --list-sas", "$ sudo swanctl --list-sas".
// bracketPrompt rewrites a Linux shell prompt of the Red Hat form
// "[root@vpn ~]# cmd" (a space inside the brackets) as "root@vpn:~# cmd",
// which promptRe reads; any other line is returned as it is.
func bracketPrompt(line string) string {
	if !strings.HasPrefix(line, "[") {
		return line
	}
	end := strings.IndexByte(line, ']')
	if end < 0 || end > 70 || end+1 >= len(line) || line[end+1] != '#' && line[end+1] != '$' {
		return line
	}
	inner := line[1:end]
	if !strings.Contains(inner, "@") || strings.Count(inner, " ") > 1 {
		return line
	}
	return strings.Replace(inner, " ", ":", 1) + line[end+1:]
}

var promptRe = regexp.MustCompile(`^\s*(?:([A-Za-z0-9][A-Za-z0-9._@:~/()\-]{0,62}?)(?:\(config[a-z\-]*\))?\s?([#>$%])|([$#]))\s*(\S.*)?$`)

// commandWords are the first words of commands an engineer pastes. A
// prompt-like line whose command starts with none of them is not a prompt
// (device output lines such as "#pkts encaps: 5" must stay output).
var commandWords = map[string]bool{
	"show": true, "debug": true, "undebug": true, "ping": true, "traceroute": true,
	"terminal": true, "more": true, "clear": true, "enable": true, "swanctl": true,
	"ipsec": true, "sudo": true, "journalctl": true, "tail": true, "cat": true,
	"grep": true, "packet-tracer": true, "test": true, "ip": true, "strongswan": true,
	"configure": true, "write": true, "copy": true, "no": true, "crypto": true, "exit": true,
	"end": true, "logging": true,
}

// vocabulary for expanding IOS/ASA abbreviations, first word and later words.
var (
	firstWords = []string{"show", "debug", "undebug", "ping", "traceroute", "terminal", "more", "clear", "enable", "configure"}
	laterWords = []string{
		"detail", "crypto", "isakmp", "ipsec", "ikev1", "ikev2", "sa", "session", "peer", "remote", "local",
		"policy", "transform-set", "map", "access-lists", "access-list", "ip", "route", "cef", "running-config",
		"vpn-sessiondb", "l2l", "interface", "engine", "pki", "transactions", "messages", "count", "default",
		"proposal", "profile", "keyring", "error", "connections", "active", "brief", "summary", "statistics",
		"logging", "filter", "ipaddress", "tunnel-group", "dynamic-map", "ca", "certificates", "stats",
		"diagnose", "sockets", "datapath", "dmvpn", "nat", "translations", "version", "clock", "ipv6",
	}
	preferred = map[string]string{"de": "detail", "d": "detail", "s": "sa", "i": "ip", "in": "interface", "r": "route", "c": "crypto", "ses": "session", "se": "session"}
)

// expandCommand normalises a command echo: the pipe filter dropped, words
// lowercased and IOS abbreviations expanded ("sh cry isa sa det" ->
// "show crypto isakmp sa detail"). Arguments such as addresses are kept.
func expandCommand(cmd string) string {
	if i := strings.IndexByte(cmd, '|'); i >= 0 {
		cmd = cmd[:i]
	}
	fields := strings.Fields(cmd)
	for i, f := range fields {
		lf := strings.ToLower(f)
		vocab := laterWords
		if i == 0 {
			vocab = firstWords
		}
		fields[i] = expandWord(lf, f, vocab, i == 0)
	}
	out := strings.Join(fields, " ")
	// ASA and IOS spellings that mean the same output.
	out = strings.Replace(out, "show running-config all ", "show running-config ", 1)
	out = strings.Replace(out, "show ip access-lists", "show access-lists", 1)
	out = strings.Replace(out, "show access-list ", "show access-lists ", 1)
	if out == "show access-list" {
		out = "show access-lists"
	}
	return out
}

func expandWord(lower, orig string, vocab []string, first bool) string {
	if lower == "" || !isWordish(lower) {
		return orig
	}
	for _, w := range vocab {
		if w == lower {
			return w
		}
	}
	if p, ok := preferred[lower]; ok && !first {
		return p
	}
	match := ""
	for _, w := range vocab {
		if strings.HasPrefix(w, lower) {
			if match != "" {
				return orig // ambiguous: leave it
			}
			match = w
		}
	}
	if match == "" || (len(lower) < 2 && !first) {
		return orig
	}
	return match
}

// isWordish: letters and dashes only (an address or a name with digits is
// an argument, not a keyword).
func isWordish(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c == '-') {
			return false
		}
	}
	return true
}

// parsePrompt reports whether line is a prompt with a command echo, or a
// bare prompt (command ""), and returns the host and the expanded command.
func parsePrompt(line string) (host, command string, ok bool) {
	if len(line) == 0 || len(line) > 400 {
		return "", "", false
	}
	line = bracketPrompt(line)
	// Fast reject: a prompt has '#', '>' or '$' within its first 70 bytes.
	head := line
	if len(head) > 70 {
		head = head[:70]
	}
	pc := -1
	for i := 0; i < len(head); i++ {
		if c := head[i]; c == '#' || c == '>' || c == '$' || c == '%' {
			pc = i
			break
		}
		if head[i] == ' ' && i > 0 && head[i-1] != ' ' && !strings.HasPrefix(head[i:], " (config") {
			// a space after a word before any prompt character: not a prompt
			// unless it is a "$ cmd" / "# cmd" at the start (caught above)
			return "", "", false
		}
	}
	if pc < 0 {
		return "", "", false
	}
	if pc == 0 && !(len(line) > 1 && (line[0] == '$' || line[0] == '#') && line[1] == ' ') {
		return "", "", false // "%CRYPTO-...", "#pkts ...": output, not a prompt
	}
	// the host name before the prompt character has no spaces in it
	if sp := strings.IndexByte(strings.TrimLeft(head[:pc], " "), ' '); sp >= 0 && !strings.Contains(head[:pc], "(config") {
		return "", "", false
	}
	m := promptRe.FindStringSubmatch(line)
	if m == nil {
		return "", "", false
	}
	host, cmd := m[1], strings.TrimSpace(m[4])
	if host == "" && m[3] == "" {
		return "", "", false
	}
	if cmd == "" {
		// A bare prompt ("HUB#") ends the previous output. Require a host so
		// that a lone "#" or "$" line is not taken for one.
		if host == "" || strings.ContainsAny(host, ":") && !strings.Contains(host, "@") {
			return "", "", false
		}
		return host, "", true
	}
	first := strings.ToLower(strings.Fields(cmd)[0])
	if first == "sudo" {
		rest := strings.Fields(cmd)[1:]
		if len(rest) == 0 {
			return "", "", false
		}
		cmd = strings.Join(rest, " ")
		first = strings.ToLower(rest[0])
	}
	if !commandWords[first] {
		expanded := expandWord(first, first, firstWords, true)
		if !commandWords[expanded] {
			return "", "", false
		}
	}
	return host, expandCommand(cmd), true
}
