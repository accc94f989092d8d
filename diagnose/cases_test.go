package diagnose

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tunneldoc/tunneldoc/diagnose/golden"
	"github.com/tunneldoc/tunneldoc/diagnose/redact"
)

// want is a rule case's expectation (testdata/cases/<cause>/<case>.want.json).
type want struct {
	Phase         string  `json:"phase"`
	Cause         string  `json:"cause"`
	Vendor        string  `json:"vendor,omitempty"`
	Peer          string  `json:"peer,omitempty"`
	State         string  `json:"state,omitempty"`
	MinConfidence float64 `json:"min_confidence,omitempty"`
	// FocusPeer runs the case with --peer.
	FocusPeer string `json:"focus_peer,omitempty"`
	// Findings: other causes that must also be reported (multi-peer cases).
	AlsoCauses []string `json:"also_causes,omitempty"`
}

// TestCases runs every testdata case: each seed scenario and each cause
// code in varied formatting. The case's directory names its cause.
func TestCases(t *testing.T) {
	files, err := filepath.Glob("testdata/cases/*/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no cases: %v", err)
	}
	for _, file := range files {
		name := strings.TrimSuffix(file, ".txt")
		rel := strings.TrimPrefix(name, "testdata/cases/")
		t.Run(rel, func(t *testing.T) {
			raw, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			wb, err := os.ReadFile(name + ".want.json")
			if err != nil {
				t.Fatalf("missing expectation: %v", err)
			}
			var w want
			if err := json.Unmarshal(wb, &w); err != nil {
				t.Fatalf("%s.want.json: %v", name, err)
			}
			if dir := filepath.Base(filepath.Dir(file)); dir != w.Cause {
				t.Fatalf("case is under %s/ but expects cause %s", dir, w.Cause)
			}
			rep := Diagnose(string(raw), Options{Peer: w.FocusPeer})
			checkReport(t, rep, w, string(raw))
			golden.JSON(t, name+".golden.json", rep)
		})
	}
}

// TestCaseCoverage: every cause code of the contract has at least two
// cases (TestCases checks that each of them passes).
func TestCaseCoverage(t *testing.T) {
	for cause := range CausePhase {
		if cause == CauseUnknown {
			continue
		}
		files, _ := filepath.Glob(filepath.Join("testdata/cases", cause, "*.txt"))
		if len(files) < 2 {
			t.Errorf("cause %s has %d cases, want at least 2", cause, len(files))
		}
	}
}

func checkReport(t *testing.T, rep Report, w want, input string) {
	t.Helper()
	if rep.Phase != w.Phase || rep.Cause != w.Cause {
		t.Errorf("got %s/%s (%.2f: %s), want %s/%s", rep.Phase, rep.Cause, rep.Confidence, rep.Summary, w.Phase, w.Cause)
		for _, f := range rep.Findings {
			t.Logf("  finding %s %s/%s %.2f %s", f.Peer, f.Phase, f.Cause, f.Confidence, f.Summary)
		}
	}
	if w.Vendor != "" && rep.Vendor != w.Vendor {
		t.Errorf("vendor %q, want %q", rep.Vendor, w.Vendor)
	}
	if w.Peer != "" && rep.Peer != w.Peer {
		t.Errorf("peer %q, want %q", rep.Peer, w.Peer)
	}
	if w.State != "" && rep.State != w.State {
		t.Errorf("state %q, want %q", rep.State, w.State)
	}
	if w.MinConfidence > 0 && rep.Confidence < w.MinConfidence {
		t.Errorf("confidence %.2f, want at least %.2f", rep.Confidence, w.MinConfidence)
	}
	for _, c := range w.AlsoCauses {
		found := false
		for _, f := range rep.Findings {
			if f.Cause == c {
				found = true
			}
		}
		if !found {
			t.Errorf("finding %s missing", c)
		}
	}
	if rep.Cause != CauseUnknown && len(rep.Evidence) == 0 {
		t.Errorf("finding without evidence")
	}
	checkEvidence(t, rep, input)
}

// checkEvidence: every quoted line is the input's line at that number,
// exactly as given but for terminal control (escape sequences, CR, NUL:
// see physLine) and redaction; every finding has evidence.
func checkEvidence(t *testing.T, rep Report, input string) {
	t.Helper()
	lines := strings.Split(input, "\n")
	all := append([]Evidence{}, rep.Evidence...)
	for _, f := range rep.Findings {
		if len(f.Evidence) == 0 {
			t.Errorf("finding %s has no evidence", f.Cause)
		}
		all = append(all, f.Evidence...)
	}
	for _, e := range all {
		if e.Line < 1 || e.Line > len(lines) {
			t.Errorf("evidence line %d out of range", e.Line)
			continue
		}
		want := redact.Line(strings.TrimRight(physLine(lines[e.Line-1]), " \t"))
		if e.Text != want {
			t.Errorf("evidence line %d:\n got %q\nwant %q", e.Line, e.Text, want)
		}
	}
}
