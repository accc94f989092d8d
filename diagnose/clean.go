package diagnose

import (
	"regexp"
	"strings"
)

// cleanLine turns one physical line as pasted into the text parsers match
// on: chat and markdown debris removed, tabs to spaces, the leading
// timestamp dropped. Indentation is kept: show outputs nest by it.
// fence reports a ``` line, which is dropped.
func cleanLine(raw string) (text string, fence bool) {
	s := strings.TrimRight(raw, " \r\t\f\v\x00")
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
// sync markers), "Feb 1 2026 21:44:23:" (ASA), uptime "00:44:00:",
// ISO 8601, syslog "<166>" priorities. Only the leading one is removed.
var (
	tsMonth  = regexp.MustCompile(`^\s*(?:<\d{1,3}>\s*)?(?:\d+:\s+)?[*.]?(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)\s+)?(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\s+\d{1,2}\s+(?:\d{4}\s+)?\d{1,2}:\d{2}:\d{2}(?:\.\d+)?(?:\s+[A-Z]{2,5})?:?\s*`)
	tsUptime = regexp.MustCompile(`^\s*(?:\d+:\s+)?[*.]?\d{2}:\d{2}:\d{2}(?:\.\d+)?:\s*`)
	tsISO    = regexp.MustCompile(`^\s*(?:<\d{1,3}>\s*)?\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?:?\s*`)
)

func stripTimestamp(s string) string {
	if s == "" {
		return s
	}
	// Cheap pre-check: a timestamp has a ':' within its first 40 bytes and
	// starts with a digit, '*', '.', '<', space or a capital month letter.
	c := s[0]
	if !(c == ' ' || c == '*' || c == '.' || c == '<' || (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z')) {
		return s
	}
	head := s
	if len(head) > 48 {
		head = head[:48]
	}
	if strings.IndexByte(head, ':') < 0 {
		return s
	}
	for _, re := range [...]*regexp.Regexp{tsMonth, tsISO, tsUptime} {
		if loc := re.FindStringIndex(s); loc != nil {
			return s[loc[1]:]
		}
	}
	return s
}
