package redact_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/tunneldoc/tunneldoc/diagnose"
	"github.com/tunneldoc/tunneldoc/diagnose/redact"
)

// TestRedactedCasesDiagnoseAlike: the bot redacts a paste before the
// engine reads it, so redaction must take nothing a diagnosis needs: every
// case and every lab log (verbose ones hold key dumps) diagnoses to the
// same phase, cause and verdict redacted or not.
func TestRedactedCasesDiagnoseAlike(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "testdata", "cases", "*", "*.txt"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no cases: %v", err)
	}
	// and the real daemons' logs of the lab, at every log level
	logs, _ := filepath.Glob(filepath.Join("..", "testdata", "lab", "*", "*", "*", "*.log"))
	files = append(files, logs...)
	changed := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		in := string(b)
		red := redact.Text(in)
		if red == in && filepath.Ext(f) == ".log" {
			continue
		}
		want := diagnose.Diagnose(in, diagnose.Options{})
		// the renderers pass every fix through Line: a fix that names a
		// command ("`crypto isakmp key` (IOS)") must read the same after
		for _, fx := range want.Fix {
			if r := redact.Line(fx); r != fx {
				t.Errorf("%s: fix %q reads %q", f, fx, r)
			}
		}
		if red == in {
			continue
		}
		changed++
		got := diagnose.Diagnose(red, diagnose.Options{})
		if want.Phase != got.Phase || want.Cause != got.Cause || want.Verdict != got.Verdict {
			t.Errorf("%s: %s/%s/%s, redacted %s/%s/%s", f, want.Phase, want.Cause, want.Verdict, got.Phase, got.Cause, got.Verdict)
		}
	}
	t.Logf("%d of %d cases hold something redaction masks", changed, len(files))
}
