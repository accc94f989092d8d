package diagnose

import (
	"slices"

	"github.com/tunneldoc/tunneldoc/diagnose/facts"
)

// Show sections are parsed on a second goroutine while the engine reads
// on: parsing a long `show crypto ipsec sa` is a third to a half of the
// time of a diagnosis, and it depends on nothing the reader learns after
// the section ends. The parser keeps its own facts, quoted lines and
// section list; the engine merges them, in section order, when the input
// ends (finish), so the result is the same as reading in one goroutine.
// At most showQueue sections wait, which keeps memory bounded when the
// parser is slower than the reader.

const showQueue = 2

// showJob is one ended show section, with its raw lines.
type showJob struct {
	sec    *facts.Section
	parser *facts.Parser
	alts   []*facts.Parser
	raw    rawLines
	name   string // the section's name when it ended
}

// indexedInfo is a section summary with the section's index, for putting
// the reader's and the parser's summaries back in input order.
type indexedInfo struct {
	index int
	info  SectionInfo
}

// showParser parses show sections; only its own goroutine touches it
// until done is closed.
type showParser struct {
	jobs chan showJob
	done chan struct{}
	// free returns line and raw buffers to the reader for reuse
	free chan showBufs

	facts      facts.Facts
	raw        rawLines
	quoted     map[int]string
	cont       map[int]bool
	recognised int
	truncated  bool
	infos      []indexedInfo
	renames    map[int]string
}

type showBufs struct {
	lines []facts.Line
	raw   rawLines
}

func startShowParser() *showParser {
	p := &showParser{
		jobs:    make(chan showJob, showQueue),
		done:    make(chan struct{}),
		free:    make(chan showBufs, showQueue+1),
		quoted:  map[int]string{},
		cont:    map[int]bool{},
		renames: map[int]string{},
	}
	go p.run()
	return p
}

func (p *showParser) run() {
	defer close(p.done)
	for j := range p.jobs {
		p.parseSafely(j)
	}
}

// parseSafely parses one section; a bug on hostile input loses that
// section, never the process (this runs on its own goroutine).
func (p *showParser) parseSafely(j showJob) {
	defer func() { _ = recover() }()
	p.raw = j.raw
	p.parse(j)
	clear(j.sec.Lines) // drop the texts: they may pin a large input
	p.raw.reset()
	select {
	case p.free <- showBufs{lines: j.sec.Lines[:0], raw: p.raw}:
	default:
	}
	p.raw = rawLines{}
	j.sec.Lines = nil
}

func (p *showParser) parse(j showJob) {
	sec := j.sec
	if len(sec.Lines) == 0 {
		return
	}
	if j.parser == nil {
		before := len(p.facts.ACLs)
		p.scanConfig(sec)
		if len(p.facts.ACLs) > before {
			p.recognised++
			p.renames[sec.Index] = "configuration"
			p.infos = append(p.infos, indexedInfo{sec.Index, SectionInfo{Command: "configuration", FirstLine: sec.First(), LastLine: sec.LastLine()}})
		}
		return
	}
	if p.count() >= MaxFacts {
		p.truncated = true // enough read to diagnose; memory stays bounded
		return
	}
	parser := j.parser
	mark := p.lens()
	before := p.count()
	p.safeParse(parser, sec)
	for _, alt := range j.alts {
		if p.count() > before || p.emptyAdded(sec) {
			break
		}
		parser = alt
		p.safeParse(alt, sec)
	}
	if p.count() > before || p.emptyAdded(sec) {
		p.recognised++
		name := j.name
		if name == "" {
			name = "text"
		}
		p.infos = append(p.infos, indexedInfo{sec.Index, SectionInfo{Command: name, Vendor: string(parser.Vendor), FirstLine: sec.First(), LastLine: sec.LastLine()}})
	}
	p.keepQuoted(sec, mark)
}

// finish waits for the parser and merges what it read into the engine.
func (e *engine) finish() {
	if e.show == nil {
		e.sections = infosInOrder(e.logInfos, nil)
		return
	}
	close(e.show.jobs)
	<-e.show.done
	p := e.show
	e.show = nil
	f := e.facts
	f.IKESAs = append(f.IKESAs, p.facts.IKESAs...)
	f.IPsecSAs = append(f.IPsecSAs, p.facts.IPsecSAs...)
	f.Sessions = append(f.Sessions, p.facts.Sessions...)
	f.Routes = append(f.Routes, p.facts.Routes...)
	f.Pings = append(f.Pings, p.facts.Pings...)
	f.Policies = append(f.Policies, p.facts.Policies...)
	f.TransformSets = append(f.TransformSets, p.facts.TransformSets...)
	f.CryptoMaps = append(f.CryptoMaps, p.facts.CryptoMaps...)
	f.ACLs = append(f.ACLs, p.facts.ACLs...)
	for k, r := range p.facts.Empty {
		f.MarkEmpty(k, r)
	}
	for v, n := range p.facts.Vendors {
		if f.Vendors == nil {
			f.Vendors = map[facts.Vendor]int{}
		}
		f.Vendors[v] += n
	}
	for n, t := range p.quoted {
		e.quoted[n] = t
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

// abandon stops the parser goroutine if reading ended without finish (a
// panic on the way out): no goroutine outlives its diagnosis.
func (e *engine) abandon() {
	if e.show != nil {
		close(e.show.jobs)
		e.show = nil
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
