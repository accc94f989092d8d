package diagnose

import "strings"

// physLine makes one physical line of input readable: cut at MaxLineBytes
// (the rest of an over-long line is not read), its line end dropped, and
// terminal escape sequences (colours) and control bytes other than tabs
// removed (CR, NULs, binary junk: nothing a device prints as text). The
// result is the line as evidence quotes it.
func physLine(s string) string {
	if len(s) > MaxLineBytes {
		s = s[:MaxLineBytes]
	}
	for len(s) > 0 && (s[len(s)-1] == '\n' || s[len(s)-1] == '\r') {
		s = s[:len(s)-1]
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 && c != '\t' {
			return dropControls(s)
		}
	}
	return s
}

// dropControls removes terminal escape sequences and every control byte
// but the tab.
func dropControls(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == 0x1b:
			i = escapeEnd(s, i) - 1
		case c >= 0x20 || c == '\t':
			b.WriteByte(c)
		}
	}
	return b.String()
}

// escapeEnd returns where the escape sequence that starts at s[i] (ESC)
// ends: a CSI "ESC [ parameters intermediates final" (colours, cursor
// moves, erase), an OSC "ESC ] text" up to BEL or "ESC \\" (window titles,
// links), or ESC with intermediates and one final byte ("ESC ( B").
func escapeEnd(s string, i int) int {
	i++
	if i < len(s) && s[i] == '[' {
		i++
		for i < len(s) && s[i] >= 0x20 && s[i] <= 0x3f {
			i++
		}
	} else if i < len(s) && s[i] == ']' {
		for i++; i < len(s); i++ {
			if s[i] == 0x07 {
				return i + 1
			}
			if s[i] == 0x1b && i+1 < len(s) && s[i+1] == '\\' {
				return i + 2
			}
		}
		return i
	} else {
		for i < len(s) && s[i] >= 0x20 && s[i] <= 0x2f {
			i++
		}
	}
	if i < len(s) && s[i] >= 0x30 && s[i] <= 0x7e {
		i++
	}
	return i
}

// colourDebris returns the length of a colour code whose ESC was lost on
// the way (a chat client or a copy dropped it) at s[i:]: "[1;32m", "[0m",
// "[m"; 0 when there is none.
func colourDebris(s string, i int) int {
	if s[i] != '[' {
		return 0
	}
	j := i + 1
	for j < len(s) && j-i <= 12 && (isDigit(s[j]) || s[j] == ';') {
		j++
	}
	if j < len(s) && s[j] == 'm' {
		return j + 1 - i
	}
	return 0
}

// dropColourDebris removes colour codes whose ESC was lost.
func dropColourDebris(s string) string {
	var b strings.Builder
	from := 0 // s[from:] is still to be copied
	for i := 0; ; {
		j := strings.IndexByte(s[i:], '[')
		if j < 0 {
			break
		}
		i += j
		n := colourDebris(s, i)
		if n == 0 {
			i++
			continue
		}
		b.WriteString(s[from:i])
		i += n
		from = i
	}
	if from == 0 {
		return s
	}
	b.WriteString(s[from:])
	return b.String()
}

// cleanLine turns one physical line as pasted into the text parsers match
// on: chat and markdown debris and colour codes that lost their ESC
// removed, tabs to spaces, the leading timestamp dropped. Indentation is kept: show outputs nest by it.
// fence reports a ``` line, which is dropped.
func cleanLine(raw string) (text string, fence bool) {
	s := trimRightSpace(raw)
	if strings.IndexByte(s, '[') >= 0 {
		s = trimRightSpace(dropColourDebris(s))
	}
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
	return stripTimestamp(s), false
}

// trimRightSpace drops trailing spaces, tabs, CR, FF, VT and NUL.
func trimRightSpace(s string) string {
	for len(s) > 0 {
		switch s[len(s)-1] {
		case ' ', '\r', '\t', '\f', '\v', 0:
			s = s[:len(s)-1]
			continue
		}
		break
	}
	return s
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
// leading one is removed.
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

func isMonth(s string) bool {
	switch s {
	case "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec":
		return true
	}
	return false
}

func isWeekday(s string) bool {
	switch s {
	case "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun":
		return true
	}
	return false
}

// monthStamp reads "[Wkd ]Mmm dd [yyyy ]hh:mm:ss[.frac][ TZ][:] ".
func monthStamp(s string, i int) (int, bool) {
	if i+3 > len(s) || s[i] < 'A' || s[i] > 'Z' {
		return 0, false
	}
	if i+4 <= len(s) && s[i+3] == ' ' && isWeekday(s[i:i+3]) {
		i += 4
	}
	if i+4 > len(s) || s[i+3] != ' ' || !isMonth(s[i:i+3]) {
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
