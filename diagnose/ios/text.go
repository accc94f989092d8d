package ios

import (
	"strconv"
	"strings"
)

// trimHeading drops markdown heading marks ("### IPv4 Crypto ISAKMP SA")
// and surrounding space. A '#' run followed by a letter is kept: that is a
// counter name ("#pkts"), not a heading.
func trimHeading(s string) string {
	if strings.Contains(s, "\u00a0") {
		// no-break spaces pasted from web pages
		s = strings.ReplaceAll(s, "\u00a0", " ")
	}
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "#") {
		t := strings.TrimLeft(s, "#")
		if strings.HasPrefix(t, " ") {
			s = strings.TrimSpace(t)
		}
	}
	return s
}

// atoi parses a decimal integer; ok is false for anything else.
func atoi(s string) (int, bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 18 {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, false
	}
	return n, true
}

// atoi64 parses a non-negative counter; -1 when it is not a number.
func atoi64(s string) int64 {
	s = strings.TrimSpace(strings.TrimRight(strings.TrimSpace(s), ",;"))
	if s == "" || len(s) > 19 {
		return -1
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return -1
	}
	return n
}

// isDigits reports whether s is a non-empty run of ASCII digits.
func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// looksAddr reports whether a token looks like an IPv4 or IPv6 address,
// possibly with a /port or /prefix suffix. It is lenient on purpose: the
// public fixtures hold hand-edited addresses such as 100.0.10::2.
func looksAddr(s string) bool {
	if len(s) < 2 || len(s) > 64 {
		return false
	}
	dots, colons, hex := 0, 0, 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '.':
			dots++
		case c == ':':
			colons++
		case c >= '0' && c <= '9':
		case c >= 'a' && c <= 'f', c >= 'A' && c <= 'F':
			hex++
		case c == '/' || c == '%':
		default:
			return false
		}
	}
	if dots == 3 && colons == 0 && hex == 0 {
		return true
	}
	return colons >= 2
}

// isTime reports an hh:mm:ss or h:mm:ss token.
func isTime(s string) bool {
	p := strings.Split(s, ":")
	if len(p) != 3 {
		return false
	}
	for _, x := range p {
		if !isDigits(x) {
			return false
		}
	}
	return true
}

// splitHostPort splits "10.1.1.1/500" or "10.1.1.1:500" style endpoint
// tokens; port is 0 when absent. IPv6 addresses keep their colons: only a
// trailing /port is split for them.
func splitHostPort(s string) (string, int) {
	s = strings.TrimSpace(strings.TrimRight(strings.TrimSpace(s), ","))
	if i := strings.LastIndexByte(s, '/'); i > 0 {
		if p, ok := atoi(s[i+1:]); ok {
			return s[:i], p
		}
	}
	return s, 0
}

// after returns the text after the first occurrence of key (case-insensitive
// on ASCII), trimmed, and whether key was found.
func after(s, key string) (string, bool) {
	i := indexFold(s, key)
	if i < 0 {
		return "", false
	}
	return strings.TrimSpace(s[i+len(key):]), true
}

// indexFold is strings.Index ignoring ASCII case.
func indexFold(s, sub string) int {
	n := len(sub)
	if n == 0 {
		return 0
	}
	for i := 0; i+n <= len(s); i++ {
		if strings.EqualFold(s[i:i+n], sub) {
			return i
		}
	}
	return -1
}

// hasPrefixFold is strings.HasPrefix ignoring ASCII case.
func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// firstField returns the first whitespace-separated token of s.
func firstField(s string) string {
	f := strings.Fields(s)
	if len(f) == 0 {
		return ""
	}
	return f[0]
}

// keyValues reads "Key: value, Other key: value" runs into a map keyed by
// the lower-cased key with single spaces. Values end at a comma or at two
// or more spaces (ASA prints two columns of "Key : value").
func keyValues(s string) map[string]string {
	out := map[string]string{}
	for _, part := range splitColumns(s) {
		i := strings.IndexByte(part, ':')
		if i <= 0 {
			continue
		}
		k := lowerASCII(strings.Join(strings.Fields(part[:i]), " "))
		v := strings.TrimSpace(part[i+1:])
		if k == "" {
			continue
		}
		if _, dup := out[k]; !dup {
			out[k] = v
		}
	}
	return out
}

// splitColumns splits on commas and on runs of two or more spaces that
// follow a value (so "Type    : L2L             Role    : responder"
// gives "Type    : L2L" and "Role    : responder").
func splitColumns(s string) []string {
	var parts []string
	for _, c := range strings.Split(s, ",") {
		seg := c
		for {
			colon := strings.IndexByte(seg, ':')
			if colon < 0 {
				break
			}
			// find a run of 2+ spaces after the value starts
			rest := seg[colon+1:]
			lead := len(rest) - len(strings.TrimLeft(rest, " "))
			j := strings.Index(rest[lead:], "  ")
			if j < 0 {
				break
			}
			cut := colon + 1 + lead + j
			tail := strings.TrimSpace(seg[cut:])
			if !strings.Contains(tail, ":") {
				break
			}
			parts = append(parts, seg[:cut])
			seg = tail
		}
		parts = append(parts, seg)
	}
	return parts
}

// lowerASCII lower-cases ASCII letters only. Unlike strings.ToLower it
// keeps the byte length (invalid UTF-8 or a Kelvin sign would change it),
// so indexes found in the lowered text are valid in the original.
func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] >= 'A' && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}
