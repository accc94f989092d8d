package diagnose

import (
	"testing"

	"github.com/tunneldoc/tunneldoc/diagnose/redact"
)

// TestFixesSurviveRedaction: fix texts name commands; none may look like a
// secret to the redactor, or every output path would mangle them.
func TestFixesSurviveRedaction(t *testing.T) {
	for cause := range CausePhase {
		for _, f := range fixFor(cause, "192.0.2.1") {
			if got := redact.Line(f); got != f {
				t.Errorf("%s fix is changed by redaction:\n%s\n%s", cause, f, got)
			}
		}
	}
	for cause := range CausePhase {
		if cause != CauseUnknown && len(fixes[cause]) == 0 {
			t.Errorf("cause %s has no fix", cause)
		}
	}
}
