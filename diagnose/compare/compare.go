package compare

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/tunneldoc/tunneldoc/diagnose"
	"github.com/tunneldoc/tunneldoc/diagnose/redact"
)

// Input is one side's configuration.
type Input struct {
	// Label names the side in evidence when the config has no hostname
	// (usually the file name).
	Label string
	// Text is the configuration as pasted or read.
	Text string
	// OutsideAddr, when set, is the address this side runs IKE from; it
	// overrides what the config says (the interface the crypto map is
	// applied to, a tunnel source, local_addrs).
	OutsideAddr string
	// Vendor forces "ios", "asa" or "strongswan"; "" or "auto" detects.
	Vendor string
}

// Options steer one comparison.
type Options struct {
	// HashKey keys the HMAC-SHA256 that shows two pre-shared keys differ
	// without showing them. The caller supplies it (a fresh random key per
	// process); with none, the reply says only that the keys differ.
	HashKey []byte
}

// Configs compares two peers' crypto configurations and reports, from A's
// point of view, every setting that keeps the tunnel between them from
// coming up or passing traffic. The primary finding is the earliest
// failing phase; a pair that agrees on everything compared is healthy.
// Report.Readable is false when either side held no crypto configuration.
func Configs(a, b Input, opts Options) diagnose.Report {
	da := readDevice("A", a)
	db := readDevice("B", b)
	var r diagnose.Report
	switch {
	case !da.readable() || !db.readable():
		r = unreadable(da, db)
	default:
		c := &comparison{a: da, b: db, opts: opts}
		r = c.run()
	}
	scrub(&r, append(da.secrets, db.secrets...))
	return r
}

// LooksLikeConfig reports whether text holds a crypto configuration this
// package can compare (IOS/ASA running config or swanctl.conf), so that a
// caller can route a paste here rather than to the live diagnosis.
func LooksLikeConfig(text string) bool {
	d := readDevice("A", Input{Text: text})
	return d.readable()
}

func (d *device) readable() bool {
	return d.vendor != "" && (len(d.tunnels) > 0 || len(d.ike[1])+len(d.ike[2]) > 0 || len(d.keys) > 0)
}

// vendorMarks: line openings only one platform writes. Counting them
// picks the parser; a plain prefix test per line keeps detection cheap on
// long configs.
var vendorMarks = []struct {
	vendor   string
	prefixes []string
}{
	{"strongswan", []string{"connections {", "connections{", "secrets {", "secrets{", "children {", "esp_proposals", "remote_addrs", "local_addrs", "local_ts", "remote_ts",
		"conn ", "left=", "right=", "leftsubnet=", "rightsubnet=", "keyexchange=", "authby="}},
	{"asa", []string{"tunnel-group ", "nameif ", "crypto ikev1 ", "crypto ipsec ikev1 ", "crypto ipsec ikev2 ", "crypto ikev2 enable ", "object network ", "object-group network ", "ASA Version", "nat (", "route outside ", "names"}},
	{"ios", []string{"crypto isakmp ", "crypto keyring ", "crypto ipsec transform-set ", "crypto ikev2 proposal ", "crypto ikev2 keyring ", "crypto ikev2 profile ", "crypto ipsec profile ", "ip access-list ", "ip nat inside source ", "tunnel protection ipsec ", "crypto dynamic-map "}},
}

var reASAExtACL = regexp.MustCompile(`^access-list \S+ extended `)

func detectVendor(text string) string {
	var score [3]int
	for _, l := range strings.Split(text, "\n") {
		if m := reConfigPrompt.FindStringIndex(l); m != nil {
			l = l[m[1]:]
		}
		l = strings.TrimSpace(l)
		if l == "" {
			continue
		}
		if w := strings.Fields(l); len(w) > 1 {
			if x := expandAbbrev(w, iosGlobal); &x[0] != &w[0] {
				l = strings.Join(x, " ")
			}
		}
		for i, m := range vendorMarks {
			for _, p := range m.prefixes {
				if strings.HasPrefix(l, p) {
					score[i]++
					break
				}
			}
		}
		if strings.HasPrefix(l, "access-list ") && reASAExtACL.MatchString(l) {
			score[1]++
		}
	}
	best, bestN := "", 0
	for i, m := range vendorMarks {
		if score[i] > bestN {
			best, bestN = m.vendor, score[i]
		}
	}
	return best
}

func readDevice(side string, in Input) *device {
	d := &device{side: side, label: in.Label, lines: splitLines(in.Text)}
	if d.label == "" {
		d.label = strings.ToLower(side) + ".cfg"
	}
	d.vendor = strings.ToLower(in.Vendor)
	if d.vendor == "" || d.vendor == "auto" {
		d.vendor = detectVendor(in.Text)
	}
	switch d.vendor {
	case "ios":
		parseCisco(d, false)
	case "asa":
		parseCisco(d, true)
	case "strongswan":
		if isLegacySwan(in.Text) {
			parseSwanLegacy(d)
		} else {
			parseSwan(d)
		}
	default:
		d.vendor = ""
	}
	if a, ok := parseAddr(strings.TrimSpace(in.OutsideAddr)); ok {
		d.outside = []addrRef{{addr: a}}
		d.outsideGiven = true
	}
	return d
}

// section is how evidence names this side: "A: HUB" or "A: a.cfg".
func (d *device) section() string {
	if d.hostname != "" {
		return d.side + ": " + d.hostname
	}
	return d.side + ": " + d.label
}

// liveDiagnosis names what to read on a device, in its platform's own
// commands, when its configuration matches the other's but the tunnel is
// still down.
func liveDiagnosis(d *device) string {
	cmds := map[string]string{
		"ios":        "`show crypto isakmp sa`, `show crypto ipsec sa`, `debug crypto isakmp`",
		"asa":        "`show crypto isakmp sa`, `show crypto ipsec sa`, `debug crypto ikev1 127`",
		"strongswan": "`swanctl --list-sas` and charon's log during `swanctl --initiate --child <child>`",
		"libreswan":  "`ipsec status` and pluto's log during `ipsec auto --up <conn>`",
	}[d.vendor]
	if cmds == "" {
		cmds = "its IKE and IPsec SA state and negotiation log"
	}
	return d.name() + ": " + cmds
}

func (d *device) name() string {
	if d.hostname != "" {
		return d.side + " (" + d.hostname + ")"
	}
	return d.side + " (" + d.label + ")"
}

func unreadable(a, b *device) diagnose.Report {
	var bad []string
	for _, d := range []*device{a, b} {
		if !d.readable() {
			bad = append(bad, d.name())
		}
	}
	return diagnose.Report{
		Phase: diagnose.PhaseUnknown, Cause: diagnose.CauseUnknown, Verdict: diagnose.VerdictUnknown,
		Summary: strings.Join(bad, " and ") + " held no crypto configuration I can read: expected an IOS/IOS-XE or ASA " +
			"running configuration (crypto isakmp/ikev1/ikev2, crypto map, tunnel-group ...) or a strongSwan swanctl.conf.",
		Evidence: []diagnose.Evidence{}, Fix: []string{"paste `show running-config` (or `show run | section crypto` plus the crypto ACLs and interfaces) from both ends, or the swanctl.conf"},
		Findings: []diagnose.Finding{},
	}
}

// scrub is the last guard: no key read from either config may appear in
// any output field, whatever rule or bug put it there. Keys shorter than
// four characters are left to redact.Line, which masks them by position.
func scrub(r *diagnose.Report, secrets []string) {
	var ks []string
	seen := map[string]bool{}
	for _, s := range secrets {
		if len(s) >= 4 && !seen[s] {
			seen[s] = true
			ks = append(ks, s)
		}
	}
	if len(ks) == 0 {
		return
	}
	sort.Slice(ks, func(i, j int) bool { return len(ks[i]) > len(ks[j]) })
	clean := func(s string) string {
		for _, k := range ks {
			if strings.Contains(s, k) {
				s = strings.ReplaceAll(s, k, redact.Mask)
			}
		}
		return s
	}
	cleanEv := func(ev []diagnose.Evidence) {
		for i := range ev {
			ev[i].Text, ev[i].Section = clean(ev[i].Text), clean(ev[i].Section)
		}
	}
	cleanList := func(l []string) {
		for i := range l {
			l[i] = clean(l[i])
		}
	}
	r.Summary, r.Peer, r.State = clean(r.Summary), clean(r.Peer), clean(r.State)
	cleanEv(r.Evidence)
	cleanList(r.Fix)
	for i := range r.Findings {
		f := &r.Findings[i]
		f.Summary, f.Peer, f.State = clean(f.Summary), clean(f.Peer), clean(f.State)
		cleanEv(f.Evidence)
		cleanList(f.Fix)
	}
}

// --- the comparison ---

type comparison struct {
	a, b     *device
	opts     Options
	findings []diagnose.Finding
	checked  []string
	notes    []string
	ta, tb   *tunnel
	// sameA, sameB: every tunnel each side has to the other by address
	// (the children of a connection, the conns or crypto map entries of
	// one peer); ta and tb are among them.
	sameA, sameB []*tunnel
	peerA        netip.Addr // A's outside address (B's peer)
	peerB        netip.Addr // B's outside address (A's peer)
}

// causeOrder ranks causes by how early in the tunnel's life they bite:
// the primary finding is the first that fails.
var causeOrder = []string{
	diagnose.CauseNoInterestingTraffic,
	diagnose.CausePeerUnreachable,
	diagnose.CauseMissingPeerConfig,
	diagnose.CauseIKEVersionMismatch,
	diagnose.CauseIKEProposalMismatch,
	diagnose.CauseIDMismatch,
	diagnose.CausePSKMismatch,
	diagnose.CauseESPProposalMismatch,
	diagnose.CauseTrafficSelectorMismatch,
	diagnose.CausePFSMismatch,
	diagnose.CauseOneWayInbound,
	diagnose.CauseOneWayOutbound,
	diagnose.CauseLifetimeMismatch,
}

func (c *comparison) add(cause string, conf float64, summary string, evs []diagnose.Evidence, fix ...string) {
	if len(evs) == 0 {
		return // no evidence, no finding
	}
	if slices.ContainsFunc(c.findings, func(f diagnose.Finding) bool { return f.Cause == cause && f.Summary == summary }) {
		return // two pairs of children that differ alike
	}
	// Both sides are quoted in every finding: a side the rule had no line
	// for shows the entry (or, failing that, the first line) it was read from.
	for _, x := range []struct {
		d *device
		t *tunnel
	}{{c.a, c.ta}, {c.b, c.tb}} {
		if slices.ContainsFunc(evs, func(e diagnose.Evidence) bool { return e.Section == x.d.section() }) {
			continue
		}
		n := firstLine(x.d)
		if x.t != nil && x.t.line > 0 {
			n = x.t.line
		}
		evs = append(evs, ev(x.d, n)...)
	}
	peer := ""
	if c.peerB.IsValid() {
		peer = c.peerB.String()
	}
	c.findings = append(c.findings, diagnose.Finding{
		Phase: diagnose.CausePhase[cause], Cause: cause, Confidence: conf, Peer: peer,
		Summary: summary, Evidence: evs, Fix: append([]string{}, fix...),
	})
}

// maxEvidencePerSide keeps a finding readable in Slack.
const maxEvidencePerSide = 12

// ev quotes lines of d, deduplicated, in order, redacted.
func ev(d *device, lines ...int) []diagnose.Evidence {
	seen := map[int]bool{}
	var ns []int
	for _, n := range lines {
		if n > 0 && n <= len(d.lines) && !seen[n] {
			seen[n] = true
			ns = append(ns, n)
		}
	}
	sort.Ints(ns)
	if len(ns) > maxEvidencePerSide {
		ns = ns[:maxEvidencePerSide]
	}
	out := make([]diagnose.Evidence, 0, len(ns))
	for _, n := range ns {
		out = append(out, diagnose.Evidence{Section: d.section(), Line: n, Text: redact.Line(d.lines[n-1])})
	}
	return out
}

func both(a, b []diagnose.Evidence) []diagnose.Evidence {
	out := make([]diagnose.Evidence, 0, len(a)+len(b))
	return append(append(out, a...), b...)
}

func (c *comparison) run() diagnose.Report {
	a, b := c.a, c.b
	if !c.pair() {
		return c.report()
	}
	c.checkApplied(a, c.ta, b, c.tb)
	c.checkApplied(b, c.tb, a, c.ta)
	c.checkComplete(a, c.ta, b, c.tb)
	c.checkComplete(b, c.tb, a, c.ta)
	c.checkIKEEnabled(a, c.ta, b, c.tb)
	c.checkIKEEnabled(b, c.tb, a, c.ta)
	var pa, pb *proposal
	if vs := c.checkVersion(); len(vs) > 0 {
		var v int
		v, pa, pb = c.checkProposals(vs)
		if v == 2 || c.a.vendor == "strongswan" || c.b.vendor == "strongswan" {
			c.checkIDs()
		}
		c.checkKeys(v, pa, pb)
	}
	n := len(c.findings)
	c.checkESP()
	c.namePair(n)
	ta, tb := c.ta, c.tb
	c.ta, c.tb = merged(c.sameA, ta), merged(c.sameB, tb)
	c.checkSelectors()
	c.ta, c.tb = ta, tb
	n = len(c.findings)
	c.checkPFS()
	c.namePair(n)
	c.checkOtherPairs()
	c.checkNAT(a, c.ta, b, c.tb, diagnose.CauseOneWayInbound)
	c.checkNAT(b, c.tb, a, c.ta, diagnose.CauseOneWayOutbound)
	c.checkRoutes(a, c.ta, b, c.tb, diagnose.CauseOneWayInbound)
	c.checkRoutes(b, c.tb, a, c.ta, diagnose.CauseOneWayOutbound)
	c.checkLifetimes(pa, pb)
	return c.report()
}

func (c *comparison) report() diagnose.Report {
	fs := c.findings
	sort.SliceStable(fs, func(i, j int) bool {
		return slices.Index(causeOrder, fs[i].Cause) < slices.Index(causeOrder, fs[j].Cause)
	})
	vendor := c.a.vendor
	if c.b.vendor != c.a.vendor {
		vendor = c.a.vendor + "/" + c.b.vendor
	}
	r := diagnose.Report{Vendor: vendor, Readable: true, Findings: fs}
	for _, d := range []*device{c.a, c.b} {
		r.Sections = append(r.Sections, diagnose.SectionInfo{Command: d.section() + " crypto configuration", Vendor: d.vendor, FirstLine: 1, LastLine: len(d.lines)})
	}
	if c.peerB.IsValid() {
		r.Peer = c.peerB.String()
	}
	if len(fs) == 0 {
		if c.ta == nil || c.tb == nil {
			r.Phase, r.Cause, r.Verdict = diagnose.PhaseUnknown, diagnose.CauseUnknown, diagnose.VerdictUnknown
			r.Summary = "Could not tell which tunnel joins " + c.a.name() + " and " + c.b.name() + "." + c.notesText()
			r.Evidence, r.Fix, r.Findings = []diagnose.Evidence{}, []string{"give each side's outside address (tunneldoc compare --a-addr IP --b-addr IP)"}, []diagnose.Finding{}
			return r
		}
		summary := fmt.Sprintf("%s and %s agree on everything compared (%s).", c.a.name(), c.b.name(), strings.Join(slices.Compact(c.checked), ", "))
		summary += c.notesText()
		c.add(diagnose.CauseHealthy, 0.8, summary,
			both(ev(c.a, peerLines(c.ta, c.peerB)...), ev(c.b, peerLines(c.tb, c.peerA)...)),
			"the configurations match; if the tunnel is still down, run the live diagnosis on both ends ("+liveDiagnosis(c.a)+"; "+liveDiagnosis(c.b)+")")
		fs = c.findings
		r.Findings = fs
	}
	p := fs[0]
	r.Phase, r.Cause, r.Confidence, r.Summary, r.Evidence, r.Fix = p.Phase, p.Cause, p.Confidence, p.Summary, p.Evidence, p.Fix
	r.Verdict = diagnose.VerdictFor(p.Phase, p.Cause)
	return r
}

func (c *comparison) notesText() string {
	notes := append(append([]string{}, c.notes...), c.a.prefixNotes()...)
	notes = append(notes, c.b.prefixNotes()...)
	if len(notes) == 0 {
		return ""
	}
	return " Not compared: " + strings.Join(notes, "; ") + "."
}

func (d *device) prefixNotes() []string {
	var out []string
	for _, n := range d.notes {
		s := d.side + ": " + n
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

func peerLines(t *tunnel, addr netip.Addr) []int {
	if t == nil {
		return nil
	}
	var out []int
	for _, p := range t.peers {
		if p.addr == addr {
			out = append(out, p.line)
		}
	}
	if len(out) == 0 {
		out = append(out, t.line)
	}
	return out
}

// hmacPrefix is a short keyed hash of a key: enough to show two keys
// differ, useless for recovering either.
func (c *comparison) hmacPrefix(s string) string {
	m := hmac.New(sha256.New, c.opts.HashKey)
	m.Write([]byte(s))
	return hex.EncodeToString(m.Sum(nil))[:8]
}
