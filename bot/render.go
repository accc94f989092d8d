package bot

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/tunneldoc/tunneldoc/diagnose"
	"github.com/tunneldoc/tunneldoc/diagnose/redact"
)

// Reply budgets. They are Slack's limits, with headroom (Slack is the
// strictest transport): a section's text is capped at 3000 characters, a
// header at 150, a message at 50 blocks, and around 13k characters of
// blocks fail with msg_blocks_too_long. Sizes are counted as Slack
// carries the text (carriedLen).
const (
	maxSectionChars  = 2900
	maxInlineLines   = 15
	maxInlineFixes   = 8
	maxBlocks        = 50
	maxMessageChars  = 12000
	maxFallbackChars = 300
	maxCodeLineRunes = 400
	maxInlinePeers   = 40
)

// Button action IDs.
const (
	ActionRecheck     = "tunneldoc_recheck"
	ActionAcknowledge = "tunneldoc_ack"
	ActionResolve     = "tunneldoc_resolve"
)

// ReplyContext is what the reply says around the report.
type ReplyContext struct {
	Peer           string
	Device         string
	Source         string // paste, check, monitor
	IncidentID     string // "" when the diagnosis is not tracked: no buttons
	IncidentStatus string
	AcknowledgedBy string
	CanRecheck     bool
	Check          *CheckResult // set for checks: device, commands, duration
	StateWarning   string       // e.g. "incident state could not be saved"
	CheckWarning   string       // e.g. the device answered only part of the commands
	// Collection, when set, lists the commands whose output was cut short
	// (the monitor's check); otherwise Check.Notes are shown. Either way
	// the reply says the diagnosis stands on partial output.
	Collection         []CollectionNote
	CollectionCommands int // commands run, for "2 of 7"
}

// Rendered is a diagnosis ready to post: the reply (its Summary is the
// notification text, its Full the whole report as plain text) and the
// file to attach when the reply shows only part of the evidence.
type Rendered struct {
	Reply Reply
	File  *RenderedFile
}

// RenderedFile is an attachment to upload in the thread.
type RenderedFile struct {
	Name    string
	Title   string
	Content string
}

var phaseTitles = map[string]string{
	diagnose.PhaseIKE:     "Phase 1 (IKE SA)",
	diagnose.PhaseIPsec:   "Phase 2 (IPsec SA)",
	diagnose.PhaseData:    "Data plane",
	diagnose.PhaseNone:    "Healthy",
	diagnose.PhaseUnknown: "Not determined",
}

var verdictIcons = map[string]Icon{
	diagnose.VerdictDown:     IconDown,
	diagnose.VerdictDegraded: IconDegraded,
	diagnose.VerdictUp:       IconUp,
	diagnose.VerdictUnknown:  IconUnknown,
}

// Headline is "Phase 1 (IKE SA) · ike_proposal_mismatch": the phase and
// the contract's cause code, so both people and tests can read it.
func Headline(r diagnose.Report) string {
	phase := r.Phase
	if phase == "" {
		phase = diagnose.PhaseUnknown
	}
	title := phaseTitles[phase]
	if title == "" {
		title = phase
	}
	cause := r.Cause
	if cause == "" {
		cause = diagnose.CauseUnknown
	}
	return title + " · " + cause
}

func verdictOf(r diagnose.Report) string {
	if r.Verdict != "" {
		return r.Verdict
	}
	return diagnose.VerdictFor(r.Phase, r.Cause)
}

// Render turns a report into a reply. It is pure: the same report and
// context give the same reply.
func Render(r diagnose.Report, rc ReplyContext) Rendered {
	r = validUTF8(r)
	verdict := verdictOf(r)
	headline := Headline(r)
	summary := redact.Text(strings.TrimSpace(r.Summary))
	if summary == "" {
		summary = noStateSummary(r.Vendor)
	}
	peer := firstNonEmpty(rc.Peer, r.Peer)

	evidenceLines := formatEvidence(r.Evidence)
	shownEvidence, evidenceCut := fitLines(evidenceLines, maxInlineLines, maxSectionChars-200)
	fixLines := make([]string, len(r.Fix))
	for i, f := range r.Fix {
		fixLines[i] = fmt.Sprintf("%d. %s", i+1, Literal(redact.Line(f)))
	}
	shownFix, fixCut := fitLines(fixLines, maxInlineFixes, maxSectionChars-200)
	others := otherFindings(r)

	plain := PlainReport(r, rc)
	affected := affectedPeers(r)
	var file *RenderedFile
	if evidenceCut > 0 || fixCut > 0 || len(affected) > maxInlinePeers {
		file = evidenceFile(peer, headline, plain)
	}

	blocks := []Block{{Kind: Heading, Icon: verdictIcons[verdict], Text: headline}}
	for _, w := range []string{rc.CheckWarning, rc.StateWarning} {
		if w != "" {
			blocks = append(blocks, Block{Kind: Note, Icon: IconWarning, Text: Literal(redact.Text(w))})
		}
	}
	notes, commands := rc.collectionNotes()
	if len(notes) > 0 {
		blocks = append(blocks, collectionBlock(notes, commands))
	}
	blocks = append(blocks, Block{Kind: Paragraph, Text: Literal(summary)})
	if len(affected) > 1 {
		blocks = append(blocks, affectedBlock(affected))
	}
	if len(shownEvidence) > 0 {
		b := Block{Kind: Code, Title: "Proving lines", Lines: shownEvidence}
		if evidenceCut > 0 {
			b.More = fmt.Sprintf("%d more line(s) in the attached file.", evidenceCut)
		}
		blocks = append(blocks, b)
	}
	if len(shownFix) > 0 {
		b := Block{Kind: Paragraph, Title: "Fix", Text: strings.Join(shownFix, "\n")}
		if fixCut > 0 {
			b.More = fmt.Sprintf("%d more step(s) in the attached file.", fixCut)
		}
		blocks = append(blocks, b)
	}
	if len(others) > 0 {
		blocks = append(blocks, Block{Kind: Note, Text: "Also possible: " + strings.Join(others, ", ")})
	}
	if s := healthyAgain(verdict, rc); s != "" {
		blocks = append(blocks, Block{Kind: Paragraph, Icon: IconWatching, Text: s})
	}
	blocks = append(blocks, Block{Kind: Note, Text: contextLine(r, rc, verdict, peer)})
	buttons := actionButtons(rc, verdict)

	// Belt and braces: a report larger than the budget loses its inline
	// evidence to the file rather than failing with msg_blocks_too_long.
	if size, n := replySize(blocks, buttons); (size > maxMessageChars || n > maxBlocks) && len(shownEvidence) > 0 {
		rc2 := r
		rc2.Evidence = nil
		out := Render(rc2, rc)
		out.File = evidenceFile(peer, headline, plain)
		out.Reply.Full = plain
		return out
	}

	if len(affected) > 1 {
		headline += fmt.Sprintf(" (%d peers)", len(affected))
	}
	fallback := truncate(headline+": "+summary, maxFallbackChars)
	if len(notes) > 0 {
		// the notification text says it too, before the summary
		fallback = truncate(headline+" ("+collectionShort(notes)+"): "+summary, maxFallbackChars)
	}
	return Rendered{Reply: Reply{Blocks: blocks, Buttons: buttons, Summary: Literal(fallback), Full: plain}, File: file}
}

// noStateSummary is said when a report read no tunnel state: what to
// paste, in the platform's own commands when the report knows it, else
// each platform's commands beside its name (diagnose.PasteNext).
func noStateSummary(vendor string) string {
	return "I could not read a tunnel's state from that. " + strings.Join(diagnose.PasteNext(vendor, "<peer>"), ". ") + "."
}

func evidenceFile(peer, headline, plain string) *RenderedFile {
	return &RenderedFile{
		Name:    "tunneldoc-" + fileSafe(firstNonEmpty(peer, "diagnosis")) + ".txt",
		Title:   "tunneldoc: " + headline + " (full evidence)",
		Content: plain,
	}
}

// validUTF8 returns r with every text made valid UTF-8 (a bad byte becomes
// U+FFFD). Budgets count bytes of text, and JSON writes a bad byte as the
// six characters \ufffd: a paste of binary junk grew a reply past Slack's
// block limit (FuzzRenderLimits). The caller's slices are not changed.
func validUTF8(r diagnose.Report) diagnose.Report {
	fix := func(s string) string { return strings.ToValidUTF8(s, "\uFFFD") }
	evidence := func(ev []diagnose.Evidence) []diagnose.Evidence {
		out := make([]diagnose.Evidence, len(ev))
		for i, e := range ev {
			e.Section, e.Text = fix(e.Section), fix(e.Text)
			out[i] = e
		}
		return out
	}
	lines := func(ls []string) []string {
		out := make([]string, len(ls))
		for i, l := range ls {
			out[i] = fix(l)
		}
		return out
	}
	r.Summary, r.Peer, r.State = fix(r.Summary), fix(r.Peer), fix(r.State)
	r.Evidence, r.Fix = evidence(r.Evidence), lines(r.Fix)
	findings := make([]diagnose.Finding, len(r.Findings))
	for i, f := range r.Findings {
		f.Summary, f.Peer, f.State = fix(f.Summary), fix(f.Peer), fix(f.State)
		f.Evidence, f.Fix = evidence(f.Evidence), lines(f.Fix)
		findings[i] = f
	}
	r.Findings = findings
	return r
}

// healthyAgain is what a healthy result says inside an incident still
// open: the tunnel looks healthy now, and Resolve closes the incident.
func healthyAgain(verdict string, rc ReplyContext) string {
	if verdict != diagnose.VerdictUp || rc.IncidentID == "" || rc.IncidentStatus == "resolved" {
		return ""
	}
	return "The tunnel looks healthy now. If it stays up, press Resolved to close incident " + rc.IncidentID + "."
}

// actionButtons are the buttons on a tracked incident's diagnosis.
func actionButtons(rc ReplyContext, verdict string) []Button {
	if rc.IncidentID == "" {
		return nil
	}
	var out []Button
	if rc.CanRecheck {
		out = append(out, Button{Action: ActionRecheck, Value: rc.IncidentID, Label: "Re-check"})
	}
	if rc.IncidentStatus != "acknowledged" && rc.IncidentStatus != "resolved" && verdict != diagnose.VerdictUp {
		out = append(out, Button{Action: ActionAcknowledge, Value: rc.IncidentID, Label: "Acknowledge"})
	}
	if rc.IncidentStatus != "resolved" {
		out = append(out, Button{Action: ActionResolve, Value: rc.IncidentID, Label: "Resolved", Primary: true})
	}
	return out
}

func contextLine(r diagnose.Report, rc ReplyContext, verdict, peer string) string {
	parts := []string{fmt.Sprintf("%s · confidence %d%%", verdict, int(r.Confidence*100+0.5))}
	if peer != "" {
		parts = append(parts, "peer "+Literal(peer))
	}
	if d := firstNonEmpty(rc.Device, checkDevice(rc.Check)); d != "" {
		parts = append(parts, "device "+Literal(d))
	}
	if r.Vendor != "" {
		parts = append(parts, "vendor "+Literal(r.Vendor))
	}
	if r.State != "" {
		parts = append(parts, "state "+Literal(r.State))
	}
	if rc.Source != "" {
		parts = append(parts, "from "+rc.Source)
	}
	if rc.Check != nil {
		parts = append(parts, fmt.Sprintf("%d command(s) in %s", len(rc.Check.Commands), rc.Check.Duration.Round(100_000_000)))
	}
	if rc.IncidentID != "" {
		s := "incident " + rc.IncidentID
		if rc.IncidentStatus != "" {
			s += " (" + rc.IncidentStatus
			if rc.AcknowledgedBy != "" {
				s += " by " + Mention(rc.AcknowledgedBy)
			}
			s += ")"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " · ")
}

func checkDevice(c *CheckResult) string {
	if c == nil {
		return ""
	}
	return c.Device
}

// affectedPeers are the peers the report finds in trouble (down or
// degraded), each once with its strongest finding, in address order
// (10.0.0.2 before 10.0.0.10; names after addresses).
func affectedPeers(r diagnose.Report) []diagnose.Finding {
	seen := map[string]bool{}
	var out []diagnose.Finding
	for _, f := range r.Findings {
		v := diagnose.VerdictFor(f.Phase, f.Cause)
		if f.Peer == "" || seen[f.Peer] || (v != diagnose.VerdictDown && v != diagnose.VerdictDegraded) {
			continue
		}
		seen[f.Peer] = true
		out = append(out, f)
	}
	slices.SortStableFunc(out, func(a, b diagnose.Finding) int { return comparePeers(a.Peer, b.Peer) })
	return out
}

// comparePeers orders peers by address, numerically; names follow
// addresses, in string order.
func comparePeers(a, b string) int {
	x, errA := netip.ParseAddr(a)
	y, errB := netip.ParseAddr(b)
	switch {
	case errA == nil && errB == nil:
		return x.Compare(y)
	case errA == nil:
		return -1
	case errB == nil:
		return 1
	}
	return strings.Compare(a, b)
}

// affectedBlock lists the affected peers: the count, then the peers (with
// their cause when they differ), the first maxInlinePeers inline and the
// rest in the attached file.
func affectedBlock(affected []diagnose.Finding) Block {
	sameCause := true
	for _, f := range affected {
		sameCause = sameCause && f.Cause == affected[0].Cause && f.Phase == affected[0].Phase
	}
	var names []string
	for i, f := range affected {
		if i == maxInlinePeers {
			break
		}
		if sameCause {
			names = append(names, Literal(f.Peer))
		} else {
			names = append(names, Literal(f.Peer)+" ("+Literal(f.Cause)+")")
		}
	}
	b := Block{Kind: Paragraph, Title: fmt.Sprintf("%d peers affected", len(affected)), Text: strings.Join(names, ", ")}
	if sameCause {
		b.Title += ", all " + affected[0].Cause
	}
	if more := len(affected) - len(names); more > 0 {
		b.More = fmt.Sprintf("%d more in the attached file, with each peer's state.", more)
	}
	return b
}

// otherFindings names the findings after the primary one.
func otherFindings(r diagnose.Report) []string {
	var out []string
	for _, f := range r.Findings {
		if f.Cause == r.Cause && f.Phase == r.Phase {
			continue
		}
		out = append(out, fmt.Sprintf("%s %s (%d%%)", f.Phase, f.Cause, int(f.Confidence*100+0.5)))
		if len(out) == 3 {
			break
		}
	}
	return out
}

// formatEvidence prints each proving line with its input line number,
// grouped under its section; a very long line is cut.
func formatEvidence(ev []diagnose.Evidence) []string {
	var out []string
	section := ""
	for _, e := range ev {
		if e.Section != section && e.Section != "" {
			out = append(out, "# "+capRunes(e.Section, maxCodeLineRunes))
			section = e.Section
		}
		out = append(out, fmt.Sprintf("%5d | %s", e.Line, capRunes(redact.Line(e.Text), maxCodeLineRunes)))
	}
	return out
}

// capRunes cuts s to n runes, the last one an ellipsis.
func capRunes(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// fitLines keeps whole lines while they fit both budgets and reports how
// many were left out.
func fitLines(lines []string, maxLines, maxChars int) ([]string, int) {
	n, size := 0, 0
	for _, l := range lines {
		if n == maxLines || size+carriedLen(l)+1 > maxChars {
			break
		}
		size += carriedLen(l) + 1
		n++
	}
	return lines[:n], len(lines) - n
}

// carriedLen is how many characters s takes as Slack, the strictest
// transport, carries it: &, < and > travel as entities (&amp; &lt; &gt;)
// and a zero-width space keeps two backticks from making a code fence.
func carriedLen(s string) int {
	return utf8.RuneCountInString(s) + 4*strings.Count(s, "&") + 3*(strings.Count(s, "<")+strings.Count(s, ">")) + strings.Count(s, "``")
}

// replySize is the reply's size as Slack carries it, in bytes of block
// text, and its number of blocks; buttons count as one block of 300.
func replySize(blocks []Block, buttons []Button) (size, n int) {
	for _, b := range blocks {
		size += len(b.Title) + len(b.Text) + len(b.More) + 8
		size += carriedLen(b.Text) - utf8.RuneCountInString(b.Text)
		for _, l := range b.Lines {
			size += len(l) + 1 + carriedLen(l) - utf8.RuneCountInString(l)
		}
	}
	n = len(blocks)
	if len(buttons) > 0 {
		size += 300
		n++
	}
	return size, n
}

func fileSafe(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-', r == '_':
			b.WriteRune(r)
		default:
			b.WriteRune('_')
		}
	}
	return truncate(b.String(), 60)
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if strings.TrimSpace(x) != "" {
			return strings.TrimSpace(x)
		}
	}
	return ""
}

// PlainReport is the whole report as text: the console's answer and the
// content of the evidence file.
func PlainReport(r diagnose.Report, rc ReplyContext) string {
	var b strings.Builder
	verdict := verdictOf(r)
	peer := firstNonEmpty(rc.Peer, r.Peer)
	fmt.Fprintf(&b, "%s  [%s, confidence %d%%]\n", Headline(r), verdict, int(r.Confidence*100+0.5))
	for _, w := range []string{rc.CheckWarning, rc.StateWarning} {
		if w != "" {
			fmt.Fprintf(&b, "warning: %s\n", redact.Text(w))
		}
	}
	if notes, commands := rc.collectionNotes(); len(notes) > 0 {
		fmt.Fprintf(&b, "%s\n", redact.Text(collectionText(notes, commands)))
	}
	summary := redact.Text(strings.TrimSpace(r.Summary))
	if summary == "" {
		summary = noStateSummary(r.Vendor)
	}
	fmt.Fprintf(&b, "%s\n", summary)
	if affected := affectedPeers(r); len(affected) > 1 {
		fmt.Fprintf(&b, "\n%d peers affected:\n", len(affected))
		for _, f := range affected {
			line := fmt.Sprintf("  %-39s %s · %s", f.Peer, f.Phase, f.Cause)
			if f.State != "" {
				line += " · " + f.State
			}
			fmt.Fprintf(&b, "%s\n", redact.Line(line))
		}
	}
	if len(r.Evidence) > 0 {
		b.WriteString("\nProving lines:\n")
		section := ""
		for _, e := range r.Evidence {
			if e.Section != section && e.Section != "" {
				fmt.Fprintf(&b, "  # %s\n", e.Section)
				section = e.Section
			}
			fmt.Fprintf(&b, "  %5d | %s\n", e.Line, redact.Line(e.Text))
		}
	}
	if len(r.Fix) > 0 {
		b.WriteString("\nFix:\n")
		for i, f := range r.Fix {
			fmt.Fprintf(&b, "  %d. %s\n", i+1, redact.Line(f))
		}
	}
	for _, f := range r.Findings {
		if f.Cause == r.Cause && f.Phase == r.Phase {
			continue
		}
		fmt.Fprintf(&b, "\nAlso possible: %s %s (%d%%): %s\n", f.Phase, f.Cause, int(f.Confidence*100+0.5), redact.Text(f.Summary))
		for _, e := range f.Evidence {
			fmt.Fprintf(&b, "  %5d | %s\n", e.Line, redact.Line(e.Text))
		}
	}
	if s := healthyAgain(verdict, rc); s != "" {
		fmt.Fprintf(&b, "\n%s\n", PlainText(s))
	}
	var ctx []string
	if peer != "" {
		ctx = append(ctx, "peer "+peer)
	}
	if d := firstNonEmpty(rc.Device, checkDevice(rc.Check)); d != "" {
		ctx = append(ctx, "device "+d)
	}
	if r.Vendor != "" {
		ctx = append(ctx, "vendor "+r.Vendor)
	}
	if r.State != "" {
		ctx = append(ctx, "state "+r.State)
	}
	if rc.IncidentID != "" {
		ctx = append(ctx, "incident "+rc.IncidentID+" ("+rc.IncidentStatus+")")
	}
	if len(ctx) > 0 {
		fmt.Fprintf(&b, "\n%s\n", strings.Join(ctx, " · "))
	}
	return b.String()
}
