package diagnose

import (
	"cmp"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/tunneldoc/tunneldoc/diagnose/facts"
	"github.com/tunneldoc/tunneldoc/diagnose/redact"
)

var phaseRank = map[string]int{PhaseIKE: 0, PhaseIPsec: 1, PhaseData: 2, PhaseNone: 3, PhaseUnknown: 4}

// report runs the rules over every peer and assembles the contract object.
func (e *engine) report() Report {
	rep := e.reportBody()
	if e.truncated {
		rep.Summary += fmt.Sprintf(" (Only the first %d facts of this very long paste were read; later show output was skipped.)", MaxFacts)
	}
	if e.match.peersDropped > 0 {
		rep.Summary += fmt.Sprintf(" (The paste names more than %d peers; %d log lines about further peers were not read: use --peer, or `check tunnel <peer>`, for one of them.)", MaxPeers, e.match.peersDropped)
	}
	if n := e.match.eventsDropped; n > 0 {
		rep.Summary += fmt.Sprintf(" (The logs name more than %d distinct events; %d log lines with further kinds, peers or states were not read.)", MaxEvents, n)
	}
	if n := len(e.peersNotRead); n > 0 {
		rep.Summary += fmt.Sprintf(" (The output names %d more peers than the %d read: use --peer, or `check tunnel <peer>`, for one of them.)", n, MaxPeers)
	}
	if e.findingsDropped > 0 {
		rep.Summary += fmt.Sprintf(" (%d more findings are not listed: only the worst %d are.)", e.findingsDropped, MaxFindings)
	}
	return rep
}

func (e *engine) reportBody() Report {
	for _, c := range correlators {
		c(e.facts)
	}
	views := e.buildViews()
	findings := e.findingsOf(views)
	sortFindings(findings)
	findings = dropHealthyWhenFailing(findings)
	if len(findings) > MaxFindings {
		e.findingsDropped = len(findings) - MaxFindings
		findings = findings[:MaxFindings:MaxFindings]
	}
	vendor := e.vendor()
	rep := Report{Vendor: vendor, Readable: e.recognised > 0, Sections: e.sections, Findings: findings, Evidence: []Evidence{}, Fix: []string{}}
	if rep.Findings == nil {
		rep.Findings = []Finding{}
	}
	if len(findings) == 0 {
		rep.Phase, rep.Cause, rep.Verdict = PhaseUnknown, CauseUnknown, VerdictUnknown
		rep.Peer = e.opts.Peer
		if !rep.Readable {
			rep.Summary = "Nothing in the input looked like IPsec device output. Expected `show crypto isakmp sa`, `show crypto ipsec sa`, `show crypto session`, `debug crypto isakmp` / `debug crypto ipsec` (IOS), `show crypto isakmp sa` / `show vpn-sessiondb detail l2l` / IKEv1/IKEv2 debugs (ASA), `swanctl --list-sas` and charon logs (strongSwan), `ipsec status` / `ipsec trafficstatus` and pluto logs (libreswan), or the IKE logs of Junos (kmd), PAN-OS, FortiOS, RouterOS, Huawei VRP, H3C/HPE Comware, ZyXEL, AWS and Azure VPN gateways."
		} else {
			rep.Summary = "The output was read (" + e.readList() + ") but no rule matches it."
		}
		rep.Fix = PasteNext(vendor, e.opts.Peer)
		return rep
	}
	p := findings[0]
	rep.Phase, rep.Cause, rep.Confidence, rep.Peer, rep.State = p.Phase, p.Cause, p.Confidence, p.Peer, p.State
	rep.Summary, rep.Evidence, rep.Fix = p.Summary, p.Evidence, p.Fix
	rep.Verdict = VerdictFor(p.Phase, p.Cause)
	if p.Cause == CauseHealthy && p.Confidence < 0.5 {
		rep.Verdict = VerdictUp
	}
	return rep
}

func (e *engine) readList() string {
	seen := map[string]bool{}
	var names []string
	for _, s := range e.sections {
		if !seen[s.Command] {
			seen[s.Command] = true
			names = append(names, s.Command)
		}
	}
	if len(names) == 0 {
		return "text"
	}
	return strings.Join(names, ", ")
}

// sortFindings: failures before health; the earliest failing phase first;
// within a phase the surer finding first. A guess (below 0.5) does not
// outrank a firm finding of a later phase.
func sortFindings(fs []Finding) {
	key := func(f *Finding) int {
		r := phaseRank[f.Phase]
		if f.Cause == CauseHealthy {
			r = 10
		}
		if f.Confidence < 0.5 && f.Cause != CauseHealthy {
			r += 5
		}
		return r
	}
	sort.SliceStable(fs, func(i, j int) bool {
		if ki, kj := key(&fs[i]), key(&fs[j]); ki != kj {
			return ki < kj
		}
		return fs[i].Confidence > fs[j].Confidence
	})
}

// findingsOf runs the rules over every view, in views' order.
func (e *engine) findingsOf(views []*view) []Finding {
	var findings []Finding
	for _, v := range views {
		findings = append(findings, e.peerFindings(v)...)
	}
	return findings
}

// peerFindings runs every rule on one peer. A peer with any failure gets
// no "healthy" finding; of several findings of one cause only the surest
// is kept.
func (e *engine) peerFindings(v *view) []Finding {
	var out []Finding
	byCause := map[string]int{}
	for _, r := range rules {
		h := r.match(v)
		if h == nil || len(h.refs) == 0 {
			continue
		}
		f := e.finding(v, r.cause, h)
		if len(f.Evidence) == 0 {
			continue // no evidence, no finding
		}
		if i, ok := byCause[f.Cause]; ok {
			if out[i].Confidence < f.Confidence {
				out[i] = f
			}
			continue
		}
		byCause[f.Cause] = len(out)
		out = append(out, f)
	}
	failing := false
	for _, f := range out {
		if f.Cause != CauseHealthy && f.Confidence >= 0.5 {
			failing = true
		}
	}
	if failing {
		kept := out[:0]
		for _, f := range out {
			if f.Cause != CauseHealthy {
				kept = append(kept, f)
			}
		}
		out = kept
	}
	return out
}

func (e *engine) finding(v *view, cause string, h *hit) Finding {
	f := Finding{
		Phase:      CausePhase[cause],
		Cause:      cause,
		Confidence: round2(h.conf),
		Peer:       v.peer,
		State:      h.state,
		Summary:    redact.Line(h.summary),
		Evidence:   e.evidence(v.rc, h.refs),
		Fix:        fixFor(facts.Vendor(e.vendor()), cause, v.peer),
	}
	if f.Peer == "" && h.peer != "" {
		f.Peer = h.peer
		f.Fix = fixFor(facts.Vendor(e.vendor()), cause, h.peer)
	}
	if h.next != "" && h.conf < 0.7 {
		f.Fix = append([]string{strings.ReplaceAll(nextFor(facts.Vendor(e.vendor()), h.next), "<peer>", orX(h.peer))}, f.Fix...)
	}
	return f
}

// reportCache holds what one report works out once and every peer's
// rules use: answers that read all the facts, not one peer's view, and
// the redacted text of quoted lines (a line is evidence of several
// findings).
type reportCache struct {
	acl, lifetime factHit
	// unapplied: the crypto maps applied to no interface
	unappliedDone bool
	unapplied     []int
	routesDone    bool
	routes        []facts.Ref
	lines         map[int]string // redacted quoted lines
}

// factHit is the hit of a rule that reads all the facts, not a peer's
// view, worked out on first use.
type factHit struct {
	done bool
	h    *hit
}

// get returns the hit (a copy: the rules' callers may append to its
// refs), working it out with rule the first time.
func (c *factHit) get(f *facts.Facts, rule func(*facts.Facts) *hit) *hit {
	if !c.done {
		c.done, c.h = true, rule(f)
	}
	if c.h == nil {
		return nil
	}
	h := *c.h
	h.refs = h.refs[:len(h.refs):len(h.refs)]
	return &h
}

func round2(x float64) float64 { return float64(int(x*100+0.5)) / 100 }

// evidence quotes the referenced lines exactly as given (redacted), each
// wrapped line with its continuation lines, in input order, once each.
func (e *engine) evidence(rc *reportCache, refs []facts.Ref) []Evidence {
	var out []Evidence
	seen := map[int]bool{}
	for _, r := range refs {
		for n := r.Line; ; n++ {
			t, ok := e.quoted[n]
			if !ok || seen[n] {
				break
			}
			out = append(out, Evidence{Section: e.sectionName(r.Section), Line: n, Text: rc.redacted(n, t)})
			seen[n] = true
			if n != r.Line && !e.continues(n) {
				break
			}
			if !e.continues(n + 1) {
				break
			}
		}
	}
	slices.SortStableFunc(out, func(a, b Evidence) int { return cmp.Compare(a.Line, b.Line) })
	return out
}

// redacted is quoted line n (text t) as evidence quotes it, redacted
// once per report.
func (rc *reportCache) redacted(n int, t string) string {
	if rc == nil {
		return redact.Line(strings.TrimRight(t, " \t"))
	}
	if rc.lines == nil {
		rc.lines = map[int]string{}
	}
	r, ok := rc.lines[n]
	if !ok {
		r = redact.Line(strings.TrimRight(t, " \t"))
		rc.lines[n] = r
	}
	return r
}

// continues reports whether physical line n is the continuation of a
// wrapped logical line (recorded when log lines were joined).
func (e *engine) continues(n int) bool { return e.cont[n] }

func (e *engine) vendor() string {
	best, bestN := "", 0
	for v, n := range e.facts.Vendors {
		if n > bestN || (n == bestN && string(v) < best) {
			best, bestN = string(v), n
		}
	}
	if e.opts.Vendor != "" && e.opts.Vendor != "auto" {
		return e.opts.Vendor
	}
	return best
}

// dropHealthyWhenFailing: when some tunnel is down, the report is about
// the ones that are not healthy (a hub's 200 good peers would bury the
// one that is down). With no failure, every healthy peer is listed.
func dropHealthyWhenFailing(fs []Finding) []Finding {
	failing := false
	for _, f := range fs {
		if f.Cause != CauseHealthy && f.Confidence >= 0.5 {
			failing = true
			break
		}
	}
	if !failing {
		return fs
	}
	out := fs[:0]
	for _, f := range fs {
		if f.Cause != CauseHealthy {
			out = append(out, f)
		}
	}
	return out
}
