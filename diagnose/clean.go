package diagnose

import (
	"encoding/binary"
	"strings"
)

// cleanLine turns one physical line as pasted into the text parsers match
// on: chat and markdown debris removed, tabs to spaces, the leading
// timestamp dropped. Indentation is kept: show outputs nest by it.
// fence reports a ``` line, which is dropped.
func cleanLine(raw string) (text string, fence bool) {
	s := trimRightSpace(raw)
	if plainLine(s) {
		// nothing below would change the line but the timestamp (most lines)
		return stripTimestamp(s), false
	}
	return cleanDebris(s)
}

// cleanScanned is cleanLine for a line whose bytes cutLine has already
// classed: debris reports a debris byte in it.
func cleanScanned(raw string, debris bool) (text string, fence bool) {
	s := trimRightSpace(raw)
	if !debris && plainStart(s) {
		return stripTimestamp(s), false
	}
	return cleanDebris(s)
}

// cleanDebris is the general case of cleanLine, s already right-trimmed.
func cleanDebris(s string) (text string, fence bool) {
	if t := strings.TrimSpace(s); strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~") {
		// A fence may carry text after it on the same line (```HUB# show ...).
		rest := strings.TrimSpace(strings.TrimLeft(t, "`~"))
		if rest == "" || isLanguageTag(rest) {
			return "", true
		}
		s = rest
	}
	if strings.HasSuffix(s, "```") {
		s = strings.TrimRight(strings.TrimSuffix(s, "```"), " ")
	}
	if strings.Contains(s, "\u00a0") {
		s = strings.ReplaceAll(s, "\u00a0", " ") // no-break spaces from web pages and chat
	}
	if strings.IndexByte(s, '\t') >= 0 {
		s = strings.ReplaceAll(s, "\t", "    ")
	}
	if strings.IndexByte(s, '\\') >= 0 {
		s = unescapeMarkdown(s)
	}
	if strings.Contains(s, "**") {
		s = strings.ReplaceAll(s, "**", "")
	}
	if strings.HasPrefix(s, "> ") || s == ">" {
		// chat quote
		s = strings.TrimPrefix(strings.TrimPrefix(s, ">"), " ")
	}
	if strings.IndexByte(s, '`') >= 0 && strings.Count(s, "`")%2 == 0 {
		s = strings.ReplaceAll(s, "`", "")
	}
	s = stripTimestamp(s)
	return s, false
}

// debrisByte marks the bytes that start chat or markdown debris cleanLine
// removes: backticks (fences, inline code), a no-break space's first byte,
// tabs, markdown escapes and bold.
var debrisByte = [256]bool{'`': true, 0xc2: true, '\t': true, '\\': true, '*': true}

// plainLine reports that cleanLine has nothing to remove from s but a
// timestamp: no debris byte ('*' only as "**": IOS timestamps start with
// one), no "~~~" fence, no "> " chat quote. One pass, no allocation.
func plainLine(s string) bool { return !hasDebris(s) && plainStart(s) }

// hasDebris reports a debris byte in s ('*' only as "**").
func hasDebris(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !debrisByte[c] {
			continue
		}
		if c != '*' || i+1 < len(s) && s[i+1] == '*' {
			return true
		}
	}
	return false
}

// plainStart: s opens with no "> " chat quote and no "~~~" fence (which may
// follow any leading white space TrimSpace removes).
func plainStart(s string) bool {
	if len(s) > 0 && s[0] == '>' {
		return false
	}
	t := skipSpaces(s, 0)
	return t == len(s) || s[t] != '~' && s[t] >= 0x20 && s[t] < 0x80
}

// Byte classes for cutLine's one pass over the input.
const (
	classCtrl   = 1 << iota // a control byte: the line is sanitised
	classDebris             // a byte cleanLine may remove (debrisByte)
	classStar               // '*': debris only as "**"
	classNewline
)

var byteClass = func() (t [256]uint8) {
	for c := 0; c < 0x20; c++ {
		t[c] = classCtrl
	}
	for c, d := range debrisByte {
		if d {
			t[c] = classDebris
		}
	}
	t['*'] = classStar
	t['\n'] = classNewline
	return t
}()

// load8 reads text[i:i+8] as one little-endian word (the compiler makes
// it one load).
func load8(s string, i int) uint64 {
	s = s[i : i+8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

const (
	ones8  = 0x0101010101010101
	highs8 = 0x8080808080808080
)

// zero8 is non-zero when a byte of x is zero (the classic bit trick: a
// borrow out of a zero byte sets its high bit).
func zero8(x uint64) uint64 { return (x - ones8) &^ x & highs8 }

// special8 reports whether one of the eight bytes of x has a byteClass:
// below 0x20 (newline, tab, control), or one of the debris bytes.
func special8(x uint64) bool {
	return (x-0x20*ones8)&^x&highs8|
		zero8(x^('`'*ones8))|zero8(x^('\\'*ones8))|zero8(x^('*'*ones8))|zero8(x^(0xc2*ones8)) != 0
}

// cutLine returns text's first line (without its newline) and the rest,
// and in one pass what plainLine and validText would find: ctrl, a control
// byte other than a tab (a trailing CR included); debris, a byte cleanLine
// would remove.
func cutLine(text string) (line, rest string, ctrl, debris bool) {
	var class uint8
	i := 0
	for {
		// Eight bytes at a time while none of them is a newline, a control
		// byte or a debris byte (most of a line's bytes); a word that holds
		// one is looked at byte by byte.
		end := len(text)
		if i+8 <= len(text) {
			if !special8(load8(text, i)) {
				i += 8
				continue
			}
			end = i + 8
		}
		for ; i < end; i++ {
			c := byteClass[text[i]]
			if c == 0 {
				continue
			}
			if c == classNewline {
				return text[:i], text[i+1:], class&classCtrl != 0, class&classDebris != 0
			}
			if c == classStar {
				if i+1 < len(text) && text[i+1] == '*' {
					class |= classDebris
				}
				continue
			}
			class |= c
		}
		if i >= len(text) {
			return text, "", class&classCtrl != 0, class&classDebris != 0
		}
	}
}

// trimRightSpace drops trailing spaces, tabs, CR, FF, VT and NUL (by hand:
// strings.TrimRight builds its character set on every call, and this runs
// on every line).
func trimRightSpace(s string) string {
	i := len(s)
	for i > 0 {
		switch s[i-1] {
		case ' ', '\r', '\t', '\f', '\v', 0:
			i--
			continue
		}
		break
	}
	return s[:i]
}

func isLanguageTag(s string) bool {
	if len(s) > 12 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '+') {
			return false
		}
	}
	return true
}

// unescapeMarkdown drops the backslash of markdown escapes (MM\_WAIT\_MSG2,
// \#pkts) and keeps every other backslash.
func unescapeMarkdown(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\\' && i+1 < len(s) && strings.IndexByte("_*#[]()<>`|~-.!+{}", s[i+1]) >= 0 {
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// Timestamps devices and loggers put before a line: IOS "*Feb  1
// 21:44:23.315:" (with an optional "000123: " sequence number and ".", "*"
// sync markers, a time zone), "Feb 1 2026 21:44:23:" (ASA), uptime
// "00:44:00:", ISO 8601, syslog "<166>" priorities, a weekday. Only the
// leading one is removed. Hand-written: it runs on every line.
func stripTimestamp(s string) string {
	i := skipSpaces(s, 0)
	if i < len(s) && s[i] == '<' { // syslog priority
		j := i + 1
		for j < len(s) && isDigit(s[j]) {
			j++
		}
		if j < len(s) && s[j] == '>' && j > i+1 {
			i = skipSpaces(s, j+1)
		}
	}
	// "000123: " sequence number (not a time: a time has a second colon)
	if j := digits(s, i); j > i && j < len(s) && s[j] == ':' && j+1 < len(s) && s[j+1] == ' ' {
		i = skipSpaces(s, j+1)
	}
	if i < len(s) && (s[i] == '*' || s[i] == '.') {
		i++
	}
	if j, ok := isoStamp(s, i); ok {
		return s[j:]
	}
	if j, ok := monthStamp(s, i); ok {
		return s[j:]
	}
	if j, ok := clock(s, i); ok && j < len(s) && s[j] == ':' {
		return s[skipSpaces(s, j+1):]
	}
	return s
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func skipSpaces(s string, i int) int {
	for i < len(s) && s[i] == ' ' {
		i++
	}
	return i
}

func digits(s string, i int) int {
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	return i
}

// clock reads hh:mm:ss[.frac] at i.
func clock(s string, i int) (int, bool) {
	j := digits(s, i)
	if j-i < 1 || j-i > 2 || j >= len(s) || s[j] != ':' {
		return 0, false
	}
	k := digits(s, j+1)
	if k-j-1 != 2 || k >= len(s) || s[k] != ':' {
		return 0, false
	}
	m := digits(s, k+1)
	if m-k-1 != 2 {
		return 0, false
	}
	if m < len(s) && (s[m] == '.' || s[m] == ',') && m+1 < len(s) && isDigit(s[m+1]) {
		m = digits(s, m+1)
	}
	return m, true
}

// key3 packs three letters into one number, so that a month or weekday
// name is found with one switch instead of a comparison with every name
// (this runs on every line).
func key3(s string, i int) uint32 { return uint32(s[i])<<16 | uint32(s[i+1])<<8 | uint32(s[i+2]) }

const (
	kJan = 'J'<<16 | 'a'<<8 | 'n'
	kFeb = 'F'<<16 | 'e'<<8 | 'b'
	kMar = 'M'<<16 | 'a'<<8 | 'r'
	kApr = 'A'<<16 | 'p'<<8 | 'r'
	kMay = 'M'<<16 | 'a'<<8 | 'y'
	kJun = 'J'<<16 | 'u'<<8 | 'n'
	kJul = 'J'<<16 | 'u'<<8 | 'l'
	kAug = 'A'<<16 | 'u'<<8 | 'g'
	kSep = 'S'<<16 | 'e'<<8 | 'p'
	kOct = 'O'<<16 | 'c'<<8 | 't'
	kNov = 'N'<<16 | 'o'<<8 | 'v'
	kDec = 'D'<<16 | 'e'<<8 | 'c'
	kMon = 'M'<<16 | 'o'<<8 | 'n'
	kTue = 'T'<<16 | 'u'<<8 | 'e'
	kWed = 'W'<<16 | 'e'<<8 | 'd'
	kThu = 'T'<<16 | 'h'<<8 | 'u'
	kFri = 'F'<<16 | 'r'<<8 | 'i'
	kSat = 'S'<<16 | 'a'<<8 | 't'
	kSun = 'S'<<16 | 'u'<<8 | 'n'
)

func isMonth(k uint32) bool {
	switch k {
	case kJan, kFeb, kMar, kApr, kMay, kJun, kJul, kAug, kSep, kOct, kNov, kDec:
		return true
	}
	return false
}

func isWeekday(k uint32) bool {
	switch k {
	case kMon, kTue, kWed, kThu, kFri, kSat, kSun:
		return true
	}
	return false
}

// monthStamp reads "[Wkd ]Mmm dd [yyyy ]hh:mm:ss[.frac][ TZ][:] ".
func monthStamp(s string, i int) (int, bool) {
	if i+3 > len(s) || s[i] < 'A' || s[i] > 'Z' {
		return 0, false
	}
	if len(s)-i >= 4 && s[i+3] == ' ' && isWeekday(key3(s, i)) {
		i += 4
	}
	if i+4 > len(s) {
		return 0, false
	}
	ok := isMonth(key3(s, i))
	if !ok || s[i+3] != ' ' {
		return 0, false
	}
	j := skipSpaces(s, i+3)
	k := digits(s, j)
	if k-j < 1 || k-j > 2 || k >= len(s) || s[k] != ' ' {
		return 0, false
	}
	j = skipSpaces(s, k)
	if y := digits(s, j); y-j == 4 && y < len(s) && s[y] == ' ' {
		j = skipSpaces(s, y)
	}
	e, ok := clock(s, j)
	if !ok {
		return 0, false
	}
	// optional time zone: " UTC", " EDT"
	if e+1 < len(s) && s[e] == ' ' {
		z := e + 1
		for z < len(s) && s[z] >= 'A' && s[z] <= 'Z' && z-e <= 5 {
			z++
		}
		if n := z - e - 1; n >= 2 && n <= 5 && (z == len(s) || s[z] == ':' || s[z] == ' ') {
			e = z
		}
	}
	if e < len(s) && s[e] == ':' {
		e++
	}
	return skipSpaces(s, e), true
}

// isoStamp reads "yyyy-mm-dd[T ]hh:mm:ss[.frac][Z|+hh:mm][:] ".
func isoStamp(s string, i int) (int, bool) {
	if i+19 > len(s) || digits(s, i) != i+4 || s[i+4] != '-' || digits(s, i+5) != i+7 || s[i+7] != '-' || digits(s, i+8) != i+10 || (s[i+10] != 'T' && s[i+10] != ' ') {
		return 0, false
	}
	e, ok := clock(s, i+11)
	if !ok {
		return 0, false
	}
	if e < len(s) && s[e] == 'Z' {
		e++
	} else if e+5 <= len(s) && (s[e] == '+' || s[e] == '-') && isDigit(s[e+1]) {
		e = digits(s, e+1)
		if e < len(s) && s[e] == ':' && e+1 < len(s) && isDigit(s[e+1]) {
			e = digits(s, e+1)
		}
	}
	if e < len(s) && s[e] == ':' {
		e++
	}
	return skipSpaces(s, e), true
}

// classBytes is cutLine's classing for a line read as bytes (no newline in
// it): ctrl, a control byte other than a tab; debris, a byte cleanLine may
// remove.
func classBytes(b []byte) (ctrl, debris bool) {
	var class uint8
	for i := 0; i < len(b); i++ {
		if i+8 <= len(b) && !special8(binary.LittleEndian.Uint64(b[i:])) {
			i += 7
			continue
		}
		c := byteClass[b[i]]
		if c == 0 {
			continue
		}
		if c == classStar {
			if i+1 < len(b) && b[i+1] == '*' {
				class |= classDebris
			}
			continue
		}
		class |= c
	}
	return class&(classCtrl|classNewline) != 0, class&classDebris != 0
}
