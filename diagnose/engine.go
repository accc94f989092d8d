package diagnose

import (
	"bufio"
	"io"

	"github.com/tunneldoc/tunneldoc/diagnose/facts"
)

// engine holds one diagnosis in progress.
type engine struct {
	opts  Options
	facts *facts.Facts
}

func newEngine(opts Options) *engine {
	return &engine{opts: opts, facts: &facts.Facts{}}
}

func (e *engine) read(r io.Reader) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
	}
	return sc.Err()
}

func (e *engine) report() Report {
	return Report{Phase: PhaseUnknown, Cause: CauseUnknown, Verdict: VerdictUnknown, Evidence: []Evidence{}, Fix: []string{}, Findings: []Finding{}}
}
