package diagnose

// rawLines keeps the physical lines of the show section being read, by
// line number, until the section is parsed and the lines its facts point
// at are quoted. A section's lines are nearly consecutive, so a slice
// indexed from the first line replaces a map (a map insert per line was a
// fifth of the time on long show outputs). Lines skipped inside the
// section (a debug printed in the middle) leave holes; a hole longer than
// maxRawGap goes to the overflow map instead, so memory follows the kept
// lines, not the distance between them.
type rawLines struct {
	first int
	lines []string
	set   []bool
	far   map[int]string
}

const maxRawGap = 1024

func (r *rawLines) put(n int, s string) {
	if len(r.lines) == 0 {
		r.first = n
	}
	i := n - r.first
	switch {
	case i == len(r.lines):
		r.lines = append(r.lines, s)
		r.set = append(r.set, true)
	case i > len(r.lines) && i-len(r.lines) <= maxRawGap:
		for len(r.lines) < i {
			r.lines = append(r.lines, "")
			r.set = append(r.set, false)
		}
		r.lines = append(r.lines, s)
		r.set = append(r.set, true)
	case i >= 0 && i < len(r.lines):
		r.lines[i], r.set[i] = s, true
	default:
		if r.far == nil {
			r.far = map[int]string{}
		}
		r.far[n] = s
	}
}

// putApart keeps a line that is not part of the run the next lines form
// (a heading repeated at the head of a piece, far above it).
func (r *rawLines) putApart(n int, s string) {
	if r.far == nil {
		r.far = map[int]string{}
	}
	r.far[n] = s
}

func (r *rawLines) get(n int) (string, bool) {
	if i := n - r.first; i >= 0 && i < len(r.lines) {
		return r.lines[i], r.set[i]
	}
	s, ok := r.far[n]
	return s, ok
}

// reset forgets every line, keeping the slices' memory for the next section.
func (r *rawLines) reset() {
	clear(r.lines)
	r.lines, r.set = r.lines[:0], r.set[:0]
	r.far = nil
}
