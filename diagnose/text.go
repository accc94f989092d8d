package diagnose

import (
	"fmt"
	"strings"
)

// Text renders the report for a terminal: verdict line, summary, the
// proving lines, the numbered fix, then the other findings.
func (r Report) Text() string {
	var b strings.Builder
	peer := r.Peer
	if peer == "" {
		peer = "the peer"
	}
	if r.Cause == CauseUnknown {
		fmt.Fprintf(&b, "No diagnosis: %s\n", r.Summary)
	} else {
		fmt.Fprintf(&b, "Tunnel to %s: %s — %s, %s (confidence %.2f)\n", peer, strings.ToUpper(r.Verdict), phaseName(r.Phase), r.Cause, r.Confidence)
		if r.State != "" {
			fmt.Fprintf(&b, "IKE state: %s\n", r.State)
		}
		fmt.Fprintf(&b, "\n%s\n", r.Summary)
	}
	writeEvidence(&b, r.Evidence)
	if len(r.Fix) > 0 {
		b.WriteString("\nWhat to do:\n")
		for i, f := range r.Fix {
			fmt.Fprintf(&b, "  %d. %s\n", i+1, f)
		}
	}
	if len(r.Findings) > 1 {
		b.WriteString("\nOther findings:\n")
		for _, f := range r.Findings[1:] {
			p := f.Peer
			if p == "" {
				p = "?"
			}
			fmt.Fprintf(&b, "  - %s: %s, %s (%.2f) — %s\n", p, phaseName(f.Phase), f.Cause, f.Confidence, f.Summary)
		}
	}
	return b.String()
}

func writeEvidence(b *strings.Builder, ev []Evidence) {
	if len(ev) == 0 {
		return
	}
	b.WriteString("\nEvidence:\n")
	last := ""
	for _, e := range ev {
		if e.Section != last {
			fmt.Fprintf(b, "  [%s]\n", e.Section)
			last = e.Section
		}
		fmt.Fprintf(b, "  %5d | %s\n", e.Line, e.Text)
	}
}

func phaseName(p string) string {
	switch p {
	case PhaseIKE:
		return "phase 1 (IKE)"
	case PhaseIPsec:
		return "phase 2 (IPsec)"
	case PhaseData:
		return "data plane"
	case PhaseNone:
		return "healthy"
	}
	return "unknown phase"
}
