package redact

import (
	"strings"
)

// Mask replaces every secret.
const Mask = "<redacted>"

// Line returns line with every secret replaced by Mask.
//
// The rules run twice: on the line as given and on a cleaned copy (ANSI
// colour codes and their debris, markdown escapes, backticks and bold,
// chat quotes, a device prompt, no-break and zero-width spaces, control
// bytes removed), the copy the diagnosis engine reads. A secret found in
// the cleaned copy is blanked in the line as given, over the bytes it came
// from. Hex dump rows, which carry session keys and decrypted payloads in
// verbose debugs, are blanked whatever heading they follow.
func Line(line string) string {
	found := wordsIn(line)
	var spans []span
	if found != (wordSet{}) || isRowShaped(line) {
		spans = findSecrets(line, found, spans, nil)
	}
	if c, ok := clean(line); ok {
		spans = findSecrets(c.text, wordsIn(c.text), spans, &c)
	}
	if len(spans) == 0 {
		return line
	}
	return maskSpans(line, spans)
}

// Text redacts every line of s.
func Text(s string) string {
	var b strings.Builder
	done := 0 // s[:done] is in b (once a line changed)
	for at := 0; at <= len(s); {
		end := strings.IndexByte(s[at:], '\n')
		if end < 0 {
			end = len(s)
		} else {
			end += at
		}
		l := s[at:end]
		if r := Line(l); r != l {
			if b.Len() == 0 {
				b.Grow(len(s))
			}
			b.WriteString(s[done:at])
			b.WriteString(r)
			done = end
		}
		at = end + 1
	}
	if done == 0 && b.Len() == 0 {
		return s
	}
	b.WriteString(s[done:])
	return b.String()
}

// everyRule turns the word filter off (tests compare with and without it).
var everyRule = false

// span is a secret's place in the line as given: bytes [lo, hi).
type span struct{ lo, hi int }

// findSecrets appends the secrets in text, which holds the rule words
// found, to spans. c maps text's bytes back to the line as given (nil:
// text is that line).
func findSecrets(text string, found wordSet, spans []span, c *cleaned) []span {
	// (?i) also folds non-ASCII letters (the Kelvin sign is a "k"); clean
	// folds those two, so the word filter holds on its copy and on any
	// line without them.
	filter := !everyRule && (c != nil || !strings.ContainsRune(text, 0x212A) && !strings.ContainsRune(text, 0x017F))
	add := func(lo, hi int) {
		if lo < 0 || lo >= hi {
			return // the group took no part in the match
		}
		// inline code around the secret is markup: "`abc`" is abc, and a
		// doc's "`key KEY`," holds the placeholder KEY
		closing := func(from int) int { // where "`" or "`," ends the token, or -1
			if k := strings.IndexAny(text[from:hi], "\x00`"); k >= 0 && hi-(from+k) <= 2 && strings.Trim(text[from+k+1:hi], ".,;:") == "" {
				return from + k
			}
			return -1
		}
		if text[lo] == 0 || text[lo] == '`' {
			if k := closing(lo + 1); k > lo+1 {
				lo, hi = lo+1, k
			}
		} else if k := closing(lo); k > lo {
			hi = k // "KEY`," closing inline code
		}
		if lo >= hi {
			return
		}
		if q := text[lo]; (q == '"' || q == '\'') && hi-lo >= 2 && text[hi-1] == q {
			// a quoted secret runs on to the end of its word: 'a'b is one key
			for hi < len(text) && text[hi] != ' ' && text[hi] != '\t' && text[hi] != ';' {
				hi++
			}
		}
		if alreadyMasked(text[lo:hi]) || placeholder(text, lo) {
			return
		}
		if c != nil {
			lo, hi = c.mapBack(lo, hi)
		}
		spans = append(spans, span{lo, hi})
	}
	hex16 := -1 // hasHex16(text), worked out when a rule asks
	for i := range rules {
		r := &rules[i]
		if filter && (!found.any(r.wordSet) || !opensWith(text, r.first)) {
			continue
		}
		if filter && r.hex16 {
			if hex16 < 0 {
				hex16 = 0
				if hasHex16(text) {
					hex16 = 1
				}
			}
			if hex16 == 0 {
				continue
			}
		}
		for _, m := range r.re.FindAllStringSubmatchIndex(text, -1) {
			for _, g := range r.groups {
				add(m[2*g], m[2*g+1])
			}
		}
	}
	if lo, hi, ok := hexRow(text); ok {
		add(lo, hi)
	}
	return spans
}

// alreadyMasked: values a device or a person already hid, or the
// placeholders documentation writes (KEY, X, ...).
func alreadyMasked(v string) bool {
	if w := strings.ToLower(v); proseWords[w] || len(w) > 4 && (w[len(w)-1] == '.' || w[len(w)-1] == ',') && proseWords[w[:len(w)-1]] {
		return true // "... password query."
	}
	if len(v) > 2 && (v[0] == '[' && v[len(v)-1] == ']' || v[0] == '{' && v[len(v)-1] == '}') && strings.Contains(v, "|") {
		return true // syntax notation: [0|6], {key | hex key}
	}
	if q := strings.Trim(v, `"'`); len(q) == len(v)-2 {
		v = q
	}
	if v == "" || v == Mask || v == "KEY" || v == "X" || v == "..." || v == "…" || strings.EqualFold(v, "ENC") || strings.EqualFold(v, "<removed>") || strings.EqualFold(v, "<redacted>") {
		return true
	}
	return strings.Trim(v, "*") == "" || v == "%prompt" || onlyMasks(v)
}

// onlyMasks: v is masks and blanks ("<redacted> <redacted>", where two
// rules each took a word of a value a third reads whole).
func onlyMasks(v string) bool {
	words := strings.Fields(v)
	for _, w := range words {
		if w != Mask {
			return false
		}
	}
	return len(words) > 0
}

// proseWords are words that follow "password" or "key" in messages, not
// secrets ("bad password supplied", "key mismatch"): never masked.
var proseWords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`for was are received supplied sent mismatch mismatched failed failure
		incorrect invalid wrong ok expired required changed accepted rejected prompt missing none not
		configured matched match matching from the and with has have error exchange
		length lifetime index type chain string succeeded successful success authenticated
		started done complete completed pending enabled disabled timeout command commands query request`) {
		proseWords[w] = true
	}
}

// placeholder: text[lo:] opens with a placeholder for a secret, as docs
// and fix texts write one: "<the key A uses>", "<password>" (words in
// angle brackets, ending a word, with a space or naming what they stand
// for). "<0822455D>" or "<angle>key" are keys.
func placeholder(text string, lo int) bool {
	if text[lo] != '<' {
		return false
	}
	end := strings.IndexByte(text[lo:], '>')
	if end < 2 {
		return false
	}
	inner := text[lo+1 : lo+end]
	if after := lo + end + 1; after < len(text) && !strings.ContainsRune(" \t\"';)}", rune(text[after])) {
		return false
	}
	if strings.ContainsAny(inner, "<\"'") {
		return false
	}
	if strings.Contains(inner, " ") {
		return true
	}
	low := strings.ToLower(inner)
	for _, w := range []string{"key", "secret", "pass", "psk", "community", "string", "value"} {
		if strings.Contains(low, w) {
			return true
		}
	}
	return false
}

// maskSpans replaces the spans (in any order, maybe overlapping) with Mask.
func maskSpans(line string, spans []span) string {
	// sort by start; few spans, insertion sort
	for i := 1; i < len(spans); i++ {
		for j := i; j > 0 && spans[j].lo < spans[j-1].lo; j-- {
			spans[j], spans[j-1] = spans[j-1], spans[j]
		}
	}
	var b strings.Builder
	b.Grow(len(line))
	at := 0
	for i := 0; i < len(spans); {
		lo, hi := spans[i].lo, spans[i].hi
		for i++; i < len(spans) && spans[i].lo < hi; i++ {
			hi = max(hi, spans[i].hi)
		}
		if lo < at {
			lo = at
		}
		b.WriteString(line[at:lo])
		b.WriteString(Mask)
		at = max(at, hi)
	}
	b.WriteString(line[at:])
	return b.String()
}

// opensWith: text, after its indentation (the regexps' \s), opens with
// one of words, ignoring ASCII case (any line when there are none).
func opensWith(text string, words []string) bool {
	if len(words) == 0 {
		return true
	}
	t := strings.TrimLeft(text, " \t\n\v\f\r")
	for _, w := range words {
		if hasPrefixFold(t, w) {
			return true
		}
	}
	return false
}

// hasHex16: text holds 16 hex digits in a run that single spaces or
// colons may part.
func hasHex16(text string) bool {
	n := 0
	for i := 0; i < len(text); i++ {
		switch c := text[i]; {
		case isHex(c):
			if n++; n >= 16 {
				return true
			}
		case (c == ' ' || c == ':') && i > 0 && text[i-1] != ' ' && text[i-1] != ':':
		default:
			n = 0
		}
	}
	return false
}
