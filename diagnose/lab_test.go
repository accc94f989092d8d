package diagnose

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/tunneldoc/tunneldoc/diagnose/golden"
)

// The real-negotiation lab: devices/lab/ikelab/gen.sh runs strongSwan and
// libreswan daemons against each other in network namespaces and stores
// each side's log and status outputs under testdata/lab/<pair>/<scenario>/
// <level>/. expect.txt beside each scenario's level folders says, per side,
// level and file, the phase and cause an engineer concludes from that file
// alone. KNOWN-WRONG.txt lists the cases the engine gets wrong today, with
// what it answers; those are skipped, and a listed case that is now right
// fails until its line is removed (so the list only shrinks). -update
// removes the lines of cases that are now right and refreshes what the
// others answer; it never adds a line.

const labDir = "testdata/lab"

// labCase is one line of an expect.txt: a file of one side at one level.
type labCase struct {
	name         string // <pair>/<scenario>/<level>/<file>: the key in KNOWN-WRONG.txt
	pair, side   string
	level, file  string
	path         string
	phase, cause string
}

// vendor is the side's vendor by the pair's naming (<west>-<east>, sw or lw).
func (c labCase) vendor() string {
	v := strings.SplitN(c.pair, "-", 2)
	code := v[0]
	if c.side == "east" && len(v) == 2 {
		code = v[1]
	}
	switch code {
	case "sw":
		return "strongswan"
	case "lw":
		return "libreswan"
	}
	return code
}

// labCases reads every expect.txt under testdata/lab.
func labCases(t *testing.T) []labCase {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(labDir, "*", "*", "expect.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var cases []labCase
	for _, f := range files {
		scenDir := filepath.Dir(f)
		pair := filepath.Base(filepath.Dir(scenDir))
		scen := filepath.Base(scenDir)
		lines, err := readListFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range lines {
			fields := strings.Fields(l.text)
			if len(fields) != 5 {
				t.Fatalf("%s:%d: want \"side level file phase cause\", got %q", f, l.num, l.text)
			}
			c := labCase{
				pair: pair, side: fields[0], level: fields[1], file: fields[2],
				phase: fields[3], cause: fields[4],
			}
			c.name = strings.Join([]string{pair, scen, c.level, c.file}, "/")
			c.path = filepath.Join(scenDir, c.level, c.file)
			if _, err := os.Stat(c.path); err != nil {
				t.Fatalf("%s:%d: %v", f, l.num, err)
			}
			cases = append(cases, c)
		}
	}
	if len(cases) == 0 {
		t.Fatalf("no lab cases under %s", labDir)
	}
	return cases
}

type listLine struct {
	num  int
	text string
}

// readListFile returns the non-blank lines of f that are not comments.
func readListFile(f string) ([]listLine, error) {
	fh, err := os.Open(f)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	var out []listLine
	sc := bufio.NewScanner(fh)
	for n := 1; sc.Scan(); n++ {
		s := strings.TrimSpace(sc.Text())
		if s == "" || strings.HasPrefix(s, "#") {
			continue
		}
		out = append(out, listLine{n, s})
	}
	return out, sc.Err()
}

const knownWrongFile = "testdata/lab/KNOWN-WRONG.txt"

// knownWrong maps a case name to what the engine answered when it was
// listed ("phase cause").
func knownWrong(t *testing.T) (map[string]string, []string) {
	t.Helper()
	lines, err := readListFile(knownWrongFile)
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]string{}
	var order []string
	for _, l := range lines {
		fields := strings.Fields(l.text)
		if len(fields) != 3 {
			t.Fatalf("%s:%d: want \"case phase cause\", got %q", knownWrongFile, l.num, l.text)
		}
		if _, dup := known[fields[0]]; dup {
			t.Fatalf("%s:%d: %s listed twice", knownWrongFile, l.num, fields[0])
		}
		known[fields[0]] = fields[1] + " " + fields[2]
		order = append(order, fields[0])
	}
	return known, order
}

// labScore counts right answers per vendor and level.
type labScore map[string][2]int

func (s labScore) add(key string, right bool) {
	v := s[key]
	v[1]++
	if right {
		v[0]++
	}
	s[key] = v
}

func (s labScore) log(t *testing.T, title string) {
	keys := make([]string, 0, len(s))
	for k := range s {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "\n  %-28s %3d/%-3d right", k, s[k][0], s[k][1])
	}
	t.Logf("%s:%s", title, b.String())
}

// checkLab runs one list of cases against the engine with KNOWN-WRONG.txt.
// got answers a case; it is called once per case.
func checkLab(t *testing.T, cases []labCase, got func(labCase) (phase, cause string)) labScore {
	known, order := knownWrong(t)
	score := labScore{}
	results := map[string]string{}
	for _, c := range cases {
		phase, cause := got(c)
		right := phase == c.phase && cause == c.cause
		score.add(c.vendor()+" "+c.level, right)
		results[c.name] = phase + " " + cause
		t.Run(c.name, func(t *testing.T) {
			listed, isListed := known[c.name]
			switch {
			case right && isListed && golden.Updating():
				t.Logf("now right (%s %s): its line leaves %s", phase, cause, knownWrongFile)
			case right && isListed:
				t.Errorf("now right (%s %s) but listed in %s as %q: remove the line (or run with -update)",
					phase, cause, knownWrongFile, listed)
			case right:
			case isListed:
				t.Skipf("known wrong: gets %s %s, want %s %s", phase, cause, c.phase, c.cause)
			default:
				t.Errorf("gets %s %s, want %s %s (a new wrong case; if it must wait for a reader, list it: %q)",
					phase, cause, c.phase, c.cause, c.name+" "+phase+" "+cause)
			}
		})
	}
	if golden.Updating() {
		rewriteKnownWrong(t, order, known, results, cases)
	}
	return score
}

// rewriteKnownWrong drops the lines of this run's cases that are now
// right and refreshes what the others answer; lines of other cases stay.
func rewriteKnownWrong(t *testing.T, order []string, known, results map[string]string, cases []labCase) {
	want := map[string]string{}
	for _, c := range cases {
		want[c.name] = c.phase + " " + c.cause
	}
	var b strings.Builder
	b.WriteString("# Lab cases the engine gets wrong today: <case> <phase> <cause it answers now>.\n")
	b.WriteString("# The list only shrinks: TestLab fails for a listed case that is now right.\n")
	for _, name := range order {
		got, ran := results[name]
		if ran && got == want[name] {
			continue
		}
		if !ran {
			got = known[name]
		}
		fmt.Fprintf(&b, "%s %s\n", name, got)
	}
	if err := os.WriteFile(knownWrongFile, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

func labDiagnose(t *testing.T, paths ...string) (string, string) {
	var text strings.Builder
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		text.Write(b)
		if len(b) > 0 && b[len(b)-1] != '\n' {
			text.WriteByte('\n')
		}
	}
	r := Diagnose(text.String(), Options{})
	return r.Phase, r.Cause
}

// TestLab diagnoses every lab file of expect.txt on its own and checks the
// phase and cause.
func TestLab(t *testing.T) {
	cases := labCases(t)
	score := checkLab(t, cases, func(c labCase) (string, string) {
		return labDiagnose(t, c.path)
	})
	score.log(t, "lab score per vendor and level (each file on its own)")
}

// TestLabHealthyPaste: every side of every lab case whose files are all
// expected healthy, at every level, pasted whole (its log and all its
// status outputs as one paste), is healthy: nothing a daemon prints on a
// working tunnel is a failure.
func TestLabHealthyPaste(t *testing.T) {
	all := labCases(t)
	healthy := map[string]bool{} // <level dir>/<side>: every file of it healthy
	for _, c := range all {
		key := filepath.Dir(c.path) + "/" + c.side
		if _, ok := healthy[key]; !ok {
			healthy[key] = true
		}
		healthy[key] = healthy[key] && c.cause == "healthy"
	}
	var cases []labCase
	seen := map[string]bool{}
	for _, c := range all {
		dir := filepath.Dir(c.path)
		key := dir + "/" + c.side
		if !healthy[key] || seen[key] {
			continue
		}
		seen[key] = true
		paste := c
		paste.file = c.side + "-all"
		paste.name = strings.TrimSuffix(c.name, c.file) + paste.file
		paste.path = dir
		cases = append(cases, paste)
	}
	if len(cases) == 0 {
		t.Fatal("no healthy lab case")
	}
	score := checkLab(t, cases, func(c labCase) (string, string) {
		files, err := filepath.Glob(filepath.Join(c.path, c.side+"*"))
		if err != nil || len(files) == 0 {
			t.Fatalf("%s: no files of %s (%v)", c.path, c.side, err)
		}
		return labDiagnose(t, files...)
	})
	score.log(t, "healthy pastes per vendor and level")
}

// TestLabKnownWrongNamesExist: every line of KNOWN-WRONG.txt names a case
// that exists (a renamed or removed case must not leave a stale line).
func TestLabKnownWrongNamesExist(t *testing.T) {
	names := map[string]bool{}
	for _, c := range labCases(t) {
		names[c.name] = true
		names[strings.TrimSuffix(c.name, c.file)+c.side+"-all"] = true
	}
	_, order := knownWrong(t)
	for _, n := range order {
		if !names[n] {
			t.Errorf("%s lists %s, which is no lab case", knownWrongFile, n)
		}
	}
}
