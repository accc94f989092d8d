package bot

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/tunneldoc/tunneldoc/diagnose"
	"github.com/tunneldoc/tunneldoc/diagnose/redact"
)

// Slack's limits, with headroom: a section's text is capped at 3000
// characters, a header at 150, a message at 50 blocks, and around 13k
// characters of blocks fail with msg_blocks_too_long.
const (
	maxSectionChars  = 2900
	maxHeaderChars   = 150
	maxInlineLines   = 15
	maxInlineFixes   = 8
	maxBlocks        = 50
	maxMessageChars  = 12000
	maxContextChars  = 1900
	maxFallbackChars = 300
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

// Rendered is a reply ready to post.
type Rendered struct {
	Fallback string // Slack's notification text
	Plain    string // the whole reply as text (console, logs of what was said)
	Blocks   []slack.Block
	File     *RenderedFile // the full evidence when the blocks show only part of it
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

var verdictEmoji = map[string]string{
	diagnose.VerdictDown:     ":red_circle:",
	diagnose.VerdictDegraded: ":large_orange_circle:",
	diagnose.VerdictUp:       ":large_green_circle:",
	diagnose.VerdictUnknown:  ":grey_question:",
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

// Render turns a report into a Slack reply. It is pure: the same report
// and context give the same blocks.
func Render(r diagnose.Report, rc ReplyContext) Rendered {
	r = validUTF8(r)
	verdict := verdictOf(r)
	headline := Headline(r)
	summary := redact.Text(strings.TrimSpace(r.Summary))
	if summary == "" {
		summary = "I could not read a tunnel's state from that. Paste `show crypto isakmp sa`, `show crypto ipsec sa peer <peer>` or `debug crypto isakmp` output."
	}
	peer := firstNonEmpty(rc.Peer, r.Peer)

	evidenceLines := formatEvidence(r.Evidence)
	shownEvidence, evidenceCut := fitLines(evidenceLines, maxInlineLines, maxSectionChars-200)
	fixLines := make([]string, len(r.Fix))
	for i, f := range r.Fix {
		fixLines[i] = fmt.Sprintf("%d. %s", i+1, textSafe(redact.Line(f)))
	}
	shownFix, fixCut := fitLines(fixLines, maxInlineFixes, maxSectionChars-200)
	others := otherFindings(r)

	plain := PlainReport(r, rc)
	needFile := evidenceCut > 0 || fixCut > 0
	var file *RenderedFile
	if needFile {
		file = &RenderedFile{
			Name:    "tunneldoc-" + fileSafe(firstNonEmpty(peer, "diagnosis")) + ".txt",
			Title:   "tunneldoc: " + headline + " (full evidence)",
			Content: plain,
		}
	}

	var blocks []slack.Block
	header := truncate(strings.TrimSpace(verdictEmoji[verdict]+" "+headline), maxHeaderChars)
	blocks = append(blocks, slack.NewHeaderBlock(slack.NewTextBlockObject(slack.PlainTextType, header, true, false)))
	for _, w := range []string{rc.CheckWarning, rc.StateWarning} {
		if w != "" {
			blocks = append(blocks, slack.NewContextBlock("", mrkdwn(truncate(":warning: "+escapeMrkdwn(redact.Text(w)), maxContextChars))))
		}
	}
	notes, commands := rc.collectionNotes()
	if len(notes) > 0 {
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn(truncate(collectionText(notes, commands, true), maxSectionChars)), nil, nil))
	}
	blocks = append(blocks, slack.NewSectionBlock(mrkdwn(truncate(textSafe(summary), maxSectionChars)), nil, nil))
	if len(shownEvidence) > 0 {
		t := "*Proving lines*\n```\n" + strings.Join(shownEvidence, "\n") + "\n```"
		if evidenceCut > 0 {
			t += fmt.Sprintf("\n_%d more line(s) in the attached file._", evidenceCut)
		}
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn(t), nil, nil))
	}
	if len(shownFix) > 0 {
		t := "*Fix*\n" + strings.Join(shownFix, "\n")
		if fixCut > 0 {
			t += fmt.Sprintf("\n_%d more step(s) in the attached file._", fixCut)
		}
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn(t), nil, nil))
	}
	if len(others) > 0 {
		blocks = append(blocks, slack.NewContextBlock("", mrkdwn(truncate("Also possible: "+strings.Join(others, ", "), maxContextChars))))
	}
	blocks = append(blocks, slack.NewContextBlock("", mrkdwn(truncate(contextLine(r, rc, verdict, peer), maxContextChars))))
	if rc.IncidentID != "" {
		blocks = append(blocks, actionBlock(rc))
	}

	// Belt and braces: a report larger than the budget loses its inline
	// evidence to the file rather than failing with msg_blocks_too_long.
	if size := blocksChars(blocks); (size > maxMessageChars || len(blocks) > maxBlocks) && len(shownEvidence) > 0 {
		rc2 := r
		rc2.Evidence = nil
		out := Render(rc2, rc)
		out.File = &RenderedFile{Name: "tunneldoc-" + fileSafe(firstNonEmpty(peer, "diagnosis")) + ".txt", Title: "tunneldoc: " + headline + " (full evidence)", Content: plain}
		out.Plain = plain
		return out
	}

	fallback := truncate(headline+": "+summary, maxFallbackChars)
	if len(notes) > 0 {
		// the notification text says it too, before the summary
		fallback = truncate(headline+" ("+collectionShort(notes)+"): "+summary, maxFallbackChars)
	}
	return Rendered{Fallback: fallback, Plain: plain, Blocks: blocks, File: file}
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

func mrkdwn(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.MarkdownType, s, false, false)
}

func actionBlock(rc ReplyContext) slack.Block {
	var els []slack.BlockElement
	if rc.CanRecheck {
		els = append(els, slack.NewButtonBlockElement(ActionRecheck, rc.IncidentID, slack.NewTextBlockObject(slack.PlainTextType, "Re-check", false, false)))
	}
	if rc.IncidentStatus != "acknowledged" && rc.IncidentStatus != "resolved" {
		els = append(els, slack.NewButtonBlockElement(ActionAcknowledge, rc.IncidentID, slack.NewTextBlockObject(slack.PlainTextType, "Acknowledge", false, false)))
	}
	if rc.IncidentStatus != "resolved" {
		b := slack.NewButtonBlockElement(ActionResolve, rc.IncidentID, slack.NewTextBlockObject(slack.PlainTextType, "Resolved", false, false))
		b.Style = slack.StylePrimary
		els = append(els, b)
	}
	return slack.NewActionBlock("tunneldoc_actions", els...)
}

func contextLine(r diagnose.Report, rc ReplyContext, verdict, peer string) string {
	parts := []string{fmt.Sprintf("%s · confidence %d%%", verdict, int(r.Confidence*100+0.5))}
	if peer != "" {
		parts = append(parts, "peer "+escapeMrkdwn(peer))
	}
	if d := firstNonEmpty(rc.Device, checkDevice(rc.Check)); d != "" {
		parts = append(parts, "device "+escapeMrkdwn(d))
	}
	if r.Vendor != "" {
		parts = append(parts, "vendor "+escapeMrkdwn(r.Vendor))
	}
	if r.State != "" {
		parts = append(parts, "state "+escapeMrkdwn(r.State))
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
				s += " by <@" + rc.AcknowledgedBy + ">"
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
// grouped under its section, code-block safe.
func formatEvidence(ev []diagnose.Evidence) []string {
	var out []string
	section := ""
	for _, e := range ev {
		if e.Section != section && e.Section != "" {
			out = append(out, "# "+codeSafe(e.Section))
			section = e.Section
		}
		out = append(out, fmt.Sprintf("%5d | %s", e.Line, codeSafe(redact.Line(e.Text))))
	}
	return out
}

// fitLines keeps whole lines while they fit both budgets and reports how
// many were left out.
func fitLines(lines []string, maxLines, maxChars int) ([]string, int) {
	n, size := 0, 0
	for _, l := range lines {
		if n == maxLines || size+utf8.RuneCountInString(l)+1 > maxChars {
			break
		}
		size += utf8.RuneCountInString(l) + 1
		n++
	}
	return lines[:n], len(lines) - n
}

var mrkdwnEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// escapeMrkdwn applies the three escapes Slack requires in text.
func escapeMrkdwn(s string) string { return mrkdwnEscaper.Replace(s) }

// breakFences keeps text from opening or closing a ``` block: a zero-width
// space goes between backticks that follow each other.
func breakFences(s string) string {
	if !strings.Contains(s, "``") {
		return s
	}
	var b strings.Builder
	prev := rune(0)
	for _, r := range s {
		if r == '`' && prev == '`' {
			b.WriteRune('\u200b')
		}
		b.WriteRune(r)
		prev = r
	}
	return b.String()
}

// textSafe escapes text for mrkdwn outside code blocks.
func textSafe(s string) string { return escapeMrkdwn(breakFences(s)) }

// codeSafe escapes text for a ``` block: a line cannot close the block.
func codeSafe(s string) string {
	s = breakFences(s)
	if r := []rune(s); len(r) > 400 {
		s = string(r[:399]) + "…"
	}
	return escapeMrkdwn(s)
}

func blocksChars(blocks []slack.Block) int {
	n := 0
	for _, b := range blocks {
		switch b := b.(type) {
		case *slack.SectionBlock:
			if b.Text != nil {
				n += len(b.Text.Text)
			}
		case *slack.HeaderBlock:
			n += len(b.Text.Text)
		case *slack.ContextBlock:
			for _, e := range b.ContextElements.Elements {
				if t, ok := e.(*slack.TextBlockObject); ok {
					n += len(t.Text)
				}
			}
		default:
			n += 300
		}
	}
	return n
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
		fmt.Fprintf(&b, "%s\n", redact.Text(collectionText(notes, commands, false)))
	}
	summary := redact.Text(strings.TrimSpace(r.Summary))
	if summary == "" {
		summary = "I could not read a tunnel's state from that. Paste `show crypto isakmp sa`, `show crypto ipsec sa peer <peer>` or `debug crypto isakmp` output."
	}
	fmt.Fprintf(&b, "%s\n", summary)
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
