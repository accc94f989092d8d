package diagnose

import (
	"bufio"
	"bytes"
	"io"
	"slices"
	"strings"

	"github.com/tunneldoc/tunneldoc/diagnose/facts"
)

// engine holds one diagnosis in progress. It reads the input once, line by
// line, cutting it into sections as it goes; a show section is kept until
// it ends and then parsed, a log line is matched as soon as it is whole.
// Memory is bounded by the largest show section (MaxSectionLines), the
// events kept per key (MaxEventsPerKey) and the quoted lines of facts.
type engine struct {
	// Read-only while the input is read, or used before and after: shared
	// by the goroutines.
	opts        Options
	facts       *facts.Facts
	parsers     []facts.Parser
	lineParsers []facts.LineParser
	workDone    chan struct{}
	show        *showParser
	// quoted: the original text of every line a fact points at (the
	// matcher fills the map; the field itself does not change)
	quoted map[int]string
	cont   map[int]bool // physical lines that continue a wrapped log line
	// after reading: the report's
	sections        []SectionInfo
	findingsDropped int
	peersNotRead    map[string]struct{} // peers past MaxPeers in the facts
	truncated       bool

	// The reading goroutine's fields, then the matcher's, each group on
	// cache lines of its own: both write theirs on every line, and sharing
	// a line made each core wait for the other's (a 1 MB debug ran 1.8x
	// slower on two cores than on one).
	_ [128]byte

	// the section being read
	sec       *facts.Section
	secParser *facts.Parser
	// other parsers whose command pattern also matched (IOS and ASA share
	// command names): tried in turn when the first reads nothing
	secAlt   []*facts.Parser
	secIsLog bool
	nsec     int
	// the log line being assembled from wrapped physical lines
	pending    facts.Line // when hasPending
	hasPending bool
	pendingRaw []string
	// raw physical lines of the current show section, by line number
	raw rawLines
	// the queue to the worker (worker.go)
	items       chan []item
	batch       []item
	batchFree   chan []item
	batchesMade int
	batchLimit  int // items in the batch being filled before it goes
	// section names, for evidence
	sectionNames []string
	names        map[string]string // interned section names
	lines        int               // lines read
	// cmdParsers caches the parsers matching a command echo
	cmdParsers map[string][]*facts.Parser
	readMask   maskCache // the reading goroutine's
	// pendingMask: readMask as it was for the pending line's first line
	pendingMask maskCache
	prompts     map[string]promptAnswer // parsePrompt's answers, by line
	headings    []heading               // of the show section being read (Parser.Cut)
	noCut       bool                    // the parser said CutStop
	// pieceHasBlock: the piece being read holds a block (Parser.Cut)
	pieceHasBlock bool
	pieces        int // pieces cut off so far

	_ [128]byte

	// the matcher's (worker goroutine's)
	work      workState
	rawBuf    []string   // for matchLog's physical lines
	showBatch []*showJob // show sections of the batch in hand
	// logInfos: the summaries of log sections, by section index
	logInfos   []indexedInfo
	recognised int // lines recognised (the show parser's added at the end)
	// peersSeen: the peers whose events are kept (at most MaxPeers)
	peersSeen         map[string]struct{}
	peerEventsDropped int
	lastPeer          string
	connPeer          map[string]string
	context           facts.EventKind // EvContextP1 / EvContextP2
	p1                map[string]bool
	match             *anchorIndex // anchor table, line memo, event keys
	dropped           []int        // lines of events replaced while matching the current line
	workMask          maskCache
	locals            map[string]bool

	_ [128]byte
}

type evKey struct {
	kind  facts.EventKind
	peer  string
	state string
}

func newEngine(opts Options) *engine {
	e := &engine{
		opts:       opts,
		facts:      &facts.Facts{},
		quoted:     map[int]string{},
		cmdParsers: map[string][]*facts.Parser{},
		connPeer:   map[string]string{},
		cont:       map[int]bool{},
		prompts:    map[string]promptAnswer{},
	}
	e.parsers, e.lineParsers = tables(facts.Vendor(strings.ToLower(opts.Vendor)))
	return e
}

func (e *engine) read(r io.Reader) error {
	br := bufio.NewReaderSize(r, 64<<10)
	for {
		line, debris, err := readLine(br)
		if len(line) > 0 || err == nil {
			e.lines++
			e.feedScanned(e.lines, line, debris)
		}
		if err != nil {
			e.flush()
			e.finish()
			if err == io.EOF {
				return nil
			}
			return err
		}
	}
}

// readString is read for text already in memory: each line is a
// substring of text, not a copy (one allocation per line less); the same
// cuts apply as in readLine.
func (e *engine) readString(text string) {
	for len(text) > 0 {
		line, rest, ctrl, debris := cutLine(text)
		text = rest
		if len(line) > MaxLineBytes {
			line = line[:MaxLineBytes]
		}
		if ctrl {
			for len(line) > 0 && (line[len(line)-1] == '\r' || line[len(line)-1] == '\n') {
				line = line[:len(line)-1]
			}
			if !validText(line) {
				line = string(sanitize([]byte(line)))
			}
			debris = true // classed before the cuts: read it the general way
		}
		e.lines++
		e.feedScanned(e.lines, line, debris)
	}
	e.flush()
	e.finish()
}

// readLine returns one physical line without its newline, cut at
// MaxLineBytes (the rest of an over-long line is skipped, never buffered),
// and whether it holds a byte cleanLine may remove (as cutLine does).
func readLine(br *bufio.Reader) (string, bool, error) {
	frag, err := br.ReadSlice('\n')
	if err != bufio.ErrBufferFull && len(frag) <= MaxLineBytes {
		// the common case: the whole line is in the reader's buffer
		frag = bytes.TrimRight(frag, "\r\n")
		ctrl, debris := classBytes(frag)
		if ctrl {
			frag = sanitize(append([]byte(nil), frag...))
			debris = true
		}
		return string(frag), debris, err
	}
	buf := append([]byte(nil), frag...)
	if len(buf) > MaxLineBytes {
		buf = buf[:MaxLineBytes]
	}
	if err != bufio.ErrBufferFull {
		buf = bytes.TrimRight(buf, "\r\n")
		if !validUTF8Text(buf) {
			buf = sanitize(buf)
		}
		return string(buf), true, err
	}
	for {
		frag, err := br.ReadSlice('\n')
		if len(buf)+len(frag) <= MaxLineBytes {
			buf = append(buf, frag...)
		} else if len(buf) < MaxLineBytes {
			buf = append(buf, frag[:MaxLineBytes-len(buf)]...)
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		buf = bytes.TrimRight(buf, "\r\n")
		if !validUTF8Text(buf) {
			buf = sanitize(buf)
		}
		return string(buf), true, err
	}
}

// feed takes one physical line.
func (e *engine) feed(n int, raw string) { e.feedScanned(n, raw, hasDebris(raw)) }

// feedScanned is feed for a line cutLine has classed; debris false means
// it holds no byte cleanLine removes.
func (e *engine) feedScanned(n int, raw string, debris bool) {
	text, fence := cleanScanned(raw, debris)
	if fence {
		e.endPending()
		return
	}
	trimmed := strings.TrimSpace(text)
	if host, cmd, ok := parsePromptCached(trimmed, e.prompts); ok && !e.isLogLine(trimmed) {
		e.flush()
		if cmd == "" {
			return
		}
		e.startSection(host, cmd, n)
		return
	}
	if trimmed == "" {
		e.endPending()
		if e.sec != nil && !e.secIsLog {
			e.appendShow(n, raw, text)
		}
		return
	}

	var isLog bool
	if e.sec != nil && !e.secIsLog && e.secParser != nil && !debugShaped(trimmed) {
		// inside a show command's output only a debug-shaped line can be a
		// log line: "IPSEC FLOW: ..." inside show crypto session is output
		isLog = false
	} else {
		isLog = e.isLogLine(trimmed)
	}
	if isLog {
		if e.sec == nil || (!e.secIsLog && e.sec.Command == "") || (!e.secIsLog && e.secParser == nil) {
			e.flush()
			e.startLog(n)
		}
		if e.secIsLog {
			mask := e.readMask // isLogLine just read this line (endPending puts the pending line's back)
			e.endPending()
			e.pending, e.hasPending = facts.Line{N: n, Last: n, Text: trimmed}, true
			e.pendingMask = mask
			e.pendingRaw = append(e.pendingRaw[:0], raw)
			return
		}
		// a log line inside a show command's output (debugs print to the
		// terminal while one types): read it as a log line on its own.
		e.emitLog(facts.Line{N: n, Last: n, Text: trimmed}, raw)
		return
	}

	// a continuation of a wrapped log line?
	if e.hasPending && e.pending.Last == n-1 && e.pending.Last-e.pending.N < 8 &&
		continuation(text, e.pending.Last > e.pending.N) && (strings.HasPrefix(text, "  ") || e.headerParser(trimmed) == nil) {
		e.pending.Text += " " + trimmed
		e.pending.Last = n
		e.pendingRaw = append(e.pendingRaw, raw)
		return
	}
	e.endPending()

	// output that opens with a recognisable header, pasted without a prompt
	if e.sec == nil || e.sec.Command == "" || e.secParser == nil {
		if p := e.headerParser(trimmed); p != nil && (e.secParser == nil || e.secParser.Name != p.Name) {
			e.flush()
			e.startContent(p, n)
		}
	}
	if e.sec == nil {
		e.startContent(nil, n)
	}
	if e.secIsLog {
		// prose or unknown text inside a run of log lines: keep it as a
		// line of its own so signatures can still see it.
		e.emitLog(facts.Line{N: n, Last: n, Text: trimmed}, raw)
		return
	}
	e.appendShow(n, raw, text)
}

func (e *engine) isLogLine(trimmed string) bool { return e.prefixMask(&e.readMask, trimmed) != 0 }

// prefixMask tells which line parsers claim the line (bit i = parser i).
// The last answer is kept in c: feed and matchLog ask about the same line
// (each goroutine has its own cache).
func (e *engine) prefixMask(c *maskCache, text string) uint64 {
	if text == c.text && c.valid {
		return c.mask
	}
	var m uint64
	for i := range e.lineParsers {
		if i < 64 && e.lineParsers[i].Prefix(text) {
			m |= 1 << i
		}
	}
	c.text, c.mask, c.valid = text, m, true
	return m
}

type maskCache struct {
	text  string
	mask  uint64
	valid bool
}

func (e *engine) headerParser(trimmed string) *facts.Parser {
	for i := range e.parsers {
		p := &e.parsers[i]
		if p.Header != nil && p.Header(trimmed) {
			return p
		}
	}
	return nil
}

func (e *engine) commandParsers(cmd string) []*facts.Parser {
	if ps, ok := e.cmdParsers[cmd]; ok {
		return ps
	}
	var out []*facts.Parser
	defer func() {
		if len(e.cmdParsers) < 1024 {
			e.cmdParsers[cmd] = out
		}
	}()
	for i := range e.parsers {
		p := &e.parsers[i]
		if p.Command != nil && p.Command.MatchString(cmd) {
			out = append(out, p)
		}
	}
	return out
}

func (e *engine) newSection(host, cmd string, n int) {
	e.headings, e.noCut, e.pieceHasBlock = e.headings[:0], false, false
	e.sec = &facts.Section{Index: e.nsec, Host: host, Command: cmd}
	e.nsec++
	e.sectionNames = append(e.sectionNames, e.intern(cmd))
	e.secParser = nil
	e.secAlt = nil
	e.secIsLog = false
}

// intern returns one shared copy of a section name: a paste with a prompt
// on every line has as many sections as lines, mostly with the same few
// commands, and each name would otherwise keep its own line alive.
func (e *engine) intern(name string) string {
	if s, ok := e.names[name]; ok {
		return s
	}
	if e.names == nil {
		e.names = map[string]string{}
	}
	if len(e.names) < 1024 {
		name = strings.Clone(name)
		e.names[name] = name
	}
	return name
}

func (e *engine) startSection(host, cmd string, n int) {
	e.newSection(host, cmd, n)
	if strings.HasPrefix(cmd, "debug ") || strings.HasPrefix(cmd, "show logging") || strings.HasPrefix(cmd, "journalctl") ||
		strings.HasPrefix(cmd, "tail ") || strings.HasPrefix(cmd, "grep ") || strings.HasPrefix(cmd, "cat ") {
		e.secIsLog = true
		e.sec.Kind = "log"
		return
	}
	if ps := e.commandParsers(cmd); len(ps) > 0 {
		p := ps[0]
		e.secParser = p
		e.secAlt = ps[1:]
		e.sec.Kind = p.Name
		e.sec.Vendor = p.Vendor
	}
}

func (e *engine) startLog(n int) {
	e.newSection("", "", n)
	e.secIsLog = true
	e.sec.Kind = "log"
	e.sectionNames[e.sec.Index] = "debug/log"
}

func (e *engine) startContent(p *facts.Parser, n int) {
	e.newSection("", "", n)
	if p != nil {
		e.secParser = p
		e.sec.Kind = p.Name
		e.sec.Vendor = p.Vendor
		e.sectionNames[e.sec.Index] = strings.TrimPrefix(p.Name, string(p.Vendor)+"/")
	} else {
		e.sectionNames[e.sec.Index] = "text"
	}
}

func (e *engine) appendShow(n int, raw, text string) {
	if n := len(e.sec.Lines); n >= MaxSectionLines && (strings.TrimSpace(text) == "" || n >= MaxSectionLines+MaxSectionLines/4) {
		// Parse what we have and go on with a fresh section of the same
		// kind, at a blank line (blocks of show output end there) unless
		// none comes for a while.
		host, cmd, p := e.sec.Host, e.sec.Command, e.secParser
		e.flush()
		e.newSection(host, cmd, n)
		e.secParser = p
		if p != nil {
			e.sec.Kind, e.sec.Vendor = p.Name, p.Vendor
		}
	}
	if e.sec.Lines == nil {
		if b, ok := e.takeBufs(); ok { // a parsed section's buffers
			e.sec.Lines = b.lines
			if e.raw.lines == nil && e.raw.far == nil {
				e.raw = b.raw
			}
		} else {
			// a show output is rarely shorter: growing from nothing made
			// six slices for a thirty-line output
			e.sec.Lines = make([]facts.Line, 0, showLinesHint)
			if e.raw.lines == nil && e.raw.far == nil {
				e.raw = rawLines{lines: make([]string, 0, showLinesHint), set: make([]bool, 0, showLinesHint)}
			}
		}
	}
	if p := e.secParser; p != nil && p.Cut != nil && !e.noCut {
		switch k := p.Cut(strings.TrimLeft(text, " ")); {
		case k == facts.CutHere:
			// a piece is headings and whole blocks: the first one is cut
			// off only once it holds a block
			if e.pieceHasBlock && len(e.sec.Lines) >= pieceLines {
				e.cutPiece()
			}
			e.pieceHasBlock = true
		case k == facts.CutStop:
			e.noCut = true
		case k > 0:
			e.noteHeading(k, n, raw, text)
		}
	}
	e.sec.Lines = append(e.sec.Lines, facts.Line{N: n, Last: n, Text: text})
	e.raw.put(n, raw)
}

// showLinesHint is the room a new show section's buffers start with.
const showLinesHint = 32

// pieceLines is the least number of lines a piece of a long show output
// holds before it is handed to the parser (see facts.Parser.Cut). A
// variable only so that a test can cut at every block.
var pieceLines = 512

// heading is a line that the blocks below it depend on (Parser.Cut).
type heading struct {
	slot      int
	n         int
	raw, text string
}

// noteHeading keeps the latest heading of each slot, in input order; one
// of slot 1 drops every other.
func (e *engine) noteHeading(slot, n int, raw, text string) {
	if slot == 1 {
		e.headings = e.headings[:0]
	}
	e.headings = slices.DeleteFunc(e.headings, func(h heading) bool { return h.slot == slot })
	e.headings = append(e.headings, heading{slot, n, raw, text})
}

// cutPiece hands the show section read so far to the parser as one piece
// and goes on with the next piece of the same section (same index, same
// name: the report cannot tell), which starts with the current headings.
func (e *engine) cutPiece() {
	e.pieces++
	sec := e.sec
	if sec.Piece == nil {
		sec.Piece = map[string]string{} // shared by the pieces; the parser's goroutine alone uses it
	}
	e.emit(item{kind: itemShow, sec: sec.Index, job: &showJob{sec: sec, parser: e.secParser, alts: e.secAlt, raw: e.raw, name: e.sectionNames[sec.Index], more: true}})
	e.raw = rawLines{}
	e.sec = &facts.Section{Index: sec.Index, Host: sec.Host, Command: sec.Command, Kind: sec.Kind, Vendor: sec.Vendor, Piece: sec.Piece}
	if b, ok := e.takeBufs(); ok {
		e.sec.Lines = b.lines
		e.raw = b.raw
	}
	for _, h := range e.headings {
		e.sec.Lines = append(e.sec.Lines, facts.Line{N: h.n, Last: h.n, Text: h.text})
		e.raw.putApart(h.n, h.raw)
	}
}

func (e *engine) endPending() {
	if !e.hasPending {
		return
	}
	l := e.pending
	e.pending, e.hasPending = facts.Line{}, false
	if l.Last == l.N {
		e.readMask = e.pendingMask // not wrapped: the mask read with it holds
	}
	e.emitLog(l, e.pendingRaw...)
}

// flush ends the current section: pending log line matched, show section
// parsed, its quoted lines kept, its raw lines dropped.
func (e *engine) flush() {
	e.endPending()
	if e.sec == nil {
		return
	}
	sec := e.sec
	e.sec = nil
	if e.secIsLog {
		e.emit(item{kind: itemLogEnd, sec: sec.Index, name: e.sectionNames[sec.Index], vendor: sec.Vendor})
		return
	}
	if len(sec.Lines) == 0 {
		e.raw.reset()
		return
	}
	e.emit(item{kind: itemShow, sec: sec.Index, job: &showJob{sec: sec, parser: e.secParser, alts: e.secAlt, raw: e.raw, name: e.sectionNames[sec.Index]}})
	e.raw = rawLines{}
}

func (e *engine) sectionName(idx int) string {
	if idx >= 0 && idx < len(e.sectionNames) {
		if s := e.sectionNames[idx]; s != "" {
			return s
		}
	}
	return "text"
}

// validUTF8Text reports whether b is printable enough to read as text.
func validUTF8Text(b []byte) bool {
	for _, c := range b {
		if c < 0x20 && c != '\t' {
			return false
		}
	}
	return true
}

// validText is validUTF8Text for a string.
func validText(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 && c != '\t' {
			return false
		}
	}
	return true
}

// sanitize drops control bytes (binary junk) so that nothing downstream
// chokes on them; NULs and escapes are never part of device text we read.
func sanitize(b []byte) []byte {
	out := b[:0]
	for _, c := range b {
		if c >= 0x20 || c == '\t' {
			out = append(out, c)
		}
	}
	return out
}

// debugShaped: a line that can only be a debug or log message, even in the
// middle of a show command's output: "ISAKMP:(1002):...", "IPSEC(...)",
// "%CRYPTO-...", "[IKEv1]...", "09[IKE] ...", "Group = ...".
func debugShaped(s string) bool {
	if s == "" {
		return false
	}
	switch s[0] {
	case '%', '[':
		return true
	case 'G':
		if strings.HasPrefix(s, "Group = ") {
			return true
		}
	case 'I':
		if strings.HasPrefix(s, "IP = ") || strings.HasPrefix(s, "ISAKMP (") || strings.HasPrefix(s, "ISAKMP:") {
			return true
		}
	case 'C':
		if strings.HasPrefix(s, "CryptoEngine") || strings.HasPrefix(s, "CRYPTO_") {
			return true
		}
	}
	head := s
	if len(head) > 16 {
		head = head[:16]
	}
	// "IPSEC(...": a word, then '(' ; strongSwan "09[IKE]"
	for i := 0; i < len(head); i++ {
		c := head[i]
		if c == ' ' {
			break
		}
		if c == '(' {
			if i > 0 {
				return true
			}
			break
		}
	}
	if i := strings.IndexByte(head, '['); i > 0 && i <= 3 {
		return true
	}
	return strings.Contains(s, "charon")
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
