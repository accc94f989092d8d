package diagnose

// Reference copies of the reader's line functions as they were before the
// hand-tuned versions (session 3): the tuned ones must give the same answer
// on every input (TestReaderMatchesReference, FuzzReaderMatchesReference).

import "strings"

func cleanLineRef(raw string) (text string, fence bool) {
	s := trimRightSpace(raw)
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
	s = stripTimestampRef(s)
	return s, false
}

func stripTimestampRef(s string) string {
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
	if j, ok := monthStampRef(s, i); ok {
		return s[j:]
	}
	if j, ok := clock(s, i); ok && j < len(s) && s[j] == ':' {
		return s[skipSpaces(s, j+1):]
	}
	return s
}

func monthStampRef(s string, i int) (int, bool) {
	if i+3 > len(s) || s[i] < 'A' || s[i] > 'Z' {
		return 0, false
	}
	for _, w := range weekdays {
		if len(s)-i >= 4 && s[i:i+4] == w {
			i += 4
			break
		}
	}
	if i+4 > len(s) {
		return 0, false
	}
	ok := false
	for _, m := range months {
		if s[i:i+3] == m {
			ok = true
			break
		}
	}
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

var months = [...]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}
var weekdays = [...]string{"Mon ", "Tue ", "Wed ", "Thu ", "Fri ", "Sat ", "Sun "}

func debugShapedRef(s string) bool {
	if s == "" {
		return false
	}
	if s[0] == '%' || s[0] == '[' || strings.HasPrefix(s, "Group = ") || strings.HasPrefix(s, "IP = ") || strings.Contains(s, "charon") {
		return true
	}
	head := s
	if len(head) > 16 {
		head = head[:16]
	}
	if i := strings.IndexByte(head, '('); i > 0 && !strings.Contains(head[:i], " ") || strings.HasPrefix(s, "ISAKMP (") || strings.HasPrefix(s, "ISAKMP:") {
		return true
	}
	if i := strings.Index(head, "["); i > 0 && i <= 3 {
		return true // strongSwan "09[IKE]"
	}
	return strings.HasPrefix(s, "CryptoEngine") || strings.HasPrefix(s, "CRYPTO_")
}

func parsePromptRef(line string) (host, command string, ok bool) {
	if len(line) == 0 || len(line) > 400 {
		return "", "", false
	}
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
