package diagnose

import (
	"bufio"
	"io"
	"regexp"
	"strings"

	"github.com/tunneldoc/tunneldoc/diagnose/facts"
)

// engine holds one diagnosis in progress. It reads the input once, line
// by line, on the caller's goroutine, cutting it into sections as it goes:
// a log line is matched as soon as it is whole (a wrapped one once its
// last part is read), a show section is parsed when it ends. Memory is
// bounded by the show section being read (MaxSectionLines), the events
// kept (MaxEventsPerKey, MaxEvents), the facts (MaxFacts) and the lines
// they quote.
type engine struct {
	opts        Options
	parsers     []facts.Parser
	lineParsers []facts.LineParser
	anchors     [][]anchorGrams // of lineParsers[i].Signatures[j]
	cmdStart    []string        // literalStart of parsers[i].Command
	facts       *facts.Facts
	lines       int      // physical lines read
	sec         *section // the section being read; nil before the first
	nsec        int      // sections started
	pending     pendingLine
	match       matcher
	// quoted: the physical text of every line a fact points at; cont: the
	// lines that continue a wrapped log line; names: the names of the
	// sections holding quoted lines, by index
	quoted map[int]string
	cont   map[int]bool
	names  map[int]string
	// what the report says was read
	sections   []SectionInfo
	recognised int  // lines and sections a vendor reader recognised
	truncated  bool // MaxFacts reached: later show sections not parsed
	// set by the report
	peersNotRead    map[string]struct{}
	findingsDropped int
}

// section is the section being read.
type section struct {
	facts.Section
	name      string // for evidence and "what was read"
	isLog     bool
	parser    *facts.Parser   // nil: text no parser claimed (or a log)
	alts      []*facts.Parser // other parsers whose command matched, tried in turn
	raw       []string        // the physical lines of Lines, as pasted
	logVendor facts.Vendor    // a log section's vendor (its first line that mattered)
	quoted    bool            // some line of it is quoted
	long      longOutput
}

// pendingLine is the log line being assembled from wrapped physical lines.
type pendingLine struct {
	ok      bool
	line    facts.Line
	claimed uint64 // the line parsers that claim its first part
	raw     []string
}

func newEngine(opts Options) *engine {
	e := &engine{
		opts:     opts,
		facts:    &facts.Facts{},
		match:    newMatcher(),
		quoted:   map[int]string{},
		cont:     map[int]bool{},
		names:    map[int]string{},
		sections: []SectionInfo{},
	}
	e.parsers, e.lineParsers = tables(facts.Vendor(strings.ToLower(opts.Vendor)))
	for _, p := range e.parsers {
		e.cmdStart = append(e.cmdStart, literalStart(p.Command))
	}
	for _, lp := range e.lineParsers {
		a := make([]anchorGrams, len(lp.Signatures))
		for j, sig := range lp.Signatures {
			a[j] = gramsOf(sig.Anchor)
		}
		e.anchors = append(e.anchors, a)
	}
	return e
}

// readString reads text already in memory: each line is a substring of
// text, not a copy.
func (e *engine) readString(text string) {
	for len(text) > 0 {
		line, rest, _ := strings.Cut(text, "\n")
		text = rest
		e.feed(physLine(line))
	}
	e.finish()
}

// read reads r to its end, one line at a time, keeping no more of an
// over-long line than MaxLineBytes.
func (e *engine) read(r io.Reader) error {
	br := bufio.NewReaderSize(r, 64<<10)
	var long []byte
	for {
		frag, err := br.ReadSlice('\n')
		if err == bufio.ErrBufferFull || long != nil {
			// a line longer than the reader's buffer: keep its start only
			if room := MaxLineBytes + 1 - len(long); room > 0 {
				long = append(long, frag[:min(room, len(frag))]...)
			}
			if err == bufio.ErrBufferFull {
				continue
			}
			frag, long = long, nil
		}
		if len(frag) > 0 || err == nil {
			if n := len(frag); n > 0 && frag[n-1] == '\n' {
				frag = frag[:n-1]
			}
			e.feed(physLine(string(frag[:min(len(frag), MaxLineBytes)])))
		}
		if err != nil {
			e.finish()
			if err == io.EOF {
				return nil
			}
			return err
		}
	}
}

// finish ends the last section.
func (e *engine) finish() { e.endSection() }

// feed takes the next physical line.
func (e *engine) feed(raw string) {
	e.lines++
	n := e.lines
	text, fence := cleanLine(raw)
	if fence {
		e.endPending()
		return
	}
	trimmed := strings.TrimSpace(text)
	if host, cmd, ok := parsePrompt(trimmed); ok && !e.isLogLine(trimmed) {
		e.endSection()
		if cmd != "" {
			e.startCommand(host, cmd)
			e.sec.Echo = n
		}
		return
	}
	s := e.sec
	if trimmed == "" {
		e.endPending()
		if s != nil && !s.isLog {
			e.appendShow(n, raw, text)
		}
		return
	}

	// inside a show command's output only a debug-shaped line can be a log
	// line: "IPSEC FLOW: ..." inside show crypto session is output
	var claimed uint64 // the line parsers that claim the line
	if inOutput := s != nil && !s.isLog && s.parser != nil; !inOutput || debugShaped(trimmed) {
		claimed = e.lineParsersOf(trimmed)
	}
	if claimed != 0 {
		if s == nil || !s.isLog && (s.Command == "" || s.parser == nil) {
			e.endSection()
			e.startLog()
		}
		if e.sec.isLog {
			e.endPending()
			e.pending = pendingLine{ok: true, line: facts.Line{N: n, Last: n, Text: trimmed}, claimed: claimed, raw: append(e.pending.raw[:0], raw)}
			return
		}
		// a log line inside a show command's output (debugs print to the
		// terminal while one types): read it as a log line on its own.
		e.matchLog(facts.Line{N: n, Last: n, Text: trimmed}, claimed, []string{raw})
		return
	}

	// a continuation of a wrapped log line?
	if p := &e.pending; p.ok && p.line.Last == n-1 && p.line.Last-p.line.N < 8 &&
		continuation(text, p.line.Last > p.line.N) && (strings.HasPrefix(text, "  ") || e.headerParser(trimmed) == nil) {
		p.line.Text += " " + trimmed
		p.line.Last = n
		p.raw = append(p.raw, raw)
		return
	}
	e.endPending()

	// output that opens with a recognisable header, pasted without a prompt
	if s == nil || s.Command == "" || s.parser == nil {
		if p := e.headerParser(trimmed); p != nil && (s == nil || s.parser == nil || s.parser.Name != p.Name) {
			e.endSection()
			e.startContent(p)
		}
	}
	if e.sec == nil {
		e.startContent(nil)
	}
	if e.sec.isLog {
		// prose or unknown text inside a run of log lines: keep it as a
		// line of its own so signatures can still see it.
		e.matchLog(facts.Line{N: n, Last: n, Text: trimmed}, claimed, []string{raw})
		return
	}
	e.appendShow(n, raw, text)
}

// isLogLine: some vendor's line parser claims the line.
func (e *engine) isLogLine(trimmed string) bool { return e.lineParsersOf(trimmed) != 0 }

func (e *engine) headerParser(trimmed string) *facts.Parser {
	if len(trimmed) < facts.MinLineLen {
		return nil
	}
	for i := range e.parsers {
		p := &e.parsers[i]
		if p.Header != nil && p.Header(trimmed) {
			return p
		}
	}
	return nil
}

func (e *engine) commandParsers(cmd string) []*facts.Parser {
	var out []*facts.Parser
	for i := range e.parsers {
		p := &e.parsers[i]
		if p.Command != nil && strings.HasPrefix(cmd, e.cmdStart[i]) && p.Command.MatchString(cmd) {
			out = append(out, p)
		}
	}
	return out
}

// literalStart is the text every match of an anchored command pattern
// starts with ("^show crypto isakmp sa\b": "show crypto isakmp sa"), so
// that the pattern runs only on commands that start with it; "" when the
// pattern is not anchored or opens with an alternative.
func literalStart(re *regexp.Regexp) string {
	if re == nil {
		return ""
	}
	s, ok := strings.CutPrefix(re.String(), "^")
	if !ok {
		return ""
	}
	i := strings.IndexAny(s, `\.+*?()|[]{}^$`)
	if i < 0 {
		return s
	}
	switch s[i] {
	case '|':
		return ""
	case '?', '*', '{':
		i = max(i-1, 0) // the character before may be absent
	}
	return s[:i]
}

func (e *engine) newSection(host, cmd, name string) *section {
	e.sec = &section{Section: facts.Section{Index: e.nsec, Host: host, Command: cmd}, name: name}
	e.nsec++
	return e.sec
}

// startCommand starts the output of a command echoed after a prompt.
func (e *engine) startCommand(host, cmd string) {
	s := e.newSection(host, cmd, cmd)
	if strings.HasPrefix(cmd, "debug ") || strings.HasPrefix(cmd, "show logging") || strings.HasPrefix(cmd, "journalctl") ||
		strings.HasPrefix(cmd, "tail ") || strings.HasPrefix(cmd, "grep ") || strings.HasPrefix(cmd, "cat ") {
		s.isLog, s.Kind = true, "log"
		return
	}
	if ps := e.commandParsers(cmd); len(ps) > 0 {
		s.parser, s.alts = ps[0], ps[1:]
		s.Kind, s.Vendor = ps[0].Name, ps[0].Vendor
	}
}

// startLog starts a run of log lines pasted without a command echo.
func (e *engine) startLog() {
	s := e.newSection("", "", "debug/log")
	s.isLog, s.Kind = true, "log"
}

// startContent starts output found by its header (p), or text no parser
// claims (p nil).
func (e *engine) startContent(p *facts.Parser) {
	if p == nil {
		e.newSection("", "", "text")
		return
	}
	s := e.newSection("", "", strings.TrimPrefix(p.Name, string(p.Vendor)+"/"))
	s.parser, s.Kind, s.Vendor = p, p.Name, p.Vendor
}

func (e *engine) appendShow(n int, raw, text string) {
	s := e.sec
	if e.cutLongOutput(n, raw, text) {
		s = e.sec
	}
	s.Lines = append(s.Lines, facts.Line{N: n, Last: n, Text: text})
	s.raw = append(s.raw, raw)
}

// endPending matches the log line being assembled, if any.
func (e *engine) endPending() {
	p := &e.pending
	if !p.ok {
		return
	}
	p.ok = false
	if p.line.Last > p.line.N {
		p.claimed = e.lineParsersOf(p.line.Text) // asked again about the joined text
	}
	e.matchLog(p.line, p.claimed, p.raw)
}

// endSection ends the current section: the pending log line matched, a
// show section parsed, a log section summarised.
func (e *engine) endSection() {
	e.endPending()
	s := e.sec
	if s == nil {
		return
	}
	e.sec = nil
	if s.isLog {
		e.addInfo(SectionInfo{Command: s.name, Vendor: string(s.logVendor)})
	} else {
		e.parseShow(s, false)
	}
	if s.quoted {
		e.names[s.Index] = s.name
	}
}

// quote keeps line n of section s, its physical text, for evidence.
func (e *engine) quote(s *section, n int, raw string) {
	e.quoted[n] = raw
	s.quoted = true
}

// unquote forgets line n and the lines that continue it: the facts that
// quoted them were replaced by newer ones (a long paste would otherwise
// keep every line it matched).
func (e *engine) unquote(n int) {
	for k := n; ; k++ {
		delete(e.quoted, k)
		if !e.cont[k+1] {
			break
		}
		delete(e.cont, k+1)
	}
}

func (e *engine) addInfo(i SectionInfo) {
	if len(e.sections) < maxSectionInfos {
		e.sections = append(e.sections, i)
	}
}

func (e *engine) sectionName(idx int) string {
	if s := e.names[idx]; s != "" {
		return s
	}
	return "text"
}

// debugShaped: a line that can only be a debug or log message, even in the
// middle of a show command's output: "ISAKMP:(1002):...", "IPSEC(...)",
// "%CRYPTO-...", "[IKEv1]...", "09[IKE] ...", "Group = ...".
func debugShaped(s string) bool {
	if s == "" {
		return false
	}
	if s[0] == '%' || s[0] == '[' || s[0] == '"' || strings.HasPrefix(s, "Group = ") || strings.HasPrefix(s, "IP = ") || strings.Contains(s, "charon") || strings.Contains(s, "pluto[") {
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

// continuation decides whether a physical line continues the log line
// before it. Terminals and chat clients wrap with an indent (any number of
// such lines); a chat client may also wrap once without one, but a
// "Label: value" line is output of its own, not the rest of a message.
func continuation(text string, alreadyWrapped bool) bool {
	if strings.HasPrefix(text, " ") {
		return true
	}
	if alreadyWrapped {
		return false
	}
	head := text
	if len(head) > 48 {
		head = head[:48]
	}
	if i := strings.Index(head, ": "); i > 0 && i+2 < len(text) && isDigit(text[i+2]) {
		return false
	}
	return true
}
