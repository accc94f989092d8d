package diagnose

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/tunneldoc/tunneldoc/diagnose/facts"
)

// TestLongOutputInParts: a show output longer than MaxSectionLines is
// parsed in parts (memory stays bounded), and the parts read what the
// whole output reads: every SA, with the interface and crypto map heading
// printed once at the top, its counters and its lines.
func TestLongOutputInParts(t *testing.T) {
	text := hubIPsecSA(2000) // ~90,000 lines
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if len(lines) < 2*MaxSectionLines {
		t.Fatalf("only %d lines", len(lines))
	}
	got := Facts(text, Options{})

	e := newEngine(Options{})
	ps := e.commandParsers("show crypto ipsec sa")
	if len(ps) == 0 {
		t.Fatal("no parser for show crypto ipsec sa")
	}
	var whole facts.Section
	for i, l := range lines[1:] {
		text, _ := cleanLine(l)
		whole.Lines = append(whole.Lines, facts.Line{N: i + 2, Last: i + 2, Text: text})
	}
	want := &facts.Facts{}
	ps[0].Parse(&whole, want)

	if len(got.IPsecSAs) != 2000 || len(want.IPsecSAs) != 2000 {
		t.Fatalf("%d SAs read in parts, %d whole; want 2000", len(got.IPsecSAs), len(want.IPsecSAs))
	}
	for i := range want.IPsecSAs {
		if !reflect.DeepEqual(got.IPsecSAs[i], want.IPsecSAs[i]) {
			t.Fatalf("SA %d differs:\nparts %+v\nwhole %+v", i, got.IPsecSAs[i], want.IPsecSAs[i])
		}
	}
	if got.IPsecSAs[1999].Interface != "GigabitEthernet0/1" || got.IPsecSAs[1999].LocalAddr != "30.3.1.1" {
		t.Errorf("the last SA lost its headings: %+v", got.IPsecSAs[1999])
	}

	rep := Diagnose(text, Options{})
	if len(rep.Sections) != 1 || rep.Sections[0].FirstLine != 2 || rep.Sections[0].LastLine != len(lines) {
		t.Errorf("sections %+v, want one covering lines 2-%d", rep.Sections, len(lines))
	}
}

// TestTerminalDressingAsPlain: every case pasted from a colour terminal
// (each line in a colour, the first word of each in another), with CRLF
// line ends, or with NUL bytes in its lines gives the very report of the
// plain case, evidence text included: escape sequences, CR and NUL are
// terminal control, not device text.
func TestTerminalDressingAsPlain(t *testing.T) {
	dress := map[string]func(line string) string{
		"ansi": func(l string) string {
			if i := strings.IndexByte(l, ' '); i > 0 {
				l = "\x1b[01;31m\x1b[K" + l[:i] + "\x1b[m\x1b[K" + l[i:]
			}
			return "\x1b[1;32m" + l + "\x1b[0m"
		},
		"crlf": func(l string) string { return l + "\r" },
		"nul": func(l string) string {
			if len(l) > 3 {
				return l[:3] + "\x00" + l[3:] + "\x00"
			}
			return l
		},
	}
	paths, _ := filepath.Glob("testdata/cases/*/*.txt")
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		plain := string(b)
		want := reportJSON(t, Diagnose(plain, Options{}))
		for name, f := range dress {
			lines := strings.Split(plain, "\n")
			for i := range lines {
				lines[i] = f(lines[i])
			}
			in := strings.Join(lines, "\n")
			if got := reportJSON(t, Diagnose(in, Options{})); got != want {
				t.Errorf("%s as %s: report differs from the plain one:\n%s\nplain:\n%s", p, name, got, want)
			}
			rep, err := DiagnoseReader(strings.NewReader(in), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if got := reportJSON(t, rep); got != want {
				t.Errorf("%s as %s, read from a reader: report differs from the plain one", p, name)
			}
		}
	}
}

func reportJSON(t *testing.T, rep Report) string {
	t.Helper()
	b, err := json.MarshalIndent(rep, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestTablesClaimNoShortLine holds the vendor tables to what the engine
// assumes when it asks them nothing about a line shorter than
// facts.MinLineLen: no Header and no Prefix claims one. Every such line of
// printable ASCII is tried.
func TestTablesClaimNoShortLine(t *testing.T) {
	var short []string
	for a := byte(' '); a <= '~'; a++ {
		short = append(short, string(a))
		for b := byte(' '); b <= '~'; b++ {
			short = append(short, string([]byte{a, b}))
		}
	}
	show, logs := tables("")
	tried := 0
	for _, l := range short {
		l = strings.TrimSpace(l)
		if len(l) >= facts.MinLineLen {
			continue
		}
		tried++
		for _, p := range show {
			if p.Header != nil && p.Header(l) {
				t.Errorf("%s: Header claims %q", p.Name, l)
			}
		}
		for _, lp := range logs {
			if lp.Prefix(l) {
				t.Errorf("%s: Prefix claims %q", lp.Name, l)
			}
		}
	}
	if tried < 9000 {
		t.Fatalf("tried only %d lines", tried)
	}
}

// TestEventsBounded: log lines that each bring a new event key (here a
// new state per line) keep at most MaxEvents events, and the summary says
// how many lines were left unread.
func TestEventsBounded(t *testing.T) {
	var sb strings.Builder
	sb.WriteString("HUB#debug crypto isakmp\n")
	const n = MaxEvents + 5000
	for i := range n {
		sb.WriteString("*Feb  1 21:44:23.315: ISAKMP:(0): retransmitting phase 1 MM_X" + strconv.Itoa(i) + "... (peer 10.0.0.1)\n")
	}
	if got := len(Facts(sb.String(), Options{}).Events); got != MaxEvents {
		t.Errorf("%d events kept, want MaxEvents (%d)", got, MaxEvents)
	}
	rep := Diagnose(sb.String(), Options{})
	if !strings.Contains(rep.Summary, "5000 log lines with further kinds, peers or states were not read") {
		t.Errorf("the summary does not say what was left out: %q", rep.Summary)
	}
}

// TestLiteralStart: the text a command pattern's matches start with, or
// "" when there is none to test.
func TestLiteralStart(t *testing.T) {
	for re, want := range map[string]string{
		`^show crypto isakmp sa\b`:        "show crypto isakmp sa",
		`^show (ip |ipv6 )?access-lists?`: "show ",
		`^ping\b`:                         "ping",
		`^pings?`:                         "ping",
		`^show|^sh`:                       "",
		`show crypto`:                     "",
		`^(?i)show`:                       "",
		`^x*`:                             "",
	} {
		if got := literalStart(regexp.MustCompile(re)); got != want {
			t.Errorf("literalStart(%q) = %q, want %q", re, got, want)
		}
	}
}
