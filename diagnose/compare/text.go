package compare

import (
	"fmt"
	"strings"

	"github.com/tunneldoc/tunneldoc/diagnose"
)

// FormatText renders a comparison report for a terminal: the primary
// finding with its evidence and fix, then the other findings in a line
// each. Evidence in the report is already redacted.
func FormatText(r diagnose.Report) string {
	var b strings.Builder
	if r.Cause == diagnose.CauseUnknown {
		fmt.Fprintf(&b, "unknown: %s\n", r.Summary)
		for _, f := range r.Fix {
			fmt.Fprintf(&b, "  next: %s\n", f)
		}
		return b.String()
	}
	fmt.Fprintf(&b, "%s  %s  (%s, confidence %.2f)", r.Phase, r.Cause, r.Verdict, r.Confidence)
	if r.Peer != "" {
		fmt.Fprintf(&b, "  peer %s", r.Peer)
	}
	b.WriteString("\n")
	fmt.Fprintf(&b, "%s\n", r.Summary)
	writeEvidence(&b, r.Evidence)
	for _, f := range r.Fix {
		fmt.Fprintf(&b, "  fix: %s\n", strings.ReplaceAll(f, "\n", "\n       "))
	}
	if len(r.Findings) > 1 {
		b.WriteString("\nalso found:\n")
		for _, f := range r.Findings[1:] {
			fmt.Fprintf(&b, "- %s %s: %s\n", f.Phase, f.Cause, f.Summary)
			writeEvidence(&b, f.Evidence)
		}
	}
	return b.String()
}

func writeEvidence(b *strings.Builder, ev []diagnose.Evidence) {
	for _, e := range ev {
		fmt.Fprintf(b, "    %s:%d  %s\n", e.Section, e.Line, strings.TrimSpace(e.Text))
	}
}
