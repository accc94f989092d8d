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
	if !mayHoldSecret(line) {
		return line
	}
	var spans []span
	spans = findSecrets(line, spans, nil)
	if c, ok := clean(line); ok {
		spans = findSecrets(c.text, spans, &c)
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

// findSecrets appends the secrets in text to spans. c maps text's bytes
// back to the line as given (nil: text is that line).
func findSecrets(text string, spans []span, c *cleaned) []span {
	low, ascii := lowerASCII(text)
	add := func(lo, hi int) {
		if lo >= hi || alreadyMasked(text[lo:hi]) || placeholder(text, lo) {
			return
		}
		if c != nil {
			lo, hi = c.start[lo], c.end[hi-1]
		}
		spans = append(spans, span{lo, hi})
	}
	for i := range rules {
		r := &rules[i]
		// (?i) also folds non-ASCII letters (the Kelvin sign is a "k");
		// clean folds those two, so the word filter holds on its copy
		// and on any ASCII line.
		if (ascii || c != nil) && !everyRule && !holdsAny(low, r.words) {
			continue
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

// alreadyMasked: values a device or a person already hid.
func alreadyMasked(v string) bool {
	if proseWords[strings.ToLower(v)] {
		return true
	}
	if q := strings.Trim(v, `"'`); len(q) == len(v)-2 {
		v = q
	}
	if v == "" || v == Mask || strings.EqualFold(v, "ENC") || strings.EqualFold(v, "<removed>") || strings.EqualFold(v, "<redacted>") {
		return true
	}
	return strings.Trim(v, "*") == "" || v == "%prompt"
}

// proseWords are words that follow "password" or "key" in messages, not
// secrets ("bad password supplied", "key mismatch"): never masked.
var proseWords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`for is was are received supplied sent mismatch mismatched failed failure
		incorrect invalid wrong ok expired required changed accepted rejected prompt missing none not
		configured matched match matching from to in on the a an of and or with has have error exchange
		length lifetime id index type chain string succeeded successful success authenticated
		started done complete completed pending enabled disabled timeout`) {
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
			return strings.ToLower(s), false
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
