package ios

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// trimHeading drops markdown heading marks ("### IPv4 Crypto ISAKMP SA")
// and surrounding space. A '#' run followed by a letter is kept: that is a
// counter name ("#pkts"), not a heading.
func trimHeading(s string) string {
	// fast path: ASCII ends, no heading mark, no no-break space
	i, j := 0, len(s)
	for i < j && asciiSpace[s[i]] {
		i++
	}
	for j > i && asciiSpace[s[j-1]] {
		j--
	}
	t := s[i:j]
	if t == "" {
		return ""
	}
	if t[0] >= utf8.RuneSelf || t[len(t)-1] >= utf8.RuneSelf || strings.IndexByte(t, 0xc2) >= 0 {
		return trimHeadingSlow(s)
	}
	if t[0] == '#' {
		// "#pkts": a '#' run before a word is a counter, kept
		k := 1
		for k < len(t) && t[k] == '#' {
			k++
		}
		if k < len(t) && t[k] == ' ' {
			return trimHeadingSlow(s) // a markdown heading
		}
	}
	return t
}

// trimHeadingSlow is trimHeading for any line.
func trimHeadingSlow(s string) string {
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

// indexFold is strings.Index ignoring ASCII case. Only ASCII letters fold
// (as lowerASCII does), so an index found is valid in s itself; for an
// ASCII sub this is what strings.EqualFold at every offset gave. It looks
// for the rarest byte of sub first (a 'y' rather than an 'e').
func indexFold(s, sub string) int {
	k := newFoldKey(sub)
	return k.index(s)
}

// foldKey is a key for indexFold with its anchor worked out: a parser's
// hot keys are package variables, so a line's search starts at once.
type foldKey struct {
	s      string
	a      int  // the anchor: the index of the key's rarest byte
	lo, up byte // the anchor byte in lower and upper case
}

func newFoldKey(sub string) foldKey {
	k := foldKey{s: sub}
	for i := 1; i < len(sub); i++ {
		if byteRank[sub[i]] < byteRank[sub[k.a]] {
			k.a = i
		}
	}
	if sub != "" {
		k.lo = lowerByte(sub[k.a])
		k.up = k.lo
		if 'a' <= k.lo && k.lo <= 'z' {
			k.up = k.lo - ('a' - 'A')
		}
	}
	return k
}

// in reports whether the key occurs in s, ignoring ASCII case.
func (k *foldKey) in(s string) bool { return len(s) >= len(k.s) && k.index(s) >= 0 }

func (k *foldKey) index(s string) int {
	sub, n, a, lo, up := k.s, len(k.s), k.a, k.lo, k.up
	if n == 0 {
		return 0
	}
	if n > len(s) {
		return -1
	}
	// the anchor byte of a match is in s[a : len(s)-n+a+1]
	hay := s[a : len(s)-n+a+1]
	if lo == up {
		for i := 0; i < len(hay); i++ {
			j := strings.IndexByte(hay[i:], lo)
			if j < 0 {
				return -1
			}
			i += j
			if hasPrefixFold(s[i:], sub) {
				return i
			}
		}
		return -1
	}
	// the next places of the anchor in either case (-1: none left)
	nextLo, nextUp := -2, -2
	for i := 0; i < len(hay); i++ {
		if nextLo != -1 && nextLo < i {
			nextLo = strings.IndexByte(hay[i:], lo)
			if nextLo >= 0 {
				nextLo += i
			}
		}
		if nextUp != -1 && nextUp < i {
			nextUp = strings.IndexByte(hay[i:], up)
			if nextUp >= 0 {
				nextUp += i
			}
		}
		switch {
		case nextLo < 0 && nextUp < 0:
			return -1
		case nextUp < 0 || nextLo >= 0 && nextLo < nextUp:
			i = nextLo
		default:
			i = nextUp
		}
		if hasPrefixFold(s[i:], sub) {
			return i
		}
	}
	return -1
}

// byteRank orders bytes by how often they occur in device output, most
// often last; indexFold searches for the lowest-ranked byte of a key.
var byteRank = func() (r [256]uint8) {
	for i := range r {
		r[i] = 50 // punctuation and anything else: rare
	}
	const common = " etaonisrhldcumfpgwybvkxjqz" // most common first
	for i := range len(common) {
		c := common[i]
		rank := uint8(250 - 8*i)
		r[c] = rank
		if 'a' <= c && c <= 'z' {
			r[c-('a'-'A')] = rank
		}
	}
	for c := '0'; c <= '9'; c++ {
		r[c] = 200
	}
	for _, c := range []byte(".:,/") {
		r[c] = 150
	}
	return r
}()

// containsFold reports whether sub occurs in s ignoring ASCII case.
func containsFold(s, sub string) bool { return indexFold(s, sub) >= 0 }

func lowerByte(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + ('a' - 'A')
	}
	return c
}

// hasPrefixFold is strings.HasPrefix ignoring ASCII case. The length and
// first-byte tests are inlined: most lines fail them.
func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && (prefix == "" || lowerByte(s[0]) == lowerByte(prefix[0])) && prefixFold(s, prefix)
}

// prefixFold is hasPrefixFold for len(s) >= len(prefix).
func prefixFold(s, prefix string) bool {
	for i := 0; i < len(prefix); i++ {
		if s[i] != prefix[i] && lowerByte(s[i]) != lowerByte(prefix[i]) {
			return false
		}
	}
	return true
}

// hasSuffixFold is strings.HasSuffix ignoring ASCII case.
func hasSuffixFold(s, suffix string) bool {
	return len(s) >= len(suffix) && hasPrefixFold(s[len(s)-len(suffix):], suffix)
}

// asciiSpace is strings.Fields' set of ASCII separators.
var asciiSpace = [256]bool{'\t': true, '\n': true, '\v': true, '\f': true, '\r': true, ' ': true}

// nextField returns the first whitespace-separated token of s (as
// strings.Fields splits: unicode.IsSpace) and the text after it, without
// allocating; f is "" when s holds no token.
func nextField(s string) (f, rest string) {
	start := -1
	for i := 0; i < len(s); {
		c := s[i]
		size, space := 1, false
		if c < utf8.RuneSelf {
			space = asciiSpace[c]
		} else {
			var r rune
			r, size = utf8.DecodeRuneInString(s[i:])
			space = unicode.IsSpace(r)
		}
		if space {
			if start >= 0 {
				return s[start:i], s[i:]
			}
		} else if start < 0 {
			start = i
		}
		i += size
	}
	if start < 0 {
		return "", ""
	}
	return s[start:], ""
}

// firstField returns the first whitespace-separated token of s.
func firstField(s string) string {
	f, _ := nextField(s)
	return f
}

// squeezeSpaces is strings.Join(strings.Fields(s), " "), allocating only
// when s is not already in that form.
func squeezeSpaces(s string) string {
	if s == "" {
		return s
	}
	if s[0] != ' ' && s[len(s)-1] != ' ' {
		clean := true
		for i := 0; i < len(s); i++ {
			c := s[i]
			if c >= utf8.RuneSelf || c != ' ' && asciiSpace[c] || c == ' ' && s[i+1] == ' ' {
				clean = false
				break
			}
		}
		if clean {
			return s
		}
	}
	return strings.Join(strings.Fields(s), " ")
}

// equalFields reports whether squeezeSpaces(lowerASCII(s)) == want, for a
// lower-case want, without building either.
func equalFields(s, want string) bool {
	for first := true; ; first = false {
		var f string
		f, s = nextField(s)
		if f == "" {
			return want == ""
		}
		if !first {
			if want == "" || want[0] != ' ' {
				return false
			}
			want = want[1:]
		}
		if len(want) < len(f) || !hasPrefixFold(want, f) {
			return false
		}
		want = want[len(f):]
	}
}

// keyValues reads "Key: value, Other key: value" runs into a map keyed by
// the lower-cased key with single spaces. Values end at a comma or at two
// or more spaces (ASA prints two columns of "Key : value").
func keyValues(s string) map[string]string {
	out := map[string]string{}
	eachColumn(s, func(part string) bool {
		i := strings.IndexByte(part, ':')
		if i <= 0 {
			return true
		}
		k := lowerASCII(squeezeSpaces(part[:i]))
		if k == "" {
			return true
		}
		if _, dup := out[k]; !dup {
			out[k] = strings.TrimSpace(part[i+1:])
		}
		return true
	})
	return out
}

// keyValue is keyValues(s)[key] (key lower-case, single spaces) without
// building the map: the first column with that key wins.
func keyValue(s, key string) (v string, ok bool) {
	eachColumn(s, func(part string) bool {
		i := strings.IndexByte(part, ':')
		if i <= 0 || !equalFields(part[:i], key) {
			return true
		}
		v, ok = strings.TrimSpace(part[i+1:]), true
		return false
	})
	return v, ok
}

// splitColumns splits on commas and on runs of two or more spaces that
// follow a value (so "Type    : L2L             Role    : responder"
// gives "Type    : L2L" and "Role    : responder").
func splitColumns(s string) []string {
	var parts []string
	eachColumn(s, func(part string) bool {
		parts = append(parts, part)
		return true
	})
	return parts
}

// eachColumn calls fn with each part splitColumns gives, in order, until
// fn returns false.
func eachColumn(s string, fn func(part string) bool) {
	for {
		c := s
		comma := strings.IndexByte(s, ',')
		if comma >= 0 {
			c = s[:comma]
		}
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
			if strings.IndexByte(tail, ':') < 0 {
				break
			}
			if !fn(seg[:cut]) {
				return
			}
			seg = tail
		}
		if !fn(seg) || comma < 0 {
			return
		}
		s = s[comma+1:]
	}
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

// appendFields appends the strings.Fields of s to dst (a buffer reused
// line after line).
func appendFields(dst []string, s string) []string {
	for {
		var f string
		f, s = nextField(s)
		if f == "" {
			return dst
		}
		dst = append(dst, f)
	}
}

// sameFields reports whether a and b are the same words ignoring ASCII
// case and spacing: lowerASCII(squeezeSpaces(a)) == lowerASCII(squeezeSpaces(b)).
func sameFields(a, b string) bool {
	for {
		var fa, fb string
		fa, a = nextField(a)
		fb, b = nextField(b)
		if len(fa) != len(fb) || !hasPrefixFold(fa, fb) {
			return false
		}
		if fa == "" {
			return true
		}
	}
}
