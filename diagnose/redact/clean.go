package redact

import (
	"strings"
	"unicode/utf8"
)

// cleaned is a line as a reader sees it, with, for every byte of text, the
// bytes [start[i], end[i]) of the line as given it came from.
type cleaned struct {
	text       string
	start, end []int
	line       string // the line as given
}

// clean removes what hides a secret's shape from the rules but is not
// text: ANSI escape sequences (and the "[1;31m" debris left when the ESC
// byte was dropped), other control bytes, markdown escapes ("pre\-shared"),
// backticks (they end a word) and "**", no-break and other Unicode spaces (to a space),
// zero-width characters and soft hyphens, a leading chat quote ("> ") and
// device prompt ("R1(config-keyring)#"), and it folds the two non-ASCII
// letters regexp case folding maps to ASCII ones (the Kelvin sign, the
// long s). This is at least what the diagnosis engine cleans off a line
// before reading it. ok is false when nothing changed.
func clean(line string) (c cleaned, ok bool) {
	if !needsCleaning(line) {
		return c, false
	}
	var b strings.Builder
	b.Grow(len(line))
	c.start = make([]int, 0, len(line))
	c.end = make([]int, 0, len(line))
	emit := func(s string, lo, hi int) {
		for k := 0; k < len(s); k++ {
			b.WriteByte(s[k])
			c.start = append(c.start, lo)
			c.end = append(c.end, hi)
		}
	}
	for i := 0; i < len(line); {
		ch := line[i]
		switch {
		case ch == 0x1b: // ESC: a CSI sequence "ESC [ params final", or ESC and one byte
			i = skipEscape(line, i)
			continue
		case ch == '[' && isCSIDebris(line, i):
			i = skipCSIDebris(line, i)
			continue
		case ch == '\t':
			emit(" ", i, i+1)
		case ch == '\n': // Line is given one line; kept so no span crosses it
			emit("\n", i, i+1)
		case ch < 0x20 || ch == 0x7f:
			// dropped
		case ch == '\\' && i+1 < len(line) && isMarkdownEscapable(line[i+1]):
			// the escape goes, the escaped byte stays
		case ch == '`':
			// inline code: at the line's edges it goes (as the engine
			// drops it); inside, it ends a word for good, so that a
			// mention of "`crypto isakmp key` (IOS)" reads no key
			if !atEdge(line, i) {
				emit("\x00", i, i+1)
			}
		case ch == '*' && isBold(line, i):
			i += 2
			continue
		case ch < 0x80:
			emit(line[i:i+1], i, i+1)
		default:
			r, n := utf8.DecodeRuneInString(line[i:])
			switch {
			case r == 0x212A: // Kelvin sign
				emit("k", i, i+n)
			case r == 0x017F: // long s
				emit("s", i, i+n)
			case isUnicodeSpace(r):
				emit(" ", i, i+n)
			case isZeroWidth(r):
			default:
				emit(line[i:i+n], i, i+n)
			}
			i += n
			continue
		}
		i++
	}
	c.text = b.String()
	c.line = line
	if cut := leadingNoise(c.text); cut > 0 {
		// keep the indentation, drop the quote and the prompt after it
		ind := skipBlank(c.text, 0)
		c.text = c.text[:ind] + c.text[cut:]
		c.start = append(c.start[:ind:ind], c.start[cut:]...)
		c.end = append(c.end[:ind:ind], c.end[cut:]...)
	}
	return c, c.text != line
}

// mapBack returns the bytes of the line as given that text[lo:hi] came
// from, widened over the bytes clean dropped right before and after it
// (control bytes, invalid UTF-8, zero-width characters, colour codes,
// markup) but for a backtick (the inline code's edge) and a newline. Left
// beside the mask, such a byte would join it into one word the next pass
// reads as a new secret ("<redacted>\xff").
func (c *cleaned) mapBack(lo, hi int) (int, int) {
	from, to := c.start[lo], c.end[hi-1]
	prev := 0 // where the byte before text[lo] ended in the line as given
	if lo > 0 {
		prev = c.end[lo-1]
	}
	next := len(c.line) // where the byte after text[hi-1] starts
	if hi < len(c.text) {
		next = c.start[hi]
	}
	for from > prev && c.line[from-1] != '`' && c.line[from-1] != '\n' {
		from--
	}
	for to < next && c.line[to] != '`' && c.line[to] != '\n' {
		to++
	}
	return from, to
}

// needsCleaning: line holds a byte clean would change, or starts with a
// chat quote or a prompt.
func needsCleaning(line string) bool {
	for i := 0; i < len(line); i++ {
		switch ch := line[i]; {
		case ch < 0x20 || ch >= 0x7f || ch == '\\' || ch == '`':
			return true
		case ch == '*' && isBold(line, i):
			return true
		case ch == '[' && isCSIDebris(line, i):
			return true
		}
	}
	return leadingNoise(line) > 0
}

// atEdge: line[i] has only blanks and backticks before it, or after it.
func atEdge(line string, i int) bool {
	return strings.Trim(line[:i], " \t`") == "" || strings.Trim(line[i+1:], " \t`\r") == ""
}

// isBold: line[i:] opens a markdown "**" that touches a word (a run of
// asterisks that hides a value is no markup).
func isBold(line string, i int) bool {
	if i+1 >= len(line) || line[i+1] != '*' || i > 0 && line[i-1] == '*' || i+2 < len(line) && line[i+2] == '*' {
		return false
	}
	return i+2 < len(line) && isWordByte(line[i+2]) || i > 0 && isWordByte(line[i-1])
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c >= 0x80
}

// skipEscape returns the index after the escape sequence at line[i].
func skipEscape(line string, i int) int {
	i++
	if i >= len(line) || line[i] == '\n' {
		return i // a line's end is no part of an escape
	}
	switch line[i] {
	case '[': // CSI: parameter bytes 0x30-0x3f, intermediates 0x20-0x2f, one final 0x40-0x7e
		i++
		for i < len(line) && line[i] >= 0x20 && line[i] <= 0x3f {
			i++
		}
		if i < len(line) && line[i] >= 0x40 && line[i] <= 0x7e {
			i++
		}
		return i
	case ']': // OSC: up to BEL or ESC \
		for i++; i < len(line); i++ {
			if line[i] == 0x07 {
				return i + 1
			}
			if line[i] == 0x1b && i+1 < len(line) && line[i+1] == '\\' {
				return i + 2
			}
		}
		return i
	}
	return i + 1
}

// isCSIDebris: line[i:] is "[" digits and semicolons "m" (a colour code
// whose ESC was dropped on the way: "[1;31m", "[0m", "[m").
func isCSIDebris(line string, i int) bool {
	j := i + 1
	for j < len(line) && j-i <= 12 && (line[j] >= '0' && line[j] <= '9' || line[j] == ';') {
		j++
	}
	return j < len(line) && line[j] == 'm'
}

func skipCSIDebris(line string, i int) int {
	j := i + 1
	for line[j] != 'm' {
		j++
	}
	return j + 1
}

// isMarkdownEscapable: the ASCII punctuation markdown lets one escape.
func isMarkdownEscapable(c byte) bool {
	return c > ' ' && c < 0x7f && !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z')
}

func isUnicodeSpace(r rune) bool {
	return r == 0x00a0 || r >= 0x2000 && r <= 0x200a || r == 0x202f || r == 0x205f || r == 0x3000 || r == 0x1680
}

func isZeroWidth(r rune) bool {
	return r >= 0x200b && r <= 0x200d || r == 0x2060 || r == 0xfeff || r == 0x00ad || r == utf8.RuneError
}

// leadingNoise is where a chat quote ("> ", repeated) and a device prompt
// ("R1#", "R1(config-keyring)#", "user@srx# ", "ASA(config-tunnel-ipsec)# ")
// that open s (after its indentation) end; 0 when there is neither.
func leadingNoise(s string) int {
	ind := skipBlank(s, 0)
	i := ind
	for i < len(s) && s[i] == '>' {
		i++
		for i < len(s) && s[i] == ' ' {
			i++
		}
	}
	if p := promptEnd(s, i); p > i {
		return p
	}
	if i > ind {
		return i
	}
	return 0
}

// promptEnd: a host name, an optional "(mode)", then #, > or %, directly
// followed by the command (IOS) or by one space (Junos, ASA); i when s[i:]
// opens with no prompt.
func promptEnd(s string, i int) int {
	j := i
	for j < len(s) && isHostByte(s[j]) {
		j++
	}
	if j == i || j >= len(s) {
		return i
	}
	if s[j] == '(' {
		k := strings.IndexByte(s[j:], ')')
		if k < 0 {
			return i
		}
		j += k + 1
	}
	if j >= len(s) || s[j] != '#' && s[j] != '>' && s[j] != '%' {
		return i
	}
	j++
	if j < len(s) && s[j] == ' ' {
		j++
	}
	if j >= len(s) || s[j] == ' ' {
		return i
	}
	return j
}

func isHostByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == '@' || c == '/' || c == ':'
}
