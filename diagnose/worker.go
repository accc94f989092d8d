package diagnose

import (
	"slices"
	"sync"

	"github.com/tunneldoc/tunneldoc/diagnose/facts"
)

// The engine reads on three goroutines. The reading goroutine cuts the
// input into lines and sections (cleaning, prompts, wrapped lines,
// headers); a worker goroutine matches log lines against the signatures
// and hands ended show sections (or pieces of a long one, see
// facts.Parser.Cut) to a third, the show parser. They talk through batches
// of items in input order, so each sees exactly the sequence a single
// goroutine would, and the report is the same. At most workQueue batches
// wait, so memory stays bounded when the worker is slower than the reader.
// State is split by owner: the fields the worker touches while reading
// (facts, quoted lines, events, work, workMask, show) are the reader's
// again only after finish has waited for it.

const (
	workQueue  = 2
	maxBatches = workQueue + 2 // queued, in the worker's hands, being filled
	// a batch holding a show section this long is sent at once
	bigSection = 4096
)

// Items go to the worker in batches: the first of batchSize items, each
// next one twice as large, up to maxBatchSize. Small first batches get the
// worker going at once; larger later ones keep the hand-overs between the
// goroutines few (each may wake a sleeping thread) without making the
// drain after the last line long (up to a few batches of matching).
// Variables only so that a test can send every item alone, the most
// interleaved schedule.
var (
	batchSize    = 256
	maxBatchSize = 1024
)

type itemKind uint8

const (
	itemLog    itemKind = iota // a logical log line to match
	itemLogEnd                 // a log section ended: record its summary
	itemShow                   // a show section ended: parse it
)

// item is one unit of work for the worker, in input order.
type item struct {
	kind    itemKind
	sec     int          // the section's index
	name    string       // the section's name when the item was made
	vendor  facts.Vendor // the section's vendor as the reader knows it
	line    facts.Line   // itemLog
	raw     string       // itemLog: its first physical line
	mask    uint64       // itemLog: the line parsers that claim it, when maskSet
	maskSet bool
	more    []string // itemLog: the physical lines it was wrapped onto
	job     *showJob // itemShow
}

// workState is what the worker knows of the section it is in.
type workState struct {
	sec     int
	vendor  facts.Vendor
	name    string
	renames map[int]string // log sections named by their vendor
}

// emitLog queues one logical log line for matching.
func (e *engine) emitLog(l facts.Line, raws ...string) {
	it := e.slot() // filled in place: an item is ~150 bytes
	it.kind, it.sec, it.line = itemLog, -1, l
	if len(raws) > 0 {
		it.raw = raws[0]
	}
	if len(raws) > 1 {
		it.more = slices.Clone(raws[1:])
	}
	if e.sec != nil {
		it.sec, it.vendor, it.name = e.sec.Index, e.sec.Vendor, e.sectionNames[e.sec.Index]
	}
	if c := e.readMask; c.valid && c.text == l.Text {
		// the reader has asked the vendors about this very text already
		it.mask, it.maskSet = c.mask, true
	}
	if len(e.batch) >= e.batchLimit {
		e.sendBatch()
	}
}

// slot appends a zero item to the batch and returns it to be filled; the
// caller sends the batch when it is full.
func (e *engine) slot() *item {
	if e.items == nil {
		e.startWorker()
	}
	if len(e.batch) == cap(e.batch) && cap(e.batch) < e.batchLimit {
		e.batch = slices.Grow(e.batch, e.batchLimit-len(e.batch)) // once, to the size it will reach
	}
	e.batch = append(e.batch, item{})
	return &e.batch[len(e.batch)-1]
}

func (e *engine) emit(it item) {
	*e.slot() = it
	if len(e.batch) >= e.batchLimit || it.kind == itemShow && (it.job.more || len(it.job.sec.Lines) >= bigSection) {
		e.sendBatch()
	}
}

func (e *engine) sendBatch() {
	if len(e.batch) == 0 {
		return
	}
	e.items <- e.batch
	e.batchLimit = min(2*e.batchLimit, maxBatchSize)
	// A fixed number of batches circulate: when all are queued or being
	// worked on, the reader waits for one to come back.
	select {
	case b := <-e.batchFree:
		e.batch = b
	default:
		if e.batchesMade < maxBatches {
			e.batchesMade++
			e.batch = newBatch()
		} else {
			e.batch = <-e.batchFree
		}
	}
}

// itemBatches keeps batches across diagnoses (up to maxBatchSize items of
// ~150 bytes each; a diagnosis uses up to maxBatches).
var itemBatches sync.Pool

func newBatch() []item {
	if b, ok := itemBatches.Get().(*[]item); ok {
		return (*b)[:0]
	}
	return make([]item, 0, batchSize)
}

// recycleBatches hands the batches back once the worker is done.
func (e *engine) recycleBatches() {
	put := func(b []item) {
		clear(b[:cap(b)])
		b = b[:0]
		itemBatches.Put(&b)
	}
	if e.batch != nil {
		put(e.batch)
		e.batch = nil
	}
	for {
		select {
		case b := <-e.batchFree:
			put(b)
		default:
			return
		}
	}
}

func (e *engine) startWorker() {
	e.items = make(chan []item, workQueue)
	e.batchFree = make(chan []item, maxBatches)
	e.workDone = make(chan struct{})
	e.show = newShowParser()
	e.work = workState{sec: -2, renames: map[int]string{}}
	if e.batch == nil {
		e.batch = newBatch()
	}
	e.batchesMade = 1
	e.batchLimit = batchSize
	go e.runWorker(e.items, e.batchFree, e.workDone)
}

// runWorker takes its channels as arguments: the reader clears e.items
// when it closes it, possibly before this goroutine has started.
//
// Show sections go on to a third goroutine, the show parser's: matching
// log lines and parsing show output share no state until finish, and on
// two cores the reader, the matcher and the parser then keep both busy.
func (e *engine) runWorker(items <-chan []item, free chan<- []item, done chan<- struct{}) {
	defer close(done)
	shows := make(chan []*showJob, workQueue)
	parsed := make(chan struct{})
	go e.show.run(shows, parsed)
	defer func() {
		close(shows)
		<-parsed
	}()
	for b := range items {
		for i := range b {
			e.handle(&b[i])
		}
		clear(b)
		free <- b[:0] // never blocks: it has room for every batch there is
		if len(e.showBatch) > 0 {
			// the batch's show sections go on together: one hand-over
			shows <- e.showBatch
			e.showBatch = nil
		}
	}
}

// handle does one item; a bug on hostile input loses that item, never
// the process (this runs on its own goroutine).
func (e *engine) handle(it *item) {
	defer func() { _ = recover() }()
	w := &e.work
	if it.sec != w.sec {
		w.sec, w.vendor, w.name = it.sec, it.vendor, it.name
		e.context = "" // a phase context does not carry across sections
	}
	switch it.kind {
	case itemLog:
		if it.maskSet {
			e.workMask = maskCache{text: it.line.Text, mask: it.mask, valid: true}
		}
		e.rawBuf = append(append(e.rawBuf[:0], it.raw), it.more...)
		e.matchLog(it.line, e.rawBuf)
	case itemLogEnd:
		if len(e.logInfos) < maxSectionInfos {
			e.logInfos = append(e.logInfos, indexedInfo{it.sec, SectionInfo{Command: w.name, Vendor: string(w.vendor)}})
		}
	case itemShow:
		e.showBatch = append(e.showBatch, it.job)
	}
}

// showJob is one ended show section, with its raw lines.
type showJob struct {
	sec    *facts.Section
	parser *facts.Parser
	alts   []*facts.Parser
	raw    rawLines
	name   string // the section's name when it ended
	// more: a piece of a long output; the next job continues the same
	// section (facts.Parser.Cut)
	more bool
}

// indexedInfo is a section summary with the section's index, for putting
// the reader's and the parser's summaries back in input order.
type indexedInfo struct {
	index int
	info  SectionInfo
}

// showParser parses show sections for the worker, into facts of its own
// that finish merges.
type showParser struct {
	facts      facts.Facts
	raw        rawLines
	quoted     map[int]string
	cont       map[int]bool
	recognised int
	truncated  bool
	infos      []indexedInfo
	renames    map[int]string
	// the section whose pieces are being parsed (showJob.more): its index,
	// the parser that read it so far and its summary in infos (-1: none)
	pieceSec    int
	pieceParser *facts.Parser
	pieceInfo   int
	pieceFirst  int // the section's first line
	// free hands parsed sections' buffers back to the reader
	free chan *showBufs
}

// sectionBufs holds the line and raw-line slices of parsed sections for
// the next section to fill, across diagnoses: a long show output otherwise
// grows (and the runtime later returns) the same large slices every time.
// Within a diagnosis they go back to the reader through showParser.free
// first: a sync.Pool is emptied at every garbage collection, which on a
// long paste comes several times.
var sectionBufs sync.Pool

// takeBufs returns a parsed section's buffers for the reader to fill.
func (e *engine) takeBufs() (*showBufs, bool) {
	if e.show != nil {
		select {
		case b := <-e.show.free:
			return b, true
		default:
		}
	}
	b, ok := sectionBufs.Get().(*showBufs)
	return b, ok
}

type showBufs struct {
	lines []facts.Line
	raw   rawLines
}

func newShowParser() *showParser {
	return &showParser{
		quoted:   map[int]string{},
		cont:     map[int]bool{},
		renames:  map[int]string{},
		pieceSec: -1,
		free:     make(chan *showBufs, 8),
	}
}

// run parses the show sections it is handed, in order, until shows is
// closed. A bug on hostile input loses that section, never the process.
func (p *showParser) run(shows <-chan []*showJob, done chan<- struct{}) {
	defer close(done)
	for jobs := range shows {
		for _, j := range jobs {
			func() {
				defer func() { _ = recover() }()
				p.parseSafely(*j)
			}()
		}
	}
}

// parseSafely parses one section and hands its buffers back.
func (p *showParser) parseSafely(j showJob) {
	p.raw = j.raw
	p.parse(j)
	clear(j.sec.Lines) // drop the texts: they may pin a large input
	p.raw.reset()
	if cap(j.sec.Lines) <= 2*MaxSectionLines {
		b := &showBufs{lines: j.sec.Lines[:0], raw: p.raw}
		select {
		case p.free <- b: // straight back to this diagnosis's reader
		default:
			sectionBufs.Put(b)
		}
	}
	p.raw = rawLines{}
	j.sec.Lines = nil
}

func (p *showParser) parse(j showJob) {
	sec := j.sec
	// a later piece of a section cut while it was read (showJob.more)
	piece := sec.Index == p.pieceSec
	if !piece {
		p.pieceParser, p.pieceInfo, p.pieceFirst = nil, -1, sec.First()
	}
	defer func() {
		p.pieceSec = -1
		if j.more {
			p.pieceSec = sec.Index
		}
	}()
	if len(sec.Lines) == 0 {
		return
	}
	if j.parser == nil {
		before := len(p.facts.ACLs)
		p.scanConfig(sec)
		if len(p.facts.ACLs) > before {
			p.recognised++
			p.renames[sec.Index] = "configuration"
			p.addInfo(indexedInfo{sec.Index, SectionInfo{Command: "configuration", FirstLine: sec.First(), LastLine: sec.LastLine()}})
		}
		return
	}
	if p.count() >= MaxFacts {
		p.truncated = true // enough read to diagnose; memory stays bounded
		return
	}
	parser := j.parser
	alts := j.alts
	if piece && p.pieceParser != nil {
		parser, alts = p.pieceParser, nil // the reader of the first pieces reads the rest
	}
	mark := p.lens()
	before := p.count()
	p.safeParse(parser, sec)
	for _, alt := range alts {
		if p.count() > before || p.emptyAdded(sec) {
			break
		}
		parser = alt
		p.safeParse(alt, sec)
	}
	read := p.count() > before || p.emptyAdded(sec)
	switch {
	case !read:
	case piece && p.pieceParser != nil: // one section, read in pieces: counted once
		if p.pieceInfo >= 0 {
			p.infos[p.pieceInfo].info.LastLine = sec.LastLine()
		}
	default:
		p.recognised++
		name := j.name
		if name == "" {
			name = "text"
		}
		p.addInfo(indexedInfo{sec.Index, SectionInfo{Command: name, Vendor: string(parser.Vendor), FirstLine: p.pieceFirst, LastLine: sec.LastLine()}})
		if len(p.infos) > 0 && p.infos[len(p.infos)-1].index == sec.Index {
			p.pieceInfo = len(p.infos) - 1
		}
	}
	if read && p.pieceParser == nil {
		p.pieceParser = parser
	}
	p.keepQuoted(sec, mark)
}

func (p *showParser) addInfo(i indexedInfo) {
	if len(p.infos) < maxSectionInfos {
		p.infos = append(p.infos, i)
	}
}

// finish hands the worker the last batch, waits for it, and merges what
// the show parser read into the engine.
func (e *engine) finish() {
	if e.items == nil {
		e.sections = infosInOrder(e.logInfos, nil)
		return
	}
	e.sendBatch()
	close(e.items)
	e.items = nil
	<-e.workDone
	e.recycleBatches()
	for i, name := range e.work.renames {
		e.sectionNames[i] = name
	}
	p := e.show
	e.show = nil
	for len(p.free) > 0 {
		sectionBufs.Put(<-p.free)
	}
	f := e.facts
	f.IKESAs = joinFacts(f.IKESAs, p.facts.IKESAs)
	f.IPsecSAs = joinFacts(f.IPsecSAs, p.facts.IPsecSAs)
	f.Sessions = joinFacts(f.Sessions, p.facts.Sessions)
	f.Routes = joinFacts(f.Routes, p.facts.Routes)
	f.Pings = joinFacts(f.Pings, p.facts.Pings)
	f.Policies = joinFacts(f.Policies, p.facts.Policies)
	f.TransformSets = joinFacts(f.TransformSets, p.facts.TransformSets)
	f.CryptoMaps = joinFacts(f.CryptoMaps, p.facts.CryptoMaps)
	f.ACLs = joinFacts(f.ACLs, p.facts.ACLs)
	for k, r := range p.facts.Empty {
		f.MarkEmpty(k, r)
	}
	for v, n := range p.facts.Vendors {
		if f.Vendors == nil {
			f.Vendors = map[facts.Vendor]int{}
		}
		f.Vendors[v] += n
	}
	// show and log lines never share a number: the smaller map goes into
	// the larger
	if len(p.quoted) > len(e.quoted) {
		e.quoted, p.quoted = p.quoted, e.quoted
	}
	for n, t := range p.quoted {
		e.quoted[n] = t
	}
	if len(p.cont) > len(e.cont) {
		e.cont, p.cont = p.cont, e.cont
	}
	for n := range p.cont {
		e.cont[n] = true
	}
	for i, name := range p.renames {
		e.sectionNames[i] = name
	}
	e.recognised += p.recognised
	e.truncated = e.truncated || p.truncated
	e.sections = infosInOrder(e.logInfos, p.infos)
}

// joinFacts is append(a, b...) that takes b as it is when a is empty (the
// show parser's facts are most of them; copying them cost a tenth of the
// engine's allocations).
func joinFacts[T any](a, b []T) []T {
	if len(a) == 0 {
		return b
	}
	return append(a, b...)
}

// abandon stops the parser goroutine if reading ended without finish (a
// panic on the way out): no goroutine outlives its diagnosis.
func (e *engine) abandon() {
	if e.items != nil {
		close(e.items)
		e.items = nil
	}
}

func infosInOrder(a, b []indexedInfo) []SectionInfo {
	all := append(slices.Clip(a), b...)
	slices.SortStableFunc(all, func(x, y indexedInfo) int { return x.index - y.index })
	out := make([]SectionInfo, len(all))
	for i, x := range all {
		out[i] = x.info
	}
	return out
}

func (p *showParser) emptyAdded(sec *facts.Section) bool {
	for _, r := range p.facts.Empty {
		if r.Section == sec.Index {
			return true
		}
	}
	return false
}

// safeParse runs a parser; a parser bug on hostile input must not take the
// whole diagnosis down, so a panic drops that section's facts only.
func (p *showParser) safeParse(parser *facts.Parser, sec *facts.Section) {
	defer func() { _ = recover() }()
	parser.Parse(sec, &p.facts)
}

func (p *showParser) count() int {
	f := &p.facts
	return len(f.IKESAs) + len(f.IPsecSAs) + len(f.Sessions) + len(f.Routes) + len(f.Pings) +
		len(f.Policies) + len(f.TransformSets) + len(f.CryptoMaps) + len(f.ACLs) + len(f.Empty)
}

func (p *showParser) lens() factLens {
	f := &p.facts
	return factLens{len(f.IKESAs), len(f.IPsecSAs), len(f.Sessions), len(f.Routes), len(f.Pings), len(f.Policies), len(f.TransformSets), len(f.CryptoMaps), len(f.ACLs)}
}

func (p *showParser) keepQuoted(sec *facts.Section, m factLens) {
	keep := func(r facts.Ref) {
		if r.Section == sec.Index {
			if t, ok := p.raw.get(r.Line); ok {
				p.quoted[r.Line] = t
			}
		}
	}
	f := &p.facts
	for i := m.ike; i < len(f.IKESAs); i++ {
		keep(f.IKESAs[i].Ref)
	}
	for i := m.ipsec; i < len(f.IPsecSAs); i++ {
		s := &f.IPsecSAs[i]
		keep(s.Ref)
		if s.Ref.Section == sec.Index {
			for _, n := range s.Lines {
				keep(facts.Ref{Section: sec.Index, Line: n})
			}
		}
	}
	for i := m.sess; i < len(f.Sessions); i++ {
		keep(f.Sessions[i].Ref)
		for _, fl := range f.Sessions[i].Flows {
			keep(fl.Ref)
		}
	}
	for i := m.routes; i < len(f.Routes); i++ {
		keep(f.Routes[i].Ref)
	}
	for i := m.pings; i < len(f.Pings); i++ {
		keep(f.Pings[i].Ref)
	}
	for i := m.pol; i < len(f.Policies); i++ {
		keep(f.Policies[i].Ref)
	}
	for i := m.ts; i < len(f.TransformSets); i++ {
		keep(f.TransformSets[i].Ref)
	}
	for i := m.maps; i < len(f.CryptoMaps); i++ {
		keep(f.CryptoMaps[i].Ref)
	}
	for i := m.acls; i < len(f.ACLs); i++ {
		keep(f.ACLs[i].Ref)
	}
	for _, r := range f.Empty {
		keep(r)
	}
}

// keepQuoted copies the raw text of every line the section's facts point at.
// factLens marks how many facts of each kind existed before a section was
// parsed, so that only the section's own facts are visited afterwards
// (visiting all of them after every section made long pastes quadratic).
type factLens struct{ ike, ipsec, sess, routes, pings, pol, ts, maps, acls int }
