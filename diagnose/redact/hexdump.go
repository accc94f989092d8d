package redact

import "strings"

// Hex dumps in verbose debugs. A dump row carries no word that says what
// it holds: the heading line before it does ("Sk_ei secret => 32 bytes @
// 0x...", "ESP encrypt key:", "plain => 84 bytes", a packet), and a line
// is redacted on its own. So every dump row is blanked, whatever its
// heading: the rows of a session key, a DH secret, a decrypted payload
// (which holds XAuth/EAP passwords) cannot be told from those of a nonce
// or a packet, and no diagnosis quotes a dump row. The heading lines stay
// as they are unless they carry the value inline (see the session-key
// rules), and public values on a heading line (nonces, DH public values,
// SPIs, cookies) are left alone: they travel in clear on the wire.
//
// The row shapes:
//   - strongSwan (src/libstrongswan/utils/utils/memory.c, mem_printf_hook):
//     "%4d: " offset, up to 16 upper-case byte pairs, two spaces, ASCII;
//     each row a log line of its own (with the logger's prefix).
//   - libreswan (lib/libswan/llog_dump.c, llog_dump): a debug line "| "
//     then up to four groups of four lower-case pairs, the groups two
//     spaces apart, then the ASCII column.
//   - Cisco ASA/IOS debugs at high levels: indented rows of pairs under a
//     "Data:" heading.
//   - FortiGate "ike" debug: a packet, a decrypted payload ("dec") or a
//     key in one run of hex digits, wrapped onto lines that hold nothing
//     but hex (a key's tail may be short).
//   - PEM blocks (a private key pasted with a config: FortiGate "set
//     private-key", strongSwan private/): lines of nothing but base64.

// hexRow reports a dump row in line and the bytes to blank: from the first
// byte pair to the end of the line (the ASCII column shows the same bytes).
func hexRow(line string) (lo, hi int, ok bool) {
	end := len(line)
	for end > 0 && (line[end-1] == ' ' || line[end-1] == '\t' || line[end-1] == '\r') {
		end--
	}
	if end == 0 {
		return 0, 0, false
	}
	// a line of nothing but hex digits (a wrapped FortiGate dump), or of
	// base64 (a PEM private key's body, a wrapped encrypted value)
	i := skipBlank(line, 0)
	if j := hexRun(line, i); j == end && (j-i >= 32 || j-i >= 8 && hexWord(line[i:j])) {
		return i, end, true
	}
	if isBase64Line(line[i:end]) {
		return i, end, true
	}
	// where a row can start: after the line's indentation, after the
	// last "|" (libreswan), after the first "]" (a charon thread tag), after
	// an offset "NNN: "
	var buf [10]rowStart
	for _, at := range rowStarts(buf[:0], line[:end]) {
		if n, ok := pairsToEnd(line[:end], at.i); ok && (n >= at.min) {
			return skipBlank(line, at.i), end, true
		}
	}
	return 0, 0, false
}

// isRowShaped: line is a dump row.
func isRowShaped(line string) bool {
	_, _, ok := hexRow(line)
	return ok
}

type rowStart struct{ i, min int }

// rowStarts lists the places a dump row's first pair may follow, each with
// the fewest pairs that make it a row there.
func rowStarts(out []rowStart, line string) []rowStart {
	if ind := skipBlank(line, 0); ind > 0 {
		out = append(out, rowStart{ind, 4})
	}
	for k := 0; k < len(line); k++ {
		switch c := line[k]; {
		case c == '|' && k+1 < len(line) && line[k+1] == ' ':
			out = append(out, rowStart{k + 1, 1})
		case c == ']' && k+1 < len(line) && line[k+1] == ' ':
			out = append(out, rowStart{k + 1, 4})
		case c == ':' && k > 0 && isDigit(line[k-1]) && k+1 < len(line) && line[k+1] == ' ':
			if off, ok := dumpOffset(line, k); ok {
				min := 1 // a dump's last row may hold one byte
				if off == 0 {
					min = 4
				}
				out = append(out, rowStart{k + 1, min})
			}
		}
		if len(out) > 8 {
			break
		}
	}
	return out
}

// dumpOffset reads the offset ending at line[colon]: strongSwan prints it
// "%4d", a multiple of 16 right-aligned in four columns after a blank (or
// the line start, or a thread tag's "]").
func dumpOffset(line string, colon int) (int, bool) {
	d := colon
	for d > 0 && isDigit(line[d-1]) {
		d--
	}
	if colon-d > 6 {
		return 0, false
	}
	off := 0
	for _, c := range []byte(line[d:colon]) {
		off = off*10 + int(c-'0')
	}
	if off%16 != 0 {
		return 0, false
	}
	for p := colon - 4; p < d; p++ { // the padding
		if p >= 0 && line[p] != ' ' {
			return 0, false
		}
	}
	if d > 0 && line[d-1] != ' ' && line[d-1] != ']' {
		return 0, false
	}
	return off, true
}

// pairsToEnd: from i, blanks then byte pairs one or two spaces apart, then
// the end of the line or an ASCII column (at least two blanks, then at most
// 16 characters); n counts the pairs.
func pairsToEnd(line string, i int) (n int, ok bool) {
	i = skipBlank(line, i)
	for {
		if i+2 > len(line) || !isHex(line[i]) || !isHex(line[i+1]) || i+2 < len(line) && line[i+2] != ' ' {
			return n, false
		}
		n++
		i += 2
		if i == len(line) {
			return n, true
		}
		j := skipBlank(line, i)
		if j == len(line) {
			return n, true
		}
		if j-i <= 2 && j+2 <= len(line) && isHex(line[j]) && isHex(line[j+1]) && (j+2 == len(line) || line[j+2] == ' ') && n < 16 {
			i = j
			continue
		}
		// the ASCII column
		return n, j-i >= 2 && len(line)-j <= 16
	}
}

// hexWord: a run of hex digits with a digit and a letter in it, so no
// number and no word (the short tail of a wrapped key).
func hexWord(s string) bool {
	return strings.ContainsAny(s, "0123456789") && strings.ContainsAny(s, "abcdefABCDEF")
}

// isBase64Line: s is one run of 40 or more base64 characters (or 8 or
// more ending in "=" padding, a PEM body's last line), digits or '+', '/'
// among them (no word of prose).
func isBase64Line(s string) bool {
	if len(s) < 40 && (len(s) < 8 || s[len(s)-1] != '=') {
		return false
	}
	mixed := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9' || c == '+' || c == '/':
			mixed = true
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
		case c == '=' && i >= len(s)-2:
		default:
			return false
		}
	}
	return mixed
}

// hexRun returns the end of the run of hex digits at line[i].
func hexRun(line string, i int) int {
	for i < len(line) && isHex(line[i]) {
		i++
	}
	return i
}

func skipBlank(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	return i
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
